//! A union that reads only what it is asked about: the spellings of one word of a query, inside
//! the intersection of the query's words.
//!
//! tantivy's union buffers its parts over windows of 4,096 records: when it is sought past its
//! window it runs every part across the next one, and for a phrase part (a word's exact
//! characters, its morphemes near each other) that means reading the positions of every record
//! in the window holding the phrase's terms. Inside an intersection (入退室 監視カメラ 記録) the
//! rarest word leads and the others are only asked whether they hold the record the leader is
//! on, so most of that work was for records the intersection then passed over: measured at 1M
//! records, a three-word search spent most of its time there. This union answers such a question
//! by asking each part about that one record (`seek_danger`), and otherwise moves its parts one
//! record at a time. Scores are tantivy's: the parts' scores summed in their order, or the best.
//!
//! It also keeps the records matching at least some of the parts (a query's words when not
//! every one is found). tantivy's disjunction adds the parts' scores in the order its heap pops
//! them, which depends on where records lie in the segment: two builds of one folder laid out
//! differently gave one text scores a few thousandths apart. Here they are added in the parts'
//! order, wherever the records lie.

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, Score, SegmentReader, Term};
use tantivy::{DocSet, SeekDangerResult, TERMINATED};

/// How the scores of the parts a record matches make its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// Summed, as a boolean query's optional clauses.
    Sum,
    /// The best of them, as a disjunction-max query without tie breaker.
    Best,
}

/// Records matching any of the parts (or at least `minimum` of them).
#[derive(Debug)]
pub struct LazyUnionQuery {
    parts: Vec<Box<dyn Query>>,
    combine: Combine,
    minimum: usize,
}

impl LazyUnionQuery {
    pub fn new(parts: Vec<Box<dyn Query>>, combine: Combine) -> LazyUnionQuery {
        LazyUnionQuery {
            parts,
            combine,
            minimum: 1,
        }
    }

    /// Records matching at least `minimum` of the parts, their scores summed.
    pub fn at_least(parts: Vec<Box<dyn Query>>, minimum: usize) -> LazyUnionQuery {
        LazyUnionQuery {
            parts,
            combine: Combine::Sum,
            minimum: minimum.max(1),
        }
    }
}

impl Clone for LazyUnionQuery {
    fn clone(&self) -> Self {
        LazyUnionQuery {
            parts: self.parts.iter().map(|part| part.box_clone()).collect(),
            combine: self.combine,
            minimum: self.minimum,
        }
    }
}

impl Query for LazyUnionQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let parts = self
            .parts
            .iter()
            .map(|part| part.weight(enable_scoring))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(LazyUnionWeight {
            parts,
            combine: self.combine,
            minimum: self.minimum,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for part in &self.parts {
            part.query_terms(visitor);
        }
    }
}

struct LazyUnionWeight {
    parts: Vec<Box<dyn Weight>>,
    combine: Combine,
    minimum: usize,
}

impl Weight for LazyUnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut parts = Vec::with_capacity(self.parts.len());
        for weight in &self.parts {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                parts.push(scorer);
            }
        }
        // `minimum` is at least one: no part, no match.
        if parts.len() < self.minimum {
            return Ok(Box::new(EmptyScorer));
        }
        if parts.len() == 1 {
            // One part's score is the same summed or best.
            return Ok(parts.remove(0));
        }
        Ok(Box::new(LazyUnionScorer::new(
            parts,
            self.combine,
            self.minimum,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "record {doc} does not match the union"
            )));
        }
        let description = match self.combine {
            Combine::Sum if self.minimum > 1 => "sum of the matching parts, enough of them",
            Combine::Sum => "sum of the matching parts",
            Combine::Best => "best of the matching parts",
        };
        Ok(Explanation::new(description, scorer.score()))
    }
}

/// The answer to a `seek_danger` about `target` that a docset standing on `doc` knows without
/// moving: `target` at or before `doc` (the record it stands on, or the one it last missed, with
/// `missed` the lowest record it may be on next), or past the end. `None`: it must look.
pub(super) fn asked_again(
    target: DocId,
    doc: DocId,
    missed: Option<DocId>,
) -> Option<SeekDangerResult> {
    if target >= TERMINATED {
        return Some(SeekDangerResult::SeekLowerBound(TERMINATED));
    }
    if target > doc {
        return None;
    }
    Some(match missed {
        // Asked again about the record it just missed (tantivy's exclusion asks twice when
        // sought to a record it has checked): the same answer.
        Some(bound) if target == doc => SeekDangerResult::SeekLowerBound(bound),
        // Nothing is known before the missed record: one record further.
        Some(_) => SeekDangerResult::SeekLowerBound(target + 1),
        None if target == doc => SeekDangerResult::Found,
        // On a record after `target`, with none between.
        None => SeekDangerResult::SeekLowerBound(doc),
    })
}

/// Where a docset stands, for asking it about single records (`seek_danger`).
#[derive(Debug, Clone, Copy)]
pub(super) enum Place {
    /// On this record (or terminated): it may be advanced, sought and scored.
    On(DocId),
    /// After a `seek_danger` that missed: its next record is at this one or later, and it may
    /// only be asked with `seek_danger` until it answers found.
    Beyond(DocId),
}

impl Place {
    /// The lowest record the docset may be on.
    fn lowest(self) -> DocId {
        match self {
            Place::On(doc) | Place::Beyond(doc) => doc,
        }
    }

    /// Whether `docset`, standing here, holds `target`; asks it only when its place does not
    /// tell, and stands where the answer leaves it. Targets must grow from one question to the
    /// next, as `seek_danger` requires.
    pub(super) fn holds(&mut self, docset: &mut dyn DocSet, target: DocId) -> bool {
        match *self {
            Place::On(doc) if doc >= target => doc == target,
            Place::Beyond(bound) if bound > target => false,
            _ => match docset.seek_danger(target) {
                SeekDangerResult::Found => {
                    *self = Place::On(target);
                    true
                }
                SeekDangerResult::SeekLowerBound(bound) => {
                    *self = Place::Beyond(bound);
                    false
                }
            },
        }
    }
}

pub struct LazyUnionScorer {
    parts: Vec<Box<dyn Scorer>>,
    places: Vec<Place>,
    combine: Combine,
    /// How many parts a record must match.
    minimum: usize,
    doc: DocId,
    /// After a `seek_danger` that missed `doc`: the lowest record the parts may be on.
    missed: Option<DocId>,
    score: Option<Score>,
}

impl LazyUnionScorer {
    fn new(parts: Vec<Box<dyn Scorer>>, combine: Combine, minimum: usize) -> LazyUnionScorer {
        let places: Vec<Place> = parts.iter().map(|part| Place::On(part.doc())).collect();
        let mut union = LazyUnionScorer {
            parts,
            places,
            combine,
            minimum,
            doc: 0,
            missed: None,
            score: None,
        };
        union.doc = union.first_with_enough_parts();
        union
    }

    /// How many parts stand on `doc`.
    fn parts_on(&self, doc: DocId) -> usize {
        self.places
            .iter()
            .filter(|place| matches!(place, Place::On(on) if *on == doc))
            .count()
    }

    /// The smallest record that enough parts stand on, moving past those that too few hold;
    /// every part must be on a record.
    fn first_with_enough_parts(&mut self) -> DocId {
        loop {
            let doc = self.smallest_on();
            if doc == TERMINATED || self.minimum <= 1 || self.parts_on(doc) >= self.minimum {
                return doc;
            }
            self.advance_parts_on(doc);
        }
    }

    /// Moves the parts standing on `doc` to their next record.
    fn advance_parts_on(&mut self, doc: DocId) {
        for index in 0..self.parts.len() {
            if let Place::On(on) = self.places[index]
                && on == doc
            {
                self.places[index] = Place::On(self.parts[index].advance());
            }
        }
    }

    /// The smallest record the parts stand on; every part must be on one.
    fn smallest_on(&self) -> DocId {
        self.places
            .iter()
            .map(|place| place.lowest())
            .min()
            .unwrap_or(TERMINATED)
    }

    /// Puts a part that missed a `seek_danger` back on a record: its first at `target` or
    /// later. Asking with `seek_danger` until found is what its contract allows.
    fn settle(&mut self, index: usize, target: DocId) {
        let Place::Beyond(mut bound) = self.places[index] else {
            return;
        };
        bound = bound.max(target);
        let part = &mut self.parts[index];
        while bound < TERMINATED {
            match part.seek_danger(bound) {
                SeekDangerResult::Found => break,
                SeekDangerResult::SeekLowerBound(next) => bound = next,
            }
        }
        self.places[index] = Place::On(bound.min(TERMINATED));
    }
}

impl DocSet for LazyUnionScorer {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        if current == TERMINATED {
            return TERMINATED;
        }
        self.advance_parts_on(current);
        for index in 0..self.parts.len() {
            // A part that missed a question stands beyond `current`: past it already.
            self.settle(index, current + 1);
        }
        self.score = None;
        self.missed = None;
        self.doc = self.first_with_enough_parts();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if target <= self.doc {
            return self.doc;
        }
        for index in 0..self.parts.len() {
            match self.places[index] {
                Place::On(doc) if doc < target => {
                    self.places[index] = Place::On(self.parts[index].seek(target));
                }
                Place::On(_) => {}
                Place::Beyond(_) => self.settle(index, target),
            }
        }
        self.score = None;
        self.missed = None;
        self.doc = self.first_with_enough_parts();
        self.doc
    }

    /// Asks each part about `target` alone; parts that miss are left beyond it (a phrase part
    /// reads positions only if `target` holds all its terms).
    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if let Some(answer) = asked_again(target, self.doc, self.missed) {
            return answer;
        }
        let mut holding = 0;
        let mut lowest = TERMINATED;
        for index in 0..self.parts.len() {
            let place = &mut self.places[index];
            if place.holds(self.parts[index].as_mut(), target) {
                holding += 1;
            } else {
                lowest = lowest.min(place.lowest());
            }
        }
        self.score = None;
        self.doc = target;
        if holding >= self.minimum {
            self.missed = None;
            SeekDangerResult::Found
        } else {
            // The union stands on no record until it is found again; its lowest bound says
            // where to ask next (the record after `target` when too few parts held it).
            if holding > 0 {
                lowest = target + 1;
            }
            self.missed = Some(lowest);
            SeekDangerResult::SeekLowerBound(lowest)
        }
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.parts
            .iter()
            .map(|part| part.size_hint())
            .max()
            .unwrap_or(0)
    }

    fn cost(&self) -> u64 {
        self.parts.iter().map(|part| part.cost()).sum()
    }
}

impl Scorer for LazyUnionScorer {
    fn score(&mut self) -> Score {
        if let Some(score) = self.score {
            return score;
        }
        let current = self.doc;
        // As tantivy's combiners add them: in the parts' order, from zero.
        let mut sum: Score = 0.0;
        let mut best: Score = 0.0;
        for index in 0..self.parts.len() {
            if let Place::On(doc) = self.places[index]
                && doc == current
            {
                let score = self.parts[index].score();
                sum += score;
                best = Score::max(score, best);
            }
        }
        let score = match self.combine {
            Combine::Sum => sum,
            Combine::Best => best + (sum - best) * 0.0,
        };
        self.score = Some(score);
        score
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records from a list, each scored 1.
    struct Listed {
        docs: Vec<DocId>,
        at: usize,
    }

    impl DocSet for Listed {
        fn advance(&mut self) -> DocId {
            self.at += 1;
            self.doc()
        }
        fn doc(&self) -> DocId {
            self.docs.get(self.at).copied().unwrap_or(TERMINATED)
        }
        fn size_hint(&self) -> u32 {
            self.docs.len() as u32
        }
    }

    impl Scorer for Listed {
        fn score(&mut self) -> Score {
            1.0
        }
    }

    fn part(docs: &[DocId]) -> Box<dyn Scorer> {
        Box::new(Listed {
            docs: docs.to_vec(),
            at: 0,
        })
    }

    #[test]
    fn seek_danger_finds_exactly_the_records_of_either_part() {
        let mut union =
            LazyUnionScorer::new(vec![part(&[3, 8, 20]), part(&[5, 8, 30])], Combine::Sum, 1);
        let found: Vec<DocId> = (0..40)
            .filter(|doc| union.seek_danger(*doc) == SeekDangerResult::Found)
            .collect();
        assert_eq!(found, vec![3, 5, 8, 20, 30]);
    }

    #[test]
    fn a_record_missed_is_missed_when_asked_again() {
        // tantivy's exclusion asks again about a record it checked when it is sought there.
        let mut union = LazyUnionScorer::new(vec![part(&[3, 20]), part(&[5])], Combine::Sum, 1);
        assert_eq!(union.seek_danger(3), SeekDangerResult::Found);
        assert_eq!(union.seek_danger(8), SeekDangerResult::SeekLowerBound(20));
        assert_eq!(union.seek_danger(8), SeekDangerResult::SeekLowerBound(20));
        assert_eq!(union.seek_danger(20), SeekDangerResult::Found);
        assert_eq!(union.seek_danger(20), SeekDangerResult::Found);
        assert_eq!(union.advance(), TERMINATED);
    }

    #[test]
    fn advancing_after_questions_visits_every_later_record_once() {
        let mut union = LazyUnionScorer::new(
            vec![part(&[2, 9, 14, 15]), part(&[4, 9, 12])],
            Combine::Best,
            1,
        );
        assert_eq!(union.seek_danger(6), SeekDangerResult::SeekLowerBound(9));
        assert_eq!(union.seek_danger(9), SeekDangerResult::Found);
        let mut rest = Vec::new();
        while union.advance() != TERMINATED {
            rest.push(union.doc());
        }
        assert_eq!(rest, vec![12, 14, 15]);
    }

    #[test]
    fn at_least_two_parts_keeps_the_records_two_parts_hold_however_they_are_reached() {
        let lists: [&[DocId]; 3] = [&[1, 4, 7, 9], &[4, 5, 9, 11], &[2, 5, 9, 12]];
        let union = || {
            LazyUnionScorer::new(
                lists.iter().map(|docs| part(docs)).collect(),
                Combine::Sum,
                2,
            )
        };
        let mut walked = union();
        let mut advanced = vec![walked.doc()];
        while walked.advance() != TERMINATED {
            advanced.push(walked.doc());
        }
        assert_eq!(advanced, vec![4, 5, 9]);
        let mut asked = union();
        let found: Vec<DocId> = (0..14)
            .filter(|doc| asked.seek_danger(*doc) == SeekDangerResult::Found)
            .collect();
        assert_eq!(found, advanced);
        let mut scored = union();
        assert_eq!(scored.seek(9), 9);
        assert_eq!(scored.score(), 3.0);
    }
}
