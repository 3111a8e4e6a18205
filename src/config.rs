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
            Config::parse(&text, Path::new(CONFIG_FILE)).map_err(|d| vec![d])?
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
    pub fn parse(text: &str, shown: &Path) -> Result<Config, Diagnostic> {
        let raw: RawConfig = if text.trim().is_empty() {
            RawConfig::default()
        } else {
            serde_yaml::from_str(text).map_err(|e| yaml_error(&e, text, shown, 0))?
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
            editor_guide: raw.editor_guide,
            ..Config::default()
        };
        if config.theme.is_empty()
            || config.theme.contains(['/', '\\'])
            || config.theme.starts_with('.')
        {
            let line = key_line(text, "theme");
            return Err(Diagnostic::error(
                shown,
                line,
                1,
                format!("tên giao diện `{}` không hợp lệ", config.theme),
            )
            .hint("`theme` là tên một thư mục trong `themes/`, ví dụ `theme: default`"));
        }
        if let Some(e) = config.model.check(text, shown).into_iter().next() {
            return Err(e);
        }
        if let Some(url) = raw.base_url {
            config.set_base_url(&url).map_err(|msg| {
                Diagnostic::error(shown, key_line(text, "base_url"), 1, msg)
                    .hint("ví dụ: `base_url: https://tinh.gov.vn/nq57/` hoặc `base_url: /nq57/`")
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
/// number of lines before the YAML text in its file (for front matter).
pub fn yaml_error(
    err: &serde_yaml::Error,
    text: &str,
    shown: &Path,
    line_offset: usize,
) -> Diagnostic {
    let (yaml_line, column) = err.location().map_or((0, 0), |l| (l.line(), l.column()));
    let line = if yaml_line == 0 {
        0
    } else {
        yaml_line + line_offset
    };
    let raw = err.to_string();
    let raw = raw.split(" at line ").next().unwrap_or(&raw).to_string();
    if let Some(field) = raw
        .strip_prefix("unknown field `")
        .and_then(|r| r.split('`').next())
    {
        let expected = raw
            .split("expected ")
            .nth(1)
            .unwrap_or("")
            .replace("one of ", "");
        return Diagnostic::error(
            shown,
            line,
            column,
            format!("khoá `{field}` không được hỗ trợ"),
        )
        .hint(format!(
            "xoá hoặc sửa tên khoá; các khoá hợp lệ: {expected}"
        ));
    }
    let has_tab = text
        .lines()
        .take(yaml_line.max(1))
        .any(|l| l.starts_with([' ', '\t']) && l.trim_start_matches(' ').starts_with('\t'));
    let (message, hint) = translate_yaml_message(&raw, has_tab);
    Diagnostic::error(shown, line, column, message).hint(hint)
}

fn translate_yaml_message(raw: &str, has_tab: bool) -> (String, String) {
    let lower = raw.to_lowercase();
    if has_tab || lower.contains("tabs") || lower.contains("tab character") {
        (
            format!("YAML không hợp lệ: có ký tự tab dùng để thụt lề ({raw})"),
            "YAML chỉ cho phép thụt lề bằng dấu cách; thay các tab bằng dấu cách".into(),
        )
    } else if lower.contains("quoted scalar") || lower.contains("unexpected end of stream") {
        (
            format!("YAML không hợp lệ: chuỗi trong dấu ngoặc kép chưa được đóng ({raw})"),
            "kiểm tra dấu `\"` hoặc `'` mở và đóng trên dòng này".into(),
        )
    } else if lower.contains("invalid type") {
        (
            format!("giá trị sai kiểu ({raw})"),
            "xem lại kiểu giá trị mà khoá này cần".into(),
        )
    } else {
        (
            format!("YAML không hợp lệ ({raw})"),
            "kiểm tra dấu `:` sau mỗi khoá, thụt lề bằng dấu cách và các dấu ngoặc kép".into(),
        )
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
        let err = Config::parse("title: T\ntitel: X\n", Path::new("site.yaml")).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("`titel`"), "{err}");
        assert!(err.hint.unwrap().contains("title"));
    }

    #[test]
    fn errors_on_bad_base_url_and_theme() {
        let err =
            Config::parse("title: T\nbase_url: ftp://x/\n", Path::new("site.yaml")).unwrap_err();
        assert_eq!(err.line, 2);
        let err = Config::parse("theme: ../x\n", Path::new("site.yaml")).unwrap_err();
        assert_eq!(err.line, 1);
    }

    #[test]
    fn empty_config_uses_defaults() {
        let c = Config::parse("", Path::new("site.yaml")).unwrap();
        assert_eq!(c.language, "vi");
        assert_eq!(c.base_path, "/");
    }
}
