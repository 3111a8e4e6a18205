//! Portable output: every root-relative link of a page becomes relative to
//! the page, with an explicit `index.html`, so the site works opened from
//! `file://` (a USB stick, an offline copy). Also writes the zip bundle.

use std::io::Write;
use std::path::Path;

use crate::diag::Diagnostic;

/// Attributes whose values are URLs to rewrite.
const URL_ATTRS: &[&str] = &["href", "src", "action", "data-root"];

/// Rewrites the links of `html`, a page written at `page_dir` (a site path
/// such as `hoi-dap/cau-01/`, `""` for the root), that start with `base_path`.
pub fn relativize(html: &str, page_dir: &str, base_path: &str) -> String {
    let up = "../".repeat(page_dir.matches('/').count());
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut rest = html;
    while let Some((pos, attr)) = next_attr(rest) {
        let value_start = pos + attr.len() + 3; // ` attr="`
        out.push_str(&rest[..value_start]);
        rest = &rest[value_start..];
        let end = rest.find('"').unwrap_or(rest.len());
        out.push_str(&rewrite(&rest[..end], attr, &up, base_path));
        rest = &rest[end..];
    }
    out.push_str(rest);
    rewrite_refresh(&out, &up, base_path)
}

/// Finds the next ` attr="` for one of [`URL_ATTRS`].
fn next_attr(s: &str) -> Option<(usize, &'static str)> {
    URL_ATTRS
        .iter()
        .filter_map(|a| s.find(&format!(" {a}=\"")).map(|p| (p, *a)))
        .min_by_key(|(p, _)| *p)
}

fn rewrite(value: &str, attr: &str, up: &str, base_path: &str) -> String {
    let Some(target) = value
        .strip_prefix(base_path)
        .filter(|_| !value.starts_with("//"))
    else {
        return value.to_string();
    };
    if attr == "data-root" {
        return if up.is_empty() {
            "./".to_string()
        } else {
            up.to_string()
        };
    }
    let (path, frag) = match target.split_once('#') {
        Some((p, f)) => (p, format!("#{f}")),
        None => (target, String::new()),
    };
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, format!("?{q}")),
        None => (path, String::new()),
    };
    let file = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    };
    format!("{up}{file}{query}{frag}")
}

/// `<meta http-equiv="refresh" content="0; url=/x/">` on alias pages.
fn rewrite_refresh(html: &str, up: &str, base_path: &str) -> String {
    let needle = "; url=";
    let Some(pos) = html.find(needle) else {
        return html.to_string();
    };
    let start = pos + needle.len();
    let end = html[start..].find('"').map_or(html.len(), |e| start + e);
    format!(
        "{}{}{}",
        &html[..start],
        rewrite(&html[start..end], "href", up, base_path),
        &html[end..]
    )
}

/// Writes every file under `dir` into a zip at `zip_path`, in sorted order
/// with fixed timestamps so the same site gives the same bytes. The output
/// folder's marker is left out; the zip's comment says nqsite wrote it, so
/// the next build may replace it.
pub fn write_zip(dir: &Path, zip_path: &Path, folder: &str) -> Result<(), Diagnostic> {
    let io = |e: std::io::Error| Diagnostic::io(zip_path, "ghi tệp zip", &e);
    let zerr = |e: zip::result::ZipError| {
        Diagnostic::error(zip_path, 0, 0, format!("không thể ghi tệp zip: {e}"))
    };
    let file = std::fs::File::create(zip_path).map_err(io)?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut entries: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| e.depth() != 1 || e.file_name() != crate::output::MARKER)
        .collect();
    entries.sort_by(|a, b| a.path().cmp(b.path()));
    for entry in entries {
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        let bytes =
            std::fs::read(entry.path()).map_err(|e| Diagnostic::io(entry.path(), "đọc tệp", &e))?;
        zip.start_file(format!("{folder}/{rel}"), options)
            .map_err(zerr)?;
        zip.write_all(&bytes).map_err(io)?;
    }
    zip.set_comment(crate::output::target::ZIP_COMMENT)
        .map_err(zerr)?;
    zip.finish().map_err(zerr)?.flush().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_become_relative_with_index_html() {
        let html = r##"<html data-root="/"><a href="/hoi-dap/cau-01/#x">a</a><link href="/assets/s.css"><a href="https://x.vn/">e</a><a href="#top">t</a><a href="/">h</a>"##;
        let out = relativize(html, "hoi-dap/cau-02/", "/");
        assert_eq!(
            out,
            r##"<html data-root="../../"><a href="../../hoi-dap/cau-01/index.html#x">a</a><link href="../../assets/s.css"><a href="https://x.vn/">e</a><a href="#top">t</a><a href="../../index.html">h</a>"##
        );
    }

    #[test]
    fn root_pages_and_base_paths() {
        assert_eq!(
            relativize(r#"<a href="/nq57/a/">x</a>"#, "", "/nq57/"),
            r#"<a href="a/index.html">x</a>"#
        );
        assert_eq!(
            relativize(r#"<html data-root="/nq57/">"#, "", "/nq57/"),
            r#"<html data-root="./">"#
        );
        assert_eq!(
            relativize(
                r#"<meta http-equiv="refresh" content="0; url=/b/">"#,
                "old/x/",
                "/"
            ),
            r#"<meta http-equiv="refresh" content="0; url=../../b/index.html">"#
        );
    }
}
