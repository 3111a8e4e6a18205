//! The `nqsite` binary: parse the command line, run the library, print the
//! outcome once, exit with 0 (success) or 1 (any error).

mod alloc;
mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nqsite::{BuildOptions, BuildReport};

use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(_) => alloc::for_serve(),
        _ => alloc::for_builds(),
    }
    let (opts, timings) = match cli.command {
        Command::Build(a) => (
            BuildOptions {
                root: a.site.root,
                output: a.output,
                base_url: a.base_url,
                check_only: false,
                profile: a.site.profile,
                portable: a.portable || a.zip.is_some(),
                zip: a.zip,
                editor_guide: a.editor_guide,
                pdf: a.pdf,
                force: a.force,
                no_wait: a.no_wait,
            },
            a.timings,
        ),
        Command::Check(a) => (
            BuildOptions {
                root: a.site.root,
                check_only: true,
                profile: a.site.profile,
                ..Default::default()
            },
            a.timings,
        ),
        Command::Serve(a) => return serve(a, cli.quiet),
        Command::New(a) => return new(a),
    };
    let started = Instant::now();
    let bar = Progress::new(cli.quiet);
    let result = nqsite::build(&opts, &|done, total| bar.update(done, total, started));
    bar.finish();
    match result {
        Ok(report) => {
            for w in &report.warnings {
                eprintln!("{w}");
            }
            if !cli.quiet {
                print_summary(&report, started.elapsed(), timings);
            }
            ExitCode::SUCCESS
        }
        Err(failure) => {
            for e in &failure.errors {
                eprintln!("{e}");
            }
            let n = failure.errors.iter().filter(|e| e.is_error()).count();
            if failure.site_replaced {
                eprintln!(
                    "Dựng trang thất bại: {n} lỗi. Trang web mới đã được ghi vào thư mục kết quả, \
                     nhưng bước sau đó không xong (xem lỗi ở trên)."
                );
            } else {
                eprintln!("Dựng trang thất bại: {n} lỗi. Thư mục kết quả cũ được giữ nguyên.");
            }
            ExitCode::FAILURE
        }
    }
}

fn serve(a: cli::ServeArgs, quiet: bool) -> ExitCode {
    let opts = nqsite::serve::ServeOptions {
        build: BuildOptions {
            root: a.site.root,
            output: a.output,
            base_url: a.base_url,
            profile: a.site.profile,
            editor_guide: true,
            force: a.force,
            ..Default::default()
        },
        bind: a.bind,
        port: a.port,
        open: a.open,
        quiet,
    };
    match nqsite::serve::run(opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("lỗi: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn new(a: cli::NewArgs) -> ExitCode {
    use nqsite::scaffold;
    let result = match a.kind.as_deref() {
        _ if a.list => list_types(&a.root),
        None => list_types(&a.root).and(Err(vec![
            nqsite::diag::Diagnostic::error("nqsite new", 0, 0, "thiếu loại tài liệu cần tạo")
                .hint("ví dụ: `nqsite new question Câu hỏi mới?`; các loại tạo được ở trên"),
        ])),
        Some(scaffold::SITE) => new_site(&a.title),
        Some(kind) => scaffold::create(&a.root, kind, &a.title, a.dir.as_deref()).map(|c| {
            for s in &c.sections {
                eprintln!("đã tạo mục mới: {}", s.display());
            }
            for n in &c.notes {
                eprintln!("cần làm tiếp: {n}");
            }
            println!("{}", c.document.display());
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            ExitCode::FAILURE
        }
    }
}

fn list_types(root: &std::path::Path) -> Result<(), Vec<nqsite::diag::Diagnostic>> {
    let types = nqsite::scaffold::declared_types(root)?;
    let width = types.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    println!("Các loại tài liệu tạo được bằng `nqsite new <loại> [tiêu đề…]`:");
    for (name, label) in types {
        println!("  {name:<width$}  {label}");
    }
    println!("Bắt đầu một trang mới: `nqsite new site THƯ_MỤC`.");
    Ok(())
}

fn new_site(args: &[String]) -> Result<(), Vec<nqsite::diag::Diagnostic>> {
    let [dir] = args else {
        return Err(vec![
            nqsite::diag::Diagnostic::error(
                "nqsite new site",
                0,
                0,
                "cần đúng một thư mục cho trang mới",
            )
            .hint("ví dụ: `nqsite new site nghi-quyet-moi`"),
        ]);
    };
    let dir = std::path::Path::new(dir);
    let files = nqsite::scaffold::create_site(dir).map_err(|d| vec![d])?;
    println!("{}", dir.display());
    eprintln!(
        "Đã tạo trang mới ({} tệp) trong `{}`. Đọc `{}` để biết việc cần làm tiếp; xem trang: nqsite serve --root {} --open",
        files.len(),
        dir.display(),
        dir.join("README.md").display(),
        dir.display()
    );
    Ok(())
}

fn print_summary(report: &BuildReport, elapsed: Duration, timings: bool) {
    if timings {
        for stage in &report.timings {
            let peak = stage
                .peak_kib
                .map(|k| format!("   đỉnh bộ nhớ {:>6} MiB", k / 1024))
                .unwrap_or_default();
            eprintln!(
                "  {:<16} {:>8.1} ms{peak}",
                stage.name,
                stage.time.as_secs_f64() * 1000.0
            );
        }
    }
    let target = match &report.output {
        Some(p) => format!(" → {}", p.display()),
        None => " (kiểm tra, không ghi tệp)".into(),
    };
    let carried = match report.carried {
        0 => String::new(),
        n => format!(" ({n} trang không đổi, lấy lại từ lần dựng trước)"),
    };
    eprintln!(
        "Xong: {} trang, {} mục, {} cảnh báo trong {} ms{target}{carried}",
        report.pages,
        report.sections,
        report.warnings.iter().filter(|w| w.is_warning()).count(),
        elapsed.as_millis()
    );
}

/// A progress bar that appears only on a terminal, and only once a build has
/// run for more than a second.
struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    fn new(quiet: bool) -> Progress {
        let tty = std::io::stderr().is_terminal();
        let bar = (!quiet && tty).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} trang") {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar }
    }

    fn update(&self, done: usize, total: usize, started: Instant) {
        let Some(bar) = &self.bar else { return };
        if bar.is_hidden() && started.elapsed() > Duration::from_secs(1) {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
