//! The feeds' decisions: when a dossier counts as updated, and the order of the sitemap and the
//! Atom feed.

use super::*;
use crate::render::testing::{done, links, settings};
use crate::testing::{claim, dossier, wiki};

fn date(text: &str) -> Date {
    Date::parse(text).expect("a valid date")
}

#[test]
fn a_dossier_is_updated_when_last_verified_or_edited_whichever_is_later() {
    let claims = claim("a", "fact", "neutral", "2026-03-01", "example.org")
        + &claim("b", "fact", "neutral", "2026-05-01", "example.org");
    let d = dossier("acme", "", &claims);
    let (_dir, site) = wiki(&[(&d.0, &d.1)]);
    let mut settings = settings();
    let summary = &done(&site, &settings)[0].summary;
    assert_eq!(updated_on(&site, &settings, summary), date("2026-05-01"));
    settings.edited.insert("content/providers/acme.md".into(), date("2026-04-01"));
    assert_eq!(updated_on(&site, &settings, summary), date("2026-05-01"), "an older edit changes nothing");
    settings.edited.insert("content/providers/acme.md".into(), date("2026-08-09"));
    assert_eq!(updated_on(&site, &settings, summary), date("2026-08-09"));
}

#[test]
fn the_feed_carries_the_latest_updates_first_and_the_sitemap_every_page_once() {
    let one = |day: &str| claim("c", "fact", "neutral", day, "example.org");
    let files = [
        dossier("alpha", "tags: [imap]\n", &one("2026-01-01")),
        dossier("bravo", "tags: [imap]\njurisdiction: DE\n", &one("2026-09-01")),
        dossier("charlie", "", &one("2026-09-01")),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let (_dir, site) = wiki(&files);
    let settings = settings();
    let done = done(&site, &settings);
    let updated: Vec<(Date, &Summary)> =
        done.iter().map(|d| (updated_on(&site, &settings, &d.summary), &d.summary)).collect();
    let links = links(&site);
    let config = site.config.as_ref().expect("settings");

    let feed = atom(config, &links, &updated, settings.today);
    let entries: Vec<&str> =
        feed.split("<entry>\n<title>").skip(1).map(|e| &e[..e.find('<').unwrap_or(e.len())]).collect();
    assert_eq!(entries, ["bravo", "charlie", "alpha"], "newest first, ties by name");
    assert!(feed.contains("<updated>2026-09-01T00:00:00Z</updated>\n<author>"), "{feed}");

    let map = sitemap(&site, &links, &updated, &done);
    let locs: Vec<&str> = map.split("<loc>").skip(1).map(|e| &e[..e.find('<').unwrap_or(e.len())]).collect();
    assert_eq!(
        locs,
        [
            "https://wiki.example.org/",
            "https://wiki.example.org/providers/alpha/",
            "https://wiki.example.org/providers/bravo/",
            "https://wiki.example.org/providers/charlie/",
            "https://wiki.example.org/categories/email-hosting/",
            "https://wiki.example.org/tags/imap/",
            "https://wiki.example.org/jurisdictions/de/",
            "https://wiki.example.org/maintenance/",
        ]
    );
    assert!(map.contains("<loc>https://wiki.example.org/</loc><lastmod>2026-09-01</lastmod>"), "{map}");
}
