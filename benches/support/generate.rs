//! A deterministic corpus generator for benchmarks: grows the sample corpus
//! to any number of Q&A records in the four languages.
//!
//! Text is not copied: for each language an order-2 Markov chain over the
//! words of the sample questions (and another over the answers) emits new
//! text, so word frequencies follow the sample's (Zipf-like) distribution and
//! every record is different. Answer lengths are drawn from the sample's own
//! lengths; topics, countries and dates from the sample's values.
//! The same seed gives the same records and queries, on every machine.

#![allow(dead_code)]

use analysis::Lang;
use ingest::{Record, RecordKind};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

type Key = (u32, u32);

/// An order-2 word chain; word 0 is the sentence boundary.
#[derive(Default)]
struct Chain {
    words: Vec<String>,
    ids: HashMap<String, u32>,
    next: HashMap<Key, Vec<u32>>,
    lengths: Vec<usize>,
}

impl Chain {
    fn new() -> Self {
        let mut chain = Chain::default();
        chain.intern("");
        chain
    }

    fn intern(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.ids.get(word) {
            return id;
        }
        let id = self.words.len() as u32;
        self.words.push(word.to_string());
        self.ids.insert(word.to_string(), id);
        id
    }

    fn learn(&mut self, text: &str) {
        let words: Vec<&str> = text.split_whitespace().collect();
        if words.is_empty() {
            return;
        }
        self.lengths.push(words.len());
        let (mut a, mut b) = (0u32, 0u32);
        for word in words {
            let id = self.intern(word);
            self.next.entry((a, b)).or_default().push(id);
            a = b;
            b = id;
            if word.ends_with(['.', '?', '!', '؟']) {
                self.next.entry((a, b)).or_default().push(0);
                a = 0;
                b = 0;
            }
        }
        self.next.entry((a, b)).or_default().push(0);
    }

    /// About `target` words of new text.
    fn emit(&self, rng: &mut ChaCha8Rng, target: usize) -> String {
        let mut out = String::new();
        let mut count = 0;
        let (mut a, mut b) = (0u32, 0u32);
        while count < target {
            let id = match self.next.get(&(a, b)) {
                Some(choices) => *choices.choose(rng).expect("chains hold no empty list"),
                None => 0,
            };
            if id == 0 {
                (a, b) = (0, 0);
                if count > target / 2 && rng.random_bool(0.3) {
                    break;
                }
                continue;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&self.words[id as usize]);
            count += 1;
            a = b;
            b = id;
        }
        out
    }
}

struct LangModel {
    lang: Lang,
    questions: Chain,
    answers: Chain,
    topics: Vec<Vec<String>>,
    countries: Vec<String>,
}

/// Builds the per-language models from the sample's Q&As.
fn models(sample: &[Record]) -> Vec<LangModel> {
    Lang::ALL
        .iter()
        .filter_map(|&lang| {
            let mut model = LangModel {
                lang,
                questions: Chain::new(),
                answers: Chain::new(),
                topics: Vec::new(),
                countries: Vec::new(),
            };
            for record in sample
                .iter()
                .filter(|r| r.kind == RecordKind::Qa && r.language == lang)
            {
                model.questions.learn(&record.title);
                model.answers.learn(&record.body);
                model.topics.push(record.topics.clone());
                model.countries.extend(record.country.clone());
            }
            (!model.questions.lengths.is_empty()).then_some(model)
        })
        .collect()
}

/// `n` new Q&A records (`gen-<lang>-<n>`), languages in turn, deterministic in `seed`.
pub fn generate(seed: u64, n: usize, sample: &[Record]) -> Vec<Record> {
    let models = models(sample);
    assert!(!models.is_empty(), "the sample has no Q&A to learn from");
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let model = &models[i % models.len()];
            let q_len = *model.questions.lengths.choose(&mut rng).unwrap_or(&12);
            let a_len = *model.answers.lengths.choose(&mut rng).unwrap_or(&150);
            let title = model.questions.emit(&mut rng, q_len.max(4));
            let body = model.answers.emit(&mut rng, a_len.max(20));
            let topics = model.topics.choose(&mut rng).cloned().unwrap_or_default();
            let country = model.countries.choose(&mut rng).cloned();
            let date = format!(
                "{}-{:02}-{:02}",
                rng.random_range(2016..=2025),
                rng.random_range(1..=12),
                rng.random_range(1..=28)
            );
            let id = format!("gen-{}-{i:07}", model.lang.code());
            Record {
                hash: format!("{:016x}", fxhash(&(title.clone() + &body + &id))),
                id: id.clone(),
                kind: RecordKind::Qa,
                title,
                body,
                language: model.lang,
                country,
                topics,
                date: Some(date),
                attachments: Vec::new(),
                source: format!("generated/{}.jsonl", model.lang.code()),
                format: "jsonl".to_string(),
                pages: Vec::new(),
                extraction: None,
                metadata: Default::default(),
            }
        })
        .collect()
}

/// A fixed query mix: `per_lang` queries a language, as coordinators type
/// them: 1 to 4 words from a sample question (stop words and all), a few
/// with a typo, a few with an acronym from the sample's text.
pub fn queries(seed: u64, per_lang: usize, sample: &[Record]) -> Vec<(Lang, String)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x9E37_79B9_7F4A_7C15);
    let mut out = Vec::new();
    for lang in Lang::ALL {
        let texts: Vec<&Record> = sample
            .iter()
            .filter(|r| r.kind == RecordKind::Qa && r.language == lang)
            .collect();
        if texts.is_empty() {
            continue;
        }
        let acronyms: Vec<String> = texts
            .iter()
            .flat_map(|r| r.body.split(|c: char| !c.is_alphanumeric() && c != '+'))
            .filter(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_uppercase() || c == '+'))
            .map(str::to_string)
            .collect();
        for _ in 0..per_lang {
            let record = texts.choose(&mut rng).expect("not empty");
            let words: Vec<&str> = record
                .title
                .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
                .filter(|w| w.chars().count() > 2)
                .collect();
            if words.is_empty() {
                continue;
            }
            let len = rng.random_range(1..=4.min(words.len()));
            let start = rng.random_range(0..=words.len() - len);
            let mut query: Vec<String> = words[start..start + len]
                .iter()
                .map(|w| w.to_lowercase())
                .collect();
            let roll: f64 = rng.random();
            if roll < 0.1 {
                // A typo: swap two inner letters of the longest word.
                if let Some(word) = query.iter_mut().max_by_key(|w| w.chars().count()) {
                    let mut chars: Vec<char> = word.chars().collect();
                    if chars.len() > 4 {
                        let at = rng.random_range(1..chars.len() - 2);
                        chars.swap(at, at + 1);
                        *word = chars.into_iter().collect();
                    }
                }
            } else if roll < 0.2 {
                if let Some(acronym) = acronyms.choose(&mut rng) {
                    query.push(acronym.clone());
                }
            }
            out.push((lang, query.join(" ")));
        }
    }
    out
}

fn fxhash(text: &str) -> u64 {
    // FNV-1a: only needs to differ between records.
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}
