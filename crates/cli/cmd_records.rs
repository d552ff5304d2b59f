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

/// Prints every record as one JSON object a line on stdout and every problem
/// as `path:line: reason` on stderr. Exit 0 when only some files failed;
/// an unreadable corpus root is an error (exit 2).
pub fn run(args: RecordsArgs) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let opts = crate::common::ingest_options()?;
    let bar = crate::common::IngestBar::new("files");
    let progress = |p: &ingest::Progress| bar.update(p);
    let ingested = ingest::ingest(&args.corpus, &opts, &progress)?;
    bar.finish();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for record in &ingested.records {
        let line = serde_json::to_string(record)?;
        if let Err(err) = writeln!(out, "{line}") {
            // A closed pipe (`| head`) is not a failure.
            if err.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(ExitCode::SUCCESS);
            }
            return Err(err.into());
        }
    }
    match out.flush() {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => return Err(err.into()),
        _ => {}
    }
    let mut err = std::io::stderr().lock();
    for problem in &ingested.problems {
        let _ = writeln!(err, "{problem}");
    }
    let _ = writeln!(
        err,
        "answerbank: {} records from {} files ({} failed), {} problems",
        ingested.records.len(),
        ingested.files,
        ingested.failed_files,
        ingested.problems.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Flags of the hidden PDF worker subcommand.
#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    /// Address-space limit (bytes) the worker runs under; it re-executes
    /// itself once the limit is set, so that nothing mapped before counts
    /// for free.
    #[arg(long)]
    memory_limit: Option<u64>,
}

/// The hidden PDF worker subcommand: requests on stdin, one answer a line on
/// stdout (see `ingest::run_pdf_worker`).
pub fn worker(args: WorkerArgs) -> ExitCode {
    if let Some(limit) = args.memory_limit.filter(|&l| l > 0) {
        if let Err(err) = restart_under(limit) {
            eprintln!("answerbank __extract-pdf: cannot run under the memory limit: {err}");
            return ExitCode::FAILURE;
        }
    }
    match ingest::run_pdf_worker(std::io::stdin().lock(), std::io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("answerbank __extract-pdf: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Makes sure this process runs under an address-space limit of `limit`
/// bytes from its start: when the limit is not yet set, sets it and
/// re-executes this program with the same arguments (limits survive `exec`,
/// and the new image maps everything under the limit). Returns when the
/// limit was already in place.
fn restart_under(limit: u64) -> std::io::Result<()> {
    use std::os::unix::process::CommandExt;
    let (soft, _) = rlimit::getrlimit(rlimit::Resource::AS)?;
    if soft <= limit {
        return Ok(());
    }
    rlimit::setrlimit(rlimit::Resource::AS, limit, limit)?;
    let program = std::env::current_exe()?;
    // Returns only on failure.
    Err(std::process::Command::new(program)
        .args(std::env::args_os().skip(1))
        .exec())
}
