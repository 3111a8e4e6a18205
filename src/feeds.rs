//! Site-wide files derived from every page: `sitemap.xml`, `robots.txt` and
//! an Atom feed of dated documents. All output is deterministic: dates come
//! from the content, never from the clock.
//!
//! Sitemaps and feeds name pages by absolute URL, so they need a `base_url`
//! with a host. Without one, no `sitemap.xml` is written (the protocol has no
//! relative form), `robots.txt` has no `Sitemap:` line, and the feed links
//! its entries relative to itself with `urn:uuid:` ids (valid Atom, right
//! wherever the site is copied); the build says so once, in a note.

use crate::context::site_title;
use crate::diag::Diagnostic;
use crate::fsutil::hash64;
use crate::markdown::escape_attr as xml_escape;
use crate::resolve::Site;
use crate::text::Date;

/// `sitemap.xml` listing every page, or `None` without a host.
pub fn sitemap(site: &Site) -> Option<String> {
    site.config.origin.as_ref()?;
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
        if let Some(d) = changed(site, i) {
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
    Some(out)
}

/// `robots.txt` allowing everything, pointing to the sitemap when there is one.
pub fn robots(site: &Site) -> String {
    let mut out = String::from("User-agent: *\nAllow: /\n");
    if site.config.origin.is_some() {
        out.push_str(&format!(
            "Sitemap: {}\n",
            site.config.absolute("sitemap.xml")
        ));
    }
    out
}

/// The note of a build whose `base_url` has no host: nothing it writes is
/// wrong, but search engines get no sitemap. A note, not a warning: a site
/// that is not published yet (or only copied to USB sticks) is fine as it is.
pub fn no_host_note(site: &Site) -> Option<Diagnostic> {
    if site.config.origin.is_some() {
        return None;
    }
    Some(
        Diagnostic::note(
            crate::config::CONFIG_FILE,
            0,
            0,
            "`base_url` không có tên miền: không viết sitemap.xml, và atom.xml chỉ có địa chỉ tương đối",
        )
        .hint("đặt địa chỉ đầy đủ của trang web, ví dụ `base_url: https://tinh.gov.vn/nq57/` trong site.yaml (hoặc `--base-url`), để có sitemap.xml và nguồn tin dùng được ở mọi nơi"),
    )
}

/// Most entries kept in the feed.
const FEED_LIMIT: usize = 50;

/// When node `i` last changed: `lastmod`, else `date`.
fn changed(site: &Site, i: usize) -> Option<Date> {
    let fm = &site.nodes[i].doc.fm;
    fm.lastmod.or(fm.date)
}

/// An Atom feed (RFC 4287) of the dated documents, newest first.
pub fn atom(site: &Site) -> String {
    let mut dated: Vec<usize> = (0..site.nodes.len())
        .filter(|&i| site.nodes[i].doc.fm.date.is_some())
        .collect();
    dated.sort_by(|&a, &b| {
        let instant = |d: &crate::content::Document| d.fm.date.map(|d| d.instant());
        let (da, db) = (&site.nodes[a].doc, &site.nodes[b].doc);
        instant(db)
            .cmp(&instant(da))
            .then_with(|| da.rel.cmp(&db.rel))
    });
    dated.truncate(FEED_LIMIT);
    let updated = dated
        .iter()
        .filter_map(|&i| changed(site, i))
        .max_by_key(|d| d.instant())
        .map_or("1970-01-01T00:00:00Z".into(), |d| d.rfc3339());
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"vi\">\n",
    );
    out.push_str(&format!(
        "  <title>{}</title>\n",
        xml_escape(site_title(site))
    ));
    out.push_str(&format!("  <id>{}</id>\n", xml_escape(&feed_id(site, ""))));
    out.push_str(&format!(
        "  <link href=\"{}\"/>\n",
        xml_escape(&url(site, ""))
    ));
    out.push_str(&format!(
        "  <link rel=\"self\" href=\"{}\"/>\n",
        xml_escape(&url(site, "atom.xml"))
    ));
    out.push_str(&format!("  <updated>{updated}</updated>\n"));
    // RFC 4287 wants an author for the feed (or every entry): the site's
    // author (the profile's office), else the site itself as publisher.
    let publisher = site.config.author.as_deref().unwrap_or(site_title(site));
    out.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        xml_escape(publisher)
    ));
    for i in dated {
        out.push_str(&entry(site, i));
    }
    out.push_str("</feed>\n");
    out
}

fn entry(site: &Site, i: usize) -> String {
    let n = &site.nodes[i];
    let fm = &n.doc.fm;
    let mut out = String::from("  <entry>\n");
    out.push_str(&format!("    <title>{}</title>\n", xml_escape(&fm.title)));
    out.push_str(&format!(
        "    <id>{}</id>\n    <link href=\"{}\"/>\n",
        xml_escape(&feed_id(site, &n.path)),
        xml_escape(&url(site, &n.path))
    ));
    let updated = changed(site, i).map(|d| d.rfc3339()).unwrap_or_default();
    out.push_str(&format!("    <updated>{updated}</updated>\n"));
    if let (Some(_), Some(date)) = (fm.lastmod, fm.date) {
        out.push_str(&format!("    <published>{}</published>\n", date.rfc3339()));
    }
    if let Some(author) = fm.author() {
        out.push_str(&format!(
            "    <author><name>{}</name></author>\n",
            xml_escape(author)
        ));
    }
    if let Some(d) = &fm.description {
        out.push_str(&format!("    <summary>{}</summary>\n", xml_escape(d)));
    }
    out.push_str("  </entry>\n");
    out
}

/// The feed's link to a site path: absolute with a host, else relative to
/// the feed itself (which sits at the site's root).
fn url(site: &Site, path: &str) -> String {
    match &site.config.origin {
        Some(_) => site.config.absolute(path),
        None if path.is_empty() => "./".into(),
        None => path.to_string(),
    }
}

/// The permanent id of the feed (`path` empty) or of an entry: its absolute
/// URL with a host, else a name-based `urn:uuid:` (RFC 9562 version 8) of
/// the site's title and the path, stable from build to build.
fn feed_id(site: &Site, path: &str) -> String {
    if site.config.origin.is_some() {
        return site.config.absolute(path);
    }
    let name = format!("{}\u{0}{}{path}", site_title(site), site.config.base_path);
    let hi = hash64(format!("nqsite-feed-a\u{0}{name}").as_bytes());
    let lo = hash64(format!("nqsite-feed-b\u{0}{name}").as_bytes());
    let hi = (hi & !0xf000) | 0x8000; // version 8
    let lo = (lo & !(0b11 << 62)) | (0b10 << 62); // RFC variant
    format!(
        "urn:uuid:{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_without_a_host_are_version_8_uuids() {
        let site = crate::resolve::resolve(crate::config::Config::default(), Vec::new()).unwrap();
        let id = feed_id(&site, "a/");
        assert_eq!(id.len(), "urn:uuid:".len() + 36, "{id}");
        let hex = &id["urn:uuid:".len()..];
        assert_eq!(&hex[14..15], "8", "{id}");
        assert!(matches!(&hex[19..20], "8" | "9" | "a" | "b"), "{id}");
        assert_ne!(feed_id(&site, "a/"), feed_id(&site, "b/"));
        assert_eq!(feed_id(&site, "a/"), id);
    }
}
