//! Fuzzes the Markdown renderer and the link/reference classification it
//! drives: every destination goes through a resolver that also exercises
//! scheme splitting, path normalisation and percent decoding, and raw HTML
//! whose URL attributes are rewritten.
#![no_main]
use libfuzzer_sys::fuzz_target;
use nqsite::markdown::{LinkOutcome, RefKind, render};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let resolve = |dest: &str, kind: RefKind| {
        if let Some(bytes) = nqsite::text::percent_decode(dest) {
            assert!(bytes.len() <= dest.len());
        }
        if dest.ends_with(".md") || dest.contains(':') {
            LinkOutcome::Internal { href: format!("/x/{}", dest.len()), target: 0, anchor: dest.split_once('#').map(|(_, a)| a.to_string()) }
        } else if dest.starts_with('/') || kind == RefKind::Image {
            LinkOutcome::Path { href: format!("/p{dest}"), path: dest.to_string(), anchor: None, asset: None }
        } else {
            LinkOutcome::Keep
        }
    };
    let r = render(text, &Default::default(), &resolve);
    let lines = text.matches('\n').count() + 1;
    let inside = |(line, col): (usize, usize)| (1..=lines).contains(&line) && col >= 1;
    let positions = r.paths.iter().map(|p| p.at)
        .chain(r.raw_html.iter().map(|h| h.at))
        .chain(r.broken.iter().map(|b| b.at))
        .chain(r.links.iter().map(|l| l.at));
    for at in positions {
        assert!(inside(at), "{at:?}");
    }
    for h in r.raw_html.iter() {
        assert!(h.quote.chars().count() <= nqsite::markdown::HTML_QUOTE + 1);
    }
    for link in r.links.iter() {
        assert!(link.text_pos <= r.text.len());
    }
    let found = nqsite::markdown::find(text, &Default::default(), &resolve);
    assert!(found.html.is_empty());
    assert_eq!((&found.headings, &found.links, &found.text), (&r.headings, &r.links, &r.text));
    let ids: std::collections::HashSet<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids.len(), r.headings.len(), "heading ids are unique");
    for l in r.links.iter() {
        assert_eq!(*l.excerpt, nqsite::markdown::excerpt(&r.text, l.text_pos));
    }
});
