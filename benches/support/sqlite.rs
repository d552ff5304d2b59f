//! The SQLite FTS5 reference: what a small team would reach for. The same
//! workload as Answerbank's API: top 10 by bm25 (title weighted 2x), a
//! snippet per hit, and facet counts (language, topic, country, year) over
//! all matches. Tokenizer `unicode61 remove_diacritics 2`.

#![allow(dead_code)]

use ingest::Record;
use rusqlite::{params, Connection};
use std::collections::BTreeMap;
use std::path::Path;

pub struct Fts5 {
    conn: Connection,
}

impl Fts5 {
    pub fn create(path: &Path) -> rusqlite::Result<Fts5> {
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
             CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5(
               id UNINDEXED, title, body, lang UNINDEXED, topics UNINDEXED,
               country UNINDEXED, year UNINDEXED,
               tokenize = 'unicode61 remove_diacritics 2');",
        )?;
        Ok(Fts5 { conn })
    }

    pub fn insert(&mut self, records: &[Record]) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare(
                "INSERT INTO docs (id, title, body, lang, topics, country, year)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for r in records {
                let year = r.date.as_deref().map(|d| d[..4.min(d.len())].to_string());
                stmt.execute(params![
                    r.id,
                    r.title,
                    r.body,
                    r.language.code(),
                    r.topics.join(";"),
                    r.country,
                    year
                ])?;
            }
        }
        tx.commit()
    }

    /// Searches: returns (hit ids, facet counts, total).
    #[allow(clippy::type_complexity)]
    pub fn search(
        &self,
        query: &str,
    ) -> rusqlite::Result<(
        Vec<(String, String)>,
        BTreeMap<String, BTreeMap<String, u64>>,
        u64,
    )> {
        let fts = fts_query(query);
        if fts.is_empty() {
            return Ok((Vec::new(), BTreeMap::new(), 0));
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, snippet(docs, 2, '[', ']', '…', 24) FROM docs
             WHERE docs MATCH ?1 ORDER BY bm25(docs, 0.0, 2.0, 1.0) LIMIT 10",
        )?;
        let hits = stmt
            .query_map([&fts], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
        let mut facets: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        let mut total = 0;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT lang, topics, country, year FROM docs WHERE docs MATCH ?1")?;
        let mut rows = stmt.query([&fts])?;
        while let Some(row) = rows.next()? {
            total += 1;
            let lang: String = row.get(0)?;
            *facets
                .entry("language".into())
                .or_default()
                .entry(lang)
                .or_default() += 1;
            let topics: String = row.get(1)?;
            for t in topics.split(';').filter(|t| !t.is_empty()) {
                *facets
                    .entry("topic".into())
                    .or_default()
                    .entry(t.to_string())
                    .or_default() += 1;
            }
            if let Some(c) = row.get::<_, Option<String>>(2)? {
                *facets
                    .entry("country".into())
                    .or_default()
                    .entry(c)
                    .or_default() += 1;
            }
            if let Some(y) = row.get::<_, Option<String>>(3)? {
                *facets
                    .entry("year".into())
                    .or_default()
                    .entry(y)
                    .or_default() += 1;
            }
        }
        Ok((hits, facets, total))
    }
}

/// A user's words as an FTS5 query: each word quoted (so no FTS5 syntax can
/// break it), joined by OR, as a naive app would do.
pub fn fts_query(query: &str) -> String {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(" OR ")
}
