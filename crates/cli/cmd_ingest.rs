//! `answerbank ingest`: bring the index up to date with a corpus.

use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `answerbank ingest`.
#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// The corpus folder.
    #[arg(long, default_value = crate::common::DEFAULT_CORPUS)]
    pub corpus: PathBuf,
    /// The index folder (created when missing).
    #[arg(long, default_value = crate::common::DEFAULT_INDEX)]
    pub index: PathBuf,
    /// Print the report as JSON (the `IngestReport` of the library).
    #[arg(long)]
    pub json: bool,
}

/// Reads the corpus and commits what changed (added, updated, removed by
/// content hash) in one commit. Files that fail are reported and their
/// previous records kept. Exit 0 when the commit landed, even with
/// problems; 2 when the corpus root or the index cannot be used.
pub fn run(args: IngestArgs) -> anyhow::Result<ExitCode> {
    let engine = engine::Engine::open(&args.index)
        .with_context(|| format!("cannot open the index {}", args.index.display()))?;
    let opts = crate::common::ingest_options()?;
    let bar = crate::common::IngestBar::new("files");
    let progress = |p: &ingest::Progress| bar.update(p);
    let report = engine.ingest_corpus(&args.corpus, &opts, &progress);
    bar.finish();
    let report = report.with_context(|| format!("cannot ingest {}", args.corpus.display()))?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "added {}, updated {}, removed {}, unchanged {}, failed {} file(s){} in {:.0} ms",
        report.added,
        report.updated,
        report.removed,
        report.unchanged,
        report.failed,
        if report.kept > 0 {
            format!(" (kept {} record(s) of files with problems)", report.kept)
        } else {
            String::new()
        },
        report.took_ms
    )?;
    if !report.problems.is_empty() {
        writeln!(out, "{} problem(s):", report.problems.len())?;
        for problem in &report.problems {
            writeln!(out, "  {problem}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
