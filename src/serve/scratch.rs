//! The preview's own output folder when `--output` is not given: one per
//! server process (`<temp>/nqsite-serve-<hash of the root>-<pid>`), so two
//! servers on one site never write into each other's folder. It is removed
//! when the server is stopped (Ctrl+C, `kill`), and a folder left by a server
//! that died without cleaning up is removed by the next server of that site.

use std::path::{Path, PathBuf};

use crate::output::{MARKER, OutputLock, Wait, lock};

/// `<temp>/nqsite-serve-<hash of the root>-`: the start of every default
/// output folder of this site.
fn prefix(root: &Path) -> String {
    let hash = crate::fsutil::hash64(root.to_string_lossy().as_bytes());
    format!("nqsite-serve-{hash:016x}-")
}

/// This process's preview folder for the site at `root` (canonical).
pub(crate) fn default_output(root: &Path) -> PathBuf {
    std::env::temp_dir().join(format!("{}{}", prefix(root), std::process::id()))
}

/// Removes the preview folders (and their staging folders) that servers of
/// this site left when they died; only folders nqsite made, whose process is
/// gone.
pub(crate) fn remove_stale(root: &Path) {
    let prefix = prefix(root);
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(rest) = name
            .to_str()
            .and_then(|n| n.trim_start_matches('.').strip_prefix(&prefix))
        else {
            continue;
        };
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let Ok(pid) = digits.parse::<u32>() else {
            continue;
        };
        let path = entry.path();
        let ours = rest.len() > digits.len() || path.join(MARKER).is_file();
        if ours && !lock::is_alive(pid) {
            let _ = lock::remove_any(&path);
        }
    }
}

/// Removes `dir` when the process is asked to stop (SIGINT, SIGTERM,
/// SIGHUP), waiting for a rebuild that is writing into it, then exits.
/// Must be called before any other thread starts: the signals are blocked
/// in every thread and received by one that waits for them.
pub(crate) fn remove_on_exit(dir: PathBuf) {
    // SAFETY: plain signal-set calls on a local set, before other threads exist.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, sig);
        }
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            return;
        }
        set
    };
    std::thread::spawn(move || {
        let mut sig = 0;
        // SAFETY: `set` is a valid signal set; `sig` receives the signal.
        if unsafe { libc::sigwait(&set, &mut sig) } != 0 {
            return;
        }
        let lock = OutputLock::acquire(&dir, Wait::Yes);
        let _ = lock::remove_any(&dir);
        drop(lock);
        std::process::exit(128 + sig);
    });
}
