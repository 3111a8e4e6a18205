//! Front matter: the YAML block between the first two `---` lines of a
//! content file, split off the body and read into typed fields. Every error
//! carries the line of the file it concerns (the YAML block's offset added).

use std::path::Path;

use serde_yaml::{Mapping, Value};

use crate::config::{key_line, yaml_error};
use crate::diag::Diagnostic;
use crate::text::Date;

/// The fields every document may carry; the rest stays in `extra`.
#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    /// Required title.
    pub title: String,
    /// The kind of document (`question`, `target`…); selects the template.
    pub doc_type: Option<String>,
    /// Order inside its section (ascending); 0 when not given.
    pub weight: i64,
    /// Publication date.
    pub date: Option<Date>,
    /// Date of the last change (`lastmod`), for the sitemap and the feed.
    pub lastmod: Option<Date>,
    /// Free tags (`categories`, as other generators name them, are added).
    pub tags: Vec<String>,
    /// Drafts are left out of the build.
    pub draft: bool,
    /// One-sentence description (`summary` when there is no `description`).
    pub description: Option<String>,
    /// Overrides the URL slug taken from the file name.
    pub slug: Option<String>,
    /// Older URLs that redirect to this page.
    pub aliases: Vec<String>,
    /// Template file to use instead of the one chosen by type.
    pub template: Option<String>,
    /// Every other key, for templates and typed entities.
    pub extra: Mapping,
    /// 1-based line of each key in the file, for later diagnostics.
    pub key_lines: Vec<(String, usize)>,
}

/// Every field, each value exactly ([`crate::fsutil::hash_yaml`]: a changed
/// figure must change the fingerprint of its page). Destructured without
/// `..`: a new field cannot be left out.
impl std::hash::Hash for FrontMatter {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let FrontMatter {
            title,
            doc_type,
            weight,
            date,
            lastmod,
            tags,
            draft,
            description,
            slug,
            aliases,
            template,
            extra,
            key_lines,
        } = self;
        (title, doc_type, weight, date, lastmod, tags).hash(h);
        (draft, description, slug, aliases, template, key_lines).hash(h);
        crate::fsutil::hash_mapping(extra, h);
    }
}

impl FrontMatter {
    /// A text field of the type-specific front matter (`group`, `figure`…).
    pub fn extra_str(&self, key: &str) -> Option<&str> {
        self.extra.get(key).and_then(|v| v.as_str())
    }

    /// The document's own author (`author:`), for the feed and `<meta>`;
    /// kept in `extra` so templates read it as `page.extra.author`.
    pub fn author(&self) -> Option<&str> {
        self.extra_str("author").filter(|a| !a.trim().is_empty())
    }

    /// The line of `key` in the source file (1 if unknown).
    pub fn line_of(&self, key: &str) -> usize {
        self.key_lines
            .iter()
            .find(|(k, _)| k == key)
            .map_or(1, |(_, l)| *l)
    }
}

/// A content file cut in two.
#[derive(Debug)]
pub struct Split<'a> {
    /// The YAML text.
    pub yaml: &'a str,
    /// The Markdown body.
    pub body: &'a str,
    /// 1-based line on which the body starts.
    pub body_line: usize,
}

/// Splits `text` into front matter and body. The first line must be `---`.
pub fn split<'a>(text: &'a str, shown: &Path) -> Result<Split<'a>, Diagnostic> {
    if text.trim().is_empty() {
        return Err(Diagnostic::error(shown, 1, 1, "tệp rỗng").hint(
            "mỗi tệp nội dung cần phần đầu YAML, ví dụ:\n  ---\n  title: \"Tiêu đề\"\n  ---\n  Nội dung…",
        ));
    }
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---").filter(|r| r.trim().is_empty()))
    else {
        return Err(Diagnostic::error(shown, 1, 1, "tệp không bắt đầu bằng phần đầu YAML (front matter)")
            .hint("dòng đầu tiên của tệp phải là `---`, tiếp theo là các trường như `title: \"…\"`, rồi một dòng `---`"));
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            let body_line = 2 + yaml.matches('\n').count() + 1;
            return Ok(Split {
                yaml,
                body,
                body_line,
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::error(
        shown,
        1,
        1,
        "phần đầu YAML (front matter) mở bằng `---` nhưng không có dòng `---` đóng lại",
    )
    .hint("thêm một dòng chỉ gồm `---` sau trường cuối cùng của phần đầu"))
}

/// Parses the YAML of a front matter block. `line_offset` is the number of
/// lines before the YAML in the file (1 for the opening `---`).
pub fn parse(yaml: &str, shown: &Path, line_offset: usize) -> Result<FrontMatter, Vec<Diagnostic>> {
    check_bounds(yaml, shown, line_offset).map_err(|d| vec![d])?;
    let value: Value = if yaml.trim().is_empty() {
        Value::Mapping(Mapping::new())
    } else {
        serde_yaml::from_str(yaml).map_err(|e| vec![yaml_error(&e, yaml, shown, line_offset)])?
    };
    let Value::Mapping(map) = value else {
        return Err(vec![
            Diagnostic::error(
                shown,
                line_offset + 1,
                1,
                "phần đầu YAML phải là danh sách các cặp `khoá: giá trị`",
            )
            .hint("ví dụ: `title: \"Tiêu đề\"`"),
        ]);
    };
    Fields {
        map,
        yaml,
        shown,
        line_offset,
        errors: Vec::new(),
    }
    .read()
}

/// Largest front matter accepted, in bytes.
const MAX_YAML_BYTES: usize = 256 * 1024;
/// Deepest nesting of `[` / `{` accepted (the YAML scanner slows down
/// quadratically with depth long before its own recursion limit).
const MAX_FLOW_DEPTH: usize = 64;

/// Rejects front matter too large or too deeply nested to be real metadata.
fn check_bounds(yaml: &str, shown: &Path, line_offset: usize) -> Result<(), Diagnostic> {
    if yaml.len() > MAX_YAML_BYTES {
        return Err(Diagnostic::error(shown, line_offset + 1, 1, format!("phần đầu YAML quá lớn ({} KB)", yaml.len() / 1024))
            .hint("phần đầu chỉ chứa thông tin mô tả (tiêu đề, ngày, mã…); đưa nội dung dài xuống phần thân Markdown"));
    }
    let (mut depth, mut quote) = (0usize, None::<char>);
    for (offset, c) in yaml.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    let (line, col) = crate::diag::line_col(yaml, offset);
                    return Err(Diagnostic::error(
                        shown,
                        line + line_offset,
                        col,
                        format!("YAML lồng nhau quá sâu (hơn {MAX_FLOW_DEPTH} cấp `[`/`{{`)"),
                    )
                    .hint("kiểm tra các dấu ngoặc `[` `]` và `{` `}` trong phần đầu"));
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            (None, '\n') => quote = None,
            _ => {}
        }
    }
    Ok(())
}

/// Reads typed fields out of the mapping, collecting every problem.
struct Fields<'a> {
    map: Mapping,
    yaml: &'a str,
    shown: &'a Path,
    line_offset: usize,
    errors: Vec<Diagnostic>,
}

impl Fields<'_> {
    fn read(mut self) -> Result<FrontMatter, Vec<Diagnostic>> {
        let key_lines = self.key_lines();
        let title = self.string("title");
        if title.is_none() && !self.errors.iter().any(|d| d.message.contains("`title`")) {
            self.errors.push(
                Diagnostic::error(
                    self.shown,
                    self.line_offset + 1,
                    1,
                    "thiếu trường bắt buộc `title`",
                )
                .hint("thêm dòng `title: \"Tiêu đề của trang\"` vào phần đầu YAML"),
            );
        }
        let mut tags = self.strings("tags");
        for c in self.strings("categories") {
            if !tags.contains(&c) {
                tags.push(c);
            }
        }
        let description = self.string("description");
        let summary = self.kept_string("summary");
        self.kept_string("author");
        let fm = FrontMatter {
            title: title.unwrap_or_default(),
            doc_type: self.string("type"),
            weight: self.integer("weight").unwrap_or(0),
            date: self.date("date"),
            lastmod: self.date("lastmod"),
            tags,
            draft: self.boolean("draft").unwrap_or(false),
            description: description.or(summary),
            slug: self.string("slug"),
            aliases: self.strings("aliases"),
            template: self.string("template"),
            extra: Mapping::new(),
            key_lines,
        };
        if self.errors.is_empty() {
            // The typed keys are gone: the rest is kept for every document
            // until the end of the build, without room for them.
            self.map.shrink_to_fit();
            Ok(FrontMatter {
                extra: self.map,
                ..fm
            })
        } else {
            Err(self.errors)
        }
    }

    fn key_lines(&self) -> Vec<(String, usize)> {
        self.map
            .keys()
            .filter_map(Value::as_str)
            .map(|k| (k.to_string(), self.line(k)))
            .collect()
    }

    fn line(&self, key: &str) -> usize {
        match key_line(self.yaml, key) {
            0 => self.line_offset + 1,
            l => l + self.line_offset,
        }
    }

    fn wrong_type(&mut self, key: &str, expected: &str, example: &str, got: &Value) {
        let got = describe(got);
        let line = self.line(key);
        let column = key.chars().count() + 3;
        self.errors.push(
            Diagnostic::error(
                self.shown,
                line,
                column,
                format!("trường `{key}` phải là {expected}, nhưng đang là {got}"),
            )
            .hint(format!("ví dụ: `{key}: {example}`")),
        );
    }

    fn string(&mut self, key: &str) -> Option<String> {
        match self.map.remove(key)? {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Null => None,
            other => {
                self.wrong_type(key, "một chuỗi văn bản", "\"…\"", &other);
                None
            }
        }
    }

    /// A text field left in `extra` for templates (`author`, `summary`),
    /// whose type is still checked.
    fn kept_string(&mut self, key: &str) -> Option<String> {
        match self.map.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => {
                let other = other.clone();
                self.wrong_type(key, "một chuỗi văn bản", "\"…\"", &other);
                None
            }
        }
    }

    fn integer(&mut self, key: &str) -> Option<i64> {
        match self.map.remove(key)? {
            Value::Number(n) if n.as_i64().is_some() => n.as_i64(),
            Value::Null => None,
            other => {
                self.wrong_type(key, "một số nguyên", "3", &other);
                None
            }
        }
    }

    fn boolean(&mut self, key: &str) -> Option<bool> {
        match self.map.remove(key)? {
            Value::Bool(b) => Some(b),
            Value::Null => None,
            other => {
                self.wrong_type(key, "`true` hoặc `false`", "true", &other);
                None
            }
        }
    }

    fn date(&mut self, key: &str) -> Option<Date> {
        match self.map.remove(key)? {
            Value::String(s) => match Date::parse(&s) {
                Ok(date) => Some(date),
                Err(why) => {
                    let line = self.line(key);
                    self.errors.push(
                        Diagnostic::error(
                            self.shown,
                            line,
                            key.len() + 3,
                            format!("`{s}` không phải là ngày hợp lệ: {why}"),
                        )
                        .hint(format!(
                            "ghi ngày theo dạng năm-tháng-ngày, ví dụ `{key}: 2024-12-22`, hoặc kèm giờ và múi giờ: `{key}: 2024-12-22T08:30:00+07:00`"
                        )),
                    );
                    None
                }
            },
            Value::Null => None,
            other => {
                self.wrong_type(key, "một ngày dạng năm-tháng-ngày", "2024-12-22", &other);
                None
            }
        }
    }

    fn strings(&mut self, key: &str) -> Vec<String> {
        match self.map.remove(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => vec![s],
            Some(Value::Sequence(items))
                if items.iter().all(|v| v.is_string() || v.is_number()) =>
            {
                items
                    .into_iter()
                    .filter_map(|v| match v {
                        Value::String(s) => Some(s),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
                    .collect()
            }
            Some(other) => {
                self.wrong_type(key, "một danh sách chuỗi", "[\"a\", \"b\"]", &other);
                Vec::new()
            }
        }
    }
}

/// A Vietnamese description of a YAML value, for type errors.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::Null => "rỗng".into(),
        Value::Bool(b) => format!("giá trị đúng/sai `{b}`"),
        Value::Number(n) => format!("số `{n}`"),
        Value::String(s) => format!("chuỗi \"{s}\""),
        Value::Sequence(_) => "một danh sách".into(),
        Value::Mapping(_) => "một bảng khoá–giá trị".into(),
        Value::Tagged(_) => "một giá trị có thẻ YAML".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("content/a.md")
    }

    #[test]
    fn splits_front_matter_and_body() {
        let s = split("---\ntitle: A\nweight: 2\n---\nBody\n", p()).unwrap();
        assert_eq!(s.yaml, "title: A\nweight: 2\n");
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.body_line, 5);
    }

    #[test]
    fn errors_on_unclosed_and_missing_front_matter() {
        let e = split("---\ntitle: A\nBody\n", p()).unwrap_err();
        assert!(e.message.contains("không có dòng `---` đóng lại"));
        let e = split("title: A\n", p()).unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        let e = split("  \n", p()).unwrap_err();
        assert_eq!(e.message, "tệp rỗng");
    }

    #[test]
    fn reads_typed_fields_and_keeps_extra() {
        let fm = parse(
            "title: A\nweight: 3\ndate: 2024-12-22\ntags: [x, y]\nnumber: 15\n",
            p(),
            1,
        )
        .unwrap();
        assert_eq!(fm.title, "A");
        assert_eq!(fm.weight, 3);
        assert_eq!(fm.date.unwrap().vi(), "22/12/2024");
        assert_eq!(fm.tags, ["x", "y"]);
        assert_eq!(fm.extra.get("number").and_then(Value::as_i64), Some(15));
        assert_eq!(fm.line_of("number"), 6);
    }

    #[test]
    fn reports_every_wrong_field_with_its_line() {
        let errs = parse("weight: \"abc\"\ndate: 2024-13-01\n", p(), 1).unwrap_err();
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(
            errs.iter()
                .any(|e| e.line == 2 && e.message.contains("`weight`"))
        );
        assert!(
            errs.iter()
                .any(|e| e.line == 3 && e.message.contains("2024-13-01"))
        );
        assert!(
            errs.iter()
                .any(|e| e.message.contains("thiếu trường bắt buộc `title`"))
        );
    }

    #[test]
    fn yaml_syntax_errors_carry_file_lines() {
        let errs = parse("title: \"unclosed\nweight: 1\n", p(), 1).unwrap_err();
        assert!(errs[0].line >= 2, "{:?}", errs[0]);
        let errs = parse("title: A\ntags:\n\t- x\n", p(), 1).unwrap_err();
        assert!(errs[0].line >= 3, "{:?}", errs[0]);
        assert!(errs[0].message.contains("tab"), "{}", errs[0].message);
    }
}
