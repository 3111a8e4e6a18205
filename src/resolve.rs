//! Resolve stage: give every document its URL, its section and its place in
//! the section's order; register typed entities (`target:tfp-2030`); reject
//! duplicate URLs and slugs or aliases that would escape the output folder.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{BUNDLE_STEM, Document, FrontMatter, SECTION_FILE};
use crate::diag::Diagnostic;
use crate::model::Model;
use crate::text::{collate, slugify};

/// A document placed in the site.
#[derive(Debug)]
pub struct Node {
    /// The document as loaded.
    pub doc: Document,
    /// Site path without the base path: `""` for home, `hoi-dap/phan-1/cau-01/`.
    pub path: String,
    /// The section this document belongs to (`None` for home).
    pub parent: Option<usize>,
    /// For sections: the pages directly in it, in order.
    pub pages: Vec<usize>,
    /// For sections: the sections directly in it, in order.
    pub subsections: Vec<usize>,
    /// Typed entity key (`("target", "tfp-2030")`), when the document is one.
    pub entity: Option<(String, String)>,
}

/// The whole site, resolved and from here on read-only.
#[derive(Debug)]
pub struct Site {
    /// Configuration.
    pub config: Config,
    /// Every document; index 0 is the home page.
    pub nodes: Vec<Node>,
    /// Problems that do not stop the build (see [`crate::model::check_documents`]).
    pub warnings: Vec<Diagnostic>,
    /// Each document's node by its path in `content/` (looked up for every
    /// link of every body: foldhash, not SipHash; the keys are the site's
    /// own file names).
    by_rel: foldhash::HashMap<String, usize>,
    entities: HashMap<(String, String), usize>,
    /// Every page file a document claims ([`claimed_files`]), with the
    /// document and the front-matter key that asks for it: sorted, so that
    /// [`check_generated`] finds the pages under a folder.
    claims: Claims,
    /// The files of `content/` that are not Markdown, by their NFC path
    /// relative to `content/` (what links name), with their name on disk.
    assets: BTreeMap<String, String>,
}

/// Index of the home page in [`Site::nodes`].
pub const HOME: usize = 0;

impl Site {
    /// The node for a path relative to `content/` (`a/b.md`).
    pub fn by_rel(&self, rel: &str) -> Option<usize> {
        self.by_rel.get(rel).copied()
    }

    /// The node for a typed entity.
    pub fn entity(&self, kind: &str, id: &str) -> Option<usize> {
        self.entities
            .get(&(kind.to_string(), id.to_string()))
            .copied()
    }

    /// The document a reference names: `type:key`, or a bare key that one
    /// document of any type has. `Err` lists the `type:key` forms of an
    /// ambiguous bare key (empty when nothing has it).
    pub fn reference(&self, text: &str) -> Result<usize, Vec<String>> {
        if let Some((kind, id)) = text.split_once(':') {
            return self.entity(kind, id).ok_or_else(Vec::new);
        }
        let mut found: Vec<(&(String, String), usize)> = self
            .entities
            .iter()
            .filter(|((_, id), _)| id == text)
            .map(|(k, &i)| (k, i))
            .collect();
        found.sort();
        match found.as_slice() {
            [(_, i)] => Ok(*i),
            many => Err(many
                .iter()
                .map(|((k, id), _)| format!("{k}:{id}"))
                .collect()),
        }
    }

    /// Every id registered for an entity type, sorted (for suggestions).
    pub fn entity_ids(&self, kind: &str) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .entities
            .keys()
            .filter(|(k, _)| k == kind)
            .map(|(_, id)| id.as_str())
            .collect();
        ids.sort_unstable();
        ids
    }

    /// The name on disk (relative to `content/`) of a non-Markdown file of
    /// `content/`, given its NFC path.
    pub fn asset(&self, rel: &str) -> Option<&str> {
        self.assets.get(rel).map(String::as_str)
    }

    /// Every non-Markdown file of `content/`: (NFC path, name on disk), sorted.
    pub fn assets(&self) -> impl Iterator<Item = (&str, &str)> {
        self.assets.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Records the non-Markdown files of `content/` (paths as on disk).
    pub fn add_assets(&mut self, assets: Vec<String>) {
        self.assets = assets
            .into_iter()
            .map(|a| (crate::text::nfc(&a).into_owned(), a))
            .collect();
    }

    /// True if some document has this entity type.
    pub fn has_entity_type(&self, kind: &str) -> bool {
        self.entities.keys().any(|(k, _)| k == kind)
    }

    /// The link a template or document uses for a node (`/base/a/b/`).
    pub fn href(&self, i: usize) -> String {
        self.href_at(i, None)
    }

    /// The href of node `i`, at `anchor` if any (`/nq57/hoi-dap/#cau-1`).
    pub fn href_at(&self, i: usize, anchor: Option<&str>) -> String {
        let (base, path) = (&self.config.base_path, &self.nodes[i].path);
        let mut href =
            String::with_capacity(base.len() + path.len() + anchor.map_or(0, |a| a.len() + 1));
        href.push_str(base);
        href.push_str(path);
        if let Some(a) = anchor {
            href.push('#');
            href.push_str(a);
        }
        href
    }

    /// Pages and sections in a stable order: the breadcrumbs of a node, home first.
    pub fn ancestors(&self, i: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut cur = self.nodes[i].parent;
        while let Some(p) = cur {
            chain.push(p);
            cur = self.nodes[p].parent;
        }
        chain.reverse();
        chain
    }

    /// The previous and next page in the same section.
    pub fn siblings(&self, i: usize) -> (Option<usize>, Option<usize>) {
        let Some(parent) = self.nodes[i].parent else {
            return (None, None);
        };
        let list = if self.nodes[i].doc.is_section {
            &self.nodes[parent].subsections
        } else {
            &self.nodes[parent].pages
        };
        match list.iter().position(|&x| x == i) {
            Some(pos) => (
                pos.checked_sub(1).map(|p| list[p]),
                list.get(pos + 1).copied(),
            ),
            None => (None, None),
        }
    }
}

/// Builds the site from loaded documents. Reports every problem found.
pub fn resolve(config: Config, docs: Vec<Document>) -> Result<Site, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut docs = docs;
    let (home, mut home_errors) = take_home(&mut docs, &config);
    errors.append(&mut home_errors);
    // (Made at its full size: growing it moved every node again and again.)
    let mut nodes = Vec::with_capacity(docs.len() + 1);
    nodes.push(node(home, String::new()));
    // (Worked out in parallel: the slugs of every folder and file.)
    let paths: Vec<Result<String, Diagnostic>> = docs.par_iter().map(doc_path).collect();
    for (doc, path) in docs.into_iter().zip(paths) {
        match path {
            Ok(path) => nodes.push(node(doc, path)),
            Err(d) => errors.push(d),
        }
    }
    let by_rel: foldhash::HashMap<String, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.doc.rel.clone(), i))
        .collect();
    link_sections(&mut nodes, &by_rel);
    sort_children(&mut nodes);
    let (claims, mut path_errors) = check_unique_paths(&nodes);
    errors.append(&mut path_errors);
    let (entities, mut entity_errors) = register_entities(&config.model, &mut nodes);
    errors.append(&mut entity_errors);
    let mut site = Site {
        config,
        nodes,
        warnings: Vec::new(),
        by_rel,
        entities,
        claims,
        assets: BTreeMap::new(),
    };
    // Checked even when the site has other errors: every problem at once.
    let (mut field_errors, warnings) = crate::model::check_documents(&site);
    errors.append(&mut field_errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    site.warnings = warnings;
    Ok(site)
}

/// Takes the home page out of `docs`: `content/_index.md`, else
/// `content/index.md` (other generators' home), else a generated one.
fn take_home(docs: &mut Vec<Document>, config: &Config) -> (Document, Vec<Diagnostic>) {
    let index_md = format!("{BUNDLE_STEM}.md");
    let section = docs.iter().position(|d| d.rel == SECTION_FILE);
    let index = docs.iter().position(|d| d.rel == index_md);
    let mut errors = Vec::new();
    let home = match (section, index) {
        (Some(s), Some(i)) => {
            errors.push(
                Diagnostic::error(
                    &docs[i].shown,
                    1,
                    1,
                    "cả `content/index.md` và `content/_index.md` đều là trang chủ",
                )
                .hint(
                    "giữ một tệp: gộp nội dung vào `content/_index.md` rồi xoá `content/index.md`",
                ),
            );
            docs.remove(s)
        }
        (Some(s), None) => docs.remove(s),
        (None, Some(i)) => {
            let mut home = docs.remove(i);
            home.is_section = true;
            home
        }
        (None, None) => synthetic_home(config),
    };
    (home, errors)
}

fn node(doc: Document, path: String) -> Node {
    Node {
        doc,
        path,
        parent: None,
        pages: Vec::new(),
        subsections: Vec::new(),
        entity: None,
    }
}

fn synthetic_home(config: &Config) -> Document {
    Document {
        rel: SECTION_FILE.into(),
        shown: PathBuf::from("content").join(SECTION_FILE),
        is_section: true,
        fm: FrontMatter {
            title: config.title.clone().unwrap_or_else(|| "Trang chủ".into()),
            ..Default::default()
        }
        .into(),
        body: "".into(),
        body_line: 1,
    }
}

/// The URL path of a document from its folders and its slug. A page
/// bundle (`foo/index.md`) is the page of its folder (`foo/`).
fn doc_path(doc: &Document) -> Result<String, Diagnostic> {
    let mut folders: Vec<&str> = doc.dir().split('/').filter(|p| !p.is_empty()).collect();
    let name = if doc.is_bundle() {
        folders.pop().unwrap_or(BUNDLE_STEM)
    } else {
        doc.stem()
    };
    let mut path = String::new();
    for part in folders {
        let slug = slugify(part);
        if slug.is_empty() {
            return Err(Diagnostic::error(
                &doc.shown,
                0,
                0,
                format!("tên thư mục `{part}` không tạo được đường dẫn URL"),
            )
            .hint("đổi tên thư mục, dùng ít nhất một chữ cái hoặc chữ số"));
        }
        path.push_str(&slug);
        path.push('/');
    }
    if doc.is_section {
        return Ok(path);
    }
    let slug = match &doc.fm.slug {
        Some(s) => checked_slug(s, doc)?,
        None => slugify(name),
    };
    if slug.is_empty() {
        return Err(Diagnostic::error(&doc.shown, 0, 0, "tên tệp không tạo được đường dẫn URL")
            .hint("đổi tên tệp, dùng ít nhất một chữ cái hoặc chữ số, hoặc thêm trường `slug: ten-trang`"));
    }
    path.push_str(&slug);
    path.push('/');
    Ok(path)
}

fn checked_slug(raw: &str, doc: &Document) -> Result<String, Diagnostic> {
    let line = doc.fm.line_of("slug");
    if raw.contains('/') || raw.contains('\\') || raw.contains("..") {
        return Err(Diagnostic::error(&doc.shown, line, 7, format!("`slug: {raw}` trỏ ra ngoài thư mục của trang"))
            .hint("`slug` chỉ là tên cuối của đường dẫn, không chứa `/` hay `..`; ví dụ `slug: cau-hoi-15`"));
    }
    let slug = slugify(raw);
    if slug.is_empty() {
        return Err(Diagnostic::error(
            &doc.shown,
            line,
            7,
            format!("`slug: {raw}` không có chữ cái hay chữ số nào"),
        )
        .hint("ví dụ `slug: cau-hoi-15`"));
    }
    Ok(slug)
}

/// Sets each node's parent to the nearest section above it.
fn link_sections(nodes: &mut [Node], by_rel: &foldhash::HashMap<String, usize>) {
    for i in 1..nodes.len() {
        let mut dir = nodes[i].doc.dir().to_string();
        if nodes[i].doc.is_section {
            dir = parent_dir(&dir);
        }
        let parent = loop {
            let candidate = if dir.is_empty() {
                SECTION_FILE.to_string()
            } else {
                format!("{dir}/{SECTION_FILE}")
            };
            if let Some(&p) = by_rel.get(&candidate) {
                break p;
            }
            if dir.is_empty() {
                break HOME;
            }
            dir = parent_dir(&dir);
        };
        nodes[i].parent = Some(parent);
        if nodes[i].doc.is_section {
            nodes[parent].subsections.push(i);
        } else {
            nodes[parent].pages.push(i);
        }
    }
}

fn parent_dir(dir: &str) -> String {
    dir.rsplit_once('/')
        .map_or(String::new(), |(d, _)| d.to_string())
}

/// Orders by weight, then date, then title in Vietnamese alphabetical order.
fn sort_children(nodes: &mut [Node]) {
    for i in 0..nodes.len() {
        let mut pages = std::mem::take(&mut nodes[i].pages);
        let mut subs = std::mem::take(&mut nodes[i].subsections);
        let cmp = |a: &usize, b: &usize| order(&nodes[*a].doc, &nodes[*b].doc);
        pages.sort_by(cmp);
        subs.sort_by(cmp);
        nodes[i].pages = pages;
        nodes[i].subsections = subs;
    }
}

fn order(a: &Document, b: &Document) -> Ordering {
    a.fm.weight
        .cmp(&b.fm.weight)
        .then_with(|| match (a.fm.date, b.fm.date) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| collate(&a.fm.title, &b.fm.title))
        .then_with(|| a.rel.cmp(&b.rel))
}

/// Page files sorted by path, each with the node that claims it and the
/// front-matter key that asks for it.
type Claims = Vec<(String, (usize, &'static str))>;

/// Every output path (pages and aliases) must be written by one document
/// only. Returns the claims (the first document's where two collide).
fn check_unique_paths(nodes: &[Node]) -> (Claims, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let mut owners: foldhash::HashMap<String, (usize, &'static str)> =
        foldhash::HashMap::with_capacity_and_hasher(nodes.len(), Default::default());
    let claims: Vec<Vec<(String, &str)>> = nodes.par_iter().map(claimed_files).collect();
    for ((i, n), claims) in nodes.iter().enumerate().zip(claims) {
        for alias in n.doc.fm.aliases.iter().filter(|a| alias_file(a).is_none()) {
            errors.push(
                Diagnostic::error(&n.doc.shown, n.doc.fm.line_of("aliases"), 1, format!("đường dẫn cũ (alias) `{alias}` không hợp lệ hoặc trỏ ra ngoài thư mục kết quả"))
                    .hint("alias là đường dẫn trong trang web, ví dụ `/hoi-dap/cau-15/`, không chứa `..`"),
            );
        }
        for (path, key) in claims {
            if let Some(&(first, _)) = owners.get(&path) {
                let other = &nodes[first].doc.shown;
                errors.push(
                    Diagnostic::error(
                        &n.doc.shown,
                        n.doc.fm.line_of(key),
                        1,
                        format!(
                            "trùng đường dẫn URL `/{}` với tệp `{}`",
                            path.strip_suffix("index.html").unwrap_or(&path),
                            other.display()
                        ),
                    )
                    .hint("đổi tên một trong hai tệp, hoặc đặt `slug:` khác nhau trong phần đầu"),
                );
            } else {
                owners.insert(path, (i, key));
            }
        }
    }
    let mut sorted: Claims = owners.into_iter().collect();
    sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    (sorted, errors)
}

/// The file a node's page is written to.
pub(crate) fn page_file(n: &Node) -> String {
    format!("{}index.html", n.path)
}

/// The file of a node's page printed on `paper` (`paper_variants`).
pub(crate) fn paper_file(n: &Node, paper: &str) -> String {
    format!("{}{paper}/index.html", n.path)
}

/// The page files a document is written to (`<folder>/index.html`, or an
/// alias's `old/page.html`): its own, its paper variants' and its valid
/// aliases', each with the front-matter key that asks for it (its line is
/// looked up only for a message).
fn claimed_files(n: &Node) -> Vec<(String, &'static str)> {
    let fm = &n.doc.fm;
    let mut paths = vec![(page_file(n), "slug")];
    for paper in crate::print::paper_variants(&fm.extra) {
        paths.push((paper_file(n, &paper), "paper_variants"));
    }
    for alias in &fm.aliases {
        if let Some(p) = alias_file(alias) {
            paths.push((p, "aliases"));
        }
    }
    paths
}

/// The files nqsite writes besides the pages (`robots.txt`, assets, static
/// files…, paths inside the site) must not take the place of a page: a page
/// folder where a file goes, or a file where a page goes.
/// The error is at the document (and line) asking for the page.
pub(crate) fn check_generated<'a>(
    site: &Site,
    files: impl IntoIterator<Item = &'a str>,
) -> Result<(), Diagnostic> {
    let claims = &site.claims;
    for rel in files {
        // The claim at `rel`, or the first one under the folder `rel/`.
        let below = format!("{rel}/");
        let first_from = |from: &str| claims.partition_point(|(p, _)| p.as_str() < from);
        let hit = claims
            .get(first_from(rel))
            .filter(|(p, _)| p == rel)
            .or_else(|| {
                claims
                    .get(first_from(&below))
                    .filter(|(p, _)| p.starts_with(&below))
            });
        if let Some((file, (i, key))) = hit {
            let page = file.strip_suffix("index.html").unwrap_or(file);
            let doc = &site.nodes[*i].doc;
            return Err(Diagnostic::error(
                &doc.shown,
                doc.fm.line_of(key),
                1,
                format!("trang `/{page}` của tài liệu này trùng chỗ với tệp `{rel}` mà nqsite ghi ra"),
            )
            .hint(
                "đổi `slug` hoặc alias: các tên nqsite dùng là 404.html, sitemap.xml, robots.txt, \
                 atom.xml, các thư mục assets/, data/, share/, search/, embed/ và các tệp trong static/",
            ));
        }
    }
    Ok(())
}

/// The file an alias is written to, or `None` if unsafe: `/old/page/` is
/// `old/page/index.html`; an alias ending in `.html` (`/old/page.html`, as
/// other generators and old portals name pages) is that file.
pub fn alias_file(alias: &str) -> Option<String> {
    let parts: Vec<&str> = alias.split('/').filter(|p| !p.is_empty()).collect();
    let safe = |p: &&str| {
        *p != "."
            && *p != ".."
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    if parts.is_empty() || !parts.iter().all(safe) || alias.contains('\\') {
        return None;
    }
    let path = parts.join("/");
    let is_file = !alias.ends_with('/') && (path.ends_with(".html") || path.ends_with(".htm"));
    Some(if is_file {
        path
    } else {
        format!("{path}/index.html")
    })
}

/// Registers documents that carry `type` and a key (`id`, `number`, or the
/// field their type declares as `key`), and sets [`Node::entity`].
fn register_entities(
    model: &Model,
    nodes: &mut [Node],
) -> (HashMap<(String, String), usize>, Vec<Diagnostic>) {
    let mut map: HashMap<(String, String), usize> = HashMap::new();
    let mut errors = Vec::new();
    for i in 0..nodes.len() {
        let n = &nodes[i];
        let (key, field) = match entity_key(model, &n.doc) {
            Ok(Some(found)) => found,
            Ok(None) => continue,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if let Some(&first) = map.get(&key) {
            errors.push(
                Diagnostic::error(
                    &n.doc.shown,
                    n.doc.fm.line_of(field),
                    1,
                    format!(
                        "trùng mã `{}:{}` với tệp `{}`",
                        key.0,
                        key.1,
                        nodes[first].doc.shown.display()
                    ),
                )
                .hint(
                    "mỗi mục tiêu, câu hỏi, nhiệm vụ… cần một mã riêng; đổi mã ở một trong hai tệp",
                ),
            );
        } else {
            map.insert(key.clone(), i);
            nodes[i].entity = Some(key);
        }
    }
    (map, errors)
}

/// An entity key (`("target", "tfp-2030")`) and the field it was read from.
pub type KeyOf<'m> = ((String, String), &'m str);

/// The entity key of a document (its `type` and the value of its key
/// field), with the name of that field; `Ok(None)` when it is no entity.
/// The key must be usable in references: a slug (`an-ninh-mang-2030`, `3`),
/// and a `number` key a positive integer. A key field the model declares is
/// the model's to check, as its declaration says (`slug`, `integer`, `text`).
pub fn entity_key<'m>(model: &'m Model, doc: &Document) -> Result<Option<KeyOf<'m>>, Diagnostic> {
    let Some(kind) = doc.fm.doc_type.as_ref() else {
        return Ok(None);
    };
    let decl = model.get(kind);
    let field = match decl {
        Some(decl) => decl.key_field(&doc.fm),
        None if doc.fm.extra.contains_key("id") => "id",
        None => "number",
    };
    let Some(value) = doc.fm.extra.get(field).filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let declared = decl.is_some_and(|d| d.fields.contains_key(field));
    let checked = match (declared, field) {
        (true, _) => Ok(crate::model::key_text(value)),
        (false, "number") => positive_number(value).map(Some),
        (false, _) => slug_key(field, value).map(Some),
    };
    match checked {
        Ok(id) => Ok(id.map(|id| ((kind.clone(), id), field))),
        Err((message, hint)) => Err(Diagnostic::error(
            &doc.shown,
            doc.fm.line_of(field),
            field.chars().count() + 3,
            message,
        )
        .hint(hint)),
    }
}

/// A key value that must already be in slug form (`field` names it).
fn slug_key(field: &str, value: &serde_yaml::Value) -> Result<String, (String, String)> {
    let Some(raw) = crate::model::key_text(value) else {
        return Err((
            format!("`{field}` phải là một mã dạng chữ thường không dấu, chữ số và dấu gạch ngang"),
            format!("ví dụ: `{field}: an-ninh-mang-2030`"),
        ));
    };
    let slug = slugify(&raw);
    if slug == raw {
        return Ok(raw);
    }
    let hint = if slug.is_empty() {
        format!(
            "mã chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang, ví dụ `{field}: an-ninh-mang-2030`"
        )
    } else {
        format!(
            "dùng dạng không dấu, không dấu cách: `{field}: {slug}` (và sửa các tham chiếu tới mã này)"
        )
    };
    Err((
        format!(
            "mã `{field}: {raw}` không hợp lệ: mã chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang"
        ),
        hint,
    ))
}

/// A `number` that stands for the id: a positive integer, unquoted (`15`).
fn positive_number(value: &serde_yaml::Value) -> Result<String, (String, String)> {
    match value.as_u64() {
        Some(n) if n > 0 => Ok(n.to_string()),
        _ => Err((
            format!(
                "`number` phải là một số nguyên dương, nhưng đang là {}",
                crate::content::front_matter::describe(value)
            ),
            "ví dụ: `number: 2`; văn bản mang số hiệu (như `57-NQ/TW`) cần thêm trường `id:` làm mã, ví dụ `id: 57-nq-tw`".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::parse_document;

    fn doc(rel: &str, fm: &str) -> Document {
        parse_document(
            &format!("---\n{fm}\n---\nx\n"),
            rel,
            PathBuf::from("content").join(rel),
        )
        .unwrap()
    }

    #[test]
    fn paths_come_from_folders_and_slugs() {
        let site = resolve(
            Config::default(),
            vec![
                doc("_index.md", "title: Home"),
                doc("Hỏi đáp/_index.md", "title: HĐ"),
                doc("Hỏi đáp/Câu hỏi 15.md", "title: Q15"),
                doc("Hỏi đáp/x.md", "title: X\nslug: Đảng"),
            ],
        )
        .unwrap();
        let paths: Vec<&str> = site.nodes.iter().map(|n| n.path.as_str()).collect();
        assert_eq!(
            paths,
            ["", "hoi-dap/", "hoi-dap/cau-hoi-15/", "hoi-dap/dang/"]
        );
        assert_eq!(site.nodes[2].parent, Some(1));
        assert_eq!(site.nodes[1].parent, Some(HOME));
    }

    #[test]
    fn orders_by_weight_date_then_vietnamese_title() {
        let site = resolve(
            Config::default(),
            vec![
                doc("c.md", "title: Đường"),
                doc("a.md", "title: Em"),
                doc("b.md", "title: Dê"),
                doc("z.md", "title: Zzz\nweight: -1"),
            ],
        )
        .unwrap();
        let titles: Vec<&str> = site.nodes[HOME]
            .pages
            .iter()
            .map(|&i| site.nodes[i].doc.fm.title.as_str())
            .collect();
        assert_eq!(titles, ["Zzz", "Dê", "Đường", "Em"]);
    }

    #[test]
    fn errors_on_duplicate_urls_and_escaping_slugs() {
        let errs = resolve(
            Config::default(),
            vec![
                doc("a.md", "title: A"),
                doc("b.md", "title: B\nslug: a"),
                doc("c.md", "title: C\nslug: ../../x"),
            ],
        )
        .unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(
            errs.iter()
                .any(|e| e.message.contains("trùng đường dẫn") && e.line == 3),
            "{errs:?}"
        );
        assert!(
            errs.iter()
                .any(|e| e.message.contains("ra ngoài") && e.line == 3),
            "{errs:?}"
        );
    }

    #[test]
    fn alias_paths_are_normalised_and_checked() {
        assert_eq!(
            alias_file("/old/page").as_deref(),
            Some("old/page/index.html")
        );
        assert_eq!(
            alias_file("/old/page.html").as_deref(),
            Some("old/page.html")
        );
        assert_eq!(
            alias_file("/old/page.html/").as_deref(),
            Some("old/page.html/index.html")
        );
        assert_eq!(alias_file("../../etc"), None);
        assert_eq!(alias_file("/"), None);
    }

    #[test]
    fn registers_entities_and_rejects_duplicate_ids() {
        let site = resolve(
            Config::default(),
            vec![
                doc("t.md", "title: T\ntype: target\nid: tfp-2030"),
                doc("q.md", "title: Q\ntype: question\nnumber: 15"),
            ],
        )
        .unwrap();
        assert!(site.entity("target", "tfp-2030").is_some());
        assert!(site.entity("question", "15").is_some());
        let errs = resolve(
            Config::default(),
            vec![
                doc("t.md", "title: T\ntype: target\nid: a"),
                doc("u.md", "title: U\ntype: target\nid: a"),
            ],
        )
        .unwrap_err();
        assert!(errs[0].message.contains("trùng mã `target:a`"));
    }
}
