//! Profiling at scale (ignored by default; run in release):
//! `cargo test --release -p answerbank-engine perf -- --ignored --nocapture`
//! Grows the shipped corpus's Q&As to `ANSWERBANK_PERF_N` records (100k)
//! with the benchmark generator and prints the slowest queries.

#[path = "../../../benches/support/generate.rs"]
mod generate;

use crate::{Engine, SearchRequest};
use std::path::Path;
use std::time::Instant;

#[test]
#[ignore]
fn perf_profile() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
    let sample = ingest::ingest(&root, &ingest::IngestOptions::default(), &|_| {})
        .unwrap()
        .records;
    let n: usize = std::env::var("ANSWERBANK_PERF_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let mut records = generate::generate(42, n, &sample);
    records.extend(sample.iter().cloned());
    let queries = generate::queries(7, 50, &sample);
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path()).unwrap();
    let t = Instant::now();
    engine
        .ingest_records(records.clone(), Vec::new(), &|_| {})
        .unwrap();
    println!("ingest {n}: {:.1} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let r = engine.ingest_records(records, Vec::new(), &|_| {}).unwrap();
    println!(
        "re-run: {:.2} s, unchanged {}",
        t.elapsed().as_secs_f64(),
        r.unchanged
    );
    // Warm up.
    for (_, q) in &queries {
        engine.search(&SearchRequest::new(q.as_str())).unwrap();
    }
    for n in &crate::search::prof::NANOS {
        n.store(0, std::sync::atomic::Ordering::Relaxed);
    }
    // The machine is shared: each query runs 5 times and keeps its fastest
    // run (the intrinsic cost); the first run of each is reported too.
    let mut times = Vec::new();
    let mut firsts = Vec::new();
    for (_, q) in &queries {
        let mut full = f64::MAX;
        let mut bare = f64::MAX;
        let mut total = 0;
        for round in 0..5 {
            let t = Instant::now();
            let r = engine.search(&SearchRequest::new(q.as_str())).unwrap();
            let ms = t.elapsed().as_secs_f64() * 1e3;
            if round == 0 {
                firsts.push(ms);
            }
            full = full.min(ms);
            total = r.total;
            let t = Instant::now();
            engine
                .search(&SearchRequest {
                    limit: 0,
                    ..SearchRequest::new(q.as_str())
                })
                .unwrap();
            bare = bare.min(t.elapsed().as_secs_f64() * 1e3);
        }
        times.push((full, bare, total, q.clone()));
    }
    firsts.sort_by(f64::total_cmp);
    let first = |p: f64| firsts[((firsts.len() - 1) as f64 * p) as usize];
    println!(
        "first runs: p50 {:.2} ms  p95 {:.2}  p99 {:.2}",
        first(0.5),
        first(0.95),
        first(0.99)
    );
    let phases: Vec<String> = crate::search::prof::NANOS
        .iter()
        .zip(["query+collect", "hits", "pages", "snippets (in hits)"])
        .map(|(n, name)| {
            let ms = n.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e6;
            format!("{name} {ms:.1} ms")
        })
        .collect();
    println!(
        "phases over all runs (with and without hits): {}",
        phases.join(", ")
    );
    let mut sorted: Vec<f64> = times.iter().map(|t| t.0).collect();
    sorted.sort_by(f64::total_cmp);
    let pct = |p: f64| sorted[((sorted.len() - 1) as f64 * p) as usize];
    println!(
        "p50 {:.2} ms  p95 {:.2}  p99 {:.2}",
        pct(0.5),
        pct(0.95),
        pct(0.99)
    );
    times.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (full, bare, total, q) in times.iter().take(25) {
        println!("{full:7.2} ms (no hits {bare:6.2})  total {total:6}  {q}");
    }
}

/// Where a broad query's time goes: count only, + facets, + top docs.
#[test]
#[ignore]
fn perf_collectors() {
    use crate::query::{default_min_match, Builder, Target};
    use tantivy::collector::{Count, FacetCollector, TopDocs};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
    let sample = ingest::ingest(&root, &ingest::IngestOptions::default(), &|_| {})
        .unwrap()
        .records;
    let records = generate::generate(42, 100_000, &sample);
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path()).unwrap();
    engine.ingest_records(records, Vec::new(), &|_| {}).unwrap();
    let searcher = engine.reader.searcher();
    println!("segments: {}", searcher.segment_readers().len());
    for q in [
        "famille",
        "plan CPMS",
        "format and duration",
        "how GBV",
        "niñez para los",
    ] {
        let parsed = crate::syntax::parse(q);
        let b = Builder::new(
            &searcher,
            Target::records(&engine.fields),
            analysis::detect(q),
        );
        let built = b.build(q, &parsed, default_min_match);
        let query = engine.assemble(&built, &engine.filter_clauses(&Default::default()));
        let time = |f: &dyn Fn()| {
            let mut best = f64::MAX;
            for _ in 0..5 {
                let t = Instant::now();
                f();
                best = best.min(t.elapsed().as_secs_f64() * 1e3);
            }
            best
        };
        let facets = || {
            let mut f = FacetCollector::for_field("facets");
            for root in ["/type", "/language", "/topic", "/country", "/year"] {
                f.add_facet(root);
            }
            f
        };
        let build = time(&|| {
            let b = Builder::new(
                &searcher,
                Target::records(&engine.fields),
                analysis::detect(q),
            );
            std::hint::black_box(b.build(q, &parsed, default_min_match).query.is_some());
        });
        let count = time(&|| {
            searcher.search(&*query, &Count).unwrap();
        });
        let top = time(&|| {
            searcher
                .search(&*query, &TopDocs::with_limit(10).order_by_score())
                .unwrap();
        });
        let with_facets = time(&|| {
            searcher.search(&*query, &(Count, facets())).unwrap();
        });
        let all = time(&|| {
            searcher
                .search(
                    &*query,
                    &(
                        Count,
                        facets(),
                        TopDocs::with_limit(10)
                            .tweak_score(crate::search::key_fn(crate::Sort::Relevance)),
                    ),
                )
                .unwrap();
        });
        let total = searcher.search(&*query, &Count).unwrap();
        println!(
            "{q:24} total {total:6}: build {build:.2} ms, count {count:.2}, top10 (WAND) {top:.2}, count+facets {with_facets:.2}, count+facets+top {all:.2}"
        );
    }
}

/// A persistent 100k index (built once in `ANSWERBANK_PERF_DIR`, default
/// `/tmp/answerbank-perf-100k`) and the benchmark's query mix, run on one
/// thread for `ANSWERBANK_PERF_SECS` seconds (default 10): q/s, p50, p99
/// and the phases. Meant for `perf record` on the test binary:
/// `cargo test --release -p answerbank-engine --lib perf_loop -- --ignored --nocapture`
#[test]
#[ignore]
fn perf_loop() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
    let sample = ingest::ingest(&root, &ingest::IngestOptions::default(), &|_| {})
        .unwrap()
        .records;
    let env = |name: &str| std::env::var(name).ok();
    let n: usize = env("ANSWERBANK_PERF_N")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = env("ANSWERBANK_PERF_DIR").unwrap_or_else(|| format!("/tmp/answerbank-perf-{n}"));
    let secs: f64 = env("ANSWERBANK_PERF_SECS")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10.0);
    let threads: usize = env("ANSWERBANK_PERF_THREADS")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let engine = Engine::open(Path::new(&dir)).unwrap();
    if engine.stats().unwrap().records == 0 {
        let t = Instant::now();
        let records = generate::generate(42, n, &sample);
        engine.ingest_records(records, Vec::new(), &|_| {}).unwrap();
        println!("ingest {n}: {:.1} s", t.elapsed().as_secs_f64());
    }
    if env("ANSWERBANK_PERF_MERGE").is_some() {
        // One segment: what a search costs without per-segment overhead.
        let ids = engine.index.searchable_segment_ids().unwrap();
        if ids.len() > 1 {
            let mut writer: tantivy::IndexWriter<tantivy::TantivyDocument> =
                engine.index.writer(50_000_000).unwrap();
            writer.merge(&ids).wait().unwrap();
            writer.wait_merging_threads().unwrap();
        }
        engine.reader.reload().unwrap();
        println!(
            "segments: {}",
            engine.reader.searcher().segment_readers().len()
        );
    }
    let queries = generate::queries(7, 200, &sample);
    let only = env("ANSWERBANK_PERF_QUERY");
    let queries: Vec<String> = match only {
        Some(q) => vec![q],
        None => queries.into_iter().map(|(_, q)| q).collect(),
    };
    for q in &queries {
        engine.search(&SearchRequest::new(q.as_str())).unwrap();
    }
    for n in &crate::search::prof::NANOS {
        n.store(0, std::sync::atomic::Ordering::Relaxed);
    }
    let start = Instant::now();
    let mut lat: Vec<f64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (engine, queries) = (&engine, &queries);
                scope.spawn(move || {
                    let cpu0 = thread_cpu_ns();
                    let mut lat = Vec::new();
                    let mut i = t * queries.len() / threads;
                    while start.elapsed().as_secs_f64() < secs {
                        let q = &queries[i % queries.len()];
                        let t = Instant::now();
                        std::hint::black_box(
                            engine.search(&SearchRequest::new(q.as_str())).unwrap(),
                        );
                        lat.push(t.elapsed().as_secs_f64() * 1e3);
                        i += 1;
                    }
                    CPU_NS.fetch_add(thread_cpu_ns() - cpu0, std::sync::atomic::Ordering::Relaxed);
                    lat
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let elapsed = start.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((lat.len() - 1) as f64 * p).round() as usize];
    println!(
        "{threads} thread(s): {:.0} q/s, p50 {:.2} ms, p95 {:.2}, p99 {:.2} ({} searches)",
        lat.len() as f64 / elapsed,
        pct(0.5),
        pct(0.95),
        pct(0.99),
        lat.len()
    );
    let phases: Vec<String> = crate::search::prof::NANOS
        .iter()
        .zip(["query+collect", "hits", "pages", "snippets (in hits)"])
        .map(|(n, name)| {
            let ms = n.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e6;
            format!(
                "{name} {:.1}%",
                ms / (elapsed * 1e3 * threads as f64) * 100.0
            )
        })
        .collect();
    println!("phases (share of wall time): {}", phases.join(", "));
    let cpu_s = CPU_NS.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e9;
    println!(
        "CPU: {:.2} s for {} searches = {:.0} searches per CPU second ({:.3} ms CPU each)",
        cpu_s,
        lat.len(),
        lat.len() as f64 / cpu_s,
        cpu_s * 1e3 / lat.len() as f64
    );
}

static CPU_NS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// CPU time of the calling thread, nanoseconds (Linux schedstat: robust to
/// the other load of a shared machine, unlike wall time).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Where the time of the query mix goes, part by part, over the
/// persistent index of `perf_loop` (build it with `perf_loop` first).
#[test]
#[ignore]
fn perf_parts() {
    use crate::query::{default_min_match, Builder, Target};
    use tantivy::collector::{Count, FacetCollector, TopDocs};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
    let sample = ingest::ingest(&root, &ingest::IngestOptions::default(), &|_| {})
        .unwrap()
        .records;
    let dir = std::env::var("ANSWERBANK_PERF_DIR")
        .unwrap_or_else(|_| "/tmp/answerbank-perf-100000".to_string());
    let engine = Engine::open(Path::new(&dir)).unwrap();
    let queries = generate::queries(7, 200, &sample);
    let searcher = engine.reader.searcher();
    println!("segments: {}", searcher.segment_readers().len());
    let facets = || {
        let mut f = FacetCollector::for_field("facets");
        for root in ["/type", "/language", "/topic", "/country", "/year"] {
            f.add_facet(root);
        }
        f
    };
    let mut totals = Vec::new();
    let mut t = [0f64; 7];
    for round in 0..2 {
        for (_, q) in &queries {
            let mut lap = |i: usize, f: &mut dyn FnMut()| {
                let s = Instant::now();
                f();
                if round == 1 {
                    t[i] += s.elapsed().as_secs_f64() * 1e3;
                }
            };
            let parsed = crate::syntax::parse(q);
            let mut query = None;
            lap(0, &mut || {
                let b = Builder::new(
                    &searcher,
                    Target::records(&engine.fields),
                    analysis::detect(q),
                );
                let built = b.build(q, &parsed, default_min_match);
                query = Some(engine.assemble(&built, &engine.filter_clauses(&Default::default())));
            });
            let query = query.unwrap();
            let mut total = 0;
            lap(1, &mut || total = searcher.search(&*query, &Count).unwrap());
            lap(2, &mut || {
                searcher
                    .search(&*query, &TopDocs::with_limit(10).order_by_score())
                    .unwrap();
            });
            lap(3, &mut || {
                searcher.search(&*query, &(Count, facets())).unwrap();
            });
            lap(4, &mut || {
                searcher
                    .search(
                        &*query,
                        &(
                            Count,
                            TopDocs::with_limit(10)
                                .tweak_score(crate::search::key_fn(crate::Sort::Relevance)),
                        ),
                    )
                    .unwrap();
            });
            lap(5, &mut || {
                searcher
                    .search(
                        &*query,
                        &(
                            Count,
                            facets(),
                            TopDocs::with_limit(10)
                                .tweak_score(crate::search::key_fn(crate::Sort::Relevance)),
                        ),
                    )
                    .unwrap();
            });
            lap(6, &mut || {
                engine.search(&SearchRequest::new(q.as_str())).unwrap();
            });
            if round == 1 {
                totals.push(total);
            }
        }
    }
    let n = queries.len() as f64;
    for (name, ms) in [
        "build",
        "count (no scoring)",
        "top10 by score (pruned)",
        "count+facets (no scoring)",
        "count+top10 tweaked",
        "count+facets+top10 tweaked",
        "engine.search",
    ]
    .iter()
    .zip(t)
    {
        println!("{name:28} {:.3} ms/query", ms / n);
    }
    totals.sort_unstable();
    let p = |x: f64| totals[((totals.len() - 1) as f64 * x) as usize];
    println!(
        "matches: p10 {} p50 {} p90 {} max {} mean {:.0}",
        p(0.1),
        p(0.5),
        p(0.9),
        p(1.0),
        totals.iter().sum::<usize>() as f64 / n
    );
}

/// More-like-this over the persistent index of `perf_loop` (build it with
/// `perf_loop` first): every 997th record id, 5 similar records each.
#[test]
#[ignore]
fn perf_similar() {
    let dir = std::env::var("ANSWERBANK_PERF_DIR")
        .unwrap_or_else(|_| "/tmp/answerbank-perf-100000".to_string());
    let engine = Engine::open(Path::new(&dir)).unwrap();
    let searcher = engine.reader.searcher();
    let mut ids = Vec::new();
    for segment in searcher.segment_readers() {
        let Some(column) = segment.fast_fields().str("id").unwrap() else {
            continue;
        };
        let mut id = String::new();
        for ord in (0..column.num_terms() as u64).step_by(997) {
            column.ord_to_str(ord, &mut id).unwrap();
            ids.push(id.clone());
        }
    }
    let mut times = Vec::new();
    let mut hits = 0;
    for id in &ids {
        let t = Instant::now();
        if let Some(r) = engine.similar(id, 5).unwrap() {
            hits += r.hits.len();
        }
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "{} ids, {hits} hits: p50 {:.2} ms, p99 {:.2}, max {:.2}",
        ids.len(),
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
}
