//! Micro-benchmarks of the query path: `Engine::search` (parse, analysis in
//! four languages, glossary and lexicon expansion, collection, facets,
//! snippets) on an index of 20k generated Q&As (`support/generate.rs`, grown
//! from the sample corpus), one query of each kind a coordinator types, and
//! the same queries with `limit=0` (matching, counting and facets only: the
//! cost of the hits and snippets is the difference).
//!
//! Run: `cargo bench --bench query` (add `-- --quick` for a fast pass). The
//! index is built once, before the timed loops. Each timed loop checks it
//! found something, so a broken query cannot look fast.

#[path = "support/alloc.rs"]
mod alloc;
#[path = "support/generate.rs"]
mod generate;
#[path = "support/measure.rs"]
mod measure;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use engine::{Engine, SearchRequest};
use std::hint::black_box;
use std::path::Path;

/// Records in the benchmark index.
const RECORDS: usize = 20_000;

/// (label, query): one of each kind, in the four languages.
const QUERIES: [(&str, &str); 10] = [
    ("en-words", "family tracing for separated children"),
    ("en-typo", "psycosocial suport refferal"),
    ("fr-elision", "l'enfant non accompagné"),
    ("es-no-accents", "ninos no acompanados frontera"),
    ("ar-words", "إدارة الحالات للأطفال غير المصحوبين"),
    ("ar-variant", "حمايه الاطفال"),
    ("acronym", "CPIMS+"),
    ("phrase", "\"case management\" -training"),
    ("cross-lingual", "trabajo infantil mercados"),
    ("no-match", "quarterly budget spreadsheet xyzzy"),
];

fn bench_search(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample = measure::sample_records(&root.join("corpus"));
    let dir = tempfile::tempdir().expect("temp dir");
    let engine = Engine::open(dir.path()).expect("open the index");
    let records = generate::generate(42, RECORDS, &sample);
    let mut all = records;
    all.extend(sample.iter().cloned());
    engine
        .ingest_records(all, Vec::new(), &|_| {})
        .expect("ingest");

    let mut group = c.benchmark_group("search");
    for (label, q) in QUERIES {
        let full = SearchRequest::new(q);
        let found = engine.search(&full).expect("search").total;
        if label != "no-match" {
            assert!(found > 0, "{label}: {q:?} finds nothing");
        }
        group.bench_with_input(BenchmarkId::new("top10", label), &full, |b, req| {
            b.iter(|| {
                let r = engine.search(black_box(req)).expect("search");
                assert_eq!(r.total, found);
                r.hits.len()
            })
        });
        let mut count_only = SearchRequest::new(q);
        count_only.limit = 0;
        group.bench_with_input(
            BenchmarkId::new("count+facets", label),
            &count_only,
            |b, req| {
                b.iter(|| {
                    let r = engine.search(black_box(req)).expect("search");
                    assert_eq!(r.total, found);
                    r.facets.len()
                })
            },
        );
    }
    group.finish();

    let mut group = c.benchmark_group("suggest");
    for prefix in ["fam", "gest", "ninos", "حماي"] {
        group.bench_with_input(BenchmarkId::from_parameter(prefix), prefix, |b, p| {
            b.iter(|| engine.suggest(black_box(p), 5).expect("suggest").len())
        });
    }
    group.finish();
}

criterion_group!(benches, bench_search);
criterion_main!(benches);
