//! One answer per text: a query's match and score worked out once for each distinct text, and
//! reused for every other record with that text.
//!
//! Nationally most records repeat a text word for word (the form's questions with their
//! headings, a vendor's sentence under one heading in hundreds of bodies): 目的外の入手 at 1M
//! records matches 30,000 records. Whether a record matches and how it scores depends only on
//! the tokens of its two text fields (and on corpus-wide statistics, the same for every
//! record), and the index keeps a key of them per record ([`crate::index::TEXT_KEY_FIELD`]: the
//! slot's place in the form, then a digest of the text).
//! So the records that may match are walked with a query that reads no positions (each phrase
//! as the conjunction of its terms), and the query itself (phrases, proximity) is asked only
//! about the first record of each text, with `seek_danger`, which looks at that record alone.
//!
//! An index built with its segments in text order ([`crate::index::sorted_by_text`]) keeps
//! the records of one text side by side: once a text is worked out, its other records are
//! stepped over (no match) or given at once (a match) without walking the candidates through
//! them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::columnar::Column;
use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, Searcher, SeekDangerResult, SegmentReader, TERMINATED, Term};

use super::bounds::{TextScore, TextScores};
use super::lazy_union::{Place, asked_again};
use super::number_hash::NumberMap;
use crate::index::{TEXT_KEY_FIELD, sorted_by_text};

/// Records matching `exact`, walked through `candidates` (every record `exact` matches, and
/// perhaps more, found without positions).
#[derive(Debug)]
pub struct SameTextQuery {
    exact: Box<dyn Query>,
    candidates: Box<dyn Query>,
    bounds: Option<Bounds>,
    text_keys: Option<Arc<TextKeyColumns>>,
}

/// Each segment's column of text keys, opened once per loaded index: opening a column reads its
/// blocks' headers, a fortieth of an unspaced compound's search at 1M records when every search
/// opened it again.
#[derive(Default)]
pub struct TextKeyColumns(HashMap<SegmentId, Column<u64>>);

impl std::fmt::Debug for TextKeyColumns {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "TextKeyColumns({} segments)", self.0.len())
    }
}

impl TextKeyColumns {
    /// Opens the column of every segment that has one.
    pub fn open(searcher: &Searcher) -> TextKeyColumns {
        TextKeyColumns(
            searcher
                .segment_readers()
                .iter()
                .filter_map(|reader| {
                    let column = reader.fast_fields().u64(TEXT_KEY_FIELD).ok()?;
                    Some((reader.segment_id(), column))
                })
                .collect(),
        )
    }

    /// A segment's column: the one opened at load, else opened now (`None`: a segment written
    /// before texts had keys).
    fn of(&self, reader: &SegmentReader) -> Option<Column<u64>> {
        match self.0.get(&reader.segment_id()) {
            Some(column) => Some(column.clone()),
            None => reader.fast_fields().u64(TEXT_KEY_FIELD).ok(),
        }
    }
}

/// `query` with the loaded index's text-key columns, when it is a [`SameTextQuery`]; any other
/// query as it is.
pub fn with_text_keys(query: Box<dyn Query>, columns: &Arc<TextKeyColumns>) -> Box<dyn Query> {
    match query.downcast::<SameTextQuery>() {
        Ok(same_text) => Box::new(SameTextQuery {
            text_keys: Some(columns.clone()),
            ..*same_text
        }),
        Err(query) => query,
    }
}

/// What lets a search give a text a bound of its score instead of asking the exact query (see
/// [`super::bounds`]): a query whose records certainly match, one scoring at least as the exact
/// one does, and where the texts' scores are kept for folding.
#[derive(Debug)]
pub struct Bounds {
    pub certain: Box<dyn Query>,
    pub bound: Box<dyn Query>,
    pub scores: Arc<TextScores>,
    /// Fewest candidate records (as their postings estimate them) for which a segment gives
    /// texts bounds: with few, the exact asks are few, and bounding costs more than it saves.
    pub fewest_candidates: u32,
}

impl Clone for Bounds {
    fn clone(&self) -> Self {
        Bounds {
            certain: self.certain.box_clone(),
            bound: self.bound.box_clone(),
            scores: self.scores.clone(),
            fewest_candidates: self.fewest_candidates,
        }
    }
}

impl SameTextQuery {
    pub fn new(exact: Box<dyn Query>, candidates: Box<dyn Query>) -> SameTextQuery {
        SameTextQuery {
            exact,
            candidates,
            bounds: None,
            text_keys: None,
        }
    }

    /// The same query giving the texts that certainly match a bound of their score.
    pub fn bounded(self, bounds: Bounds) -> SameTextQuery {
        SameTextQuery {
            bounds: Some(bounds),
            ..self
        }
    }

    /// The same query with its candidates narrowed (by a filter of records): the exact query
    /// is then never asked about a text that only the records filtered out hold.
    pub fn narrowed(self, narrow: impl FnOnce(Box<dyn Query>) -> Box<dyn Query>) -> SameTextQuery {
        SameTextQuery {
            exact: self.exact,
            candidates: narrow(self.candidates),
            bounds: self.bounds,
            text_keys: self.text_keys,
        }
    }
}

impl Clone for SameTextQuery {
    fn clone(&self) -> Self {
        SameTextQuery {
            exact: self.exact.box_clone(),
            candidates: self.candidates.box_clone(),
            bounds: self.bounds.clone(),
            text_keys: self.text_keys.clone(),
        }
    }
}

impl Query for SameTextQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let candidates = self
            .candidates
            .weight(EnableScoring::disabled_from_schema(enable_scoring.schema()))?;
        let texts_lie_together = enable_scoring
            .searcher()
            .is_some_and(|searcher| sorted_by_text(searcher.index()));
        let exact: Arc<dyn Weight> = Arc::from(self.exact.weight(enable_scoring)?);
        let bounds = match &self.bounds {
            Some(bounds) if enable_scoring.is_scoring_enabled() => {
                bounds.scores.keep_exact(exact.clone());
                Some(BoundWeights {
                    certain: bounds
                        .certain
                        .weight(EnableScoring::disabled_from_schema(enable_scoring.schema()))?,
                    bound: bounds.bound.weight(enable_scoring)?,
                    scores: bounds.scores.clone(),
                    fewest_candidates: bounds.fewest_candidates,
                })
            }
            _ => None,
        };
        Ok(Box::new(SameTextWeight {
            exact,
            candidates,
            texts_lie_together,
            answers: Arc::new(Mutex::new(Answers::default())),
            bounds,
            text_keys: self.text_keys.clone().unwrap_or_default(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.exact.query_terms(visitor);
    }
}

/// Each text's answer: its score (or a bound of it) when it matches.
type Answers = NumberMap<u64, Option<TextScore>>;

struct BoundWeights {
    certain: Box<dyn Weight>,
    bound: Box<dyn Weight>,
    scores: Arc<TextScores>,
    fewest_candidates: u32,
}

struct SameTextWeight {
    exact: Arc<dyn Weight>,
    candidates: Box<dyn Weight>,
    /// Whether each segment holds its records in text order.
    texts_lie_together: bool,
    /// Shared by the segments of one search: scores use corpus-wide statistics, so a text
    /// scores the same in every segment.
    answers: Arc<Mutex<Answers>>,
    bounds: Option<BoundWeights>,
    text_keys: Arc<TextKeyColumns>,
}

impl Weight for SameTextWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let exact = self.exact.scorer(reader, boost)?;
        let Some(text_keys) = self.text_keys.of(reader) else {
            // A segment written before texts had keys.
            return Ok(exact);
        };
        let candidates = self.candidates.scorer(reader, 1.0)?;
        // Bounds are kept by text alone: only at the boost a search is run with. A search with
        // few candidates asks each text exactly: bounding costs more than it saves there.
        let bounds = match &self.bounds {
            Some(bounds) if boost == 1.0 && candidates.size_hint() >= bounds.fewest_candidates => {
                let certain = bounds.certain.scorer(reader, 1.0)?;
                let bound = bounds.bound.scorer(reader, 1.0)?;
                Some(BoundScorers {
                    certain_place: Place::On(certain.doc()),
                    certain,
                    bound_place: Place::On(bound.doc()),
                    bound,
                    scores: bounds.scores.clone(),
                })
            }
            _ => None,
        };
        let texts = Texts {
            keys: text_keys,
            lie_together: self.texts_lie_together,
            records: reader.max_doc(),
        };
        Ok(Box::new(SameTextScorer::new(
            exact,
            candidates,
            texts,
            self.answers.clone(),
            boost,
            bounds,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.exact.explain(reader, doc)
    }
}

/// A segment's text digests, per record.
struct Texts {
    keys: Column<u64>,
    /// Whether the records lie in the order of their digests.
    lie_together: bool,
    /// Records in the segment.
    records: DocId,
}

impl Texts {
    fn key(&self, doc: DocId) -> Option<u64> {
        self.keys.first(doc)
    }

    /// The end (exclusive) of the records from `doc` on that hold `key`: in a segment in text
    /// order, found by galloping (a wording in hundreds of bodies is a run of hundreds);
    /// otherwise `doc` alone.
    fn end_of_run(&self, doc: DocId, key: u64) -> DocId {
        if !self.lie_together {
            return doc + 1;
        }
        // `inside` holds `key`; `outside` does not (or is past the segment).
        let mut inside = doc;
        let mut step: DocId = 1;
        let mut outside = loop {
            let probe = inside.saturating_add(step);
            if probe >= self.records || self.key(probe) != Some(key) {
                break probe.min(self.records);
            }
            inside = probe;
            step = step.saturating_mul(2);
        };
        while outside - inside > 1 {
            let middle = inside + (outside - inside) / 2;
            if self.key(middle) == Some(key) {
                inside = middle;
            } else {
                outside = middle;
            }
        }
        outside
    }
}

/// The records side by side holding the text last worked out, and its answer.
#[derive(Debug, Clone, Copy, Default)]
struct Run {
    start: DocId,
    end: DocId,
    answer: Option<Score>,
}

impl Run {
    fn holds(&self, doc: DocId) -> bool {
        (self.start..self.end).contains(&doc)
    }

    /// `doc`'s score when it lies in the run and the run's text matches.
    fn match_at(&self, doc: DocId) -> Option<Score> {
        self.answer.filter(|_| self.holds(doc))
    }
}

/// A segment's scorers of a bounded search (see [`Bounds`]).
struct BoundScorers {
    certain: Box<dyn Scorer>,
    certain_place: Place,
    bound: Box<dyn Scorer>,
    bound_place: Place,
    scores: Arc<TextScores>,
}

impl BoundScorers {
    /// The bound of `doc`'s score when it certainly matches.
    fn bound_of(&mut self, doc: DocId) -> Option<Score> {
        let certain = self.certain_place.holds(self.certain.as_mut(), doc);
        (certain && self.bound_place.holds(self.bound.as_mut(), doc)).then(|| self.bound.score())
    }
}

struct SameTextScorer {
    exact: Box<dyn Scorer>,
    /// Where the exact scorer stands: it is only asked about single records.
    exact_place: Place,
    candidates: Box<dyn Scorer>,
    texts: Texts,
    run: Run,
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
    bounds: Option<BoundScorers>,
}

impl SameTextScorer {
    fn new(
        exact: Box<dyn Scorer>,
        candidates: Box<dyn Scorer>,
        texts: Texts,
        shared: Arc<Mutex<Answers>>,
        boost: Score,
        bounds: Option<BoundScorers>,
    ) -> SameTextScorer {
        let exact_place = Place::On(exact.doc());
        let answers = std::mem::take(&mut *lock(&shared));
        let mut scorer = SameTextScorer {
            exact,
            exact_place,
            candidates,
            texts,
            run: Run::default(),
            answers,
            shared,
            boost_bits: u64::from(boost.to_bits()) << 32,
            doc: 0,
            score: 0.0,
            missed: None,
            bounds,
        };
        let first = scorer.candidates.doc();
        scorer.doc = scorer.first_match_from(first);
        scorer
    }

    /// Whether the candidate `doc` matches, with its score; asks the exact scorer only about a
    /// text not seen before in this search. Afterwards `run` holds `doc`.
    fn answer(&mut self, doc: DocId) -> Option<Score> {
        if self.run.holds(doc) {
            return self.run.answer;
        }
        let text = self.texts.key(doc);
        let answer = match text.map(|text| text ^ self.boost_bits) {
            Some(key) => match self.answers.get(&key) {
                Some(answer) => *answer,
                None => {
                    let answer = self.ask(doc);
                    self.answers.insert(key, answer);
                    answer
                }
            },
            // A record without a digest is its own run.
            None => self
                .ask_exact(doc)
                .map(|score| TextScore { score, exact: true }),
        }
        .map(|answer| answer.score);
        self.run = Run {
            start: doc,
            end: text.map_or(doc + 1, |text| self.texts.end_of_run(doc, text)),
            answer,
        };
        answer
    }

    /// The answer for `doc`'s text: a bound of its score when it certainly matches, else the
    /// exact query's.
    fn ask(&mut self, doc: DocId) -> Option<TextScore> {
        if let Some(bound) = self.bounds.as_mut().and_then(|bounds| bounds.bound_of(doc)) {
            return Some(TextScore {
                score: bound,
                exact: false,
            });
        }
        self.ask_exact(doc)
            .map(|score| TextScore { score, exact: true })
    }

    /// Where to look after the candidate `doc` missed: past its text's run.
    fn after_miss(&self, doc: DocId) -> DocId {
        if self.run.holds(doc) {
            self.run.end
        } else {
            doc + 1
        }
    }

    /// Asks the exact scorer about `doc` alone. Records are asked in increasing order, as
    /// `seek_danger` requires.
    fn ask_exact(&mut self, doc: DocId) -> Option<Score> {
        let found = self.exact_place.holds(self.exact.as_mut(), doc);
        found.then(|| self.exact.score())
    }

    /// The first candidate at or after `target` (the candidates never move back).
    fn candidate_from(&mut self, target: DocId) -> DocId {
        let standing = self.candidates.doc();
        if standing >= target {
            standing
        } else if standing + 1 == target {
            self.candidates.advance()
        } else {
            self.candidates.seek(target)
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
            doc = self.candidate_from(self.after_miss(doc));
        }
        TERMINATED
    }

    /// Stands on `doc`, a record of the matching run.
    fn on_run(&mut self, doc: DocId, score: Score) -> DocId {
        self.missed = None;
        self.score = score;
        self.doc = doc;
        doc
    }
}

impl DocSet for SameTextScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let next = self.doc + 1;
        if let Some(score) = self.run.match_at(next) {
            return self.on_run(next, score);
        }
        // After a miss the candidates may stand past the record missed, on one not yet asked.
        let target = if self.missed.is_some() {
            self.after_miss(self.doc)
        } else {
            next
        };
        self.missed = None;
        let candidate = self.candidate_from(target);
        self.doc = self.first_match_from(candidate);
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if target <= self.doc && self.missed.is_none() {
            return self.doc;
        }
        if let Some(score) = self.run.match_at(target) {
            return self.on_run(target, score);
        }
        self.missed = None;
        let target = if self.run.holds(target) {
            self.run.end
        } else {
            target
        };
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
        if self.run.holds(target) {
            self.doc = target;
            return match self.run.answer {
                Some(score) => {
                    self.on_run(target, score);
                    SeekDangerResult::Found
                }
                None => {
                    self.missed = Some(self.run.end);
                    SeekDangerResult::SeekLowerBound(self.run.end)
                }
            };
        }
        let candidate = self.candidate_from(target);
        if candidate == target
            && let Some(score) = self.answer(target)
        {
            self.on_run(target, score);
            return SeekDangerResult::Found;
        }
        self.doc = target;
        // The candidates stand on `candidate` (a record after `target` when it missed): no
        // match lies before it.
        let bound = if candidate == target {
            self.after_miss(target)
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
        if let Some(bounds) = &self.bounds {
            let boost_bits = self.boost_bits;
            bounds.scores.extend(
                self.answers
                    .iter()
                    .map(|(key, answer)| (key ^ boost_bits, *answer)),
            );
        }

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
