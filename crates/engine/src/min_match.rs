//! "At least `min` of these clauses", scored as the sum of the clauses
//! that match: tantivy's `BooleanQuery::with_minimum_required_clauses`,
//! evaluated window by window instead of through a binary heap.
//!
//! tantivy merges the clauses doc by doc through a heap (`Disjunction`):
//! in the profile of the query mix at 100k records, its heap pops and
//! advances took 18% of a search (every query of three words or more uses
//! it). Here each clause runs on its own over a window of 4096 doc ids,
//! adding its score and a count into arrays, and the window's docs are read
//! back in order: no heap, no doc-by-doc coordination between clauses
//! (what tantivy's own union, `BufferedUnionScorer`, does for "any").

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED};

const WINDOW: u32 = 4096;
const WORDS: usize = WINDOW as usize / 64;

/// See the module documentation.
#[derive(Debug)]
pub struct MinMatch {
    pub clauses: Vec<Box<dyn Query>>,
    pub min: usize,
    /// Added to a document's score per clause it matches.
    pub bonus: Score,
}

impl Clone for MinMatch {
    fn clone(&self) -> Self {
        MinMatch {
            clauses: self.clauses.iter().map(|q| q.box_clone()).collect(),
            min: self.min,
            bonus: self.bonus,
        }
    }
}

impl Query for MinMatch {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(MinMatchWeight {
            weights: self
                .clauses
                .iter()
                .map(|q| q.weight(enable_scoring))
                .collect::<tantivy::Result<_>>()?,
            min: self.min.max(1),
            bonus: self.bonus,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        for q in &self.clauses {
            q.query_terms(visitor);
        }
    }
}

struct MinMatchWeight {
    weights: Vec<Box<dyn Weight>>,
    min: usize,
    bonus: Score,
}

impl Weight for MinMatchWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut children = Vec::with_capacity(self.weights.len());
        for w in &self.weights {
            let s = w.scorer(reader, boost)?;
            if s.doc() != TERMINATED {
                children.push(s);
            }
        }
        if children.len() < self.min {
            return Ok(Box::new(EmptyScorer));
        }
        Ok(Box::new(MinMatchScorer::new(
            children,
            self.min,
            self.bonus * boost,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut matched = Vec::new();
        for w in &self.weights {
            if let Ok(e) = w.explain(reader, doc) {
                matched.push(e);
            }
        }
        if matched.len() < self.min {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} matches {} of the clauses, fewer than {}",
                matched.len(),
                self.min
            )));
        }
        let total = matched.iter().map(Explanation::value).sum::<Score>()
            + self.bonus * matched.len() as Score;
        let mut e = Explanation::new(
            "sum of the matching clauses (at least the minimum), plus the bonus per clause",
            total,
        );
        for m in matched {
            e.add_detail(m);
        }
        Ok(e)
    }
}

struct MinMatchScorer {
    children: Vec<Box<dyn Scorer>>,
    min: u32,
    bonus: Score,
    /// Per doc of the window: matching clauses and their summed score.
    counts: Box<[u32]>,
    scores: Box<[Score]>,
    /// Docs of the window some clause matched, not yet read back.
    bits: [u64; WORDS],
    start: DocId,
    /// The next bit word to read back.
    word: usize,
    doc: DocId,
    score: Score,
}

impl MinMatchScorer {
    fn new(children: Vec<Box<dyn Scorer>>, min: usize, bonus: Score) -> MinMatchScorer {
        let mut s = MinMatchScorer {
            children,
            min: u32::try_from(min).unwrap_or(u32::MAX),
            bonus,
            counts: vec![0; WINDOW as usize].into_boxed_slice(),
            scores: vec![0.0; WINDOW as usize].into_boxed_slice(),
            bits: [0; WORDS],
            start: 0,
            word: WORDS,
            doc: 0,
            score: 0.0,
        };
        s.advance();
        s
    }

    /// Fills the window that starts at the smallest clause doc; false when
    /// every clause is done.
    fn refill(&mut self) -> bool {
        let Some(start) = self.children.iter().map(|c| c.doc()).min() else {
            return false;
        };
        if start == TERMINATED {
            return false;
        }
        self.start = start;
        let end = start.saturating_add(WINDOW);
        for child in &mut self.children {
            let mut doc = child.doc();
            while doc < end {
                let i = (doc - start) as usize;
                self.counts[i] += 1;
                self.scores[i] += child.score();
                self.bits[i / 64] |= 1 << (i % 64);
                doc = child.advance();
            }
        }
        self.children.retain(|c| c.doc() != TERMINATED);
        self.word = 0;
        true
    }

    /// Drops what is left of the window.
    fn clear(&mut self) {
        for w in self.word..WORDS {
            let mut bits = self.bits[w];
            while bits != 0 {
                let i = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                self.counts[i] = 0;
                self.scores[i] = 0.0;
            }
            self.bits[w] = 0;
        }
        self.word = WORDS;
    }
}

impl DocSet for MinMatchScorer {
    fn advance(&mut self) -> DocId {
        loop {
            while self.word < WORDS {
                let bits = self.bits[self.word];
                if bits == 0 {
                    self.word += 1;
                    continue;
                }
                let i = self.word * 64 + bits.trailing_zeros() as usize;
                self.bits[self.word] = bits & (bits - 1);
                let (count, score) = (self.counts[i], self.scores[i]);
                self.counts[i] = 0;
                self.scores[i] = 0.0;
                if count >= self.min {
                    self.doc = self.start + i as DocId;
                    self.score = score + self.bonus * count as Score;
                    return self.doc;
                }
            }
            if self.children.len() < self.min as usize && self.word >= WORDS {
                // Too few clauses left to ever match `min` again.
                self.children.clear();
            }
            if !self.refill() {
                self.doc = TERMINATED;
                return TERMINATED;
            }
        }
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        if target < self.start.saturating_add(WINDOW) {
            while self.doc < target {
                self.advance();
            }
            return self.doc;
        }
        self.clear();
        for child in &mut self.children {
            if child.doc() < target {
                child.seek(target);
            }
        }
        self.children.retain(|c| c.doc() != TERMINATED);
        self.advance()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.children
            .iter()
            .map(|c| c.size_hint())
            .max()
            .unwrap_or(0)
    }
}

impl Scorer for MinMatchScorer {
    fn score(&mut self) -> Score {
        self.score
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index, Term};

    /// Same matches and scores as tantivy's minimum-should-match, over
    /// several windows, alone and intersected (which seeks).
    #[test]
    fn matches_tantivy_minimum_should_match() {
        let mut b = Schema::builder();
        let body = b.add_text_field("body", TEXT);
        let tag = b.add_text_field("tag", TEXT);
        let index = Index::create_in_ram(b.build());
        let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let words = ["alpha", "beta", "gamma", "delta", "eps"];
        let mut x: u64 = 7;
        for _ in 0..20_000 {
            let mut text = String::new();
            for word in words {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let n = (x >> 60) as usize % 4; // 0..3 mentions, often none
                for _ in 0..n.saturating_sub(1) {
                    text.push_str(word);
                    text.push(' ');
                }
            }
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            let t = if (x >> 61) == 0 { "rare" } else { "common" };
            w.add_document(doc!(body => text, tag => t)).unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |t: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(body, t),
                IndexRecordOption::WithFreqs,
            ))
        };
        let rare: Box<dyn Query> = Box::new(TermQuery::new(
            Term::from_field_text(tag, "rare"),
            IndexRecordOption::WithFreqs,
        ));
        for min in 1..=4 {
            let clauses = || words[..4].iter().map(|w| term(w)).collect::<Vec<_>>();
            // With the bonus, tantivy's side wraps each clause in PlusConst.
            let bonus = if min == 3 { 1.0 } else { 0.0 };
            let ours: Box<dyn Query> = Box::new(MinMatch {
                clauses: clauses(),
                min,
                bonus,
            });
            let theirs: Box<dyn Query> = Box::new(BooleanQuery::with_minimum_required_clauses(
                clauses()
                    .into_iter()
                    .map(|q| {
                        let q: Box<dyn Query> = Box::new(crate::plain_seek::PlusConst(q, bonus));
                        (Occur::Should, q)
                    })
                    .collect(),
                min,
            ));
            for filtered in [false, true] {
                let wrap = |q: &dyn Query| -> Box<dyn Query> {
                    if filtered {
                        Box::new(BooleanQuery::new(vec![
                            (Occur::Must, rare.box_clone()),
                            (Occur::Must, q.box_clone()),
                        ]))
                    } else {
                        q.box_clone()
                    }
                };
                let (a, b) = (wrap(&*ours), wrap(&*theirs));
                let n = searcher.search(&*b, &Count).unwrap();
                assert!(n > 100, "min {min}: {n} matches");
                assert_eq!(searcher.search(&*a, &Count).unwrap(), n, "min {min}");
                let all = TopDocs::with_limit(n).order_by_score();
                let mut x = searcher.search(&*a, &all).unwrap();
                let mut y = searcher.search(&*b, &all).unwrap();
                x.sort_by_key(|(_, d)| *d);
                y.sort_by_key(|(_, d)| *d);
                assert_eq!(x.len(), y.len());
                for ((sa, da), (sb, db)) in x.iter().zip(&y) {
                    assert_eq!(da, db, "min {min} filtered {filtered}");
                    assert!((sa - sb).abs() <= 1e-4 * sb.abs(), "{sa} vs {sb}");
                }
            }
        }
    }
}
