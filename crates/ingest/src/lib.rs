//! Walks a corpus folder and turns banked Q&As and guidance documents into
//! [`Record`]s.
//!
//! The entry point is [`ingest`]: it walks the corpus ([`walk`]), reads every
//! file in parallel ([`read_file`]) and then checks the records as a whole
//! ([`finish`]: duplicate ids, stable order; missing attachments are checked
//! as each Q&A file is read). The pieces are public so that an incremental
//! ingest can read only the files that changed.
//!
//! PDFs are read in worker processes ([`IngestOptions::worker`], whose body
//! is [`run_pdf_worker`]) under a memory limit and a wall-clock timeout, so a
//! PDF that crashes or hangs the parser marks one file failed and the run
//! goes on. Text is extracted page by page (one bad page loses one page),
//! Arabic is put back in logical order, and every PDF record says how its
//! extraction went ([`Extraction`]: status, characters per page, flags).

mod docs;
mod finish;
mod pdf;
mod qa;
mod record;
mod text;
mod walk;

pub use finish::finish;
pub use pdf::{run_pdf_worker, Extractor, PageText, PdfRequest, PdfResponse};
pub use record::{Extraction, ExtractionStatus, Page, Problem, Record, RecordKind};
pub use walk::{walk, CorpusFile, FileFormat};

use std::path::{Path, PathBuf};
use std::time::Duration;

/// How to start a PDF worker process: `program args...`, which reads
/// [`PdfRequest`]s as JSON lines on stdin and answers each with a
/// [`PdfResponse`] JSON line on stdout until stdin ends (the body of such a
/// command is [`run_pdf_worker`]). [`ingest`] keeps its workers for the whole
/// run; [`read_file`] starts one for the PDF it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerCommand {
    /// The executable.
    pub program: PathBuf,
    /// Its arguments (for the `answerbank` binary: `["__extract-pdf"]`).
    /// When [`IngestOptions::pdf_memory_limit`] is set, `--memory-limit=BYTES`
    /// follows them: the program should start its work under that
    /// address-space limit (the `answerbank` binary re-executes itself under
    /// it, so that even memory its allocator reserved at start-up counts).
    pub args: Vec<String>,
}

impl WorkerCommand {
    /// The command that starts one worker with this memory limit (bytes;
    /// 0 = none).
    pub(crate) fn command(&self, memory_limit: u64) -> std::process::Command {
        let mut command = std::process::Command::new(&self.program);
        command.args(&self.args);
        if memory_limit > 0 {
            command.arg(format!("--memory-limit={memory_limit}"));
        }
        command
    }
}

/// What ingestion may do and use. Plain data; the binary fills it from its
/// flags and environment.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// The PDF worker. `None` extracts PDFs in this process (behind
    /// `catch_unwind` only: an abort in the parser would end the process), so
    /// production code always sets it.
    pub worker: Option<WorkerCommand>,
    /// Path of poppler's `pdftotext`, the fallback for PDFs pdf-extract fails
    /// on or gives empty or suspicious text for. `None`: no fallback.
    pub pdftotext: Option<PathBuf>,
    /// Files read in parallel; 0 means one per core.
    pub threads: usize,
    /// Wall-clock limit for one PDF extraction (per extractor); the worker is
    /// killed past it and the file marked failed.
    pub pdf_timeout: Duration,
    /// Address-space limit the worker sets on itself (bytes; 0 = none).
    pub pdf_memory_limit: u64,
    /// PDFs larger than this are not parsed (bytes).
    pub max_pdf_bytes: u64,
    /// PDFs with more pages than this are not parsed.
    pub max_pdf_pages: u32,
    /// Other files larger than this are not read (bytes).
    pub max_file_bytes: u64,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            worker: None,
            pdftotext: None,
            threads: 0,
            pdf_timeout: Duration::from_secs(60),
            pdf_memory_limit: 1 << 30,
            max_pdf_bytes: 100 << 20,
            max_pdf_pages: 2_000,
            max_file_bytes: 50 << 20,
        }
    }
}

/// Progress of a run, reported after each file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// Files finished so far.
    pub done: usize,
    /// Files to read in all.
    pub total: usize,
    /// The file just finished, relative to the corpus root.
    pub path: String,
}

/// What [`ingest`] produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ingested {
    /// The records, sorted by source path then position in the file.
    pub records: Vec<Record>,
    /// Everything that went wrong, sorted by path then line.
    pub problems: Vec<Problem>,
    /// Files read (of a format Answerbank knows).
    pub files: usize,
    /// Files that gave no record at all because they could not be read or
    /// extracted.
    pub failed_files: usize,
}

/// The only errors that stop a run: the corpus root itself cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The root does not exist or cannot be listed.
    #[error("cannot read corpus {}: {source}", path.display())]
    Unreadable {
        /// The corpus root.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The root is not a folder.
    #[error("corpus {} is not a folder", .0.display())]
    NotADirectory(PathBuf),
}

/// What reading one file gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileOutcome {
    /// Its records, in file order.
    pub records: Vec<Record>,
    /// The 1-based line each record starts on, where the format has lines
    /// (parallel to `records`).
    pub lines: Vec<Option<usize>>,
    /// Its problems.
    pub problems: Vec<Problem>,
    /// True when the file gave nothing because it could not be read.
    pub failed: bool,
}

impl FileOutcome {
    /// A file that gave nothing, for this reason.
    pub fn failed(problem: Problem) -> FileOutcome {
        FileOutcome {
            problems: vec![problem],
            failed: true,
            ..FileOutcome::default()
        }
    }

    /// One record, not on a line.
    pub(crate) fn one(record: Record) -> FileOutcome {
        FileOutcome {
            records: vec![record],
            lines: vec![None],
            ..FileOutcome::default()
        }
    }
}

/// Reads a whole corpus: walk, read every file in parallel, then [`finish`].
pub fn ingest(
    root: &Path,
    opts: &IngestOptions,
    progress: &(dyn Fn(&Progress) + Sync),
) -> Result<Ingested, CorpusError> {
    let (files, problems) = walk(root)?;
    let outcomes = read_files(root, &files, opts, progress);
    Ok(Ingested::from_outcomes(outcomes, problems))
}

/// Reads files of the corpus in parallel (`opts.threads`), with PDF workers
/// kept alive for the whole call, reporting progress after each file. The
/// outcomes are in the order of `files`. For an incremental ingest: walk,
/// keep the files that changed, read them here, then
/// [`Ingested::from_outcomes`] (or [`finish`] with the unchanged records).
pub fn read_files(
    root: &Path,
    files: &[CorpusFile],
    opts: &IngestOptions,
    progress: &(dyn Fn(&Progress) + Sync),
) -> Vec<FileOutcome> {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let total = files.len();
    // Workers live for the whole call (dropped, and so ended, at its end).
    let pool = opts
        .worker
        .clone()
        .map(|command| pdf::WorkerPool::new(command, opts.pdf_memory_limit));
    let done = AtomicUsize::new(0);
    let read_all = || {
        files
            .par_iter()
            .map(|file| {
                let outcome = read_file_in(root, file, opts, pool.as_ref());
                let done = done.fetch_add(1, Ordering::Relaxed) + 1;
                progress(&Progress {
                    done,
                    total,
                    path: file.rel.clone(),
                });
                outcome
            })
            .collect::<Vec<_>>()
    };
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.threads
    };
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(read_all),
        Err(_) => read_all(),
    }
}

impl Ingested {
    /// Puts file outcomes together (in file order) with the walk's
    /// problems, then [`finish`]es: stable order, first record of each id.
    pub fn from_outcomes(outcomes: Vec<FileOutcome>, mut problems: Vec<Problem>) -> Ingested {
        let files = outcomes.len();
        let mut records = Vec::new();
        let mut failed_files = 0;
        for outcome in outcomes {
            let lines = outcome.lines.into_iter().chain(std::iter::repeat(None));
            records.extend(outcome.records.into_iter().zip(lines));
            problems.extend(outcome.problems);
            failed_files += usize::from(outcome.failed);
        }
        let (records, problems) = finish::finish_with_lines(records, problems);
        Ingested {
            records,
            problems,
            files,
            failed_files,
        }
    }
}

/// Reads one file of the corpus into records. Never fails: whatever goes
/// wrong is a [`Problem`] in the outcome.
/// A PDF is read by a worker process started for it alone (see
/// [`IngestOptions::worker`]).
pub fn read_file(root: &Path, file: &CorpusFile, opts: &IngestOptions) -> FileOutcome {
    read_file_in(root, file, opts, None)
}

fn read_file_in(
    root: &Path,
    file: &CorpusFile,
    opts: &IngestOptions,
    pool: Option<&pdf::WorkerPool>,
) -> FileOutcome {
    let mut outcome = match file.format {
        FileFormat::Pdf => pdf::read_pdf(file, opts, pool),
        FileFormat::Jsonl | FileFormat::Json | FileFormat::Csv => {
            qa::read_collection(root, file, opts)
        }
        FileFormat::Markdown | FileFormat::Html | FileFormat::Docx | FileFormat::Text => {
            docs::read_document(root, file, opts)
        }
    };
    outcome.lines.resize(outcome.records.len(), None);
    for record in &mut outcome.records {
        record.hash = record_hash(record);
    }
    outcome
}

/// The hex SHA-256 of a record's JSON with an empty `hash`.
pub fn record_hash(record: &Record) -> String {
    use sha2::{Digest, Sha256};
    let mut copy = record.clone();
    copy.hash.clear();
    let json = serde_json::to_vec(&copy).unwrap_or_default();
    let digest = Sha256::digest(&json);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_cannot_be_read_is_a_problem_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["gone.jsonl", "gone.md", "gone.pdf"] {
            let file = CorpusFile {
                path: dir.path().join(name),
                rel: name.to_string(),
                format: FileFormat::from_path(Path::new(name)).unwrap(),
                size: 10,
                modified: None,
            };
            let outcome = read_file(dir.path(), &file, &IngestOptions::default());
            assert!(outcome.failed, "{name}");
            assert!(outcome.records.is_empty());
            assert_eq!(outcome.problems.len(), 1, "{:?}", outcome.problems);
            assert!(
                outcome.problems[0].message.contains("cannot read"),
                "{}",
                outcome.problems[0]
            );
        }
    }

    #[test]
    fn hashes_change_with_content_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "Same text twice.").unwrap();
        let (files, _) = walk(dir.path()).unwrap();
        let opts = IngestOptions::default();
        let first = read_file(dir.path(), &files[0], &opts).records[0]
            .hash
            .clone();
        let again = read_file(dir.path(), &files[0], &opts).records[0]
            .hash
            .clone();
        assert_eq!(first, again);
        std::fs::write(&path, "Other text.").unwrap();
        let (files, _) = walk(dir.path()).unwrap();
        let changed = read_file(dir.path(), &files[0], &opts).records[0]
            .hash
            .clone();
        assert_ne!(first, changed);
    }
}
