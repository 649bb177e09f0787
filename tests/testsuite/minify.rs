//! The minifier must not change what a reader sees: every page of the bundled, fixture and
//! hostile wikis, built unminified (`build --no-minify`) and minified, is loaded in a real
//! Chromium (`tests/browser/minify.mjs`), which compares `document.body.innerText` (it applies
//! the theme's CSS white-space rules) and the DOM apart from whitespace-only text nodes.

use std::path::Path;

use crate::harness::{Wiki, dossier, fixtures_dir, manifest_dir};

/// The HTML pages under `out`, as URL paths under `base`, sorted.
fn pages(out: &Path, base: &str) -> Vec<String> {
    let mut found: Vec<String> = walkdir::WalkDir::new(out)
        .into_iter()
        .map(|e| e.expect("walk the output"))
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            let rel = e.path().strip_prefix(out).expect("inside the output").to_string_lossy().replace('\\', "/");
            format!("{base}{rel}")
        })
        .collect();
    found.sort();
    found
}

/// Builds `root` twice, unminified and minified, and has Chromium compare every page.
fn assert_minified_pages_read_the_same(root: &Path, base: &str, extra: &[&str]) {
    let scratch = tempfile::tempdir().expect("a scratch directory");
    let raw = scratch.path().join("unminified");
    let min = scratch.path().join("minified");
    for (out, flags) in [(&raw, &["--no-cache", "--no-minify"][..]), (&min, &["--no-cache"][..])] {
        dossier()
            .arg("build")
            .arg("--root")
            .arg(root)
            .arg("--output")
            .arg(out)
            .args(flags)
            .args(extra)
            .run()
            .assert_code(0);
    }
    let paths = pages(&raw, base);
    assert_eq!(paths, pages(&min, base), "both builds write the same pages");
    assert!(paths.len() > 5, "only {} pages under {}", paths.len(), raw.display());
    let report = crate::harness::browser_report(
        crate::harness::browser_command("minify.mjs").arg(&raw).arg(&min).arg(base).args(&paths),
    );
    let shown = serde_json::to_string_pretty(&report).unwrap_or_default();
    assert!(report["error"].is_null(), "a browser step failed: {shown}");
    assert_eq!(report["pages"], paths.len(), "not every page was compared: {shown}");
    assert_eq!(report["differences"].as_array().map(Vec::len), Some(0), "minifying changed pages: {shown}");
}

#[test]
fn minifying_the_bundled_wiki_changes_nothing_a_reader_sees() {
    assert_minified_pages_read_the_same(manifest_dir(), "/wiki/", &["--base-url", "https://example.org/wiki/"]);
}

#[test]
fn minifying_the_fixture_wiki_changes_nothing_a_reader_sees() {
    let wiki = Wiki::empty().overlay_dir(&fixtures_dir().join("wiki"));
    assert_minified_pages_read_the_same(wiki.root(), "/wiki/", &[]);
}

#[test]
fn minifying_the_hostile_wiki_changes_nothing_a_reader_sees() {
    let wiki = Wiki::empty().overlay_dir(&fixtures_dir().join("hostile"));
    assert_minified_pages_read_the_same(wiki.root(), "/", &[]);
}
