//! Rules over the whole wiki rather than one dossier: settings, categories, pages, and slugs
//! (each must be a slug, unique ignoring case, and not a URL the site itself uses).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::fields::{check_body_links, check_url, is_http_url};
use crate::config::RepoLinks;
use crate::diagnostics::{Code, Diagnostic};
use crate::model::{Category, Pos, is_slug};
use crate::site::Site;

/// Top-level URL segments the site generates itself; a page may not take one.
pub const RESERVED_SLUGS: &[&str] = &[
    "api",
    "categories",
    "jurisdictions",
    "maintenance",
    "providers",
    "schema",
    "search",
    "search-index",
    "static",
    "tags",
];

pub fn check_site(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(config) = &site.config {
        let path = Path::new(crate::config::CONFIG_PATH);
        check_url(path, &config.base_url, "base_url", &mut out);
        if let Some(repo) = &config.repo_url {
            check_url(path, repo, "repo_url", &mut out);
            if is_http_url(repo) && RepoLinks::of(config).is_none() {
                out.push(
                    Diagnostic::new(
                        Code::UnknownForge,
                        path,
                        repo.pos,
                        format!("cannot tell which forge hosts `{}`, so edit and history links would be wrong", repo.value),
                    )
                    .help("add `forge: github`, `forge: gitlab` or `forge: gitea` (Gitea, Forgejo, Codeberg) to site.yaml"),
                );
            }
        }
    }
    check_slugs(site.dossiers.values().map(|d| (d.path.as_path(), d.slug.as_str())), &mut out);
    check_slugs(site.categories.values().map(|d| (d.path.as_path(), d.slug.as_str())), &mut out);
    check_slugs(site.pages.values().map(|d| (d.path.as_path(), d.slug.as_str())), &mut out);
    for page in site.pages.values() {
        if RESERVED_SLUGS.contains(&page.slug.to_ascii_lowercase().as_str()) {
            out.push(
                Diagnostic::new(
                    Code::ReservedSlug,
                    &page.path,
                    Pos::UNKNOWN,
                    format!("`/{}/` is a URL the site generates itself", page.slug),
                )
                .help("rename the page file"),
            );
        }
    }
    for category in site.categories.values() {
        check_category(category, &mut out);
        check_body_links(&category.path, &category.body, &mut out);
    }
    for page in site.pages.values().chain(&site.home) {
        check_body_links(&page.path, &page.body, &mut out);
    }
    out
}

fn check_slugs<'a>(files: impl Iterator<Item = (&'a Path, &'a str)>, out: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<String, &Path> = BTreeMap::new();
    for (path, slug) in files {
        if !is_slug(slug) {
            let suggestion = slug.to_ascii_lowercase().replace(['_', ' ', '.'], "-");
            out.push(
                Diagnostic::new(Code::InvalidSlug, path, Pos::UNKNOWN, format!("the file name `{slug}` is not a slug"))
                    .help(format!("use lower-case letters, digits and single hyphens, e.g. `{suggestion}.md`")),
            );
        }
        if let Some(first) = seen.insert(slug.to_lowercase(), path) {
            out.push(
                Diagnostic::new(
                    Code::DuplicateSlug,
                    path,
                    Pos::UNKNOWN,
                    format!("this file has the same URL as {}", first.display()),
                )
                .help("slugs are compared ignoring case; rename or merge one of the files"),
            );
        }
    }
}

fn check_category(category: &Category, out: &mut Vec<Diagnostic>) {
    let mut keys = BTreeSet::new();
    for column in &category.meta.facts {
        if !is_slug(&column.key) {
            out.push(
                Diagnostic::new(
                    Code::InvalidSlug,
                    &category.path,
                    column.key.pos,
                    format!("the fact key `{}` is not a slug", *column.key),
                )
                .help("use lower-case letters, digits and single hyphens"),
            );
        }
        if !keys.insert(column.key.value.as_str()) {
            out.push(
                Diagnostic::new(
                    Code::DuplicateFactColumn,
                    &category.path,
                    column.key.pos,
                    format!("the fact `{}` is defined twice", *column.key),
                )
                .help("keep one of the two columns"),
            );
        }
    }
}

#[cfg(test)]
#[path = "site_rules_tests.rs"]
mod tests;
