//! `SiteTest`: copy a fixture into a temporary folder, change what a test
//! needs, run `nqsite`, and look at the result.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fixture site copied into a temporary folder.
pub struct SiteTest {
    dir: tempfile::TempDir,
}

/// The outcome of one `nqsite` run.
pub struct Run {
    pub code: i32,
    pub stderr: String,
}

impl Run {
    /// Asserts the run failed with exit code 1 and its messages contain every needle.
    pub fn assert_fails_with(&self, needles: &[&str]) {
        assert_eq!(
            self.code, 1,
            "expected failure, got {}:\n{}",
            self.code, self.stderr
        );
        for n in needles {
            assert!(
                self.stderr.contains(n),
                "missing `{n}` in:\n{}",
                self.stderr
            );
        }
    }

    /// Asserts the run succeeded.
    pub fn assert_ok(&self) {
        assert_eq!(self.code, 0, "build failed:\n{}", self.stderr);
    }
}

/// The repository (the shipped site's root).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    repo().join("tests/fixtures")
}

pub fn nqsite() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nqsite"))
}

impl SiteTest {
    /// Copies `tests/fixtures/<name>` into a new temporary folder.
    pub fn fixture(name: &str) -> SiteTest {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixtures().join(name), dir.path());
        SiteTest { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn public(&self) -> PathBuf {
        self.root().join("public")
    }

    /// Writes (or replaces) a file of the site.
    pub fn write(&self, rel: &str, text: &str) -> &Self {
        self.write_bytes(rel, text.as_bytes())
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) -> &Self {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
        self
    }

    /// Runs `nqsite <args> --root <site>`.
    pub fn run(&self, args: &[&str]) -> Run {
        let out: Output = nqsite()
            .args(args)
            .arg("--root")
            .arg(self.root())
            .output()
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn build(&self) -> Run {
        self.run(&["build"])
    }

    /// Reads a file of the built site.
    pub fn read(&self, rel: &str) -> String {
        let p = self.public().join(rel);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }
}

/// A copy of the shipped site (content, profiles, site.yaml) to edit freely.
pub fn shipped_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["content", "profiles"] {
        copy_dir(&repo().join(sub), &dir.path().join(sub));
    }
    std::fs::copy(repo().join("site.yaml"), dir.path().join("site.yaml")).unwrap();
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes, sorted by path.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// The front matter of a content file of the shipped site.
fn front_matter(path: &Path) -> serde_yaml::Mapping {
    let text = std::fs::read_to_string(path).unwrap();
    let yaml = text
        .strip_prefix("---\n")
        .unwrap()
        .split("\n---\n")
        .next()
        .unwrap();
    serde_yaml::from_str(yaml).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The types the `site.yaml` of the site at `root` declares, in order.
pub fn declared_types(root: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(root.join("site.yaml")).unwrap();
    let config: serde_yaml::Mapping = serde_yaml::from_str(&text).unwrap();
    config["types"]
        .as_mapping()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap().to_string())
        .collect()
}

/// The shipped site's content files whose `type` is `kind`, with their
/// front matter, sorted by path (tests read counts from here instead of
/// hard-coding the corpus's shape).
pub fn files_of_type(kind: &str) -> Vec<(std::path::PathBuf, serde_yaml::Mapping)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(repo().join("content")).sort_by_file_name() {
        let e = e.unwrap();
        if e.path().extension().is_some_and(|x| x == "md") {
            let fm = front_matter(e.path());
            if fm.get("type").and_then(|v| v.as_str()) == Some(kind) {
                out.push((e.path().to_path_buf(), fm));
            }
        }
    }
    out
}
