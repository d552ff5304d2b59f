//! Handlers, grouped by what they serve.

pub mod api;
pub mod assets;
pub mod ops;
