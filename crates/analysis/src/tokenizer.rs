//! [`CpTokenizer`], the word splitter every Answerbank analyzer starts with.
//!
//! tantivy's `SimpleTokenizer` splits on every non-alphanumeric char. That
//! breaks our four languages in three ways, which this tokenizer fixes:
//!
//! - **Combining marks stay inside the word.** Arabic harakat and tatweel are
//!   alphanumeric already, but decomposed Latin accents (`e` + U+0301) and
//!   other marks are not; invisible joiners (ZWJ, ZWNJ, soft hyphen) would cut
//!   a word in two. Marks are kept, joiners are dropped from the token text.
//! - **Elisions stay whole**: `l'enfance`, `d’urgence`, `children's` are one
//!   token each, so the elision / possessive steps can see the apostrophe.
//!   An apostrophe joins only when it sits between two letters.
//! - **Acronyms and codes survive**: `U.A.S.C.` becomes `UASC` (one token
//!   spanning the dotted text), `5W` and `M&E` stay whole, and `CPIMS+` becomes two
//!   tokens at the same position, `CPIMS+` then `CPIMS`, so both `cpims+` and
//!   `cpims` find it.
//!
//! Offsets always point into the original text: a snippet highlights the
//! surface word (`U.A.S.C.`, `الأطفالُ`), whatever the filters make of it.
//! Tokens longer than [`MAX_TOKEN_BYTES`] (base64, hashes) are dropped.

use std::sync::OnceLock;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Tokens whose text is longer than this (in UTF-8 bytes, before any filter)
/// are skipped. 120 bytes is 60 Arabic letters with harakat.
pub const MAX_TOKEN_BYTES: usize = 120;

/// The Answerbank tokenizer (see the module documentation).
#[derive(Clone, Default)]
pub struct CpTokenizer {
    token: Token,
}

/// The stream of [`CpTokenizer`].
pub struct CpTokenStream<'a> {
    text: &'a str,
    cursor: usize,
    token: &'a mut Token,
    /// After an `X+` token: the byte length of `X`, emitted next at the same
    /// position.
    pending_bare: Option<usize>,
}

impl Tokenizer for CpTokenizer {
    type TokenStream<'a> = CpTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CpTokenStream<'a> {
        self.token.reset();
        CpTokenStream {
            text,
            cursor: 0,
            token: &mut self.token,
            pending_bare: None,
        }
    }
}

/// A char that continues a word: letters, digits, tatweel, and every
/// combining mark (harakat, decomposed accents).
#[inline]
fn is_word_char(c: char) -> bool {
    props(c) & (ALNUM | MARK) != 0
}

/// What the tokenizer asks of a char, as bits: [`char::is_alphanumeric`],
/// [`char::is_alphabetic`], [`char::is_uppercase`], a combining mark, and
/// a combining mark that is not an Arabic haraka (a token holding one is
/// put in NFC so that `e` + U+0301 folds like `é`).
const ALNUM: u8 = 1;
const ALPHA: u8 = 2;
const UPPER: u8 = 4;
const MARK: u8 = 8;
const NFC: u8 = 16;

/// Chars below this (Latin with its accents, Greek, Cyrillic, Hebrew,
/// Arabic) have their [`props`] in a table: the checks of accented and
/// Arabic letters otherwise search Unicode tables each time (profiled:
/// most of the tokenizer's time on French, Spanish and Arabic text).
const TABLE_CHARS: usize = 0x800;

/// The properties of `c`, computed (not looked up).
fn props_of(c: char) -> u8 {
    let mut p = 0;
    if c.is_alphanumeric() {
        p |= ALNUM;
    }
    if c.is_alphabetic() {
        p |= ALPHA;
    }
    if c.is_uppercase() {
        p |= UPPER;
    }
    if is_combining_mark(c) {
        p |= MARK;
        // Not an Arabic haraka: a token holding one is put in NFC.
        if !matches!(c as u32, 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED) {
            p |= NFC;
        }
    }
    p
}

fn table() -> &'static [u8; TABLE_CHARS] {
    static TABLE: OnceLock<[u8; TABLE_CHARS]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [0; TABLE_CHARS];
        for (code, slot) in table.iter_mut().enumerate() {
            if let Some(c) = char::from_u32(code as u32) {
                *slot = props_of(c);
            }
        }
        table
    })
}

/// The properties of `c` (see [`ALNUM`] and the others): from the table
/// below [`TABLE_CHARS`], computed above.
#[inline]
fn props(c: char) -> u8 {
    match table().get(c as usize) {
        Some(&p) => p,
        None => props_of(c),
    }
}

#[inline]
fn is_alphabetic(c: char) -> bool {
    props(c) & ALPHA != 0
}

#[inline]
fn is_alphanumeric(c: char) -> bool {
    props(c) & ALNUM != 0
}

#[inline]
fn is_uppercase(c: char) -> bool {
    props(c) & UPPER != 0
}

/// Invisible chars that may sit inside a word and are dropped from it.
#[inline]
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// Apostrophes that join `l'enfance` (ASCII, right and left single quotes).
#[inline]
pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}')
}

#[derive(Default)]
struct WordFlags {
    invisible: bool,
    nfc: bool,
}

impl CpTokenStream<'_> {
    #[inline]
    fn char_at(&self, at: usize) -> Option<char> {
        self.text.get(at..).and_then(|s| s.chars().next())
    }

    /// Scans the word starting at `start`; returns its end and what must be
    /// cleaned in it.
    fn scan_word(&self, start: usize) -> (usize, WordFlags) {
        let mut flags = WordFlags::default();
        let mut end = start;
        let mut prev_letter = false;
        let mut prev_upper = false;
        let mut chars = self.text[start..].char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            // Fast paths: ASCII and the Arabic letters, most of our text.
            if c.is_ascii_alphanumeric() {
                prev_letter = c.is_ascii_alphabetic();
                prev_upper = c.is_ascii_uppercase();
                end = start + i + 1;
                continue;
            }
            if matches!(c as u32, 0x0620..=0x064A) {
                prev_letter = true;
                prev_upper = false;
                end = start + i + 2;
                continue;
            }
            let p = props(c);
            if p & (ALNUM | MARK) != 0 {
                flags.nfc |= p & NFC != 0;
                prev_letter = p & ALPHA != 0 || (p & MARK != 0 && prev_letter);
                prev_upper = p & UPPER != 0;
                end = start + i + c.len_utf8();
                continue;
            }
            let next = chars.peek().map(|&(_, n)| n);
            if is_invisible(c) && next.is_some_and(is_word_char) {
                flags.invisible = true;
                continue;
            }
            if is_apostrophe(c) && prev_letter && next.is_some_and(is_alphabetic) {
                continue;
            }
            // `M&E`, `S&E`, `R&D`: an ampersand between capitals.
            if c == '&' && prev_upper && next.is_some_and(is_uppercase) {
                continue;
            }
            break;
        }
        (end, flags)
    }

    /// `U.A.S.C.` / `u.a.s.c` / `e.g.`: single letters joined by dots, at
    /// least two. Returns the end (after the last dot, if any) and pushes the
    /// letters into the token text.
    fn dotted_acronym(&mut self, start: usize) -> Option<usize> {
        let mut at = start;
        let mut letters = 0;
        let mut end = start;
        while let Some(c) = self.char_at(at) {
            if !is_alphabetic(c) {
                break;
            }
            let after = at + c.len_utf8();
            match self.char_at(after) {
                Some('.') => {
                    letters += 1;
                    end = after + 1;
                    at = after + 1;
                }
                next if letters > 0
                    && !next.is_some_and(|n| is_word_char(n) || is_apostrophe(n)) =>
                {
                    // Last letter without its dot: `U.A.S.C`.
                    letters += 1;
                    end = after;
                    break;
                }
                _ => break,
            }
        }
        if letters < 2 {
            return None;
        }
        self.token.text.clear();
        for c in self.text[start..end].chars().filter(|&c| c != '.') {
            self.token.text.push(c);
        }
        Some(end)
    }

    fn emit(&mut self, from: usize, to: usize) {
        self.token.position = self.token.position.wrapping_add(1);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.cursor = to;
    }
}

impl TokenStream for CpTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if let Some(len) = self.pending_bare.take() {
            self.token.text.truncate(len);
            return true;
        }
        loop {
            let rest = &self.text[self.cursor..];
            let Some((i, _)) = rest
                .char_indices()
                .find(|&(_, c)| c.is_ascii_alphanumeric() || (!c.is_ascii() && is_alphanumeric(c)))
            else {
                self.cursor = self.text.len();
                return false;
            };
            let start = self.cursor + i;
            if let Some(end) = self.dotted_acronym(start) {
                self.emit(start, end);
                return true;
            }
            let (end, flags) = self.scan_word(start);
            let word = &self.text[start..end];
            // `CPIMS+`, `C++`: pluses glued to the word and not followed by
            // more word (so `1+1` stays two numbers).
            let pluses = self.text[end..].bytes().take_while(|&b| b == b'+').count();
            let plus = pluses > 0
                && pluses <= 2
                && !self.char_at(end + pluses).is_some_and(is_alphanumeric);
            let token_end = if plus { end + pluses } else { end };
            if token_end - start > MAX_TOKEN_BYTES {
                self.cursor = token_end;
                continue;
            }
            let text = &mut self.token.text;
            text.clear();
            if flags.invisible {
                text.extend(word.chars().filter(|&c| !is_invisible(c)));
            } else {
                text.push_str(word);
            }
            if flags.nfc {
                // Rare (decomposed accents): allocation accepted.
                *text = text.nfc().collect();
            }
            if plus {
                self.pending_bare = Some(text.len());
                text.push_str(&self.text[end..end + pluses]);
            }
            self.emit(start, token_end);
            return true;
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (text, from, to, position) of every token.
    fn tokens(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut tokenizer = CpTokenizer::default();
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        out
    }

    fn texts(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.0).collect()
    }

    #[test]
    fn the_table_gives_what_the_unicode_functions_say() {
        let samples = (0..0x3000u32).chain([0xFEFF, 0x1F600, 0x10FFFF]);
        for c in samples.filter_map(char::from_u32) {
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
            assert_eq!(is_alphabetic(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_uppercase(c), c.is_uppercase(), "{c:?}");
            assert_eq!(
                is_word_char(c),
                c.is_alphanumeric() || is_combining_mark(c),
                "{c:?}"
            );
        }
        // Decomposed accents want NFC, Arabic harakat do not.
        assert_ne!(props('\u{301}') & NFC, 0);
        assert_eq!(props('\u{64E}') & NFC, 0);
        assert_ne!(props('\u{64E}') & MARK, 0);
    }

    #[test]
    fn arabic_marks_and_tatweel_stay_inside_the_word() {
        assert_eq!(texts("الأطفالُ المنفصلون"), ["الأطفالُ", "المنفصلون"]);
        assert_eq!(texts("حمايـــة الطفل"), ["حمايـــة", "الطفل"]);
        // Arabic punctuation separates.
        assert_eq!(texts("الحماية، الطفل؟"), ["الحماية", "الطفل"]);
    }

    #[test]
    fn decomposed_accents_are_composed() {
        let decomposed = "se\u{301}curite\u{301}";
        assert_eq!(texts(decomposed), ["sécurité"]);
        assert_eq!(tokens(decomposed)[0].2, decomposed.len());
    }

    #[test]
    fn invisible_joiners_are_dropped() {
        assert_eq!(
            texts("pro\u{00AD}tection chi\u{200B}ld"),
            ["protection", "child"]
        );
    }

    #[test]
    fn elisions_and_possessives_stay_whole() {
        assert_eq!(
            texts("l'enfance d’urgence, children's 'quoted' enfants' 90's"),
            [
                "l'enfance",
                "d’urgence",
                "children's",
                "quoted",
                "enfants",
                "90",
                "s"
            ]
        );
    }

    #[test]
    fn acronyms_and_codes_survive() {
        assert_eq!(texts("5W matrix, 4Ws"), ["5W", "matrix", "4Ws"]);
        assert_eq!(texts("U.A.S.C. and U.A.S.C"), ["UASC", "and", "UASC"]);
        assert_eq!(texts("e.g. p.16 A. Smith"), ["eg", "p", "16", "A", "Smith"]);
        assert_eq!(texts("1+1=2 C++"), ["1", "1", "2", "C++", "C"]);
        assert_eq!(
            texts("M&E plan, rock&roll, A & B"),
            ["M&E", "plan", "rock", "roll", "A", "B"]
        );
    }

    #[test]
    fn plus_acronym_gives_both_forms_at_one_position() {
        let t = tokens("the CPIMS+ rollout");
        assert_eq!(
            t,
            [
                ("the".to_string(), 0, 3, 0),
                ("CPIMS+".to_string(), 4, 10, 1),
                ("CPIMS".to_string(), 4, 10, 1),
                ("rollout".to_string(), 11, 18, 2),
            ]
        );
    }

    #[test]
    fn offsets_point_at_the_surface_text() {
        let text = "Les U.A.S.C. et الأطفالُ";
        for (token, from, to, _) in tokens(text) {
            let surface = &text[from..to];
            assert!(!surface.is_empty());
            if token == "UASC" {
                assert_eq!(surface, "U.A.S.C.");
            }
        }
        let t = tokens(text);
        assert_eq!(&text[t[3].1..t[3].2], "الأطفالُ");
    }

    #[test]
    fn overlong_tokens_are_skipped() {
        let long = "a".repeat(MAX_TOKEN_BYTES + 1);
        assert_eq!(texts(&format!("x {long} y")), ["x", "y"]);
        assert!(texts("").is_empty());
        assert!(texts(" ,;  ").is_empty());
    }
}
