//! What several commands share: logging and ingest options.

use std::path::PathBuf;

/// Logs go to stderr, filtered by `ANSWERBANK_LOG` (tracing's env-filter
/// syntax, default `info`). Query text and client addresses are never logged.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ANSWERBANK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// Default corpus folder.
pub const DEFAULT_CORPUS: &str = "corpus";
/// Default index folder.
pub const DEFAULT_INDEX: &str = "index";

/// The default corpus path.
pub fn default_corpus() -> PathBuf {
    PathBuf::from(DEFAULT_CORPUS)
}

/// The default index path.
pub fn default_index() -> PathBuf {
    PathBuf::from(DEFAULT_INDEX)
}
