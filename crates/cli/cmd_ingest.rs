//! `answerbank ingest`: bring the index up to date with a corpus.

use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `answerbank ingest`.
#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// The corpus folder.
    #[arg(long, default_value = crate::common::DEFAULT_CORPUS)]
    pub corpus: PathBuf,
    /// The index folder.
    #[arg(long, default_value = crate::common::DEFAULT_INDEX)]
    pub index: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(_args: IngestArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("ingest: not yet wired")
}
