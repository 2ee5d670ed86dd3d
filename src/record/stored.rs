//! The form a record is kept in inside the index: its fields one after another, read back
//! without parsing JSON.
//!
//! Every hit, compared row and export reads its record from the index's store, and parsing a
//! record's JSON (unescaping and checking each string again after the store has checked the
//! whole text is UTF-8) was a fourteenth of a one-word search at 1M records. The stored form is
//! text (the store checks it once) and a version character, then the fields in the order
//! [`Record`] declares them: a string as its length in bytes, `:`, and the string; an optional
//! string as `-` when absent; a list as its length, `#`, and its items; a number as its digits
//! and `;`. Strings are taken as they are, never escaped. Reading checks every length against
//! what is left and against the text's characters: a damaged record is an error naming the
//! field, never a panic. (tantivy reads a stored bytes value one byte at a time, slower than
//! the JSON it would replace, hence text.)

use super::{Record, Source};

/// The version character every stored record starts with.
const STORED_VERSION: char = '1';

/// A stored record that cannot be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct StoredRecordError {
    pub field: &'static str,
    pub problem: &'static str,
}

impl Record {
    /// The record in its stored form (see the module's documentation).
    pub fn to_stored(&self) -> String {
        // Taken apart whole, so that a field added to the record cannot be left out here.
        let Record {
            id,
            municipality,
            municipality_code,
            prefecture,
            doc_title,
            doc_type,
            doc_date,
            published,
            doc_number,
            form_version,
            jimu,
            jimu_category,
            body_kind,
            file_name,
            section_path,
            slot,
            slot_label,
            field,
            actor,
            rating,
            choice,
            choice_as_printed,
            text,
            before_text,
            after_text,
            reason,
            risk_change,
            change,
            marked_spans,
            notes,
            source: Source { file, line, page },
        } = self;
        let mut writer = Writer(String::with_capacity(512 + text.len() * 2));
        writer.0.push(STORED_VERSION);
        writer.string(id);
        writer.string(municipality);
        writer.optional(municipality_code);
        writer.optional(prefecture);
        writer.string(doc_title);
        writer.string(doc_type);
        for value in [
            doc_date,
            published,
            doc_number,
            form_version,
            jimu,
            jimu_category,
            body_kind,
            file_name,
        ] {
            writer.optional(value);
        }
        writer.count(section_path.len());
        for heading in section_path {
            writer.string(heading);
        }
        for value in [
            slot,
            slot_label,
            field,
            actor,
            rating,
            choice,
            choice_as_printed,
        ] {
            writer.optional(value);
        }
        writer.string(text);
        for value in [before_text, after_text, reason, risk_change, change] {
            writer.optional(value);
        }
        writer.count(marked_spans.len());
        for (start, end) in marked_spans {
            writer.number(*start as u64);
            writer.number(*end as u64);
        }
        writer.count(notes.len());
        for (label, note) in notes {
            writer.string(label);
            writer.string(note);
        }
        writer.string(file);
        writer.number(*line as u64);
        match page {
            Some(page) => writer.number(u64::from(*page)),
            None => writer.0.push('-'),
        }
        writer.0
    }

    /// Reads a record back from its stored form.
    pub fn from_stored(stored: &str) -> Result<Record, StoredRecordError> {
        let mut reader = Reader { stored, at: 0 };
        if !stored.starts_with(STORED_VERSION) {
            return Err(StoredRecordError {
                field: "version",
                problem: "written by another version of hyoka",
            });
        }
        reader.at = STORED_VERSION.len_utf8();
        let record = Record {
            id: reader.string("id")?,
            municipality: reader.string("municipality")?,
            municipality_code: reader.optional("municipality_code")?,
            prefecture: reader.optional("prefecture")?,
            doc_title: reader.string("doc_title")?,
            doc_type: reader.string("doc_type")?,
            doc_date: reader.optional("doc_date")?,
            published: reader.optional("published")?,
            doc_number: reader.optional("doc_number")?,
            form_version: reader.optional("form_version")?,
            jimu: reader.optional("jimu")?,
            jimu_category: reader.optional("jimu_category")?,
            body_kind: reader.optional("body_kind")?,
            file_name: reader.optional("file_name")?,
            section_path: reader.list("section_path", 2, |reader| reader.string("section_path"))?,
            slot: reader.optional("slot")?,
            slot_label: reader.optional("slot_label")?,
            field: reader.optional("field")?,
            actor: reader.optional("actor")?,
            rating: reader.optional("rating")?,
            choice: reader.optional("choice")?,
            choice_as_printed: reader.optional("choice_as_printed")?,
            text: reader.string("text")?,
            before_text: reader.optional("before_text")?,
            after_text: reader.optional("after_text")?,
            reason: reader.optional("reason")?,
            risk_change: reader.optional("risk_change")?,
            change: reader.optional("change")?,
            marked_spans: reader.list("marked_spans", 4, |reader| {
                Ok((reader.size("marked_spans")?, reader.size("marked_spans")?))
            })?,
            notes: reader.list("notes", 4, |reader| {
                Ok((reader.string("notes")?, reader.string("notes")?))
            })?,
            source: Source {
                file: reader.string("source.file")?,
                line: reader.size("source.line")?,
                page: if reader.absent() {
                    None
                } else {
                    Some(u32::try_from(reader.number("source.page")?).map_err(|_| {
                        StoredRecordError {
                            field: "source.page",
                            problem: "a page number past the largest",
                        }
                    })?)
                },
            },
        };
        if reader.at != stored.len() {
            return Err(StoredRecordError {
                field: "source",
                problem: "bytes left over after the last field",
            });
        }
        Ok(record)
    }
}

struct Writer(String);

impl Writer {
    fn count(&mut self, count: usize) {
        self.digits(count as u64);
        self.0.push('#');
    }

    fn string(&mut self, value: &str) {
        self.digits(value.len() as u64);
        self.0.push(':');
        self.0.push_str(value);
    }

    fn optional(&mut self, value: &Option<String>) {
        match value {
            Some(value) => self.string(value),
            None => self.0.push('-'),
        }
    }

    fn number(&mut self, value: u64) {
        self.digits(value);
        self.0.push(';');
    }

    fn digits(&mut self, value: u64) {
        use std::fmt::Write;
        let _ = write!(self.0, "{value}");
    }
}

struct Reader<'a> {
    stored: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    /// Whether an optional value is absent here (and if so, steps past its `-`).
    fn absent(&mut self) -> bool {
        let absent = self.stored.as_bytes().get(self.at) == Some(&b'-');
        if absent {
            self.at += 1;
        }
        absent
    }

    /// Digits up to `end` (at most 20: a u64), and the `end` after them.
    fn digits(&mut self, end: u8, field: &'static str) -> Result<u64, StoredRecordError> {
        let bytes = self.stored.as_bytes();
        let mut value: u64 = 0;
        let mut digits = 0;
        loop {
            let Some(&byte) = bytes.get(self.at) else {
                return Err(StoredRecordError {
                    field,
                    problem: "cut short",
                });
            };
            self.at += 1;
            match byte {
                b'0'..=b'9' if digits < 20 => {
                    value = value
                        .checked_mul(10)
                        .and_then(|value| value.checked_add(u64::from(byte - b'0')))
                        .ok_or(StoredRecordError {
                            field,
                            problem: "a number past the largest",
                        })?;
                    digits += 1;
                }
                _ if byte == end && digits > 0 => return Ok(value),
                _ => {
                    return Err(StoredRecordError {
                        field,
                        problem: "not a length or a number where one belongs",
                    });
                }
            }
        }
    }

    fn number(&mut self, field: &'static str) -> Result<u64, StoredRecordError> {
        self.digits(b';', field)
    }

    fn size(&mut self, field: &'static str) -> Result<usize, StoredRecordError> {
        usize::try_from(self.number(field)?).map_err(|_| StoredRecordError {
            field,
            problem: "a number too large for this machine",
        })
    }

    /// A list's length, each item taking at least `smallest_item` bytes: a length the text
    /// left cannot hold is an error before anything is allocated for it.
    fn count(
        &mut self,
        field: &'static str,
        smallest_item: usize,
    ) -> Result<usize, StoredRecordError> {
        let count = usize::try_from(self.digits(b'#', field)?).unwrap_or(usize::MAX);
        if count.saturating_mul(smallest_item) > self.stored.len() - self.at {
            return Err(StoredRecordError {
                field,
                problem: "more items than the record holds",
            });
        }
        Ok(count)
    }

    /// A list: its length (see [`Reader::count`]), then each item as `item` reads it.
    fn list<T>(
        &mut self,
        field: &'static str,
        smallest_item: usize,
        item: impl Fn(&mut Self) -> Result<T, StoredRecordError>,
    ) -> Result<Vec<T>, StoredRecordError> {
        let count = self.count(field, smallest_item)?;
        let mut items = Vec::with_capacity(count);
        for _ in 0..count {
            items.push(item(self)?);
        }
        Ok(items)
    }

    fn string(&mut self, field: &'static str) -> Result<String, StoredRecordError> {
        let length = usize::try_from(self.digits(b':', field)?).unwrap_or(usize::MAX);
        // `get` is `None` past the end and where the length would split a character.
        let value = self
            .at
            .checked_add(length)
            .and_then(|end| self.stored.get(self.at..end))
            .ok_or(StoredRecordError {
                field,
                problem: "cut short, or a length that splits a character",
            })?;
        self.at += length;
        Ok(value.to_string())
    }

    fn optional(&mut self, field: &'static str) -> Result<Option<String>, StoredRecordError> {
        if self.absent() {
            return Ok(None);
        }
        self.string(field).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record with every field given, strings of several scripts, lists of several items.
    fn full_record() -> Record {
        let given = |text: &str| Some(text.to_string());
        Record {
            id: "0123456789abcdef".into(),
            municipality: "札幌市".into(),
            municipality_code: given("011002"),
            prefecture: given("北海道"),
            doc_title: "住民基本台帳に関する事務 全項目評価書".into(),
            doc_type: "全項目評価書".into(),
            doc_date: given("令和6年4月1日"),
            published: given("2024-04-01"),
            doc_number: given("1"),
            form_version: given("令和6年10月 様式4"),
            jimu: given("住民基本台帳に関する事務"),
            jimu_category: given("住民基本台帳"),
            body_kind: given("政令市"),
            file_name: given("住民基本台帳ファイル"),
            section_path: vec![
                "Ⅲ".into(),
                "7. 特定個人情報の保管・消去".into(),
                String::new(),
            ],
            slot: given("III.7.R1.5"),
            slot_label: given("⑤物理的対策"),
            field: given("具体的な対策の内容"),
            actor: given("札幌市"),
            rating: given("十分である"),
            choice: given("[ 十分である ]"),
            choice_as_printed: given("[十分である]"),
            text: "サーバ室は施錠し、入退室を記録する。\nICカード <b>&\"'".into(),
            before_text: given(""),
            after_text: given("変更後"),
            reason: given("理由"),
            risk_change: given("なし"),
            change: given("変更"),
            marked_spans: vec![(0, 3), (usize::MAX >> 1, 7)],
            notes: vec![("通番".into(), "98".into()), ("".into(), "注".into())],
            source: Source {
                file: "sapporo.pdf".into(),
                line: 125,
                page: Some(12),
            },
        }
    }

    #[test]
    fn a_record_reads_back_as_it_was_stored() {
        let full = full_record();
        assert_eq!(Record::from_stored(&full.to_stored()), Ok(full.clone()));
        // Every optional field absent, every list empty.
        let bare = Record {
            municipality_code: None,
            prefecture: None,
            doc_date: None,
            published: None,
            doc_number: None,
            form_version: None,
            jimu: None,
            jimu_category: None,
            body_kind: None,
            file_name: None,
            section_path: Vec::new(),
            slot: None,
            slot_label: None,
            field: None,
            actor: None,
            rating: None,
            choice: None,
            choice_as_printed: None,
            before_text: None,
            after_text: None,
            reason: None,
            risk_change: None,
            change: None,
            marked_spans: Vec::new(),
            notes: Vec::new(),
            source: Source {
                page: None,
                ..full.source.clone()
            },
            ..full
        };
        assert_eq!(Record::from_stored(&bare.to_stored()), Ok(bare));
    }

    #[test]
    fn a_damaged_stored_record_is_an_error_naming_its_field_never_a_panic() {
        let stored = full_record().to_stored();
        // Cut at every character boundary: each is an error, none a panic.
        for length in (0..stored.len()).filter(|length| stored.is_char_boundary(*length)) {
            assert!(
                Record::from_stored(&stored[..length]).is_err(),
                "cut at {length} of {}",
                stored.len()
            );
        }
        assert_eq!(
            Record::from_stored(&format!("{stored}-"))
                .unwrap_err()
                .problem,
            "bytes left over after the last field"
        );
        assert_eq!(
            Record::from_stored(&stored.replacen('1', "0", 1))
                .unwrap_err()
                .field,
            "version"
        );
        // The id's length made one longer: the municipality's length is read as text, and a
        // length ending inside 札 splits a character.
        let longer_id = stored.replacen("16:", "17:", 1);
        assert_eq!(
            Record::from_stored(&longer_id).unwrap_err().field,
            "municipality"
        );
        let split = format!("{STORED_VERSION}1:札");
        assert_eq!(
            Record::from_stored(&split),
            Err(StoredRecordError {
                field: "id",
                problem: "cut short, or a length that splits a character"
            })
        );
        // A list claiming more items than the text could hold is refused before allocating,
        // and a length of more digits than a number has is refused as it is read.
        let many_headings = stored.replacen("3#", "999999999#", 1);
        assert_eq!(
            Record::from_stored(&many_headings).unwrap_err().problem,
            "more items than the record holds"
        );
        let endless = format!("{STORED_VERSION}{}:", "9".repeat(40));
        assert_eq!(Record::from_stored(&endless).unwrap_err().field, "id");
    }
}
