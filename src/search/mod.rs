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
//! and `search/text.<hash>.js` (the plain text, for excerpts; one script per
//! `TEXT_SHARD` pages, each appending to `window.nqSearchText`). Same
//! input, same bytes; `nqsite serve` keeps a [`Cache`] so a save redoes only
//! what the edited page changed.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use compact_str::CompactString;
use rayon::prelude::*;
use serde_json::{Value as Json, json};
use unicode_normalization::char::is_combining_mark;

use crate::content::FrontMatter;
use crate::context::Contexts;
use crate::diag::Diagnostic;
use crate::markdown::{Heading, Rendered};
use crate::model::Model;
use crate::output::{Bytes, Writer};
use crate::render::Theme;
use crate::resolve::{HOME, Site};
use crate::text::{fold, nfc};

mod cache;
pub use cache::Cache;

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
const EXTRA_FIELDS: [&str; 3] = ["description", "value", "source_text"];

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
    pub files: Vec<(String, Bytes)>,
    /// Site-relative paths of the scripts the search loads, in order.
    pub scripts: Vec<String>,
}

/// Pages per text script. A large site's text is split in several files
/// (loaded in order), so `nqsite serve` rewrites only the one that holds
/// the page being edited.
const TEXT_SHARD: usize = 500;

/// A named search script: `search/<kind>.<content hash>.js`.
#[derive(Debug, Clone)]
struct Script {
    path: String,
    bytes: Bytes,
}

impl Script {
    fn new(kind: &str, body: String) -> Script {
        Script {
            path: format!(
                "search/{kind}.{}.js",
                crate::fsutil::name_hash(body.as_bytes())
            ),
            bytes: Bytes::new(body.into_bytes()),
        }
    }
}

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

/// The syllables of `text`, as written: maximal runs of word characters.
pub fn syllables(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_word_char(c))
        .filter(|s| !s.is_empty())
}

/// One syllable, lower case and NFC.
pub fn token(syllable: &str) -> Token {
    let exact = if syllable.is_ascii() {
        CompactString::from(syllable.to_ascii_lowercase())
    } else {
        CompactString::from(nfc(&syllable.to_lowercase()).as_ref())
    };
    Token { exact }
}

/// Splits text into tokens.
pub fn tokenize(text: &str) -> Vec<Token> {
    syllables(text).map(token).collect()
}

/// Pages indexed together. Syllables are interned per chunk of pages (a
/// small vocabulary and 4-byte ids into it), so a large site holds one
/// compact id per occurrence instead of one string each, and chunks are
/// tokenized in parallel.
#[derive(Default)]
struct Chunk {
    /// The chunk's distinct exact forms, in first-seen order, with counts.
    words: Vec<(CompactString, u32)>,
    entries: Vec<Entry>,
}

/// What the index knows of one page.
struct Entry {
    title: String,
    href: String,
    kind: usize,
    /// Every token as an index into its chunk's `words`: the title's, then the body's.
    seq: Vec<u32>,
    /// Number of title tokens; the body starts at position `title_len + 1`.
    title_len: usize,
    /// Heading ranges, as body token indices `[start, end)`.
    headings: Vec<(usize, usize)>,
}

impl Entry {
    /// Position of the first body token (a gap after the title, so no
    /// phrase spans title and body).
    fn body_start(&self) -> usize {
        self.title_len + 1
    }

    fn body(&self) -> &[u32] {
        &self.seq[self.title_len..]
    }
}

/// Interns the syllables of a chunk of pages.
#[derive(Default)]
struct Interner {
    /// Exact form → id.
    ids: HashMap<CompactString, u32>,
    /// Syllable as written → id: each spelling is lower-cased once.
    seen: HashMap<CompactString, u32>,
    words: Vec<(CompactString, u32)>,
}

impl Interner {
    fn push(&mut self, syllable: &str, seq: &mut Vec<u32>) {
        let id = match self.seen.get(syllable) {
            Some(&id) => id,
            None => {
                let id = self.intern(token(syllable).exact);
                self.seen.insert(CompactString::from(syllable), id);
                id
            }
        };
        if let Some(w) = self.words.get_mut(id as usize) {
            w.1 += 1;
        }
        seq.push(id);
    }

    fn intern(&mut self, exact: CompactString) -> u32 {
        if let Some(&id) = self.ids.get(exact.as_str()) {
            return id;
        }
        let id = u32::try_from(self.words.len()).unwrap_or(u32::MAX);
        self.ids.insert(exact.clone(), id);
        self.words.push((exact, 0));
        id
    }

    /// The ids of `text`'s syllables, or `None` if one never occurred.
    fn lookup(&self, text: &str) -> Option<Vec<u32>> {
        syllables(text)
            .map(|s| self.ids.get(token(s).exact.as_str()).copied())
            .collect()
    }
}

/// Builds the index of every page but home, with the theme's labels; the
/// scripts to load end with the theme's `search.js`. With a `cache` (kept
/// by `nqsite serve` between builds) only the pages that changed are
/// tokenized again; the bytes are the same either way.
pub fn build(
    site: &Site,
    rendered: &[Rendered],
    theme: &Theme,
    cache: Option<&mut Cache>,
) -> SearchIndex {
    let pages: Vec<usize> = (0..site.nodes.len()).filter(|&i| i != HOME).collect();
    let strings = theme.strings();
    let (index, texts) = match cache {
        Some(cache) => cache.scripts(site, rendered, &pages, strings),
        None => scripts(site, rendered, &pages, strings, TEXT_SHARD),
    };
    let mut out = SearchIndex::default();
    for script in std::iter::once(index).chain(texts) {
        out.scripts.push(script.path.clone());
        out.files.push((script.path, script.bytes));
    }
    out.scripts
        .extend(theme.asset_paths.get("search.js").cloned());
    let manifest = format!(
        "window.nqSearchScripts={};\n",
        to_json(&json!(out.scripts.join(" ")))
    );
    out.files
        .push((MANIFEST.to_string(), Bytes::new(manifest.into_bytes())));
    out
}

/// The one search file with a fixed name: it names the content-hashed index
/// and script files. Pages refer only to it, so an edit that changes the
/// index does not change every page (serve rewrites only what changed);
/// portals serve it like HTML, without long caching.
pub const MANIFEST: &str = "search/manifest.js";

/// The index script and the text scripts (`shard` pages each) of a whole
/// site, pages tokenized by chunks in parallel.
fn scripts(
    site: &Site,
    rendered: &[Rendered],
    pages: &[usize],
    strings: &BTreeMap<String, String>,
    shard: usize,
) -> (Script, Vec<Script>) {
    // Enough chunks to keep every thread busy; the output does not depend on it.
    let size = (pages.len() / (rayon::current_num_threads() * 4)).clamp(16, 512);
    let chunks: Vec<Chunk> = pages
        .par_chunks(size)
        .map(|chunk| {
            let mut interner = Interner::default();
            let entries = chunk
                .iter()
                .map(|&i| {
                    let text = page_text(site, i, &rendered[i]);
                    entry(site, i, &rendered[i], &text, &mut interner)
                })
                .collect();
            Chunk {
                words: interner.words,
                entries,
            }
        })
        .collect();
    let index = chunks_index(&chunks, strings);
    drop(chunks);
    let texts = text_shards(pages, shard)
        .par_iter()
        .map(|shard| {
            let quoted = shard
                .iter()
                .map(|&i| quote(&page_text(site, i, &rendered[i])));
            Script::new("text", text_script(quoted))
        })
        .collect();
    (Script::new("index", index), texts)
}

/// The index script of pages tokenized by chunks: the site's vocabulary
/// from every chunk's words, then each page's ids into it.
fn chunks_index(chunks: &[Chunk], strings: &BTreeMap<String, String>) -> String {
    let vocab = vocabulary(chunks.iter().flat_map(|c| &c.words));
    let ids = id_map(&vocab);
    let page_json: Vec<String> = chunks
        .par_iter()
        .flat_map_iter(|c| {
            let global = global_ids(&c.words, &ids);
            c.entries
                .iter()
                .map(|e| page_json(e, &global))
                .collect::<Vec<_>>()
        })
        .collect();
    index_script(page_json.iter().map(String::as_str), &vocab, strings)
}

/// The pages of each text script, in order (one empty shard for a site
/// without pages, so the texts are always defined).
fn text_shards<T>(pages: &[T], shard: usize) -> Vec<&[T]> {
    if pages.is_empty() {
        return vec![pages];
    }
    pages.chunks(shard.max(1)).collect()
}

/// The front matter fields searched with the body: [`EXTRA_FIELDS`], then
/// those the document's type names in `search.weights` in site.yaml.
fn searched_fields<'a>(
    model: &'a Model,
    fm: &'a FrontMatter,
) -> impl Iterator<Item = Option<&'a str>> {
    let declared = model
        .of(fm)
        .and_then(|d| d.search.as_ref())
        .into_iter()
        .flat_map(|s| s.weights.keys().map(String::as_str))
        .filter(|k| !EXTRA_FIELDS.contains(k));
    EXTRA_FIELDS.into_iter().chain(declared).map(|k| match k {
        "description" => fm.description.as_deref(),
        k => fm.extra_str(k),
    })
}

/// The searched text of a page: some front matter fields, then the body's
/// text, white space collapsed.
fn page_text(site: &Site, i: usize, rendered: &Rendered) -> String {
    let mut text = String::with_capacity(rendered.text.len());
    let fields = searched_fields(&site.config.model, &site.nodes[i].doc.fm).flatten();
    for part in fields.chain([&*rendered.text]) {
        for word in part.split_whitespace() {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(word);
        }
    }
    text
}

fn entry(site: &Site, i: usize, rendered: &Rendered, text: &str, interner: &mut Interner) -> Entry {
    let node = &site.nodes[i];
    let fm = &node.doc.fm;
    let mut e = index_text(&fm.title, text, &rendered.headings, interner);
    e.href = node.path.clone();
    e.kind = kind_of(fm.doc_type.as_deref(), &node.path);
    e
}

/// Tokenizes a title and a body text and finds the headings in the body.
fn index_text(title: &str, text: &str, headings: &[Heading], interner: &mut Interner) -> Entry {
    let mut seq = Vec::new();
    for s in syllables(title) {
        interner.push(s, &mut seq);
    }
    let title_len = seq.len();
    for s in syllables(text) {
        interner.push(s, &mut seq);
    }
    let headings = heading_ranges(&seq[title_len..], interner, headings);
    Entry {
        title: title.to_string(),
        href: String::new(),
        kind: OTHER,
        seq,
        title_len,
        headings,
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

/// How far past the previous heading a heading's tokens are looked for
/// (bounds the work on hostile input with many headings).
const HEADING_SCAN: usize = 20_000;

/// Finds each heading's tokens in the body, in order.
fn heading_ranges(body: &[u32], interner: &Interner, headings: &[Heading]) -> Vec<(usize, usize)> {
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
        let found = (from..=last).find(|&s| body[s..s + wanted.len()] == wanted[..]);
        if let Some(start) = found {
            ranges.push((start, start + wanted.len()));
            from = start + wanted.len();
        }
    }
    ranges
}

/// Token ids: every exact form, most frequent first (ties in byte order),
/// so the commonest syllables get the shortest ids. `words` are (form,
/// count) pairs, a form possibly several times.
fn vocabulary<'a>(words: impl Iterator<Item = &'a (CompactString, u32)>) -> Vec<&'a str> {
    // A hash map, not a BTreeMap: many lookups on large sites; the order
    // comes from the sort below.
    let mut counts: HashMap<&str, u64> = HashMap::new();
    for (w, n) in words {
        *counts.entry(w.as_str()).or_default() += u64::from(*n);
    }
    sorted_vocabulary(counts.into_iter())
}

/// The forms of (form, total count) pairs in vocabulary order.
fn sorted_vocabulary<'a>(counts: impl Iterator<Item = (&'a str, u64)>) -> Vec<&'a str> {
    let mut words: Vec<(&str, u64)> = counts.collect();
    words.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    words.into_iter().map(|(w, _)| w).collect()
}

/// Form → id in `vocab`.
fn id_map<'a>(vocab: &[&'a str]) -> HashMap<&'a str, u32> {
    vocab
        .iter()
        .enumerate()
        .map(|(i, w)| (*w, u32::try_from(i).unwrap_or(u32::MAX)))
        .collect()
}

/// A page's tokens in position order as space-separated base-36 ids; the
/// browser files them under their folded form to get positional postings.
fn encode_sequence(e: &Entry, global: &[u32], out: &mut String) {
    for (n, &local) in e.seq.iter().enumerate() {
        if n > 0 {
            out.push(' ');
        }
        base36(
            global.get(local as usize).copied().unwrap_or(0) as usize,
            out,
        );
    }
}

/// Ids in the site's vocabulary of a chunk's words, by chunk id.
fn global_ids(words: &[(CompactString, u32)], ids: &HashMap<&str, u32>) -> Vec<u32> {
    words
        .iter()
        .map(|(w, _)| ids.get(w.as_str()).copied().unwrap_or(0))
        .collect()
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

/// One page of the index: `[title,href,kind,body_start,body_len,"s-e,…","ids"]`.
fn page_json(e: &Entry, global: &[u32]) -> String {
    let mut out = String::with_capacity(e.seq.len() * 3 + 64);
    out.push('[');
    out.push_str(&to_json(&json!(e.title)));
    out.push(',');
    out.push_str(&to_json(&json!(e.href)));
    let _ = write!(out, ",{},{},{},\"", e.kind, e.body_start(), e.body().len());
    for (n, (s, end)) in e.headings.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        let _ = write!(out, "{s}-{end}");
    }
    out.push_str("\",\"");
    encode_sequence(e, global, &mut out);
    out.push_str("\"]");
    out
}

/// The ranking part of the index: labels, UI strings, the vocabulary and
/// each page with its token ids (from [`page_json`]). Written piece by piece
/// (keys in the same sorted order as a JSON object): no JSON tree of a large
/// site in memory.
fn index_script<'a>(
    pages: impl Iterator<Item = &'a str>,
    vocab: &[&str],
    strings: &BTreeMap<String, String>,
) -> String {
    let label = |k: &str| strings.get(k).cloned().unwrap_or_else(|| k.to_string());
    let ui: BTreeMap<&str, &str> = strings
        .iter()
        .filter(|(k, _)| k.starts_with("search_"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut out = String::from("window.nqSearchIndex={\"pages\":[");
    for (n, p) in pages.enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(p);
    }
    let types: Vec<String> = KINDS.iter().map(|k| label(k)).collect();
    let _ = writeln!(
        out,
        "],\"t\":{},\"types\":{},\"v\":1,\"vocab\":{}}};",
        to_json(&json!(ui)),
        to_json(&json!(types)),
        to_json(&json!(vocab.join(" ")))
    );
    out
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
    ctx.insert("sections", &contexts.site_map());
    let html = theme.render("search.html", &ctx, Path::new("search.html"))?;
    if site.nodes.iter().all(|n| n.path != PAGE_PATH) {
        out.html(&format!("{PAGE_PATH}index.html"), html.into_bytes())?;
    }
    for (rel, bytes) in &index.files {
        out.shared(rel, bytes)?;
    }
    Ok(())
}

/// One text script: appends the quoted texts ([`quote`]) of its pages to
/// `window.nqSearchText`, written one after another (the texts are the
/// biggest part of the index: no intermediate JSON tree or extra copy).
fn text_script<T: AsRef<str>>(quoted: impl Iterator<Item = T>) -> String {
    let mut out = String::from("(window.nqSearchText=window.nqSearchText||[]).push(");
    for (n, text) in quoted.enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(text.as_ref());
    }
    out.push_str(");\n");
    out
}

/// A string as a JSON literal that is safe inside a script.
fn quote(text: &str) -> String {
    serde_json::to_string(text)
        .unwrap_or_else(|_| "\"\"".into())
        .replace('<', "\\u003c")
}

/// JSON that is safe inside a script: `<` is escaped so no `</script>` can appear.
fn to_json(v: &Json) -> String {
    serde_json::to_string(v)
        .unwrap_or_default()
        .replace('<', "\\u003c")
}

/// Builds the index and text scripts of `pages` (title, body text) as a
/// site build does, reads them back as JSON and checks what the browser
/// relies on: every token is encoded, every id is in the vocabulary, the
/// vocabulary has no duplicates, titles and texts come back as given, and
/// no `<` is left unescaped. Used by the fuzz target `search_index` and by
/// a property test.
#[doc(hidden)]
pub fn check_scripts(pages: &[(&str, &str)]) -> Result<(), String> {
    let mut interner = Interner::default();
    let texts: Vec<String> = pages
        .iter()
        .map(|(_, body)| body.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let entries = pages
        .iter()
        .zip(&texts)
        .map(|((title, _), text)| index_text(title, text, &[], &mut interner))
        .collect();
    let chunk = Chunk {
        words: interner.words,
        entries,
    };
    // Words are distinct within a chunk: the vocabulary must hold each once.
    let distinct_words = chunk.words.len();
    let index = chunks_index(&[chunk], &BTreeMap::new());
    let text = text_script(texts.iter().map(|t| quote(t)));
    if index.contains('<') || text.contains('<') {
        return Err("unescaped `<` in a script".into());
    }
    let index: Json = serde_json::from_str(
        index
            .strip_prefix("window.nqSearchIndex=")
            .and_then(|s| s.strip_suffix(";\n"))
            .ok_or("index script framing")?,
    )
    .map_err(|e| format!("index JSON: {e}"))?;
    let words: Vec<&str> = index["vocab"]
        .as_str()
        .ok_or("vocab")?
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect();
    let distinct: std::collections::HashSet<&&str> = words.iter().collect();
    if distinct.len() != words.len() || words.len() != distinct_words {
        return Err("vocabulary has duplicates or lost words".into());
    }
    let listed = index["pages"].as_array().ok_or("pages")?;
    if listed.len() != pages.len() {
        return Err("page count".into());
    }
    for ((page, (title, _)), text) in listed.iter().zip(pages).zip(&texts) {
        if page[0].as_str() != Some(*title) {
            return Err(format!("title {title:?} came back as {}", page[0]));
        }
        let ids: Vec<&str> = page[6]
            .as_str()
            .ok_or("ids")?
            .split(' ')
            .filter(|w| !w.is_empty())
            .collect();
        let (title_len, body_len) = (tokenize(title).len(), tokenize(text).len());
        if ids.len() != title_len + body_len
            || page[3].as_u64() != Some(title_len as u64 + 1)
            || page[4].as_u64() != Some(body_len as u64)
        {
            return Err(format!("token count of {title:?}"));
        }
        for id in ids {
            let n = usize::from_str_radix(id, 36).map_err(|e| e.to_string())?;
            if n >= words.len() {
                return Err(format!("id {id} outside the vocabulary"));
            }
        }
    }
    let body = text
        .strip_prefix("(window.nqSearchText=window.nqSearchText||[]).push(")
        .and_then(|s| s.strip_suffix(");\n"))
        .ok_or("text script framing")?;
    let back: Vec<String> =
        serde_json::from_str(&format!("[{body}]")).map_err(|e| format!("text JSON: {e}"))?;
    if back != texts {
        return Err("texts changed on the way".into());
    }
    Ok(())
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
    fn fast_paths_agree_with_unicode_classes() {
        for c in ('\u{C0}'..='\u{24F}').chain('\u{1E00}'..='\u{1EFF}') {
            let unicode = c.is_alphabetic() || c.is_numeric() || is_combining_mark(c);
            assert_eq!(is_word_char(c), unicode, "{c:?}");
        }
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

    /// One chunk of pages given as (title, body).
    fn chunk_of(pages: &[(&str, &str)]) -> Chunk {
        let mut interner = Interner::default();
        let entries = pages
            .iter()
            .map(|(title, body)| {
                let text = body.split_whitespace().collect::<Vec<_>>().join(" ");
                index_text(title, &text, &[], &mut interner)
            })
            .collect();
        Chunk {
            words: interner.words,
            entries,
        }
    }

    fn encoded(c: &Chunk, e: usize, ids: &HashMap<&str, u32>) -> String {
        let mut s = String::new();
        encode_sequence(&c.entries[e], &global_ids(&c.words, ids), &mut s);
        s
    }

    #[test]
    fn title_and_body_tokens_are_interned_per_page() {
        let c = chunk_of(&[
            ("Chuyển đổi số", "Đẩy mạnh chuyển đổi số quốc gia."),
            ("Gia", "Số"),
        ]);
        let words: Vec<&str> = c.words.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(words, ["chuyển", "đổi", "số", "đẩy", "mạnh", "quốc", "gia"]);
        let e = &c.entries[0];
        assert_eq!(e.seq, [0, 1, 2, 3, 4, 0, 1, 2, 5, 6]);
        assert_eq!(c.entries[1].seq, [6, 2]);
        assert_eq!((c.words[0].1, c.words[2].1), (2, 3));
        // Title 0..3, a gap at 3 so no phrase spans title and body, body from 4.
        assert_eq!((e.title_len, e.body_start(), e.body().len()), (3, 4, 7));
    }

    #[test]
    fn vocabulary_puts_frequent_forms_first_and_sequences_use_it() {
        // Two chunks, as a large site is split: the ids are the site's.
        let chunks = [
            chunk_of(&[("Đảng", "đang đổi đổi")]),
            chunk_of(&[("Đổi", "dời đổi")]),
        ];
        let vocab = vocabulary(chunks.iter().flat_map(|c| &c.words));
        assert_eq!(vocab, ["đổi", "dời", "đang", "đảng"]);
        let ids = id_map(&vocab);
        assert_eq!(encoded(&chunks[0], 0, &ids), "3 2 0 0");
        assert_eq!(encoded(&chunks[1], 0, &ids), "0 1 0");
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
        let text = "Mở đầu Mục tiêu chung là mục tiêu Mục tiêu nội dung";
        let e = index_text("", text, &headings, &mut Interner::default());
        assert_eq!(e.headings, [(0, 2), (2, 4)]);
    }

    #[test]
    fn text_script_quotes_each_text_and_escapes_tags() {
        let script = text_script(["a \"b\"", "</script>"].iter().map(|t| quote(t)));
        assert_eq!(
            script,
            "(window.nqSearchText=window.nqSearchText||[]).push(\"a \\\"b\\\"\",\"\\u003c/script>\");\n"
        );
    }

    proptest::proptest! {
        #[test]
        fn scripts_hold_every_token_of_any_text(
            pages in proptest::collection::vec(("\\PC{0,12}", "\\PC{0,80}"), 0..5)
        ) {
            let pages: Vec<(&str, &str)> =
                pages.iter().map(|(t, b)| (t.as_str(), b.as_str())).collect();
            proptest::prop_assert_eq!(check_scripts(&pages), Ok(()));
        }
    }

    #[test]
    fn scripts_check_holds_for_vietnamese_and_markup() {
        let pages = [
            (
                "Câu 15: Đảng",
                "Chuyển đổi số </script> <b>x</b> \"q\" \\ 0,7%",
            ),
            ("", ""),
            ("ĐẢNG đảng Đảng", "dời đổi DỜI  \n\t tab"),
        ];
        assert_eq!(check_scripts(&pages), Ok(()));
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
        let c = chunk_of(&[("A </script> b", "c đổi d"), ("E", "đổi f")]);
        let strings = BTreeMap::from([("search_type_qa".to_string(), "Hỏi đáp".to_string())]);
        let vocab = vocabulary(c.words.iter());
        let global = global_ids(&c.words, &id_map(&vocab));
        let pages: Vec<String> = c.entries.iter().map(|e| page_json(e, &global)).collect();
        let script = || index_script(pages.iter().map(String::as_str), &vocab, &strings);
        let (a, b) = (script(), script());
        assert_eq!(a, b);
        assert!(a.starts_with("window.nqSearchIndex={"));
        assert!(!a.contains("</script"));
        assert!(a.contains("\"Hỏi đáp\""));
    }
}
