//! The provider page's decisions: claims grouped by kind in a fixed order, cited claims in the
//! order the text cites them, responses under what they answer, and staleness and due dates.

use super::*;
use crate::render::testing::{links, settings};
use crate::testing::{claim, dossier, responding, wiki};

#[test]
fn claims_group_by_kind_in_citation_order_with_responses_under_their_target() {
    let claims = claim("uncited", "fact", "neutral", "2026-10-01", "example.org")
        + &claim("second", "fact", "neutral", "2026-10-01", "example.org")
        + &claim("first", "fact", "neutral", "2026-10-01", "example.org")
        + &claim("lost-mail", "allegation", "negative", "2026-10-01", "press.example.org")
        + &responding("vendor-statement", "lost-mail", "acme.test")
        + &claim("terms", "policy", "neutral", "2026-10-01", "example.org");
    let (path, text) = dossier("acme", "", &claims);
    let text = text.replace("Body.\n", "One[^first], two[^second], again[^first] and[^lost-mail].\n");
    let (_dir, site) = wiki(&[(&path, &text)]);
    let reserved = crate::render::Theme::builtin().reserved_ids;
    let (view, summary, facts, _) = provider_view(&site, &site.dossiers["acme"], &settings(), &links(&site), &reserved);
    let groups: Vec<(&str, Vec<&str>)> =
        view.claim_groups.iter().map(|g| (g.kind, g.claims.iter().map(|c| c.id.as_str()).collect())).collect();
    assert_eq!(
        groups,
        [
            ("fact", vec!["first", "second", "uncited"]),
            ("policy", vec!["terms"]),
            ("allegation", vec!["lost-mail"]),
            ("vendor-statement", vec!["reply"]),
        ]
    );
    let fact = &view.claim_groups[0].claims;
    assert_eq!(fact.iter().map(|c| c.number).collect::<Vec<_>>(), [Some(1), Some(2), None]);
    let backlinks: Vec<&str> = fact[0].backlinks.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(backlinks, ["cite-first-1", "cite-first-2"], "one back-link per citation");
    let allegation = &view.claim_groups[2].claims[0];
    assert_eq!(allegation.responses.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["reply"]);
    let target = view.claim_groups[3].claims[0].responds_to.as_ref().map(|t| (t.anchor.as_str(), t.number));
    assert_eq!(target, Some(("claim-lost-mail", Some(3))));
    assert_eq!((summary.claim_count, facts.len()), (6, 6));
}

#[test]
fn staleness_uses_the_categorys_window_and_says_when_a_claim_falls_due() {
    let claims = claim("old", "fact", "neutral", "2025-10-01", "example.org")
        + &claim("new", "fact", "neutral", "2026-10-01", "example.org");
    let (path, text) = dossier("acme", "", &claims);
    // The category shortens the wiki's 365-day window to 90 days.
    let category = "---\nname: Email hosting\ndescription: Mailboxes.\nstale_after_days: 90\n---\n";
    let (_dir, site) = wiki(&[(&path, &text), ("categories/email-hosting.md", category)]);
    let reserved = crate::render::Theme::builtin().reserved_ids;
    let (view, summary, _, _) = provider_view(&site, &site.dossiers["acme"], &settings(), &links(&site), &reserved);
    let shown: Vec<(&str, bool, i64, &str)> =
        view.claim_groups[0].claims.iter().map(|c| (c.id.as_str(), c.stale, c.days_past, c.due.as_str())).collect();
    // Uncited claims keep their written order; 2026-10-01 + 90 days is 2026-12-30.
    assert_eq!(shown, [("old", true, 332, "2025-12-30"), ("new", false, 0, "2026-12-30")]);
    assert_eq!((summary.stale_count, summary.verified_newest.as_str()), (1, "2026-10-01"));
    assert_eq!(view.verified_oldest, "2025-10-01");
}

#[test]
fn text_facts_sort_case_blind_and_show_their_unit() {
    let text = crate::model::FactValue::Text("Basic".into());
    assert_eq!(display_value(&text, Some("plan")), ("Basic plan".to_owned(), "basic".to_owned()));
    assert_eq!(display_value(&crate::model::FactValue::Boolean(false), Some("x")), ("No".to_owned(), "0".to_owned()));
}
