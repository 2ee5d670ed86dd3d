//! The rest of the API: compare, similar, slots, municipalities, records, CSV export, OpenAPI,
//! and every error case, through the router without a socket.

use crate::util::encoded;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;

use hyoka::http::MAX_BODY_BYTES;

async fn send(request: Request<Body>) -> (StatusCode, Vec<u8>, String) {
    let (status, headers, bytes) = crate::util::send(request).await;
    let content_type = headers
        .get("content-type")
        .map(|value| value.to_str().unwrap_or_default().to_string())
        .unwrap_or_default();
    (status, bytes, content_type)
}

async fn get(uri: &str) -> (StatusCode, Value) {
    let (status, bytes, _) = send(Request::get(uri).body(Body::empty()).expect("request")).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn post_json(uri: &str, body: String) -> (StatusCode, Value) {
    let request = Request::post(uri)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .expect("request");
    let (status, bytes, _) = send(request).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn strings<'a>(rows: &'a [Value], key: &str) -> Vec<&'a str> {
    rows.iter().filter_map(|row| row[key].as_str()).collect()
}

#[tokio::test]
async fn compare_physical_measures_has_every_sapporo_file_and_other_bodies() {
    let (status, body) = get("/api/compare?slot=III.7.R1.5").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["slot_label"], "⑤物理的対策");
    let rows = body["rows"].as_array().expect("rows");
    let sapporo_files: std::collections::BTreeSet<&str> = rows
        .iter()
        .filter(|row| row["municipality"] == "札幌市")
        .filter_map(|row| row["file_name"].as_str())
        .collect();
    assert_eq!(sapporo_files.len(), 3, "{sapporo_files:?}");
    let other_bodies: std::collections::BTreeSet<&str> = strings(rows, "body")
        .into_iter()
        .filter(|body| *body != "札幌市")
        .collect();
    assert!(other_bodies.len() >= 2, "{other_bodies:?}");
    assert!(
        rows.iter().any(|row| row["after_text"].is_string()),
        "change-table rows appear"
    );
    assert!(
        body["ratings"]
            .as_array()
            .is_some_and(|ratings| !ratings.is_empty())
    );
}

#[tokio::test]
async fn pages_of_a_comparison_put_together_are_the_whole_comparison() {
    let (_, whole) = get("/api/compare?slot=III.7.R1.5&limit=500").await;
    let total = whole["total"].as_u64().expect("total") as usize;
    let all_rows = whole["rows"].as_array().expect("rows");
    assert_eq!(all_rows.len(), total);
    assert!(total > 6, "{total} rows");
    let mut paged: Vec<Value> = Vec::new();
    for offset in (0..total).step_by(4) {
        let (status, page) = get(&format!(
            "/api/compare?slot=III.7.R1.5&offset={offset}&limit=4"
        ))
        .await;
        assert_eq!(status, StatusCode::OK);
        // Every page knows the whole: its size, its bodies, its answers and the same base.
        for key in ["total", "bodies", "ratings", "base"] {
            assert_eq!(page[key], whole[key], "{key} at offset {offset}");
        }
        paged.extend(page["rows"].as_array().expect("rows").iter().cloned());
    }
    // Rows, their diffs and how widely each sentence is shared do not depend on the page.
    assert_eq!(&paged, all_rows);
}

#[tokio::test]
async fn a_comparison_narrowed_by_a_query_keeps_the_national_sharing_counts() {
    let (_, whole) = get("/api/compare?slot=III.7.R1.5&limit=500").await;
    let (status, narrowed) = get(&format!(
        "/api/compare?slot=III.7.R1.5&limit=500&q={}",
        encoded("中間サーバー")
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    let narrowed_rows = narrowed["rows"].as_array().expect("rows");
    let whole_rows = whole["rows"].as_array().expect("rows");
    assert!(!narrowed_rows.is_empty());
    assert!(narrowed_rows.len() < whole_rows.len());
    for row in narrowed_rows {
        let same = whole_rows
            .iter()
            .find(|other| other["id"] == row["id"])
            .expect("a narrowed row is a row of the whole comparison");
        assert_eq!(row["sentences"], same["sentences"], "{}", row["id"]);
    }
}

#[tokio::test]
async fn shared_platform_wording_is_marked_as_shared() {
    let (_, body) = get("/api/compare?slot=III.7.R1.5").await;
    let rows = body["rows"].as_array().expect("rows");
    let platform = rows
        .iter()
        .find(|row| {
            row["municipality"] == "札幌市" && row["actor"] == "中間サーバー・プラットフォーム"
        })
        .expect("札幌市 platform row");
    let sentences = platform["sentences"].as_array().expect("sentences");
    assert!(
        sentences
            .iter()
            .any(|sentence| sentence["shared_by"].as_u64().unwrap_or(0) >= 1),
        "{sentences:#?}"
    );
}

#[tokio::test]
async fn the_base_text_comes_first_alone_and_every_other_text_names_what_it_was_compared_with() {
    let (status, body) = get(&format!(
        "/api/compare?slot=III.7.R1.5&base={}",
        encoded("札幌市")
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["base"], "札幌市");
    let rows = body["rows"].as_array().expect("rows");
    assert_eq!(rows[0]["is_base"], true, "the base row is first");
    assert_eq!(rows[0]["id"], body["base_text"]["id"]);
    assert_eq!(rows[0]["municipality"], "札幌市");
    assert_eq!(
        rows.iter().filter(|row| row["is_base"] == true).count(),
        1,
        "one base text"
    );
    for row in &rows[1..] {
        let has_text = row["text"] != "" && row["change"] != "削除";
        assert_eq!(
            row["compared_with"].is_string(),
            has_text,
            "{}: a text names its base, a choice or a removed measure does not",
            row["id"]
        );
    }
    // 札幌市's other files say nearly the same as the base: aligned, with small diffs.
    let other_file = rows
        .iter()
        .find(|row| {
            row["municipality"] == "札幌市"
                && row["file_name"] == "本人確認情報ファイル"
                && row["text"] != ""
        })
        .expect("札幌市 本人確認情報ファイル");
    let aligned = other_file["aligned"].as_array().expect("aligned");
    assert!(
        aligned
            .iter()
            .any(|sentence| sentence["alignment"] == "same")
    );
    assert!(
        aligned
            .iter()
            .any(|sentence| sentence["alignment"] == "changed")
    );
}

#[tokio::test]
async fn characters_are_diffed_only_between_aligned_sentences_whatever_the_base() {
    let (_, first) = get("/api/compare?slot=III.7.R1.5&limit=500").await;
    for base in first["bodies"].as_array().expect("bodies") {
        let base = base.as_str().expect("name");
        let (status, body) = get(&format!(
            "/api/compare?slot=III.7.R1.5&limit=500&base={}",
            encoded(base)
        ))
        .await;
        assert_eq!(status, StatusCode::OK, "{base}");
        for row in body["rows"].as_array().expect("rows") {
            for sentence in row["aligned"].as_array().expect("aligned") {
                let ops = sentence["ops"].as_array().map(Vec::len).unwrap_or(0);
                let similarity = sentence["similarity"].as_f64().unwrap_or(0.0);
                if sentence["alignment"] == "changed" {
                    assert!(ops > 0 && similarity >= 0.5, "{base}: {sentence}");
                    assert!(sentence["base"].is_string(), "{base}: {sentence}");
                } else {
                    assert_eq!(
                        ops, 0,
                        "{base}: a character diff outside a pair: {sentence}"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn similar_with_a_sapporo_passage_returns_it_first() {
    let (_, search) = get(&format!(
        "/api/search?q={}&municipality={}&limit=1",
        encoded("生体認証"),
        encoded("札幌市")
    ))
    .await;
    let passage = search["hits"][0]["text"]
        .as_str()
        .expect("a 札幌市 passage")
        .to_string();
    let (status, body) = post_json(
        "/api/similar",
        serde_json::json!({ "text": passage }).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["hits"][0]["text"], passage.as_str());
}

#[tokio::test]
async fn similar_takes_a_whole_paragraph_as_a_small_query() {
    let paragraph = crate::util::sample("002")
        .chars()
        .take(3000)
        .collect::<String>();
    let (status, body) = post_json(
        "/api/similar",
        serde_json::json!({ "text": paragraph, "limit": 5 }).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let words = body["query"]
        .as_str()
        .unwrap_or_default()
        .split(' ')
        .count();
    assert!(
        words <= hyoka::search::SIMILAR_MAX_TERMS,
        "{words} query words"
    );
    assert_eq!(body["hits"].as_array().map(Vec::len), Some(5));
}

#[tokio::test]
async fn slots_list_the_taxonomy_with_counts() {
    let (status, body) = get("/api/slots").await;
    assert_eq!(status, StatusCode::OK);
    let slots = body["slots"].as_array().expect("slots");
    assert_eq!(slots.len(), hyoka::form::SLOTS.len());
    let physical = slots
        .iter()
        .find(|slot| slot["key"] == "III.7.R1.5")
        .expect("III.7.R1.5");
    assert!(physical["records"].as_u64().unwrap_or(0) >= 5);
    assert_eq!(
        physical["breadcrumb"][0],
        "Ⅲ 特定個人情報ファイルの取扱いプロセスにおけるリスク対策"
    );
}

#[tokio::test]
async fn the_list_of_bodies_counts_their_files_and_a_body_named_lists_its_documents() {
    let (status, body) = get("/api/municipalities").await;
    assert_eq!(status, StatusCode::OK);
    let bodies = body["municipalities"].as_array().expect("bodies");
    let names = strings(bodies, "municipality");
    for name in ["札幌市", "豊島区", "熊本県", "文京区", "目黒区"] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    // Counted, not listed: nationally the files are tens of thousands.
    for listed in bodies {
        assert!(listed.get("documents").is_none(), "{listed}");
        assert!(listed["files"].as_u64().unwrap_or(0) >= 1, "{listed}");
        assert!(listed["current_files"].as_u64() <= listed["files"].as_u64());
    }
    let sapporo = bodies
        .iter()
        .find(|body| body["municipality"] == "札幌市")
        .expect("札幌市");
    assert_eq!(sapporo["municipality_code"], "011002");

    let (status, named) = get(&format!("/api/municipalities?body={}", encoded("札幌市"))).await;
    assert_eq!(status, StatusCode::OK);
    let named = named["municipalities"].as_array().expect("bodies");
    assert_eq!(strings(named, "municipality"), ["札幌市"]);
    let documents = named[0]["documents"].as_array().expect("its documents");
    assert_eq!(
        documents.len() as u64,
        sapporo["files"].as_u64().unwrap_or(0)
    );
    assert!(documents[0]["records"].as_u64().unwrap_or(0) > 100);
    let (status, coded) = get(&format!(
        "/api/municipalities?body={}&code=011002",
        encoded("札幌市")
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        coded["municipalities"][0]["documents"],
        named[0]["documents"]
    );

    for unknown in [
        format!("body={}", encoded("存在しない市")),
        format!("body={}&code=999999", encoded("札幌市")),
    ] {
        let (status, body) = get(&format!("/api/municipalities?{unknown}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{unknown}");
        assert_eq!(body["error"]["code"], "unknown_body");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|message| message.contains("団体")),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_record_is_found_by_its_id_and_an_unknown_id_is_404() {
    let (_, search) = get(&format!("/api/search?q={}&limit=1", encoded("生体認証"))).await;
    let id = search["hits"][0]["id"].as_str().expect("an id").to_string();
    let (status, record) = get(&format!("/api/records/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(record["id"], id.as_str());
    let (status, body) = get("/api/records/0000000000000000").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "unknown_record");
}

#[tokio::test]
async fn a_folded_hits_bodies_are_listed_under_the_same_search_and_an_unknown_hit_is_404() {
    let search = format!(
        "q={}&municipality={}",
        encoded("生体認証"),
        encoded("札幌市")
    );
    let (_, found) = get(&format!("/api/search?{search}")).await;
    let hit = &found["hits"][0];
    let id = hit["id"].as_str().expect("an id");
    let (status, bodies) = get(&format!("/api/search/bodies?{search}&hit={id}")).await;
    assert_eq!(status, StatusCode::OK, "{bodies}");
    assert_eq!(bodies["bodies"], hit["folded"]["bodies"]);
    assert_eq!(bodies["records"], hit["folded"]["records"]);
    assert_eq!(bodies["others"], hit["folded"]["others"]);
    // Another search's filters (a body that does not write it) find no such wording.
    let elsewhere = format!(
        "q={}&municipality={}",
        encoded("生体認証"),
        encoded("豊島区")
    );
    for uri in [
        format!("/api/search/bodies?{elsewhere}&hit={id}"),
        format!("/api/search/bodies?{search}&hit=0000000000000000"),
        format!("/api/search/bodies?{search}"),
    ] {
        let (status, body) = get(&uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {body}");
        assert_eq!(body["error"]["code"], "unknown_hit");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|message| message.contains("検索をやり直して")),
            "{body}"
        );
    }
    let (status, body) = get(&format!("/api/search/bodies?q={}&hit={id}", encoded("(\""))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "bad_query");
}

#[tokio::test]
async fn csv_export_is_excel_ready_with_a_japanese_header() {
    let request = Request::get(format!("/api/export.csv?q={}", encoded("生体認証")))
        .body(Body::empty())
        .expect("request");
    let (status, bytes, content_type) = send(request).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/csv"));
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM for Excel");
    let text = String::from_utf8(bytes).expect("UTF-8");
    let header = text
        .trim_start_matches('\u{FEFF}')
        .lines()
        .next()
        .unwrap_or_default();
    for column in [
        "団体名",
        "評価書",
        "ファイル",
        "項目",
        "措置主体",
        "評価（リスク）",
        "選択（この項目）",
        "本文",
        "変更の種類",
        "変更理由",
    ] {
        assert!(
            header.contains(&format!("\"{column}\"")),
            "{column} missing from {header}"
        );
    }
    assert!(text.contains("札幌市"));
}

#[tokio::test]
async fn csv_export_of_a_comparison_has_its_rows() {
    let request = Request::get("/api/export.csv?slot=III.7.R1.5")
        .body(Body::empty())
        .expect("request");
    let (status, bytes, _) = send(request).await;
    assert_eq!(status, StatusCode::OK);
    let (_, compare) = get("/api/compare?slot=III.7.R1.5").await;
    // Rows, not lines: a cell's text holds line breaks.
    let rows = crate::util::csv_rows(&bytes).len() - 1;
    assert_eq!(Some(rows as u64), compare["total"].as_u64(), "{compare}");
}

#[tokio::test]
async fn openapi_document_parses_and_lists_every_route() {
    let (status, document) = get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().expect("paths");
    for path in [
        "/api/search",
        "/api/search/bodies",
        "/api/compare",
        "/api/similar",
        "/api/slots",
        "/api/municipalities",
        "/api/records/{id}",
        "/api/export.csv",
        "/api/openapi.json",
        "/api/answers",
        "/api/answers.csv",
        "/api/compare.xlsx",
        "/api/records/{id}/context",
        "/api/draft/hints",
        "/api/draft/precedents",
        "/api/draft/slots",
        "/api/draft/start",
        "/healthz",
    ] {
        assert!(paths.contains_key(path), "{path} missing");
    }
    // Every documented route answers (not the 404 fallback).
    for route in hyoka::openapi::ROUTES {
        let uri = route.path.replace("{id}", "x").to_string()
            + if route.path == "/api/compare" || route.path == "/api/compare.xlsx" {
                "?slot=III"
            } else {
                ""
            };
        let request = if route.method == "post" {
            Request::post(&uri)
                .header("content-type", "application/json")
                .body(Body::from("{\"text\":\"施錠\"}"))
        } else {
            Request::get(&uri).body(Body::empty())
        }
        .expect("request");
        let (status, bytes, _) = send(request).await;
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        // The fallback answers an unrouted path with a JSON not_found under /api/ and the HTML
        // page elsewhere: a routed one answers, or says in JSON which thing it did not find.
        let routed = status != StatusCode::NOT_FOUND
            || body["error"]["code"]
                .as_str()
                .is_some_and(|code| code != "not_found");
        assert!(
            routed,
            "{} {} is documented but not routed ({status}: {body})",
            route.method, route.path
        );
    }
}

#[tokio::test]
async fn every_error_case_is_a_json_4xx_with_a_code() {
    let long_query = "あ".repeat(1001);
    let cases: Vec<(String, StatusCode, &str)> = vec![
        (
            format!("/api/search?q={}", encoded("(\"")),
            StatusCode::BAD_REQUEST,
            "bad_query",
        ),
        (
            format!("/api/search?q={}", encoded(&long_query)),
            StatusCode::BAD_REQUEST,
            "bad_query",
        ),
        (
            "/api/search?q=a&limit=101".to_string(),
            StatusCode::BAD_REQUEST,
            "bad_limit",
        ),
        (
            "/api/search?slot=III.99".to_string(),
            StatusCode::BAD_REQUEST,
            "unknown_slot",
        ),
        (
            "/api/compare?slot=III.99".to_string(),
            StatusCode::BAD_REQUEST,
            "unknown_slot",
        ),
        (
            format!("/api/compare?slot=III.7.R1.5&q={}", encoded("(\"")),
            StatusCode::BAD_REQUEST,
            "bad_query",
        ),
        (
            "/api/compare".to_string(),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
        ),
        (
            "/api/compare?slot=III.7.R1.5&limit=0".to_string(),
            StatusCode::BAD_REQUEST,
            "bad_limit",
        ),
        (
            "/api/compare?slot=III.7.R1.5&limit=501".to_string(),
            StatusCode::BAD_REQUEST,
            "bad_limit",
        ),
        (
            format!(
                "/api/compare?slot=III.7.R1.5&base={}",
                encoded("存在しない市")
            ),
            StatusCode::BAD_REQUEST,
            "unknown_base",
        ),
        (
            "/api/nothing".to_string(),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ];
    for (uri, expected_status, expected_code) in cases {
        let (status, body) = get(&uri).await;
        assert_eq!(status, expected_status, "{uri}");
        assert_eq!(body["error"]["code"], expected_code, "{uri}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|message| !message.is_empty())
        );
    }
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_refused_with_413() {
    let huge = serde_json::json!({ "text": "あ".repeat(MAX_BODY_BYTES / 3 + 10) }).to_string();
    let (status, body) = post_json("/api/similar", huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"]["code"], "body_too_large");
}

#[tokio::test]
async fn a_malformed_or_empty_draft_is_a_400() {
    let (status, body) = post_json("/api/similar", "{not json".to_string()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "bad_body");
    let (status, body) = post_json(
        "/api/similar",
        serde_json::json!({ "text": "、。" }).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "empty_draft");
    let (status, body) = post_json(
        "/api/similar",
        serde_json::json!({ "text": "施錠", "limit": 500 }).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "bad_limit");
}

#[tokio::test]
async fn golden_search_and_compare_responses() {
    let (_, mut search) = get(&format!("/api/search?q={}&limit=3", encoded("入退室管理"))).await;
    search["took_ms"] = Value::from("[took_ms]");
    insta::assert_json_snapshot!("search_response", search);
    // Every 事務, so that the golden comparison holds other bodies than 札幌市's 住基 peers.
    let (_, compare) = get(&format!(
        "/api/compare?slot=III.7.R1.6&base={}&jimu=all",
        encoded("札幌市")
    ))
    .await;
    insta::assert_json_snapshot!("compare_response", compare);
}

#[tokio::test]
async fn the_search_response_shows_the_synonyms_used_and_the_fallback() {
    let (status, body) = get(&format!("/api/search?q={}", encoded("再委託 承認"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["synonyms"][0]["term"], "承認");
    assert_eq!(body["synonyms"][0]["enabled"], true);
    assert!(
        body["fallback"]["missing"]
            .as_array()
            .expect("missing words")
            .contains(&Value::from("承認"))
    );
    let lacking = body["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter(|hit| hit["missing"][0] == "承認")
        .count();
    assert!(lacking > 0);

    let (_, off) = get(&format!(
        "/api/search?q={}&synonyms_off={}&fallback=off",
        encoded("再委託 承認"),
        encoded("承認")
    ))
    .await;
    assert_eq!(off["synonyms"][0]["enabled"], false);
    assert!(off["fallback"].is_null());
    assert_eq!(off["total"], 0);
}
