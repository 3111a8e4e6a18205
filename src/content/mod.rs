//! Load stage: walk `content/`, read every Markdown file (UTF-8, NFC), split
//! and parse its front matter. A folder with `_index.md` is a section; every
//! other `.md` file is a page. Nothing here knows about URLs or HTML.

pub mod front_matter;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diag::Diagnostic;
use crate::fsutil;
pub use front_matter::FrontMatter;

/// The name of the file that makes a folder a section.
pub const SECTION_FILE: &str = "_index.md";

/// The file name (without `.md`) of a page bundle's page; `content/index.md`
/// may also be the home page.
pub const BUNDLE_STEM: &str = "index";

/// One content file, as read from disk.
#[derive(Debug, Clone)]
pub struct Document {
    /// Path relative to `content/`, with `/` separators (`hoi-dap/phan-1/cau-01.md`).
    pub rel: String,
    /// Path shown in messages (`content/hoi-dap/phan-1/cau-01.md`).
    pub shown: PathBuf,
    /// True for `_index.md` files.
    pub is_section: bool,
    /// Parsed front matter.
    pub fm: std::sync::Arc<FrontMatter>,
    /// Markdown body (shared: `nqsite serve` keeps documents between builds
    /// and hands the same text to each build without copying it). Empty
    /// after a build's markdown stage: `nqsite build` lets it go once it is
    /// rendered.
    pub body: std::sync::Arc<str>,
    /// 1-based line of the file on which the body starts.
    pub body_line: usize,
}

impl Document {
    /// The folder of the file, relative to `content/` (`""` at the top).
    pub fn dir(&self) -> &str {
        self.rel.rsplit_once('/').map_or("", |(d, _)| d)
    }

    /// True for a page bundle: `foo/index.md` is the page `foo/`, and the
    /// files beside it are its own (copied with it).
    pub fn is_bundle(&self) -> bool {
        !self.is_section && self.stem() == BUNDLE_STEM && !self.dir().is_empty()
    }

    /// The file name without `.md`.
    pub fn stem(&self) -> &str {
        let name = self.rel.rsplit('/').next().unwrap_or(&self.rel);
        name.strip_suffix(".md").unwrap_or(name)
    }
}

/// What `content/` holds.
#[derive(Debug, Clone, Default)]
pub struct Content {
    /// The Markdown documents, sorted by path (drafts dropped).
    pub docs: Vec<Document>,
    /// Every other file (images, PDFs…), relative to `content/` as named on
    /// disk, sorted: pages link to them and they are copied beside the pages.
    pub assets: Vec<String>,
}

/// Reads every Markdown file under `content_dir` and lists the other files.
/// Drafts are dropped. Returns every problem found.
pub fn load(root: &Path, content_dir: &Path) -> Result<Content, Vec<Diagnostic>> {
    let shown_root = content_dir
        .strip_prefix(root)
        .unwrap_or(content_dir)
        .to_path_buf();
    if !content_dir.is_dir() {
        return Err(vec![
            Diagnostic::error(&shown_root, 0, 0, "không tìm thấy thư mục nội dung").hint(format!(
                "tạo thư mục `{}` chứa các tệp Markdown, hoặc chọn đúng thư mục gốc bằng `--root`",
                shown_root.display()
            )),
        ]);
    }
    let (files, assets, mut errors) = walk(content_dir, &shown_root);
    let results: Vec<Result<Document, Vec<Diagnostic>>> = fsutil::on_read_threads(|| {
        files
            .par_iter()
            .map(|(path, rel)| read_document(root, path, rel, &shown_root))
            .collect()
    });
    let mut docs = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(doc) if !doc.fm.draft => docs.push(doc),
            Ok(_) => {}
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(Content { docs, assets })
    } else {
        Err(errors)
    }
}

/// The key that keeps a section (its `_index.md` and everything below it)
/// out of normal builds: the editors' guide is shown only under `serve`.
pub const EDITOR_ONLY_KEY: &str = "editor_only";

/// Drops every section marked `editor_only: true` (and what it holds) unless
/// `keep` is set (`nqsite serve`, `--editor-guide`, `editor_guide: true`).
pub fn drop_editor_only(docs: Vec<Document>, keep: bool) -> Vec<Document> {
    if keep {
        return docs;
    }
    let hidden: Vec<String> = docs
        .iter()
        .filter(|d| d.is_section && is_editor_only(&d.fm))
        .map(|d| d.dir().to_string())
        .collect();
    if hidden.is_empty() {
        return docs;
    }
    docs.into_iter()
        .filter(|d| {
            !hidden
                .iter()
                .any(|h| h.is_empty() || d.rel.starts_with(&format!("{h}/")))
        })
        .collect()
}

fn is_editor_only(fm: &FrontMatter) -> bool {
    fm.extra
        .get(EDITOR_ONLY_KEY)
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Lists the Markdown files (absolute path, relative path) and the other
/// files (relative path) in a stable order: the order of their relative
/// paths (`Path`'s, part by part).
pub(crate) fn walk(
    content_dir: &Path,
    shown_root: &Path,
) -> (Vec<(PathBuf, String)>, Vec<String>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut assets = Vec::new();
    let mut errors = Vec::new();
    let walker = WalkDir::new(content_dir)
        .follow_links(true)
        .sort_by_file_name();
    for entry in walker
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()))
    {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push(walk_error(&e, content_dir, shown_root));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let is_md = is_markdown(entry.path());
        let rel_path = entry
            .path()
            .strip_prefix(content_dir)
            .unwrap_or(entry.path());
        match rel_path.to_str() {
            Some(rel) if !is_md => assets.push(rel.replace('\\', "/")),
            Some(rel) => files.push((entry.path().to_path_buf(), rel.replace('\\', "/"))),
            // A file no link can name (links are UTF-8): never copied.
            None if !is_md => {}
            None => errors.push(
                Diagnostic::error(
                    shown_root.join(rel_path),
                    0,
                    0,
                    "tên tệp không phải UTF-8 hợp lệ",
                )
                .hint("đổi tên tệp, chỉ dùng chữ cái, chữ số và dấu gạch ngang"),
            ),
        }
    }
    (files, assets, errors)
}

/// True for a document's file (`.md`); the other files of `content/` are
/// copied as they are.
pub(crate) fn is_markdown(path: &Path) -> bool {
    path.extension().is_some_and(|x| x == "md")
}

/// True if the listing of `content/` ([`walk`]) takes the file at `rel`
/// (relative to `content/`): no part of its path is hidden.
pub(crate) fn is_listed(rel: &Path) -> bool {
    !rel.components().any(|c| is_hidden(c.as_os_str()))
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|n| n.starts_with('.') || n.ends_with('~') || n.starts_with('#'))
}

fn walk_error(err: &walkdir::Error, content_dir: &Path, shown_root: &Path) -> Diagnostic {
    let path = err.path().unwrap_or(content_dir);
    let shown = shown_root.join(path.strip_prefix(content_dir).unwrap_or(path));
    if let Some(ancestor) = err.loop_ancestor() {
        let anc = shown_root.join(ancestor.strip_prefix(content_dir).unwrap_or(ancestor));
        return Diagnostic::error(
            shown,
            0,
            0,
            format!(
                "liên kết tượng trưng tạo vòng lặp (trỏ về `{}`)",
                anc.display()
            ),
        )
        .hint("xoá liên kết tượng trưng này hoặc cho nó trỏ tới một thư mục khác");
    }
    let is_broken_link = path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
        && !path.exists();
    if is_broken_link {
        return Diagnostic::error(
            shown,
            0,
            0,
            "liên kết tượng trưng bị hỏng: tệp đích không tồn tại",
        )
        .hint("xoá liên kết hoặc tạo lại tệp mà nó trỏ tới");
    }
    match err.io_error() {
        Some(io) => Diagnostic::io(&shown, "đọc", io),
        None => Diagnostic::error(shown, 0, 0, err.to_string()),
    }
}

/// Reads, decodes and splits one file of the site at `root`.
pub(crate) fn read_document(
    root: &Path,
    path: &Path,
    rel: &str,
    shown_root: &Path,
) -> Result<Document, Vec<Diagnostic>> {
    let shown = shown_root.join(rel);
    let text = fsutil::read_text(root, path, &shown).map_err(|d| vec![d])?;
    parse_document(&text, rel, shown)
}

/// The fingerprint of a body as read: what [`read_body_again`] checks.
pub(crate) fn body_hash(body: &str) -> u64 {
    fsutil::hash64(body.as_bytes())
}

/// Reads the body of `doc` (a file of `content_dir`, in the site at `root`)
/// again. A build lets each body go once rendered and renders it again for
/// its page; `hash` ([`body_hash`]) is the body as first read, so a file
/// changed in between is an error, never a page made of two versions.
pub(crate) fn read_body_again(
    root: &Path,
    content_dir: &Path,
    doc: &Document,
    hash: u64,
) -> Result<String, Diagnostic> {
    let text = fsutil::read_text(root, &content_dir.join(&doc.rel), &doc.shown)?;
    match front_matter::split(&text, &doc.shown) {
        Ok(split) if body_hash(split.body) == hash => Ok(split.body.to_string()),
        _ => Err(Diagnostic::error(
            &doc.shown,
            0,
            0,
            "tệp đã thay đổi trong lúc dựng trang web",
        )
        .hint("chạy lại lệnh khi tệp đã được lưu xong (hoặc dùng `nqsite serve`, tự dựng lại sau mỗi lần lưu)")),
    }
}

/// Builds a document from its text (already decoded).
pub fn parse_document(text: &str, rel: &str, shown: PathBuf) -> Result<Document, Vec<Diagnostic>> {
    let split = front_matter::split(text, &shown).map_err(|d| vec![d])?;
    let fm = front_matter::parse(split.yaml, &shown, 1)?;
    Ok(Document {
        is_section: rel == SECTION_FILE || rel.ends_with("/_index.md"),
        rel: rel.to_string(),
        fm: fm.into(),
        body: split.body.into(),
        body_line: split.body_line,
        shown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_read_again_is_the_body_read_first_or_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let content_dir = root.join("content");
        std::fs::create_dir_all(content_dir.join("a")).unwrap();
        let file = content_dir.join("a/b.md");
        std::fs::write(&file, "---\ntitle: \"B\"\n---\nThân bài.\n").unwrap();
        let docs = load(root, &content_dir).unwrap().docs;
        let doc = &docs[0];
        let hash = body_hash(&doc.body);
        let again = read_body_again(root, &content_dir, doc, hash).unwrap();
        assert_eq!(again, *doc.body);
        // Saved again with other front matter only: the body is the same.
        std::fs::write(&file, "---\ntitle: \"Bê\"\n---\nThân bài.\n").unwrap();
        assert!(read_body_again(root, &content_dir, doc, hash).is_ok());
        // Changed (or gone) during the build: an error naming the file.
        std::fs::write(&file, "---\ntitle: \"B\"\n---\nThân bài khác.\n").unwrap();
        let e = read_body_again(root, &content_dir, doc, hash).unwrap_err();
        assert!(e.to_string().starts_with("content/a/b.md"), "{e}");
        assert!(e.message.contains("đã thay đổi"), "{e}");
        std::fs::remove_file(&file).unwrap();
        assert!(read_body_again(root, &content_dir, doc, hash).is_err());
    }
}
