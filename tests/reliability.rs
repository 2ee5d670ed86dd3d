//! Faults and load against real processes: `hyoka ingest` killed with SIGKILL at many moments
//! never harms the index a running `hyoka serve` answers from, a finished ingest is picked up
//! without a restart, and requests under load while the index is swapped all succeed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::util::{Server, copy_corpus, encoded, run_ingest};

/// A word that only the changed 札幌市 document holds.
const MARKER: &str = "耐障害訓練";

fn total(server: &Server, query: &str) -> u64 {
    server.get_json(&format!("/api/search?q={}", encoded(query)))["total"]
        .as_u64()
        .expect("total")
}

/// A temporary folder with the bundled corpus (`corpus`, indexed into `index` as it is).
fn indexed_corpus() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let folder = tempfile::tempdir().expect("temporary folder");
    let (corpus, index) = (folder.path().join("corpus"), folder.path().join("index"));
    copy_corpus(&corpus, None);
    assert!(run_ingest(&corpus, &index).status.success());
    (folder, corpus, index)
}

/// Changes the 札幌市 document of the corpus in place to carry [`MARKER`], or back: the next
/// ingest updates the index (reads that document again, keeps the others).
fn mark(corpus: &Path, marked: bool) {
    let scratch = tempfile::tempdir().expect("temporary folder");
    copy_corpus(scratch.path(), marked.then_some(MARKER));
    let name = "002_ac2772f135d57124.txt";
    std::fs::copy(scratch.path().join(name), corpus.join(name)).expect("copy");
}

fn generation(index: &Path) -> String {
    hyoka::index::current_generation(index).expect("CURRENT names a generation that exists")
}

#[test]
fn an_ingest_killed_at_any_moment_leaves_the_served_index_intact_and_a_finished_one_is_picked_up() {
    let (_folder, corpus, index) = indexed_corpus();
    let first_generation = generation(&index);
    let server = Server::start(&index, &corpus);
    let baseline = total(&server, "生体認証");
    assert!(baseline > 0);
    assert_eq!(total(&server, MARKER), 0);
    mark(&corpus, true);

    // SIGKILL from the first instant to past the end of a build (a debug build of this corpus
    // takes about 2–3 s here; a release one about 0.2 s).
    let mut killed_before_the_swap = 0;
    for delay_ms in [
        0, 5, 20, 50, 100, 200, 350, 500, 750, 1000, 1500, 2000, 2500, 3000,
    ] {
        let mut ingest = Command::new(env!("CARGO_BIN_EXE_hyoka"))
            .args(["ingest", "--corpus"])
            .arg(&corpus)
            .arg("--index")
            .arg(&index)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("ingest starts");
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = ingest.kill(); // SIGKILL on Unix; an error means it had already finished
        let _ = ingest.wait();

        // Whatever the moment, CURRENT names a whole generation: the old one, or the new one
        // if the build had finished.
        let live = generation(&index);
        let searcher = hyoka::search::SearchIndex::open(&index).expect("the live index opens");
        let request = hyoka::search::SearchRequest {
            q: MARKER.into(),
            ..Default::default()
        };
        let marker_hits = searcher.search(&request).expect("search").total;
        if live == first_generation {
            killed_before_the_swap += 1;
            assert_eq!(marker_hits, 0, "killed at {delay_ms} ms");
        } else {
            assert!(marker_hits > 0, "killed at {delay_ms} ms after the swap");
        }
        // The running server answers throughout, from a whole index.
        assert_eq!(
            total(&server, "生体認証"),
            baseline,
            "killed at {delay_ms} ms"
        );
    }
    eprintln!("ingest killed at 14 moments: {killed_before_the_swap} before the swap");
    assert!(
        killed_before_the_swap >= 3,
        "the kills must land inside the build"
    );
    let leftovers: Vec<String> = std::fs::read_dir(&index)
        .expect("index folder")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    eprintln!("index folder after the kills: {leftovers:?}");

    // A finished ingest: the running server switches to it without a restart.
    let unfinished_before = generation(&index) == first_generation;
    let output = run_ingest(&corpus, &index);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // An update (the 札幌市 document read again, the others kept), unless the last build
    // above finished before its kill.
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        !unfinished_before || said.contains("差分で更新しました"),
        "{said}"
    );
    let finished = generation(&index);
    let deadline = Instant::now() + Duration::from_secs(15);
    while server.get_json("/healthz")["generation"] != finished.as_str() {
        assert!(
            Instant::now() < deadline,
            "the server did not switch to {finished}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(total(&server, MARKER) > 0);
    assert_eq!(total(&server, "生体認証"), baseline);
    // Builds killed midway leave nothing behind once a build completes.
    let unfinished = std::fs::read_dir(&index)
        .expect("index folder")
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".tmp"))
        .count();
    assert_eq!(unfinished, 0);
}

#[test]
fn two_ingests_at_once_do_not_break_each_other() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let (corpus, index) = (folder.path().join("corpus"), folder.path().join("index"));
    copy_corpus(&corpus, None);
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_hyoka"))
            .args(["ingest", "--corpus"])
            .arg(&corpus)
            .arg("--index")
            .arg(&index)
            .env("RUST_LOG", "warn")
            .output()
    };
    let (first, second) = std::thread::scope(|scope| {
        let first = scope.spawn(spawn);
        let second = scope.spawn(spawn);
        (
            first.join().expect("thread").expect("runs"),
            second.join().expect("thread").expect("runs"),
        )
    });
    let outcomes = [&first, &second];
    assert!(outcomes.iter().any(|output| output.status.success()));
    for output in outcomes.iter().filter(|output| !output.status.success()) {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("another ingest is building into"),
            "{stderr}"
        );
        // Staff read why in Japanese: another ingest, not a full disk.
        assert!(
            stderr.contains("別の読み込み（hyoka ingest）が同じ索引のフォルダに書き込んでいます"),
            "{stderr}"
        );
    }
    hyoka::search::SearchIndex::open(&index).expect("the index opens");
}

/// Latency percentile of sorted samples.
fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[test]
fn requests_under_load_while_ingests_swap_the_index_all_succeed() {
    // CI runs a short bounded load; `HYOKA_LOAD_SECONDS=60` gives the full run of the issue.
    let seconds: u64 = std::env::var("HYOKA_LOAD_SECONDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(8);
    let clients: usize = std::env::var("HYOKA_LOAD_CLIENTS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(20);
    let (_folder, corpus, index) = indexed_corpus();
    let server = Arc::new(Server::start(&index, &corpus));

    let draft = crate::util::sentence_containing("002", "入退室管理設備を設置");
    let similar_body = serde_json::json!({ "text": draft, "limit": 10 }).to_string();
    let requests: Vec<(&str, String, Option<String>)> = vec![
        (
            "GET",
            format!("/api/search?q={}", encoded("生体認証")),
            None,
        ),
        (
            "GET",
            format!("/api/search?q={}", encoded("目的外の入手")),
            None,
        ),
        (
            "GET",
            format!("/api/search?q={}&slot=III.7", encoded("クラウド")),
            None,
        ),
        ("GET", "/api/compare?slot=III.7.R1.5".to_string(), None),
        ("POST", "/api/similar".to_string(), Some(similar_body)),
        (
            "GET",
            format!("/api/search?q={}", encoded("入退室 監視カメラ")),
            None,
        ),
    ];
    let requests = Arc::new(requests);
    let stop = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let latencies = Arc::new(Mutex::new(Vec::<Duration>::new()));
    let swaps = Arc::new(AtomicUsize::new(0));

    let swapper = {
        let (stop, swaps, index) = (stop.clone(), swaps.clone(), index.clone());
        std::thread::spawn(move || {
            let mut round = 0;
            while !stop.load(Ordering::SeqCst) {
                // Each ingest an update: the 札幌市 document changed, then back.
                mark(&corpus, round % 2 == 0);
                let output = run_ingest(&corpus, &index);
                assert!(
                    output.status.success(),
                    "{}",
                    String::from_utf8_lossy(&output.stderr)
                );
                swaps.fetch_add(1, Ordering::SeqCst);
                round += 1;
            }
        })
    };
    let workers: Vec<_> = (0..clients)
        .map(|client| {
            let (server, requests, stop, failures, latencies) = (
                server.clone(),
                requests.clone(),
                stop.clone(),
                failures.clone(),
                latencies.clone(),
            );
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                let mut turn = client;
                while !stop.load(Ordering::SeqCst) {
                    let (method, path, body) = &requests[turn % requests.len()];
                    turn += 1;
                    let started = Instant::now();
                    match server.request(method, path, body.as_deref()) {
                        Ok((200, _)) => mine.push(started.elapsed()),
                        Ok((status, body)) => failures
                            .lock()
                            .expect("lock")
                            .push(format!("{method} {path}: {status} {body:.200}")),
                        Err(error) => failures
                            .lock()
                            .expect("lock")
                            .push(format!("{method} {path}: {error}")),
                    }
                }
                latencies.lock().expect("lock").extend(mine);
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::SeqCst);
    for worker in workers {
        worker.join().expect("client thread");
    }
    swapper.join().expect("swapper thread");

    let mut latencies = latencies.lock().expect("lock").clone();
    latencies.sort();
    let failures = failures.lock().expect("lock").clone();
    eprintln!(
        "load: {clients} clients, {seconds} s, {} requests ({:.0}/s), {} failed, {} index swaps; p50 {:?} p95 {:?} p99 {:?} max {:?}",
        latencies.len() + failures.len(),
        latencies.len() as f64 / seconds as f64,
        failures.len(),
        swaps.load(Ordering::SeqCst),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or_default(),
    );
    assert!(
        failures.is_empty(),
        "{} failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert!(
        swaps.load(Ordering::SeqCst) >= 2,
        "the index must swap during the load"
    );
    // Every client was served all along, not once: at least a request per client per second
    // (a debug build on two cores serves several hundred a second here).
    assert!(
        latencies.len() as u64 >= clients as u64 * seconds,
        "{} requests answered by {clients} clients in {seconds} s",
        latencies.len()
    );
}
