//! The dev server's HTTP side, on `std::net` with a bounded pool of worker
//! threads: serves files of the output folder only (no traversal, no symlinks
//! out), injects the live-reload script into HTML, and answers the
//! `/__nqsite/` endpoints (script, overlay stylesheet, build status, events).
//!
//! Every response closes its connection, so a worker is never held by an idle
//! keep-alive client; Server-Sent Events streams are handed to the
//! [`Events`] broadcaster and free their worker at once.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Worker threads answering requests.
const WORKERS: usize = 32;
/// Accepted connections waiting for a worker.
const QUEUE: usize = 512;
/// Longest request head read.
const MAX_HEAD: u64 = 16 * 1024;
/// Most event-stream clients kept (the oldest is dropped beyond).
const MAX_EVENT_CLIENTS: usize = 64;

/// The script injected into every HTML page served.
pub const RELOAD_JS: &str = include_str!("reload.js");
/// The overlay's stylesheet (loaded by the script, so a CSP still holds).
pub const OVERLAY_CSS: &str = include_str!("overlay.css");
/// What is injected before `</head>`.
const INJECT: &str = "<script src=\"/__nqsite/reload.js\" defer></script>";

/// What the server shares with the rebuild loop.
pub struct Shared {
    /// The output folder served.
    pub site: PathBuf,
    /// The last build's status, as JSON (`/__nqsite/status`).
    pub status: Mutex<String>,
    /// Connected event-stream clients.
    pub events: Events,
}

/// Server-Sent Events clients; a message is written to each of them.
#[derive(Default)]
pub struct Events {
    clients: Mutex<Vec<TcpStream>>,
}

impl Events {
    fn add(&self, stream: TcpStream) {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if clients.len() >= MAX_EVENT_CLIENTS {
            clients.remove(0);
        }
        clients.push(stream);
    }

    /// Sends `data` (one line of JSON) to every client; drops the dead ones.
    pub fn send(&self, data: &str) {
        self.write_all(format!("data: {data}\n\n").as_bytes());
    }

    /// A comment line that keeps connections open and finds closed ones.
    pub fn ping(&self) {
        self.write_all(b": ping\n\n");
    }

    fn write_all(&self, bytes: &[u8]) {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients.retain_mut(|c| c.write_all(bytes).and_then(|()| c.flush()).is_ok());
    }
}

/// Starts the accept thread and the workers.
pub fn start(listener: TcpListener, shared: Arc<Shared>) {
    let (tx, rx) = sync_channel::<TcpStream>(QUEUE);
    let rx = Arc::new(Mutex::new(rx));
    for _ in 0..WORKERS {
        let rx = Arc::clone(&rx);
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || worker(&rx, &shared));
    }
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            if tx.send(stream).is_err() {
                break;
            }
        }
    });
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(15));
            shared.events.ping();
        }
    });
}

fn worker(rx: &Mutex<Receiver<TcpStream>>, shared: &Shared) {
    loop {
        let next = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(stream) = next else { return };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
        handle(stream, shared);
    }
}

/// A response about to be sent.
struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    location: Option<String>,
}

impl Response {
    fn text(status: u16, body: &str) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.as_bytes().to_vec(),
            location: None,
        }
    }
}

fn handle(mut stream: TcpStream, shared: &Shared) {
    let Some((method, target)) = read_head(&stream) else {
        let _ = send(&mut stream, &Response::text(400, "bad request"), false);
        return;
    };
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        let _ = send(
            &mut stream,
            &Response::text(405, "method not allowed"),
            false,
        );
        return;
    }
    let path = target.split(['?', '#']).next().unwrap_or("");
    if path == "/__nqsite/events" {
        open_events(stream, shared);
        return;
    }
    let response = respond(path, shared);
    let _ = send(&mut stream, &response, head_only);
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

/// Reads the request line and headers; returns (method, target).
fn read_head(stream: &TcpStream) -> Option<(String, String)> {
    let mut reader = BufReader::new(stream.take(MAX_HEAD));
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    loop {
        let mut header = String::new();
        let n = reader.read_line(&mut header).ok()?;
        if n == 0 || header == "\r\n" || header == "\n" {
            break;
        }
    }
    Some((method, target))
}

fn open_events(mut stream: TcpStream, shared: &Shared) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n\
                Cache-Control: no-store\r\nConnection: keep-alive\r\n\r\nretry: 1000\n\n";
    if stream.write_all(head.as_bytes()).is_ok() {
        let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
        shared.events.add(stream);
    }
}

fn respond(path: &str, shared: &Shared) -> Response {
    match path {
        "/__nqsite/reload.js" => Response {
            content_type: "text/javascript; charset=utf-8",
            ..Response::text(200, RELOAD_JS)
        },
        "/__nqsite/overlay.css" => Response {
            content_type: "text/css; charset=utf-8",
            ..Response::text(200, OVERLAY_CSS)
        },
        "/__nqsite/status" => {
            let status = shared.status.lock().map(|s| s.clone()).unwrap_or_default();
            Response {
                content_type: "application/json; charset=utf-8",
                ..Response::text(200, &status)
            }
        }
        _ => serve_file(path, &shared.site),
    }
}

/// Why a request path was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Traversal, encoded separators, NUL, absolute paths: 403.
    Forbidden,
    /// Hidden files and other names never served: 404.
    NotFound,
}

/// Turns a request path into the segments of a file inside the site folder.
pub fn safe_segments(raw: &str) -> Result<Vec<String>, Refusal> {
    let lower = raw.to_ascii_lowercase();
    if !raw.starts_with('/')
        || raw.starts_with("//")
        || raw.contains('\\')
        || lower.contains("%2f")
        || lower.contains("%5c")
        || lower.contains("%00")
    {
        return Err(Refusal::Forbidden);
    }
    let decoded = crate::text::percent_decode(raw).ok_or(Refusal::Forbidden)?;
    let text = String::from_utf8(decoded).map_err(|_| Refusal::Forbidden)?;
    if text.contains(['\0', '\\']) || text.contains(':') {
        return Err(Refusal::Forbidden);
    }
    let mut segments = Vec::new();
    for seg in text.split('/').filter(|s| !s.is_empty()) {
        if seg == ".." || seg == "." {
            return Err(Refusal::Forbidden);
        }
        if seg.starts_with('.') {
            return Err(Refusal::NotFound);
        }
        segments.push(seg.to_string());
    }
    Ok(segments)
}

fn serve_file(raw: &str, site: &Path) -> Response {
    let segments = match safe_segments(raw) {
        Ok(s) => s,
        Err(Refusal::Forbidden) => return Response::text(403, "forbidden"),
        Err(Refusal::NotFound) => return not_found(site),
    };
    let mut path = site.to_path_buf();
    path.extend(&segments);
    if path.is_dir() {
        if !raw.ends_with('/') {
            return Response {
                location: Some(format!("{raw}/")),
                ..Response::text(301, "")
            };
        }
        path.push("index.html");
    }
    match read_inside(&path, site) {
        Some(Ok(bytes)) => file_response(&path, bytes),
        Some(Err(())) => Response::text(403, "forbidden"),
        None => not_found(site),
    }
}

/// Reads `path` if it really lies inside `site` (symlinks resolved);
/// `Some(Err)` when it points outside, `None` when there is no such file.
fn read_inside(path: &Path, site: &Path) -> Option<Result<Vec<u8>, ()>> {
    let real = path.canonicalize().ok()?;
    let root = site.canonicalize().ok()?;
    if !real.starts_with(&root) {
        return Some(Err(()));
    }
    if !real.is_file() {
        return None;
    }
    std::fs::read(&real).ok().map(Ok)
}

fn not_found(site: &Path) -> Response {
    let page = site.join("404.html");
    let body = match read_inside(&page, site) {
        Some(Ok(bytes)) => inject(bytes),
        _ => inject(PLACEHOLDER.as_bytes().to_vec()),
    };
    Response {
        status: 404,
        content_type: "text/html; charset=utf-8",
        body,
        location: None,
    }
}

/// Shown before the first good build, so the overlay has a page to sit on.
const PLACEHOLDER: &str = "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
<title>nqsite</title></head><body><h1>Không tìm thấy trang</h1>\
<p>Trang này không có, hoặc trang web chưa dựng được lần nào.</p></body></html>";

fn file_response(path: &Path, bytes: Vec<u8>) -> Response {
    let content_type = content_type(path);
    let body = if content_type.starts_with("text/html") {
        inject(bytes)
    } else {
        bytes
    };
    Response {
        status: 200,
        content_type,
        body,
        location: None,
    }
}

/// Adds the reload script before `</head>` (or at the end).
fn inject(mut html: Vec<u8>) -> Vec<u8> {
    let needle = b"</head>";
    match html.windows(needle.len()).position(|w| w == needle) {
        Some(pos) => {
            html.splice(pos..pos, INJECT.bytes());
        }
        None => html.extend_from_slice(INJECT.as_bytes()),
    }
    html
}

/// The content type of a file, by extension (UTF-8 for text).
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json; charset=utf-8",
        "webmanifest" => "application/manifest+json; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

fn send(stream: &mut TcpStream, r: &Response, head_only: bool) -> std::io::Result<()> {
    let reason = match r.status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Error",
    };
    let mut head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
        r.status,
        r.content_type,
        r.body.len()
    );
    if let Some(loc) = &r.location {
        head.push_str(&format!("Location: {loc}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&r.body)?;
    }
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_traversal_and_encoded_separators() {
        for bad in [
            "/../etc/passwd",
            "/a/%2e%2e/%2e%2e/x",
            "/%2E%2E/x",
            "/a%2fb",
            "/a%5cb",
            "//etc/passwd",
            "/a\\b",
            "/C:/x",
            "/a%00b",
            "etc/passwd",
        ] {
            assert_eq!(safe_segments(bad), Err(Refusal::Forbidden), "{bad}");
        }
        assert_eq!(safe_segments("/.git/config"), Err(Refusal::NotFound));
    }

    #[test]
    fn decodes_vietnamese_paths() {
        assert_eq!(
            safe_segments("/c%C3%A2u/index.html").unwrap(),
            ["câu", "index.html"]
        );
        assert_eq!(safe_segments("/").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn injects_before_head_end() {
        let out = inject(b"<html><head></head><body></body></html>".to_vec());
        assert!(
            String::from_utf8(out)
                .unwrap()
                .contains("reload.js\" defer></script></head>")
        );
    }
}
