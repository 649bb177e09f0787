//! Pages built from many dossiers: home, category tables, tag and jurisdiction listings,
//! maintenance, plus the standalone pages, search page and 404.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use super::views::Summary;
use super::{RenderedDossier, Renderer, feeds};
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::markdown::{self, BodyContext};
use crate::model::{ClaimKind, Date, Page, SourceRef};
use crate::output::Output;
use crate::site::Site;

type Result<T> = std::result::Result<T, Diagnostic>;

/// Listing pages from the previous run, by output path, with the key of what they showed.
pub type ListingCache = HashMap<String, (u64, Kept)>;

/// A listing page an earlier run made: its bytes, or (a build's cache on disk) only that the
/// cache holds it, so it is taken from there unread, as a reused dossier's pages are.
#[derive(Clone)]
pub enum Kept {
    Bytes(Arc<[u8]>),
    Earlier,
}

/// A listing page's key: what it shows of its dossiers (their `shown` keys cover that; not
/// their bodies, which no listing shows), `extra` for the rest, and the site-wide key.
fn listing_key(r: &Renderer, path: &str, extra: u64, dossiers: &[&RenderedDossier]) -> u64 {
    let mut text = format!("{path}|{}|{extra}", r.global_key);
    for d in dossiers {
        let _ = write!(text, "|{}", d.shown);
    }
    crate::load::content_hash(text.as_bytes())
}

/// The key of the pages that summarise the whole wiki (home, maintenance, feeds, sitemap, the
/// tag and jurisdiction indexes): every dossier as listings see it, every category, page and
/// the home text. An edit to a dossier's body leaves it unchanged.
fn whole_site_key(site: &Site, r: &Renderer, done: &[RenderedDossier]) -> u64 {
    let mut text = format!("{}|{:?}", r.global_key, site.home.as_ref().map(|h| h.hash));
    for (slug, category) in &site.categories {
        let _ = write!(text, "|c:{slug}:{}", category.hash);
    }
    for (slug, page) in &site.pages {
        let _ = write!(text, "|p:{slug}:{}", page.hash);
    }
    for d in done {
        let _ = write!(text, "|{}", d.shown);
    }
    crate::load::content_hash(text.as_bytes())
}

/// A rendered or reused listing page: where it goes, its key, what it is.
type CachedPage = (String, u64, Kept);

/// This run's listing pages: the previous run's where their key is unchanged, new ones
/// otherwise, each put in the output and remembered for the next run.
pub(super) struct Listings<'a> {
    previous: ListingCache,
    next: &'a mut ListingCache,
    pub(super) out: &'a mut Output,
    /// Pages taken unread from the earlier run ([`Kept::Earlier`]), by path.
    pub(super) earlier: Vec<String>,
}

impl<'a> Listings<'a> {
    /// Listings into `out`, reusing what `cache` holds and leaving this run's pages in it.
    pub(super) fn new(out: &'a mut Output, cache: &'a mut ListingCache) -> Listings<'a> {
        Listings { previous: std::mem::take(cache), next: cache, out, earlier: Vec::new() }
    }

    fn keep(&mut self, path: String, key: u64, page: Kept) {
        match &page {
            Kept::Bytes(bytes) => {
                self.out.files.insert(path.clone(), Arc::clone(bytes));
            }
            Kept::Earlier => self.earlier.push(path.clone()),
        }
        self.next.insert(path, (key, page));
    }

    /// The page kept at `path` if it was made under `key`.
    fn reusable(&self, path: &str, key: u64) -> Option<Kept> {
        self.previous.get(path).filter(|(k, _)| *k == key).map(|(_, page)| page.clone())
    }

    /// Files that are made together under one key: reused when every one of `paths` was made
    /// under `key` last time, otherwise made again by `make`.
    fn files(
        &mut self,
        r: &Renderer,
        key: u64,
        paths: &[&str],
        make: impl FnOnce() -> Result<Vec<(String, Vec<u8>)>>,
    ) -> Result<()> {
        match self.all_reusable(paths, key) {
            Some(pages) => paths.iter().zip(pages).for_each(|(path, page)| self.keep((*path).to_owned(), key, page)),
            None => make()?.into_iter().for_each(|(path, bytes)| self.keep(path, key, Kept::Bytes(r.held(bytes)))),
        }
        Ok(())
    }

    /// The pages kept at `paths` if every one of them was made under `key`.
    fn all_reusable(&self, paths: &[&str], key: u64) -> Option<Vec<Kept>> {
        paths.iter().map(|p| self.reusable(p, key)).collect()
    }

    /// Renders the pages in parallel, reusing each one whose key is unchanged.
    pub(super) fn pages<T: Sync>(
        &mut self,
        r: &Renderer,
        jobs: Vec<(String, u64, T)>,
        render: impl Fn(&T) -> Result<Vec<u8>> + Sync,
    ) -> Result<()> {
        let this = &*self;
        let pages: Vec<Result<CachedPage>> = jobs
            .par_iter()
            .map(|(path, key, job)| match this.reusable(path, *key) {
                Some(page) => Ok((path.clone(), *key, page)),
                None => render(job).map(|bytes| (path.clone(), *key, Kept::Bytes(r.held(bytes)))),
            })
            .collect();
        for page in pages {
            let (path, key, page) = page?;
            self.keep(path, key, page);
        }
        Ok(())
    }
}

pub fn render_listings(
    site: &Site,
    config: &Config,
    done: &[RenderedDossier],
    r: &Renderer,
    listings: &mut Listings,
) -> Result<()> {
    let whole = whole_site_key(site, r, done);
    // The home page, the maintenance lists and the site's data files and feed each read the
    // whole wiki and nothing of each other: those the last run left no current copy of are
    // made side by side, on every core, instead of one after another on one.
    let stale = |paths: &[&str]| listings.all_reusable(paths, whole).is_none();
    let (remake_home, remake_maintenance, remake_feeds) =
        (stale(&["index.html"]), stale(&[MAINTENANCE_JSON, MAINTENANCE_PAGE]), stale(feeds::FILES));
    let ((home_page, maintenance_files), feed_files) = rayon::join(
        || {
            rayon::join(
                || remake_home.then(|| home(site, done, r)),
                || remake_maintenance.then(|| maintenance(site, done, r)),
            )
        },
        || remake_feeds.then(|| feeds::feeds(site, config, done, r)),
    );
    listings.files(r, whole, &["index.html"], || {
        Ok(vec![("index.html".to_owned(), home_page.unwrap_or_else(|| home(site, done, r))?)])
    })?;
    let category_jobs: Vec<(String, u64, &String)> = site
        .categories
        .iter()
        .map(|(slug, c)| {
            let members: Vec<&RenderedDossier> = done.iter().filter(|d| d.category == *slug).collect();
            let path = format!("categories/{slug}/index.html");
            (path.clone(), listing_key(r, &path, c.hash, &members), slug)
        })
        .collect();
    listings.pages(r, category_jobs, |slug| category(site, slug, done, r))?;
    terms(done, r, listings, TermKind::Tag, whole)?;
    terms(done, r, listings, TermKind::Jurisdiction, whole)?;
    listings.files(r, whole, &[MAINTENANCE_JSON, MAINTENANCE_PAGE], || {
        maintenance_files.unwrap_or_else(|| maintenance(site, done, r))
    })?;
    listings.files(r, whole, feeds::FILES, || Ok(feed_files.unwrap_or_else(|| feeds::feeds(site, config, done, r))))?;
    let files = &mut listings.out.files;
    for page in site.pages.values().filter(|p| r.settings.drafts || !p.meta.draft) {
        let html = standalone(page, r, "page.html", &format!("{}/", page.slug))?;
        files.insert(format!("{}/index.html", page.slug), r.held(html));
    }
    let url = r.links.path("search/");
    let search = SearchView { filters_note: String::new() };
    let html = r.page("search.html", ("Search", "Search the dossiers", &url, false), &[("search", &search)])?;
    files.insert("search/index.html".to_owned(), r.held(html));
    let url = r.links.path("404.html");
    let html = r.page("404.html", ("Page not found", "This page does not exist", &url, false), &[])?;
    files.insert("404.html".to_owned(), r.held(html));
    Ok(())
}

#[derive(Serialize)]
struct SearchView {
    filters_note: String,
}

#[derive(Serialize)]
struct ContentView {
    title: String,
    description: String,
    body_html: String,
    notes_html: Option<String>,
}

fn render_markdown(text: &str, r: &Renderer) -> markdown::RenderedBody {
    let highlight = super::highlight::highlight;
    markdown::render_body(
        text,
        &BodyContext {
            claim_ids: &[],
            base_path: &r.links.base_path,
            highlight: &highlight,
            is_reserved_id: &|id| r.theme.reserved_ids.contains(id),
        },
    )
}

fn standalone(page: &Page, r: &Renderer, template: &str, rel_url: &str) -> Result<Vec<u8>> {
    let body = render_markdown(&page.body.text, r);
    let view = ContentView {
        title: page.meta.title.value.clone(),
        description: page.meta.description.value.clone(),
        body_html: body.html,
        notes_html: body.notes_html,
    };
    let url = r.links.path(rel_url);
    r.page(template, (&view.title, &view.description, &url, body.has_code), &[("content", &view)])
}

#[derive(Serialize)]
struct CategoryCard {
    slug: String,
    name: String,
    description: String,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct HomeView {
    intro_title: String,
    intro_html: String,
    categories: Vec<CategoryCard>,
    recent: Vec<Summary>,
    stale_count: usize,
    provider_count: usize,
    claim_count: usize,
}

fn home(site: &Site, done: &[RenderedDossier], r: &Renderer) -> Result<Vec<u8>> {
    let categories = site
        .categories
        .values()
        .map(|c| CategoryCard {
            slug: c.slug.clone(),
            name: c.meta.name.value.clone(),
            description: c.meta.description.value.clone(),
            url: r.links.category(&c.slug),
            count: done.iter().filter(|d| d.category == c.slug).count(),
        })
        .collect();
    let mut recent: Vec<&Summary> = done.iter().map(|d| &d.summary).collect();
    recent.sort_by(|a, b| b.verified_newest.cmp(&a.verified_newest).then_with(|| a.name.cmp(&b.name)));
    let (intro_title, body) = match &site.home {
        Some(home) => (home.meta.title.value.clone(), render_markdown(&home.body.text, r)),
        None => (String::new(), markdown::RenderedBody::default()),
    };
    let view = HomeView {
        intro_title,
        intro_html: body.html,
        categories,
        recent: recent.into_iter().take(10).cloned().collect(),
        stale_count: done.iter().map(|d| d.summary.stale_count).sum(),
        provider_count: done.len(),
        claim_count: done.iter().map(|d| d.summary.claim_count).sum(),
    };
    let config = site.config.as_ref();
    let title = config.map(|c| c.title.clone()).unwrap_or_default();
    let description = config.map(|c| c.description.clone()).unwrap_or_default();
    let url = r.links.path("");
    r.page("home.html", (&title, &description, &url, body.has_code), &[("home", &view)])
}

#[derive(Serialize)]
struct Column {
    key: String,
    label: String,
    unit: Option<String>,
}

#[derive(Serialize)]
struct Cell {
    display: String,
    url: Option<String>,
    stale: bool,
    sort: String,
}

#[derive(Serialize)]
struct RowProvider {
    name: String,
    url: String,
    status: &'static str,
}

#[derive(Serialize)]
struct Row {
    provider: RowProvider,
    cells: Vec<Cell>,
}

#[derive(Serialize)]
struct CategoryView {
    slug: String,
    name: String,
    description: String,
    url: String,
    body_html: String,
    columns: Vec<Column>,
    rows: Vec<Row>,
    count: usize,
}

fn category(site: &Site, slug: &str, done: &[RenderedDossier], r: &Renderer) -> Result<Vec<u8>> {
    let Some(category) = site.categories.get(slug) else { return Ok(Vec::new()) };
    let columns: Vec<Column> = category
        .meta
        .facts
        .iter()
        .map(|c| Column { key: c.key.value.clone(), label: c.label.clone(), unit: c.unit.clone() })
        .collect();
    let rows = category_rows(site, slug, &columns, done);
    let body = render_markdown(&category.body.text, r);
    let view = CategoryView {
        slug: slug.to_owned(),
        name: category.meta.name.value.clone(),
        description: category.meta.description.value.clone(),
        url: r.links.category(slug),
        body_html: body.html,
        count: rows.len(),
        columns,
        rows,
    };
    r.page("category.html", (&view.name, &view.description, &view.url, body.has_code), &[("category", &view)])
}

/// The comparison table's rows, in the order of `done`: each cell shows a fact and links to
/// the claim it cites, and is stale when that claim is.
fn category_rows(site: &Site, slug: &str, columns: &[Column], done: &[RenderedDossier]) -> Vec<Row> {
    done.iter()
        .filter(|d| d.category == slug)
        .filter_map(|d| {
            let dossier = site.dossiers.get(&d.summary.slug)?;
            let cells = columns
                .iter()
                .map(|col| match dossier.meta.facts.get(&col.key) {
                    Some(fact) => {
                        let (display, sort) = super::views::display_value(&fact.value.value, col.unit.as_deref());
                        let stale = d.claims.iter().any(|c| c.id == fact.claim.value && c.freshness.is_stale());
                        Cell {
                            display,
                            url: Some(format!("{}#claim-{}", d.summary.url, fact.claim.value)),
                            stale,
                            sort,
                        }
                    }
                    None => Cell { display: "—".into(), url: None, stale: false, sort: String::new() },
                })
                .collect();
            Some(Row {
                provider: RowProvider {
                    name: d.summary.name.clone(),
                    url: d.summary.url.clone(),
                    status: d.summary.status,
                },
                cells,
            })
        })
        .collect()
}

#[derive(Clone, Copy)]
enum TermKind {
    Tag,
    Jurisdiction,
}

#[derive(Serialize)]
struct Term {
    name: String,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct ListingView {
    kind: &'static str,
    heading: String,
    intro: String,
    providers: Vec<Summary>,
    terms: Vec<Term>,
}

/// A page per tag (or jurisdiction), and the index of them all, which is made under `whole`.
fn terms(done: &[RenderedDossier], r: &Renderer, listings: &mut Listings, kind: TermKind, whole: u64) -> Result<()> {
    let groups = term_groups(done, kind);
    let (dir, single, plural) = match kind {
        TermKind::Tag => ("tags", "tag", "tags"),
        TermKind::Jurisdiction => ("jurisdictions", "jurisdiction", "jurisdictions"),
    };
    let display = |key: &str| match kind {
        TermKind::Tag => key.to_owned(),
        TermKind::Jurisdiction => key.to_ascii_uppercase(),
    };
    type TermJob<'a> = (String, u64, (&'a String, &'a Vec<&'a RenderedDossier>));
    let jobs: Vec<TermJob> = groups
        .iter()
        .map(|(key, members)| {
            let path = format!("{dir}/{key}/index.html");
            (path.clone(), listing_key(r, &path, 0, members), (key, members))
        })
        .collect();
    listings.pages(r, jobs, |(key, members)| {
        let url = r.links.path(&format!("{dir}/{key}/"));
        let heading = match kind {
            TermKind::Tag => format!("Providers tagged “{key}”"),
            TermKind::Jurisdiction => format!("Providers in jurisdiction {}", display(key)),
        };
        let view = ListingView {
            kind: single,
            heading: heading.clone(),
            intro: format!("{} {}.", members.len(), if members.len() == 1 { "provider" } else { "providers" }),
            providers: members.iter().map(|d| d.summary.clone()).collect(),
            terms: Vec::new(),
        };
        r.page("listing.html", (&heading, &view.intro, &url, false), &[("listing", &view)])
    })?;
    let index_path = format!("{dir}/index.html");
    listings.files(r, whole, &[&index_path], || {
        let index: Vec<Term> = groups
            .iter()
            .map(|(key, members)| Term {
                name: display(key),
                url: r.links.path(&format!("{dir}/{key}/")),
                count: members.len(),
            })
            .collect();
        let heading = match kind {
            TermKind::Tag => "All tags".to_owned(),
            TermKind::Jurisdiction => "All jurisdictions".to_owned(),
        };
        let url = r.links.path(&format!("{dir}/"));
        let view = ListingView {
            kind: plural,
            heading: heading.clone(),
            intro: String::new(),
            providers: Vec::new(),
            terms: index,
        };
        let html = r.page("listing.html", (&heading, &heading, &url, false), &[("listing", &view)])?;
        Ok(vec![(index_path.clone(), html)])
    })
}

/// The dossiers under each tag (or lower-cased jurisdiction code), in key order, each group in
/// the order of `done`.
fn term_groups(done: &[RenderedDossier], kind: TermKind) -> BTreeMap<String, Vec<&RenderedDossier>> {
    let mut groups: BTreeMap<String, Vec<&RenderedDossier>> = BTreeMap::new();
    for d in done {
        let keys: Vec<String> = match kind {
            TermKind::Tag => d.tags.clone(),
            TermKind::Jurisdiction => d.summary.jurisdiction.iter().map(|j| j.to_ascii_lowercase()).collect(),
        };
        for key in keys {
            groups.entry(key).or_default().push(d);
        }
    }
    groups
}

/// Each maintenance list shows at most this many entries (the oldest first); the complete
/// lists are in `/api/maintenance.json`, so the page stays small at any wiki size.
const MAINTENANCE_SHOWN: usize = 500;

#[derive(Serialize, Clone)]
struct StaleItem {
    /// The claim's Markdown, for the JSON list; the page shows `text_html`.
    text: String,
    provider: String,
    provider_url: String,
    claim_id: String,
    claim_url: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    text_html: String,
    verified: String,
    days_past: i64,
}

#[derive(Serialize, Clone)]
struct UnarchivedItem {
    provider: String,
    provider_url: String,
    claim_id: String,
    claim_url: String,
    source_title: String,
    source_url: String,
}

#[derive(Serialize, Clone)]
struct UnansweredItem {
    text: String,
    provider: String,
    provider_url: String,
    claim_id: String,
    claim_url: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    text_html: String,
}

#[derive(Serialize, Default)]
struct MaintenanceView {
    stale: Vec<StaleItem>,
    unarchived: Vec<UnarchivedItem>,
    unanswered: Vec<UnansweredItem>,
    stale_total: usize,
    unarchived_total: usize,
    unanswered_total: usize,
    full_list_url: String,
}

const MAINTENANCE_JSON: &str = "api/maintenance.json";
const MAINTENANCE_PAGE: &str = "maintenance/index.html";

/// The maintenance page and the complete lists as JSON.
fn maintenance(site: &Site, done: &[RenderedDossier], r: &Renderer) -> Result<Vec<(String, Vec<u8>)>> {
    let mut view = maintenance_lists(site, done);
    let mut json = serde_json::to_vec(&view).unwrap_or_default();
    json.push(b'\n');

    view.stale_total = view.stale.len();
    view.unarchived_total = view.unarchived.len();
    view.unanswered_total = view.unanswered.len();
    view.stale.truncate(MAINTENANCE_SHOWN);
    view.unarchived.truncate(MAINTENANCE_SHOWN);
    view.unanswered.truncate(MAINTENANCE_SHOWN);
    // Markdown is rendered for the shown entries only: at 10,000 dossiers the lists run to
    // tens of thousands.
    for item in &mut view.stale {
        item.text_html = markdown::render_inline(&item.text, &r.links.base_path);
    }
    for item in &mut view.unanswered {
        item.text_html = markdown::render_inline(&item.text, &r.links.base_path);
    }
    view.full_list_url = r.links.path("api/maintenance.json");
    let url = r.links.path("maintenance/");
    let title = "Maintenance";
    let description = "Claims due for re-verification, sources without archives, allegations without replies";
    let html = r.page("maintenance.html", (title, description, &url, false), &[("maintenance", &view)])?;
    Ok(vec![(MAINTENANCE_JSON.to_owned(), json), (MAINTENANCE_PAGE.to_owned(), html)])
}

/// The three complete maintenance lists: stale claims, oldest verification first (then by
/// provider and claim), and sources without archive and unanswered allegations in dossier and
/// claim order.
fn maintenance_lists(site: &Site, done: &[RenderedDossier]) -> MaintenanceView {
    let mut view = MaintenanceView::default();
    let mut stale: Vec<(Date, StaleItem)> = Vec::new();
    for d in done {
        let Some(dossier) = site.dossiers.get(&d.summary.slug) else { continue };
        let (name, url) = (&d.summary.name, &d.summary.url);
        let claim_url = |id: &str| format!("{url}#claim-{id}");
        for (claim, facts) in dossier.meta.claims.iter().zip(&d.claims) {
            if let crate::model::Freshness::Stale { days_past } = facts.freshness {
                let item = StaleItem {
                    provider: name.clone(),
                    provider_url: url.clone(),
                    claim_id: facts.id.clone(),
                    claim_url: claim_url(&facts.id),
                    text: claim.text.value.clone(),
                    text_html: String::new(),
                    verified: facts.verified.to_string(),
                    days_past,
                };
                stale.push((facts.verified, item));
            }
            for reference in claim.sources.iter() {
                let source = match &reference.value {
                    SourceRef::Inline(s) => Some(s),
                    SourceRef::Named(n) => dossier.meta.sources.get(n).map(|s| &s.value),
                };
                if let Some(source) = source.filter(|s| s.archive.is_none()) {
                    view.unarchived.push(UnarchivedItem {
                        provider: name.clone(),
                        provider_url: url.clone(),
                        claim_id: claim.id.value.clone(),
                        claim_url: claim_url(&claim.id),
                        source_title: source.title.clone(),
                        source_url: source.url.value.clone(),
                    });
                }
            }
            let answered =
                dossier.meta.claims.iter().any(|c| c.responds_to.as_ref().is_some_and(|t| t.value == claim.id.value));
            if claim.kind == ClaimKind::Allegation && !answered && dossier.meta.right_of_reply.is_none() {
                view.unanswered.push(UnansweredItem {
                    provider: name.clone(),
                    provider_url: url.clone(),
                    claim_id: claim.id.value.clone(),
                    claim_url: claim_url(&claim.id),
                    text: claim.text.value.clone(),
                    text_html: String::new(),
                });
            }
        }
    }
    stale.sort_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| a.1.provider.cmp(&b.1.provider)).then_with(|| a.1.claim_id.cmp(&b.1.claim_id))
    });
    view.stale = stale.into_iter().map(|(_, item)| item).collect();
    view
}

#[cfg(test)]
#[path = "listings_tests.rs"]
mod tests;
