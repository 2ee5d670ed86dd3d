//! Tables kept as columns in one binary file: how a generation keeps the tables that hold
//! millions of values at national scale (the documents, the comparison table and its source),
//! written and read at the speed of copying memory rather than of printing and parsing JSON.
//!
//! A file is a header (what the table is and its layout's version) and then its columns one
//! after another, each a tag saying what it holds, its length and its values: numbers
//! little-endian, flags one byte each, strings as their lengths and then their bytes (optional
//! strings as a column of flags, given or not, and one of strings, empty where not given). The
//! reader is given the columns in the order the writer wrote them; a column of another kind,
//! a length past the end of the file, a string that is not UTF-8 or bytes left over is an
//! error naming the column, never a panic.

use std::io::{BufWriter, Write};
use std::path::Path;

/// What every such file starts with (then the table's own 8-byte kind and its version).
const MAGIC: &[u8; 8] = b"hyokacol";

const U32_COLUMN: u8 = 1;
const U64_COLUMN: u8 = 2;
const FLAG_COLUMN: u8 = 3;
const STRING_COLUMN: u8 = 4;

/// Writes a table's columns into a file, in the order its reader takes them.
pub struct ColumnWriter {
    file: BufWriter<std::fs::File>,
    /// Reused between columns: a column's values as bytes before they are written.
    bytes: Vec<u8>,
}

impl ColumnWriter {
    /// Creates the file at `path` for a table of `kind` in the layout `version`.
    pub fn create(path: &Path, kind: &[u8; 8], version: u32) -> std::io::Result<ColumnWriter> {
        let mut file = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
        file.write_all(MAGIC)?;
        file.write_all(kind)?;
        file.write_all(&version.to_le_bytes())?;
        Ok(ColumnWriter {
            file,
            bytes: Vec::new(),
        })
    }

    fn start(&mut self, tag: u8, length: usize) -> std::io::Result<()> {
        self.file.write_all(&[tag])?;
        self.file.write_all(&(length as u64).to_le_bytes())
    }

    /// A column of values of `N` bytes each.
    fn fixed<T, const N: usize>(
        &mut self,
        tag: u8,
        values: &[T],
        bytes_of: impl Fn(&T) -> [u8; N],
    ) -> std::io::Result<()> {
        self.start(tag, values.len())?;
        self.bytes.clear();
        self.bytes.extend(values.iter().flat_map(bytes_of));
        self.file.write_all(&self.bytes)
    }

    pub fn u32s(&mut self, values: &[u32]) -> std::io::Result<()> {
        self.fixed(U32_COLUMN, values, |value| value.to_le_bytes())
    }

    pub fn u64s(&mut self, values: &[u64]) -> std::io::Result<()> {
        self.fixed(U64_COLUMN, values, |value| value.to_le_bytes())
    }

    pub fn flags(&mut self, values: &[bool]) -> std::io::Result<()> {
        self.fixed(FLAG_COLUMN, values, |&value| [u8::from(value)])
    }

    /// Strings as their byte lengths (a column of numbers), then all their bytes.
    pub fn strings<'a>(
        &mut self,
        values: impl ExactSizeIterator<Item = &'a str> + Clone,
    ) -> std::io::Result<()> {
        self.start(STRING_COLUMN, values.len())?;
        self.bytes.clear();
        for value in values.clone() {
            let length = u32::try_from(value.len()).map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "a string of 4 GB or more cannot be kept in a table",
                )
            })?;
            self.bytes.extend_from_slice(&length.to_le_bytes());
        }
        self.file.write_all(&self.bytes)?;
        for value in values {
            self.file.write_all(value.as_bytes())?;
        }
        Ok(())
    }

    /// Optional strings: a column of flags (given or not), then one of strings ("" where not
    /// given).
    pub fn optional_strings<'a>(
        &mut self,
        values: impl ExactSizeIterator<Item = Option<&'a str>> + Clone,
    ) -> std::io::Result<()> {
        self.flags(
            &values
                .clone()
                .map(|value| value.is_some())
                .collect::<Vec<_>>(),
        )?;
        self.strings(values.map(Option::unwrap_or_default))
    }

    /// Flushes the file and syncs it to disk.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.file.flush()?;
        self.file.get_ref().sync_all()
    }
}

/// Reads a table's columns from the bytes of its file, in the order they were written.
pub struct ColumnReader {
    bytes: Vec<u8>,
    at: usize,
    /// How many columns were read, to name the one an error is about.
    column: usize,
}

impl ColumnReader {
    /// Reads the file at `path` whole; its table must be of `kind`. Gives the reader and the
    /// layout's version the file was written in.
    pub fn open(path: &Path, kind: &[u8; 8]) -> std::io::Result<(ColumnReader, u32)> {
        let bytes = std::fs::read(path)?;
        let header = MAGIC.len() + kind.len() + 4;
        if bytes.len() < header || &bytes[..MAGIC.len()] != MAGIC {
            return Err(invalid(
                "it is not a table of hyoka's (its header is missing)",
            ));
        }
        if &bytes[MAGIC.len()..MAGIC.len() + kind.len()] != kind {
            return Err(invalid(format!(
                "it holds another table ({}), not {}",
                String::from_utf8_lossy(&bytes[MAGIC.len()..MAGIC.len() + kind.len()]),
                String::from_utf8_lossy(kind)
            )));
        }
        let version = u32::from_le_bytes(
            bytes[header - 4..header]
                .try_into()
                .expect("four bytes checked above"),
        );
        let reader = ColumnReader {
            bytes,
            at: header,
            column: 0,
        };
        Ok((reader, version))
    }

    fn error(&self, detail: impl std::fmt::Display) -> std::io::Error {
        invalid(format!("column {}: {detail}", self.column))
    }

    /// The next `length` bytes.
    fn take(&mut self, length: usize) -> std::io::Result<&[u8]> {
        let end = self
            .at
            .checked_add(length)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| self.error("it runs past the end of the file (cut short?)"))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    /// Starts the next column, which must be of `tag`; gives its length.
    fn start(&mut self, tag: u8, width: usize) -> std::io::Result<usize> {
        self.column += 1;
        let header = self.take(9)?;
        let (found, length) = (header[0], &header[1..]);
        let length = u64::from_le_bytes(length.try_into().expect("eight bytes taken"));
        if found != tag {
            return Err(self.error(format!("it holds kind {found}, not {tag}")));
        }
        usize::try_from(length)
            .ok()
            .filter(|length| length.checked_mul(width).is_some())
            .ok_or_else(|| self.error(format!("its length {length} is impossible")))
    }

    /// A column of values of `N` bytes each.
    fn fixed<T, const N: usize>(
        &mut self,
        tag: u8,
        value_of: impl Fn([u8; N]) -> T,
    ) -> std::io::Result<Vec<T>> {
        let length = self.start(tag, N)?;
        let bytes = self.take(length * N)?;
        Ok(bytes
            .chunks_exact(N)
            .map(|chunk| value_of(chunk.try_into().expect("N bytes a chunk")))
            .collect())
    }

    pub fn u32s(&mut self) -> std::io::Result<Vec<u32>> {
        self.fixed(U32_COLUMN, u32::from_le_bytes)
    }

    pub fn u64s(&mut self) -> std::io::Result<Vec<u64>> {
        self.fixed(U64_COLUMN, u64::from_le_bytes)
    }

    pub fn flags(&mut self) -> std::io::Result<Vec<bool>> {
        self.fixed(FLAG_COLUMN, |[byte]| byte != 0)
    }

    pub fn strings(&mut self) -> std::io::Result<Vec<String>> {
        let count = self.start(STRING_COLUMN, 4)?;
        let lengths: Vec<usize> = self
            .take(count * 4)?
            .chunks_exact(4)
            .map(|chunk| u32::from_le_bytes(chunk.try_into().expect("four bytes")) as usize)
            .collect();
        let total = lengths
            .iter()
            .try_fold(0usize, |total, &length| total.checked_add(length))
            .ok_or_else(|| self.error("its strings' lengths overflow"))?;
        let column = self.column;
        let text = std::str::from_utf8(self.take(total)?)
            .map_err(|error| invalid(format!("column {column}: not UTF-8 ({error})")))?;
        let mut strings = Vec::with_capacity(count);
        let mut start = 0;
        for length in lengths {
            let end = start + length;
            let Some(string) = text.get(start..end) else {
                return Err(invalid(format!(
                    "column {column}: string {} splits a character",
                    strings.len()
                )));
            };
            strings.push(string.to_string());
            start = end;
        }
        Ok(strings)
    }

    /// Optional strings as [`ColumnWriter::optional_strings`] wrote them.
    pub fn optional_strings(&mut self) -> std::io::Result<Vec<Option<String>>> {
        let given = self.flags()?;
        let values = self.strings()?;
        if given.len() != values.len() {
            return Err(self.error("its flags and strings differ in number"));
        }
        Ok(given
            .into_iter()
            .zip(values)
            .map(|(given, value)| given.then_some(value))
            .collect())
    }

    /// Ends reading: every byte of the file must have been read.
    pub fn finish(self) -> std::io::Result<()> {
        if self.at != self.bytes.len() {
            return Err(invalid(format!(
                "{} bytes follow its last column",
                self.bytes.len() - self.at
            )));
        }
        Ok(())
    }
}

fn invalid(detail: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, detail.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KIND: &[u8; 8] = b"testtabl";

    fn written(path: &Path) {
        let mut writer = ColumnWriter::create(path, KIND, 7).expect("create");
        writer.u32s(&[0, 1, u32::MAX]).expect("u32s");
        writer.u64s(&[u64::MAX, 42]).expect("u64s");
        writer.flags(&[true, false, true]).expect("flags");
        let strings = ["", "札幌市", "III.7.R1.5", "個人情報の漏えい"];
        writer.strings(strings.iter().copied()).expect("strings");
        writer.u32s(&[]).expect("empty");
        let optional = [Some("北海道"), None, Some("")];
        writer
            .optional_strings(optional.iter().copied())
            .expect("optional strings");
        writer.finish().expect("finish");
    }

    /// Reads the columns `written` wrote, in order.
    fn every_column_read(reader: &mut ColumnReader) -> std::io::Result<()> {
        reader.u32s()?;
        reader.u64s()?;
        reader.flags()?;
        reader.strings()?;
        reader.u32s()?;
        reader.optional_strings()?;
        Ok(())
    }

    #[test]
    fn columns_read_back_as_written() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let path = folder.path().join("table");
        written(&path);
        let (mut reader, version) = ColumnReader::open(&path, KIND).expect("open");
        assert_eq!(version, 7);
        assert_eq!(reader.u32s().expect("u32s"), vec![0, 1, u32::MAX]);
        assert_eq!(reader.u64s().expect("u64s"), vec![u64::MAX, 42]);
        assert_eq!(reader.flags().expect("flags"), vec![true, false, true]);
        assert_eq!(
            reader.strings().expect("strings"),
            vec!["", "札幌市", "III.7.R1.5", "個人情報の漏えい"]
        );
        assert_eq!(reader.u32s().expect("empty"), Vec::<u32>::new());
        assert_eq!(
            reader.optional_strings().expect("optional strings"),
            vec![Some("北海道".to_string()), None, Some(String::new())]
        );
        reader.finish().expect("nothing left over");
    }

    #[test]
    fn a_damaged_file_is_an_error_naming_what_is_wrong_never_a_panic() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let path = folder.path().join("table");
        written(&path);
        let whole = std::fs::read(&path).expect("read");

        // Another table's file.
        let error = ColumnReader::open(&path, b"othertab")
            .err()
            .expect("refused");
        assert!(error.to_string().contains("another table"), "{error}");

        // Columns read in another order than written.
        let (mut reader, _) = ColumnReader::open(&path, KIND).expect("open");
        let error = reader.u64s().expect_err("a u32 column read as u64");
        assert!(error.to_string().contains("column 1"), "{error}");

        // Cut short at every length: an error at some column, never a panic.
        for cut in 0..whole.len() {
            std::fs::write(&path, &whole[..cut]).expect("write");
            let read = ColumnReader::open(&path, KIND).and_then(|(mut reader, _)| {
                every_column_read(&mut reader)?;
                reader.finish()
            });
            assert!(read.is_err(), "cut at {cut} of {} read whole", whole.len());
        }

        // A string split inside a character (bytes of 札 moved to the next string).
        let mut split = whole.clone();
        let lengths_at = whole
            .windows(3)
            .position(|window| window == "札".as_bytes())
            .expect("the string's bytes")
            - 16;
        split[lengths_at + 4..lengths_at + 8].copy_from_slice(&1u32.to_le_bytes());
        split[lengths_at + 8..lengths_at + 12].copy_from_slice(&(9 + 10 - 1u32).to_le_bytes());
        std::fs::write(&path, &split).expect("write");
        let (mut reader, _) = ColumnReader::open(&path, KIND).expect("open");
        reader.u32s().expect("u32s");
        reader.u64s().expect("u64s");
        reader.flags().expect("flags");
        let error = reader.strings().expect_err("a split character");
        assert!(error.to_string().contains("splits a character"), "{error}");

        // Bytes after the last column.
        let mut longer = whole;
        longer.push(0);
        std::fs::write(&path, &longer).expect("write");
        let (mut reader, _) = ColumnReader::open(&path, KIND).expect("open");
        every_column_read(&mut reader).expect("every column");
        let error = reader.finish().expect_err("a byte left over");
        assert!(error.to_string().contains("1 bytes follow"), "{error}");
    }
}
