//! Vietnamese text helpers: NFC normalisation, diacritic folding, URL slugs,
//! collation and the Vietnamese forms of dates and numbers.

use std::cmp::Ordering;
use std::sync::OnceLock;

use icu_collator::options::CollatorOptions;
use icu_collator::{Collator, CollatorBorrowed};
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark, is_nfc_quick};

/// Returns `s` in Unicode Normalisation Form C, borrowing when it already is.
pub fn nfc(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().all(is_stable) {
        return std::borrow::Cow::Borrowed(s);
    }
    match is_nfc_quick(s.chars()) {
        unicode_normalization::IsNormalized::Yes => std::borrow::Cow::Borrowed(s),
        _ => std::borrow::Cow::Owned(s.nfc().collect()),
    }
}

/// True for the characters Vietnamese text is written with that are NFC on
/// their own and never combine with a neighbour: ASCII to U+02FF (with
/// `ă â đ ê ô ơ ư`), the precomposed letters U+1E00–U+1EFF (`ạ ả ấ … ỹ`)
/// and the punctuation U+2002–U+206F (`– — “ ” …`). A text made only of
/// them is NFC; checked for each of them by a test. Anything else (a
/// combining mark) takes the full check.
fn is_stable(c: char) -> bool {
    matches!(c, '\0'..='\u{2FF}' | '\u{1E00}'..='\u{1EFF}' | '\u{2002}'..='\u{206F}')
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

/// A date as written in front matter: `YYYY-MM-DD`, or a full RFC 3339
/// date-time (`2025-02-03T08:30:00+07:00`) whose time and zone are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Date {
    /// Year, 1000 to 9999.
    pub year: u16,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, 1 to 31.
    pub day: u8,
    /// Time of day and offset from UTC, when given.
    pub time: Option<Time>,
}

/// The time part of an RFC 3339 date-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Time {
    /// 0 to 23.
    pub hour: u8,
    /// 0 to 59.
    pub minute: u8,
    /// 0 to 59.
    pub second: u8,
    /// Fraction of a second, in nanoseconds.
    pub nanos: u32,
    /// Offset from UTC in minutes (`+07:00` is 420).
    pub offset: i16,
}

/// Earliest and latest years accepted in a date.
const YEARS: std::ops::RangeInclusive<u16> = 1000..=9999;

impl Date {
    /// Parses `YYYY-MM-DD` or an RFC 3339 date-time (`T` or a space between
    /// date and time, seconds required, fraction allowed, zone `Z` or
    /// `±HH:MM` required). On failure says what is wrong, in Vietnamese.
    pub fn parse(s: &str) -> Result<Date, String> {
        let s = s.trim();
        let (date_part, time_part) = match s.find(['T', 't', ' ']) {
            Some(i) => (&s[..i], Some(s[i + 1..].trim_start())),
            None => (s, None),
        };
        let [y, m, d] = fixed_fields(date_part, '-', [4, 2, 2])
            .ok_or("ngày phải viết theo dạng năm-tháng-ngày (YYYY-MM-DD)")?;
        let (year, month, day) = (y as u16, m as u8, d as u8);
        if !YEARS.contains(&year) {
            return Err(format!(
                "năm {year} nằm ngoài khoảng {}–{}",
                YEARS.start(),
                YEARS.end()
            ));
        }
        if !(1..=12).contains(&month) {
            return Err(format!("không có tháng {month:02}"));
        }
        let mut date = Date {
            year,
            month,
            day,
            time: None,
        };
        if day == 0 || day > date.days_in_month() {
            return Err(format!("tháng {month:02}/{year} không có ngày {day:02}"));
        }
        if let Some(t) = time_part {
            date.time = Some(Time::parse(t)?);
        }
        Ok(date)
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

    /// Vietnamese short form of the date as written: `22/12/2024`.
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

    /// ISO 8601 form of the date as written: `2024-12-22`.
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
            time: None,
        }
    }

    /// The RFC 3339 date-time (feeds, sitemaps): the time and zone as
    /// written, or midnight UTC for a bare date (the same day everywhere
    /// from UTC-0 to UTC+12 readers, Vietnam included).
    pub fn rfc3339(self) -> String {
        let Some(t) = self.time else {
            return format!("{}T00:00:00Z", self.iso());
        };
        let mut out = format!(
            "{}T{:02}:{:02}:{:02}",
            self.iso(),
            t.hour,
            t.minute,
            t.second
        );
        if t.nanos > 0 {
            let frac = format!("{:09}", t.nanos);
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
        if t.offset == 0 {
            out.push('Z');
        } else {
            let sign = if t.offset < 0 { '-' } else { '+' };
            let abs = t.offset.unsigned_abs();
            out.push_str(&format!("{sign}{:02}:{:02}", abs / 60, abs % 60));
        }
        out
    }

    /// The instant, as seconds since 1970-01-01T00:00:00Z (a bare date is
    /// midnight UTC), for ordering dates written in different zones.
    pub fn instant(self) -> i64 {
        let days = days_from_civil(self.year.into(), self.month.into(), self.day.into());
        let (clock, offset) = self.time.map_or((0, 0), |t| {
            let clock = i64::from(t.hour) * 3600 + i64::from(t.minute) * 60 + i64::from(t.second);
            (clock, i64::from(t.offset) * 60)
        });
        days * 86_400 + clock - offset
    }
}

impl Time {
    /// Parses `HH:MM:SS[.fraction](Z|±HH:MM)`.
    fn parse(s: &str) -> Result<Time, String> {
        let zone_at = s.find(['Z', 'z', '+', '-']).ok_or(
            "thiếu múi giờ sau giờ (ví dụ `+07:00` cho giờ Việt Nam, hoặc `Z` cho giờ UTC)",
        )?;
        let (clock, zone) = s.split_at(zone_at);
        let (hms, frac) = match clock.split_once('.') {
            Some((hms, frac)) => (hms, Some(frac)),
            None => (clock, None),
        };
        let [hour, minute, second] = fixed_fields(hms, ':', [2, 2, 2])
            .ok_or("giờ phải viết theo dạng giờ:phút:giây (HH:MM:SS)")?;
        if hour > 23 || minute > 59 || second > 59 {
            return Err(format!(
                "không có giờ {hour:02}:{minute:02}:{second:02} (giờ 00–23, phút và giây 00–59)"
            ));
        }
        let nanos = match frac {
            None => 0,
            Some(f) if (1..=9).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()) => {
                format!("{f:0<9}").parse().unwrap_or(0)
            }
            Some(_) => return Err("phần lẻ của giây phải là 1 đến 9 chữ số".into()),
        };
        Ok(Time {
            hour: hour as u8,
            minute: minute as u8,
            second: second as u8,
            nanos,
            offset: parse_offset(zone)?,
        })
    }
}

/// `Z` or `±HH:MM` as minutes east of UTC.
fn parse_offset(zone: &str) -> Result<i16, String> {
    if zone.eq_ignore_ascii_case("z") {
        return Ok(0);
    }
    let bad = || format!("múi giờ `{zone}` không hợp lệ: viết `Z` hoặc `+HH:MM`, ví dụ `+07:00`");
    let (sign, rest) = match zone.split_at_checked(1) {
        Some(("+", rest)) => (1, rest),
        Some(("-", rest)) => (-1, rest),
        _ => return Err(bad()),
    };
    let [h, m] = fixed_fields(rest, ':', [2, 2]).ok_or_else(bad)?;
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(sign * (h * 60 + m) as i16)
}

/// Splits `s` at `sep` into exactly `N` runs of ASCII digits of the given
/// widths and reads them.
fn fixed_fields<const N: usize>(s: &str, sep: char, widths: [usize; N]) -> Option<[u32; N]> {
    let mut out = [0; N];
    let mut parts = s.split(sep);
    for (slot, width) in out.iter_mut().zip(widths) {
        let p = parts.next()?;
        if p.len() != width || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *slot = p.parse().ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar
/// (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
    // Byte offsets throughout: a number starts at an ASCII digit, so the
    // text is searched for digits and decoded only around them.
    let bytes = text.as_bytes();
    let char_at = |p: usize| text.get(p..).and_then(|t| t.chars().next());
    let is_word = |p: usize| char_at(p).is_some_and(char::is_alphanumeric);
    let digits = |mut p: usize| {
        while bytes.get(p).is_some_and(u8::is_ascii_digit) {
            p += 1;
        }
        p
    };
    let mut out = Vec::new();
    let mut k = 0;
    while let Some(found) = bytes[k..].iter().position(u8::is_ascii_digit) {
        let start = k + found;
        let after_word = text[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || matches!(c, '/' | '-' | '.' | ','));
        if after_word {
            k = start + 1;
            continue;
        }
        let mut j = digits(start);
        // `/2025` parts of the number.
        while bytes.get(j) == Some(&b'/') && bytes.get(j + 1).is_some_and(u8::is_ascii_digit) {
            j = digits(j + 1);
        }
        let mut end = None;
        // `-NQ`, `/TW`, `/QĐ-TTg`: a code starts with an upper-case letter.
        while matches!(bytes.get(j), Some(b'-' | b'/'))
            && char_at(j + 1).is_some_and(char::is_uppercase)
        {
            j += 1;
            while let Some(c) = char_at(j).filter(|c| c.is_alphanumeric()) {
                j += c.len_utf8();
            }
            end = Some(j);
        }
        match end {
            Some(e) if !is_word(e) => {
                out.push(start..e);
                k = e;
            }
            _ => k = j.max(start + 1),
        }
    }
    out
}

/// A digit followed by `-` or `/`: what every document number has.
fn may_have_doc_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b'-', b'/', bytes).any(|p| p > 0 && bytes[p - 1].is_ascii_digit())
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

/// The words of `text` (split at spaces) in lines of at most `width`
/// characters, one space between words; a longer word stands alone on its
/// line, and a newline in the text breaks the line too. An empty text is
/// one empty line. For SVG labels: SVG text does not wrap.
pub fn wrap(text: &str, width: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_chars = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let chars = word.chars().count();
        if !cur.is_empty() && (cur_chars + chars + 1) as f64 > width {
            lines.push(std::mem::take(&mut cur));
            cur_chars = 0;
        }
        if !cur.is_empty() {
            cur.push(' ');
            cur_chars += 1;
        }
        cur.push_str(word);
        cur_chars += chars;
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.is_empty() {
        return vec![String::new()];
    }
    lines
        .iter()
        .flat_map(|l| l.split('\n'))
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_fills_lines_up_to_the_width() {
        assert_eq!(
            wrap("Tỷ lệ  doanh nghiệp có hoạt động", 10.0),
            ["Tỷ lệ", "doanh", "nghiệp có", "hoạt động"]
        );
        assert_eq!(wrap("a bb ccc", 4.0), ["a bb", "ccc"]);
        assert_eq!(wrap("siêudàiquá x", 3.0), ["siêudàiquá", "x"]);
        assert_eq!(wrap("a\nb c", 9.0), ["a", "b c"]);
        assert_eq!(wrap("", 5.0), [""]);
        assert_eq!(wrap("   ", 5.0), [""]);
    }

    #[test]
    fn stable_characters_are_nfc_and_never_combine() {
        let stable = || ('\0'..=char::MAX).filter(|&c| is_stable(c));
        for c in stable() {
            let one = c.to_string();
            assert!(
                is_nfc_quick(one.chars()) == unicode_normalization::IsNormalized::Yes,
                "{c:?}"
            );
            assert_eq!(
                unicode_normalization::char::canonical_combining_class(c),
                0,
                "{c:?}"
            );
        }
        // No character is composed with a stable one as its second part.
        for c in '\0'..=char::MAX {
            let mut parts = Vec::new();
            unicode_normalization::char::decompose_canonical(c, |d| parts.push(d));
            if parts.len() >= 2 {
                assert!(
                    !parts[1..].iter().any(|&p| is_stable(p)),
                    "{c:?} = {parts:?}"
                );
            }
        }
        assert_eq!(nfc("Nghị quyết “57” – 0,7%"), "Nghị quyết “57” – 0,7%");
        assert!(matches!(nfc("Vie\u{323}\u{302}t"), std::borrow::Cow::Owned(s) if s == "Việt"));
    }

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
        assert_eq!(d.rfc3339(), "2024-12-22T00:00:00Z");
        assert!(Date::parse("2025-02-30").is_err());
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(Date::parse("1900-02-29").is_err());
        assert!(Date::parse("22/12/2024").is_err());
        assert!(Date::parse("hôm qua").is_err());
        assert!(Date::parse("2024-1-05").is_err());
    }

    #[test]
    fn keeps_the_time_and_zone_of_an_rfc3339_date() {
        let d = Date::parse("2025-01-05T23:30:00+07:00").unwrap();
        assert_eq!(d.vi(), "05/01/2025", "the local date as written");
        assert_eq!(d.rfc3339(), "2025-01-05T23:30:00+07:00");
        // 16:30 UTC on the 5th: later than midnight UTC the same day.
        let utc = Date::parse("2025-01-05T16:30:00Z").unwrap();
        assert_eq!(d.instant(), utc.instant());
        assert_eq!(
            Date::parse("2025-01-05 08:00:00.250-03:30")
                .unwrap()
                .rfc3339(),
            "2025-01-05T08:00:00.25-03:30"
        );
        assert_eq!(Date::parse("1970-01-02").unwrap().instant(), 86_400);
    }

    #[test]
    fn rejects_impossible_years_times_and_zones() {
        for bad in [
            "0000-01-01",
            "2025-02-03T25:61:00+99:00",
            "2025-02-03T10:61:00+07:00",
            "2025-02-03T10:00:00+99:00",
            "2025-02-03T10:00:00",
            "2025-02-03T10:00+07:00",
            "2025-02-03T10:00:00.+07:00",
            "2025-02-03T10:00:00+0700",
            "2025-13-01",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
        assert!(Date::parse("0999-12-31").unwrap_err().contains("1000"));
        assert!(
            Date::parse("2025-02-03T10:00:00")
                .unwrap_err()
                .contains("múi giờ")
        );
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
