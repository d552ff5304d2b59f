//! `answerbank serve`: the page, the widget and the HTTP API.
//!
//! Settings come from, lowest priority first: built-in defaults, the config
//! file (`answerbank.toml` in the working folder, or `--config FILE` /
//! `ANSWERBANK_CONFIG`), `ANSWERBANK_*` environment variables, then flags.
//!
//! ```toml
//! [serve]
//! addr = "127.0.0.1:8640"
//! corpus = "corpus"
//! index = "index"
//! cors_origins = ["https://partner.example"]   # or ["*"]; default: same origin only
//! admin_token = "change-me"       # enables POST /api/admin/reindex
//! rate_limit_per_minute = 600     # per client; 0 = off
//! rate_limit_burst = 60
//! trust_forwarded_for = false     # only behind your own proxy
//! request_timeout_secs = 10
//! max_body_bytes = 16384
//! search_concurrency = 0          # searches at once; 0 = one per core
//! ```

use anyhow::Context;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

/// The config file read when it exists in the working folder.
pub const DEFAULT_CONFIG_FILE: &str = "answerbank.toml";

/// Flags of `answerbank serve` (each also an `ANSWERBANK_*` variable).
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8640].
    #[arg(long, env = "ANSWERBANK_ADDR", value_name = "HOST:PORT")]
    pub addr: Option<SocketAddr>,
    /// The corpus folder [default: corpus].
    #[arg(long, env = "ANSWERBANK_CORPUS", value_name = "DIR")]
    pub corpus: Option<PathBuf>,
    /// The index folder [default: index].
    #[arg(long, env = "ANSWERBANK_INDEX", value_name = "DIR")]
    pub index: Option<PathBuf>,
    /// Config file, `[serve]` table [default: answerbank.toml when it exists].
    /// The admin token (enables POST /api/admin/reindex) is read from there
    /// or from ANSWERBANK_ADMIN_TOKEN, never from a flag.
    #[arg(long, env = "ANSWERBANK_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Origins allowed to call the API from a browser (the widget on partner
    /// sites), comma-separated, or `*` for any [default: none, same origin only].
    #[arg(
        long,
        env = "ANSWERBANK_CORS_ORIGINS",
        value_delimiter = ',',
        value_name = "ORIGINS"
    )]
    pub cors_origins: Option<Vec<String>>,
    /// Requests per minute per client (0 = no limit) [default: 600].
    #[arg(long, env = "ANSWERBANK_RATE_LIMIT", value_name = "N")]
    pub rate_limit: Option<u32>,
    /// Requests a client may make at once above the rate [default: 60].
    #[arg(long, env = "ANSWERBANK_RATE_BURST", value_name = "N")]
    pub rate_burst: Option<u32>,
    /// Key the rate limit on X-Forwarded-For (only behind your own proxy).
    #[arg(long, env = "ANSWERBANK_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: Option<bool>,
    /// Seconds before a request is answered 503 [default: 10].
    #[arg(long, env = "ANSWERBANK_REQUEST_TIMEOUT", value_name = "SECS")]
    pub request_timeout: Option<u64>,
    /// Largest request body in bytes [default: 16384].
    #[arg(long, env = "ANSWERBANK_MAX_BODY_BYTES", value_name = "BYTES")]
    pub max_body_bytes: Option<usize>,
    /// Searches run at once; more wait in line (0 = one per core) [default: 0].
    #[arg(long, env = "ANSWERBANK_SEARCH_CONCURRENCY", value_name = "N")]
    pub search_concurrency: Option<usize>,
    /// Serve the index as it is, without bringing it up to date first.
    #[arg(long)]
    pub no_ingest: bool,
}

/// The admin token comes from the environment or the config file only (a
/// flag would show in the process list).
const ADMIN_TOKEN_ENV: &str = "ANSWERBANK_ADMIN_TOKEN";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    serve: FileServe,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileServe {
    addr: Option<SocketAddr>,
    corpus: Option<PathBuf>,
    index: Option<PathBuf>,
    cors_origins: Option<Vec<String>>,
    admin_token: Option<String>,
    rate_limit_per_minute: Option<u32>,
    rate_limit_burst: Option<u32>,
    trust_forwarded_for: Option<bool>,
    request_timeout_secs: Option<u64>,
    max_body_bytes: Option<usize>,
    search_concurrency: Option<usize>,
}

fn read_config_file(explicit: Option<&Path>) -> anyhow::Result<FileServe> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None => {
            let default = PathBuf::from(DEFAULT_CONFIG_FILE);
            if !default.is_file() {
                return Ok(FileServe::default());
            }
            default
        }
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read config file {}", path.display()))?;
    let parsed: FileConfig =
        toml::from_str(&text).with_context(|| format!("bad config file {}", path.display()))?;
    Ok(parsed.serve)
}

/// The settings once flags, environment and file are merged.
struct Settings {
    config: server::Config,
    corpus: PathBuf,
    index: PathBuf,
}

fn settings(args: &ServeArgs) -> anyhow::Result<Settings> {
    let file = read_config_file(args.config.as_deref())?;
    let defaults = server::Config::default();
    let corpus = args
        .corpus
        .clone()
        .or(file.corpus)
        .unwrap_or_else(crate::common::default_corpus);
    let index = args
        .index
        .clone()
        .or(file.index)
        .unwrap_or_else(crate::common::default_index);
    let admin_token = std::env::var(ADMIN_TOKEN_ENV)
        .ok()
        .or(file.admin_token)
        .filter(|t| !t.trim().is_empty());
    if let Some(token) = &admin_token {
        anyhow::ensure!(
            token.len() >= 16,
            "the admin token must be at least 16 characters long"
        );
    }
    let config = server::Config {
        addr: args.addr.or(file.addr).unwrap_or(defaults.addr),
        corpus_dir: Some(corpus.clone()),
        cors_origins: args
            .cors_origins
            .clone()
            .or(file.cors_origins)
            .unwrap_or(defaults.cors_origins)
            .into_iter()
            .map(|o| o.trim().to_string())
            .filter(|o| !o.is_empty())
            .collect(),
        admin_token,
        rate_limit_per_minute: args
            .rate_limit
            .or(file.rate_limit_per_minute)
            .unwrap_or(defaults.rate_limit_per_minute),
        rate_limit_burst: args
            .rate_burst
            .or(file.rate_limit_burst)
            .unwrap_or(defaults.rate_limit_burst),
        trust_forwarded_for: args
            .trust_forwarded_for
            .or(file.trust_forwarded_for)
            .unwrap_or(defaults.trust_forwarded_for),
        request_timeout: args
            .request_timeout
            .or(file.request_timeout_secs)
            .map(Duration::from_secs)
            .unwrap_or(defaults.request_timeout),
        max_body_bytes: args
            .max_body_bytes
            .or(file.max_body_bytes)
            .unwrap_or(defaults.max_body_bytes),
        search_concurrency: args
            .search_concurrency
            .or(file.search_concurrency)
            .unwrap_or(defaults.search_concurrency),
        ingest: crate::common::ingest_options()?,
    };
    Ok(Settings {
        config,
        corpus,
        index,
    })
}

/// The newest modification time of any file under `dir`.
fn newest_mtime(dir: &Path) -> Option<SystemTime> {
    let mut newest: Option<SystemTime> = None;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(entry.path());
            }
            if let Ok(modified) = meta.modified() {
                newest = Some(newest.map_or(modified, |n| n.max(modified)));
            }
        }
    }
    newest
}

/// True when the index is empty or some corpus file changed after it.
fn needs_ingest(engine: &engine::Engine, corpus: &Path, index: &Path) -> anyhow::Result<bool> {
    let stats = engine.stats().context("cannot read the index")?;
    if stats.records == 0 {
        return Ok(true);
    }
    match (newest_mtime(corpus), newest_mtime(index)) {
        (Some(corpus_time), Some(index_time)) => Ok(corpus_time > index_time),
        (Some(_), None) => Ok(true),
        _ => Ok(false),
    }
}

fn ingest_with_progress(
    engine: &engine::Engine,
    corpus: &Path,
    options: &ingest::IngestOptions,
) -> anyhow::Result<()> {
    let bar = crate::common::IngestBar::new("files");
    let report = engine
        .ingest_corpus(corpus, options, &|progress| bar.update(progress))
        .with_context(|| format!("cannot ingest {}", corpus.display()))?;
    bar.finish();
    eprintln!(
        "ingested {}: {} added, {} updated, {} removed, {} unchanged, {} files failed ({:.1} s)",
        corpus.display(),
        report.added,
        report.updated,
        report.removed,
        report.unchanged,
        report.failed,
        report.took_ms / 1e3
    );
    for problem in report.problems.iter().take(20) {
        eprintln!("  {problem}");
    }
    if report.problems.len() > 20 {
        eprintln!("  ... and {} more problems", report.problems.len() - 20);
    }
    Ok(())
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let Settings {
        config,
        corpus,
        index,
    } = settings(&args)?;
    let engine = engine::Engine::open(&index)
        .with_context(|| format!("cannot open the index {}", index.display()))?;
    if !args.no_ingest && corpus.is_dir() && needs_ingest(&engine, &corpus, &index)? {
        ingest_with_progress(&engine, &corpus, &config.ingest)?;
    }
    let mut config = config;
    if !corpus.is_dir() {
        eprintln!(
            "warning: corpus {} not found: serving the index without original files",
            corpus.display()
        );
        config.corpus_dir = None;
    }
    let stats = engine.stats().context("cannot read the index")?;
    eprintln!(
        "serving {} records at http://{}/ (API: /api/search, docs: /openapi.json; Ctrl-C to stop)",
        stats.records, config.addr
    );
    // Searches run on the async workers, one worker per index slot (one a
    // core by default; see `server::routes::api::index_work`). The blocking
    // pool is left the reindex, the index stats and file reads: a few
    // threads, which keeps each thread's allocator cache warm instead of
    // spreading memory over tokio's default of up to 512 threads.
    let index_threads = config.index_concurrency();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(index_threads)
        .max_blocking_threads(4)
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(server::serve(config, engine))?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_file_keys_parse_and_typos_fail() {
        let ok: FileConfig = toml::from_str(
            "[serve]\naddr = \"0.0.0.0:9000\"\ncors_origins = [\"https://a.example\"]\nrate_limit_per_minute = 5\n",
        )
        .unwrap();
        assert_eq!(ok.serve.addr, Some("0.0.0.0:9000".parse().unwrap()));
        assert_eq!(ok.serve.rate_limit_per_minute, Some(5));
        assert!(toml::from_str::<FileConfig>("[serve]\nadress = \"x\"\n").is_err());
    }
}
