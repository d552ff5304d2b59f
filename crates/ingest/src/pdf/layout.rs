//! From glyphs to lines, and right-to-left order repair.
//!
//! pdf-extract reports glyphs in content-stream order. Most producers
//! (LibreOffice, Word, browsers) draw Arabic in *visual* order, so the raw
//! text of an Arabic line is reversed. We keep every glyph as one unit (its
//! ToUnicode text, e.g. the lam-alef ligature's "لا" in logical order), then
//! reorder the units of a line from visual to logical order with the Unicode
//! bidi levels. Reversing characters instead would turn the ligature into
//! "ال" ("الحاالت" for "الحالات").
//!
//! Some PDFs already store logical order (the text is drawn glyph by glyph
//! right to left), so whether to reorder is decided per document by a score
//! of how Arabic the words look each way ([`arabic_order_score`]).

use unicode_bidi::{BidiInfo, Level};

/// One glyph as the content stream drew it.
#[derive(Debug, Clone)]
pub(crate) struct Glyph {
    pub x: f64,
    pub y: f64,
    pub end_x: f64,
    pub size: f64,
    pub text: String,
    /// First glyph of a text-showing chunk (where pdf-extract decides about
    /// spaces and line breaks).
    pub chunk_start: bool,
}

/// A line of units: glyph texts and inserted spaces.
pub(crate) type Line = Vec<String>;

/// Collects the glyphs of one page (a pdf-extract output device).
#[derive(Default)]
pub(crate) struct GlyphCollector {
    pub glyphs: Vec<Glyph>,
    chunk_start: bool,
}

impl pdf_extract::OutputDev for GlyphCollector {
    fn begin_page(
        &mut self,
        _page_num: u32,
        _media_box: &pdf_extract::MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), pdf_extract::OutputError> {
        self.glyphs.clear();
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &pdf_extract::Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), pdf_extract::OutputError> {
        // The glyph's size on the page: the font size scaled by the text
        // matrix (square root of the area factor, as pdf-extract does).
        let scale = (trm.m11 * trm.m22 - trm.m12 * trm.m21).abs().sqrt();
        let size = (font_size * scale).abs().max(0.01);
        let (x, y) = (trm.m31, trm.m32);
        if self.glyphs.len() < 2_000_000 {
            self.glyphs.push(Glyph {
                x,
                y,
                end_x: x + width * size,
                size,
                text: text.to_string(),
                chunk_start: std::mem::take(&mut self.chunk_start),
            });
        }
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        self.chunk_start = true;
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
}

fn is_mark(text: &str) -> bool {
    !text.is_empty() && text.chars().all(is_combining)
}

/// Arabic harakat and other combining marks we meet in PDFs.
pub(crate) fn is_combining(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06ED}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// Groups glyphs into lines: a chunk that starts well below the previous
/// glyph, or to its left and somewhat below, starts a new line
/// (pdf-extract's rule). On a line with Arabic a line height is enough: drawn right to left, the next line of a wrapped heading starts
/// to the right of where the last one ended, and pdf-extract's 1.5 line
/// heights would interleave the two lines. (Latin text keeps the wider
/// rule, which holds a table row together across its cells.)
pub(crate) fn group_lines(glyphs: &[Glyph]) -> Vec<Vec<Glyph>> {
    let mut lines: Vec<Vec<Glyph>> = Vec::new();
    let mut line: Vec<Glyph> = Vec::new();
    for glyph in glyphs {
        if let Some(prev) = line.last() {
            let dy = (glyph.y - prev.y).abs();
            let rtl = line.iter().any(|g| g.text.chars().any(is_arabic));
            let line_gap = if rtl {
                glyph.size.max(prev.size) * 0.9
            } else {
                glyph.size * 1.5
            };
            if glyph.chunk_start
                && (dy > line_gap || (glyph.x < prev.end_x && dy > glyph.size * 0.5))
            {
                lines.push(std::mem::take(&mut line));
            }
        }
        if glyph.text.chars().any(|c| c == '\n' || c == '\r') {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            continue;
        }
        if !glyph.text.is_empty() {
            line.push(glyph.clone());
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A line's units in content-stream order, with a space where a chunk
/// starts past a gap wider than a tenth of the font size (pdf-extract's
/// rule, minus its spaces around zero-width Arabic marks).
pub(crate) fn stream_units(line: &[Glyph]) -> Line {
    let mut units: Line = Vec::with_capacity(line.len());
    let mut prev: Option<&Glyph> = None;
    for glyph in line {
        if let Some(p) = prev {
            if glyph.chunk_start
                && glyph.x > p.end_x + glyph.size * 0.1
                && !is_mark(&glyph.text)
                && !is_mark(&p.text)
                && units.last().is_some_and(|u| !u.trim().is_empty())
                && !glyph.text.trim().is_empty()
            {
                units.push(" ".to_string());
            }
        }
        units.push(glyph.text.clone());
        prev = Some(glyph);
    }
    units
}

/// A line's units in visual order (left to right on the page), whatever
/// order the stream drew them in. Combining marks join their letter (after
/// it, as in logical order): fonts place a mark over its letter or just at
/// the letter's left edge, so a mark near the right end of a glyph belongs
/// to the next glyph. Zero-width glyphs that decode to neither a mark nor an
/// Arabic letter are mis-decoded marks and are dropped. A space goes where the gap
/// between two glyphs is wider than 15% of the font size.
pub(crate) fn visual_units(line: &[Glyph]) -> Line {
    struct Base {
        x: f64,
        end: f64,
        size: f64,
        text: String,
    }
    let mut bases: Vec<Base> = Vec::with_capacity(line.len());
    let mut marks: Vec<&Glyph> = Vec::new();
    for glyph in line {
        let zero_width = glyph.end_x - glyph.x <= f64::EPSILON;
        if is_mark(&glyph.text) {
            marks.push(glyph);
        } else if zero_width && !glyph.text.trim().is_empty() && !glyph.text.chars().any(is_arabic)
        {
            // Zero-width Arabic letters are real: Naskh fonts draw lam-alef
            // as a lam plus a zero-width alef at the lam's position.
            continue;
        } else {
            bases.push(Base {
                x: glyph.x,
                end: glyph.end_x.max(glyph.x),
                size: glyph.size,
                text: glyph.text.clone(),
            });
        }
    }
    bases.sort_by(|a, b| a.x.total_cmp(&b.x));
    let mut trailing = String::new();
    for mark in marks {
        let margin = 0.2 * mark.size;
        let over = bases
            .iter()
            .position(|b| !b.text.trim().is_empty() && b.x <= mark.x && mark.x < b.end - margin);
        let next = || {
            bases
                .iter()
                .position(|b| !b.text.trim().is_empty() && b.x >= mark.x - margin)
        };
        match over.or_else(next) {
            Some(i) => bases[i].text.push_str(&mark.text),
            None => trailing.push_str(&mark.text),
        }
    }
    let mut units: Line = Vec::with_capacity(bases.len() + 1);
    let mut last_end: Option<f64> = None;
    for base in bases {
        let blank = base.text.trim().is_empty();
        let after_text = units.last().is_some_and(|u: &String| !u.trim().is_empty());
        if blank {
            if after_text {
                units.push(" ".to_string());
            }
        } else {
            if after_text && last_end.is_some_and(|end| base.x > end + base.size * 0.15) {
                units.push(" ".to_string());
            }
            units.push(base.text);
        }
        last_end = Some(last_end.map_or(base.end, |e: f64| e.max(base.end)));
    }
    if !trailing.is_empty() {
        units.push(trailing);
    }
    units
}

pub(crate) fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

fn has_arabic(line: &Line) -> bool {
    line.iter().any(|u| u.chars().any(is_arabic))
}

/// Reorders a visual-order line to logical order, unit by unit.
pub(crate) fn visual_to_logical(line: &Line) -> Line {
    if line.is_empty() {
        return Vec::new();
    }
    let text: String = line.concat();
    let arabic = text.chars().filter(|c| is_arabic(*c)).count();
    let latin = text.chars().filter(|c| c.is_ascii_alphabetic()).count();
    let para = if arabic >= latin {
        Level::rtl()
    } else {
        Level::ltr()
    };
    let info = BidiInfo::new(&text, Some(para));
    // The level of each unit: the level of its first byte.
    let mut levels = Vec::with_capacity(line.len());
    let mut offset = 0;
    for unit in line {
        let level = info.levels.get(offset).copied().unwrap_or(para).number();
        levels.push(level);
        offset += unit.len();
    }
    let mut order: Vec<usize> = (0..line.len()).collect();
    let max = levels.iter().copied().max().unwrap_or(0);
    let min_odd = levels
        .iter()
        .copied()
        .filter(|l| l % 2 == 1)
        .min()
        .unwrap_or(max + 1);
    // Rule L2: from the highest level down to the lowest odd one, reverse
    // every run of units at that level or higher.
    let mut level = max;
    while level >= min_odd && level > 0 {
        let mut i = 0;
        while i < order.len() {
            if levels[order[i]] >= level {
                let start = i;
                while i < order.len() && levels[order[i]] >= level {
                    i += 1;
                }
                order[start..i].reverse();
            } else {
                i += 1;
            }
        }
        level -= 1;
    }
    order.into_iter().map(|i| line[i].clone()).collect()
}

/// How much the Arabic words of `text` look like logical-order Arabic
/// (positive) or reversed Arabic (negative). Counted per word, on letters
/// that only occur at one end of a word: taa marbuta and alef maqsura end
/// words, the article "ال" starts them, so "لا" rarely ends a long word and
/// "ة"/"ى" never start one.
pub(crate) fn arabic_order_score(text: &str) -> i64 {
    // Presentation forms (U+FB50..U+FEFF) fold to letters first.
    let text = crate::text::normalize(text);
    let mut score = 0i64;
    for word in text.split(|c: char| !is_arabic(c) || c == '\u{060C}' || c == '\u{061F}') {
        let letters: Vec<char> = word
            .chars()
            .filter(|c| !is_combining(*c) && *c != '\u{0640}')
            .collect();
        let n = letters.len();
        if n < 2 {
            continue;
        }
        let first = letters[0];
        let last = letters[n - 1];
        for end_only in ['ة', 'ى'] {
            if last == end_only {
                score += 1;
            }
            if first == end_only {
                score -= 1;
            }
        }
        if n > 3 {
            if letters[0] == 'ا' && letters[1] == 'ل' {
                score += 1;
            }
            if letters[n - 1] == 'ا' && letters[n - 2] == 'ل' {
                score -= 1;
            }
        }
    }
    score
}

/// Text of lines, one line a row.
pub(crate) fn join(lines: &[Line]) -> String {
    let mut out = String::new();
    for line in lines {
        out.push_str(&line.concat());
        out.push('\n');
    }
    out
}

/// The per-document decision for units already in some order (pdftotext's
/// characters): keep them, or read every Arabic line as visual order and
/// reorder it, whichever scores better. Returns whether it reordered.
pub(crate) fn fix_rtl(pages: &mut [Vec<Line>]) -> bool {
    let mut as_is = 0i64;
    let mut reordered = 0i64;
    let mut any = false;
    for page in pages.iter() {
        for line in page.iter().filter(|l| has_arabic(l)) {
            any = true;
            as_is += arabic_order_score(&line.concat());
            reordered += arabic_order_score(&visual_to_logical(line).concat());
        }
    }
    if !any || reordered <= as_is {
        return false;
    }
    for page in pages.iter_mut() {
        for line in page.iter_mut() {
            if has_arabic(line) {
                *line = visual_to_logical(line);
            }
        }
    }
    true
}

/// The per-document decision for glyphs with positions. Three readings of
/// the Arabic lines compete: the stream order as is (PDFs that store
/// logical order), the stream order taken as visual order and reordered,
/// and the glyphs sorted by position (true visual order, whatever order the
/// stream drew them in) and reordered. The one whose Arabic words look most
/// like Arabic wins for the whole document; ties keep the stream as is, and
/// the positions win unless the reordered stream scores clearly better (the
/// positions also put punctuation and digit runs drawn separately in place). Returns the lines of each page and whether it
/// reordered.
pub(crate) fn order_pages(pages: &[Vec<Vec<Glyph>>]) -> (Vec<Vec<Line>>, bool) {
    let mut scores = [0i64; 3];
    let mut any = false;
    let mut readings: Vec<Vec<(Line, Option<[Line; 2]>)>> = Vec::with_capacity(pages.len());
    for page in pages {
        let mut lines = Vec::with_capacity(page.len());
        for line in page {
            let stream = stream_units(line);
            if has_arabic(&stream) {
                any = true;
                let reordered = visual_to_logical(&stream);
                let positioned = visual_to_logical(&visual_units(line));
                scores[0] += arabic_order_score(&stream.concat());
                scores[1] += arabic_order_score(&reordered.concat());
                scores[2] += arabic_order_score(&positioned.concat());
                lines.push((stream, Some([reordered, positioned])));
            } else {
                lines.push((stream, None));
            }
        }
        readings.push(lines);
    }
    // Positions are the principled reading; the stream reordered as a whole
    // only wins by a clear margin (it helps when positions are broken).
    let margin = (scores[1].abs() / 10).max(2);
    let choice = if !any || (scores[0] >= scores[1] && scores[0] >= scores[2]) {
        0
    } else if scores[2] > scores[0] && scores[2] + margin >= scores[1] {
        2
    } else {
        1
    };
    let pages = readings
        .into_iter()
        .map(|lines| {
            lines
                .into_iter()
                .map(|(stream, other)| match (choice, other) {
                    (0, _) | (_, None) => stream,
                    (c, Some([reordered, positioned])) => {
                        if c == 1 {
                            reordered
                        } else {
                            positioned
                        }
                    }
                })
                .collect()
        })
        .collect();
    (pages, choice != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyph(text: &str, x: f64, y: f64, chunk_start: bool) -> Glyph {
        Glyph {
            x,
            y,
            end_x: x + 10.0,
            size: 20.0,
            text: text.to_string(),
            chunk_start,
        }
    }

    #[test]
    fn a_wrapped_arabic_heading_stays_two_lines() {
        // Drawn right to left: the second line (24 pt lower, 1.2 font
        // sizes) starts to the right of where the first one ended.
        let heading = [
            glyph("\u{648}", 300.0, 700.0, true),
            glyph("\u{62d}", 290.0, 700.0, false),
            glyph("\u{62f}", 280.0, 700.0, false),
            glyph("\u{629}", 100.0, 700.0, true),
            glyph("\u{644}", 310.0, 676.0, true),
            glyph("\u{644}", 300.0, 676.0, false),
        ];
        let lines = group_lines(&heading);
        assert_eq!(lines.iter().map(Vec::len).collect::<Vec<_>>(), [4, 2]);
        // A Latin table row whose cells sit a line apart stays one line, as
        // pdf-extract reads it.
        let row = [
            glyph("H", 50.0, 500.0, true),
            glyph("i", 60.0, 500.0, false),
            glyph("C", 200.0, 476.0, true),
        ];
        assert_eq!(group_lines(&row).len(), 1);
    }

    fn units(s: &str) -> Line {
        s.chars().map(String::from).collect()
    }

    #[test]
    fn reverses_visual_arabic_and_keeps_digits() {
        // Visual order of "اتصلوا على 12345 الآن" as LibreOffice draws it.
        let logical = "اتصلوا على 12345 الآن";
        let words: Vec<&str> = logical.split(' ').collect();
        let visual: String = words
            .iter()
            .rev()
            .map(|w| {
                if w.chars().all(|c| c.is_ascii_digit()) {
                    w.to_string()
                } else {
                    w.chars().rev().collect()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(visual_to_logical(&units(&visual)).concat(), logical);
    }

    #[test]
    fn keeps_the_lam_alef_ligature_as_one_glyph() {
        // "الحالات": the glyphs drawn left to right are ت, the lam-alef
        // ligature (ToUnicode "لا"), ا, ح, ل, ا.
        let visual: Line = ["ت", "لا", "ا", "ح", "ل", "ا"].map(String::from).to_vec();
        assert_eq!(visual_to_logical(&visual).concat(), "الحالات");
    }

    #[test]
    fn score_prefers_logical_order() {
        let logical = "الحالة الفردية للأطفال في المدرسة مع الأسرة";
        let reversed: String = logical.chars().rev().collect();
        assert!(arabic_order_score(logical) > 0);
        assert!(arabic_order_score(&reversed) < 0);
        // Presentation forms (as pdftotext and some producers emit them)
        // count as their letters: "العربية" in final/medial/initial forms.
        let forms = "\u{FE8D}\u{FEDF}\u{FECC}\u{FEAE}\u{FE91}\u{FEF4}\u{FE94}";
        assert!(arabic_order_score(forms) > 0);
    }

    #[test]
    fn logical_documents_are_left_alone() {
        let line = units("الحالة الفردية للأطفال في المدرسة");
        let mut pages = vec![vec![line.clone()]];
        assert!(!fix_rtl(&mut pages));
        assert_eq!(pages[0][0], line);
        let visual: String = line.concat().chars().rev().collect();
        let mut pages = vec![vec![units(&visual)]];
        assert!(fix_rtl(&mut pages));
        assert_eq!(pages[0][0].concat(), line.concat());
    }
}
