//! The search index as built: shard files named by content and listed by
//! the meta script, front-matter fields searched, the theme's
//! `search-words.yaml` replaced by a site's own, and its errors.

use std::collections::BTreeSet;

use crate::harness::SiteTest;

/// The built site's search files (names under `search/`).
fn search_files(site: &SiteTest) -> BTreeSet<String> {
    std::fs::read_dir(site.public().join("search"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// The meta script as JSON.
pub(crate) fn meta(site: &SiteTest) -> serde_json::Value {
    let manifest = site.read("search/manifest.js");
    let path = manifest
        .split(['"', ' '])
        .find(|p| p.starts_with("search/meta."))
        .unwrap_or_else(|| panic!("no meta script in {manifest}"));
    let text = site.read(path);
    let json = text
        .strip_prefix("window.nqSearchMeta=")
        .and_then(|t| t.strip_suffix(";\n"))
        .unwrap();
    serde_json::from_str(json).unwrap()
}

/// Every key of every term shard.
pub(crate) fn keys(site: &SiteTest) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for name in search_files(site).iter().filter(|n| n.starts_with("t.")) {
        let text = site.read(&format!("search/{name}"));
        let body = text
            .strip_prefix("nqSearch.add(\"t\",")
            .and_then(|t| t.strip_suffix(");\n"))
            .unwrap();
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(body).unwrap();
        out.extend(map.keys().cloned());
    }
    out
}

/// The category label of every page, by its href.
pub(crate) fn categories(site: &SiteTest) -> std::collections::BTreeMap<String, String> {
    let m = meta(site);
    let labels: Vec<&str> = m["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    // One letter a page, in the postings code's 64 letters.
    let letters = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
    let kinds: Vec<usize> = m["k"]
        .as_str()
        .unwrap()
        .chars()
        .map(|c| letters.find(c).unwrap())
        .collect();
    let mut out = std::collections::BTreeMap::new();
    for name in search_files(site).iter().filter(|n| n.starts_with("d.")) {
        let text = site.read(&format!("search/{name}"));
        let body = text
            .strip_prefix("nqSearch.add(\"d\",")
            .and_then(|t| t.strip_suffix(");\n"))
            .unwrap();
        let (first, docs) = body.split_once(',').unwrap();
        let first: usize = first.parse().unwrap();
        let docs: Vec<serde_json::Value> = serde_json::from_str(docs).unwrap();
        for (i, doc) in docs.iter().enumerate() {
            let label = labels[kinds[first + i]].to_string();
            out.insert(doc[1].as_str().unwrap().to_string(), label);
        }
    }
    assert_eq!(out.len(), kinds.len(), "every page has a doc");
    out
}

#[test]
fn search_files_are_named_by_content_listed_by_the_meta_script_and_deterministic() {
    let site = SiteTest::fixture("basic");
    site.build().assert_ok();
    let files = search_files(&site);
    let m = meta(&site);
    let mut listed: BTreeSet<String> = BTreeSet::from(["manifest.js".to_string()]);
    for (field, kind) in [("x", "t"), ("d", "d")] {
        for item in m[field].as_str().unwrap().split('|') {
            let (_, name) = item.rsplit_once('/').unwrap();
            assert_eq!(name.len(), 12, "{item}");
            listed.insert(format!("{kind}.{name}.js"));
        }
    }
    let meta_name = files
        .iter()
        .find(|f| f.starts_with("meta."))
        .unwrap()
        .clone();
    listed.insert(meta_name);
    assert_eq!(
        files, listed,
        "every search file is listed, every listed file exists"
    );
    assert!(site.read("search/manifest.js").contains("assets/search."));
    // Pages are counted, typed and measured one letter each.
    let n = m["n"].as_u64().unwrap() as usize;
    assert!(n >= 3, "{n} pages");
    assert_eq!(m["k"].as_str().unwrap().len(), n);
    assert_eq!(m["l"].as_str().unwrap().len(), n);
    // Same input, same bytes.
    let before = crate::harness::snapshot(&site.public().join("search"));
    site.build().assert_ok();
    assert!(before == crate::harness::snapshot(&site.public().join("search")));
}

#[test]
fn front_matter_text_fields_are_searched_and_identifiers_are_not() {
    let site = SiteTest::fixture("basic");
    site.write(
        "content/van-ban.md",
        "---\ntitle: \"Văn bản\"\nissuer: \"Ban Tuyên giáo Tỉnh ủy Zalmoxia\"\nplace: \"Quorvath\"\nfigure: \"Top 50 thế giới\"\nsource: xyzzy-plugh\nnotes: \"ghi chú Wumpus\"\n---\nNội dung.\n",
    );
    site.build().assert_ok();
    let keys = keys(&site);
    for k in ["zalmoxia", "quorvath", "top 50", "wumpus"] {
        assert!(keys.contains(k), "{k} is not searched");
    }
    assert!(
        !keys.contains("xyzzy") && !keys.contains("plugh"),
        "an identifier is searched"
    );
}

#[test]
fn a_sites_search_words_replace_the_themes() {
    let site = SiteTest::fixture("basic");
    site.write(
        "themes/default/search-words.yaml",
        "synonyms:\n  - [ĐHĐCĐ, đại hội đồng cổ đông]\n  - [QXZ, quả xoài zin]\nweak: [bao giờ]\n",
    );
    site.write(
        "content/dai-hoi.md",
        "---\ntitle: \"Đại hội\"\n---\nNghị quyết của Đại hội đồng cổ đông về chuyển đổi số.\n",
    );
    site.build().assert_ok();
    let m = meta(&site);
    // A group none of whose phrases the site writes is left out.
    assert_eq!(
        m["s"],
        serde_json::json!([["ĐHĐCĐ", "đại hội đồng cổ đông"]])
    );
    assert_eq!(m["w"], serde_json::json!(["bao giờ"]));
    // Without it, the theme's own: the abbreviations of policy writing.
    std::fs::remove_file(site.root().join("themes/default/search-words.yaml")).unwrap();
    site.build().assert_ok();
    assert!(meta(&site)["s"].to_string().contains("chuyển đổi số"));
}

#[test]
fn errors_on_bad_search_words_with_file_line_and_column_and_keeps_the_old_site() {
    let site = SiteTest::fixture("basic");
    site.build().assert_ok();
    let before = crate::harness::snapshot(&site.public());
    site.write(
        "themes/default/search-words.yaml",
        "synonyms:\n  - [CĐS]\n  - [KHCN, khoa học công nghệ]\n  - [khoa học công nghệ, KH-CN]\nweak: [\"…\"]\n",
    );
    site.build().assert_fails_with(&[
        "themes/default/search-words.yaml:2:6: lỗi: nhóm từ đồng nghĩa `CĐS` chỉ có một cụm từ",
        "themes/default/search-words.yaml:4:6: lỗi: cụm từ `khoa học công nghệ` đã có ở dòng 3",
        "themes/default/search-words.yaml:5:",
        "không có chữ hay số nào để tìm",
        "cách sửa:",
    ]);
    site.write("themes/default/search-words.yaml", "synonym:\n  - [a, b]\n");
    site.build().assert_fails_with(&[
        "themes/default/search-words.yaml:1:",
        "khoá `synonym` không được hỗ trợ",
    ]);
    assert!(
        before == crate::harness::snapshot(&site.public()),
        "the previous site is kept"
    );
}

/// The inode of `path` (the record is replaced, never edited, when written).
fn inode(path: &std::path::Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).unwrap().ino()
}

#[test]
fn a_rebuild_takes_the_index_from_the_output_only_when_nothing_it_is_made_from_changed() {
    let site = SiteTest::fixture("basic");
    site.build().assert_ok();
    let record = site.root().join(".nqsite-cache").join("search-index");
    let search = site.public().join("search");
    let made = crate::harness::snapshot(&search);
    let written = inode(&record);
    // Nothing changed: the index is taken (the record is not written
    // again) and the bytes are the same.
    site.build().assert_ok();
    assert_eq!(inode(&record), written, "taken, not made again");
    assert!(made == crate::harness::snapshot(&search));
    // A script edited in the output is not taken: the index is made again.
    let shard = search_files(&site)
        .into_iter()
        .find(|n| n.starts_with("t."))
        .unwrap();
    std::fs::write(search.join(&shard), "nqSearch.add(\"t\",{});\n").unwrap();
    site.build().assert_ok();
    assert_ne!(inode(&record), written, "made again");
    assert!(made == crate::harness::snapshot(&search));
    // A page's text changed: made again, as a build without a record makes it.
    let page = std::fs::read_to_string(site.root().join("content/gioi-thieu.md")).unwrap();
    site.write(
        "content/gioi-thieu.md",
        &format!("{page}\nHợp tác xã kiểu mới.\n"),
    );
    site.build().assert_ok();
    let changed = crate::harness::snapshot(&search);
    assert!(changed != made);
    assert!(
        keys(&site).contains("hop tac"),
        "the new words are searched"
    );
    std::fs::remove_file(&record).unwrap();
    std::fs::remove_dir_all(site.public()).unwrap();
    site.build().assert_ok();
    assert!(changed == crate::harness::snapshot(&search));
}
