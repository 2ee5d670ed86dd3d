//! Ingest: read a corpus, parse every document, build the index, report what happened.
//!
//! Documents stream through: worker threads read, decode and parse them while tantivy's
//! indexing threads analyse the records already added, so the corpus is never held in memory
//! whole and both stages keep the cores busy. Records are added in corpus order, whatever
//! order the workers finish in, so the same corpus always gives the same index.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::compare::table;
use crate::corpus::{self, CorpusError, DocumentError};
use crate::index::{self, IndexError};
use crate::parse::ParseError;
use crate::record::Record;

/// What ingest found in one document.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentSummary {
    pub file: String,
    pub municipality: String,
    /// 団体コード, from the manifest or the reference table.
    pub municipality_code: Option<String>,
    pub doc_type: String,
    /// 様式 version, from the manifest or the cover.
    pub form_version: Option<String>,
    /// 公表日 as printed.
    pub published: Option<String>,
    /// 評価書番号, from the manifest or the cover.
    pub number: Option<String>,
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
    /// Manifest values set aside (a wrong 団体コード), each naming its file and line.
    pub warnings: Vec<String>,
    pub records: usize,
    pub input_bytes: usize,
    /// Wall-clock time of the whole ingest.
    pub seconds: f64,
    /// Time spent reading, decoding and parsing, summed over the parse threads.
    pub parse_seconds: f64,
    /// Wall-clock time of the final commit (after the last record was added).
    pub commit_seconds: f64,
    pub generation: String,
}

impl IngestSummary {
    /// End-to-end throughput in MB/s (read + parse + analyse + index + commit), wall clock.
    pub fn megabytes_per_second(&self) -> f64 {
        if self.seconds <= 0.0 {
            return 0.0;
        }
        self.input_bytes as f64 / 1_000_000.0 / self.seconds
    }
}

/// The live generation, when it was built from the corpus folder exactly as it is now (the
/// same files, sizes and times, read by the same hyoka): an ingest would do all its work to
/// build the same index again.
pub fn unchanged_since_last_ingest(corpus_folder: &Path, index_folder: &Path) -> Option<String> {
    let (generation, built_from) = index::live_corpus_fingerprint(index_folder)?;
    let now = corpus::fingerprint(corpus_folder).ok()?;
    (built_from == now).then_some(generation)
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

/// Parses the corpus in `corpus_folder` into records held in memory, reporting per document
/// (for tools and benchmarks; ingest streams instead).
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
        match document.parse() {
            Ok(parsed) => {
                input_bytes += document.bytes;
                summaries.push(summary_of(document, &parsed));
                records.extend(parsed);
            }
            Err(error @ ParseError::NothingRecognised { .. }) => skipped.push(Skipped {
                file: document.meta.file.clone(),
                reason: crate::messages::parse_error(&error),
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
        | DocumentError::Pdf { file, .. }
        | DocumentError::Duplicate { file, .. } => file.clone(),
    };
    Skipped {
        file,
        reason: crate::messages::document_error(error),
    }
}

/// A document's records, each with its sentence keys for the comparison table.
type ParsedRecords = Result<(Vec<Record>, Vec<Vec<String>>), ParseError>;
/// What a parse worker hands back for the document at one position of the corpus.
type Parsed = Result<(corpus::LoadedDocument, ParsedRecords), DocumentError>;

/// Parses the corpus and builds a new index generation in `index_folder`, with `threads`
/// parse threads and as many indexing threads.
pub fn ingest(
    corpus_folder: &Path,
    index_folder: &Path,
    threads: usize,
    mut progress: impl FnMut(&str),
) -> Result<IngestSummary, IngestError> {
    let started = Instant::now();
    // Taken before any document is read: a file changed while it is read makes the next
    // ingest read again.
    let fingerprint = corpus::fingerprint(corpus_folder)?;
    let plan = corpus::plan_corpus(corpus_folder)?;
    // Locks the index folder before any work, so a second ingest fails at once.
    let mut build = index::Build::start(index_folder, threads)?;
    build.set_corpus_fingerprint(fingerprint);
    let mut skipped: Vec<Skipped> = plan.skipped.iter().map(skipped_of).collect();
    let mut documents = Vec::new();
    let mut document_warnings: Vec<String> = Vec::new();
    let mut duplicates = corpus::DuplicateFilter::default();
    let (mut records, mut input_bytes) = (0usize, 0usize);
    let mut index_error: Option<IndexError> = None;

    let next = AtomicUsize::new(0);
    let parse_nanos = AtomicUsize::new(0);
    // Bounded: workers run at most this many documents ahead of the indexer.
    let (sender, receiver) = std::sync::mpsc::sync_channel::<(usize, Parsed)>(threads.max(1) * 4);
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            let sender = sender.clone();
            let (plan, next, parse_nanos) = (&plan, &next, &parse_nanos);
            scope.spawn(move || {
                loop {
                    let position = next.fetch_add(1, Ordering::SeqCst);
                    let Some(meta) = plan.entries.get(position) else {
                        return;
                    };
                    let parse_started = Instant::now();
                    let parsed = plan.load(meta).map(|document| {
                        let records = document.parse().map(|records| {
                            let keys = records.iter().map(table::record_sentence_keys).collect();
                            (records, keys)
                        });
                        (document, records)
                    });
                    parse_nanos.fetch_add(
                        parse_started.elapsed().as_nanos() as usize,
                        Ordering::Relaxed,
                    );
                    if sender.send((position, parsed)).is_err() {
                        return; // the indexer stopped on an error
                    }
                }
            });
        }
        drop(sender);

        // Take results in corpus order: out-of-order ones wait here (at most a few, since
        // workers take positions in order).
        let mut waiting: BTreeMap<usize, Parsed> = BTreeMap::new();
        let mut expected = 0;
        for (position, parsed) in receiver.iter() {
            waiting.insert(position, parsed);
            while let Some(parsed) = waiting.remove(&expected) {
                expected += 1;
                if index_error.is_some() {
                    continue;
                }
                let document = match parsed.and_then(|(document, parsed)| {
                    duplicates.check(&document)?;
                    Ok((document, parsed))
                }) {
                    Ok(document) => document,
                    Err(error) => {
                        skipped.push(skipped_of(&error));
                        continue;
                    }
                };
                let (document, parsed) = document;
                progress(&document.meta.file);
                let (parsed, sentence_keys) = match parsed {
                    Ok(parsed) => parsed,
                    Err(error @ ParseError::NothingRecognised { .. }) => {
                        skipped.push(Skipped {
                            file: document.meta.file.clone(),
                            reason: crate::messages::parse_error(&error),
                        });
                        continue;
                    }
                };
                if let Err(error) = build.add_document(&parsed, sentence_keys) {
                    index_error = Some(error);
                }
                input_bytes += document.bytes;
                records += parsed.len();
                document_warnings.extend(document.warnings.iter().cloned());
                let pages = match &document.line_pages {
                    Some(line_pages) => crate::parse::losses::Pages::of_lines(line_pages),
                    None => crate::parse::losses::Pages::none(),
                };
                document_warnings.extend(crate::parse::losses::noticed(
                    &document.meta.file,
                    &document.text,
                    pages,
                    &parsed,
                ));
                documents.push(summary_of(&document, &parsed));
            }
            if index_error.is_some() {
                // Workers see the closed channel and stop.
                break;
            }
        }
        drop(receiver);
    });
    if let Some(error) = index_error {
        return Err(error.into());
    }
    if records == 0 {
        // Dropping the build leaves the live index as it was.
        return Err(IngestError::NothingIndexed {
            folder: corpus_folder.display().to_string(),
            skipped: skipped.len(),
        });
    }
    let commit_started = Instant::now();
    let generation = build.finish()?;
    Ok(IngestSummary {
        documents,
        skipped,
        warnings: plan
            .warnings
            .iter()
            .cloned()
            .chain(document_warnings)
            .collect(),
        records,
        input_bytes,
        seconds: started.elapsed().as_secs_f64(),
        parse_seconds: Duration::from_nanos(parse_nanos.load(Ordering::Relaxed) as u64)
            .as_secs_f64(),
        commit_seconds: commit_started.elapsed().as_secs_f64(),
        generation: generation
            .file_name()
            .map(|name| name.to_string_lossy().to_string())
            .unwrap_or_default(),
    })
}

fn summary_of(document: &corpus::LoadedDocument, records: &[Record]) -> DocumentSummary {
    DocumentSummary {
        file: document.meta.file.clone(),
        municipality: document.meta.municipality.clone(),
        municipality_code: document.meta.municipality_code.clone(),
        doc_type: document.meta.doc_type.clone(),
        // The records carry what the cover added to the manifest.
        form_version: records
            .iter()
            .find_map(|record| record.form_version.clone()),
        published: records.iter().find_map(|record| record.doc_date.clone()),
        number: records.iter().find_map(|record| record.doc_number.clone()),
        encoding: document.encoding.to_string(),
        bytes: document.bytes,
        records: records.len(),
        records_with_slot: records
            .iter()
            .filter(|record| record.slot.is_some())
            .count(),
    }
}
