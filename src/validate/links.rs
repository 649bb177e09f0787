//! Links between the wiki's own pages: a `@/` link, a relative or root-relative link, and an
//! absolute link to the site's own `base_url` must each lead to a page the build publishes
//! (`broken-link`) and, with a `#fragment`, to a heading or claim on it (`broken-anchor`).
//! A link to an alias counts as a link to the page it redirects to.
//!
//! Which links a file has is kept per file and content hash, in memory ([`LinkCache`], so
//! `serve` parses only the files an edit changed) or in a [`Memo`] (`build`'s findings cache);
//! the links are resolved against the whole site every time, since any file's rename or heading
//! edit can break them.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::diagnostics::{Code, Diagnostic, did_you_mean, nearest};
use crate::markdown::{self, SourceLink};
use crate::memo::Memo;
use crate::model::{Body, Claim, Pos, Spanned};
use crate::site::Site;
use crate::theme_files::ThemeIds;

/// Every file's links from earlier runs, by path, with the hash of the text they came from.
#[derive(Default)]
pub struct LinkCache {
    files: HashMap<PathBuf, (u64, Arc<[Found]>)>,
}

/// A link in a file and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Found {
    pub(super) url: String,
    pub(super) pos: Pos,
}

/// A file whose page can be linked to: where it is published, and what its page shows.
struct Target<'a> {
    /// Relative to the wiki root (`content/pages/about.md`).
    path: &'a Path,
    /// Relative to `content/` (`pages/about.md`), as `@/` links name it.
    source: String,
    /// Below the site's root path (`about/`).
    url: String,
    body: &'a Body,
    claims: &'a [Claim],
    draft: bool,
    aliases: &'a [Spanned<String>],
    /// The file's content hash.
    hash: u64,
    /// The theme template its page is made from.
    template: &'static str,
}

/// Every linkable file of `site`, keyed by the path `@/` links give it.
fn targets(site: &Site) -> Vec<Target<'_>> {
    let mut all = Vec::with_capacity(site.dossiers.len() + site.categories.len() + site.pages.len() + 1);
    for d in site.dossiers.values() {
        let (meta, claims) = (&d.meta, d.meta.claims.value.as_slice());
        all.push(target(&d.path, &d.body, d.hash, claims, meta.draft, &meta.aliases));
    }
    for c in site.categories.values() {
        all.push(target(&c.path, &c.body, c.hash, &[], false, &c.meta.aliases));
    }
    for p in site.pages.values().chain(&site.home) {
        all.push(target(&p.path, &p.body, p.hash, &[], p.meta.draft, &p.meta.aliases));
    }
    all.into_iter().flatten().collect()
}

fn target<'a>(
    path: &'a Path,
    body: &'a Body,
    hash: u64,
    claims: &'a [Claim],
    draft: bool,
    aliases: &'a [Spanned<String>],
) -> Option<Target<'a>> {
    let source = crate::diagnostics::display_path(path).strip_prefix("content/")?.to_owned();
    let url = markdown::published_path(&source)?;
    let template = match source.split_once('/') {
        None => "home.html",
        Some(("providers", _)) => "provider.html",
        Some(("categories", _)) => "category.html",
        Some(_) => "page.html",
    };
    Some(Target { path, source, url, body, claims, draft, aliases, hash, template })
}

/// Finds every broken link between the wiki's pages, taking each file's links from `cache` or
/// `memo` where its text is the one they were read from.
pub fn check_links(site: &Site, cache: &mut LinkCache, memo: Option<&dyn Memo>) -> Vec<Diagnostic> {
    let targets = targets(site);
    let found: Vec<Arc<[Found]>> = targets
        .par_iter()
        .map(|t| match cache.files.get(t.path) {
            Some((hash, links)) if *hash == t.hash => Arc::clone(links),
            _ => Arc::from(scan_remembered(t, memo)),
        })
        .collect();
    cache.files =
        targets.iter().zip(&found).map(|(t, links)| (t.path.to_path_buf(), (t.hash, Arc::clone(links)))).collect();
    let resolver = Resolver::new(site, &targets);
    let mut out = Vec::new();
    for (from, links) in targets.iter().zip(&found) {
        for link in links.iter() {
            resolver.check(from, link, &mut out);
        }
    }
    out
}

/// [`scan`], kept in `memo` under the file's path (after `links:`, apart from the findings kept
/// by slug) and its content hash.
fn scan_remembered(target: &Target, memo: Option<&dyn Memo>) -> Vec<Found> {
    let Some(memo) = memo else { return scan(target) };
    let key = format!("links:{}", target.source);
    if let Some(found) = memo.get(&key, target.hash).and_then(super::stored::decode_links) {
        return found;
    }
    let found = scan(target);
    if let Some(bytes) = super::stored::encode_links(&found) {
        memo.put(&key, target.hash, bytes);
    }
    found
}

/// The links of a file's body and of its claims' texts (placed at the text's value).
fn scan(target: &Target) -> Vec<Found> {
    let body = &target.body;
    let mut found: Vec<Found> = markdown::scan_links(&body.text)
        .into_iter()
        .map(|l| Found { pos: body.pos_of(l.offset), url: l.url })
        .collect();
    for claim in target.claims {
        found.extend(markdown::scan_links(&claim.text).into_iter().map(|l| Found { url: l.url, pos: claim.text.pos }));
    }
    found
}

/// Where an internal link leads.
enum Dest<'u> {
    /// A `@/` link: a content file.
    Source(SourceLink<'u>),
    /// A page of this site, by its path below the site's root.
    Page { path: String, fragment: Option<String> },
}

/// What links are resolved against: the linkable files, the aliases, the pages the build makes
/// itself, and the site's own address.
struct Resolver<'a> {
    by_source: HashMap<&'a str, &'a Target<'a>>,
    by_url: HashMap<&'a str, &'a Target<'a>>,
    /// Alias URL → the file it redirects to.
    aliases: HashMap<String, &'a Target<'a>>,
    generated: BTreeSet<String>,
    /// The site's address, for telling its own absolute URLs from others.
    base: Option<url::Url>,
    root: &'a Path,
    theme: &'a str,
    /// The theme's ids, read only when a fragment link needs them.
    theme_ids: OnceLock<ThemeIds>,
}

impl<'a> Resolver<'a> {
    fn new(site: &'a Site, targets: &'a [Target<'a>]) -> Resolver<'a> {
        let mut aliases = HashMap::new();
        for t in targets {
            for alias in t.aliases {
                // The first file keeps a contested alias, as `alias-collision` says.
                aliases.entry(markdown::alias_url(&t.url, alias)).or_insert(t);
            }
        }
        let mut generated: BTreeSet<String> = [
            "search/",
            "maintenance/",
            "tags/",
            "jurisdictions/",
            "404.html",
            "api/maintenance.json",
            "api/providers.json",
            "schema/dossier.schema.json",
            "sitemap.xml",
            "feed.xml",
            "robots.txt",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        for d in site.dossiers.values().filter(|d| !d.meta.draft) {
            generated.extend(d.meta.tags.iter().map(|t| format!("tags/{}/", t.value)));
            generated.extend(d.meta.jurisdiction.iter().map(|j| format!("jurisdictions/{}/", j.to_ascii_lowercase())));
            generated.insert(format!("providers/{}/index.json", d.slug));
        }
        let base = site.config.as_ref().and_then(|c| url::Url::parse(c.base_url.trim()).ok()).map(|mut u| {
            if !u.path().ends_with('/') {
                let path = format!("{}/", u.path());
                u.set_path(&path);
            }
            u
        });
        Resolver {
            by_source: targets.iter().map(|t| (t.source.as_str(), t)).collect(),
            by_url: targets.iter().map(|t| (t.url.as_str(), t)).collect(),
            aliases,
            generated,
            base,
            root: &site.root,
            theme: site.config.as_ref().map_or("default", |c| c.theme.as_str()),
            theme_ids: OnceLock::new(),
        }
    }

    fn check(&self, from: &Target, link: &Found, out: &mut Vec<Diagnostic>) {
        let Some(dest) = self.dest(from, &link.url) else { return };
        let (to, fragment) = match dest {
            Dest::Source(source) => match self.by_source.get(source.source) {
                Some(to) => (*to, source.fragment.map(str::to_owned)),
                None => return out.push(self.missing_source(from, link, source.source)),
            },
            Dest::Page { path, fragment } => match self.page(&path) {
                Some(Some(to)) => (to, fragment),
                // A page the build makes itself: its anchors are the theme's, not checked here.
                Some(None) => return,
                None => return out.push(self.missing_page(from, link, &path)),
            },
        };
        if to.draft && !from.draft {
            out.push(
                Diagnostic::new(
                    Code::BrokenLink,
                    from.path,
                    link.pos,
                    format!("`{}` links to `{}`, a draft that the site does not publish", link.url, to.source),
                )
                .help("remove `draft: true` from that file, or the link until it is published"),
            );
        }
        if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
            self.check_fragment(from, link, to, &fragment, out);
        }
    }

    /// Where `url`, written in `from`, leads within the site; `None` for other sites and schemes.
    fn dest<'u>(&self, from: &Target, url: &'u str) -> Option<Dest<'u>> {
        if let Some(source) = SourceLink::parse(url) {
            return Some(Dest::Source(source));
        }
        let url = url.trim();
        if !markdown::is_allowed_link(url) || url.to_ascii_lowercase().starts_with("mailto:") {
            return None;
        }
        // Root-relative links are published below the site's root path; relative ones are read
        // from the page's own URL, as a browser would.
        let site = match &self.base {
            Some(base) => base.clone(),
            None => url::Url::parse("https://site.invalid/").ok()?,
        };
        let page = site.join(&from.url).ok()?;
        let resolved = match url.strip_prefix('/') {
            Some(rest) if !rest.starts_with('/') => site.join(rest).ok()?,
            _ => page.join(url).ok()?,
        };
        if resolved.host_str() != site.host_str() || resolved.port_or_known_default() != site.port_or_known_default() {
            return None;
        }
        let path = resolved.path().strip_prefix(site.path())?.to_owned();
        Some(Dest::Page { path, fragment: resolved.fragment().map(str::to_owned) })
    }

    /// The file published at `path` (`Some(Some)`), a page the build makes (`Some(None)`), or
    /// nothing (`None`). `x/index.html` and `x` name the page at `x/`.
    fn page(&self, path: &str) -> Option<Option<&'a Target<'a>>> {
        let dir = path.strip_suffix("index.html").unwrap_or(path);
        let mut spellings = vec![dir.to_owned()];
        if !dir.is_empty() && !dir.ends_with('/') {
            spellings.push(format!("{dir}/"));
        }
        spellings.iter().find_map(|p| {
            if let Some(t) = self.by_url.get(p.as_str()).or_else(|| self.aliases.get(p)) {
                return Some(Some(*t));
            }
            self.generated.contains(p).then_some(None)
        })
    }

    fn missing_source(&self, from: &Target, link: &Found, source: &str) -> Diagnostic {
        let renamed = self.aliases.iter().find(|(url, _)| markdown::source_of(url).as_deref() == Some(source));
        let help = match renamed {
            Some((_, to)) => format!("`{source}` was renamed: link `@/{}`", to.source),
            None => match self.nearest_source(source) {
                Some(best) => format!("the nearest file is `@/{best}`"),
                None => "there is no content file to link to".to_owned(),
            },
        };
        Diagnostic::new(
            Code::BrokenLink,
            from.path,
            link.pos,
            format!("`{}` links to `content/{source}`, which does not exist", link.url),
        )
        .help(help)
    }

    fn missing_page(&self, from: &Target, link: &Found, path: &str) -> Diagnostic {
        let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
        let same_slug = self.by_url.values().find(|t| t.url.trim_end_matches('/').rsplit('/').next() == Some(last));
        let help = match same_slug.map(|t| t.source.as_str()).or_else(|| self.nearest_url(path)) {
            // `status.example.test` written without a scheme: meant for another site.
            _ if host_like(&link.url).is_some() => format!(
                "without `https://` a link leads into this site; for another site write `https://{}`",
                link.url.trim()
            ),
            Some(source) => format!(
                "the nearest page is `/{}`: link it by its file, `@/{source}`",
                markdown::published_path(source).unwrap_or_default()
            ),
            None => "link a page by its file, e.g. `@/pages/about.md`".to_owned(),
        };
        Diagnostic::new(
            Code::BrokenLink,
            from.path,
            link.pos,
            format!("`{}` leads to `/{path}`, which the site does not publish", link.url),
        )
        .help(help)
    }

    fn nearest_source(&self, source: &str) -> Option<&str> {
        nearest(source, self.by_source.keys().copied())
    }

    fn nearest_url(&self, path: &str) -> Option<&str> {
        let url = nearest(path, self.by_url.keys().copied())?;
        self.by_url.get(url).map(|t| t.source.as_str())
    }

    fn check_fragment(&self, from: &Target, link: &Found, to: &Target, fragment: &str, out: &mut Vec<Diagnostic>) {
        let theme = self.theme_ids.get_or_init(|| ThemeIds::read(self.root, self.theme));
        let claim_ids: Vec<&str> = to.claims.iter().map(|c| c.id.as_str()).collect();
        let mut anchors = markdown::heading_ids(&to.body.text, &claim_ids, &|id| theme.all.contains(id));
        for claim in to.claims {
            anchors.push(format!("claim-{}", claim.id.value));
            anchors.extend(claim.aliases.iter().map(|a| format!("claim-{}", a.value)));
        }
        // An id of the theme's markup for that kind of page (`#claims-title`) is taken to be there.
        if anchors.iter().any(|a| a == fragment) || theme.on_page(to.template, fragment) {
            return;
        }
        let whose = if std::ptr::eq(from, to) { "this page".to_owned() } else { format!("`content/{}`", to.source) };
        let help = match did_you_mean(fragment, anchors.iter().map(String::as_str))
            .or_else(|| nearest(fragment, anchors.iter().map(String::as_str)))
        {
            Some(best) => format!("the nearest anchor there is `#{best}`"),
            None => "that page has no headings or claims to link to; link the page itself".to_owned(),
        };
        out.push(
            Diagnostic::new(
                Code::BrokenAnchor,
                from.path,
                link.pos,
                format!("`{}`: {whose} has no heading or claim `#{fragment}`", link.url),
            )
            .help(help),
        );
    }
}

/// File endings that make `name.ending` a relative file rather than a host name.
const FILE_ENDINGS: &[&str] = &[
    "htm", "html", "md", "pdf", "txt", "json", "xml", "csv", "png", "jpg", "jpeg", "gif", "svg", "webp", "css", "js",
    "zip", "gz",
];

/// The host a relative link seems to start with: `status.example.test/x` gives
/// `status.example.test`. A host is dot-separated labels whose last is two or more letters
/// and no file ending.
fn host_like(url: &str) -> Option<&str> {
    let url = url.trim();
    let first = &url[..url.find(['/', '?', '#']).unwrap_or(url.len())];
    let (_, last) = first.rsplit_once('.')?;
    let labels_ok = first
        .split('.')
        .all(|label| !label.is_empty() && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    let last_ok = last.len() >= 2 && last.bytes().all(|b| b.is_ascii_alphabetic());
    (labels_ok && last_ok && !FILE_ENDINGS.contains(&last.to_ascii_lowercase().as_str())).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_without_a_scheme_are_told_from_files() {
        for (url, host) in [
            ("status.example.test", Some("status.example.test")),
            ("www.example.com/docs?x#y", Some("www.example.com")),
            (" status.example.test ", Some("status.example.test")),
            ("report.pdf", None),
            ("index.html", None),
            ("../about/", None),
            ("./x.example", None),
            ("v1.2", None),
            ("a..test", None),
            ("#claim-x", None),
        ] {
            assert_eq!(host_like(url), host, "{url}");
        }
    }
}
