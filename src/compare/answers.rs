//! The answers view: for a risk (or every risk), which bodies answered what, one row per body.
//!
//! Columns are the risks' 評価 (「リスクへの対策は十分か」) and, for one risk or item, the
//! items' own 選択. A body is one row whatever the number of its files; a cell lists each
//! answer the body gives with the files giving it, so a body that answers differently per file
//! shows both, never a count of files posing as a count of bodies. Read from the comparison
//! table alone: no record is loaded.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::table::{ComparisonTable, TableRow};
use crate::form;
use crate::search::SearchError;

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
    pub columns: Vec<AnswerColumn>,
    pub bodies: Vec<BodyAnswers>,
}

/// Builds the answers view from the comparison table.
pub fn answers(
    table: &ComparisonTable,
    request: &AnswersRequest,
) -> Result<AnswersResponse, SearchError> {
    let slot = request.slot.as_deref().filter(|slot| !slot.is_empty());
    if let Some(slot) = slot
        && form::slot_by_key(slot).is_none()
    {
        return Err(SearchError::UnknownSlot(slot.to_string()));
    }
    let rows = table.rows_of_slot(slot.unwrap_or_default());
    // (kind, slot) → body → answer → (files, printed)
    type Given = BTreeMap<u32, (Vec<String>, Vec<String>)>;
    let mut columns: BTreeMap<(usize, AnswerKind, String), BTreeMap<u32, Given>> = BTreeMap::new();
    let mut add =
        |row: &TableRow, kind: AnswerKind, key: &str, answer: u32, printed: Option<u32>| {
            let order = form::SLOTS
                .iter()
                .position(|known| known.key == key)
                .unwrap_or(usize::MAX);
            let (files, printed_as) = columns
                .entry((order, kind, key.to_string()))
                .or_default()
                .entry(row.body)
                .or_default()
                .entry(answer)
                .or_default();
            let file = table.file(row.file).to_string();
            if !file.is_empty() && !files.contains(&file) {
                files.push(file);
            }
            if let Some(printed) = printed.map(|printed| table.answer(printed).to_string())
                && !printed_as.contains(&printed)
            {
                printed_as.push(printed);
            }
        };
    for row in &rows {
        let row_slot = table.slot_key(row.slot);
        if let Some(rating) = row.rating
            && let Some(risk) = form::risk_of(row_slot)
        {
            add(row, AnswerKind::Rating, risk, rating, None);
        }
        // Items' choices only when one risk or item is asked for: across the whole form they
        // would be hundreds of columns.
        if slot.is_some()
            && let Some(choice) = row.choice
        {
            add(row, AnswerKind::Choice, row_slot, choice, row.printed);
        }
    }

    let mut bodies: BTreeMap<u32, Vec<Vec<GivenAnswer>>> = BTreeMap::new();
    let mut out_columns = Vec::with_capacity(columns.len());
    let column_count = columns.len();
    for (position, ((_, kind, key), by_body)) in columns.into_iter().enumerate() {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for (body, given) in by_body {
            let cell: Vec<GivenAnswer> = given
                .into_iter()
                .map(|(answer, (files, printed))| GivenAnswer {
                    answer: table.answer(answer).to_string(),
                    files,
                    printed,
                })
                .collect();
            for answer in &cell {
                *counts.entry(answer.answer.clone()).or_default() += 1;
            }
            bodies
                .entry(body)
                .or_insert_with(|| vec![Vec::new(); column_count])[position] = cell;
        }
        let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
        counts.sort_by_key(|(answer, _)| (super::answer_rank(answer), answer.clone()));
        out_columns.push(AnswerColumn {
            breadcrumb: form::breadcrumb(&key)
                .into_iter()
                .map(str::to_string)
                .collect(),
            slot: key,
            kind,
            counts,
        });
    }
    let mut out_bodies: Vec<BodyAnswers> = bodies
        .into_iter()
        .map(|(body, cells)| BodyAnswers {
            body: table.body(body).to_string(),
            cells,
        })
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
    out_bodies.sort_by(|left, right| left.body.cmp(&right.body));
    Ok(AnswersResponse {
        slot: slot.map(str::to_string),
        columns: out_columns,
        bodies: out_bodies,
    })
}
