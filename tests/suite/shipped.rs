//! The shipped Resolution 57 site: it builds, and its content has the
//! structure the corpus promises (75 questions in three parts, three
//! guidances, five viewpoints, seven task groups, every target complete).

use std::collections::BTreeMap;
use std::path::Path;

use crate::harness::{nqsite, repo, snapshot};

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

fn files_of_type(kind: &str) -> Vec<(std::path::PathBuf, serde_yaml::Mapping)> {
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

fn int(fm: &serde_yaml::Mapping, key: &str) -> i64 {
    fm.get(key)
        .and_then(|v| v.as_i64())
        .unwrap_or_else(|| panic!("missing {key}"))
}

#[test]
fn shipped_site_builds_deterministically() {
    let out = tempfile::tempdir().unwrap();
    let build = |dir: &Path| {
        let o = nqsite()
            .args(["build", "-q", "--root"])
            .arg(repo())
            .arg("--output")
            .arg(dir)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    build(&out.path().join("a"));
    build(&out.path().join("b"));
    assert!(
        snapshot(&out.path().join("a")) == snapshot(&out.path().join("b")),
        "two builds differ"
    );
    assert!(
        out.path()
            .join("a/hoi-dap/phan-2/cau-15/index.html")
            .is_file()
    );
}

#[test]
fn shipped_book_has_75_questions_in_three_parts() {
    let questions = files_of_type("question");
    assert_eq!(questions.len(), 75);
    let mut numbers: Vec<i64> = questions.iter().map(|(_, fm)| int(fm, "number")).collect();
    numbers.sort();
    assert_eq!(numbers, (1..=75).collect::<Vec<_>>());
    for (path, fm) in &questions {
        let n = int(fm, "number");
        let part = int(fm, "part");
        let expected = if n <= 12 {
            1
        } else if n <= 47 {
            2
        } else {
            3
        };
        assert_eq!(part, expected, "{}", path.display());
        assert!(
            path.parent().unwrap().ends_with(format!("phan-{part}")),
            "{}",
            path.display()
        );
        let text = std::fs::read_to_string(path).unwrap();
        let body = text.split("\n---\n").nth(1).unwrap_or("");
        assert!(body.trim().len() > 50, "{} has no answer", path.display());
        assert!(
            fm.get("question")
                .and_then(|v| v.as_str())
                .is_some_and(|q| !q.is_empty())
        );
    }
    let parts = files_of_type("part");
    assert_eq!(parts.len(), 3);
    assert_eq!(files_of_type("preface").len(), 1);
    assert_eq!(files_of_type("speech").len(), 1);
}

#[test]
fn shipped_resolution_has_guidances_viewpoints_tasks_and_complete_targets() {
    let guidances = files_of_type("guidance");
    let ids: Vec<&str> = guidances
        .iter()
        .filter_map(|(_, fm)| fm.get("id").and_then(|v| v.as_str()))
        .collect();
    assert_eq!(ids, ["binh-phuoc", "quang-yen", "tinh-uy"]);
    for (path, fm) in &guidances {
        for key in ["issuer", "number", "date", "place", "signer"] {
            assert!(
                fm.contains_key(key),
                "{} lacks {key} (null when the source gives none)",
                path.display()
            );
        }
    }
    let viewpoints: Vec<i64> = files_of_type("viewpoint")
        .iter()
        .map(|(_, fm)| int(fm, "id"))
        .collect();
    assert_eq!(viewpoints, [1, 2, 3, 4, 5]);
    let tasks: Vec<i64> = files_of_type("task")
        .iter()
        .map(|(_, fm)| int(fm, "id"))
        .collect();
    assert_eq!(tasks, [1, 2, 3, 4, 5, 6, 7]);

    let targets = files_of_type("target");
    assert!(
        targets.len() >= 35,
        "about 40 targets expected, found {}",
        targets.len()
    );
    let mut per_year: BTreeMap<i64, usize> = BTreeMap::new();
    for (path, fm) in &targets {
        for key in [
            "id",
            "indicator",
            "value",
            "figure",
            "source_text",
            "group",
            "source",
        ] {
            let v = fm.get(key).and_then(|v| v.as_str()).unwrap_or("");
            assert!(!v.is_empty(), "{} lacks {key}", path.display());
        }
        *per_year.entry(int(fm, "year")).or_default() += 1;
    }
    assert!(per_year[&2030] > 25 && per_year[&2045] >= 5, "{per_year:?}");
}

/// Builds the shipped site once per test binary run into a temp folder.
fn built_site() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let o = nqsite()
            .args(["build", "-q", "--root"])
            .arg(repo())
            .arg("--output")
            .arg(dir.path().join("out"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        dir
    })
    .path()
    .join("out")
    .leak()
}

/// Every value of `attr="…"` in an HTML text.
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| html[i + needle.len()..].split('"').next())
        .collect()
}

#[test]
fn shipped_site_has_no_broken_internal_link_or_anchor() {
    let out = built_site();
    let mut checked = 0;
    let mut broken = Vec::new();
    for e in walkdir::WalkDir::new(out).sort_by_file_name() {
        let e = e.unwrap();
        if e.path().extension().is_none_or(|x| x != "html") {
            continue;
        }
        let html = std::fs::read_to_string(e.path()).unwrap();
        for href in attr_values(&html, "href")
            .into_iter()
            .chain(attr_values(&html, "src"))
        {
            if !href.starts_with('/') || href.starts_with("//") {
                continue;
            }
            let (path, frag) = href.split_once('#').unwrap_or((href, ""));
            let mut file = out.join(path.trim_start_matches('/'));
            if path.ends_with('/') {
                file = file.join("index.html");
            }
            checked += 1;
            let Ok(target) = std::fs::read_to_string(&file) else {
                broken.push(format!("{}: {href} (no file)", e.path().display()));
                continue;
            };
            if !frag.is_empty() && !target.contains(&format!(" id=\"{frag}\"")) {
                broken.push(format!("{}: {href} (no anchor)", e.path().display()));
            }
        }
    }
    assert!(checked > 5000, "crawled only {checked} links");
    assert!(
        broken.is_empty(),
        "{} broken links:\n{}",
        broken.len(),
        broken.join("\n")
    );
}

/// The cells of the matrix row whose header links to `href`.
fn matrix_row(href: &str) -> Vec<String> {
    let html = std::fs::read_to_string(built_site().join("ma-tran/index.html")).unwrap();
    let start = html
        .find(&format!("<a href=\"{href}\">"))
        .unwrap_or_else(|| panic!("row {href}"));
    let row = &html[start..html[start..].find("</tr>").unwrap() + start];
    row.split("<td>")
        .skip(1)
        .map(|c| c.split("</td>").next().unwrap().to_string())
        .collect()
}

#[test]
fn matrix_shows_which_document_covers_which_part_of_the_resolution() {
    // Columns: tinh-uy, binh-phuoc, quang-yen, part 1, part 2, part 3, speech.
    let tfp = matrix_row("/nghi-quyet/muc-tieu/tfp-2030/");
    assert_eq!(tfp.len(), 7);
    assert!(
        tfp[0].contains("href=\"/huong-dan/tinh-uy/#ref-target-tfp-2030\""),
        "{tfp:?}"
    );
    assert!(
        !tfp[1].contains("href"),
        "Bình Phước's guidance quotes no 2030 figures: {tfp:?}"
    );
    assert!(tfp[2].contains("/huong-dan/quang-yen/#ref-target-tfp-2030"));
    assert!(
        tfp[4].contains("/hoi-dap/phan-2/cau-16/#ref-target-tfp-2030"),
        "Q16 states the TFP target"
    );
    let task3 = matrix_row("/nghi-quyet/nhiem-vu/nhiem-vu-3/");
    for guidance in &task3[0..3] {
        assert!(
            guidance.contains("#ref-task-3"),
            "every guidance lists task group 3: {task3:?}"
        );
    }
    assert!(task3[4].contains("/hoi-dap/phan-2/cau-21/"));
}

#[test]
fn every_target_page_shows_its_source_and_mentions() {
    let out = built_site();
    for (path, fm) in files_of_type("target") {
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let page = std::fs::read_to_string(
            out.join("nghi-quyet/muc-tieu")
                .join(stem)
                .join("index.html"),
        )
        .unwrap();
        assert!(
            page.contains("Nguồn: <a href=\"/huong-dan/tinh-uy/#ref-target-"),
            "{stem}: source not linked"
        );
        assert!(page.contains("Được đề cập tại"), "{stem}");
        let figure = fm.get("figure").and_then(|v| v.as_str()).unwrap();
        let escaped = figure
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(page.contains(&escaped), "{stem}: figure {figure}");
    }
}
