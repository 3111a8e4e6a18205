//! Encoding: the index as script files the browser loads on demand.
//!
//! - a *term shard* holds the entries of a run of keys in sorted order:
//!   `nqSearch.add("t",{"key":"form|postings|form|postings",…})`, a form
//!   left empty when it is the key itself. Postings are (page, value) pairs,
//!   pages as gaps, in a base-32 variable-length code of 64 letters;
//! - a *doc shard* holds the title, path and text of a run of pages, for
//!   the results shown: `nqSearch.add("d",first,[[title,href,text],…])`;
//! - the *meta* script names them all and carries what ranking needs of
//!   every page (its type and length) and the search's words.
//!
//! Runs are cut where an item's own hash says so (content-defined, like
//! rsync's chunks): an edit changes the shards it touches, not the ones
//! after it, so `nqsite serve` rewrites few files.

use std::fmt::Write as _;

use serde_json::Value as Json;

use crate::output::Printed;

/// Digits that end a number (5 bits each).
const FINAL: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
/// Digits that a number continues after (5 bits each, most significant first).
const MORE: &[u8; 32] = b"wxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

/// Writes `n` in the postings code.
pub(super) fn vlq(n: u32, out: &mut String) {
    let mut groups = [0u8; 7];
    let mut len = 0;
    let mut m = n;
    loop {
        groups[len] = (m & 31) as u8;
        len += 1;
        m >>= 5;
        if m == 0 {
            break;
        }
    }
    for i in (1..len).rev() {
        out.push(char::from(MORE[usize::from(groups[i])]));
    }
    out.push(char::from(FINAL[usize::from(groups[0])]));
}

/// One letter of the 64 the code uses (for small per-page numbers).
pub(super) fn letter(n: usize) -> char {
    let n = n.min(63);
    char::from(if n < 32 { FINAL[n] } else { MORE[n - 32] })
}

/// Reads numbers written by [`vlq`]; `None` on a letter outside the code.
pub(super) fn read_vlq(text: &str) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    let mut n: u64 = 0;
    for b in text.bytes() {
        if let Some(d) = FINAL.iter().position(|&x| x == b) {
            out.push(u32::try_from(n << 5 | d as u64).ok()?);
            n = 0;
        } else {
            let d = MORE.iter().position(|&x| x == b)?;
            n = n << 5 | d as u64;
        }
    }
    (n == 0).then_some(out)
}

/// The postings of one form: page gaps and values.
pub(super) fn postings(list: &[(u32, u32)], out: &mut String) {
    let mut next = 0;
    for &(page, value) in list {
        vlq(page - next, out);
        vlq(value, out);
        next = page + 1;
    }
}

/// The entry of a key: each form (empty when it is the key) and its
/// postings (in the code).
pub(super) fn entry<'a, C: AsRef<str>>(
    key: &str,
    forms: impl Iterator<Item = (&'a str, C)>,
) -> String {
    let mut out = String::new();
    for (n, (form, code)) in forms.enumerate() {
        if n > 0 {
            out.push('|');
        }
        if form != key {
            out.push_str(form);
        }
        out.push('|');
        out.push_str(code.as_ref());
    }
    out
}

/// Splits items `(hash, size)` into runs of about `target` bytes, never
/// more than `max` unless one item alone is larger: a run ends after an item
/// with probability `size / target`, decided by the item's own hash.
/// Returns the number of items in each run.
pub(super) fn runs(
    items: impl Iterator<Item = (u64, usize)>,
    target: usize,
    max: usize,
) -> Vec<usize> {
    let mut out = Vec::new();
    let (mut count, mut bytes) = (0, 0);
    for (hash, size) in items {
        if count > 0 && bytes + size > max {
            out.push(count);
            (count, bytes) = (0, 0);
        }
        count += 1;
        bytes += size;
        // hash / 2^64 < size / target, without floating point.
        if u128::from(hash) * (target as u128) < (size as u128) << 64 {
            out.push(count);
            (count, bytes) = (0, 0);
        }
    }
    if count > 0 {
        out.push(count);
    }
    out
}

/// A script of the index, named by kind and content.
#[derive(Debug, Clone)]
pub(super) struct Script {
    pub kind: &'static str,
    /// The script's bytes; their fingerprint names its file.
    pub file: Printed,
}

impl Script {
    pub fn new(kind: &'static str, body: String) -> Script {
        Script {
            kind,
            file: Printed::new(body.into_bytes()),
        }
    }

    /// The fingerprint of the script's bytes.
    pub fn hash(&self) -> u64 {
        self.file.print
    }
}

/// Names scripts in the order they are written: `search/<kind>.<name>.js`,
/// the name twelve hex digits of the script's hash, or sixteen when an
/// earlier script of its kind with other contents took the same twelve.
/// A name depends on the contents and the order only, so a build can write
/// each script as soon as it is made.
#[derive(Default)]
pub(super) struct Namer(foldhash::HashMap<(&'static str, u64), u64>);

impl Namer {
    /// The name part of `script`'s file.
    pub(super) fn name(&mut self, script: &Script) -> String {
        let (hash, short) = (script.hash(), script.hash() >> 16);
        let taken = *self.0.entry((script.kind, short)).or_insert(hash);
        if taken == hash {
            format!("{short:012x}")
        } else {
            format!("{hash:016x}")
        }
    }
}

/// The site path of a script of `kind` named `name` ([`Namer`]).
pub(super) fn path(kind: &str, name: &str) -> String {
    format!("search/{kind}.{name}.js")
}

/// A term shard: the entries of its keys, in order.
pub(super) fn term_script<'a>(keys: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::from("nqSearch.add(\"t\",{");
    for (n, (key, entry)) in keys.enumerate() {
        if n > 0 {
            out.push(',');
        }
        push_quoted(&mut out, key);
        out.push(':');
        push_quoted(&mut out, entry);
    }
    out.push_str("});\n");
    out
}

/// A doc shard: the quoted `[title,href,text]` of its pages, the first
/// being page `first`.
pub(super) fn doc_script(first: usize, docs: impl Iterator<Item = String>) -> String {
    let mut out = format!("nqSearch.add(\"d\",{first},[");
    for (n, doc) in docs.enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(&doc);
    }
    out.push_str("]);\n");
    out
}

/// A page's doc: `[title,href,text]` as script-safe JSON.
pub(super) fn doc(title: &str, href: &str, text: &str) -> String {
    let mut out = String::with_capacity(title.len() + href.len() + text.len() + 16);
    for (n, part) in [title, href, text].into_iter().enumerate() {
        out.push(if n == 0 { '[' } else { ',' });
        push_quoted(&mut out, part);
    }
    out.push(']');
    out
}

/// The meta script: `window.nqSearchMeta={…}` with keys in sorted order.
pub(super) fn meta_script(fields: &[(&str, Json)]) -> String {
    let mut sorted: Vec<&(&str, Json)> = fields.iter().collect();
    sorted.sort_by_key(|(k, _)| *k);
    let mut out = String::from("window.nqSearchMeta={");
    for (n, (k, v)) in sorted.into_iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}:{}", quote(k), to_json(v));
    }
    out.push_str("};\n");
    out
}

/// A string as a JSON literal that is safe inside a script.
pub(super) fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_quoted(&mut out, text);
    out
}

/// Appends `text` as a JSON literal that is safe inside a script: as
/// serde_json writes it, and `<` as `\u003c` so no `</script>` can appear.
fn push_quoted(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(text.len() + 2);
    out.push('"');
    let mut from = 0;
    for (at, &b) in text.as_bytes().iter().enumerate() {
        if !ESCAPED[usize::from(b)] {
            continue;
        }
        out.push_str(&text[from..at]);
        from = at + 1;
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
    }
    out.push_str(&text[from..]);
    out.push('"');
}

/// The bytes [`push_quoted`] escapes: controls, `"`, `\` and `<`.
static ESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table[b'<' as usize] = true;
    table
};

/// JSON that is safe inside a script: `<` is escaped so no `</script>` can appear.
pub(super) fn to_json(v: &Json) -> String {
    serde_json::to_string(v)
        .unwrap_or_default()
        .replace('<', "\\u003c")
}

/// Keys in the browser's order (UTF-16 code units, as `<` compares strings
/// in JavaScript), so it finds a key's shard by bisection.
pub(super) fn js_order(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsutil::hash64;
    use crate::output::Bytes;

    #[test]
    fn numbers_round_trip_in_the_postings_code() {
        let mut s = String::new();
        let numbers = [0, 1, 31, 32, 33, 1023, 1024, 65_535, u32::MAX];
        for n in numbers {
            vlq(n, &mut s);
        }
        assert_eq!(read_vlq(&s).unwrap(), numbers);
        let mut one = String::new();
        vlq(31, &mut one);
        assert_eq!(one, "v");
        one.clear();
        vlq(32, &mut one);
        assert_eq!(one, "x0");
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }

    #[test]
    fn entries_list_forms_and_page_gaps() {
        let code = |list: &[(u32, u32)]| {
            let mut s = String::new();
            postings(list, &mut s);
            s
        };
        let (a, b) = (code(&[(0, 2), (3, 5)]), code(&[(7, 1)]));
        let e = entry("doi", [("đổi", a), ("doi", b)].into_iter());
        // đổi: page 0 value 2, page 3 (gap 2) value 5; doi (the key): page 7.
        assert_eq!(e, "đổi|0225||71");
    }

    #[test]
    fn runs_are_cut_by_content_and_stay_put_around_an_edit() {
        let items: Vec<(u64, usize)> = (0..2000u64)
            .map(|i| (hash64(&i.to_le_bytes()), 10 + (i as usize * 7) % 90))
            .collect();
        let before = runs(items.iter().copied(), 2000, 8000);
        assert!(before.iter().all(|&n| n > 0));
        assert_eq!(before.iter().sum::<usize>(), items.len());
        // Items are about 55 bytes: runs of about 2000 bytes hold ~36.
        let mean = items.len() / before.len();
        assert!((15..80).contains(&mean), "{mean}");
        // Growing one item changes the run holding it, not the later ones.
        let mut edited = items.clone();
        edited[1000].1 += 5;
        let after = runs(edited.iter().copied(), 2000, 8000);
        let ends = |r: &[usize]| -> Vec<usize> {
            r.iter()
                .scan(0, |s, &n| {
                    *s += n;
                    Some(*s)
                })
                .collect()
        };
        let (b, a) = (ends(&before), ends(&after));
        let later = |e: &[usize]| e.iter().filter(|&&x| x > 1100).copied().collect::<Vec<_>>();
        assert_eq!(later(&b), later(&a));
    }

    #[test]
    fn clashing_names_get_longer() {
        // Fingerprints made up to clash in their first twelve digits.
        let printed = |print| Printed {
            bytes: Bytes::new(b"a".to_vec()),
            print,
        };
        let a = Script {
            kind: "t",
            file: printed(0x1234_5678_9abc_0001),
        };
        let b = Script {
            file: printed(0x1234_5678_9abc_0002),
            ..a.clone()
        };
        let c = Script {
            kind: "d",
            ..a.clone()
        };
        let mut namer = Namer::default();
        let names: Vec<String> = [&a, &b, &a, &c].map(|s| namer.name(s)).into();
        // The first keeps twelve digits, as does the same script again and
        // a script of another kind; the second with other contents takes sixteen.
        assert_eq!(
            names,
            [
                "123456789abc",
                "123456789abc0002",
                "123456789abc",
                "123456789abc"
            ]
        );
    }

    #[test]
    fn orders_keys_like_javascript() {
        use std::cmp::Ordering::*;
        assert_eq!(js_order("chuyen", "chuyen doi"), Less);
        assert_eq!(js_order("a", "b"), Less);
        // U+FF21 sorts before U+1F600 in UTF-8 (and code point) order, after it in UTF-16.
        assert_eq!(js_order("\u{FF21}", "\u{1F600}"), Greater);
    }

    proptest::proptest! {
        #[test]
        fn quoted_as_serde_json_writes_it_with_lt_escaped(text in "(?s).{0,40}") {
            let serde = serde_json::to_string(&text).unwrap().replace('<', "\\u003c");
            proptest::prop_assert_eq!(quote(&text), serde);
        }
    }
}
