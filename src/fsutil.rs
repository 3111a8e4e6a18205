//! The only place that touches the filesystem for reading sources: every
//! error names its path, and a file whose real place (symlinks followed) is
//! outside the site root is refused. Text is returned as NFC with `\n` line
//! endings.

use std::ffi::OsString;
use std::hash::Hasher;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use crate::diag::{Diagnostic, line_col};
use crate::text::nfc;

/// Reads a UTF-8 text file of the site at `root`: strips a BOM, turns CRLF
/// into LF, normalises to NFC. `shown` is the path to use in messages.
pub fn read_text(root: &Path, path: &Path, shown: &Path) -> Result<String, Diagnostic> {
    decode_text(read_bytes(root, path, shown)?, shown)
}

/// Reads a file of the site at `root` (content, static files, theme
/// overrides, profiles, logos). A file that is, or lies behind, a symlink
/// leading out of the root is refused: a site copied from elsewhere must not
/// publish `/etc/passwd` through a link. Links that stay inside the root work.
pub fn read_bytes(root: &Path, path: &Path, shown: &Path) -> Result<Vec<u8>, Diagnostic> {
    let mut file = open_source(root, path, shown)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| Diagnostic::io(shown, "đọc tệp", &e))?;
    Ok(bytes)
}

/// Threads that read the site's files at the start of a build: the reads
/// of files not in the page cache wait on the disk, and with one read in
/// flight per core the disk is idle between them. Measured on the project's
/// 2-core machine (`nqsite check --timings`, page cache dropped before each,
/// two runs each): at 10,000 pages the load stage took 1.3–1.4 s on the two
/// render threads and 0.75–1.0 s on 8 (0.9–1.0 s on 4, 0.7–0.8 s on 16); at
/// 100,000 pages, 13.3–13.9 s and 6.6–7.6 s. With the files cached (10,000
/// pages, three runs each): 0.26–0.28 s on two threads, 0.26–0.33 s on 8.
const READ_THREADS: usize = 8;

/// The stack of a reading thread: as a program's main thread (the front
/// matter's YAML parser recurses, to at most 128 levels).
const READ_STACK: usize = 8 << 20;

/// Runs `f` (which reads many files in parallel) on [`READ_THREADS`]
/// threads; on the calling thread's pool if they cannot be made.
pub(crate) fn on_read_threads<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    crate::on_pool(&POOL, "nqsite-read", f, |b| {
        b.num_threads(READ_THREADS).stack_size(READ_STACK)
    })
}

/// Checks that `path` is a file [`read_bytes`] would read.
pub fn check_inside(root: &Path, path: &Path, shown: &Path) -> Result<(), Diagnostic> {
    open_source(root, path, shown).map(drop)
}

/// Why a file of the site was not opened ([`open_inside`]).
#[derive(Debug)]
pub(crate) enum Refused {
    /// It could not be opened (missing, unreadable).
    Io(std::io::Error),
    /// Its real place (symlinks followed) is outside the root.
    Outside(PathBuf),
    /// It is a folder.
    Folder,
}

/// Opens the file at `path` if it really lies inside `root`: the one check
/// for everything nqsite reads of a site (sources, and what `nqsite serve`
/// serves). What is checked is the file the kernel opened, so a link
/// swapped between a check and the read cannot lead outside. The file's
/// metadata comes with it (its length, whether it is a plain file).
pub(crate) fn open_inside(
    root: &Path,
    path: &Path,
) -> Result<(std::fs::File, std::fs::Metadata), Refused> {
    let file = std::fs::File::open(path).map_err(Refused::Io)?;
    let real = opened_path(&file, path).map_err(Refused::Io)?;
    if !is_inside(root, &real) {
        return Err(Refused::Outside(real));
    }
    let meta = file.metadata().map_err(Refused::Io)?;
    if meta.is_dir() {
        return Err(Refused::Folder);
    }
    Ok((file, meta))
}

/// Opens a source file of the site; what is refused is told to the editor.
fn open_source(root: &Path, path: &Path, shown: &Path) -> Result<std::fs::File, Diagnostic> {
    let opened = open_inside(root, path).map(|(file, _)| file);
    opened.map_err(|refused| match refused {
        Refused::Io(e) => Diagnostic::io(shown, "đọc tệp", &e),
        Refused::Outside(real) => outside_root(shown, &real),
        Refused::Folder => Diagnostic::error(
            shown,
            0,
            0,
            format!("`{}` là một thư mục, không phải một tệp", shown.display()),
        )
        .hint(format!(
            "ở chỗ này nqsite cần một tệp: đổi tên hoặc chuyển thư mục `{}` đi, rồi tạo tệp cùng tên",
            shown.display()
        )),
    })
}

/// The real path of an open file: what the kernel opened, so a link swapped
/// between the check and the read cannot fool it (Linux); elsewhere the
/// canonical form of `path`.
fn opened_path(file: &std::fs::File, path: &Path) -> std::io::Result<PathBuf> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        if let Ok(p) = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())) {
            return Ok(p);
        }
    }
    let _ = file;
    path.canonicalize()
}

/// True when `real` (a canonical path) lies inside `root`.
fn is_inside(root: &Path, real: &Path) -> bool {
    (root.is_absolute() && real.starts_with(root))
        || root.canonicalize().is_ok_and(|r| real.starts_with(r))
}

fn outside_root(shown: &Path, real: &Path) -> Diagnostic {
    Diagnostic::error(
        shown,
        0,
        0,
        format!(
            "`{}` là (hoặc nằm sau) một liên kết tượng trưng trỏ ra ngoài thư mục trang web, tới `{}`: \
             nqsite không đọc tệp ở ngoài thư mục trang web",
            shown.display(),
            real.display()
        ),
    )
    .hint(
        "chép tệp vào trong thư mục trang web thay cho liên kết tượng trưng, \
         hoặc cho liên kết trỏ tới một tệp ở bên trong",
    )
}

/// The absolute, symlink-free form of `path`, like `realpath`, except that
/// the end of the path need not exist yet (an output folder about to be
/// made): existing parts are resolved, links included (even one whose target
/// is missing), the rest is taken as written, `..` removing the part before.
pub fn real_path(path: &Path) -> std::io::Result<PathBuf> {
    let start = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    // Parts still to walk, in reverse order so `pop` gives the next one.
    let mut todo: Vec<OsString> = Vec::new();
    push_parts(&mut todo, &start);
    let mut real = PathBuf::from("/");
    let mut links = 0;
    while let Some(part) = todo.pop() {
        if part == ".." {
            real.pop();
            continue;
        }
        let next = real.join(&part);
        match std::fs::symlink_metadata(&next) {
            Ok(m) if m.file_type().is_symlink() => {
                links += 1;
                if links > 40 {
                    return Err(std::io::Error::from_raw_os_error(libc::ELOOP));
                }
                let target = std::fs::read_link(&next)?;
                if target.is_absolute() {
                    real = PathBuf::from("/");
                }
                push_parts(&mut todo, &target);
            }
            _ => real = next,
        }
    }
    Ok(real)
}

/// Pushes the parts of `path` onto `todo` (reversed), `.` dropped.
fn push_parts(todo: &mut Vec<OsString>, path: &Path) {
    let parts: Vec<OsString> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => None,
        })
        .collect();
    todo.extend(parts.into_iter().rev());
}

/// Decodes bytes read from `shown` as UTF-8 text (see [`read_text`]).
pub fn decode_text(bytes: Vec<u8>, shown: &Path) -> Result<String, Diagnostic> {
    let text = match utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let valid = String::from_utf8_lossy(&bytes[..offset]);
            let (line, col) = line_col(&valid, valid.len());
            return Err(Diagnostic::error(
                shown,
                line,
                col,
                format!("tệp không phải văn bản UTF-8 hợp lệ: byte không hợp lệ ở vị trí {offset}"),
            )
            .hint(
                "lưu lại tệp với bảng mã UTF-8 (trong trình soạn thảo: Save with Encoding → UTF-8); \
                 văn bản gõ bằng TCVN3 hoặc VNI cần chuyển sang Unicode trước",
            ));
        }
    };
    let mut text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    if text.contains('\r') {
        text = text.replace("\r\n", "\n").replace('\r', "\n");
    }
    // Copied only when it changes (most files are NFC already).
    Ok(match nfc(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(normalised) => normalised,
    })
}

/// `bytes` as a `String` if they are UTF-8. Checked with SIMD first: a
/// build checks every source twice (read, then read again for its page),
/// and std's check leaves its ASCII fast path at every accented letter of
/// Vietnamese text (3.6% of a 10,000-page build's `perf` samples). Only
/// a file that fails is checked again by std, for its error's position.
fn utf8(bytes: Vec<u8>) -> Result<String, std::string::FromUtf8Error> {
    if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: simdutf8 has just checked that `bytes` is UTF-8.
        return Ok(unsafe { String::from_utf8_unchecked(bytes) });
    }
    String::from_utf8(bytes)
}

/// A fast, stable 64-bit hash of bytes (not cryptographic): fingerprints
/// for change detection and the content hash in asset names. Reads eight
/// bytes at a step (a large site hashes tens of megabytes per build), and
/// its values never depend on the platform or the compiler version, so
/// output names stay the same from one build to the next.
pub fn hash64(bytes: &[u8]) -> u64 {
    const M: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = 0x243f_6a88_85a3_08d3 ^ (bytes.len() as u64).wrapping_mul(M);
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        h = (h ^ u64::from_le_bytes(b)).wrapping_mul(M);
        h ^= h >> 32;
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut b = [0u8; 8];
        b[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(b)).wrapping_mul(M);
    }
    // Final avalanche (MurmurHash3's fmix64).
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// A [`fingerprint`] of a JSON value, hashed as it is held (writing its
/// text out with escapes into the hasher cost ten times as much).
pub fn value_fingerprint(v: &serde_json::Value) -> u64 {
    let mut h = fingerprint_hasher();
    hash_json(v, &mut h);
    h.finish()
}

fn hash_json<H: Hasher>(v: &serde_json::Value, h: &mut H) {
    use serde_json::Value;
    use std::hash::Hash;
    std::mem::discriminant(v).hash(h);
    match v {
        Value::Null => {}
        Value::Bool(b) => b.hash(h),
        Value::Number(n) => n.hash(h),
        Value::String(s) => s.hash(h),
        Value::Array(items) => {
            h.write_usize(items.len());
            items.iter().for_each(|i| hash_json(i, h));
        }
        Value::Object(map) => {
            h.write_usize(map.len());
            for (k, v) in map {
                k.hash(h);
                hash_json(v, h);
            }
        }
    }
}

/// Hashes a YAML value exactly, into `h`: `serde_yaml`'s own `Hash` gives
/// every float the same hash (a changed figure must change a fingerprint)
/// and ignores the order of a mapping's keys.
pub fn hash_yaml<H: Hasher>(v: &serde_yaml::Value, h: &mut H) {
    use serde_yaml::Value;
    use std::hash::Hash;
    std::mem::discriminant(v).hash(h);
    match v {
        Value::Null => {}
        Value::Bool(b) => b.hash(h),
        Value::Number(n) => (n.as_u64(), n.as_i64(), n.as_f64().map(f64::to_bits)).hash(h),
        Value::String(s) => s.hash(h),
        Value::Sequence(items) => {
            h.write_usize(items.len());
            items.iter().for_each(|i| hash_yaml(i, h));
        }
        Value::Mapping(map) => hash_mapping(map, h),
        Value::Tagged(t) => {
            t.tag.hash(h);
            hash_yaml(&t.value, h);
        }
    }
}

/// [`hash_yaml`] of a mapping, its entries in order.
pub fn hash_mapping<H: Hasher>(map: &serde_yaml::Mapping, h: &mut H) {
    h.write_usize(map.len());
    for (k, v) in map {
        hash_yaml(k, h);
        hash_yaml(v, h);
    }
}

/// A fingerprint of a value, for change detection within one process
/// (`nqsite serve` compares two builds): cheaper than hashing its text,
/// but unlike [`hash64`] not promised to stay the same across versions.
/// (foldhash, with a fixed seed: fast on the many short writes a value
/// makes, and the inputs are the site's own files, not an adversary's.)
pub fn fingerprint<T: std::hash::Hash + ?Sized>(v: &T) -> u64 {
    let mut h = fingerprint_hasher();
    v.hash(&mut h);
    h.finish()
}

fn fingerprint_hasher() -> foldhash::quality::FoldHasher<'static> {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::default().build_hasher()
}

/// Writes a file of the cache (`.nqsite-cache/`) through `write`: beside
/// it first, under a name no other writer uses (two builds of one root, or
/// two threads making the same share image, each write their own), then
/// renamed into place, so that no reader sees half of it. A cache that
/// cannot be written only costs time later: nothing is reported.
pub fn write_cache(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) {
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.{n}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let written = std::fs::File::create(&tmp).and_then(|file| {
        let mut out = std::io::BufWriter::new(file);
        write(&mut out)?;
        std::io::Write::flush(&mut out)
    });
    if written.is_err() || std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// What tells this binary from another build of nqsite: the size and the
/// modification time of its executable (`None` when they cannot be read).
/// What an earlier build made is taken again only from the same binary.
pub fn exe_stamp() -> Option<[u64; 3]> {
    let exe = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    let modified = exe
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some([
        exe.len(),
        modified.as_secs(),
        u64::from(modified.subsec_nanos()),
    ])
}

/// Eight hex digits of [`hash64`]: the content hash in output file names.
pub fn name_hash(bytes: &[u8]) -> String {
    format!("{:08x}", hash64(bytes) as u32)
}

/// The process's peak resident memory in KiB (`VmHWM`), where Linux tells it.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_files_written_at_once_are_each_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("card.png");
        // A second writer of the same file (another build of the root, or
        // another thread) starts and ends while the first is half way.
        write_cache(&path, |out| {
            out.write_all(&[1; 1000])?;
            write_cache(&path, |other| other.write_all(&[2; 3000]));
            out.write_all(&[1; 1000])
        });
        assert_eq!(
            std::fs::read(&path).unwrap(),
            vec![1; 2000],
            "the last whole file"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left");
    }

    #[test]
    fn hash_is_pinned_and_sees_every_byte() {
        // Pinned: output file names depend on these values.
        assert_eq!(hash64(b""), 0x7acd_bb98_b134_4213);
        assert_eq!(name_hash(b"nqsite"), "e4f190fa");
        let base = b"Nghi quyet 57-NQ/TW, 22/12/2024".to_vec();
        let h = hash64(&base);
        for i in 0..base.len() {
            let mut b = base.clone();
            b[i] ^= 1;
            assert_ne!(hash64(&b), h, "byte {i}");
        }
        assert_ne!(hash64(b"a"), hash64(b"a\0"));
        assert_ne!(hash64(&[0; 8]), hash64(&[0; 16]));
    }

    #[test]
    fn real_path_resolves_links_and_tolerates_a_missing_end() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        std::fs::create_dir(base.join("a")).unwrap();
        std::os::unix::fs::symlink(base.join("a"), base.join("l")).unwrap();
        std::os::unix::fs::symlink("a/x/y", base.join("dangling")).unwrap();
        assert_eq!(real_path(&base.join("l/new/")).unwrap(), base.join("a/new"));
        assert_eq!(
            real_path(&base.join("a/../l/./b")).unwrap(),
            base.join("a/b")
        );
        assert_eq!(
            real_path(&base.join("dangling")).unwrap(),
            base.join("a/x/y")
        );
        assert_eq!(real_path(&base.join("no/../a")).unwrap(), base.join("a"));
        std::os::unix::fs::symlink("loop", base.join("loop")).unwrap();
        assert!(real_path(&base.join("loop")).is_err());
    }

    #[test]
    fn refuses_a_file_behind_a_link_out_of_the_root() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), b"s").unwrap();
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("in.txt"), b"i").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), root.path().join("out")).unwrap();
        std::os::unix::fs::symlink("in.txt", root.path().join("ok")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("dir")).unwrap();
        let read = |rel: &str| read_bytes(root.path(), &root.path().join(rel), Path::new(rel));
        assert_eq!(read("ok").unwrap(), b"i");
        assert!(read("out").unwrap_err().message.contains("ra ngoài"));
        assert!(read("dir/secret").unwrap_err().message.contains("ra ngoài"));
        assert!(read(".").unwrap_err().message.contains("thư mục"));
    }

    #[test]
    fn strips_bom_and_crlf_and_normalises() {
        let bytes = "\u{feff}a\r\nViê\u{0323}t\r\n".as_bytes().to_vec();
        assert_eq!(decode_text(bytes, Path::new("x.md")).unwrap(), "a\nViệt\n");
    }

    #[test]
    fn reports_invalid_utf8_position() {
        let mut bytes = b"---\ntitle: a\n---\nab".to_vec();
        bytes.push(0xff);
        let err = decode_text(bytes, Path::new("x.md")).unwrap_err();
        assert_eq!((err.line, err.column), (4, 3));
        assert!(err.message.contains("vị trí 19"), "{}", err.message);
    }

    #[test]
    fn takes_exactly_what_std_takes_as_utf8() {
        // Long enough for the SIMD blocks; the prefixes cut every letter,
        // and four bytes are replaced by stray ones.
        let text = "Nghị quyết 57-NQ/TW về đột phá phát triển khoa học, công nghệ 🚀 ".repeat(3);
        let bytes = text.as_bytes();
        for end in 0..=bytes.len() {
            let cut = bytes[..end].to_vec();
            assert_eq!(
                utf8(cut.clone()).ok(),
                String::from_utf8(cut).ok(),
                "prefix {end}"
            );
        }
        for (i, bad) in [(7, 0xff), (40, 0x80), (70, 0xc3), (bytes.len() - 1, 0xe1)] {
            let mut broken = bytes.to_vec();
            broken[i] = bad;
            assert_eq!(
                utf8(broken.clone()).ok(),
                String::from_utf8(broken).ok(),
                "byte {i}"
            );
        }
    }
}
