//! Updating an index in place: documents added, changed and removed are read, deleted or
//! taken over, and the updated index answers every request exactly as an index built whole
//! from the same folder (rankings, scores, facets, versions, comparisons, groups).

use std::path::Path;

use axum::body::Body;
use axum::http::Request;
use hyoka::ingest::{IngestMode, IngestSummary, WholeBecause, ingest_as};
use hyoka::search::SearchIndex;

const SAPPORO: &str = "002_ac2772f135d57124.txt";
const KUMAMOTO: &str = "004_4b002c556b2ae98c.txt";

/// A town copying the 札幌市 sample, dated 令和5年 (see [`crate::util::write_town_copy`]).
fn write_town(corpus: &Path, town: &str, prefecture: &str, edit: Option<(&str, &str)>) -> String {
    crate::util::write_town_copy(corpus, (town, prefecture), edit, Some("令和5年4月1日"))
}

/// The bundled corpus with two towns copying 札幌市 (one wording written by three bodies) and
/// a newer version of the 札幌市 sample (versions).
fn national_corpus(corpus: &Path) {
    crate::util::copy_corpus(corpus, None);
    let manifest_path = corpus.join("manifest.toml");
    let manifest = std::fs::read_to_string(&manifest_path).expect("manifest");
    let dated = manifest.replacen(
        &format!("file = \"{SAPPORO}\"\n"),
        &format!("file = \"{SAPPORO}\"\ndate = \"平成27年4月1日\"\n"),
        1,
    );
    std::fs::write(&manifest_path, dated).expect("write manifest");
    let newer = crate::util::sample("002").replace("施錠可能な保管庫で保存", "耐火金庫で保管");
    std::fs::write(corpus.join("sapporo_r6.txt"), newer).expect("write");
    crate::util::append_to_manifest(
        corpus,
        "\n[[document]]\nfile = \"sapporo_r6.txt\"\nmunicipality = \"札幌市\"\nmunicipality_code = \"011002\"\nprefecture = \"北海道\"\ntitle = \"住民基本台帳に関する事務 全項目評価書 (Ⅲ リスク対策)\"\ndoc_type = \"全項目評価書\"\njimu = \"住民基本台帳に関する事務\"\ndate = \"令和6年10月1日\"\n",
    );
    write_town(corpus, "ニセコ町", "北海道", None);
    write_town(corpus, "余市町", "北海道", None);
}

fn ingest(corpus: &Path, index: &Path, mode: IngestMode) -> IngestSummary {
    ingest_as(corpus, index, 1, mode, |_| {}).expect("ingest")
}

/// What the API answers on `uri` (GET, or POST with `body`): its status and its JSON, timings
/// taken out.
fn answer(index: &Path, method: &str, uri: &str, body: Option<&str>) -> serde_json::Value {
    let index = std::sync::Arc::new(SearchIndex::open(index).expect("index opens"));
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "127.0.0.1")
        .header("content-type", "application/json")
        .body(body.map_or_else(Body::empty, |body| Body::from(body.to_string())))
        .expect("request");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (status, _, bytes) = runtime.block_on(crate::util::send_to(
        hyoka::http::AppState::new(index),
        request,
    ));
    let mut value: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    strip_timings(&mut value);
    serde_json::json!({ "status": status.as_u16(), "body": value })
}

fn strip_timings(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(fields) => {
            fields.remove("took_ms");
            fields.values_mut().for_each(strip_timings);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_timings),
        _ => {}
    }
}

/// The requests both indexes must answer alike: searches of one noun, several, a compound, a
/// phrase, folded and not, filtered, past versions, paged; comparisons and groups of the slots
/// the changes touch; answers, slots, bodies; a draft's similar records.
fn requests() -> Vec<(&'static str, String, Option<String>)> {
    let q = crate::util::encoded;
    let mut requests = Vec::new();
    for query in [
        "サーバ室",
        "施錠 保管庫",
        "耐火金庫",
        "生体認証",
        "誤った情報提供",
        "\"入退室管理\"",
        "中間サーバー",
        "委託",
    ] {
        for extra in [
            "",
            "&fold=off",
            "&versions=all",
            "&municipality=札幌市",
            "&slot=III.7.R1.5",
            "&limit=5&offset=5",
        ] {
            let extra = extra.replace("札幌市", &q("札幌市"));
            requests.push(("GET", format!("/api/search?q={}{extra}", q(query)), None));
        }
    }
    for slot in ["III.7.R1.5", "III.7.R1", "III.3.R1.1", "II"] {
        requests.push(("GET", format!("/api/compare?slot={slot}"), None));
        requests.push((
            "GET",
            format!("/api/compare?slot={slot}&base={}", q("札幌市")),
            None,
        ));
        requests.push(("GET", format!("/api/compare/groups?slot={slot}"), None));
        requests.push(("GET", format!("/api/answers?slot={slot}"), None));
    }
    requests.push(("GET", "/api/slots".to_string(), None));
    requests.push(("GET", "/api/municipalities".to_string(), None));
    requests.push((
        "GET",
        format!("/api/municipalities?body={}", q("札幌市")),
        None,
    ));
    requests.push(("GET", "/api/draft/slots".to_string(), None));
    let draft = crate::util::sentence_containing("002", "サーバ室");
    requests.push((
        "POST",
        "/api/similar".to_string(),
        Some(serde_json::json!({ "text": draft, "slot": "III.7.R1.5" }).to_string()),
    ));
    requests.push((
        "POST",
        "/api/similar".to_string(),
        Some(serde_json::json!({ "text": draft, "fold": "off" }).to_string()),
    ));
    requests
}

/// Every request answered alike by the updated index and one built whole from `corpus`.
fn assert_answers_as_built_whole(corpus: &Path, updated: &Path, whole: &Path) {
    let summary = ingest(corpus, whole, IngestMode::Whole);
    assert_eq!(summary.whole_because, Some(WholeBecause::Asked));
    let requests = requests();
    let mut answered = 0;
    for (method, uri, body) in &requests {
        let (method, body) = (*method, body.as_deref());
        let from_update = answer(updated, method, uri, body);
        let from_whole = answer(whole, method, uri, body);
        answered += usize::from(from_whole["status"] == 200);
        assert!(
            from_update == from_whole,
            "{method} {uri}: the updated index answers\n{}\nbut the whole one\n{}",
            serde_json::to_string_pretty(&from_update).unwrap_or_default(),
            serde_json::to_string_pretty(&from_whole).unwrap_or_default()
        );
    }
    // Errors alike would prove little: all but the pages past a short list's end answer.
    assert!(
        answered * 10 >= requests.len() * 9,
        "{answered} of {} answered",
        requests.len()
    );
}

#[test]
fn an_updated_index_answers_every_request_as_one_built_whole() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let corpus = folder.path().join("corpus");
    let updated = folder.path().join("updated");
    national_corpus(&corpus);
    let first = ingest(&corpus, &updated, IngestMode::Update);
    assert_eq!(first.whole_because, Some(WholeBecause::NoUpdatableIndex));

    // A town added, a town's measure reworded, 熊本県's document removed (its file gone, its
    // entry left: reported, not indexed), 豊島区's entry given a date (the manifest's word
    // about a file is part of it).
    let added = write_town(
        &corpus,
        "菊陽町",
        "熊本県",
        Some(("施錠可能な保管庫", "鍵のかかる保管庫")),
    );
    let reworded = write_town(
        &corpus,
        "余市町",
        "北海道",
        Some(("施錠可能な保管庫", "施錠できる保管庫")),
    );
    std::fs::remove_file(corpus.join(KUMAMOTO)).expect("remove");
    let manifest_path = corpus.join("manifest.toml");
    let manifest = std::fs::read_to_string(&manifest_path).expect("manifest");
    std::fs::write(
        &manifest_path,
        manifest.replacen(
            "file = \"000_e20f3394f4bd9a53.txt\"\n",
            "file = \"000_e20f3394f4bd9a53.txt\"\ndate = \"令和6年4月1日\"\n",
            1,
        ),
    )
    .expect("write manifest");

    let second = ingest(&corpus, &updated, IngestMode::Update);
    assert_eq!(second.whole_because, None, "an update");
    let update = second.update.as_ref().expect("what the update did");
    assert_eq!(update.added, vec![added.clone()]);
    let mut replaced = update.replaced.clone();
    replaced.sort();
    let mut expected = vec!["000_e20f3394f4bd9a53.txt".to_string(), reworded.clone()];
    expected.sort();
    assert_eq!(replaced, expected);
    assert_eq!(update.removed, vec![KUMAMOTO.to_string()]);
    // Only what changed was read.
    assert_eq!(second.documents.len(), 3, "{:?}", second.documents);
    assert!(
        second
            .skipped
            .iter()
            .any(|skipped| skipped.file == KUMAMOTO)
    );
    assert_answers_as_built_whole(&corpus, &updated, &folder.path().join("whole-1"));

    // Again on the updated index: the added town reworded once more (its records, written by
    // the first update, deleted in turn) and the newer 札幌市 version removed with its entry,
    // so the older one is current again.
    write_town(
        &corpus,
        "菊陽町",
        "熊本県",
        Some(("施錠可能な保管庫", "耐火性の保管庫")),
    );
    std::fs::remove_file(corpus.join("sapporo_r6.txt")).expect("remove");
    let manifest = std::fs::read_to_string(&manifest_path).expect("manifest");
    let entry_start = manifest
        .find("[[document]]\nfile = \"sapporo_r6.txt\"")
        .expect("the newer version's entry");
    let entry_end = manifest[entry_start + 1..]
        .find("[[document]]")
        .map_or(manifest.len(), |end| entry_start + 1 + end);
    std::fs::write(
        &manifest_path,
        format!("{}{}", &manifest[..entry_start], &manifest[entry_end..]),
    )
    .expect("write manifest");
    let third = ingest(&corpus, &updated, IngestMode::Update);
    let update = third.update.as_ref().expect("an update");
    assert_eq!(update.replaced, vec![added]);
    assert_eq!(update.removed, vec!["sapporo_r6.txt".to_string()]);
    assert_answers_as_built_whole(&corpus, &updated, &folder.path().join("whole-2"));

    // The same files in another folder are other files: read whole, and said why.
    let moved = folder.path().join("moved");
    std::fs::rename(&corpus, &moved).expect("move the corpus");
    let fourth = ingest(&moved, &updated, IngestMode::Update);
    assert_eq!(fourth.whole_because, Some(WholeBecause::OtherFolder));
    assert!(
        hyoka::messages::whole_because(WholeBecause::OtherFolder).contains("別のフォルダ"),
        "staff read why in Japanese"
    );
}

/// A running index's comparisons of one slot, as the page asks for them: the table and the
/// wordings, as JSON.
fn comparisons_of(index: &SearchIndex, slot: &str) -> String {
    let request = hyoka::compare::CompareRequest {
        slot: slot.to_string(),
        ..Default::default()
    };
    let table = hyoka::compare::compare(index, &request).expect("comparison");
    let groups = hyoka::compare::groups::compare_groups(index, &request).expect("groups");
    serde_json::to_string_pretty(&(table, groups)).expect("JSON")
}

#[test]
fn a_running_index_compares_a_reworded_measure_anew_once_it_switches_generation() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let corpus = folder.path().join("corpus");
    let index = folder.path().join("index");
    national_corpus(&corpus);
    ingest(&corpus, &index, IngestMode::Update);
    let running = SearchIndex::open(&index).expect("index opens");
    let slot = "III.7.R1.5";
    let before = comparisons_of(&running, slot);
    assert!(before.contains("施錠可能な保管庫"), "{before}");
    // Asked again, from the records the generation keeps keyed: the same answer.
    assert_eq!(comparisons_of(&running, slot), before);

    write_town(
        &corpus,
        "余市町",
        "北海道",
        Some(("施錠可能な保管庫", "施錠できる保管庫")),
    );
    let update = ingest(&corpus, &index, IngestMode::Update);
    assert_eq!(update.whole_because, None, "an update");
    assert!(
        running.reload_if_changed().expect("reload"),
        "a new generation"
    );
    let after = comparisons_of(&running, slot);
    assert!(after.contains("施錠できる保管庫"), "{after}");
    assert_eq!(
        after,
        comparisons_of(&SearchIndex::open(&index).expect("index opens"), slot),
        "the running index answers as one opened afresh"
    );
}

/// A whole build merges the segments its indexing threads wrote; the generation keeps only the
/// files of the segments it searches (the merged ones' went with the merge, where they used to
/// stay behind: 40 % of the folder at 1M records).
#[test]
fn a_whole_build_keeps_only_the_files_of_the_segments_it_searches() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let corpus = folder.path().join("corpus");
    let index = folder.path().join("index");
    national_corpus(&corpus);
    // Two indexing threads write two segments at least, which the build merges into one.
    ingest_as(&corpus, &index, 2, IngestMode::Whole, |_| {}).expect("ingest");
    let generation =
        index.join(hyoka::index::current_generation(&index).expect("a live generation"));
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(generation.join("meta.json")).expect("tantivy's meta"),
    )
    .expect("meta is JSON");
    let searched: std::collections::BTreeSet<String> = meta["segments"]
        .as_array()
        .expect("segments")
        .iter()
        .map(|segment| segment["segment_id"].as_str().expect("id").replace('-', ""))
        .collect();
    let on_disk: std::collections::BTreeSet<String> = std::fs::read_dir(&generation)
        .expect("generation folder")
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().to_string();
            let (stem, _) = name.split_once('.')?;
            (stem.len() == 32 && stem.bytes().all(|byte| byte.is_ascii_hexdigit()))
                .then(|| stem.to_string())
        })
        .collect();
    assert_eq!(searched.len(), 1, "{searched:?}");
    assert_eq!(on_disk, searched);
}
