//! `dossier new <slug> --category C`: write a dossier skeleton that passes `check` without
//! errors, never over a file. Every value to fill in holds [`PLACEHOLDER`], which `check` warns
//! about (the `placeholder` rule), so `--deny-warnings` and CI fail until it is replaced.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};

use crate::diagnostics::did_you_mean;
use crate::frontmatter;
use crate::model::{CategoryMeta, Date, FactColumn, FactType, is_slug};
use crate::validate::PLACEHOLDER;

/// Writes `content/providers/<slug>.md` and returns its path.
pub fn run(root: &Path, slug: &str, category: Option<&str>, today: Date) -> anyhow::Result<std::path::PathBuf> {
    if !is_slug(slug) {
        bail!("`{slug}` is not a slug: use lower-case letters, digits and single hyphens, e.g. `example-mail`");
    }
    let category = choose_category(root, slug, category)?;
    let columns = category_columns(root, &category)?;
    let dir = root.join("content/providers");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(format!("{slug}.md"));
    let mut file =
        std::fs::OpenOptions::new().write(true).create_new(true).open(&path).with_context(|| {
            format!("cannot create {} (a dossier with that slug may already exist)", path.display())
        })?;
    file.write_all(skeleton(slug, &category, &columns, today).as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// The category asked for, which must exist; without one, the choices, since a guess would
/// file the dossier under the wrong comparison table.
fn choose_category(root: &Path, slug: &str, wanted: Option<&str>) -> anyhow::Result<String> {
    let dir = root.join("content/categories");
    let mut known: Vec<String> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot list the categories in {}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".md")).map(str::to_owned))
        .filter(|n| is_slug(n))
        .collect();
    known.sort();
    let Some(first) = known.first() else {
        bail!("the wiki has no categories yet: add one under content/categories/ first");
    };
    match wanted {
        Some(c) if known.iter().any(|k| k == c) => Ok(c.to_owned()),
        Some(c) => match did_you_mean(c, known.iter().map(String::as_str)) {
            Some(best) => bail!("there is no category `{c}`; did you mean `{best}`?"),
            None => bail!("there is no category `{c}`; the categories are: {}", known.join(", ")),
        },
        None => bail!(
            "choose the provider's category with --category, e.g. `dossier new {slug} --category {first}`; \
             the categories are: {}",
            known.join(", ")
        ),
    }
}

/// The comparison columns the category declares, for the skeleton's `facts` block.
fn category_columns(root: &Path, category: &str) -> anyhow::Result<Vec<FactColumn>> {
    let rel = Path::new("content/categories").join(format!("{category}.md"));
    let path = root.join(&rel);
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = text.trim_start_matches('\u{feff}');
    match frontmatter::parse_document::<CategoryMeta>(&rel, text) {
        Ok((meta, _)) => Ok(meta.facts),
        Err(problems) => {
            let listed: Vec<String> =
                problems.iter().map(|p| format!("{}:{}:{}: {}", p.path, p.line, p.column, p.message)).collect();
            bail!("the category cannot be read ({}); `dossier check` says more", listed.join("; "))
        }
    }
}

fn skeleton(slug: &str, category: &str, columns: &[FactColumn], today: Date) -> String {
    let name: String = slug
        .split('-')
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");
    let todo = PLACEHOLDER;
    let stamp = today.to_string().replace('-', "");
    let mut text = format!(
        r#"---
# Every value holding {todo} is a placeholder: `dossier check` warns until it is replaced.
# `dossier schema` documents each field; CONTRIBUTING.md shows a complete dossier.
name: {name}
website: https://www.{slug}.example/
category: {category}
summary: "{todo}: one or two plain sentences on what {name} offers."
# jurisdiction: DE   # the ISO 3166-1 alpha-2 code of the country whose law governs it
# tags: [imap, smtp]
sources:
  # Documents several claims cite by name; a claim can also describe a source inline.
  about:
    url: https://www.{slug}.example/about
    title: "{todo}: the page's title"
    accessed: {today}
    archive: https://web.archive.org/web/{stamp}000000/https://www.{slug}.example/about
"#
    );
    text.push_str(&facts_block(category, columns));
    text.push_str(&format!(
        r#"claims:
  - id: founded
    text: "{todo}: one statement a reader can check in the source."
    kind: fact   # fact | policy | incident | allegation | vendor-statement
    status: unverified   # verified once you have read the source
    verified: {today}
    sources:
      - about
---
## Overview

{todo}: describe the provider, citing each claim where the text relies on it.[^founded]
"#
    ));
    text
}

/// The category's columns as a commented `facts` block: each with an example value of its type
/// and, in a comment, its type, unit and label.
fn facts_block(category: &str, columns: &[FactColumn]) -> String {
    if columns.is_empty() {
        return format!("# The category `{category}` declares no fact columns, so this dossier has no `facts`.\n");
    }
    let mut block = format!(
        "# The columns of the `{category}` comparison table. Uncomment `facts:` and each column you can\n\
         # source, with the id of the claim that supports its value.\n# facts:\n"
    );
    let rows: Vec<(String, String)> = columns
        .iter()
        .map(|column| {
            let example = match column.kind {
                FactType::Boolean => "true".to_owned(),
                FactType::Number => "0".to_owned(),
                FactType::Text => format!("\"{PLACEHOLDER}\""),
            };
            let unit = column.unit.as_deref().map(|u| format!(" in {u}")).unwrap_or_default();
            let entry = format!("#   {}: {{ value: {example}, claim: founded }}", *column.key);
            (entry, format!("# {}{unit}: {}", column.kind.as_str(), column.label))
        })
        .collect();
    let width = rows.iter().map(|(entry, _)| entry.chars().count()).max().unwrap_or(0);
    for (entry, note) in rows {
        block.push_str(&format!("{entry:width$}   {note}\n"));
    }
    block
}
