//! Arabic normalization and light stemming.
//!
//! Normalization ([`normalize_arabic`]) makes the spelling variants people
//! actually type meet: it drops harakat, tatweel and Quranic marks; maps
//! `أ إ آ ٱ` to `ا`, `ى` to `ي`, `ة` to `ه`, `ؤ` to `و`, `ئ` to `ي`, the Persian
//! `ی ک` keyboard letters to `ي ك`; Arabic-Indic and Persian digits to `0-9`;
//! and presentation forms (what many PDF extractors emit, `ﺍﻟﻄﻔﻞ`) to base
//! letters. Everything else is left as it is.
//!
//! Stemming ([`light_stem`]) is Larkey's "light10" (Lucene `ArabicStemmer`)
//! with five changes measured on child-protection vocabulary, see the
//! `light_stemmer_vs_snowball` test:
//!
//! 0. prefixes `وبال` and `ولل` (and + with/for + the) are tried before
//!    light10's `وال بال كال فال لل ال`, and only one prefix is removed;
//! 1. two-letter suffixes need three letters left (`بيانات`/`بيان` -> `بيان`
//!    instead of `بي`), one-letter suffixes need three letters left (`ذوي`
//!    stays);
//! 2. the possessive `هم` is also removed (`أطفالهم` -> `اطفال`), and so
//!    is the adverb ending `يا` (`نفسياً` -> `نفس`, as `نفسية`/`نفسي`;
//!    not after `ا`: `قضايا` is a broken plural);
//! 3. a short list of words whose first `و` is a root letter, not "and"
//!    (`وزارة`, `وقاية`, `وصاية`, `والدين` ...), keeps its `و`, and `آلية`
//!    (mechanism, `اليه` once normalized) keeps its `ال`;
//! 4. the dialect present tense with a plural ending loses its `بي`/`بت`/`بن`
//!    and its `وا`/`و` (`بيتسولوا` -> `تسول`, as `التسول`), see
//!    `dialect_present`.
//!
//! Why light10 and not tantivy's Snowball Arabic stemmer, measured by that
//! test (28 groups of forms that should meet, 12 pairs of words that must
//! not): light10 as adapted here meets 27/28 groups and keeps 10/12 pairs
//! apart; Snowball meets 14/28 and keeps 10/12 apart on raw words, 9/28 and
//! 12/12 when fed our normalized text (it expects `ة`, and it does not strip
//! `وال`: `والعنف` stays whole). Snowball also cuts root letters
//! (`برامج`->`رامج`, `بديلة`->`ديل`, `وزارة`->`زار`, `بيانات`->`يانا`).
//! Neither handles broken plurals (`طفل`/`أطفال`); the glossary lists them
//! (and [`crate::singular_stem`] maps a written list of them, outside the
//! chain, see `arabic_plurals`).

use unicode_normalization::UnicodeNormalization;

/// What one char becomes: kept, dropped, or replaced.
enum Map {
    Keep,
    Drop,
    To(char),
}

#[inline]
fn map_char(c: char) -> Map {
    match c {
        // Harakat, small high marks, superscript alef, Quranic annotations, tatweel.
        '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06ED}'
        | '\u{0640}' => Map::Drop,
        'أ' | 'إ' | 'آ' | 'ٱ' => Map::To('ا'),
        'ى' | 'ی' | 'ئ' => Map::To('ي'),
        'ؤ' => Map::To('و'),
        'ة' => Map::To('ه'),
        'ک' => Map::To('ك'),
        '\u{0660}'..='\u{0669}' => Map::To(char::from(b'0' + (c as u32 - 0x0660) as u8)),
        '\u{06F0}'..='\u{06F9}' => Map::To(char::from(b'0' + (c as u32 - 0x06F0) as u8)),
        _ => Map::Keep,
    }
}

#[inline]
fn is_presentation_form(c: char) -> bool {
    matches!(c as u32, 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
}

/// True when `text` may need [`normalize_arabic`]: it has a char of the
/// Arabic blocks (a cheap byte scan; ASCII and Latin text return false).
#[inline]
pub(crate) fn has_arabic(text: &str) -> bool {
    // U+0600..U+06FF encode with lead bytes 0xD8..0xDB; presentation forms
    // U+FB50..U+FEFF with lead byte 0xEF.
    text.bytes()
        .any(|b| (0xD8..=0xDB).contains(&b) || b == 0xEF)
}

/// Normalizes Arabic spelling in `text` (see the module documentation) and
/// returns the result; non-Arabic text comes back unchanged.
///
/// ```
/// use answerbank_analysis::normalize_arabic;
/// assert_eq!(normalize_arabic("الأطفالُ"), "الاطفال");
/// assert_eq!(normalize_arabic("حمايـــة"), "حمايه");
/// assert_eq!(normalize_arabic("مستشفى ١٢"), "مستشفي 12");
/// ```
pub fn normalize_arabic(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    if normalize_arabic_into(text, &mut out) {
        out
    } else {
        text.to_string()
    }
}

/// [`normalize_arabic`] into `out` (cleared first). Returns false, leaving
/// `out` empty, when nothing had to change: the caller keeps its text.
pub(crate) fn normalize_arabic_into(text: &str, out: &mut String) -> bool {
    out.clear();
    if !has_arabic(text) {
        return false;
    }
    let mut changed = false;
    for c in text.chars() {
        if is_presentation_form(c) {
            // NFKC only the presentation forms: `ﻻ` -> `لا`.
            for d in std::iter::once(c).nfkc() {
                push_mapped(d, out);
            }
            changed = true;
        } else {
            changed |= push_mapped(c, out);
        }
    }
    if !changed {
        out.clear();
    }
    changed
}

#[inline]
fn push_mapped(c: char, out: &mut String) -> bool {
    match map_char(c) {
        Map::Keep => {
            out.push(c);
            false
        }
        Map::Drop => true,
        Map::To(m) => {
            out.push(m);
            true
        }
    }
}

/// Words (normalized) whose leading `و` or `وال` belongs to the word, not
/// a conjunction + article: the `و` is kept. Prefix match on the word after
/// an article was removed.
const ROOT_WAW: &[&str] = &[
    "وزار",
    "وزير",
    "وقاي",
    "وصاي",
    "وصم",
    "وصي",
    "وكال",
    "ورش",
    "ورق",
    "واتس",
    "وثيق",
    "وثاي",
    "وعي",
    "وحد",
    "وضع",
    "وساي",
    "وسيل",
    "وظيف",
    "وظاي",
    "وطن",
    "وفا",
    "وفي",
    "وقت",
    "ولاد",
    "ولي",
    "وجود",
    "وصول",
    "وقف",
    "وسط",
    "وسيط",
    "ولايه",
    "والد",
];

/// Words that start with `وال` where `وال` is part of the root: parent(s).
const WALID: &[&str] = &[
    "والد",
    "والده",
    "والدين",
    "والدان",
    "والديه",
    "والدا",
    "والدي",
    "والدات",
];

const PREFIXES: &[&str] = &["وبال", "ولل", "وال", "بال", "كال", "فال", "لل", "ال"];
const SUFFIXES: &[&str] = &["ها", "هم", "ان", "ات", "ون", "ين", "يه", "يا", "ه", "ي"];

/// Arabic letters only (after normalization); digits or Latin letters in a
/// token mean it is not stemmed.
#[inline]
fn is_arabic_word(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| matches!(c as u32, 0x0621..=0x064A))
}

/// The light stem of a normalized Arabic word, as a sub-slice of it (never
/// allocates). Non-Arabic words come back unchanged.
///
/// ```
/// use answerbank_analysis::light_stem;
/// assert_eq!(light_stem("الاطفال"), "اطفال");
/// assert_eq!(light_stem("والحالات"), "حال");
/// assert_eq!(light_stem("حاله"), "حال");
/// ```
pub fn light_stem(word: &str) -> &str {
    let (from, to) = light_stem_range(word);
    &word[from..to]
}

/// The byte range of [`light_stem`] in `word`.
pub(crate) fn light_stem_range(word: &str) -> (usize, usize) {
    if !is_arabic_word(word) {
        return (0, word.len());
    }
    // Every letter here is two bytes in UTF-8.
    let letters = |s: &str| s.len() / 2;
    let walid = |from: usize, w: &str| WALID.contains(&w).then_some((from, from + "والد".len()));
    if let Some(r) = walid(0, word) {
        return r;
    }
    // `آلية`/`آليات` (mechanism): normalized, its `آل` looks like the
    // article; with or without a real prefix it stems to `الي`.
    for p in ["", "و"].iter().chain(PREFIXES) {
        if let Some(rest) = word.strip_prefix(p) {
            if rest == "اليه" || rest == "اليات" {
                return (p.len(), p.len() + "الي".len());
            }
        }
    }
    let mut from = 0;
    let mut to = word.len();
    let mut stripped_article = false;
    for p in PREFIXES {
        if word.starts_with(p) && letters(word) >= letters(p) + 2 {
            from = p.len();
            stripped_article = true;
            break;
        }
    }
    if stripped_article {
        if let Some(r) = walid(from, &word[from..]) {
            return r;
        }
    } else if word.starts_with('و')
        && letters(word) >= 4
        && !ROOT_WAW.iter().any(|r| word.starts_with(r))
    {
        from = 'و'.len_utf8();
    }
    if !stripped_article {
        (from, to) = dialect_present(word, from, to);
    }
    for s in SUFFIXES {
        let w = &word[from..to];
        // `ايا` ends broken plurals (`قضايا`, `ضحايا`), not adverbs.
        if *s == "يا" && w.ends_with("ايا") {
            continue;
        }
        if w.ends_with(s) && letters(w) >= letters(s) + 3 {
            to -= s.len();
        }
    }
    (from, to)
}

/// The dialect present tense (Levantine, Egyptian, Sudanese, Gulf): `ب`
/// before the person prefix (`بي`, `بت`, `بن`) and the plural ending `وا`
/// or `و`, as people type it in questions: `بيتسولوا` (they beg) -> `تسول`,
/// the noun `التسول`; `بيشتغلو` -> `شتغل`. Only with the plural ending, and
/// three letters left: nouns starting with `بي`/`بن` (`بيانات`, `بنات`,
/// `بيئة`) never end in `و`. `(from, to)` is the word's range so far.
fn dialect_present(word: &str, from: usize, to: usize) -> (usize, usize) {
    let w = &word[from..to];
    let letters = |s: &str| s.len() / 2;
    let Some(ending) = ["وا", "و"].into_iter().find(|e| w.ends_with(e)) else {
        return (from, to);
    };
    if ["بي", "بت", "بن"].iter().any(|p| w.starts_with(p)) && letters(w) >= 2 + letters(ending) + 3
    {
        (from + "بي".len(), to - ending.len())
    } else {
        (from, to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_examples() {
        assert_eq!(normalize_arabic("الأطفالُ"), normalize_arabic("الاطفال"));
        assert_eq!(normalize_arabic("حمايـــة"), normalize_arabic("حماية"));
        assert_eq!(normalize_arabic("إدارة"), "اداره");
        assert_eq!(normalize_arabic("آمنة"), "امنه");
        assert_eq!(normalize_arabic("ٱلطفل"), "الطفل");
        assert_eq!(normalize_arabic("مستشفى"), "مستشفي");
        assert_eq!(normalize_arabic("مسؤول رئيس"), "مسوول رييس");
        assert_eq!(normalize_arabic("٢٠٢٤ و۱۲"), "2024 و12");
        assert_eq!(normalize_arabic("مُنَظَّمَةٌ"), "منظمه");
        // Persian keyboard letters.
        assert_eq!(normalize_arabic("کبیر"), "كبير");
        // Presentation forms, as PDF extractors emit them.
        assert_eq!(normalize_arabic("ﺍﻟﻄﻔﻞ"), "الطفل");
        assert_eq!(normalize_arabic("ﻻ"), "لا");
        // Latin text is untouched.
        assert_eq!(normalize_arabic("Sécurité CPIMS+"), "Sécurité CPIMS+");
    }

    #[test]
    fn normalize_into_reports_changes() {
        let mut out = String::new();
        assert!(!normalize_arabic_into("الطفل", &mut out));
        assert!(normalize_arabic_into("الطفلُ", &mut out));
        assert_eq!(out, "الطفل");
        assert!(!normalize_arabic_into("child", &mut out));
    }

    fn stem(w: &str) -> String {
        light_stem(&normalize_arabic(w)).to_string()
    }

    #[test]
    fn article_and_prepositions_are_removed() {
        assert_eq!(stem("الأطفال"), "اطفال");
        assert_eq!(stem("والأطفال"), "اطفال");
        assert_eq!(stem("بالأطفال"), "اطفال");
        assert_eq!(stem("للأطفال"), "اطفال");
        assert_eq!(stem("وأطفال"), "اطفال");
        assert_eq!(stem("أطفالهم"), "اطفال");
    }

    #[test]
    fn suffixes_are_removed() {
        assert_eq!(stem("الحالات"), "حال");
        assert_eq!(stem("حالة"), "حال");
        assert_eq!(stem("المصحوبين"), "مصحوب");
        assert_eq!(stem("المنفصلون"), "منفصل");
        assert_eq!(stem("الاجتماعية"), "اجتماع");
        assert_eq!(stem("بيانات"), stem("البيان"));
        // Adverbs in `-يًا` meet their adjective (`نفسياً`/`نفسية`).
        assert_eq!(stem("نفسياً"), stem("نفسية"));
        assert_eq!(stem("نفسيا"), stem("النفسي"));
        assert_eq!(stem("اجتماعياً"), stem("الاجتماعية"));
        assert_eq!(stem("حالياً"), stem("الحالي"));
        // ... but not the broken plurals in `ايا` (issues are not judges).
        assert_ne!(stem("قضايا"), stem("القضاة"));
    }

    #[test]
    fn dialect_present_tense_meets_the_noun() {
        // b- + person prefix + stem + plural ending.
        assert_eq!(stem("بيتسولوا"), stem("التسول"));
        assert_eq!(stem("بيتسولو"), stem("التسول"));
        assert_eq!(stem("وبيتسولوا"), stem("التسول"));
        assert_eq!(stem("بيشتغلو"), "شتغل");
        assert_eq!(stem("بنعملوا"), "عمل");
        assert_eq!(stem("بيقدموا"), "قدم");
        // Nouns that start like it keep their letters.
        assert_eq!(stem("بيانات"), "بيان");
        assert_eq!(stem("البنات"), "بنات");
        assert_eq!(stem("بيانو"), "بيانو");
        assert_eq!(stem("بيئة"), "بيي");
    }

    #[test]
    fn short_and_root_waw_words_keep_their_letters() {
        assert_eq!(stem("ذوي"), "ذوي");
        assert_eq!(stem("طفل"), "طفل");
        assert_eq!(stem("وزارة"), stem("الوزارة"));
        assert_eq!(stem("الوقاية"), stem("وقاية"));
        assert_eq!(stem("الوالدين"), "والد");
        assert_eq!(stem("والدين"), "والد");
        assert_eq!(stem("والدعم"), "دعم");
        // Paper and the WhatsApp loanword keep their `و`.
        assert_eq!(stem("ورقية"), stem("الورقية"));
        assert_eq!(stem("واتساب"), "واتساب");
        // `وصمة` (stigma): the `و` is a root letter.
        assert_eq!(stem("وصمة"), stem("الوصمة"));
        // `آلية` (mechanism) is not `ال` + `ية`.
        for w in ["آلية", "الآلية", "آليات", "للآلية", "وآلية", "والآليات"]
        {
            assert_eq!(stem(w), "الي", "{w}");
        }
        assert_eq!(stem("CPIMS"), "CPIMS");
        assert_eq!(stem("٥"), "5");
    }
}

/// Light10 (ours) against tantivy's Snowball Arabic stemmer on
/// child-protection words: groups that should meet, pairs that must not.
#[cfg(test)]
mod stemmer_choice {
    use super::*;
    use tantivy::tokenizer::{Language, Stemmer, TextAnalyzer, WhitespaceTokenizer};

    const SHOULD_MEET: &[&[&str]] = &[
        &["الطفل", "طفل", "للطفل", "والطفل", "بالطفل"],
        &["الأطفال", "أطفال", "للأطفال", "والأطفال", "أطفالهم", "بالأطفال"],
        &["الحالة", "حالة", "الحالات", "حالات", "وحالات"],
        &["حماية", "الحماية", "للحماية", "والحماية"],
        &["المصحوبين", "مصحوبين", "المصحوبون", "مصحوب"],
        &["المنفصلين", "منفصلين", "المنفصلون", "منفصل"],
        &["الأسرة", "أسرة", "وأسرة", "للأسرة", "أسرته"],
        &["إدارة", "الإدارة", "وإدارة"],
        &["الدعم", "دعم", "والدعم", "بالدعم"],
        &["النفسي", "نفسي", "النفسية", "نفسية"],
        &["الاجتماعي", "اجتماعية", "الاجتماعية"],
        &["التسجيل", "تسجيل", "وتسجيل"],
        &["العنف", "عنف", "والعنف"],
        &["الخدمات", "خدمات", "خدمة", "الخدمة"],
        &["التعليم", "تعليم", "للتعليم"],
        &["المعايير", "معايير"],
        &["الرعاية", "رعاية", "والرعاية"],
        &["البديلة", "بديلة", "البديل"],
        &["المسؤول", "مسؤول", "المسؤولون", "مسؤولين"],
        &["الوزارة", "وزارة", "وزارات"],
        &["الوقاية", "وقاية"],
        &["الوالدين", "والدين", "الوالدان"],
        &["العاملين", "العاملون", "عامل"],
        &["البرامج", "برامج"],
        &["التقييم", "تقييم", "تقييمات"],
        &["الصحة", "صحة", "للصحة"],
        &["البيانات", "بيانات"],
        &["الإحالة", "إحالة", "الإحالات"],
    ];

    const MUST_DIFFER: &[(&str, &str)] = &[
        ("الوالدين", "الدين"),
        ("حماية", "حمى"),
        ("وطن", "طن"),
        ("سنة", "سن"),
        ("معلومات", "معلم"),
        ("وزارة", "زيارة"),
        ("الوقاية", "القاية"),
        ("ولاية", "لاية"),
        ("المدرسة", "المدرس"),
        ("العامة", "العام"),
        ("وثيقة", "ثقة"),
        ("عمل", "عملاء"),
    ];

    fn light(w: &str) -> String {
        light_stem(&normalize_arabic(w)).to_string()
    }

    /// Snowball on the raw word (it does its own normalization).
    fn snowball(w: &str) -> String {
        let mut a = TextAnalyzer::builder(WhitespaceTokenizer::default())
            .filter(Stemmer::new(Language::Arabic))
            .build();
        let mut s = a.token_stream(w);
        assert!(s.advance());
        s.token().text.clone()
    }

    /// Snowball after our normalization, as it would run in our chain.
    fn snowball_normalized(w: &str) -> String {
        snowball(&normalize_arabic(w))
    }

    fn score(stem: fn(&str) -> String) -> (usize, usize) {
        let met = SHOULD_MEET
            .iter()
            .filter(|g| g.iter().all(|w| stem(w) == stem(g[0])))
            .count();
        let apart = MUST_DIFFER
            .iter()
            .filter(|(a, b)| stem(a) != stem(b))
            .count();
        (met, apart)
    }

    #[test]
    fn light_stemmer_vs_snowball() {
        let (lm, la) = score(light);
        let (sm, sa) = score(snowball);
        let (nm, na) = score(snowball_normalized);
        for g in SHOULD_MEET {
            let l: Vec<_> = g.iter().map(|w| light(w)).collect();
            let s: Vec<_> = g.iter().map(|w| snowball(w)).collect();
            if l.iter().any(|x| *x != l[0]) || s.iter().any(|x| *x != s[0]) {
                println!("{g:?}\n  light {l:?}\n  snowball {s:?}");
            }
        }
        for (a, b) in MUST_DIFFER {
            println!(
                "{a} / {b}: light {} {} snowball {} {}",
                light(a),
                light(b),
                snowball(a),
                snowball(b)
            );
        }
        println!(
            "groups met: light {lm}/{n} snowball {sm}/{n} (normalized first: {nm}); \
             pairs kept apart: light {la}/{m} snowball {sa}/{m} (normalized first: {na})",
            n = SHOULD_MEET.len(),
            m = MUST_DIFFER.len()
        );
        assert!(lm + la > sm + sa, "light10 must beat Snowball");
        assert!(lm + la > nm + na, "light10 must beat Snowball");
    }
}
