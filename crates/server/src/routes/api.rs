//! The public JSON API: search, records, similar, suggest, files.

use crate::backend::{BackendError, Fault};
use crate::error::{ApiError, ErrorBody};
use crate::params::{self, Params, MAX_SIMILAR_LIMIT, MAX_SUGGEST_LIMIT};
use crate::state::AppState;
use analysis::Lang;
use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use engine::{Hit, SearchResponse, Suggestion};
use ingest::{Record, RecordKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Instant;
use tower::ServiceExt;

/// A search answer: the engine's response, each hit with its links.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SearchAnswer {
    /// How many records matched in all (not only this page).
    pub total: u64,
    /// This page of hits, best first.
    pub hits: Vec<ApiHit>,
    /// Facet counts over all matching records: `type`, `language`, `topic`,
    /// `country`, `year`, each value -> count.
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
    /// The detected language of the query (`und` when it could not be told).
    pub language: Lang,
    /// Time spent in the engine, milliseconds.
    pub took_ms: f64,
}

/// One hit and where to get more of it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApiHit {
    /// The hit as the engine gives it.
    #[serde(flatten)]
    pub hit: Hit,
    /// The full record: `/api/records/{id}`.
    pub url: String,
    /// The original file (documents only; add `#page=N` for a PDF page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_url: Option<String>,
}

/// Suggestions as the user types.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SuggestAnswer {
    /// Past questions, best first.
    pub suggestions: Vec<Suggestion>,
}

/// The parameters of `GET /api/search` (for the OpenAPI document; parsing is
/// strict and done by hand so that every mistake gets its own message).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SearchQuery {
    /// The words to look for: `"phrases"`, `-exclude`, `OR` understood. At
    /// most 512 characters. Empty with filters: browse.
    q: Option<String>,
    /// Only records (or PDF pages) in this language: en, fr, es, ar, und.
    lang: Option<String>,
    /// Only `qa` or only `document`.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    kind: Option<String>,
    /// Only records with this topic slug.
    topic: Option<String>,
    /// Only records from this country.
    country: Option<String>,
    /// Only records dated on or after this day (YYYY-MM-DD).
    from: Option<String>,
    /// Only records dated on or before this day (YYYY-MM-DD).
    to: Option<String>,
    /// Hits per page, 1 to 100 (default 10).
    limit: Option<usize>,
    /// Hits to skip, 0 to 10000 (default 0).
    offset: Option<usize>,
    /// `relevance` (default) or `date` (newest first).
    sort: Option<String>,
    /// Attach to each hit why it ranks where it does.
    explain: Option<bool>,
}

/// The parameters of `GET /api/suggest`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SuggestQuery {
    /// What the user has typed so far (required; empty gives no suggestions).
    q: String,
    /// How many, 1 to 20 (default 8).
    limit: Option<usize>,
}

/// The parameters of `GET /api/records/{id}/similar`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SimilarQuery {
    /// How many, 1 to 20 (default 5).
    limit: Option<usize>,
}

type Pairs = Result<Query<Vec<(String, String)>>, QueryRejection>;

fn pairs(query: Pairs) -> Result<Vec<(String, String)>, ApiError> {
    match query {
        Ok(Query(pairs)) => Ok(pairs),
        Err(_) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_query_string",
            "the query string could not be decoded",
        )),
    }
}

/// Runs index work (a search, a record read, suggestions) right here on
/// the async worker, at most `Config::search_concurrency` at once: waiting
/// requests queue in order instead of sharing the cores.
///
/// Not on tokio's blocking pool: handing each search to a pool thread and
/// back cost 0.16 to 0.3 ms of CPU per search on this project's 2-core
/// machine (thread wake-ups, cold caches), and left the cores 20% idle
/// between handoffs. `answerbank serve` gives the runtime one worker per
/// index slot, so a worker busy with a search is a slot in use (measured
/// with `benches/server_load.rs` at 100k records: 868 -> 1,142 searches/s
/// at 64 connections). Searches stop at their deadline
/// (`Engine::search_until`), which is what the request time limit needs:
/// a timer cannot interrupt work running on the worker it would fire on.
pub(crate) async fn index_work<T>(
    state: &AppState,
    work: impl FnOnce() -> Result<T, BackendError>,
) -> Result<T, ApiError> {
    let _permit = state
        .inner
        .search_slots
        .acquire()
        .await
        .map_err(|err| ApiError::internal(&err))?;
    work().map_err(|err| {
        if err.fault == Fault::Timeout {
            state.inner.metrics.stopped_at_deadline();
        }
        ApiError::from(err)
    })
}

/// Percent-encodes a record id or corpus path for a URL, keeping `/`.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Adds links to the engine's hits.
pub fn answer(state: &AppState, response: SearchResponse) -> SearchAnswer {
    let files = state.inner.corpus_root.is_some();
    SearchAnswer {
        total: response.total,
        hits: response
            .hits
            .into_iter()
            .map(|hit| {
                let url = format!("/api/records/{}", encode_path(&hit.id));
                let file_url = (files && hit.kind == RecordKind::Document)
                    .then(|| format!("/api/files/{}", encode_path(&hit.source)));
                ApiHit { hit, url, file_url }
            })
            .collect(),
        facets: response.facets,
        language: response.language,
        took_ms: response.took_ms,
    }
}

/// Search the records.
#[utoipa::path(
    get,
    path = "/api/search",
    tag = "search",
    params(SearchQuery),
    responses(
        (status = 200, description = "Hits, facets and the query's language", body = SearchAnswer),
        (status = 400, description = "A bad parameter", body = ErrorBody),
        (status = 429, description = "Too many requests from this client", body = ErrorBody),
        (status = 503, description = "The search ran past the request time limit", body = ErrorBody),
    )
)]
pub async fn search(State(state): State<AppState>, query: Pairs) -> Result<Response, ApiError> {
    let request = params::search_request(pairs(query)?)?;
    let deadline = Instant::now() + state.config().request_timeout;
    let backend = &state.inner.backend;
    let response = index_work(&state, || backend.search(&request, deadline)).await?;
    Ok(Json(answer(&state, response)).into_response())
}

/// Suggest past questions as the user types.
#[utoipa::path(
    get,
    path = "/api/suggest",
    tag = "search",
    params(SuggestQuery),
    responses(
        (status = 200, description = "Past questions that start like the text", body = SuggestAnswer),
        (status = 400, description = "A bad parameter", body = ErrorBody),
    )
)]
pub async fn suggest(State(state): State<AppState>, query: Pairs) -> Result<Response, ApiError> {
    let params = Params::parse(pairs(query)?, &["q", "limit"])?;
    if !params.present("q") {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "missing_parameter",
            "q is required",
        ));
    }
    let q = params
        .text("q", engine::MAX_QUERY_CHARS)?
        .unwrap_or_default();
    let limit = params.number("limit", 8, 1, MAX_SUGGEST_LIMIT)?;
    let backend = &state.inner.backend;
    let suggestions = if q.trim().is_empty() {
        Vec::new()
    } else {
        index_work(&state, || backend.suggest(&q, limit)).await?
    };
    Ok(Json(SuggestAnswer { suggestions }).into_response())
}

/// One full record (`id` may contain `/`: documents are named by their path).
#[utoipa::path(
    get,
    path = "/api/records/{id}",
    tag = "records",
    params(("id" = String, Path, description = "The record id (a document's path relative to the corpus)")),
    responses(
        (status = 200, description = "The record", body = Record),
        (status = 404, description = "No such record", body = ErrorBody),
    )
)]
pub async fn record_or_similar(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Pairs,
) -> Result<Response, ApiError> {
    let Ok(Path(raw)) = path else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_path",
            "the record id could not be decoded",
        ));
    };
    if let Some(id) = raw.strip_suffix("/similar") {
        return similar(state, id.to_string(), pairs(query)?).await;
    }
    Params::parse(pairs(query)?, &[])?;
    check_id(&raw)?;
    let backend = &state.inner.backend;
    match index_work(&state, || backend.record(&raw)).await? {
        Some(record) => Ok(Json(record).into_response()),
        None => Err(ApiError::not_found("no record has this id")),
    }
}

/// Records like this one ("similar answers").
#[utoipa::path(
    get,
    path = "/api/records/{id}/similar",
    tag = "records",
    params(("id" = String, Path, description = "The record id"), SimilarQuery),
    responses(
        (status = 200, description = "Similar records", body = SearchAnswer),
        (status = 404, description = "No such record", body = ErrorBody),
    )
)]
#[allow(dead_code)]
pub async fn similar_doc() {}

async fn similar(
    state: AppState,
    id: String,
    pairs: Vec<(String, String)>,
) -> Result<Response, ApiError> {
    let params = Params::parse(pairs, &["limit"])?;
    let limit = params.number("limit", 5, 1, MAX_SIMILAR_LIMIT)?;
    check_id(&id)?;
    let deadline = Instant::now() + state.config().request_timeout;
    let backend = &state.inner.backend;
    match index_work(&state, || backend.similar(&id, limit, deadline)).await? {
        Some(response) => Ok(Json(answer(&state, response)).into_response()),
        None => Err(ApiError::not_found("no record has this id")),
    }
}

fn check_id(id: &str) -> Result<(), ApiError> {
    if id.is_empty() || id.len() > 1024 || id.contains('\0') {
        return Err(ApiError::invalid(
            "the record id is empty, too long or malformed",
        ));
    }
    Ok(())
}

/// The original file of a document, from inside the corpus only.
#[utoipa::path(
    get,
    path = "/api/files/{path}",
    tag = "records",
    params(("path" = String, Path, description = "The file's path relative to the corpus root")),
    responses(
        (status = 200, description = "The file, with its content type (PDFs open in the browser; add #page=N)"),
        (status = 404, description = "No such file in the corpus", body = ErrorBody),
    )
)]
pub async fn file(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    request: Request,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::not_found("no such file in the corpus");
    let Some(root) = state.inner.corpus_root.clone() else {
        return Err(not_found());
    };
    let Ok(Path(relative)) = path else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_path",
            "the file path could not be decoded",
        ));
    };
    let target = resolve_inside(&root, &relative).ok_or_else(not_found)?;
    let content_type = content_type(&target);
    let response = tower_http::services::ServeFile::new(&target)
        .oneshot(request)
        .await
        .map_err(|err| ApiError::internal(&err))?;
    let mut response = response.map(Body::new);
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        headers.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("inline"),
        );
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        // A corpus HTML file must not run scripts on our origin.
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("sandbox"),
        );
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=3600"),
        );
    }
    Ok(response)
}

/// `relative` joined to `root`, only when it names an existing regular
/// file inside `root` after every symlink is resolved.
pub fn resolve_inside(root: &std::path::Path, relative: &str) -> Option<std::path::PathBuf> {
    if relative.is_empty() || relative.len() > 4096 || relative.contains(['\\', '\0']) {
        return None;
    }
    let mut joined = root.to_path_buf();
    for part in relative.split('/') {
        // No `..`, no `.`, no empty parts, no hidden files (`.git`, `.env`).
        if part.is_empty() || part.starts_with('.') {
            return None;
        }
        joined.push(part);
    }
    let canonical = joined.canonicalize().ok()?;
    if !canonical.starts_with(root) || !canonical.is_file() {
        return None;
    }
    Some(canonical)
}

fn content_type(path: &std::path::Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "html" | "htm" => "text/html; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        "jsonl" => "application/x-ndjson",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    }
}
