//! One answer per text: a query's match and score worked out once for each distinct text, and
//! reused for every other record with that text.
//!
//! Nationally most records repeat a text word for word (the form's questions with their
//! headings, a vendor's sentence under one heading in hundreds of bodies): 目的外の入手 at 1M
//! records matches 30,000 records. Whether a record matches and how it scores depends only on
//! the tokens of its two text fields (and on corpus-wide statistics, the same for every
//! record), and the index keeps a digest of them per record ([`crate::index::TEXT_KEY_FIELD`]).
//! So the records that may match are walked with a query that reads no positions (each phrase
//! as the conjunction of its terms), and the query itself (phrases, proximity) is asked only
//! about the first record of each text, with `seek_danger`, which looks at that record alone.

use std::sync::{Arc, Mutex};

use tantivy::columnar::Column;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, TERMINATED, Term};

use super::lazy_union::{Place, asked_again};
use super::number_hash::NumberMap;
use crate::index::TEXT_KEY_FIELD;

/// Records matching `exact`, walked through `candidates` (every record `exact` matches, and
/// perhaps more, found without positions).
#[derive(Debug)]
pub struct SameTextQuery {
    exact: Box<dyn Query>,
    candidates: Box<dyn Query>,
}

impl SameTextQuery {
    pub fn new(exact: Box<dyn Query>, candidates: Box<dyn Query>) -> SameTextQuery {
        SameTextQuery { exact, candidates }
    }
}

impl Clone for SameTextQuery {
    fn clone(&self) -> Self {
        SameTextQuery {
            exact: self.exact.box_clone(),
            candidates: self.candidates.box_clone(),
        }
    }
}

impl Query for SameTextQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let candidates = self
            .candidates
            .weight(EnableScoring::disabled_from_schema(enable_scoring.schema()))?;
        Ok(Box::new(SameTextWeight {
            exact: self.exact.weight(enable_scoring)?,
            candidates,
            answers: Arc::new(Mutex::new(Answers::default())),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.exact.query_terms(visitor);
    }
}

/// Each text's answer: its score when it matches.
type Answers = NumberMap<u64, Option<Score>>;

struct SameTextWeight {
    exact: Box<dyn Weight>,
    candidates: Box<dyn Weight>,
    /// Shared by the segments of one search: scores use corpus-wide statistics, so a text
    /// scores the same in every segment.
    answers: Arc<Mutex<Answers>>,
}

impl Weight for SameTextWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let exact = self.exact.scorer(reader, boost)?;
        let Ok(text_keys) = reader.fast_fields().u64(TEXT_KEY_FIELD) else {
            // A segment written before texts had keys.
            return Ok(exact);
        };
        let candidates = self.candidates.scorer(reader, 1.0)?;
        Ok(Box::new(SameTextScorer::new(
            exact,
            candidates,
            text_keys,
            self.answers.clone(),
            boost,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.exact.explain(reader, doc)
    }
}

struct SameTextScorer {
    exact: Box<dyn Scorer>,
    /// Where the exact scorer stands: it is only asked about single records.
    exact_place: Place,
    candidates: Box<dyn Scorer>,
    text_keys: Column<u64>,
    /// The answers of this search so far, taken from `shared` while this segment is searched
    /// (no lock per record) and given back when it is done.
    answers: Answers,
    shared: Arc<Mutex<Answers>>,
    /// The boost scores are asked with, in the answers' keys: a score is the text's at that
    /// boost (every segment of a search is asked with the same one).
    boost_bits: u64,
    doc: DocId,
    /// The score of `doc` when it matches.
    score: Score,
    /// After a `seek_danger` that missed `doc`: where to ask next.
    missed: Option<DocId>,
}

impl SameTextScorer {
    fn new(
        exact: Box<dyn Scorer>,
        candidates: Box<dyn Scorer>,
        text_keys: Column<u64>,
        shared: Arc<Mutex<Answers>>,
        boost: Score,
    ) -> SameTextScorer {
        let exact_place = Place::On(exact.doc());
        let answers = std::mem::take(&mut *lock(&shared));
        let mut scorer = SameTextScorer {
            exact,
            exact_place,
            candidates,
            text_keys,
            answers,
            shared,
            boost_bits: u64::from(boost.to_bits()) << 32,
            doc: 0,
            score: 0.0,
            missed: None,
        };
        let first = scorer.candidates.doc();
        scorer.doc = scorer.first_match_from(first);
        scorer
    }

    /// Whether the candidate `doc` matches, with its score; asks the exact scorer only about a
    /// text not seen before in this search.
    fn answer(&mut self, doc: DocId) -> Option<Score> {
        let key = self.text_keys.first(doc).map(|text| text ^ self.boost_bits);
        if let Some(key) = key
            && let Some(answer) = self.answers.get(&key)
        {
            return *answer;
        }
        let answer = self.ask_exact(doc);
        if let Some(key) = key {
            self.answers.insert(key, answer);
        }
        answer
    }

    /// Asks the exact scorer about `doc` alone. Records are asked in increasing order, as
    /// `seek_danger` requires.
    fn ask_exact(&mut self, doc: DocId) -> Option<Score> {
        let found = self.exact_place.holds(self.exact.as_mut(), doc);
        found.then(|| self.exact.score())
    }

    /// The first candidate at or after `target` (the candidates never move back).
    fn candidate_from(&mut self, target: DocId) -> DocId {
        if self.candidates.doc() < target {
            self.candidates.seek(target)
        } else {
            self.candidates.doc()
        }
    }

    /// The first matching record at or after the candidate `doc`, the candidates standing on
    /// it.
    fn first_match_from(&mut self, mut doc: DocId) -> DocId {
        while doc != TERMINATED {
            if let Some(score) = self.answer(doc) {
                self.score = score;
                return doc;
            }
            doc = self.candidates.advance();
        }
        TERMINATED
    }
}

impl DocSet for SameTextScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        // After a miss the candidates may stand past the record missed, on one not yet asked.
        let next = if self.missed.is_some() && self.candidates.doc() > self.doc {
            self.candidates.doc()
        } else {
            self.candidates.advance()
        };
        self.missed = None;
        self.doc = self.first_match_from(next);
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if target <= self.doc && self.missed.is_none() {
            return self.doc;
        }
        self.missed = None;
        let candidate = self.candidate_from(target);
        self.doc = self.first_match_from(candidate);
        self.doc
    }

    /// Looks at `target` alone: the candidates are sought there (postings only) and the exact
    /// query asked only if `target` is a candidate whose text has not been seen.
    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if let Some(answer) = asked_again(target, self.doc, self.missed) {
            return answer;
        }
        let candidate = self.candidate_from(target);
        self.doc = target;
        if candidate == target
            && let Some(score) = self.answer(target)
        {
            self.score = score;
            self.missed = None;
            return SeekDangerResult::Found;
        }
        // The candidates stand on `candidate` (a record after `target` when it missed): no
        // match lies before it.
        let bound = if candidate == target {
            target + 1
        } else {
            candidate
        };
        self.missed = Some(bound);
        SeekDangerResult::SeekLowerBound(bound)
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.candidates.size_hint()
    }

    fn cost(&self) -> u64 {
        self.candidates.cost()
    }
}

impl Drop for SameTextScorer {
    fn drop(&mut self) {
        let mut shared = lock(&self.shared);
        if shared.len() < self.answers.len() {
            std::mem::swap(&mut *shared, &mut self.answers);
        }
        shared.extend(self.answers.drain());
    }
}

fn lock(answers: &Mutex<Answers>) -> std::sync::MutexGuard<'_, Answers> {
    // A panic elsewhere while holding the lock leaves answers that are still right.
    answers
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Scorer for SameTextScorer {
    fn score(&mut self) -> Score {
        self.score
    }
}
