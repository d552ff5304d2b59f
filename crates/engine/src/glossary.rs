//! The bridge to the multilingual glossary of `analysis` at index time
//! (query-time expansion lives in `query`).

use analysis::{Glossary, Lang};

/// The distinct glossary concept ids found in a record's title and body.
pub fn concepts(lang: Lang, title: &str, body: &str) -> Vec<String> {
    let glossary = Glossary::builtin();
    let mut out: Vec<String> = Vec::new();
    for text in [title, body] {
        for m in glossary.concepts_in(lang, text) {
            if !out.iter().any(|c| c == m.concept_id) {
                out.push(m.concept_id.to_string());
            }
        }
    }
    out
}

/// The glossary concept ids mentioned in `text`, once per mention.
pub fn mentions(lang: Lang, text: &str) -> Vec<&'static str> {
    Glossary::builtin()
        .concepts_in(lang, text)
        .into_iter()
        .map(|m| m.concept_id)
        .collect()
}
