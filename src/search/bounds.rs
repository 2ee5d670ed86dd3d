//! Scores bounded without positions: a folded search reads positions only for the texts that
//! could reach its page.
//!
//! A word's plan matches a record holding all of its morphemes whatever their order; its
//! phrases (the exact characters, and for a word with particles the morphemes near each other)
//! only add to the score. At 1M records 個人情報 matches 14,500 distinct texts, and asking each of
//! them about its exact characters (the positions of 個人 人情 情報) was two fifths of the search,
//! for a page of twenty wordings. So each text that certainly matches (see
//! [`super::query::certain_plan`]) is first given a score at least its own: every phrase scored
//! as if its terms stood side by side as often as they can (BM25 grows with the count; a phrase
//! is found at most as often as its rarest term). Folding ranks the wordings by those scores,
//! asks the exact query about the best text of each wording that could reach the page, and
//! ranks again until every wording on the page has its exact best ([`super::fold`]): a wording
//! below the page scores at most its bound, which the page's last exact score already beats.
//! Totals, facets and wordings do not depend on scores, so they are the same.
//!
//! A phrase with slop is found, as tantivy counts, at most as often as its most frequent term:
//! for a word with particles that bound is loose, nearly every text would be asked again, one
//! round at a time, so a plan holding one is not bounded ([`super::query::bounded_search_query`]).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED, Term};

use super::lazy_union::Place;

/// Fewest candidate records of a segment for which a folded search bounds scores (see
/// [`crate::search::SearchIndex::bounding_scores_from`]): below, a search asks few texts
/// exactly, and bounding costs more than it saves (measured at 1M records: 生体認証, 1,000
/// matches, was slower bounded; 個人情報, 170,000, faster).
pub const FEWEST_BOUNDED: u32 = 10_000;
use super::number_hash::NumberMap;

/// A phrase's score bound: matches the records holding all its terms, scored as the phrase would
/// be were it found there as often as it can be.
#[derive(Debug, Clone)]
pub struct PhraseBoundQuery {
    terms: Vec<Term>,
    slop: u32,
}

impl PhraseBoundQuery {
    pub fn new(terms: Vec<Term>, slop: u32) -> PhraseBoundQuery {
        PhraseBoundQuery { terms, slop }
    }
}

impl Query for PhraseBoundQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        // The phrase's own weight: the same statistics make the same BM25 as tantivy's phrase.
        let similarity = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } if !self.terms.is_empty() => {
                Some(Bm25Weight::for_terms(statistics_provider, &self.terms)?)
            }
            _ => None,
        };
        Ok(Box::new(PhraseBoundWeight {
            terms: self.terms.clone(),
            slop: self.slop,
            similarity,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for term in &self.terms {
            visitor(term, false);
        }
    }
}

struct PhraseBoundWeight {
    terms: Vec<Term>,
    slop: u32,
    similarity: Option<Bm25Weight>,
}

impl Weight for PhraseBoundWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let Some(field) = self.terms.first().map(Term::field) else {
            return Ok(Box::new(EmptyScorer));
        };
        let mut postings = Vec::with_capacity(self.terms.len());
        for term in &self.terms {
            match reader
                .inverted_index(term.field())?
                .read_postings(term, IndexRecordOption::WithFreqs)?
            {
                Some(found) => postings.push(found),
                None => return Ok(Box::new(EmptyScorer)),
            }
        }
        // The rarest term leads the walk.
        postings.sort_by_key(|postings| postings.doc_freq());
        let fieldnorms = match reader.fieldnorms_readers().get_field(field)? {
            Some(fieldnorms) if self.similarity.is_some() => fieldnorms,
            _ => FieldNormReader::constant(reader.max_doc(), 1),
        };
        let mut scorer = PhraseBoundScorer {
            postings,
            similarity: self
                .similarity
                .as_ref()
                .map(|similarity| similarity.boost_by(boost)),
            fieldnorms,
            slop: self.slop,
            doc: 0,
        };
        let first = scorer.postings[0].doc();
        scorer.doc = scorer.align(first);
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        let score = if scorer.seek(doc) == doc {
            scorer.score()
        } else {
            0.0
        };
        Ok(Explanation::new("phrase bound", score))
    }
}

struct PhraseBoundScorer {
    postings: Vec<SegmentPostings>,
    similarity: Option<Bm25Weight>,
    fieldnorms: FieldNormReader,
    slop: u32,
    doc: DocId,
}

impl PhraseBoundScorer {
    /// The first record at or after `candidate` holding every term, all postings standing on it.
    fn align(&mut self, mut candidate: DocId) -> DocId {
        'candidates: loop {
            if candidate == TERMINATED {
                return TERMINATED;
            }
            for postings in &mut self.postings {
                let found = if postings.doc() < candidate {
                    postings.seek(candidate)
                } else {
                    postings.doc()
                };
                if found > candidate {
                    candidate = found;
                    continue 'candidates;
                }
            }
            return candidate;
        }
    }

    /// How often the phrase can be found in the record: without slop each find takes one
    /// place of every term; with slop tantivy counts finds ending at distinct places of one of
    /// its terms.
    fn most_finds(&self) -> u32 {
        let frequencies = self.postings.iter().map(SegmentPostings::term_freq);
        if self.slop == 0 {
            frequencies.min().unwrap_or(0)
        } else {
            frequencies.max().unwrap_or(0)
        }
    }
}

impl DocSet for PhraseBoundScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let next = self.postings[0].advance();
        self.doc = self.align(next);
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if target <= self.doc {
            return self.doc;
        }
        self.doc = self.align(target);
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.postings
            .iter()
            .map(DocSet::size_hint)
            .min()
            .unwrap_or(0)
    }
}

impl Scorer for PhraseBoundScorer {
    fn score(&mut self) -> Score {
        match &self.similarity {
            Some(similarity) => {
                similarity.score(self.fieldnorms.fieldnorm_id(self.doc), self.most_finds())
            }
            None => 1.0,
        }
    }
}

/// One text's score in a search: exact, or a bound of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextScore {
    pub score: Score,
    pub exact: bool,
}

/// The scores a bounded search gave its texts (each text's digest, [`crate::index::TEXT_KEY_FIELD`]),
/// and the exact query to ask about the ones folding wants exact.
#[derive(Default)]
pub struct TextScores {
    scores: Mutex<NumberMap<u64, Option<TextScore>>>,
    exact: OnceLock<Arc<dyn Weight>>,
}

impl std::fmt::Debug for TextScores {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("TextScores")
    }
}

impl TextScores {
    /// Keeps the exact query of the search (the first one given).
    pub(super) fn keep_exact(&self, exact: Arc<dyn Weight>) {
        let _ = self.exact.set(exact);
    }

    /// Adds a segment's answers (a text's answer is the same in every segment).
    pub(super) fn extend(&self, answers: impl IntoIterator<Item = (u64, Option<TextScore>)>) {
        lock(&self.scores).extend(answers);
    }

    /// Whether any text was given a bound.
    pub(super) fn has_bounds(&self) -> bool {
        lock(&self.scores)
            .values()
            .any(|answer| answer.is_some_and(|answer| !answer.exact))
    }

    /// The score the search gave the text `text` (none for a text it did not ask about).
    pub(super) fn score_of(&self, text: u64) -> Option<TextScore> {
        lock(&self.scores).get(&text).copied().flatten()
    }

    /// The text's exact score, once known.
    pub(super) fn exact_score_of(&self, text: u64) -> Option<Score> {
        self.score_of(text)
            .filter(|score| score.exact)
            .map(|score| score.score)
    }

    /// Asks the exact query about one record of each text in `asks` (address, text), and keeps
    /// their exact scores.
    pub(super) fn make_exact(
        &self,
        searcher: &Searcher,
        asks: &[(DocAddress, u64)],
    ) -> tantivy::Result<()> {
        let mut exact_scores: NumberMap<u64, Score> = NumberMap::default();
        let exact = self.exact.get();
        let mut by_segment: BTreeMap<u32, Vec<(DocId, u64)>> = BTreeMap::new();
        for (address, text) in asks {
            by_segment
                .entry(address.segment_ord)
                .or_default()
                .push((address.doc_id, *text));
        }
        if let Some(exact) = exact {
            for (segment, mut docs) in by_segment {
                docs.sort_unstable();
                let mut scorer = exact.scorer(searcher.segment_reader(segment), 1.0)?;
                let mut place = Place::On(scorer.doc());
                for (doc, text) in docs {
                    if !exact_scores.contains_key(&text) && place.holds(scorer.as_mut(), doc) {
                        exact_scores.insert(text, scorer.score());
                    }
                }
            }
        }
        let mut scores = lock(&self.scores);
        for (_, text) in asks {
            // A text the exact query did not match (a certain match cannot miss) keeps its
            // bound, counted as exact: folding asks about each text once.
            let Some(Some(kept)) = scores.get_mut(text) else {
                continue;
            };
            *kept = TextScore {
                score: exact_scores.get(text).copied().unwrap_or(kept.score),
                exact: true,
            };
        }
        Ok(())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves scores that are still right.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
