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
use super::{Links, Renderer};
use crate::config::Config;
use crate::history::{Change, Entry, History};
use crate::model::{Date, Dossier};
use crate::output::Output;
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

/// A history data file: `{version, complete_from, [slug, url,] changes: [...]}`, compact.
#[derive(Serialize)]
struct HistoryJson<'a> {
    version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    slug: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    complete_from: Option<Date>,
    changes: Vec<JsonEntry<'a>>,
}

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
    let json = HistoryJson { version: JSON_VERSION, slug, url, complete_from: history.complete_from, changes };
    let mut bytes = serde_json::to_vec(&json).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

#[derive(Serialize)]
struct ChangesPage {
    kind: &'static str,
    heading: &'static str,
    intro: &'static str,
    entries: Vec<EntryView>,
    page: usize,
    pages: usize,
    prev_url: Option<String>,
    next_url: Option<String>,
    feed_url: Option<String>,
    complete_from: Option<String>,
}

/// `/changes/` (paged), `/corrections/` (paged), `/changes.xml`, one feed per category and
/// `/api/changes.json`; without a git history they say that nothing is recorded.
pub fn site_files(
    site: &Site,
    config: &Config,
    r: &Renderer,
    output: &mut Output,
) -> Result<(), crate::diagnostics::Diagnostic> {
    let history = &r.settings.history;
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
    let view = |e: &Entry| entry_view(history, e, &claims, current.get(&(e.commit, e.slug.as_str())).copied());
    let changes: Vec<EntryView> = all.par_iter().map(|e| view(e)).collect();
    let corrections: Vec<EntryView> = all
        .par_iter()
        .filter_map(|e| {
            let mut v = view(e);
            v.events.retain(|ev| ev.correction);
            let removed = e.changes.contains(&Change::DossierRemoved);
            if removed {
                v.events = vec![describe(&Change::DossierRemoved, &e.slug, &claims)];
            }
            (!v.events.is_empty()).then_some(v)
        })
        .collect();
    let complete_from = history.complete_from.map(|d| d.to_string());
    for (kind, heading, intro, views, feed) in [
        (
            "changes",
            "Recent changes",
            "Every change to the wiki's claims, newest first, as it reached the published branch.",
            &changes,
            true,
        ),
        (
            "corrections",
            "Corrections",
            "Every claim retracted, superseded, disputed or removed, and every dossier removed, newest first, with the reason the commit gave.",
            &corrections,
            false,
        ),
    ] {
        let pages = views.len().div_ceil(PER_PAGE).max(1);
        let page_url = |n: usize| {
            if n == 1 { r.links.path(&format!("{kind}/")) } else { r.links.path(&format!("{kind}/page/{n}/")) }
        };
        let rendered: Vec<(String, Vec<u8>)> = (1..=pages)
            .into_par_iter()
            .map(|n| {
                let start = (n - 1) * PER_PAGE;
                let page = ChangesPage {
                    kind,
                    heading,
                    intro,
                    entries: views[start.min(views.len())..(start + PER_PAGE).min(views.len())].to_vec(),
                    page: n,
                    pages,
                    prev_url: (n > 1).then(|| page_url(n - 1)),
                    next_url: (n < pages).then(|| page_url(n + 1)),
                    feed_url: feed.then(|| r.links.path("changes.xml")),
                    complete_from: complete_from.clone(),
                };
                let url = page_url(n);
                let title = if n == 1 { heading.to_owned() } else { format!("{heading}, page {n}") };
                let html = r.page("changes.html", (&title, intro, &url, false), &[("changes", &page)])?;
                let path = if n == 1 { format!("{kind}/index.html") } else { format!("{kind}/page/{n}/index.html") };
                Ok((path, html))
            })
            .collect::<Result<_, _>>()?;
        for (path, html) in rendered {
            output.files.insert(path, r.held(html));
        }
    }
    let changes_url = r.links.path("changes/");
    let feed = atom(
        config,
        &r.links,
        &format!("{}: recent changes", config.title),
        &r.links.path("changes.xml"),
        &changes_url,
        &changes,
        r.settings.today,
    );
    output.files.insert("changes.xml".into(), r.held(feed.into_bytes()));
    let mut by_category: BTreeMap<&str, Vec<EntryView>> =
        site.categories.keys().map(|k| (k.as_str(), Vec::new())).collect();
    for view in &changes {
        let category = site.dossiers.get(&view.slug).map(|d| d.meta.category.value.as_str());
        if let Some(list) = category.and_then(|c| by_category.get_mut(c)).filter(|l| l.len() < FEED_ENTRIES) {
            list.push(view.clone());
        }
    }
    for (slug, views) in by_category {
        let Some(category) = site.categories.get(slug) else { continue };
        let url = r.links.category(slug);
        let title = format!("{}: {}", config.title, category.meta.name.value);
        let feed = atom(config, &r.links, &title, &format!("{url}feed.xml"), &url, &views, r.settings.today);
        output.files.insert(format!("categories/{slug}/feed.xml"), r.held(feed.into_bytes()));
    }
    let json = entries_json(history, all.iter().copied(), None);
    output.files.insert("api/changes.json".into(), r.held(json));
    Ok(())
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

/// The hash input of a dossier's record, for its pages' cache key.
pub fn record_key(history: &History, slug: &str) -> String {
    let mut key = format!("{:?}|", history.complete_from);
    for entry in history.dossiers.get(slug).into_iter().flatten() {
        let commit = &history.commits[entry.commit];
        let _ = write!(key, "{}|{}|{:?}|", commit.id, commit.subject, entry.changes);
    }
    key
}
