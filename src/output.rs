//! Write stage: the whole site is written into a staging folder beside the
//! output folder and swapped in only once everything succeeded. A build that
//! fails or is killed leaves the previous output exactly as it was.
//!
//! [`target`] decides whether an output folder may be replaced at all;
//! [`lock`] lets one build at a time write into it.

pub mod lock;
pub mod target;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::context::{Part, PartTable};
use crate::diag::Diagnostic;
pub use lock::{OutputLock, Wait};
pub use target::{MARKER, Target, ZipTarget};

/// A staging folder that becomes the output folder on [`Staging::commit`].
pub struct Staging {
    output: PathBuf,
    tmp: PathBuf,
    old: PathBuf,
}

impl Staging {
    /// Prepares `.<name>.nqsite-tmp.<pid>` beside the output folder, holding
    /// the [`MARKER`], after checking the output again and cleaning up what
    /// killed builds left there. The caller holds the output's lock.
    pub fn new(target: &Target, _lock: &OutputLock) -> Result<Staging, Diagnostic> {
        let output = target.dir().to_path_buf();
        let pid = std::process::id();
        let staging = Staging {
            tmp: lock::owned_sibling(&output, "tmp", pid),
            old: lock::owned_sibling(&output, "old", pid),
            output,
        };
        staging.recover()?;
        target.check()?;
        std::fs::create_dir(&staging.tmp)
            .map_err(|e| Diagnostic::io(&staging.tmp, "tạo thư mục tạm", &e))?;
        staging.write(MARKER, target::MARKER_TEXT.as_bytes())?;
        Ok(staging)
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
        for tmp in lock::stale_siblings(&self.output, "tmp") {
            remove(&tmp)?;
        }
        Ok(())
    }

    /// The staging folder (files are written under it).
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    /// Writes one file, `rel` being its path inside the site (`a/b/index.html`).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        write_file(&self.tmp, rel, bytes)
    }

    /// Swaps the staging folder in as the output folder. On an error the
    /// previous output is in place again.
    pub fn commit(self) -> Result<(), Diagnostic> {
        if std::fs::symlink_metadata(&self.output).is_err() {
            return std::fs::rename(&self.tmp, &self.output).map_err(|e| {
                let _ = remove(&self.tmp);
                Diagnostic::io(&self.output, "tạo thư mục kết quả", &e)
            });
        }
        if exchange(&self.tmp, &self.output) {
            // `tmp` now holds the previous site.
            return remove(&self.tmp);
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
        remove(&self.old)
    }

    /// Throws the staging folder away (the build failed).
    pub fn abort(self) {
        let _ = remove(&self.tmp);
    }
}

/// Writes `bytes` to `dir/rel`, creating folders; refuses paths that escape `dir`.
pub fn write_file(dir: &Path, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
    if rel.split('/').any(|p| p == ".." || p == ".") || rel.starts_with('/') || rel.contains('\\') {
        return Err(Diagnostic::error(
            rel,
            0,
            0,
            "đường dẫn kết quả trỏ ra ngoài thư mục kết quả",
        ));
    }
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
/// with links made relative first when the output must be portable.
pub struct Writer<'a> {
    staging: Option<&'a Staging>,
    portable_base: Option<String>,
    collector: Option<&'a Collector<'a>>,
}

/// File contents shared without copying (search scripts kept by serve).
pub type Bytes = std::sync::Arc<Vec<u8>>;

/// Which pages a collecting writer wants rendered, decided once the
/// template contexts are known (the fingerprints of the parts pages read
/// tell which pages can have changed).
pub type PagePlan<'a> = dyn Fn(&PartTable) -> Vec<bool> + Sync + 'a;

/// Receives the files of a build in memory instead of writing them (used by
/// `nqsite serve`, which then writes only the files whose bytes changed).
pub struct Collector<'a> {
    files: Mutex<Vec<(String, Bytes)>>,
    plan: &'a PagePlan<'a>,
    wanted: OnceLock<Vec<bool>>,
    parts: OnceLock<PartTable>,
    reads: Mutex<Vec<(usize, Vec<Part>)>>,
}

impl<'a> Collector<'a> {
    /// A collector; `plan` maps the fingerprints of the shared context to
    /// the pages to render (one flag per node).
    pub fn new(plan: &'a PagePlan<'a>) -> Collector<'a> {
        Collector {
            files: Mutex::new(Vec::new()),
            plan,
            wanted: OnceLock::new(),
            parts: OnceLock::new(),
            reads: Mutex::new(Vec::new()),
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

    /// The collected files, sorted by path.
    pub fn into_files(self) -> Vec<(String, Bytes)> {
        let mut files = self.files.into_inner().unwrap_or_else(|e| e.into_inner());
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
    }

    /// The pages that were rendered (empty before the plan was made).
    pub fn wanted(&self) -> &[bool] {
        self.wanted.get().map_or(&[], Vec::as_slice)
    }

    fn push(&self, rel: &str, bytes: Bytes) {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.push((rel.to_string(), bytes));
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
        }
    }

    /// A writer that hands every file to `collector` instead of the disk.
    pub fn collecting(collector: &'a Collector<'a>) -> Writer<'a> {
        Writer {
            staging: None,
            portable_base: None,
            collector: Some(collector),
        }
    }

    /// Called once the template contexts are ready; a collecting writer
    /// decides here which pages it wants.
    pub fn plan(&self, parts: impl FnOnce() -> PartTable) {
        if let Some(c) = self.collector {
            let parts = parts();
            let _ = c.wanted.set((c.plan)(&parts));
            let _ = c.parts.set(parts);
        }
    }

    /// True when the parts each page reads are kept (`nqsite serve`).
    pub fn keeps_reads(&self) -> bool {
        self.collector.is_some()
    }

    /// Keeps the parts page `i`'s context read.
    pub fn reads(&self, i: usize, parts: Vec<Part>) {
        if let Some(c) = self.collector {
            c.reads
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((i, parts));
        }
    }

    /// False when page `i` need not be rendered (its output cannot have changed).
    pub fn wants_page(&self, i: usize) -> bool {
        self.collector.is_none_or(|c| {
            c.wanted
                .get()
                .is_none_or(|w| w.get(i).copied().unwrap_or(true))
        })
    }

    /// Writes an HTML page at `rel` (`a/b/index.html`).
    pub fn html(&self, rel: &str, html: Vec<u8>) -> Result<(), Diagnostic> {
        if let Some(c) = self.collector {
            c.push(rel, Bytes::new(html));
            return Ok(());
        }
        let Some(staging) = self.staging else {
            return Ok(());
        };
        match &self.portable_base {
            Some(base) => {
                let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
                let dir = if dir.is_empty() {
                    String::new()
                } else {
                    format!("{dir}/")
                };
                let text = String::from_utf8_lossy(&html);
                staging.write(
                    rel,
                    crate::portable::relativize(&text, &dir, base).as_bytes(),
                )
            }
            None => staging.write(rel, &html),
        }
    }

    /// Writes any other file as is.
    pub fn file(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        if let Some(c) = self.collector {
            c.push(rel, Bytes::new(bytes.to_vec()));
            return Ok(());
        }
        self.staging.map_or(Ok(()), |s| s.write(rel, bytes))
    }

    /// Writes a file whose bytes are shared: a collecting writer keeps a
    /// reference instead of a copy.
    pub fn shared(&self, rel: &str, bytes: &Bytes) -> Result<(), Diagnostic> {
        if let Some(c) = self.collector {
            c.push(rel, Bytes::clone(bytes));
            return Ok(());
        }
        self.staging.map_or(Ok(()), |s| s.write(rel, bytes))
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
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
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

    #[test]
    fn refuses_escaping_paths() {
        let dir = tempfile::tempdir().unwrap();
        assert!(write_file(dir.path(), "../x", b"").is_err());
        assert!(write_file(dir.path(), "/etc/x", b"").is_err());
    }
}
