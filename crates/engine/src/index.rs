//! Incremental, atomic ingest: compare record hashes with the index, write
//! what changed, commit once.

use crate::engine::{map_writer_err, Engine, WRITER_MEMORY};
use crate::error::Error;
use crate::schema::{
    country_key, date_key, id_key, lang_slot, Fields, KIND_BLOB, KIND_PAGE, KIND_RECORD,
};
use crate::IngestReport;
use ingest::{IngestOptions, Problem, Progress, Record};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

/// Records decided and built per chunk of an ingest.
const PREPARE_CHUNK: usize = 2048;
use tantivy::schema::Facet;
use tantivy::{IndexWriter, TantivyDocument, Term};

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
                let built: Vec<(TantivyDocument, Vec<TantivyDocument>)> = to_write
                    .par_iter()
                    .map(|(record, hash, _)| record_docs(&self.fields, record, hash))
                    .collect();
                for ((record, _, update), (doc, rest)) in to_write.iter().zip(built) {
                    if *update {
                        writer.delete_term(Term::from_field_text(self.fields.id, &record.id));
                    }
                    writer.add_document(doc)?;
                    later.extend(rest);
                }
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
            Engine::commit(&mut writer)
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

/// Adds the record's document, and queues its pages and blob in `later`:
/// written in batches after their records, they keep record documents
/// together in the doc store, so fetching a hit decompresses little else.
/// The tantivy documents of one record: the record's own, then its pages'
/// and its stored JSON (added after, in batches).
fn record_docs(f: &Fields, r: &Record, hash: &str) -> (TantivyDocument, Vec<TantivyDocument>) {
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
    for slot in slots(r.language) {
        doc.add_text(f.title[slot], &r.title);
        doc.add_text(f.body[slot], &r.body);
    }
    doc.add_text(f.title_any, &r.title);
    // Title and body: the surface words typos are corrected to.
    doc.add_text(f.body_any, &r.title);
    doc.add_text(f.body_any, &r.body);
    for concept in crate::glossary::mentions(r.language, &r.title) {
        doc.add_text(f.concepts_title, concept);
    }
    for concept in crate::glossary::mentions(r.language, &r.body) {
        doc.add_text(f.concepts, concept);
    }
    doc.add_text(f.title_raw, &r.title);
    doc.add_text(f.body_raw, truncate(&r.body, STORED_BODY_CHARS));
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

    let mut blob = TantivyDocument::default();
    blob.add_text(f.kind, KIND_BLOB);
    blob.add_text(f.id, &r.id);
    let mut stored = r.clone();
    stored.hash = hash.to_string();
    blob.add_text(f.json, serde_json::to_string(&stored).unwrap_or_default());
    later.push(blob);
    (record_doc, later)
}

/// Counts per facet root, from a facet collector's result.
pub(crate) fn facet_counts(
    counts: &tantivy::collector::FacetCounts,
) -> BTreeMap<String, BTreeMap<String, u64>> {
    let mut out = BTreeMap::new();
    for root in ["type", "language", "topic", "country", "year"] {
        let mut values = BTreeMap::new();
        for (facet, count) in counts.get(format!("/{root}").as_str()) {
            if let Some(last) = facet.to_path().last() {
                values.insert(last.to_string(), count);
            }
        }
        out.insert(root.to_string(), values);
    }
    out
}
