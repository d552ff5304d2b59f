//! Search quality beside a plain tantivy index: runs the judged query set
//! (`tests/relevance/*.jsonl`) through Answerbank and through tantivy's
//! default analyzer on the same records, and prints both tables.
//!
//! ```text
//! cargo bench --bench relevance [-- --write FILE] [--queries FILE]
//! ```
//!
//! `--queries FILE` writes one line per judged query (id, kind, nDCG@10,
//! query, top 10 with `*grade` on judged hits), for reading a run. When
//! `tests/relevance/heldout/*.jsonl` exist, the held-out set is measured
//! too and reported as its own rows (`heldout lang ..`, `heldout kind ..`);
//! its queries are never printed or written.

#[path = "../tests/relevance/harness.rs"]
mod harness;
#[path = "support/measure.rs"]
mod measure;
#[path = "support/plain.rs"]
mod plain;

use harness::{evaluate, load_heldout, load_queries, per_query_line, table, table_labeled, Ranked};
use std::path::{Path, PathBuf};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let arg = |name: &str| {
        std::env::args()
            .skip_while(|a| a != name)
            .nth(1)
            .map(PathBuf::from)
    };
    let write = arg("--write");
    let per_query = arg("--queries");
    let queries = load_queries(&root.join("tests/relevance"));
    let heldout = load_heldout(&root.join("tests/relevance"));
    let options = ingest::IngestOptions {
        worker: Some(ingest::WorkerCommand {
            program: PathBuf::from(env!("CARGO_BIN_EXE_answerbank")),
            args: vec!["__extract-pdf".to_string()],
        }),
        ..ingest::IngestOptions::default()
    };

    let ours_dir = tempfile::tempdir().expect("temp dir");
    let engine = engine::Engine::open(ours_dir.path()).expect("open");
    engine
        .ingest_corpus(&root.join("corpus"), &options, &|_| {})
        .expect("ingest");
    let ours = evaluate(&queries, |q| harness::answerbank_ranking(&engine, q));
    if let Some(path) = &per_query {
        let lines: Vec<String> = queries
            .iter()
            .map(|q| per_query_line(q, &harness::answerbank_ranking(&engine, &q.query)))
            .collect();
        std::fs::write(path, lines.join("\n") + "\n").expect("write per-query lines");
        eprintln!("wrote {}", path.display());
    }
    let ours_heldout = evaluate(&heldout, |q| harness::answerbank_ranking(&engine, q));

    let records = ingest::ingest(&root.join("corpus"), &options, &|_| {})
        .expect("read corpus")
        .records;
    let plain_dir = tempfile::tempdir().expect("temp dir");
    let plain = plain::Plain::build(plain_dir.path(), &records).expect("plain index");
    let plain_ranking = |q: &str| -> Vec<Ranked> {
        plain
            .search(q)
            .expect("plain search")
            .0
            .into_iter()
            .map(|h| Ranked {
                id: h.id,
                pages: h.pages,
            })
            .collect()
    };
    let reference = evaluate(&queries, plain_ranking);
    let reference_heldout = evaluate(&heldout, plain_ranking);

    let mut out = format!(
        "{} judged queries; nDCG@10, MRR@10, Recall@10 and page hit@10 of Answerbank, \
         and nDCG@10 of a plain tantivy index (default analyzer, title+body, pages as documents).\n\n",
        queries.len()
    );
    out.push_str(&table(&[
        ("answerbank", &ours),
        ("plain tantivy", &reference),
    ]));
    if !heldout.is_empty() {
        out.push_str(&format!(
            "\nHeld-out set ({} queries in tests/relevance/heldout, not tuned on, no floors):\n\n",
            heldout.len()
        ));
        out.push_str(&table_labeled(
            &[
                ("answerbank", &ours_heldout),
                ("plain tantivy", &reference_heldout),
            ],
            "heldout ",
        ));
    }
    out.push_str("\nPlain tantivy, full:\n\n");
    out.push_str(&table(&[("plain tantivy", &reference)]));
    println!("{out}");
    for miss in &ours.misses {
        println!("answerbank nDCG 0: {miss}");
    }
    if let Some(path) = write {
        std::fs::write(
            &path,
            measure::document("Search quality (tests/relevance)", &out),
        )
        .expect("write");
        eprintln!("wrote {}", path.display());
    }
}
