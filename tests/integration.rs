//! End-to-end tests of the `answerbank` binary (one test executable).
mod browser;
mod common;
mod ingest;
mod relevance;
mod search;
mod server;
