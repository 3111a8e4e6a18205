//! Incremental rebuilds for `nqsite serve`: the same one-way pipeline as
//! `nqsite build`, with what did not change kept in memory between builds.
//!
//! - Content: every build lists `content/` and re-reads only the files whose
//!   size or modification time changed (or that the watcher named).
//! - Markdown: a body is rendered again only when its text changed or when one
//!   of its links now resolves differently (each link's outcome is recorded and
//!   replayed against the new site, which is cheap).
//! - Templates: only the pages whose context can have changed are rendered
//!   (see [`plan`]); any change to front matter, to the set of documents, to the
//!   configuration, the theme or the context shared by every page renders all.
//! - Output: files are written only when their bytes changed (temp file +
//!   rename); files no longer produced are removed. The first build swaps the
//!   whole folder in through [`Staging`].
//!
//! The result is always byte for byte what `nqsite build` writes (a test checks it).
//!
//! A one-off build into its output plans its pages the same way, with the
//! page plan of the build before it kept on disk ([`record`]).

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{self, Content, Document};
use crate::context::{Part, PartTable};
use crate::diag::Diagnostic;
use crate::fsutil::{fingerprint, hash64};
use crate::links;
use crate::markdown::{self, LinkOutcome, RefKind, Rendered};
use crate::output::{
    Collector, OutputLock, Plan, Printed, Staging, Target, Wait, Writer, write_file,
};
use crate::render::Theme;
use crate::resolve::{self, Site};
use crate::search;
use crate::xref::Xref;
use crate::{BuildOptions, resolve_and_render, write_site};

mod record;
pub(crate) use record::BuildPlan;

/// What changed on disk since the last build, as reported by the watcher.
#[derive(Debug, Default, Clone)]
pub struct Changes {
    /// Content files named by the watcher (relative to `content/`).
    pub content: HashSet<String>,
    /// `content` names every path under `content/` that changed (no event
    /// was lost): the folder need not be listed again.
    pub content_listed: bool,
    /// Something under `themes/` changed.
    pub theme: bool,
    /// `site.yaml` or a profile changed.
    pub config: bool,
    /// Only stylesheets changed (the browser can swap them without a reload).
    pub css_only: bool,
}

/// What a successful rebuild did.
#[derive(Debug, Clone)]
pub struct Rebuilt {
    /// Pages (and sections) whose templates were rendered.
    pub rendered: usize,
    /// Files whose bytes changed and were written.
    pub written: usize,
    /// Files removed because no page produces them any more.
    pub removed: usize,
    /// Number of documents in the site.
    pub nodes: usize,
    /// Wall time of the rebuild.
    pub millis: f64,
    /// Output files written (site-relative), for the browser's CSS swap.
    pub changed: Vec<String>,
    /// Problems that do not stop the build.
    pub warnings: Vec<Diagnostic>,
}

/// The state kept between builds.
pub struct Session {
    opts: BuildOptions,
    output: PathBuf,
    /// Every listed file as last read, by path.
    docs: foldhash::HashMap<String, CachedDoc>,
    /// The listing of `content/` of the last build, when listing it met
    /// no errors.
    listing: Option<Listing>,
    theme: Option<Theme>,
    theme_generation: u64,
    bodies: HashMap<String, CachedBody>,
    /// The link table [`Session::bodies`] was last checked against.
    bodies_table: Option<u64>,
    /// The theme's own ids the cached bodies' headings avoided.
    reserved_ids: BTreeSet<String>,
    search: search::Cache,
    /// Output files on disk (site-relative path → fingerprint of the bytes).
    written: foldhash::HashMap<String, u64>,
    prev: Option<Snapshot>,
}

type Stamp = (Option<SystemTime>, u64);

struct CachedDoc {
    stamp: Stamp,
    result: Result<Document, Vec<Diagnostic>>,
    /// Fingerprints of the document's head and body, taken when it was read.
    fingerprints: Fingerprints,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Fingerprints {
    head: u64,
    body: u64,
}

impl Fingerprints {
    fn of(doc: &Document) -> Fingerprints {
        Fingerprints {
            head: head_fingerprint(doc),
            body: content::body_hash(&doc.body),
        }
    }
}

/// A link outcome with the target named by its path instead of its index
/// (indices shift when documents are added or removed).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Keep,
    Rewrite(String),
    Internal {
        href: String,
        target: String,
        anchor: Option<String>,
    },
    Path {
        href: String,
        path: String,
        anchor: Option<String>,
        asset: Option<String>,
    },
    Broken {
        message: String,
        hint: String,
    },
}

struct CachedBody {
    body: u64,
    /// The fingerprint of what the links were resolved against
    /// ([`links::Table`]): while it is the same, so is every outcome.
    table: u64,
    outcomes: Vec<(String, RefKind, Outcome)>,
    rendered: Rendered,
    targets: Vec<String>,
}

/// The template stage's result: the files, the pages rendered, the
/// fingerprints of the parts pages read, and what each rendered page read.
#[derive(Default)]
struct Pages {
    files: Vec<(String, Printed)>,
    wanted: Vec<bool>,
    parts: PartTable,
    reads: Vec<(usize, Vec<Part>)>,
}

/// What the page plan compares between two builds.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct Snapshot {
    rels: Vec<String>,
    /// What places each document: path, kind, entity, aliases, section
    /// contents. A change there renders every page.
    structure: Vec<u64>,
    heads: Vec<u64>,
    bodies: Vec<u64>,
    config: u64,
    theme: u64,
    parts: PartTable,
    /// The parts each page's context read when it was last rendered.
    reads: Vec<Vec<Part>>,
}

impl Session {
    /// A session writing into `opts.output` (default `<root>/public`).
    pub fn new(opts: BuildOptions) -> Session {
        let output = opts
            .output
            .clone()
            .unwrap_or_else(|| opts.root.join("public"));
        Session {
            opts,
            output,
            docs: foldhash::HashMap::default(),
            listing: None,
            theme: None,
            theme_generation: 0,
            bodies: HashMap::new(),
            bodies_table: None,
            reserved_ids: BTreeSet::new(),
            search: search::Cache::new(),
            written: foldhash::HashMap::default(),
            prev: None,
        }
    }

    /// The output folder.
    pub fn output(&self) -> &Path {
        &self.output
    }

    /// Rebuilds the site. On error the output folder is left as it was and
    /// every problem is returned, sorted by file and line.
    pub fn rebuild(&mut self, changes: &Changes) -> Result<Rebuilt, Vec<Diagnostic>> {
        let started = Instant::now();
        self.run(changes, started).map_err(|mut e| {
            crate::diag::sort(&mut e);
            e
        })
    }

    fn run(&mut self, changes: &Changes, started: Instant) -> Result<Rebuilt, Vec<Diagnostic>> {
        // Taken first: a build that stops before the content is read leaves
        // no listing, and the next one lists `content/` (the files this
        // build was told about are looked at then).
        let listing = self.listing.take();
        let root = self.opts.root.clone();
        let config = Config::load(
            &root,
            self.opts.base_url.as_deref(),
            self.opts.profile.as_deref(),
        )?;
        let config_fp = config_fingerprint(&config);
        let theme_stale = self.prev.as_ref().is_none_or(|p| p.config != config_fp);
        if changes.theme || changes.config || theme_stale || self.theme.is_none() {
            self.theme = None;
        }
        let keep_guide = self.opts.editor_guide || config.editor_guide;
        let docs = self.refresh_docs(listing, changes, keep_guide);
        let theme = self.load_theme(&config, &root);
        let docs = match (docs, theme) {
            (Ok(d), Ok(())) => d,
            (d, t) => return Err(d.err().into_iter().chain(t.err()).flatten().collect()),
        };
        lap(started, "load");
        let (site, rendered, xref) = resolve_and_render(
            config,
            docs,
            |site| self.render_bodies(site),
            &mut |stage| lap(started, stage),
        )?;
        let (heads, bodies) = site
            .nodes
            .iter()
            .map(|n| {
                let f = self.fingerprints(&n.doc);
                (f.head, f.body)
            })
            .unzip();
        let snap = Snapshot::of(&site, heads, bodies, config_fp, self.theme_generation);
        let Pages {
            files,
            wanted,
            parts,
            reads,
        } = self.render_pages(&site, rendered, &xref, &snap)?;
        lap(started, "templates");
        let warnings = self
            .theme
            .as_ref()
            .map(|t| crate::site_warnings(&site, t))
            .unwrap_or_default();
        let (written, removed, changed) = self.commit(files, &site, &wanted)?;
        lap(started, "write");
        self.prev = Some(snap.after(self.prev.take(), parts, reads));
        Ok(Rebuilt {
            rendered: wanted.iter().filter(|w| **w).count(),
            written,
            removed,
            nodes: site.nodes.len(),
            millis: started.elapsed().as_secs_f64() * 1000.0,
            changed,
            warnings,
        })
    }

    fn load_theme(&mut self, config: &Config, root: &Path) -> Result<(), Vec<Diagnostic>> {
        if self.theme.is_none() {
            let mut theme = Theme::load(&config.theme_dir(root), root)?;
            theme.keep_renders();
            if self.reserved_ids != theme.reserved_ids {
                // Heading ids depend on the ids the theme keeps for itself.
                self.bodies.clear();
                self.reserved_ids = theme.reserved_ids.clone();
            }
            self.theme = Some(theme);
            self.theme_generation += 1;
        }
        Ok(())
    }

    /// Lists `content/` (or, when the watcher named every change, updates
    /// the `last` listing) and re-reads the files that changed.
    fn refresh_docs(
        &mut self,
        last: Option<Listing>,
        changes: &Changes,
        keep_guide: bool,
    ) -> Result<Content, Vec<Diagnostic>> {
        let root = &self.opts.root;
        let content_dir = root.join("content");
        let touched = &changes.content;
        if !content_dir.is_dir() {
            self.docs.clear();
            return content::load(root, &content_dir);
        }
        let shown_root = PathBuf::from("content");
        let updated = last
            .filter(|_| changes.content_listed)
            .and_then(|l| l.update(&content_dir, touched));
        // Without a complete list of changes, every file is listed and
        // its size and time looked at; with one, only the named files are.
        let (listing, mut errors, stat_all) = match updated {
            Some(listing) => (listing, Vec::new(), false),
            None => {
                let (files, assets, errors) = content::walk(&content_dir, &shown_root);
                (Listing { files, assets }, errors, true)
            }
        };
        // A listing with errors (a broken link, a loop) is made again next
        // time, so that its errors are reported again.
        let listed_cleanly = errors.is_empty();
        let old = &self.docs;
        // Stat the files (in parallel); read only the changed ones.
        let read: Vec<Option<CachedDoc>> = listing
            .files
            .par_iter()
            .map(|(path, rel)| {
                // A file the watcher named is read again whatever its stamp.
                let known = old.get(rel).filter(|_| !touched.contains(rel));
                if known.is_some() && !stat_all {
                    return None;
                }
                let stamp = stamp(path);
                match known {
                    Some(c) if c.stamp == stamp => None,
                    _ => {
                        let result = content::read_document(root, path, rel, &shown_root);
                        let fingerprints =
                            result.as_ref().map(Fingerprints::of).unwrap_or_default();
                        Some(CachedDoc {
                            stamp,
                            result,
                            fingerprints,
                        })
                    }
                }
            })
            .collect();
        // Updated in place: a save reads one file of thousands.
        for ((_, rel), doc) in listing.files.iter().zip(read) {
            if let Some(doc) = doc {
                self.docs.insert(rel.clone(), doc);
            }
        }
        // Every listed file is kept now; any other was listed before.
        if self.docs.len() != listing.files.len() {
            let listed: HashSet<&str> = listing.files.iter().map(|(_, r)| r.as_str()).collect();
            self.docs.retain(|rel, _| listed.contains(rel.as_str()));
        }
        let mut docs = Vec::with_capacity(listing.files.len());
        for c in listing
            .files
            .iter()
            .filter_map(|(_, rel)| self.docs.get(rel))
        {
            match &c.result {
                Ok(doc) if !doc.fm.draft => docs.push(doc.clone()),
                Ok(_) => {}
                Err(e) => errors.extend(e.iter().cloned()),
            }
        }
        let assets = listing.assets.clone();
        if listed_cleanly {
            self.listing = Some(listing);
        }
        if errors.is_empty() {
            Ok(Content {
                docs: content::drop_editor_only(docs, keep_guide),
                assets,
            })
        } else {
            Err(errors)
        }
    }

    /// The fingerprints taken when `doc` was read (computed for documents
    /// that were not read from a file, such as a generated home page).
    fn fingerprints(&self, doc: &Document) -> Fingerprints {
        match self.docs.get(&doc.rel) {
            Some(c) if c.result.is_ok() => c.fingerprints,
            _ => Fingerprints::of(doc),
        }
    }

    /// Renders the bodies that changed; reuses the others.
    fn render_bodies(&mut self, site: &Site) -> Vec<Rendered> {
        let cache = &self.bodies;
        let table = links::Table::new(site);
        let print = table.fingerprint();
        let results: Vec<(Rendered, Kept)> = (0..site.nodes.len())
            .into_par_iter()
            .map(|i| {
                let doc = &site.nodes[i].doc;
                let body = self.fingerprints(doc).body;
                cache
                    .get(&doc.rel)
                    .and_then(|c| reuse(site, (&table, print), i, body, c))
                    .unwrap_or_else(|| {
                        let c = render_recorded(site, (&table, print), i, body, &self.reserved_ids);
                        (c.rendered.clone(), Kept::Fresh(c))
                    })
            })
            .collect();
        // The table covers every document's path in `content/`: while it
        // is the same, no cached body belongs to a document that is gone.
        if self.bodies_table != Some(print) {
            let live: HashSet<&str> = site.nodes.iter().map(|n| n.doc.rel.as_str()).collect();
            self.bodies.retain(|rel, _| live.contains(rel.as_str()));
            self.bodies_table = Some(print);
        }
        let mut out = Vec::with_capacity(results.len());
        for (i, (r, kept)) in results.into_iter().enumerate() {
            match kept {
                Kept::Same => {}
                Kept::Fresh(c) => {
                    self.bodies.insert(site.nodes[i].doc.rel.clone(), c);
                }
                Kept::Retabled => {
                    if let Some(c) = self.bodies.get_mut(&site.nodes[i].doc.rel) {
                        c.table = print;
                        c.rendered = r.clone();
                    }
                }
            }
            out.push(r);
        }
        out
    }

    /// Runs the template stage (only the planned pages) into memory.
    fn render_pages(
        &mut self,
        site: &Site,
        rendered: Vec<Rendered>,
        xref: &Xref,
        snap: &Snapshot,
    ) -> Result<Pages, Vec<Diagnostic>> {
        let Some(theme) = &self.theme else {
            return Ok(Pages::default());
        };
        let prev = if self.written.is_empty() {
            None
        } else {
            self.prev.as_ref()
        };
        let planner = |parts: &PartTable| plan(prev, snap, parts);
        let collector = Collector::new(Plan::new(&planner).with_prior(&self.output));
        let writer = Writer::collecting(&collector);
        write_site(
            &self.opts.root,
            site,
            theme,
            rendered,
            // The bodies' HTML is kept between saves.
            &|_, r| Ok(std::sync::Arc::clone(&r.html)),
            xref,
            &writer,
            &|_, _| {},
            search::Prior::Cache(&mut self.search),
        )?;
        let wanted = collector.plan().wanted().to_vec();
        let parts = collector.plan().parts();
        let reads = collector.plan().take_reads();
        Ok(Pages {
            files: collector.into_files(),
            wanted,
            parts,
            reads,
        })
    }

    /// Writes what changed; the first build swaps the whole folder in.
    fn commit(
        &mut self,
        files: Vec<(String, Printed)>,
        site: &Site,
        wanted: &[bool],
    ) -> Result<(usize, usize, Vec<String>), Vec<Diagnostic>> {
        let target =
            Target::new(&self.opts.root, &self.output, self.opts.force).map_err(|d| vec![d])?;
        let lock = OutputLock::acquire(target.dir(), Wait::Yes).map_err(|d| vec![d])?;
        if self.written.is_empty() {
            return self.commit_all(&files, &target, &lock).map_err(|d| vec![d]);
        }
        let result = self.commit_changed(files, site, wanted);
        if result.is_err() {
            // The folder is in an unknown state: the next build writes it all.
            self.written.clear();
            self.prev = None;
        }
        result.map_err(|d| vec![d])
    }

    fn commit_all(
        &mut self,
        files: &[(String, Printed)],
        target: &Target,
        lock: &OutputLock,
    ) -> Result<(usize, usize, Vec<String>), Diagnostic> {
        let staging = Staging::new(target, lock)?;
        for (rel, file) in files {
            if let Err(e) = staging.write(rel, &file.bytes) {
                staging.abort();
                return Err(e);
            }
        }
        staging.commit()?;
        self.written = files
            .iter()
            .map(|(rel, file)| (rel.clone(), file.print))
            .collect();
        Ok((files.len(), 0, Vec::new()))
    }

    fn commit_changed(
        &mut self,
        files: Vec<(String, Printed)>,
        site: &Site,
        wanted: &[bool],
    ) -> Result<(usize, usize, Vec<String>), Diagnostic> {
        let paths: HashMap<&str, usize> = site
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.path.as_str(), i))
            .collect();
        let mut changed = Vec::new();
        let mut produced: foldhash::HashSet<String> =
            foldhash::HashSet::with_capacity_and_hasher(files.len(), Default::default());
        for (rel, file) in files {
            if self.written.get(&rel) != Some(&file.print) {
                write_atomic(&self.output, &rel, &file.bytes)?;
                self.written.insert(rel.clone(), file.print);
                changed.push(rel.clone());
            }
            produced.insert(rel);
        }
        // What this build did not produce is stale, but for the files of the
        // pages it did not render (they stay as they are).
        let stale: Vec<String> = self
            .written
            .keys()
            .filter(|rel| {
                !produced.contains(*rel) && page_owner(rel, &paths).is_none_or(|i| wanted[i])
            })
            .cloned()
            .collect();
        for rel in &stale {
            remove_output(&self.output, rel);
            self.written.remove(rel);
        }
        Ok((changed.len(), stale.len(), changed))
    }
}

/// The files of `content/`, as [`content::walk`] lists them.
struct Listing {
    /// Documents: path, and path relative to `content/`.
    files: Vec<(PathBuf, String)>,
    /// The other files, relative to `content/`.
    assets: Vec<String>,
}

impl Listing {
    /// The listing once the files at `paths` (relative to `content/`) have
    /// changed, or `None` when one of them needs the folder listed again:
    /// a folder, a link, a file that cannot be looked at.
    fn update(mut self, content_dir: &Path, paths: &HashSet<String>) -> Option<Listing> {
        for rel in paths.iter().filter(|r| content::is_listed(Path::new(r))) {
            let path = content_dir.join(rel);
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.file_type().is_file() => self.insert(path, rel),
                Ok(_) => return None,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => self.remove(rel),
                Err(_) => return None,
            }
        }
        Some(self)
    }

    fn insert(&mut self, path: PathBuf, rel: &str) {
        let at = |r: &str| Path::new(r).cmp(Path::new(rel));
        if content::is_markdown(&path) {
            if let Err(i) = self.files.binary_search_by(|(_, r)| at(r)) {
                self.files.insert(i, (path, rel.to_string()));
            }
        } else if let Err(i) = self.assets.binary_search_by(|r| at(r)) {
            self.assets.insert(i, rel.to_string());
        }
    }

    /// Forgets the file at `rel`, or everything under it (a folder gone).
    fn remove(&mut self, rel: &str) {
        let gone = |r: &str| Path::new(r).starts_with(rel);
        self.files.retain(|(_, r)| !gone(r));
        self.assets.retain(|r| !gone(r));
    }
}

impl Snapshot {
    /// The snapshot of `site` before its pages are rendered: `heads` and
    /// `bodies` are the documents' fingerprints, by node.
    fn of(site: &Site, heads: Vec<u64>, bodies: Vec<u64>, config: u64, theme: u64) -> Snapshot {
        Snapshot {
            rels: site.nodes.iter().map(|n| n.doc.rel.clone()).collect(),
            structure: site.nodes.iter().map(structure_fingerprint).collect(),
            heads,
            bodies,
            config,
            theme,
            parts: PartTable::default(),
            reads: Vec::new(),
        }
    }

    /// The snapshot once the pages are rendered: the parts, and what each
    /// page read when it was last rendered (`reads` for the pages rendered
    /// now, `prev`'s for the others).
    fn after(
        self,
        prev: Option<Snapshot>,
        parts: PartTable,
        reads: Vec<(usize, Vec<Part>)>,
    ) -> Snapshot {
        let n = self.rels.len();
        let kept = prev.filter(|p| p.reads.len() == n);
        let mut all_reads = kept.map_or_else(|| vec![Vec::new(); n], |p| p.reads);
        for (i, r) in reads {
            all_reads[i] = r;
        }
        Snapshot {
            parts,
            reads: all_reads,
            ..self
        }
    }

    /// True if `part` differs between `self` (the last build) and `now`.
    fn changed(&self, now: &Snapshot, parts: &PartTable, part: Part) -> bool {
        match part {
            Part::Head(j) => self.heads.get(j) != now.heads.get(j),
            Part::Body(j) => self.bodies.get(j) != now.bodies.get(j),
            _ => self.parts.get(part) != parts.get(part),
        }
    }
}

/// Where a node sits and what it is: a change here can move links and
/// pages anywhere in the site.
fn structure_fingerprint(node: &resolve::Node) -> u64 {
    let doc = &node.doc;
    fingerprint(&(
        &node.path,
        doc.is_section,
        &doc.fm.doc_type,
        &node.entity,
        &doc.fm.aliases,
        node.parent,
        &node.pages,
        &node.subsections,
    ))
}

/// The configuration's fingerprint: any change renders every page.
fn config_fingerprint(config: &Config) -> u64 {
    hash64(format!("{config:?}").as_bytes())
}

/// Everything about a document except its body: front matter, kind, path.
fn head_fingerprint(doc: &Document) -> u64 {
    fingerprint(&(&doc.rel, doc.is_section, &*doc.fm))
}

/// Decides which pages to render: every page, unless the last build had
/// the same documents in the same places ([`structure_fingerprint`]), the
/// same configuration and theme; then only the pages that read a part (see
/// [`Part`]) that changed since. What a page reads is recorded while its
/// context is built, so no rule about what depends on what is written here.
fn plan(prev: Option<&Snapshot>, snap: &Snapshot, parts: &PartTable) -> Vec<bool> {
    let n = snap.rels.len();
    let Some(prev) = prev.filter(|p| {
        p.rels == snap.rels
            && p.structure == snap.structure
            && p.config == snap.config
            && p.theme == snap.theme
            && p.reads.len() == n
    }) else {
        return vec![true; n];
    };
    (0..n)
        .map(|i| {
            let read = &prev.reads[i];
            read.is_empty() || read.iter().any(|&part| prev.changed(snap, parts, part))
        })
        .collect()
}

/// The node whose page (or paper variant of it) an output file is.
fn page_owner(rel: &str, paths: &HashMap<&str, usize>) -> Option<usize> {
    let dir = rel.strip_suffix("index.html")?;
    if let Some(&i) = paths.get(dir) {
        return Some(i);
    }
    let (parent, _) = dir.strip_suffix('/')?.rsplit_once('/')?;
    paths.get(format!("{parent}/").as_str()).copied()
}

/// What becomes of a body's cache entry after a build.
enum Kept {
    /// Left as it is: reused, resolved against the same table.
    Same,
    /// Reused under another table: the entry takes the new table's
    /// fingerprint and the links' new targets, so that the next build
    /// neither resolves its links again nor looks their targets up.
    Retabled,
    /// Rendered again: the new entry.
    Fresh(CachedBody),
}

/// Reuses a cached body when its text is the same and every link resolves
/// as before: without resolving them again when what they were resolved
/// against did not change (`table`: the site's link table and its
/// fingerprint, which covers every document's path in `content/` in node
/// order, so that the links' targets are then the same nodes too).
fn reuse(
    site: &Site,
    (table, print): (&links::Table, u64),
    i: usize,
    body: u64,
    cached: &CachedBody,
) -> Option<(Rendered, Kept)> {
    if cached.body != body {
        return None;
    }
    if cached.table == print {
        return Some((cached.rendered.clone(), Kept::Same));
    }
    for (dest, kind, outcome) in &cached.outcomes {
        if !outcome.matches(site, &links::resolve_link(table, i, dest, *kind)) {
            return None;
        }
    }
    let mut r = cached.rendered.clone();
    let targets: Vec<usize> = cached
        .targets
        .iter()
        .map(|t| site.by_rel(t))
        .collect::<Option<_>>()?;
    if r.links.iter().zip(&targets).any(|(l, &t)| l.target != t) {
        for (link, target) in std::sync::Arc::make_mut(&mut r.links)
            .iter_mut()
            .zip(targets)
        {
            link.target = target;
        }
    }
    Some((r, Kept::Retabled))
}

/// Renders a body, recording what each link resolved to.
fn render_recorded(
    site: &Site,
    (table, print): (&links::Table, u64),
    i: usize,
    body: u64,
    reserved: &BTreeSet<String>,
) -> CachedBody {
    let log = RefCell::new(Vec::new());
    let rendered = markdown::render(&site.nodes[i].doc.body, reserved, &|dest, kind| {
        let outcome = links::resolve_link(table, i, dest, kind);
        log.borrow_mut()
            .push((dest.to_string(), kind, outcome_key(site, &outcome)));
        outcome
    });
    let targets = rendered
        .links
        .iter()
        .map(|l| site.nodes[l.target].doc.rel.clone())
        .collect();
    CachedBody {
        body,
        table: print,
        outcomes: log.into_inner(),
        rendered,
        targets,
    }
}

impl Outcome {
    /// True when `o` is this outcome (compared without building a key).
    fn matches(&self, site: &Site, o: &LinkOutcome) -> bool {
        match (self, o) {
            (Outcome::Keep, LinkOutcome::Keep) => true,
            (Outcome::Rewrite(a), LinkOutcome::Rewrite(b)) => a == b,
            (
                Outcome::Internal {
                    href,
                    target,
                    anchor,
                },
                LinkOutcome::Internal {
                    href: h,
                    target: t,
                    anchor: a,
                },
            ) => {
                href == h && anchor == a && site.nodes.get(*t).is_some_and(|n| n.doc.rel == *target)
            }
            (
                Outcome::Path {
                    href,
                    path,
                    anchor,
                    asset,
                },
                LinkOutcome::Path {
                    href: h,
                    path: p,
                    anchor: a,
                    asset: s,
                },
            ) => href == h && path == p && anchor == a && asset == s,
            (
                Outcome::Broken { message, hint },
                LinkOutcome::Broken {
                    message: m,
                    hint: h,
                },
            ) => message == m && hint == h,
            _ => false,
        }
    }
}

fn outcome_key(site: &Site, o: &LinkOutcome) -> Outcome {
    match o {
        LinkOutcome::Keep => Outcome::Keep,
        LinkOutcome::Rewrite(h) => Outcome::Rewrite(h.clone()),
        LinkOutcome::Internal {
            href,
            target,
            anchor,
        } => Outcome::Internal {
            href: href.clone(),
            target: site
                .nodes
                .get(*target)
                .map(|n| n.doc.rel.clone())
                .unwrap_or_default(),
            anchor: anchor.clone(),
        },
        LinkOutcome::Path {
            href,
            path,
            anchor,
            asset,
        } => Outcome::Path {
            href: href.clone(),
            path: path.clone(),
            anchor: anchor.clone(),
            asset: asset.clone(),
        },
        LinkOutcome::Broken { message, hint } => Outcome::Broken {
            message: message.clone(),
            hint: hint.clone(),
        },
    }
}

/// Prints the time since `started` when `NQSITE_TIMINGS` is set (benchmarks).
fn lap(started: Instant, stage: &str) {
    if std::env::var_os("NQSITE_TIMINGS").is_some() {
        eprintln!(
            "  {stage:<10} {:>8.1} ms",
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
}

fn stamp(path: &Path) -> Stamp {
    match std::fs::metadata(path) {
        Ok(m) => (m.modified().ok(), m.len()),
        Err(_) => (None, u64::MAX),
    }
}

/// Writes `dir/rel` through a temporary file and a rename, so the server never
/// reads a half-written file.
fn write_atomic(dir: &Path, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
    let (parent, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let tmp_rel = if parent.is_empty() {
        format!(".{name}.nqsite-new")
    } else {
        format!("{parent}/.{name}.nqsite-new")
    };
    write_file(dir, &tmp_rel, bytes)?;
    let (from, to) = (dir.join(&tmp_rel), dir.join(rel));
    std::fs::rename(&from, &to).map_err(|e| Diagnostic::io(&to, "ghi tệp", &e))
}

/// Removes an output file no page produces any more, and its folder if empty.
fn remove_output(dir: &Path, rel: &str) {
    let path = dir.join(rel);
    let _ = std::fs::remove_file(&path);
    let mut cur = path.parent();
    while let Some(p) = cur {
        if p == dir || std::fs::remove_dir(p).is_err() {
            break;
        }
        cur = p.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_s_fingerprint_changes_with_any_value_of_its_front_matter() {
        let print = |yaml: &str| {
            let text = format!("---\n{yaml}\n---\nThân bài.\n");
            let doc = content::parse_document(&text, "a.md", PathBuf::from("content/a.md"));
            head_fingerprint(&doc.unwrap())
        };
        let base = "title: Một\nvalue: 0.7\nyears: [2030, 2045]\nrows:\n  - {id: a, n: 1.5}";
        let same = print(base);
        assert_eq!(same, print(base));
        for changed in [
            "title: Hai\nvalue: 0.7\nyears: [2030, 2045]\nrows:\n  - {id: a, n: 1.5}",
            "title: Một\nvalue: 0.8\nyears: [2030, 2045]\nrows:\n  - {id: a, n: 1.5}",
            "title: Một\nvalue: '0.7'\nyears: [2030, 2045]\nrows:\n  - {id: a, n: 1.5}",
            "title: Một\nvalue: 0.7\nyears: [2045, 2030]\nrows:\n  - {id: a, n: 1.5}",
            "title: Một\nvalue: 0.7\nyears: [2030, 2045]\nrows:\n  - {id: a, n: 2.5}",
            "title: Một\nvalue: 0.7\nyears: [2030, 2045]\nrows:\n  - {id: b, n: 1.5}",
        ] {
            assert_ne!(same, print(changed), "{changed}");
        }
    }

    #[test]
    fn a_listing_updated_from_named_changes_is_the_listing_made_anew() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        let write = |rel: &str| {
            let p = content.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        };
        for rel in [
            "a.md",
            "a b.md",
            "a/x.md",
            "a/hinh.png",
            "b/_index.md",
            "z.md",
        ] {
            write(rel);
        }
        let shown = PathBuf::from("content");
        let walk = || {
            let (files, assets, errors) = content::walk(&content, &shown);
            assert!(errors.is_empty());
            Listing { files, assets }
        };
        let names = |paths: &[&str]| paths.iter().map(|p| p.to_string()).collect();
        let mut listing = walk();
        // New files among old ones (a name that sorts before a folder of
        // the same start), a file and a folder gone, an editor's hidden file.
        write("a.0.md");
        write("a/b.md");
        write("a/.a.md.swp");
        write("b/c.pdf");
        std::fs::remove_file(content.join("z.md")).unwrap();
        std::fs::remove_file(content.join("a/hinh.png")).unwrap();
        let changed = [
            "a.0.md",
            "a/b.md",
            "a/.a.md.swp",
            "b/c.pdf",
            "z.md",
            "a/hinh.png",
        ];
        listing = listing.update(&content, &names(&changed)).unwrap();
        let anew = walk();
        assert_eq!(listing.files, anew.files);
        assert_eq!(listing.assets, anew.assets);
        std::fs::remove_dir_all(content.join("b")).unwrap();
        listing = listing.update(&content, &names(&["b"])).unwrap();
        assert_eq!(listing.files, walk().files);
        assert_eq!(listing.assets, walk().assets);
        // A folder named: the folder is listed again.
        write("c/d.md");
        assert!(listing.update(&content, &names(&["c"])).is_none());
    }

    #[test]
    fn finds_the_page_an_output_file_belongs_to() {
        let paths: HashMap<&str, usize> = [("", 0), ("a/", 1), ("a/b/", 2)].into_iter().collect();
        assert_eq!(page_owner("index.html", &paths), Some(0));
        assert_eq!(page_owner("a/b/index.html", &paths), Some(2));
        assert_eq!(page_owner("a/b/a3/index.html", &paths), Some(2));
        assert_eq!(page_owner("x/y/z/index.html", &paths), None);
        assert_eq!(page_owner("a/style.css", &paths), None);
    }

    #[test]
    fn bodies_kept_under_a_new_link_table_are_not_resolved_again_at_the_next_build() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |rel: &str, text: &str| {
            let p = root.join("content").join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write("a.md", "---\ntitle: A\n---\nXem [B](b.md).\n");
        write("b.md", "---\ntitle: B\n---\nNội dung.\n");
        let mut session = Session::new(BuildOptions {
            root: root.to_path_buf(),
            output: Some(root.join("public")),
            base_url: None,
            check_only: false,
            profile: None,
            portable: false,
            zip: None,
            editor_guide: false,
            pdf: false,
            force: false,
            no_wait: false,
        });
        let target_of_a = |s: &Session| s.bodies["a.md"].rendered.links[0].target;
        session.rebuild(&Changes::default()).unwrap();
        let (first, b_before) = (session.bodies_table.unwrap(), target_of_a(&session));
        // A page that sorts first: every other document moves one place, so
        // the link table changes while a.md's body stays as it was.
        write("0.md", "---\ntitle: Đầu\n---\n");
        session.rebuild(&Changes::default()).unwrap();
        let now = session.bodies_table.unwrap();
        assert_ne!(now, first);
        // Every kept body is marked as resolved against the new table, with
        // its links' new targets: the next build takes it as it is.
        assert!(session.bodies.values().all(|c| c.table == now));
        assert_eq!(target_of_a(&session), b_before + 1);
        assert_eq!(session.bodies.len(), 4, "home, 0.md, a.md, b.md");
    }
}
