//! Watching the site: file events from `notify` (reads and other access
//! events dropped), debounced into batches, editor temp files dropped, the
//! rest sorted into what the rebuild must redo.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use notify::event::{EventKind, MetadataKind, ModifyKind};
use notify::{Event, RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::config::CONFIG_FILE;
use crate::incremental::Changes;

/// The folders of a site that are watched (recursively) when they exist.
pub const WATCHED_DIRS: &[&str] = &["content", "themes", "static", "profiles"];

/// Debounce window: one save often arrives as several events, a few
/// milliseconds apart (truncate and write, or write a temp file and rename).
/// Short, since it adds to every save's latency; a later event of the same
/// save only triggers one more (cheap) rebuild.
const DEBOUNCE: Duration = Duration::from_millis(20);

/// A running watcher; events arrive on [`Watcher::events`].
pub struct Watcher {
    root: PathBuf,
    watcher: RecommendedWatcher,
    events: Receiver<Vec<PathBuf>>,
}

impl Watcher {
    /// Watches `root` (not recursively: it sees `site.yaml` and watched
    /// folders appear or vanish) and each watched folder recursively.
    pub fn new(root: &Path) -> Result<Watcher, String> {
        let (tx, rx) = channel();
        let watcher = notify::recommended_watcher(move |res: notify::Result<Event>| {
            if let Ok(event) = res
                && is_change(&event.kind)
            {
                let _ = tx.send(event.paths);
            }
        })
        .map_err(|e| e.to_string())?;
        let mut w = Watcher {
            root: root.to_path_buf(),
            watcher,
            events: rx,
        };
        w.watcher
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(|e| e.to_string())?;
        for dir in WATCHED_DIRS {
            w.rewatch(dir);
        }
        Ok(w)
    }

    /// (Re)watches a top-level folder, e.g. after it was deleted and restored.
    pub fn rewatch(&mut self, dir: &str) {
        let path = self.root.join(dir);
        let _ = self.watcher.unwatch(&path);
        if path.is_dir() {
            let _ = self.watcher.watch(&path, RecursiveMode::Recursive);
        }
    }

    /// Waits for the next change, then collects events until none came for
    /// the debounce window (one save is often several events). `None` when
    /// the watcher stopped.
    pub fn next_batch(&self) -> Option<Vec<PathBuf>> {
        let mut paths = self.events.recv().ok()?;
        loop {
            match self.events.recv_timeout(DEBOUNCE) {
                Ok(more) => paths.extend(more),
                Err(RecvTimeoutError::Timeout) => return Some(paths),
                Err(RecvTimeoutError::Disconnected) => return Some(paths),
            }
        }
    }

    /// Re-watches the top-level folders named by a batch of events.
    pub fn refresh(&mut self, paths: &[PathBuf]) {
        for dir in WATCHED_DIRS {
            if paths.iter().any(|p| p == &self.root.join(dir)) {
                self.rewatch(dir);
            }
        }
    }
}

/// True for events that change files (not reads, opens or access times).
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(_) | EventKind::Other => false,
        EventKind::Modify(ModifyKind::Metadata(m)) => !matches!(m, MetadataKind::AccessTime),
        _ => true,
    }
}

/// Sorts changed paths into what the rebuild must redo; `None` when nothing
/// relevant changed (only temp files, the output folder…).
pub fn classify(root: &Path, paths: &[PathBuf]) -> Option<Changes> {
    let mut changes = Changes {
        css_only: true,
        ..Changes::default()
    };
    let mut any = false;
    for path in paths {
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        if is_temp_file(rel) {
            continue;
        }
        let rel = rel.to_string_lossy().replace('\\', "/");
        let (top, rest) = rel.split_once('/').unwrap_or((rel.as_str(), ""));
        match top {
            "content" => {
                if !rest.is_empty() {
                    changes.content.insert(rest.to_string());
                }
                changes.css_only = false;
            }
            "themes" => {
                changes.theme = true;
                changes.css_only &= rest.ends_with(".css");
            }
            "static" => changes.css_only &= rest.ends_with(".css"),
            "profiles" => {
                changes.config = true;
                changes.css_only = false;
            }
            CONFIG_FILE => {
                changes.config = true;
                changes.css_only = false;
            }
            _ => continue,
        }
        any = true;
    }
    any.then_some(changes)
}

/// Editor backup, swap and lock files: `.#x`, `x~`, `.x.swp`, `4913`, `#x#`…
pub fn is_temp_file(rel: &Path) -> bool {
    rel.components().any(|c| {
        let name = c.as_os_str().to_string_lossy();
        name.starts_with('.')
            || name.ends_with('~')
            || (name.starts_with('#') && name.ends_with('#'))
            || name == "4913"
            || name.ends_with(".swp")
            || name.ends_with(".swx")
            || name.ends_with(".tmp")
            || name.ends_with(".crdownload")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_editor_temp_files() {
        for t in [
            ".#a.md",
            "a.md~",
            ".a.md.swp",
            "4913",
            "#a.md#",
            ".hidden/x.md",
        ] {
            assert!(is_temp_file(Path::new(t)), "{t}");
        }
        assert!(!is_temp_file(Path::new("Câu hỏi mới có dấu.md")));
    }

    #[test]
    fn sorts_changes_by_kind() {
        let root = Path::new("/s");
        let c = classify(root, &[root.join("content/a b.md")]).unwrap();
        assert!(c.content.contains("a b.md") && !c.css_only);
        let c = classify(root, &[root.join("static/x.css")]).unwrap();
        assert!(c.css_only && !c.theme);
        let c = classify(root, &[root.join("site.yaml")]).unwrap();
        assert!(c.config);
        assert!(classify(root, &[root.join("public/index.html")]).is_none());
        assert!(classify(root, &[root.join("content/.#a.md")]).is_none());
    }
}
