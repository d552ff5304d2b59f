//! `answerbank ingest` and `answerbank search` end to end: the real binary
//! on a small corpus written here in English, French, Spanish and Arabic,
//! plus a two-page PDF from the ingest fixtures (made by LibreOffice).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_answerbank")
}

fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env("ANSWERBANK_LOG", "warn")
        .env("NO_COLOR", "1")
        .output()
        .expect("run answerbank")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): stdout {} stderr {}", stdout(o), stderr(o)))
}

const EN: &str = r#"{"id":"t-en-1","question":"How do we register separated children at the border?","answer":"Register every separated child on arrival with the inter-agency form and start family tracing the same day. Use CPIMS+ for the case file.","language":"en","country":"Lebanon","topics":["uasc"],"date":"2024-03-10"}
{"id":"t-en-2","question":"Which psychosocial activities suit adolescents?","answer":"Group sessions in child-friendly spaces, sport and life skills work well for adolescents after displacement.","language":"en","country":"Jordan","topics":["mhpss"],"date":"2023-07-01"}
{"id":"t-en-3","question":"Child labour in markets: what can case workers do?","answer":"Assess the risk, refer the family to cash assistance and follow up every month.","language":"en","country":"Lebanon","topics":["child-labour"],"date":"2022-01-15"}
"#;
const FR: &str = r#"{"id":"t-fr-1","question":"Comment organiser la prise en charge des enfants non accompagnés ?","answer":"L'enfant non accompagné est enregistré puis orienté vers la gestion de cas. La recherche familiale commence dès l’identification.","language":"fr","country":"Niger","topics":["uasc"],"date":"2024-01-20"}
{"id":"t-fr-2","question":"Quelles normes de sécurité pour les espaces amis des enfants ?","answer":"Les standards minimums demandent une évaluation de la sécurité avant l'ouverture de chaque espace.","language":"fr","country":"Mali","topics":["cfs"],"date":"2021-05-05"}
"#;
const ES: &str = r#"{"id":"t-es-1","question":"¿Cómo registrar a niños no acompañados en la frontera?","answer":"Los niños y niñas no acompañados se registran al llegar; se abre un caso y empieza la búsqueda de la familia.","language":"es","country":"Colombia","topics":["uasc"],"date":"2024-02-02"}
{"id":"t-es-2","question":"Trabajo infantil en la cosecha de café","answer":"La gestión de casos identifica a los niños que trabajan y coordina con la protección social.","language":"es","country":"Colombia","topics":["child-labour"],"date":"2023-11-11"}
"#;
const AR: &str = r#"{"id":"t-ar-1","question":"كيف نسجل الأطفالَ غير المصحوبين عند الحدود؟","answer":"يتم تسجيل الأطفال غير المصحوبين عند الوصول وفتح ملف في إدارة الحالات والبحث عن الأسر.","language":"ar","country":"Iraq","topics":["uasc"],"date":"2024-04-04"}
{"id":"t-ar-2","question":"ما هي أنشطة الدعم النفسي الاجتماعي للمراهقين؟","answer":"أنشطة جماعية في المساحات الصديقة للطفل ودعم الأسرة.","language":"ar","country":"Syria","topics":["mhpss"]}
"#;

/// The two-page English PDF of the ingest fixtures (page 2: "Interim care").
fn fixture_pdf() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ingest/corpus/docs/en-referral.pdf")
}

struct Setup {
    _dir: tempfile::TempDir,
    corpus: PathBuf,
    index: PathBuf,
    has_pdf: bool,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(corpus.join("qa")).unwrap();
        std::fs::create_dir_all(corpus.join("docs")).unwrap();
        for (name, text) in [("en", EN), ("fr", FR), ("es", ES), ("ar", AR)] {
            std::fs::write(corpus.join(format!("qa/{name}.jsonl")), text).unwrap();
        }
        let has_pdf = std::fs::copy(fixture_pdf(), corpus.join("docs/en-referral.pdf")).is_ok();
        let index = dir.path().join("index");
        Setup {
            _dir: dir,
            corpus,
            index,
            has_pdf,
        }
    }

    fn records(&self) -> u64 {
        9 + u64::from(self.has_pdf)
    }

    fn ingest(&self) -> Value {
        let o = run(&[
            "ingest",
            "--corpus",
            self.corpus.to_str().unwrap(),
            "--index",
            self.index.to_str().unwrap(),
            "--json",
        ]);
        assert!(o.status.success(), "ingest failed: {}", stderr(&o));
        json(&o)
    }

    fn search(&self, q: &str, extra: &[&str]) -> Output {
        let mut args = vec!["search", q, "--index", self.index.to_str().unwrap()];
        args.extend_from_slice(extra);
        run(&args)
    }

    fn search_json(&self, q: &str, extra: &[&str]) -> Value {
        let mut args = extra.to_vec();
        args.push("--json");
        let o = self.search(q, &args);
        assert!(
            o.status.code() == Some(0) || o.status.code() == Some(1),
            "{}",
            stderr(&o)
        );
        json(&o)
    }
}

fn ids(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

fn counts(report: &Value) -> [u64; 5] {
    ["added", "updated", "removed", "unchanged", "failed"].map(|k| report[k].as_u64().unwrap())
}

#[test]
fn ingest_reports_incremental_counts() {
    let s = Setup::new();
    let n = s.records();
    let r = s.ingest();
    assert_eq!(counts(&r), [n, 0, 0, 0, 0], "{r}");
    assert_eq!(r["problems"], Value::Array(vec![]));
    assert!(r["took_ms"].as_f64().unwrap() > 0.0);
    // Nothing changed.
    assert_eq!(counts(&s.ingest()), [0, 0, 0, n, 0]);
    // One answer edited, one removed, one added.
    let es = ES.replace(
        "coordina con la protección social",
        "coordina con los servicios sociales",
    );
    let es = es.lines().skip(1).collect::<Vec<_>>().join("\n") + "\n";
    std::fs::write(s.corpus.join("qa/es.jsonl"), es).unwrap();
    let added = r#"{"id":"t-en-4","question":"Foster care for infants?","answer":"Use emergency foster families.","language":"en"}"#;
    std::fs::write(s.corpus.join("qa/en.jsonl"), format!("{EN}{added}\n")).unwrap();
    assert_eq!(counts(&s.ingest()), [1, 1, 1, n - 2, 0]);
    let r = s.search_json("servicios sociales", &[]);
    assert_eq!(ids(&r).first().map(String::as_str), Some("t-es-2"));
    assert!(!ids(&s.search_json("registrar frontera", &[])).contains(&"t-es-1".to_string()));

    // A file that can no longer be read: reported, its records kept.
    std::fs::write(s.corpus.join("qa/fr.jsonl"), [0xff, 0xfe, 0x00, 0x9f]).unwrap();
    let r = s.ingest();
    assert_eq!(r["removed"], 0, "{r}");
    assert!(!r["problems"].as_array().unwrap().is_empty(), "{r}");
    assert!(r["problems"][0]["path"]
        .as_str()
        .unwrap()
        .contains("fr.jsonl"));
    let found = s.search_json("enfants non accompagnés", &[]);
    assert!(ids(&found).contains(&"t-fr-1".to_string()));

    // The human report names the counts and the problems.
    let o = run(&[
        "ingest",
        "--corpus",
        s.corpus.to_str().unwrap(),
        "--index",
        s.index.to_str().unwrap(),
    ]);
    let text = stdout(&o);
    assert!(text.contains("unchanged"), "{text}");
    assert!(text.contains("fr.jsonl"), "{text}");
}

#[test]
fn search_json_has_the_contract_shape() {
    let s = Setup::new();
    s.ingest();
    let r = s.search_json("separated children registration", &[]);
    let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, vec!["facets", "hits", "language", "took_ms", "total"]);
    assert!(r["total"].as_u64().unwrap() >= 1);
    // The Q&A about registering separated children is among the first two
    // (the referral PDF says all three words too).
    let hits = r["hits"].as_array().unwrap();
    let at = hits.iter().position(|h| h["id"] == "t-en-1");
    assert!(at.is_some_and(|i| i < 2), "{r}");
    let hit = &hits[at.unwrap()];
    for key in [
        "id", "type", "title", "language", "score", "snippets", "source",
    ] {
        assert!(hit.get(key).is_some(), "hit lacks {key}: {hit}");
    }
    assert_eq!(hit["type"], "qa");
    assert_eq!(hit["language"], "en");
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    let snippet = &hit["snippets"][0];
    assert!(snippet["text"].is_string());
    let spans = snippet["highlights"].as_array().unwrap();
    assert!(!spans.is_empty(), "{snippet}");
    // Highlights are char offsets of matched words.
    let text: Vec<char> = snippet["text"].as_str().unwrap().chars().collect();
    for span in spans {
        let (a, b) = (
            span[0].as_u64().unwrap() as usize,
            span[1].as_u64().unwrap() as usize,
        );
        let word: String = text[a..b].iter().collect();
        let lower = word.to_lowercase();
        assert!(
            [
                "separated",
                "children",
                "child",
                "register",
                "registration",
                "cpims+"
            ]
            .iter()
            .any(|w| lower.starts_with(&w[..5.min(w.len())])),
            "unexpected highlight {word:?}"
        );
    }
    for facet in ["type", "language", "topic", "country", "year"] {
        assert!(
            r["facets"][facet].is_object(),
            "facet {facet} missing: {}",
            r["facets"]
        );
    }
    if s.has_pdf {
        let r = s.search_json("photographs over messaging groups", &[]);
        let doc = r["hits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["type"] == "document")
            .unwrap_or_else(|| panic!("no document hit: {r}"));
        assert_eq!(doc["id"], "docs/en-referral.pdf");
        let page = &doc["pages"][0];
        assert_eq!(page["page"], 2, "{doc}");
        assert!(page["snippet"]["text"]
            .as_str()
            .unwrap()
            .contains("messaging groups"));
    }
}

#[test]
fn search_understands_four_languages() {
    let s = Setup::new();
    s.ingest();
    let top = |q: &str| {
        ids(&s.search_json(q, &[]))
            .first()
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(top("enfants non accompagnes"), "t-fr-1");
    assert_eq!(top("l’identification"), "t-fr-1");
    assert_eq!(top("ninos acompanados frontera"), "t-es-1");
    assert_eq!(top("الاطفال غير المصحوبين"), "t-ar-1");
    assert_eq!(top("psychosocal adolecents"), "t-en-2");
    // Cross-lingual through the glossary: the acronym reaches all four.
    let uasc = ids(&s.search_json("UASC", &[]));
    for id in ["t-en-1", "t-fr-1", "t-es-1", "t-ar-1"] {
        assert!(uasc.contains(&id.to_string()), "UASC misses {id}: {uasc:?}");
    }
    // Filters.
    let r = s.search_json("children", &["--lang", "fr"]);
    assert!(r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["language"] == "fr"));
    let r = s.search_json("", &["--country", "Lebanon"]);
    assert_eq!(ids(&r), vec!["t-en-1", "t-en-3"]);
    let r = s.search_json("", &["--from", "2024-01-01", "--to", "2024-02-28"]);
    let mut got = ids(&r);
    got.sort();
    assert_eq!(got, vec!["t-es-1", "t-fr-1"]);
    let r = s.search_json("", &["--type", "qa", "--limit", "3", "--offset", "3"]);
    assert_eq!(r["total"], 9);
    assert_eq!(ids(&r).len(), 3);
    // A query may start with an exclusion (not taken for a flag).
    let all = ids(&s.search_json("UASC", &[]));
    let r = ids(&s.search_json("-frontera UASC", &[]));
    assert!(!r.is_empty() && r.len() < all.len(), "{r:?} vs {all:?}");
    assert!(!r.contains(&"t-es-1".to_string()), "{r:?}");
}

#[test]
fn human_output_and_explain() {
    let s = Setup::new();
    s.ingest();
    let o = s.search("enfants non accompagnés", &["--limit", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("Comment organiser la prise en charge"),
        "{text}"
    );
    assert!(text.contains("t-fr-1"), "{text}");
    assert!(text.contains("qa · fr"), "{text}");
    assert!(text.contains("score"), "{text}");
    assert!(text.contains("enfant]"), "{text}");
    // The Arabic answer comes through the glossary, its words marked too.
    assert!(text.contains("[الأطفال]"), "{text}");
    if s.has_pdf {
        let o = s.search("photographs messaging", &[]);
        assert!(stdout(&o).contains("p. 2:"), "{}", stdout(&o));
    }
    let o = s.search("psychosocial adolescents", &["--explain", "--limit", "1"]);
    let text = stdout(&o);
    assert!(text.contains("matched clauses"), "{text}");
    assert!(text.contains("title_en:"), "{text}");
}

#[test]
fn bad_requests_fail_cleanly() {
    let s = Setup::new();
    // No index yet.
    let o = s.search("children", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("answerbank ingest"), "{}", stderr(&o));
    s.ingest();
    for extra in [
        &["--from", "2024-13-01"][..],
        &["--from", "2024-05-01", "--to", "2024-01-01"],
        &["--limit", "1000"],
        &["--lang", "xx"],
        &["--type", "video"],
    ] {
        let o = s.search("children", extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stdout(&o));
        let err = stderr(&o);
        assert!(!err.contains("panicked"), "{err}");
        assert!(!err.is_empty());
    }
    let long = "word ".repeat(200);
    assert_eq!(s.search(&long, &[]).status.code(), Some(2));
    // Odd syntax is not an error; no hits exits 1.
    for q in ["\"unclosed", "OR", "-", "children -"] {
        let o = s.search(q, &["--json"]);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{q}: {}",
            stderr(&o)
        );
        json(&o);
    }
    assert_eq!(s.search("zzzzqqq", &[]).status.code(), Some(1));
}
