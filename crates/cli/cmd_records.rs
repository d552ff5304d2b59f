//! `answerbank records`: print a corpus's records as JSON lines.

use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `answerbank records`.
#[derive(Debug, clap::Args)]
pub struct RecordsArgs {
    /// The corpus folder.
    #[arg(long, default_value = crate::common::DEFAULT_CORPUS)]
    pub corpus: PathBuf,
}

pub fn run(_args: RecordsArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("records: not yet wired")
}

/// The hidden PDF worker subcommand.
pub fn worker() -> ExitCode {
    ExitCode::FAILURE
}
