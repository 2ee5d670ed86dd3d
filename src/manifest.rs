//! Reading a plain `manifest.toml` without building a TOML tree: national manifests list
//! hundreds of thousands of documents, and the general TOML reader took seconds and gigabytes
//! for what is, line after line, `key = "value"` under `[[document]]`.
//!
//! [`read_plain`] accepts only that shape: `[[document]]` headers, bare keys with one-line
//! strings (basic or literal), comments and blank lines, every entry holding the keys it must
//! and none it may not. Anything else (another table, a number, a multi-line string, an escape
//! it does not know, a key twice, a key before the first header) makes it give up, and the
//! general reader reads the file with its own errors ([`crate::corpus::read_manifest`]): the
//! two agree on every file the plain reader accepts (a test compares them).

use crate::document::DocumentMeta;

/// The entries of `raw`, each with the line of its `[[document]]` header (from 1), when the
/// whole file is plain; `None` when any line is not.
pub fn read_plain(raw: &str) -> Option<Vec<(usize, DocumentMeta)>> {
    // A byte-order mark, a lone carriage return: the general reader decides.
    if raw.starts_with('\u{feff}') {
        return None;
    }
    let mut entries: Vec<(usize, DocumentMeta)> = Vec::new();
    let mut building: Option<(usize, EntryFields)> = None;
    for (index, line) in raw.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        // TOML allows no control character but the tab in a comment or a string.
        if line
            .bytes()
            .any(|byte| (byte < b' ' && byte != b'\t') || byte == 0x7f)
        {
            return None;
        }
        let content = line.trim_matches([' ', '\t']);
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if content.starts_with('[') {
            if content != "[[document]]" {
                return None;
            }
            if let Some((line, fields)) = building.take() {
                entries.push((line, fields.into_meta()?));
            }
            building = Some((index + 1, EntryFields::default()));
            continue;
        }
        // A key before the first header belongs to no entry.
        let (_, fields) = building.as_mut()?;
        let (key, value) = key_and_value(content)?;
        fields.set(key, value)?;
    }
    if let Some((line, fields)) = building.take() {
        entries.push((line, fields.into_meta()?));
    }
    Some(entries)
}

/// The values of one entry so far, by key.
#[derive(Default)]
struct EntryFields {
    file: Option<String>,
    municipality: Option<String>,
    municipality_code: Option<String>,
    prefecture: Option<String>,
    title: Option<String>,
    doc_type: Option<String>,
    jimu: Option<String>,
    date: Option<String>,
    number: Option<String>,
    form: Option<String>,
    note: Option<String>,
}

impl EntryFields {
    /// Sets `key`; `None` for a key [`DocumentMeta`] does not have or one set already.
    fn set(&mut self, key: &str, value: String) -> Option<()> {
        let slot = match key {
            "file" => &mut self.file,
            "municipality" => &mut self.municipality,
            "municipality_code" => &mut self.municipality_code,
            "prefecture" => &mut self.prefecture,
            "title" => &mut self.title,
            "doc_type" => &mut self.doc_type,
            "jimu" => &mut self.jimu,
            "date" => &mut self.date,
            "number" => &mut self.number,
            "form" => &mut self.form,
            "note" => &mut self.note,
            _ => return None,
        };
        if slot.is_some() {
            return None;
        }
        *slot = Some(value);
        Some(())
    }

    /// The entry's metadata; `None` when a key it must have is missing.
    fn into_meta(self) -> Option<DocumentMeta> {
        Some(DocumentMeta {
            file: self.file?,
            municipality: self.municipality?,
            municipality_code: self.municipality_code,
            prefecture: self.prefecture,
            title: self.title?,
            doc_type: self.doc_type?,
            jimu: self.jimu,
            date: self.date,
            number: self.number,
            form: self.form,
            note: self.note,
        })
    }
}

/// `key = "value"` (or `'value'`), with an optional comment after it.
fn key_and_value(content: &str) -> Option<(&str, String)> {
    let (key, rest) = content.split_once('=')?;
    let key = key.trim_end_matches([' ', '\t']);
    let is_bare_key = !key.is_empty()
        && key
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-');
    if !is_bare_key {
        return None;
    }
    let rest = rest.trim_start_matches([' ', '\t']);
    let (value, after) = if let Some(body) = rest.strip_prefix('"') {
        basic_string(body)?
    } else if let Some(body) = rest.strip_prefix('\'') {
        literal_string(body)?
    } else {
        return None;
    };
    let after = after.trim_start_matches([' ', '\t']);
    (after.is_empty() || after.starts_with('#')).then_some((key, value))
}

/// A one-line basic string (after its opening quote) and what follows its closing quote.
fn basic_string(body: &str) -> Option<(String, &str)> {
    // `"""` opens a multi-line string.
    if body.starts_with("\"\"") {
        return None;
    }
    // Most values hold no escape: one copy of the bytes up to the closing quote.
    let end = body.find(['"', '\\'])?;
    if body.as_bytes()[end] == b'"' {
        return Some((body[..end].to_string(), &body[end + 1..]));
    }
    let mut value = String::new();
    let mut characters = body.char_indices();
    while let Some((at, character)) = characters.next() {
        match character {
            '"' => return Some((value, &body[at + 1..])),
            '\\' => {
                let (_, escape) = characters.next()?;
                let unescaped = match escape {
                    'b' => '\u{8}',
                    't' => '\t',
                    'n' => '\n',
                    'f' => '\u{c}',
                    'r' => '\r',
                    '"' => '"',
                    '\\' => '\\',
                    'u' | 'U' => {
                        let digits = if escape == 'u' { 4 } else { 8 };
                        let mut code = 0u32;
                        for _ in 0..digits {
                            let (_, digit) = characters.next()?;
                            code = code * 16 + digit.to_digit(16)?;
                        }
                        char::from_u32(code)?
                    }
                    _ => return None,
                };
                value.push(unescaped);
            }
            _ => value.push(character),
        }
    }
    None
}

/// A one-line literal string (after its opening quote) and what follows its closing quote.
fn literal_string(body: &str) -> Option<(String, &str)> {
    // `'''` opens a multi-line literal string.
    if body.starts_with("''") {
        return None;
    }
    let end = body.find('\'')?;
    Some((body[..end].to_string(), &body[end + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the general TOML reader makes of `raw`'s entries, as `read_plain` gives them.
    fn by_toml(raw: &str) -> Vec<(usize, DocumentMeta)> {
        let mut table: toml::Table = toml::from_str(raw).expect("toml");
        let Some(toml::Value::Array(entries)) = table.remove("document") else {
            return Vec::new();
        };
        assert!(table.is_empty(), "nothing but [[document]]");
        let header_lines: Vec<usize> = raw
            .lines()
            .enumerate()
            .filter(|(_, line)| line.trim() == "[[document]]")
            .map(|(index, _)| index + 1)
            .collect();
        header_lines
            .into_iter()
            .zip(entries)
            .map(|(line, entry)| (line, entry.try_into().expect("an entry toml reads")))
            .collect()
    }

    #[test]
    fn the_bundled_manifest_reads_as_toml_reads_it() {
        let raw = include_str!("../corpus/manifest.toml");
        let plain = read_plain(raw).expect("the bundled manifest is plain");
        assert!(plain.len() >= 5);
        assert_eq!(plain, by_toml(raw));
    }

    #[test]
    fn escapes_literal_strings_comments_and_line_ends_read_as_toml_reads_them() {
        let raw = "# 合成\r\n\r\n[[document]]\r\nfile = \"a.txt\" # コメント\r\nmunicipality = '札幌市'\r\n\
                   title\t=\t\"題 \\\"引用\\\" \\\\ \\t \\u00e9 \\U0001F600 #じゃない\"\r\n\
                   doc_type = \"全項目評価書\"\r\nnote = ''\r\n\n[[document]]\n  file = \"b.txt\"\n\
                   municipality = \"機関名の記載なし\"\ntitle = \"t\"\ndoc_type = \"d\"\n\
                   municipality_code = \"011002\"\nprefecture = \"北海道\"\njimu = \"j\"\n\
                   date = \"令和6年1月1日\"\nnumber = \"1\"\nform = \"令和6年10月 様式4\"\n";
        let plain = read_plain(raw).expect("plain");
        assert_eq!(plain.len(), 2);
        assert_eq!(plain, by_toml(raw));
    }

    #[test]
    fn anything_but_plain_entries_is_left_to_the_toml_reader() {
        let entry = "[[document]]\nfile = \"a.txt\"\nmunicipality = \"m\"\ntitle = \"t\"\ndoc_type = \"d\"\n";
        assert!(read_plain(entry).is_some());
        for unusual in [
            "title2 = \"x\"\n",
            "file = \"again.txt\"\n",
            "note = \"\"\"\nmany\nlines\"\"\"\n",
            "note = '''x'''\n",
            "note = 3\n",
            "note = [\"x\"]\n",
            "note = \"\\x41\"\n",
            "note = \"\\uD800\"\n",
            "note = \"unclosed\n",
            "note = \"x\" y\n",
            "\"note\" = \"quoted key\"\n",
            "[other]\n",
            "[[ document ]]\n",
            "note = \"a\u{1}b\"\n",
        ] {
            assert!(
                read_plain(&format!("{entry}{unusual}")).is_none(),
                "{unusual:?} is left to the toml reader"
            );
        }
        assert!(read_plain(&format!("note = \"x\"\n{entry}")).is_none());
        assert!(read_plain(&format!("\u{feff}{entry}")).is_none());
        assert!(read_plain("[[document]]\nfile = \"a.txt\"\n").is_none());
    }
}
