//! Publishing to portals: portable output and its zip, province profiles,
//! open data files and embeddable widgets.

use crate::harness::{SiteTest, files_of_type, nqsite, repo};

#[test]
fn portable_output_uses_relative_links_and_explicit_index_html() {
    let site = SiteTest::fixture("basic");
    site.run(&["build", "--portable"]).assert_ok();
    let q1 = site.read("hoi-dap/cau-01/index.html");
    assert!(
        q1.contains("href=\"../../hoi-dap/cau-02/index.html\""),
        "{q1}"
    );
    assert!(q1.contains("href=\"../../assets/style."));
    assert!(q1.contains("data-root=\"../../\""));
    assert!(!q1.contains("href=\"/"), "no root-relative link left: {q1}");
    let home = site.read("index.html");
    assert!(home.contains("href=\"hoi-dap/cau-01/index.html\""));
    assert!(
        site.read("cu/cau-2/index.html")
            .contains("url=../../hoi-dap/cau-02/index.html")
    );
}

#[test]
fn zip_bundle_holds_the_portable_site_and_is_deterministic() {
    let site = SiteTest::fixture("basic");
    let zip = site.root().join("ban-sao.zip");
    let zip_arg = zip.to_str().unwrap();
    site.run(&["build", "--zip", zip_arg]).assert_ok();
    let first = std::fs::read(&zip).unwrap();
    assert_eq!(&first[..2], b"PK");
    let listing = String::from_utf8_lossy(&first);
    assert!(
        listing.contains("public/index.html")
            && listing.contains("public/hoi-dap/cau-01/index.html")
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    site.run(&["build", "--zip", zip_arg]).assert_ok();
    assert_eq!(
        first,
        std::fs::read(&zip).unwrap(),
        "same input, same zip bytes"
    );
    assert!(
        site.read("index.html").contains("href=\"hoi-dap/"),
        "--zip implies --portable"
    );
}

#[test]
fn every_shipped_profile_builds_with_its_own_name_logo_colours_and_guidance() {
    for (name, office, guidance) in [
        (
            "binh-phuoc",
            "Ban Tuyên giáo Tỉnh ủy Bình Phước",
            "/huong-dan/binh-phuoc/",
        ),
        (
            "quang-yen",
            "Ban Tuyên giáo Thị uỷ Quảng Yên",
            "/huong-dan/quang-yen/",
        ),
        ("tinh-uy", "Ban Tuyên giáo Tỉnh uỷ", "/huong-dan/tinh-uy/"),
    ] {
        let out = tempfile::tempdir().unwrap();
        let o = nqsite()
            .args(["build", "-q", "--profile", name, "--root"])
            .arg(repo())
            .arg("--output")
            .arg(out.path())
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let home = std::fs::read_to_string(out.path().join("index.html")).unwrap();
        assert!(home.contains(office), "{name}: office name");
        let local = home
            .find("class=\"local-guidance\"")
            .expect("local guidance block");
        assert!(
            home[local..].contains(guidance),
            "{name}: local guidance first"
        );
        assert!(
            home.contains("/assets/profile."),
            "{name}: colour stylesheet linked"
        );
    }
    let out = tempfile::tempdir().unwrap();
    let o = nqsite()
        .args(["build", "-q", "--profile", "binh-phuoc", "--root"])
        .arg(repo())
        .arg("--output")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success());
    let home = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(
        home.contains("href=\"/nq57/"),
        "the profile's base URL applies"
    );
    assert!(out.path().join("assets/logo-binh-phuoc.svg").is_file());
}

#[test]
fn errors_on_bad_profiles() {
    let site = SiteTest::fixture("basic");
    site.write(
        "profiles/logos/x.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    site.write("profiles/sai.yaml", "site_name: A\nmau: do\n");
    site.run(&["build", "--profile", "sai"])
        .assert_fails_with(&["profiles/sai.yaml:2:1: lỗi: khoá `mau` không được hỗ trợ"]);
    site.write(
        "profiles/sai.yaml",
        "logo: logos/khong-co.svg\ncolors:\n  accent: \"#ffd54a\"\n",
    );
    site.run(&["build", "--profile", "sai"])
        .assert_fails_with(&[
            "profiles/sai.yaml:1:7: lỗi: không tìm thấy tệp logo `logos/khong-co.svg`",
            "profiles/sai.yaml:3:1: lỗi: màu `#ffd54a` có độ tương phản",
            "WCAG 2.1 AA",
        ]);
    site.write(
        "profiles/sai.yaml",
        "logo: logos/x.svg\nlocal_guidance: khong-co\n",
    );
    site.run(&["build", "--profile", "sai"])
        .assert_fails_with(&[
            "profiles/sai.yaml:2:1: lỗi: không có văn bản nào mang mã `khong-co`",
        ]);
    site.run(&["build", "--profile", "khong-ton-tai"])
        .assert_fails_with(&["không có hồ sơ đơn vị `khong-ton-tai`", "sai"]);
}

#[test]
fn open_data_lists_every_target_and_question_with_a_versioned_schema() {
    let out = tempfile::tempdir().unwrap();
    let o = nqsite()
        .args(["build", "-q", "--root"])
        .arg(repo())
        .arg("--output")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success());
    let targets: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("data/targets.json")).unwrap())
            .unwrap();
    assert_eq!(targets["schema_version"], 1);
    let list = targets["targets"].as_array().unwrap();
    assert_eq!(list.len(), files_of_type("target").len());
    let tfp = list.iter().find(|t| t["id"] == "tfp-2030").unwrap();
    assert_eq!(tfp["year"], 2030);
    assert_eq!(tfp["url"], "/nghi-quyet/muc-tieu/tfp-2030/");
    assert!(tfp["source_text"].as_str().unwrap().contains("55%"));
    let csv = std::fs::read_to_string(out.path().join("data/targets.csv")).unwrap();
    assert!(csv.starts_with(
        "\u{feff}id,year,group,group_title,indicator,value,figure,source,source_text,summary_figure,title,url\r\n"
    ));
    assert_eq!(csv.lines().count(), list.len() + 1);
    let questions: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("data/questions.json")).unwrap())
            .unwrap();
    let qs = questions["questions"].as_array().unwrap();
    assert_eq!(qs.len(), files_of_type("question").len());
    assert!(
        qs[15]["targets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "tfp-2030"),
        "Q16 references TFP"
    );
    for schema in ["targets", "questions"] {
        let p = out.path().join(format!("data/schema/{schema}.schema.json"));
        let s: serde_json::Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        assert_eq!(s["properties"]["schema_version"]["const"], 1);
    }
    let embed = std::fs::read_to_string(out.path().join("embed/tfp-2030/index.html")).unwrap();
    assert!(embed.contains("&gt;55%") && embed.contains("target=\"_top\""));
    assert!(embed.len() < 2000, "the widget page stays small");
}
