//! [`Engine`]: an open index, shared by searches and one ingest at a time.

use crate::error::Error;
use crate::schema::{self, Fields, KIND_BLOB, KIND_PAGE, KIND_RECORD, SCHEMA_VERSION};
use crate::IndexStats;
use ingest::Record;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::error::LockError;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError, Term};

/// Memory the index writer may use (split between its threads). Measured
/// at 100k generated records on 2 cores: 100 MB left 4 segments and took
/// 9.9 CPU s; 200 MB leaves 2 and takes 8.5 CPU s, and searches run about
/// 10% faster on fewer segments (300 MB: no further gain). It is a ceiling:
/// past tantivy's term table (a few MB a thread) the writer's memory grows
/// with what it holds, so small ingests use little of it.
pub const WRITER_MEMORY: usize = 200_000_000;

/// The commit payload: what wrote this index.
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    schema_version: u32,
    /// Records removed or changed since the typo dictionary (the `words`
    /// documents, see `schema::KIND_WORDS`) was last written whole: their
    /// old words may still be listed.
    #[serde(default)]
    stale_records: u64,
}

/// An open Answerbank index.
///
/// `Engine` is `Send + Sync`: share it (`Arc<Engine>`) between threads.
/// Searches run concurrently, and keep seeing the last commit while one
/// ingest (serialized by an internal lock) writes the next one; the index
/// on disk is always the last good commit.
pub struct Engine {
    pub(crate) dir: PathBuf,
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    pub(crate) write_lock: Mutex<()>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("dir", &self.dir).finish()
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Files of a tantivy index (what a rebuild deletes; nothing else).
fn is_index_file(name: &str) -> bool {
    const EXT: [&str; 8] = [
        ".idx",
        ".pos",
        ".term",
        ".store",
        ".fast",
        ".fieldnorm",
        ".del",
        ".tmp",
    ];
    name == "meta.json" || name == ".managed.json" || EXT.iter().any(|e| name.ends_with(e))
}

pub(crate) fn map_writer_err(err: TantivyError) -> Error {
    match err {
        TantivyError::LockFailure(LockError::LockBusy, _) => Error::Busy,
        other => Error::Tantivy(other),
    }
}

impl Engine {
    /// Opens the index in `dir`, creating it (and the folder) when missing.
    /// An index written with another schema version is rebuilt empty (the
    /// next ingest fills it).
    pub fn open(dir: &Path) -> Result<Engine, Error> {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let schema = schema::build();
        let meta = dir.join("meta.json");
        let mut fresh = false;
        let index = if meta.exists() {
            let index = Index::open_in_dir(dir)?;
            let version = index
                .load_metas()?
                .payload
                .and_then(|p| serde_json::from_str::<Payload>(&p).ok())
                .map(|p| p.schema_version);
            let empty = index.load_metas()?.segments.is_empty();
            if version == Some(SCHEMA_VERSION) && index.schema() == schema {
                index
            } else if version.is_none() && empty && index.schema() == schema {
                fresh = true;
                index
            } else {
                tracing::info!(
                    dir = %dir.display(),
                    found = ?version,
                    want = SCHEMA_VERSION,
                    "index written by another version; rebuilding it"
                );
                drop(index);
                for entry in std::fs::read_dir(dir).map_err(io_err(dir))? {
                    let entry = entry.map_err(io_err(dir))?;
                    let name = entry.file_name();
                    if is_index_file(&name.to_string_lossy()) {
                        let path = entry.path();
                        std::fs::remove_file(&path).map_err(io_err(&path))?;
                    }
                }
                fresh = true;
                Index::create_in_dir(dir, schema)?
            }
        } else {
            fresh = true;
            Index::create_in_dir(dir, schema)?
        };
        // Segments are searched on the calling thread: a multi-threaded
        // executor measured no faster on this 2-core machine under load,
        // and the server already runs one search per core.
        analysis::register(index.tokenizers());
        index.tokenizers().register(
            crate::index::REPLAY,
            crate::index::ReplayTokenizer::default(),
        );
        let fields = Fields::new(&index.schema())?;
        if fresh {
            // Stamp the empty index with our version.
            match index.writer::<TantivyDocument>(WRITER_MEMORY) {
                Ok(mut writer) => {
                    Self::commit(&mut writer, 0)?;
                    writer.wait_merging_threads()?;
                }
                Err(err) => return Err(map_writer_err(err)),
            }
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(Engine {
            dir: dir.to_path_buf(),
            index,
            reader,
            fields,
            write_lock: Mutex::new(()),
        })
    }

    /// Commits with our payload.
    pub(crate) fn commit(writer: &mut IndexWriter, stale_records: u64) -> Result<(), Error> {
        let payload = serde_json::to_string(&Payload {
            schema_version: SCHEMA_VERSION,
            stale_records,
        })
        .unwrap_or_default();
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        Ok(())
    }

    /// The last commit's count of records whose old words the typo
    /// dictionary may still list (0 when unknown).
    pub(crate) fn stale_records(&self) -> u64 {
        self.index
            .load_metas()
            .ok()
            .and_then(|m| m.payload)
            .and_then(|p| serde_json::from_str::<Payload>(&p).ok())
            .map_or(0, |p| p.stale_records)
    }

    /// The index folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub(crate) fn kind_term(&self, kind: &str) -> Term {
        Term::from_field_text(self.fields.kind, kind)
    }

    /// The full record `id`, as ingested.
    pub fn record(&self, id: &str) -> Result<Option<Record>, Error> {
        let searcher = self.reader.searcher();
        let Some(blob) = self.doc_of(&searcher, id, KIND_BLOB)? else {
            return Ok(None);
        };
        let json = blob
            .get_first(self.fields.json)
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        let corrupt = |message: String| Error::Corrupt {
            id: id.to_string(),
            message,
        };
        let mut record: Record = serde_json::from_str(json).map_err(|e| corrupt(e.to_string()))?;
        if record.body.is_empty() {
            // The body is stored once, in the record document's `body_raw`,
            // when it fits there whole (the ingest leaves it out of the JSON).
            let doc = self
                .doc_of(&searcher, id, KIND_RECORD)?
                .ok_or_else(|| corrupt("no record document".to_string()))?;
            record.body = doc
                .get_first(self.fields.body_raw)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
        }
        Ok(Some(record))
    }

    /// The document of kind `kind` of record `id`.
    pub(crate) fn doc_of(
        &self,
        searcher: &tantivy::Searcher,
        id: &str,
        kind: &str,
    ) -> Result<Option<TantivyDocument>, Error> {
        let query = tantivy::query::BooleanQuery::intersection(vec![
            Box::new(TermQuery::new(
                Term::from_field_text(self.fields.id, id),
                IndexRecordOption::Basic,
            )),
            Box::new(TermQuery::new(
                self.kind_term(kind),
                IndexRecordOption::Basic,
            )),
        ]);
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        match top.first() {
            Some((_, addr)) => Ok(Some(searcher.doc(*addr)?)),
            None => Ok(None),
        }
    }

    /// How many records and tantivy documents the index holds, and its size.
    pub fn stats(&self) -> Result<IndexStats, Error> {
        let searcher = self.reader.searcher();
        let count = |kind: &str| -> Result<u64, Error> {
            let q = TermQuery::new(self.kind_term(kind), IndexRecordOption::Basic);
            Ok(searcher.search(&q, &Count)? as u64)
        };
        let records = count(KIND_RECORD)?;
        let pages = count(KIND_PAGE)?;
        let mut size_bytes = 0;
        for entry in std::fs::read_dir(&self.dir).map_err(io_err(&self.dir))? {
            let entry = entry.map_err(io_err(&self.dir))?;
            if let Ok(meta) = entry.metadata() {
                if meta.is_file() {
                    size_bytes += meta.len();
                }
            }
        }
        Ok(IndexStats {
            records,
            documents: records + pages,
            size_bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn engine_is_send_and_sync() {
        assert_send_sync::<Engine>();
    }

    #[test]
    fn opens_creates_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("idx");
        let engine = Engine::open(&path).unwrap();
        assert_eq!(engine.stats().unwrap().records, 0);
        drop(engine);
        let engine = Engine::open(&path).unwrap();
        assert_eq!(engine.stats().unwrap().records, 0);
        assert!(engine.record("nope").unwrap().is_none());
    }

    #[test]
    fn another_schema_version_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        // An index of some other schema, with a document.
        let mut b = tantivy::schema::Schema::builder();
        let f = b.add_text_field("x", tantivy::schema::TEXT);
        let other = Index::create_in_dir(dir.path(), b.build()).unwrap();
        let mut w: IndexWriter = other.writer(15_000_000).unwrap();
        w.add_document(tantivy::doc!(f => "old")).unwrap();
        w.commit().unwrap();
        drop(w);
        drop(other);
        std::fs::write(dir.path().join("keep.txt"), "not ours").unwrap();
        let engine = Engine::open(dir.path()).unwrap();
        assert_eq!(engine.stats().unwrap().documents, 0);
        assert!(dir.path().join("keep.txt").exists());
    }
}
