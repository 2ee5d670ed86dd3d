//! Facet counts for a search without turning facet ordinals back into terms on every query.
//!
//! tantivy's `FacetCollector` looks each counted ordinal up in the term dictionary, which
//! decompresses dictionary blocks per query and per segment (a quarter of a one-word search's
//! time at 100k records). The index does not change while it is served, so each segment's
//! ordinal → (dimension, value) table is read once when the index is loaded, and a search only
//! counts ordinals.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use crate::index::FACET_FIELD;

/// The byte between the parts of an encoded facet path (tantivy's `FACET_SEP_BYTE`, which it
/// does not export; a test below pins it).
const FACET_SEPARATOR: u8 = 0;

/// What the facet ordinals of a segment count for. Most ordinals count for nothing a search
/// lists (each record's source file, the slot hierarchy): only the counted ones get a counter,
/// so a search zeroes and reads a few thousand counters per segment, not one per ordinal.
struct OrdinalTable {
    /// For each ordinal, its counter, or [`NOT_COUNTED`].
    counter_of: Vec<u32>,
    /// For each counter: the dimension's position in the roots the tables were built for, and
    /// the value.
    values: Vec<(usize, String)>,
}

const NOT_COUNTED: u32 = u32::MAX;

/// Per-segment ordinal tables for the facet roots that searches count (`municipality`,
/// `slot_key`, …: facets one level below a root).
pub struct FacetTables {
    roots: Vec<String>,
    by_segment: HashMap<SegmentId, Arc<OrdinalTable>>,
}

impl FacetTables {
    /// Reads every segment's facet dictionary once.
    pub fn build(searcher: &Searcher, roots: &[&str]) -> tantivy::Result<FacetTables> {
        let roots: Vec<String> = roots.iter().map(|root| root.to_string()).collect();
        let mut by_segment = HashMap::new();
        for segment_reader in searcher.segment_readers() {
            by_segment.insert(
                segment_reader.segment_id(),
                Arc::new(ordinal_table(segment_reader, &roots)?),
            );
        }
        Ok(FacetTables { roots, by_segment })
    }

    /// A collector counting, for each root, the documents per value.
    pub fn collector(self: &Arc<Self>) -> FacetCounter {
        FacetCounter {
            tables: self.clone(),
        }
    }
}

fn ordinal_table(
    segment_reader: &SegmentReader,
    roots: &[String],
) -> tantivy::Result<OrdinalTable> {
    let facet_reader = segment_reader.facet_reader(FACET_FIELD)?;
    let mut table = OrdinalTable {
        counter_of: vec![NOT_COUNTED; facet_reader.num_facets()],
        values: Vec::new(),
    };
    let mut stream = facet_reader.facet_dict().stream()?;
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
            table.counter_of.get_mut(stream.term_ord() as usize),
            std::str::from_utf8(value),
        ) {
            *counter = table.values.len() as u32;
            table.values.push((dimension, value.to_string()));
        }
    }
    Ok(table)
}

/// Counts per root and value: `counts[dimension][value]`.
pub type FacetCountsByRoot = Vec<BTreeMap<String, u64>>;

pub struct FacetCounter {
    tables: Arc<FacetTables>,
}

pub struct SegmentFacetCounter {
    reader: tantivy::fastfield::FacetReader,
    table: Arc<OrdinalTable>,
    counts: Vec<u32>,
    dimensions: usize,
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
        let reader = segment_reader.facet_reader(FACET_FIELD)?;
        Ok(SegmentFacetCounter {
            counts: vec![0; table.values.len()],
            reader,
            table,
            dimensions: self.tables.roots.len(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetCountsByRoot>) -> tantivy::Result<FacetCountsByRoot> {
        let mut merged: FacetCountsByRoot = vec![BTreeMap::new(); self.tables.roots.len()];
        for fruit in fruits {
            for (dimension, counts) in fruit.into_iter().enumerate() {
                for (value, count) in counts {
                    *merged[dimension].entry(value).or_default() += count;
                }
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = FacetCountsByRoot;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for ordinal in self.reader.facet_ords(doc) {
            let counter = self
                .table
                .counter_of
                .get(ordinal as usize)
                .copied()
                .unwrap_or(NOT_COUNTED);
            if let Some(count) = self.counts.get_mut(counter as usize) {
                *count += 1;
            }
        }
    }

    fn harvest(self) -> FacetCountsByRoot {
        let mut counts: FacetCountsByRoot = vec![BTreeMap::new(); self.dimensions];
        for (counter, count) in self.counts.into_iter().enumerate() {
            if count == 0 {
                continue;
            }
            if let Some((dimension, value)) = self.table.values.get(counter) {
                *counts[*dimension].entry(value.clone()).or_default() += u64::from(count);
            }
        }
        counts
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
