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
    /// Why the generation was built whole; `None` for an update of the live one.
    pub whole_because: Option<WholeBecause>,
    /// For an update, what it did by file.
    pub update: Option<UpdateSummary>,
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

/// The corpus folder as it is now against the live generation: unchanged when the generation
/// was built from it exactly as it is (the same files, sizes and times, read by the same
/// hyoka), and an ingest would do all its work to build the same index again.
pub enum SinceLastIngest {
    Unchanged {
        generation: String,
    },
    /// Changed (or never ingested), with the folder's listing for [`ingest_listed`].
    Changed(corpus::FolderStamps),
}

/// Lists the corpus folder once and compares it with what the live generation was built from.
pub fn since_last_ingest(
    corpus_folder: &Path,
    index_folder: &Path,
) -> Result<SinceLastIngest, CorpusError> {
    let listing = corpus::FolderStamps::of(corpus_folder)?;
    Ok(match index::live_corpus_fingerprint(index_folder) {
        Some((generation, built_from)) if built_from == listing.fingerprint() => {
            SinceLastIngest::Unchanged { generation }
        }
        _ => SinceLastIngest::Changed(listing),
    })
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
/// What a parse worker hands back for one planned document.
type Parsed = Result<(corpus::LoadedDocument, ParsedRecords), DocumentError>;

/// How an ingest builds the new generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestMode {
    /// Update the live generation: read only the documents that are new or changed, delete
    /// those removed, keep the rest as they lie; build whole where an update cannot be made
    /// (see [`WholeBecause`]).
    Update,
    /// Read every document and build the generation whole.
    Whole,
}

/// Why an ingest asked to update built the generation whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WholeBecause {
    /// Asked to (`--force`).
    Asked,
    /// There is no live generation, or one built before updates were possible.
    NoUpdatableIndex,
    /// Another hyoka (version or build) read the live generation's documents.
    OtherReader,
    /// The live generation was read from another corpus folder.
    OtherFolder,
    /// Many documents changed: building whole costs about the same and leaves no deleted
    /// records behind.
    ManyChanges,
}

/// What an update did, by file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UpdateSummary {
    /// Documents taken over as they were.
    pub kept: usize,
    /// New files read.
    pub added: Vec<String>,
    /// Changed files read again, their old records replaced by the new.
    pub replaced: Vec<String>,
    /// Files whose records were deleted and not replaced: gone from the folder, unreadable or
    /// without records now, or a copy of another document.
    pub removed: Vec<String>,
}

/// Documents changing more than this share of the corpus (and more than
/// [`UPDATE_ALWAYS_UP_TO`]) are read whole.
const UPDATE_AT_MOST_SHARE: f64 = 0.25;
/// An update of up to this many documents is always made.
const UPDATE_ALWAYS_UP_TO: usize = 50;

/// Parses `entries` of the plan with `threads` workers and hands each result to `each` in
/// the entries' order, whatever order the workers finish in; stops early when `each` says so.
fn parse_in_order(
    plan: &corpus::CorpusPlan,
    entries: &[crate::document::DocumentMeta],
    threads: usize,
    parse_nanos: &AtomicUsize,
    mut each: impl FnMut(Parsed) -> std::ops::ControlFlow<()>,
) {
    let next = AtomicUsize::new(0);
    // Bounded: workers run at most this many documents ahead of the indexer.
    let (sender, receiver) = std::sync::mpsc::sync_channel::<(usize, Parsed)>(threads.max(1) * 4);
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            let sender = sender.clone();
            let next = &next;
            scope.spawn(move || {
                loop {
                    let position = next.fetch_add(1, Ordering::SeqCst);
                    let Some(meta) = entries.get(position) else {
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

        // Take results in order: out-of-order ones wait here (at most a few, since workers
        // take positions in order).
        let mut waiting: BTreeMap<usize, Parsed> = BTreeMap::new();
        let mut expected = 0;
        'results: for (position, parsed) in receiver.iter() {
            waiting.insert(position, parsed);
            while let Some(parsed) = waiting.remove(&expected) {
                expected += 1;
                if each(parsed).is_break() {
                    // Workers see the closed channel and stop.
                    break 'results;
                }
            }
        }
        drop(receiver);
    });
}

/// A parsed document ready to add.
struct Accepted {
    document: corpus::LoadedDocument,
    records: Vec<Record>,
    sentence_keys: Vec<Vec<String>>,
}

/// What an ingest reports as it reads documents.
#[derive(Default)]
struct Report {
    documents: Vec<DocumentSummary>,
    skipped: Vec<Skipped>,
    warnings: Vec<String>,
    records: usize,
    input_bytes: usize,
}

impl Report {
    /// Takes a parsed document: a copy of one seen before, or one that gave no record, is
    /// reported skipped; otherwise its summary and what it lost are reported and it is
    /// returned to add.
    fn accept(
        &mut self,
        parsed: Parsed,
        duplicates: &mut corpus::DuplicateFilter,
        progress: &mut impl FnMut(&str),
    ) -> Option<Accepted> {
        let checked = parsed.and_then(|(document, parsed)| {
            duplicates.check(&document)?;
            Ok((document, parsed))
        });
        let (document, parsed) = match checked {
            Ok(checked) => checked,
            Err(error) => {
                self.skipped.push(skipped_of(&error));
                return None;
            }
        };
        progress(&document.meta.file);
        let (records, sentence_keys) = match parsed {
            Ok(parsed) => parsed,
            Err(error @ ParseError::NothingRecognised { .. }) => {
                self.skipped.push(Skipped {
                    file: document.meta.file.clone(),
                    reason: crate::messages::parse_error(&error),
                });
                return None;
            }
        };
        self.input_bytes += document.bytes;
        self.records += records.len();
        self.warnings.extend(document.warnings.iter().cloned());
        let pages = match &document.line_pages {
            Some(line_pages) => crate::parse::losses::Pages::of_lines(line_pages),
            None => crate::parse::losses::Pages::none(),
        };
        self.warnings.extend(crate::parse::losses::noticed(
            &document.meta.file,
            &document.text,
            pages,
            &records,
        ));
        self.documents.push(summary_of(&document, &records));
        Some(Accepted {
            document,
            records,
            sentence_keys,
        })
    }
}

/// Parses the corpus and builds a new index generation in `index_folder`, with `threads`
/// parse threads and as many indexing threads: an update of the live generation where one
/// can be made (see [`IngestMode::Update`]).
pub fn ingest(
    corpus_folder: &Path,
    index_folder: &Path,
    threads: usize,
    progress: impl FnMut(&str),
) -> Result<IngestSummary, IngestError> {
    ingest_as(
        corpus_folder,
        index_folder,
        threads,
        IngestMode::Update,
        progress,
    )
}

/// [`ingest`], updating or building whole as `mode` asks.
pub fn ingest_as(
    corpus_folder: &Path,
    index_folder: &Path,
    threads: usize,
    mode: IngestMode,
    progress: impl FnMut(&str),
) -> Result<IngestSummary, IngestError> {
    // Taken before any document is read: a file changed while it is read makes the next
    // ingest read again.
    let listing = corpus::FolderStamps::of(corpus_folder)?;
    ingest_listed(
        corpus_folder,
        index_folder,
        threads,
        mode,
        listing,
        progress,
    )
}

/// [`ingest_as`] with the folder's listing taken already (by [`since_last_ingest`], before any
/// document is read): a national folder is listed once.
pub fn ingest_listed(
    corpus_folder: &Path,
    index_folder: &Path,
    threads: usize,
    mode: IngestMode,
    listing: corpus::FolderStamps,
    mut progress: impl FnMut(&str),
) -> Result<IngestSummary, IngestError> {
    let started = Instant::now();
    let fingerprint = listing.fingerprint();
    // The manifest is read while the live generation's tables are (each hundreds of megabytes
    // at national scale). Locking the index folder comes first there, before any document is
    // read, so a second ingest fails at once.
    let (plan, opened) = std::thread::scope(|scope| {
        let opened = scope.spawn(|| open_build(index_folder, threads, mode));
        let plan = corpus::plan_corpus(corpus_folder);
        let opened = opened
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (plan, opened)
    });
    let plan = plan?;
    let opened = opened?;
    let stamps: std::collections::HashMap<&str, String> = plan
        .entries
        .iter()
        .map(|meta| (meta.file.as_str(), listing.document_stamp(meta)))
        .collect();
    let reader = corpus::reader_stamp();
    let folder = std::fs::canonicalize(corpus_folder)
        .unwrap_or_else(|_| corpus_folder.to_path_buf())
        .display()
        .to_string();
    let (mut build, changes) = decide_build(
        opened,
        index_folder,
        threads,
        &plan,
        &stamps,
        (&reader, &folder),
    )?;
    build.set_corpus_fingerprint(fingerprint);
    build.set_reader(reader, folder);
    let mut report = Report {
        skipped: plan.skipped.iter().map(skipped_of).collect(),
        warnings: plan.warnings.clone(),
        ..Report::default()
    };
    let mut duplicates = corpus::DuplicateFilter::default();
    let parse_nanos = AtomicUsize::new(0);
    let source_of = |accepted: &Accepted| index::DocumentSource {
        stamp: stamps
            .get(accepted.document.meta.file.as_str())
            .cloned()
            .unwrap_or_default(),
        content: corpus::content_fingerprint(&accepted.document.text),
    };

    let whole_because = changes.as_ref().err().copied();
    let (records, update) = if let Ok(changes) = changes {
        update_build(
            &mut build,
            &plan,
            changes,
            threads,
            &parse_nanos,
            &mut report,
            &mut duplicates,
            &source_of,
            &mut progress,
        )?
    } else {
        let mut index_error: Option<IndexError> = None;
        parse_in_order(&plan, &plan.entries, threads, &parse_nanos, |parsed| {
            let Some(accepted) = report.accept(parsed, &mut duplicates, &mut progress) else {
                return std::ops::ControlFlow::Continue(());
            };
            let source = source_of(&accepted);
            match build.add_document(&accepted.records, accepted.sentence_keys, source) {
                Ok(()) => std::ops::ControlFlow::Continue(()),
                Err(error) => {
                    index_error = Some(error);
                    std::ops::ControlFlow::Break(())
                }
            }
        });
        if let Some(error) = index_error {
            return Err(error.into());
        }
        (report.records, None)
    };
    if records == 0 {
        // Dropping the build leaves the live index as it was.
        return Err(IngestError::NothingIndexed {
            folder: corpus_folder.display().to_string(),
            skipped: report.skipped.len(),
        });
    }
    let commit_started = Instant::now();
    let generation = build.finish()?;
    Ok(IngestSummary {
        documents: report.documents,
        skipped: report.skipped,
        warnings: report.warnings,
        records,
        input_bytes: report.input_bytes,
        seconds: started.elapsed().as_secs_f64(),
        parse_seconds: Duration::from_nanos(parse_nanos.load(Ordering::Relaxed) as u64)
            .as_secs_f64(),
        commit_seconds: commit_started.elapsed().as_secs_f64(),
        generation: generation
            .file_name()
            .map(|name| name.to_string_lossy().to_string())
            .unwrap_or_default(),
        whole_because,
        update,
    })
}

/// What an update does, file by file, decided once from the stamps the live generation
/// recorded and the stamps of the folder now.
struct Changes {
    /// Files to read, in corpus order: new, or changed since they were read.
    to_read: Vec<crate::document::DocumentMeta>,
    /// Files unchanged, with their text's fingerprint (a copy of an earlier file is skipped).
    kept: std::collections::HashMap<String, u64>,
    /// Files of the live generation whose records go: changed, or gone from the folder.
    deleted: std::collections::BTreeSet<String>,
    /// How many files changed, came or went.
    count: usize,
}

impl Changes {
    fn between(
        previous: &index::DocumentSources,
        plan: &corpus::CorpusPlan,
        stamps: &std::collections::HashMap<&str, String>,
    ) -> Changes {
        let mut to_read = Vec::new();
        let mut kept = std::collections::HashMap::new();
        for meta in &plan.entries {
            match previous.files.get(&meta.file) {
                Some(source) if Some(&source.stamp) == stamps.get(meta.file.as_str()) => {
                    kept.insert(meta.file.clone(), source.content);
                }
                _ => to_read.push(meta.clone()),
            }
        }
        let deleted: std::collections::BTreeSet<String> = previous
            .files
            .keys()
            .filter(|file| !kept.contains_key(file.as_str()))
            .cloned()
            .collect();
        let gone = deleted
            .iter()
            .filter(|file| !stamps.contains_key(file.as_str()))
            .count();
        Changes {
            count: to_read.len() + gone,
            to_read,
            kept,
            deleted,
        }
    }
}

/// The build `mode` asks for, its folder locked: an update of the live generation (its tables
/// read) when there is one to update, else a whole build with why.
enum Opened {
    Update(index::Build),
    Whole(index::Build, WholeBecause),
}

/// Locks the index folder and opens the build `mode` asks for (see [`Opened`]).
fn open_build(
    index_folder: &Path,
    threads: usize,
    mode: IngestMode,
) -> Result<Opened, IngestError> {
    if mode == IngestMode::Whole {
        return Ok(Opened::Whole(
            index::Build::start(index_folder, threads)?,
            WholeBecause::Asked,
        ));
    }
    Ok(match index::Build::update(index_folder, threads)? {
        Some(update) => Opened::Update(update),
        None => Opened::Whole(
            index::Build::start(index_folder, threads)?,
            WholeBecause::NoUpdatableIndex,
        ),
    })
}

/// Decides what an opened update does with the corpus as planned: the changes to make, or,
/// when it cannot be an update (read by another hyoka, from another folder, too many changes),
/// a whole build started instead, with why.
fn decide_build(
    opened: Opened,
    index_folder: &Path,
    threads: usize,
    plan: &corpus::CorpusPlan,
    stamps: &std::collections::HashMap<&str, String>,
    (reader, folder): (&str, &str),
) -> Result<(index::Build, Result<Changes, WholeBecause>), IngestError> {
    let update = match opened {
        Opened::Whole(build, because) => return Ok((build, Err(because))),
        Opened::Update(update) => update,
    };
    let decided = match update.previous_sources() {
        None => Err(WholeBecause::NoUpdatableIndex),
        Some(sources) if sources.reader != reader => Err(WholeBecause::OtherReader),
        Some(sources) if sources.folder != folder => Err(WholeBecause::OtherFolder),
        Some(sources) => {
            let changes = Changes::between(sources, plan, stamps);
            let many = changes.count > UPDATE_ALWAYS_UP_TO
                && changes.count as f64 > plan.entries.len() as f64 * UPDATE_AT_MOST_SHARE;
            if many {
                Err(WholeBecause::ManyChanges)
            } else {
                Ok(changes)
            }
        }
    };
    match decided {
        Ok(changes) => Ok((update, Ok(changes))),
        Err(because) => {
            // Releases the lock and removes the update's unfinished generation first.
            drop(update);
            Ok((index::Build::start(index_folder, threads)?, Err(because)))
        }
    }
}

/// Fills an update: deletes the records of files removed or changed, reads the new and
/// changed ones, and then, in corpus order as a whole build would, keeps each unchanged
/// document and adds each one read. Returns the generation's records and what was done.
#[allow(clippy::too_many_arguments)]
fn update_build(
    build: &mut index::Build,
    plan: &corpus::CorpusPlan,
    changes: Changes,
    threads: usize,
    parse_nanos: &AtomicUsize,
    report: &mut Report,
    duplicates: &mut corpus::DuplicateFilter,
    source_of: &impl Fn(&Accepted) -> index::DocumentSource,
    progress: &mut impl FnMut(&str),
) -> Result<(usize, Option<UpdateSummary>), IngestError> {
    let mut summary = UpdateSummary::default();
    // Before anything is added: a changed file's new records carry its name too.
    for file in &changes.deleted {
        build.delete_document(file)?;
    }
    let to_read = &changes.to_read;
    let mut read: std::collections::HashMap<String, Parsed> = std::collections::HashMap::new();
    let mut position = 0;
    parse_in_order(plan, to_read, threads, parse_nanos, |parsed| {
        read.insert(to_read[position].file.clone(), parsed);
        position += 1;
        std::ops::ControlFlow::Continue(())
    });
    let mut records = 0;
    for meta in &plan.entries {
        let file = meta.file.as_str();
        if let Some(&content) = changes.kept.get(file) {
            // A kept document that an earlier file now copies is skipped, as a whole build
            // would skip it.
            if let Err(error) = duplicates.check_content(content, file) {
                build.delete_document(file)?;
                report.skipped.push(skipped_of(&error));
                summary.removed.push(file.to_string());
                continue;
            }
            records += build.keep_document(file).unwrap_or_default();
            summary.kept += 1;
            continue;
        }
        let Some(parsed) = read.remove(file) else {
            continue;
        };
        let Some(accepted) = report.accept(parsed, duplicates, progress) else {
            continue;
        };
        // A file read that the live generation had is among the deleted: replaced.
        if changes.deleted.contains(file) {
            summary.replaced.push(file.to_string());
        } else {
            summary.added.push(file.to_string());
        }
        records += accepted.records.len();
        let source = source_of(&accepted);
        build.add_document(&accepted.records, accepted.sentence_keys, source)?;
    }
    // A file deleted and not added again (gone, unreadable now, or a copy): out of the index.
    for file in changes.deleted {
        if !summary.replaced.contains(&file) {
            summary.removed.push(file);
        }
    }
    Ok((records, Some(summary)))
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
