//! Prints what each analyzer makes of some text, and the glossary concepts
//! a query names: `cargo run -p answerbank-analysis --example tokens -- TEXT`.

use answerbank_analysis::{analyze, Glossary, Lang};

fn main() {
    let text = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    for lang in [Lang::En, Lang::Fr, Lang::Es, Lang::Ar, Lang::Und] {
        println!("{lang}: {}", analyze(lang, &text).join(" | "));
    }
    for m in Glossary::builtin().concepts_in_query(&text) {
        println!(
            "concept {} ({} {:?}) at {}..{}",
            m.concept_id, m.lang, m.form, m.offset_from, m.offset_to
        );
    }
}
