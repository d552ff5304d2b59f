//! `answerbank`: search a child-protection helpdesk's banked answers and
//! guidance documents in English, French, Spanish and Arabic.
//!
//! Glue only: flags, config, logging, exit codes. The work is done by the
//! `ingest`, `engine` and `server` crates.

mod cmd_ingest;
mod cmd_records;
mod cmd_search;
mod cmd_serve;
mod common;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// mimalloc instead of the system allocator: ingest is about a fifth
/// faster and searches a little faster (measured in `BENCHMARKS.md`). The
/// PDF worker re-executes itself under its address-space limit
/// (`cmd_records::worker`) so that memory mimalloc reserves early still
/// counts against the limit.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "answerbank", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print every record of a corpus as one JSON object a line (problems on stderr).
    Records(cmd_records::RecordsArgs),
    /// Ingest a corpus into the index (incremental: added, updated, removed).
    Ingest(cmd_ingest::IngestArgs),
    /// Search the index.
    Search(cmd_search::SearchArgs),
    /// Serve the search page, the widget and the HTTP API (ingests first when needed).
    Serve(cmd_serve::ServeArgs),
    /// Internal: extract one PDF in an isolated worker process.
    #[command(name = "__extract-pdf", hide = true)]
    ExtractPdf(cmd_records::WorkerArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::ExtractPdf(_)) {
        common::init_logging();
    }
    let result = match cli.command {
        Command::Records(args) => cmd_records::run(args),
        Command::Ingest(args) => cmd_ingest::run(args),
        Command::Search(args) => cmd_search::run(args),
        Command::Serve(args) => cmd_serve::run(args),
        Command::ExtractPdf(args) => return cmd_records::worker(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("answerbank: {err:#}");
            ExitCode::from(2)
        }
    }
}
