//! PDF documents: extraction in a worker process, text repairs, status.

use crate::{CorpusFile, FileOutcome, IngestOptions};
use serde::{Deserialize, Serialize};

/// What the parent asks the PDF worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PdfRequest {
    /// The PDF.
    pub path: std::path::PathBuf,
}

/// What the PDF worker answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PdfResponse {}

/// The body of the PDF worker process: reads one [`PdfRequest`] (JSON) from
/// `input`, writes one [`PdfResponse`] (JSON) to `output`.
pub fn run_pdf_worker(
    input: impl std::io::Read,
    output: impl std::io::Write,
) -> std::io::Result<()> {
    let _ = (input, output);
    Ok(())
}

pub(crate) fn read_pdf(file: &CorpusFile, opts: &IngestOptions) -> FileOutcome {
    let _ = (file, opts);
    FileOutcome::default()
}
