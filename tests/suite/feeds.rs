//! Sitemap, robots.txt and the Atom feed, checked with real validators:
//! the sitemap against the Sitemap 0.9 XML schema (`xmllint --schema`,
//! Debian's libxml2-utils), the feed with Python's feedparser (which must
//! not flag it, `bozo == 0`). `scripts/test.sh` installs both.

use std::path::Path;
use std::process::Command;

use crate::harness::{SiteTest, nqsite, repo};

/// `xmllint --schema tests/schemas/sitemap.xsd`: panics unless `file` is valid.
fn assert_valid_sitemap(file: &Path) {
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(repo().join("tests/schemas/sitemap.xsd"))
        .arg(file)
        .output()
        .expect("xmllint is needed (Debian libxml2-utils; scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What feedparser reads in an Atom file: `[bozo, feed author, feed id,
/// first entry's link, first entry's id, first entry's author]`.
fn feedparser(file: &Path) -> Vec<String> {
    let script = "import feedparser, json, sys\n\
        d = feedparser.parse(sys.argv[1])\n\
        e = d.entries[0] if d.entries else {}\n\
        print(json.dumps([str(int(bool(d.bozo))) + ' ' + str(d.get('bozo_exception', '')), d.feed.get('author', ''), d.feed.get('id', ''), e.get('link', ''), e.get('id', ''), e.get('author', '')]))";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(file)
        .output()
        .expect("python3 is needed");
    assert!(
        out.status.success(),
        "feedparser is needed (pip install feedparser; scripts/test.sh installs it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn with_a_host_the_sitemap_and_feed_pass_real_validators() {
    let site = SiteTest::fixture("basic");
    site.write(
        "content/tin.md",
        "---\ntitle: \"Tin mới\"\ndate: 2025-03-01T08:00:00+07:00\nlastmod: 2025-03-02\nauthor: \"Phòng Thông tin\"\n---\nx\n",
    );
    site.build().assert_ok();
    let sitemap = site.public().join("sitemap.xml");
    assert_valid_sitemap(&sitemap);
    let text = site.read("sitemap.xml");
    assert!(
        text.contains("<loc>https://example.gov.vn/tin/</loc><lastmod>2025-03-02</lastmod>"),
        "lastmod wins over date: {text}"
    );
    assert!(
        site.read("robots.txt")
            .contains("Sitemap: https://example.gov.vn/sitemap.xml\n")
    );
    let feed = feedparser(&site.public().join("atom.xml"));
    assert_eq!(feed[0], "0 ", "feedparser flags the feed: {feed:?}");
    assert_eq!(feed[1], "Ban Tuyên giáo", "the site's author");
    assert_eq!(feed[2], "https://example.gov.vn/");
    assert_eq!(feed[3], "https://example.gov.vn/tin/");
    assert_eq!(feed[5], "Phòng Thông tin", "the document's own author");
    let atom = site.read("atom.xml");
    assert!(atom.contains("<updated>2025-03-02T00:00:00Z</updated>\n    <published>2025-03-01T08:00:00+07:00</published>"), "{atom}");
}

#[test]
fn without_a_host_no_sitemap_a_relative_feed_and_one_note() {
    let site = SiteTest::fixture("basic");
    site.write(
        "site.yaml",
        "title: \"Trang thử nghiệm\"\nbase_url: \"/\"\n",
    );
    let run = site.build();
    run.assert_ok();
    assert_eq!(
        run.stderr
            .matches("site.yaml: lưu ý: `base_url` không có tên miền")
            .count(),
        1,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("0 cảnh báo"),
        "a note, not a warning: {}",
        run.stderr
    );
    assert!(!site.public().join("sitemap.xml").exists());
    assert_eq!(site.read("robots.txt"), "User-agent: *\nAllow: /\n");
    let feed = feedparser(&site.public().join("atom.xml"));
    assert_eq!(feed[0], "0 ", "feedparser flags the feed: {feed:?}");
    assert_eq!(
        feed[1], "Trang thử nghiệm",
        "the publisher: the site itself"
    );
    assert!(feed[2].starts_with("urn:uuid:"), "{feed:?}");
    assert_eq!(feed[3], "hoi-dap/cau-01/", "relative to the feed: {feed:?}");
    assert!(feed[4].starts_with("urn:uuid:"), "{feed:?}");
}

#[test]
fn the_shipped_default_build_writes_a_valid_robots_txt_and_feed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let run = nqsite()
        .args(["build", "--root"])
        .arg(repo())
        .arg("--output")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let robots = std::fs::read_to_string(out.join("robots.txt")).unwrap();
    assert!(!robots.contains("Sitemap:"), "{robots}");
    let feed = feedparser(&out.join("atom.xml"));
    assert_eq!(feed[0], "0 ", "{feed:?}");
    assert!(!feed[1].is_empty(), "RFC 4287 wants an author: {feed:?}");
}
