//! PDF documents: extraction in a worker process, text repairs, status.
//!
//! The parent ([`read_pdf`]) starts the worker ([`IngestOptions::worker`])
//! once per PDF, sends it a [`PdfRequest`] and kills it when it runs past
//! [`IngestOptions::pdf_timeout`]. The worker ([`run_pdf_worker`]) lowers its
//! own address-space limit first, so a PDF that makes the parser allocate
//! without bound aborts the worker, not the run. pdf-extract goes first; when
//! it fails, finds no text, or gives suspicious text, `pdftotext` (if
//! configured) runs in a worker under the same limits and the better text is
//! kept, page by page.

mod layout;
mod pool;
mod worker;

pub(crate) use pool::WorkerPool;

pub use worker::run_pdf_worker;

use crate::qa::problem;
use crate::text::{
    detect, is_suspicious, normalize, quality_flags, tidy, title_from_path, visible_chars,
};
use crate::{
    CorpusFile, Extraction, ExtractionStatus, FileOutcome, IngestOptions, Page, Record, RecordKind,
    WorkerCommand,
};
use analysis::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Which extractor the worker runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Extractor {
    /// The pdf-extract crate, page by page.
    PdfExtract,
    /// Poppler's `pdftotext`, run as a child of the worker.
    Pdftotext,
}

/// What the parent asks the PDF worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PdfRequest {
    /// The PDF.
    pub path: PathBuf,
    /// Which extractor to run.
    pub extractor: Extractor,
    /// `pdftotext`'s path, for [`Extractor::Pdftotext`].
    #[serde(default)]
    pub pdftotext: Option<PathBuf>,
    /// Address-space limit the worker sets on itself (bytes, 0 = none).
    pub memory_limit: u64,
    /// Files larger than this are refused before parsing.
    pub max_bytes: u64,
    /// Documents with more pages than this are refused after loading.
    pub max_pages: u32,
    /// How long `pdftotext` may run (milliseconds) before the worker kills it.
    pub timeout_ms: u64,
}

/// The text of one page as the worker found it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PageText {
    /// Text in logical order, normalised (NFKC, no bidi marks).
    pub text: String,
    /// Why the page gave nothing (an error or a caught panic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What the PDF worker answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PdfResponse {
    /// `ok`, `partial`, `empty`, `encrypted` or `failed`.
    pub status: ExtractionStatus,
    /// The extractor that ran.
    pub extractor: Extractor,
    /// Why the whole document failed or is encrypted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The document's `/Title`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The first heading of page 1 (a line set larger than the body text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// One entry a page.
    #[serde(default)]
    pub pages: Vec<PageText>,
    /// Notes such as `reordered-rtl` or `decrypted-with-empty-password`.
    #[serde(default)]
    pub flags: Vec<String>,
}

impl PdfResponse {
    pub(crate) fn failed(extractor: Extractor, reason: impl Into<String>) -> PdfResponse {
        PdfResponse {
            status: ExtractionStatus::Failed,
            extractor,
            error: Some(reason.into()),
            title: None,
            heading: None,
            pages: Vec::new(),
            flags: Vec::new(),
        }
    }

    fn chars(&self) -> usize {
        self.pages.iter().map(|p| visible_chars(&p.text)).sum()
    }

    fn text(&self) -> String {
        let texts: Vec<&str> = self.pages.iter().map(|p| p.text.as_str()).collect();
        texts.join("\n")
    }
}

/// Reads one PDF into a document record (or a failure).
pub(crate) fn read_pdf(
    file: &CorpusFile,
    opts: &IngestOptions,
    pool: Option<&WorkerPool>,
) -> FileOutcome {
    if file.size > opts.max_pdf_bytes {
        return FileOutcome::failed(problem(
            file,
            None,
            &format!(
                "PDF too large ({} bytes, limit {}), skipped",
                file.size, opts.max_pdf_bytes
            ),
        ));
    }
    let request = |extractor| PdfRequest {
        path: file.path.clone(),
        extractor,
        pdftotext: opts.pdftotext.clone(),
        memory_limit: opts.pdf_memory_limit,
        max_bytes: opts.max_pdf_bytes,
        max_pages: opts.max_pdf_pages,
        timeout_ms: opts.pdf_timeout.as_millis() as u64,
    };
    let first = extract(&request(Extractor::PdfExtract), opts, pool);
    let needs_fallback = match first.status {
        ExtractionStatus::Ok => is_suspicious(&quality_flags(&first.text())),
        // Poppler reads some encryption lopdf cannot (AES-256 with the
        // empty password); with a real password it fails the same way.
        _ => true,
    };
    let chosen = if needs_fallback && opts.pdftotext.is_some() {
        let second = extract(&request(Extractor::Pdftotext), opts, pool);
        combine(first, second)
    } else {
        Chosen::single(first)
    };
    outcome(file, chosen)
}

/// Runs one extraction: in the worker when there is one, else in process.
fn extract(request: &PdfRequest, opts: &IngestOptions, pool: Option<&WorkerPool>) -> PdfResponse {
    match &opts.worker {
        Some(worker) => {
            // The worker's own pdftotext deadline comes first; this one
            // catches a worker that hangs itself.
            let limit = opts.pdf_timeout
                + if request.extractor == Extractor::Pdftotext {
                    Duration::from_secs(2)
                } else {
                    Duration::ZERO
                };
            match pool {
                Some(pool) => pool.run(request, limit),
                None => run_worker(worker, request, limit)
                    .unwrap_or_else(|reason| PdfResponse::failed(request.extractor, reason)),
            }
        }
        None => worker::extract_in_process(request),
    }
}

/// Starts the worker, sends the request, waits at most `limit`.
fn run_worker(
    worker: &WorkerCommand,
    request: &PdfRequest,
    limit: Duration,
) -> Result<PdfResponse, String> {
    let started = Instant::now();
    let mut child = worker
        .command(request.memory_limit)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the PDF worker: {e}"))?;
    let body = serde_json::to_vec(request).map_err(|e| e.to_string())?;
    if let Some(mut stdin) = child.stdin.take() {
        // A worker that dies at once closes the pipe; its status tells why.
        let _ = stdin.write_all(&body);
    }
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(out) = stdout.as_mut() {
            let _ = out.read_to_end(&mut buf);
        }
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(err) = stderr.as_mut() {
            let _ = err.take(64 * 1024).read_to_end(&mut buf);
            // Drain the rest so the worker never blocks on a full pipe.
            let _ = std::io::copy(err, &mut std::io::sink());
        }
        buf
    });
    let mut pause = Duration::from_millis(2);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => return Err(format!("cannot wait for the PDF worker: {e}")),
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let _ = out_reader.join();
            let _ = err_reader.join();
            return Err(format!(
                "timed out after {:.1} s, worker killed",
                limit.as_secs_f64()
            ));
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    };
    let out = out_reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    if !status.success() {
        let last = String::from_utf8_lossy(&err)
            .lines()
            .find(|l| !l.trim().is_empty())
            .map(|l| format!(": {}", l.trim()))
            .unwrap_or_default();
        return Err(format!("worker {}{last}", describe_exit(&status)));
    }
    serde_json::from_slice(&out).map_err(|e| format!("bad answer from the PDF worker: {e}"))
}

pub(crate) fn describe_exit(status: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                6 => " (abort: memory limit or a parser abort)",
                9 => " (killed)",
                11 => " (segmentation fault, e.g. stack overflow)",
                _ => "",
            };
            return format!("crashed with signal {signal}{name}");
        }
    }
    match status.code() {
        Some(code) => format!("exited with status {code}"),
        None => "ended abnormally".to_string(),
    }
}

/// The text kept for a document, and where it came from.
struct Chosen {
    response: PdfResponse,
    extractor: String,
    /// Pages whose text came from the fallback.
    notes: Vec<String>,
}

impl Chosen {
    fn single(response: PdfResponse) -> Chosen {
        let extractor = extractor_name(response.extractor).to_string();
        Chosen {
            response,
            extractor,
            notes: Vec::new(),
        }
    }
}

fn extractor_name(e: Extractor) -> &'static str {
    match e {
        Extractor::PdfExtract => "pdf-extract",
        Extractor::Pdftotext => "pdftotext",
    }
}

/// Keeps the better of pdf-extract's and pdftotext's text: the fallback's
/// pages replace pdf-extract's empty pages and its failed pages when they
/// have more text; when pdf-extract failed
/// as a whole or its text is suspicious, the fallback wins if it has text
/// that is not.
fn combine(first: PdfResponse, second: PdfResponse) -> Chosen {
    let mut notes = Vec::new();
    if let Some(reason) = &first.error {
        notes.push(format!("pdf-extract: {reason}"));
    }
    let second_usable = matches!(
        second.status,
        ExtractionStatus::Ok | ExtractionStatus::Partial
    ) && second.chars() > 0;
    if !second_usable {
        if let Some(reason) = &second.error {
            notes.push(format!("pdftotext: {reason}"));
        }
        let mut chosen = Chosen::single(first);
        chosen.notes = notes;
        // An encrypted verdict from pdftotext explains a failed pdf-extract.
        if chosen.response.status == ExtractionStatus::Failed
            && second.status == ExtractionStatus::Encrypted
        {
            chosen.response.status = ExtractionStatus::Encrypted;
            chosen.response.error = second.error;
        }
        return chosen;
    }
    let first_text = first.text();
    let first_suspicious = is_suspicious(&quality_flags(&first_text));
    let second_text = second.text();
    let better = bad_share(&second_text) < bad_share(&first_text) * 0.8
        && visible_chars(&second_text) * 2 >= visible_chars(&first_text);
    let whole = first.pages.is_empty()
        || first.chars() == 0
        || (first_suspicious && better)
        || first.pages.len() != second.pages.len();
    if whole {
        let title = first.title.clone().or(second.title.clone());
        // pdf-extract's heading only when pdftotext's text has its words
        // (not when the heading has spaces inside words, say).
        let second_words: std::collections::HashSet<&str> =
            second_text.split_whitespace().collect();
        let heading = first
            .heading
            .clone()
            .filter(|h| h.split_whitespace().all(|w| second_words.contains(w)))
            .or(second.heading.clone());
        let mut chosen = Chosen::single(second);
        chosen.response.title = title;
        chosen.response.heading = heading;
        chosen.notes = notes;
        return chosen;
    }
    // Same page count: fill the pages pdf-extract could not read.
    let mut merged = first;
    let mut filled = Vec::new();
    for (i, (page, other)) in merged.pages.iter_mut().zip(second.pages).enumerate() {
        let ours = visible_chars(&page.text);
        let theirs = visible_chars(&other.text);
        if (ours == 0 || page.error.is_some()) && theirs > ours {
            *page = other;
            filled.push((i + 1).to_string());
        }
    }
    if filled.is_empty() {
        let mut chosen = Chosen::single(merged);
        chosen.notes = notes;
        return chosen;
    }
    notes.push(format!("pages from pdftotext: {}", filled.join(",")));
    merged.status = page_status(&merged.pages);
    Chosen {
        response: merged,
        extractor: "pdf-extract+pdftotext".to_string(),
        notes,
    }
}

/// Titles that producers write when the author gave none.
fn is_placeholder_title(title: &str) -> bool {
    let t = title.trim().to_lowercase();
    t.chars().filter(|c| c.is_alphabetic()).count() < 3
        || t.starts_with("untitled")
        || t.starts_with("microsoft word - ")
        || t.starts_with("microsoft powerpoint - ")
        || t.starts_with("document1")
        || t == "title"
        || t == "no title"
        || [
            ".doc", ".docx", ".pdf", ".odt", ".rtf", ".indd", ".tmp", ".txt",
        ]
        .iter()
        .any(|ext| t.ends_with(ext))
}

/// Joins a word split at a line end: after a soft hyphen (U+00AD, a
/// hyphenation point) the parts are glued; after a plain hyphen the hyphen
/// stays ("auto-" / "référencement" is the compound "auto-référencement",
/// and LibreOffice, the helpdesk's usual producer, does not hyphenate), only
/// the line break goes. Either way the next line must start with a
/// lowercase letter.
fn join_hyphenated(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_end();
        let next_lower = lines
            .peek()
            .and_then(|next| next.trim_start().chars().next())
            .is_some_and(char::is_lowercase);
        let mut rev = trimmed.chars().rev();
        let last = rev.next();
        let letter_before = rev.next().is_some_and(char::is_alphabetic);
        let split = matches!(last, Some('-' | '\u{00AD}')) && letter_before && next_lower;
        if split {
            match trimmed.strip_suffix('\u{00AD}') {
                Some(head) => out.push_str(head),
                None => out.push_str(trimmed),
            }
            if let Some(next) = lines.next() {
                out.push_str(next.trim_start());
                out.push('\n');
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.pop();
    out
}

/// Share of a text's visible characters that are U+FFFD or control
/// characters, plus the share of its words in runs of one-letter tokens.
fn bad_share(text: &str) -> f64 {
    let visible = visible_chars(text).max(1) as f64;
    let bad = text
        .chars()
        .filter(|c| *c == '\u{FFFD}' || (c.is_control() && !c.is_whitespace()))
        .count() as f64;
    let words: Vec<&str> = text.split_whitespace().collect();
    let singles = words.iter().filter(|w| w.chars().count() == 1).count() as f64;
    let no_letters = if text.chars().any(char::is_alphanumeric) {
        0.0
    } else {
        1.0
    };
    bad / visible + singles / (words.len().max(1) as f64) + no_letters
}

/// Status from the pages: all gave text without error → ok; none gave text
/// → empty (failed when every page errored); else partial.
pub(crate) fn page_status(pages: &[PageText]) -> ExtractionStatus {
    let with_text = pages.iter().filter(|p| visible_chars(&p.text) > 0).count();
    let errors = pages.iter().filter(|p| p.error.is_some()).count();
    if pages.is_empty() {
        ExtractionStatus::Empty
    } else if with_text == pages.len() && errors == 0 {
        ExtractionStatus::Ok
    } else if with_text > 0 {
        ExtractionStatus::Partial
    } else if errors == pages.len() {
        ExtractionStatus::Failed
    } else {
        ExtractionStatus::Empty
    }
}

fn outcome(file: &CorpusFile, chosen: Chosen) -> FileOutcome {
    let Chosen {
        response,
        extractor,
        notes,
    } = chosen;
    let mut problems = Vec::new();
    match response.status {
        ExtractionStatus::Failed | ExtractionStatus::Encrypted => {
            let raw = response
                .error
                .clone()
                .unwrap_or_else(|| "no page could be read".to_string());
            let reason = if response.status == ExtractionStatus::Encrypted {
                format!("encrypted: {raw}")
            } else {
                raw.clone()
            };
            let others: Vec<&String> = notes.iter().filter(|n| !n.ends_with(&raw)).collect();
            let extra = if others.is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    others
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            };
            return FileOutcome::failed(problem(
                file,
                None,
                &format!("PDF not indexed: {reason}{extra}"),
            ));
        }
        _ => {}
    }
    let mut flags = response.flags.clone();
    flags.extend(notes);
    let mut pages = Vec::with_capacity(response.pages.len());
    let mut chars_per_page = Vec::with_capacity(response.pages.len());
    let mut chars_by_lang: BTreeMap<Lang, usize> = BTreeMap::new();
    for (i, page) in response.pages.iter().enumerate() {
        let number = i as u32 + 1;
        if let Some(error) = &page.error {
            flags.push(format!("page {number}: {error}"));
        }
        let text = tidy(&join_hyphenated(&normalize(&page.text)));
        let chars = visible_chars(&text);
        chars_per_page.push(chars);
        let language = if chars == 0 { Lang::Und } else { detect(&text) };
        if chars > 0 {
            *chars_by_lang.entry(language).or_default() += chars;
        }
        pages.push(Page {
            number,
            language,
            text,
        });
    }
    let body = pages
        .iter()
        .map(|p| p.text.as_str())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    flags.extend(quality_flags(&body));
    let status = response.status;
    match status {
        ExtractionStatus::Empty => problems.push(problem(
            file,
            None,
            "PDF has no extractable text (scanned or image-only?), indexed by title only",
        )),
        ExtractionStatus::Partial => {
            let missing: Vec<String> = chars_per_page
                .iter()
                .enumerate()
                .filter(|(_, c)| **c == 0)
                .map(|(i, _)| (i + 1).to_string())
                .collect();
            let failed: Vec<String> = response
                .pages
                .iter()
                .enumerate()
                .filter(|(_, p)| p.error.is_some())
                .map(|(i, _)| (i + 1).to_string())
                .collect();
            let mut parts = Vec::new();
            if !missing.is_empty() {
                parts.push(format!("no text on page(s) {}", missing.join(",")));
            }
            if !failed.is_empty() {
                parts.push(format!(
                    "page(s) {} failed part-way (see flags)",
                    failed.join(",")
                ));
            }
            problems.push(problem(
                file,
                None,
                &format!("PDF partly read: {}", parts.join("; ")),
            ));
        }
        _ => {}
    }
    if is_suspicious(&flags) {
        problems.push(problem(
            file,
            None,
            &format!(
                "PDF text looks damaged: {}",
                flags
                    .iter()
                    .filter(|f| is_suspicious(std::slice::from_ref(*f)))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        ));
    }
    // The language with the most characters over the pages; pages that
    // could not be told (`und`) only decide when no page could.
    let language = chars_by_lang
        .iter()
        .filter(|(lang, _)| **lang != Lang::Und)
        .max_by_key(|(_, chars)| **chars)
        .map(|(lang, _)| *lang)
        .unwrap_or(Lang::Und);
    // Title: the metadata's unless it is a placeholder, else the first
    // heading, else the file name.
    let clean = |t: &str| tidy(&normalize(t)).replace('\n', " ");
    let title = response
        .title
        .as_deref()
        .map(clean)
        .filter(|t| !is_placeholder_title(t))
        .or_else(|| response.heading.as_deref().map(clean))
        .filter(|t| t.chars().filter(|c| c.is_alphabetic()).count() >= 3)
        .unwrap_or_else(|| title_from_path(&file.rel));
    FileOutcome::one(Record {
        id: file.rel.clone(),
        kind: RecordKind::Document,
        title,
        body,
        language,
        country: None,
        topics: Vec::new(),
        date: None,
        attachments: Vec::new(),
        source: file.rel.clone(),
        format: "pdf".to_string(),
        pages,
        extraction: Some(Extraction {
            status,
            extractor,
            chars_per_page,
            flags,
        }),
        metadata: BTreeMap::new(),
        hash: String::new(),
    })
    .with_problems(problems)
}

impl FileOutcome {
    fn with_problems(mut self, problems: Vec<Problem>) -> FileOutcome {
        self.problems.extend(problems);
        self
    }
}

use crate::Problem;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_titles() {
        assert!(is_placeholder_title("Untitled-1"));
        assert!(is_placeholder_title("Microsoft Word - sop_v3.docx"));
        assert!(is_placeholder_title("report.pdf"));
        assert!(!is_placeholder_title("Free Culture"));
        assert!(!is_placeholder_title("دليل إدارة الحالات"));
    }

    #[test]
    fn joins_words_hyphenated_at_line_ends() {
        assert_eq!(
            join_hyphenated("the accessi\u{00AD}\nbility of services"),
            "the accessibility of services"
        );
        assert_eq!(
            join_hyphenated("par auto-\nréférencement de l’enfant\nwell-\nKnown"),
            "par auto-référencement de l’enfant\nwell-\nKnown"
        );
        assert_eq!(
            join_hyphenated("a line\n- a list item\n"),
            "a line\n- a list item\n"
        );
        assert_eq!(join_hyphenated("2019-\n2020"), "2019-\n2020");
    }
}
