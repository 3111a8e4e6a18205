//! `nqsite serve` against hostile clients: slow request heads (slowloris),
//! foreign `Host` headers (DNS rebinding), a flood of event streams,
//! symlinks leading out of the site or the output, redirects that must keep
//! the query.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::harness::SiteTest;
use crate::serve::{Server, status_code};

/// The whole request head must arrive within this (README, "Editing with
/// live preview").
const HEAD_DEADLINE: Duration = Duration::from_secs(10);
/// Connections one client address may have waiting on it, heads still
/// arriving among them (README).
const WAITING_PER_CLIENT: usize = 128;
/// Event-stream clients served at once (README).
const EVENT_CLIENTS: usize = 64;

fn started(site: &SiteTest) -> Server {
    let server = Server::start(site);
    server.wait_for("the first build", |s| s.get("/").0 == 200);
    server
}

/// True when the server has closed `s` (end of stream or reset), false
/// while it is still open and silent.
fn is_closed(mut s: &TcpStream) -> bool {
    s.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return false,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return true,
        }
    }
}

/// GET `path` on a new connection; the status and how long the answer took.
fn timed_get(server: &Server, path: &str) -> (u16, Duration) {
    let start = Instant::now();
    let (code, _, _) = server.get(path);
    (code, start.elapsed())
}

#[test]
fn serve_answers_at_once_while_200_slow_clients_trickle_their_heads() {
    let site = SiteTest::fixture("xref");
    let server = started(&site);
    let opened = Instant::now();
    let slow: Vec<TcpStream> = (0..200)
        .map(|_| {
            let mut s = TcpStream::connect(&server.addr).unwrap();
            write!(s, "GET / HTTP/1.1\r\nHost: {}\r\nX-Slow: ", server.addr).unwrap();
            s
        })
        .collect();
    // One more byte of the head every second, on every socket: a read
    // timeout that restarts with each byte never fires.
    let stop = Arc::new(AtomicBool::new(false));
    let feeder = {
        let mut clones: Vec<TcpStream> = slow.iter().map(|s| s.try_clone().unwrap()).collect();
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                for s in &mut clones {
                    let _ = s.write_all(b"x");
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(1500));

    let mut times = Vec::new();
    for path in ["/", "/hoi-dap/cau-1/", "/__nqsite/status"].repeat(10) {
        let (code, took) = timed_get(&server, path);
        assert_eq!(code, 200, "{path}");
        times.push(took);
    }
    times.sort();
    let worst = *times.last().unwrap();
    eprintln!(
        "with 200 slow clients: median {:?}, worst {worst:?} over {} requests",
        times[times.len() / 2],
        times.len()
    );
    assert!(
        worst < HEAD_DEADLINE / 4,
        "a normal request waited {worst:?} behind slow clients"
    );

    // One address holds at most WAITING_PER_CLIENT pending heads: the
    // oldest beyond that were closed at once.
    let early = slow.iter().filter(|s| is_closed(s)).count();
    assert!(
        early >= 200 - WAITING_PER_CLIENT,
        "only {early} of 200 slow heads from one address were closed"
    );

    // The deadline is for the whole head, not for each read.
    let settle = (opened + HEAD_DEADLINE + Duration::from_secs(5)).duration_since(Instant::now());
    std::thread::sleep(settle);
    let open = slow.iter().filter(|s| !is_closed(s)).count();
    stop.store(true, Ordering::Relaxed);
    feeder.join().unwrap();
    assert_eq!(
        open,
        0,
        "slow heads still open {:?} after they began",
        opened.elapsed()
    );
    assert_eq!(server.get("/").0, 200);
}

#[test]
fn serve_answers_only_requests_that_name_the_bound_address() {
    let site = SiteTest::fixture("xref");
    let server = started(&site);
    let port: u16 = server.addr.rsplit(':').next().unwrap().parse().unwrap();
    let ask = |method: &str, path: &str, host_lines: &str| {
        server.request(&format!(
            "{method} {path} HTTP/1.1\r\n{host_lines}Connection: close\r\n\r\n"
        ))
    };
    for host in [
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ] {
        let (code, _, body) = ask("GET", "/hoi-dap/cau-1/", &format!("Host: {host}\r\n"));
        assert_eq!(code, 200, "{host}");
        assert!(body.contains("</html>"), "{host}");
    }
    let (code, head, body) = ask("HEAD", "/", &format!("host:  localhost:{port} \r\n"));
    assert_eq!(code, 200);
    assert!(head.contains("Content-Length: ") && !head.contains("Content-Length: 0\r"));
    assert!(body.is_empty(), "HEAD sends no body");

    // A page of another origin that rebinds its name to 127.0.0.1 sends its
    // own name; so does anything that is not this server's address and port.
    let other = if port == 1 { 2 } else { port - 1 };
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
        format!("192.168.1.5:{port}"),
        format!("localhost:{other}"),
        "localhost".to_string(),
        format!("localhost:{port}@evil.example"),
    ] {
        for path in [
            "/",
            "/hoi-dap/cau-1/",
            "/__nqsite/status",
            "/__nqsite/events",
        ] {
            let (code, _, body) = ask("GET", path, &format!("Host: {host}\r\n"));
            assert_eq!(code, 403, "{host} {path}");
            assert!(body.contains("không được phép"), "{host} {path}: {body}");
            assert!(
                !body.contains("version") && !body.contains("<html"),
                "{host} {path} leaked: {body}"
            );
        }
    }
    for lines in [
        String::new(),
        format!("Host: localhost:{port}\r\nHost: evil.example\r\n"),
    ] {
        let (code, _, body) = ask("GET", "/__nqsite/status", &lines);
        assert_eq!(code, 400, "{lines:?}");
        assert!(!body.contains("version"), "{body}");
    }
}

#[test]
fn serve_bound_to_another_address_answers_that_address_and_localhost() {
    let site = SiteTest::fixture("xref");
    let server = Server::start_with(&site, &["--bind", "127.0.0.2"]);
    assert!(server.addr.starts_with("127.0.0.2:"), "{}", server.addr);
    server.wait_for("the first build", |s| s.get("/").0 == 200);
    let port = server.addr.rsplit(':').next().unwrap();
    for (host, code) in [
        (format!("127.0.0.2:{port}"), 200),
        (format!("localhost:{port}"), 200),
        (format!("evil.example:{port}"), 403),
        (format!("127.0.0.3:{port}"), 403),
    ] {
        let raw = format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        assert_eq!(server.request(&raw).0, code, "{host}");
    }
}

#[test]
fn serve_status_never_shows_lines_of_a_file_outside_the_root() {
    let site = SiteTest::fixture("xref");
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("passwd");
    std::fs::write(
        &secret,
        "root:x:0:0:BI-MAT-1:/root:/bin/bash\nBI-MAT-2\nBI-MAT-3\nBI-MAT-4\n",
    )
    .unwrap();
    let server = started(&site);
    std::os::unix::fs::symlink(&secret, site.root().join("content/hoi-dap/cau-9.md")).unwrap();
    let status = server.wait_error("cau-9.md").to_string();
    assert!(!status.contains("BI-MAT"), "{status}");
    assert!(!server.get("/__nqsite/status").2.contains("BI-MAT"));
}

#[test]
fn serve_redirect_to_the_folder_keeps_the_query() {
    let site = SiteTest::fixture("xref");
    let server = started(&site);
    for (target, location) in [
        (
            "/hoi-dap?q=%C4%91%E1%BA%A3ng",
            "/hoi-dap/?q=%C4%91%E1%BA%A3ng",
        ),
        (
            "/hoi-dap?q=đảng&trang=2",
            "/hoi-dap/?q=%C4%91%E1%BA%A3ng&trang=2",
        ),
        ("/hoi-dap", "/hoi-dap/"),
    ] {
        let (code, head, _) = server.get(target);
        assert_eq!(code, 301, "{target}");
        assert!(
            head.lines().any(|l| l == format!("Location: {location}")),
            "{target}: {head}"
        );
    }
    assert_eq!(server.get("/hoi-dap/?q=%C4%91").0, 200);
}

/// Opens `/__nqsite/events`; returns the status and the reader after the head.
fn open_events(server: &Server) -> (u16, BufReader<TcpStream>) {
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "GET /__nqsite/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
        server.addr
    )
    .unwrap();
    let mut reader = BufReader::new(s);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    (status_code(&head), reader)
}

/// Reads event-stream lines until a `data:` line whose `version` is above `v`.
fn wait_event_after(reader: &mut BufReader<TcpStream>, v: u64) -> bool {
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return false,
            Ok(_) => {}
        }
        let Some(json) = line.strip_prefix("data: ") else {
            continue;
        };
        let msg: serde_json::Value = serde_json::from_str(json).unwrap();
        if msg["version"].as_u64().unwrap_or(0) > v {
            return true;
        }
    }
}

#[test]
fn serve_refuses_event_streams_beyond_the_cap_and_keeps_the_open_ones() {
    let site = SiteTest::fixture("xref");
    let server = started(&site);
    let mut streams: Vec<_> = (0..EVENT_CLIENTS)
        .map(|n| {
            let (code, reader) = open_events(&server);
            assert_eq!(code, 200, "event stream {n}");
            reader
        })
        .collect();
    let (code, _, body) = server.get("/__nqsite/events");
    assert_eq!(code, 503);
    assert!(body.contains("Quá nhiều"), "{body}");

    let v = server.version();
    site.write(
        "content/hoi-dap/cau-2.md",
        "---\ntitle: \"Câu hỏi 2\"\ntype: question\nnumber: 2\n---\nBản sửa.\n",
    );
    assert!(
        wait_event_after(&mut streams[0], v),
        "the first tab was dropped"
    );
    assert!(wait_event_after(streams.last_mut().unwrap(), v));

    // A closed stream frees its place.
    drop(streams.pop());
    server.wait_for("a free event-stream place", |s| open_events(s).0 == 200);
}

#[test]
fn serve_refuses_a_folder_symlinked_outside_the_site() {
    let site = SiteTest::fixture("xref");
    let server = started(&site);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("index.html"), "<p>BI-MAT</p>").unwrap();
    std::os::unix::fs::symlink(outside.path(), server.out.join("ngoai")).unwrap();
    for path in ["/ngoai", "/ngoai/", "/ngoai/index.html", "/ngoai?q=1"] {
        let (code, head, body) = server.get(path);
        assert_eq!(code, 403, "{path}: {head}");
        assert!(!body.contains("BI-MAT"), "{path}");
    }
}

#[test]
fn serve_sends_a_large_file_whole_a_chunk_at_a_time() {
    let site = SiteTest::fixture("xref");
    let server = started(&site);
    let bytes: Vec<u8> = (0..3_000_017u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(server.out.join("lon.bin"), &bytes).unwrap();
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET /lon.bin HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    assert!(head.contains("Content-Length: 3000017\r\n"), "{head}");
    assert!(raw[end..] == bytes[..], "the body is the file");
    let (code, head, body) = server.request(&format!(
        "HEAD /lon.bin HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.addr
    ));
    assert_eq!(code, 200);
    assert!(head.contains("Content-Length: 3000017") && body.is_empty());
}
