//! The multilingual child-protection glossary: concepts, each with its terms
//! and acronyms in English, French, Spanish and Arabic.
//!
//! The data is `crates/analysis/data/glossary.tsv` (format in its header),
//! compiled into the binary and parsed at first use of [`Glossary::builtin`].
//!
//! Two uses:
//!
//! - **Index time**: [`Glossary::concepts_in`] finds the concepts a text
//!   mentions (longest match over the *analyzed* tokens of that language's
//!   chain), so a record can be tagged with concept ids (`uasc`, `cpims`).
//! - **Query time**: [`Glossary::expand`] finds the concepts a query mentions
//!   in any of the four languages and returns every form of each, in every
//!   language, so the engine can add them as weighted-down clauses:
//!   `UASC` reaches `enfants non accompagnés`, `gestion de cas` reaches
//!   `case management` and `إدارة الحالات`.
//!
//! The **translation lexicon** (`crates/analysis/data/lexicon/*.tsv`, one
//! line per word: id, then its forms in en, fr, es and ar) adds the
//! everyday content words of the helpdesk (`school`, `train`, `border`,
//! country names) as untagged concepts ([`Concept::tagged`] false): queries
//! name them like any concept, so a question typed in one language also
//! searches the words of the other three, but documents are not tagged with
//! them (which would double the index's postings): the engine searches their
//! forms in each language's fields instead.
//!
//! Matching works on analyzed tokens, so a form matches whatever its chain
//! makes equal: plurals and stems (`separated children` = `separated
//! child`), accents (`securite`), elisions (`l’enfance`), Arabic spelling
//! (`الأطفالُ`). What stemmers miss (`child`/`children`, `طفل`/`أطفال`,
//! `niño`/`niñez`) is listed as extra forms in the data file.
//!
//! Acronyms (a form without spaces and with at least as many capitals as
//! small letters: `UASC`, `CPIMS+`, `5W`, `AoR`) are matched in every
//! language's text, since field staff write `UASC` in French and Arabic too.
//! In documents an acronym only matches where it is written in capitals, so
//! `a bid` is not `BID` (best interests determination); in queries any case
//! matches.

use crate::analyzers::for_each_token;
use crate::Lang;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

/// The data file, as shipped.
pub const BUILTIN_TSV: &str = include_str!("../data/glossary.tsv");

/// The translation lexicon files, as shipped (`data/lexicon/*.tsv`, format in
/// [`Glossary::add_lexicon`]): everyday content words of the helpdesk in
/// the four languages, for query-time translation only.
pub const BUILTIN_LEXICON: [&str; 3] = [
    include_str!("../data/lexicon/en-fr.tsv"),
    include_str!("../data/lexicon/es-ar.tsv"),
    include_str!("../data/lexicon/everyday.tsv"),
];

/// One form of a concept: a term or an acronym in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Form {
    /// Language the form is written in.
    pub lang: Lang,
    /// The form as written in the data file (`unaccompanied children`, `ENA`).
    pub text: String,
    /// Whether the form is an acronym (see the module documentation).
    pub is_acronym: bool,
}

/// A glossary concept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Concept {
    /// Stable id (`uasc`, `case_management`), usable as an index term.
    pub id: String,
    /// Every form, in data-file order (English, French, Spanish, Arabic as
    /// the file lists them).
    pub forms: Vec<Form>,
    /// Whether documents are tagged with the concept at index time
    /// ([`Glossary::concepts_in`]): true for the glossary's concepts, false
    /// for the lexicon's words, which only queries name
    /// ([`Glossary::concepts_in_query`]) and which are searched through
    /// their forms.
    pub tagged: bool,
}

impl Concept {
    /// The first non-acronym form in `lang` (the preferred term), if any.
    pub fn label(&self, lang: Lang) -> Option<&str> {
        self.forms
            .iter()
            .find(|f| f.lang == lang && !f.is_acronym)
            .map(|f| f.text.as_str())
    }
}

/// A concept found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConceptMatch<'g> {
    /// The concept's id.
    pub concept_id: &'g str,
    /// Language of the glossary form that matched.
    pub lang: Lang,
    /// The glossary form that matched (as in the data file).
    pub form: &'g str,
    /// Whether that form is an acronym.
    pub is_acronym: bool,
    /// Byte offsets of the matched words in the text (for highlighting).
    pub offset_from: usize,
    /// End byte offset (exclusive).
    pub offset_to: usize,
}

/// One extra query form produced by [`Glossary::expand`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expansion<'g> {
    /// The concept the form belongs to.
    pub concept_id: &'g str,
    /// Language of the form: search it in that language's field (acronyms
    /// are worth searching in every field).
    pub lang: Lang,
    /// The form, unanalyzed: run it through `lang`'s analyzer (as a phrase).
    pub text: &'g str,
    /// Whether the form is an acronym.
    pub is_acronym: bool,
    /// True when this very form is what the query contained (the user's own
    /// words already search it; callers may skip it).
    pub in_query: bool,
}

/// A data-file error: the line (1-based) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("glossary line {line}: {message}")]
pub struct GlossaryError {
    /// 1-based line number (0 for whole-file problems).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// A form as a token sequence, one token per position.
struct Entry {
    tokens: Vec<String>,
    concept: u32,
    form: u32,
}

/// All forms analyzed with one chain, indexed by their first token; entries
/// longest first.
struct Matcher {
    by_first: HashMap<String, Vec<Entry>, fnv::FnvBuildHasher>,
}

/// The glossary (see the module documentation).
pub struct Glossary {
    concepts: Vec<Concept>,
    by_id: HashMap<String, usize>,
    /// Per chain (`lang_index`): tagged concepts only, then every concept.
    matchers: [OnceLock<Matcher>; 10],
}

impl std::fmt::Debug for Glossary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Glossary")
            .field("concepts", &self.concepts.len())
            .finish()
    }
}

/// Whether a written form is an acronym: no whitespace, at least one capital
/// and no more small letters than capitals (`UASC`, `CPIMS+`, `5W`, `AoR`,
/// `SOPs`, `M&E`).
pub fn is_acronym(form: &str) -> bool {
    let upper = form.chars().filter(|c| c.is_uppercase()).count();
    let lower = form.chars().filter(|c| c.is_lowercase()).count();
    !form.contains(char::is_whitespace) && upper > 0 && lower <= upper
}

fn lang_index(lang: Lang) -> usize {
    match lang {
        Lang::En => 0,
        Lang::Fr => 1,
        Lang::Es => 2,
        Lang::Ar => 3,
        Lang::Und => 4,
    }
}

/// Tokens of `text` under `lang`'s chain as (text, from, to) grouped by
/// position: `CPIMS+` gives one slot holding `cpims+` and `cpims`.
struct Slots<S = String> {
    tokens: Vec<(S, usize, usize)>,
    /// `tokens[bounds[i]..bounds[i + 1]]` is slot `i`.
    bounds: Vec<usize>,
}

impl Slots<String> {
    fn new(lang: Lang, text: &str) -> Slots<String> {
        let mut all = Vec::new();
        for_each_token(lang, text, |t| {
            all.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        });
        Slots::from_tokens(all)
    }
}

impl<S: AsRef<str>> Slots<S> {
    /// From (text, from, to, position) in the order the chain emits them.
    fn from_tokens(all: impl IntoIterator<Item = (S, usize, usize, usize)>) -> Slots<S> {
        let all = all.into_iter();
        let mut tokens = Vec::with_capacity(all.size_hint().0);
        let mut bounds = Vec::with_capacity(all.size_hint().0 + 1);
        let mut last = None;
        for (text, from, to, position) in all {
            if last != Some(position) {
                bounds.push(tokens.len());
                last = Some(position);
            }
            tokens.push((text, from, to));
        }
        bounds.push(tokens.len());
        Slots { tokens, bounds }
    }

    fn len(&self) -> usize {
        self.bounds.len() - 1
    }

    fn slot(&self, i: usize) -> &[(S, usize, usize)] {
        &self.tokens[self.bounds[i]..self.bounds[i + 1]]
    }

    fn has(&self, i: usize, token: &str) -> bool {
        i < self.len() && self.slot(i).iter().any(|t| t.0.as_ref() == token)
    }
}

/// Whether a surface word is the acronym `form` itself: case, dots and a
/// final plural `s` aside (`U.A.S.C.` and `uasc` are `UASC`, `SOPs` is
/// `SOP`). Acronyms are compared on their surface, not on analyzed tokens,
/// because stemmers cut them (`PEAS` -> `pe`, `IMS` -> `im`).
fn same_acronym(surface: &str, form: &str) -> bool {
    let clean = |s: &str| {
        let mut out: Vec<char> = s
            .chars()
            .filter(|&c| c != '.')
            .flat_map(char::to_lowercase)
            .collect();
        // `SOPs`, `NGOs`, `IDPs`: a lowercase plural `s` after capitals.
        if s.ends_with('s') && s.chars().filter(|c| c.is_uppercase()).count() >= 2 {
            out.pop();
        }
        out
    };
    clean(surface) == clean(form)
}

/// Whether the surface text of a matched acronym is written like one.
fn written_as_acronym(surface: &str) -> bool {
    let upper = surface.chars().filter(|c| c.is_uppercase()).count();
    let lower = surface.chars().filter(|c| c.is_lowercase()).count();
    upper > 0 && lower <= upper
}

/// The data rows of a glossary or lexicon file: `#` comments and blank
/// lines skipped; each row as (1-based line, checked id, columns), with
/// exactly `columns` tab-separated columns (`layout` names them in the
/// error).
fn data_rows<'a>(
    tsv: &'a str,
    columns: usize,
    layout: &'static str,
) -> impl Iterator<Item = Result<(usize, &'a str, Vec<&'a str>), GlossaryError>> + 'a {
    tsv.lines().enumerate().filter_map(move |(n, raw)| {
        let line = n + 1;
        let text = raw.trim_end_matches('\r');
        if text.trim().is_empty() || text.trim_start().starts_with('#') {
            return None;
        }
        let err = |message: String| Some(Err(GlossaryError { line, message }));
        let cols: Vec<&str> = text.split('\t').collect();
        if cols.len() != columns {
            return err(format!(
                "expected {columns} tab-separated columns{layout}, found {}",
                cols.len()
            ));
        }
        let id = cols[0].trim();
        let good = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_';
        if id.is_empty() || !id.bytes().all(good) {
            return err(format!("bad concept id {id:?}"));
        }
        Some(Ok((line, id, cols)))
    })
}

static BUILTIN: LazyLock<Glossary> = LazyLock::new(|| {
    let mut glossary =
        Glossary::parse(BUILTIN_TSV).unwrap_or_else(|e| panic!("built-in glossary: {e}"));
    for (i, tsv) in BUILTIN_LEXICON.iter().enumerate() {
        glossary
            .add_lexicon(tsv)
            .unwrap_or_else(|e| panic!("built-in lexicon file {i}: {e}"));
    }
    glossary
});

impl Glossary {
    /// The glossary shipped in the crate (`data/glossary.tsv`) with the
    /// translation lexicon (`data/lexicon/*.tsv`), parsed once. The data
    /// files are validated by the crate's tests, so this never fails.
    pub fn builtin() -> &'static Glossary {
        &BUILTIN
    }

    /// Parses a glossary in the data-file format: lines `ID<TAB>LANG<TAB>FORM
    /// | FORM ...`, `#` comments and blank lines ignored. Every concept needs
    /// forms in en, fr, es and ar; ids are `[a-z0-9_]+` and each (id, lang)
    /// appears once.
    pub fn parse(tsv: &str) -> Result<Glossary, GlossaryError> {
        let err = |line: usize, message: String| GlossaryError { line, message };
        let mut concepts: Vec<Concept> = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        let mut seen: HashMap<(String, Lang), usize> = HashMap::new();
        let mut first_line: Vec<usize> = Vec::new();
        for row in data_rows(tsv, 3, "") {
            let (line_no, id, cols) = row?;
            let lang = match Lang::parse(cols[1]) {
                Some(l) if l != Lang::Und => l,
                _ => return Err(err(line_no, format!("bad language {:?}", cols[1]))),
            };
            if let Some(prev) = seen.insert((id.to_string(), lang), line_no) {
                return Err(err(
                    line_no,
                    format!("{id}/{lang} already given on line {prev}"),
                ));
            }
            let index = *by_id.entry(id.to_string()).or_insert_with(|| {
                concepts.push(Concept {
                    id: id.to_string(),
                    forms: Vec::new(),
                    tagged: true,
                });
                first_line.push(line_no);
                concepts.len() - 1
            });
            for form in cols[2].split('|').map(str::trim) {
                if form.is_empty() {
                    return Err(err(line_no, "empty form".to_string()));
                }
                if concepts[index]
                    .forms
                    .iter()
                    .any(|f| f.lang == lang && f.text == form)
                {
                    return Err(err(line_no, format!("form {form:?} listed twice")));
                }
                concepts[index].forms.push(Form {
                    lang,
                    text: form.to_string(),
                    is_acronym: is_acronym(form),
                });
            }
        }
        for (i, c) in concepts.iter().enumerate() {
            for lang in Lang::ALL {
                if !c.forms.iter().any(|f| f.lang == lang) {
                    return Err(err(
                        first_line[i],
                        format!("concept {} has no {lang} form", c.id),
                    ));
                }
            }
        }
        if concepts.is_empty() {
            return Err(err(0, "no concept".to_string()));
        }
        Ok(Glossary {
            concepts,
            by_id,
            matchers: Default::default(),
        })
    }

    /// Adds a translation lexicon: lines `ID<TAB>EN<TAB>FR<TAB>ES<TAB>AR`,
    /// each column one or more forms separated by `|`, `#` comments and
    /// blank lines ignored. Its concepts are not tagged at index time (see
    /// [`Concept::tagged`]). An id given twice (in this or an earlier
    /// lexicon) gets the union of the forms; an id of a glossary concept is
    /// an error.
    pub fn add_lexicon(&mut self, tsv: &str) -> Result<(), GlossaryError> {
        let err = |line: usize, message: String| GlossaryError { line, message };
        for row in data_rows(tsv, 5, " (id en fr es ar)") {
            let (line_no, id, cols) = row?;
            let index = match self.by_id.get(id) {
                Some(&i) if self.concepts[i].tagged => {
                    return Err(err(line_no, format!("{id} is a glossary concept")));
                }
                Some(&i) => i,
                None => {
                    self.concepts.push(Concept {
                        id: id.to_string(),
                        forms: Vec::new(),
                        tagged: false,
                    });
                    self.by_id.insert(id.to_string(), self.concepts.len() - 1);
                    self.concepts.len() - 1
                }
            };
            for (lang, col) in Lang::ALL.iter().zip(&cols[1..]) {
                let forms: Vec<&str> = col.split('|').map(str::trim).collect();
                if forms.iter().any(|f| f.is_empty()) {
                    return Err(err(line_no, format!("empty {lang} form")));
                }
                let concept = &mut self.concepts[index];
                for form in forms {
                    if !concept
                        .forms
                        .iter()
                        .any(|f| f.lang == *lang && f.text == form)
                    {
                        concept.forms.push(Form {
                            lang: *lang,
                            text: form.to_string(),
                            is_acronym: is_acronym(form),
                        });
                    }
                }
            }
        }
        self.matchers = Default::default();
        Ok(())
    }

    /// Every concept, in data-file order.
    pub fn concepts(&self) -> &[Concept] {
        &self.concepts
    }

    /// The concept with this id.
    pub fn concept(&self, id: &str) -> Option<&Concept> {
        self.by_id.get(id).map(|&i| &self.concepts[i])
    }

    /// Number of concepts.
    pub fn len(&self) -> usize {
        self.concepts.len()
    }

    /// Whether there is no concept (never for a parsed glossary).
    pub fn is_empty(&self) -> bool {
        self.concepts.is_empty()
    }

    /// The forms `lang`'s chain matches, analyzed with that chain: the forms
    /// of `lang` plus every acronym; for `Und`, every form of every language.
    /// `all`: lexicon concepts too (queries), else tagged concepts only.
    fn matcher(&self, lang: Lang, all: bool) -> &Matcher {
        self.matchers[lang_index(lang) + if all { 5 } else { 0 }].get_or_init(|| {
            let mut by_first: HashMap<String, Vec<Entry>, fnv::FnvBuildHasher> = HashMap::default();
            for (ci, concept) in self.concepts.iter().enumerate() {
                if !(all || concept.tagged) {
                    continue;
                }
                for (fi, form) in concept.forms.iter().enumerate() {
                    if !(lang == Lang::Und || form.lang == lang || form.is_acronym) {
                        continue;
                    }
                    let tokens = form_tokens(lang, &form.text);
                    let Some(first) = tokens.first() else {
                        continue;
                    };
                    by_first.entry(first.clone()).or_default().push(Entry {
                        tokens,
                        concept: ci as u32,
                        form: fi as u32,
                    });
                }
            }
            for entries in by_first.values_mut() {
                // Longest first; ties keep data-file order (stable sort).
                entries.sort_by_key(|e| std::cmp::Reverse(e.tokens.len()));
            }
            Matcher { by_first }
        })
    }

    /// Longest, leftmost, non-overlapping matches of `lang`'s forms in `text`.
    /// Documents (`strict`) see tagged concepts and acronyms written in
    /// capitals only; queries see every concept, acronyms in any case.
    fn find(&self, lang: Lang, text: &str, strict: bool) -> Vec<ConceptMatch<'_>> {
        self.find_in(lang, text, &Slots::new(lang, text), strict)
    }

    /// [`Glossary::find`] over tokens already made by `lang`'s chain.
    fn find_in<S: AsRef<str>>(
        &self,
        lang: Lang,
        text: &str,
        slots: &Slots<S>,
        strict: bool,
    ) -> Vec<ConceptMatch<'_>> {
        let matcher = self.matcher(lang, !strict);
        let mut out = Vec::new();
        let mut i = 0;
        while i < slots.len() {
            let mut best: Option<&Entry> = None;
            for (token, _, _) in slots.slot(i) {
                let Some(entries) = matcher.by_first.get(token.as_ref()) else {
                    continue;
                };
                for e in entries {
                    if best.is_some_and(|b| b.tokens.len() >= e.tokens.len()) {
                        break;
                    }
                    let fits = e.tokens[1..]
                        .iter()
                        .enumerate()
                        .all(|(k, t)| slots.has(i + 1 + k, t));
                    if !fits {
                        continue;
                    }
                    let form = &self.concepts[e.concept as usize].forms[e.form as usize];
                    let from = slots.slot(i)[0].1;
                    let to = slots.slot(i + e.tokens.len() - 1)[0].2;
                    if form.is_acronym {
                        let surface = &text[from..to];
                        if !same_acronym(surface, &form.text)
                            || (strict && !written_as_acronym(surface))
                        {
                            continue;
                        }
                    }
                    best = Some(e);
                }
            }
            match best {
                Some(e) => {
                    let concept = &self.concepts[e.concept as usize];
                    let form = &concept.forms[e.form as usize];
                    out.push(ConceptMatch {
                        concept_id: &concept.id,
                        lang: form.lang,
                        form: &form.text,
                        is_acronym: form.is_acronym,
                        offset_from: slots.slot(i)[0].1,
                        offset_to: slots.slot(i + e.tokens.len() - 1)[0].2,
                    });
                    i += e.tokens.len();
                }
                None => i += 1,
            }
        }
        out
    }

    /// The concepts mentioned in `text`, a document (or page) in `lang`:
    /// longest matches over the tokens of `lang`'s chain (the neutral chain
    /// for `Und`, which tries every language's forms), left to right.
    /// Acronyms match only where written in capitals. Use the distinct
    /// `concept_id`s to tag the record.
    pub fn concepts_in(&self, lang: Lang, text: &str) -> Vec<ConceptMatch<'_>> {
        self.find(lang, text, true)
    }

    /// [`Glossary::concepts_in`] over the tokens `lang`'s chain made of
    /// `text` (an indexer that analyzed it already need not analyze it
    /// twice): `(token text, offset_from, offset_to, position)` in the order
    /// the chain emits them, offsets into `text`. Same result as
    /// `concepts_in(lang, text)` when the tokens are that chain's.
    pub fn concepts_in_tokens<S: AsRef<str>>(
        &self,
        lang: Lang,
        text: &str,
        tokens: impl IntoIterator<Item = (S, usize, usize, usize)>,
    ) -> Vec<ConceptMatch<'_>> {
        self.find_in(lang, text, &Slots::from_tokens(tokens), true)
    }

    /// The concepts a query mentions, trying the query as English, French,
    /// Spanish and Arabic (each with its own chain); acronyms in any case.
    /// Each concept is reported once (its first match), in query order.
    ///
    /// A one-word match that another language drops as a stop word is
    /// skipped: French `mes` (my) is not Spanish `mes`(es) (months).
    pub fn concepts_in_query(&self, query: &str) -> Vec<ConceptMatch<'_>> {
        let mut all: Vec<ConceptMatch<'_>> = Lang::ALL
            .iter()
            .flat_map(|&lang| self.find(lang, query, false))
            .filter(|m| !foreign_stop_word(query, m))
            .collect();
        all.sort_by_key(|m| (m.offset_from, std::cmp::Reverse(m.offset_to)));
        let mut seen = Vec::new();
        let mut kept: Vec<ConceptMatch<'_>> = Vec::with_capacity(all.len());
        for m in all {
            // A match inside a longer one another language's chain made
            // (`forces armées` inside the CAAFAG term) is not a concept
            // of its own.
            let inside = kept.iter().any(|k| {
                k.offset_from <= m.offset_from
                    && m.offset_to <= k.offset_to
                    && k.offset_to - k.offset_from > m.offset_to - m.offset_from
            });
            if !inside && !seen.contains(&m.concept_id) {
                seen.push(m.concept_id);
                kept.push(m);
            }
        }
        kept
    }

    /// Query expansion: for each concept the query mentions (in any of the
    /// four languages, see [`Glossary::concepts_in_query`]), every form of
    /// that concept in every language, in data-file order. Callers search
    /// each form in its language's field (acronyms in every field) as extra
    /// `SHOULD` clauses boosted **below** the user's own words (0.3 to 0.5),
    /// plus the concept id in a concepts field if the index has one.
    ///
    /// ```
    /// use answerbank_analysis::Glossary;
    /// let forms: Vec<_> = Glossary::builtin().expand("UASC").into_iter().map(|e| e.text).collect();
    /// assert!(forms.contains(&"ENA"));
    /// ```
    pub fn expand(&self, query: &str) -> Vec<Expansion<'_>> {
        let found = self.concepts_in_query(query);
        let mut out = Vec::new();
        for m in &found {
            let concept = &self.concepts[self.by_id[m.concept_id]];
            for form in &concept.forms {
                out.push(Expansion {
                    concept_id: &concept.id,
                    lang: form.lang,
                    text: &form.text,
                    is_acronym: form.is_acronym,
                    in_query: form.text == m.form && form.lang == m.lang,
                });
            }
        }
        out
    }
}

/// Whether a match is one word that some other language's chain drops as a
/// stop word (an ambiguous false friend in a query).
fn foreign_stop_word(query: &str, m: &ConceptMatch<'_>) -> bool {
    let surface = &query[m.offset_from..m.offset_to];
    !m.is_acronym
        && !surface.contains(char::is_whitespace)
        && Lang::ALL.iter().any(|&lang| {
            let mut kept = false;
            lang != m.lang && {
                for_each_token(lang, surface, |_| kept = true);
                !kept
            }
        })
}

/// A form's tokens under `lang`'s chain, one per position (the first, so
/// `CPIMS+` is `cpims+`, not also `cpims`).
fn form_tokens(lang: Lang, form: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut last = None;
    for_each_token(lang, form, |t| {
        if last != Some(t.position) {
            tokens.push(t.text.clone());
            last = Some(t.position);
        }
    });
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn g() -> &'static Glossary {
        Glossary::builtin()
    }

    /// The ids of the concepts `query` names, in query order.
    fn query_concepts(query: &str) -> Vec<&'static str> {
        g().concepts_in_query(query)
            .iter()
            .map(|m| m.concept_id)
            .collect()
    }

    fn expanded(query: &str) -> Vec<(String, Lang, String)> {
        g().expand(query)
            .into_iter()
            .map(|e| (e.concept_id.to_string(), e.lang, e.text.to_string()))
            .collect()
    }

    fn reaches(query: &str, lang: Lang, form: &str) {
        let e = expanded(query);
        assert!(
            e.iter().any(|(_, l, t)| *l == lang && t == form),
            "{query:?} should reach {lang} {form:?}; got {e:?}"
        );
    }

    fn ids_in(lang: Lang, text: &str) -> Vec<&'static str> {
        g().concepts_in(lang, text)
            .into_iter()
            .map(|m| m.concept_id)
            .collect()
    }

    // ---- the data file ----

    #[test]
    fn every_row_of_the_data_file_is_valid() {
        let g = g();
        assert!(g.len() >= 80, "{} concepts", g.len());
        let mut problems = Vec::new();
        for c in g.concepts() {
            for lang in Lang::ALL {
                if c.label(lang).is_none() && !c.forms.iter().any(|f| f.lang == lang) {
                    problems.push(format!("{} has no {lang} form", c.id));
                }
            }
            for f in &c.forms {
                // Every form survives its own chain and the neutral one.
                for lang in [f.lang, Lang::Und] {
                    if form_tokens(lang, &f.text).is_empty() {
                        problems.push(format!("{}: {:?} is empty under {lang}", c.id, f.text));
                    }
                }
                // A form of several words must keep several tokens, or a
                // single common word would stand for the concept.
                let words = f.text.split_whitespace().count();
                let tokens = form_tokens(f.lang, &f.text).len();
                if words >= 2 && tokens < 2 {
                    problems.push(format!("{}: {:?} analyzes to {tokens} token", c.id, f.text));
                }
                // A form finds its own concept in its language's text (as
                // written, acronyms in capitals; lexicon words are not
                // tagged, so only queries find them) and in a query.
                let found = ids_in(f.lang, &f.text);
                if c.tagged && found != [c.id.as_str()] {
                    problems.push(format!("{} {}: {:?} finds {found:?}", c.id, f.lang, f.text));
                }
                if !g
                    .concepts_in_query(&f.text)
                    .iter()
                    .any(|m| m.concept_id == c.id)
                {
                    problems.push(format!("{}: query {:?} misses it", c.id, f.text));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn no_two_concepts_share_an_analyzed_form() {
        let g = g();
        let mut problems = Vec::new();
        for lang in [Lang::En, Lang::Fr, Lang::Es, Lang::Ar, Lang::Und] {
            let mut owner: HashMap<Vec<String>, &str> = HashMap::new();
            // The neutral chain tags `und` documents (glossary concepts
            // only); queries try the four languages' chains, lexicon too.
            let queries = lang != Lang::Und;
            for entries in g.matcher(lang, queries).by_first.values() {
                for e in entries {
                    let concept = &g.concepts[e.concept as usize];
                    let id = concept.id.as_str();
                    // Acronyms are told apart by their surface (`PE` vs
                    // `PEAS`, both `pe` once stemmed).
                    let form = &concept.forms[e.form as usize];
                    let mut key = e.tokens.clone();
                    if form.is_acronym {
                        key.push(format!("acronym:{}", form.text.to_lowercase()));
                    }
                    if let Some(other) = owner.insert(key, id) {
                        if other != id {
                            problems.push(format!(
                                "{lang}: {:?} belongs to {other} and {id}",
                                e.tokens
                            ));
                        }
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn ids_are_unique_and_looked_up() {
        let g = g();
        let ids: HashSet<_> = g.concepts().iter().map(|c| &c.id).collect();
        assert_eq!(ids.len(), g.len());
        assert_eq!(
            g.concept("uasc").unwrap().label(Lang::Fr),
            Some("enfants non accompagnés et séparés")
        );
        assert!(g.concept("nope").is_none());
    }

    #[test]
    fn parse_reports_bad_rows() {
        let bad = [
            ("x\ten\tchild\n", "concept x has no fr form"),
            ("x\ten\n", "expected 3"),
            ("X\ten\ta\n", "bad concept id"),
            ("x\tde\ta\n", "bad language"),
            ("x\ten\ta | \n", "empty form"),
            ("x\ten\ta\nx\ten\tb\n", "already given on line 1"),
            ("# only a comment\n", "no concept"),
        ];
        for (tsv, want) in bad {
            let e = Glossary::parse(tsv).unwrap_err();
            assert!(e.to_string().contains(want), "{tsv:?}: {e}");
        }
        let ok = Glossary::parse("# c\n\nx\ten\tfoo | FOO\nx\tfr\tfoo\nx\tes\tfoo\nx\tar\tفو\n")
            .unwrap();
        assert_eq!(ok.len(), 1);
        assert!(ok.concepts()[0].forms[1].is_acronym);
    }

    #[test]
    fn lexicon_words_are_for_queries_only() {
        let mut g = Glossary::parse(
            "uasc\ten\tUASC\nuasc\tfr\tENA\nuasc\tes\tNNA\nuasc\tar\tأطفال غير مصحوبين\n",
        )
        .unwrap();
        g.add_lexicon("# words\nw_school\tschool\técole\tescuela\tمدرسة | مدارس\n")
            .unwrap();
        // The same id again: forms merged, none repeated.
        g.add_lexicon("w_school\tschool | schooling\técole\tescuela\tمدرسة\n")
            .unwrap();
        let school = g.concept("w_school").unwrap();
        assert!(!school.tagged && g.concept("uasc").unwrap().tagged);
        assert_eq!(school.forms.len(), 6);
        let text = "UASC at the school";
        let found = |ms: Vec<ConceptMatch<'_>>| {
            ms.iter()
                .map(|m| m.concept_id.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(found(g.concepts_in(Lang::En, text)), ["uasc"]);
        assert_eq!(found(g.concepts_in_query(text)), ["uasc", "w_school"]);
        // A query in Arabic reaches the other languages' words.
        let forms: Vec<_> = g.expand("المدارس").into_iter().map(|e| e.text).collect();
        assert!(
            forms.contains(&"école") && forms.contains(&"escuela"),
            "{forms:?}"
        );

        for (tsv, want) in [
            ("w_a\ta\tb\tc\n", "expected 5"),
            ("W\ta\tb\tc\td\n", "bad concept id"),
            ("w_a\ta\t \tc\td\n", "empty fr form"),
            ("uasc\ta\tb\tc\td\n", "is a glossary concept"),
        ] {
            let e = g.add_lexicon(tsv).unwrap_err();
            assert!(e.to_string().contains(want), "{tsv:?}: {e}");
        }
    }

    #[test]
    fn acronym_rule() {
        for a in ["UASC", "CPIMS+", "5W", "AoR", "SOPs", "M&E", "ENA"] {
            assert!(is_acronym(a), "{a}");
        }
        for t in ["case management", "Primero", "kafala", "الأطفال", "5"] {
            assert!(!is_acronym(t), "{t}");
        }
    }

    // ---- expansion (query time) ----

    #[test]
    fn uasc_expands_to_every_language() {
        reaches("UASC", Lang::En, "unaccompanied and separated children");
        reaches("UASC", Lang::Fr, "ENA");
        reaches("uasc", Lang::Fr, "enfants non accompagnés et séparés");
        reaches("UASC", Lang::Es, "NNA no acompañados");
        reaches("UASC", Lang::Ar, "الأطفال غير المصحوبين");
        reaches("U.A.S.C.", Lang::Fr, "ENA");
        // And back: the French acronym reaches the English one.
        reaches("ENA", Lang::En, "UASC");
        reaches("الأطفال غير المصحوبين", Lang::En, "UASC");
        // `in_query` marks the user's own form.
        let e = g().expand("UASC");
        assert!(e.iter().any(|x| x.text == "UASC" && x.in_query));
        assert!(e.iter().any(|x| x.text == "ENA" && !x.in_query));
    }

    #[test]
    fn cross_lingual_case_management() {
        reaches("gestion de cas", Lang::En, "case management");
        reaches("gestion des cas urgents", Lang::Ar, "إدارة الحالات");
        reaches("إدارة الحالات", Lang::En, "case management");
        reaches("إدارة الحالات", Lang::Es, "gestión de casos");
        reaches("ادارة الحالة", Lang::Fr, "gestion de cas");
        reaches("gestion de casos", Lang::Fr, "gestion de cas");
        reaches(
            "Case Management SOPs",
            Lang::Fr,
            "procédures opérationnelles standard",
        );
    }

    #[test]
    fn elided_and_unaccented_forms_reach_their_concepts() {
        reaches("protection de l’enfance", Lang::En, "child protection");
        reaches("protection de l'enfance", Lang::Ar, "حماية الطفل");
        reaches("situation d'urgence", Lang::En, "emergency");
        reaches("d’urgence", Lang::Es, "emergencia");
        reaches("securite", Lang::En, "safety");
        reaches("ninos no acompanados", Lang::En, "UASC");
    }

    #[test]
    fn variants_stemmers_miss() {
        // child / children / enfance / niñez / طفل / أطفال: one concept.
        for q in [
            "child",
            "children",
            "enfant",
            "enfance",
            "niño",
            "niñez",
            "طفل",
            "أطفال",
            "الأطفالُ",
        ] {
            assert_eq!(query_concepts(q), ["child"], "{q}");
        }
    }

    /// Fighters and combatants are armed groups' members, in every language
    /// (`ينضموا للمقاتلين`, joining the fighters).
    #[test]
    fn fighters_name_armed_groups() {
        for q in [
            "fighters",
            "combatants",
            "combattants",
            "combatientes",
            "للمقاتلين",
            "مقاتلين",
        ] {
            assert_eq!(query_concepts(q), ["armed_groups"], "{q}");
        }
    }

    #[test]
    fn concepts_the_issue_names_exist() {
        for id in [
            "uasc",
            "ftr",
            "cpms",
            "cpims",
            "mhpss",
            "gbv",
            "caafag",
            "case_management",
            "alternative_care",
            "child_labour",
            "bid",
            "cfs",
            "psea",
            "birth_registration",
            "child_marriage",
            "hrp",
            "hno",
            "five_w",
            "sop",
            "ims",
            "coordination_group",
            "aor",
            "capacity_building",
            "assessment",
            "monitoring_evaluation",
            "referral_pathway",
            "pss",
            "family_tracing",
            "reunification",
            "foster_care",
            "kinship_care",
            "interim_care",
        ] {
            let c = g().concept(id).unwrap_or_else(|| panic!("{id} missing"));
            for lang in Lang::ALL {
                assert!(c.forms.iter().any(|f| f.lang == lang), "{id} {lang}");
            }
        }
    }

    #[test]
    fn elision_forms_alone() {
        reaches("l’enfance", Lang::En, "childhood");
        reaches("l'enfance", Lang::Ar, "الطفولة");
        reaches("d'urgence", Lang::En, "emergency");
        reaches("d’urgence", Lang::Ar, "الطوارئ");
    }

    #[test]
    fn acronyms_both_ways_and_plus() {
        reaches(
            "CPIMS+",
            Lang::En,
            "Child Protection Information Management System",
        );
        reaches("cpims", Lang::Ar, "نظام إدارة معلومات حماية الطفل");
        reaches("MHPSS", Lang::Fr, "SMSPS");
        reaches("santé mentale et soutien psychosocial", Lang::En, "MHPSS");
        reaches("VBG", Lang::En, "GBV");
        reaches("CAAFAG", Lang::Fr, "EAFGA");
        reaches("5W", Lang::Fr, "matrice qui fait quoi où");
        reaches("M&E", Lang::Es, "monitoreo y evaluación");
        reaches("Child Protection Minimum Standards", Lang::En, "CPMS");
    }

    #[test]
    fn nothing_to_expand() {
        assert!(g().expand("").is_empty());
        assert!(g().expand("the of and").is_empty());
        assert!(g().expand("zebra xylophone quasar").is_empty());
    }

    // ---- concepts in documents (index time) ----

    #[test]
    fn concepts_in_tokens_matches_concepts_in() {
        let texts = [
            (Lang::En, "Unaccompanied and separated children were referred to case management; the CPIMS+ rollout and the U.A.S.C. team."),
            (Lang::Fr, "La gestion de cas des ENA et l'enregistrement des naissances"),
            (Lang::Ar, "إدارة الحالات للأطفال غير المصحوبين و UASC"),
            (Lang::Und, "gestion de cas / إدارة الحالات"),
        ];
        for (lang, text) in texts {
            let tokens = crate::analyze_tokens(lang, text)
                .into_iter()
                .map(|t| (t.text, t.offset_from, t.offset_to, t.position));
            let found = g().concepts_in_tokens(lang, text, tokens);
            assert!(!found.is_empty(), "{text}");
            assert_eq!(found, g().concepts_in(lang, text), "{text}");
        }
    }

    #[test]
    fn concepts_in_documents_longest_match() {
        let text = "Unaccompanied and separated children were referred to case management; the CPIMS+ rollout starts.";
        assert_eq!(ids_in(Lang::En, text), ["uasc", "case_management", "cpims"]);
        let m = &g().concepts_in(Lang::En, text)[0];
        assert_eq!(
            &text[m.offset_from..m.offset_to],
            "Unaccompanied and separated children"
        );
        // Longest match: `child labour` is not `child` + something.
        assert_eq!(
            ids_in(Lang::En, "worst forms of child labour"),
            ["worst_forms_child_labour"]
        );
        assert_eq!(ids_in(Lang::En, "child labour"), ["child_labour"]);
    }

    #[test]
    fn concepts_in_other_languages_and_acronyms_in_capitals() {
        assert_eq!(
            ids_in(
                Lang::Fr,
                "La gestion de cas des ENA et l'enregistrement des naissances"
            ),
            ["case_management", "uasc", "birth_registration"]
        );
        assert_eq!(
            ids_in(Lang::Es, "Los NNA no acompañados y la VBG"),
            ["uasc", "gbv"]
        );
        assert_eq!(
            ids_in(Lang::Ar, "إدارة الحالات للأطفال غير المصحوبين و UASC"),
            ["case_management", "uasc", "uasc"]
        );
        // Acronyms match their surface, not their stem: `PE` is not
        // `PEAS`, `IM` is not `IMS`; `SOPs`, `U.A.S.C.` are fine.
        assert!(ids_in(Lang::Es, "la PEA y el IM").is_empty());
        assert_eq!(
            ids_in(Lang::Fr, "les partenaires PE"),
            ["partner", "child_protection"]
        );
        assert_eq!(ids_in(Lang::Fr, "la PEAS"), ["psea"]);
        assert_eq!(
            ids_in(Lang::En, "the SOPs of the U.A.S.C. team"),
            ["sop", "uasc", "team"]
        );
        let pe: Vec<_> = g()
            .concepts_in_query("pe")
            .iter()
            .map(|m| m.concept_id)
            .collect();
        assert_eq!(pe, ["child_protection"]);
        // `a bid` is not BID; `BID` is.
        assert!(ids_in(Lang::En, "we lost a bid").is_empty());
        assert_eq!(ids_in(Lang::En, "the BID panel"), ["bid"]);
        // Acronyms are found across languages: UASC in a French text.
        assert_eq!(ids_in(Lang::Fr, "les UASC"), ["uasc"]);
        // Neutral documents try every language.
        assert_eq!(
            ids_in(Lang::Und, "gestion de cas / إدارة الحالات"),
            ["case_management", "case_management"]
        );
    }
}
