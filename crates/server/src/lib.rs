//! HTTP search API, the coordinators' page and the embeddable widget.
//!
//! [`router`] builds the whole application as a value (tested in-process
//! with `tower::ServiceExt::oneshot`); [`serve`] binds a [`Config::addr`] and
//! runs it until Ctrl-C or SIGTERM. The index sits behind [`Backend`], which
//! [`engine::Engine`] implements; searches run on the async workers, at most
//! [`Config::search_concurrency`] at once, and stop at the request's time
//! limit (run it on a runtime with that many workers, as `answerbank serve`
//! does).
//!
//! Endpoints: `GET /api/search`, `GET /api/suggest`, `GET /api/records/{id}`,
//! `GET /api/records/{id}/similar`, `GET /api/files/{path}`, `GET /healthz`,
//! `GET /metrics`, `POST /api/admin/reindex` (bearer token), `GET
//! /openapi.json`, the page at `/`, the widget at `/widget.js` and its
//! example host page at `/widget/example`.
//!
//! Every error is `{"error": {"code": "...", "message": "..."}}`; anything a
//! client sends gets a 4xx, never a 500. Logs carry the route, status and
//! latency only: never query text, never client addresses.

mod backend;
mod config;
mod error;
mod metrics;
mod openapi;
mod params;
mod ratelimit;
mod routes;
mod state;

pub use backend::{Backend, BackendError};
pub use config::{Config, DEFAULT_PORT};
pub use error::{ApiError, Error, ErrorBody, ErrorDetail};
pub use openapi::ApiDoc;
pub use routes::api::{encode_path, resolve_inside, ApiHit, SearchAnswer, SuggestAnswer};
pub use routes::assets::{
    example_page, Asset, EXAMPLE_ORIGIN, PAGE_ASSETS, WIDGET, WIDGET_EXAMPLE,
};
pub use routes::ops::Health;
pub use state::{AppState, ReindexStatus};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate};
use tower_http::compression::{CompressionLayer, DefaultPredicate};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::CompressionLevel;

/// The whole application.
pub fn router(state: AppState) -> Router {
    let config = state.config().clone();
    let public_api = Router::new()
        .route("/api/search", get(routes::api::search))
        .route("/api/suggest", get(routes::api::suggest))
        .route("/api/records/{*id}", get(routes::api::record_or_similar))
        .route("/api/files/{*path}", get(routes::api::file))
        .route("/openapi.json", get(openapi_json))
        .layer(cors(&config.cors_origins));
    // No CORS layer: browsers never get admin answers cross-origin.
    let admin = Router::new().route(
        "/api/admin/reindex",
        post(routes::ops::reindex).get(routes::ops::reindex_status),
    );
    let limited = public_api
        .merge(admin)
        .route_layer(middleware::from_fn_with_state(state.clone(), rate_limit));

    // Level 2 (gzip and brotli): at 100k records a 10-hit answer (6.6 KB)
    // comes to 2.39 KB against 2.23 KB at tower-http's default (brotli 4,
    // gzip 6), for a fifth of the CPU (0.07 against 0.35 ms a search:
    // 64 connections asking for `gzip, br` went from 77% to 84% of the
    // in-process rate). Level 0 saves little more and sends 2.55 KB.
    let compression = CompressionLayer::new()
        .quality(CompressionLevel::Precise(2))
        .compress_when(
            DefaultPredicate::new()
                .and(NotForContentType::new("application/pdf"))
                .and(NotForContentType::new("image/png"))
                .and(NotForContentType::new("image/jpeg")),
        );

    Router::new()
        .route("/", get(routes::assets::page_asset))
        .route("/assets/{file}", get(routes::assets::page_asset))
        .route("/widget.js", get(routes::assets::widget))
        .route("/widget/example", get(routes::assets::widget_example))
        .route("/healthz", get(routes::ops::healthz))
        .route("/metrics", get(routes::ops::metrics))
        .merge(limited)
        .fallback(fallback)
        .layer(
            ServiceBuilder::new()
                .layer(compression)
                .layer(middleware::from_fn(normalize_errors))
                .layer(middleware::from_fn_with_state(state.clone(), observe))
                .layer(CatchPanicLayer::custom(panic_response))
                .layer(middleware::from_fn_with_state(state.clone(), timeout))
                .layer(RequestBodyLimitLayer::new(config.max_body_bytes)),
        )
        .with_state(state)
}

/// Serves `engine` on `config.addr` until Ctrl-C or SIGTERM.
pub async fn serve(config: Config, engine: engine::Engine) -> Result<(), Error> {
    let addr = config.addr;
    let state = AppState::with_engine(config, Arc::new(engine))?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| Error::Bind { addr, source })?;
    serve_on(listener, state, shutdown_signal()).await
}

/// Serves on a bound listener until `shutdown` completes (tests bind
/// `127.0.0.1:0` and pass their own signal).
///
/// Connections are served by hyper directly (not `axum::serve`) so that a
/// client must send its request headers within `Config::request_timeout`:
/// a slow client cannot hold a connection open by trickling bytes.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "listening");
    }
    let header_timeout = state.config().request_timeout;
    let app = router(state);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(err) => {
                    // Out of file descriptors and the like: wait, go on.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(remote));
                tower::ServiceExt::oneshot(app.clone(), request)
            },
        );
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // Connection errors are the client's (reset, garbage): not logged.
            let _ = connection.await;
        });
    }
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(std::time::Duration::from_secs(10)) => {
            tracing::warn!("connections still open after 10 s; stopping anyway");
        },
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

fn cors(origins: &[String]) -> CorsLayer {
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::HEAD])
        .max_age(std::time::Duration::from_secs(86_400));
    if origins.iter().any(|o| o == "*") {
        return layer.allow_origin(AllowOrigin::any());
    }
    let list: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| {
            let value = HeaderValue::from_str(o.trim_end_matches('/')).ok();
            if value.is_none() {
                tracing::warn!(origin = %o, "ignoring a malformed CORS origin");
            }
            value
        })
        .collect();
    layer.allow_origin(AllowOrigin::list(list))
}

async fn openapi_json() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        openapi::json(),
    )
        .into_response()
}

async fn fallback() -> ApiError {
    ApiError::not_found("no such endpoint")
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a handler panicked");
    ApiError::from_status(StatusCode::INTERNAL_SERVER_ERROR).into_response()
}

/// The metrics label of a path: a fixed set, never the path itself.
fn route_label(path: &str) -> &'static str {
    match path {
        "/api/search" => "/api/search",
        "/api/suggest" => "/api/suggest",
        "/api/admin/reindex" => "/api/admin/reindex",
        "/healthz" => "/healthz",
        "/metrics" => "/metrics",
        "/openapi.json" => "/openapi.json",
        "/widget.js" => "/widget.js",
        "/widget/example" => "/widget/example",
        "/" => "/",
        p if p.starts_with("/assets/") => "/assets",
        p if p.starts_with("/api/records/") && p.ends_with("/similar") => {
            "/api/records/{id}/similar"
        }
        p if p.starts_with("/api/records/") => "/api/records/{id}",
        p if p.starts_with("/api/files/") => "/api/files/{path}",
        _ => "other",
    }
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::OPTIONS => "OPTIONS",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        _ => "OTHER",
    }
}

/// Counts and logs each request: route, method, status, latency. Never the
/// query string, never the client address.
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = route_label(request.uri().path());
    let method = method_label(request.method());
    let response = next.run(request).await;
    let took = started.elapsed();
    let status = response.status().as_u16();
    state.inner.metrics.observe(method, route, status, took);
    if response.status().is_server_error() {
        tracing::warn!(
            method,
            route,
            status,
            ms = took.as_secs_f64() * 1e3,
            "request failed"
        );
    } else {
        tracing::debug!(
            method,
            route,
            status,
            ms = took.as_secs_f64() * 1e3,
            "request"
        );
    }
    response
}

/// The client's address, used only as the rate limiter's key.
fn client_ip(state: &AppState, request: &Request) -> Option<IpAddr> {
    if state.config().trust_forwarded_for {
        let forwarded = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // In-process callers (tests) have no address: they share one bucket.
    let ip = client_ip(&state, &request).unwrap_or(IpAddr::from([0, 0, 0, 0]));
    match state.inner.limiter.check(ip) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            state.inner.metrics.rate_limited();
            let mut err = ApiError::from_status(StatusCode::TOO_MANY_REQUESTS);
            err.message = format!("too many requests; try again in {wait} s");
            err.retry_after = Some(wait);
            err.into_response()
        }
    }
}

async fn timeout(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = state.config().request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::timeout().into_response(),
    }
}

/// Turns every error answer that is not already ours (axum's 405 and path
/// rejections, the body limit's 413, ...) into the JSON error shape.
async fn normalize_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let (parts, _) = response.into_parts();
    let mut fresh = ApiError::from_status(status).into_response();
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(value) = parts.headers.get(&name) {
            fresh.headers_mut().insert(name, value.clone());
        }
    }
    for (name, value) in parts.headers.iter() {
        if name.as_str().starts_with("access-control-") {
            fresh.headers_mut().insert(name.clone(), value.clone());
        }
    }
    fresh
}

#[cfg(test)]
mod tests;
