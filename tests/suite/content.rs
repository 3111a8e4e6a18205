//! Content that must not pass: ids that are not slugs, numbers that are not
//! positive integers, impossible dates, raw HTML and unsafe URLs, links and
//! images to files the build does not write. Each case fails with
//! file:line:column and a fix, in Vietnamese.

use crate::harness::SiteTest;

#[test]
fn errors_on_an_entity_id_that_is_not_a_slug_and_suggests_one() {
    let site = SiteTest::fixture("xref");
    site.write(
        "content/muc-tieu/an-ninh.md",
        "---\ntitle: \"An ninh mạng\"\ntype: target\nid: \"an ninh mạng 2030\"\nyear: 2030\ngroup: kinh-te\nvalue: \"x\"\n---\n",
    );
    site.build().assert_fails_with(&[
        "content/muc-tieu/an-ninh.md:4:5: lỗi: mã `id: an ninh mạng 2030` không hợp lệ",
        "`id: an-ninh-mang-2030`",
    ]);
}

#[test]
fn errors_on_a_number_that_is_not_a_positive_integer() {
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
        "content/hoi-dap/cau-8.md:4:9: lỗi: `number` phải là một số nguyên dương, nhưng đang là chuỗi \"hai\"",
        "content/hoi-dap/cau-9.md:4:9: lỗi: `number` phải là một số nguyên dương, nhưng đang là số `-2`",
        "ví dụ: `number: 2`",
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
