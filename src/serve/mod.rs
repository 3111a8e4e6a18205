//! `nqsite serve`: build, serve the output folder on loopback, watch the
//! site, rebuild incrementally on every change and tell the open browser
//! tabs (live reload; an error overlay while the last build failed).
//!
//! One thread runs the watch-and-rebuild loop; the HTTP server
//! ([`conn`] for the connections, [`http`] for the answers) answers from the
//! output folder on disk, which is only ever changed by atomic renames, so
//! it always serves a whole, good site.

pub mod conn;
pub mod http;
mod scratch;
pub mod watch;

use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::BuildOptions;
use crate::diag::Diagnostic;
use crate::incremental::{Changes, Rebuilt, Session};

/// What `nqsite serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site; `output` defaults to a folder of this process in the system
    /// temp folder (never the publishable `public/`: the preview holds the
    /// editors' guide).
    pub build: BuildOptions,
    /// Address to bind (loopback unless told otherwise).
    pub bind: String,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Open the site in the default browser once built.
    pub open: bool,
    /// Print only errors.
    pub quiet: bool,
}

/// Runs the dev server until the process is stopped. Returns an error
/// message (Vietnamese) only when it cannot start.
pub fn run(opts: ServeOptions) -> Result<(), String> {
    let root = opts.build.root.canonicalize().map_err(|e| {
        format!(
            "không mở được thư mục trang web `{}`: {e}",
            opts.build.root.display()
        )
    })?;
    let output = match &opts.build.output {
        Some(o) => o.clone(),
        None => {
            let o = scratch::default_output(&root);
            scratch::remove_stale(&root);
            scratch::remove_on_exit(o.clone());
            o
        }
    };
    crate::output::Target::new(&root, &output, opts.build.force).map_err(|d| {
        let hint = d
            .hint
            .map(|h| format!("\n  cách sửa: {h}"))
            .unwrap_or_default();
        format!("{}{hint}", d.message)
    })?;
    let listener = TcpListener::bind((opts.bind.as_str(), opts.port))
        .map_err(|e| format!("không mở được cổng {}:{}: {e}", opts.bind, opts.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let build = BuildOptions {
        root: root.clone(),
        output: Some(output.clone()),
        base_url: opts.build.base_url.clone().or_else(|| Some("/".into())),
        ..opts.build.clone()
    };
    let mut session = Session::new(build);
    let shared = Arc::new(http::Shared {
        site: output,
        status: Mutex::new(String::new()),
        events: conn::Events::default(),
        hosts: http::Hosts::new(&opts.bind, addr.port()),
    });
    let mut version = 0;
    // Watching starts before the first build lists the site, so that no
    // change falls between the two (later builds trust the watcher's list).
    let mut watcher = watch::Watcher::new(&root)
        .map_err(|e| format!("không theo dõi được thư mục `{}`: {e}", root.display()))?;
    rebuild(
        &mut session,
        &Changes::default(),
        &shared,
        &mut version,
        &root,
        opts.quiet,
    );
    conn::start(listener, Arc::clone(&shared))
        .map_err(|e| format!("không khởi động được máy chủ xem trước: {e}"))?;
    let url = format!("http://{addr}/");
    println!("Đang phục vụ tại {url} (Ctrl+C để dừng)");
    if opts.open {
        open_browser(&url);
    }
    loop {
        let Some(batch) = watcher.next_batch() else {
            return Ok(());
        };
        watcher.refresh(&batch.changed);
        if let Some(changes) = watch::classify(&root, &batch) {
            rebuild(
                &mut session,
                &changes,
                &shared,
                &mut version,
                &root,
                opts.quiet,
            );
        }
    }
}

fn rebuild(
    session: &mut Session,
    changes: &Changes,
    shared: &http::Shared,
    version: &mut u64,
    root: &Path,
    quiet: bool,
) {
    let status = match session.rebuild(changes) {
        Ok(r) => {
            *version += 1;
            if !quiet {
                report_ok(&r);
            }
            status_json(*version, &r.warnings, changes.css_only, root)
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            let n = errors.iter().filter(|e| e.is_error()).count();
            eprintln!(
                "Dựng lại thất bại: {n} lỗi. Trình duyệt vẫn hiển thị bản dựng tốt gần nhất."
            );
            status_json(*version, &errors, false, root)
        }
    };
    if let Ok(mut s) = shared.status.lock() {
        s.clone_from(&status);
    }
    shared.events.send(&status);
}

fn report_ok(r: &Rebuilt) {
    for w in &r.warnings {
        eprintln!("{w}");
    }
    eprintln!(
        "Đã dựng lại: {} tài liệu, {} trang dựng lại, {} tệp thay đổi, {} tệp xoá trong {:.0} ms",
        r.nodes, r.rendered, r.written, r.removed, r.millis
    );
}

/// The status sent to the browser: `{ok, version, css_only, errors: [...]}`,
/// each error with its location, message, hint and source lines (±2).
pub fn status_json(version: u64, errors: &[Diagnostic], css_only: bool, root: &Path) -> String {
    let errors: Vec<_> = errors
        .iter()
        .map(|d| {
            json!({
                "location": d.location(),
                "file": d.path.to_string_lossy(),
                "line": d.line,
                "column": d.column,
                "severity": if d.is_error() { "error" } else { "warning" },
                "message": d.message,
                "hint": d.hint,
                "source": source_lines(root, d),
            })
        })
        .collect();
    json!({
        "ok": !errors.iter().any(|e| e["severity"] == "error"),
        "version": version,
        "css_only": css_only,
        "errors": errors,
    })
    .to_string()
}

/// The line of a diagnostic and two lines around it, from the source file;
/// none when the file (symlinks resolved) is not inside the site's root.
fn source_lines(root: &Path, d: &Diagnostic) -> Vec<serde_json::Value> {
    if d.line == 0 {
        return Vec::new();
    }
    let Ok(bytes) = crate::fsutil::read_bytes(root, &root.join(&d.path), &d.path) else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&bytes);
    let first = d.line.saturating_sub(2).max(1);
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(n, _)| *n >= first && *n <= d.line + 2)
        .map(|(n, l)| json!({ "line": n, "text": l, "mark": n == d.line }))
        .collect()
}

fn open_browser(url: &str) {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(program)
        .arg(url)
        .spawn()
        .is_err()
    {
        eprintln!("Không mở được trình duyệt; hãy mở {url}");
    }
}
