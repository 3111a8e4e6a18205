//! A one-off build takes its search index from the output it replaces when
//! nothing the index is made from has changed: the same binary, the same
//! index settings, UI strings and words, the same pages (each page's
//! fingerprint, the one `nqsite serve`'s cache compares). Rebuilding after a
//! change of theme, logo or profile, or just again, then does not analyse
//! every page anew.
//!
//! A build that makes the index writes a record beside the site's other
//! cached files: the key of what it was made from, and each script's path
//! and fingerprint. A later build with the same key reads those scripts
//! back from the output folder and checks each one's fingerprint; if any is
//! missing or different (the output was edited, or that build failed after
//! writing the record), the index is made again. The record is never
//! trusted for anything but which files to read: its paths must be search
//! scripts' (`search/<kind>.<name>.js`).

use std::path::{Path, PathBuf};

use crate::fsutil::hash64;
use crate::output::Printed;

/// First line of a record: what it is and its version.
const HEADER: &str = "nqsite search index 1";

/// The output a one-off build replaces, and where its record is kept.
#[derive(Debug, Clone)]
pub struct Previous {
    /// The output folder as the previous build left it (only read).
    pub output: PathBuf,
    /// The record of how that build's index was made.
    pub record: PathBuf,
}

/// How an index was made and what it consists of.
#[derive(Debug, PartialEq)]
pub(super) struct Record {
    pub key: u64,
    /// The meta script's path (the manifest names it).
    pub meta: String,
    /// Every script, with its fingerprint ([`Printed::print`]).
    pub files: Vec<(String, u64)>,
}

/// The key of an index made by this binary from `parts` (settings, strings,
/// words, then each page's fingerprint, in order); `None` when the binary
/// cannot be told apart from another (no reuse then).
pub(super) fn key(parts: &[u64]) -> Option<u64> {
    let exe = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    let modified = exe
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    let mut bytes: Vec<u8> = Vec::with_capacity(8 * (parts.len() + 3));
    for p in [
        exe.len(),
        modified.as_secs(),
        u64::from(modified.subsec_nanos()),
    ]
    .iter()
    .chain(parts)
    {
        bytes.extend_from_slice(&p.to_le_bytes());
    }
    Some(hash64(&bytes))
}

/// The scripts of the index made with `key`, read back from `previous`'s
/// output, if its record says they are there and every one is as recorded.
pub(super) fn take(previous: &Previous, key: u64) -> Option<(String, Vec<(String, Printed)>)> {
    let record = parse(&std::fs::read_to_string(&previous.record).ok()?)?;
    if record.key != key {
        return None;
    }
    let mut files = Vec::with_capacity(record.files.len());
    for (rel, print) in record.files {
        let path = previous.output.join(&rel);
        let bytes = crate::fsutil::read_bytes(&previous.output, &path, Path::new(&rel)).ok()?;
        let file = Printed::new(bytes);
        if file.print != print {
            return None;
        }
        files.push((rel, file));
    }
    Some((record.meta, files))
}

/// Writes `record` for the next build. A record that cannot be written only
/// costs the next build the time to make the index again.
pub(super) fn save(previous: &Previous, record: &Record) {
    let mut text = format!("{HEADER}\n{:016x} {}\n", record.key, record.meta);
    for (rel, print) in &record.files {
        text.push_str(&format!("{print:016x} {rel}\n"));
    }
    if let Some(dir) = previous.record.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let tmp = previous.record.with_extension("tmp");
    if std::fs::write(&tmp, text).is_ok() {
        let _ = std::fs::rename(&tmp, &previous.record);
    }
}

/// Reads a record; `None` for anything but one this module wrote.
fn parse(text: &str) -> Option<Record> {
    let mut lines = text.lines();
    if lines.next()? != HEADER {
        return None;
    }
    let (key, meta) = lines.next()?.split_once(' ')?;
    let record = Record {
        key: u64::from_str_radix(key, 16).ok()?,
        meta: script_path(meta)?.to_string(),
        files: lines
            .map(|l| {
                let (print, rel) = l.split_once(' ')?;
                Some((
                    script_path(rel)?.to_string(),
                    u64::from_str_radix(print, 16).ok()?,
                ))
            })
            .collect::<Option<_>>()?,
    };
    Some(record)
}

/// `rel` if it is a search script's path, `search/<kind>.<name>.js`.
fn script_path(rel: &str) -> Option<&str> {
    let name = rel.strip_prefix("search/")?.strip_suffix(".js")?;
    let (kind, print) = name.split_once('.')?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    (plain(kind) && plain(print)).then_some(rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            key: 0xabc,
            meta: "search/meta.0a1b.js".into(),
            files: vec![
                ("search/t.ff00.js".into(), 7),
                ("search/d.12.js".into(), u64::MAX),
            ],
        }
    }

    fn previous(dir: &Path) -> Previous {
        Previous {
            output: dir.join("public"),
            record: dir.join(".nqsite-cache").join("search-index"),
        }
    }

    #[test]
    fn a_record_reads_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let p = previous(dir.path());
        save(&p, &record());
        let text = std::fs::read_to_string(&p.record).unwrap();
        assert_eq!(parse(&text), Some(record()));
    }

    #[test]
    fn a_record_naming_anything_but_search_scripts_is_refused() {
        for bad in [
            "../x.js",
            "search/../../x.js",
            "search/a.b/c.js",
            "search/.js",
            "x/a.b.js",
            "search/a.b.html",
        ] {
            let text =
                format!("{HEADER}\n00000000000000aa search/meta.1.js\n0000000000000001 {bad}\n");
            assert_eq!(parse(&text), None, "{bad}");
        }
        assert_eq!(parse("nqsite search index 0\n"), None);
    }

    #[test]
    fn scripts_are_taken_only_when_every_one_is_as_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let p = previous(dir.path());
        std::fs::create_dir_all(p.output.join("search")).unwrap();
        let files = [("search/t.1.js", "a"), ("search/meta.2.js", "b")];
        for (rel, text) in files {
            std::fs::write(p.output.join(rel), text).unwrap();
        }
        let record = Record {
            key: 5,
            meta: "search/meta.2.js".into(),
            files: files
                .iter()
                .map(|(rel, text)| (rel.to_string(), hash64(text.as_bytes())))
                .collect(),
        };
        save(&p, &record);
        let (meta, taken) = take(&p, 5).unwrap();
        assert_eq!(meta, "search/meta.2.js");
        assert_eq!(taken.len(), 2);
        assert_eq!(&taken[0].1.bytes[..], b"a");
        assert!(take(&p, 6).is_none(), "another key");
        std::fs::write(p.output.join("search/t.1.js"), "edited").unwrap();
        assert!(take(&p, 5).is_none(), "a script edited in the output");
        std::fs::remove_file(p.output.join("search/t.1.js")).unwrap();
        assert!(take(&p, 5).is_none(), "a script missing from the output");
    }
}
