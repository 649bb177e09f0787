//! Static files: the theme's assets published under `/static/` with content-hashed names
//! (so they can be cached for a year), the syntax stylesheets, and the site-wide context.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Links, Settings, Theme, highlight};
use crate::config::Config;
use crate::output::Output;
use crate::site::Site;

#[derive(Debug, Clone, Serialize)]
pub struct SyntaxCss {
    pub light: String,
    pub dark: String,
}

/// Where the published assets ended up.
pub struct Assets {
    /// Theme file name (`style.css`) → URL (`/static/style.1a2b3c4d.css`).
    pub urls: BTreeMap<String, String>,
    pub syntax_css: SyntaxCss,
}

/// A short, stable content hash for file names.
pub fn fingerprint(bytes: &[u8]) -> String {
    format!("{:08x}", crate::load::content_hash(bytes) >> 32)
}

/// `style.css` → `style.<hash>.css`; names without an extension keep their name.
fn hashed_name(name: &str, bytes: &[u8]) -> String {
    // Every file, not only scripts and styles: hosts may cache all of `/static/` for good.
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{}.{ext}", fingerprint(bytes)),
        None => format!("{name}.{}", fingerprint(bytes)),
    }
}

/// Writes the theme's static files and the syntax stylesheets into `output`.
pub fn publish(theme: &Theme, output: &mut Output) -> Assets {
    let mut urls = BTreeMap::new();
    for (name, bytes) in &theme.static_files {
        let published = format!("static/{}", hashed_name(name, bytes));
        urls.insert(name.clone(), published.clone());
        output.insert(published, bytes.clone());
    }
    let (light, dark) = highlight::stylesheets();
    let mut syntax = |name: &str, css: String| {
        let published = format!("static/{}", hashed_name(name, css.as_bytes()));
        output.insert(published.clone(), css);
        published
    };
    let syntax_css = SyntaxCss { light: syntax("syntax-light.css", light), dark: syntax("syntax-dark.css", dark) };
    Assets { urls, syntax_css }
}

#[derive(Debug, Serialize)]
pub struct SiteView {
    title: String,
    description: String,
    base_url: String,
    base_path: String,
    language: String,
    repo_url: Option<String>,
    /// The forge's new-issue page (its template chooser where it has one).
    new_issue_url: Option<String>,
    today: String,
    nav: Vec<NavItem>,
    assets: BTreeMap<String, String>,
    generator: String,
}

#[derive(Debug, Serialize)]
struct NavItem {
    title: String,
    url: String,
}

/// The `site` variable of every template.
pub fn site_view(site: &Site, config: &Config, links: &Links, settings: &Settings, assets: &Assets) -> SiteView {
    let mut pages: Vec<_> =
        site.pages.values().filter(|p| p.meta.order.is_some() && (settings.drafts || !p.meta.draft)).collect();
    pages.sort_by_key(|p| (p.meta.order, p.slug.clone()));
    SiteView {
        title: config.title.clone(),
        description: config.description.clone(),
        base_url: links.absolute(&links.base_path),
        base_path: links.base_path.clone(),
        language: config.language.clone(),
        repo_url: config.repo_url.as_ref().map(|r| r.value.clone()),
        new_issue_url: links.new_issue_url(),
        today: settings.today.to_string(),
        nav: pages
            .iter()
            .map(|p| NavItem { title: p.meta.title.value.clone(), url: links.path(&format!("{}/", p.slug)) })
            .collect(),
        assets: assets.urls.iter().map(|(k, v)| (k.clone(), links.path(v))).collect(),
        generator: format!("dossier {}", env!("CARGO_PKG_VERSION")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_change_with_content_and_keep_extensions() {
        assert_eq!(hashed_name("style.css", b"a").len(), "style.12345678.css".len());
        assert_ne!(hashed_name("style.css", b"a"), hashed_name("style.css", b"b"));
        assert_eq!(hashed_name("style.css", b"a"), hashed_name("style.css", b"a"));
        assert_eq!(hashed_name("icon.svg", b"a").len(), "icon.12345678.svg".len());
    }
}
