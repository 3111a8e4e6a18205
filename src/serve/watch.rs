//! Watching the site: file events from `notify` (reads and other access
//! events dropped), debounced into batches, editor temp files dropped, the
//! rest sorted into what the rebuild must redo.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use notify::event::{AccessKind, AccessMode, CreateKind, EventKind, MetadataKind, ModifyKind};
use notify::{Event, RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::config::CONFIG_FILE;
use crate::content;
use crate::incremental::Changes;

/// The folders of a site that are watched (recursively) when they exist.
pub const WATCHED_DIRS: &[&str] = &["content", "themes", "static", "profiles"];

/// Debounce window while a file written to is still open: one save often
/// arrives as several events, a few milliseconds apart (truncate and
/// write). Short, since it adds to the save's latency; a later event of the
/// same save only triggers one more (cheap) rebuild.
const DEBOUNCE: Duration = Duration::from_millis(20);

/// Quiet time that ends a batch once every file written to has been closed
/// (or was renamed into place): the save is complete, and only the other
/// files of the same operation (a checkout, a folder copied in) are waited
/// for, which follow one another closer than this.
const SETTLE: Duration = Duration::from_millis(3);

/// What one file event tells the batching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Events were lost (the kernel's queue overflowed, or the watcher
    /// failed): anything may have changed.
    Lost,
    /// The files changed and may still be written to (created, written).
    Writing,
    /// The files changed and are complete (renamed, removed, attributes).
    Changed,
    /// The files, written to, were closed: not a change by itself.
    Closed,
}

/// A running watcher; events arrive on [`Watcher::events`].
pub struct Watcher {
    root: PathBuf,
    watcher: RecommendedWatcher,
    events: Receiver<(Step, Vec<PathBuf>)>,
}

impl Watcher {
    /// Watches `root` (not recursively: it sees `site.yaml` and watched
    /// folders appear or vanish) and each watched folder recursively.
    pub fn new(root: &Path) -> Result<Watcher, String> {
        let (tx, rx) = channel();
        let watcher = notify::recommended_watcher(move |res: notify::Result<Event>| {
            let step = match &res {
                Ok(event) if event.need_rescan() => Some(Step::Lost),
                Ok(event) => step(&event.kind),
                Err(_) => Some(Step::Lost),
            };
            if let Some(step) = step {
                let _ = tx.send((step, res.map(|e| e.paths).unwrap_or_default()));
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
    /// a while: [`DEBOUNCE`] while a file written to is still open,
    /// [`SETTLE`] once all are closed. `None` when the watcher stopped.
    pub fn next_batch(&self) -> Option<Batch> {
        let mut batch = Batch::default();
        let (step, paths) = self.events.recv().ok()?;
        batch.add(&self.root, step, paths);
        loop {
            match self.events.recv_timeout(batch.quiet()) {
                Ok((step, paths)) => batch.add(&self.root, step, paths),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                    return Some(batch);
                }
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

/// The events a batch is made of.
#[derive(Default)]
pub struct Batch {
    /// The paths that changed, in the order their events came.
    pub changed: Vec<PathBuf>,
    /// Events were lost: the paths are not all that changed.
    pub lost: bool,
    /// The files written to and not yet closed (editors' own temporary
    /// files aside: a swap file stays open as long as the editor).
    open: HashSet<PathBuf>,
}

impl Batch {
    fn add(&mut self, root: &Path, step: Step, paths: Vec<PathBuf>) {
        for path in &paths {
            let temp = path.strip_prefix(root).is_ok_and(is_temp_file);
            match step {
                Step::Writing if !temp => {
                    self.open.insert(path.clone());
                }
                Step::Writing => {}
                Step::Changed | Step::Closed | Step::Lost => {
                    self.open.remove(path);
                }
            }
        }
        self.lost |= step == Step::Lost;
        if step != Step::Closed {
            self.changed.extend(paths);
        }
    }

    /// How long to wait for the next event before the batch is complete.
    fn quiet(&self) -> Duration {
        if self.open.is_empty() {
            SETTLE
        } else {
            DEBOUNCE
        }
    }
}

/// What an event tells the batching; `None` for events that change nothing
/// (reads, opens, access times). A change that is not known to leave the
/// file complete counts as writing: where no close is reported (not
/// Linux), every batch waits the full [`DEBOUNCE`].
fn step(kind: &EventKind) -> Option<Step> {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => Some(Step::Closed),
        EventKind::Access(_) | EventKind::Other => None,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => None,
        EventKind::Modify(ModifyKind::Name(_) | ModifyKind::Metadata(_))
        | EventKind::Remove(_)
        | EventKind::Create(CreateKind::Folder) => Some(Step::Changed),
        _ => Some(Step::Writing),
    }
}

/// Sorts a batch's paths into what the rebuild must redo; `None` when
/// nothing relevant changed (only temp files, the output folder…).
pub fn classify(root: &Path, batch: &Batch) -> Option<Changes> {
    // Lost events may have changed anything: everything is read again.
    let mut changes = Changes {
        css_only: !batch.lost,
        theme: batch.lost,
        config: batch.lost,
        // Only when no event was lost do the paths name every change.
        content_listed: !batch.lost,
        ..Changes::default()
    };
    let mut any = batch.lost;
    for path in &batch.changed {
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        // Under `content/`, what the content folder's listing leaves out
        // (and nothing else: a `x.tmp` there is a file of the site).
        let skipped = match rel.strip_prefix("content") {
            Ok(inside) => !content::is_listed(inside),
            Err(_) => is_temp_file(rel),
        };
        if skipped {
            continue;
        }
        let shown = rel.to_string_lossy();
        let rel = shown.replace('\\', "/");
        let (top, rest) = rel.split_once('/').unwrap_or((rel.as_str(), ""));
        match top {
            "content" => {
                // A name that is not UTF-8 cannot be named again here: the
                // rebuild lists the folder (and reports the file).
                changes.content_listed &= matches!(shown, std::borrow::Cow::Borrowed(_));
                if rest.is_empty() {
                    // `content/` itself appeared, vanished or moved.
                    changes.content_listed = false;
                } else {
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
    fn a_batch_waits_long_only_while_a_written_file_is_open() {
        let root = Path::new("/s");
        let a = || vec![root.join("content/a.md")];
        let mut batch = Batch::default();
        batch.add(root, Step::Writing, a());
        assert_eq!(batch.quiet(), DEBOUNCE);
        // An editor's swap file, open all along, does not hold a batch back.
        batch.add(root, Step::Writing, vec![root.join("content/.a.md.swp")]);
        batch.add(root, Step::Closed, a());
        assert_eq!(batch.quiet(), SETTLE);
        // Written to a temporary file, then renamed into place.
        batch.add(root, Step::Writing, vec![root.join("content/b.md")]);
        batch.add(root, Step::Changed, vec![root.join("content/b.md")]);
        assert_eq!(batch.quiet(), SETTLE);
        // A close alone is not a change.
        assert_eq!(
            batch.changed,
            [
                a(),
                vec![root.join("content/.a.md.swp")],
                vec![root.join("content/b.md")],
                vec![root.join("content/b.md")]
            ]
            .concat()
        );
        assert_eq!(
            step(&EventKind::Access(AccessKind::Close(AccessMode::Write))),
            Some(Step::Closed)
        );
        assert_eq!(step(&EventKind::Access(AccessKind::Any)), None);
        assert_eq!(
            step(&EventKind::Modify(ModifyKind::Any)),
            Some(Step::Writing)
        );
        assert_eq!(
            step(&EventKind::Remove(notify::event::RemoveKind::File)),
            Some(Step::Changed)
        );
    }

    fn batch(paths: &[PathBuf]) -> Batch {
        Batch {
            changed: paths.to_vec(),
            ..Batch::default()
        }
    }

    #[test]
    fn lost_events_read_everything_again() {
        let root = Path::new("/s");
        let mut b = batch(&[root.join("content/a.md")]);
        assert!(classify(root, &b).unwrap().content_listed);
        b.lost = true;
        let c = classify(root, &b).unwrap();
        assert!(!c.content_listed && c.theme && c.config && !c.css_only);
        let c = classify(
            root,
            &Batch {
                lost: true,
                ..Batch::default()
            },
        )
        .unwrap();
        assert!(!c.content_listed && c.config);
        // `content/` itself: listed again.
        assert!(
            !classify(root, &batch(&[root.join("content")]))
                .unwrap()
                .content_listed
        );
    }

    #[test]
    fn sorts_changes_by_kind() {
        let root = Path::new("/s");
        let c = classify(root, &batch(&[root.join("content/a b.md")])).unwrap();
        assert!(c.content.contains("a b.md") && !c.css_only);
        let c = classify(root, &batch(&[root.join("static/x.css")])).unwrap();
        assert!(c.css_only && !c.theme);
        let c = classify(root, &batch(&[root.join("site.yaml")])).unwrap();
        assert!(c.config);
        assert!(classify(root, &batch(&[root.join("public/index.html")])).is_none());
        assert!(classify(root, &batch(&[root.join("content/.#a.md")])).is_none());
    }
}
