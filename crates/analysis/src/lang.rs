//! The four languages Answerbank serves, and language detection.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A language of the corpus. `Und` is text whose language could not be told;
/// it is still indexed (in the language-neutral field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    En,
    /// French.
    Fr,
    /// Spanish.
    Es,
    /// Arabic (right-to-left).
    Ar,
    /// Undetermined.
    Und,
}

impl Lang {
    /// The four languages that have their own analyzer and field.
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Fr, Lang::Es, Lang::Ar];

    /// The ISO 639-1 code (`und` for [`Lang::Und`]).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Es => "es",
            Lang::Ar => "ar",
            Lang::Und => "und",
        }
    }

    /// Parses `en|fr|es|ar|und` (case-insensitive, surrounding spaces ignored).
    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" | "eng" | "english" => Some(Lang::En),
            "fr" | "fra" | "fre" | "french" => Some(Lang::Fr),
            "es" | "spa" | "spanish" => Some(Lang::Es),
            "ar" | "ara" | "arabic" => Some(Lang::Ar),
            "und" => Some(Lang::Und),
            _ => None,
        }
    }

    /// Whether the language is written right to left.
    pub fn is_rtl(self) -> bool {
        self == Lang::Ar
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The error of [`Lang::from_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {0:?} (expected en, fr, es, ar or und)")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Lang::parse(s).ok_or_else(|| UnknownLang(s.to_string()))
    }
}

/// What [`detect`] found.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Detection {
    /// The detected language, [`Lang::Und`] when nothing could be told.
    pub lang: Lang,
    /// whatlang's confidence, 0 to 1.
    pub confidence: f64,
    /// True when the detection can be trusted enough to boost a language
    /// (Arabic script is always reliable among our four languages).
    pub reliable: bool,
}

impl Detection {
    /// Nothing could be told.
    pub const UNDETERMINED: Detection = Detection {
        lang: Lang::Und,
        confidence: 0.0,
        reliable: false,
    };
}

const ALLOWLIST: [whatlang::Lang; 4] = [
    whatlang::Lang::Eng,
    whatlang::Lang::Fra,
    whatlang::Lang::Spa,
    whatlang::Lang::Ara,
];

/// Detects the language of `text` among en, fr, es and ar.
///
/// whatlang is run with an allowlist of our four languages. Short Latin-script
/// text is often wrong (measured: 12 of 20 short English queries), so callers
/// use [`Detection::reliable`] to decide whether to act on it; a caller never
/// filters on a detection. Text with too few letters is [`Lang::Und`].
pub fn detect(text: &str) -> Detection {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 2 {
        return Detection::UNDETERMINED;
    }
    let arabic = text.chars().filter(|c| is_arabic_letter(*c)).count();
    if arabic * 2 > letters {
        // Arabic is the only one of our languages written in Arabic script.
        return Detection {
            lang: Lang::Ar,
            confidence: 1.0,
            reliable: true,
        };
    }
    let detector = whatlang::Detector::with_allowlist(ALLOWLIST.to_vec());
    let Some(info) = detector.detect(text) else {
        return Detection::UNDETERMINED;
    };
    let lang = match info.lang() {
        whatlang::Lang::Eng => Lang::En,
        whatlang::Lang::Fra => Lang::Fr,
        whatlang::Lang::Spa => Lang::Es,
        whatlang::Lang::Ara => Lang::Ar,
        _ => Lang::Und,
    };
    // Below ~12 letters a trigram model has too little to go on: keep the
    // guess but never call it reliable.
    let reliable = info.is_reliable() && letters >= 12;
    Detection {
        lang,
        confidence: info.confidence(),
        reliable,
    }
}

/// True for letters of the Arabic blocks (base, supplement, presentation forms).
pub fn is_arabic_letter(c: char) -> bool {
    matches!(c as u32,
        0x0620..=0x064A | 0x066E..=0x06D3 | 0x06FA..=0x06FF | 0x0750..=0x077F
        | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
        && c.is_alphabetic()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for lang in [Lang::En, Lang::Fr, Lang::Es, Lang::Ar, Lang::Und] {
            assert_eq!(Lang::parse(lang.code()), Some(lang));
            assert_eq!(lang.code().parse::<Lang>().unwrap(), lang);
        }
        assert!("de".parse::<Lang>().is_err());
    }

    #[test]
    fn serde_uses_codes() {
        assert_eq!(serde_json::to_string(&Lang::Ar).unwrap(), "\"ar\"");
        assert_eq!(serde_json::from_str::<Lang>("\"und\"").unwrap(), Lang::Und);
    }

    #[test]
    fn arabic_script_is_reliable() {
        let d = detect("الأطفال غير المصحوبين");
        assert_eq!(d.lang, Lang::Ar);
        assert!(d.reliable);
    }

    #[test]
    fn sentences_are_detected() {
        let fr = detect("Les enfants non accompagnés doivent bénéficier d'une gestion de cas adaptée à leur âge.");
        assert_eq!(fr.lang, Lang::Fr);
        assert!(fr.reliable);
        let es = detect("¿Cómo organizamos la búsqueda de familias para los niños no acompañados en la frontera?");
        assert_eq!(es.lang, Lang::Es);
        let en = detect("How should we set up the referral pathway for children who were separated from their families?");
        assert_eq!(en.lang, Lang::En);
    }

    #[test]
    fn too_little_text_is_undetermined() {
        assert_eq!(detect("").lang, Lang::Und);
        assert_eq!(detect("5W 2024").lang, Lang::Und);
        assert!(!detect("UASC").reliable);
    }
}
