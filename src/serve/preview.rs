//! The preview's rebuild engine (synchronous, like the build pipeline): keeps the loaded site,
//! theme and caches between edits, re-reads only changed files, re-renders only pages whose
//! inputs changed, and keeps the last good output when an edit breaks something.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::diagnostics::Diagnostic;
use crate::model::Date;
use crate::output::Output;
use crate::render::{self, RenderCache, Settings, Theme};
use crate::site::{self, Site};
use crate::validate::{self, ValidateCache};

use super::watch::ChangeSet;

/// What the server shows: the last good pages, and the problems of the newest attempt.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub output: Arc<Output>,
    /// Errors of the newest rebuild; empty when it succeeded.
    pub errors: Vec<Diagnostic>,
    /// Increases with every rebuild, successful or not.
    pub generation: u64,
}

/// How a rebuild went, for the terminal and the browsers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// New pages are served.
    Rebuilt { elapsed: Duration, pages: usize },
    /// Only stylesheets changed: browsers can swap them without reloading.
    StylesRebuilt { elapsed: Duration },
    /// The edit has errors; the previous pages are still served.
    Failed { errors: usize },
}

pub struct Preview {
    site: Site,
    theme: Theme,
    settings: Settings,
    render_cache: RenderCache,
    validate_cache: ValidateCache,
    snapshot: Snapshot,
}

impl Preview {
    /// Loads and renders the wiki once. Content errors do not fail this: they show in the
    /// overlay over an empty site until fixed.
    pub fn start(root: &std::path::Path, today: Date, settings: Settings) -> anyhow::Result<(Preview, Outcome)> {
        let site = site::load_site(root)?;
        let theme_name = site.config.as_ref().map_or("default", |c| c.theme.as_str()).to_owned();
        let (theme, theme_error) = match Theme::load(root, &theme_name) {
            Ok(theme) => (theme, None),
            Err(problem) => (Theme::builtin(), Some(problem)),
        };
        let mut preview = Preview {
            site,
            theme,
            settings: Settings { today, ..settings },
            render_cache: RenderCache::default(),
            validate_cache: ValidateCache::default(),
            snapshot: Snapshot::default(),
        };
        let outcome = preview.rebuild(theme_error.into_iter().collect(), false);
        Ok((preview, outcome))
    }

    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// What the search index of the current site is made from, and its language.
    pub fn search_records(&self) -> (Vec<crate::search::Record>, String) {
        let records = crate::search::records(&self.site, "/", self.settings.today, self.settings.drafts);
        (records, crate::search::language_of(&self.site))
    }

    /// Applies a change set and rebuilds what it affects.
    pub fn apply(&mut self, changes: &ChangeSet) -> anyhow::Result<Outcome> {
        let mut problems = Vec::new();
        let mut styles_only = false;
        if changes.theme {
            let name = self.site.config.as_ref().map_or("default", |c| c.theme.as_str()).to_owned();
            match Theme::load(&self.site.root, &name) {
                Ok(theme) => {
                    styles_only = changes.content.is_empty() && theme.templates_hash == self.theme.templates_hash;
                    self.theme = theme;
                }
                Err(problem) => problems.push(problem),
            }
        }
        if !changes.content.is_empty() {
            self.site.reload(&changes.content)?;
        }
        Ok(self.rebuild(problems, styles_only))
    }

    fn rebuild(&mut self, mut problems: Vec<Diagnostic>, styles_only: bool) -> Outcome {
        let started = Instant::now();
        self.snapshot.generation += 1;
        problems.extend(validate::validate_cached(&self.site, self.settings.today, &mut self.validate_cache).errors());
        if problems.is_empty() {
            match render::render_site(&self.site, &mut self.theme, &self.settings, &mut self.render_cache) {
                Ok(output) => self.snapshot.output = Arc::new(output),
                Err(template_problems) => problems.extend(template_problems),
            }
        }
        if !problems.is_empty() {
            let errors = problems.len();
            self.snapshot.errors = problems;
            return Outcome::Failed { errors };
        }
        self.snapshot.errors.clear();
        let elapsed = started.elapsed();
        if styles_only {
            Outcome::StylesRebuilt { elapsed }
        } else {
            let pages = self.snapshot.output.files.keys().filter(|p| p.ends_with(".html")).count();
            Outcome::Rebuilt { elapsed, pages }
        }
    }
}
