//! What the server asks of the index. [`engine::Engine`] implements it; the
//! trait exists so that the HTTP layer can be tested on its own (failures,
//! slow searches) without building an index.

use engine::{IndexStats, IngestReport, SearchRequest, SearchResponse, Suggestion};
use ingest::{IngestOptions, Record};
use std::path::Path;

/// An index failure, classified once: a user mistake (400) or not (500).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendError {
    /// True when the caller's input was wrong.
    pub user: bool,
    /// What happened.
    pub message: String,
}

/// The index operations the API uses. Every method may block (CPU or disk):
/// the server calls them inside `spawn_blocking`.
pub trait Backend: Send + Sync + 'static {
    /// A search.
    fn search(&self, request: &SearchRequest) -> Result<SearchResponse, BackendError>;
    /// One full record.
    fn record(&self, id: &str) -> Result<Option<Record>, BackendError>;
    /// Records like this one (`None` when the id is unknown).
    fn similar(&self, id: &str, limit: usize) -> Result<Option<SearchResponse>, BackendError>;
    /// Past questions starting like `prefix`.
    fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<Suggestion>, BackendError>;
    /// Index size and counts.
    fn stats(&self) -> Result<IndexStats, BackendError>;
    /// Brings the index up to date with the corpus while searches go on.
    fn reindex(&self, corpus: &Path, options: &IngestOptions)
        -> Result<IngestReport, BackendError>;
}

impl From<engine::Error> for BackendError {
    fn from(err: engine::Error) -> Self {
        BackendError {
            user: err.is_user_error(),
            message: err.to_string(),
        }
    }
}

impl Backend for engine::Engine {
    fn search(&self, request: &SearchRequest) -> Result<SearchResponse, BackendError> {
        Ok(engine::Engine::search(self, request)?)
    }

    fn record(&self, id: &str) -> Result<Option<Record>, BackendError> {
        Ok(engine::Engine::record(self, id)?)
    }

    fn similar(&self, id: &str, limit: usize) -> Result<Option<SearchResponse>, BackendError> {
        Ok(engine::Engine::similar(self, id, limit)?)
    }

    fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<Suggestion>, BackendError> {
        Ok(engine::Engine::suggest(self, prefix, limit)?)
    }

    fn stats(&self) -> Result<IndexStats, BackendError> {
        Ok(engine::Engine::stats(self)?)
    }

    fn reindex(
        &self,
        corpus: &Path,
        options: &IngestOptions,
    ) -> Result<IngestReport, BackendError> {
        let report = engine::Engine::ingest_corpus(self, corpus, options, &|progress| {
            tracing::debug!(
                done = progress.done,
                total = progress.total,
                "reindex progress"
            );
        })?;
        Ok(report)
    }
}
