//! Links between documents: resolving what a Markdown link points to
//! (a relative `.md` path, a typed reference such as `target:tfp-2030`, an
//! anchor), and — once every page is rendered — checking every anchor.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use crate::content::Document;
use crate::diag::{Diagnostic, closest, did_you_mean};
use crate::markdown::{LinkOutcome, PathRef, RefKind, Rendered};
use crate::output::Record;
use crate::resolve::Site;

/// URL schemes left as written (a `data:` URL reaching them passed
/// `unsafe_scheme`: a raster image).
const EXTERNAL_SCHEMES: &[&str] = &[
    "http", "https", "mailto", "tel", "ftp", "sms", "geo", "data",
];

/// URL schemes never allowed: they run code, show arbitrary content under
/// the site's name or point into the editor's own computer.
const UNSAFE_SCHEMES: &[&str] = &["javascript", "vbscript", "data", "file"];

/// The only `data:` URLs allowed, and only as images: raster images, which
/// cannot carry scripts.
const DATA_IMAGES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
];

pub use table::Table;

/// What resolving a link reads of the site, and all it can read: the base
/// path, each document's path in `content/`, site path and entity key, and
/// the other files of `content/`. Its [`Table::fingerprint`] is taken from
/// the same data, so that `nqsite serve` can keep an unchanged body's
/// resolved links while the fingerprint stays the same; a new read must be
/// a method here, next to the fingerprint that has to cover it.
mod table {
    use crate::resolve::Site;

    pub struct Table<'a> {
        site: &'a Site,
    }

    impl<'a> Table<'a> {
        pub fn new(site: &'a Site) -> Table<'a> {
            Table { site }
        }

        /// A fingerprint of everything the methods below read.
        pub fn fingerprint(&self) -> u64 {
            let nodes: Vec<_> = self
                .site
                .nodes
                .iter()
                .map(|n| (n.doc.rel.as_str(), n.path.as_str(), n.entity.as_ref()))
                .collect();
            let assets: Vec<(&str, &str)> = self.site.assets().collect();
            crate::fsutil::fingerprint(&(self.site.config.base_path.as_str(), nodes, assets))
        }

        pub(super) fn base_path(&self) -> &'a str {
            &self.site.config.base_path
        }

        /// Each document's path in `content/`, in node order.
        pub(super) fn rels(&self) -> impl Iterator<Item = &'a str> {
            self.site.nodes.iter().map(|n| n.doc.rel.as_str())
        }

        /// The folder of node `i`'s file in `content/`.
        pub(super) fn dir(&self, i: usize) -> &'a str {
            self.site.nodes[i].doc.dir()
        }

        /// Node `i`'s site path (without the base path).
        pub(super) fn path(&self, i: usize) -> &'a str {
            &self.site.nodes[i].path
        }

        /// Every entity key, in node order.
        pub(super) fn entity_keys(&self) -> impl Iterator<Item = &'a (String, String)> {
            self.site.nodes.iter().filter_map(|n| n.entity.as_ref())
        }

        pub(super) fn by_rel(&self, rel: &str) -> Option<usize> {
            self.site.by_rel(rel)
        }

        pub(super) fn entity(&self, kind: &str, id: &str) -> Option<usize> {
            self.site.entity(kind, id)
        }

        pub(super) fn has_entity_type(&self, kind: &str) -> bool {
            self.site.has_entity_type(kind)
        }

        pub(super) fn entity_ids(&self, kind: &str) -> Vec<&'a str> {
            self.site.entity_ids(kind)
        }

        pub(super) fn has_asset(&self, rel: &str) -> bool {
            self.site.asset(rel).is_some()
        }

        pub(super) fn href_at(&self, i: usize, anchor: Option<&str>) -> String {
            self.site.href_at(i, anchor)
        }
    }
}

/// Decides what `dest`, written in document `from` as a link or an image,
/// points to.
pub fn resolve_link(site: &Table, from: usize, dest: &str, kind: RefKind) -> LinkOutcome {
    let dest = dest.trim();
    if dest.is_empty() {
        return LinkOutcome::Keep;
    }
    if let Some(broken) = unsafe_scheme(dest, kind) {
        return broken;
    }
    if let Some(anchor) = dest.strip_prefix('#') {
        return LinkOutcome::Internal {
            href: dest.to_string(),
            target: from,
            anchor: Some(anchor.to_string()),
        };
    }
    if let Some(rest) = dest.strip_prefix("@/") {
        return zola_link(rest);
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(a.to_string())),
        None => (dest, None),
    };
    if let Some((scheme, id)) = scheme_split(path) {
        let lower = scheme.to_ascii_lowercase();
        if EXTERNAL_SCHEMES.contains(&lower.as_str()) {
            return LinkOutcome::Keep;
        }
        if kind == RefKind::Image {
            return LinkOutcome::Broken {
                message: format!("ảnh `{dest}` không phải là một tệp ảnh"),
                hint: "ảnh là tệp đặt cạnh tệp Markdown (`anh.png`), trong `static/` (`/anh/x.png`) hoặc một địa chỉ `https://…`".into(),
            };
        }
        return resolve_reference(site, from, scheme, id, anchor);
    }
    if kind == RefKind::Link && path.ends_with(".md") {
        return resolve_md(site, from, path, anchor);
    }
    if path.starts_with("//") {
        return LinkOutcome::Keep;
    }
    resolve_path(site, from, dest, path, anchor)
}

/// A `javascript:`, `vbscript:`, `file:` or (outside raster images) `data:`
/// URL, as browsers read it (tabs and line breaks inside are ignored).
fn unsafe_scheme(dest: &str, kind: RefKind) -> Option<LinkOutcome> {
    // No scheme without a `:` (what browsers leave out cannot make one).
    if !dest.contains(':') {
        return None;
    }
    let probe: String = dest
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let probe = probe.trim_start_matches(|c: char| c <= ' ');
    let (scheme, rest) = scheme_split(probe)?;
    let scheme = scheme.to_ascii_lowercase();
    if !UNSAFE_SCHEMES.contains(&scheme.as_str()) {
        return None;
    }
    let rest = rest.to_ascii_lowercase();
    let raster = DATA_IMAGES.iter().any(|t| {
        rest.strip_prefix(t)
            .is_some_and(|r| r.starts_with([';', ',']))
    });
    if scheme == "data" && kind == RefKind::Image && raster {
        return None;
    }
    let hint = match scheme.as_str() {
        "data" => {
            "chỉ ảnh PNG, JPEG, GIF, WEBP hay AVIF mới được nhúng bằng `data:`; với nội dung khác, đặt tệp cạnh trang hoặc trong `static/` rồi dẫn tới nó"
        }
        "file" => {
            "địa chỉ `file:` trỏ vào máy của người soạn, người đọc không mở được; đặt tệp cạnh trang hoặc trong `static/` rồi dẫn tới nó"
        }
        _ => {
            "liên kết và ảnh không được chạy mã; dùng địa chỉ `https://…` hoặc đường dẫn tới một tệp của trang web"
        }
    };
    Some(LinkOutcome::Broken {
        message: format!("địa chỉ `{scheme}:` không an toàn nên không được phép"),
        hint: hint.into(),
    })
}

/// A Zola internal link (`@/hoi-dap/cau-01.md`): what to write instead.
fn zola_link(rest: &str) -> LinkOutcome {
    LinkOutcome::Broken {
        message: format!("`@/{rest}` là cú pháp liên kết của Zola, nqsite không dùng"),
        hint: format!(
            "viết đường dẫn tới tệp tính từ thư mục `content/`, bắt đầu bằng `/`: `/{rest}` (hoặc tương đối từ tệp hiện tại)"
        ),
    }
}

/// A URL path: a page or file of the built site, or a file beside the
/// document (a page bundle's image, a PDF next to a page), which is then
/// copied beside the page. Checked against the written files by
/// [`check_paths`].
fn resolve_path(
    site: &Table,
    from: usize,
    dest: &str,
    path: &str,
    anchor: Option<String>,
) -> LinkOutcome {
    let path = path.split('?').next().unwrap_or("");
    let decoded = percent_decode(path);
    let outside = || LinkOutcome::Broken {
        message: format!("liên kết `{dest}` trỏ ra ngoài trang web"),
        hint: "đường dẫn tương đối tính từ địa chỉ của trang hiện tại; bớt `../`".into(),
    };
    if let Some(abs) = decoded.strip_prefix('/') {
        let Some(target) = site_path(abs) else {
            return outside();
        };
        let base = site.base_path();
        let href = if base == "/" {
            dest.to_string()
        } else {
            format!("{base}{}", &dest[1..])
        };
        return LinkOutcome::Path {
            href,
            path: target,
            anchor,
            asset: None,
        };
    }
    let asset = (!decoded.split('/').any(|p| p == ".."))
        .then(|| normalise(&join(site.dir(from), &decoded)).map(Cow::into_owned))
        .flatten()
        .filter(|src| site.has_asset(src));
    match site_path(&format!("{}{decoded}", site.path(from))) {
        Some(target) => LinkOutcome::Path {
            href: dest.to_string(),
            path: target,
            anchor,
            asset,
        },
        None => outside(),
    }
}

fn join(dir: &str, rel: &str) -> String {
    if dir.is_empty() {
        return rel.to_string();
    }
    let mut path = String::with_capacity(dir.len() + 1 + rel.len());
    path.push_str(dir);
    path.push('/');
    path.push_str(rel);
    path
}

/// Like [`normalise`], but a path naming a folder (`a/b/`, `a/.`, `a/..`)
/// keeps its trailing `/`.
fn site_path(path: &str) -> Option<String> {
    let folder = path.is_empty()
        || path.ends_with('/')
        || path
            .rsplit('/')
            .next()
            .is_some_and(|l| l == "." || l == "..");
    let mut out = normalise(path)?.into_owned();
    if folder && !out.is_empty() {
        out.push('/');
    }
    Some(out)
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
    site: &Table,
    from: usize,
    kind: &str,
    id: &str,
    anchor: Option<String>,
) -> LinkOutcome {
    if !site.has_entity_type(kind) {
        let mut kinds: Vec<&str> = site.entity_keys().map(|(k, _)| k.as_str()).collect();
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
fn internal(site: &Table, target: usize, anchor: Option<String>) -> LinkOutcome {
    let href = site.href_at(target, anchor.as_deref());
    LinkOutcome::Internal {
        href,
        target,
        anchor,
    }
}

/// Advice for an id that no `kind` document has: the same id under another
/// type, else the closest ids of that type.
pub fn unknown_id_hint(site: &Table, kind: &str, id: &str) -> String {
    let other_kinds: Vec<String> = site
        .entity_keys()
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
fn resolve_md(site: &Table, from: usize, path: &str, anchor: Option<String>) -> LinkOutcome {
    let decoded = percent_decode(path);
    let joined = match decoded.strip_prefix('/') {
        Some(abs) => Cow::Borrowed(abs),
        None => Cow::Owned(join(site.dir(from), &decoded)),
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
            let all: Vec<&str> = site.rels().collect();
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
fn normalise(path: &str) -> Option<Cow<'_, str>> {
    if !path.split('/').any(|p| matches!(p, "" | "." | "..")) {
        return Some(Cow::Borrowed(path));
    }
    let mut out = String::with_capacity(path.len());
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                if out.is_empty() {
                    return None;
                }
                out.truncate(out.rfind('/').unwrap_or(0));
            }
            p => {
                if !out.is_empty() {
                    out.push('/');
                }
                out.push_str(p);
            }
        }
    }
    Some(Cow::Owned(out))
}

/// A link path with its `%XX` escapes decoded; as written when it has an
/// invalid escape or does not decode to UTF-8.
fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    crate::text::percent_decode(s)
        .and_then(|b| String::from_utf8(b).ok())
        .map_or(Cow::Borrowed(s), Cow::Owned)
}

/// Where a (line, column) of a document's body is in its file.
fn file_position(doc: &Document, (line, col): (usize, usize)) -> (usize, usize) {
    (line + doc.body_line - 1, col)
}

/// Turns unresolved links into diagnostics located in the source file, and
/// raw HTML into errors unless the site allows it (`markdown: {raw_html:
/// true}`; then its `href`, `src`… are checked like any link).
pub fn broken_link_errors(site: &Site, i: usize, rendered: &Rendered) -> Vec<Diagnostic> {
    let doc = &site.nodes[i].doc;
    let mut errors: Vec<Diagnostic> = rendered
        .broken
        .iter()
        .filter(|b| counts(site, b.in_html))
        .map(|b| {
            let (line, col) = file_position(doc, b.at);
            Diagnostic::error(&doc.shown, line, col, b.message.clone()).hint(b.hint.clone())
        })
        .collect();
    if !site.config.raw_html {
        let mut last_line = 0;
        for raw in rendered.raw_html.iter() {
            let (line, col) = file_position(doc, raw.at);
            if line == last_line {
                continue;
            }
            last_line = line;
            errors.push(raw_html_error(doc, line, col, &raw.quote));
        }
    }
    errors
}

fn raw_html_error(doc: &Document, line: usize, col: usize, quote: &str) -> Diagnostic {
    Diagnostic::error(
        &doc.shown,
        line,
        col,
        format!("HTML thô `{quote}` trong nội dung không được phép"),
    )
    .hint("viết bằng Markdown (ảnh: `![mô tả](anh.png)`, liên kết: `[chữ](dia-chi)`); nếu trang web thật sự cần HTML thô, thêm `markdown: {raw_html: true}` vào site.yaml")
}

/// True when a link or image found where it was (`in_html`: in raw HTML)
/// is the site's to check: raw HTML is an error of its own unless allowed.
fn counts(site: &Site, in_html: bool) -> bool {
    site.config.raw_html || !in_html
}

/// Every URL path of the rendered bodies that the site checks, with the
/// node it is written in.
fn site_paths<'a>(
    site: &'a Site,
    rendered: &'a [Rendered],
) -> impl Iterator<Item = (usize, &'a PathRef)> {
    rendered.iter().enumerate().flat_map(move |(i, r)| {
        r.paths
            .iter()
            .filter(move |p| counts(site, p.in_html))
            .map(move |p| (i, p))
    })
}

/// The output files whose ids links point into (`/a/#b`): the files a
/// path with an anchor may name.
pub fn anchored_files(site: &Site, rendered: &[Rendered]) -> HashSet<String> {
    site_paths(site, rendered)
        .filter(|(_, p)| p.anchor.as_deref().is_some_and(|a| !a.is_empty()))
        .flat_map(|(_, p)| candidate_files(&p.path))
        .collect()
}

/// The files a site path may name: `a/` is `a/index.html`; `a` is the file
/// `a` or, as web servers redirect, the page `a/index.html`.
fn candidate_files(path: &str) -> Vec<String> {
    if path.is_empty() || path.ends_with('/') {
        vec![format!("{path}index.html")]
    } else {
        vec![path.to_string(), format!("{path}/index.html")]
    }
}

/// Checks every link and image to a URL path against what the build wrote:
/// a page, an alias, a generated or static file, a file copied from
/// `content/`; and each `#anchor` against the ids of the page written there.
pub fn check_paths(site: &Site, rendered: &[Rendered], written: &Record) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for (i, p) in site_paths(site, rendered) {
        let doc = &site.nodes[i].doc;
        let Some(file) = candidate_files(&p.path)
            .into_iter()
            .find(|f| written.files.contains(f))
        else {
            errors.push(missing_path(doc, p, written));
            continue;
        };
        let Some(anchor) = p.anchor.as_deref().filter(|a| !a.is_empty()) else {
            continue;
        };
        if let Some(ids) = written.ids.get(&file)
            && !ids.contains(anchor)
        {
            let (line, col) = file_position(doc, p.at);
            errors.push(
                Diagnostic::error(
                    &doc.shown,
                    line,
                    col,
                    format!("không tìm thấy mục `#{anchor}` trong trang `/{}`", p.path),
                )
                .hint(anchor_hint(
                    anchor,
                    ids.iter().map(String::as_str),
                    "một trang",
                )),
            );
        }
    }
    errors
}

/// "Did you mean" for a missing anchor among the `ids` of a page (`page`
/// names it in the fallback advice).
fn anchor_hint<'a>(anchor: &str, ids: impl IntoIterator<Item = &'a str>, page: &str) -> String {
    let near = closest(anchor, ids, 3);
    if near.is_empty() {
        format!("các mục của {page} được đặt mã từ tiêu đề; kiểm tra lại tên mục")
    } else {
        did_you_mean(near.iter().map(|n| format!("#{n}")))
    }
}

fn missing_path(doc: &Document, p: &PathRef, written: &Record) -> Diagnostic {
    let (line, col) = file_position(doc, p.at);
    let (message, fix) = match p.kind {
        RefKind::Image => (
            format!("không tìm thấy ảnh `{}`", p.dest),
            "đặt ảnh cạnh tệp Markdown (`![mô tả](anh.png)`) hoặc trong `static/` (`/anh/x.png`, tính từ gốc trang web)",
        ),
        RefKind::Link => (
            format!(
                "liên kết `{}` không trỏ tới trang hay tệp nào của trang web",
                p.dest
            ),
            "dẫn tới tệp Markdown (`../hoi-dap/cau-01.md`), tới một tệp cạnh trang hoặc trong `static/`",
        ),
    };
    let shown: Vec<String> = written
        .files
        .iter()
        .map(|f| f.strip_suffix("index.html").unwrap_or(f).to_string())
        .collect();
    let near = closest(&p.path, shown.iter().map(String::as_str), 3);
    let hint = if near.is_empty() {
        fix.to_string()
    } else {
        format!(
            "{fix}; {}",
            did_you_mean(near.iter().map(|n| format!("/{n}")))
        )
    };
    Diagnostic::error(&doc.shown, line, col, message).hint(hint)
}

/// The files of `content/` to copy into the output: each file a document
/// links to beside itself (copied beside its page), and every file of a page
/// bundle. Output path → name on disk under `content/`. Two different files
/// for one output path are an error.
pub fn content_files(
    site: &Site,
    rendered: &[Rendered],
) -> Result<BTreeMap<String, String>, Vec<Diagnostic>> {
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    let mut errors = Vec::new();
    let pages: HashSet<String> = site
        .nodes
        .iter()
        .map(|n| format!("{}index.html", n.path))
        .collect();
    let mut add = |out: String, src: &str, doc: &Document, at: Option<(usize, usize)>| {
        let clash = match files.get(&out) {
            Some(other) if other != src => Some(format!("tệp `content/{other}`")),
            _ if pages.contains(&out) => Some("một trang".to_string()),
            _ => None,
        };
        match clash {
            Some(other) => {
                let (line, col) = at.map_or((0, 0), |at| file_position(doc, at));
                errors.push(
                    Diagnostic::error(
                        &doc.shown,
                        line,
                        col,
                        format!(
                            "tệp `content/{src}` được chép tới `/{out}`, trùng chỗ với {other}"
                        ),
                    )
                    .hint("đổi tên một trong hai tệp"),
                );
            }
            None => {
                files.insert(out, src.to_string());
            }
        }
    };
    for (i, p) in site_paths(site, rendered) {
        if let Some(disk) = p.asset.as_deref().and_then(|a| site.asset(a)) {
            add(p.path.clone(), disk, &site.nodes[i].doc, Some(p.at));
        }
    }
    for (out, disk, i) in bundle_files(site) {
        add(out, disk, &site.nodes[i].doc, None);
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}

/// Every file of every page bundle (`foo/index.md` and what lies beside
/// it, sub-folders included unless they hold documents of their own):
/// (output path, name on disk, bundle node).
fn bundle_files(site: &Site) -> Vec<(String, &str, usize)> {
    let owners: HashMap<&str, usize> = site
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.doc.is_bundle() || n.doc.is_section)
        .map(|(i, n)| (n.doc.dir(), i))
        .collect();
    let mut out = Vec::new();
    for (rel, disk) in site.assets() {
        let mut dir = rel;
        let owner = loop {
            dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
            if let Some(&i) = owners.get(dir) {
                break Some(i);
            }
            if dir.is_empty() {
                break None;
            }
        };
        let Some(i) = owner.filter(|&i| site.nodes[i].doc.is_bundle()) else {
            continue;
        };
        let inside = &rel[site.nodes[i].doc.dir().len() + 1..];
        out.push((format!("{}{inside}", site.nodes[i].path), disk, i));
    }
    out
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
            let (line, col) = file_position(doc, link.at);
            let hint = anchor_hint(
                anchor,
                known.iter().copied(),
                &format!("`{}`", target.shown.display()),
            );
            errors.push(
                Diagnostic::error(
                    &doc.shown,
                    line,
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
    // Ids written into the HTML by the renderer or by raw HTML (`id="…"`).
    r.headings
        .iter()
        .map(|h| h.id.as_str())
        .chain(r.ids.iter().map(String::as_str))
        .collect()
}

/// The values of the ` id="…"` attributes of some HTML.
pub(crate) fn html_ids(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || {
        let pos = rest.find(" id=\"")?;
        let tail = &rest[pos + 5..];
        let end = tail.find('"')?;
        rest = &tail[end..];
        Some(&tail[..end])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_relative_paths() {
        assert_eq!(normalise("a/b/../c.md").as_deref(), Some("a/c.md"));
        assert_eq!(normalise("./a.md").as_deref(), Some("a.md"));
        assert_eq!(normalise("../a.md"), None);
        assert_eq!(normalise("a/../../b.md"), None);
        assert_eq!(normalise("a//b/./c/..").as_deref(), Some("a/b"));
        assert_eq!(normalise("s01/../s02/q.md").as_deref(), Some("s02/q.md"));
        assert!(matches!(normalise("s02/q.md"), Some(Cow::Borrowed(_))));
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
