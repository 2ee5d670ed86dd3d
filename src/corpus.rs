//! The corpus: a folder of extracted documents, described by `manifest.toml` when it has one.
//!
//! The manifest says who each document belongs to; without one, every text file in the folder
//! is taken and the body is inferred from the text (how staff drop in new files). Files are
//! decoded from UTF-8 (with or without BOM), Shift_JIS or EUC-JP; binary files are refused.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::bodies::body_named;
pub use crate::document::UNNAMED_BODY;

/// Largest document accepted, in bytes. Real extractions are well under 1 MB.
pub const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

/// A manifest entry's TOML error (serde's English) in the words of the ingest report: the
/// field named, what was expected, and the detail as TOML gave it where it says more.
fn entry_error_in_japanese(message: &str) -> String {
    let quoted = |text: &str| {
        text.split('`')
            .nth(1)
            .map_or_else(String::new, |name| format!("`{name}`"))
    };
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let expected = rest
            .split_once("expected ")
            .map(|(_, expected)| expected.trim_start_matches("one of ").to_string())
            .unwrap_or_default();
        return format!(
            "項目名 {} は使えません（使えるのは {expected}）",
            quoted(rest)
        );
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        return format!("必要な項目 {} がありません", quoted(rest));
    }
    format!("値の書き方に誤りがあります（{message}）")
}

/// What went wrong reading a corpus.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The corpus folder cannot be read.
    #[error("cannot read corpus folder {path}: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The manifest is not valid TOML or lacks required keys.
    #[error("manifest {path} is malformed: {message}")]
    Manifest { path: PathBuf, message: String },
}

/// Why one document was skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("{file}: cannot read: {message}")]
    Unreadable { file: String, message: String },
    #[error("{file}: file is empty")]
    Empty { file: String },
    #[error(
        "{file}: line {line}: looks like a binary file (byte {offset} is a control character), not extracted text"
    )]
    Binary {
        file: String,
        line: usize,
        offset: usize,
    },
    #[error("{file}: {size} bytes is over the {limit}-byte limit for one document")]
    TooLarge { file: String, size: u64, limit: u64 },
    #[error(
        "{file}: line {line}: not valid UTF-8, Shift_JIS or EUC-JP text (first bad byte at offset {offset})"
    )]
    UnknownEncoding {
        file: String,
        line: usize,
        offset: usize,
    },
    /// One `[[document]]` entry of the manifest is unusable; the other entries are read.
    #[error("{file} line {line}: {message}; this entry is skipped")]
    ManifestEntry {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{file}: listed in the manifest but missing")]
    Missing { file: String },
    /// A PDF that gives no text, and why.
    #[error("{file}: {reason}")]
    Pdf {
        file: String,
        reason: crate::pdf::PdfError,
    },
    #[error("{file}: same content as {original}, skipped as a duplicate")]
    Duplicate { file: String, original: String },
}

pub use crate::document::DocumentMeta;

/// The usable entries of a manifest and the ones skipped, each with its line.
#[derive(Debug, Default)]
pub struct Manifest {
    pub documents: Vec<DocumentMeta>,
    pub rejected: Vec<DocumentError>,
    /// Entries read with a value dropped (a 団体コード that is wrong), each with its line.
    pub warnings: Vec<String>,
}

/// A document read and decoded, ready to parse.
#[derive(Debug, Clone)]
pub struct LoadedDocument {
    pub meta: DocumentMeta,
    pub text: String,
    /// The encoding it was decoded from: UTF-8, UTF-8 (BOM), Shift_JIS or EUC-JP, or PDF.
    pub encoding: &'static str,
    pub bytes: usize,
    /// For a PDF, the page of each line of `text`.
    pub line_pages: Option<Vec<u32>>,
    /// What the reader should know about how the file was read (a PDF's pages not read).
    pub warnings: Vec<String>,
}

impl LoadedDocument {
    /// A file read, with the metadata it is parsed under.
    pub fn of(meta: DocumentMeta, read: ReadDocument) -> LoadedDocument {
        LoadedDocument {
            meta,
            text: read.text,
            encoding: read.encoding,
            bytes: read.bytes,
            line_pages: read.line_pages,
            warnings: read.warnings,
        }
    }

    /// Parses the document into records, each of a PDF placed on the page it starts on.
    pub fn parse(&self) -> Result<Vec<crate::record::Record>, crate::parse::ParseError> {
        let mut records = crate::parse::parse_document(&self.meta, &self.text)?;
        self.place_on_pages(&mut records);
        Ok(records)
    }

    fn place_on_pages(&self, records: &mut [crate::record::Record]) {
        let Some(line_pages) = &self.line_pages else {
            return;
        };
        for record in records {
            record.source.page = record
                .source
                .line
                .checked_sub(1)
                .and_then(|index| line_pages.get(index))
                .copied();
        }
    }
}

/// A file read: its text, how it was decoded, its size, and for a PDF the page of each line.
#[derive(Debug, Clone)]
pub struct ReadDocument {
    pub text: String,
    pub encoding: &'static str,
    pub bytes: usize,
    pub line_pages: Option<Vec<u32>>,
    pub warnings: Vec<String>,
}

/// The outcome of reading a corpus folder.
#[derive(Debug, Default)]
pub struct LoadedCorpus {
    pub documents: Vec<LoadedDocument>,
    pub skipped: Vec<DocumentError>,
    /// Whether the folder had a manifest.
    pub has_manifest: bool,
}

/// What a corpus folder holds before any document is read: the entries to read, in order, and
/// the manifest entries already refused.
#[derive(Debug, Default)]
pub struct CorpusPlan {
    pub folder: std::path::PathBuf,
    pub entries: Vec<DocumentMeta>,
    pub skipped: Vec<DocumentError>,
    /// What the manifest said that was set aside (see [`Manifest::warnings`]).
    pub warnings: Vec<String>,
    /// Whether the folder had a manifest (without one, metadata is inferred from each text).
    pub has_manifest: bool,
}

impl CorpusPlan {
    /// Reads and decodes one planned document; without a manifest its metadata comes from
    /// its text. Safe to call from several threads.
    pub fn load(&self, meta: &DocumentMeta) -> Result<LoadedDocument, DocumentError> {
        let path = self.folder.join(&meta.file);
        let read = read_document(&path, &meta.file)?;
        let meta = if self.has_manifest {
            meta.clone()
        } else {
            infer_meta(meta.file.clone(), &read.text)
        };
        Ok(LoadedDocument::of(meta, read))
    }
}

/// Lists a corpus folder: the documents the manifest lists, or every `.txt`/`.md`/`.html`
/// file when there is no manifest. Reads no document.
pub fn plan_corpus(folder: &Path) -> Result<CorpusPlan, CorpusError> {
    let manifest_path = folder.join("manifest.toml");
    let mut plan = CorpusPlan {
        folder: folder.to_path_buf(),
        ..CorpusPlan::default()
    };
    if manifest_path.exists() {
        plan.has_manifest = true;
        let manifest = read_manifest(&manifest_path)?;
        plan.skipped.extend(manifest.rejected);
        plan.warnings = manifest.warnings;
        plan.entries = manifest.documents;
        // A document put in the folder but not listed would be left out without a word.
        let listed: std::collections::HashSet<&str> =
            plan.entries.iter().map(|meta| meta.file.as_str()).collect();
        let unlisted: Vec<String> = document_file_names(folder)?
            .into_iter()
            .filter(|name| !listed.contains(name.as_str()))
            // A note about the folder (README.md, SOURCES.md) is no document left out.
            .filter(|name| {
                let stem = name.split('.').next().unwrap_or_default();
                !(stem.len() >= 3 && stem.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
            })
            .collect();
        if !unlisted.is_empty() {
            let shown: Vec<&str> = unlisted.iter().take(10).map(String::as_str).collect();
            let more = unlisted.len() - shown.len();
            plan.warnings.push(format!(
                "manifest.toml に書かれていない文書 {} 件は読み込みませんでした: {}{}（読み込むには manifest.toml に [[document]] を足してください）",
                unlisted.len(),
                shown.join("、"),
                if more > 0 { format!(" ほか {more} 件") } else { String::new() }
            ));
        }
        return Ok(plan);
    }
    let names = document_file_names(folder)?;
    plan.entries = names
        .into_iter()
        .map(|file| DocumentMeta {
            file,
            municipality: String::new(),
            municipality_code: None,
            prefecture: None,
            title: String::new(),
            doc_type: String::new(),
            jimu: None,
            date: None,
            number: None,
            form: None,
            note: None,
        })
        .collect();
    Ok(plan)
}

/// Every file of a corpus folder with its size and modification time ([`file_stamp`]), listed
/// once: the folder's fingerprint and each document's stamp read the same listing.
pub struct FolderStamps {
    stamps: BTreeMap<String, String>,
    /// Worked out once: asking whether the folder changed and then ingesting it both need it
    /// (445,858 files at 5M records).
    fingerprint: std::sync::OnceLock<String>,
}

impl FolderStamps {
    /// Lists `folder` (a link to a file counts as the file it points to).
    pub fn of(folder: &Path) -> Result<FolderStamps, CorpusError> {
        let entries: Vec<fs::DirEntry> = read_folder(folder)?.filter_map(Result::ok).collect();
        let stamp_of = |entry: &fs::DirEntry| {
            let metadata = fs::metadata(entry.path()).ok()?;
            metadata.is_file().then(|| {
                (
                    entry.file_name().to_string_lossy().to_string(),
                    file_stamp(&metadata),
                )
            })
        };
        // A national folder holds hundreds of thousands of files, each a system call to stat:
        // asked from as many threads as there are cores.
        let threads = std::thread::available_parallelism().map_or(1, |cores| cores.get());
        let share = entries.len().div_ceil(threads).max(1);
        let stamps = std::thread::scope(|scope| {
            let parts: Vec<_> = entries
                .chunks(share)
                .map(|part| {
                    scope.spawn(move || part.iter().filter_map(stamp_of).collect::<Vec<_>>())
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|part| {
                    part.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        Ok(FolderStamps {
            stamps,
            fingerprint: std::sync::OnceLock::new(),
        })
    }

    /// What the folder holds, as of its listing, in one string: every file's name, size and
    /// modification time (the manifest's too) and the hyoka that reads them (its version and its
    /// executable's size and time, so a rebuilt hyoka reads again). Two equal fingerprints mean
    /// an ingest would read the same bytes with the same code. Reads no document.
    pub fn fingerprint(&self) -> String {
        self.fingerprint
            .get_or_init(|| self.fingerprint_anew())
            .clone()
    }

    fn fingerprint_anew(&self) -> String {
        let files: Vec<String> = self
            .stamps
            .iter()
            .map(|(name, stamp)| format!("{name}={stamp}"))
            .collect();
        let reader = reader_stamp();
        let parts: Vec<&str> = std::iter::once(reader.as_str())
            .chain(files.iter().map(String::as_str))
            .collect();
        format!(
            "{:016x} {} files",
            crate::record::stable_hash(&parts),
            files.len()
        )
    }

    /// A document file's stamp as it stands now: its size and modification time with the
    /// manifest's entry for it (what the manifest says about a file is part of what was read).
    /// An update reads again a file whose stamp changed.
    pub fn document_stamp(&self, meta: &DocumentMeta) -> String {
        let file = self.stamps.get(&meta.file).map_or("", String::as_str);
        // Every field, by name: a field added to the manifest must be added here too.
        let DocumentMeta {
            file: name,
            municipality,
            municipality_code,
            prefecture,
            title,
            doc_type,
            jimu,
            date,
            number,
            form,
            note,
        } = meta;
        let optional = |value: &Option<String>| value.as_deref().unwrap_or("\u{0}").to_string();
        let entry = [
            name.clone(),
            municipality.clone(),
            optional(municipality_code),
            optional(prefecture),
            title.clone(),
            doc_type.clone(),
            optional(jimu),
            optional(date),
            optional(number),
            optional(form),
            optional(note),
        ];
        let parts: Vec<&str> = entry.iter().map(String::as_str).collect();
        format!("{file}:{:016x}", crate::record::stable_hash(&parts))
    }
}

/// The entries of a corpus folder, or why it cannot be read.
fn read_folder(folder: &Path) -> Result<fs::ReadDir, CorpusError> {
    fs::read_dir(folder).map_err(|source| CorpusError::Folder {
        path: folder.to_path_buf(),
        source,
    })
}

/// The document files of a folder (by their names), sorted.
fn document_file_names(folder: &Path) -> Result<Vec<String>, CorpusError> {
    let entries = read_folder(folder)?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|entry| {
            entry
                .file_type()
                .map(|kind| kind.is_file())
                .unwrap_or(false)
        })
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| is_document_file_name(name))
        .collect();
    names.sort();
    Ok(names)
}

/// A file's size and modification time.
fn file_stamp(metadata: &fs::Metadata) -> String {
    let modified = metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |elapsed| elapsed.as_nanos());
    format!("{}:{modified}", metadata.len())
}

/// The hyoka that reads documents: its version and its executable's size and time (a rebuilt
/// hyoka may read the same file otherwise).
pub fn reader_stamp() -> String {
    let executable = std::env::current_exe()
        .and_then(fs::metadata)
        .map(|metadata| file_stamp(&metadata))
        .unwrap_or_default();
    format!("{} {executable}", env!("CARGO_PKG_VERSION"))
}

/// Remembers the content of the documents seen so far, to skip a later copy of one.
#[derive(Debug, Default)]
pub struct DuplicateFilter {
    seen: BTreeMap<u64, String>,
}

impl DuplicateFilter {
    /// `Err(Duplicate)` when a document with the same text was seen before.
    pub fn check(&mut self, document: &LoadedDocument) -> Result<(), DocumentError> {
        self.check_content(content_fingerprint(&document.text), &document.meta.file)
    }

    /// `Err(Duplicate)` when a document with this [`content_fingerprint`] was seen before.
    pub fn check_content(&mut self, fingerprint: u64, file: &str) -> Result<(), DocumentError> {
        if let Some(original) = self.seen.get(&fingerprint) {
            return Err(DocumentError::Duplicate {
                file: file.to_string(),
                original: original.clone(),
            });
        }
        self.seen.insert(fingerprint, file.to_string());
        Ok(())
    }
}

/// Reads a whole corpus folder into memory, in order, duplicates skipped. Ingest streams
/// instead ([`plan_corpus`] and [`CorpusPlan::load`]); this is for tools and tests.
pub fn load_corpus(folder: &Path) -> Result<LoadedCorpus, CorpusError> {
    let plan = plan_corpus(folder)?;
    let mut corpus = LoadedCorpus {
        has_manifest: plan.has_manifest,
        ..LoadedCorpus::default()
    };
    corpus.skipped.extend(plan.skipped.iter().cloned());
    let mut duplicates = DuplicateFilter::default();
    for meta in &plan.entries {
        match plan.load(meta).and_then(|document| {
            duplicates.check(&document)?;
            Ok(document)
        }) {
            Ok(document) => corpus.documents.push(document),
            Err(error) => corpus.skipped.push(error),
        }
    }
    Ok(corpus)
}

fn is_document_file_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    !lower.starts_with('.')
        && [".txt", ".md", ".html", ".htm", ".text", ".pdf"]
            .iter()
            .any(|extension| lower.ends_with(extension))
}

/// Parses `manifest.toml`. A file that is not TOML is an error (with toml's line and column):
/// guessing every body name instead would publish wrong attributions. One unusable
/// `[[document]]` entry (a missing key, a wrong type, a path instead of a file name, a file
/// listed twice) is skipped with its line, and the other entries are read. A plain manifest is
/// read line by line ([`crate::manifest::read_plain`]); any other by the toml crate.
pub fn read_manifest(path: &Path) -> Result<Manifest, CorpusError> {
    let malformed = |message: String| CorpusError::Manifest {
        path: path.to_path_buf(),
        message,
    };
    let raw = fs::read_to_string(path).map_err(|error| malformed(error.to_string()))?;
    // Most manifests are plain: read line by line, without a TOML tree of every value.
    let entries: Vec<ManifestEntry> = match crate::manifest::read_plain(&raw) {
        Some(plain) => plain
            .into_iter()
            .map(|(line, meta)| (line, Ok(meta)))
            .collect(),
        None => entries_by_toml(&raw).map_err(malformed)?,
    };
    let file_name = path.file_name().map_or_else(
        || "manifest.toml".to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    let mut manifest = Manifest::default();
    let mut listed: std::collections::HashMap<String, usize> =
        std::collections::HashMap::with_capacity(entries.len());
    for (line, entry) in entries {
        let reject = |message: String| DocumentError::ManifestEntry {
            file: file_name.clone(),
            line,
            message,
        };
        let meta = match entry {
            Ok(meta) => meta,
            Err(message) => {
                manifest.rejected.push(reject(message));
                continue;
            }
        };
        if meta.file.contains('/') || meta.file.contains('\\') || meta.file.starts_with('.') {
            manifest.rejected.push(reject(format!(
                "文書のファイル名 {:?} は、フォルダの中のファイル名だけにしてください（/ や \\ を含めず、. で始めない）",
                meta.file
            )));
            continue;
        }
        if let Some(first_line) = listed.get(&meta.file) {
            manifest.rejected.push(reject(format!(
                "{:?} は {first_line} 行目にも書かれています",
                meta.file
            )));
            continue;
        }
        // A wrong code would file the document under another body in every filter and export:
        // the document is read without it, and the ingest says so.
        let mut meta = meta;
        if let Some(code) = &meta.municipality_code
            && let Err(error) =
                crate::bodies::LocalBodies::bundled().check_code(code, &meta.municipality)
        {
            manifest.warnings.push(format!(
                "{file_name} の {line} 行目（{}）: {}。この文書は団体コードなしで読み込みました",
                meta.file,
                error.in_japanese()
            ));
            meta.municipality_code = None;
        }
        listed.insert(meta.file.clone(), line);
        manifest.documents.push(meta);
    }
    Ok(manifest)
}

/// A `[[document]]` entry of a manifest: its header's line, and its metadata or why it cannot
/// be used (in Japanese).
type ManifestEntry = (usize, Result<DocumentMeta, String>);

/// The `[[document]]` entries of a manifest read by the general TOML reader, each with its
/// header's line and its metadata or why the entry is unusable (in Japanese); the error is the
/// file's when it is not TOML or holds more than entries.
fn entries_by_toml(raw: &str) -> Result<Vec<ManifestEntry>, String> {
    let mut table: toml::Table = toml::from_str(raw).map_err(|error| {
        // toml's own rendering spans several lines (a source excerpt with a caret); one line
        // with the position and the message reads better in a log.
        let position = error.span().map_or_else(String::new, |span| {
            let before = &raw[..span.start.min(raw.len())];
            let line = 1 + before.matches('\n').count();
            let column = 1 + before.rsplit('\n').next().unwrap_or("").chars().count();
            format!("line {line}, column {column}: ")
        });
        format!("{position}{}", error.message().trim().replace('\n', ", "))
    })?;
    let entries = match table.remove("document") {
        None => Vec::new(),
        Some(toml::Value::Array(entries)) => entries,
        Some(_) => return Err("`document` must be a list of [[document]] tables".into()),
    };
    if let Some(unknown) = table.keys().next() {
        return Err(format!(
            "unknown top-level key {unknown:?}: only [[document]] entries belong here"
        ));
    }
    let entry_lines = document_header_lines(raw);
    Ok(entries
        .into_iter()
        .enumerate()
        .map(|(position, entry)| {
            let line = entry_lines.get(position).copied().unwrap_or(0);
            let meta = entry.try_into().map_err(|error: toml::de::Error| {
                entry_error_in_japanese(error.to_string().trim())
            });
            (line, meta)
        })
        .collect())
}

/// Line numbers (from 1) of the `[[document]]` headers, in order.
fn document_header_lines(raw: &str) -> Vec<usize> {
    raw.lines()
        .enumerate()
        .filter(|(_, line)| {
            let line = line.trim();
            line.starts_with("[[")
                && line
                    .trim_start_matches('[')
                    .trim_start()
                    .starts_with("document")
        })
        .map(|(index, _)| index + 1)
        .collect()
}

/// Finds the manifest entry for a file from a `manifest.toml` beside it, if there is one.
pub fn meta_beside(path: &Path) -> Result<Option<DocumentMeta>, CorpusError> {
    ManifestsBeside::default().meta_of(path)
}

/// The manifests beside the files of one command, each read once: a national folder's manifest
/// lists tens of thousands of documents, and reading it again for each file named on the command
/// line would take longer than parsing them.
#[derive(Default)]
pub struct ManifestsBeside {
    by_folder: BTreeMap<PathBuf, Option<BTreeMap<String, DocumentMeta>>>,
}

impl ManifestsBeside {
    /// The metadata the manifest beside `path` gives it, if there is a manifest listing it.
    pub fn meta_of(&mut self, path: &Path) -> Result<Option<DocumentMeta>, CorpusError> {
        let Some(folder) = path.parent() else {
            return Ok(None);
        };
        if !self.by_folder.contains_key(folder) {
            let manifest_path = folder.join("manifest.toml");
            let listed = if manifest_path.exists() {
                Some(
                    read_manifest(&manifest_path)?
                        .documents
                        .into_iter()
                        .map(|meta| (meta.file.clone(), meta))
                        .collect(),
                )
            } else {
                None
            };
            self.by_folder.insert(folder.to_path_buf(), listed);
        }
        let file_name = path
            .file_name()
            .map(|name| name.to_string_lossy().to_string())
            .unwrap_or_default();
        Ok(self
            .by_folder
            .get(folder)
            .and_then(|listed| listed.as_ref())
            .and_then(|listed| listed.get(&file_name))
            .cloned())
    }
}

/// Reads and decodes one document.
pub fn read_document(path: &Path, display_name: &str) -> Result<ReadDocument, DocumentError> {
    let file = display_name.to_string();
    let metadata = match fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(DocumentError::Missing { file });
        }
        Err(error) => {
            return Err(DocumentError::Unreadable {
                file,
                message: error.to_string(),
            });
        }
    };
    if metadata.len() > MAX_DOCUMENT_BYTES {
        return Err(DocumentError::TooLarge {
            file,
            size: metadata.len(),
            limit: MAX_DOCUMENT_BYTES,
        });
    }
    let bytes = fs::read(path).map_err(|error| DocumentError::Unreadable {
        file: file.clone(),
        message: error.to_string(),
    })?;
    let size = bytes.len();
    if is_pdf_name(&file) {
        let read = crate::pdf::read_pdf(&bytes).map_err(|reason| DocumentError::Pdf {
            file: file.clone(),
            reason,
        })?;
        let mut warnings: Vec<String> = read
            .failed_pages
            .iter()
            .map(|(page, reason)| {
                format!(
                    "{file}: {page} ページ目（全 {} ページ）を読めませんでした: {reason}",
                    read.pages
                )
            })
            .collect();
        if let Some(repair) = &read.repaired {
            warnings.push(format!("{file}: {}", repair.sentence()));
        }
        if !read.textless_pages.is_empty() {
            let pages: Vec<String> = read.textless_pages.iter().map(u32::to_string).collect();
            warnings.push(format!(
                "{file}: {} ページ目（全 {} ページ）に文字がありません（スキャンした画像？）。書かれている内容は索引に入りません",
                pages.join("、"),
                read.pages
            ));
        }
        return Ok(ReadDocument {
            text: read.text,
            encoding: "PDF",
            bytes: size,
            line_pages: Some(read.line_pages),
            warnings,
        });
    }
    let (text, encoding) = decode(&bytes, &file)?;
    Ok(ReadDocument {
        text,
        encoding,
        bytes: size,
        line_pages: None,
        warnings: Vec::new(),
    })
}

/// Whether a file is read as a PDF: by its name, as a person saving it from the publication
/// site names it.
pub fn is_pdf_name(file: &str) -> bool {
    file.to_ascii_lowercase().ends_with(".pdf")
}

/// Decodes document bytes, detecting the encoding.
pub fn decode(bytes: &[u8], file: &str) -> Result<(String, &'static str), DocumentError> {
    if bytes.iter().all(|byte| byte.is_ascii_whitespace()) {
        return Err(DocumentError::Empty {
            file: file.to_string(),
        });
    }
    // Text has no NUL and few control characters; PDFs, images and archives have many.
    if let Some(offset) = bytes.iter().position(|byte| *byte == 0) {
        return Err(DocumentError::Binary {
            file: file.to_string(),
            line: line_at(bytes, offset),
            offset,
        });
    }
    let controls = bytes
        .iter()
        .filter(|byte| **byte < 0x20 && !matches!(**byte, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    if controls * 100 > bytes.len() {
        let offset = bytes
            .iter()
            .position(|byte| *byte < 0x20 && !matches!(*byte, b'\n' | b'\r' | b'\t' | 0x0c))
            .unwrap_or(0);
        return Err(DocumentError::Binary {
            file: file.to_string(),
            line: line_at(bytes, offset),
            offset,
        });
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF")
        && let Ok(text) = std::str::from_utf8(rest)
    {
        return Ok((text.to_string(), "UTF-8 (BOM)"));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), "UTF-8"));
    }
    // Not UTF-8: the two legacy Japanese encodings. Take the one that decodes without errors;
    // when both do, chardetng's guess decides.
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let guess = detector.guess(Some(b"jp"), true);
    let candidates = [encoding_rs::SHIFT_JIS, encoding_rs::EUC_JP];
    let mut clean: Vec<&'static encoding_rs::Encoding> = Vec::new();
    for candidate in candidates {
        let (_, had_errors) = candidate.decode_without_bom_handling(bytes);
        if !had_errors {
            clean.push(candidate);
        }
    }
    let chosen = if clean.contains(&guess) {
        Some(guess)
    } else {
        clean.first().copied()
    };
    let Some(encoding) = chosen else {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let bom = bytes.len() - body.len();
        let offset = bom
            + std::str::from_utf8(body)
                .err()
                .map_or(0, |error| error.valid_up_to());
        return Err(DocumentError::UnknownEncoding {
            file: file.to_string(),
            line: line_at(bytes, offset),
            offset,
        });
    };
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    let name = if encoding == encoding_rs::SHIFT_JIS {
        "Shift_JIS"
    } else {
        "EUC-JP"
    };
    Ok((text.into_owned(), name))
}

/// The line (from 1) holding byte `offset`, for messages.
fn line_at(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|byte| **byte == b'\n')
        .count()
}

pub fn content_fingerprint(text: &str) -> u64 {
    let id = crate::record::stable_id(&[text]);
    u64::from_str_radix(&id, 16).unwrap_or_default()
}

/// Metadata for a document without a manifest entry: the body as the text names it, or
/// [`UNNAMED_BODY`]; the title and type from the text's first heading.
pub fn infer_meta(file: String, text: &str) -> DocumentMeta {
    // One reading of the cover serves the body (its organ) and the kind (its title).
    let cover = crate::parse::cover::read_cover(text);
    let municipality = infer_body_from(text, &cover).unwrap_or_else(|| UNNAMED_BODY.to_string());
    let title = infer_title(text).unwrap_or_else(|| file.clone());
    let doc_type = infer_doc_type(text, &cover).to_string();
    // The code and prefecture from the reference table, when the name is one body's.
    let known = crate::bodies::LocalBodies::bundled().by_name(&municipality, None);
    let prefecture = known
        .map(|body| body.prefecture.clone())
        .or_else(|| prefecture_of(&municipality));
    DocumentMeta {
        file,
        municipality_code: known.map(|body| body.code.clone()),
        municipality: known.map_or(municipality, |body| body.name.clone()),
        prefecture,
        title,
        doc_type,
        jimu: None,
        date: None,
        number: None,
        form: None,
        note: Some("manifest なし: 団体名は本文から推定".to_string()),
    }
}

/// The body a document names: the organ under the cover's 評価実施機関名 (「札幌市長」), the
/// subject of the 宣言 (「熊本県は、…宣言する」), or the most frequent 「<X における措置>」 actor that
/// is a body.
pub fn infer_body(text: &str) -> Option<String> {
    infer_body_from(text, &crate::parse::cover::read_cover(text))
}

fn infer_body_from(text: &str, cover: &crate::parse::cover::Cover) -> Option<String> {
    // The cover's 評価実施機関名 names the body's organ: 「札幌市長」「熊本県知事」「○○町長」.
    if let Some(name) = cover.organ.as_deref().and_then(body_named) {
        return Some(name);
    }
    // The 宣言, on one line or wrapped over several: 「札幌市は、住民基本台帳に関する事務における…」
    // … 「宣言する。」 (it stands on the cover, near the top).
    let joined: String = text
        .lines()
        .take(400)
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n");
    if let Some(end) = joined.find("宣言する") {
        let window_start = joined
            .char_indices()
            .map(|(at, _)| at)
            .rfind(|&at| at <= end.saturating_sub(1500))
            .unwrap_or(0);
        let window = &joined[window_start..end];
        for (at, _) in window.match_indices("は、") {
            let subject_start = window[..at]
                .char_indices()
                .rev()
                .take_while(|(_, c)| crate::analysis::normalize::is_japanese_letter(*c))
                .last()
                .map_or(at, |(start, _)| start);
            if let Some(name) = crate::bodies::body_name_at_end(&window[subject_start..at]) {
                return Some(name);
            }
        }
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for piece in text
        .split("における措置")
        .collect::<Vec<_>>()
        .iter()
        .rev()
        .skip(1)
    {
        let start = piece
            .rfind(['<', '〈', '＜', ';', '>'])
            .map(|at| at + piece[at..].chars().next().map(char::len_utf8).unwrap_or(1))
            .unwrap_or(0);
        if let Some(name) = crate::bodies::body_name_at_end(&piece[start..]) {
            *counts.entry(name).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(name, count)| (*count, std::cmp::Reverse(name.clone())))
        .map(|(name, _)| name)
}

fn infer_title(text: &str) -> Option<String> {
    text.lines()
        .map(|line| line.trim().trim_start_matches('#').trim())
        .find(|line| !line.is_empty())
        .map(|line| line.chars().take(80).collect())
}

fn infer_doc_type(text: &str, cover: &crate::parse::cover::Cover) -> &'static str {
    // The cover's title or 様式 line says the kind of 評価書.
    if let Some(kind) = cover.kind {
        return kind;
    }
    let head: String = text.chars().take(2000).collect();
    if head.contains("変更点リスク評価表") {
        "変更点リスク評価表"
    } else if head.contains("新旧対照表") {
        "新旧対照表"
    } else if head.contains("基礎項目評価書") {
        "基礎項目評価書"
    } else if head.contains("重点項目評価書") {
        "重点項目評価書"
    } else {
        "全項目評価書"
    }
}

/// The prefecture of a body whose name is a prefecture; for other bodies it is not inferable
/// from the name alone.
fn prefecture_of(municipality: &str) -> Option<String> {
    let last = municipality.chars().last()?;
    matches!(last, '都' | '道' | '府' | '県').then(|| municipality.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_without_a_manifest_gets_its_body_code_and_prefecture_from_the_organ() {
        let meta = infer_meta(
            "cover.txt".to_string(),
            "特定個人情報保護評価書（全項目評価書）\n評価書番号\t1\n評価実施機関名\t札幌市長\n",
        );
        assert_eq!(meta.municipality, "札幌市");
        assert_eq!(meta.municipality_code.as_deref(), Some("011002"));
        assert_eq!(meta.prefecture.as_deref(), Some("北海道"));
        let meta = infer_meta("t.txt".to_string(), "評価実施機関名\n熊本県知事\n");
        assert_eq!(meta.municipality_code.as_deref(), Some("430005"));
    }

    #[test]
    fn a_declaration_wrapped_over_lines_names_its_body() {
        let text = "個人のプライバシー等の権利利益の保護の宣言\n豊島区は、住民基本台帳に関する事務における特定個人情報ファイルの取扱いにあたり、\nその取扱いが個人のプライバシー等の権利利益に影響を及ぼしかねないことを認識し、\n適切な措置を講じ、もって個人のプライバシー等の権利利益の保護に取り組んでいることを宣言する。";
        assert_eq!(infer_body(text).as_deref(), Some("豊島区"));
        let meta = infer_meta("d.txt".to_string(), text);
        assert_eq!(meta.municipality_code.as_deref(), Some("131164"));
        assert_eq!(meta.prefecture.as_deref(), Some("東京都"));
    }

    #[test]
    fn a_body_named_after_evaluation_body_heading_is_found() {
        let text = "評価実施機関名\n\n熊本県\n\n公表日";
        assert_eq!(infer_body(text).as_deref(), Some("熊本県"));
    }

    #[test]
    fn a_body_that_calls_itself_this_ward_is_not_named() {
        let text = "<当区における措置>\n・施錠する。\n<機構における措置>";
        assert_eq!(infer_body(text), None);
    }

    #[test]
    fn shift_jis_and_euc_jp_are_decoded() {
        let original = "特定個人情報保護評価書の物理的対策について記載する。";
        for encoding in [encoding_rs::SHIFT_JIS, encoding_rs::EUC_JP] {
            let (bytes, _, _) = encoding.encode(original);
            let (text, name) = decode(&bytes, "x.txt").unwrap();
            assert_eq!(text, original, "{name}");
        }
    }

    #[test]
    fn a_file_with_nul_bytes_is_refused_as_binary() {
        let error = decode(b"%PDF-1.7\x00\x01\x02", "scan.pdf").unwrap_err();
        assert!(matches!(error, DocumentError::Binary { .. }));
        assert!(error.to_string().contains("scan.pdf"));
    }

    #[test]
    fn an_empty_file_is_refused() {
        assert!(matches!(
            decode(b"  \n", "e.txt"),
            Err(DocumentError::Empty { .. })
        ));
    }
}
