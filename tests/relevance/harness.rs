//! The relevance harness: judged queries, ranking metrics and the table.
//!
//! Shared by the floor test (`tests/relevance.rs`) and the comparison with a
//! plain tantivy index (`benches/relevance.rs`), through `#[path]`.
//!
//! Metrics, all at a cut-off of 10 and averaged over queries:
//! - nDCG@10 with gain `2^grade - 1` (a record's grade is the best grade
//!   any of its judgments gives it, pages included);
//! - MRR@10: reciprocal rank of the first judged record;
//! - Recall@10: judged records found in the top 10, over judged records;
//! - page hit@10 (queries judged on a page only): 1 when a top-10 hit is that
//!   document and names a judged page among its pages.

#![allow(dead_code)]

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

/// One judgment: a record (or a page of a document) and how well it answers.
#[derive(Debug, Clone, Deserialize)]
pub struct Judgment {
    pub id: String,
    #[serde(default)]
    pub page: Option<u32>,
    pub grade: u8,
}

/// A judged query.
#[derive(Debug, Clone, Deserialize)]
pub struct JudgedQuery {
    pub id: String,
    pub lang: String,
    pub kind: String,
    pub query: String,
    pub judgments: Vec<Judgment>,
}

/// What a system returned for one query, best first.
#[derive(Debug, Clone, Default)]
pub struct Ranked {
    pub id: String,
    pub pages: Vec<u32>,
}

/// Runs a judged query through Answerbank: its top 10, pages included.
pub fn answerbank_ranking(engine: &engine::Engine, query: &str) -> Vec<Ranked> {
    let request = engine::SearchRequest {
        limit: 10,
        ..engine::SearchRequest::new(query)
    };
    engine
        .search(&request)
        .expect("a judged query must not fail")
        .hits
        .into_iter()
        .map(|h| Ranked {
            id: h.id,
            pages: h.pages.iter().map(|p| p.page).collect(),
        })
        .collect()
}

/// The held-out query set's directory under the judged set's: written by
/// someone who has not tuned the engine, reported as its own rows and never
/// under floors (its queries are not printed either).
pub const HELDOUT_DIR: &str = "heldout";

/// The held-out queries (`dir/heldout/*.jsonl`), empty when there are none.
pub fn load_heldout(dir: &Path) -> Vec<JudgedQuery> {
    let dir = dir.join(HELDOUT_DIR);
    if dir.is_dir() {
        load_queries(&dir)
    } else {
        Vec::new()
    }
}

/// Reads every `*.jsonl` file of `dir` (sorted by name; not sub-directories).
pub fn load_queries(dir: &Path) -> Vec<JudgedQuery> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("relevance dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read judged queries");
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let query: JudgedQuery = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}:{}: {e}", file.display(), n + 1));
            out.push(query);
        }
    }
    out
}

/// Scores of one query.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scores {
    pub ndcg: f64,
    pub mrr: f64,
    pub recall: f64,
    /// `None` when the query has no page judgment.
    pub page_hit: Option<f64>,
}

/// Scores one query's ranking against its judgments.
pub fn score(query: &JudgedQuery, ranked: &[Ranked]) -> Scores {
    let mut grades: HashMap<&str, u8> = HashMap::new();
    for j in &query.judgments {
        let g = grades.entry(j.id.as_str()).or_insert(0);
        *g = (*g).max(j.grade);
    }
    let top = &ranked[..ranked.len().min(10)];
    let gain = |g: u8| f64::from((1u32 << g) - 1);
    let discount = |i: usize| 1.0 / ((i + 2) as f64).log2();
    let mut seen = std::collections::HashSet::new();
    let mut dcg = 0.0;
    let mut first = None;
    let mut found = 0usize;
    for (i, hit) in top.iter().enumerate() {
        if !seen.insert(hit.id.as_str()) {
            continue;
        }
        if let Some(&g) = grades.get(hit.id.as_str()) {
            dcg += gain(g) * discount(i);
            first.get_or_insert(i);
            found += 1;
        }
    }
    let mut ideal: Vec<u8> = grades.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, &g)| gain(g) * discount(i))
        .sum();
    let page_judgments: Vec<&Judgment> = query
        .judgments
        .iter()
        .filter(|j| j.page.is_some())
        .collect();
    let page_hit = (!page_judgments.is_empty()).then(|| {
        let hit = top.iter().any(|r| {
            page_judgments
                .iter()
                .any(|j| j.id == r.id && r.pages.contains(&j.page.unwrap_or(0)))
        });
        if hit {
            1.0
        } else {
            0.0
        }
    });
    Scores {
        ndcg: if idcg > 0.0 { dcg / idcg } else { 0.0 },
        mrr: first.map_or(0.0, |i| 1.0 / (i + 1) as f64),
        recall: if grades.is_empty() {
            0.0
        } else {
            found as f64 / grades.len() as f64
        },
        page_hit,
    }
}

/// Averages of a group of queries.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    pub queries: usize,
    pub ndcg: f64,
    pub mrr: f64,
    pub recall: f64,
    pub page_queries: usize,
    pub page_hit: f64,
}

fn summarize(scores: &[Scores]) -> Summary {
    let n = scores.len().max(1) as f64;
    let pages: Vec<f64> = scores.iter().filter_map(|s| s.page_hit).collect();
    Summary {
        queries: scores.len(),
        ndcg: scores.iter().map(|s| s.ndcg).sum::<f64>() / n,
        mrr: scores.iter().map(|s| s.mrr).sum::<f64>() / n,
        recall: scores.iter().map(|s| s.recall).sum::<f64>() / n,
        page_queries: pages.len(),
        page_hit: if pages.is_empty() {
            0.0
        } else {
            pages.iter().sum::<f64>() / pages.len() as f64
        },
    }
}

/// The harness's result: overall, per language and per kind.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub overall: Summary,
    pub per_language: BTreeMap<String, Summary>,
    pub per_kind: BTreeMap<String, Summary>,
    /// Queries whose nDCG@10 is 0, for reading.
    pub misses: Vec<String>,
}

/// Runs every query through `search` and summarizes.
pub fn evaluate(queries: &[JudgedQuery], mut search: impl FnMut(&str) -> Vec<Ranked>) -> Report {
    let mut all = Vec::new();
    let mut by_lang: BTreeMap<String, Vec<Scores>> = BTreeMap::new();
    let mut by_kind: BTreeMap<String, Vec<Scores>> = BTreeMap::new();
    let mut misses = Vec::new();
    for query in queries {
        let ranked = search(&query.query);
        let scores = score(query, &ranked);
        if scores.ndcg == 0.0 {
            misses.push(format!("{} [{}] {}", query.id, query.kind, query.query));
        }
        all.push(scores);
        by_lang.entry(query.lang.clone()).or_default().push(scores);
        by_kind.entry(query.kind.clone()).or_default().push(scores);
    }
    Report {
        overall: summarize(&all),
        per_language: by_lang
            .iter()
            .map(|(k, v)| (k.clone(), summarize(v)))
            .collect(),
        per_kind: by_kind
            .iter()
            .map(|(k, v)| (k.clone(), summarize(v)))
            .collect(),
        misses,
    }
}

/// One query's scores and what the system returned, for reading a run
/// query by query (`cargo bench --bench relevance -- --queries FILE`).
pub fn per_query_line(query: &JudgedQuery, ranked: &[Ranked]) -> String {
    let s = score(query, ranked);
    let judged: HashMap<&str, u8> = query
        .judgments
        .iter()
        .map(|j| (j.id.as_str(), j.grade))
        .collect();
    let top: Vec<String> = ranked
        .iter()
        .take(10)
        .map(|r| {
            let short = r.id.rsplit('/').next().unwrap_or(&r.id);
            match judged.get(r.id.as_str()) {
                Some(g) => format!("{short}*{g}"),
                None => short.to_string(),
            }
        })
        .collect();
    format!(
        "{}\t{}\t{:.3}\t{}\t{}",
        query.id,
        query.kind,
        s.ndcg,
        query.query,
        top.join(" ")
    )
}

/// A Markdown table of one or more systems' reports, side by side on nDCG@10.
pub fn table(systems: &[(&str, &Report)]) -> String {
    table_labeled(systems, "")
}

/// [`table`] with every group label prefixed by `prefix` (`heldout `).
pub fn table_labeled(systems: &[(&str, &Report)], prefix: &str) -> String {
    let mut out = String::new();
    let names: Vec<&str> = systems.iter().map(|(n, _)| *n).collect();
    let first = systems[0].1;
    write!(
        out,
        "| group | queries | nDCG@10 | MRR@10 | Recall@10 | page hit@10 |"
    )
    .unwrap();
    for name in &names[1..] {
        write!(out, " nDCG@10 {name} |").unwrap();
    }
    out.push('\n');
    out.push_str("|---|---:|---:|---:|---:|---:|");
    for _ in &names[1..] {
        out.push_str("---:|");
    }
    out.push('\n');
    let mut row = |label: &str, pick: &dyn Fn(&Report) -> Option<Summary>| {
        let Some(s) = pick(first) else { return };
        let page = if s.page_queries > 0 {
            format!("{:.3} ({})", s.page_hit, s.page_queries)
        } else {
            "–".to_string()
        };
        write!(
            out,
            "| {label} | {} | {:.3} | {:.3} | {:.3} | {page} |",
            s.queries, s.ndcg, s.mrr, s.recall
        )
        .unwrap();
        for (_, other) in &systems[1..] {
            match pick(other) {
                Some(o) => write!(out, " {:.3} |", o.ndcg).unwrap(),
                None => out.push_str(" – |"),
            }
        }
        out.push('\n');
    };
    let all = if prefix.is_empty() {
        "**all**".to_string()
    } else {
        format!("**{}all**", prefix)
    };
    row(&all, &|r| Some(r.overall));
    for lang in first.per_language.keys() {
        row(&format!("{prefix}lang {lang}"), &|r| {
            r.per_language.get(lang).copied()
        });
    }
    for kind in first.per_kind.keys() {
        row(&format!("{prefix}kind {kind}"), &|r| {
            r.per_kind.get(kind).copied()
        });
    }
    out
}
