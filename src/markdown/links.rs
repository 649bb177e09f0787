//! Links between the wiki's own pages: `@/` links name a content file by its path below
//! `content/` (`@/pages/methodology.md#freshness`), and are published as that file's URL.

/// A `@/path.md#fragment` link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceLink<'a> {
    /// The content file, relative to `content/` (`pages/methodology.md`).
    pub source: &'a str,
    pub fragment: Option<&'a str>,
}

impl<'a> SourceLink<'a> {
    /// The link `url` names, when it is a `@/` link.
    pub fn parse(url: &'a str) -> Option<SourceLink<'a>> {
        let rest = url.trim().strip_prefix("@/")?;
        Some(match rest.split_once('#') {
            Some((source, fragment)) => SourceLink { source, fragment: Some(fragment) },
            None => SourceLink { source: rest, fragment: None },
        })
    }
}

/// The URL path below the site's root at which the content file `source` (relative to
/// `content/`) is published: `index.md` at the root, `pages/x.md` at `x/`, dossiers and
/// categories at `providers/x/` and `categories/x/`. `None` for anything else.
pub fn published_path(source: &str) -> Option<String> {
    if source == "index.md" {
        return Some(String::new());
    }
    let (dir, file) = source.split_once('/')?;
    let slug = file.strip_suffix(".md").filter(|s| !s.is_empty() && !s.contains('/'))?;
    match dir {
        "pages" => Some(format!("{slug}/")),
        "providers" | "categories" => Some(format!("{dir}/{slug}/")),
        _ => None,
    }
}

/// The content file (relative to `content/`) of a page at `path` below the site's root, for
/// the pages that come from one file: the reverse of [`published_path`].
pub fn source_of(path: &str) -> Option<String> {
    if path.is_empty() {
        return Some("index.md".to_owned());
    }
    let dir = path.strip_suffix('/')?;
    match dir.split_once('/') {
        Some((section @ ("providers" | "categories"), slug)) if !slug.contains('/') => {
            Some(format!("{section}/{slug}.md"))
        }
        None => Some(format!("pages/{dir}.md")),
        _ => None,
    }
}

/// The URL below the site's root that `alias` of the file published at `url` redirects from:
/// the old slug in the same section (`providers/old/` for `providers/new/`, `old/` for a page).
pub fn alias_url(url: &str, alias: &str) -> String {
    match url.trim_end_matches('/').rsplit_once('/') {
        Some((section, _)) => format!("{section}/{alias}/"),
        None => format!("{alias}/"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_keep_their_section() {
        assert_eq!(alias_url("providers/new/", "old"), "providers/old/");
        assert_eq!(alias_url("categories/mail/", "email"), "categories/email/");
        assert_eq!(alias_url("about/", "about-us"), "about-us/");
        assert_eq!(alias_url("", "start"), "start/");
    }

    #[test]
    fn source_links_split_at_the_fragment() {
        assert_eq!(
            SourceLink::parse("@/pages/methodology.md#freshness"),
            Some(SourceLink { source: "pages/methodology.md", fragment: Some("freshness") })
        );
        assert_eq!(SourceLink::parse("@/index.md"), Some(SourceLink { source: "index.md", fragment: None }));
        assert_eq!(SourceLink::parse("/pages/x.md"), None);
    }

    #[test]
    fn content_files_map_to_their_urls_and_back() {
        for (source, path) in [
            ("index.md", ""),
            ("pages/methodology.md", "methodology/"),
            ("providers/examplemail.md", "providers/examplemail/"),
            ("categories/dns.md", "categories/dns/"),
        ] {
            assert_eq!(published_path(source).as_deref(), Some(path), "{source}");
            assert_eq!(source_of(path).as_deref(), Some(source), "{path}");
        }
        for bad in ["site.yaml", "pages/.md", "pages/a/b.md", "tags/x.md", "providers/x.txt", "x.md"] {
            assert_eq!(published_path(bad), None, "{bad}");
        }
        for other in ["tags/x/", "search", "providers/x/index.json"] {
            assert_eq!(source_of(other), None, "{other}");
        }
    }
}
