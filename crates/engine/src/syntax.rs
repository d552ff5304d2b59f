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

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Groups in order; a group holds one item, or several joined by `OR`.
    pub groups: Vec<Vec<Item>>,
    /// Items that must not appear.
    pub excluded: Vec<Item>,
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

/// Every whitespace-separated word, quotes and operators stripped.
fn plain(q: &str) -> Parsed {
    let groups = q
        .split(|c: char| c.is_whitespace() || c == '"')
        .map(|w| w.trim_start_matches('-'))
        .filter(|w| !w.is_empty() && has_word_char(w))
        .map(|w| vec![Item::Word(w.to_string())])
        .collect();
    Parsed {
        groups,
        excluded: Vec::new(),
    }
}

fn has_word_char(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

fn lex(q: &str) -> Option<Vec<Tok>> {
    let mut toks = Vec::new();
    let mut chars = q.chars().peekable();
    while let Some(&c) = chars.peek() {
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
                Some(c) if c.is_whitespace() => return None,
                _ => {}
            }
        }
        let tok = if chars.peek() == Some(&'"') {
            chars.next();
            let mut phrase = String::new();
            loop {
                match chars.next() {
                    None => return None, // unclosed quote
                    Some('"') => break,
                    Some(c) => phrase.push(c),
                }
            }
            if !has_word_char(&phrase) {
                continue;
            }
            Tok::Phrase(phrase.trim().to_string())
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '"' {
                    break;
                }
                word.push(c);
                chars.next();
            }
            if word == "OR" && !negated {
                Tok::Or
            } else if !has_word_char(&word) {
                continue;
            } else {
                Tok::Word(word)
            }
        };
        toks.push(if negated {
            Tok::Not(Box::new(tok))
        } else {
            tok
        });
    }
    Some(toks)
}

fn item(tok: Tok) -> Option<Item> {
    match tok {
        Tok::Word(w) => Some(Item::Word(w)),
        Tok::Phrase(p) => Some(Item::Phrase(p)),
        _ => None,
    }
}

fn strict(q: &str) -> Option<Parsed> {
    let toks = lex(q)?;
    let mut parsed = Parsed::default();
    let mut pending_or = false;
    for (i, tok) in toks.iter().enumerate() {
        match tok {
            Tok::Or => {
                // `OR` must sit between two positive items.
                let prev_ok = i > 0 && matches!(toks[i - 1], Tok::Word(_) | Tok::Phrase(_));
                let next_ok = matches!(toks.get(i + 1), Some(Tok::Word(_) | Tok::Phrase(_)));
                if !prev_ok || !next_ok {
                    return None;
                }
                pending_or = true;
            }
            Tok::Not(inner) => {
                parsed.excluded.push(item((**inner).clone())?);
            }
            Tok::Word(_) | Tok::Phrase(_) => {
                let it = item(tok.clone())?;
                if pending_or {
                    parsed.groups.last_mut()?.push(it);
                    pending_or = false;
                } else {
                    parsed.groups.push(vec![it]);
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
        let p = parse(r#"child "case management" -adoption labour OR labor -"foster care""#);
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
        assert_eq!(
            parse(r#""unclosed phrase"#).groups,
            vec![vec![w("unclosed")], vec![w("phrase")]]
        );
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
        let p = parse("حماية الطفل -زواج");
        assert_eq!(p.groups.len(), 2);
        assert_eq!(p.excluded, vec![w("زواج")]);
        let p = parse("-adoption");
        assert!(p.is_empty());
        assert_eq!(p.excluded.len(), 1);
    }
}
