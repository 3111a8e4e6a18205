//! The dev server's HTTP side: parses a request head, answers only requests
//! whose `Host` names this server ([`Hosts`]), serves files of the output
//! folder only (no traversal, no symlinks out), injects the live-reload
//! script into HTML, and answers the `/__nqsite/` endpoints (script, overlay
//! stylesheet, build status). Connections, deadlines and the event stream
//! are [`conn`](super::conn)'s.
//!
//! Every response closes its connection, so an idle keep-alive client never
//! holds anything.

use std::fs::File;
use std::io::Read;
use std::net::{IpAddr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::conn::Events;
use crate::fsutil::{self, Refused};

/// Longest request head (request line and headers).
pub(crate) const MAX_HEAD: usize = 16 * 1024;
/// Files larger than this (HTML aside) are sent a chunk at a time, so slow
/// readers do not hold whole files in memory.
const STREAM_OVER: u64 = 256 * 1024;
/// The event stream's path.
const EVENTS_PATH: &str = "/__nqsite/events";
/// What an event-stream client receives first.
pub(crate) const EVENTS_OPEN: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n\
Cache-Control: no-store\r\nConnection: keep-alive\r\n\r\nretry: 1000\n\n";

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
    /// Messages for the event-stream clients.
    pub events: Events,
    /// The `Host` values answered.
    pub hosts: Hosts,
}

/// The `Host` values the server answers: its own port, under a name of
/// this machine's loopback (`localhost`, `127.0.0.1`, `[::1]`) or the
/// address it was bound to; bound to every interface (`0.0.0.0`, `::`), any
/// IP address. A page of another origin whose name was rebound to this
/// address (DNS rebinding) sends its own name, and is refused.
#[derive(Debug)]
pub struct Hosts {
    port: u16,
    names: Vec<HostName>,
    any_ip: bool,
}

/// A host name as compared: an IP address (whatever its spelling) or a
/// lowercase name.
#[derive(Debug, PartialEq)]
enum HostName {
    Ip(IpAddr),
    Name(String),
}

impl HostName {
    /// `127.0.0.1`, `[::1]` or a name (IPv6 only in brackets, as in a `Host`).
    fn parse(s: &str) -> HostName {
        let ip = match s.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            Some(v6) => v6.parse::<Ipv6Addr>().ok().map(IpAddr::V6),
            None => s.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4),
        };
        ip.map_or_else(|| HostName::Name(s.to_ascii_lowercase()), HostName::Ip)
    }
}

impl Hosts {
    /// The hosts of a server bound to `bind` (as given to `--bind`) on `port`.
    pub fn new(bind: &str, port: u16) -> Hosts {
        let bound = match bind.parse::<IpAddr>() {
            Ok(ip) => HostName::Ip(ip),
            Err(_) => HostName::parse(bind),
        };
        let any_ip = matches!(bound, HostName::Ip(ip) if ip.is_unspecified());
        let names = vec![
            HostName::Name("localhost".into()),
            HostName::Ip(IpAddr::from([127, 0, 0, 1])),
            HostName::Ip(IpAddr::V6(Ipv6Addr::LOCALHOST)),
            bound,
        ];
        Hosts {
            port,
            names,
            any_ip,
        }
    }

    /// True when a `Host` header value names this server (port included;
    /// none means 80).
    pub(crate) fn allows(&self, host: &str) -> bool {
        let Some((name, port)) = split_host(host.trim()) else {
            return false;
        };
        let name = HostName::parse(name);
        port == self.port
            && (self.names.contains(&name) || (self.any_ip && matches!(name, HostName::Ip(_))))
    }
}

/// `name:port`, `[v6]:port` or a bare name (port 80).
fn split_host(host: &str) -> Option<(&str, u16)> {
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => {
            let end = rest.find(']')? + 2;
            let port = &host[end..];
            if !port.is_empty() && !port.starts_with(':') {
                return None;
            }
            (&host[..end], port.strip_prefix(':'))
        }
        None => match host.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        },
    };
    let port = match port {
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok()?,
        Some(_) => return None,
        None => 80,
    };
    (!name.is_empty()).then_some((name, port))
}

/// A request the server answers.
#[derive(Debug)]
pub(crate) struct Request {
    /// `HEAD`: the head of the answer only.
    pub(crate) head_only: bool,
    /// The path, still percent-encoded, as sent.
    pub(crate) path: String,
    /// The query, without its `?` (empty when there is none).
    pub(crate) query: String,
}

impl Request {
    /// True for the event stream (kept open by [`conn`](super::conn)).
    pub(crate) fn is_events(&self) -> bool {
        self.path == EVENTS_PATH
    }
}

/// Where the request head in `buf` ends (after its blank line), once it
/// has arrived whole.
pub(crate) fn head_end(buf: &[u8]) -> Option<usize> {
    let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Reads a whole request head. A refusal is the response to send: 400 for
/// a malformed head or a missing (or repeated) `Host`, 403 for a `Host`
/// that does not name this server, 405 for methods other than GET and HEAD.
pub(crate) fn parse(head: &[u8], hosts: &Hosts) -> Result<Request, Response> {
    let bad = || Response::text(400, "Yêu cầu không hợp lệ.");
    let text = std::str::from_utf8(head).map_err(|_| bad())?;
    let mut lines = text.lines();
    let mut parts = lines.next().unwrap_or("").split_whitespace();
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if !version.starts_with("HTTP/1.") {
        return Err(bad());
    }
    let mut host = None;
    for line in lines.take_while(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').ok_or_else(bad)?;
        if name.is_empty() || name.contains(|c: char| c.is_whitespace()) {
            return Err(bad());
        }
        if name.eq_ignore_ascii_case("host") && host.replace(value).is_some() {
            return Err(bad());
        }
    }
    let Some(host) = host else {
        return Err(bad());
    };
    if !hosts.allows(host) {
        return Err(Response::text(
            403,
            "Truy cập không được phép: máy chủ xem trước chỉ trả lời khi được gọi bằng \
             localhost, 127.0.0.1, [::1] hoặc địa chỉ --bind, đúng cổng của nó.",
        ));
    }
    if method != "GET" && method != "HEAD" {
        return Err(Response::text(405, "Chỉ hỗ trợ GET và HEAD."));
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Ok(Request {
        head_only: method == "HEAD",
        path: path.to_string(),
        query: query.split('#').next().unwrap_or("").to_string(),
    })
}

/// A response about to be sent.
pub(crate) struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    location: Option<String>,
    /// A large file sent after `body`, a chunk at a time, and its length.
    file: Option<(File, u64)>,
}

/// What is written to the client: `bytes`, then the file's, if any.
pub(crate) struct Answer {
    pub(crate) bytes: Vec<u8>,
    pub(crate) file: Option<(File, u64)>,
}

impl Response {
    fn text(status: u16, body: &str) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.as_bytes().to_vec(),
            location: None,
            file: None,
        }
    }

    /// The answer to an event stream asked for beyond the limit.
    pub(crate) fn too_many_events() -> Response {
        Response::text(
            503,
            "Quá nhiều thẻ đang theo dõi thay đổi; hãy đóng bớt các thẻ xem trước rồi tải lại trang.",
        )
    }

    /// Status line, headers and (unless `head_only`) body.
    pub(crate) fn into_answer(self, head_only: bool) -> Answer {
        let reason = match self.status {
            200 => "OK",
            301 => "Moved Permanently",
            400 => "Bad Request",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            431 => "Request Header Fields Too Large",
            503 => "Service Unavailable",
            _ => "Error",
        };
        let length = self.body.len() as u64 + self.file.as_ref().map_or(0, |(_, len)| *len);
        let mut head = format!(
            "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {length}\r\n\
             Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
            self.status, self.content_type,
        );
        if let Some(loc) = &self.location {
            head.push_str(&format!("Location: {loc}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        if head_only {
            return Answer { bytes, file: None };
        }
        bytes.extend_from_slice(&self.body);
        Answer {
            bytes,
            file: self.file,
        }
    }
}

/// The answer to a head longer than [`MAX_HEAD`].
pub(crate) fn head_too_long() -> Response {
    Response::text(431, "Phần đầu yêu cầu quá dài.")
}

/// Answers a request (never the event stream): reads files, so it runs on
/// a worker thread.
pub(crate) fn respond(req: &Request, shared: &Shared) -> Response {
    match req.path.as_str() {
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
        _ => serve_file(req, &shared.site),
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

fn serve_file(req: &Request, site: &Path) -> Response {
    let segments = match safe_segments(&req.path) {
        Ok(s) => s,
        Err(Refusal::Forbidden) => return forbidden(),
        Err(Refusal::NotFound) => return not_found(site),
    };
    let mut path = site.to_path_buf();
    path.extend(&segments);
    let opened = match fsutil::open_inside(site, &path) {
        Err(Refused::Folder) if !req.path.ends_with('/') => {
            return Response {
                location: Some(folder_location(req)),
                ..Response::text(301, "")
            };
        }
        Err(Refused::Folder) => {
            path.push("index.html");
            fsutil::open_inside(site, &path)
        }
        opened => opened,
    };
    let answer = served(opened).and_then(|(file, len)| file_response(&path, file, len));
    match answer {
        Ok(response) => response,
        Err(Refusal::Forbidden) => forbidden(),
        Err(Refusal::NotFound) => not_found(site),
    }
}

fn forbidden() -> Response {
    Response::text(403, "Không được phép truy cập đường dẫn này.")
}

/// The folder's URL (`/a` → `/a/`), query kept; bytes a header may not
/// carry raw (non-ASCII, controls) percent-encoded.
fn folder_location(req: &Request) -> String {
    let mut url = format!("{}/", req.path);
    if !req.query.is_empty() {
        url.push('?');
        url.push_str(&req.query);
    }
    let mut out = String::with_capacity(url.len());
    for b in url.bytes() {
        if b.is_ascii_graphic() {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Opens the file at `path` if it really lies inside `root`
/// ([`fsutil::open_inside`]); its length.
fn open_inside(path: &Path, root: &Path) -> Result<(File, u64), Refusal> {
    served(fsutil::open_inside(root, path))
}

/// What the server makes of an opened file: the file and its length if it
/// is a plain file, else 404; 403 when it lies outside the root.
fn served(opened: Result<(File, std::fs::Metadata), Refused>) -> Result<(File, u64), Refusal> {
    match opened {
        Ok((file, meta)) if meta.is_file() => Ok((file, meta.len())),
        Err(Refused::Outside(_)) => Err(Refusal::Forbidden),
        Ok(_) | Err(Refused::Io(_) | Refused::Folder) => Err(Refusal::NotFound),
    }
}

/// The bytes of the file at `path` if it really lies inside `root`.
pub(crate) fn read_inside(path: &Path, root: &Path) -> Result<Vec<u8>, Refusal> {
    let (file, len) = open_inside(path, root)?;
    read_all(file, len)
}

fn read_all(mut file: File, len: u64) -> Result<Vec<u8>, Refusal> {
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.read_to_end(&mut bytes)
        .map_err(|_| Refusal::NotFound)?;
    Ok(bytes)
}

fn not_found(site: &Path) -> Response {
    let page = site.join("404.html");
    let body = match read_inside(&page, site) {
        Ok(bytes) => inject(bytes),
        Err(_) => inject(PLACEHOLDER.as_bytes().to_vec()),
    };
    Response {
        content_type: "text/html; charset=utf-8",
        body,
        ..Response::text(404, "")
    }
}

/// Shown before the first good build, so the overlay has a page to sit on.
const PLACEHOLDER: &str = "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
<title>nqsite</title></head><body><h1>Không tìm thấy trang</h1>\
<p>Trang này không có, hoặc trang web chưa dựng được lần nào.</p></body></html>";

/// A file's answer: HTML with the reload script, small files whole, large
/// ones left open to be sent a chunk at a time.
fn file_response(path: &Path, file: File, len: u64) -> Result<Response, Refusal> {
    let content_type = content_type(path);
    let html = content_type.starts_with("text/html");
    let (body, file) = if html {
        (inject(read_all(file, len)?), None)
    } else if len <= STREAM_OVER {
        (read_all(file, len)?, None)
    } else {
        (Vec::new(), Some((file, len)))
    };
    Ok(Response {
        status: 200,
        content_type,
        body,
        location: None,
        file,
    })
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
    fn answers_only_hosts_that_name_this_server() {
        let hosts = Hosts::new("127.0.0.1", 1111);
        for ok in [
            "localhost:1111",
            "LOCALHOST:1111",
            "127.0.0.1:1111",
            " 127.0.0.1:1111 ",
            "[::1]:1111",
            "[0:0::1]:1111",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example:1111",
            "localhost:1112",
            "localhost",
            "localhost:",
            "localhost:+1111",
            "localhost:1111:1111",
            "127.0.0.1.nip.io:1111",
            "192.168.1.5:1111",
            "[::1]1111",
            "[::1",
            ":1111",
            "",
        ] {
            assert!(!hosts.allows(bad), "{bad}");
        }
        assert!(Hosts::new("127.0.0.1", 80).allows("localhost"));
        let all = Hosts::new("0.0.0.0", 8080);
        assert!(all.allows("192.168.1.5:8080") && all.allows("[fe80::1]:8080"));
        assert!(!all.allows("may-cua-toi.local:8080") && !all.allows("192.168.1.5:80"));
        let v6 = Hosts::new("::1", 9000);
        assert!(v6.allows("[::1]:9000") && !v6.allows("[::2]:9000"));
        assert!(Hosts::new("May.Local", 9000).allows("may.local:9000"));
    }

    #[test]
    fn parses_request_heads_and_refuses_bad_ones() {
        let hosts = Hosts::new("127.0.0.1", 1111);
        let req = parse(
            b"HEAD /a%20b?q=1#x HTTP/1.1\r\nhost: localhost:1111\r\nX: y\r\n\r\n",
            &hosts,
        )
        .unwrap_or_else(|r| panic!("{}", r.status));
        assert!(req.head_only);
        assert_eq!((req.path.as_str(), req.query.as_str()), ("/a%20b", "q=1"));
        for (head, status) in [
            (&b"GET / HTTP/1.1\r\n\r\n"[..], 400),
            (
                b"GET / HTTP/1.1\r\nHost: localhost:1111\r\nHost: localhost:1111\r\n\r\n",
                400,
            ),
            (b"GET / HTTP/1.1\r\nHost : localhost:1111\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nno colon\r\n\r\n", 400),
            (b"GET /\r\nHost: localhost:1111\r\n\r\n", 400),
            (b"GET / SPDY/3\r\nHost: localhost:1111\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nHost: \xff\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n", 403),
            (b"POST / HTTP/1.1\r\nHost: evil.example\r\n\r\n", 403),
            (b"POST / HTTP/1.1\r\nHost: localhost:1111\r\n\r\n", 405),
        ] {
            let got = parse(head, &hosts).err().map(|r| r.status);
            assert_eq!(got, Some(status), "{}", String::from_utf8_lossy(head));
        }
    }

    #[test]
    fn finds_the_end_of_a_head() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: a\r\n"), None);
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\nrest"), Some(18));
        assert_eq!(head_end(b"GET / HTTP/1.0\n\n"), Some(16));
    }

    #[test]
    fn folder_redirects_keep_the_query_encoded() {
        let req = |path: &str, query: &str| Request {
            head_only: false,
            path: path.into(),
            query: query.into(),
        };
        assert_eq!(folder_location(&req("/tim-kiem", "")), "/tim-kiem/");
        assert_eq!(
            folder_location(&req("/tim-kiem", "q=đảng")),
            "/tim-kiem/?q=%C4%91%E1%BA%A3ng"
        );
        assert_eq!(folder_location(&req("/câu", "a=1")), "/c%C3%A2u/?a=1");
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
