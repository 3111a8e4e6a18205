//! `nqsite build --pdf`: the infographic, its A3 variant and the booklet
//! printed by headless Chromium (installed by scripts/test.sh), checked
//! with poppler's pdfinfo/pdftotext; and a clear warning, not a failure,
//! when there is no Chromium.

use std::path::Path;
use std::process::Command;

use crate::harness::{nqsite, repo, snapshot};

fn build_pdf(out: &Path, chromium: Option<&str>) -> std::process::Output {
    let mut cmd = nqsite();
    cmd.args([
        "build",
        "--pdf",
        "--base-url",
        "https://cong.example.gov.vn/nq57/",
        "--root",
    ])
    .arg(repo())
    .arg("--output")
    .arg(out);
    if let Some(c) = chromium {
        cmd.env("NQSITE_CHROMIUM", c);
    }
    cmd.output().unwrap()
}

fn poppler(tool: &str, pdf: &Path) -> String {
    let o = Command::new(tool)
        .arg(pdf)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| panic!("{tool} (Debian poppler-utils) is needed: {e}"));
    assert!(o.status.success(), "{tool} {}", pdf.display());
    assert!(
        o.stderr.is_empty(),
        "{tool} complains about {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn pdf_of_the_print_pages_is_valid_linked_to_the_site_and_deterministic() {
    assert!(
        nqsite::pdf::find_chromium().is_some(),
        "Chromium is needed (scripts/test.sh installs Debian's chromium)"
    );
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let o = build_pdf(out, None);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(
            !String::from_utf8_lossy(&o.stderr).contains("cảnh báo:"),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert!(snapshot(&a) == snapshot(&b), "two builds with --pdf differ");
    for (page, pages, size) in [
        ("infographic", "2", "(A4)"),
        ("infographic/a3", "1", "(A3)"),
        ("hoi-dap/ban-in", "", "(A4)"),
    ] {
        let pdf = a.join(page).join("ban-in.pdf");
        let info = poppler("pdfinfo", &pdf);
        assert!(
            info.lines()
                .any(|l| l.starts_with("Page size:") && l.ends_with(size)),
            "{page}: {info}"
        );
        if !pages.is_empty() {
            assert!(
                info.lines()
                    .any(|l| l.starts_with("Pages:") && l.ends_with(pages)),
                "{page}: {info}"
            );
        }
        let bytes = std::fs::read(&pdf).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("file://"),
            "{page}: a link into the build folder"
        );
        assert!(!a.join(page).join(".nqsite-pdf.html").exists());
    }
    let infographic = a.join("infographic/ban-in.pdf");
    let text = poppler("pdftotext", &infographic);
    assert!(text.contains("NGHỊ QUYẾT SỐ 57-NQ/TW"), "{text}");
    let raw = String::from_utf8_lossy(&std::fs::read(&infographic).unwrap()).into_owned();
    assert!(
        raw.contains("/URI (https://cong.example.gov.vn/nq57/nghi-quyet/muc-tieu/"),
        "target links point to the site"
    );
}

#[test]
fn pdf_without_chromium_is_a_warning_and_the_site_is_built() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let o = build_pdf(&out, Some("/nonexistent/chromium"));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(stderr.contains("không tìm thấy Chromium"), "{stderr}");
    assert!(out.join("infographic/index.html").is_file());
    assert!(!out.join("infographic/ban-in.pdf").exists());
}
