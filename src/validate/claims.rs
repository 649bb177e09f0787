//! Rules for a dossier's claims: ids, dates, freshness, sources, replies and allegations.

use std::collections::BTreeSet;

use super::fields::{check_not_future, check_source, suggest_claim};
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::model::{Claim, ClaimKind, ClaimStatus, Date, Dossier, Freshness, Impact, SourceRef, is_slug};
use crate::site::Site;

pub fn check_claims(site: &Site, dossier: &Dossier, today: Date, out: &mut Vec<Diagnostic>) {
    let claims = &dossier.meta.claims;
    if claims.is_empty() {
        out.push(
            Diagnostic::new(Code::NoClaims, &dossier.path, claims.pos, "a dossier needs at least one claim")
                .help("add a claim with id, text, verified and sources; `dossier new` writes a template"),
        );
    }
    let ids: BTreeSet<&str> = claims.iter().map(|c| c.id.as_str()).collect();
    let mut seen = BTreeSet::new();
    let stale_after = site.stale_after_days(&dossier.meta.category);
    for claim in claims.iter() {
        if !seen.insert(claim.id.as_str()) {
            out.push(
                Diagnostic::new(
                    Code::DuplicateClaimId,
                    &dossier.path,
                    claim.id.pos,
                    format!("the claim id `{}` is used twice", *claim.id),
                )
                .help("give each claim its own id; citations and anchors rely on it"),
            );
        }
        if !is_slug(&claim.id) {
            out.push(
                Diagnostic::new(
                    Code::InvalidSlug,
                    &dossier.path,
                    claim.id.pos,
                    format!("the claim id `{}` is not a slug", *claim.id),
                )
                .help("use lower-case letters, digits and single hyphens, e.g. `dkim-signing`"),
            );
        }
        check_dates(dossier, claim, stale_after, today, out);
        check_claim_sources(dossier, claim, today, out);
        check_response(dossier, claim, &ids, out);
    }
    check_allegations_answered(dossier, out);
}

fn check_dates(dossier: &Dossier, claim: &Claim, stale_after: u32, today: Date, out: &mut Vec<Diagnostic>) {
    check_not_future(&dossier.path, &claim.verified, "verified", today, out);
    if let Freshness::Stale { days_past } = Freshness::of(claim.verified.value, stale_after, today) {
        out.push(
            Diagnostic::new(
                Code::StaleClaim,
                &dossier.path,
                claim.verified.pos,
                format!(
                    "the claim `{}` was last verified on {}, {days_past} days past its {stale_after}-day window",
                    *claim.id, claim.verified.value
                ),
            )
            .help("check the sources again; if they still support the text, set `verified` to the day you checked"),
        );
    }
}

fn check_claim_sources(dossier: &Dossier, claim: &Claim, today: Date, out: &mut Vec<Diagnostic>) {
    if claim.sources.is_empty() {
        out.push(
            Diagnostic::new(
                Code::UnsourcedClaim,
                &dossier.path,
                claim.sources.pos,
                format!("the claim `{}` has no sources", *claim.id),
            )
            .help("every claim needs at least one source a reader can check"),
        );
    }
    for reference in claim.sources.iter() {
        match &reference.value {
            SourceRef::Inline(source) => check_source(&dossier.path, source, today, out),
            SourceRef::Named(name) if !dossier.meta.sources.contains_key(name) => {
                let help = match did_you_mean(name, dossier.meta.sources.keys().map(String::as_str)) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => "name a source defined under the dossier's `sources`, or write the source inline".into(),
                };
                out.push(
                    Diagnostic::new(
                        Code::UnknownSource,
                        &dossier.path,
                        reference.pos,
                        format!("there is no source named `{name}`"),
                    )
                    .help(help),
                );
            }
            SourceRef::Named(_) => {}
        }
    }
    if is_vendor_only(dossier, claim) {
        out.push(
            Diagnostic::new(
                Code::VendorOnlySource,
                &dossier.path,
                claim.id.pos,
                format!("the negative claim `{}` rests only on the vendor's own pages", *claim.id),
            )
            .help("add an independent source, or mark the claim unverified until one exists"),
        );
    }
}

fn check_response(dossier: &Dossier, claim: &Claim, ids: &BTreeSet<&str>, out: &mut Vec<Diagnostic>) {
    let Some(target) = &claim.responds_to else { return };
    if claim.kind != ClaimKind::VendorStatement {
        out.push(
            Diagnostic::new(
                Code::MisplacedRespondsTo,
                &dossier.path,
                target.pos,
                format!(
                    "`responds_to` is only for vendor statements, and `{}` is a {}",
                    *claim.id,
                    claim.kind.as_str()
                ),
            )
            .help("set `kind: vendor-statement`, or remove `responds_to`"),
        );
    }
    if !ids.contains(target.as_str()) || target.value == claim.id.value {
        out.push(
            Diagnostic::new(
                Code::UnknownResponseTarget,
                &dossier.path,
                target.pos,
                format!("`responds_to` names no other claim `{}`", **target),
            )
            .help(suggest_claim(target, ids)),
        );
    }
}

fn check_allegations_answered(dossier: &Dossier, out: &mut Vec<Diagnostic>) {
    if dossier.meta.right_of_reply.is_some() {
        return;
    }
    let answered: BTreeSet<&str> =
        dossier.meta.claims.iter().filter_map(|c| c.responds_to.as_ref()).map(|t| t.as_str()).collect();
    for claim in dossier.meta.claims.iter().filter(|c| c.kind == ClaimKind::Allegation) {
        if !answered.contains(claim.id.as_str()) {
            out.push(
                Diagnostic::new(Code::UnansweredAllegation, &dossier.path, claim.id.pos, format!("the allegation `{}` has no answer from the vendor", *claim.id))
                    .help("ask the vendor for its side and record it as a `vendor-statement` with `responds_to`, or add `right_of_reply`"),
            );
        }
    }
}

/// A verified negative fact or allegation whose every source is on the vendor's own domain.
/// Policies, incidents and statements are exempt: the vendor's own terms, post-mortems and
/// words are their primary sources.
fn is_vendor_only(dossier: &Dossier, claim: &Claim) -> bool {
    let judged = matches!(claim.kind, ClaimKind::Fact | ClaimKind::Allegation);
    if !judged
        || claim.impact != Some(Impact::Negative)
        || claim.status != ClaimStatus::Verified
        || claim.sources.is_empty()
    {
        return false;
    }
    let Some(vendor) = host_of(&dossier.meta.website) else { return false };
    claim.sources.iter().all(|reference| {
        let url = match &reference.value {
            SourceRef::Inline(source) => Some(source.url.as_str()),
            SourceRef::Named(name) => dossier.meta.sources.get(name).map(|s| s.url.as_str()),
        };
        url.and_then(host_of).is_some_and(|host| {
            host.strip_suffix(vendor.as_str()).is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
        })
    })
}

fn host_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    let host = parsed.host_str()?.to_ascii_lowercase();
    Some(host.strip_prefix("www.").map(str::to_owned).unwrap_or(host))
}

#[cfg(test)]
#[path = "claims_tests.rs"]
mod tests;
