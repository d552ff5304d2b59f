//! Languages, language detection, per-language tantivy analyzers and the
//! multilingual child-protection glossary.
//!
//! - [`Lang`] and [`detect`]: the four languages (en, fr, es, ar) and `und`.
//! - analyzers: [`register`] registers one tantivy analyzer per language
//!   plus a language-neutral one, under the names given by [`analyzer_name`]
//!   (`cp_en`, `cp_fr`, `cp_es`, `cp_ar`, `cp_neutral`); [`analyze`] runs one
//!   on a string. The chains are described in the `analyzers` module
//!   documentation (and on [`analyzer`]).
//! - Arabic: [`normalize_arabic`], [`light_stem`] and [`singular_stem`]
//!   (broken plurals), also usable on their own.
//! - [`Glossary`]: child-protection concepts with their terms and acronyms
//!   in the four languages; [`Glossary::concepts_in`] tags documents,
//!   [`Glossary::expand`] expands queries across languages and acronyms.
//!
//! ```
//! use answerbank_analysis::{analyze, Lang};
//! assert_eq!(analyze(Lang::Ar, "الأطفالُ"), analyze(Lang::Ar, "الاطفال"));
//! assert_eq!(analyze(Lang::Fr, "l’enfance"), analyze(Lang::Fr, "l'enfance"));
//! ```

mod analyzers;
mod arabic;
mod arabic_plurals;
mod filters;
mod glossary;
mod lang;
mod stopwords;
mod tokenizer;

pub use analyzers::{analyze, analyze_tokens, analyzer, analyzer_name, register};
pub use arabic::{light_stem, normalize_arabic};
pub use arabic_plurals::singular_stem;
pub use glossary::{
    is_acronym, Concept, ConceptMatch, Expansion, Form, Glossary, GlossaryError, BUILTIN_LEXICON,
    BUILTIN_TSV,
};
pub use lang::{detect, is_arabic_letter, Detection, Lang, UnknownLang};
pub use tokenizer::{CpTokenStream, CpTokenizer, MAX_TOKEN_BYTES};
