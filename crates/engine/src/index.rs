//! Incremental, atomic ingest: compare record hashes with the index, write
//! what changed, commit once.

use crate::engine::{map_writer_err, Engine, WRITER_MEMORY};
use crate::error::Error;
use crate::schema::{
    country_key, date_key, id_key, lang_slot, Fields, KIND_BLOB, KIND_PAGE, KIND_RECORD, KIND_WORDS,
};
use crate::IngestReport;
use analysis::{CpTokenizer, Glossary, Lang};
use ingest::{IngestOptions, Problem, Progress, Record};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

/// Records decided and built per chunk of an ingest.
const PREPARE_CHUNK: usize = 2048;
use tantivy::schema::Facet;
use tantivy::{IndexWriter, TantivyDocument, Term};

/// The typo dictionary is written whole again when more than
/// 1/`STALE_SHARE` of the records were removed or changed since it last was.
const STALE_SHARE: u64 = 4;

/// The longest body kept for a record's snippets (chars); the whole text
/// is indexed. Pages have their own snippets.
pub const STORED_BODY_CHARS: usize = 6_000;
/// The longest page text kept for page snippets (chars).
pub const STORED_PAGE_CHARS: usize = 20_000;

/// The small stored fields a hit shows, as JSON in `meta`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Meta {
    #[serde(rename = "t")]
    pub kind: Option<ingest::RecordKind>,
    #[serde(rename = "l")]
    pub lang: Option<analysis::Lang>,
    #[serde(rename = "d", default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(rename = "k", default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    #[serde(rename = "s", default)]
    pub source: String,
    /// Whether the record has page documents.
    #[serde(rename = "p", default)]
    pub paged: bool,
}

fn truncate(text: &str, max_chars: usize) -> &str {
    if text.len() <= max_chars {
        // No more chars than bytes.
        return text;
    }
    match text.char_indices().nth(max_chars) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// What the index holds for a record id.
struct Existing {
    hash: String,
    source: String,
}

impl Engine {
    /// Reads a corpus with `ingest::ingest` and brings the index up to date
    /// with it (see [`Engine::ingest_records`]). `progress` is called after
    /// each file read, then while records are indexed.
    pub fn ingest_corpus(
        &self,
        root: &Path,
        opts: &IngestOptions,
        progress: &(dyn Fn(&Progress) + Sync),
    ) -> Result<IngestReport, Error> {
        let start = Instant::now();
        let ingested = ingest::ingest(root, opts, progress)?;
        let mut report = self.apply(
            ingested.records,
            ingested.problems,
            Some(ingested.failed_files),
            progress,
        )?;
        report.took_ms = start.elapsed().as_secs_f64() * 1e3;
        Ok(report)
    }

    /// Brings the index up to date with `records` (the whole corpus):
    /// records new to the index are added, those whose hash changed are
    /// replaced, those absent are removed (except the records of a file
    /// that has a problem this time: they are kept as they were), in one
    /// commit. On error nothing is committed and the index stays as it was.
    pub fn ingest_records(
        &self,
        records: Vec<Record>,
        problems: Vec<Problem>,
        progress: &(dyn Fn(&Progress) + Sync),
    ) -> Result<IngestReport, Error> {
        let start = Instant::now();
        let mut report = self.apply(records, problems, None, progress)?;
        report.took_ms = start.elapsed().as_secs_f64() * 1e3;
        Ok(report)
    }

    fn existing(&self) -> Result<HashMap<String, Existing>, Error> {
        let searcher = self.reader.searcher();
        let mut out = HashMap::new();
        for segment in searcher.segment_readers() {
            let ff = segment.fast_fields();
            let (Some(kinds), Some(ids), Some(hashes), Some(sources)) = (
                ff.str("kind")?,
                ff.str("id")?,
                ff.str("hash")?,
                ff.str("source")?,
            ) else {
                continue;
            };
            // The ordinal of "record" in this segment's kind dictionary.
            let record_ord = kinds
                .dictionary()
                .term_ord(KIND_RECORD.as_bytes())
                .map_err(|e| Error::Tantivy(e.into()))?;
            let Some(record_ord) = record_ord else {
                continue;
            };
            // Each dictionary once, in ordinal order (looking terms up one
            // by one costs a block decode each).
            let terms = |col: &tantivy::columnar::StrColumn| -> Result<Vec<String>, Error> {
                let mut stream = col
                    .dictionary()
                    .stream()
                    .map_err(|e| Error::Tantivy(e.into()))?;
                let mut all = Vec::new();
                while stream.advance() {
                    all.push(String::from_utf8_lossy(stream.key()).into_owned());
                }
                Ok(all)
            };
            let (id_terms, hash_terms, source_terms) =
                (terms(&ids)?, terms(&hashes)?, terms(&sources)?);
            let get = |col: &tantivy::columnar::StrColumn, all: &[String], doc| -> Option<String> {
                let ord = col.term_ords(doc).next()?;
                all.get(usize::try_from(ord).ok()?).cloned()
            };
            for doc in segment.doc_ids_alive() {
                if kinds.term_ords(doc).next() != Some(record_ord) {
                    continue;
                }
                let Some(id) = get(&ids, &id_terms, doc) else {
                    continue;
                };
                out.insert(
                    id,
                    Existing {
                        hash: get(&hashes, &hash_terms, doc).unwrap_or_default(),
                        source: get(&sources, &source_terms, doc).unwrap_or_default(),
                    },
                );
            }
        }
        Ok(out)
    }

    fn apply(
        &self,
        records: Vec<Record>,
        mut problems: Vec<Problem>,
        failed_files: Option<usize>,
        progress: &(dyn Fn(&Progress) + Sync),
    ) -> Result<IngestReport, Error> {
        let _guard = self
            .write_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.reader.reload()?;
        let existing = self.existing()?;
        let stale_before = self.stale_records();
        let mut writer: IndexWriter<TantivyDocument> =
            self.index.writer(WRITER_MEMORY).map_err(map_writer_err)?;
        let mut report = IngestReport::default();
        let problem_paths: HashSet<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        let sources: HashSet<&str> = records.iter().map(|r| r.source.as_str()).collect();
        let failed_paths: Vec<String> = problem_paths
            .iter()
            .filter(|p| !sources.contains(*p))
            .map(|p| p.to_string())
            .collect();
        report.failed = failed_files.unwrap_or(failed_paths.len());

        let total = records.len();
        let mut seen: HashSet<String> = HashSet::with_capacity(total);
        let mut duplicates = Vec::new();
        let result = (|| -> Result<(), Error> {
            let mut later: Vec<TantivyDocument> = Vec::new();
            // Records are decided one by one (duplicates, unchanged), then
            // the documents of those to write are built in parallel: their
            // analysis for glossary tags and their JSON are the serial part
            // of an ingest (profiled: about half of the CPU time), while
            // tantivy's own indexing threads take the rest.
            for (chunk_no, chunk) in records.chunks(PREPARE_CHUNK).enumerate() {
                let mut to_write: Vec<(&Record, String, bool)> = Vec::new();
                for record in chunk {
                    if !seen.insert(record.id.clone()) {
                        duplicates.push(Problem {
                            path: record.source.clone(),
                            line: None,
                            message: format!("duplicate id {:?}: kept the first", record.id),
                        });
                        continue;
                    }
                    let hash = if record.hash.is_empty() {
                        ingest::record_hash(record)
                    } else {
                        record.hash.clone()
                    };
                    match existing.get(&record.id) {
                        Some(old) if old.hash == hash => report.unchanged += 1,
                        Some(_) => {
                            report.updated += 1;
                            to_write.push((record, hash, true));
                        }
                        None => {
                            report.added += 1;
                            to_write.push((record, hash, false));
                        }
                    }
                }
                let batch = next_batch();
                let built: Vec<Built> = to_write
                    .par_iter()
                    .map(|(record, hash, _)| record_docs(&self.fields, record, hash, batch))
                    .collect();
                let mut words = String::new();
                for ((record, _, update), built) in to_write.iter().zip(built) {
                    if *update {
                        writer.delete_term(Term::from_field_text(self.fields.id, &record.id));
                    }
                    writer.add_document(built.record)?;
                    later.extend(built.later);
                    append_next(&mut words, &built.words);
                }
                add_dictionary(&mut writer, &self.fields, words)?;
                if later.len() >= 512 {
                    for doc in later.drain(..) {
                        writer.add_document(doc)?;
                    }
                }
                let done = (chunk_no * PREPARE_CHUNK + chunk.len()).min(total);
                if let Some(last) = chunk.last() {
                    progress(&Progress {
                        done,
                        total,
                        path: last.source.clone(),
                    });
                }
            }
            for doc in later {
                writer.add_document(doc)?;
            }
            for (id, old) in &existing {
                if seen.contains(id) {
                    continue;
                }
                if problem_paths.contains(old.source.as_str()) {
                    report.kept += 1;
                    continue;
                }
                writer.delete_term(Term::from_field_text(self.fields.id, id));
                report.removed += 1;
            }
            if report.added + report.updated + report.removed == 0 {
                // Nothing to write: keep the last commit as it is.
                return Ok(());
            }
            let mut stale = stale_before + (report.updated + report.removed) as u64;
            let live = (report.added + report.updated + report.unchanged + report.kept) as u64;
            // Records kept from failed files are not in `records`: their
            // words wait for an ingest that reads them.
            if stale * STALE_SHARE > live && report.kept == 0 {
                self.rewrite_dictionary(&mut writer, &records)?;
                stale = 0;
            }
            Engine::commit(&mut writer, stale)
        })();
        if let Err(err) = result {
            let _ = writer.rollback();
            return Err(err);
        }
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        problems.extend(duplicates);
        report.problems = problems;
        tracing::info!(
            added = report.added,
            updated = report.updated,
            removed = report.removed,
            unchanged = report.unchanged,
            kept = report.kept,
            failed = report.failed,
            "ingest committed"
        );
        Ok(report)
    }
}

/// The language fields text of `lang` goes into: its own, or all four for
/// `und` (so a query in any language reaches it).
fn slots(lang: analysis::Lang) -> Vec<usize> {
    match lang_slot(lang) {
        Some(slot) => vec![slot],
        None => (0..crate::schema::LANGS.len()).collect(),
    }
}

fn facet(root: &str, value: &str) -> Facet {
    Facet::from_path([root, value])
}

impl Engine {
    /// Replaces every dictionary document with ones made from `records`
    /// (the whole corpus of this ingest; the first of duplicate ids), so
    /// words of removed and changed records leave it. The deletion also
    /// takes the dictionary documents this ingest added before it.
    fn rewrite_dictionary(
        &self,
        writer: &mut IndexWriter<TantivyDocument>,
        records: &[Record],
    ) -> Result<(), Error> {
        writer.delete_term(Term::from_field_text(self.fields.kind, KIND_WORDS));
        let mut taken: HashSet<&str> = HashSet::with_capacity(records.len());
        let firsts: Vec<&Record> = records
            .iter()
            .filter(|r| taken.insert(r.id.as_str()))
            .collect();
        for chunk in firsts.chunks(PREPARE_CHUNK) {
            let batch = next_batch();
            let words: Vec<String> = chunk
                .par_iter()
                .map(|r| dictionary_words(r, batch))
                .collect();
            let mut all = String::new();
            for w in &words {
                append_next(&mut all, w);
            }
            add_dictionary(writer, &self.fields, all)?;
        }
        Ok(())
    }
}

/// Adds a dictionary document holding `words` (replay-encoded), if any.
fn add_dictionary(
    writer: &mut IndexWriter<TantivyDocument>,
    f: &Fields,
    words: String,
) -> Result<(), Error> {
    if !words.is_empty() {
        let mut doc = TantivyDocument::default();
        doc.add_text(f.kind, KIND_WORDS);
        doc.add_text(f.body_any, words);
        writer.add_document(doc)?;
    }
    Ok(())
}

/// What one record adds to the index.
struct Built {
    /// The record's own document.
    record: TantivyDocument,
    /// Its pages' documents and its stored JSON: written in batches after
    /// their records, they keep record documents together in the doc
    /// store, so fetching a hit decompresses little else.
    later: Vec<TantivyDocument>,
    /// Its words for the batch's dictionary document (see [`KIND_WORDS`]),
    /// replay-encoded: those this thread has not given yet in this batch.
    words: String,
}

/// A new dictionary batch number (see [`Memo::distinct`]).
fn next_batch() -> u32 {
    static BATCH: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    BATCH.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1
}

/// The tantivy documents of one record, built on a worker thread.
fn record_docs(f: &Fields, r: &Record, hash: &str, batch: u32) -> Built {
    let mut later = Vec::with_capacity(r.pages.len() + 1);
    let mut doc = TantivyDocument::default();
    doc.add_text(f.kind, KIND_RECORD);
    doc.add_text(f.id, &r.id);
    doc.add_u64(f.idkey, id_key(&r.id));
    doc.add_text(f.kind_type, r.kind.as_str());
    doc.add_text(f.lang, r.language.code());
    doc.add_facet(f.facets, facet("type", r.kind.as_str()));
    doc.add_facet(f.facets, facet("language", r.language.code()));
    let mut topics: Vec<String> = Vec::new();
    for topic in &r.topics {
        let t = topic.trim().to_lowercase();
        if !t.is_empty() && !topics.contains(&t) {
            doc.add_text(f.topic, &t);
            doc.add_facet(f.facets, facet("topic", &t));
            topics.push(t);
        }
    }
    let country = r
        .country
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(c) = country {
        doc.add_text(f.country, country_key(c));
        doc.add_facet(f.facets, facet("country", c));
    }
    let date = r.date.as_deref().and_then(date_key);
    if let Some(d) = date {
        doc.add_i64(f.date, d);
        doc.add_facet(f.facets, facet("year", &(d / 10_000).to_string()));
    }
    let analyzed = Analyzed::new(r, batch);
    check_tags(r, &analyzed);
    for (i, slot) in slots(r.language).into_iter().enumerate() {
        doc.add_text(f.title[slot], &analyzed.title[i]);
        doc.add_text(f.body[slot], &analyzed.body[i]);
    }
    doc.add_text(f.title_any, &analyzed.title_any);
    for concept in analyzed.concepts_title {
        doc.add_text(f.concepts_title, concept);
    }
    for concept in analyzed.concepts {
        doc.add_text(f.concepts, concept);
    }
    // A bilingual document is also searchable with the chain of each
    // language its pages are written in.
    for (slot, text, concepts) in &analyzed.other_languages {
        doc.add_text(f.body[*slot], text);
        for concept in concepts {
            doc.add_text(f.concepts, *concept);
        }
    }
    doc.add_text(f.title_raw, &r.title);
    let body_raw = truncate(&r.body, STORED_BODY_CHARS);
    let whole_body = body_raw.len() == r.body.len();
    doc.add_text(f.body_raw, body_raw);
    let meta = Meta {
        kind: Some(r.kind),
        lang: Some(r.language),
        date: date.map(crate::schema::date_string),
        country: country.map(str::to_string),
        topics: r.topics.clone(),
        source: r.source.clone(),
        paged: !r.pages.is_empty(),
    };
    doc.add_text(f.meta, serde_json::to_string(&meta).unwrap_or_default());
    doc.add_text(f.hash, hash);
    doc.add_text(f.source, &r.source);
    let record_doc = doc;

    for page in &r.pages {
        if page.text.trim().is_empty() {
            continue;
        }
        let mut doc = TantivyDocument::default();
        doc.add_text(f.kind, KIND_PAGE);
        doc.add_text(f.id, &r.id);
        doc.add_u64(f.page, u64::from(page.number));
        for slot in slots(page.language) {
            doc.add_text(f.page_text[slot], &page.text);
        }
        doc.add_text(f.page_any, &page.text);
        doc.add_text(f.body_raw, truncate(&page.text, STORED_PAGE_CHARS));
        let meta = Meta {
            lang: Some(page.language),
            ..Meta::default()
        };
        doc.add_text(f.meta, serde_json::to_string(&meta).unwrap_or_default());
        later.push(doc);
    }

    let mut stored = r.clone();
    stored.hash = hash.to_string();
    if whole_body {
        // Stored once: `body_raw` holds it all (see `Engine::record`).
        stored.body = String::new();
    }
    let json = serde_json::to_string(&stored).unwrap_or_default();
    let mut blob = TantivyDocument::default();
    blob.add_text(f.kind, KIND_BLOB);
    blob.add_text(f.id, &r.id);
    blob.add_text(f.json, json);
    later.push(blob);
    Built {
        record: record_doc,
        later,
        words: analyzed.words,
    }
}

// ---------------------------------------------------------------------
// Analysis done once per record.
//
// A record's title and body are analyzed here, on the ingest's worker
// threads, once per chain (its language's, and the neutral one): the
// same tokens feed the glossary tags and, through the `ab_replay`
// tokenizer, tantivy's fields, which would otherwise run the chains again.
// Each chain's output for a word depends on the word alone (the steps
// after the tokenizer rewrite one token at a time), so a per-thread memo
// maps each word the tokenizer emits to what the chain makes of it: most
// words of a corpus are repeats, and a lookup costs far less than the
// chain (Snowball, stop lists, folding).

/// Tokenizer name of the fields whose tokens [`Analyzed`] makes.
pub const REPLAY: &str = "ab_replay";
/// In a replayed text: the next token is at the next position.
const NEXT: char = '\u{1}';
/// In a replayed text: the next token is at the same position.
const SAME: char = '\u{2}';

/// `text` analyzed with `lang`'s chain, as a replayed field's value (one
/// position per token; for queries that analyze a field value themselves,
/// like more-like-this).
pub(crate) fn replay_text(lang: Lang, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for token in analysis::analyze(lang, text) {
        append_next(&mut out, &token);
    }
    out
}

/// Appends `tokens` (replay-encoded) to `out` at the next position.
fn append_next(out: &mut String, tokens: &str) {
    if tokens.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push(NEXT);
    }
    out.push_str(tokens);
}

/// The tokenizer of replayed fields: reads the tokens (and positions)
/// written by [`encode`] back.
#[derive(Clone, Default)]
pub struct ReplayTokenizer {
    token: Token,
}

/// The stream of [`ReplayTokenizer`].
pub struct ReplayStream<'a> {
    text: &'a str,
    cursor: usize,
    position: usize,
    token: &'a mut Token,
}

impl Tokenizer for ReplayTokenizer {
    type TokenStream<'a> = ReplayStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ReplayStream<'a> {
        self.token.reset();
        ReplayStream {
            text,
            cursor: 0,
            position: 0,
            token: &mut self.token,
        }
    }
}

impl TokenStream for ReplayStream<'_> {
    fn advance(&mut self) -> bool {
        let bytes = self.text.as_bytes();
        while self.cursor < bytes.len() {
            let start = self.cursor;
            let end = bytes[start..]
                .iter()
                .position(|&b| b == NEXT as u8 || b == SAME as u8)
                .map_or(bytes.len(), |i| start + i);
            let position = self.position;
            self.cursor = end + 1;
            if bytes.get(end) == Some(&(NEXT as u8)) {
                self.position += 1;
            }
            if end > start {
                self.token.text.clear();
                self.token.text.push_str(&self.text[start..end]);
                self.token.position = position;
                self.token.offset_from = start;
                self.token.offset_to = end;
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// One token of a text under one chain: the id of its text in the memo,
/// its position and its offsets in the text.
#[derive(Clone, Copy, Debug)]
struct Tok {
    id: u32,
    position: u32,
    from: usize,
    to: usize,
}

/// A chain's output for a word: the id of the token text, or one of these.
const UNKNOWN: u32 = u32::MAX;
const DROPPED: u32 = u32::MAX - 1;
/// The word does not come back whole from the tokenizer alone: texts
/// holding it are analyzed as a whole.
const UNSURE: u32 = u32::MAX - 2;

#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn finish(&self) -> u64 {
        // splitmix64's finalizer: every input bit reaches the low bits (the
        // bucket) and the high ones (the tag); without it words sharing
        // their first letters pile up in a few buckets.
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

type Fx = std::hash::BuildHasherDefault<FxHasher>;

/// Words remembered per thread before the memo starts over.
const MEMO_WORDS: usize = 1_000_000;

/// Chains in memo order: the four languages, then the neutral one.
const CHAINS: [Lang; 5] = [Lang::En, Lang::Fr, Lang::Es, Lang::Ar, Lang::Und];

fn chain_slot(lang: Lang) -> usize {
    CHAINS.iter().position(|&l| l == lang).unwrap_or(4)
}

/// The shortest word `body_any` keeps (chars). `body_any` is read by typo
/// correction only (`query.rs`): a word shorter than
/// [`crate::query::FUZZY_CHARS`] is never looked up, and a correction is
/// at most one char shorter than the word it corrects (two edits only from
/// nine chars), so shorter words (`the`, `de`, `في`: a third of a record's
/// distinct words) are never read. (Lowering `FUZZY_CHARS` needs a new
/// `SCHEMA_VERSION`, so indexes get the shorter words.)
const DICTIONARY_CHARS: usize = crate::query::FUZZY_CHARS - 1;
const _: () = assert!(crate::query::FUZZY2_CHARS - 2 >= DICTIONARY_CHARS);

/// Words up to this many bytes are kept inline in the memo's table (no
/// pointer to follow on a lookup): most words of the four languages.
const SHORT_WORD: usize = 16;

/// What every chain (in [`CHAINS`] order) makes of each word: short words
/// keyed by their zero-padded bytes, others by their text.
#[derive(Default)]
struct Words {
    short: HashMap<[u8; SHORT_WORD], [u32; 5], Fx>,
    long: HashMap<Box<str>, [u32; 5], Fx>,
}

impl Words {
    fn len(&self) -> usize {
        self.short.len() + self.long.len()
    }

    fn clear(&mut self) {
        self.short.clear();
        self.long.clear();
    }

    fn get_or_insert(&mut self, word: &str) -> &mut [u32; 5] {
        let bytes = word.as_bytes();
        // Zero padding is unambiguous for words without a NUL.
        if bytes.len() <= SHORT_WORD && !bytes.contains(&0) {
            let mut key = [0u8; SHORT_WORD];
            key[..bytes.len()].copy_from_slice(bytes);
            return self.short.entry(key).or_insert([UNKNOWN; 5]);
        }
        if !self.long.contains_key(word) {
            self.long.insert(word.into(), [UNKNOWN; 5]);
        }
        self.long.get_mut(word).expect("just inserted")
    }
}

/// One thread's analyzers and word memo.
struct Memo {
    tokenizer: CpTokenizer,
    probe: CpTokenizer,
    analyzers: Vec<TextAnalyzer>,
    /// Each word the tokenizer emitted: what every chain (in [`CHAINS`]
    /// order) makes of it.
    words: Words,
    /// Token texts by id; equal texts share one id.
    texts: Vec<Box<str>>,
    ids: HashMap<Box<str>, u32, Fx>,
    /// Per text id, the stamp of the last dictionary batch that took it
    /// (see [`Memo::distinct`]).
    stamps: Vec<u32>,
    stamp: u32,
    /// The dictionary batch `stamp` stands for.
    batch: u32,
    /// Per text id, whether it is long enough for `body_any` (see
    /// [`DICTIONARY_CHARS`]); [`LENGTH_UNKNOWN`] until first asked.
    dictionary: Vec<u8>,
}

/// [`Memo::dictionary`] values.
const LENGTH_UNKNOWN: u8 = 0;
const LENGTH_KEPT: u8 = 1;
const LENGTH_SHORT: u8 = 2;

thread_local! {
    static MEMO: RefCell<Option<Memo>> = const { RefCell::new(None) };
}

impl Memo {
    fn new() -> Memo {
        Memo {
            tokenizer: CpTokenizer::default(),
            probe: CpTokenizer::default(),
            analyzers: CHAINS.iter().map(|&l| analysis::analyzer(l)).collect(),
            words: Words::default(),
            texts: Vec::new(),
            ids: HashMap::default(),
            stamps: Vec::new(),
            stamp: 0,
            batch: 0,
            dictionary: Vec::new(),
        }
    }

    /// Forgets everything when full (between records: ids stay valid
    /// while a record is built).
    fn trim(&mut self) {
        if self.words.len() > MEMO_WORDS {
            self.words.clear();
            self.texts.clear();
            self.ids.clear();
            self.stamps.clear();
            self.dictionary.clear();
        }
    }

    fn text(&self, id: u32) -> &str {
        &self.texts[id as usize]
    }

    fn intern(texts: &mut Vec<Box<str>>, ids: &mut HashMap<Box<str>, u32, Fx>, s: &str) -> u32 {
        if let Some(&id) = ids.get(s) {
            return id;
        }
        let id = texts.len() as u32;
        texts.push(s.into());
        ids.insert(s.into(), id);
        id
    }

    /// `text` under each chain of `langs`, one tokenizer pass: `out[i]`
    /// gets `langs[i]`'s tokens, exactly as `analysis::analyze_tokens`
    /// makes them.
    fn analyze(&mut self, text: &str, langs: &[Lang]) -> Vec<Vec<Tok>> {
        let mut out = vec![Vec::with_capacity(text.len() / 6); langs.len()];
        let mut unsure = [false; 5];
        let Memo {
            tokenizer,
            probe,
            analyzers,
            words,
            texts,
            ids,
            ..
        } = self;
        let mut stream = tokenizer.token_stream(text);
        while stream.advance() {
            let t = stream.token();
            let known = words.get_or_insert(&t.text);
            for (i, &lang) in langs.iter().enumerate() {
                let slot = chain_slot(lang);
                if known[slot] == UNKNOWN {
                    known[slot] = match learn(&mut analyzers[slot], probe, &t.text) {
                        Learned::Dropped => DROPPED,
                        Learned::Unsure => UNSURE,
                        Learned::Kept(s) => Memo::intern(texts, ids, &s),
                    };
                }
                match known[slot] {
                    DROPPED => {}
                    UNSURE => unsure[i] = true,
                    id => out[i].push(Tok {
                        id,
                        position: t.position as u32,
                        from: t.offset_from,
                        to: t.offset_to,
                    }),
                }
            }
        }
        for (i, &lang) in langs.iter().enumerate() {
            if unsure[i] {
                out[i].clear();
                let mut stream = analyzers[chain_slot(lang)].token_stream(text);
                while stream.advance() {
                    let t = stream.token();
                    out[i].push(Tok {
                        id: Memo::intern(texts, ids, &t.text),
                        position: t.position as u32,
                        from: t.offset_from,
                        to: t.offset_to,
                    });
                }
            }
        }
        out
    }

    /// `tokens` for [`ReplayTokenizer`].
    fn encode(&self, tokens: &[Tok]) -> String {
        let mut out = String::with_capacity(
            tokens
                .iter()
                .map(|t| self.text(t.id).len() + 1)
                .sum::<usize>(),
        );
        let mut at = 0;
        let mut taken = false;
        for t in tokens {
            if t.position > at {
                out.extend(std::iter::repeat_n(NEXT, (t.position - at) as usize));
                at = t.position;
            } else if taken {
                out.push(SAME);
            }
            out.push_str(self.text(t.id));
            taken = true;
        }
        out
    }

    /// The token texts of `tokens` this thread has not given yet in
    /// dictionary `batch`, one position each, for [`ReplayTokenizer`],
    /// leaving out words shorter than [`DICTIONARY_CHARS`].
    fn distinct<'t>(
        &mut self,
        tokens: impl Iterator<Item = &'t Tok>,
        capacity: usize,
        batch: u32,
    ) -> String {
        if batch != self.batch {
            self.batch = batch;
            self.stamp = self.stamp.wrapping_add(1);
            if self.stamp == 0 {
                self.stamps.iter_mut().for_each(|s| *s = 0);
                self.stamp = 1;
            }
        }
        self.stamps.resize(self.texts.len(), 0);
        self.dictionary.resize(self.texts.len(), LENGTH_UNKNOWN);
        let mut out = String::with_capacity(capacity);
        for t in tokens {
            let seen = &mut self.stamps[t.id as usize];
            if *seen != self.stamp {
                *seen = self.stamp;
                let text = &self.texts[t.id as usize];
                let length = &mut self.dictionary[t.id as usize];
                if *length == LENGTH_UNKNOWN {
                    // Counting chars is the costly part: once per text.
                    let long = text.len() >= 4 * DICTIONARY_CHARS
                        || (text.len() >= DICTIONARY_CHARS
                            && text.chars().count() >= DICTIONARY_CHARS);
                    *length = if long { LENGTH_KEPT } else { LENGTH_SHORT };
                }
                if *length == LENGTH_SHORT {
                    continue;
                }
                append_next(&mut out, text);
            }
        }
        out
    }

    /// The glossary concepts a text mentions, once per mention, from its
    /// tokens under `lang`'s chain.
    fn mentions(&self, lang: Lang, text: &str, tokens: &[Tok]) -> Vec<&'static str> {
        Glossary::builtin()
            .concepts_in_tokens(
                lang,
                text,
                tokens
                    .iter()
                    .map(|t| (self.text(t.id), t.from, t.to, t.position as usize)),
            )
            .into_iter()
            .map(|m| m.concept_id)
            .collect()
    }
}

/// What a chain makes of one word.
enum Learned {
    Dropped,
    Kept(String),
    Unsure,
}

/// What `analyzer` makes of `word`, a token text of the tokenizer. The
/// tokenizer alone must give `word` back whole as its first token; it may
/// add others at the same position (`CPIMS+` gives `CPIMS+`, then `CPIMS`),
/// each of which the chain rewrites or drops on its own, in order: the
/// first output is `word`'s when none is dropped (or all are).
fn learn(analyzer: &mut TextAnalyzer, probe: &mut CpTokenizer, word: &str) -> Learned {
    let mut alone = probe.token_stream(word);
    let mut count = 0;
    while alone.advance() {
        let t = alone.token();
        let fine = t.position == 0
            && (count > 0 || (t.text == word && t.offset_from == 0 && t.offset_to == word.len()));
        if !fine {
            return Learned::Unsure;
        }
        count += 1;
    }
    let mut outputs: Vec<String> = Vec::with_capacity(count);
    let mut stream = analyzer.token_stream(word);
    while stream.advance() {
        let t = stream.token();
        if t.position != 0 || t.text.is_empty() || t.text.contains([NEXT, SAME]) {
            return Learned::Unsure;
        }
        outputs.push(t.text.clone());
    }
    match outputs.len() {
        _ if count == 0 => Learned::Unsure,
        0 => Learned::Dropped,
        n if n == count => Learned::Kept(outputs.swap_remove(0)),
        _ => Learned::Unsure,
    }
}

/// Runs `f` with this thread's memo.
fn with_memo<T>(f: impl FnOnce(&mut Memo) -> T) -> T {
    MEMO.with(|memo| match memo.try_borrow_mut() {
        Ok(mut memo) => {
            let memo = memo.get_or_insert_with(Memo::new);
            memo.trim();
            f(memo)
        }
        Err(_) => f(&mut Memo::new()),
    })
}

/// A record's text fields, analyzed once.
struct Analyzed {
    /// Per language field (as [`slots`]): title and body, replay-encoded.
    title: Vec<String>,
    body: Vec<String>,
    /// Neutral chain, replay-encoded.
    title_any: String,
    /// The neutral words of title and body not given yet in this batch by
    /// this thread (for the batch's dictionary document).
    words: String,
    concepts_title: Vec<&'static str>,
    concepts: Vec<&'static str>,
    /// A document's pages in another language than the record's (a
    /// bilingual PDF): per such language, its field slot, the pages' text
    /// analyzed with that language's chain (replay-encoded) and the
    /// glossary concepts it names.
    other_languages: Vec<(usize, String, Vec<&'static str>)>,
}

/// `r`'s words for dictionary `batch`, as [`Analyzed::new`] gives them (the
/// neutral chain only).
fn dictionary_words(r: &Record, batch: u32) -> String {
    with_memo(|memo| {
        let title = memo.analyze(&r.title, &[Lang::Und]);
        let body = memo.analyze(&r.body, &[Lang::Und]);
        memo.distinct(
            title[0].iter().chain(&body[0]),
            r.title.len() + r.body.len(),
            batch,
        )
    })
}

impl Analyzed {
    /// `r`'s fields; `batch`: the dictionary batch its words go to.
    fn new(r: &Record, batch: u32) -> Analyzed {
        let mut langs: Vec<Lang> = slots(r.language)
            .into_iter()
            .map(|s| crate::schema::LANGS[s])
            .collect();
        langs.push(Lang::Und);
        let neutral = langs.len() - 1;
        // Glossary tags: the record's language chain (the neutral one for `und`).
        let tag = if r.language == Lang::Und { neutral } else { 0 };
        with_memo(|memo| {
            let title = memo.analyze(&r.title, &langs);
            let body = memo.analyze(&r.body, &langs);
            Analyzed {
                title: title[..neutral].iter().map(|t| memo.encode(t)).collect(),
                body: body[..neutral].iter().map(|t| memo.encode(t)).collect(),
                title_any: memo.encode(&title[neutral]),
                concepts_title: memo.mentions(r.language, &r.title, &title[tag]),
                concepts: memo.mentions(r.language, &r.body, &body[tag]),
                words: memo.distinct(
                    title[neutral].iter().chain(&body[neutral]),
                    r.title.len() + r.body.len(),
                    batch,
                ),
                other_languages: other_languages(r)
                    .into_iter()
                    .map(|(lang, text)| {
                        let tokens = memo.analyze(&text, &[lang]);
                        let slot = lang_slot(lang).unwrap_or(0);
                        let mentions = memo.mentions(lang, &text, &tokens[0]);
                        (slot, memo.encode(&tokens[0]), mentions)
                    })
                    .collect(),
            }
        })
    }
}

/// The text of a document's pages written in a known language other than
/// the record's own, per language (none for Q&As, one-language documents
/// and `und` records, whose text goes to every language's field already).
fn other_languages(r: &Record) -> Vec<(Lang, String)> {
    let mut out: Vec<(Lang, String)> = Vec::new();
    if r.language == Lang::Und {
        return out;
    }
    for page in &r.pages {
        if page.language == r.language || lang_slot(page.language).is_none() {
            continue;
        }
        match out.iter_mut().find(|(l, _)| *l == page.language) {
            Some((_, text)) => {
                text.push('\n');
                text.push_str(&page.text);
            }
            None => out.push((page.language, page.text.clone())),
        }
    }
    out
}

/// Debug builds check the tags from shared tokens against the glossary's
/// own analysis (tests run them over every record they ingest).
fn check_tags(r: &Record, analyzed: &Analyzed) {
    if cfg!(debug_assertions) {
        assert_eq!(
            analyzed.concepts,
            crate::glossary::mentions(r.language, &r.body),
            "{}",
            r.id
        );
        assert_eq!(
            analyzed.concepts_title,
            crate::glossary::mentions(r.language, &r.title),
            "{}",
            r.id
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Plain = Vec<(String, usize, usize, usize)>;

    fn exact(lang: Lang, text: &str) -> Plain {
        analysis::analyze_tokens(lang, text)
            .into_iter()
            .map(|t| (t.text, t.offset_from, t.offset_to, t.position))
            .collect()
    }

    const TRICKY: [&str; 8] = [
        "Children's safe spaces: the U.A.S.C. team, CPIMS+ and 5W (M&E) reports.",
        "l’enfance en sécurité, d'urgence; L'ENFANCE aujourd’hui",
        "niños no acompañados y más NNA; e\u{301}te\u{301}",
        "حمايـــة الأطفالُ إدارة الحالات للأطفال غير المصحوبين و UASC",
        "soft\u{ad}hyphen zero\u{200b}width joiner\u{200d}s CPIMS+CPIMS+",
        "the of and a an to in",
        "x1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890 end",
        "",
    ];

    fn texts() -> Vec<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/qa");
        let read = ingest::ingest(&root, &IngestOptions::default(), &|_| {}).unwrap();
        let mut texts: Vec<String> = TRICKY.iter().map(|t| t.to_string()).collect();
        for r in read.records {
            texts.push(r.title);
            texts.push(r.body);
        }
        texts
    }

    #[test]
    fn memoized_analysis_gives_the_chains_tokens() {
        let texts = texts();
        assert!(texts.len() > 100, "{} texts", texts.len());
        let mut compared = 0;
        // Twice: words are learned in the first round, remembered in the second.
        for _ in 0..2 {
            for text in &texts {
                for langs in [
                    &[Lang::En, Lang::Und][..],
                    &[Lang::Fr, Lang::Und],
                    &[Lang::Es, Lang::Und],
                    &[Lang::Ar, Lang::Und],
                    &[Lang::En, Lang::Fr, Lang::Es, Lang::Ar, Lang::Und],
                ] {
                    with_memo(|memo| {
                        let got = memo.analyze(text, langs);
                        for (lang, tokens) in langs.iter().zip(&got) {
                            let want = exact(*lang, text);
                            let got: Plain = tokens
                                .iter()
                                .map(|t| {
                                    let text = memo.text(t.id).to_string();
                                    (text, t.from, t.to, t.position as usize)
                                })
                                .collect();
                            assert_eq!(got, want, "{lang} {text:?}");
                            compared += want.len();
                        }
                    });
                }
            }
        }
        assert!(compared > 10_000, "{compared} tokens");
        // Every word was learned (none left to whole-text analysis).
        with_memo(|memo| {
            let short = memo.words.short.values();
            let unsure = short
                .chain(memo.words.long.values())
                .filter(|v| v.contains(&UNSURE));
            assert_eq!(unsure.count(), 0);
        });
    }

    fn record(id: &str, lang: Lang, title: &str, body: String) -> Record {
        Record {
            id: id.to_string(),
            kind: ingest::RecordKind::Qa,
            title: title.to_string(),
            body,
            language: lang,
            country: Some("Jordan".to_string()),
            topics: vec!["uasc".to_string()],
            date: Some("2024-03-01".to_string()),
            attachments: Vec::new(),
            source: "qa/x.jsonl".to_string(),
            format: "jsonl".to_string(),
            pages: vec![ingest::Page {
                number: 1,
                language: lang,
                text: "Page one: case management of UASC.".to_string(),
            }],
            extraction: None,
            metadata: Default::default(),
            hash: String::new(),
        }
    }

    #[test]
    fn record_comes_back_whole_with_the_body_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path()).unwrap();
        let long: String = "Family tracing and reunification for separated children. ".repeat(200);
        assert!(long.chars().count() > STORED_BODY_CHARS);
        let records = vec![
            record(
                "short",
                Lang::En,
                "Interim care",
                "Who pays for interim care?".to_string(),
            ),
            record("long", Lang::Fr, "Recherche familiale", long),
            record("empty", Lang::Und, "Sans corps", String::new()),
            record(
                "ar",
                Lang::Ar,
                "إدارة الحالات",
                "الأطفال غير المصحوبين".to_string(),
            ),
        ];
        engine
            .ingest_records(records.clone(), Vec::new(), &|_| {})
            .unwrap();
        for want in records {
            let got = engine.record(&want.id).unwrap().unwrap();
            assert_eq!(got.hash, ingest::record_hash(&want), "{}", want.id);
            assert_eq!(
                got,
                Record {
                    hash: got.hash.clone(),
                    ..want
                }
            );
        }
        // Only the long body is in the JSON (the others are in body_raw).
        let searcher = engine.reader.searcher();
        let blob = engine
            .doc_of(&searcher, "short", KIND_BLOB)
            .unwrap()
            .unwrap();
        let json = blob.get_first(engine.fields.json).unwrap();
        let json = tantivy::schema::Value::as_str(&json).unwrap();
        assert!(!json.contains("Who pays"), "{json}");
    }

    fn replayed(encoded: &str) -> Vec<String> {
        let mut tokenizer = ReplayTokenizer::default();
        let mut stream = tokenizer.token_stream(encoded);
        let mut words = Vec::new();
        while stream.advance() {
            words.push(stream.token().text.clone());
        }
        words
    }

    #[test]
    fn a_batch_dictionary_gets_each_word_once() {
        let r = record(
            "w",
            Lang::En,
            "Children and children",
            "CHILDREN's child, the child.".to_string(),
        );
        let batch = next_batch();
        let analyzed = Analyzed::new(&r, batch);
        // `and`, `the`: too short for typo correction (see DICTIONARY_CHARS).
        assert_eq!(replayed(&analyzed.words), ["children", "child"]);
        // The language field keeps every mention.
        assert_eq!(
            analyzed.body[0]
                .split([NEXT, SAME])
                .filter(|w| !w.is_empty())
                .count(),
            3
        );
        // A second record of the batch gives only its new words; the next
        // batch starts over.
        let other = record("v", Lang::En, "Child protection", "children".to_string());
        assert_eq!(
            replayed(&Analyzed::new(&other, batch).words),
            ["protection"]
        );
        assert_eq!(
            replayed(&Analyzed::new(&other, next_batch()).words),
            ["child", "protection", "children"]
        );
    }

    #[test]
    fn replay_gives_back_tokens_and_positions() {
        for text in texts() {
            for lang in CHAINS {
                let (encoded, want) = with_memo(|memo| {
                    let tokens = &memo.analyze(&text, &[lang])[0];
                    let want: Vec<(String, usize)> = tokens
                        .iter()
                        .map(|t| (memo.text(t.id).to_string(), t.position as usize))
                        .collect();
                    (memo.encode(tokens), want)
                });
                let mut tokenizer = ReplayTokenizer::default();
                let mut stream = tokenizer.token_stream(&encoded);
                let mut back = Vec::new();
                while stream.advance() {
                    let t = stream.token();
                    back.push((t.text.clone(), t.position));
                }
                assert_eq!(back, want, "{lang} {text:?}");
            }
        }
    }
}
