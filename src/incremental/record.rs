//! A one-off build renders only the pages whose context can have changed
//! since the build that made the output it replaces. That build's
//! [`Snapshot`] (what `nqsite serve` keeps in memory from one save to the
//! next) is kept on disk beside the site's other cached files, with the
//! fingerprint of each page file it wrote. The next build plans with it as
//! serve does ([`plan`]); a page left out is copied from the output when
//! its file still holds the bytes recorded, and rendered when not (missing,
//! edited, written by another build). Another binary, configuration, theme,
//! output folder, portable or not, or another set of files in `content/`
//! renders every page.
//!
//! The record is written once the new output is in place, and only read
//! for which pages may be copied: a record that cannot be read or written
//! costs the next build the time to render every page, nothing else.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Snapshot, config_fingerprint, head_fingerprint, plan};
use crate::context::{Part, PartTable};
use crate::fsutil::fingerprint;
use crate::render::Theme;
use crate::resolve::Site;

/// What the record is and its version (another version is not read).
const VERSION: &str = "nqsite pages 1";

/// The record as stored.
#[derive(Serialize, Deserialize)]
struct Stored {
    version: String,
    key: u64,
    snapshot: Snapshot,
    /// Each page file the build wrote, with the fingerprint of its bytes.
    files: Vec<(String, u64)>,
}

/// A one-off build's page plan: this build's snapshot, and the previous
/// build's when it can be compared.
pub(crate) struct BuildPlan {
    record: PathBuf,
    /// `None` when the binary cannot be told apart (nothing is recorded).
    key: Option<u64>,
    now: Snapshot,
    prev: Option<Snapshot>,
    files: HashMap<String, u64>,
}

impl BuildPlan {
    /// The plan of a build of `site` into `output` with `theme`; `bodies`
    /// are the fingerprints of the documents' bodies, `record` where the
    /// record is kept; `previous`: `output` holds an output nqsite made
    /// (else there is nothing to take from it).
    pub(crate) fn new(
        record: PathBuf,
        output: &Path,
        previous: bool,
        site: &Site,
        bodies: Vec<u64>,
        theme: &Theme,
        portable: bool,
    ) -> BuildPlan {
        let heads = site
            .nodes
            .par_iter()
            .map(|n| head_fingerprint(&n.doc))
            .collect();
        let now = Snapshot::of(
            site,
            heads,
            bodies,
            config_fingerprint(&site.config),
            theme.fingerprint(),
        );
        let key = crate::fsutil::exe_stamp().map(|stamp| {
            let assets: Vec<(&str, &str)> = site.assets().collect();
            fingerprint(&(stamp, output, portable, assets))
        });
        let stored = key.filter(|_| previous).and_then(|k| load(&record, k));
        let (prev, files) = match stored {
            Some(s) => (Some(s.snapshot), s.files.into_iter().collect()),
            None => (None, HashMap::new()),
        };
        BuildPlan {
            record,
            key,
            now,
            prev,
            files,
        }
    }

    /// The pages to render, given the fingerprints of the parts of the
    /// contexts (see [`plan`]).
    pub(crate) fn decide(&self, parts: &PartTable) -> Vec<bool> {
        plan(self.prev.as_ref(), &self.now, parts)
    }

    /// The page files of the previous output, with the fingerprints of the
    /// bytes its build wrote there.
    pub(crate) fn take_files(&mut self) -> HashMap<String, u64> {
        std::mem::take(&mut self.files)
    }

    /// Records this build for the next one, once its output is in place:
    /// the parts, what each page rendered now read (the others read what
    /// they read before) and every page file's fingerprint.
    pub(crate) fn save(
        self,
        parts: PartTable,
        reads: Vec<(usize, Vec<Part>)>,
        files: Vec<(String, u64)>,
    ) {
        let Some(key) = self.key else {
            return;
        };
        let stored = Stored {
            version: VERSION.to_string(),
            key,
            snapshot: self.now.after(self.prev, parts, reads),
            files,
        };
        // Written as it is serialized: at 100,000 pages the text is tens of
        // megabytes.
        crate::fsutil::write_cache(&self.record, |out| Ok(serde_json::to_writer(out, &stored)?));
    }
}

/// The record at `path`, if it is one this version wrote with `key`.
fn load(path: &Path, key: u64) -> Option<Stored> {
    let bytes = std::fs::read(path).ok()?;
    let stored: Stored = serde_json::from_slice(&bytes).ok()?;
    (stored.version == VERSION && stored.key == key).then_some(stored)
}
