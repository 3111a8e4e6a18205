//! The document model a site declares in `site.yaml`: its document types,
//! their fields (with a type, a label, whether they are required), how their
//! documents group and order, and where they appear (open data, search,
//! share cards, embeds, JSON-LD, PDFs, the cross-reference matrix).
//!
//! Rust knows typed documents, references and collections; what a
//! resolution is made of (targets for 2030, task groups, a Q&A book) is data.
//! This module parses the declaration and checks every document against it;
//! later stages ask it what a type declares instead of naming types.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_yaml::Value;

use crate::content::FrontMatter;
use crate::diag::{Diagnostic, closest, did_you_mean};
use crate::resolve::{Node, Site};
use crate::text::{Date, slugify};

/// Everything `site.yaml` declares about documents.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct Model {
    /// Document types, in declared order.
    pub types: IndexMap<String, TypeDecl>,
    /// The cross-reference matrix (`/ma-tran/` in the shipped site).
    pub matrix: Option<MatrixDecl>,
}

/// What a site declares about one document type.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TypeDecl {
    /// Name of one document of this type, in Vietnamese (`Mục tiêu`).
    pub label: Option<String>,
    /// Name of several (`Các mục tiêu`); the label when absent.
    pub plural: Option<String>,
    /// The field that names a document in references (`target:tfp-2030`,
    /// `question:15`); `id`, else `number`, when absent.
    pub key: Option<String>,
    /// Front-matter fields, in order (open data and scaffolds keep it).
    #[serde(default)]
    pub fields: IndexMap<String, FieldDecl>,
    /// Shorthand: names of required fields (made fields of their own by
    /// [`Model::normalised`]).
    #[serde(default, skip_serializing)]
    pub required: Vec<String>,
    /// Fields the collection of this type is grouped by, outermost first
    /// (`[year, group]`: by year, then by group inside each year).
    #[serde(default)]
    pub group_by: Vec<String>,
    /// The page's template receives the site's collections (`data`).
    #[serde(default)]
    pub view: bool,
    /// Show up to this many documents of the same type that share the most
    /// references with this one (`page.related`).
    pub related: Option<usize>,
    /// Published as `data/<file>.json` (and `.csv`), with a JSON Schema made
    /// from the fields.
    pub open_data: Option<OpenDataDecl>,
    /// Search: the category results of this type are listed under, and the
    /// weight of each field's words.
    pub search: Option<SearchDecl>,
    /// A share image of its own (1200×630), with `{field}` placeholders.
    pub share: Option<ShareDecl>,
    /// A small card to embed in other portals (`/embed/<key>/`).
    #[serde(default)]
    pub embed: bool,
    /// schema.org JSON-LD for the document: any JSON value in which strings
    /// `{field}`, `{title}`, `{url}`, `{date}`, `{text}`, `{language}` are
    /// replaced; a key whose value is empty is left out.
    pub jsonld: Option<serde_json::Value>,
    /// Printed to PDF by `nqsite build --pdf`.
    #[serde(default)]
    pub pdf: bool,
    /// The page shows its whole section on one page, for printing
    /// (`booklet` in templates).
    #[serde(default)]
    pub booklet: bool,
}

/// One declared front-matter field.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FieldDecl {
    /// What the value must be.
    #[serde(rename = "type", default)]
    pub kind: FieldKind,
    /// A document of this type must have it (non-empty).
    #[serde(default)]
    pub required: bool,
    /// Vietnamese label for templates (`Năm`, `Nhóm`).
    pub label: Option<String>,
    /// For `ref` and `refs`: the type referenced.
    pub to: Option<String>,
    /// For `group`: the key of the list of groups in an enclosing section's
    /// front matter (`groups` when absent).
    pub list: Option<String>,
    /// For `group`: the key naming an entry of that list (`id` when absent).
    pub by: Option<String>,
    /// For `integer`: the smallest value allowed.
    pub min: Option<i64>,
    /// For `integer`: the largest value allowed.
    pub max: Option<i64>,
}

/// The kinds of field values.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    /// A piece of text (numbers are taken as text).
    #[default]
    Text,
    /// A whole number.
    Integer,
    /// A year: a whole number from 1000 to 9999.
    Year,
    /// A date `YYYY-MM-DD`.
    Date,
    /// Lower-case ASCII letters, digits and `-` (`an-ninh-mang`).
    Slug,
    /// `true` or `false`.
    Bool,
    /// The key of one document of the type `to`.
    Ref,
    /// A list of keys of documents of the type `to`.
    Refs,
    /// The key of an entry of a list declared by an enclosing section.
    Group,
    /// A list of anything (free data for templates).
    List,
}

impl FieldKind {
    fn name(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Integer => "integer",
            FieldKind::Year => "year",
            FieldKind::Date => "date",
            FieldKind::Slug => "slug",
            FieldKind::Bool => "bool",
            FieldKind::Ref => "ref",
            FieldKind::Refs => "refs",
            FieldKind::Group => "group",
            FieldKind::List => "list",
        }
    }
}

/// Open data files of a type.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OpenDataDecl {
    /// File name without extension: `data/<file>.json`.
    pub file: String,
    /// Also write `data/<file>.csv`.
    #[serde(default)]
    pub csv: bool,
    /// For each of these types, the keys of the documents of that type this
    /// one references (a list column named after the type plus `s`).
    #[serde(default)]
    pub refs: Vec<String>,
}

/// How a type shows in search.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SearchDecl {
    /// The category label results are listed under (`Mục tiêu`).
    pub category: Option<String>,
    /// Weight of the words of each front-matter field (1 is body text).
    #[serde(default)]
    pub weights: IndexMap<String, u8>,
}

/// The text of a share image; `{field}` placeholders are filled from the
/// document (`MỤC TIÊU ĐẾN NĂM {year}`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ShareDecl {
    /// The small line above the headline.
    #[serde(default)]
    pub kicker: String,
    /// The large text.
    #[serde(default)]
    pub headline: String,
    /// The text under it.
    #[serde(default)]
    pub text: String,
}

/// The cross-reference matrix: one row per document of the row types, one
/// column per document of the column types; a cell counts the mentions of
/// the row from the column's document and, for a section, its pages.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MatrixDecl {
    /// Types whose documents are rows.
    pub rows: Vec<String>,
    /// Types whose documents are columns.
    pub columns: Vec<String>,
}

/// Front-matter keys every document may carry whatever its type.
pub const COMMON_KEYS: &[&str] = &[
    "title",
    "type",
    "weight",
    "date",
    "tags",
    "draft",
    "description",
    "slug",
    "aliases",
    "template",
    "short_title",
    "notes",
    "editor_only",
];

/// What a JSON-LD placeholder may name besides the declared fields.
pub const JSONLD_VALUES: &[&str] = &["title", "url", "date", "description", "text", "language"];

/// Every string inside a JSON value.
fn json_strings<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| json_strings(x, out)),
        _ => {}
    }
}

/// Text that marks a field still to be filled (`nqsite new` writes it).
pub const PLACEHOLDER: &str = "...";

impl Model {
    /// The declaration of `kind`, if the site declares it.
    pub fn get(&self, kind: &str) -> Option<&TypeDecl> {
        self.types.get(kind)
    }

    /// The declaration of a document's type.
    pub fn of(&self, fm: &FrontMatter) -> Option<&TypeDecl> {
        self.get(fm.doc_type.as_deref()?)
    }

    /// True if the documents of `kind` get the site's collections.
    pub fn is_view(&self, kind: Option<&str>) -> bool {
        kind.and_then(|k| self.get(k)).is_some_and(|t| t.view)
    }

    /// The model with the shorthand `required: [a, b]` of each type turned
    /// into required fields (of kind `text` unless declared otherwise).
    pub(crate) fn normalised(mut self) -> Model {
        for decl in self.types.values_mut() {
            for name in std::mem::take(&mut decl.required) {
                decl.fields.entry(name).or_default().required = true;
            }
        }
        self
    }

    /// Checks the declaration itself (references to types, `group_by`
    /// fields); `text` is `site.yaml`, for lines.
    pub(crate) fn check(&self, text: &str, shown: &std::path::Path) -> Vec<Diagnostic> {
        let mut errors = Vec::new();
        let line_of = |needle: &str| {
            text.lines()
                .position(|l| l.contains(needle))
                .map_or(0, |i| i + 1)
        };
        let unknown_type = |name: &str, place: &str, errors: &mut Vec<Diagnostic>| {
            if !self.types.contains_key(name) {
                let near = closest(name, self.types.keys().map(String::as_str), 3);
                errors.push(
                    Diagnostic::error(
                        shown,
                        line_of(name),
                        1,
                        format!("{place} nhắc tới loại tài liệu `{name}` chưa được khai báo"),
                    )
                    .hint(if near.is_empty() {
                        format!("khai báo `{name}:` trong `types:` hoặc sửa tên loại")
                    } else {
                        did_you_mean(near.iter().map(|n| n.to_string()))
                    }),
                );
            }
        };
        for (name, decl) in &self.types {
            for (field, f) in &decl.fields {
                match (f.kind, &f.to) {
                    (FieldKind::Ref | FieldKind::Refs, Some(to)) => {
                        unknown_type(to, &format!("trường `{name}.{field}`"), &mut errors)
                    }
                    (FieldKind::Ref | FieldKind::Refs, None) => errors.push(
                        Diagnostic::error(
                            shown,
                            line_of(&format!("{field}:")),
                            1,
                            format!(
                                "trường `{name}.{field}` kiểu `{}` thiếu `to:` (loại tài liệu được tham chiếu)",
                                f.kind.name()
                            ),
                        )
                        .hint("ví dụ: `source: {type: ref, to: guidance}`"),
                    ),
                    _ => {}
                }
            }
            for g in &decl.group_by {
                if !decl.fields.contains_key(g) && g != "date" {
                    errors.push(
                        Diagnostic::error(
                            shown,
                            line_of("group_by"),
                            1,
                            format!("`{name}.group_by` nhắc tới trường `{g}` chưa được khai báo"),
                        )
                        .hint(format!(
                            "khai báo `{g}` trong `fields:` của `{name}`, hoặc bỏ nó khỏi `group_by`"
                        )),
                    );
                }
            }
            if let Some(od) = &decl.open_data {
                for r in &od.refs {
                    unknown_type(r, &format!("`{name}.open_data.refs`"), &mut errors);
                }
            }
            errors.extend(decl.unknown_placeholders().into_iter().map(|(place, p)| {
                Diagnostic::error(
                    shown,
                    line_of(&format!("{{{p}}}")),
                    1,
                    format!(
                        "`{name}.{place}` dùng `{{{p}}}` nhưng `{name}` không khai báo trường `{p}`"
                    ),
                )
                .hint(format!(
                    "dùng một trường đã khai báo ({}) hoặc khai báo `{p}` trong `fields:`",
                    decl.fields
                        .keys()
                        .map(|k| format!("`{{{k}}}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }));
            errors.extend(decl.unknown_weights().into_iter().map(|w| {
                let (what, hint) = if w == "title" {
                    (
                        format!("`{name}.search.weights` đặt trọng số cho `title`, nhưng trọng số của tiêu đề là chung cho mọi trang"),
                        "bỏ `title` khỏi `weights`".to_string(),
                    )
                } else {
                    (
                        format!("`{name}.search.weights` nêu trường `{w}` mà `{name}` không khai báo"),
                        format!(
                            "khai báo `{w}` trong `fields:` của `{name}`, sửa tên (các trường: {}), hoặc dùng `headings`, `body`",
                            decl.fields.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                        ),
                    )
                };
                // The line of the weight under this type's declaration.
                let start = line_of(&format!("  {name}:"));
                let line = text
                    .lines()
                    .enumerate()
                    .skip(start.saturating_sub(1))
                    .find(|(_, l)| l.contains(&format!("{w}:")))
                    .map_or(start, |(i, _)| i + 1);
                Diagnostic::error(shown, line, 1, what).hint(hint)
            }));
        }
        if let Some(m) = &self.matrix {
            for t in m.rows.iter().chain(&m.columns) {
                unknown_type(t, "`matrix`", &mut errors);
            }
        }
        errors
    }
}

impl TypeDecl {
    /// The field that names a document in references.
    pub fn key_field<'a>(&'a self, fm: &FrontMatter) -> &'a str {
        match &self.key {
            Some(k) => k,
            None if fm.extra.contains_key("id") || !fm.extra.contains_key("number") => "id",
            None => "number",
        }
    }

    /// Every field the type requires.
    fn required_fields(&self) -> impl Iterator<Item = &str> + Clone {
        self.fields
            .iter()
            .filter(|(_, f)| f.required)
            .map(|(k, _)| k.as_str())
    }

    /// The `{placeholders}` of the share card and JSON-LD that name neither a
    /// declared field nor a value every document has, with where they are.
    fn unknown_placeholders(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut check = |place: &'static str, text: &str, builtin: &[&str]| {
            let names = std::cell::RefCell::new(Vec::new());
            let _ = fill(text, &|n| {
                names.borrow_mut().push(n.to_string());
                Some(String::new())
            });
            for n in names.into_inner() {
                if !builtin.contains(&n.as_str()) && !self.fields.contains_key(&n) {
                    out.push((place, n));
                }
            }
        };
        if let Some(share) = &self.share {
            for text in [&share.kicker, &share.headline, &share.text] {
                check("share", text, &["title"]);
            }
        }
        let mut strings = Vec::new();
        if let Some(j) = &self.jsonld {
            json_strings(j, &mut strings);
        }
        for text in strings {
            check("jsonld", text, JSONLD_VALUES);
        }
        out
    }

    /// The search weights naming neither a declared field, a key every
    /// document may carry, nor the headings or body; `title`, whose weight
    /// is the same on every page, is one of them.
    fn unknown_weights(&self) -> Vec<&str> {
        let Some(search) = &self.search else {
            return Vec::new();
        };
        search
            .weights
            .keys()
            .map(String::as_str)
            .filter(|k| {
                *k == "title"
                    || !(self.fields.contains_key(*k)
                        || COMMON_KEYS.contains(k)
                        || ["headings", "body"].contains(k))
            })
            .collect()
    }

    /// The first field of kind `group`, with its name.
    pub fn group_field(&self) -> Option<(&str, &FieldDecl)> {
        self.fields
            .iter()
            .find(|(_, f)| f.kind == FieldKind::Group)
            .map(|(k, f)| (k.as_str(), f))
    }
}

impl FieldDecl {
    /// For `group` fields: the list key and the entry key.
    pub fn group_list(&self) -> (&str, &str) {
        (
            self.list.as_deref().unwrap_or("groups"),
            self.by.as_deref().unwrap_or("id"),
        )
    }
}

/// Fills the `{name}` placeholders of `template` with `lookup`; the name of
/// the first placeholder that has no value is the error.
pub fn fill(template: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 1..start + len];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push_str(&rest[..=start]);
            rest = &rest[start + 1..];
            continue;
        }
        out.push_str(&rest[..start]);
        out.push_str(&lookup(name).ok_or_else(|| name.to_string())?);
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Fills a JSON skeleton (a type's `jsonld`): a string that is one
/// placeholder takes the value as it is (a number stays a number), other
/// strings are filled as text; a key whose value is missing or empty is
/// left out, and an object left with nothing but its `@type` is dropped.
pub fn fill_json(
    skeleton: &serde_json::Value,
    lookup: &dyn Fn(&str) -> Option<serde_json::Value>,
) -> Option<serde_json::Value> {
    use serde_json::Value as Json;
    let text = |name: &str| {
        lookup(name).and_then(|v| match v {
            Json::String(s) => Some(s),
            Json::Null => None,
            other => Some(other.to_string()),
        })
    };
    let filled = match skeleton {
        Json::String(s) => {
            let whole = s
                .strip_prefix('{')
                .and_then(|r| r.strip_suffix('}'))
                .filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
            match whole {
                Some(name) => lookup(name)?,
                None => Json::String(fill(s, &text).ok()?),
            }
        }
        Json::Object(map) => {
            let out: serde_json::Map<String, Json> = map
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), fill_json(v, lookup)?)))
                .collect();
            if out.keys().all(|k| k.starts_with('@')) {
                return None;
            }
            Json::Object(out)
        }
        Json::Array(items) => {
            Json::Array(items.iter().filter_map(|v| fill_json(v, lookup)).collect())
        }
        other => other.clone(),
    };
    match &filled {
        Json::Null => None,
        Json::String(s) if s.trim().is_empty() => None,
        Json::Array(a) if a.is_empty() => None,
        _ => Some(filled),
    }
}

/// A key as references write it: strings as they are, numbers in decimal.
pub fn key_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The entry of the list `list` (keyed by `by`) of the nearest section
/// above node `i` that declares that list, whose key is `value`.
pub fn group_entry<'a>(
    site: &'a Site,
    i: usize,
    list: &str,
    by: &str,
    value: &str,
) -> Option<&'a Value> {
    group_list(site, i, list).and_then(|(_, entries)| {
        entries
            .iter()
            .find(|e| e.get(by).and_then(key_text).as_deref() == Some(value))
    })
}

/// The list `list` of the nearest section above node `i` declaring it, with
/// that section's index.
pub fn group_list<'a>(site: &'a Site, i: usize, list: &str) -> Option<(usize, &'a [Value])> {
    let mut cur = site.nodes[i].parent;
    while let Some(s) = cur {
        if let Some(Value::Sequence(entries)) = site.nodes[s].doc.fm.extra.get(list) {
            return Some((s, entries));
        }
        cur = site.nodes[s].parent;
    }
    None
}

/// Checks every document against the declaration of its type. Returns the
/// errors and the warnings (a type used but not declared, a key the type
/// does not declare, a placeholder still to be filled, a declared view with
/// nothing in it).
pub fn check_documents(site: &Site) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let model = &site.config.model;
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut undeclared: Vec<&str> = Vec::new();
    for (i, node) in site.nodes.iter().enumerate() {
        let Some(kind) = node.doc.fm.doc_type.as_deref() else {
            continue;
        };
        match model.get(kind) {
            Some(decl) => check_document(site, i, decl, &mut errors, &mut warnings),
            None if !model.types.is_empty() && !undeclared.contains(&kind) => {
                undeclared.push(kind);
                warnings.push(undeclared_type(site, node, kind));
            }
            None => {}
        }
    }
    warnings.extend(empty_views(site));
    (errors, warnings)
}

fn undeclared_type(site: &Site, node: &Node, kind: &str) -> Diagnostic {
    let near = closest(kind, site.config.model.types.keys().map(String::as_str), 3);
    Diagnostic::warning(
        &node.doc.shown,
        node.doc.fm.line_of("type"),
        7,
        format!("loại tài liệu `{kind}` chưa được khai báo trong `types:` của site.yaml"),
    )
    .hint(if near.is_empty() {
        format!("thêm `{kind}: {{label: \"…\"}}` vào `types:` trong site.yaml")
    } else {
        did_you_mean(near.iter().map(|n| format!("type: {n}")))
    })
}

/// Every declared type that the matrix or open data uses but no document has.
fn empty_views(site: &Site) -> Vec<Diagnostic> {
    let model = &site.config.model;
    let used = |kind: &str| {
        site.nodes
            .iter()
            .any(|n| n.doc.fm.doc_type.as_deref() == Some(kind))
    };
    let mut kinds: Vec<(&str, &str)> = Vec::new();
    if let Some(m) = &model.matrix {
        kinds.extend(
            m.rows
                .iter()
                .chain(&m.columns)
                .map(|k| (k.as_str(), "matrix")),
        );
    }
    for (name, decl) in &model.types {
        if decl.open_data.is_some() {
            kinds.push((name, "open_data"));
        }
    }
    kinds
        .into_iter()
        .filter(|(k, _)| model.types.contains_key(*k) && !used(k))
        .map(|(k, place)| {
            Diagnostic::warning(
                crate::config::CONFIG_FILE,
                0,
                0,
                format!(
                    "`{place}` dùng loại tài liệu `{k}` nhưng chưa có tài liệu nào thuộc loại này"
                ),
            )
            .hint(format!(
                "thêm tài liệu có `type: {k}`, hoặc bỏ `{k}` khỏi `{place}` trong site.yaml"
            ))
        })
        .collect()
}

fn check_document(
    site: &Site,
    i: usize,
    decl: &TypeDecl,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) {
    let node = &site.nodes[i];
    let fm = &node.doc.fm;
    let kind = fm.doc_type.as_deref().unwrap_or("");
    for key in decl.required_fields() {
        if !present(fm.extra.get(key)) {
            errors.push(
                Diagnostic::error(
                    &node.doc.shown,
                    2,
                    1,
                    format!("tài liệu loại `{kind}` thiếu trường bắt buộc `{key}`"),
                )
                .hint(format!(
                    "thêm `{key}: …` vào phần đầu YAML (site.yaml yêu cầu các trường: {})",
                    decl.required_fields().collect::<Vec<_>>().join(", ")
                )),
            );
        }
    }
    for (key, value) in &fm.extra {
        let Some(key) = key.as_str() else { continue };
        let at = |msg: String| {
            Diagnostic::error(
                &node.doc.shown,
                fm.line_of(key),
                key.chars().count() + 3,
                msg,
            )
        };
        match decl.fields.get(key) {
            Some(f) if !value.is_null() => {
                if let Err(d) = check_value(site, i, key, f, value, &at) {
                    errors.push(d);
                }
                if is_placeholder(value) {
                    warnings.push(Diagnostic {
                        severity: crate::diag::Severity::Warning,
                        ..at(format!("trường `{key}` chưa được điền (còn là `{PLACEHOLDER}`)"))
                            .hint("thay `...` bằng nội dung thật, hoặc xoá dòng này nếu trường không bắt buộc")
                    });
                }
            }
            Some(_) => {}
            None if known_key(site, decl, fm, key) => {}
            None => warnings.push(unknown_key(node, decl, key)),
        }
    }
}

fn present(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Sequence(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

fn is_placeholder(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| matches!(s.trim(), PLACEHOLDER | "…"))
}

/// Keys every document may carry, its type's key field, the reference
/// lists named after a type plus `s` (`targets: [tfp-2030]`) and the lists
/// of groups that group fields name (`groups`, `sections`).
fn known_key(site: &Site, decl: &TypeDecl, fm: &FrontMatter, key: &str) -> bool {
    let model = &site.config.model;
    let group_list = model
        .types
        .values()
        .flat_map(|t| t.fields.values())
        .any(|f| f.kind == FieldKind::Group && f.group_list().0 == key);
    COMMON_KEYS.contains(&key)
        || group_list
        || key == decl.key_field(fm)
        || key
            .strip_suffix('s')
            .is_some_and(|k| site.config.model.types.contains_key(k) || site.has_entity_type(k))
}

fn unknown_key(node: &Node, decl: &TypeDecl, key: &str) -> Diagnostic {
    let kind = node.doc.fm.doc_type.as_deref().unwrap_or("");
    let declared = decl.fields.keys().map(String::as_str);
    let near = closest(key, declared.clone().chain(COMMON_KEYS.iter().copied()), 3);
    Diagnostic::warning(
        &node.doc.shown,
        node.doc.fm.line_of(key),
        1,
        format!("khoá `{key}` không được khai báo cho loại `{kind}`: mẫu giao diện sẽ bỏ qua nó"),
    )
    .hint(if near.is_empty() {
        format!(
            "khai báo `{key}` trong `types.{kind}.fields` của site.yaml, hoặc xoá dòng này (các trường đã khai báo: {})",
            declared.collect::<Vec<_>>().join(", ")
        )
    } else {
        did_you_mean(near.iter().map(|n| n.to_string()))
    })
}

/// Checks one value against its declaration.
fn check_value(
    site: &Site,
    i: usize,
    key: &str,
    f: &FieldDecl,
    value: &Value,
    at: &dyn Fn(String) -> Diagnostic,
) -> Result<(), Diagnostic> {
    let wrong = |expected: &str, example: &str| {
        at(format!(
            "trường `{key}` phải là {expected}, nhưng đang là {}",
            crate::content::front_matter::describe(value)
        ))
        .hint(format!("ví dụ: `{key}: {example}`"))
    };
    match f.kind {
        FieldKind::Text => match value {
            Value::String(_) | Value::Number(_) => Ok(()),
            _ => Err(wrong("một chuỗi văn bản", "\"…\"")),
        },
        FieldKind::Integer => {
            let Some(n) = value.as_i64() else {
                return Err(wrong("một số nguyên", "3"));
            };
            match (f.min, f.max) {
                (Some(min), _) if n < min => Err(at(format!(
                    "trường `{key}` phải từ {min} trở lên, nhưng đang là {n}"
                ))
                .hint(format!("ví dụ: `{key}: {min}`"))),
                (_, Some(max)) if n > max => Err(at(format!(
                    "trường `{key}` phải từ {max} trở xuống, nhưng đang là {n}"
                ))
                .hint(format!("ví dụ: `{key}: {max}`"))),
                _ => Ok(()),
            }
        }
        FieldKind::Year => match value.as_i64() {
            Some(1000..=9999) => Ok(()),
            _ => Err(wrong("một năm (số có 4 chữ số)", &year_example(value))),
        },
        FieldKind::Date => match value.as_str().and_then(|s| Date::parse(s).ok()) {
            Some(_) => Ok(()),
            None => Err(wrong("một ngày dạng năm-tháng-ngày", "2024-12-22")),
        },
        FieldKind::Slug => match value.as_str() {
            Some(s) if !s.is_empty() && slugify(s) == s => Ok(()),
            Some(s) => Err(at(format!(
                "trường `{key}` phải là mã viết thường không dấu, nối bằng `-`, nhưng đang là \"{s}\""
            ))
            .hint(format!("ví dụ: `{key}: {}`", crate::text::slug_or(s, "ma-moi")))),
            None => Err(wrong("một mã viết thường không dấu", "an-ninh-mang")),
        },
        FieldKind::Bool => match value {
            Value::Bool(_) => Ok(()),
            _ => Err(wrong("`true` hoặc `false`", "true")),
        },
        FieldKind::List => match value {
            Value::Sequence(entries) => entries
                .iter()
                .try_for_each(|e| check_entry_refs(site, e, at)),
            _ => Err(wrong("một danh sách", "[\"…\"]")),
        },
        FieldKind::Ref => check_ref(site, f.to.as_deref().unwrap_or(""), value, at).map_err(|e| e.unwrap_or_else(|| wrong("một mã", "tinh-uy"))),
        FieldKind::Refs => match value {
            Value::Sequence(items) => items
                .iter()
                .try_for_each(|v| check_ref(site, f.to.as_deref().unwrap_or(""), v, at))
                .map_err(|e| e.unwrap_or_else(|| wrong("một danh sách mã", "[1, 2]"))),
            _ => Err(wrong("một danh sách mã", "[1, 2]")),
        },
        FieldKind::Group => check_group(site, i, key, f, value, at),
    }
}

/// In an entry of a list field, a key named after a declared type, or
/// ending in `_` and its name, is a reference to a document of that type
/// (`target: tfp-2030`, `main_target: …`); the type's name plus `s` a list
/// of them (`targets`, `also_targets`): each must exist.
fn check_entry_refs(
    site: &Site,
    entry: &Value,
    at: &dyn Fn(String) -> Diagnostic,
) -> Result<(), Diagnostic> {
    let Value::Mapping(map) = entry else {
        return Ok(());
    };
    for (k, v) in map {
        let Some(k) = k.as_str() else { continue };
        let Some((kind, many)) = entry_ref_type(&site.config.model, k) else {
            continue;
        };
        let checked = match (many, v.as_sequence()) {
            (false, _) => check_ref(site, kind, v, at),
            (true, Some(items)) => items
                .iter()
                .try_for_each(|item| check_ref(site, kind, item, at)),
            (true, None) => Err(None),
        };
        checked.map_err(|e| {
            e.unwrap_or_else(|| {
                let (what, example) = if many {
                    ("một danh sách mã", format!("{k}: [ma-1, ma-2]"))
                } else {
                    ("mã", format!("{k}: ma-tai-lieu"))
                };
                at(format!("`{k}` phải là {what} tài liệu loại `{kind}`"))
                    .hint(format!("viết dạng `{example}`"))
            })
        })?;
    }
    Ok(())
}

/// The declared type a key of a list entry references, and whether it holds
/// a list of them (see `check_entry_refs`). A plural names a list of the
/// singular type even when the plural is a type too (`targets`: the section
/// listing them).
fn entry_ref_type<'a>(model: &'a Model, key: &str) -> Option<(&'a str, bool)> {
    let base = key.rsplit_once('_').map_or(key, |(_, last)| last);
    let find = |name: &str| model.types.get_key_value(name).map(|(k, _)| k.as_str());
    let plural = base.strip_suffix('s').and_then(find).map(|t| (t, true));
    plural.or_else(|| find(base).map(|t| (t, false)))
}

/// The year a wrong year value probably means (`"năm 2035"` → `2035`),
/// else this year.
fn year_example(value: &Value) -> String {
    let text = key_text(value).unwrap_or_default();
    let digits: Vec<&str> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|d| d.len() == 4)
        .collect();
    match digits.as_slice() {
        [one] => one.to_string(),
        _ => Date::today().year.to_string(),
    }
}

/// A reference field names an existing document of the declared type.
/// `Err(None)` when the value is not a key at all.
fn check_ref(
    site: &Site,
    to: &str,
    value: &Value,
    at: &dyn Fn(String) -> Diagnostic,
) -> Result<(), Option<Diagnostic>> {
    let id = key_text(value).ok_or(None)?;
    if site.entity(to, &id).is_some() {
        return Ok(());
    }
    Err(Some(
        at(format!("không có tài liệu loại `{to}` nào mang mã `{id}`")).hint(
            crate::links::unknown_id_hint(&crate::links::Table::new(site), to, &id),
        ),
    ))
}

/// A group field names an entry of the list an enclosing section declares.
fn check_group(
    site: &Site,
    i: usize,
    key: &str,
    f: &FieldDecl,
    value: &Value,
    at: &dyn Fn(String) -> Diagnostic,
) -> Result<(), Diagnostic> {
    let (list, by) = f.group_list();
    let Some(id) = key_text(value) else {
        return Err(at(format!("trường `{key}` phải là mã của một nhóm")));
    };
    let Some((section, entries)) = group_list(site, i, list) else {
        return Err(at(format!(
            "trường `{key}: {id}` cần danh sách `{list}:` ở phần đầu của mục chứa tài liệu này, nhưng không mục nào khai báo nó"
        ))
        .hint(format!(
            "thêm vào `_index.md` của mục: `{list}: [{{{by}: {id}, title: \"…\"}}]`"
        )));
    };
    let keys: Vec<String> = entries
        .iter()
        .filter_map(|e| e.get(by).and_then(key_text))
        .collect();
    if keys.contains(&id) {
        return Ok(());
    }
    let near = closest(&id, keys.iter().map(String::as_str), 3);
    Err(at(format!(
        "không có nhóm `{id}` trong danh sách `{list}` của `{}`",
        site.nodes[section].doc.shown.display()
    ))
    .hint(if near.is_empty() {
        format!("các nhóm hợp lệ: {}", keys.join(", "))
    } else {
        did_you_mean(near.iter().map(|n| format!("{key}: {n}")))
    }))
}
