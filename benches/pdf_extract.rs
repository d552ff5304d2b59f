//! PDF text extraction speed: Answerbank's extractor (pdf-extract page by
//! page plus the text repairs: in process, with one worker process per PDF,
//! and with the worker pool an `ingest` run keeps) beside poppler's `pdftotext`, on the same PDFs, in one run.
//!
//! Run with `cargo bench --bench pdf_extract [-- DIR ...] [-- --runs N]`.
//! Default folders: the test fixtures, the sample corpus, and
//! `../shared/pdfs-wild` when it exists. Only files that every extractor
//! reads count in the totals, so the columns compare the same pages. Each
//! file is timed `--runs` times (default 3) and its fastest run kept. The
//! pdftotext column is left out when `pdftotext` is not on `PATH`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(30);

fn main() {
    // pdf-extract panics on some pages (caught and counted by the
    // extractor); keep their messages out of the table.
    std::panic::set_hook(Box::new(|_| {}));
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut runs = 3usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(3).max(1),
            "--bench" => {}
            other if !other.starts_with('-') => dirs.push(PathBuf::from(other)),
            _ => {}
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if dirs.is_empty() {
        dirs.push(root.join("tests/fixtures/ingest/corpus"));
        dirs.push(root.join("corpus"));
        let wild = root.join("../shared/pdfs-wild");
        if wild.is_dir() {
            dirs.push(wild);
        }
    }
    let pdftotext = find_on_path("pdftotext");
    let worker = ingest::IngestOptions {
        worker: Some(ingest::WorkerCommand {
            program: PathBuf::from(env!("CARGO_BIN_EXE_answerbank")),
            args: vec!["__extract-pdf".to_string()],
        }),
        pdftotext: None,
        threads: 1,
        pdf_timeout: TIMEOUT,
        ..ingest::IngestOptions::default()
    };
    let in_process = ingest::IngestOptions {
        worker: None,
        ..worker.clone()
    };

    println!(
        "PDF extraction, one file at a time, fastest of {runs} run(s) per file{}",
        if pdftotext.is_none() {
            " (pdftotext not found: its column is left out)"
        } else {
            ""
        }
    );
    print!(
        "{:<30} {:>5} {:>6} {:>14} {:>13} {:>13}",
        "set", "files", "pages", "in-process p/s", "1 worker/PDF", "worker pool"
    );
    if pdftotext.is_some() {
        print!(" {:>14} {:>10}", "pdftotext p/s", "pool/pdftotext");
    }
    println!();
    for dir in dirs {
        let files = pdfs(&dir);
        let mut pages = 0usize;
        let mut counted = 0usize;
        let mut skipped = 0usize;
        let mut kept: Vec<PathBuf> = Vec::new();
        let (mut t_in, mut t_worker, mut t_poppler) = (0.0f64, 0.0f64, 0.0f64);
        for file in &files {
            // The worker first: a file that aborts the parser must never
            // reach the in-process run, which would end this benchmark.
            let Some((n, secs_worker)) = best(runs, || ours(&dir, file, &worker)) else {
                skipped += 1;
                continue;
            };
            let Some((_, secs_in)) = best(runs, || ours(&dir, file, &in_process)) else {
                skipped += 1;
                continue;
            };
            let secs_poppler = match &pdftotext {
                Some(program) => match best(runs, || poppler(program, file)) {
                    Some((_, secs)) => secs,
                    None => {
                        skipped += 1;
                        continue;
                    }
                },
                None => 0.0,
            };
            counted += 1;
            kept.push(file.clone());
            pages += n;
            t_in += secs_in;
            t_worker += secs_worker;
            t_poppler += secs_poppler;
        }
        let t_pool = pooled(&kept, runs, &worker);
        let name = dir.strip_prefix(root).unwrap_or(&dir).display().to_string();
        let rate = |secs: f64| if secs > 0.0 { pages as f64 / secs } else { 0.0 };
        print!(
            "{:<30} {:>5} {:>6} {:>14.0} {:>13.0} {:>13.0}",
            name,
            counted,
            pages,
            rate(t_in),
            rate(t_worker),
            rate(t_pool)
        );
        if pdftotext.is_some() {
            let ratio = if t_pool > 0.0 {
                t_poppler / t_pool
            } else {
                0.0
            };
            print!(" {:>14.0} {:>13.2}x", rate(t_poppler), ratio);
        }
        println!(
            "   ({skipped} of {} files skipped: unreadable by one extractor)",
            files.len()
        );
    }
}

/// The PDFs under `dir`, sorted.
fn pdfs(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let hidden = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Seconds for one `ingest` run over `files` (copied to a fresh folder) on
/// one thread, whose workers stay alive from file to file; fastest of `runs`.
fn pooled(files: &[PathBuf], runs: usize, opts: &ingest::IngestOptions) -> f64 {
    let Ok(dir) = tempfile::tempdir() else {
        return 0.0;
    };
    for (i, file) in files.iter().enumerate() {
        let to = dir.path().join(format!("{i:04}.pdf"));
        if std::fs::hard_link(file, &to).is_err() && std::fs::copy(file, &to).is_err() {
            return 0.0;
        }
    }
    let mut fastest = f64::MAX;
    for _ in 0..runs {
        let started = Instant::now();
        if ingest::ingest(dir.path(), opts, &|_| {}).is_err() {
            return 0.0;
        }
        fastest = fastest.min(started.elapsed().as_secs_f64());
    }
    fastest
}

/// Fastest of `runs` timings; `None` when a run fails.
fn best(runs: usize, mut f: impl FnMut() -> Option<usize>) -> Option<(usize, f64)> {
    let mut fastest = f64::MAX;
    let mut pages = 0;
    for _ in 0..runs {
        let started = Instant::now();
        pages = f()?;
        fastest = fastest.min(started.elapsed().as_secs_f64());
    }
    Some((pages, fastest))
}

/// Pages with text from Answerbank's extractor, `None` when it fails.
fn ours(root: &Path, path: &Path, opts: &ingest::IngestOptions) -> Option<usize> {
    let meta = std::fs::metadata(path).ok()?;
    let file = ingest::CorpusFile {
        path: path.to_path_buf(),
        rel: path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned(),
        format: ingest::FileFormat::Pdf,
        size: meta.len(),
        modified: None,
    };
    let outcome = ingest::read_file(root, &file, opts);
    let record = outcome.records.first()?;
    (!record.body.is_empty()).then_some(record.pages.len())
}

/// Pages from `pdftotext`, `None` when it fails or times out.
fn poppler(program: &Path, path: &Path) -> Option<usize> {
    // Under the worker's memory cap (poppler reached 2.4 GB on a
    // decompression bomb without one).
    let mut child = Command::new("sh")
        .args(["-c", "ulimit -v 1048576; exec \"$0\" \"$@\""])
        .arg(program)
        .args(["-q", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdout = child.stdout.take()?;
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().ok()? {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let out = reader.join().ok()?;
    if !status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out);
    if text.trim().is_empty() {
        return None;
    }
    Some(text.matches('\u{000C}').count().max(1))
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}
