//! The search index kept between builds by `nqsite serve`.
//!
//! A save changes a page or two, yet the index covers every page. Each
//! page's tokens, quoted text and encoded entry are kept with a fingerprint
//! of what they were made from; the site's word counts are kept as a
//! running total. A rebuild tokenizes only the pages whose fingerprint
//! changed, re-sorts the vocabulary, and re-encodes only the pages some of
//! whose word ids moved. The scripts are byte for byte those of a full
//! build (a test below checks it).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use compact_str::CompactString;
use rayon::prelude::*;

use super::{
    Chunk, Interner, Script, TEXT_SHARD, entry, global_ids, id_map, index_script, page_json,
    page_text, quote, searched_fields, sorted_vocabulary, text_script, text_shards,
};
use crate::fsutil::hash64;
use crate::markdown::Rendered;
use crate::resolve::Site;

/// Search entries of the previous build, by page path.
pub struct Cache {
    pages: HashMap<String, CachedPage>,
    /// Occurrences of every exact form over all cached pages.
    counts: HashMap<CompactString, u64>,
    /// The vocabulary of the previous build, in id order.
    vocab: Vec<CompactString>,
    /// The text scripts of the previous build, with the keys of their pages.
    shards: Vec<(Vec<u64>, Script)>,
    /// Pages per text script.
    shard: usize,
}

impl Default for Cache {
    fn default() -> Cache {
        Cache {
            pages: HashMap::new(),
            counts: HashMap::new(),
            vocab: Vec::new(),
            shards: Vec::new(),
            shard: TEXT_SHARD,
        }
    }
}

struct CachedPage {
    /// Fingerprint of the page's title, path, type, searched fields, text
    /// and headings.
    key: u64,
    /// The rendered text the page was made from: when the next build hands
    /// over the very same text, it is not hashed again.
    source: Arc<str>,
    /// The hash of `source`.
    text_hash: u64,
    /// The page alone, its words interned on their own.
    chunk: Chunk,
    /// The page's text as a quoted JSON string.
    text: String,
    /// The site-wide id of each of the page's words, as last encoded
    /// (`None` until first encoded).
    global: Option<Vec<u32>>,
    /// The page's entry in the index script, with those ids.
    json: String,
}

impl Cache {
    /// The index and text scripts of `pages` (node indices, in order).
    pub(super) fn scripts(
        &mut self,
        site: &Site,
        rendered: &[Rendered],
        pages: &[usize],
        strings: &BTreeMap<String, String>,
    ) -> (Script, Vec<Script>) {
        self.refresh(site, rendered, pages);
        let Cache {
            pages: cached,
            counts,
            vocab: old_vocab,
            shards: old_shards,
            shard,
        } = self;
        let vocab = sorted_vocabulary(counts.iter().map(|(w, n)| (w.as_str(), *n)));
        let ids = id_map(&vocab);
        let moved: Vec<u32> = old_vocab
            .iter()
            .map(|w| ids.get(w.as_str()).copied().unwrap_or(u32::MAX))
            .collect();
        // Ids below the first one that moved are the same as before.
        let first_moved = moved
            .iter()
            .enumerate()
            .position(|(old, &new)| new as usize != old)
            .unwrap_or(moved.len());
        cached
            .par_iter_mut()
            .for_each(|(_, page)| page.encode(&moved, first_moved, &ids));
        let in_order: Vec<&CachedPage> = pages
            .iter()
            .filter_map(|&i| cached.get(&site.nodes[i].path))
            .collect();
        let index = index_script(in_order.iter().map(|p| p.json.as_str()), &vocab, strings);
        let shards: Vec<(Vec<u64>, Script)> = text_shards(&in_order, *shard)
            .into_iter()
            .enumerate()
            .map(|(n, shard)| {
                let keys: Vec<u64> = shard.iter().map(|p| p.key).collect();
                match old_shards.get(n) {
                    Some((k, script)) if *k == keys => (keys, script.clone()),
                    _ => {
                        let body = text_script(shard.iter().map(|p| p.text.as_str()));
                        (keys, Script::new("text", body))
                    }
                }
            })
            .collect();
        let texts = shards.iter().map(|(_, s)| s.clone()).collect();
        *old_shards = shards;
        let new_vocab = vocab.iter().map(|w| CompactString::from(*w)).collect();
        self.vocab = new_vocab;
        (Script::new("index", index), texts)
    }

    /// Tokenizes the pages that are new or changed and drops the pages that
    /// are gone, keeping the word counts in step.
    fn refresh(&mut self, site: &Site, rendered: &[Rendered], pages: &[usize]) {
        let fresh: Vec<(String, CachedPage)> = pages
            .par_iter()
            .filter_map(|&i| {
                let path = &site.nodes[i].path;
                let cached = self.pages.get(path);
                let key = page_key(site, i, &rendered[i], cached);
                match cached {
                    Some(c) if c.key == key => None,
                    _ => Some((path.clone(), CachedPage::new(site, i, &rendered[i], key))),
                }
            })
            .collect();
        let live: HashSet<&str> = pages.iter().map(|&i| site.nodes[i].path.as_str()).collect();
        let gone: Vec<String> = self
            .pages
            .keys()
            .filter(|p| !live.contains(p.as_str()))
            .cloned()
            .collect();
        for path in gone {
            if let Some(old) = self.pages.remove(&path) {
                self.count(&old.chunk, false);
            }
        }
        for (path, page) in fresh {
            self.count(&page.chunk, true);
            if let Some(old) = self.pages.insert(path, page) {
                self.count(&old.chunk, false);
            }
        }
    }

    /// Adds (or takes away) a page's words to the running counts.
    fn count(&mut self, chunk: &Chunk, add: bool) {
        for (w, n) in &chunk.words {
            let n = u64::from(*n);
            if add {
                *self.counts.entry(w.clone()).or_default() += n;
            } else if let Some(c) = self.counts.get_mut(w.as_str()) {
                *c = c.saturating_sub(n);
                if *c == 0 {
                    self.counts.remove(w.as_str());
                }
            }
        }
    }
}

impl CachedPage {
    fn new(site: &Site, i: usize, rendered: &Rendered, key: u64) -> CachedPage {
        let text = page_text(site, i, rendered);
        let mut interner = Interner::default();
        let e = entry(site, i, rendered, &text, &mut interner);
        CachedPage {
            key,
            source: Arc::clone(&rendered.text),
            text_hash: hash64(rendered.text.as_bytes()),
            chunk: Chunk {
                words: interner.words,
                entries: vec![e],
            },
            text: quote(&text),
            global: None,
            json: String::new(),
        }
    }

    /// Re-encodes the page if the id of any of its words changed. `moved`
    /// maps the previous build's ids to this build's; ids below
    /// `first_moved` are unchanged.
    fn encode(&mut self, moved: &[u32], first_moved: usize, ids: &HashMap<&str, u32>) {
        if self
            .global
            .as_ref()
            .is_some_and(|g| g.iter().all(|&id| (id as usize) < first_moved))
        {
            return;
        }
        let remapped = self.global.as_ref().and_then(|old| {
            old.iter()
                .map(|&g| moved.get(g as usize).copied().filter(|&n| n != u32::MAX))
                .collect::<Option<Vec<u32>>>()
        });
        let global = remapped.unwrap_or_else(|| global_ids(&self.chunk.words, ids));
        if self.global.as_ref() == Some(&global) {
            return;
        }
        self.json = self
            .chunk
            .entries
            .iter()
            .map(|e| page_json(e, &global))
            .collect();
        self.global = Some(global);
    }
}

/// Fingerprint of everything a page's search entry is made from. The text
/// is hashed only when it is not the one `cached` was made from.
fn page_key(site: &Site, i: usize, rendered: &Rendered, cached: Option<&CachedPage>) -> u64 {
    let node = &site.nodes[i];
    let fm = &node.doc.fm;
    let text = match cached {
        Some(c) if Arc::ptr_eq(&c.source, &rendered.text) => c.text_hash,
        _ => hash64(rendered.text.as_bytes()),
    };
    let mut parts: Vec<u64> = vec![
        hash64(fm.title.as_bytes()),
        hash64(node.path.as_bytes()),
        hash64(fm.doc_type.as_deref().unwrap_or("").as_bytes()),
        text,
    ];
    for value in searched_fields(&site.config.model, fm) {
        parts.push(value.map_or(0, |v| hash64(v.as_bytes()) | 1));
    }
    parts.extend(rendered.headings.iter().map(|h| hash64(h.text.as_bytes())));
    let bytes: Vec<u8> = parts.iter().flat_map(|p| p.to_le_bytes()).collect();
    hash64(&bytes)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::config::Config;
    use crate::content::parse_document;
    use crate::markdown::{self, LinkOutcome};
    use crate::resolve::HOME;

    /// A site of `(file, title, body)` and its rendered bodies.
    fn site(pages: &[(&str, &str, &str)]) -> (Site, Vec<Rendered>) {
        let docs = pages
            .iter()
            .map(|(rel, title, body)| {
                let text = format!("---\ntitle: \"{title}\"\n---\n{body}\n");
                parse_document(&text, rel, PathBuf::from(rel)).unwrap()
            })
            .collect();
        let config = Config::parse("", &PathBuf::from("site.yaml")).unwrap();
        let site = crate::resolve::resolve(config, docs).unwrap();
        let rendered = site
            .nodes
            .iter()
            .map(|n| markdown::render(&n.doc.body, &Default::default(), &|_, _| LinkOutcome::Keep))
            .collect();
        (site, rendered)
    }

    /// Every script's path and bytes, in order.
    fn files((index, texts): (Script, Vec<Script>)) -> Vec<(String, Vec<u8>)> {
        std::iter::once(index)
            .chain(texts)
            .map(|s| (s.path, s.bytes.to_vec()))
            .collect()
    }

    /// Pages per text script in these tests: small sites get several.
    const SHARD: usize = 2;

    fn fresh(site: &Site, rendered: &[Rendered]) -> Vec<(String, Vec<u8>)> {
        let pages: Vec<usize> = (0..site.nodes.len()).filter(|&i| i != HOME).collect();
        files(super::super::scripts(
            site,
            rendered,
            &pages,
            &BTreeMap::new(),
            SHARD,
        ))
    }

    fn cached(cache: &mut Cache, site: &Site, rendered: &[Rendered]) -> Vec<(String, Vec<u8>)> {
        let pages: Vec<usize> = (0..site.nodes.len()).filter(|&i| i != HOME).collect();
        files(cache.scripts(site, rendered, &pages, &BTreeMap::new()))
    }

    #[test]
    fn edits_give_the_same_scripts_as_a_full_build() {
        let a = [
            ("a.md", "Chuyển đổi số", "Đẩy mạnh chuyển đổi số quốc gia."),
            (
                "b.md",
                "Khoa học",
                "## Mục tiêu\nKhoa học, công nghệ và đổi mới sáng tạo.",
            ),
            ("c.md", "Hạ tầng", "Hạ tầng số, dữ liệu số."),
        ];
        // b.md loses words and gains new ones; c.md is deleted; d.md is new.
        let b = [
            ("a.md", "Chuyển đổi số", "Đẩy mạnh chuyển đổi số quốc gia."),
            (
                "b.md",
                "Khoa học",
                "## Mục tiêu\nNhân lực chất lượng cao, nhân tài.",
            ),
            ("d.md", "Dữ liệu", "Dữ liệu là tư liệu sản xuất. </script>"),
        ];
        let mut cache = Cache {
            shard: SHARD,
            ..Cache::default()
        };
        for pages in [&a[..], &b[..], &a[..], &a[..]] {
            let (site, rendered) = site(pages);
            let files = cached(&mut cache, &site, &rendered);
            // The index and two text scripts (two pages each in tests).
            assert_eq!(files.len(), 3);
            assert_eq!(files, fresh(&site, &rendered));
        }
        assert_eq!(cache.pages.len(), 3);
        assert!(
            !cache.counts.contains_key("nhân"),
            "counts of removed words are dropped"
        );
    }
}
