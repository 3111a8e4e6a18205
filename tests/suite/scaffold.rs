//! `nqsite new site DIR` and `nqsite new <type>`: a new site builds with no
//! warning, a new document of any declared type builds with no warning but
//! its own `...` placeholders, and nothing is ever overwritten.

use std::path::{Path, PathBuf};

use crate::harness::{copy_dir, declared_types, nqsite, repo, snapshot};

/// The outcome of one `nqsite` run, with both streams.
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    fn ok(self) -> Out {
        assert_eq!(self.code, 0, "failed:\n{}{}", self.stdout, self.stderr);
        self
    }

    fn fails(self) -> Out {
        assert_eq!(
            self.code, 1,
            "expected failure:\n{}{}",
            self.stdout, self.stderr
        );
        self
    }
}

fn run(args: &[&str], root: Option<&Path>) -> Out {
    let mut cmd = nqsite();
    cmd.args(args);
    if let Some(root) = root {
        cmd.arg("--root").arg(root);
    }
    let out = cmd.output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `nqsite new <args…> --root <root>`; returns the new file's path.
fn new(root: &Path, args: &[&str]) -> String {
    let mut all = vec!["new"];
    all.extend_from_slice(args);
    run(&all, Some(root)).ok().stdout.trim().to_string()
}

fn read(root: &Path, rel: &str) -> String {
    let p = root.join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A new site made by `nqsite new site` in a temporary folder.
fn new_site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("nghi-quyet-moi");
    let out = run(&["new", "site", root.to_str().unwrap()], None).ok();
    assert_eq!(out.stdout.trim(), root.to_str().unwrap());
    (tmp, root)
}

/// A copy of the shipped site's sources.
fn shipped_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("content"), &tmp.path().join("content"));
    std::fs::copy(repo().join("site.yaml"), tmp.path().join("site.yaml")).unwrap();
    tmp
}

/// Builds the site; returns its warnings (first lines) after checking the
/// summary line counts the same number.
fn build_warnings(root: &Path) -> Vec<String> {
    let out = run(&["build"], Some(root)).ok();
    let warnings: Vec<String> = out
        .stderr
        .lines()
        .filter(|l| l.contains(": cảnh báo: "))
        .map(str::to_string)
        .collect();
    let summary = out
        .stderr
        .lines()
        .find(|l| l.starts_with("Xong: "))
        .unwrap_or_else(|| panic!("no summary in:\n{}", out.stderr));
    assert!(
        summary.contains(&format!(", {} cảnh báo trong", warnings.len())),
        "{summary}\n{}",
        out.stderr
    );
    warnings
}

/// Every warning is a `...` placeholder in one of `files`.
fn assert_only_placeholders_of(warnings: &[String], files: &[String]) {
    for w in warnings {
        assert!(
            w.contains("chưa được điền (còn là `...`)")
                && files.iter().any(|f| w.starts_with(&format!("{f}:"))),
            "unexpected warning: {w}\nnew files: {files:?}"
        );
    }
}

/// Every one of `lines` is a whole line of `text`.
fn assert_lines(text: &str, lines: &[&str]) {
    for line in lines {
        assert!(
            text.lines().any(|l| l == *line),
            "missing `{line}` in:\n{text}"
        );
    }
}

/// `nqsite new <args>` writes `path`, with every one of `lines`.
fn new_file_has(root: &Path, args: &[&str], path: &str, lines: &[&str]) {
    assert_eq!(new(root, args), path);
    assert_lines(&read(root, path), lines);
}

/// `nqsite new <type>` for every declared type and `page`, then a build
/// whose only warnings are the placeholders of the new files.
fn new_of_every_type_builds(root: &Path) -> Vec<String> {
    let mut types = declared_types(root);
    types.push("page".into());
    let files: Vec<String> = types.iter().map(|t| new(root, &[t])).collect();
    let warnings = build_warnings(root);
    assert!(!warnings.is_empty(), "text fields start as placeholders");
    assert_only_placeholders_of(&warnings, &files);
    files
}

#[test]
fn new_site_builds_with_no_error_and_no_warning() {
    let (_tmp, root) = new_site();
    assert!(read(&root, "README.md").contains("Việc cần làm tiếp"));
    for e in walkdir::WalkDir::new(root.join("content")) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let text = std::fs::read_to_string(e.path()).unwrap();
            assert!(!text.contains("\"...\""), "{}", e.path().display());
        }
    }
    assert_eq!(build_warnings(&root), Vec::<String>::new());
    let public = root.join("public");
    for page in [
        "index.html",
        "nghi-quyet/muc-tieu/muc-tieu-mau-2030/index.html",
        "hoi-dap/phan-1/cau-01/index.html",
        "ma-tran/index.html",
        "data/targets.json",
    ] {
        assert!(public.join(page).is_file(), "{page}");
    }
    let question =
        std::fs::read_to_string(public.join("hoi-dap/phan-1/cau-01/index.html")).unwrap();
    assert!(
        question.contains("muc-tieu-mau-2030/"),
        "typed references resolve"
    );
    for (path, bytes) in snapshot(&public) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("57-NQ") && !text.contains("TFP"),
            "{} has text of Resolution 57",
            path.display()
        );
    }
}

#[test]
fn new_site_fills_an_empty_folder_and_refuses_anything_else() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("trong");
    std::fs::create_dir(&empty).unwrap();
    run(&["new", "site", empty.to_str().unwrap()], None).ok();
    assert!(empty.join("site.yaml").is_file() && empty.join("content/_index.md").is_file());

    let full = tmp.path().join("co-san");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("ghi-chu.txt"), "của tôi").unwrap();
    let before = snapshot(&full);
    let out = run(&["new", "site", full.to_str().unwrap()], None).fails();
    assert!(out.stderr.contains("thư mục không trống"), "{}", out.stderr);
    assert!(
        snapshot(&full) == before,
        "a non-empty folder is left as it was"
    );

    let file = tmp.path().join("tep.txt");
    std::fs::write(&file, "x").unwrap();
    let out = run(&["new", "site", file.to_str().unwrap()], None).fails();
    assert!(out.stderr.contains("không phải thư mục"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");

    let out = run(&["new", "site"], None).fails();
    assert!(
        out.stderr.contains("cần đúng một thư mục"),
        "{}",
        out.stderr
    );
    let names: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 3, "nothing left behind: {names:?}");
}

#[test]
fn new_makes_every_type_of_a_new_site_and_it_still_builds() {
    let (_tmp, root) = new_site();
    let files = new_of_every_type_builds(&root);
    assert!(
        files.contains(&"content/hoi-dap/phan-1/cau-02.md".to_string()),
        "{files:?}"
    );
    assert!(
        files.contains(&"content/hoi-dap/phan-2/_index.md".to_string()),
        "{files:?}"
    );
}

#[test]
fn new_makes_every_type_of_the_shipped_site_and_it_still_builds() {
    let tmp = shipped_copy();
    let files = new_of_every_type_builds(tmp.path());
    for expected in [
        "content/hoi-dap/phan-3/cau-76.md",
        "content/hoi-dap/phan-4/_index.md",
        "content/nghi-quyet/quan-diem/quan-diem-6.md",
        "content/nghi-quyet/nhiem-vu/nhiem-vu-8.md",
        "content/nghi-quyet/muc-tieu/muc-tieu-moi-2030.md",
        "content/huong-dan/huong-dan-moi.md",
    ] {
        assert!(
            files.contains(&expected.to_string()),
            "{expected} not in {files:?}"
        );
    }
    let question = read(tmp.path(), "content/hoi-dap/phan-3/cau-76.md");
    assert_lines(&question, &["number: 76", "part: 3"]);
    let part = read(tmp.path(), "content/hoi-dap/phan-4/_index.md");
    assert_lines(&part, &["part: 4"]);
}

#[test]
fn new_makes_every_type_of_a_small_fixture_and_follows_its_names() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&crate::harness::fixtures().join("xref"), tmp.path());
    let files = new_of_every_type_builds(tmp.path());
    assert!(
        files.contains(&"content/hoi-dap/cau-4.md".to_string()),
        "{files:?}"
    );
    assert_eq!(
        new(tmp.path(), &["target", "Tỉ lệ kinh tế số 2045"]),
        "content/muc-tieu/ti-le-kinh-te-so-2045.md"
    );
}

#[test]
fn new_follows_the_numbers_names_and_groups_of_existing_documents() {
    let (_tmp, root) = new_site();
    new_file_has(
        &root,
        &["question", "Vì", "sao", "lại", "thế?"],
        "content/hoi-dap/phan-1/cau-02.md",
        &[
            "title: \"Câu hỏi 2: Vì sao lại thế?\"",
            "number: 2",
            "part: 1",
            "section: 1",
            "question: \"Vì sao lại thế?\"",
            "weight: 2",
            "# Câu số: số nguyên từ 1 trở lên; bắt buộc.",
        ],
    );
    assert_eq!(
        new(&root, &["question"]),
        "content/hoi-dap/phan-1/cau-03.md"
    );

    let text = read(&root, &new(&root, &["target", "Không nêu năm"]));
    assert_lines(&text, &["id: \"khong-neu-nam-2030\"", "year: 2030"]);
    new_file_has(
        &root,
        &["target", "Tỉ lệ", "kinh tế số", "2035"],
        "content/nghi-quyet/muc-tieu/ti-le-kinh-te-so-2035.md",
        &[
            "id: \"ti-le-kinh-te-so-2035\"",
            "year: 2035",
            "group: \"nhom-mau\"",
            "source: \"huong-dan-mau\"",
            "value: \"...\"",
        ],
    );
    let again = new(&root, &["target", "Tỉ lệ kinh tế số 2035"]);
    assert_eq!(
        again,
        "content/nghi-quyet/muc-tieu/ti-le-kinh-te-so-2035-2.md"
    );

    assert_eq!(
        new(&root, &["task"]),
        "content/nghi-quyet/nhiem-vu/nhiem-vu-2.md"
    );
    assert_eq!(new(&root, &["part"]), "content/hoi-dap/phan-2/_index.md");
    assert_eq!(
        new(&root, &["guidance", "Hướng dẫn của huyện"]),
        "content/huong-dan/huong-dan-cua-huyen.md"
    );
    assert_eq!(new(&root, &["page", "Giới thiệu"]), "content/gioi-thieu.md");
    assert_eq!(
        new(
            &root,
            &["question", "--dir", "hoi-dap/phu-luc", "Câu", "thêm?"]
        ),
        "content/hoi-dap/phu-luc/cau-04.md"
    );
    assert!(read(&root, "content/hoi-dap/phu-luc/_index.md").contains("title: \"Câu hỏi\""));
    let warnings = build_warnings(&root);
    assert!(
        warnings.iter().all(|w| w.contains("chưa được điền")),
        "{warnings:?}"
    );
}

#[test]
fn new_never_writes_a_reference_to_a_document_that_does_not_exist() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::write(
        root.join("content/_index.md"),
        "---\ntitle: \"Trang chủ\"\n---\n",
    )
    .unwrap();
    std::fs::write(
        root.join("site.yaml"),
        "types:\n\
         \x20 guidance:\n\
         \x20   label: \"Hướng dẫn\"\n\
         \x20   key: id\n\
         \x20   fields:\n\
         \x20     id: {type: slug, required: true}\n\
         \x20 goal:\n\
         \x20   label: \"Mục tiêu\"\n\
         \x20   plural: \"Các mục tiêu\"\n\
         \x20   key: id\n\
         \x20   fields:\n\
         \x20     id: {type: slug, required: true}\n\
         \x20     year: {type: year, required: true}\n\
         \x20     group: {type: group, label: \"Nhóm\"}\n\
         \x20     source: {type: ref, to: guidance, label: \"Nguồn\"}\n\
         \x20     related: {type: refs, to: guidance}\n\
         \x20 viewpoint:\n\
         \x20   label: \"Quan điểm\"\n\
         \x20   key: id\n\
         \x20   fields:\n\
         \x20     id: {type: integer, required: true}\n\
         \x20     source: {type: ref, to: guidance, required: true}\n",
    )
    .unwrap();
    // (`goal`, not `target`: the theme's target.html shows a `figure`.)
    let path = new(root, &["goal", "Chỉ tiêu 2035"]);
    assert_eq!(path, "content/cac-muc-tieu/chi-tieu-2035.md");
    let text = read(root, &path);
    assert_lines(&text, &["# source: MÃ", "# group: MÃ"]);
    assert_lines(&text, &["related: []"]);
    assert!(
        !text.contains("\nsource:") && !text.contains("\ngroup:"),
        "{text}"
    );
    assert!(read(root, "content/cac-muc-tieu/_index.md").contains("title: \"Các mục tiêu\""));
    assert_eq!(build_warnings(root), Vec::<String>::new());

    let out = run(&["new", "viewpoint"], Some(root)).ok();
    assert!(
        out.stderr.contains("cần làm tiếp: `source`") && out.stderr.contains("nqsite new guidance"),
        "a required reference left out is said: {}",
        out.stderr
    );
}

#[test]
fn new_refuses_to_overwrite_or_to_write_outside_content() {
    let (_tmp, root) = new_site();
    let mine = "---\ntitle: \"Của tôi\"\n---\nĐừng ghi đè.\n";
    std::fs::write(root.join("content/hoi-dap/phan-1/cau-02.md"), mine).unwrap();
    let before = snapshot(&root);
    let out = run(&["new", "question"], Some(&root)).fails();
    assert!(out.stderr.contains("không ghi đè"), "{}", out.stderr);
    for dir in ["../ngoai", "/tmp/ngoai"] {
        let out = run(&["new", "page", "--dir", dir], Some(&root)).fails();
        assert!(
            out.stderr.contains("bên trong `content/`"),
            "{}",
            out.stderr
        );
    }
    assert!(snapshot(&root) == before, "nothing was written");
}

#[test]
fn new_lists_the_declared_types_and_names_them_for_an_unknown_one() {
    let (_tmp, root) = new_site();
    let out = run(&["new", "--list"], Some(&root)).ok();
    let listed: Vec<Vec<&str>> = out
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    for line in [
        vec!["question", "Câu", "hỏi"],
        vec!["target", "Mục", "tiêu"],
        vec![
            "page", "Trang", "tự", "do", "(không", "thuộc", "loại", "nào)",
        ],
    ] {
        assert!(
            listed.contains(&line),
            "missing {line:?} in:\n{}",
            out.stdout
        );
    }
    assert!(out.stdout.contains("nqsite new site"), "{}", out.stdout);
    let out = run(&["new", "targt"], Some(&root)).fails();
    for needle in [
        "loại tài liệu `targt` chưa được khai báo",
        "nqsite new target",
        "`question` (Câu hỏi)",
    ] {
        assert!(
            out.stderr.contains(needle),
            "missing `{needle}` in:\n{}",
            out.stderr
        );
    }
    let out = run(&["new", "question"], Some(&root.join("content"))).fails();
    assert!(out.stderr.contains("nqsite new site"), "{}", out.stderr);
}

#[test]
fn a_type_declared_only_in_site_yaml_with_a_template_can_be_created_and_shown() {
    let (_tmp, root) = new_site();
    let config = read(&root, "site.yaml").replacen(
        "\ntypes:\n",
        "\ntypes:\n\
         \x20 solution:\n\
         \x20   label: \"Giải pháp\"\n\
         \x20   plural: \"Giải pháp đột phá\"\n\
         \x20   key: id\n\
         \x20   fields:\n\
         \x20     id: {type: integer, required: true, min: 1, label: \"Số thứ tự\"}\n\
         \x20     task: {type: ref, to: task, required: true, label: \"Thuộc nhiệm vụ\"}\n\
         \x20     deadline: {type: year, label: \"Thời hạn\"}\n\
         \x20     lead: {type: text, required: true, label: \"Cơ quan chủ trì\"}\n",
        1,
    );
    std::fs::write(root.join("site.yaml"), config).unwrap();
    std::fs::create_dir_all(root.join("themes/default/templates")).unwrap();
    std::fs::write(
        root.join("themes/default/templates/solution.html"),
        "{% extends \"page.html\" %}\n\
         {% block header_extra %}<p class=\"solution\">Chủ trì: {{ page.fields.lead }}; \
         thuộc <a href=\"{{ page.fields.task.href }}\">{{ page.fields.task.title }}</a></p>{% endblock header_extra %}\n",
    )
    .unwrap();
    let path = new(&root, &["solution", "Giải pháp thứ nhất"]);
    assert_eq!(path, "content/giai-phap-dot-pha/giai-phap-1.md");
    let text = read(&root, &path);
    assert_lines(&text, &["id: 1", "task: 1"]);
    let warnings = build_warnings(&root);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_only_placeholders_of(&warnings, std::slice::from_ref(&path));

    std::fs::write(
        root.join(&path),
        text.replace("lead: \"...\"", "lead: \"Cơ quan chủ trì mẫu\""),
    )
    .unwrap();
    assert_eq!(build_warnings(&root), Vec::<String>::new());
    let html = read(&root, "public/giai-phap-dot-pha/giai-phap-1/index.html");
    assert!(html.contains("<p class=\"solution\">Chủ trì: Cơ quan chủ trì mẫu; thuộc <a href=\"/nghi-quyet/nhiem-vu/nhiem-vu-1/\">"), "{html}");
}
