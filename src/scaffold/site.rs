//! `nqsite new site DIR`: a working site for a new resolution, copied from
//! the template in `src/scaffold/new-site/` (compiled into the binary):
//! `site.yaml` with a generic resolution model, one example document of
//! each type with valid references, and a `README.md` in Vietnamese on
//! what to edit next. It builds with no error and no warning.
//!
//! `DIR` must not exist or be empty. A new `DIR` is written as a hidden
//! folder beside it and renamed into place at the end, so a failure leaves
//! nothing behind; an empty one is filled, and emptied again on failure.

use std::path::{Path, PathBuf};

use include_dir::{Dir, DirEntry, include_dir};

use crate::diag::Diagnostic;

static NEW_SITE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/src/scaffold/new-site");

/// Writes a new site into `dir` and returns the files written, relative to it.
pub fn create_site(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    if check_target(dir)? {
        return fill_empty(dir);
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| Diagnostic::io(&parent, "tạo thư mục", &e))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staging = parent.join(format!(".{name}.nqsite-new-{}", std::process::id()));
    std::fs::create_dir(&staging).map_err(|e| Diagnostic::io(&staging, "tạo thư mục", &e))?;
    let result = write_template(&staging).and_then(|files| {
        std::fs::rename(&staging, dir).map_err(|e| Diagnostic::io(dir, "tạo thư mục", &e))?;
        Ok(files)
    });
    if result.is_err() {
        // The staging folder is ours, made by this call.
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// Writes the site into an existing empty folder (it may be the current
/// one, so it is not replaced); on failure removes what was written.
fn fill_empty(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let result = write_template(dir);
    if result.is_err() {
        // The folder was empty: everything in it now was made by this call.
        for entry in NEW_SITE.entries() {
            let path = dir.join(entry.path());
            let _ = match entry {
                DirEntry::Dir(_) => std::fs::remove_dir_all(&path),
                DirEntry::File(_) => std::fs::remove_file(&path),
            };
        }
    }
    result
}

/// `dir` must be a new or empty folder: nothing there is ever replaced.
/// Returns true if it exists (empty).
fn check_target(dir: &Path) -> Result<bool, Diagnostic> {
    if dir.as_os_str().is_empty() {
        return Err(
            Diagnostic::error("nqsite new site", 0, 0, "thiếu tên thư mục của trang mới")
                .hint("ví dụ: `nqsite new site nghi-quyet-moi`"),
        );
    }
    let refuse = |why: &str| {
        Err(
            Diagnostic::error(dir, 0, 0, format!("không tạo trang mới ở đây: {why}"))
                .hint("chọn một thư mục chưa có hoặc một thư mục trống; nqsite không ghi đè gì cả"),
        )
    };
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Diagnostic::io(dir, "đọc thư mục", &e)),
        Ok(m) if !m.is_dir() => refuse("đây là một tệp, không phải thư mục"),
        Ok(_) => match std::fs::read_dir(dir).map(|mut e| e.next().is_none()) {
            Ok(true) => Ok(true),
            Ok(false) => refuse("thư mục không trống"),
            Err(e) => Err(Diagnostic::io(dir, "đọc thư mục", &e)),
        },
    }
}

/// Writes every file of the template under `root`, an empty folder.
fn write_template(root: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut files = Vec::new();
    let mut stack = vec![&NEW_SITE];
    while let Some(dir) = stack.pop() {
        for entry in dir
            .entries()
            .iter()
            .filter(|e| !is_build_leftover(e.path()))
        {
            let path = root.join(entry.path());
            match entry {
                DirEntry::Dir(d) => {
                    std::fs::create_dir_all(&path)
                        .map_err(|e| Diagnostic::io(&path, "tạo thư mục", &e))?;
                    stack.push(d);
                }
                DirEntry::File(f) => {
                    std::fs::write(&path, f.contents())
                        .map_err(|e| Diagnostic::io(&path, "ghi tệp", &e))?;
                    files.push(f.path().to_path_buf());
                }
            }
        }
    }
    files.sort();
    Ok(files)
}

/// What building the template in place would leave in it (the build
/// cache, the output): never part of a new site.
fn is_build_leftover(path: &Path) -> bool {
    let hidden = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'));
    hidden || path == Path::new("public")
}
