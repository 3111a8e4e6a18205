//! Site-wide files derived from every page: `sitemap.xml`, `robots.txt` and
//! an Atom feed of dated documents. All output is deterministic: dates come
//! from the content, never from the clock.

use crate::context::site_title;
use crate::markdown::escape_attr as xml_escape;
use crate::resolve::Site;

/// `sitemap.xml` listing every page.
pub fn sitemap(site: &Site) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut paths: Vec<(&str, usize)> = site
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.path.as_str(), i))
        .collect();
    paths.sort();
    for (path, i) in paths {
        out.push_str("  <url><loc>");
        out.push_str(&xml_escape(&site.config.absolute(path)));
        out.push_str("</loc>");
        if let Some(d) = site.nodes[i].doc.fm.date {
            let when = if d.time.is_some() {
                d.rfc3339()
            } else {
                d.iso()
            };
            out.push_str(&format!("<lastmod>{when}</lastmod>"));
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// `robots.txt` allowing everything and pointing to the sitemap.
pub fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}\n",
        site.config.absolute("sitemap.xml")
    )
}

/// Most entries kept in the feed.
const FEED_LIMIT: usize = 50;

/// An Atom feed of the dated documents, newest first.
pub fn atom(site: &Site) -> String {
    let mut dated: Vec<usize> = (0..site.nodes.len())
        .filter(|&i| site.nodes[i].doc.fm.date.is_some())
        .collect();
    dated.sort_by(|&a, &b| {
        let (da, db) = (&site.nodes[a].doc, &site.nodes[b].doc);
        let instant = |d: &crate::content::Document| d.fm.date.map(|d| d.instant());
        instant(db)
            .cmp(&instant(da))
            .then_with(|| da.rel.cmp(&db.rel))
    });
    dated.truncate(FEED_LIMIT);
    let updated = dated
        .first()
        .and_then(|&i| site.nodes[i].doc.fm.date)
        .map_or("1970-01-01T00:00:00Z".into(), |d| d.rfc3339());
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"vi\">\n",
    );
    out.push_str(&format!(
        "  <title>{}</title>\n",
        xml_escape(site_title(site))
    ));
    out.push_str(&format!(
        "  <id>{}</id>\n",
        xml_escape(&site.config.absolute(""))
    ));
    out.push_str(&format!(
        "  <link href=\"{}\"/>\n",
        xml_escape(&site.config.absolute(""))
    ));
    out.push_str(&format!(
        "  <link rel=\"self\" href=\"{}\"/>\n",
        xml_escape(&site.config.absolute("atom.xml"))
    ));
    out.push_str(&format!("  <updated>{updated}</updated>\n"));
    if let Some(author) = &site.config.author {
        out.push_str(&format!(
            "  <author><name>{}</name></author>\n",
            xml_escape(author)
        ));
    }
    for i in dated {
        let n = &site.nodes[i];
        let url = xml_escape(&site.config.absolute(&n.path));
        let date = n.doc.fm.date.map(|d| d.rfc3339()).unwrap_or_default();
        out.push_str("  <entry>\n");
        out.push_str(&format!(
            "    <title>{}</title>\n",
            xml_escape(&n.doc.fm.title)
        ));
        out.push_str(&format!("    <id>{url}</id>\n    <link href=\"{url}\"/>\n"));
        out.push_str(&format!("    <updated>{date}</updated>\n"));
        if let Some(d) = &n.doc.fm.description {
            out.push_str(&format!("    <summary>{}</summary>\n", xml_escape(d)));
        }
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}
