//! Templates: load the theme (built into the binary, overridden file by file
//! from the site's `themes/<name>/`), build each page's context and render it
//! with Tera (autoescape on). Errors name the template file and line.
//!
//! Before Tera sees them, the templates are [`check`]ed for what would make
//! rendering recurse without end, and every macro is instrumented so that
//! macro calls nested deeper than [`MAX_MACRO_DEPTH`] stop the render with an
//! error; pages are rendered on threads with a big stack
//! ([`on_render_threads`]); `range` is bounded. No theme can abort the
//! process.

mod arrays;
mod check;

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError, RwLock, RwLockReadGuard};

use include_dir::{Dir, include_dir};
use rayon::prelude::*;
use tera::{Context, Tera};

use crate::diag::Diagnostic;
use crate::fsutil;
use crate::resolve::{HOME, Site};

/// The default theme, compiled into the binary from `themes/default/`.
static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// A theme ready to render: compiled templates, UI strings, static files.
pub struct Theme {
    /// The templates parsed so far (all of them unless loaded with
    /// [`Parse::AsRendered`]).
    tera: RwLock<Tera>,
    /// The templates not parsed yet, instrumented, by name.
    unparsed: Mutex<BTreeMap<String, String>>,
    strings: BTreeMap<String, String>,
    /// Static files (path relative to the output root, bytes).
    pub assets: Vec<OutputFile>,
    /// Hashed href of the main stylesheet.
    pub css_path: String,
    /// Output path of every static file, by its name in the theme
    /// (`style.css` → `assets/style.1a2b3c4d.css`).
    pub asset_paths: BTreeMap<String, String>,
    /// Each template's text and where it came from, for messages.
    sources: BTreeMap<String, check::Source>,
    /// Every macro, by the id its depth guard carries.
    macros: Vec<check::MacroSite>,
    /// Problems that do not stop the build (unknown keys in a strings override).
    pub warnings: Vec<Diagnostic>,
    /// The ids the templates write as they are (`<main id="noi-dung">`):
    /// Markdown headings take other ids, so a page never has one twice.
    pub reserved_ids: BTreeSet<String>,
    /// The search's synonyms and question words (`search-words.yaml`).
    pub search_words: crate::search::Words,
    /// Renders kept from one build to the next ([`Theme::keep_renders`]).
    kept: Option<Kept>,
}

/// For each template and page rendered through [`Theme::render_from`]: a
/// fingerprint of what its context was made of, and the text it gave.
type Kept = Mutex<HashMap<(String, PathBuf), (u64, String)>>;

/// When a theme's templates are parsed.
#[derive(Debug, Clone, Copy)]
pub enum Parse<'a> {
    /// All of them, as the theme is loaded: every error in any template is
    /// reported then.
    AtLoad,
    /// When rendered (see [`Theme::parse`]), if this binary parsed the same
    /// templates without an error before, for a theme with the same
    /// fingerprint, as the file at this path records; else all at load,
    /// and the file records it. A build that copies most pages from its
    /// previous output renders only a few templates (parsing the default
    /// theme's was a fifth of such a build's time), a build from nothing
    /// never parses the templates no page uses; a theme otherwise
    /// changed (a stylesheet, a string) renders every page, and parsing all
    /// at load overlaps with reading the content.
    AsRendered(&'a Path),
}

impl Theme {
    /// Loads the built-in theme and the site's overrides (`themes/<name>/`).
    pub fn load(theme_dir: &Path, root: &Path) -> Result<Theme, Vec<Diagnostic>> {
        Theme::load_parsing(theme_dir, root, Parse::AtLoad)
    }

    /// [`Theme::load`], parsing the templates as `parse` says.
    pub fn load_parsing(
        theme_dir: &Path,
        root: &Path,
        parse: Parse<'_>,
    ) -> Result<Theme, Vec<Diagnostic>> {
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
        let (strings, warnings) = parse_strings(&strings_text)?;
        let mut theme = Theme::assemble(templates, statics, strings, warnings)?;
        theme.search_words = words;
        // What the record says when this binary parsed these templates, for
        // a theme with this fingerprint.
        let parsed_before = match parse {
            Parse::AtLoad => None,
            Parse::AsRendered(record) => parse_key(&theme.sources)
                .map(|key| (record, format!("{key:016x} {:016x}\n", theme.fingerprint()))),
        };
        let lazy = parsed_before.as_ref().is_some_and(|(record, line)| {
            std::fs::read_to_string(record).is_ok_and(|r| r == *line)
        });
        if !lazy {
            theme.parse_all()?;
            if let Some((record, line)) = parsed_before {
                fsutil::write_cache(record, |out| out.write_all(line.as_bytes()));
            }
        }
        Ok(theme)
    }

    /// A theme made of `templates` (name, text) only, with the built-in
    /// strings and no static files: for tests and fuzzing of templates.
    pub fn from_templates(templates: Vec<(String, String)>) -> Result<Theme, Vec<Diagnostic>> {
        let strings = DEFAULT_THEME
            .get_file("strings.yaml")
            .and_then(|f| f.contents_utf8())
            .unwrap_or("");
        let (strings, warnings) =
            parse_strings(&[(strings.to_string(), PathBuf::from("strings.yaml"))])?;
        let templates = templates
            .into_iter()
            .map(|(name, text)| {
                let shown = PathBuf::from("templates").join(&name);
                (name, (text, shown))
            })
            .collect();
        let theme = Theme::assemble(templates, BTreeMap::new(), strings, warnings)?;
        theme.parse_all()?;
        Ok(theme)
    }

    /// Checks the templates (they are parsed by [`Theme::parse_all`] or as
    /// rendered), hashes the static files.
    fn assemble(
        templates: BTreeMap<String, check::Source>,
        statics: BTreeMap<String, Vec<u8>>,
        strings: Strings,
        warnings: Vec<Diagnostic>,
    ) -> Result<Theme, Vec<Diagnostic>> {
        let problems = check::check(&templates);
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        // Escape the five HTML-special characters only: Tera's default also
        // escapes `/`, which bloats every URL without making anything safer.
        tera.set_escape_fn(crate::markdown::escape_attr);
        tera.register_filter("nobreak", nobreak_filter);
        tera.register_filter("numbers", numbers_filter);
        tera.register_filter("wrap", wrap_filter);
        tera.register_filter("mark_current", mark_current_filter);
        tera.register_tester("matching", matching_test);
        bound_range(&mut tera);
        arrays::register(&mut tera);
        guard_macro_depth(&mut tera);
        let mut macros = Vec::new();
        let instrumented: BTreeMap<String, String> = templates
            .iter()
            .map(|(k, (t, p))| (k.clone(), check::instrument(t, p, GUARD, &mut macros)))
            .collect();
        let (asset_paths, assets) = hash_assets(statics);
        let css_path = asset_paths
            .get("style.css")
            .cloned()
            .unwrap_or_else(|| "style.css".into());
        Ok(Theme {
            tera: RwLock::new(tera),
            unparsed: Mutex::new(instrumented),
            strings,
            assets,
            css_path,
            asset_paths,
            reserved_ids: literal_ids(templates.values().map(|(t, _)| t.as_str())),
            sources: templates,
            macros,
            warnings,
            search_words: crate::search::Words::default(),
            kept: None,
        })
    }

    /// A fingerprint of everything the theme renders with: its templates,
    /// strings, static files and search words. Two themes with the same
    /// fingerprint render the same pages (a one-off build compares it with
    /// the build that made the output it replaces).
    pub fn fingerprint(&self) -> u64 {
        fsutil::fingerprint(&(
            &self.sources,
            &self.strings,
            &self.assets,
            &self.search_words.synonyms,
            &self.search_words.weak,
        ))
    }

    /// Keeps what [`Theme::render_from`] renders, for the next build with
    /// this theme (`nqsite serve`, which loads the theme again when any
    /// of it changes).
    pub fn keep_renders(&mut self) {
        self.kept = Some(Mutex::default());
    }

    /// Renders `template` for `page` with the context `ctx` makes. `inputs`
    /// gives a fingerprint of everything that context is made of: when
    /// renders are kept and the last render of `template` for `page` had the
    /// same inputs, its text is given again without rendering. (What a
    /// theme's functions and filters read beside their arguments does not
    /// change while nqsite runs.) Without kept renders, `inputs` is not called.
    pub fn render_from(
        &self,
        template: &str,
        page: &Path,
        inputs: impl FnOnce() -> u64,
        ctx: impl FnOnce() -> Result<Context, Diagnostic>,
    ) -> Result<String, Diagnostic> {
        let Some(kept) = &self.kept else {
            return self.render(template, &ctx()?, page);
        };
        let inputs = inputs();
        let key = (template.to_string(), page.to_path_buf());
        let lock = || kept.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((print, text)) = lock().get(&key)
            && *print == inputs
        {
            return Ok(text.clone());
        }
        let text = self.render(template, &ctx()?, page)?;
        lock().insert(key, (inputs, text.clone()));
        Ok(text)
    }

    /// True if the theme has a template of that name.
    pub fn has(&self, name: &str) -> bool {
        self.sources.contains_key(name)
    }

    /// Renders `template` with `ctx`; `page` names the document for messages.
    pub fn render(&self, template: &str, ctx: &Context, page: &Path) -> Result<String, Diagnostic> {
        MACRO_DEPTH.with(|d| d.set(0));
        self.parsed(template)?
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
        // Room for a page as large as the last one this thread made: pages
        // of a site are alike, and growing the buffer page after page
        // copied each one twice (2% of a 1,000-page build).
        let room = LAST_PAGE.with(Cell::get).max(16 * 1024);
        let mut out = Vec::with_capacity(room + room / 8);
        MACRO_DEPTH.with(|d| d.set(0));
        self.parsed(template)?
            .render_to(template, ctx, &mut out)
            .map_err(|e| self.render_error(template, page, &e))?;
        LAST_PAGE.with(|last| last.set(out.len()));
        Ok(out)
    }

    /// The templates, `template` among them when the theme has it: parsed
    /// now, with what it extends, includes and imports, if it was not yet.
    fn parsed(&self, template: &str) -> Result<RwLockReadGuard<'_, Tera>, Diagnostic> {
        let read = || self.tera.read().unwrap_or_else(PoisonError::into_inner);
        if !read().templates.contains_key(template) {
            self.parse([template])?;
        }
        Ok(read())
    }

    /// Parses every template not parsed yet; an error is reported on the
    /// template as written, not as instrumented.
    fn parse_all(&self) -> Result<(), Vec<Diagnostic>> {
        let names: Vec<String> = self
            .unparsed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .cloned()
            .collect();
        self.parse(names.iter().map(String::as_str))
            .map_err(|parsed| {
                let raw = self
                    .sources
                    .iter()
                    .map(|(k, (t, _))| (k.as_str(), t.as_str()));
                match Tera::default().add_raw_templates(raw) {
                    Err(e) => vec![template_error(&e, &self.shown())],
                    Ok(()) => vec![parsed],
                }
            })
    }

    /// True when some templates are not parsed yet ([`Parse::AsRendered`]).
    pub fn parses_as_rendered(&self) -> bool {
        !self
            .unparsed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }

    /// Parses the templates a build renders besides pages (search and 404
    /// pages, redirects, cards, the page lists and menus rendered once, the
    /// site parts), with what they need. The theme's other templates are
    /// parsed as pages need them, or never: a theme is parsed as rendered
    /// only when this binary parsed all of it without an error before
    /// ([`Parse`]).
    pub fn parse_besides(&self) -> Result<(), Diagnostic> {
        let besides = BESIDES_PAGES.into_iter().filter(|n| self.has(n));
        self.parse(besides.chain(self.site_parts().map(|(_, t)| t)))
    }

    /// The theme's site parts: the templates in `partials/site/`, each
    /// rendered once per build with the shared context (`site`, `t`,
    /// `assets`) and given to every template as `parts.<name>` (the file
    /// name without `.html`), e.g. the header and the footer.
    pub fn site_parts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.sources.keys().filter_map(|name| {
            let key = name.strip_prefix(SITE_PARTS)?.strip_suffix(".html")?;
            (!key.contains('/')).then_some((key, name.as_str()))
        })
    }

    /// `templates` (those the theme has) and every template they extend,
    /// include or import, directly or not.
    fn closure<'n>(&self, templates: impl IntoIterator<Item = &'n str>) -> BTreeSet<String> {
        let mut reached = BTreeSet::new();
        let mut queue: Vec<String> = templates.into_iter().map(str::to_string).collect();
        while let Some(name) = queue.pop() {
            if let Some((text, _)) = self.sources.get(&name)
                && reached.insert(name)
            {
                queue.extend(check::references(text));
            }
        }
        reached
    }

    /// Parses `templates` and what they extend, include and import, the
    /// ones not parsed yet, together and in parallel: rendered one by one
    /// by parallel renders, they would be parsed one at a time while the
    /// other renders wait.
    pub fn parse<'n>(
        &self,
        templates: impl IntoIterator<Item = &'n str>,
    ) -> Result<(), Diagnostic> {
        let mut unparsed = self.unparsed.lock().unwrap_or_else(PoisonError::into_inner);
        if unparsed.is_empty() {
            return Ok(());
        }
        let texts: Vec<(String, String)> = self
            .closure(templates)
            .into_iter()
            .filter_map(|name| unparsed.remove_entry(&name))
            .collect();
        if texts.is_empty() {
            return Ok(());
        }
        let mut tera = self.tera.write().unwrap_or_else(PoisonError::into_inner);
        if let Err(e) = add_templates(&mut tera, texts.iter().map(|(k, t)| (k, t))) {
            unparsed.extend(texts);
            return Err(template_error(&e, &self.shown()));
        }
        Ok(())
    }

    /// Where each template comes from, as shown in messages.
    fn shown(&self) -> BTreeMap<String, PathBuf> {
        let shown = self
            .sources
            .iter()
            .map(|(k, (_, p))| (k.clone(), p.clone()));
        shown.collect()
    }

    /// A render error in Vietnamese, at the template (and line, when the
    /// culprit can be found in its text), with Tera's English detail after.
    fn render_error(&self, template: &str, page: &Path, e: &tera::Error) -> Diagnostic {
        let detail = squeeze(&chain(e));
        if let Some(d) = self.macro_depth_error(&detail, page) {
            return d;
        }
        // Tera names the template the error happened in when it is a parent.
        let at = between(&detail, "error happened in '", "'").unwrap_or(template);
        let page = page.display();
        let (what, culprit, hint) = if let Some(var) = between(&detail, "Variable `", "` not found")
        {
            (
                format!("biến `{var}` không tồn tại trong mẫu `{at}` khi dựng trang `{page}`"),
                Some(var),
                "kiểm tra tên biến (chữ hoa, chữ thường, dấu chấm); với trường có thể thiếu, \
                 dùng `{% if x is defined %}` hoặc bộ lọc `default`",
            )
        } else if let Some(name) = between(&detail, "Function '", "' not found") {
            (
                format!("hàm `{name}` không tồn tại (mẫu `{at}`, trang `{page}`)"),
                Some(name),
                "kiểm tra tên hàm; xem các hàm có sẵn trong tài liệu Tera",
            )
        } else if let Some(name) = between(&detail, "Template '", "' not found")
            .map(|n| n.trim_matches(|c| matches!(c, '[' | ']' | '"' | '\'')))
        {
            (
                format!("không có mẫu `{name}` (được gọi từ mẫu `{at}`, trang `{page}`)"),
                Some(name),
                "tạo mẫu đó trong `templates/` của giao diện, hoặc sửa tên trong `include`",
            )
        } else {
            (
                format!("lỗi khi dựng trang `{page}` bằng mẫu `{at}`"),
                None,
                "kiểm tra biến và bộ lọc dùng trong mẫu; mẫu chỉ dùng được các trường có trong trang",
            )
        };
        let (shown, line, column) = self.locate(at, culprit);
        Diagnostic::error(shown, line, column, format!("{what} (Tera: {detail})")).hint(hint)
    }

    /// The error of a macro stopped by its depth guard, at the macro.
    fn macro_depth_error(&self, detail: &str, page: &Path) -> Option<Diagnostic> {
        let id: usize = between(detail, DEPTH_MARK, "|")?.parse().ok()?;
        let m = self.macros.get(id)?;
        Some(
            Diagnostic::error(
                &m.shown,
                m.line,
                0,
                format!(
                    "macro `{}` được gọi lồng nhau quá {MAX_MACRO_DEPTH} tầng khi dựng trang `{}`: \
                     có lẽ nó tự gọi lại chính nó mà không có điểm dừng",
                    m.name,
                    page.display()
                ),
            )
            .hint(
                "một macro gọi lại chính nó phải dừng được: chỉ gọi lại trong một `{% if %}` \
                 và với phần dữ liệu nhỏ hơn (ví dụ các nhóm con `g.groups`), không với cùng giá trị",
            ),
        )
    }

    /// Where `culprit` first appears in template `at` or in the templates it
    /// includes, extends or imports (nearest first); the template alone when
    /// it cannot be found.
    fn locate(&self, at: &str, culprit: Option<&str>) -> (PathBuf, usize, usize) {
        let shown = |name: &str| {
            self.sources
                .get(name)
                .map_or_else(|| PathBuf::from(name), |(_, p)| p.clone())
        };
        let Some(culprit) = culprit else {
            return (shown(at), 0, 0);
        };
        let mut queue = std::collections::VecDeque::from([at.to_string()]);
        let mut seen = BTreeSet::new();
        while let Some(name) = queue.pop_front() {
            let Some((text, path)) = self.sources.get(&name) else {
                continue;
            };
            if !seen.insert(name.clone()) {
                continue;
            }
            if let Some((line, col)) = check::find_word(text, culprit) {
                return (path.clone(), line, col);
            }
            queue.extend(check::references(text));
        }
        (shown(at), 0, 0)
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
        match fsutil::read_text(root, &own, &shown) {
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

/// The text of a template value (numbers as written, null as nothing).
fn value_text(v: &tera::Value) -> String {
    match v {
        tera::Value::String(s) => s.clone(),
        tera::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Every `id="…"` of the templates whose value is written as it is (no
/// `{{ }}` in it).
fn literal_ids<'a>(templates: impl Iterator<Item = &'a str>) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for text in templates {
        for (at, _) in text.match_indices("id=") {
            let before = text[..at].chars().next_back();
            if !before.is_some_and(char::is_whitespace) {
                continue;
            }
            let rest = &text[at + 3..];
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            if let Some((value, _)) = rest[1..].split_once(quote)
                && !value.is_empty()
                && !value.contains(['{', '}'])
            {
                ids.insert(value.to_string());
            }
        }
    }
    ids
}

/// `{{ title | nobreak | safe }}`: the text escaped, with its document
/// numbers (`57-NQ/TW`) kept on one line.
fn nobreak_filter(
    v: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let escaped = crate::markdown::escape_attr(&value_text(v));
    Ok(tera::Value::String(
        crate::text::nobreak_doc_numbers(&escaped).into_owned(),
    ))
}

/// `{{ figure | numbers }}`: the numbers a figure writes (`"16-18%"` →
/// `[16, 18]`), for charts.
fn numbers_filter(
    v: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    Ok(serde_json::json!(crate::text::numbers(&value_text(v))))
}

/// `{{ label | wrap(width=14) }}`: the label's lines, at most `width`
/// characters each ([`crate::text::wrap`]), for SVG text.
fn wrap_filter(
    v: &tera::Value,
    args: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let width = args
        .get("width")
        .and_then(tera::Value::as_f64)
        .ok_or_else(|| tera::Error::msg("Filter `wrap` needs a number `width`"))?;
    Ok(serde_json::json!(crate::text::wrap(&value_text(v), width)))
}

/// `{{ page.menu | mark_current(href=page.href) | safe }}`: the HTML with
/// each link to `href` marked as the page being read
/// (`aria-current="page"`): what lets one rendering of a list of links (the
/// menu, a section's page list) serve every page it lists.
fn mark_current_filter(
    v: &tera::Value,
    args: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let html = v.as_str().ok_or_else(|| {
        tera::Error::msg("Filter `mark_current` was used on a value that is not a string")
    })?;
    let href = args
        .get("href")
        .and_then(tera::Value::as_str)
        .ok_or_else(|| tera::Error::msg("Filter `mark_current` needs a string `href`"))?;
    Ok(tera::Value::String(mark_current(html, href)))
}

/// `html` with ` aria-current="page"` after each `href="…"` attribute whose
/// value is `href` (as templates escape it); nothing is marked for an empty
/// `href` (a page with no address of its own).
fn mark_current(html: &str, href: &str) -> String {
    const MARK: &str = r#" aria-current="page""#;
    if href.is_empty() {
        return html.to_string();
    }
    let attr = format!("href=\"{}\"", crate::markdown::escape_attr(href));
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() + MARK.len());
    let mut from = 0;
    for at in memchr::memmem::find_iter(bytes, attr.as_bytes()) {
        // An attribute of its own, not the end of `data-href`.
        if at == 0 || !bytes[at - 1].is_ascii_whitespace() {
            continue;
        }
        let end = at + attr.len();
        out.push_str(&html[from..end]);
        out.push_str(MARK);
        from = end;
    }
    out.push_str(&html[from..]);
    out
}

/// Patterns `matching` keeps compiled, per render thread; past this many
/// (a theme building patterns from page data) the store starts over.
const MATCHING_CACHE: usize = 64;

thread_local! {
    static PATTERNS: std::cell::RefCell<std::collections::HashMap<String, regex::Regex>> =
        std::cell::RefCell::default();
}

/// `{% if x is matching("[0-9]") %}`: Tera's own test, answers and
/// messages alike, except that each pattern is compiled once per thread
/// rather than at every call (4% of the shipped site's build went to
/// compiling the charts' patterns again for every figure).
fn matching_test(value: Option<&tera::Value>, params: &[tera::Value]) -> tera::Result<bool> {
    if params.len() > 1 {
        return Err(tera::Error::msg(format!(
            "Tester `matching` was called with {} args, the max number is 1",
            params.len()
        )));
    }
    let Some(value) = value else {
        return Err(tera::Error::msg(
            "Tester `matching` was called on an undefined variable",
        ));
    };
    let not_string = |part: &str| {
        tera::Error::msg(format!(
            "Tester `matching` was called {part} that isn't a string"
        ))
    };
    let text = value.as_str().ok_or_else(|| not_string("on a variable"))?;
    let pattern = params
        .first()
        .and_then(tera::Value::as_str)
        .ok_or_else(|| not_string("with a parameter"))?;
    PATTERNS.with(|cell| {
        let mut patterns = cell.borrow_mut();
        if !patterns.contains_key(pattern) {
            let re = regex::Regex::new(pattern).map_err(|e| {
                tera::Error::msg(format!(
                    "Tester `matching`: Invalid regular expression: {e}"
                ))
            })?;
            if patterns.len() >= MATCHING_CACHE {
                patterns.clear();
            }
            patterns.insert(pattern.to_string(), re);
        }
        Ok(patterns[pattern].is_match(text))
    })
}

/// What tells the templates `templates` parsed by this binary from any
/// others (`None` when the binary cannot be told apart).
fn parse_key(templates: &BTreeMap<String, check::Source>) -> Option<u64> {
    let texts: Vec<(&String, &String)> = templates.iter().map(|(k, (t, _))| (k, t)).collect();
    Some(fsutil::fingerprint(&(fsutil::exe_stamp()?, texts)))
}

/// Tera's `add_raw_templates`, the templates parsed in parallel (parsing
/// was a tenth of the shipped site's build, on one thread), the longest
/// first so that no long parse is left for the end. Tera keeps its parsed
/// templates in a public field for this; its own checks follow.
fn add_templates<'t>(
    tera: &mut Tera,
    templates: impl IntoIterator<Item = (&'t String, &'t String)>,
) -> tera::Result<()> {
    let mut longest_first: Vec<(&String, &String)> = templates.into_iter().collect();
    longest_first.sort_by_key(|(_, text)| std::cmp::Reverse(text.len()));
    let parsed = longest_first
        .into_par_iter()
        .with_max_len(1)
        .map(|(name, text)| {
            tera::Template::new(name, None, text)
                .map_err(|e| tera::Error::chain(format!("Failed to parse '{name}'"), e))
        })
        .collect::<tera::Result<Vec<_>>>()?;
    for t in parsed {
        tera.templates.insert(t.name.clone(), t);
    }
    tera.build_inheritance_chains()?;
    tera.check_macro_files()
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
        match fsutil::read_text(root, &strings_path, &shown_of(&strings_path)) {
            Ok(text) => strings.push((text, shown_of(&strings_path))),
            Err(d) => errors.push(d),
        }
    }
    for (sub, is_template) in [("templates", true), ("static", false)] {
        let dir = theme_dir.join(sub);
        let walker = walkdir::WalkDir::new(&dir)
            .follow_links(true)
            .sort_by_file_name();
        for entry in walker {
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
                match fsutil::read_text(root, entry.path(), &shown) {
                    Ok(text) => {
                        templates.insert(rel, (text, shown));
                    }
                    Err(d) => errors.push(d),
                }
            } else {
                match fsutil::read_bytes(root, entry.path(), &shown) {
                    Ok(bytes) => {
                        statics.insert(rel, bytes);
                    }
                    Err(d) => errors.push(d),
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

/// The text between `start` and the next `end` in `s`.
fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end)?;
    Some(&s[from..from + len])
}

/// How deep macro calls may be nested: a macro walking nested groups goes
/// a few levels; one calling itself without end is stopped here.
pub(crate) const MAX_MACRO_DEPTH: usize = 64;

/// Stack of the threads that render templates: [`MAX_MACRO_DEPTH`] macro
/// calls, each nesting blocks and brackets [`check::MAX_NESTING`] deep, fit
/// in 4 MiB (measured; a unit test renders that case); four times that.
/// Reserved, not used: memory is taken only as deep as rendering goes.
pub const RENDER_STACK: usize = 16 << 20;

/// The names of the depth guard's Tera functions, called at the start and
/// end of every macro body ([`check::instrument`]).
const GUARD: (&str, &str) = ("__nqsite_enter", "__nqsite_leave");

/// The start of the guard's error message, followed by the macro's id and `|`.
const DEPTH_MARK: &str = "nqsite: macro nesting too deep, macro #";

thread_local! {
    /// How deep macro calls are nested in the render running on this thread.
    static MACRO_DEPTH: Cell<usize> = const { Cell::new(0) };
    /// The size of the last page [`Theme::render_bytes`] made on this thread.
    static LAST_PAGE: Cell<usize> = const { Cell::new(0) };
}

/// Registers the depth guard's functions: `enter(id)` fails past
/// [`MAX_MACRO_DEPTH`], `leave()` steps back out. Both print nothing.
fn guard_macro_depth(tera: &mut Tera) {
    let empty = || tera::Value::String(String::new());
    tera.register_function(
        GUARD.0,
        move |args: &std::collections::HashMap<String, tera::Value>| {
            let depth = MACRO_DEPTH.with(|d| {
                d.set(d.get() + 1);
                d.get()
            });
            if depth > MAX_MACRO_DEPTH {
                let id = args.get("id").and_then(tera::Value::as_u64).unwrap_or(0);
                return Err(tera::Error::msg(format!("{DEPTH_MARK}{id}|")));
            }
            Ok(empty())
        },
    );
    tera.register_function(
        GUARD.1,
        move |_: &std::collections::HashMap<String, tera::Value>| {
            MACRO_DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
            Ok(empty())
        },
    );
}

/// Runs `f` (which renders pages, in parallel or not) on rayon threads with
/// a [`RENDER_STACK`] stack; on the calling thread if they cannot be made.
pub(crate) fn on_render_threads<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    crate::on_pool(&POOL, "nqsite-render", f, |b| b.stack_size(RENDER_STACK))
}

/// Most numbers Tera's `range` may produce: a theme asking for more fails
/// with an error instead of exhausting memory.
const MAX_RANGE: i64 = 1_000_000;

/// Replaces Tera's `range` by one that refuses more than [`MAX_RANGE`] numbers.
fn bound_range(tera: &mut Tera) {
    let Some(inner) = tera.functions.get("range").cloned() else {
        return;
    };
    tera.register_function(
        "range",
        move |args: &std::collections::HashMap<String, tera::Value>| {
            let arg = |k: &str, d: f64| args.get(k).and_then(tera::Value::as_f64).unwrap_or(d);
            let (start, end, step) = (arg("start", 0.0), arg("end", 0.0), arg("step_by", 1.0));
            let count = if step > 0.0 {
                (end - start) / step
            } else {
                0.0
            };
            if count > MAX_RANGE as f64 {
                return Err(tera::Error::msg(format!(
                    "range() would produce {count:.0} numbers; at most {MAX_RANGE} are allowed"
                )));
            }
            inner.call(args)
        },
    );
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

/// The search page (`tim-kiem/`).
pub(crate) const SEARCH_TEMPLATE: &str = "search.html";
/// The page for addresses that do not exist.
pub(crate) const NOT_FOUND_TEMPLATE: &str = "404.html";
/// The redirect from an old address (`aliases:`).
pub(crate) const ALIAS_TEMPLATE: &str = "alias.html";
/// The embeddable card of a document (`embed: true`).
pub(crate) const EMBED_TEMPLATE: &str = "embed.html";
/// A section's page list, rendered once per section.
pub(crate) const LISTING_TEMPLATE: &str = "partials/section_pages.html";
/// The site menu, rendered once per place.
pub(crate) const MENU_TEMPLATE: &str = "partials/menu.html";

/// The folder of the site parts ([`Theme::site_parts`]).
const SITE_PARTS: &str = "partials/site/";

/// Every template a build renders besides the pages' own (and the site
/// parts).
const BESIDES_PAGES: [&str; 6] = [
    SEARCH_TEMPLATE,
    NOT_FOUND_TEMPLATE,
    ALIAS_TEMPLATE,
    EMBED_TEMPLATE,
    LISTING_TEMPLATE,
    MENU_TEMPLATE,
];

#[cfg(test)]
mod tests {
    #[test]
    fn mark_current_marks_each_link_to_the_page_and_only_those() {
        let html =
            r#"<a href="/a/">A</a> <a href="/a/b/">B</a><a data-href="/a/" href="/a/">A</a>"#;
        assert_eq!(
            super::mark_current(html, "/a/"),
            r#"<a href="/a/" aria-current="page">A</a> <a href="/a/b/">B</a><a data-href="/a/" href="/a/" aria-current="page">A</a>"#
        );
        assert_eq!(super::mark_current(html, "/c/"), html);
        assert_eq!(super::mark_current(html, ""), html);
        // The href as templates write it: escaped.
        let q = r#"<a href="/t?a=1&amp;b=2">T</a>"#;
        assert_eq!(
            super::mark_current(q, "/t?a=1&b=2"),
            r#"<a href="/t?a=1&amp;b=2" aria-current="page">T</a>"#
        );
    }

    use super::*;

    #[test]
    fn the_ids_templates_write_as_they_are_are_reserved() {
        let ids = literal_ids(
            [
                r#"<main id="noi-dung"><h2 id='muc-luc'>x</h2><div data-id="x" id="{{ a }}-t">"#,
                r#"<p id="muc-{{ loop.index }}"> <a id="">"#,
            ]
            .into_iter(),
        );
        assert_eq!(ids, ["muc-luc".to_string(), "noi-dung".to_string()].into());
        let shipped = Theme::load(Path::new("/nonexistent"), Path::new("/nonexistent")).unwrap();
        assert!(shipped.reserved_ids.contains("noi-dung"));
    }

    #[test]
    fn kept_renders_are_given_again_only_for_the_same_inputs() {
        let mut theme = Theme::from_templates(vec![("p.html".into(), "{{ n }}".into())]).unwrap();
        let page = Path::new("content/a.md");
        let ctx = |n: u32| {
            move || {
                let mut c = Context::new();
                c.insert("n", &n);
                Ok(c)
            }
        };
        let render = |theme: &Theme, inputs: u64, n: u32| {
            theme
                .render_from("p.html", page, || inputs, ctx(n))
                .unwrap()
        };
        // Not kept: the inputs are never asked for, every call renders.
        let unasked = |t: &Theme, n| {
            t.render_from("p.html", page, || unreachable!(), ctx(n))
                .unwrap()
        };
        assert_eq!(unasked(&theme, 1), "1");
        assert_eq!(unasked(&theme, 2), "2");
        theme.keep_renders();
        assert_eq!(render(&theme, 7, 1), "1");
        // Same inputs: the kept text, the context is not rendered.
        assert_eq!(render(&theme, 7, 2), "1");
        // Other inputs, or another page: rendered again.
        assert_eq!(render(&theme, 8, 2), "2");
        let other = theme
            .render_from("p.html", Path::new("content/b.md"), || 8, ctx(3))
            .unwrap();
        assert_eq!(other, "3");
        assert_eq!(render(&theme, 8, 4), "2");
    }

    /// Renders `text` as `page.html` on a thread with the stack of a rayon
    /// worker (2 MiB), as builds do.
    fn render_small_stack(text: String) -> Result<String, Vec<Diagnostic>> {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let theme = Theme::from_templates(vec![("page.html".into(), text)])?;
                theme
                    .render("page.html", &Context::new(), Path::new("content/a.md"))
                    .map_err(|d| vec![d])
            })
            .unwrap()
            .join()
            .unwrap()
    }

    #[test]
    fn the_deepest_nesting_allowed_renders_on_a_worker_stack() {
        let n = check::MAX_NESTING;
        let blocks = format!("{}x{}", "{% if true %}".repeat(n), "{% endif %}".repeat(n));
        assert_eq!(render_small_stack(blocks).unwrap(), "x");
        let parens = format!("{{{{ {}1{} }}}}", "(".repeat(n), ")".repeat(n));
        assert_eq!(render_small_stack(parens).unwrap(), "1");
    }

    #[test]
    fn missing_variables_are_reported_in_vietnamese_at_their_line() {
        let theme = Theme::from_templates(vec![
            ("page.html".into(), "a\n{% include \"p.html\" %}".into()),
            ("p.html".into(), "\n\n  {{ page.nope }}".into()),
        ])
        .unwrap();
        let e = theme
            .render("page.html", &Context::new(), Path::new("content/a.md"))
            .unwrap_err();
        assert_eq!(
            (e.path.to_str(), e.line, e.column),
            (Some("templates/p.html"), 3, 6)
        );
        assert!(
            e.message.starts_with("biến `page.nope` không tồn tại"),
            "{}",
            e.message
        );
        assert!(
            e.message.contains("Variable `page.nope` not found"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_macro_without_end_is_stopped_and_one_walking_groups_renders() {
        let text = "{% import \"m.html\" as m %}{{ m::f(n=1) }}".to_string();
        let macros = "\n{% macro f(n) %}{{ n }}{{ self::f(n=n) }}{% endmacro f %}\n\
                      {% macro g(groups) -%}\n  {% for x in groups %}[{{ x.t }}{{ self::g(groups=x.groups) }}]{% endfor %}\n{%- endmacro g %}";
        let theme = Theme::from_templates(vec![
            ("page.html".into(), text),
            ("m.html".into(), macros.into()),
            (
                "g.html".into(),
                "{% import \"m.html\" as m %}{{ m::g(groups=gs) }}".into(),
            ),
        ])
        .unwrap();
        let e = on_render_threads(|| {
            theme.render("page.html", &Context::new(), Path::new("content/a.md"))
        })
        .unwrap_err();
        assert_eq!((e.path.to_str(), e.line), (Some("templates/m.html"), 2));
        assert!(
            e.message
                .starts_with("macro `f` được gọi lồng nhau quá 64 tầng"),
            "{}",
            e.message
        );
        let mut ctx = Context::new();
        let gs = serde_json::json!([{"t": "a", "groups": [{"t": "b", "groups": []}]}, {"t": "c", "groups": []}]);
        ctx.insert("gs", &gs);
        let out = theme
            .render("g.html", &ctx, Path::new("content/a.md"))
            .unwrap();
        assert_eq!(out, "[a[b]][c]");
    }

    #[test]
    fn the_deepest_macro_nesting_allowed_fits_the_render_stack() {
        // Each level as deep as a template may nest: the macro, blocks, and
        // brackets in the call (the brackets of `f(` counted).
        let blocks = check::MAX_NESTING / 2 - 1;
        let brackets = check::MAX_NESTING / 2 - 1;
        let body = format!(
            "{}{{{{ self::f(n={}n{}) }}}}{}",
            "{% if true %}".repeat(blocks),
            "(".repeat(brackets),
            ")".repeat(brackets),
            "{% endif %}".repeat(blocks)
        );
        let macros = format!("{{% macro f(n) %}}{body}{{% endmacro f %}}");
        let theme = Theme::from_templates(vec![
            (
                "page.html".into(),
                "{% import \"m.html\" as m %}{{ m::f(n=1) }}".into(),
            ),
            ("m.html".into(), macros),
        ])
        .unwrap();
        let e = on_render_threads(|| {
            theme.render("page.html", &Context::new(), Path::new("content/a.md"))
        })
        .unwrap_err();
        assert!(e.message.contains("quá 64 tầng"), "{}", e.message);
    }

    #[test]
    fn matching_answers_as_teras_own_test_does() {
        let cases = [
            r#""a1" is matching("[0-9]")"#,
            r#""ab" is matching("[0-9]")"#,
            r#""TOP 5" is matching("(?i)^\s*top\s*[0-9]")"#,
            r#"1 is matching("[0-9]")"#,
            r#""a" is matching(1)"#,
            r#""a" is matching("(")"#,
            r#""a" is matching("a", "b")"#,
            r#"nope is matching("a")"#,
        ];
        // Twice: the second time from the compiled patterns.
        for case in cases.iter().chain(&cases) {
            let text = format!("{{% if {case} %}}y{{% else %}}n{{% endif %}}");
            let answer = |tera: &mut Tera| {
                tera.render_str(&text, &tera::Context::new())
                    .map_err(|e| chain(&e))
            };
            let mut ours = Tera::default();
            ours.register_tester("matching", matching_test);
            assert_eq!(answer(&mut ours), answer(&mut Tera::default()), "{case}");
        }
    }

    #[test]
    fn range_is_bounded() {
        let e =
            render_small_stack("{% for i in range(end=1e15) %}{% endfor %}".into()).unwrap_err();
        assert!(e[0].message.contains("range"), "{}", e[0].message);
        assert_eq!(
            render_small_stack("{{ range(end=3) | length }}".into()).unwrap(),
            "3"
        );
    }
}

#[cfg(test)]
mod parse_tests {
    use super::*;

    /// A site root with a theme overriding `templates` (name, text).
    fn site(templates: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("themes/default/templates");
        for (name, text) in templates {
            std::fs::create_dir_all(t.join(name).parent().unwrap()).unwrap();
            std::fs::write(t.join(name), text).unwrap();
        }
        dir
    }

    fn load(root: &Path, record: &Path) -> Result<Theme, Vec<Diagnostic>> {
        Theme::load_parsing(
            &root.join("themes/default"),
            root,
            Parse::AsRendered(record),
        )
    }

    fn parsed(theme: &Theme, name: &str) -> bool {
        theme.tera.read().unwrap().templates.contains_key(name)
    }

    #[test]
    fn templates_this_binary_parsed_before_are_parsed_as_rendered() {
        let root = site(&[
            (
                "a.html",
                "{% extends \"b.html\" %}{% block x %}A{{ m::f() }}{% endblock x %}",
            ),
            (
                "b.html",
                "{% import \"m.html\" as m %}<{% block x %}{% endblock x %}>",
            ),
            ("m.html", "{% macro f() %}f{% endmacro f %}"),
            ("unused.html", "{{ n }}"),
            ("404.html", "{% import \"m.html\" as m %}{{ m::f() }}"),
        ]);
        let record = root.path().join("cache/theme-parsed");
        let first = load(root.path(), &record).unwrap();
        assert!(parsed(&first, "unused.html"), "at load, the first time");
        assert!(record.is_file());
        let theme = load(root.path(), &record).unwrap();
        assert!(!parsed(&theme, "a.html") && !parsed(&theme, "unused.html"));
        theme.parse_besides().unwrap();
        assert!(parsed(&theme, "404.html") && parsed(&theme, "m.html"));
        assert!(!parsed(&theme, "a.html") && !parsed(&theme, "b.html"));
        assert!(!parsed(&theme, "unused.html"), "nothing renders with it");
        let page = Path::new("content/a.md");
        let html = theme.render("a.html", &Context::new(), page).unwrap();
        assert_eq!(html, first.render("a.html", &Context::new(), page).unwrap());
        assert_eq!(html, "<Af>");
        for name in ["a.html", "b.html", "m.html"] {
            assert!(parsed(&theme, name), "{name}: with what a.html needs");
        }
        // Another stylesheet: every page renders, all are parsed at load.
        let css = root.path().join("themes/default/static/x.css");
        std::fs::create_dir_all(css.parent().unwrap()).unwrap();
        std::fs::write(&css, "p {}").unwrap();
        assert!(parsed(&load(root.path(), &record).unwrap(), "unused.html"));
        assert!(!parsed(&load(root.path(), &record).unwrap(), "unused.html"));
        // Another template: all at load again, and an error anywhere is
        // reported there.
        std::fs::write(
            root.path().join("themes/default/templates/unused.html"),
            "{{ n ",
        )
        .unwrap();
        let errors = load(root.path(), &record).err().unwrap();
        assert!(errors[0].to_string().contains("unused.html"), "{errors:?}");
    }
}
