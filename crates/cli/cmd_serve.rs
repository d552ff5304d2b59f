//! `answerbank serve`: the page, the widget and the HTTP API.

use std::process::ExitCode;

/// Flags of `answerbank serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {}

pub fn run(_args: ServeArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("serve: not yet wired")
}
