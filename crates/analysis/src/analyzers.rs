//! Per-language tantivy analyzers (first cut: tantivy's built-in filters;
//! the Arabic normalizer, elision and stop lists come next).

use crate::Lang;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, TokenizerManager,
};

/// The tokenizer name a field of `lang` is indexed with (`Und` gets the
/// language-neutral chain).
pub fn analyzer_name(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "cp_en",
        Lang::Fr => "cp_fr",
        Lang::Es => "cp_es",
        Lang::Ar => "cp_ar",
        Lang::Und => "cp_neutral",
    }
}

/// Builds the analyzer of `lang`.
pub fn analyzer(lang: Lang) -> TextAnalyzer {
    let base = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser);
    match lang {
        Lang::En => base.filter(Stemmer::new(Language::English)).build(),
        Lang::Fr => base
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(Language::French))
            .build(),
        Lang::Es => base
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(Language::Spanish))
            .build(),
        Lang::Ar => base.filter(Stemmer::new(Language::Arabic)).build(),
        Lang::Und => base.filter(AsciiFoldingFilter).build(),
    }
}

/// Registers every analyzer under its [`analyzer_name`]. Call it each time
/// an index is opened: tantivy keeps only the names in the schema.
pub fn register(manager: &TokenizerManager) {
    for lang in [Lang::En, Lang::Fr, Lang::Es, Lang::Ar, Lang::Und] {
        manager.register(analyzer_name(lang), analyzer(lang));
    }
}

/// The token texts `lang`'s analyzer makes of `text`.
pub fn analyze(lang: Lang, text: &str) -> Vec<String> {
    let mut analyzer = analyzer(lang);
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}
