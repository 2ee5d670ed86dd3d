//! Benchmarks that print figures (none is a timed test; see BENCHMARKS.md for the runs):
//!
//!   cargo bench --bench figures -- tokenize [--corpus DIR]
//!   cargo bench --bench figures -- ingest --corpus DIR [--threads N] [--index DIR]
//!   cargo bench --bench figures -- update --corpus DIR [--documents N] [--index DIR] [--check yes]
//!   cargo bench --bench figures -- query --index DIR [--iterations N] [--class PREFIX] [--as-typed both]
//!   cargo bench --bench figures -- relevance [--index DIR] [--judgments FILE]
//!   cargo bench --bench figures -- http --addr HOST:PORT [--clients N] [--seconds S] [--pid PID] [--mixed-only yes]
//!   cargo bench --bench figures -- groonga --index DIR --db DIR [--tokenizer TokenMecab] [--iterations N]
//!   cargo bench --bench figures -- pdf [--folder tests/fixtures/pdf] [--rounds N] [--threads N]
//!   cargo bench --bench figures -- cold --index DIR [--port N] [--repeats N]
//!
//! `query` runs in process, one warm-up pass then N timed passes per query class; `http` is a
//! bounded loopback load of keep-alive connections against a running `hyoka serve`, one query
//! class at a time, then the mixed load, reporting p50/p95/p99, queries per second, errors and
//! the server's RSS. `groonga` loads the records of a hyoka index into Groonga (installed by
//! `scripts/groonga-setup`), then runs the same queries through both servers over loopback and
//! prints build time, index size, p50/p99 and the overlap of the top ten, as ratios. `cold` starts
//! `hyoka serve` afresh for each endpoint and prints its first request against its warm p50.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn main() {
    let mut given: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| arg != "--bench")
        .collect();
    if given.is_empty() {
        eprintln!(
            "figures: tokenize | ingest | update | query | relevance | http | groonga | pdf | cold (see the file's header)"
        );
        std::process::exit(2);
    }
    let command = given.remove(0);
    let options = Options::parse(&given);
    match command.as_str() {
        "tokenize" => tokenize(&options),
        "ingest" => ingest(&options),
        "update" => update(&options),
        "query" => query(&options),
        "relevance" => relevance(&options),
        "http" => http(&options),
        "groonga" => groonga(&options),
        "pdf" => pdf(&options),
        "cold" => cold(&options),
        other => {
            eprintln!("figures: unknown command {other}");
            std::process::exit(2);
        }
    }
}

/// PDF reading: pages per second of each PDF in a folder (read into text, tables rebuilt),
/// one thread, best of N rounds, and the time to parse the text into records.
fn pdf(options: &Options) {
    let folder = options.path("folder", "tests/fixtures/pdf");
    let rounds = options.number("rounds", 5).max(1);
    let mut names: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "pdf"))
        .collect();
    names.sort();
    println!("file                      pages   bytes    read ms  pages/s  parse ms  records");
    let (mut all_pages, mut all_seconds) = (0usize, 0f64);
    let mut files = Vec::new();
    for path in names {
        let bytes = std::fs::read(&path).expect("read");
        let mut best = f64::MAX;
        let mut read = None;
        for _ in 0..rounds {
            let started = Instant::now();
            let result = hyoka::pdf::read_pdf(&bytes).expect("a readable PDF");
            best = best.min(started.elapsed().as_secs_f64());
            read = Some(result);
        }
        let read = read.expect("one round");
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let meta = hyoka::corpus::infer_meta(name.clone(), &read.text);
        let started = Instant::now();
        let records = hyoka::parse::parse_document(&meta, &read.text).expect("parses");
        let parse = started.elapsed().as_secs_f64();
        all_pages += read.pages;
        all_seconds += best;
        println!(
            "{name:<24} {:>6} {:>7} {:>10.1} {:>8.1} {:>9.1} {:>8}",
            read.pages,
            bytes.len(),
            best * 1000.0,
            read.pages as f64 / best,
            parse * 1000.0,
            records.len()
        );
        files.push(bytes);
    }
    println!(
        "all: {all_pages} pages in {:.1} ms = {:.1} pages/s (one thread, best of {rounds})",
        all_seconds * 1000.0,
        all_pages as f64 / all_seconds
    );
    pdf_on_threads(&files, options.number("threads", 2).max(1), rounds);
}

/// Every file read `rounds` times by `threads` threads taking the next file as they finish
/// one, as an ingest's workers do: pages per second of wall time.
fn pdf_on_threads(files: &[Vec<u8>], threads: usize, rounds: usize) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let pages = AtomicUsize::new(0);
    let work = files.len() * rounds;
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let taken = next.fetch_add(1, Ordering::Relaxed);
                    if taken >= work {
                        break;
                    }
                    let read =
                        hyoka::pdf::read_pdf(&files[taken % files.len()]).expect("a readable PDF");
                    pages.fetch_add(read.pages, Ordering::Relaxed);
                }
            });
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    let pages = pages.into_inner();
    println!(
        "all on {threads} threads: {pages} pages ({rounds} rounds) in {:.1} ms = {:.1} pages/s",
        seconds * 1000.0,
        pages as f64 / seconds
    );
}

struct Options(BTreeMap<String, String>);

impl Options {
    fn parse(given: &[String]) -> Options {
        let mut options = BTreeMap::new();
        let mut arguments = given.iter();
        while let Some(name) = arguments.next() {
            let Some(name) = name.strip_prefix("--") else {
                eprintln!("figures: expected --name value, got {name}");
                std::process::exit(2);
            };
            let value = arguments.next().cloned().unwrap_or_default();
            options.insert(name.to_string(), value);
        }
        Options(options)
    }

    fn path(&self, name: &str, default: &str) -> PathBuf {
        PathBuf::from(self.0.get(name).map_or(default, String::as_str))
    }

    fn number(&self, name: &str, default: usize) -> usize {
        self.0
            .get(name)
            .and_then(|value| value.replace('_', "").parse().ok())
            .unwrap_or(default)
    }
}

/// Peak resident memory of this process, from /proc (Linux).
fn peak_rss_mb(pid: Option<u32>) -> f64 {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/status"),
        None => "/proc/self/status".to_string(),
    };
    let status = std::fs::read_to_string(path).unwrap_or_default();
    let field = |key: &str| {
        status
            .lines()
            .find(|line| line.starts_with(key))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    if pid.is_some() {
        field("VmRSS:")
    } else {
        field("VmHWM:")
    }
}

fn folder_bytes(folder: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => folder_bytes(&entry.path()),
            // Bytes on disk, not apparent length: Groonga preallocates sparse files.
            _ => entry.metadata().map_or(0, |metadata| {
                std::os::unix::fs::MetadataExt::blocks(&metadata) * 512
            }),
        })
        .sum()
}

fn percentiles(samples: &mut [Duration]) -> String {
    if samples.is_empty() {
        return "no samples".to_string();
    }
    samples.sort();
    let at = |fraction: f64| {
        let rank = ((samples.len() as f64 * fraction).ceil() as usize).clamp(1, samples.len());
        samples[rank - 1].as_secs_f64() * 1000.0
    };
    format!(
        "p50 {:.2} ms  p95 {:.2} ms  p99 {:.2} ms  (n={})",
        at(0.50),
        at(0.95),
        at(0.99),
        samples.len()
    )
}

/// The analysis chain alone (normalise, lindera morphemes, bigrams) over the records' indexed
/// text, on one thread.
fn tokenize(options: &Options) {
    let corpus = options.path("corpus", concat!(env!("CARGO_MANIFEST_DIR"), "/corpus"));
    let parsed = hyoka::ingest::parse_corpus(&corpus, |_| {}).expect("the corpus parses");
    let texts: Vec<String> = parsed
        .records
        .iter()
        .map(|record| record.indexed_text())
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let rounds = (20_000_000 / bytes.max(1)).max(1);
    // Normalisation alone: every analyser, the parser's heading keys and the comparison's
    // sentence keys run it.
    let started = Instant::now();
    let mut characters = 0;
    for _ in 0..rounds {
        for text in &texts {
            characters += hyoka::analysis::normalize(text).as_str().len();
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "normalise: {:.2} MB/s on one core ({} MB in, {} MB out, {seconds:.2} s)",
        (bytes * rounds) as f64 / 1e6 / seconds,
        (bytes * rounds) / 1_000_000,
        characters / 1_000_000
    );
    for (name, run) in [
        (
            "morphemes (lindera IPADIC, normalised)",
            hyoka::analysis::morphemes as fn(&str) -> Vec<hyoka::analysis::AnalyzedToken>,
        ),
        ("bigrams (normalised)", hyoka::analysis::bigrams),
    ] {
        let started = Instant::now();
        let mut tokens = 0;
        for _ in 0..rounds {
            for text in &texts {
                tokens += run(text).len();
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "tokenize {name}: {:.2} MB/s on one core ({} MB, {tokens} tokens, {seconds:.2} s)",
            (bytes * rounds) as f64 / 1e6 / seconds,
            (bytes * rounds) / 1_000_000
        );
    }
}

/// Ingest end to end into a fresh index folder.
fn ingest(options: &Options) {
    let corpus = options.path("corpus", concat!(env!("CARGO_MANIFEST_DIR"), "/corpus"));
    let threads = options.number("threads", 2);
    let index = options.path("index", "target/bench-index");
    let _ = std::fs::remove_dir_all(&index);
    let started = Instant::now();
    let summary = hyoka::ingest::ingest(&corpus, &index, threads, |_| {}).expect("ingest");
    let seconds = started.elapsed().as_secs_f64();
    let index_bytes = folder_bytes(&index.join(&summary.generation));
    println!(
        "ingest {} ({} threads): {} documents, {} records, {:.1} MB in {seconds:.1} s = {:.2} MB/s end to end \
         (parse {:.1} s summed over threads, final commit {:.1} s); peak RSS {:.0} MB; index {:.1} MB = {:.2} bytes per input byte",
        corpus.display(),
        threads,
        summary.documents.len(),
        summary.records,
        summary.input_bytes as f64 / 1e6,
        summary.input_bytes as f64 / 1e6 / seconds,
        summary.parse_seconds,
        summary.commit_seconds,
        peak_rss_mb(None),
        index_bytes as f64 / 1e6,
        index_bytes as f64 / summary.input_bytes.max(1) as f64,
    );
}

/// An update against a whole index: the corpus linked into `<corpus>-update` (no copy of its
/// bytes), built whole into `--index`, then `--documents` documents changed (a third read
/// again with a sentence added, a third removed with their manifest entries, the rest added
/// as edited copies of others) and the index updated. With `--check yes` the changed folder
/// is also built whole into `<index>-whole` and the two indexes' answers to every query class
/// (folded, unfolded, all versions), comparisons, groups and similar searches are compared.
fn update(options: &Options) {
    let corpus = options.path("corpus", concat!(env!("CARGO_MANIFEST_DIR"), "/corpus"));
    let documents = options.number("documents", 10).max(3);
    let index = options.path("index", "target/bench-index-update");
    let threads = options.number("threads", 2);
    let work = PathBuf::from(format!("{}-update", corpus.display()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("work folder");
    for entry in std::fs::read_dir(&corpus).expect("corpus").flatten() {
        let target = work.join(entry.file_name());
        if std::fs::hard_link(entry.path(), &target).is_err() {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
    let _ = std::fs::remove_dir_all(&index);
    let started = Instant::now();
    let whole = hyoka::ingest::ingest(&work, &index, threads, |_| {}).expect("whole ingest");
    println!(
        "update: whole build of {} documents, {} records in {:.1} s",
        whole.documents.len(),
        whole.records,
        started.elapsed().as_secs_f64()
    );

    // The change set, spread over the corpus.
    let manifest_path = work.join("manifest.toml");
    let manifest = std::fs::read_to_string(&manifest_path).expect("a manifest");
    let mut entries: Vec<String> = manifest
        .split("\n[[document]]\n")
        .map(str::to_string)
        .collect();
    let head = entries.remove(0);
    let file_of = |entry: &str| {
        entry
            .lines()
            .find_map(|line| line.strip_prefix("file = \""))
            .and_then(|rest| rest.strip_suffix('"'))
            .expect("an entry names its file")
            .to_string()
    };
    let step = entries.len() / (documents + 1);
    let chosen: Vec<usize> = (1..=documents).map(|turn| turn * step).collect();
    let write_anew = |path: &Path, text: &str| {
        // A new file, not the linked one: the original corpus stays as it was.
        let temporary = path.with_extension("new");
        std::fs::write(&temporary, text).expect("write");
        std::fs::rename(&temporary, path).expect("rename");
    };
    let edited = |file: &str, turn: usize| {
        let text = std::fs::read_to_string(work.join(file)).expect("a document");
        text.replacen('。', &format!("。更新の確認{turn}回目を記録する。"), 1)
    };
    let (mut replaced, mut removed, mut added) = (0, Vec::new(), Vec::new());
    for (turn, &position) in chosen.iter().enumerate() {
        let file = file_of(&entries[position]);
        match turn % 3 {
            0 => {
                write_anew(&work.join(&file), &edited(&file, turn));
                replaced += 1;
            }
            1 => {
                std::fs::remove_file(work.join(&file)).expect("remove");
                removed.push(file);
            }
            _ => {
                let name = format!("update_added_{turn}.txt");
                write_anew(&work.join(&name), &edited(&file, turn));
                added.push(entries[position].replacen(&file, &name, 1));
            }
        }
    }
    entries.retain(|entry| !removed.contains(&file_of(entry)));
    entries.extend(added.iter().cloned());
    let mut rewritten = head;
    for entry in &entries {
        rewritten.push_str("\n[[document]]\n");
        rewritten.push_str(entry);
    }
    write_anew(&manifest_path, &rewritten);

    let started = Instant::now();
    let summary = hyoka::ingest::ingest(&work, &index, threads, |_| {}).expect("update");
    let seconds = started.elapsed().as_secs_f64();
    let what = summary.update.clone().unwrap_or_default();
    println!(
        "update of {documents} documents ({replaced} changed, {} removed, {} added) against {} records: {seconds:.2} s \
         (built whole: {:?}; read {}, kept {}, final commit {:.2} s); peak RSS {:.0} MB",
        removed.len(),
        added.len(),
        whole.records,
        summary.whole_because,
        what.added.len() + what.replaced.len(),
        what.kept,
        summary.commit_seconds,
        peak_rss_mb(None),
    );
    if options.0.get("check").is_none_or(|value| value != "yes") {
        return;
    }
    let whole_index = PathBuf::from(format!("{}-whole", index.display()));
    let _ = std::fs::remove_dir_all(&whole_index);
    hyoka::ingest::ingest_as(
        &work,
        &whole_index,
        threads,
        hyoka::ingest::IngestMode::Whole,
        |_| {},
    )
    .expect("whole ingest of the changed folder");
    let updated = hyoka::search::SearchIndex::open(&index).expect("the updated index opens");
    let rebuilt = hyoka::search::SearchIndex::open(&whole_index).expect("the whole index opens");
    let (mut same, mut differ) = (0, 0);
    for (name, answer) in update_checks() {
        let (from_update, from_whole) = (answer(&updated), answer(&rebuilt));
        if from_update == from_whole {
            same += 1;
        } else {
            differ += 1;
            println!("update check: {name} differs");
        }
    }
    println!(
        "update check against a whole build of the changed folder: {same} answers identical, {differ} differ"
    );
}

/// A named request and its answer as JSON, timings left out.
type Check = (String, Box<dyn Fn(&hyoka::search::SearchIndex) -> String>);

/// What [`update`] compares: every search class folded, unfolded and over all versions, the
/// comparison and its groups of four slots, and similar searches.
fn update_checks() -> Vec<Check> {
    let without_time = |mut value: serde_json::Value| {
        if let Some(fields) = value.as_object_mut() {
            fields.remove("took_ms");
        }
        value.to_string()
    };
    let mut checks: Vec<Check> = Vec::new();
    for (class, path, body) in query_classes() {
        let parameters = parameters(&path);
        if let Some(body) = body {
            for fold in [None, Some("off")] {
                let mut request: hyoka::search::SimilarRequest =
                    serde_json::from_str(&body).expect("body");
                request.fold = fold.map(str::to_string);
                checks.push((
                    format!("{class} fold {fold:?}"),
                    Box::new(move |index| {
                        without_time(
                            serde_json::to_value(index.similar(&request).ok()).unwrap_or_default(),
                        )
                    }),
                ));
            }
            continue;
        }
        let Some(q) = parameters.get("q").cloned() else {
            continue;
        };
        for (variant, fold, versions) in [
            ("", None, None),
            (" unfolded", Some("off"), None),
            (" all versions", None, Some("all")),
        ] {
            let request = hyoka::search::SearchRequest {
                q: q.clone(),
                slot: parameters.get("slot").cloned(),
                fold: fold.map(str::to_string),
                versions: versions.map(str::to_string),
                ..Default::default()
            };
            checks.push((
                format!("{class}{variant}"),
                Box::new(move |index| {
                    without_time(
                        serde_json::to_value(index.search(&request).ok()).unwrap_or_default(),
                    )
                }),
            ));
        }
    }
    for slot in ["III.7.R1.5", "III.3.R1", "IV.1", "II"] {
        let request = hyoka::compare::CompareRequest {
            slot: slot.to_string(),
            ..Default::default()
        };
        let groups_request = request.clone();
        checks.push((
            format!("compare {slot}"),
            Box::new(move |index| {
                without_time(
                    serde_json::to_value(hyoka::compare::compare(index, &request).ok())
                        .unwrap_or_default(),
                )
            }),
        ));
        checks.push((
            format!("compare groups {slot}"),
            Box::new(move |index| {
                without_time(
                    serde_json::to_value(
                        hyoka::compare::groups::compare_groups(index, &groups_request).ok(),
                    )
                    .unwrap_or_default(),
                )
            }),
        ));
    }
    checks
}

/// The query classes of the benchmarks, as (class, API path and query, JSON body for POST).
fn query_classes() -> Vec<(&'static str, String, Option<String>)> {
    let draft = "サーバ室は、機械による入退室管理設備を設置し、入退室カード(ICカード)を貸与された者でないと入室できない。また、入退室の記録は保存され、監視カメラも設置している。";
    vec![
        ("one noun", "/api/search?q=生体認証".to_string(), None),
        (
            "2-3 nouns",
            "/api/search?q=入退室 監視カメラ 記録".to_string(),
            None,
        ),
        (
            "unspaced compound",
            "/api/search?q=目的外の入手".to_string(),
            None,
        ),
        (
            "katakana fragment",
            "/api/search?q=クラウド".to_string(),
            None,
        ),
        (
            "slot-filtered",
            "/api/search?q=施錠&slot=III.7".to_string(),
            None,
        ),
        ("compare", "/api/compare?slot=III.7.R1.5".to_string(), None),
        // The page's comparison: wordings largest first, within the base's 事務.
        (
            "compare groups",
            "/api/compare/groups?slot=III.7.R1.5".to_string(),
            None,
        ),
        // Searches fold by wording by default; this one lists every record.
        (
            "one noun, unfolded",
            "/api/search?q=生体認証&fold=off".to_string(),
            None,
        ),
        (
            "similar (paragraph)",
            "/api/similar".to_string(),
            Some(serde_json::json!({ "text": draft, "limit": 10 }).to_string()),
        ),
    ]
}

/// Broad searches staff type every day, matching a sixth of the records (個人情報) or tens of
/// thousands of them through a phrase with particles: timed one class at a time, in process, and
/// beside Groonga; not in the mixed load, whose figures stay comparable with earlier runs.
fn broad_classes() -> Vec<(&'static str, String, Option<String>)> {
    let draft = "サーバ室は、機械による入退室管理設備を設置し、入退室カード(ICカード)を貸与された者でないと入室できない。また、入退室の記録は保存され、監視カメラも設置している。";
    vec![
        ("broad noun", "/api/search?q=個人情報".to_string(), None),
        // The page's draft search: a page of wordings, each with its bodies (the mixed load's
        // similar class lists records, as Groonga's similar search does).
        (
            "similar, folded (the page's)",
            "/api/similar".to_string(),
            Some(serde_json::json!({ "text": draft, "limit": 20, "fold": "on" }).to_string()),
        ),
        (
            "phrase with particles",
            "/api/search?q=特定個人情報の漏えい".to_string(),
            None,
        ),
    ]
}

/// Drafting requests (`POST /api/draft/*`): timed one class at a time, cold (the first request
/// of the process reads and analyses the slot's wordings) and warm; not in the mixed load, whose
/// figures stay comparable with earlier runs.
fn draft_classes() -> Vec<(&'static str, String, Option<String>)> {
    // 札幌市's physical measures without the camera: peers' 監視カメラ is a hint.
    let draft = "サーバ室は、機械による入退室管理設備を設置し、入退室カード(ICカード)を貸与された者でないと入室できない。また、入退室の記録は保存されている。";
    let body = |jimu: Option<&str>| {
        let mut body = serde_json::json!({ "slot": "III.7.R1.5", "text": draft });
        if let Some(jimu) = jimu {
            body["jimu"] = jimu.into();
        }
        Some(body.to_string())
    };
    vec![
        (
            "draft hints",
            "/api/draft/hints".to_string(),
            body(Some("住民基本台帳")),
        ),
        (
            "draft hints, all 事務",
            "/api/draft/hints".to_string(),
            body(None),
        ),
        (
            "draft precedents",
            "/api/draft/precedents".to_string(),
            body(Some("住民基本台帳")),
        ),
    ]
}

fn parameters(path: &str) -> BTreeMap<String, String> {
    path.split_once('?')
        .map(|(_, query)| {
            query
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .map(|(key, value)| (key.to_string(), value.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// In-process latency per query class: one searcher per request, as the server does.
fn query(options: &Options) {
    let index = options.path("index", "target/bench-index");
    let iterations = options.number("iterations", 200);
    let searcher = hyoka::search::SearchIndex::open(&index).expect("the index opens");
    let only = options.0.get("class");
    for (class, path, body) in query_classes()
        .into_iter()
        .chain(broad_classes())
        .chain(draft_classes())
    {
        if only.is_some_and(|only| !class.starts_with(only.as_str())) {
            continue;
        }
        let parameters = parameters(&path);
        let run = || match class {
            "draft hints" | "draft hints, all 事務" => {
                let request: hyoka::draft::DraftRequest =
                    serde_json::from_str(body.as_deref().unwrap_or("{}")).expect("body");
                hyoka::draft::hints::hints(&searcher, &request)
                    .map(|_| ())
                    .map_err(|error| error.to_string())
            }
            "draft precedents" => {
                let request: hyoka::draft::DraftRequest =
                    serde_json::from_str(body.as_deref().unwrap_or("{}")).expect("body");
                hyoka::draft::precedents::precedents(&searcher, &request)
                    .map(|_| ())
                    .map_err(|error| error.to_string())
            }
            "compare" => {
                let request = hyoka::compare::CompareRequest {
                    slot: parameters["slot"].clone(),
                    ..Default::default()
                };
                hyoka::compare::compare(&searcher, &request)
                    .map(|_| ())
                    .map_err(|error| error.to_string())
            }
            "compare groups" => {
                let request = hyoka::compare::CompareRequest {
                    slot: parameters["slot"].clone(),
                    ..Default::default()
                };
                hyoka::compare::groups::compare_groups(&searcher, &request)
                    .map(|_| ())
                    .map_err(|error| error.to_string())
            }
            "similar (paragraph)" | "similar, folded (the page's)" => {
                let request: hyoka::search::SimilarRequest =
                    serde_json::from_str(body.as_deref().unwrap_or("{}")).expect("body");
                searcher
                    .similar(&request)
                    .map(|_| ())
                    .map_err(|error| error.to_string())
            }
            _ => {
                let request = hyoka::search::SearchRequest {
                    q: parameters["q"].clone(),
                    slot: parameters.get("slot").cloned(),
                    fold: parameters.get("fold").cloned(),
                    ..Default::default()
                };
                searcher
                    .search(&request)
                    .map(|_| ())
                    .map_err(|error| error.to_string())
            }
        };
        run().expect("warm-up");
        // `--as-typed both`: each search also as typed (no synonyms, no fallback), the two
        // interleaved so that both see the same machine, and their ratio.
        let as_typed = || {
            let request = hyoka::search::SearchRequest {
                q: parameters.get("q").cloned().unwrap_or_default(),
                slot: parameters.get("slot").cloned(),
                synonyms: Some("off".to_string()),
                fallback: Some("off".to_string()),
                ..Default::default()
            };
            searcher.search(&request).map(|_| ())
        };
        let paired = options
            .0
            .get("as-typed")
            .is_some_and(|value| value == "both")
            && parameters.contains_key("q");
        let mut samples = Vec::with_capacity(iterations);
        let mut typed_samples = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let started = Instant::now();
            run().expect("query");
            samples.push(started.elapsed());
            if paired {
                let started = Instant::now();
                as_typed().expect("query as typed");
                typed_samples.push(started.elapsed());
            }
        }
        let median = |samples: &mut Vec<Duration>| {
            samples.sort();
            samples[samples.len() / 2].as_secs_f64()
        };
        let ratio = if paired {
            let ratio = median(&mut samples) / median(&mut typed_samples).max(1e-9);
            format!(
                "  | as typed {}  | p50 ratio {ratio:.2}",
                percentiles(&mut typed_samples)
            )
        } else {
            String::new()
        };
        println!(
            "query in process, {class:<20} {}{ratio}",
            percentiles(&mut samples)
        );
    }
}

/// nDCG@10 and recall@20 of the judged queries (data/relevance.toml), with the synonyms and
/// the fallback, then as typed. Without --index the bundled corpus is ingested into a
/// temporary folder.
fn relevance(options: &Options) {
    let judgments = match options.0.get("judgments") {
        Some(path) => hyoka::search::relevance::Judgments::parse(
            &std::fs::read_to_string(path).expect("the judgments file reads"),
        ),
        None => hyoka::search::relevance::Judgments::bundled(),
    }
    .expect("the judgments parse");
    let temporary = tempfile::tempdir().expect("a temporary folder");
    let index = match options.0.get("index") {
        Some(index) => PathBuf::from(index),
        None => {
            let index = temporary.path().join("index");
            hyoka::ingest::ingest(Path::new("corpus"), &index, 2, |_| {})
                .expect("the bundled corpus ingests");
            index
        }
    };
    let searcher = hyoka::search::SearchIndex::open(&index).expect("the index opens");
    for (label, request) in [
        (
            "with synonyms and fallback (the default)",
            hyoka::search::SearchRequest::default(),
        ),
        (
            "as typed (synonyms=off, fallback=off)",
            hyoka::search::SearchRequest {
                synonyms: Some("off".to_string()),
                fallback: Some("off".to_string()),
                ..Default::default()
            },
        ),
    ] {
        let report = hyoka::search::relevance::evaluate(&searcher, &judgments, &request)
            .expect("the judged queries run");
        println!("relevance, {label}:");
        println!("nDCG@10 recall@20 found/relevant hits  query");
        print!("{}", report.render());
        println!();
    }
}

/// A keep-alive HTTP/1.1 connection that reads responses by Content-Length.
struct Connection {
    reader: BufReader<TcpStream>,
    address: String,
}

impl Connection {
    fn open(address: &str) -> std::io::Result<Connection> {
        let stream = TcpStream::connect(address)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Connection {
            reader: BufReader::new(stream),
            address: address.to_string(),
        })
    }

    fn request(&mut self, path: &str, body: Option<&str>) -> std::io::Result<u16> {
        self.exchange(path, body).map(|(status, _)| status)
    }

    /// Sends one request and returns the status and the body.
    fn exchange(&mut self, path: &str, body: Option<&str>) -> std::io::Result<(u16, Vec<u8>)> {
        let encoded: String = path
            .chars()
            .map(|c| {
                if c.is_ascii() && c != ' ' {
                    c.to_string()
                } else {
                    let mut buffer = [0; 4];
                    c.encode_utf8(&mut buffer)
                        .bytes()
                        .map(|byte| format!("%{byte:02X}"))
                        .collect()
                }
            })
            .collect();
        let (method, body) = match body {
            Some(body) => ("POST", body),
            None => ("GET", ""),
        };
        write!(
            self.reader.get_mut(),
            "{method} {encoded} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.address,
            body.len()
        )?;
        let mut status_line = String::new();
        self.reader.read_line(&mut status_line)?;
        let status: u16 = status_line
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {status_line:?}")))?;
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line)?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        Ok((status, body))
    }
}

/// Runs `clients` threads for `seconds`, each cycling through `classes` on its own keep-alive
/// connection; returns the latencies, the errors and the elapsed time.
fn load(
    address: &str,
    classes: &[(&'static str, String, Option<String>)],
    clients: usize,
    seconds: f64,
) -> (Vec<Duration>, usize, f64) {
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let results: Vec<(Vec<Duration>, usize)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..clients)
            .map(|client| {
                scope.spawn(move || {
                    let mut samples = Vec::new();
                    let mut errors = 0;
                    let mut connection = Connection::open(address).ok();
                    let mut turn = client;
                    while Instant::now() < deadline {
                        let (_, path, body) = &classes[turn % classes.len()];
                        turn += 1;
                        let Some(open) = connection.as_mut() else {
                            errors += 1;
                            connection = Connection::open(address).ok();
                            continue;
                        };
                        let sent = Instant::now();
                        match open.request(path, body.as_deref()) {
                            Ok(200) => samples.push(sent.elapsed()),
                            Ok(_) => errors += 1,
                            Err(_) => {
                                errors += 1;
                                connection = Connection::open(address).ok();
                            }
                        }
                    }
                    (samples, errors)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("client"))
            .collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    let mut samples = Vec::new();
    let mut errors = 0;
    for (mine, my_errors) in results {
        samples.extend(mine);
        errors += my_errors;
    }
    (samples, errors, elapsed)
}

/// Latency per class (one client), then throughput of the mixed classes at 1, 2, 4 and 8
/// clients (or the given count), with the server's RSS.
fn http(options: &Options) {
    let address = options
        .0
        .get("addr")
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let seconds = options.number("seconds", 10) as f64;
    let pid = options.0.get("pid").and_then(|pid| pid.parse::<u32>().ok());
    if let Some(pid) = pid {
        println!("serve RSS idle: {:.0} MB", peak_rss_mb(Some(pid)));
    }
    let classes = query_classes();
    // `--mixed-only yes`: only the mixed load (say, while an ingest swaps the index).
    let mixed_only = options
        .0
        .get("mixed-only")
        .is_some_and(|value| value == "yes");
    let broad = broad_classes();
    for class in classes.iter().chain(&broad).filter(|_| !mixed_only) {
        // Warm: the first request of a class loads its postings.
        let _ = load(&address, std::slice::from_ref(class), 1, 0.5);
        let (mut samples, errors, _) =
            load(&address, std::slice::from_ref(class), 1, seconds / 2.0);
        println!(
            "http, one client, {:<20} {} errors {errors}",
            class.0,
            percentiles(&mut samples)
        );
    }
    for class in draft_classes().iter().filter(|_| !mixed_only) {
        // Cold: the first request reads and analyses the slot's wordings (cached after).
        let cold = Connection::open(&address)
            .ok()
            .and_then(|mut connection| {
                let sent = Instant::now();
                matches!(connection.request(&class.1, class.2.as_deref()), Ok(200))
                    .then(|| sent.elapsed().as_secs_f64() * 1000.0)
            })
            .unwrap_or(f64::NAN);
        let (mut samples, errors, _) =
            load(&address, std::slice::from_ref(class), 1, seconds / 2.0);
        println!(
            "http, one client, {:<20} {} errors {errors}; first request {cold:.1} ms",
            class.0,
            percentiles(&mut samples)
        );
    }
    let client_counts: Vec<usize> = match options.0.get("clients") {
        Some(count) => vec![count.parse().unwrap_or(8)],
        None => vec![1, 2, 4, 8],
    };
    for clients in client_counts {
        let (mut samples, errors, elapsed) = load(&address, &classes, clients, seconds);
        let rate = samples.len() as f64 / elapsed;
        let rss = pid
            .map(|pid| format!("; serve RSS {:.0} MB", peak_rss_mb(Some(pid))))
            .unwrap_or_default();
        println!(
            "http, {clients} clients, mixed: {rate:.0} queries/s, {errors} errors, {}{rss}",
            percentiles(&mut samples)
        );
    }
}

/// Percent-encodes a query-string value (everything but the unreserved characters).
fn query_value(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// A child process killed when the benchmark ends, however it ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `hyoka serve` on `index` at `address`, its response cache off (every request answered
/// anew), once it answers `/healthz`: it listens before the index is loaded, and a request
/// sent earlier would wait for the load.
fn start_serve(index: &Path, address: &str) -> Child {
    let server = Child(
        std::process::Command::new(env!("CARGO_BIN_EXE_hyoka"))
            .args(["serve", "--index"])
            .arg(index)
            .args(["--addr", address, "--cache-mb", "0"])
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("hyoka serve"),
    );
    wait_until(address, "hyoka serve", || {
        Connection::open(address)
            .and_then(|mut connection| connection.request("/healthz", None))
            .is_ok_and(|status| status == 200)
    });
    server
}

/// Each endpoint's first request after a start against its warm p50 (the bound: ten
/// times). A fresh `hyoka serve` per endpoint, so that no other endpoint's request warmed what
/// it shares; each request on a new connection, as a browser's first is.
fn cold(options: &Options) {
    let index = options.path("index", "target/bench-index");
    let address = format!("127.0.0.1:{}", options.number("port", 8096));
    let repeats = options.number("repeats", 7).max(1);
    let ask = |path: &str, body: Option<&str>| -> (u16, f64, Vec<u8>) {
        let started = Instant::now();
        let (status, answer) = Connection::open(&address)
            .and_then(|mut connection| connection.exchange(path, body))
            .unwrap_or((0, Vec::new()));
        (status, started.elapsed().as_secs_f64() * 1000.0, answer)
    };
    // A record and its file to ask about: a search's first hit.
    let (record, file) = {
        let _server = start_serve(&index, &address);
        let (_, _, answer) = ask("/api/search?q=施錠&fold=off", None);
        let answer: serde_json::Value = serde_json::from_slice(&answer).unwrap_or_default();
        let hit = &answer["hits"][0];
        let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_string();
        (text(&hit["id"]), text(&hit["source"]["file"]))
    };
    let draft = serde_json::json!({
        "slot": "III.7.R1.5",
        "jimu": "住民基本台帳",
        "text": "サーバ室は、機械による入退室管理設備を設置し、入退室の記録は保存されている。",
    })
    .to_string();
    let similar =
        serde_json::json!({ "text": "入退室の記録は保存され、監視カメラも設置している。" })
            .to_string();
    let endpoints: Vec<(String, Option<String>)> = vec![
        ("/".into(), None),
        ("/app.js".into(), None),
        ("/api/search?q=入退室 監視カメラ".into(), None),
        (format!("/api/search/bodies?q=施錠&hit={record}"), None),
        ("/api/compare?slot=III.7.R1.5".into(), None),
        ("/api/compare/groups?slot=III.7.R1.5".into(), None),
        ("/api/similar".into(), Some(similar)),
        ("/api/draft/hints".into(), Some(draft.clone())),
        ("/api/draft/precedents".into(), Some(draft)),
        ("/api/draft/slots".into(), None),
        (format!("/api/draft/start?file={file}"), None),
        ("/api/slots".into(), None),
        ("/api/municipalities".into(), None),
        ("/api/municipalities?body=札幌市".into(), None),
        (format!("/api/records/{record}"), None),
        (format!("/api/records/{record}/context"), None),
        ("/api/answers?slot=III.7.R1.5".into(), None),
        ("/api/answers.csv?slot=III.7.R1.5".into(), None),
        ("/api/compare.xlsx?slot=III.7.R1.5".into(), None),
        ("/api/export.csv?q=生体認証".into(), None),
        ("/api/openapi.json".into(), None),
    ];
    let mut over = 0;
    for (path, body) in &endpoints {
        let _server = start_serve(&index, &address);
        let (status, first, answer) = ask(path, body.as_deref());
        let mut warm: Vec<Duration> = (0..repeats)
            .map(|_| Duration::from_secs_f64(ask(path, body.as_deref()).1 / 1000.0))
            .collect();
        let warm_p50 = percentile_ms(&mut warm, 0.5);
        let ratio = first / warm_p50.max(0.001);
        if ratio > 10.0 {
            over += 1;
        }
        let shown: String = path.chars().take(48).collect();
        println!(
            "cold, {shown:<48} {status} first {first:7.1} ms  warm p50 {warm_p50:7.1} ms  {ratio:4.1}×  {} KB",
            answer.len() / 1024
        );
    }
    println!(
        "cold: {} endpoints, {over} with a first request over ten times its warm p50",
        endpoints.len()
    );
}

/// Waits until something accepts connections at `address`.
fn wait_for(address: &str, what: &str) {
    wait_until(address, what, || TcpStream::connect(address).is_ok());
}

/// Waits until `ready` says `what` at `address` is (ten minutes at most: a 5M index loads in
/// about one).
fn wait_until(address: &str, what: &str, ready: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(600);
    while !ready() {
        if Instant::now() > deadline {
            eprintln!("figures: {what} did not answer on {address}");
            std::process::exit(1);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Writes Groonga's commands to load every record of a hyoka index: the same records, the same
/// indexed text (headings and text) and the slot, for the slot filter.
fn groonga_load_file(index: &Path, out: &Path) -> usize {
    let (index, fields, _) = hyoka::index::open(index).expect("the hyoka index opens");
    let reader = index.reader().expect("reader");
    let searcher = reader.searcher();
    let mut file = std::io::BufWriter::new(std::fs::File::create(out).expect("load file"));
    writeln!(file, "load --table Records\n[").expect("write");
    let mut count = 0;
    for segment in searcher.segment_readers() {
        let store = segment.get_store_reader(64).expect("store");
        for document in store.iter::<tantivy::TantivyDocument>(segment.alive_bitset()) {
            let record = hyoka::index::record_of(&document.expect("stored document"), &fields)
                .expect("record");
            let line = serde_json::json!({
                "_key": record.id,
                "slot": record.slot.clone().unwrap_or_default(),
                "text": record.indexed_text(),
            });
            writeln!(file, "{line},").expect("write");
            count += 1;
        }
    }
    writeln!(file, "]").expect("write");
    file.flush().expect("flush");
    count
}

/// The same query classes for Groonga's `select` (compare has no counterpart there).
fn groonga_select(class: &str, path: &str, body: Option<&str>) -> Option<String> {
    let parameters = parameters(path);
    // Keys, texts and highlighted snippets of ten hits, as hyoka's response has; Groonga's
    // result cache off, since hyoka has none and the benchmark repeats each query.
    let mut select = String::from(
        "/d/select?table=Records&output_columns=_key,_score,text,snippet_html(text)&sort_keys=-_score,_key&limit=10&cache=no",
    );
    match class {
        // Groonga's similar search lists records: it has no counterpart of a folded one.
        "compare" | "compare groups" | "similar, folded (the page's)" => return None,
        "similar (paragraph)" => {
            let request: serde_json::Value =
                serde_json::from_str(body.unwrap_or("{}")).expect("body");
            let text = request["text"].as_str().unwrap_or_default();
            let filter = format!("text *S {}", serde_json::Value::from(text));
            select.push_str(&format!("&filter={}", query_value(&filter)));
        }
        _ => {
            select.push_str(&format!(
                "&match_columns=text&query={}",
                query_value(&parameters["q"])
            ));
            // Counts per slot for the hits, as hyoka's facets (one dimension of hyoka's seven).
            select.push_str("&drilldown=slot&drilldown_limit=200");
            if let Some(slot) = parameters.get("slot") {
                // The slot and everything below it, as hyoka's slot filter means.
                let filter = format!("slot == {slot:?} || slot @^ \"{slot}.\"");
                select.push_str(&format!("&filter={}", query_value(&filter)));
            }
        }
    }
    Some(select)
}

/// The first ten hits of a response (record id and indexed text) and the number of hits.
struct TopTen {
    hits: Vec<(String, String)>,
    total: u64,
}

impl TopTen {
    /// hyoka: hits are records (with score and snippet) and `total` counts them all.
    fn of_hyoka(body: &[u8]) -> TopTen {
        let response: serde_json::Value = serde_json::from_slice(body).expect("hyoka json");
        let hits = response["hits"]
            .as_array()
            .into_iter()
            .flatten()
            .take(10)
            .map(|hit| {
                let record: hyoka::record::Record =
                    serde_json::from_value(hit.clone()).expect("a hit is a record");
                (record.id.clone(), record.indexed_text())
            })
            .collect();
        TopTen {
            hits,
            total: response["total"].as_u64().unwrap_or(0),
        }
    }

    /// Groonga: `[[status…], [[[n], [columns], rows…], drilldowns…]]`, rows of
    /// `[_key, _score, text, snippet]`.
    fn of_groonga(body: &[u8]) -> TopTen {
        let response: serde_json::Value = serde_json::from_slice(body).expect("groonga json");
        if response[0][0].as_i64() != Some(0) {
            eprintln!(
                "figures: groonga answered {}",
                String::from_utf8_lossy(body)
            );
            std::process::exit(1);
        }
        let hits = response[1][0]
            .as_array()
            .into_iter()
            .flatten()
            .skip(2)
            .take(10)
            .filter_map(|row| Some((row[0].as_str()?.to_string(), row[2].as_str()?.to_string())))
            .collect();
        TopTen {
            hits,
            total: response[1][0][0][0].as_u64().unwrap_or(0),
        }
    }

    /// How many of these hits the other's first ten also have: by record, and by text (the
    /// corpus repeats shared wording verbatim, so equally good hits tie by the thousand).
    fn overlap(&self, other: &TopTen) -> (usize, usize) {
        let records = self
            .hits
            .iter()
            .filter(|(id, _)| other.hits.iter().any(|(other_id, _)| other_id == id))
            .count();
        let texts = self
            .hits
            .iter()
            .filter(|(_, text)| other.hits.iter().any(|(_, other_text)| other_text == text))
            .count();
        (records, texts)
    }
}

/// Sequential requests on one keep-alive connection (reopened if the server closes it): the
/// latencies and the last body.
fn timed_requests(
    address: &str,
    path: &str,
    body: Option<&str>,
    iterations: usize,
) -> (Vec<Duration>, Vec<u8>) {
    let mut connection = Connection::open(address).expect("connect");
    let mut samples = Vec::with_capacity(iterations);
    let mut last = Vec::new();
    for round in 0..iterations + 5 {
        let sent = Instant::now();
        let answer = match connection.exchange(path, body) {
            Ok(answer) => answer,
            Err(_) => {
                connection = Connection::open(address).expect("reconnect");
                connection.exchange(path, body).expect("request")
            }
        };
        let elapsed = sent.elapsed();
        assert_eq!(
            answer.0,
            200,
            "{address}{path}: {}",
            String::from_utf8_lossy(&answer.1)
        );
        // The first five are the warm-up.
        if round >= 5 {
            samples.push(elapsed);
        }
        last = answer.1;
    }
    (samples, last)
}

fn percentile_ms(samples: &mut [Duration], fraction: f64) -> f64 {
    samples.sort();
    let rank = ((samples.len() as f64 * fraction).ceil() as usize).clamp(1, samples.len());
    samples[rank - 1].as_secs_f64() * 1000.0
}

/// hyoka and Groonga side by side on the same records and queries.
fn groonga(options: &Options) {
    let index = options.path("index", "target/bench-index");
    let database_folder = options.path("db", "target/bench-groonga");
    let iterations = options.number("iterations", 200);
    let tokenizer = options
        .0
        .get("tokenizer")
        .cloned()
        .unwrap_or_else(|| "TokenMecab".into());
    let groonga_port = options.number("groonga-port", 10041);
    let hyoka_port = options.number("hyoka-port", 8095);

    let _ = std::fs::remove_dir_all(&database_folder);
    std::fs::create_dir_all(&database_folder).expect("database folder");
    let load_file = database_folder.with_extension("load.json");
    let started = Instant::now();
    let records = groonga_load_file(&index, &load_file);
    println!(
        "groonga: {records} records exported from {} in {:.1} s ({:.1} MB of load commands)",
        index.display(),
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&load_file).map_or(0, |m| m.len()) as f64 / 1e6
    );

    // TokenMecab reads MeCab's configuration; point it at IPADIC (the dictionary hyoka uses)
    // rather than whichever dictionary the system's alternatives chose.
    let mecabrc = database_folder.join("mecabrc");
    std::fs::write(&mecabrc, "dicdir = /var/lib/mecab/dic/ipadic-utf8\n").expect("mecabrc");
    let database = database_folder.join("db");
    let groonga = |arguments: &[&str]| {
        let mut command = std::process::Command::new("groonga");
        command.args(arguments).env("MECABRC", &mecabrc);
        command
    };
    // Data first, index columns after: Groonga builds them offline, its fastest way.
    let schema = "plugin_register tokenizers/mecab\n\
         table_create Slots TABLE_PAT_KEY ShortText\n\
         table_create Records TABLE_HASH_KEY ShortText\n\
         column_create Records slot COLUMN_SCALAR Slots\n\
         column_create Records text COLUMN_SCALAR LongText\n"
        .to_string();
    let indexes = format!(
        "table_create Terms TABLE_PAT_KEY ShortText --default_tokenizer {tokenizer} --normalizer NormalizerAuto\n\
         column_create Terms records_text COLUMN_INDEX|WITH_POSITION Records text\n\
         column_create Slots records_slot COLUMN_INDEX Records slot\n"
    );
    let started = Instant::now();
    let mut build = groonga(&["-n", database.to_str().expect("utf-8 path")])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("groonga runs (scripts/groonga-setup installs it)");
    {
        let mut input = build.stdin.take().expect("stdin");
        let feed_schema = schema.clone();
        let feed_indexes = indexes.clone();
        let feed_load = load_file.clone();
        let feeder = std::thread::spawn(move || {
            input.write_all(feed_schema.as_bytes())?;
            std::io::copy(&mut std::fs::File::open(&feed_load)?, &mut input)?;
            input.write_all(feed_indexes.as_bytes())
        });
        let mut output = String::new();
        build
            .stdout
            .take()
            .expect("stdout")
            .read_to_string(&mut output)
            .expect("groonga output");
        feeder.join().expect("feeder").expect("feeding groonga");
        let status = build.wait().expect("groonga exits");
        // Every command answers `[[0, …` when it succeeded.
        let failed: Vec<&str> = output
            .lines()
            .filter(|line| !line.starts_with("[[0,"))
            .collect();
        if !status.success() || !failed.is_empty() {
            eprintln!("figures: groonga build failed: {}", failed.join("\n"));
            std::process::exit(1);
        }
        let loaded = output.lines().find_map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).ok()?;
            value[1].as_u64()
        });
        assert_eq!(loaded, Some(records as u64), "groonga loaded every record");
    }
    let groonga_build = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&load_file);
    let groonga_bytes = folder_bytes(&database_folder);
    let hyoka_bytes = folder_bytes(&index);
    println!(
        "groonga ({tokenizer}): load + index {groonga_build:.1} s, database {:.1} MB; \
         hyoka index {:.1} MB (ratio hyoka/groonga {:.2}); for hyoka's build time run `figures -- ingest`",
        groonga_bytes as f64 / 1e6,
        hyoka_bytes as f64 / 1e6,
        hyoka_bytes as f64 / groonga_bytes.max(1) as f64,
    );

    let groonga_address = format!("127.0.0.1:{groonga_port}");
    let hyoka_address = format!("127.0.0.1:{hyoka_port}");
    let _groonga_server = Child(
        groonga(&[
            "-s",
            "--protocol",
            "http",
            "--bind-address",
            "127.0.0.1",
            "--port",
            &groonga_port.to_string(),
            database.to_str().expect("utf-8 path"),
        ])
        .spawn()
        .expect("groonga server"),
    );
    // First-time searches, as Groonga runs with its cache off: the bench repeats each request,
    // which hyoka's response cache would answer from memory.
    let _hyoka_server = start_serve(&index, &hyoka_address);
    wait_for(&groonga_address, "groonga");

    println!(
        "{:<20} {:>10} {:>10} {:>10} {:>10} {:>8} {:>8}  top-10 overlap; hits",
        "class", "hyoka p50", "p99", "groonga p50", "p99", "p50 h/g", "p99 h/g"
    );
    for (class, path, body) in query_classes().into_iter().chain(broad_classes()) {
        let Some(select) = groonga_select(class, &path, body.as_deref()) else {
            continue;
        };
        // Ten hits from both, as Groonga is asked for (hyoka's page would be twenty).
        let hyoka_path = if path.starts_with("/api/search") {
            format!("{path}&limit=10")
        } else {
            path.clone()
        };
        let (mut hyoka_samples, hyoka_body) =
            timed_requests(&hyoka_address, &hyoka_path, body.as_deref(), iterations);
        let (mut groonga_samples, groonga_body) =
            timed_requests(&groonga_address, &select, None, iterations);
        let hyoka_top = TopTen::of_hyoka(&hyoka_body);
        let groonga_top = TopTen::of_groonga(&groonga_body);
        let (same_records, same_texts) = hyoka_top.overlap(&groonga_top);
        let (h50, h99) = (
            percentile_ms(&mut hyoka_samples, 0.5),
            percentile_ms(&mut hyoka_samples, 0.99),
        );
        let (g50, g99) = (
            percentile_ms(&mut groonga_samples, 0.5),
            percentile_ms(&mut groonga_samples, 0.99),
        );
        println!(
            "{class:<20} {h50:>7.2} ms {h99:>7.2} ms {g50:>8.2} ms {g99:>7.2} ms {:>8.2} {:>8.2}  {same_records}/{shown} records, {same_texts}/{shown} texts; hits: hyoka {} groonga {}",
            h50 / g50,
            h99 / g99,
            hyoka_top.total,
            groonga_top.total,
            shown = hyoka_top.hits.len().max(groonga_top.hits.len()),
        );
    }
}
