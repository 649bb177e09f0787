//! The search stage (DESIGN.md §5 "Search"): turns the loaded [`Site`] into search records built
//! from the model, and the records into a chunked Pagefind index, the files under `/pagefind/`.
//!
//! This is the one module that knows Pagefind (STYLE.md #7). Its library API is async on tokio,
//! so [`index_site`] runs it on a private single-threaded runtime in a thread of its own: callers
//! stay synchronous, and `serve` may call it from inside its own runtime without nesting one.
//! A query then downloads the entry file, the engine (JS and WebAssembly), the metadata and the
//! few index, filter and fragment chunks it needs, never a whole-site file.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context as _, anyhow};
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use crate::markdown;
use crate::model::{Claim, Date, Dossier, Freshness, Page, Source, SourceRef};
use crate::site::Site;

/// Where the index lives in the output, relative to the site root.
pub const BUNDLE_DIR: &str = "pagefind/";

/// How much a word counts, by where it stands in a dossier (Pagefind weights, 0-10).
const WEIGHT_NAME: u8 = 10;
const WEIGHT_SUMMARY: u8 = 5;
const WEIGHT_CLAIM: u8 = 2;

/// One searchable document: a dossier, a category or a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The page's path with the site's base path (`/wiki/providers/x/`).
    pub url: String,
    /// The words to index, with Pagefind weight markers around the weighted parts.
    pub content: String,
    /// Shown with a result: `title`, `summary`, `kind`, and for dossiers `category`, `verified`.
    pub meta: BTreeMap<String, String>,
    /// Facets: `category`, `jurisdiction`, `tags`, `status` (claim statuses), `freshness`.
    pub filters: BTreeMap<String, Vec<String>>,
    /// Sort keys: `name`, and `verified` (newest verified day) for dossiers.
    pub sort: BTreeMap<String, String>,
}

/// Builds the search index of the published content of `site`.
///
/// Returns the bundle's files as paths relative to the output root (all under [`BUNDLE_DIR`],
/// e.g. `pagefind/pagefind.js`) with their bytes, ready to join a build's output or to be held
/// in memory by `serve`. `base_path` is the site's root path ("/" or "/wiki/"), `today` decides
/// freshness, and `drafts` includes draft dossiers and pages as `build --drafts` does.
/// Safe to call from inside a tokio runtime: the index is built on a thread of its own.
pub fn index_site(site: &Site, base_path: &str, today: Date, drafts: bool) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let records = tracing::info_span!("search records").in_scope(|| records(site, base_path, today, drafts));
    index_records(records, language_of(site))
}

/// The language the index stems words for: the site's.
pub fn language_of(site: &Site) -> String {
    site.config.as_ref().map_or("en", |c| c.language.as_str()).to_owned()
}

/// Builds the index bundle from records made earlier (by [`records`]), so `serve` can index on
/// a thread of its own without holding the site.
pub fn index_records(records: Vec<Record>, language: String) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    std::thread::scope(|scope| {
        scope
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .context("cannot start the search indexer's runtime")?;
                runtime.block_on(build_bundle(records, language))
            })
            .join()
            .map_err(|_| anyhow!("the search indexer crashed"))?
    })
}

/// The search records of every published dossier, category and page, in a stable order.
pub fn records(site: &Site, base_path: &str, today: Date, drafts: bool) -> Vec<Record> {
    let dossiers = site.dossiers.values().filter(|d| drafts || !d.meta.draft);
    let mut records: Vec<Record> = dossiers.map(|d| dossier_record(site, d, base_path, today)).collect();
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

fn page_record(page: &Page, base_path: &str) -> Record {
    let url = format!("{base_path}{}/", page.slug);
    text_record(url, "page", &page.meta.title, &page.meta.description, &page.body.text)
}

/// A record for a category or page: its title and description weighted, then its body.
fn text_record(url: String, kind: &str, title: &str, description: &str, body: &str) -> Record {
    let mut content = String::new();
    push_weighted(&mut content, WEIGHT_NAME, title);
    push_weighted(&mut content, WEIGHT_SUMMARY, description);
    push_words(&mut content, &markdown::plain_text(body));
    let meta = BTreeMap::from([
        ("title".to_owned(), title.to_owned()),
        ("summary".to_owned(), description.to_owned()),
        ("kind".to_owned(), kind.to_owned()),
    ]);
    let sort = BTreeMap::from([("name".to_owned(), title.to_lowercase())]);
    Record { url, content, meta, filters: BTreeMap::new(), sort }
}

fn dossier_record(site: &Site, dossier: &Dossier, base_path: &str, today: Date) -> Record {
    let meta = &dossier.meta;
    let category = site.categories.get(meta.category.as_str()).map_or(meta.category.as_str(), |c| c.meta.name.as_str());
    let newest = meta.claims.iter().map(|c| c.verified.value).max().map(|d| d.to_string()).unwrap_or_default();
    let tags: Vec<String> = meta.tags.iter().map(|t| t.value.clone()).collect();
    let place = meta.jurisdiction.as_ref().map(|j| format!("{} ({})", country_name(j), j.as_str()));
    let filed_under = format!("{category}. {} {}", place.unwrap_or_default(), tags.join(" "));
    let content = dossier_content(dossier, &filed_under);
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
    let sort = BTreeMap::from([("name".to_owned(), meta.name.to_lowercase()), ("verified".to_owned(), newest)]);
    let url = format!("{base_path}providers/{}/", dossier.slug);
    Record { url, content, meta: record_meta, filters, sort }
}

/// A dossier's words, most telling first: names, summary, claims, body, sources, then what it
/// is filed under (category, country name and code, tags) so that "Germany" finds `DE`.
fn dossier_content(dossier: &Dossier, filed_under: &str) -> String {
    let meta = &dossier.meta;
    let mut content = String::new();
    let names = std::iter::once(meta.name.as_str()).chain(meta.former_names.iter().map(String::as_str));
    push_weighted(&mut content, WEIGHT_NAME, &names.collect::<Vec<_>>().join(" "));
    push_weighted(&mut content, WEIGHT_SUMMARY, &meta.summary);
    for claim in meta.claims.iter() {
        push_weighted(&mut content, WEIGHT_CLAIM, &markdown::plain_text(&claim.text));
    }
    push_words(&mut content, &markdown::plain_text(&dossier.body.text));
    for source in meta.sources.values().map(|s| &s.value).chain(meta.claims.iter().flat_map(inline_sources)) {
        let words = [Some(&source.title), source.publisher.as_ref(), source.quote.as_ref()];
        push_words(&mut content, &words.into_iter().flatten().cloned().collect::<Vec<_>>().join(" "));
    }
    push_words(&mut content, filed_under);
    content
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
fn country_name(code: &str) -> &'static str {
    isocountry::CountryCode::for_alpha2(code).map_or("", |c| c.name())
}

/// Appends `text` inside a weight marker.
fn push_weighted(content: &mut String, weight: u8, text: &str) {
    content.push_str(&format!("___PAGEFIND_WEIGHT___{weight} "));
    push_words(content, text);
    content.push_str("___END_PAGEFIND_WEIGHT___ ");
}

/// Appends the words of contributed text. Pagefind reads words that start with `_` as its own
/// markers, so leading underscores are dropped: content cannot change its own weight.
fn push_words(content: &mut String, text: &str) {
    for word in text.split_whitespace() {
        let word = word.trim_start_matches('_');
        if !word.is_empty() {
            content.push_str(word);
            content.push(' ');
        }
    }
}

/// Feeds the records to Pagefind and collects the bundle's files.
async fn build_bundle(records: Vec<Record>, language: String) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let options = PagefindServiceConfig::builder().force_language(language.clone()).build();
    let mut index = PagefindIndex::new(Some(options)).context("cannot configure the search indexer")?;
    let (count, adding) = (records.len(), std::time::Instant::now());
    for record in records {
        let url = record.url.clone();
        index
            .add_custom_record(
                record.url,
                record.content,
                language.clone(),
                Some(record.meta),
                Some(record.filters),
                Some(record.sort),
            )
            .await
            .with_context(|| format!("cannot index {url}"))?;
    }
    tracing::info!(records = count, elapsed = ?adding.elapsed(), "search records fed to Pagefind");
    let building = std::time::Instant::now();
    let files: Vec<(String, Vec<u8>)> = (index.get_files().await.context("cannot build the search index")?)
        .into_iter()
        .map(|f| (f.filename.to_string_lossy().replace('\\', "/"), f.contents))
        .collect();
    tracing::info!(files = files.len(), elapsed = ?building.elapsed(), "search index built");
    let wasm = used_wasm(&files);
    Ok(files
        .into_iter()
        .filter(|(name, _)| is_needed(name, &wasm))
        .map(|(name, bytes)| (format!("{BUNDLE_DIR}{name}"), bytes))
        .collect())
}

/// The WebAssembly files the entry file points at (`wasm.en.pagefind`); a language without a
/// stemmer uses the generic `wasm.unknown.pagefind`.
fn used_wasm(files: &[(String, Vec<u8>)]) -> BTreeSet<String> {
    let entry = files.iter().find(|(name, _)| name == "pagefind-entry.json");
    let parsed: serde_json::Value = entry.and_then(|(_, bytes)| serde_json::from_slice(bytes).ok()).unwrap_or_default();
    let languages = parsed["languages"].as_object().into_iter().flat_map(|l| l.values());
    languages.map(|l| format!("wasm.{}.pagefind", l["wasm"].as_str().unwrap_or("unknown"))).collect()
}

/// Whether a bundle file is used by our own search UI: the engine, its WebAssembly, the entry
/// file and the index chunks. Pagefind's prebuilt UIs and the playground are left out.
fn is_needed(name: &str, wasm: &BTreeSet<String>) -> bool {
    matches!(name, "pagefind.js" | "pagefind-worker.js" | "pagefind-entry.json")
        || wasm.contains(name)
        || name.ends_with(".pf_meta")
        || ["index/", "filter/", "fragment/"].iter().any(|dir| name.starts_with(dir))
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
    fn a_dossier_record_has_weighted_name_facets_meta_and_sorts() {
        let all = records(&minimal_site(), "/wiki/", today(), false);
        let record = all.iter().find(|r| r.url == "/wiki/providers/examplemail/").expect("the dossier is indexed");
        assert!(record.content.starts_with("___PAGEFIND_WEIGHT___10 ExampleMail ___END_PAGEFIND_WEIGHT___ "));
        assert!(record.content.contains("Outgoing mail is DKIM-signed."), "{}", record.content);
        assert!(record.content.contains("Germany (DE)"), "{}", record.content);
        assert!(!record.content.contains("[^"), "citations are not words: {}", record.content);
        assert_eq!(record.filters["jurisdiction"], ["DE"]);
        assert_eq!(record.filters["tags"], ["imap", "smtp"]);
        assert_eq!(record.filters["status"], ["verified"]);
        assert_eq!(record.filters["freshness"], ["fresh"]);
        assert_eq!(record.meta["title"], "ExampleMail");
        assert_eq!(record.meta["verified"], "2026-10-01");
        assert_eq!(record.sort["name"], "examplemail");
        let later = records(&minimal_site(), "/", Date::parse("2028-01-01").unwrap(), false);
        assert_eq!(later[0].filters["freshness"], ["stale"]);
    }

    #[test]
    fn categories_and_pages_are_records_too() {
        let urls: Vec<String> = records(&minimal_site(), "/", today(), false).into_iter().map(|r| r.url).collect();
        assert_eq!(urls, ["/providers/examplemail/", "/categories/email-hosting/", "/about/"]);
    }

    #[test]
    fn contributed_text_cannot_forge_weight_markers() {
        let mut content = String::new();
        push_words(&mut content, "a ___PAGEFIND_WEIGHT___10 b ___ __init__");
        assert_eq!(content, "a PAGEFIND_WEIGHT___10 b init__ ");
    }

    #[test]
    fn the_bundle_is_chunked_trimmed_and_deterministic() {
        let site = minimal_site();
        let first = index_site(&site, "/", today(), false).unwrap();
        let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
        for expected in ["pagefind/pagefind.js", "pagefind/pagefind-worker.js", "pagefind/pagefind-entry.json"] {
            assert!(names.contains(&expected), "{names:?}");
        }
        assert!(names.contains(&"pagefind/wasm.en.pagefind"), "{names:?}");
        assert!(!names.contains(&"pagefind/wasm.unknown.pagefind"), "only the wasm in use: {names:?}");
        assert!(names.iter().any(|n| n.starts_with("pagefind/index/")), "{names:?}");
        assert!(names.iter().any(|n| n.starts_with("pagefind/fragment/")), "{names:?}");
        assert!(!names.iter().any(|n| n.contains("-ui")), "{names:?}");
        assert_eq!(first, index_site(&site, "/", today(), false).unwrap(), "the same input gives the same files");
    }
}
