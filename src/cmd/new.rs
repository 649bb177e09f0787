//! `dossier new <slug>`: write a dossier skeleton that passes `check`, never over a file.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};

use crate::diagnostics::did_you_mean;
use crate::model::{Date, is_slug};

/// Writes `content/providers/<slug>.md` and returns its path.
pub fn run(root: &Path, slug: &str, category: Option<&str>, today: Date) -> anyhow::Result<std::path::PathBuf> {
    if !is_slug(slug) {
        bail!("`{slug}` is not a slug: use lower-case letters, digits and single hyphens, e.g. `example-mail`");
    }
    let category = choose_category(root, category)?;
    let dir = root.join("content/providers");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(format!("{slug}.md"));
    let mut file =
        std::fs::OpenOptions::new().write(true).create_new(true).open(&path).with_context(|| {
            format!("cannot create {} (a dossier with that slug may already exist)", path.display())
        })?;
    file.write_all(skeleton(slug, &category, today).as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

fn choose_category(root: &Path, wanted: Option<&str>) -> anyhow::Result<String> {
    let dir = root.join("content/categories");
    let mut known: Vec<String> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot list the categories in {}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".md")).map(str::to_owned))
        .filter(|n| is_slug(n))
        .collect();
    known.sort();
    match wanted {
        Some(c) if known.iter().any(|k| k == c) => Ok(c.to_owned()),
        Some(c) => match did_you_mean(c, known.iter().map(String::as_str)) {
            Some(best) => bail!("there is no category `{c}`; did you mean `{best}`?"),
            None => bail!("there is no category `{c}`; the categories are: {}", known.join(", ")),
        },
        None => {
            known.into_iter().next().context("the wiki has no categories yet: add one under content/categories/ first")
        }
    }
}

fn skeleton(slug: &str, category: &str, today: Date) -> String {
    let name: String = slug
        .split('-')
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        r#"---
# Replace every value below; `dossier schema` documents each field.
name: {name}
website: https://www.{slug}.example/
category: {category}
summary: {name} is a provider in this category. Replace this with one or two plain sentences.
claims:
  - id: founded
    text: Replace with one statement a reader can check in the source below.
    kind: fact
    status: unverified
    verified: {today}
    sources:
      - url: https://www.{slug}.example/about
        title: About {name}
        accessed: {today}
        archive: https://web.archive.org/web/{stamp}000000/https://www.{slug}.example/about
---
## Overview

Describe the provider here, citing each claim where the text relies on it.[^founded]
"#,
        stamp = today.to_string().replace('-', "")
    )
}
