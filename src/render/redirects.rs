//! Redirects from aliases: each former slug of a dossier, category or page keeps its URL. The
//! build writes them twice, for any host: a Netlify `_redirects` file (a real 301), and a small
//! page at the old URL that refreshes to the new one (no script: the site's CSP allows none
//! inline) and names it as canonical. `serve` answers them from [`redirects`].

use std::fmt::Write;

use super::Renderer;
use crate::markdown::{alias_url, escape, published_path};
use crate::model::Spanned;
use crate::output::Output;
use crate::site::Site;

/// The file Netlify reads its redirect rules from.
pub const NETLIFY_FILE: &str = "_redirects";

/// Every alias's URL and the URL it redirects to, both below the site's root path
/// (`providers/old/` → `providers/new/`), in order; drafts only when they are published.
pub fn redirects(site: &Site, drafts: bool) -> Vec<(String, String)> {
    let published = |draft: bool| drafts || !draft;
    let dossiers = site.dossiers.values().filter(|d| published(d.meta.draft)).map(|d| (&d.path, &d.meta.aliases));
    let categories = site.categories.values().map(|c| (&c.path, &c.meta.aliases));
    let pages =
        site.pages.values().chain(&site.home).filter(|p| published(p.meta.draft)).map(|p| (&p.path, &p.meta.aliases));
    let mut pairs: Vec<(String, String)> = dossiers.chain(categories).chain(pages).flat_map(pairs_of).collect();
    pairs.sort();
    pairs
}

fn pairs_of((path, aliases): (&std::path::PathBuf, &Vec<Spanned<String>>)) -> Vec<(String, String)> {
    let source = crate::diagnostics::display_path(path);
    let Some(url) = source.strip_prefix("content/").and_then(published_path) else { return Vec::new() };
    aliases.iter().map(|alias| (alias_url(&url, alias), url.clone())).collect()
}

/// Writes `_redirects` and a redirect page at each alias's URL.
pub(super) fn publish(site: &Site, r: &Renderer, output: &mut Output) {
    let pairs = redirects(site, r.settings.drafts);
    if pairs.is_empty() {
        return;
    }
    let language = site.config.as_ref().map_or("en", |c| c.language.as_str());
    let mut rules = String::new();
    for (from, to) in &pairs {
        let (old, new) = (r.links.path(from), r.links.path(to));
        // Forced (`!`): the redirect page at the old URL would otherwise be served instead.
        let _ = writeln!(rules, "{} {new} 301!", old.trim_end_matches('/'));
        let _ = writeln!(rules, "{old}* {new}:splat 301!");
        let page = redirect_page(language, &new, &r.links.absolute(&new));
        output.files.insert(format!("{from}index.html"), r.held(page.into_bytes()));
    }
    output.files.insert(NETLIFY_FILE.to_owned(), r.held(rules.into_bytes()));
}

/// A page that sends browsers to `to` at once and says where it went for everyone else.
fn redirect_page(language: &str, to: &str, canonical: &str) -> String {
    let (to, canonical, language) = (escape(to), escape(canonical), escape(language));
    format!(
        "<!doctype html>\n<html lang=\"{language}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>This page has moved</title>\n<meta name=\"robots\" content=\"noindex\">\n\
         <link rel=\"canonical\" href=\"{canonical}\">\n<meta http-equiv=\"refresh\" content=\"0; url={to}\">\n\
         </head>\n<body>\n<main>\n<h1>This page has moved</h1>\n<p>It is now at <a href=\"{to}\">{canonical}</a>.</p>\n\
         </main>\n</body>\n</html>\n"
    )
}
