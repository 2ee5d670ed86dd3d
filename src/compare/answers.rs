//! The answers view: for a risk (or every risk), which bodies answered what, one row per body.
//!
//! Columns are the risks' 評価 (「リスクへの対策は十分か」) and, for one risk or item, the
//! items' own 選択, as the current versions of the documents give them. A body is one row
//! whatever the number of its files; a cell lists each answer the body gives with the files
//! giving it, so a body that answers differently per file shows both, never a count of files
//! posing as a count of bodies. Read from the comparison table alone (and the documents'
//! versions and 事務): no record is loaded.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::table::{ComparisonTable, TableRow};
use crate::form;
use crate::search::SearchError;
use crate::search::versions::SearchDocuments;

/// A request for the answers view (`GET /api/answers`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct AnswersRequest {
    /// A risk or item (`III.7.R1`, `III.7.R1.5`) or a section (`III.7`); every risk when absent.
    #[serde(default)]
    pub slot: Option<String>,
    /// Only bodies giving this answer (in any column).
    #[serde(default)]
    pub answer: Option<String>,
    /// Only this body.
    #[serde(default)]
    pub body: Option<String>,
    /// Only the answers of this 事務's documents (its category, e.g. 住民基本台帳); every 事務
    /// when absent or `all`. A body answers once per 事務, so across them it is counted under
    /// each answer it gives somewhere.
    #[serde(default)]
    pub jimu: Option<String>,
}

/// A 事務 the slot's answers are given under, with the bodies giving them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct JimuBodies {
    pub jimu: String,
    pub bodies: usize,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum AnswerKind {
    /// The risk's 評価.
    Rating,
    /// The item's own 選択.
    Choice,
}

/// A column of the view.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AnswerColumn {
    pub slot: String,
    pub kind: AnswerKind,
    /// The slot's headings, e.g. 「Ⅲ… › 7. 特定個人情報の保管・消去 › リスク1: …」.
    pub breadcrumb: Vec<String>,
    /// Per answer, how many bodies give it (a body once however many files).
    pub counts: Vec<(String, usize)>,
}

/// One answer a body gives in a column.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct GivenAnswer {
    pub answer: String,
    pub files: Vec<String>,
    /// How the answer was printed where folding changed it (「特に入力を進めている」).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub printed: Vec<String>,
}

/// A body's row.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BodyAnswers {
    pub body: String,
    /// One cell per column: the answers given (empty when the body has none there).
    pub cells: Vec<Vec<GivenAnswer>>,
}

/// The answers view.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AnswersResponse {
    pub slot: Option<String>,
    /// The 事務 asked for; `None` for every 事務.
    pub jimu: Option<String>,
    /// Every 事務 the slot is answered under, most bodies first (what `jimu` can be).
    pub jimus: Vec<JimuBodies>,
    pub columns: Vec<AnswerColumn>,
    pub bodies: Vec<BodyAnswers>,
}

/// Each 事務 of the rows with how many bodies answer under it, most first, then by name.
fn jimus_of(rows: &[TableRow], documents: &SearchDocuments) -> Vec<JimuBodies> {
    let mut bodies_of: BTreeMap<&str, std::collections::BTreeSet<u32>> = BTreeMap::new();
    for row in rows {
        if let Some(jimu) = documents.jimu_of(u64::from(row.document)) {
            bodies_of.entry(jimu).or_default().insert(row.body);
        }
    }
    let mut jimus: Vec<JimuBodies> = bodies_of
        .into_iter()
        .map(|(jimu, bodies)| JimuBodies {
            jimu: jimu.to_string(),
            bodies: bodies.len(),
        })
        .collect();
    jimus.sort_by(|left, right| {
        right
            .bodies
            .cmp(&left.bodies)
            .then_with(|| left.jimu.cmp(&right.jimu))
    });
    jimus
}

/// Builds the answers view from the comparison table.
pub fn answers(
    table: &ComparisonTable,
    documents: &SearchDocuments,
    request: &AnswersRequest,
) -> Result<AnswersResponse, SearchError> {
    let slot = request.slot.as_deref().filter(|slot| !slot.is_empty());
    if let Some(slot) = slot
        && form::slot_by_key(slot).is_none()
    {
        return Err(SearchError::UnknownSlot(slot.to_string()));
    }
    let mut rows = table.rows_of_slot(slot.unwrap_or_default());
    // Only rows of current versions (what a body answers now: あま市's 特に力を入れている of its
    // fifth version, not the 十分である of its second) giving an answer the view shows: a
    // risk's 評価, and for a slot asked for the items' 選択 (a text row answers nothing here).
    rows.retain(|row| {
        let current = documents
            .document(u64::from(row.document))
            .is_some_and(|document| document.current);
        let answers = (row.rating.is_some() && form::risk_of(table.slot_key(row.slot)).is_some())
            || (slot.is_some() && row.choice.is_some());
        current && answers
    });
    let jimus = jimus_of(&rows, documents);
    let jimu = request
        .jimu
        .as_deref()
        .map(str::trim)
        .filter(|jimu| !jimu.is_empty() && *jimu != "all");
    if let Some(jimu) = jimu {
        rows.retain(|row| documents.jimu_of(u64::from(row.document)) == Some(jimu));
    }
    // The rows of each column, columns in the form's order: a risk's 評価, and (for one risk or
    // item asked for) each item's 選択; across the whole form those would be hundreds.
    let mut columns: BTreeMap<(usize, AnswerKind, &str), Vec<&TableRow>> = BTreeMap::new();
    let order = |key: &str| {
        form::SLOTS
            .iter()
            .position(|known| known.key == key)
            .unwrap_or(usize::MAX)
    };
    for row in &rows {
        let row_slot = table.slot_key(row.slot);
        if row.rating.is_some()
            && let Some(risk) = form::risk_of(row_slot)
        {
            let key = (order(risk), AnswerKind::Rating, risk);
            columns.entry(key).or_default().push(row);
        }
        if slot.is_some() && row.choice.is_some() {
            let key = (order(row_slot), AnswerKind::Choice, row_slot);
            columns.entry(key).or_default().push(row);
        }
    }

    // Each column is the comparison's tally of its rows, turned to one row per body.
    let column_count = columns.len();
    let mut bodies: BTreeMap<String, Vec<Vec<GivenAnswer>>> = BTreeMap::new();
    let mut out_columns = Vec::with_capacity(column_count);
    for (position, ((_, kind, key), column_rows)) in columns.into_iter().enumerate() {
        let answer_of = match kind {
            AnswerKind::Rating => TableRow::rating_alone,
            AnswerKind::Choice => TableRow::choice_and_print,
        };
        let tallies = super::tally(table, column_rows.into_iter(), answer_of);
        let counts = tallies
            .iter()
            .map(|tally| (tally.answer.clone(), tally.bodies.len()))
            .collect();
        for tally in tallies {
            for answering in tally.bodies {
                bodies
                    .entry(answering.body)
                    .or_insert_with(|| vec![Vec::new(); column_count])[position]
                    .push(GivenAnswer {
                        answer: tally.answer.clone(),
                        files: answering.files,
                        printed: answering.printed,
                    });
            }
        }
        out_columns.push(AnswerColumn {
            breadcrumb: form::breadcrumb(key)
                .into_iter()
                .map(str::to_string)
                .collect(),
            slot: key.to_string(),
            kind,
            counts,
        });
    }
    // In name order (the map's).
    let out_bodies: Vec<BodyAnswers> = bodies
        .into_iter()
        .map(|(body, cells)| BodyAnswers { body, cells })
        .filter(|row| request.body.as_ref().is_none_or(|body| &row.body == body))
        .filter(|row| {
            request.answer.as_ref().is_none_or(|wanted| {
                row.cells
                    .iter()
                    .flatten()
                    .any(|given| &given.answer == wanted)
            })
        })
        .collect();
    Ok(AnswersResponse {
        slot: slot.map(str::to_string),
        jimu: jimu.map(str::to_string),
        jimus,
        columns: out_columns,
        bodies: out_bodies,
    })
}
