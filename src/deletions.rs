//! Records an incremental ingest deleted from a generation's index files, and the ranking
//! statistics corrected for them, so that a generation updated in place ranks exactly as one
//! built whole from the same folder.
//!
//! tantivy keeps a deleted record in its segment until the segment is merged: its terms still
//! count in each term's document frequency and its tokens in the field's length, so BM25
//! would score the same query a little differently after an update than after a whole
//! ingest. An incremental ingest therefore writes down, per segment, how many records it
//! deleted there, their tokens per field and how many of them hold each term; a search
//! subtracts those of the segments still present (a segment merged since has dropped its
//! deleted records, and its entry no longer applies).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

/// The file in a generation's folder.
pub const DELETIONS_FILE: &str = "deleted-records.json";

/// What the deleted records of one segment held.
#[derive(Debug, Default, Serialize, Deserialize)]
struct SegmentDeletions {
    records: u64,
    /// Per field (its name), the tokens of the deleted records.
    tokens: BTreeMap<String, u64>,
    /// Per field (its name), per term, how many deleted records hold it.
    terms: BTreeMap<String, BTreeMap<String, u64>>,
}

/// The deleted records of a generation, per segment (its id as tantivy writes it).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Deletions {
    segments: BTreeMap<String, SegmentDeletions>,
}

impl Deletions {
    /// Reads the generation's deletions; none when it has no file (built whole).
    pub fn read(folder: &Path) -> std::io::Result<Deletions> {
        let path = folder.join(DELETIONS_FILE);
        match crate::generation::read_json(&path) {
            Ok(parsed) => parsed.map_err(std::io::Error::other),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Deletions::default()),
            Err(error) => Err(error),
        }
    }

    pub fn write(&self, folder: &Path) -> std::io::Result<()> {
        let path = folder.join(DELETIONS_FILE);
        if self.segments.is_empty() {
            return match fs::remove_file(&path) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
                _ => Ok(()),
            };
        }
        crate::generation::write_json(&path, self)
    }

    /// Keeps only the segments `searcher` still has (a merge drops deleted records).
    pub fn keep_segments_of(&mut self, searcher: &Searcher) {
        let present: HashSet<String> = searcher
            .segment_readers()
            .iter()
            .map(|reader| reader.segment_id().uuid_string())
            .collect();
        self.segments.retain(|segment, _| present.contains(segment));
    }

    /// Notes one deleted record of `segment`: its tokens per field, each a value's terms in
    /// order.
    pub fn add_record(&mut self, segment: &str, fields: &[(&str, Vec<Vec<String>>)]) {
        let deletions = self.segments.entry(segment.to_string()).or_default();
        deletions.records += 1;
        for (field, values) in fields {
            let tokens: u64 = values.iter().map(|terms| terms.len() as u64).sum();
            *deletions.tokens.entry(field.to_string()).or_default() += tokens;
            let distinct: HashSet<&String> = values.iter().flatten().collect();
            let terms = deletions.terms.entry(field.to_string()).or_default();
            for term in distinct {
                *terms.entry(term.clone()).or_default() += 1;
            }
        }
    }

    /// The statistics to subtract for `searcher`'s segments.
    pub fn for_searcher(&self, searcher: &Searcher) -> Correction {
        let schema = searcher.schema();
        let mut correction = Correction::default();
        for reader in searcher.segment_readers() {
            let Some(deletions) = self.segments.get(&reader.segment_id().uuid_string()) else {
                continue;
            };
            correction.records += deletions.records;
            for (name, tokens) in &deletions.tokens {
                if let Ok(field) = schema.get_field(name) {
                    *correction.tokens.entry(field).or_default() += tokens;
                }
            }
            for (name, terms) in &deletions.terms {
                let Ok(field) = schema.get_field(name) else {
                    continue;
                };
                for (term, records) in terms {
                    *correction.terms.entry((field, term.clone())).or_default() += records;
                }
            }
        }
        correction
    }
}

/// What a generation's deleted records add to the statistics of its segments, to subtract.
#[derive(Debug, Default)]
pub struct Correction {
    records: u64,
    tokens: HashMap<Field, u64>,
    terms: HashMap<(Field, String), u64>,
}

impl Correction {
    /// Whether nothing needs subtracting (a generation built whole).
    pub fn is_empty(&self) -> bool {
        self.records == 0
    }

    /// How many deleted records hold a text term.
    pub fn deleted_holding(&self, field: Field, text: &str) -> u64 {
        if self.terms.is_empty() {
            return 0;
        }
        self.terms
            .get(&(field, text.to_string()))
            .copied()
            .unwrap_or_default()
    }

    /// How many live records hold `term`.
    pub fn doc_freq(&self, searcher: &Searcher, term: &Term) -> tantivy::Result<u64> {
        let raw = searcher.doc_freq(term)?;
        let deleted = term
            .value()
            .as_str()
            .map_or(0, |text| self.deleted_holding(term.field(), text));
        Ok(raw.saturating_sub(deleted))
    }
}

/// BM25's statistics of a searcher without its deleted records.
pub struct LiveStatistics<'a> {
    pub searcher: &'a Searcher,
    pub correction: &'a Correction,
}

impl Bm25StatisticsProvider for LiveStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let raw = Bm25StatisticsProvider::total_num_tokens(self.searcher, field)?;
        let deleted = self
            .correction
            .tokens
            .get(&field)
            .copied()
            .unwrap_or_default();
        Ok(raw.saturating_sub(deleted))
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        // The searcher's own statistics count every record ever written (deleted ones too).
        Ok(self.searcher.num_docs())
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.correction.doc_freq(self.searcher, term)
    }
}
