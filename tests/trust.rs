//! What staff rely on when they read and cite: a removed measure is a removal everywhere,
//! answers are counted per body and folded, every hit can be read whole with its source, the
//! spreadsheet holds the comparison as shown, and everything the page says is Japanese.

use std::io::Cursor;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

use crate::util::encoded;

async fn get_bytes(uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    crate::util::send(get_request(uri)).await
}

async fn get(uri: &str) -> (StatusCode, Value) {
    let (status, _, bytes) = get_bytes(uri).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// 豊島区's 通番98: the 変更後 column says 「削除」 beside the データセンター measure.
fn is_toshima_98(row: &Value) -> bool {
    row["municipality"] == "豊島区"
        && row["notes"].as_array().is_some_and(|notes| {
            notes
                .iter()
                .any(|note| note[0] == "通番" && note[1] == "98")
        })
}

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    crate::util::csv_rows(bytes)
}

fn xlsx_rows(bytes: Vec<u8>) -> Vec<Vec<Data>> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("an xlsx file");
    let range = workbook
        .worksheet_range("比較表")
        .expect("the sheet 比較表");
    range.rows().map(<[Data]>::to_vec).collect()
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::String(text) => text.clone(),
        Data::Empty => String::new(),
        other => format!("not text: {other:?}"),
    }
}

#[tokio::test]
async fn toshima_98_is_a_deletion_in_the_card_the_comparison_the_csv_and_the_spreadsheet() {
    // The card: a search for its words finds it as a removed measure, its text the old one.
    let (_, search) = get(&format!(
        "/api/search?q={}&limit=50",
        encoded("外部侵入防止 手のひら静脈認証")
    ))
    .await;
    let hit = search["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .find(|hit| is_toshima_98(hit))
        .expect("通番98 is found");
    assert_eq!(hit["change"], "削除");
    assert!(
        hit["before_text"]
            .as_str()
            .unwrap_or_default()
            .contains("データセンター")
    );
    assert!(hit["after_text"].as_str().unwrap_or_default().is_empty());

    // The comparison: a deletion, not compared as wording in force.
    let (_, compare) = get("/api/compare?slot=III.7.R1.5&limit=500").await;
    let row = compare["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|row| is_toshima_98(row))
        .expect("通番98 in the comparison");
    assert_eq!(row["change"], "削除");
    assert_eq!(row["compared_with"], Value::Null);
    assert_eq!(row["aligned"].as_array().map(Vec::len), Some(0));
    assert_ne!(
        compare["base_text"]["id"], row["id"],
        "a removed measure is never the base"
    );

    // The CSV: 変更の種類 削除, the text only under 変更前, 本文 empty.
    let (_, _, bytes) = get_bytes("/api/export.csv?slot=III.7.R1.5").await;
    let rows = csv_rows(&bytes);
    let header = &rows[0];
    let column = |name: &str| header.iter().position(|cell| cell == name).expect(name);
    let deleted: Vec<&Vec<String>> = rows[1..]
        .iter()
        .filter(|row| row[column("記載ID")] == hit["id"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0][column("変更の種類")], "削除");
    assert_eq!(deleted[0][column("本文")], "");
    assert!(deleted[0][column("変更前")].contains("データセンター"));
    assert_eq!(deleted[0][column("変更後")], "");

    // The spreadsheet: the same.
    let (status, _, bytes) = get_bytes("/api/compare.xlsx?slot=III.7.R1.5").await;
    assert_eq!(status, StatusCode::OK);
    let sheet = xlsx_rows(bytes);
    let header: Vec<String> = sheet[1].iter().map(cell_text).collect();
    let column = |name: &str| header.iter().position(|cell| cell == name).expect(name);
    let deleted = sheet[2..]
        .iter()
        .find(|row| cell_text(&row[column("記載ID")]) == hit["id"].as_str().unwrap_or_default())
        .expect("通番98 in the spreadsheet");
    assert_eq!(cell_text(&deleted[column("変更の種類")]), "削除");
    assert_eq!(cell_text(&deleted[column("本文")]), "");
    assert!(cell_text(&deleted[column("変更前")]).contains("データセンター"));
    assert!(cell_text(&deleted[column("比較")]).contains("削除"));
}

#[tokio::test]
async fn the_spreadsheet_of_a_comparison_has_the_base_first_one_row_per_text_and_codes_as_text() {
    let (_, compare) = get("/api/compare?slot=III.7.R1.5&limit=500").await;
    let (status, headers, bytes) = get_bytes("/api/compare.xlsx?slot=III.7.R1.5").await;
    assert_eq!(status, StatusCode::OK);
    let disposition = headers["content-disposition"]
        .to_str()
        .expect("ASCII header");
    // The Japanese name says what the file holds: 比較表, the slot, the base.
    assert!(
        disposition.contains("filename*=UTF-8''hyoka_%E6%AF%94%E8%BC%83%E8%A1%A8_III.7.R1.5_"),
        "{disposition}"
    );
    let sheet = xlsx_rows(bytes);
    assert!(cell_text(&sheet[0][0]).contains("⑤物理的対策"), "title row");
    let header: Vec<String> = sheet[1].iter().map(cell_text).collect();
    let column = |name: &str| header.iter().position(|cell| cell == name).expect(name);
    let rows = &sheet[2..];
    // One row per row of the comparison, in its order: the base first.
    let ids: Vec<String> = rows
        .iter()
        .map(|row| cell_text(&row[column("記載ID")]))
        .collect();
    let expected: Vec<String> = compare["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| row["id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(ids, expected);
    assert_eq!(cell_text(&rows[0][column("比較")]), "比較の基準");
    assert_eq!(
        cell_text(&rows[0][column("記載ID")]),
        compare["base_text"]["id"].as_str().unwrap_or_default()
    );
    // Codes stay text with their leading zero.
    let sapporo = rows
        .iter()
        .find(|row| cell_text(&row[column("団体名")]) == "札幌市")
        .expect("札幌市");
    assert_eq!(
        sapporo[column("団体コード")],
        Data::String("011002".to_string())
    );
    // Every other text names its base.
    for row in &rows[1..] {
        let text = cell_text(&row[column("本文")]);
        let comparison = cell_text(&row[column("比較")]);
        if !text.is_empty() {
            assert!(comparison.starts_with('「'), "{comparison}");
        }
    }
}

#[tokio::test]
async fn the_answers_view_for_a_risk_lists_each_body_once_with_folded_answers() {
    let (status, view) = get("/api/answers?slot=III.7.R1").await;
    assert_eq!(status, StatusCode::OK);
    let bodies: Vec<&str> = view["bodies"]
        .as_array()
        .expect("bodies")
        .iter()
        .filter_map(|body| body["body"].as_str())
        .collect();
    let unique: std::collections::BTreeSet<&str> = bodies.iter().copied().collect();
    assert_eq!(bodies.len(), unique.len(), "each body once: {bodies:?}");
    assert!(
        unique.contains("札幌市") && unique.contains("熊本県"),
        "{bodies:?}"
    );
    let columns = view["columns"].as_array().expect("columns");
    let position = |slot: &str, kind: &str| {
        columns
            .iter()
            .position(|column| column["slot"] == slot && column["kind"] == kind)
            .unwrap_or_else(|| panic!("column {slot} {kind}"))
    };
    let rating = position("III.7.R1", "rating");
    let physical = position("III.7.R1.5", "choice");
    let row = |name: &str| {
        view["bodies"]
            .as_array()
            .expect("bodies")
            .iter()
            .find(|body| body["body"] == name)
            .cloned()
            .expect(name)
    };
    // 札幌市 answers for three files: one body, one answer, the files listed.
    let sapporo = row("札幌市");
    let cell = sapporo["cells"][rating].as_array().expect("cell");
    assert_eq!(cell.len(), 1, "{cell:?}");
    assert_eq!(cell[0]["answer"], "特に力を入れている");
    assert_eq!(cell[0]["files"].as_array().map(Vec::len), Some(3));
    // 熊本県's OCR-damaged 「特に入力を進めている」 is 特に力を入れて行っている, the print kept.
    let kumamoto = row("熊本県");
    let cell = kumamoto["cells"][physical].as_array().expect("cell");
    assert_eq!(cell.len(), 1, "{cell:?}");
    assert_eq!(cell[0]["answer"], "特に力を入れて行っている");
    assert_eq!(cell[0]["printed"][0], "特に入力を進めている");
    let counts = &columns[physical]["counts"];
    assert_eq!(
        counts,
        &serde_json::json!([["特に力を入れて行っている", 2]])
    );

    // Filtered by an answer, and as CSV.
    let (_, filtered) = get(&format!(
        "/api/answers?slot=III.7.R1&answer={}",
        encoded("発生あり")
    ))
    .await;
    assert_eq!(filtered["bodies"].as_array().map(Vec::len), Some(1));
    let (status, _, bytes) = get_bytes("/api/answers.csv?slot=III.7.R1").await;
    assert_eq!(status, StatusCode::OK);
    let rows = csv_rows(&bytes);
    assert_eq!(rows.len(), 1 + bodies.len());
    assert!(rows[0][1].contains("III.7.R1"), "{:?}", rows[0]);
}

#[tokio::test]
async fn the_answers_view_keeps_to_one_jimu_and_lists_the_jimu_it_can_keep_to() {
    let (_, every) = get("/api/answers?slot=III.7.R1").await;
    let jimus = every["jimus"].as_array().expect("jimus");
    assert!(
        jimus.len() > 1,
        "the samples answer under several 事務: {jimus:?}"
    );
    assert_eq!(every["jimu"], serde_json::Value::Null);
    let bodies = |view: &serde_json::Value| -> std::collections::BTreeSet<String> {
        view["bodies"]
            .as_array()
            .expect("bodies")
            .iter()
            .filter_map(|body| body["body"].as_str().map(str::to_string))
            .collect()
    };
    let everyone = bodies(&every);
    let mut kept_to_each = std::collections::BTreeSet::new();
    for known in jimus {
        let jimu = known["jimu"].as_str().expect("a 事務");
        let (status, one) = get(&format!(
            "/api/answers?slot=III.7.R1&jimu={}",
            encoded(jimu)
        ))
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(one["jimu"], jimu);
        // As many bodies as the list said, each of them among every 事務's.
        let within = bodies(&one);
        assert_eq!(
            within.len() as u64,
            known["bodies"].as_u64().expect("bodies"),
            "{jimu}"
        );
        assert!(within.is_subset(&everyone), "{jimu}: {within:?}");
        kept_to_each.extend(within);
    }
    assert_eq!(kept_to_each, everyone);
    // `all` is every 事務.
    let (_, all) = get("/api/answers?slot=III.7.R1&jimu=all").await;
    assert_eq!(bodies(&all), everyone);
}

#[tokio::test]
async fn the_comparison_counts_bodies_not_files() {
    // Every 事務: 熊本県's print is in its 住基ネット document, 札幌市's in 住民基本台帳.
    let (_, compare) = get("/api/compare?slot=III.7.R1.5&jimu=all").await;
    let choices = compare["choices"].as_array().expect("choices");
    assert_eq!(choices.len(), 1, "the OCR variant is folded: {choices:?}");
    let bodies: Vec<&str> = choices[0]["bodies"]
        .as_array()
        .expect("bodies")
        .iter()
        .filter_map(|body| body["body"].as_str())
        .collect();
    assert_eq!(bodies, ["札幌市", "熊本県"]);
}

#[tokio::test]
async fn searching_an_answers_wording_finds_the_records_giving_it() {
    for (query, field, expected) in [
        ("十分である", "rating", "十分である"),
        (
            "特に力を入れて整備している",
            "choice",
            "特に力を入れて整備している",
        ),
        // The damaged print finds the record too.
        ("特に入力を進めている", "choice", "特に力を入れて行っている"),
    ] {
        let (_, body) = get(&format!(
            "/api/search?q={}&limit=50",
            encoded(&format!("\"{query}\""))
        ))
        .await;
        let hits = body["hits"].as_array().expect("hits");
        assert!(
            hits.iter().any(|hit| hit[field] == expected),
            "{query}: {} hits",
            hits.len()
        );
    }
}

#[tokio::test]
async fn a_record_page_has_the_whole_text_its_headings_neighbours_and_source() {
    let (_, search) = get(&format!("/api/search?q={}&limit=1", encoded("生体認証"))).await;
    let hit = &search["hits"][0];
    let id = hit["id"].as_str().expect("id");
    let (status, context) = get(&format!("/api/records/{id}/context")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(context["record"]["text"], hit["text"]);
    assert!(
        context["breadcrumb"]
            .as_array()
            .is_some_and(|crumbs| crumbs.len() >= 3)
    );
    assert!(context["record"]["source"]["line"].as_u64().unwrap_or(0) > 0);
    let position = context["position"].as_u64().expect("position");
    let before = context["before"].as_array().expect("before");
    let after = context["after"].as_array().expect("after");
    assert!(!before.is_empty() || !after.is_empty());
    assert!(before.len() <= 3 && after.len() <= 3);
    // Neighbours are of the same document, in document order.
    for other in before.iter().chain(after) {
        assert_eq!(other["source"]["file"], context["record"]["source"]["file"]);
    }
    for pair in before.windows(2) {
        assert!(pair[0]["source"]["line"].as_u64() <= pair[1]["source"]["line"].as_u64());
    }
    assert!(position as usize > before.len());
    let (status, missing) = get("/api/records/0000000000000000/context").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(missing["error"]["code"], "unknown_record");
}

#[test]
fn no_search_of_the_bundled_corpus_makes_a_blank_card() {
    use hyoka::search::SearchRequest;
    let index = crate::util::index();
    let mut requests: Vec<SearchRequest> = hyoka::form::SLOTS
        .iter()
        .map(|slot| SearchRequest {
            slot: Some(slot.key.to_string()),
            limit: Some(100),
            ..SearchRequest::default()
        })
        .collect();
    for query in [
        "生体認証",
        "行っている",
        "特に力を入れて行っている",
        "定めている",
        "記録を残している",
        "物理的対策",
        "バックアップ",
        "死者の個人番号",
        "削除",
        "委託",
        "十分である",
    ] {
        requests.push(SearchRequest {
            q: query.to_string(),
            limit: Some(100),
            ..SearchRequest::default()
        });
    }
    let mut cards = 0;
    for request in &requests {
        let response = index.search(request).expect("search");
        for hit in &response.hits {
            cards += 1;
            let record = &hit.record;
            // A card shows the text (its snippet) or, for an item answered only by its choice,
            // the choice; never nothing.
            let shows_text = !record.text.is_empty() && !hit.snippet.trim().is_empty();
            let shows_answer = record.text.is_empty()
                && (record.choice.is_some()
                    || record.rating.is_some()
                    || record.before_text.is_some());
            assert!(
                shows_text || shows_answer,
                "blank card for {:?} q={:?}: {} {:?}",
                request.slot,
                request.q,
                record.id,
                record.slot
            );
        }
    }
    assert!(cards > 300, "{cards} cards checked");
}

/// Latin words of three letters or more: English on a page meant to be Japanese. The names of
/// file formats and the product are not sentences.
fn english_words(text: &str) -> Vec<String> {
    const ALLOWED: [&str; 5] = ["Excel", "CSV", "PDF", "hyoka", "ISMAP"];
    let mut words = Vec::new();
    let mut current = String::new();
    for character in text.chars().chain(std::iter::once(' ')) {
        if character.is_ascii_alphabetic() {
            current.push(character);
            continue;
        }
        if current.len() >= 3 && !ALLOWED.contains(&current.as_str()) {
            words.push(current.clone());
        }
        current.clear();
    }
    words
}

/// The string and template literals of a script, with `${…}` interpolations removed.
fn string_literals(script: &str) -> Vec<String> {
    let mut literals = Vec::new();
    let characters: Vec<char> = script.chars().collect();
    let mut position = 0;
    while position < characters.len() {
        let character = characters[position];
        // Comments are for developers.
        if character == '/' && characters.get(position + 1) == Some(&'/') {
            while position < characters.len() && characters[position] != '\n' {
                position += 1;
            }
            continue;
        }
        if !matches!(character, '"' | '\'' | '`') {
            position += 1;
            continue;
        }
        let quote = character;
        let mut literal = String::new();
        let mut depth = 0;
        position += 1;
        while position < characters.len() {
            let inner = characters[position];
            if inner == '\\' {
                position += 2;
                continue;
            }
            if quote == '`' && inner == '$' && characters.get(position + 1) == Some(&'{') {
                depth += 1;
                position += 2;
                continue;
            }
            if depth > 0 {
                if inner == '}' {
                    depth -= 1;
                }
                position += 1;
                continue;
            }
            if inner == quote {
                break;
            }
            literal.push(inner);
            position += 1;
        }
        position += 1;
        literals.push(literal);
    }
    literals
}

fn is_japanese(text: &str) -> bool {
    text.chars()
        .any(|character| matches!(character, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
}

#[test]
fn the_page_script_says_everything_in_japanese() {
    let script = concat!(
        include_str!("../web/app.js"),
        "\n",
        include_str!("../web/draft.js")
    );
    let literals = string_literals(script);
    assert!(literals.len() > 200, "{} literals", literals.len());
    let mut english = Vec::new();
    for literal in &literals {
        // A message: Japanese text, or English prose (「Not found」, 「try again.」); lists of
        // lowercase class names and identifiers (「badge rating」) are code.
        let words = literal.split_whitespace().count();
        let prose = words >= 2
            && (literal.starts_with(|c: char| c.is_ascii_uppercase())
                || literal.trim_end().ends_with(['.', '!', '?'])
                || literal.contains([',', ';']));
        let sentence_like = is_japanese(literal) || prose;
        if sentence_like && !english_words(literal).is_empty() {
            english.push(literal.clone());
        }
    }
    assert!(
        english.is_empty(),
        "English in the page's messages: {english:#?}"
    );

    // The page itself: every text between tags and every label attribute.
    let html = include_str!("../web/index.html");
    let mut shown = String::new();
    let mut in_tag = false;
    for character in html.chars() {
        match character {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                shown.push(' ');
            }
            other if !in_tag => shown.push(other),
            _ => {}
        }
    }
    for attribute in ["placeholder=\"", "aria-label=\"", "title=\""] {
        for part in html.split(attribute).skip(1) {
            shown.push(' ');
            shown.push_str(part.split('"').next().unwrap_or_default());
        }
    }
    let words = english_words(&shown.replace("&quot;", " "));
    assert!(words.is_empty(), "English on the page: {words:?}");
}

fn get_request(uri: impl AsRef<str>) -> Request<Body> {
    Request::get(uri.as_ref())
        .body(Body::empty())
        .expect("request")
}

fn post_json(body: impl Into<Body>) -> Request<Body> {
    Request::post("/api/similar")
        .header("content-type", "application/json")
        .body(body.into())
        .expect("request")
}

#[tokio::test]
async fn every_error_the_page_can_show_is_japanese() {
    let long = "あ".repeat(1001);
    let base = encoded("架空市");
    let requests: Vec<(&str, Request<Body>)> = vec![
        (
            "bad_query",
            get_request(format!("/api/search?q={}", encoded("\"開いたまま"))),
        ),
        (
            "bad_query",
            get_request(format!("/api/search?q={}", encoded("施錠 -"))),
        ),
        (
            "bad_query",
            get_request(format!("/api/search?q={}", encoded(&long))),
        ),
        (
            "bad_query",
            get_request(format!("/api/search?q={}", encoded("。、！"))),
        ),
        (
            "bad_query",
            get_request(format!("/api/search?q={}", encoded(&"語 ".repeat(40)))),
        ),
        ("unknown_slot", get_request("/api/search?slot=IX.9")),
        ("bad_limit", get_request("/api/search?q=a&limit=0")),
        ("bad_limit", get_request("/api/search?q=a&limit=1000")),
        ("bad_offset", get_request("/api/search?q=a&offset=99999999")),
        ("bad_parameter", get_request("/api/search?q=a&limit=many")),
        (
            "unknown_base",
            get_request(format!("/api/compare?slot=III.7.R1.5&base={base}")),
        ),
        (
            "unknown_base_record",
            get_request("/api/compare?slot=III.7.R1.5&base_record=0000"),
        ),
        (
            "bad_limit",
            get_request("/api/compare?slot=III.7.R1.5&limit=501"),
        ),
        (
            "unknown_record",
            get_request("/api/records/0000000000000000"),
        ),
        ("not_found", get_request("/api/nothing-here")),
        ("unknown_slot", get_request("/api/answers?slot=IX.9")),
        ("empty_draft", post_json(r#"{"text":"。。。"}"#)),
        ("bad_body", post_json("{not json")),
        (
            "body_too_large",
            post_json(vec![b' '; hyoka::http::MAX_BODY_BYTES + 1]),
        ),
    ];
    for (code, request) in requests {
        let uri = request.uri().to_string();
        let (status, _, bytes) = crate::util::send(request).await;
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        assert!(status.is_client_error(), "{uri}: {status}");
        assert_eq!(body["error"]["code"], code, "{uri}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(is_japanese(message), "{uri}: {message}");
        assert!(
            english_words(message).is_empty(),
            "{uri}: English in {message:?}"
        );
        assert!(!message.ends_with('。'), "{uri}: {message}");
        // Developers keep the English detail.
        assert!(
            body["error"]["detail"]
                .as_str()
                .is_some_and(|detail| !detail.is_empty()),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn an_unknown_page_is_the_page_not_raw_json() {
    let (status, headers, bytes) = get_bytes("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/html")
    );
    assert!(String::from_utf8_lossy(&bytes).contains("<html lang=\"ja\">"));
}
