//! The HTTP API through the router, without a socket.

use crate::util::encoded;
use std::process::Command;

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::util::{index_path, send};

async fn get(uri: &str) -> (StatusCode, serde_json::Value) {
    let (status, _, bytes) = send(Request::get(uri).body(Body::empty()).expect("request")).await;
    let value = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    (status, value)
}

#[tokio::test]
async fn healthz_reports_the_live_generation() {
    let (status, body) = get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert!(body["records"].as_u64().unwrap_or(0) > 0);
}

#[tokio::test]
async fn search_returns_hits_with_facets() {
    let (status, body) = get(&format!("/api/search?q={}&limit=5", encoded("生体認証"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["hits"].as_array().is_some_and(|hits| !hits.is_empty()));
    assert!(body["facets"]["municipality"].as_array().is_some());
}

#[tokio::test]
async fn a_broken_query_is_a_json_400() {
    let (status, body) = get(&format!("/api/search?q={}", encoded("(\""))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "bad_query");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("閉じていません"),
        "{body}"
    );
    assert!(
        body["error"]["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("unclosed quote"),
        "{body}"
    );
}

#[tokio::test]
async fn a_limit_over_100_is_a_json_400() {
    let (status, body) = get("/api/search?q=a&limit=101").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "bad_limit");
}

#[tokio::test]
async fn a_non_numeric_limit_is_a_json_400() {
    let (status, body) = get("/api/search?q=a&limit=many").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "bad_parameter");
}

#[tokio::test]
async fn cli_json_is_exactly_what_the_api_returns() {
    let query = "入退室管理";
    let (_, mut api) = get(&format!("/api/search?q={}&limit=10", encoded(query))).await;
    let output = Command::new(env!("CARGO_BIN_EXE_hyoka"))
        .args([
            "search",
            query,
            "--json",
            "--limit",
            "10",
            "--index",
            index_path().to_str().expect("utf-8"),
        ])
        .output()
        .expect("binary runs");
    let mut cli: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    // Timing is the only thing allowed to differ.
    api["took_ms"] = serde_json::Value::Null;
    cli["took_ms"] = serde_json::Value::Null;
    assert_eq!(api, cli);
}

async fn get_raw(uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let (status, headers, bytes) =
        send(Request::get(uri).body(Body::empty()).expect("request")).await;
    (status, headers, String::from_utf8_lossy(&bytes).to_string())
}

#[tokio::test]
async fn the_page_and_its_assets_are_served_with_security_headers() {
    for (uri, content_type) in [
        ("/", "text/html"),
        ("/compare?slot=III.7.R1.5", "text/html"),
        ("/app.js", "text/javascript"),
        ("/style.css", "text/css"),
    ] {
        let (status, headers, body) = get_raw(uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        let served_type = headers
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        assert!(
            served_type.starts_with(content_type),
            "{uri}: {served_type}"
        );
        let policy = headers
            .get("content-security-policy")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        assert!(
            policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"),
            "{uri}: {policy}"
        );
        assert_eq!(
            headers
                .get("x-content-type-options")
                .and_then(|value| value.to_str().ok()),
            Some("nosniff")
        );
        assert!(!body.is_empty());
    }
}

#[tokio::test]
async fn the_page_script_never_renders_document_text_as_html() {
    // Document text is inserted as text nodes only; the snippet's <mark> is rebuilt as
    // elements. Any of these sinks would let markup in a document run.
    let (_, _, script) = get_raw("/app.js").await;
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
    ] {
        assert!(!script.contains(sink), "app.js uses {sink}");
    }
    let (_, _, page) = get_raw("/").await;
    assert!(page.contains("<html lang=\"ja\">"));
    assert!(
        !page.contains("<script>"),
        "no inline script (the CSP forbids it)"
    );
}

/// A repeated search or comparison is answered from the cache, and says so; an index swapped in
/// (a document added) is searched again, not answered from the old generation; a draft sent to
/// the similar search is never kept.
#[tokio::test]
async fn a_repeated_search_is_answered_from_the_cache_until_the_index_changes() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let corpus = folder.path().join("corpus");
    crate::util::copy_corpus(&corpus, None);
    let index_folder = folder.path().join("index");
    let index = std::sync::Arc::new(crate::util::ingested(&corpus, &index_folder));
    let state = hyoka::http::AppState::new(index.clone()).with_response_cache(1 << 20);
    let get = |uri: &str| {
        axum::http::Request::get(uri)
            .body(axum::body::Body::empty())
            .expect("request")
    };
    let uri = format!("/api/search?q={}", crate::util::encoded("サーバ室"));
    let mut answers = Vec::new();
    for expected in ["miss", "hit"] {
        let (status, headers, body) = crate::util::send_to(state.clone(), get(&uri)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["x-hyoka-cache"], expected);
        answers.push(body);
    }
    assert_eq!(answers[0], answers[1], "the kept answer is the answer");
    let compare = "/api/compare/groups?slot=III.7.R1.5";
    let (_, first, _) = crate::util::send_to(state.clone(), get(compare)).await;
    let (_, second, _) = crate::util::send_to(state.clone(), get(compare)).await;
    assert_eq!(
        (&first["x-hyoka-cache"], &second["x-hyoka-cache"]),
        (
            &"miss".parse::<axum::http::HeaderValue>().unwrap(),
            &"hit".parse::<axum::http::HeaderValue>().unwrap()
        )
    );

    // A new generation: a copy of 札幌市's document under another name adds its records.
    let before: serde_json::Value = serde_json::from_slice(&answers[0]).expect("json");
    let sapporo = crate::util::sample_file(&corpus, "002_");
    let copy = std::fs::read_to_string(&sapporo)
        .expect("text")
        .replace("札幌市", "旭川市");
    std::fs::write(corpus.join("900_asahikawa.txt"), copy).expect("write");
    crate::util::append_to_manifest(
        &corpus,
        "\n[[document]]\nfile = \"900_asahikawa.txt\"\nmunicipality = \"旭川市\"\ntitle = \"住民基本台帳に関する事務 全項目評価書\"\ndoc_type = \"全項目評価書\"\n",
    );
    crate::util::ingested(&corpus, &index_folder);
    assert!(index.reload_if_changed().expect("reload"));
    let (_, headers, body) = crate::util::send_to(state.clone(), get(&uri)).await;
    assert_eq!(headers["x-hyoka-cache"], "miss");
    let after: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_ne!(
        before["total"], after["total"],
        "the new generation was searched"
    );

    // A draft is the user's: never kept.
    let draft = axum::http::Request::post("/api/similar")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            serde_json::json!({ "text": "サーバ室は施錠している。" }).to_string(),
        ))
        .expect("request");
    let (status, headers, _) = crate::util::send_to(state.clone(), draft).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("x-hyoka-cache").is_none());
}
