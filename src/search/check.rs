//! A check of the index files as the browser reads them, for the fuzz
//! target `search_index` and a property test.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value as Json;

use super::analyze::{self, Analysis, Interner, Syllables, form, key};
use super::cache::{self, Cache, Fingerprint, Source};
use super::encode::{js_order, read_vlq};
use super::{Plan, Words};
use crate::fsutil::hash64;
use crate::model::Model;

/// Pages given as (title, body), at paths `p0/`, `p1/`…
pub(super) struct TextPages<'a> {
    pages: &'a [(&'a str, &'a str)],
    paths: Vec<String>,
}

impl<'a> TextPages<'a> {
    pub(super) fn new(pages: &'a [(&'a str, &'a str)]) -> TextPages<'a> {
        TextPages {
            pages,
            paths: (0..pages.len()).map(|i| format!("p{i}/")).collect(),
        }
    }
}

impl Source for TextPages<'_> {
    fn count(&self) -> usize {
        self.pages.len()
    }
    fn path(&self, i: usize) -> &str {
        &self.paths[i]
    }
    fn title(&self, i: usize) -> &str {
        self.pages[i].0
    }
    fn kind(&self, _: usize) -> usize {
        // The one category of a model with no types: "other".
        0
    }
    fn fingerprint(&self, i: usize, _: Option<&Fingerprint>) -> Option<Fingerprint> {
        let (title, body) = self.pages[i];
        Some(Fingerprint {
            key: hash64(title.as_bytes()) ^ hash64(body.as_bytes()).rotate_left(1),
            basis: None,
        })
    }
    fn analyze(&self, i: usize, interner: &mut Interner) -> Analysis {
        let (title, body) = self.pages[i];
        analyze::analyze_text(title, body, interner)
    }
    fn text(&self, i: usize) -> String {
        analyze::page_text(&[], self.pages[i].1)
    }
}

/// Builds the index files of `pages` (title, body) as a site build does,
/// reads them back as the browser does and checks what it relies on: the
/// meta script names every shard and each exists; term shards hold sorted
/// keys inside their range, readable postings of pages in order; every
/// syllable and every pair inside a phrase of every page is found under its
/// key, in the shard the directory points to, with that page; the doc
/// shards give back each title and text; no `<` is left unescaped. Used by
/// the fuzz target `search_index` and by a property test.
#[doc(hidden)]
pub fn check_scripts(pages: &[(&str, &str)]) -> Result<(), String> {
    let source = TextPages::new(pages);
    let plan = Plan::new(&Model::default(), "");
    let meta =
        |_: &dyn Fn(&str) -> bool| super::meta_fields(&BTreeMap::new(), &Words::default(), &plan);
    let (meta_path, files) =
        cache::build_files(&mut Cache::default(), &source, cache::settings(&plan), meta)
            .map_err(|e| e.message)?;
    let text: HashMap<&str, &str> = files
        .iter()
        .map(|(p, b)| {
            Ok((
                p.as_str(),
                std::str::from_utf8(&b.bytes).map_err(|e| e.to_string())?,
            ))
        })
        .collect::<Result<_, String>>()?;
    if let Some((p, _)) = text.iter().find(|(_, t)| t.contains('<')) {
        return Err(format!("unescaped `<` in {p}"));
    }
    let meta = unwrap(text[meta_path.as_str()], "window.nqSearchMeta=", ";\n")?;
    let meta: Json = serde_json::from_str(meta).map_err(|e| format!("meta: {e}"))?;
    let n = meta["n"].as_u64().ok_or("n")? as usize;
    if n != pages.len()
        || meta["k"].as_str().map(|k| k.chars().count()) != Some(n)
        || meta["l"].as_str().map(|l| l.chars().count()) != Some(n)
    {
        return Err("page count".into());
    }
    let dir = term_directory(&meta, &text)?;
    for (i, (title, body)) in pages.iter().enumerate() {
        for part in [*title, *body] {
            for term in terms_of(part) {
                find(&dir, &term, i)?;
            }
        }
    }
    check_docs(&meta, &text, pages)
}

fn unwrap<'a>(script: &'a str, head: &str, tail: &str) -> Result<&'a str, String> {
    script
        .strip_prefix(head)
        .and_then(|s| s.strip_suffix(tail))
        .ok_or_else(|| format!("script framing: {}", &script[..script.len().min(40)]))
}

/// A term shard read back: its first key and entries by key.
struct Shard {
    first: String,
    entries: serde_json::Map<String, Json>,
}

/// Reads every term shard the meta script names, checking each one's keys
/// fall in its range of the directory and its postings read back.
fn term_directory(meta: &Json, text: &HashMap<&str, &str>) -> Result<Vec<Shard>, String> {
    let x = meta["x"].as_str().ok_or("x")?;
    let n = meta["n"].as_u64().unwrap_or(0) as u32;
    let mut shards: Vec<Shard> = Vec::new();
    for item in x.split('|').filter(|s| !s.is_empty()) {
        let (first, name) = item.rsplit_once('/').ok_or("directory item")?;
        let path = format!("search/t.{name}.js");
        let script = text.get(path.as_str()).ok_or(format!("missing {path}"))?;
        let body = unwrap(script, "nqSearch.add(\"t\",", ");\n")?;
        let entries: serde_json::Map<String, Json> =
            serde_json::from_str(body).map_err(|e| format!("{path}: {e}"))?;
        if !entries.contains_key(first) {
            return Err(format!("{path} does not start with {first:?}"));
        }
        if let Some(prev) = shards.last()
            && js_order(&prev.first, first) != std::cmp::Ordering::Less
        {
            return Err("directory out of order".into());
        }
        for (k, v) in &entries {
            if js_order(k, first) == std::cmp::Ordering::Less {
                return Err(format!("{k:?} before its shard's first key {first:?}"));
            }
            check_entry(k, v.as_str().ok_or("entry")?, n)?;
        }
        shards.push(Shard {
            first: first.to_string(),
            entries,
        });
    }
    for pair in shards.windows(2) {
        if pair[0]
            .entries
            .keys()
            .any(|k| js_order(k, &pair[1].first) != std::cmp::Ordering::Less)
        {
            return Err(format!(
                "a key of shard {:?} is past the next one",
                pair[0].first
            ));
        }
    }
    Ok(shards)
}

/// Checks an entry: pairs of form and postings, pages ascending below `n`.
fn check_entry(k: &str, entry: &str, n: u32) -> Result<(), String> {
    let parts: Vec<&str> = entry.split('|').collect();
    if !parts.len().is_multiple_of(2) {
        return Err(format!("entry of {k:?}: odd number of parts"));
    }
    for pair in parts.chunks(2) {
        let form = if pair[0].is_empty() { k } else { pair[0] };
        if key(form) != k {
            return Err(format!("form {form:?} filed under {k:?}"));
        }
        let numbers = read_vlq(pair[1]).ok_or(format!("postings of {form:?}"))?;
        if numbers.is_empty() || !numbers.len().is_multiple_of(2) {
            return Err(format!("postings of {form:?}: {} numbers", numbers.len()));
        }
        let mut next = 0u32;
        for p in numbers.chunks(2) {
            let page = next.checked_add(p[0]).ok_or("page overflow")?;
            if page >= n || p[1] == 0 {
                return Err(format!("posting of {form:?}: page {page}, value {}", p[1]));
            }
            next = page + 1;
        }
    }
    Ok(())
}

/// The forms of a text's terms: each syllable, each pair inside a phrase.
fn terms_of(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut prev: Option<String> = None;
    for (s, starts) in Syllables::new(text) {
        let f = form(s).to_string();
        if let (Some(p), false) = (&prev, starts) {
            out.push(format!("{p} {f}"));
        }
        out.push(f.clone());
        prev = Some(f);
    }
    out
}

/// Finds `form` with page `page` in the shard the directory points to.
fn find(dir: &[Shard], form: &str, page: usize) -> Result<(), String> {
    let k = key(form);
    let at = dir.partition_point(|s| js_order(&s.first, &k) != std::cmp::Ordering::Greater);
    let shard = at
        .checked_sub(1)
        .map(|i| &dir[i])
        .ok_or(format!("no shard for {k:?}"))?;
    let entry = shard
        .entries
        .get(&k)
        .and_then(Json::as_str)
        .ok_or(format!("{k:?} not found"))?;
    let parts: Vec<&str> = entry.split('|').collect();
    for pair in parts.chunks(2) {
        let f = if pair[0].is_empty() {
            k.as_str()
        } else {
            pair[0]
        };
        if f != form {
            continue;
        }
        let numbers = read_vlq(pair[1]).unwrap_or_default();
        let mut next = 0;
        for p in numbers.chunks(2) {
            let id = next + p[0] as usize;
            if id == page {
                return Ok(());
            }
            next = id + 1;
        }
    }
    Err(format!("{form:?} of page {page} not found under {k:?}"))
}

/// Checks the doc shards give back every page's title, path and text.
fn check_docs(
    meta: &Json,
    text: &HashMap<&str, &str>,
    pages: &[(&str, &str)],
) -> Result<(), String> {
    let d = meta["d"].as_str().ok_or("d")?;
    let mut start = 0usize;
    for item in d.split('|').filter(|s| !s.is_empty()) {
        let (count, name) = item.rsplit_once('/').ok_or("doc directory item")?;
        let count: usize = count.parse().map_err(|_| "doc count")?;
        let path = format!("search/d.{name}.js");
        let script = text.get(path.as_str()).ok_or(format!("missing {path}"))?;
        let head = format!("nqSearch.add(\"d\",{start},");
        let body = unwrap(script, &head, ");\n")?;
        let docs: Vec<(String, String, String)> =
            serde_json::from_str(body).map_err(|e| format!("{path}: {e}"))?;
        if docs.len() != count {
            return Err(format!(
                "{path}: {} pages, directory says {count}",
                docs.len()
            ));
        }
        for (n, (title, href, body)) in docs.iter().enumerate() {
            let (t, b) = pages.get(start + n).ok_or("too many docs")?;
            let collapsed = b.split_whitespace().collect::<Vec<_>>().join(" ");
            if title != t || *href != format!("p{}/", start + n) || *body != collapsed {
                return Err(format!("page {} came back changed", start + n));
            }
        }
        start += count;
    }
    if start != pages.len() {
        return Err(format!("docs of {start} pages out of {}", pages.len()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn scripts_hold_every_term_of_any_text(
            pages in proptest::collection::vec(("\\PC{0,12}", "\\PC{0,80}"), 0..5)
        ) {
            let pages: Vec<(&str, &str)> =
                pages.iter().map(|(t, b)| (t.as_str(), b.as_str())).collect();
            proptest::prop_assert_eq!(check_scripts(&pages), Ok(()));
        }

        #[test]
        fn forms_are_stable(s in "\\PC{1,8}") {
            for syllable in analyze::syllables(&s) {
                let f = form(syllable);
                proptest::prop_assert_eq!(form(&f), f.clone());
                proptest::prop_assert_eq!(key(&f), key(&key(&f)));
            }
        }
    }

    #[test]
    fn scripts_check_holds_for_vietnamese_and_markup() {
        let pages = [
            (
                "Câu 15: Đảng",
                "Chuyển đổi số </script> <b>x</b> \"q\" \\ 0,7% | ~ AI ai",
            ),
            ("", ""),
            ("ĐẢNG đảng Đảng", "dời đổi DỜI  \n\t tab hoá hóa"),
        ];
        assert_eq!(check_scripts(&pages), Ok(()));
    }

    #[test]
    fn many_pages_make_many_shards_and_still_check() {
        let bodies: Vec<String> = (0..400)
            .map(|i| {
                format!(
                    "trang {i} chuyển đổi số từ{i} khoa học {} công nghệ",
                    i * 7919 % 1000
                )
            })
            .collect();
        let pages: Vec<(&str, &str)> = bodies.iter().map(|b| ("Tiêu đề", b.as_str())).collect();
        assert_eq!(check_scripts(&pages), Ok(()));
    }
}
