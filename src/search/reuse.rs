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
//! writing the record), the index is made again. Then it reads them again,
//! one at a time, to write them (a script changed in between is an error:
//! the output was edited during the build). The record is never
//! trusted for anything but which files to read: its paths must be search
//! scripts' (`search/<kind>.<name>.js`).

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::cache::Emit;
use crate::diag::Diagnostic;
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
    let stamp = crate::fsutil::exe_stamp()?;
    let mut bytes: Vec<u8> = Vec::with_capacity(8 * (parts.len() + 3));
    for p in stamp.iter().chain(parts) {
        bytes.extend_from_slice(&p.to_le_bytes());
    }
    Some(hash64(&bytes))
}

/// The record of the index made with `key`, if `previous`'s output holds
/// every script it lists as it was written. The scripts are read one at a
/// time, not kept: at 100,000 pages the index is hundreds of megabytes.
pub(super) fn check(previous: &Previous, key: u64) -> Option<Record> {
    let record = parse(&std::fs::read_to_string(&previous.record).ok()?)?;
    if record.key != key {
        return None;
    }
    let intact = record
        .files
        .par_iter()
        .all(|(rel, print)| read(previous, rel).is_some_and(|f| f.print == *print));
    intact.then_some(record)
}

/// Hands every script of `record` to `emit`, read again from the output one
/// at a time. A script that changed since [`check`] read it (the output
/// edited during the build) is an error: the index would be half taken.
pub(super) fn emit(
    previous: &Previous,
    record: &Record,
    emit: &Emit<'_>,
) -> Result<(), Diagnostic> {
    record.files.par_iter().try_for_each(|(rel, print)| {
        match read(previous, rel).filter(|f| f.print == *print) {
            Some(file) => emit(rel, &file),
            None => Err(Diagnostic::error(
                previous.output.join(rel),
                0,
                0,
                "tệp của chỉ mục tìm kiếm đã đổi trong khi đang dựng trang",
            )
            .hint("dựng lại trang web (`nqsite build`); đừng sửa thư mục kết quả trong khi dựng")),
        }
    })
}

/// Script `rel` of the output, if it can be read inside the output folder.
fn read(previous: &Previous, rel: &str) -> Option<Printed> {
    let path = previous.output.join(rel);
    let bytes = crate::fsutil::read_bytes(&previous.output, &path, Path::new(rel)).ok()?;
    Some(Printed::new(bytes))
}

/// Writes `record` for the next build. A record that cannot be written only
/// costs the next build the time to make the index again.
pub(super) fn save(previous: &Previous, record: &Record) {
    let mut text = format!("{HEADER}\n{:016x} {}\n", record.key, record.meta);
    for (rel, print) in &record.files {
        text.push_str(&format!("{print:016x} {rel}\n"));
    }
    crate::fsutil::write_cache(&previous.record, |out| out.write_all(text.as_bytes()));
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
        let files = [("search/meta.2.js", "b"), ("search/t.1.js", "a")];
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
        assert_eq!(check(&p, 5), Some(record));
        let taken = std::sync::Mutex::new(Vec::new());
        let record = check(&p, 5).unwrap();
        emit(&p, &record, &|rel: &str, file: &Printed| {
            taken
                .lock()
                .unwrap()
                .push((rel.to_string(), file.bytes.to_vec()));
            Ok(())
        })
        .unwrap();
        let mut taken = taken.into_inner().unwrap();
        taken.sort();
        assert_eq!(
            taken,
            [
                ("search/meta.2.js".to_string(), b"b".to_vec()),
                ("search/t.1.js".to_string(), b"a".to_vec())
            ]
        );
        assert!(check(&p, 6).is_none(), "another key");
        std::fs::write(p.output.join("search/t.1.js"), "edited").unwrap();
        assert!(check(&p, 5).is_none(), "a script edited in the output");
        let edited = emit(&p, &record, &|_: &str, _: &Printed| Ok(()));
        assert!(edited.is_err(), "a script edited after the check");
        std::fs::remove_file(p.output.join("search/t.1.js")).unwrap();
        assert!(check(&p, 5).is_none(), "a script missing from the output");
    }
}
