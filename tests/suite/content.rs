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
