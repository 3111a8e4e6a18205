//! Markdown rendering: a pure function from a document body (plus a link
//! resolver) to HTML, its headings and the links it makes. No I/O.
//!
//! Dialect: CommonMark with tables, footnotes, strikethrough and explicit
//! heading ids (`## Tiêu đề {#id}`); smart punctuation stays off so official
//! text keeps its quotes and dashes exactly as written.

pub mod highlight;

use std::collections::HashMap;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, html,
};
use serde::Serialize;

use crate::text::slugify;

/// A heading of a rendered document.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The unique id on the page.
    pub id: String,
    /// The heading's plain text.
    pub text: String,
}

/// What a link destination turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkOutcome {
    /// Leave it as written (external links, plain files).
    Keep,
    /// Write this href instead (root-relative paths under a base path).
    Rewrite(String),
    /// A link to a document of the site (and maybe an anchor in it).
    Internal {
        /// The href to write.
        href: String,
        /// Index of the target document.
        target: usize,
        /// Anchor inside the target, without `#`.
        anchor: Option<String>,
    },
    /// A link that cannot be resolved.
    Broken {
        /// What is wrong (Vietnamese).
        message: String,
        /// How to fix it (Vietnamese).
        hint: String,
    },
}

/// An internal link found while rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundLink {
    /// Index of the target document.
    pub target: usize,
    /// Anchor inside the target.
    pub anchor: Option<String>,
    /// Byte offset of the link in the body.
    pub offset: usize,
    /// The destination as the author wrote it.
    pub dest: String,
    /// The link text (plain), for "mentioned in" excerpts.
    pub text: String,
    /// The id of the closest heading before the link.
    pub near: Option<String>,
    /// The id given to the link element itself (`ref-…`), for deep links.
    pub id: Option<String>,
    /// Byte offset of the link in [`Rendered::text`], for excerpts.
    pub text_pos: usize,
}

/// A link that could not be resolved, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    /// Byte offset of the link in the body.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

/// The result of rendering one document.
#[derive(Debug, Default, Clone)]
pub struct Rendered {
    /// Body HTML (shared: serve reuses unchanged bodies between builds).
    pub html: std::sync::Arc<str>,
    /// Headings in order, with their ids.
    pub headings: std::sync::Arc<[Heading]>,
    /// Internal links, resolved (shared; serve patches a copy only when
    /// target indices moved).
    pub links: std::sync::Arc<Vec<FoundLink>>,
    /// Links that could not be resolved.
    pub broken: Vec<BrokenLink>,
    /// Plain text of the body (for search and descriptions).
    pub text: std::sync::Arc<str>,
    /// True if the body has a fenced code block.
    pub has_code: bool,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders `body`; `resolve` decides what each link destination points to.
pub fn render(body: &str, resolve: &dyn Fn(&str) -> LinkOutcome) -> Rendered {
    let mut r = Renderer {
        resolve,
        ..Renderer::default_with(body.len())
    };
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        r.event(event, range.start);
    }
    let mut html = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut html, r.events.into_iter());
    let html = match crate::text::nobreak_doc_numbers(&html) {
        std::borrow::Cow::Owned(wrapped) => wrapped,
        std::borrow::Cow::Borrowed(_) => html,
    };
    Rendered {
        html: html.into(),
        headings: r.headings.into(),
        links: std::sync::Arc::new(r.links),
        broken: r.broken,
        text: r.text.into(),
        has_code: r.has_code,
    }
}

/// Returns the plain text of Markdown (for titles and excerpts).
pub fn plain_text(md: &str) -> String {
    let mut s = String::new();
    for e in Parser::new_ext(md, options()) {
        if let Event::Text(t) | Event::Code(t) = e {
            s.push_str(&t);
        }
    }
    s
}

struct Renderer<'a> {
    resolve: &'a dyn Fn(&str) -> LinkOutcome,
    events: Vec<Event<'a>>,
    heading: Option<HeadingBuf<'a>>,
    code: Option<(String, String)>,
    link_stack: Vec<Option<usize>>,
    headings: Vec<Heading>,
    used_ids: HashMap<String, usize>,
    footnotes: HashMap<String, usize>,
    links: Vec<FoundLink>,
    broken: Vec<BrokenLink>,
    text: String,
    has_code: bool,
}

struct HeadingBuf<'a> {
    level: HeadingLevel,
    id: Option<String>,
    classes: Vec<String>,
    inner: Vec<Event<'a>>,
    text: String,
}

impl<'a> Renderer<'a> {
    fn default_with(len: usize) -> Self {
        Renderer {
            resolve: &|_| LinkOutcome::Keep,
            events: Vec::with_capacity(len / 16),
            heading: None,
            code: None,
            link_stack: Vec::new(),
            headings: Vec::new(),
            used_ids: HashMap::new(),
            footnotes: HashMap::new(),
            links: Vec::new(),
            broken: Vec::new(),
            text: String::with_capacity(len),
            has_code: false,
        }
    }

    fn event(&mut self, event: Event<'a>, offset: usize) {
        if let Some((_, buf)) = &mut self.code {
            match event {
                Event::Text(t) => buf.push_str(&t),
                Event::End(TagEnd::CodeBlock) => self.end_code(),
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(Tag::Heading {
                level, id, classes, ..
            }) => {
                self.heading = Some(HeadingBuf {
                    level,
                    id: id.map(|s| s.to_string()),
                    classes: classes.iter().map(|c| c.to_string()).collect(),
                    inner: Vec::new(),
                    text: String::new(),
                });
            }
            Event::End(TagEnd::Heading(_)) => self.end_heading(),
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => {
                        l.split([' ', ',']).next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                self.has_code = true;
                self.code = Some((lang, String::new()));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let event = self.link(link_type, dest_url, title, id, offset);
                self.push(event);
            }
            Event::End(TagEnd::Link) => {
                self.link_stack.pop();
                self.push(event);
            }
            Event::FootnoteReference(label) => {
                let n = self.footnote_number(&label);
                let id = slugify(&label);
                self.push(Event::Html(
                    format!(
                        "<sup class=\"fnref\" id=\"fnref-{id}\"><a href=\"#fn-{id}\">{n}</a></sup>"
                    )
                    .into(),
                ));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let n = self.footnote_number(&label);
                let id = slugify(&label);
                self.push(Event::Html(
                    format!("<div class=\"footnote\" id=\"fn-{id}\"><a class=\"fn-back\" href=\"#fnref-{id}\">{n}.</a>")
                        .into(),
                ));
            }
            Event::End(TagEnd::FootnoteDefinition) => self.push(Event::Html("</div>\n".into())),
            Event::Text(ref t) | Event::Code(ref t) => {
                self.add_text(t);
                self.push(event);
            }
            Event::SoftBreak | Event::HardBreak => {
                self.add_text(" ");
                self.push(event);
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell) => {
                self.text.push('\n');
                self.push(event);
            }
            other => self.push(other),
        }
    }

    fn push(&mut self, e: Event<'a>) {
        match &mut self.heading {
            Some(h) => h.inner.push(e),
            None => self.events.push(e),
        }
    }

    fn add_text(&mut self, t: &str) {
        if let Some(h) = &mut self.heading {
            h.text.push_str(t);
        }
        self.text.push_str(t);
        if let Some(Some(i)) = self.link_stack.last() {
            self.links[*i].text.push_str(t);
        }
    }

    fn footnote_number(&mut self, label: &str) -> usize {
        let next = self.footnotes.len() + 1;
        *self.footnotes.entry(label.to_string()).or_insert(next)
    }

    fn unique_id(&mut self, wanted: &str) -> String {
        let base = if wanted.is_empty() {
            "muc".to_string()
        } else {
            wanted.to_string()
        };
        // `used_ids` maps every id given out to the next suffix to try for it,
        // so `a`, `a`, `a-1` gives `a`, `a-1`, `a-1-1`: never twice the same.
        let mut candidate = base.clone();
        let mut n = self.used_ids.get(&base).copied().unwrap_or(0);
        while self.used_ids.contains_key(&candidate) {
            n += 1;
            candidate = format!("{base}-{n}");
        }
        self.used_ids.insert(base, n);
        self.used_ids.insert(candidate.clone(), 0);
        candidate
    }

    fn end_heading(&mut self) {
        let Some(h) = self.heading.take() else { return };
        let wanted = h.id.clone().unwrap_or_else(|| slugify(&h.text));
        let id = self.unique_id(&wanted);
        let level = h.level as u8;
        let mut inner = String::new();
        html::push_html(&mut inner, h.inner.into_iter());
        let class = if h.classes.is_empty() {
            String::new()
        } else {
            format!(" class=\"{}\"", escape_attr(&h.classes.join(" ")))
        };
        self.events.push(Event::Html(
            format!(
                "<h{level} id=\"{}\"{class}>{inner}</h{level}>\n",
                escape_attr(&id)
            )
            .into(),
        ));
        self.text.push('\n');
        self.headings.push(Heading {
            level,
            id,
            text: h.text.trim().to_string(),
        });
    }

    fn end_code(&mut self) {
        let Some((lang, code)) = self.code.take() else {
            return;
        };
        let html = highlight::highlight(&code, &lang);
        self.events.push(Event::Html(html.into()));
    }

    /// Resolves a link and returns the event that opens it. Links to other
    /// documents carry an id (`ref-…`) so "mentioned in" lists can point to
    /// the exact place.
    fn link(
        &mut self,
        link_type: LinkType,
        dest: CowStr<'a>,
        title: CowStr<'a>,
        id: CowStr<'a>,
        offset: usize,
    ) -> Event<'a> {
        let keep = |dest_url| {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title: title.clone(),
                id: id.clone(),
            })
        };
        match (self.resolve)(&dest) {
            LinkOutcome::Keep => {
                self.link_stack.push(None);
                keep(dest)
            }
            LinkOutcome::Rewrite(href) => {
                self.link_stack.push(None);
                keep(href.into())
            }
            LinkOutcome::Broken { message, hint } => {
                self.broken.push(BrokenLink {
                    offset,
                    message,
                    hint,
                });
                self.link_stack.push(None);
                keep(dest)
            }
            LinkOutcome::Internal {
                href,
                target,
                anchor,
            } => {
                let near = self.headings.last().map(|h| h.id.clone());
                let ref_id = (!dest.starts_with('#')).then(|| {
                    let base = format!("ref-{}", slugify(dest.split('#').next().unwrap_or("")));
                    self.unique_id(&base)
                });
                self.links.push(FoundLink {
                    target,
                    anchor,
                    offset,
                    dest: dest.to_string(),
                    text: String::new(),
                    near,
                    id: ref_id.clone(),
                    text_pos: self.text.len(),
                });
                self.link_stack.push(Some(self.links.len() - 1));
                match ref_id {
                    None => keep(href.into()),
                    Some(rid) => {
                        let title_attr = if title.is_empty() {
                            String::new()
                        } else {
                            format!(" title=\"{}\"", escape_attr(&title))
                        };
                        Event::Html(
                            format!(
                                "<a href=\"{}\" id=\"{rid}\"{title_attr}>",
                                escape_attr(&href)
                            )
                            .into(),
                        )
                    }
                }
            }
        }
    }
}

/// Escapes text for an HTML attribute value.
pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keep(_: &str) -> LinkOutcome {
        LinkOutcome::Keep
    }

    #[test]
    fn heading_ids_stay_unique_when_a_heading_looks_like_a_suffixed_id() {
        // Found by the markdown_links fuzz target: "8", "8", "8 1" used to give "8-1" twice.
        let r = render("# 8\n\n# 8\n\n# 8 1\n\n# 8\n", &keep);
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["8", "8-1", "8-1-1", "8-2"]);
    }

    #[test]
    fn fuzz_regressions_render_with_unique_ids() {
        let inputs: [&[u8]; 1] = [include_bytes!(
            "../../tests/fuzz-regressions/markdown_links-duplicate-heading-id.bin"
        )];
        for input in inputs {
            let r = render(&String::from_utf8_lossy(input), &keep);
            let ids: std::collections::HashSet<&str> =
                r.headings.iter().map(|h| h.id.as_str()).collect();
            assert_eq!(ids.len(), r.headings.len());
        }
    }

    #[test]
    fn headings_get_unique_folded_ids() {
        let r = render(
            "# Đảng và Nhà nước\n\n## Đảng và Nhà nước\n\n## Riêng {#rieng}\n",
            &keep,
        );
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["dang-va-nha-nuoc", "dang-va-nha-nuoc-1", "rieng"]);
        assert!(r.html.contains("<h2 id=\"rieng\">Riêng</h2>"), "{}", r.html);
    }

    #[test]
    fn renders_tables_footnotes_strikethrough_without_smart_quotes() {
        let md =
            "|a|b|\n|-|-|\n|1|2|\n\nCâu \"trích\" -- gạch ~~xoá~~ ASEAN[^1].\n\n[^1]: Nguồn.\n";
        let r = render(md, &keep);
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>xoá</del>"));
        assert!(r.html.contains("\"trích\" --"), "{}", r.html);
        assert!(r.html.contains("href=\"#fn-1\">1</a></sup>"), "{}", r.html);
        assert!(r.html.contains("id=\"fn-1\""));
    }

    #[test]
    fn rewrites_and_records_internal_links() {
        let resolve = |d: &str| {
            if d == "a.md#x" {
                LinkOutcome::Internal {
                    href: "/a/#x".into(),
                    target: 7,
                    anchor: Some("x".into()),
                }
            } else {
                LinkOutcome::Broken {
                    message: "missing".into(),
                    hint: "fix".into(),
                }
            }
        };
        let r = render("## Mở đầu\n\nXem [câu A](a.md#x) và [B](b.md).\n", &resolve);
        assert!(
            r.html
                .contains("<a href=\"/a/#x\" id=\"ref-a-md\">câu A</a>"),
            "{}",
            r.html
        );
        assert_eq!(r.links.len(), 1);
        assert_eq!(r.links[0].text, "câu A");
        assert_eq!(r.links[0].near.as_deref(), Some("mo-dau"));
        assert_eq!(r.broken.len(), 1);
        assert_eq!(
            r.broken[0].offset,
            "## Mở đầu\n\nXem [câu A](a.md#x) và ".len()
        );
    }

    #[test]
    fn escapes_raw_text() {
        let r = render("`<script>`", &keep);
        assert!(r.html.contains("<code>&lt;script&gt;</code>"));
    }
}
