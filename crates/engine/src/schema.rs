//! The tantivy schema: one document per record, one per PDF page, one
//! "blob" per record holding its full JSON.
//!
//! | field | kind | what |
//! |---|---|---|
//! | `kind` | raw, fast | `record`, `page`, `blob` or `words` (a dictionary batch) |
//! | `id` | raw, stored, fast | the record id (a page's and a blob's parent) |
//! | `page` | u64, stored | page number (pages only) |
//! | `type`, `lang`, `topic`, `country` | raw | filters (`country` lowercased) |
//! | `date` | i64 `YYYYMMDD`, indexed, fast | range filter, date sort, tie-break |
//! | `idkey` | u64, fast | the first 8 bytes of the id, big-endian: id order for tie-breaks |
//! | `facets` | facet | `/type/qa`, `/language/fr`, `/topic/uasc`, `/country/..`, `/year/2024` |
//! | `title_{en,fr,es,ar}`, `body_{..}` | text, `cp_xx` tokens, positions | a record's text, in its language's fields |
//! | `title_any`, `body_any` | text, `cp_neutral` tokens, no positions | surface forms: suggestions (title, per record) and typo correction (`body_any`: the words of 4+ chars of a batch of records, on `words` documents) only |
//!
//! Record text fields are analyzed by the ingest (once per record and
//! chain, shared with the glossary tags) and handed to tantivy through the
//! `ab_replay` tokenizer; query code analyzes with `analysis` directly.
//! | `page_{en,fr,es,ar}`, `page_any` | text | a page's text (kept apart so pages do not skew record statistics) |
//! | `concepts`, `concepts_title` | raw, one value per mention | glossary concept ids found in the body / title |
//!
//! Text of undetermined language (`und`) goes into all four language
//! fields, so a query in any language reaches it.
//! | `title_raw`, `body_raw` | stored | the text snippets are cut from (body capped) |
//! | `meta` | stored | small JSON of the hit fields (type, lang, date, country, topics, source) |
//! | `hash` | fast only | the record hash (incremental ingest) |
//! | `source` | fast only | the record's file (kept when that file fails) |
//! | `json` | stored | the whole record (blobs only) |

use crate::index::REPLAY;
use analysis::{analyzer_name, Lang};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};

/// Bumped whenever the schema or what goes into it changes: an index with
/// another version is rebuilt from scratch at open.
pub const SCHEMA_VERSION: u32 = 10;

/// Languages with their own fields, in field-array order.
pub const LANGS: [Lang; 4] = Lang::ALL;

/// Index of `lang` in [`LANGS`] (`None` for `und`).
pub fn lang_slot(lang: Lang) -> Option<usize> {
    LANGS.iter().position(|&l| l == lang)
}

/// Every field, resolved once.
#[derive(Debug, Clone)]
pub struct Fields {
    pub kind: Field,
    pub id: Field,
    pub page: Field,
    pub kind_type: Field,
    pub lang: Field,
    pub topic: Field,
    pub country: Field,
    pub date: Field,
    pub idkey: Field,
    pub facets: Field,
    pub title: [Field; 4],
    pub body: [Field; 4],
    pub title_any: Field,
    pub body_any: Field,
    pub page_text: [Field; 4],
    pub page_any: Field,
    pub concepts: Field,
    pub concepts_title: Field,
    pub title_raw: Field,
    pub body_raw: Field,
    pub meta: Field,
    pub hash: Field,
    pub source: Field,
    pub json: Field,
}

fn text(analyzer: &str) -> TextOptions {
    text_with(analyzer, IndexRecordOption::WithFreqsAndPositions)
}

fn text_with(analyzer: &str, option: IndexRecordOption) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(option),
    )
}

/// Builds the schema.
pub fn build() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field("kind", STRING | FAST);
    b.add_text_field("id", STRING | STORED | FAST);
    b.add_u64_field("page", STORED);
    b.add_text_field("type", STRING | FAST);
    b.add_text_field("lang", STRING);
    b.add_text_field("topic", STRING | FAST);
    b.add_text_field("country", STRING);
    b.add_i64_field("date", INDEXED | FAST);
    b.add_u64_field("idkey", FAST);
    b.add_facet_field("facets", tantivy::schema::FacetOptions::default());
    // Record text is analyzed by the ingest (index.rs, the chains of
    // `analysis`, once per record) and replayed to tantivy.
    for lang in LANGS {
        b.add_text_field(&format!("title_{}", lang.code()), text(REPLAY));
    }
    for lang in LANGS {
        b.add_text_field(&format!("body_{}", lang.code()), text(REPLAY));
    }
    // Surface forms: typo tolerance and suggestions only (no positions).
    b.add_text_field("title_any", text_with(REPLAY, IndexRecordOption::WithFreqs));
    // A dictionary (which words exist, in how many records): no norms.
    b.add_text_field(
        "body_any",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(REPLAY)
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        ),
    );
    for lang in LANGS {
        b.add_text_field(&format!("page_{}", lang.code()), text(analyzer_name(lang)));
    }
    b.add_text_field(
        "page_any",
        text_with(analyzer_name(Lang::Und), IndexRecordOption::Basic),
    );
    // One value per mention: the term frequency is the number of mentions.
    b.add_text_field("concepts", text_with("raw", IndexRecordOption::WithFreqs));
    b.add_text_field(
        "concepts_title",
        text_with("raw", IndexRecordOption::WithFreqs),
    );
    b.add_text_field("title_raw", STORED);
    b.add_text_field("body_raw", STORED);
    b.add_text_field("meta", STORED);
    // Read as fast fields only (incremental ingest): not indexed.
    b.add_text_field("hash", FAST);
    b.add_text_field("source", FAST);
    b.add_text_field("json", STORED);
    b.build()
}

impl Fields {
    /// Resolves every field of `schema` (built by [`build`]).
    pub fn new(schema: &Schema) -> Result<Fields, tantivy::TantivyError> {
        let f = |name: &str| schema.get_field(name);
        let per = |prefix: &str| -> Result<[Field; 4], tantivy::TantivyError> {
            Ok([
                f(&format!("{prefix}_en"))?,
                f(&format!("{prefix}_fr"))?,
                f(&format!("{prefix}_es"))?,
                f(&format!("{prefix}_ar"))?,
            ])
        };
        Ok(Fields {
            kind: f("kind")?,
            id: f("id")?,
            page: f("page")?,
            kind_type: f("type")?,
            lang: f("lang")?,
            topic: f("topic")?,
            country: f("country")?,
            date: f("date")?,
            idkey: f("idkey")?,
            facets: f("facets")?,
            title: per("title")?,
            body: per("body")?,
            title_any: f("title_any")?,
            body_any: f("body_any")?,
            page_text: per("page")?,
            page_any: f("page_any")?,
            concepts: f("concepts")?,
            concepts_title: f("concepts_title")?,
            title_raw: f("title_raw")?,
            body_raw: f("body_raw")?,
            meta: f("meta")?,
            hash: f("hash")?,
            source: f("source")?,
            json: f("json")?,
        })
    }
}

/// Kind values.
pub const KIND_RECORD: &str = "record";
pub const KIND_PAGE: &str = "page";
pub const KIND_BLOB: &str = "blob";
/// A dictionary document: in `body_any`, the surface words (4+ chars) of
/// the records of one ingest batch (2,048 records), each given once per
/// indexing thread. Typo correction reads which words exist from it; how
/// many records hold a word comes from the language fields (`query.rs`).
/// One document per batch instead of a `body_any` value per record cut
/// ingest CPU by a quarter (measured at 100k records: 9.8 -> 7.5 s). The
/// cost: words of removed or changed records stay listed (they find no
/// record, so no correction uses them) until more than a quarter of the
/// records have been removed or changed since the dictionary was last
/// written whole; the ingest then rewrites it from the corpus (the count is
/// kept in the commit payload).
pub const KIND_WORDS: &str = "words";

/// `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`) as `YYYYMMDD`; `None` when malformed.
pub fn date_key(date: &str) -> Option<i64> {
    let date = date.trim();
    let mut parts = date.splitn(3, '-');
    let y: i64 = parse_digits(parts.next()?, 4)?;
    let m: i64 = match parts.next() {
        Some(p) => parse_digits(p, 2)?,
        None => 1,
    };
    let d: i64 = match parts.next() {
        Some(p) => parse_digits(p, 2)?,
        None => 1,
    };
    if !(1..=12).contains(&m) || !(1..=days_in_month(y, m)).contains(&d) {
        return None;
    }
    Some(y * 10_000 + m * 100 + d)
}

fn parse_digits(s: &str, len: usize) -> Option<i64> {
    if s.len() != len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// `YYYYMMDD` back to `YYYY-MM-DD`.
pub fn date_string(key: i64) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        key / 10_000,
        key / 100 % 100,
        key % 100
    )
}

/// The first 8 bytes of `id`, big-endian: sorting by it ascending sorts ids
/// by their first 8 bytes.
pub fn id_key(id: &str) -> u64 {
    let mut bytes = [0u8; 8];
    for (slot, b) in bytes.iter_mut().zip(id.bytes()) {
        *slot = b;
    }
    u64::from_be_bytes(bytes)
}

/// A country as filtered and faceted: trimmed, lowercased.
pub fn country_key(country: &str) -> String {
    country.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date_key("2024-02-29"), Some(20240229));
        assert_eq!(date_key("2023-02-29"), None);
        assert_eq!(date_key("2024-13-01"), None);
        assert_eq!(date_key("2024"), Some(20240101));
        assert_eq!(date_key("24-01-01"), None);
        assert_eq!(date_key("yesterday"), None);
        assert_eq!(date_string(20240229), "2024-02-29");
    }

    #[test]
    fn id_keys_sort_like_ids() {
        assert!(id_key("a") < id_key("b"));
        assert!(id_key("en-001") < id_key("en-002"));
        assert!(id_key("") < id_key("a"));
        let fields = Fields::new(&build()).unwrap();
        assert_ne!(fields.title[0], fields.body[0]);
    }
}
