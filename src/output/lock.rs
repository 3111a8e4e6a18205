//! One build at a time per output folder, and files that belong to a process.
//!
//! A build holds an exclusive `flock` on `.<name>.nqsite-lock` beside the
//! output folder from the moment it makes its staging folder until the swap
//! is done; the kernel releases it if the process dies. The lock file is
//! removed by its holder just before it lets go, and a taker checks that the
//! file it locked is still the one at that path, so removing it is safe.
//!
//! Staging and moved-aside folders carry the pid of the build that made them
//! (`.<name>.nqsite-tmp.<pid>`); what a process left is cleaned up only once
//! that process is gone.

use std::ffi::OsString;
use std::fs::File;
use std::os::fd::AsRawFd;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;

/// An exclusive lock on an output folder, released when dropped.
#[derive(Debug)]
pub struct OutputLock {
    /// Held open: the lock lives as long as the descriptor.
    _file: File,
    path: PathBuf,
}

/// What to do when another process holds the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Wait for it, saying so once on stderr.
    Yes,
    /// Fail at once (`--no-wait`).
    No,
}

impl OutputLock {
    /// Locks the output folder `dir` (a real path), making its parent
    /// folder if needed.
    pub fn acquire(dir: &Path, wait: Wait) -> Result<OutputLock, Diagnostic> {
        let path = sibling(dir, "lock");
        let io = |e: std::io::Error| Diagnostic::io(&path, "khoá thư mục kết quả", &e);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let mut told = false;
        loop {
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
                .mode(0o644)
                .open(&path)
                .map_err(io)?;
            if !flock(&file, false).map_err(io)? {
                if wait == Wait::No {
                    return Err(busy(dir));
                }
                if !told {
                    eprintln!(
                        "Đang chờ một lần dựng khác ghi xong vào thư mục kết quả `{}`…",
                        dir.display()
                    );
                    told = true;
                }
                flock(&file, true).map_err(io)?;
            }
            // The holder before us may have removed the file: lock the one
            // at the path now.
            let (held, now) = (
                file.metadata().map_err(io)?,
                std::fs::symlink_metadata(&path),
            );
            if now.is_ok_and(|m| m.dev() == held.dev() && m.ino() == held.ino()) {
                return Ok(OutputLock { _file: file, path });
            }
        }
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Removed while still held; the lock goes with the file descriptor,
        // closed right after.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Takes an exclusive `flock`; `block` waits for it. Returns false when
/// another process holds it and `block` is off.
fn flock(file: &File, block: bool) -> std::io::Result<bool> {
    let op = if block {
        libc::LOCK_EX
    } else {
        libc::LOCK_EX | libc::LOCK_NB
    };
    loop {
        // SAFETY: the descriptor is open for the duration of the call.
        if unsafe { libc::flock(file.as_raw_fd(), op) } == 0 {
            return Ok(true);
        }
        let e = std::io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::EWOULDBLOCK) if !block => return Ok(false),
            _ => return Err(e),
        }
    }
}

fn busy(dir: &Path) -> Diagnostic {
    Diagnostic::error(
        "--output",
        0,
        0,
        format!(
            "một lần dựng khác đang ghi vào thư mục kết quả `{}`",
            dir.display()
        ),
    )
    .hint("chờ lần dựng đó xong rồi chạy lại, hoặc bỏ `--no-wait` để tự chờ")
}

/// `.<name>.nqsite-<kind>` beside `path`.
fn sibling(path: &Path, kind: &str) -> PathBuf {
    let name = path.file_name().map(OsString::from).unwrap_or_default();
    let mut n = OsString::from(".");
    n.push(&name);
    n.push(format!(".nqsite-{kind}"));
    path.with_file_name(n)
}

/// `.<name>.nqsite-<kind>.<pid>` beside `path`: a file or folder that
/// belongs to process `pid`.
pub fn owned_sibling(path: &Path, kind: &str, pid: u32) -> PathBuf {
    let mut p = sibling(path, kind).into_os_string();
    p.push(format!(".{pid}"));
    PathBuf::from(p)
}

/// The `.<name>.nqsite-<kind>[.<pid>]` siblings of `path` whose process is
/// gone (no pid: left by an nqsite older than pids in these names).
pub fn stale_siblings(path: &Path, kind: &str) -> Vec<PathBuf> {
    let prefix = sibling(path, kind);
    let (Some(parent), Some(prefix)) = (prefix.parent(), prefix.file_name()) else {
        return Vec::new();
    };
    let Some(prefix) = prefix.to_str() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut stale: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else {
                return false;
            };
            match rest.strip_prefix('.') {
                None => rest.is_empty(),
                Some(pid) => pid.parse().is_ok_and(|pid| !is_alive(pid)),
            }
        })
        .map(|e| e.path())
        .collect();
    stale.sort();
    stale
}

/// Removes what [`stale_siblings`] finds (files or folders).
pub fn remove_stale(path: &Path, kind: &str) {
    for p in stale_siblings(path, kind) {
        let _ = remove_any(&p);
    }
}

/// Removes a file, a link or a whole folder.
pub fn remove_any(path: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// True while process `pid` exists (this one included).
pub fn is_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_taker_is_refused_without_waiting_and_the_file_goes_away() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let lock = OutputLock::acquire(&out, Wait::No).unwrap();
        let e = OutputLock::acquire(&out, Wait::No).unwrap_err();
        assert!(e.message.contains("một lần dựng khác"), "{}", e.message);
        drop(lock);
        assert!(!dir.path().join(".public.nqsite-lock").exists());
        drop(OutputLock::acquire(&out, Wait::No).unwrap());
    }

    #[test]
    fn only_siblings_of_dead_processes_are_stale() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let mine = owned_sibling(&out, "tmp", std::process::id());
        // pid_max is at most 2^22 on Linux: this one cannot run.
        let dead = owned_sibling(&out, "tmp", 4_194_305);
        let legacy = dir.path().join(".public.nqsite-tmp");
        let other = dir.path().join(".publicx.nqsite-tmp.1");
        for p in [&mine, &dead, &legacy, &other] {
            std::fs::create_dir(p).unwrap();
        }
        assert_eq!(
            stale_siblings(&out, "tmp"),
            vec![legacy.clone(), dead.clone()]
        );
        remove_stale(&out, "tmp");
        assert!(mine.exists() && other.exists() && !dead.exists() && !legacy.exists());
    }
}
