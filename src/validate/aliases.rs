//! Aliases: the former slugs of a dossier, category or page, whose URLs redirect to it, and the
//! former ids of a claim, whose anchors still lead to it. Each must be a slug, and none may
//! take a URL (or an anchor) that a live page (claim) or another alias already has.

use std::collections::HashMap;
use std::path::Path;

use super::site_rules::RESERVED_SLUGS;
use crate::diagnostics::{Code, Diagnostic};
use crate::model::{Spanned, is_slug};
use crate::site::Site;

/// What a URL (or an anchor) already belongs to.
enum Holder<'a> {
    /// A file (or claim) by its path and its slug (or id).
    Live(&'a Path, &'a str),
    Alias(&'a Path),
    Generated,
}

pub fn check_aliases(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let dossiers = site.dossiers.values().map(|d| (d.path.as_path(), d.slug.as_str(), d.meta.aliases.as_slice()));
    check_section(dossiers, &[], &mut out);
    let categories = site.categories.values().map(|c| (c.path.as_path(), c.slug.as_str(), c.meta.aliases.as_slice()));
    check_section(categories, &[], &mut out);
    // Pages share the top level with the home page's aliases and the URLs the site makes itself.
    let pages = site.pages.values().map(|p| (p.path.as_path(), p.slug.as_str(), p.meta.aliases.as_slice()));
    let home = site.home.iter().map(|h| (h.path.as_path(), "", h.meta.aliases.as_slice()));
    check_section(pages.chain(home), RESERVED_SLUGS, &mut out);
    for dossier in site.dossiers.values() {
        let claims = dossier.meta.claims.iter().map(|c| (dossier.path.as_path(), c.id.as_str(), c.aliases.as_slice()));
        check_claims(claims, &mut out);
    }
    out
}

/// One URL section (dossiers, categories, or the top level): every alias is a slug that no file
/// of the section, URL the site makes, or other alias takes (ignoring case, as slugs are).
fn check_section<'a>(
    files: impl Iterator<Item = (&'a Path, &'a str, &'a [Spanned<String>])> + Clone,
    generated: &[&str],
    out: &mut Vec<Diagnostic>,
) {
    let mut taken: HashMap<String, Holder> = generated.iter().map(|g| ((*g).to_owned(), Holder::Generated)).collect();
    for (path, slug, _) in files.clone() {
        taken.insert(slug.to_lowercase(), Holder::Live(path, slug));
    }
    for (path, _, aliases) in files {
        for alias in aliases {
            if !check_slug(path, alias, "slug", out) {
                continue;
            }
            let key = alias.to_lowercase();
            match taken.get(&key) {
                Some(holder) => out.push(collision(path, alias, holder, "URL", "page")),
                None => {
                    taken.insert(key, Holder::Alias(path));
                }
            }
        }
    }
}

/// A dossier's claims: a claim's former id must not be an id or a former id of another claim.
fn check_claims<'a>(
    claims: impl Iterator<Item = (&'a Path, &'a str, &'a [Spanned<String>])> + Clone,
    out: &mut Vec<Diagnostic>,
) {
    let mut taken: HashMap<&str, Holder> = claims.clone().map(|(path, id, _)| (id, Holder::Live(path, id))).collect();
    for (path, _, aliases) in claims {
        for alias in aliases {
            if !check_slug(path, alias, "claim id", out) {
                continue;
            }
            match taken.get(alias.as_str()) {
                Some(holder) => out.push(collision(path, alias, holder, "anchor", "claim")),
                None => {
                    taken.insert(alias.as_str(), Holder::Alias(path));
                }
            }
        }
    }
}

fn check_slug(path: &Path, alias: &Spanned<String>, what: &str, out: &mut Vec<Diagnostic>) -> bool {
    let ok = is_slug(alias);
    if !ok {
        out.push(
            Diagnostic::new(Code::InvalidSlug, path, alias.pos, format!("the alias `{}` is not a {what}", alias.value))
                .help("an alias is a former slug: lower-case letters, digits and single hyphens"),
        );
    }
    ok
}

fn collision(path: &Path, alias: &Spanned<String>, holder: &Holder, place: &str, live: &str) -> Diagnostic {
    let (message, help) = match holder {
        Holder::Live(other, _) if *other == path && place == "URL" => (
            format!("the alias `{}` is this file's own name", alias.value),
            "an alias names a former slug; remove this one".to_owned(),
        ),
        Holder::Live(other, name) => (
            format!("the alias `{}` takes the {place} of the live {live} `{name}` ({})", alias.value, other.display()),
            format!("the {live} `{name}` keeps its {place}: remove the alias, or rename that {live}"),
        ),
        Holder::Alias(other) => (
            format!("the alias `{}` is already an alias in {}", alias.value, other.display()),
            format!("an old {place} can lead to one place only: keep the alias in one {live}"),
        ),
        Holder::Generated => (
            format!("the alias `{}` takes a URL the site generates itself", alias.value),
            "remove the alias; the site's own page keeps that URL".to_owned(),
        ),
    };
    Diagnostic::new(Code::AliasCollision, path, alias.pos, message).help(help)
}
