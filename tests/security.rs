//! Security behaviours of the server: headers on every response, bounded work with 503s that
//! say so, no file reachable through any route, no admin surface, CSV cells that cannot run as
//! formulas. (Query length, `limit` and body size bounds are pinned in `api.rs`.)

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};

use hyoka::search::SearchIndex;

use crate::util::{index_path, send, send_to};

fn header<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_response_carries_the_security_headers_errors_included() {
    let oversized =
        serde_json::json!({ "text": "あ".repeat(hyoka::http::MAX_BODY_BYTES / 3 + 10) });
    let requests = [
        Request::get("/").body(Body::empty()),
        Request::get("/app.js").body(Body::empty()),
        Request::get("/api/search?q=%E7%94%9F%E4%BD%93%E8%AA%8D%E8%A8%BC").body(Body::empty()),
        Request::get("/api/export.csv?slot=III.7.R1.5").body(Body::empty()),
        Request::get("/api/search?q=%22").body(Body::empty()),
        Request::get("/no/such/page").body(Body::empty()),
        Request::post("/api/similar")
            .header("content-type", "application/json")
            .body(Body::from(oversized.to_string())),
    ];
    let mut statuses = Vec::new();
    for request in requests {
        let request = request.expect("request");
        let uri = request.uri().to_string();
        let (status, headers, _) = send(request).await;
        statuses.push(status.as_u16());
        assert_eq!(
            header(&headers, "x-content-type-options"),
            "nosniff",
            "{uri}"
        );
        assert_eq!(header(&headers, "x-frame-options"), "DENY", "{uri}");
        assert_eq!(header(&headers, "referrer-policy"), "no-referrer", "{uri}");
        let policy = header(&headers, "content-security-policy");
        assert!(policy.contains("frame-ancestors 'none'"), "{uri}: {policy}");
        assert!(
            !policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"),
            "{uri}"
        );
    }
    // The list covers pages, JSON, CSV, a 400, a 404 and a 413.
    assert_eq!(statuses, [200, 200, 200, 200, 400, 404, 413]);
}

async fn send_with_limits(
    uri: &str,
    concurrent: usize,
    waiting: usize,
    wait: Duration,
) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
    let index = Arc::new(SearchIndex::open(index_path()).expect("index opens"));
    let state = hyoka::http::AppState::with_limits(index, concurrent, waiting, wait);
    let request = Request::get(uri).body(Body::empty()).expect("request");
    let (status, headers, bytes) = send_to(state, request).await;
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or_default(),
    )
}

#[tokio::test]
async fn a_search_beyond_the_waiting_bound_gets_a_503_that_says_so() {
    let (status, headers, body) = send_with_limits(
        "/api/search?q=%E7%94%9F%E4%BD%93%E8%AA%8D%E8%A8%BC",
        0,
        0,
        Duration::from_secs(1),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(header(&headers, "retry-after"), "1");
    assert_eq!(body["error"]["code"], "busy");
    assert_eq!(
        body["error"]["message"],
        "混み合っています。少し待ってからもう一度お試しください"
    );
    let message = body["error"]["detail"].as_str().unwrap_or_default();
    assert!(
        message.contains("requests are already waiting"),
        "{message}"
    );
}

#[tokio::test]
async fn a_search_that_waits_too_long_for_a_slot_gets_a_503_that_says_so() {
    let (status, _, body) = send_with_limits(
        "/api/compare?slot=III.7.R1.5",
        0,
        4,
        Duration::from_millis(50),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let message = body["error"]["detail"].as_str().unwrap_or_default();
    assert!(
        message.contains("no search slot came free within 50 ms"),
        "{message}"
    );
}

#[tokio::test]
async fn a_search_with_a_free_slot_is_answered() {
    let (status, _, body) = send_with_limits(
        "/api/search?q=%E7%94%9F%E4%BD%93%E8%AA%8D%E8%A8%BC",
        1,
        0,
        Duration::from_millis(50),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["total"].as_u64().unwrap_or(0) > 0);
}

#[tokio::test]
async fn no_route_reaches_a_file_on_disk() {
    // Files a traversal would be after: the crate, the manifest, the index pointer, the page
    // source (served only from the embedded copy, at its one route).
    let attempts = [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/%2e%2e%2fCargo.toml",
        "/app.js/../../Cargo.toml",
        "/app.js/%2e%2e/%2e%2e/Cargo.toml",
        "//etc/passwd",
        "/web/app.js",
        "/web/index.html",
        "/corpus/manifest.toml",
        "/index/CURRENT",
        "/api/records/..%2F..%2Findex%2FCURRENT",
        "/api/records/%2e%2e",
        "/api/export.csv/../../Cargo.toml",
        "/static/..%5c..%5cCargo.toml",
    ];
    for uri in attempts {
        let (status, _, bytes) =
            send(Request::get(uri).body(Body::empty()).expect("request")).await;
        let body = String::from_utf8_lossy(&bytes);
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::BAD_REQUEST,
            "{uri}: {status}"
        );
        for leaked in ["[package]", "[[document]]", "gen-", "root:", "use strict"] {
            assert!(!body.contains(leaked), "{uri} leaked {leaked:?}: {body}");
        }
    }
}

#[tokio::test]
async fn there_is_no_admin_surface_over_http() {
    // Re-indexing is `hyoka ingest` on the machine; nothing over HTTP changes the index.
    for method in ["GET", "POST", "PUT", "DELETE"] {
        for uri in ["/api/admin/reindex", "/api/ingest", "/api/records"] {
            let request = Request::builder()
                .method(method)
                .uri(uri)
                .body(Body::empty())
                .expect("request");
            let (status, _, _) = send(request).await;
            assert!(
                status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED,
                "{method} {uri}: {status}"
            );
        }
    }
}

#[test]
fn csv_cells_from_a_hostile_record_cannot_run_as_formulas() {
    // A real record whose text and body name were made to look like formulas.
    let mut record = crate::util::parse_text(&crate::util::sample("002"), "札幌市")
        .into_iter()
        .find(|record| record.slot.as_deref() == Some("III.7.R1.5"))
        .expect("a 札幌市 ⑤物理的対策 record");
    record.text = "=HYPERLINK(\"http://example.invalid\",\"詳細\")".to_string();
    record.municipality = "@SUM(1+1)".to_string();
    record.field = Some("+1".to_string());
    record.jimu = Some("-2+3".to_string());
    let csv = String::from_utf8(hyoka::export::records_to_csv([&record])).expect("UTF-8");
    let row = csv.lines().nth(1).expect("a data row");
    for cell in ["\"'=HYPERLINK(", "\"'@SUM(1+1)\"", "\"'+1\"", "\"'-2+3\""] {
        assert!(row.contains(cell), "{cell} not neutralised in {row}");
    }
    assert!(
        !row.contains(",\"=") && !row.contains(",\"@") && !row.starts_with("\"@"),
        "{row}"
    );
}
