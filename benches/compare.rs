//! Answerbank beside what a helpdesk would use instead, on the same data and
//! queries, in one run: SQLite FTS5 and a plain tantivy index.
//!
//! ```text
//! cargo bench --bench compare                      # 10k and 100k records
//! cargo bench --bench compare -- --sizes 10k,100k,1m --write BENCHMARKS.md
//! ```
//! For each size: ingest throughput, index size on disk, the re-run over the
//! unchanged corpus, and query latency (p50/p95/p99) and queries/s, on one
//! thread and on all cores, for a fixed query mix (200 queries a language),
//! with snippets and facets as the API returns them. Prints a Markdown table
//! with the ratios (Answerbank ÷ reference) and, with `--write FILE`, writes
//! it there with the machine, date and commit.

#[path = "support/alloc.rs"]
mod alloc;
#[path = "support/generate.rs"]
mod generate;
#[path = "support/measure.rs"]
mod measure;
#[path = "support/plain.rs"]
mod plain;
#[path = "support/sqlite.rs"]
mod sqlite;

use analysis::Lang;
use engine::{Engine, SearchRequest};
use measure::{dir_size, human_bytes, Latencies};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

struct Options {
    sizes: Vec<usize>,
    per_lang: usize,
    write: Option<PathBuf>,
    /// Systems to run (`answerbank`, `sqlite`, `plain`); all by default.
    systems: Vec<String>,
    /// Skip the query measurements (ingest, size and re-run only).
    no_queries: bool,
    /// Skip the PDF extraction comparison.
    no_pdf: bool,
}

fn options() -> Options {
    let mut opts = Options {
        sizes: vec![10_000, 100_000],
        per_lang: 200,
        write: None,
        systems: vec!["answerbank".into(), "sqlite".into(), "plain".into()],
        no_queries: false,
        no_pdf: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--sizes" => {
                opts.sizes = args
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(measure::parse_size)
                    .collect()
            }
            "--queries-per-lang" => {
                opts.per_lang = args.next().and_then(|v| v.parse().ok()).unwrap_or(200)
            }
            "--write" => opts.write = args.next().map(PathBuf::from),
            "--systems" => {
                opts.systems = args
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(str::to_string)
                    .collect()
            }
            "--no-queries" => opts.no_queries = true,
            "--no-pdf" => opts.no_pdf = true,
            "--help" | "-h" => {
                eprintln!(
                    "compare [--sizes 10k,100k,1m] [--queries-per-lang N] [--write FILE]\n        \
                     [--systems answerbank,sqlite,plain] [--no-queries] [--no-pdf]"
                );
                std::process::exit(0);
            }
            _ => {} // cargo bench passes --bench
        }
    }
    opts
}

struct Row {
    system: &'static str,
    size: usize,
    ingest_rps: f64,
    /// CPU seconds (all threads) the ingest took: the work, whatever else
    /// runs on a shared machine.
    ingest_cpu_s: f64,
    disk: u64,
    rerun_s: Option<f64>,
    single: Latencies,
    multi_qps: f64,
}

fn main() {
    let opts = options();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample = measure::sample_records(&root.join("corpus"));
    let mut queries = generate::queries(7, opts.per_lang, &sample);
    if opts.no_queries {
        queries.truncate(1);
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    eprintln!(
        "sample: {} records; query mix: {} queries; {threads} cores",
        sample.len(),
        queries.len()
    );
    let mut rows = Vec::new();
    for &size in &opts.sizes {
        let records = generate::generate(42, size, &sample);
        let run = |name: &str| opts.systems.iter().any(|s| s == name);
        if run("answerbank") {
            rows.push(bench_answerbank(&records, &queries, threads));
        }
        if run("sqlite") {
            rows.push(bench_sqlite(&records, &queries, threads));
        }
        if run("plain") {
            rows.push(bench_plain(&records, &queries, threads));
        }
        drop(records);
    }
    let mut table = render(&rows, threads, queries.len());
    if !opts.no_pdf {
        table.push_str(&bench_pdf(&root.join("corpus"), threads));
    }
    println!("{table}");
    if let Some(path) = opts.write {
        let doc = measure::document("Answerbank against SQLite FTS5 and plain tantivy", &table);
        std::fs::write(&path, doc).expect("write the benchmark table");
        eprintln!("wrote {}", path.display());
    }
}

fn bench_answerbank(records: &[ingest::Record], queries: &[(Lang, String)], threads: usize) -> Row {
    let dir = tempfile::tempdir().expect("temp dir");
    let engine = Engine::open(dir.path()).expect("open engine");
    // The engine takes the records by value: the copy is made before the
    // clock starts (it is the caller's data, not ingest work).
    let input = records.to_vec();
    let cpu_start = measure::cpu_seconds();
    let start = Instant::now();
    engine
        .ingest_records(input, Vec::new(), &|_| {})
        .expect("ingest");
    let ingest_s = start.elapsed().as_secs_f64();
    let ingest_cpu_s = measure::cpu_seconds() - cpu_start;
    let input = records.to_vec();
    let start = Instant::now();
    let rerun = engine
        .ingest_records(input, Vec::new(), &|_| {})
        .expect("re-ingest");
    let rerun_s = start.elapsed().as_secs_f64();
    eprintln!(
        "answerbank {}: ingest {:.1} s ({:.0} rec/s, {:.1} CPU s), re-run {:.2} s, {}",
        records.len(),
        ingest_s,
        records.len() as f64 / ingest_s,
        ingest_cpu_s,
        rerun_s,
        human_bytes(dir_size(dir.path()))
    );
    assert_eq!(
        rerun.unchanged,
        records.len(),
        "the re-run must find every record unchanged"
    );
    let search = |q: &str| {
        let response = engine.search(&SearchRequest::new(q)).expect("search");
        std::hint::black_box(response.hits.len());
    };
    let single = Latencies::measure(queries, search);
    let multi_qps = measure::throughput(queries, threads, search);
    eprintln!("answerbank {}: done", records.len());
    Row {
        system: "answerbank",
        size: records.len(),
        ingest_rps: records.len() as f64 / ingest_s,
        ingest_cpu_s,
        disk: dir_size(dir.path()),
        rerun_s: Some(rerun_s),
        single,
        multi_qps,
    }
}

fn bench_sqlite(records: &[ingest::Record], queries: &[(Lang, String)], threads: usize) -> Row {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("fts.db");
    let mut db = sqlite::Fts5::create(&path).expect("create fts5");
    let cpu_start = measure::cpu_seconds();
    let start = Instant::now();
    for chunk in records.chunks(10_000) {
        db.insert(chunk).expect("insert");
    }
    let ingest_s = start.elapsed().as_secs_f64();
    let ingest_cpu_s = measure::cpu_seconds() - cpu_start;
    let single = Latencies::measure(queries, |q| {
        std::hint::black_box(db.search(q).expect("fts5 search"));
    });
    // One connection per thread, as SQLite wants.
    let conns: Vec<std::sync::Mutex<sqlite::Fts5>> = (0..threads)
        .map(|_| std::sync::Mutex::new(sqlite::Fts5::create(&path).expect("open fts5")))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let multi_qps = measure::throughput(queries, threads, |q| {
        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % conns.len();
        let conn = conns[i].lock().expect("connection lock");
        std::hint::black_box(conn.search(q).expect("fts5 search"));
    });
    eprintln!("sqlite {}: done", records.len());
    Row {
        system: "sqlite-fts5",
        size: records.len(),
        ingest_rps: records.len() as f64 / ingest_s,
        ingest_cpu_s,
        disk: dir_size(dir.path()),
        rerun_s: None,
        single,
        multi_qps,
    }
}

fn bench_plain(records: &[ingest::Record], queries: &[(Lang, String)], threads: usize) -> Row {
    let dir = tempfile::tempdir().expect("temp dir");
    let cpu_start = measure::cpu_seconds();
    let start = Instant::now();
    let index = plain::Plain::build(dir.path(), records).expect("plain index");
    let ingest_s = start.elapsed().as_secs_f64();
    let ingest_cpu_s = measure::cpu_seconds() - cpu_start;
    let search = |q: &str| {
        std::hint::black_box(index.search(q).expect("plain search"));
    };
    let single = Latencies::measure(queries, search);
    let multi_qps = measure::throughput(queries, threads, search);
    eprintln!("plain tantivy {}: done", records.len());
    Row {
        system: "plain-tantivy",
        size: records.len(),
        ingest_rps: records.len() as f64 / ingest_s,
        ingest_cpu_s,
        disk: dir_size(dir.path()),
        rerun_s: None,
        single,
        multi_qps,
    }
}

fn render(rows: &[Row], threads: usize, queries: usize) -> String {
    let mut out = String::new();
    writeln!(
        out,
        "Query mix: {queries} queries (four languages), top 10 with snippets and facet counts. \
         Latencies on one thread; queries/s also on all {threads} cores. \
         Ingest CPU s: CPU time of all the process's threads during the ingest \
         (the work done, which a busy shared machine inflates less than the \
         wall-clock rate).\n"
    )
    .unwrap();
    out.push_str("| records | system | ingest rec/s | ingest CPU s | index size | re-run unchanged | p50 ms | p95 ms | p99 ms | q/s 1 thread | q/s all cores |\n");
    out.push_str("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for r in rows {
        writeln!(
            out,
            "| {} | {} | {:.0} | {:.1} | {} | {} | {:.2} | {:.2} | {:.2} | {:.0} | {:.0} |",
            r.size,
            r.system,
            r.ingest_rps,
            r.ingest_cpu_s,
            human_bytes(r.disk),
            r.rerun_s.map_or("–".to_string(), |s| format!("{s:.2} s")),
            r.single.p50_ms(),
            r.single.p95_ms(),
            r.single.p99_ms(),
            r.single.qps(),
            r.multi_qps
        )
        .unwrap();
    }
    out.push_str("\nRatios (Answerbank ÷ reference; above 1 is better for rates, below 1 for latency and size):\n\n");
    out.push_str("| records | reference | ingest rate | index size | p50 | p99 | q/s all cores |\n|---:|---|---:|---:|---:|---:|---:|\n");
    for ours in rows.iter().filter(|r| r.system == "answerbank") {
        for other in rows
            .iter()
            .filter(|r| r.size == ours.size && r.system != "answerbank")
        {
            writeln!(
                out,
                "| {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
                ours.size,
                other.system,
                ours.ingest_rps / other.ingest_rps,
                ours.disk as f64 / other.disk.max(1) as f64,
                ours.single.p50_ms() / other.single.p50_ms(),
                ours.single.p99_ms() / other.single.p99_ms(),
                ours.multi_qps / other.multi_qps
            )
            .unwrap();
        }
    }
    out
}

/// PDF extraction pages/s: our extractor (worker processes, all cores)
/// beside `pdftotext` (as many at once as cores) on the same files: the
/// corpus's PDFs, copied 10 times so the run lasts long enough to measure.
fn bench_pdf(corpus: &Path, threads: usize) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut pdfs = Vec::new();
    for entry in walkdir::WalkDir::new(corpus)
        .into_iter()
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "pdf") && !path.to_string_lossy().contains("/.") {
            pdfs.push(path.to_path_buf());
        }
    }
    pdfs.sort();
    let mut copies = Vec::new();
    for round in 0..10 {
        for (i, pdf) in pdfs.iter().enumerate() {
            let target = dir.path().join(format!("r{round}-{i}.pdf"));
            std::fs::copy(pdf, &target).expect("copy pdf");
            copies.push(target);
        }
    }
    let options = ingest::IngestOptions {
        worker: Some(ingest::WorkerCommand {
            program: PathBuf::from(env!("CARGO_BIN_EXE_answerbank")),
            args: vec!["__extract-pdf".to_string()],
        }),
        threads,
        ..ingest::IngestOptions::default()
    };
    let start = Instant::now();
    let ingested = ingest::ingest(dir.path(), &options, &|_| {}).expect("extract");
    let ours_s = start.elapsed().as_secs_f64();
    let pages: usize = ingested.records.iter().map(|r| r.pages.len()).sum();
    let mut out = format!(
        "\nPDF extraction ({} PDFs of the corpus x 10 = {} files, {pages} pages, {threads} at once):\n\n\
         | extractor | pages/s | ratio |\n|---|---:|---:|\n| answerbank (pdf-extract in worker processes, Arabic repair) | {:.0} | 1.00 |\n",
        pdfs.len(),
        copies.len(),
        pages as f64 / ours_s
    );
    let have_pdftotext = std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok();
    if have_pdftotext {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let start = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(pdf) = copies.get(i) else { break };
                    let _ = std::process::Command::new("pdftotext")
                        .arg(pdf)
                        .arg("-")
                        .output();
                });
            }
        });
        let theirs_s = start.elapsed().as_secs_f64();
        out.push_str(&format!(
            "| pdftotext (poppler) | {:.0} | {:.2} |\n",
            pages as f64 / theirs_s,
            theirs_s / ours_s
        ));
    } else {
        out.push_str("| pdftotext | not installed | – |\n");
    }
    out
}
