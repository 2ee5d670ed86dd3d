//! Ingest: read a corpus, parse every document, build the index, report what happened.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::corpus::{self, CorpusError, DocumentError};
use crate::index::{self, IndexError};
use crate::parse::{self, ParseError};
use crate::record::Record;

/// What ingest found in one document.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentSummary {
    pub file: String,
    pub municipality: String,
    pub doc_type: String,
    pub encoding: String,
    pub bytes: usize,
    pub records: usize,
    /// Records that got a slot of the form.
    pub records_with_slot: usize,
}

impl DocumentSummary {
    /// Share of records aligned to a slot, 0 to 1.
    pub fn slot_share(&self) -> f64 {
        if self.records == 0 {
            0.0
        } else {
            self.records_with_slot as f64 / self.records as f64
        }
    }
}

/// A document that was not indexed, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub file: String,
    pub reason: String,
}

/// The outcome of an ingest.
#[derive(Debug, Clone, Serialize)]
pub struct IngestSummary {
    pub documents: Vec<DocumentSummary>,
    pub skipped: Vec<Skipped>,
    pub records: usize,
    pub input_bytes: usize,
    pub parse_seconds: f64,
    pub index_seconds: f64,
    pub generation: String,
}

impl IngestSummary {
    /// End-to-end throughput in MB/s (parse + analyse + index + commit).
    pub fn megabytes_per_second(&self) -> f64 {
        let seconds = self.parse_seconds + self.index_seconds;
        if seconds <= 0.0 {
            return 0.0;
        }
        self.input_bytes as f64 / 1_000_000.0 / seconds
    }
}

/// Why an ingest failed as a whole. Per-document problems are reported in the summary instead.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error(transparent)]
    Index(#[from] IndexError),
    /// No document gave any record; the previous index is kept.
    #[error(
        "no document in {folder} gave any record; the previous index is kept ({skipped} skipped)"
    )]
    NothingIndexed { folder: String, skipped: usize },
}

/// Records of a parsed corpus with what happened to each document.
#[derive(Debug, Default)]
pub struct ParsedCorpus {
    pub records: Vec<Record>,
    pub documents: Vec<DocumentSummary>,
    pub skipped: Vec<Skipped>,
    pub input_bytes: usize,
}

/// Parses the corpus in `corpus_folder` into records, reporting per document.
pub fn parse_corpus(
    corpus_folder: &Path,
    mut progress: impl FnMut(&str),
) -> Result<ParsedCorpus, CorpusError> {
    let loaded = corpus::load_corpus(corpus_folder)?;
    let mut records = Vec::new();
    let mut summaries = Vec::new();
    let mut skipped: Vec<Skipped> = loaded.skipped.iter().map(skipped_of).collect();
    let mut input_bytes = 0;
    for document in &loaded.documents {
        progress(&document.meta.file);
        match parse::parse_document(&document.meta, &document.text) {
            Ok(parsed) => {
                input_bytes += document.bytes;
                summaries.push(DocumentSummary {
                    file: document.meta.file.clone(),
                    municipality: document.meta.municipality.clone(),
                    doc_type: document.meta.doc_type.clone(),
                    encoding: document.encoding.to_string(),
                    bytes: document.bytes,
                    records: parsed.len(),
                    records_with_slot: parsed.iter().filter(|record| record.slot.is_some()).count(),
                });
                records.extend(parsed);
            }
            Err(error @ ParseError::NothingRecognised { .. }) => skipped.push(Skipped {
                file: document.meta.file.clone(),
                reason: error.to_string(),
            }),
        }
    }
    Ok(ParsedCorpus {
        records,
        documents: summaries,
        skipped,
        input_bytes,
    })
}

fn skipped_of(error: &DocumentError) -> Skipped {
    let file = match error {
        DocumentError::Unreadable { file, .. }
        | DocumentError::Empty { file }
        | DocumentError::Binary { file, .. }
        | DocumentError::TooLarge { file, .. }
        | DocumentError::UnknownEncoding { file, .. }
        | DocumentError::ManifestEntry { file, .. }
        | DocumentError::Missing { file }
        | DocumentError::Duplicate { file, .. } => file.clone(),
    };
    Skipped {
        file,
        reason: error.to_string(),
    }
}

/// Parses the corpus and builds a new index generation in `index_folder`.
pub fn ingest(
    corpus_folder: &Path,
    index_folder: &Path,
    threads: usize,
    progress: impl FnMut(&str),
) -> Result<IngestSummary, IngestError> {
    let parse_started = Instant::now();
    let ParsedCorpus {
        records,
        documents,
        skipped,
        input_bytes,
    } = parse_corpus(corpus_folder, progress)?;
    let parse_seconds = parse_started.elapsed().as_secs_f64();
    if records.is_empty() {
        return Err(IngestError::NothingIndexed {
            folder: corpus_folder.display().to_string(),
            skipped: skipped.len(),
        });
    }
    let index_started = Instant::now();
    let generation = index::build(index_folder, &records, threads)?;
    let index_seconds = index_started.elapsed().as_secs_f64();
    Ok(IngestSummary {
        documents,
        skipped,
        records: records.len(),
        input_bytes,
        parse_seconds,
        index_seconds,
        generation: generation
            .file_name()
            .map(|name| name.to_string_lossy().to_string())
            .unwrap_or_default(),
    })
}
