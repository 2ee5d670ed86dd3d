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
use crate::draft::{DraftError, DraftRequest};
use crate::record::Record;
use crate::response_cache::{CACHE_HEADER, ResponseCache};
use crate::search::{
    BodySummary, SearchError, SearchIndex, SearchRequest, SearchResponse, SimilarRequest,
};

/// Largest request body accepted (a pasted draft is far smaller).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Most rows one CSV export holds.
pub const MAX_EXPORT_ROWS: usize = 5_000;

/// Shared state of the server.
#[derive(Clone)]
pub struct AppState {
    pub index: Arc<SearchIndex>,
    limits: Arc<IndexWorkLimits>,
    /// The corpus folder, to hand out an indexed document's original PDF (`/documents/…`).
    corpus: Option<Arc<std::path::PathBuf>>,
    /// Host names the server answers to (besides IP literals and `localhost`); none: any.
    allowed_hosts: Option<Arc<Vec<String>>>,
    /// Answers of repeated GET searches and comparisons, for the current generation.
    cache: Arc<ResponseCache>,
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
            corpus: None,
            allowed_hosts: None,
            cache: Arc::new(ResponseCache::new(0)),
            limits: Arc::new(IndexWorkLimits {
                running: tokio::sync::Semaphore::new(concurrent),
                waiting: std::sync::atomic::AtomicUsize::new(0),
                max_waiting: waiting,
                max_wait: wait,
            }),
        }
    }

    /// Keeps the answers of repeated GET searches and comparisons, up to `bytes` (0: none), for
    /// the generation that gave them (see [`crate::response_cache`]).
    pub fn with_response_cache(mut self, bytes: usize) -> AppState {
        self.cache = Arc::new(ResponseCache::new(bytes));
        self
    }

    /// The JSON answer of `work` for the request `uri`: the kept one when the same request was
    /// answered under the current generation, else computed (off the async workers) and kept.
    /// The `x-hyoka-cache` header says which (`hit`, `miss`, or `off`).
    async fn cached_json<T: serde::Serialize + Send + 'static>(
        &self,
        uri: &axum::http::Uri,
        work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<Response, AppError> {
        let request = uri
            .path_and_query()
            .map_or_else(|| uri.path().to_string(), ToString::to_string);
        let generation = self.index.generation();
        if let Some(body) = self.cache.get(&generation, &request) {
            return Ok(json_bytes(body, "hit"));
        }
        // Written out on the blocking pool too: a national page of folded hits is a few
        // hundred kilobytes of JSON, work the async threads should not do.
        let body = self
            .run(move || {
                let answer = work()?;
                // Most answers are tens to hundreds of kilobytes: starting at 64 KiB (below the
                // allocator's mmap threshold) spares a dozen regrowths and their copies.
                let mut body = Vec::with_capacity(ANSWER_BUFFER_BYTES);
                serde_json::to_writer(&mut body, &answer)
                    .map(|()| axum::body::Bytes::from(body))
                    .map_err(|error| {
                        AppError::Internal(format!("cannot write the answer: {error}"))
                    })
            })
            .await?;
        if self.cache.is_off() {
            return Ok(json_bytes(body, "off"));
        }
        self.cache.put(&generation, request, body.clone());
        Ok(json_bytes(body, "miss"))
    }

    /// Serves the original PDFs of the indexed documents from this corpus folder.
    pub fn with_corpus(mut self, folder: std::path::PathBuf) -> AppState {
        self.corpus = Some(Arc::new(folder));
        self
    }

    /// Answers only requests whose `Host` is an IP address, `localhost` or one of these names
    /// (DNS rebinding: a page of another site whose name is made to resolve to this server
    /// must not read it). `serve` always sets it.
    pub fn with_allowed_hosts(mut self, names: Vec<String>) -> AppState {
        let names = names
            .into_iter()
            .map(|name| name.trim().to_ascii_lowercase())
            .filter(|name| !name.is_empty())
            .collect();
        self.allowed_hosts = Some(Arc::new(names));
        self
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

/// The room a JSON answer is written into at first (see [`AppState::cached_json`]).
const ANSWER_BUFFER_BYTES: usize = 64 * 1024;

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

/// The one error type of the HTTP layer. Each carries what the page shows (`shown`, Japanese,
/// see [`crate::messages`]) and what a developer reads (`message`, English, returned as
/// `detail` and logged).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is wrong; the message says what to change. 400.
    #[error("{message}")]
    BadRequest {
        code: &'static str,
        message: String,
        shown: String,
    },
    /// What was asked for does not exist. 404.
    #[error("{message}")]
    NotFound {
        code: &'static str,
        message: String,
        shown: String,
    },
    /// The request was refused before it reached a handler (body too large, not JSON …), with
    /// the status the extractor chose.
    #[error("{message}")]
    Rejected {
        status: StatusCode,
        code: &'static str,
        message: String,
        shown: String,
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

    fn bad_request(code: &'static str, message: String, shown: String) -> AppError {
        AppError::BadRequest {
            code,
            message,
            shown,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (shown, detail) = match &self {
            AppError::BadRequest { message, shown, .. }
            | AppError::NotFound { message, shown, .. }
            | AppError::Rejected { message, shown, .. } => (shown.clone(), message.clone()),
            AppError::Busy(message) => {
                tracing::warn!(%message, "request refused");
                (crate::messages::busy(), message.clone())
            }
            AppError::Internal(detail) => {
                tracing::error!(detail = %detail, "request failed");
                (
                    crate::messages::internal(),
                    "something went wrong on the server; the error was logged".to_string(),
                )
            }
        };
        let body = json!({ "error": { "code": self.code(), "message": shown, "detail": detail } });
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
            SearchError::OffsetTooLarge(_) | SearchError::OffsetPastEnd { .. } => "bad_offset",
            SearchError::EmptyDraft => "empty_draft",
            SearchError::BadDate(_) => "bad_date",
            SearchError::Index(_) | SearchError::Tantivy(_) => {
                return AppError::Internal(error.to_string());
            }
        };
        AppError::bad_request(
            code,
            error.to_string(),
            crate::messages::search_error(&error),
        )
    }
}

impl From<CompareError> for AppError {
    fn from(error: CompareError) -> Self {
        let code = match &error {
            CompareError::UnknownBase { .. } => "unknown_base",
            CompareError::UnknownBaseRecord(_) => "unknown_base_record",
            CompareError::LimitTooLarge { .. } => "bad_limit",
            CompareError::OffsetPastEnd { .. } => "bad_offset",
            CompareError::Search(_) => match error {
                CompareError::Search(error) => return error.into(),
                _ => "bad_request",
            },
        };
        AppError::bad_request(
            code,
            error.to_string(),
            crate::messages::compare_error(&error),
        )
    }
}

impl From<DraftError> for AppError {
    fn from(error: DraftError) -> Self {
        let code = match &error {
            DraftError::EmptyText => "empty_draft",
            DraftError::TooLong { .. } => "draft_too_long",
            DraftError::LimitTooLarge { .. } => "bad_limit",
            DraftError::UnknownDocument(_) => {
                return AppError::NotFound {
                    code: "unknown_document",
                    message: error.to_string(),
                    shown: crate::messages::unknown_document(),
                };
            }
            DraftError::Search(_) => match error {
                DraftError::Search(error) => return error.into(),
                _ => "bad_request",
            },
        };
        AppError::bad_request(
            code,
            error.to_string(),
            crate::messages::draft_error(&error),
        )
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            return AppError::Rejected {
                status,
                code: "body_too_large",
                message: format!(
                    "request body is over {MAX_BODY_BYTES} bytes; send a shorter draft"
                ),
                shown: crate::messages::body_too_large(MAX_BODY_BYTES),
            };
        }
        // A body of the wrong shape (a missing field: axum's 422) is a bad request like any
        // other bad parameter: one status for one kind of error on every endpoint.
        let status = if status == StatusCode::UNPROCESSABLE_ENTITY {
            StatusCode::BAD_REQUEST
        } else {
            status
        };
        AppError::Rejected {
            status,
            code: "bad_body",
            message: rejection.body_text().to_lowercase(),
            shown: crate::messages::bad_body(),
        }
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        AppError::bad_request(
            "bad_parameter",
            rejection.body_text().to_lowercase(),
            crate::messages::bad_parameter(),
        )
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::bad_request(
            "bad_parameter",
            rejection.body_text().to_lowercase(),
            crate::messages::bad_parameter(),
        )
    }
}

/// The application router. Tests call this with `oneshot`, no socket.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(index_page))
        .route("/compare", get(index_page))
        .route("/record/{id}", get(index_page))
        .route("/answers", get(index_page))
        .route("/bodies", get(index_page))
        .route("/draft", get(index_page))
        .route("/app.js", get(app_js))
        .route("/draft.js", get(draft_js))
        .route("/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
        .route("/style.css", get(style_css))
        .route("/healthz", get(healthz))
        .route("/api/search", get(search))
        .route("/api/search/bodies", get(search_bodies))
        .route("/api/compare", get(compare))
        .route("/api/compare/groups", get(compare_groups))
        .route("/api/similar", post(similar))
        .route("/api/draft/hints", post(draft_hints))
        .route("/api/draft/precedents", post(draft_precedents))
        .route("/api/draft/slots", get(draft_slots))
        .route("/api/draft/start", get(draft_start))
        .route("/api/slots", get(slots))
        .route("/api/municipalities", get(municipalities))
        .route("/api/records/{id}", get(record))
        .route("/api/records/{id}/context", get(record_context))
        .route("/api/answers", get(answers))
        .route("/api/answers.csv", get(answers_csv))
        .route("/api/compare.xlsx", get(compare_xlsx))
        .route("/api/export.csv", get(export_csv))
        .route("/api/openapi.json", get(openapi))
        .route("/documents/{file}", get(original_document))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            refuse_edge_requests,
        ))
        .layer(axum::middleware::map_response(with_security_headers))
        // One INFO line per request (method, path, status, latency); the default level is DEBUG,
        // which the default log filter hides.
        .layer(
            TraceLayer::new_for_http()
                // The path only: a query string can hold a pasted draft (`/?draft=`), which
                // is the user's and is never logged.
                .make_span_with(|request: &axum::http::Request<axum::body::Body>| {
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path(),
                    )
                })
                .on_response(
                    tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO),
                ),
        )
        .with_state(state)
}

/// Longest request target (path and query) answered, room for a query of the longest allowed
/// (1,000 characters, 9 bytes each percent-encoded) and its filters; longer ones get a JSON 414 saying what to
/// shorten (hyper itself refuses targets over 64 KiB with an empty 414).
pub const MAX_URI_BYTES: usize = 16 * 1024;
/// Most bytes of request headers answered; more get a JSON 431.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Refuses, before any handler, what no handler should see, in the one error shape: a target or
/// headers over the limits (414 and 431, which hyper would send with an empty body), and a
/// `Host` the server was not told to answer to (403).
async fn refuse_edge_requests(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    if target > MAX_URI_BYTES {
        return AppError::Rejected {
            status: StatusCode::URI_TOO_LONG,
            code: "uri_too_long",
            message: format!("the request target is {target} bytes; at most {MAX_URI_BYTES}"),
            shown: crate::messages::uri_too_long(),
        }
        .into_response();
    }
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return AppError::Rejected {
            status: StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            code: "headers_too_large",
            message: format!(
                "request headers are {header_bytes} bytes; at most {MAX_HEADER_BYTES}"
            ),
            shown: crate::messages::headers_too_large(),
        }
        .into_response();
    }
    if let Some(allowed) = &state.allowed_hosts {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|host| host.to_str().ok());
        if let Some(host) = host.filter(|host| !is_allowed_host(host, allowed)) {
            return AppError::Rejected {
                status: StatusCode::FORBIDDEN,
                code: "unknown_host",
                message: format!(
                    "this server does not answer to host {host:?}; start it with --allow-host {}",
                    host_name(host)
                ),
                shown: crate::messages::unknown_host(),
            }
            .into_response();
        }
    }
    next.run(request).await
}

/// The name of a `Host` value without its port (`[::1]:8080` → `[::1]`).
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host
            .split_once(']')
            .map_or(host, |(name, _)| &host[..name.len() + 1]);
    }
    host.rsplit_once(':').map_or(host, |(name, _)| name)
}

/// IP literals cannot be rebound by DNS; `localhost` is this machine; other names must be
/// allowed.
fn is_allowed_host(host: &str, allowed: &[String]) -> bool {
    let name = host_name(host).to_ascii_lowercase();
    let literal = name.trim_start_matches('[').trim_end_matches(']');
    literal.parse::<std::net::IpAddr>().is_ok() || name == "localhost" || allowed.contains(&name)
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

async fn draft_js() -> Response {
    with_page_headers(
        (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            include_str!("../web/draft.js"),
        )
            .into_response(),
    )
}

/// The icon of the page's tab (browsers also ask for /favicon.ico on their own).
async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../web/favicon.svg"),
    )
        .into_response()
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
        "cache": state.cache.figures(),
    }))
}

/// An unknown address: the page (which says so in Japanese) for a person, a JSON error for
/// the API.
async fn not_found(uri: axum::http::Uri) -> Response {
    if !uri.path().starts_with("/api/") {
        let mut response = index_page().await;
        *response.status_mut() = StatusCode::NOT_FOUND;
        return response;
    }
    AppError::NotFound {
        code: "not_found",
        message: "no such route; GET /api/openapi.json lists them".to_string(),
        shown: crate::messages::no_such_page(),
    }
    .into_response()
}

/// A JSON answer already written, with the header saying whether it was kept.
fn json_bytes(body: axum::body::Bytes, cache: &'static str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                header::HeaderName::from_static(CACHE_HEADER),
                HeaderValue::from_static(cache),
            ),
        ],
        body,
    )
        .into_response()
}

async fn search(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    request: Result<Query<SearchRequest>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(request) = request?;
    let index = state.index.clone();
    // tantivy search is synchronous and can take milliseconds: keep it off the async workers.
    state
        .cached_json(&uri, move || {
            Ok::<SearchResponse, AppError>(index.search(&request)?)
        })
        .await
}

/// The folded hit whose bodies `GET /api/search/bodies` lists: its record id.
#[derive(Debug, Default, serde::Deserialize)]
struct HitParameter {
    #[serde(default)]
    hit: String,
}

/// Every body writing a folded hit's wording, under the same search (its query and filters).
async fn search_bodies(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    request: Result<Query<SearchRequest>, QueryRejection>,
    hit: Result<Query<HitParameter>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(request) = request?;
    let Query(HitParameter { hit }) = hit?;
    let index = state.index.clone();
    state
        .cached_json(&uri, move || {
            index
                .folded_bodies(&request, &hit)?
                .ok_or_else(|| unknown_hit(&hit))
        })
        .await
}

async fn compare(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    request: Result<Query<CompareRequest>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(request) = request?;
    // A malformed `q` is refused by the search under the comparison, as bad_query.
    let index = state.index.clone();
    state
        .cached_json(&uri, move || {
            Ok::<CompareResponse, AppError>(crate::compare::compare(&index, &request)?)
        })
        .await
}

async fn compare_groups(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    request: Result<Query<CompareRequest>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(request) = request?;
    let index = state.index.clone();
    state
        .cached_json(&uri, move || {
            Ok::<_, AppError>(crate::compare::groups::compare_groups(&index, &request)?)
        })
        .await
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

// Drafting: the draft travels in the request body only (never in a URL, which the request log
// and browser history would keep), and nothing of it is stored or logged.
async fn draft_hints(
    State(state): State<AppState>,
    request: Result<Json<DraftRequest>, JsonRejection>,
) -> Result<Json<crate::draft::hints::HintsResponse>, AppError> {
    let Json(request) = request?;
    let index = state.index.clone();
    let response = state
        .run(move || Ok(crate::draft::hints::hints(&index, &request)?))
        .await?;
    Ok(Json(response))
}

async fn draft_precedents(
    State(state): State<AppState>,
    request: Result<Json<DraftRequest>, JsonRejection>,
) -> Result<Json<crate::draft::precedents::PrecedentsResponse>, AppError> {
    let Json(request) = request?;
    let index = state.index.clone();
    let response = state
        .run(move || Ok(crate::draft::precedents::precedents(&index, &request)?))
        .await?;
    Ok(Json(response))
}

async fn draft_slots(
    State(state): State<AppState>,
    request: Result<Query<crate::draft::workspace::WorkspaceRequest>, QueryRejection>,
) -> Result<Json<crate::draft::workspace::WorkspaceSlots>, AppError> {
    let Query(request) = request?;
    let index = state.index.clone();
    let response = state
        .run(move || Ok(crate::draft::workspace::workspace_slots(&index, &request)?))
        .await?;
    Ok(Json(response))
}

/// The document a draft starts from.
#[derive(Debug, serde::Deserialize)]
struct StartParameter {
    file: String,
}

async fn draft_start(
    State(state): State<AppState>,
    request: Result<Query<StartParameter>, QueryRejection>,
) -> Result<Json<crate::draft::workspace::StartingDocument>, AppError> {
    let Query(StartParameter { file }) = request?;
    let index = state.index.clone();
    let response = state
        .run(move || Ok(crate::draft::workspace::starting_document(&index, &file)?))
        .await?;
    Ok(Json(response))
}

async fn slots(State(state): State<AppState>, uri: axum::http::Uri) -> Result<Response, AppError> {
    let index = state.index.clone();
    state
        .cached_json(&uri, move || {
            let counts = index.slot_counts()?;
            let slots: Vec<serde_json::Value> = crate::form::SLOTS
                .iter()
                .map(|slot| {
                    json!({
                        "key": slot.key,
                        "label": slot.label,
                        "breadcrumb": crate::form::breadcrumb(slot.key),
                        "heading": crate::form::short_heading(slot.key),
                        "records": counts.get(slot.key).copied().unwrap_or(0),
                    })
                })
                .collect();
            Ok::<_, AppError>(json!({ "slots": slots }))
        })
        .await
}

/// Whose documents `GET /api/municipalities` lists: a body's name, and its 団体コード where two
/// bodies share a name (府中市 of 東京都 and of 広島県). Without a name, every body, counted.
#[derive(Debug, Default, serde::Deserialize)]
struct BodyParameters {
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    code: Option<String>,
}

async fn municipalities(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    parameters: Result<Query<BodyParameters>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(parameters) = parameters?;
    let index = state.index.clone();
    state
        .cached_json(&uri, move || listed_bodies(&index.bodies()?, parameters))
        .await
}

/// Every body counted, or the named body (bodies) with its documents.
fn listed_bodies(
    bodies: &[BodySummary],
    parameters: BodyParameters,
) -> Result<serde_json::Value, AppError> {
    let Some(name) = parameters.body.filter(|name| !name.is_empty()) else {
        let listed: Vec<_> = bodies.iter().map(BodySummary::listing).collect();
        return Ok(json!({ "municipalities": listed }));
    };
    let code = parameters.code.filter(|code| !code.is_empty());
    let chosen: Vec<&BodySummary> = bodies
        .iter()
        .filter(|body| body.municipality == name)
        .filter(|body| code.is_none() || body.municipality_code == code)
        .collect();
    if chosen.is_empty() {
        return Err(unknown_body(&name));
    }
    Ok(json!({ "municipalities": chosen }))
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
        None => Err(unknown_record(&id)),
    }
}

/// A pasted draft for the CSV export of a draft search (its hits only).
#[derive(Debug, Default, serde::Deserialize)]
struct DraftParameter {
    #[serde(default)]
    draft: Option<String>,
}

async fn export_csv(
    State(state): State<AppState>,
    request: Result<Query<SearchRequest>, QueryRejection>,
    draft: Result<Query<DraftParameter>, QueryRejection>,
    chosen: Result<Query<BaseParameters>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(request) = request?;
    let Query(draft) = draft?;
    let Query(chosen) = chosen?;
    let index = state.index.clone();
    let comparison = request.q.trim().is_empty() && request.slot.is_some();
    let comparison_slot = comparison.then(|| request.slot.clone().unwrap_or_default());
    let draft = draft.draft.filter(|text| !text.trim().is_empty());
    let records: Vec<Record> = state
        .run(move || {
            if let Some(text) = draft {
                // A draft search exports the hits it showed, not the corpus.
                return Ok(index
                    .similar(&crate::search::SimilarRequest {
                        text,
                        slot: request.slot.clone(),
                        // The hits the page showed (its page size), at most a page of 100.
                        limit: Some(request.limit.unwrap_or(crate::search::MAX_LIMIT)),
                        // One record per wording, as the page lists them.
                        fold: Some("on".to_string()),
                        ..crate::search::SimilarRequest::default()
                    })?
                    .hits
                    .into_iter()
                    .map(|hit| hit.record)
                    .collect());
            }
            if comparison {
                // A comparison's rows, in its order: the base first, under its filters.
                let comparison = whole_comparison(
                    &index,
                    &CompareRequest {
                        slot: request.slot.clone().unwrap_or_default(),
                        base: chosen.base,
                        base_record: chosen.base_record,
                        jimu: request.jimu.clone(),
                        body_kind: request.body_kind.clone(),
                        prefecture: request.prefecture.clone(),
                        versions: request.versions.clone(),
                        ..CompareRequest::default()
                    },
                )?;
                return Ok(comparison.rows.into_iter().map(|row| row.record).collect());
            }
            Ok(index
                .collect(&request, MAX_EXPORT_ROWS)?
                .into_iter()
                .map(|(_, record)| record)
                .collect())
        })
        .await?;
    let body = crate::export::records_to_csv(&records);
    let name = match &comparison_slot {
        Some(slot) => format!("hyoka_比較表_{slot}.csv"),
        None => "hyoka_検索結果.csv".to_string(),
    };
    Ok(download(
        body,
        "text/csv; charset=utf-8",
        "hyoka.csv",
        &name,
    ))
}

/// The base of a comparison exported as CSV (`/api/export.csv?slot=…&base=…`).
#[derive(Debug, Default, serde::Deserialize)]
struct BaseParameters {
    base: Option<String>,
    base_record: Option<String>,
}

/// A whole comparison (up to [`MAX_EXPORT_ROWS`] rows, the base first), read page by page:
/// the first page's response with every page's rows.
fn whole_comparison(
    index: &SearchIndex,
    request: &CompareRequest,
) -> Result<CompareResponse, AppError> {
    let page_of = |offset: usize| {
        crate::compare::compare(
            index,
            &CompareRequest {
                offset: Some(offset),
                limit: Some(crate::compare::MAX_COMPARE_ROWS),
                ..request.clone()
            },
        )
    };
    let mut whole = page_of(0)?;
    while !whole.rows.is_empty() && whole.rows.len() < whole.total.min(MAX_EXPORT_ROWS) {
        let page = page_of(whole.rows.len())?;
        if page.rows.is_empty() {
            break;
        }
        whole.rows.extend(page.rows);
    }
    whole.rows.truncate(MAX_EXPORT_ROWS);
    Ok(whole)
}

/// An attachment: an ASCII file name for old clients and the Japanese one (RFC 6266 / 5987).
fn download(body: Vec<u8>, content_type: &'static str, ascii_name: &str, name: &str) -> Response {
    named_file(body, content_type, "attachment", ascii_name, name)
}

/// A file with its name, to save (`attachment`) or to show in the browser (`inline`).
fn named_file(
    body: Vec<u8>,
    content_type: &'static str,
    disposition: &str,
    ascii_name: &str,
    name: &str,
) -> Response {
    let encoded: String = name
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect();
    let disposition =
        format!("{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}");
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The file name of a comparison's spreadsheet: what it holds, in the words of the page.
fn comparison_file_name(slot: &str, label: &str, base: Option<&str>) -> String {
    let name = format!(
        "hyoka_比較表_{slot}_{label}_基準_{}.xlsx",
        base.unwrap_or("なし")
    );
    // Characters no file system takes.
    name.chars()
        .map(|character| {
            if matches!(
                character,
                '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|'
            ) {
                '_'
            } else {
                character
            }
        })
        .collect()
}

async fn compare_xlsx(
    State(state): State<AppState>,
    request: Result<Query<CompareRequest>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(request) = request?;
    let index = state.index.clone();
    let (body, name) = state
        .run(move || {
            let comparison = whole_comparison(&index, &request)?;
            let groups = crate::compare::groups::every_group(&index, &request, MAX_EXPORT_ROWS)?;
            let base = comparison
                .base_text
                .as_ref()
                .map(|text| text.label.as_str());
            let title = format!(
                "{} の比較（基準: {}）",
                crate::form::breadcrumb(&comparison.slot).join(" › "),
                base.unwrap_or("なし")
            );
            let body = crate::export::comparison_to_xlsx(&title, &groups, &comparison.rows)
                .map_err(|error| AppError::Internal(format!("xlsx: {error}")))?;
            let name = comparison_file_name(
                &comparison.slot,
                &comparison.slot_label,
                comparison.base.as_deref(),
            );
            Ok((body, name))
        })
        .await?;
    Ok(download(
        body,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "hyoka-comparison.xlsx",
        &name,
    ))
}

/// The answers view of a request (blocking work: run it on the blocking pool).
fn answers_of(
    index: &SearchIndex,
    request: &crate::compare::answers::AnswersRequest,
) -> Result<crate::compare::answers::AnswersResponse, AppError> {
    Ok(crate::compare::answers::answers(
        &index.comparison_table(),
        &index.documents(),
        request,
    )?)
}

async fn answers(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    request: Result<Query<crate::compare::answers::AnswersRequest>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(request) = request?;
    let index = state.index.clone();
    state
        .cached_json(&uri, move || answers_of(&index, &request))
        .await
}

async fn answers_csv(
    State(state): State<AppState>,
    request: Result<Query<crate::compare::answers::AnswersRequest>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(request) = request?;
    let index = state.index.clone();
    let response = state.run(move || answers_of(&index, &request)).await?;
    Ok(download(
        crate::export::answers_to_csv(&response),
        "text/csv; charset=utf-8",
        "hyoka-answers.csv",
        "hyoka_評価と選択.csv",
    ))
}

/// Records around a record in its document, for its page.
const NEIGHBOURS: usize = 3;
/// Most records of one document read to place a record among them.
const MAX_DOCUMENT_RECORDS: usize = 100_000;

/// The PDF a record was read from, to open at its page (`#page=N`): only a file of the corpus
/// folder that the index holds records of, by its bare name.
async fn original_document(
    State(state): State<AppState>,
    file: Result<Path<String>, PathRejection>,
) -> Result<Response, AppError> {
    let Path(file) = file?;
    let unknown = || AppError::NotFound {
        code: "unknown_document",
        message: format!("no indexed PDF named {file:?}"),
        shown: crate::messages::unknown_document(),
    };
    let bare_name = !file.is_empty()
        && !file.starts_with('.')
        && !file.contains(['/', '\\', '\0'])
        && crate::corpus::is_pdf_name(&file);
    let Some(folder) = state.corpus.clone() else {
        return Err(unknown());
    };
    if !bare_name {
        return Err(unknown());
    }
    let index = state.index.clone();
    let name = file.clone();
    let bytes = state
        .run(move || {
            if index.records_of_file(&name, 1)?.is_empty() {
                return Ok(None);
            }
            Ok(std::fs::read(folder.join(&name)).ok())
        })
        .await?;
    let Some(bytes) = bytes else {
        return Err(unknown());
    };
    Ok(named_file(
        bytes,
        "application/pdf",
        "inline",
        "document.pdf",
        &file,
    ))
}

fn unknown_hit(hit: &str) -> AppError {
    AppError::NotFound {
        code: "unknown_hit",
        message: format!("no wording of this search shows record {hit:?}"),
        shown: crate::messages::unknown_hit(),
    }
}

fn unknown_body(name: &str) -> AppError {
    AppError::NotFound {
        code: "unknown_body",
        message: format!("no body named {name:?} (with that code) has documents in the index"),
        shown: crate::messages::unknown_body(),
    }
}

fn unknown_record(id: &str) -> AppError {
    AppError::NotFound {
        code: "unknown_record",
        message: format!("no record with id {id:?}"),
        shown: crate::messages::unknown_record(),
    }
}

/// The search a record page was opened from, to mark its words.
#[derive(Debug, Default, serde::Deserialize)]
struct MarkParameter {
    #[serde(default)]
    q: Option<String>,
}

async fn record_context(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    marks: Result<Query<MarkParameter>, QueryRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let Path(id) = id?;
    let Query(marks) = marks?;
    let index = state.index.clone();
    state
        .run(move || {
            let Some(record) = index.record(&id)? else {
                return Err(unknown_record(&id));
            };
            let records = index.records_of_file(&record.source.file, MAX_DOCUMENT_RECORDS)?;
            let position = records
                .iter()
                .position(|other| other.id == record.id)
                .unwrap_or_default();
            let before = &records[position.saturating_sub(NEIGHBOURS)..position];
            let after = &records
                [(position + 1).min(records.len())..(position + 1 + NEIGHBOURS).min(records.len())];
            let document = index.documents().by_file(&record.source.file).cloned();
            let versions = crate::compare::versions::other_versions(&index, &record)?;
            let marked_text = marks
                .q
                .as_deref()
                .and_then(|q| index.marked_text(q, &record.text));
            Ok(Json(json!({
                "document": document,
                "marked_text": marked_text,
                "versions": versions,
                "record": record,
                "breadcrumb": record.slot.as_deref().map(crate::form::breadcrumb),
                "position": position + 1,
                "records_in_document": records.len(),
                "before": before,
                "after": after,
            })))
        })
        .await
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
