//! Documents other than PDF: Markdown (which may also be one Q&A), HTML,
//! DOCX and plain text.

use crate::qa::{problem, qa_from_fields};
use crate::text::{detect, normalize, quality_flags, tidy, title_from_path, visible_chars};
use crate::{
    CorpusFile, Extraction, ExtractionStatus, FileFormat, FileOutcome, IngestOptions, Problem,
    Record, RecordKind,
};
use analysis::Lang;
use serde_json::{Map, Value};
use std::io::Read;
use std::path::Path;

/// Reads a file whole, refusing files over the size limit.
pub(crate) fn read_limited(file: &CorpusFile, opts: &IngestOptions) -> Result<Vec<u8>, Problem> {
    if file.size > opts.max_file_bytes {
        return Err(problem(
            file,
            None,
            &format!(
                "file too large ({} bytes, limit {}), skipped",
                file.size, opts.max_file_bytes
            ),
        ));
    }
    std::fs::read(&file.path).map_err(|err| {
        problem(
            file,
            None,
            &format!("cannot read: {}", err.to_string().to_lowercase()),
        )
    })
}

/// Text files should be UTF-8; spreadsheet and editor exports are often
/// Windows-1252 instead, which is read as such and reported.
pub(crate) fn utf8(file: &CorpusFile, bytes: Vec<u8>, problems: &mut Vec<Problem>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            problems.push(problem(file, None, "not valid UTF-8, read as Windows-1252"));
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(err.as_bytes());
            text.into_owned()
        }
    }
}

/// What a document reader found, before it becomes a record.
#[derive(Default)]
struct DocText {
    title: Option<String>,
    body: String,
    declared: Option<Lang>,
    fields: Map<String, Value>,
}

/// Reads a Markdown, HTML, DOCX or text file.
pub(crate) fn read_document(root: &Path, file: &CorpusFile, opts: &IngestOptions) -> FileOutcome {
    let _ = root;
    let bytes = match read_limited(file, opts) {
        Ok(bytes) => bytes,
        Err(problem) => return FileOutcome::failed(problem),
    };
    let mut problems = Vec::new();
    let (doc, extractor) = match file.format {
        FileFormat::Markdown => {
            let text = utf8(file, bytes, &mut problems);
            match read_markdown(root, file, &text, &mut problems) {
                Markdown::Qa(record) => {
                    let mut out = FileOutcome::one(*record);
                    out.problems = problems;
                    return out;
                }
                Markdown::Skip => {
                    return FileOutcome {
                        problems,
                        failed: true,
                        ..FileOutcome::default()
                    }
                }
                Markdown::Document(doc) => (doc, "markdown"),
            }
        }
        FileFormat::Html => {
            let text = utf8(file, bytes, &mut problems);
            (read_html(&text), "html")
        }
        FileFormat::Docx => match read_docx(&bytes, opts.max_file_bytes) {
            Ok(doc) => (doc, "docx"),
            Err(reason) => {
                return FileOutcome::failed(problem(
                    file,
                    None,
                    &format!("cannot read DOCX: {reason}"),
                ))
            }
        },
        _ => {
            let text = utf8(file, bytes, &mut problems);
            let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text).to_string();
            (
                DocText {
                    body: text,
                    ..DocText::default()
                },
                "text",
            )
        }
    };
    let mut out = FileOutcome::one(document_record(file, doc, extractor, &mut problems));
    out.problems = problems;
    out
}

fn document_record(
    file: &CorpusFile,
    doc: DocText,
    extractor: &str,
    problems: &mut Vec<Problem>,
) -> Record {
    let body = tidy(&normalize(&doc.body));
    let title = doc
        .title
        .map(|t| tidy(&normalize(&t)).replace('\n', " "))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| title_from_path(&file.rel));
    let chars = visible_chars(&body);
    let flags = quality_flags(&body);
    let status = if chars == 0 {
        problems.push(problem(file, None, "no text found"));
        ExtractionStatus::Empty
    } else {
        ExtractionStatus::Ok
    };
    let language = doc
        .declared
        .unwrap_or_else(|| detect(&format!("{title}\n{body}")));
    let mut fields = doc.fields;
    let country = take_string(&mut fields, "country");
    let date = take_string(&mut fields, "date");
    let topics = take_list(&mut fields, "topics");
    fields.remove("title");
    fields.remove("language");
    Record {
        id: file.rel.clone(),
        kind: RecordKind::Document,
        title,
        body,
        language,
        country,
        topics,
        date,
        attachments: Vec::new(),
        source: file.rel.clone(),
        format: file.format.as_str().to_string(),
        pages: Vec::new(),
        extraction: Some(Extraction {
            status,
            extractor: extractor.to_string(),
            chars_per_page: vec![chars],
            flags,
        }),
        metadata: fields.into_iter().collect(),
        hash: String::new(),
    }
}

fn take_string(fields: &mut Map<String, Value>, key: &str) -> Option<String> {
    match fields.remove(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

fn take_list(fields: &mut Map<String, Value>, key: &str) -> Vec<String> {
    match fields.remove(key) {
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|v| v.as_str().map(|s| s.trim().to_string()))
            .filter(|s| !s.is_empty())
            .collect(),
        Some(Value::String(s)) => s
            .split(';')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------- Markdown

enum Markdown {
    Qa(Box<Record>),
    Document(DocText),
    /// A Q&A file that cannot be ingested (problems say why).
    Skip,
}

/// Splits `---\nyaml\n---\nbody`; `None` when there is no front matter.
fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" || line.trim_end() == "..." {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return Some((yaml, body));
        }
        offset += line.len();
    }
    None
}

fn read_markdown(
    root: &Path,
    file: &CorpusFile,
    text: &str,
    problems: &mut Vec<Problem>,
) -> Markdown {
    let (fields, body) = match split_front_matter(text) {
        Some((yaml, body)) => match serde_yaml_ng::from_str::<Value>(yaml) {
            Ok(Value::Object(map)) => (map, body),
            Ok(Value::Null) => (Map::new(), body),
            Ok(_) => {
                problems.push(problem(
                    file,
                    Some(2),
                    "front matter is not a set of fields, ignored",
                ));
                (Map::new(), body)
            }
            Err(err) => {
                let line = err.location().map(|l| l.line() + 1);
                problems.push(problem(
                    file,
                    line,
                    &format!("bad front matter ({err}), ignored"),
                ));
                (Map::new(), body)
            }
        },
        None => (Map::new(), text),
    };
    // Front matter values that YAML typed (dates, numbers) become strings.
    let fields: Map<String, Value> = fields
        .into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect();
    let sections = qa_sections(body);
    if let Some((question, answer)) = sections {
        let mut map = fields;
        map.entry("id")
            .or_insert_with(|| Value::String(file.rel.clone()));
        map.insert("question".into(), Value::String(question));
        map.insert("answer".into(), Value::String(answer));
        if let Some(Value::Number(n)) = map.get("date") {
            let s = n.to_string();
            map.insert("date".into(), Value::String(s));
        }
        return match qa_from_fields(map, file, None, "", problems) {
            Some(record) => {
                crate::qa::check_attachments(root, file, None, "", &record, problems);
                Markdown::Qa(Box::new(record))
            }
            None => Markdown::Skip,
        };
    }
    let declared = fields
        .get("language")
        .and_then(Value::as_str)
        .and_then(Lang::parse)
        .filter(|l| *l != Lang::Und);
    let title = fields
        .get("title")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| first_markdown_heading(body));
    Markdown::Document(DocText {
        title,
        body: body.to_string(),
        declared,
        fields,
    })
}

/// The text under `## Question` and `## Answer`, when both are there.
fn qa_sections(body: &str) -> Option<(String, String)> {
    let mut current: Option<&str> = None;
    let mut question = String::new();
    let mut answer = String::new();
    let mut seen = (false, false);
    for line in body.lines() {
        let trimmed = line.trim();
        if let Some(heading) = trimmed.strip_prefix("## ") {
            match heading
                .trim()
                .trim_end_matches(':')
                .to_ascii_lowercase()
                .as_str()
            {
                "question" => {
                    current = Some("q");
                    seen.0 = true;
                    continue;
                }
                "answer" => {
                    current = Some("a");
                    seen.1 = true;
                    continue;
                }
                _ => {}
            }
        }
        if trimmed.starts_with("# ") || trimmed.starts_with("## ") {
            // Another top-level section ends the current one.
            current = None;
            continue;
        }
        match current {
            Some("q") => {
                question.push_str(line);
                question.push('\n');
            }
            Some("a") => {
                answer.push_str(line);
                answer.push('\n');
            }
            _ => {}
        }
    }
    (seen.0 && seen.1).then(|| (question.trim().to_string(), answer.trim().to_string()))
}

fn first_markdown_heading(body: &str) -> Option<String> {
    let lines: Vec<&str> = body.lines().collect();
    let mut in_code = false;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if t.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        if t.starts_with('#') {
            let text = t.trim_start_matches('#');
            if text.starts_with(' ') || text.is_empty() {
                let text = text.trim().trim_end_matches('#').trim();
                if !text.is_empty() {
                    return Some(text.to_string());
                }
            }
        }
        // Setext heading: text underlined with === or ---.
        if !t.is_empty() {
            if let Some(next) = lines.get(i + 1) {
                let n = next.trim();
                if n.len() >= 3 && (n.chars().all(|c| c == '=') || n.chars().all(|c| c == '-')) {
                    return Some(t.to_string());
                }
            }
        }
    }
    None
}

// -------------------------------------------------------------------- HTML

/// Elements whose content is never text (`<head>` holds only the title,
/// read on its own, and such elements).
const SKIPPED: [&str; 7] = [
    "script", "style", "noscript", "template", "svg", "math", "iframe",
];
/// Elements that end a line.
const BLOCKS: [&str; 32] = [
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "main",
    "blockquote",
    "pre",
    "hr",
    "dd",
    "dt",
    "figcaption",
    "caption",
    "details",
    "summary",
];

/// Parses HTML as a browser does (html5ever, through `scraper`: entities,
/// unclosed tags, scripts that contain markup) and keeps its visible text,
/// one line per block element. The title is `<title>`, else the first
/// heading; the language is `<html lang>`.
fn read_html(html: &str) -> DocText {
    use scraper::node::Node;
    use scraper::Html;

    let doc = Html::parse_document(html);
    let root = doc.root_element();
    let declared = root
        .value()
        .attr("lang")
        .and_then(|l| Lang::parse(l.split(['-', '_']).next().unwrap_or("")))
        .filter(|l| *l != Lang::Und);
    let mut title: Option<String> = None;
    let mut heading: Option<String> = None;
    let mut body = String::new();
    let mut skip_below: Option<ego_tree::NodeId> = None;
    for edge in root.traverse() {
        let (node, opening) = match edge {
            ego_tree::iter::Edge::Open(n) => (n, true),
            ego_tree::iter::Edge::Close(n) => (n, false),
        };
        if let Some(skipped) = skip_below {
            if !opening && node.id() == skipped {
                skip_below = None;
            }
            continue;
        }
        match node.value() {
            Node::Element(el) => {
                let name = el.name();
                if name == "title" && opening {
                    if title.is_none() {
                        let text: String = node
                            .descendants()
                            .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
                            .collect();
                        title = Some(text.trim().to_string()).filter(|t| !t.is_empty());
                    }
                    skip_below = Some(node.id());
                    continue;
                }
                if opening && SKIPPED.contains(&name) {
                    skip_below = Some(node.id());
                    continue;
                }
                if opening
                    && heading.is_none()
                    && matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
                {
                    let text: String = node
                        .descendants()
                        .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
                        .collect();
                    heading = Some(text.trim().to_string()).filter(|t| !t.is_empty());
                }
                if BLOCKS.contains(&name) {
                    body.push('\n');
                }
            }
            Node::Text(text) if opening => body.push_str(text),
            _ => {}
        }
    }
    DocText {
        title: title.or(heading),
        body: body.replace('\u{a0}', " "),
        declared,
        fields: Map::new(),
    }
}

// -------------------------------------------------------------------- DOCX

fn read_docx(bytes: &[u8], limit: u64) -> Result<DocText, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a ZIP ({e})"))?;
    let document = zip_text(&mut zip, "word/document.xml", limit)?
        .ok_or_else(|| "no word/document.xml".to_string())?;
    let (body, heading) = docx_body(&document)?;
    let title = zip_text(&mut zip, "docProps/core.xml", limit)
        .ok()
        .flatten()
        .and_then(|core| docx_title(&core))
        .or(heading);
    Ok(DocText {
        title,
        body,
        ..DocText::default()
    })
}

fn zip_text<R: std::io::Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    limit: u64,
) -> Result<Option<String>, String> {
    let entry = match zip.by_name(name) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(format!("{name}: {e}")),
    };
    // A decompression bomb stops at the limit.
    let mut buf = Vec::new();
    entry
        .take(limit)
        .read_to_end(&mut buf)
        .map_err(|e| format!("{name}: {e}"))?;
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

/// The text of `word/document.xml`, one line a paragraph, and the first
/// paragraph styled as a title or heading.
fn docx_body(xml: &str) -> Result<(String, Option<String>), String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut body = String::new();
    let mut paragraph = String::new();
    let mut heading: Option<String> = None;
    let mut para_is_heading = false;
    let mut in_text = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                b"t" => in_text = true,
                b"p" => {
                    paragraph.clear();
                    para_is_heading = false;
                }
                b"tab" => paragraph.push('\t'),
                _ => {}
            },
            Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                b"tab" => paragraph.push('\t'),
                b"br" | b"cr" => paragraph.push('\n'),
                b"pStyle" => {
                    for attr in e.attributes().flatten() {
                        if attr.key.local_name().as_ref() == b"val" {
                            let style = String::from_utf8_lossy(&attr.value).to_ascii_lowercase();
                            if style.starts_with("heading") || style == "title" {
                                para_is_heading = true;
                            }
                        }
                    }
                }
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => {
                let text = t.unescape().map_err(|e| format!("bad XML: {e}"))?;
                paragraph.push_str(&text);
            }
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"p" => {
                    if para_is_heading && heading.is_none() && !paragraph.trim().is_empty() {
                        heading = Some(paragraph.trim().to_string());
                    }
                    body.push_str(&paragraph);
                    body.push('\n');
                    paragraph.clear();
                }
                _ => {}
            },
            Ok(Event::Eof) => break,
            Err(e) => return Err(format!("bad XML at byte {}: {e}", reader.buffer_position())),
            _ => {}
        }
    }
    Ok((body, heading))
}

fn docx_title(core: &str) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(core);
    let mut in_title = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"title" => in_title = true,
            Ok(Event::Text(t)) if in_title => {
                let title = t.unescape().ok()?.trim().to_string();
                return (!title.is_empty()).then_some(title);
            }
            Ok(Event::End(_)) => in_title = false,
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_title_text_and_lang() {
        let html = r#"<!DOCTYPE html><html lang="fr-FR"><head><title>Guide &amp; fiches</title>
            <style>p { color: red }</style><script>var x = "<p>no</p>";</script></head>
            <body><h1>Prise en charge</h1><p>Les enfants non accompagn&eacute;s&nbsp;: orientation.</p>
            <!-- hidden --><p>Deux&#160;lignes</p></body></html>"#;
        let doc = read_html(html);
        assert_eq!(doc.title.as_deref(), Some("Guide & fiches"));
        assert_eq!(doc.declared, Some(Lang::Fr));
        let body = tidy(&doc.body);
        assert_eq!(
            body,
            "Prise en charge\n\nLes enfants non accompagnés : orientation.\n\nDeux lignes"
        );
    }

    #[test]
    fn html_is_parsed_as_a_browser_does() {
        // Every named entity (not a hand-kept table), unclosed paragraphs,
        // markup inside a script, a `<title>` in an SVG that is not the
        // page's, and Arabic with its own `lang`.
        let html = "<html lang=ar><meta charset=utf-8><body>\
            <svg><title>icon</title></svg>\
            <h2>\u{62d}\u{645}\u{627}\u{64a}\u{629} &Ccedil;a</h2>\
            <p>Co\u{fb}t : 5&nbsp;&euro; &rArr; ok<p>second<script>if (a</p>) {}</script>\
            <table><tr><td>cell&#x41;<td>cell&frac12;</table>";
        let doc = read_html(html);
        assert_eq!(doc.declared, Some(Lang::Ar));
        assert_eq!(
            doc.title.as_deref(),
            Some("\u{62d}\u{645}\u{627}\u{64a}\u{629} \u{c7}a")
        );
        assert_eq!(
            tidy(&doc.body),
            "\u{62d}\u{645}\u{627}\u{64a}\u{629} \u{c7}a\n\nCo\u{fb}t : 5 \u{20ac} \u{21d2} ok\n\nsecond\n\ncellA\n\ncell\u{bd}"
        );
    }

    #[test]
    fn html_heading_is_the_fallback_title() {
        let doc = read_html("<body><p>x</p><h2>Second &lt;level&gt;</h2></body>");
        assert_eq!(doc.title.as_deref(), Some("Second <level>"));
    }

    #[test]
    fn markdown_sections_and_headings() {
        let body = "## Question\nWhere?\n\n## Answer\nHere.\nAnd there.\n\n## Notes\nignored";
        assert_eq!(
            qa_sections(body),
            Some(("Where?".to_string(), "Here.\nAnd there.".to_string()))
        );
        assert_eq!(qa_sections("# Title\n\nJust a document."), None);
        assert_eq!(
            first_markdown_heading("intro\n\n## Sub ##\n"),
            Some("Sub".into())
        );
        assert_eq!(
            first_markdown_heading("Setext\n======\n"),
            Some("Setext".into())
        );
        let (yaml, rest) = split_front_matter("---\nid: a\n---\nbody\n").unwrap();
        assert_eq!((yaml, rest), ("id: a\n", "body\n"));
    }
}
