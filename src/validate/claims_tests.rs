//! The claim rules' decisions: which claims count as resting on the vendor alone, when a claim
//! turns stale, what a response may answer, and when an allegation counts as answered.

use super::*;
use crate::diagnostics::Code;
use crate::testing::{claim, dossier, responding, today, wiki};

/// The rule codes `check_claims` and `check_claim_dates` find in the dossier `slug` of a wiki made of `files`.
fn codes(files: &[(String, String)], slug: &str) -> Vec<(Code, String)> {
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let (_dir, site) = wiki(&files);
    let mut out = Vec::new();
    check_claims(&site.dossiers[slug], &mut out);
    check_claim_dates(&site, &site.dossiers[slug], today(), &mut out);
    out.into_iter().map(|d| (d.code, d.message)).collect()
}

fn has(found: &[(Code, String)], code: Code) -> bool {
    found.iter().any(|(c, _)| *c == code)
}

#[test]
fn a_negative_fact_sourced_only_on_the_vendors_domain_or_its_subdomains_is_vendor_only() {
    for host in ["acme.test", "www.acme.test", "docs.acme.test", "WWW.ACME.TEST"] {
        let d = dossier("acme", "", &claim("slow", "fact", "negative", "2026-10-01", host));
        assert!(has(&codes(&[d], "acme"), Code::VendorOnlySource), "{host}");
    }
    // A look-alike domain, an independent source, a positive claim and a policy are not.
    for (kind, impact, host) in [
        ("fact", "negative", "notacme.test"),
        ("fact", "negative", "acme.test.example.org"),
        ("fact", "positive", "acme.test"),
        ("policy", "negative", "acme.test"),
        ("vendor-statement", "negative", "acme.test"),
    ] {
        let d = dossier("acme", "", &claim("c", kind, impact, "2026-10-01", host));
        assert!(!has(&codes(&[d], "acme"), Code::VendorOnlySource), "{kind} {impact} {host}");
    }
}

#[test]
fn one_independent_source_among_the_vendors_is_enough() {
    let two = claim("slow", "fact", "negative", "2026-10-01", "acme.test")
        + "      - url: https://press.example.org/acme\n        title: Review\n        accessed: 2026-10-01\n        archive: https://archive.example.org/r\n";
    assert!(!has(&codes(&[dossier("acme", "", &two)], "acme"), Code::VendorOnlySource));
}

#[test]
fn a_claim_turns_stale_the_day_after_its_window() {
    // 365 days before 2026-11-27 is 2025-11-27: still fresh on the last day of the window.
    let fresh = dossier("acme", "", &claim("c", "fact", "neutral", "2025-11-27", "example.org"));
    assert!(!has(&codes(&[fresh], "acme"), Code::StaleClaim));
    let stale = dossier("acme", "", &claim("c", "fact", "neutral", "2025-11-26", "example.org"));
    let found = codes(&[stale], "acme");
    let message = found.iter().find(|(c, _)| *c == Code::StaleClaim).map(|(_, m)| m.as_str());
    assert_eq!(message, Some("the claim `c` was last verified on 2025-11-26, 1 days past its 365-day window"));
}

#[test]
fn only_a_vendor_statement_answers_and_only_another_claim() {
    let allegation = claim("lost-mail", "allegation", "negative", "2026-10-01", "press.example.org");
    let answer = |kind: &str, target: &str| responding(kind, target, "acme.test");
    let ok = codes(&[dossier("acme", "", &(allegation.clone() + &answer("vendor-statement", "lost-mail")))], "acme");
    assert!(!has(&ok, Code::MisplacedRespondsTo) && !has(&ok, Code::UnknownResponseTarget), "{ok:?}");
    assert!(!has(&ok, Code::UnansweredAllegation), "answered: {ok:?}");

    let by_a_fact = codes(&[dossier("acme", "", &(allegation.clone() + &answer("fact", "lost-mail")))], "acme");
    assert!(has(&by_a_fact, Code::MisplacedRespondsTo), "{by_a_fact:?}");
    let to_itself = codes(&[dossier("acme", "", &(allegation.clone() + &answer("vendor-statement", "reply")))], "acme");
    assert!(has(&to_itself, Code::UnknownResponseTarget), "{to_itself:?}");
    assert!(has(&to_itself, Code::UnansweredAllegation), "{to_itself:?}");
}

#[test]
fn a_recorded_right_of_reply_stands_for_every_answer() {
    let allegation = claim("lost-mail", "allegation", "negative", "2026-10-01", "press.example.org");
    let unanswered = codes(&[dossier("acme", "", &allegation)], "acme");
    assert!(has(&unanswered, Code::UnansweredAllegation));
    let reply = "right_of_reply:\n  contacted: 2026-10-02\n  outcome: no-response\n";
    let asked = codes(&[dossier("acme", reply, &allegation)], "acme");
    assert!(!has(&asked, Code::UnansweredAllegation), "{asked:?}");
}

#[test]
fn named_sources_must_exist_and_ids_must_be_unique_slugs() {
    let named = "  - id: c\n    text: T.\n    kind: fact\n    status: verified\n    verified: 2026-10-01\n    sources:\n      - pricin\n";
    let extra = "sources:\n  pricing:\n    url: https://example.org/p\n    title: P\n    accessed: 2026-10-01\n    archive: https://archive.example.org/p\n";
    let found = codes(&[dossier("acme", extra, named)], "acme");
    let unknown = found.iter().find(|(c, _)| *c == Code::UnknownSource).map(|(_, m)| m.as_str());
    assert_eq!(unknown, Some("there is no source named `pricin`"));

    let twice = claim("c", "fact", "neutral", "2026-10-01", "example.org").repeat(2);
    assert!(has(&codes(&[dossier("acme", "", &twice)], "acme"), Code::DuplicateClaimId));
    let bad_id = claim("Bad_Id", "fact", "neutral", "2026-10-01", "example.org");
    assert!(has(&codes(&[dossier("acme", "", &bad_id)], "acme"), Code::InvalidSlug));
}
