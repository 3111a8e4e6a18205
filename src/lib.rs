//! nqsite: a static-site generator for publishing a resolution together with
//! the documents around it (guidances, a Q&A book), cross-linked.
//!
//! The pipeline runs one way: [`config`] → [`content`] (load) → [`resolve`]
//! → [`markdown`] (render bodies) → [`links`] (check) → [`render`]
//! (templates) → [`output`] (atomic write).

#![deny(clippy::unwrap_used, clippy::expect_used)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod config;
pub mod content;
pub mod context;
pub mod diag;
pub mod feeds;
pub mod fsutil;
pub mod incremental;
pub mod links;
pub mod markdown;
pub mod opendata;
pub mod output;
pub mod pdf;
pub mod portable;
pub mod print;
pub mod profile;
pub mod render;
pub mod resolve;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod share;
pub mod text;
pub mod xref;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::Config;
use crate::context::Contexts;
use crate::diag::Diagnostic;
use crate::markdown::Rendered;
use crate::output::{Staging, Writer};
use crate::render::Theme;
use crate::resolve::{HOME, Site};
use crate::xref::Xref;

/// What to build and how.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site root (holds `content/`, optional `site.yaml` and `themes/`).
    pub root: PathBuf,
    /// Output folder; `<root>/public` when `None`.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` of `site.yaml`.
    pub base_url: Option<String>,
    /// Run every stage but write nothing (`nqsite check`).
    pub check_only: bool,
    /// Province profile to apply (`profiles/<name>.yaml`).
    pub profile: Option<String>,
    /// Relative links and explicit `index.html`: the output works from `file://`.
    pub portable: bool,
    /// Also write a zip of the (portable) output to this file.
    pub zip: Option<PathBuf>,
    /// Include the editors' guide (sections marked `editor_only: true`).
    pub editor_guide: bool,
    /// Also print the print pages to PDF with Chromium, if installed.
    pub pdf: bool,
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    /// Number of pages (not sections) written.
    pub pages: usize,
    /// Number of sections, the home page included.
    pub sections: usize,
    /// Non-fatal problems.
    pub warnings: Vec<Diagnostic>,
    /// Each stage in order: its name, its time, and the process's peak
    /// memory (KiB) at its end where the system tells it.
    pub timings: Vec<Stage>,
    /// Where the site was written (`None` for a check).
    pub output: Option<PathBuf>,
}

/// Called as pages are rendered: (done, total).
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// Builds the site. On any error nothing is written and every problem found
/// is returned, sorted by file and line.
pub fn build(opts: &BuildOptions, progress: Progress<'_>) -> Result<BuildReport, Vec<Diagnostic>> {
    let mut timer = Timer::default();
    let result = run(opts, progress, &mut timer);
    result
        .map(|mut r| {
            r.timings = timer.stages;
            r
        })
        .map_err(|mut errs| {
            diag::sort(&mut errs);
            errs
        })
}

/// One stage of a build, as `--timings` prints it.
#[derive(Debug, Clone)]
pub struct Stage {
    /// The stage's name.
    pub name: &'static str,
    /// How long it took.
    pub time: Duration,
    /// Peak resident memory of the process so far, in KiB (Linux only).
    pub peak_kib: Option<u64>,
}

#[derive(Default)]
struct Timer {
    stages: Vec<Stage>,
    last: Option<Instant>,
}

impl Timer {
    fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        if let Some(last) = self.last {
            self.stages.push(Stage {
                name,
                time: now - last,
                peak_kib: fsutil::peak_rss_kib(),
            });
        }
        self.last = Some(now);
    }
}

fn run(
    opts: &BuildOptions,
    progress: Progress<'_>,
    timer: &mut Timer,
) -> Result<BuildReport, Vec<Diagnostic>> {
    timer.lap("start");
    let config = Config::load(
        &opts.root,
        opts.base_url.as_deref(),
        opts.profile.as_deref(),
    )?;
    timer.lap("config");
    let loaded = content::load(&opts.root, &opts.root.join("content"))
        .map(|docs| content::drop_editor_only(docs, opts.editor_guide || config.editor_guide));
    let theme = Theme::load(&config.theme_dir(&opts.root), &opts.root);
    let (docs, theme) = match (loaded, theme) {
        (Ok(d), Ok(t)) => (d, t),
        (l, t) => return Err(l.err().into_iter().chain(t.err()).flatten().collect()),
    };
    timer.lap("load");
    let (site, rendered, xref) =
        resolve_and_render(config, docs, render_bodies, &mut |stage| timer.lap(stage))?;
    let pages = site.nodes.iter().filter(|n| !n.doc.is_section).count();
    let sections = site.nodes.len() - pages;
    let output = opts
        .output
        .clone()
        .unwrap_or_else(|| opts.root.join("public"));
    let staging = if opts.check_only {
        None
    } else {
        Some(Staging::new(&output).map_err(|d| vec![d])?)
    };
    let portable_base = opts.portable.then(|| site.config.base_path.clone());
    let writer = Writer::new(staging.as_ref(), portable_base);
    let written = write_site(
        &opts.root, &site, &theme, &rendered, &xref, &writer, progress, None,
    );
    timer.lap("templates+write");
    let mut warnings = Vec::new();
    if let (Ok(()), Some(s), true) = (&written, &staging, opts.pdf) {
        warnings = pdf::write_all(&site, s.dir());
        timer.lap("pdf");
    }
    match (written, staging) {
        (Ok(()), Some(s)) => {
            s.commit().map_err(|d| vec![d])?;
            if let Some(zip) = &opts.zip {
                let folder = output
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("site");
                portable::write_zip(&output, zip, folder).map_err(|d| vec![d])?;
            }
        }
        (Ok(()), None) => {}
        (Err(e), Some(s)) => {
            s.abort();
            return Err(e);
        }
        (Err(e), None) => return Err(e),
    }
    timer.lap("commit");
    Ok(BuildReport {
        pages,
        sections,
        warnings,
        timings: Vec::new(),
        output: (!opts.check_only).then_some(output),
    })
}

/// The middle of the pipeline, shared by `build` and `serve`: resolves the
/// documents into a site, renders the bodies with `render` (serve reuses
/// earlier results), checks every link and anchor and builds the
/// cross-references. `lap` is told when each stage ends.
pub(crate) fn resolve_and_render(
    config: Config,
    docs: Vec<content::Document>,
    render: impl FnOnce(&Site) -> Vec<Rendered>,
    lap: &mut dyn FnMut(&'static str),
) -> Result<(Site, Vec<Rendered>, Xref), Vec<Diagnostic>> {
    let mut site = resolve::resolve(config, docs)?;
    resolve::tag_entities(&mut site);
    check_profile(&site)?;
    lap("resolve");
    let rendered = render(&site);
    lap("markdown");
    let mut errors = check_links(&site, &rendered);
    let xref = xref::build(&site, &rendered).unwrap_or_else(|mut e| {
        errors.append(&mut e);
        Xref::default()
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    lap("xref");
    Ok((site, rendered, xref))
}

/// Renders every Markdown body in parallel.
fn render_bodies(site: &Site) -> Vec<Rendered> {
    (0..site.nodes.len())
        .into_par_iter()
        .map(|i| {
            markdown::render(&site.nodes[i].doc.body, &|dest| {
                links::resolve_link(site, i, dest)
            })
        })
        .collect()
}

/// Every broken link and anchor of the rendered bodies.
fn check_links(site: &Site, rendered: &[Rendered]) -> Vec<Diagnostic> {
    let mut errors: Vec<Diagnostic> = rendered
        .iter()
        .enumerate()
        .flat_map(|(i, r)| links::broken_link_errors(site, i, r))
        .collect();
    errors.extend(links::check_anchors(site, rendered));
    errors
}

/// Renders every page through its template and writes it (unless checking).
/// `search_cache` keeps the search entries between builds (`nqsite serve`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_site(
    root: &Path,
    site: &Site,
    theme: &Theme,
    rendered: &[Rendered],
    xref: &Xref,
    out: &Writer<'_>,
    progress: Progress<'_>,
    search_cache: Option<&mut search::Cache>,
) -> Result<(), Vec<Diagnostic>> {
    let mut contexts = Contexts::new(site, theme, xref).map_err(|d| vec![d])?;
    // Pages name only the search manifest (fixed name), never the index's hash.
    contexts.set_search(search::MANIFEST);
    contexts.set_bodies(rendered);
    out.plan(|| contexts.fingerprints());
    let done = AtomicUsize::new(0);
    let total = site.nodes.len();
    let render_all = || -> Vec<Diagnostic> {
        (0..total)
            .into_par_iter()
            .filter_map(|i| {
                if !out.wants_page(i) {
                    return None;
                }
                let result = render_page(site, theme, &contexts, &rendered[i], i)
                    .and_then(|html| out.html(&out_path(&site.nodes[i].path), html))
                    .and_then(|()| {
                        write_paper_variants(site, theme, &contexts, &rendered[i], i, out)
                    });
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                result.err()
            })
            .collect()
    };
    // The index is built after the pages: beside them saved no time (writing
    // the pages is bound by the disk) and raised the peak memory.
    let mut errors = render_all();
    let search = search::build(
        site,
        rendered,
        theme,
        &search::Weights::default(),
        search_cache,
    );
    if errors.is_empty()
        && let Err(e) = write_extras(root, site, theme, &contexts, out)
            .and_then(|()| search::write(&search, site, theme, &contexts, out))
    {
        errors.push(e);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn render_page(
    site: &Site,
    theme: &Theme,
    contexts: &Contexts<'_>,
    rendered: &Rendered,
    i: usize,
) -> Result<Vec<u8>, Diagnostic> {
    let template = render::template_for(site, theme, i)?;
    let ctx = contexts.page(i, rendered);
    theme.render_bytes(&template, &ctx, &site.nodes[i].doc.shown)
}

/// The paper variants a page asks for (`paper_variants: [a3]`): its template
/// again with `paper` set, written to `<url>/<paper>/index.html`.
fn write_paper_variants(
    site: &Site,
    theme: &Theme,
    contexts: &Contexts<'_>,
    rendered: &Rendered,
    i: usize,
    out: &Writer<'_>,
) -> Result<(), Diagnostic> {
    for paper in print::paper_variants(&site.nodes[i].doc.fm.extra) {
        let template = render::template_for(site, theme, i)?;
        let mut ctx = contexts.page(i, rendered);
        ctx.insert("paper", &paper);
        let html = theme.render_bytes(&template, &ctx, &site.nodes[i].doc.shown)?;
        out.html(&out_path(&format!("{}{paper}/", site.nodes[i].path)), html)?;
    }
    Ok(())
}

fn out_path(path: &str) -> String {
    format!("{path}index.html")
}

/// The 404 page, aliases, sitemap, robots.txt, feed and static files.
fn write_extras(
    root: &Path,
    site: &Site,
    theme: &Theme,
    contexts: &Contexts<'_>,
    out: &Writer<'_>,
) -> Result<(), Diagnostic> {
    let mut ctx = contexts.base().clone();
    ctx.insert(
        "page",
        &serde_json::json!({ "title": "404", "breadcrumbs": [], "toc": [], "href": "" }),
    );
    let not_found = theme.render("404.html", &ctx, Path::new("404.html"))?;
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("404.html".into(), not_found.into_bytes()),
        ("sitemap.xml".into(), feeds::sitemap(site).into_bytes()),
        ("robots.txt".into(), feeds::robots(site).into_bytes()),
        ("atom.xml".into(), feeds::atom(site).into_bytes()),
    ];
    files.extend(opendata::files(site, contexts.xref()));
    if !out.is_dry() {
        files.extend(share_images(root, site)?);
    }
    for (i, node) in site.nodes.iter().enumerate() {
        if node.doc.fm.doc_type.as_deref() == Some("target")
            && theme.has("embed.html")
            && let (Some(entity), Some((_, id))) = (contexts.entity(i), &node.entity)
        {
            let mut ctx = contexts.base().clone();
            ctx.insert("target", entity);
            let html = theme.render("embed.html", &ctx, &node.doc.shown)?;
            files.push((
                format!("embed/{}/index.html", text::slug_or(id, "x")),
                html.into_bytes(),
            ));
        }
        for alias in &node.doc.fm.aliases {
            let Some(path) = resolve::alias_path(alias) else {
                continue;
            };
            let mut ctx = contexts.base().clone();
            ctx.insert("target", &site.href(i));
            files.push((
                out_path(&path),
                theme
                    .render("alias.html", &ctx, &node.doc.shown)?
                    .into_bytes(),
            ));
        }
    }
    if out.is_dry() {
        return Ok(());
    }
    for (rel, bytes) in files {
        if rel.ends_with(".html") {
            out.html(&rel, bytes)?;
        } else {
            out.file(&rel, &bytes)?;
        }
    }
    for (rel, bytes) in &theme.assets {
        out.file(rel, bytes)?;
    }
    for (rel, bytes) in profile_assets(&site.config)? {
        out.file(&rel, &bytes)?;
    }
    copy_site_static(root, out)
}

/// The share images (`share/site.png`, `share/<target>.png`), rendered in
/// parallel and cached by content under `<root>/.nqsite-cache/share/`.
fn share_images(root: &Path, site: &Site) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    let accent = site
        .config
        .profile
        .as_ref()
        .and_then(|p| p.accent.clone())
        .unwrap_or_else(|| "#a3161b".into());
    let footer = context::site_title(site).to_string();
    let mut cards = vec![(
        context::share_path(site, HOME),
        share::Card {
            kicker: site
                .config
                .author
                .clone()
                .unwrap_or_default()
                .to_uppercase(),
            headline: footer.clone(),
            text: site.config.description.clone().unwrap_or_default(),
            footer: footer.clone(),
            accent: accent.clone(),
        },
    )];
    for (i, node) in site.nodes.iter().enumerate() {
        if node.doc.fm.doc_type.as_deref() != Some("target") {
            continue;
        }
        let extra = |k: &str| node.doc.fm.extra_str(k).unwrap_or("").to_string();
        let year = node
            .doc
            .fm
            .extra
            .get("year")
            .and_then(|v| v.as_i64())
            .map(|y| y.to_string())
            .unwrap_or_default();
        cards.push((
            context::share_path(site, i),
            share::Card {
                kicker: format!("MỤC TIÊU ĐẾN NĂM {year}"),
                headline: extra("figure"),
                text: extra("indicator"),
                footer: footer.clone(),
                accent: accent.clone(),
            },
        ));
    }
    let cache = root.join(".nqsite-cache").join("share");
    cards
        .into_par_iter()
        .map(|(path, card)| {
            share::png_cached(&card, Some(&cache))
                .map(|png| (path.clone(), png))
                .map_err(|e| {
                    Diagnostic::error(&path, 0, 0, format!("không vẽ được ảnh chia sẻ: {e}"))
                })
        })
        .collect()
}

/// Copies the site's own `static/` folder (if any) into the output root.
fn copy_site_static(root: &Path, out: &Writer<'_>) -> Result<(), Diagnostic> {
    let dir = root.join("static");
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let p = e.path().unwrap_or(&dir).to_path_buf();
            Diagnostic::error(
                p.strip_prefix(root).unwrap_or(&p),
                0,
                0,
                format!("không đọc được tệp tĩnh: {e}"),
            )
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(&dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        let shown = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let bytes =
            std::fs::read(entry.path()).map_err(|e| Diagnostic::io(shown, "đọc tệp", &e))?;
        out.file(&rel, &bytes)?;
    }
    Ok(())
}

/// The profile's `local_guidance` must name a guidance of the site.
fn check_profile(site: &Site) -> Result<(), Vec<Diagnostic>> {
    let Some(p) = &site.config.profile else {
        return Ok(());
    };
    match &p.local_guidance {
        Some(id) if site.entity("guidance", id).is_none() => Err(vec![
            Diagnostic::error(
                &p.shown,
                p.local_guidance_line,
                1,
                format!("không có văn bản hướng dẫn nào mang mã `{id}`"),
            )
            .hint(links::unknown_id_hint(site, "guidance", id)),
        ]),
        _ => Ok(()),
    }
}

/// The profile's logo and colour stylesheet, with their output names.
fn profile_assets(config: &Config) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    let Some(profile) = &config.profile else {
        return Ok(Vec::new());
    };
    let mut files = Vec::new();
    if let Some((path, name)) = &profile.logo {
        let bytes =
            std::fs::read(path).map_err(|e| Diagnostic::io(&profile.shown, "đọc logo", &e))?;
        files.push((format!("assets/{name}"), bytes));
    }
    let css = profile.css();
    if !css.is_empty() {
        files.push((profile_css_path(&css), css.into_bytes()));
    }
    Ok(files)
}

/// The hashed output path of a profile stylesheet.
pub fn profile_css_path(css: &str) -> String {
    format!("assets/profile.{}.css", fsutil::name_hash(css.as_bytes()))
}
