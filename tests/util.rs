//! Fixtures: the bundled corpus, one index built from it per test run, sentences taken from
//! the sample documents.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hyoka::search::SearchIndex;

/// The bundled corpus folder.
pub fn corpus_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// The text of a sample document, by the start of its file name (`"002"`).
pub fn sample(prefix: &str) -> String {
    let folder = corpus_folder();
    let entry = std::fs::read_dir(&folder)
        .expect("corpus folder exists")
        .filter_map(Result::ok)
        .find(|entry| entry.file_name().to_string_lossy().starts_with(prefix))
        .unwrap_or_else(|| panic!("no sample starting with {prefix}"));
    std::fs::read_to_string(entry.path()).expect("sample is UTF-8")
}

/// The sentence of a sample document that contains `needle`: from the previous 。 or line
/// start to the next 。 — so tests use the documents' own wording, not a copy of it.
pub fn sentence_containing(prefix: &str, needle: &str) -> String {
    let text = sample(prefix);
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in sample {prefix}"));
    let start = text[..at]
        .rfind(['。', '\n', '\t', '>'])
        .map(|position| {
            position
                + text[position..]
                    .chars()
                    .next()
                    .map(char::len_utf8)
                    .unwrap_or(1)
        })
        .unwrap_or(0);
    let end = text[at..]
        .find(['。', '\n', '\t', '<'])
        .map(|position| {
            let position = at + position;
            if text[position..].starts_with('。') {
                position + '。'.len_utf8()
            } else {
                position
            }
        })
        .unwrap_or(text.len());
    text[start..end].trim().to_string()
}

struct BuiltIndex {
    _folder: tempfile::TempDir,
    index: SearchIndex,
    path: PathBuf,
}

fn built() -> &'static BuiltIndex {
    static BUILT: OnceLock<BuiltIndex> = OnceLock::new();
    BUILT.get_or_init(|| {
        let folder = tempfile::tempdir().expect("temporary folder");
        let path = folder.path().join("index");
        hyoka::ingest::ingest(&corpus_folder(), &path, 1, |_| {})
            .expect("the bundled corpus ingests");
        let index = SearchIndex::open(&path).expect("the built index opens");
        BuiltIndex {
            _folder: folder,
            index,
            path,
        }
    })
}

/// The index of the bundled corpus, built once per test run.
pub fn index() -> &'static SearchIndex {
    &built().index
}

/// Where that index lives, for the CLI tests.
pub fn index_path() -> &'static Path {
    &built().path
}
