//! The grouped comparison: a slot across a thousand bodies read as a 比較表 reads, one wording
//! at a time. Rows of one wording (see [`crate::index::wording_of`]) are one group with its
//! bodies; groups stand largest first (by bodies); each is shown once, aligned to the base;
//! the base's own group is marked; the slot's most common sentences are listed with their
//! share of bodies.
//!
//! The pipeline: the rows of the slot under the filters, within the base's 事務, and the base
//! ([`scoped_rows`]) → [`group_by_wording`] → near-identical wordings folded in as variants
//! ([`fold_variants`]) → a page of groups, each [`compare_row`]'d with its variants diffed
//! ([`variants_of`]) → [`common_sentences`] and the answer tallies.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::BODY_NAME_SHOWN;
use super::keyed::KeyedRecord;
use super::table::{ComparisonTable, TableRow};
use super::{
    AnswerTally, BaseText, ChosenBase, CompareError, CompareRequest, CompareRow, ScopedRows,
    answers_of, compare_row, keyed_record, scoped_rows, slot_and_page_size,
};
use crate::record::row_key;
use crate::search::SearchIndex;
use crate::search::rows::MatchingRows;
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
/// Wording similarity (character-pair Dice over the whole text, the body's name aside) from
/// which a smaller wording is a variant of a larger one rather than a wording of its own.
const VARIANT_SIMILARITY: f64 = 0.9;
/// Groups looked at for variants, largest first: beyond them, groups of one or two bodies stand
/// as they are (reading every own wording's text would cost a store read each).
const GROUPS_FOR_VARIANTS: usize = 150;
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
    /// Near-identical wordings (the same text a few characters apart), each with its bodies
    /// and its difference from this group's text; not counted in `bodies`.
    pub variants: Vec<WordingVariant>,
}

/// A wording a few characters apart from its group's.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WordingVariant {
    pub id: String,
    pub body: String,
    pub text: String,
    /// From the group's text to this one, sentence by sentence.
    pub aligned: Vec<super::AlignedSentence>,
    pub similarity: f64,
    pub bodies: usize,
    pub rows: usize,
    pub is_base_group: bool,
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

/// Runs a grouped comparison (see the module's header): a page of at most [`MAX_GROUPS`].
pub fn compare_groups(
    index: &SearchIndex,
    request: &CompareRequest,
) -> Result<GroupsResponse, CompareError> {
    let (_, limit) = slot_and_page_size(request, DEFAULT_GROUPS, MAX_GROUPS)?;
    grouped(index, request, limit)
}

/// Every group of a comparison, up to `cap`, from one run of the pipeline (for the workbook,
/// which needs them all, not a page).
pub fn every_group(
    index: &SearchIndex,
    request: &CompareRequest,
    cap: usize,
) -> Result<Vec<WordingGroup>, CompareError> {
    let request = CompareRequest {
        offset: None,
        limit: None,
        ..request.clone()
    };
    Ok(grouped(index, &request, cap)?.groups)
}

/// The pipeline of [`compare_groups`] for a page of `limit` groups.
fn grouped(
    index: &SearchIndex,
    request: &CompareRequest,
    limit: usize,
) -> Result<GroupsResponse, CompareError> {
    let (slot, _) = slot_and_page_size(request, DEFAULT_GROUPS, MAX_GROUPS)?;
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
    let base_key = chosen.record().map(|record| row_key(&record.id));
    let groups = fold_variants(groups, &matching, base_key)?;
    if offset > 0 && offset >= groups.len() {
        return Err(CompareError::OffsetPastEnd {
            offset,
            total: groups.len(),
        });
    }

    let base_sentences = chosen.sentences();
    let mut page = Vec::with_capacity(limit);
    for group in groups.iter().skip(offset).take(limit) {
        let shown = group.shown;
        // The base text too: it is one of the rows that matched, keyed when it was chosen.
        let Some(keyed) = keyed_record(&matching, shown.key)? else {
            continue;
        };
        let is_base_group = group.rows.iter().any(|row| Some(row.key) == base_key);
        let variants = variants_of(group, &keyed, &matching, table, &documents, base_key)?;
        page.push(WordingGroup {
            row: compare_row(
                &keyed,
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
            variants,
        });
    }
    let base_row = match base_key {
        Some(key) => keyed_record(&matching, key)?.map(|keyed| {
            compare_row(
                &keyed,
                super::body_of(&keyed.record),
                true,
                &chosen,
                &base_sentences,
                table,
            )
        }),
        None => None,
    };
    let base_group_bodies = groups
        .iter()
        .find(|group| group.rows.iter().any(|row| Some(row.key) == base_key))
        .map_or(0, |group| group.bodies.len());
    let common_sentences = common_sentences(&groups, &matching, bodies.len())?;
    let (choices, ratings) = answers_of(table, &rows, &request.slot);
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
    /// Near-identical wordings (a few characters apart), smaller ones folded into this one.
    variants: Vec<RowGroup>,
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
                variants: Vec::new(),
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
        let replaces_the_base_bodys_row = Some(group.shown.key) != base_key
            && Some(group.shown.body) == base_body
            && Some(row.body) != base_body;
        if Some(row.key) == base_key || replaces_the_base_bodys_row {
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

/// Folds near-identical wordings into the larger wording they vary: among the largest
/// [`GROUPS_FOR_VARIANTS`] groups, a group whose text is at least [`VARIANT_SIMILARITY`] like an
/// earlier (larger) group's of the same field and actor becomes its variant. The base's own
/// group always stands on its own.
fn fold_variants(
    groups: Vec<RowGroup>,
    matching: &MatchingRows,
    base_key: Option<u64>,
) -> Result<Vec<RowGroup>, CompareError> {
    let mut folded: Vec<RowGroup> = Vec::with_capacity(groups.len());
    // Per folded group, when read.
    let mut keys: Vec<Option<VariantKey>> = Vec::new();
    for (position, group) in groups.into_iter().enumerate() {
        let holds_base = group.rows.iter().any(|row| Some(row.key) == base_key);
        let key = if position < GROUPS_FOR_VARIANTS {
            keyed_record(matching, group.shown.key)?.map(|keyed| {
                let pairs = keyed.variant_pairs().to_vec();
                let record = &keyed.record;
                // The body's own block (「<札幌市における措置>」) is each body's own actor.
                let actor = record
                    .actor
                    .as_ref()
                    .map(|actor| actor.replace(&record.municipality, "〈団体〉"));
                (record.field.clone(), actor, pairs)
            })
        } else {
            None
        };
        let parent = key
            .as_ref()
            .filter(|_| !holds_base)
            .and_then(|(field, actor, pairs)| {
                keys.iter().position(|other| {
                    other
                        .as_ref()
                        .is_some_and(|(other_field, other_actor, other_pairs)| {
                            other_field == field
                                && other_actor == actor
                                && sorted_pairs_similarity(pairs, other_pairs) >= VARIANT_SIMILARITY
                        })
                })
            });
        match parent {
            Some(parent) => folded[parent].variants.push(group),
            None => {
                folded.push(group);
                keys.push(key);
            }
        }
    }
    Ok(folded)
}

/// What makes two wordings comparable as variants: the field, the actor (a body's own block as
/// one placeholder) and the sorted character pairs of the text.
type VariantKey = (Option<String>, Option<String>, Vec<(char, char)>);

/// Dice similarity of two sorted lists of character pairs (as [`crate::form::wording_similarity`]).
fn sorted_pairs_similarity(left: &[(char, char)], right: &[(char, char)]) -> f64 {
    if left.is_empty() || right.is_empty() {
        return if left == right { 1.0 } else { 0.0 };
    }
    let (short, long) = (left.len().min(right.len()), left.len().max(right.len()));
    // Dice cannot reach the bar when the lengths are this far apart.
    if (2 * short) as f64 / ((short + long) as f64) < VARIANT_SIMILARITY {
        return 0.0;
    }
    crate::form::sorted_pairs_dice(left, right)
}

/// A group's variants as the page shows them: each one's text aligned from the group's text.
fn variants_of(
    group: &RowGroup,
    group_keyed: &KeyedRecord,
    matching: &MatchingRows,
    table: &ComparisonTable,
    documents: &SearchDocuments,
    base_key: Option<u64>,
) -> Result<Vec<WordingVariant>, CompareError> {
    let mut variants = Vec::with_capacity(group.variants.len());
    for variant in &group.variants {
        let Some(keyed) = keyed_record(matching, variant.shown.key)? else {
            continue;
        };
        let record = &keyed.record;
        let similarity = group_keyed.text_similarity(&keyed);
        variants.push(WordingVariant {
            id: record.id.clone(),
            body: table.body(variant.shown.body).to_string(),
            aligned: super::align_keyed(group_keyed.shown_wording(), keyed.shown_wording()),
            text: record.text.clone(),
            similarity: (similarity * 100.0).round() / 100.0,
            bodies: variant.bodies.len(),
            rows: variant.rows.len(),
            is_base_group: variant.rows.iter().any(|row| Some(row.key) == base_key),
            members: members_of(variant, table, documents),
        });
    }
    Ok(variants)
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

/// The slot's most common sentences: the sentences of the largest groups' texts (and their
/// variants'), each with the bodies of every such group that writes it (its own body's name and 当市 aside), as a share of
/// the bodies compared.
fn common_sentences(
    groups: &[RowGroup],
    matching: &MatchingRows,
    compared_bodies: usize,
) -> Result<Vec<CommonSentence>, CompareError> {
    // Per sentence key: its text as first read and the bodies writing it.
    let mut writers: BTreeMap<String, (String, std::collections::BTreeSet<u32>)> = BTreeMap::new();
    // A variant's bodies write most of its group's sentences and some of their own: each is
    // read for its own sentences.
    let read = groups
        .iter()
        .take(GROUPS_FOR_COMMON_SENTENCES)
        .flat_map(|group| std::iter::once(group).chain(group.variants.iter()));
    for group in read {
        let Some(keyed) = keyed_record(matching, group.shown.key)? else {
            continue;
        };
        let record = &keyed.record;
        if record.change.as_deref() == Some("削除") {
            continue;
        }
        for (sentence, key) in keyed.sentences.sentences.iter().zip(keyed.body_keys()) {
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
                .entry(key.clone())
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
