//! What readers get of the record over time: each dossier's history page, feed and JSON, the
//! summary and per-claim record on its page, and the site-wide `/changes/`, `/corrections/`,
//! `/changes.xml`, per-category feeds and `/api/changes.json`.
//!
//! Changes are worded here, from the engine's [`Change`]s. A claim that still exists is named
//! by its number and text and linked; a removed claim only by its id, so the record never
//! republishes what was taken down.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use rayon::prelude::*;
use serde::Serialize;

use super::feeds::{AtomEntry, AtomHead, atom_document};
use super::listings::Listings;
use super::{Links, Renderer};
use crate::config::Config;
use crate::history::{Change, Entry, History};
use crate::model::{Date, Dossier};
use crate::site::Site;

/// The version of the history JSON files' shape; docs/site.md documents it.
const JSON_VERSION: u32 = 1;
/// Entries on each page of `/changes/` and `/corrections/`.
const PER_PAGE: usize = 100;
/// Entries in each feed.
const FEED_ENTRIES: usize = 30;

/// A dossier's record, as its page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RecordSummary {
    pub first_recorded: Option<String>,
    pub changes: usize,
    pub last_change: Option<String>,
    pub url: String,
    pub feed_url: String,
    /// In a shallow clone, the day before which history is not available.
    pub complete_from: Option<String>,
}

/// A claim's record: when it was first recorded and its statuses since.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimRecord {
    pub first_recorded: String,
    /// `(status, day)`, oldest first; one item when the status never changed.
    pub statuses: Vec<(&'static str, String)>,
}

/// A dossier's summary and claim records, or `None` without a git history.
pub fn record_of(
    history: &History,
    dossier: &Dossier,
    links: &Links,
) -> Option<(RecordSummary, HashMap<String, ClaimRecord>)> {
    if history.commits.is_empty() {
        return None;
    }
    let entries = history.dossiers.get(&dossier.slug).map_or(&[][..], Vec::as_slice);
    let day = |e: &Entry| history.commits[e.commit].date.to_string();
    let url = history_url(links, &dossier.slug);
    let summary = RecordSummary {
        first_recorded: entries.first().map(day),
        changes: entries.len(),
        last_change: entries.last().map(day),
        feed_url: format!("{}feed.xml", links.provider(&dossier.slug)),
        url,
        complete_from: history.complete_from.map(|d| d.to_string()),
    };
    let mut claims: HashMap<String, ClaimRecord> = HashMap::new();
    for entry in entries {
        let date = day(entry);
        for change in &entry.changes {
            match change {
                Change::ClaimAdded { claim, status, .. } => {
                    let statuses = vec![(status.as_str(), date.clone())];
                    claims.insert(claim.clone(), ClaimRecord { first_recorded: date.clone(), statuses });
                }
                Change::VendorStatementAdded { claim, .. } => {
                    claims.insert(claim.clone(), ClaimRecord { first_recorded: date.clone(), statuses: Vec::new() });
                }
                Change::ClaimRemoved { claim } => {
                    claims.remove(claim);
                }
                Change::StatusChanged { claim, to, .. } => {
                    if let Some(record) = claims.get_mut(claim) {
                        record.statuses.push((to.as_str(), date.clone()));
                    }
                }
                _ => {}
            }
        }
    }
    Some((summary, claims))
}

fn history_url(links: &Links, slug: &str) -> String {
    format!("{}history/", links.provider(slug))
}

/// A link to a claim that still exists, or its id alone.
#[derive(Debug, Clone, Serialize)]
struct ClaimRef {
    label: String,
    url: Option<String>,
}

/// One change in words: `before`, the claim (if any), `after`.
#[derive(Debug, Clone, Serialize)]
struct EventView {
    before: String,
    claim: Option<ClaimRef>,
    after: String,
    correction: bool,
}

/// One commit's changes to one dossier.
#[derive(Debug, Clone, Serialize)]
struct EntryView {
    /// The working tree's uncommitted changes (`serve` only).
    pending: bool,
    anchor: String,
    date: String,
    commit: String,
    commit_url: Option<String>,
    subject: String,
    slug: String,
    /// The dossier's name and page, while it exists.
    provider: Option<(String, String)>,
    history_url: Option<String>,
    events: Vec<EventView>,
}

/// The claims of the dossiers as they are now, to name and link the claims changes are about.
struct Claims<'a> {
    site: &'a Site,
    links: &'a Links,
}

impl Claims<'_> {
    fn reference(&self, slug: &str, id: &str) -> ClaimRef {
        let found = self
            .site
            .dossiers
            .get(slug)
            .and_then(|d| d.meta.claims.iter().position(|c| c.id.value == id).map(|i| (d, i)));
        match found {
            Some((dossier, index)) => {
                let text = &dossier.meta.claims[index].text.value;
                ClaimRef {
                    label: format!("{id}: {}", shorten(text, 80)),
                    url: Some(format!("{}#claim-{id}", self.links.provider(slug))),
                }
            }
            None => ClaimRef { label: id.to_owned(), url: None },
        }
    }
}

/// `text` cut at a word to about `limit` characters.
fn shorten(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let cut: String = text.chars().take(limit).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end())
}

/// A change in plain words, its claim named and linked where it still exists.
fn describe(change: &Change, slug: &str, claims: &Claims) -> EventView {
    let words = change.words();
    EventView {
        before: words.before,
        claim: words.claim.map(|id| claims.reference(slug, &id)),
        after: words.after,
        correction: change.is_correction(),
    }
}

fn entry_view(history: &History, entry: &Entry, claims: &Claims, current: Option<&str>) -> EntryView {
    let commit = &history.commits[entry.commit];
    let slug = current.unwrap_or(&entry.slug);
    let dossier = claims.site.dossiers.get(slug);
    EntryView {
        pending: false,
        anchor: format!("c-{}-{}", &commit.id[..12.min(commit.id.len())], entry.slug),
        date: commit.date.to_string(),
        commit: commit.id[..10.min(commit.id.len())].to_owned(),
        commit_url: claims.links.commit_url(&commit.id),
        subject: commit.subject.clone(),
        slug: slug.to_owned(),
        provider: dossier.map(|d| (d.meta.name.value.clone(), claims.links.provider(slug))),
        history_url: dossier.map(|_| history_url(claims.links, slug)),
        events: entry.changes.iter().map(|c| describe(c, slug, claims)).collect(),
    }
}

#[derive(Serialize)]
struct HistoryPage {
    name: String,
    url: String,
    summary: RecordSummary,
    entries: Vec<EntryView>,
    json_url: String,
}

/// A dossier's history page, JSON and feed.
pub fn dossier_files(
    site: &Site,
    config: &Config,
    dossier: &Dossier,
    summary: &RecordSummary,
    r: &Renderer,
) -> Result<super::Files, crate::diagnostics::Diagnostic> {
    let history = &r.settings.history;
    let claims = Claims { site, links: &r.links };
    let entries = history.dossiers.get(&dossier.slug).map_or(&[][..], Vec::as_slice);
    let views: Vec<EntryView> =
        entries.iter().rev().map(|e| entry_view(history, e, &claims, Some(&dossier.slug))).collect();
    let pending = r.settings.pending_base.as_ref().and_then(|base| pending_entry(base, dossier, &claims));
    let name = dossier.meta.name.value.clone();
    let page = HistoryPage {
        url: r.links.provider(&dossier.slug),
        summary: summary.clone(),
        json_url: format!("{}history.json", r.links.provider(&dossier.slug)),
        entries: pending.into_iter().chain(views.iter().cloned()).collect(),
        name: name.clone(),
    };
    let title = format!("History of {name}");
    let description = format!("Every recorded change to the {name} dossier, claim by claim.");
    let html = r.page("history.html", (&title, &description, &summary.url, false), &[("history", &page)])?;
    let json = entries_json(history, entries.iter().rev(), Some((&dossier.slug, r.links.absolute(&page.url))));
    let feed = atom(
        config,
        &r.links,
        &format!("{}: {name}", config.title),
        &summary.feed_url,
        &summary.url,
        &views,
        r.settings.today,
    );
    let base = format!("providers/{}/", dossier.slug);
    Ok(vec![
        (format!("{base}history/index.html"), r.held(html)),
        (format!("{base}history.json"), r.held(json)),
        (format!("{base}feed.xml"), r.held(feed.into_bytes())),
    ])
}

/// The changes of the working tree since `HEAD`, as an entry, if its frontmatter changed.
fn pending_entry(
    base: &HashMap<String, crate::history::Version>,
    dossier: &Dossier,
    claims: &Claims,
) -> Option<EntryView> {
    let now = crate::history::events::snapshot(&dossier.meta);
    let path = crate::diagnostics::display_path(&dossier.path);
    let mut changes = Vec::new();
    let before = match base.get(&path) {
        Some(version) => version.as_ref().ok(),
        None => {
            changes.push(Change::DossierAdded);
            None
        }
    };
    changes.extend(crate::history::events::compare(before, &now));
    if changes.is_empty() {
        return None;
    }
    Some(EntryView {
        pending: true,
        anchor: "pending".to_owned(),
        date: String::new(),
        commit: String::new(),
        commit_url: None,
        subject: "Uncommitted changes: what your next commit will record".to_owned(),
        slug: dossier.slug.clone(),
        provider: None,
        history_url: None,
        events: changes.iter().map(|c| describe(c, &dossier.slug, claims)).collect(),
    })
}

#[derive(Serialize)]
struct JsonEntry<'a> {
    commit: &'a str,
    date: Date,
    subject: &'a str,
    slug: &'a str,
    changes: &'a [Change],
}

/// A history data file: `{version, [slug, url,] complete_from, changes: [...]}`, compact;
/// this is all of it but `changes`, which [`entries_json`] writes after it.
#[derive(Serialize)]
struct HistoryJson<'a> {
    version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    slug: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    complete_from: Option<Date>,
}

/// Entries serialised on one thread at a time: `/api/changes.json` holds every entry of the
/// wiki (29 MB at 10,000 dossiers and 50,000 commits), so its parts are made in parallel.
const JSON_PART: usize = 4096;

fn entries_json<'a>(
    history: &'a History,
    entries: impl Iterator<Item = &'a Entry>,
    dossier: Option<(&'a str, String)>,
) -> Vec<u8> {
    let changes: Vec<JsonEntry> = entries
        .map(|e| {
            let commit = &history.commits[e.commit];
            JsonEntry {
                commit: &commit.id,
                date: commit.date,
                subject: &commit.subject,
                slug: &e.slug,
                changes: &e.changes,
            }
        })
        .collect();
    let (slug, url) = dossier.map_or((None, None), |(slug, url)| (Some(slug), Some(url)));
    let head = HistoryJson { version: JSON_VERSION, slug, url, complete_from: history.complete_from };
    let parts: Vec<Vec<u8>> = changes
        .par_chunks(JSON_PART)
        .map(|part| {
            let mut bytes = Vec::new();
            for (i, entry) in part.iter().enumerate() {
                if i > 0 {
                    bytes.push(b',');
                }
                // Serialising plain data into memory does not fail.
                let _ = serde_json::to_writer(&mut bytes, entry);
            }
            bytes
        })
        .collect();
    // The head always holds `version`, so dropping its closing brace leaves `{..."` to go on.
    let mut bytes = serde_json::to_vec(&head).unwrap_or_default();
    bytes.pop();
    bytes.extend_from_slice(br#","changes":["#);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            bytes.push(b',');
        }
        bytes.extend_from_slice(part);
    }
    bytes.extend_from_slice(b"]}\n");
    bytes
}

#[derive(Serialize)]
struct ChangesPage {
    kind: &'static str,
    heading: &'static str,
    intro: &'static str,
    entries: Vec<EntryView>,
    /// The archive page's number, counted from the oldest; `None` on the front page.
    page: Option<usize>,
    /// The days of the page's oldest and newest entries (archive pages only).
    from: Option<String>,
    to: Option<String>,
    newer_url: Option<String>,
    older_url: Option<String>,
    feed_url: Option<String>,
    complete_from: Option<String>,
}

/// A list of entries as `/changes/` and `/corrections/` page it. Archive pages are counted
/// from the oldest entry, [`PER_PAGE`] a page, so a full page keeps its number and its entries
/// as the record grows, and a link to it stays true; only the newest, partial page changes.
/// The front page shows the newest [`PER_PAGE`] entries.
struct Archive<'a> {
    kind: &'static str,
    heading: &'static str,
    intro: &'static str,
    feed: bool,
    /// Newest first.
    entries: Vec<&'a Entry>,
}

impl Archive<'_> {
    /// How many archive pages there are: none while the front page shows every entry.
    fn pages(&self) -> usize {
        if self.entries.len() > PER_PAGE { self.entries.len().div_ceil(PER_PAGE) } else { 0 }
    }

    /// The entries of archive page `n` (from 1), newest first.
    fn page(&self, n: usize) -> &[&Entry] {
        let total = self.entries.len();
        &self.entries[total - (n * PER_PAGE).min(total)..total - (n - 1) * PER_PAGE]
    }

    fn front(&self) -> &[&Entry] {
        &self.entries[..PER_PAGE.min(self.entries.len())]
    }

    /// The archive page holding the newest entry the front page does not show.
    fn older_than_front(&self) -> Option<usize> {
        let total = self.entries.len();
        (total > PER_PAGE).then(|| (total - PER_PAGE - 1) / PER_PAGE + 1)
    }

    fn url(&self, links: &Links, page: Option<usize>) -> String {
        match page {
            None => links.path(&format!("{}/", self.kind)),
            Some(n) => links.path(&format!("{}/page/{n}/", self.kind)),
        }
    }

    fn path(&self, page: Option<usize>) -> String {
        match page {
            None => format!("{}/index.html", self.kind),
            Some(n) => format!("{}/page/{n}/index.html", self.kind),
        }
    }
}

/// `/changes/` and `/corrections/`, their archive pages, `/changes.xml`, one feed per category
/// and `/api/changes.json`; without a git history they say that nothing is recorded. A page
/// is rendered again only when what it shows changed: its entries, or the current name and
/// claims of a dossier they are about.
pub fn site_files(
    site: &Site,
    config: &Config,
    r: &Renderer,
    listings: &mut Listings,
) -> Result<(), crate::diagnostics::Diagnostic> {
    let history = &r.settings.history;
    let span = tracing::debug_span!("changes entries").entered();
    let claims = Claims { site, links: &r.links };
    let visible = |e: &&Entry| site.dossiers.get(&e.slug).is_none_or(|d| r.settings.drafts || !d.meta.draft);
    let all: Vec<&Entry> = history.all_entries().into_iter().filter(visible).collect();
    // A renamed dossier's older entries name it by its slug now. A dossier has one entry per
    // commit, so the commit and the slug it had then name an entry.
    let current: HashMap<(usize, &str), &str> = history
        .dossiers
        .iter()
        .flat_map(|(slug, entries)| entries.iter().map(move |e| ((e.commit, e.slug.as_str()), slug.as_str())))
        .collect();
    let now = |e: &Entry| current.get(&(e.commit, e.slug.as_str())).copied();
    let view = |e: &Entry| entry_view(history, e, &claims, now(e));
    let correction_view = |e: &Entry| {
        let mut v = view(e);
        v.events.retain(|ev| ev.correction);
        if e.changes.contains(&Change::DossierRemoved) {
            v.events = vec![describe(&Change::DossierRemoved, &e.slug, &claims)];
        }
        v
    };
    let is_correction = |e: &&&Entry| e.changes.iter().any(|c| c.is_correction() || *c == Change::DossierRemoved);
    let corrections: Vec<&Entry> = all.iter().filter(is_correction).copied().collect();
    let shown: HashMap<&str, u64> = site.dossiers.par_iter().map(|(slug, d)| (slug.as_str(), shown_key(d))).collect();
    let complete_from = history.complete_from.map(|d| d.to_string());
    let archives = [
        Archive {
            kind: "changes",
            heading: "Recent changes",
            intro: "Every change to the wiki's claims, newest first, as it reached the published branch.",
            feed: true,
            entries: all.clone(),
        },
        Archive {
            kind: "corrections",
            heading: "Corrections",
            intro: "Every claim retracted, superseded, disputed or removed, and every dossier removed, newest first, with the reason the commit gave.",
            feed: false,
            entries: corrections,
        },
    ];
    drop(span);
    let span = tracing::debug_span!("changes pages").entered();
    for archive in &archives {
        let mut jobs: Vec<(String, u64, Option<usize>)> = vec![(archive.path(None), 0, None)];
        jobs.extend((1..=archive.pages()).map(|n| (archive.path(Some(n)), 0, Some(n))));
        jobs.par_iter_mut().for_each(|(path, key, page)| {
            let entries = page.map_or_else(|| archive.front(), |n| archive.page(n));
            // Where a page's links go: the front page's older page moves every hundred entries,
            // an archive page's only when a newer archive page appears.
            let neighbours = match *page {
                None => (None, archive.older_than_front()),
                Some(n) => (Some(n < archive.pages()), None),
            };
            let mut text = format!("{path}|{}|{complete_from:?}|{neighbours:?}", r.global_key);
            // A commit and the slug a dossier had in it name an entry and all it holds (its
            // changes, the commit's day and subject): a cache from another engine is dropped
            // with the generator. What is shown of it now depends on the dossier as it is.
            for e in entries {
                let slug = now(e).unwrap_or(&e.slug);
                let state = shown.get(slug).copied().unwrap_or_default();
                let _ = write!(text, "|{}|{}|{slug}|{state:x}", history.commits[e.commit].id, e.slug);
            }
            *key = crate::load::content_hash(text.as_bytes());
        });
        let render = |page: &Option<usize>| {
            let entries = page.map_or_else(|| archive.front(), |n| archive.page(n));
            let make = |e: &&Entry| if archive.kind == "corrections" { correction_view(e) } else { view(e) };
            let (newer, older) = match *page {
                None => (None, archive.older_than_front()),
                Some(n) => (Some((n < archive.pages()).then_some(n + 1)), (n > 1).then(|| n - 1)),
            };
            let day = |e: Option<&&Entry>| e.map(|e| history.commits[e.commit].date.to_string());
            let view = ChangesPage {
                kind: archive.kind,
                heading: archive.heading,
                intro: archive.intro,
                entries: entries.iter().map(make).collect(),
                page: *page,
                from: page.and(day(entries.last())),
                to: page.and(day(entries.first())),
                newer_url: newer.map(|n| archive.url(&r.links, n)),
                older_url: older.map(|n| archive.url(&r.links, Some(n))),
                feed_url: archive.feed.then(|| r.links.path("changes.xml")),
                complete_from: complete_from.clone(),
            };
            let title = match page {
                None => archive.heading.to_owned(),
                Some(n) => format!("{}, page {n}", archive.heading),
            };
            let url = archive.url(&r.links, *page);
            r.page("changes.html", (&title, archive.intro, &url, false), &[("changes", &view)])
        };
        listings.pages(r, jobs, render)?;
    }
    drop(span);
    let _span = tracing::debug_span!("changes feeds and data").entered();
    let files = &mut listings.out.files;
    let newest: Vec<EntryView> = all.iter().take(FEED_ENTRIES).map(|e| view(e)).collect();
    let changes_url = r.links.path("changes/");
    let title = format!("{}: recent changes", config.title);
    let feed = atom(config, &r.links, &title, &r.links.path("changes.xml"), &changes_url, &newest, r.settings.today);
    files.insert("changes.xml".into(), r.held(feed.into_bytes()));
    let mut by_category: BTreeMap<&str, Vec<EntryView>> =
        site.categories.keys().map(|k| (k.as_str(), Vec::new())).collect();
    let mut unfilled = by_category.len();
    for e in &all {
        if unfilled == 0 {
            break;
        }
        let slug = now(e).unwrap_or(&e.slug);
        let category = site.dossiers.get(slug).map(|d| d.meta.category.value.as_str());
        if let Some(list) = category.and_then(|c| by_category.get_mut(c)).filter(|l| l.len() < FEED_ENTRIES) {
            list.push(view(e));
            if list.len() == FEED_ENTRIES {
                unfilled -= 1;
            }
        }
    }
    for (slug, views) in by_category {
        let Some(category) = site.categories.get(slug) else { continue };
        let url = r.links.category(slug);
        let title = format!("{}: {}", config.title, category.meta.name.value);
        let feed = atom(config, &r.links, &title, &format!("{url}feed.xml"), &url, &views, r.settings.today);
        files.insert(format!("categories/{slug}/feed.xml"), r.held(feed.into_bytes()));
    }
    let json = entries_json(history, all.iter().copied(), None);
    files.insert("api/changes.json".into(), r.held(json));
    Ok(())
}

/// What the record's pages show of a dossier as it is now, hashed: its name and draft state,
/// and its claims' ids and texts, which name and link the claims changes are about.
fn shown_key(dossier: &Dossier) -> u64 {
    let mut text = format!("{}|{}", dossier.meta.name.value, dossier.meta.draft);
    for claim in dossier.meta.claims.iter() {
        let _ = write!(text, "|{}:{}", claim.id.value, claim.text.value);
    }
    crate::load::content_hash(text.as_bytes())
}

/// An Atom feed of history entries (newest first): one entry per commit and dossier.
fn atom(
    config: &Config,
    links: &Links,
    title: &str,
    self_url: &str,
    page_url: &str,
    entries: &[EntryView],
    today: Date,
) -> String {
    let entries = &entries[..entries.len().min(FEED_ENTRIES)];
    let page = links.absolute(page_url);
    let head = AtomHead {
        title,
        subtitle: None,
        id: &page,
        self_url: &links.absolute(self_url),
        page: &page,
        updated: entries.first().map_or_else(|| today.to_string(), |e| e.date.clone()),
        site_title: &config.title,
    };
    let entries = entries.iter().map(|entry| {
        let link = links.absolute(&entry.history_url.clone().unwrap_or_else(|| links.path("changes/")));
        let name = entry.provider.as_ref().map_or(entry.slug.as_str(), |(name, _)| name.as_str());
        let words: Vec<String> = entry
            .events
            .iter()
            .map(|e| format!("{}{}{}", e.before, e.claim.as_ref().map_or("", |c| c.label.as_str()), e.after))
            .collect();
        let at = format!("{link}#{}", entry.anchor);
        AtomEntry {
            title: format!("{name}: {}", entry.subject),
            id: at.clone(),
            link: at,
            updated: entry.date.clone(),
            summary: words.join(". "),
        }
    });
    atom_document(&head, entries)
}

/// The hash input of a dossier's record, for its pages' cache key: where history starts, and
/// each entry's commit and the slug the dossier had then. As on the `/changes/` pages, those
/// name an entry and all it holds (a commit fixes every version before it); the engine that
/// read them is the generator's, whose change drops the cache.
pub fn record_key(history: &History, slug: &str) -> String {
    let mut key = format!("{:?}|", history.complete_from);
    for entry in history.dossiers.get(slug).into_iter().flatten() {
        let _ = write!(key, "{}|{}|", history.commits[entry.commit].id, entry.slug);
    }
    key
}

#[cfg(test)]
#[path = "changes_tests.rs"]
mod tests;
