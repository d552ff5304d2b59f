//! Reads `LANG<TAB>TEXT` lines and prints `LANG<TAB>TEXT<TAB>TOKENS` (the
//! tokens of that language's chain, space-separated): for checking which
//! corpus words a glossary form meets.
//! `cargo run -p answerbank-analysis --example stems < words.tsv`

use answerbank_analysis::{analyze, Lang};
use std::io::BufRead;

fn main() {
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let Some((code, text)) = line.split_once('\t') else {
            continue;
        };
        let lang = Lang::parse(code).unwrap_or(Lang::Und);
        println!("{code}\t{text}\t{}", analyze(lang, text).join(" "));
    }
}
