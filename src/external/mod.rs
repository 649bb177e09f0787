//! `check --external`, opt-in and never part of the default check: fetches every source and
//! archive URL and reports dead links and quotes that vanished from their page.
//!
//! Consumes the loaded [`Site`] (or the dossiers a change touched) and the time;
//! produces diagnostics, and updates the link cache as its one side effect. Fetching is
//! synchronous on a small thread pool (`fetch.rs`, the ureq seam); answers are cached for a
//! day (`cache.rs`); page text is normalised before quotes are looked for (`page.rs`).

mod cache;
mod fetch;
mod page;

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

pub use cache::{CACHE_PATH, MAX_AGE_SECS};
use cache::{Cache, Entry, Outcome};
use fetch::{Fetched, Request};

use crate::diagnostics::{Code, Diagnostic, display_path};
use crate::model::{Source, SourceRef, Spanned};
use crate::site::Site;

/// Per-host politeness: at most this many requests in flight to one host.
const PER_HOST: usize = 2;
const WORKERS: usize = 16;
const RETRIES: u32 = 2;
const BACKOFF: Duration = Duration::from_millis(500);

/// How the external check runs.
#[derive(Debug, Clone)]
pub struct ExternalOptions {
    /// For one attempt at one URL.
    pub timeout: Duration,
    /// Seconds since the Unix epoch, for the cache's one-day lifetime.
    pub now: u64,
}

/// One source as written in one dossier.
struct Cited<'a> {
    path: &'a Path,
    source: &'a Source,
}

/// Fetches what the cache does not already know, then judges every source cited in the
/// dossiers whose path (as diagnostics write it) `in_scope` accepts.
pub fn check_links(
    site: &Site,
    in_scope: &dyn Fn(&str) -> bool,
    options: &ExternalOptions,
) -> anyhow::Result<Vec<Diagnostic>> {
    let cited = cited_sources(site, in_scope);
    let wanted = wanted_quotes(&cited);
    let mut cache = Cache::load(&site.root);
    let requests = requests(&wanted, &cache, options.now);
    tracing::info!(urls = wanted.len(), fetching = requests.len(), "external link check");
    let bar = progress_bar(requests.len());
    let settings = fetch::Settings {
        timeout: options.timeout,
        user_agent: user_agent(site),
        retries: RETRIES,
        backoff: BACKOFF,
        workers: WORKERS,
        per_host: PER_HOST,
    };
    let fetched = fetch::fetch_all(requests, &settings, &|_| bar.inc(1));
    bar.finish_and_clear();
    for (url, result) in fetched {
        let entry = entry(result, wanted.get(&url), options.now);
        cache.insert(url, entry);
    }
    let findings = cited.iter().flat_map(|c| judge(c, &cache, options.now)).collect();
    cache.save(options.now)?;
    Ok(findings)
}

/// Every source of every dossier in scope, named ones once at their definition.
fn cited_sources<'a>(site: &'a Site, in_scope: &dyn Fn(&str) -> bool) -> Vec<Cited<'a>> {
    let mut cited = Vec::new();
    for dossier in site.dossiers.values() {
        if !in_scope(&display_path(&dossier.path)) {
            continue;
        }
        let path = dossier.path.as_path();
        cited.extend(dossier.meta.sources.values().map(|s| Cited { path, source: &s.value }));
        for claim in dossier.meta.claims.iter() {
            for reference in claim.sources.iter() {
                if let SourceRef::Inline(source) = &reference.value {
                    cited.push(Cited { path, source });
                }
            }
        }
    }
    cited
}

/// What is fetched (and cached) for a written URL: the address without its `#fragment`, which
/// names a place in the page and is never sent; `None` for what is not an http(s) URL (already
/// an error of the ordinary check).
fn fetch_key(written: &str) -> Option<String> {
    let mut url = url::Url::parse(written.trim()).ok().filter(|u| matches!(u.scheme(), "http" | "https"))?;
    url.set_fragment(None);
    Some(url.into())
}

/// Every URL to fetch, with the quotes to look for on it.
fn wanted_quotes(cited: &[Cited]) -> BTreeMap<String, BTreeSet<String>> {
    let mut wanted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for c in cited {
        if let Some(key) = fetch_key(&c.source.url) {
            let quotes = wanted.entry(key).or_default();
            quotes.extend(c.source.quote.as_deref().map(page::quote_key).filter(|k| !k.is_empty()));
        }
        if let Some(key) = c.source.archive.as_deref().and_then(|a| fetch_key(a)) {
            wanted.entry(key).or_default();
        }
    }
    wanted
}

/// What the cache knows about a written URL.
fn known<'a>(cache: &'a Cache, written: &str, now: u64) -> Option<&'a Entry> {
    cache.fresh(&fetch_key(written)?, now)
}

/// The URLs the cache cannot answer: unknown, older than a day, or missing a quote's verdict.
fn requests(wanted: &BTreeMap<String, BTreeSet<String>>, cache: &Cache, now: u64) -> Vec<Request> {
    wanted
        .iter()
        .filter(|(url, quotes)| match cache.fresh(url, now) {
            None => true,
            Some(Entry { outcome: Outcome::Live { readable: true, .. }, quotes: known, .. }) => {
                quotes.iter().any(|q| !known.contains_key(q))
            }
            Some(_) => false,
        })
        .map(|(url, quotes)| Request { url: url.clone(), want_text: !quotes.is_empty() })
        .collect()
}

fn entry(fetched: Fetched, quotes: Option<&BTreeSet<String>>, now: u64) -> Entry {
    let found = match (&fetched.text, quotes) {
        (Some(text), Some(quotes)) => quotes.iter().map(|q| (q.clone(), text.contains(q.as_str()))).collect(),
        _ => BTreeMap::new(),
    };
    Entry { checked: now, outcome: fetched.outcome, quotes: found }
}

/// The findings for one cited source: its URL dead, its archive dead, or its quote gone.
fn judge(cited: &Cited, cache: &Cache, now: u64) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let source = cited.source;
    let title = &source.title;
    let url = source.url.trim();
    match known(cache, url, now) {
        Some(Entry { outcome: Outcome::Dead { reason }, .. }) => {
            let help = match &source.archive {
                Some(archive) => format!(
                    "readers can still use the archived copy ({}); if the page moved, update `url` to its new address",
                    archive.trim()
                ),
                None => "find where the page moved, or add `archive:` with a web-archive snapshot of it (e.g. the Wayback Machine's) so the claim stays checkable".into(),
            };
            let help = with_bot_note(help, reason);
            out.push(
                Diagnostic::new(
                    Code::DeadLink,
                    cited.path,
                    source.url.pos,
                    format!("the source `{title}` at {url} is unreachable: {reason}"),
                )
                .help(help),
            );
        }
        Some(Entry { outcome: Outcome::Live { readable: true, .. }, quotes, .. }) => {
            let key = source.quote.as_deref().map(page::quote_key).filter(|k| !k.is_empty());
            if key.is_some_and(|k| quotes.get(&k) == Some(&false)) {
                out.push(quote_missing(cited, url));
            }
        }
        _ => {}
    }
    if let Some(archive) = &source.archive {
        out.extend(dead_archive(cited, archive, cache, now));
    }
    out
}

fn quote_missing(cited: &Cited, url: &str) -> Diagnostic {
    let compare = match &cited.source.archive {
        Some(archive) => format!(" (compare with the archived copy, {})", archive.trim()),
        None => String::new(),
    };
    Diagnostic::new(
        Code::QuoteMissing,
        cited.path,
        cited.source.url.pos,
        format!("the quote of the source `{}` no longer appears on {url}", cited.source.title),
    )
    .help(format!(
        "the page changed{compare}: check that it still supports the claim, then update `quote` and `verified`, or cite the archived copy"
    ))
}

fn dead_archive(cited: &Cited, archive: &Spanned<String>, cache: &Cache, now: u64) -> Option<Diagnostic> {
    let Some(Entry { outcome: Outcome::Dead { reason }, .. }) = known(cache, archive, now) else { return None };
    Some(
        Diagnostic::new(
            Code::DeadLink,
            cited.path,
            archive.pos,
            format!("the archive link of `{}`, {}, is unreachable: {reason}", cited.source.title, archive.trim()),
        )
        .help(with_bot_note("save a new snapshot of the source and put its address in `archive`".into(), reason)),
    )
}

/// Some sites refuse automated requests; say so where that is the likely cause.
fn with_bot_note(help: String, reason: &str) -> String {
    if reason.starts_with("HTTP 403") || reason.starts_with("HTTP 429") {
        format!("{help}; this site may refuse automated requests, so open the link in a browser before changing it")
    } else {
        help
    }
}

/// `dossier/<version> (+repo)`: names the project to the sites it visits.
fn user_agent(site: &Site) -> String {
    let contact = site.config.as_ref().and_then(|c| c.repo_url.as_ref()).map(|u| format!("; +{}", u.value.trim()));
    format!("dossier/{} (source link checker{})", env!("CARGO_PKG_VERSION"), contact.unwrap_or_default())
}

/// A bar on stderr when it is a terminal, nothing otherwise (CI logs, pipes, tests).
fn progress_bar(len: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() || len == 0 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) = ProgressStyle::with_template("checking links {bar:30} {pos}/{len} ({elapsed})") {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(url: &str, archive: Option<&str>, quote: Option<&str>) -> Source {
        let date = crate::model::Date::parse("2026-01-01").unwrap();
        Source {
            url: Spanned::new(url.into(), crate::model::Pos::new(3, 4)),
            title: "Terms".into(),
            publisher: None,
            published: None,
            accessed: Spanned::new(date, crate::model::Pos::UNKNOWN),
            archive: archive.map(|a| Spanned::new(a.into(), crate::model::Pos::new(5, 6))),
            quote: quote.map(str::to_owned),
        }
    }

    fn cache_with(entries: &[(&str, Entry)]) -> (tempfile::TempDir, Cache) {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = Cache::load(dir.path());
        for (url, entry) in entries {
            cache.insert((*url).to_owned(), entry.clone());
        }
        (dir, cache)
    }

    fn live(quotes: &[(&str, bool)]) -> Entry {
        Entry {
            checked: 100,
            outcome: Outcome::Live { status: 200, readable: true },
            quotes: quotes.iter().map(|(q, f)| ((*q).to_owned(), *f)).collect(),
        }
    }

    #[test]
    fn the_cache_answers_until_a_new_quote_appears() {
        let s = source("https://a.test/terms", None, Some("We  SIGN mail"));
        let cited = [Cited { path: Path::new("p.md"), source: &s }];
        let wanted = wanted_quotes(&cited);
        assert_eq!(wanted["https://a.test/terms"], BTreeSet::from(["we sign mail".to_owned()]));
        let (_dir, cache) = cache_with(&[("https://a.test/terms", live(&[("we sign mail", true)]))]);
        assert!(requests(&wanted, &cache, 200).is_empty());
        let (_dir, cache) = cache_with(&[("https://a.test/terms", live(&[]))]);
        assert_eq!(requests(&wanted, &cache, 200).len(), 1);
        assert_eq!(requests(&wanted, &cache, 100 + MAX_AGE_SECS).len(), 1, "a day later it is fetched again");
    }

    #[test]
    fn fragments_are_not_fetched_and_other_schemes_are_skipped() {
        assert_eq!(fetch_key(" https://a.test/p#section ").as_deref(), Some("https://a.test/p"));
        assert_eq!(fetch_key("https://a.test").as_deref(), Some("https://a.test/"));
        assert_eq!(fetch_key("ftp://a.test/p"), None);
        assert_eq!(fetch_key("not a url"), None);
    }

    #[test]
    fn dead_sources_point_at_their_archive() {
        let s = source("https://a.test/gone", Some("https://archive.test/a"), None);
        let dead = Entry {
            checked: 100,
            outcome: Outcome::Dead { reason: "HTTP 404 Not Found".into() },
            quotes: BTreeMap::new(),
        };
        let (_dir, cache) = cache_with(&[("https://a.test/gone", dead.clone()), ("https://archive.test/a", dead)]);
        let found = judge(&Cited { path: Path::new("p.md"), source: &s }, &cache, 150);
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].code, found[0].line, found[0].column), (Code::DeadLink, 3, 4));
        assert!(found[0].help.as_deref().unwrap().contains("https://archive.test/a"));
        assert_eq!((found[1].code, found[1].line, found[1].column), (Code::DeadLink, 5, 6));
    }

    #[test]
    fn a_missing_quote_is_reported_at_the_source() {
        let s = source("https://a.test/terms", None, Some("we sign mail"));
        let (_dir, cache) = cache_with(&[("https://a.test/terms", live(&[("we sign mail", false)]))]);
        let found = judge(&Cited { path: Path::new("p.md"), source: &s }, &cache, 150);
        assert_eq!(found.iter().map(|d| d.code).collect::<Vec<_>>(), [Code::QuoteMissing]);
    }
}
