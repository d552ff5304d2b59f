//! End-to-end tests of the `answerbank` binary (one test executable).
mod common;
mod ingest;
mod relevance;
mod server;
mod search;
mod browser;
