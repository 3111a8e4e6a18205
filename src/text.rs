//! Vietnamese text helpers: NFC normalisation, diacritic folding, URL slugs,
//! collation and the Vietnamese forms of dates and numbers.

use std::cmp::Ordering;
use std::sync::OnceLock;

use icu_collator::options::CollatorOptions;
use icu_collator::{Collator, CollatorBorrowed};
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark, is_nfc_quick};

/// Returns `s` in Unicode Normalisation Form C, borrowing when it already is.
pub fn nfc(s: &str) -> std::borrow::Cow<'_, str> {
    match is_nfc_quick(s.chars()) {
        unicode_normalization::IsNormalized::Yes => std::borrow::Cow::Borrowed(s),
        _ => std::borrow::Cow::Owned(s.nfc().collect()),
    }
}

/// Folds one character to its ASCII base form: tones and marks stripped,
/// `đ`/`Đ` become `d`/`D`. Characters without an ASCII base are returned as is.
fn fold_char(c: char, out: &mut String) {
    match c {
        'đ' => out.push('d'),
        'Đ' => out.push('D'),
        c if c.is_ascii() => out.push(c),
        c => {
            for d in std::iter::once(c).nfd() {
                if !is_combining_mark(d) {
                    out.push(d);
                }
            }
        }
    }
}

/// Folds Vietnamese text to ASCII letters ("Đảng" → "Dang"), keeping case.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, &mut out);
    }
    out
}

/// The slug of `s`, or `fallback` when `s` has nothing to slug (only
/// punctuation, or a script with no ASCII fold).
pub fn slug_or(s: &str, fallback: &str) -> String {
    let slug = slugify(s);
    if slug.is_empty() {
        fallback.to_string()
    } else {
        slug
    }
}

/// Turns any text into a URL slug: folded to ASCII, lower case, runs of other
/// characters collapsed to one `-`, no leading or trailing `-`.
/// `"Câu hỏi 15: Nhóm mục tiêu"` → `"cau-hoi-15-nhom-muc-tieu"`.
pub fn slugify(s: &str) -> String {
    let folded = fold(&nfc(s));
    let mut out = String::with_capacity(folded.len());
    let mut pending_dash = false;
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    out
}

fn collator() -> &'static CollatorBorrowed<'static> {
    static COLLATOR: OnceLock<CollatorBorrowed<'static>> = OnceLock::new();
    COLLATOR.get_or_init(|| {
        let locale = icu_locale_core::locale!("vi");
        // The Vietnamese tailoring ships in the compiled data; a failure here
        // would be a bug in the data crate, so fall back to the root order.
        Collator::try_new(locale.into(), CollatorOptions::default())
            .or_else(|_| Collator::try_new(Default::default(), CollatorOptions::default()))
            .unwrap_or_else(|_| unreachable!("ICU4X root collation data is compiled in"))
    })
}

/// Compares two strings in Vietnamese alphabetical order (a ă â b c d đ e ê …).
pub fn collate(a: &str, b: &str) -> Ordering {
    collator().compare(a, b)
}

/// A calendar date as written in front matter (`YYYY-MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Date {
    /// Year, e.g. 2024.
    pub year: u16,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, 1 to 31.
    pub day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`, optionally followed by a time (`T…` or ` …`),
    /// which is ignored. Returns `None` for anything that is not a real date.
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let date_part = s.split(['T', ' ']).next()?;
        let mut it = date_part.split('-');
        let (y, m, d) = (it.next()?, it.next()?, it.next()?);
        if it.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let date = Date {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        };
        (date.month >= 1 && date.month <= 12 && date.day >= 1 && date.day <= date.days_in_month())
            .then_some(date)
    }

    fn days_in_month(self) -> u8 {
        match self.month {
            4 | 6 | 9 | 11 => 30,
            2 if self.year.is_multiple_of(4)
                && (!self.year.is_multiple_of(100) || self.year.is_multiple_of(400)) =>
            {
                29
            }
            2 => 28,
            _ => 31,
        }
    }

    /// Vietnamese short form: `22/12/2024`.
    pub fn vi(self) -> String {
        format!("{:02}/{:02}/{}", self.day, self.month, self.year)
    }

    /// Vietnamese long form: `ngày 22 tháng 12 năm 2024`.
    pub fn vi_long(self) -> String {
        format!(
            "ngày {:02} tháng {:02} năm {}",
            self.day, self.month, self.year
        )
    }

    /// ISO 8601 form: `2024-12-22`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// Today's date (UTC) from the system clock; 1970-01-01 if the clock
    /// is set before it.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days((secs / 86_400) as i64)
    }

    /// The date `days` days after 1970-01-01 (the civil-from-days
    /// algorithm of the proleptic Gregorian calendar).
    fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: year.clamp(0, 9999) as u16,
            month: month as u8,
            day: day as u8,
        }
    }
}

/// Formats a number the Vietnamese way: `.` groups thousands, `,` marks
/// decimals (`1234.5` → `1.234,5`).
pub fn vi_number(n: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, n.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if n < 0.0 { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

/// Wraps every document number of an HTML text (`57-NQ/TW`, `01-HD/BTGTU`,
/// `1131/QĐ-TTg`) in `<span class="nw">` so a line never breaks inside it.
/// Only text between tags is touched, never a tag, an attribute or the
/// content of `pre`, `code`, `script` and `style`.
pub fn nobreak_doc_numbers(html: &str) -> std::borrow::Cow<'_, str> {
    if !may_have_doc_number(html) {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut out = String::new();
    let mut done = 0;
    let mut skip: Option<&str> = None;
    let mut i = 0;
    let bytes = html.as_bytes();
    while i < bytes.len() {
        if bytes[i] == b'<' {
            let end = html[i..].find('>').map_or(bytes.len(), |e| i + e + 1);
            let tag = &html[i..end];
            let name = tag.trim_start_matches(['<', '/']);
            let name = &name[..name
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(name.len())];
            match skip {
                Some(open) if tag.starts_with("</") && name.eq_ignore_ascii_case(open) => {
                    skip = None
                }
                None if !tag.starts_with("</") => {
                    skip = ["pre", "code", "script", "style"]
                        .into_iter()
                        .find(|t| name.eq_ignore_ascii_case(t));
                }
                _ => {}
            }
            i = end;
            continue;
        }
        let next = html[i..].find('<').map_or(bytes.len(), |n| i + n);
        if skip.is_none() {
            for r in doc_numbers(&html[i..next]) {
                out.push_str(&html[done..i + r.start]);
                out.push_str("<span class=\"nw\">");
                out.push_str(&html[i + r.start..i + r.end]);
                out.push_str("</span>");
                done = i + r.end;
            }
        }
        i = next;
    }
    if done == 0 {
        return std::borrow::Cow::Borrowed(html);
    }
    out.push_str(&html[done..]);
    std::borrow::Cow::Owned(out)
}

/// Byte ranges of the document numbers in a text: digits (with `/year`
/// parts), then `-` or `/` and an upper-case code, then more such codes
/// (`57-NQ/TW`, `193/2025/QH15`, `03/CT-TTg`); `5G`, `2025-2030` and
/// `COVID-19` are not.
fn doc_numbers(text: &str) -> Vec<std::ops::Range<usize>> {
    if !may_have_doc_number(text) {
        return Vec::new();
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let is_word = |k: usize| chars.get(k).is_some_and(|&(_, c)| c.is_alphanumeric());
    let mut out = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let starts = chars[k].1.is_ascii_digit()
            && !(k > 0 && (is_word(k - 1) || matches!(chars[k - 1].1, '/' | '-' | '.' | ',')));
        if !starts {
            k += 1;
            continue;
        }
        let digits = |mut j: usize| {
            while chars.get(j).is_some_and(|c| c.1.is_ascii_digit()) {
                j += 1;
            }
            j
        };
        let mut j = digits(k);
        // `/2025` parts of the number.
        while chars.get(j).is_some_and(|c| c.1 == '/')
            && chars.get(j + 1).is_some_and(|c| c.1.is_ascii_digit())
        {
            j = digits(j + 1);
        }
        let mut end = None;
        // `-NQ`, `/TW`, `/QĐ-TTg`: a code starts with an upper-case letter.
        while chars.get(j).is_some_and(|c| matches!(c.1, '-' | '/'))
            && chars.get(j + 1).is_some_and(|c| c.1.is_uppercase())
        {
            j += 1;
            while is_word(j) {
                j += 1;
            }
            end = Some(j);
        }
        match end {
            Some(e) if !is_word(e) => {
                let stop = chars.get(e).map_or(text.len(), |c| c.0);
                out.push(chars[k].0..stop);
                k = e;
            }
            _ => k = j.max(k + 1),
        }
    }
    out
}

/// A digit followed by `-` or `/`: what every document number has.
fn may_have_doc_number(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_digit() && matches!(w[1], b'-' | b'/'))
}

/// The numbers written in a figure, in order, read the Vietnamese way
/// (`0,7` → 0.7, `1.000` → 1000): `">55%"` → [55], `"16-18%/năm"` →
/// [16, 18], `"Top 3 ASEAN"` → [3].
pub fn numbers(text: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (k, &c) in chars.iter().enumerate() {
        let digit_after = chars.get(k + 1).is_some_and(char::is_ascii_digit);
        let thousands = c == '.'
            && chars
                .get(k + 1..k + 4)
                .is_some_and(|d| d.iter().all(char::is_ascii_digit))
            && !chars.get(k + 4).is_some_and(char::is_ascii_digit);
        if c.is_ascii_digit() {
            cur.push(c);
        } else if !cur.is_empty() && c == ',' && digit_after && !cur.contains('.') {
            cur.push('.');
        } else if !cur.is_empty() && thousands {
            // a thousands separator: nothing to keep
        } else if !cur.is_empty() {
            out.extend(cur.parse::<f64>().ok());
            cur.clear();
        }
    }
    out.extend(cur.parse::<f64>().ok());
    out
}

/// Decodes `%XX` escapes (URL paths). `None` when an escape is cut short
/// or not hexadecimal; the bytes may not be UTF-8.
pub fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let digit = |b: u8| char::from(b).to_digit(16);
            out.push(u8::try_from(digit(hex[0])? * 16 + digit(hex[1])?).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_document_numbers_on_one_line() {
        let wrap = |s: &str| nobreak_doc_numbers(s).into_owned();
        assert_eq!(
            wrap("Nghị quyết số 57-NQ/TW của Bộ Chính trị"),
            "Nghị quyết số <span class=\"nw\">57-NQ/TW</span> của Bộ Chính trị"
        );
        assert_eq!(
            wrap("Số 01-HD/BTGTU, 1131/QĐ-TTg và 193/2025/QH15."),
            "Số <span class=\"nw\">01-HD/BTGTU</span>, <span class=\"nw\">1131/QĐ-TTg</span> và <span class=\"nw\">193/2025/QH15</span>."
        );
        for plain in [
            "5G, 6G",
            "2025-2030",
            "COVID-19",
            "16-18%/năm",
            "22/12/2024",
            "a-57-NQ",
        ] {
            assert_eq!(wrap(plain), plain);
        }
        assert_eq!(
            wrap("<a href=\"/57-NQ/TW\" title=\"57-NQ/TW\">57-NQ/TW</a><code>57-NQ/TW</code>"),
            "<a href=\"/57-NQ/TW\" title=\"57-NQ/TW\"><span class=\"nw\">57-NQ/TW</span></a><code>57-NQ/TW</code>"
        );
        assert!(matches!(
            nobreak_doc_numbers("không có số"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn reads_the_numbers_of_a_figure() {
        assert_eq!(numbers(">55%"), [55.0]);
        assert_eq!(numbers("≥30% GDP"), [30.0]);
        assert_eq!(numbers("+16-18%/năm"), [16.0, 18.0]);
        assert_eq!(numbers(">0,7"), [0.7]);
        assert_eq!(numbers("Top 3 ASEAN"), [3.0]);
        assert_eq!(numbers("1.000 người, 2.5"), [1000.0, 2.0, 5.0]);
        assert!(numbers("Toàn quốc").is_empty());
    }

    #[test]
    fn percent_decoding_is_strict() {
        assert_eq!(
            percent_decode("c%C3%A2u%2e%2E").unwrap(),
            "câu..".as_bytes()
        );
        assert_eq!(percent_decode("%"), None);
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%aé"), None);
        assert_eq!(percent_decode("%ff").unwrap(), [0xff]);
    }

    #[test]
    fn folds_vietnamese_to_ascii() {
        assert_eq!(fold("Đảng Cộng sản Việt Nam"), "Dang Cong san Viet Nam");
        assert_eq!(fold("chuyển đổi số"), "chuyen doi so");
        assert_eq!(fold("ƯỚC ĐOÁN"), "UOC DOAN");
    }

    #[test]
    fn slugs_fold_diacritics_and_d_stroke() {
        assert_eq!(slugify("Đảng"), "dang");
        assert_eq!(
            slugify("Câu hỏi 15: Nhóm mục tiêu về tiềm lực"),
            "cau-hoi-15-nhom-muc-tieu-ve-tiem-luc"
        );
        assert_eq!(slugify("  --Hello, World!-- "), "hello-world");
        assert_eq!(slugify("../../x"), "x");
        assert_eq!(slugify(""), "");
    }

    #[test]
    fn slug_of_decomposed_input_equals_slug_of_composed() {
        let decomposed: String = "Nghị quyết".nfd().collect();
        assert_eq!(slugify(&decomposed), slugify("Nghị quyết"));
    }

    #[test]
    fn nfc_composes_decomposed_text() {
        let decomposed: String = "Việt".nfd().collect();
        assert_ne!(decomposed, "Việt");
        assert_eq!(nfc(&decomposed), "Việt");
    }

    #[test]
    fn collation_follows_the_vietnamese_alphabet() {
        let mut words = vec!["đ", "e", "d", "â", "b", "ă", "a", "ê", "c"];
        words.sort_by(|a, b| collate(a, b));
        assert_eq!(words, ["a", "ă", "â", "b", "c", "d", "đ", "e", "ê"]);
        assert_eq!(collate("Đà Nẵng", "Điện Biên"), Ordering::Less);
        assert_eq!(collate("đường", "em"), Ordering::Less);
    }

    #[test]
    fn parses_and_formats_dates() {
        let d = Date::parse("2024-12-22").unwrap();
        assert_eq!(d.vi(), "22/12/2024");
        assert_eq!(d.vi_long(), "ngày 22 tháng 12 năm 2024");
        assert_eq!(
            Date::parse("2025-01-05T08:00:00Z").unwrap().vi(),
            "05/01/2025"
        );
        assert!(Date::parse("2025-02-30").is_none());
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("22/12/2024").is_none());
        assert!(Date::parse("hôm qua").is_none());
    }

    #[test]
    fn days_since_1970_are_calendar_dates() {
        assert_eq!(Date::from_days(0).iso(), "1970-01-01");
        assert_eq!(Date::from_days(11_016).iso(), "2000-02-29");
        assert_eq!(Date::from_days(20_079).iso(), "2024-12-22");
        assert_eq!(Date::from_days(20_454).iso(), "2026-01-01");
    }

    #[test]
    fn formats_numbers_the_vietnamese_way() {
        assert_eq!(vi_number(0.7, 1), "0,7");
        assert_eq!(vi_number(1234567.0, 0), "1.234.567");
        assert_eq!(vi_number(-1234.5, 1), "-1.234,5");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn slugs_are_ascii_safe_and_idempotent(s in "\\PC{0,60}") {
            let slug = slugify(&s);
            prop_assert!(slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
            prop_assert!(!slug.contains(".."));
            prop_assert!(!slug.starts_with('-') && !slug.ends_with('-'));
            prop_assert!(!slug.contains("--"));
            prop_assert_eq!(slugify(&slug), slug.clone());
        }

        #[test]
        fn slugs_fold_vietnamese_letters(s in "[a-zA-ZđĐàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ ]{1,40}") {
            let slug = slugify(&s);
            prop_assert!(!slug.contains('đ'));
            prop_assert_eq!(slug.replace('-', "").len(), s.chars().filter(|c| !c.is_whitespace()).count());
        }

        #[test]
        fn folding_is_idempotent_and_keeps_ascii(s in "\\PC{0,80}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
            let ascii: String = s.chars().filter(char::is_ascii).collect();
            prop_assert_eq!(fold(&ascii), ascii);
        }

        #[test]
        fn nobreak_only_adds_spans(s in "[0-9A-ZĐa-z/<>\\- .]{0,40}") {
            let out = nobreak_doc_numbers(&s).into_owned();
            prop_assert_eq!(out.replace("<span class=\"nw\">", "").replace("</span>", ""), s);
        }

        #[test]
        fn nfc_is_idempotent(s in "\\PC{0,80}") {
            let once = nfc(&s).into_owned();
            prop_assert_eq!(nfc(&once).into_owned(), once);
        }
    }
}
