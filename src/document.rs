//! Documents and their versions: what a file is (a body's 評価書 for one 事務, or a change table
//! describing one version of it), its 事務 and the category of that 事務, and which of a
//! document's files is the current version.
//!
//! Reading files is [`crate::corpus`]'s work; this module only knows what a document is, so the
//! parser and the index can ask it without reading anything. A generation's documents are
//! written beside its index (`documents.columns`): search and comparison read versions, bodies
//! and files from it instead of from every stored record.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::columns::{ColumnReader, ColumnWriter};
use crate::record::Record;

/// The placeholder used where a document does not name its body. Never guessed.
pub const UNNAMED_BODY: &str = "機関名の記載なし";

/// One document's entry in `manifest.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentMeta {
    /// File name inside the corpus folder.
    pub file: String,
    /// 団体名; 「機関名の記載なし」 where the text does not name the body.
    pub municipality: String,
    /// 団体コード (6 digits with check digit).
    #[serde(default)]
    pub municipality_code: Option<String>,
    /// 都道府県.
    #[serde(default)]
    pub prefecture: Option<String>,
    /// Document title.
    pub title: String,
    /// 全項目評価書, 変更点リスク評価表, 新旧対照表, …
    pub doc_type: String,
    /// 事務名 (from the cover when the manifest does not say).
    #[serde(default)]
    pub jimu: Option<String>,
    /// Date of the document where known (as written): its 公表日.
    #[serde(default)]
    pub date: Option<String>,
    /// 評価書番号 (from the cover when the manifest does not say).
    #[serde(default)]
    pub number: Option<String>,
    /// 様式 version, e.g. 「令和6年10月 様式4」 (from the cover when the manifest does not say).
    #[serde(default)]
    pub form: Option<String>,
    /// What a reader should know about the document.
    #[serde(default)]
    pub note: Option<String>,
}

/// The categories of 事務, in the order they are tried (`data/jimu-categories.tsv`).
static JIMU_CATEGORIES: LazyLock<Vec<(String, Vec<String>)>> = LazyLock::new(|| {
    parse_jimu_categories(include_str!("../data/jimu-categories.tsv"))
        .expect("the bundled data/jimu-categories.tsv parses (a test checks it)")
});

/// Reads a category file: `category<TAB>word,word` per line, `#` comments.
pub fn parse_jimu_categories(text: &str) -> Result<Vec<(String, Vec<String>)>, String> {
    let mut categories = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((category, words)) = line.split_once('\t') else {
            return Err(format!(
                "line {}: no tab between category and words",
                index + 1
            ));
        };
        let words: Vec<String> = words
            .split(',')
            .map(str::trim)
            .filter(|word| !word.is_empty())
            .map(str::to_string)
            .collect();
        if category.trim().is_empty() || words.is_empty() {
            return Err(format!(
                "line {}: a category needs a name and words",
                index + 1
            ));
        }
        categories.push((category.trim().to_string(), words));
    }
    Ok(categories)
}

/// The category of a 事務 as printed (「住民基本台帳に関する事務」 → 住民基本台帳), when one of the
/// categories' words stands in it. A change table about two 事務 takes the first one's.
pub fn jimu_category(printed: &str) -> Option<&'static str> {
    let printed = crate::analysis::normalize(printed);
    let printed = printed.as_str();
    JIMU_CATEGORIES
        .iter()
        .find(|(_, words)| words.iter().any(|word| printed.contains(word.as_str())))
        .map(|(category, _)| category.as_str())
}

static JIMU_IN_DECLARATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"は、\s*([^。、\n]{2,80}?事務)\s*における").expect("valid regex"));

/// The 事務名 of a cover: from its 評価書名 (「住民基本台帳に関する事務 全項目評価書」, also with
/// the 評価書番号 before it: 「7 介護保険に関する事務」) or, failing that, from the 宣言 (「札幌市は、
/// 住民基本台帳に関する事務における…」).
pub fn jimu_of_cover(title: Option<&str>, cover_text: &str) -> Option<String> {
    if let Some(title) = title {
        let title = title.trim_start_matches(|c: char| c.is_ascii_digit() || c.is_whitespace());
        if let Some(end) = title.find("事務") {
            let jimu = title[..end + "事務".len()].trim();
            if jimu.chars().count() >= 3 {
                return Some(jimu.to_string());
            }
        }
    }
    let joined: String = cover_text.lines().map(str::trim).collect();
    JIMU_IN_DECLARATION
        .captures(&joined)
        .map(|captures| captures[1].trim().to_string())
}

/// The kind of body (都道府県, 政令市, 特別区, 市, 町, 村) a record's body is, from the bundled
/// table of local bodies: by its code, else by its name within its prefecture.
pub fn body_kind_of(record: &Record) -> Option<&'static str> {
    let bodies = crate::bodies::LocalBodies::bundled();
    let body = record
        .municipality_code
        .as_deref()
        .and_then(|code| bodies.by_code(code))
        .or_else(|| bodies.by_name(&record.municipality, record.prefecture.as_deref()))?;
    Some(body.kind.label())
}

/// Whether a document type is a change table (it describes a version of an assessment).
pub fn is_change_table(doc_type: &str) -> bool {
    doc_type.contains("変更点") || doc_type.contains("新旧対照表")
}

/// One file of the corpus as a document: who, which 事務, which version.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DocumentInfo {
    pub file: String,
    /// The body, as the records name it.
    pub body: String,
    pub municipality_code: Option<String>,
    pub prefecture: Option<String>,
    /// 都道府県, 政令市, 特別区, 市, 町 or 村, when the body is in the table of local bodies.
    pub body_kind: Option<String>,
    pub title: String,
    pub doc_type: String,
    /// 事務名 as printed.
    pub jimu: Option<String>,
    /// Its category (`data/jimu-categories.tsv`).
    pub jimu_category: Option<String>,
    pub doc_number: Option<String>,
    /// 公表日 as printed and as `YYYY-MM-DD`.
    pub doc_date: Option<String>,
    pub published: Option<String>,
    pub form_version: Option<String>,
    pub records: u64,
    /// What makes files versions of one document: the body and the 事務 (its category, else
    /// its name, else the 評価書番号, else the title).
    pub identity: String,
    /// 1 for the oldest version; versions without a 公表日 cannot be ordered and each count as
    /// current.
    pub version: u32,
    pub versions: u32,
    /// Whether this file is the document's current version (for a change table: whether the
    /// version it describes is).
    pub current: bool,
    /// The file of the current version of the same document.
    pub current_file: String,
    /// For a change table, the assessment file (version) it describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub describes: Option<String>,
    /// Other bodies whose text the file quotes (ordinance excerpts), with their records.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quoted_bodies: Vec<(String, u64)>,
}

impl DocumentInfo {
    /// A document as its first record describes it (every record of a file carries the
    /// document's fields).
    pub fn of_record(record: &Record) -> DocumentInfo {
        DocumentInfo {
            file: record.source.file.clone(),
            body: record.municipality.clone(),
            municipality_code: record.municipality_code.clone(),
            prefecture: record.prefecture.clone(),
            body_kind: record.body_kind.clone(),
            title: record.doc_title.clone(),
            doc_type: record.doc_type.clone(),
            jimu: record.jimu.clone(),
            jimu_category: record.jimu_category.clone(),
            doc_number: record.doc_number.clone(),
            doc_date: record.doc_date.clone(),
            published: record.published.clone(),
            form_version: record.form_version.clone(),
            records: 0,
            identity: String::new(),
            version: 1,
            versions: 1,
            current: true,
            current_file: record.source.file.clone(),
            describes: None,
            quoted_bodies: Vec::new(),
        }
    }

    /// The document of a file's records: its body is the first record's, and the records of
    /// other bodies (excerpts it quotes) are counted apart.
    pub fn of_records(records: &[Record]) -> Option<DocumentInfo> {
        let mut document = DocumentInfo::of_record(records.first()?);
        document.records = records.len() as u64;
        let mut quoted: BTreeMap<&str, u64> = BTreeMap::new();
        for record in records {
            if record.municipality != document.body {
                *quoted.entry(record.municipality.as_str()).or_default() += 1;
            }
        }
        document.quoted_bodies = quoted
            .into_iter()
            .map(|(body, records)| (body.to_string(), records))
            .collect();
        Some(document)
    }

    /// What the document is about, for its identity: the 事務's category, its name, the
    /// 評価書番号, or the title.
    fn subject(&self) -> String {
        if let Some(category) = &self.jimu_category {
            return category.clone();
        }
        if let Some(jimu) = &self.jimu {
            return crate::analysis::normalize(jimu).as_str().replace(' ', "");
        }
        if let Some(number) = &self.doc_number {
            return format!("評価書番号{number}");
        }
        crate::analysis::normalize(&self.title)
            .as_str()
            .replace(' ', "")
    }

    /// A body that the text does not name cannot be told from another: its files are each a
    /// document of their own.
    fn is_unnamed(&self) -> bool {
        self.body == UNNAMED_BODY
    }
}

/// How many of a document's fields are optional strings (each a column of its own in the
/// documents file).
const OPTIONAL_FIELDS: usize = 10;

/// The documents of a generation, in corpus order, each with the number its records carry in
/// the index.
#[derive(Debug, Default)]
pub struct DocumentTable {
    pub documents: Vec<DocumentInfo>,
    /// Per document, its number in the index. Empty when every document's number is its
    /// position (a generation built whole); an incremental ingest keeps the numbers the
    /// records already carry and gives new documents new ones, while the documents stay in
    /// corpus order, as a whole build orders them.
    pub numbers: Vec<u32>,
}

/// The documents file in a generation's folder ([`crate::columns`]).
pub const DOCUMENTS_FILE: &str = "documents.columns";
/// What the documents file's header calls it.
const DOCUMENTS_KIND: &[u8; 8] = b"document";
/// Bumped when the documents file's layout changes; another version means a whole ingest.
const DOCUMENTS_VERSION: u32 = 1;

impl DocumentTable {
    /// Adds a document numbered by its position; returns its number.
    pub fn push(&mut self, document: DocumentInfo) -> u32 {
        self.documents.push(document);
        (self.documents.len() - 1) as u32
    }

    /// Adds a document with the number its records carry in the index; returns it.
    pub fn push_numbered(&mut self, document: DocumentInfo, number: u32) -> u32 {
        let position = self.documents.len();
        if self.numbers.is_empty() && number as usize == position {
            self.documents.push(document);
            return number;
        }
        // The numbers so far were the positions.
        while self.numbers.len() < position {
            self.numbers.push(self.numbers.len() as u32);
        }
        self.documents.push(document);
        self.numbers.push(number);
        number
    }

    /// The index number of the document at `position`.
    pub fn number_at(&self, position: usize) -> u32 {
        self.numbers
            .get(position)
            .copied()
            .unwrap_or(position as u32)
    }

    /// Every document with its index number, in corpus order.
    pub fn numbered(&self) -> impl Iterator<Item = (u32, &DocumentInfo)> {
        self.documents
            .iter()
            .enumerate()
            .map(|(position, document)| (self.number_at(position), document))
    }

    /// The number a new document gets: one past the largest a document carries. A removed
    /// document's number may come again: its records stay in the index files deleted, and a
    /// deleted record is never matched, counted or read.
    pub fn next_number(&self) -> u32 {
        (0..self.documents.len())
            .map(|position| self.number_at(position) + 1)
            .max()
            .unwrap_or(0)
    }

    /// Decides versions: files of one body and one subject are versions of one document, the
    /// newest 公表日 current; a change table belongs to the version of its body's document it
    /// describes (the newest one published on or before it) and is current when that is.
    pub fn assign_versions(&mut self) {
        let mut groups: BTreeMap<(bool, String), Vec<usize>> = BTreeMap::new();
        for (position, document) in self.documents.iter_mut().enumerate() {
            // Decided anew each time (an update takes over documents decided before).
            document.version = 1;
            document.versions = 1;
            document.current = true;
            document.current_file = document.file.clone();
            document.describes = None;
            let subject = document.subject();
            // Two bodies can share a name (府中市 of 東京都 and of 広島県): the code, else the
            // prefecture, tells them apart.
            let body = match (&document.municipality_code, &document.prefecture) {
                (Some(code), _) => format!("{} {code}", document.body),
                (None, Some(prefecture)) => format!("{prefecture} {}", document.body),
                (None, None) => document.body.clone(),
            };
            document.identity = if document.is_unnamed() {
                format!("{body} / {}", document.file)
            } else {
                format!("{body} / {subject}")
            };
            let change = is_change_table(&document.doc_type);
            groups
                .entry((change, document.identity.clone()))
                .or_default()
                .push(position);
        }
        // Assessments (and other documents) first: change tables look their versions up.
        for ((change, _), members) in &groups {
            if !*change {
                self.order_versions(members);
            }
        }
        for ((change, identity), members) in &groups {
            if !*change {
                continue;
            }
            match groups.get(&(false, identity.clone())) {
                Some(assessments) => {
                    for &member in members {
                        self.attach_change_table(member, assessments);
                    }
                }
                None => self.order_versions(members),
            }
        }
    }

    /// Orders the files of one document by 公表日 and marks the newest current. Files without
    /// a date cannot be placed: each stays current.
    fn order_versions(&mut self, members: &[usize]) {
        let mut ordered: Vec<usize> = members.to_vec();
        ordered.sort_by(|&left, &right| {
            let (left, right) = (&self.documents[left], &self.documents[right]);
            (left.published.is_none(), &left.published, &left.file).cmp(&(
                right.published.is_none(),
                &right.published,
                &right.file,
            ))
        });
        let dated: Vec<usize> = ordered
            .iter()
            .copied()
            .filter(|&member| self.documents[member].published.is_some())
            .collect();
        let newest = dated.last().copied();
        let newest_date = newest.and_then(|member| self.documents[member].published.clone());
        let current_file = newest
            .map(|member| self.documents[member].file.clone())
            .unwrap_or_default();
        let versions = ordered.len() as u32;
        for (order, &member) in ordered.iter().enumerate() {
            let document = &mut self.documents[member];
            document.version = order as u32 + 1;
            document.versions = versions;
            // Two files of one 公表日 (two prints) are both current.
            document.current = document.published.is_none() || document.published == newest_date;
            document.current_file = if document.published.is_none() || current_file.is_empty() {
                document.file.clone()
            } else {
                current_file.clone()
            };
        }
    }

    fn attach_change_table(&mut self, member: usize, assessments: &[usize]) {
        let published = self.documents[member].published.clone();
        let described = assessments
            .iter()
            .copied()
            .filter(|&assessment| {
                let date = &self.documents[assessment].published;
                match (&published, date) {
                    (Some(published), Some(date)) => date <= published,
                    _ => true,
                }
            })
            .max_by(|&left, &right| {
                let (left, right) = (&self.documents[left], &self.documents[right]);
                (left.current, &left.published).cmp(&(right.current, &right.published))
            })
            .or_else(|| assessments.first().copied());
        let Some(described) = described else {
            return;
        };
        let (current, current_file, file, version, versions) = {
            let assessment = &self.documents[described];
            (
                assessment.current,
                assessment.current_file.clone(),
                assessment.file.clone(),
                assessment.version,
                assessment.versions,
            )
        };
        let document = &mut self.documents[member];
        // A change table is of the version it describes.
        document.version = version;
        document.current = current;
        document.current_file = current_file;
        document.describes = Some(file);
        document.versions = versions;
    }

    /// Reads the documents of the generation in `folder`.
    pub fn read(folder: &Path) -> std::io::Result<DocumentTable> {
        let (mut columns, version) =
            ColumnReader::open(&folder.join(DOCUMENTS_FILE), DOCUMENTS_KIND)?;
        if version != DOCUMENTS_VERSION {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "written by another version of hyoka (documents version {version}, this one reads {DOCUMENTS_VERSION})"
                ),
            ));
        }
        let mut strings = || columns.strings();
        let (file, body, title, doc_type, identity, current_file) = (
            strings()?,
            strings()?,
            strings()?,
            strings()?,
            strings()?,
            strings()?,
        );
        let mut optionals = Vec::with_capacity(OPTIONAL_FIELDS);
        for _ in 0..OPTIONAL_FIELDS {
            optionals.push(columns.optional_strings()?);
        }
        let records = columns.u64s()?;
        let (version_numbers, version_counts) = (columns.u32s()?, columns.u32s()?);
        let current = columns.flags()?;
        let (quoted_counts, quoted_names, quoted_records) =
            (columns.u32s()?, columns.strings()?, columns.u64s()?);
        let numbers = columns.u32s()?;
        columns.finish()?;
        let count = file.len();
        let quoted_total: usize = quoted_counts.iter().map(|&count| count as usize).sum();
        let mut lengths = vec![
            body.len(),
            title.len(),
            doc_type.len(),
            identity.len(),
            current_file.len(),
            records.len(),
            version_numbers.len(),
            version_counts.len(),
            current.len(),
            quoted_counts.len(),
        ];
        lengths.extend(optionals.iter().map(Vec::len));
        let lengths_agree = lengths.iter().all(|&length| length == count)
            && quoted_total == quoted_names.len()
            && quoted_total == quoted_records.len()
            && (numbers.is_empty() || numbers.len() == count);
        if !lengths_agree {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "its columns differ in length",
            ));
        }
        let mut optionals: Vec<_> = optionals.into_iter().map(Vec::into_iter).collect();
        let mut quoted = quoted_names.into_iter().zip(quoted_records);
        let mut documents = Vec::with_capacity(count);
        let columns = file
            .into_iter()
            .zip(body)
            .zip(title)
            .zip(doc_type)
            .zip(identity)
            .zip(current_file);
        for (position, (((((file, body), title), doc_type), identity), current_file)) in
            columns.enumerate()
        {
            // The optional fields in the order `write` lists them.
            let mut next = |field: usize| optionals[field].next().flatten();
            documents.push(DocumentInfo {
                file,
                body,
                municipality_code: next(0),
                prefecture: next(1),
                body_kind: next(2),
                title,
                doc_type,
                jimu: next(3),
                jimu_category: next(4),
                doc_number: next(5),
                doc_date: next(6),
                published: next(7),
                form_version: next(8),
                records: records[position],
                identity,
                version: version_numbers[position],
                versions: version_counts[position],
                current: current[position],
                current_file,
                describes: next(9),
                quoted_bodies: quoted
                    .by_ref()
                    .take(quoted_counts[position] as usize)
                    .collect(),
            });
        }
        Ok(DocumentTable { documents, numbers })
    }

    /// Writes the documents into the generation's folder.
    pub fn write(&self, folder: &Path) -> std::io::Result<()> {
        let documents = &self.documents;
        let mut columns = ColumnWriter::create(
            &folder.join(DOCUMENTS_FILE),
            DOCUMENTS_KIND,
            DOCUMENTS_VERSION,
        )?;
        let strings: [fn(&DocumentInfo) -> &str; 6] = [
            |document| &document.file,
            |document| &document.body,
            |document| &document.title,
            |document| &document.doc_type,
            |document| &document.identity,
            |document| &document.current_file,
        ];
        for field in strings {
            columns.strings(documents.iter().map(field))?;
        }
        let optionals: [fn(&DocumentInfo) -> &Option<String>; OPTIONAL_FIELDS] = [
            |document| &document.municipality_code,
            |document| &document.prefecture,
            |document| &document.body_kind,
            |document| &document.jimu,
            |document| &document.jimu_category,
            |document| &document.doc_number,
            |document| &document.doc_date,
            |document| &document.published,
            |document| &document.form_version,
            |document| &document.describes,
        ];
        for field in optionals {
            columns
                .optional_strings(documents.iter().map(|document| field(document).as_deref()))?;
        }
        let column =
            |field: fn(&DocumentInfo) -> u32| documents.iter().map(field).collect::<Vec<_>>();
        columns.u64s(
            &documents
                .iter()
                .map(|document| document.records)
                .collect::<Vec<_>>(),
        )?;
        columns.u32s(&column(|document| document.version))?;
        columns.u32s(&column(|document| document.versions))?;
        columns.flags(
            &documents
                .iter()
                .map(|document| document.current)
                .collect::<Vec<_>>(),
        )?;
        let quoted = documents
            .iter()
            .flat_map(|document| &document.quoted_bodies);
        columns.u32s(
            &documents
                .iter()
                .map(|document| document.quoted_bodies.len() as u32)
                .collect::<Vec<_>>(),
        )?;
        let quoted_names: Vec<&str> = quoted.clone().map(|(body, _)| body.as_str()).collect();
        columns.strings(quoted_names.into_iter())?;
        columns.u64s(&quoted.map(|&(_, records)| records).collect::<Vec<_>>())?;
        columns.u32s(&self.numbers)?;
        columns.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documents_table_reads_back_as_written_with_every_optional_field_given_or_not() {
        let assessment = DocumentInfo {
            file: "札幌市_住民基本台帳.pdf".to_string(),
            body: "札幌市".to_string(),
            municipality_code: Some("011002".to_string()),
            prefecture: Some("北海道".to_string()),
            body_kind: Some("政令市".to_string()),
            title: "住民基本台帳に関する事務 全項目評価書".to_string(),
            doc_type: "全項目評価書".to_string(),
            jimu: Some("住民基本台帳に関する事務".to_string()),
            jimu_category: Some("住民基本台帳".to_string()),
            doc_number: Some("1".to_string()),
            doc_date: Some("令和6年10月1日".to_string()),
            published: Some("2024-10-01".to_string()),
            form_version: Some("令和6年10月 様式4".to_string()),
            records: 412,
            identity: "札幌市 011002 / 住民基本台帳".to_string(),
            version: 2,
            versions: 2,
            current: true,
            current_file: "札幌市_住民基本台帳.pdf".to_string(),
            describes: None,
            quoted_bodies: vec![("北海道".to_string(), 3), ("石狩市".to_string(), 1)],
        };
        let change_table = DocumentInfo {
            file: "変更点リスク評価表.txt".to_string(),
            body: UNNAMED_BODY.to_string(),
            municipality_code: None,
            prefecture: None,
            body_kind: None,
            title: String::new(),
            doc_type: "変更点リスク評価表".to_string(),
            jimu: None,
            jimu_category: None,
            doc_number: None,
            doc_date: None,
            published: None,
            form_version: None,
            records: 0,
            identity: String::new(),
            version: 1,
            versions: 1,
            current: false,
            current_file: "札幌市_住民基本台帳.pdf".to_string(),
            describes: Some("札幌市_住民基本台帳.pdf".to_string()),
            quoted_bodies: Vec::new(),
        };
        let folder = tempfile::tempdir().expect("temporary folder");
        for numbers in [Vec::new(), vec![7, 3]] {
            let table = DocumentTable {
                documents: vec![assessment.clone(), change_table.clone()],
                numbers: numbers.clone(),
            };
            table.write(folder.path()).expect("written");
            let read = DocumentTable::read(folder.path()).expect("read");
            assert_eq!(read.documents, table.documents);
            assert_eq!(read.numbers, numbers);
        }

        let path = folder.path().join(DOCUMENTS_FILE);
        let whole = std::fs::read(&path).expect("the file");
        std::fs::write(&path, &whole[..whole.len() / 2]).expect("cut short");
        let error = DocumentTable::read(folder.path()).expect_err("a file cut short");
        assert!(error.to_string().contains("past the end"), "{error}");
    }

    #[test]
    fn the_bundled_categories_parse_and_the_narrower_words_win() {
        parse_jimu_categories(include_str!("../data/jimu-categories.tsv")).expect("parses");
        assert_eq!(
            jimu_category("住民基本台帳に関する事務"),
            Some("住民基本台帳")
        );
        assert_eq!(
            jimu_category("住民基本台帳ネットワークに係る本人確認情報の管理及び提供等に関する事務"),
            Some("住基ネット本人確認情報")
        );
        assert_eq!(jimu_category("戸籍の附票に関する事務"), Some("戸籍の附票"));
        assert_eq!(
            jimu_category("特別児童扶養手当に関する事務"),
            Some("特別児童扶養手当")
        );
        assert_eq!(jimu_category("法人市民税に関する事務"), Some("法人住民税"));
        assert_eq!(
            jimu_category("市民税・県民税に関する事務"),
            Some("個人住民税")
        );
        assert_eq!(jimu_category("狂犬病予防に関する事務"), None);
        assert!(JIMU_CATEGORIES.len() >= 24);
    }

    #[test]
    fn a_covers_jimu_comes_from_its_title_or_its_declaration() {
        assert_eq!(
            jimu_of_cover(Some("7 介護保険に関する事務"), "").as_deref(),
            Some("介護保険に関する事務")
        );
        assert_eq!(
            jimu_of_cover(Some("住民基本台帳に関する事務 全項目評価書"), "").as_deref(),
            Some("住民基本台帳に関する事務")
        );
        assert_eq!(
            jimu_of_cover(
                None,
                "熊本県は、住民基本台帳ネットワークに係る本人確認情報の管理及び提供等に関\nする事務における特定個人情報ファイルの取扱いにあたり"
            )
            .as_deref(),
            Some("住民基本台帳ネットワークに係る本人確認情報の管理及び提供等に関する事務")
        );
        assert_eq!(jimu_of_cover(None, "評価書番号\n1"), None);
    }
}
