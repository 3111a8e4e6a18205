//! The index of a site, built page by page and kept between builds by
//! `nqsite serve`.
//!
//! A save changes a page or two, yet the index covers every page. Each
//! page's analysis is kept with a fingerprint of what it was made from, the
//! postings of every term are kept merged, and so are the encoded entries
//! and the shard scripts. A rebuild analyses only the pages whose
//! fingerprint changed, moves their postings, re-encodes the keys they
//! touched and rewrites only the shards whose contents changed. A one-off
//! build is the same code on an empty cache, so the scripts are byte for
//! byte the same either way (a test below checks it).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use compact_str::CompactString;
use rayon::prelude::*;
use serde_json::{Value as Json, json};

use super::analyze::{Analysis, Interner, key};
use super::encode::{self, Namer, Script, js_order};
use crate::content::FrontMatter;
use crate::diag::Diagnostic;
use crate::fsutil::hash64;
use crate::output::Printed;

/// Bytes of entries per term shard (before gzip, about a third), and the most.
const TERM_TARGET: usize = 12_000;
const TERM_MAX: usize = 40_000;
/// Pages analysed at a time (bounds the memory analyses take).
const BATCH: usize = 2048;
/// Bytes of pages' `[title,href,text]` a one-off build keeps from their
/// analysis to their doc shards: every page's of a site of a few thousand
/// pages; past it, a page's is made again for its shard (`nqsite serve`
/// keeps them all). The unit tests keep a few, so that both ways are
/// compared with `nqsite serve`'s (`edits_give_the_same_files_as_a_one_off_build`).
#[cfg(not(test))]
const KEPT_DOCS: usize = 16 << 20;
#[cfg(test)]
const KEPT_DOCS: usize = 100;
/// Keys encoded at a time (a one-off build lets their postings go after).
const ENCODE_BATCH: usize = 4096;
/// Bytes of page texts per doc shard, and the most.
const DOC_TARGET: usize = 5_000;
const DOC_MAX: usize = 20_000;
/// Shard scripts made at a time before they are written: a one-off build
/// holds these, not the whole index (its doc shards are as large as the
/// site's text).
const SCRIPT_BATCH: usize = 256;

/// A kind of shard's directory in the meta script: each shard's label
/// (first key, or number of pages) and fingerprint.
type Directory = Vec<(String, u64)>;

/// Where a build's scripts go as they are made: (site path, file).
pub(super) type Emit<'a> = dyn Fn(&str, &Printed) -> Result<(), Diagnostic> + Sync + 'a;

/// What the cache needs of the pages to index, in id order.
pub(super) trait Source: Sync {
    /// Number of pages.
    fn count(&self) -> usize;
    /// Site path of page `i` (unique).
    fn path(&self, i: usize) -> &str;
    /// Fingerprint of everything page `i`'s analysis, title, path and kind
    /// come from; `None` when `known` (the cached page's) was taken from
    /// the same objects (compared by identity): the page is as it was.
    /// The same text is not hashed again.
    fn fingerprint(&self, i: usize, known: Option<&Fingerprint>) -> Option<Fingerprint>;
    /// Analyses page `i` with a chunk's interner.
    fn analyze(&self, i: usize, interner: &mut Interner) -> Analysis;
    /// The text shown in page `i`'s excerpts.
    fn text(&self, i: usize) -> String;
    /// Title of page `i`.
    fn title(&self, i: usize) -> &str;
    /// Category of page `i` (index in the meta script's `types`).
    fn kind(&self, i: usize) -> usize;
}

/// A page's fingerprint and what it was taken from (none: key 0, no basis).
#[derive(Clone, Default)]
pub(super) struct Fingerprint {
    pub key: u64,
    pub basis: Option<Basis>,
}

/// What a fingerprint was taken from, shared with the build that made it
/// (`nqsite serve` hands a document's unchanged text and front matter to
/// each build by reference): the same text, front matter and kind, by
/// identity, give the same fingerprint without hashing anything.
#[derive(Clone)]
pub(super) struct Basis {
    pub text: Arc<str>,
    pub text_hash: u64,
    pub head: Arc<FrontMatter>,
    pub kind: usize,
}

impl Basis {
    /// True when this was taken from `text` and `head` (by identity) and
    /// `kind`.
    pub fn taken_from(&self, text: &Arc<str>, head: &Arc<FrontMatter>, kind: usize) -> bool {
        Arc::ptr_eq(&self.text, text) && Arc::ptr_eq(&self.head, head) && self.kind == kind
    }
}

/// The sorted keys are sorted again, rather than the new keys put in
/// their places, when more than one in this many of them are new.
const RESORT_SHARE: usize = 16;

/// The index of a site as last built.
#[derive(Default)]
pub struct Cache {
    /// Keep each page's terms after a build, to update the postings on the
    /// next one (`nqsite serve`); a one-off build lets them go.
    keep: bool,
    /// Fingerprint of the weights and words the index was built with.
    settings: Option<u64>,
    pages: HashMap<String, Page>,
    /// Page paths in id order.
    order: Vec<String>,
    terms: Terms,
    /// Term shard scripts by the fingerprint of their contents.
    term_shards: foldhash::HashMap<u64, Script>,
    /// Doc shard scripts by the fingerprint of their contents.
    doc_shards: foldhash::HashMap<u64, Script>,
}

/// Every term (syllable or pair) of the site: forms, their keys, postings.
#[derive(Default)]
struct Terms {
    forms: Vec<CompactString>,
    ids: foldhash::HashMap<CompactString, u32>,
    /// The key id of each form.
    key_of: Vec<u32>,
    /// The postings of each form, by page.
    postings: Vec<Postings>,
    /// Encode postings as they come (a one-off build: pages in id order).
    compact: bool,
    keys: Vec<String>,
    key_ids: foldhash::HashMap<String, u32>,
    /// The forms of each key, sorted.
    key_forms: Vec<Vec<u32>>,
    /// The encoded entry of each key and its hash; `None` when no page has it.
    entries: Vec<Option<(String, u64)>>,
    /// The keys that have an entry, in the browser's order.
    sorted: Vec<u32>,
}

/// The postings of a form.
enum Postings {
    /// `(page id, value)`, updated in place (`nqsite serve`).
    Pairs(Vec<(u32, u32)>),
    /// Already in the postings code, pages appended in order (a one-off
    /// build: about a third of the memory): the next page id and the code.
    Code(u32, String),
}

impl Postings {
    fn is_empty(&self) -> bool {
        match self {
            Postings::Pairs(list) => list.is_empty(),
            Postings::Code(_, code) => code.is_empty(),
        }
    }

    /// The postings in the code.
    fn code(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Postings::Pairs(list) => {
                let mut out = String::new();
                encode::postings(list, &mut out);
                out.into()
            }
            Postings::Code(_, code) => code.as_str().into(),
        }
    }
}

struct Page {
    print: Fingerprint,
    /// `(form id, value)`; empty in a one-off build (posted at once).
    terms: Vec<(u32, u32)>,
    len: u32,
    kind: usize,
    /// `[title,href,text]` as script-safe JSON (kept for `nqsite serve`;
    /// a one-off build keeps the first ones, [`KEPT_DOCS`], and makes the
    /// others again when it writes the doc shards), its length and hash.
    doc: Option<String>,
    doc_len: usize,
    doc_hash: u64,
}

impl Cache {
    /// A cache that keeps what the next build needs (for `nqsite serve`).
    pub fn new() -> Cache {
        Cache {
            keep: true,
            ..Cache::default()
        }
    }

    /// Builds (or updates) the index of `source`, handing every script to
    /// `emit` as it is made; `meta` adds the site-wide fields (labels,
    /// strings, words) to the meta script, told which keys the index holds.
    /// Returns the meta script's path, written last.
    pub(super) fn build(
        &mut self,
        source: &dyn Source,
        settings: u64,
        meta: impl FnOnce(&dyn Fn(&str) -> bool) -> Vec<(&'static str, Json)>,
        emit: &Emit<'_>,
    ) -> Result<String, Diagnostic> {
        if self.settings != Some(settings) || !self.keep {
            *self = Cache {
                keep: self.keep,
                settings: Some(settings),
                ..Cache::default()
            };
        }
        let dirty = self.refresh(source);
        self.terms.encode(&dirty);
        if !self.keep {
            self.terms.release();
        }
        let mut out = ScriptWriter {
            keep: self.keep,
            namer: Namer::default(),
            emit,
        };
        let (parts, term_dir) = self.terms.shards();
        let prints: Vec<u64> = parts.iter().map(|p| p.0).collect();
        let terms = out.write(
            &prints,
            &|i| self.terms.script(parts[i].1),
            &self.term_shards,
        )?;
        let mut fields = meta(&|k| self.terms.has(k));
        if !self.keep {
            self.terms = Terms::default();
        }
        let order: Vec<&Page> = self
            .order
            .iter()
            .filter_map(|p| self.pages.get(p))
            .collect();
        let (parts, doc_dir) = doc_parts(source, &order);
        let make = |i: usize| {
            let (_, first, n) = parts[i];
            let docs = (first..first + n)
                .map(|i| order[i].doc.clone().unwrap_or_else(|| page_doc(source, i)));
            Script::new("d", encode::doc_script(first, docs))
        };
        let prints: Vec<u64> = parts.iter().map(|p| p.0).collect();
        let docs = out.write(&prints, &make, &self.doc_shards)?;
        fields.extend(page_fields(&order));
        let dir = |list: &Directory, names: &foldhash::HashMap<u64, String>| {
            list.iter()
                .map(|(label, print)| {
                    format!("{label}/{}", names.get(print).map_or("", String::as_str))
                })
                .collect::<Vec<_>>()
                .join("|")
        };
        fields.push(("x", json!(dir(&term_dir, &terms.names))));
        fields.push(("d", json!(dir(&doc_dir, &docs.names))));
        let meta = Script::new("meta", encode::meta_script(&fields));
        let path = encode::path(meta.kind, &out.namer.name(&meta));
        emit(&path, &meta.file)?;
        if self.keep {
            self.term_shards = terms.scripts;
            self.doc_shards = docs.scripts;
        } else {
            *self = Cache::default();
        }
        Ok(path)
    }

    /// Analyses the pages that are new or changed, drops the pages that are
    /// gone and brings the postings up to date. Returns the keys to encode.
    fn refresh(&mut self, source: &dyn Source) -> Vec<u32> {
        let n = source.count();
        // A one-off build has no pages to compare with and keeps none for
        // the next build: it takes no fingerprints.
        let mut prints: Vec<Option<Fingerprint>> = if self.keep {
            (0..n)
                .into_par_iter()
                .map(|i| {
                    let known = self.pages.get(source.path(i)).map(|p| &p.print);
                    source.fingerprint(i, known)
                })
                .collect()
        } else {
            vec![Some(Fingerprint::default()); n]
        };
        let mut changed = Vec::new();
        for (i, print) in prints.iter().enumerate() {
            // (`None`: the page as it was, by identity.)
            let Some(print) = print else { continue };
            match self.pages.get_mut(source.path(i)) {
                Some(page) if page.print.key == print.key => {
                    // The same page from other (equal) text or front matter:
                    // the next build finds it by identity again.
                    page.print.basis.clone_from(&print.basis);
                }
                _ => changed.push(i),
            }
        }
        // The pages' order is listed again only when it changed (it rarely does).
        let renumber = self.order.len() != n || (0..n).any(|i| self.order[i] != source.path(i));
        let order: Vec<String> = if renumber {
            let order: Vec<String> = (0..n).map(|i| source.path(i).to_string()).collect();
            let live: HashSet<&str> = order.iter().map(String::as_str).collect();
            self.pages.retain(|p, _| live.contains(p.as_str()));
            order
        } else {
            Vec::new()
        };
        // A one-off build analyses every page in id order: each page's
        // postings go straight to the lists, its terms are not kept.
        let stream = !self.keep;
        self.terms.compact = stream;
        let mut dirty: HashSet<u32> = HashSet::new();
        let mut kept_docs = 0;
        for batch in changed.chunks(BATCH) {
            for (forms, pages) in analyse(source, batch) {
                let global: Vec<u32> = forms.iter().map(|f| self.terms.intern(f)).collect();
                for (i, a) in pages {
                    let mut page = Page::new(source, i, a, &global, prints[i].take(), self.keep);
                    if stream {
                        self.terms.append(i as u32, &page.terms);
                        page.terms = Vec::new();
                        kept_docs += page.doc_len;
                        if kept_docs > KEPT_DOCS {
                            page.doc = None;
                        }
                    } else if !renumber {
                        let old = self.pages.get(source.path(i)).map_or(&[][..], |p| &p.terms);
                        self.terms.replace(i as u32, old, &page.terms, &mut dirty);
                    }
                    self.pages.insert(source.path(i).to_string(), page);
                }
            }
        }
        if renumber {
            if !stream {
                self.terms.repost(&order, &self.pages);
            }
            self.order = order;
            return (0..self.terms.keys.len() as u32).collect();
        }
        let mut keys: Vec<u32> = dirty
            .into_iter()
            .map(|f| self.terms.key_of[f as usize])
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }
}

/// A chunk of analysed pages: its forms, and each page's analysis (term
/// ids into those forms).
type Analysed = (Vec<CompactString>, Vec<(usize, Analysis)>);

/// Analyses pages `which` of `source` by chunks in parallel: each chunk's
/// forms and, per page, its analysis (term ids into those forms).
fn analyse(source: &dyn Source, which: &[usize]) -> Vec<Analysed> {
    // Enough chunks to keep every thread busy; the output does not depend on it.
    let size = (which.len() / (rayon::current_num_threads() * 4)).clamp(16, 512);
    which
        .par_chunks(size)
        .map(|chunk| {
            let mut interner = Interner::default();
            let pages = chunk
                .iter()
                .map(|&i| (i, source.analyze(i, &mut interner)))
                .collect();
            (interner.forms, pages)
        })
        .collect()
}

impl Page {
    /// Page `i` from its analysis (`global`: the chunk's term ids in the
    /// site's); its terms are sorted when they are kept (`nqsite serve`
    /// moves postings by merging them), else they are posted as they are.
    fn new(
        source: &dyn Source,
        i: usize,
        a: Analysis,
        global: &[u32],
        print: Option<Fingerprint>,
        keep: bool,
    ) -> Page {
        let mut terms: Vec<(u32, u32)> = a
            .terms
            .iter()
            .map(|&(local, v)| (global[local as usize], v))
            .collect();
        if keep {
            terms.sort_unstable();
        }
        let doc = page_doc(source, i);
        Page {
            print: print.unwrap_or_default(),
            terms,
            len: a.len,
            kind: source.kind(i),
            doc_len: doc.len(),
            doc_hash: hash64(doc.as_bytes()),
            doc: Some(doc),
        }
    }
}

/// Page `i`'s `[title,href,text]`.
fn page_doc(source: &dyn Source, i: usize) -> String {
    encode::doc(source.title(i), source.path(i), &source.text(i))
}

impl Terms {
    /// Moves page `id`'s postings from its `old` terms to its `new` ones,
    /// noting the forms whose postings changed.
    fn replace(
        &mut self,
        id: u32,
        old: &[(u32, u32)],
        new: &[(u32, u32)],
        dirty: &mut HashSet<u32>,
    ) {
        // Both are sorted by form. A form whose value did not change is left
        // alone: an edit changes few of a page's forms, and marking them all
        // dirty re-encoded, on every save, the postings of the page's
        // commonest words (thousands of pages each at 10,000 pages).
        let (mut old, mut new) = (old.iter().peekable(), new.iter().peekable());
        loop {
            match (old.peek().copied(), new.peek().copied()) {
                (None, None) => break,
                (Some(&(f, v)), Some(&(g, w))) if f == g => {
                    if v != w {
                        self.post(g, id, w);
                        dirty.insert(g);
                    }
                    old.next();
                    new.next();
                }
                (Some(&(f, _)), Some(&(g, w))) if f > g => {
                    self.post(g, id, w);
                    dirty.insert(g);
                    new.next();
                }
                (Some(&(f, _)), _) => {
                    self.unpost(f, id);
                    dirty.insert(f);
                    old.next();
                }
                (None, Some(&(g, w))) => {
                    self.post(g, id, w);
                    dirty.insert(g);
                    new.next();
                }
            }
        }
    }

    fn intern(&mut self, form: &CompactString) -> u32 {
        if let Some(&id) = self.ids.get(form) {
            return id;
        }
        let id = self.forms.len() as u32;
        let k = key(form);
        let kid = match self.key_ids.get(&k) {
            Some(&kid) => kid,
            None => {
                let kid = self.keys.len() as u32;
                self.key_ids.insert(k.clone(), kid);
                self.keys.push(k);
                self.key_forms.push(Vec::new());
                self.entries.push(None);
                kid
            }
        };
        self.forms.push(form.clone());
        self.ids.insert(form.clone(), id);
        self.key_of.push(kid);
        self.postings.push(if self.compact {
            Postings::Code(0, String::new())
        } else {
            Postings::Pairs(Vec::new())
        });
        let forms = &self.forms;
        let list = &mut self.key_forms[kid as usize];
        let at = list
            .binary_search_by(|&f| forms[f as usize].cmp(form))
            .unwrap_or_else(|e| e);
        list.insert(at, id);
        id
    }

    fn post(&mut self, form: u32, page: u32, value: u32) {
        if let Postings::Pairs(list) = &mut self.postings[form as usize] {
            match list.binary_search_by_key(&page, |&(p, _)| p) {
                Ok(at) => list[at].1 = value,
                Err(at) => list.insert(at, (page, value)),
            }
        }
    }

    fn unpost(&mut self, form: u32, page: u32) {
        if let Postings::Pairs(list) = &mut self.postings[form as usize]
            && let Ok(at) = list.binary_search_by_key(&page, |&(p, _)| p)
        {
            list.remove(at);
        }
    }

    /// Rebuilds every posting from the pages in `order` (page ids moved).
    fn repost(&mut self, order: &[String], pages: &HashMap<String, Page>) {
        for list in &mut self.postings {
            *list = Postings::Pairs(Vec::new());
        }
        for (id, path) in order.iter().enumerate() {
            if let Some(page) = pages.get(path) {
                self.append(id as u32, &page.terms);
            }
        }
    }

    /// Adds page `id`'s terms after every page posted so far.
    fn append(&mut self, id: u32, terms: &[(u32, u32)]) {
        for &(f, v) in terms {
            match &mut self.postings[f as usize] {
                Postings::Pairs(list) => list.push((id, v)),
                Postings::Code(next, code) => {
                    encode::vlq(id - *next, code);
                    encode::vlq(v, code);
                    *next = id + 1;
                }
            }
        }
    }

    /// Lets go of what only updates need: the forms and their postings
    /// (the entries are encoded).
    fn release(&mut self) {
        self.forms = Vec::new();
        self.ids = foldhash::HashMap::default();
        self.key_of = Vec::new();
        self.postings = Vec::new();
        self.key_ids = foldhash::HashMap::default();
        self.key_forms = Vec::new();
    }

    /// True when some page has a term filed under key `k`.
    fn has(&self, k: &str) -> bool {
        self.sorted
            .binary_search_by(|&id| encode::js_order(&self.keys[id as usize], k))
            .is_ok()
    }

    /// Encodes the entries of `keys` and keeps the sorted list of keys with
    /// an entry up to date: sorted again only when many keys are new.
    fn encode(&mut self, keys: &[u32]) {
        // The keys that now have an entry and had none; whether any lost theirs.
        let mut gained = Vec::new();
        let mut lost = false;
        for batch in keys.chunks(ENCODE_BATCH) {
            let fresh: Vec<(u32, Option<(String, u64)>)> =
                batch.par_iter().map(|&k| (k, self.entry(k))).collect();
            for (k, entry) in fresh {
                let slot = &mut self.entries[k as usize];
                match (slot.is_some(), entry.is_some()) {
                    (false, true) => gained.push(k),
                    (true, false) => lost = true,
                    _ => {}
                }
                *slot = entry;
            }
            if self.compact {
                // A one-off build encodes each key once: its postings go as
                // soon as its entry holds them, and the entries reuse their room.
                for &k in batch {
                    for &f in &self.key_forms[k as usize] {
                        self.postings[f as usize] = Postings::Code(0, String::new());
                    }
                }
            }
        }
        let order = |a: u32, b: u32| js_order(&self.keys[a as usize], &self.keys[b as usize]);
        if self.sorted.is_empty() || gained.len() > self.sorted.len() / RESORT_SHARE {
            let mut sorted: Vec<u32> = (0..self.keys.len() as u32)
                .filter(|&k| self.entries[k as usize].is_some())
                .collect();
            sorted.par_sort_unstable_by(|&a, &b| order(a, b));
            self.sorted = sorted;
            return;
        }
        // A few keys come or go (an edit): the list is kept in order as it
        // is (keys are distinct, so the order is the same as sorting anew).
        if lost {
            let entries = &self.entries;
            self.sorted.retain(|&k| entries[k as usize].is_some());
        }
        for k in gained {
            let at = self.sorted.partition_point(|&s| order(s, k).is_lt());
            self.sorted.insert(at, k);
        }
    }

    /// The encoded entry of key `k` and its hash; `None` when no page has it.
    fn entry(&self, k: u32) -> Option<(String, u64)> {
        let forms = self.key_forms[k as usize]
            .iter()
            .map(|&f| (self.forms[f as usize].as_str(), &self.postings[f as usize]))
            .filter(|(_, list)| !list.is_empty())
            .map(|(form, list)| (form, list.code()));
        let entry = encode::entry(&self.keys[k as usize], forms);
        (!entry.is_empty()).then(|| {
            let h = hash64(entry.as_bytes());
            (entry, h)
        })
    }

    /// The term shards: each one's fingerprint and keys, and the
    /// directory, each shard's first key and fingerprint.
    fn shards(&self) -> (Vec<(u64, &[u32])>, Directory) {
        let entry = |k: u32| self.entries[k as usize].as_ref();
        let sizes = self.sorted.iter().map(|&k| {
            let name = &self.keys[k as usize];
            (
                hash64(name.as_bytes()),
                name.len() + entry(k).map_or(0, |e| e.0.len()) + 6,
            )
        });
        let runs = encode::runs(sizes, TERM_TARGET, TERM_MAX);
        let mut start = 0;
        let mut dir = Vec::new();
        let mut parts = Vec::new();
        for n in runs {
            let keys = &self.sorted[start..start + n];
            start += n;
            let print: Vec<u8> = keys
                .iter()
                .flat_map(|&k| {
                    let h = hash64(self.keys[k as usize].as_bytes()) ^ entry(k).map_or(0, |e| e.1);
                    h.to_le_bytes()
                })
                .collect();
            let print = hash64(&print);
            dir.push((self.keys[keys[0] as usize].clone(), print));
            parts.push((print, keys));
        }
        (parts, dir)
    }

    /// The term shard of `keys`.
    fn script(&self, keys: &[u32]) -> Script {
        let body = encode::term_script(keys.iter().map(|&k| {
            (
                self.keys[k as usize].as_str(),
                self.entries[k as usize]
                    .as_ref()
                    .map_or("", |e| e.0.as_str()),
            )
        }));
        Script::new("t", body)
    }
}

/// The doc shards: each one's fingerprint, first page and number of pages,
/// and the directory, each shard's number of pages and fingerprint.
fn doc_parts(source: &dyn Source, pages: &[&Page]) -> (Vec<(u64, usize, usize)>, Directory) {
    let sizes = (0..pages.len()).map(|i| (hash64(source.path(i).as_bytes()), pages[i].doc_len));
    let runs = encode::runs(sizes, DOC_TARGET, DOC_MAX);
    let mut start = 0;
    let mut parts = Vec::new();
    for n in runs {
        let mut print: Vec<u8> = (start as u64).to_le_bytes().to_vec();
        print.extend(
            pages[start..start + n]
                .iter()
                .flat_map(|p| p.doc_hash.to_le_bytes()),
        );
        parts.push((hash64(&print), start, n));
        start += n;
    }
    let dir = parts
        .iter()
        .map(|&(print, _, n)| (n.to_string(), print))
        .collect();
    (parts, dir)
}

/// The scripts of a build and their names, by fingerprint.
#[derive(Default)]
struct Written {
    names: foldhash::HashMap<u64, String>,
    /// Kept for the next build (`nqsite serve`); empty in a one-off build.
    scripts: foldhash::HashMap<u64, Script>,
}

/// Names a build's scripts and hands them to `emit`, keeping them for the
/// next build when `keep` (`nqsite serve`).
struct ScriptWriter<'a, 'e> {
    keep: bool,
    namer: Namer,
    emit: &'a Emit<'e>,
}

impl ScriptWriter<'_, '_> {
    /// Makes the script of each fingerprint of `prints` (`make(i)`, unless
    /// `old` has it), names it and writes it, a batch at a time: a one-off
    /// build holds one batch of scripts, not the whole index.
    fn write(
        &mut self,
        prints: &[u64],
        make: &(dyn Fn(usize) -> Script + Sync),
        old: &foldhash::HashMap<u64, Script>,
    ) -> Result<Written, Diagnostic> {
        let mut out = Written::default();
        for (b, batch) in prints.chunks(SCRIPT_BATCH).enumerate() {
            let scripts: Vec<Script> = batch
                .par_iter()
                .enumerate()
                .map(|(j, print)| {
                    old.get(print)
                        .cloned()
                        .unwrap_or_else(|| make(b * SCRIPT_BATCH + j))
                })
                .collect();
            let paths: Vec<String> = scripts
                .iter()
                .zip(batch)
                .map(|(script, &print)| {
                    let name = self.namer.name(script);
                    let path = encode::path(script.kind, &name);
                    out.names.insert(print, name);
                    path
                })
                .collect();
            scripts
                .par_iter()
                .zip(&paths)
                .try_for_each(|(script, path)| (self.emit)(path, &script.file))?;
            if self.keep {
                out.scripts.extend(batch.iter().copied().zip(scripts));
            }
        }
        Ok(out)
    }
}

/// Builds the index of `source` into memory: the meta script's path and
/// every file by path (for the index's checks and tests).
pub(super) fn build_files(
    cache: &mut Cache,
    source: &dyn Source,
    settings: u64,
    meta: impl FnOnce(&dyn Fn(&str) -> bool) -> Vec<(&'static str, Json)>,
) -> Result<(String, std::collections::BTreeMap<String, Printed>), Diagnostic> {
    let files = std::sync::Mutex::new(std::collections::BTreeMap::new());
    let emit = |path: &str, file: &Printed| {
        files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_string(), file.clone());
        Ok(())
    };
    let meta_path = cache.build(source, settings, meta, &emit)?;
    Ok((
        meta_path,
        files.into_inner().unwrap_or_else(|e| e.into_inner()),
    ))
}

/// What the meta script says of every page: its type label (`k`, one digit
/// each), its length (`l`, one letter each on a log scale, see
/// [`length_letter`]), their number (`n`) and mean length (`a`).
fn page_fields(pages: &[&Page]) -> Vec<(&'static str, Json)> {
    let kinds: String = pages.iter().map(|p| encode::letter(p.kind)).collect();
    let lens: String = pages.iter().map(|p| length_letter(p.len)).collect();
    let total: u64 = pages.iter().map(|p| u64::from(p.len)).sum();
    let avg = (total as f64 / pages.len().max(1) as f64).round().max(1.0);
    vec![
        ("k", json!(kinds)),
        ("l", json!(lens)),
        ("n", json!(pages.len())),
        ("a", json!(avg as u64)),
    ]
}

/// Lengths are sent as one letter: `1.25^n - 1` is within 12% of the length.
pub(super) const LENGTH_BASE: f64 = 1.25;

fn length_letter(len: u32) -> char {
    let n = (f64::from(len) + 1.0).ln() / LENGTH_BASE.ln();
    encode::letter(n.round() as usize)
}

/// The fingerprint of the settings (categories, weights) an index was
/// built with: a change rebuilds it from scratch.
pub(super) fn settings(plan: &impl std::fmt::Debug) -> u64 {
    hash64(format!("{plan:?}").as_bytes())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::check::TextPages;
    use super::*;

    /// The files of a build of `pages` with `cache`.
    fn build(cache: &mut Cache, pages: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        let (_, files) =
            build_files(cache, &TextPages::new(pages), settings(&()), |_| Vec::new()).unwrap();
        files
            .into_iter()
            .map(|(p, f)| (p, f.bytes.to_vec()))
            .collect()
    }

    #[test]
    fn edits_give_the_same_files_as_a_one_off_build() {
        let a = [
            ("Chuyển đổi số", "Đẩy mạnh chuyển đổi số quốc gia."),
            (
                "Khoa học",
                "## Mục tiêu\nKhoa học, công nghệ và đổi mới sáng tạo.",
            ),
            ("Hạ tầng", "Hạ tầng số, dữ liệu số."),
        ];
        // The second page loses words and gains new ones; the third is
        // gone and a new one takes its place.
        let b = [
            ("Chuyển đổi số", "Đẩy mạnh chuyển đổi số quốc gia."),
            ("Khoa học", "Nhân lực chất lượng cao, nhân tài."),
            ("Dữ liệu", "Dữ liệu là tư liệu sản xuất. </script>"),
        ];
        let c = [b[0], b[1]];
        let mut cache = Cache::new();
        for pages in [&a[..], &b[..], &a[..], &c[..], &a[..], &a[..]] {
            assert_eq!(
                build(&mut cache, pages),
                build(&mut Cache::default(), pages)
            );
        }
        assert_eq!(cache.pages.len(), 3);
    }

    #[test]
    fn an_edit_rewrites_the_shards_it_touches_only() {
        // Words of three letters spread over the alphabet: many keys, many shards.
        let word = |n: usize| -> String {
            (0..3)
                .map(|k| char::from(b'a' + (n / 26usize.pow(k) % 26) as u8))
                .collect()
        };
        let bodies: Vec<String> = (0..600)
            .map(|i| {
                let w: Vec<String> = (0..12).map(|k| word(i * 7919 + k * 104_729)).collect();
                format!("Trang {i}: chuyển đổi số, {}.", w.join(" "))
            })
            .collect();
        let mut pages: Vec<(&str, &str)> = bodies.iter().map(|b| ("Tiêu đề", b.as_str())).collect();
        let mut cache = Cache::new();
        let before = build(&mut cache, &pages);
        // One new word: one key's entry changes (two shards at most, when
        // its growth moves a cut).
        let edited = format!("{} Nhân.", bodies[300]);
        pages[300].1 = &edited;
        let after = build(&mut cache, &pages);
        assert_eq!(after, build(&mut Cache::default(), &pages));
        let changed: Vec<&String> = after.keys().filter(|p| !before.contains_key(*p)).collect();
        let kind = |k: &str| changed.iter().filter(|p| p.starts_with(k)).count();
        let total = |k: &str| after.keys().filter(|p| p.starts_with(k)).count();
        assert_eq!(kind("search/meta."), 1);
        assert_eq!(
            kind("search/d."),
            1,
            "one doc shard of {}",
            total("search/d.")
        );
        assert!(
            (1..=2).contains(&kind("search/t.")),
            "{} of {} term shards changed",
            kind("search/t."),
            total("search/t.")
        );
    }
}
