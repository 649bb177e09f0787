//! Machine-readable files: per-provider and site-wide JSON, the JSON Schema, the sitemap, the
//! Atom feed of recently changed dossiers, and robots.txt.

use std::fmt::Write;

use serde::Serialize;

use super::views::{ClaimFacts, Summary};
use super::{Links, RenderedDossier, Renderer, Settings};
use crate::config::Config;
use crate::diagnostics::display_path;
use crate::model::{Date, Dossier, DossierMeta};
use crate::site::Site;

/// The version of the JSON files' shape; docs/site.md documents it.
const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct ProviderJson<'a> {
    version: u32,
    slug: &'a str,
    url: String,
    verified_newest: &'a str,
    stale_claims: Vec<&'a str>,
    dossier: &'a DossierMeta,
}

/// `/providers/<slug>/index.json`: the whole dossier, plus computed freshness.
pub fn provider_json(dossier: &Dossier, summary: &Summary, claims: &[ClaimFacts], links: &Links) -> Vec<u8> {
    let json = ProviderJson {
        version: JSON_VERSION,
        slug: &dossier.slug,
        url: links.absolute(&summary.url),
        verified_newest: &summary.verified_newest,
        stale_claims: claims.iter().filter(|c| c.freshness.is_stale()).map(|c| c.id.as_str()).collect(),
        dossier: &dossier.meta,
    };
    let mut bytes = serde_json::to_vec(&json).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

#[derive(Serialize)]
struct IndexEntry<'a> {
    #[serde(flatten)]
    summary: &'a Summary,
    tags: &'a [String],
    json_url: String,
}

#[derive(Serialize)]
struct Index<'a> {
    version: u32,
    providers: Vec<IndexEntry<'a>>,
}

/// The files [`feeds`] makes.
pub const FILES: &[&str] =
    &["api/providers.json", "schema/dossier.schema.json", "sitemap.xml", "feed.xml", "robots.txt"];

/// The site-wide data files, feeds and robots.txt, by path.
pub fn feeds(site: &Site, config: &Config, done: &[RenderedDossier], r: &Renderer) -> Vec<(String, Vec<u8>)> {
    let links = &r.links;
    let index = Index {
        version: JSON_VERSION,
        providers: done
            .iter()
            .map(|d| IndexEntry {
                summary: &d.summary,
                tags: &d.tags,
                json_url: format!("{}index.json", d.summary.url),
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec(&index).unwrap_or_default();
    bytes.push(b'\n');
    let updated: Vec<(Date, &Summary)> =
        done.iter().map(|d| (updated_on(site, r.settings, &d.summary), &d.summary)).collect();
    let robots = if r.settings.noindex {
        "User-agent: *\nDisallow: /\n".to_owned()
    } else {
        format!("User-agent: *\nAllow: /\n\nSitemap: {}\n", links.absolute(&links.path("sitemap.xml")))
    };
    let files = [
        bytes,
        crate::model::dossier_json_schema().into(),
        sitemap(site, links, &updated, done).into(),
        atom(config, links, &updated, r.settings.today).into(),
        robots.into(),
    ];
    FILES.iter().map(|path| (*path).to_owned()).zip(files).collect()
}

/// The later of the newest verification and the last edit.
fn updated_on(site: &Site, settings: &Settings, summary: &Summary) -> Date {
    let verified = Date::parse(&summary.verified_newest);
    let edited = site.dossiers.get(&summary.slug).and_then(|d| settings.edited.get(&display_path(&d.path)).copied());
    verified.into_iter().chain(edited).max().unwrap_or(settings.today)
}

fn xml(text: &str) -> String {
    crate::markdown::escape(text)
}

fn sitemap(site: &Site, links: &Links, updated: &[(Date, &Summary)], done: &[RenderedDossier]) -> String {
    let mut xml_out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut url = |path: &str, lastmod: Option<Date>| {
        let _ = write!(xml_out, "<url><loc>{}</loc>", xml(&links.absolute(path)));
        if let Some(date) = lastmod {
            let _ = write!(xml_out, "<lastmod>{date}</lastmod>");
        }
        xml_out.push_str("</url>\n");
    };
    let newest = updated.iter().map(|(d, _)| *d).max();
    url(&links.path(""), newest);
    for (date, summary) in updated {
        url(&summary.url, Some(*date));
    }
    for slug in site.categories.keys() {
        url(&links.category(slug), None);
    }
    for page in site.pages.values().filter(|p| !p.meta.draft) {
        url(&links.path(&format!("{}/", page.slug)), None);
    }
    let mut tags: Vec<&String> = done.iter().flat_map(|d| &d.tags).collect();
    tags.sort();
    tags.dedup();
    for tag in tags {
        url(&links.tag(tag), None);
    }
    let mut codes: Vec<&String> = done.iter().filter_map(|d| d.summary.jurisdiction.as_ref()).collect();
    codes.sort();
    codes.dedup();
    for code in codes {
        url(&links.jurisdiction(code), None);
    }
    url(&links.path("maintenance/"), None);
    xml_out.push_str("</urlset>\n");
    xml_out
}

/// How many dossiers the feed carries.
const FEED_ENTRIES: usize = 30;

fn atom(config: &Config, links: &Links, updated: &[(Date, &Summary)], today: Date) -> String {
    let mut recent: Vec<&(Date, &Summary)> = updated.iter().collect();
    recent.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    recent.truncate(FEED_ENTRIES);
    let home = links.absolute(&links.path(""));
    let head = AtomHead {
        title: &config.title,
        subtitle: Some(&config.description),
        id: &home,
        self_url: &links.absolute(&links.path("feed.xml")),
        page: &home,
        updated: recent.first().map_or(today, |(d, _)| *d).to_string(),
        site_title: &config.title,
    };
    let entries = recent.into_iter().map(|(date, summary)| {
        let url = links.absolute(&summary.url);
        AtomEntry {
            title: summary.name.clone(),
            id: url.clone(),
            link: url,
            updated: date.to_string(),
            summary: summary.summary.clone(),
        }
    });
    atom_document(&head, entries)
}

/// An Atom feed's own fields (URLs absolute, `updated` a day).
pub(super) struct AtomHead<'a> {
    pub title: &'a str,
    pub subtitle: Option<&'a str>,
    pub id: &'a str,
    pub self_url: &'a str,
    /// The HTML page the feed follows.
    pub page: &'a str,
    pub updated: String,
    /// The wiki's title: the author is its contributors.
    pub site_title: &'a str,
}

/// One entry of an Atom feed (URLs absolute, `updated` a day).
pub(super) struct AtomEntry {
    pub title: String,
    pub id: String,
    pub link: String,
    pub updated: String,
    pub summary: String,
}

/// The Atom document of `head` and `entries`, every text escaped here.
pub(super) fn atom_document(head: &AtomHead, entries: impl IntoIterator<Item = AtomEntry>) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let _ = writeln!(out, "<title>{}</title>", xml(head.title));
    if let Some(subtitle) = head.subtitle {
        let _ = writeln!(out, "<subtitle>{}</subtitle>", xml(subtitle));
    }
    let _ = write!(
        out,
        "<id>{}</id>\n<link rel=\"self\" href=\"{}\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<updated>{}T00:00:00Z</updated>\n<author><name>{} contributors</name></author>\n<generator>dossier</generator>\n",
        xml(head.id),
        xml(head.self_url),
        xml(head.page),
        head.updated,
        xml(head.site_title),
    );
    for entry in entries {
        let _ = write!(
            out,
            "<entry>\n<title>{}</title>\n<id>{}</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<updated>{}T00:00:00Z</updated>\n<summary>{}</summary>\n</entry>\n",
            xml(&entry.title),
            xml(&entry.id),
            xml(&entry.link),
            entry.updated,
            xml(&entry.summary),
        );
    }
    out.push_str("</feed>\n");
    out
}

#[cfg(test)]
#[path = "feeds_tests.rs"]
mod tests;
