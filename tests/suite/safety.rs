//! Issue 13: nothing lost, nothing let in. nqsite replaces only an output
//! folder it made (or an empty or missing one), never a source; `--zip`
//! problems are found before the swap; one build at a time writes into an
//! output; no theme template can abort the process; no file is read through
//! a link out of the site root; clear messages for a `site.yaml` folder, an
//! alias over a generated file and a logo outside `profiles/`.

use std::io::Read;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{Run, SiteTest, nqsite, repo, shipped_copy, snapshot};

/// Runs `nqsite <args>` with `dir` as the current folder (so `--root` defaults to it).
fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = nqsite().args(args).current_dir(dir).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Like [`run_in`] for a command that must end by itself (a `serve` that
/// refuses to start): killed after 30 s, which fails the test.
fn run_bounded(dir: &Path, args: &[&str]) -> Run {
    let mut child = KillOnDrop(
        nqsite()
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "`nqsite {args:?}` did not stop"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut stderr = String::new();
    let mut pipe = child.stderr.take().unwrap();
    pipe.read_to_string(&mut stderr).unwrap();
    Run {
        code: child.wait().unwrap().code().unwrap_or(-1),
        stderr,
    }
}

/// A child process killed when the test ends, even by a failed assertion.
struct KillOnDrop(Child);

impl std::ops::Deref for KillOnDrop {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for KillOnDrop {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `nqsite build --output <out> [extra]` on the site.
fn build_into(site: &SiteTest, out: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["build", "--output", out.to_str().unwrap()];
    args.extend(extra);
    site.run(&args)
}

/// Names in `dir` that nqsite uses for staging, moved-aside output and locks.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.contains(".nqsite-tmp") || n.contains(".nqsite-old") || n.contains(".nqsite-lock")
        })
        .collect()
}

fn assert_no_leftovers(dir: &Path) {
    let names = leftovers(dir);
    assert!(names.is_empty(), "left behind: {names:?}");
}

/// The basic fixture built once (returns its output's snapshot), then its
/// page `gioi-thieu` given a new `body`, so the next build changes the output.
type Files = Vec<(PathBuf, Vec<u8>)>;
fn built_then_edited(body: &str) -> (SiteTest, Files) {
    let site = SiteTest::fixture("basic");
    site.build().assert_ok();
    let before = snapshot(&site.public());
    site.write(
        "content/gioi-thieu.md",
        &format!("---\ntitle: \"Giới thiệu\"\n---\n{body}\n"),
    );
    (site, before)
}

// ---------------------------------------------------------------- output

#[test]
fn refuses_an_output_that_is_or_holds_the_root_and_loses_nothing() {
    let site = SiteTest::fixture("basic");
    let root = site.root().to_str().unwrap().to_string();
    let before = snapshot(site.root());
    let trailing = format!("{root}/");
    for out in [
        ".",
        "./",
        "..",
        "content/..",
        "static/../.",
        &root,
        &trailing,
    ] {
        for force in [false, true] {
            let mut args = vec!["build", "--output", out];
            if force {
                args.push("--force");
            }
            let run = run_in(site.root(), &args);
            run.assert_fails_with(&[
                "--output: lỗi: thư mục kết quả",
                "là thư mục trang web",
                "`--force` không áp dụng",
                "Thư mục kết quả cũ được giữ nguyên",
            ]);
        }
    }
    let run = run_bounded(site.root(), &["serve", "--port", "0", "--output", "."]);
    run.assert_fails_with(&["là thư mục trang web"]);
    assert!(before == snapshot(site.root()), "the site changed");
}

#[test]
fn refuses_an_output_inside_a_source_folder_even_with_force() {
    let site = SiteTest::fixture("basic");
    std::os::unix::fs::symlink("content/hoi-dap", site.root().join("lien-ket")).unwrap();
    let before = snapshot(site.root());
    for (out, source) in [
        ("content", "`content`"),
        ("content/hoi-dap", "`content`"),
        ("content/moi/", "`content`"),
        ("static/x", "`static`"),
        ("themes", "`themes`"),
        ("profiles/x", "`profiles`"),
        ("site.yaml", "`site.yaml`"),
        ("lien-ket", "`content`"),
        ("lien-ket/../../x/../content", "`content`"),
    ] {
        let run = run_in(site.root(), &["build", "--force", "--output", out]);
        run.assert_fails_with(&[
            source,
            "một phần nguồn của trang web",
            "`--force` không áp dụng",
        ]);
    }
    let run = run_bounded(
        site.root(),
        &["serve", "--port", "0", "--output", "content"],
    );
    run.assert_fails_with(&["`content`"]);
    assert!(before == snapshot(site.root()), "the site changed");
    // The next build publishes the whole site.
    site.build().assert_ok();
    assert!(
        site.read("hoi-dap/cau-02/index.html")
            .contains("Mục tiêu 2030")
    );
}

#[test]
fn replaces_a_foreign_non_empty_folder_only_with_force() {
    let site = SiteTest::fixture("basic");
    let out = site.root().join("www");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("ban-luu.docx"), "của người dùng").unwrap();
    let run = build_into(&site, &out, &[]);
    run.assert_fails_with(&[
        "không trống và không do nqsite tạo ra",
        "`.nqsite-output`",
        "`--force`",
        "Thư mục kết quả cũ được giữ nguyên",
    ]);
    assert_eq!(
        std::fs::read_to_string(out.join("ban-luu.docx")).unwrap(),
        "của người dùng"
    );
    assert_no_leftovers(site.root());
    build_into(&site, &out, &["--force"]).assert_ok();
    assert!(!out.join("ban-luu.docx").exists());
    assert!(out.join(".nqsite-output").is_file());
    // Marked now: later builds need no --force. An empty folder needs none either.
    build_into(&site, &out, &[]).assert_ok();
    let empty = site.root().join("trong");
    std::fs::create_dir(&empty).unwrap();
    build_into(&site, &empty, &[]).assert_ok();
    assert!(empty.join("index.html").is_file());
}

#[test]
fn an_output_that_is_a_file_is_refused_before_anything_is_written() {
    let site = SiteTest::fixture("basic");
    site.write("public", "một tệp, không phải thư mục");
    for args in [&["build"][..], &["build", "--force"]] {
        let run = site.run(args);
        run.assert_fails_with(&[
            "`",
            "là một tệp, không phải thư mục",
            "Thư mục kết quả cũ được giữ nguyên",
        ]);
        assert_no_leftovers(site.root());
    }
    assert_eq!(
        std::fs::read_to_string(site.public()).unwrap(),
        "một tệp, không phải thư mục"
    );
    build_into(&site, &site.root().join("khac"), &[]).assert_ok();
    std::fs::remove_file(site.public()).unwrap();
    site.build().assert_ok();
    assert!(site.public().join("index.html").is_file());
}

fn is_link(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
}

#[test]
fn a_symlinked_output_is_followed_and_stays_a_link() {
    let site = SiteTest::fixture("basic");
    let docroot = site.root().join("var-www");
    std::fs::create_dir(&docroot).unwrap();
    let link = site.root().join("public");
    std::os::unix::fs::symlink(&docroot, &link).unwrap();
    site.build().assert_ok();
    assert!(is_link(&link));
    assert!(docroot.join("index.html").is_file());
    let page = docroot.join("gioi-thieu/index.html");
    assert!(!std::fs::read_to_string(&page).unwrap().contains("Bản sửa"));
    site.write(
        "content/gioi-thieu.md",
        "---\ntitle: \"Giới thiệu\"\n---\nBản sửa.\n",
    );
    site.build().assert_ok();
    assert!(is_link(&link));
    assert!(std::fs::read_to_string(&page).unwrap().contains("Bản sửa"));
    assert_no_leftovers(site.root());
}

#[test]
fn zip_problems_are_found_before_the_swap() {
    let (site, before) = built_then_edited("Bản mới.");
    std::fs::create_dir(site.root().join("mot-thu-muc")).unwrap();
    for (zip, needle) in [
        ("/no/such/dir/x.zip", "không tồn tại"),
        ("public", "thư mục kết quả"),
        ("public/x.zip", "thư mục kết quả"),
        ("content/x.zip", "`content`"),
        ("mot-thu-muc", "là một thư mục"),
    ] {
        // Relative paths are taken from the current folder: the site's.
        let run = run_in(site.root(), &["build", "--zip", zip]);
        run.assert_fails_with(&["--zip: lỗi:", needle, "Thư mục kết quả cũ được giữ nguyên"]);
        assert!(
            before == snapshot(&site.public()),
            "--zip {zip}: public/ changed"
        );
        assert_no_leftovers(site.root());
    }
    run_in(site.root(), &["build", "--zip", "ban.zip"]).assert_ok();
    assert!(site.read("gioi-thieu/index.html").contains("Bản mới"));
}

#[test]
fn an_unwritable_zip_folder_fails_before_the_swap() {
    use std::os::unix::fs::PermissionsExt;
    let (site, before) = built_then_edited("Bản mới.");
    let ro = site.root().join("chi-doc");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    // As an unprivileged user (root writes anywhere), in a user namespace.
    let o = Command::new("unshare")
        .args(["-U", "--map-user=1000", "--map-group=1000"])
        .arg(env!("CARGO_BIN_EXE_nqsite"))
        .args(["build", "--root"])
        .arg(site.root())
        .arg("--zip")
        .arg(ro.join("x.zip"))
        .output()
        .expect("unshare (util-linux) is installed");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("không có quyền truy cập"), "{err}");
    assert!(err.contains("Thư mục kết quả cũ được giữ nguyên"), "{err}");
    assert!(before == snapshot(&site.public()), "public/ changed");
    assert_no_leftovers(site.root());
}

#[test]
fn a_zip_replaces_only_a_zip_nqsite_wrote() {
    let site = SiteTest::fixture("basic");
    site.write("ghi-chu.zip", "không phải zip");
    let zip = |args: &[&str]| run_in(site.root(), args);
    let run = zip(&["build", "--zip", "ghi-chu.zip"]);
    run.assert_fails_with(&["không phải tệp zip do nqsite ghi", "`--force`"]);
    assert_eq!(
        std::fs::read_to_string(site.root().join("ghi-chu.zip")).unwrap(),
        "không phải zip"
    );
    // A zip nqsite wrote is replaced by the next build, and holds no marker.
    zip(&["build", "--zip", "ban.zip"]).assert_ok();
    zip(&["build", "--zip", "ban.zip"]).assert_ok();
    let bytes = std::fs::read(site.root().join("ban.zip")).unwrap();
    assert!(bytes.windows(9).any(|w| w == b"public/in"));
    assert!(!bytes.windows(14).any(|w| w == b".nqsite-output"));
    zip(&["build", "--force", "--zip", "ghi-chu.zip"]).assert_ok();
    assert!(
        std::fs::read(site.root().join("ghi-chu.zip"))
            .unwrap()
            .starts_with(b"PK")
    );
    let zips: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".zip."))
        .collect();
    assert!(zips.is_empty(), "temporary zips left: {zips:?}");
}

// ---------------------------------------------------------------- one build at a time

#[test]
fn five_builds_at_once_into_one_output_all_leave_the_complete_site() {
    let site = shipped_copy();
    let work = tempfile::tempdir().unwrap();
    let reference = work.path().join("reference");
    let out = work.path().join("public");
    let build = |dest: &Path| {
        nqsite()
            .args(["build", "--root"])
            .arg(site.path())
            .arg("--output")
            .arg(dest)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    assert!(build(&reference).wait().unwrap().success());
    let expected = snapshot(&reference);
    for round in 0..3 {
        let children: Vec<Child> = (0..5).map(|_| build(&out)).collect();
        for child in children {
            let o = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(o.status.success(), "round {round}: {err}");
            assert!(!err.contains("giữ nguyên"), "round {round}: {err}");
            assert!(err.contains("Xong:"), "round {round}: {err}");
        }
        assert!(
            snapshot(&out) == expected,
            "round {round}: the output is not the complete site"
        );
        assert_no_leftovers(work.path());
    }
}

/// Holds the lock of `<dir>/public` the way nqsite takes it.
fn hold_lock(dir: &Path) -> std::fs::File {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(".public.nqsite-lock"))
        .unwrap();
    // SAFETY: a valid descriptor, for the duration of the call.
    assert_eq!(unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) }, 0);
    file
}

#[test]
fn a_second_build_waits_for_the_first_or_fails_at_once_with_no_wait() {
    let (site, before) = built_then_edited("Bản chờ.");
    let lock = hold_lock(site.root());
    site.run(&["build", "--no-wait"]).assert_fails_with(&[
        "một lần dựng khác đang ghi vào thư mục kết quả",
        "Thư mục kết quả cũ được giữ nguyên",
    ]);
    let log = site.root().join("cho.log");
    let mut child = nqsite()
        .args(["build", "--root"])
        .arg(site.root())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !std::fs::read_to_string(&log)
        .unwrap()
        .contains("Đang chờ một lần dựng khác")
    {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the build did not wait"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no waiting message"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(child.try_wait().unwrap().is_none());
    assert!(
        before == snapshot(&site.public()),
        "written while another build held the lock"
    );
    drop(lock);
    assert!(
        child.wait().unwrap().success(),
        "{}",
        std::fs::read_to_string(&log).unwrap()
    );
    assert!(site.read("gioi-thieu/index.html").contains("Bản chờ"));
}

#[test]
fn staging_folders_of_running_processes_are_left_alone() {
    let site = SiteTest::fixture("basic");
    let me = std::process::id();
    let live = site.root().join(format!(".public.nqsite-tmp.{me}"));
    std::fs::create_dir(&live).unwrap();
    std::fs::write(live.join("x"), "đang dùng").unwrap();
    // No process has a pid above the kernel's limit (4,194,304).
    let dead = site.root().join(".public.nqsite-tmp.4194305");
    std::fs::create_dir(&dead).unwrap();
    site.build().assert_ok();
    assert!(
        live.join("x").is_file(),
        "removed a live process's staging folder"
    );
    assert!(!dead.exists(), "left a dead process's staging folder");
}

// ---------------------------------------------------------------- serve's own folder

fn serve_default(root: &Path) -> (KillOnDrop, String) {
    let mut child = KillOnDrop(
        nqsite()
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut out = child.stdout.take().unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while out.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    (child, String::from_utf8(line).unwrap())
}

/// The default preview folder of a `serve` process on `root`.
fn preview_folder(root: &Path, pid: u32) -> PathBuf {
    let root = root.canonicalize().unwrap();
    let hash = nqsite::fsutil::hash64(root.to_string_lossy().as_bytes());
    std::env::temp_dir().join(format!("nqsite-serve-{hash:016x}-{pid}"))
}

#[test]
fn two_servers_on_one_site_use_their_own_folders_and_remove_them() {
    let site = SiteTest::fixture("basic");
    let (mut a, line_a) = serve_default(site.root());
    let (mut b, line_b) = serve_default(site.root());
    assert!(
        line_a.contains("http://") && line_b.contains("http://"),
        "{line_a} {line_b}"
    );
    let (fa, fb) = (
        preview_folder(site.root(), a.id()),
        preview_folder(site.root(), b.id()),
    );
    assert!(fa.join("index.html").is_file() && fb.join("index.html").is_file());
    // Stopped as Ctrl+C or `kill` would: the folder goes.
    // SAFETY: signalling a child process of this test.
    unsafe { libc::kill(a.id() as i32, libc::SIGTERM) };
    a.wait().unwrap();
    assert!(!fa.exists(), "{} left after SIGTERM", fa.display());
    assert!(
        fb.join("index.html").is_file(),
        "the other server's folder was touched"
    );
    // Killed outright, it cannot clean up: the next server of the site does.
    b.kill().unwrap();
    b.wait().unwrap();
    assert!(fb.exists());
    let (mut c, _) = serve_default(site.root());
    assert!(!fb.exists(), "{} left by a dead server", fb.display());
    // SAFETY: as above.
    unsafe { libc::kill(c.id() as i32, libc::SIGINT) };
    c.wait().unwrap();
    assert!(!preview_folder(site.root(), c.id()).exists());
}

// ---------------------------------------------------------------- templates

/// Builds and checks the fixture with `files` as theme overrides; both must
/// fail cleanly with every needle.
fn theme_fails(files: &[(&str, &str)], needles: &[&str]) {
    let site = SiteTest::fixture("basic");
    for (name, text) in files {
        site.write(&format!("themes/default/templates/{name}"), text);
    }
    for cmd in ["build", "check"] {
        let run = site.run(&[cmd]);
        assert!(!run.stderr.contains("overflow"), "{}", run.stderr);
        run.assert_fails_with(needles);
    }
}

#[test]
fn a_template_including_itself_is_an_error_not_a_crash() {
    theme_fails(
        &[("page.html", "<p>\n{% include \"page.html\" %}")],
        &[
            "themes/default/templates/page.html:2: lỗi:",
            "vòng lặp",
            "themes/default/templates/page.html:2 nhúng `page.html`",
        ],
    );
}

#[test]
fn templates_including_each_other_are_an_error_naming_every_step() {
    theme_fails(
        &[
            ("page.html", "a\n{% include \"partials/b.html\" %}"),
            ("partials/b.html", "{% include \"page.html\" %}"),
        ],
        &[
            "themes/default/templates/page.html:2 nhúng `partials/b.html`",
            "themes/default/templates/partials/b.html:1 nhúng `page.html`",
        ],
    );
}

#[test]
fn an_extends_cycle_is_an_error_in_vietnamese() {
    theme_fails(
        &[
            ("a.html", "{% extends \"b.html\" %}"),
            ("b.html", "\n{% extends \"a.html\" %}"),
        ],
        &[
            "kế thừa `b.html`",
            "themes/default/templates/b.html:2 kế thừa `a.html`",
        ],
    );
}

#[test]
fn a_macro_calling_itself_without_end_is_an_error_not_a_crash() {
    theme_fails(
        &[
            ("page.html", "{% import \"m.html\" as m %}{{ m::dem(n=1) }}"),
            (
                "m.html",
                "\n{% macro dem(n) %}\n{{ n }}{{ self::dem(n=n+1) }}\n{% endmacro dem %}",
            ),
        ],
        &[
            "themes/default/templates/m.html:2: lỗi: macro `dem` được gọi lồng nhau quá 64 tầng",
            "khi dựng trang `content/",
            "cách sửa: một macro gọi lại chính nó phải dừng được",
        ],
    );
    // Two macros calling each other.
    theme_fails(
        &[
            ("page.html", "{% import \"m.html\" as m %}{{ m::f() }}"),
            (
                "m.html",
                "{% macro f() %}{{ self::g() }}{% endmacro %}{% macro g() %}{{ self::f() }}{% endmacro %}",
            ),
        ],
        &["được gọi lồng nhau quá 64 tầng"],
    );
}

#[test]
fn a_deeply_nested_template_is_an_error_not_a_crash() {
    let deep = format!(
        "{}x{}",
        "{% if true %}".repeat(5000),
        "{% endif %}".repeat(5000)
    );
    theme_fails(&[("page.html", &deep)], &["page.html:1:", "lồng quá sâu"]);
    let deep = format!("{{{{ {}1{} }}}}", "(".repeat(20000), ")".repeat(20000));
    theme_fails(&[("page.html", &deep)], &["page.html:1:1:", "lồng quá sâu"]);
}

#[test]
fn a_missing_variable_is_reported_in_vietnamese_at_its_template_and_line() {
    let site = SiteTest::fixture("basic");
    site.write(
        "themes/default/templates/partials/chan.html",
        "<footer>\n  {{ page.khong_co }}\n</footer>",
    );
    let page = std::fs::read_to_string(repo().join("themes/default/templates/page.html")).unwrap();
    site.write(
        "themes/default/templates/page.html",
        &page.replacen(
            "{% endblock",
            "{% include \"partials/chan.html\" %}{% endblock",
            1,
        ),
    );
    site.build().assert_fails_with(&[
        "themes/default/templates/partials/chan.html:2:6: lỗi: biến `page.khong_co` không tồn tại",
        "khi dựng trang `content/gioi-thieu.md`",
        "Variable `page.khong_co` not found",
        "cách sửa:",
    ]);
}

// ---------------------------------------------------------------- files from outside

#[test]
fn links_out_of_the_root_are_refused_wherever_a_file_is_read() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("mat.md");
    std::fs::write(&secret, "---\ntitle: \"Mật\"\n---\nroot:x:0:0\n").unwrap();
    type Make<'a> = &'a dyn Fn(&SiteTest);
    let cases: &[(&str, Make)] = &[
        ("content/mat.md", &|s| {
            std::os::unix::fs::symlink(&secret, s.root().join("content/mat.md")).unwrap()
        }),
        ("content/ngoai/mat.md", &|s| {
            std::os::unix::fs::symlink(outside.path(), s.root().join("content/ngoai")).unwrap()
        }),
        ("static/mat.txt", &|s| {
            std::os::unix::fs::symlink(&secret, s.root().join("static/mat.txt")).unwrap()
        }),
        ("themes/default/templates/page.html", &|s| {
            std::fs::create_dir_all(s.root().join("themes/default/templates")).unwrap();
            std::os::unix::fs::symlink(&secret, s.root().join("themes/default/templates/page.html"))
                .unwrap()
        }),
        ("themes/default/static/mat.css", &|s| {
            std::fs::create_dir_all(s.root().join("themes/default/static")).unwrap();
            std::os::unix::fs::symlink(&secret, s.root().join("themes/default/static/mat.css"))
                .unwrap()
        }),
    ];
    for (shown, make) in cases {
        let site = SiteTest::fixture("basic");
        make(&site);
        let run = site.build();
        run.assert_fails_with(&[
            &format!("{shown}: lỗi: `{shown}` là (hoặc nằm sau) một liên kết tượng trưng trỏ ra ngoài thư mục trang web"),
            "cách sửa:",
        ]);
        assert!(!site.public().exists());
    }
}

#[test]
fn a_logo_linked_out_of_the_root_is_refused_and_one_outside_profiles_is_named() {
    let site = SiteTest::fixture("basic");
    std::fs::create_dir_all(site.root().join("profiles/logos")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", site.root().join("profiles/logos/l.svg")).unwrap();
    site.write(
        "profiles/p.yaml",
        "site_name: \"Tỉnh\"\nlogo: \"logos/l.svg\"\n",
    );
    site.run(&["build", "--profile", "p"]).assert_fails_with(&[
        "profiles/p.yaml:2:7: lỗi: `profiles/logos/l.svg` là (hoặc nằm sau) một liên kết tượng trưng trỏ ra ngoài",
    ]);
    assert!(!site.public().exists());
    site.write(
        "static/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    site.write(
        "profiles/p.yaml",
        "site_name: \"Tỉnh\"\nlogo: \"../static/logo.svg\"\n",
    );
    site.run(&["build", "--profile", "p"]).assert_fails_with(&[
        "profiles/p.yaml:2:7: lỗi: tệp logo `../static/logo.svg` phải nằm trong thư mục `profiles/`",
    ]);
}

#[test]
fn links_that_stay_inside_the_root_keep_working() {
    let site = SiteTest::fixture("basic");
    std::os::unix::fs::symlink(
        "../gioi-thieu.md",
        site.root().join("content/hoi-dap/lien-ket.md"),
    )
    .unwrap();
    std::os::unix::fs::symlink("ghi-chu.txt", site.root().join("static/ban-sao.txt")).unwrap();
    std::fs::create_dir_all(site.root().join("profiles/logos")).unwrap();
    site.write(
        "static/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    std::os::unix::fs::symlink(
        "../../static/logo.svg",
        site.root().join("profiles/logos/l.svg"),
    )
    .unwrap();
    site.write(
        "profiles/p.yaml",
        "site_name: \"Tỉnh\"\nlogo: \"logos/l.svg\"\n",
    );
    site.run(&["build", "--profile", "p"]).assert_ok();
    assert!(
        site.read("hoi-dap/lien-ket/index.html")
            .contains("Giới thiệu")
    );
    assert_eq!(site.read("ban-sao.txt"), site.read("ghi-chu.txt"));
    assert!(site.read("assets/logo-p.svg").contains("<svg"));
}

// ---------------------------------------------------------------- messages

#[test]
fn site_yaml_that_is_a_folder_says_what_to_do() {
    let site = SiteTest::fixture("basic");
    std::fs::remove_file(site.root().join("site.yaml")).unwrap();
    std::fs::create_dir(site.root().join("site.yaml")).unwrap();
    site.build().assert_fails_with(&[
        "site.yaml: lỗi: `site.yaml` là một thư mục, không phải một tệp",
        "cách sửa: ở chỗ này nqsite cần một tệp",
    ]);
}

#[test]
fn an_alias_over_a_generated_file_names_the_content_file_and_line() {
    // An alias ending in `.html` is written as that file, not as a folder.
    for (alias, page, file) in [
        ("/robots.txt", "robots.txt/", "robots.txt"),
        // A page whose path sorts between `robots.txt` and `robots.txt/`.
        (
            "/robots.txt-cu/\", \"/robots.txt",
            "robots.txt/",
            "robots.txt",
        ),
        ("/sitemap.xml/", "sitemap.xml/", "sitemap.xml"),
        ("/404.html", "404.html", "404.html"),
        ("/favicon.svg", "favicon.svg/", "favicon.svg"),
        ("/ghi-chu.txt", "ghi-chu.txt/", "ghi-chu.txt"),
        (
            "/search/manifest.js",
            "search/manifest.js/",
            "search/manifest.js",
        ),
    ] {
        let site = SiteTest::fixture("basic");
        site.write(
            "content/gioi-thieu.md",
            &format!("---\ntitle: \"Giới thiệu\"\naliases: [\"{alias}\"]\n---\nx\n"),
        );
        for cmd in ["build", "check"] {
            site.run(&[cmd]).assert_fails_with(&[
                &format!("content/gioi-thieu.md:3:1: lỗi: trang `/{page}` của tài liệu này trùng chỗ với tệp `{file}`"),
                "cách sửa: đổi `slug` hoặc alias",
            ]);
        }
    }
    // A page whose slug lands on an embed widget's folder.
    let site = SiteTest::fixture("basic");
    site.write(
        "content/gioi-thieu.md",
        "---\ntitle: \"Giới thiệu\"\nslug: \"x\"\naliases: [\"/share/site.png\"]\n---\nx\n",
    );
    site.build()
        .assert_fails_with(&["content/gioi-thieu.md:4:1:", "`share/site.png`"]);
}

/// Issue 18: the output a build replaces is kept as `.public.nqsite-spare`
/// and recycled by the next build. A page that did not change keeps its
/// file; what the folder held that the site does not make (a file added by
/// hand, a link, a page removed from the content) is gone; the result is
/// byte for byte what a build into a new folder writes.
#[test]
fn a_rebuild_recycles_the_replaced_output_into_exactly_the_new_site() {
    use std::os::unix::fs::MetadataExt;
    let site = SiteTest::fixture("basic");
    let outside = tempfile::tempdir().unwrap();
    let inode = |rel: &str| std::fs::metadata(site.public().join(rel)).unwrap().ino();
    site.build().assert_ok();
    let home = inode("index.html");
    std::fs::write(site.public().join("them-tay.txt"), "thêm bằng tay").unwrap();
    std::os::unix::fs::symlink(outside.path(), site.public().join("lien-ket")).unwrap();
    // The second build swaps in a new folder; the first becomes the spare.
    site.build().assert_ok();
    assert!(site.root().join(".public.nqsite-spare").is_dir());
    // The third recycles it.
    let page = site.root().join("content/gioi-thieu.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, format!("{text}\nMột câu mới.\n")).unwrap();
    site.build().assert_ok();
    assert_eq!(
        inode("index.html"),
        home,
        "an unchanged page is not written again"
    );
    let fresh = site.root().join("fresh");
    build_into(&site, &fresh, &[]).assert_ok();
    assert!(snapshot(&site.public()) == snapshot(&fresh));
    assert!(!site.public().join("lien-ket").exists());
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    assert_no_leftovers(site.root());
}
