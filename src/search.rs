//! Search stage: a compact, static index of every page for the Vietnamese
//! search that runs in the browser (`themes/default/static/search.js`).
//!
//! Text is split into syllables (runs of letters, digits and marks). Each
//! syllable is kept in its exact lower-case form and filed under its ASCII
//! fold (`Đảng` → `đảng` under `dang`), so a query matches with or without
//! diacritics while exact spellings rank first. Every occurrence keeps its
//! position, so adjacent query syllables can be scored as a phrase. Positions
//! `0..title` are the title, then a gap, then the body; heading ranges inside
//! the body are listed per page so they can weigh more.
//!
//! Format, chosen for size (the shipped site's index is about 45 KB gzip):
//! a vocabulary of exact forms, most frequent first, and for each page its
//! tokens in position order as base-36 ids into it. The browser folds the
//! vocabulary once and turns the id sequences into positional postings per
//! folded syllable on load (a few milliseconds). Repeated phrases of official
//! text become repeated id runs, which gzip compresses far better than
//! delta-encoded postings (measured: 36 KB against 105 KB).
//!
//! The index is written as script files (not JSON to be fetched) so it also
//! loads from `file://`: `search/index.<hash>.js` (titles, types, token ids)
//! and `search/text.<hash>.js` (the plain text, for excerpts). Same input,
//! same bytes.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use compact_str::CompactString;
use rayon::prelude::*;
use serde_json::{Value as Json, json};
use unicode_normalization::char::is_combining_mark;

use crate::context::Contexts;
use crate::diag::Diagnostic;
use crate::markdown::Rendered;
use crate::output::Writer;
use crate::render::Theme;
use crate::resolve::{HOME, Site};
use crate::text::{fold, nfc};

/// Site path of the search page.
pub const PAGE_PATH: &str = "tim-kiem/";

/// The type labels, by index in the index's `types` (keys of `strings.yaml`).
const KINDS: [&str; 5] = [
    "search_type_resolution",
    "search_type_target",
    "search_type_guidance",
    "search_type_qa",
    "search_type_other",
];
const RESOLUTION: usize = 0;
const TARGET: usize = 1;
const GUIDANCE: usize = 2;
const QA: usize = 3;
const OTHER: usize = 4;

/// Front matter fields whose text is searched with the body (target pages
/// keep their figure and quoted sentence there).
const EXTRA_FIELDS: &[&str] = &["description", "value", "source_text"];

/// One syllable: its exact lower-case form and its ASCII fold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Lower case, NFC, diacritics kept: `đảng`. The browser folds it
    /// (`dang`) when it loads the vocabulary, so the index stores it once.
    /// Stored inline (syllables fit in 24 bytes): millions of tokens on a
    /// large site, no allocation each.
    pub exact: CompactString,
}

impl Token {
    /// Lower case ASCII fold: `dang`.
    pub fn folded(&self) -> String {
        fold(&self.exact).to_lowercase()
    }
}

/// The search files and where templates find them.
#[derive(Debug, Default)]
pub struct SearchIndex {
    /// Output files: (path relative to the output root, bytes).
    pub files: Vec<(String, Vec<u8>)>,
    /// Site-relative paths of the scripts the search loads, in order.
    pub scripts: Vec<String>,
}

/// True for characters that belong to a syllable (the browser's tokenizer
/// uses the same classes: `[\p{Alphabetic}\p{N}\p{M}]`).
fn is_word_char(c: char) -> bool {
    c.is_alphabetic() || c.is_numeric() || is_combining_mark(c)
}

/// The syllables of `text`, as written: maximal runs of word characters.
pub fn syllables(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_word_char(c))
        .filter(|s| !s.is_empty())
}

/// One syllable, lower case and NFC.
pub fn token(syllable: &str) -> Token {
    Token {
        exact: CompactString::from(nfc(&syllable.to_lowercase()).as_ref()),
    }
}

/// Splits text into tokens.
pub fn tokenize(text: &str) -> Vec<Token> {
    syllables(text).map(token).collect()
}

/// What the index knows of one page.
struct Entry {
    title: String,
    href: String,
    kind: usize,
    title_tokens: Vec<Token>,
    /// Position of the first body token (title length + 1).
    body_start: usize,
    body: Vec<Token>,
    /// Heading ranges, as body token indices `[start, end)`.
    headings: Vec<(usize, usize)>,
    text: String,
}

/// Builds the index of every page but home, with the theme's labels; the
/// scripts to load end with the theme's `search.js`.
pub fn build(site: &Site, rendered: &[Rendered], theme: &Theme) -> SearchIndex {
    let mut index = build_files(site, rendered, theme.strings());
    index
        .scripts
        .extend(theme.asset_paths.get("search.js").cloned());
    let manifest = format!(
        "window.nqSearchScripts={};\n",
        to_json(&json!(index.scripts.join(" ")))
    );
    index
        .files
        .push((MANIFEST.to_string(), manifest.into_bytes()));
    index
}

/// The one search file with a fixed name: it names the content-hashed index
/// and script files. Pages refer only to it, so an edit that changes the
/// index does not change every page (serve rewrites only what changed);
/// portals serve it like HTML, without long caching.
pub const MANIFEST: &str = "search/manifest.js";

fn build_files(
    site: &Site,
    rendered: &[Rendered],
    strings: &BTreeMap<String, String>,
) -> SearchIndex {
    let entries: Vec<Entry> = (0..site.nodes.len())
        .into_par_iter()
        .filter(|&i| i != HOME)
        .map(|i| entry(site, i, &rendered[i]))
        .collect();
    let index = index_script(&entries, strings);
    let text = text_script(&entries);
    drop(entries);
    let mut out = SearchIndex::default();
    for (name, body) in [("index", index), ("text", text)] {
        let path = format!(
            "search/{name}.{:08x}.js",
            crate::render::fnv32(body.as_bytes())
        );
        out.scripts.push(path.clone());
        out.files.push((path, body.into_bytes()));
    }
    out
}

fn entry(site: &Site, i: usize, rendered: &Rendered) -> Entry {
    let node = &site.nodes[i];
    let fm = &node.doc.fm;
    let mut parts: Vec<&str> = EXTRA_FIELDS
        .iter()
        .filter_map(|k| match *k {
            "description" => fm.description.as_deref(),
            k => fm.extra.get(k).and_then(|v| v.as_str()),
        })
        .collect();
    parts.push(&rendered.text);
    let text = collapse_spaces(&parts.join("\n"));
    let body = tokenize(&text);
    let headings = heading_ranges(&body, rendered);
    let title_tokens = tokenize(&fm.title);
    Entry {
        body_start: title_tokens.len() + 1,
        title_tokens,
        title: fm.title.clone(),
        href: node.path.clone(),
        kind: kind_of(fm.doc_type.as_deref(), &node.path),
        body,
        headings,
        text,
    }
}

/// The type label of a document: by its `type`, else by its top folder.
fn kind_of(doc_type: Option<&str>, path: &str) -> usize {
    match doc_type {
        Some("target" | "targets") => TARGET,
        Some("resolution" | "viewpoint" | "viewpoints" | "task" | "tasks") => RESOLUTION,
        Some("guidance" | "guidances") => GUIDANCE,
        Some("question" | "part" | "book" | "preface" | "speech") => QA,
        _ => match path.split('/').next() {
            Some("nghi-quyet") => RESOLUTION,
            Some("huong-dan") => GUIDANCE,
            Some("hoi-dap") => QA,
            _ => OTHER,
        },
    }
}

/// Every run of white space becomes one space; the ends are trimmed.
fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How far past the previous heading a heading's tokens are looked for
/// (bounds the work on hostile input with many headings).
const HEADING_SCAN: usize = 20_000;

/// Finds each heading's tokens in the body, in order.
fn heading_ranges(body: &[Token], rendered: &Rendered) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let mut from = 0;
    for h in &rendered.headings {
        let wanted = tokenize(&h.text);
        if wanted.is_empty() || wanted.len() > body.len() {
            continue;
        }
        let last = (body.len() - wanted.len()).min(from + HEADING_SCAN);
        let found = (from..=last).find(|&s| {
            body[s..s + wanted.len()]
                .iter()
                .zip(&wanted)
                .all(|(a, b)| a.exact == b.exact)
        });
        if let Some(start) = found {
            ranges.push((start, start + wanted.len()));
            from = start + wanted.len();
        }
    }
    ranges
}

/// Every token of a page with its position: the title from 0, then, after
/// a gap (so no phrase spans title and body), the body from `body_start`.
fn positions(e: &Entry) -> impl Iterator<Item = (usize, &Token)> {
    let body = e
        .body
        .iter()
        .enumerate()
        .map(|(k, t)| (e.body_start + k, t));
    e.title_tokens.iter().enumerate().chain(body)
}

/// Token ids: every exact form, most frequent first (ties in byte order),
/// so the commonest syllables get the shortest ids.
fn vocabulary(entries: &[Entry]) -> Vec<&str> {
    // A hash map, not a BTreeMap: millions of lookups on large sites; the
    // order comes from the sort below.
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (_, t) in entries.iter().flat_map(positions) {
        *counts.entry(t.exact.as_str()).or_default() += 1;
    }
    let mut words: Vec<(&str, usize)> = counts.into_iter().collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    words.into_iter().map(|(w, _)| w).collect()
}

/// A page's tokens in position order as space-separated base-36 ids; the
/// browser files them under their folded form to get positional postings.
fn encode_sequence(e: &Entry, ids: &HashMap<&str, usize>) -> String {
    let mut out = String::new();
    for (n, (_, t)) in positions(e).enumerate() {
        if n > 0 {
            out.push(' ');
        }
        base36(ids.get(t.exact.as_str()).copied().unwrap_or(0), &mut out);
    }
    out
}

/// Writes a number in base 36 (`0-9a-z`), the index's compact digits.
fn base36(mut n: usize, out: &mut String) {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut buf = [0u8; 16];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = DIGITS[n % 36];
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.extend(buf[i..].iter().map(|&b| char::from(b)));
}

/// The ranking part of the index: labels, UI strings, the vocabulary and
/// each page with its token ids.
fn index_script(entries: &[Entry], strings: &BTreeMap<String, String>) -> String {
    let vocab = vocabulary(entries);
    let ids: HashMap<&str, usize> = vocab.iter().enumerate().map(|(i, w)| (*w, i)).collect();
    let label = |k: &str| strings.get(k).cloned().unwrap_or_else(|| k.to_string());
    let ui: BTreeMap<&str, &str> = strings
        .iter()
        .filter(|(k, _)| k.starts_with("search_"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let pages: Vec<Json> = entries
        .par_iter()
        .map(|e| {
            let mut heads = String::new();
            for (n, (s, end)) in e.headings.iter().enumerate() {
                if n > 0 {
                    heads.push(',');
                }
                let _ = write!(heads, "{s}-{end}");
            }
            json!([
                e.title,
                e.href,
                e.kind,
                e.body_start,
                e.body.len(),
                heads,
                encode_sequence(e, &ids)
            ])
        })
        .collect();
    let value = json!({
        "v": 1,
        "types": KINDS.iter().map(|k| label(k)).collect::<Vec<_>>(),
        "t": ui,
        "pages": pages,
        "vocab": vocab.join(" "),
    });
    format!("window.nqSearchIndex={};\n", to_json(&value))
}

/// Writes the index scripts and the search page (`tim-kiem/`), unless the
/// site has its own page there. Renders even when checking, so a broken
/// `search.html` is reported by `nqsite check`.
pub fn write(
    index: &SearchIndex,
    site: &Site,
    theme: &Theme,
    contexts: &Contexts<'_>,
    out: &Writer<'_>,
) -> Result<(), Diagnostic> {
    let base = &site.config.base_path;
    let mut ctx = contexts.base().clone();
    let home = json!({ "href": base, "short_title": theme.strings().get("home") });
    let title = theme
        .strings()
        .get("search_title")
        .map_or("", String::as_str);
    ctx.insert(
        "page",
        &json!({ "title": title, "breadcrumbs": [home], "toc": [], "href": format!("{base}{PAGE_PATH}") }),
    );
    let html = theme.render("search.html", &ctx, Path::new("search.html"))?;
    if site.nodes.iter().all(|n| n.path != PAGE_PATH) {
        out.html(&format!("{PAGE_PATH}index.html"), &html)?;
    }
    for (rel, bytes) in &index.files {
        out.file(rel, bytes)?;
    }
    Ok(())
}

/// JSON that is safe inside a script: `<` is escaped so no `</script>` can appear.
/// `window.nqSearchText=[…];` written item by item (the texts are the
/// biggest part of the index: no intermediate JSON tree or extra copy).
fn text_script(entries: &[Entry]) -> String {
    let total: usize = entries.iter().map(|e| e.text.len() + 4).sum();
    let mut out = String::with_capacity(total + 32);
    out.push_str("window.nqSearchText=[");
    for (n, e) in entries.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        let quoted = serde_json::to_string(&e.text).unwrap_or_else(|_| "\"\"".into());
        out.push_str(&quoted.replace('<', "\\u003c"));
    }
    out.push_str("];\n");
    out
}

fn to_json(v: &Json) -> String {
    serde_json::to_string(v)
        .unwrap_or_default()
        .replace('<', "\\u003c")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(text: &str) -> Vec<(String, String)> {
        tokenize(text)
            .into_iter()
            .map(|t| (t.folded(), t.exact))
            .map(|(f, e)| (e.to_string(), f))
            .collect()
    }

    #[test]
    fn splits_syllables_on_spaces_and_punctuation() {
        let s: Vec<&str> = syllables("Nghị quyết số 57-NQ/TW, (5G) TFP…").collect();
        assert_eq!(s, ["Nghị", "quyết", "số", "57", "NQ", "TW", "5G", "TFP"]);
        assert_eq!(syllables(" — ").count(), 0);
    }

    #[test]
    fn folds_tones_marks_and_d_stroke_and_keeps_exact_lower_case() {
        assert_eq!(
            forms("Đảng CHUYỂN đổi"),
            [
                ("đảng".into(), "dang".into()),
                ("chuyển".into(), "chuyen".into()),
                ("đổi".into(), "doi".into())
            ]
        );
        assert_eq!(token("dời").folded(), token("đổi").folded());
        assert_ne!(token("dời").exact, token("đổi").exact);
    }

    #[test]
    fn decomposed_input_gives_the_same_tokens() {
        use unicode_normalization::UnicodeNormalization;
        let decomposed: String = "Thanh niên Việt Nam".nfd().collect();
        assert_eq!(forms(&decomposed), forms("thanh niên việt nam"));
    }

    #[test]
    fn encodes_numbers_in_base36() {
        let mut s = String::new();
        for n in [0, 9, 10, 35, 36, 1295] {
            base36(n, &mut s);
            s.push(' ');
        }
        assert_eq!(s, "0 9 a z 10 zz ");
    }

    fn entry_of(title: &str, body: &str) -> Entry {
        let text = collapse_spaces(body);
        let title_tokens = tokenize(title);
        Entry {
            title: title.into(),
            href: "x/".into(),
            kind: OTHER,
            body_start: title_tokens.len() + 1,
            title_tokens,
            body: tokenize(&text),
            headings: Vec::new(),
            text,
        }
    }

    #[test]
    fn positions_follow_the_text_so_phrases_are_adjacent() {
        let e = entry_of("Chuyển đổi số", "Đẩy mạnh chuyển đổi số quốc gia.");
        let at: Vec<(usize, &str)> = positions(&e).map(|(p, t)| (p, t.exact.as_str())).collect();
        // Title 0..3, a gap at 3 so no phrase spans title and body, body from 4.
        assert_eq!(
            at,
            [
                (0, "chuyển"),
                (1, "đổi"),
                (2, "số"),
                (4, "đẩy"),
                (5, "mạnh"),
                (6, "chuyển"),
                (7, "đổi"),
                (8, "số"),
                (9, "quốc"),
                (10, "gia")
            ]
        );
    }

    #[test]
    fn vocabulary_puts_frequent_forms_first_and_sequences_use_it() {
        let entries = [entry_of("Đảng", "đang đổi đổi"), entry_of("Đổi", "dời đổi")];
        let vocab = vocabulary(&entries);
        assert_eq!(vocab, ["đổi", "dời", "đang", "đảng"]);
        let ids: HashMap<&str, usize> = vocab.iter().enumerate().map(|(i, w)| (*w, i)).collect();
        assert_eq!(encode_sequence(&entries[0], &ids), "3 2 0 0");
        assert_eq!(encode_sequence(&entries[1], &ids), "0 1 0");
    }

    #[test]
    fn finds_heading_ranges_in_order() {
        let mut r = Rendered {
            text: "Mở đầu\nMục tiêu chung là mục tiêu\nMục tiêu\nnội dung".into(),
            ..Rendered::default()
        };
        for text in ["Mở đầu", "Mục tiêu"] {
            r.headings.push(crate::markdown::Heading {
                level: 2,
                id: "x".into(),
                text: text.into(),
            });
        }
        let body = tokenize(&r.text);
        assert_eq!(heading_ranges(&body, &r), [(0, 2), (2, 4)]);
    }

    #[test]
    fn maps_document_types_to_labels() {
        assert_eq!(kind_of(Some("target"), "nghi-quyet/muc-tieu/x/"), TARGET);
        assert_eq!(kind_of(Some("task"), "nghi-quyet/nhiem-vu/x/"), RESOLUTION);
        assert_eq!(kind_of(Some("page"), "nghi-quyet/to-chuc/"), RESOLUTION);
        assert_eq!(kind_of(Some("guidances"), "huong-dan/"), GUIDANCE);
        assert_eq!(kind_of(Some("speech"), "hoi-dap/phat-bieu/"), QA);
        assert_eq!(kind_of(Some("matrix"), "ma-tran/"), OTHER);
    }

    #[test]
    fn output_is_deterministic_and_script_safe() {
        let entries = [entry_of("A </script> b", "c đổi d"), entry_of("E", "đổi f")];
        let strings = BTreeMap::from([("search_type_qa".to_string(), "Hỏi đáp".to_string())]);
        let a = index_script(&entries, &strings);
        let b = index_script(&entries, &strings);
        assert_eq!(a, b);
        assert!(a.starts_with("window.nqSearchIndex={"));
        assert!(!a.contains("</script"));
        assert!(a.contains("\"Hỏi đáp\""));
    }
}
