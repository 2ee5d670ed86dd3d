//! Request edges: targets and headers over the limits answered in the one JSON error shape, a
//! foreign `Host` refused, invisible characters in a query.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

use hyoka::http::{AppState, MAX_HEADER_BYTES, MAX_URI_BYTES, app};
use hyoka::search::SearchIndex;

async fn send_to(router: axum::Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = router.oneshot(request).await.expect("a response");
    let status = response.status();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .expect("body")
        .to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn router_allowing(names: &[&str]) -> axum::Router {
    let index = SearchIndex::open(crate::util::index_path()).expect("the index opens");
    app(AppState::new(Arc::new(index))
        .with_allowed_hosts(names.iter().map(|name| name.to_string()).collect()))
}

fn is_japanese(message: &Value) -> bool {
    message
        .as_str()
        .is_some_and(|text| text.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)))
}

#[tokio::test]
async fn a_target_or_headers_over_the_limit_get_the_json_error_in_japanese() {
    let router = router_allowing(&[]);
    let long_query = format!("/api/search?q={}", "a".repeat(MAX_URI_BYTES));
    let (status, body) = send_to(
        router.clone(),
        Request::get(&long_query)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::URI_TOO_LONG);
    assert_eq!(body["error"]["code"], "uri_too_long");
    assert!(is_japanese(&body["error"]["message"]), "{body}");
    // The page's addresses too, not only the API's.
    let long_draft = format!("/?draft={}", "b".repeat(MAX_URI_BYTES));
    let (status, body) = send_to(
        router.clone(),
        Request::get(&long_draft)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::URI_TOO_LONG);
    assert_eq!(body["error"]["code"], "uri_too_long");

    let (status, body) = send_to(
        router.clone(),
        Request::get("/api/search?q=x")
            .header("x-filler", "c".repeat(MAX_HEADER_BYTES))
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert_eq!(body["error"]["code"], "headers_too_large");
    assert!(is_japanese(&body["error"]["message"]), "{body}");

    // Just under the limit is answered.
    let fits = format!("/api/search?q={}", "a".repeat(MAX_URI_BYTES - 200));
    let (status, body) = send_to(
        router,
        Request::get(&fits).body(Body::empty()).expect("request"),
    )
    .await;
    assert_ne!(status, StatusCode::URI_TOO_LONG, "{body}");
}

#[tokio::test]
async fn a_foreign_host_is_refused_and_ip_addresses_localhost_and_allowed_names_answer() {
    let router = router_allowing(&["hyoka.example.lg.jp"]);
    for host in ["evil.example", "evil.example:8080", "127.0.0.1.nip.io"] {
        let (status, body) = send_to(
            router.clone(),
            Request::get("/api/slots")
                .header("host", host)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{host}");
        assert_eq!(body["error"]["code"], "unknown_host", "{host}");
        assert!(is_japanese(&body["error"]["message"]), "{body}");
    }
    for host in [
        "127.0.0.1:8080",
        "localhost:8080",
        "[::1]:8080",
        "192.0.2.7",
        "HYOKA.example.lg.jp",
    ] {
        let (status, body) = send_to(
            router.clone(),
            Request::get("/api/slots")
                .header("host", host)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{host}: {body}");
    }
}

#[tokio::test]
async fn invisible_characters_copied_inside_a_word_find_what_the_word_finds() {
    let router = router_allowing(&[]);
    let total = |body: &Value| body["total"].as_u64().unwrap_or(0);
    let (_, plain) = send_to(
        router.clone(),
        Request::get(format!(
            "/api/search?q={}",
            crate::util::encoded("生体認証")
        ))
        .body(Body::empty())
        .expect("request"),
    )
    .await;
    assert!(total(&plain) > 0);
    for copied in ["生体\u{200B}認証", "\u{FEFF}生体認証", "生体\u{2060}認証"] {
        let (status, body) = send_to(
            router.clone(),
            Request::get(format!("/api/search?q={}", crate::util::encoded(copied)))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(total(&body), total(&plain), "{copied:?}");
    }
}

/// One kind of bad parameter gets one status and one code on every endpoint that takes it.
#[tokio::test]
async fn one_kind_of_bad_parameter_is_one_status_and_code_on_every_endpoint() {
    let router = router_allowing(&[]);
    let get = |uri: &str| Request::get(uri).body(Body::empty()).expect("request");
    let post = |uri: &str, body: Value| {
        Request::post(uri)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .expect("request")
    };
    let physical = "III.7.R1.5";
    let kinds: Vec<(&str, Vec<Request<Body>>)> = vec![
        (
            "bad_limit",
            vec![
                get("/api/search?q=a&limit=0"),
                get(&format!("/api/compare?slot={physical}&limit=0")),
                get(&format!("/api/compare/groups?slot={physical}&limit=0")),
                post(
                    "/api/similar",
                    serde_json::json!({"text": "施錠する", "limit": 0}),
                ),
                post(
                    "/api/draft/hints",
                    serde_json::json!({"slot": physical, "text": "施錠する", "limit": 0}),
                ),
            ],
        ),
        (
            "bad_offset",
            vec![
                get(&format!(
                    "/api/search?q={}&offset=5000",
                    crate::util::encoded("施錠")
                )),
                get(&format!(
                    "/api/search?q={}&offset=5000&fold=off",
                    crate::util::encoded("施錠")
                )),
                get(&format!("/api/compare?slot={physical}&offset=5000")),
                get(&format!("/api/compare/groups?slot={physical}&offset=5000")),
            ],
        ),
        (
            "unknown_slot",
            vec![
                get("/api/search?slot=IX.9"),
                get("/api/compare?slot=IX.9"),
                get("/api/compare/groups?slot=IX.9"),
                get("/api/answers?slot=IX.9"),
                post(
                    "/api/similar",
                    serde_json::json!({"text": "施錠する", "slot": "IX.9"}),
                ),
                post(
                    "/api/draft/hints",
                    serde_json::json!({"text": "施錠する", "slot": "IX.9"}),
                ),
                post(
                    "/api/draft/precedents",
                    serde_json::json!({"text": "施錠する", "slot": "IX.9"}),
                ),
            ],
        ),
        (
            "bad_body",
            vec![
                // A missing field is a bad request, not axum's 422.
                post("/api/similar", serde_json::json!({"slot": physical})),
                post(
                    "/api/draft/hints",
                    serde_json::json!({"slot": physical, "text": 7}),
                ),
            ],
        ),
    ];
    for (code, requests) in kinds {
        for request in requests {
            let uri = request.uri().to_string();
            let (status, body) = send_to(router.clone(), request).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
            assert_eq!(body["error"]["code"], code, "{uri}: {body}");
            assert!(is_japanese(&body["error"]["message"]), "{uri}: {body}");
        }
    }
    // The first page of nothing is an empty page, not an error.
    let (status, body) = send_to(
        router,
        get(&format!(
            "/api/search?q={}",
            crate::util::encoded("存在しない語句ぬぬぬ")
        )),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn the_page_has_an_icon() {
    let router = router_allowing(&[]);
    for path in ["/favicon.ico", "/favicon.svg"] {
        let response = router
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).expect("request"))
            .await
            .expect("a response");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "image/svg+xml",
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_draft_search_folds_marks_words_only_and_applies_its_dates() {
    let router = router_allowing(&[]);
    let draft = crate::util::sentence_containing("002", "監視カメラ");
    let post = |body: Value| {
        Request::post("/api/similar")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .expect("request")
    };
    let (status, folded) = send_to(
        router.clone(),
        post(serde_json::json!({ "text": draft, "limit": 20, "fold": "on" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{folded}");
    let hits = folded["hits"].as_array().expect("hits");
    assert!(!hits.is_empty());
    assert!(
        hits.iter().all(|hit| hit["folded"].is_object()),
        "every hit is a wording"
    );
    for hit in hits {
        let snippet = hit["snippet"].as_str().unwrap_or_default();
        for marked in snippet.split("<mark>").skip(1) {
            let word = marked.split("</mark>").next().unwrap_or_default();
            assert!(
                word.chars().count() >= 2
                    && !word.chars().all(hyoka::analysis::normalize::is_hiragana),
                "marked {word:?} in {snippet}"
            );
        }
    }
    // The date filter applies: nothing is published in the future; a bad date is refused.
    let (status, future) = send_to(
        router.clone(),
        post(serde_json::json!({ "text": draft, "published_from": "2090-01-01" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{future}");
    assert_eq!(future["total"], 0, "{future}");
    let (status, bad) = send_to(
        router,
        post(serde_json::json!({ "text": draft, "published_to": "きのう" })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["error"]["code"], "bad_date");
}

#[test]
fn values_of_one_filter_are_any_of_them_and_its_facet_still_lists_the_others() {
    let index = crate::util::index();
    let search = |municipality: Option<&str>| {
        index
            .search(&hyoka::search::SearchRequest {
                q: "生体認証".to_string(),
                municipality: municipality.map(str::to_string),
                fold: Some("off".to_string()),
                ..hyoka::search::SearchRequest::default()
            })
            .expect("search runs")
    };
    let everyone = search(None);
    let bodies: Vec<String> = everyone.facets["municipality"]
        .iter()
        .map(|count| count.value.to_string())
        .collect();
    assert!(bodies.len() >= 2, "{bodies:?}");
    let (first, second) = (&bodies[0], &bodies[1]);
    let one = search(Some(first));
    let other = search(Some(second));
    let both = search(Some(&format!("{first},{second}")));
    assert_eq!(both.total, one.total + other.total);
    // The 団体 facet of a search filtered by 団体 counts as if unfiltered: every body, each with
    // what choosing it would add.
    assert_eq!(one.facets["municipality"], everyone.facets["municipality"]);
    // Other dimensions are counted within the filter.
    let kinds = |response: &hyoka::search::SearchResponse| -> u64 {
        response.facets["doc_type"]
            .iter()
            .map(|count| count.count)
            .sum()
    };
    assert_eq!(kinds(&one), one.total as u64);
}

#[tokio::test]
async fn a_record_opened_from_a_search_has_the_searched_words_marked() {
    let router = router_allowing(&[]);
    let found = crate::util::index()
        .search(&hyoka::search::SearchRequest {
            q: "生体認証".to_string(),
            ..hyoka::search::SearchRequest::default()
        })
        .expect("search runs");
    let id = found.hits[0].record.id.clone();
    let get = |uri: String| Request::get(uri).body(Body::empty()).expect("request");
    let (status, marked) = send_to(
        router.clone(),
        get(format!(
            "/api/records/{id}/context?q={}",
            crate::util::encoded("生体認証")
        )),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let text = marked["marked_text"].as_str().expect("marked text");
    assert!(text.contains("<mark>生体認証</mark>"), "{text}");
    // Without marks, the text is what it says (escaped).
    let plain = text.replace("<mark>", "").replace("</mark>", "");
    assert_eq!(
        plain,
        hyoka::search::snippet::escape_html(&found.hits[0].record.text)
    );
    let (_, unmarked) = send_to(router, get(format!("/api/records/{id}/context"))).await;
    assert!(unmarked["marked_text"].is_null());
}
