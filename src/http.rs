//! The HTTP API and the embedded web page.
//!
//! - `GET /healthz`: liveness and the live index generation;
//! - `GET /api/search?q=&municipality=&prefecture=&slot=&doc_type=&actor=&rating=&limit=&offset=`;
//! - `GET /`: the web page (embedded in the binary).
//!
//! Errors are JSON `{"error": {"code", "message"}}`. Searches run on blocking threads, never on
//! the async workers; one `SearchIndex` (one tantivy reader) serves the process and reloads when
//! `hyoka ingest` swaps in a new generation.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::search::{SearchError, SearchIndex, SearchRequest, SearchResponse};

/// Shared state of the server.
#[derive(Clone)]
pub struct AppState {
    pub index: Arc<SearchIndex>,
}

/// The one error type of the HTTP layer.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is wrong; the message says what to change. 400.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// Something failed on our side. 500, logged, generic message to the client.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { code, .. } => code,
            AppError::Internal(_) => "internal",
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let message = match &self {
            AppError::BadRequest { message, .. } => message.clone(),
            AppError::Internal(detail) => {
                tracing::error!(detail = %detail, "request failed");
                "something went wrong on the server; the error was logged".to_string()
            }
        };
        let body = json!({ "error": { "code": self.code(), "message": message } });
        (self.status_code(), Json(body)).into_response()
    }
}

impl From<SearchError> for AppError {
    fn from(error: SearchError) -> Self {
        let code = match &error {
            SearchError::Query(_) => "bad_query",
            SearchError::UnknownSlot(_) => "unknown_slot",
            SearchError::LimitTooLarge(_) | SearchError::LimitZero => "bad_limit",
            SearchError::OffsetTooLarge(_) => "bad_offset",
            SearchError::Index(_) | SearchError::Tantivy(_) => {
                return AppError::Internal(error.to_string());
            }
        };
        AppError::BadRequest {
            code,
            message: error.to_string(),
        }
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::BadRequest {
            code: "bad_parameter",
            message: rejection.body_text().to_lowercase(),
        }
    }
}

/// The application router. Tests call this with `oneshot`, no socket.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(index_page))
        .route("/healthz", get(healthz))
        .route("/api/search", get(search))
        .fallback(not_found)
        .with_state(state)
}

async fn index_page() -> Response {
    let mut response = Html(include_str!("../web/index.html")).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

async fn healthz(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(json!({
        "status": "ok",
        "generation": state.index.generation(),
        "records": state.index.record_count(),
    }))
}

async fn not_found() -> AppError {
    AppError::BadRequest {
        code: "not_found",
        message: "no such route; see GET /healthz and GET /api/search".to_string(),
    }
}

async fn search(
    State(state): State<AppState>,
    request: Result<Query<SearchRequest>, QueryRejection>,
) -> Result<Json<SearchResponse>, AppError> {
    let Query(request) = request?;
    let index = state.index.clone();
    // tantivy search is synchronous and can take milliseconds: keep it off the async workers.
    let response = tokio::task::spawn_blocking(move || index.search(&request))
        .await
        .map_err(|error| AppError::Internal(format!("search task failed: {error}")))??;
    Ok(Json(response))
}

/// Polls for a generation swapped in by `hyoka ingest` and switches to it.
pub fn spawn_reloader(index: Arc<SearchIndex>, every: Duration) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            let index = index.clone();
            match tokio::task::spawn_blocking(move || index.reload_if_changed()).await {
                Ok(Ok(true)) => tracing::info!("switched to a newly built index"),
                Ok(Ok(false)) => {}
                Ok(Err(error)) => {
                    tracing::warn!(%error, "index reload failed; still serving the previous index")
                }
                Err(error) => tracing::warn!(%error, "index reload task failed"),
            }
        }
    });
}
