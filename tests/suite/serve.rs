//! `nqsite serve` (live preview, incremental rebuilds, errors in the
//! browser), `nqsite new` and the editors' guide switch.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{SiteTest, nqsite, snapshot};

/// A running `nqsite serve` on a free port, killed on drop.
pub(crate) struct Server {
    pub(crate) child: Child,
    /// `127.0.0.1:port`, also sent as the `Host` of every request.
    pub(crate) addr: String,
    pub(crate) out: PathBuf,
    log: PathBuf,
}

impl Server {
    pub(crate) fn start(site: &SiteTest) -> Server {
        let server = Server::start_with(site, &[]);
        assert!(server.addr.starts_with("127.0.0.1:"), "{}", server.addr);
        server
    }

    /// Starts `nqsite serve --port 0 <args>` on the site.
    pub(crate) fn start_with(site: &SiteTest, args: &[&str]) -> Server {
        let out = site.root().join("served");
        let log = site.root().join("serve.log");
        let child = nqsite()
            .args(["serve", "--port", "0"])
            .args(args)
            .arg("--root")
            .arg(site.root())
            .arg("--output")
            .arg(&out)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(std::fs::File::create(&log).unwrap()))
            .spawn()
            .unwrap();
        let mut server = Server {
            child,
            addr: String::new(),
            out,
            log,
        };
        let stdout = server.child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"));
        server.addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .into();
        server
    }

    /// GET `path` (sent as is); returns (status, headers, body).
    pub(crate) fn get(&self, path: &str) -> (u16, String, String) {
        self.request(&format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        ))
    }

    /// Sends `raw` as the whole request; returns (status, headers, body).
    pub(crate) fn request(&self, raw: &str) -> (u16, String, String) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(raw.as_bytes()).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        (status_code(head), head.to_string(), body.to_string())
    }

    pub(crate) fn status(&self) -> serde_json::Value {
        let (_, _, body) = self.get("/__nqsite/status");
        serde_json::from_str(&body).unwrap_or(serde_json::Value::Null)
    }

    pub(crate) fn version(&self) -> u64 {
        self.status()["version"].as_u64().unwrap_or(0)
    }

    /// Polls until `cond` holds (20 s at most).
    pub(crate) fn wait_for(&self, what: &str, cond: impl Fn(&Server) -> bool) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if cond(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(40));
        }
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        panic!(
            "timed out waiting for {what}; status: {}\nlog:\n{log}",
            self.status()
        );
    }

    /// Waits for a successful build newer than `version`.
    pub(crate) fn wait_ok_after(&self, version: u64) -> u64 {
        self.wait_for("a good build", |s| {
            let st = s.status();
            st["ok"] == true && st["version"].as_u64().unwrap_or(0) > version
        });
        self.version()
    }

    pub(crate) fn wait_error(&self, needle: &str) -> serde_json::Value {
        self.wait_for(needle, |s| {
            let st = s.status();
            st["ok"] == false && st.to_string().contains(needle)
        });
        self.status()
    }

    fn assert_alive(&mut self) {
        assert!(self.child.try_wait().unwrap().is_none(), "server exited");
        assert_eq!(self.get("/__nqsite/reload.js").0, 200);
    }
}

/// The status code of a response head (`HTTP/1.1 200 OK…`), 0 if none.
pub(crate) fn status_code(head: &str) -> u16 {
    head.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn remove(site: &SiteTest, rel: &str) {
    std::fs::remove_file(site.root().join(rel)).unwrap();
}

fn rename(site: &SiteTest, from: &str, to: &str) {
    std::fs::rename(site.root().join(from), site.root().join(to)).unwrap();
}

#[test]
fn serve_answers_parallel_requests_with_types_and_injected_script() {
    let site = SiteTest::fixture("xref");
    let server = Server::start(&site);
    std::thread::scope(|scope| {
        for _ in 0..16 {
            scope.spawn(|| {
                for path in ["/", "/hoi-dap/cau-1/", "/muc-tieu/tfp/", "/robots.txt"] {
                    assert_eq!(server.get(path).0, 200, "{path}");
                }
            });
        }
    });
    let (code, head, body) = server.get("/hoi-dap/cau-1/");
    assert_eq!(code, 200);
    assert!(
        head.contains("Content-Type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(body.contains("<script src=\"/__nqsite/reload.js\" defer></script></head>"));
    let built = std::fs::read_to_string(server.out.join("hoi-dap/cau-1/index.html")).unwrap();
    assert!(
        !built.contains("__nqsite"),
        "the script is never written to the site"
    );
    let (code, head, _) = server.get("/__nqsite/reload.js");
    assert_eq!(code, 200);
    assert!(head.contains("text/javascript; charset=utf-8"));
    let (code, _, body) = server.get("/khong-co-trang-nay/");
    assert_eq!(code, 404);
    assert!(body.contains("reload.js"));
    assert_eq!(server.get("/hoi-dap").0, 301);
    assert!(server.status()["ok"] == true);
}

#[test]
fn serve_refuses_path_traversal_and_symlinks_out_of_the_site() {
    let site = SiteTest::fixture("xref");
    site.write("secret.txt", "BI-MAT-KHONG-DUOC-LO");
    let server = Server::start(&site);
    std::os::unix::fs::symlink(site.root().join("secret.txt"), server.out.join("leak.txt"))
        .unwrap();
    for path in [
        "/../secret.txt",
        "/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/hoi-dap/..%2f..%2fsecret.txt",
        "/hoi-dap/%2e%2e/%2e%2e/secret.txt",
        "//etc/passwd",
        "/..\\secret.txt",
        "/leak.txt",
        "/.%2e/content/hoi-dap/cau-1.md",
        "/%00",
    ] {
        let (code, _, body) = server.get(path);
        assert!(code == 403 || code == 404, "{path}: {code}");
        assert!(!body.contains("BI-MAT"), "{path} leaked the file");
        assert!(!body.contains("title:"), "{path} leaked a source file");
    }
}

#[test]
fn serve_rebuilds_on_edit_and_shows_errors_while_serving_the_last_good_site() {
    let site = SiteTest::fixture("xref");
    let server = Server::start(&site);
    let v = server.version();
    site.write(
        "content/hoi-dap/cau-2.md",
        "---\ntitle: \"Câu hỏi 2\"\ntype: question\nnumber: 2\n---\nBản sửa MOT.\n",
    );
    let v = server.wait_ok_after(v);
    assert!(server.get("/hoi-dap/cau-2/").2.contains("Bản sửa MOT."));

    site.write(
        "content/hoi-dap/cau-2.md",
        "---\ntitle: \"Câu hỏi 2\"\ntype: question\nnumber: 2\nweight: \"abc\"\n---\nBản sửa HAI.\n",
    );
    let status = server.wait_error("content/hoi-dap/cau-2.md");
    let err = &status["errors"][0];
    assert_eq!(err["line"], 5);
    assert!(
        err["message"].as_str().unwrap().contains("số nguyên"),
        "{err}"
    );
    assert!(err["hint"].is_string());
    let source = err["source"].as_array().unwrap();
    assert!(
        source
            .iter()
            .any(|l| l["mark"] == true && l["text"] == "weight: \"abc\"")
    );
    let page = server.get("/hoi-dap/cau-2/").2;
    assert!(
        page.contains("Bản sửa MOT."),
        "the last good page is still served"
    );

    site.write(
        "content/hoi-dap/cau-2.md",
        "---\ntitle: \"Câu hỏi 2\"\ntype: question\nnumber: 2\nweight: 2\n---\nBản sửa BA.\n",
    );
    server.wait_ok_after(v);
    assert!(server.status()["errors"].as_array().unwrap().is_empty());
    assert!(server.get("/hoi-dap/cau-2/").2.contains("Bản sửa BA."));
}

#[test]
fn content_edited_while_the_configuration_is_broken_is_built_once_it_is_mended() {
    let site = SiteTest::fixture("xref");
    let server = Server::start(&site);
    let good = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write("site.yaml", "title: [\n");
    server.wait_error("site.yaml");
    // Saved while no build can read the content: an edit and a new page.
    site.write(
        "content/hoi-dap/cau-2.md",
        "---\ntitle: \"Câu hỏi 2\"\ntype: question\nnumber: 2\n---\nSửa khi cấu hình hỏng.\n",
    );
    site.write(
        "content/hoi-dap/cau-8.md",
        "---\ntitle: \"Câu hỏi 8\"\ntype: question\nnumber: 8\n---\nTrang mới.\n",
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    let v = server.version();
    site.write("site.yaml", &good);
    server.wait_ok_after(v);
    assert!(
        server
            .get("/hoi-dap/cau-2/")
            .2
            .contains("Sửa khi cấu hình hỏng.")
    );
    assert!(server.get("/hoi-dap/cau-8/").2.contains("Trang mới."));
    assert_same_as_full_build(&site, &server.out, 0);
}

#[test]
fn serve_survives_what_editors_do_to_files_and_folders() {
    let site = SiteTest::fixture("xref");
    let mut server = Server::start(&site);
    let v = server.version();

    let odd = "content/hoi-dap/Câu hỏi mới có dấu.md";
    site.write(
        odd,
        "---\ntitle: \"Câu hỏi mới\"\n---\nCó dấu và dấu cách.\n",
    );
    let v = server.wait_ok_after(v);
    assert!(
        server
            .get("/hoi-dap/cau-hoi-moi-co-dau/")
            .2
            .contains("Có dấu và dấu cách.")
    );

    site.write(odd, "---\ntitle: \"Dở dang");
    server.wait_error("Câu hỏi mới có dấu.md");
    server.assert_alive();

    site.write_bytes(odd, b"---\ntitle: \"L\xe1\xbb\x97i\"\n---\nabc \xff\xfe\n");
    server.wait_error("UTF-8");
    server.assert_alive();

    remove(&site, odd);
    let v = server.wait_ok_after(v);
    assert_eq!(server.get("/hoi-dap/cau-hoi-moi-co-dau/").0, 404);

    rename(
        &site,
        "content/hoi-dap/cau-3.md",
        "content/hoi-dap/cau-3-moi.md",
    );
    let v = server.wait_ok_after(v);
    assert_eq!(server.get("/hoi-dap/cau-3-moi/").0, 200);

    rename(&site, "content/huong-dan", "content/van-ban");
    let v = server.wait_ok_after(v);
    assert_eq!(server.get("/van-ban/tinh/").0, 200);

    rename(&site, "content", "content-tam");
    server.wait_error("không tìm thấy thư mục nội dung");
    assert_eq!(
        server.get("/hoi-dap/cau-1/").0,
        200,
        "last good site still served"
    );
    rename(&site, "content-tam", "content");
    let v = server.wait_ok_after(v);

    site.write(
        "content/hoi-dap/cau-1.md",
        "---\ntitle: \"Câu hỏi 1\"\n---\nSau khi khôi phục.\n",
    );
    server.wait_ok_after(v);
    assert!(
        server
            .get("/hoi-dap/cau-1/")
            .2
            .contains("Sau khi khôi phục.")
    );
    server.assert_alive();
}

#[test]
fn incremental_rebuilds_match_a_clean_full_build_byte_for_byte() {
    let site = SiteTest::fixture("xref");
    let server = Server::start(&site);
    let mut v = server.version();
    type Edit = Box<dyn Fn(&SiteTest)>;
    let edits: Vec<Edit> = vec![
        Box::new(|s| {
            s.write(
                "content/hoi-dap/cau-1.md",
                "---\ntitle: \"Câu hỏi 1: Vì sao?\"\ntype: question\nnumber: 1\ntargets: [\"tfp-2030\"]\n---\n## Mở đầu\n\nĐã sửa: [TFP](target:tfp-2030) và [mục tiêu số](../muc-tieu/so.md).\n",
            );
        }),
        Box::new(|s| {
            s.write(
                "content/hoi-dap/cau-9.md",
                "---\ntitle: \"Câu hỏi 9: Mới\"\ntype: question\nnumber: 9\n---\nNhắc [TFP](target:tfp-2030) và [câu 1](question:1).\n",
            );
        }),
        Box::new(|s| {
            let p = "content/muc-tieu/tfp.md";
            let text = std::fs::read_to_string(s.root().join(p)).unwrap();
            s.write(
                p,
                &text.replace("title: \"TFP\"", "title: \"TFP (đã đổi tên)\""),
            );
        }),
        Box::new(|s| {
            s.write(
                "content/hoi-dap/cau-1.md",
                "---\ntitle: \"Câu hỏi 1\"\ntype: question\nnumber: 1\n---\nKhông còn dẫn chiếu.\n",
            );
        }),
        Box::new(|s| remove(s, "content/hoi-dap/cau-3.md")),
        Box::new(|s| {
            s.write("static/ghi-chu.txt", "tệp tĩnh\n");
        }),
        Box::new(|s| {
            let p = "content/muc-tieu/so.md";
            let text = std::fs::read_to_string(s.root().join(p)).unwrap();
            s.write(p, &format!("{text}\nThêm một đoạn.\n"));
        }),
        // Front matter only, on pages that others list, reference or name
        // as their source: a question's title, a guidance's title, a
        // target's figure, a question's order in its section.
        Box::new(|s| {
            edit_file(
                s,
                "content/hoi-dap/cau-2.md",
                "Nhóm mục tiêu kinh tế?",
                "Nhóm kinh tế (sửa)?",
            )
        }),
        Box::new(|s| {
            edit_file(
                s,
                "content/huong-dan/tinh.md",
                "Hướng dẫn của tỉnh",
                "Hướng dẫn của tỉnh (bản 2)",
            )
        }),
        Box::new(|s| {
            edit_file(
                s,
                "content/muc-tieu/so.md",
                "figure: \"≥30% GDP\"",
                "figure: \"≥ 30% GDP\"",
            )
        }),
        Box::new(|s| {
            edit_file(
                s,
                "content/hoi-dap/cau-2.md",
                "number: 2\n",
                "number: 2\nweight: -1\n",
            )
        }),
        // A target naming the guidance as its source, which the guidance
        // does not mention; then the guidance is renamed again.
        Box::new(|s| {
            s.write(
                "content/muc-tieu/moi.md",
                "---\ntitle: \"Mục tiêu mới\"\ntype: target\nid: moi-2030\nyear: 2030\ngroup: kinh-te\nindicator: \"Chỉ số\"\nvalue: \"một giá trị\"\nfigure: \"1\"\nsource: tinh\nsource_text: \"Câu trích.\"\nweight: 3\n---\n",
            );
        }),
        Box::new(|s| edit_file(s, "content/huong-dan/tinh.md", "(bản 2)", "(bản 3)")),
        // A section's front matter: the title of the group its targets show.
        Box::new(|s| {
            edit_file(
                s,
                "content/muc-tieu/_index.md",
                "Nhóm mục tiêu kinh tế",
                "Nhóm mục tiêu về kinh tế",
            )
        }),
        // The guidance starts quoting a target: the target's source link now
        // points at the quote, and its "mentioned in" list grows.
        Box::new(|s| {
            s.write(
                "content/huong-dan/tinh.md",
                "---\ntitle: \"Hướng dẫn của tỉnh (bản 3)\"\ntype: guidance\nid: tinh\n---\nTrích: [trên 55%](target:tfp-2030).\n",
            );
        }),
        // A page linking to a target by its file; then the target moves
        // (its slug) while the linking body stays as it is: its link must
        // follow (the links an unchanged body resolved are kept only while
        // what they were resolved against is the same); then an edit
        // elsewhere, which leaves it alone.
        Box::new(|s| {
            s.write(
                "content/hoi-dap/cau-5.md",
                "---\ntitle: \"Câu hỏi 5\"\ntype: question\nnumber: 5\n---\nXem [mục tiêu số](../muc-tieu/so.md) và [TFP](target:tfp-2030).\n",
            );
        }),
        Box::new(|s| {
            edit_file(
                s,
                "content/muc-tieu/so.md",
                "title: \"Kinh tế số\"\n",
                "title: \"Kinh tế số\"\nslug: so-moi\n",
            )
        }),
        Box::new(|s| edit_file(s, "content/hoi-dap/cau-2.md", "(sửa)", "(sửa lần 2)")),
    ];
    for (n, edit) in edits.iter().enumerate() {
        edit(&site);
        v = server.wait_ok_after(v);
        // After every edit, not only at the end: a page left stale by one
        // edit could be re-rendered by a later one and hide the miss.
        assert_same_as_full_build(&site, &server.out, n);
    }
}

#[test]
fn a_body_edit_renders_only_the_pages_that_read_it() {
    let site = SiteTest::fixture("xref");
    let server = Server::start(&site);
    let v = server.version();
    // Question 3 mentions nothing and nothing mentions it: only its own
    // page reads its body.
    edit_file(
        &site,
        "content/hoi-dap/cau-3.md",
        "Không nhắc mục tiêu nào.",
        "Vẫn không nhắc mục tiêu nào.",
    );
    server.wait_ok_after(v);
    let log = std::fs::read_to_string(&server.log).unwrap();
    let last = log
        .lines()
        .rev()
        .find(|l| l.contains("trang dựng lại"))
        .unwrap();
    let rendered: usize = last
        .split(", ")
        .find_map(|part| part.strip_suffix(" trang dựng lại"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count in `{last}`"));
    assert_eq!(rendered, 1, "{last}");
    assert_same_as_full_build(&site, &server.out, 0);
}

/// Replaces `from` by `to` in a file of the site (which must contain it).
fn edit_file(site: &SiteTest, rel: &str, from: &str, to: &str) {
    let text = std::fs::read_to_string(site.root().join(rel)).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}");
    site.write(rel, &text.replace(from, to));
}

/// The served folder is byte for byte what `nqsite build` writes.
fn assert_same_as_full_build(site: &SiteTest, served: &std::path::Path, step: usize) {
    let full = site.root().join(format!("full-{step}"));
    let out = nqsite()
        .args(["build", "--base-url", "/", "--editor-guide", "--root"])
        .arg(site.root())
        .arg("--output")
        .arg(&full)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (a, b) = (snapshot(served), snapshot(&full));
    let names = |s: &[(PathBuf, Vec<u8>)]| s.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "after edit {step}");
    for ((p, x), (_, y)) in a.iter().zip(&b) {
        assert!(
            x == y,
            "after edit {step}: {} differs from a full build",
            p.display()
        );
    }
    std::fs::remove_dir_all(&full).unwrap();
}

#[test]
fn editor_only_sections_are_left_out_of_the_build_unless_asked() {
    let site = SiteTest::fixture("basic");
    site.write(
        "content/huong-dan-bien-tap/_index.md",
        "---\ntitle: \"Hướng dẫn biên tập\"\neditor_only: true\n---\n",
    );
    site.write(
        "content/huong-dan-bien-tap/cu-phap.md",
        "---\ntitle: \"Cú pháp\"\n---\n```yaml\ntitle: \"x\"\n```\n",
    );
    site.build().assert_ok();
    assert!(!site.public().join("huong-dan-bien-tap").exists());
    site.run(&["build", "--editor-guide"]).assert_ok();
    let page = site.read("huong-dan-bien-tap/cu-phap/index.html");
    assert!(page.contains("class=\"sy-"), "examples are highlighted");
    let config = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{config}\neditor_guide: true\n"));
    std::fs::remove_dir_all(site.public()).unwrap();
    site.build().assert_ok();
    assert!(
        site.public()
            .join("huong-dan-bien-tap/index.html")
            .is_file()
    );
}

/// Resident memory of a process, in KiB (Linux).
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .map(str::to_string)
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

#[test]
fn serve_holds_200_connections_at_2000_requests_a_second_while_rebuilding() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    const CLIENTS: usize = 200;
    const PER_CLIENT_PER_SECOND: u64 = 10;
    let seconds: u64 = std::env::var("NQSITE_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let site = SiteTest::fixture("basic");
    let mut server = Server::start(&site);
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.get("/").0 != 200 {
        assert!(
            Instant::now() < deadline,
            "serve never served the home page"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = server.child.id();
    let (ok, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let end = start + Duration::from_secs(seconds);
    let paths = [
        "/",
        "/hoi-dap/cau-01/",
        "/gioi-thieu/",
        "/assets/",
        "/robots.txt",
        "/khong-co/",
    ];
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (addr, ok, failed) = (server.addr.clone(), ok.clone(), failed.clone());
            std::thread::spawn(move || {
                let period = Duration::from_millis(1000 / PER_CLIENT_PER_SECOND);
                let mut next = Instant::now() + period.mul_f64(c as f64 / CLIENTS as f64);
                let mut k = c;
                while next < end {
                    if let Some(wait) = next.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    next += period;
                    k += 1;
                    let path = paths[k % paths.len()];
                    let answered = (|| -> std::io::Result<u16> {
                        let mut s = TcpStream::connect(&addr)?;
                        s.set_read_timeout(Some(Duration::from_secs(10)))?;
                        write!(
                            s,
                            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
                        )?;
                        let mut raw = Vec::new();
                        s.read_to_end(&mut raw)?;
                        Ok(status_code(&String::from_utf8_lossy(
                            &raw[..raw.len().min(64)],
                        )))
                    })();
                    // /assets/ (a folder) and /khong-co/ are 404 by design; anything else must be 200.
                    let expected = if path == "/khong-co/" || path == "/assets/" {
                        404
                    } else {
                        200
                    };
                    match answered {
                        Ok(code) if code == expected => ok.fetch_add(1, Ordering::Relaxed),
                        _ => failed.fetch_add(1, Ordering::Relaxed),
                    };
                }
            })
        })
        .collect();
    let editor = {
        let (root, stop) = (site.root().to_path_buf(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let text = format!("---\ntitle: \"Giới thiệu {n}\"\n---\nBản sửa số {n}.\n");
                std::fs::write(root.join("content/gioi-thieu.md"), text).unwrap();
                std::thread::sleep(Duration::from_millis(300));
            }
            n
        })
    };
    std::thread::sleep(Duration::from_secs(seconds.min(5)));
    let rss_early = rss_kib(pid);
    for c in clients {
        c.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let edits = editor.join().unwrap();
    let rss_late = rss_kib(pid);
    let (ok, failed) = (ok.load(Ordering::Relaxed), failed.load(Ordering::Relaxed));
    let elapsed = start.elapsed().as_secs_f64();
    assert_eq!(failed, 0, "{failed} failed requests out of {}", ok + failed);
    let rate = ok as f64 / elapsed;
    assert!(
        rate > 0.9 * (CLIENTS as u64 * PER_CLIENT_PER_SECOND) as f64,
        "only {rate:.0} requests/s"
    );
    assert!(server.child.try_wait().unwrap().is_none(), "serve crashed");
    assert!(
        edits > seconds * 2,
        "the editor thread kept saving ({edits} saves)"
    );
    assert!(
        rss_late < rss_early + 50 * 1024,
        "memory grew from {rss_early} KiB to {rss_late} KiB"
    );
    eprintln!(
        "load: {ok} requests in {elapsed:.1} s ({rate:.0}/s), {edits} saves, RSS {rss_early} → {rss_late} KiB"
    );
}

#[test]
fn serve_survives_templates_that_would_recurse_forever_and_shows_them() {
    let site = SiteTest::fixture("xref");
    let mut server = Server::start(&site);
    let v = server.version();
    let dir = "themes/default/templates";
    type Files<'a> = &'a [(&'a str, &'a str)];
    let cases: [(Files, &str, &str, u64); 2] = [
        (
            &[("page.html", "<p>\n{% include \"page.html\" %}")],
            "nhúng `page.html`",
            "page.html",
            2,
        ),
        (
            &[
                ("page.html", "{% import \"m.html\" as m %}{{ m::f(n=1) }}"),
                (
                    "m.html",
                    "\n{% macro f(n) %}{{ self::f(n=n) }}{% endmacro f %}",
                ),
            ],
            "được gọi lồng nhau quá",
            "m.html",
            2,
        ),
    ];
    for (files, needle, at, line) in cases {
        for (name, text) in files {
            site.write(&format!("{dir}/{name}"), text);
        }
        let status = server.wait_error(needle);
        let err = &status["errors"][0];
        assert_eq!(err["file"], format!("{dir}/{at}"), "{err}");
        assert_eq!(err["line"], line, "{err}");
        server.assert_alive();
        for (name, _) in files {
            remove(&site, &format!("{dir}/{name}"));
        }
        server.wait_ok_after(v);
    }
    server.assert_alive();
}
