//! Timing helpers shared by the benchmarks.

#![allow(dead_code)]

use analysis::Lang;
use std::path::Path;
use std::time::Instant;

/// Per-query latencies of one pass over a query mix.
pub struct Latencies {
    sorted_us: Vec<f64>,
    total_s: f64,
}

impl Latencies {
    /// Runs every query once (after one warm-up pass) on this thread.
    pub fn measure(queries: &[(Lang, String)], mut run: impl FnMut(&str)) -> Latencies {
        for (_, q) in queries.iter().take(50) {
            run(q);
        }
        let mut sorted_us = Vec::with_capacity(queries.len());
        let start = Instant::now();
        for (_, q) in queries {
            let t = Instant::now();
            run(q);
            sorted_us.push(t.elapsed().as_secs_f64() * 1e6);
        }
        let total_s = start.elapsed().as_secs_f64();
        sorted_us.sort_by(|a, b| a.total_cmp(b));
        Latencies { sorted_us, total_s }
    }

    fn quantile_ms(&self, q: f64) -> f64 {
        if self.sorted_us.is_empty() {
            return 0.0;
        }
        let at = ((self.sorted_us.len() as f64 - 1.0) * q).round() as usize;
        self.sorted_us[at] / 1000.0
    }

    pub fn p50_ms(&self) -> f64 {
        self.quantile_ms(0.50)
    }
    pub fn p95_ms(&self) -> f64 {
        self.quantile_ms(0.95)
    }
    pub fn p99_ms(&self) -> f64 {
        self.quantile_ms(0.99)
    }
    pub fn qps(&self) -> f64 {
        self.sorted_us.len() as f64 / self.total_s
    }
}

/// Queries/s with `threads` threads each running the whole mix.
pub fn throughput(queries: &[(Lang, String)], threads: usize, run: impl Fn(&str) + Sync) -> f64 {
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let run = &run;
            s.spawn(move || {
                // Each thread starts at another place in the mix.
                let offset = t * queries.len() / threads.max(1);
                for i in 0..queries.len() {
                    run(&queries[(i + offset) % queries.len()].1);
                }
            });
        }
    });
    (queries.len() * threads) as f64 / start.elapsed().as_secs_f64()
}

/// Bytes under `dir`.
pub fn dir_size(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

pub fn human_bytes(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 1024.0 {
        format!("{:.2} GiB", mb / 1024.0)
    } else {
        format!("{mb:.1} MiB")
    }
}

/// The sample corpus's records (Q&As are what the generator learns from;
/// PDFs are read in-process, which is fine for our own files).
pub fn sample_records(corpus: &Path) -> Vec<ingest::Record> {
    let ingested = ingest::ingest(corpus, &ingest::IngestOptions::default(), &|_| {})
        .expect("read the sample corpus");
    ingested.records
}

/// Peak resident memory of this process (VmHWM), bytes.
pub fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown cpu".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024 / 1024);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores ({cpu}), {mem} GiB")
}

fn git(args: &[&str]) -> String {
    std::process::Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// A Markdown section with the machine, date and commit above `table`.
pub fn document(title: &str, table: &str) -> String {
    let date = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let dirty = if git(&["status", "--porcelain", "--untracked-files=no"]).is_empty() {
        ""
    } else {
        " (with uncommitted changes)"
    };
    format!(
        "## {title}\n\nMeasured {date} at commit `{}`{dirty} on {}.\n\n{table}\n",
        git(&["rev-parse", "--short", "HEAD"]),
        machine()
    )
}

/// A record count like `10000`, `10k`, `100k` or `1m`.
pub fn parse_size(s: &str) -> usize {
    let s = s.trim().to_ascii_lowercase();
    let (num, mult) = if let Some(n) = s.strip_suffix('m') {
        (n, 1_000_000)
    } else if let Some(n) = s.strip_suffix('k') {
        (n, 1_000)
    } else {
        (s.as_str(), 1)
    };
    num.parse::<usize>()
        .expect("a size like 10000, 10k, 100k, 1m")
        * mult
}

/// CPU time (user + system, all threads) this process has used, in seconds
/// (Linux `/proc/self/stat`; 0 elsewhere): work done, whatever the load of
/// a shared machine.
pub fn cpu_seconds() -> f64 {
    process_cpu_seconds("self")
}

/// [`cpu_seconds`] of another process (`pid`), or of this one (`"self"`).
pub fn process_cpu_seconds(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) in parentheses.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime: fields 14 and 15 of the file, 11 and 12 (from 0) after the name.
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // The kernel's USER_HZ is 100 on Linux.
    (ticks(11) + ticks(12)) / 100.0
}
