//! A query wrapper whose scorer answers `seek_danger` the plain way.
//!
//! tantivy 0.27's `PhraseScorer::seek_danger` asserts (in debug builds)
//! that it is never asked for a document before its current one, but an
//! exclusion (`-"a phrase"`) beside a required phrase asks exactly that,
//! which aborts debug builds (release builds answer correctly). Wrapping
//! the excluded clause routes those calls through `DocSet`'s default
//! `seek_danger`, which seeks only forward.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader};

/// See the module documentation.
#[derive(Debug)]
pub struct PlainSeek(pub Box<dyn Query>);

impl Clone for PlainSeek {
    fn clone(&self) -> Self {
        PlainSeek(self.0.box_clone())
    }
}

impl Query for PlainSeek {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(PlainSeekWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct PlainSeekWeight(Box<dyn Weight>);

impl Weight for PlainSeekWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(PlainSeekScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct PlainSeekScorer(Box<dyn Scorer>);

impl DocSet for PlainSeekScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.0.doc() >= target {
            return self.0.doc();
        }
        self.0.seek(target)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }
}

impl Scorer for PlainSeekScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}

/// A query that adds `bonus` to the score of every document it matches:
/// a record earns it once per query word it matches, so covering more of
/// the query beats repeating one word (Lucene's old coordination factor,
/// Meilisearch's "words" rule), whatever the fields' lengths.
#[derive(Debug)]
pub struct PlusConst(pub Box<dyn Query>, pub Score);

impl Clone for PlusConst {
    fn clone(&self) -> Self {
        PlusConst(self.0.box_clone(), self.1)
    }
}

impl Query for PlusConst {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(PlusConstWeight(
            self.0.weight(enable_scoring)?,
            self.1,
        )))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct PlusConstWeight(Box<dyn Weight>, Score);

impl Weight for PlusConstWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(PlusConstScorer(
            self.0.scorer(reader, boost)?,
            self.1 * boost,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut e = Explanation::new("word matched: + coverage bonus", self.1);
        e.add_detail(self.0.explain(reader, doc)?);
        Ok(e)
    }
}

struct PlusConstScorer(Box<dyn Scorer>, Score);

impl DocSet for PlusConstScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.0.seek(target)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }
}

impl Scorer for PlusConstScorer {
    fn score(&mut self) -> Score {
        self.0.score() + self.1
    }
}
