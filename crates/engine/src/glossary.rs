//! The bridge to the multilingual glossary of `analysis` (expansions at
//! query time, concept ids at index time).

/// Other surface forms (other languages, acronym <-> long form) of the
/// glossary concepts `text` names.
pub fn expand(_text: &str) -> Vec<String> {
    Vec::new()
}

/// The glossary concept ids found in a record's text.
pub fn concepts(_lang: analysis::Lang, _title: &str, _body: &str) -> Vec<String> {
    Vec::new()
}
