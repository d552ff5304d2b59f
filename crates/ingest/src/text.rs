//! Text helpers shared by the readers: normalisation, language, titles,
//! quality flags.

use analysis::Lang;
use unicode_normalization::UnicodeNormalization;

/// Bidi control characters (embeddings, overrides, isolates, marks).
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Strips bidi controls and applies NFKC (which folds Arabic presentation
/// forms and Latin ligatures to their letters).
pub(crate) fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| !is_bidi_control(*c) && *c != '\u{FEFF}' && *c != '\0')
        .nfkc()
        .collect()
}

/// Language of a text: whatlang among our four; `und` when the text is too
/// short for a guess that whatlang itself does not call reliable.
pub(crate) fn detect(text: &str) -> Lang {
    // Long texts: a sample is enough and keeps detection cheap.
    let sample: String = text.chars().take(4_000).collect();
    let detection = analysis::detect(&sample);
    let letters = sample.chars().filter(|c| c.is_alphabetic()).count();
    if detection.reliable || letters >= 60 {
        detection.lang
    } else {
        Lang::Und
    }
}

/// The file name without its extension, as a last-resort title.
pub(crate) fn title_from_path(rel: &str) -> String {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => name.to_string(),
    }
}

/// Collapses runs of whitespace inside lines and drops blank-line runs.
pub(crate) fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(&line);
    }
    out
}

/// Number of characters that are not whitespace.
pub(crate) fn visible_chars(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// Quality flags for extracted text: a share of U+FFFD or control
/// characters, and runs of single-letter tokens (spaces inside words).
pub(crate) fn quality_flags(text: &str) -> Vec<String> {
    let mut flags = Vec::new();
    let visible = visible_chars(text);
    if visible == 0 {
        return flags;
    }
    let bad = text
        .chars()
        .filter(|c| *c == '\u{FFFD}' || (c.is_control() && !c.is_whitespace()))
        .count();
    if bad * 50 > visible {
        flags.push(format!(
            "replacement-characters: {:.0}% of the text",
            bad as f64 * 100.0 / visible as f64
        ));
    }
    if !text.chars().any(char::is_alphanumeric) {
        flags.push("no-letters-or-digits".to_string());
    }
    // Tokens of one letter in a row: "E x a m p l e" or "Exa mp le do".
    let mut words = 0usize;
    let mut singles_in_runs = 0usize;
    let mut run = 0usize;
    for token in text.split_whitespace() {
        let letters = token.chars().filter(|c| c.is_alphabetic()).count();
        if letters == 0 {
            continue;
        }
        words += 1;
        let short = token.chars().count() <= 2 && letters <= 2;
        if short {
            run += 1;
        } else {
            if run >= 4 {
                singles_in_runs += run;
            }
            run = 0;
        }
    }
    if run >= 4 {
        singles_in_runs += run;
    }
    if words >= 20 && singles_in_runs * 5 > words {
        flags.push(format!(
            "single-letter-runs: {singles_in_runs} of {words} words (spaces inside words?)"
        ));
    }
    flags
}

/// True when a flag says the text is not to be trusted as is.
pub(crate) fn is_suspicious(flags: &[String]) -> bool {
    flags.iter().any(|f| {
        f.starts_with("replacement-characters")
            || f.starts_with("single-letter-runs")
            || f == "no-letters-or-digits"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfkc_folds_presentation_forms_and_strips_marks() {
        // "سلام" in presentation forms, wrapped in an RTL embedding.
        let text = "\u{202B}\u{FEB3}\u{FEE0}\u{FE8E}\u{FEE1}\u{202C} \u{FB01}le";
        assert_eq!(normalize(text), "سلام file");
    }

    #[test]
    fn flags_spaced_letters_not_normal_text() {
        let spaced =
            "E x a m p l e d o c u m e n t w i t h s p a c e s i n s i d e e v e r y w o r d";
        assert!(is_suspicious(&quality_flags(spaced)));
        let normal = "Where is the nearest safe space for children in the camp? The helpdesk answered with a list of partners and a map of the services they run.";
        assert!(quality_flags(normal).is_empty());
        let bad = "abc \u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD} def";
        assert!(is_suspicious(&quality_flags(bad)));
    }

    #[test]
    fn short_text_is_undetermined() {
        assert_eq!(detect("Example"), Lang::Und);
        assert_eq!(detect("12 34"), Lang::Und);
        assert_eq!(
            detect("Les enfants non accompagnés sont orientés vers le service de gestion de cas dans les deux jours."),
            Lang::Fr
        );
    }

    #[test]
    fn titles_from_paths() {
        assert_eq!(
            title_from_path("docs/en/referral-guide.pdf"),
            "referral-guide"
        );
        assert_eq!(title_from_path("README"), "README");
    }
}
