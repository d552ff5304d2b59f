//! The user's query syntax: words, `"phrases"`, `-exclude` (also
//! `-"a phrase"`) and `OR` between alternatives. Anything malformed (an
//! unclosed quote, a dangling `OR` or `-`) falls back to plain words: a
//! query never fails to parse.

/// One thing the user typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A single word (may still analyze to several tokens: `l'enfance`).
    Word(String),
    /// Words that must appear in this order.
    Phrase(String),
}

impl Item {
    /// The text of the item.
    pub fn text(&self) -> &str {
        match self {
            Item::Word(w) | Item::Phrase(w) => w,
        }
    }
}

/// Where an item sits in the query (byte offsets), to tie glossary
/// matches over the raw query back to the items they cover.
pub type Span = (usize, usize);

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Groups in order; a group holds one item, or several joined by `OR`.
    pub groups: Vec<Vec<Item>>,
    /// The byte span of each item of `groups` (same shape).
    pub spans: Vec<Vec<Span>>,
    /// Items that must not appear.
    pub excluded: Vec<Item>,
    /// The byte spans of the excluded items.
    pub excluded_spans: Vec<Span>,
}

impl Parsed {
    /// True when nothing positive was asked for.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Phrase(String),
    Not(Box<Tok>),
    Or,
}

/// Parses `q`; never fails (malformed syntax gives plain words).
pub fn parse(q: &str) -> Parsed {
    match strict(q) {
        Some(parsed) => parsed,
        None => plain(q),
    }
}

fn has_word_char(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

/// Every whitespace-separated word, quotes and leading dashes stripped.
fn plain(q: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut push = |from: usize, to: usize| {
        let trimmed = q[from..to].trim_start_matches('-');
        if has_word_char(trimmed) {
            parsed.groups.push(vec![Item::Word(trimmed.to_string())]);
            parsed.spans.push(vec![(to - trimmed.len(), to)]);
        }
    };
    let mut start = None;
    for (i, c) in q.char_indices() {
        let sep = c.is_whitespace() || c == '"';
        match (sep, start) {
            (true, Some(s)) => {
                push(s, i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        push(s, q.len());
    }
    parsed
}

fn lex(q: &str) -> Option<Vec<(Tok, Span)>> {
    let mut toks = Vec::new();
    let mut chars = q.char_indices().peekable();
    let end_of = |chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>| {
        chars.peek().map_or(q.len(), |(i, _)| *i)
    };
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let negated = c == '-';
        if negated {
            chars.next();
            match chars.peek() {
                // A lone `-` or `- word`: a syntax error.
                None => return None,
                Some((_, c)) if c.is_whitespace() => return None,
                _ => {}
            }
        }
        let tok = if chars.peek().map(|(_, c)| *c) == Some('"') {
            chars.next();
            let from = end_of(&mut chars);
            loop {
                match chars.next() {
                    None => return None, // unclosed quote
                    Some((_, '"')) => break,
                    Some(_) => {}
                }
            }
            let to = end_of(&mut chars) - 1;
            let phrase = &q[from..to];
            if !has_word_char(phrase) {
                continue;
            }
            Tok::Phrase(phrase.trim().to_string())
        } else {
            let from = end_of(&mut chars);
            while let Some(&(_, c)) = chars.peek() {
                if c.is_whitespace() || c == '"' {
                    break;
                }
                chars.next();
            }
            let word = &q[from..end_of(&mut chars)];
            if word == "OR" && !negated {
                Tok::Or
            } else if !has_word_char(word) {
                continue;
            } else {
                Tok::Word(word.to_string())
            }
        };
        let span = (start, end_of(&mut chars));
        toks.push((
            if negated {
                Tok::Not(Box::new(tok))
            } else {
                tok
            },
            span,
        ));
    }
    Some(toks)
}

fn item(tok: &Tok) -> Option<Item> {
    match tok {
        Tok::Word(w) => Some(Item::Word(w.clone())),
        Tok::Phrase(p) => Some(Item::Phrase(p.clone())),
        _ => None,
    }
}

fn strict(q: &str) -> Option<Parsed> {
    let toks = lex(q)?;
    let mut parsed = Parsed::default();
    let mut pending_or = false;
    for (i, (tok, span)) in toks.iter().enumerate() {
        match tok {
            Tok::Or => {
                // `OR` must sit between two positive items.
                let positive =
                    |t: Option<&(Tok, Span)>| matches!(t, Some((Tok::Word(_) | Tok::Phrase(_), _)));
                if i == 0 || !positive(toks.get(i - 1)) || !positive(toks.get(i + 1)) {
                    return None;
                }
                pending_or = true;
            }
            Tok::Not(inner) => {
                parsed.excluded.push(item(inner)?);
                parsed.excluded_spans.push(*span);
            }
            Tok::Word(_) | Tok::Phrase(_) => {
                let it = item(tok)?;
                if pending_or {
                    parsed.groups.last_mut()?.push(it);
                    parsed.spans.last_mut()?.push(*span);
                    pending_or = false;
                } else {
                    parsed.groups.push(vec![it]);
                    parsed.spans.push(vec![*span]);
                }
            }
        }
    }
    Some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Item {
        Item::Word(s.into())
    }

    #[test]
    fn words_phrases_exclusions_or() {
        let q = r#"child "case management" -adoption labour OR labor -"foster care""#;
        let p = parse(q);
        assert_eq!(
            p.groups,
            vec![
                vec![w("child")],
                vec![Item::Phrase("case management".into())],
                vec![w("labour"), w("labor")],
            ]
        );
        assert_eq!(
            p.excluded,
            vec![w("adoption"), Item::Phrase("foster care".into())]
        );
        let texts: Vec<&str> = p.spans.iter().flatten().map(|(a, b)| &q[*a..*b]).collect();
        assert_eq!(
            texts,
            vec!["child", "\"case management\"", "labour", "labor"]
        );
        assert_eq!(
            &q[p.excluded_spans[0].0..p.excluded_spans[0].1],
            "-adoption"
        );
    }

    #[test]
    fn keeps_inner_punctuation() {
        let p = parse("l’enfance CPIMS+ 5W U.A.S.C.");
        assert_eq!(p.groups.len(), 4);
        assert_eq!(p.groups[1], vec![w("CPIMS+")]);
        let p = parse("well-being");
        assert_eq!(p.groups, vec![vec![w("well-being")]]);
    }

    #[test]
    fn syntax_errors_fall_back_to_words() {
        let q = r#""unclosed phrase"#;
        let p = parse(q);
        assert_eq!(p.groups, vec![vec![w("unclosed")], vec![w("phrase")]]);
        assert_eq!(&q[p.spans[1][0].0..p.spans[1][0].1], "phrase");
        assert_eq!(
            parse("OR child").groups,
            vec![vec![w("OR")], vec![w("child")]]
        );
        assert_eq!(parse("child OR").groups.len(), 2);
        assert_eq!(
            parse("child - labour").groups,
            vec![vec![w("child")], vec![w("labour")]]
        );
        assert!(parse("- \"\" ").is_empty());
        assert!(parse("").is_empty());
        assert!(parse("   ").is_empty());
        // lowercase `or` is a word
        assert_eq!(parse("a or b").groups.len(), 3);
    }

    #[test]
    fn arabic_and_exclusion_only() {
        let q = "حماية الطفل -زواج";
        let p = parse(q);
        assert_eq!(p.groups.len(), 2);
        assert_eq!(&q[p.spans[1][0].0..p.spans[1][0].1], "الطفل");
        assert_eq!(p.excluded, vec![w("زواج")]);
        let p = parse("-adoption");
        assert!(p.is_empty());
        assert_eq!(p.excluded.len(), 1);
    }
}
