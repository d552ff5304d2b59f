//! Snippets: the best passage of a text for the query, with the matched
//! words as char offsets (see [`Snippet`]).
//!
//! The text is analyzed with its own language's chain and a token is a
//! match when its analyzed form is one of the query's analyzed forms for
//! that language (so `enfants` is marked for the query `enfant`, and
//! `الأطفالُ` for `الاطفال`). Words that matched through typo tolerance are
//! marked by edit distance on the neutral form. We cut our own passages
//! rather than use tantivy's `SnippetGenerator`: it returns byte ranges,
//! knows only the terms of one field and none of the fuzzy ones.

use crate::query::Highlight;
use crate::Snippet;
use analysis::{CpTokenizer, Lang};
use std::cell::RefCell;
use std::collections::HashMap;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

/// A chain's output for a word: the id of the token text, or one of these.
const UNKNOWN: u32 = u32::MAX;
const DROPPED: u32 = u32::MAX - 1;
/// Not a word the tokenizer gives back alone, or the chain makes more than
/// one token of it: texts holding it are analyzed whole.
const UNSURE: u32 = u32::MAX - 2;

/// Words remembered per thread before the memo starts over.
const MEMO_WORDS: usize = 200_000;

/// FNV-1a (the `fnv` crate): the memo's keys are short words.
type FnvMap<V> = HashMap<Box<str>, V, fnv::FnvBuildHasher>;

/// One thread's analyzers (one per language, then neutral) and what each
/// makes of the words seen so far. Snippets analyze every hit's title and
/// passage text; each chain's output for a word depends on the word alone
/// (its steps rewrite one token at a time), and most words are repeats,
/// so a lookup replaces the chain (Snowball, stop lists, folding): the
/// profile of the 100k query mix had 29% of a search in snippets, most of
/// it in those steps. Token texts are interned: a query term matches a
/// token when their ids are equal.
struct Memo {
    tokenizer: CpTokenizer,
    probe: CpTokenizer,
    analyzers: Vec<TextAnalyzer>,
    /// Tokenizer word -> per chain, the id of its token text (or a mark).
    words: FnvMap<[u32; 5]>,
    texts: Vec<Box<str>>,
    ids: FnvMap<u32>,
    /// The last text's tokens: offsets, and the word's range in `raw`.
    spans: Vec<(usize, usize, usize, usize)>,
    raw: String,
    /// That text (a second chain over it, the neutral one after the
    /// language's, tokenizes it once).
    last: String,
}

thread_local! {
    static MEMO: RefCell<Option<Memo>> = const { RefCell::new(None) };
}

/// What `analyzer` makes of `word`, a token text of the tokenizer.
enum Learned {
    Dropped,
    Unsure,
    Kept(String),
}

fn learn(probe: &mut CpTokenizer, analyzer: &mut TextAnalyzer, word: &str) -> Learned {
    let whole = |t: &Token| t.position == 0 && t.offset_from == 0 && t.offset_to == word.len();
    let mut alone = probe.token_stream(word);
    if !alone.advance() || !whole(alone.token()) || alone.token().text != word || alone.advance() {
        return Learned::Unsure;
    }
    let mut out = Learned::Dropped;
    let mut stream = analyzer.token_stream(word);
    while stream.advance() {
        let t = stream.token();
        if !whole(t) || matches!(out, Learned::Kept(_)) || t.text.is_empty() {
            return Learned::Unsure;
        }
        out = Learned::Kept(t.text.clone());
    }
    out
}

fn intern(texts: &mut Vec<Box<str>>, ids: &mut FnvMap<u32>, s: &str) -> u32 {
    if let Some(&id) = ids.get(s) {
        return id;
    }
    let id = u32::try_from(texts.len()).unwrap_or(UNSURE - 1);
    texts.push(s.into());
    ids.insert(s.into(), id);
    id
}

impl Memo {
    fn new() -> Memo {
        Memo {
            tokenizer: CpTokenizer::default(),
            probe: CpTokenizer::default(),
            analyzers: [Lang::En, Lang::Fr, Lang::Es, Lang::Ar, Lang::Und]
                .into_iter()
                .map(analysis::analyzer)
                .collect(),
            words: FnvMap::default(),
            texts: Vec::new(),
            ids: FnvMap::default(),
            spans: Vec::new(),
            raw: String::new(),
            last: String::new(),
        }
    }

    /// The id of token text `s`.
    fn intern(&mut self, s: &str) -> u32 {
        intern(&mut self.texts, &mut self.ids, s)
    }

    fn text(&self, id: u32) -> &str {
        self.texts.get(id as usize).map_or("", |t| t)
    }

    /// The tokens chain `slot` makes of `text`, as its analyzer would:
    /// offsets and token text id.
    fn tokens(&mut self, slot: usize, text: &str) -> Vec<(usize, usize, u32)> {
        if self.last != text {
            self.last.clear();
            self.last.push_str(text);
            self.spans.clear();
            self.raw.clear();
            let mut stream = self.tokenizer.token_stream(text);
            while stream.advance() {
                let t = stream.token();
                let at = self.raw.len();
                self.raw.push_str(&t.text);
                self.spans
                    .push((t.offset_from, t.offset_to, at, self.raw.len()));
            }
        }
        let mut out = Vec::with_capacity(self.spans.len());
        let Memo {
            probe,
            analyzers,
            words,
            texts,
            ids,
            spans,
            raw,
            ..
        } = self;
        for &(from, to, a, b) in spans.iter() {
            let word = &raw[a..b];
            let known = match words.get_mut(word) {
                Some(known) => known,
                None => words.entry(word.into()).or_insert([UNKNOWN; 5]),
            };
            if known[slot] == UNKNOWN {
                known[slot] = match learn(probe, &mut analyzers[slot], word) {
                    Learned::Dropped => DROPPED,
                    Learned::Unsure => UNSURE,
                    Learned::Kept(s) => intern(texts, ids, &s),
                };
            }
            match known[slot] {
                DROPPED => {}
                UNSURE => {
                    out.clear();
                    let mut stream = analyzers[slot].token_stream(text);
                    while stream.advance() {
                        let t = stream.token();
                        out.push((t.offset_from, t.offset_to, intern(texts, ids, &t.text)));
                    }
                    return out;
                }
                id => out.push((from, to, id)),
            }
        }
        out
    }
}

/// Runs `f` with this thread's memo.
fn with_memo<T>(f: impl FnOnce(&mut Memo) -> T) -> T {
    MEMO.with(|cell| match cell.try_borrow_mut() {
        Ok(mut memo) => {
            let memo = memo.get_or_insert_with(Memo::new);
            if memo.words.len() > MEMO_WORDS || memo.texts.len() > MEMO_WORDS {
                *memo = Memo::new();
            }
            f(memo)
        }
        Err(_) => f(&mut Memo::new()),
    })
}

/// Passage length, in chars (about two lines of a results page). With 200,
/// and the title repeated as a snippet, a 10-hit Arabic answer on the
/// sample corpus took 14 KB; with 130 and `title_highlights`, under 10 KB
/// (140 left the longest Arabic answer at 10,002 bytes).
pub const SNIPPET_CHARS: usize = 130;

/// Passage length of each matched page of a document, in chars: a hint of
/// what the page says (the best page's full passage is the hit's own).
pub const PAGE_SNIPPET_CHARS: usize = 60;

/// Byte ranges of the words of `text` (in `lang`) that match `hl`, with
/// the id of their analyzed form (equal forms, equal ids).
fn matches(text: &str, lang: Lang, hl: &Highlight) -> Vec<(usize, usize, u32)> {
    with_memo(|memo| {
        let slot = crate::schema::lang_slot(lang).unwrap_or(4);
        let terms: Vec<u32> = hl.for_lang(lang).iter().map(|t| memo.intern(t)).collect();
        let mut out: Vec<(usize, usize, u32)> = Vec::new();
        if !terms.is_empty() {
            out = memo.tokens(slot, text);
            out.retain(|(_, _, id)| terms.contains(id));
        }
        let fuzzy = !hl.fuzzy.is_empty();
        let second_pass = if lang == Lang::Und {
            fuzzy
        } else {
            (out.is_empty() && !hl.terms[4].is_empty()) || fuzzy
        };
        if second_pass {
            let neutral: Vec<u32> = if lang == Lang::Und {
                Vec::new()
            } else {
                hl.terms[4].iter().map(|t| memo.intern(t)).collect()
            };
            let mut more = memo.tokens(4, text);
            more.retain(|&(from, to, id)| {
                let hit = neutral.contains(&id)
                    || hl
                        .fuzzy
                        .iter()
                        .any(|(w, d)| within(memo.text(id), w, usize::from(*d)));
                hit && !out.iter().any(|(s, e, _)| *s < to && from < *e)
            });
            out.extend(more);
            out.sort_by_key(|m| m.0);
        }
        out
    })
}

/// Levenshtein distance of `a` and `b` is at most `max` (chars).
fn within(a: &str, b: &str, max: usize) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()] <= max
}

/// The best passage of about `max_chars` chars of `text` for `hl`, or the
/// start of the text when nothing matches.
pub fn snippet(text: &str, lang: Lang, hl: &Highlight, max_chars: usize) -> Snippet {
    let text = text.trim();
    let found = matches(text, lang, hl);
    let total_chars = text.chars().count();
    // Byte offset -> char offset, for the few offsets we need.
    let char_at = |byte: usize| text[..byte].chars().count();
    if total_chars <= max_chars {
        return Snippet {
            text: text.to_string(),
            highlights: merge(found.iter().map(|(s, e, _)| [char_at(*s), char_at(*e)])),
        };
    }
    // Pick the window (starting at a match) with the most distinct terms,
    // then the most matches; the earliest wins ties.
    let max_bytes_guess = |start: usize| {
        text[start..]
            .char_indices()
            .nth(max_chars)
            .map_or(text.len(), |(i, _)| start + i)
    };
    let mut best: Option<(usize, usize, usize)> = None; // (distinct, count, index)
    for (i, (s, _, _)) in found.iter().enumerate() {
        let end = max_bytes_guess(*s);
        let inside: Vec<&(usize, usize, u32)> = found[i..]
            .iter()
            .take_while(|(_, e, _)| *e <= end)
            .collect();
        let mut distinct: Vec<u32> = inside.iter().map(|m| m.2).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let key = (distinct.len(), inside.len(), i);
        if best.is_none_or(|b| (key.0, key.1) > (b.0, b.1)) {
            best = Some(key);
        }
    }
    let mut start = match best {
        // Some context before the first match: up to 30 chars (a fifth of
        // a short passage), from a word start.
        Some((_, _, i)) => {
            let first = found[i].0;
            let back: usize = text[..first]
                .chars()
                .rev()
                .take((max_chars / 5).min(30))
                .map(char::len_utf8)
                .sum();
            let mut s = first - back;
            if s > 0 {
                if let Some(ws) = text[s..first].find(char::is_whitespace) {
                    s += ws;
                }
            }
            s
        }
        None => 0,
    };
    while start < text.len() && text[start..].starts_with(char::is_whitespace) {
        start += text[start..].chars().next().map_or(1, char::len_utf8);
    }
    let mut end = max_bytes_guess(start);
    if end < text.len() {
        // Cut at the last space so no word is split.
        if let Some(ws) = text[start..end].rfind(char::is_whitespace) {
            if ws > 0 {
                end = start + ws;
            }
        }
    }
    let lead = if start > 0 { "… " } else { "" };
    let tail = if end < text.len() { " …" } else { "" };
    let body = &text[start..end];
    let shift = lead.chars().count();
    let highlights = merge(
        found
            .iter()
            .filter(|(s, e, _)| *s >= start && *e <= end)
            .map(|(s, e, _)| {
                [
                    shift + text[start..*s].chars().count(),
                    shift + text[start..*e].chars().count(),
                ]
            }),
    );
    let _ = char_at;
    Snippet {
        text: format!("{lead}{body}{tail}"),
        highlights,
    }
}

/// Sorted, non-overlapping spans.
fn merge(spans: impl Iterator<Item = [usize; 2]>) -> Vec<[usize; 2]> {
    let mut v: Vec<[usize; 2]> = spans.filter(|[s, e]| s < e).collect();
    v.sort_unstable();
    let mut out: Vec<[usize; 2]> = Vec::with_capacity(v.len());
    for span in v {
        match out.last_mut() {
            Some(last) if span[0] <= last[1] => last[1] = last[1].max(span[1]),
            _ => out.push(span),
        }
    }
    out
}

/// Highlights of `title` for `hl`: char offsets into `title` itself
/// (untrimmed, so a page marks the title it shows).
pub fn title_highlights(title: &str, lang: Lang, hl: &Highlight) -> Vec<[usize; 2]> {
    let found = matches(title, lang, hl);
    let mut chars = 0;
    let mut at = 0;
    let mut char_at = |byte: usize| {
        // `found` is sorted by start: walk forward only.
        if byte < at {
            return title[..byte].chars().count();
        }
        chars += title[at..byte].chars().count();
        at = byte;
        chars
    };
    merge(found.iter().map(|(s, e, _)| {
        let s = char_at(*s);
        [s, char_at(*e)]
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hl(lang: Lang, words: &str) -> Highlight {
        let mut h = Highlight::default();
        let slot = crate::schema::lang_slot(lang).unwrap_or(4);
        h.terms[slot].extend(analysis::analyze(lang, words));
        h.terms[4].extend(analysis::analyze(Lang::Und, words));
        h
    }

    fn marked(s: &Snippet) -> Vec<String> {
        let chars: Vec<char> = s.text.chars().collect();
        s.highlights
            .iter()
            .map(|[a, b]| chars[*a..*b].iter().collect())
            .collect()
    }

    #[test]
    fn marks_analyzed_matches_in_char_offsets() {
        let s = snippet(
            "Les enfants séparés de leur famille reçoivent une prise en charge.",
            Lang::Fr,
            &hl(Lang::Fr, "enfant separe"),
            200,
        );
        assert_eq!(marked(&s), vec!["enfants", "séparés"]);
        let s = snippet(
            "حماية الأطفالُ في المخيمات",
            Lang::Ar,
            &hl(Lang::Ar, "الاطفال"),
            200,
        );
        assert_eq!(marked(&s), vec!["الأطفالُ"]);
    }

    #[test]
    fn long_text_is_cut_around_the_best_window() {
        let filler = "lorem ipsum dolor sit amet ".repeat(30);
        let text = format!("{filler}the referral pathway for separated children {filler}");
        let s = snippet(&text, Lang::En, &hl(Lang::En, "separated children"), 200);
        assert!(s.text.chars().count() <= 204, "{}", s.text);
        assert!(s.text.starts_with("… "));
        assert_eq!(marked(&s), vec!["separated", "children"]);
    }

    #[test]
    fn no_match_gives_the_start() {
        let s = snippet(&"word ".repeat(100), Lang::En, &hl(Lang::En, "absent"), 50);
        assert!(s.text.starts_with("word"));
        assert!(s.highlights.is_empty());
    }

    /// The memo gives exactly the analyzers' tokens (offsets and text),
    /// in every chain, for the sample corpus's texts, first and second time.
    #[test]
    fn memo_gives_the_analyzers_tokens() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
        let records = ingest::ingest(&root, &ingest::IngestOptions::default(), &|_| {})
            .unwrap()
            .records;
        let mut texts: Vec<String> = crate::tests::corpus()
            .into_iter()
            .chain(records)
            .flat_map(|r| {
                let pages: Vec<String> = r.pages.into_iter().map(|p| p.text).collect();
                [r.title, r.body].into_iter().chain(pages)
            })
            .collect();
        texts.push("CPIMS+ l'enfant d’abord, children's 3W x-y ١٢٣ ".into());
        assert!(texts.len() > 200, "{}", texts.len());
        for round in 0..2 {
            for text in &texts {
                for lang in [Lang::En, Lang::Fr, Lang::Es, Lang::Ar, Lang::Und] {
                    let want: Vec<(usize, usize, String)> = analysis::analyze_tokens(lang, text)
                        .into_iter()
                        .map(|t| (t.offset_from, t.offset_to, t.text))
                        .collect();
                    let slot = crate::schema::lang_slot(lang).unwrap_or(4);
                    let got: Vec<(usize, usize, String)> = with_memo(|m| {
                        m.tokens(slot, text)
                            .into_iter()
                            .map(|(a, b, id)| (a, b, m.text(id).to_string()))
                            .collect()
                    });
                    assert_eq!(got, want, "round {round}, {lang:?}: {text}");
                }
            }
        }
    }

    #[test]
    fn title_highlights_are_offsets_into_the_title() {
        let title = "  Les enfants séparés";
        let spans = title_highlights(title, Lang::Fr, &hl(Lang::Fr, "enfant separe"));
        let chars: Vec<char> = title.chars().collect();
        let marked: Vec<String> = spans
            .iter()
            .map(|[a, b]| chars[*a..*b].iter().collect())
            .collect();
        assert_eq!(marked, vec!["enfants", "séparés"]);
        assert!(title_highlights(title, Lang::Fr, &hl(Lang::Fr, "absent")).is_empty());
    }

    #[test]
    fn fuzzy_words_are_marked() {
        let mut h = hl(Lang::En, "");
        h.fuzzy.push(("separatd".into(), 1));
        let s = snippet("children separated from families", Lang::En, &h, 200);
        assert_eq!(marked(&s), vec!["separated"]);
    }
}
