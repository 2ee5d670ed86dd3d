//! Drafting by example: for one slot of a body's draft, the measures peers write there that the
//! draft does not ([`hints`]), the nearest wordings of peers aligned sentence by sentence with
//! the draft ([`precedents`]), and the form's slots for a draft workspace ([`workspace`]).
//!
//! Peers are the bodies whose current documents have text in the slot, under the filters of a
//! comparison (事務, kind of 評価書, kind of body, prefecture). What a user drafts is sent only in
//! these requests' bodies: nothing here stores or logs it.

pub mod hints;
pub mod precedents;
pub mod workspace;

use serde::{Deserialize, Serialize};

use crate::compare::table::TableRow;
use crate::form;
use crate::search::rows::MatchingRows;
use crate::search::{Peers, SearchError, SearchIndex, SearchRequest};

/// Characters of one slot's draft that are read; a longer text is refused, not cut, so that a
/// hint is never about a part that was not read.
pub const MAX_DRAFT_CHARS: usize = 20_000;

/// A slot of a draft and the peers to compare it with (`POST /api/draft/hints`,
/// `POST /api/draft/precedents`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DraftRequest {
    /// The slot drafted, e.g. `III.7.R1.5`.
    pub slot: String,
    /// The draft's text of that slot.
    pub text: String,
    /// Whose texts the draft is compared with.
    #[serde(flatten)]
    pub peers: Peers,
    /// The body drafting (as the index names it): its own published texts are not its peers.
    pub own_body: Option<String>,
    /// Hints or precedents returned.
    pub limit: Option<usize>,
}

impl DraftRequest {
    /// The peers' filters as a search's.
    fn filters(&self) -> SearchRequest {
        self.peers.search_filters(Some(self.slot.clone()))
    }

    /// The slot (refused when the form has none) and the draft's text (refused when empty or
    /// longer than [`MAX_DRAFT_CHARS`]).
    fn checked(&self) -> Result<(&'static form::Slot, &str), DraftError> {
        let slot = form::slot_by_key(&self.slot)
            .ok_or_else(|| SearchError::UnknownSlot(self.slot.clone()))?;
        let text = self.text.trim();
        if text.is_empty() {
            return Err(DraftError::EmptyText);
        }
        let characters = text.chars().count();
        if characters > MAX_DRAFT_CHARS {
            return Err(DraftError::TooLong { characters });
        }
        Ok((slot, text))
    }

    /// The page size: `default` when the request does not say, 1 to `max`.
    fn limit(&self, default: usize, max: usize) -> Result<usize, DraftError> {
        match self.limit {
            None => Ok(default),
            Some(0) => Err(SearchError::LimitZero.into()),
            Some(limit) if limit > max => Err(DraftError::LimitTooLarge { limit, max }),
            Some(limit) => Ok(limit),
        }
    }
}

/// Why a drafting request was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error("the draft is empty: write or paste the slot's text")]
    EmptyText,
    #[error("the draft is {characters} characters; at most {MAX_DRAFT_CHARS} are read per slot")]
    TooLong { characters: usize },
    #[error("limit {limit} is over the maximum of {max}")]
    LimitTooLarge { limit: usize, max: usize },
    #[error("no document {0:?} in the index")]
    UnknownDocument(String),
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// The peers' rows of the slot that have text (an item answered only by its choice has no
/// wording; a change row that removed its measure is not what peers write), in reading order.
fn peer_rows(
    index: &SearchIndex,
    request: &DraftRequest,
) -> Result<(MatchingRows, Vec<TableRow>), DraftError> {
    let matching = index.matching_rows(&request.filters())?;
    let table = matching.table();
    let own_body = request
        .own_body
        .as_deref()
        .map(str::trim)
        .unwrap_or_default();
    let rows: Vec<TableRow> = table
        .rows_in_slot(&request.slot)
        .into_iter()
        .filter(|row| row.has_text && !row.deleted && matching.contains(row.key))
        .filter(|row| own_body.is_empty() || table.body(row.body) != own_body)
        .collect();
    Ok((matching, rows))
}

/// Where a sentence came from, as staff cite it: 「札幌市 住民基本台帳に関する事務 全項目評価書
/// Ⅲ 7. リスク1 ⑤物理的対策」.
pub fn source_line(body: &str, doc_title: &str, slot: &str) -> String {
    let heading = form::short_heading(slot);
    let title = if doc_title.starts_with(body) {
        doc_title.trim_start_matches(body).trim().to_string()
    } else {
        doc_title.to_string()
    };
    [body, title.as_str(), heading.as_str()]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A body's share of peers, rounded for stable responses.
fn share(bodies: usize, peers: usize) -> f64 {
    if peers == 0 {
        return 0.0;
    }
    (bodies as f64 / peers as f64 * 1000.0).round() / 1000.0
}
