//! The HTTP layer over a fake index: status codes, error shapes, limits.

use super::*;
use crate::backend::{Backend, BackendError, Fault};
use analysis::Lang;
use axum::body::Body;
use axum::http::Request as HttpRequest;
use engine::{
    Hit, IndexStats, IngestReport, PageHit, SearchRequest, SearchResponse, Snippet, Suggestion,
};
use ingest::{IngestOptions, Record, RecordKind};
use std::path::Path;
use std::time::{Duration, Instant};
use tower::ServiceExt;

struct Fake;

fn hit(id: &str, kind: RecordKind) -> Hit {
    Hit {
        id: id.to_string(),
        kind,
        title: "Family tracing <b>steps</b>".to_string(),
        title_highlights: vec![[7, 14]],
        language: Lang::En,
        score: 1.5,
        snippets: vec![Snippet {
            text: "tracing for unaccompanied children".to_string(),
            highlights: vec![[0, 7]],
        }],
        pages: if kind == RecordKind::Document {
            vec![PageHit {
                page: 3,
                snippet: Snippet::default(),
            }]
        } else {
            Vec::new()
        },
        date: Some("2024-05-01".to_string()),
        country: None,
        topics: vec!["uasc".to_string()],
        source: id.to_string(),
        explain: None,
    }
}

impl Backend for Fake {
    fn search(
        &self,
        request: &SearchRequest,
        deadline: Instant,
    ) -> Result<SearchResponse, BackendError> {
        if request.q == "panic" {
            panic!("boom");
        }
        if request.q == "slow" {
            // Like the engine: works until the deadline, then gives up.
            while Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            return Err(BackendError {
                fault: Fault::Timeout,
                message: "too slow".into(),
            });
        }
        if request.q == "fail" {
            return Err(BackendError {
                fault: Fault::Internal,
                message: "disk on fire".into(),
            });
        }
        if request.q == "bad" {
            return Err(BackendError {
                fault: Fault::User,
                message: "bad query".into(),
            });
        }
        Ok(SearchResponse {
            total: 2,
            hits: vec![
                hit("qa-en-001", RecordKind::Qa),
                hit("docs/guide v2.pdf", RecordKind::Document),
            ],
            facets: Default::default(),
            language: Lang::En,
            took_ms: 0.5,
        })
    }
    fn record(&self, id: &str) -> Result<Option<Record>, BackendError> {
        Ok((id == "docs/guide.pdf").then(|| Record {
            id: id.to_string(),
            kind: RecordKind::Document,
            title: "Guide".into(),
            body: "text".into(),
            language: Lang::En,
            country: None,
            topics: vec![],
            date: None,
            attachments: vec![],
            source: id.to_string(),
            format: "pdf".into(),
            pages: vec![],
            extraction: None,
            metadata: Default::default(),
            hash: "00".into(),
        }))
    }
    fn similar(
        &self,
        id: &str,
        _limit: usize,
        deadline: Instant,
    ) -> Result<Option<SearchResponse>, BackendError> {
        if id == "docs/guide.pdf" {
            self.search(&SearchRequest::new("x"), deadline).map(Some)
        } else {
            Ok(None)
        }
    }
    fn suggest(&self, prefix: &str, _limit: usize) -> Result<Vec<Suggestion>, BackendError> {
        Ok(vec![Suggestion {
            id: "qa-en-001".into(),
            title: format!("{prefix} steps"),
            language: Lang::En,
            highlights: vec![],
        }])
    }
    fn stats(&self) -> Result<IndexStats, BackendError> {
        Ok(IndexStats {
            records: 2,
            documents: 5,
            size_bytes: 1234,
        })
    }
    fn reindex(&self, _: &Path, _: &IngestOptions) -> Result<IngestReport, BackendError> {
        std::thread::sleep(Duration::from_millis(200));
        Ok(IngestReport::default())
    }
}

fn app_with(config: Config) -> Router {
    router(AppState::new(config, Arc::new(Fake)).unwrap())
}

fn app() -> Router {
    app_with(Config {
        request_timeout: Duration::from_millis(1500),
        ..Config::default()
    })
}

async fn send(app: &Router, request: HttpRequest<Body>) -> (u16, axum::http::HeaderMap, Vec<u8>) {
    use http_body_util::BodyExt;
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, body)
}

async fn get(app: &Router, uri: &str) -> (u16, serde_json::Value) {
    let (status, _, body) = send(app, HttpRequest::get(uri).body(Body::empty()).unwrap()).await;
    let json = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    (status, json)
}

#[tokio::test]
async fn search_adds_links() {
    let app = app();
    let (status, json) = get(&app, "/api/search?q=tracing").await;
    assert_eq!(status, 200);
    assert_eq!(json["hits"][0]["url"], "/api/records/qa-en-001");
    assert_eq!(json["hits"][1]["url"], "/api/records/docs/guide%20v2.pdf");
    assert!(
        json["hits"][1].get("file_url").is_none(),
        "no corpus, no files"
    );
    assert_eq!(json["hits"][0]["type"], "qa");
}

#[tokio::test]
async fn failures_are_classified() {
    let app = app();
    let (status, json) = get(&app, "/api/search?q=bad").await;
    assert_eq!(status, 400);
    assert_eq!(json["error"]["code"], "invalid_request");
    let (status, json) = get(&app, "/api/search?q=fail").await;
    assert_eq!(status, 500);
    assert_eq!(json["error"]["code"], "internal");
    assert!(
        !json.to_string().contains("disk on fire"),
        "causes stay in the log"
    );
    let (status, json) = get(&app, "/api/search?q=slow").await;
    assert_eq!(status, 503);
    assert_eq!(json["error"]["code"], "timeout");
}

#[tokio::test]
async fn records_similar_and_suggest() {
    let app = app();
    let (status, json) = get(&app, "/api/records/docs/guide.pdf").await;
    assert_eq!((status, json["id"].as_str()), (200, Some("docs/guide.pdf")));
    let (status, _) = get(&app, "/api/records/docs%2Fguide.pdf").await;
    assert_eq!(status, 200);
    let (status, json) = get(&app, "/api/records/docs/guide.pdf/similar?limit=3").await;
    assert_eq!(status, 200);
    assert_eq!(json["total"], 2);
    let (status, json) = get(&app, "/api/records/nope/similar").await;
    assert_eq!(
        (status, json["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (status, json) = get(&app, "/api/suggest?q=family").await;
    assert_eq!(status, 200);
    assert_eq!(json["suggestions"][0]["title"], "family steps");
    let (status, json) = get(&app, "/api/suggest").await;
    assert_eq!(
        (status, json["error"]["code"].as_str()),
        (400, Some("missing_parameter"))
    );
}

#[tokio::test]
async fn method_and_size_errors_are_json() {
    let app = app();
    let (status, headers, body) = send(
        &app,
        HttpRequest::post("/api/search")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, 405);
    assert!(headers.get("allow").is_some());
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["error"]["code"], "method_not_allowed");
    let (status, _, body) = send(
        &app,
        HttpRequest::post("/api/admin/reindex")
            .header("content-length", "100000")
            .body(Body::from(vec![b'x'; 100_000]))
            .unwrap(),
    )
    .await;
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(&body));
}

#[tokio::test]
async fn panics_become_json_500() {
    let app = app();
    let (status, json) = get(&app, "/api/search?q=panic").await;
    assert_eq!(status, 500);
    assert_eq!(json["error"]["code"], "internal");
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let app = app_with(Config {
        rate_limit_per_minute: 1,
        rate_limit_burst: 2,
        ..Config::default()
    });
    for _ in 0..2 {
        assert_eq!(get(&app, "/api/search?q=x").await.0, 200);
    }
    let (status, headers, body) = send(
        &app,
        HttpRequest::get("/api/search?q=x")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, 429);
    assert!(headers.get("retry-after").is_some());
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["error"]["code"], "rate_limited");
    // The page and health checks are not rate limited.
    assert_eq!(get(&app, "/healthz").await.0, 200);
}

#[tokio::test]
async fn admin_needs_a_configured_token() {
    let app = app();
    let (status, _) = get(&app, "/api/admin/reindex").await;
    assert_eq!(status, 404, "disabled without a token");

    let dir = tempfile::tempdir().unwrap();
    let app = app_with(Config {
        admin_token: Some("s3cret".into()),
        corpus_dir: Some(dir.path().to_path_buf()),
        cors_origins: vec!["*".into()],
        ..Config::default()
    });
    let post = |auth: Option<&str>| {
        let mut builder = HttpRequest::post("/api/admin/reindex").header("origin", "http://x.test");
        if let Some(auth) = auth {
            builder = builder.header("authorization", auth);
        }
        builder.body(Body::empty()).unwrap()
    };
    let (status, headers, _) = send(&app, post(None)).await;
    assert_eq!(status, 401);
    assert!(headers.get("access-control-allow-origin").is_none());
    assert_eq!(send(&app, post(Some("Bearer wrong"))).await.0, 401);
    let (status, headers, body) = send(&app, post(Some("Bearer s3cret"))).await;
    assert_eq!(status, 202, "{}", String::from_utf8_lossy(&body));
    assert!(
        headers.get("access-control-allow-origin").is_none(),
        "never CORS for admin"
    );
    assert_eq!(
        send(&app, post(Some("Bearer s3cret"))).await.0,
        409,
        "one at a time"
    );
    let mut state = serde_json::Value::Null;
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (status, _, body) = send(
            &app,
            HttpRequest::get("/api/admin/reindex")
                .header("authorization", "Bearer s3cret")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200);
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        state = json["state"].clone();
        if state == "done" {
            break;
        }
    }
    assert_eq!(state, "done");
}

#[tokio::test]
async fn cors_only_for_configured_origins() {
    let app = app_with(Config {
        cors_origins: vec!["https://partner.example".into()],
        ..Config::default()
    });
    let request = |origin: &str| {
        HttpRequest::get("/api/search?q=x")
            .header("origin", origin)
            .body(Body::empty())
            .unwrap()
    };
    let (_, headers, _) = send(&app, request("https://partner.example")).await;
    assert_eq!(
        headers.get("access-control-allow-origin").unwrap(),
        "https://partner.example"
    );
    let (_, headers, _) = send(&app, request("https://other.example")).await;
    assert!(headers.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn metrics_count_routes_not_paths() {
    let app = app();
    get(&app, "/api/search?q=secret-question").await;
    get(&app, "/api/records/docs/guide.pdf").await;
    let (status, _, body) = send(
        &app,
        HttpRequest::get("/metrics").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.contains("route=\"/api/search\",method=\"GET\",status=\"200\"} 1"),
        "{text}"
    );
    assert!(text.contains("route=\"/api/records/{id}\""));
    assert!(text.contains("answerbank_index_documents 5"));
    assert!(!text.contains("secret-question"));
    assert!(!text.contains("guide.pdf"));
}

#[tokio::test]
async fn files_stay_inside_the_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(corpus.join("docs")).unwrap();
    std::fs::write(corpus.join("docs/a.pdf"), b"%PDF-1.4 fake").unwrap();
    std::fs::write(corpus.join(".secret"), b"no").unwrap();
    std::fs::write(dir.path().join("outside.txt"), b"outside").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("outside.txt"), corpus.join("link.txt")).unwrap();
    let app = app_with(Config {
        corpus_dir: Some(corpus.clone()),
        ..Config::default()
    });
    let (status, headers, body) = send(
        &app,
        HttpRequest::get("/api/files/docs/a.pdf")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(body, b"%PDF-1.4 fake");
    for bad in [
        "/api/files/../outside.txt",
        "/api/files/docs/../../outside.txt",
        "/api/files/%2E%2E/outside.txt",
        "/api/files/link.txt",
        "/api/files/.secret",
        "/api/files//etc/passwd",
        "/api/files/docs/missing.pdf",
        "/api/files/docs",
    ] {
        let (status, _, body) =
            send(&app, HttpRequest::get(bad).body(Body::empty()).unwrap()).await;
        assert!(status == 404 || status == 400, "{bad}: {status}");
        assert!(!String::from_utf8_lossy(&body).contains("outside"), "{bad}");
    }
}

#[test]
fn scripts_never_parse_corpus_text_as_html() {
    for (name, source) in [
        ("app.js", include_str!("../assets/app.js")),
        ("widget.js", include_str!("../assets/widget.js")),
    ] {
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
        ] {
            assert!(!source.contains(sink), "{name} uses {sink}");
        }
    }
}

#[test]
fn the_example_page_points_at_the_serving_origin() {
    let page = example_page("http://10.0.0.5:9000");
    assert!(page.contains("src=\"http://10.0.0.5:9000/widget.js\""));
    assert!(!page.contains(EXAMPLE_ORIGIN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_are_cut_off_and_connect_info_reaches_the_limiter() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let state = AppState::new(
        Config {
            request_timeout: Duration::from_millis(300),
            rate_limit_per_minute: 1,
            rate_limit_burst: 1,
            ..Config::default()
        },
        Arc::new(Fake),
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_on(listener, state, async {
        let _ = stopped.await;
    }));

    // A client that never finishes its headers is disconnected.
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut buffer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buffer)).await;
    assert!(read.is_ok(), "the slow connection was not closed");

    // Requests from a real socket are keyed by address: the second is 429.
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let mut client = tokio::net::TcpStream::connect(addr).await.unwrap();
        client
            .write_all(b"GET /api/suggest?q=ab HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = Vec::new();
        client.read_to_end(&mut answer).await.unwrap();
        statuses.push(String::from_utf8_lossy(&answer[..12]).to_string());
    }
    assert_eq!(statuses, ["HTTP/1.1 200", "HTTP/1.1 429"]);
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
