//! The comparison table: what a comparison needs about every row of a slot, built once at
//! ingest and written beside the index, so that comparing a slot across thousands of bodies
//! loads and diffs only the rows on the page.
//!
//! It holds the rows of every slot in reading order (body, document, file, field, actor, id)
//! with their body, file and answer, and for every sentence of a slot how many bodies write it
//! or a sentence worded the same (nationally shared wording against a body's own). Counting
//! that at query time meant reading every row of the slot and grouping its sentences per
//! request: 300 ms at 100k records, and rows past a cap were simply not counted.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use super::keyed::KeyedRecords;
use super::{SIMILARITY_BUDGET, SharedSentences, body_of, body_sentence_key, sentences_of};
use crate::columns::{ColumnReader, ColumnWriter};
use crate::record::{Record, row_key, stable_hash};

/// The table's file in a generation's folder ([`crate::columns`]).
pub const TABLE_FILE: &str = "comparison.columns";
/// What the file's header calls the table.
const TABLE_KIND: &[u8; 8] = b"compare ";
/// Bumped when the layout changes; an index with another version must be rebuilt.
const TABLE_VERSION: u32 = 4;

/// The comparison table as its file holds it: rows in reading order, as columns.
#[derive(Debug, Default)]
struct TableFile {
    version: u32,
    /// Body names as [`body_of`] gives them, files and answers, each listed once.
    bodies: Vec<String>,
    files: Vec<String>,
    answers: Vec<String>,
    /// Rows in reading order, as columns: the record's key (its id as a number), body, file,
    /// the item's choice, the choice as printed when folding changed it, and the risk's rating
    /// (each an answer's position in `answers` plus one; 0 for none).
    row_keys: Vec<u64>,
    row_bodies: Vec<u32>,
    row_files: Vec<u32>,
    row_choices: Vec<u32>,
    row_printed: Vec<u32>,
    row_ratings: Vec<u32>,
    /// Per row, whether it is a change row that removed its measure (never a base text).
    row_deleted: Vec<bool>,
    /// Per row, its document (numbered as in the generation's document table) and its
    /// wording ([`crate::index::wording_of`]).
    row_documents: Vec<u32>,
    row_wordings: Vec<u64>,
    /// Per row, whether it has text (an item answered only by its choice has none).
    row_texts: Vec<bool>,
    /// Per slot key, the positions of its rows, ascending.
    /// (Files written before it was read slot by slot also hold `slot_keys`, these keys in
    /// order: the reader numbers the slots from `slots` itself and ignores it.)
    slots: BTreeMap<String, Vec<u32>>,
    /// Hash of (slot, sentence key) → bodies writing that sentence or one worded the same,
    /// as two columns sorted by hash.
    sentence_hashes: Vec<u64>,
    sentence_writers: Vec<u32>,
}

impl TableFile {
    fn write(&self, path: &Path) -> std::io::Result<()> {
        let mut columns = ColumnWriter::create(path, TABLE_KIND, self.version)?;
        for strings in [&self.bodies, &self.files, &self.answers] {
            columns.strings(strings.iter().map(String::as_str))?;
        }
        columns.u64s(&self.row_keys)?;
        for numbers in [
            &self.row_bodies,
            &self.row_files,
            &self.row_choices,
            &self.row_printed,
            &self.row_ratings,
        ] {
            columns.u32s(numbers)?;
        }
        columns.flags(&self.row_deleted)?;
        columns.u32s(&self.row_documents)?;
        columns.u64s(&self.row_wordings)?;
        columns.flags(&self.row_texts)?;
        // Each slot's positions, one after another, with their counts.
        columns.strings(self.slots.keys().map(String::as_str))?;
        let counts: Vec<u32> = self
            .slots
            .values()
            .map(|positions| positions.len() as u32)
            .collect();
        columns.u32s(&counts)?;
        columns.u32s(&self.slots.values().flatten().copied().collect::<Vec<u32>>())?;
        columns.u64s(&self.sentence_hashes)?;
        columns.u32s(&self.sentence_writers)?;
        columns.finish()
    }

    /// Reads the file at `path`; a file of another version gives its version and no columns.
    fn read(path: &Path) -> std::io::Result<TableFile> {
        let (mut columns, version) = ColumnReader::open(path, TABLE_KIND)?;
        if version != TABLE_VERSION {
            return Ok(TableFile {
                version,
                ..TableFile::default()
            });
        }
        let mut file = TableFile {
            version,
            bodies: columns.strings()?,
            files: columns.strings()?,
            answers: columns.strings()?,
            row_keys: columns.u64s()?,
            row_bodies: columns.u32s()?,
            row_files: columns.u32s()?,
            row_choices: columns.u32s()?,
            row_printed: columns.u32s()?,
            row_ratings: columns.u32s()?,
            row_deleted: columns.flags()?,
            row_documents: columns.u32s()?,
            row_wordings: columns.u64s()?,
            row_texts: columns.flags()?,
            ..TableFile::default()
        };
        let (slot_keys, counts, positions) = (columns.strings()?, columns.u32s()?, columns.u32s()?);
        let total: usize = counts.iter().map(|&count| count as usize).sum();
        if slot_keys.len() != counts.len() || total != positions.len() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "its slots and their rows' positions differ in number",
            ));
        }
        let mut rest = positions.as_slice();
        for (slot, count) in slot_keys.into_iter().zip(counts) {
            let (these, after) = rest.split_at(count as usize);
            file.slots.insert(slot, these.to_vec());
            rest = after;
        }
        file.sentence_hashes = columns.u64s()?;
        file.sentence_writers = columns.u32s()?;
        columns.finish()?;
        Ok(file)
    }
}

/// The comparison table of one generation (see the module's header), as comparisons read it:
/// each slot's rows side by side. A comparison reads one slot's rows (2,853 of 1M for a risk's
/// measure), which lie all over the file's reading order: read from its columns that was a
/// cache miss per column per row, a tenth of a comparison's time.
#[derive(Debug, Default)]
pub struct ComparisonTable {
    /// Body names as [`body_of`] gives them, files and answers, each listed once.
    bodies: Vec<String>,
    files: Vec<String>,
    answers: Vec<String>,
    /// Every row, slot by slot in the order of `slot_keys`, each slot's rows in reading order.
    rows: Vec<SlotRow>,
    /// The slots' keys in order, numbering them for [`TableRow::slot`].
    slot_keys: Vec<String>,
    /// Where each slot's rows start in `rows`, and one past the last slot's rows.
    slot_starts: Vec<u32>,
    /// As in the file: hash of (slot, sentence key) → bodies writing it, sorted by hash.
    sentence_hashes: Vec<u64>,
    sentence_writers: Vec<u32>,
    /// The rows' records as comparisons have read and keyed them (see [`super::keyed`]).
    keyed: KeyedRecords,
}

/// One row as the table keeps it in memory ([`TableRow`] without its slot, with its place in
/// reading order).
#[derive(Debug, Clone, Copy)]
struct SlotRow {
    key: u64,
    wording: u64,
    reading_position: u32,
    body: u32,
    file: u32,
    document: u32,
    /// An answer's position plus one; 0 for none (as in the file).
    choice: u32,
    printed: u32,
    rating: u32,
    deleted: bool,
    has_text: bool,
}

impl SlotRow {
    fn table_row(&self, slot: u32) -> TableRow {
        TableRow {
            key: self.key,
            slot,
            body: self.body,
            file: self.file,
            choice: self.choice.checked_sub(1),
            printed: self.printed.checked_sub(1),
            rating: self.rating.checked_sub(1),
            deleted: self.deleted,
            document: self.document,
            wording: self.wording,
            has_text: self.has_text,
        }
    }
}

/// One row of the table as a comparison reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableRow {
    pub key: u64,
    pub slot: u32,
    pub body: u32,
    pub file: u32,
    pub choice: Option<u32>,
    pub printed: Option<u32>,
    pub rating: Option<u32>,
    pub deleted: bool,
    pub document: u32,
    pub wording: u64,
    pub has_text: bool,
}

impl TableRow {
    /// The item's 選択 with its print, for [`super::tally`].
    pub fn choice_and_print(&self) -> Option<(u32, Option<u32>)> {
        self.choice.map(|choice| (choice, self.printed))
    }

    /// The risk's 評価 (never folded from another print), for [`super::tally`].
    pub fn rating_alone(&self) -> Option<(u32, Option<u32>)> {
        self.rating.map(|rating| (rating, None))
    }
}

/// Why the table could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a comparison table ({source}); run `hyoka ingest` again")]
    Format {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path}: written by another version of hyoka (table version {found}, this one reads {TABLE_VERSION}); run `hyoka ingest` again"
    )]
    Version { path: String, found: u32 },
    #[error("{path}: the comparison table is damaged ({detail}); run `hyoka ingest` again")]
    Damaged { path: String, detail: String },
}

impl ComparisonTable {
    /// Reads the table of the generation in `folder`.
    pub fn read(folder: &Path) -> Result<ComparisonTable, TableError> {
        let path = folder.join(TABLE_FILE);
        let shown = path.display().to_string();
        let table = TableFile::read(&path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::InvalidData {
                TableError::Format {
                    path: shown.clone(),
                    source,
                }
            } else {
                TableError::Io {
                    path: shown.clone(),
                    source,
                }
            }
        })?;
        if table.version != TABLE_VERSION {
            return Err(TableError::Version {
                path: shown,
                found: table.version,
            });
        }
        ComparisonTable::slot_by_slot(table).map_err(|detail| TableError::Damaged {
            path: shown,
            detail,
        })
    }

    /// The file's rows laid out slot by slot (see [`ComparisonTable::rows`]).
    fn slot_by_slot(file: TableFile) -> Result<ComparisonTable, String> {
        let count = file.row_keys.len();
        let lengths = [
            file.row_bodies.len(),
            file.row_files.len(),
            file.row_choices.len(),
            file.row_printed.len(),
            file.row_ratings.len(),
            file.row_deleted.len(),
            file.row_documents.len(),
            file.row_wordings.len(),
            file.row_texts.len(),
        ];
        if lengths.iter().any(|&length| length != count) {
            return Err(format!(
                "its row columns differ in length ({count}, {lengths:?})"
            ));
        }
        let mut rows = Vec::with_capacity(count);
        let mut slot_starts = Vec::with_capacity(file.slots.len() + 1);
        for (slot, positions) in &file.slots {
            slot_starts.push(rows.len() as u32);
            for &position in positions {
                let at = position as usize;
                if at >= count {
                    return Err(format!("slot {slot} names row {position} of {count}"));
                }
                rows.push(SlotRow {
                    key: file.row_keys[at],
                    wording: file.row_wordings[at],
                    reading_position: position,
                    body: file.row_bodies[at],
                    file: file.row_files[at],
                    document: file.row_documents[at],
                    choice: file.row_choices[at],
                    printed: file.row_printed[at],
                    rating: file.row_ratings[at],
                    deleted: file.row_deleted[at],
                    has_text: file.row_texts[at],
                });
            }
        }
        slot_starts.push(rows.len() as u32);
        Ok(ComparisonTable {
            bodies: file.bodies,
            files: file.files,
            answers: file.answers,
            rows,
            slot_keys: file.slots.into_keys().collect(),
            slot_starts,
            sentence_hashes: file.sentence_hashes,
            sentence_writers: file.sentence_writers,
            keyed: KeyedRecords::default(),
        })
    }

    /// The rows' records as comparisons have read and keyed them in this generation.
    pub fn keyed_records(&self) -> &KeyedRecords {
        &self.keyed
    }

    /// The rows of the slot numbered `slot` (its place in `slot_keys`).
    fn rows_of_number(&self, slot: usize) -> &[SlotRow] {
        let start = self.slot_starts[slot] as usize;
        let end = self.slot_starts[slot + 1] as usize;
        &self.rows[start..end]
    }

    /// The rows of a slot and of every slot below it (`III.7` takes `III.7.R1.5`; `""` takes
    /// every row), in reading order.
    pub fn rows_of_slot(&self, slot: &str) -> Vec<TableRow> {
        let below = format!("{slot}.");
        // Keys starting with the slot's key are contiguous in order; of those, `III.70` is not
        // below `III.7`. The empty slot takes every row.
        let first = self.slot_keys.partition_point(|key| key.as_str() < slot);
        let numbers: Vec<usize> = (first..self.slot_keys.len())
            .take_while(|&number| self.slot_keys[number].starts_with(slot))
            .filter(|&number| {
                let key = &self.slot_keys[number];
                slot.is_empty() || key.as_str() == slot || key.starts_with(&below)
            })
            .collect();
        if let [only] = numbers.as_slice() {
            // One slot's rows are already in reading order.
            return self
                .rows_of_number(*only)
                .iter()
                .map(|row| row.table_row(*only as u32))
                .collect();
        }
        // Several slots' rows merged into reading order: sorted as small triples (the whole
        // table's are sorted for a tally of every slot), then read.
        let mut places: Vec<(u32, u32, u32)> = numbers
            .into_iter()
            .flat_map(|number| {
                let start = self.slot_starts[number];
                self.rows_of_number(number)
                    .iter()
                    .zip(start..)
                    .map(move |(row, at)| (row.reading_position, number as u32, at))
            })
            .collect();
        places.sort_unstable();
        places
            .into_iter()
            .map(|(_, number, at)| self.rows[at as usize].table_row(number))
            .collect()
    }

    /// The rows of exactly this slot (none below it), in reading order.
    pub fn rows_in_slot(&self, slot: &str) -> Vec<TableRow> {
        let Ok(number) = self
            .slot_keys
            .binary_search_by(|key| key.as_str().cmp(slot))
        else {
            return Vec::new();
        };
        self.rows_of_number(number)
            .iter()
            .map(|row| row.table_row(number as u32))
            .collect()
    }

    /// The key of a slot as numbered in [`TableRow::slot`].
    pub fn slot_key(&self, slot: u32) -> &str {
        &self.slot_keys[slot as usize]
    }

    /// Every slot with rows, in key order.
    pub fn slot_keys(&self) -> &[String] {
        &self.slot_keys
    }

    /// The 特定個人情報ファイル名 of a row (empty when the record names none).
    pub fn file(&self, file: u32) -> &str {
        &self.files[file as usize]
    }

    pub fn body(&self, body: u32) -> &str {
        &self.bodies[body as usize]
    }

    pub fn answer(&self, answer: u32) -> &str {
        &self.answers[answer as usize]
    }

    /// How many bodies write this sentence (already a [`sentence_key`]) of a slot, or one
    /// worded the same; 0 for a sentence the table does not know.
    pub fn writers(&self, slot: &str, key: &str) -> usize {
        let hash = sentence_hash(slot, key);
        match self.sentence_hashes.binary_search(&hash) {
            Ok(position) => self.sentence_writers[position] as usize,
            Err(_) => 0,
        }
    }
}

fn sentence_hash(slot: &str, key: &str) -> u64 {
    stable_hash(&[slot, key])
}

/// The sentence keys of a record's text ([`body_sentence_key`]), computed where records are
/// parsed (in parallel) rather than where they are indexed. Every record has them: the table
/// counts those of slotted records, and every record's wording is made of them.
pub fn record_sentence_keys(record: &Record) -> Vec<String> {
    sentences_of(&record.text)
        .iter()
        .map(|sentence| body_sentence_key(sentence, &record.municipality))
        .collect()
}

/// Values of one column (bodies, titles, …) listed once in the order first seen, each by its
/// string's number in the builder's [`TableSource`].
#[derive(Default)]
struct Interned {
    /// Per string number, the value's number here (`u32::MAX` for a string not a value here).
    of_string: Vec<u32>,
    /// Per value number, its string's number.
    strings: Vec<u32>,
}

impl Interned {
    fn number(&mut self, string: u32) -> u32 {
        let index = string as usize;
        if self.of_string.len() <= index {
            self.of_string.resize(index + 1, u32::MAX);
        }
        if self.of_string[index] == u32::MAX {
            self.of_string[index] = self.strings.len() as u32;
            self.strings.push(string);
        }
        self.of_string[index]
    }

    /// The values, in number order.
    fn values(&self, source: &TableSource) -> Vec<String> {
        self.strings
            .iter()
            .map(|&string| source.text(string).to_string())
            .collect()
    }

    /// Each number's rank in the values' sorted order.
    fn ranks(&self, source: &TableSource) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.strings.len() as u32).collect();
        order.sort_by(|&left, &right| {
            source
                .text(self.strings[left as usize])
                .cmp(source.text(self.strings[right as usize]))
        });
        let mut ranks = vec![0; order.len()];
        for (rank, number) in order.into_iter().enumerate() {
            ranks[number as usize] = rank as u32;
        }
        ranks
    }
}

struct BuilderRow {
    slot: u32,
    key: u64,
    body: u32,
    title: u32,
    file: u32,
    field: u32,
    actor: u32,
    choice: Option<u32>,
    printed: Option<u32>,
    rating: Option<u32>,
    deleted: bool,
    document: u32,
    wording: u64,
    has_text: bool,
}

/// Collects the table while records are indexed, in the order they are added.
#[derive(Default)]
pub struct TableBuilder {
    slots: Interned,
    bodies: Interned,
    titles: Interned,
    files: Interned,
    fields: Interned,
    actors: Interned,
    answers: Interned,
    rows: Vec<BuilderRow>,
    /// Per slot number: sentence key (its string's number) → bodies writing it (in the order
    /// seen, repeats removed at the end).
    sentences: Vec<HashMap<u32, Vec<u32>>>,
    /// What was added, kept for the next incremental ingest; its strings are every string of
    /// the table, each once.
    source: TableSource,
    /// For [`TableBuilder::add_again`]: per string number of the previous generation's source,
    /// its number in `source` (`u32::MAX` until met).
    again: Vec<u32>,
    /// For [`TableBuilder::add_again`]: the sentence keys of the row being added again.
    sentences_again: Vec<u32>,
}

/// One row with each of its strings as a number in a [`TableSource`]'s strings (an answer's
/// plus one, 0 for none).
#[derive(Debug, Clone, Copy)]
struct SourceRow {
    document: u32,
    slot: u32,
    key: u64,
    body: u32,
    title: u32,
    file: u32,
    field: u32,
    actor: u32,
    choice: u32,
    printed: u32,
    rating: u32,
    deleted: bool,
    wording: u64,
    has_text: bool,
}

impl SourceRow {
    /// The row with every string renumbered by `renumber`.
    fn renumbered(mut self, mut renumber: impl FnMut(u32) -> u32) -> SourceRow {
        for string in [
            &mut self.slot,
            &mut self.body,
            &mut self.title,
            &mut self.file,
            &mut self.field,
            &mut self.actor,
        ] {
            *string = renumber(*string);
        }
        for answer in [&mut self.choice, &mut self.printed, &mut self.rating] {
            if let Some(string) = answer.checked_sub(1) {
                *answer = renumber(string) + 1;
            }
        }
        self
    }
}

/// The table's file of what it was built from, in a generation's folder ([`crate::columns`]).
pub const TABLE_SOURCE_FILE: &str = "comparison-source.columns";
/// What the source file's header calls it.
const TABLE_SOURCE_KIND: &[u8; 8] = b"cmpsourc";
/// Bumped when [`TableSource`]'s layout changes; another version means a whole ingest.
const TABLE_SOURCE_VERSION: u32 = 2;

/// Every row the table was built from, in the order added (a document's rows together), as
/// columns over one list of strings: an incremental ingest adds again the rows of the
/// documents it keeps, in corpus order, and builds the same table a whole ingest builds, with
/// no document read again.
#[derive(Debug, Default)]
pub struct TableSource {
    version: u32,
    strings: Vec<String>,
    numbers: HashMap<String, u32>,
    document: Vec<u32>,
    slot: Vec<u32>,
    key: Vec<u64>,
    body: Vec<u32>,
    title: Vec<u32>,
    file: Vec<u32>,
    field: Vec<u32>,
    actor: Vec<u32>,
    /// The string's number plus one; 0 for none.
    choice: Vec<u32>,
    printed: Vec<u32>,
    rating: Vec<u32>,
    deleted: Vec<bool>,
    wording: Vec<u64>,
    has_text: Vec<bool>,
    /// Per row, where its sentence keys end in `sentences`.
    sentence_ends: Vec<u32>,
    sentences: Vec<u32>,
    /// Per document number, the range of its rows (filled when read).
    rows_by_document: HashMap<u32, (usize, usize)>,
}

impl TableSource {
    fn number(&mut self, value: &str) -> u32 {
        if let Some(&number) = self.numbers.get(value) {
            return number;
        }
        let number = self.strings.len() as u32;
        self.numbers.insert(value.to_string(), number);
        self.strings.push(value.to_string());
        number
    }

    /// A string by its number (empty for a number past the strings: a damaged file is read
    /// as empty text, never a panic).
    fn text(&self, number: u32) -> &str {
        self.strings.get(number as usize).map_or("", String::as_str)
    }

    fn push_row(&mut self, row: SourceRow, sentences: &[u32]) {
        self.document.push(row.document);
        self.slot.push(row.slot);
        self.key.push(row.key);
        self.body.push(row.body);
        self.title.push(row.title);
        self.file.push(row.file);
        self.field.push(row.field);
        self.actor.push(row.actor);
        self.choice.push(row.choice);
        self.printed.push(row.printed);
        self.rating.push(row.rating);
        self.deleted.push(row.deleted);
        self.wording.push(row.wording);
        self.has_text.push(row.has_text);
        self.sentences.extend_from_slice(sentences);
        self.sentence_ends.push(self.sentences.len() as u32);
    }

    fn row_at(&self, position: usize) -> SourceRow {
        SourceRow {
            document: self.document[position],
            slot: self.slot[position],
            key: self.key[position],
            body: self.body[position],
            title: self.title[position],
            file: self.file[position],
            field: self.field[position],
            actor: self.actor[position],
            choice: self.choice[position],
            printed: self.printed[position],
            rating: self.rating[position],
            deleted: self.deleted[position],
            wording: self.wording[position],
            has_text: self.has_text[position],
        }
    }

    /// The sentence keys (string numbers) of the row at `position`.
    fn sentences_at(&self, position: usize) -> &[u32] {
        let from = match position {
            0 => 0,
            _ => self.sentence_ends[position - 1] as usize,
        };
        let to = self.sentence_ends[position] as usize;
        self.sentences.get(from..to).unwrap_or_default()
    }

    /// Reads the source of the generation in `folder`; `None` when it has none or one of
    /// another layout (a generation built before incremental ingest), and only a whole ingest
    /// can follow.
    pub fn read(folder: &Path) -> Option<TableSource> {
        let mut source = TableSource::read_columns(&folder.join(TABLE_SOURCE_FILE)).ok()?;
        let rows = source.document.len();
        let columns_agree = [
            source.slot.len(),
            source.key.len(),
            source.body.len(),
            source.title.len(),
            source.file.len(),
            source.field.len(),
            source.actor.len(),
            source.choice.len(),
            source.printed.len(),
            source.rating.len(),
            source.deleted.len(),
            source.wording.len(),
            source.has_text.len(),
            source.sentence_ends.len(),
        ]
        .iter()
        .all(|&length| length == rows);
        let numbers_valid = source
            .sentence_ends
            .windows(2)
            .all(|pair| pair[0] <= pair[1])
            && source
                .sentence_ends
                .last()
                .is_none_or(|&end| end as usize <= source.sentences.len());
        if source.version != TABLE_SOURCE_VERSION || !columns_agree || !numbers_valid {
            return None;
        }
        let mut start = 0;
        for position in 1..=rows {
            if position == rows || source.document[position] != source.document[start] {
                source
                    .rows_by_document
                    .insert(source.document[start], (start, position));
                start = position;
            }
        }
        Some(source)
    }

    fn rows_of(&self, document: u32) -> std::ops::Range<usize> {
        let (start, end) = self
            .rows_by_document
            .get(&document)
            .copied()
            .unwrap_or_default();
        start..end
    }

    /// The source's columns as [`TableSource::write`] wrote them (a source of another
    /// version gives its version and no columns).
    fn read_columns(path: &Path) -> std::io::Result<TableSource> {
        let (mut columns, version) = ColumnReader::open(path, TABLE_SOURCE_KIND)?;
        if version != TABLE_SOURCE_VERSION {
            return Ok(TableSource {
                version,
                ..TableSource::default()
            });
        }
        let source = TableSource {
            version,
            strings: columns.strings()?,
            document: columns.u32s()?,
            slot: columns.u32s()?,
            key: columns.u64s()?,
            body: columns.u32s()?,
            title: columns.u32s()?,
            file: columns.u32s()?,
            field: columns.u32s()?,
            actor: columns.u32s()?,
            choice: columns.u32s()?,
            printed: columns.u32s()?,
            rating: columns.u32s()?,
            deleted: columns.flags()?,
            wording: columns.u64s()?,
            has_text: columns.flags()?,
            sentence_ends: columns.u32s()?,
            sentences: columns.u32s()?,
            ..TableSource::default()
        };
        columns.finish()?;
        Ok(source)
    }

    fn write(&self, folder: &Path) -> std::io::Result<()> {
        let path = folder.join(TABLE_SOURCE_FILE);
        let mut columns = ColumnWriter::create(&path, TABLE_SOURCE_KIND, self.version)?;
        columns.strings(self.strings.iter().map(String::as_str))?;
        columns.u32s(&self.document)?;
        columns.u32s(&self.slot)?;
        columns.u64s(&self.key)?;
        for numbers in [
            &self.body,
            &self.title,
            &self.file,
            &self.field,
            &self.actor,
            &self.choice,
            &self.printed,
            &self.rating,
        ] {
            columns.u32s(numbers)?;
        }
        columns.flags(&self.deleted)?;
        columns.u64s(&self.wording)?;
        columns.flags(&self.has_text)?;
        columns.u32s(&self.sentence_ends)?;
        columns.u32s(&self.sentences)?;
        columns.finish()
    }
}

impl TableBuilder {
    /// Adds a record with its sentence keys ([`record_sentence_keys`]); records outside the
    /// form's slots are not compared and are skipped.
    pub fn add(
        &mut self,
        record: &Record,
        sentence_keys: Vec<String>,
        document: u32,
        wording: u64,
    ) {
        let Some(slot) = &record.slot else {
            return;
        };
        let source = &mut self.source;
        let mut answer = |value: Option<&str>| value.map_or(0, |value| source.number(value) + 1);
        let (choice, printed, rating) = (
            answer(record.choice.as_deref()),
            answer(record.choice_as_printed.as_deref()),
            answer(record.rating.as_deref()),
        );
        let row = SourceRow {
            document,
            slot: source.number(slot),
            key: row_key(&record.id),
            body: source.number(&body_of(record)),
            title: source.number(&record.doc_title),
            file: source.number(record.file_name.as_deref().unwrap_or_default()),
            field: source.number(record.field.as_deref().unwrap_or_default()),
            actor: source.number(record.actor.as_deref().unwrap_or_default()),
            choice,
            printed,
            rating,
            deleted: record.change.as_deref() == Some("削除"),
            wording,
            has_text: !record.text.trim().is_empty(),
        };
        let sentences: Vec<u32> = sentence_keys.iter().map(|key| source.number(key)).collect();
        self.add_row(row, &sentences);
    }

    /// Adds again the rows a previous generation had for one document (read from its
    /// [`TableSource`]), as [`TableBuilder::add`] added them.
    pub fn add_again(&mut self, previous: &TableSource, document: u32) {
        if self.again.len() < previous.strings.len() {
            self.again.resize(previous.strings.len(), u32::MAX);
        }
        for position in previous.rows_of(document) {
            let (source, again) = (&mut self.source, &mut self.again);
            let mut renumber = |string: u32| match again.get_mut(string as usize) {
                Some(number) if *number != u32::MAX => *number,
                Some(number) => {
                    *number = source.number(previous.text(string));
                    *number
                }
                None => source.number(""),
            };
            let row = previous.row_at(position).renumbered(&mut renumber);
            // One list reused for every row: millions of rows are added again at national scale.
            let mut sentences = std::mem::take(&mut self.sentences_again);
            sentences.clear();
            sentences.extend(
                previous
                    .sentences_at(position)
                    .iter()
                    .map(|&string| renumber(string)),
            );
            self.add_row(SourceRow { document, ..row }, &sentences);
            self.sentences_again = sentences;
        }
    }

    fn add_row(&mut self, row: SourceRow, sentences: &[u32]) {
        self.source.push_row(row, sentences);
        let answer = |interned: &mut Interned, string: u32| {
            string.checked_sub(1).map(|string| interned.number(string))
        };
        let slot = self.slots.number(row.slot);
        let body = self.bodies.number(row.body);
        let builder_row = BuilderRow {
            slot,
            key: row.key,
            body,
            title: self.titles.number(row.title),
            file: self.files.number(row.file),
            field: self.fields.number(row.field),
            actor: self.actors.number(row.actor),
            choice: answer(&mut self.answers, row.choice),
            printed: answer(&mut self.answers, row.printed),
            rating: answer(&mut self.answers, row.rating),
            deleted: row.deleted,
            document: row.document,
            wording: row.wording,
            has_text: row.has_text,
        };
        self.rows.push(builder_row);
        if self.sentences.len() <= slot as usize {
            self.sentences.resize_with(slot as usize + 1, HashMap::new);
        }
        let slot_sentences = &mut self.sentences[slot as usize];
        for &key in sentences {
            let writers = slot_sentences.entry(key).or_default();
            if writers.last() != Some(&body) {
                writers.push(body);
            }
        }
    }

    /// Sorts the rows into reading order, groups each slot's sentences and writes the table
    /// into the generation's folder.
    pub fn finish(mut self, folder: &Path) -> std::io::Result<()> {
        self.source.version = TABLE_SOURCE_VERSION;
        // The source (hundreds of megabytes at national scale) is written on another thread
        // while the table is built from it.
        let mut rows = std::mem::take(&mut self.rows);
        let sentences = std::mem::take(&mut self.sentences);
        std::thread::scope(|scope| {
            let source = &self.source;
            let source_written = scope.spawn(move || source.write(folder));
            let table_written = self.write_table(&mut rows, sentences, folder);
            source_written
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                .and(table_written)
        })
    }

    /// Sorts the rows into reading order, groups each slot's sentences and writes the table.
    fn write_table(
        &self,
        rows: &mut [BuilderRow],
        sentences: Vec<HashMap<u32, Vec<u32>>>,
        folder: &Path,
    ) -> std::io::Result<()> {
        let source = &self.source;
        let ranks = (
            self.bodies.ranks(source),
            self.titles.ranks(source),
            self.files.ranks(source),
            self.fields.ranks(source),
            self.actors.ranks(source),
        );
        // Each row's key worked out once (five lookups), not at every comparison: 5M rows at
        // national scale take over a hundred million comparisons. The sort is stable either way.
        rows.sort_by_cached_key(|row| {
            (
                ranks.0[row.body as usize],
                ranks.1[row.title as usize],
                ranks.2[row.file as usize],
                ranks.3[row.field as usize],
                ranks.4[row.actor as usize],
                row.key,
            )
        });
        let mut table = TableFile {
            version: TABLE_VERSION,
            ..TableFile::default()
        };
        for (position, row) in rows.iter().enumerate() {
            table.row_keys.push(row.key);
            table.row_bodies.push(row.body);
            table.row_files.push(row.file);
            let plus_one = |answer: Option<u32>| answer.map_or(0, |answer| answer + 1);
            table.row_choices.push(plus_one(row.choice));
            table.row_printed.push(plus_one(row.printed));
            table.row_ratings.push(plus_one(row.rating));
            table.row_deleted.push(row.deleted);
            table.row_documents.push(row.document);
            table.row_wordings.push(row.wording);
            table.row_texts.push(row.has_text);
            table
                .slots
                .entry(
                    source
                        .text(self.slots.strings[row.slot as usize])
                        .to_string(),
                )
                .or_default()
                .push(position as u32);
        }
        let mut hashed: Vec<(u64, u32)> = Vec::new();
        let mut budget = SIMILARITY_BUDGET;
        for (slot, sentences) in sentences.into_iter().enumerate() {
            let slot_key = source.text(self.slots.strings[slot]);
            let bodies: HashMap<String, BTreeSet<u32>> = sentences
                .into_iter()
                .map(|(key, writers)| (source.text(key).to_string(), writers.into_iter().collect()))
                .collect();
            let shared = SharedSentences::new(bodies, &mut budget);
            for (position, key) in shared.keys().iter().enumerate() {
                hashed.push((
                    sentence_hash(slot_key, key),
                    shared.writers_at(position) as u32,
                ));
            }
        }
        hashed.sort_unstable();
        hashed.dedup_by_key(|(hash, _)| *hash);
        (table.sentence_hashes, table.sentence_writers) = hashed.into_iter().unzip();
        table.bodies = self.bodies.values(source);
        table.files = self.files.values(source);
        table.answers = self.answers.values(source);
        table.write(&folder.join(TABLE_FILE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_whose_slot_names_a_row_it_lacks_is_refused_naming_the_file() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let mut file = TableFile {
            version: TABLE_VERSION,
            row_keys: vec![7],
            row_bodies: vec![0],
            row_files: vec![0],
            row_choices: vec![0],
            row_printed: vec![0],
            row_ratings: vec![0],
            row_deleted: vec![false],
            row_documents: vec![0],
            row_wordings: vec![1],
            row_texts: vec![true],
            ..TableFile::default()
        };
        file.slots.insert("III.7.R1.5".to_string(), vec![0]);
        file.write(&folder.path().join(TABLE_FILE)).expect("write");
        let table = ComparisonTable::read(folder.path()).expect("a whole table reads");
        assert_eq!(table.rows_of_slot("III.7").len(), 1);

        file.slots.insert("III.7.R1.6".to_string(), vec![3]);
        file.write(&folder.path().join(TABLE_FILE)).expect("write");
        let error = ComparisonTable::read(folder.path()).expect_err("a damaged table");
        let message = error.to_string();
        assert!(message.contains(TABLE_FILE), "{message}");
        assert!(message.contains("III.7.R1.6"), "{message}");
        assert!(message.contains("hyoka ingest"), "{message}");
    }
}
