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
pub mod model;
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

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::Config;
use crate::context::Contexts;
use crate::diag::Diagnostic;
use crate::markdown::Rendered;
use crate::output::{OutputLock, Plan, Staging, Target, Wait, Writer, ZipTarget};
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
    /// Replace a non-empty output folder (or zip) that nqsite did not make.
    /// Never a source of the site.
    pub force: bool,
    /// Fail at once when another build is writing into the output folder,
    /// instead of waiting for it.
    pub no_wait: bool,
}

/// Why a build failed, and what became of the output folder.
#[derive(Debug)]
pub struct Failure {
    /// Every problem found, sorted by file and line.
    pub errors: Vec<Diagnostic>,
    /// True when the new site had been swapped in before a later step
    /// (moving the zip into place) failed; false when the output folder is
    /// exactly as it was.
    pub site_replaced: bool,
}

impl From<Vec<Diagnostic>> for Failure {
    fn from(errors: Vec<Diagnostic>) -> Failure {
        Failure {
            errors,
            site_replaced: false,
        }
    }
}

impl From<Diagnostic> for Failure {
    fn from(error: Diagnostic) -> Failure {
        Failure::from(vec![error])
    }
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    /// Number of pages (not sections) written.
    pub pages: usize,
    /// Number of sections, the home page included.
    pub sections: usize,
    /// Non-fatal problems, and notes about the site as configured.
    pub warnings: Vec<Diagnostic>,
    /// Each stage in order: its name, its time, and the process's peak
    /// memory (KiB) at its end where the system tells it.
    pub timings: Vec<Stage>,
    /// Where the site was written (`None` for a check).
    pub output: Option<PathBuf>,
    /// Of the page files written, how many were copied unchanged from the
    /// output the build replaced instead of rendered.
    pub carried: usize,
}

/// Called as pages are rendered: (done, total).
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// Builds the site. On any error the output folder is left as it was (see
/// [`Failure::site_replaced`] for the one exception) and every problem found
/// is returned, sorted by file and line.
pub fn build(opts: &BuildOptions, progress: Progress<'_>) -> Result<BuildReport, Failure> {
    let mut timer = Timer::default();
    // Every stage runs on the same threads, the templates' (see `render`):
    // the allocator keeps an arena per thread, so the memory one stage lets
    // go is what the next one reuses.
    let result = render::on_render_threads(|| run(opts, progress, &mut timer));
    result
        .map(|mut r| {
            r.timings = timer.stages;
            r
        })
        .map_err(|mut f| {
            diag::sort(&mut f.errors);
            f
        })
}

/// Lets `value` go on a thread of its own. What a build or a save leaves
/// behind (template contexts, parsed templates) is many small blocks, and
/// freeing them was the last milliseconds of every build, on one thread
/// while the other waited. A one-off build exits without waiting for it;
/// `serve` frees it while the browser reloads. If no thread can be made,
/// it is freed here.
pub(crate) fn drop_later<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("nqsite-free".into())
        .stack_size(render::RENDER_STACK)
        .spawn(move || drop(value));
}

/// Runs `f` on the thread pool kept in `pool`, made the first time with
/// `configure` and threads named `name-N`; on the calling thread if the
/// pool cannot be made.
pub(crate) fn on_pool<R: Send>(
    pool: &'static std::sync::OnceLock<Option<rayon::ThreadPool>>,
    name: &'static str,
    f: impl FnOnce() -> R + Send,
    configure: impl FnOnce(rayon::ThreadPoolBuilder) -> rayon::ThreadPoolBuilder,
) -> R {
    let pool = pool.get_or_init(|| {
        let builder = rayon::ThreadPoolBuilder::new().thread_name(move |i| format!("{name}-{i}"));
        configure(builder).build().ok()
    });
    match pool {
        Some(pool) => pool.install(f),
        None => f(),
    }
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
) -> Result<BuildReport, Failure> {
    timer.lap("start");
    let output = opts
        .output
        .clone()
        .unwrap_or_else(|| opts.root.join("public"));
    // Where the site goes is checked before any work: a refused output
    // costs nothing.
    let places = (!opts.check_only)
        .then(|| Places::check(opts, &output))
        .transpose()?;
    let config = Config::load(
        &opts.root,
        opts.base_url.as_deref(),
        opts.profile.as_deref(),
    )?;
    timer.lap("config");
    let cache = opts.root.join(".nqsite-cache");
    // The output a build replaces: what it may take from there.
    let previous = places.is_some() && output::holds_marker(&output);
    // A check reports every template's errors. A build parses only the
    // templates it renders, when it can tell they all parse (a template
    // no page uses was a twentieth of a build of 1,000 pages).
    let parsed_record = cache.join("theme-parsed");
    let parse = if opts.check_only {
        render::Parse::AtLoad
    } else {
        render::Parse::AsRendered(&parsed_record)
    };
    // The theme is parsed while the content is read (each about half of
    // this stage on the shipped site).
    let (loaded, theme) = rayon::join(
        || {
            content::load(&opts.root, &opts.root.join("content")).map(|c| content::Content {
                docs: content::drop_editor_only(c.docs, opts.editor_guide || config.editor_guide),
                ..c
            })
        },
        || Theme::load_parsing(&config.theme_dir(&opts.root), &opts.root, parse),
    );
    let (docs, theme) = match (loaded, theme) {
        (Ok(d), Ok(t)) => (d, t),
        (l, t) => {
            return Err(l
                .err()
                .into_iter()
                .chain(t.err())
                .flatten()
                .collect::<Vec<_>>()
                .into());
        }
    };
    timer.lap("load");
    let mut body_hashes = Vec::new();
    let (site, mut rendered, xref) = resolve_and_render(
        config,
        docs,
        |site| {
            let (rendered, hashes) = render_bodies(site, &theme.reserved_ids);
            body_hashes = hashes;
            rendered
        },
        &mut |stage| timer.lap(stage),
    )?;
    // Nothing reads the links once the anchors are checked and the
    // cross-references built: a build lets them go before the templates.
    for r in &mut rendered {
        r.links = Arc::default();
    }
    let pages = site.nodes.iter().filter(|n| !n.doc.is_section).count();
    let sections = site.nodes.len() - pages;
    let portable_base = opts.portable.then(|| site.config.base_path.clone());
    let content_dir = opts.root.join("content");
    let html = |i: usize, r: &Rendered| -> Result<Arc<str>, Diagnostic> {
        if !r.html.is_empty() {
            return Ok(r.html.clone());
        }
        let body = match body_hashes[i] {
            Some(hash) => {
                content::read_body_again(&opts.root, &content_dir, &site.nodes[i].doc, hash)?
            }
            None => String::new(),
        };
        Ok(markdown::render(&body, &theme.reserved_ids, &links_of(&site, i)).html)
    };
    let write = |writer: &Writer<'_>, prior: search::Prior<'_>| {
        write_site(
            &opts.root, &site, &theme, rendered, &html, &xref, writer, progress, prior,
        )
    };
    let Some(places) = places else {
        write(&Writer::new(None, portable_base), search::Prior::Nothing)?;
        timer.lap("templates+write");
        let warnings = site_warnings(&site, &theme);
        drop_later(theme);
        return Ok(BuildReport {
            pages,
            sections,
            warnings,
            timings: Vec::new(),
            output: None,
            carried: 0,
        });
    };
    let wait = if opts.no_wait { Wait::No } else { Wait::Yes };
    let lock = OutputLock::acquire(places.target.dir(), wait)?;
    // The output this build replaces holds the pages and the search index
    // to take when nothing they are made from changed; the records of how
    // they were made are kept with the share images.
    let bodies = body_hashes.iter().map(|h| h.unwrap_or(0)).collect();
    let mut pages_plan = incremental::BuildPlan::new(
        cache.join("pages"),
        &output,
        previous,
        &site,
        bodies,
        &theme,
        opts.portable,
    );
    let recorded = pages_plan.take_files();
    let decide = |parts: &context::PartTable| pages_plan.decide(parts);
    let plan = Plan::new(&decide).with_prior(&output).carrying(recorded);
    let staging = Staging::new(&places.target, &lock)?;
    let writer = Writer::new(Some(&staging), portable_base).planned(&plan);
    let previous = search::Previous {
        output: output.clone(),
        record: cache.join("search-index"),
    };
    let written = write(&writer, search::Prior::Output(&previous));
    if let Err(e) = written
        .map_err(Failure::from)
        .and_then(|()| Ok(staging.seal()?))
    {
        staging.abort();
        return Err(e);
    }
    timer.lap("templates+write");
    let mut warnings = site_warnings(&site, &theme);
    drop_later(theme);
    warnings.extend(feeds::no_host_note(&site));
    if opts.pdf {
        warnings.extend(pdf::write_all(&site, staging.dir()));
        timer.lap("pdf");
    }
    places.commit(staging, &output)?;
    let carried = plan.carried();
    let made = (plan.parts(), plan.take_reads(), plan.take_page_prints());
    pages_plan.save(made.0, made.1, made.2);
    drop(lock);
    timer.lap("commit");
    Ok(BuildReport {
        pages,
        sections,
        warnings,
        timings: Vec::new(),
        output: Some(output),
        carried,
    })
}

/// Where a build writes: the output folder and the optional zip, both
/// checked before anything is written.
struct Places {
    target: Target,
    zip: Option<ZipTarget>,
}

impl Places {
    fn check(opts: &BuildOptions, output: &Path) -> Result<Places, Diagnostic> {
        let target = Target::new(&opts.root, output, opts.force)?;
        let zip = opts
            .zip
            .as_deref()
            .map(|z| ZipTarget::new(z, &target))
            .transpose()?;
        Ok(Places { target, zip })
    }

    /// Writes the zip from the staging folder, swaps the staging folder in,
    /// then moves the zip into place: any failure before the swap leaves the
    /// previous output as it was.
    fn commit(&self, staging: Staging, output: &Path) -> Result<(), Failure> {
        if let Some(zip) = &self.zip {
            let folder = output
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("site");
            if let Err(e) = portable::write_zip(staging.dir(), zip.tmp(), folder) {
                zip.discard();
                staging.abort();
                return Err(e.into());
            }
        }
        if let Err(e) = staging.commit() {
            self.zip.iter().for_each(ZipTarget::discard);
            return Err(e.into());
        }
        match &self.zip {
            Some(zip) => zip.commit().map_err(|e| {
                zip.discard();
                Failure {
                    errors: vec![e],
                    site_replaced: true,
                }
            }),
            None => Ok(()),
        }
    }
}

/// The middle of the pipeline, shared by `build` and `serve`: resolves the
/// documents into a site, renders the bodies with `render` (serve reuses
/// earlier results; a build lets each body go once rendered: nothing reads
/// it after), checks every link and anchor and builds the
/// cross-references. `lap` is told when each stage ends.
pub(crate) fn resolve_and_render(
    config: Config,
    content: content::Content,
    render: impl FnOnce(&mut Site) -> Vec<Rendered>,
    lap: &mut dyn FnMut(&'static str),
) -> Result<(Site, Vec<Rendered>, Xref), Vec<Diagnostic>> {
    let mut site = resolve::resolve(config, content.docs)?;
    site.add_assets(content.assets);
    check_profile(&site)?;
    lap("resolve");
    let rendered = render(&mut site);
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

/// The problems of a site and its theme that do not stop the build.
pub(crate) fn site_warnings(site: &Site, theme: &Theme) -> Vec<Diagnostic> {
    let mut warnings = site.warnings.clone();
    warnings.extend(theme.warnings.iter().cloned());
    warnings.extend(theme.string_warnings(&site.config));
    diag::sort(&mut warnings);
    warnings
}

/// Markdown, in bytes, whose HTML a build keeps from the markdown stage to
/// the templates: the first bodies in site order up to this size (every
/// body of a site of a few thousand pages). The others are rendered again
/// from their files when their pages are ([`BodyHtml`]): holding every
/// body's Markdown or HTML from one stage to the next was most of a build's
/// peak memory at 100,000 pages, while reading and parsing each body twice
/// was a tenth of a 1,000-page build's CPU. The HTML is the same either way.
const KEPT_BODIES: usize = 16 << 20;

/// Renders every Markdown body in parallel, keeping the HTML of the first
/// ones ([`KEPT_BODIES`]) and not the bodies. Returns, with the results,
/// the fingerprint of each body read from a file (`None`: an empty body,
/// nothing to read again).
fn render_bodies(
    site: &mut Site,
    reserved: &BTreeSet<String>,
) -> (Vec<Rendered>, Vec<Option<u64>>) {
    let bodies: Vec<Arc<str>> = site
        .nodes
        .iter_mut()
        .map(|n| std::mem::take(&mut n.doc.body))
        .collect();
    let mut size = 0;
    let keep: Vec<bool> = bodies
        .iter()
        .map(|b| {
            size += b.len();
            size <= KEPT_BODIES
        })
        .collect();
    let site = &*site;
    bodies
        .into_par_iter()
        .zip(keep)
        .enumerate()
        .map(|(i, (body, keep))| {
            let links = links_of(site, i);
            let rendered = if keep {
                markdown::render(&body, reserved, &links)
            } else {
                markdown::find(&body, reserved, &links)
            };
            let hash = (!body.is_empty()).then(|| content::body_hash(&body));
            (rendered, hash)
        })
        .unzip()
}

/// How the links of node `i`'s body resolve.
fn links_of(
    site: &Site,
    i: usize,
) -> impl Fn(&str, markdown::RefKind) -> markdown::LinkOutcome + '_ {
    move |dest, kind| links::resolve_link(&links::Table::new(site), i, dest, kind)
}

/// Gives the templates stage the HTML of node `i`'s body: `nqsite serve`
/// keeps it from the markdown stage; a build keeps the first bodies'
/// ([`KEPT_BODIES`]) and renders the others again.
pub(crate) type BodyHtml<'a> = dyn Fn(usize, &Rendered) -> Result<Arc<str>, Diagnostic> + Sync + 'a;

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

/// Renders every page through its template and writes it (unless checking),
/// with the search index, the search page and the other files, then checks
/// the paths the bodies link to against what was written. `search_prior`
/// is what the search index may be made from besides the pages.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_site(
    root: &Path,
    site: &Site,
    theme: &Theme,
    rendered: Vec<Rendered>,
    html: &BodyHtml<'_>,
    xref: &Xref,
    out: &Writer<'_>,
    progress: Progress<'_>,
    search_prior: search::Prior<'_>,
) -> Result<(), Vec<Diagnostic>> {
    // Templates are rendered on threads whose stack holds the deepest
    // nesting a theme may reach (see `render`).
    render::on_render_threads(move || {
        let rendered = &rendered[..];
        // The search index is built beside the pages and the other files.
        // Built after the pages, it kept one of two cores idle for a fifth
        // of the shipped site's build; in a save, where a page or two
        // render, it is the longest part, and it needs no template context.
        let (search, pages) = rayon::join(
            || search::build(site, rendered, theme, search_prior, out),
            || write_pages(root, site, theme, rendered, html, xref, out, progress),
        );
        let (contexts, mut errors, extras) = pages?;
        if let Some(extras) = extras {
            let rest = extras
                .and_then(|()| search.map_err(|e| vec![e]))
                .and_then(|()| {
                    search::write_page(site, theme, &contexts, out).map_err(|e| vec![e])
                });
            match rest {
                Ok(()) => {
                    let all = (0..site.nodes.len()).flat_map(|i| page_files(site, i));
                    errors.extend(links::check_paths(site, rendered, &out.written(all)));
                }
                Err(mut e) => errors.append(&mut e),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    })
}

/// What [`write_pages`] leaves: the contexts, the pages' errors and how
/// writing the other files went (`None`: not finished, the pages failed).
type PagesWritten<'a> = (
    Contexts<'a>,
    Vec<Diagnostic>,
    Option<Result<(), Vec<Diagnostic>>>,
);

/// Makes the template contexts, then renders and writes the pages `out`
/// wants beside the generated files (404 page, aliases, feeds, static
/// files: checked against the pages' places up front, see
/// [`resolve::check_generated`]), then, if all went well, the files of
/// `content/` (after everything else: a path taken is an error).
#[allow(clippy::too_many_arguments)]
fn write_pages<'a>(
    root: &Path,
    site: &'a Site,
    theme: &'a Theme,
    rendered: &[Rendered],
    html: &BodyHtml<'_>,
    xref: &'a Xref,
    out: &Writer<'_>,
    progress: Progress<'_>,
) -> Result<PagesWritten<'a>, Vec<Diagnostic>> {
    // A theme parsed as rendered (`render::Parse`): the templates the build
    // renders besides pages, then the ones the pages to render need, each
    // set at once and in parallel.
    let lazy = theme.parses_as_rendered();
    let page_templates = |i: usize| render::template_for(site, theme, i).ok();
    if lazy {
        theme.parse_besides().map_err(|d| vec![d])?;
    }
    let mut contexts = Contexts::new(site, theme, xref).map_err(|d| vec![d])?;
    contexts.set_bodies(rendered, html).map_err(|d| vec![d])?;
    out.plan(|| contexts.parts());
    if lazy {
        let wanted: BTreeSet<String> = (0..site.nodes.len())
            .filter(|&i| out.wants_page(i))
            .filter_map(page_templates)
            .collect();
        theme
            .parse(wanted.iter().map(String::as_str))
            .map_err(|d| vec![d])?;
    }
    out.want_ids(links::anchored_files(site, rendered));
    let copies = links::content_files(site, rendered)?;
    let (errors, generated) = rayon::join(
        || render_pages(site, theme, &contexts, rendered, html, out, progress),
        || write_generated(root, site, theme, &contexts, &copies, out),
    );
    // An error of the generated files is reported beside the pages' own;
    // the files of `content/` are copied only when everything else went well.
    let extras = match generated {
        Err(d) => Some(Err(vec![d])),
        Ok(()) if errors.is_empty() => {
            Some(copy_content_files(root, &copies, out).map_err(|d| vec![d]))
        }
        Ok(()) => None,
    };
    Ok((contexts, errors, extras))
}

/// One template render of a page: the page itself (`None`) or one of its
/// paper variants.
type Job = (usize, Option<String>);

/// Renders and writes the pages `out` wants, each paper variant a job of
/// its own; the errors of a page's variants are left out when the page
/// itself failed (they are the same error, most often).
fn render_pages(
    site: &Site,
    theme: &Theme,
    contexts: &Contexts<'_>,
    rendered: &[Rendered],
    html: &BodyHtml<'_>,
    out: &Writer<'_>,
    progress: Progress<'_>,
) -> Vec<Diagnostic> {
    let done = AtomicUsize::new(0);
    let total = site.nodes.len();
    let failed: Vec<(Job, Diagnostic)> = page_jobs(site, rendered, out)
        .into_par_iter()
        .with_max_len(1)
        .filter_map(|(i, paper)| {
            let file = job_file(site, i, paper.as_deref());
            let result = out.carry(i, &file).and_then(|carried| {
                if carried {
                    return Ok(());
                }
                let body = html(i, &rendered[i])?;
                let page = (&rendered[i], &*body);
                write_job(site, theme, contexts, page, (i, paper.as_deref()), out)
            });
            if paper.is_none() {
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
            }
            result.err().map(|e| ((i, paper), e))
        })
        .collect();
    let pages_failed: HashSet<usize> = failed
        .iter()
        .filter(|((_, paper), _)| paper.is_none())
        .map(|((i, _), _)| *i)
        .collect();
    failed
        .into_iter()
        .filter(|((i, paper), _)| paper.is_none() || !pages_failed.contains(i))
        .map(|(_, e)| e)
        .collect()
}

/// The renders of the pages `out` wants, the longest first (as far as can
/// be told before rendering: pages with paper variants, whose templates
/// draw the whole site's figures, then sections, which list their
/// documents, then by length of text), so that no long render is left for
/// the end while the other threads wait. The pages `out` copies from the
/// previous output instead come last ([`Writer::carry`]).
fn page_jobs(site: &Site, rendered: &[Rendered], out: &Writer<'_>) -> Vec<Job> {
    let mut jobs: Vec<(Job, (bool, bool, bool, usize))> = Vec::new();
    let carries = out.carries();
    for (i, node) in site.nodes.iter().enumerate() {
        let wanted = out.wants_page(i);
        if !wanted && !carries {
            continue;
        }
        let papers = print::paper_variants(&node.doc.fm.extra);
        let cost = (
            wanted,
            !papers.is_empty(),
            node.doc.is_section,
            rendered[i].text.len(),
        );
        jobs.push(((i, None), cost));
        jobs.extend(papers.into_iter().map(|p| ((i, Some(p)), cost)));
    }
    jobs.sort_by_key(|&(_, cost)| std::cmp::Reverse(cost));
    jobs.into_iter().map(|(job, _)| job).collect()
}

/// Renders and writes one job: page `i` itself, the parts its context read
/// going to `out` (serve keeps them), or one of its paper variants
/// (`paper_variants: [a3]`), its template again with `paper` set.
fn write_job(
    site: &Site,
    theme: &Theme,
    contexts: &Contexts<'_>,
    page: (&Rendered, &str),
    (i, paper): (usize, Option<&str>),
    out: &Writer<'_>,
) -> Result<(), Diagnostic> {
    let template = render::template_for(site, theme, i)?;
    let (mut ctx, reads) = contexts.page(i, page)?;
    match paper {
        None if out.keeps_reads() => out.reads(i, reads.into_parts()),
        None => {}
        Some(paper) => ctx.insert("paper", &paper),
    }
    let html = theme.render_bytes(&template, &ctx, &site.nodes[i].doc.shown)?;
    out.page(&job_file(site, i, paper), html)
}

/// Where a job's page is written: `<url>/index.html`, or
/// `<url>/<paper>/index.html` for a paper variant.
fn job_file(site: &Site, i: usize, paper: Option<&str>) -> String {
    match paper {
        None => resolve::page_file(&site.nodes[i]),
        Some(paper) => resolve::paper_file(&site.nodes[i], paper),
    }
}

/// The files node `i`'s page is written to: its own and its paper variants'.
fn page_files(site: &Site, i: usize) -> Vec<String> {
    let papers = print::paper_variants(&site.nodes[i].doc.fm.extra);
    std::iter::once(None)
        .chain(papers.iter().map(|p| Some(p.as_str())))
        .map(|paper| job_file(site, i, paper))
        .collect()
}

/// The files `content/` gives the output, written after everything else: a
/// path some other file already took is an error, not an overwrite.
fn copy_content_files(
    root: &Path,
    copies: &std::collections::BTreeMap<String, String>,
    out: &Writer<'_>,
) -> Result<(), Diagnostic> {
    for (rel, disk) in copies {
        let shown = Path::new("content").join(disk);
        if out.has(rel) {
            return Err(Diagnostic::error(
                &shown,
                0,
                0,
                format!("tệp này được chép tới `/{rel}`, nơi trang web đã có một tệp khác"),
            )
            .hint("đổi tên tệp (hoặc tệp cùng tên trong `static/`)"));
        }
        if out.is_dry() {
            out.note(rel);
            continue;
        }
        let bytes = fsutil::read_bytes(root, &root.join("content").join(disk), &shown)?;
        out.file(rel, &bytes)?;
    }
    Ok(())
}

/// Everything but the pages and the files of `content/` (`copies`, only
/// checked here against the pages' places).
fn write_generated(
    root: &Path,
    site: &Site,
    theme: &Theme,
    contexts: &Contexts<'_>,
    copies: &std::collections::BTreeMap<String, String>,
    out: &Writer<'_>,
) -> Result<(), Diagnostic> {
    let mut ctx = contexts.lend();
    ctx.insert(
        "page",
        &contexts.besides_page("404", "", serde_json::json!([]))?,
    );
    let not_found = theme.render(render::NOT_FOUND_TEMPLATE, &ctx, Path::new("404.html"))?;
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("404.html".into(), not_found.into_bytes()),
        ("robots.txt".into(), feeds::robots(site).into_bytes()),
        ("atom.xml".into(), feeds::atom(site).into_bytes()),
    ];
    if let Some(sitemap) = feeds::sitemap(site) {
        files.push(("sitemap.xml".into(), sitemap.into_bytes()));
    }
    files.extend(opendata::files(site, contexts.xref()));
    files.extend(share_images(root, site, !out.is_dry())?);
    let mut aliases = Vec::new();
    for (i, node) in site.nodes.iter().enumerate() {
        if let Some(html) = embed(site, theme, contexts, i)? {
            files.push(html);
        }
        for alias in &node.doc.fm.aliases {
            let Some(file) = resolve::alias_file(alias) else {
                continue;
            };
            let mut ctx = contexts.lend();
            ctx.insert("target", &site.href(i));
            aliases.push((
                file,
                theme
                    .render(render::ALIAS_TEMPLATE, &ctx, &node.doc.shown)?
                    .into_bytes(),
            ));
        }
    }
    let profile = profile_assets(root, &site.config)?;
    let statics = site_static_files(root)?;
    let others: Vec<&str> = files
        .iter()
        .chain(&theme.assets)
        .chain(&profile)
        .map(|(rel, _)| rel.as_str())
        .chain(statics.iter().map(|(rel, _)| rel.as_str()))
        .collect();
    let fixed = [output::MARKER, search::MANIFEST];
    resolve::check_generated(
        site,
        others
            .iter()
            .copied()
            .chain(fixed)
            .chain(copies.keys().map(String::as_str)),
    )?;
    if out.is_dry() {
        let alias_files = aliases.iter().map(|(rel, _)| rel.as_str());
        others
            .into_iter()
            .chain(alias_files)
            .for_each(|rel| out.note(rel));
        return Ok(());
    }
    for (rel, bytes) in files.into_iter().chain(aliases) {
        if rel.ends_with(".html") {
            out.html(&rel, bytes)?;
        } else {
            out.file(&rel, &bytes)?;
        }
    }
    for (rel, bytes) in theme.assets.iter().chain(&profile) {
        out.file(rel, bytes)?;
    }
    for (rel, path) in statics {
        let shown = path.strip_prefix(root).unwrap_or(&path);
        out.file(&rel, &fsutil::read_bytes(root, &path, shown)?)?;
    }
    Ok(())
}

/// The embeddable card of a document whose type declares `embed: true`
/// (`embed/<key>/index.html`).
fn embed(
    site: &Site,
    theme: &Theme,
    contexts: &Contexts<'_>,
    i: usize,
) -> Result<Option<(String, Vec<u8>)>, Diagnostic> {
    let node = &site.nodes[i];
    let declared = site.config.model.of(&node.doc.fm).is_some_and(|d| d.embed);
    let (Some(entity), Some((_, id)), true) = (contexts.entity(i), &node.entity, declared) else {
        return Ok(None);
    };
    let mut ctx = contexts.lend();
    ctx.insert("item", entity);
    if let Some([kicker, headline, text]) = share_text(site, i) {
        ctx.insert(
            "card",
            &serde_json::json!({ "kicker": kicker, "headline": headline, "text": text }),
        );
    }
    let html = theme.render(render::EMBED_TEMPLATE, &ctx, &node.doc.shown)?;
    Ok(Some((
        format!("embed/{}/index.html", text::slug_or(id, "x")),
        html.into_bytes(),
    )))
}

/// The text of node `i`'s own share card, as its type declares it
/// (`share:`): kicker, headline and text, their `{field}`s filled. The
/// share image and the embeddable card both show it.
fn share_text(site: &Site, i: usize) -> Option<[String; 3]> {
    let fm = &site.nodes[i].doc.fm;
    let share = site.config.model.of(fm)?.share.as_ref()?;
    let lookup = |name: &str| -> Option<String> {
        match name {
            "title" => Some(fm.title.clone()),
            _ => fm.extra.get(name).and_then(model::key_text),
        }
    };
    let fill = |template: &str| model::fill(template, &lookup).unwrap_or_default();
    Some([
        fill(&share.kicker),
        fill(&share.headline),
        fill(&share.text),
    ])
}

/// The share images (`share/site.png`, `share/<key>.png`), rendered in
/// parallel and cached by content under `<root>/.nqsite-cache/share/`;
/// left empty unless `draw` (`nqsite check` only needs their paths).
fn share_images(
    root: &Path,
    site: &Site,
    draw: bool,
) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
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
    for i in 0..site.nodes.len() {
        let Some([kicker, headline, text]) = share_text(site, i) else {
            continue;
        };
        cards.push((
            context::share_path(site, i),
            share::Card {
                kicker: kicker.to_uppercase(),
                headline,
                text,
                footer: footer.clone(),
                accent: accent.clone(),
            },
        ));
    }
    if !draw {
        return Ok(cards.into_iter().map(|(p, _)| (p, Vec::new())).collect());
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

/// The files of the site's own `static/` folder (if any): their path in
/// the output and on disk.
fn site_static_files(root: &Path) -> Result<Vec<(String, PathBuf)>, Diagnostic> {
    let dir = root.join("static");
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let walker = walkdir::WalkDir::new(&dir)
        .follow_links(true)
        .sort_by_file_name();
    let mut files = Vec::new();
    for entry in walker {
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
        files.push((rel, entry.into_path()));
    }
    Ok(files)
}

/// The profile's `local_guidance` must name one document of the site
/// (`binh-phuoc`, or `guidance:binh-phuoc` when the key is not unique).
fn check_profile(site: &Site) -> Result<(), Vec<Diagnostic>> {
    let Some(p) = &site.config.profile else {
        return Ok(());
    };
    let Some(id) = &p.local_guidance else {
        return Ok(());
    };
    let Err(candidates) = site.reference(id) else {
        return Ok(());
    };
    let at = |msg: String| Diagnostic::error(&p.shown, p.local_guidance_line, 1, msg);
    Err(vec![if candidates.is_empty() {
        let keys: Vec<String> = site
            .nodes
            .iter()
            .filter_map(|n| n.entity.as_ref())
            .map(|(_, k)| k.clone())
            .collect();
        let near = diag::closest(id, keys.iter().map(String::as_str), 3);
        at(format!("không có văn bản nào mang mã `{id}`")).hint(if near.is_empty() {
            "`local_guidance` là mã (`id`) của văn bản hướng dẫn của đơn vị".to_string()
        } else {
            diag::did_you_mean(near.iter().map(|n| format!("`local_guidance: {n}`")))
        })
    } else {
        at(format!("mã `{id}` thuộc nhiều loại tài liệu")).hint(format!(
            "ghi rõ loại: {}",
            candidates
                .iter()
                .map(|c| format!("`local_guidance: {c}`"))
                .collect::<Vec<_>>()
                .join(" hoặc ")
        ))
    }])
}

/// The profile's logo and colour stylesheet, with their output names.
fn profile_assets(root: &Path, config: &Config) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    let Some(profile) = &config.profile else {
        return Ok(Vec::new());
    };
    let mut files = Vec::new();
    if let Some((path, name)) = &profile.logo {
        let bytes = fsutil::read_bytes(root, path, path.strip_prefix(root).unwrap_or(path))?;
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
