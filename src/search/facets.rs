//! Facet counts for a search without turning facet ordinals back into terms on every query.
//!
//! tantivy's `FacetCollector` looks each counted ordinal up in the term dictionary, which
//! decompresses dictionary blocks per query and per segment (a quarter of a one-word search's
//! time at 100k records). The index does not change while it is served, so each segment's
//! ordinal → (dimension, value) table is read once when the index is loaded, and a search only
//! counts ordinals.
//!
//! Most dimensions are the document's (団体, 都道府県, 事務, 種類, 様式, file): every record of a
//! document counts for the same values. Reading each match's ordinals (a dozen per record) was
//! most of a broad search's counting at 1M records, so the load also works out, per segment,
//! which values all records of a document share and which are a record's own (slot, actor,
//! rating); a search counts each match once for its document and once for each value of its
//! own, and adds each document's count to its shared values at the end.
//!
//! Each value also has a number across segments, given at load: a segment's counts leave it as
//! (number, count) pairs and are added up by number, so a search writes out each value it
//! counted once, not once per segment.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use super::FacetCount;
use super::number_hash::NumberMap;
use super::runs::{RunCursor, SegmentRuns, Step, TextRuns};
use crate::index::{DOCUMENT_FIELD, FACET_FIELD};

/// The byte between the parts of an encoded facet path (tantivy's `FACET_SEP_BYTE`, which it
/// does not export; a test below pins it).
const FACET_SEPARATOR: u8 = 0;

/// What the facet ordinals of a segment count for. Most ordinals count for nothing a search
/// lists (each record's source file, the slot hierarchy): only the counted ones get a counter,
/// so a search zeroes and reads a few thousand counters per segment, not one per ordinal.
struct OrdinalTable {
    /// The segment's facet column, opened once: opening it reads its dictionary's headers,
    /// which every search paid for each segment.
    reader: tantivy::fastfield::FacetReader,
    /// For each ordinal, its counter, or [`NOT_COUNTED`].
    counter_of: Vec<u32>,
    /// For each counter: the dimension's position in the roots the tables were built for, and
    /// the value.
    values: Vec<(usize, String)>,
    /// For each counter, its value's number across the segments ([`FacetTables::values`]);
    /// `None` for a table read during a search.
    numbers: Option<Vec<u32>>,
    /// The counters of each record split into its document's and its own; `None` for a
    /// segment without documents' numbers (then each match's ordinals are read).
    records: Option<RecordCounters>,
    /// Counters of earlier searches, zero again (see [`Counting`]).
    spare: std::sync::Mutex<Vec<Counting>>,
    /// The segment's long runs of one text, with what each run's current records count for
    /// (see [`super::runs`]); `None` for a segment without long runs (and for a table read
    /// during a search).
    runs: Option<RunCounts>,
}

/// Per long run of one text, its counters with how many of its current records have each.
struct RunCounts {
    runs: Arc<SegmentRuns>,
    starts: Vec<u32>,
    counts: Vec<(u32, u32)>,
}

impl RunCounts {
    /// Sums each run's counters, `counters_of` giving a record's.
    fn sum(runs: Arc<SegmentRuns>, counters_of: impl Fn(DocId, &mut Vec<u32>)) -> RunCounts {
        let mut starts = vec![0];
        let mut counts: Vec<(u32, u32)> = Vec::new();
        let mut counters: Vec<u32> = Vec::new();
        for run in 0..runs.len() {
            counters.clear();
            for &record in runs.records(run) {
                counters_of(record, &mut counters);
            }
            counters.sort_unstable();
            let run_start = counts.len();
            for counter in &counters {
                match counts[run_start..].last_mut() {
                    Some((last, count)) if last == counter => *count += 1,
                    _ => counts.push((*counter, 1)),
                }
            }
            starts.push(counts.len() as u32);
        }
        RunCounts {
            runs,
            starts,
            counts,
        }
    }

    fn of(&self, run: usize) -> &[(u32, u32)] {
        match (self.starts.get(run), self.starts.get(run + 1)) {
            (Some(start), Some(end)) => self
                .counts
                .get(*start as usize..*end as usize)
                .unwrap_or_default(),
            _ => &[],
        }
    }
}

/// The counters of a segment's records, split by what their documents share.
struct RecordCounters {
    /// For each record, its document's position among the segment's documents.
    document_of: Vec<u32>,
    /// For each of those documents, the counters all its records have.
    shared: CounterLists,
    /// For each record, its counters its document does not share.
    own: CounterLists,
}

impl RecordCounters {
    /// Reads every record's counted ordinals and splits them.
    fn read(
        segment_reader: &SegmentReader,
        facet_reader: &tantivy::fastfield::FacetReader,
        counter_of: &[u32],
    ) -> Option<RecordCounters> {
        let documents = segment_reader.fast_fields().u64(DOCUMENT_FIELD).ok()?;
        let records = segment_reader.max_doc();
        let mut position_of: HashMap<u64, u32> = HashMap::new();
        let mut document_of = Vec::with_capacity(records as usize);
        let mut counters = CounterLists::default();
        // The counters every record of a document has so far (sorted).
        let mut shared_of: Vec<Vec<u32>> = Vec::new();
        for record in 0..records {
            let document = documents.first(record)?;
            let next_position = position_of.len() as u32;
            let position = *position_of.entry(document).or_insert(next_position);
            document_of.push(position);
            counters.push(counted(facet_reader, counter_of, record));
            let own = counters.last_mut();
            own.sort_unstable();
            if position == next_position {
                shared_of.push(own.to_vec());
            } else if let Some(shared) = shared_of.get_mut(position as usize) {
                shared.retain(|counter| own.binary_search(counter).is_ok());
            }
        }
        let mut shared = CounterLists::default();
        for counters in &shared_of {
            shared.push(counters.iter().copied());
        }
        let mut own = CounterLists::default();
        for (record, position) in document_of.iter().enumerate() {
            let document_shared = &shared_of[*position as usize];
            own.push(
                counters
                    .get(record)
                    .unwrap_or_default()
                    .iter()
                    .copied()
                    .filter(|counter| document_shared.binary_search(counter).is_err()),
            );
        }
        Some(RecordCounters {
            document_of,
            shared,
            own,
        })
    }
}

impl RecordCounters {
    /// Adds a record's counters (its document's and its own) to `counters`.
    fn counters_of(&self, record: DocId, counters: &mut Vec<u32>) {
        let record = record as usize;
        if let Some(position) = self.document_of.get(record) {
            counters.extend_from_slice(self.shared.get(*position as usize).unwrap_or_default());
        }
        counters.extend_from_slice(self.own.get(record).unwrap_or_default());
    }
}

/// Lists of counters one after another, each found by its number.
#[derive(Default)]
struct CounterLists {
    /// Where each list starts in `counters`, and where the last ends.
    starts: Vec<u32>,
    counters: Vec<u32>,
}

impl CounterLists {
    fn push(&mut self, counters: impl IntoIterator<Item = u32>) {
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        self.counters.extend(counters);
        self.starts.push(self.counters.len() as u32);
    }

    fn get(&self, index: usize) -> Option<&[u32]> {
        let start = *self.starts.get(index)? as usize;
        let end = *self.starts.get(index + 1)? as usize;
        self.counters.get(start..end)
    }

    /// The list pushed last.
    fn last_mut(&mut self) -> &mut [u32] {
        let start = self
            .starts
            .len()
            .checked_sub(2)
            .map_or(0, |last| self.starts[last]);
        &mut self.counters[start as usize..]
    }

    fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }
}

const NOT_COUNTED: u32 = u32::MAX;

/// A record's counters, read from its facet ordinals (the ordinals no search counts left out).
fn counted<'a>(
    reader: &'a tantivy::fastfield::FacetReader,
    counter_of: &'a [u32],
    record: DocId,
) -> impl Iterator<Item = u32> + 'a {
    reader
        .facet_ords(record)
        .filter_map(|ordinal| counter_of.get(ordinal as usize).copied())
        .filter(|counter| *counter != NOT_COUNTED)
}

/// Per-segment ordinal tables for the facet roots that searches count (`municipality`,
/// `slot_key`, …: facets one level below a root).
pub struct FacetTables {
    roots: Vec<String>,
    by_segment: HashMap<SegmentId, Arc<OrdinalTable>>,
    /// Every counted value of every segment, once, by its number: its dimension and text
    /// (shared with each search's facets, which list up to a thousand values).
    values: Vec<(usize, Arc<str>)>,
    /// For each value by its number, its place among all values in the order of their texts:
    /// values with as many records are listed in that order, and comparing two places is
    /// cheaper than comparing two names (a 団体 facet ties hundreds of values on a count).
    name_rank: Vec<u32>,
}

impl FacetTables {
    /// Reads every segment's facet dictionary once and numbers the values across segments.
    pub fn build(
        searcher: &Searcher,
        roots: &[&str],
        runs: &TextRuns,
    ) -> tantivy::Result<FacetTables> {
        let roots: Vec<String> = roots.iter().map(|root| root.to_string()).collect();
        let mut by_segment = HashMap::new();
        let mut number_of: HashMap<(usize, String), u32> = HashMap::new();
        let mut values: Vec<(usize, Arc<str>)> = Vec::new();
        for segment_reader in searcher.segment_readers() {
            let mut table = ordinal_table(segment_reader, &roots)?;
            let segment_runs = runs.of(segment_reader.segment_id());
            // Every segment with runs gets their sums: a search by text alone never walks a
            // run's other records (see [`super::runs::first_of_each_run`]).
            if !segment_runs.is_empty() {
                let counts = match &table.records {
                    Some(records) => RunCounts::sum(segment_runs, |record, counters| {
                        records.counters_of(record, counters)
                    }),
                    None => RunCounts::sum(segment_runs, |record, counters| {
                        counters.extend(counted(&table.reader, &table.counter_of, record))
                    }),
                };
                table.runs = Some(counts);
            }
            let numbers = table
                .values
                .iter()
                .map(|value| {
                    *number_of.entry(value.clone()).or_insert_with(|| {
                        values.push((value.0, Arc::from(value.1.as_str())));
                        (values.len() - 1) as u32
                    })
                })
                .collect();
            table.numbers = Some(numbers);
            by_segment.insert(segment_reader.segment_id(), Arc::new(table));
        }
        let mut by_name: Vec<u32> = (0..values.len() as u32).collect();
        by_name.sort_unstable_by(|left, right| {
            values[*left as usize].1.cmp(&values[*right as usize].1)
        });
        let mut name_rank = vec![0; values.len()];
        for (rank, number) in by_name.into_iter().enumerate() {
            name_rank[number as usize] = rank as u32;
        }
        Ok(FacetTables {
            roots,
            by_segment,
            values,
            name_rank,
        })
    }

    /// A collector counting, for each root, the documents per value.
    pub fn collector(self: &Arc<Self>) -> FacetCounter {
        self.collector_by_runs(false)
    }

    /// The same, counting a long run of one text at once when `by_runs` (a search that
    /// selects records by their text alone, see [`super::runs`]).
    pub fn collector_by_runs(self: &Arc<Self>, by_runs: bool) -> FacetCounter {
        FacetCounter {
            tables: self.clone(),
            by_runs,
        }
    }
}

fn ordinal_table(
    segment_reader: &SegmentReader,
    roots: &[String],
) -> tantivy::Result<OrdinalTable> {
    let reader = segment_reader.facet_reader(FACET_FIELD)?;
    let mut counter_of = vec![NOT_COUNTED; reader.num_facets()];
    let mut values = Vec::new();
    let mut stream = reader.facet_dict().stream()?;
    while stream.advance() {
        // An encoded facet is its path's parts joined by FACET_SEPARATOR: root, then value.
        let mut parts = stream.key().split(|byte| *byte == FACET_SEPARATOR);
        let (Some(root), Some(value), None) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let Some(dimension) = roots
            .iter()
            .position(|candidate| candidate.as_bytes() == root)
        else {
            continue;
        };
        if let (Some(counter), Ok(value)) = (
            counter_of.get_mut(stream.term_ord() as usize),
            std::str::from_utf8(value),
        ) {
            *counter = values.len() as u32;
            values.push((dimension, value.to_string()));
        }
    }
    let records = RecordCounters::read(segment_reader, &reader, &counter_of);
    Ok(OrdinalTable {
        reader,
        counter_of,
        values,
        numbers: None,
        records,
        spare: std::sync::Mutex::new(Vec::new()),
        runs: None,
    })
}

/// Counts per root, each root's values with their counts, most records first (then by value).
pub type FacetCountsByRoot = Vec<Vec<FacetCount>>;

pub struct FacetCounter {
    tables: Arc<FacetTables>,
    by_runs: bool,
}

pub struct SegmentFacetCounter {
    table: Arc<OrdinalTable>,
    counting: Counting,
    cursor: Option<RunCursor>,
}

/// A segment's counts: (counter, count) for each counter not zero, with the segment's table.
pub struct SegmentCounts {
    table: Arc<OrdinalTable>,
    counts: Vec<(u32, u32)>,
}

/// A segment's counters during one search. Kept between searches (all zero again) in the
/// segment's table: a search touches a few hundred of the tens of thousands of counters (one
/// per file name), so allocating, zeroing and scanning them all per search was a tenth of a
/// three-word search.
#[derive(Default)]
struct Counting {
    counts: Vec<u32>,
    /// The counters that are not zero.
    touched: Vec<u32>,
    /// Matches per document (by position), when the table has the records' split.
    document_counts: Vec<u32>,
    touched_documents: Vec<u32>,
}

impl Counting {
    fn add(&mut self, counter: u32, matches: u32) {
        if let Some(count) = self.counts.get_mut(counter as usize) {
            if *count == 0 {
                self.touched.push(counter);
            }
            *count += matches;
        }
    }

    fn add_document(&mut self, position: u32) {
        if let Some(count) = self.document_counts.get_mut(position as usize) {
            if *count == 0 {
                self.touched_documents.push(position);
            }
            *count += 1;
        }
    }
}

impl OrdinalTable {
    /// Zeroed counters for one search of this segment.
    fn counting(&self) -> Counting {
        let spare = self
            .spare
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        spare.unwrap_or_else(|| Counting {
            counts: vec![0; self.values.len()],
            document_counts: vec![
                0;
                self.records
                    .as_ref()
                    .map_or(0, |records| records.shared.len())
            ],
            ..Counting::default()
        })
    }

    /// Takes back counters, all zero again, for the next search.
    fn give_back(&self, counting: Counting) {
        let mut spare = self
            .spare
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // As many as searches run at once; more would only hold memory.
        if spare.len() < 16 {
            spare.push(counting);
        }
    }
}

impl Collector for FacetCounter {
    type Fruit = FacetCountsByRoot;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _segment_ordinal: SegmentOrdinal,
        segment_reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        // A segment the tables do not know (cannot happen while the index is not reloaded in
        // place) gets its table read now rather than wrong counts.
        let table = match self.tables.by_segment.get(&segment_reader.segment_id()) {
            Some(table) => table.clone(),
            None => Arc::new(ordinal_table(segment_reader, &self.tables.roots)?),
        };
        let cursor = table
            .runs
            .as_ref()
            .filter(|runs| self.by_runs && !runs.runs.is_empty())
            .map(|runs| RunCursor::new(runs.runs.clone()));
        Ok(SegmentFacetCounter {
            counting: table.counting(),
            table,
            cursor,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentCounts>) -> tantivy::Result<FacetCountsByRoot> {
        // Values numbered across the segments are summed by number and named once, at the
        // end: a search's 団体 facet has up to 1,700 values, and summing them by name (a map of
        // cloned strings per search) was a tenth of an unspaced compound's search.
        let mut by_number: NumberMap<u32, u64> = NumberMap::default();
        // Values of a table read during a search (a segment the tables do not know), by name.
        let mut by_name: Vec<BTreeMap<String, u64>> = Vec::new();
        for fruit in &fruits {
            let table = &fruit.table;
            for &(counter, count) in &fruit.counts {
                match &table.numbers {
                    Some(numbers) => {
                        if let Some(number) = numbers.get(counter as usize) {
                            *by_number.entry(*number).or_default() += u64::from(count);
                        }
                    }
                    None => {
                        if let Some((dimension, value)) = table.values.get(counter as usize) {
                            if by_name.is_empty() {
                                by_name = vec![BTreeMap::new(); self.tables.roots.len()];
                            }
                            if let Some(counts) = by_name.get_mut(*dimension) {
                                *counts.entry(value.clone()).or_default() += u64::from(count);
                            }
                        }
                    }
                }
            }
        }
        if by_name.is_empty() {
            return Ok(self.named_by_number(by_number));
        }
        // Rare: a segment read during the search has values without numbers; all by name.
        for (number, count) in by_number {
            if let Some((dimension, value)) = self.tables.values.get(number as usize)
                && let Some(counts) = by_name.get_mut(*dimension)
            {
                *counts.entry(value.to_string()).or_default() += count;
            }
        }
        Ok(by_name
            .into_iter()
            .map(|dimension| {
                // In the map's order, the values' (a stable sort keeps it among equal counts):
                // most records first, then by value, as [`Self::named_by_number`] lists them.
                let mut counts: Vec<FacetCount> = dimension
                    .into_iter()
                    .map(|(value, count)| FacetCount {
                        value: Arc::from(value),
                        count,
                    })
                    .collect();
                counts.sort_by_key(|count| std::cmp::Reverse(count.count));
                counts
            })
            .collect())
    }
}

impl FacetCounter {
    /// Counts summed by number, named and listed as [`Collector::merge_fruits`] lists them:
    /// most records first, then in the order of the values' texts (compared by rank).
    fn named_by_number(&self, by_number: NumberMap<u32, u64>) -> FacetCountsByRoot {
        let tables = &self.tables;
        let mut numbered: Vec<Vec<(u32, u64)>> = vec![Vec::new(); tables.roots.len()];
        for (number, count) in by_number {
            if let Some((dimension, _)) = tables.values.get(number as usize)
                && let Some(counts) = numbered.get_mut(*dimension)
            {
                counts.push((number, count));
            }
        }
        // Sorted by one number per value, its count (most first) above its rank: a search's
        // facets list over a thousand values, and comparing two counts and then looking up two
        // ranks was a twentieth of an unspaced compound's search. Ranks are distinct, so the
        // order is the one the comparison gave.
        let sort_key = |&(number, count): &(u32, u64)| {
            let fewer = u64::from(u32::MAX - u32::try_from(count).unwrap_or(u32::MAX));
            let rank = tables
                .name_rank
                .get(number as usize)
                .copied()
                .unwrap_or(u32::MAX);
            (fewer << 32) | u64::from(rank)
        };
        numbered
            .into_iter()
            .map(|counts| {
                let mut keyed: Vec<(u64, u32, u64)> = counts
                    .iter()
                    .map(|counted| (sort_key(counted), counted.0, counted.1))
                    .collect();
                keyed.sort_unstable_by_key(|(key, _, _)| *key);
                keyed
                    .into_iter()
                    .filter_map(|(_, number, count)| {
                        let (_, value) = tables.values.get(number as usize)?;
                        Some(FacetCount {
                            value: value.clone(),
                            count,
                        })
                    })
                    .collect()
            })
            .collect()
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let (Some(cursor), Some(runs)) = (&mut self.cursor, &self.table.runs) {
            match cursor.step(doc) {
                Step::Skip => return,
                Step::Run(run) => {
                    for (counter, count) in runs.of(run) {
                        self.counting.add(*counter, *count);
                    }
                    return;
                }
                Step::Record => {}
            }
        }
        if let Some(records) = &self.table.records {
            let record = doc as usize;
            if let (Some(position), Some(own)) =
                (records.document_of.get(record), records.own.get(record))
            {
                self.counting.add_document(*position);
                for counter in own {
                    self.counting.add(*counter, 1);
                }
                return;
            }
        }
        for counter in counted(&self.table.reader, &self.table.counter_of, doc) {
            self.counting.add(counter, 1);
        }
    }

    fn harvest(mut self) -> SegmentCounts {
        let counting = &mut self.counting;
        // Each document's matches count for the values its records share.
        if let Some(records) = &self.table.records {
            for position in std::mem::take(&mut counting.touched_documents) {
                let position = position as usize;
                let matches = std::mem::take(&mut counting.document_counts[position]);
                for counter in records.shared.get(position).unwrap_or_default() {
                    counting.add(*counter, matches);
                }
            }
        }
        let counts = std::mem::take(&mut counting.touched)
            .into_iter()
            .map(|counter| {
                let count = std::mem::take(&mut counting.counts[counter as usize]);
                (counter, count)
            })
            .collect();
        self.table.give_back(std::mem::take(&mut self.counting));
        SegmentCounts {
            table: self.table,
            counts,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_encoded_facet_separator_is_the_zero_byte() {
        let facet = tantivy::schema::Facet::from_path(["municipality", "札幌市"]);
        assert_eq!(
            facet.encoded_str().as_bytes(),
            "municipality\u{0}札幌市".as_bytes()
        );
    }
}
