//! Comparison: the same slot across every body that fills it.
//!
//! The base is one text (a body's record for one file and actor), shown first. Every other row
//! has its sentences aligned to the base's by wording similarity, like the columns of a
//! 新旧対照表: a sentence the base says nearly the same gets a character diff (a changed
//! 「裁断」→「細断」 is one small change), a sentence with no counterpart is shown whole as the
//! row's own wording, and a base sentence with none as missing. Each sentence is also marked
//! with how many *other* bodies write it: nationally shared wording (中間サーバー, ガバメント
//! クラウド 記載例) against a body's own.

pub mod answers;
pub mod groups;
pub mod keyed;
pub mod table;
pub mod versions;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use similar::{ChangeTag, TextDiff};

use crate::document::UNNAMED_BODY;
use crate::form;
use crate::record::Record;
use crate::record::row_key;
use crate::search::versions::SearchDocuments;
use crate::search::{SearchError, SearchIndex, SearchRequest};
use table::{ComparisonTable, TableRow};

/// Rows on a page of a comparison when the request does not say.
pub const DEFAULT_COMPARE_ROWS: usize = 100;
/// Most rows one page of a comparison may ask for.
pub const MAX_COMPARE_ROWS: usize = 500;
/// Most rows of the base body read to diff against (a body's rows of one slot are a handful
/// per file).
const MAX_BASE_ROWS: usize = 200;
/// Bodies tried, in reading order, for a default base that writes a text.
const MAX_BASE_CANDIDATES: usize = 50;
/// Similarity at or above which two sentences count as the same wording (numbering, spaces
/// and 「することとしている」/「している」-size edits aside).
const SAME_SENTENCE: f64 = 0.9;

/// A comparison request (`GET /api/compare`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct CompareRequest {
    pub slot: String,
    /// The body whose text the others are compared with.
    #[serde(default)]
    pub base: Option<String>,
    /// Which of the base body's texts (by record id): a body writes one per file and actor.
    #[serde(default)]
    pub base_record: Option<String>,
    #[serde(default)]
    pub q: Option<String>,
    /// Rows to skip, in reading order.
    #[serde(default)]
    pub offset: Option<usize>,
    /// Rows on the page (at most [`MAX_COMPARE_ROWS`]).
    #[serde(default)]
    pub limit: Option<usize>,
    /// 事務 (category): only documents of this 事務. By default the base document's 事務
    /// when the base is chosen; `all` compares every 事務.
    #[serde(default)]
    pub jimu: Option<String>,
    /// Peers: only bodies of this kind (都道府県, 政令市, 特別区, 市, 町, 村) …
    #[serde(default)]
    pub body_kind: Option<String>,
    /// … and of this prefecture.
    #[serde(default)]
    pub prefecture: Option<String>,
    /// `all`: past versions too (by default only current versions).
    #[serde(default)]
    pub versions: Option<String>,
}

impl CompareRequest {
    /// The search that finds the comparison's rows: its slot, query and filters.
    fn filters(&self) -> SearchRequest {
        SearchRequest {
            q: self.q.clone().unwrap_or_default(),
            slot: Some(self.slot.clone()),
            jimu: self
                .jimu
                .clone()
                .filter(|jimu| jimu != "all" && !jimu.is_empty()),
            body_kind: self.body_kind.clone(),
            prefecture: self.prefecture.clone(),
            versions: self.versions.clone(),
            ..SearchRequest::default()
        }
    }
}

/// One step of a diff inside an aligned pair of sentences.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DiffOp {
    /// `equal`, `insert` or `delete`.
    pub op: String,
    pub text: String,
}

/// A sentence of a row and in how many other bodies' rows it appears.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SharedSentence {
    pub text: String,
    pub shared_by: usize,
}

/// How a sentence of a row stands to the base text.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Alignment {
    /// The base says the same (numbering, spaces and the body's own name aside).
    Same,
    /// A base sentence says nearly the same: `ops` is the character diff between the two.
    Changed,
    /// No base sentence is near it: the row's own wording, shown whole.
    Own,
    /// A base sentence no sentence of the row is near: missing from the row, shown whole.
    Missing,
}

/// A sentence of a row aligned to the base text.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AlignedSentence {
    pub alignment: Alignment,
    /// The row's sentence (for `missing`, the base's).
    pub text: String,
    /// The base sentence it was aligned with (`same`, `changed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// Character diff from `base` to `text`, only for `changed`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ops: Vec<DiffOp>,
    /// Wording similarity with `base` (0–1; 0 when unaligned).
    pub similarity: f64,
    /// Other bodies writing the row's sentence or one worded the same.
    pub shared_by: usize,
}

/// The text the rows are compared with: one record of the base body.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BaseText {
    pub id: String,
    pub body: String,
    pub doc_title: String,
    pub file_name: Option<String>,
    pub actor: Option<String>,
    pub field: Option<String>,
    /// 「札幌市 ・ 住民基本台帳ファイル ・ 札幌市における措置」: what a row names as its base.
    pub label: String,
}

/// A row of a comparison.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CompareRow {
    #[serde(flatten)]
    pub record: Record,
    /// The body the row is counted under (documents without a body name count apart).
    pub body: String,
    /// Whether this row is the base text itself.
    pub is_base: bool,
    /// The label of the base text this row was compared with (none for the base itself, for
    /// a removed measure and for an item answered only by its choice).
    pub compared_with: Option<String>,
    /// The row's sentences aligned to the base's, with the base's missing ones in place.
    pub aligned: Vec<AlignedSentence>,
    pub sentences: Vec<SharedSentence>,
}

/// Bodies giving one answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AnswerTally {
    pub answer: String,
    pub bodies: Vec<AnsweringBody>,
}

/// A body giving an answer, with the files (特定個人情報ファイル) it gives it for and how the
/// answer was printed where folding changed it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AnsweringBody {
    pub body: String,
    pub files: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub printed: Vec<String>,
}

/// The response of a comparison.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CompareResponse {
    pub slot: String,
    pub slot_label: String,
    pub base: Option<String>,
    /// The base text, shown first; every other row is compared with it.
    pub base_text: Option<BaseText>,
    /// The base body's texts of the slot, any of which can be the base.
    pub base_texts: Vec<BaseText>,
    /// The 事務 compared within (none: every 事務), and whether it was the base's by default.
    pub jimu: Option<String>,
    pub jimu_from_base: bool,
    /// Rows of the whole comparison; `rows` is the page from `offset` (the base row first).
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    /// Every body with a row, in reading order (for choosing the base).
    pub bodies: Vec<String>,
    pub rows: Vec<CompareRow>,
    /// The item's own 選択, each answer with the bodies giving it (a body once per answer).
    pub choices: Vec<AnswerTally>,
    /// The risk's 評価 (「リスクへの対策は十分か」), likewise.
    pub ratings: Vec<AnswerTally>,
}

/// Why a comparison was refused.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("base {base:?} has no row for slot {slot}; bodies with rows: {available}")]
    UnknownBase {
        base: String,
        slot: String,
        available: String,
    },
    #[error("base_record {0:?} is not a text of the base body in this slot")]
    UnknownBaseRecord(String),
    #[error("limit {limit} is over the maximum of {max} per page")]
    LimitTooLarge { limit: usize, max: usize },
    #[error("offset {offset} is past the end of the comparison ({total} in all)")]
    OffsetPastEnd { offset: usize, total: usize },
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// The body a record is counted under: its name (with its prefecture when another body bears
/// the same name), or for unnamed bodies the name and the file, so that two unnamed documents
/// are not taken for one body.
pub fn body_of(record: &Record) -> String {
    if record.municipality == UNNAMED_BODY {
        return format!("{UNNAMED_BODY} ({})", record.source.file);
    }
    // Two bodies of one name (府中市 of 東京都 and of 広島県) are two bodies.
    crate::bodies::LocalBodies::bundled()
        .label_of(&record.municipality, record.prefecture.as_deref())
}

/// Bodies named in an error message, at most [`NAMES_IN_A_MESSAGE`] of them: a slot across
/// the nation has thousands.
fn listed_briefly(names: &[&str]) -> String {
    if names.len() <= NAMES_IN_A_MESSAGE {
        return names.join(", ");
    }
    format!(
        "{} and {} more (GET /api/compare?slot=… lists them in `bodies`)",
        names[..NAMES_IN_A_MESSAGE].join(", "),
        names.len() - NAMES_IN_A_MESSAGE
    )
}

/// Most body names one error message lists.
const NAMES_IN_A_MESSAGE: usize = 20;

/// Whether a row's body (as [`body_of`] names it) is the base: named as it is, or, for the
/// unnamed bodies, by the shared name alone.
fn is_base(body: &str, base: &str) -> bool {
    body == base
        || (base == UNNAMED_BODY
            && body
                .strip_prefix(UNNAMED_BODY)
                .is_some_and(|rest| rest.starts_with(" (")))
}

impl BaseText {
    fn of(record: &Record, body: &str) -> BaseText {
        let mut parts = vec![body.to_string()];
        parts.extend(record.file_name.clone());
        parts.extend(record.actor.clone());
        BaseText {
            id: record.id.clone(),
            body: body.to_string(),
            doc_title: record.doc_title.clone(),
            file_name: record.file_name.clone(),
            actor: record.actor.clone(),
            field: record.field.clone(),
            label: parts.join(" ・ "),
        }
    }

    /// Whether the text is the body's own measure: no actor, or the body itself as the actor
    /// (「札幌市」, 「札幌市における措置」). The default base.
    fn is_bodys_own(&self) -> bool {
        let Some(actor) = &self.actor else {
            return true;
        };
        // 「府中市（東京都）」: the name without the prefecture that tells it from its namesake.
        let name = self
            .body
            .split('（')
            .next()
            .unwrap_or_default()
            .trim_end_matches(['市', '区', '町', '村', '県', '都', '府']);
        !name.is_empty() && actor.contains(name)
    }

    /// Whether the text is a nationally shared actor's (中間サーバー・プラットフォーム, ガバメント
    /// クラウド, 機構) written into the body's document: never the default base when the body
    /// writes anything else. The parser folds those actors' spellings to these names.
    fn is_shared_actors(&self) -> bool {
        self.actor
            .as_deref()
            .is_some_and(|actor| crate::parse::clean::SHARED_ACTORS.contains(&actor))
    }
}

/// Runs a comparison: the rows of the slot (matching `q` if given), the base text first, then
/// the others in reading order, each with its sentences aligned to the base text's. Which rows
/// there are, their bodies and answers, and how widely each sentence is shared come from the
/// comparison table written at ingest, so the cost of a page does not grow with the number of
/// bodies.
pub fn compare(
    index: &SearchIndex,
    request: &CompareRequest,
) -> Result<CompareResponse, CompareError> {
    let (slot, limit) = slot_and_page_size(request, DEFAULT_COMPARE_ROWS, MAX_COMPARE_ROWS)?;
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
    let ChosenBase {
        base,
        base_records,
        base_texts,
        base_position,
    } = &chosen;
    let base_sentences = chosen.sentences();
    let base_text = base_position.map(|position| base_texts[position].clone());
    let base_record = base_position.map(|position| &base_records[position]);
    let base_key = base_record.map(|record| row_key(&record.id));

    // The base row first, then the others in reading order.
    let ordered: Vec<&TableRow> = rows
        .iter()
        .filter(|row| Some(row.key) == base_key)
        .chain(rows.iter().filter(|row| Some(row.key) != base_key))
        .collect();

    if offset > 0 && offset >= ordered.len() {
        return Err(CompareError::OffsetPastEnd {
            offset,
            total: ordered.len(),
        });
    }
    let mut page = Vec::with_capacity(limit.min(rows.len()));
    for row in ordered.into_iter().skip(offset).take(limit) {
        // The base row too: it is one of the rows that matched, keyed when it was chosen.
        let Some(keyed) = keyed_record(&matching, row.key)? else {
            continue;
        };
        let body = table.body(row.body).to_string();
        let is_base_row = Some(row.key) == base_key;
        page.push(compare_row(
            &keyed,
            body,
            is_base_row,
            &chosen,
            &base_sentences,
            table,
        ));
    }

    let (choices, ratings) = answers_of(table, &rows, &request.slot);

    Ok(CompareResponse {
        jimu,
        jimu_from_base,
        slot: slot.key.to_string(),
        slot_label: slot.label.to_string(),
        base: base.clone(),
        base_text,
        base_texts: base_texts.clone(),
        total: rows.len(),
        offset,
        limit,
        bodies: bodies
            .iter()
            .map(|&body| table.body(body).to_string())
            .collect(),
        rows: page,
        choices,
        ratings,
    })
}

/// One row compared with the base: its sentences with how widely each is shared, aligned to
/// the base text (or, for a shared actor's text, to the base body's text of that actor).
fn compare_row(
    keyed: &keyed::KeyedRecord,
    body: String,
    is_base_row: bool,
    chosen: &ChosenBase,
    base_sentences: &[KeyedSentences],
    table: &ComparisonTable,
) -> CompareRow {
    let (base_records, base_position) = (&chosen.base_records, chosen.base_position);
    let base_record = chosen.record();
    let record = &keyed.record;
    let record_slot = record.slot.clone().unwrap_or_default();
    let own_sentences = &keyed.sentences;
    let sentences: Vec<SharedSentence> = own_sentences
        .sentences
        .iter()
        .zip(&own_sentences.keys)
        .map(|(sentence, key)| SharedSentence {
            text: sentence.clone(),
            // The table counts the row's own body among the writers.
            shared_by: table
                .writers(
                    &record_slot,
                    &body_sentence_key_keyed(sentence, &record.municipality, key),
                )
                .saturating_sub(1),
        })
        .collect();
    // A shared actor's text (中間サーバー・プラットフォーム) is compared with the base body's
    // text of the same actor when it writes one: comparing it with the body's own measures
    // would only say that every sentence differs.
    let counterpart = match base_record {
        Some(chosen) if record.actor.is_some() && record.actor != chosen.actor => {
            let same_actor =
                |candidate: &Record| candidate.actor == record.actor && candidate.id != record.id;
            base_records
                .iter()
                .position(|candidate| {
                    same_actor(candidate) && candidate.file_name == record.file_name
                })
                .or_else(|| base_records.iter().position(same_actor))
                .or(base_position)
        }
        _ => base_position,
    };
    let comparable = !is_base_row
        && counterpart.is_some()
        && !record.text.is_empty()
        && record.change.as_deref() != Some("削除");
    let aligned = if let Some(counterpart) = counterpart.filter(|_| comparable) {
        // The row's sentences come out once each and in order, the base's missing ones
        // between them: each takes its sharing count from `sentences`.
        let mut shared_counts = sentences.iter().map(|sentence| sentence.shared_by);
        align_keyed(&base_sentences[counterpart], own_sentences)
            .into_iter()
            .map(|mut sentence| {
                if sentence.alignment != Alignment::Missing {
                    sentence.shared_by = shared_counts.next().unwrap_or_default();
                }
                sentence
            })
            .collect()
    } else {
        Vec::new()
    };
    CompareRow {
        record: record.clone(),
        body,
        is_base: is_base_row,
        compared_with: counterpart
            .filter(|_| comparable)
            .map(|counterpart| chosen.base_texts[counterpart].label.clone()),
        aligned,
        sentences,
    }
}

/// The slot a comparison names (refused when the form has none) and its page size: `default`
/// when the request does not say, 1 to `max`.
fn slot_and_page_size(
    request: &CompareRequest,
    default: usize,
    max: usize,
) -> Result<(&'static form::Slot, usize), CompareError> {
    let slot = form::slot_by_key(&request.slot)
        .ok_or_else(|| SearchError::UnknownSlot(request.slot.clone()))?;
    let limit = match request.limit {
        None => default,
        Some(0) => return Err(SearchError::LimitZero.into()),
        Some(limit) if limit > max => return Err(CompareError::LimitTooLarge { limit, max }),
        Some(limit) => limit,
    };
    Ok((slot, limit))
}

/// The rows of a comparison's slot that match its query and filters, in reading order.
fn slot_rows(
    index: &SearchIndex,
    request: &CompareRequest,
) -> Result<(crate::search::rows::MatchingRows, Vec<TableRow>), CompareError> {
    let matching = index.matching_rows(&request.filters())?;
    let rows: Vec<TableRow> = matching
        .table()
        .rows_of_slot(&request.slot)
        .into_iter()
        .filter(|row| matching.contains(row.key))
        .collect();
    Ok((matching, rows))
}

/// The record of a row that matched a comparison, keyed, as the generation keeps it (see
/// [`keyed`]); `None` when the row did not match.
fn keyed_record(
    matching: &crate::search::rows::MatchingRows,
    key: u64,
) -> Result<Option<Arc<keyed::KeyedRecord>>, CompareError> {
    if !matching.contains(key) {
        return Ok(None);
    }
    Ok(matching
        .table()
        .keyed_records()
        .get_or_read(key, || matching.record(key))?)
}

/// A comparison's rows and base: the rows of the slot under the filters, kept within the
/// base document's 事務 unless the request names one (or `all`), and the base chosen among
/// them.
struct ScopedRows {
    matching: crate::search::rows::MatchingRows,
    rows: Vec<TableRow>,
    bodies: Vec<u32>,
    chosen: ChosenBase,
    jimu: Option<String>,
    jimu_from_base: bool,
}

fn scoped_rows(
    index: &SearchIndex,
    request: &CompareRequest,
    documents: &SearchDocuments,
) -> Result<ScopedRows, CompareError> {
    let (matching, mut rows) = slot_rows(index, request)?;
    let first_choice = choose_base(request, &matching, &rows, &bodies_in_order(&rows))?;
    let (jimu, jimu_from_base) = within_base_jimu(request, &first_choice, documents, &mut rows);
    let bodies = bodies_in_order(&rows);
    // The base's texts within its 事務 (its other 事務's texts are no longer compared).
    let chosen = if jimu_from_base {
        choose_base(request, &matching, &rows, &bodies)?
    } else {
        first_choice
    };
    Ok(ScopedRows {
        matching,
        rows,
        bodies,
        chosen,
        jimu,
        jimu_from_base,
    })
}

/// The 事務 a comparison stays within: the one asked for, or by default the base document's
/// (住基 compared with 住基); `jimu=all` compares every 事務. Rows of other 事務 are dropped.
fn within_base_jimu(
    request: &CompareRequest,
    chosen: &ChosenBase,
    documents: &SearchDocuments,
    rows: &mut Vec<TableRow>,
) -> (Option<String>, bool) {
    match request.jimu.as_deref() {
        Some("all") => return (None, false),
        Some(jimu) if !jimu.is_empty() => return (Some(jimu.to_string()), false),
        _ => {}
    }
    let Some(base_jimu) = chosen
        .record()
        .and_then(|record| record.jimu_category.clone().or_else(|| record.jimu.clone()))
    else {
        return (None, false);
    };
    rows.retain(|row| documents.jimu_of(u64::from(row.document)) == Some(base_jimu.as_str()));
    (Some(base_jimu), true)
}

/// Every body with a row, in reading order (rows are in body order, so each body's rows are
/// together).
fn bodies_in_order(rows: &[TableRow]) -> Vec<u32> {
    let mut bodies: Vec<u32> = Vec::new();
    for row in rows {
        if bodies.last() != Some(&row.body) {
            bodies.push(row.body);
        }
    }
    bodies
}

/// The base body, its texts of the slot, and which of them is the base text.
struct ChosenBase {
    base: Option<String>,
    base_records: Vec<Record>,
    base_texts: Vec<BaseText>,
    base_position: Option<usize>,
}

impl ChosenBase {
    /// Each base text's sentences, split and keyed once for every row compared with it.
    fn sentences(&self) -> Vec<KeyedSentences> {
        self.base_records
            .iter()
            .map(|record| KeyedSentences::new(sentences_of(&record.text)))
            .collect()
    }

    pub(crate) fn record(&self) -> Option<&Record> {
        self.base_position
            .map(|position| &self.base_records[position])
    }
}

/// Chooses the base: the requested body (and text), or by default the first body that writes
/// a text, and its own measure among its texts.
fn choose_base(
    request: &CompareRequest,
    matching: &crate::search::rows::MatchingRows,
    rows: &[TableRow],
    bodies: &[u32],
) -> Result<ChosenBase, CompareError> {
    let table = matching.table();
    // The base body's texts (an item answered only by its choice has none, a removed measure
    // is no longer anyone's wording); one of them is the base text.
    let texts_of = |base: &str| -> Result<Vec<Record>, CompareError> {
        let mut texts = Vec::new();
        for row in rows
            .iter()
            .filter(|row| !row.deleted && is_base(table.body(row.body), base))
            .take(MAX_BASE_ROWS)
        {
            if let Some(keyed) = keyed_record(matching, row.key)?
                && !keyed.record.text.is_empty()
            {
                texts.push(keyed.record.clone());
            }
        }
        Ok(texts)
    };
    // 「札幌市（北海道）」 from a link is 札幌市; 「池田町」 stays ambiguous (its namesakes listed).
    let requested_base = request.base.as_deref().map(|base| {
        match &crate::bodies::LocalBodies::bundled().labels_named(base)[..] {
            [label] => label.clone(),
            _ => base.trim().to_string(),
        }
    });
    let (base, base_records) = match &requested_base {
        Some(base) => {
            if !bodies.iter().any(|&body| is_base(table.body(body), base)) {
                let available: BTreeSet<&str> =
                    bodies.iter().map(|&body| table.body(body)).collect();
                return Err(CompareError::UnknownBase {
                    base: base.clone(),
                    slot: request.slot.clone(),
                    available: listed_briefly(&available.into_iter().collect::<Vec<_>>()),
                });
            }
            (Some(base.clone()), texts_of(base)?)
        }
        // By default the first body that writes a text: a 基礎項目評価書 answers a risk with its
        // 評価 alone, which nothing can be compared with.
        None => {
            let mut chosen = (
                bodies.first().map(|&body| table.body(body).to_string()),
                Vec::new(),
            );
            for &body in bodies.iter().take(MAX_BASE_CANDIDATES) {
                let texts = texts_of(table.body(body))?;
                if !texts.is_empty() {
                    chosen = (Some(table.body(body).to_string()), texts);
                    break;
                }
            }
            chosen
        }
    };
    let mut base_texts: Vec<BaseText> = base_records
        .iter()
        .map(|record| BaseText::of(record, &body_of(record)))
        .collect();
    make_labels_unique(&mut base_texts, &base_records);
    let base_position = match &request.base_record {
        Some(id) => Some(
            base_texts
                .iter()
                .position(|text| &text.id == id)
                .ok_or_else(|| CompareError::UnknownBaseRecord(id.clone()))?,
        ),
        // The body's own measure before another actor's, a nationally shared actor's last;
        // among those, the text of the fullest assessment: a body's 予防接種 変更点リスク評価表
        // was the base of 札幌市 at a million records (its first text), and its 事務 then
        // narrowed the comparison to five bodies instead of its 住民基本台帳 全項目評価書's.
        None => {
            let tier = |text: &BaseText| {
                if text.is_bodys_own() {
                    0
                } else if !text.is_shared_actors() {
                    1
                } else {
                    2
                }
            };
            base_texts
                .iter()
                .zip(&base_records)
                .enumerate()
                .min_by_key(|(position, (text, record))| {
                    (tier(text), fullness_of(&record.doc_type), *position)
                })
                .map(|(position, _)| position)
        }
    };
    Ok(ChosenBase {
        base,
        base_records,
        base_texts,
        base_position,
    })
}

/// How fully a kind of document writes a slot's measures, fullest first: a 全項目評価書 in
/// full, a 重点項目評価書 in part, a 基礎項目評価書 mostly by its ratings, a change table
/// (変更点リスク評価表, 新旧対照表) only what changed.
fn fullness_of(doc_type: &str) -> u8 {
    match doc_type {
        "全項目評価書" => 0,
        "重点項目評価書" => 1,
        "基礎項目評価書" => 2,
        _ => 3,
    }
}

/// Base texts that would read alike (one body, file and actor, in two documents or fields)
/// get their field, then their document's file, in their label.
fn make_labels_unique(texts: &mut [BaseText], records: &[Record]) {
    let repeated = |texts: &[BaseText], position: usize| {
        texts
            .iter()
            .filter(|text| text.label == texts[position].label)
            .count()
            > 1
    };
    for position in 0..texts.len() {
        if repeated(texts, position)
            && let Some(field) = &records[position].field
        {
            let label = format!("{} ・ {field}", texts[position].label);
            texts[position].label = label;
        }
    }
    for position in 0..texts.len() {
        if repeated(texts, position) {
            let record = &records[position];
            let label = format!(
                "{} ・ {}{}",
                texts[position].label,
                record.source.file,
                record
                    .doc_date
                    .as_deref()
                    .map(|date| format!("（{date}）"))
                    .unwrap_or_default()
            );
            texts[position].label = label;
        }
    }
    // Still alike (two texts of one field in one file): number them.
    for position in 0..texts.len() {
        if repeated(texts, position) {
            let label = format!(
                "{} ・ {}行目",
                texts[position].label, records[position].source.line
            );
            texts[position].label = label;
        }
    }
}

/// The item's own 選択 (rows of the slot itself) and the risk's 評価 (every row below it),
/// each answer with the bodies giving it.
fn answers_of(
    table: &ComparisonTable,
    rows: &[TableRow],
    slot: &str,
) -> (Vec<AnswerTally>, Vec<AnswerTally>) {
    let choices = tally(
        table,
        rows.iter().filter(|row| table.slot_key(row.slot) == slot),
        TableRow::choice_and_print,
    );
    let ratings = tally(table, rows.iter(), TableRow::rating_alone);
    (choices, ratings)
}

/// Each answer with the bodies giving it: a body is counted once per answer however many
/// files and rows give it, with those files listed (and the answer as printed, where folding
/// changed it). `answer_of` gives a row's answer and its print. Answers in the order of the
/// form's options where known.
pub fn tally<'a>(
    table: &ComparisonTable,
    rows: impl Iterator<Item = &'a TableRow>,
    answer_of: impl Fn(&TableRow) -> Option<(u32, Option<u32>)>,
) -> Vec<AnswerTally> {
    // Per answer, per body: the files giving it and the prints folded into it.
    type FilesAndPrints = (BTreeSet<String>, BTreeSet<String>);
    let mut by_answer: BTreeMap<u32, BTreeMap<u32, FilesAndPrints>> = BTreeMap::new();
    for row in rows {
        let Some((answer, printed_as)) = answer_of(row) else {
            continue;
        };
        let (files, printed) = by_answer
            .entry(answer)
            .or_default()
            .entry(row.body)
            .or_default();
        let file = table.file(row.file);
        if !file.is_empty() {
            files.insert(file.to_string());
        }
        if let Some(printed_as) = printed_as {
            printed.insert(table.answer(printed_as).to_string());
        }
    }
    let mut tallies: Vec<AnswerTally> = by_answer
        .into_iter()
        .map(|(answer, bodies)| AnswerTally {
            answer: table.answer(answer).to_string(),
            bodies: bodies
                .into_iter()
                .map(|(body, (files, printed))| AnsweringBody {
                    body: table.body(body).to_string(),
                    files: files.into_iter().collect(),
                    printed: printed.into_iter().collect(),
                })
                .collect(),
        })
        .collect();
    tallies.sort_by_key(|tally| (answer_rank(&tally.answer), tally.answer.clone()));
    tallies
}

/// Where an answer stands among the form's options (特に力を入れて… first), unknown ones last.
pub(crate) fn answer_rank(answer: &str) -> usize {
    form::RATINGS
        .iter()
        .position(|rating| *rating == answer)
        .or_else(|| {
            form::OPTION_SETS
                .iter()
                .find_map(|set| set.iter().position(|option| *option == answer))
        })
        .unwrap_or(usize::MAX)
}

/// Similarity from which two sentences are taken for the same sentence reworded: below it
/// they are different sentences, and a character diff between them would only weave the two
/// texts together.
pub const ALIGNED_SENTENCE: f64 = 0.5;

/// Sentences keyed once to align many texts to them (a comparison's base, a group's text): each
/// sentence's [`sentence_key`] and the key's sorted character pairs.
#[derive(Debug)]
pub struct KeyedSentences {
    sentences: Vec<String>,
    keys: Vec<String>,
    pairs: Vec<Vec<(char, char)>>,
}

impl KeyedSentences {
    pub fn new(sentences: Vec<String>) -> KeyedSentences {
        let keys: Vec<String> = sentences
            .iter()
            .map(|sentence| sentence_key(sentence))
            .collect();
        let pairs = keys.iter().map(|key| sorted_pairs(key)).collect();
        KeyedSentences {
            sentences,
            keys,
            pairs,
        }
    }
}

fn sorted_pairs(key: &str) -> Vec<(char, char)> {
    let mut pairs = form::bigram_pairs(key);
    pairs.sort_unstable();
    pairs
}

/// [`form::wording_similarity`] of two keys from their sorted pairs; 0 where the pairs' counts
/// alone show that it stays below [`ALIGNED_SENTENCE`] (Dice shares at most the shorter key's
/// pairs).
fn key_similarity(
    (left, left_pairs): (&str, &[(char, char)]),
    (right, right_pairs): (&str, &[(char, char)]),
) -> f64 {
    if left == right {
        return 1.0;
    }
    if left_pairs.is_empty() || right_pairs.is_empty() {
        return 0.0;
    }
    let (short, long) = (
        left_pairs.len().min(right_pairs.len()),
        left_pairs.len().max(right_pairs.len()),
    );
    if (2 * short) as f64 / ((short + long) as f64) < ALIGNED_SENTENCE {
        return 0.0;
    }
    form::sorted_pairs_dice(left_pairs, right_pairs)
}

/// Aligns a row's sentences to the base's (see [`align_to`]).
pub fn align_sentences(base: &[String], row: &[String]) -> Vec<AlignedSentence> {
    align_to(&KeyedSentences::new(base.to_vec()), row)
}

/// Aligns a row's sentences to the base's: the most similar pairs first, each sentence in at
/// most one pair, pairs below [`ALIGNED_SENTENCE`] not made. A pair that differs gets a
/// character diff; a row sentence without a pair is the row's own wording; a base sentence
/// without a pair is missing from the row and stands after the row sentence aligned with the
/// base sentence before it. When no sentence aligns at all, the texts say different things
/// and the base's sentences are not listed as missing: the row is shown whole.
pub fn align_to(keyed_base: &KeyedSentences, row: &[String]) -> Vec<AlignedSentence> {
    align_keyed(keyed_base, &KeyedSentences::new(row.to_vec()))
}

/// [`align_to`] with the row's sentences keyed by the caller, who needs their keys too.
fn align_keyed(keyed_base: &KeyedSentences, keyed_row: &KeyedSentences) -> Vec<AlignedSentence> {
    let (base, base_keys) = (&keyed_base.sentences, &keyed_base.keys);
    let (row, row_keys) = (&keyed_row.sentences, &keyed_row.keys);
    let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
    for (row_position, row_key) in row_keys.iter().enumerate() {
        let row_pairs = &keyed_row.pairs[row_position];
        for (base_position, base_key) in base_keys.iter().enumerate() {
            let similarity = key_similarity(
                (row_key, row_pairs),
                (base_key, &keyed_base.pairs[base_position]),
            );
            if similarity >= ALIGNED_SENTENCE {
                candidates.push((similarity, row_position, base_position));
            }
        }
    }
    // Most similar first; ties keep reading order, so a repeated sentence pairs in order.
    candidates.sort_by(|left, right| {
        right
            .0
            .total_cmp(&left.0)
            .then(left.1.cmp(&right.1))
            .then(left.2.cmp(&right.2))
    });
    let mut pair_of_row: Vec<Option<(usize, f64)>> = vec![None; row.len()];
    let mut base_taken = vec![false; base.len()];
    for (similarity, row_position, base_position) in candidates {
        if pair_of_row[row_position].is_some() || base_taken[base_position] {
            continue;
        }
        pair_of_row[row_position] = Some((base_position, similarity));
        base_taken[base_position] = true;
    }

    let unaligned = |text: &String, alignment| AlignedSentence {
        alignment,
        text: text.clone(),
        base: None,
        ops: Vec::new(),
        similarity: 0.0,
        shared_by: 0,
    };
    let any_pair = pair_of_row.iter().any(Option::is_some);
    // Missing base sentences, each after the row sentence paired with the nearest earlier
    // base sentence (position 0: before every row sentence).
    let mut missing_after: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    if any_pair {
        for (base_position, taken) in base_taken.iter().enumerate() {
            if *taken {
                continue;
            }
            let anchor = (0..base_position).rev().find_map(|earlier| {
                pair_of_row
                    .iter()
                    .position(|pair| pair.is_some_and(|(paired, _)| paired == earlier))
                    .map(|row_position| row_position + 1)
            });
            missing_after
                .entry(anchor.unwrap_or(0))
                .or_default()
                .push(base_position);
        }
    }
    let mut aligned = Vec::with_capacity(row.len() + base.len());
    for slot in 0..=row.len() {
        for &base_position in missing_after.get(&slot).into_iter().flatten() {
            aligned.push(unaligned(&base[base_position], Alignment::Missing));
        }
        let Some(text) = row.get(slot) else {
            break;
        };
        match pair_of_row[slot] {
            None => aligned.push(unaligned(text, Alignment::Own)),
            Some((base_position, similarity)) => {
                let base_text = &base[base_position];
                let same = row_keys[slot] == base_keys[base_position];
                aligned.push(AlignedSentence {
                    alignment: if same {
                        Alignment::Same
                    } else {
                        Alignment::Changed
                    },
                    text: text.clone(),
                    base: Some(base_text.clone()),
                    ops: if same {
                        Vec::new()
                    } else {
                        wording_diff(base_text, text)
                    },
                    similarity: (similarity * 100.0).round() / 100.0,
                    shared_by: 0,
                });
            }
        }
    }
    aligned
}

/// The leading list mark or number of a sentence (「1 」「・」「①」「(2)」) and the rest.
fn split_list_mark(sentence: &str) -> (&str, &str) {
    let rest = sentence.trim_start_matches(|c: char| {
        c.is_ascii_digit()
            || c.is_whitespace()
            || ('①'..='⑳').contains(&c)
            || matches!(
                c,
                '・' | '(' | ')' | '（' | '）' | '.' | '．' | '-' | '※' | '　'
            )
    });
    sentence.split_at(sentence.len() - rest.len())
}

/// The diff of two aligned sentences' wording: their list marks and numbers are not wording
/// (「1 」 against 「・」), so the row's mark is kept as it is and only the rest is diffed.
fn wording_diff(base: &str, text: &str) -> Vec<DiffOp> {
    let (_, base_rest) = split_list_mark(base);
    let (mark, rest) = split_list_mark(text);
    let mut ops = Vec::new();
    if !mark.is_empty() {
        ops.push(DiffOp {
            op: "equal".to_string(),
            text: mark.to_string(),
        });
    }
    for op in diff_ops(base_rest, rest) {
        match ops.last_mut() {
            Some(last) if last.op == op.op => last.text.push_str(&op.text),
            _ => ops.push(op),
        }
    }
    ops
}

/// Character-level diff from `base` to `text`, adjacent changes of one kind merged.
///
/// The sentences a comparison diffs are alike (a few characters apart): the characters they
/// share at both ends are equal as they stand, and only what lies between is diffed. Patience
/// first hashes every character of both sides, most of a comparison's diffing time.
pub fn diff_ops(base: &str, text: &str) -> Vec<DiffOp> {
    let prefix = common_prefix_len(base, text);
    let suffix = common_suffix_len(&base[prefix..], &text[prefix..]);
    let (base_middle, text_middle) = (
        &base[prefix..base.len() - suffix],
        &text[prefix..text.len() - suffix],
    );
    let mut ops: Vec<DiffOp> = Vec::new();
    let mut push = |op: &str, value: &str| match ops.last_mut() {
        Some(last) if last.op == op => last.text.push_str(value),
        _ => ops.push(DiffOp {
            op: op.to_string(),
            text: value.to_string(),
        }),
    };
    if prefix > 0 {
        push("equal", &base[..prefix]);
    }
    let diff = TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .diff_chars(base_middle, text_middle);
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            ChangeTag::Equal => "equal",
            ChangeTag::Insert => "insert",
            ChangeTag::Delete => "delete",
        };
        push(op, change.value());
    }
    if suffix > 0 {
        push("equal", &base[base.len() - suffix..]);
    }
    ops
}

/// Bytes of the characters `left` and `right` begin with alike.
fn common_prefix_len(left: &str, right: &str) -> usize {
    left.char_indices()
        .zip(right.chars())
        .find(|((_, left_char), right_char)| left_char != right_char)
        .map_or(left.len().min(right.len()), |((at, _), _)| at)
}

/// Bytes of the characters `left` and `right` end with alike.
fn common_suffix_len(left: &str, right: &str) -> usize {
    let mut length = 0;
    for (left_char, right_char) in left.chars().rev().zip(right.chars().rev()) {
        if left_char != right_char {
            break;
        }
        length += left_char.len_utf8();
    }
    length
}

/// Sentences of a text: split after 「。」 and at line breaks, blanks dropped.
pub fn sentences_of(text: &str) -> Vec<String> {
    let mut sentences = Vec::new();
    for line in text.lines() {
        let mut current = String::new();
        for character in line.chars() {
            current.push(character);
            if character == '。' {
                push_sentence(&mut sentences, &current);
                current.clear();
            }
        }
        push_sentence(&mut sentences, &current);
    }
    sentences
}

fn push_sentence(sentences: &mut Vec<String>, sentence: &str) {
    let trimmed = sentence.trim();
    if trimmed.chars().any(char::is_alphanumeric) {
        sentences.push(trimmed.to_string());
    }
}

/// A sentence as compared: normalised, without its list mark or number (「・」「①」「1 」) and
/// without spaces and the closing 「。」.
pub fn sentence_key(sentence: &str) -> String {
    let normalized = crate::analysis::normalize(sentence);
    let text = normalized.as_str().trim_start_matches(|c: char| {
        c.is_ascii_digit() || c.is_whitespace() || matches!(c, '・' | '(' | ')' | '.' | '-' | '※')
    });
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '。')
        .collect()
}

/// What stands for a body's own name in a sentence many bodies write, as the page shows it.
const BODY_NAME_SHOWN: &str = "（団体名）";

/// What stands for a body's own name in a sentence's key: 「札幌市では…」 and 「熊本県では…」
/// are the same wording with the name filled in.
const BODY_NAME_PLACEHOLDER: &str = "〈団体〉";

/// A sentence's key as written by `municipality`: [`sentence_key`] with the body's own name
/// (and so its organ: 札幌市長) and the words by which a body names itself (当市, 本町, 当区 …)
/// replaced by one placeholder, so that shared wording with the name filled in counts as shared
/// (and a body's name does not make thousands of near-identical keys to group).
pub fn body_sentence_key(sentence: &str, municipality: &str) -> String {
    if !names_a_body(sentence, municipality) {
        return sentence_key(sentence);
    }
    body_sentence_key_named(sentence, municipality)
}

/// [`body_sentence_key`] of a sentence whose [`sentence_key`] is already known.
fn body_sentence_key_keyed(sentence: &str, municipality: &str, key: &str) -> String {
    if !names_a_body(sentence, municipality) {
        return key.to_string();
    }
    body_sentence_key_named(sentence, municipality)
}

/// Whether a sentence names `municipality` or a body by how it names itself (当市, 本町 …).
fn names_a_body(sentence: &str, municipality: &str) -> bool {
    names_its_body(sentence, municipality)
        || SELF_REFERENCES
            .iter()
            .any(|reference| sentence.contains(reference))
}

/// Whether a sentence holds the name of `municipality` (a body with a name).
fn names_its_body(sentence: &str, municipality: &str) -> bool {
    !municipality.is_empty() && municipality != UNNAMED_BODY && sentence.contains(municipality)
}

/// The key of a sentence that names a body: the name and self-references as the placeholder.
fn body_sentence_key_named(sentence: &str, municipality: &str) -> String {
    let mut replaced = if names_its_body(sentence, municipality) {
        sentence.replace(municipality, BODY_NAME_PLACEHOLDER)
    } else {
        sentence.to_string()
    };
    for reference in SELF_REFERENCES {
        if replaced.contains(reference) {
            replaced = replaced.replace(reference, BODY_NAME_PLACEHOLDER);
        }
    }
    sentence_key(&replaced)
}

/// How a body names itself in its own text.
const SELF_REFERENCES: [&str; 14] = [
    "当市", "当区", "当町", "当村", "当県", "当都", "当府", "本市", "本区", "本町", "本村", "本県",
    "本都", "本府",
];

/// The sentences of a comparison and the bodies that write each, with near-identical wording
/// (see [`same_sentence`]) grouped. Pairs are found by prefix filtering rather than by
/// comparing every sentence with every other: two sentences that similar share most of their
/// character pairs, so they share at least one among the rarest quarter of either's pairs.
/// Only those candidates are compared, which keeps a slot across thousands of bodies cheap.
struct SharedSentences {
    /// The distinct sentence keys, and per key the bodies (by number) that write it.
    keys: Vec<String>,
    bodies: Vec<BTreeSet<u32>>,
    /// Per key, the keys (by position) worded the same (itself excluded).
    similar: Vec<Vec<u32>>,
}

/// Similarity checks one table build may spend on finding near-identical sentences. The
/// prefix filter makes them few on real wording; a corpus where thousands of sentences differ
/// by a character or two (a body's code in each) would otherwise take quadratic time. Past the
/// budget, sentences are grouped only when identical.
pub const SIMILARITY_BUDGET: usize = 20_000_000;

impl SharedSentences {
    /// Groups the sentence keys of one slot, each with the bodies (by number) that write it,
    /// spending at most `budget` similarity checks (decremented).
    fn new(bodies: HashMap<String, BTreeSet<u32>>, budget: &mut usize) -> SharedSentences {
        let (keys, bodies): (Vec<String>, Vec<BTreeSet<u32>>) = bodies.into_iter().unzip();
        // Each key as a set of (pair, occurrence) tokens, so multiset overlap is set overlap.
        let tokens: Vec<Vec<((char, char), u32)>> = keys
            .iter()
            .map(|key| {
                let mut seen: HashMap<(char, char), u32> = HashMap::new();
                form::bigram_pairs(key)
                    .into_iter()
                    .map(|pair| {
                        let occurrence = seen.entry(pair).or_default();
                        *occurrence += 1;
                        (pair, *occurrence)
                    })
                    .collect()
            })
            .collect();
        let mut frequency: HashMap<((char, char), u32), u32> = HashMap::new();
        for token in tokens.iter().flatten() {
            *frequency.entry(*token).or_default() += 1;
        }
        // Candidates: keys sharing a token among their rarest ones. Dice ≥ 0.9 with lengths
        // within 70 % of each other means an overlap of at least 76 % of either set (less a
        // pair for short keys), so a prefix of 30 % of the set plus one cannot miss a similar
        // pair (the prefix-filtering lemma of set-similarity joins).
        let mut prefixes: Vec<Vec<((char, char), u32)>> = Vec::with_capacity(keys.len());
        let mut by_token: HashMap<((char, char), u32), Vec<u32>> = HashMap::new();
        for (position, key_tokens) in tokens.into_iter().enumerate() {
            let mut ordered = key_tokens;
            ordered.sort_by_key(|token| (frequency[token], *token));
            let prefix = ordered.len() - ordered.len() * 7 / 10 + 1;
            ordered.truncate(prefix);
            for token in &ordered {
                by_token.entry(*token).or_default().push(position as u32);
            }
            prefixes.push(ordered);
        }
        // Each candidate pair is checked once, from its lower position; `checked_for` marks
        // the candidates already checked for the current key (no set of all pairs is kept).
        let mut similar: Vec<Vec<u32>> = vec![Vec::new(); keys.len()];
        let mut checked_for: Vec<u32> = vec![u32::MAX; keys.len()];
        'keys: for (left, prefix) in prefixes.iter().enumerate() {
            for token in prefix {
                for &right in &by_token[token] {
                    let right_position = right as usize;
                    if right_position <= left || checked_for[right_position] == left as u32 {
                        continue;
                    }
                    checked_for[right_position] = left as u32;
                    if *budget == 0 {
                        break 'keys;
                    }
                    *budget -= 1;
                    if same_sentence(&keys[left], &keys[right_position]) {
                        similar[left].push(right);
                        similar[right_position].push(left as u32);
                    }
                }
            }
        }
        SharedSentences {
            keys,
            bodies,
            similar,
        }
    }

    fn keys(&self) -> &[String] {
        &self.keys
    }

    /// How many bodies write the key at `position` or one worded the same (the writer of the
    /// sentence itself included).
    fn writers_at(&self, position: usize) -> usize {
        let mut writers: BTreeSet<u32> = self.bodies[position].clone();
        for &other in &self.similar[position] {
            writers.extend(self.bodies[other as usize].iter().copied());
        }
        writers.len()
    }
}

fn same_sentence(left: &str, right: &str) -> bool {
    if left == right {
        return true;
    }
    let (short, long) = if left.len() <= right.len() {
        (left, right)
    } else {
        (right, left)
    };
    // Very short fragments (「—」, 「以下同じ」) are not wording anyone shares meaningfully.
    if short.chars().count() < 8 || short.len() * 10 < long.len() * 7 {
        return false;
    }
    form::wording_similarity(left, right) >= SAME_SENTENCE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_filtering_finds_exactly_the_pairs_that_comparing_all_pairs_finds() {
        // Every sentence of the five samples, each body its own: the fast grouping must agree
        // with comparing every sentence with every other.
        let corpus = crate::corpus::load_corpus(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"),
        )
        .expect("the samples load");
        let mut sentences: Vec<(u32, String)> = Vec::new();
        for (body, document) in corpus.documents.iter().enumerate() {
            for record in
                crate::parse::parse_document(&document.meta, &document.text).expect("parses")
            {
                for sentence in sentences_of(&record.text) {
                    sentences.push((body as u32, sentence_key(&sentence)));
                }
            }
        }
        let mut bodies: HashMap<String, BTreeSet<u32>> = HashMap::new();
        for (body, key) in &sentences {
            bodies.entry(key.clone()).or_default().insert(*body);
        }
        let mut budget = SIMILARITY_BUDGET;
        let shared = SharedSentences::new(bodies, &mut budget);
        let position: HashMap<&str, usize> = shared
            .keys()
            .iter()
            .enumerate()
            .map(|(position, key)| (key.as_str(), position))
            .collect();
        let mut checked = 0;
        for (body, key) in &sentences {
            let brute_force: BTreeSet<u32> = sentences
                .iter()
                .filter(|(other_body, other_key)| {
                    other_body != body && same_sentence(key, other_key)
                })
                .map(|(other_body, _)| *other_body)
                .collect();
            // The writers include the sentence's own body.
            assert_eq!(
                shared.writers_at(position[key.as_str()]),
                brute_force.len() + 1,
                "{key}"
            );
            checked += 1;
        }
        assert!(checked > 500, "{checked} sentences");
        assert!(
            shared.similar.iter().map(Vec::len).sum::<usize>() > 0,
            "some near-identical pairs exist"
        );
        assert!(budget > 0, "the samples stay within the similarity budget");
    }

    #[test]
    fn sentences_keyed_once_align_as_sentences_compared_pair_by_pair() {
        // The samples' sentences, every pair: the similarity from sorted pairs kept per
        // sentence is the one the parser's Dice gives wherever a pair can be aligned, and
        // below the bar wherever it cannot.
        let corpus = crate::corpus::load_corpus(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"),
        )
        .expect("the samples load");
        let mut sentences: Vec<String> = Vec::new();
        for document in &corpus.documents {
            for record in
                crate::parse::parse_document(&document.meta, &document.text).expect("parses")
            {
                sentences.extend(sentences_of(&record.text));
            }
        }
        sentences.truncate(300);
        let keyed = KeyedSentences::new(sentences);
        let mut aligned_pairs = 0;
        for (left, left_pairs) in keyed.keys.iter().zip(&keyed.pairs) {
            for (right, right_pairs) in keyed.keys.iter().zip(&keyed.pairs) {
                let one_by_one = form::wording_similarity(left, right);
                let kept = key_similarity((left, left_pairs), (right, right_pairs));
                if one_by_one >= ALIGNED_SENTENCE {
                    assert_eq!(kept, one_by_one, "{left} / {right}");
                    aligned_pairs += 1;
                } else {
                    assert!(kept < ALIGNED_SENTENCE, "{left} / {right}");
                }
            }
        }
        assert!(aligned_pairs > 300, "{aligned_pairs} pairs align");
    }

    fn strings(sentences: &[&str]) -> Vec<String> {
        sentences
            .iter()
            .map(|sentence| sentence.to_string())
            .collect()
    }

    #[test]
    fn unrelated_sentences_are_shown_whole_never_diffed_into_each_other() {
        let base = strings(&[
            "1 サーバ室は、機械による入退室管理設備を設置し、入退室カード(ICカード)を貸与された者でないと入室できない。",
            "2 磁気ディスクや書類は施錠可能な保管庫で保存している。",
        ]);
        let row = strings(&[
            "・都道府県サーバ集約センターにおいて、監視カメラを設置してサーバ設置場所への入退室者を特定し、管理する。",
            "・熊本県においては、端末設置場所、記録媒体の保管場所を施錠管理する。",
        ]);
        let aligned = align_sentences(&base, &row);
        assert_eq!(
            aligned.len(),
            2,
            "no pair, so the base's are not listed as missing"
        );
        for sentence in &aligned {
            assert_eq!(sentence.alignment, Alignment::Own);
            assert!(sentence.ops.is_empty());
        }
    }

    #[test]
    fn a_reworded_sentence_is_diffed_and_a_missing_one_stands_where_it_was() {
        let base = strings(&[
            "1 サーバ室は、機械による入退室管理設備を設置している。",
            "2 磁気ディスクや書類は施錠可能な保管庫で保存している。",
            "3 電気通信装置(ルータ・HUB)は施錠可能なラックに設置している。",
        ]);
        let row = strings(&[
            "・サーバ室は、機械による入退室管理設備を設置している。",
            "・電気通信装置(ルータ・HUB)は施錠可能なラックに設置している。",
            "・監視カメラを設置している。",
        ]);
        let aligned = align_sentences(&base, &row);
        let kinds: Vec<Alignment> = aligned.iter().map(|sentence| sentence.alignment).collect();
        assert_eq!(
            kinds,
            [
                Alignment::Same,
                Alignment::Missing,
                Alignment::Same,
                Alignment::Own
            ]
        );
        assert!(aligned[1].text.contains("磁気ディスク"));
        // A one-word change inside a pair, its list mark not counted as a change.
        let base = strings(&["1 磁気ディスクや書類は施錠可能な保管庫で保存している。"]);
        let row = strings(&["・磁気ディスクやドキュメント類は施錠可能な保管庫で保存している。"]);
        let aligned = align_sentences(&base, &row);
        assert_eq!(aligned[0].alignment, Alignment::Changed);
        let changed: Vec<&str> = aligned[0]
            .ops
            .iter()
            .filter(|op| op.op != "equal")
            .map(|op| op.text.as_str())
            .collect();
        assert_eq!(changed, ["書", "ドキュメント"]);
    }

    #[test]
    fn a_changed_word_is_one_small_change() {
        let ops = diff_ops(
            "シュレッダーによる裁断若しくは外部業者による溶解処理を行う。",
            "シュレッダーによる細断若しくは外部業者による溶解処理を行う。",
        );
        let changed: Vec<&DiffOp> = ops.iter().filter(|op| op.op != "equal").collect();
        assert_eq!(changed.len(), 2);
        assert_eq!(changed[0].text, "裁");
        assert_eq!(changed[1].text, "細");
    }

    #[test]
    fn a_diff_rebuilds_both_sentences_and_keeps_their_shared_ends_equal() {
        // Sentences of the samples as other bodies write them: a name, a word moved, a tail
        // dropped, nothing shared, one empty.
        let pairs = [
            (
                "庁内システムにおける札幌市CSへのアクセスは既存住基システムに限定している。",
                "庁内システムにおける余市町CSへのアクセスは既存住基システムに限定している。",
            ),
            (
                "法令に基づく事務で使用する情報以外のものとの紐付けは行わない仕様となっている。",
                "法令に基づく事務で使用する以外の情報との紐付けは行わない。",
            ),
            (
                "保管期間経過後は速やかに消去する。",
                "保管期間経過後は速やかに消去する。",
            ),
            ("施錠管理をしている。", "入退室を記録する。"),
            ("", "施錠管理をしている。"),
        ];
        for (base, text) in pairs {
            let ops = diff_ops(base, text);
            let rebuilt = |skipped: &str| -> String {
                ops.iter()
                    .filter(|op| op.op != skipped)
                    .map(|op| op.text.as_str())
                    .collect()
            };
            assert_eq!(rebuilt("insert"), base);
            assert_eq!(rebuilt("delete"), text);
            assert!(
                ops.windows(2).all(|pair| pair[0].op != pair[1].op),
                "adjacent changes of one kind are one: {ops:?}"
            );
            let prefix = common_prefix_len(base, text);
            if prefix > 0 {
                assert_eq!(ops[0].op, "equal");
                assert!(ops[0].text.starts_with(&base[..prefix]), "{ops:?}");
            }
        }
        // A body's name for another's: the change stays within the names.
        let ops = diff_ops(pairs[0].0, pairs[0].1);
        for op in ops.iter().filter(|op| op.op != "equal") {
            let name = if op.op == "delete" {
                "札幌市"
            } else {
                "余市町"
            };
            assert!(op.text.chars().all(|c| name.contains(c)), "{ops:?}");
        }
    }

    #[test]
    fn numbering_and_spacing_do_not_make_a_sentence_different() {
        assert_eq!(
            sentence_key("1 中間サーバー・プラットフォームをデータセンターに構築する。"),
            sentence_key("①中間サーバー・プラットフォームをデータセンターに構築する。")
        );
    }

    #[test]
    fn a_sentence_naming_its_own_body_is_the_same_wording_as_another_body_naming_itself() {
        assert_eq!(
            body_sentence_key("札幌市では、サーバ室を施錠している。", "札幌市"),
            body_sentence_key("熊本県では、サーバ室を施錠している。", "熊本県")
        );
        assert_ne!(
            body_sentence_key("札幌市では、サーバ室を施錠している。", "熊本県"),
            body_sentence_key("熊本県では、サーバ室を施錠している。", "熊本県")
        );
    }

    #[test]
    fn an_error_lists_a_few_bodies_and_counts_the_rest() {
        let names: Vec<String> = (0..25).map(|n| format!("合成{n:04}市")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let listed = listed_briefly(&names);
        assert!(listed.starts_with("合成0000市, 合成0001市"), "{listed}");
        assert!(listed.contains("and 5 more"), "{listed}");
        assert!(!listed.contains("合成0020市"), "{listed}");
        assert_eq!(listed_briefly(&names[..2]), "合成0000市, 合成0001市");
    }

    #[test]
    fn sentences_split_after_the_full_stop_and_at_line_breaks() {
        let sentences = sentences_of("施錠する。記録する。\n・監視する");
        assert_eq!(sentences, vec!["施錠する。", "記録する。", "・監視する"]);
    }
}
