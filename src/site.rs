//! The loaded wiki: settings, dossiers, categories and pages, and the problems met loading them.
//!
//! `load_site` runs the load stage and the frontmatter parser over every input in parallel and
//! never stops at the first bad file: every file's problem comes back in `diagnostics`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use crate::config::Config;
use crate::diagnostics::{self, Diagnostic};
use crate::frontmatter;
use crate::load::{self, Input, InputKind};
use crate::model::{Category, Document, Dossier, Page};

/// The default re-verification window, for when the settings could not be read.
pub const DEFAULT_STALE_AFTER_DAYS: u32 = 365;

/// Everything loaded from one wiki root.
#[derive(Debug, Default)]
pub struct Site {
    pub root: PathBuf,
    /// `None` when `content/site.yaml` is missing or invalid (a diagnostic says which).
    pub config: Option<Config>,
    pub home: Option<Page>,
    /// Keyed by slug (the file stem), so iteration is in slug order.
    pub dossiers: BTreeMap<String, Dossier>,
    pub categories: BTreeMap<String, Category>,
    pub pages: BTreeMap<String, Page>,
    /// Problems met while loading, before any rule ran.
    pub diagnostics: Vec<Diagnostic>,
}

enum Loaded {
    Config(Box<Config>),
    Home(Page),
    Dossier(Box<Dossier>),
    Category(Category),
    Page(Page),
}

impl Site {
    /// The re-verification window for claims in `category`.
    pub fn stale_after_days(&self, category: &str) -> u32 {
        self.categories
            .get(category)
            .and_then(|c| c.meta.stale_after_days)
            .or(self.config.as_ref().map(|c| c.stale_after_days))
            .unwrap_or(DEFAULT_STALE_AFTER_DAYS)
    }

    /// Whether any file failed to load.
    pub fn has_load_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == diagnostics::Severity::Error)
    }
}

/// Loads the wiki at `root`. Fails only when the root itself cannot be read.
pub fn load_site(root: &Path) -> anyhow::Result<Site> {
    let (inputs, mut diagnostics) = load::discover(root)?;
    let loaded: Vec<Result<Loaded, Diagnostic>> = inputs.par_iter().map(|input| load_input(root, input)).collect();
    let mut site = Site { root: root.to_path_buf(), ..Site::default() };
    for result in loaded {
        match result {
            Ok(item) => site.insert(item),
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
    }
    site.diagnostics = diagnostics;
    Ok(site)
}

impl Site {
    fn insert(&mut self, item: Loaded) {
        match item {
            Loaded::Config(config) => self.config = Some(*config),
            Loaded::Home(page) => self.home = Some(page),
            Loaded::Dossier(dossier) => {
                self.dossiers.insert(dossier.slug.clone(), *dossier);
            }
            Loaded::Category(category) => {
                self.categories.insert(category.slug.clone(), category);
            }
            Loaded::Page(page) => {
                self.pages.insert(page.slug.clone(), page);
            }
        }
    }
}

fn load_input(root: &Path, input: &Input) -> Result<Loaded, Diagnostic> {
    let text = load::read_text(root, &input.path)?;
    let path = &input.path;
    Ok(match input.kind {
        InputKind::Config => Loaded::Config(Box::new(frontmatter::parse_yaml(path, &text)?)),
        InputKind::Home => Loaded::Home(document(path, &text)?),
        InputKind::Dossier => Loaded::Dossier(Box::new(document(path, &text)?)),
        InputKind::Category => Loaded::Category(document(path, &text)?),
        InputKind::Page => Loaded::Page(document(path, &text)?),
    })
}

fn document<M: DeserializeOwned>(path: &Path, text: &str) -> Result<Document<M>, Diagnostic> {
    let (meta, body) = frontmatter::parse_document(path, text)?;
    let slug = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Document { path: path.to_path_buf(), slug, meta, body })
}
