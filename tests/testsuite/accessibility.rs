//! Accessibility: axe-core (pinned in tests/browser/package.json) in a real Chromium finds no
//! violation, of any impact, on any page of the bundled, fixture and hostile wikis, in the light
//! and the dark colour scheme and at a phone's width, nor on the search page showing results with
//! its filters open, nor on a search box's quick results (`tests/browser/axe.mjs` serves each
//! built site under its base path with the strict CSP). Tabbing through every page, every stop
//! shows a focus ring.

use std::path::Path;

use serde_json::Value;

use crate::harness::{Wiki, dossier, fixtures_dir, manifest_dir};

/// Builds the wiki at `root` into a temp dir and runs axe over every page of it.
fn audit(root: &Path, base: &str) -> Value {
    let tmp = Wiki::empty();
    let out = tmp.path("public");
    let build = dossier().arg("build").arg("--root").arg(root).arg("--output").arg(&out).arg("--no-cache");
    build.run().assert_code(0);
    assert!(
        manifest_dir().join("tests/browser/node_modules/axe-core").is_dir(),
        "axe-core is missing: run `npm ci --prefix tests/browser` (scripts/test.sh does)"
    );
    crate::harness::browser_report(crate::harness::browser_command("axe.mjs").arg(&out).arg(base))
}

/// The report's violations, one line each, for a readable failure.
fn violations(report: &Value) -> Vec<String> {
    let list = report["violations"].as_array().cloned().unwrap_or_default();
    list.iter()
        .map(|v| {
            let nodes: Vec<String> = v["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|n| format!("{} ({})", n["target"], n["summary"].as_str().unwrap_or_default().replace('\n', " ")))
                .collect();
            format!("{} {} [{}] {}: {}", v["path"], v["scheme"], v["impact"], v["id"], nodes.join("; "))
        })
        .collect()
}

/// Audits the wiki at `root` and asserts there is nothing to report: at least `pages` pages, of
/// which `redirects` are redirect pages (audited as themselves), and no focus stop without a ring.
fn assert_accessible(root: &Path, base: &str, pages: u64, redirects: u64) {
    let report = audit(root, base);
    assert!(report["error"].is_null(), "the audit stopped: {}", report["error"]);
    let audited = report["pages"].as_u64().unwrap_or(0);
    assert!(audited >= pages, "only {audited} pages were audited");
    // Each page light, dark and narrow; the search page light, dark and narrow; quick results
    // light and dark.
    assert_eq!(report["audits"].as_u64(), Some(3 * audited + 5), "every page and the search views");
    assert_eq!(report["redirects"].as_u64(), Some(redirects), "redirect pages audited as themselves");
    assert_eq!(violations(&report), Vec::<String>::new(), "axe-core found violations");
    assert!(report["focusStops"].as_u64().unwrap_or(0) >= audited, "too few focus stops");
    assert_eq!(report["focusInvisible"], Value::Array(Vec::new()), "focus stops without a visible ring");
}

#[test]
fn every_page_of_the_bundled_wiki_passes_axe_in_both_colour_schemes() {
    assert_accessible(manifest_dir(), "/", 50, 0);
}

#[test]
fn every_page_of_the_fixture_wiki_passes_axe_in_both_colour_schemes() {
    // With a renamed page, so that a redirect page is audited too.
    let methodology = std::fs::read_to_string(fixtures_dir().join("wiki/content/pages/methodology.md")).unwrap();
    let renamed = methodology.replacen("order: 2\n", "order: 2\naliases: [how-we-check]\n", 1);
    assert_ne!(renamed, methodology, "the fixture's methodology page has `order: 2`");
    let wiki = Wiki::empty().overlay_dir(&fixtures_dir().join("wiki")).write("content/pages/methodology.md", renamed);
    assert_accessible(wiki.root(), "/wiki/", 20, 1);
}

#[test]
fn every_page_of_the_hostile_wiki_passes_axe_in_both_colour_schemes() {
    assert_accessible(&fixtures_dir().join("hostile"), "/", 10, 0);
}
