//! The HTTP API and the embedded web page.
//!
//! - `GET /api/search?q=&municipality=&prefecture=&slot=&doc_type=&actor=&rating=&limit=&offset=`;
//! - `GET /api/compare?slot=S[&base=BODY][&q=]`: the same slot across bodies;
//! - `POST /api/similar` `{text, slot?, limit?}`: passages like a draft;
//! - `GET /api/slots`, `GET /api/municipalities`, `GET /api/records/{id}`;
//! - `GET /api/export.csv?…`: CSV for Excel (search parameters, or `slot=` alone for a comparison);
//! - `GET /api/openapi.json`, `GET /healthz`;
//! - `GET /`, `GET /compare`, `/app.js`, `/style.css`: the web page (embedded in the binary).
//!
//! Errors are JSON `{"error": {"code", "message"}}`. Searches run on blocking threads, never on
//! the async workers; one `SearchIndex` (one tantivy reader) serves the process and reloads when
//! `hyoka ingest` swaps in a new generation.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use tower_http::trace::TraceLayer;

use crate::compare::{CompareError, CompareRequest, CompareResponse};
use crate::record::Record;
use crate::search::{SearchError, SearchIndex, SearchRequest, SearchResponse, SimilarRequest};

/// Largest request body accepted (a pasted draft is far smaller).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Most rows one CSV export holds.
pub const MAX_EXPORT_ROWS: usize = 5_000;

/// Shared state of the server.
#[derive(Clone)]
pub struct AppState {
    pub index: Arc<SearchIndex>,
    limits: Arc<IndexWorkLimits>,
}

impl AppState {
    /// State with the default bounds: index work on twice as many threads as cores, at most
    /// [`MAX_WAITING_REQUESTS`] requests waiting for one, each for at most [`MAX_WAIT`].
    pub fn new(index: Arc<SearchIndex>) -> AppState {
        let cores = std::thread::available_parallelism().map_or(2, |cores| cores.get());
        AppState::with_limits(index, cores * 2, MAX_WAITING_REQUESTS, MAX_WAIT)
    }

    /// State with explicit bounds (tests use tiny ones to see the 503).
    pub fn with_limits(
        index: Arc<SearchIndex>,
        concurrent: usize,
        waiting: usize,
        wait: Duration,
    ) -> AppState {
        AppState {
            index,
            limits: Arc::new(IndexWorkLimits {
                running: tokio::sync::Semaphore::new(concurrent),
                waiting: std::sync::atomic::AtomicUsize::new(0),
                max_waiting: waiting,
                max_wait: wait,
            }),
        }
    }

    /// Runs blocking index work on tokio's blocking pool, bounded: when all slots are busy a
    /// request waits its turn; when too many already wait, or the wait is too long, it gets a
    /// 503 saying so, instead of piling up threads and memory. A panic in the work is a 500.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        use std::sync::atomic::Ordering;
        let limits = &self.limits;
        let permit = match limits.running.try_acquire() {
            Ok(permit) => permit,
            Err(_) => {
                let waiting = limits.waiting.fetch_add(1, Ordering::SeqCst);
                let _leave_queue = scopeguard_decrement(&limits.waiting);
                if waiting >= limits.max_waiting {
                    return Err(AppError::Busy(format!(
                        "the server is busy: {waiting} requests are already waiting; retry shortly"
                    )));
                }
                match tokio::time::timeout(limits.max_wait, limits.running.acquire()).await {
                    Ok(Ok(permit)) => permit,
                    Ok(Err(_)) => return Err(AppError::Internal("work limiter closed".into())),
                    Err(_) => {
                        return Err(AppError::Busy(format!(
                            "the server is busy: no search slot came free within {} ms; retry shortly",
                            limits.max_wait.as_millis()
                        )));
                    }
                }
            }
        };
        let result = tokio::task::spawn_blocking(work)
            .await
            .map_err(|error| AppError::Internal(format!("index task failed: {error}")))?;
        drop(permit);
        result
    }
}

/// Bounds on blocking index work (searches, comparisons, drafts, exports).
struct IndexWorkLimits {
    running: tokio::sync::Semaphore,
    waiting: std::sync::atomic::AtomicUsize,
    max_waiting: usize,
    max_wait: Duration,
}

/// Decrements the waiting count when the request leaves the queue, however it leaves.
fn scopeguard_decrement(counter: &std::sync::atomic::AtomicUsize) -> impl Drop + '_ {
    struct Leave<'a>(&'a std::sync::atomic::AtomicUsize);
    impl Drop for Leave<'_> {
        fn drop(&mut self) {
            self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
    Leave(counter)
}

/// Most requests waiting for a search slot before new ones get 503.
pub const MAX_WAITING_REQUESTS: usize = 256;
/// Longest a request waits for a search slot before it gets 503.
pub const MAX_WAIT: Duration = Duration::from_secs(10);

/// The one error type of the HTTP layer.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is wrong; the message says what to change. 400.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// What was asked for does not exist. 404.
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    /// The request was refused before it reached a handler (body too large, not JSON …), with
    /// the status the extractor chose.
    #[error("{message}")]
    Rejected {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    /// Too much work already: 503 with `Retry-After`.
    #[error("{0}")]
    Busy(String),
    /// Something failed on our side. 500, logged, generic message to the client.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::NotFound { .. } => StatusCode::NOT_FOUND,
            AppError::Rejected { status, .. } => *status,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { code, .. }
            | AppError::NotFound { code, .. }
            | AppError::Rejected { code, .. } => code,
            AppError::Busy(_) => "busy",
            AppError::Internal(_) => "internal",
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let message = match &self {
            AppError::BadRequest { message, .. }
            | AppError::NotFound { message, .. }
            | AppError::Rejected { message, .. } => message.clone(),
            AppError::Busy(message) => {
                tracing::warn!(%message, "request refused");
                message.clone()
            }
            AppError::Internal(detail) => {
                tracing::error!(detail = %detail, "request failed");
                "something went wrong on the server; the error was logged".to_string()
            }
        };
        let body = json!({ "error": { "code": self.code(), "message": message } });
        let mut response = (self.status_code(), Json(body)).into_response();
        if matches!(self, AppError::Busy(_)) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

impl From<SearchError> for AppError {
    fn from(error: SearchError) -> Self {
        let code = match &error {
            SearchError::Query(_) => "bad_query",
            SearchError::UnknownSlot(_) => "unknown_slot",
            SearchError::LimitTooLarge(_) | SearchError::LimitZero => "bad_limit",
            SearchError::OffsetTooLarge(_) => "bad_offset",
            SearchError::EmptyDraft => "empty_draft",
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

impl From<CompareError> for AppError {
    fn from(error: CompareError) -> Self {
        match error {
            CompareError::Search(error) => error.into(),
            CompareError::UnknownBase { .. } => AppError::BadRequest {
                code: "unknown_base",
                message: error.to_string(),
            },
            CompareError::LimitTooLarge(_) => AppError::BadRequest {
                code: "bad_limit",
                message: error.to_string(),
            },
        }
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "body_too_large"
        } else {
            "bad_body"
        };
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            format!("request body is over {MAX_BODY_BYTES} bytes; send a shorter draft")
        } else {
            rejection.body_text().to_lowercase()
        };
        AppError::Rejected {
            status,
            code,
            message,
        }
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        AppError::BadRequest {
            code: "bad_parameter",
            message: rejection.body_text().to_lowercase(),
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
        .route("/compare", get(index_page))
        .route("/app.js", get(app_js))
        .route("/style.css", get(style_css))
        .route("/healthz", get(healthz))
        .route("/api/search", get(search))
        .route("/api/compare", get(compare))
        .route("/api/similar", post(similar))
        .route("/api/slots", get(slots))
        .route("/api/municipalities", get(municipalities))
        .route("/api/records/{id}", get(record))
        .route("/api/export.csv", get(export_csv))
        .route("/api/openapi.json", get(openapi))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(with_security_headers))
        // One INFO line per request (method, path, status, latency); the default level is DEBUG,
        // which the default log filter hides.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(
                    tower_http::trace::DefaultMakeSpan::new().level(tracing::Level::INFO),
                )
                .on_response(
                    tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO),
                ),
        )
        .with_state(state)
}

/// The policy of the page and its assets: scripts and styles only from this server, nothing
/// inline, nothing framed.
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
/// The policy of everything else (JSON, CSV, errors): nothing may load or run.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

fn with_page_headers(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_POLICY),
    );
    response
}

/// Security headers on every response, errors and 404s included; a page's own policy wins.
async fn with_security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(API_POLICY));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// The page (embedded in the binary; the same for `/` and `/compare`, which the script routes).
async fn index_page() -> Response {
    with_page_headers(Html(include_str!("../web/index.html")).into_response())
}

async fn app_js() -> Response {
    with_page_headers(
        (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            include_str!("../web/app.js"),
        )
            .into_response(),
    )
}

async fn style_css() -> Response {
    with_page_headers(
        (
            [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
            include_str!("../web/style.css"),
        )
            .into_response(),
    )
}

async fn healthz(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(json!({
        "status": "ok",
        "generation": state.index.generation(),
        "records": state.index.record_count(),
    }))
}

async fn not_found() -> AppError {
    AppError::NotFound {
        code: "not_found",
        message: "no such route; GET /api/openapi.json lists them".to_string(),
    }
}

async fn search(
    State(state): State<AppState>,
    request: Result<Query<SearchRequest>, QueryRejection>,
) -> Result<Json<SearchResponse>, AppError> {
    let Query(request) = request?;
    let index = state.index.clone();
    // tantivy search is synchronous and can take milliseconds: keep it off the async workers.
    let response = state.run(move || Ok(index.search(&request)?)).await?;
    Ok(Json(response))
}

async fn compare(
    State(state): State<AppState>,
    request: Result<Query<CompareRequest>, QueryRejection>,
) -> Result<Json<CompareResponse>, AppError> {
    let Query(request) = request?;
    // A malformed `q` is refused by the search under the comparison, as bad_query.
    let index = state.index.clone();
    let response = state
        .run(move || Ok(crate::compare::compare(&index, &request)?))
        .await?;
    Ok(Json(response))
}

async fn similar(
    State(state): State<AppState>,
    request: Result<Json<SimilarRequest>, JsonRejection>,
) -> Result<Json<SearchResponse>, AppError> {
    let Json(request) = request?;
    let index = state.index.clone();
    let response = state.run(move || Ok(index.similar(&request)?)).await?;
    Ok(Json(response))
}

async fn slots(State(state): State<AppState>) -> Result<Json<serde_json::Value>, AppError> {
    let index = state.index.clone();
    let counts = state.run(move || Ok(index.slot_counts()?)).await?;
    let slots: Vec<serde_json::Value> = crate::form::SLOTS
        .iter()
        .map(|slot| {
            json!({
                "key": slot.key,
                "label": slot.label,
                "breadcrumb": crate::form::breadcrumb(slot.key),
                "records": counts.get(slot.key).copied().unwrap_or(0),
            })
        })
        .collect();
    Ok(Json(json!({ "slots": slots })))
}

async fn municipalities(
    State(state): State<AppState>,
) -> Result<Json<serde_json::Value>, AppError> {
    let index = state.index.clone();
    let bodies = state.run(move || Ok(index.bodies()?)).await?;
    Ok(Json(json!({ "municipalities": *bodies })))
}

async fn record(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Record>, AppError> {
    let Path(id) = id?;
    let index = state.index.clone();
    let lookup_id = id.clone();
    match state.run(move || Ok(index.record(&lookup_id)?)).await? {
        Some(record) => Ok(Json(record)),
        None => Err(AppError::NotFound {
            code: "unknown_record",
            message: format!("no record with id {id:?}"),
        }),
    }
}

async fn export_csv(
    State(state): State<AppState>,
    request: Result<Query<SearchRequest>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(request) = request?;
    let index = state.index.clone();
    let comparison = request.q.trim().is_empty() && request.slot.is_some();
    let records: Vec<Record> = state
        .run(move || {
            if comparison {
                // A comparison's rows, in its reading order.
                Ok(crate::compare::records_in_reading_order(
                    &index,
                    request.slot.as_deref().unwrap_or_default(),
                    "",
                    MAX_EXPORT_ROWS,
                )?)
            } else {
                Ok(index
                    .collect(&request, MAX_EXPORT_ROWS)?
                    .into_iter()
                    .map(|(_, record)| record)
                    .collect())
            }
        })
        .await?;
    let body = crate::export::records_to_csv(&records);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"hyoka.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

async fn openapi() -> Json<serde_json::Value> {
    Json(crate::openapi::document())
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
