//! `nqsite new`: starts a site, or writes one new content file.
//!
//! - `nqsite new site DIR` copies the template of a working site for a new
//!   resolution (`src/scaffold/new-site/`, compiled in) into an empty `DIR`.
//! - `nqsite new <type>` writes a document of a type declared in `types:`
//!   of `site.yaml`, placed, numbered and filled from the declaration and
//!   from the documents of that type that already exist (see
//!   [`document`]); `nqsite new page` writes an untyped free page.
//!
//! Nothing is ever overwritten, and a file is only written when every file
//! of the request can be.

mod document;
mod site;

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::config::Config;
use crate::content::{self, Document, SECTION_FILE};
use crate::diag::{Diagnostic, closest, did_you_mean};
use crate::model::Model;
use crate::text::slug_or;

pub use site::create_site;

/// The word that makes `nqsite new` start a site instead of a document.
pub const SITE: &str = "site";

/// The word that makes `nqsite new` write an untyped free page.
pub const PAGE: &str = "page";

/// What `nqsite new <type>` wrote.
#[derive(Debug, Default)]
pub struct Created {
    /// The new document (`content/…`).
    pub document: PathBuf,
    /// Section files written so the document's new folder is a section.
    pub sections: Vec<PathBuf>,
    /// What the editor still has to do that the file could not (Vietnamese).
    pub notes: Vec<String>,
}

/// The files a request will write, relative to `content/`, in order.
#[derive(Debug, Default)]
struct Plan {
    /// `_index.md` files of new folders, then the document, last.
    files: Vec<(String, String)>,
    notes: Vec<String>,
}

/// Writes a new document of type `kind` (or a free page for `page`) in the
/// site at `root`. `dir` is a folder under `content/` chosen by the user.
pub fn create(
    root: &Path,
    kind: &str,
    title_words: &[String],
    dir: Option<&str>,
) -> Result<Created, Vec<Diagnostic>> {
    let content_dir = root.join("content");
    if !content_dir.is_dir() {
        return Err(vec![no_content(&content_dir)]);
    }
    let config = Config::load(root, None, None)?;
    let dir = dir.map(user_dir).transpose().map_err(|d| vec![d])?;
    let docs = scan(root, &content_dir);
    let title = crate::text::nfc(title_words.join(" ").trim()).into_owned();
    let plan = if kind == PAGE {
        page(&content_dir, &docs, &title, dir.as_deref())
    } else {
        let decl = config
            .model
            .get(kind)
            .ok_or_else(|| vec![unknown_type(&config.model, kind)])?;
        let request = document::Request {
            kind,
            decl,
            title: &title,
            dir: dir.as_deref(),
        };
        document::plan(&config.model, &docs, &content_dir, &request)
    };
    let mut written = write_all(&content_dir, &plan.files).map_err(|d| vec![d])?;
    let document = written.pop().unwrap_or_default();
    Ok(Created {
        document,
        sections: written,
        notes: plan.notes,
    })
}

/// The types `nqsite new` can make in the site at `root`: each declared
/// type with its label, then `page`.
pub fn declared_types(root: &Path) -> Result<Vec<(String, String)>, Vec<Diagnostic>> {
    let config = Config::load(root, None, None)?;
    Ok(type_list(&config.model))
}

fn type_list(model: &Model) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = model
        .types
        .iter()
        .filter(|(name, _)| name.as_str() != PAGE)
        .map(|(name, t)| (name.clone(), t.label.clone().unwrap_or_default()))
        .collect();
    out.push((PAGE.into(), "Trang tự do (không thuộc loại nào)".into()));
    out
}

fn no_content(content_dir: &Path) -> Diagnostic {
    Diagnostic::error(content_dir, 0, 0, "không tìm thấy thư mục nội dung").hint(format!(
        "chọn đúng thư mục gốc của trang bằng `--root`, hoặc bắt đầu một trang mới bằng `nqsite new {SITE} THƯ_MỤC`"
    ))
}

fn unknown_type(model: &Model, kind: &str) -> Diagnostic {
    let listed: Vec<String> = type_list(model)
        .into_iter()
        .map(|(name, label)| match label.as_str() {
            "" => format!("`{name}`"),
            _ => format!("`{name}` ({label})"),
        })
        .collect();
    let near = closest(kind, model.types.keys().map(String::as_str), 3);
    let message = if model.types.is_empty() {
        format!(
            "loại tài liệu `{kind}` chưa được khai báo: `types:` của site.yaml chưa có loại nào"
        )
    } else {
        format!("loại tài liệu `{kind}` chưa được khai báo trong `types:` của site.yaml")
    };
    let hint = if near.is_empty() {
        format!(
            "các loại tạo được: {}; hoặc khai báo `{kind}:` trong `types:` của site.yaml",
            listed.join(", ")
        )
    } else {
        format!(
            "{}; các loại tạo được: {}",
            did_you_mean(near.iter().map(|n| format!("nqsite new {n}"))),
            listed.join(", ")
        )
    };
    Diagnostic::error(crate::config::CONFIG_FILE, 0, 0, message).hint(hint)
}

/// Checks `--dir`: a folder inside `content/`, written relative to it.
fn user_dir(dir: &str) -> Result<String, Diagnostic> {
    let path = Path::new(dir);
    let mut parts = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => match p.to_str() {
                Some(p) => parts.push(p),
                None => return Err(bad_dir(dir)),
            },
            Component::CurDir => {}
            _ => return Err(bad_dir(dir)),
        }
    }
    Ok(parts.join("/"))
}

fn bad_dir(dir: &str) -> Diagnostic {
    Diagnostic::error(
        "--dir",
        0,
        0,
        format!("`{dir}` không phải một thư mục bên trong `content/`"),
    )
    .hint("viết đường dẫn tính từ `content/`, không có `..`, ví dụ: `--dir hoi-dap/phan-3`")
}

/// Every document that parses (problems are for `build` to report).
fn scan(root: &Path, content_dir: &Path) -> Vec<Document> {
    let (files, _) = content::walk(content_dir, Path::new("content"));
    files
        .iter()
        .filter_map(|(path, rel)| {
            content::read_document(root, path, rel, Path::new("content")).ok()
        })
        .collect()
}

/// A YAML double-quoted string.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// `dir/name`, or `name` at the top of `content/`.
fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// `base`, or `base-2`, `base-3`… the first that `taken` refuses.
fn free_name(base: &str, taken: impl Fn(&str) -> bool) -> String {
    std::iter::once(base.to_string())
        .chain((2..1000).map(|n| format!("{base}-{n}")))
        .find(|s| !taken(s))
        .unwrap_or_else(|| base.to_string())
}

/// The `_index.md` of every folder from the top of `content/` down to
/// `dir` that does not exist yet, so a new folder is a section of its own.
fn new_sections(content_dir: &Path, dir: &str, title: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut sofar = String::new();
    for part in dir.split('/').filter(|p| !p.is_empty()) {
        sofar = join(&sofar, part);
        if !content_dir.join(&sofar).exists() {
            let title = if sofar == dir { title } else { part };
            out.push((join(&sofar, SECTION_FILE), section_text(title)));
        }
    }
    out
}

fn section_text(title: &str) -> String {
    format!(
        "---\n\
         # Tiêu đề của mục, hiện trên trang mục và trong danh mục (bắt buộc).\n\
         title: {}\n\
         ---\n",
        quoted(title)
    )
}

fn page(content_dir: &Path, docs: &[Document], title: &str, dir: Option<&str>) -> Plan {
    let title = if title.is_empty() {
        "Trang mới"
    } else {
        title
    };
    let dir = dir.unwrap_or("");
    let slug = free_name(&slug_or(title, "trang-moi"), |s| {
        let rel = join(dir, &format!("{s}.md"));
        docs.iter().any(|d| d.rel == rel) || content_dir.join(&rel).exists()
    });
    let text = format!(
        "---\n\
         # Tiêu đề trang (bắt buộc).\n\
         title: {title}\n\
         # Một câu giới thiệu, hiện trong kết quả tìm kiếm (không bắt buộc).\n\
         description: \"\"\n\
         # Thứ tự trong mục (số nhỏ đứng trước).\n\
         weight: 100\n\
         # Bỏ dấu # ở dòng dưới để tạm chưa đăng trang này.\n\
         # draft: true\n\
         ---\n\n\
         Nội dung trang.\n",
        title = quoted(title),
    );
    let mut files = new_sections(content_dir, dir, dir.rsplit('/').next().unwrap_or(dir));
    files.push((join(dir, &format!("{slug}.md")), text));
    Plan {
        files,
        notes: Vec::new(),
    }
}

/// Writes every file of a plan, or none: nothing is written when one of
/// them exists, and the files written are removed again when a later one
/// fails. Returns their paths as shown in messages (`content/…`).
fn write_all(content_dir: &Path, files: &[(String, String)]) -> Result<Vec<PathBuf>, Diagnostic> {
    let paths: Vec<PathBuf> = files.iter().map(|(rel, _)| content_dir.join(rel)).collect();
    let shown: Vec<PathBuf> = files
        .iter()
        .map(|(rel, _)| Path::new("content").join(rel))
        .collect();
    if let Some(i) = paths.iter().position(|p| p.exists()) {
        return Err(exists(&shown[i]));
    }
    let mut new_dirs: Vec<&Path> = paths
        .iter()
        .flat_map(|p| p.ancestors().skip(1).take_while(|a| !a.exists()))
        .collect();
    new_dirs.sort();
    new_dirs.dedup();
    let mut written: Vec<&Path> = Vec::new();
    for ((path, shown), (_, text)) in paths.iter().zip(&shown).zip(files) {
        if let Err(d) = write_new(path, shown, text) {
            // Undo: only what this call made, deepest first.
            for p in written.iter().rev() {
                let _ = std::fs::remove_file(p);
            }
            for dir in new_dirs.iter().rev() {
                let _ = std::fs::remove_dir(dir);
            }
            return Err(d);
        }
        written.push(path);
    }
    Ok(shown)
}

fn exists(shown: &Path) -> Diagnostic {
    Diagnostic::error(shown, 0, 0, "tệp đã có; nqsite không ghi đè")
        .hint("đổi tiêu đề, chọn thư mục khác bằng `--dir`, hoặc xoá tệp cũ trước")
}

/// Writes a new file; refuses to replace an existing one. `shown` is its
/// path in messages.
fn write_new(path: &Path, shown: &Path, text: &str) -> Result<(), Diagnostic> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Diagnostic::io(shown.parent().unwrap_or(shown), "tạo thư mục", &e))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => exists(shown),
            _ => Diagnostic::io(shown, "tạo tệp", &e),
        })?;
    file.write_all(text.as_bytes())
        .map_err(|e| Diagnostic::io(shown, "ghi tệp", &e))
}
