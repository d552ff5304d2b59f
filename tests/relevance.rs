//! Search quality on the judged query set (`tests/relevance/*.jsonl`): every
//! judged query runs through the engine over the shipped corpus, and nDCG@10,
//! MRR@10, Recall@10 and page hit@10 must stay at or above the floors in
//! `tests/relevance/floors.json`. Floors come from a measurement and are only
//! ever raised. `cargo bench --bench relevance` prints the same table beside a
//! plain tantivy index. A held-out set (`tests/relevance/heldout/*.jsonl`,
//! when present) is measured and printed as its own rows, never under floors
//! and without its queries.

mod harness;

use harness::{evaluate, load_heldout, load_queries, table, table_labeled, Summary};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Deserialize)]
struct Floor {
    ndcg: f64,
    mrr: f64,
    recall: f64,
    #[serde(default)]
    page_hit: f64,
}

#[derive(Debug, Deserialize)]
struct Floors {
    overall: Floor,
    per_language: BTreeMap<String, Floor>,
    per_kind: BTreeMap<String, Floor>,
}

fn check(label: &str, got: &Summary, floor: &Floor, failures: &mut Vec<String>) {
    let pairs = [
        ("nDCG@10", got.ndcg, floor.ndcg),
        ("MRR@10", got.mrr, floor.mrr),
        ("Recall@10", got.recall, floor.recall),
        ("page hit@10", got.page_hit, floor.page_hit),
    ];
    for (name, value, min) in pairs {
        if value + 1e-9 < min {
            failures.push(format!("{label}: {name} {value:.3} < floor {min:.3}"));
        }
    }
}

#[test]
fn relevance_stays_above_the_floors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let queries = load_queries(&root.join("tests/relevance"));
    assert!(
        queries.len() >= 160,
        "the judged set has {} queries",
        queries.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let engine = crate::common::engine_over(&root.join("corpus"), dir.path());
    let report = evaluate(&queries, |q| harness::answerbank_ranking(&engine, q));
    println!("{}", table(&[("answerbank", &report)]));
    for miss in &report.misses {
        println!("nDCG 0: {miss}");
    }
    let heldout = load_heldout(&root.join("tests/relevance"));
    if !heldout.is_empty() {
        let held = evaluate(&heldout, |q| harness::answerbank_ranking(&engine, q));
        println!("{}", table_labeled(&[("answerbank", &held)], "heldout "));
    }
    let floors: Floors = serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/relevance/floors.json")).unwrap(),
    )
    .unwrap();
    let mut failures = Vec::new();
    check("all", &report.overall, &floors.overall, &mut failures);
    for (lang, floor) in &floors.per_language {
        let got = report.per_language.get(lang).copied().unwrap_or_default();
        check(&format!("lang {lang}"), &got, floor, &mut failures);
    }
    for (kind, floor) in &floors.per_kind {
        let got = report.per_kind.get(kind).copied().unwrap_or_default();
        check(&format!("kind {kind}"), &got, floor, &mut failures);
    }
    assert!(
        failures.is_empty(),
        "below the floors:\n{}",
        failures.join("\n")
    );
}
