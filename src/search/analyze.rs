//! Page analysis: the searchable fields of a page become its terms, every
//! syllable and every pair of adjacent syllables by exact form, each with
//! the summed weight of the fields it occurs in; plus the page's length and
//! the plain text shown in result excerpts.
//!
//! The browser's tokenizer (`search.js`) must cut text exactly as this one
//! does: same syllable classes, same phrase breaks, same forms.

use foldhash::HashMap;

use compact_str::CompactString;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::Weights;
use crate::content::FrontMatter;
use crate::markdown::{Heading, Rendered};
use crate::text::fold;

/// True for characters that belong to a syllable (the browser's tokenizer
/// uses the same classes: `[\p{Alphabetic}\p{N}\p{M}]`).
fn is_word_char(c: char) -> bool {
    match c {
        _ if c.is_ascii() => c.is_ascii_alphanumeric(),
        // Fast paths for the letters of Vietnamese: Latin-1 Supplement and
        // Latin Extended-A/B are letters but for × and ÷; Latin Extended
        // Additional (ạ ả ấ … ỹ) is letters only.
        '\u{C0}'..='\u{24F}' => c != '×' && c != '÷',
        '\u{1E00}'..='\u{1EFF}' => true,
        _ => c.is_alphabetic() || c.is_numeric() || is_combining_mark(c),
    }
}

/// `%` is a syllable of its own, so `30%` is `30` then `%`, the way
/// `30 phần trăm` is read.
const PERCENT: char = '%';

/// Characters that end a phrase: no pair of syllables spans them.
fn is_break(c: char) -> bool {
    matches!(
        c,
        '.' | ',' | ';' | ':' | '!' | '?' | '…' | '(' | ')' | '[' | ']' | '{' | '}' | '\n'
    )
}

/// Syllables of a text as `(syllable, starts_a_phrase)`: maximal runs of
/// word characters, and `%` alone. A syllable starts a phrase when it is the
/// first or when a break character stands between it and the previous one
/// (but not the `,` or `.` inside a number: `0,7`, `1.000`).
pub struct Syllables<'a> {
    text: &'a str,
    pos: usize,
    /// End of the previous syllable, `None` before the first.
    prev_end: Option<usize>,
}

impl<'a> Syllables<'a> {
    pub fn new(text: &'a str) -> Syllables<'a> {
        Syllables {
            text,
            pos: 0,
            prev_end: None,
        }
    }

    /// The character at byte `p` (a character boundary) and its length,
    /// read byte by byte when ASCII (most letters of Vietnamese text).
    fn char_at(&self, p: usize) -> Option<(char, usize)> {
        let b = *self.text.as_bytes().get(p)?;
        if b.is_ascii() {
            return Some((char::from(b), 1));
        }
        let c = self.text.get(p..)?.chars().next()?;
        Some((c, c.len_utf8()))
    }
}

impl<'a> Iterator for Syllables<'a> {
    type Item = (&'a str, bool);

    fn next(&mut self) -> Option<(&'a str, bool)> {
        let mut start = self.pos;
        let first = loop {
            let (c, len) = self.char_at(start)?;
            if c == PERCENT || is_word_char(c) {
                break c;
            }
            start += len;
        };
        let mut end = start + first.len_utf8();
        if first != PERCENT {
            while let Some((_, len)) = self.char_at(end).filter(|&(c, _)| is_word_char(c)) {
                end += len;
            }
        }
        let starts = match self.prev_end {
            None => true,
            Some(prev) => breaks(
                &self.text[..prev],
                &self.text[prev..start],
                &self.text[start..],
            ),
        };
        self.pos = end;
        self.prev_end = Some(end);
        Some((&self.text[start..end], starts))
    }
}

/// True when `gap` (between `before` and `after`) ends a phrase.
fn breaks(before: &str, gap: &str, after: &str) -> bool {
    if !gap.chars().any(is_break) {
        return false;
    }
    let in_number = matches!(gap, "," | ".")
        && before.ends_with(|c: char| c.is_ascii_digit())
        && after.starts_with(|c: char| c.is_ascii_digit());
    !in_number
}

/// The syllables of `text`, as written.
pub fn syllables(text: &str) -> impl Iterator<Item = &str> {
    Syllables::new(text).map(|(s, _)| s)
}

/// The tone marks of Vietnamese (grave, acute, tilde, hook, dot below).
fn is_tone(c: char) -> bool {
    matches!(c, '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}')
}

/// True for a syllable written in capitals (two letters or more, none in
/// lower case): `AI`, `TFP`, `CĐS`, but not `Ai`, `5G` or `A`.
fn is_capitals(s: &str) -> bool {
    s.chars().filter(|c| c.is_alphabetic()).nth(1).is_some() && !s.chars().any(char::is_lowercase)
}

/// The exact form of a syllable: lower case, except a syllable in capitals
/// (an abbreviation: `AI` is not the pronoun `ai`), which stays in capitals;
/// its tone mark moved after the other letters so the old and new placements
/// (`hoá`, `hóa`; `uỷ`, `ủy`) are one form.
pub fn form(syllable: &str) -> CompactString {
    let capitals = is_capitals(syllable);
    if syllable.is_ascii() {
        let mut s = CompactString::from(syllable);
        if capitals {
            s.make_ascii_uppercase();
        } else {
            s.make_ascii_lowercase();
        }
        return s;
    }
    let cased = if capitals {
        syllable.to_uppercase()
    } else {
        syllable.to_lowercase()
    };
    let mut tones = String::new();
    let base: String = cased
        .nfd()
        .filter(|&c| {
            if is_tone(c) {
                tones.push(c);
            }
            !is_tone(c)
        })
        .collect();
    let mut out: CompactString = base.nfc().collect();
    // In canonical order: two marks on different letters (`ñṛ`, no
    // Vietnamese syllable has them) would be reordered by the next NFD, and
    // the form of a form would not be itself.
    out.extend(tones.nfd());
    out
}

/// The key a form is filed under: lower case, ASCII-folded (`đổi` → `doi`),
/// so queries typed with or without diacritics find it.
pub fn key(form: &str) -> String {
    fold(&form.to_lowercase()).to_lowercase()
}

/// Term ids of one chunk of pages: forms of syllables and of pairs.
#[derive(Default)]
pub(super) struct Interner {
    /// Form → id.
    ids: HashMap<CompactString, u32>,
    /// Syllable as written → id of its form: each spelling is analysed once.
    seen: HashMap<CompactString, u32>,
    /// Pair of ids → id of the pair's form (`đổi mới`).
    pairs: HashMap<(u32, u32), u32>,
    /// The forms, by id.
    pub forms: Vec<CompactString>,
    /// The weights of the page being analysed, by id (see [`Tally`]).
    slots: Vec<Slot>,
}

impl Interner {
    fn syllable(&mut self, syllable: &str) -> u32 {
        if let Some(&id) = self.seen.get(syllable) {
            return id;
        }
        let id = self.intern(form(syllable));
        self.seen.insert(CompactString::from(syllable), id);
        id
    }

    fn pair(&mut self, a: u32, b: u32) -> u32 {
        if let Some(&id) = self.pairs.get(&(a, b)) {
            return id;
        }
        let mut f = self.forms[a as usize].clone();
        f.push(' ');
        f.push_str(&self.forms[b as usize]);
        let id = self.intern(f);
        self.pairs.insert((a, b), id);
        id
    }

    fn intern(&mut self, f: CompactString) -> u32 {
        if let Some(&id) = self.ids.get(&f) {
            return id;
        }
        let id = u32::try_from(self.forms.len()).unwrap_or(u32::MAX);
        self.ids.insert(f.clone(), id);
        self.forms.push(f);
        id
    }

    /// The ids of `text`'s syllables, or `None` if one never occurred.
    fn lookup(&self, text: &str) -> Option<Vec<u32>> {
        syllables(text)
            .map(|s| self.seen.get(s).or_else(|| self.ids.get(&form(s))).copied())
            .collect()
    }
}

/// What the index knows of one page.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Analysis {
    /// `(term id, value)` in order of first occurrence; the value is the
    /// summed weight in half units shifted left [`TITLE_BITS`] times, the
    /// low bits the strength of a title match (0 when not in the title).
    pub terms: Vec<(u32, u32)>,
    /// Number of syllables outside the title (what lengths are normalised by).
    pub len: u32,
}

/// A term's weight in the page being analysed.
#[derive(Clone, Copy, Default)]
struct Slot {
    /// Summed weight of the fields it occurs in.
    weight: f32,
    in_title: bool,
    /// True once the page has it (it is in `Tally::terms`).
    seen: bool,
}

/// The terms of one page while it is analysed: their ids in order of first
/// occurrence; their weights are in the interner's slots (indexed by id,
/// reset when the page is finished), so counting an occurrence hashes
/// nothing.
#[derive(Default)]
struct Tally {
    terms: Vec<u32>,
    len: u32,
    title_len: u32,
}

impl Tally {
    fn add(&mut self, slots: &mut Vec<Slot>, id: u32, weight: Option<f32>) {
        let i = id as usize;
        if i >= slots.len() {
            slots.resize(i + 1, Slot::default());
        }
        let slot = &mut slots[i];
        if !slot.seen {
            slot.seen = true;
            self.terms.push(id);
        }
        match weight {
            Some(w) => slot.weight += w,
            None => slot.in_title = true,
        }
    }

    /// Adds the syllables of `text` (and of their pairs) at `weight`, or at
    /// the heading weight inside `headings` (ranges of syllable indices).
    fn text(
        &mut self,
        interner: &mut Interner,
        text: &str,
        weight: Option<f32>,
        heads: Option<(&[Heading], f32)>,
    ) {
        let toks: Vec<(u32, bool)> = Syllables::new(text)
            .map(|(s, starts)| (interner.syllable(s), starts))
            .collect();
        let ranges = match heads {
            Some((headings, _)) => heading_ranges(&toks, interner, headings),
            None => Vec::new(),
        };
        let mut r = 0;
        for (n, &(id, starts)) in toks.iter().enumerate() {
            while ranges.get(r).is_some_and(|&(_, end)| end <= n) {
                r += 1;
            }
            let w = match (weight, heads) {
                (Some(_), Some((_, head))) if ranges.get(r).is_some_and(|&(s, _)| s <= n) => {
                    Some(head)
                }
                _ => weight,
            };
            self.add(&mut interner.slots, id, w);
            if !starts && n > 0 {
                let pair = interner.pair(toks[n - 1].0, id);
                self.add(&mut interner.slots, pair, w);
            }
            if weight.is_some() {
                self.len += 1;
            } else {
                self.title_len += 1;
            }
        }
    }

    /// The page's `(term id, value)` in order of first occurrence, and its
    /// length; the slots are left empty for the next page.
    fn finish(self, slots: &mut [Slot]) -> (Vec<(u32, u32)>, u32) {
        let title = title_strength(self.title_len);
        let terms: Vec<(u32, u32)> = self
            .terms
            .into_iter()
            .map(|id| {
                let slot = std::mem::take(&mut slots[id as usize]);
                let half = (f64::from(slot.weight) * 2.0)
                    .round()
                    .clamp(0.0, f64::from(MAX_HALF)) as u32;
                (
                    id,
                    half << TITLE_BITS | if slot.in_title { title } else { 0 },
                )
            })
            .filter(|&(_, v)| v > 0)
            .collect();
        (terms, self.len)
    }
}

/// Bits of a value that tell a title match and its strength.
pub(super) const TITLE_BITS: u32 = 3;

/// A title of this many syllables or fewer is all about its words.
const SHORT_TITLE: f64 = 8.0;

/// How much a title match says (1 to 7): in a short title, the page is
/// about the word; in a long one, less so (as BM25F normalises each field
/// by its length): `7 × (8 / length)^¼`, at most 7.
fn title_strength(len: u32) -> u32 {
    let f = (SHORT_TITLE / f64::from(len.max(1))).powf(0.25).min(1.0);
    ((f * 7.0).round() as u32).max(1)
}

/// The largest weight stored, in half units (a page repeating a word
/// thousands of times gains nothing past it).
const MAX_HALF: u32 = 1 << 16;

/// How far past the previous heading a heading's tokens are looked for
/// (bounds the work on hostile input with many headings).
const HEADING_SCAN: usize = 20_000;

/// Finds each heading's syllables in the body, in order: `[start, end)`.
fn heading_ranges(
    body: &[(u32, bool)],
    interner: &Interner,
    headings: &[Heading],
) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let mut from = 0;
    for h in headings {
        let Some(wanted) = interner.lookup(&h.text) else {
            continue;
        };
        if wanted.is_empty() || wanted.len() > body.len() {
            continue;
        }
        let last = (body.len() - wanted.len()).min(from + HEADING_SCAN);
        let found = (from..=last).find(|&s| {
            body[s..s + wanted.len()]
                .iter()
                .zip(&wanted)
                .all(|((a, _), b)| a == b)
        });
        if let Some(start) = found {
            ranges.push((start, start + wanted.len()));
            from = start + wanted.len();
        }
    }
    ranges
}

/// A front-matter value that names something (`tinh-uy`, `ha-tang`,
/// `phu-song-5g-2030`) rather than saying it: never searched.
fn is_identifier(v: &str) -> bool {
    v.contains(['-', '_'])
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// The searched front-matter fields of a page, in the order written, with
/// their weights: the description, the tags, and every text field of the
/// type-specific front matter (lists of texts only when `weights` names
/// the field).
pub(super) fn fields<'a>(fm: &'a FrontMatter, weights: &Weights) -> Vec<(&'a str, f32)> {
    let mut out = Vec::new();
    let mut push = |text: &'a str, w: f32| {
        if w > 0.0 && !text.trim().is_empty() && !is_identifier(text) {
            out.push((text, w));
        }
    };
    if let Some(d) = &fm.description {
        push(d, weights.of("description"));
    }
    for tag in &fm.tags {
        push(tag, weights.of("tags"));
    }
    for (k, v) in &fm.extra {
        let Some(name) = k.as_str() else { continue };
        match v {
            serde_yaml::Value::String(s) => push(s, weights.of(name)),
            serde_yaml::Value::Sequence(items) if weights.names(name) => {
                for s in items.iter().filter_map(serde_yaml::Value::as_str) {
                    push(s, weights.of(name));
                }
            }
            _ => {}
        }
    }
    out
}

/// The text of a page's searched fields and body, white space collapsed.
pub(super) fn page_text(fields: &[(&str, f32)], body: &str) -> String {
    let mut text = String::with_capacity(body.len());
    for part in fields.iter().map(|(t, _)| *t).chain([body]) {
        for word in part.split_whitespace() {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(word);
        }
    }
    text
}

/// Analyses one page: its title, searched fields and body.
pub(super) fn analyze(
    fm: &FrontMatter,
    rendered: &Rendered,
    weights: &Weights,
    interner: &mut Interner,
) -> Analysis {
    let fields = fields(fm, weights);
    let mut tally = Tally::default();
    // The title's matches count apart (`None`), not as a weight.
    tally.text(interner, &fm.title, None, None);
    for &(text, w) in &fields {
        tally.text(interner, text, Some(w), None);
    }
    let body = weights.of("body");
    if body > 0.0 {
        let heads = Some((&rendered.headings[..], weights.of("headings")));
        tally.text(interner, &rendered.text, Some(body), heads);
    }
    let (terms, len) = tally.finish(&mut interner.slots);
    Analysis { terms, len }
}

/// The text shown in a page's excerpts: its searched fields, then its body
/// (when searched), white space collapsed.
pub(super) fn text(fm: &FrontMatter, rendered: &Rendered, weights: &Weights) -> String {
    let body = if weights.of("body") > 0.0 {
        &*rendered.text
    } else {
        ""
    };
    page_text(&fields(fm, weights), body)
}

/// Analyses a title and a body text alone (no front matter, no headings),
/// as [`super::check_scripts`] needs.
pub(super) fn analyze_text(title: &str, body: &str, interner: &mut Interner) -> Analysis {
    let weights = Weights::default();
    let mut tally = Tally::default();
    tally.text(interner, title, None, None);
    tally.text(interner, body, Some(weights.of("body")), None);
    let (terms, len) = tally.finish(&mut interner.slots);
    Analysis { terms, len }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(text: &str) -> Vec<(&str, bool)> {
        Syllables::new(text).collect()
    }

    #[test]
    fn fast_paths_agree_with_unicode_classes() {
        for c in ('\u{C0}'..='\u{24F}').chain('\u{1E00}'..='\u{1EFF}') {
            let unicode = c.is_alphabetic() || c.is_numeric() || is_combining_mark(c);
            assert_eq!(is_word_char(c), unicode, "{c:?}");
        }
    }

    #[test]
    fn splits_syllables_on_spaces_and_punctuation_and_percent() {
        let s: Vec<&str> = syllables("Nghị quyết số 57-NQ/TW, (5G) TFP… 30%").collect();
        assert_eq!(
            s,
            [
                "Nghị", "quyết", "số", "57", "NQ", "TW", "5G", "TFP", "30", "%"
            ]
        );
        assert_eq!(syllables(" — ").count(), 0);
    }

    #[test]
    fn phrases_break_at_punctuation_but_not_inside_numbers() {
        assert_eq!(
            cut("số 57-NQ/TW, khoa học. 0,7 và 1.000;x"),
            [
                ("số", true),
                ("57", false),
                ("NQ", false),
                ("TW", false),
                ("khoa", true),
                ("học", false),
                ("0", true),
                ("7", false),
                ("và", false),
                ("1", false),
                ("000", false),
                ("x", true)
            ]
        );
        assert_eq!(cut("gọi là “Khoán 10”")[2], ("Khoán", false));
    }

    #[test]
    fn forms_keep_capitals_of_abbreviations_and_one_tone_placement() {
        assert_eq!(form("Đảng"), form("đảng"));
        assert_eq!(form("ĐẢNG"), form("ĐẢNG"));
        assert_ne!(form("ĐẢNG"), form("đảng"));
        assert_eq!(form("AI"), "AI");
        assert_eq!(form("Ai"), "ai");
        assert_eq!(form("5G"), "5g");
        assert_eq!(form("hoá"), form("hóa"));
        assert_eq!(form("uỷ"), form("ủy"));
        assert_ne!(form("dời"), form("đổi"));
        assert_eq!(key(&form("ĐỔI")), "doi");
        assert_eq!(key(&form("hóa")), "hoa");
        use unicode_normalization::UnicodeNormalization;
        let decomposed: String = "Việt".nfd().collect();
        assert_eq!(form(&decomposed), form("việt"));
        // Marks of two letters (found by `forms_are_stable`): in canonical order.
        assert_eq!(form("ñṚ"), "nr\u{323}\u{303}");
        assert_eq!(form(&form("ñṚ")), form("ñṚ"));
    }

    #[test]
    fn short_titles_say_more() {
        assert_eq!(title_strength(1), 7);
        assert_eq!(title_strength(8), 7);
        assert_eq!(title_strength(19), 6);
        assert_eq!(title_strength(35), 5);
        assert_eq!(title_strength(10_000), 1);
    }

    #[test]
    fn identifiers_are_not_searched() {
        for v in ["tinh-uy", "phu-song-5g-2030", "ha_tang"] {
            assert!(is_identifier(v), "{v}");
        }
        for v in ["Bình Phước", "5G", "toàn quốc", "COVID-19", "abc"] {
            assert!(!is_identifier(v), "{v}");
        }
    }

    fn terms(a: &Analysis, interner: &Interner) -> Vec<(String, u32)> {
        a.terms
            .iter()
            .map(|&(id, v)| (interner.forms[id as usize].to_string(), v))
            .collect()
    }

    #[test]
    fn weighs_title_apart_and_counts_pairs_inside_phrases() {
        let mut interner = Interner::default();
        let a = analyze_text("Chuyển đổi", "đổi mới, đổi mới", &mut interner);
        let t = terms(&a, &interner);
        let get = |f: &str| t.iter().find(|(x, _)| x == &form_pair(f)).map(|x| x.1);
        // Title only (two syllables: a strong title match) and no weight.
        assert_eq!(get("chuyển"), Some(7));
        // Title and twice in the body (weight 1 each, in half units): 4<<3|7.
        assert_eq!(get("đổi"), Some(39));
        assert_eq!(get("đổi mới"), Some(32));
        // The comma ends the phrase: no pair "mới đổi".
        assert_eq!(get("mới đổi"), None);
        assert_eq!(a.len, 4);
    }

    fn form_pair(f: &str) -> String {
        f.split(' ').map(form).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn finds_heading_ranges_in_order() {
        let headings: Vec<Heading> = ["Mở đầu", "Mục tiêu", "Không có"]
            .into_iter()
            .map(|text| Heading {
                level: 2,
                id: "x".into(),
                text: text.into(),
            })
            .collect();
        let mut interner = Interner::default();
        let toks: Vec<(u32, bool)> =
            Syllables::new("Mở đầu Mục tiêu chung là mục tiêu Mục tiêu nội dung")
                .map(|(s, b)| (interner.syllable(s), b))
                .collect();
        assert_eq!(
            heading_ranges(&toks, &interner, &headings),
            [(0, 2), (2, 4)]
        );
    }
}
