//! The site-wide rules' decisions: slugs compared ignoring case, the URLs the site keeps for
//! itself, and a category's columns.

use super::*;
use crate::diagnostics::Code;
use crate::testing::{claim, dossier, wiki};

fn codes(files: &[(&str, &str)]) -> Vec<(Code, String)> {
    let (_dir, site) = wiki(files);
    check_site(&site).into_iter().map(|d| (d.code, format!("{}: {}", d.path, d.message))).collect()
}

#[test]
fn a_clean_wiki_has_no_site_findings() {
    let (path, text) = dossier("acme", "", &claim("c", "fact", "neutral", "2026-10-01", "example.org"));
    assert_eq!(codes(&[(&path, &text)]), []);
}

#[test]
fn slugs_that_differ_only_in_case_share_a_url() {
    let (a_path, a_text) = dossier("acme", "", &claim("c", "fact", "neutral", "2026-10-01", "example.org"));
    let b_path = "providers/Acme.md";
    let found = codes(&[(&a_path, &a_text), (b_path, &a_text)]);
    assert!(found.iter().any(|(c, _)| *c == Code::DuplicateSlug), "{found:?}");
    assert!(found.iter().any(|(c, m)| *c == Code::InvalidSlug && m.contains("`Acme`")), "{found:?}");
}

#[test]
fn pages_may_not_take_a_url_the_site_generates() {
    let page = "---\ntitle: Search\ndescription: Mine.\n---\nText.\n";
    for slug in ["search", "Tags", "providers"] {
        let path = format!("pages/{slug}.md");
        let found = codes(&[(&path, page)]);
        assert!(found.iter().any(|(c, _)| *c == Code::ReservedSlug), "{slug}: {found:?}");
    }
    assert_eq!(codes(&[("pages/about.md", page)]), []);
}

#[test]
fn a_category_column_is_defined_once_under_a_slug_key() {
    let category = "---\nname: DNS\ndescription: Names.\nfacts:\n  - key: anycast\n    label: Anycast\n    type: boolean\n  - key: anycast\n    label: Again\n    type: boolean\n  - key: Zone_Count\n    label: Zones\n    type: number\n---\n";
    let found = codes(&[("categories/dns.md", category)]);
    let kinds: Vec<Code> = found.iter().map(|(c, _)| *c).collect();
    assert_eq!(kinds, [Code::DuplicateFactColumn, Code::InvalidSlug], "{found:?}");
}
