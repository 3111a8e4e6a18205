//! Write stage: the whole site is written into a staging folder beside the
//! output folder and swapped in only once everything succeeded. A build that
//! fails or is killed leaves the previous output exactly as it was.
//!
//! [`target`] decides whether an output folder may be replaced at all;
//! [`lock`] lets one build at a time write into it.

pub mod lock;
mod spare;
pub mod target;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::context::{Part, PartTable};
use crate::diag::Diagnostic;
pub use lock::{OutputLock, Wait};
use spare::Recycled;
pub use target::{MARKER, Target, ZipTarget, holds_marker};

/// A staging folder that becomes the output folder on [`Staging::commit`].
pub struct Staging {
    output: PathBuf,
    tmp: PathBuf,
    old: PathBuf,
    /// Where the replaced output is kept for the next build.
    spare: PathBuf,
    /// Set when the staging folder is the previous output, recycled.
    recycled: Option<Recycled>,
    pruned: AtomicBool,
}

impl Staging {
    /// Prepares `.<name>.nqsite-tmp.<pid>` beside the output folder, holding
    /// the [`MARKER`], after checking the output again and cleaning up what
    /// killed builds left there. The caller holds the output's lock. The
    /// output the last build replaced, kept as `.<name>.nqsite-spare`,
    /// becomes the staging folder (see [`spare`]).
    pub fn new(target: &Target, _lock: &OutputLock) -> Result<Staging, Diagnostic> {
        let output = target.dir().to_path_buf();
        let pid = std::process::id();
        let mut staging = Staging {
            tmp: lock::owned_sibling(&output, "tmp", pid),
            old: lock::owned_sibling(&output, "old", pid),
            spare: lock::sibling(&output, "spare"),
            output,
            recycled: None,
            pruned: AtomicBool::new(false),
        };
        staging.recover()?;
        target.check()?;
        staging.recycled = staging.take_spare()?;
        if staging.recycled.is_none() {
            std::fs::create_dir(&staging.tmp)
                .map_err(|e| Diagnostic::io(&staging.tmp, "tạo thư mục tạm", &e))?;
        }
        staging.write(MARKER, target::MARKER_TEXT.as_bytes())?;
        Ok(staging)
    }

    /// Moves the spare (if any) to the staging folder's place and lists it.
    fn take_spare(&self) -> Result<Option<Recycled>, Diagnostic> {
        match std::fs::symlink_metadata(&self.spare) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                remove(&self.spare)?;
                return Ok(None);
            }
            Err(_) => return Ok(None),
        }
        if std::fs::rename(&self.spare, &self.tmp).is_err() {
            remove(&self.spare)?;
            return Ok(None);
        }
        match Recycled::index(&self.tmp) {
            Ok(r) => Ok(Some(r)),
            Err(_) => {
                remove(&self.tmp)?;
                Ok(None)
            }
        }
    }

    /// Undoes what killed builds left: an output moved aside but not
    /// replaced is moved back, stale staging folders are removed. Only
    /// folders of processes that are gone are touched.
    fn recover(&self) -> Result<(), Diagnostic> {
        for old in lock::stale_siblings(&self.output, "old") {
            if std::fs::symlink_metadata(&self.output).is_ok() {
                remove(&old)?;
            } else {
                std::fs::rename(&old, &self.output)
                    .map_err(|e| Diagnostic::io(&old, "khôi phục thư mục kết quả cũ", &e))?;
            }
        }
        // A killed build's staging folder is as good a spare as any: what
        // is recycled is compared byte for byte.
        for tmp in lock::stale_siblings(&self.output, "tmp") {
            if std::fs::symlink_metadata(&self.spare).is_ok()
                || std::fs::rename(&tmp, &self.spare).is_err()
            {
                remove(&tmp)?;
            }
        }
        Ok(())
    }

    /// The staging folder (files are written under it).
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    /// Writes one file, `rel` being its path inside the site (`a/b/index.html`).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        check_rel(rel)?;
        if let Some(r) = &self.recycled
            && r.prepare(&self.tmp, rel, bytes)?
        {
            return Ok(());
        }
        write_checked(&self.tmp, rel, bytes)
    }

    /// Ends the writes through [`Staging::write`]: what a recycled staging
    /// folder holds that this build did not write is removed. Steps that
    /// write into [`Staging::dir`] themselves (PDF, zip) come after.
    pub fn seal(&self) -> Result<(), Diagnostic> {
        match &self.recycled {
            Some(r) if !self.pruned.swap(true, Ordering::Relaxed) => r.prune(&self.tmp),
            _ => Ok(()),
        }
    }

    /// Swaps the staging folder in as the output folder. On an error the
    /// previous output is in place again. The previous output is kept as
    /// the spare, for the next build to recycle.
    pub fn commit(self) -> Result<(), Diagnostic> {
        if let Err(e) = self.seal() {
            let _ = remove(&self.tmp);
            return Err(e);
        }
        if std::fs::symlink_metadata(&self.output).is_err() {
            return std::fs::rename(&self.tmp, &self.output).map_err(|e| {
                let _ = remove(&self.tmp);
                Diagnostic::io(&self.output, "tạo thư mục kết quả", &e)
            });
        }
        if exchange(&self.tmp, &self.output) {
            // `tmp` now holds the previous site.
            return self.keep_spare(&self.tmp);
        }
        let fail = |e: std::io::Error| {
            let _ = remove(&self.tmp);
            Diagnostic::io(&self.output, "thay thư mục kết quả", &e)
        };
        std::fs::rename(&self.output, &self.old).map_err(fail)?;
        if let Err(e) = std::fs::rename(&self.tmp, &self.output) {
            let _ = std::fs::rename(&self.old, &self.output);
            return Err(fail(e));
        }
        self.keep_spare(&self.old)
    }

    /// Keeps the replaced output `old` as the spare (removed if that fails).
    fn keep_spare(&self, old: &Path) -> Result<(), Diagnostic> {
        if std::fs::symlink_metadata(&self.spare).is_ok()
            || std::fs::rename(old, &self.spare).is_err()
        {
            return remove(old);
        }
        Ok(())
    }

    /// Throws the staging folder away (the build failed).
    pub fn abort(self) {
        let _ = remove(&self.tmp);
    }
}

/// Refuses output paths that would escape the output folder.
fn check_rel(rel: &str) -> Result<(), Diagnostic> {
    if rel.split('/').any(|p| p == ".." || p == ".") || rel.starts_with('/') || rel.contains('\\') {
        return Err(Diagnostic::error(
            rel,
            0,
            0,
            "đường dẫn kết quả trỏ ra ngoài thư mục kết quả",
        ));
    }
    Ok(())
}

/// Writes `bytes` to `dir/rel`, creating folders; refuses paths that escape `dir`.
pub fn write_file(dir: &Path, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
    check_rel(rel)?;
    write_checked(dir, rel, bytes)
}

/// [`write_file`] for a `rel` already checked.
fn write_checked(dir: &Path, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Diagnostic::io(parent, "tạo thư mục", &e))?;
    }
    std::fs::write(&path, bytes).map_err(|e| Diagnostic::io(&path, "ghi tệp", &e))
}

fn remove(path: &Path) -> Result<(), Diagnostic> {
    lock::remove_any(path).map_err(|e| Diagnostic::io(path, "xoá thư mục", &e))
}

/// Atomically exchanges two paths (Linux `renameat2(RENAME_EXCHANGE)`).
/// Returns false where the system cannot do it; the caller falls back.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let (Ok(ca), Ok(cb)) = (
        CString::new(a.as_os_str().as_bytes()),
        CString::new(b.as_os_str().as_bytes()),
    ) else {
        return false;
    };
    // SAFETY: both pointers are valid NUL-terminated strings for the call's duration.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    rc == 0
}

/// Where rendered files go: the staging folder (or nowhere, for `check`),
/// with links made relative first when the output must be portable. Every
/// path handed to it is recorded, in every mode, so links can be checked
/// against the files the build writes.
pub struct Writer<'a> {
    staging: Option<&'a Staging>,
    portable_base: Option<String>,
    collector: Option<&'a Collector<'a>>,
    plan: Option<&'a Plan<'a>>,
    record: Mutex<Record>,
}

/// What a build wrote: every path, and the ids of the HTML files asked for.
#[derive(Debug, Default)]
pub struct Record {
    /// Every file written (relative to the output folder).
    pub files: foldhash::HashSet<String>,
    /// The ids (`id="…"`) of the HTML files in `want_ids` that were written.
    pub ids: HashMap<String, HashSet<String>>,
    want_ids: HashSet<String>,
}

/// File contents shared without copying (search scripts kept by serve).
pub type Bytes = std::sync::Arc<Vec<u8>>;

/// A file's bytes with their fingerprint ([`crate::fsutil::hash64`]),
/// worked out once, where the bytes are made: `nqsite serve` compares
/// fingerprints to find the files that changed, and at 10,000 pages it
/// hashed the search index's 8,600 scripts (54 MB) again on every save.
#[derive(Debug, Clone)]
pub struct Printed {
    pub bytes: Bytes,
    pub print: u64,
}

impl Printed {
    pub fn new(bytes: Vec<u8>) -> Printed {
        let print = crate::fsutil::hash64(&bytes);
        Printed {
            bytes: Bytes::new(bytes),
            print,
        }
    }
}

/// Which pages a writer wants rendered, decided once the template contexts
/// are known (the fingerprints of the parts pages read tell which pages can
/// have changed).
pub type PagePlan<'a> = dyn Fn(&PartTable) -> Vec<bool> + Sync + 'a;

/// A build that renders only the pages whose context can have changed since
/// the previous build: the plan, what it decided, and what each rendered
/// page read. The pages left out are in the previous output: `nqsite serve`
/// leaves them there; a one-off build copies each one whose bytes are still
/// those its build recorded ([`Plan::carrying`]), and renders the others.
pub struct Plan<'a> {
    decide: &'a PagePlan<'a>,
    wanted: OnceLock<Vec<bool>>,
    parts: OnceLock<PartTable>,
    reads: Mutex<Vec<(usize, Vec<Part>)>>,
    /// The previous build's output.
    prior: Option<PathBuf>,
    carry: Option<Carry>,
}

/// What a one-off build knows of the page files of the output it replaces.
struct Carry {
    /// Each page file, with the fingerprint of the bytes written there.
    recorded: HashMap<String, u64>,
    /// The page files of this build, with the fingerprint of their bytes.
    written: Mutex<Vec<(String, u64)>>,
    /// How many of them were copied from the prior output.
    carried: AtomicUsize,
}

impl<'a> Plan<'a> {
    /// A plan; `decide` maps the fingerprints of the parts of the context
    /// to the pages to render (one flag per node).
    pub fn new(decide: &'a PagePlan<'a>) -> Plan<'a> {
        Plan {
            decide,
            wanted: OnceLock::new(),
            parts: OnceLock::new(),
            reads: Mutex::new(Vec::new()),
            prior: None,
            carry: None,
        }
    }

    /// Where the pages not rendered again are (the output of the previous
    /// build), for the ids their links point to.
    pub fn with_prior(self, output: &Path) -> Plan<'a> {
        Plan {
            prior: Some(output.to_path_buf()),
            ..self
        }
    }

    /// For a one-off build: the page files of the prior output and the
    /// fingerprints recorded when they were written. A page left out is
    /// copied from there when its files' bytes are still those.
    pub fn carrying(self, recorded: HashMap<String, u64>) -> Plan<'a> {
        Plan {
            carry: Some(Carry {
                recorded,
                written: Mutex::default(),
                carried: AtomicUsize::new(0),
            }),
            ..self
        }
    }

    /// The fingerprints of the parts of this build (default before the plan).
    pub fn parts(&self) -> PartTable {
        self.parts.get().cloned().unwrap_or_default()
    }

    /// The parts each rendered page read, by node.
    pub fn take_reads(&self) -> Vec<(usize, Vec<Part>)> {
        std::mem::take(&mut *self.reads.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The pages that were rendered (empty before the plan was made).
    pub fn wanted(&self) -> &[bool] {
        self.wanted.get().map_or(&[], Vec::as_slice)
    }

    /// The page files a carrying build wrote or copied, with the
    /// fingerprints of their bytes, sorted by path.
    pub fn take_page_prints(&self) -> Vec<(String, u64)> {
        let Some(carry) = &self.carry else {
            return Vec::new();
        };
        let mut prints =
            std::mem::take(&mut *carry.written.lock().unwrap_or_else(|e| e.into_inner()));
        prints.sort_unstable();
        prints
    }

    /// How many page files were copied from the prior output.
    pub fn carried(&self) -> usize {
        self.carry
            .as_ref()
            .map_or(0, |c| c.carried.load(Ordering::Relaxed))
    }

    fn wants(&self, i: usize) -> bool {
        self.wanted
            .get()
            .is_none_or(|w| w.get(i).copied().unwrap_or(true))
    }

    fn note_print(&self, rel: &str, print: u64) {
        if let Some(carry) = &self.carry {
            let mut written = carry.written.lock().unwrap_or_else(|e| e.into_inner());
            written.push((rel.to_string(), print));
        }
    }
}

/// Receives the files of a build in memory instead of writing them (used by
/// `nqsite serve`, which then writes only the files whose bytes changed).
pub struct Collector<'a> {
    files: Mutex<Vec<(String, Printed)>>,
    plan: Plan<'a>,
}

impl<'a> Collector<'a> {
    /// A collector rendering the pages `plan` wants.
    pub fn new(plan: Plan<'a>) -> Collector<'a> {
        Collector {
            files: Mutex::new(Vec::new()),
            plan,
        }
    }

    /// The plan the collector followed.
    pub fn plan(&self) -> &Plan<'a> {
        &self.plan
    }

    /// The collected files, sorted by path.
    pub fn into_files(self) -> Vec<(String, Printed)> {
        let mut files = self.files.into_inner().unwrap_or_else(|e| e.into_inner());
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
    }

    fn push(&self, rel: &str, file: Printed) {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.push((rel.to_string(), file));
    }
}

impl<'a> Writer<'a> {
    /// A writer into `staging`; `portable_base` is the base path to make
    /// relative (portable output), `None` to keep links as rendered.
    pub fn new(staging: Option<&'a Staging>, portable_base: Option<String>) -> Writer<'a> {
        Writer {
            staging,
            portable_base,
            collector: None,
            plan: None,
            record: Mutex::default(),
        }
    }

    /// The writer, rendering only the pages `plan` wants.
    pub fn planned(self, plan: &'a Plan<'a>) -> Writer<'a> {
        Writer {
            plan: Some(plan),
            ..self
        }
    }

    /// A writer that hands every file to `collector` instead of the disk.
    pub fn collecting(collector: &'a Collector<'a>) -> Writer<'a> {
        Writer {
            staging: None,
            portable_base: None,
            collector: Some(collector),
            plan: Some(&collector.plan),
            record: Mutex::default(),
        }
    }

    /// Asks for the ids of these HTML files when they are written.
    pub fn want_ids(&self, files: HashSet<String>) {
        self.lock().want_ids = files;
    }

    /// Records a path written without its bytes (`nqsite check`, where
    /// nothing is written and costly files are not made).
    pub fn note(&self, rel: &str) {
        self.lock().files.insert(rel.to_string());
    }

    /// True when some file has already been written at `rel`.
    pub fn has(&self, rel: &str) -> bool {
        self.lock().files.contains(rel)
    }

    /// What was written; `pages` are the page files of the site, all
    /// produced even when a collecting writer rendered only some (their ids
    /// are then read from the previous output).
    pub fn written(&self, pages: impl IntoIterator<Item = String>) -> Record {
        let mut record = std::mem::take(&mut *self.lock());
        record.files.extend(pages);
        let prior = self.plan.and_then(|p| p.prior.as_ref());
        let missing: Vec<String> = record
            .want_ids
            .iter()
            .filter(|f| record.files.contains(*f) && !record.ids.contains_key(*f))
            .cloned()
            .collect();
        for rel in missing {
            if let Some(html) = prior.and_then(|dir| std::fs::read_to_string(dir.join(&rel)).ok()) {
                record.ids.insert(
                    rel,
                    crate::links::html_ids(&html).map(String::from).collect(),
                );
            }
        }
        record
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Record> {
        self.record.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn remember(&self, rel: &str, html: Option<&[u8]>) {
        let wanted = {
            let mut record = self.lock();
            record.files.insert(rel.to_string());
            record.want_ids.contains(rel)
        };
        // The page is scanned outside the lock the render threads share.
        if let Some(html) = html.filter(|_| wanted) {
            let ids = crate::links::html_ids(&String::from_utf8_lossy(html))
                .map(String::from)
                .collect();
            self.lock().ids.insert(rel.to_string(), ids);
        }
    }

    /// Called once the template contexts are ready; a planned writer
    /// decides here which pages it wants.
    pub fn plan(&self, parts: impl FnOnce() -> PartTable) {
        if let Some(p) = self.plan {
            let parts = parts();
            let _ = p.wanted.set((p.decide)(&parts));
            let _ = p.parts.set(parts);
        }
    }

    /// True when the parts each page reads are kept (a planned writer).
    pub fn keeps_reads(&self) -> bool {
        self.plan.is_some()
    }

    /// Keeps the parts page `i`'s context read.
    pub fn reads(&self, i: usize, parts: Vec<Part>) {
        if let Some(p) = self.plan {
            p.reads
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((i, parts));
        }
    }

    /// False when page `i` need not be rendered (its output cannot have changed).
    pub fn wants_page(&self, i: usize) -> bool {
        self.plan.is_none_or(|p| p.wants(i))
    }

    /// True when the pages left out are copied from the previous output
    /// ([`Writer::carry`]) rather than left where they are.
    pub fn carries(&self) -> bool {
        self.plan.is_some_and(|p| p.carry.is_some())
    }

    /// Copies page file `rel` of page `i`, left out by the plan, from the
    /// previous output, if the bytes there are those its build recorded.
    /// False when the page is wanted or its file must be rendered again
    /// (missing, changed or never recorded).
    pub fn carry(&self, i: usize, rel: &str) -> Result<bool, Diagnostic> {
        let Some(plan) = self.plan.filter(|p| !p.wants(i)) else {
            return Ok(false);
        };
        let (Some(carry), Some(prior)) = (&plan.carry, &plan.prior) else {
            return Ok(false);
        };
        let Some(&print) = carry.recorded.get(rel) else {
            return Ok(false);
        };
        let Ok(bytes) = crate::fsutil::read_bytes(prior, &prior.join(rel), Path::new(rel)) else {
            return Ok(false);
        };
        if crate::fsutil::hash64(&bytes) != print {
            return Ok(false);
        }
        plan.note_print(rel, print);
        self.store(rel, &bytes)?;
        carry.carried.fetch_add(1, Ordering::Relaxed);
        Ok(true)
    }

    /// Writes page file `rel`: [`Writer::html`], and a carrying writer
    /// records the fingerprint of the bytes written for the next build.
    pub fn page(&self, rel: &str, html: Vec<u8>) -> Result<(), Diagnostic> {
        match self.plan.filter(|p| p.carry.is_some()) {
            Some(plan) => {
                let bytes = self.final_bytes(rel, html);
                plan.note_print(rel, crate::fsutil::hash64(&bytes));
                self.store(rel, &bytes)
            }
            None => self.html(rel, html),
        }
    }

    /// Writes an HTML file as it is into the staging folder, and notes it.
    fn store(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        self.remember(rel, Some(bytes));
        self.staging.map_or(Ok(()), |s| s.write(rel, bytes))
    }

    /// Writes an HTML page at `rel` (`a/b/index.html`).
    pub fn html(&self, rel: &str, html: Vec<u8>) -> Result<(), Diagnostic> {
        self.remember(rel, Some(&html));
        if let Some(c) = self.collector {
            c.push(rel, Printed::new(html));
            return Ok(());
        }
        let Some(staging) = self.staging else {
            return Ok(());
        };
        staging.write(rel, &self.final_bytes(rel, html))
    }

    /// An HTML file's bytes as written: with its links made relative for a
    /// portable output.
    fn final_bytes(&self, rel: &str, html: Vec<u8>) -> Vec<u8> {
        let Some(base) = &self.portable_base else {
            return html;
        };
        let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
        let dir = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let text = String::from_utf8_lossy(&html);
        crate::portable::relativize(&text, &dir, base).into_bytes()
    }

    /// Writes any other file as is.
    pub fn file(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        self.remember(rel, None);
        if let Some(c) = self.collector {
            c.push(rel, Printed::new(bytes.to_vec()));
            return Ok(());
        }
        self.staging.map_or(Ok(()), |s| s.write(rel, bytes))
    }

    /// Writes a file whose bytes are shared: a collecting writer keeps a
    /// reference instead of a copy (and the fingerprint already made).
    pub fn shared(&self, rel: &str, file: &Printed) -> Result<(), Diagnostic> {
        self.remember(rel, None);
        if let Some(c) = self.collector {
            c.push(rel, file.clone());
            return Ok(());
        }
        self.staging.map_or(Ok(()), |s| s.write(rel, &file.bytes))
    }

    /// True when nothing is written (`nqsite check`).
    pub fn is_dry(&self) -> bool {
        self.staging.is_none() && self.collector.is_none()
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stages a build of a (missing) site beside `out`; the lock is held
    /// by the caller as long as the staging lives.
    fn stage(out: &Path) -> (OutputLock, Staging) {
        let root = out.with_file_name("site");
        let target = Target::new(&root, out, false).unwrap();
        let lock = OutputLock::acquire(target.dir(), Wait::No).unwrap();
        let staging = Staging::new(&target, &lock).unwrap();
        (lock, staging)
    }

    #[test]
    fn commit_replaces_output_and_abort_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let (l, s) = stage(&out);
        s.write("a/index.html", b"one").unwrap();
        s.commit().unwrap();
        drop(l);
        assert_eq!(std::fs::read(out.join("a/index.html")).unwrap(), b"one");
        assert!(out.join(MARKER).is_file());

        let (l, s) = stage(&out);
        s.write("b.txt", b"two").unwrap();
        s.abort();
        drop(l);
        assert!(out.join("a/index.html").exists());
        assert!(!out.join("b.txt").exists());

        let (l, s) = stage(&out);
        s.write("b.txt", b"two").unwrap();
        s.commit().unwrap();
        drop(l);
        assert!(!out.join("a/index.html").exists());
        assert!(out.join("b.txt").exists());
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        left.sort();
        assert_eq!(left, [".public.nqsite-spare", "public"]);
    }

    #[test]
    fn recovers_an_output_moved_aside_by_a_killed_build() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let dead = 4_194_305;
        let old = lock::owned_sibling(&out, "old", dead);
        std::fs::create_dir(&old).unwrap();
        std::fs::write(old.join("x"), b"prev").unwrap();
        std::fs::write(old.join(MARKER), b"").unwrap();
        std::fs::create_dir(lock::owned_sibling(&out, "tmp", dead)).unwrap();
        std::fs::write(dir.path().join(".public.nqsite-tmp"), b"a file").unwrap();
        let (l, s) = stage(&out);
        assert_eq!(std::fs::read(out.join("x")).unwrap(), b"prev");
        s.abort();
        drop(l);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["public"]);
    }

    /// Every file under `dir`, with its bytes, and every folder.
    fn tree(dir: &Path) -> Vec<(String, Option<Vec<u8>>)> {
        let mut out: Vec<_> = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .map(|e| {
                let e = e.unwrap();
                let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
                let bytes = e
                    .file_type()
                    .is_file()
                    .then(|| std::fs::read(e.path()).unwrap());
                (rel, bytes)
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn the_replaced_output_is_recycled_into_exactly_the_new_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let spare = lock::sibling(&out, "spare");
        let first = [
            ("same/index.html", "same"),
            ("changed/index.html", "old"),
            ("gone/deep/index.html", "gone"),
            ("file-then-dir", "f"),
            ("dir-then-file/index.html", "d"),
        ];
        let second = [
            ("same/index.html", "same"),
            ("changed/index.html", "new"),
            ("file-then-dir/index.html", "now a folder"),
            ("dir-then-file", "now a file"),
            ("added/index.html", "added"),
        ];
        for files in [&first[..], &first[..], &second[..]] {
            let (l, s) = stage(&out);
            for (rel, text) in files {
                s.write(rel, text.as_bytes()).unwrap();
            }
            s.commit().unwrap();
            drop(l);
        }
        // What a fresh staging folder gives, byte for byte.
        let fresh = dir.path().join("fresh");
        let (l, s) = stage(&fresh);
        for (rel, text) in &second {
            s.write(rel, text.as_bytes()).unwrap();
        }
        s.commit().unwrap();
        drop(l);
        assert_eq!(tree(&out), tree(&fresh));
        assert!(spare.is_dir(), "the previous output is kept as the spare");

        // A hard link to a file of the spare keeps its bytes when the next
        // build changes that file; links in the spare are never followed.
        let outside = dir.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::hard_link(spare.join("changed/index.html"), dir.path().join("link")).unwrap();
        std::os::unix::fs::symlink(&outside, spare.join("sym")).unwrap();
        let (l, s) = stage(&out);
        s.write("changed/index.html", b"newer").unwrap();
        s.write("sym/index.html", b"inside").unwrap();
        s.commit().unwrap();
        drop(l);
        assert_eq!(std::fs::read(dir.path().join("link")).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
        assert_eq!(
            tree(&out).into_iter().map(|(r, _)| r).collect::<Vec<_>>(),
            [
                ".nqsite-output",
                "changed",
                "changed/index.html",
                "sym",
                "sym/index.html"
            ]
        );
    }

    #[test]
    fn refuses_escaping_paths() {
        let dir = tempfile::tempdir().unwrap();
        assert!(write_file(dir.path(), "../x", b"").is_err());
        assert!(write_file(dir.path(), "/etc/x", b"").is_err());
    }
}
