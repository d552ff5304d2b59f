//! `answerbank search`: query the index from the terminal.

use anyhow::Context;
use engine::{SearchRequest, SearchResponse, Snippet, Sort};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `answerbank search`.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// The query: words, "phrases", -exclude, a OR b (a query may start
    /// with -exclude).
    #[arg(allow_hyphen_values = true)]
    pub query: String,
    /// The index folder.
    #[arg(long, default_value = crate::common::DEFAULT_INDEX)]
    pub index: PathBuf,
    /// Only records in this language (en, fr, es, ar, und).
    #[arg(long, value_name = "L")]
    pub lang: Option<analysis::Lang>,
    /// Only Q&As or only documents.
    #[arg(long = "type", value_name = "qa|document", value_parser = parse_kind)]
    pub kind: Option<ingest::RecordKind>,
    /// Only records with this topic.
    #[arg(long, value_name = "T")]
    pub topic: Option<String>,
    /// Only records from this country.
    #[arg(long, value_name = "C")]
    pub country: Option<String>,
    /// Only records dated on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Only records dated on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Hits to show.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub limit: usize,
    /// Hits to skip (pagination).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub offset: usize,
    /// Order: relevance (default) or date (newest first).
    #[arg(long, default_value = "relevance", value_parser = parse_sort)]
    pub sort: Sort,
    /// Print the SearchResponse as JSON.
    #[arg(long)]
    pub json: bool,
    /// Show why each hit ranks where it does.
    #[arg(long)]
    pub explain: bool,
}

fn parse_kind(s: &str) -> Result<ingest::RecordKind, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "qa" => Ok(ingest::RecordKind::Qa),
        "document" | "doc" => Ok(ingest::RecordKind::Document),
        other => Err(format!("unknown type {other:?} (expected qa or document)")),
    }
}

fn parse_sort(s: &str) -> Result<Sort, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "relevance" => Ok(Sort::Relevance),
        "date" => Ok(Sort::Date),
        other => Err(format!(
            "unknown sort {other:?} (expected relevance or date)"
        )),
    }
}

/// Runs one search. Exit 0 with hits, 1 with none, 2 on a bad request or
/// a missing index.
pub fn run(args: SearchArgs) -> anyhow::Result<ExitCode> {
    if !args.index.join("meta.json").is_file() {
        anyhow::bail!(
            "no index in {} (run `answerbank ingest --index {}` first)",
            args.index.display(),
            args.index.display()
        );
    }
    let engine = engine::Engine::open(&args.index)
        .with_context(|| format!("cannot open the index {}", args.index.display()))?;
    let request = SearchRequest {
        q: args.query.clone(),
        lang: args.lang,
        kind: args.kind,
        topic: args.topic.clone(),
        country: args.country.clone(),
        from: args.from.clone(),
        to: args.to.clone(),
        limit: args.limit,
        offset: args.offset,
        sort: args.sort,
        explain: args.explain,
    };
    let response = engine.search(&request)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&response)?)?;
    } else {
        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        print_human(&mut out, &args, &response, color)?;
    }
    Ok(if response.total == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `text` with its highlights marked: bold on a terminal, `[...]` otherwise.
fn marked(snippet: &Snippet, color: bool) -> String {
    let (open, close) = if color {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("[", "]")
    };
    let mut out = String::with_capacity(snippet.text.len() + 8 * snippet.highlights.len());
    let mut spans = snippet.highlights.iter().peekable();
    for (i, c) in snippet.text.chars().enumerate() {
        if spans.peek().is_some_and(|[s, _]| *s == i) {
            out.push_str(open);
        }
        // Keep passages on one line.
        out.push(if c == '\n' || c == '\r' { ' ' } else { c });
        if let Some([_, e]) = spans.peek() {
            if *e == i + 1 {
                out.push_str(close);
                spans.next();
            }
        }
    }
    out
}

fn print_human(
    out: &mut impl Write,
    args: &SearchArgs,
    r: &SearchResponse,
    color: bool,
) -> std::io::Result<()> {
    let shown = r.hits.len();
    writeln!(
        out,
        "{} result(s) for {:?}{} in {:.1} ms{}",
        r.total,
        args.query,
        if r.language == analysis::Lang::Und {
            String::new()
        } else {
            format!(" (query language: {})", r.language)
        },
        r.took_ms,
        if shown > 0 && (r.total as usize) > shown {
            format!(", showing {}-{}", args.offset + 1, args.offset + shown)
        } else {
            String::new()
        }
    )?;
    for (i, hit) in r.hits.iter().enumerate() {
        writeln!(out)?;
        let mut tags = vec![hit.kind.as_str().to_string(), hit.language.to_string()];
        tags.extend(hit.date.clone());
        tags.extend(hit.country.clone());
        writeln!(
            out,
            "{}. {}  [{}]  score {:.3}",
            args.offset + i + 1,
            hit.title,
            tags.join(" · "),
            hit.score
        )?;
        writeln!(out, "   id: {}", hit.id)?;
        if hit.source != hit.id {
            writeln!(out, "   source: {}", hit.source)?;
        }
        if let Some(snippet) = hit.snippets.first() {
            writeln!(out, "   {}", marked(snippet, color))?;
        }
        for page in &hit.pages {
            writeln!(out, "   p. {}: {}", page.page, marked(&page.snippet, color))?;
        }
        if let Some(explain) = &hit.explain {
            for line in explain.lines() {
                writeln!(out, "   | {line}")?;
            }
        }
    }
    if r.total > 0 {
        writeln!(out)?;
        for (name, values) in &r.facets {
            if values.is_empty() {
                continue;
            }
            let mut values: Vec<(&String, &u64)> = values.iter().collect();
            values.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let list: Vec<String> = values
                .iter()
                .take(8)
                .map(|(v, n)| format!("{v} {n}"))
                .collect();
            writeln!(out, "{name}: {}", list.join(", "))?;
        }
    }
    Ok(())
}
