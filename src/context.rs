//! Template contexts: what a template knows about the page it renders, the
//! site, and — for sections and the types declared as views — the site's
//! collections: every declared type's documents in reading order, grouped as
//! the type declares, each with its references and backlinks, and the
//! cross-reference matrix. Nothing here names a document type: what a type
//! has and shows comes from [`crate::model`].

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Mutex, OnceLock, PoisonError};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value as Json, json};
use serde_yaml::Value as Yaml;
use tera::Context;

use crate::diag::Diagnostic;
use crate::fsutil::{fingerprint, value_fingerprint};
use crate::markdown::{Heading, Rendered};
use crate::model::{FieldKind, Model, TypeDecl, group_entry, key_text};
use crate::render::Theme;
use crate::resolve::{HOME, Site};
use crate::xref::Xref;

/// A link to another document, as templates see it.
#[derive(Serialize, Clone, Hash)]
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

/// A section in the site map ([`Contexts::site_map`]).
#[derive(Serialize, Hash)]
pub struct SiteMapSection<'a> {
    title: &'a str,
    short_title: &'a str,
    href: &'a str,
    /// How many sections up to the home page.
    depth: usize,
    pages: Vec<&'a LinkView>,
    /// The pages not listed.
    more: usize,
}

#[derive(Serialize, Hash)]
struct SectionView<'a> {
    title: &'a str,
    short_title: &'a str,
    href: &'a str,
    /// The section's page list, rendered once (`partials/section_pages.html`).
    listing: Listed<'a>,
}

/// A section's rendered page list, with its fingerprint taken once:
/// templates see the HTML; hashing a view that holds it (a menu's place)
/// hashes the fingerprint, not the list again.
#[derive(Clone, Copy)]
struct Listed<'a> {
    html: &'a str,
    print: u64,
}

impl Serialize for Listed<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.html)
    }
}

impl std::hash::Hash for Listed<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.print.hash(h);
    }
}

#[derive(Serialize)]
struct SubsectionView<'a> {
    title: &'a str,
    short_title: &'a str,
    href: &'a str,
    pages: Vec<&'a LinkView>,
    /// The pages grouped by the list of groups the section declares.
    groups: Vec<Json>,
}

/// A place where the page is mentioned.
#[derive(Serialize)]
struct MentionView<'a> {
    title: String,
    href: String,
    excerpt: &'a str,
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
    /// The declared fields, resolved: references as links (to the exact
    /// place that mentions this page when there is one), groups as their
    /// entry, dates as `{iso, vi}`, the rest as written.
    fields: serde_json::Map<String, Json>,
    is_home: bool,
    is_section: bool,
    breadcrumbs: Vec<&'a LinkView>,
    prev: Option<&'a LinkView>,
    next: Option<&'a LinkView>,
    /// For a page in a section: the pages around it there (itself
    /// included), at most [`NEIGHBOURS`] on each side.
    neighbours: Vec<&'a LinkView>,
    section: Option<SectionView<'a>>,
    /// The site menu as this page's place shows it, rendered once for all
    /// the pages there (see [`Menus`]); base.html marks the page's own link.
    menu: &'a str,
    pages: Vec<&'a LinkView>,
    /// For sections: the pages grouped by the groups the section declares.
    groups: Vec<Json>,
    /// For sections whose pages have a declared type: that type's documents
    /// under the section, grouped as the type declares
    /// (`{type, label, plural, items, grouped}`).
    collection: Option<Json>,
    subsections: Vec<SubsectionView<'a>>,
    /// Where this page is mentioned ("Được đề cập tại").
    mentions: Vec<MentionView<'a>>,
    /// The typed documents this page references.
    refs: Vec<&'a Json>,
    /// Documents of the same type sharing the most references (`related:`).
    related: Vec<&'a LinkView>,
    /// schema.org JSON-LD, as the type declares it.
    jsonld: Option<String>,
    /// The share image (1200×630): href, and absolute URL when the site has an origin.
    share_image: Json,
}

/// A part of the site that a page's context is built from. A page's
/// context records every part it reads ([`Reads`]); `nqsite serve` renders
/// a page again only when a part it read last time has changed, so what a
/// page depends on is never written down a second time.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
pub enum Part {
    /// The site, its declared types, the strings, the assets, the menu.
    Base,
    /// The collections (`data`).
    Data,
    /// A document's path and front matter.
    Head(usize),
    /// A document's body.
    Body(usize),
    /// A typed document's view (its fields, references and backlinks).
    Entity(usize),
    /// The places that mention a document.
    Mentions(usize),
    /// The documents a document references.
    Refs(usize),
    /// A node's rendered navigation: a section's page list, and the menus
    /// rendered for its place ([`Menus`]).
    Listing(usize),
    /// A booklet page's documents and bodies.
    Booklet(usize),
}

/// The parts one page's context read.
#[derive(Debug, Default)]
pub struct Reads(RefCell<Vec<Part>>);

impl Reads {
    fn add(&self, part: Part) {
        self.0.borrow_mut().push(part);
    }

    /// The parts read, sorted, each once.
    pub fn into_parts(self) -> Vec<Part> {
        let mut parts = self.0.into_inner();
        parts.sort_unstable();
        parts.dedup();
        parts
    }
}

/// Fingerprints of the parts the contexts compute. A document's head and
/// body are fingerprinted where they are read (`nqsite serve` keeps them);
/// [`PartTable::get`] answers `None` for those.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PartTable {
    base: u64,
    data: u64,
    entities: Vec<u64>,
    mentions: Vec<u64>,
    refs: Vec<u64>,
    listings: Vec<u64>,
    booklets: Vec<u64>,
}

impl PartTable {
    /// The fingerprint of `part`, or `None` for heads and bodies.
    pub fn get(&self, part: Part) -> Option<u64> {
        let at = |v: &[u64], i: usize| Some(v.get(i).copied().unwrap_or(0));
        match part {
            Part::Base => Some(self.base),
            Part::Data => Some(self.data),
            Part::Head(_) | Part::Body(_) => None,
            Part::Entity(i) => at(&self.entities, i),
            Part::Mentions(i) => at(&self.mentions, i),
            Part::Refs(i) => at(&self.refs, i),
            Part::Listing(i) => at(&self.listings, i),
            Part::Booklet(i) => at(&self.booklets, i),
        }
    }
}

/// Most top-level sections and pages shown in the site menu.
const MENU_MAX: usize = 10;

/// Pages shown on each side of the current one in its section's list.
const NEIGHBOURS: usize = 2;

/// Pages listed per section in the site map of the search page; the rest
/// are counted and reached through the section's page.
const SITE_MAP_PAGES: usize = 60;

/// Builds contexts for every page; computed once per site.
pub struct Contexts<'a> {
    site: &'a Site,
    theme: &'a Theme,
    xref: &'a Xref,
    base: Context,
    /// A fingerprint of `base`, taken when first asked for.
    base_print: OnceLock<u64>,
    links: Vec<LinkView>,
    entities: Vec<Option<Json>>,
    /// Each node's position in reading order.
    order: Vec<usize>,
    /// The nodes of each type, in reading order.
    by_type: HashMap<String, Vec<usize>>,
    data: Json,
    listings: Vec<String>,
    /// The fingerprints of `listings`.
    listing_prints: Vec<u64>,
    menus: Vec<Menus>,
    /// For booklet pages: the section's documents with their bodies.
    booklets: Vec<Option<Json>>,
    /// Contexts given back after a render, for the next (see [`Lent`]).
    spare: Mutex<Vec<Spare>>,
}

impl Drop for Contexts<'_> {
    /// The shared context, the views and the spare contexts (each with its
    /// own copy of the shared part) are freed on another thread.
    fn drop(&mut self) {
        let spare = std::mem::take(self.spare.get_mut().unwrap_or_else(PoisonError::into_inner));
        crate::drop_later((
            std::mem::take(&mut self.base),
            std::mem::take(&mut self.links),
            std::mem::take(&mut self.entities),
            std::mem::take(&mut self.data),
            std::mem::take(&mut self.listings),
            std::mem::take(&mut self.menus),
            std::mem::take(&mut self.booklets),
            spare,
        ));
    }
}

impl<'a> Contexts<'a> {
    /// Prepares the parts of the context shared by every page.
    pub fn new(
        site: &'a Site,
        theme: &'a Theme,
        xref: &'a Xref,
    ) -> Result<Contexts<'a>, Diagnostic> {
        let links: Vec<LinkView> = (0..site.nodes.len())
            .into_par_iter()
            .map(|i| link_view(site, i))
            .collect();
        let mut base = base_context(site, theme, &links);
        insert_site_parts(&mut base, theme)?;
        let base_print = OnceLock::new();
        let shared = Shared {
            base: &base,
            print: &base_print,
        };
        let order = reading_order(site);
        let by_type = by_type(site, &order);
        let listings = site
            .nodes
            .par_iter()
            .map(|node| {
                if !node.doc.is_section || node.pages.is_empty() {
                    return Ok(String::new());
                }
                #[derive(Serialize, Hash)]
                struct Listing<'l> {
                    pages: Vec<&'l LinkView>,
                }
                let pages = node.pages.iter().map(|&p| &links[p]).collect();
                let listing = Listing { pages };
                // (Hashed as it is: writing hundreds of links as JSON to
                // fingerprint them cost more than the render it spares.)
                shared.render(
                    theme,
                    crate::render::LISTING_TEMPLATE,
                    &node.doc.shown,
                    &listing,
                    || fingerprint(&listing),
                )
            })
            .collect::<Vec<_>>()
            // The first section's error, whichever thread met it first.
            .into_iter()
            .collect::<Result<Vec<String>, _>>()?;
        let menus = site.nodes.iter().map(|_| Menus::default()).collect();
        let listing_prints = listings
            .par_iter()
            .map(|l| crate::fsutil::hash64(l.as_bytes()))
            .collect();
        let mut ctx = Contexts {
            site,
            theme,
            xref,
            base,
            base_print,
            links,
            entities: Vec::new(),
            order,
            by_type,
            data: Json::Null,
            listings,
            listing_prints,
            menus,
            booklets: Vec::new(),
            spare: Mutex::default(),
        };
        ctx.entities = (0..site.nodes.len())
            .into_par_iter()
            .map(|i| ctx.entity_view(i))
            .collect();
        ctx.data = ctx.site_data();
        Ok(ctx)
    }

    fn model(&self) -> &'a Model {
        &self.site.config.model
    }

    /// The cross-reference graph the contexts were built from.
    pub fn xref(&self) -> &Xref {
        self.xref
    }

    /// The JSON view of a typed document (`None` for untyped ones).
    pub fn entity(&self, i: usize) -> Option<&Json> {
        self.entities[i].as_ref()
    }

    /// The shared context, lent for one render: keys inserted through the
    /// [`Lent`] are taken out again when it is dropped.
    pub(crate) fn lend(&self) -> Lent<'_> {
        let spare = self.spare_contexts().pop().unwrap_or_else(|| Spare {
            ctx: self.base.clone(),
            data: None,
        });
        Lent {
            owner: self,
            spare,
            added: Vec::new(),
        }
    }

    fn spare_contexts(&self) -> std::sync::MutexGuard<'_, Vec<Spare>> {
        self.spare.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The shared context, to render with ([`Shared::render`]).
    pub(crate) fn shared(&self) -> Shared<'_> {
        Shared {
            base: &self.base,
            print: &self.base_print,
        }
    }

    /// Gives booklet pages the rendered bodies of their section
    /// (`booklet` in templates, see [`crate::print::booklets`]).
    pub fn set_bodies(
        &mut self,
        rendered: &[Rendered],
        html: &crate::BodyHtml<'_>,
    ) -> Result<(), Diagnostic> {
        self.booklets = crate::print::booklets(self.site, rendered, html)?;
        Ok(())
    }

    /// Fingerprints of the parts pages read (see [`Part`]).
    pub fn parts(&self) -> PartTable {
        let opt = |v: &Option<Json>| v.as_ref().map_or(0, value_fingerprint);
        PartTable {
            base: self.shared().fingerprint(),
            data: value_fingerprint(&self.data),
            entities: self.entities.par_iter().map(opt).collect(),
            mentions: self.xref.incoming.par_iter().map(fingerprint).collect(),
            refs: self.xref.outgoing.par_iter().map(fingerprint).collect(),
            listings: (0..self.listings.len())
                .into_par_iter()
                .map(|i| {
                    let places = [MenuOf::At, MenuOf::Inside].map(|of| self.menu_place(i, of));
                    fingerprint(&(self.listing_prints[i], places))
                })
                .collect(),
            booklets: self.booklets.iter().map(opt).collect(),
        }
    }

    fn link(&self, j: usize, r: &Reads) -> &LinkView {
        r.add(Part::Head(j));
        &self.links[j]
    }

    fn entity_read(&self, j: usize, r: &Reads) -> Option<&Json> {
        r.add(Part::Entity(j));
        self.entities[j].as_ref()
    }

    fn incoming(&self, j: usize, r: &Reads) -> &'a [crate::xref::Mention] {
        r.add(Part::Mentions(j));
        &self.xref.incoming[j]
    }

    fn outgoing(&self, j: usize, r: &Reads) -> &[usize] {
        r.add(Part::Refs(j));
        &self.xref.outgoing[j]
    }

    /// The front matter of node `j` and its ancestors, which group lists
    /// are looked up in.
    fn read_lineage(&self, j: usize, r: &Reads) {
        r.add(Part::Head(j));
        for a in self.site.ancestors(j) {
            r.add(Part::Head(a));
        }
    }

    /// True if node `i`'s template receives the collections (`data`).
    pub fn gets_data(&self, i: usize) -> bool {
        let doc = &self.site.nodes[i].doc;
        doc.is_section || self.model().is_view(doc.fm.doc_type.as_deref())
    }

    /// The full context for node `i`, with the parts it read, given its
    /// rendered body and the body's HTML (kept apart: a build lets each
    /// page's HTML go once the page is written).
    pub(crate) fn page(
        &self,
        i: usize,
        (rendered, html): (&Rendered, &str),
    ) -> Result<(Lent<'_>, Reads), Diagnostic> {
        let r = Reads::default();
        let ctx = self.page_read(i, rendered, html, &r)?;
        Ok((ctx, r))
    }

    fn page_read(
        &self,
        i: usize,
        rendered: &Rendered,
        html: &str,
        r: &Reads,
    ) -> Result<Lent<'_>, Diagnostic> {
        let site = self.site;
        let node = &site.nodes[i];
        let fm = &node.doc.fm;
        r.add(Part::Base);
        r.add(Part::Head(i));
        r.add(Part::Body(i));
        let (prev, next) = self.siblings(i, r);
        let section = node
            .parent
            .filter(|_| !node.doc.is_section)
            .map(|p| self.section_view(p, r));
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
            content: html,
            toc: rendered.headings.iter().filter(|h| h.level <= 3).collect(),
            extra: &fm.extra,
            fields: self.fields(i, r),
            is_home: i == HOME,
            is_section: node.doc.is_section,
            breadcrumbs: site
                .ancestors(i)
                .into_iter()
                .map(|a| self.link(a, r))
                .collect(),
            prev: prev.map(|p| self.link(p, r)),
            next: next.map(|n| self.link(n, r)),
            neighbours: self
                .neighbours(i)
                .iter()
                .map(|&p| self.link(p, r))
                .collect(),
            section,
            menu: self.menu(i, r)?,
            pages: node.pages.iter().map(|&p| self.link(p, r)).collect(),
            groups: self.section_groups(i, r),
            collection: self.collection(i, r),
            subsections: node
                .subsections
                .iter()
                .map(|&s| self.subsection_view(s, r))
                .collect(),
            mentions: self.mentions(i, r),
            refs: self
                .outgoing(i, r)
                .iter()
                .filter_map(|&t| self.entity_read(t, r))
                .collect(),
            related: self
                .related(i, r)
                .into_iter()
                .map(|q| self.link(q, r))
                .collect(),
            jsonld: self.jsonld(i, rendered),
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
        let mut ctx = self.lend();
        ctx.insert("page", &view);
        if self.gets_data(i) {
            r.add(Part::Data);
            ctx.insert_data();
        }
        if let Some(Some(booklet)) = self.booklets.get(i) {
            r.add(Part::Booklet(i));
            ctx.insert_json("booklet", booklet.clone());
        }
        Ok(ctx)
    }

    /// Previous and next page: for a type that declares `group_by`, its
    /// neighbours in the innermost group of its collection (the same year
    /// and group); else its neighbours in the section.
    fn siblings(&self, i: usize, r: &Reads) -> (Option<usize>, Option<usize>) {
        let site = self.site;
        let fm = &site.nodes[i].doc.fm;
        let Some(decl) = self.model().of(fm).filter(|d| !d.group_by.is_empty()) else {
            return site.siblings(i);
        };
        let key = |j: usize| -> Vec<Option<String>> {
            r.add(Part::Head(j));
            let extra = &site.nodes[j].doc.fm.extra;
            decl.group_by
                .iter()
                .map(|f| extra.get(f).and_then(key_text))
                .collect()
        };
        let mine = key(i);
        let same: Vec<usize> = self
            .nodes_of_type(fm.doc_type.as_deref().unwrap_or(""))
            .iter()
            .copied()
            .filter(|&j| key(j) == mine)
            .collect();
        match same.iter().position(|&x| x == i) {
            Some(pos) => (
                pos.checked_sub(1).map(|p| same[p]),
                same.get(pos + 1).copied(),
            ),
            None => (None, None),
        }
    }

    /// Node `i` and the pages around it in its section's list.
    fn neighbours(&self, i: usize) -> &'a [usize] {
        let node = &self.site.nodes[i];
        let Some(parent) = node.parent.filter(|_| !node.doc.is_section) else {
            return &[];
        };
        let list = &self.site.nodes[parent].pages;
        let Some(pos) = list.iter().position(|&p| p == i) else {
            return &[];
        };
        &list[pos.saturating_sub(NEIGHBOURS)..(pos + NEIGHBOURS + 1).min(list.len())]
    }

    /// Every section in reading order with its pages (at most
    /// [`SITE_MAP_PAGES`] each, `more` counts the rest), for pages that list
    /// the whole site (`sections` on the search page).
    pub fn site_map(&self) -> Vec<SiteMapSection<'_>> {
        let mut sections: Vec<usize> = (0..self.site.nodes.len())
            .filter(|&i| self.site.nodes[i].doc.is_section)
            .collect();
        sections.sort_by_key(|&i| self.order[i]);
        sections
            .into_iter()
            .map(|s| {
                let pages = &self.site.nodes[s].pages;
                let link = &self.links[s];
                SiteMapSection {
                    title: &link.title,
                    short_title: &link.short_title,
                    href: &link.href,
                    depth: self.site.ancestors(s).len(),
                    pages: pages
                        .iter()
                        .take(SITE_MAP_PAGES)
                        .map(|&p| &self.links[p])
                        .collect(),
                    more: pages.len().saturating_sub(SITE_MAP_PAGES),
                }
            })
            .collect()
    }

    fn section_view(&self, s: usize, r: &Reads) -> SectionView<'_> {
        r.add(Part::Listing(s));
        self.link(s, r); // its title and href
        self.section_of(s)
    }

    /// Section `s` with its rendered page list (what reading it means:
    /// [`Contexts::section_view`]).
    fn section_of(&self, s: usize) -> SectionView<'_> {
        let link = &self.links[s];
        SectionView {
            title: &link.title,
            short_title: &link.short_title,
            href: &link.href,
            listing: Listed {
                html: &self.listings[s],
                print: self.listing_prints[s],
            },
        }
    }

    /// The menu page `i` shows: its own when it is a section or an item of
    /// the menu, else the one of its section's pages.
    fn menu(&self, i: usize, r: &Reads) -> Result<&str, Diagnostic> {
        let (place, of) = match self.site.nodes[i].parent {
            Some(p) if !has_own_menu(self.site, i) => (p, MenuOf::Inside),
            _ => (i, MenuOf::At),
        };
        r.add(Part::Listing(place));
        self.menu_html(place, of)
    }

    /// The `page` of a page made besides the site's documents (search,
    /// 404): its title, href and breadcrumbs, no headings, and the menu
    /// with no section open (the home page's).
    pub(crate) fn besides_page(
        &self,
        title: &str,
        href: &str,
        breadcrumbs: Json,
    ) -> Result<Json, Diagnostic> {
        Ok(json!({
            "title": title, "href": href, "breadcrumbs": breadcrumbs, "toc": [],
            "menu": self.menu_html(HOME, MenuOf::At)?,
        }))
    }

    /// Node `i`'s menu `of`, rendered the first time it is asked for.
    fn menu_html(&self, i: usize, of: MenuOf) -> Result<&str, Diagnostic> {
        let menus = &self.menus[i];
        let cell = match of {
            MenuOf::At => &menus.at,
            MenuOf::Inside => &menus.inside,
        };
        let rendered = cell.get_or_init(|| {
            let Some((at, page)) = self.menu_place(i, of) else {
                return Ok(String::new());
            };
            #[derive(Serialize, Hash)]
            struct Extra<'e> {
                at: &'e MenuPlace<'e>,
            }
            let extra = Extra { at: &at };
            self.shared().render(
                self.theme,
                crate::render::MENU_TEMPLATE,
                page,
                &extra,
                || fingerprint(&extra),
            )
        });
        rendered.as_deref().map_err(Clone::clone)
    }

    /// The place node `i`'s menu `of` is rendered for, and the page named in
    /// messages about it; `None` where no page shows that menu.
    fn menu_place(&self, i: usize, of: MenuOf) -> Option<(MenuPlace<'_>, &Path)> {
        let (site, links) = (self.site, &self.links);
        let node = &site.nodes[i];
        let open = |itself: bool| -> Vec<&str> {
            let above = site.ancestors(i).into_iter().filter(|&a| a != HOME);
            above
                .chain(itself.then_some(i))
                .map(|a| links[a].href.as_str())
                .collect()
        };
        match of {
            MenuOf::At if has_own_menu(site, i) => {
                let place = MenuPlace {
                    href: &links[i].href,
                    open: open(false),
                    section: node
                        .parent
                        .filter(|_| !node.doc.is_section)
                        .map(|p| self.section_of(p)),
                    is_section: node.doc.is_section,
                    subsections: node.subsections.iter().map(|&s| &links[s]).collect(),
                };
                Some((place, &node.doc.shown))
            }
            MenuOf::Inside if node.doc.is_section => {
                // Named after the first page that shows it, for messages.
                let first = node.pages.iter().find(|&&p| !has_own_menu(site, p))?;
                let place = MenuPlace {
                    href: "",
                    open: open(i != HOME),
                    section: Some(self.section_of(i)),
                    is_section: false,
                    subsections: Vec::new(),
                };
                Some((place, &site.nodes[*first].doc.shown))
            }
            _ => None,
        }
    }

    fn subsection_view(&self, s: usize, r: &Reads) -> SubsectionView<'_> {
        let link = self.link(s, r);
        SubsectionView {
            title: &link.title,
            short_title: &link.short_title,
            href: &link.href,
            pages: self.site.nodes[s]
                .pages
                .iter()
                .map(|&p| self.link(p, r))
                .collect(),
            groups: self.section_groups(s, r),
        }
    }

    fn mentions(&self, i: usize, r: &Reads) -> Vec<MentionView<'a>> {
        self.incoming(i, r)
            .iter()
            .map(|m| {
                let from = self.link(m.from, r);
                let context = self.site.nodes[m.from]
                    .parent
                    .filter(|&p| p != HOME)
                    .map(|p| self.link(p, r).short_title.clone())
                    .unwrap_or_default();
                MentionView {
                    title: from.title.clone(),
                    href: self.mention_href(m, r),
                    excerpt: &m.excerpt,
                    doc_type: from.doc_type.clone(),
                    context,
                }
            })
            .collect()
    }

    /// The href of a mention: the mentioning page, at the mention's anchor.
    fn mention_href(&self, m: &crate::xref::Mention, r: &Reads) -> String {
        let base = &self.link(m.from, r).href;
        match m.link_id.as_ref().or(m.near.as_ref()) {
            Some(a) => format!("{base}#{a}"),
            None => base.clone(),
        }
    }

    /// The declared fields of node `i`, resolved for templates.
    fn fields(&self, i: usize, r: &Reads) -> serde_json::Map<String, Json> {
        let fm = &self.site.nodes[i].doc.fm;
        let mut out = serde_json::Map::new();
        let Some(decl) = self.model().of(fm) else {
            return out;
        };
        for (name, f) in &decl.fields {
            let Some(value) = fm.extra.get(name).filter(|v| !v.is_null()) else {
                continue;
            };
            let resolved = match f.kind {
                FieldKind::Ref => self.reference(i, f.to.as_deref(), value, r),
                FieldKind::Refs => Json::Array(
                    value
                        .as_sequence()
                        .into_iter()
                        .flatten()
                        .map(|v| self.reference(i, f.to.as_deref(), v, r))
                        .collect(),
                ),
                FieldKind::Group => {
                    let (list, by) = f.group_list();
                    self.read_lineage(i, r);
                    key_text(value)
                        .and_then(|k| group_entry(self.site, i, list, by, &k))
                        .map_or(Json::Null, |e| self.entry_view(e, by, r))
                }
                FieldKind::Date => {
                    let date = value
                        .as_str()
                        .and_then(|s| crate::text::Date::parse(s).ok());
                    date.map_or(Json::Null, |d| json!({ "iso": d.iso(), "vi": d.vi() }))
                }
                _ => serde_json::to_value(value).unwrap_or(Json::Null),
            };
            out.insert(name.clone(), resolved);
        }
        out
    }

    /// A reference from node `i`: the referenced document's link, pointing
    /// at the place where it mentions `i` when it does.
    fn reference(&self, i: usize, to: Option<&str>, value: &Yaml, r: &Reads) -> Json {
        let Some(t) = key_text(value).and_then(|k| self.site.entity(to?, &k)) else {
            return Json::Null;
        };
        let link = self.link(t, r);
        let mention = self
            .incoming(i, r)
            .iter()
            .find(|m| m.from == t && m.link_id.is_some());
        let href = mention.map_or_else(|| link.href.clone(), |m| self.mention_href(m, r));
        json!({ "key": key_text(value), "title": link.title, "short_title": link.short_title, "href": href, "type": link.doc_type })
    }

    /// An entry of a group list, for templates: every value of the entry;
    /// a key named after a declared type is a reference to a document of
    /// that type and becomes its view (`question: 15`).
    fn entry_view(&self, entry: &Yaml, by: &str, r: &Reads) -> Json {
        let mut v = serde_json::to_value(entry).unwrap_or(Json::Null);
        if let Some(map) = v.as_object_mut() {
            for (k, val) in map.iter_mut() {
                let target = self
                    .model()
                    .types
                    .contains_key(k)
                    .then(|| serde_yaml::to_value(&*val).ok())
                    .flatten()
                    .and_then(|id| key_text(&id))
                    .and_then(|id| self.site.entity(k, &id));
                if let Some(t) = target {
                    *val = self
                        .entity_read(t, r)
                        .cloned()
                        .unwrap_or_else(|| json!(self.link(t, r)));
                }
            }
            let key = entry.get(by).and_then(key_text);
            map.insert("key".into(), json!(key));
            if !map.contains_key("title") {
                map.insert("title".into(), json!(key));
            }
        }
        v
    }

    /// The pages of section `s` grouped by the list of groups `s` declares,
    /// in the list's order; pages in no group of the list come last, in a
    /// group whose key is null (never dropped).
    fn section_groups(&self, s: usize, r: &Reads) -> Vec<Json> {
        let site = self.site;
        let node = &site.nodes[s];
        if !node.doc.is_section {
            return Vec::new();
        }
        r.add(Part::Head(s));
        let field = node.pages.iter().find_map(|&p| {
            r.add(Part::Head(p));
            let (name, f) = self.model().of(&site.nodes[p].doc.fm)?.group_field()?;
            let (list, by) = f.group_list();
            node.doc.fm.extra.get(list)?.as_sequence()?;
            Some((name, list, by))
        });
        let Some((name, list, by)) = field else {
            return Vec::new();
        };
        let key_of = |p: usize| {
            r.add(Part::Head(p));
            site.nodes[p].doc.fm.extra.get(name).and_then(key_text)
        };
        let entries = node.doc.fm.extra.get(list).and_then(Yaml::as_sequence);
        let mut placed = vec![false; node.pages.len()];
        let mut out: Vec<Json> = entries
            .into_iter()
            .flatten()
            .map(|e| {
                let key = e.get(by).and_then(key_text);
                let items: Vec<&LinkView> = node
                    .pages
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| key.is_some() && key_of(**p) == key)
                    .map(|(k, &p)| {
                        placed[k] = true;
                        self.link(p, r)
                    })
                    .collect();
                let mut v = self.entry_view(e, by, r);
                v["items"] = json!(items);
                v
            })
            .collect();
        let rest: Vec<&LinkView> = node
            .pages
            .iter()
            .zip(&placed)
            .filter(|(_, placed)| !**placed)
            .map(|(&p, _)| self.link(p, r))
            .collect();
        if !rest.is_empty() {
            out.push(json!({ "key": null, "title": null, "items": rest }));
        }
        out
    }

    /// The documents under section `s` of the declared type of its first
    /// typed page, grouped as that type declares.
    fn collection(&self, s: usize, r: &Reads) -> Option<Json> {
        let site = self.site;
        if !site.nodes[s].doc.is_section {
            return None;
        }
        let under = descendants(site, s);
        let kind = site.nodes[s].pages.iter().find_map(|&p| type_of(site, p))?;
        let decl = self.model().get(kind)?;
        let mut nodes: Vec<usize> = under
            .into_iter()
            .filter(|&j| type_of(site, j) == Some(kind))
            .collect();
        nodes.sort_by_key(|&j| self.order[j]);
        let items = cloned_array(nodes.iter().filter_map(|&j| self.entity_read(j, r)));
        Some(object([
            ("type", json!(kind)),
            ("label", json!(decl.label)),
            (
                "plural",
                json!(decl.plural.as_ref().or(decl.label.as_ref())),
            ),
            ("items", items),
            ("grouped", self.grouped(&nodes, decl, &decl.group_by, r)),
        ]))
    }

    /// schema.org data, as the document's type declares it, serialised so it
    /// cannot close its `<script>` element (`<` is written as `\u003c`).
    /// It reads only the document's own head and body.
    fn jsonld(&self, i: usize, rendered: &Rendered) -> Option<String> {
        let site = self.site;
        let fm = &site.nodes[i].doc.fm;
        let skeleton = self.model().of(fm)?.jsonld.as_ref()?;
        let lookup = |name: &str| -> Option<Json> {
            match name {
                "title" => Some(json!(fm.title)),
                "url" => Some(json!(site.config.absolute(&site.nodes[i].path))),
                "date" => fm.date.map(|d| json!(d.iso())),
                "description" => fm.description.as_ref().map(|d| json!(d)),
                "text" => Some(json!(rendered.text.trim())),
                "language" => Some(json!(site.config.language)),
                _ => scalar_json(fm.extra.get(name)?),
            }
        };
        let value = crate::model::fill_json(skeleton, &lookup)?;
        Some(serde_json::to_string(&value).ok()?.replace('<', "\\u003c"))
    }

    /// Documents of the same type sharing the most references with `i`
    /// (references to documents of its own type do not count).
    fn related(&self, i: usize, r: &Reads) -> Vec<usize> {
        let site = self.site;
        let fm = &site.nodes[i].doc.fm;
        let Some(max) = self.model().of(fm).and_then(|d| d.related) else {
            return Vec::new();
        };
        let same = |j: usize| type_of(site, j) == fm.doc_type.as_deref();
        let mine = self.outgoing(i, r);
        let mut scored: Vec<(usize, usize)> = (0..site.nodes.len())
            .filter(|&j| j != i && same(j))
            .map(|j| {
                let shared = self
                    .outgoing(j, r)
                    .iter()
                    .filter(|t| mine.contains(t) && !same(**t))
                    .count();
                (shared, j)
            })
            .filter(|(score, _)| *score > 0)
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().take(max).map(|(_, j)| j).collect()
    }

    /// The collections: every declared type's documents, in reading order
    /// and grouped as declared, and the matrix.
    fn site_data(&self) -> Json {
        let mut types = serde_json::Map::new();
        for (name, decl) in &self.model().types {
            let nodes = self.nodes_of_type(name);
            let items = cloned_array(nodes.iter().filter_map(|&i| self.entities[i].as_ref()));
            types.insert(
                name.clone(),
                object([
                    ("name", json!(name)),
                    ("label", json!(decl.label)),
                    (
                        "plural",
                        json!(decl.plural.as_ref().or(decl.label.as_ref())),
                    ),
                    ("items", items),
                    (
                        "grouped",
                        self.grouped(nodes, decl, &decl.group_by, &Reads::default()),
                    ),
                ]),
            );
        }
        object([("types", Json::Object(types)), ("matrix", self.matrix())])
    }

    /// Nodes of `kind` in reading order.
    fn nodes_of_type(&self, kind: &str) -> &[usize] {
        self.by_type.get(kind).map_or(&[], Vec::as_slice)
    }

    /// `nodes` grouped by the first field of `by`, each group grouped by the
    /// rest: `[{field, key, title, anchor, entry, items, groups}]`. Groups of
    /// a `group` field follow their list's order; other values ascend.
    fn grouped(&self, nodes: &[usize], decl: &TypeDecl, by: &[String], r: &Reads) -> Json {
        self.grouped_under(nodes, decl, by, "", r)
    }

    fn grouped_under(
        &self,
        nodes: &[usize],
        decl: &TypeDecl,
        by: &[String],
        parent: &str,
        r: &Reads,
    ) -> Json {
        let Some((field, rest)) = by.split_first() else {
            return json!([]);
        };
        let site = self.site;
        let f = decl.fields.get(field);
        /// What a group's heading is made from.
        enum Head<'y> {
            Json(Json),
            /// An entry of a declared list, keyed by its field.
            Entry(&'y Yaml, &'y str),
        }
        let mut groups: Vec<(GroupKey, Json, Vec<usize>)> = Vec::new();
        for &i in nodes {
            let fm = &site.nodes[i].doc.fm;
            self.read_lineage(i, r);
            let (key, entry) = match f.map(|f| f.kind) {
                Some(FieldKind::Group) => {
                    let (list, by_key) = f.map(|f| f.group_list()).unwrap_or(("groups", "id"));
                    let k = fm.extra.get(field).and_then(key_text);
                    let found = crate::model::group_list(site, i, list).and_then(|(s, entries)| {
                        let pos = entries
                            .iter()
                            .position(|e| e.get(by_key).and_then(key_text) == k)?;
                        Some((s, pos, &entries[pos]))
                    });
                    match found {
                        Some((s, pos, e)) => {
                            (GroupKey::Listed(self.order[s], pos), Head::Entry(e, by_key))
                        }
                        None => (GroupKey::Missing, Head::Json(Json::Null)),
                    }
                }
                _ if field == "date" => match fm.date {
                    Some(d) => (GroupKey::Text(d.iso()), Head::Json(json!(d.vi()))),
                    None => (GroupKey::Missing, Head::Json(Json::Null)),
                },
                _ => match fm.extra.get(field).filter(|v| !v.is_null()) {
                    Some(v) => (
                        group_key(v),
                        Head::Json(scalar_json(v).unwrap_or(Json::Null)),
                    ),
                    None => (GroupKey::Missing, Head::Json(Json::Null)),
                },
            };
            match groups.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, _, members)) => members.push(i),
                // The group's heading is made once, by its first member.
                None => {
                    let entry = match entry {
                        Head::Json(j) => j,
                        Head::Entry(e, by_key) => self.entry_view(e, by_key, r),
                    };
                    groups.push((key, entry, vec![i]));
                }
            }
        }
        groups.sort_by(|a, b| a.0.cmp(&b.0));
        let out: Vec<Json> = groups
            .into_iter()
            .map(|(key, entry, members)| {
                let title = match &entry {
                    Json::Object(o) => o.get("title").cloned().unwrap_or(Json::Null),
                    other => other.clone(),
                };
                let key_json = match &entry {
                    Json::Object(o) => o.get("key").cloned().unwrap_or(Json::Null),
                    other => other.clone(),
                };
                let anchor = group_anchor(parent, field, f, &key_json);
                let items = cloned_array(members.iter().filter_map(|&i| self.entity_read(i, r)));
                let groups = self.grouped_under(&members, decl, rest, &anchor, r);
                object([
                    ("field", json!(field)),
                    ("key", key_json),
                    ("title", title),
                    ("anchor", json!(anchor)),
                    ("entry", entry),
                    ("missing", json!(key == GroupKey::Missing)),
                    ("items", items),
                    ("groups", groups),
                ])
            })
            .collect();
        Json::Array(out)
    }

    /// Rows and columns as `site.yaml` declares them. A cell counts the
    /// mentions of the row's document from the column's document and, for
    /// a section, from the pages under it.
    fn matrix(&self) -> Json {
        let Some(decl) = &self.model().matrix else {
            return Json::Null;
        };
        let site = self.site;
        let columns: Vec<(usize, Vec<usize>)> = decl
            .columns
            .iter()
            .flat_map(|kind| self.nodes_of_type(kind))
            .map(|&c| (c, descendants(site, c)))
            .collect();
        let rows: Vec<Json> = decl
            .rows
            .iter()
            .flat_map(|kind| self.nodes_of_type(kind))
            .map(|&r| {
                let cells: Vec<Json> = columns
                    .iter()
                    .map(|(_, docs)| {
                        let hits: Vec<&crate::xref::Mention> = self.xref.incoming[r]
                            .iter()
                            .filter(|m| docs.contains(&m.from))
                            .collect();
                        let href = hits
                            .first()
                            .map(|m| self.mention_href(m, &Reads::default()));
                        json!({ "count": hits.len(), "href": href })
                    })
                    .collect();
                let entity = self.entities[r].clone().unwrap_or(Json::Null);
                object([("entity", entity), ("cells", Json::Array(cells))])
            })
            .collect();
        let cols: Vec<&LinkView> = columns.iter().map(|(c, _)| &self.links[*c]).collect();
        object([("columns", json!(cols)), ("rows", Json::Array(rows))])
    }

    /// The JSON view of a typed document: its key (null when it has none),
    /// its link, its scalar front matter, the keys of what it references and the documents that
    /// mention it, both by type.
    fn entity_view(&self, i: usize) -> Option<Json> {
        let site = self.site;
        let kind = site.nodes[i].doc.fm.doc_type.as_ref()?;
        let id = site.nodes[i].entity.as_ref().map(|(_, id)| id);
        let link = &self.links[i];
        let mut v = json!({
            "kind": kind,
            "id": id,
            "title": link.title,
            "short_title": link.short_title,
            "href": link.href,
            "date": link.date,
            "date_iso": link.date_iso,
        });
        for (k, val) in &site.nodes[i].doc.fm.extra {
            if let (Some(k), Some(val)) = (k.as_str(), scalar_json(val))
                && v.get(k).is_none()
            {
                v[k] = val;
            }
        }
        let mut refs: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for &t in &self.xref.outgoing[i] {
            if let Some((k, id)) = &site.nodes[t].entity {
                refs.entry(k).or_default().push(id);
            }
        }
        let mut from: Vec<usize> = self.xref.incoming[i].iter().map(|m| m.from).collect();
        from.sort_by_key(|&f| self.order[f]);
        from.dedup();
        let mut backlinks: BTreeMap<&str, Vec<&LinkView>> = BTreeMap::new();
        for f in from {
            let kind = site.nodes[f].doc.fm.doc_type.as_deref().unwrap_or("");
            backlinks.entry(kind).or_default().push(&self.links[f]);
        }
        v["refs"] = json!(refs);
        v["backlinks"] = json!(backlinks);
        Some(v)
    }
}

/// Copies of `items` as a JSON array: cloning a value costs a fraction of
/// what `json!` does with a reference to one (it serialises it anew).
fn cloned_array<'j>(items: impl Iterator<Item = &'j Json>) -> Json {
    Json::Array(items.cloned().collect())
}

/// A JSON object of values already made: `json!` would serialise each anew.
fn object<const N: usize>(entries: [(&str, Json); N]) -> Json {
    Json::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// How groups of a collection sort: listed groups in their list's order,
/// then numbers ascending, then text in Vietnamese order, then documents
/// without a value.
#[derive(Debug, Clone, PartialEq)]
enum GroupKey {
    Listed(usize, usize),
    Number(f64),
    Text(String),
    Missing,
}

impl GroupKey {
    fn rank(&self) -> u8 {
        match self {
            GroupKey::Listed(..) => 0,
            GroupKey::Number(_) => 1,
            GroupKey::Text(_) => 2,
            GroupKey::Missing => 3,
        }
    }
}

impl Eq for GroupKey {}

impl PartialOrd for GroupKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for GroupKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        match (self, other) {
            (GroupKey::Listed(a, b), GroupKey::Listed(c, d)) => (a, b).cmp(&(c, d)),
            (GroupKey::Number(a), GroupKey::Number(b)) => a.total_cmp(b),
            (GroupKey::Text(a), GroupKey::Text(b)) => crate::text::collate(a, b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

/// A context with the shared part, from [`Contexts::lend`]. Copying the
/// shared part and the collections (580 KB of JSON on the shipped site,
/// given to every section and view) for each page was a tenth of the
/// shipped site's build: a lent context is made once per thread and keeps
/// its own copy of the collections, moved in for the pages that get them
/// and out again after.
pub(crate) struct Lent<'c> {
    owner: &'c Contexts<'c>,
    spare: Spare,
    /// The keys put in since it was lent, to take out when given back.
    added: Vec<&'static str>,
}

/// A context ready to be lent, with its copy of the collections when they
/// are not in it.
struct Spare {
    ctx: Context,
    data: Option<Json>,
}

impl Lent<'_> {
    /// Serializes `value` under `key`.
    pub(crate) fn insert(&mut self, key: &'static str, value: &impl Serialize) {
        debug_assert!(!self.owner.base.contains_key(key), "`{key}` is shared");
        self.spare.ctx.insert(key, value);
        self.added.push(key);
    }

    /// Puts `value` under `key` as it is. (`Context::insert` would
    /// serialize it into a new value, node by node.)
    fn insert_json(&mut self, key: &'static str, value: Json) {
        let one = serde_json::Map::from_iter([(key.to_string(), value)]);
        // (An object always makes a context.)
        debug_assert!(!self.owner.base.contains_key(key), "`{key}` is shared");
        if let Ok(part) = Context::from_value(Json::Object(one)) {
            self.spare.ctx.extend(part);
            self.added.push(key);
        }
    }

    /// Puts the collections under `data`.
    fn insert_data(&mut self) {
        let owner = self.owner;
        let data = self.spare.data.take();
        self.insert_json(DATA, data.unwrap_or_else(|| owner.data.clone()));
    }
}

/// Where the collections are in a page's context.
const DATA: &str = "data";

impl std::ops::Deref for Lent<'_> {
    type Target = Context;

    fn deref(&self) -> &Context {
        &self.spare.ctx
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        let empty = Spare {
            ctx: Context::new(),
            data: None,
        };
        let mut spare = std::mem::replace(&mut self.spare, empty);
        for key in self.added.drain(..) {
            let value = spare.ctx.remove(key);
            if key == DATA {
                spare.data = value;
            }
        }
        self.owner.spare_contexts().push(spare);
    }
}

/// A page-unique anchor for a group: its key, after the slug of the
/// field's label for values that are not group ids (`nam-2030`), after the
/// parent group's anchor when nested.
fn group_anchor(
    parent: &str,
    field: &str,
    f: Option<&crate::model::FieldDecl>,
    key: &Json,
) -> String {
    let key = match key {
        Json::String(s) => crate::text::slug_or(s, "khac"),
        Json::Null => "khac".to_string(),
        other => crate::text::slug_or(&other.to_string(), "khac"),
    };
    let own = match f {
        Some(f) if f.kind == FieldKind::Group => key,
        _ => {
            let label = f.and_then(|f| f.label.as_deref()).unwrap_or(field);
            format!("{}-{key}", crate::text::slug_or(label, field))
        }
    };
    if parent.is_empty() {
        own
    } else {
        format!("{parent}-{own}")
    }
}

fn group_key(v: &Yaml) -> GroupKey {
    match v {
        Yaml::Number(n) => GroupKey::Number(n.as_f64().unwrap_or(0.0)),
        other => GroupKey::Text(key_text(other).unwrap_or_default()),
    }
}

/// A scalar front-matter value as JSON (`None` for lists and mappings).
fn scalar_json(v: &Yaml) -> Option<Json> {
    if v.is_sequence() || v.is_mapping() {
        return None;
    }
    serde_json::to_value(v).ok()
}

/// The declared type of node `j`. Not recorded as a read: a node's type is
/// part of the site's structure, whose change renders every page again
/// (`incremental::structure_fingerprint`).
fn type_of(site: &Site, j: usize) -> Option<&str> {
    site.nodes[j].doc.fm.doc_type.as_deref()
}

/// Node `i` and, for a section, every node under it.
fn descendants(site: &Site, i: usize) -> Vec<usize> {
    let mut out = vec![i];
    let mut k = 0;
    while k < out.len() {
        let n = &site.nodes[out[k]];
        out.extend(n.pages.iter().chain(&n.subsections));
        k += 1;
    }
    out
}

/// The nodes of each type, in reading order (`order`: each node's place).
fn by_type(site: &Site, order: &[usize]) -> HashMap<String, Vec<usize>> {
    let mut out: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, node) in site.nodes.iter().enumerate() {
        if let Some(t) = &node.doc.fm.doc_type {
            out.entry(t.clone()).or_default().push(i);
        }
    }
    for nodes in out.values_mut() {
        nodes.sort_by_key(|&i| order[i]);
    }
    out
}

/// Each node's position in reading order: a section, its pages, then its
/// sub-sections, depth first from the home page.
fn reading_order(site: &Site) -> Vec<usize> {
    let mut order = vec![usize::MAX; site.nodes.len()];
    let mut next = 0;
    let mut stack = vec![HOME];
    while let Some(i) = stack.pop() {
        order[i] = next;
        next += 1;
        for &p in &site.nodes[i].pages {
            order[p] = next;
            next += 1;
        }
        stack.extend(site.nodes[i].subsections.iter().rev());
    }
    order
}

/// The context every page shares, and its fingerprint once taken.
pub(crate) struct Shared<'c> {
    base: &'c Context,
    print: &'c OnceLock<u64>,
}

impl Shared<'_> {
    fn fingerprint(&self) -> u64 {
        *self
            .print
            .get_or_init(|| value_fingerprint(&self.base.clone().into_json()))
    }

    /// Renders `template` for `page` with the shared context and the
    /// top-level keys of `extra` (see [`Theme::render_from`]: with kept
    /// renders, again only when either changed, as the shared context's
    /// fingerprint and `print`, the fingerprint of `extra`, tell).
    pub(crate) fn render(
        &self,
        theme: &Theme,
        template: &str,
        page: &Path,
        extra: &impl Serialize,
        print: impl FnOnce() -> u64,
    ) -> Result<String, Diagnostic> {
        theme.render_from(
            template,
            page,
            || fingerprint(&(self.fingerprint(), print())),
            || {
                let extra = Context::from_serialize(extra)
                    .map_err(|e| Diagnostic::error(page, 0, 0, e.to_string()))?;
                let mut ctx = self.base.clone();
                ctx.extend(extra);
                Ok(ctx)
            },
        )
    }
}

/// The nodes of the site menu (`site.menu`): the top-level sections, then
/// the top-level pages, at most [`MENU_MAX`].
fn menu_items(site: &Site) -> impl Iterator<Item = usize> + '_ {
    let home = &site.nodes[HOME];
    home.subsections
        .iter()
        .chain(&home.pages)
        .copied()
        .take(MENU_MAX)
}

/// True if node `i` shows a menu of its own (see [`Menus`]).
fn has_own_menu(site: &Site, i: usize) -> bool {
    site.nodes[i].doc.is_section || menu_items(site).any(|m| m == i)
}

/// The site menu, rendered once for each place that shows it
/// (`partials/menu.html`, with the place as `at`) rather than once per page:
/// it lists every section of the menu, and the page list of the open one,
/// on every page. Each is rendered when a page first shows it: a build that
/// takes most pages from its previous output renders few.
#[derive(Default)]
struct Menus {
    /// What a section, or a page of the menu, shows on its own page.
    at: OnceLock<Result<String, Diagnostic>>,
    /// What a section's other pages show (each marks its own link).
    inside: OnceLock<Result<String, Diagnostic>>,
}

/// Which of a node's menus ([`Menus`]).
#[derive(Clone, Copy)]
enum MenuOf {
    At,
    Inside,
}

/// The place a menu is rendered for: `at` in `partials/menu.html`.
#[derive(Serialize, Hash)]
struct MenuPlace<'a> {
    /// The page's href; empty for the pages of a section (the menu is theirs
    /// alike).
    href: &'a str,
    /// The hrefs of the sections the place is in, but the home page's.
    open: Vec<&'a str>,
    /// For the pages of a section, and a page of the menu: that section,
    /// with its page list.
    section: Option<SectionView<'a>>,
    is_section: bool,
    /// For a section: its subsections.
    subsections: Vec<&'a LinkView>,
}

/// The context every page shares: the site, its declared types, the UI
/// strings, the assets.
fn base_context(site: &Site, theme: &Theme, links: &[LinkView]) -> Context {
    let menu: Vec<&LinkView> = menu_items(site).map(|i| &links[i]).collect();
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
            "types": types_view(&site.config.model),
            "profile": profile_view(site, links),
            "portable": false,
        }),
    );
    base.insert("t", &theme.strings_for(&site.config));
    let base_path = &site.config.base_path;
    let files: BTreeMap<&str, String> = theme
        .asset_paths
        .iter()
        .map(|(name, path)| (name.as_str(), format!("{base_path}{path}")))
        .collect();
    // The search's scripts (`assets.search`): a site-relative path, resolved
    // against `data-root` in the browser so that it works in portable
    // copies too. Pages name only the manifest, never the index's hash.
    base.insert(
        "assets",
        &json!({
            "css": format!("{base_path}{}", theme.css_path),
            "files": files,
            "search": crate::search::MANIFEST,
        }),
    );
    base
}

/// Renders the theme's site parts (see [`Theme::site_parts`]) with the
/// shared context, once, and gives them to every template as `parts`.
/// Rendered each time (never taken from what `nqsite serve` keeps): two
/// small renders cost less than fingerprinting the shared context.
fn insert_site_parts(base: &mut Context, theme: &Theme) -> Result<(), Diagnostic> {
    let parts = theme
        .site_parts()
        .map(|(key, template)| {
            let html = theme.render(template, base, Path::new(template))?;
            Ok((key.to_string(), Json::String(html)))
        })
        .collect::<Result<serde_json::Map<String, Json>, Diagnostic>>()?;
    base.insert("parts", &parts);
    Ok(())
}

/// The declared types for templates: each declaration as written, plus
/// `field_names`, its fields in declared order (a JSON object, as templates
/// see `fields`, keeps its keys sorted).
fn types_view(model: &Model) -> Json {
    let types: serde_json::Map<String, Json> = model
        .types
        .iter()
        .map(|(name, decl)| {
            let mut v = serde_json::to_value(decl).unwrap_or(Json::Null);
            if let Some(o) = v.as_object_mut() {
                o.insert(
                    "field_names".into(),
                    json!(decl.fields.keys().collect::<Vec<_>>()),
                );
            }
            (name.clone(), v)
        })
        .collect();
    Json::Object(types)
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
        "local_guidance": p.local_guidance.as_deref().and_then(|id| site.reference(id).ok()).map(|i| &links[i]),
    })
}

/// Where a node's share image is written: its own card when its type
/// declares one, the site's card for every other page.
pub fn share_path(site: &Site, i: usize) -> String {
    let node = &site.nodes[i];
    match (&node.entity, site.config.model.of(&node.doc.fm)) {
        (Some((_, id)), Some(decl)) if decl.share.is_some() => {
            format!("share/{}.png", crate::text::slugify(id))
        }
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
