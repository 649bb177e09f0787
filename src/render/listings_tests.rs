//! The listings' decisions: which claim a table cell cites and when it is stale, how dossiers
//! group under tags and jurisdictions, and the order of the maintenance lists.

use super::*;
use crate::render::testing::{done, settings};
use crate::testing::{claim, dossier, responding, wiki};

const FACTS: &str = "facts:\n  dkim: { value: true, claim: signing }\n  storage: { value: 10, claim: quota }\n";

fn columns() -> Vec<Column> {
    [("dkim", None), ("storage", Some("GB"))]
        .into_iter()
        .map(|(key, unit)| Column { key: key.into(), label: key.into(), unit: unit.map(str::to_owned) })
        .collect()
}

/// A cell as shown: text, link, stale, sort key.
type Shown<'a> = (&'a str, Option<&'a str>, bool, &'a str);

#[test]
fn each_cell_links_the_claim_its_fact_cites_and_is_stale_with_it() {
    let claims = claim("signing", "fact", "positive", "2026-10-01", "example.org")
        + &claim("quota", "policy", "neutral", "2024-01-01", "example.org");
    let with_facts = dossier("acme", FACTS, &claims);
    let without = dossier("bravo", "", &claim("other", "fact", "neutral", "2026-10-01", "example.org"));
    let (_dir, site) = wiki(&[(&with_facts.0, &with_facts.1), (&without.0, &without.1)]);
    let rows = category_rows(&site, "email-hosting", &columns(), &done(&site, &settings()));
    let shown: Vec<(&str, Vec<Shown>)> = rows
        .iter()
        .map(|row| {
            let cells = row.cells.iter().map(|c| (c.display.as_str(), c.url.as_deref(), c.stale, c.sort.as_str()));
            (row.provider.name.as_str(), cells.collect())
        })
        .collect();
    assert_eq!(
        shown,
        [
            (
                "acme",
                vec![
                    ("Yes", Some("/providers/acme/#claim-signing"), false, "1"),
                    ("10 GB", Some("/providers/acme/#claim-quota"), true, "10"),
                ]
            ),
            ("bravo", vec![("—", None, false, ""), ("—", None, false, "")]),
        ]
    );
    assert!(category_rows(&site, "dns", &columns(), &done(&site, &settings())).is_empty());
}

#[test]
fn dossiers_group_under_each_tag_and_under_their_jurisdiction_code() {
    let one = claim("c", "fact", "neutral", "2026-10-01", "example.org");
    let a = dossier("acme", "tags: [imap, smtp]\njurisdiction: DE\n", &one);
    let b = dossier("bravo", "tags: [imap]\njurisdiction: CH\n", &one);
    let c = dossier("charlie", "", &one);
    let (_dir, site) = wiki(&[(&a.0, &a.1), (&b.0, &b.1), (&c.0, &c.1)]);
    let done = done(&site, &settings());
    let slugs = |groups: BTreeMap<String, Vec<&RenderedDossier>>| -> Vec<(String, Vec<String>)> {
        groups.into_iter().map(|(k, ds)| (k, ds.iter().map(|d| d.summary.slug.clone()).collect())).collect()
    };
    let tags = slugs(term_groups(&done, TermKind::Tag));
    assert_eq!(tags, [("imap".into(), vec!["acme".into(), "bravo".into()]), ("smtp".into(), vec!["acme".into()])]);
    let places = slugs(term_groups(&done, TermKind::Jurisdiction));
    assert_eq!(places, [("ch".into(), vec!["bravo".into()]), ("de".into(), vec!["acme".into()])]);
}

#[test]
fn maintenance_lists_stale_claims_oldest_first_then_unarchived_and_unanswered() {
    let no_archive = "  - id: bare\n    text: T.\n    kind: fact\n    status: verified\n    verified: 2026-10-01\n    sources:\n      - url: https://example.org/bare\n        title: Bare\n        accessed: 2026-10-01\n";
    let alpha = claim("late", "fact", "neutral", "2025-01-02", "example.org")
        + &claim("later", "fact", "neutral", "2025-06-01", "example.org")
        + no_archive;
    let bravo = claim("early", "fact", "neutral", "2024-03-01", "example.org")
        + &claim("same-day", "fact", "neutral", "2025-01-02", "example.org")
        + &claim("claimed", "allegation", "negative", "2026-10-01", "press.example.org")
        + &claim("answered", "allegation", "negative", "2026-10-01", "press.example.org")
        + &responding("vendor-statement", "answered", "bravo.test");
    let a = dossier("alpha", "", &alpha);
    let b = dossier("bravo", "", &bravo);
    let (_dir, site) = wiki(&[(&a.0, &a.1), (&b.0, &b.1)]);
    let view = maintenance_lists(&site, &done(&site, &settings()));
    let stale: Vec<(&str, &str)> = view.stale.iter().map(|s| (s.provider.as_str(), s.claim_id.as_str())).collect();
    assert_eq!(stale, [("bravo", "early"), ("alpha", "late"), ("bravo", "same-day"), ("alpha", "later")]);
    // Verified 2024-03-01, due 2025-03-01, and 2026-11-27 is 636 days past that.
    assert_eq!(view.stale[0].days_past, 636);
    let unarchived: Vec<(&str, &str)> =
        view.unarchived.iter().map(|u| (u.claim_id.as_str(), u.source_title.as_str())).collect();
    assert_eq!(unarchived, [("bare", "Bare")]);
    let unanswered: Vec<&str> = view.unanswered.iter().map(|u| u.claim_id.as_str()).collect();
    assert_eq!(unanswered, ["claimed"]);
}
