//! Search, more-like-this and suggestions.

#[path = "collect.rs"]
pub(crate) mod collect;

use crate::engine::Engine;
use crate::error::Error;
use crate::index::Meta;
use crate::query::{default_min_match, Builder, Built, Highlight, Target};
use crate::schema::{country_key, date_key, KIND_PAGE, KIND_RECORD};
use crate::snippet::{self, SNIPPET_CHARS};
use crate::{Hit, PageHit, SearchRequest, SearchResponse, Sort, Suggestion};
use crate::{MAX_LIMIT, MAX_QUERY_CHARS};
use analysis::Lang;
use ingest::RecordKind;
use std::ops::Bound;
use std::time::Instant;
use tantivy::collector::TopDocs;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, FuzzyTermQuery, MoreLikeThisQuery, Occur, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, OwnedValue, Value};
use tantivy::{DocAddress, Score, Searcher, TantivyDocument, Term};

/// The deepest a search may page (`offset`).
pub const MAX_OFFSET: usize = 10_000;
/// Pages named per document hit.
pub const PAGES_PER_HIT: usize = 3;

/// The shortest last word `suggest` expands as a prefix.
pub const MIN_PREFIX_CHARS: usize = 2;

/// Relevance multiplier of documents (see `key_fn`). Measured on the judged
/// set with the coverage bonus: none gives pdf-page nDCG@10 0.727 (overall
/// 0.727), x1.15 gives 0.778 (overall 0.731); x1.3 without the coverage
/// bonus cost Spanish and typo queries their first answer.
pub const DOCUMENT_PRIOR: f32 = 1.15;

/// Below this many matches, a search adds related records (same topics and
/// glossary concepts as the matches) to fill its first page.
pub const RELATED_BELOW: usize = 10;

/// The query over a document's pages: content, exclusions, highlights.
type PageQuery = (Box<dyn Query>, Vec<Box<dyn Query>>, Highlight);

/// Validated filters of a request.
#[derive(Debug, Default)]
pub(crate) struct Filters {
    lang: Option<Lang>,
    kind: Option<RecordKind>,
    topic: Option<String>,
    country: Option<String>,
    from: Option<i64>,
    to: Option<i64>,
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn validate(req: &SearchRequest) -> Result<Filters, Error> {
    let chars = req.q.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(Error::invalid(format!(
            "query too long: {chars} characters (at most {MAX_QUERY_CHARS})"
        )));
    }
    if req.limit > MAX_LIMIT {
        return Err(Error::invalid(format!(
            "limit {} is too large (at most {MAX_LIMIT})",
            req.limit
        )));
    }
    if req.offset > MAX_OFFSET {
        return Err(Error::invalid(format!(
            "offset {} is too large (at most {MAX_OFFSET})",
            req.offset
        )));
    }
    let date = |name: &str, value: &Option<String>| -> Result<Option<i64>, Error> {
        match nonempty(value) {
            None => Ok(None),
            Some(v) => date_key(&v).map(Some).ok_or_else(|| {
                Error::invalid(format!("{name}: {v:?} is not a date (expected YYYY-MM-DD)"))
            }),
        }
    };
    let from = date("from", &req.from)?;
    // `to` is inclusive: a bare year or month means its end.
    let to = match nonempty(&req.to) {
        Some(v) if v.len() == 4 => date("to", &Some(format!("{v}-12-31")))?,
        Some(v) if v.len() == 7 => {
            let first = date("to", &Some(v.clone()))?;
            first.map(|d| d + 30)
        }
        other => date("to", &other)?,
    };
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(Error::invalid(format!(
                "from ({}) is after to ({})",
                crate::schema::date_string(f),
                crate::schema::date_string(t)
            )));
        }
    }
    Ok(Filters {
        lang: req.lang,
        kind: req.kind,
        topic: nonempty(&req.topic).map(|t| t.to_lowercase()),
        country: nonempty(&req.country).map(|c| country_key(&c)),
        from,
        to,
    })
}

fn boxed(q: impl Query) -> Box<dyn Query> {
    Box::new(q)
}

fn filter(q: impl Query) -> (Occur, Box<dyn Query>) {
    (Occur::Must, boxed(ConstScoreQuery::new(boxed(q), 0.0)))
}

fn term(field: Field, text: &str) -> TermQuery {
    TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic)
}

/// A hit's sort key: (score, date, reversed id prefix) for relevance,
/// (date, score, reversed id prefix) for date. Undated records have the
/// smallest date.
type Key = (f64, f64, u64);

#[cfg(test)]
pub(crate) fn key_fn(
    sort: Sort,
) -> impl Fn(&tantivy::SegmentReader) -> Box<dyn Fn(tantivy::DocId, Score) -> Key> + Send + Sync {
    move |segment: &tantivy::SegmentReader| {
        let ff = segment.fast_fields();
        let date = ff.i64("date").ok();
        let idkey = ff.u64("idkey").ok();
        // Documents are long, so BM25's length normalization sinks them
        // below short answers that say less: a prior lifts them back.
        let types = ff.str("type").ok().flatten();
        let document = types.as_ref().and_then(|t| {
            t.dictionary()
                .term_ord(RecordKind::Document.as_str().as_bytes())
                .ok()
                .flatten()
        });
        Box::new(move |doc: tantivy::DocId, score: Score| {
            let score = match (&types, document) {
                (Some(t), Some(ord)) if t.term_ords(doc).next() == Some(ord) => {
                    score * DOCUMENT_PRIOR
                }
                _ => score,
            };
            let d = date
                .as_ref()
                .and_then(|c| c.first(doc))
                .map_or(f64::MIN, |d| d as f64);
            let k = u64::MAX - idkey.as_ref().and_then(|c| c.first(doc)).unwrap_or(0);
            match sort {
                Sort::Relevance => (f64::from(score), d, k),
                Sort::Date => (d, f64::from(score), k),
            }
        })
    }
}

/// A collector's error: [`Error::Timeout`] when `deadline` has passed (the
/// collector stopped at it), the error itself otherwise.
fn timed_out(deadline: Option<Instant>, err: tantivy::TantivyError) -> Error {
    if collect::past(deadline) {
        Error::Timeout
    } else {
        Error::Tantivy(err)
    }
}

/// [`Error::Timeout`] once `deadline` has passed.
fn check_deadline(deadline: Option<Instant>) -> Result<(), Error> {
    if collect::past(deadline) {
        Err(Error::Timeout)
    } else {
        Ok(())
    }
}

impl Engine {
    pub(crate) fn filter_clauses(&self, f: &Filters) -> Vec<(Occur, Box<dyn Query>)> {
        let fl = &self.fields;
        let mut out = vec![filter(term(fl.kind, KIND_RECORD))];
        if let Some(lang) = f.lang {
            out.push(filter(term(fl.lang, lang.code())));
        }
        if let Some(kind) = f.kind {
            out.push(filter(term(fl.kind_type, kind.as_str())));
        }
        if let Some(topic) = &f.topic {
            out.push(filter(term(fl.topic, topic)));
        }
        if let Some(country) = &f.country {
            out.push(filter(term(fl.country, country)));
        }
        if f.from.is_some() || f.to.is_some() {
            let bound = |v: Option<i64>| match v {
                Some(v) => Bound::Included(Term::from_field_i64(fl.date, v)),
                None => Bound::Unbounded,
            };
            out.push(filter(RangeQuery::new(bound(f.from), bound(f.to))));
        }
        out
    }

    pub(crate) fn assemble(
        &self,
        built: &Built,
        filters: &[(Occur, Box<dyn Query>)],
    ) -> Box<dyn Query> {
        // The first filter keeps records (not pages or stored blobs); the
        // content fields exist on records only, so a content query needs
        // it not (an intersection with most of the index saved per match).
        let skip = usize::from(built.query.is_some());
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = filters
            .iter()
            .skip(skip)
            .map(|(o, q)| (*o, q.box_clone()))
            .collect();
        match &built.query {
            Some(q) => clauses.push((Occur::Must, q.box_clone())),
            None => clauses.push(filter(AllQuery)),
        }
        for q in &built.excluded {
            clauses.push((Occur::MustNot, q.box_clone()));
        }
        if clauses.len() == 1 && clauses[0].0 == Occur::Must {
            if let Some((_, q)) = clauses.pop() {
                return q;
            }
        }
        boxed(BooleanQuery::new(clauses))
    }

    /// Runs a search: see [`SearchRequest`] for the syntax and filters.
    ///
    /// Ranking: BM25 over the per-language fields (title x2), the detected
    /// language boosted (x1.2) only when reliable, glossary concepts (x0.4)
    /// and typo corrections (x0.8) below exact words, plus a bonus per
    /// query word matched; documents x1.15. From three words on, half of
    /// them must match (falling back to any word, ranked by how many, when
    /// that finds fewer than [`RELATED_BELOW`] records).
    /// Fewer than [`RELATED_BELOW`] matches bring records on the same
    /// topics and concepts after them (relevance sort only; counted in
    /// `total`, not in `facets`; `explain` marks them). Ties: score, then
    /// date (newest first, undated last), then id (ascending), at the cut
    /// too: the same hits whatever the index's segment layout (related
    /// records likewise). Facets count every match.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResponse, Error> {
        self.search_until(req, None)
    }

    /// [`Engine::search`] that gives up with [`Error::Timeout`] once
    /// `deadline` has passed: the clock is read while matches are collected
    /// (every [`collect::DEADLINE_CHECK_EVERY`] matches) and between hits,
    /// so a search that runs too long stops using the core instead of
    /// finishing an answer nobody waits for.
    pub fn search_until(
        &self,
        req: &SearchRequest,
        deadline: Option<Instant>,
    ) -> Result<SearchResponse, Error> {
        let start = Instant::now();
        let timed_out = |err| timed_out(deadline, err);
        let check = || check_deadline(deadline);
        let filters = validate(req)?;
        let searcher = self.reader.searcher();
        let parsed = crate::syntax::parse(&req.q);
        let detection = analysis::detect(&req.q);
        let mut builder = Builder::new(&searcher, Target::records(&self.fields), detection);
        builder.explain = req.explain;
        builder.records = searcher.doc_freq(&self.kind_term(KIND_RECORD))?;
        let filter_clauses = self.filter_clauses(&filters);
        let mut built = builder.build(&req.q, &parsed, default_min_match);
        let mut relaxed = false;
        let mut query = self.assemble(&built, &filter_clauses);
        let collector = collect::SearchCollector {
            limit: req.limit,
            offset: req.offset,
            sort: req.sort,
            prior: true,
            deadline,
        };
        let (mut total, mut facets, mut docs) =
            searcher.search(&*query, &collector).map_err(timed_out)?;
        // Few records hold enough of the words: rank every record holding
        // any of them instead (the coverage bonus still puts those with
        // more words first), as when none does.
        if total < RELATED_BELOW && default_min_match(built.content_groups) > 1 {
            builder.leaves.borrow_mut().clear();
            built = builder.build(&req.q, &parsed, |_| 1);
            relaxed = true;
            query = self.assemble(&built, &filter_clauses);
            (total, facets, docs) = searcher.search(&*query, &collector).map_err(timed_out)?;
        }
        check()?;
        // Few matches: add records on the same topics and concepts, below
        // them (in any language: topics and concepts are language-neutral).
        let mut related: Vec<(Score, DocAddress)> = Vec::new();
        let matched = total;
        if req.sort == Sort::Relevance
            && built.query.is_some()
            && total > 0
            && total < RELATED_BELOW
        {
            related = self.related(
                &searcher,
                &query,
                &built,
                &filter_clauses,
                RELATED_BELOW - total,
            )?;
            total += related.len();
        }
        // This page's share of the related records (they follow the matches).
        let mut docs: Vec<(Key, DocAddress, bool)> =
            docs.into_iter().map(|(k, a)| (k, a, false)).collect();
        let end = (req.offset + req.limit).min(total);
        for (i, (score, addr)) in related.into_iter().enumerate() {
            let position = matched + i;
            if position >= req.offset && position < end {
                docs.push(((f64::from(score), 0.0, 0), addr, true));
            }
        }
        if req.limit == 0 {
            docs.clear();
        }
        prof::lap(0, start);
        let mut hits = Vec::with_capacity(docs.len());
        // The page query is the same for every document hit: built once.
        let mut page_query: Option<Option<PageQuery>> = None;
        for (key, addr, is_related) in docs {
            check()?;
            let score = match req.sort {
                Sort::Relevance => key.0 as f32,
                Sort::Date => key.1 as f32,
            };
            let t = Instant::now();
            let (mut hit, body) =
                self.hit(&searcher, addr, score, &built.highlight, !parsed.is_empty())?;
            prof::lap(1, t);
            if hit.kind == RecordKind::Document && !parsed.is_empty() {
                let t = Instant::now();
                let pq = page_query.get_or_insert_with(|| {
                    let mut b =
                        Builder::new(&searcher, Target::pages(&self.fields), builder.detection);
                    b.glossary = builder.glossary;
                    b.records = builder.records;
                    let built = b.build(&req.q, &parsed, |_| 1);
                    built.query.map(|q| (q, built.excluded, built.highlight))
                });
                if let Some((content, excluded, hl)) = pq {
                    let (pages, best) = self.pages(&searcher, &**content, excluded, hl, &hit.id)?;
                    hit.pages = pages;
                    // The best page's passage is the document's passage: no
                    // need to cut one from the whole text.
                    if let Some(best) = best {
                        hit.snippets[0] = best;
                    }
                }
                prof::lap(2, t);
            }
            if let Some(body) = body {
                if hit.pages.is_empty() {
                    hit.snippets[0] =
                        snippet::snippet(&body, hit.language, &built.highlight, SNIPPET_CHARS);
                }
            }
            if req.explain {
                hit.explain = Some(explain(
                    &searcher,
                    &*query,
                    &builder.leaves.borrow(),
                    addr,
                    score,
                    relaxed,
                )?);
            }
            if is_related {
                // Not a match: said in `explain` (a `related` flag on `Hit`
                // is proposed to the lead; adding it breaks struct literals).
                if let Some(explain) = hit.explain.as_mut() {
                    explain.insert_str(
                        0,
                        "related record: not a match; it shares topics and glossary \
                         concepts with the few records that matched, and ranks below them.\n",
                    );
                }
            }
            hits.push(hit);
        }
        Ok(SearchResponse {
            total: total as u64,
            hits,
            facets,
            language: if detection.reliable {
                detection.lang
            } else {
                Lang::Und
            },
            took_ms: start.elapsed().as_secs_f64() * 1e3,
        })
    }

    /// Up to `n` records sharing at least two topics or title concepts with
    /// the (few) records `query` matched, not matching it themselves, under
    /// the same filters and exclusions; scored below every match.
    fn related(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        built: &Built,
        filters: &[(Occur, Box<dyn Query>)],
        n: usize,
    ) -> Result<Vec<(Score, DocAddress)>, Error> {
        let fl = &self.fields;
        let seeds = searcher.search(query, &TopDocs::with_limit(RELATED_BELOW).order_by_score())?;
        let Some(floor) = seeds.iter().map(|(s, _)| *s).reduce(f32::min) else {
            return Ok(Vec::new());
        };
        let records = searcher.doc_freq(&self.kind_term(KIND_RECORD))?.max(1) as f64;
        let mut features: Vec<Term> = Vec::new();
        let mut seed_ids: Vec<Term> = Vec::new();
        for (_, addr) in &seeds {
            let doc: TantivyDocument = searcher.doc(*addr)?;
            if let Some(id) = doc.get_first(fl.id).and_then(|v| v.as_str()) {
                seed_ids.push(Term::from_field_text(fl.id, id));
            }
            let meta: Meta = doc
                .get_first(fl.meta)
                .and_then(|v| v.as_str())
                .and_then(|m| serde_json::from_str(m).ok())
                .unwrap_or_default();
            let title = doc
                .get_first(fl.title_raw)
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            let lang = meta.lang.unwrap_or(Lang::Und);
            let mut terms: Vec<Term> = meta
                .topics
                .iter()
                .map(|t| Term::from_field_text(fl.topic, &t.trim().to_lowercase()))
                .collect();
            for c in crate::glossary::concepts(lang, title, "") {
                terms.push(Term::from_field_text(fl.concepts_title, &c));
            }
            for t in terms {
                // Features most records share say nothing.
                let df = searcher.doc_freq(&t)? as f64;
                if df > 0.0 && df < 0.3 * records && !features.contains(&t) {
                    features.push(t);
                }
            }
        }
        if features.len() < 2 {
            return Ok(Vec::new());
        }
        let like = BooleanQuery::with_minimum_required_clauses(
            features
                .into_iter()
                .map(|t| {
                    (
                        Occur::Should,
                        boxed(TermQuery::new(t, IndexRecordOption::WithFreqs)),
                    )
                })
                .collect(),
            2,
        );
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            filters.iter().map(|(o, q)| (*o, q.box_clone())).collect();
        clauses.push((Occur::Must, boxed(like)));
        // (All the matches are seeds: fewer than RELATED_BELOW matched.)
        for id in seed_ids {
            clauses.push((
                Occur::MustNot,
                boxed(TermQuery::new(id, IndexRecordOption::Basic)),
            ));
        }
        for q in &built.excluded {
            clauses.push((Occur::MustNot, q.box_clone()));
        }
        // Ties broken by date, then id, as for matches (not by the segment
        // layout).
        let (_, _, found) = searcher.search(
            &BooleanQuery::new(clauses),
            &collect::SearchCollector {
                limit: n.max(1),
                offset: 0,
                sort: Sort::Relevance,
                prior: false,
                deadline: None,
            },
        )?;
        let found: Vec<(Score, DocAddress)> = found
            .into_iter()
            .map(|(key, addr)| (key.0 as Score, addr))
            .collect();
        let top = found.first().map_or(1.0, |(s, _)| s.max(f32::MIN_POSITIVE));
        Ok(found
            .into_iter()
            .take(n)
            .map(|(s, addr)| (floor * 0.5 * (s / top), addr))
            .collect())
    }

    /// Builds a hit from its stored fields. With `defer_paged`, a paged
    /// document's body passage is left empty and its body returned, to be
    /// cut only when no page matched.
    fn hit(
        &self,
        searcher: &Searcher,
        addr: DocAddress,
        score: Score,
        hl: &Highlight,
        defer_paged: bool,
    ) -> Result<(Hit, Option<String>), Error> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let text = |field: Field| first_text(&doc, field);
        let id = text(self.fields.id);
        let meta: Meta =
            serde_json::from_str(&text(self.fields.meta)).map_err(|e| Error::Corrupt {
                id: id.clone(),
                message: e.to_string(),
            })?;
        let lang = meta.lang.unwrap_or(Lang::Und);
        let title = text(self.fields.title_raw);
        let body = text(self.fields.body_raw);
        let deferred = defer_paged && meta.paged;
        let t = Instant::now();
        let snippets = vec![if deferred {
            crate::Snippet::default()
        } else {
            snippet::snippet(&body, lang, hl, SNIPPET_CHARS)
        }];
        let title_highlights = snippet::title_highlights(&title, lang, hl);
        prof::lap(3, t);
        let hit = Hit {
            id,
            kind: meta.kind.unwrap_or(RecordKind::Qa),
            title,
            title_highlights,
            language: lang,
            score,
            snippets,
            pages: Vec::new(),
            date: meta.date,
            country: meta.country,
            topics: meta.topics,
            source: meta.source,
            explain: None,
        };
        Ok((hit, deferred.then_some(body)))
    }

    /// The best pages of document `id` for the page query `content`, with
    /// short passages, and the best page's full passage (the hit's).
    fn pages(
        &self,
        searcher: &Searcher,
        content: &dyn Query,
        excluded: &[Box<dyn Query>],
        hl: &Highlight,
        id: &str,
    ) -> Result<(Vec<PageHit>, Option<crate::Snippet>), Error> {
        let mut clauses = vec![
            (Occur::Must, content.box_clone()),
            filter(term(self.fields.kind, KIND_PAGE)),
            filter(term(self.fields.id, id)),
        ];
        for q in excluded {
            clauses.push((Occur::MustNot, q.box_clone()));
        }
        let query = BooleanQuery::new(clauses);
        let top = searcher.search(&query, &TopDocs::with_limit(PAGES_PER_HIT).order_by_score())?;
        let mut out = Vec::with_capacity(top.len());
        let mut best = None;
        for (i, (_, addr)) in top.into_iter().enumerate() {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let page = doc
                .get_first(self.fields.page)
                .and_then(|v| v.as_u64())
                .unwrap_or(0);
            let text = doc
                .get_first(self.fields.body_raw)
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            let lang = doc
                .get_first(self.fields.meta)
                .and_then(|v| v.as_str())
                .and_then(|m| serde_json::from_str::<Meta>(m).ok())
                .and_then(|m| m.lang)
                .unwrap_or(Lang::Und);
            out.push(PageHit {
                page: u32::try_from(page).unwrap_or(u32::MAX),
                // Short: the best page's full passage is the hit's own
                // (`snippets[0]`); a page's is a hint of what it says.
                snippet: snippet::snippet(text, lang, hl, snippet::PAGE_SNIPPET_CHARS),
            });
            if i == 0 {
                best = Some(snippet::snippet(text, lang, hl, SNIPPET_CHARS));
            }
        }
        Ok((out, best))
    }

    /// Records like record `id` (same words, same glossary concepts), best
    /// first, the record itself excluded; `None` when `id` is unknown.
    pub fn similar(&self, id: &str, limit: usize) -> Result<Option<SearchResponse>, Error> {
        self.similar_until(id, limit, None)
    }

    /// [`Engine::similar`] that gives up with [`Error::Timeout`] once
    /// `deadline` has passed (checked as in [`Engine::search_until`]).
    pub fn similar_until(
        &self,
        id: &str,
        limit: usize,
        deadline: Option<Instant>,
    ) -> Result<Option<SearchResponse>, Error> {
        let start = Instant::now();
        if limit > MAX_LIMIT {
            return Err(Error::invalid(format!(
                "limit {limit} is too large (at most {MAX_LIMIT})"
            )));
        }
        let searcher = self.reader.searcher();
        let fl = &self.fields;
        let find = BooleanQuery::intersection(vec![
            boxed(term(fl.id, id)),
            boxed(term(fl.kind, KIND_RECORD)),
        ]);
        let Some((_, addr)) = searcher
            .search(&find, &TopDocs::with_limit(1).order_by_score())?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let doc: TantivyDocument = searcher.doc(addr)?;
        let text = |field: Field| first_text(&doc, field);
        let meta: Meta = serde_json::from_str(&text(fl.meta)).unwrap_or_default();
        let lang = meta.lang.unwrap_or(Lang::Und);
        let title = text(fl.title_raw);
        let body = text(fl.body_raw);
        // Und text is in every language field; the English ones will do.
        let slot = crate::schema::lang_slot(lang).unwrap_or(0);
        let chain = crate::schema::LANGS[slot];
        let (tf, bf) = (fl.title[slot], fl.body[slot]);
        let records = searcher.doc_freq(&self.kind_term(KIND_RECORD))?;
        // The language fields hold tokens the ingest analyzed (their
        // tokenizer replays them): the record's text goes in analyzed the
        // same way, or more-like-this would see one token per field.
        let replayed = |text: &str| OwnedValue::Str(crate::index::replay_text(chain, text));
        let mlt = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(1)
            .with_max_doc_frequency((records / 3).max(2))
            .with_min_term_frequency(1)
            .with_max_query_terms(30)
            .with_min_word_length(2)
            .with_document_fields(vec![
                (tf, vec![replayed(&title)]),
                (bf, vec![replayed(&body)]),
            ]);
        let mut like: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, boxed(mlt))];
        for concept in crate::glossary::concepts(lang, &title, &body) {
            like.push((Occur::Should, boxed(term(fl.concepts, &concept))));
        }
        let query = BooleanQuery::new(vec![
            (Occur::Must, boxed(BooleanQuery::new(like))),
            filter(term(fl.kind, KIND_RECORD)),
            (Occur::MustNot, boxed(term(fl.id, id))),
        ]);
        let top = collect::SearchCollector {
            limit: limit.max(1),
            offset: 0,
            sort: Sort::Relevance,
            prior: true,
            deadline,
        };
        let (total, facets, docs) = searcher
            .search(&query, &top)
            .map_err(|err| timed_out(deadline, err))?;
        let hl = Highlight::default();
        let mut hits = Vec::new();
        if limit > 0 {
            for (key, addr) in docs {
                check_deadline(deadline)?;
                hits.push(self.hit(&searcher, addr, key.0 as f32, &hl, false)?.0);
            }
        }
        Ok(Some(SearchResponse {
            total: total as u64,
            hits,
            facets,
            language: lang,
            took_ms: start.elapsed().as_secs_f64() * 1e3,
        }))
    }

    /// Past questions (Q&A titles, any language) that contain the typed
    /// words, the last one as a prefix (`case manag` -> "case management
    /// ..."), best first.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<Suggestion>, Error> {
        if prefix.chars().count() > MAX_QUERY_CHARS {
            return Err(Error::invalid(format!(
                "query too long (at most {MAX_QUERY_CHARS} characters)"
            )));
        }
        if limit > MAX_LIMIT {
            return Err(Error::invalid(format!(
                "limit {limit} is too large (at most {MAX_LIMIT})"
            )));
        }
        let tokens: Vec<String> = analysis::analyze(Lang::Und, prefix);
        if tokens.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let open = !prefix.ends_with(char::is_whitespace);
        let (complete, last) = if open {
            (&tokens[..tokens.len() - 1], tokens.last())
        } else {
            (&tokens[..], None)
        };
        // A one-letter prefix would expand to a good part of the dictionary
        // on every keystroke: wait for the second letter.
        let last = last.filter(|l| l.chars().count() >= MIN_PREFIX_CHARS);
        if complete.is_empty() && last.is_none() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let fl = &self.fields;
        let run = |distance: u8| -> Result<Vec<(Score, DocAddress)>, Error> {
            let mut clauses = vec![
                filter(term(fl.kind, KIND_RECORD)),
                filter(term(fl.kind_type, RecordKind::Qa.as_str())),
            ];
            for t in complete {
                clauses.push((
                    Occur::Must,
                    boxed(TermQuery::new(
                        Term::from_field_text(fl.title_any, t),
                        IndexRecordOption::WithFreqs,
                    )),
                ));
            }
            if let Some(last) = last {
                let q = FuzzyTermQuery::new_prefix(
                    Term::from_field_text(fl.title_any, last),
                    distance,
                    true,
                );
                clauses.push((Occur::Must, boxed(q)));
            }
            Ok(searcher.search(
                &BooleanQuery::new(clauses),
                &TopDocs::with_limit(limit).order_by_score(),
            )?)
        };
        let mut docs = run(0)?;
        if docs.is_empty() && last.is_some_and(|l| l.chars().count() >= 4) {
            docs = run(1)?;
        }
        let mut out = Vec::with_capacity(docs.len());
        for (_, addr) in docs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let text = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let title = text(fl.title_raw);
            let meta: Meta = serde_json::from_str(&text(fl.meta)).unwrap_or_default();
            let highlights = suggestion_highlights(&title, complete, last.map(String::as_str));
            out.push(Suggestion {
                id: text(fl.id),
                title,
                language: meta.lang.unwrap_or(Lang::Und),
                highlights,
            });
        }
        Ok(out)
    }
}

/// Phase timings for the profiling test (no-ops outside tests).
pub(crate) mod prof {
    #[cfg(test)]
    pub static NANOS: [std::sync::atomic::AtomicU64; 4] =
        [const { std::sync::atomic::AtomicU64::new(0) }; 4];

    /// Adds the time since `since` to phase `i`.
    #[inline]
    pub fn lap(i: usize, since: std::time::Instant) {
        #[cfg(test)]
        NANOS[i].fetch_add(
            since.elapsed().as_nanos() as u64,
            std::sync::atomic::Ordering::Relaxed,
        );
        #[cfg(not(test))]
        let _ = (i, since);
    }
}

/// Why `addr` scored `score`: the clauses it matched, each with its BM25
/// (or constant) score and weight; tantivy's full explanation follows in
/// release builds (in debug builds tantivy's explain trips a debug
/// assertion on nested boolean queries).
fn explain(
    searcher: &Searcher,
    query: &dyn Query,
    leaves: &[crate::query::Leaf],
    addr: DocAddress,
    score: Score,
    relaxed: bool,
) -> Result<String, Error> {
    use std::fmt::Write;
    use tantivy::query::EnableScoring;
    use tantivy::DocSet;
    let segment = searcher.segment_reader(addr.segment_ord);
    let mut out = format!(
        "score {score:.4}: per query word, the best language's match plus {tie} x the others \
         (title x{title}, corrections of a typo x{fuzzy}, glossary concepts \
         x{exp}), plus {cover} per query word matched; documents x{prior}; \
         ties broken by date (newest first), then id.\n",
        tie = crate::query::TIE_BREAKER,
        title = crate::query::TITLE_BOOST,
        fuzzy = crate::query::FUZZY_WEIGHT,
        exp = crate::query::EXPANSION_WEIGHT,
        cover = crate::query::COVERAGE_BONUS,
        prior = DOCUMENT_PRIOR,
    );
    if relaxed {
        out.push_str("no record matched enough of the words, so any word was enough.\n");
    }
    out.push_str("matched clauses (field:terms  raw score x weight):\n");
    let mut any = false;
    for leaf in leaves {
        let weight = leaf
            .query
            .weight(EnableScoring::enabled_from_searcher(searcher))?;
        let mut scorer = weight.scorer(segment, 1.0)?;
        if scorer.doc() > addr.doc_id || scorer.seek(addr.doc_id) != addr.doc_id {
            continue;
        }
        any = true;
        let raw = scorer.score();
        let _ = writeln!(
            out,
            "  {}  {raw:.4} x {:.2} = {:.4}",
            leaf.label,
            leaf.weight,
            raw * leaf.weight
        );
    }
    if !any {
        out.push_str("  (none: the record matched the filters only)\n");
    }
    if !cfg!(debug_assertions) {
        if let Ok(e) = query.explain(searcher, addr) {
            out.push_str("tantivy explanation:\n");
            out.push_str(&e.to_pretty_json());
        }
    }
    Ok(out)
}

/// Char spans of `title`'s words equal to a complete word or starting
/// with the last (open) one, on neutral forms.
fn suggestion_highlights(title: &str, complete: &[String], last: Option<&str>) -> Vec<[usize; 2]> {
    let mut out = Vec::new();
    for t in analysis::analyze_tokens(Lang::Und, title) {
        let hit = complete.contains(&t.text) || last.is_some_and(|l| t.text.starts_with(l));
        if hit {
            let s = title[..t.offset_from].chars().count();
            let e = s + title[t.offset_from..t.offset_to].chars().count();
            if out.last().is_none_or(|l: &[usize; 2]| l[1] <= s) {
                out.push([s, e]);
            }
        }
    }
    out
}

/// The first stored text of `field` in `doc` (empty when there is none).
fn first_text(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}
