//! Rules for a dossier's claims: ids, dates, freshness, sources, replies and allegations.

use std::collections::{BTreeMap, BTreeSet};

use super::fields::{check_not_future, check_source, check_source_dates, suggest_claim};
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::model::{Claim, ClaimKind, ClaimStatus, Date, Dossier, Freshness, Impact, SourceRef, is_slug};
use crate::site::Site;

/// The claim rules that do not depend on the day; [`check_claim_dates`] those that do.
pub fn check_claims(dossier: &Dossier, out: &mut Vec<Diagnostic>) {
    let claims = &dossier.meta.claims;
    if claims.is_empty() {
        out.push(
            Diagnostic::new(Code::NoClaims, &dossier.path, claims.pos, "a dossier needs at least one claim")
                .help("add a claim with id, text, verified and sources; `dossier new` writes a template"),
        );
    }
    let ids: BTreeSet<&str> = claims.iter().map(|c| c.id.as_str()).collect();
    let mut seen = BTreeMap::new();
    for claim in claims.iter() {
        if let Some(first) = seen.insert(claim.id.as_str(), claim.id.pos) {
            out.push(
                Diagnostic::new(
                    Code::DuplicateClaimId,
                    &dossier.path,
                    claim.id.pos,
                    format!("the claim id `{}` is used twice; the first is on line {}", *claim.id, first.line),
                )
                .help("give each claim its own id; citations and anchors rely on it"),
            );
        }
        check_allegation_status(dossier, claim, out);
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
        check_claim_sources(dossier, claim, out);
        check_response(dossier, claim, &ids, out);
    }
    check_allegations_answered(dossier, out);
}

/// An allegation is what someone else says: the wiki records it as alleged or disputed (or
/// marks it superseded or retracted), never as verified by the wiki itself.
fn check_allegation_status(dossier: &Dossier, claim: &Claim, out: &mut Vec<Diagnostic>) {
    if claim.kind == ClaimKind::Allegation && matches!(claim.status, ClaimStatus::Verified | ClaimStatus::Unverified) {
        out.push(
            Diagnostic::new(
                Code::AllegationStatus,
                &dossier.path,
                claim.id.pos,
                format!("the allegation `{}` has the status `{}`", *claim.id, claim.status.as_str()),
            )
            .help(
                "CONTRIBUTING.md (\"How to word an allegation\") allows an allegation only `status: alleged`, or \
                 `disputed` once the vendor contests it; if the sources establish it, make it a `fact` or an `incident`",
            ),
        );
    }
}

/// The claim rules that depend on the day: no date ahead of `today` (in the claims and their
/// inline sources), and no claim past its freshness window.
pub fn check_claim_dates(site: &Site, dossier: &Dossier, today: Date, out: &mut Vec<Diagnostic>) {
    let stale_after = site.stale_after_days(&dossier.meta.category);
    for claim in dossier.meta.claims.iter() {
        check_dates(dossier, claim, stale_after, today, out);
        for reference in claim.sources.iter() {
            if let SourceRef::Inline(source) = &reference.value {
                check_source_dates(&dossier.path, source, today, out);
            }
        }
    }
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

fn check_claim_sources(dossier: &Dossier, claim: &Claim, out: &mut Vec<Diagnostic>) {
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
            SourceRef::Inline(source) => check_source(&dossier.path, source, out),
            SourceRef::Named(name) if !dossier.meta.sources.contains_key(name) => {
                let help = suggest_source(dossier, name);
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

/// The source meant by an unknown name: a near spelling, a name that abbreviates a source's
/// title (`tos` for "Terms of Service"), or else the list of names.
fn suggest_source(dossier: &Dossier, name: &str) -> String {
    let sources = &dossier.meta.sources;
    if let Some(best) = did_you_mean(name, sources.keys().map(String::as_str)) {
        return format!("did you mean `{best}`?");
    }
    let initials = |title: &str| -> String {
        title.split(|c: char| !c.is_alphanumeric()).filter_map(|word| word.chars().next()).collect()
    };
    if let Some((best, source)) = sources.iter().find(|(_, s)| initials(&s.title).eq_ignore_ascii_case(name)) {
        return format!("did you mean `{best}` (\"{}\")?", source.title);
    }
    if sources.is_empty() {
        "name a source defined under the dossier's `sources`, or write the source inline".into()
    } else {
        let names: Vec<String> = sources.keys().map(|n| format!("`{n}`")).collect();
        format!("the dossier's named sources are {}; or write the source inline", names.join(", "))
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
