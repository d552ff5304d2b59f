//! One collector for a search: the count, the facet counts and the top
//! hits, in one pass over the matches.
//!
//! tantivy's `(Count, FacetCollector, TopDocs::tweak_score)` did the same
//! work three times per match, and the profile of the query mix at 100k
//! records put 22% of a search in the facet collector (per match: the
//! multi-valued column index, the collapse mapping; per search: a walk of
//! the facet dictionary and an `ord_to_term` per counted value) and 11% in
//! the tweaked sort key (three fast-field reads per match). Here:
//!
//! - each segment's facet values and document flags are decoded once, the
//!   first time a search meets the segment (segments never change), into
//!   flat arrays: counting a match is a few array increments;
//! - the document prior comes from a bit set, and the date and id columns
//!   are read only for a match that would enter the top hits (its score
//!   beats the worst kept one), not for every match.
//!
//! The order: relevance (score x document prior), then date (newest first,
//! undated last), then the id (ascending, all of it): the same hits
//! whatever the segment layout, even at the cut (within a segment the id
//! column's term ordinals order ids; across segments tied ids are read).

use crate::search::DOCUMENT_PRIOR;
use crate::Sort;
use ingest::RecordKind;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Instant;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::query::Weight;
use tantivy::schema::Facet;
use tantivy::{DocAddress, DocId, DocSet, Score, SegmentOrdinal, SegmentReader, TERMINATED};

/// The facet roots a search counts, in the response's order.
pub const FACET_ROOTS: [&str; 5] = ["type", "language", "topic", "country", "year"];

/// A hit's sort key: (score, date, reversed id prefix) for relevance,
/// (date, score, reversed id prefix) for date. Undated records have the
/// smallest date.
pub type Key = (f64, f64, u64);

/// What one segment's records show to a search, decoded once.
struct SegmentData {
    /// Facet values of doc `d`: `values[offsets[d]..offsets[d + 1]]`,
    /// indexes into `names`.
    offsets: Vec<u32>,
    values: Vec<u16>,
    /// (root index in [`FACET_ROOTS`], value) of each facet value.
    names: Vec<(u8, String)>,
    /// Bit set of the documents (record type `document`): the prior.
    documents: Vec<u64>,
}

impl SegmentData {
    fn load(segment: &SegmentReader) -> tantivy::Result<SegmentData> {
        let max_doc = segment.max_doc();
        let facets = segment.facet_reader("facets")?;
        // Facet term ord -> value index (or none: not a counted facet).
        let mut names: Vec<(u8, String)> = Vec::new();
        let mut by_ord: Vec<Option<u16>> = Vec::with_capacity(facets.num_facets());
        let mut facet = Facet::root();
        for ord in 0..facets.num_facets() as u64 {
            facets.facet_from_ord(ord, &mut facet)?;
            let path = facet.to_path();
            let slot = match path.as_slice() {
                [root, value, ..] => FACET_ROOTS.iter().position(|r| r == root).and_then(|root| {
                    let name = (root as u8, value.to_string());
                    match names.iter().position(|n| *n == name) {
                        Some(i) => u16::try_from(i).ok(),
                        None if names.len() < usize::from(u16::MAX) => {
                            names.push(name);
                            Some((names.len() - 1) as u16)
                        }
                        None => None,
                    }
                }),
                _ => None,
            };
            by_ord.push(slot);
        }
        let mut offsets = Vec::with_capacity(max_doc as usize + 1);
        let mut values = Vec::new();
        offsets.push(0u32);
        for doc in 0..max_doc {
            for ord in facets.facet_ords(doc) {
                if let Some(Some(v)) = by_ord.get(ord as usize) {
                    values.push(*v);
                }
            }
            offsets.push(u32::try_from(values.len()).unwrap_or(u32::MAX));
        }
        let mut documents = vec![0u64; (max_doc as usize).div_ceil(64)];
        if let Some(types) = segment.fast_fields().str("type")? {
            if let Some(ord) = types
                .dictionary()
                .term_ord(RecordKind::Document.as_str().as_bytes())?
            {
                for doc in 0..max_doc {
                    if types.term_ords(doc).next() == Some(ord) {
                        documents[doc as usize / 64] |= 1 << (doc % 64);
                    }
                }
            }
        }
        Ok(SegmentData {
            offsets,
            values,
            names,
            documents,
        })
    }
}

/// Decoded segments, by id (a segment's content never changes).
static SEGMENTS: LazyLock<Mutex<HashMap<SegmentId, Arc<SegmentData>>>> =
    LazyLock::new(Default::default);

/// Segments kept decoded, at most (beyond, the cache starts over: an
/// index has a handful of segments; many only when tests open many).
const MAX_CACHED_SEGMENTS: usize = 256;

fn segment_data(segment: &SegmentReader) -> tantivy::Result<Arc<SegmentData>> {
    let id = segment.segment_id();
    if let Some(data) = SEGMENTS.lock().ok().and_then(|m| m.get(&id).cloned()) {
        return Ok(data);
    }
    // Decoded outside the lock: two searches may both decode a new
    // segment once; neither waits for the other.
    let data = Arc::new(SegmentData::load(segment)?);
    if let Ok(mut map) = SEGMENTS.lock() {
        if map.len() >= MAX_CACHED_SEGMENTS {
            map.clear();
        }
        map.insert(id, data.clone());
    }
    Ok(data)
}

/// Facet counts: root -> value -> count (every root present).
pub type FacetMap = BTreeMap<String, BTreeMap<String, u64>>;

/// Count, facets and the best `limit` hits after `offset`.
pub struct SearchCollector {
    pub limit: usize,
    pub offset: usize,
    pub sort: Sort,
    /// Multiply documents' scores by [`DOCUMENT_PRIOR`].
    pub prior: bool,
    /// Stop (with an error) once this instant has passed: checked at each
    /// segment and every [`DEADLINE_CHECK_EVERY`] matches.
    pub deadline: Option<Instant>,
}

/// Matches collected between two looks at the clock (a few hundred
/// microseconds of work: the check costs nothing measurable).
pub const DEADLINE_CHECK_EVERY: u32 = 4096;

/// True once `deadline` (if any) has passed.
pub fn past(deadline: Option<Instant>) -> bool {
    deadline.is_some_and(|d| Instant::now() >= d)
}

fn deadline_error() -> tantivy::TantivyError {
    tantivy::TantivyError::InternalError("the search's time limit has passed".to_string())
}

/// A kept hit: better first when compared (key greater, then smaller id
/// ordinal in its segment, then earlier doc).
#[derive(Clone, Copy)]
struct Entry {
    key: Key,
    ord: u64,
    doc: DocAddress,
}

fn cmp_key(a: &Key, b: &Key) -> Ordering {
    a.0.total_cmp(&b.0)
        .then_with(|| a.1.total_cmp(&b.1))
        .then_with(|| a.2.cmp(&b.2))
}

impl Ord for Entry {
    /// `Greater` is worse: the heap's top is the worst kept hit.
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_key(&other.key, &self.key)
            .then_with(|| self.ord.cmp(&other.ord))
            .then_with(|| self.doc.cmp(&other.doc))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

pub struct SegmentFruit {
    count: usize,
    counts: Vec<u64>,
    data: Arc<SegmentData>,
    top: Vec<Entry>,
    ids: Option<StrColumn>,
}

pub struct SearchSegmentCollector {
    segment: SegmentOrdinal,
    k: usize,
    sort: Sort,
    data: Arc<SegmentData>,
    count: usize,
    counts: Vec<u64>,
    heap: BinaryHeap<Entry>,
    date: Option<Column<i64>>,
    idkey: Option<Column<u64>>,
    ids: Option<StrColumn>,
    prior: bool,
}

impl Collector for SearchCollector {
    type Fruit = (usize, FacetMap, Vec<(Key, DocAddress)>);
    type Child = SearchSegmentCollector;

    fn for_segment(
        &self,
        segment_local_id: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SearchSegmentCollector> {
        let data = segment_data(segment)?;
        let ff = segment.fast_fields();
        Ok(SearchSegmentCollector {
            segment: segment_local_id,
            k: self.limit.max(1) + self.offset,
            sort: self.sort,
            counts: vec![0; data.names.len()],
            data,
            count: 0,
            heap: BinaryHeap::new(),
            date: ff.i64("date").ok(),
            idkey: ff.u64("idkey").ok(),
            ids: ff.str("id").ok().flatten(),
            prior: self.prior,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    /// tantivy's loop (`Weight::for_each`) cannot be stopped: this one is
    /// the same walk over the scorer, with a look at the clock.
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment_ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFruit> {
        if past(self.deadline) {
            return Err(deadline_error());
        }
        let mut child = self.for_segment(segment_ord, reader)?;
        let mut scorer = weight.scorer(reader, 1.0)?;
        let alive = reader.alive_bitset();
        let mut doc = scorer.doc();
        let mut until_check = DEADLINE_CHECK_EVERY;
        while doc != TERMINATED {
            if alive.is_none_or(|bits| bits.is_alive(doc)) {
                child.collect(doc, scorer.score());
            }
            until_check -= 1;
            if until_check == 0 {
                if past(self.deadline) {
                    return Err(deadline_error());
                }
                until_check = DEADLINE_CHECK_EVERY;
            }
            doc = scorer.advance();
        }
        Ok(child.harvest())
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<Self::Fruit> {
        let mut total = 0;
        let mut facets: FacetMap = FACET_ROOTS
            .iter()
            .map(|r| (r.to_string(), BTreeMap::new()))
            .collect();
        let mut top: Vec<(Entry, usize)> = Vec::new();
        let mut columns: Vec<Option<StrColumn>> = Vec::new();
        for fruit in fruits {
            total += fruit.count;
            for (i, &n) in fruit.counts.iter().enumerate() {
                if n > 0 {
                    let (root, value) = &fruit.data.names[i];
                    *facets
                        .entry(FACET_ROOTS[usize::from(*root)].to_string())
                        .or_default()
                        .entry(value.clone())
                        .or_default() += n;
                }
            }
            let f = columns.len();
            top.extend(fruit.top.into_iter().map(|e| (e, f)));
            columns.push(fruit.ids);
        }
        // Entries of different segments with equal keys: their ids decide
        // (read only for those).
        top.sort_unstable_by_key(|a| a.0);
        let mut ids: Vec<String> = vec![String::new(); top.len()];
        for i in 0..top.len() {
            let tied = |j: usize| {
                top.get(j)
                    .is_some_and(|o: &(Entry, usize)| cmp_key(&o.0.key, &top[i].0.key).is_eq())
            };
            if (i > 0 && tied(i - 1)) || tied(i + 1) {
                let (e, f) = &top[i];
                if let Some(Some(column)) = columns.get(*f) {
                    let _ = column.ord_to_str(e.ord, &mut ids[i]);
                }
            }
        }
        let mut order: Vec<usize> = (0..top.len()).collect();
        order.sort_by(|&a, &b| {
            cmp_key(&top[b].0.key, &top[a].0.key)
                .then_with(|| ids[a].cmp(&ids[b]))
                .then_with(|| top[a].0.cmp(&top[b].0))
        });
        let top: Vec<Entry> = order.into_iter().map(|i| top[i].0).collect();
        Ok((
            total,
            facets,
            top.into_iter()
                .skip(self.offset)
                .take(self.limit.max(1))
                .map(|e| (e.key, e.doc))
                .collect(),
        ))
    }
}

impl SearchSegmentCollector {
    fn key(&self, doc: DocId, score: f64) -> Key {
        let d = self
            .date
            .as_ref()
            .and_then(|c| c.first(doc))
            .map_or(f64::MIN, |d| d as f64);
        let k = u64::MAX - self.idkey.as_ref().and_then(|c| c.first(doc)).unwrap_or(0);
        match self.sort {
            Sort::Relevance => (score, d, k),
            Sort::Date => (d, score, k),
        }
    }
}

impl SegmentCollector for SearchSegmentCollector {
    type Fruit = SegmentFruit;

    #[inline]
    fn collect(&mut self, doc: DocId, score: Score) {
        self.count += 1;
        let data = &*self.data;
        let d = doc as usize;
        if let (Some(&s), Some(&e)) = (data.offsets.get(d), data.offsets.get(d + 1)) {
            for &v in &data.values[s as usize..e as usize] {
                self.counts[usize::from(v)] += 1;
            }
        }
        let document = self.prior
            && data
                .documents
                .get(d / 64)
                .is_some_and(|w| w & (1 << (d % 64)) != 0);
        let score = f64::from(if document {
            score * DOCUMENT_PRIOR
        } else {
            score
        });
        if self.heap.len() >= self.k {
            if let (Sort::Relevance, Some(worst)) = (self.sort, self.heap.peek()) {
                if score < worst.key.0 {
                    return;
                }
            }
        }
        let entry = Entry {
            key: self.key(doc, score),
            ord: self
                .ids
                .as_ref()
                .and_then(|c| c.term_ords(doc).next())
                .unwrap_or(u64::MAX),
            doc: DocAddress::new(self.segment, doc),
        };
        if self.heap.len() < self.k {
            self.heap.push(entry);
        } else if let Some(mut worst) = self.heap.peek_mut() {
            if entry < *worst {
                *worst = entry;
            }
        }
    }

    fn harvest(self) -> SegmentFruit {
        SegmentFruit {
            count: self.count,
            counts: self.counts,
            data: self.data,
            top: self.heap.into_vec(),
            ids: self.ids,
        }
    }
}
