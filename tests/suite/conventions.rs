//! Markdown laid out as other generators (Hugo, Zola) lay it out: page
//! bundles, `content/index.md` as the home page, images beside the pages,
//! `lastmod`/`author`/`summary`/`categories`, aliases ending in `.html`,
//! Zola's `@/` links.

use crate::harness::SiteTest;

#[test]
fn page_bundles_and_an_index_md_home_build_with_their_files() {
    let site = SiteTest::fixture("conventions");
    let run = site.build();
    run.assert_ok();
    assert!(run.stderr.contains("0 cảnh báo"), "{}", run.stderr);
    assert!(
        site.read("index.html")
            .contains("Trang chủ theo quy ước chung")
    );
    let bundle = site.read("tin-tuc/index.html");
    assert!(bundle.contains("<img src=\"anh-dai-dien.png\" alt=\"Ảnh đại diện\" />"));
    assert!(bundle.contains("href=\"tai-lieu/bang-so-lieu.pdf\""));
    for f in [
        "tin-tuc/anh-dai-dien.png",
        "tin-tuc/tai-lieu/bang-so-lieu.pdf",
        // Every file of a bundle is copied, linked to or not.
        "tin-tuc/phu-luc.txt",
        // An image beside a page is copied beside the page's own index.html.
        "bai-viet/chuyen-doi-so/hinh/so-do.png",
    ] {
        assert!(site.public().join(f).is_file(), "missing {f}");
    }
    assert!(!site.public().join("tin-tuc/index").exists());
    assert_eq!(
        std::fs::read(site.public().join("bai-viet/chuyen-doi-so/hinh/so-do.png")).unwrap(),
        std::fs::read(site.root().join("content/bai-viet/hinh/so-do.png")).unwrap()
    );
}

#[test]
fn an_alias_ending_in_html_is_written_as_that_file() {
    let site = SiteTest::fixture("conventions");
    site.build().assert_ok();
    let old = site.read("cu/chuyen-doi-so.html");
    assert!(old.contains("url=/bai-viet/chuyen-doi-so/"), "{old}");
    assert!(site.public().join("cu/bai/index.html").is_file());
    assert!(
        !site
            .public()
            .join("cu/chuyen-doi-so.html/index.html")
            .exists()
    );
}

#[test]
fn lastmod_author_summary_and_categories_are_understood() {
    let site = SiteTest::fixture("conventions");
    site.build().assert_ok();
    let page = site.read("bai-viet/chuyen-doi-so/index.html");
    assert!(page.contains(
        "<meta name=\"description\" content=\"Tóm tắt: chuyển đổi số bắt đầu từ cơ sở.\">"
    ));
    assert!(page.contains("<meta name=\"author\" content=\"Phòng Thông tin cơ sở\">"));
    assert!(
        page.contains("<span>chuyển đổi số</span>"),
        "categories as tags"
    );
    let sitemap = site.read("sitemap.xml");
    assert!(sitemap.contains(
        "<loc>https://example.gov.vn/bai-viet/chuyen-doi-so/</loc><lastmod>2025-02-20T09:30:00+07:00</lastmod>"
    ));
    let atom = site.read("atom.xml");
    assert!(atom.contains("<updated>2025-02-20T09:30:00+07:00</updated>\n    <published>2025-02-01T00:00:00Z</published>\n    <author><name>Phòng Thông tin cơ sở</name></author>\n    <summary>Tóm tắt: chuyển đổi số bắt đầu từ cơ sở.</summary>"), "{atom}");
}

#[test]
fn errors_when_both_index_md_and_section_index_are_the_home_page() {
    let site = SiteTest::fixture("conventions");
    site.write("content/_index.md", "---\ntitle: \"Trang chủ khác\"\n---\n");
    site.build().assert_fails_with(&[
        "content/index.md:1:1: lỗi: cả `content/index.md` và `content/_index.md` đều là trang chủ",
    ]);
}

#[test]
fn zola_internal_links_get_a_hint_with_nqsite_syntax() {
    let site = SiteTest::fixture("conventions");
    site.write(
        "content/tin-tuc/index.md",
        "---\ntitle: \"Bản tin\"\n---\nXem [bài](@/bai-viet/chuyen-doi-so.md).\n",
    );
    site.build().assert_fails_with(&[
        "content/tin-tuc/index.md:4:5: lỗi: `@/bai-viet/chuyen-doi-so.md` là cú pháp liên kết của Zola",
        "`/bai-viet/chuyen-doi-so.md`",
    ]);
}

#[test]
fn errors_when_two_files_would_be_copied_to_one_place() {
    let site = SiteTest::fixture("conventions");
    // `bai-viet/chuyen-doi-so.md` is the page `bai-viet/chuyen-doi-so/`: its
    // `hinh/so-do.png` goes there, and so would the section's own file.
    site.write_bytes("content/bai-viet/chuyen-doi-so/hinh/so-do.png", b"khac");
    site.write(
        "content/bai-viet/_index.md",
        "---\ntitle: \"Bài viết\"\n---\n![](chuyen-doi-so/hinh/so-do.png)\n",
    );
    site.build().assert_fails_with(&[
        "lỗi: tệp `content/bai-viet/hinh/so-do.png` được chép tới `/bai-viet/chuyen-doi-so/hinh/so-do.png`, trùng chỗ với tệp `content/bai-viet/chuyen-doi-so/hinh/so-do.png`",
    ]);
}
