//! Q&A collections (`*.jsonl`, `*.json`, `*.csv`) and one-Q&A Markdown files.

use crate::text::{detect, normalize};
use crate::{CorpusFile, FileFormat, FileOutcome, IngestOptions, Problem, Record, RecordKind};
use analysis::Lang;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// The fields Answerbank knows; anything else goes to `metadata`.
const KNOWN: [&str; 8] = [
    "id",
    "question",
    "answer",
    "language",
    "country",
    "topics",
    "date",
    "attachments",
];

/// Reads a JSONL, JSON or CSV collection of Q&As.
pub(crate) fn read_collection(root: &Path, file: &CorpusFile, opts: &IngestOptions) -> FileOutcome {
    let bytes = match crate::docs::read_limited(file, opts) {
        Ok(bytes) => bytes,
        Err(problem) => return FileOutcome::failed(problem),
    };
    let mut problems = Vec::new();
    let text = crate::docs::utf8(file, bytes, &mut problems);
    let mut outcome = read_text(root, file, &text);
    outcome.problems.extend(problems);
    outcome
}

fn read_text(root: &Path, file: &CorpusFile, text: &str) -> FileOutcome {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut out = FileOutcome::default();
    let mut items: Vec<(Option<usize>, Map<String, Value>)> = Vec::new();
    match file.format {
        FileFormat::Jsonl => {
            for (i, line) in text.lines().enumerate() {
                let line_no = i + 1;
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<Value>(line) {
                    Ok(Value::Object(map)) => items.push((Some(line_no), map)),
                    Ok(_) => out.problems.push(problem(
                        file,
                        Some(line_no),
                        "not a JSON object, line skipped",
                    )),
                    Err(err) => out.problems.push(problem(
                        file,
                        Some(line_no),
                        &format!("invalid JSON ({}), line skipped", json_reason(&err)),
                    )),
                }
            }
        }
        FileFormat::Json => read_json_array(file, text, &mut items, &mut out),
        FileFormat::Csv => read_csv(file, text, &mut items, &mut out.problems),
        _ => {}
    }
    for (line, map) in items {
        let where_ = String::new();
        match qa_from_fields(map, file, line, &where_, &mut out.problems) {
            Some(record) => {
                check_attachments(root, file, line, &where_, &record, &mut out.problems);
                out.records.push(record);
                out.lines.push(line);
            }
            None => continue,
        }
    }
    out
}

/// The objects of a JSON array, each with the line it starts on. A syntax
/// error stops the reading there: the items before it are kept, the rest of
/// the file is reported and skipped.
fn read_json_array(
    file: &CorpusFile,
    text: &str,
    items: &mut Vec<(Option<usize>, Map<String, Value>)>,
    out: &mut FileOutcome,
) {
    let line_at = |offset: usize| text[..offset].matches('\n').count() + 1;
    let skip_ws = |mut i: usize| {
        while text[i..].starts_with(|c: char| c.is_whitespace()) {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
        i
    };
    let mut i = skip_ws(0);
    if !text[i..].starts_with('[') {
        out.problems.push(problem(
            file,
            Some(line_at(i)),
            "not a JSON array of Q&As, file skipped",
        ));
        out.failed = true;
        return;
    }
    i += 1;
    let mut index = 0;
    loop {
        i = skip_ws(i);
        if text[i..].starts_with(']') {
            return;
        }
        let line = line_at(i);
        let mut stream = serde_json::Deserializer::from_str(&text[i..]).into_iter::<Value>();
        match stream.next() {
            Some(Ok(value)) => {
                index += 1;
                match value {
                    Value::Object(map) => items.push((Some(line), map)),
                    _ => out.problems.push(problem(
                        file,
                        Some(line),
                        &format!("item {index}: not a JSON object, skipped"),
                    )),
                }
                i += stream.byte_offset();
            }
            Some(Err(err)) => {
                out.problems.push(problem(
                    file,
                    Some(line + err.line().saturating_sub(1)),
                    &format!(
                        "invalid JSON ({}), rest of the file skipped",
                        json_reason(&err)
                    ),
                ));
                out.failed = items.is_empty();
                return;
            }
            None => {
                out.problems.push(problem(
                    file,
                    Some(line),
                    "JSON array not closed, rest of the file skipped",
                ));
                return;
            }
        }
        i = skip_ws(i);
        if text[i..].starts_with(',') {
            i += 1;
        } else if !text[i..].starts_with(']') {
            out.problems.push(problem(
                file,
                Some(line_at(i)),
                "expected `,` or `]` in the JSON array, rest of the file skipped",
            ));
            return;
        }
    }
}

fn read_csv(
    file: &CorpusFile,
    text: &str,
    items: &mut Vec<(Option<usize>, Map<String, Value>)>,
    problems: &mut Vec<Problem>,
) {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .delimiter(sniff_delimiter(text))
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect::<Vec<_>>(),
        Err(err) => {
            problems.push(problem(
                file,
                Some(1),
                &format!("cannot read the CSV header: {err}"),
            ));
            return;
        }
    };
    for row in reader.records() {
        let row = match row {
            Ok(row) => row,
            Err(err) => {
                let line = err.position().map(|p| p.line() as usize);
                problems.push(problem(
                    file,
                    line,
                    &format!("bad CSV row ({err}), skipped"),
                ));
                continue;
            }
        };
        let line = row.position().map(|p| p.line() as usize);
        if row.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if row.len() != headers.len() {
            problems.push(problem(
                file,
                line,
                &format!(
                    "{} cells where the header has {}, row skipped",
                    row.len(),
                    headers.len()
                ),
            ));
            continue;
        }
        let mut map = Map::new();
        for (name, cell) in headers.iter().zip(row.iter()) {
            let cell = cell.trim();
            if name.is_empty() || cell.is_empty() {
                continue;
            }
            let value = match name.as_str() {
                "topics" | "attachments" => Value::Array(
                    cell.split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| Value::String(s.to_string()))
                        .collect(),
                ),
                _ => Value::String(cell.to_string()),
            };
            map.insert(name.clone(), value);
        }
        items.push((line, map));
    }
}

/// The delimiter of a CSV export, told by its header line: `,` unless `;`
/// or a tab is more frequent there (European spreadsheets export with `;`).
fn sniff_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let count = |d: char| header.matches(d).count();
    let (commas, semicolons, tabs) = (count(','), count(';'), count('\t'));
    if semicolons > commas && semicolons >= tabs {
        b';'
    } else if tabs > commas {
        b'\t'
    } else {
        b','
    }
}

/// Builds a Q&A record from its fields, reporting what is wrong. `None` when
/// a required field is missing.
pub(crate) fn qa_from_fields(
    mut map: Map<String, Value>,
    file: &CorpusFile,
    line: Option<usize>,
    where_: &str,
    problems: &mut Vec<Problem>,
) -> Option<Record> {
    let mut report =
        |message: String| problems.push(problem(file, line, &format!("{where_}{message}")));
    let id = match map.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => {
            report("`id` is not a string, skipped".into());
            return None;
        }
        None => {
            report("missing `id`, skipped".into());
            return None;
        }
    };
    let question = string_field(&map, "question");
    let answer = string_field(&map, "answer");
    let (Some(question), Some(answer)) = (question, answer) else {
        let missing = if string_field(&map, "question").is_none() {
            "question"
        } else {
            "answer"
        };
        report(format!("{id}: missing `{missing}`, skipped"));
        return None;
    };
    let question = normalize(question.trim());
    let answer = normalize(answer.trim());
    let declared = match map.get("language") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => match Lang::parse(s) {
            Some(Lang::Und) | None => {
                report(format!(
                    "{id}: unknown language {s:?} (expected en, fr, es or ar), detected instead"
                ));
                None
            }
            Some(lang) => Some(lang),
        },
        Some(other) => {
            report(format!(
                "{id}: `language` {other} is not a string, detected instead"
            ));
            None
        }
    };
    let language = declared.unwrap_or_else(|| detect(&format!("{question}\n{answer}")));
    let country = string_field(&map, "country")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let topics = match list_field(&map, "topics") {
        Ok(list) => list,
        Err(()) => {
            report(format!("{id}: `topics` is not a list of strings, ignored"));
            Vec::new()
        }
    };
    let attachments = match list_field(&map, "attachments") {
        Ok(list) => list,
        Err(()) => {
            report(format!(
                "{id}: `attachments` is not a list of paths, ignored"
            ));
            Vec::new()
        }
    };
    let date = match string_field(&map, "date").map(str::trim) {
        None | Some("") => None,
        Some(d) if is_date(d) => Some(d.to_string()),
        Some(d) => {
            report(format!("{id}: date {d:?} is not YYYY-MM-DD, ignored"));
            None
        }
    };
    for key in KNOWN {
        map.remove(key);
    }
    let metadata: BTreeMap<String, Value> = map.into_iter().collect();
    Some(Record {
        id,
        kind: RecordKind::Qa,
        title: question,
        body: answer,
        language,
        country,
        topics,
        date,
        attachments,
        source: file.rel.clone(),
        format: file.format.as_str().to_string(),
        pages: Vec::new(),
        extraction: None,
        metadata,
        hash: String::new(),
    })
}

pub(crate) fn check_attachments(
    root: &Path,
    file: &CorpusFile,
    line: Option<usize>,
    where_: &str,
    record: &Record,
    problems: &mut Vec<Problem>,
) {
    for attachment in &record.attachments {
        let escapes =
            attachment.starts_with('/') || attachment.split(['/', '\\']).any(|part| part == "..");
        let message = if escapes {
            format!(
                "{where_}{}: attachment {attachment:?} is outside the corpus",
                record.id
            )
        } else if !root.join(attachment).is_file() {
            format!("{where_}{}: attachment {attachment:?} not found", record.id)
        } else {
            continue;
        };
        problems.push(problem(file, line, &message));
    }
}

fn string_field<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    match map.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s),
        _ => None,
    }
}

/// A list of strings, also accepted as one `;`-separated string.
fn list_field(map: &Map<String, Value>, key: &str) -> Result<Vec<String>, ()> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(s
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.trim().to_string()),
                _ => Err(()),
            })
            .filter(|r| r.as_ref().map_or(true, |s| !s.is_empty()))
            .collect(),
        Some(_) => Err(()),
    }
}

fn is_date(d: &str) -> bool {
    let b = d.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| d[r].parse::<u32>().ok();
    matches!(
        (num(0..4), num(5..7), num(8..10)),
        (Some(_), Some(1..=12), Some(1..=31))
    )
}

fn json_reason(err: &serde_json::Error) -> String {
    // serde_json appends " at line 1 column 7"; the line is ours to give.
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

pub(crate) fn problem(file: &CorpusFile, line: Option<usize>, message: &str) -> Problem {
    Problem {
        path: file.rel.clone(),
        line,
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rel: &str) -> CorpusFile {
        CorpusFile {
            path: rel.into(),
            rel: rel.into(),
            format: FileFormat::from_path(Path::new(rel)).unwrap(),
            size: 0,
            modified: None,
        }
    }

    #[test]
    fn jsonl_bad_line_is_reported_and_others_kept() {
        let text = concat!(
            r#"{"id":"q1","question":"Where is the nearest safe space?","answer":"Ask the camp focal point.","topics":["safe-spaces"],"team":"north"}"#,
            "\n{not json\n",
            r#"{"id":"q2","question":"¿Dónde está el centro?","answer":"En la plaza.","language":"es","date":"2024-02-30"}"#,
            "\n",
        );
        let out = read_text(Path::new("/nonexistent"), &file("qa.jsonl"), text);
        assert_eq!(out.records.len(), 2);
        assert_eq!(out.lines, [Some(1), Some(3)]);
        assert_eq!(out.records[0].metadata["team"], "north");
        assert_eq!(out.records[1].language, Lang::Es);
        assert_eq!(out.records[1].date.as_deref(), Some("2024-02-30"));
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert_eq!(out.problems[0].line, Some(2));
        assert!(out.problems[0]
            .to_string()
            .starts_with("qa.jsonl:2: invalid JSON"));
    }

    #[test]
    fn csv_splits_lists_and_reports_missing_answer() {
        let text = "id,question,answer,topics,attachments,language\n\
                    c1,Qui contacter ?,Le point focal.,uasc; case-management,,fr\n\
                    c2,No answer here,,,,en\n";
        let out = read_text(Path::new("/nonexistent"), &file("qa.csv"), text);
        assert_eq!(out.records.len(), 1);
        assert_eq!(out.records[0].topics, ["uasc", "case-management"]);
        assert_eq!(out.records[0].language, Lang::Fr);
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].line, Some(3));
    }

    #[test]
    fn json_items_carry_their_line() {
        let text = "[\n  {\"id\": \"a\", \"question\": \"Q?\", \"answer\": \"A.\"},\n  3,\n  {\"id\": \"b\", \"question\": \"Q2?\",\n   \"answer\": \"A2.\"},\n  {\"id\": oops}\n]\n";
        let out = read_text(Path::new("/nonexistent"), &file("qa.json"), text);
        assert_eq!(out.records.len(), 2);
        assert_eq!(out.lines, [Some(2), Some(4)]);
        let shown: Vec<String> = out.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(
            shown[0].starts_with("qa.json:3: item 2: not a JSON object"),
            "{shown:?}"
        );
        assert!(shown[1].starts_with("qa.json:6: invalid JSON"), "{shown:?}");
        assert!(!out.failed);
        let out = read_text(Path::new("/nonexistent"), &file("qa.json"), "{\"id\": 1}");
        assert!(out.failed);
    }

    #[test]
    fn csv_with_semicolons_as_european_spreadsheets_export() {
        let text = "id;question;answer;topics\ns1;Qui appeler la nuit ?;Le numéro d'astreinte, affiché au bureau.;uasc\n";
        let out = read_text(Path::new("/nonexistent"), &file("qa.csv"), text);
        assert_eq!(out.records.len(), 1, "{:?}", out.problems);
        assert_eq!(
            out.records[0].body,
            "Le numéro d'astreinte, affiché au bureau."
        );
        assert_eq!(out.records[0].topics, ["uasc"]);
    }

    #[test]
    fn dates_are_checked() {
        assert!(is_date("2024-01-31"));
        assert!(!is_date("2024-13-01"));
        assert!(!is_date("31/01/2024"));
    }
}
