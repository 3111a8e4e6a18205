//! Faults: a build killed at any moment, a full disk or a read-only output
//! leaves either the complete previous site or the complete new one, and
//! the next build succeeds and cleans up. Builds are deterministic across
//! thread counts and file creation orders.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::harness::{nqsite, shipped_copy, snapshot};

/// A generated site of `n` pages in sections of 100, with links between them.
fn generated_site(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    for s in 0..n.div_ceil(100) {
        let sec = content.join(format!("muc-{s:03}"));
        std::fs::create_dir_all(&sec).unwrap();
        std::fs::write(
            sec.join("_index.md"),
            format!("---\ntitle: \"Mục {s}\"\nweight: {s}\n---\n"),
        )
        .unwrap();
    }
    for i in 0..n {
        let body = "Phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia. "
            .repeat(40);
        let next = (i + 1) % n;
        let text = format!(
            "---\ntitle: \"Trang số {i}\"\nweight: {i}\ndate: 2025-01-{:02}\n---\n\n## Phần một\n\n{body}\n\nXem [trang sau](../muc-{:03}/trang-{next}.md#phan-mot).\n",
            i % 28 + 1,
            next / 100
        );
        std::fs::write(
            content.join(format!("muc-{:03}/trang-{i}.md", i / 100)),
            text,
        )
        .unwrap();
    }
    dir
}

fn build(root: &Path, out: &Path) {
    let o = nqsite()
        .args(["build", "-q", "--root"])
        .arg(root)
        .arg("--output")
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Deterministic pseudo-random delays (xorshift), so a failure can be replayed.
struct Delays(u64);

impl Delays {
    fn next_ms(&mut self, max: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % max
    }
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        // The spare is the replaced output, kept for the next build to recycle.
        .filter(|n| n.contains(".nqsite-") && !n.ends_with(".nqsite-spare"))
        .collect()
}

/// Kills builds at pseudo-random moments; after each kill the output is
/// exactly the site it held before or exactly the one being built. The
/// content flips between two versions (`edit(root, true)` / `false`) so that
/// every build has a different previous site to keep.
fn kill_many_times(root: &Path, edit: impl Fn(&Path, bool), runs: usize) {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("public");
    edit(root, false);
    build(root, &out);
    let first = snapshot(&out);
    edit(root, true);
    let fresh = work.path().join("fresh");
    let timer = std::time::Instant::now();
    build(root, &fresh);
    // Kills fall anywhere from the start to twice the time of a whole build.
    let mut max_delay_ms = (timer.elapsed().as_millis() as u64 * 2).max(50);
    let second = snapshot(&fresh);
    assert!(first != second, "the edit must change the output");
    let versions = [first, second];
    let mut current = 0;
    let mut delays = Delays(0x9e37_79b9_7f4a_7c15);
    let (mut kept, mut replaced) = (0, 0);
    // A loaded machine makes builds slower or faster than the timed one:
    // past `runs`, the delays widen (or narrow) until kills have landed
    // both before and after the swap.
    let mut run = 0;
    while run < runs || ((kept == 0 || replaced == 0) && run < runs * 4) {
        if run >= runs {
            max_delay_ms = if replaced == 0 {
                max_delay_ms * 2
            } else {
                (max_delay_ms / 2).max(10)
            };
        }
        run += 1;
        let target = 1 - current;
        edit(root, target == 1);
        let mut child = nqsite()
            .args(["build", "-q", "--root"])
            .arg(root)
            .arg("--output")
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delays.next_ms(max_delay_ms)));
        let _ = child.kill();
        let _ = child.wait();
        let now = snapshot(&out);
        if now == versions[current] {
            kept += 1;
        } else if now == versions[target] {
            replaced += 1;
            current = target;
        } else {
            panic!("run {run}: the output is neither the previous site nor the new one");
        }
    }
    edit(root, true);
    build(root, &out);
    assert!(
        snapshot(&out) == versions[1],
        "the build after the kills gives the new site"
    );
    assert!(
        leftovers(work.path()).is_empty(),
        "{:?}",
        leftovers(work.path())
    );
    assert!(
        kept > 0 && replaced > 0,
        "kills should land both before and after the swap ({kept} kept, {replaced} replaced)"
    );
}

#[test]
fn killed_builds_of_the_shipped_site_leave_a_complete_site() {
    let site = shipped_copy();
    let q = site.path().join("content/hoi-dap/phan-2/cau-15.md");
    let original = std::fs::read_to_string(&q).unwrap();
    let edit = |_: &Path, edited: bool| {
        let text = if edited {
            format!("{original}\nĐoạn thêm để thử.\n")
        } else {
            original.clone()
        };
        std::fs::write(&q, text).unwrap();
    };
    kill_many_times(site.path(), edit, 40);
}

#[test]
fn killed_builds_of_a_1000_page_site_leave_a_complete_site() {
    let site = generated_site(1000);
    let edit = |root: &Path, edited: bool| {
        let title = if edited { "Đã sửa" } else { "Bản đầu" };
        let text = format!("---\ntitle: \"{title}\"\n---\n\n## Phần một\n\nMới.\n");
        std::fs::write(root.join("content/muc-000/trang-0.md"), text).unwrap();
    };
    kill_many_times(site.path(), edit, 15);
}

/// Runs a shell script in a private mount namespace (works as root and, where
/// user namespaces are allowed, as a normal user).
fn in_mount_namespace(script: &str) -> std::process::Output {
    Command::new("unshare")
        .args(["-rm", "sh", "-euc", script])
        .output()
        .expect("unshare (util-linux) is installed")
}

#[test]
fn full_disk_gives_a_clear_error_and_keeps_the_previous_site() {
    let site = shipped_copy();
    let bin = env!("CARGO_BIN_EXE_nqsite");
    let root = site.path().display();
    let mnt: PathBuf = site.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    // An 8 MiB disk: the site (6.3 MB in 4 KiB blocks) fits once, not with
    // a 5 MB page added.
    let script = format!(
        "mount -t tmpfs -o size=8m tmpfs {mnt}
         {bin} build -q --root {root} --output {mnt}/public
         find {mnt}/public -type f | sort | xargs md5sum > {root}/before.txt
         head -c 5000000 /dev/urandom | base64 > {root}/big.txt
         (printf -- '---\\ntitle: Lớn\\n---\\n'; cat {root}/big.txt) > {root}/content/lon.md
         if {bin} build --root {root} --output {mnt}/public 2> {root}/err.txt; then exit 3; fi
         find {mnt}/public -type f | sort | xargs md5sum > {root}/after.txt
         ls -a {mnt} > {root}/listing.txt",
        mnt = mnt.display()
    );
    let o = in_mount_namespace(&script);
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let err = std::fs::read_to_string(site.path().join("err.txt")).unwrap();
    assert!(err.contains("ổ đĩa đã đầy"), "{err}");
    assert!(err.contains("Thư mục kết quả cũ được giữ nguyên"));
    let before = std::fs::read_to_string(site.path().join("before.txt")).unwrap();
    assert_eq!(
        before,
        std::fs::read_to_string(site.path().join("after.txt")).unwrap()
    );
    let listing = std::fs::read_to_string(site.path().join("listing.txt")).unwrap();
    assert!(
        !listing.contains("nqsite-tmp"),
        "staging folder removed: {listing}"
    );
}

#[test]
fn read_only_output_gives_a_clear_error() {
    let site = shipped_copy();
    let bin = env!("CARGO_BIN_EXE_nqsite");
    let root = site.path().display();
    let mnt = site.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let script = format!(
        "mount -t tmpfs -o size=20m tmpfs {mnt}
         {bin} build -q --root {root} --output {mnt}/public
         mount -o remount,ro {mnt}
         if {bin} build --root {root} --output {mnt}/public 2> {root}/err.txt; then exit 3; fi
         test -f {mnt}/public/index.html",
        mnt = mnt.display()
    );
    let o = in_mount_namespace(&script);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = std::fs::read_to_string(site.path().join("err.txt")).unwrap();
    assert!(
        err.contains("chỉ cho phép đọc") || err.contains("không có quyền"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

#[test]
fn builds_are_identical_across_thread_counts_and_file_creation_orders() {
    let a = shipped_copy();
    // Same files created in reverse order.
    let b = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(a.path())
        .into_iter()
        .map(|e| e.unwrap().path().to_path_buf())
        .filter(|p| p.is_file())
        .collect();
    files.reverse();
    for f in files {
        let dest = b.path().join(f.strip_prefix(a.path()).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&f, dest).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let run = |root: &Path, name: &str, threads: &str| {
        let o = nqsite()
            .env("RAYON_NUM_THREADS", threads)
            .args(["build", "-q", "--root"])
            .arg(root)
            .arg("--output")
            .arg(out.path().join(name))
            .output()
            .unwrap();
        assert!(o.status.success());
        snapshot(&out.path().join(name))
    };
    let one = run(a.path(), "a1", "1");
    assert!(
        one == run(a.path(), "a4", "4"),
        "1 thread and 4 threads differ"
    );
    assert!(
        one == run(b.path(), "b2", "2"),
        "file creation order changed the output"
    );
}

#[test]
fn unreadable_content_gives_clear_errors_naming_each_file() {
    use std::os::unix::fs::PermissionsExt;
    let site = shipped_copy();
    let root = site.path();
    let locked_file = root.join("content/hoi-dap/phan-1/cau-01.md");
    let locked_dir = root.join("content/huong-dan");
    std::fs::set_permissions(&locked_file, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(&locked_dir, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Run as an unprivileged user (root would read anything), in a user namespace.
    let o = Command::new("unshare")
        .args(["-U", "--map-user=1000", "--map-group=1000"])
        .arg(env!("CARGO_BIN_EXE_nqsite"))
        .args(["check", "--root"])
        .arg(root)
        .output()
        .expect("unshare (util-linux) is installed");
    std::fs::set_permissions(&locked_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains(
            "content/hoi-dap/phan-1/cau-01.md: lỗi: không thể đọc tệp: không có quyền truy cập"
        ),
        "{err}"
    );
    assert!(
        err.contains("content/huong-dan: lỗi:") && err.contains("không có quyền truy cập"),
        "{err}"
    );
}
