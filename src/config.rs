//! Site configuration: `site.yaml` at the site root, parsed strictly once,
//! with derived values (base path, absolute origin) computed here so later
//! stages never re-check them.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::Diagnostic;
use crate::fsutil;
use crate::model::{MatrixDecl, Model, TypeDecl};
use crate::profile::Profile;

/// The name of the configuration file at the site root.
pub const CONFIG_FILE: &str = "site.yaml";

/// `site.yaml` as written by the user. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Option<String>,
    description: Option<String>,
    base_url: Option<String>,
    language: Option<String>,
    theme: Option<String>,
    author: Option<String>,
    #[serde(default)]
    types: indexmap::IndexMap<String, TypeDecl>,
    matrix: Option<MatrixDecl>,
    #[serde(default)]
    strings: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    extra: serde_yaml::Mapping,
    #[serde(default)]
    editor_guide: bool,
    #[serde(default)]
    markdown: MarkdownOptions,
}

/// `markdown:` in `site.yaml`: how bodies are read.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MarkdownOptions {
    /// Let raw HTML (`<div>`, `<iframe>`…) through; off by default, where
    /// any raw HTML other than a comment is an error.
    #[serde(default)]
    raw_html: bool,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Site title; `None` means "use the home page's title".
    pub title: Option<String>,
    /// One-sentence description of the site.
    pub description: Option<String>,
    /// Language code, `vi` by default.
    pub language: String,
    /// Theme name: `themes/<name>/` in the site overrides the built-in theme.
    pub theme: String,
    /// Author or publishing office, for feeds and metadata.
    pub author: Option<String>,
    /// URL path every page lives under, always starting and ending with `/`.
    pub base_path: String,
    /// Scheme and host (`https://example.gov.vn`) when the base URL is absolute.
    pub origin: Option<String>,
    /// Free-form data for templates.
    pub extra: serde_yaml::Mapping,
    /// Build the editors' guide too (sections marked `editor_only: true`).
    pub editor_guide: bool,
    /// The document model: types, fields, views.
    pub model: Model,
    /// Overrides of the theme's UI strings (`strings.yaml`), for this site.
    pub strings: std::collections::BTreeMap<String, String>,
    /// Where each override of `strings` is written in `site.yaml` (line).
    pub strings_lines: std::collections::BTreeMap<String, usize>,
    /// Raw HTML in bodies is allowed (`markdown: {raw_html: true}`).
    pub raw_html: bool,
    /// The province profile in use (`--profile`).
    pub profile: Option<Profile>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: None,
            description: None,
            language: "vi".into(),
            theme: "default".into(),
            author: None,
            base_path: "/".into(),
            origin: None,
            extra: Default::default(),
            model: Model::default(),
            strings: Default::default(),
            strings_lines: Default::default(),
            raw_html: false,
            editor_guide: false,
            profile: None,
        }
    }
}

impl Config {
    /// Reads `site.yaml` from `root` if it exists; a site without one uses defaults.
    /// `base_url` overrides the file's `base_url` (the `--base-url` flag).
    pub fn load(
        root: &Path,
        base_url: Option<&str>,
        profile: Option<&str>,
    ) -> Result<Config, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let mut config = if path.exists() {
            let text =
                fsutil::read_text(root, &path, Path::new(CONFIG_FILE)).map_err(|d| vec![d])?;
            Config::parse(&text, Path::new(CONFIG_FILE))?
        } else {
            Config::default()
        };
        if let Some(name) = profile {
            config.apply_profile(Profile::load(root, name)?)?;
        }
        if let Some(url) = base_url {
            config.set_base_url(url).map_err(|msg| {
                vec![
                    Diagnostic::error("--base-url", 0, 0, msg)
                        .hint("ví dụ: --base-url https://tinh.gov.vn/nq57/"),
                ]
            })?;
        }
        Ok(config)
    }

    /// Parses the text of a `site.yaml`; `shown` is the path used in messages.
    pub fn parse(text: &str, shown: &Path) -> Result<Config, Vec<Diagnostic>> {
        let raw: RawConfig = if text.trim().is_empty() {
            RawConfig::default()
        } else {
            serde_yaml::from_str(text).map_err(|e| vec![yaml_error(&e, text, shown, 0)])?
        };
        let mut config = Config {
            title: raw.title,
            description: raw.description,
            language: raw.language.unwrap_or_else(|| "vi".into()),
            theme: raw.theme.unwrap_or_else(|| "default".into()),
            author: raw.author,
            extra: raw.extra,
            model: Model {
                types: raw.types,
                matrix: raw.matrix,
            }
            .normalised(),
            strings_lines: raw
                .strings
                .keys()
                .map(|k| (k.clone(), nested_key_line(text, "strings", k)))
                .collect(),
            strings: raw.strings,
            raw_html: raw.markdown.raw_html,
            editor_guide: raw.editor_guide,
            ..Config::default()
        };
        if config.theme.is_empty()
            || config.theme.contains(['/', '\\'])
            || config.theme.starts_with('.')
        {
            let line = key_line(text, "theme");
            return Err(vec![
                Diagnostic::error(
                    shown,
                    line,
                    1,
                    format!("tên giao diện `{}` không hợp lệ", config.theme),
                )
                .hint("`theme` là tên một thư mục trong `themes/`, ví dụ `theme: default`"),
            ]);
        }
        let problems = config.model.check(text, shown);
        if !problems.is_empty() {
            return Err(problems);
        }
        if let Some(url) = raw.base_url {
            config.set_base_url(&url).map_err(|msg| {
                vec![
                    Diagnostic::error(shown, key_line(text, "base_url"), 1, msg).hint(
                        "ví dụ: `base_url: https://tinh.gov.vn/nq57/` hoặc `base_url: /nq57/`",
                    ),
                ]
            })?;
        }
        Ok(config)
    }

    /// Applies a province profile: its name, office and base URL replace the
    /// configuration's.
    fn apply_profile(&mut self, profile: Profile) -> Result<(), Vec<Diagnostic>> {
        if let Some(url) = &profile.base_url {
            self.set_base_url(url).map_err(|msg| {
                vec![Diagnostic::error(
                    &profile.shown,
                    profile.base_url_line,
                    1,
                    msg,
                )]
            })?;
        }
        if let Some(name) = &profile.site_name {
            self.title = Some(name.clone());
        }
        if let Some(office) = &profile.office {
            self.author = Some(office.clone());
        }
        self.profile = Some(profile);
        Ok(())
    }

    /// Splits a base URL into origin and path. Accepts `https://host/path/`,
    /// `http://…` and a bare path (`/nq57/`).
    fn set_base_url(&mut self, url: &str) -> Result<(), String> {
        let url = url.trim();
        let (origin, path) = if let Some(rest) = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
        {
            let scheme_len = url.len() - rest.len();
            let host_end = rest.find('/').unwrap_or(rest.len());
            if host_end == 0 {
                return Err(format!("địa chỉ gốc `{url}` thiếu tên miền"));
            }
            (
                Some(url[..scheme_len + host_end].to_string()),
                &rest[host_end..],
            )
        } else if url.starts_with('/') || url.is_empty() {
            (None, url)
        } else {
            return Err(format!(
                "địa chỉ gốc `{url}` phải bắt đầu bằng `https://`, `http://` hoặc `/`"
            ));
        };
        if path.contains(['?', '#', ' ']) || path.split('/').any(|s| s == ".." || s == ".") {
            return Err(format!("đường dẫn `{path}` trong địa chỉ gốc không hợp lệ"));
        }
        let trimmed = path.trim_matches('/');
        self.base_path = if trimmed.is_empty() {
            "/".into()
        } else {
            format!("/{trimmed}/")
        };
        self.origin = origin;
        Ok(())
    }

    /// The absolute URL of a site path (`/a/b/` → `https://host/base/a/b/`),
    /// or the root-relative one when no origin is configured.
    pub fn absolute(&self, path: &str) -> String {
        let rel = path.trim_start_matches('/');
        match &self.origin {
            Some(origin) => format!("{origin}{}{rel}", self.base_path),
            None => format!("{}{rel}", self.base_path),
        }
    }

    /// The theme folder inside a site.
    pub fn theme_dir(&self, root: &Path) -> PathBuf {
        root.join("themes").join(&self.theme)
    }
}

/// Finds the 1-based line of a top-level key in YAML text (0 if absent).
pub fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map_or(0, |i| i + 1)
}

/// The 1-based line of `key` inside the top-level mapping `parent` (0 if absent).
fn nested_key_line(text: &str, parent: &str, key: &str) -> usize {
    let start = key_line(text, parent);
    if start == 0 {
        return 0;
    }
    text.lines()
        .enumerate()
        .skip(start)
        .take_while(|(_, l)| l.is_empty() || l.starts_with([' ', '#']))
        .find(|(_, l)| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with(':'))
        })
        .map_or(start, |(i, _)| i + 1)
}

/// Turns a serde_yaml error into a Vietnamese diagnostic; `line_offset` is the
/// number of lines before the YAML text in its file (for front matter). The
/// common messages are translated; serde_yaml's English follows in brackets.
pub fn yaml_error(
    err: &serde_yaml::Error,
    text: &str,
    shown: &Path,
    line_offset: usize,
) -> Diagnostic {
    let raw = err.to_string();
    let (yaml_line, column) = err
        .location()
        .map(|l| (l.line(), l.column()))
        .or_else(|| unlocated_position(&raw, text))
        .unwrap_or((0, 0));
    let line = if yaml_line == 0 {
        0
    } else {
        yaml_line + line_offset
    };
    let detail = strip_location(&raw);
    // Errors of typed keys start with the key's path: `types.target: …`.
    let (key_path, what) = match detail.split_once(": ") {
        Some((path, rest)) if is_key_path(path) => (Some(path), rest),
        _ => (None, detail.as_str()),
    };
    if let Some(field) = what
        .strip_prefix("unknown field `")
        .and_then(|r| r.split('`').next())
    {
        let expected = what
            .split("expected ")
            .nth(1)
            .unwrap_or("")
            .replace("one of ", "");
        let inside = key_path.map_or(String::new(), |p| format!(" trong `{p}`"));
        return Diagnostic::error(
            shown,
            line,
            column,
            format!("khoá `{field}`{inside} không được hỗ trợ"),
        )
        .hint(format!(
            "xoá hoặc sửa tên khoá; các khoá hợp lệ: {expected}"
        ));
    }
    let has_tab = text
        .lines()
        .take(yaml_line.max(1))
        .any(|l| l.starts_with([' ', '\t']) && l.trim_start_matches(' ').starts_with('\t'));
    let (message, hint) = translate_yaml_message(key_path, what, has_tab);
    Diagnostic::error(shown, line, column, format!("{message} ({detail})")).hint(hint)
}

/// serde_yaml's message without its ` at line L column C` parts.
fn strip_location(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + " at line ".len()..];
        let skip = after
            .find(" column ")
            .map(|c| {
                let digits = after[c + 8..]
                    .bytes()
                    .take_while(u8::is_ascii_digit)
                    .count();
                c + 8 + digits
            })
            .unwrap_or(0);
        rest = &after[skip..];
    }
    out.push_str(rest);
    out
}

/// `title`, `types.target.required`, `[0]`: the path serde puts before a
/// typed error.
fn is_key_path(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']'))
}

/// Where to point when serde_yaml gives no position: the first alias (`*x`)
/// for an alias bomb, the second `---` for a second document.
fn unlocated_position(raw: &str, text: &str) -> Option<(usize, usize)> {
    if raw.contains("repetition limit") || raw.contains("recursion limit") {
        return text.lines().enumerate().find_map(|(i, l)| {
            let col = l
                .char_indices()
                .find(|&(j, c)| {
                    c == '*'
                        && l[j + 1..].starts_with(|n: char| n.is_alphanumeric())
                        && (j == 0 || l[..j].ends_with([' ', '[', ',', '{', '-', ':']))
                })
                .map(|(j, _)| l[..j].chars().count() + 1)?;
            Some((i + 1, col))
        });
    }
    if raw.contains("more than one document") {
        return text
            .lines()
            .position(|l| l.trim_end() == "---" || l.trim_end() == "...")
            .map(|i| (i + 1, 1));
    }
    None
}

/// Common serde_yaml messages (a fragment, in lower case) and what they mean
/// to an editor, with how to fix it.
const YAML_MESSAGES: &[(&str, &str, &str)] = &[
    (
        "expected ',' or ']'",
        "danh sách `[ … ]` chưa được đóng hoặc thiếu dấu phẩy giữa các phần tử",
        "đóng danh sách bằng `]` trên cùng dòng và ngăn các phần tử bằng dấu phẩy, ví dụ `tags: [\"a\", \"b\"]`",
    ),
    (
        "expected ',' or '}'",
        "bảng `{ … }` chưa được đóng hoặc thiếu dấu phẩy giữa các cặp",
        "đóng bảng bằng `}` và ngăn các cặp bằng dấu phẩy, ví dụ `{so: 1, ten: \"a\"}`",
    ),
    (
        "mapping values are not allowed",
        "có dấu `:` ở chỗ không được phép",
        "giá trị có chứa `: ` phải đặt trong ngoặc kép, ví dụ `title: \"Câu hỏi 1: …\"`; hoặc kiểm tra thụt lề của dòng",
    ),
    (
        "cannot start any token",
        "giá trị bắt đầu bằng một ký tự không được phép (như `` ` ``, `@` hay `%`)",
        "đặt cả giá trị trong ngoặc kép, ví dụ `title: \"@…\"`",
    ),
    (
        "unknown escape character",
        "chuỗi trong ngoặc kép có dấu `\\` không hợp lệ",
        "viết `\\\\` cho một dấu gạch ngược, hoặc đặt chuỗi trong ngoặc đơn `'…'`",
    ),
    (
        "expected key",
        "thụt lề không đúng hoặc thiếu dấu `:` sau khoá",
        "mỗi dòng là `khoá: giá trị`; các khoá cùng cấp phải thụt lề bằng nhau",
    ),
    (
        "expected '-' indicator",
        "danh sách lẫn với khoá: dòng này cần bắt đầu bằng `- `",
        "các phần tử danh sách bắt đầu bằng `- ` và thụt lề bằng nhau",
    ),
    (
        "could not find expected ':'",
        "thiếu dấu `:` sau khoá",
        "mỗi dòng là `khoá: giá trị`; một giá trị nhiều dòng cần `|` hoặc ngoặc kép",
    ),
    (
        "expected node content",
        "thiếu giá trị: danh sách hay bảng bị bỏ dở",
        "viết đủ giá trị và đóng `[ ]`, `{ }`",
    ),
    (
        "unexpected end of stream",
        "chuỗi trong ngoặc chưa được đóng",
        "kiểm tra dấu `\"` hoặc `'` mở và đóng trên dòng này",
    ),
    (
        "quoted scalar",
        "chuỗi trong ngoặc chưa được đóng",
        "kiểm tra dấu `\"` hoặc `'` mở và đóng trên dòng này",
    ),
    (
        "duplicate entry",
        "một khoá được viết hai lần",
        "xoá hoặc đổi tên một trong hai dòng cùng khoá",
    ),
    (
        "unknown anchor",
        "bí danh `*…` không trỏ tới neo `&…` nào",
        "khai báo neo `&ten` trước khi dùng `*ten`, hoặc ghi giá trị trực tiếp",
    ),
    (
        "repetition limit exceeded",
        "bí danh YAML (`*…`) nhân giá trị lên quá nhiều lần",
        "không lồng các neo `&…` và bí danh `*…`; ghi giá trị trực tiếp",
    ),
    (
        "recursion limit exceeded",
        "YAML lồng nhau quá sâu",
        "bớt các cấp lồng nhau (danh sách trong danh sách, bảng trong bảng)",
    ),
    (
        "control characters are not allowed",
        "có ký tự điều khiển (không nhìn thấy) trong YAML",
        "xoá ký tự đó; nó thường đến từ văn bản sao chép từ PDF hay Word",
    ),
    (
        "more than one document",
        "có hơn một khối YAML (một dòng `---` thừa)",
        "xoá dòng `---` thừa",
    ),
    (
        "missing field",
        "thiếu một khoá bắt buộc",
        "thêm khoá còn thiếu (tên khoá ở cuối thông báo)",
    ),
];

fn translate_yaml_message(key: Option<&str>, what: &str, has_tab: bool) -> (String, String) {
    let lower = what.to_lowercase();
    if has_tab || lower.contains("tab character") || lower.contains("tabs") {
        return (
            "YAML không hợp lệ: có ký tự tab dùng để thụt lề".into(),
            "YAML chỉ cho phép thụt lề bằng dấu cách; thay các tab bằng dấu cách".into(),
        );
    }
    if let Some(rest) = what
        .strip_prefix("invalid type: ")
        .or_else(|| what.strip_prefix("invalid value: "))
    {
        let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let key = key.map_or(String::new(), |k| format!("`{k}` "));
        return (
            format!(
                "giá trị {key}sai kiểu: cần {}, nhưng đang là {}",
                yaml_kind(expected),
                yaml_kind(got)
            ),
            "sửa giá trị cho đúng kiểu (chuỗi đặt trong ngoặc kép, số viết không ngoặc, danh sách trong `[ ]`)".into(),
        );
    }
    let (message, hint) = YAML_MESSAGES
        .iter()
        .find(|(needle, _, _)| lower.contains(needle))
        .map_or(
            (
                "YAML không hợp lệ",
                "kiểm tra dấu `:` sau mỗi khoá, thụt lề bằng dấu cách và các dấu ngoặc kép",
            ),
            |(_, m, h)| (*m, *h),
        );
    let message = match key {
        Some(k) => format!("`{k}`: {message}"),
        None => format!("YAML không hợp lệ: {message}"),
    };
    (message, hint.into())
}

/// A serde type description (`integer `5``, `a sequence`, `u128`) in Vietnamese.
fn yaml_kind(s: &str) -> String {
    let s = s.trim();
    let bare = s
        .strip_prefix("a ")
        .or_else(|| s.strip_prefix("an "))
        .unwrap_or(s);
    let (kind, value) = bare.split_once(' ').unwrap_or((bare, ""));
    match kind {
        "integer" | "u8" | "u16" | "u32" | "u64" | "u128" | "i8" | "i16" | "i32" | "i64"
        | "i128" | "usize" => with_value("một số nguyên", value),
        "floating" | "f32" | "f64" => with_value("một số", value.trim_start_matches("point ")),
        "string" => with_value("một chuỗi", value),
        "boolean" => with_value("`true` hoặc `false`", value),
        "sequence" => "một danh sách".into(),
        "map" | "YAML" | "mapping" | "struct" => "một bảng khoá–giá trị".into(),
        "unit" | "null" => "rỗng".into(),
        _ => format!("`{s}`"),
    }
}

fn with_value(kind: &str, value: &str) -> String {
    if value.is_empty() || value.starts_with("value") {
        kind.into()
    } else {
        format!("{kind} {value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_base_url_with_sub_path() {
        let c = Config::parse(
            "title: T\nbase_url: https://portal.gov.vn/nq57\n",
            Path::new("site.yaml"),
        )
        .unwrap();
        assert_eq!(c.base_path, "/nq57/");
        assert_eq!(c.origin.as_deref(), Some("https://portal.gov.vn"));
        assert_eq!(
            c.absolute("/hoi-dap/"),
            "https://portal.gov.vn/nq57/hoi-dap/"
        );
        let c = Config::parse("base_url: /", Path::new("site.yaml")).unwrap();
        assert_eq!(c.absolute("a/"), "/a/");
    }

    #[test]
    fn errors_on_unknown_key_with_its_line() {
        let err = parse_err("title: T\ntitel: X\n");
        assert_eq!(err.line, 2);
        assert!(err.message.contains("`titel`"), "{err}");
        assert!(err.hint.unwrap().contains("title"));
    }

    #[test]
    fn errors_on_bad_base_url_and_theme() {
        let err = parse_err("title: T\nbase_url: ftp://x/\n");
        assert_eq!(err.line, 2);
        let err = parse_err("theme: ../x\n");
        assert_eq!(err.line, 1);
    }

    /// The first error of parsing `text`.
    fn parse_err(text: &str) -> Diagnostic {
        Config::parse(text, Path::new("site.yaml"))
            .unwrap_err()
            .remove(0)
    }

    #[test]
    fn translates_common_yaml_errors_and_keeps_the_english_after_them() {
        let e = parse_err("title: x\nextra:\n  a: [1, 2\n  b: 3\n");
        assert!(
            e.message
                .starts_with("YAML không hợp lệ: danh sách `[ … ]` chưa được đóng"),
            "{e}"
        );
        assert!(
            e.message.contains("(did not find expected ',' or ']'"),
            "{e}"
        );
        assert_eq!(e.line, 4);
        let e = parse_err("description: [a]\n");
        assert!(
            e.message
                .contains("cần một chuỗi, nhưng đang là một danh sách"),
            "{e}"
        );
        let e = parse_err("editor_guide: 5\n");
        assert!(
            e.message.starts_with("giá trị `editor_guide` sai kiểu: cần `true` hoặc `false`, nhưng đang là một số nguyên `5`"),
            "{e}"
        );
        let e = parse_err("types:\n  target:\n    require: [a]\n");
        assert!(
            e.message
                .contains("khoá `require` trong `types.target` không được hỗ trợ"),
            "{e}"
        );
        assert_eq!((e.line, e.column), (3, 5));
        let e = parse_err("title: a: b\n");
        assert!(
            e.message.contains("có dấu `:` ở chỗ không được phép"),
            "{e}"
        );
    }

    #[test]
    fn an_alias_bomb_points_to_its_first_alias() {
        let mut text = String::from("title: T\nextra:\n  a: &a [1,1,1,1,1,1,1,1,1]\n");
        for (name, prev) in [
            ("b", "a"),
            ("c", "b"),
            ("d", "c"),
            ("e", "d"),
            ("f", "e"),
            ("g", "f"),
            ("h", "g"),
            ("i", "h"),
        ] {
            text.push_str(&format!(
                "  {name}: &{name} [{}]\n",
                vec![format!("*{prev}"); 9].join(",")
            ));
        }
        let e = parse_err(&text);
        assert!(e.message.contains("bí danh YAML"), "{e}");
        assert_eq!((e.line, e.column), (4, 10), "{e}");
    }

    #[test]
    fn empty_config_uses_defaults() {
        let c = Config::parse("", Path::new("site.yaml")).unwrap();
        assert_eq!(c.language, "vi");
        assert_eq!(c.base_path, "/");
    }
}
