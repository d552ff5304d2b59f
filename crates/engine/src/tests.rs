//! Engine tests over a small four-language corpus built in code.

use crate::{Engine, Error, SearchRequest, SearchResponse, Sort, MAX_LIMIT, MAX_QUERY_CHARS};
use analysis::Lang;
use ingest::{Page, Problem, Record, RecordKind};
use std::sync::Arc;

#[allow(clippy::too_many_arguments)]
fn rec(
    id: &str,
    kind: RecordKind,
    lang: Lang,
    title: &str,
    body: &str,
    topics: &[&str],
    country: Option<&str>,
    date: Option<&str>,
) -> Record {
    let mut r = Record {
        id: id.to_string(),
        kind,
        title: title.to_string(),
        body: body.to_string(),
        language: lang,
        country: country.map(str::to_string),
        topics: topics.iter().map(|t| t.to_string()).collect(),
        date: date.map(str::to_string),
        attachments: Vec::new(),
        source: format!("qa/{}.jsonl", lang.code()),
        format: "jsonl".to_string(),
        pages: Vec::new(),
        extraction: None,
        metadata: Default::default(),
        hash: String::new(),
    };
    r.hash = ingest::record_hash(&r);
    r
}

fn qa(id: &str, lang: Lang, title: &str, body: &str) -> Record {
    rec(id, RecordKind::Qa, lang, title, body, &[], None, None)
}

/// The test corpus: Q&As in four languages, a paged document, an `und` record.
pub(crate) fn corpus() -> Vec<Record> {
    use Lang::*;
    let mut v = vec![
        rec("en-1", RecordKind::Qa, En,
            "How do we register unaccompanied and separated children at the border?",
            "Register each separated child on arrival, take a photo with consent and open a case in CPIMS+. Family tracing starts the same day.",
            &["uasc", "registration"], Some("Lebanon"), Some("2024-03-10")),
        rec("en-2", RecordKind::Qa, En,
            "Which psychosocial support activities suit adolescents?",
            "Group activities in child-friendly spaces, sports and life-skills sessions work well for adolescents after displacement.",
            &["mhpss"], Some("Jordan"), Some("2023-07-01")),
        rec("en-3", RecordKind::Qa, En,
            "Child labour in markets: what should case workers do?",
            "Assess the risk, refer the family to cash assistance and follow up monthly. Child labour is a protection concern.",
            &["child-labour"], Some("Lebanon"), Some("2022-01-15")),
        rec("fr-1", RecordKind::Qa, Fr,
            "Comment organiser la prise en charge des enfants non accompagnés ?",
            "L'enfant non accompagné doit être enregistré et orienté vers la gestion de cas. La recherche familiale commence dès l’identification.",
            &["uasc"], Some("Niger"), Some("2024-01-20")),
        rec("fr-2", RecordKind::Qa, Fr,
            "Quelles normes pour la sécurité des espaces amis des enfants ?",
            "Les standards minimums demandent une évaluation de la sécurité avant l'ouverture de chaque espace.",
            &["cfs"], Some("Mali"), Some("2021-05-05")),
        rec("es-1", RecordKind::Qa, Es,
            "¿Cómo registrar a niños no acompañados en la frontera?",
            "Los niños y niñas no acompañados se registran al llegar; se abre un caso y se inicia la búsqueda familiar.",
            &["uasc"], Some("Colombia"), Some("2024-02-02")),
        rec("es-2", RecordKind::Qa, Es,
            "Trabajo infantil en la cosecha",
            "La gestión de casos identifica a los niños en trabajo infantil y coordina con protección social.",
            &["child-labour"], Some("Colombia"), Some("2023-11-11")),
        rec("ar-1", RecordKind::Qa, Ar,
            "كيف نسجل الأطفالَ غير المصحوبين؟",
            "يتم تسجيل الأطفال غير المصحوبين عند الوصول وفتح ملف إدارة الحالات والبحث عن الأسر.",
            &["uasc"], Some("Iraq"), Some("2024-04-04")),
        rec("ar-2", RecordKind::Qa, Ar,
            "ما هي أنشطة الدعم النفسي الاجتماعي للمراهقين؟",
            "أنشطة جماعية في المساحات الصديقة للطفل ودعم الأسرة.",
            &["mhpss"], Some("Syria"), None),
        rec("und-1", RecordKind::Qa, Und,
            "CPIMS+ 5W",
            "CPIMS+ 5W 2024",
            &[], None, None),
    ];
    let mut doc = rec(
        "docs/en/case-management-guide.pdf",
        RecordKind::Document,
        En,
        "Case management guidelines",
        "Introduction to the guidelines. Best interests determination for separated children. Closing a case after family reunification.",
        &["case-management"],
        None,
        Some("2020-06-01"),
    );
    doc.source = doc.id.clone();
    doc.format = "pdf".into();
    doc.pages = vec![
        Page {
            number: 1,
            language: En,
            text: "Introduction to the guidelines.".into(),
        },
        Page {
            number: 2,
            language: En,
            text: "Best interests determination for separated children.".into(),
        },
        Page {
            number: 3,
            language: En,
            text: "Closing a case after family reunification.".into(),
        },
    ];
    doc.hash = ingest::record_hash(&doc);
    v.push(doc);
    v
}

fn engine_with(records: Vec<Record>) -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path()).unwrap();
    engine.ingest_records(records, Vec::new(), &|_| {}).unwrap();
    (dir, engine)
}

fn search(engine: &Engine, q: &str) -> SearchResponse {
    engine.search(&SearchRequest::new(q)).unwrap()
}

fn ids(r: &SearchResponse) -> Vec<&str> {
    r.hits.iter().map(|h| h.id.as_str()).collect()
}

fn top(engine: &Engine, q: &str) -> String {
    let r = search(engine, q);
    r.hits.first().map(|h| h.id.clone()).unwrap_or_default()
}

#[test]
fn finds_each_language_with_its_analyzer() {
    let (_d, e) = engine_with(corpus());
    assert_eq!(top(&e, "registering separated children"), "en-1");
    // Accent-insensitive French and elision.
    assert_eq!(top(&e, "enfants non accompagnes"), "fr-1");
    assert_eq!(top(&e, "securite espaces"), "fr-2");
    // Spanish without the tilde.
    assert_eq!(top(&e, "ninos acompanados frontera"), "es-1");
    // Arabic spelling variants: no harakat, bare alef.
    assert_eq!(top(&e, "الاطفال غير المصحوبين"), "ar-1");
    assert!(ids(&search(&e, "الأطفالُ")).contains(&"ar-1"));
}

#[test]
fn elisions_and_acronyms() {
    let (_d, e) = engine_with(corpus());
    assert!(ids(&search(&e, "l’identification")).contains(&"fr-1"));
    assert!(ids(&search(&e, "identification")).contains(&"fr-1"));
    let r = search(&e, "CPIMS+");
    assert!(ids(&r).contains(&"en-1"), "{:?}", ids(&r));
    assert!(ids(&r).contains(&"und-1"));
    assert!(ids(&search(&e, "5W")).contains(&"und-1"));
}

#[test]
fn typos_match_below_exact() {
    let (_d, e) = engine_with(corpus());
    let r = search(&e, "psychosocal");
    assert_eq!(ids(&r).first(), Some(&"en-2"), "{:?}", ids(&r));
    let r = search(&e, "adolecents");
    assert!(ids(&r).contains(&"en-2"));
    // The typo is marked in the snippet.
    let hit = &r.hits[0];
    assert!(!hit.snippets[0].highlights.is_empty(), "{:?}", hit.snippets);
    // Short words get no typo tolerance.
    assert_eq!(search(&e, "sprt").total, 0);
    assert!(ids(&search(&e, "sprts")).contains(&"en-2"));
}

/// A typo's corrections are the words near it that are about as frequent as
/// the most frequent one: `suport` is `support` (five records), not the
/// French `sport` (one record) one deletion away too.
#[test]
fn typos_skip_much_rarer_corrections() {
    use Lang::*;
    let mut records: Vec<Record> = (0..5)
        .map(|i| {
            qa(
                &format!("en-{i}"),
                En,
                "Peer support groups for caregivers",
                "Weekly support sessions for parents of children in care.",
            )
        })
        .collect();
    records.push(qa(
        "fr-sport",
        Fr,
        "Tournoi de sport du dimanche",
        "Le sport collectif, le dimanche matin.",
    ));
    let (_d, e) = engine_with(records.clone());
    let r = search(&e, "suport");
    assert_eq!(r.total, 5, "{:?}", ids(&r));
    assert!(!ids(&r).contains(&"fr-sport"), "{:?}", ids(&r));

    // Once the five are gone, `support` is in no record: the typo goes to
    // `sport`, the word that is left (how many records hold a correction
    // is read from the language fields, not from the dictionary, which may
    // still list removed words: see the next test).
    let rest: Vec<Record> = records.split_off(5);
    let report = e.ingest_records(rest, Vec::new(), &|_| {}).unwrap();
    assert_eq!(report.removed, 5);
    let r = search(&e, "suport");
    assert_eq!(ids(&r), vec!["fr-sport"], "{:?}", r.hits);
}

#[test]
fn phrases_exclusion_or() {
    let (_d, e) = engine_with(corpus());
    let r = search(&e, "\"child labour\"");
    // The Spanish "trabajo infantil" comes through the glossary, below.
    assert_eq!(ids(&r), vec!["en-3", "es-2"]);
    // Words in the wrong order are not the phrase.
    assert_eq!(search(&e, "\"labour child\"").total, 0);
    let all = search(&e, "children");
    let without = search(&e, "children -border");
    assert!(ids(&all).contains(&"en-1"));
    assert!(!ids(&without).contains(&"en-1"));
    let r = search(&e, "adolescents OR markets");
    let got = ids(&r);
    assert!(got.contains(&"en-2") && got.contains(&"en-3"), "{got:?}");
    // Broken syntax is plain words.
    let r = search(&e, "\"child labour");
    assert!(ids(&r).contains(&"en-3"));
    let r = search(&e, "OR markets -");
    assert!(ids(&r).contains(&"en-3"));
}

#[test]
fn filters_and_facets() {
    let (_d, e) = engine_with(corpus());
    let mut req = SearchRequest::new("uasc registration children enfants niños");
    req.lang = Some(Lang::Fr);
    let r = e.search(&req).unwrap();
    assert!(r.hits.iter().all(|h| h.language == Lang::Fr));
    assert!(r.total >= 1);

    let mut req = SearchRequest::new("");
    req.country = Some("lebanon".into());
    let r = e.search(&req).unwrap();
    assert_eq!(r.total, 2);
    assert_eq!(r.facets["country"]["Lebanon"], 2);
    // Browsing sorts newest first.
    assert_eq!(ids(&r), vec!["en-1", "en-3"]);

    let mut req = SearchRequest::new("");
    req.kind = Some(RecordKind::Document);
    let r = e.search(&req).unwrap();
    assert_eq!(ids(&r), vec!["docs/en/case-management-guide.pdf"]);

    let mut req = SearchRequest::new("");
    req.topic = Some("UASC".into());
    let r = e.search(&req).unwrap();
    assert_eq!(r.total, 4);
    assert_eq!(r.facets["language"]["ar"], 1);
    assert_eq!(r.facets["type"]["qa"], 4);
    assert_eq!(r.facets["year"]["2024"], 4);

    let mut req = SearchRequest::new("");
    req.from = Some("2024-01-01".into());
    req.to = Some("2024-03-31".into());
    let r = e.search(&req).unwrap();
    let mut got = ids(&r);
    got.sort();
    assert_eq!(got, vec!["en-1", "es-1", "fr-1"]);
    // A bare year as `to` means its end.
    let mut req = SearchRequest::new("");
    req.to = Some("2021".into());
    assert_eq!(
        ids(&e.search(&req).unwrap()),
        vec!["fr-2", "docs/en/case-management-guide.pdf"]
    );

    // Facets count every match, not just the page.
    let all = search(&e, "");
    assert_eq!(all.total, 11);
    let counted: u64 = all.facets["language"].values().sum();
    assert_eq!(counted, 11);
}

#[test]
fn pagination_and_sort() {
    let (_d, e) = engine_with(corpus());
    let mut req = SearchRequest::new("");
    req.limit = 4;
    let p1 = e.search(&req).unwrap();
    req.offset = 4;
    let p2 = e.search(&req).unwrap();
    req.offset = 8;
    let p3 = e.search(&req).unwrap();
    assert_eq!(p1.hits.len(), 4);
    assert_eq!(p3.hits.len(), 3);
    let mut seen: Vec<&str> = ids(&p1)
        .into_iter()
        .chain(ids(&p2))
        .chain(ids(&p3))
        .collect();
    let n = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), n, "pages overlap");

    let mut req = SearchRequest::new("children");
    req.sort = Sort::Date;
    let r = e.search(&req).unwrap();
    let dates: Vec<_> = r
        .hits
        .iter()
        .map(|h| h.date.clone().unwrap_or_default())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);

    // Relevance: scores never increase down the list.
    let r = search(&e, "separated children family");
    assert!(r.hits.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn bad_parameters_are_user_errors() {
    let (_d, e) = engine_with(corpus());
    let bad = |req: SearchRequest| {
        let err = e.search(&req).unwrap_err();
        assert!(err.is_user_error(), "{err}");
    };
    bad(SearchRequest {
        limit: MAX_LIMIT + 1,
        ..SearchRequest::new("x")
    });
    bad(SearchRequest::new("a".repeat(MAX_QUERY_CHARS + 1)));
    bad(SearchRequest {
        from: Some("2024-13-01".into()),
        ..SearchRequest::new("x")
    });
    bad(SearchRequest {
        to: Some("soon".into()),
        ..SearchRequest::new("x")
    });
    bad(SearchRequest {
        from: Some("2024-02-01".into()),
        to: Some("2024-01-01".into()),
        ..SearchRequest::new("x")
    });
    bad(SearchRequest {
        offset: usize::MAX,
        ..SearchRequest::new("x")
    });
    assert!(e.suggest("x", MAX_LIMIT + 1).unwrap_err().is_user_error());
    assert!(e
        .similar("en-1", MAX_LIMIT + 1)
        .unwrap_err()
        .is_user_error());
    // Odd but valid queries.
    for q in [
        "\"", "-", "OR", "((", "*", "\u{200f}", "---x", "\"\"\"", "🙂",
    ] {
        e.search(&SearchRequest::new(q)).unwrap();
    }
    assert!(!Error::Busy.is_user_error());
}

#[test]
fn snippets_pages_and_explain() {
    let (_d, e) = engine_with(corpus());
    let mut req = SearchRequest::new("best interests determination");
    req.explain = true;
    let r = e.search(&req).unwrap();
    let hit = &r.hits[0];
    assert_eq!(hit.id, "docs/en/case-management-guide.pdf");
    assert_eq!(hit.pages.first().map(|p| p.page), Some(2));
    let snip = &hit.pages[0].snippet;
    let chars: Vec<char> = snip.text.chars().collect();
    let marked: Vec<String> = snip
        .highlights
        .iter()
        .map(|[a, b]| chars[*a..*b].iter().collect())
        .collect();
    assert_eq!(marked, vec!["Best", "interests", "determination"]);
    let explain = hit.explain.as_deref().unwrap();
    assert!(
        explain.contains("title_en:\"best interest determin\"") || explain.contains("body_en:"),
        "{explain}"
    );
    // Arabic hit snippets are marked in chars.
    let r = search(&e, "الاطفال");
    let hit = r.hits.iter().find(|h| h.id == "ar-1").unwrap();
    let s = &hit.snippets[0];
    let chars: Vec<char> = s.text.chars().collect();
    let [a, b] = s.highlights[0];
    assert_eq!(chars[a..b].iter().collect::<String>(), "الأطفال");
    // The title is marked by offsets into `title`, not repeated as a snippet.
    let title: Vec<char> = hit.title.chars().collect();
    let marked: Vec<String> = hit
        .title_highlights
        .iter()
        .map(|[a, b]| title[*a..*b].iter().collect())
        .collect();
    assert_eq!(marked, vec!["الأطفالَ"], "{:?}", hit.title);
    assert_eq!(hit.snippets.len(), 1, "{:?}", hit.snippets);
    assert!(!hit.snippets.iter().any(|s| s.text == hit.title));
    // Words absent from the title: no highlights, nothing serialized.
    let r = search(&e, "الوصول");
    let hit = r.hits.iter().find(|h| h.id == "ar-1").unwrap();
    assert!(hit.title_highlights.is_empty());
    let json = serde_json::to_value(hit).unwrap();
    assert!(json.get("title_highlights").is_none(), "{json}");
}

#[test]
fn record_similar_suggest() {
    let (_d, e) = engine_with(corpus());
    let r = e.record("fr-1").unwrap().unwrap();
    assert_eq!(r.language, Lang::Fr);
    assert!(e.record("missing").unwrap().is_none());

    let sim = e.similar("en-1", 5).unwrap().unwrap();
    assert!(!ids(&sim).contains(&"en-1"));
    assert!(!sim.hits.is_empty());
    assert!(e.similar("missing", 5).unwrap().is_none());

    let s = e.suggest("psychosocial sup", 5).unwrap();
    assert_eq!(s.first().map(|s| s.id.as_str()), Some("en-2"));
    let t: Vec<char> = s[0].title.chars().collect();
    let marked: Vec<String> = s[0]
        .highlights
        .iter()
        .map(|[a, b]| t[*a..*b].iter().collect())
        .collect();
    assert_eq!(marked, vec!["psychosocial", "support"]);
    let s = e.suggest("enfants non acc", 5).unwrap();
    assert_eq!(s.first().map(|s| s.id.as_str()), Some("fr-1"));
    let s = e.suggest("الاطف", 5).unwrap();
    assert_eq!(s.first().map(|s| s.id.as_str()), Some("ar-1"));
    // Only questions, never documents.
    assert!(e
        .suggest("case", 5)
        .unwrap()
        .iter()
        .all(|s| !s.id.starts_with("docs/")));
    assert!(e.suggest("", 5).unwrap().is_empty());
    // One letter is not yet a prefix.
    assert!(e.suggest("p", 5).unwrap().is_empty());
    assert!(!e.suggest("ps", 5).unwrap().is_empty());
}

#[test]
fn incremental_ingest_counts_and_keeps_failed_files() {
    let dir = tempfile::tempdir().unwrap();
    let e = Engine::open(dir.path()).unwrap();
    let mut records = corpus();
    let r = e
        .ingest_records(records.clone(), Vec::new(), &|_| {})
        .unwrap();
    assert_eq!((r.added, r.updated, r.removed, r.unchanged), (11, 0, 0, 0));
    let r = e
        .ingest_records(records.clone(), Vec::new(), &|_| {})
        .unwrap();
    assert_eq!((r.added, r.updated, r.removed, r.unchanged), (0, 0, 0, 11));

    // Change one, remove one, add one.
    records[0]
        .body
        .push_str(" Updated guidance: use the new form.");
    records[0].hash = ingest::record_hash(&records[0]);
    let removed = records.remove(1);
    records.push(qa(
        "en-9",
        Lang::En,
        "New question about foster care",
        "Foster care answer.",
    ));
    let r = e
        .ingest_records(records.clone(), Vec::new(), &|_| {})
        .unwrap();
    assert_eq!((r.added, r.updated, r.removed, r.unchanged), (1, 1, 1, 9));
    assert!(e.record(&removed.id).unwrap().is_none());
    assert_eq!(top(&e, "updated guidance form"), "en-1");
    let r = search(&e, "adolescents");
    assert!(!ids(&r).contains(&"en-2"), "{:?}", r.hits);
    // (the Arabic "المراهقين" still matches, through the glossary)
    assert_eq!(ids(&r), vec!["ar-2"]);
    assert_eq!(e.stats().unwrap().records, 11);
    assert_eq!(e.stats().unwrap().documents, 14);

    // The French file fails this time: its records are kept, not removed.
    let without_fr: Vec<Record> = records
        .iter()
        .filter(|r| r.language != Lang::Fr)
        .cloned()
        .collect();
    let problems = vec![Problem {
        path: "qa/fr.jsonl".into(),
        line: None,
        message: "unreadable".into(),
    }];
    let r = e.ingest_records(without_fr, problems, &|_| {}).unwrap();
    assert_eq!((r.removed, r.kept, r.failed), (0, 2, 1));
    assert_eq!(r.problems.len(), 1);
    assert!(e.record("fr-1").unwrap().is_some());

    // Reopening sees the same index.
    drop(e);
    let e = Engine::open(dir.path()).unwrap();
    assert_eq!(e.stats().unwrap().records, 11);
}

#[test]
fn searches_keep_working_during_an_ingest() {
    let dir = tempfile::tempdir().unwrap();
    let e = Arc::new(Engine::open(dir.path()).unwrap());
    e.ingest_records(corpus(), Vec::new(), &|_| {}).unwrap();
    let mut big = corpus();
    for i in 0..3000 {
        big.push(qa(
            &format!("gen-{i}"),
            Lang::En,
            &format!("Generated question {i} about registration"),
            "A generated answer about family tracing and reunification.",
        ));
    }
    let writer = {
        let e = Arc::clone(&e);
        std::thread::spawn(move || e.ingest_records(big, Vec::new(), &|_| {}).unwrap())
    };
    let mut searches = 0;
    while !writer.is_finished() || searches < 5 {
        let r = search(&e, "separated children");
        // Either the old commit or the new one, never a broken state.
        assert!(ids(&r).contains(&"en-1"));
        searches += 1;
    }
    let report = writer.join().unwrap();
    assert_eq!(report.added, 3000);
    assert_eq!(e.stats().unwrap().records, 3011);
    assert!(searches >= 5);
}

#[test]
fn glossary_reaches_other_languages_and_acronyms() {
    let (_d, e) = engine_with(corpus());
    let r = search(&e, "UASC");
    let got = ids(&r);
    for id in ["en-1", "fr-1", "es-1", "ar-1"] {
        assert!(got.contains(&id), "UASC misses {id}: {got:?}");
    }
    let r = search(&e, "case management");
    let got = ids(&r);
    for id in ["fr-1", "es-2", "ar-1"] {
        assert!(got.contains(&id), "case management misses {id}: {got:?}");
    }
    // The user's own words rank above expansions: the English document
    // titled "Case management guidelines" first.
    assert_eq!(got[0], "docs/en/case-management-guide.pdf");
    // Expansion terms are highlighted in the other language.
    let hit = r.hits.iter().find(|h| h.id == "fr-1").unwrap();
    assert!(!hit.snippets[0].highlights.is_empty(), "{:?}", hit.snippets);
    // Exclusion is literal: the acronym written in the text.
    let r = search(&e, "register children -CPIMS+");
    assert!(!ids(&r).contains(&"en-1"), "{:?}", ids(&r));
    assert!(ids(&search(&e, "register children")).contains(&"en-1"));
}

#[test]
fn typos_reach_the_concepts_of_their_corrections() {
    let (_d, e) = engine_with(corpus());
    // Spelled right, "psychosocial support" names the glossary concept that
    // tags the Arabic record; typed with two typos, the corrections name it
    // too. The facets count matches only (not records added as related).
    for q in ["psychosocial support", "psycosocial suport"] {
        let r = search(&e, q);
        assert_eq!(ids(&r).first(), Some(&"en-2"), "{q}: {:?}", ids(&r));
        assert_eq!(
            r.facets["language"].get("ar"),
            Some(&1),
            "{q}: {:?}",
            r.facets
        );
    }
    // Spans after a corrected word still line up: the exclusion applies.
    let r = search(&e, "psycosocial suport -adolescents");
    assert!(!ids(&r).contains(&"en-2"), "{:?}", ids(&r));
    assert_eq!(r.facets["language"].get("ar"), Some(&1), "{:?}", r.facets);
}

#[test]
fn a_search_stops_at_its_deadline() {
    let (_d, e) = engine_with(corpus());
    let request = SearchRequest::new("child protection");
    let passed = std::time::Instant::now();
    let err = e.search_until(&request, Some(passed)).unwrap_err();
    assert!(matches!(err, Error::Timeout), "{err}");
    assert!(!err.is_user_error());
    // A deadline far off changes nothing.
    let far = passed + std::time::Duration::from_secs(600);
    let r = e.search_until(&request, Some(far)).unwrap();
    assert!(r.total > 0);
    assert_eq!(ids(&r), ids(&search(&e, "child protection")));
}

#[test]
fn lexicon_words_cross_languages() {
    let (_d, e) = engine_with(corpus());
    // Only the English record speaks of markets; the lexicon carries the
    // Spanish and Arabic words over (no record is tagged with them).
    for q in ["mercados", "أسواق", "marchés"] {
        let got = ids(&search(&e, q)).join(" ");
        assert!(got.starts_with("en-3"), "{q}: {got}");
    }
    // The translated word is highlighted in the English title.
    let r = search(&e, "mercados");
    let hit = &r.hits[0];
    let marked: Vec<String> = hit
        .title_highlights
        .iter()
        .map(|[from, to]| {
            hit.title
                .chars()
                .skip(*from)
                .take(to - from)
                .collect::<String>()
        })
        .collect();
    assert_eq!(marked, ["markets"], "{hit:?}");
    // Expansions stay below the user's own words: a record with the query's
    // own word ranks above one reached only through translation.
    let r = search(&e, "llegada registrar");
    let got = ids(&r);
    assert_eq!(got.first(), Some(&"es-1"), "{got:?}");
}

/// A word's translation counts well above half the word typed in its own
/// language: an English answer about markets outranks a Spanish one that
/// names a market once, in passing, in a long answer, for `mercados`.
#[test]
fn translations_outrank_passing_mentions() {
    use Lang::*;
    let records = vec![
        qa(
            "es-passing",
            Es,
            "Registro de niños separados en los puntos de llegada",
            "Se registra a cada niño al llegar, se toma una foto con consentimiento, \
             se abre un caso y se comienza la búsqueda de la familia el mismo día; \
             algunos niños llegan desde el mercado de la ciudad con vecinos o con \
             conductores de camiones, y el equipo anota quién los trajo, a qué hora, \
             en qué estado de salud y con qué documentos, antes de derivarlos a los \
             servicios de salud, de apoyo psicosocial y de alojamiento temporal.",
        ),
        qa(
            "en-markets",
            En,
            "Children working in markets",
            "Market work: which market stalls employ children, and how to refer them.",
        ),
    ];
    let (_d, e) = engine_with(records);
    let r = search(&e, "mercados");
    assert_eq!(ids(&r), ["en-markets", "es-passing"]);
}

#[test]
fn bilingual_documents_are_searched_in_each_language() {
    use Lang::*;
    let mut doc = rec(
        "docs/ar/shelter-notes-ar-en.pdf",
        RecordKind::Document,
        En,
        "Shelter notes",
        "",
        &[],
        None,
        None,
    );
    doc.pages = vec![
        Page {
            number: 1,
            language: En,
            text: "Notes from the site visit, week two.".into(),
        },
        Page {
            number: 2,
            language: Ar,
            text: "تسرّبت مياهُ الأمطارِ إلى الخيامِ البلاستيكية".into(),
        },
    ];
    doc.body = doc
        .pages
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    doc.source = doc.id.clone();
    doc.hash = ingest::record_hash(&doc);
    let mut records = corpus();
    records.push(doc);
    let (_d, e) = engine_with(records);
    // Written without the article: only the Arabic chain (article
    // stripped, harakat dropped) makes it the words of page 2, which the
    // record (declared English) also carries in its Arabic field.
    let mut req = SearchRequest::new("امطار خيام");
    req.explain = true;
    let r = e.search(&req).unwrap();
    assert_eq!(
        ids(&r).first(),
        Some(&"docs/ar/shelter-notes-ar-en.pdf"),
        "{:?}",
        ids(&r)
    );
    let hit = &r.hits[0];
    assert!(hit.pages.iter().any(|p| p.page == 2), "{:?}", hit.pages);
    // A match, not a related record brought in by few matches.
    let why = hit.explain.as_deref().unwrap_or_default();
    assert!(!why.contains("related record"), "{why}");
}

#[test]
fn excluded_phrases_beside_required_ones() {
    let (_d, e) = engine_with(corpus());
    let doc = "docs/en/case-management-guide.pdf";
    assert!(ids(&search(&e, "\"best interests\"")).contains(&doc));
    let r = search(&e, "\"best interests\" -\"family reunification\"");
    assert!(!ids(&r).contains(&doc), "{:?}", ids(&r));
    let r = search(&e, "\"best interests\" -\"no such phrase\" -UASC");
    assert!(ids(&r).contains(&doc));
}

#[test]
fn few_matches_bring_related_records_after_them() {
    let mut records = corpus();
    let mk = |id: &str, title: &str| {
        rec(
            id,
            RecordKind::Qa,
            Lang::En,
            title,
            "Answer text.",
            &["reception", "ftr"],
            None,
            None,
        )
    };
    records.push(mk("rel-1", "Zebracrossing at the reception centre"));
    records.push(mk("rel-2", "Tracing forms for the reception centre"));
    records.push(mk("rel-3", "Reunification visits after tracing"));
    let (_d, e) = engine_with(records);
    let related = |h: &crate::Hit| {
        h.explain
            .as_deref()
            .is_some_and(|x| x.starts_with("related record"))
    };
    let mut req = SearchRequest::new("zebracrossing");
    req.explain = true;
    let r = e.search(&req).unwrap();
    assert_eq!(r.hits[0].id, "rel-1");
    assert!(!related(&r.hits[0]));
    let rel: Vec<&str> = r
        .hits
        .iter()
        .filter(|h| related(h))
        .map(|h| h.id.as_str())
        .collect();
    assert!(rel.contains(&"rel-2") && rel.contains(&"rel-3"), "{rel:?}");
    assert!(r.hits[1..]
        .iter()
        .all(|h| related(h) && h.score < r.hits[0].score));
    assert_eq!(r.total as usize, r.hits.len());
    // Pagination runs over matches then related records.
    req.limit = 1;
    req.offset = 1;
    let page = e.search(&req).unwrap();
    assert_eq!(page.hits.len(), 1);
    assert_eq!(page.hits[0].id, r.hits[1].id);
    assert!(related(&page.hits[0]));
    // A date sort lists matches only.
    let mut req = SearchRequest::new("zebracrossing");
    req.sort = Sort::Date;
    assert_eq!(ids(&e.search(&req).unwrap()), vec!["rel-1"]);
}

/// The one-pass collector gives what tantivy's `(Count, FacetCollector,
/// TopDocs::tweak_score)` gave: the same total, facets and hits in the
/// same order, for both sorts, with paging, over several segments.
#[test]
fn one_pass_collector_matches_tantivy_collectors() {
    use crate::query::{default_min_match, Builder, Target};
    use tantivy::collector::{Count, TopDocs};
    let (_dir, engine) = engine_with(corpus());
    // A second ingest of more records: a second segment.
    let mut more = corpus();
    for r in &mut more {
        r.id = format!("{}-b", r.id);
        r.date = None;
        r.hash = ingest::record_hash(r);
    }
    let mut all = corpus();
    all.extend(more);
    engine.ingest_records(all, Vec::new(), &|_| {}).unwrap();
    let searcher = engine.reader.searcher();
    assert!(searcher.segment_readers().len() >= 2, "one segment");
    for q in [
        "children",
        "enfants non accompagnés",
        "niños",
        "الأطفال",
        "case management",
        "child labour border",
        "",
    ] {
        let parsed = crate::syntax::parse(q);
        let b = Builder::new(
            &searcher,
            Target::records(&engine.fields),
            analysis::detect(q),
        );
        let built = b.build(q, &parsed, default_min_match);
        let query = engine.assemble(&built, &engine.filter_clauses(&Default::default()));
        for sort in [Sort::Relevance, Sort::Date] {
            for (limit, offset) in [(10, 0), (3, 2), (0, 0)] {
                let old = TopDocs::with_limit(limit.max(1))
                    .and_offset(offset)
                    .tweak_score(crate::search::key_fn(sort));
                let (total, counts, docs) = searcher
                    .search(&*query, &(Count, facet_collector(), old))
                    .unwrap();
                let new = crate::search::collect::SearchCollector {
                    limit,
                    offset,
                    sort,
                    prior: true,
                    deadline: None,
                };
                let (total2, facets2, docs2) = searcher.search(&*query, &new).unwrap();
                assert_eq!(total, total2, "{q}");
                assert!(total > 0 || q.is_empty(), "{q} matched nothing");
                assert_eq!(facet_counts(&counts), facets2, "{q}");
                let addrs = |d: &[((f64, f64, u64), tantivy::DocAddress)]| {
                    d.iter()
                        .map(|(k, a)| (k.0.to_bits(), k.1.to_bits(), k.2, *a))
                        .collect::<Vec<_>>()
                };
                assert_eq!(addrs(&docs), addrs(&docs2), "{q} {sort:?} {limit} {offset}");
            }
        }
    }
}

/// Exact score ties at the cut are broken by date, then the whole id,
/// whatever order and segments the records were indexed in.
#[test]
fn ties_at_the_cut_do_not_depend_on_the_segment_layout() {
    // Same text, same date: equal scores; ids alike in their first 8 bytes.
    let records: Vec<Record> = (1..=15)
        .map(|i| {
            rec(
                &format!("qa-tie-{i:02}"),
                RecordKind::Qa,
                Lang::En,
                "Kinship care visits",
                "Monthly home visits to kinship carers.",
                &[],
                None,
                Some("2024-01-01"),
            )
        })
        .collect();
    let (_a, one) = engine_with(records.clone());
    let mut reversed = records.clone();
    reversed.reverse();
    let (_b, two) = engine_with(reversed[..7].to_vec());
    two.ingest_records(reversed, Vec::new(), &|_| {}).unwrap();
    assert!(two.reader.searcher().segment_readers().len() >= 2);
    let want: Vec<String> = (1..=10).map(|i| format!("qa-tie-{i:02}")).collect();
    for engine in [&one, &two] {
        let r = search(engine, "kinship visits");
        assert_eq!(r.total, 15);
        assert_eq!(ids(&r), want);
        let mut req = SearchRequest::new("kinship visits");
        req.offset = 10;
        let r = engine.search(&req).unwrap();
        let rest: Vec<String> = (11..=15).map(|i| format!("qa-tie-{i:02}")).collect();
        assert_eq!(ids(&r), rest);
    }
}

/// More-like-this reads a record's own words (in its language's analyzed
/// form), not only the glossary concepts it names: two answers about
/// beekeeping and honey (no glossary term) find each other first.
#[test]
fn similar_records_share_words() {
    use Lang::*;
    let records = vec![
        qa(
            "bees-1",
            En,
            "Beekeeping courses for adolescents",
            "Beekeeping teaches patience: hives, honey harvests and wax candles sold at the market.",
        ),
        qa(
            "bees-2",
            En,
            "Honey from the beekeeping project",
            "The hives gave their first honey; the beekeeping group sells wax and honey jars.",
        ),
        qa(
            "other",
            En,
            "Football league schedule",
            "Matches every Saturday; teams of ten players, a referee from the community.",
        ),
        qa(
            "other-2",
            En,
            "Painting workshop",
            "Brushes, paper and colours for the drawing afternoon.",
        ),
    ];
    let (_d, e) = engine_with(records);
    let sim = e.similar("bees-1", 5).unwrap().unwrap();
    assert_eq!(ids(&sim), ["bees-2"], "{:?}", sim.hits);
    // In French too (its own chain: `ruches` and `ruche` meet).
    let records = vec![
        qa(
            "fr-1",
            Fr,
            "Apiculture pour les jeunes",
            "Les ruches et le miel de l'atelier d'apiculture.",
        ),
        qa(
            "fr-2",
            Fr,
            "Vente du miel",
            "Une ruche, du miel et de la cire vendus au marché par l'atelier.",
        ),
        qa(
            "fr-3",
            Fr,
            "Calendrier de football",
            "Matchs le samedi, équipes de dix joueurs.",
        ),
    ];
    let (_d, e) = engine_with(records);
    let sim = e.similar("fr-1", 5).unwrap().unwrap();
    assert_eq!(ids(&sim), ["fr-2"], "{:?}", sim.hits);
}

/// tantivy's own facet collector over the five roots: the reference the
/// search's own counting is checked against.
fn facet_collector() -> tantivy::collector::FacetCollector {
    let mut facets = tantivy::collector::FacetCollector::for_field("facets");
    for root in ["/type", "/language", "/topic", "/country", "/year"] {
        facets.add_facet(root);
    }
    facets
}

/// Counts per facet root, from a facet collector's result.
fn facet_counts(
    counts: &tantivy::collector::FacetCounts,
) -> std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>> {
    use std::collections::BTreeMap;
    let mut out = BTreeMap::new();
    for root in ["type", "language", "topic", "country", "year"] {
        let mut values = BTreeMap::new();
        for (facet, count) in counts.get(format!("/{root}").as_str()) {
            if let Some(last) = facet.to_path().last() {
                values.insert(last.to_string(), count);
            }
        }
        out.insert(root.to_string(), values);
    }
    out
}

/// The typo dictionary (one document per ingest batch) lists words of
/// removed records until more than a quarter of the records were removed
/// or changed since it was last written whole; then it is rewritten from
/// the corpus.
#[test]
fn the_typo_dictionary_is_rewritten_once_a_quarter_changed() {
    use tantivy::collector::Count;
    use tantivy::query::TermQuery;
    let trades = [
        "beekeeping",
        "carpentry",
        "tailoring",
        "plumbing",
        "welding",
        "pottery",
        "weaving",
        "masonry",
    ];
    let mut records: Vec<Record> = trades
        .iter()
        .map(|t| {
            qa(
                t,
                Lang::En,
                &format!("Vocational training in {t}"),
                &format!("Adolescents learn {t} with a mentor."),
            )
        })
        .collect();
    let (_d, e) = engine_with(records.clone());
    let listed = |word: &str| {
        let term = tantivy::Term::from_field_text(e.fields.body_any, word);
        let query = TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic);
        e.reader.searcher().search(&query, &Count).unwrap() > 0
    };
    assert!(listed("carpentry") && listed("tailoring"));
    // One of eight removed: the word stays listed (counted as stale).
    records.retain(|r| r.id != "carpentry");
    e.ingest_records(records.clone(), Vec::new(), &|_| {})
        .unwrap();
    assert!(listed("carpentry"));
    assert_eq!(e.stale_records(), 1);
    // Two of eight, more than a quarter of the six left: rewritten.
    records.retain(|r| r.id != "tailoring");
    e.ingest_records(records.clone(), Vec::new(), &|_| {})
        .unwrap();
    assert!(!listed("carpentry") && !listed("tailoring"));
    assert!(listed("beekeeping") && listed("masonry") && listed("vocational"));
    assert_eq!(e.stale_records(), 0);
    // Typos still find the words that are left.
    assert_eq!(ids(&search(&e, "masonery")), ["masonry"]);
}
