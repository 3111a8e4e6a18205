//! The previous output, kept after a swap as `.<name>.nqsite-spare` and
//! taken as the next build's staging folder: a file whose bytes did not
//! change is left where it is, so a rebuild creates and deletes almost no
//! files. (Creating files right after deleting as many is what costs most on
//! ext4: each new inode is searched past the recently freed ones.)
//!
//! Nothing is changed in place: a file whose bytes differ is removed and
//! written anew, so a hard link to it elsewhere keeps the old bytes. What
//! the build did not write is removed by [`Recycled::prune`]; links and
//! special files are removed when the folder is taken.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::diag::Diagnostic;

/// The files and folders of a recycled staging folder, by site-relative path.
pub(crate) struct Recycled {
    /// Each file, and whether this build wrote (or removed) it.
    files: HashMap<String, AtomicBool>,
    dirs: HashSet<String>,
}

impl Recycled {
    /// Lists `dir` (the spare, now named as the staging folder), removing
    /// links, special files and empty folders on the way.
    pub(crate) fn index(dir: &Path) -> Result<Recycled, Diagnostic> {
        let mut r = Recycled {
            files: HashMap::new(),
            dirs: HashSet::new(),
        };
        r.walk(dir, "")?;
        Ok(r)
    }

    /// Adds what `dir/rel` holds; returns whether it holds anything.
    fn walk(&mut self, dir: &Path, rel: &str) -> Result<bool, Diagnostic> {
        let here = dir.join(rel);
        let io = |e: std::io::Error| Diagnostic::io(&here, "đọc thư mục tạm", &e);
        let mut any = false;
        for entry in std::fs::read_dir(&here).map_err(io)? {
            let entry = entry.map_err(io)?;
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                // Never a name nqsite writes.
                remove_path(&entry.path())?;
                continue;
            };
            let child = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let kind = entry.file_type().map_err(io)?;
            if kind.is_dir() {
                if self.walk(dir, &child)? {
                    self.dirs.insert(child);
                    any = true;
                } else {
                    remove_path(&entry.path())?;
                }
            } else if kind.is_file() {
                self.files.insert(child, AtomicBool::new(false));
                any = true;
            } else {
                remove_path(&entry.path())?;
            }
        }
        Ok(any)
    }

    /// Makes way for writing `bytes` at `dir/rel`. Returns true when the
    /// file is already there with these bytes (nothing to write).
    pub(crate) fn prepare(&self, dir: &Path, rel: &str, bytes: &[u8]) -> Result<bool, Diagnostic> {
        let path = dir.join(rel);
        if let Some(done) = self.files.get(rel) {
            done.store(true, Ordering::Relaxed);
            if std::fs::read(&path).is_ok_and(|old| old == bytes) {
                return Ok(true);
            }
            remove_path(&path)?;
            return Ok(false);
        }
        // A file where the new site has a folder, or a folder where it has a file.
        for (at, _) in rel.match_indices('/') {
            if let Some(done) = self.files.get(&rel[..at]) {
                done.store(true, Ordering::Relaxed);
                // Another thread may have made it a folder already.
                let _ = std::fs::remove_file(dir.join(&rel[..at]));
            }
        }
        if self.dirs.contains(rel) {
            remove_path(&path)?;
        }
        Ok(false)
    }

    /// Removes every file this build did not write, and the folders left empty.
    pub(crate) fn prune(&self, dir: &Path) -> Result<(), Diagnostic> {
        let mut parents: Vec<&str> = Vec::new();
        for (rel, done) in &self.files {
            if done.load(Ordering::Relaxed) {
                continue;
            }
            let path = dir.join(rel);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                // Gone with a folder the new site writes a file in place of.
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                    ) => {}
                Err(e) => return Err(Diagnostic::io(&path, "xoá tệp cũ", &e)),
            }
            if let Some((parent, _)) = rel.rsplit_once('/') {
                parents.push(parent);
            }
        }
        // Deepest first, so a folder emptied of its subfolders goes too.
        parents.sort_unstable_by(|a, b| b.len().cmp(&a.len()).then(b.cmp(a)));
        parents.dedup();
        for parent in parents {
            let mut cur = Some(parent);
            while let Some(p) = cur {
                if std::fs::remove_dir(dir.join(p)).is_err() {
                    break;
                }
                cur = p.rsplit_once('/').map(|(up, _)| up);
            }
        }
        Ok(())
    }
}

fn remove_path(path: &Path) -> Result<(), Diagnostic> {
    super::lock::remove_any(path).map_err(|e| Diagnostic::io(path, "xoá tệp cũ", &e))
}
