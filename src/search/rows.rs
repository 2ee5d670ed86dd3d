//! The records a comparison reads: which records of the index match a comparison's slot and
//! query, by key, so that only the rows on a page are read from the store.

use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use super::SearchError;
use super::number_hash::NumberMap;
use crate::compare::table::ComparisonTable;
use crate::index::{self, Fields, KEY_FIELD};
use crate::record::Record;

/// Most records one comparison keeps once read (a page and the groups its variants and common
/// sentences look at read a few hundred; an export reads every row once and keeps none past it).
const KEPT_RECORDS: usize = 1024;

/// The records matching a comparison's filters, by key, with the searcher they were found
/// with and the generation's comparison table.
pub struct MatchingRows {
    pub(super) searcher: Searcher,
    pub(super) fields: Fields,
    pub(super) table: Arc<ComparisonTable>,
    pub(super) addresses: NumberMap<u64, DocAddress>,
    /// The records read so far: a grouped comparison reads a group's record to fold variants,
    /// again to show it, and again for the slot's common sentences.
    pub(super) read: std::sync::Mutex<NumberMap<u64, Record>>,
}

impl MatchingRows {
    /// The comparison table of the generation the rows were found in.
    pub fn table(&self) -> &ComparisonTable {
        &self.table
    }

    /// Whether the record with this key matched.
    pub fn contains(&self, key: u64) -> bool {
        self.addresses.contains_key(&key)
    }

    /// Reads the record with this key, if it matched.
    pub fn record(&self, key: u64) -> Result<Option<Record>, SearchError> {
        let Some(address) = self.addresses.get(&key) else {
            return Ok(None);
        };
        let mut read = self
            .read
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(record) = read.get(&key) {
            return Ok(Some(record.clone()));
        }
        let document: tantivy::TantivyDocument = self.searcher.doc(*address)?;
        let record = index::record_of(&document, &self.fields)?;
        if read.len() < KEPT_RECORDS {
            read.insert(key, record.clone());
        }
        Ok(Some(record))
    }
}

/// Collects the key (fast field) and address of every matching document, without scoring.
pub(super) struct KeyCollector;

pub(super) struct SegmentKeyCollector {
    segment: SegmentOrdinal,
    keys: Column<u64>,
    found: Vec<(u64, DocAddress)>,
}

impl Collector for KeyCollector {
    type Fruit = Vec<(u64, DocAddress)>;
    type Child = SegmentKeyCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentKeyCollector> {
        Ok(SegmentKeyCollector {
            segment,
            keys: reader.fast_fields().u64(KEY_FIELD)?,
            found: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<Vec<(u64, DocAddress)>>,
    ) -> tantivy::Result<Vec<(u64, DocAddress)>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentKeyCollector {
    type Fruit = Vec<(u64, DocAddress)>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(key) = self.keys.first(doc) {
            self.found.push((key, DocAddress::new(self.segment, doc)));
        }
    }

    fn harvest(self) -> Vec<(u64, DocAddress)> {
        self.found
    }
}
