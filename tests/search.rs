//! Searching the bundled corpus through the library.

use hyoka::analysis::normalize;
use hyoka::search::{SearchError, SearchRequest, SearchResponse};

use crate::util::index;

fn search(q: &str) -> SearchResponse {
    index()
        .search(&SearchRequest {
            q: q.to_string(),
            limit: Some(100),
            ..SearchRequest::default()
        })
        .expect("search succeeds")
}

#[test]
fn biometric_authentication_finds_sapporo() {
    let response = search("生体認証");
    assert!(
        response
            .hits
            .iter()
            .any(|hit| hit.record.municipality == "札幌市")
    );
    // Every hit holds the word as typed (as written, or its two words 生体 and 認証: a typed word
    // matches by its morphemes) or one of its synonyms as written, never a synonym only through
    // its pieces somewhere (顔 of 顔写真 and 認証 elsewhere is not 顔認証).
    let spellings = ["生体認証", "静脈認証", "指紋認証", "顔認証"];
    assert!(!response.hits.is_empty());
    for hit in &response.hits {
        let indexed = normalize(&hit.record.indexed_text()).as_str().to_string();
        let typed_words = indexed.contains("生体") && indexed.contains("認証");
        assert!(
            typed_words || spellings.iter().any(|spelling| indexed.contains(spelling)),
            "{} holds none of {spellings:?}: {}",
            hit.record.id,
            hit.record.text
        );
    }
}

#[test]
fn a_long_vowel_query_finds_text_written_without_it() {
    let response = search("サーバー室");
    let written_short = response
        .hits
        .iter()
        .filter(|hit| hit.record.search_text().contains("サーバ室"))
        .count();
    assert!(written_short > 0, "no hit written サーバ室");
}

#[test]
fn a_katakana_fragment_finds_passages_that_only_have_the_compound() {
    let response = search("クラウド");
    let only_compound = response.hits.iter().any(|hit| {
        let text = hit.record.search_text();
        text.contains("ガバメントクラウド")
            && text
                .replace("ガバメントクラウド", "")
                .find("クラウド")
                .is_none()
    });
    assert!(
        only_compound,
        "no hit where クラウド occurs only inside ガバメントクラウド"
    );
}

#[test]
fn platform_finds_the_intermediate_server_platform() {
    let response = search("プラットフォーム");
    assert!(response.hits.iter().any(|hit| {
        hit.record
            .search_text()
            .contains("中間サーバー・プラットフォーム")
    }));
}

#[test]
fn an_unspaced_phrase_finds_the_measures_written_under_it() {
    // In the documents 目的外の入手 is the wording of a risk heading (Ⅲ 2 and Ⅲ 6 リスク1);
    // the measures under it are what a user searching it wants.
    let response = search("目的外の入手");
    assert!(response.total > 0);
    assert!(
        response
            .hits
            .iter()
            .all(|hit| hit.record.indexed_text().contains("目的外の入手"))
    );
    assert!(response.hits.iter().any(|hit| {
        hit.record.municipality == "札幌市" && hit.record.slot.as_deref() == Some("III.2.R1")
    }));
}

#[test]
fn an_unspaced_compound_in_running_text_is_found_whatever_the_segmentation() {
    let response = search("目的外利用");
    assert!(
        response
            .hits
            .iter()
            .any(|hit| hit.record.search_text().contains("目的外利用"))
    );
    assert!(response.hits[0].snippet.contains("<mark>"));
}

#[test]
fn an_exclusion_removes_the_hits_that_contain_it() {
    let with = search("クラウド");
    let without = search("クラウド -ガバメントクラウド");
    assert!(without.total < with.total);
    assert!(
        without
            .hits
            .iter()
            .all(|hit| !hit.record.search_text().contains("ガバメントクラウド"))
    );
}

#[test]
fn a_slot_filter_includes_everything_below_the_slot() {
    let response = index()
        .search(&SearchRequest {
            slot: Some("III.7.R1".to_string()),
            limit: Some(100),
            ..SearchRequest::default()
        })
        .expect("browse succeeds");
    let slots: Vec<String> = response
        .hits
        .iter()
        .filter_map(|hit| hit.record.slot.clone())
        .collect();
    assert!(slots.iter().any(|slot| slot == "III.7.R1.5"));
    assert!(
        slots
            .iter()
            .all(|slot| hyoka::form::is_within(slot, "III.7.R1"))
    );
}

#[test]
fn a_municipality_filter_narrows_hits_and_facets_count_them() {
    let all = search("認証");
    let sapporo_count = all.facets["municipality"]
        .iter()
        .find(|facet| &*facet.value == "札幌市")
        .map(|facet| facet.count)
        .expect("札幌市 facet");
    let filtered = index()
        .search(&SearchRequest {
            q: "認証".to_string(),
            municipality: Some("札幌市".to_string()),
            limit: Some(100),
            ..SearchRequest::default()
        })
        .expect("search succeeds");
    assert_eq!(filtered.total as u64, sapporo_count);
    assert!(
        filtered
            .hits
            .iter()
            .all(|hit| hit.record.municipality == "札幌市")
    );
}

#[test]
fn results_are_deterministic_for_the_same_request() {
    let first = search("入退室管理");
    let second = search("入退室管理");
    let ids = |response: &SearchResponse| {
        response
            .hits
            .iter()
            .map(|hit| hit.record.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&first), ids(&second));
}

#[test]
fn bad_requests_are_errors_not_panics() {
    let bad = |request: SearchRequest| index().search(&request).expect_err("refused");
    assert!(matches!(
        bad(SearchRequest {
            q: "(\"".into(),
            ..Default::default()
        }),
        SearchError::Query(_)
    ));
    assert!(matches!(
        bad(SearchRequest {
            slot: Some("III.99".into()),
            ..Default::default()
        }),
        SearchError::UnknownSlot(_)
    ));
    assert!(matches!(
        bad(SearchRequest {
            limit: Some(101),
            ..Default::default()
        }),
        SearchError::LimitTooLarge(101)
    ));
}

#[test]
fn golden_search_results_for_physical_measures() {
    let response = index()
        .search(&SearchRequest {
            q: "入退室管理".to_string(),
            slot: Some("III.7.R1.5".to_string()),
            limit: Some(10),
            ..SearchRequest::default()
        })
        .expect("search succeeds");
    let mut rendered = format!(
        "total: {} records, {} wordings, {} bodies\n",
        response.total,
        response.wordings.unwrap_or_default(),
        response.bodies.unwrap_or_default()
    );
    for hit in &response.hits {
        let folded = hit.folded.as_ref().map_or(1, |folded| folded.records);
        rendered.push_str(&format!(
            "{} | {} | {} | {} | {folded} record(s) of this wording\n    {}\n",
            hit.record.municipality,
            hit.record.slot.as_deref().unwrap_or("-"),
            hit.record.file_name.as_deref().unwrap_or("-"),
            hit.record.actor.as_deref().unwrap_or("-"),
            hit.snippet.replace('\n', " "),
        ));
    }
    insta::assert_snapshot!(rendered);
}

// ---- issue 14: words that differ, the fallback, records without text of their own ----

fn top(q: &str, limit: usize) -> SearchResponse {
    index()
        .search(&SearchRequest {
            q: q.to_string(),
            limit: Some(limit),
            ..SearchRequest::default()
        })
        .expect("search succeeds")
}

/// Whether one of the first `depth` hits' own text holds every needle (width-folded).
fn in_top(response: &SearchResponse, depth: usize, needles: &[&str]) -> bool {
    response.hits.iter().take(depth).any(|hit| {
        let text = normalize(&hit.record.search_text())
            .as_str()
            .replace(' ', "");
        needles
            .iter()
            .all(|needle| text.contains(normalize(needle).as_str()))
    })
}

#[test]
fn re_outsourcing_approval_finds_the_written_consent_through_a_synonym() {
    // The documents say 「書面による承諾」, never 再委託 with 承認.
    let response = top("再委託 承認", 10);
    assert!(in_top(&response, 10, &["再委託", "承諾"]));
    let used = response
        .synonyms
        .iter()
        .find(|used| used.term == "承認")
        .expect("承認 is expanded");
    assert!(used.alternatives.iter().any(|word| word == "承諾"));
}

#[test]
fn an_operation_log_retention_query_finds_the_years_it_is_kept() {
    // The documents say 操作履歴を7年間保存／保管: no 保存期間 anywhere near.
    let response = top("操作履歴 保存期間", 10);
    assert!(in_top(&response, 10, &["操作履歴", "年間"]));
    let fallback = response.fallback.expect("the search fell back");
    assert!(fallback.missing.contains(&"保存期間".to_string()));
}

#[test]
fn personnel_changes_find_every_access_right_revocation_measure() {
    let response = top("人事異動 アクセス権限 失効", 10);
    // Records, not hits: the body's three files say it in one wording, folded into one hit.
    let revocations: usize = response
        .hits
        .iter()
        .take(10)
        .filter(|hit| hit.record.slot.as_deref() == Some("III.3.R2.2"))
        .filter(|hit| {
            let text = hit.record.search_text();
            text.contains("失効") && text.contains("異動")
        })
        .map(|hit| hit.folded.as_ref().map_or(1, |folded| folded.records))
        .sum();
    // One as typed; the body's three files and 熊本県 with 異動 for 人事異動.
    assert!(
        revocations >= 4,
        "{revocations} revocation measures in the top 10"
    );
}

#[test]
fn the_measure_for_deceased_persons_numbers_outranks_its_empty_heading_records() {
    let response = top("死者の個人番号 保管", 10);
    let first = &response.hits[0].record;
    assert!(first.has_own_text(), "first hit has no text of its own");
    assert!(in_top(&response, 10, &["150年間"]));
    // No record without text of its own stands above one with it.
    let own: Vec<bool> = response
        .hits
        .iter()
        .filter(|hit| hit.missing.is_empty())
        .map(|hit| hit.record.has_own_text())
        .collect();
    let first_empty = own.iter().position(|own| !own).unwrap_or(own.len());
    assert!(own[first_empty..].iter().all(|own| !own), "{own:?}");
}

#[test]
fn fallback_hits_come_after_every_hit_holding_all_the_words_and_name_what_they_lack() {
    let response = top("再委託 承認", 40);
    let fallback = response
        .fallback
        .as_ref()
        .expect("few hits hold both words");
    let all_words = fallback.all_words_total;
    assert!(all_words < hyoka::search::FEW_HITS);
    assert!(response.total > all_words);
    for (rank, hit) in response.hits.iter().enumerate() {
        assert_eq!(hit.missing.is_empty(), rank < all_words, "rank {rank}");
    }
    // Listed in query order, each once.
    assert_eq!(
        fallback.missing,
        vec!["再委託".to_string(), "承認".to_string()]
    );
}

#[test]
fn switching_the_fallback_off_keeps_only_records_holding_every_word() {
    let response = index()
        .search(&SearchRequest {
            q: "再委託 承認".to_string(),
            fallback: Some("off".to_string()),
            ..SearchRequest::default()
        })
        .unwrap();
    assert!(response.fallback.is_none());
    assert!(response.hits.iter().all(|hit| hit.missing.is_empty()));
    assert_eq!(
        response.total,
        top("再委託 承認", 40).fallback.unwrap().all_words_total
    );
}

#[test]
fn a_switched_off_synonym_is_reported_and_no_longer_searched() {
    let request = |synonyms_off: Option<&str>| SearchRequest {
        q: "電算室".to_string(),
        synonyms_off: synonyms_off.map(str::to_string),
        fallback: Some("off".to_string()),
        ..SearchRequest::default()
    };
    let expanded = index().search(&request(None)).unwrap();
    // No document says 電算室; they say サーバ室.
    assert!(in_top(&expanded, 10, &["サーバ室"]));
    let typed = index().search(&request(Some("電算室"))).unwrap();
    assert_eq!(typed.total, 0);
    assert_eq!(typed.synonyms.len(), 1);
    assert!(!typed.synonyms[0].enabled);
}

#[test]
fn a_quoted_phrase_is_never_expanded() {
    let response = top("\"承認\"", 10);
    assert!(response.synonyms.is_empty());
    assert!(response.hits.iter().all(|hit| {
        normalize(&hit.record.indexed_text())
            .as_str()
            .contains("承認")
    }));
}

#[test]
fn documents_are_found_by_their_publication_date_and_form_version() {
    // Two copies of the 札幌市 sample under other names, one published in 令和6年 with the
    // 令和6年10月 様式 on its cover, one in 平成30年 per its manifest.
    let folder = tempfile::tempdir().expect("temporary folder");
    let corpus = folder.path().join("corpus");
    crate::util::copy_corpus(&corpus, None);
    let sample = crate::util::sample("002");
    let cover = "特定個人情報保護評価書(全項目評価書)\n\n評価書番号\t評価書名\n7\t住民基本台帳に関する事務\n\n評価実施機関名\n\n新しい市長\n\n公表日\n令和6年10月1日\n\n[令和6年10月 様式4]\n\n";
    std::fs::write(corpus.join("new.txt"), format!("{cover}{sample}")).expect("write");
    // (A byte-identical copy would be skipped as a duplicate.)
    std::fs::write(
        corpus.join("old.txt"),
        format!("古い市の評価書\n\n{sample}"),
    )
    .expect("write");
    crate::util::append_to_manifest(
        &corpus,
        "\n[[document]]\nfile = \"new.txt\"\nmunicipality = \"新しい市\"\ntitle = \"新\"\ndoc_type = \"全項目評価書\"\n",
    );
    crate::util::append_to_manifest(
        &corpus,
        "\n[[document]]\nfile = \"old.txt\"\nmunicipality = \"古い市\"\ntitle = \"古\"\ndoc_type = \"全項目評価書\"\ndate = \"平成30年5月1日\"\n",
    );
    let index = crate::util::ingested(&corpus, &folder.path().join("index"));
    let bodies = |request: SearchRequest| -> std::collections::BTreeSet<String> {
        index
            .search(&SearchRequest {
                q: "生体認証".to_string(),
                limit: Some(100),
                ..request
            })
            .expect("search")
            .hits
            .into_iter()
            .map(|hit| hit.record.municipality)
            .collect()
    };
    let since_2024 = bodies(SearchRequest {
        published_from: Some("2024-01-01".to_string()),
        ..SearchRequest::default()
    });
    assert_eq!(since_2024.into_iter().collect::<Vec<_>>(), ["新しい市"]);
    let until_reiwa = bodies(SearchRequest {
        published_to: Some("令和元年5月1日".to_string()),
        ..SearchRequest::default()
    });
    assert_eq!(until_reiwa.into_iter().collect::<Vec<_>>(), ["古い市"]);
    let by_form = bodies(SearchRequest {
        form_version: Some("令和6年10月 様式4".to_string()),
        ..SearchRequest::default()
    });
    assert!(
        by_form.contains("新しい市") && !by_form.contains("古い市"),
        "{by_form:?}"
    );
    let hit = index
        .search(&SearchRequest {
            q: "生体認証".to_string(),
            municipality: Some("新しい市".to_string()),
            ..SearchRequest::default()
        })
        .expect("search")
        .hits
        .remove(0);
    assert_eq!(hit.record.published.as_deref(), Some("2024-10-01"));
    assert_eq!(hit.record.doc_number.as_deref(), Some("7"));
    assert!(matches!(
        index.search(&SearchRequest {
            q: "生体認証".to_string(),
            published_from: Some("いつか".to_string()),
            ..SearchRequest::default()
        }),
        Err(SearchError::BadDate(_))
    ));
}

/// Record ids of every hit of a query (unfolded, the words as typed, up to 100).
fn ids(q: &str) -> std::collections::BTreeSet<String> {
    crate::util::index()
        .search(&SearchRequest {
            q: q.to_string(),
            fold: Some("off".to_string()),
            synonyms: Some("off".to_string()),
            fallback: Some("off".to_string()),
            limit: Some(100),
            ..SearchRequest::default()
        })
        .expect("search runs")
        .hits
        .into_iter()
        .map(|hit| hit.record.id)
        .collect()
}

#[test]
fn or_finds_the_records_of_either_word_and_says_how_it_read_the_query() {
    let either = ids("生体認証 OR 指紋認証");
    let first = ids("生体認証");
    let second = ids("指紋認証");
    assert!(!first.is_empty() && !second.is_empty());
    let union: std::collections::BTreeSet<String> = first.union(&second).cloned().collect();
    assert_eq!(either, union);
    assert!(either.len() > first.len(), "指紋認証 adds records");
    // OR binds tighter than the space: the third word is required of both.
    let with_third = ids("生体認証 OR 指紋認証 入退室");
    let third = ids("入退室");
    let expected: std::collections::BTreeSet<String> =
        union.intersection(&third).cloned().collect();
    assert_eq!(with_third, expected);
    // Parentheses group, an excluded group removes either word.
    assert_eq!(ids("(生体認証 | 指紋認証) 入退室"), expected);
    let without = ids("入退室 -(生体認証 OR 指紋認証)");
    assert!(without.is_disjoint(&union) && !without.is_empty());
    let response = crate::util::index()
        .search(&SearchRequest {
            q: "生体認証 OR 指紋認証".to_string(),
            ..SearchRequest::default()
        })
        .expect("search runs");
    assert_eq!(
        response.reading.as_deref(),
        Some("（「生体認証」 または 「指紋認証」）")
    );
    assert!(response.fallback.is_none(), "no word is said to be missing");
    // Each hit is marked where it holds either word.
    for hit in &response.hits {
        assert!(hit.snippet.contains("<mark>"), "{}", hit.snippet);
    }
}

#[test]
fn a_hit_that_matched_in_its_heading_shows_the_heading_once_then_its_text() {
    let response = search("\"目的外の入手\"");
    let heading_hits: Vec<_> = response
        .hits
        .iter()
        .filter(|hit| !hit.record.text.contains("目的外の入手") && !hit.record.text.is_empty())
        .collect();
    assert!(heading_hits.len() >= 3, "{}", heading_hits.len());
    for hit in heading_hits {
        let (headings, text) = hit
            .snippet
            .split_once(" — ")
            .unwrap_or_else(|| panic!("no heading part: {}", hit.snippet));
        assert_eq!(headings.matches("<mark>").count(), 1, "{}", hit.snippet);
        assert!(headings.contains("<mark>目的外の入手</mark>"));
        // Only the heading holding the match, not the whole breadcrumb.
        assert!(!headings.contains("住民基本台帳ファイル"), "{headings}");
        // The text from its beginning.
        let start: String = hit.record.text.chars().take(10).collect();
        assert!(text.starts_with(&start), "{text} / {start}");
    }
}

#[test]
fn a_whole_build_is_one_segment_with_the_records_of_one_text_side_by_side() {
    let tantivy_index = index().index();
    assert!(hyoka::index::sorted_by_text(&tantivy_index));
    let searcher = tantivy_index.reader().expect("reader").searcher();
    assert_eq!(searcher.segment_readers().len(), 1);
    let mut longest_run = 0;
    for segment in searcher.segment_readers() {
        let keys = segment
            .fast_fields()
            .u64(hyoka::index::TEXT_KEY_FIELD)
            .expect("text digests");
        let keys: Vec<u64> = (0..segment.max_doc())
            .map(|doc| keys.first(doc).expect("every record has a digest"))
            .collect();
        assert!(keys.is_sorted(), "a segment out of text order");
        let mut run = 0;
        for (index, key) in keys.iter().enumerate() {
            run = if index > 0 && keys[index - 1] == *key {
                run + 1
            } else {
                1
            };
            longest_run = longest_run.max(run);
        }
    }
    // The bundled documents repeat texts (the form's fixed sentences, one body's versions).
    assert!(longest_run >= 3, "longest run of one text: {longest_run}");
}

#[test]
fn a_whole_build_keeps_the_records_of_one_part_of_the_form_together() {
    // A search's matches lie mostly in a few slots: a segment holds each slot's records (and
    // each part's, with every slot below it) as one stretch, so their postings are read from
    // a few places instead of from all over the segment.
    let tantivy_index = index().index();
    let (_, fields) = hyoka::index::schema();
    let searcher = tantivy_index.reader().expect("reader").searcher();
    let mut parts_checked = 0;
    for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
        let slots: Vec<Option<String>> = (0..segment.max_doc())
            .map(|doc| {
                let address = tantivy::DocAddress::new(ordinal as u32, doc);
                let stored: tantivy::TantivyDocument = searcher.doc(address).expect("stored");
                hyoka::index::record_of(&stored, &fields)
                    .expect("record")
                    .slot
            })
            .collect();
        for part in ["III.7", "III.7.R1", "III.7.R1.5", "II.3", "I.1"] {
            let places: Vec<usize> = slots
                .iter()
                .enumerate()
                .filter(|(_, slot)| {
                    slot.as_deref()
                        .is_some_and(|slot| hyoka::form::is_within(slot, part))
                })
                .map(|(place, _)| place)
                .collect();
            let (Some(first), Some(last)) = (places.first(), places.last()) else {
                continue;
            };
            assert_eq!(
                last - first + 1,
                places.len(),
                "the records of {part} are not one stretch of the segment"
            );
            parts_checked += 1;
        }
    }
    assert!(parts_checked >= 4, "only {parts_checked} parts found");
}

/// Every match of `query` over the bundled index, as (segment, record, score bits), in index
/// order.
fn scored_matches(query: &dyn tantivy::query::Query) -> Vec<(u32, u32, u32)> {
    let searcher = index().index().reader().expect("reader").searcher();
    let top = searcher
        .search(
            query,
            &tantivy::collector::TopDocs::with_limit(1_000_000).order_by_score(),
        )
        .expect("search runs");
    let mut matches: Vec<(u32, u32, u32)> = top
        .into_iter()
        .map(|(score, address)| (address.segment_ord, address.doc_id, score.to_bits()))
        .collect();
    matches.sort_unstable();
    matches
}

#[test]
fn working_each_text_out_once_finds_the_same_records_with_the_same_scores() {
    use hyoka::search::query::{fallback_plan, parse_query, plan, search_query, to_query};
    let (_, fields) = hyoka::index::schema();
    // Phrases, proximity, a one-character word, OR groups, exclusions of words, phrases and
    // groups, and a fallback plan (most of the words).
    for q in [
        "目的外の入手",
        "生体認証",
        "入退室 監視カメラ 記録",
        "\"入退室管理\" 記録",
        "県",
        "生体認証 OR 指紋認証 入退室",
        "入退室 -(生体認証 OR 指紋認証)",
        "記録 -\"監視カメラ\"",
        "サーバ室 -施錠",
    ] {
        let parsed = parse_query(q).expect("valid query");
        for plan in [plan(&parsed), fallback_plan(&parsed)] {
            let each_record = scored_matches(to_query(&plan, &fields).as_ref());
            let each_text = scored_matches(search_query(&plan, &fields).as_ref());
            assert!(!each_record.is_empty() || q.starts_with("サーバ室"), "{q}");
            assert_eq!(each_text, each_record, "{q}");
        }
    }
}
