//! The state every handler shares.

use crate::backend::Backend;
use crate::config::Config;
use crate::error::Error;
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

/// The outcome of the last admin reindex.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ReindexStatus {
    /// `idle`, `running`, `done` or `failed`.
    pub state: String,
    /// The report of the last finished run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<engine::IngestReport>,
    /// Why the last run failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

pub(crate) struct Inner {
    pub backend: Arc<dyn Backend>,
    pub config: Config,
    /// The corpus root, canonical, when one is configured.
    pub corpus_root: Option<PathBuf>,
    pub metrics: Metrics,
    pub limiter: RateLimiter,
    pub reindexing: AtomicBool,
    pub search_slots: tokio::sync::Semaphore,
    pub last_reindex: Mutex<ReindexStatus>,
}

/// Shared, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

impl AppState {
    /// State over any [`Backend`] (an [`engine::Engine`] in production).
    pub fn new(config: Config, backend: Arc<dyn Backend>) -> Result<AppState, Error> {
        let corpus_root = match &config.corpus_dir {
            None => None,
            Some(dir) => Some(dir.canonicalize().map_err(|source| Error::Corpus {
                path: dir.clone(),
                source,
            })?),
        };
        let limiter = RateLimiter::new(config.rate_limit_per_minute, config.rate_limit_burst);
        Ok(AppState {
            inner: Arc::new(Inner {
                backend,
                corpus_root,
                metrics: Metrics::default(),
                limiter,
                reindexing: AtomicBool::new(false),
                search_slots: tokio::sync::Semaphore::new(config.index_concurrency()),
                last_reindex: Mutex::new(ReindexStatus {
                    state: "idle".to_string(),
                    report: None,
                    error: None,
                }),
                config,
            }),
        })
    }

    /// State over an [`engine::Engine`].
    pub fn with_engine(config: Config, engine: Arc<engine::Engine>) -> Result<AppState, Error> {
        AppState::new(config, engine)
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }
}
