//! The tool on the shipped Resolution 57 site: it builds deterministically,
//! every internal link and anchor resolves, the matrix and the target pages
//! show what the content references.  The corpus's own shape (75 questions,
//! 43 targets …) is checked by `scripts/corpus_check.py`, not here: these
//! tests read the counts they need from the content.

use std::path::Path;

use crate::harness::{files_of_type, nqsite, repo, snapshot};

#[test]
fn shipped_site_builds_deterministically() {
    let out = tempfile::tempdir().unwrap();
    let build = |dir: &Path| {
        let o = nqsite()
            .args(["build", "-q", "--root"])
            .arg(repo())
            .arg("--output")
            .arg(dir)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    build(&out.path().join("a"));
    build(&out.path().join("b"));
    assert!(
        snapshot(&out.path().join("a")) == snapshot(&out.path().join("b")),
        "two builds differ"
    );
    assert!(
        out.path()
            .join("a/hoi-dap/phan-2/cau-15/index.html")
            .is_file()
    );
}

/// Builds the shipped site once per test binary run into a temp folder.
fn built_site() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let o = nqsite()
            .args(["build", "-q", "--root"])
            .arg(repo())
            .arg("--output")
            .arg(dir.path().join("out"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        dir
    })
    .path()
    .join("out")
    .leak()
}

/// Every value of `attr="…"` in an HTML text.
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| html[i + needle.len()..].split('"').next())
        .collect()
}

#[test]
fn shipped_site_has_no_broken_internal_link_or_anchor() {
    let out = built_site();
    let mut checked = 0;
    let mut pages = 0;
    let mut broken = Vec::new();
    for e in walkdir::WalkDir::new(out).sort_by_file_name() {
        let e = e.unwrap();
        if e.path().extension().is_none_or(|x| x != "html") {
            continue;
        }
        let html = std::fs::read_to_string(e.path()).unwrap();
        pages += 1;
        for href in attr_values(&html, "href")
            .into_iter()
            .chain(attr_values(&html, "src"))
        {
            if !href.starts_with('/') || href.starts_with("//") {
                continue;
            }
            let (path, frag) = href.split_once('#').unwrap_or((href, ""));
            let mut file = out.join(path.trim_start_matches('/'));
            if path.ends_with('/') {
                file = file.join("index.html");
            }
            checked += 1;
            let Ok(target) = std::fs::read_to_string(&file) else {
                broken.push(format!("{}: {href} (no file)", e.path().display()));
                continue;
            };
            if !frag.is_empty() && !target.contains(&format!(" id=\"{frag}\"")) {
                broken.push(format!("{}: {href} (no anchor)", e.path().display()));
            }
        }
    }
    assert!(
        checked > pages,
        "crawled only {checked} links on {pages} pages"
    );
    assert!(
        broken.is_empty(),
        "{} broken links:\n{}",
        broken.len(),
        broken.join("\n")
    );
}

/// The cells of the matrix row whose header links to `href`.
fn matrix_row(href: &str) -> Vec<String> {
    let html = std::fs::read_to_string(built_site().join("ma-tran/index.html")).unwrap();
    let start = html
        .find(&format!("<a href=\"{href}\">"))
        .unwrap_or_else(|| panic!("row {href}"));
    let row = &html[start..html[start..].find("</tr>").unwrap() + start];
    row.split("<td>")
        .skip(1)
        .map(|c| c.split("</td>").next().unwrap().to_string())
        .collect()
}

#[test]
fn matrix_shows_which_document_covers_which_part_of_the_resolution() {
    // Columns: the guidances (tinh-uy, binh-phuoc, quang-yen), the book's
    // parts, the speech.
    let tfp = matrix_row("/nghi-quyet/muc-tieu/tfp-2030/");
    let columns = ["guidance", "part", "speech"]
        .iter()
        .map(|kind| files_of_type(kind).len())
        .sum::<usize>();
    assert_eq!(tfp.len(), columns);
    assert!(
        tfp[0].contains("href=\"/huong-dan/tinh-uy/#ref-target-tfp-2030\""),
        "{tfp:?}"
    );
    assert!(
        !tfp[1].contains("href"),
        "Bình Phước's guidance quotes no 2030 figures: {tfp:?}"
    );
    assert!(tfp[2].contains("/huong-dan/quang-yen/#ref-target-tfp-2030"));
    assert!(
        tfp[4].contains("/hoi-dap/phan-2/cau-16/#ref-target-tfp-2030"),
        "Q16 states the TFP target"
    );
    let task3 = matrix_row("/nghi-quyet/nhiem-vu/nhiem-vu-3/");
    for guidance in &task3[0..3] {
        assert!(
            guidance.contains("#ref-task-3"),
            "every guidance lists task group 3: {task3:?}"
        );
    }
    assert!(task3[4].contains("/hoi-dap/phan-2/cau-21/"));
}

#[test]
fn every_target_page_shows_its_source_and_mentions() {
    let out = built_site();
    for (path, fm) in files_of_type("target") {
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let page = std::fs::read_to_string(
            out.join("nghi-quyet/muc-tieu")
                .join(stem)
                .join("index.html"),
        )
        .unwrap();
        assert!(
            page.contains("Nguồn: <a href=\"/huong-dan/tinh-uy/#ref-target-"),
            "{stem}: source not linked"
        );
        assert!(page.contains("Được đề cập tại"), "{stem}");
        let figure = fm.get("figure").and_then(|v| v.as_str()).unwrap();
        let escaped = figure
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(page.contains(&escaped), "{stem}: figure {figure}");
    }
}
