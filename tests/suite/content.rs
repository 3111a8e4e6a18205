//! Content that must not pass: ids that are not slugs, numbers that are not
//! positive integers, impossible dates, raw HTML and unsafe URLs, links and
//! images to files the build does not write. Each case fails with
//! file:line:column and a fix, in Vietnamese.

use crate::harness::SiteTest;

#[test]
fn errors_on_an_entity_id_that_is_not_a_slug_and_suggests_one() {
    // A type the site does not declare: resolve::entity_key checks the key.
    let site = SiteTest::fixture("basic");
    site.write(
        "content/an-ninh.md",
        "---\ntitle: \"An ninh mạng\"\ntype: chu-de\nid: \"an ninh mạng 2030\"\n---\nx\n",
    );
    site.build().assert_fails_with(&[
        "content/an-ninh.md:4:5: lỗi: mã `id: an ninh mạng 2030` không hợp lệ",
        "`id: an-ninh-mang-2030`",
        "Dựng trang thất bại: 1 lỗi",
    ]);
    // A key the model declares as a slug: the model's message, once.
    let site = SiteTest::fixture("xref");
    site.write(
        "content/muc-tieu/an-ninh.md",
        "---\ntitle: \"An ninh mạng\"\ntype: target\nid: \"an ninh mạng 2030\"\nyear: 2030\ngroup: kinh-te\nvalue: \"x\"\n---\n",
    );
    site.build().assert_fails_with(&[
        "content/muc-tieu/an-ninh.md:4:5: lỗi: trường `id` phải là mã viết thường không dấu",
        "`id: an-ninh-mang-2030`",
        "Dựng trang thất bại: 1 lỗi",
    ]);
}

#[test]
fn errors_on_a_number_that_is_not_a_positive_integer() {
    let site = SiteTest::fixture("basic");
    site.write(
        "content/hoi-8.md",
        "---\ntitle: \"Câu tám\"\ntype: hoi\nnumber: \"hai\"\n---\nx\n",
    );
    site.write(
        "content/hoi-9.md",
        "---\ntitle: \"Câu chín\"\ntype: hoi\nnumber: -2\n---\nx\n",
    );
    site.build().assert_fails_with(&[
        "content/hoi-8.md:4:9: lỗi: `number` phải là một số nguyên dương, nhưng đang là chuỗi \"hai\"",
        "content/hoi-9.md:4:9: lỗi: `number` phải là một số nguyên dương, nhưng đang là số `-2`",
        "ví dụ: `number: 2`",
        "Dựng trang thất bại: 2 lỗi",
    ]);
    // Questions of the xref fixture declare `number: {type: integer, min: 1}`.
    let site = SiteTest::fixture("xref");
    site.write(
        "content/hoi-dap/cau-8.md",
        "---\ntitle: \"Câu tám\"\ntype: question\nnumber: \"hai\"\n---\nx\n",
    );
    site.write(
        "content/hoi-dap/cau-9.md",
        "---\ntitle: \"Câu chín\"\ntype: question\nnumber: -2\n---\nx\n",
    );
    site.build().assert_fails_with(&[
        "content/hoi-dap/cau-8.md:4:9: lỗi: trường `number` phải là một số nguyên",
        "content/hoi-dap/cau-9.md:4:9: lỗi: trường `number` phải từ 1 trở lên",
        "Dựng trang thất bại: 2 lỗi",
    ]);
}

#[test]
fn errors_on_impossible_dates_times_and_zones() {
    let site = SiteTest::fixture("basic");
    site.write(
        "content/a.md",
        "---\ntitle: A\ndate: 2025-02-03T25:61:00+99:00\n---\nx\n",
    );
    site.write("content/b.md", "---\ntitle: B\ndate: 0000-01-01\n---\nx\n");
    site.write(
        "content/c.md",
        "---\ntitle: C\ndate: 2025-02-03T08:30:00\n---\nx\n",
    );
    site.build().assert_fails_with(&[
        "content/a.md:3:7: lỗi: `2025-02-03T25:61:00+99:00` không phải là ngày hợp lệ: không có giờ 25:61:00",
        "content/b.md:3:7: lỗi: `0000-01-01` không phải là ngày hợp lệ: năm 0 nằm ngoài khoảng 1000–9999",
        "content/c.md:3:7: lỗi: `2025-02-03T08:30:00` không phải là ngày hợp lệ: thiếu múi giờ",
        "`date: 2024-12-22T08:30:00+07:00`",
    ]);
}

#[test]
fn a_full_rfc3339_date_keeps_its_time_and_zone_in_the_feed() {
    let site = SiteTest::fixture("basic");
    site.write(
        "content/muon.md",
        "---\ntitle: \"Tin muộn\"\ndate: 2025-01-24T23:30:00+07:00\n---\nx\n",
    );
    site.build().assert_ok();
    let page = site.read("muon/index.html");
    assert!(
        page.contains("24/01/2025"),
        "the local date as written: {page}"
    );
    let atom = site.read("atom.xml");
    assert!(
        atom.contains("<updated>2025-01-24T23:30:00+07:00</updated>"),
        "{atom}"
    );
    // 16:30 UTC on the 24th is after midnight UTC the same day: newest first.
    assert!(atom.find("Tin muộn").unwrap() < atom.find("Câu hỏi 1").unwrap());
}

#[test]
fn errors_on_raw_html_unless_the_site_allows_it() {
    let site = SiteTest::fixture("basic");
    site.write(
        "content/a.md",
        "---\ntitle: A\n---\nĐoạn đầu.\n\n<script>alert(1)</script>\n\nẢnh <img src=x onerror=alert(1)> giữa câu.\n\n<iframe src=\"https://example.org/\"></iframe>\n\n<!-- ghi chú cho biên tập viên: được phép -->\n",
    );
    site.build().assert_fails_with(&[
        "content/a.md:6:1: lỗi: HTML thô `<script>` trong nội dung không được phép",
        "content/a.md:8:5: lỗi: HTML thô `<img src=x onerror=alert(1)>` trong nội dung không được phép",
        "content/a.md:10:1: lỗi: HTML thô `<iframe src=\"https://example.org/\">` trong nội dung không được phép",
        "`markdown: {raw_html: true}`",
        "Dựng trang thất bại: 3 lỗi",
    ]);
}

#[test]
fn raw_html_allowed_by_the_site_has_its_urls_checked_and_based() {
    let site = SiteTest::fixture("basic");
    site.write(
        "site.yaml",
        "title: T\nbase_url: \"https://example.gov.vn/nq57/\"\nmarkdown:\n  raw_html: true\n",
    );
    site.write_bytes("static/anh/logo.png", b"\x89PNG\r\n\x1a\n");
    site.write(
        "content/a.md",
        "---\ntitle: A\n---\n<figure><img src=\"/anh/logo.png\" alt=\"Logo\"><figcaption><a href=\"hoi-dap/cau-01.md\">Câu 1</a></figcaption></figure>\n",
    );
    site.build().assert_ok();
    let page = site.read("a/index.html");
    assert!(
        page.contains("<img src=\"/nq57/anh/logo.png\" alt=\"Logo\"><figcaption><a href=\"/nq57/hoi-dap/cau-01/\">"),
        "{page}"
    );
    site.write(
        "content/a.md",
        "---\ntitle: A\n---\nẢnh: <img src=\"/anh/khong-co.png\"> và <a href='javascript:alert(1)'>x</a>\n",
    );
    site.build().assert_fails_with(&[
        "content/a.md:4:48: lỗi: địa chỉ `javascript:` không an toàn nên không được phép",
    ]);
    site.write(
        "content/a.md",
        "---\ntitle: A\n---\nẢnh: <img src=\"/anh/khong-co.png\">\n",
    );
    site.build().assert_fails_with(&[
        "content/a.md:4:16: lỗi: không tìm thấy ảnh `/anh/khong-co.png`",
        "`/anh/logo.png`",
    ]);
}

#[test]
fn errors_on_unsafe_url_schemes_in_links_and_images() {
    let site = SiteTest::fixture("basic");
    site.write(
        "content/a.md",
        "---\ntitle: A\n---\n[x](data:text/html,<b>hi</b>)\n\n![y](javascript:alert(1))\n\n[z](JavaScript:alert(1))\n\n[w](file:///etc/passwd)\n\n![svg](data:image/svg+xml,abc)\n\n![ok](data:image/png;base64,iVBORw0KGgo=)\n\n<vbscript:msgbox(1)>\n",
    );
    let run = site.build();
    run.assert_fails_with(&[
        "content/a.md:4:1: lỗi: địa chỉ `data:` không an toàn",
        "content/a.md:6:1: lỗi: địa chỉ `javascript:` không an toàn",
        "content/a.md:8:1: lỗi: địa chỉ `javascript:` không an toàn",
        "content/a.md:10:1: lỗi: địa chỉ `file:` không an toàn",
        "content/a.md:12:1: lỗi: địa chỉ `data:` không an toàn",
        "content/a.md:16:1: lỗi: địa chỉ `vbscript:` không an toàn",
        "Dựng trang thất bại: 6 lỗi",
    ]);
}

#[test]
fn errors_on_links_and_images_to_files_the_build_does_not_write() {
    let site = SiteTest::fixture("basic");
    site.write(
        "content/a.md",
        "---\ntitle: A\n---\n[a](../nope/) [b](/nope/) [c](/gioi-thieu/#nope)\n\n![](missing.png) ![](/img/x.png)\n\n[ok](/hoi-dap/cau-02/#muc-tieu-2030) [tệp](/ghi-chu.txt) [cũ](/cu/cau-2/) [q](../hoi-dap/?trang=2)\n",
    );
    site.build().assert_fails_with(&[
        "content/a.md:4:1: lỗi: liên kết `../nope/` không trỏ tới trang hay tệp nào của trang web",
        "content/a.md:4:15: lỗi: liên kết `/nope/` không trỏ tới trang hay tệp nào",
        "content/a.md:4:27: lỗi: không tìm thấy mục `#nope` trong trang `/gioi-thieu/`",
        "content/a.md:6:1: lỗi: không tìm thấy ảnh `missing.png`",
        "content/a.md:6:18: lỗi: không tìm thấy ảnh `/img/x.png`",
        "Dựng trang thất bại: 5 lỗi",
    ]);
}

#[test]
fn links_may_name_every_anchor_the_page_holds() {
    // Ids of raw HTML, of links and of footnotes are anchors as much as
    // headings are: a build finds them as the live preview does (which
    // keeps each body's HTML), and an id the page does not hold is an error.
    let site = SiteTest::fixture("basic");
    site.write(
        "site.yaml",
        "title: T\nbase_url: \"https://example.gov.vn/\"\nmarkdown:\n  raw_html: true\n",
    );
    site.write(
        "content/a.md",
        "---\ntitle: A\n---\n<span id=\"diem\">Điểm</span> xem [giới thiệu](gioi-thieu.md)[^1].\n\n[^1]: Ghi chú.\n",
    );
    site.write(
        "content/b.md",
        "---\ntitle: B\n---\n[1](a.md#diem) [2](a.md#ref-gioi-thieu-md) [3](a.md#fn-1) [4](a.md#khong-co)\n",
    );
    site.build().assert_fails_with(&[
        "content/b.md:4:59: lỗi: không tìm thấy mục `#khong-co` trong `content/a.md`",
        "Dựng trang thất bại: 1 lỗi",
    ]);
}

#[test]
fn root_relative_images_get_the_base_path_and_are_checked() {
    let site = SiteTest::fixture("basic");
    site.write_bytes("static/img/x.png", b"\x89PNG\r\n\x1a\n");
    site.write(
        "content/a.md",
        "---\ntitle: A\n---\n![Sơ đồ](/img/x.png) [trang](/gioi-thieu/)\n",
    );
    site.run(&["build", "--base-url", "https://portal.gov.vn/nq57/"])
        .assert_ok();
    let page = site.read("a/index.html");
    assert!(
        page.contains("<img src=\"/nq57/img/x.png\" alt=\"Sơ đồ\" />"),
        "{page}"
    );
    assert!(page.contains("<a href=\"/nq57/gioi-thieu/\">trang</a>"));
}
