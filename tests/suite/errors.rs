//! Bad input: every case ends the build with exit code 1, a Vietnamese
//! message naming file:line:column, and the previous `public/` untouched.

use crate::harness::{SiteTest, snapshot};

/// Builds the fixture once, breaks it with `breakage`, builds again and checks
/// the failure message and that the earlier output is byte-for-byte intact.
fn fails_keeping_output(breakage: impl FnOnce(&SiteTest), needles: &[&str]) -> String {
    let site = SiteTest::fixture("basic");
    site.build().assert_ok();
    let before = snapshot(&site.public());
    breakage(&site);
    let run = site.build();
    run.assert_fails_with(needles);
    assert!(run.stderr.contains("Thư mục kết quả cũ được giữ nguyên"));
    assert!(
        before == snapshot(&site.public()),
        "public/ changed after a failed build"
    );
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".nqsite-tmp") || n.contains(".nqsite-old"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging folders left behind: {leftovers:?}"
    );
    run.stderr
}

#[test]
fn errors_on_unclosed_front_matter() {
    fails_keeping_output(
        |s| {
            s.write("content/a.md", "---\ntitle: \"A\"\n\nNội dung\n");
        },
        &[
            "content/a.md:1:1: lỗi:",
            "không có dòng `---` đóng lại",
            "cách sửa:",
        ],
    );
}

#[test]
fn errors_on_yaml_tab_indent() {
    fails_keeping_output(
        |s| {
            s.write("content/a.md", "---\ntitle: \"A\"\ntags:\n\t- x\n---\nx\n");
        },
        &["content/a.md:4:", "tab"],
    );
}

#[test]
fn errors_on_unclosed_quote() {
    fails_keeping_output(
        |s| {
            s.write("content/a.md", "---\ntitle: \"A\nweight: 1\n---\nx\n");
        },
        &["content/a.md:", "YAML không hợp lệ"],
    );
}

#[test]
fn yaml_syntax_errors_are_translated_with_the_english_detail_after_them() {
    fails_keeping_output(
        |s| {
            s.write("content/a.md", "---\ntitle: \"A\"\ntags: [a, b\n---\nx\n");
        },
        &[
            "content/a.md:4:1: lỗi: YAML không hợp lệ: danh sách `[ … ]` chưa được đóng hoặc thiếu dấu phẩy giữa các phần tử (did not find expected ',' or ']', while parsing a flow sequence)",
            "cách sửa: đóng danh sách bằng `]`",
        ],
    );
}

#[test]
fn errors_on_missing_title_and_wrong_types_all_at_once() {
    let stderr = fails_keeping_output(
        |s| {
            s.write("content/a.md", "---\nweight: \"abc\"\n---\nx\n");
            s.write("content/b.md", "---\ntitle: B\ndate: 2025-02-30\n---\nx\n");
        },
        &[
            "content/a.md:2:1: lỗi: thiếu trường bắt buộc `title`",
            "content/a.md:2:9: lỗi: trường `weight` phải là một số nguyên, nhưng đang là chuỗi \"abc\"",
            "content/b.md:3:",
            "`2025-02-30` không phải là ngày hợp lệ",
            "Dựng trang thất bại: 3 lỗi",
        ],
    );
    assert!(
        stderr.find("content/a.md").unwrap() < stderr.find("content/b.md").unwrap(),
        "sorted by file"
    );
}

#[test]
fn errors_on_unknown_key_in_site_yaml() {
    fails_keeping_output(
        |s| {
            s.write("site.yaml", "title: T\nbase_urll: /x/\n");
        },
        &[
            "site.yaml:2:1: lỗi: khoá `base_urll` không được hỗ trợ",
            "base_url",
        ],
    );
}

#[test]
fn errors_on_link_to_missing_page_with_suggestion() {
    fails_keeping_output(
        |s| {
            s.write(
                "content/a.md",
                "---\ntitle: A\n---\n\nXem [câu 1](hoi-dap/cau-1.md).\n",
            );
        },
        &[
            "content/a.md:5:5: lỗi: liên kết tới tệp không tồn tại `content/hoi-dap/cau-1.md`",
            "`content/hoi-dap/cau-01.md`",
        ],
    );
}

#[test]
fn errors_on_missing_anchor_with_suggestion() {
    fails_keeping_output(
        |s| {
            s.write(
                "content/a.md",
                "---\ntitle: A\n---\nXem [mục](hoi-dap/cau-02.md#muc-tieu-2031).\n",
            );
        },
        &[
            "content/a.md:4:5: lỗi: không tìm thấy mục `#muc-tieu-2031`",
            "`#muc-tieu-2030`",
        ],
    );
}

#[test]
fn errors_on_unknown_typed_reference_with_closest_ids() {
    fails_keeping_output(
        |s| {
            s.write(
                "content/a.md",
                "---\ntitle: A\n---\nXem [câu 3](question:3) và [x](muctieu:tfp).\n",
            );
        },
        &[
            "content/a.md:4:5: lỗi: không có `question` nào mang mã `3`",
            "`question:1`",
            "không rõ loại tham chiếu `muctieu:`",
        ],
    );
}

#[test]
fn errors_on_two_pages_with_the_same_url() {
    fails_keeping_output(
        |s| {
            s.write(
                "content/khac.md",
                "---\ntitle: K\nslug: gioi-thieu\n---\nx\n",
            );
        },
        &[
            "content/khac.md:3:1: lỗi: trùng đường dẫn URL `/gioi-thieu/`",
            "content/gioi-thieu.md",
        ],
    );
}

#[test]
fn errors_on_invalid_utf8_with_position() {
    fails_keeping_output(
        |s| {
            s.write_bytes("content/a.md", b"---\ntitle: A\n---\nd\xe1\xbb x\n");
        },
        &[
            "content/a.md:4:2: lỗi: tệp không phải văn bản UTF-8 hợp lệ: byte không hợp lệ ở vị trí 18",
            "UTF-8",
        ],
    );
}

#[test]
fn errors_on_empty_file() {
    fails_keeping_output(
        |s| {
            s.write("content/a.md", "");
        },
        &["content/a.md:1:1: lỗi: tệp rỗng"],
    );
}

#[test]
fn errors_on_slug_or_alias_escaping_the_output() {
    fails_keeping_output(
        |s| {
            s.write("content/a.md", "---\ntitle: A\nslug: ../../x\n---\nx\n");
            s.write(
                "content/b.md",
                "---\ntitle: B\naliases: [\"../../../etc/x\"]\n---\nx\n",
            );
        },
        &[
            "content/a.md:3:7: lỗi: `slug: ../../x` trỏ ra ngoài",
            "content/b.md:3:1: lỗi: đường dẫn cũ (alias)",
        ],
    );
}

#[test]
fn errors_on_missing_template() {
    fails_keeping_output(
        |s| {
            s.write(
                "content/a.md",
                "---\ntitle: A\ntemplate: khong-co.html\n---\nx\n",
            );
        },
        &["content/a.md:3:11: lỗi: không có mẫu giao diện `khong-co.html`"],
    );
}

#[test]
fn errors_on_tera_syntax_error_with_template_line() {
    fails_keeping_output(
        |s| {
            s.write(
                "themes/default/templates/page.html",
                "<p>\n{{ page.title </p>\n",
            );
        },
        &[
            "themes/default/templates/page.html:2:",
            "mẫu giao diện không hợp lệ",
        ],
    );
}

/// The menu is rendered once per place (`partials/menu.html`): an error in
/// it is told for each place, with the template's line, and never twice.
#[test]
fn an_error_in_the_menu_is_told_once_per_place() {
    let stderr = fails_keeping_output(
        |s| {
            s.write(
                "themes/default/templates/partials/menu.html",
                "<ul>\n{{ khong_co }}</ul>",
            );
        },
        &["themes/default/templates/partials/menu.html:2:4: lỗi: biến `khong_co`"],
    );
    let told: Vec<&str> = stderr.lines().filter(|l| l.contains("lỗi:")).collect();
    let mut once = told.clone();
    once.sort_unstable();
    once.dedup();
    assert_eq!(told.len(), once.len(), "{stderr}");
    assert!(
        stderr.contains("khi dựng trang `content/_index.md`"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn errors_on_broken_symlink_and_symlink_loop() {
    fails_keeping_output(
        |s| {
            std::os::unix::fs::symlink(
                s.root().join("content/khong-co.md"),
                s.root().join("content/hong.md"),
            )
            .unwrap();
            std::fs::create_dir(s.root().join("content/vong")).unwrap();
            std::os::unix::fs::symlink(s.root().join("content"), s.root().join("content/vong/lai"))
                .unwrap();
        },
        &[
            "content/hong.md: lỗi: liên kết tượng trưng bị hỏng",
            "content/vong/lai: lỗi: liên kết tượng trưng tạo vòng lặp",
        ],
    );
}

#[test]
fn check_reports_errors_without_writing() {
    let site = SiteTest::fixture("basic");
    site.write("content/a.md", "---\ntitle: A\n---\n[x](khong.md)\n");
    let run = site.run(&["check"]);
    run.assert_fails_with(&["content/a.md:4:1: lỗi: liên kết tới tệp không tồn tại"]);
    assert!(!site.public().exists());
}

#[test]
fn errors_on_a_written_heading_id_the_theme_or_the_page_already_uses() {
    fails_keeping_output(
        |s| {
            s.write(
                "content/a.md",
                "---\ntitle: A\n---\nMở đầu.\n\n## Phần chính {#noi-dung}\n",
            );
        },
        &[
            "content/a.md:6:1: lỗi: mã mục `{#noi-dung}` đã được dùng trên trang này",
            "`{#noi-dung-1}`",
        ],
    );
}

#[test]
fn a_heading_named_like_an_element_of_the_theme_gets_another_id() {
    let site = SiteTest::fixture("basic");
    site.write(
        "content/a.md",
        "---\ntitle: A\n---\n## Nội dung\n\nXem [phần này](#noi-dung-1).\n",
    );
    site.build().assert_ok();
    let html = site.read("a/index.html");
    assert_eq!(html.matches("id=\"noi-dung\"").count(), 1, "{html}");
    assert!(
        html.contains("<h2 id=\"noi-dung-1\">Nội dung</h2>"),
        "{html}"
    );
}

#[test]
fn a_page_error_and_an_error_of_the_other_files_are_reported_together() {
    let stderr = fails_keeping_output(
        |site| {
            // A theme of the site's own whose 404 page fails, and a page
            // naming a template the theme does not have.
            crate::harness::copy_dir(
                &crate::harness::repo().join("themes/default"),
                &site.root().join("themes/hong"),
            );
            site.write(
                "themes/hong/templates/404.html",
                "{% extends \"base.html\" %}{% block main %}{{ khong_co_bien }}{% endblock main %}",
            );
            let config = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
            site.write("site.yaml", &format!("{config}\ntheme: hong\n"));
            let page =
                std::fs::read_to_string(site.root().join("content/hoi-dap/cau-01.md")).unwrap();
            site.write(
                "content/hoi-dap/cau-01.md",
                &page.replacen("---\n", "---\ntemplate: \"khong-co.html\"\n", 1),
            );
        },
        &[
            "content/hoi-dap/cau-01.md:",
            "không có mẫu giao diện `khong-co.html`",
            "themes/hong/templates/404.html:1:",
            "khong_co_bien",
            "2 lỗi",
        ],
    );
    assert!(
        stderr.find("cau-01.md") < stderr.find("404.html"),
        "sorted by file"
    );
}
