//! The request and response types of a search: plain serde structs shared by
//! the CLI (`--json`) and the HTTP API, which return them unchanged.

use analysis::Lang;
use ingest::RecordKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How hits are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// BM25 with field boosts; ties broken by date (newest first), then id.
    #[default]
    Relevance,
    /// Newest first; undated records last; ties by relevance.
    Date,
}

/// A search. Every filter is optional; an empty `q` with filters browses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct SearchRequest {
    /// The user's words: `"phrases"`, `-exclude`, `OR` are understood; a
    /// syntax error falls back to plain words and never fails the search.
    pub q: String,
    /// Keep only records (or pages) in this language.
    pub lang: Option<Lang>,
    /// Keep only Q&As or only documents.
    #[serde(rename = "type")]
    pub kind: Option<RecordKind>,
    /// Keep only records with this topic slug.
    pub topic: Option<String>,
    /// Keep only records from this country.
    pub country: Option<String>,
    /// Keep only records dated on or after this day (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Keep only records dated on or before this day (`YYYY-MM-DD`).
    pub to: Option<String>,
    /// Hits per page (default 10, at most [`MAX_LIMIT`]).
    pub limit: usize,
    /// Hits to skip (pagination).
    pub offset: usize,
    /// Relevance (default) or date.
    pub sort: Sort,
    /// Attach to each hit a text that says why it ranks where it does.
    pub explain: bool,
}

/// The largest `limit` a search takes.
pub const MAX_LIMIT: usize = 100;
/// The longest query, in characters, a search takes.
pub const MAX_QUERY_CHARS: usize = 512;

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            q: String::new(),
            lang: None,
            kind: None,
            topic: None,
            country: None,
            from: None,
            to: None,
            limit: 10,
            offset: 0,
            sort: Sort::Relevance,
            explain: false,
        }
    }
}

impl SearchRequest {
    /// A relevance search for `q` with default paging.
    pub fn new(q: impl Into<String>) -> Self {
        SearchRequest {
            q: q.into(),
            ..SearchRequest::default()
        }
    }
}

/// A piece of text with the spans that matched the query.
///
/// Highlights are offsets, never HTML: `[start, end)` counted in Unicode
/// scalar values (chars) of `text`, so a page or widget builds `<mark>`
/// elements from text nodes and nothing from the corpus is parsed as HTML.
/// In JavaScript, `Array.from(text)` indexes the same way.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snippet {
    /// Plain text, as stored (not escaped).
    pub text: String,
    /// Sorted, non-overlapping `[start, end)` char offsets into `text`.
    pub highlights: Vec<[usize; 2]>,
}

/// A page of a document that matched, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageHit {
    /// 1-based page number (`#page=N` in a PDF viewer).
    pub page: u32,
    /// The best passage of that page.
    pub snippet: Snippet,
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hit {
    /// The record id: a Q&A's id, or a document's path relative to the corpus root.
    pub id: String,
    /// `qa` or `document`.
    #[serde(rename = "type")]
    pub kind: RecordKind,
    /// The question or the document's title.
    pub title: String,
    /// The words of `title` that matched the query: sorted, non-overlapping
    /// `[start, end)` char offsets into `title` (as in [`Snippet`]); absent
    /// when none did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub title_highlights: Vec<[usize; 2]>,
    /// The record's language.
    pub language: Lang,
    /// Relevance score (higher is better; comparable within one response only).
    pub score: f32,
    /// Highlighted passages of the body (for a document, of its best page),
    /// best first (at least one: the start of the body when nothing matched
    /// in it). The title is not repeated here: see `title_highlights`.
    pub snippets: Vec<Snippet>,
    /// For paged documents: the pages that matched, best first (the first
    /// page's passage is the hit's `snippets[0]`; the others are shorter).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<PageHit>,
    /// `YYYY-MM-DD`, when the record has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Country, when the record has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Topic slugs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    /// The file the record came from, relative to the corpus root.
    pub source: String,
    /// Why this hit ranks where it does (only with `explain`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<String>,
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResponse {
    /// How many records matched in all (not only this page).
    pub total: u64,
    /// This page of hits, best first.
    pub hits: Vec<Hit>,
    /// Facet counts over all matching records: `type`, `language`, `topic`,
    /// `country`, `year`, each value -> count.
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
    /// The detected language of the query (`und` when it could not be told).
    pub language: Lang,
    /// Time spent in the engine, milliseconds.
    pub took_ms: f64,
}

/// A past question offered as the user types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suggestion {
    /// The Q&A's id.
    pub id: String,
    /// The question.
    pub title: String,
    /// Its language.
    pub language: Lang,
    /// The matched part of the title.
    pub highlights: Vec<[usize; 2]>,
}

/// What an ingest did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngestReport {
    /// Records new to the index.
    pub added: usize,
    /// Records whose content changed.
    pub updated: usize,
    /// Records no longer in the corpus.
    pub removed: usize,
    /// Records left as they were.
    pub unchanged: usize,
    /// Files that could not be read (see `problems`).
    pub failed: usize,
    /// Records of files that had a problem this time, kept as they were in
    /// the index rather than removed.
    #[serde(default)]
    pub kept: usize,
    /// Every problem found, as `path[:line]: message`.
    pub problems: Vec<ingest::Problem>,
    /// Wall time, milliseconds.
    pub took_ms: f64,
}

/// Size and content of the open index.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndexStats {
    /// Records (Q&As and documents).
    pub records: u64,
    /// Tantivy documents (records plus PDF pages).
    pub documents: u64,
    /// Bytes on disk.
    pub size_bytes: u64,
}
