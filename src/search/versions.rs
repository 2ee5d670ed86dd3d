//! Documents as a search sees them: the generation's document table, each document's body as a
//! number (for counting bodies), and which records belong to current versions (a filter every
//! search, comparison and export applies unless 「過去の版も含める」 is on).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use tantivy::index::SegmentId;
use tantivy::query::{EmptyScorer, Explanation, Query, Scorer, Weight};
use tantivy::{
    BitSet, DocId, DocSet, Score, Searcher, SeekDangerResult, SegmentReader, TERMINATED,
};

use super::same_text::SameTextQuery;
use super::wrapped::{WrapScorers, Wrapped};
use crate::document::{DocumentInfo, DocumentTable, is_change_table};
use crate::index::{DOCUMENT_FIELD, IndexError};

/// The documents of the loaded generation.
pub struct SearchDocuments {
    table: DocumentTable,
    /// Per document, its body's number; per body number, its name and code.
    body_of_document: Vec<u32>,
    bodies: Vec<(String, Option<String>)>,
    /// Per body number, whether other bodies bear its name (see [`SearchDocuments::label_of`]).
    shared_names: Vec<bool>,
    /// Per index number (the records' `document` field), the document's position in `table`
    /// (`u32::MAX` for a number no live document has).
    position_of_number: Vec<u32>,
    by_file: HashMap<String, usize>,
    /// Per document identity, its versions (assessments; change tables where a document has
    /// nothing else), oldest first.
    versions: HashMap<String, Vec<usize>>,
    /// Per segment, the records of current versions.
    current: HashMap<SegmentId, Arc<BitSet>>,
}

impl SearchDocuments {
    /// Reads the generation's documents and marks the records of current versions.
    pub fn load(searcher: &Searcher, generation_folder: &Path) -> Result<Self, IndexError> {
        let table = DocumentTable::read(generation_folder).map_err(|source| IndexError::Io {
            path: generation_folder.join(crate::document::DOCUMENTS_FILE),
            source,
        })?;
        // A body is its name and code: two bodies can share a name (府中市).
        let mut numbers: HashMap<(&str, Option<&str>), u32> = HashMap::new();
        let mut bodies = Vec::new();
        let body_of_document = table
            .documents
            .iter()
            .map(|document| {
                let key = (
                    document.body.as_str(),
                    document.municipality_code.as_deref(),
                );
                *numbers.entry(key).or_insert_with(|| {
                    bodies.push((document.body.clone(), document.municipality_code.clone()));
                    (bodies.len() - 1) as u32
                })
            })
            .collect();
        // Worked out once per body: a folded search labels twenty bodies for each of its hits,
        // and asking whether a name is shared folds the name's variants first.
        let local_bodies = crate::bodies::LocalBodies::bundled();
        let shared_names = bodies
            .iter()
            .map(|(name, _)| local_bodies.is_shared_name(name))
            .collect();
        let mut position_of_number: Vec<u32> = Vec::new();
        for (position, (number, _)) in table.numbered().enumerate() {
            let number = number as usize;
            if position_of_number.len() <= number {
                position_of_number.resize(number + 1, u32::MAX);
            }
            position_of_number[number] = position as u32;
        }
        // By index number; a number no live document has (a removed document's records,
        // deleted) is never current.
        let current_documents: Vec<bool> = position_of_number
            .iter()
            .map(|&position| {
                table
                    .documents
                    .get(position as usize)
                    .is_some_and(|document| document.current)
            })
            .collect();
        let mut current = HashMap::new();
        for segment in searcher.segment_readers() {
            let column = segment
                .fast_fields()
                .u64(DOCUMENT_FIELD)?
                .first_or_default_col(0);
            let mut bits = BitSet::with_max_value(segment.max_doc());
            for doc in 0..segment.max_doc() {
                let document = column.get_val(doc) as usize;
                if current_documents.get(document).copied().unwrap_or(true) {
                    bits.insert(doc);
                }
            }
            current.insert(segment.segment_id(), Arc::new(bits));
        }
        let by_file = table
            .documents
            .iter()
            .enumerate()
            .map(|(position, document)| (document.file.clone(), position))
            .collect();
        Ok(SearchDocuments {
            versions: versions_by_identity(&table.documents),
            position_of_number,
            by_file,
            table,
            body_of_document,
            bodies,
            shared_names,
            current,
        })
    }

    /// The records of current versions of a segment (none known for a segment loaded later).
    pub fn current_of(&self, segment: SegmentId) -> Option<Arc<BitSet>> {
        self.current.get(&segment).cloned()
    }

    /// Every document, in corpus order.
    pub fn all(&self) -> &[DocumentInfo] {
        &self.table.documents
    }

    /// Every document with the number its records carry in the index, in corpus order.
    pub fn numbered(&self) -> impl Iterator<Item = (u32, &DocumentInfo)> {
        self.table.numbered()
    }

    /// One past the largest number a document carries (for tables indexed by number).
    pub fn number_bound(&self) -> usize {
        self.position_of_number.len()
    }

    /// The position in [`Self::all`] of the document the index numbers `number`.
    fn position_of(&self, number: u64) -> Option<usize> {
        let position = *self.position_of_number.get(usize::try_from(number).ok()?)?;
        (position != u32::MAX).then_some(position as usize)
    }

    /// A document by the number its records carry in the index.
    pub fn document(&self, number: u64) -> Option<&DocumentInfo> {
        self.table.documents.get(self.position_of(number)?)
    }

    /// A document's 事務 as filters and comparisons name it: its category (住民基本台帳), or
    /// the 事務 as printed when it has none.
    pub fn jimu_of(&self, number: u64) -> Option<&str> {
        self.document(number).and_then(|document| {
            document
                .jimu_category
                .as_deref()
                .or(document.jimu.as_deref())
        })
    }

    pub fn by_file(&self, file: &str) -> Option<&DocumentInfo> {
        self.by_file
            .get(file)
            .and_then(|&position| self.table.documents.get(position))
    }

    /// Every version of a document, oldest first: the files of its identity (for a change
    /// table, the versions of the assessment it describes).
    pub fn versions_of(&self, document: &DocumentInfo) -> Vec<&DocumentInfo> {
        self.versions
            .get(&document.identity)
            .map(|positions| {
                positions
                    .iter()
                    .filter_map(|&position| self.table.documents.get(position))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The number of a document's body.
    pub fn body_of(&self, document: u64) -> u32 {
        self.position_of(document)
            .and_then(|position| self.body_of_document.get(position))
            .copied()
            .unwrap_or(u32::MAX)
    }

    /// How many bodies there are (their numbers run below it).
    pub fn body_count(&self) -> usize {
        self.bodies.len()
    }

    /// A body's name and 団体コード by its number.
    pub fn body(&self, body: u32) -> (&str, Option<&str>) {
        match self.bodies.get(body as usize) {
            Some((name, code)) => (name, code.as_deref()),
            None => ("", None),
        }
    }

    /// The label a body's records are filed under, as [`LocalBodies::label_of`] writes it
    /// (「池田町（北海道）」 where several bodies bear the name), `prefecture` being that of the
    /// body's document at hand.
    ///
    /// [`LocalBodies::label_of`]: crate::bodies::LocalBodies::label_of
    pub fn label_of(&self, body: u32, prefecture: Option<&str>) -> String {
        let (name, _) = self.body(body);
        crate::bodies::label_of_name(name, prefecture, || {
            self.shared_names
                .get(body as usize)
                .copied()
                .unwrap_or(false)
        })
    }

    /// `query`'s matches that are records of current versions, scored as `query` scores them.
    /// A query that works out each text once walks only the current records' candidates: a
    /// past version's wordings, which no current record holds, are never asked.
    pub fn current_only(self: &Arc<Self>, query: Box<dyn Query>) -> Box<dyn Query> {
        let within = |query: Box<dyn Query>| -> Box<dyn Query> {
            Box::new(Wrapped::new(self.clone(), query))
        };
        match query.downcast::<SameTextQuery>() {
            // The text's other records are given at once (see same_text), past versions among
            // them: the filter stays outside too.
            Ok(same_text) => within(Box::new(same_text.narrowed(within))),
            Err(query) => within(query),
        }
    }
}

/// The versions of each identity, oldest first: its assessments, or its change tables where it
/// has no assessment (as [`crate::document::DocumentTable::assign_versions`] numbers them).
fn versions_by_identity(documents: &[DocumentInfo]) -> HashMap<String, Vec<usize>> {
    let mut assessments: HashMap<String, Vec<usize>> = HashMap::new();
    let mut change_tables: HashMap<String, Vec<usize>> = HashMap::new();
    for (position, document) in documents.iter().enumerate() {
        let kind = if is_change_table(&document.doc_type) {
            &mut change_tables
        } else {
            &mut assessments
        };
        kind.entry(document.identity.clone())
            .or_default()
            .push(position);
    }
    for (identity, positions) in change_tables {
        assessments.entry(identity).or_insert(positions);
    }
    for positions in assessments.values_mut() {
        positions.sort_by_key(|&position| (documents[position].version, position));
    }
    assessments
}

/// The query of [`SearchDocuments::current_only`]: the inner query's matches, each looked up in
/// the segment's bits of current records.
///
/// Not an intersection with the bits as a document set: most records are current, so the bits
/// would lead the intersection and seek the text query once per current record (a union of a
/// draft's 32 words refills its buffer at every seek). Here the text query advances on its own
/// and a miss costs one bit test.
impl WrapScorers for SearchDocuments {
    const NAME: &'static str = "CurrentVersions";

    fn scorer(
        &self,
        reader: &SegmentReader,
        inner: &dyn Weight,
        boost: Score,
    ) -> tantivy::Result<Box<dyn Scorer>> {
        let Some(current) = self.current.get(&reader.segment_id()) else {
            return Ok(Box::new(EmptyScorer));
        };
        let mut scorer = InCurrent {
            scorer: inner.scorer(reader, boost)?,
            current: current.clone(),
        };
        let first = scorer.scorer.doc();
        scorer.walk_from(first);
        Ok(Box::new(scorer))
    }

    /// A record of a past version does not match, whatever the inner query says of it.
    fn explain(
        &self,
        reader: &SegmentReader,
        inner: &dyn Weight,
        doc: DocId,
    ) -> tantivy::Result<Explanation> {
        let current = self
            .current
            .get(&reader.segment_id())
            .is_some_and(|current| current.contains(doc));
        if !current {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document #({doc}) is a record of a past version"
            )));
        }
        inner.explain(reader, doc)
    }
}

/// A segment's matches of a query, past versions stepped over.
struct InCurrent {
    scorer: Box<dyn Scorer>,
    current: Arc<BitSet>,
}

impl InCurrent {
    /// Whether `doc` ends the walk here: a current record, or the end.
    fn holds(&self, doc: DocId) -> bool {
        doc == TERMINATED || self.current.contains(doc)
    }

    /// The first current record at or after `doc` ([`TERMINATED`] when none is left).
    fn current_from(&self, doc: DocId) -> DocId {
        if doc >= self.current.max_value() {
            return TERMINATED;
        }
        let word_of = |bucket: DocId| u64::from_le_bytes(self.current.tinyset(bucket).into_bytes());
        let bucket = doc / 64;
        let rest = word_of(bucket) & (u64::MAX << (doc % 64));
        if rest != 0 {
            return bucket * 64 + rest.trailing_zeros();
        }
        self.current
            .first_non_empty_bucket(bucket + 1)
            .map_or(TERMINATED, |bucket| {
                bucket * 64 + word_of(bucket).trailing_zeros()
            })
    }

    /// From the query's `doc` on, its first match that is a current record: past the records
    /// of a past version the query seeks the next current one at once (past versions' records
    /// lie among the others, in their slots' and texts' order, so most steps are one record).
    fn walk_from(&mut self, mut doc: DocId) -> DocId {
        while !self.holds(doc) {
            let next = self.current_from(doc + 1);
            doc = if next == doc + 1 {
                self.scorer.advance()
            } else {
                self.scorer.seek(next)
            };
        }
        doc
    }
}

impl DocSet for InCurrent {
    fn advance(&mut self) -> DocId {
        let doc = self.scorer.advance();
        self.walk_from(doc)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let doc = self.scorer.seek(self.current_from(target));
        self.walk_from(doc)
    }

    /// A record of a past version is answered from the bits alone, the query left where it
    /// stands.
    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if !self.holds(target) {
            return SeekDangerResult::SeekLowerBound(target + 1);
        }
        self.scorer.seek_danger(target)
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

impl Scorer for InCurrent {
    fn score(&mut self) -> Score {
        self.scorer.score()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records 0..200 with the current ones at `current`, over a query matching every record.
    fn in_current(current: &[DocId]) -> InCurrent {
        let mut bits = BitSet::with_max_value(200);
        for &doc in current {
            bits.insert(doc);
        }
        InCurrent {
            scorer: Box::new(tantivy::query::ConstScorer::new(
                tantivy::query::AllScorer::new(200),
                1.0,
            )),
            current: Arc::new(bits),
        }
    }

    #[test]
    fn the_next_current_record_is_found_within_a_word_across_words_and_at_the_end() {
        let current = [3, 63, 64, 130, 199];
        let scorer = in_current(&current);
        for doc in 0..=200 {
            let expected = current
                .iter()
                .copied()
                .find(|&current| current >= doc)
                .unwrap_or(TERMINATED);
            assert_eq!(scorer.current_from(doc), expected, "from {doc}");
        }
    }

    #[test]
    fn a_query_walked_within_the_current_records_gives_each_of_them_once() {
        let current = [0, 1, 2, 64, 65, 150, 199];
        let mut scorer = in_current(&current);
        let first = scorer.scorer.doc();
        let mut walked = vec![scorer.walk_from(first)];
        while *walked.last().expect("one") != TERMINATED {
            walked.push(scorer.advance());
        }
        walked.pop();
        assert_eq!(walked, current);
        // A seek lands on the first current record at or after its target.
        let mut scorer = in_current(&current);
        assert_eq!(scorer.seek(66), 150);
    }
}
