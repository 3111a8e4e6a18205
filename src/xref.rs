//! Cross-references: who mentions whom. Built once after every page is
//! rendered, from the links found in bodies and the reference lists in front
//! matter (`targets: [tfp-2030]`, `tasks: [3]`, …: a key named after an
//! entity type plus `s`). Gives every document its incoming mentions (with an
//! excerpt and the exact anchor) and its outgoing references.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use rayon::prelude::*;
use serde_yaml::Value;

use crate::diag::Diagnostic;
use crate::markdown::{Excerpt, Rendered};
use crate::resolve::Site;

/// One place where a document is mentioned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The mentioning document.
    pub from: usize,
    /// Id of the link element in the mentioning page, if inline.
    pub link_id: Option<Arc<str>>,
    /// The heading above the mention, if any.
    pub near: Option<Arc<str>>,
    /// A one-line excerpt around the mention.
    pub excerpt: Excerpt,
    /// A fingerprint of the link id, the heading and the excerpt, taken
    /// when the mention is made: `nqsite serve` fingerprints every
    /// document's mentions at each save, and reading the texts again then
    /// (scattered in memory) was most of that pass.
    print: u64,
}

impl Mention {
    fn new(
        from: usize,
        link_id: Option<Arc<str>>,
        near: Option<Arc<str>>,
        excerpt: Excerpt,
    ) -> Mention {
        let print = crate::fsutil::fingerprint(&(&link_id, &near, &excerpt));
        Mention {
            from,
            link_id,
            near,
            excerpt,
            print,
        }
    }
}

impl std::hash::Hash for Mention {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_usize(self.from);
        state.write_u64(self.print);
    }
}

/// The cross-reference graph of a site.
#[derive(Debug, Default)]
pub struct Xref {
    /// For each node, the places that mention it (in document order).
    pub incoming: Vec<Vec<Mention>>,
    /// For each node, the documents it references (first mention order, no repeats).
    pub outgoing: Vec<Vec<usize>>,
}

/// Builds the graph; front-matter reference lists are checked here.
pub fn build(site: &Site, rendered: &[Rendered]) -> Result<Xref, Vec<Diagnostic>> {
    let n = site.nodes.len();
    // Each document's references are worked out on its own, in parallel
    // (excerpts were made with the bodies); the mentions are then filed under
    // their targets in document order.
    let found: Vec<Found> = rendered
        .par_iter()
        .enumerate()
        .map(|(i, r)| references(site, i, r))
        .collect();
    let mut xref = Xref {
        incoming: vec![Vec::new(); n],
        outgoing: Vec::with_capacity(n),
    };
    let mut errors = Vec::new();
    for f in found {
        xref.outgoing.push(f.outgoing);
        for (target, mention) in f.mentions {
            xref.incoming[target].push(mention);
        }
        errors.extend(f.errors);
    }
    if errors.is_empty() {
        Ok(xref)
    } else {
        Err(errors)
    }
}

/// What one document references: its targets in first-mention order, its
/// mentions of each (target, mention) in order, and the errors of its
/// front-matter reference lists.
#[derive(Default)]
struct Found {
    outgoing: Vec<usize>,
    mentions: Vec<(usize, Mention)>,
    errors: Vec<Diagnostic>,
}

/// The references of document `i`, rendered as `r`.
fn references(site: &Site, i: usize, r: &Rendered) -> Found {
    let n = site.nodes.len();
    let mut found = Found::default();
    let mut seen = BTreeSet::new();
    // (target, excerpt) pairs already listed for this document: one
    // mention per paragraph is enough. Kept in a set so that many links
    // to one page cost linear time, not quadratic.
    let mut listed: foldhash::HashSet<(usize, Excerpt)> = foldhash::HashSet::default();
    // The targets of front-matter mentions not yet superseded (below).
    let mut from_front_matter: HashSet<usize> = HashSet::new();
    for (target, key_line) in front_matter_refs(site, i, &mut found.errors) {
        if target == i {
            found.errors.push(crate::links::self_reference(
                &site.nodes[i].doc,
                key_line,
                1,
            ));
            continue;
        }
        if seen.insert(target) {
            from_front_matter.insert(target);
            found.outgoing.push(target);
            let excerpt = Excerpt::new(site.nodes[i].doc.fm.description.as_deref().unwrap_or(""));
            listed.insert((target, excerpt.clone()));
            found
                .mentions
                .push((target, Mention::new(i, None, None, excerpt)));
        }
    }
    let mut inline: HashSet<usize> = HashSet::new();
    for link in r.links.iter() {
        if link.target == i || link.target >= n {
            continue;
        }
        if seen.insert(link.target) {
            found.outgoing.push(link.target);
        }
        let excerpt = link.excerpt.clone();
        if !listed.insert((link.target, excerpt.clone())) {
            continue;
        }
        if inline.insert(link.target) && from_front_matter.remove(&link.target) {
            // A front-matter mention of the same document is superseded by the inline one.
            found
                .mentions
                .retain(|(t, m)| !(*t == link.target && m.link_id.is_none()));
        }
        found.mentions.push((
            link.target,
            Mention::new(i, link.id.clone(), link.near.clone(), excerpt),
        ));
    }
    found
}

/// Reads `<type>s:` lists from front matter and resolves each id.
fn front_matter_refs(site: &Site, i: usize, errors: &mut Vec<Diagnostic>) -> Vec<(usize, usize)> {
    let doc = &site.nodes[i].doc;
    let mut out = Vec::new();
    for (key, value) in &doc.fm.extra {
        let Some(kind) = key.as_str().and_then(|k| k.strip_suffix('s')) else {
            continue;
        };
        if !site.has_entity_type(kind) {
            continue;
        }
        let key = format!("{kind}s");
        let line = doc.fm.line_of(&key);
        let items: Vec<&Value> = match value {
            Value::Sequence(items) => items.iter().collect(),
            Value::Null => continue,
            other => vec![other],
        };
        for item in items {
            let id = match item {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => {
                    errors.push(
                        Diagnostic::error(
                            &doc.shown,
                            line,
                            1,
                            format!("`{key}` phải là danh sách mã `{kind}`"),
                        )
                        .hint(format!(
                            "ví dụ: `{key}: [\"{}\"]`",
                            site.entity_ids(kind).first().copied().unwrap_or("ma")
                        )),
                    );
                    continue;
                }
            };
            match site.entity(kind, &id) {
                Some(t) => out.push((t, line)),
                None => errors.push(unknown_id(site, doc, line, kind, &id)),
            }
        }
    }
    out
}

fn unknown_id(
    site: &Site,
    doc: &crate::content::Document,
    line: usize,
    kind: &str,
    id: &str,
) -> Diagnostic {
    Diagnostic::error(
        &doc.shown,
        line,
        1,
        format!("không có `{kind}` nào mang mã `{id}`"),
    )
    .hint(crate::links::unknown_id_hint(
        &crate::links::Table::new(site),
        kind,
        id,
    ))
}
