//! Links between documents: resolving what a Markdown link points to
//! (a relative `.md` path, a typed reference such as `target:tfp-2030`, an
//! anchor), and — once every page is rendered — checking every anchor.

use std::collections::{HashMap, HashSet};

use crate::content::Document;
use crate::diag::{Diagnostic, closest, did_you_mean, line_col};
use crate::markdown::{LinkOutcome, Rendered};
use crate::resolve::Site;

/// URL schemes left as written.
const EXTERNAL_SCHEMES: &[&str] = &[
    "http", "https", "mailto", "tel", "ftp", "sms", "geo", "data",
];

/// Decides what `dest`, written in document `from`, points to.
pub fn resolve_link(site: &Site, from: usize, dest: &str) -> LinkOutcome {
    let dest = dest.trim();
    if dest.is_empty() {
        return LinkOutcome::Keep;
    }
    if let Some(anchor) = dest.strip_prefix('#') {
        return LinkOutcome::Internal {
            href: dest.to_string(),
            target: from,
            anchor: Some(anchor.to_string()),
        };
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(a.to_string())),
        None => (dest, None),
    };
    if let Some((scheme, id)) = scheme_split(path) {
        if EXTERNAL_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()) {
            return LinkOutcome::Keep;
        }
        return resolve_reference(site, from, scheme, id, anchor);
    }
    if path.ends_with(".md") {
        return resolve_md(site, from, path, anchor);
    }
    if path.starts_with('/') && !path.starts_with("//") && site.config.base_path != "/" {
        return LinkOutcome::Rewrite(format!("{}{}", site.config.base_path, &dest[1..]));
    }
    LinkOutcome::Keep
}

fn scheme_split(path: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = path.split_once(':')?;
    let valid = !scheme.is_empty()
        && scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some((scheme, rest))
}

/// Resolves `kind:id` typed references written in document `from`.
fn resolve_reference(
    site: &Site,
    from: usize,
    kind: &str,
    id: &str,
    anchor: Option<String>,
) -> LinkOutcome {
    if !site.has_entity_type(kind) {
        let mut kinds: Vec<&str> = site
            .nodes
            .iter()
            .filter_map(|n| n.entity.as_ref().map(|(k, _)| k.as_str()))
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        return LinkOutcome::Broken {
            message: format!("không rõ loại tham chiếu `{kind}:`"),
            hint: if kinds.is_empty() {
                "trang web chưa có tài liệu nào mang `type` và `id`; dùng đường dẫn tới tệp `.md`"
                    .into()
            } else {
                format!("các loại có trong trang web: {}", kinds.join(", "))
            },
        };
    }
    match site.entity(kind, id) {
        Some(target) if target == from => LinkOutcome::Broken {
            message: SELF_REFERENCE.into(),
            hint: "xoá tham chiếu này; để dẫn tới một mục của chính trang, dùng `#mã-mục`".into(),
        },
        Some(target) => internal(site, target, anchor),
        None => LinkOutcome::Broken {
            message: format!("không có `{kind}` nào mang mã `{id}`"),
            hint: unknown_id_hint(site, kind, id),
        },
    }
}

const SELF_REFERENCE: &str = "tài liệu tự tham chiếu tới chính nó";

/// A document that lists itself among its front-matter references.
pub(crate) fn self_reference(doc: &Document, line: usize, column: usize) -> Diagnostic {
    Diagnostic::error(&doc.shown, line, column, SELF_REFERENCE)
        .hint("xoá mã của chính tài liệu này khỏi danh sách tham chiếu")
}

/// A resolved link to document `target`, at `anchor` if any.
fn internal(site: &Site, target: usize, anchor: Option<String>) -> LinkOutcome {
    let href = match &anchor {
        Some(a) => format!("{}#{a}", site.href(target)),
        None => site.href(target),
    };
    LinkOutcome::Internal {
        href,
        target,
        anchor,
    }
}

/// Advice for an id that no `kind` document has: the same id under another
/// type, else the closest ids of that type.
pub fn unknown_id_hint(site: &Site, kind: &str, id: &str) -> String {
    let other_kinds: Vec<String> = site
        .nodes
        .iter()
        .filter_map(|n| n.entity.as_ref())
        .filter(|(k, v)| v == id && k != kind)
        .map(|(k, _)| format!("`{k}:{id}`"))
        .collect();
    let ids = site.entity_ids(kind);
    let near = closest(id, ids.iter().copied(), 3);
    if !other_kinds.is_empty() {
        format!("mã này thuộc loại khác: {}", other_kinds.join(", "))
    } else if near.is_empty() {
        format!(
            "các mã `{kind}` hợp lệ: {}",
            ids.iter().take(8).copied().collect::<Vec<_>>().join(", ")
        )
    } else {
        did_you_mean(near.iter().map(|n| format!("{kind}:{n}")))
    }
}

/// Resolves a relative (or content-root absolute) path to a `.md` file.
fn resolve_md(site: &Site, from: usize, path: &str, anchor: Option<String>) -> LinkOutcome {
    let decoded = percent_decode(path);
    let joined = if let Some(abs) = decoded.strip_prefix('/') {
        abs.to_string()
    } else {
        let dir = site.nodes[from].doc.dir();
        if dir.is_empty() {
            decoded.clone()
        } else {
            format!("{dir}/{decoded}")
        }
    };
    let Some(rel) = normalise(&joined) else {
        return LinkOutcome::Broken {
            message: format!("liên kết `{path}` trỏ ra ngoài thư mục `content/`"),
            hint: "đường dẫn tương đối tính từ thư mục của tệp hiện tại; bớt `../`".into(),
        };
    };
    match site.by_rel(&rel) {
        Some(target) => internal(site, target, anchor),
        None => {
            let all: Vec<&str> = site.nodes.iter().map(|n| n.doc.rel.as_str()).collect();
            let near = closest(&rel, all, 3);
            LinkOutcome::Broken {
                message: format!("liên kết tới tệp không tồn tại `content/{rel}`"),
                hint: if near.is_empty() {
                    "kiểm tra tên tệp và thư mục (đường dẫn tính từ thư mục của tệp hiện tại)"
                        .into()
                } else {
                    did_you_mean(near.iter().map(|n| format!("content/{n}")))
                },
            }
        }
    }
}

/// Resolves `.` and `..` in a `/`-separated path; `None` if it climbs above the root.
fn normalise(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// A link path with its `%XX` escapes decoded; as written when it has an
/// invalid escape or does not decode to UTF-8.
fn percent_decode(s: &str) -> String {
    crate::text::percent_decode(s)
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_else(|| s.to_string())
}

/// Turns unresolved links into diagnostics located in the source file.
pub fn broken_link_errors(site: &Site, i: usize, rendered: &Rendered) -> Vec<Diagnostic> {
    let doc = &site.nodes[i].doc;
    rendered
        .broken
        .iter()
        .map(|b| {
            let (line, col) = line_col(&doc.body, b.offset);
            Diagnostic::error(&doc.shown, line + doc.body_line - 1, col, b.message.clone())
                .hint(b.hint.clone())
        })
        .collect()
}

/// Checks that every `#anchor` of every internal link exists in its target.
pub fn check_anchors(site: &Site, rendered: &[Rendered]) -> Vec<Diagnostic> {
    // Only the pages that links point into with an anchor are scanned.
    let mut ids: HashMap<usize, HashSet<&str>> = HashMap::new();
    let mut errors = Vec::new();
    for (i, r) in rendered.iter().enumerate() {
        for link in r.links.iter() {
            let Some(anchor) = &link.anchor else { continue };
            let Some(target) = rendered.get(link.target) else {
                continue;
            };
            let known = ids.entry(link.target).or_insert_with(|| anchor_ids(target));
            if anchor.is_empty() || known.contains(anchor.as_str()) {
                continue;
            }
            let doc = &site.nodes[i].doc;
            let target = &site.nodes[link.target].doc;
            let (line, col) = line_col(&doc.body, link.offset);
            let near = closest(anchor, known.iter().copied(), 3);
            let hint = if near.is_empty() {
                format!(
                    "các mục có trong `{}` được đặt mã từ tiêu đề; kiểm tra lại tên mục",
                    target.shown.display()
                )
            } else {
                did_you_mean(near.iter().map(|n| format!("#{n}")))
            };
            errors.push(
                Diagnostic::error(
                    &doc.shown,
                    line + doc.body_line - 1,
                    col,
                    format!(
                        "không tìm thấy mục `#{anchor}` trong `{}`",
                        target.shown.display()
                    ),
                )
                .hint(hint),
            );
        }
    }
    errors
}

fn anchor_ids(r: &Rendered) -> HashSet<&str> {
    let mut ids: HashSet<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
    // Ids written into the HTML by the renderer or by raw HTML (`id="…"`).
    let mut rest: &str = &r.html;
    while let Some(pos) = rest.find(" id=\"") {
        rest = &rest[pos + 5..];
        if let Some(end) = rest.find('"') {
            ids.insert(&rest[..end]);
            rest = &rest[end..];
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_relative_paths() {
        assert_eq!(normalise("a/b/../c.md").as_deref(), Some("a/c.md"));
        assert_eq!(normalise("./a.md").as_deref(), Some("a.md"));
        assert_eq!(normalise("../a.md"), None);
    }

    #[test]
    fn splits_schemes() {
        assert_eq!(
            scheme_split("target:tfp-2030"),
            Some(("target", "tfp-2030"))
        );
        assert_eq!(scheme_split("../a.md"), None);
        assert_eq!(scheme_split("https://x"), Some(("https", "//x")));
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("c%C3%A2u%20h%E1%BB%8Fi.md"), "câu hỏi.md");
        assert_eq!(percent_decode("100%"), "100%");
        // An escape cut short before a multi-byte character (used to panic).
        assert_eq!(percent_decode("%aé"), "%aé");
    }
}
