//! Templates: load the theme (built into the binary, overridden file by file
//! from the site's `themes/<name>/`), build each page's context and render it
//! with Tera (autoescape on). Errors name the template file and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use tera::{Context, Tera};

use crate::diag::Diagnostic;
use crate::fsutil;
use crate::resolve::{HOME, Site};

/// The default theme, compiled into the binary from `themes/default/`.
static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// A theme ready to render: compiled templates, UI strings, static files.
pub struct Theme {
    tera: Tera,
    strings: BTreeMap<String, String>,
    /// Static files (path relative to the output root, bytes).
    pub assets: Vec<OutputFile>,
    /// Hashed href of the main stylesheet.
    pub css_path: String,
    /// Output path of every static file, by its name in the theme
    /// (`style.css` → `assets/style.1a2b3c4d.css`).
    pub asset_paths: BTreeMap<String, String>,
    /// Where each template came from, for messages.
    sources: BTreeMap<String, PathBuf>,
    /// Problems that do not stop the build (unknown keys in a strings override).
    pub warnings: Vec<Diagnostic>,
}

impl Theme {
    /// Loads the built-in theme and the site's overrides (`themes/<name>/`).
    pub fn load(theme_dir: &Path, root: &Path) -> Result<Theme, Vec<Diagnostic>> {
        let mut templates: BTreeMap<String, (String, PathBuf)> = BTreeMap::new();
        let mut statics: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut strings_text = vec![(
            DEFAULT_THEME
                .get_file("strings.yaml")
                .and_then(|f| f.contents_utf8())
                .unwrap_or("")
                .to_string(),
            PathBuf::from("themes/default/strings.yaml"),
        )];
        for file in embedded_files(&DEFAULT_THEME) {
            let rel = file.path().to_string_lossy().replace('\\', "/");
            let shown = PathBuf::from("themes/default").join(&rel);
            if let Some(name) = rel.strip_prefix("templates/") {
                let text = String::from_utf8_lossy(file.contents()).into_owned();
                templates.insert(name.to_string(), (text, shown));
            } else if let Some(name) = rel.strip_prefix("static/") {
                statics.insert(name.to_string(), file.contents().to_vec());
            }
        }
        let mut errors = Vec::new();
        if theme_dir.is_dir() {
            overlay(
                theme_dir,
                root,
                &mut templates,
                &mut statics,
                &mut strings_text,
                &mut errors,
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let (strings, warnings) = parse_strings(&strings_text)?;
        let sources = templates
            .iter()
            .map(|(k, (_, p))| (k.clone(), p.clone()))
            .collect();
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        // Escape the five HTML-special characters only: Tera's default also
        // escapes `/`, which bloats every URL without making anything safer.
        tera.set_escape_fn(crate::markdown::escape_attr);
        let raw: Vec<(String, String)> = templates.into_iter().map(|(k, (t, _))| (k, t)).collect();
        if let Err(e) = tera.add_raw_templates(raw) {
            return Err(vec![template_error(&e, &sources)]);
        }
        let (asset_paths, assets) = hash_assets(statics);
        let css_path = asset_paths
            .get("style.css")
            .cloned()
            .unwrap_or_else(|| "style.css".into());
        Ok(Theme {
            tera,
            strings,
            assets,
            css_path,
            asset_paths,
            sources,
            warnings,
        })
    }

    /// True if the theme has a template of that name.
    pub fn has(&self, name: &str) -> bool {
        self.sources.contains_key(name)
    }

    /// Renders `template` with `ctx`; `page` names the document for messages.
    pub fn render(&self, template: &str, ctx: &Context, page: &Path) -> Result<String, Diagnostic> {
        self.tera
            .render(template, ctx)
            .map_err(|e| self.render_error(template, page, &e))
    }

    /// Renders `template` as bytes, for writing: a page is not checked
    /// again as UTF-8 text (Tera writes only text), which a large site feels.
    pub fn render_bytes(
        &self,
        template: &str,
        ctx: &Context,
        page: &Path,
    ) -> Result<Vec<u8>, Diagnostic> {
        let mut out = Vec::with_capacity(16 * 1024);
        self.tera
            .render_to(template, ctx, &mut out)
            .map_err(|e| self.render_error(template, page, &e))?;
        Ok(out)
    }

    fn render_error(&self, template: &str, page: &Path, e: &tera::Error) -> Diagnostic {
        let shown = self
            .sources
            .get(template)
            .cloned()
            .unwrap_or_else(|| PathBuf::from(template));
        Diagnostic::error(
            shown,
            0,
            0,
            format!("lỗi khi dựng trang `{}`: {}", page.display(), chain(e)),
        )
        .hint("kiểm tra biến và bộ lọc dùng trong mẫu; mẫu chỉ dùng được các trường có trong trang")
    }

    /// The UI strings with the site's own overrides (`strings:` in
    /// `site.yaml`).
    pub fn strings_for(&self, config: &crate::config::Config) -> BTreeMap<String, String> {
        let mut strings = self.strings.clone();
        strings.extend(config.strings.clone());
        strings
    }

    /// Warnings for keys of `strings:` in `site.yaml` that the theme does not have.
    pub fn string_warnings(&self, config: &crate::config::Config) -> Vec<Diagnostic> {
        let line = |k: &str| config.strings_lines.get(k).copied().unwrap_or(0);
        unknown_strings(
            &self.strings,
            config.strings.keys(),
            Path::new(crate::config::CONFIG_FILE),
            &line,
        )
    }

    /// The UI strings (`t.*` in templates).
    pub fn strings(&self) -> &BTreeMap<String, String> {
        &self.strings
    }
}

fn embedded_files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut out = Vec::new();
    for entry in dir.entries() {
        match entry {
            include_dir::DirEntry::Dir(d) => out.extend(embedded_files(d)),
            include_dir::DirEntry::File(f) => out.push(f),
        }
    }
    out.sort_by_key(|f| f.path());
    out
}

/// Replaces built-in templates, static files and strings with the site's own.
fn overlay(
    theme_dir: &Path,
    root: &Path,
    templates: &mut BTreeMap<String, (String, PathBuf)>,
    statics: &mut BTreeMap<String, Vec<u8>>,
    strings: &mut Vec<(String, PathBuf)>,
    errors: &mut Vec<Diagnostic>,
) {
    let shown_of = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
    let strings_path = theme_dir.join("strings.yaml");
    if strings_path.is_file() {
        match fsutil::read_text(&strings_path, &shown_of(&strings_path)) {
            Ok(text) => strings.push((text, shown_of(&strings_path))),
            Err(d) => errors.push(d),
        }
    }
    for (sub, is_template) in [("templates", true), ("static", false)] {
        let dir = theme_dir.join(sub);
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name().into_iter() {
            let entry = match entry {
                Ok(e) if e.file_type().is_file() => e,
                Ok(_) => continue,
                Err(e)
                    if e.io_error()
                        .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound)
                        && e.depth() == 0 =>
                {
                    break;
                }
                Err(e) => {
                    let p = e.path().unwrap_or(&dir).to_path_buf();
                    errors.push(Diagnostic::error(
                        shown_of(&p),
                        0,
                        0,
                        format!("không đọc được: {e}"),
                    ));
                    continue;
                }
            };
            let rel = entry
                .path()
                .strip_prefix(&dir)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            let shown = shown_of(entry.path());
            if is_template {
                match fsutil::read_text(entry.path(), &shown) {
                    Ok(text) => {
                        templates.insert(rel, (text, shown));
                    }
                    Err(d) => errors.push(d),
                }
            } else {
                match std::fs::read(entry.path()) {
                    Ok(bytes) => {
                        statics.insert(rel, bytes);
                    }
                    Err(e) => errors.push(Diagnostic::io(&shown, "đọc tệp", &e)),
                }
            }
        }
    }
}

/// UI strings by key.
type Strings = BTreeMap<String, String>;

/// Reads the built-in strings, then each override; a key an override adds
/// that the built-in theme does not have is a warning (a misspelt key would
/// otherwise change nothing, silently).
fn parse_strings(
    sources: &[(String, PathBuf)],
) -> Result<(Strings, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut strings = BTreeMap::new();
    let mut warnings = Vec::new();
    for (n, (text, shown)) in sources.iter().enumerate() {
        let map: BTreeMap<String, String> = serde_yaml::from_str(text)
            .map_err(|e| vec![crate::config::yaml_error(&e, text, shown, 0)])?;
        if n > 0 {
            let line = |k: &str| crate::config::key_line(text, k);
            warnings.extend(unknown_strings(&strings, map.keys(), shown, &line));
        }
        strings.extend(map);
    }
    Ok((strings, warnings))
}

/// Warnings for override keys that `known` does not have.
fn unknown_strings<'k>(
    known: &BTreeMap<String, String>,
    keys: impl Iterator<Item = &'k String>,
    shown: &Path,
    line: &dyn Fn(&str) -> usize,
) -> Vec<Diagnostic> {
    keys.filter(|k| !known.contains_key(*k))
        .map(|k| {
            let near = crate::diag::closest(k, known.keys().map(String::as_str), 3);
            Diagnostic::warning(
                shown,
                line(k),
                1,
                format!("chuỗi giao diện `{k}` không có trong giao diện: sẽ không được dùng"),
            )
            .hint(if near.is_empty() {
                "xem các khoá có trong `themes/default/strings.yaml`".to_string()
            } else {
                crate::diag::did_you_mean(near.iter().map(|n| n.to_string()))
            })
        })
        .collect()
}

/// A file of the output: path relative to the output root, and its bytes.
pub type OutputFile = (String, Vec<u8>);

/// Gives CSS and JS files a content hash in their name (cache busting):
/// `style.css` → `assets/style.1a2b3c4d.css`. Other files keep their name.
fn hash_assets(statics: BTreeMap<String, Vec<u8>>) -> (BTreeMap<String, String>, Vec<OutputFile>) {
    let mut names = BTreeMap::new();
    let mut out = Vec::new();
    for (name, bytes) in statics {
        let hashed = match name.rsplit_once('.') {
            Some((stem, ext @ ("css" | "js"))) => {
                format!("assets/{stem}.{}.{ext}", crate::fsutil::name_hash(&bytes))
            }
            _ => name.clone(),
        };
        names.insert(name, hashed.clone());
        out.push((hashed, bytes));
    }
    (names, out)
}

/// The whole chain of a Tera error, one cause after another.
fn chain(e: &tera::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(c) = cur {
        parts.push(c.to_string());
        cur = c.source();
    }
    parts.join(": ")
}

/// A template parse error, located at the template's file, line and column.
fn template_error(e: &tera::Error, sources: &BTreeMap<String, PathBuf>) -> Diagnostic {
    let text = chain(e);
    let name = text.split(['\'', '"']).nth(1).unwrap_or("");
    let shown = sources
        .get(name)
        .cloned()
        .unwrap_or_else(|| PathBuf::from(name));
    let (line, col) = text
        .split("--> ")
        .nth(1)
        .and_then(|rest| {
            let mut it = rest
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty());
            Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
        })
        .unwrap_or((0, 0));
    let missing_parent = text.contains("doesn't exist") || text.contains("not found");
    let hint = if missing_parent {
        "mẫu này kế thừa (`extends`) hoặc nhúng (`include`/`import`) một mẫu không tồn tại; kiểm tra tên tệp"
    } else {
        "kiểm tra cú pháp Tera: mỗi `{{` cần `}}`, mỗi `{%` cần `%}`, mỗi `{% block %}` cần `{% endblock %}`"
    };
    Diagnostic::error(
        shown,
        line,
        col,
        format!("mẫu giao diện không hợp lệ: {}", squeeze(&text)),
    )
    .hint(hint)
}

/// Collapses Tera's multi-line error drawing into one line.
fn squeeze(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| *w != "|")
        .collect::<Vec<_>>()
        .join(" ")
}

/// Picks the template of a node: `template:` if set, `index.html` for home,
/// `<type>.html` if the theme has it, else `section.html`, `entity.html`
/// for a declared type with fields, or `page.html`.
pub fn template_for(site: &Site, theme: &Theme, i: usize) -> Result<String, Diagnostic> {
    let doc = &site.nodes[i].doc;
    if let Some(t) = &doc.fm.template {
        return if theme.has(t) {
            Ok(t.clone())
        } else {
            Err(Diagnostic::error(
                &doc.shown,
                doc.fm.line_of("template"),
                11,
                format!("không có mẫu giao diện `{t}`"),
            )
            .hint(format!(
                "tạo tệp `themes/{}/templates/{t}` hoặc bỏ trường `template`",
                site.config.theme
            )))
        };
    }
    if i == HOME {
        return Ok("index.html".into());
    }
    if let Some(ty) = &doc.fm.doc_type {
        let name = format!("{ty}.html");
        if theme.has(&name) {
            return Ok(name);
        }
    }
    let declared = site
        .config
        .model
        .of(&doc.fm)
        .is_some_and(|d| !d.fields.is_empty());
    Ok(if doc.is_section {
        "section.html"
    } else if declared && theme.has(ENTITY_TEMPLATE) {
        ENTITY_TEMPLATE
    } else {
        "page.html"
    }
    .into())
}

/// The template of a document of a declared type that has none of its own.
const ENTITY_TEMPLATE: &str = "entity.html";
