//! Cross-references: who mentions whom. Built once after every page is
//! rendered, from the links found in bodies and the reference lists in front
//! matter (`targets: [tfp-2030]`, `tasks: [3]`, …: a key named after an
//! entity type plus `s`). Gives every document its incoming mentions (with an
//! excerpt and the exact anchor) and its outgoing references.

use std::collections::{BTreeSet, HashSet};

use rayon::prelude::*;
use serde_yaml::Value;

use crate::diag::Diagnostic;
use crate::markdown::Rendered;
use crate::resolve::Site;

/// One place where a document is mentioned.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mention {
    /// The mentioning document.
    pub from: usize,
    /// Id of the link element in the mentioning page, if inline.
    pub link_id: Option<String>,
    /// The heading above the mention, if any.
    pub near: Option<String>,
    /// A one-line excerpt around the mention.
    pub excerpt: String,
}

/// The cross-reference graph of a site.
#[derive(Debug, Default)]
pub struct Xref {
    /// For each node, the places that mention it (in document order).
    pub incoming: Vec<Vec<Mention>>,
    /// For each node, the documents it references (first mention order, no repeats).
    pub outgoing: Vec<Vec<usize>>,
}

/// Most characters of an excerpt on each side of the mention.
const EXCERPT_SIDE: usize = 90;

/// Builds the graph; front-matter reference lists are checked here.
pub fn build(site: &Site, rendered: &[Rendered]) -> Result<Xref, Vec<Diagnostic>> {
    let n = site.nodes.len();
    // Each document's references are worked out on its own, in parallel
    // (excerpts are most of the work); the mentions are then filed under
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
    let mut listed: foldhash::HashSet<(usize, String)> = foldhash::HashSet::default();
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
            let excerpt = site.nodes[i].doc.fm.description.clone().unwrap_or_default();
            listed.insert((target, excerpt.clone()));
            found.mentions.push((
                target,
                Mention {
                    from: i,
                    link_id: None,
                    near: None,
                    excerpt,
                },
            ));
        }
    }
    let mut lines = Lines::new(&r.text);
    let mut inline: HashSet<usize> = HashSet::new();
    for link in r.links.iter() {
        if link.target == i || link.target >= n {
            continue;
        }
        if seen.insert(link.target) {
            found.outgoing.push(link.target);
        }
        let excerpt = lines.excerpt(link.text_pos);
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
            Mention {
                from: i,
                link_id: link.id.clone(),
                near: link.near.clone(),
                excerpt,
            },
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
    .hint(crate::links::unknown_id_hint(site, kind, id))
}

/// The block of `text` around byte `pos`, cut to about a line.
pub fn excerpt(text: &str, pos: usize) -> String {
    Lines::new(text).excerpt(pos)
}

/// Finds the line around a position of a text. A line is found by looking
/// back and ahead from the position; once that has read more than the
/// text's length, where each line starts is worked out once and then
/// searched, so that many positions on one long line stay linear.
struct Lines<'t> {
    text: &'t str,
    /// Bytes read looking for lines so far.
    read: usize,
    starts: Option<Vec<usize>>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Lines<'t> {
        Lines {
            text,
            read: 0,
            starts: None,
        }
    }

    /// The line around byte `pos`, cut to about [`EXCERPT_SIDE`] on each side.
    fn excerpt(&mut self, pos: usize) -> String {
        let text = self.text;
        let pos = floor(text, pos.min(text.len()));
        if self.starts.is_none() && self.read > text.len() {
            let starts = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect();
            self.starts = Some(starts);
        }
        let (start, end) = match &self.starts {
            Some(starts) => {
                let line = starts.partition_point(|&s| s <= pos) - 1;
                let end = starts.get(line + 1).map_or(text.len(), |&s| s - 1);
                (starts[line], end)
            }
            None => {
                let start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
                let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
                self.read += end - start;
                (start, end)
            }
        };
        cut(&text[start..end], pos - start)
    }
}

/// `block` cut to about [`EXCERPT_SIDE`] characters before `rel` and twice
/// that after it, at word boundaries, with `…` where it was cut.
fn cut(block: &str, rel: usize) -> String {
    let from = if rel > EXCERPT_SIDE {
        word_start(block, rel - EXCERPT_SIDE, rel)
    } else {
        0
    };
    let to = if block.len() - rel > EXCERPT_SIDE * 2 {
        word_end(block, rel, rel + EXCERPT_SIDE * 2)
    } else {
        block.len()
    };
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(block[from..to].trim());
    if to < block.len() {
        out.push('…');
    }
    out
}

fn floor(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Just after the first space in `s[i..limit]`, else `i`.
fn word_start(s: &str, i: usize, limit: usize) -> usize {
    let (i, limit) = (floor(s, i), floor(s, limit));
    s[i..limit].find(' ').map_or(i, |j| i + j + 1)
}

/// The last space in `s[limit..i]`, else `i`.
fn word_end(s: &str, limit: usize, i: usize) -> usize {
    let (limit, i) = (floor(s, limit), floor(s, i));
    s[limit..i].rfind(' ').map_or(i, |j| limit + j)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_found_by_looking_around_are_those_of_the_index() {
        let text = "Dòng một.\n\nDòng hai, dài hơn một chút.\nBa\n";
        let mut looked = Lines::new(text);
        let mut indexed = Lines::new(text);
        indexed.read = usize::MAX;
        for pos in 0..=text.len() + 1 {
            let fresh = Lines::new(text).excerpt(pos);
            assert_eq!(looked.excerpt(pos), fresh, "{pos}");
            assert_eq!(indexed.excerpt(pos), fresh, "{pos}");
        }
        assert!(
            looked.starts.is_some(),
            "switches to the index once it has read the text"
        );
    }

    #[test]
    fn excerpt_is_the_block_around_the_mention() {
        let text = "Đầu.\nĐoạn có mục tiêu TFP trên 55% ở đây.\nSau.";
        let pos = text.find("TFP").unwrap();
        assert_eq!(excerpt(text, pos), "Đoạn có mục tiêu TFP trên 55% ở đây.");
    }

    #[test]
    fn long_blocks_are_cut_at_words_around_the_mention() {
        let words: Vec<String> = (0..200).map(|i| format!("từ{i}")).collect();
        let text = words.join(" ");
        let pos = text.find("từ100").unwrap();
        let e = excerpt(&text, pos);
        assert!(e.starts_with('…') && e.ends_with('…'), "{e}");
        assert!(e.contains("từ100"));
        assert!(e.chars().count() < 320);
    }

    #[test]
    fn a_long_word_around_the_mention_is_cut_without_panicking() {
        let text = format!("a {} b", "x".repeat(400));
        let e = excerpt(&text, 200);
        assert!(e.starts_with('…') && e.ends_with('…'), "{e}");
        assert!(e.len() <= EXCERPT_SIDE * 3 + 8, "{e}");
    }
}
