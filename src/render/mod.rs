//! The render stage: turns a validated [`Site`] into an [`Output`] (path → bytes).
//!
//! Dossier pages render in parallel; listings, feeds and data files are built from the
//! per-dossier views, never from a whole-site context handed to every page. Every HTML page
//! is minified as it is rendered. Pages whose inputs hash to the key they had last time are
//! taken instead from the [`RenderCache`] (this process's last render, which `serve` keeps) or
//! from an [`Earlier`] run's pages, which `build` hands in from its cache on disk: this stage
//! knows neither disk nor compression, only keys, paths and bytes.

mod assets;
mod contrast;
mod feeds;
pub mod highlight;
mod history;
mod listings;
pub use listings::{Kept, ListingCache};
pub mod redirects;
#[cfg(test)]
mod testing;
pub mod theme;
mod views;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::{Config, RepoLinks};
use crate::diagnostics::Diagnostic;
use crate::model::{Date, Dossier};
use crate::output::{Blob, Output, Sink, blob_of};
use crate::site::Site;
pub use theme::Theme;
use views::{ClaimFacts, Summary};

/// Build-wide choices that are not content.
#[derive(Debug, Clone)]
pub struct Settings {
    pub today: Date,
    /// Overrides `base_url` from the settings (deploy previews).
    pub base_url: Option<String>,
    pub drafts: bool,
    /// `content/...` path → last git edit.
    pub edited: BTreeMap<String, Date>,
    /// The record over time (empty without git).
    pub history: Arc<crate::history::History>,
    /// `serve` only: each dossier's version at `HEAD`, by path, so history pages show the
    /// working tree's uncommitted changes as a pending entry.
    pub pending_base: Option<Arc<std::collections::HashMap<String, crate::history::Version>>>,
    /// Asks search engines not to index (deploy previews).
    pub noindex: bool,
    /// A script URL that `serve` injects for live reload; never set by `build`.
    pub reload_script: Option<String>,
    /// Minify every HTML page (off only to compare against the minifier, `build --no-minify`).
    pub minify: bool,
}

/// How the site's URLs are spelled.
#[derive(Debug, Clone)]
pub struct Links {
    /// `https://host` without a path.
    pub origin: String,
    /// "/" or "/wiki/".
    pub base_path: String,
    repo: Option<RepoLinks>,
}

impl Links {
    pub fn new(base_url: &str, config: &Config) -> Links {
        let parsed = url::Url::parse(base_url.trim()).ok();
        let origin = parsed.as_ref().map(|u| u.origin().ascii_serialization()).unwrap_or_default();
        let mut base_path = parsed.map(|u| u.path().to_owned()).unwrap_or_else(|| "/".into());
        if !base_path.ends_with('/') {
            base_path.push('/');
        }
        Links { origin, base_path, repo: RepoLinks::of(config) }
    }

    pub fn path(&self, rel: &str) -> String {
        format!("{}{rel}", self.base_path)
    }
    pub fn absolute(&self, url: &str) -> String {
        format!("{}{url}", self.origin)
    }
    pub fn provider(&self, slug: &str) -> String {
        self.path(&format!("providers/{slug}/"))
    }
    pub fn category(&self, slug: &str) -> String {
        self.path(&format!("categories/{slug}/"))
    }
    pub fn tag(&self, tag: &str) -> String {
        self.path(&format!("tags/{tag}/"))
    }
    pub fn jurisdiction(&self, code: &str) -> String {
        self.path(&format!("jurisdictions/{}/", code.to_ascii_lowercase()))
    }
    /// The forge's "edit this file" link.
    pub fn edit_url(&self, source: &str) -> Option<String> {
        self.repo.as_ref().map(|repo| repo.edit(source))
    }
    pub fn history_url(&self, source: &str) -> Option<String> {
        self.repo.as_ref().map(|repo| repo.history(source))
    }
    /// The forge's page of one commit.
    pub fn commit_url(&self, id: &str) -> Option<String> {
        self.repo.as_ref().map(|repo| repo.commit(id))
    }
    /// Where readers report a problem: the forge's new-issue page.
    pub fn new_issue_url(&self) -> Option<String> {
        self.repo.as_ref().map(RepoLinks::new_issue)
    }
}

/// Per-page values every template receives as `page`.
#[derive(Debug, Clone, Serialize)]
struct PageMeta {
    title: String,
    description: String,
    url: String,
    canonical_url: String,
    has_code: bool,
    syntax_css: Option<assets::SyntaxCss>,
    noindex: bool,
}

#[derive(Debug, Clone, Serialize)]
struct Dev {
    reload_script: Option<String>,
}

/// One dossier, rendered and summarised for the listings.
#[derive(Clone)]
struct RenderedDossier {
    /// What listings, feeds and data files show of it ([`shown_key`]): unlike the page's own
    /// key, it stays the same when only the body changes, so such an edit re-renders no listing.
    shown: u64,
    summary: Summary,
    claims: Vec<ClaimFacts>,
    category: String,
    tags: Vec<String>,
}

/// Files rendered for one dossier, before they join the output.
type Files = Vec<(String, Arc<[u8]>)>;

/// A dossier's files: rendered (now or by an earlier render of this process), taken unread
/// from an [`Earlier`] run, or rendered and handed to a [`Sink`], by path.
#[derive(Clone)]
enum DossierFiles {
    Held(Files),
    Earlier(Vec<String>),
    Written(Vec<String>),
}

impl DossierFiles {
    fn paths(&self) -> Vec<String> {
        match self {
            DossierFiles::Held(files) => files.iter().map(|(path, _)| path.clone()).collect(),
            DossierFiles::Earlier(paths) | DossierFiles::Written(paths) => paths.clone(),
        }
    }
}

/// Pages an earlier run rendered and kept (`build` hands in its cache on disk), which a render
/// takes where what they were rendered from is unchanged.
pub trait Earlier: Sync {
    /// The paths of dossier `slug`'s files, if they were rendered from `key` and are all still
    /// there unchanged, with the [`blob_of`] its `index.json`. They stay unread: the output
    /// writer gets them from the same place.
    fn dossier(&self, slug: &str, key: u64) -> Option<(Vec<String>, Blob)>;
    /// The listing pages kept, by path, with the key each was rendered from. Those given as
    /// [`Kept::Earlier`] stay unread, as a dossier's files do.
    fn listings(&self) -> ListingCache;
}

/// What a render made, as data: the output, the files of it that only an [`Earlier`] run holds
/// or that went to a [`Sink`], and what each part was rendered from, which is what a cache of
/// it keeps.
pub struct Rendered {
    /// Every file of the site but the search index and those in `earlier` and `written`.
    pub output: Output,
    /// Files of the site taken unread from the [`Earlier`] run, by path.
    pub earlier: Vec<String>,
    /// Files of the site handed to the [`Sink`], by path.
    pub written: Vec<String>,
    pub units: Vec<Unit>,
}

/// A part of the site rendered from one key: a dossier's files, or one listing page.
impl Rendered {
    /// How many HTML pages the site has.
    pub fn pages(&self) -> usize {
        let paths = self.output.files.keys().chain(&self.earlier).chain(&self.written);
        paths.filter(|path| path.ends_with(".html")).count()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unit {
    Dossier { slug: String, key: u64, files: Vec<String> },
    Listing { path: String, key: u64 },
}

/// What every page render shares.
struct Renderer<'a> {
    /// Hash of everything every page depends on: version, settings, theme, build options, today.
    global_key: u64,
    theme: &'a Theme,
    links: Links,
    settings: &'a Settings,
    syntax_css: assets::SyntaxCss,
    hold: Option<Hold>,
}

impl Renderer<'_> {
    /// A file's bytes as the output holds them ([`RenderCache::holding`]).
    fn held(&self, bytes: Vec<u8>) -> Arc<[u8]> {
        Arc::from(match self.hold {
            Some(hold) => hold(bytes),
            None => bytes,
        })
    }

    /// Renders `template` for the page at `url`, minified.
    fn page(
        &self,
        template: &str,
        meta: (&str, &str, &str, bool),
        vars: &[(&'static str, &dyn theme::erased::Value)],
    ) -> Result<Vec<u8>, Diagnostic> {
        let (title, description, url, has_code) = meta;
        let page = PageMeta {
            title: title.to_owned(),
            description: description.to_owned(),
            url: url.to_owned(),
            canonical_url: self.links.absolute(url),
            has_code,
            syntax_css: has_code.then(|| self.syntax_css.clone()),
            noindex: self.settings.noindex,
        };
        let dev = Dev { reload_script: self.settings.reload_script.clone() };
        let mut all: Vec<(&'static str, &dyn theme::erased::Value)> = vec![("page", &page), ("dev", &dev)];
        all.extend_from_slice(vars);
        let html = self.theme.render(template, &all)?;
        Ok(if self.settings.minify { crate::minify::minify_page(&html) } else { html.into_bytes() })
    }
}

/// Turns a file's bytes into the form an output holds them in (`serve` compresses them).
pub type Hold = fn(Vec<u8>) -> Vec<u8>;

/// The dossiers and listings this process rendered last, reused while their inputs are
/// unchanged (`serve` keeps one between edits).
#[derive(Default)]
pub struct RenderCache {
    dossiers: HashMap<String, Cached>,
    listings: listings::ListingCache,
    hold: Option<Hold>,
}

#[derive(Clone)]
struct Cached {
    key: u64,
    rendered: RenderedDossier,
    files: DossierFiles,
}

impl RenderCache {
    /// A cache whose outputs hold every file as `hold` turns it, and share those bytes with the
    /// cache: `serve` keeps its pages compressed.
    pub fn holding(hold: Hold) -> RenderCache {
        RenderCache { hold: Some(hold), ..RenderCache::default() }
    }

    /// How many dossiers the last run took from the cache.
    pub fn len(&self) -> usize {
        self.dossiers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dossiers.is_empty()
    }

    /// What the last render made each dossier and listing page from.
    fn units(&self) -> Vec<Unit> {
        let dossiers = self.dossiers.iter().map(|(slug, c)| Unit::Dossier {
            slug: slug.clone(),
            key: c.key,
            files: c.files.paths(),
        });
        let listings = self.listings.iter().map(|(path, (key, _))| Unit::Listing { path: path.clone(), key: *key });
        dossiers.chain(listings).collect()
    }

    /// Adds the listing pages of `earlier` that this cache lacks; the listing stage then
    /// reuses those whose keys still match.
    fn load_listings(&mut self, earlier: &dyn Earlier) {
        for (path, page) in earlier.listings() {
            self.listings.entry(path).or_insert(page);
        }
    }
}

/// Everything a dossier page depends on, hashed: the site-wide key (settings, theme, build
/// options, today), its file, its category and its last edit date.
fn dossier_key(site: &Site, dossier: &Dossier, settings: &Settings, global_key: u64) -> u64 {
    let category = site.categories.get(dossier.meta.category.as_str()).map_or(0, |c| c.hash);
    let edited = settings.edited.get(&crate::diagnostics::display_path(&dossier.path));
    let record = history::record_key(&settings.history, &dossier.slug);
    let key = format!("{global_key}|{}|{category}|{edited:?}|{record}", dossier.hash);
    crate::load::content_hash(key.as_bytes())
}

/// What the rest of the site can show of a dossier, hashed: its JSON (the whole frontmatter and
/// the computed freshness; `json` is its blob hash, which a cached page has unread), its summary
/// and claims' freshness as listings see them, and its last edit date (feeds and the sitemap
/// show it). The body is not in it: no listing shows it.
fn shown_key(r: &Renderer, dossier: &Dossier, json: Blob, summary: &Summary, claims: &[ClaimFacts]) -> u64 {
    let edited = r.settings.edited.get(&crate::diagnostics::display_path(&dossier.path));
    let views = format!("{json:032x}|{summary:?}|{claims:?}|{edited:?}");
    crate::load::content_hash(views.as_bytes())
}

/// Everything every page depends on, hashed: version, settings, theme, build options, today.
fn global_key(site: &Site, theme: &Theme, settings: &Settings, base_url: &str) -> u64 {
    let key = format!(
        "{}|{}|{}|{}|{base_url}|{}|{:?}|{}|{}",
        env!("CARGO_PKG_VERSION"),
        site.config_hash,
        theme.hash,
        settings.today,
        settings.noindex,
        settings.reload_script,
        settings.drafts,
        settings.minify
    );
    crate::load::content_hash(key.as_bytes())
}

/// Renders the whole site, reusing what `cache` holds for unchanged dossiers and leaving this
/// run's results in it. Template problems come back as diagnostics.
pub fn render_site(
    site: &Site,
    theme: &mut Theme,
    settings: &Settings,
    cache: &mut RenderCache,
) -> Result<Output, Vec<Diagnostic>> {
    render_with(site, theme, settings, cache, Reuse::Nothing).map(|rendered| rendered.output)
}

/// What a `build` does with the pages of earlier runs and with its dossiers' pages.
#[derive(Clone, Copy)]
pub enum Reuse<'a> {
    /// Render every page and hold it in the output.
    Nothing,
    /// Take what an earlier run kept of pages whose inputs are unchanged.
    Earlier(&'a dyn Earlier),
    /// Render every page, and hand each dossier's pages to the sink as they are made instead of
    /// holding them: the output of a build without a cache, which then never holds them all.
    Sink(&'a dyn Sink),
}

/// [`render_site`] from scratch, reusing or handing on pages as `reuse` says: the render of a
/// `build`.
pub fn render_reusing(
    site: &Site,
    theme: &mut Theme,
    settings: &Settings,
    reuse: Reuse,
) -> Result<Rendered, Vec<Diagnostic>> {
    render_with(site, theme, settings, &mut RenderCache::default(), reuse)
}

fn render_with(
    site: &Site,
    theme: &mut Theme,
    settings: &Settings,
    cache: &mut RenderCache,
    reuse: Reuse,
) -> Result<Rendered, Vec<Diagnostic>> {
    let earlier = match reuse {
        Reuse::Earlier(earlier) => Some(earlier),
        _ => None,
    };
    let Some(config) = &site.config else { return Err(Vec::new()) };
    let base_url = settings.base_url.clone().unwrap_or_else(|| config.base_url.value.clone());
    let links = Links::new(&base_url, config);
    let mut output = Output::default();
    let assets = assets::publish(theme, &mut output);
    if let Some(hold) = cache.hold {
        for bytes in output.files.values_mut() {
            *bytes = Arc::from(hold(bytes.to_vec()));
        }
    }
    theme.set_global("site", &assets::site_view(site, config, &links, settings, &assets));
    let syntax_css =
        assets::SyntaxCss { light: links.path(&assets.syntax_css.light), dark: links.path(&assets.syntax_css.dark) };
    let global_key = global_key(site, theme, settings, &base_url);
    let renderer = Renderer { global_key, theme, links, settings, syntax_css, hold: cache.hold };
    let dossiers: Vec<&Dossier> = site.dossiers.values().filter(|d| settings.drafts || !d.meta.draft).collect();
    let rendered: Vec<Result<(String, Cached), Diagnostic>> = {
        let _span = tracing::info_span!("render_dossiers", count = dossiers.len()).entered();
        let cache = &*cache;
        dossiers
            .par_iter()
            .map(|d| {
                let key = dossier_key(site, d, settings, renderer.global_key);
                if let Some(hit) = cache.dossiers.get(&d.slug).filter(|c| c.key == key) {
                    return Ok((d.slug.clone(), hit.clone()));
                }
                if let Some((paths, json)) = earlier.and_then(|e| e.dossier(&d.slug, key)) {
                    let rendered = summarized_dossier(site, d, &renderer, json);
                    return Ok((d.slug.clone(), Cached { key, rendered, files: DossierFiles::Earlier(paths) }));
                }
                render_dossier(site, d, &renderer).map(|(rendered, files)| {
                    let files = match reuse {
                        Reuse::Sink(sink) => {
                            files.iter().for_each(|(path, bytes)| sink.put(path, bytes));
                            DossierFiles::Written(files.into_iter().map(|(path, _)| path).collect())
                        }
                        _ => DossierFiles::Held(files),
                    };
                    (d.slug.clone(), Cached { key, rendered, files })
                })
            })
            .collect()
    };
    let mut next = HashMap::with_capacity(rendered.len());
    let mut done = Vec::with_capacity(rendered.len());
    let mut errors = Vec::new();
    let mut taken = Vec::new();
    let mut written = Vec::new();
    for result in rendered {
        match result {
            Ok((slug, cached)) => {
                match &cached.files {
                    DossierFiles::Held(files) => output.files.extend(files.iter().cloned()),
                    DossierFiles::Earlier(paths) => taken.extend(paths.iter().cloned()),
                    DossierFiles::Written(paths) => written.extend(paths.iter().cloned()),
                }
                done.push(cached.rendered.clone());
                next.insert(slug, cached);
            }
            Err(e) => errors.push(e),
        }
    }
    cache.dossiers = next;
    let _span = tracing::info_span!("render_listings").entered();
    if let Some(earlier) = earlier {
        cache.load_listings(earlier);
    }
    redirects::publish(site, &renderer, &mut output);
    let mut listings = listings::Listings::new(&mut output, &mut cache.listings);
    if let Err(e) = listings::render_listings(site, config, &done, &renderer, &mut listings) {
        errors.push(e);
    }
    let _span = tracing::info_span!("render_changes").entered();
    if let Err(e) = history::site_files(site, config, &renderer, &mut listings) {
        errors.push(e);
    }
    taken.append(&mut listings.earlier);
    if errors.is_empty() {
        Ok(Rendered { output, earlier: taken, written, units: cache.units() })
    } else {
        crate::diagnostics::sort(&mut errors);
        Err(errors)
    }
}

fn render_dossier(site: &Site, dossier: &Dossier, r: &Renderer) -> Result<(RenderedDossier, Files), Diagnostic> {
    let (mut view, summary, claims, has_code) =
        views::provider_view(site, dossier, r.settings, &r.links, &r.theme.reserved_ids);
    let record = history::record_of(&r.settings.history, dossier, &r.links);
    let mut history_files = Vec::new();
    if let (Some((record, claim_records)), Some(config)) = (record, &site.config) {
        history_files = history::dossier_files(site, config, dossier, &record, r)?;
        view.attach_record(record, &claim_records);
    }
    let html = r.page("provider.html", (&view.name, &view.summary, &view.url, has_code), &[("provider", &view)])?;
    let json = feeds::provider_json(dossier, &summary, &claims, &r.links);
    let shown = shown_key(r, dossier, blob_of(&json), &summary, &claims);
    let base = format!("providers/{}/", dossier.slug);
    let mut files = vec![(format!("{base}index.html"), r.held(html)), (format!("{base}index.json"), r.held(json))];
    files.extend(history_files);
    Ok((rendered_dossier(dossier, shown, summary, claims), files))
}

/// A dossier's page came from the persistent cache with `json`, the hash of its `index.json`
/// (the same bytes a render makes, since its key matched): what the listings need of it,
/// without rendering the page or the JSON again.
fn summarized_dossier(site: &Site, dossier: &Dossier, r: &Renderer, json: Blob) -> RenderedDossier {
    let (summary, claims) = views::summarize(site, dossier, r.settings, &r.links);
    rendered_dossier(dossier, shown_key(r, dossier, json, &summary, &claims), summary, claims)
}

fn rendered_dossier(dossier: &Dossier, shown: u64, summary: Summary, claims: Vec<ClaimFacts>) -> RenderedDossier {
    RenderedDossier {
        shown,
        summary,
        claims,
        category: dossier.meta.category.value.clone(),
        tags: dossier.meta.tags.iter().map(|t| t.value.clone()).collect(),
    }
}
