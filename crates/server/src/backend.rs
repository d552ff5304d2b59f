//! What the server asks of the index. [`engine::Engine`] implements it; the
//! trait exists so that the HTTP layer can be tested on its own (failures,
//! slow searches) without building an index.

use engine::{IndexStats, IngestReport, SearchRequest, SearchResponse, Suggestion};
use ingest::{IngestOptions, Record};
use std::path::Path;
use std::time::Instant;

/// An index failure, classified once: what the client is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendError {
    /// Whose fault, or what kind of failure.
    pub fault: Fault,
    /// What happened.
    pub message: String,
}

/// The kinds of [`BackendError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The caller's input was wrong (400).
    User,
    /// The work ran past its time limit (503 `timeout`).
    Timeout,
    /// Anything else (500, the cause only in the log).
    Internal,
}

/// The index operations the API uses. Every method may use a core for a
/// while (CPU or disk): the server runs searches, record reads and
/// suggestions on its async workers, one per index slot, and the reindex
/// and stats on the blocking pool.
pub trait Backend: Send + Sync + 'static {
    /// A search, given up (with [`Fault::Timeout`]) once `deadline` has
    /// passed.
    fn search(
        &self,
        request: &SearchRequest,
        deadline: Instant,
    ) -> Result<SearchResponse, BackendError>;
    /// One full record.
    fn record(&self, id: &str) -> Result<Option<Record>, BackendError>;
    /// Records like this one (`None` when the id is unknown), given up
    /// (with [`Fault::Timeout`]) once `deadline` has passed.
    fn similar(
        &self,
        id: &str,
        limit: usize,
        deadline: Instant,
    ) -> Result<Option<SearchResponse>, BackendError>;
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
        let fault = match err {
            engine::Error::Timeout => Fault::Timeout,
            _ if err.is_user_error() => Fault::User,
            _ => Fault::Internal,
        };
        BackendError {
            fault,
            message: err.to_string(),
        }
    }
}

impl Backend for engine::Engine {
    fn search(
        &self,
        request: &SearchRequest,
        deadline: Instant,
    ) -> Result<SearchResponse, BackendError> {
        Ok(engine::Engine::search_until(self, request, Some(deadline))?)
    }

    fn record(&self, id: &str) -> Result<Option<Record>, BackendError> {
        Ok(engine::Engine::record(self, id)?)
    }

    fn similar(
        &self,
        id: &str,
        limit: usize,
        deadline: Instant,
    ) -> Result<Option<SearchResponse>, BackendError> {
        Ok(engine::Engine::similar_until(
            self,
            id,
            limit,
            Some(deadline),
        )?)
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
