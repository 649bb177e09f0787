//! The archive of `/changes/` and `/corrections/`: pages counted from the oldest entry keep
//! their entries and bytes as the record grows, and a page is rendered again only when what it
//! shows changed.

use std::sync::Arc;

use super::*;
use crate::history::Commit;
use crate::model::ClaimStatus;
use crate::output::Output;
use crate::render::testing::settings;
use crate::render::{RenderCache, Settings, Theme, render_site};
use crate::testing::{claim, dossier, wiki};

/// A record of `n` commits, each changing one of the dossiers `acme` and `bravo` in turn; every
/// tenth retracts a claim (a correction), the others reword one.
fn record(n: usize) -> History {
    let mut history = History::default();
    for i in 0..n {
        let date = Date::parse(&format!("2026-{:02}-{:02}", 1 + i / 28, 1 + i % 28)).expect("a valid date");
        history.commits.push(Commit { id: format!("{i:040x}"), date, subject: format!("Change {i:04}.") });
        let slug = if i % 2 == 0 { "acme" } else { "bravo" };
        let change = if i % 10 == 0 {
            Change::StatusChanged { claim: "c".into(), from: ClaimStatus::Verified, to: ClaimStatus::Retracted }
        } else {
            Change::ClaimReworded { claim: "c".into() }
        };
        history.dossiers.entry(slug.to_owned()).or_default().push(Entry {
            commit: i,
            slug: slug.to_owned(),
            changes: vec![change],
        });
    }
    history
}

fn render(site: &Site, history: History, cache: &mut RenderCache) -> Output {
    let settings = Settings { history: Arc::new(history), ..settings() };
    render_site(site, &mut Theme::builtin(), &settings, cache).unwrap_or_else(|e| panic!("render failed: {e:?}"))
}

fn text<'a>(output: &'a Output, path: &str) -> &'a str {
    let bytes = output.files.get(path).unwrap_or_else(|| panic!("{path} is missing"));
    std::str::from_utf8(bytes).expect("UTF-8")
}

/// The subjects a page lists, in its order.
fn subjects(output: &Output, path: &str) -> Vec<usize> {
    text(output, path)
        .split("Change ")
        .skip(1)
        .filter_map(|rest| rest.get(..5).and_then(|n| n.strip_suffix('.')).and_then(|n| n.parse().ok()))
        .collect()
}

fn wiki_with(text_of_c: &str) -> (tempfile::TempDir, Site) {
    let c = claim("c", "fact", "neutral", "2026-10-01", "example.org").replace("Claim c.", text_of_c);
    let (acme, bravo) = (dossier("acme", "", &c), dossier("bravo", "", &c));
    wiki(&[(&acme.0, &acme.1), (&bravo.0, &bravo.1)])
}

#[test]
fn archive_pages_count_from_the_oldest_and_the_front_page_shows_the_newest() {
    let (_dir, site) = wiki_with("Claim c.");
    let out = render(&site, record(250), &mut RenderCache::default());
    let newest_first = |range: std::ops::Range<usize>| range.rev().collect::<Vec<usize>>();
    assert_eq!(subjects(&out, "changes/page/1/index.html"), newest_first(0..100));
    assert_eq!(subjects(&out, "changes/page/2/index.html"), newest_first(100..200));
    assert_eq!(subjects(&out, "changes/page/3/index.html"), newest_first(200..250));
    assert!(!out.files.contains_key("changes/page/4/index.html"));
    assert_eq!(subjects(&out, "changes/index.html"), newest_first(150..250));
    // The front page's "older" link goes to the page holding the newest entry it leaves out.
    let front = text(&out, "changes/index.html");
    assert!(front.contains(r#"href="/changes/page/2/" rel="next""#), "{front}");
    let newest = text(&out, "changes/page/3/index.html");
    assert!(
        newest.contains(r#"href="/changes/" rel="prev""#) && newest.contains(r#"href="/changes/page/2/" rel="next""#)
    );
    let oldest = text(&out, "changes/page/1/index.html");
    assert!(oldest.contains(r#"href="/changes/page/2/" rel="prev""#) && !oldest.contains(r#"rel="next""#));
    assert!(oldest.contains(r#"<time datetime="2026-01-01">"#) && oldest.contains(r#"<time datetime="2026-04-16">"#));
    let corrections: Vec<usize> = (0..250).rev().filter(|i| i % 10 == 0).collect();
    assert_eq!(subjects(&out, "corrections/index.html"), corrections);
    assert!(!out.files.contains_key("corrections/page/1/index.html"), "the front page shows all 25");
}

#[test]
fn a_new_entry_leaves_full_pages_as_they_were_and_reuses_them() {
    let (_dir, site) = wiki_with("Claim c.");
    let mut cache = RenderCache::default();
    let before = render(&site, record(250), &mut cache);
    let after = render(&site, record(251), &mut cache);
    assert_eq!(after, render(&site, record(251), &mut RenderCache::default()), "reuse changes nothing");
    for full in ["changes/page/1/index.html", "changes/page/2/index.html"] {
        assert!(Arc::ptr_eq(&before.files[full], &after.files[full]), "{full} was rendered again");
    }
    for moved in ["changes/page/3/index.html", "changes/index.html"] {
        assert_ne!(before.files[moved], after.files[moved], "{moved} shows the new entry");
    }
    assert_eq!(subjects(&after, "changes/page/3/index.html"), (200..251).rev().collect::<Vec<_>>());
    // The front page's older page moves from 2 to 3 here; the archive pages stay as they were.
    let before = render(&site, record(300), &mut cache);
    let after = render(&site, record(301), &mut cache);
    for full in ["changes/page/1/index.html", "changes/page/2/index.html"] {
        assert!(Arc::ptr_eq(&before.files[full], &after.files[full]), "{full} was rendered again");
    }
}

#[test]
fn a_page_is_rendered_again_when_a_claim_it_names_is_reworded() {
    let (_old, site) = wiki_with("Claim c.");
    let mut cache = RenderCache::default();
    let before = render(&site, record(250), &mut cache);
    let (_new, reworded) = wiki_with("Claim c, reworded.");
    let after = render(&reworded, record(250), &mut cache);
    assert_eq!(after, render(&reworded, record(250), &mut RenderCache::default()));
    assert!(!text(&before, "changes/page/1/index.html").contains("Claim c, reworded."));
    assert!(text(&after, "changes/page/1/index.html").contains("Claim c, reworded."));
}

/// `/api/changes.json`, serialised in parts, is byte for byte what serde writes of it whole.
#[test]
fn the_changes_data_file_is_what_serde_writes_of_it_whole() {
    let mut history = History::default();
    let date = Date::parse("2026-01-01").expect("a valid date");
    for i in 0..2 * JSON_PART + 5 {
        history.commits.push(Commit { id: format!("{i:040x}"), date, subject: format!("Change \"{i}\".") });
        let slug = ["acme", "bravo", "cobalt"][i % 3].to_owned();
        let changes = vec![Change::ClaimReworded { claim: format!("c{i}") }];
        history.dossiers.entry(slug.clone()).or_default().push(Entry { commit: i, slug, changes });
    }
    let entries = history.all_entries();
    #[derive(serde::Serialize)]
    struct Whole<'a> {
        version: u32,
        complete_from: Option<Date>,
        changes: Vec<JsonEntry<'a>>,
    }
    let changes = entries
        .iter()
        .map(|e| {
            let commit = &history.commits[e.commit];
            JsonEntry { commit: &commit.id, date, subject: &commit.subject, slug: &e.slug, changes: &e.changes }
        })
        .collect();
    let mut whole = serde_json::to_vec(&Whole { version: JSON_VERSION, complete_from: None, changes }).unwrap();
    whole.push(b'\n');
    assert_eq!(
        String::from_utf8(entries_json(&history, entries.iter().copied(), None)).unwrap(),
        String::from_utf8(whole).unwrap()
    );
}
