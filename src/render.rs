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
    /// The search's synonyms and question words (`search-words.yaml`).
    pub search_words: crate::search::Words,
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
        let words = search_words(theme_dir, root, &mut errors);
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
        let strings = parse_strings(&strings_text)?;
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
            search_words: words,
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

    /// The UI strings (`t.*` in templates).
    pub fn strings(&self) -> &BTreeMap<String, String> {
        &self.strings
    }
}

/// The search's words: the site's `search-words.yaml` if its theme folder
/// has one (it replaces the built-in file), else the built-in one.
fn search_words(
    theme_dir: &Path,
    root: &Path,
    errors: &mut Vec<Diagnostic>,
) -> crate::search::Words {
    let file = crate::search::WORDS_FILE;
    let own = theme_dir.join(file);
    let (text, shown) = if own.is_file() {
        let shown = own.strip_prefix(root).unwrap_or(&own).to_path_buf();
        match fsutil::read_text(&own, &shown) {
            Ok(text) => (text, shown),
            Err(d) => {
                errors.push(d);
                return crate::search::Words::default();
            }
        }
    } else {
        let text = DEFAULT_THEME
            .get_file(file)
            .and_then(|f| f.contents_utf8())
            .unwrap_or("");
        (text.to_string(), Path::new("themes/default").join(file))
    };
    crate::search::Words::parse(&text, &shown).unwrap_or_else(|ds| {
        errors.extend(ds);
        crate::search::Words::default()
    })
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

fn parse_strings(
    sources: &[(String, PathBuf)],
) -> Result<BTreeMap<String, String>, Vec<Diagnostic>> {
    let mut strings = BTreeMap::new();
    for (text, shown) in sources {
        let map: BTreeMap<String, String> = serde_yaml::from_str(text)
            .map_err(|e| vec![crate::config::yaml_error(&e, text, shown, 0)])?;
        strings.extend(map);
    }
    Ok(strings)
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
/// `<type>.html` if the theme has it, else `section.html` or `page.html`.
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
    Ok(if doc.is_section {
        "section.html"
    } else {
        "page.html"
    }
    .into())
}
