//! The validate stage: runs every rule of docs/format.md over a loaded [`Site`].
//!
//! Consumes the site and `today` (injected, so date rules are deterministic); produces the
//! sorted diagnostics, load problems included. Rules never stop early and never print.
//! [`validate_with`] takes each dossier's findings but those on dates from a [`Memo`] where its
//! inputs are unchanged (`build`'s findings cache); [`ValidateCache`] keeps all of them in
//! memory for `serve`.

mod aliases;
mod claims;
mod dossier;
mod fields;
mod links;
mod site_rules;
mod stored;

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::{self, Diagnostic, Severity};
use crate::memo::Memo;
use crate::model::{Date, Dossier};
use crate::site::Site;

/// What `dossier new` writes where text is to be filled in; the `placeholder` rule warns
/// wherever it is left.
pub const PLACEHOLDER: &str = "TODO";

/// The form of the findings [`validate_with`] keeps in its memo; bumped whenever it changes.
pub const FINDINGS_FORMAT: u32 = stored::FORMAT;

/// Every problem in the wiki, in printing order.
pub fn validate(site: &Site, today: Date) -> Vec<Diagnostic> {
    validate_with(site, today, None)
}

/// [`validate`], taking from `memo` the findings of each dossier's rules that do not depend on
/// the day, where their inputs (its file and the categories, [`dossier_key`]) are those they
/// were found for, and the links of each file whose text is unchanged, and keeping there what
/// it finds anew. The rules on dates and the site-wide rules run every time.
pub fn validate_with(site: &Site, today: Date, memo: Option<&dyn Memo>) -> Vec<Diagnostic> {
    let _span = tracing::info_span!("validate", dossiers = site.dossiers.len()).entered();
    let categories = memo.map(|_| categories_key(site));
    let per_dossier: Vec<Vec<Diagnostic>> = site
        .dossiers
        .par_iter()
        .map(|(slug, d)| {
            let mut found = match memo.zip(categories) {
                Some((memo, categories)) => check_remembered(site, slug, d, dossier_key(d, categories), memo),
                None => dossier::check_dossier(site, d),
            };
            found.extend(dossier::check_dossier_dates(site, d, today));
            diagnostics::sort(&mut found);
            found
        })
        .collect();
    let mut all = Vec::with_capacity(site.diagnostics.len() + per_dossier.iter().map(Vec::len).sum::<usize>());
    all.extend(site.diagnostics.iter().cloned());
    all.extend(per_dossier.into_iter().flatten());
    all.extend(site_wide(site, &mut links::LinkCache::default(), memo));
    diagnostics::sort(&mut all);
    all
}

/// The findings of the dossier `slug`'s rules that do not depend on the day, kept in `memo`
/// under `key`, or found now and kept.
fn check_remembered(site: &Site, slug: &str, dossier: &Dossier, key: u64, memo: &dyn Memo) -> Vec<Diagnostic> {
    if let Some(found) = memo.get(slug, key).and_then(stored::decode) {
        return found;
    }
    let found = dossier::check_dossier(site, dossier);
    if let Some(bytes) = stored::encode(&found) {
        memo.put(slug, key, bytes);
    }
    found
}

/// The rules over the whole wiki rather than one dossier.
fn site_wide(site: &Site, links: &mut links::LinkCache, memo: Option<&dyn Memo>) -> Vec<Diagnostic> {
    let _span = tracing::info_span!("site-wide rules").entered();
    let mut found = site_rules::check_site(site);
    found.extend(aliases::check_aliases(site));
    found.extend(links::check_links(site, links, memo));
    found
}

/// One dossier's findings, sorted on the core that found them, so a final sort of everything
/// mostly merges runs.
fn check_sorted(site: &Site, dossier: &Dossier, today: Date) -> Vec<Diagnostic> {
    let mut found = dossier::check_dossier(site, dossier);
    found.extend(dossier::check_dossier_dates(site, dossier, today));
    diagnostics::sort(&mut found);
    found
}

/// Per-dossier findings from earlier runs, keyed by slug, with the key of the inputs they
/// came from.
#[derive(Default)]
pub struct ValidateCache {
    dossiers: HashMap<String, Checked>,
    links: links::LinkCache,
}

/// One dossier's findings, sorted, and whether any is an error.
struct Checked {
    key: u64,
    findings: Arc<[Diagnostic]>,
    has_errors: bool,
}

/// The findings of [`validate_cached`]: each dossier's as the cache holds them, and the rest
/// (load problems, site-wide rules). They are merged and sorted only when asked for, and
/// [`Findings::errors`] looks only into the dossiers that have errors.
pub struct Findings {
    /// Load problems and the site-wide rules' findings, sorted.
    general: Vec<Diagnostic>,
    /// The dossiers' findings, in slug order.
    dossiers: Vec<(bool, Arc<[Diagnostic]>)>,
}

impl Findings {
    /// The errors, in printing order.
    pub fn errors(&self) -> Vec<Diagnostic> {
        let in_dossiers =
            self.dossiers.iter().filter(|(has_errors, _)| *has_errors).flat_map(|(_, found)| found.iter());
        let mut errors: Vec<Diagnostic> =
            self.general.iter().chain(in_dossiers).filter(|d| d.severity == Severity::Error).cloned().collect();
        diagnostics::sort(&mut errors);
        errors
    }

    /// The warnings and notes, in printing order.
    pub fn notices(&self) -> Vec<Diagnostic> {
        let all = self.general.iter().chain(self.dossiers.iter().flat_map(|(_, found)| found.iter()));
        let mut notices: Vec<Diagnostic> = all.filter(|d| d.severity != Severity::Error).cloned().collect();
        diagnostics::sort(&mut notices);
        notices
    }

    /// Every finding, in printing order: what [`validate`] returns.
    pub fn into_sorted(self) -> Vec<Diagnostic> {
        let mut all = self.general;
        all.extend(self.dossiers.iter().flat_map(|(_, found)| found.iter().cloned()));
        diagnostics::sort(&mut all);
        all
    }
}

/// What a dossier's rules that do not depend on the day read besides its own file: the
/// categories (which exist, and each one's names and columns). No per-dossier rule reads
/// another dossier, a page, the theme or (but for the freshness window, a rule on dates) the
/// settings; those are the site-wide rules'.
fn categories_key(site: &Site) -> u64 {
    let mut key = String::new();
    for category in site.categories.values() {
        key.push_str(&format!("|{}:{}", category.slug, category.hash));
    }
    crate::load::content_hash(key.as_bytes())
}

/// What all of a dossier's rules read besides its own file: the categories, the settings
/// (freshness window) and today.
fn shared_key(site: &Site, today: Date) -> u64 {
    crate::load::content_hash(format!("{}|{today}|{}", site.config_hash, categories_key(site)).as_bytes())
}

/// A dossier's key: its file (text and path, which every finding names) and the inputs it
/// shares with the others.
fn dossier_key(dossier: &Dossier, shared: u64) -> u64 {
    let path = dossier.path.as_os_str().as_encoded_bytes();
    let mut bytes = Vec::with_capacity(16 + path.len());
    bytes.extend_from_slice(&dossier.hash.to_le_bytes());
    bytes.extend_from_slice(&shared.to_le_bytes());
    bytes.extend_from_slice(path);
    crate::load::content_hash(&bytes)
}

/// [`validate`] for `serve`: re-runs per-dossier rules only where the inputs changed, and
/// leaves the unchanged dossiers' findings where they are, unsorted and uncopied.
pub fn validate_cached(site: &Site, today: Date, cache: &mut ValidateCache) -> Findings {
    let _span = tracing::info_span!("validate_cached", dossiers = site.dossiers.len()).entered();
    let shared = shared_key(site, today);
    cache.dossiers.retain(|slug, _| site.dossiers.contains_key(slug));
    let stale: Vec<(&String, &Dossier, u64)> = site
        .dossiers
        .iter()
        .map(|(slug, d)| (slug, d, dossier_key(d, shared)))
        .filter(|(slug, _, key)| cache.dossiers.get(*slug).is_none_or(|checked| checked.key != *key))
        .collect();
    let checked: Vec<(String, Checked)> = stale
        .into_par_iter()
        .map(|(slug, d, key)| {
            let found = check_sorted(site, d, today);
            let has_errors = found.iter().any(|f| f.severity == Severity::Error);
            (slug.clone(), Checked { key, findings: found.into(), has_errors })
        })
        .collect();
    cache.dossiers.extend(checked);
    let mut general = site.diagnostics.clone();
    general.extend(site_wide(site, &mut cache.links, None));
    diagnostics::sort(&mut general);
    let dossiers = site
        .dossiers
        .keys()
        .filter_map(|slug| cache.dossiers.get(slug))
        .map(|checked| (checked.has_errors, Arc::clone(&checked.findings)))
        .collect();
    Findings { general, dossiers }
}
