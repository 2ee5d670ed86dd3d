//! The `hyoka` command run as a process.

use std::path::Path;
use std::process::{Command, Output};

use crate::util::{corpus_folder, index_path, run_ingest};

fn hyoka(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hyoka"))
        .args(arguments)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

#[test]
fn a_broken_query_exits_non_zero_with_one_line() {
    let index = index_path().to_str().expect("utf-8 path");
    let output = hyoka(&["search", "(\"", "--index", index]);
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("unclosed quote"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn search_json_returns_sapporo_hits_for_biometric_authentication() {
    let index = index_path().to_str().expect("utf-8 path");
    let output = hyoka(&["search", "生体認証", "--json", "--index", index]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let response: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    let hits = response["hits"].as_array().expect("hits");
    assert!(hits.iter().any(|hit| hit["municipality"] == "札幌市"));
    for key in [
        "id",
        "municipality",
        "doc_title",
        "slot",
        "slot_label",
        "file_name",
        "text",
        "snippet",
        "score",
    ] {
        assert!(hits[0].get(key).is_some(), "hit lacks {key}");
    }
    assert!(response["total"].as_u64().unwrap_or(0) >= hits.len() as u64);
}

#[test]
fn every_command_has_help() {
    for command in [
        vec!["--help"],
        vec!["ingest", "--help"],
        vec!["search", "--help"],
        vec!["parse", "--help"],
        vec!["serve", "--help"],
    ] {
        let output = hyoka(&command);
        assert!(output.status.success(), "{command:?}");
        let help = text(&output.stdout);
        assert!(help.contains("Usage"), "{command:?}");
        // Staff read it: a Japanese summary of each command and examples.
        assert!(
            help.contains("例:") && help.contains("hyoka "),
            "{command:?}: {help}"
        );
        let summaries = [
            "索引を作る",
            "索引を検索する",
            "記載を表示する",
            "画面と API を提供する",
        ];
        let japanese = summaries
            .iter()
            .filter(|summary| help.contains(*summary))
            .count();
        assert!(japanese >= 1, "{command:?}: {help}");
    }
    let serve = text(&hyoka(&["serve", "--help"]).stdout);
    assert!(serve.contains("--corpus は、索引がまだないとき"), "{serve}");
}

#[test]
fn serve_on_a_taken_port_fails_at_once_without_building_the_index() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let address = taken.local_addr().expect("its address").to_string();
    let index = tempfile::tempdir().expect("temp dir");
    let folder = index.path().join("index");
    let corpus = crate::util::corpus_folder();
    let started = std::time::Instant::now();
    let output = hyoka(&[
        "serve",
        "--addr",
        &address,
        "--index",
        folder.to_str().expect("utf-8 path"),
        "--corpus",
        corpus.to_str().expect("utf-8 path"),
    ]);
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on {address}")),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was indexed"), "{stderr}");
    assert!(!stderr.contains("building it"), "{stderr}");
    assert!(
        hyoka::index::current_generation(&folder).is_none(),
        "an index was built"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn ingest_reports_records_per_document_and_throughput() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let index = folder.path().join("index");
    let corpus = corpus_folder();
    let output = run_ingest(&corpus, &index);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("002_ac2772f135d57124.txt"));
    assert!(stdout.contains("MB/秒"), "{stdout}");
    assert!(
        stdout.contains("5 文書を読み、索引には 379 件の記載があります"),
        "{stdout}"
    );
    // The bundled documents read whole: nothing a reader would notice as lost.
    assert!(!stdout.contains("注意:"), "{stdout}");
    // The header names every column in Japanese, the 評価書番号 among them.
    let header = stdout.lines().next().expect("a header");
    assert!(
        header.starts_with("ファイル") && header.contains("評価書番号"),
        "{header}"
    );
}

#[test]
fn a_folder_without_manifest_is_ingested_with_bad_files_reported() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let corpus = folder.path().join("drop");
    std::fs::create_dir(&corpus).expect("create folder");
    // A real document re-encoded as Shift_JIS, as older systems export it.
    let sapporo = crate::util::sample("002");
    let (shift_jis, _, _) = encoding_rs::SHIFT_JIS.encode(&sapporo);
    std::fs::write(corpus.join("sapporo_sjis.txt"), &shift_jis).expect("write");
    std::fs::write(corpus.join("empty.txt"), b"").expect("write");
    std::fs::write(corpus.join("scan.txt"), b"%PDF-1.7\x00\x00\x01binary").expect("write");
    let index = folder.path().join("index");
    let output = run_ingest(&corpus, &index);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("Shift_JIS"), "{stdout}");
    assert!(
        stdout.contains("札幌市"),
        "body inferred from the text: {stdout}"
    );
    assert!(
        stdout.contains("読み込まなかった文書: empty.txt: 空のファイルです"),
        "{stdout}"
    );
    assert!(
        stdout.contains("読み込まなかった文書: scan.txt") && stdout.contains("バイナリ"),
        "{stdout}"
    );

    let search = hyoka(&[
        "search",
        "生体認証",
        "--json",
        "--index",
        index.to_str().expect("utf-8"),
    ]);
    let response: serde_json::Value = serde_json::from_slice(&search.stdout).expect("JSON");
    assert!(response["total"].as_u64().unwrap_or(0) > 0);
}

#[test]
fn a_failed_ingest_keeps_the_previous_index() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let index = folder.path().join("index");
    let index_arg = index.to_str().expect("utf-8");
    let corpus = corpus_folder();
    assert!(
        hyoka(&[
            "ingest",
            "--corpus",
            corpus.to_str().expect("utf-8"),
            "--index",
            index_arg
        ])
        .status
        .success()
    );
    let before = std::fs::read_to_string(index.join("CURRENT")).expect("CURRENT written");

    let empty = folder.path().join("nothing");
    std::fs::create_dir(&empty).expect("create folder");
    std::fs::write(empty.join("junk.txt"), "hello\n").expect("write");
    let output = hyoka(&[
        "ingest",
        "--corpus",
        empty.to_str().expect("utf-8"),
        "--index",
        index_arg,
    ]);
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("前の索引はそのままです"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(index.join("CURRENT")).expect("CURRENT kept"),
        before
    );
    let search = hyoka(&["search", "生体認証", "--index", index_arg]);
    assert!(search.status.success());
}

#[test]
fn parse_takes_the_body_from_the_manifest_beside_the_file() {
    let file = corpus_folder().join("002_ac2772f135d57124.txt");
    let output = hyoka(&["parse", file.to_str().expect("utf-8"), "--json"]);
    assert!(output.status.success());
    let first_line = text(&output.stdout)
        .lines()
        .next()
        .map(str::to_string)
        .expect("a record");
    let record: serde_json::Value = serde_json::from_str(&first_line).expect("JSON record");
    assert_eq!(record["municipality"], "札幌市");
    assert_eq!(record["municipality_code"], "011002");
}

#[test]
fn parse_of_a_missing_file_names_it() {
    let output = hyoka(&[
        "parse",
        Path::new("no/such/file.txt").to_str().expect("utf-8"),
    ]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("no/such/file.txt"));
}

#[test]
fn a_reader_that_closes_the_pipe_early_ends_the_command_quietly() {
    use std::io::Read;
    let sample = corpus_folder().join("002_ac2772f135d57124.txt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_hyoka"))
        .args(["parse", sample.to_str().expect("utf-8 path")])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // Read one record's worth (like `| head -c 100`), then hang up.
    let mut first_bytes = [0_u8; 100];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut first_bytes)
        .expect("output starts");
    let output = child.wait_with_output().expect("the command ends");
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn search_narrows_to_one_jimu_and_one_kind_of_body_on_the_command_line() {
    let index = index_path().to_str().expect("utf-8 path");
    let bodies_of = |extra: &[&str]| -> std::collections::BTreeSet<String> {
        let mut arguments = vec![
            "search",
            "生体認証",
            "--json",
            "--limit",
            "100",
            "--index",
            index,
        ];
        arguments.extend_from_slice(extra);
        let output = hyoka(&arguments);
        assert!(output.status.success(), "{}", text(&output.stderr));
        let response: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("JSON on stdout");
        response["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|hit| hit["municipality"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(
        bodies_of(&["--jimu", "住基ネット本人確認情報"]),
        ["熊本県".to_string()].into()
    );
    let wards = bodies_of(&["--body-kind", "特別区"]);
    assert_eq!(wards, ["豊島区".to_string()].into());
    // Folded by default: the summary counts records, wordings and bodies.
    let output = hyoka(&["search", "生体認証", "--index", index]);
    assert!(
        text(&output.stdout).contains("通りの文言"),
        "{}",
        text(&output.stdout)
    );
}

/// `hyoka ingest` on a folder unchanged since the live index was built does nothing and says so;
/// a changed file, or `--force`, reads the folder again.
#[test]
fn ingest_of_an_unchanged_folder_does_no_work() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let corpus = folder.path().join("corpus");
    crate::util::copy_corpus(&corpus, None);
    let index = folder.path().join("index");
    let ingest = |extra: &[&str]| {
        let mut arguments = vec![
            "ingest",
            "--corpus",
            corpus.to_str().expect("utf-8"),
            "--index",
            index.to_str().expect("utf-8"),
        ];
        arguments.extend_from_slice(extra);
        let output = hyoka(&arguments);
        assert!(output.status.success(), "{}", text(&output.stderr));
        let current = std::fs::read_to_string(index.join("CURRENT")).expect("CURRENT");
        (text(&output.stdout), current)
    };
    let (_, first) = ingest(&[]);
    let (said, second) = ingest(&[]);
    assert_eq!(first, second, "no new generation");
    assert!(
        said.contains("変わっていないので、索引はそのままです"),
        "{said}"
    );
    let (said, forced) = ingest(&["--force"]);
    assert_ne!(forced, second, "{said}");
    // A document changed (its size): read again.
    let sample = crate::util::sample_file(&corpus, "000_");
    let mut text_of_sample = std::fs::read_to_string(&sample).expect("sample");
    text_of_sample.push('\n');
    std::fs::write(&sample, text_of_sample).expect("write");
    let (said, changed) = ingest(&[]);
    assert_ne!(changed, forced, "{said}");
    // Only that document is read again; the others are taken over as they were.
    assert!(
        said.contains("新しい文書 0 件と変わった文書 1 件を読み")
            && said.contains("変わっていない 4 文書はそのまま"),
        "{said}"
    );
    assert!(
        said.contains("1 文書を読み、索引には 379 件の記載があります"),
        "{said}"
    );
}

#[test]
fn an_index_with_tables_written_as_json_is_refused_with_what_to_do_and_built_whole_again() {
    // A generation as hyoka wrote it before its tables were kept as columns.
    an_older_generation_is_refused_with_what_to_do_and_built_whole_again(|live| {
        std::fs::rename(
            live.join(hyoka::document::DOCUMENTS_FILE),
            live.join("documents.json"),
        )
        .expect("rename");
    });
}

#[test]
fn an_index_of_an_earlier_layout_is_refused_with_what_to_do_and_built_whole_again() {
    // A generation as hyoka wrote it before bodies of one name were filed apart: no layout.
    an_older_generation_is_refused_with_what_to_do_and_built_whole_again(|live| {
        std::fs::remove_file(live.join(hyoka::index::LAYOUT_FILE)).expect("remove");
    });
}

/// Builds the bundled corpus, makes its live generation older with `make_older`, and checks
/// that a search refuses it saying what to do and that an ingest builds it whole again.
fn an_older_generation_is_refused_with_what_to_do_and_built_whole_again(
    make_older: impl Fn(&std::path::Path),
) {
    let folder = tempfile::tempdir().expect("temporary folder");
    let index = folder.path().join("index");
    let index_arg = index.to_str().expect("utf-8");
    let corpus = corpus_folder();
    let corpus_arg = corpus.to_str().expect("utf-8");
    let ingest = || hyoka(&["ingest", "--corpus", corpus_arg, "--index", index_arg]);
    assert!(ingest().status.success());
    let live = index.join(
        std::fs::read_to_string(index.join("CURRENT"))
            .expect("CURRENT written")
            .trim(),
    );
    make_older(&live);
    // Written by that other hyoka, as its fingerprint of the folder and its sources table say
    // (each names the build that read the folder).
    std::fs::write(
        live.join(hyoka::index::FINGERPRINT_FILE),
        "0000000000000000 7 files",
    )
    .expect("write");
    let sources = live.join(hyoka::index::SOURCES_FILE);
    let mut table: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sources).expect("sources")).expect("JSON");
    table["reader"] = serde_json::Value::from("0.0.9 an older build");
    std::fs::write(&sources, table.to_string()).expect("write");

    let search = hyoka(&["search", "生体認証", "--index", index_arg]);
    assert!(!search.status.success());
    let stderr = text(&search.stderr);
    assert!(stderr.contains("earlier version of hyoka"), "{stderr}");
    assert!(stderr.contains("hyoka ingest"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let again = ingest();
    assert!(again.status.success(), "{}", text(&again.stderr));
    let report = text(&again.stdout) + &text(&again.stderr);
    // Whole, for whichever reason it meets first (no tables to update from, another reader).
    assert!(
        report.contains("すべての文書を読みました")
            || report.contains("すべての文書を読み直しました"),
        "{report}"
    );
    let search = hyoka(&["search", "生体認証", "--index", index_arg]);
    assert!(search.status.success(), "{}", text(&search.stderr));
}

#[test]
fn a_damaged_comparison_table_is_named_once_with_its_column_and_what_to_do() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let index = folder.path().join("index");
    let index_arg = index.to_str().expect("utf-8");
    let corpus = corpus_folder();
    let ingest = hyoka(&[
        "ingest",
        "--corpus",
        corpus.to_str().expect("utf-8"),
        "--index",
        index_arg,
    ]);
    assert!(ingest.status.success());
    let live = index.join(
        std::fs::read_to_string(index.join("CURRENT"))
            .expect("CURRENT written")
            .trim(),
    );
    let table = live.join(hyoka::compare::table::TABLE_FILE);
    let whole = std::fs::read(&table).expect("the table");
    std::fs::write(&table, &whole[..whole.len() / 2]).expect("cut short");

    let search = hyoka(&["search", "施錠", "--index", index_arg]);
    assert!(!search.status.success());
    let stderr = text(&search.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(hyoka::compare::table::TABLE_FILE),
        "{stderr}"
    );
    assert!(stderr.contains("column"), "{stderr}");
    assert!(stderr.contains("hyoka ingest"), "{stderr}");
    // Each cause once, though the errors name their cause in their own words too.
    assert_eq!(
        stderr.matches("not a comparison table").count(),
        1,
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
