//! The HTTP server under load, beside the engine in-process, in one run.
//!
//! ```text
//! cargo bench --bench server_load                          # 100k records, 64 connections
//! cargo bench --bench server_load -- --records 10k --seconds 5 --rounds 3 --connections 64
//! ```
//! Builds an index of generated Q&As (benches/support/generate.rs, grown
//! from the sample corpus) and starts `answerbank serve` on it as its own
//! process. Then, in rounds (best of each kept, since a shared machine's
//! load comes and goes): the engine's own searches/s in-process on every
//! core for the query mix, and the server driven on loopback for a fixed
//! time from 1 connection, from 64 keep-alive connections, and from 64 with
//! `Accept-Encoding: gzip, br` as browsers send it: searches/s, p50/p99
//! latency; then 64 connections sending open loop (on a fixed schedule) at
//! 50%, 80% and 90% of the closed-loop rate, latency counted from when each
//! request was due. Also the server's resident memory (at start, after,
//! peak).
//! Targets (issue 5): p99 under 20 ms; at least 80% of the in-process rate;
//! server memory under 300 MB.

#[path = "support/alloc.rs"]
mod alloc;
#[path = "support/generate.rs"]
mod generate;
#[path = "support/measure.rs"]
mod measure;

use analysis::Lang;
use engine::{Engine, SearchRequest};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Options {
    records: usize,
    connections: usize,
    seconds: u64,
    rounds: usize,
    per_lang: usize,
    /// `--search-concurrency` for the server (0: its default, one per core).
    search_concurrency: usize,
}

fn options() -> Options {
    let mut opts = Options {
        records: 100_000,
        connections: 64,
        seconds: 5,
        rounds: 3,
        per_lang: 200,
        search_concurrency: 0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_default();
        match arg.as_str() {
            "--records" => {
                opts.records = measure::parse_size(&value());
            }
            "--connections" => opts.connections = value().parse().expect("--connections N"),
            "--seconds" => opts.seconds = value().parse().expect("--seconds N"),
            "--rounds" => opts.rounds = value().parse::<usize>().expect("--rounds N").max(1),
            "--search-concurrency" => {
                opts.search_concurrency = value().parse().expect("--search-concurrency N")
            }
            "--queries-per-lang" => opts.per_lang = value().parse().expect("--queries-per-lang N"),
            _ => {} // cargo bench passes --bench
        }
    }
    opts
}

/// Where a response ends in `buffer`, once it has all arrived: its status
/// and body length.
fn parse_response(buffer: &[u8]) -> Option<(u16, usize)> {
    let split = buffer.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&buffer[..split]).ok()?;
    let status: u16 = head.split(' ').nth(1).and_then(|s| s.parse().ok())?;
    let body = &buffer[split + 4..];
    let header = |name: &str| {
        head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    };
    if let Some(length) = header("content-length") {
        let length: usize = length.parse().ok()?;
        (body.len() >= length).then_some((status, length))
    } else if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        body.ends_with(b"0\r\n\r\n").then_some((status, body.len()))
    } else {
        Some((status, body.len()))
    }
}

/// One keep-alive connection driven by the load generator's single async
/// thread: a request written, its answer read to the end.
struct Connection {
    stream: tokio::net::TcpStream,
    buffer: Vec<u8>,
}

impl Connection {
    async fn open(addr: SocketAddr) -> Connection {
        let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).unwrap();
        Connection {
            stream,
            buffer: Vec::with_capacity(64 * 1024),
        }
    }

    /// Status and body length of one request (`request`: its bytes).
    async fn send(&mut self, request: &[u8]) -> (u16, usize) {
        let mut written = 0;
        while written < request.len() {
            self.stream.writable().await.expect("writable");
            match self.stream.try_write(&request[written..]) {
                Ok(n) => written += n,
                Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(err) => panic!("send: {err}"),
            }
        }
        self.buffer.clear();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            self.stream.readable().await.expect("readable");
            match self.stream.try_read(&mut chunk) {
                Ok(0) => panic!("the server closed the connection"),
                Ok(n) => self.buffer.extend_from_slice(&chunk[..n]),
                Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(err) => panic!("read: {err}"),
            }
            if let Some(answer) = parse_response(&self.buffer) {
                return answer;
            }
        }
    }
}

fn encode(q: &str) -> String {
    server::encode_path(q).replace('/', "%2F")
}

/// The GET requests of a query mix, ready to write.
fn requests(queries: &[(Lang, String)], encoding: Option<&str>) -> Vec<Vec<u8>> {
    queries
        .iter()
        .map(|(_, q)| {
            let mut request = format!(
                "GET /api/search?q={}&limit=10 HTTP/1.1\r\nHost: bench\r\n",
                encode(q)
            );
            if let Some(encoding) = encoding {
                request.push_str(&format!("Accept-Encoding: {encoding}\r\n"));
            }
            request.push_str("\r\n");
            request.into_bytes()
        })
        .collect()
}

/// How the connections send.
#[derive(Clone, Copy)]
enum Pace {
    /// Each connection sends its next request as soon as the last answer is
    /// in: the server is saturated, and latency is mostly waiting in line.
    Closed,
    /// The connections together send this many requests per second on a
    /// fixed schedule (open loop, as wrk2 does): latency counts from when a
    /// request was due, so a slow answer is not hidden by the requests that
    /// were held back behind it.
    Open(f64),
}

/// CPU time of the whole machine (`/proc/stat`): (busy, idle) seconds.
fn machine_cpu() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let fields: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .take(8)
        .filter_map(|v| v.parse().ok())
        .collect();
    if fields.len() < 8 {
        return (0.0, 0.0);
    }
    // user nice system idle iowait irq softirq steal, in USER_HZ (100).
    let idle = fields[3] + fields[4];
    let busy: f64 = fields.iter().sum::<f64>() - idle;
    (busy / 100.0, idle / 100.0)
}

struct LoadResult {
    qps: f64,
    /// The server process's CPU milliseconds per search during the run.
    server_cpu_ms: f64,
    /// This process's (the load generator's) CPU milliseconds per search.
    client_cpu_ms: f64,
    /// Share of the machine's CPU time left idle during the run.
    idle_share: f64,
    p50_ms: f64,
    p99_ms: f64,
    mean_bytes: f64,
    errors: usize,
}

fn load(
    server: u32,
    addr: SocketAddr,
    requests: &Arc<Vec<Vec<u8>>>,
    connections: usize,
    seconds: u64,
    pace: Pace,
) -> LoadResult {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("load generator runtime");
    runtime.block_on(async {
        // Warm-up: every request once.
        let mut warm = Connection::open(addr).await;
        for request in requests.iter() {
            warm.send(request).await;
        }
        let mut open = Vec::with_capacity(connections);
        for _ in 0..connections {
            open.push(Connection::open(addr).await);
        }
        let server_cpu = measure::process_cpu_seconds(&server.to_string());
        let client_cpu = measure::cpu_seconds();
        let (busy, idle) = machine_cpu();
        let started = tokio::time::Instant::now();
        let deadline = started + Duration::from_secs(seconds);
        let tasks: Vec<_> = open
            .into_iter()
            .enumerate()
            .map(|(c, mut connection)| {
                let requests = requests.clone();
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    let (mut bytes, mut errors) = (0usize, 0usize);
                    let mut i = c * requests.len() / connections.max(1);
                    // Open loop: this connection's share of the rate, its
                    // first request offset so the connections interleave.
                    let interval = match pace {
                        Pace::Closed => Duration::ZERO,
                        Pace::Open(rate) => Duration::from_secs_f64(connections as f64 / rate),
                    };
                    let mut due = started + interval.mul_f64(c as f64 / connections as f64);
                    loop {
                        if let Pace::Open(_) = pace {
                            tokio::time::sleep_until(due).await;
                        } else {
                            due = tokio::time::Instant::now();
                        }
                        if due >= deadline {
                            break;
                        }
                        let (status, length) = connection.send(&requests[i % requests.len()]).await;
                        latencies.push(due.elapsed().as_secs_f64() * 1e3);
                        bytes += length;
                        if status != 200 {
                            errors += 1;
                        }
                        i += 1;
                        due += interval;
                    }
                    (latencies, bytes, errors)
                })
            })
            .collect();
        let mut all = Vec::new();
        let (mut bytes, mut errors) = (0usize, 0usize);
        for task in tasks {
            let (latencies, b, e) = task.await.expect("load task");
            all.extend(latencies);
            bytes += b;
            errors += e;
        }
        let elapsed = started.elapsed().as_secs_f64();
        let server_cpu = measure::process_cpu_seconds(&server.to_string()) - server_cpu;
        let client_cpu = measure::cpu_seconds() - client_cpu;
        let (busy_after, idle_after) = machine_cpu();
        let (busy, idle) = (busy_after - busy, idle_after - idle);
        all.sort_by(|a, b| a.total_cmp(b));
        let quantile = |q: f64| all[((all.len() as f64 - 1.0) * q).round() as usize];
        let searches = all.len().max(1) as f64;
        LoadResult {
            qps: all.len() as f64 / elapsed,
            server_cpu_ms: server_cpu * 1e3 / searches,
            client_cpu_ms: client_cpu * 1e3 / searches,
            idle_share: idle / (busy + idle).max(1e-9),
            p50_ms: quantile(0.50),
            p99_ms: quantile(0.99),
            mean_bytes: bytes as f64 / searches,
            errors,
        }
    })
}

/// Searches/s with `threads` threads going through the mix for `seconds`.
fn timed_throughput(
    queries: &[(Lang, String)],
    threads: usize,
    seconds: u64,
    search: &(impl Fn(&str) + Sync),
) -> f64 {
    let stop = AtomicBool::new(false);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (stop, done) = (&stop, &done);
            scope.spawn(move || {
                let mut i = t * queries.len() / threads.max(1);
                while !stop.load(Ordering::Relaxed) {
                    search(&queries[i % queries.len()].1);
                    done.fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
            });
        }
        std::thread::sleep(Duration::from_secs(seconds));
        stop.store(true, Ordering::Relaxed);
    });
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// (VmRSS, VmHWM) of a process, bytes.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn main() {
    let opts = options();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let sample = measure::sample_records(&root.join("corpus"));
    let queries = generate::queries(7, opts.per_lang, &sample);
    eprintln!(
        "{} records, {} queries, {} connections, {cores} cores",
        opts.records,
        queries.len(),
        opts.connections
    );

    // The index, and the engine's own rate on every core.
    let dir = tempfile::tempdir().expect("temp dir");
    let index = dir.path().join("index");
    {
        let engine = Engine::open(&index).expect("open the index");
        let records = generate::generate(42, opts.records, &sample);
        let start = Instant::now();
        engine
            .ingest_records(records, Vec::new(), &|_| {})
            .expect("ingest");
        eprintln!("indexed in {:.1} s", start.elapsed().as_secs_f64());
    }
    // Reopened, as the server will open it (merges done, fresh reader); it
    // stays open beside the server (tantivy readers share the files).
    let engine = Engine::open(&index).expect("reopen the index");
    let search = |q: &str| {
        let response = engine.search(&SearchRequest::new(q)).expect("search");
        std::hint::black_box(response.hits.len());
    };
    for (_, q) in &queries {
        search(q); // warm-up
    }

    // The server, as its own process, on that index.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let empty_corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&empty_corpus).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_answerbank"))
        .current_dir(dir.path())
        .args([
            "serve",
            "--no-ingest",
            "--addr",
            &addr.to_string(),
            "--index",
        ])
        .arg(&index)
        .arg("--corpus")
        .arg(&empty_corpus)
        .env("ANSWERBANK_RATE_LIMIT", "0")
        .env(
            "ANSWERBANK_SEARCH_CONCURRENCY",
            opts.search_concurrency.to_string(),
        )
        .env("ANSWERBANK_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start answerbank serve");
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (rss_idle, _) = memory(child.id());

    // Rounds that alternate the engine in-process and the server under
    // load, best of each kept: on a shared machine the load of others comes
    // and goes, and alternating exposes both sides to it alike.
    let n = opts.connections;
    let identity = Arc::new(requests(&queries, None));
    let compressed = Arc::new(requests(&queries, Some("gzip, br")));
    // (name, connections, compressed, pace: 0 closed loop, else the share
    // of this round's closed-loop rate at 64 connections sent open loop).
    let runs = [
        ("HTTP, 1 connection, identity".to_string(), 1, false, 0.0),
        (format!("HTTP, {n} connections, identity"), n, false, 0.0),
        (format!("HTTP, {n} connections, gzip/br"), n, true, 0.0),
        (
            format!("HTTP, {n} connections, open loop at 50%"),
            n,
            false,
            0.5,
        ),
        (
            format!("HTTP, {n} connections, open loop at 80%"),
            n,
            false,
            0.8,
        ),
        (
            format!("HTTP, {n} connections, open loop at 90%"),
            n,
            false,
            0.9,
        ),
    ];
    let mut best_in_process: f64 = 0.0;
    let mut best_wide: f64 = 0.0;
    let mut in_process_cpu_ms = 0.0;
    let mut best: Vec<Option<LoadResult>> = runs.iter().map(|_| None).collect();
    for round in 0..opts.rounds {
        let cpu = measure::cpu_seconds();
        let qps = timed_throughput(&queries, cores, opts.seconds, &search);
        let cpu_ms = (measure::cpu_seconds() - cpu) * 1e3 / (qps * opts.seconds as f64).max(1.0);
        if qps > best_in_process {
            best_in_process = qps;
            in_process_cpu_ms = cpu_ms;
        }
        best_wide = best_wide.max(timed_throughput(&queries, n, opts.seconds, &search));
        let mut capacity = 0.0;
        for (i, (_, connections, gzip, share)) in runs.iter().enumerate() {
            let pace = if *share > 0.0 {
                Pace::Open(capacity * share)
            } else {
                Pace::Closed
            };
            let mix = if *gzip { &compressed } else { &identity };
            let result = load(child.id(), addr, mix, *connections, opts.seconds, pace);
            assert_eq!(result.errors, 0, "some searches failed");
            if *connections == n && !*gzip && *share == 0.0 {
                capacity = result.qps;
            }
            // Closed loop: the best rate; open loop (a fixed rate): the
            // best tail.
            let better = best[i].as_ref().is_none_or(|b| {
                if *share > 0.0 {
                    result.p99_ms < b.p99_ms
                } else {
                    result.qps > b.qps
                }
            });
            if better {
                best[i] = Some(result);
            }
        }
        eprintln!("round {} of {} done", round + 1, opts.rounds);
    }
    let (rss, peak) = memory(child.id());
    let _ = child.kill();
    let _ = child.wait();
    // The server may use more threads than cores (spawn_blocking): compare
    // with the better of the two in-process rates.
    let in_process_qps = best_in_process.max(best_wide);

    let mut table = String::new();
    table.push_str(&format!(
        "## HTTP server under load ({} records, {cores} cores, best of {} rounds of {} s)\n\n",
        opts.records, opts.rounds, opts.seconds
    ));
    table.push_str("| run | searches/s | p50 ms | p99 ms | bytes/answer | vs best in-process | server CPU ms/search | load generator CPU ms/search | server share of the cores | idle |\n");
    table.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    table.push_str(&format!(
        "| engine in-process ({cores} threads) | {best_in_process:.0} | | | | | {in_process_cpu_ms:.2} | | | |\n"
    ));
    table.push_str(&format!(
        "| engine in-process ({n} threads) | {best_wide:.0} | | | | | | | | |\n"
    ));
    let mut worst_ratio = f64::MAX;
    let mut worst_p99: f64 = 0.0;
    let mut open_p99 = Vec::new();
    for ((name, connections, _, share), result) in runs.iter().zip(&best) {
        let result = result.as_ref().expect("at least one round");
        let ratio = result.qps / in_process_qps;
        if *connections == n && *share == 0.0 {
            worst_ratio = worst_ratio.min(ratio);
            worst_p99 = worst_p99.max(result.p99_ms);
        } else if *share > 0.0 {
            open_p99.push(format!(
                "{:.2} ms at {:.0} searches/s",
                result.p99_ms, result.qps
            ));
        }
        table.push_str(&format!(
            "| {name} | {:.0} | {:.2} | {:.2} | {:.0} | {:.0}% | {:.2} | {:.2} | {:.0}% | {:.0}% |\n",
            result.qps,
            result.p50_ms,
            result.p99_ms,
            result.mean_bytes,
            ratio * 100.0,
            result.server_cpu_ms,
            result.client_cpu_ms,
            result.server_cpu_ms * result.qps / 1e3 / cores as f64 * 100.0,
            result.idle_share * 100.0,
        ));
    }
    table.push_str(&format!(
        "\nServer memory: {} resident at start, {} after the runs, {} peak.\n",
        measure::human_bytes(rss_idle),
        measure::human_bytes(rss),
        measure::human_bytes(peak)
    ));
    table.push_str(&format!(
        "At {n} connections, closed loop: p99 {worst_p99:.2} ms (target < 20 ms), {:.0}% of the in-process rate (target >= 80%), peak {} (target < 300 MB). Open loop (a fixed rate below saturation): p99 {}.\n",
        worst_ratio * 100.0,
        measure::human_bytes(peak),
        open_p99.join(", ")
    ));
    table.push_str(&format!(
        "Closed loop: each connection sends again as soon as its answer is in, so the server is \
         saturated and latency is mostly time in line (Little's law: {n} / rate). Open loop: the \
         connections send on a fixed schedule at a share of the closed-loop rate, and latency counts \
         from when each request was due (tokio's timer adds up to 1 ms). CPU ms/search: the server \
         process's and the load generator's (this process, one async thread) CPU time per answered \
         search; in-process, this process's per search. Both share the same {cores} cores; idle is \
         the machine's CPU left unused during the run.\n"
    ));
    println!("{table}");
}
