//! Long runs of one text: where a search that selects by text alone can count a run's records
//! once instead of one by one.
//!
//! Each segment keeps the records of one text side by side ([`crate::index::sorted_by_text`]),
//! and nationally a text is written by hundreds of bodies (the form's headings with every record
//! of a slot, a vendor's sentence): 目的外の入手 at 1M records matches 30,000 records in about
//! 1,500 texts. Whether a record matches a query of words, and how it scores, depends only on its
//! text, so a search without filters (beyond current versions) matches either every current
//! record of a text or none. Folding and facet counting then need each run's sum, not its
//! records: this module finds, once per loaded generation, the runs long enough to be worth it,
//! and [`super::fold`] and [`super::facets`] keep each run's sums beside them.
//!
//! A collector asks [`RunCursor::step`] about each match in order: the first current record of
//! a long run stands for the whole run, the run's other records are skipped, every other record
//! is counted on its own.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::query::{Query, Scorer, Weight};
use tantivy::{BitSet, DocId, DocSet, Score, Searcher, SegmentOrdinal, SegmentReader, TERMINATED};

use super::wrapped::{WrapScorers, Wrapped};
use crate::index::{IndexError, TEXT_KEY_FIELD, sorted_by_text};

/// Fewest current records a run needs to be counted as one: shorter runs cost less to count
/// record by record than their sums cost to keep.
pub const SHORTEST_RUN: usize = 8;

/// The long runs of one segment, in record order.
#[derive(Debug, Default)]
pub struct SegmentRuns {
    /// Per run, its first record that is live and of a current version (the one a search
    /// meets first), and one past its last record.
    first: Vec<DocId>,
    end: Vec<DocId>,
    /// Per run, its live records of current versions, ascending.
    records: Vec<Vec<DocId>>,
}

impl SegmentRuns {
    /// Finds the runs of `segment` with at least [`SHORTEST_RUN`] live records of current
    /// versions (`current`).
    fn find(segment: &SegmentReader, current: &BitSet) -> Result<SegmentRuns, IndexError> {
        let keys = segment
            .fast_fields()
            .u64(TEXT_KEY_FIELD)?
            .first_or_default_col(0);
        let alive = segment.alive_bitset();
        let counted =
            |doc: DocId| current.contains(doc) && alive.is_none_or(|alive| alive.is_alive(doc));
        let mut runs = SegmentRuns::default();
        let max_doc = segment.max_doc();
        let mut start = 0;
        while start < max_doc {
            let key = keys.get_val(start);
            let mut end = start + 1;
            while end < max_doc && keys.get_val(end) == key {
                end += 1;
            }
            if (end - start) as usize >= SHORTEST_RUN {
                let records: Vec<DocId> = (start..end).filter(|doc| counted(*doc)).collect();
                if records.len() >= SHORTEST_RUN {
                    runs.first.push(records[0]);
                    runs.end.push(end);
                    runs.records.push(records);
                }
            }
            start = end;
        }
        Ok(runs)
    }

    /// How many long runs the segment has.
    pub fn len(&self) -> usize {
        self.first.len()
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_empty()
    }

    /// The live records of current versions of run `run`.
    pub fn records(&self, run: usize) -> &[DocId] {
        self.records.get(run).map_or(&[], Vec::as_slice)
    }
}

/// The long runs of every segment of a loaded generation.
#[derive(Debug, Default)]
pub struct TextRuns(HashMap<SegmentId, Arc<SegmentRuns>>);

impl TextRuns {
    /// Finds the long runs of every segment; an index whose records do not lie in text order
    /// has none (its runs are not side by side).
    pub fn find(
        searcher: &Searcher,
        current_of: impl Fn(SegmentId) -> Option<Arc<BitSet>>,
    ) -> Result<TextRuns, IndexError> {
        let mut segments = HashMap::new();
        if !sorted_by_text(searcher.index()) {
            return Ok(TextRuns(segments));
        }
        for segment in searcher.segment_readers() {
            let Some(current) = current_of(segment.segment_id()) else {
                continue;
            };
            segments.insert(
                segment.segment_id(),
                Arc::new(SegmentRuns::find(segment, &current)?),
            );
        }
        Ok(TextRuns(segments))
    }

    /// The long runs of a segment (none for a segment loaded after the runs were found).
    pub fn of(&self, segment: SegmentId) -> Arc<SegmentRuns> {
        self.0.get(&segment).cloned().unwrap_or_default()
    }
}

/// What a collector does with a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The first current record of long run `usize`: count the whole run now.
    Run(usize),
    /// Another record of the run just counted.
    Skip,
    /// A record counted on its own.
    Record,
}

/// A collector's walk through one segment's long runs, as its matches come in record order.
#[derive(Debug)]
pub struct RunCursor {
    runs: Arc<SegmentRuns>,
    /// The next run whose first record has not been passed.
    next: usize,
    /// Matches before this record belong to the run last counted.
    skip_until: DocId,
}

impl RunCursor {
    pub fn new(runs: Arc<SegmentRuns>) -> RunCursor {
        RunCursor {
            runs,
            next: 0,
            skip_until: 0,
        }
    }

    /// The runs walked.
    pub fn runs(&self) -> &SegmentRuns {
        &self.runs
    }

    /// What to do with the match `doc` (matches come in ascending order). Only a search that
    /// selects records by their text alone may count runs: it matches every current record of
    /// a run or none.
    pub fn step(&mut self, doc: DocId) -> Step {
        if doc < self.skip_until {
            return Step::Skip;
        }
        let first = &self.runs.first;
        if self.next < first.len() && first[self.next] < doc {
            // Runs passed without a match (or entered after their first record, which a search
            // by text alone never does: those records are counted one by one).
            self.next += first[self.next..].partition_point(|start| *start < doc);
        }
        match first.get(self.next) {
            Some(start) if *start == doc => {
                let run = self.next;
                self.skip_until = self.runs.end[run];
                self.next += 1;
                Step::Run(run)
            }
            _ => Step::Record,
        }
    }
}

/// A query's matches with each long run of one text given by its first current record alone
/// (`Wrapped<TextRuns>`, [`first_of_each_run`]): for a search whose every collector counts a
/// run at that record (folding and facets, see [`RunCursor`]), walking the run's other records
/// one by one only to skip them was a tenth of a broad search. Only for a search that selects
/// records by their text alone.
impl WrapScorers for TextRuns {
    const NAME: &'static str = "FirstOfEachRun";

    fn scorer(
        &self,
        reader: &SegmentReader,
        inner: &dyn Weight,
        boost: Score,
    ) -> tantivy::Result<Box<dyn Scorer>> {
        let scorer = inner.scorer(reader, boost)?;
        let runs = self.of(reader.segment_id());
        if runs.is_empty() {
            return Ok(scorer);
        }
        let mut first_of_each = FirstOfEachRunScorer {
            scorer,
            cursor: RunCursor::new(runs),
            skip_to: 0,
        };
        let first = first_of_each.scorer.doc();
        first_of_each.stand_on(first);
        Ok(Box::new(first_of_each))
    }
}

/// `query` with each long run given by its first current record alone.
pub fn first_of_each_run(runs: Arc<TextRuns>, query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(Wrapped::new(runs, query))
}

/// A collector of every record, for a query given each long run by its first record alone
/// ([`first_of_each_run`]): it hands `inner` each current record of the run with the first's
/// score, as walking the run would have (a search by text alone matches and scores every
/// current record of a text alike), so a page of records and its count are the same while the
/// query steps over the run. A ranking of records (`fold=off`, the similar search's list) then
/// walks each run once, not record by record.
pub struct EachRecordOfRuns<C> {
    inner: C,
    runs: Arc<TextRuns>,
}

impl<C> EachRecordOfRuns<C> {
    /// `inner` given each record of a long run at its first when `by_runs` (a search that
    /// selects records by their text alone, its query wrapped by [`first_of_each_run`]);
    /// otherwise `inner` as it is: under a filter a run's first match does not stand for the
    /// run's other records.
    pub fn new(inner: C, runs: &Arc<TextRuns>, by_runs: bool) -> EachRecordOfRuns<C> {
        EachRecordOfRuns {
            inner,
            runs: if by_runs {
                runs.clone()
            } else {
                Arc::default()
            },
        }
    }
}

pub struct SegmentEachRecordOfRuns<C> {
    inner: C,
    cursor: RunCursor,
}

impl<C: Collector> Collector for EachRecordOfRuns<C> {
    type Fruit = C::Fruit;
    type Child = SegmentEachRecordOfRuns<C::Child>;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(SegmentEachRecordOfRuns {
            inner: self.inner.for_segment(segment, reader)?,
            cursor: RunCursor::new(self.runs.of(reader.segment_id())),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<C::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<C::Fruit> {
        self.inner.merge_fruits(fruits)
    }
}

impl<C: SegmentCollector> SegmentCollector for SegmentEachRecordOfRuns<C> {
    type Fruit = C::Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        match self.cursor.step(doc) {
            Step::Run(run) => {
                for &record in self.cursor.runs().records(run) {
                    self.inner.collect(record, score);
                }
            }
            // Another record of a run already handed over (a query not wrapped to step over
            // runs gives them too).
            Step::Skip => {}
            Step::Record => self.inner.collect(doc, score),
        }
    }

    fn harvest(self) -> C::Fruit {
        self.inner.harvest()
    }
}

struct FirstOfEachRunScorer {
    scorer: Box<dyn Scorer>,
    cursor: RunCursor,
    /// After the first record of a run: where the next match may lie (the run's end).
    skip_to: DocId,
}

impl FirstOfEachRunScorer {
    /// Stands on the inner scorer's `doc`; when it opens a long run, the run's other records
    /// are stepped over by the next move.
    fn stand_on(&mut self, doc: DocId) -> DocId {
        if doc != TERMINATED
            && let Step::Run(run) = self.cursor.step(doc)
        {
            self.skip_to = self.cursor.runs().end[run];
        }
        doc
    }
}

impl DocSet for FirstOfEachRunScorer {
    fn advance(&mut self) -> DocId {
        let doc = self.scorer.doc();
        let next = if doc != TERMINATED && self.skip_to > doc + 1 {
            self.scorer.seek(self.skip_to)
        } else {
            self.scorer.advance()
        };
        self.stand_on(next)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let next = self.scorer.seek(target.max(self.skip_to));
        self.stand_on(next)
    }

    fn doc(&self) -> DocId {
        self.scorer.doc()
    }

    fn size_hint(&self) -> u32 {
        self.scorer.size_hint()
    }

    fn cost(&self) -> u64 {
        self.scorer.cost()
    }
}

impl Scorer for FirstOfEachRunScorer {
    fn score(&mut self) -> Score {
        self.scorer.score()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(spans: &[(DocId, DocId)]) -> Arc<SegmentRuns> {
        let mut runs = SegmentRuns::default();
        for (first, end) in spans {
            runs.first.push(*first);
            runs.end.push(*end);
            runs.records.push((*first..*end).collect());
        }
        Arc::new(runs)
    }

    #[test]
    fn a_run_is_counted_at_its_first_record_and_its_others_are_skipped() {
        let mut cursor = RunCursor::new(runs(&[(10, 20), (30, 40)]));
        let steps: Vec<Step> = [3, 10, 11, 19, 20, 30, 35, 41]
            .into_iter()
            .map(|doc| cursor.step(doc))
            .collect();
        assert_eq!(
            steps,
            [
                Step::Record,
                Step::Run(0),
                Step::Skip,
                Step::Skip,
                Step::Record,
                Step::Run(1),
                Step::Skip,
                Step::Record,
            ]
        );
    }

    #[test]
    fn a_run_entered_after_its_first_record_is_counted_record_by_record() {
        let mut cursor = RunCursor::new(runs(&[(10, 20), (30, 40), (50, 60)]));
        assert_eq!(cursor.step(12), Step::Record);
        assert_eq!(cursor.step(13), Step::Record);
        // Runs passed without a match are stepped over at once.
        assert_eq!(cursor.step(50), Step::Run(2));
        assert_eq!(cursor.step(59), Step::Skip);
        assert_eq!(cursor.step(60), Step::Record);
    }
}
