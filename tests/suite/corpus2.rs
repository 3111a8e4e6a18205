//! A second corpus, `tests/fixtures/corpus2`: a made-up resolution (test
//! data, labelled as such) with another shape than the shipped one:
//! indicators (a type the shipped site lacks), solutions instead of tasks,
//! targets for 2027 and 2035 in four groups, a Q&A book without parts, a
//! matrix of indicators and solutions against guidances and questions, its
//! own strings. Everything about it is declared in its `site.yaml`; these
//! tests build it with the real binary and check that every declared type
//! shows, nothing vanishes, and nothing of Resolution 57 leaks in.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value as Json;
use serde_yaml::Value as Yaml;

use crate::harness::{Run, SiteTest, declared_types, fixtures};

const FIXTURE: &str = "corpus2";

/// The fixture built into a temporary folder, with 0 warnings.
fn built() -> SiteTest {
    let site = SiteTest::fixture(FIXTURE);
    assert_warnings(&site.build(), 0);
    site
}

/// Asserts a run succeeded with exactly `n` warnings (its summary line).
fn assert_warnings(run: &Run, n: usize) {
    run.assert_ok();
    assert!(
        run.stderr.contains(&format!(", {n} cảnh báo trong")),
        "expected {n} warnings:\n{}",
        run.stderr
    );
}

/// A content document: its file (relative to `content/`), front matter and
/// the page nqsite writes for it (relative to the output).
struct Doc {
    rel: String,
    fm: Yaml,
    page: String,
}

impl Doc {
    fn kind(&self) -> Option<&str> {
        self.fm.get("type").and_then(Yaml::as_str)
    }

    fn str(&self, key: &str) -> String {
        match self.fm.get(key) {
            Some(Yaml::String(s)) => s.clone(),
            Some(Yaml::Number(n)) => n.to_string(),
            other => panic!("{}: `{key}` is {other:?}", self.rel),
        }
    }

    /// The page's link (`/chi-so/x/`).
    fn href(&self) -> String {
        format!("/{}", self.page.trim_end_matches("index.html"))
    }
}

/// Every document of the fixture, in path order. The fixture's folder and
/// file names are already URL slugs, so a page's path is its file's.
fn documents() -> Vec<Doc> {
    let content = fixtures().join(FIXTURE).join("content");
    let mut docs: Vec<Doc> = walkdir::WalkDir::new(&content)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| {
            let rel = e.path().strip_prefix(&content).unwrap();
            let text = std::fs::read_to_string(e.path()).unwrap();
            let yaml = text.split("---\n").nth(1).expect("front matter");
            let fm: Yaml = serde_yaml::from_str(yaml).unwrap();
            let dir = rel.parent().unwrap().to_str().unwrap();
            let stem = rel.file_stem().unwrap().to_str().unwrap();
            let name = fm.get("slug").and_then(Yaml::as_str).unwrap_or(stem);
            let page = match (stem, dir) {
                ("_index", "") => "index.html".to_string(),
                ("_index", dir) => format!("{dir}/index.html"),
                (_, "") => format!("{name}/index.html"),
                (_, dir) => format!("{dir}/{name}/index.html"),
            };
            Doc {
                rel: rel.to_str().unwrap().to_string(),
                fm,
                page,
            }
        })
        .collect();
    docs.sort_by(|a, b| a.rel.cmp(&b.rel));
    docs
}

fn docs_of(kind: &str) -> Vec<Doc> {
    documents()
        .into_iter()
        .filter(|d| d.kind() == Some(kind))
        .collect()
}

/// Text as the templates write it (nqsite's autoescape).
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// `html` without its tags but the last (the theme wraps document numbers
/// in `<span class="nw">` so they never break).
fn untagged(html: &str) -> String {
    let (text, end) = html.rsplit_once('<').unwrap_or((html, ""));
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    format!("{out}<{end}")
}

/// The part of `html` from `start` to the first `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no `{start}` in:\n{html}"));
    let rest = &html[from..];
    &rest[..rest.find(end).map_or(rest.len(), |e| e + end.len())]
}

/// Every `href="…"` value in `html`, in order.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

/// The links of the "mentioned in" section of a built page.
fn mention_links(site: &SiteTest, page: &str) -> BTreeSet<String> {
    let html = site.read(page);
    let section = between(&html, "<section class=\"mentions\"", "</section>");
    hrefs(section).into_iter().collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn every_declared_type_has_its_pages_and_builds_without_warnings() {
    let site = built();
    let docs = documents();
    for kind in declared_types(&fixtures().join(FIXTURE)) {
        let of_kind: Vec<&Doc> = docs.iter().filter(|d| d.kind() == Some(&kind)).collect();
        assert!(!of_kind.is_empty(), "no document of declared type `{kind}`");
        for doc in of_kind {
            let html = site.read(&doc.page);
            let h1 = between(&html, "<h1", "</h1>");
            assert_eq!(
                untagged(&h1[h1.find('>').unwrap() + 1..]),
                format!("{}</h1>", escaped(&doc.str("title"))),
                "{} ({kind}): no <h1> with its title in {}",
                doc.rel,
                doc.page
            );
        }
    }
    // The infographic's poster variant and the search page.
    assert!(site.public().join("infographic/a3/index.html").is_file());
    assert!(site.public().join("tim-kiem/index.html").is_file());
    assert_warnings(&site.run(&["check"]), 0);
}

#[test]
fn declared_fields_show_in_declared_order_on_pages_of_a_new_type() {
    let site = built();
    let html = site.read("chi-so/ty-le-xa-co-thu-vien/index.html");
    let labels: Vec<&str> = html
        .split("<dt>")
        .skip(1)
        .map(|s| &s[..s.find("</dt>").unwrap()])
        .collect();
    assert_eq!(
        labels,
        [
            "Mã chỉ số",
            "Tên chỉ số",
            "Đơn vị tính",
            "Giá trị nền",
            "Năm nền",
            "Giá trị cần đạt",
            "Năm cần đạt",
            "Mục tiêu",
            "Ngày rà soát",
            "Chỉ số thống kê chính thức",
            "Số kỳ khảo sát mỗi năm",
        ]
    );
    // Each kind of value as the declaration types it.
    assert!(
        html.contains(
            "<dt>Ngày rà soát</dt><dd><time datetime=\"2026-05-20\">20/05/2026</time></dd>"
        )
    );
    assert!(html.contains("<dt>Chỉ số thống kê chính thức</dt><dd>Có</dd>"));
    assert!(
        html.contains(
            "<dt>Mục tiêu</dt><dd><a href=\"/nghi-quyet-mau/muc-tieu/thu-vien-xa-2027/\">"
        )
    );
    // A field the target template does not know still shows.
    let target = site.read("nghi-quyet-mau/muc-tieu/thu-vien-xa-2027/index.html");
    assert!(target.contains("<dt>Cơ quan theo dõi</dt><dd>Sở Văn hoá mẫu</dd>"));
    // A section's own declared fields and date (the resolution).
    let resolution = site.read("nghi-quyet-mau/index.html");
    for shown in [
        "<time datetime=\"2026-03-15\">15/03/2026</time>",
        "<dt>Số, ký hiệu</dt><dd><span class=\"nw\">01-NQ/KT</span></dd>",
        "<dt>Người ký</dt><dd>Nguyễn Văn Mẫu</dd>",
        "<dt>Ngày có hiệu lực</dt><dd><time datetime=\"2026-04-01\">01/04/2026</time></dd>",
    ] {
        assert!(resolution.contains(shown), "missing {shown}");
    }
    // The guidance's issuer and place.
    let guidance = site.read("van-ban/ke-hoach-tinh/index.html");
    assert!(guidance.contains("<dd>Ban Thường vụ Tỉnh uỷ Mẫu</dd>"));
    assert!(guidance.contains("<dd>Thành phố Mẫu</dd>"));
}

#[test]
fn backlinks_list_every_mentioning_page_at_the_mention() {
    let site = built();
    assert_eq!(
        mention_links(&site, "chi-so/ty-le-xa-co-thu-vien/index.html"),
        set(&[
            "/hoi-dap/cau-01/#ref-indicator-ty-le-xa-co-thu-vien",
            "/hoi-dap/cau-02/#ref-indicator-ty-le-xa-co-thu-vien",
            "/nghi-quyet-mau/giai-phap/giai-phap-1/#ref-indicator-ty-le-xa-co-thu-vien",
            "/van-ban/ke-hoach-tinh/#ref-indicator-ty-le-xa-co-thu-vien",
        ])
    );
    // Two mentions from one guidance, each at its own link; a front-matter
    // list links to the question itself.
    assert_eq!(
        mention_links(&site, "nghi-quyet-mau/giai-phap/giai-phap-1/index.html"),
        set(&[
            "/hoi-dap/cau-02/",
            "/van-ban/ke-hoach-tinh/#ref-solution-1",
            "/van-ban/ke-hoach-tinh/#ref-solution-1-1",
        ])
    );
    let target = site.read("nghi-quyet-mau/muc-tieu/tu-sach-luu-dong-2027/index.html");
    assert!(target.contains(">Được đề cập tại <span class=\"count\">(2)</span></h2>"));
    assert_eq!(
        mention_links(
            &site,
            "nghi-quyet-mau/muc-tieu/tu-sach-luu-dong-2027/index.html"
        ),
        set(&[
            "/hoi-dap/cau-02/",
            "/van-ban/ke-hoach-tinh/#ref-target-tu-sach-luu-dong-2027",
        ])
    );
    // Every anchor a backlink points to exists on its page.
    for kind in ["target", "indicator", "solution"] {
        for doc in docs_of(kind) {
            for href in mention_links(&site, &doc.page) {
                let Some((path, anchor)) = href.split_once('#') else {
                    continue;
                };
                let page = format!("{}index.html", path.trim_start_matches('/'));
                assert!(
                    site.read(&page).contains(&format!("id=\"{anchor}\"")),
                    "{href} (from {}): no such anchor",
                    doc.page
                );
            }
        }
    }
}

#[test]
fn targets_index_shows_every_year_and_every_group() {
    let site = built();
    let index = site.read("nghi-quyet-mau/muc-tieu/index.html");
    let y2027 = between(&index, "<h2 id=\"nam-2027\">", "<h2 id=\"nam-2035\">");
    let y2035 = &index[index.find("<h2 id=\"nam-2035\">").expect("2035 block")..];
    assert!(y2027.starts_with("<h2 id=\"nam-2027\">Đến năm 2027</h2>"));
    assert!(y2035.starts_with("<h2 id=\"nam-2035\">Đến năm 2035</h2>"));
    // Groups in the order `groups:` lists them, the third and fourth too.
    let ids = |block: &str| -> Vec<String> {
        block
            .split("<h3 id=\"")
            .skip(1)
            .map(|s| s[..s.find('"').unwrap()].to_string())
            .collect()
    };
    assert_eq!(
        ids(y2027),
        [
            "nam-2027-mang-luoi",
            "nam-2027-thoi-quen-doc",
            "nam-2027-tai-lieu-so"
        ]
    );
    assert_eq!(
        ids(y2035),
        ["nam-2035-thoi-quen-doc", "nam-2035-tam-nhin-2035"]
    );
    assert!(y2027.contains(">Nhóm mục tiêu về tài liệu số</h3>"));
    assert!(y2035.contains(">Tầm nhìn đến năm 2035 <a class=\"qlink\" href=\"/hoi-dap/cau-06/\">"));
    // Every target once, in the block of its year.
    for doc in docs_of("target") {
        let block = if doc.str("year") == "2027" {
            y2027
        } else {
            y2035
        };
        let link = format!("href=\"{}\"", doc.href());
        assert_eq!(index.matches(&link).count(), 1, "{}", doc.rel);
        assert!(block.contains(&link), "{} not under its year", doc.rel);
    }
}

#[test]
fn a_section_of_a_new_type_is_grouped_as_declared() {
    let site = built();
    let index = site.read("chi-so/index.html");
    let y2027 = between(
        &index,
        "<h2 id=\"nam-can-dat-2027\">Năm cần đạt: 2027</h2>",
        "</section>",
    );
    let y2035 = between(
        &index,
        "<h2 id=\"nam-can-dat-2035\">Năm cần đạt: 2035</h2>",
        "</section>",
    );
    for doc in docs_of("indicator") {
        let block = if doc.str("target_year") == "2027" {
            y2027
        } else {
            y2035
        };
        let link = format!("href=\"{}\"", doc.href());
        assert!(block.contains(&link), "{} not under its year", doc.rel);
        assert_eq!(index.matches(&link).count(), 1, "{}", doc.rel);
    }
}

/// The matrix as (row link, cell counts), and its column links.
fn matrix(html: &str) -> (Vec<String>, Vec<(String, Vec<usize>)>) {
    let head = between(html, "<thead>", "</thead>");
    let columns = hrefs(head);
    let body = between(html, "<tbody>", "</tbody>");
    let rows = body
        .split("<tr class=\"row-")
        .skip(1)
        .map(|row| {
            let link = hrefs(row).remove(0);
            let counts = row
                .split("<td>")
                .skip(1)
                .map(|cell| {
                    let cell = &cell[..cell.find("</td>").unwrap()];
                    match cell.find("\">") {
                        Some(p) if cell.starts_with("<a ") => {
                            cell[p + 2..cell.find("</a>").unwrap()].parse().unwrap()
                        }
                        _ => 0,
                    }
                })
                .collect();
            (link, counts)
        })
        .collect();
    (columns, rows)
}

#[test]
fn matrix_has_the_declared_rows_and_columns_and_counts() {
    let site = built();
    let (columns, rows) = matrix(&site.read("doi-chieu/index.html"));
    // Guidances in section order (by weight), then questions.
    let mut guidances = docs_of("guidance");
    guidances.sort_by_key(|d| d.str("weight").parse::<i64>().unwrap());
    let mut want: Vec<String> = guidances.iter().map(Doc::href).collect();
    want.extend(docs_of("question").iter().map(Doc::href));
    assert_eq!(columns, want);
    let mut indicators = docs_of("indicator");
    indicators.sort_by_key(|d| d.str("weight").parse::<i64>().unwrap());
    let mut want_rows: Vec<String> = indicators.iter().map(Doc::href).collect();
    want_rows.extend(docs_of("solution").iter().map(Doc::href));
    assert_eq!(
        rows.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>(),
        want_rows
    );
    for (_, cells) in &rows {
        assert_eq!(cells.len(), columns.len());
    }
    let row = |href: &str| &rows.iter().find(|(r, _)| r == href).unwrap().1;
    // Columns: ke-hoach-tinh, huong-dan-huyen, cau-01 … cau-06.
    assert_eq!(
        row("/chi-so/ty-le-xa-co-thu-vien/"),
        &[1, 0, 1, 1, 0, 0, 0, 0]
    );
    assert_eq!(
        row("/nghi-quyet-mau/giai-phap/giai-phap-1/"),
        &[2, 0, 0, 1, 0, 0, 0, 0]
    );
    assert_eq!(
        row("/nghi-quyet-mau/giai-phap/giai-phap-2/"),
        &[1, 1, 0, 0, 1, 0, 1, 0]
    );
    assert_eq!(
        row("/chi-so/nguoi-doc-thuong-xuyen/"),
        &[0, 0, 0, 0, 0, 0, 0, 1]
    );
    let html = site.read("doi-chieu/index.html");
    assert!(html.contains(">Số lần mỗi chỉ số, giải pháp được nhắc tới"));
    assert!(html.contains(">Chỉ số, giải pháp</th>"));
}

#[test]
fn search_indexes_the_fields_and_lists_the_categories_of_its_own_types() {
    let site = built();
    // `OPAC` is only in the `unit` field of one indicator.
    assert!(
        crate::search::keys(&site).contains("opac"),
        "the field's words are not in the index"
    );
    // The categories are the model's, in first-declared order, then the
    // theme's "other"; no Rust knows `indicator` or `solution`.
    assert_eq!(
        crate::search::meta(&site)["types"],
        serde_json::json!([
            "Nghị quyết mẫu",
            "Mục tiêu",
            "Chỉ số",
            "Giải pháp",
            "Hướng dẫn",
            "Hỏi - đáp",
            "Bài viết",
            "Trang khác"
        ])
    );
    let categories = crate::search::categories(&site);
    let of = |href: &str| {
        categories
            .get(href)
            .unwrap_or_else(|| panic!("{href} not indexed: {categories:?}"))
            .as_str()
    };
    assert_eq!(of("chi-so/nguoi-doc-thuong-xuyen/"), "Chỉ số");
    assert_eq!(of("nghi-quyet-mau/giai-phap/giai-phap-2/"), "Giải pháp");
    // Sections that declare no category list under their documents' one.
    assert_eq!(of("chi-so/"), "Chỉ số");
    assert_eq!(of("nghi-quyet-mau/giai-phap/"), "Giải pháp");
    assert_eq!(of("doi-chieu/"), "Trang khác");
    let placeholder = site.read("index.html");
    assert!(placeholder.contains("placeholder=\"Tìm: thư viện, văn hoá đọc…\""));
}

/// One record of a data file, by its key.
fn record<'a>(data: &'a Json, file: &str, key: &str, value: &str) -> &'a Json {
    data[file]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[key].to_string().trim_matches('"') == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {file}"))
}

#[test]
fn open_data_follows_the_declaration() {
    let site = built();
    let files: BTreeSet<String> = std::fs::read_dir(site.public().join("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        files,
        set(&[
            "cau-hoi.json",
            "chi-so.csv",
            "chi-so.json",
            "muc-tieu.json",
            "schema"
        ])
    );
    let schemas: BTreeSet<String> = std::fs::read_dir(site.public().join("data/schema"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        schemas,
        set(&[
            "cau-hoi.schema.json",
            "chi-so.schema.json",
            "muc-tieu.schema.json"
        ])
    );
    // CSV: byte order mark, the key then the declared fields in order.
    let csv = site.read("data/chi-so.csv");
    let mut lines = csv.split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        "\u{feff}code,name,unit,baseline,baseline_year,target_value,target_year,target,reviewed_on,official,survey_rounds,title,url"
    );
    assert_eq!(
        lines.filter(|l| !l.is_empty()).count(),
        docs_of("indicator").len()
    );
    assert!(csv.contains("\r\ntai-lieu-dia-chi-so-hoa,Tài liệu địa chí đã số hoá,biểu ghi OPAC,3.400,2025,12.000,2027,tai-lieu-dia-chi-2027,2026-06-30,,,"));
    // JSON: typed values, in declared order, every document once.
    let data: Json = serde_json::from_str(&site.read("data/chi-so.json")).unwrap();
    let items = data["chi-so"].as_array().unwrap();
    assert_eq!(items.len(), docs_of("indicator").len());
    // (serde_json sorts an object's keys: read the order from the text.)
    let text = site.read("data/chi-so.json");
    let first = between(&text, "\"chi-so\": [", "}");
    let keys: Vec<&str> = first
        .lines()
        .skip(2)
        .filter_map(|l| {
            l.trim()
                .strip_prefix('"')?
                .split_once("\":")
                .map(|(k, _)| k)
        })
        .collect();
    assert_eq!(
        keys,
        [
            "code",
            "name",
            "unit",
            "baseline",
            "baseline_year",
            "target_value",
            "target_year",
            "target",
            "reviewed_on",
            "official",
            "survey_rounds",
            "title",
            "url"
        ]
    );
    let r = record(&data, "chi-so", "code", "sach-doc-binh-quan");
    assert_eq!(r["baseline"], "2,1");
    assert_eq!(r["baseline_year"], 2025);
    assert_eq!(r["official"], false);
    assert_eq!(r["reviewed_on"], Json::Null);
    // Targets: their group's title beside its key; questions: the keys of
    // what they reference, by type.
    let targets: Json = serde_json::from_str(&site.read("data/muc-tieu.json")).unwrap();
    let t = record(&targets, "muc-tieu", "id", "doc-suot-doi-2035");
    assert_eq!(t["year"], 2035);
    assert_eq!(t["group_title"], "Tầm nhìn đến năm 2035");
    let questions: Json = serde_json::from_str(&site.read("data/cau-hoi.json")).unwrap();
    let q = record(&questions, "cau-hoi", "number", "4");
    assert_eq!(
        q["indicators"],
        serde_json::json!(["tai-lieu-dia-chi-so-hoa"])
    );
    assert_eq!(q["solutions"], serde_json::json!(["3"]));
    assert_eq!(q["targets"], serde_json::json!([]));
    // Every record carries what its schema requires.
    for (file, data) in [
        ("chi-so", &data),
        ("muc-tieu", &targets),
        ("cau-hoi", &questions),
    ] {
        let schema: Json =
            serde_json::from_str(&site.read(&format!("data/schema/{file}.schema.json"))).unwrap();
        let required = schema["properties"][file]["items"]["required"]
            .as_array()
            .unwrap();
        for r in data[file].as_array().unwrap() {
            for key in required {
                assert!(
                    r.get(key.as_str().unwrap()).is_some(),
                    "{file}: {key} missing"
                );
            }
        }
    }
}

/// The JSON-LD of a built page.
fn jsonld(site: &SiteTest, page: &str) -> Json {
    let html = site.read(page);
    let script = between(&html, "<script type=\"application/ld+json\">", "</script>");
    let json =
        &script["<script type=\"application/ld+json\">".len()..script.len() - "</script>".len()];
    serde_json::from_str(json).unwrap()
}

#[test]
fn json_ld_follows_each_types_declaration() {
    let site = built();
    let resolution = jsonld(&site, "nghi-quyet-mau/index.html");
    assert_eq!(resolution["@type"], "Legislation");
    assert_eq!(resolution["legislationIdentifier"], "01-NQ/KT");
    assert_eq!(resolution["legislationDate"], "2026-03-15");
    let article = jsonld(&site, "bai-viet/doc-sach-moi-ngay/index.html");
    assert_eq!(article["@type"], "Article");
    assert_eq!(
        article["author"],
        serde_json::json!({"@type": "Person", "name": "Lê Văn Mẫu", "jobTitle": "Biên tập viên mẫu"})
    );
    let question = jsonld(&site, "hoi-dap/cau-04/index.html");
    assert_eq!(question["@type"], "FAQPage");
    assert_eq!(
        question["mainEntity"][0]["name"],
        "Tài liệu địa chí được số hoá như thế nào?"
    );
    assert!(
        !site
            .read("chi-so/luot-muon-sach/index.html")
            .contains("application/ld+json")
    );
}

#[test]
fn indicators_get_their_own_share_card_and_embed() {
    let site = SiteTest::fixture(FIXTURE);
    site.run(&["build", "--base-url", "https://x.gov.vn/"])
        .assert_ok();
    for doc in docs_of("indicator") {
        let code = doc.str("code");
        assert!(
            site.public().join(format!("share/{code}.png")).is_file(),
            "{code}"
        );
        let page = site.read(&doc.page);
        assert!(page.contains(&format!("content=\"https://x.gov.vn/share/{code}.png\"")));
        assert!(
            site.public()
                .join(format!("embed/{code}/index.html"))
                .is_file()
        );
    }
    let embed = site.read("embed/tai-lieu-dia-chi-so-hoa/index.html");
    assert!(
        embed.contains("<span class=\"kicker\">Chỉ số đến năm 2027</span>"),
        "{embed}"
    );
    assert!(embed.contains("<span class=\"fig\">12.000 biểu ghi OPAC</span>"));
    assert!(embed.contains("<span class=\"ind\">Tài liệu địa chí đã số hoá</span>"));
    // Targets declare neither: the site's card, no embed.
    let target = site.read("nghi-quyet-mau/muc-tieu/thu-vien-xa-2027/index.html");
    assert!(target.contains("content=\"https://x.gov.vn/share/site.png\""));
    assert!(!site.public().join("embed/thu-vien-xa-2027").exists());
}

#[test]
fn book_without_parts_lists_and_prints_every_question() {
    let site = built();
    let questions = docs_of("question");
    let book = site.read("hoi-dap/index.html");
    let toc = between(&book, "<nav class=\"book-toc\"", "</nav>");
    let booklet = site.read("hoi-dap/ban-in/index.html");
    let mut last = (0, 0);
    for q in &questions {
        let at_toc = toc
            .find(&format!("href=\"{}\"", q.href()))
            .expect("in the toc");
        let anchor = format!(
            "id=\"{}\"",
            q.rel.trim_start_matches("hoi-dap/").trim_end_matches(".md")
        );
        let at_booklet = booklet.find(&anchor).expect("in the booklet");
        assert!(
            at_toc > last.0 && at_booklet > last.1,
            "{} out of order",
            q.rel
        );
        last = (at_toc, at_booklet);
    }
}

#[test]
fn infographic_places_every_figure() {
    let site = built();
    let html = site.read("infographic/index.html");
    let section = |id: &str| between(&html, &format!("aria-labelledby=\"{id}\""), "</section>");
    // By `section:`, below the section's text, which says more than the
    // figures; without `summary_figure`, each target's own figure.
    let goals = section("chi-tieu-2027");
    assert!(goals.contains("Ba con số chính của giai đoạn đầu."));
    assert!(goals.contains("<span class=\"ig-num\">≥90%</span>"));
    assert!(goals.contains("<span class=\"ig-num\">4 cuốn</span>"));
    assert!(goals.contains("<span class=\"ig-num\">&gt;60%</span>"));
    // In place of a text that is nothing but the figure and its caption,
    // a figure with a slash included.
    let network = section("mang-luoi");
    assert!(network.contains("<span class=\"ig-num\">1/2 số xã</span>"));
    assert!(!network.contains("ig-text"), "{network}");
    // The graphics show every year the targets name, not only 2030 and 2045.
    let timeline = between(
        &html,
        "<figure class=\"ig-graphic ig-timeline\">",
        "</figure>",
    );
    assert!(timeline.contains(">2027</text>") && timeline.contains(">2035</text>"));
    let groups = section("ig-so-lieu");
    assert!(groups.contains("<span class=\"card-year\">2035</span> Tầm nhìn đến năm 2035"));
    // A declared list of another type than tasks.
    let solutions = section("giai-phap");
    for doc in docs_of("solution") {
        assert!(solutions.contains(&format!("href=\"{}\"", doc.href())));
    }
    // A figure that names no section is shown with the key figures.
    let more = section("ig-con-so");
    assert!(more.contains("<span class=\"ig-num\">12.000 tài liệu</span>"));
    assert!(more.contains("Chỉ tiêu nổi bật đến năm 2027 và 2035"));
}

#[test]
fn errors_on_an_infographic_section_naming_no_heading() {
    let site = SiteTest::fixture(FIXTURE);
    replace(
        &site,
        "content/infographic.md",
        "section: mang-luoi",
        "section: mang-luoj",
    );
    site.build().assert_fails_with(&[
        "content/infographic.md",
        "`section: mang-luoj` không phải mã của tiêu đề `##` nào của bài",
        "mang-luoi",
    ]);
    replace(
        &site,
        "content/infographic.md",
        "section: mang-luoj",
        "section: mang-luoi",
    );
    replace(
        &site,
        "content/infographic.md",
        "type: solution",
        "type: solutoin",
    );
    site.build()
        .assert_fails_with(&["`lists` nêu loại `solutoin`", "không khai báo loại đó"]);
}

/// Text files of the output (what a reader or a portal sees as text).
fn text_files(dir: &Path) -> Vec<(String, String)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            e.path()
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| {
                    ["html", "xml", "json", "csv", "js", "css", "txt", "svg"].contains(&x)
                })
        })
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().display().to_string(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn output_has_no_text_of_resolution_57() {
    let site = built();
    // Words of Resolution 57, its shipped site.yaml and the theme's old
    // Resolution-57 wording.
    const R57: &[&str] = &[
        "57-NQ",
        "Tô Lâm",
        "Bộ Chính trị",
        "chuyển đổi số",
        "CHUYỂN ĐỔI SỐ",
        "đổi mới sáng tạo",
        "TFP",
        "5G",
        "kỷ nguyên",
        "năm 2030",
        "năm 2045",
        "2030 và 2045",
        "-2045",
        "tam-nhin-2045",
        "Quan điểm chỉ đạo",
        "nhiệm vụ",
        "Nhiệm vụ",
        "MỤC TIÊU ĐẾN NĂM",
        "Số lần mỗi mục tiêu",
        "/nghi-quyet/",
        "/huong-dan/",
        "/phan-",
    ];
    let files = text_files(&site.public());
    assert!(files.len() > 40, "only {} text files", files.len());
    for (path, text) in &files {
        for needle in R57 {
            assert!(!text.contains(needle), "{path} contains `{needle}`");
        }
    }
}

// --- Failure cases, on copies of the corpus ---------------------------------

const TARGET: &str = "content/nghi-quyet-mau/muc-tieu/thu-vien-xa-2027.md";

/// Replaces `from` by `to` in a file of the copy (`from` must be there).
fn replace(site: &SiteTest, rel: &str, from: &str, to: &str) {
    let path = site.root().join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} has no `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn errors_on_a_year_that_is_not_a_number_and_keeps_the_old_output() {
    let site = built();
    let before = crate::harness::snapshot(&site.public());
    replace(&site, TARGET, "year: 2027", "year: \"năm 2030\"");
    site.build().assert_fails_with(&[
        "content/nghi-quyet-mau/muc-tieu/thu-vien-xa-2027.md:5:7: lỗi: trường `year` phải là một năm (số có 4 chữ số), nhưng đang là chuỗi \"năm 2030\"",
        "Dựng trang thất bại: 1 lỗi",
    ]);
    assert!(
        before == crate::harness::snapshot(&site.public()),
        "output changed"
    );
}

#[test]
fn errors_on_an_unknown_group_naming_the_valid_ones() {
    let site = SiteTest::fixture(FIXTURE);
    replace(&site, TARGET, "group: mang-luoi", "group: thu-vien");
    site.build().assert_fails_with(&[
        "content/nghi-quyet-mau/muc-tieu/thu-vien-xa-2027.md:6:8: lỗi: không có nhóm `thu-vien` trong danh sách `groups` của `content/nghi-quyet-mau/muc-tieu/_index.md`",
        "cách sửa: các nhóm hợp lệ: mang-luoi, thoi-quen-doc, tai-lieu-so, tam-nhin-2035",
    ]);
}

#[test]
fn errors_on_a_source_naming_no_guidance() {
    let site = SiteTest::fixture(FIXTURE);
    replace(&site, TARGET, "source: ke-hoach-tinh", "source: tinh-uy");
    site.build().assert_fails_with(&[
        "content/nghi-quyet-mau/muc-tieu/thu-vien-xa-2027.md:10:9: lỗi: không có tài liệu loại `guidance` nào mang mã `tinh-uy`",
        "cách sửa: các mã `guidance` hợp lệ: huong-dan-huyen, ke-hoach-tinh",
    ]);
}

/// Builds the copy and asserts it succeeds with exactly one warning,
/// containing each needle.
fn assert_one_warning(site: &SiteTest, needles: &[&str]) {
    let run = site.build();
    assert_warnings(&run, 1);
    for n in needles {
        assert!(run.stderr.contains(n), "missing `{n}` in:\n{}", run.stderr);
    }
}

#[test]
fn warns_on_a_misspelt_key() {
    let site = SiteTest::fixture(FIXTURE);
    replace(
        &site,
        "content/chi-so/ty-le-xa-co-thu-vien.md",
        "reviewed_on:",
        "reviewd_on:",
    );
    assert_one_warning(
        &site,
        &[
            "content/chi-so/ty-le-xa-co-thu-vien.md:12:1: cảnh báo: khoá `reviewd_on` không được khai báo cho loại `indicator`",
            "cách sửa: có phải ý bạn là: `reviewed_on`?",
        ],
    );
}

#[test]
fn warns_on_a_type_used_but_not_declared() {
    let site = SiteTest::fixture(FIXTURE);
    site.write(
        "content/bai-viet/bao-cao.md",
        "---\ntitle: \"Báo cáo mẫu\"\ntype: report\n---\nx\n",
    );
    assert_one_warning(
        &site,
        &[
            "content/bai-viet/bao-cao.md:3:7: cảnh báo: loại tài liệu `report` chưa được khai báo trong `types:` của site.yaml",
        ],
    );
}

#[test]
fn warns_on_an_unknown_string() {
    let site = SiteTest::fixture(FIXTURE);
    replace(
        &site,
        "site.yaml",
        "  search_placeholder:",
        "  search_placehold:",
    );
    assert_one_warning(
        &site,
        &[
            "site.yaml:15:1: cảnh báo: chuỗi giao diện `search_placehold` không có trong giao diện",
            "có phải ý bạn là: `search_placeholder`",
        ],
    );
}

#[test]
fn a_new_year_shows_on_the_targets_index_without_template_edits() {
    let site = SiteTest::fixture(FIXTURE);
    site.write(
        "content/nghi-quyet-mau/muc-tieu/kho-so-2031.md",
        "---\ntitle: \"Kho tài liệu số dùng chung\"\ntype: target\nid: kho-so-2031\nyear: 2031\ngroup: tai-lieu-so\nindicator: \"Kho tài liệu số dùng chung\"\nvalue: \"hoàn thành\"\nfigure: \"1 kho\"\nsource: ke-hoach-tinh\nweight: 9\n---\n",
    );
    site.build().assert_ok();
    let index = site.read("nghi-quyet-mau/muc-tieu/index.html");
    let y2031 = between(
        &index,
        "<h2 id=\"nam-2031\">Đến năm 2031</h2>",
        "<h2 id=\"nam-2035\">",
    );
    assert!(y2031.contains("<h3 id=\"nam-2031-tai-lieu-so\">"));
    assert!(y2031.contains("href=\"/nghi-quyet-mau/muc-tieu/kho-so-2031/\""));
    for doc in docs_of("target") {
        assert!(
            index.contains(&format!("href=\"{}\"", doc.href())),
            "{} vanished",
            doc.rel
        );
    }
}

#[test]
fn errors_on_a_list_entry_naming_a_missing_document() {
    let site = SiteTest::fixture(FIXTURE);
    replace(
        &site,
        "content/infographic.md",
        "target: thu-vien-xa-2027",
        "target: thu-vien-xa-2072",
    );
    site.build().assert_fails_with(&[
        "content/infographic.md:7:",
        "không có tài liệu loại `target` nào mang mã `thu-vien-xa-2072`",
        "thu-vien-xa-2027",
    ]);
}

#[test]
fn errors_on_a_list_entry_naming_a_missing_document_in_a_prefixed_list() {
    let site = SiteTest::fixture(FIXTURE);
    replace(
        &site,
        "content/infographic.md",
        "also_targets: [cau-lac-bo-doc-2027]",
        "also_targets: [cau-lac-bo-doc-2072]",
    );
    site.build().assert_fails_with(&[
        "content/infographic.md:7:",
        "không có tài liệu loại `target` nào mang mã `cau-lac-bo-doc-2072`",
        "cau-lac-bo-doc-2027",
    ]);
    replace(
        &site,
        "content/infographic.md",
        "also_targets: [cau-lac-bo-doc-2072]",
        "also_targets: cau-lac-bo-doc-2027",
    );
    site.build().assert_fails_with(&[
        "content/infographic.md:7:",
        "`also_targets` phải là một danh sách mã tài liệu loại `target`",
        "`also_targets: [ma-1, ma-2]`",
    ]);
}

#[test]
fn errors_on_a_search_weight_naming_no_field_or_the_title() {
    let site = SiteTest::fixture(FIXTURE);
    replace(
        &site,
        "site.yaml",
        "weights: {lead_agency: 2}",
        "weights: {lead_agnecy: 2, title: 5}",
    );
    site.build().assert_fails_with(&[
        "site.yaml:100:1: lỗi: `solution.search.weights` nêu trường `lead_agnecy` mà `solution` không khai báo",
        "`lead_agency`",
        "site.yaml:100:1: lỗi: `solution.search.weights` đặt trọng số cho `title`",
    ]);
}

#[test]
fn errors_on_a_share_card_placeholder_naming_no_field() {
    let site = SiteTest::fixture(FIXTURE);
    replace(&site, "site.yaml", "{target_year}", "{target_yaer}");
    site.build()
        .assert_fails_with(&["site.yaml:86:", "dùng `{target_yaer}`", "`{target_year}`"]);
}
