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
        number: None,
        form: None,
        note: None,
    };
    hyoka::parse::parse_document(&meta, text).expect("fixture parses")
}

/// Sends a request to the router over the bundled corpus's index, without a socket; returns
/// the status, the headers and the body.
pub async fn send(
    request: axum::http::Request<axum::body::Body>,
) -> (axum::http::StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let index = std::sync::Arc::new(SearchIndex::open(index_path()).expect("index opens"));
    send_to(hyoka::http::AppState::new(index), request).await
}

/// [`send`] with a state of the caller's (other bounds, say).
pub async fn send_to(
    state: hyoka::http::AppState,
    request: axum::http::Request<axum::body::Body>,
) -> (axum::http::StatusCode, axum::http::HeaderMap, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let response = hyoka::http::app(state)
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

/// Ingests `corpus` into `index` (asserting it succeeds) and opens the index.
pub fn ingested(corpus: &Path, index: &Path) -> hyoka::search::SearchIndex {
    let output = run_ingest(corpus, index);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    hyoka::search::SearchIndex::open(index).expect("index opens")
}

/// Appends `[[document]]` entries to the manifest of a corpus folder.
pub fn append_to_manifest(corpus: &Path, entries: &str) {
    let path = corpus.join("manifest.toml");
    let mut manifest = std::fs::read_to_string(&path).expect("manifest");
    manifest.push_str(entries);
    std::fs::write(&path, manifest).expect("write manifest");
}

/// Percent-encodes a query-string value.
pub fn encoded(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// A `hyoka serve` process on a free loopback port; killed when dropped.
pub struct Server {
    child: std::process::Child,
    pub address: std::net::SocketAddr,
}

impl Server {
    /// Starts `hyoka serve` over `index` (built from `corpus` if there is none) and waits until
    /// it listens.
    pub fn start(index: &Path, corpus: &Path) -> Server {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hyoka"))
            .args(["serve", "--addr", "127.0.0.1:0", "--index"])
            .arg(index)
            .arg("--corpus")
            .arg(corpus)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("hyoka serve starts");
        let stderr = child.stderr.take().expect("stderr");
        let (sender, receiver) = std::sync::mpsc::channel();
        // Keep draining stderr for the server's whole life, so its logging never blocks.
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(rest) = line.split("serving on http://").nth(1) {
                    let _ = sender.send(rest.trim_end_matches('/').to_string());
                }
            }
        });
        let address = receiver
            .recv_timeout(std::time::Duration::from_secs(120))
            .expect("the server prints its address")
            .parse()
            .expect("a socket address");
        Server { child, address }
    }

    /// One HTTP/1.1 request on a new connection; the status and the body.
    pub fn request(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<&str>,
    ) -> std::io::Result<(u16, String)> {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(self.address)?;
        stream.set_read_timeout(Some(std::time::Duration::from_secs(60)))?;
        let body = body.unwrap_or("");
        write!(
            stream,
            "{method} {path_and_query} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.address,
            body.len()
        )?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response)?;
        let response = String::from_utf8_lossy(&response).into_owned();
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("no status line: {response:.80}")))?;
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.to_string())
            .unwrap_or_default();
        Ok((status, body))
    }

    /// `GET` returning JSON, panicking on anything but 200.
    pub fn get_json(&self, path_and_query: &str) -> serde_json::Value {
        let (status, body) = self
            .request("GET", path_and_query, None)
            .expect("the server answers");
        assert_eq!(status, 200, "{path_and_query}: {body}");
        serde_json::from_str(&body).expect("JSON")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The bundled corpus copied into `folder`, plus the 札幌市 document changed to carry `marker`
/// (a word found nowhere else) when one is given.
pub fn copy_corpus(folder: &Path, marker: Option<&str>) {
    std::fs::create_dir_all(folder).expect("create corpus folder");
    for entry in std::fs::read_dir(corpus_folder()).expect("bundled corpus") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), folder.join(entry.file_name())).expect("copy");
    }
    if let Some(marker) = marker {
        let name = "002_ac2772f135d57124.txt";
        let text = sample("002");
        let changed = text.replacen(
            "1 サーバ室は、",
            &format!("1 {marker}を行う。サーバ室は、"),
            1,
        );
        assert_ne!(changed, text, "the sample line to change moved");
        std::fs::write(folder.join(name), changed).expect("write");
    }
}

/// The rows of a CSV export (quoted cells may hold line breaks), its BOM dropped.
pub fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = String::from_utf8(bytes.to_vec()).expect("UTF-8");
    let text = text.trim_start_matches('\u{feff}');
    let mut rows = Vec::new();
    let (mut row, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        match (quoted, character) {
            (true, '"') if characters.peek() == Some(&'"') => {
                cell.push('"');
                characters.next();
            }
            (true, '"') => quoted = false,
            (true, other) => cell.push(other),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, other) => cell.push(other),
        }
    }
    rows
}

/// The sample whose file name starts with `prefix` in a corpus folder (a copy of the bundled one).
pub fn sample_file(corpus: &Path, prefix: &str) -> PathBuf {
    std::fs::read_dir(corpus)
        .expect("corpus")
        .filter_map(Result::ok)
        .find(|entry| entry.file_name().to_string_lossy().starts_with(prefix))
        .unwrap_or_else(|| panic!("no sample {prefix} in {}", corpus.display()))
        .path()
}

/// Writes a copy of the 札幌市 sample as `town` of `prefecture` (a real body: its code names
/// the file), the name replaced and, where given, one phrase edited (from, to), and lists it in
/// the manifest (once, dated `date` when given); returns the file's name.
pub fn write_town_copy(
    corpus: &Path,
    (town, prefecture): (&str, &str),
    edit: Option<(&str, &str)>,
    date: Option<&str>,
) -> String {
    let bodies = hyoka::bodies::LocalBodies::bundled();
    let body = bodies.by_name(town, Some(prefecture)).expect("a real town");
    let file = format!("{}.txt", body.code);
    let mut text = sample("002").replace("札幌市", town);
    if let Some((from, to)) = edit {
        let edited = text.replace(from, to);
        assert_ne!(edited, text, "the phrase to edit moved: {from}");
        text = edited;
    }
    let listed = std::fs::read_to_string(corpus.join("manifest.toml"))
        .expect("manifest")
        .contains(&format!("file = \"{file}\""));
    std::fs::write(corpus.join(&file), text).expect("write");
    if !listed {
        let dated = date
            .map(|date| format!("date = \"{date}\"\n"))
            .unwrap_or_default();
        append_to_manifest(
            corpus,
            &format!(
                "\n[[document]]\nfile = \"{file}\"\nmunicipality = \"{town}\"\nmunicipality_code = \"{}\"\nprefecture = \"{prefecture}\"\ntitle = \"住民基本台帳に関する事務 全項目評価書\"\ndoc_type = \"全項目評価書\"\njimu = \"住民基本台帳に関する事務\"\n{dated}",
                body.code
            ),
        );
    }
    file
}
