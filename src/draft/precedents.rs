//! Precedents for a draft: the peers' wordings nearest to it in the slot, folded as a search
//! folds (one wording with its bodies, not a thousand copies), each aligned sentence by sentence
//! with the draft as a comparison aligns a row with its base.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::{DraftError, DraftRequest, source_line};
use crate::compare::{AlignedSentence, KeyedSentences, align_to, sentences_of};
use crate::search::fold::FoldedBody;
use crate::search::{SearchIndex, SimilarRequest};

/// Precedents returned when the request does not say.
pub const DEFAULT_PRECEDENTS: usize = 5;
/// Most precedents one request may ask for.
pub const MAX_PRECEDENTS: usize = 20;
/// Wordings asked for beyond the page, for those whose text is one already shown or the
/// drafting body's own.
const EXTRA_FOR_SAME_TEXT: usize = 10;
/// Other bodies listed with a precedent (the count is always whole).
const LISTED_BODIES: usize = 20;

/// One wording near the draft.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Precedent {
    /// The record shown for the wording, its body, file and title.
    pub id: String,
    pub body: String,
    pub file: String,
    pub doc_title: String,
    pub text: String,
    /// Where it came from, as staff cite it.
    pub source: String,
    /// Bodies writing this wording (its own included) and a few of the others.
    pub bodies: usize,
    pub other_bodies: Vec<FoldedBody>,
    /// The wording's sentences aligned with the draft's: `same`, `changed` (with its diff from
    /// the draft's sentence), `own` (the peer writes it, the draft does not) and `missing`
    /// (the draft writes it, the peer does not).
    pub aligned: Vec<AlignedSentence>,
    pub score: f32,
}

/// The response of `POST /api/draft/precedents`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PrecedentsResponse {
    pub slot: String,
    pub slot_label: String,
    /// Records like the draft, the wordings they are, and the bodies writing them.
    pub total: usize,
    pub wordings: usize,
    pub bodies: usize,
    pub precedents: Vec<Precedent>,
    pub took_ms: u64,
}

/// Answers `POST /api/draft/precedents` (see the module's header).
pub fn precedents(
    index: &SearchIndex,
    request: &DraftRequest,
) -> Result<PrecedentsResponse, DraftError> {
    let started = Instant::now();
    let (slot, draft_text) = request.checked()?;
    let limit = request.limit(DEFAULT_PRECEDENTS, MAX_PRECEDENTS)?;
    let similar = index.similar(&SimilarRequest {
        text: draft_text.to_string(),
        slot: Some(slot.key.to_string()),
        // A few more than shown: a wording of another field or actor with the same text is
        // shown once.
        limit: Some((limit + EXTRA_FOR_SAME_TEXT).min(crate::search::MAX_LIMIT)),
        peers: request.peers.clone(),
        fold: Some("on".to_string()),
    })?;
    // Keyed once: every precedent is aligned to the draft.
    let draft_sentences = KeyedSentences::new(sentences_of(draft_text));
    let own_body = request
        .own_body
        .as_deref()
        .map(str::trim)
        .unwrap_or_default();
    let mut texts_shown = std::collections::HashSet::new();
    let precedents = similar
        .hits
        .into_iter()
        .filter(|hit| own_body.is_empty() || hit.record.municipality != own_body)
        .filter(|hit| texts_shown.insert(crate::compare::sentence_key(&hit.record.text)))
        .take(limit)
        .map(|hit| {
            let record = hit.record;
            let folded = hit.folded.unwrap_or_default();
            Precedent {
                source: source_line(&record.municipality, &record.doc_title, slot.key),
                aligned: align_to(&draft_sentences, &sentences_of(&record.text)),
                id: record.id,
                body: record.municipality,
                file: record.source.file,
                doc_title: record.doc_title,
                text: record.text,
                bodies: folded.bodies.max(1),
                other_bodies: folded.others.into_iter().take(LISTED_BODIES).collect(),
                score: hit.score,
            }
        })
        .collect();
    Ok(PrecedentsResponse {
        slot: slot.key.to_string(),
        slot_label: slot.label.to_string(),
        total: similar.total,
        wordings: similar.wordings.unwrap_or_default(),
        bodies: similar.bodies.unwrap_or_default(),
        precedents,
        took_ms: started.elapsed().as_millis() as u64,
    })
}
