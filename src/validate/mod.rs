//! The validate stage: runs every rule of DESIGN.md §2 over a loaded [`Site`].
//!
//! Consumes the site and `today` (injected, so date rules are deterministic); produces the
//! sorted diagnostics, load problems included. Rules never stop early and never print.
//! [`ValidateCache`] lets `serve` re-check only the dossiers whose inputs changed.

mod claims;
mod dossier;
mod site_rules;

use std::collections::HashMap;

use rayon::prelude::*;

use crate::diagnostics::{self, Diagnostic};
use crate::model::{Date, Dossier};
use crate::site::Site;

/// Every problem in the wiki, in printing order.
pub fn validate(site: &Site, today: Date) -> Vec<Diagnostic> {
    let _span = tracing::info_span!("validate", dossiers = site.dossiers.len()).entered();
    let mut all = site.diagnostics.clone();
    all.par_extend(site.dossiers.par_iter().flat_map_iter(|(_, d)| dossier::check_dossier(site, d, today)));
    all.extend(site_rules::check_site(site));
    diagnostics::sort(&mut all);
    all
}

/// Per-dossier findings from a previous run, keyed by what they depend on.
#[derive(Default)]
pub struct ValidateCache {
    dossiers: HashMap<String, (u64, Vec<Diagnostic>)>,
}

/// A dossier's rules read its own file, the categories (names and columns), the settings
/// (freshness window) and today.
fn dossier_key(site: &Site, dossier: &Dossier, categories: u64, today: Date) -> u64 {
    let key = format!("{}|{categories}|{}|{today}", dossier.hash, site.config_hash);
    crate::load::content_hash(key.as_bytes())
}

/// [`validate`], re-running per-dossier rules only where the inputs changed (for `serve`).
pub fn validate_cached(site: &Site, today: Date, cache: &mut ValidateCache) -> Vec<Diagnostic> {
    let _span = tracing::info_span!("validate_cached", dossiers = site.dossiers.len()).entered();
    let categories: String = site.categories.values().map(|c| format!("{}:{};", c.slug, c.hash)).collect();
    let categories = crate::load::content_hash(categories.as_bytes());
    let results: Vec<(String, u64, Vec<Diagnostic>)> = site
        .dossiers
        .par_iter()
        .map(|(slug, d)| {
            let key = dossier_key(site, d, categories, today);
            let found = match cache.dossiers.get(slug).filter(|(k, _)| *k == key) {
                Some((_, hit)) => hit.clone(),
                None => dossier::check_dossier(site, d, today),
            };
            (slug.clone(), key, found)
        })
        .collect();
    let mut all = site.diagnostics.clone();
    cache.dossiers.clear();
    for (slug, key, found) in results {
        all.extend(found.iter().cloned());
        cache.dossiers.insert(slug, (key, found));
    }
    all.extend(site_rules::check_site(site));
    diagnostics::sort(&mut all);
    all
}
