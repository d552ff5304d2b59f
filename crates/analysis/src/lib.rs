//! Languages, language detection, per-language tantivy analyzers and the
//! multilingual child-protection glossary.
//!
//! - [`Lang`] and [`detect`]: the four languages (en, fr, es, ar) and `und`.
//! - analyzers: `register(&TokenizerManager)` registers one tantivy analyzer
//!   per language plus a language-neutral one, under the names given by
//!   [`analyzer_name`].
//! - glossary: concepts with their terms and acronyms in the four languages.

mod lang;

pub use lang::{detect, is_arabic_letter, Detection, Lang, UnknownLang};

mod analyzers;

pub use analyzers::{analyze, analyzer, analyzer_name, register};
