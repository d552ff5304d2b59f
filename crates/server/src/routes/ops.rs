//! Health, metrics and the admin reindex.

use crate::error::{ApiError, ErrorBody};
use crate::state::{AppState, ReindexStatus};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::atomic::Ordering;

/// What `/healthz` says.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`, or `unavailable` when the index cannot be read.
    pub status: String,
    /// Records in the index.
    pub records: u64,
    /// Index documents (records plus PDF pages).
    pub documents: u64,
    /// True while an admin reindex runs (searches go on meanwhile).
    pub reindexing: bool,
}

/// Liveness and the index's counts.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses(
        (status = 200, description = "Serving", body = Health),
        (status = 503, description = "The index cannot be read", body = Health),
    )
)]
pub async fn healthz(State(state): State<AppState>) -> Response {
    let backend = state.inner.backend.clone();
    let stats = tokio::task::spawn_blocking(move || backend.stats()).await;
    let reindexing = state.inner.reindexing.load(Ordering::SeqCst);
    match stats {
        Ok(Ok(stats)) => Json(Health {
            status: "ok".to_string(),
            records: stats.records,
            documents: stats.documents,
            reindexing,
        })
        .into_response(),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "unavailable".to_string(),
                records: 0,
                documents: 0,
                reindexing,
            }),
        )
            .into_response(),
    }
}

/// Prometheus metrics (text format).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain"))
)]
pub async fn metrics(State(state): State<AppState>) -> Response {
    let backend = state.inner.backend.clone();
    let stats = tokio::task::spawn_blocking(move || backend.stats().ok())
        .await
        .ok()
        .flatten();
    let text = state.inner.metrics.render(stats.as_ref());
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        text,
    )
        .into_response()
}

/// Checks `Authorization: Bearer <token>` in constant time. Admin endpoints
/// do not exist (404) when no token is configured.
fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(expected) = state.inner.config.admin_token.as_deref() else {
        return Err(ApiError::not_found("no such endpoint"));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        let mut err = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid admin bearer token is required",
        );
        err.retry_after = None;
        return Err(err);
    }
    Ok(())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i % b.len().max(1)).copied().unwrap_or(0));
    }
    diff == 0 && !b.is_empty()
}

/// Re-ingest the corpus in the background; searches go on against the old
/// index until the new one is committed.
#[utoipa::path(
    post,
    path = "/api/admin/reindex",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Started", body = ReindexStatus),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 404, description = "Admin endpoints are disabled (no token configured)", body = ErrorBody),
        (status = 409, description = "A reindex is already running", body = ErrorBody),
    )
)]
pub async fn reindex(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let Some(corpus) = state.inner.config.corpus_dir.clone() else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "no_corpus",
            "the server was started without a corpus folder",
        ));
    };
    if state
        .inner
        .reindexing
        .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "reindex_running",
            "a reindex is already running",
        ));
    }
    set_status(&state, "running", None, None);
    let task_state = state.clone();
    tokio::task::spawn_blocking(move || {
        let inner = &task_state.inner;
        tracing::info!("admin reindex started");
        let outcome = inner.backend.reindex(&corpus, &inner.config.ingest);
        match outcome {
            Ok(report) => {
                tracing::info!(
                    added = report.added,
                    updated = report.updated,
                    removed = report.removed,
                    failed = report.failed,
                    "admin reindex finished"
                );
                inner.metrics.reindexed(true);
                set_status(&task_state, "done", Some(report), None);
            }
            Err(err) => {
                tracing::error!(error = %err.message, "admin reindex failed");
                inner.metrics.reindexed(false);
                set_status(&task_state, "failed", None, Some(err.message));
            }
        }
        inner.reindexing.store(false, Ordering::SeqCst);
    });
    Ok((StatusCode::ACCEPTED, Json(status(&state))).into_response())
}

/// The state of the last admin reindex.
#[utoipa::path(
    get,
    path = "/api/admin/reindex",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The last run", body = ReindexStatus),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
    )
)]
pub async fn reindex_status(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    Ok(Json(status(&state)).into_response())
}

fn status(state: &AppState) -> ReindexStatus {
    state
        .inner
        .last_reindex
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
}

fn set_status(
    state: &AppState,
    name: &str,
    report: Option<engine::IngestReport>,
    error: Option<String>,
) {
    let mut status = state
        .inner
        .last_reindex
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    status.state = name.to_string();
    if report.is_some() || error.is_some() {
        status.report = report;
        status.error = error;
    }
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn token_comparison() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secreT", b"secret"));
        assert!(!constant_time_eq(b"secret2", b"secret"));
        assert!(!constant_time_eq(b"", b"secret"));
        assert!(!constant_time_eq(b"", b""));
    }
}
