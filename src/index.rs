//! The tantivy index: schema, atomic builds and opening.
//!
//! The index folder holds generations: `gen-<time>-<pid>/` (one tantivy index each) and a file
//! `CURRENT` naming the live one. A build writes a new generation beside the old, commits it,
//! and only then replaces `CURRENT` by an atomic rename, so a reader sees either the old index
//! or the new one, never a half-built one; an interrupted build leaves a `.tmp` folder that the
//! next build removes.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use tantivy::schema::{
    FAST, FacetOptions, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};
use tantivy::{Index, IndexWriter, TantivyDocument, Term};

use crate::analysis::{BIGRAM_TOKENIZER, JA_TOKENIZER, register_tokenizers};
use crate::compare::table::{TableBuilder, TableError, TableSource};
use crate::deletions::Deletions;
use crate::document::{DocumentInfo, DocumentTable};
use crate::record::{Record, row_key, text_of_its_own};

/// Name of the file that points at the live generation.
const CURRENT_FILE: &str = "CURRENT";
/// In a generation: the fingerprint of the corpus folder it was built from
/// ([`crate::corpus::FolderStamps::fingerprint`]).
pub const FINGERPRINT_FILE: &str = "corpus-fingerprint";
/// Name of the fast field holding each record's id as a number, where comparisons read.
pub const KEY_FIELD: &str = "key";
/// Name of the fast field saying whether a record has text of its own (1) or only repeats its
/// headings or is empty (0); ranking puts the first kind above the second.
pub const OWN_TEXT_FIELD: &str = "own_text";
/// Name of the fast field holding each record's document (its number in the generation's
/// [`DocumentTable`]): versions, bodies and files are read from there.
pub const DOCUMENT_FIELD: &str = "document";
/// Name of the fast field holding each record's wording (see [`wording_of`]): records with one
/// wording fold into one hit.
pub const WORDING_FIELD: &str = "wording";
/// Name of the fast field holding a digest of each record's indexed text (see [`text_key`]):
/// records of one text match and score alike for every query, so a search works each text out
/// once.
pub const TEXT_KEY_FIELD: &str = "text_key";
/// Name of the facet field, where filters and facet counts read.
pub const FACET_FIELD: &str = "facets";
/// Name of the file an ingest locks while it builds.
const LOCK_FILE: &str = "LOCK";
/// Writer memory for two cores: tantivy splits it across its indexing threads.
const WRITER_HEAP_BYTES: usize = 200_000_000;

/// What went wrong with the index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// There is no built index in the folder yet.
    #[error("no index in {0} (run `hyoka ingest` first)")]
    Missing(PathBuf),
    /// The folder or a file in it could not be read or written.
    #[error("index folder {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// tantivy failed.
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// Another `hyoka ingest` is building into the same folder.
    #[error("another ingest is building into {0} (it holds {0}/LOCK); the index is unchanged")]
    Busy(PathBuf),
    /// A stored record cannot be read back (see [`Record::to_stored`]).
    #[error("stored record is unreadable: {0}")]
    StoredRecord(#[from] crate::record::StoredRecordError),
    /// The generation was built by an earlier version of hyoka with other fields.
    #[error("index {0} was built by an earlier version of hyoka: run `hyoka ingest` again")]
    OlderSchema(PathBuf),
    /// The generation's comparison table is missing or unreadable.
    #[error("comparison table: {0}")]
    Table(#[from] TableError),
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> IndexError + '_ {
    move |source| IndexError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The fields of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    /// The id as a number (fast field), joining the index with the comparison table.
    pub key: Field,
    /// The whole record in its stored form (see [`Record::to_stored`]), for display.
    pub record: Field,
    /// Morphological tokens of the search text.
    pub text_ja: Field,
    /// Character bigrams of the search text.
    pub text_bigram: Field,
    /// Filter and facet values as paths: `/municipality/札幌市`, `/slot/III/7/R1/5`, …
    pub facets: Field,
    /// 1 when the record has text of its own (see [`Record::has_own_text`]), else 0.
    pub own_text: Field,
    /// 公表日 as `YYYY-MM-DD` (a raw term, so a range of dates is a range of terms).
    pub published: Field,
    /// The record's document, numbered as in the generation's [`DocumentTable`].
    pub document: Field,
    /// The record's wording (see [`wording_of`]).
    pub wording: Field,
    /// The digest of the record's indexed text (see [`text_key`]).
    pub text_key: Field,
}

/// The facet dimensions, in the order the API lists them.
pub const FACET_DIMENSIONS: [&str; 10] = [
    "municipality",
    "prefecture",
    "body_kind",
    "jimu",
    "slot",
    "doc_type",
    "form_version",
    "actor",
    "rating",
    "file_name",
];

/// Builds the schema and returns it with its fields.
pub fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let id = builder.add_text_field("id", STRING | STORED);
    let record = builder.add_text_field("record", STORED);
    let key = builder.add_u64_field(KEY_FIELD, FAST);
    let text_options = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let text_ja = builder.add_text_field("text_ja", text_options(JA_TOKENIZER));
    let text_bigram = builder.add_text_field("text_bigram", text_options(BIGRAM_TOKENIZER));
    let facets = builder.add_facet_field(FACET_FIELD, FacetOptions::default());
    let own_text = builder.add_u64_field(OWN_TEXT_FIELD, FAST);
    let published = builder.add_text_field("published", STRING);
    let document = builder.add_u64_field(DOCUMENT_FIELD, FAST);
    let wording = builder.add_u64_field(WORDING_FIELD, FAST);
    let text_key = builder.add_u64_field(TEXT_KEY_FIELD, FAST);
    (
        builder.build(),
        Fields {
            id,
            key,
            record,
            text_ja,
            text_bigram,
            facets,
            own_text,
            published,
            document,
            wording,
            text_key,
        },
    )
}

/// The facet path of one dimension's value. Slots become hierarchical (`III.7.R1.5` →
/// `/slot/III/7/R1/5`) so that filtering on a slot includes everything below it.
pub fn facet_of(dimension: &str, value: &str) -> tantivy::schema::Facet {
    let mut path: Vec<String> = vec![dimension.to_string()];
    if dimension == "slot" {
        path.extend(value.split('.').map(str::to_string));
    } else {
        path.push(value.to_string());
    }
    tantivy::schema::Facet::from_path(path)
}

/// The values a record files under, per facet dimension.
pub fn facet_values(record: &Record) -> Vec<(&'static str, String)> {
    let mut values = vec![
        // A body by its label: four towns are 池田町, each its own value (「池田町（北海道）」).
        (
            "municipality",
            crate::bodies::LocalBodies::bundled()
                .label_of(&record.municipality, record.prefecture.as_deref()),
        ),
        ("doc_type", record.doc_type.clone()),
        // The file the record came from, for a record page's neighbours.
        ("source", record.source.file.clone()),
    ];
    let jimu_facet = &record.jimu_category.clone().or_else(|| record.jimu.clone());
    let optional = [
        ("prefecture", &record.prefecture),
        ("slot", &record.slot),
        ("actor", &record.actor),
        ("rating", &record.rating),
        ("file_name", &record.file_name),
        ("form_version", &record.form_version),
        ("body_kind", &record.body_kind),
        // The category, or the 事務 as printed when it has none.
        ("jimu", jimu_facet),
    ];
    for (dimension, value) in optional {
        if let Some(value) = value {
            values.push((dimension, value.clone()));
        }
    }
    // tantivy counts only the direct children of a requested facet, so exact slot counts need
    // the key as one flat value beside the hierarchical `slot` used for filtering.
    if let Some(slot) = &record.slot {
        values.push(("slot_key", slot.clone()));
    }
    values
}

/// A record's wording: its place (slot, else headings; the field) and its text sentence by
/// sentence as a comparison keys them ([`record_sentence_keys`](crate::compare::table::record_sentence_keys):
/// normalised, list marks and spaces aside, the body's own name, organ and 当市/本町 in one
/// placeholder), with a change row's 変更前 and 理由; for a record without text, its answers.
/// Two records of one wording say the same thing in the same place, whichever body wrote them.
/// Their 読点 aside: copies of a vendor's sentence add and drop them (「窓口の受付、入力方法」,
/// 「窓口の受付入力方法」), and nationally one sentence stood as four hits of the first twenty.
pub fn wording_of(record: &Record, sentence_keys: &[String]) -> u64 {
    let sentence_keys: Vec<String> = sentence_keys
        .iter()
        .map(|key| key.replace(['、', '，', ','], ""))
        .collect();
    let place = match &record.slot {
        Some(slot) => slot.clone(),
        None => record.section_path.join("/"),
    };
    // The answers are not wording: two bodies writing one text and rating the risk apart write
    // the same thing. Only a record without text (an item answered by its choice) is its answer.
    let answers = if sentence_keys.is_empty() {
        record.answers_text()
    } else {
        String::new()
    };
    let mut parts: Vec<&str> = vec![
        &place,
        record.field.as_deref().unwrap_or_default(),
        &answers,
        record.change.as_deref().unwrap_or_default(),
    ];
    parts.extend(sentence_keys.iter().map(String::as_str));
    let before_and_reason: Vec<String> = [&record.before_text, &record.reason]
        .into_iter()
        .flatten()
        .map(|text| crate::compare::body_sentence_key(text, &record.municipality))
        .collect();
    parts.extend(before_and_reason.iter().map(String::as_str));
    crate::record::stable_hash(&parts)
}

/// The values of a record's two text fields, in order: its headings, its answers (when it has
/// any) and its text.
fn text_values(record: &Record) -> Vec<String> {
    // The headings and the text as values of their own, not one string: both repeat verbatim
    // across bodies (the headings with every record of a slot, shared wording across bodies),
    // and the analyzers keep the tokens of repeated values.
    let answers = record.answers_text();
    let mut values = vec![record.context_text()];
    if !answers.is_empty() {
        values.push(answers);
    }
    values.push(record.search_text());
    values
}

/// How every new index lays out its records: each segment in the order of the records' text
/// keys ([`TEXT_KEY_FIELD`], [`text_key`]: slot first, then text), so that the records of one
/// text lie side by side and a search that has worked a text out steps over its other records
/// at once ([`crate::search::same_text`]).
fn index_settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        sort_by_field: Some(tantivy::IndexSortByField {
            field: TEXT_KEY_FIELD.to_string(),
            order: tantivy::Order::Asc,
        }),
        ..tantivy::IndexSettings::default()
    }
}

/// Whether `index` keeps the records of each segment in the order of their text digests (an
/// index built before it did is searched as it lies).
pub fn sorted_by_text(index: &Index) -> bool {
    index.settings().sort_by_field.as_ref().is_some_and(|sort| {
        sort.field == TEXT_KEY_FIELD && matches!(sort.order, tantivy::Order::Asc)
    })
}

/// A record's text key: its slot's place in the form (the top 8 bits), then a digest of the
/// values of its text fields (the other 56). Two records with one key hold the same tokens at
/// the same positions in both fields; the index keeps each segment in key order, so the
/// records of one text lie side by side, and the texts of one slot (and of one part of the
/// form) lie together: a search's matches are mostly in a few slots (目的外の入手 under the
/// risks of 3. 入手), and read from a few stretches of the postings instead of from all over
/// them (at 1M records the unspaced compound's search took 2.6–5.9 → 1.7–1.9 ms in process).
/// SHA-256 (56 bits of it), not a quick hash: texts come from documents, and a text made
/// to share another's key would match and rank as that one. One text under two slots has two
/// keys, answered alike.
pub fn text_key(slot: Option<&str>, values: &[String]) -> u64 {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    for value in values {
        // Each value's length first, so that values cannot run into each other.
        hasher.update((value.len() as u64).to_le_bytes());
        hasher.update(value.as_bytes());
    }
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let digest_bits = u64::from_le_bytes(first) >> 8;
    (u64::from(slot_place_bits(slot)) << 56) | digest_bits
}

/// The top byte of a text key: 0 for a record of no slot, else 1 + its slot's place in the
/// form.
fn slot_place_bits(slot: Option<&str>) -> u8 {
    slot.and_then(crate::form::place_in_form)
        .map_or(0, |place| u8::try_from(place + 1).unwrap_or(u8::MAX))
}

// Every slot's place fits the key's top byte beside 0 (no slot).
const _: () = assert!(crate::form::SLOTS.len() < 255);

fn to_document(
    record: &Record,
    fields: &Fields,
    document_number: u32,
    wording: u64,
) -> Result<TantivyDocument, IndexError> {
    let mut document = TantivyDocument::default();
    document.add_text(fields.id, &record.id);
    document.add_u64(fields.key, row_key(&record.id));
    document.add_u64(fields.document, u64::from(document_number));
    document.add_u64(fields.wording, wording);
    document.add_text(fields.record, record.to_stored());
    let values = text_values(record);
    document.add_u64(fields.text_key, text_key(record.slot.as_deref(), &values));
    document.add_u64(
        fields.own_text,
        u64::from(text_of_its_own(&values[values.len() - 1], &values[0])),
    );
    for field in [fields.text_ja, fields.text_bigram] {
        for value in &values {
            document.add_text(field, value);
        }
    }
    if let Some(published) = &record.published {
        document.add_text(fields.published, published);
    }
    for (dimension, value) in facet_values(record) {
        document.add_facet(fields.facets, facet_of(dimension, &value));
    }
    Ok(document)
}

/// A generation being built: records are added as they are parsed (nothing holds the whole
/// corpus in memory), and [`Build::finish`] commits it and makes it live. The previous index
/// stays live until the very end; dropping an unfinished build, or any error, leaves it as it
/// was.
///
/// A build is whole ([`Build::start`]: every document added) or an update of the live
/// generation ([`Build::update`]): its index files are linked into the new generation, the
/// records of removed or replaced documents deleted there, and the documents kept are taken
/// over with their records where they lie, so only new and changed documents are read. Either
/// way documents are added in corpus order, and the document table and the comparison table
/// come out as a whole build makes them.
pub struct Build {
    folder: PathBuf,
    name: String,
    building: PathBuf,
    /// `None` once finished; an unfinished build removes its folder when dropped.
    writer: Option<IndexWriter>,
    index: Index,
    fields: Fields,
    /// The comparison table, collected as records are added.
    table: TableCollector,
    /// The documents, numbered as they are added.
    documents: DocumentTable,
    /// Where each document's file stood when it was read.
    sources: DocumentSources,
    /// The fingerprint of the corpus read (see [`Build::set_corpus_fingerprint`]).
    fingerprint: Option<String>,
    /// For an update, what the live generation had.
    previous: Option<Previous>,
    /// Held until the build ends: one build per index folder.
    _lock: fs::File,
}

/// What an update takes over from the live generation.
struct Previous {
    documents: DocumentTable,
    /// File → position in `documents`.
    by_file: std::collections::HashMap<String, usize>,
    sources: DocumentSources,
    deletions: Deletions,
    /// The live generation's records, read to note what deleting them takes away.
    searcher: tantivy::Searcher,
    /// The number the next new document gets.
    next_number: u32,
}

/// The tables an update copies from the live generation, taken out of it to be freed.
type LiveTables = (
    DocumentTable,
    std::collections::HashMap<String, usize>,
    DocumentSources,
);

impl Previous {
    /// Takes the tables the update no longer needs once every document is in; what
    /// [`Build::finish`] still reads (the deletions, the live searcher) stays.
    fn take_tables(&mut self) -> LiveTables {
        (
            std::mem::take(&mut self.documents),
            std::mem::take(&mut self.by_file),
            std::mem::take(&mut self.sources),
        )
    }
}

/// The comparison table of a build in the making, with the live generation's source for an
/// update (empty for a whole build).
#[derive(Default)]
struct TableState {
    builder: TableBuilder,
    live: TableSource,
}

/// One document's rows for the comparison table, in corpus order.
enum TableStep {
    /// A kept document's rows, as the live generation's source has them.
    Again(u32),
    /// A record read now, with its sentence keys, document number and wording.
    Add(Box<(Record, Vec<String>, u32, u64)>),
}

impl TableState {
    fn take(&mut self, step: TableStep) {
        match step {
            TableStep::Again(number) => self.builder.add_again(&self.live, number),
            TableStep::Add(added) => {
                let (record, keys, number, wording) = *added;
                self.builder.add(&record, keys, number, wording);
            }
        }
    }
}

/// Where a build collects its comparison table: here for a whole build; for an update on a
/// thread of its own, fed in corpus order, since there adding a kept document's rows again is
/// most of the work of keeping it (hundreds of thousands of documents at national scale) and
/// the other core would wait.
enum TableCollector {
    Here(Box<TableState>),
    Beside {
        steps: std::sync::mpsc::Sender<TableStep>,
        collector: std::thread::JoinHandle<TableState>,
    },
}

impl TableCollector {
    fn beside(mut state: TableState) -> TableCollector {
        let (steps, taken) = std::sync::mpsc::channel();
        let collector = std::thread::spawn(move || {
            for step in taken {
                state.take(step);
            }
            state
        });
        TableCollector::Beside { steps, collector }
    }

    /// A record read now (copied only to be sent to a collector beside).
    fn add(&mut self, record: &Record, keys: Vec<String>, number: u32, wording: u64) {
        match self {
            TableCollector::Here(state) => state.builder.add(record, keys, number, wording),
            TableCollector::Beside { .. } => self.take(TableStep::Add(Box::new((
                record.clone(),
                keys,
                number,
                wording,
            )))),
        }
    }

    fn take(&mut self, step: TableStep) {
        match self {
            TableCollector::Here(state) => state.take(step),
            // A collector gone (it panicked) says so when it is joined.
            TableCollector::Beside { steps, .. } => {
                let _ = steps.send(step);
            }
        }
    }

    /// The collected table and the live source it read from (for an update, to be freed).
    fn finish(self) -> TableState {
        match self {
            TableCollector::Here(state) => *state,
            TableCollector::Beside { steps, collector } => {
                drop(steps);
                collector
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }
        }
    }
}

/// In a generation: where each document's file stood when it was read, so that an update
/// reads only the files that changed.
pub const SOURCES_FILE: &str = "sources.json";

/// A document file as it was read: its size and time with the manifest's entry for it
/// ([`crate::corpus::FolderStamps::document_stamp`]), and its text's fingerprint (a copy of another
/// document is skipped).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DocumentSource {
    pub stamp: String,
    pub content: u64,
}

/// The sources of a generation's documents, by file.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct DocumentSources {
    /// The hyoka that read them (its version and executable): another one reads everything.
    pub reader: String,
    /// The corpus folder they were read from: files of another folder are other files, whatever
    /// their names, sizes and times.
    #[serde(default)]
    pub folder: String,
    pub files: std::collections::BTreeMap<String, DocumentSource>,
}

impl DocumentSources {
    fn read(folder: &Path) -> Option<DocumentSources> {
        crate::generation::read_json(&folder.join(SOURCES_FILE))
            .ok()?
            .ok()
    }

    fn write(&self, folder: &Path) -> std::io::Result<()> {
        crate::generation::write_json(&folder.join(SOURCES_FILE), self)
    }
}

/// Locks the index folder for a build: one build at a time (a second one would remove the
/// first one's unfinished generation as stale). The lock is the kernel's (flock), so a killed
/// ingest releases it.
fn lock_folder(folder: &Path) -> Result<fs::File, IndexError> {
    fs::create_dir_all(folder).map_err(io_error(folder))?;
    let lock_path = folder.join(LOCK_FILE);
    let lock = fs::File::create(&lock_path).map_err(io_error(&lock_path))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            return Err(IndexError::Busy(folder.to_path_buf()));
        }
        Err(fs::TryLockError::Error(source)) => return Err(io_error(&lock_path)(source)),
    }
    // Left by a build that was killed: never live, safe to remove under the lock.
    remove_stale_builds(folder);
    Ok(lock)
}

/// A new generation's name and its folder while it is built.
fn new_generation(folder: &Path) -> (String, PathBuf) {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis())
        .unwrap_or_default();
    let name = format!("gen-{stamp}-{}", std::process::id());
    let building = folder.join(format!("{name}.tmp"));
    (name, building)
}

/// tantivy's own bookkeeping in a generation: rewritten by a commit, so an update copies it
/// (a link would change the live generation's too).
const TANTIVY_BOOKKEEPING: [&str; 2] = ["meta.json", ".managed.json"];

/// Files of a generation an update does not link: tantivy's bookkeeping (copied) and hyoka's
/// tables and locks (written anew).
fn written_anew(name: &str) -> bool {
    TANTIVY_BOOKKEEPING.contains(&name)
        || matches!(
            name,
            FINGERPRINT_FILE
                | SOURCES_FILE
                | crate::document::DOCUMENTS_FILE
                | crate::compare::table::TABLE_FILE
                | crate::compare::table::TABLE_SOURCE_FILE
                | crate::deletions::DELETIONS_FILE
        )
        || name.ends_with(".lock")
}

/// Most records a whole build merges into one segment: a merge of segments in text order
/// holds a term's postings from all of them at once, and one merge of 5M records took the
/// ingest's peak memory to 4 GB.
const MAX_MERGED_RECORDS: u32 = 2_000_000;

/// Starts merging a whole build's segments into as few as [`MAX_MERGED_RECORDS`] allows; the
/// merges run side by side on tantivy's merge threads (each reads and writes on one core). A
/// search sets up its query once per segment (every word's postings looked up,
/// the same-text answers, the collectors), and a segment in text order holds a text's records
/// in one run instead of one per segment: at 1M records, eight segments merged into one made
/// searches a quarter faster (and two, each searched on its own core, made most searches 5–20 %
/// slower, only the broadest faster). Where several are needed anyway, they are as even as the
/// built segments allow and as many as a multiple of the cores, since a search runs its
/// segments on all cores at once (5M records: four of 1.25M, not 2M, 2M and 1M). Merging once
/// at the end reads every record once, where merging as the build goes merged the same records
/// several times over.
fn start_merges(
    index: &Index,
    writer: &mut IndexWriter,
) -> tantivy::Result<Vec<tantivy::FutureResult<Option<tantivy::SegmentMeta>>>> {
    let segments = index.searchable_segment_metas()?;
    let sizes: Vec<u64> = segments
        .iter()
        .map(|segment| u64::from(segment.num_docs()))
        .collect();
    Ok(merge_plan(&sizes, cores() as u64)
        .into_iter()
        .filter(|batch| batch.len() > 1)
        .map(|batch| {
            let ids: Vec<_> = batch.iter().map(|&at| segments[at].id()).collect();
            writer.merge(&ids)
        })
        .collect())
}

/// A writer with `threads` indexing threads and as many merge threads: a whole build's final
/// merges run that many at a time, each holding its segments' postings (tantivy's default of
/// four at once would hold four 1.25M-record merges at 5M).
fn build_writer(index: &Index, threads: usize) -> tantivy::Result<IndexWriter> {
    let threads = threads.max(1);
    index.writer_with_options(
        tantivy::indexer::IndexWriterOptions::builder()
            .num_worker_threads(threads)
            .memory_budget_per_thread(WRITER_HEAP_BYTES / threads)
            .num_merge_threads(threads)
            .build(),
    )
}

/// The machine's cores (one when it cannot tell): segments are merged and searched for them.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// Which built segments (by position, in order) merge into each final one: as few as
/// [`MAX_MERGED_RECORDS`] allows, a multiple of `cores` when more than one, each segment in the
/// final one its middle record falls in, so that they are as even as the built sizes allow.
fn merge_plan(sizes: &[u64], cores: u64) -> Vec<Vec<usize>> {
    let records: u64 = sizes.iter().sum();
    let mut merged = records.div_ceil(u64::from(MAX_MERGED_RECORDS)).max(1);
    if merged > 1 {
        merged = merged.div_ceil(cores.max(1)) * cores.max(1);
    }
    let mut batches: Vec<Vec<usize>> = vec![Vec::new(); merged as usize];
    let mut records_before = 0u64;
    for (position, size) in sizes.iter().enumerate() {
        let middle = records_before + size / 2;
        let batch = (middle * merged / records.max(1)).min(merged - 1) as usize;
        batches[batch].push(position);
        records_before += size;
    }
    batches.retain(|batch| !batch.is_empty());
    batches
}

/// Links the live generation's index files into `building` (segment files never change once
/// written, so both generations can share them); copies tantivy's bookkeeping.
fn link_generation(live: &Path, building: &Path) -> Result<(), IndexError> {
    for entry in fs::read_dir(live).map_err(io_error(live))? {
        let entry = entry.map_err(io_error(live))?;
        let name = entry.file_name().to_string_lossy().to_string();
        let target = building.join(&name);
        if TANTIVY_BOOKKEEPING.contains(&name.as_str()) {
            fs::copy(entry.path(), &target).map_err(io_error(&target))?;
        } else if !written_anew(&name) && entry.path().is_file() {
            // A folder on another file system cannot link: copy then.
            if fs::hard_link(entry.path(), &target).is_err() {
                fs::copy(entry.path(), &target).map_err(io_error(&target))?;
            }
        }
    }
    Ok(())
}

impl Build {
    /// Locks the folder and starts a new generation beside the live one, to add every
    /// document to.
    pub fn start(folder: &Path, threads: usize) -> Result<Build, IndexError> {
        let lock = lock_folder(folder)?;
        let (name, building) = new_generation(folder);
        fs::create_dir_all(&building).map_err(io_error(&building))?;
        let (schema, fields) = schema();
        let index = Index::builder()
            .schema(schema)
            .settings(index_settings())
            .create_in_dir(&building)?;
        register_tokenizers(&index);
        let writer = build_writer(&index, threads)?;
        // Merged once, into as few segments as can be, when every document is in (see
        // `finish`).
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        Ok(Build::of(
            folder,
            (name, building),
            (index, fields, writer),
            lock,
            None,
        ))
    }

    /// A build of a new generation `name`, written in `building`, nothing added yet.
    fn of(
        folder: &Path,
        (name, building): (String, PathBuf),
        (index, fields, writer): (Index, Fields, IndexWriter),
        lock: fs::File,
        previous: Option<Previous>,
    ) -> Build {
        Build {
            folder: folder.to_path_buf(),
            name,
            building,
            writer: Some(writer),
            index,
            fields,
            table: TableCollector::Here(Box::default()),
            documents: DocumentTable::default(),
            sources: DocumentSources::default(),
            fingerprint: None,
            previous,
            _lock: lock,
        }
    }

    /// Locks the folder and starts a new generation that updates the live one; `None` when
    /// the live generation cannot be updated (there is none, or an earlier hyoka built it
    /// without what an update takes over): a whole build is needed.
    pub fn update(folder: &Path, threads: usize) -> Result<Option<Build>, IndexError> {
        let lock = lock_folder(folder)?;
        let Some(live) = current_generation(folder) else {
            return Ok(None);
        };
        let live = folder.join(live);
        // The tables are hundreds of megabytes each at national scale: read side by side.
        let (documents, sources, table, deletions) = std::thread::scope(|scope| {
            let documents = scope.spawn(|| DocumentTable::read(&live));
            let table = scope.spawn(|| TableSource::read(&live));
            let sources = DocumentSources::read(&live);
            let deletions = Deletions::read(&live);
            let documents = documents
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            let table = table
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (documents, sources, table, deletions)
        });
        let (Ok(documents), Some(sources), Some(table), Ok(deletions)) =
            (documents, sources, table, deletions)
        else {
            return Ok(None);
        };
        let (name, building) = new_generation(folder);
        fs::create_dir_all(&building).map_err(io_error(&building))?;
        let opened = link_generation(&live, &building).and_then(|()| {
            let index = Index::open_in_dir(&building)?;
            register_tokenizers(&index);
            let (expected, fields) = schema();
            if !same_fields(&index.schema(), &expected) {
                return Ok(None);
            }
            let writer = build_writer(&index, threads)?;
            let searcher = building_reader(&index)?.searcher();
            Ok(Some((index, fields, writer, searcher)))
        });
        let (index, fields, writer, searcher) = match opened {
            Ok(Some(opened)) => opened,
            Ok(None) => {
                let _ = fs::remove_dir_all(&building);
                return Ok(None);
            }
            Err(error) => {
                let _ = fs::remove_dir_all(&building);
                return Err(error);
            }
        };
        let by_file = documents
            .documents
            .iter()
            .enumerate()
            .map(|(position, document)| (document.file.clone(), position))
            .collect();
        let next_number = documents.next_number();
        let previous = Previous {
            documents,
            by_file,
            sources,
            deletions,
            searcher,
            next_number,
        };
        let mut build = Build::of(
            folder,
            (name, building),
            (index, fields, writer),
            lock,
            Some(previous),
        );
        build.table = TableCollector::beside(TableState {
            builder: TableBuilder::default(),
            live: table,
        });
        Ok(Some(build))
    }

    /// For an update, the documents of the live generation with where their files stood
    /// when they were read, and the hyoka that read them.
    pub fn previous_sources(&self) -> Option<&DocumentSources> {
        self.previous.as_ref().map(|previous| &previous.sources)
    }

    /// Adds the records of one document (a file), each with its sentence keys
    /// ([`record_sentence_keys`](crate::compare::table::record_sentence_keys)); tantivy's
    /// indexing threads analyse them in the background.
    pub fn add_document(
        &mut self,
        records: &[Record],
        sentence_keys: Vec<Vec<String>>,
        source: DocumentSource,
    ) -> Result<(), IndexError> {
        let Some(document) = DocumentInfo::of_records(records) else {
            return Ok(());
        };
        self.sources.files.insert(document.file.clone(), source);
        let number = match &mut self.previous {
            Some(previous) => {
                let number = previous.next_number;
                previous.next_number += 1;
                self.documents.push_numbered(document, number)
            }
            None => self.documents.push(document),
        };
        let Some(writer) = &self.writer else {
            return Ok(());
        };
        for (record, keys) in records.iter().zip(sentence_keys) {
            let wording = wording_of(record, &keys);
            writer.add_document(to_document(record, &self.fields, number, wording)?)?;
            self.table.add(record, keys, number, wording);
        }
        Ok(())
    }

    /// For an update: takes over a document of the live generation as it is (its records stay
    /// where they lie in the index files); returns its records. `None` when the live
    /// generation has no such file.
    pub fn keep_document(&mut self, file: &str) -> Option<usize> {
        let previous = self.previous.as_mut()?;
        let &position = previous.by_file.get(file)?;
        // Moved, not copied: each document is kept once, and at national scale copying the
        // live tables' strings (and freeing them after) was a third of keeping them.
        let (file, source) = previous.sources.files.remove_entry(file)?;
        let number = previous.documents.number_at(position);
        let document = std::mem::take(&mut previous.documents.documents[position]);
        let records = document.records as usize;
        self.sources.files.insert(file, source);
        self.documents.push_numbered(document, number);
        self.table.take(TableStep::Again(number));
        Some(records)
    }

    /// For an update: deletes the records of a document of the live generation (removed from
    /// the folder, or read again), noting what they held for the ranking statistics.
    pub fn delete_document(&mut self, file: &str) -> Result<(), IndexError> {
        let (Some(previous), Some(writer)) = (&mut self.previous, &self.writer) else {
            return Ok(());
        };
        let term = Term::from_facet(self.fields.facets, &facet_of("source", file));
        let searcher = &previous.searcher;
        let addresses = searcher.search(
            &tantivy::query::TermQuery::new(term.clone(), IndexRecordOption::Basic),
            &tantivy::collector::DocSetCollector,
        )?;
        let tokenizers = self.index.tokenizers();
        let mut analyzers = [
            ("text_ja", tokenizers.get(JA_TOKENIZER)),
            ("text_bigram", tokenizers.get(BIGRAM_TOKENIZER)),
        ];
        for address in addresses {
            let segment = searcher
                .segment_reader(address.segment_ord)
                .segment_id()
                .uuid_string();
            let stored: TantivyDocument = searcher.doc(address)?;
            let values = text_values(&record_of(&stored, &self.fields)?);
            let mut held: Vec<(&str, Vec<Vec<String>>)> = Vec::new();
            for (field, analyzer) in &mut analyzers {
                let Some(analyzer) = analyzer else {
                    continue;
                };
                let terms = values
                    .iter()
                    .map(|value| {
                        let mut terms = Vec::new();
                        let mut stream = analyzer.token_stream(value);
                        while let Some(token) = stream.next() {
                            // tantivy drops what it cannot index, and does not count it.
                            if token.text.len() <= tantivy::tokenizer::MAX_TOKEN_LEN {
                                terms.push(token.text.clone());
                            }
                        }
                        terms
                    })
                    .collect();
                held.push((field, terms));
            }
            previous.deletions.add_record(&segment, &held);
        }
        writer.delete_term(term);
        Ok(())
    }

    /// Records the fingerprint of the corpus this generation is built from, so that a later
    /// ingest of the same, unchanged folder can do nothing.
    pub fn set_corpus_fingerprint(&mut self, fingerprint: String) {
        self.fingerprint = Some(fingerprint);
    }

    /// Names the hyoka that read the documents and the folder they were read from (see
    /// [`DocumentSources`]).
    pub fn set_reader(&mut self, reader: String, folder: String) {
        self.sources.reader = reader;
        self.sources.folder = folder;
    }

    /// Writes the generation's tables beside its index files: documents, sources, comparison.
    fn write_tables(&mut self) -> Result<(), IndexError> {
        let layout = self.building.join(LAYOUT_FILE);
        fs::write(&layout, LAYOUT_VERSION).map_err(io_error(&layout))?;
        if let Some(fingerprint) = &self.fingerprint {
            let path = self.building.join(FINGERPRINT_FILE);
            fs::write(&path, fingerprint).map_err(io_error(&path))?;
        }
        let mut documents = std::mem::take(&mut self.documents);
        let TableState {
            builder: table,
            live,
        } = std::mem::replace(&mut self.table, TableCollector::Here(Box::default())).finish();
        let (sources, building) = (&self.sources, &self.building);
        // The comparison table takes longest to build and write; the documents and sources
        // (hundreds of megabytes at national scale) are written beside it.
        let (documents_written, table_written) = std::thread::scope(|scope| {
            let documents_written = scope.spawn(move || {
                // An update's copy of the live source goes here, beside the table's build.
                drop(live);
                documents.assign_versions();
                documents
                    .write(building)
                    .and_then(|()| sources.write(building))
            });
            let table_written = table.finish(building);
            (documents_written.join(), table_written)
        });
        documents_written
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            .map_err(io_error(building))?;
        table_written.map_err(io_error(building))
    }

    /// Commits the generation, makes it live by renaming `CURRENT`, and removes generations
    /// older than the one it replaces.
    pub fn finish(mut self) -> Result<PathBuf, IndexError> {
        // An update's copy of the live tables is done with: freeing millions of small strings
        // takes a second at national scale, spent beside the commit instead of after it.
        let live_tables = self.previous.as_mut().map(Previous::take_tables);
        std::thread::scope(|scope| {
            if let Some(live_tables) = live_tables {
                scope.spawn(move || drop(live_tables));
            }
            self.finish_generation()
        })
    }

    /// Commits the generation and makes it live (see [`Build::finish`]).
    fn finish_generation(&mut self) -> Result<PathBuf, IndexError> {
        let Some(mut writer) = self.writer.take() else {
            return Err(IndexError::Missing(self.building.clone()));
        };
        let whole = self.previous.is_none();
        // The merges of a whole build run on tantivy's threads while this one writes the
        // generation's tables (the documents, sources and comparison table), so
        // neither waits for the other. A failure of either removes the unfinished
        // generation; nothing is live until `CURRENT` names it.
        let committed = writer.commit().map_err(IndexError::from).and_then(|_| {
            let merging = if whole {
                start_merges(&self.index, &mut writer)?
            } else {
                Vec::new()
            };
            let written = self.write_tables();
            let merged = merging
                .into_iter()
                .try_for_each(|merge| merge.wait().map(|_| ()))
                // The merged segments' files go now: left to the merge threads' own collection
                // they could stay behind in the generation (40 % of its folder at 1M records).
                .and_then(|()| writer.garbage_collect_files().wait().map(|_| ()))
                .and_then(|()| writer.wait_merging_threads())
                .map_err(IndexError::from);
            written.and(merged)
        });
        if let Err(error) = committed {
            let _ = fs::remove_dir_all(&self.building);
            return Err(error);
        }
        if let Some(previous) = &mut self.previous {
            // After the commit's merges: a merged segment has dropped its deleted records.
            let written = building_reader(&self.index)
                .map(|reader| reader.searcher())
                .and_then(|searcher| {
                    previous.deletions.keep_segments_of(&searcher);
                    previous
                        .deletions
                        .write(&self.building)
                        .map_err(io_error(&self.building))
                });
            if let Err(error) = written {
                let _ = fs::remove_dir_all(&self.building);
                return Err(error);
            }
        }
        let (folder, name, building) = (&self.folder, &self.name, &self.building);

        let finished = folder.join(name);
        fs::rename(building, &finished).map_err(io_error(&finished))?;
        let previous = current_generation(folder);
        let pointer_tmp = folder.join(format!("{CURRENT_FILE}.tmp"));
        {
            use std::io::Write;
            let mut file = fs::File::create(&pointer_tmp).map_err(io_error(&pointer_tmp))?;
            file.write_all(name.as_bytes())
                .map_err(io_error(&pointer_tmp))?;
            file.sync_all().map_err(io_error(&pointer_tmp))?;
        }
        fs::rename(&pointer_tmp, folder.join(CURRENT_FILE)).map_err(io_error(folder))?;
        // The renames live in the folder's entries: sync it so the new CURRENT survives a power
        // cut, not only a crash of this process.
        fs::File::open(folder)
            .and_then(|directory| directory.sync_all())
            .map_err(io_error(folder))?;
        // Keep the generation just replaced: a server may still be answering from it until it
        // reloads. Older ones go.
        remove_old_generations(folder, name, previous.as_deref());
        Ok(finished)
    }
}

/// Whether two schemas have the same fields (an index written by an earlier hyoka lacks
/// newer ones).
fn same_fields(found: &Schema, expected: &Schema) -> bool {
    let names = |schema: &Schema| -> Vec<String> {
        schema
            .fields()
            .map(|(_, entry)| entry.name().to_string())
            .collect()
    };
    names(found) == names(expected)
}

impl Drop for Build {
    fn drop(&mut self) {
        // Unfinished (an error, or nothing to index): its files go, the live index stays.
        if let Some(writer) = self.writer.take() {
            drop(writer);
            let _ = fs::remove_dir_all(&self.building);
        }
    }
}

fn remove_stale_builds(folder: &Path) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with("gen-") && name.ends_with(".tmp") {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn remove_old_generations(folder: &Path, live: &str, previous: Option<&str>) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let is_generation = name.starts_with("gen-") && !name.ends_with(".tmp");
        if is_generation && name != live && Some(name.as_str()) != previous {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// The corpus fingerprint the live generation was built from, if it recorded one.
pub fn live_corpus_fingerprint(folder: &Path) -> Option<(String, String)> {
    let generation = current_generation(folder)?;
    let fingerprint = fs::read_to_string(folder.join(&generation).join(FINGERPRINT_FILE)).ok()?;
    Some((generation, fingerprint))
}

/// The documents table as hyoka wrote it before its tables were kept as columns.
const JSON_DOCUMENTS_FILE: &str = "documents.json";

/// The file naming the layout a generation was written in: what its index holds beyond its
/// schema's fields (how facet values are written, say). A generation without it, or of
/// another layout, was built by an earlier hyoka and is built again.
pub const LAYOUT_FILE: &str = "layout";

/// The layout this hyoka writes and reads. 2: bodies bearing one name are filed under their
/// labels (「池田町（北海道）」), not under the name they share. 3: wordings a 読点 apart are
/// one wording (see [`wording_of`]). 4: text keys led by the slot's place in the form (see
/// [`text_key`]), so a segment holds each slot's records together. 5: records stored in their
/// own form (see [`Record::to_stored`]), not as JSON.
const LAYOUT_VERSION: &str = "5";

/// A reader of a generation being built, which is never reloaded: tantivy's default reader
/// watches the folder's `meta.json` on a thread of its own, which logged a warning to the
/// user's terminal when a failed ingest removed the folder under it.
fn building_reader(index: &Index) -> Result<tantivy::IndexReader, IndexError> {
    Ok(index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()?)
}

/// The name of the live generation, if there is one.
pub fn current_generation(folder: &Path) -> Option<String> {
    let name = fs::read_to_string(folder.join(CURRENT_FILE)).ok()?;
    let name = name.trim().to_string();
    let valid =
        name.starts_with("gen-") && !name.contains(['/', '\\']) && folder.join(&name).is_dir();
    valid.then_some(name)
}

/// Opens the live generation.
pub fn open(folder: &Path) -> Result<(Index, Fields, String), IndexError> {
    let Some(generation) = current_generation(folder) else {
        return Err(IndexError::Missing(folder.to_path_buf()));
    };
    let index = Index::open_in_dir(folder.join(&generation))?;
    register_tokenizers(&index);
    let (expected, fields) = schema();
    // An index written by an earlier hyoka lacks newer fields; reading it would fail on the
    // first search instead of here, with a message that says what to do.
    if !same_fields(&index.schema(), &expected) {
        return Err(IndexError::OlderSchema(folder.join(&generation)));
    }
    // Its tables were written as JSON before they were kept as columns; its facet values
    // (and whatever else a layout names) as an earlier hyoka wrote them.
    let layout = fs::read_to_string(folder.join(&generation).join(LAYOUT_FILE)).unwrap_or_default();
    if folder.join(&generation).join(JSON_DOCUMENTS_FILE).exists()
        || layout.trim() != LAYOUT_VERSION
    {
        return Err(IndexError::OlderSchema(folder.join(&generation)));
    }
    Ok((index, fields, generation))
}

/// Reads the record stored in a document.
pub fn record_of(document: &TantivyDocument, fields: &Fields) -> Result<Record, IndexError> {
    use tantivy::schema::Value;
    let stored = document
        .get_first(fields.record)
        .and_then(|value| value.as_str())
        .unwrap_or_default();
    Ok(Record::from_stored(stored)?)
}

#[cfg(test)]
mod tests {
    use super::merge_plan;

    fn merged_sizes(sizes: &[u64], cores: u64) -> Vec<u64> {
        merge_plan(sizes, cores)
            .iter()
            .map(|batch| batch.iter().map(|&at| sizes[at]).sum())
            .collect()
    }

    #[test]
    fn a_build_that_fits_one_merged_segment_becomes_one() {
        let sizes = vec![60_000; 17];
        assert_eq!(merge_plan(&sizes, 2), vec![(0..17).collect::<Vec<_>>()]);
        assert_eq!(merge_plan(&[5], 2), vec![vec![0]]);
    }

    #[test]
    fn a_build_past_one_merged_segment_becomes_even_segments_a_multiple_of_the_cores() {
        // 5M records written as segments of ~60k: four of ~1.25M on two cores, not 2M, 2M, 1M.
        let mut sizes = vec![60_000; 83];
        sizes.push(20_000);
        let on_two = merged_sizes(&sizes, 2);
        assert_eq!(on_two.len(), 4, "{on_two:?}");
        assert!(
            on_two
                .iter()
                .all(|&size| (1_180_000..=1_320_000).contains(&size)),
            "{on_two:?}"
        );
        let on_one = merged_sizes(&sizes, 1);
        assert_eq!(on_one.len(), 3, "{on_one:?}");
        assert!(on_one.iter().all(|&size| size <= 2_000_000), "{on_one:?}");
        // Every built segment merges once, in order.
        let order: Vec<usize> = merge_plan(&sizes, 2).into_iter().flatten().collect();
        assert_eq!(order, (0..sizes.len()).collect::<Vec<_>>());
    }
}
