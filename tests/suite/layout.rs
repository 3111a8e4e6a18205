//! Readers first (issue 15): the default theme's navigation, question
//! pages, search without JavaScript, 404, footer, document numbers and the
//! infographic, on a resolution shaped unlike the shipped one (fixture
//! `layout`: targets for 2027 and 2035 in three groups, a Q&A book without
//! parts, an infographic whose figures name no section).

use crate::harness::SiteTest;

/// The text between `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no `{start}` in:\n{html}"));
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The site's navigation (the drawer, a sidebar on wide screens).
fn sidebar(page: &str) -> &str {
    between(page, "<nav class=\"sidebar\" id=\"danh-muc\"", "</nav>")
}

/// Asserts that the navigation `nav` holds `needle`.
fn has(nav: &str, needle: &str) {
    assert!(nav.contains(needle), "no `{needle}` in:\n{nav}");
}

fn built() -> SiteTest {
    let site = SiteTest::fixture("layout");
    let run = site.build();
    run.assert_ok();
    assert!(run.stderr.contains(" 0 cảnh báo"), "{}", run.stderr);
    site
}

#[test]
fn infographic_draws_its_graphics_from_the_declared_figures_whatever_the_years() {
    let site = built();
    let page = site.read("tom-tat/index.html");
    let timeline = between(
        &page,
        "<figure class=\"ig-graphic ig-timeline\">",
        "</figure>",
    );
    let years: Vec<&str> = timeline
        .split("class=\"year\"")
        .skip(1)
        .map(|s| s.split('>').nth(1).unwrap().split('<').next().unwrap())
        .collect();
    // The resolution's date, the guidance's date, then each target year.
    assert_eq!(years, ["2026", "2026", "2027", "2035"], "{timeline}");
    assert!(timeline.contains("4 chỉ tiêu") && timeline.contains("5 chỉ tiêu"));
    // Every graphic is an image with a title and a description of its data.
    let svgs: Vec<&str> = page.split("<svg ").skip(1).collect();
    let graphics: Vec<&&str> = svgs.iter().filter(|s| s.contains("role=\"img\"")).collect();
    assert!(graphics.len() >= 10, "{} graphics", graphics.len());
    for g in &graphics {
        assert!(g.contains("<title id=") && g.contains("<desc id="), "{g}");
    }
    for chart in [
        "Tỉ trọng trong GDP",
        "Thứ hạng",
        "Số lượng",
        "tỉ lệ phần trăm",
    ] {
        assert!(page.contains(chart), "chart `{chart}`");
    }
    assert!(page.contains("Kinh tế D (2027): ≥15% GDP; Kinh tế D (2035): ≥20% GDP"));
    // A pictogram per group of each year, the declared icon drawn.
    assert_eq!(page.matches("class=\"ig-group\"").count(), 6);
    // The figures as the summary prints them; a target that writes its
    // figure otherwise is marked with its own words and source.
    assert!(
        page.contains("<span class=\"ig-num\">&gt; 45%</span>"),
        "{page}"
    );
    assert!(page.contains("<p class=\"ig-num\">TOP 10<sup>*</sup></p>"));
    assert!(page.contains(
        "Bản tóm tắt ghi “TOP 10”; Hướng dẫn của Tỉnh ghi “nhóm 10 nước dẫn đầu khu vực”."
    ));
    for other in ["2030", "2045", "57-NQ/TW", "Bộ Chính trị"] {
        assert!(
            !page.contains(other),
            "`{other}` comes from no file of this site"
        );
    }
}

#[test]
fn an_infographic_figure_naming_no_target_is_an_error() {
    let site = SiteTest::fixture("layout");
    let text = std::fs::read_to_string(site.root().join("content/tom-tat.md")).unwrap();
    site.write(
        "content/tom-tat.md",
        &text.replace("target: \"ty-le-a-2027\"", "target: \"ty-le-z-2027\""),
    );
    site.build().assert_fails_with(&[
        "content/tom-tat.md:6:",
        "không có tài liệu loại `target` nào mang mã `ty-le-z-2027`",
        "ty-le-a-2027",
    ]);
}

#[test]
fn figure_cards_show_year_value_and_source_and_the_overview_lists_each_figure_with_its_year() {
    let site = built();
    let index = site.read("nghi-quyet/chi-tieu/index.html");
    // The figures come before the text they are quoted from.
    assert!(index.find("class=\"figure-card\"").unwrap() < index.find("Đoạn nguyên văn").unwrap());
    let card = between(
        &index,
        "<a class=\"figure-card\" href=\"/nghi-quyet/chi-tieu/ty-le-b-2027/\"",
        "</a>",
    );
    for part in [
        "≥60%",
        "Tỉ lệ B",
        ">2027<",
        "ít nhất 60%",
        "Nguồn: Hướng dẫn của Tỉnh",
    ] {
        assert!(card.contains(part), "`{part}` in {card}");
    }
    for anchor in [
        "id=\"nam-2027\"",
        "id=\"nam-2035\"",
        "id=\"nam-2035-moi-truong\"",
    ] {
        assert!(index.contains(anchor), "{anchor}");
    }
    let overview = site.read("nghi-quyet/index.html");
    let item = between(
        &overview,
        "href=\"/nghi-quyet/chi-tieu/khu-xanh-2035/\"",
        "</a>",
    );
    assert!(item.contains("≥8 khu") && item.contains(">2035<"), "{item}");
}

#[test]
fn a_question_shows_the_way_up_its_neighbours_marked_and_previous_and_next() {
    let site = built();
    let page = site.read("hoi-dap/cau-4/index.html");
    let crumbs = between(&page, "<nav class=\"breadcrumbs\"", "</nav>");
    assert!(crumbs.contains("href=\"/hoi-dap/\""), "{crumbs}");
    assert!(!crumbs.contains("Câu hỏi 4"), "no title repeated: {crumbs}");
    let near = between(&page, "<nav class=\"section-nav\"", "</nav>");
    let hrefs: Vec<&str> = near
        .split("<li><a href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert_eq!(
        hrefs,
        [
            "/hoi-dap/cau-2/",
            "/hoi-dap/cau-3/",
            "/hoi-dap/cau-4/",
            "/hoi-dap/cau-5/",
            "/hoi-dap/cau-6/"
        ]
    );
    assert_eq!(near.matches("aria-current=\"page\"").count(), 1);
    assert!(near.contains("href=\"/hoi-dap/cau-4/\" aria-current=\"page\""));
    assert!(page.contains("rel=\"prev\" href=\"/hoi-dap/cau-3/\""));
    assert!(page.contains("rel=\"next\" href=\"/hoi-dap/cau-5/\""));
    // The drawer (a sidebar on wide screens) lists the section, this page marked.
    let nav = sidebar(&page);
    has(nav, "href=\"/hoi-dap/\" aria-current=\"true\"");
    has(nav, "href=\"/hoi-dap/cau-4/\" aria-current=\"page\"");
    // The home's pages are in the menu.
    has(nav, "href=\"/tom-tat/\">Tóm tắt<");
    assert!(page.contains("href=\"#danh-muc\"") && page.contains("href=\"#tim-kiem\""));
}

/// The menu is rendered once per place (a section's pages share one); on
/// every page the links to the page itself, and only those, are marked as
/// the page, and the sections above it, and only those, as open.
#[test]
fn every_page_s_menu_marks_that_page_and_the_sections_above_it() {
    let site = built();
    let public = site.public();
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(&public) {
        let path = entry.unwrap().into_path();
        let rel = path
            .strip_prefix(&public)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Some(dir) = rel.strip_suffix("index.html") else {
            continue;
        };
        let page = std::fs::read_to_string(&path).unwrap();
        if dir.starts_with("embed/") || !page.contains("id=\"danh-muc\"") {
            continue;
        }
        let href = format!("/{dir}");
        let nav = sidebar(&page);
        let own = format!("href=\"{href}\"");
        assert_eq!(
            nav.matches(&own).count(),
            nav.matches(&format!("{own} aria-current=\"page\"")).count(),
            "{href}: each link to the page is marked:\n{nav}"
        );
        assert_eq!(
            nav.matches("aria-current=\"page\"").count(),
            nav.matches(&own).count(),
            "{href}: no other link is marked as the page:\n{nav}"
        );
        for open in nav
            .split(" aria-current=\"true\"")
            .map(|s| s.rsplit("href=\"").next().unwrap())
        {
            let Some(open) = open.strip_suffix('"') else {
                continue;
            };
            assert!(
                href.starts_with(open) && href != open && open != "/",
                "{href}: `{open}` is marked open but is not above the page:\n{nav}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 20, "{checked} pages checked");
    let home = site.read("index.html");
    assert!(
        home.contains("<li><a href=\"/\" aria-current=\"page\">"),
        "{home}"
    );
    // A page of a nested section: the way to its section under the open one.
    let target = site.read("nghi-quyet/chi-tieu/khu-xanh-2027/index.html");
    let nav = sidebar(&target);
    has(nav, "href=\"/nghi-quyet/\" aria-current=\"true\"");
    has(
        nav,
        "<a class=\"nav-sub\" href=\"/nghi-quyet/chi-tieu/\" aria-current=\"true\">",
    );
    // A top-level section's own page lists its subsections under it.
    let section = site.read("nghi-quyet/index.html");
    let nav = sidebar(&section);
    has(
        nav,
        "<li class=\"nav-open\"><a href=\"/nghi-quyet/\" aria-current=\"page\">",
    );
    has(nav, "<li><a href=\"/nghi-quyet/chi-tieu/\">");
    // The pages made besides the documents show the menu with nothing open.
    let missing = site.read("404.html");
    let nav = sidebar(&missing);
    assert!(
        nav.contains("href=\"/hoi-dap/\"") && !nav.contains("aria-current"),
        "{nav}"
    );
}

/// A template in `partials/site/` is a site part: rendered once with the
/// shared context and shown by every page, the search and 404 pages
/// included, as `parts.<name>`; an error in it names its file and line.
#[test]
fn a_site_part_of_the_theme_is_on_every_page() {
    let site = SiteTest::fixture("layout");
    site.write(
        "themes/default/templates/partials/site/notice.html",
        "<p class=\"notice\">{{ site.title }} · {{ t.home }}</p>",
    );
    let base =
        std::fs::read_to_string(crate::harness::repo().join("themes/default/templates/base.html"))
            .unwrap();
    site.write(
        "themes/default/templates/base.html",
        &base.replace(
            "<main id=\"noi-dung\">",
            "{{ parts.notice | safe }}<main id=\"noi-dung\">",
        ),
    );
    site.build().assert_ok();
    let notice = "<p class=\"notice\">Nghị quyết thử số 09-NQ/TU · Trang chủ</p><main";
    for page in [
        "index.html",
        "hoi-dap/cau-4/index.html",
        "tim-kiem/index.html",
        "404.html",
    ] {
        let html = site.read(page);
        assert!(html.contains(notice), "{page}");
        // The default theme's own parts: the header and the footer.
        assert!(
            html.contains("<a class=\"hbtn hbtn-menu\" href=\"#danh-muc\">"),
            "{page}"
        );
        assert!(html.contains("<p class=\"generator\">"), "{page}");
    }
    site.write(
        "themes/default/templates/partials/site/notice.html",
        "<p>\n{{ khong_co }}</p>",
    );
    site.build()
        .assert_fails_with(&["themes/default/templates/partials/site/notice.html:2:"]);
}

#[test]
fn without_javascript_the_search_page_lists_every_page_and_the_404_page_offers_search_and_sections()
{
    let site = built();
    let search = site.read("tim-kiem/index.html");
    let list = between(
        &search,
        "<div class=\"search-nojs\" data-search-nojs>",
        "</article>",
    );
    for href in [
        "/hoi-dap/cau-1/",
        "/hoi-dap/cau-6/",
        "/nghi-quyet/chi-tieu/hoan-thanh-2035/",
        "/huong-dan/tinh/",
        "/tom-tat/",
        "/nghi-quyet/",
    ] {
        assert!(
            list.contains(&format!("href=\"{href}\"")),
            "{href} in {list}"
        );
    }
    let not_found = site.read("404.html");
    assert!(not_found.contains("action=\"/tim-kiem/\""));
    for href in ["/nghi-quyet/", "/huong-dan/", "/hoi-dap/", "/tom-tat/"] {
        assert!(
            not_found.contains(&format!("<li><a href=\"{href}\">")),
            "{href}"
        );
    }
}

#[test]
fn the_footer_names_the_publisher_and_document_numbers_stay_on_one_line() {
    let site = built();
    let page = site.read("hoi-dap/cau-1/index.html");
    assert!(page.contains("Đơn vị thực hiện: Ban Tuyên giáo thử nghiệm"));
    // In the title, in the body, never inside an attribute.
    assert!(page.contains(
        "<h1>Câu hỏi 1: Nghị quyết số <span class=\"nw\">09-NQ/TU</span> nói gì về điều thứ 1?</h1>"
    ));
    assert!(page.contains("theo Nghị quyết số <span class=\"nw\">09-NQ/TU</span>, xem"));
    assert!(page.contains("<title>Câu hỏi 1: Nghị quyết số 09-NQ/TU nói gì"));
}
