//! A record across its document's versions: the same slot, file and actor in the body's other
//! versions of the document, each aligned sentence by sentence with the older text as the base,
//! so a record page can say what the body changed between 平成27年 and 令和6年.

use serde::{Deserialize, Serialize};

use super::{AlignedSentence, align_sentences, sentences_of};
use crate::record::Record;
use crate::search::{SearchError, SearchIndex};

/// Records of one document read to find a counterpart (a document has hundreds).
const MAX_RECORDS_PER_VERSION: usize = 5_000;

/// The record's slot in another version of its document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VersionText {
    pub file: String,
    /// 公表日 as printed.
    pub date: Option<String>,
    /// 1 for the oldest version.
    pub version: u32,
    pub current: bool,
    /// Whether this version is older than the record's own.
    pub older: bool,
    /// The counterpart record (none: the version does not fill this slot).
    pub id: Option<String>,
    pub text: Option<String>,
    /// From the older text to the newer one: `same`, `changed` (with the character diff),
    /// `own` (added in the newer) and `missing` (dropped from the newer).
    pub aligned: Vec<AlignedSentence>,
}

/// The record's counterpart in each other version of its document, oldest first.
pub fn other_versions(
    index: &SearchIndex,
    record: &Record,
) -> Result<Vec<VersionText>, SearchError> {
    let documents = index.documents();
    let Some(document) = documents.by_file(&record.source.file) else {
        return Ok(Vec::new());
    };
    // A change table's row is not a version of the slot's text: its page shows the row alone.
    if record.slot.is_none() || document.versions < 2 || document.describes.is_some() {
        return Ok(Vec::new());
    }
    let mut versions = Vec::new();
    for other in documents.versions_of(document) {
        if other.file == record.source.file {
            continue;
        }
        let records = index.records_of_file(&other.file, MAX_RECORDS_PER_VERSION)?;
        let counterpart = counterpart_of(record, &records);
        let older = other.version < document.version;
        let aligned = match counterpart {
            Some(counterpart) => {
                let (from, to) = if older {
                    (&counterpart.text, &record.text)
                } else {
                    (&record.text, &counterpart.text)
                };
                align_sentences(&sentences_of(from), &sentences_of(to))
            }
            None => Vec::new(),
        };
        versions.push(VersionText {
            file: other.file.clone(),
            date: other.doc_date.clone(),
            version: other.version,
            current: other.current,
            older,
            id: counterpart.map(|counterpart| counterpart.id.clone()),
            text: counterpart.map(|counterpart| counterpart.text.clone()),
            aligned,
        });
    }
    Ok(versions)
}

/// The record of another version in the same place: the same slot, field, 特定個人情報ファイル
/// and actor; failing that, the same slot, field and actor.
fn counterpart_of<'a>(record: &Record, records: &'a [Record]) -> Option<&'a Record> {
    let same_place = |other: &&Record| {
        other.slot == record.slot && other.field == record.field && other.actor == record.actor
    };
    records
        .iter()
        .filter(same_place)
        .find(|other| other.file_name == record.file_name)
        .or_else(|| records.iter().find(same_place))
}
