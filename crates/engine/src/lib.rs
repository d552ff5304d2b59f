//! The Answerbank index: tantivy schema, incremental ingest and multilingual search.

mod api;

pub use api::{
    Hit, IndexStats, IngestReport, PageHit, SearchRequest, SearchResponse, Snippet, Sort,
    Suggestion, MAX_LIMIT, MAX_QUERY_CHARS,
};
