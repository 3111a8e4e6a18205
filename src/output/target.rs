//! Where a build may write. nqsite replaces only an output folder it made
//! itself (it holds the [`MARKER`] file), an empty one or a missing one, and
//! never one that is, holds or lies inside the site's sources. The same goes
//! for the `--zip` file: it replaces only a zip nqsite wrote.
//!
//! Paths are compared in their real form ([`fsutil::real_path`]): `..`,
//! trailing slashes, relative paths and symlinks cannot hide a source. An
//! output that is a symlink is followed: the new site replaces the folder it
//! points to, and the link stays.

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::fsutil;

/// The file nqsite writes into every output folder it makes (staging
/// included): a folder holding it may be replaced by the next build.
pub const MARKER: &str = ".nqsite-output";

/// What the marker says to whoever opens it. Fixed, so builds stay identical.
pub(crate) const MARKER_TEXT: &str = "Thư mục này do nqsite tạo ra: mỗi lần dựng, nqsite thay toàn bộ nội dung của nó.\n\
This folder was made by nqsite: every build replaces everything in it.\n";

/// The site's sources, relative to the root: an output may hold none of
/// them, and may not lie inside the folders among them.
const SOURCES: &[&str] = &["content", "themes", "static", "profiles", "site.yaml"];

/// The comment of every zip nqsite writes: a zip carrying it may be replaced.
pub(crate) const ZIP_COMMENT: &str = "nqsite";

/// An output folder checked against the site: safe to replace.
#[derive(Debug, Clone)]
pub struct Target {
    /// The real folder written (symlinks followed).
    dir: PathBuf,
    /// The folder as the user named it, for messages.
    shown: PathBuf,
    /// The real place of every source of the site.
    sources: Sources,
    force: bool,
}

/// The real paths of the root and of each of its sources.
#[derive(Debug, Clone)]
struct Sources {
    root: PathBuf,
    inside: Vec<(&'static str, PathBuf)>,
}

impl Sources {
    fn of(root: &Path) -> Result<Sources, Diagnostic> {
        let real = |p: &Path| {
            fsutil::real_path(p).map_err(|e| Diagnostic::io(p, "mở thư mục trang web", &e))
        };
        let root_real = real(root)?;
        let inside = SOURCES
            .iter()
            .map(|s| Ok((*s, real(&root_real.join(s))?)))
            .collect::<Result<_, Diagnostic>>()?;
        Ok(Sources {
            root: root_real,
            inside,
        })
    }

    /// How writing at `path` (a real path) would touch a source, or `None`
    /// when it is safe.
    fn clash(&self, path: &Path) -> Option<String> {
        if self.root.starts_with(path) {
            return Some(format!(
                "là thư mục trang web `{}` hoặc chứa nó",
                self.root.display()
            ));
        }
        self.inside
            .iter()
            .find(|(_, src)| src.starts_with(path) || path.starts_with(src))
            .map(|(name, _)| {
                format!("là, chứa hoặc nằm trong `{name}`, một phần nguồn của trang web")
            })
    }
}

impl Target {
    /// Checks that `output` may receive the site at `root`. `force` lets a
    /// non-empty folder that nqsite did not make be replaced, but never a
    /// source of the site.
    pub fn new(root: &Path, output: &Path, force: bool) -> Result<Target, Diagnostic> {
        let dir = fsutil::real_path(output)
            .map_err(|e| Diagnostic::io(output, "xác định thư mục kết quả", &e))?;
        let target = Target {
            dir,
            shown: output.to_path_buf(),
            sources: Sources::of(root)?,
            force,
        };
        target.check()?;
        Ok(target)
    }

    /// The real output folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Checks again what is at the output now (under the lock, just before
    /// the staging folder is made).
    pub fn check(&self) -> Result<(), Diagnostic> {
        if let Some(source) = self.sources.clash(&self.dir) {
            return Err(self.refuse(
                format!(
                    "thư mục kết quả `{}` {source}: dựng vào đó sẽ xoá các tệp nguồn",
                    self.shown.display()
                ),
                "chọn một thư mục kết quả ở ngoài các thư mục nguồn, ví dụ `public` (mặc định); \
                 `--force` không áp dụng cho trường hợp này",
            ));
        }
        match std::fs::metadata(&self.dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Diagnostic::io(&self.shown, "đọc thư mục kết quả", &e)),
            Ok(m) if !m.is_dir() => Err(self.refuse(
                format!(
                    "`{}` đã có và là một tệp, không phải thư mục: nqsite không thay nó",
                    self.shown.display()
                ),
                "xoá hoặc đổi tên tệp này, hoặc chọn thư mục kết quả khác bằng `--output`",
            )),
            Ok(_) if self.force || is_ours_or_empty(&self.dir)? => Ok(()),
            Ok(_) => Err(self.refuse(
                format!(
                    "thư mục kết quả `{}` không trống và không do nqsite tạo ra (không có tệp `{MARKER}`): \
                     nqsite không xoá nó",
                    self.shown.display()
                ),
                "chọn một thư mục trống hoặc chưa có; nếu chắc chắn muốn thay toàn bộ nội dung \
                 thư mục này bằng trang web (kể cả một thư mục do bản nqsite cũ dựng), chạy lại với `--force`",
            )),
        }
    }

    fn refuse(&self, message: String, hint: &str) -> Diagnostic {
        Diagnostic::error("--output", 0, 0, message).hint(hint)
    }
}

/// True when `dir` holds the marker (a real file, not a link): an output
/// nqsite made.
pub fn holds_marker(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.is_file())
}

/// True when `dir` holds the marker or nothing.
fn is_ours_or_empty(dir: &Path) -> Result<bool, Diagnostic> {
    if holds_marker(dir) {
        return Ok(true);
    }
    let mut entries =
        std::fs::read_dir(dir).map_err(|e| Diagnostic::io(dir, "đọc thư mục kết quả", &e))?;
    Ok(entries.next().is_none())
}

/// A `--zip` file checked against the site and the output folder.
#[derive(Debug, Clone)]
pub struct ZipTarget {
    path: PathBuf,
    tmp: PathBuf,
}

impl ZipTarget {
    /// Checks that `zip` may be written: its folder exists, it is not a
    /// folder, not a source of the site nor inside the output folder (which
    /// the build replaces), and it is new, empty or a zip nqsite wrote
    /// (`--force`, as `output` was given it, lets any other file be
    /// replaced, never a source).
    pub fn new(zip: &Path, output: &Target) -> Result<ZipTarget, Diagnostic> {
        let refuse =
            |message: String, hint: &str| Diagnostic::error("--zip", 0, 0, message).hint(hint);
        let shown = zip.display();
        let path =
            fsutil::real_path(zip).map_err(|e| Diagnostic::io(zip, "xác định tệp zip", &e))?;
        if let Some(source) = output.sources.clash(&path) {
            return Err(refuse(
                format!("tệp zip `{shown}` {source}: ghi vào đó sẽ hỏng các tệp nguồn"),
                "ghi tệp zip ra ngoài các thư mục nguồn, ví dụ `--zip nq57.zip`",
            ));
        }
        if path.starts_with(output.dir()) || output.dir().starts_with(&path) {
            return Err(refuse(
                format!(
                    "tệp zip `{shown}` trùng hoặc nằm trong thư mục kết quả, nơi bản dựng mới sẽ thay vào"
                ),
                "ghi tệp zip ra ngoài thư mục kết quả, ví dụ `--zip nq57.zip`",
            ));
        }
        let parent = path.parent().unwrap_or(Path::new("/"));
        if !parent.is_dir() {
            return Err(refuse(
                format!("thư mục chứa tệp zip `{}` không tồn tại", parent.display()),
                "tạo thư mục đó trước, hoặc chọn đường dẫn khác cho `--zip`",
            ));
        }
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => {
                return Err(refuse(
                    format!("`{shown}` là một thư mục, không phải tệp zip"),
                    "ghi tên tệp zip, ví dụ `--zip nq57.zip`",
                ));
            }
            Ok(m) if !output.force && m.len() > 0 && !is_our_zip(&path) => {
                return Err(refuse(
                    format!(
                        "tệp `{shown}` đã có và không phải tệp zip do nqsite ghi: nqsite không ghi đè nó"
                    ),
                    "chọn tên tệp khác, hoặc chạy lại với `--force` nếu chắc chắn muốn ghi đè tệp này",
                ));
            }
            _ => {}
        }
        let tmp = super::lock::owned_sibling(&path, "tmp", std::process::id());
        Ok(ZipTarget { path, tmp })
    }

    /// Where the zip is written first (beside it, named after this process).
    pub fn tmp(&self) -> &Path {
        &self.tmp
    }

    /// Moves the written zip into place.
    pub fn commit(&self) -> Result<(), Diagnostic> {
        std::fs::rename(&self.tmp, &self.path)
            .map_err(|e| Diagnostic::io(&self.path, "ghi tệp zip", &e))
    }

    /// Removes the temporary zip (the build failed), and any a killed build left.
    pub fn discard(&self) {
        let _ = std::fs::remove_file(&self.tmp);
        super::lock::remove_stale(&self.path, "tmp");
    }
}

/// True when `path` is a zip whose comment says nqsite wrote it.
fn is_our_zip(path: &Path) -> bool {
    std::fs::File::open(path)
        .ok()
        .and_then(|f| zip::ZipArchive::new(f).ok())
        .is_some_and(|z| z.comment() == ZIP_COMMENT.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for d in ["content/a", "static", "themes/x"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        std::fs::write(dir.path().join("content/a/b.md"), "x").unwrap();
        dir
    }

    #[test]
    fn refuses_the_root_its_parents_and_its_sources_even_with_force() {
        let s = site();
        let r = s.path();
        for out in [
            r.to_path_buf(),
            r.join("."),
            r.join("content/.."),
            r.parent().unwrap().to_path_buf(),
            r.join("content"),
            r.join("content/a/"),
            r.join("static/x"),
            r.join("themes"),
            r.join("profiles/new"),
            r.join("site.yaml"),
        ] {
            let e = Target::new(r, &out, true).unwrap_err();
            assert!(
                e.message.contains("nguồn"),
                "{}: {}",
                out.display(),
                e.message
            );
        }
        std::os::unix::fs::symlink(r.join("content"), r.join("link")).unwrap();
        assert!(Target::new(r, &r.join("link"), true).is_err());
        assert!(Target::new(r, &r.join("link/../public"), false).is_ok());
    }

    #[test]
    fn replaces_only_missing_empty_or_marked_folders() {
        let s = site();
        let r = s.path();
        assert!(Target::new(r, &r.join("public"), false).is_ok());
        std::fs::create_dir(r.join("public")).unwrap();
        assert!(Target::new(r, &r.join("public"), false).is_ok());
        std::fs::write(r.join("public/own.txt"), "mine").unwrap();
        let e = Target::new(r, &r.join("public"), false).unwrap_err();
        assert!(e.hint.unwrap().contains("--force"));
        assert!(Target::new(r, &r.join("public"), true).is_ok());
        std::fs::write(r.join("public").join(MARKER), MARKER_TEXT).unwrap();
        assert!(Target::new(r, &r.join("public"), false).is_ok());
        std::fs::write(r.join("file"), "f").unwrap();
        assert!(Target::new(r, &r.join("file"), true).is_err());
    }

    #[test]
    fn a_zip_goes_beside_the_output_never_over_a_source_or_a_foreign_file() {
        let s = site();
        let r = s.path();
        let out = Target::new(r, &r.join("public"), false).unwrap();
        let forced = Target::new(r, &r.join("public"), true).unwrap();
        assert!(ZipTarget::new(&r.join("nq.zip"), &out).is_ok());
        for bad in [
            "public",
            "public/x.zip",
            "content/x.zip",
            "static",
            "no/such/x.zip",
        ] {
            assert!(ZipTarget::new(&r.join(bad), &forced).is_err(), "{bad}");
        }
        std::fs::write(r.join("notes.txt"), "keep").unwrap();
        assert!(ZipTarget::new(&r.join("notes.txt"), &out).is_err());
        assert!(ZipTarget::new(&r.join("notes.txt"), &forced).is_ok());
    }
}
