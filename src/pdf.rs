//! Optional PDFs of the print pages (`nqsite build --pdf`): the infographic,
//! its paper variants and the booklets, printed by a headless Chromium when
//! one is installed, into the staging folder before it is swapped in. Never
//! a hard dependency: without Chromium, or when it fails, the site is built
//! and a warning says why there is no PDF.
//!
//! Each page is printed from a relative-link copy of itself written beside
//! it, so its assets load from `file://` under any base path. The PDF is
//! then made independent of where it was printed: links into the staging
//! folder become the site's addresses (absolute when `base_url` has an
//! origin, else relative to the PDF), the creation and modification dates
//! are fixed, and the cross-reference table is rewritten for the new
//! lengths. The same site gives the same bytes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::diag::Diagnostic;
use crate::print::paper_variants;
use crate::resolve::Site;

/// File name of the PDF written in a print page's folder.
pub const PDF_NAME: &str = "ban-in.pdf";

/// How long one page may take to print.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The Chromium to print with: `NQSITE_CHROMIUM`, else the first of the
/// usual names found on `PATH`.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("NQSITE_CHROMIUM") {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

/// The site folders (`infographic/`, `infographic/a3/`, …) of the pages
/// printed to PDF, in site order.
pub fn pages(site: &Site) -> Vec<String> {
    let mut dirs = Vec::new();
    for node in &site.nodes {
        let fm = &node.doc.fm;
        if site.config.model.of(fm).is_some_and(|d| d.pdf) {
            dirs.push(node.path.clone());
            for paper in paper_variants(&fm.extra) {
                dirs.push(format!("{}{paper}/", node.path));
            }
        }
    }
    dirs
}

/// Prints every page of [`pages`] found in `dir` (the staging folder) to
/// `<page>/ban-in.pdf`. Returns warnings: a PDF that cannot be made is not
/// an error of the build.
pub fn write_all(site: &Site, dir: &Path) -> Vec<Diagnostic> {
    let Some(chromium) = find_chromium() else {
        return vec![
            Diagnostic::warning("--pdf", 0, 0, "không tìm thấy Chromium: bỏ qua bản PDF").hint(
                "cài trình duyệt Chromium (Debian: `apt-get install chromium`) hoặc đặt biến \
                 NQSITE_CHROMIUM là đường dẫn tới nó",
            ),
        ];
    };
    let links = Links {
        staging: dir.to_path_buf(),
        origin: site
            .config
            .origin
            .as_ref()
            .map(|_| site.config.absolute("")),
    };
    pages(site)
        .iter()
        .filter_map(|page| {
            let base = &site.config.base_path;
            print_page(&chromium, &links, page, base)
                .err()
                .map(|e| (page, e))
        })
        .map(|(page, e)| {
            Diagnostic::warning(format!("{page}index.html"), 0, 0, e)
                .hint("trang web vẫn được dựng; có thể in trang này từ trình duyệt")
        })
        .collect()
}

/// Where the links of a printed page point.
struct Links {
    /// The folder the pages were printed from (`file://` links into it).
    staging: PathBuf,
    /// The site's absolute address (`https://host/base/`), if it has one.
    origin: Option<String>,
}

impl Links {
    /// The address for a link Chromium wrote as `uri`, seen from the PDF in
    /// `page` (`infographic/`); `None` to keep `uri` as it is.
    fn rewrite(&self, uri: &str, page: &str) -> Option<String> {
        let rest = uri
            .strip_prefix("file://")?
            .strip_prefix(self.staging.to_str()?)?
            .strip_prefix('/')?
            .replacen("index.html#", "#", 1);
        let rest = rest.strip_suffix("index.html").unwrap_or(&rest);
        Some(match &self.origin {
            Some(origin) => format!("{origin}{rest}"),
            None => format!("{}{rest}", "../".repeat(page.matches('/').count())),
        })
    }
}

/// Prints `<staging>/<page>index.html` to `<staging>/<page>ban-in.pdf`.
fn print_page(chromium: &Path, links: &Links, page: &str, base: &str) -> Result<(), String> {
    let fail = |m: String| format!("không in được bản PDF: {m}");
    let folder = links.staging.join(page);
    let html =
        std::fs::read_to_string(folder.join("index.html")).map_err(|e| fail(e.to_string()))?;
    let source = folder.join(".nqsite-pdf.html");
    let relative = crate::portable::relativize(&html, page, base);
    std::fs::write(&source, relative).map_err(|e| fail(e.to_string()))?;
    let pdf = folder.join(PDF_NAME);
    let printed = run_chromium(chromium, &source, &pdf);
    let _ = std::fs::remove_file(&source);
    printed.map_err(fail)?;
    let bytes = std::fs::read(&pdf).map_err(|e| fail(e.to_string()))?;
    let fixed = bytes
        .starts_with(b"%PDF")
        .then(|| portable_pdf(bytes, &|uri| links.rewrite(uri, page)))
        .flatten();
    match fixed {
        Some(bytes) => std::fs::write(&pdf, bytes).map_err(|e| fail(e.to_string())),
        None => {
            let _ = std::fs::remove_file(&pdf);
            Err(fail("Chromium ghi ra một tệp PDF không đọc được".into()))
        }
    }
}

fn run_chromium(chromium: &Path, source: &Path, pdf: &Path) -> Result<(), String> {
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", source.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) if status.success() => return Ok(()),
            Some(status) => return Err(format!("Chromium dừng với {status}")),
            None if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("Chromium chạy quá {} giây", TIMEOUT.as_secs()));
            }
            None => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// The PDF with its link URIs rewritten by `rewrite`, its dates fixed and
/// its cross-reference table adjusted. `None` when the file does not end
/// with the classic table this needs.
fn portable_pdf(pdf: Vec<u8>, rewrite: &dyn Fn(&str) -> Option<String>) -> Option<Vec<u8>> {
    let mut edits: Vec<(usize, usize, Vec<u8>)> = Vec::new();
    for (start, end) in literals_after(&pdf, b"/URI (") {
        let uri = String::from_utf8_lossy(&pdf[start..end]).into_owned();
        if let Some(new) = rewrite(&unescape(&uri)) {
            edits.push((start, end, escape(&new).into_bytes()));
        }
    }
    for key in [&b"/CreationDate (D:"[..], &b"/ModDate (D:"[..]] {
        for (start, end) in literals_after(&pdf, key) {
            edits.push((start, end, b"20000101000000+00'00'".to_vec()));
        }
    }
    edits.sort_by_key(|e| e.0);
    let table = xref(&pdf)?;
    let shift = |pos: usize| -> i64 {
        edits
            .iter()
            .filter(|(s, _, _)| *s < pos)
            .map(|(s, e, new)| new.len() as i64 - (e - s) as i64)
            .sum()
    };
    let mut out = Vec::with_capacity(pdf.len() + 1024);
    let mut at = 0;
    for (start, end, new) in &edits {
        out.extend_from_slice(&pdf[at..*start]);
        out.extend_from_slice(new);
        at = *end;
    }
    out.extend_from_slice(&pdf[at..]);
    // Rewrite the offsets of the table (fixed width: 10 digits) and the
    // `startxref` value, both now shifted.
    let moved = |pos: usize| usize::try_from(pos as i64 + shift(pos)).ok();
    let table_at = moved(table.start)?;
    for (k, entry) in table.offsets.iter().enumerate() {
        let Some(offset) = entry else { continue };
        let field = table_at + table.first_entry + k * 20;
        let new = format!("{:010}", moved(*offset)?);
        out.get_mut(field..field + 10)?
            .copy_from_slice(new.as_bytes());
    }
    let tail = format!("startxref\n{table_at}\n%%EOF\n");
    let cut = find_last(&out, b"startxref")?;
    out.truncate(cut);
    out.extend_from_slice(tail.as_bytes());
    Some(out)
}

/// The classic cross-reference table: where it starts, where its first
/// entry starts (relative to it), and each entry's offset (`None` for free
/// entries).
struct Table {
    start: usize,
    first_entry: usize,
    offsets: Vec<Option<usize>>,
}

fn xref(pdf: &[u8]) -> Option<Table> {
    let at = find_last(pdf, b"startxref")?;
    let text = std::str::from_utf8(&pdf[at..]).ok()?;
    let start: usize = text.split_whitespace().nth(1)?.parse().ok()?;
    let head = pdf.get(start..)?;
    if !head.starts_with(b"xref") {
        return None;
    }
    // "xref\n0 N\n" then N entries of 20 bytes.
    let mut lines = head.splitn(3, |&b| b == b'\n');
    let (xref_line, range) = (lines.next()?, lines.next()?);
    let first_entry = xref_line.len() + 1 + range.len() + 1;
    let range = std::str::from_utf8(range).ok()?;
    let count: usize = range.split_whitespace().nth(1)?.parse().ok()?;
    let offsets = (0..count)
        .map(|k| {
            let entry = head.get(first_entry + k * 20..first_entry + k * 20 + 20)?;
            let fields = std::str::from_utf8(entry).ok()?;
            let mut parts = fields.split_whitespace();
            let offset: usize = parts.next()?.parse().ok()?;
            let _generation = parts.next()?;
            Some(match parts.next()? {
                "n" => Some(offset),
                _ => None,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Table {
        start,
        first_entry,
        offsets,
    })
}

/// The byte ranges of the literal strings right after each `key` (which
/// ends with `(`), up to their closing `)`, backslash escapes skipped.
fn literals_after(pdf: &[u8], key: &[u8]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(pos) = find(&pdf[from..], key) {
        let start = from + pos + key.len();
        let mut i = start;
        while i < pdf.len() && pdf[i] != b')' {
            i += if pdf[i] == b'\\' { 2 } else { 1 };
        }
        if i >= pdf.len() {
            break;
        }
        found.push((start, i));
        from = i;
    }
    found
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)")
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal PDF with a link, dates and a correct table.
    fn sample() -> Vec<u8> {
        let objects = [
            "<</Title (x)\n/CreationDate (D:20261123162024+07'00')\n/ModDate (D:20261123162025+07'00')>>",
            "<</Type /Annot /A <</S /URI\n/URI (file:///tmp/.o.nqsite-tmp/nghi-quyet/muc-tieu/tfp-2030/index.html)>>>>",
            "<</Type /Catalog>>",
        ];
        let mut pdf = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (k, body) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", k + 1).as_bytes());
        }
        let start = pdf.len();
        pdf.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for o in &offsets {
            pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!("trailer\n<</Size 4>>\nstartxref\n{start}\n%%EOF\n").as_bytes(),
        );
        pdf
    }

    /// Every table entry points at its object, and startxref at the table.
    fn assert_consistent(pdf: &[u8]) {
        let table = xref(pdf).expect("table");
        assert!(pdf[table.start..].starts_with(b"xref"));
        for (k, offset) in table.offsets.iter().enumerate() {
            if let Some(o) = offset {
                assert!(
                    pdf[*o..].starts_with(format!("{k} 0 obj").as_bytes()),
                    "object {k}"
                );
            }
        }
    }

    #[test]
    fn links_dates_and_table_are_rewritten_consistently() {
        let pdf = sample();
        assert_consistent(&pdf);
        let links = Links {
            staging: PathBuf::from("/tmp/.o.nqsite-tmp"),
            origin: Some("https://cong.gov.vn/nq57/".into()),
        };
        let out = portable_pdf(pdf, &|uri| links.rewrite(uri, "infographic/")).unwrap();
        assert_consistent(&out);
        let text = String::from_utf8_lossy(&out);
        assert!(
            text.contains("/URI (https://cong.gov.vn/nq57/nghi-quyet/muc-tieu/tfp-2030/)"),
            "{text}"
        );
        assert!(text.contains("/CreationDate (D:20000101000000+00'00')"));
        assert!(text.contains("/ModDate (D:20000101000000+00'00')"));
        assert!(!text.contains("file://"));
    }

    #[test]
    fn without_an_origin_links_are_relative_to_the_pdf() {
        let links = Links {
            staging: PathBuf::from("/s"),
            origin: None,
        };
        assert_eq!(
            links
                .rewrite("file:///s/hoi-dap/cau-01/index.html", "infographic/a3/")
                .as_deref(),
            Some("../../hoi-dap/cau-01/")
        );
        assert_eq!(links.rewrite("https://example.org/", "infographic/"), None);
    }
}
