//! The Answerbank index: tantivy schema, incremental ingest and multilingual search.
//!
//! [`Engine::open`] opens (or creates) an index folder;
//! [`Engine::ingest_corpus`] / [`Engine::ingest_records`] bring it up to
//! date with a corpus (added, updated, removed by record hash, one commit);
//! [`Engine::search`] answers a [`SearchRequest`] with a [`SearchResponse`];
//! [`Engine::record`], [`Engine::similar`], [`Engine::suggest`] and
//! [`Engine::stats`] complete the API. Errors are [`Error`]s;
//! [`Error::is_user_error`] tells a bad request from a failure.
//!
//! How a query is understood and ranked is described in the `query` module
//! and on [`Engine::search`].

mod api;
mod engine;
mod error;
mod glossary;
mod index;
mod plain_seek;
mod query;
mod schema;
mod search;
mod snippet;
mod syntax;

pub use api::{
    Hit, IndexStats, IngestReport, PageHit, SearchRequest, SearchResponse, Snippet, Sort,
    Suggestion, MAX_LIMIT, MAX_QUERY_CHARS,
};
pub use engine::{Engine, WRITER_MEMORY};
pub use error::Error;
pub use schema::SCHEMA_VERSION;
pub use search::{DOCUMENT_PRIOR, MAX_OFFSET, MIN_PREFIX_CHARS, PAGES_PER_HIT, RELATED_BELOW};

#[cfg(test)]
mod tests;

#[cfg(test)]
mod perf;
