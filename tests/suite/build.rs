//! Successful builds of the `basic` fixture: what the output holds.

use crate::harness::{SiteTest, snapshot};

#[test]
fn can_build_basic_site_with_pages_sections_and_site_files() {
    let site = SiteTest::fixture("basic");
    let run = site.build();
    run.assert_ok();
    assert!(
        run.stderr.contains("Xong: 3 trang, 2 mục, 0 cảnh báo"),
        "{}",
        run.stderr
    );
    for f in [
        "index.html",
        "hoi-dap/index.html",
        "hoi-dap/cau-01/index.html",
        "hoi-dap/cau-02/index.html",
        "gioi-thieu/index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "atom.xml",
        "ghi-chu.txt",
        "cu/cau-2/index.html",
    ] {
        assert!(site.public().join(f).is_file(), "missing {f}");
    }
    assert!(
        !site.public().join("nhap").exists(),
        "drafts are not published"
    );
}

#[test]
fn resolves_md_links_typed_references_and_anchors() {
    let site = SiteTest::fixture("basic");
    site.build().assert_ok();
    let home = site.read("index.html");
    assert!(home.contains("href=\"/hoi-dap/cau-01/\""), "{home}");
    assert!(home.contains("href=\"/hoi-dap/cau-02/#muc-tieu-2030\""));
    let q1 = site.read("hoi-dap/cau-01/index.html");
    assert!(
        q1.contains("<a href=\"/hoi-dap/cau-02/\" id=\"ref-cau-02-md\">liên kết</a>"),
        "{q1}"
    );
    assert!(
        q1.contains("<a href=\"/hoi-dap/cau-02/#muc-tieu-2030\" id=\"ref-question-2\">câu 2</a>")
    );
    assert!(q1.contains("<h2 id=\"tra-loi-chung\">Trả lời chung</h2>"));
    assert!(q1.contains("id=\"fn-1\""), "footnotes are kept");
    assert!(
        q1.contains("class=\"sy-"),
        "code is highlighted into classes"
    );
    assert!(
        q1.contains("24/01/2025"),
        "dates are written the Vietnamese way"
    );
}

#[test]
fn accepts_bom_crlf_and_normalises_to_nfc() {
    let site = SiteTest::fixture("basic");
    site.build().assert_ok();
    let q2 = site.read("hoi-dap/cau-02/index.html");
    assert!(
        q2.contains("<h2 id=\"muc-tieu-2030\">Mục tiêu 2030</h2>"),
        "{q2}"
    );
    assert!(q2.contains("Đóng góp của TFP"));
    assert!(!q2.contains('\r'));
    assert!(q2.contains("<table>"));
}

#[test]
fn escapes_html_in_front_matter_and_keeps_quotes_as_written() {
    let site = SiteTest::fixture("basic");
    site.build().assert_ok();
    let page = site.read("gioi-thieu/index.html");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;")
            || page.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    assert!(!page.contains("<script>alert(1)"));
    assert!(
        page.contains("\"ngoặc kép\" -- giữ nguyên"),
        "smart punctuation must stay off"
    );
    assert!(page.contains("<del>cũ</del>"));
}

#[test]
fn writes_absolute_urls_in_sitemap_feed_and_canonical() {
    let site = SiteTest::fixture("basic");
    site.build().assert_ok();
    let sitemap = site.read("sitemap.xml");
    assert!(
        sitemap.contains(
            "<loc>https://example.gov.vn/hoi-dap/cau-01/</loc><lastmod>2025-01-24</lastmod>"
        ),
        "{sitemap}"
    );
    assert!(
        site.read("robots.txt")
            .contains("Sitemap: https://example.gov.vn/sitemap.xml")
    );
    let atom = site.read("atom.xml");
    assert!(atom.contains("<updated>2025-01-24T00:00:00Z</updated>"));
    assert!(atom.contains("Câu hỏi 1: Đảng ta làm gì?"));
    let alias = site.read("cu/cau-2/index.html");
    assert!(alias.contains("url=/hoi-dap/cau-02/"), "{alias}");
}

#[test]
fn base_url_flag_puts_every_link_under_the_sub_path() {
    let site = SiteTest::fixture("basic");
    site.run(&["build", "--base-url", "https://portal.gov.vn/nq57/"])
        .assert_ok();
    let home = site.read("index.html");
    assert!(home.contains("href=\"/nq57/hoi-dap/cau-01/\""), "{home}");
    assert!(home.contains("href=\"/nq57/assets/style."));
    assert!(
        site.read("sitemap.xml")
            .contains("https://portal.gov.vn/nq57/hoi-dap/")
    );
}

#[test]
fn two_builds_are_byte_identical() {
    let site = SiteTest::fixture("basic");
    site.build().assert_ok();
    let first = snapshot(&site.public());
    site.build().assert_ok();
    assert!(first == snapshot(&site.public()), "two builds differ");
}

#[test]
fn check_writes_nothing() {
    let site = SiteTest::fixture("basic");
    let run = site.run(&["check"]);
    run.assert_ok();
    assert!(run.stderr.contains("kiểm tra, không ghi tệp"));
    assert!(!site.public().exists());
}

#[test]
fn site_theme_overrides_templates_and_strings_by_name() {
    let site = SiteTest::fixture("basic");
    site.write("themes/default/strings.yaml", "back_to_top: \"Về đầu\"\n");
    site.write(
        "themes/default/templates/404.html",
        "<p>{{ t.not_found_title }} – riêng</p>",
    );
    site.build().assert_ok();
    assert_eq!(site.read("404.html"), "<p>Không tìm thấy trang – riêng</p>");
    assert!(site.read("index.html").contains("Về đầu"));
}

#[test]
fn builds_a_folder_with_only_content_and_no_config() {
    let site = SiteTest::fixture("basic");
    std::fs::remove_file(site.root().join("site.yaml")).unwrap();
    site.build().assert_ok();
    assert!(
        site.read("index.html")
            .contains("<title>Trang chủ thử nghiệm</title>")
    );
}

#[test]
fn quiet_prints_nothing_on_success() {
    let site = SiteTest::fixture("basic");
    let run = site.run(&["-q", "build"]);
    run.assert_ok();
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn pages_carry_open_graph_tags_and_1200x630_share_images() {
    let site = SiteTest::fixture("basic");
    site.build().assert_ok();
    let page = site.read("hoi-dap/cau-01/index.html");
    for tag in [
        "<meta property=\"og:locale\" content=\"vi_VN\">",
        "<meta property=\"og:url\" content=\"https://example.gov.vn/hoi-dap/cau-01/\">",
        "<meta property=\"og:image\" content=\"https://example.gov.vn/share/site.png\">",
        "<meta property=\"og:image:width\" content=\"1200\">",
        "<meta property=\"og:image:height\" content=\"630\">",
        "<meta property=\"og:image:alt\" content=\"Câu hỏi 1: Đảng ta làm gì?\">",
        "<meta name=\"twitter:card\" content=\"summary_large_image\">",
        "<link rel=\"canonical\" href=\"https://example.gov.vn/hoi-dap/cau-01/\">",
    ] {
        assert!(page.contains(tag), "missing {tag}");
    }
    let png = std::fs::read(site.public().join("share/site.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 1200);
    assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 630);
    // Without an absolute base URL there is no canonical or og:image (they must be absolute).
    site.run(&["build", "--base-url", "/"]).assert_ok();
    let page = site.read("hoi-dap/cau-01/index.html");
    assert!(!page.contains("og:image\"") && !page.contains("rel=\"canonical\""));
}

/// The number of page files a build says it took unchanged from the
/// output it replaced (0 when it says nothing).
fn carried(stderr: &str) -> usize {
    stderr
        .split(" trang không đổi")
        .next()
        .filter(|head| head.len() < stderr.len())
        .and_then(|head| head.rsplit('(').next())
        .map_or(0, |n| n.trim().parse().unwrap())
}

/// Builds `site` again into a folder of its own, from nothing, and
/// compares every file with the site's output.
fn assert_same_as_clean_build(site: &SiteTest, what: &str) {
    let clean = tempfile::tempdir().unwrap();
    let out = clean.path().join("site");
    site.run(&["build", "--output", out.to_str().unwrap()])
        .assert_ok();
    assert!(
        snapshot(&site.public()) == snapshot(&out),
        "{what}: the output differs from a build from nothing"
    );
}

#[test]
fn a_rebuild_renders_only_the_pages_whose_context_changed() {
    let site = SiteTest::fixture("corpus2");
    site.build().assert_ok();
    let pages = carried(&site.build().stderr);
    assert!(pages > 20, "nothing changed: every page is taken, {pages}");
    assert_same_as_clean_build(&site, "nothing changed");
    // The clean build above recorded another output: every page again.
    assert_eq!(carried(&site.build().stderr), 0);
    // A solution's title shows on the questions and indicators that name
    // it: those pages render again, with the new title; the others not.
    let path = site
        .root()
        .join("content/nghi-quyet-mau/giai-phap/giai-phap-1.md");
    let text = std::fs::read_to_string(&path).unwrap();
    site.write(
        "content/nghi-quyet-mau/giai-phap/giai-phap-1.md",
        &text.replace("Hoàn thiện mạng lưới", "Kiện toàn mạng lưới"),
    );
    let run = site.build();
    run.assert_ok();
    let taken = carried(&run.stderr);
    assert!(taken > 0 && taken < pages, "{taken} of {pages} taken");
    assert!(
        site.read("hoi-dap/cau-02/index.html")
            .contains("Kiện toàn mạng lưới")
    );
    assert_same_as_clean_build(&site, "a title changed");
    // A body edited: its page and the booklet that prints it.
    site.build().assert_ok();
    let path = site.root().join("content/hoi-dap/cau-02.md");
    let text = std::fs::read_to_string(&path).unwrap();
    site.write(
        "content/hoi-dap/cau-02.md",
        &format!("{text}\nĐoạn mới thêm.\n"),
    );
    let run = site.build();
    run.assert_ok();
    assert_eq!(carried(&run.stderr), pages - 2, "{}", run.stderr);
    assert_same_as_clean_build(&site, "a body changed");
}

#[test]
fn a_page_changed_in_the_output_is_rendered_again() {
    let site = SiteTest::fixture("corpus2");
    site.build().assert_ok();
    site.build().assert_ok();
    let page = site.public().join("hoi-dap/cau-03/index.html");
    let made = std::fs::read(&page).unwrap();
    std::fs::write(&page, b"<p>edited by hand</p>").unwrap();
    std::fs::remove_file(site.public().join("hoi-dap/cau-04/index.html")).unwrap();
    let run = site.build();
    run.assert_ok();
    let pages = carried(&run.stderr);
    assert!(pages > 20, "the other pages are taken: {}", run.stderr);
    assert_eq!(std::fs::read(&page).unwrap(), made);
    assert!(site.public().join("hoi-dap/cau-04/index.html").is_file());
    assert_eq!(carried(&site.build().stderr), pages + 2);
}

#[test]
fn a_change_of_theme_configuration_or_output_renders_every_page() {
    let site = SiteTest::fixture("corpus2");
    site.build().assert_ok();
    assert!(carried(&site.build().stderr) > 0);
    let base = crate::harness::repo().join("themes/default/templates/base.html");
    let text = std::fs::read_to_string(base).unwrap();
    site.write(
        "themes/default/templates/base.html",
        &text.replacen("<head>", "<head><!-- mẫu riêng -->", 1),
    );
    assert_eq!(carried(&site.build().stderr), 0, "another template");
    assert!(
        site.read("hoi-dap/cau-02/index.html")
            .contains("<!-- mẫu riêng -->")
    );
    assert!(carried(&site.build().stderr) > 0);
    let config = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write(
        "site.yaml",
        &config.replacen("strings:\n", "strings:\n  home: \"Trang nhà\"\n", 1),
    );
    assert_eq!(carried(&site.build().stderr), 0, "other strings");
    assert!(site.read("hoi-dap/cau-02/index.html").contains("Trang nhà"));
    assert_eq!(
        carried(&site.run(&["build", "--portable"]).stderr),
        0,
        "a portable output"
    );
    assert!(carried(&site.run(&["build", "--portable"]).stderr) > 0);
    assert_same_as_clean_build_portable(&site);
}

/// [`assert_same_as_clean_build`] for a portable output.
fn assert_same_as_clean_build_portable(site: &SiteTest) {
    let clean = tempfile::tempdir().unwrap();
    let out = clean.path().join("site");
    site.run(&["build", "--portable", "--output", out.to_str().unwrap()])
        .assert_ok();
    assert!(snapshot(&site.public()) == snapshot(&out));
}

#[test]
fn a_record_that_cannot_be_read_renders_every_page() {
    let site = SiteTest::fixture("corpus2");
    site.build().assert_ok();
    let cache = site.root().join(".nqsite-cache");
    for (name, text) in [
        ("pages", "{\"version\":\"nqsite pages 1\",\"key\":1,"),
        ("theme-parsed", "0 0\n"),
    ] {
        std::fs::write(cache.join(name), text).unwrap();
    }
    let run = site.build();
    run.assert_ok();
    assert_eq!(carried(&run.stderr), 0, "{}", run.stderr);
    assert_same_as_clean_build(&site, "after a broken record");
}

/// The body of a page as written in its file (the `body` block of `page.html`).
fn body_of(page: &str) -> &str {
    let start = page.find("<div class=\"body\">").expect("a body block");
    let end = start
        + page[start..]
            .find("</div>\n")
            .expect("the end of the body block");
    &page[start..end]
}

#[test]
fn bodies_past_the_markdown_a_build_keeps_are_rendered_again_the_same() {
    // A small site keeps the HTML of every body from the markdown stage.
    let small = SiteTest::fixture("basic");
    small.build().assert_ok();
    // In a site whose first document (in site order) has more Markdown
    // than a build keeps (16 MiB), every later body is rendered again from
    // its file when its page is: same HTML, with its links, anchors,
    // footnotes and highlighted code.
    let large = SiteTest::fixture("basic");
    let paragraph = "Đổi mới sáng tạo và chuyển đổi số là đột phá quan trọng hàng đầu.\n\n";
    let filler = paragraph.repeat(17 * 1024 * 1024 / paragraph.len() + 1);
    large.write(
        "content/a-phu-luc.md",
        &format!("---\ntitle: \"Phụ lục\"\n---\n\n{filler}"),
    );
    large.build().assert_ok();
    for page in [
        "hoi-dap/cau-01/index.html",
        "hoi-dap/cau-02/index.html",
        "gioi-thieu/index.html",
    ] {
        let (kept, again) = (small.read(page), large.read(page));
        assert_eq!(body_of(&kept), body_of(&again), "{page}");
    }
    let q1 = large.read("hoi-dap/cau-01/index.html");
    assert!(
        q1.contains("<a href=\"/hoi-dap/cau-02/\" id=\"ref-cau-02-md\">liên kết</a>"),
        "{q1}"
    );
    assert!(q1.contains("class=\"sy-"), "code highlighted");
    let filler_page = large.read("a-phu-luc/index.html");
    assert!(
        filler_page.contains("<p>Đổi mới sáng tạo"),
        "the large body itself"
    );
}
