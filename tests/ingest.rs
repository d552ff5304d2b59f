//! Ingestion end to end: `answerbank records` on the fixture corpus in
//! `tests/fixtures/ingest/corpus` (LibreOffice PDFs and DOCX made by
//! `tests/fixtures/ingest/build.sh` from `sources/`, Q&A files, broken files),
//! and the worker limits through the library with the real binary as worker.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ingest")
}

fn corpus() -> PathBuf {
    fixtures().join("corpus")
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    records: Vec<Value>,
}

impl Run {
    fn record(&self, id: &str) -> &Value {
        self.records
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no record {id}; stderr:\n{}", self.stderr))
    }

    fn has_record(&self, id: &str) -> bool {
        self.records.iter().any(|r| r["id"] == id)
    }

    /// The stderr line about `path`, which must exist.
    fn problem(&self, prefix: &str) -> &str {
        self.stderr
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no problem line starting {prefix:?} in:\n{}", self.stderr))
    }
}

fn records(corpus: &Path) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_answerbank"))
        .arg("records")
        .arg("--corpus")
        .arg(corpus)
        .env("ANSWERBANK_LOG", "warn")
        .output()
        .expect("run answerbank records");
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let records = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l}: {e}")))
        .collect();
    Run {
        code: out.status.code(),
        stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        records,
    }
}

/// One run of the fixture corpus, shared by the tests that only read it.
fn fixture_run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| records(&corpus()))
}

fn text_of(record: &Value) -> String {
    format!(
        "{}\n{}",
        record["title"].as_str().unwrap_or(""),
        record["body"].as_str().unwrap_or("")
    )
}

/// Words of a text: letters and digits, lowercased, Arabic harakat and
/// tatweel removed (the analyzers strip them too).
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_alphanumeric() || is_mark(c)))
        .map(|w| {
            w.chars()
                .filter(|c| !is_mark(*c) && *c != '\u{0640}')
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

fn is_mark(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}')
}

fn is_arabic_word(w: &str) -> bool {
    w.chars().all(|c| matches!(c, '\u{0600}'..='\u{06FF}'))
}

/// The visible text of an HTML source: tags removed, entities left alone
/// (the sources use none in their body text).
fn html_text(html: &str) -> String {
    let body = html.split("<body").nth(1).unwrap_or(html);
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Share of the source's distinct words (filtered by `keep`) found in the
/// extracted text.
fn recall(source: &str, extracted: &str, keep: fn(&str) -> bool) -> (f64, Vec<String>) {
    let want: BTreeSet<String> = words(&html_text(source))
        .into_iter()
        .filter(|w| keep(w))
        .collect();
    let got = words(extracted);
    assert!(want.len() >= 20, "too few source words: {want:?}");
    let missing: Vec<String> = want.iter().filter(|w| !got.contains(*w)).cloned().collect();
    let r = 1.0 - missing.len() as f64 / want.len() as f64;
    (r, missing)
}

fn source(name: &str) -> String {
    std::fs::read_to_string(fixtures().join("sources").join(name)).expect("fixture source")
}

#[test]
fn records_are_json_lines_in_a_stable_order() {
    let run = fixture_run();
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    assert!(run.records.len() >= 15, "{}", run.stdout);
    let keys: Vec<&str> = run
        .records
        .iter()
        .map(|r| r["source"].as_str().unwrap())
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "records sorted by source path");
    for record in &run.records {
        assert!(record["hash"].as_str().is_some_and(|h| h.len() == 64));
        assert!(matches!(record["type"].as_str(), Some("qa" | "document")));
    }
    // Records of one file keep the file's order.
    let jsonl: Vec<&str> = run
        .records
        .iter()
        .filter(|r| r["source"] == "qa/answers.jsonl")
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(jsonl, ["fx-en-001", "fx-fr-002", "fx-es-003", "fx-ar-004"]);
    // A second run prints exactly the same thing.
    let again = records(&corpus());
    assert_eq!(again.stdout, run.stdout);
}

#[test]
fn hidden_files_and_folders_are_skipped() {
    let run = fixture_run();
    assert!(!run.has_record("hidden-qa"));
    assert!(run
        .records
        .iter()
        .all(|r| !r["source"].as_str().unwrap().starts_with('.')));
    assert!(!run.stdout.contains("must never be ingested"));
}

#[test]
fn libreoffice_pdfs_in_english_french_and_spanish() {
    let run = fixture_run();
    for (id, src, lang, title) in [
        (
            "docs/en-referral.pdf",
            "en-referral.html",
            "en",
            "Referral pathway for unaccompanied children",
        ),
        (
            "docs/fr-protocole.pdf",
            "fr-protocole.html",
            "fr",
            "Protocole de prise en charge des enfants non accompagnés",
        ),
        (
            "docs/es-guia.pdf",
            "es-guia.html",
            "es",
            "Guía de apoyo psicosocial para niñas, niños y adolescentes",
        ),
    ] {
        let record = run.record(id);
        assert_eq!(record["type"], "document");
        assert_eq!(record["language"], lang, "{id}");
        assert_eq!(record["title"], title, "title from the PDF metadata");
        assert_eq!(record["format"], "pdf");
        let extraction = &record["extraction"];
        assert_eq!(extraction["status"], "ok", "{id}: {extraction}");
        let pages = record["pages"].as_array().unwrap();
        assert_eq!(pages.len(), 2, "{id}: one page break in the source");
        assert_eq!(extraction["chars_per_page"].as_array().unwrap().len(), 2);
        for (i, page) in pages.iter().enumerate() {
            assert_eq!(page["number"], i + 1);
            assert_eq!(page["language"], lang, "{id} page {}", i + 1);
        }
        let (r, missing) = recall(&source(src), &text_of(record), |_| true);
        assert!(r >= 0.95, "{id}: word recall {r:.2}, missing {missing:?}");
    }
    // Accents and ligature-prone words survive.
    let fr = text_of(run.record("docs/fr-protocole.pdf"));
    assert!(fr.contains("Œuvrer pour l’intérêt supérieur"), "{fr}");
    let es = text_of(run.record("docs/es-guia.pdf"));
    assert!(es.contains("¿Qué hacer si un niño revela"), "{es}");
    // The second heading is on page 2, as the source's page break says.
    let en = run.record("docs/en-referral.pdf");
    assert!(en["pages"][1]["text"]
        .as_str()
        .unwrap()
        .contains("Information sharing"));
}

#[test]
fn pdf_without_a_metadata_title_takes_its_first_heading() {
    let run = fixture_run();
    let record = run.record("docs/heading-only.pdf");
    assert_eq!(
        record["title"],
        "Monthly child protection sub-cluster meeting"
    );
    assert_eq!(record["language"], "en");
}

#[test]
fn arabic_pdf_comes_out_in_logical_order_with_the_right_letters() {
    let run = fixture_run();
    let record = run.record("docs/ar-dalil.pdf");
    assert_eq!(record["language"], "ar");
    assert_eq!(record["title"], "دليل إدارة الحالات لحماية الطفل");
    assert_eq!(record["extraction"]["status"], "ok");
    let text = text_of(record);
    let (r, missing) = recall(&source("ar-dalil.html"), &text, is_arabic_word);
    assert!(
        r >= 0.9,
        "Arabic word recall {r:.2}, missing {missing:?}:\n{text}"
    );
    // Words drawn with the lam-alef ligature keep their letters in order
    // (a character-wise reversal gives "الحاالت", "لألطفال", "األسرة").
    for word in ["الحالات", "للأطفال", "الأسرة", "الأساسية", "خلال", "بلاغ"]
    {
        assert!(words(&text).contains(word), "{word} missing:\n{text}");
    }
    for broken in ["الحاالت", "لألطفال", "األسرة", "تالاحلا"] {
        assert!(!text.contains(broken), "{broken} found:\n{text}");
    }
    // A whole sentence, with its digits, reads in logical order.
    assert!(
        text.contains("للتواصل مع مكتب الدعم اتصلوا على الرقم 12345 من الساعة الثامنة"),
        "{text}"
    );
    let flags = record["extraction"]["flags"].as_array().unwrap();
    assert!(flags.iter().any(|f| f == "reordered-rtl"), "{flags:?}");
}

#[test]
fn arabic_pdf_in_a_naskh_font_keeps_its_lam_alef_words() {
    // Noto Naskh Arabic draws lam-alef as a lam plus a zero-width alef
    // (the corpus's own PDFs use this font).
    let run = fixture_run();
    let record = run.record("docs/ar-naskh.pdf");
    assert_eq!(record["language"], "ar");
    assert_eq!(record["title"], "مذكرة حول الأسر الحاضنة المؤقتة");
    let text = text_of(record);
    let (r, missing) = recall(&source("ar-naskh.html"), &text, is_arabic_word);
    assert!(
        r >= 0.9,
        "Arabic word recall {r:.2}, missing {missing:?}:\n{text}"
    );
    for word in [
        "الأسرة",
        "الأطفال",
        "إلا",
        "الاجتماعي",
        "الاحتياجات",
        "الإساءة",
        "الأولى",
        "الانتهاء",
    ] {
        assert!(words(&text).contains(word), "{word} missing:\n{text}");
    }
    assert!(
        text.contains("لا تقبل أي أسرة إلا بعد التحقق")
            || text.contains("لا تُقبل أي أسرة إلا بعد التحقق"),
        "{text}"
    );
}

#[test]
fn bilingual_pdf_keeps_a_language_per_page() {
    let run = fixture_run();
    let record = run.record("docs/bilingual-en-ar.pdf");
    let pages = record["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0]["language"], "en");
    assert_eq!(pages[1]["language"], "ar");
    let arabic = pages[1]["text"].as_str().unwrap();
    assert!(
        arabic.contains("قائمة التحقق للمساحات الصديقة للطفل"),
        "{arabic}"
    );
    assert!(words(arabic).contains("للبنات"), "{arabic}");
    let english = pages[0]["text"].as_str().unwrap();
    assert!(
        english.contains("separate latrines for girls and"),
        "{english}"
    );
    // The record's language is the one with the most characters.
    assert_eq!(record["language"], "en");
}

#[test]
fn docx_html_markdown_and_text_documents() {
    let run = fixture_run();
    let docx = run.record("docs/checklist.docx");
    assert_eq!(docx["title"], "Case file closure checklist");
    assert_eq!(docx["format"], "docx");
    assert_eq!(docx["language"], "en");
    assert!(docx["body"]
        .as_str()
        .unwrap()
        .contains("Paper forms archived in a locked cabinet."));

    let html = run.record("docs/guide.html");
    assert_eq!(html["title"], "Tracing & reunification quick guide");
    let body = html["body"].as_str().unwrap();
    assert!(body.contains("Verify every claimed relationship before reunification — two"));
    assert!(!body.contains("console.log"), "script text leaked: {body}");
    assert!(!body.contains("font-family"), "style text leaked: {body}");

    let md = run.record("docs/notes.md");
    assert_eq!(md["type"], "document");
    assert_eq!(md["title"], "Réunion mensuelle de coordination");
    assert_eq!(md["language"], "fr");
    assert_eq!(md["topics"], serde_json::json!(["coordination"]));
    assert!(!md["body"].as_str().unwrap().contains("language: fr"));

    let txt = run.record("docs/hotline-hours.txt");
    assert_eq!(txt["title"], "hotline-hours", "file name when no metadata");
    assert_eq!(txt["language"], "en");
}

#[test]
fn qa_collections_in_every_form() {
    let run = fixture_run();
    let jsonl = run.record("fx-en-001");
    assert_eq!(jsonl["type"], "qa");
    assert_eq!(
        jsonl["title"],
        "Can we register a separated child without an identity document?"
    );
    assert!(jsonl["body"]
        .as_str()
        .unwrap()
        .starts_with("Yes. Registration never waits"));
    assert_eq!(jsonl["country"], "South Sudan");
    assert_eq!(jsonl["topics"], serde_json::json!(["uasc", "registration"]));
    assert_eq!(jsonl["date"], "2024-03-05");
    assert_eq!(
        jsonl["attachments"],
        serde_json::json!(["docs/en-referral.pdf"])
    );
    assert_eq!(jsonl["metadata"]["asked_by"], "field coordinator");
    assert_eq!(jsonl["metadata"]["priority"], 2);
    assert_eq!(jsonl["source"], "qa/answers.jsonl");
    assert_eq!(jsonl["format"], "jsonl");

    // Undeclared languages are detected, in all four languages.
    assert_eq!(run.record("fx-fr-002")["language"], "fr");
    assert_eq!(run.record("fx-ar-004")["language"], "ar");
    assert_eq!(run.record("fx-en-202")["language"], "en");
    // `topics` as one `;`-separated string is accepted too.
    assert_eq!(
        run.record("fx-fr-002")["topics"],
        serde_json::json!(["data-protection", "case-management"])
    );

    let json = run.record("fx-fr-101");
    assert_eq!(json["format"], "json");
    assert_eq!(json["metadata"]["reviewed"], true);

    let csv = run.record("fx-es-201");
    assert_eq!(csv["format"], "csv");
    assert_eq!(csv["language"], "es");
    assert_eq!(
        csv["topics"],
        serde_json::json!(["data-protection", "communication"])
    );
    assert_eq!(
        csv["attachments"],
        serde_json::json!(["docs/checklist.docx"])
    );
    assert_eq!(csv["metadata"]["channel"], "email");

    let md = run.record("fx-en-301");
    assert_eq!(md["format"], "md");
    assert_eq!(
        md["title"],
        "What should a child friendly space do when attendance drops after the rains?"
    );
    assert!(md["body"]
        .as_str()
        .unwrap()
        .contains("check whether the path to the site is still safe"));
    assert_eq!(md["date"], "2024-06-12");
    assert_eq!(md["country"], "Bangladesh");
    assert_eq!(md["metadata"]["source_ticket"], "HD-4411");
}

#[test]
fn bad_lines_duplicates_and_missing_attachments_are_reported() {
    let run = fixture_run();
    assert!(run.problem("qa/answers.jsonl:3: ").contains("invalid JSON"));
    let dup = run.problem("qa/answers.jsonl:4: ");
    assert!(dup.contains("duplicate id \"fx-en-001\""), "{dup}");
    assert!(
        run.record("fx-en-001")["body"]
            .as_str()
            .unwrap()
            .starts_with("Yes."),
        "the first record of an id is kept"
    );
    let missing = run.problem("qa/answers.jsonl:5: ");
    assert!(
        missing.contains("attachment \"docs/guia-que-no-existe.pdf\" not found"),
        "{missing}"
    );
    assert!(
        run.has_record("fx-es-003"),
        "a missing attachment does not drop the Q&A"
    );
    assert!(run
        .problem("qa/answers.jsonl:7: ")
        .contains("missing `question`"));
    assert!(run
        .problem("qa/answers.csv:4: ")
        .contains("missing `answer`"));
    assert!(run
        .problem("qa/answers.json:11: fx-en-102: ")
        .contains("not YYYY-MM-DD"));
    assert!(run
        .problem("qa/answers.json:18: ")
        .contains("item 3: not a JSON object"));
    // Lines after the bad ones still ingest.
    assert!(run.has_record("fx-ar-004"));
}

#[test]
fn broken_pdfs_fail_alone_with_a_reason() {
    let run = fixture_run();
    assert_eq!(run.code, Some(0));
    for (path, reason) in [
        ("broken/garbage.pdf", "not a PDF"),
        ("broken/truncated.pdf", "cannot parse"),
        ("broken/password.pdf", "encrypted"),
        // lopdf asks for ~1 TiB on this file and aborts: only the worker dies.
        ("broken/xref-bomb.pdf", "worker crashed"),
    ] {
        let line = run.problem(&format!("{path}: "));
        assert!(line.contains("PDF not indexed"), "{line}");
        assert!(line.contains(reason), "{line}");
        assert!(!run.has_record(path));
    }
    // Encrypted with an owner password only: opens with the empty password.
    let owner = run.record("docs/owner-only.pdf");
    assert_eq!(owner["extraction"]["status"], "ok");
    assert!(owner["body"]
        .as_str()
        .unwrap()
        .contains("guidance note about family tracing"));
    assert!(run
        .stderr
        .lines()
        .any(|l| l.starts_with("answerbank: ") && l.contains("(5 failed)")));
}

#[test]
fn unreadable_and_mis_encoded_files_are_reported() {
    let run = fixture_run();
    let docx = run.problem("broken/not-a-zip.docx: ");
    assert!(docx.contains("cannot read DOCX"), "{docx}");
    assert!(!run.has_record("broken/not-a-zip.docx"));
    // Windows-1252 text is read as such, and said so.
    let latin1 = run.problem("broken/latin1.txt: ");
    assert!(latin1.contains("not valid UTF-8"), "{latin1}");
    assert_eq!(
        run.record("broken/latin1.txt")["body"],
        "Horaires du café des parents : lundi et jeudi."
    );
}

#[test]
fn progress_bar_stays_out_of_pipes() {
    let run = fixture_run();
    for line in run.stderr.lines() {
        assert!(!line.contains('\r') && !line.contains('\u{1b}'), "{line:?}");
        assert!(
            line.starts_with("answerbank: ") || line.contains(": "),
            "unexpected stderr line {line:?}"
        );
    }
}

#[test]
fn an_unreadable_corpus_root_is_the_only_fatal_error() {
    let dir = tempfile::tempdir().unwrap();
    let run = records(&dir.path().join("no-such-corpus"));
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("no-such-corpus"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    // An empty corpus is fine: nothing to print.
    let run = records(dir.path());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.records.is_empty());
}

/// A corpus with one good PDF and one Q&A, for the worker-limit tests.
fn small_corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        corpus().join("docs/en-referral.pdf"),
        dir.path().join("guide.pdf"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("qa.jsonl"),
        r#"{"id":"q1","question":"Is the run still going?","answer":"Yes, a PDF that fails does not stop it.","language":"en"}"#,
    )
    .unwrap();
    dir
}

fn worker_options() -> ingest::IngestOptions {
    ingest::IngestOptions {
        worker: Some(ingest::WorkerCommand {
            program: PathBuf::from(env!("CARGO_BIN_EXE_answerbank")),
            args: vec!["__extract-pdf".to_string()],
        }),
        pdftotext: None,
        ..ingest::IngestOptions::default()
    }
}

#[test]
fn the_worker_extracts_the_same_text_as_in_process() {
    let dir = small_corpus();
    let with_worker = ingest::ingest(dir.path(), &worker_options(), &|_| {}).unwrap();
    let in_process =
        ingest::ingest(dir.path(), &ingest::IngestOptions::default(), &|_| {}).unwrap();
    assert_eq!(with_worker.records.len(), 2);
    assert_eq!(with_worker.records, in_process.records);
    assert_eq!(with_worker.failed_files, 0);
}

#[test]
fn one_bad_page_loses_one_page_not_the_document() {
    // Page 2 of 3 uses a CMap pdf-extract panics on.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        corpus().join("broken/one-bad-page.pdf"),
        dir.path().join("three-pages.pdf"),
    )
    .unwrap();
    let got = ingest::ingest(dir.path(), &worker_options(), &|_| {}).unwrap();
    assert_eq!(got.failed_files, 0);
    let record = &got.records[0];
    let extraction = record.extraction.as_ref().unwrap();
    assert_eq!(extraction.status, ingest::ExtractionStatus::Partial);
    assert_eq!(record.pages.len(), 3);
    assert!(record.pages[0]
        .text
        .contains("family tracing starts at registration"));
    assert_eq!(record.pages[1].text, "");
    assert!(record.pages[2]
        .text
        .contains("interim care with a vetted family"));
    assert!(
        extraction
            .flags
            .iter()
            .any(|f| f.starts_with("page 2: panic: unsupported encoding")),
        "{:?}",
        extraction.flags
    );
    assert_eq!(record.language, analysis::Lang::En);
    let problem = got
        .problems
        .iter()
        .find(|p| p.path == "three-pages.pdf")
        .unwrap();
    assert!(problem.message.contains("partly read"), "{problem}");
    // Through the CLI (pdftotext, when installed, may fill page 2).
    let run = fixture_run();
    let cli = run.record("broken/one-bad-page.pdf");
    assert_eq!(cli["pages"].as_array().unwrap().len(), 3);
    assert!(cli["pages"][2]["text"]
        .as_str()
        .unwrap()
        .contains("interim care"));
}

#[test]
fn a_pdf_that_kills_its_worker_fails_alone() {
    // One thread: the same worker would have read the files after the bomb.
    let dir = tempfile::tempdir().unwrap();
    let copy = |from: &str, to: &str| {
        std::fs::copy(corpus().join(from), dir.path().join(to)).unwrap();
    };
    copy("docs/en-referral.pdf", "a.pdf");
    copy("broken/xref-bomb.pdf", "b.pdf");
    copy("docs/fr-protocole.pdf", "c.pdf");
    copy("docs/ar-dalil.pdf", "d.pdf");
    let opts = ingest::IngestOptions {
        threads: 1,
        ..worker_options()
    };
    let got = ingest::ingest(dir.path(), &opts, &|_| {}).unwrap();
    let ids: Vec<&str> = got.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["a.pdf", "c.pdf", "d.pdf"]);
    assert_eq!(got.failed_files, 1);
    let problem = got.problems.iter().find(|p| p.path == "b.pdf").unwrap();
    assert!(problem.message.contains("worker crashed"), "{problem}");
    assert_eq!(got.records[2].language, analysis::Lang::Ar);
}

#[test]
fn a_worker_past_its_time_limit_is_killed_and_the_file_failed() {
    let dir = small_corpus();
    let opts = ingest::IngestOptions {
        pdf_timeout: Duration::from_millis(1),
        ..worker_options()
    };
    let seen = std::sync::Mutex::new(Vec::new());
    let got = ingest::ingest(dir.path(), &opts, &|p| {
        seen.lock().unwrap().push((p.done, p.total))
    })
    .unwrap();
    assert_eq!(got.failed_files, 1);
    assert_eq!(got.records.len(), 1, "the Q&A still ingests");
    assert_eq!(got.records[0].id, "q1");
    let problem = got.problems.iter().find(|p| p.path == "guide.pdf").unwrap();
    assert!(problem.message.contains("timed out"), "{problem}");
    let mut seen = seen.into_inner().unwrap();
    seen.sort();
    assert_eq!(seen, [(1, 2), (2, 2)], "progress after each file");
}

#[test]
fn the_worker_runs_under_its_memory_limit_from_its_start() {
    // The binary's allocator (mimalloc) reserves address space when the
    // process starts; a limit set later would leave that reserve outside
    // it. The worker re-executes itself under the limit (same process id
    // after `exec`): soon after it starts, its limit is set and everything
    // it has mapped, the allocator's reserve included, is under it.
    let limit: u64 = 768 << 20;
    let mut child = Command::new(env!("CARGO_BIN_EXE_answerbank"))
        .args(["__extract-pdf", &format!("--memory-limit={limit}")])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let proc_file = |name: &str| {
        std::fs::read_to_string(format!("/proc/{}/{name}", child.id())).unwrap_or_default()
    };
    let wanted = limit.to_string();
    let (mut limits, mut mapped_kib) = (String::new(), u64::MAX);
    for _ in 0..300 {
        limits = proc_file("limits")
            .lines()
            .find(|l| l.starts_with("Max address space"))
            .unwrap_or("")
            .to_string();
        mapped_kib = proc_file("status")
            .lines()
            .find_map(|l| l.strip_prefix("VmSize:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(u64::MAX);
        let soft_and_hard = limits.split_whitespace().filter(|w| *w == wanted).count();
        if soft_and_hard == 2 && mapped_kib.saturating_mul(1024) <= limit {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(child.stdin.take());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    assert_eq!(
        limits.split_whitespace().filter(|w| *w == wanted).count(),
        2,
        "{limits}"
    );
    assert!(
        mapped_kib.saturating_mul(1024) <= limit,
        "{mapped_kib} KiB mapped"
    );
}

#[test]
fn a_worker_past_its_memory_limit_dies_alone() {
    let dir = small_corpus();
    let opts = ingest::IngestOptions {
        // Far below what the worker needs: its next allocation fails.
        pdf_memory_limit: 4 << 20,
        ..worker_options()
    };
    let got = ingest::ingest(dir.path(), &opts, &|_| {}).unwrap();
    assert_eq!(got.failed_files, 1);
    assert_eq!(got.records.len(), 1);
    let problem = got.problems.iter().find(|p| p.path == "guide.pdf").unwrap();
    assert!(problem.message.contains("worker"), "{problem}");
}
