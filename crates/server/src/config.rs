//! The server's settings: a plain struct the binary fills from its flags,
//! config file and environment (this crate reads none of them).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The default port: `answerbank serve` listens on `127.0.0.1:8640`.
pub const DEFAULT_PORT: u16 = 8640;

/// Everything the server needs to know.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen.
    pub addr: SocketAddr,
    /// The corpus root: `/api/files/...` serves files inside it (and only
    /// those), and the admin reindex reads it. `None`: no files, no reindex.
    pub corpus_dir: Option<PathBuf>,
    /// Origins allowed to call the public GET endpoints from a browser
    /// (`https://partner.example`), or `*` for any, by choice. Empty (the
    /// default): same origin only.
    /// Admin endpoints never answer cross-origin requests.
    pub cors_origins: Vec<String>,
    /// Bearer token for `POST /api/admin/reindex`. `None` disables admin
    /// endpoints (they answer 404).
    pub admin_token: Option<String>,
    /// Requests per minute each client (IP address) may make to `/api/`;
    /// 0 turns rate limiting off.
    pub rate_limit_per_minute: u32,
    /// How many requests a client may make at once above the steady rate.
    pub rate_limit_burst: u32,
    /// Take the client address from the first `X-Forwarded-For` entry (only
    /// behind a proxy you run; otherwise clients could pick their own key).
    pub trust_forwarded_for: bool,
    /// A request that takes longer is answered 503 `timeout`.
    pub request_timeout: Duration,
    /// Largest request body accepted (bytes); larger ones get 413.
    pub max_body_bytes: usize,
    /// Index operations (searches, record reads) run at once; more wait in
    /// line. 0: one per core. They run on the async workers: `answerbank
    /// serve` starts this many.
    pub search_concurrency: usize,
    /// Ingest options for the admin reindex.
    pub ingest: ingest::IngestOptions,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)),
            corpus_dir: None,
            cors_origins: Vec::new(),
            admin_token: None,
            rate_limit_per_minute: 600,
            rate_limit_burst: 60,
            trust_forwarded_for: false,
            request_timeout: Duration::from_secs(10),
            max_body_bytes: 16 * 1024,
            search_concurrency: 0,
            ingest: ingest::IngestOptions::default(),
        }
    }
}

impl Config {
    /// [`Config::search_concurrency`], with 0 resolved to the number of cores.
    pub fn index_concurrency(&self) -> usize {
        match self.search_concurrency {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        }
    }
}
