//! End-to-end tests of the `answerbank` binary (one test executable).
mod ingest;
mod server;
