//! Search stage: a static index of every page, split in small script files
//! that the browser's Vietnamese search (`themes/default/static/search.js`)
//! loads only as a query needs them.
//!
//! Text is cut into syllables ([`analyze`]). Each syllable, and each pair of
//! adjacent syllables inside a phrase, is a *term*: kept in its exact form
//! and filed under its ASCII-folded *key* (`Đảng` → `đảng` under `dang`), so
//! a query matches with or without diacritics while exact spellings rank
//! first, and pairs score phrases without positions. A term's postings are
//! the pages it occurs in with its weight there: the sum of the weights of
//! the fields it occurs in ([`Weights`]), a title match counted apart.
//!
//! The files ([`encode`]): term shards hold the entries of a run of keys in
//! sorted order; doc shards hold the title, path and text of a run of pages
//! (for the results shown); one meta script names them all and says what
//! ranking needs of every page (its type and length) and the synonyms and
//! question words of `search-words.yaml` ([`Words`]). A first query loads
//! the meta script and the few shards holding its keys, then the texts of
//! the ten results shown; a large site costs a query about what a small one
//! does. Every file is a script (not JSON to be fetched), so search also
//! works from `file://`; names carry a content hash; `search/manifest.js`,
//! the only fixed name, names the meta script. Same input, same bytes;
//! `nqsite serve` keeps a [`Cache`] so a save rewrites only the shards
//! whose contents changed.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{Value as Json, json};

use crate::content::FrontMatter;
use crate::context::Contexts;
use crate::diag::Diagnostic;
use crate::fsutil::hash64;
use crate::markdown::Rendered;
use crate::model::Model;
use crate::output::{Printed, Writer};
use crate::render::Theme;
use crate::resolve::{HOME, Site};

mod analyze;
mod cache;
mod encode;
mod reuse;
mod words;

pub use analyze::{form, key, syllables};
pub use cache::Cache;
pub use reuse::Previous;
pub use words::{FILE as WORDS_FILE, Words};

use cache::{Basis, Fingerprint, Source};

/// Site path of the search page.
pub const PAGE_PATH: &str = "tim-kiem/";

/// The one search file with a fixed name: it names the content-hashed meta
/// script and `search.js`. Pages refer only to it, so an edit that changes
/// the index does not change every page (serve rewrites only what changed);
/// portals serve it like HTML, without long caching.
pub const MANIFEST: &str = "search/manifest.js";

/// The category of pages whose type declares none (key of `strings.yaml`).
const OTHER_LABEL: &str = "search_type_other";

/// What the search does with each document type, as `site.yaml` declares
/// it (`search: {category, weights}`): the category its results are listed
/// under and the weight of each field, the declared weights over
/// [`Weights::default`]. The one place the search decides a page's
/// category and weights; no type or folder name is known here.
#[derive(Debug)]
pub(crate) struct Plan {
    /// Category labels, in first-declared order, then the "other" label.
    labels: Vec<String>,
    /// Each type that declares `search`: its category (index in `labels`)
    /// and its weights.
    types: BTreeMap<String, (Option<usize>, Weights)>,
    /// The weights of a type that declares none.
    defaults: Weights,
}

impl Plan {
    /// The plan of a model; `other` labels the pages with no category.
    pub(crate) fn new(model: &Model, other: &str) -> Plan {
        let defaults = Weights::default();
        let mut labels: Vec<String> = Vec::new();
        let mut types = BTreeMap::new();
        for (name, decl) in &model.types {
            let Some(search) = &decl.search else { continue };
            let category = search.category.as_ref().map(|c| {
                labels.iter().position(|l| l == c).unwrap_or_else(|| {
                    labels.push(c.clone());
                    labels.len() - 1
                })
            });
            let mut weights = defaults.clone();
            for (field, w) in &search.weights {
                weights.fields.insert(field.clone(), f32::from(*w));
            }
            types.insert(name.clone(), (category, weights));
        }
        labels.push(other.to_string());
        Plan {
            labels,
            types,
            defaults,
        }
    }

    /// Index of the "other" category (always the last label).
    fn other(&self) -> usize {
        self.labels.len() - 1
    }

    /// The category of every node: its type's; for a section whose type
    /// declares none, that of the type it lists (its first page with one);
    /// else its section's, up to (not including) home; else "other". So
    /// `targets` lists under its targets' category unless it declares its
    /// own, and a plain page inside the resolution's section with the
    /// resolution. Each node is looked at once.
    fn categories(&self, site: &Site) -> Vec<usize> {
        let mut known = vec![None; site.nodes.len()];
        (0..site.nodes.len())
            .map(|i| self.category(site, i, &mut known))
            .collect()
    }

    fn category(&self, site: &Site, i: usize, known: &mut [Option<usize>]) -> usize {
        if let Some(c) = known[i] {
            return c;
        }
        let declared = |n: usize| {
            let t = site.nodes[n].doc.fm.doc_type.as_deref()?;
            self.types.get(t)?.0
        };
        let node = &site.nodes[i];
        let own = (i != HOME)
            .then(|| declared(i).or_else(|| node.pages.iter().find_map(|&p| declared(p))))
            .flatten();
        let c = match (own, node.parent) {
            (Some(c), _) => c,
            (None, Some(p)) if i != HOME && p != i => self.category(site, p, known),
            _ => self.other(),
        };
        known[i] = Some(c);
        c
    }

    /// The weights of the fields of a document of type `doc_type`.
    fn weights(&self, doc_type: Option<&str>) -> &Weights {
        doc_type
            .and_then(|t| self.types.get(t))
            .map_or(&self.defaults, |(_, w)| w)
    }
}

/// How much a match counts in each field of a page. Keys: `title` (a
/// title match is added to a term's score once, times this weight, rather
/// than summed with the others), `description`, `headings`, `body`, `tags`,
/// and front-matter fields by name. A field not listed counts `other`; a
/// weight of 0 leaves a field out. Text fields are searched, and lists of
/// texts when named here; values that look like identifiers
/// (`tinh-uy`, `phu-song-5g-2030`) never are.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    /// Weight by field name.
    pub fields: BTreeMap<String, f32>,
    /// Weight of a front-matter text field not in `fields`.
    pub other: f32,
}

impl Default for Weights {
    fn default() -> Weights {
        let fields = [
            ("title", 2.0),
            ("description", 2.0),
            ("headings", 3.0),
            ("body", 1.0),
            ("tags", 2.0),
            // Targets: what is measured, the figure and the value as written.
            ("indicator", 2.0),
            ("figure", 2.0),
            ("value", 2.0),
            ("source_text", 1.0),
            // Who and where: the issuing office, its place, the signer.
            ("issuer", 2.0),
            ("place", 2.0),
            ("province", 2.0),
            ("signer", 2.0),
            ("signer_title", 1.0),
            ("author", 2.0),
            ("author_title", 1.0),
            ("speaker", 2.0),
            ("short_title", 2.0),
            ("signed", 1.0),
            ("notes", 0.5),
            // Repeat the title.
            ("question", 0.0),
            ("toc_title", 0.0),
            // Name other documents or groups.
            ("id", 0.0),
            ("source", 0.0),
            ("group", 0.0),
        ];
        Weights {
            fields: fields
                .into_iter()
                .map(|(k, w)| (k.to_string(), w))
                .collect(),
            other: 1.0,
        }
    }
}

impl Weights {
    /// The weight of a field.
    pub fn of(&self, field: &str) -> f32 {
        self.fields.get(field).copied().unwrap_or(self.other)
    }

    /// True when the table names the field.
    fn names(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }
}

/// The pages of a site, as the index sees them.
struct SitePages<'a> {
    site: &'a Site,
    rendered: &'a [Rendered],
    nodes: Vec<usize>,
    plan: &'a Plan,
    /// Each node's category ([`Plan::categories`]).
    kinds: Vec<usize>,
}

impl SitePages<'_> {
    fn fm(&self, i: usize) -> &FrontMatter {
        &self.site.nodes[self.nodes[i]].doc.fm
    }

    fn weights(&self, i: usize) -> &Weights {
        self.plan.weights(self.fm(i).doc_type.as_deref())
    }
}

impl Source for SitePages<'_> {
    fn count(&self) -> usize {
        self.nodes.len()
    }

    fn path(&self, i: usize) -> &str {
        &self.site.nodes[self.nodes[i]].path
    }

    fn title(&self, i: usize) -> &str {
        &self.fm(i).title
    }

    fn kind(&self, i: usize) -> usize {
        self.kinds[self.nodes[i]]
    }

    fn fingerprint(&self, i: usize, known: Option<&Fingerprint>) -> Option<Fingerprint> {
        let n = self.nodes[i];
        let rendered = &self.rendered[n];
        let head = &self.site.nodes[n].doc.fm;
        let kind = self.kind(i);
        let known_basis = known.and_then(|k| k.basis.as_ref());
        if known_basis.is_some_and(|b| b.taken_from(&rendered.text, head, kind)) {
            return None;
        }
        let text_hash = match known_basis {
            Some(b) if Arc::ptr_eq(&b.text, &rendered.text) => b.text_hash,
            _ => hash64(rendered.text.as_bytes()),
        };
        let fm = self.fm(i);
        let mut parts: Vec<u64> = vec![
            hash64(fm.title.as_bytes()),
            hash64(self.path(i).as_bytes()),
            kind as u64,
            text_hash,
        ];
        for (text, w) in analyze::fields(fm, self.weights(i)) {
            parts.push(hash64(text.as_bytes()) ^ u64::from(w.to_bits()));
        }
        parts.extend(rendered.headings.iter().map(|h| hash64(h.text.as_bytes())));
        let bytes: Vec<u8> = parts.iter().flat_map(|p| p.to_le_bytes()).collect();
        Some(Fingerprint {
            key: hash64(&bytes),
            basis: Some(Basis {
                text: Arc::clone(&rendered.text),
                text_hash,
                head: Arc::clone(head),
                kind,
            }),
        })
    }

    fn analyze(&self, i: usize, interner: &mut analyze::Interner) -> analyze::Analysis {
        let n = self.nodes[i];
        analyze::analyze(self.fm(i), &self.rendered[n], self.weights(i), interner)
    }

    fn text(&self, i: usize) -> String {
        analyze::text(self.fm(i), &self.rendered[self.nodes[i]], self.weights(i))
    }
}

/// What a build's search index may be made from besides the pages.
pub enum Prior<'c> {
    /// Nothing: every page is analysed.
    Nothing,
    /// The cache `nqsite serve` keeps between builds: only the pages that
    /// changed are analysed again.
    Cache(&'c mut Cache),
    /// The output a one-off build replaces: its index is taken as it is
    /// when nothing it was made from changed ([`Previous`]).
    Output(&'c Previous),
}

/// Builds the index of every page but home with the theme's labels and
/// words and writes its scripts to `out` as they are made; the categories
/// and field weights are those the site's model declares ([`Plan`]). What
/// `prior` holds spares work; the bytes are the same either way.
pub fn build(
    site: &Site,
    rendered: &[Rendered],
    theme: &Theme,
    prior: Prior<'_>,
    out: &Writer<'_>,
) -> Result<(), Diagnostic> {
    let strings = theme.strings_for(&site.config);
    let other = strings.get(OTHER_LABEL).map_or(OTHER_LABEL, String::as_str);
    let plan = Plan::new(&site.config.model, other);
    let pages = SitePages {
        site,
        rendered,
        nodes: (0..site.nodes.len()).filter(|&i| i != HOME).collect(),
        plan: &plan,
        kinds: plan.categories(site),
    };
    let meta =
        |has: &dyn Fn(&str) -> bool| meta_fields(&strings, &theme.search_words.used(has), &plan);
    let emit = |path: &str, file: &Printed| out.shared(path, file);
    let settings = cache::settings(&plan);
    let meta_path = match prior {
        Prior::Nothing => Cache::default().build(&pages, settings, meta, &emit)?,
        Prior::Cache(cache) => cache.build(&pages, settings, meta, &emit)?,
        Prior::Output(previous) => {
            // Everything the index is made from: the settings, the strings
            // and words the meta script draws on, and every page.
            let mut parts = vec![
                settings,
                hash64(format!("{strings:?}").as_bytes()),
                hash64(format!("{:?}", theme.search_words).as_bytes()),
            ];
            parts.par_extend(
                (0..pages.count())
                    .into_par_iter()
                    .map(|i| pages.fingerprint(i, None).unwrap_or_default().key),
            );
            build_or_take(reuse::key(&parts), previous, &emit, |emit| {
                Cache::default().build(&pages, settings, meta, emit)
            })?
        }
    };
    let scripts: Vec<&str> = std::iter::once(meta_path.as_str())
        .chain(theme.asset_paths.get("search.js").map(String::as_str))
        .collect();
    let manifest = format!(
        "window.nqSearchScripts={};\n",
        encode::to_json(&json!(scripts.join(" ")))
    );
    out.shared(MANIFEST, &Printed::new(manifest.into_bytes()))
}

/// The index made with `key` taken from `previous`'s output when it is
/// there as recorded, else made by `make` (and recorded for the next
/// build). Returns the meta script's path.
fn build_or_take(
    key: Option<u64>,
    previous: &Previous,
    emit: &cache::Emit<'_>,
    make: impl FnOnce(&cache::Emit<'_>) -> Result<String, Diagnostic>,
) -> Result<String, Diagnostic> {
    if let Some(record) = key.and_then(|k| reuse::check(previous, k)) {
        reuse::emit(previous, &record, emit)?;
        return Ok(record.meta);
    }
    let made = std::sync::Mutex::new(Vec::new());
    let meta = make(&|rel: &str, file: &Printed| {
        made.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((rel.to_string(), file.print));
        emit(rel, file)
    })?;
    if let Some(key) = key {
        let mut files = made
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        files.sort();
        reuse::save(
            previous,
            &reuse::Record {
                key,
                meta: meta.clone(),
                files,
            },
        );
    }
    Ok(meta)
}

/// What the meta script says of the site as a whole: category labels, the
/// search's UI strings, the title weight, synonyms and question words.
fn meta_fields(
    strings: &BTreeMap<String, String>,
    words: &Words,
    plan: &Plan,
) -> Vec<(&'static str, Json)> {
    let ui: BTreeMap<&str, &str> = strings
        .iter()
        .filter(|(k, _)| k.starts_with("search_"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    vec![
        ("T", json!(plan.defaults.of("title"))),
        ("b", json!(cache::LENGTH_BASE)),
        ("s", json!(words.synonyms)),
        ("t", json!(ui)),
        ("types", json!(plan.labels)),
        ("v", json!(2)),
        ("w", json!(words.weak)),
    ]
}

/// Writes the search page (`tim-kiem/`), unless the site has its own page
/// there. Renders even when checking, so a broken `search.html` is reported
/// by `nqsite check`.
pub fn write_page(
    site: &Site,
    theme: &Theme,
    contexts: &Contexts<'_>,
    out: &Writer<'_>,
) -> Result<(), Diagnostic> {
    let base = &site.config.base_path;
    let home = json!({ "href": base, "short_title": theme.strings().get("home") });
    let title = theme
        .strings()
        .get("search_title")
        .map_or("", String::as_str);
    #[derive(serde::Serialize)]
    struct SearchPage<'s> {
        page: Json,
        sections: Vec<crate::context::SiteMapSection<'s>>,
    }
    let extra = SearchPage {
        page: contexts.besides_page(title, &format!("{base}{PAGE_PATH}"), json!([home]))?,
        sections: contexts.site_map(),
    };
    // (Hashed as it is: writing the site map as JSON to fingerprint it was
    // 4% of a save's instructions at 10,000 pages.)
    let print = || {
        let page = crate::fsutil::value_fingerprint(&extra.page);
        crate::fsutil::fingerprint(&(page, &extra.sections))
    };
    let html = contexts.shared().render(
        theme,
        crate::render::SEARCH_TEMPLATE,
        Path::new("search.html"),
        &extra,
        print,
    )?;
    if site.nodes.iter().all(|n| n.path != PAGE_PATH) {
        out.html(&format!("{PAGE_PATH}index.html"), html.into_bytes())?;
    }
    Ok(())
}

mod check;
pub use check::check_scripts;

#[cfg(test)]
mod tests {
    use super::*;

    fn model(yaml: &str) -> Model {
        serde_yaml::from_str(yaml).expect("model")
    }

    #[test]
    fn categories_are_declared_labels_in_first_declared_order() {
        let plan = Plan::new(
            &model(
                "types:
  solution: {search: {category: Giải pháp, weights: {owner: 3}}}
  indicator: {search: {category: Chỉ tiêu}}
  solutions: {search: {category: Giải pháp}}
  note: {search: {weights: {body: 0}}}
  page: {}",
            ),
            "Khác",
        );
        assert_eq!(plan.labels, ["Giải pháp", "Chỉ tiêu", "Khác"]);
        assert_eq!(plan.types["solutions"].0, Some(0));
        assert_eq!(plan.types["indicator"].0, Some(1));
        assert_eq!(plan.types["note"].0, None);
        // Declared weights over the defaults; other types keep the defaults.
        let w = plan.weights(Some("solution"));
        assert_eq!(w.of("owner"), 3.0);
        assert_eq!(w.of("title"), Weights::default().of("title"));
        assert_eq!(plan.weights(Some("note")).of("body"), 0.0);
        assert_eq!(plan.weights(Some("page")), &Weights::default());
        assert_eq!(plan.weights(None), &Weights::default());
    }

    #[test]
    fn default_weights_search_reader_fields_and_skip_identifiers() {
        let w = Weights::default();
        assert!(w.of("place") > 0.0 && w.of("issuer") > 0.0 && w.of("figure") > 0.0);
        assert_eq!(w.of("id"), 0.0);
        assert_eq!(w.of("some_new_field"), w.other);
    }
}
