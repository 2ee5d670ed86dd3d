//! All integration tests, built as one binary.
//!
//! Golden snapshots live in `tests/snapshots/`; after an intended change, review and accept them
//! with `INSTA_UPDATE=always cargo test` (or `cargo insta review`), then read the diff.

mod util;

// Japanese analysis and query building on real sentences.
mod analysis_golden;
mod query_golden;
// Parsing the sample documents into records.
mod parse_golden;
// One test per kind of extraction damage.
mod damage;
// The same documents in other layouts.
mod layouts;
// PDFs printed by two producers, old fonts, bad PDFs.
mod pdf;
// Damaged PDFs rebuilt from their objects, as viewers rebuild them.
mod pdf_repair;
// The three kinds of 評価書 in one comparison.
mod kinds;
// Documents with versions, 事務, peers, wordings folded and grouped.
mod national;
// Drafting by example: hints, precedents, the workspace.
mod draft;
// Searching the bundled corpus through the library.
mod search;
// Search quality on the judged queries of data/relevance.toml.
mod relevance;
// The command line, run as a process.
mod cli;
// Bad documents and manifests: named, skipped, the rest indexed.
mod bad_input;
// The HTTP API, through the router without a socket.
mod api;
mod http;
// Reading and citing: deletions, answers per body, record pages, the spreadsheet, Japanese.
mod trust;
// Request edges: limits as JSON, foreign hosts, invisible characters.
mod edges;
// Headers, bounds, traversal, formula injection.
mod security;
// Real processes: ingest killed at many moments, load while the index swaps.
mod reliability;
// Updating an index in place: the same answers as an index built whole.
mod update;
// Generated input: damaged documents, arbitrary bytes, queries and text.
mod properties;

/// With `autotests = false` a file in tests/ that is not listed above is never compiled and its
/// tests never run: every one must be a module of this binary.
#[test]
fn every_test_file_is_compiled_into_this_binary() {
    let listed = include_str!("tests.rs");
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&folder).expect("tests/ reads") {
        let path = entry.expect("an entry").path();
        let Some(name) = path.file_stem().and_then(|stem| stem.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|extension| extension == "rs")
            && name != "tests"
            && !listed
                .lines()
                .any(|line| line.trim() == format!("mod {name};"))
        {
            missing.push(name.to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "tests/*.rs not listed in tests/tests.rs: {missing:?}"
    );
}
