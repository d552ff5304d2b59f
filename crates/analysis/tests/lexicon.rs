//! The everyday-word lexicon of the glossary (`data/glossary.tsv`, section
//! "everyday words of the helpdesk") on real words: a word in one language
//! reaches its translations in the three others, whatever its inflection
//! (plurals, accents, Arabic article and broken plurals).

use answerbank_analysis::{Glossary, Lang};

fn reaches(query: &str, lang: Lang, form: &str) {
    let expansions = Glossary::builtin().expand(query);
    assert!(
        expansions.iter().any(|e| e.lang == lang && e.text == form),
        "{query:?} should reach {lang} {form:?}; got {:?}",
        expansions
            .iter()
            .map(|e| (e.concept_id, e.lang, e.text))
            .collect::<Vec<_>>()
    );
}

fn concepts(query: &str) -> Vec<&'static str> {
    Glossary::builtin()
        .concepts_in_query(query)
        .into_iter()
        .map(|m| m.concept_id)
        .collect()
}

#[test]
fn everyday_words_cross_languages() {
    reaches("phones", Lang::Fr, "téléphone");
    reaches("téléphone", Lang::Ar, "هاتف");
    reaches("الهواتف", Lang::En, "phone");
    reaches("celulares", Lang::En, "phone");
    reaches("reuniones", Lang::En, "meeting");
    reaches("réunions", Lang::Es, "reunión");
    reaches("budget", Lang::Ar, "الميزانية");
    reaches("الميزانية", Lang::Es, "presupuesto");
    reaches("argent", Lang::En, "money");
    reaches("fondos", Lang::Fr, "financement");
    reaches("filles", Lang::Ar, "فتاة");
    reaches("البنات", Lang::En, "girl");
    reaches("enseignants", Lang::Es, "docente");
    reaches("المعلمين", Lang::En, "teacher");
    reaches("ministère", Lang::Ar, "وزارة");
    reaches("الوزارة", Lang::Es, "ministerio");
    reaches("camps", Lang::Ar, "مخيم");
    reaches("frontera", Lang::En, "border");
    reaches("dossiers", Lang::En, "case file");
    reaches("expedientes", Lang::Ar, "ملف");
    reaches("bailleurs", Lang::En, "donor");
    reaches("donantes", Lang::Fr, "bailleur");
    reaches("détresse", Lang::Ar, "الضيق");
    reaches("semanas", Lang::Fr, "semaine");
    reaches("أسابيع", Lang::En, "week");
    reaches("horas", Lang::Ar, "ساعة");
    reaches("indicadores", Lang::En, "indicator");
    reaches("consentement", Lang::Es, "consentimiento");
    reaches("recrutement", Lang::Es, "reclutamiento");
    reaches("groupes armés", Lang::Ar, "الجماعات المسلحة");
    // Second pass (words in 4+ records of a language).
    reaches("hermanos", Lang::En, "siblings");
    reaches("menaces", Lang::Es, "amenaza");
    reaches("amenazados", Lang::Ar, "تهديد");
    reaches("التكاليف", Lang::En, "cost");
    reaches("deserción escolar", Lang::Fr, "abandon scolaire");
    reaches("punto focal", Lang::Ar, "نقطة الاتصال");
    reaches("الوصمة", Lang::Fr, "stigmatisation");
    reaches("وصمة", Lang::En, "stigma");
    reaches("migración", Lang::En, "migration");
    // Third pass.
    reaches("encrypted", Lang::Ar, "مشفر");
    reaches("واتساب", Lang::Fr, "messagerie");
    reaches("contraseñas", Lang::En, "password");
    reaches("الحوادث", Lang::Es, "incidente");
    // Everyday words (data/lexicon/everyday.tsv): livelihoods, food,
    // health, places, transport, weather, papers.
    reaches("buceo", Lang::En, "diving");
    reaches("buzos", Lang::Ar, "غواص");
    reaches("langostas", Lang::Fr, "homard");
    reaches("café", Lang::Ar, "قهوة");
    reaches("agroquímicos", Lang::En, "pesticide");
    reaches("orpaillage", Lang::Es, "minería");
    reaches("embarcaciones", Lang::En, "boat");
    reaches("القوارب", Lang::Fr, "bateau");
    reaches("hambre", Lang::Ar, "جوع");
    reaches("الجفاف", Lang::Es, "sequía");
    reaches("deslizamientos", Lang::En, "landslide");
    reaches("épidémies", Lang::Es, "epidemia");
    reaches("pasaporte", Lang::Ar, "جواز سفر");
    reaches("mochilas", Lang::En, "backpack");
    reaches("aeropuerto", Lang::Fr, "aéroport");
    reaches("camions", Lang::En, "truck");
    reaches("vacunas", Lang::Fr, "vaccin");
}

#[test]
fn longer_concepts_still_win() {
    // `child labour`, not `child` + something; `armed groups` inside the
    // CAAFAG term stays CAAFAG; `data protection` is not `data`.
    assert_eq!(concepts("child labour"), ["child_labour"]);
    assert_eq!(
        concepts("enfants associés aux forces armées et aux groupes armés"),
        ["caafag"]
    );
    assert_eq!(concepts("protection des données"), ["data_protection"]);
    assert_eq!(concepts("base de datos"), ["database"]);
}

#[test]
fn false_friends_are_left_out() {
    // French `mes` (my) is not Spanish `mes` (month); English `an` is not
    // French `an` (year); Arabic `الاجتماعي` (social) is not a meeting.
    assert!(concepts("mes dossiers").iter().all(|c| *c != "month"));
    assert!(concepts("an interview").iter().all(|c| *c != "year"));
    assert!(concepts("الدعم النفسي الاجتماعي")
        .iter()
        .all(|c| *c != "meeting"));
    // Spanish `calle` (street) is not English `call`.
    assert!(!concepts("la calle").contains(&"call"));
    // French `chiffres` (figures) is not encryption.
    assert!(!concepts("les chiffres").contains(&"encryption"));
    // `données` (data) is not `donner` (give).
    assert!(!concepts("donner").contains(&"data"));
    assert_eq!(concepts("données"), ["data"]);
    // French `pain` (bread) and `main` (hand) are English words, and
    // English `sea` is the SEA acronym: none is an everyday-lexicon form.
    assert!(!concepts("pain").contains(&"w_bread"));
    assert!(!concepts("main risks").contains(&"w_hand"));
    assert!(!concepts("sea").contains(&"w_sea"));
}
