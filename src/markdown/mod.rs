//! Markdown rendering: a pure function from a document body (plus a link
//! resolver) to HTML, its headings and the links it makes. No I/O.
//!
//! Dialect: CommonMark with tables, footnotes, strikethrough and explicit
//! heading ids (`## Tiêu đề {#id}`); smart punctuation stays off so official
//! text keeps its quotes and dashes exactly as written.

mod excerpt;
pub mod highlight;
mod tags;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};
use serde::Serialize;

use crate::text::slugify;

pub use excerpt::{Excerpt, excerpt};

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

/// Where a destination was written: a link (`[a](…)`, `<a href>`) or an
/// image (`![a](…)`, `<img src>`). Images take no typed references, and may
/// be `data:image/…` URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// A link.
    Link,
    /// An image (or another embedded resource of raw HTML: `src`, `poster`).
    Image,
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
    /// A URL path inside the built site (`/img/a.png`, `../cau-02/#x`,
    /// `anh.png` beside the document): checked once every output file is known.
    Path {
        /// The href to write.
        href: String,
        /// The file or page of the built site it names: no base path, no
        /// leading `/`, no query, `%XX` decoded (`hoi-dap/cau-02/`, `img/a.png`).
        path: String,
        /// Anchor inside the page, without `#`.
        anchor: Option<String>,
        /// For a file beside the document: its NFC path under `content/`,
        /// copied to `path`.
        asset: Option<String>,
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
    /// Line and column of the link in the body (1-based): a build lets
    /// the body go once it is rendered.
    pub at: (usize, usize),
    /// The destination as the author wrote it.
    pub dest: String,
    /// The link text (plain), for "mentioned in" excerpts.
    pub text: String,
    /// The id of the closest heading before the link.
    pub near: Option<Arc<str>>,
    /// The id given to the link element itself (`ref-…`), for deep links.
    pub id: Option<Arc<str>>,
    /// Byte offset of the link in [`Rendered::text`].
    pub text_pos: usize,
    /// The line of [`Rendered::text`] around the link (see [`excerpt()`]),
    /// shared with the mentions made of it: `nqsite serve` keeps it while
    /// the body does not change.
    pub excerpt: Excerpt,
}

/// A link that could not be resolved, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    /// Line and column of the link in the body (1-based).
    pub at: (usize, usize),
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
    /// Found in an attribute of raw HTML.
    pub in_html: bool,
}

/// A URL path found in a body ([`LinkOutcome::Path`]), with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRef {
    /// Line and column of the link or image in the body (1-based).
    pub at: (usize, usize),
    /// The destination as the author wrote it.
    pub dest: String,
    /// The file or page of the built site it names.
    pub path: String,
    /// Anchor inside the page.
    pub anchor: Option<String>,
    /// For a file beside the document: its path under `content/`.
    pub asset: Option<String>,
    /// Link or image.
    pub kind: RefKind,
    /// Found in an attribute of raw HTML.
    pub in_html: bool,
}

/// Raw HTML written in a body (comments aside): whether the site allows
/// it is decided later ([`crate::links`]), when the body is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawHtml {
    /// Line and column in the body (1-based).
    pub at: (usize, usize),
    /// Its first tag as written, cut at [`HTML_QUOTE`] characters (`…`).
    pub quote: String,
}

/// Most characters of raw HTML quoted in its error.
pub const HTML_QUOTE: usize = 40;

/// The result of rendering one document.
#[derive(Debug, Default, Clone)]
pub struct Rendered {
    /// Body HTML (shared: serve reuses unchanged bodies between builds).
    /// Empty when a build did not keep it from the markdown stage: the page
    /// renders its body again (`crate::BodyHtml`).
    pub html: std::sync::Arc<str>,
    /// Headings in order, with their ids.
    pub headings: std::sync::Arc<[Heading]>,
    /// Internal links, resolved (shared; serve patches a copy only when
    /// target indices moved).
    pub links: std::sync::Arc<Vec<FoundLink>>,
    /// Links that could not be resolved (shared, as `links`: serve hands
    /// an unchanged body's to every build without copying them).
    pub broken: std::sync::Arc<[BrokenLink]>,
    /// Links and images to pages and files of the built site (shared).
    pub paths: std::sync::Arc<[PathRef]>,
    /// The raw HTML (other than comments) of the body, in order (shared).
    pub raw_html: std::sync::Arc<[RawHtml]>,
    /// Plain text of the body (for search and descriptions).
    pub text: std::sync::Arc<str>,
    /// Every `id` the body's HTML gives an element besides the headings'
    /// (links, footnotes, raw HTML), in order: with the headings', the
    /// anchors a link to this page may name, the same whether or not the
    /// HTML was written.
    pub ids: std::sync::Arc<[String]>,
    /// True if the body has a fenced code block.
    pub has_code: bool,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Decides what a destination written in a body points to.
pub type Resolve<'a> = dyn Fn(&str, RefKind) -> LinkOutcome + 'a;

/// Renders `body`; `resolve` decides what each link and image destination
/// points to. Raw HTML is kept as written (its `href`, `src`… resolved like
/// Markdown links) and its place recorded: whether it is allowed is the
/// site's decision ([`crate::links`]). `reserved` are the ids the theme's
/// templates give their own elements: a heading never takes one (see
/// `render::Theme::reserved_ids`).
pub fn render(body: &str, reserved: &BTreeSet<String>, resolve: &Resolve<'_>) -> Rendered {
    let (found, events) = read(body, reserved, resolve, true);
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    let html = match crate::text::nobreak_doc_numbers(&html) {
        std::borrow::Cow::Owned(wrapped) => wrapped,
        std::borrow::Cow::Borrowed(_) => html,
    };
    Rendered {
        html: html.into(),
        ..found
    }
}

/// [`render`] without writing the HTML (left empty): what the body holds,
/// its links, headings and text, for a build that writes each page's HTML
/// later.
pub fn find(body: &str, reserved: &BTreeSet<String>, resolve: &Resolve<'_>) -> Rendered {
    read(body, reserved, resolve, false).0
}

/// Reads `body` once: what it holds and, with `write_html`, the events its
/// HTML is written from (none otherwise, and code is not highlighted).
fn read<'a>(
    body: &'a str,
    reserved: &BTreeSet<String>,
    resolve: &'a Resolve<'a>,
    write_html: bool,
) -> (Rendered, Vec<Event<'a>>) {
    let mut r = Renderer {
        resolve,
        used_ids: reserved.iter().map(|id| (id.clone(), 0)).collect(),
        ..Renderer::default_with(body)
    };
    if !write_html {
        r.events = None;
    }
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        r.event(event, range.start);
    }
    let mut lines = excerpt::Lines::new(&r.text);
    for link in &mut r.links {
        link.excerpt = Excerpt::new(&lines.excerpt(link.text_pos));
    }
    let found = Rendered {
        html: std::sync::Arc::default(),
        headings: r.headings.into(),
        links: std::sync::Arc::new(r.links),
        broken: r.broken.into(),
        paths: r.paths.into(),
        raw_html: r.raw_html.into(),
        text: r.text.into(),
        ids: r.ids.into(),
        has_code: r.has_code,
    };
    (found, r.events.unwrap_or_default())
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
    /// The Markdown rendered, and where the last path found in it is.
    body: &'a str,
    cursor: crate::diag::LineCursor,
    resolve: &'a Resolve<'a>,
    /// The events the HTML is written from; `None` when no HTML is written.
    events: Option<Vec<Event<'a>>>,
    heading: Option<HeadingBuf<'a>>,
    code: Option<(String, String)>,
    link_stack: Vec<Option<usize>>,
    headings: Vec<Heading>,
    used_ids: HashMap<String, usize>,
    /// The ids given to elements other than headings so far
    /// ([`Rendered::ids`]).
    ids: Vec<String>,
    footnotes: HashMap<String, usize>,
    links: Vec<FoundLink>,
    broken: Vec<BrokenLink>,
    paths: Vec<PathRef>,
    raw_html: Vec<RawHtml>,
    /// An HTML block being gathered: its text and, for each of its lines,
    /// (offset in the text, offset in the body).
    html_block: Option<(String, Vec<(usize, usize)>)>,
    text: String,
    has_code: bool,
}

struct HeadingBuf<'a> {
    /// Byte offset of the heading in the body.
    offset: usize,
    level: HeadingLevel,
    id: Option<String>,
    classes: Vec<String>,
    inner: Vec<Event<'a>>,
    text: String,
}

impl<'a> Renderer<'a> {
    fn default_with(body: &'a str) -> Self {
        let len = body.len();
        Renderer {
            body,
            cursor: crate::diag::LineCursor::default(),
            resolve: &|_, _| LinkOutcome::Keep,
            events: Some(Vec::with_capacity(len / 16)),
            heading: None,
            code: None,
            link_stack: Vec::new(),
            headings: Vec::new(),
            used_ids: HashMap::new(),
            ids: Vec::new(),
            footnotes: HashMap::new(),
            links: Vec::new(),
            broken: Vec::new(),
            paths: Vec::new(),
            raw_html: Vec::new(),
            html_block: None,
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
                    offset,
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
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = self.image(&dest_url, offset).map_or(dest_url, CowStr::from);
                self.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::HtmlBlock) => {
                self.html_block = Some((String::new(), Vec::new()));
                self.push(event);
            }
            Event::Html(t) => match &mut self.html_block {
                Some((text, lines)) => {
                    lines.push((text.len(), offset));
                    text.push_str(&t);
                }
                None => {
                    let html = self.raw_html(&t, &[(0, offset)]);
                    self.note_ids(&html);
                    self.push(Event::Html(html.into()));
                }
            },
            Event::End(TagEnd::HtmlBlock) => {
                if let Some((text, lines)) = self.html_block.take() {
                    let html = self.raw_html(&text, &lines);
                    self.note_ids(&html);
                    self.push(Event::Html(html.into()));
                }
                self.push(event);
            }
            Event::InlineHtml(t) => {
                let html = self.raw_html(&t, &[(0, offset)]);
                self.note_ids(&html);
                self.push(Event::InlineHtml(html.into()));
            }
            Event::FootnoteReference(label) => {
                let n = self.footnote_number(&label);
                let id = slugify(&label);
                self.ids.push(format!("fnref-{id}"));
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
                self.ids.push(format!("fn-{id}"));
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
        match (&mut self.heading, &mut self.events) {
            (Some(h), _) => h.inner.push(e),
            (None, Some(events)) => events.push(e),
            (None, None) => {}
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

    /// Notes the ids of raw HTML written into the body.
    fn note_ids(&mut self, html: &str) {
        self.ids
            .extend(crate::links::html_ids(html).map(str::to_string));
    }

    fn end_heading(&mut self) {
        let Some(h) = self.heading.take() else { return };
        let wanted = h.id.clone().unwrap_or_else(|| slugify(&h.text));
        if h.id.is_some() && self.used_ids.contains_key(&wanted) {
            // An id the editor wrote is one links name: never renamed silently.
            self.broken.push(BrokenLink {
                at: self.cursor.line_col(self.body, h.offset),
                in_html: false,
                message: format!("mã mục `{{#{wanted}}}` đã được dùng trên trang này"),
                hint: format!(
                    "mỗi mã mục chỉ dùng một lần trên một trang (giao diện cũng dùng một số mã); \
                     đổi thành mã khác, ví dụ `{{#{wanted}-1}}`"
                ),
            });
        }
        let id = self.unique_id(&wanted);
        let level = h.level as u8;
        if let Some(events) = &mut self.events {
            let mut inner = String::new();
            pulldown_cmark::html::push_html(&mut inner, h.inner.into_iter());
            let class = if h.classes.is_empty() {
                String::new()
            } else {
                format!(" class=\"{}\"", escape_attr(&h.classes.join(" ")))
            };
            events.push(Event::Html(
                format!(
                    "<h{level} id=\"{}\"{class}>{inner}</h{level}>\n",
                    escape_attr(&id)
                )
                .into(),
            ));
        }
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
        if let Some(events) = &mut self.events {
            events.push(Event::Html(highlight::highlight(&code, &lang).into()));
        }
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
        if link_type == LinkType::Email {
            // `<a@b.vn>`: pulldown-cmark writes the `mailto:` itself.
            self.link_stack.push(None);
            return keep(dest);
        }
        match (self.resolve)(&dest, RefKind::Link) {
            LinkOutcome::Keep => {
                self.link_stack.push(None);
                keep(dest)
            }
            LinkOutcome::Rewrite(href) => {
                self.link_stack.push(None);
                keep(href.into())
            }
            outcome @ (LinkOutcome::Broken { .. } | LinkOutcome::Path { .. }) => {
                let href = self.record(outcome, &dest, RefKind::Link, offset, false);
                self.link_stack.push(None);
                keep(href.map_or(dest, CowStr::from))
            }
            LinkOutcome::Internal {
                href,
                target,
                anchor,
            } => {
                let near = self.headings.last().map(|h| h.id.as_str().into());
                let ref_id = (!dest.starts_with('#')).then(|| {
                    let base = format!("ref-{}", slugify(dest.split('#').next().unwrap_or("")));
                    let id = self.unique_id(&base);
                    self.ids.push(id.clone());
                    id
                });
                self.links.push(FoundLink {
                    target,
                    anchor,
                    at: self.cursor.line_col(self.body, offset),
                    dest: dest.to_string(),
                    text: String::new(),
                    near,
                    id: ref_id.as_deref().map(Arc::from),
                    text_pos: self.text.len(),
                    excerpt: Excerpt::default(),
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

impl Renderer<'_> {
    /// Resolves an image's source; returns the `src` to write when it changes.
    fn image(&mut self, dest: &str, offset: usize) -> Option<String> {
        let outcome = (self.resolve)(dest, RefKind::Image);
        self.record(outcome, dest, RefKind::Image, offset, false)
    }

    /// Records a path or a broken destination; returns the href to write
    /// instead of `dest`, if any.
    fn record(
        &mut self,
        outcome: LinkOutcome,
        dest: &str,
        kind: RefKind,
        offset: usize,
        in_html: bool,
    ) -> Option<String> {
        match outcome {
            LinkOutcome::Keep => None,
            LinkOutcome::Rewrite(href) => Some(href),
            LinkOutcome::Internal {
                href,
                target,
                anchor,
            } => {
                // A link of raw HTML (`<a href="x.md#y">`): a mention without
                // an id of its own, its anchor checked like any other.
                self.links.push(FoundLink {
                    target,
                    anchor,
                    at: self.cursor.line_col(self.body, offset),
                    dest: dest.to_string(),
                    text: String::new(),
                    near: self.headings.last().map(|h| h.id.as_str().into()),
                    id: None,
                    text_pos: self.text.len(),
                    excerpt: Excerpt::default(),
                });
                Some(href)
            }
            LinkOutcome::Path {
                href,
                path,
                anchor,
                asset,
            } => {
                self.paths.push(PathRef {
                    at: self.cursor.line_col(self.body, offset),
                    dest: dest.to_string(),
                    path,
                    anchor,
                    asset,
                    kind,
                    in_html,
                });
                Some(href)
            }
            LinkOutcome::Broken { message, hint } => {
                self.broken.push(BrokenLink {
                    at: self.cursor.line_col(self.body, offset),
                    message,
                    hint,
                    in_html,
                });
                None
            }
        }
    }

    /// Raw HTML: comments pass as written; anything else is recorded (the
    /// links stage decides whether the site allows it) and the URLs of its
    /// `href`, `src`… attributes are resolved like Markdown links. `lines`
    /// maps offsets in `html` to offsets in the body.
    fn raw_html(&mut self, html: &str, lines: &[(usize, usize)]) -> String {
        if tags::only_comments(html) {
            return html.to_string();
        }
        let body_offset = |at: usize| {
            let i = lines.partition_point(|&(start, _)| start <= at).max(1) - 1;
            lines.get(i).map_or(0, |&(start, body)| body + at - start)
        };
        let start = body_offset(0);
        self.raw_html.push(RawHtml {
            at: self.cursor.line_col(self.body, start),
            quote: quote_html(self.body.get(start..).unwrap_or("")),
        });
        let mut out = String::with_capacity(html.len());
        let mut copied = 0;
        for attr in tags::url_attributes(html) {
            let dest = tags::unescape(&html[attr.value.clone()]);
            let outcome = (self.resolve)(&dest, attr.kind);
            let offset = body_offset(attr.value.start);
            if let Some(href) = self.record(outcome, &dest, attr.kind, offset, true) {
                out.push_str(&html[copied..attr.start]);
                out.push_str(&format!("\"{}\"", escape_attr(&href)));
                copied = attr.end;
            }
        }
        out.push_str(&html[copied..]);
        out
    }
}

/// The first tag of raw HTML starting `rest` (on its first line), cut at
/// [`HTML_QUOTE`] characters.
fn quote_html(rest: &str) -> String {
    let text = rest.lines().next().unwrap_or("").trim();
    let first = text.find('>').map_or(text, |end| &text[..=end]);
    let mut quote: String = first.chars().take(HTML_QUOTE).collect();
    if first.chars().count() > HTML_QUOTE {
        quote.push('…');
    }
    quote
}

/// Escapes text for an HTML attribute value.
pub fn escape_attr(s: &str) -> String {
    // The five are ASCII: the text between them is copied as it is.
    let mut out = String::with_capacity(s.len());
    let mut from = 0;
    for (at, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'"' => "&quot;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[from..at]);
        out.push_str(entity);
        from = at + 1;
    }
    out.push_str(&s[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keep(_: &str, _: RefKind) -> LinkOutcome {
        LinkOutcome::Keep
    }

    #[test]
    fn escape_attr_escapes_the_five_and_keeps_the_rest() {
        assert_eq!(escape_attr(""), "");
        assert_eq!(escape_attr("Nghị quyết 57"), "Nghị quyết 57");
        assert_eq!(
            escape_attr(r#"<a href="x">Đ&'đ</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Đ&amp;&#39;đ&lt;/a&gt;"
        );
        assert_eq!(escape_attr("ế&"), "ế&amp;");
        assert_eq!(escape_attr("&ế"), "&amp;ế");
    }

    #[test]
    fn heading_ids_stay_unique_when_a_heading_looks_like_a_suffixed_id() {
        // Found by the markdown_links fuzz target: "8", "8", "8 1" used to give "8-1" twice.
        let r = render("# 8\n\n# 8\n\n# 8 1\n\n# 8\n", &Default::default(), &keep);
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["8", "8-1", "8-1-1", "8-2"]);
    }

    #[test]
    fn fuzz_regressions_render_with_unique_ids() {
        let inputs: [&[u8]; 1] = [include_bytes!(
            "../../tests/fuzz-regressions/markdown_links-duplicate-heading-id.bin"
        )];
        for input in inputs {
            let r = render(&String::from_utf8_lossy(input), &Default::default(), &keep);
            let ids: std::collections::HashSet<&str> =
                r.headings.iter().map(|h| h.id.as_str()).collect();
            assert_eq!(ids.len(), r.headings.len());
        }
    }

    #[test]
    fn headings_get_unique_folded_ids() {
        let r = render(
            "# Đảng và Nhà nước\n\n## Đảng và Nhà nước\n\n## Riêng {#rieng}\n",
            &Default::default(),
            &keep,
        );
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["dang-va-nha-nuoc", "dang-va-nha-nuoc-1", "rieng"]);
        assert!(r.html.contains("<h2 id=\"rieng\">Riêng</h2>"), "{}", r.html);
    }

    #[test]
    fn headings_never_take_an_id_the_theme_keeps_and_written_ids_are_never_renamed() {
        let reserved = ["noi-dung".to_string()].into();
        let r = render("## Nội dung\n\n## Khác {#noi-dung}\n", &reserved, &keep);
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["noi-dung-1", "noi-dung-2"]);
        assert_eq!(r.broken.len(), 1, "{:?}", r.broken);
        assert_eq!(r.broken[0].at, (3, 1));
        assert!(
            r.broken[0].message.contains("`{#noi-dung}`"),
            "{}",
            r.broken[0].message
        );
        let twice = render("## A {#a}\n\n## B {#a}\n", &Default::default(), &keep);
        assert_eq!(twice.broken.len(), 1, "{:?}", twice.broken);
    }

    #[test]
    fn renders_tables_footnotes_strikethrough_without_smart_quotes() {
        let md =
            "|a|b|\n|-|-|\n|1|2|\n\nCâu \"trích\" -- gạch ~~xoá~~ ASEAN[^1].\n\n[^1]: Nguồn.\n";
        let r = render(md, &Default::default(), &keep);
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>xoá</del>"));
        assert!(r.html.contains("\"trích\" --"), "{}", r.html);
        assert!(r.html.contains("href=\"#fn-1\">1</a></sup>"), "{}", r.html);
        assert!(r.html.contains("id=\"fn-1\""));
    }

    #[test]
    fn rewrites_and_records_internal_links() {
        let resolve = |d: &str, _: RefKind| {
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
        let r = render(
            "## Mở đầu\n\nXem [câu A](a.md#x) và [B](b.md).\n",
            &Default::default(),
            &resolve,
        );
        assert!(
            r.html
                .contains("<a href=\"/a/#x\" id=\"ref-a-md\">câu A</a>"),
            "{}",
            r.html
        );
        assert_eq!(r.links.len(), 1);
        assert_eq!(r.links[0].text, "câu A");
        assert_eq!(r.links[0].near.as_deref(), Some("mo-dau"));
        assert_eq!(&*r.links[0].excerpt, "Xem câu A và B.");
        assert_eq!(r.broken.len(), 1);
        assert_eq!(
            r.broken[0].at,
            (3, "Xem [câu A](a.md#x) và ".chars().count() + 1)
        );
        assert_eq!(r.links[0].at, (3, 5));
    }

    #[test]
    fn the_ids_are_every_id_of_the_html_whether_written_or_not() {
        let md = "## Mở đầu\n\nXem [A](a.md)[^1] và <span id=\"diem\">đây</span>.\n\n<div id=\"khoi\">\n\n</div>\n\n## Mở đầu\n\n[^1]: Ghi chú.\n";
        let resolve = |_: &str, _: RefKind| LinkOutcome::Internal {
            href: "/a/".into(),
            target: 1,
            anchor: None,
        };
        let r = render(md, &Default::default(), &resolve);
        let f = find(md, &Default::default(), &resolve);
        let written: Vec<&str> = crate::links::html_ids(&r.html).collect();
        let mut ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        ids.extend(r.ids.iter().map(String::as_str));
        let mut sorted = written.clone();
        sorted.sort_unstable();
        ids.sort_unstable();
        assert_eq!(ids, sorted, "{}", r.html);
        for id in [
            "mo-dau", "mo-dau-1", "ref-a-md", "diem", "khoi", "fn-1", "fnref-1",
        ] {
            assert!(written.contains(&id), "{id} in {}", r.html);
        }
        assert_eq!(f.ids, r.ids);
    }

    #[test]
    fn find_reads_what_render_reads_without_the_html() {
        let md = "## Mở đầu\n\nXem [A](a.md) và <b>đậm</b> ![x](/x.png).\n\n## Mở đầu\n\n```rust\nfn a() {}\n```\n";
        let resolve = |d: &str, _: RefKind| match d {
            "a.md" => LinkOutcome::Internal {
                href: "/a/".into(),
                target: 1,
                anchor: None,
            },
            _ => LinkOutcome::Path {
                href: d.into(),
                path: d.trim_start_matches('/').into(),
                anchor: None,
                asset: None,
            },
        };
        let r = render(md, &Default::default(), &resolve);
        let f = find(md, &Default::default(), &resolve);
        assert!(!r.html.is_empty() && f.html.is_empty());
        assert_eq!(f.headings, r.headings);
        assert_eq!(f.links, r.links);
        assert_eq!(f.paths, r.paths);
        assert_eq!(f.raw_html, r.raw_html);
        assert_eq!(f.text, r.text);
        assert!(f.has_code && r.has_code);
        assert_eq!(
            r.raw_html[0].at,
            (3, "Xem [A](a.md) và ".chars().count() + 1)
        );
        assert_eq!(r.raw_html[0].quote, "<b>");
    }

    #[test]
    fn escapes_raw_text() {
        let r = render("`<script>`", &Default::default(), &keep);
        assert!(r.html.contains("<code>&lt;script&gt;</code>"));
    }
}
