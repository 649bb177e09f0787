//! The validate stage: runs every rule of DESIGN.md §2 over a loaded [`Site`].
//!
//! Consumes the site and `today` (injected, so date rules are deterministic); produces the
//! sorted diagnostics, load problems included. Rules never stop early and never print.

mod claims;
mod dossier;
mod site_rules;

use rayon::prelude::*;

use crate::diagnostics::{self, Diagnostic};
use crate::model::Date;
use crate::site::Site;

/// Every problem in the wiki, in printing order.
pub fn validate(site: &Site, today: Date) -> Vec<Diagnostic> {
    let mut all = site.diagnostics.clone();
    all.extend(
        site.dossiers.par_iter().flat_map_iter(|(_, d)| dossier::check_dossier(site, d, today)).collect::<Vec<_>>(),
    );
    all.extend(site_rules::check_site(site));
    diagnostics::sort(&mut all);
    all
}
