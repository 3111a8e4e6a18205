//! `nqsite new question|guidance|target|page`: writes a new content file in
//! the right folder, with the next free number or id and Vietnamese comments
//! on what each front matter field means. Never overwrites a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::content::{self, Document};
use crate::text::slug_or;

/// The kinds of document `nqsite new` can create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A question of the Q&A book.
    Question,
    /// A guidance from a provincial or district office.
    Guidance,
    /// A target of the resolution.
    Target,
    /// A free page at the top of the site.
    Page,
}

/// Default year of a new target.
const DEFAULT_YEAR: i64 = 2030;

/// Creates the file and returns its path (relative to the root when possible).
pub fn create(root: &Path, kind: Kind, title_words: &[String]) -> Result<PathBuf, String> {
    let content_dir = root.join("content");
    if !content_dir.is_dir() {
        return Err(format!(
            "không tìm thấy thư mục nội dung `{}`; chọn đúng thư mục gốc bằng `--root`",
            content_dir.display()
        ));
    }
    let docs = scan(&content_dir);
    let title = title_words.join(" ").trim().to_string();
    let (rel, text) = match kind {
        Kind::Question => question(&docs, &title),
        Kind::Guidance => guidance(&docs, &title),
        Kind::Target => target(&docs, &title),
        Kind::Page => page(&docs, &title),
    };
    let path = content_dir.join(&rel);
    write_new(&path, &text)?;
    Ok(path
        .strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or(path))
}

/// Every document that parses (problems are for `build` to report).
fn scan(content_dir: &Path) -> Vec<Document> {
    let (files, _, _) = content::walk(content_dir, Path::new("content"));
    files
        .iter()
        .filter_map(|(path, rel)| content::read_document(path, rel, Path::new("content")).ok())
        .collect()
}

fn of_type<'a>(docs: &'a [Document], kind: &str) -> Vec<&'a Document> {
    docs.iter()
        .filter(|d| d.fm.doc_type.as_deref() == Some(kind))
        .collect()
}

fn extra_i64(d: &Document, key: &str) -> Option<i64> {
    d.fm.extra.get(key).and_then(|v| v.as_i64())
}

/// A YAML double-quoted string.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn folder_of<'a>(docs: &[&'a Document], fallback: &'a str) -> &'a str {
    docs.last().map_or(fallback, |d| d.dir())
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn question(docs: &[Document], title: &str) -> (String, String) {
    let mut qs = of_type(docs, "question");
    qs.sort_by_key(|d| extra_i64(d, "number").unwrap_or(0));
    let last = qs.last().copied();
    let number = last.and_then(|d| extra_i64(d, "number")).unwrap_or(0) + 1;
    let part = last.and_then(|d| extra_i64(d, "part")).unwrap_or(1);
    let dir = folder_of(&qs, "hoi-dap");
    let asked = if title.is_empty() {
        "Nội dung câu hỏi?"
    } else {
        title
    };
    let text = format!(
        "---\n\
         # Tiêu đề hiện trên trang và trong mục lục (bắt buộc).\n\
         title: {title}\n\
         # Loại tài liệu: câu hỏi của sách Hỏi - đáp (chọn mẫu giao diện question.html).\n\
         type: question\n\
         # Số thứ tự của câu hỏi; dùng để dẫn chiếu: [Câu hỏi {number}](question:{number}).\n\
         number: {number}\n\
         # Phần của sách chứa câu hỏi này.\n\
         part: {part}\n\
         # Câu hỏi, đúng như sách in (không có \"Câu hỏi N:\").\n\
         question: {question}\n\
         # Thứ tự trong mục (số nhỏ đứng trước).\n\
         weight: {number}\n\
         # Mục tiêu, nhiệm vụ, quan điểm được nhắc tới (không bắt buộc), ví dụ:\n\
         # targets: [tfp-2030]\n\
         # tasks: [3]\n\
         ---\n\n\
         Nội dung trả lời. Dẫn chiếu tới mục tiêu: [trên 55%](target:tfp-2030).\n",
        title = quoted(&format!("Câu hỏi {number}: {asked}")),
        question = quoted(asked),
    );
    (join(dir, &format!("cau-{number:02}.md")), text)
}

fn free_id(docs: &[Document], kind: &str, wanted: &str) -> String {
    let taken = |id: &str| {
        docs.iter().any(|d| {
            d.fm.doc_type.as_deref() == Some(kind) && d.fm.extra_str("id") == Some(id)
                || d.stem() == id
        })
    };
    if !taken(wanted) {
        return wanted.to_string();
    }
    (2..)
        .map(|n| format!("{wanted}-{n}"))
        .find(|id| !taken(id))
        .unwrap_or_else(|| wanted.to_string())
}

fn next_weight(docs: &[&Document]) -> i64 {
    docs.iter().map(|d| d.fm.weight).max().unwrap_or(0) + 1
}

fn guidance(docs: &[Document], title: &str) -> (String, String) {
    let gs = of_type(docs, "guidance");
    let title = if title.is_empty() {
        "Hướng dẫn mới"
    } else {
        title
    };
    let id = free_id(docs, "guidance", &slug_or(title, "huong-dan-moi"));
    let text = format!(
        "---\n\
         # Tiêu đề văn bản, đúng như văn bản ghi (bắt buộc).\n\
         title: {title}\n\
         # Tên ngắn cho trình đơn và đường dẫn, ví dụ \"Hướng dẫn số 91-HD/BTGTU (Quảng Yên)\".\n\
         short_title: {title}\n\
         # Loại tài liệu: văn bản hướng dẫn.\n\
         type: guidance\n\
         # Mã của văn bản, dùng để dẫn chiếu: [Hướng dẫn](guidance:{id}).\n\
         id: {id}\n\
         # Cơ quan ban hành, đúng như văn bản ghi (bắt buộc).\n\
         issuer: \"Ban Tuyên giáo ...\"\n\
         # Số hiệu văn bản; để null nếu văn bản không có.\n\
         number: null\n\
         # Ngày ban hành, dạng NĂM-THÁNG-NGÀY, ví dụ 2025-01-24; để null nếu không có.\n\
         date: null\n\
         # Địa danh ghi ở đầu văn bản; null nếu không có.\n\
         place: null\n\
         # Người ký và chức danh.\n\
         signer: null\n\
         signer_title: null\n\
         # Thứ tự trong mục.\n\
         weight: {weight}\n\
         ---\n\n\
         ## I- MỤC ĐÍCH, YÊU CẦU {{#muc-dich-yeu-cau}}\n\n\
         Nội dung văn bản.\n",
        title = quoted(title),
        weight = next_weight(&gs),
    );
    (join(folder_of(&gs, "huong-dan"), &format!("{id}.md")), text)
}

fn target(docs: &[Document], title: &str) -> (String, String) {
    let ts = of_type(docs, "target");
    let year = title
        .split_whitespace()
        .filter_map(|w| w.parse::<i64>().ok())
        .find(|y| (2000..=2100).contains(y))
        .unwrap_or(DEFAULT_YEAR);
    let title = if title.is_empty() {
        "Chỉ tiêu mới"
    } else {
        title
    };
    let base = slug_or(title, "muc-tieu");
    let base = if base.ends_with(&year.to_string()) {
        base
    } else {
        format!("{base}-{year}")
    };
    let id = free_id(docs, "target", &base);
    let last = ts.last();
    let group = last
        .and_then(|d| d.fm.extra_str("group"))
        .unwrap_or("nhom-moi");
    let source = last
        .and_then(|d| d.fm.extra_str("source"))
        .unwrap_or("tinh-uy");
    let text = format!(
        "---\n\
         # Tên chỉ tiêu (bắt buộc).\n\
         title: {title}\n\
         # Loại tài liệu: mục tiêu của nghị quyết.\n\
         type: target\n\
         # Mã của mục tiêu: chữ thường không dấu, gạch nối, kết thúc bằng năm.\n\
         # Dẫn chiếu trong bài: [tối thiểu 50%](target:{id}).\n\
         id: {id}\n\
         # Năm cần đạt: 2030 hoặc 2045.\n\
         year: {year}\n\
         # Nhóm mục tiêu: một trong các mã `groups` của muc-tieu/_index.md.\n\
         group: {group}\n\
         # Chỉ tiêu, đúng như văn bản nguồn viết.\n\
         indicator: {title}\n\
         # Con số hoặc cam kết, đúng như văn bản viết, ví dụ \"trên 55%\".\n\
         value: \"...\"\n\
         # Dạng ngắn để in chữ lớn, ví dụ \">55%\".\n\
         figure: \"...\"\n\
         # Mã văn bản hướng dẫn chứa câu trích dẫn.\n\
         source: {source}\n\
         # Câu (hoặc vế câu) trích nguyên văn từ văn bản nguồn.\n\
         source_text: \"...\"\n\
         # Thứ tự trong mục.\n\
         weight: {weight}\n\
         ---\n",
        title = quoted(title),
        group = quoted(group),
        source = quoted(source),
        weight = next_weight(&ts),
    );
    (
        join(folder_of(&ts, "nghi-quyet/muc-tieu"), &format!("{id}.md")),
        text,
    )
}

fn page(docs: &[Document], title: &str) -> (String, String) {
    let title = if title.is_empty() {
        "Trang mới"
    } else {
        title
    };
    let slug = slug_or(title, "trang-moi");
    let taken = |s: &str| docs.iter().any(|d| d.rel == format!("{s}.md"));
    let slug = if taken(&slug) {
        (2..)
            .map(|n| format!("{slug}-{n}"))
            .find(|s| !taken(s))
            .unwrap_or(slug)
    } else {
        slug
    };
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
    (format!("{slug}.md"), text)
}

/// Writes a new file; refuses to replace an existing one.
fn write_new(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("không tạo được thư mục `{}`: {e}", parent.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => format!(
                "tệp `{}` đã có; nqsite không ghi đè. Đổi tiêu đề hoặc xoá tệp cũ trước",
                path.display()
            ),
            _ => format!("không tạo được tệp `{}`: {e}", path.display()),
        })?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("không ghi được tệp `{}`: {e}", path.display()))
}
