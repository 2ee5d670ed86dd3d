//! The grouped comparison: a slot across a thousand bodies read as a 比較表 reads, one wording
//! at a time. Rows of one wording (see [`crate::index::wording_of`]) are one group with its
//! bodies; groups stand largest first (by bodies); each is shown once, aligned to the base;
//! the base's own group is marked; the slot's most common sentences are listed with their
//! share of bodies.
//!
//! The pipeline: [`slot_rows`] (rows of the slot under the filters) → [`choose_base`] → the
//! base's 事務 ([`within_base_jimu`]) → [`group_by_wording`] → a page of groups, each
//! [`compare_row`]'d → [`common_sentences`] and the answer tallies.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::table::{ComparisonTable, TableRow};
use super::{
    AnswerTally, BaseText, ChosenBase, CompareError, CompareRequest, CompareRow, ScopedRows,
    body_sentence_key, compare_row, scoped_rows, sentences_of, slot_and_page_size, tally,
};
use crate::record::row_key;
use crate::search::SearchIndex;
use crate::search::versions::SearchDocuments;

/// Groups on a page when the request does not say.
pub const DEFAULT_GROUPS: usize = 20;
/// Most groups one page may ask for.
pub const MAX_GROUPS: usize = 200;
/// Most bodies listed with a group (its counts are always whole).
pub const MAX_LISTED_MEMBERS: usize = 1000;
/// Groups whose texts are read for the slot's most common sentences: the largest ones hold
/// nearly every body at national scale, and reading every group's text would cost a store
/// read per own wording.
const GROUPS_FOR_COMMON_SENTENCES: usize = 60;
/// What stands for a body's own name in a sentence many bodies write.
const BODY_NAME_SHOWN: &str = "（団体名）";
/// Sentences listed as the slot's most common.
const COMMON_SENTENCES: usize = 10;

/// A body in a group, with its row (a link to its record).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct GroupMember {
    pub body: String,
    pub id: String,
    pub file: String,
    /// 公表日 as printed, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// One wording and the bodies that use it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WordingGroup {
    /// The wording, shown once: the base's own row in the base's group, else the group's first
    /// row in reading order; aligned to the base.
    pub row: CompareRow,
    /// Bodies using the wording (「この文言を使う団体: 412」) and their rows.
    pub bodies: usize,
    pub rows: usize,
    /// Whether the base text is of this wording.
    pub is_base_group: bool,
    /// The bodies, by 団体コード (at most [`MAX_LISTED_MEMBERS`]).
    pub members: Vec<GroupMember>,
}

/// A sentence of the slot and how many of the compared bodies write it (or one worded the
/// same).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CommonSentence {
    pub text: String,
    pub bodies: usize,
    /// `bodies` over the bodies compared, 0–1.
    pub share: f64,
}

/// The response of `GET /api/compare/groups`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GroupsResponse {
    pub slot: String,
    pub slot_label: String,
    pub base: Option<String>,
    pub base_text: Option<BaseText>,
    pub base_texts: Vec<BaseText>,
    /// The base text as a row, whichever page its group is on: the page keeps it in view.
    pub base_row: Option<CompareRow>,
    /// Bodies writing the base's wording (its group's size).
    pub base_group_bodies: usize,
    /// The 事務 compared within (none: every 事務), and whether it was the base's by default.
    pub jimu: Option<String>,
    pub jimu_from_base: bool,
    /// Rows, bodies and groups (wordings) of the whole comparison; `groups` is the page from
    /// `offset` (in groups). Rows without text (an item answered only by its choice) are in
    /// `total_rows` and the tallies, not in a group: `rows_without_text` says how many.
    pub total_rows: usize,
    pub rows_without_text: usize,
    pub total_bodies: usize,
    pub total_groups: usize,
    pub offset: usize,
    pub limit: usize,
    pub groups: Vec<WordingGroup>,
    /// The slot's most common sentences among the largest groups, most shared first.
    pub common_sentences: Vec<CommonSentence>,
    /// Every body with a row, in reading order (for choosing the base).
    pub bodies: Vec<String>,
    pub choices: Vec<AnswerTally>,
    pub ratings: Vec<AnswerTally>,
}

/// Runs a grouped comparison (see the module's header).
pub fn compare_groups(
    index: &SearchIndex,
    request: &CompareRequest,
) -> Result<GroupsResponse, CompareError> {
    let (slot, limit) = slot_and_page_size(request, DEFAULT_GROUPS, MAX_GROUPS)?;
    let offset = request.offset.unwrap_or(0);
    let documents = index.documents();
    let ScopedRows {
        matching,
        rows,
        bodies,
        chosen,
        jimu,
        jimu_from_base,
    } = scoped_rows(index, request, &documents)?;
    let table = matching.table();
    // An item answered only by its choice has no wording: the tallies count it.
    let with_text: Vec<TableRow> = rows.iter().copied().filter(|row| row.has_text).collect();
    let groups = group_by_wording(&with_text, &chosen);
    if offset > 0 && offset >= groups.len() {
        return Err(CompareError::OffsetPastEnd {
            offset,
            total: groups.len(),
        });
    }

    let base_sentences = chosen.sentences();
    let base_key = chosen.record().map(|record| row_key(&record.id));
    let mut page = Vec::with_capacity(limit);
    for group in groups.iter().skip(offset).take(limit) {
        let shown = group.shown;
        let record = match chosen.record().filter(|_| Some(shown.key) == base_key) {
            Some(record) => record.clone(),
            None => match matching.record(shown.key)? {
                Some(record) => record,
                None => continue,
            },
        };
        let is_base_group = group.rows.iter().any(|row| Some(row.key) == base_key);
        page.push(WordingGroup {
            row: compare_row(
                record,
                table.body(shown.body).to_string(),
                Some(shown.key) == base_key,
                &chosen,
                &base_sentences,
                table,
            ),
            bodies: group.bodies.len(),
            rows: group.rows.len(),
            is_base_group,
            members: members_of(group, table, &documents),
        });
    }
    let base_row = chosen.record().map(|record| {
        compare_row(
            record.clone(),
            super::body_of(record),
            true,
            &chosen,
            &base_sentences,
            table,
        )
    });
    let base_group_bodies = groups
        .iter()
        .find(|group| group.rows.iter().any(|row| Some(row.key) == base_key))
        .map_or(0, |group| group.bodies.len());
    let common_sentences = common_sentences(&groups, &matching, bodies.len())?;
    let choices = tally(
        table,
        rows.iter()
            .filter(|row| table.slot_key(row.slot) == request.slot),
        TableRow::choice_and_print,
    );
    let ratings = tally(table, rows.iter(), TableRow::rating_alone);
    Ok(GroupsResponse {
        slot: slot.key.to_string(),
        slot_label: slot.label.to_string(),
        base: chosen.base.clone(),
        base_text: chosen
            .base_position
            .map(|position| chosen.base_texts[position].clone()),
        base_texts: chosen.base_texts.clone(),
        base_row,
        base_group_bodies,
        jimu,
        jimu_from_base,
        total_rows: rows.len(),
        rows_without_text: rows.len() - with_text.len(),
        total_bodies: bodies.len(),
        total_groups: groups.len(),
        offset,
        limit,
        groups: page,
        common_sentences,
        bodies: bodies
            .iter()
            .map(|&body| table.body(body).to_string())
            .collect(),
        choices,
        ratings,
    })
}

/// Rows of one wording.
struct RowGroup {
    rows: Vec<TableRow>,
    /// Each body once, with its first row of the wording.
    bodies: Vec<TableRow>,
    /// The row shown for the group: the base text in the base's group, else the first row.
    shown: TableRow,
}

/// Groups the rows by wording, largest (by bodies, then rows) first, then in reading order of
/// their first row. Removed measures (削除) group on their own wording too.
fn group_by_wording(rows: &[TableRow], chosen: &ChosenBase) -> Vec<RowGroup> {
    let base_key = chosen.record().map(|record| row_key(&record.id));
    let base_body = base_key
        .and_then(|key| rows.iter().find(|row| row.key == key))
        .map(|row| row.body);
    let mut position_of: HashMap<u64, usize> = HashMap::new();
    let mut groups: Vec<RowGroup> = Vec::new();
    for row in rows {
        let position = *position_of.entry(row.wording).or_insert_with(|| {
            groups.push(RowGroup {
                rows: Vec::new(),
                bodies: Vec::new(),
                shown: *row,
            });
            groups.len() - 1
        });
        let group = &mut groups[position];
        group.rows.push(*row);
        // Rows are in body order: a body's rows of one wording follow each other.
        if group.bodies.last().map(|last| last.body) != Some(row.body) {
            group.bodies.push(*row);
        }
        // The row shown: the base text in the base's group; elsewhere another body's row
        // rather than the base body's (a shared actor's text the base body writes too is then
        // compared with the base body's text of that actor, and reads as the same).
        if Some(row.key) == base_key {
            group.shown = *row;
        } else if Some(group.shown.key) != base_key
            && Some(group.shown.body) == base_body
            && Some(row.body) != base_body
        {
            group.shown = *row;
        }
    }
    // Among groups of one size, the base's own group comes first, and the base body's own
    // other texts (its other files, a shared actor's text in its document) come after other
    // bodies' wordings: a reader compares with others first.
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&position| {
        let group = &groups[position];
        let only_the_base_body = group.bodies.len() == 1 && Some(group.bodies[0].body) == base_body;
        let holds_the_base = Some(group.shown.key) == base_key;
        (
            std::cmp::Reverse(group.bodies.len()),
            !holds_the_base,
            only_the_base_body,
            std::cmp::Reverse(group.rows.len()),
            position,
        )
    });
    let mut slots: Vec<Option<RowGroup>> = groups.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|position| slots[position].take())
        .collect()
}

/// A group's bodies by 団体コード, each with its first row as a link.
fn members_of(
    group: &RowGroup,
    table: &ComparisonTable,
    documents: &SearchDocuments,
) -> Vec<GroupMember> {
    let mut members: Vec<(Option<&str>, GroupMember)> = group
        .bodies
        .iter()
        .map(|row| {
            let document = documents.document(u64::from(row.document));
            (
                document.and_then(|document| document.municipality_code.as_deref()),
                GroupMember {
                    body: table.body(row.body).to_string(),
                    id: format!("{:016x}", row.key),
                    file: document
                        .map(|document| document.file.clone())
                        .unwrap_or_default(),
                    date: document.and_then(|document| document.doc_date.clone()),
                },
            )
        })
        .collect();
    members.sort_by(|left, right| {
        (left.0.is_none(), left.0, &left.1.body).cmp(&(right.0.is_none(), right.0, &right.1.body))
    });
    members
        .into_iter()
        .take(MAX_LISTED_MEMBERS)
        .map(|(_, member)| member)
        .collect()
}

/// The slot's most common sentences: the sentences of the largest groups' texts, each with the
/// bodies of every such group that writes it (its own body's name and 当市 aside), as a share of
/// the bodies compared.
fn common_sentences(
    groups: &[RowGroup],
    matching: &crate::search::rows::MatchingRows,
    compared_bodies: usize,
) -> Result<Vec<CommonSentence>, CompareError> {
    // Per sentence key: its text as first read and the bodies writing it.
    let mut writers: BTreeMap<String, (String, std::collections::BTreeSet<u32>)> = BTreeMap::new();
    for group in groups.iter().take(GROUPS_FOR_COMMON_SENTENCES) {
        let Some(record) = matching.record(group.shown.key)? else {
            continue;
        };
        if record.change.as_deref() == Some("削除") {
            continue;
        }
        for sentence in sentences_of(&record.text) {
            let key = body_sentence_key(&sentence, &record.municipality);
            if key.chars().count() < 8 {
                continue;
            }
            // Shown with the body's own name as a placeholder: the sentence is many bodies'.
            let shown = if record.municipality.is_empty() {
                sentence.clone()
            } else {
                sentence.replace(&record.municipality, BODY_NAME_SHOWN)
            };
            let entry = writers
                .entry(key)
                .or_insert_with(|| (shown, Default::default()));
            entry.1.extend(group.bodies.iter().map(|row| row.body));
        }
    }
    let mut common: Vec<CommonSentence> = writers
        .into_values()
        .filter(|(_, bodies)| bodies.len() >= 2)
        .map(|(text, bodies)| CommonSentence {
            text,
            bodies: bodies.len(),
            share: if compared_bodies == 0 {
                0.0
            } else {
                (bodies.len() as f64 / compared_bodies as f64 * 1000.0).round() / 1000.0
            },
        })
        .collect();
    common.sort_by(|left, right| {
        right
            .bodies
            .cmp(&left.bodies)
            .then_with(|| left.text.cmp(&right.text))
    });
    common.truncate(COMMON_SENTENCES);
    Ok(common)
}
