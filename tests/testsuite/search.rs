//! Search: `dossier build` writes a chunked Pagefind index and a search UI that needs no inline
//! script; a real Chromium (Debian's package, driven by `tests/browser/search.mjs` through
//! playwright-core) finds providers by name, by a word of one claim and by country, narrows
//! them with a filter, keeps the state in the URL, and runs under a strict CSP without errors.

use std::path::Path;

use serde_json::Value;

use crate::harness::{Wiki, dossier, fixtures_dir};

/// The fixture wiki, built with its `base_url` under `/wiki/`, and the output directory.
fn built_fixture() -> (Wiki, std::path::PathBuf) {
    let wiki = Wiki::empty().overlay_dir(&fixtures_dir().join("wiki"));
    let out = wiki.path("public");
    dossier().arg("build").arg("--root").arg(wiki.root()).arg("--output").arg(&out).run().assert_code(0);
    (wiki, out)
}

fn html_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("list the output") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            html_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "html") {
            found.push(path);
        }
    }
}

#[test]
fn build_writes_a_chunked_index_and_pages_that_need_no_inline_code() {
    let (_wiki, out) = built_fixture();
    for file in ["pagefind/pagefind.js", "pagefind/pagefind-worker.js", "pagefind/pagefind-entry.json"] {
        assert!(out.join(file).is_file(), "{file} is missing");
    }
    for dir in ["index", "filter", "fragment"] {
        let chunks = std::fs::read_dir(out.join("pagefind").join(dir)).map(|d| d.count()).unwrap_or(0);
        assert!(chunks > 0, "no chunks in pagefind/{dir}");
    }
    assert!(!out.join("pagefind/pagefind-ui.js").exists(), "Pagefind's own UI is not shipped");
    let mut pages = Vec::new();
    html_files(&out, &mut pages);
    for page in &pages {
        let html = std::fs::read_to_string(page).expect("read a page");
        let shown = page.display();
        assert!(!html.contains(" style="), "{shown} has an inline style attribute");
        for script in html.split("<script").skip(1) {
            let tag = &script[..script.find('>').expect("a closed script tag")];
            assert!(tag.contains("src="), "{shown} has an inline script: <script{tag}>");
        }
        // A GET form (minified: the default `method` is dropped) that works without JavaScript.
        let unquoted = html.replace('"', "");
        assert!(
            unquoted.contains("action=/wiki/search/")
                && unquoted.contains("name=q")
                && !unquoted.contains("method=post"),
            "{shown} lacks the plain search form"
        );
    }
}

/// The JSON report of `tests/browser/search.mjs`, or a failure that says what is missing.
fn run_browser(site: &Path) -> Value {
    crate::harness::browser_report(crate::harness::browser_command("search.mjs").arg(site).arg("/wiki/"))
}

fn titles(seen: &Value) -> Vec<&str> {
    seen["titles"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

#[test]
fn a_reader_finds_filters_and_shares_results_in_chromium_under_a_strict_csp() {
    let (_wiki, out) = built_fixture();
    let report = run_browser(&out);
    let shown = serde_json::to_string_pretty(&report).unwrap_or_default();
    assert!(report["error"].is_null(), "a browser step failed: {shown}");
    for kind in ["console", "warnings", "pageErrors", "failedRequests", "badResponses", "csp"] {
        assert_eq!(report["problems"][kind].as_array().map(Vec::len), Some(0), "{kind} problems: {shown}");
    }
    assert_eq!(titles(&report["byName"]).first(), Some(&"Harborline Mail"), "{shown}");
    assert_eq!(titles(&report["byClaimWord"]), ["Harborline Mail"], "{shown}");
    assert_eq!(report["byClaimWord"]["links"][0], "/wiki/providers/harborline/", "{shown}");
    assert!(report["byClaimWord"]["marks"].as_array().unwrap().iter().any(|m| m == "retaliation"), "{shown}");
    let mut by_country = titles(&report["byCountry"]);
    by_country.sort_unstable();
    assert_eq!(by_country, ["ExampleMail", "Nimbus DNS", "Postquay"], "{shown}");

    let (all, filtered) = (report["unfilteredCount"].as_i64(), report["filteredCount"].as_i64());
    assert!(filtered > Some(0) && filtered < all, "the filter narrows the results: {shown}");
    assert!(titles(&report["filtered"]).iter().all(|t| ["ExampleMail", "Postquay"].contains(t)), "{shown}");
    let query = report["filtered"]["query"].as_str().unwrap_or_default();
    assert!(query.contains("q=mail") && query.contains("jurisdiction=DE"), "the URL holds the state: {shown}");
    assert_eq!(report["afterBack"]["query"], "?q=mail", "Back undoes the filter: {shown}");
    assert_eq!(report["afterBackChecked"], false, "{shown}");
    assert_eq!(report["nothing"]["noneShown"], true, "{shown}");
    assert_eq!(titles(&report["shared"]), ["Postquay"], "a shared URL restores query and filters: {shown}");
    assert_eq!(report["keyboardFocus"], "checkbox", "{shown}");
    assert_eq!(report["filterChunksBeforeOpening"], false, "a plain query fetches no filter data: {shown}");

    assert_eq!(report["engineBeforeFocus"], false, "the engine loads only when wanted: {shown}");
    assert_eq!(titles(&serde_json::json!({"titles": report["quickTitles"]})).first(), Some(&"Zonequill DNS"));
    assert_eq!(report["quickFocus"], "/wiki/providers/zonequill/", "Down moves into the results: {shown}");
    assert_eq!(report["quickClosed"], true, "Escape closes the quick results: {shown}");
}
