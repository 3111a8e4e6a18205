//! Hostile inputs: each builds or fails cleanly (exit 0 or 1, never a panic
//! or a signal), within bounded time and memory.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::SiteTest;

/// Runs `nqsite build` on the site with a 4 GiB address-space limit and a
/// time limit; returns (exit code, stderr).
fn bounded_build(site: &SiteTest, limit: Duration) -> (i32, String) {
    let mut child = Command::new("prlimit")
        .arg("--as=4294967296")
        .arg(env!("CARGO_BIN_EXE_nqsite"))
        .args(["build", "-q", "--root"])
        .arg(site.root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("prlimit (util-linux) is installed");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            assert!(!err.contains("panicked"), "panic: {err}");
            let code = status
                .code()
                .unwrap_or_else(|| panic!("killed by a signal: {status:?}\n{err}"));
            assert!(code == 0 || code == 1, "exit code {code}: {err}");
            return (code, err);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("build still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn page(title: &str, body: &str) -> String {
    format!("---\ntitle: \"{title}\"\n---\n{body}")
}

#[test]
fn huge_and_deeply_nested_markdown_builds_in_bounded_time() {
    let site = SiteTest::fixture("basic");
    let para =
        "Phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia. ".repeat(20);
    site.write(
        "content/lon.md",
        &page(
            "10 MB",
            &format!("{para}\n\n").repeat(10 * 1024 * 1024 / para.len()),
        ),
    );
    let headings: String = (0..100_000).map(|i| format!("## Mục {i}\n\n")).collect();
    site.write("content/tieu-de.md", &page("100.000 tiêu đề", &headings));
    let lists: String = (0..5_000)
        .map(|i| format!("{}- mục {i}\n", "  ".repeat(i)))
        .collect();
    site.write("content/danh-sach.md", &page("Danh sách lồng nhau", &lists));
    site.write(
        "content/trich-dan.md",
        &page(
            "Trích dẫn lồng nhau",
            &format!("{} cuối\n", ">".repeat(50_000)),
        ),
    );
    site.write(
        "content/dong-dai.md",
        &page("Một dòng dài", &"ừ".repeat(1_000_000)),
    );
    let (code, err) = bounded_build(&site, Duration::from_secs(120));
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(site.public().join("tieu-de/index.html")).unwrap();
    assert!(html.contains("id=\"muc-99999\""));
}

#[test]
fn yaml_bombs_fail_cleanly() {
    let site = SiteTest::fixture("basic");
    let laughs = "---\ntitle: bom\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n---\nx\n";
    site.write("content/bom.md", laughs);
    site.write(
        "content/sau.md",
        &format!(
            "---\ntitle: sâu\nx: {}{}\n---\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
    );
    let (code, err) = bounded_build(&site, Duration::from_secs(60));
    assert_eq!(code, 1);
    // The alias bomb points to its first alias (serde_yaml gives no position).
    assert!(
        err.contains("content/bom.md:4:8: lỗi: YAML không hợp lệ: bí danh YAML (`*…`) nhân giá trị lên quá nhiều lần (repetition limit exceeded)"),
        "{err}"
    );
    assert!(err.contains("content/sau.md:"), "{err}");
}

#[test]
fn odd_names_null_bytes_normalisation_forms_and_mojibake_build() {
    let site = SiteTest::fixture("basic");
    site.write("content/..md", &page("Tên tệp có hai dấu chấm", "x"));
    site.write(
        "content/tên có dấu cách và dấu.md",
        &page("Tên có dấu", "x"),
    );
    site.write("content/null.md", &page("Null", "a\u{0}b"));
    let nfd = "Nghi\u{0323} quye\u{0302}\u{0301}t"; // NFD
    let nfkc_only = "ﬁ ① Ⅻ"; // compatibility characters, kept as written
    site.write(
        "content/dang-chuan.md",
        &page(nfd, &format!("{nfd} {nfkc_only}")),
    );
    // TCVN3 text read as if it were Latin-1: valid UTF-8, meaningless letters.
    site.write(
        "content/tcvn3.md",
        &page("Mojibake", "NghÞ quyÕt sè 57-NQ/TW vÒ ®ét ph¸"),
    );
    let (code, err) = bounded_build(&site, Duration::from_secs(60));
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(site.public().join("dang-chuan/index.html")).unwrap();
    assert!(html.contains("Nghị quyết"), "NFD input published as NFC");
    // Names starting with a dot are hidden files (editor temp files, `..md`): skipped.
    assert!(
        !site.root().join("index.html").exists(),
        "nothing is written outside the output"
    );
    assert!(
        site.public()
            .join("ten-co-dau-cach-va-dau/index.html")
            .is_file()
    );
}
