//! The engine's error: a user mistake (bad query or parameter) or a failure.

use std::path::PathBuf;

/// What can go wrong in the engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A bad request parameter: the caller's mistake, shown to them as is.
    #[error("{0}")]
    InvalidRequest(String),
    /// The index folder could not be created, opened or read.
    #[error("index {}: {source}", path.display())]
    Io {
        /// The index folder (or a file in it).
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The corpus root could not be read.
    #[error(transparent)]
    Corpus(#[from] ingest::CorpusError),
    /// Another process holds the index writer (an ingest is running).
    #[error("the index is being written by another process; try again when it finishes")]
    Busy,
    /// A search ran past its time limit ([`crate::Engine::search_until`]).
    #[error("the search took longer than its time limit")]
    Timeout,
    /// tantivy failed.
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// A stored record could not be decoded.
    #[error("stored record {id:?} is unreadable: {message}")]
    Corrupt {
        /// The record id.
        id: String,
        /// What failed.
        message: String,
    },
}

impl Error {
    /// True when the caller's input was wrong (a 400, not a 500).
    pub fn is_user_error(&self) -> bool {
        matches!(self, Error::InvalidRequest(_))
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Error {
        Error::InvalidRequest(message.into())
    }
}
