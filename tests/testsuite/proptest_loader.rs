//! No input can panic the loader or the rules: arbitrary bytes, frontmatter-like
//! text, and small mutations of a valid dossier, fed to the library directly.

use std::path::Path;

use dossier::diagnostics::{self, FileSources};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::harness::{Wiki, today};

const X: &str = "content/providers/x.md";

/// 256 cases keep the suite fast; set `PROPTEST_CASES` to search longer.
fn runner() -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256);
    TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() })
}

/// Loads and checks the wiki with `bytes` as one dossier, and prints the findings every way.
fn check(wiki: &Wiki, bytes: &[u8]) -> Result<(), TestCaseError> {
    std::fs::write(wiki.path(X), bytes).expect("write x.md");
    let site = dossier::site::load_site(wiki.root()).expect("the root is readable");
    let findings = dossier::validate::validate(&site, today());
    let lines = bytes.split(|&b| b == b'\n').count() as u32;
    for d in findings.iter().filter(|d| d.path == X) {
        prop_assert!(d.line <= lines, "{d:?} is past the end of a {lines}-line file");
        prop_assert_eq!(d.line == 0, d.column == 0, "{:?}", d);
    }
    let mut sink = Vec::new();
    let verdict = diagnostics::Verdict::of(&findings);
    diagnostics::print_human(&mut sink, &findings, &mut FileSources::new(wiki.root()), false, &verdict).expect("print");
    diagnostics::print_json(&mut sink, &findings).expect("print");
    diagnostics::print_github(&mut sink, &findings).expect("print");
    let _ = diagnostics::step_summary(&findings, &verdict);
    Ok(())
}

#[test]
fn arbitrary_bytes_never_panic() {
    let wiki = Wiki::minimal();
    runner().run(&proptest::collection::vec(any::<u8>(), 0..1024), |bytes| check(&wiki, &bytes)).unwrap();
}

#[test]
fn frontmatter_like_text_never_panics() {
    let wiki = Wiki::minimal();
    // YAML's special characters, line breaks, a BOM and some non-ASCII, after an opening fence.
    let text = "[-:?,\\[\\]{}&*!|>'\"#%@`\n\r\t a-z0-9éß\u{feff}\u{2028}]{0,300}";
    runner().run(&text, |text| check(&wiki, format!("---\n{text}").as_bytes())).unwrap();
}

#[test]
fn mutated_dossiers_never_panic() {
    let wiki = Wiki::minimal();
    let valid = wiki.read("content/providers/examplemail.md");
    let edit = (0..valid.len(), 0..40_usize, "[-:,\\[\\]{}&*!|>'\"#\n a-z0-9^]{0,12}");
    runner()
        .run(&edit, |(start, len, insert)| {
            let start = floor_boundary(&valid, start);
            let end = floor_boundary(&valid, (start + len).min(valid.len()));
            let mutated = format!("{}{insert}{}", &valid[..start], &valid[end..]);
            check(&wiki, mutated.as_bytes())
        })
        .unwrap();
    assert!(Path::new(&wiki.path(X)).is_file());
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
