//! The plain tantivy reference: what a naive tantivy app gets. tantivy's
//! `default` analyzer on a title and a body field, QueryParser (lenient) over
//! both, top 10 by BM25, a body snippet per hit and facet counts. PDF pages
//! are indexed as their own documents and folded into their record, so the
//! app can name pages too.

#![allow(dead_code)]

use ingest::Record;
use std::collections::{BTreeMap, HashMap};
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::QueryParser;
use tantivy::schema::{Facet, FacetOptions, Field, Schema, Value, STORED, STRING, TEXT};
use tantivy::snippet::SnippetGenerator;
use tantivy::{doc, Index, IndexReader, ReloadPolicy, TantivyDocument};

pub struct Plain {
    index: Index,
    reader: IndexReader,
    id: Field,
    page: Field,
    title: Field,
    body: Field,
    facets: Field,
}

pub struct PlainHit {
    pub id: String,
    pub pages: Vec<u32>,
    pub snippet: String,
}

impl Plain {
    pub fn build(dir: &std::path::Path, records: &[Record]) -> tantivy::Result<Plain> {
        let mut builder = Schema::builder();
        let id = builder.add_text_field("id", STRING | STORED);
        let page = builder.add_u64_field("page", STORED);
        let title = builder.add_text_field("title", TEXT | STORED);
        let body = builder.add_text_field("body", TEXT | STORED);
        let facets = builder.add_facet_field("facets", FacetOptions::default());
        let index = Index::create_in_dir(dir, builder.build())?;
        let mut writer = index.writer(200_000_000)?;
        for r in records {
            let mut d = doc!(id => r.id.clone(), page => 0u64, title => r.title.clone(), body => r.body.clone());
            d.add_facet(facets, Facet::from_path(["language", r.language.code()]));
            for t in &r.topics {
                d.add_facet(facets, Facet::from_path(["topic", t.as_str()]));
            }
            if let Some(c) = &r.country {
                d.add_facet(facets, Facet::from_path(["country", c.as_str()]));
            }
            if let Some(y) = r.date.as_deref().and_then(|d| d.get(..4)) {
                d.add_facet(facets, Facet::from_path(["year", y]));
            }
            writer.add_document(d)?;
            for p in &r.pages {
                writer.add_document(doc!(id => r.id.clone(), page => u64::from(p.number),
                    title => r.title.clone(), body => p.text.clone()))?;
            }
        }
        writer.commit()?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Plain {
            index,
            reader,
            id,
            page,
            title,
            body,
            facets,
        })
    }

    /// Top 10 records (pages folded in), facet counts and total matches.
    #[allow(clippy::type_complexity)]
    pub fn search(
        &self,
        query: &str,
    ) -> tantivy::Result<(
        Vec<PlainHit>,
        BTreeMap<String, BTreeMap<String, u64>>,
        usize,
    )> {
        let searcher = self.reader.searcher();
        let parser = QueryParser::for_index(&self.index, vec![self.title, self.body]);
        let (q, _errors) = parser.parse_query_lenient(query);
        let mut facet_collector = FacetCollector::for_field("facets");
        for root in ["/language", "/topic", "/country", "/year"] {
            facet_collector.add_facet(root);
        }
        let (top, facet_counts, total) = searcher.search(
            &q,
            &(
                TopDocs::with_limit(30).order_by_score(),
                facet_collector,
                Count,
            ),
        )?;
        let snippets = SnippetGenerator::create(&searcher, &*q, self.body)?;
        let mut hits: Vec<PlainHit> = Vec::new();
        let mut slot: HashMap<String, usize> = HashMap::new();
        for (_score, address) in top {
            let d: TantivyDocument = searcher.doc(address)?;
            let id = d
                .get_first(self.id)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string();
            let page = d.get_first(self.page).and_then(|v| v.as_u64()).unwrap_or(0) as u32;
            let at = *slot.entry(id.clone()).or_insert_with(|| {
                hits.push(PlainHit {
                    id: id.clone(),
                    pages: Vec::new(),
                    snippet: String::new(),
                });
                hits.len() - 1
            });
            if page > 0 {
                hits[at].pages.push(page);
            }
            if hits[at].snippet.is_empty() && at < 10 {
                hits[at].snippet = snippets.snippet_from_doc(&d).to_html();
            }
        }
        hits.truncate(10);
        let mut facets = BTreeMap::new();
        for root in ["language", "topic", "country", "year"] {
            let counts: BTreeMap<String, u64> = facet_counts
                .get(&format!("/{root}"))
                .map(|(f, c)| {
                    (
                        f.to_path()
                            .last()
                            .map(|s| s.to_string())
                            .unwrap_or_default(),
                        c,
                    )
                })
                .collect();
            facets.insert(root.to_string(), counts);
        }
        Ok((hits, facets, total))
    }
}
