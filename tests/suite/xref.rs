//! Cross-references: target pages with their mentions, backlinks, related
//! questions, and the errors for bad references.

use crate::harness::SiteTest;

#[test]
fn target_page_lists_every_mention_with_exact_anchor_and_excerpt() {
    let site = SiteTest::fixture("xref");
    site.build().assert_ok();
    let page = site.read("muc-tieu/tfp/index.html");
    assert!(page.contains(">&gt;55%<"), "big figure: {page}");
    assert!(page.contains("Được đề cập tại"));
    // The guidance mention links to the link element itself.
    assert!(
        page.contains("href=\"/huong-dan/tinh/#ref-target-tfp-2030\""),
        "{page}"
    );
    assert!(page.contains("href=\"/hoi-dap/cau-1/#ref-target-tfp-2030\""));
    // A front-matter reference links to the document.
    assert!(page.contains("href=\"/hoi-dap/cau-2/\""));
    assert!(
        page.contains("Đến năm 2030, đóng góp của TFP trên 55%; quy mô kinh tế số"),
        "excerpt: {page}"
    );
    // The source sentence links to the place in the guidance that states it.
    assert!(page.contains("Nguồn: <a href=\"/huong-dan/tinh/#ref-target-tfp-2030\">"));
    // Group, and previous/next within the group.
    assert!(page.contains("Nhóm mục tiêu kinh tế"));
    assert!(page.contains("rel=\"next\" href=\"/muc-tieu/so/\""));
    let guidance = site.read("huong-dan/tinh/index.html");
    assert!(guidance.contains("id=\"ref-target-tfp-2030\""));
}

#[test]
fn questions_show_related_questions_and_references() {
    let site = SiteTest::fixture("xref");
    site.build().assert_ok();
    let q1 = site.read("hoi-dap/cau-1/index.html");
    let related = q1
        .split("<nav class=\"related\"")
        .nth(1)
        .expect("related block")
        .split("</nav>")
        .next()
        .unwrap();
    assert!(related.contains("Câu hỏi liên quan"));
    assert!(
        related.contains("href=\"/hoi-dap/cau-2/\">Câu hỏi 2"),
        "{related}"
    );
    assert!(
        !related.contains("cau-3"),
        "no shared reference, not related"
    );
    assert!(q1.contains("class=\"chip chip-target\""));
}

#[test]
fn targets_index_groups_figures_by_year_and_group() {
    let site = SiteTest::fixture("xref");
    site.build().assert_ok();
    let idx = site.read("muc-tieu/index.html");
    let tfp = idx.find("&gt;55%").expect("tfp card");
    let so = idx.find("≥30% GDP").expect("digital economy card");
    assert!(tfp < so, "ordered by weight");
    assert!(idx.contains("id=\"nam-2030\"") && idx.contains("id=\"nam-2030-kinh-te\""));
}

#[test]
fn errors_on_unknown_wrong_type_and_self_references() {
    let site = SiteTest::fixture("xref");
    site.write(
        "content/hoi-dap/cau-4.md",
        "---\ntitle: \"Câu 4\"\ntype: question\nnumber: 4\ntargets: [\"tfp-2031\"]\nquestions: [4]\n---\nx\n",
    );
    site.write(
        "content/hoi-dap/cau-5.md",
        "---\ntitle: \"Câu 5\"\ntype: question\nnumber: 5\n---\nXem [y](question:tfp-2030).\n",
    );
    let run = site.build();
    run.assert_fails_with(&[
        "content/hoi-dap/cau-4.md:5:1: lỗi: không có `target` nào mang mã `tfp-2031`",
        "có phải ý bạn là: `target:tfp-2030`",
        "mã này thuộc loại khác: `target:tfp-2030`",
        "content/hoi-dap/cau-4.md:6:1: lỗi: tài liệu tự tham chiếu tới chính nó",
        "content/hoi-dap/cau-5.md:6:5: lỗi: không có `question` nào mang mã `tfp-2030`",
    ]);
}

#[test]
fn errors_on_target_missing_required_fields_and_duplicate_ids() {
    let site = SiteTest::fixture("xref");
    site.write(
        "content/muc-tieu/x.md",
        "---\ntitle: X\ntype: target\nid: tfp-2030\nyear: 2030\n---\n",
    );
    let run = site.build();
    run.assert_fails_with(&[
        "content/muc-tieu/x.md:2:1: lỗi: tài liệu loại `target` thiếu trường bắt buộc `group`",
        "thiếu trường bắt buộc `value`",
        "trùng mã `target:tfp-2030`",
    ]);
}

#[test]
fn target_pages_get_their_own_share_card() {
    let site = SiteTest::fixture("xref");
    site.run(&["build", "--base-url", "https://x.gov.vn/"])
        .assert_ok();
    assert!(site.public().join("share/tfp-2030.png").is_file());
    let page = site.read("muc-tieu/tfp/index.html");
    assert!(page.contains("content=\"https://x.gov.vn/share/tfp-2030.png\""));
}
