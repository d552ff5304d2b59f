//! The records ingestion produces: the plain serde types the engine indexes.

use analysis::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    /// A banked question and its answer.
    Qa,
    /// A guidance document (PDF, DOCX, HTML, Markdown, plain text).
    Document,
}

impl RecordKind {
    /// `qa` or `document`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Qa => "qa",
            RecordKind::Document => "document",
        }
    }
}

/// One searchable unit: a banked Q&A or a whole document.
///
/// For a Q&A, `title` is the question and `body` the answer. For a document,
/// `title` comes from its metadata, else its first heading, else its file
/// name; `body` is its whole text, and `pages` holds the text per page for
/// formats that have pages (PDF).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Record {
    /// A Q&A's own `id`; a document's path relative to the corpus root
    /// (`docs/x.pdf`, always with `/`).
    pub id: String,
    /// `qa` or `document`.
    #[serde(rename = "type")]
    pub kind: RecordKind,
    /// The question, or the document's title.
    pub title: String,
    /// The answer, or the document's text.
    pub body: String,
    /// Declared, else detected; `und` when it could not be told.
    pub language: Lang,
    /// Country the question came from (free text as banked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Topic slugs (`uasc`, `case-management`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Paths relative to the corpus root of the files attached to a Q&A.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
    /// The file the record was read from, relative to the corpus root.
    pub source: String,
    /// The file's format: `jsonl`, `json`, `csv`, `md`, `pdf`, `docx`, `html`, `txt`.
    pub format: String,
    /// Text per page (PDF), numbered from 1, each with its own language.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<Page>,
    /// How text extraction went, for documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extraction: Option<Extraction>,
    /// Fields of the source that Answerbank does not know, kept as they were.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, serde_json::Value>,
    /// A hash of everything above, hex: the engine's incremental ingest
    /// compares it to tell changed records from unchanged ones.
    pub hash: String,
}

/// One page of a paged document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page {
    /// 1-based page number, as a PDF viewer's `#page=N` takes it.
    pub number: u32,
    /// The page's language (a bilingual PDF keeps one per page).
    pub language: Lang,
    /// The page's text, in logical order.
    pub text: String,
}

/// The outcome of extracting a document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ExtractionStatus {
    /// Every page gave text.
    Ok,
    /// Some pages failed or gave no text.
    Partial,
    /// The file parsed but gave no text (scanned, Type3 fonts, ...).
    Empty,
    /// Encrypted with a password we do not have.
    Encrypted,
    /// Nothing could be read.
    Failed,
}

/// How text extraction went for one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Extraction {
    /// Overall outcome.
    pub status: ExtractionStatus,
    /// Which extractor gave the text (`pdf-extract`, `pdftotext`, `docx`, `html`, `text`).
    pub extractor: String,
    /// Characters per page, in page order (one entry for unpaged formats).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chars_per_page: Vec<usize>,
    /// Quality warnings (`replacement-characters`, `single-letter-runs`,
    /// `reordered-rtl`, `page 3: panic ...`); never silently dropped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
}

/// A problem found while reading the corpus: reported, skipped, and the
/// rest of the work goes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// Path relative to the corpus root.
    pub path: String,
    /// 1-based line (JSONL, CSV) when the problem sits on one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// What went wrong, lowercase, concise.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path, line, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}
