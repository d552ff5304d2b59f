//! `answerbank search`: query the index from the terminal.

use std::process::ExitCode;

/// Flags of `answerbank search`.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// The query.
    pub query: String,
}

pub fn run(_args: SearchArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("search: not yet wired")
}
