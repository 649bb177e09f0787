//! The search stage (docs/search.md): turns the loaded [`Site`] into search records built
//! from the model, and the records into dossier's own chunked index, the files under
//! `/search-index/` (format and engine: [`index`]; words: [`tokens`]).
//!
//! Pagefind's library was used here before; at 10,000 dossiers it took 42 s and 5 GB of memory
//! (zlib at level 9 on every chunk, a snowball stemmer and its HTML fossicker fed one record at
//! a time under a lock), so the index is now built here: tokenised in parallel, merged once, and
//! written uncompressed (hosts compress on the wire). A query downloads the entry file, the
//! engine (`engine.js`, plain JS: no WebAssembly, no worker), the index chunks of its words and
//! the fragments of the results it shows, never a whole-site file.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::markdown;
use crate::memo::Memo;
use crate::model::{Claim, Date, Dossier, Freshness, Page, Source, SourceRef};
use crate::site::Site;

pub mod index;
pub mod tokens;

/// Where the index lives in the output, relative to the site root.
pub const BUNDLE_DIR: &str = "search-index/";

/// One searchable document: a dossier, a category or a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    /// The page's path with the site's base path (`/wiki/providers/x/`).
    pub url: String,
    /// The words to index.
    pub text: Words<'a>,
    /// Shown with a result: `title`, `summary`, `kind`, and for dossiers `category`, `verified`.
    pub meta: BTreeMap<String, String>,
    /// Facets: `category`, `jurisdiction`, `tags`, `status` (claim statuses), `freshness`.
    pub filters: BTreeMap<String, Vec<String>>,
    /// Sort keys: `name`, and for dossiers `verified` (newest verified day) and, with a history,
    /// `changed` (the day of the last commit that changed the file).
    pub sort: BTreeMap<String, String>,
}

/// A record's words: its text, or what the index reads of it, from the word cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Words<'a> {
    Text(Text),
    Read(index::ReadText<'a>),
}

/// A record's text by field, most telling first; [`index`] weighs them in this order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    /// The name and former names, one a line, or the title.
    pub name: String,
    /// The summary or description.
    pub summary: String,
    /// The claims, each with what a sub-result links to and shows.
    pub claims: Vec<ClaimText>,
    /// Everything else: body text, sources, what the dossier is filed under.
    pub body: String,
}

/// One claim's text, with its id (the provider page's anchor is `claim-<id>`) and status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimText {
    pub id: String,
    pub status: String,
    pub text: String,
}

/// Which records an index holds and how they read: the site's root path (`/` or `/wiki/`), the
/// day freshness is judged on, whether drafts are in (as `build --drafts`), and each content
/// file's last change (content path → the day of the last commit that changed it, from the
/// history: the "recently changed" sort; empty without one).
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub base_path: &'a str,
    pub today: Date,
    pub drafts: bool,
    pub edited: &'a BTreeMap<String, Date>,
}

/// No content file's last change is known.
static NO_HISTORY: BTreeMap<String, Date> = BTreeMap::new();

impl<'a> Scope<'a> {
    /// The published content, rooted at `base_path`, judged on `today`, with no history.
    pub fn published(base_path: &'a str, today: Date) -> Scope<'a> {
        Scope { base_path, today, drafts: false, edited: &NO_HISTORY }
    }
}

/// Builds the search index of `site`'s content in `scope`.
///
/// Returns the bundle's files as paths relative to the output root (all under [`BUNDLE_DIR`],
/// e.g. `search-index/entry.json`) with their bytes, ready to join a build's output or to be
/// held in memory by `serve`. With `words`, a dossier's words are taken from it where it holds
/// them, and left there.
pub fn index_site(site: &Site, scope: &Scope<'_>, words: Option<&dyn Memo>) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let records = tracing::info_span!("search records").in_scope(|| records_with(site, scope, words));
    index_records(records, language_of(site))
}

/// The format of the words a [`Memo`] keeps for search, for whoever names its file: bumped
/// whenever [`index::ReadText`]'s encoding changes.
pub const WORDS_FORMAT: u32 = 2;

/// A dossier's words: from `memo`, or read now and left there. They are keyed by the dossier's
/// path and a hash of all they come from: the file, and what it is filed under (its category's
/// name). Reading the text (Markdown to plain text, then words) is most of indexing, and a
/// dossier's text changes only when its file does.
fn remembered_words<'m>(memo: &'m dyn Memo, dossier: &Dossier, filed_under: &str) -> Words<'m> {
    let key = dossier.path.to_string_lossy();
    let mut source = dossier.hash.to_le_bytes().to_vec();
    source.extend_from_slice(filed_under.as_bytes());
    let hash = crate::load::content_hash(&source);
    if let Some(read) = memo.get(&key, hash).and_then(index::ReadText::decode) {
        return Words::Read(read);
    }
    let read = index::ReadText::of(&dossier_text(dossier, filed_under));
    memo.put(&key, hash, read.encode());
    Words::Read(read)
}

/// The site's language: the engine stems English queries.
pub fn language_of(site: &Site) -> String {
    site.config.as_ref().map_or("en", |c| c.language.as_str()).to_owned()
}

/// Builds the index bundle from records made earlier (by [`records`]), so `serve` can index on
/// a thread of its own without holding the site.
pub fn index_records(records: Vec<Record<'_>>, language: String) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let started = std::time::Instant::now();
    let count = records.len();
    let files = index::build(records, &language)?;
    tracing::info!(records = count, files = files.len(), elapsed = ?started.elapsed(), "search index built");
    Ok(files.into_iter().map(|(name, bytes)| (format!("{BUNDLE_DIR}{name}"), bytes)).collect())
}

/// The search records of every dossier, category and page in `scope`, in a stable order.
pub fn records(site: &Site, scope: &Scope<'_>) -> Vec<Record<'static>> {
    records_with(site, scope, None)
}

/// [`records`], taking dossiers' words from `words` when given.
fn records_with<'m>(site: &Site, scope: &Scope<'_>, words: Option<&'m dyn Memo>) -> Vec<Record<'m>> {
    let Scope { base_path, drafts, .. } = *scope;
    let dossiers: Vec<&Dossier> = site.dossiers.values().filter(|d| drafts || !d.meta.draft).collect();
    let mut records: Vec<Record> = dossiers.par_iter().map(|d| dossier_record(site, d, scope, words)).collect();
    for category in site.categories.values() {
        let url = format!("{base_path}categories/{}/", category.slug);
        let (name, description) = (&category.meta.name.value, &category.meta.description.value);
        records.push(text_record(url, "category", name, description, &category.body.text));
    }
    for page in site.pages.values().filter(|p| drafts || !p.meta.draft) {
        records.push(page_record(page, base_path));
    }
    records
}

fn page_record(page: &Page, base_path: &str) -> Record<'static> {
    let url = format!("{base_path}{}/", page.slug);
    text_record(url, "page", &page.meta.title, &page.meta.description, &page.body.text)
}

/// A record for a category or page: its title, description and body.
fn text_record(url: String, kind: &str, title: &str, description: &str, body: &str) -> Record<'static> {
    let text = Words::Text(Text {
        name: title.to_owned(),
        summary: description.to_owned(),
        claims: Vec::new(),
        body: markdown::plain_text(body),
    });
    let meta = BTreeMap::from([
        ("title".to_owned(), title.to_owned()),
        ("summary".to_owned(), description.to_owned()),
        ("kind".to_owned(), kind.to_owned()),
    ]);
    let sort = BTreeMap::from([("name".to_owned(), title.to_lowercase())]);
    Record { url, text, meta, filters: BTreeMap::new(), sort }
}

fn dossier_record<'m>(site: &Site, dossier: &Dossier, scope: &Scope<'_>, words: Option<&'m dyn Memo>) -> Record<'m> {
    let Scope { base_path, today, .. } = *scope;
    let changed = scope.edited.get(&crate::diagnostics::display_path(&dossier.path));
    let meta = &dossier.meta;
    let category = site.categories.get(meta.category.as_str()).map_or(meta.category.as_str(), |c| c.meta.name.as_str());
    let newest = meta.claims.iter().map(|c| c.verified.value).max().map(|d| d.to_string()).unwrap_or_default();
    let tags: Vec<String> = meta.tags.iter().map(|t| t.value.clone()).collect();
    let place = meta.jurisdiction.as_ref().map(|j| format!("{} ({})", country_name(j), j.as_str()));
    let filed_under = format!("{category}. {} {}", place.unwrap_or_default(), tags.join(" "));
    let text = match words {
        Some(memo) => remembered_words(memo, dossier, &filed_under),
        None => Words::Text(dossier_text(dossier, &filed_under)),
    };
    let mut filters = claim_filters(dossier, site.stale_after_days(&meta.category), today);
    filters.insert("category".to_owned(), vec![category.to_owned()]);
    if let Some(code) = &meta.jurisdiction {
        filters.insert("jurisdiction".to_owned(), vec![code.value.clone()]);
    }
    if !tags.is_empty() {
        filters.insert("tags".to_owned(), tags);
    }
    let record_meta = BTreeMap::from([
        ("title".to_owned(), meta.name.value.clone()),
        ("summary".to_owned(), meta.summary.value.clone()),
        ("kind".to_owned(), "provider".to_owned()),
        ("category".to_owned(), category.to_owned()),
        ("verified".to_owned(), newest.clone()),
    ]);
    let mut sort = BTreeMap::from([("name".to_owned(), meta.name.to_lowercase()), ("verified".to_owned(), newest)]);
    if let Some(day) = changed {
        sort.insert("changed".to_owned(), day.to_string());
    }
    let url = format!("{base_path}providers/{}/", dossier.slug);
    Record { url, text, meta: record_meta, filters, sort }
}

/// A dossier's words by field: names, summary, claims, then body, sources and what it is filed
/// under (category, country name and code, tags) so that "Germany" finds `DE`.
fn dossier_text(dossier: &Dossier, filed_under: &str) -> Text {
    let meta = &dossier.meta;
    let names = std::iter::once(meta.name.as_str()).chain(meta.former_names.iter().map(String::as_str));
    let claims = meta
        .claims
        .iter()
        .map(|c| ClaimText {
            id: c.id.value.clone(),
            status: c.status.as_str().to_owned(),
            text: markdown::plain_text(&c.text),
        })
        .collect();
    let mut body = markdown::plain_text(&dossier.body.text);
    for source in meta.sources.values().map(|s| &s.value).chain(meta.claims.iter().flat_map(inline_sources)) {
        for words in [Some(&source.title), source.publisher.as_ref(), source.quote.as_ref()].into_iter().flatten() {
            body.push(' ');
            body.push_str(words);
        }
    }
    body.push(' ');
    body.push_str(filed_under);
    Text { name: names.collect::<Vec<_>>().join("\n"), summary: meta.summary.value.clone(), claims, body }
}

/// The facets that come from the claims: every status a claim has (so a provider with one
/// disputed claim is found as disputed), and whether any claim is stale.
fn claim_filters(dossier: &Dossier, stale_after_days: u32, today: Date) -> BTreeMap<String, Vec<String>> {
    let claims = &dossier.meta.claims;
    let statuses: BTreeSet<&str> = claims.iter().map(|c| c.status.as_str()).collect();
    let has_stale = claims.iter().any(|c| Freshness::of(c.verified.value, stale_after_days, today).is_stale());
    BTreeMap::from([
        ("status".to_owned(), statuses.into_iter().map(str::to_owned).collect()),
        ("freshness".to_owned(), vec![if has_stale { "stale" } else { "fresh" }.to_owned()]),
    ])
}

/// The sources written inline in a claim (named ones are listed once, under `sources`).
fn inline_sources(claim: &Claim) -> impl Iterator<Item = &Source> {
    claim.sources.iter().filter_map(|r| match &r.value {
        SourceRef::Inline(source) => Some(source),
        SourceRef::Named(_) => None,
    })
}

/// The English short name of an ISO 3166-1 alpha-2 code, so "Germany" finds `DE`.
pub(crate) fn country_name(code: &str) -> &'static str {
    isocountry::CountryCode::for_alpha2(code).map_or("", |c| c.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal_site() -> Site {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minimal");
        crate::site::load_site(&root).expect("the minimal fixture loads")
    }

    fn today() -> Date {
        Date::parse("2026-11-27").unwrap()
    }

    #[test]
    fn a_dossier_record_has_text_by_field_facets_meta_and_sorts() {
        let all = records(&minimal_site(), &Scope::published("/wiki/", today()));
        let record = all.iter().find(|r| r.url == "/wiki/providers/examplemail/").expect("the dossier is indexed");
        let Words::Text(text) = &record.text else { panic!("no word cache, so the text itself") };
        assert_eq!(text.name, "ExampleMail");
        assert_eq!(text.claims[0].text, "Outgoing mail is DKIM-signed.", "{text:?}");
        assert_eq!((text.claims[0].id.as_str(), text.claims[0].status.as_str()), ("dkim-signing", "verified"));
        assert!(text.body.contains("Germany (DE)"), "{text:?}");
        assert!(!text.claims.iter().any(|c| c.text.contains("[^")), "citations are not words: {text:?}");
        assert_eq!(record.filters["jurisdiction"], ["DE"]);
        assert_eq!(record.filters["tags"], ["imap", "smtp"]);
        assert_eq!(record.filters["status"], ["verified"]);
        assert_eq!(record.filters["freshness"], ["fresh"]);
        assert_eq!(record.meta["title"], "ExampleMail");
        assert_eq!(record.meta["verified"], "2026-10-01");
        assert_eq!(record.sort["name"], "examplemail");
        let later = records(&minimal_site(), &Scope::published("/", Date::parse("2028-01-01").unwrap()));
        assert_eq!(later[0].filters["freshness"], ["stale"]);
    }

    #[test]
    fn a_dossier_sorts_by_its_last_change_where_the_history_has_one() {
        let site = minimal_site();
        let path = crate::diagnostics::display_path(&site.dossiers["examplemail"].path);
        let edited = BTreeMap::from([(path, Date::parse("2026-09-30").unwrap())]);
        let with = records(&site, &Scope { edited: &edited, ..Scope::published("/", today()) });
        assert_eq!(with[0].sort.get("changed").map(String::as_str), Some("2026-09-30"));
        let without = records(&site, &Scope::published("/", today()));
        assert_eq!(without[0].sort.get("changed"), None, "no history, no such sort: the dossier ranks last");
        assert!(with[1..].iter().all(|r| !r.sort.contains_key("changed")), "categories and pages have none");
    }

    #[test]
    fn categories_and_pages_are_records_too() {
        let urls: Vec<String> =
            records(&minimal_site(), &Scope::published("/", today())).into_iter().map(|r| r.url).collect();
        assert_eq!(urls, ["/providers/examplemail/", "/categories/email-hosting/", "/about/"]);
    }

    #[test]
    fn the_bundle_holds_entry_engine_chunks_and_fragments_and_is_deterministic() {
        let site = minimal_site();
        let first = index_site(&site, &Scope::published("/", today()), None).unwrap();
        let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
        for expected in ["search-index/entry.json", "search-index/engine.js"] {
            assert!(names.contains(&expected), "{names:?}");
        }
        for dir in ["index/", "filter/", "sort/", "fragment/"] {
            assert!(names.iter().any(|n| n.starts_with(&format!("search-index/{dir}"))), "{dir}: {names:?}");
        }
        assert_eq!(
            first,
            index_site(&site, &Scope::published("/", today()), None).unwrap(),
            "the same input gives the same files"
        );
    }
}
