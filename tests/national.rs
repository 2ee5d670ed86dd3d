//! The national view on the samples: documents with versions (a newer 札幌市 version beside the
//! sample), 事務 read from covers, peers (towns, one prefecture), one wording folded into one
//! hit and one group.

use std::collections::BTreeSet;
use std::path::Path;

use hyoka::compare::groups::compare_groups;
use hyoka::compare::{CompareRequest, compare};
use hyoka::search::{SearchIndex, SearchRequest};

const SAPPORO: &str = "002_ac2772f135d57124.txt";
const SAPPORO_NEWER: &str = "sapporo_r6.txt";

/// The sentence of 札幌市's ⑤物理的対策 that its newer version rewords.
const OLD_SENTENCE: &str = "磁気ディスクや書類は施錠可能な保管庫で保存している。";
const NEW_SENTENCE: &str = "磁気ディスクや書類は施錠可能な耐火金庫で保管している。";

/// The bundled corpus with the 札幌市 sample dated 平成27年 and a newer version of it (令和6年):
/// one sentence of ⑤物理的対策 reworded and every risk rated 十分である instead of
/// 特に力を入れている.
fn corpus_with_two_sapporo_versions(folder: &Path) {
    crate::util::copy_corpus(folder, None);
    let manifest_path = folder.join("manifest.toml");
    let manifest = std::fs::read_to_string(&manifest_path).expect("manifest");
    let dated = manifest.replacen(
        &format!("file = \"{SAPPORO}\"\n"),
        &format!("file = \"{SAPPORO}\"\ndate = \"平成27年4月1日\"\n"),
        1,
    );
    assert_ne!(
        dated, manifest,
        "the manifest entry of the 札幌市 sample moved"
    );
    std::fs::write(&manifest_path, dated).expect("write manifest");
    let sample = crate::util::sample("002");
    let newer = sample
        .replace(OLD_SENTENCE, NEW_SENTENCE)
        .replace("特に力を入れている <input", "十分である <input")
        .replace("[特に力を入れている]", "[十分である]");
    assert_ne!(newer, sample);
    std::fs::write(folder.join(SAPPORO_NEWER), newer).expect("write the newer version");
    crate::util::append_to_manifest(
        folder,
        &format!(
            "\n[[document]]\nfile = \"{SAPPORO_NEWER}\"\nmunicipality = \"札幌市\"\nmunicipality_code = \"011002\"\nprefecture = \"北海道\"\ntitle = \"住民基本台帳に関する事務 全項目評価書 (Ⅲ リスク対策)\"\ndoc_type = \"全項目評価書\"\njimu = \"住民基本台帳に関する事務\"\ndate = \"令和6年10月1日\"\n"
        ),
    );
}

fn index_with_two_sapporo_versions() -> (tempfile::TempDir, SearchIndex) {
    let folder = tempfile::tempdir().expect("temporary folder");
    let corpus = folder.path().join("corpus");
    corpus_with_two_sapporo_versions(&corpus);
    let index = crate::util::ingested(&corpus, &folder.path().join("index"));
    (folder, index)
}

fn files_of_hits(index: &SearchIndex, request: &SearchRequest) -> BTreeSet<String> {
    index
        .search(request)
        .expect("search")
        .hits
        .into_iter()
        .map(|hit| hit.record.source.file)
        .collect()
}

#[test]
fn default_views_hold_only_the_current_version_and_the_switch_shows_both() {
    let (_folder, index) = index_with_two_sapporo_versions();
    // The old wording: only the old version says it.
    let old_words = SearchRequest {
        q: "\"施錠可能な保管庫で保存\"".to_string(),
        municipality: Some("札幌市".to_string()),
        fold: Some("off".to_string()),
        fallback: Some("off".to_string()),
        ..SearchRequest::default()
    };
    let current = files_of_hits(&index, &old_words);
    assert!(
        !current.contains(SAPPORO),
        "past version searched: {current:?}"
    );
    let both = files_of_hits(
        &index,
        &SearchRequest {
            versions: Some("all".to_string()),
            ..old_words.clone()
        },
    );
    assert!(both.contains(SAPPORO), "{both:?}");
    // A hit of the old version says it is one and names the current file.
    let past_hit = index
        .search(&SearchRequest {
            versions: Some("all".to_string()),
            ..old_words
        })
        .expect("search")
        .hits
        .into_iter()
        .find(|hit| hit.record.source.file == SAPPORO)
        .expect("a hit of the old version");
    let version = past_hit.version.expect("a version note");
    assert!(!version.current);
    assert_eq!((version.version, version.versions), (1, 2));
    assert_eq!(version.current_file, SAPPORO_NEWER);

    // The comparison reads only the current version: 札幌市 rows come from one file.
    let comparison = compare(
        &index,
        &CompareRequest {
            slot: "III.7.R1.5".to_string(),
            base: Some("札幌市".to_string()),
            limit: Some(500),
            ..CompareRequest::default()
        },
    )
    .expect("comparison");
    let sapporo_files: BTreeSet<&str> = comparison
        .rows
        .iter()
        .filter(|row| row.body == "札幌市")
        .map(|row| row.record.source.file.as_str())
        .collect();
    assert_eq!(sapporo_files, BTreeSet::from([SAPPORO_NEWER]));
}

/// Every hit of `request` (folding off, page after page) as (record id, whether its document
/// is a current version).
fn records_of_hits(index: &SearchIndex, request: &SearchRequest) -> BTreeSet<(String, bool)> {
    let mut records = BTreeSet::new();
    loop {
        let response = index
            .search(&SearchRequest {
                fold: Some("off".to_string()),
                fallback: Some("off".to_string()),
                limit: Some(hyoka::search::MAX_LIMIT),
                offset: Some(records.len()),
                ..request.clone()
            })
            .expect("search");
        let page = response.hits.len();
        records.extend(response.hits.into_iter().map(|hit| {
            let current = hit.version.as_ref().is_none_or(|version| version.current);
            (hit.record.id, current)
        }));
        if page == 0 || records.len() >= response.total {
            assert_eq!(records.len(), response.total, "a record on two pages");
            return records;
        }
    }
}

#[test]
fn the_current_versions_are_the_same_records_whether_the_words_or_a_filter_lead_the_search() {
    let (_folder, index) = index_with_two_sapporo_versions();
    // A word most records hold (the text leads) and one few hold, words read with their
    // positions (worked out once per text, the text's other records given at once), alone and
    // under filters that hold fewer records than the words (the filter leads and the current
    // versions follow).
    for words in ["特定個人情報", "施錠", "目的外の入手", "\"施錠可能な\""] {
        for (municipality, slot) in [(None, None), (Some("札幌市"), None), (None, Some("III.7"))]
        {
            let request = SearchRequest {
                q: words.to_string(),
                municipality: municipality.map(str::to_string),
                slot: slot.map(str::to_string),
                ..SearchRequest::default()
            };
            let every_version = records_of_hits(
                &index,
                &SearchRequest {
                    versions: Some("all".to_string()),
                    ..request.clone()
                },
            );
            let by_hand: BTreeSet<(String, bool)> = every_version
                .iter()
                .filter(|(_, current)| *current)
                .cloned()
                .collect();
            if municipality.is_none() && slot.is_none() {
                assert!(
                    by_hand.len() < every_version.len(),
                    "{words}: the past version holds no match"
                );
            }
            let filtered = records_of_hits(&index, &request);
            assert!(
                filtered == by_hand,
                "{words} {municipality:?} {slot:?}: {} records not kept, {} past ones kept",
                by_hand.difference(&filtered).count(),
                filtered.difference(&by_hand).count()
            );
        }
    }
}

/// Towns of 北海道 that copy the 札幌市 sample in the tests of wordings many bodies write.
const HOKKAIDO_TOWNS: [&str; 24] = [
    "当別町",
    "松前町",
    "福島町",
    "知内町",
    "木古内町",
    "七飯町",
    "鹿部町",
    "森町",
    "八雲町",
    "長万部町",
    "江差町",
    "上ノ国町",
    "厚沢部町",
    "乙部町",
    "奥尻町",
    "今金町",
    "せたな町",
    "寿都町",
    "黒松内町",
    "蘭越町",
    "喜茂別町",
    "京極町",
    "倶知安町",
    "共和町",
];

/// A response as JSON without its time.
fn without_time(response: &hyoka::search::SearchResponse) -> serde_json::Value {
    let mut value = serde_json::to_value(response).expect("json");
    if let Some(fields) = value.as_object_mut() {
        fields.remove("took_ms");
    }
    value
}

/// Asserts that each search, folded and not, answers as the same search under a filter that
/// keeps every record (which counts the records one by one).
fn assert_runs_count_as_their_records(index: &SearchIndex) {
    for words in [
        "",
        "施錠",
        "目的外の入手",
        "\"統合端末\"",
        "記録 -監視カメラ",
        "特定個人情報 OR 個人番号",
    ] {
        for fold in [None, Some("off")] {
            let request = SearchRequest {
                q: words.to_string(),
                fold: fold.map(str::to_string),
                limit: Some(50),
                ..SearchRequest::default()
            };
            let by_text = index.search(&request).expect("search");
            assert!(by_text.total > 0, "{words}: no match");
            // A dimension every record has one value of: all its values as a filter keep
            // every record.
            let (dimension, values) = ["doc_type", "body_kind", "prefecture", "form_version"]
                .into_iter()
                .map(|dimension| (dimension, &by_text.facets[dimension]))
                .find(|(_, values)| {
                    values.iter().map(|value| value.count).sum::<u64>() as usize == by_text.total
                })
                .expect("a dimension every record has a value of");
            let every_value: Vec<&str> = values.iter().map(|value| &*value.value).collect();
            let mut filtered = request.clone();
            *match dimension {
                "doc_type" => &mut filtered.doc_type,
                "body_kind" => &mut filtered.body_kind,
                "prefecture" => &mut filtered.prefecture,
                _ => &mut filtered.form_version,
            } = Some(every_value.join(","));
            let one_by_one = index.search(&filtered).expect("search");
            let (by_text, one_by_one) = (without_time(&by_text), without_time(&one_by_one));
            let differing: Vec<&String> = by_text
                .as_object()
                .expect("an object")
                .iter()
                .filter(|(key, value)| one_by_one.get(key.as_str()) != Some(*value))
                .map(|(key, _)| key)
                .collect();
            assert!(
                differing.is_empty(),
                "{words:?} fold {fold:?}: {differing:?} differ"
            );
        }
    }
    // The drafting search likewise, its records listed or folded by wording.
    let every_record = index.search(&SearchRequest::default()).expect("search");
    let every_type: Vec<&str> = every_record.facets["doc_type"]
        .iter()
        .map(|value| &*value.value)
        .collect();
    assert_eq!(
        every_record.facets["doc_type"]
            .iter()
            .map(|value| value.count)
            .sum::<u64>() as usize,
        every_record.total,
        "every record has a document type"
    );
    for fold in [None, Some("on")] {
        let request = hyoka::search::SimilarRequest {
            text: "サーバ室は施錠管理し、入退室の記録を保存している。".to_string(),
            limit: Some(50),
            fold: fold.map(str::to_string),
            ..Default::default()
        };
        let by_text = index.similar(&request).expect("similar");
        assert!(by_text.total > 0, "similar: no match");
        let mut filtered = request.clone();
        filtered.peers.doc_type = Some(every_type.join(","));
        let one_by_one = index.similar(&filtered).expect("similar");
        assert_eq!(
            without_time(&by_text),
            without_time(&one_by_one),
            "similar, fold {fold:?}"
        );
    }
    // Under a filter that keeps part of each run (the towns, or 札幌市 alone), a run's first
    // match stands for no other record: a list of records keeps to the filter.
    for words in ["", "施錠"] {
        let request = SearchRequest {
            q: words.to_string(),
            fold: Some("off".to_string()),
            limit: Some(50),
            ..SearchRequest::default()
        };
        let everyone = index.search(&request).expect("search");
        assert!(
            everyone.facets["body_kind"].len() > 1,
            "bodies of two kinds"
        );
        for kind in &everyone.facets["body_kind"] {
            let of_kind = index
                .search(&SearchRequest {
                    body_kind: Some(kind.value.to_string()),
                    ..request.clone()
                })
                .expect("search");
            assert_eq!(of_kind.total as u64, kind.count, "{words:?} {}", kind.value);
            assert!(
                of_kind
                    .hits
                    .iter()
                    .all(|hit| hit.record.body_kind.as_deref() == Some(&*kind.value)),
                "{words:?} {}: a record of another kind listed",
                kind.value
            );
        }
    }
    let draft = "サーバ室は施錠管理し、入退室の記録を保存している。";
    let similar_of = |body_kind: Option<&str>| {
        let mut request = hyoka::search::SimilarRequest {
            text: draft.to_string(),
            limit: Some(50),
            ..Default::default()
        };
        request.peers.body_kind = body_kind.map(str::to_string);
        index.similar(&request).expect("similar")
    };
    let everyone = similar_of(None);
    let kinds: BTreeSet<String> = everyone
        .hits
        .iter()
        .filter_map(|hit| hit.record.body_kind.clone())
        .collect();
    assert!(kinds.len() > 1, "similar records of two kinds: {kinds:?}");
    for kind in &kinds {
        let of_kind = similar_of(Some(kind));
        assert!(
            of_kind.total > 0 && of_kind.total < everyone.total,
            "{kind}"
        );
        assert!(
            of_kind
                .hits
                .iter()
                .all(|hit| hit.record.body_kind.as_ref() == Some(kind)),
            "similar {kind}: a record of another kind listed"
        );
    }
}

#[test]
fn a_text_written_by_many_bodies_counts_at_once_as_its_records_count_one_by_one() {
    // Twelve towns copy the 札幌市 sample, whose older version stays as a past one: most of its
    // texts are written by 13 current records and one past one, a run long enough to be
    // counted at once when a search selects by text alone.
    let folder = tempfile::tempdir().expect("temporary folder");
    let corpus = folder.path().join("corpus");
    let index_folder = folder.path().join("index");
    corpus_with_two_sapporo_versions(&corpus);
    let towns = &HOKKAIDO_TOWNS[..12];
    let files: Vec<String> = towns
        .iter()
        .map(|town| crate::util::write_town_copy(&corpus, (town, "北海道"), None, None))
        .collect();
    let ingest = || {
        hyoka::ingest::ingest_as(
            &corpus,
            &index_folder,
            1,
            hyoka::ingest::IngestMode::Update,
            |_| {},
        )
        .expect("ingest")
    };
    ingest();
    assert_runs_count_as_their_records(&SearchIndex::open(&index_folder).expect("index opens"));

    // Updated in place: two towns reword a measure and one is gone, so that runs hold records
    // deleted in the segments they lie in.
    for town in &towns[..2] {
        crate::util::write_town_copy(
            &corpus,
            (town, "北海道"),
            Some(("施錠可能な保管庫", "鍵付きの保管庫")),
            None,
        );
    }
    std::fs::remove_file(corpus.join(&files[2])).expect("remove a town");
    let summary = ingest();
    assert_eq!(summary.whole_because, None, "an update in place");
    let updated = SearchIndex::open(&index_folder).expect("index opens");
    assert_runs_count_as_their_records(&updated);
}

#[test]
fn a_body_answering_in_two_versions_counts_once_from_the_current_one() {
    let (_folder, index) = index_with_two_sapporo_versions();
    let tally_of = |versions: Option<&str>| {
        let comparison = compare_groups(
            &index,
            &CompareRequest {
                slot: "III.7.R1".to_string(),
                base: Some("札幌市".to_string()),
                versions: versions.map(str::to_string),
                ..CompareRequest::default()
            },
        )
        .expect("comparison");
        comparison
            .ratings
            .iter()
            .filter(|tally| tally.bodies.iter().any(|body| body.body == "札幌市"))
            .map(|tally| tally.answer.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(tally_of(None), ["十分である"]);
    let both = tally_of(Some("all"));
    assert!(
        both.contains(&"十分である".to_string())
            && both.contains(&"特に力を入れている".to_string()),
        "{both:?}"
    );
}

#[test]
fn the_record_page_shows_the_slot_in_the_other_version_with_the_diff() {
    let (_folder, index) = index_with_two_sapporo_versions();
    let hit = index
        .search(&SearchRequest {
            q: "耐火金庫".to_string(),
            slot: Some("III.7.R1.5".to_string()),
            ..SearchRequest::default()
        })
        .expect("search")
        .hits
        .into_iter()
        .next()
        .expect("the newer 札幌市 text");
    assert_eq!(hit.record.source.file, SAPPORO_NEWER);
    let versions =
        hyoka::compare::versions::other_versions(&index, &hit.record).expect("other versions");
    assert_eq!(versions.len(), 1);
    let older = &versions[0];
    assert_eq!(older.file, SAPPORO);
    assert!(older.older && !older.current);
    assert_eq!(older.date.as_deref(), Some("平成27年4月1日"));
    let changed: Vec<&hyoka::compare::AlignedSentence> = older
        .aligned
        .iter()
        .filter(|sentence| sentence.alignment == hyoka::compare::Alignment::Changed)
        .collect();
    assert_eq!(changed.len(), 1, "{:?}", older.aligned);
    assert!(
        changed[0]
            .base
            .as_deref()
            .unwrap_or("")
            .contains("保管庫で保存")
    );
    assert!(changed[0].text.contains("耐火金庫で保管"));
    let inserted: String = changed[0]
        .ops
        .iter()
        .filter(|op| op.op == "insert")
        .map(|op| op.text.as_str())
        .collect();
    assert!(inserted.contains("耐火金"), "{inserted}");
}

#[test]
fn jimu_is_read_from_every_cover_that_prints_one() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    // Documents without a manifest: the 事務 comes from the cover alone.
    let cases = [
        (
            crate::util::sample("004"),
            "住民基本台帳ネットワークに係る本人確認情報の管理及び提供等に関する事務",
            "住基ネット本人確認情報",
        ),
        (
            std::fs::read_to_string(fixtures.join("kinds/kiso.txt")).expect("kiso"),
            "住民基本台帳に関する事務",
            "住民基本台帳",
        ),
        (
            std::fs::read_to_string(fixtures.join("kinds/juten.txt")).expect("juten"),
            "住民基本台帳に関する事務",
            "住民基本台帳",
        ),
    ];
    for (text, printed, category) in cases {
        let meta = hyoka::corpus::infer_meta("cover.txt".to_string(), &text);
        assert_eq!(
            meta.jimu, None,
            "the manifest-free meta says nothing of 事務"
        );
        let records = hyoka::parse::parse_document(&meta, &text).expect("parses");
        for record in &records {
            assert_eq!(record.jimu.as_deref(), Some(printed));
            assert_eq!(record.jimu_category.as_deref(), Some(category));
        }
    }
    // The PDF fixtures print covers too.
    for (pdf, category) in [
        ("pdf/kiso-calc.pdf", "住民基本台帳"),
        ("pdf/juten-chromium.pdf", "住民基本台帳"),
    ] {
        let read = hyoka::corpus::read_document(&fixtures.join(pdf), pdf).expect("the PDF reads");
        let meta = hyoka::corpus::infer_meta(pdf.to_string(), &read.text);
        let records = hyoka::parse::parse_document(&meta, &read.text).expect("parses");
        assert!(
            records
                .iter()
                .all(|record| record.jimu_category.as_deref() == Some(category)),
            "{pdf}: {:?}",
            records.first().map(|record| &record.jimu)
        );
    }
    // A cover without a 評価書名 or 宣言 (001, its organ left blank) names no 事務.
    let text = crate::util::sample("001");
    let meta = hyoka::corpus::infer_meta("001.txt".to_string(), &text);
    let records = hyoka::parse::parse_document(&meta, &text).expect("parses");
    assert!(records.iter().all(|record| record.jimu.is_none()));
}

#[test]
fn the_jimu_filter_narrows_search_and_the_comparison_stays_within_the_bases_jimu() {
    let index = crate::util::index();
    let bodies_for = |jimu: &str| -> BTreeSet<String> {
        index
            .search(&SearchRequest {
                q: "生体認証".to_string(),
                jimu: Some(jimu.to_string()),
                ..SearchRequest::default()
            })
            .expect("search")
            .hits
            .into_iter()
            .map(|hit| hit.record.municipality)
            .collect()
    };
    let juki = bodies_for("住民基本台帳");
    assert!(
        juki.contains("札幌市") && !juki.contains("熊本県"),
        "{juki:?}"
    );
    assert_eq!(
        bodies_for("住基ネット本人確認情報"),
        BTreeSet::from(["熊本県".to_string()])
    );
    // The jimu facet counts both.
    let facets = index
        .search(&SearchRequest {
            q: "生体認証".to_string(),
            ..SearchRequest::default()
        })
        .expect("search")
        .facets;
    let jimu: Vec<&str> = facets["jimu"].iter().map(|count| &*count.value).collect();
    assert!(jimu.contains(&"住民基本台帳") && jimu.contains(&"住基ネット本人確認情報"));

    // 札幌市 as the base: 住基 compared with 住基, 熊本県's 住基ネット left out until widened.
    let groups = |jimu: Option<&str>| {
        compare_groups(
            index,
            &CompareRequest {
                slot: "III.7.R1.5".to_string(),
                base: Some("札幌市".to_string()),
                jimu: jimu.map(str::to_string),
                ..CompareRequest::default()
            },
        )
        .expect("comparison")
    };
    let within = groups(None);
    assert_eq!(within.jimu.as_deref(), Some("住民基本台帳"));
    assert!(within.jimu_from_base);
    assert!(
        !within.bodies.contains(&"熊本県".to_string()),
        "{:?}",
        within.bodies
    );
    let widened = groups(Some("all"));
    assert_eq!(widened.jimu, None);
    assert!(widened.bodies.contains(&"熊本県".to_string()));
}

/// The bundled corpus with the 札幌市 sample copied as two towns of 北海道 and one of 熊本県
/// (the name replaced, the wording kept): peers, and one wording written by four bodies.
fn index_with_towns() -> (tempfile::TempDir, SearchIndex) {
    index_with_copies(&[
        ("ニセコ町", "北海道", None),
        ("余市町", "北海道", None),
        ("菊陽町", "熊本県", None),
    ])
}

/// A town copying the 札幌市 sample: its name, its prefecture and, where given, one phrase of
/// the text edited (from, to).
type TownCopy<'a> = (&'a str, &'a str, Option<(&'a str, &'a str)>);

/// The bundled corpus with the 札幌市 sample copied as each town (its name replaced and, where
/// given, one phrase of its text edited).
fn index_with_copies(towns: &[TownCopy]) -> (tempfile::TempDir, SearchIndex) {
    let folder = tempfile::tempdir().expect("temporary folder");
    let corpus = folder.path().join("corpus");
    crate::util::copy_corpus(&corpus, None);
    for &(town, prefecture, edit) in towns {
        crate::util::write_town_copy(&corpus, (town, prefecture), edit, None);
    }
    let index = crate::util::ingested(&corpus, &folder.path().join("index"));
    (folder, index)
}

#[test]
fn a_compound_held_whole_only_in_a_heading_is_marked_there_not_by_a_fragment_in_the_text() {
    // A ward writes 札幌市's measure under リスク1 目的外の入手 with 区外転入 for 市外転入 (as
    // the national synthetic corpus does): the query's 外, a morpheme of its own in 区外, is not
    // the word searched for, and marked alone it would say the text matched.
    let (_folder, index) =
        index_with_copies(&[("葛飾区", "東京都", Some(("市外転入", "区外転入")))]);
    let request = SearchRequest {
        q: "目的外の入手".to_string(),
        limit: Some(100),
        ..SearchRequest::default()
    };
    let response = index.search(&request).expect("search");
    let measure = response
        .hits
        .iter()
        .find(|hit| hit.record.municipality == "葛飾区" && hit.record.text.contains("区外転入"))
        .expect("the ward's measure speaking of 区外転入 is found");
    let (headings, text) = measure
        .snippet
        .split_once(" — ")
        .unwrap_or_else(|| panic!("no heading part: {}", measure.snippet));
    assert!(headings.contains("<mark>目的外の入手</mark>"), "{headings}");
    assert!(!text.contains("<mark>"), "{text}");
    for hit in &response.hits {
        for marked in hit.snippet.split("<mark>").skip(1) {
            let marked = marked.split("</mark>").next().unwrap_or_default();
            assert!(marked.chars().count() > 1, "{}", hit.snippet);
        }
    }
}

#[test]
fn a_wording_a_few_characters_apart_is_a_variant_of_the_larger_one_with_its_difference() {
    // ニセコ町 writes 札幌市's ⑤物理的対策 as it is; 倶知安町 writes it with 「専用の」 added.
    let (_folder, index) = index_with_copies(&[
        ("ニセコ町", "北海道", None),
        (
            "倶知安町",
            "北海道",
            Some(("施錠可能なラックに設置", "施錠可能な専用のラックに設置")),
        ),
    ]);
    let comparison = compare_groups(
        &index,
        &CompareRequest {
            slot: "III.7.R1.5".to_string(),
            base: Some("札幌市".to_string()),
            ..CompareRequest::default()
        },
    )
    .expect("comparison");
    let base_group = comparison
        .groups
        .iter()
        .find(|group| group.is_base_group)
        .expect("the base's group");
    let members: BTreeSet<&str> = base_group
        .members
        .iter()
        .map(|member| member.body.as_str())
        .collect();
    assert_eq!(members, BTreeSet::from(["ニセコ町", "札幌市"]));
    let variant = base_group
        .variants
        .iter()
        .find(|variant| variant.body == "倶知安町")
        .expect("倶知安町's wording is a variant of the base's");
    assert_eq!(variant.bodies, 1);
    assert!(variant.similarity >= 0.9, "{}", variant.similarity);
    let inserted: Vec<&str> = variant
        .aligned
        .iter()
        .flat_map(|sentence| sentence.ops.iter())
        .filter(|op| op.op == "insert")
        .map(|op| op.text.as_str())
        .collect();
    assert_eq!(inserted, ["専用の"]);
    // Not a wording of its own: no group shows 倶知安町's ⑤ text.
    assert!(
        comparison
            .groups
            .iter()
            .all(|group| !group.row.record.text.contains("専用のラック"))
    );
}

#[test]
fn peers_narrow_the_comparison_to_towns_and_to_one_prefecture() {
    let (_folder, index) = index_with_towns();
    let bodies_of = |body_kind: Option<&str>, prefecture: Option<&str>| -> BTreeSet<String> {
        compare_groups(
            &index,
            &CompareRequest {
                slot: "III.7.R1.5".to_string(),
                body_kind: body_kind.map(str::to_string),
                prefecture: prefecture.map(str::to_string),
                jimu: Some("all".to_string()),
                ..CompareRequest::default()
            },
        )
        .expect("comparison")
        .bodies
        .into_iter()
        .collect()
    };
    let names = |names: &[&str]| names.iter().map(|name| name.to_string()).collect();
    assert_eq!(
        bodies_of(Some("町"), None),
        names(&["ニセコ町", "余市町", "菊陽町"])
    );
    assert_eq!(
        bodies_of(None, Some("北海道")),
        names(&["ニセコ町", "余市町", "札幌市"])
    );
    assert_eq!(
        bodies_of(Some("町"), Some("北海道")),
        names(&["ニセコ町", "余市町"])
    );
    // The same filters in search.
    let towns: BTreeSet<String> = index
        .search(&SearchRequest {
            q: "入退室".to_string(),
            body_kind: Some("町".to_string()),
            ..SearchRequest::default()
        })
        .expect("search")
        .facets["municipality"]
        .iter()
        .map(|count| count.value.to_string())
        .collect();
    assert_eq!(towns, names(&["ニセコ町", "余市町", "菊陽町"]));
}

#[test]
fn a_wording_of_many_bodies_lists_the_first_with_its_hit_and_every_one_when_asked() {
    use hyoka::search::fold::LISTED_BODIES;
    // Twenty-four towns of 北海道 copying the 札幌市 sample: its measures are written by 25
    // bodies, more than a hit lists.
    let towns = HOKKAIDO_TOWNS;
    let copies: Vec<TownCopy> = towns.iter().map(|town| (*town, "北海道", None)).collect();
    let (_folder, index) = index_with_copies(&copies);
    let request = SearchRequest {
        q: "統合端末".to_string(),
        ..SearchRequest::default()
    };
    let response = index.search(&request).expect("search");
    let hit = response
        .hits
        .iter()
        .find(|hit| {
            hit.folded
                .as_ref()
                .is_some_and(|folded| folded.bodies == 25)
        })
        .expect("a wording of the 25 bodies");
    let listed = hit.folded.as_ref().expect("folded");
    assert_eq!(listed.others.len(), LISTED_BODIES);

    let every = index
        .folded_bodies(&request, &hit.record.id)
        .expect("the bodies")
        .expect("the hit's wording");
    assert_eq!(
        (every.records, every.bodies),
        (listed.records, listed.bodies)
    );
    assert_eq!(every.others.len(), towns.len());
    assert_eq!(&every.others[..LISTED_BODIES], listed.others.as_slice());
    let names: BTreeSet<&str> = every
        .others
        .iter()
        .map(|other| other.body.as_str())
        .collect();
    // By label: 森町 and 松前町 are also towns of 静岡県 and 愛媛県.
    let label = |town: &str| hyoka::bodies::LocalBodies::bundled().label_of(town, Some("北海道"));
    let expected: BTreeSet<String> = towns
        .iter()
        .copied()
        .chain(["札幌市"])
        .filter(|body| *body != hit.record.municipality)
        .map(label)
        .collect();
    assert_eq!(names, expected.iter().map(String::as_str).collect());
    // In the order of the bodies' codes, as the national list numbers them: the twenty shown
    // with the hit are the first twenty of all its bodies, not twenty of them.
    let codes: Vec<String> = every
        .others
        .iter()
        .map(|other| {
            let name = other.body.trim_end_matches("（北海道）");
            hyoka::bodies::LocalBodies::bundled()
                .by_name(name, Some("北海道"))
                .map(|body| body.code.clone())
                .expect("a body of 北海道")
        })
        .collect();
    let mut in_code_order = codes.clone();
    in_code_order.sort();
    assert_eq!(codes, in_code_order);
    // A body listed with the hit names the same wording; a record no wording of this search
    // shows, or no record id at all, none.
    let by_listed = index
        .folded_bodies(&request, &listed.others[0].id)
        .expect("the bodies");
    assert_eq!(by_listed.as_ref(), Some(&every));
    for unknown in ["0000000000000000", "札幌市", ""] {
        assert_eq!(
            index.folded_bodies(&request, unknown).expect("no error"),
            None
        );
    }
}

#[test]
fn one_wording_is_one_hit_and_one_group_with_its_bodies() {
    let (_folder, index) = index_with_towns();
    // Search: 札幌市's 生体認証 measure, written by three towns with their own names, is one hit.
    let response = index
        .search(&SearchRequest {
            q: "生体認証".to_string(),
            limit: Some(100),
            ..SearchRequest::default()
        })
        .expect("search");
    let wordings = response.wordings.expect("a folded search counts wordings");
    assert_eq!(
        response.hits.len(),
        wordings,
        "one page holds every wording"
    );
    let unfolded = index
        .search(&SearchRequest {
            q: "生体認証".to_string(),
            limit: Some(100),
            fold: Some("off".to_string()),
            ..SearchRequest::default()
        })
        .expect("search");
    assert_eq!(response.total, unfolded.total, "records counted alike");
    assert!(wordings < unfolded.hits.len());
    // The counts add up: every record is in exactly one wording, every body in the total.
    let records: usize = response
        .hits
        .iter()
        .map(|hit| hit.folded.as_ref().map_or(1, |folded| folded.records))
        .sum();
    assert_eq!(records, response.total);
    let mut bodies = BTreeSet::new();
    for hit in &response.hits {
        bodies.insert(hit.record.municipality.clone());
        for other in &hit.folded.as_ref().expect("folded").others {
            bodies.insert(other.body.clone());
        }
    }
    assert_eq!(Some(bodies.len()), response.bodies);
    let measure = response
        .hits
        .iter()
        .find(|hit| hit.record.text.contains("統合端末"))
        .expect("the 統合端末 measure");
    let folded = measure.folded.as_ref().expect("folded");
    assert_eq!(folded.bodies, 4, "{folded:?}");
    let others: BTreeSet<&str> = folded
        .others
        .iter()
        .map(|other| other.body.as_str())
        .collect();
    assert_eq!(others.len(), 3);
    assert!(!others.contains(measure.record.municipality.as_str()));
    // Each listed body links a record of its own that says the same.
    for other in &folded.others {
        let record = index
            .record(&other.id)
            .expect("lookup")
            .expect("the record");
        assert_eq!(record.municipality, other.body);
        assert!(record.text.contains("統合端末"));
    }

    // Comparison: the four bodies' ⑤物理的対策 is one group, the base's, largest first.
    let comparison = compare_groups(
        &index,
        &CompareRequest {
            slot: "III.7.R1.5".to_string(),
            base: Some("札幌市".to_string()),
            ..CompareRequest::default()
        },
    )
    .expect("comparison");
    let first = &comparison.groups[0];
    assert_eq!(first.bodies, 4);
    assert!(first.is_base_group);
    assert!(first.row.is_base, "the base's group shows the base text");
    let members: BTreeSet<&str> = first
        .members
        .iter()
        .map(|member| member.body.as_str())
        .collect();
    assert_eq!(
        members,
        BTreeSet::from(["ニセコ町", "余市町", "札幌市", "菊陽町"])
    );
    let sizes: Vec<usize> = comparison.groups.iter().map(|group| group.bodies).collect();
    assert!(sizes.windows(2).all(|pair| pair[0] >= pair[1]), "{sizes:?}");
    // Within 住基: 札幌市, the towns, 豊島区's change table and the unnamed 新旧対照表, not 熊本県's
    // 住基ネット.
    assert_eq!(comparison.total_bodies, 6, "{:?}", comparison.bodies);
    assert!(!comparison.bodies.contains(&"熊本県".to_string()));
    // The slot's most common sentences: the shared measure's, by all four bodies.
    let top = &comparison.common_sentences[0];
    assert_eq!(top.bodies, 4);
    assert!((top.share - 4.0 / 6.0).abs() < 1e-3, "{top:?}");
    // Paging over groups: the second page starts after the first.
    let second = compare_groups(
        &index,
        &CompareRequest {
            slot: "III.7.R1.5".to_string(),
            base: Some("札幌市".to_string()),
            offset: Some(1),
            limit: Some(1),
            ..CompareRequest::default()
        },
    )
    .expect("second page");
    assert_eq!(second.groups.len(), 1);
    assert_eq!(
        second.groups[0].row.record.id,
        comparison.groups[1].row.record.id
    );
    let past_end = compare_groups(
        &index,
        &CompareRequest {
            slot: "III.7.R1.5".to_string(),
            offset: Some(comparison.total_groups),
            ..CompareRequest::default()
        },
    );
    assert!(past_end.is_err());
}

#[test]
fn a_parent_slot_holds_every_row_below_it_once_in_reading_order() {
    let (_folder, index) = index_with_towns();
    let table = index.comparison_table();
    let below = |parent: &str, key: &str| {
        parent.is_empty() || key == parent || key.starts_with(&format!("{parent}."))
    };
    for parent in ["III.7", "III.7.R1", "III", ""] {
        let merged = table.rows_of_slot(parent);
        let slots: Vec<&String> = table
            .slot_keys()
            .iter()
            .filter(|key| below(parent, key))
            .collect();
        assert!(
            slots.len() > 1,
            "{parent}: the sample has several slots below it"
        );
        // Each slot's rows, in its own order, and nothing else.
        for key in &slots {
            let of_slot: Vec<u64> = merged
                .iter()
                .filter(|row| table.slot_key(row.slot) == key.as_str())
                .map(|row| row.key)
                .collect();
            let alone: Vec<u64> = table.rows_in_slot(key).iter().map(|row| row.key).collect();
            assert_eq!(of_slot, alone, "{parent}: the rows of {key}");
        }
        let counted: usize = slots.iter().map(|key| table.rows_in_slot(key).len()).sum();
        assert_eq!(merged.len(), counted, "{parent}");
        // Reading order: a body's rows stand together (comparisons list bodies by it).
        let mut bodies: Vec<u32> = Vec::new();
        for row in &merged {
            if bodies.last() != Some(&row.body) {
                assert!(
                    !bodies.contains(&row.body),
                    "{parent}: {} comes back after another body",
                    table.body(row.body)
                );
                bodies.push(row.body);
            }
        }
        assert!(bodies.len() >= 4, "{parent}: the towns and the samples");
    }
}

#[test]
fn a_folded_search_scoring_texts_by_bounds_answers_as_one_scoring_each_exactly() {
    // Towns copying the 札幌市 sample write its wordings with their own names, so one wording
    // is several texts of several lengths (and scores). One town adds a record book to its
    // server room: its measure then holds every bigram of 入退室記録 but not the word, which a
    // bound scores as if it did; another writes the word itself.
    let folder = tempfile::tempdir().expect("temporary folder");
    let corpus = folder.path().join("corpus");
    crate::util::copy_corpus(&corpus, None);
    let towns: [TownCopy; 5] = [
        ("ニセコ町", "北海道", None),
        ("余市町", "北海道", Some(("入退室の記録", "入退室記録"))),
        (
            "共和町",
            "北海道",
            Some((
                "施錠可能な保管庫",
                "施錠可能な保管庫(サーバ室記録簿を含む。)",
            )),
        ),
        (
            "菊陽町",
            "熊本県",
            Some(("監視カメラも", "監視カメラ及び生体認証装置も")),
        ),
        ("東神楽町", "北海道", None),
    ];
    for &(town, prefecture, edit) in &towns {
        crate::util::write_town_copy(&corpus, (town, prefecture), edit, None);
    }
    let index_folder = folder.path().join("index");
    drop(crate::util::ingested(&corpus, &index_folder));
    let open = |bounded_from: u32| {
        SearchIndex::open(&index_folder)
            .expect("index opens")
            .bounding_scores_from(bounded_from)
    };
    let (bounded, exact) = (open(0), open(u32::MAX));
    let mut compared = 0;
    for words in [
        "入退室記録",
        "個人情報",
        "特定個人情報ファイル",
        "施錠 保管庫",
        "監視カメラ 記録",
        "生体認証 OR 静脈認証",
        "サーバ室 -監視カメラ",
        // Too few records hold both: the fallback's search is bounded too.
        "入退室記録 ガバメントクラウド",
    ] {
        for (offset, limit, slot, municipality) in [
            (None, None, None, None),
            (None, Some(2), None, None),
            (Some(1), Some(2), None, None),
            (None, None, Some("III.7"), None),
            (None, None, None, Some("共和町")),
        ] {
            let request = SearchRequest {
                q: words.to_string(),
                offset,
                limit,
                slot: slot.map(str::to_string),
                municipality: municipality.map(str::to_string),
                ..SearchRequest::default()
            };
            let answer = bounded.search(&request).expect("search");
            let exact_answer = exact.search(&request).expect("search");
            let ranked = |response: &hyoka::search::SearchResponse| -> Vec<(String, f32)> {
                let hits = response.hits.iter();
                hits.map(|hit| (hit.record.id.clone(), hit.score)).collect()
            };
            let asked = format!("{words:?} {offset:?} {limit:?} {slot:?} {municipality:?}");
            assert_eq!(ranked(&answer), ranked(&exact_answer), "{asked}");
            assert!(
                without_time(&answer) == without_time(&exact_answer),
                "{asked}: the answers differ"
            );
            for hit in &answer.hits {
                let others = hit.folded.iter().flat_map(|folded| &folded.others);
                for id in std::iter::once(&hit.record.id).chain(others.map(|other| &other.id)) {
                    assert_eq!(
                        bounded.folded_bodies(&request, id).expect("bodies"),
                        exact.folded_bodies(&request, id).expect("bodies"),
                        "{words:?}: the bodies of {id}"
                    );
                }
            }
            compared += 1;
        }
    }
    assert_eq!(compared, 40);
}

#[test]
fn a_word_with_a_particle_ranks_its_words_written_together_with_another_particle_first() {
    // 入退室の記録: one town writes 入退室を記録 (the words side by side, another particle),
    // another the words apart; both texts are otherwise the 札幌市 sample's, the first longer.
    let (_folder, index) = index_with_copies(&[
        (
            "ニセコ町",
            "北海道",
            Some((
                "入退室の記録は保存され",
                "入退室を記録して、内容を確認した上で常に安全に保存し",
            )),
        ),
        (
            "余市町",
            "北海道",
            Some((
                "入退室の記録は保存され",
                "入退室について、内容を確認した上で記録は保存され",
            )),
        ),
    ]);
    let request = SearchRequest {
        q: "入退室の記録".to_string(),
        fold: Some("off".to_string()),
        limit: Some(100),
        ..SearchRequest::default()
    };
    let hits = index.search(&request).expect("search").hits;
    let score_of = |written: &str| {
        hits.iter()
            .find(|hit| hit.record.text.contains(written))
            .map(|hit| hit.score)
            .expect("a hit holding the words")
    };
    let (together, apart) = (score_of("入退室を記録"), score_of("入退室について"));
    assert!(
        together > apart * 1.5,
        "入退室を記録 scores {together}, the words apart {apart}"
    );
}

#[test]
fn towns_bearing_one_name_are_filed_counted_listed_and_compared_apart() {
    // Four towns are 池田町 nationally: two of them copy the 札幌市 sample (one sentence apart,
    // or the second would be a copy of the first's document), beside 余市町.
    let (_folder, index) = index_with_copies(&[
        ("池田町", "北海道", None),
        ("池田町", "福井県", Some((OLD_SENTENCE, NEW_SENTENCE))),
        ("余市町", "北海道", None),
    ]);
    let search = |municipality: Option<&str>| {
        index
            .search(&SearchRequest {
                q: "統合端末".to_string(),
                municipality: municipality.map(str::to_string),
                fold: Some("off".to_string()),
                limit: Some(100),
                ..SearchRequest::default()
            })
            .expect("search")
    };
    let everyone = search(None);
    let counts: std::collections::BTreeMap<&str, u64> = everyone.facets["municipality"]
        .iter()
        .map(|count| (&*count.value, count.count))
        .collect();
    let yoichi = counts["余市町"];
    assert_eq!(counts.get("池田町（北海道）"), Some(&yoichi), "{counts:?}");
    assert_eq!(counts.get("池田町（福井県）"), Some(&yoichi), "{counts:?}");
    assert!(!counts.contains_key("池田町"), "{counts:?}");

    // A label is one town; the bare name is each town of that name; a name one body bears is
    // that body with or without its prefecture.
    let prefectures_of = |response: &hyoka::search::SearchResponse| -> BTreeSet<String> {
        response
            .hits
            .iter()
            .map(|hit| {
                format!(
                    "{}{}",
                    hit.record.municipality,
                    hit.record.prefecture.clone().unwrap_or_default()
                )
            })
            .collect()
    };
    assert_eq!(
        prefectures_of(&search(Some("池田町（福井県）"))),
        BTreeSet::from(["池田町福井県".to_string()])
    );
    assert_eq!(search(Some("池田町（福井県）")).total as u64, yoichi);
    assert_eq!(
        prefectures_of(&search(Some("池田町"))),
        BTreeSet::from(["池田町北海道".to_string(), "池田町福井県".to_string()])
    );
    assert_eq!(search(Some("余市町（北海道）")).total as u64, yoichi);

    // Folded, the others writing a wording are listed by label.
    let folded = index
        .search(&SearchRequest {
            q: "統合端末".to_string(),
            ..SearchRequest::default()
        })
        .expect("search");
    let others: BTreeSet<String> = folded
        .hits
        .iter()
        .filter_map(|hit| hit.folded.as_ref())
        .flat_map(|folded| folded.others.iter().map(|other| other.body.clone()))
        .collect();
    assert!(
        others.contains("池田町（北海道）") || others.contains("池田町（福井県）"),
        "{others:?}"
    );
    assert!(!others.contains("池田町"), "{others:?}");

    // The comparison takes either town as its base, and a label from a link for a body of
    // its own name.
    for base in ["池田町（福井県）", "札幌市（北海道）"] {
        let compared = compare(
            &index,
            &CompareRequest {
                slot: "III.7.R1.5".to_string(),
                base: Some(base.to_string()),
                ..CompareRequest::default()
            },
        )
        .expect("comparison");
        assert_eq!(
            compared.base.as_deref(),
            hyoka::bodies::LocalBodies::bundled()
                .labels_named(base)
                .first()
                .map(String::as_str)
        );
    }
}

#[test]
fn the_answers_view_gives_what_the_current_version_answers() {
    use hyoka::compare::answers::{AnswersRequest, answers};
    // The newer 札幌市 version rates every risk 十分である where the sample says 特に力を入れている.
    let (_folder, index) = index_with_two_sapporo_versions();
    let view = answers(
        &index.comparison_table(),
        &index.documents(),
        &AnswersRequest {
            slot: Some("III.7.R1".to_string()),
            ..AnswersRequest::default()
        },
    )
    .expect("answers");
    let rating = view
        .columns
        .iter()
        .position(|column| column.slot == "III.7.R1")
        .expect("the risk's column");
    let sapporo = view
        .bodies
        .iter()
        .find(|row| row.body == "札幌市")
        .expect("札幌市's row");
    let given: Vec<&str> = sapporo.cells[rating]
        .iter()
        .map(|given| given.answer.as_str())
        .collect();
    assert_eq!(given, ["十分である"], "{:?}", sapporo.cells[rating]);
}

#[test]
fn wordings_a_comma_apart_are_one_hit_and_a_word_apart_are_two() {
    // 余市町 copies 札幌市's sentence with a 読点 more; 菊陽町 with one word changed.
    let with_comma = OLD_SENTENCE.replacen("は", "は、", 1);
    let (_folder, index) = index_with_copies(&[
        (
            "余市町",
            "北海道",
            Some((OLD_SENTENCE, with_comma.as_str())),
        ),
        ("菊陽町", "熊本県", Some((OLD_SENTENCE, NEW_SENTENCE))),
    ]);
    let response = index
        .search(&SearchRequest {
            q: "\"磁気ディスクや書類\"".to_string(),
            limit: Some(100),
            ..SearchRequest::default()
        })
        .expect("search");
    let bodies_of = |hit: &hyoka::search::Hit| -> BTreeSet<String> {
        let mut bodies = BTreeSet::from([hit.record.municipality.clone()]);
        if let Some(folded) = &hit.folded {
            bodies.extend(folded.others.iter().map(|other| other.body.clone()));
        }
        bodies
    };
    let holding = |body: &str| {
        response
            .hits
            .iter()
            .find(|hit| bodies_of(hit).contains(body))
            .unwrap_or_else(|| panic!("a hit holding {body}"))
    };
    // The comma aside, 札幌市's and 余市町's texts are one wording; 菊陽町's 耐火金庫 another.
    assert_eq!(holding("余市町").record.id, holding("札幌市").record.id);
    assert_ne!(holding("菊陽町").record.id, holding("札幌市").record.id);
    assert!(
        holding("余市町").record.text.contains("保管庫")
            && holding("菊陽町").record.text.contains("耐火金庫"),
        "{} / {}",
        holding("余市町").record.text,
        holding("菊陽町").record.text
    );
}
