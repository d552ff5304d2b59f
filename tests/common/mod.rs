//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The `answerbank` binary under test.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_answerbank"))
}

/// Ingest options as the binary uses them: PDFs in a worker process.
pub fn ingest_options() -> ingest::IngestOptions {
    ingest::IngestOptions {
        worker: Some(ingest::WorkerCommand {
            program: binary(),
            args: vec!["__extract-pdf".to_string()],
        }),
        ..ingest::IngestOptions::default()
    }
}

/// An engine in `index` holding everything in `corpus`.
pub fn engine_over(corpus: &Path, index: &Path) -> engine::Engine {
    let engine = engine::Engine::open(index).expect("open the index");
    let report = engine
        .ingest_corpus(corpus, &ingest_options(), &|_| {})
        .expect("ingest the corpus");
    assert!(
        report.added > 0,
        "nothing ingested from {}",
        corpus.display()
    );
    engine
}
