//! What several commands share: logging and ingest options.

use std::path::PathBuf;

/// Logs go to stderr, filtered by `ANSWERBANK_LOG` (tracing's env-filter
/// syntax, default `info`). Query text and client addresses are never logged.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ANSWERBANK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
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

/// Ingest options for this machine: PDFs are extracted by this same binary
/// in a worker process (`answerbank __extract-pdf`), poppler's `pdftotext` is
/// the fallback when it is on `PATH`, and files are read on every core.
pub fn ingest_options() -> anyhow::Result<ingest::IngestOptions> {
    use anyhow::Context;
    let program = std::env::current_exe().context("cannot find the answerbank executable")?;
    Ok(ingest::IngestOptions {
        worker: Some(ingest::WorkerCommand {
            program,
            args: vec!["__extract-pdf".to_string()],
        }),
        pdftotext: find_on_path("pdftotext"),
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        ..ingest::IngestOptions::default()
    })
}

/// The first executable called `name` in a folder of `PATH`.
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// The progress bar of an ingest, drawn on stderr only when it is a terminal
/// (never in pipes or log files).
pub struct IngestBar(Option<indicatif::ProgressBar>);

impl IngestBar {
    /// A bar whose counter is labelled `unit` (`files`, `records`).
    pub fn new(unit: &str) -> IngestBar {
        use std::io::IsTerminal;
        IngestBar(std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            let template = format!("{{bar:30}} {{pos}}/{{len}} {unit} {{elapsed}} {{wide_msg}}");
            if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
                bar.set_style(style);
            }
            bar
        }))
    }

    /// Shows where an ingest is.
    pub fn update(&self, progress: &ingest::Progress) {
        if let Some(bar) = &self.0 {
            bar.set_length(progress.total as u64);
            bar.set_position(progress.done as u64);
            bar.set_message(progress.path.clone());
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
