//! `nqsite new <type>`: a new document of a type declared in `site.yaml`,
//! written the way the documents of that type already are.
//!
//! - **Folder**: for a numbered type (an integer key), the folder of the
//!   highest-numbered document, so question 76 follows question 75 into the
//!   last part; otherwise the folder most documents of the type are in. A
//!   type whose documents are sections (`_index.md`) gets a new folder
//!   beside theirs. With no document yet: `content/<slug of the plural
//!   label>/`, made a section (an `_index.md`) if it does not exist.
//!   `--dir` overrides all of this.
//! - **Key**: the highest number plus one for an integer key; for a text
//!   key, the slug of the title, ending like the others (`-2030` when the
//!   keys end with their `year`), and never one that is taken.
//! - **File name**: the pattern the existing names follow around a field
//!   (`cau-01.md` → `cau-76.md`, `phan-3/` → `phan-4/`), else the key
//!   (`label-N` for a number: `giai-phap-1.md`), else the title's slug.
//! - **Fields**, in declared order, each with a Vietnamese comment: text is
//!   `"..."` (a warning until filled) unless the existing documents repeat
//!   their title in it; integers take the next number when every document
//!   has its own, else the value of the last document; a year the title
//!   names, else the most common one; a date is today; a reference names the
//!   first existing document of its type, and is left commented out with a
//!   note when there is none: a new file never names a document that does
//!   not exist.

use std::collections::BTreeMap;
use std::path::Path;

use serde_yaml::Value;

use super::{Plan, free_name, join, new_sections, quoted};
use crate::content::{Document, SECTION_FILE};
use crate::model::{FieldDecl, FieldKind, Model, PLACEHOLDER, TypeDecl, key_text};
use crate::text::{Date, slug_or};

/// What `nqsite new <type>` was asked for.
pub(super) struct Request<'a> {
    pub kind: &'a str,
    pub decl: &'a TypeDecl,
    /// The title words, joined; empty when none were given.
    pub title: &'a str,
    /// `--dir`, relative to `content/`.
    pub dir: Option<&'a str>,
}

/// One front-matter line of the new file.
enum Line {
    /// A YAML value, written as it is.
    Value(String),
    /// Nothing valid can be written yet: the line is commented out
    /// (`# field: MÃ`) under this note.
    Missing(String),
}

/// A field of the type, with its name.
struct Field {
    name: String,
    decl: FieldDecl,
}

pub(super) fn plan(model: &Model, docs: &[Document], content_dir: &Path, req: &Request) -> Plan {
    let draft = Draft::new(model, docs, content_dir, req);
    let mut lines: BTreeMap<String, Line> = draft
        .fields
        .iter()
        .filter(|f| Some(&f.name) != draft.key.as_ref().map(|k| &k.name))
        .map(|f| (f.name.clone(), draft.value(f)))
        .collect();
    let (key, name) = draft.key_and_name(&lines);
    if let (Some(k), Some(v)) = (&draft.key, &key) {
        lines.insert(k.name.clone(), Line::Value(v.clone()));
    }
    let rel = if draft.section {
        join(&join(&draft.folder, &name), SECTION_FILE)
    } else {
        join(&draft.folder, &format!("{name}.md"))
    };
    let mut files = new_sections(content_dir, &draft.folder, &draft.plural());
    // Only a required field left out stops the build: tell the editor.
    let notes = draft
        .fields
        .iter()
        .filter(|f| f.decl.required)
        .filter_map(|f| match lines.get(&f.name)? {
            Line::Missing(note) => Some(format!("`{}`: {note}", f.name)),
            Line::Value(_) => None,
        })
        .collect();
    files.push((rel, draft.text(&lines, key.as_deref())));
    Plan { files, notes }
}

/// What the new document is being made from.
struct Draft<'a> {
    model: &'a Model,
    docs: &'a [Document],
    content_dir: &'a Path,
    req: &'a Request<'a>,
    /// The documents of the type, in reading order (numbered ones by number).
    same: Vec<&'a Document>,
    fields: Vec<Field>,
    key: Option<Field>,
    /// The type's documents are sections: the new one is `<name>/_index.md`.
    section: bool,
    /// Where the new file (or folder, for a section) goes.
    folder: String,
    /// How the existing documents' names are made.
    pattern: Option<NamePattern>,
}

impl<'a> Draft<'a> {
    fn new(
        model: &'a Model,
        docs: &'a [Document],
        content_dir: &'a Path,
        req: &'a Request,
    ) -> Self {
        let same = ordered(model, docs, req.kind);
        let fields = fields_of(req.decl);
        let key = key_field(req.decl, &fields, &same);
        let section =
            !same.is_empty() && same.iter().filter(|d| d.is_section).count() * 2 > same.len();
        let mut draft = Draft {
            model,
            docs,
            content_dir,
            req,
            same,
            fields,
            key,
            section,
            folder: String::new(),
            pattern: None,
        };
        draft.folder = match req.dir {
            Some(dir) => dir.to_string(),
            None => draft.usual_folder(),
        };
        draft.pattern = draft.name_pattern();
        draft
    }

    fn label(&self) -> String {
        self.req
            .decl
            .label
            .clone()
            .unwrap_or_else(|| self.req.kind.to_string())
    }

    fn plural(&self) -> String {
        self.req.decl.plural.clone().unwrap_or_else(|| self.label())
    }

    fn integer_key(&self) -> bool {
        self.key
            .as_ref()
            .is_some_and(|k| k.decl.kind == FieldKind::Integer)
    }

    /// The folder the type's documents are in (see the module doc).
    fn usual_folder(&self) -> String {
        let folder_of = |d: &Document| {
            let dir = d.dir();
            if d.is_section {
                dir.rsplit_once('/')
                    .map_or("", |(parent, _)| parent)
                    .to_string()
            } else {
                dir.to_string()
            }
        };
        if self.same.is_empty() {
            return slug_or(&self.plural(), self.req.kind);
        }
        if self.integer_key() {
            return self.same.last().map(|d| folder_of(d)).unwrap_or_default();
        }
        let folders: Vec<String> = self.same.iter().map(|d| folder_of(d)).collect();
        most_common(&folders).unwrap_or_default()
    }

    /// The title words, or a title that says what the document is.
    fn base_title(&self) -> String {
        if self.req.title.is_empty() {
            format!("{} mới", self.label())
        } else {
            self.req.title.to_string()
        }
    }

    fn values(&self, name: &str) -> Vec<&'a Value> {
        self.same
            .iter()
            .filter_map(|d| d.fm.extra.get(name))
            .collect()
    }

    /// The value of a field of the new document (every field but the key).
    fn value(&self, f: &Field) -> Line {
        let kind = f.decl.kind;
        match kind {
            FieldKind::Text if self.mirrors_title(&f.name) => {
                Line::Value(quoted(if self.req.title.is_empty() {
                    PLACEHOLDER
                } else {
                    self.req.title
                }))
            }
            FieldKind::Text => Line::Value(quoted(PLACEHOLDER)),
            FieldKind::Integer => Line::Value(self.integer(f).to_string()),
            FieldKind::Year => Line::Value(self.year().to_string()),
            FieldKind::Date => Line::Value(Date::today().iso()),
            FieldKind::Slug => Line::Value(quoted(&slug_or(&self.base_title(), self.req.kind))),
            FieldKind::Bool => Line::Value("false".into()),
            FieldKind::List => Line::Value("[]".into()),
            FieldKind::Ref | FieldKind::Refs => self.reference(f),
            FieldKind::Group => self.group(f),
        }
    }

    /// An integer: the next number when it numbers the documents (their
    /// names are made from it, or every document has its own: a part's
    /// `part`), else the last document's (a question's `part`).
    fn integer(&self, f: &Field) -> i64 {
        let names = self.pattern.as_ref().is_some_and(|p| p.field == f.name);
        let mut values: Vec<i64> = self
            .values(&f.name)
            .iter()
            .filter_map(|v| v.as_i64())
            .collect();
        let last = self
            .same
            .iter()
            .rev()
            .find_map(|d| d.fm.extra.get(&f.name).and_then(Value::as_i64));
        let n = values.len();
        values.sort_unstable();
        values.dedup();
        let wanted = match (last, values.last()) {
            (Some(_), Some(max)) if names || (n >= 2 && values.len() == n) => max + 1,
            (Some(last), _) => last,
            _ => f.decl.min.unwrap_or(1),
        };
        wanted
            .max(f.decl.min.unwrap_or(i64::MIN))
            .min(f.decl.max.unwrap_or(i64::MAX))
    }

    /// A year named in the title, else the most common year of the type,
    /// else this year.
    fn year(&self) -> i64 {
        let named = self
            .req
            .title
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|w| w.parse::<i64>().ok())
            .find(|y| (1900..=2200).contains(y));
        let years: Vec<i64> = self
            .fields
            .iter()
            .filter(|f| f.decl.kind == FieldKind::Year)
            .flat_map(|f| self.values(&f.name))
            .filter_map(Value::as_i64)
            .collect();
        named
            .or_else(|| most_common(&years))
            .unwrap_or_else(|| i64::from(Date::today().year))
    }

    /// True when most documents of the type repeat their title (after a
    /// `Câu hỏi 15: ` prefix) in this field.
    fn mirrors_title(&self, name: &str) -> bool {
        let with: Vec<(&str, &str)> = self
            .same
            .iter()
            .filter_map(|d| Some((d.fm.title.as_str(), d.fm.extra.get(name)?.as_str()?)))
            .collect();
        let same = with
            .iter()
            .filter(|(title, v)| !v.is_empty() && (title == v || title_rest(title) == *v))
            .count();
        same > 0 && same * 2 > with.len()
    }

    /// The first document of the referenced type, in reading order.
    fn reference(&self, f: &Field) -> Line {
        let to = f.decl.to.as_deref().unwrap_or("");
        let first = ordered(self.model, self.docs, to)
            .into_iter()
            .find_map(|d| key_of(self.model, d).and_then(scalar));
        match (f.decl.kind, first) {
            (FieldKind::Ref, Some(k)) => Line::Value(k),
            (FieldKind::Refs, Some(k)) if f.decl.required => Line::Value(format!("[{k}]")),
            (FieldKind::Refs, _) => Line::Value("[]".into()),
            (_, Some(k)) => Line::Value(k),
            (_, None) => Line::Missing(format!(
                "chưa có tài liệu loại `{to}` nào để dẫn chiếu: tạo một tài liệu bằng `nqsite new {to}`, rồi điền mã của nó và bỏ dấu # ở đầu dòng"
            )),
        }
    }

    /// The first group of the list an enclosing section declares.
    fn group(&self, f: &Field) -> Line {
        let (list, by) = f.decl.group_list();
        let declared = ancestors(&self.folder).find_map(|dir| {
            let rel = join(dir, SECTION_FILE);
            let index = self.docs.iter().find(|d| d.rel == rel)?;
            match index.fm.extra.get(list) {
                Some(Value::Sequence(entries)) => Some((rel, entries)),
                _ => None,
            }
        });
        let first = declared
            .as_ref()
            .and_then(|(_, entries)| entries.first()?.get(by).and_then(scalar));
        match (first, declared) {
            (Some(v), _) => Line::Value(v),
            (None, Some((rel, _))) => Line::Missing(format!(
                "danh sách `{list}` trong `content/{rel}` chưa có nhóm nào: thêm `- {{{by}: …, title: \"…\"}}` vào đó, rồi điền mã nhóm và bỏ dấu # ở đầu dòng"
            )),
            (None, None) => Line::Missing(format!(
                "chưa mục nào phía trên tệp này khai báo danh sách nhóm `{list}`: thêm `{list}: [{{{by}: …, title: \"…\"}}]` vào `_index.md` của mục, rồi điền mã nhóm và bỏ dấu # ở đầu dòng"
            )),
        }
    }

    /// The key of the new document (YAML text) and its file or folder name.
    fn key_and_name(&self, lines: &BTreeMap<String, Line>) -> (Option<String>, String) {
        let pattern = &self.pattern;
        let value_of = |field: &str, key: Option<&str>| -> Option<String> {
            if Some(field) == self.key.as_ref().map(|k| k.name.as_str()) {
                return key.map(unquote);
            }
            match lines.get(field)? {
                Line::Value(v) => Some(unquote(v)),
                Line::Missing(_) => None,
            }
        };
        let name_for = |key: Option<&str>| {
            let p = pattern.as_ref()?;
            Some(p.name(&value_of(&p.field, key)?))
        };
        let taken_name = |name: &str| {
            let rel = if self.section {
                join(&self.folder, name)
            } else {
                join(&self.folder, &format!("{name}.md"))
            };
            self.content_dir.join(rel).exists()
        };
        match &self.key {
            Some(k) if k.decl.kind == FieldKind::Integer => {
                let key = self.integer_key_value(k).to_string();
                let name = name_for(Some(&key))
                    .unwrap_or_else(|| format!("{}-{key}", slug_or(&self.label(), self.req.kind)));
                (Some(key), name)
            }
            Some(k) => {
                let base = self.slug_key_base(k, lines);
                let keys: Vec<String> = self
                    .values(&k.name)
                    .into_iter()
                    .filter_map(key_text)
                    .collect();
                let id = free_name(&base, |id| {
                    keys.iter().any(|k| k == id)
                        || taken_name(
                            &name_for(Some(&quoted(id))).unwrap_or_else(|| id.to_string()),
                        )
                });
                let key = quoted(&id);
                let name = name_for(Some(&key)).unwrap_or(id);
                (Some(key), name)
            }
            None => {
                let name = name_for(None).unwrap_or_else(|| {
                    free_name(&slug_or(&self.base_title(), self.req.kind), taken_name)
                });
                (None, name)
            }
        }
    }

    fn integer_key_value(&self, k: &Field) -> i64 {
        let max = self.values(&k.name).iter().filter_map(|v| v.as_i64()).max();
        let low = k.decl.min.unwrap_or(1);
        max.map_or(low, |m| m + 1).max(low)
    }

    /// The slug of the title, ending with the value of the field the
    /// existing keys end with (`tfp-2030` ends with its `year`).
    fn slug_key_base(&self, k: &Field, lines: &BTreeMap<String, Line>) -> String {
        let base = slug_or(&self.base_title(), self.req.kind);
        let ends_with = |field: &str| {
            let ending = self
                .same
                .iter()
                .filter(|d| {
                    let key = d.fm.extra.get(&k.name).and_then(key_text);
                    let value = d.fm.extra.get(field).and_then(key_text);
                    matches!((key, value), (Some(key), Some(v)) if key.ends_with(&format!("-{v}")))
                })
                .count();
            ending > 0 && ending * 2 > self.same.len()
        };
        let suffix = self
            .fields
            .iter()
            .filter(|f| {
                matches!(f.decl.kind, FieldKind::Year | FieldKind::Integer) && ends_with(&f.name)
            })
            .find_map(|f| match lines.get(&f.name) {
                Some(Line::Value(v)) => Some(v.clone()),
                _ => None,
            });
        match suffix {
            Some(s) if !base.ends_with(&format!("-{s}")) && base != s => format!("{base}-{s}"),
            _ => base,
        }
    }

    /// The pattern most existing names follow around one field's value.
    fn name_pattern(&self) -> Option<NamePattern> {
        let candidates: Vec<&Field> = self
            .key
            .iter()
            .chain(self.fields.iter().filter(|f| {
                matches!(
                    f.decl.kind,
                    FieldKind::Integer | FieldKind::Year | FieldKind::Slug
                )
            }))
            .collect();
        let mut counts: Vec<(NamePattern, usize)> = Vec::new();
        for d in &self.same {
            let found = candidates
                .iter()
                .find_map(|f| NamePattern::find(doc_name(d), &f.name, d.fm.extra.get(&f.name)?));
            let Some(p) = found else { continue };
            match counts.iter_mut().find(|(q, _)| q.same_place(&p)) {
                Some((q, n)) => {
                    q.width = q.width.max(p.width);
                    *n += 1;
                }
                None => counts.push((p, 1)),
            }
        }
        let best = counts.iter().map(|(_, n)| *n).max()?;
        let (p, n) = counts.into_iter().find(|(_, n)| *n == best)?;
        (n * 2 > self.same.len()).then_some(p)
    }

    /// The text of the new file.
    fn text(&self, lines: &BTreeMap<String, Line>, key: Option<&str>) -> String {
        let mut out = String::from("---\n");
        out.push_str("# Tiêu đề hiện trên trang và trong mục lục (bắt buộc).\n");
        out.push_str(&format!("title: {}\n", quoted(&self.title(key))));
        out.push_str(&format!(
            "# Loại tài liệu: {} (khai báo ở `types.{}` trong site.yaml).\n",
            self.label(),
            self.req.kind
        ));
        out.push_str(&format!("type: {}\n", self.req.kind));
        let key_name = self.key.as_ref().map(|k| k.name.as_str());
        let declared = |name: &str| self.fields.iter().any(|f| f.name == name);
        if let (Some(k), Some(v)) = (&self.key, key)
            && !declared(&k.name)
        {
            out.push_str(&self.comment(k, Some(v)));
            out.push_str(&format!("{}: {v}\n", k.name));
        }
        for f in &self.fields {
            let shown_key = (Some(f.name.as_str()) == key_name).then_some(key).flatten();
            out.push_str(&self.comment(f, shown_key));
            match lines.get(&f.name) {
                Some(Line::Value(v)) => out.push_str(&format!("{}: {v}\n", f.name)),
                Some(Line::Missing(note)) => {
                    out.push_str(&format!("# {note}.\n# {}: MÃ\n", f.name));
                }
                None => {}
            }
        }
        out.push_str("# Thứ tự trong mục (số nhỏ đứng trước).\n");
        out.push_str(&format!("weight: {}\n", self.next_weight()));
        out.push_str(&self.body_hint());
        out.push_str("---\n\n");
        out
    }

    /// The title: the words given (or the label) after the prefix the
    /// other titles share (`Câu hỏi 76: `).
    fn title(&self, key: Option<&str>) -> String {
        match (self.title_prefix(), key) {
            (Some(prefix), Some(k)) => format!(
                "{}: {}",
                prefix.replace("{}", &unquote(k)),
                self.base_title()
            ),
            _ => self.base_title(),
        }
    }

    /// `# Label: what the value is; required.` above a field.
    fn comment(&self, f: &Field, key: Option<&str>) -> String {
        let d = &f.decl;
        let label = d.label.clone().unwrap_or_else(|| f.name.clone());
        let required = if d.required {
            "bắt buộc"
        } else {
            "không bắt buộc"
        };
        let reference = key
            .map(|k| {
                format!(
                    "\n# Dẫn chiếu tới tài liệu này: [chữ hiện ra]({}:{}).",
                    self.req.kind,
                    unquote(k)
                )
            })
            .unwrap_or_default();
        format!("# {label}: {}; {required}.{reference}\n", self.what(d))
    }

    /// What a value of the field must be, in Vietnamese.
    fn what(&self, d: &FieldDecl) -> String {
        let to_label = |to: &str| {
            self.model
                .get(to)
                .and_then(|t| t.label.clone())
                .unwrap_or_else(|| to.to_string())
        };
        let range = match (d.min, d.max) {
            (Some(a), Some(b)) => format!(" từ {a} đến {b}"),
            (Some(a), None) => format!(" từ {a} trở lên"),
            (None, Some(b)) => format!(" đến {b}"),
            _ => String::new(),
        };
        match d.kind {
            FieldKind::Text => "văn bản, đúng như văn bản nguồn viết".to_string(),
            FieldKind::Integer => format!("số nguyên{range}"),
            FieldKind::Year => "năm, số có 4 chữ số".into(),
            FieldKind::Date => "ngày, dạng NĂM-THÁNG-NGÀY".into(),
            FieldKind::Slug => "mã viết thường không dấu, nối bằng dấu gạch ngang".into(),
            FieldKind::Bool => "true (có) hoặc false (không)".into(),
            FieldKind::Ref => {
                let to = d.to.as_deref().unwrap_or("");
                format!("mã của một tài liệu loại {} (`{to}`)", to_label(to))
            }
            FieldKind::Refs => {
                let to = d.to.as_deref().unwrap_or("");
                format!(
                    "danh sách mã tài liệu loại {} (`{to}`), ví dụ [a, b]",
                    to_label(to)
                )
            }
            FieldKind::Group => {
                let (list, by) = d.group_list();
                format!("mã `{by}` của một nhóm trong danh sách `{list}` ở `_index.md` của mục")
            }
            FieldKind::List => "danh sách, ví dụ [\"…\", \"…\"]".into(),
        }
    }

    /// A `Câu hỏi {}` title prefix most documents share (with their key).
    fn title_prefix(&self) -> Option<String> {
        let k = self.key.as_ref()?;
        let prefixes: Vec<String> = self
            .same
            .iter()
            .filter_map(|d| {
                let key = d.fm.extra.get(&k.name).and_then(key_text)?;
                let (head, _) = d.fm.title.split_once(": ")?;
                let at = find_word(head, &key)?;
                Some(format!("{}{{}}{}", &head[..at], &head[at + key.len()..]))
            })
            .collect();
        let best = most_common(&prefixes)?;
        let n = prefixes.iter().filter(|p| **p == best).count();
        (n * 2 > self.same.len()).then_some(best)
    }

    fn next_weight(&self) -> i64 {
        self.same
            .iter()
            .map(|d| d.fm.weight)
            .max()
            .map_or(1, |w| w + 1)
    }

    /// Where the body goes, with a reference to an existing document as
    /// the example (one this type references, else any).
    fn body_hint(&self) -> String {
        let listed = self.req.decl.open_data.iter().flat_map(|o| &o.refs);
        let mut referenced = self
            .fields
            .iter()
            .filter_map(|f| f.decl.to.as_deref())
            .chain(listed.map(String::as_str))
            .chain(self.model.types.keys().map(String::as_str));
        let example = referenced.find_map(|to| {
            let d = ordered(self.model, self.docs, to).into_iter().next()?;
            Some(format!(
                "[chữ hiện ra]({to}:{})",
                unquote(&scalar(key_of(self.model, d)?)?)
            ))
        });
        let mut out =
            String::from("# Nội dung viết bằng Markdown, dưới dòng `---` ngay sau đây.\n");
        if let Some(e) = example {
            out.push_str(&format!(
                "# Dẫn chiếu tới tài liệu khác bằng liên kết có loại, ví dụ: {e}\n"
            ));
        }
        out
    }
}

/// Names like `cau-01` built around one field's value: `cau-` + value
/// padded to `width` digits + ``.
#[derive(Debug, Clone)]
struct NamePattern {
    field: String,
    prefix: String,
    width: usize,
    suffix: String,
}

impl NamePattern {
    /// The pattern of `name` around `value`, if the name contains it.
    fn find(name: &str, field: &str, value: &Value) -> Option<NamePattern> {
        let make = |start: usize, len: usize, width: usize| NamePattern {
            field: field.to_string(),
            prefix: name[..start].to_string(),
            width,
            suffix: name[start + len..].to_string(),
        };
        if let Some(n) = value.as_i64() {
            let (start, digits) = digit_runs(name)
                .into_iter()
                .rev()
                .find(|(_, d)| d.parse() == Ok(n))?;
            let width = if digits.len() > n.to_string().len() {
                digits.len()
            } else {
                0
            };
            return Some(make(start, digits.len(), width));
        }
        let s = value.as_str().filter(|s| !s.is_empty())?;
        name.find(s).map(|start| make(start, s.len(), 0))
    }

    fn same_place(&self, other: &NamePattern) -> bool {
        (&self.field, &self.prefix, &self.suffix) == (&other.field, &other.prefix, &other.suffix)
    }

    fn name(&self, value: &str) -> String {
        format!("{}{value:0>w$}{}", self.prefix, self.suffix, w = self.width)
    }
}

/// The runs of ASCII digits in `s`, with their byte offsets.
fn digit_runs(s: &str) -> Vec<(usize, &str)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        match (c.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(st)) => {
                runs.push((st, &s[st..i]));
                start = None;
            }
            _ => {}
        }
    }
    runs
}

/// The byte offset of `word` in `s` where it is not part of a longer number
/// or word.
fn find_word(s: &str, word: &str) -> Option<usize> {
    s.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = s[..i].chars().next_back();
        let after = s[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The part of a title after its `Câu hỏi 15: ` prefix.
fn title_rest(title: &str) -> &str {
    title.split_once(": ").map_or(title, |(_, rest)| rest)
}

/// The name a document is known by in its folder: its file name, or its
/// folder's for a section.
fn doc_name(d: &Document) -> &str {
    if d.is_section {
        d.dir().rsplit('/').next().unwrap_or("")
    } else {
        d.stem()
    }
}

/// `dir`, its parent, … up to the top of `content/` (`""`).
fn ancestors(dir: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(dir), |d| {
        (!d.is_empty()).then(|| d.rsplit_once('/').map_or("", |(p, _)| p))
    })
}

/// The value that occurs most often; on a tie, the one seen last.
fn most_common<T: PartialEq + Clone>(items: &[T]) -> Option<T> {
    let count = |x: &T| items.iter().filter(|y| *y == x).count();
    let best = items.iter().map(count).max()?;
    items.iter().rev().find(|x| count(x) == best).cloned()
}

/// The documents of `kind` in reading order: by number for a numbered
/// type, else by weight, then path.
fn ordered<'a>(model: &Model, docs: &'a [Document], kind: &str) -> Vec<&'a Document> {
    let mut same: Vec<&Document> = docs
        .iter()
        .filter(|d| d.fm.doc_type.as_deref() == Some(kind))
        .collect();
    same.sort_by_key(|d| {
        let number = key_of(model, d).and_then(Value::as_i64);
        (number, d.fm.weight, d.rel.clone())
    });
    same
}

/// The value of a document's key field.
fn key_of<'a>(model: &Model, d: &'a Document) -> Option<&'a Value> {
    let decl = model.of(&d.fm)?;
    d.fm.extra.get(decl.key_field(&d.fm))
}

/// The declared fields, in order (the shorthand `required:` is already
/// among them: see `Model::normalised`).
fn fields_of(decl: &TypeDecl) -> Vec<Field> {
    decl.fields
        .iter()
        .map(|(name, f)| Field {
            name: name.clone(),
            decl: f.clone(),
        })
        .collect()
}

/// The field that names a document in references, when the type has one:
/// its declared `key`, else a declared `id` or `number`. A key that is not
/// among the fields is a number if the existing keys are, else a slug.
fn key_field(decl: &TypeDecl, fields: &[Field], same: &[&Document]) -> Option<Field> {
    let name = match &decl.key {
        Some(k) => k.clone(),
        None => ["id", "number"]
            .into_iter()
            .find(|n| fields.iter().any(|f| f.name == *n))?
            .to_string(),
    };
    if let Some(f) = fields.iter().find(|f| f.name == name) {
        return Some(Field {
            name,
            decl: f.decl.clone(),
        });
    }
    let numbered = same
        .iter()
        .any(|d| d.fm.extra.get(&name).is_some_and(Value::is_number));
    Some(Field {
        decl: FieldDecl {
            kind: if numbered {
                FieldKind::Integer
            } else {
                FieldKind::Slug
            },
            required: true,
            label: Some("Mã".into()),
            ..FieldDecl::default()
        },
        name,
    })
}

/// A scalar as YAML text: a number as it is, text quoted.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(quoted(s)),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The text of a YAML scalar written by [`scalar`] or [`quoted`].
fn unquote(yaml: &str) -> String {
    serde_json::from_str::<String>(yaml).unwrap_or_else(|_| yaml.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_patterns_keep_prefix_and_padding() {
        let n = |name: &str, v: Value| NamePattern::find(name, "f", &v).map(|p| p.name("76"));
        assert_eq!(n("cau-01", Value::from(1)), Some("cau-76".into()));
        assert_eq!(n("cau-1", Value::from(1)), Some("cau-76".into()));
        assert_eq!(n("phan-2", Value::from(2)), Some("phan-76".into()));
        assert_eq!(n("tfp-2030", Value::from("tfp-2030")), Some("76".into()));
        assert_eq!(n("so", Value::from("tfp-2030")), None);
        assert_eq!(n("cau-12", Value::from(1)), None);
    }

    #[test]
    fn words_are_found_whole() {
        assert_eq!(find_word("Câu hỏi 15", "15"), Some(11));
        assert_eq!(find_word("Câu hỏi 150", "15"), None);
    }

    #[test]
    fn ancestors_climb_to_the_top() {
        let all: Vec<&str> = ancestors("a/b/c").collect();
        assert_eq!(all, ["a/b/c", "a/b", "a", ""]);
    }

    #[test]
    fn most_common_prefers_the_last_on_a_tie() {
        assert_eq!(most_common(&[1, 2, 2, 1]), Some(1));
        assert_eq!(most_common(&[1, 2, 2]), Some(2));
        assert_eq!(most_common::<i32>(&[]), None);
    }
}
