//! Print outputs: the one-page booklet of a section (every document of the
//! section in reading order, with its rendered body, for `type: print`
//! pages) and the paper variants of a page (`paper_variants: [a3]`), written
//! beside it as `<url>/<paper>/index.html`.

use rayon::prelude::*;
use serde_json::{Value as Json, json};

use crate::BodyHtml;
use crate::diag::Diagnostic;
use crate::markdown::Rendered;
use crate::resolve::Site;

/// For every node whose type declares `booklet: true`, the documents of its section in reading
/// order (the section itself, its pages, then its sub-sections, depth
/// first), each with its rendered body. `None` for other nodes.
pub fn booklets(
    site: &Site,
    rendered: &[Rendered],
    html: &BodyHtml<'_>,
) -> Result<Vec<Option<Json>>, Diagnostic> {
    let is_booklet = |j: usize| {
        let fm = &site.nodes[j].doc.fm;
        site.config.model.of(fm).is_some_and(|d| d.booklet)
    };
    (0..site.nodes.len())
        .map(|i| {
            let Some(parent) = site.nodes[i].parent.filter(|_| is_booklet(i)) else {
                return Ok(None);
            };
            let mut members = Vec::new();
            walk(site, parent, 0, &mut |j, depth| {
                if !is_booklet(j) {
                    members.push((j, depth));
                }
            });
            // The members' bodies are rendered in parallel; the first
            // member's error, in order, is the one reported.
            let docs = members
                .into_par_iter()
                .map(|(j, depth)| Ok(entry(site, &html(j, &rendered[j])?, j, depth)))
                .collect::<Vec<Result<Json, Diagnostic>>>()
                .into_iter()
                .collect::<Result<Vec<Json>, Diagnostic>>()?;
            Ok(Some(Json::Array(docs)))
        })
        .collect()
}

/// A section, its pages, then its sub-sections, with their depth.
fn walk(site: &Site, i: usize, depth: usize, f: &mut dyn FnMut(usize, usize)) {
    f(i, depth);
    for &p in &site.nodes[i].pages {
        f(p, depth + 1);
    }
    for &s in &site.nodes[i].subsections {
        walk(site, s, depth + 1, f);
    }
}

fn entry(site: &Site, body_html: &str, j: usize, depth: usize) -> Json {
    let node = &site.nodes[j];
    let fm = &node.doc.fm;
    let prefix = anchor_prefix(&node.path);
    let extra = |k: &str| fm.extra_str(k);
    json!({
        "title": fm.title,
        "heading": extra("heading"),
        "label": extra("label"),
        "type": fm.doc_type,
        "href": site.href(j),
        "anchor": prefix,
        "depth": depth,
        "is_section": node.doc.is_section,
        "date": fm.date.map(|d| d.vi()),
        "content": prefix_ids(body_html, &prefix),
    })
}

/// A page-unique anchor prefix from the last part of a URL path
/// (`/hoi-dap/phan-2/cau-15/` → `cau-15`).
fn anchor_prefix(path: &str) -> String {
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    if last.is_empty() {
        "goc".into()
    } else {
        last.to_string()
    }
}

/// Prefixes every `id` and every same-page `#fragment` link of a rendered
/// body, so that several bodies can share one page without clashing ids.
pub fn prefix_ids(html: &str, prefix: &str) -> String {
    html.replace(" id=\"", &format!(" id=\"{prefix}-"))
        .replace(" href=\"#", &format!(" href=\"#{prefix}-"))
}

/// The paper variants a page asks for (`paper_variants: [a3]`), as safe
/// lowercase folder names.
pub fn paper_variants(fm_extra: &serde_yaml::Mapping) -> Vec<String> {
    match fm_extra.get("paper_variants") {
        Some(serde_yaml::Value::Sequence(v)) => v
            .iter()
            .filter_map(|p| p.as_str())
            .map(|p| p.to_ascii_lowercase())
            .filter(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_ids_and_same_page_links_only() {
        let html = r##"<h2 id="a">A</h2><sup class="fnref" id="fnref-1"><a href="#fn-1">1</a></sup><a href="/x/#y">x</a>"##;
        assert_eq!(
            prefix_ids(html, "cau-15"),
            r##"<h2 id="cau-15-a">A</h2><sup class="fnref" id="cau-15-fnref-1"><a href="#cau-15-fn-1">1</a></sup><a href="/x/#y">x</a>"##
        );
    }

    #[test]
    fn anchor_prefix_is_the_last_url_segment() {
        assert_eq!(anchor_prefix("/hoi-dap/phan-2/cau-15/"), "cau-15");
        assert_eq!(anchor_prefix("/"), "goc");
    }

    #[test]
    fn paper_variants_keep_safe_names_only() {
        let fm: serde_yaml::Mapping =
            serde_yaml::from_str("paper_variants: [A3, '../x', a2]").unwrap();
        assert_eq!(paper_variants(&fm), vec!["a3", "a2"]);
    }
}
