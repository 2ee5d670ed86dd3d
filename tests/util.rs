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

/// A small document made of real lines of a sample: for each needle, the first line (after the
/// previous pick) that contains it, in order. Tests build minimal inputs from the documents'
/// own text this way.
pub fn lines_from(prefix: &str, needles: &[&str]) -> String {
    let text = sample(prefix);
    let lines: Vec<&str> = text.lines().collect();
    let mut picked = Vec::new();
    let mut from = 0;
    for needle in needles {
        let offset = lines[from..]
            .iter()
            .position(|line| line.contains(needle))
            .unwrap_or_else(|| {
                panic!("no line with {needle:?} in sample {prefix} after line {from}")
            });
        picked.push(lines[from + offset]);
        from += offset + 1;
    }
    picked.join("\n")
}

/// Parses a text as a document of `municipality`.
pub fn parse_text(text: &str, municipality: &str) -> Vec<hyoka::record::Record> {
    let meta = hyoka::corpus::DocumentMeta {
        file: "fixture.txt".to_string(),
        municipality: municipality.to_string(),
        municipality_code: None,
        prefecture: None,
        title: "fixture".to_string(),
        doc_type: "全項目評価書".to_string(),
        jimu: None,
        date: None,
        note: None,
    };
    hyoka::parse::parse_document(&meta, text).expect("fixture parses")
}

/// Sends a request to the router over the bundled corpus's index, without a socket; returns
/// the status, the headers and the body.
pub async fn send(
    request: axum::http::Request<axum::body::Body>,
) -> (axum::http::StatusCode, axum::http::HeaderMap, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let index = std::sync::Arc::new(SearchIndex::open(index_path()).expect("index opens"));
    let response = hyoka::http::app(hyoka::http::AppState::new(index))
        .oneshot(request)
        .await
        .expect("router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    (status, headers, bytes)
}

/// `hyoka ingest --corpus … --index …` run as a process.
pub fn run_ingest(corpus: &Path, index: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_hyoka"))
        .args([
            "ingest",
            "--corpus",
            corpus.to_str().expect("utf-8"),
            "--index",
            index.to_str().expect("utf-8"),
        ])
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}
