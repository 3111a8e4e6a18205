//! Template contexts: what a template knows about the page it renders, the
//! site, and — for index pages — the site's typed data (targets by group,
//! task groups with their questions, the book's table of contents, the
//! cross-reference matrix). Shared parts are computed once per build.

use serde::Serialize;
use serde_json::{Value as Json, json};
use tera::Context;

use crate::markdown::{Heading, Rendered};
use crate::render::Theme;
use crate::resolve::{HOME, Site};
use crate::xref::Xref;

/// A link to another document, as templates see it.
#[derive(Serialize, Clone)]
pub struct LinkView {
    /// Title.
    pub title: String,
    /// A short title for menus and breadcrumbs (`short_title`, else the title).
    pub short_title: String,
    /// Href with the base path.
    pub href: String,
    /// `dd/mm/yyyy` or empty.
    pub date: String,
    /// `yyyy-mm-dd` or empty.
    pub date_iso: String,
    /// The document's type, if any.
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
}

#[derive(Serialize)]
struct SectionView<'a> {
    title: &'a str,
    href: &'a str,
    /// The section's page list, rendered once (`partials/section_pages.html`).
    listing: &'a str,
}

#[derive(Serialize)]
struct SubsectionView<'a> {
    title: &'a str,
    href: &'a str,
    pages: Vec<&'a LinkView>,
}

/// A place where the page is mentioned.
#[derive(Serialize)]
struct MentionView {
    title: String,
    href: String,
    excerpt: String,
    #[serde(rename = "type")]
    doc_type: Option<String>,
    /// The part or section the mentioning document belongs to.
    context: String,
}

/// Everything a template knows about the page it renders.
#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    href: String,
    permalink: String,
    #[serde(rename = "type")]
    doc_type: Option<&'a str>,
    date: String,
    date_iso: String,
    description: Option<&'a str>,
    tags: &'a [String],
    content: &'a str,
    toc: Vec<&'a Heading>,
    extra: &'a serde_yaml::Mapping,
    is_home: bool,
    is_section: bool,
    breadcrumbs: Vec<LinkView>,
    prev: Option<LinkView>,
    next: Option<LinkView>,
    section: Option<SectionView<'a>>,
    pages: Vec<&'a LinkView>,
    subsections: Vec<SubsectionView<'a>>,
    /// Where this page is mentioned ("Được đề cập tại").
    mentions: Vec<MentionView>,
    /// The typed documents this page references.
    refs: Vec<Json>,
    /// For questions: up to five questions sharing references.
    related: Vec<LinkView>,
    /// schema.org JSON-LD describing the document (questions, guidances, the resolution).
    jsonld: Option<String>,
    /// The share image (1200×630): href, and absolute URL when the site has an origin.
    share_image: Json,
    /// For documents with a `group` (targets): that group's title and question.
    group: Json,
    /// The document named by `source:` (a guidance id), linked to the exact
    /// place where it mentions this page when it does.
    source: Option<Json>,
}

/// Fingerprints of the context parts that many pages share. `nqsite serve`
/// compares them between builds to tell which pages can have changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SharedParts {
    /// Site, strings, assets: given to every page.
    pub base: u64,
    /// The typed data given to sections and data pages.
    pub data: u64,
    /// Each node's booklet (0 for none).
    pub booklets: Vec<u64>,
}

/// Page types whose templates need the site's typed data.
pub(crate) const DATA_TYPES: &[&str] = &["infographic", "matrix", "print"];

/// Most top-level sections shown in the site menu.
const MENU_MAX: usize = 8;

/// Most related questions shown on a question page.
const RELATED_MAX: usize = 5;

/// Builds contexts for every page; computed once per site.
pub struct Contexts<'a> {
    site: &'a Site,
    xref: &'a Xref,
    base: Context,
    links: Vec<LinkView>,
    entities: Vec<Option<Json>>,
    data: Json,
    listings: Vec<String>,
    /// For `type: print` pages: the section's documents with their bodies.
    booklets: Vec<Option<Json>>,
}

impl<'a> Contexts<'a> {
    /// Prepares the parts of the context shared by every page.
    pub fn new(
        site: &'a Site,
        theme: &Theme,
        xref: &'a Xref,
    ) -> Result<Contexts<'a>, crate::diag::Diagnostic> {
        let links: Vec<LinkView> = (0..site.nodes.len()).map(|i| link_view(site, i)).collect();
        let menu: Vec<&LinkView> = site.nodes[HOME]
            .subsections
            .iter()
            .take(MENU_MAX)
            .map(|&i| &links[i])
            .collect();
        let mut base = Context::new();
        base.insert(
            "site",
            &json!({
                "title": site_title(site),
                "description": site.config.description,
                "base_path": site.config.base_path,
                "language": site.config.language,
                "author": site.config.author,
                "menu": menu,
                "extra": site.config.extra,
                "profile": profile_view(site, &links),
                "portable": false,
            }),
        );
        base.insert("t", theme.strings());
        let base_path = &site.config.base_path;
        let files: std::collections::BTreeMap<&str, String> = theme
            .asset_paths
            .iter()
            .map(|(name, path)| (name.as_str(), format!("{base_path}{path}")))
            .collect();
        base.insert(
            "assets",
            &json!({ "css": format!("{base_path}{}", theme.css_path), "files": files }),
        );
        let entities: Vec<Option<Json>> = (0..site.nodes.len())
            .map(|i| entity_view(site, i, &links[i]))
            .collect();
        let mut listings = vec![String::new(); site.nodes.len()];
        for (i, node) in site
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.doc.is_section && !n.pages.is_empty())
        {
            let mut ctx = base.clone();
            ctx.insert(
                "pages",
                &node.pages.iter().map(|&p| &links[p]).collect::<Vec<_>>(),
            );
            listings[i] = theme.render("partials/section_pages.html", &ctx, &node.doc.shown)?;
        }
        let mut ctx = Contexts {
            site,
            xref,
            base,
            links,
            entities,
            data: Json::Null,
            listings,
            booklets: Vec::new(),
        };
        ctx.data = ctx.site_data();
        Ok(ctx)
    }

    /// The cross-reference graph the contexts were built from.
    pub fn xref(&self) -> &Xref {
        self.xref
    }

    /// The JSON view of a typed document (`None` for untyped ones).
    pub fn entity(&self, i: usize) -> Option<&Json> {
        self.entities[i].as_ref()
    }

    /// The shared context (site, strings, assets).
    pub fn base(&self) -> &Context {
        &self.base
    }

    /// Tells templates which scripts the search loads (`assets.search`):
    /// site-relative paths, space-separated, resolved against `data-root` in
    /// the browser so they also work in portable copies.
    pub fn set_search(&mut self, manifest: &str) {
        if let Some(mut assets) = self.base.get("assets").cloned() {
            assets["search"] = json!(manifest);
            self.base.insert("assets", &assets);
        }
    }

    /// Gives `type: print` pages the rendered bodies of their section
    /// (`booklet` in templates, see [`crate::print::booklets`]).
    pub fn set_bodies(&mut self, rendered: &[Rendered]) {
        self.booklets = crate::print::booklets(self.site, rendered);
    }

    /// Fingerprints of the shared parts (see [`SharedParts`]).
    pub fn fingerprints(&self) -> SharedParts {
        let fp = |v: &Json| crate::fsutil::hash64(&serde_json::to_vec(v).unwrap_or_default());
        SharedParts {
            base: fp(&self.base.clone().into_json()),
            data: fp(&self.data),
            booklets: self
                .booklets
                .iter()
                .map(|b| b.as_ref().map_or(0, fp))
                .collect(),
        }
    }

    /// The full context for node `i`.
    pub fn page(&self, i: usize, rendered: &Rendered) -> Context {
        let site = self.site;
        let node = &site.nodes[i];
        let fm = &node.doc.fm;
        let (prev, next) = self.siblings(i);
        let section = node
            .parent
            .filter(|_| !node.doc.is_section)
            .map(|p| self.section_view(p));
        let view = PageView {
            title: &fm.title,
            href: site.href(i),
            // Canonical and og:url must be absolute: empty without an origin.
            permalink: if site.config.origin.is_some() {
                site.config.absolute(&node.path)
            } else {
                String::new()
            },
            doc_type: fm.doc_type.as_deref(),
            date: fm.date.map(|d| d.vi()).unwrap_or_default(),
            date_iso: fm.date.map(|d| d.iso()).unwrap_or_default(),
            description: fm.description.as_deref(),
            tags: &fm.tags,
            content: &rendered.html,
            toc: rendered.headings.iter().filter(|h| h.level <= 3).collect(),
            extra: &fm.extra,
            is_home: i == HOME,
            is_section: node.doc.is_section,
            breadcrumbs: site
                .ancestors(i)
                .into_iter()
                .map(|a| self.links[a].clone())
                .collect(),
            prev: prev.map(|p| self.links[p].clone()),
            next: next.map(|n| self.links[n].clone()),
            section,
            pages: node.pages.iter().map(|&p| &self.links[p]).collect(),
            subsections: node
                .subsections
                .iter()
                .map(|&s| self.subsection_view(s))
                .collect(),
            mentions: self.mentions(i),
            refs: self.xref.outgoing[i]
                .iter()
                .filter_map(|&t| self.entities[t].clone())
                .collect(),
            related: self
                .related(i)
                .into_iter()
                .map(|q| self.links[q].clone())
                .collect(),
            source: self.source(i),
            jsonld: self.jsonld(i, rendered),
            group: self.group_of(i),
            share_image: {
                let path = share_path(site, i);
                let absolute = site
                    .config
                    .origin
                    .is_some()
                    .then(|| site.config.absolute(&path));
                json!({ "href": format!("{}{path}", site.config.base_path), "absolute": absolute })
            },
        };
        let mut ctx = self.base.clone();
        ctx.insert("page", &view);
        if node.doc.is_section
            || fm
                .doc_type
                .as_deref()
                .is_some_and(|t| DATA_TYPES.contains(&t))
        {
            ctx.insert("data", &self.data);
        }
        if let Some(Some(booklet)) = self.booklets.get(i) {
            ctx.insert("booklet", booklet);
        }
        ctx
    }

    /// Previous and next page: within the same `group` when the page has one
    /// (targets), else within the section.
    fn siblings(&self, i: usize) -> (Option<usize>, Option<usize>) {
        let site = self.site;
        let group = site.nodes[i].doc.fm.extra_str("group");
        let (Some(group), Some(parent)) = (group, site.nodes[i].parent) else {
            return site.siblings(i);
        };
        let same: Vec<usize> = site.nodes[parent]
            .pages
            .iter()
            .copied()
            .filter(|&p| site.nodes[p].doc.fm.extra_str("group") == Some(group))
            .collect();
        match same.iter().position(|&x| x == i) {
            Some(pos) => (
                pos.checked_sub(1).map(|p| same[p]),
                same.get(pos + 1).copied(),
            ),
            None => (None, None),
        }
    }

    fn section_view(&self, s: usize) -> SectionView<'_> {
        SectionView {
            title: &self.links[s].title,
            href: &self.links[s].href,
            listing: &self.listings[s],
        }
    }

    fn subsection_view(&self, s: usize) -> SubsectionView<'_> {
        SubsectionView {
            title: &self.links[s].title,
            href: &self.links[s].href,
            pages: self.site.nodes[s]
                .pages
                .iter()
                .map(|&p| &self.links[p])
                .collect(),
        }
    }

    fn mentions(&self, i: usize) -> Vec<MentionView> {
        self.xref.incoming[i]
            .iter()
            .map(|m| {
                let from = &self.links[m.from];
                let anchor = m.link_id.as_ref().or(m.near.as_ref());
                let context = self.site.nodes[m.from]
                    .parent
                    .filter(|&p| p != HOME)
                    .map(|p| self.links[p].short_title.clone())
                    .unwrap_or_default();
                MentionView {
                    title: from.title.clone(),
                    href: anchor
                        .map_or_else(|| from.href.clone(), |a| format!("{}#{a}", from.href)),
                    excerpt: m.excerpt.clone(),
                    doc_type: from.doc_type.clone(),
                    context,
                }
            })
            .collect()
    }

    fn source(&self, i: usize) -> Option<Json> {
        let id = self.site.nodes[i].doc.fm.extra.get("source")?.as_str()?;
        let s = self.site.entity("guidance", id)?;
        let mention = self.xref.incoming[i].iter().find(|m| m.from == s);
        let href = match mention.and_then(|m| m.link_id.as_ref()) {
            Some(a) => format!("{}#{a}", self.links[s].href),
            None => self.links[s].href.clone(),
        };
        Some(
            json!({ "title": self.links[s].title, "short_title": self.links[s].short_title, "href": href }),
        )
    }

    /// schema.org data for search engines, serialised so it cannot close its
    /// `<script>` element (`<` is written as `\u003c`).
    fn jsonld(&self, i: usize, rendered: &Rendered) -> Option<String> {
        let site = self.site;
        let fm = &site.nodes[i].doc.fm;
        let extra = |k: &str| fm.extra_str(k);
        let url = site.config.absolute(&site.nodes[i].path);
        let date = fm.date.map(|d| d.iso());
        let value = match fm.doc_type.as_deref()? {
            "question" => json!({
                "@context": "https://schema.org", "@type": "FAQPage", "inLanguage": site.config.language, "url": url,
                "mainEntity": [{
                    "@type": "Question", "name": extra("question").unwrap_or(&fm.title),
                    "acceptedAnswer": { "@type": "Answer", "text": rendered.text.trim() },
                }],
            }),
            "guidance" | "speech" | "preface" => json!({
                "@context": "https://schema.org", "@type": "Article", "inLanguage": site.config.language, "url": url,
                "headline": fm.title, "datePublished": date,
                "author": extra("issuer").or(extra("author")).map(|a| json!({ "@type": "Organization", "name": a })),
            }),
            "resolution" => json!({
                "@context": "https://schema.org", "@type": "Legislation", "inLanguage": site.config.language, "url": url,
                "name": fm.title, "legislationIdentifier": extra("number"), "legislationDate": date,
                "legislationPassedBy": extra("issuer").map(|a| json!({ "@type": "Organization", "name": a })),
            }),
            _ => return None,
        };
        Some(serde_json::to_string(&value).ok()?.replace('<', "\\u003c"))
    }

    /// The entry of `groups:` (declared by a section) named by the page's `group`.
    fn group_of(&self, i: usize) -> Json {
        let Some(id) = self.site.nodes[i].doc.fm.extra_str("group") else {
            return Json::Null;
        };
        let groups = self.data.get("groups").and_then(Json::as_array);
        groups
            .and_then(|gs| gs.iter().find(|g| g["id"] == id))
            .map(|g| json!({ "id": g["id"], "title": g["title"], "question": g["question"] }))
            .unwrap_or(Json::Null)
    }

    /// Questions sharing the most references with question `i`.
    fn related(&self, i: usize) -> Vec<usize> {
        let site = self.site;
        if site.nodes[i].doc.fm.doc_type.as_deref() != Some("question") {
            return Vec::new();
        }
        let mine = &self.xref.outgoing[i];
        let is_question = |j: usize| site.nodes[j].doc.fm.doc_type.as_deref() == Some("question");
        let mut scored: Vec<(usize, usize)> = (0..site.nodes.len())
            .filter(|&j| j != i && is_question(j))
            .map(|j| {
                (
                    self.xref.outgoing[j]
                        .iter()
                        .filter(|t| mine.contains(t) && !is_question(**t))
                        .count(),
                    j,
                )
            })
            .filter(|(score, _)| *score > 0)
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored
            .into_iter()
            .take(RELATED_MAX)
            .map(|(_, j)| j)
            .collect()
    }

    /// Typed data for index pages: targets by group, task groups with their
    /// questions, the book's parts, and the cross-reference matrix.
    fn site_data(&self) -> Json {
        json!({
            "targets": self.of_type("target"),
            "groups": self.groups(),
            "tasks": self.with_mentioning("task", "question"),
            "viewpoints": self.with_mentioning("viewpoint", "question"),
            "book": self.book(),
            "matrix": self.matrix(),
            "resolution": self.nodes_of_type("resolution").first().map(|&r| {
                let mut v = self.entities[r].clone().unwrap_or_else(|| json!({}));
                v["date"] = json!(self.links[r].date);
                v
            }),
        })
    }

    fn nodes_of_type(&self, kind: &str) -> Vec<usize> {
        let mut out = Vec::new();
        self.walk(crate::resolve::HOME, &mut |i| {
            if self.site.nodes[i].doc.fm.doc_type.as_deref() == Some(kind) {
                out.push(i);
            }
        });
        out
    }

    /// Visits nodes in reading order: a section, its pages, then its subsections.
    fn walk(&self, i: usize, f: &mut dyn FnMut(usize)) {
        f(i);
        for &p in &self.site.nodes[i].pages {
            f(p);
        }
        for &s in &self.site.nodes[i].subsections {
            self.walk(s, f);
        }
    }

    fn of_type(&self, kind: &str) -> Vec<Json> {
        self.nodes_of_type(kind)
            .into_iter()
            .filter_map(|i| self.entities[i].clone())
            .collect()
    }

    /// Groups declared by a section's `groups:` list, each with its targets.
    fn groups(&self) -> Vec<Json> {
        let targets = self.nodes_of_type("target");
        let mut out = Vec::new();
        for node in &self.site.nodes {
            let Some(serde_yaml::Value::Sequence(groups)) = node.doc.fm.extra.get("groups") else {
                continue;
            };
            for g in groups {
                let id = g.get("id").and_then(|v| v.as_str()).unwrap_or("");
                let members: Vec<Json> = targets
                    .iter()
                    .filter(|&&t| self.site.nodes[t].doc.fm.extra_str("group") == Some(id))
                    .filter_map(|&t| self.entities[t].clone())
                    .collect();
                let question = g.get("question").and_then(|q| match q {
                    serde_yaml::Value::Number(n) => self.site.entity("question", &n.to_string()),
                    _ => None,
                });
                out.push(json!({
                    "id": id,
                    "title": g.get("title").and_then(|v| v.as_str()).unwrap_or(id),
                    "question": question.map(|q| &self.links[q]),
                    "targets": members,
                }));
            }
        }
        out
    }

    /// Every entity of `kind` with the documents of type `from_type` that mention it.
    fn with_mentioning(&self, kind: &str, from_type: &str) -> Vec<Json> {
        self.nodes_of_type(kind)
            .into_iter()
            .filter_map(|i| {
                let mut entity = self.entities[i].clone()?;
                let mut from: Vec<usize> = self.xref.incoming[i]
                    .iter()
                    .map(|m| m.from)
                    .filter(|&f| self.site.nodes[f].doc.fm.doc_type.as_deref() == Some(from_type))
                    .collect();
                from.sort_by_key(|&f| entity_number(self.site, f));
                from.dedup();
                entity["mentioned_by"] =
                    json!(from.iter().map(|&f| &self.links[f]).collect::<Vec<_>>());
                Some(entity)
            })
            .collect()
    }

    /// The book's parts (sections of type `part`), their sub-sections and questions.
    fn book(&self) -> Vec<Json> {
        self.nodes_of_type("part")
            .into_iter()
            .map(|p| {
                let node = &self.site.nodes[p];
                let questions: Vec<usize> = node.pages.clone();
                let sections: Vec<Json> = match node.doc.fm.extra.get("sections") {
                    Some(serde_yaml::Value::Sequence(secs)) => secs
                        .iter()
                        .map(|s| {
                            let num = s.get("number").and_then(|v| v.as_i64());
                            let qs: Vec<&LinkView> = questions
                                .iter()
                                .filter(|&&q| self.site.nodes[q].doc.fm.extra.get("section").and_then(|v| v.as_i64()) == num)
                                .map(|&q| &self.links[q])
                                .collect();
                            json!({ "number": num, "title": s.get("title").and_then(|v| v.as_str()), "questions": qs })
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                json!({
                    "part": &self.links[p],
                    "number": node.doc.fm.extra.get("part").and_then(|v| v.as_i64()),
                    "sections": sections,
                    "questions": questions.iter().map(|&q| &self.links[q]).collect::<Vec<_>>(),
                })
            })
            .collect()
    }

    /// Rows: targets and task groups. Columns: each guidance, each part of the
    /// book, the speech. A cell counts the mentions from that column's documents.
    fn matrix(&self) -> Json {
        let mut columns: Vec<(usize, Vec<usize>)> = Vec::new();
        for g in self.nodes_of_type("guidance") {
            columns.push((g, vec![g]));
        }
        for p in self.nodes_of_type("part") {
            columns.push((p, self.site.nodes[p].pages.clone()));
        }
        for s in self.nodes_of_type("speech") {
            columns.push((s, vec![s]));
        }
        let rows: Vec<Json> = ["target", "task"]
            .iter()
            .flat_map(|kind| self.nodes_of_type(kind))
            .map(|r| {
                let cells: Vec<Json> = columns
                    .iter()
                    .map(|(_, docs)| {
                        let hits: Vec<&crate::xref::Mention> = self.xref.incoming[r]
                            .iter()
                            .filter(|m| docs.contains(&m.from))
                            .collect();
                        let href = hits.first().map(|m| {
                            let base = &self.links[m.from].href;
                            match m.link_id.as_ref().or(m.near.as_ref()) {
                                Some(a) => format!("{base}#{a}"),
                                None => base.clone(),
                            }
                        });
                        json!({ "count": hits.len(), "href": href })
                    })
                    .collect();
                json!({ "entity": self.entities[r], "cells": cells })
            })
            .collect();
        let cols: Vec<&LinkView> = columns.iter().map(|(c, _)| &self.links[*c]).collect();
        json!({ "columns": cols, "rows": rows })
    }
}

/// A sort key for documents that carry a `number` (questions), else their weight.
fn entity_number(site: &Site, i: usize) -> i64 {
    let fm = &site.nodes[i].doc.fm;
    fm.extra
        .get("number")
        .and_then(|v| v.as_i64())
        .unwrap_or(fm.weight)
}

/// The JSON view of a typed document: its link plus its scalar front matter.
fn entity_view(site: &Site, i: usize, link: &LinkView) -> Option<Json> {
    let (kind, id) = site.nodes[i].entity.as_ref()?;
    let mut v = json!({
        "kind": kind,
        "id": id,
        "title": link.title,
        "short_title": link.short_title,
        "href": link.href,
    });
    for (k, val) in &site.nodes[i].doc.fm.extra {
        if let (Some(k), false) = (k.as_str(), val.is_sequence() || val.is_mapping())
            && v.get(k).is_none()
        {
            v[k] = serde_json::to_value(val).unwrap_or(Json::Null);
        }
    }
    Some(v)
}

/// What templates know of the province profile in use (null without one).
fn profile_view(site: &Site, links: &[LinkView]) -> Json {
    let Some(p) = &site.config.profile else {
        return Json::Null;
    };
    let base = &site.config.base_path;
    let css = p.css();
    json!({
        "name": p.name,
        "office": p.office,
        "contact": p.contact,
        "logo": p.logo.as_ref().map(|(_, name)| format!("{base}assets/{name}")),
        "logo_alt": p.logo_alt.as_deref().or(p.office.as_deref()),
        "css": (!css.is_empty()).then(|| format!("{base}{}", crate::profile_css_path(&css))),
        "local_guidance": p.local_guidance.as_deref().and_then(|id| site.entity("guidance", id)).map(|i| &links[i]),
    })
}

/// Where a node's share image is written: its own card for targets, the
/// site's card for every other page.
pub fn share_path(site: &Site, i: usize) -> String {
    match &site.nodes[i].entity {
        Some((kind, id)) if kind == "target" => format!("share/{}.png", crate::text::slugify(id)),
        _ => "share/site.png".to_string(),
    }
}

/// The site's title: `site.yaml` first, else the home page's title.
pub fn site_title(site: &Site) -> &str {
    site.config
        .title
        .as_deref()
        .unwrap_or(&site.nodes[HOME].doc.fm.title)
}

fn link_view(site: &Site, i: usize) -> LinkView {
    let fm = &site.nodes[i].doc.fm;
    let short_title = fm.extra_str("short_title").unwrap_or(&fm.title).to_string();
    LinkView {
        title: fm.title.clone(),
        short_title,
        href: site.href(i),
        date: fm.date.map(|d| d.vi()).unwrap_or_default(),
        date_iso: fm.date.map(|d| d.iso()).unwrap_or_default(),
        doc_type: fm.doc_type.clone(),
    }
}
