use answerbank_analysis::{analyze, Glossary, Lang};
fn main() {
    let g = Glossary::builtin();
    for (lang, q) in [
        (Lang::Ar, "الميزانية انقطعت شو نوقف من خدمات الحماية"),
        (
            Lang::Ar,
            "شو لازم نجهز قبل استلام اطفال محررين من مجموعة مسلحة",
        ),
        (Lang::Ar, "عمل الأطفال في قطاف البن مع العائلات المهاجرة"),
        (Lang::En, "how many kids can one social worker handle"),
        (
            Lang::Fr,
            "prouver que les activités psychosociales changent quelque chose pour les enfants",
        ),
        (
            Lang::Fr,
            "fille violée qui suit le dossier protection ou vbg",
        ),
        (Lang::Fr, "l’assentiment de l'enfant à partir de quel âge"),
        (Lang::Fr, "remise d'enfants détenus par l’armée"),
        (Lang::Fr, "destruction d'urgence des dossiers d’enfants"),
        (
            Lang::Es,
            "gestores de caso amenazados por pandillas durante el seguimiento",
        ),
    ] {
        let ids: Vec<_> = g
            .concepts_in_query(q)
            .iter()
            .map(|m| format!("{}<{}>", m.concept_id, m.form))
            .collect();
        println!("{q}\n   {:?}\n   concepts {:?}", analyze(lang, q), ids);
    }
}
