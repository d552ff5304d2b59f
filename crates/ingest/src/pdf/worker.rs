//! The PDF worker's body: limits, then one extractor, page by page.

use super::layout::{fix_rtl, group_lines, join, order_pages, Glyph, GlyphCollector, Line};
use super::{page_status, Extractor, PageText, PdfRequest, PdfResponse};
use crate::text::normalize;
use crate::ExtractionStatus;
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The body of the PDF worker process: reads [`PdfRequest`]s (JSON, one a
/// line) from `input` until its end, and for each runs the extractor and
/// writes one [`PdfResponse`] (JSON, one line) to `output`. Before the first
/// request it sets the address-space limit that request asks for on this
/// process.
///
/// Run it in a process of its own: the limit stays for the rest of the
/// process, and a parser abort (allocation failure, stack overflow) ends it.
pub fn run_pdf_worker(
    input: impl std::io::Read,
    mut output: impl std::io::Write,
) -> std::io::Result<()> {
    use std::io::BufRead;
    // Panics are caught and reported per page; keep stderr for real crashes.
    std::panic::set_hook(Box::new(|_| {}));
    let mut input = std::io::BufReader::new(input);
    let mut limited = false;
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(());
        }
        if line.trim().is_empty() {
            continue;
        }
        let request: PdfRequest = serde_json::from_str(&line)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        if !limited && request.memory_limit > 0 {
            rlimit::setrlimit(
                rlimit::Resource::AS,
                request.memory_limit,
                request.memory_limit,
            )?;
            limited = true;
        }
        let response = extract_in_process(&request);
        serde_json::to_writer(&mut output, &response).map_err(std::io::Error::other)?;
        output.write_all(b"\n")?;
        output.flush()?;
    }
}

/// Runs the requested extractor in this process (panics caught).
pub(crate) fn extract_in_process(request: &PdfRequest) -> PdfResponse {
    let result = catch_unwind(AssertUnwindSafe(|| match request.extractor {
        Extractor::PdfExtract => with_pdf_extract(request),
        Extractor::Pdftotext => with_pdftotext(request),
    }));
    result.unwrap_or_else(|payload| {
        PdfResponse::failed(
            request.extractor,
            format!("parser panicked: {}", panic_message(&payload)),
        )
    })
}

fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    let text = if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    };
    let one_line = text.lines().next().unwrap_or("").to_string();
    one_line.chars().take(200).collect()
}

fn read_checked(request: &PdfRequest) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(&request.path).map_err(|e| format!("cannot read: {e}"))?;
    if meta.len() > request.max_bytes {
        return Err(format!(
            "too large ({} bytes, limit {})",
            meta.len(),
            request.max_bytes
        ));
    }
    let bytes = std::fs::read(&request.path).map_err(|e| format!("cannot read: {e}"))?;
    // The header may follow some junk, within the first kilobyte.
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err("not a PDF (no %PDF- header)".to_string());
    }
    Ok(bytes)
}

fn with_pdf_extract(request: &PdfRequest) -> PdfResponse {
    let extractor = Extractor::PdfExtract;
    let bytes = match read_checked(request) {
        Ok(bytes) => bytes,
        Err(reason) => return PdfResponse::failed(extractor, reason),
    };
    let mut doc = match pdf_extract::Document::load_mem(&bytes) {
        Ok(doc) => doc,
        Err(e) => {
            let reason = format!("cannot parse: {}", e.to_string().to_lowercase());
            let mut response = PdfResponse::failed(extractor, reason);
            if matches!(e, pdf_extract::Error::Decryption(_)) {
                response.status = ExtractionStatus::Encrypted;
            }
            return response;
        }
    };
    drop(bytes);
    let mut flags = Vec::new();
    if doc.is_encrypted() {
        match doc.decrypt("") {
            Ok(()) => flags.push("decrypted-with-empty-password".to_string()),
            Err(e) => {
                let mut response = PdfResponse::failed(
                    extractor,
                    format!("needs a password ({})", e.to_string().to_lowercase()),
                );
                response.status = ExtractionStatus::Encrypted;
                return response;
            }
        }
    }
    let numbers: Vec<u32> = doc.get_pages().keys().copied().collect();
    if numbers.len() > request.max_pages as usize {
        return PdfResponse::failed(
            extractor,
            format!(
                "too many pages ({}, limit {})",
                numbers.len(),
                request.max_pages
            ),
        );
    }
    let title = info_title(&doc);
    let mut page_glyphs: Vec<Vec<Vec<Glyph>>> = Vec::with_capacity(numbers.len());
    let mut errors: Vec<Option<String>> = Vec::with_capacity(numbers.len());
    for number in &numbers {
        let mut collector = GlyphCollector::default();
        let result = catch_unwind(AssertUnwindSafe(|| {
            pdf_extract::output_doc_page(&doc, &mut collector, *number)
        }));
        let error = match result {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(format!("error: {}", format!("{e:?}").to_lowercase())),
            Err(payload) => Some(format!("panic: {}", panic_message(&payload))),
        };
        // Keep what the page gave before an error: it is still its text.
        page_glyphs.push(group_lines(&collector.glyphs));
        errors.push(error);
    }
    let (page_lines, reordered) = order_pages(&page_glyphs);
    let heading = first_heading(&page_glyphs, &page_lines);
    drop(page_glyphs);
    if reordered {
        flags.push("reordered-rtl".to_string());
    }
    let pages: Vec<PageText> = page_lines
        .iter()
        .zip(errors)
        .map(|(lines, error)| PageText {
            text: normalize(&join(lines)),
            error,
        })
        .collect();
    PdfResponse {
        status: page_status(&pages),
        extractor,
        error: None,
        title,
        heading,
        pages,
        flags,
    }
}

/// The first heading of page 1: the first line (of its first 40) set at
/// least 20% larger than the page's median glyph, with the lines right
/// after it at the same size (a title on two or three lines).
fn first_heading(glyphs: &[Vec<Vec<Glyph>>], lines: &[Vec<Line>]) -> Option<String> {
    let (page, texts) = (glyphs.first()?, lines.first()?);
    let mut sizes: Vec<f64> = page.iter().flatten().map(|g| g.size).collect();
    if sizes.len() < 20 {
        return None;
    }
    sizes.sort_by(f64::total_cmp);
    let median = sizes[sizes.len() / 2];
    let line_size = |line: &Vec<Glyph>| {
        let letters: Vec<f64> = line
            .iter()
            .filter(|g| g.text.chars().any(char::is_alphanumeric))
            .map(|g| g.size)
            .collect();
        if letters.is_empty() {
            0.0
        } else {
            letters.iter().sum::<f64>() / letters.len() as f64
        }
    };
    let start = page
        .iter()
        .take(40)
        .position(|line| line_size(line) >= median * 1.2)?;
    let size = line_size(&page[start]);
    let mut parts = Vec::new();
    for (line, text) in page.iter().zip(texts).skip(start).take(3) {
        if (line_size(line) - size).abs() > size * 0.05 {
            break;
        }
        parts.push(normalize(&text.concat()).trim().to_string());
    }
    let heading = parts.join(" ");
    let letters = heading.chars().filter(|c| c.is_alphabetic()).count();
    (letters >= 3 && heading.chars().count() <= 200).then_some(heading)
}

/// The document information dictionary's `/Title`.
fn info_title(doc: &pdf_extract::Document) -> Option<String> {
    let info = doc.trailer.get(b"Info").ok()?;
    let dict = match info {
        pdf_extract::Object::Reference(id) => doc.get_dictionary(*id).ok()?,
        pdf_extract::Object::Dictionary(dict) => dict,
        _ => return None,
    };
    let bytes = dict.get(b"Title").ok()?.as_str().ok()?;
    let title = decode_text_string(bytes);
    let title = normalize(title.trim());
    (!title.trim().is_empty()).then_some(title)
}

/// A PDF text string: UTF-16BE with a BOM, UTF-8 with a BOM, else
/// PDFDocEncoding (read as Latin-1, which matches it for letters).
fn decode_text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes.iter().map(|&b| b as char).collect()
}

fn with_pdftotext(request: &PdfRequest) -> PdfResponse {
    let extractor = Extractor::Pdftotext;
    let Some(program) = &request.pdftotext else {
        return PdfResponse::failed(extractor, "pdftotext is not configured");
    };
    if let Err(reason) = read_checked(request) {
        return PdfResponse::failed(extractor, reason);
    }
    // The child inherits this process's address-space limit.
    let mut child = match Command::new(program)
        .args(["-enc", "UTF-8", "-eol", "unix"])
        .arg(&request.path)
        .arg("-")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => return PdfResponse::failed(extractor, format!("cannot start pdftotext: {e}")),
    };
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(out) = stdout.as_mut() {
            let _ = out.take(512 << 20).read_to_end(&mut buf);
        }
        buf
    });
    let mut stderr = child.stderr.take();
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(err) = stderr.as_mut() {
            let _ = err.take(16 * 1024).read_to_end(&mut buf);
            let _ = std::io::copy(err, &mut std::io::sink());
        }
        buf
    });
    let deadline = Instant::now() + Duration::from_millis(request.timeout_ms);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return PdfResponse::failed(
                    extractor,
                    format!(
                        "timed out after {:.1} s, killed",
                        request.timeout_ms as f64 / 1000.0
                    ),
                );
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return PdfResponse::failed(extractor, format!("cannot wait: {e}")),
        }
    };
    let out = reader.join().unwrap_or_default();
    let err = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).to_lowercase();
    if !status.success() {
        let mut response = PdfResponse::failed(
            extractor,
            match status.code() {
                Some(1) if err.contains("password") => "needs a password".to_string(),
                Some(code) => format!("exited with status {code}"),
                None => "crashed (memory limit?)".to_string(),
            },
        );
        if err.contains("password") {
            response.status = ExtractionStatus::Encrypted;
        }
        return response;
    }
    let text = String::from_utf8_lossy(&out);
    let mut raw: Vec<&str> = text.split('\u{000C}').collect();
    // pdftotext ends every page with a form feed.
    if raw.last().is_some_and(|p| p.trim().is_empty()) && raw.len() > 1 {
        raw.pop();
    }
    // pdftotext orders by position; it reverses PDFs that store logical
    // order, so the same per-document decision applies (character units).
    let mut page_lines: Vec<Vec<Line>> = raw
        .iter()
        .map(|page| {
            normalize(page)
                .lines()
                .map(|l| l.chars().map(String::from).collect())
                .collect()
        })
        .collect();
    let mut flags = Vec::new();
    if fix_rtl(&mut page_lines) {
        flags.push("reordered-rtl".to_string());
    }
    let pages: Vec<PageText> = page_lines
        .iter()
        .map(|lines| PageText {
            text: join(lines),
            error: None,
        })
        .collect();
    PdfResponse {
        status: page_status(&pages),
        extractor,
        error: None,
        title: None,
        heading: None,
        pages,
        flags,
    }
}
