//! The preview's rebuild engine (synchronous, like the build pipeline): keeps the loaded site,
//! theme and caches between edits, re-reads only changed files, re-renders only pages whose
//! inputs changed, and keeps the last good output when an edit breaks something.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::diagnostics::Diagnostic;
use crate::model::Date;
use crate::output::Output;
use crate::render::{self, RenderCache, Settings, Theme};
use crate::site::{self, Site};
use crate::validate::{self, ValidateCache};

use super::watch::ChangeSet;

/// What the server shows: the last good pages (every file gzip-compressed, see `compressed`),
/// and the problems of the newest attempt.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub output: Arc<Output>,
    /// The search bundle, kept apart from the pages: the search thread replaces it and a
    /// rebuild keeps it, without either copying the other's files.
    pub search: Arc<BTreeMap<String, Arc<[u8]>>>,
    /// Each alias's old URL and the URL it redirects to, below the root (`providers/old/` →
    /// `providers/new/`).
    pub redirects: Arc<Vec<(String, String)>>,
    /// Errors of the newest rebuild; empty when it succeeded.
    pub errors: Vec<Diagnostic>,
    /// Warnings and notes of the newest rebuild's check, as `check` reports them.
    pub notices: Arc<[Diagnostic]>,
    /// Increases with every rebuild, successful or not.
    pub generation: u64,
}

/// How a rebuild went, for the terminal and the browsers.
impl Snapshot {
    /// A served file: a page of the output, or a file of the search bundle.
    pub fn file(&self, path: &str) -> Option<&Arc<[u8]>> {
        self.output.files.get(path).or_else(|| self.search.get(path))
    }
}

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
    /// overlay over an empty site until fixed. Frontmatter comes from the parse cache in
    /// `cache_dir` (the one `build` keeps; read, not written), where it holds it; later reloads
    /// read the changed files.
    pub fn start(
        root: &std::path::Path,
        cache_dir: Option<&std::path::Path>,
        today: Date,
        settings: Settings,
    ) -> anyhow::Result<(Preview, Outcome)> {
        let parsed = cache_dir.map(crate::cache::parse::open);
        let site = site::load_site_with(root, parsed.as_ref().map(|p| p as &dyn crate::memo::Memo))?;
        let theme_name = site.config.as_ref().map_or("default", |c| c.theme.as_str()).to_owned();
        let (theme, theme_error) = match Theme::load(root, &theme_name) {
            Ok(theme) => (theme, None),
            Err(problem) => (Theme::builtin(), Some(problem)),
        };
        let mut preview = Preview {
            site,
            theme,
            settings: Settings { today, ..settings },
            render_cache: RenderCache::holding(super::compressed::compress),
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
    pub fn search_records(&self) -> (Vec<crate::search::Record<'static>>, String) {
        let records = crate::search::records(
            &self.site,
            &crate::search::Scope {
                base_path: "/",
                today: self.settings.today,
                drafts: self.settings.drafts,
                edited: &self.settings.edited,
            },
        );
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
        let findings = validate::validate_cached(&self.site, self.settings.today, &mut self.validate_cache);
        problems.extend(findings.errors());
        self.snapshot.notices = findings.notices().into();
        if problems.is_empty() {
            match render::render_site(&self.site, &mut self.theme, &self.settings, &mut self.render_cache) {
                Ok(output) => {
                    self.snapshot.output = Arc::new(output);
                    self.snapshot.redirects = Arc::new(render::redirects::redirects(&self.site, self.settings.drafts));
                }
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::fs;
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::serve::compressed::decompress;

    fn copy_tree(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                copy_tree(&entry.path(), &to.join(entry.file_name()));
            } else {
                fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
            }
        }
    }

    fn settings() -> Settings {
        Settings {
            today: Date::parse("2026-11-27").unwrap(),
            base_url: Some("http://127.0.0.1:1111/".into()),
            drafts: true,
            edited: [("content/providers/examplemail.md".to_owned(), Date::parse("2026-11-02").unwrap())].into(),
            history: Default::default(),
            pending_base: None,
            noindex: true,
            reload_script: Some("/__dossier/reload.js".into()),
            minify: true,
        }
    }

    /// The preview's pages, inflated, equal those of a fresh render of the wiki as it now is.
    fn assert_same_as_fresh_render(preview: &Preview, root: &Path, step: &str) {
        assert!(preview.snapshot().errors.is_empty(), "{step}: {:?}", preview.snapshot().errors);
        let site = site::load_site(root).unwrap();
        let mut theme = Theme::load(root, "default").unwrap();
        let fresh = render::render_site(&site, &mut theme, &settings(), &mut RenderCache::default())
            .unwrap_or_else(|e| panic!("{step}: {e:?}"));
        let served = &preview.snapshot().output.files;
        assert_eq!(served.keys().collect::<Vec<_>>(), fresh.files.keys().collect::<Vec<_>>(), "{step}");
        for (path, bytes) in &fresh.files {
            assert!(decompress(&served[path]).unwrap() == bytes[..], "{step}: {path} differs from a fresh render");
        }
    }

    #[test]
    fn after_any_sequence_of_edits_the_pages_equal_a_fresh_render() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        copy_tree(&manifest.join("tests/fixtures/wiki"), root);
        copy_tree(&manifest.join("themes/default"), &root.join("themes/default"));
        let (mut preview, outcome) = Preview::start(root, None, settings().today, settings()).unwrap();
        assert!(matches!(outcome, Outcome::Rebuilt { .. }), "{outcome:?}");
        assert_same_as_fresh_render(&preview, root, "the first build");

        let dossier = "content/providers/examplemail.md";
        let replace = |rel: &str, from: &str, to: &str| {
            let text = fs::read_to_string(root.join(rel)).unwrap();
            assert!(text.contains(from), "{rel} lacks {from:?}");
            fs::write(root.join(rel), text.replacen(from, to, 1)).unwrap();
        };
        let content = |paths: &[&str]| ChangeSet {
            content: paths.iter().map(PathBuf::from).collect::<BTreeSet<_>>(),
            theme: false,
        };
        type Step<'a> = (&'static str, Box<dyn Fn() -> ChangeSet + 'a>);
        let steps: Vec<Step> = vec![
            (
                "a body edit",
                Box::new(|| {
                    fs::write(root.join(dossier), fs::read_to_string(root.join(dossier)).unwrap() + "\nMore text.\n")
                        .unwrap();
                    content(&[dossier])
                }),
            ),
            (
                "a summary edit",
                Box::new(|| {
                    replace(dossier, "Shared IMAP and SMTP hosting", "Shared <IMAP> & SMTP hosting");
                    content(&[dossier])
                }),
            ),
            (
                "a tag and jurisdiction edit",
                Box::new(|| {
                    replace(dossier, "tags: [imap, smtp]", "tags: [imap, pop3]");
                    replace(dossier, "jurisdiction: DE", "jurisdiction: FR");
                    content(&[dossier])
                }),
            ),
            (
                "a claim going stale",
                Box::new(|| {
                    replace(dossier, "verified: 2026-10-01", "verified: 2024-01-01");
                    content(&[dossier])
                }),
            ),
            (
                "a fact edit",
                Box::new(|| {
                    replace(dossier, "storage: { value: 10,", "storage: { value: 25,");
                    content(&[dossier])
                }),
            ),
            (
                "a category edit",
                Box::new(|| {
                    replace("content/categories/email-hosting.md", "---\n", "---\nstale_after_days: 900\n");
                    content(&["content/categories/email-hosting.md"])
                }),
            ),
            (
                "a new dossier",
                Box::new(|| {
                    let text = fs::read_to_string(root.join(dossier)).unwrap();
                    fs::write(
                        root.join("content/providers/newmail.md"),
                        text.replace("name: ExampleMail", "name: NewMail"),
                    )
                    .unwrap();
                    content(&["content/providers/newmail.md"])
                }),
            ),
            (
                "a deleted dossier",
                Box::new(|| {
                    // Not harborline, which a body links to: deleting it breaks that link.
                    fs::remove_file(root.join("content/providers/nimbusdns.md")).unwrap();
                    content(&["content/providers/nimbusdns.md"])
                }),
            ),
            (
                "a renamed dossier",
                Box::new(|| {
                    fs::rename(
                        root.join("content/providers/postquay.md"),
                        root.join("content/providers/postquay-two.md"),
                    )
                    .unwrap();
                    content(&["content/providers/postquay.md", "content/providers/postquay-two.md"])
                }),
            ),
            (
                "a home and page edit",
                Box::new(|| {
                    fs::write(
                        root.join("content/index.md"),
                        fs::read_to_string(root.join("content/index.md")).unwrap() + "\nHi.\n",
                    )
                    .unwrap();
                    fs::write(
                        root.join("content/pages/about.md"),
                        fs::read_to_string(root.join("content/pages/about.md")).unwrap() + "\nAbout more.\n",
                    )
                    .unwrap();
                    content(&["content/index.md", "content/pages/about.md"])
                }),
            ),
            (
                "a template edit",
                Box::new(|| {
                    replace("themes/default/templates/base.html", "</body>", "<p>marker</p></body>");
                    ChangeSet { theme: true, ..ChangeSet::default() }
                }),
            ),
            (
                "a settings edit",
                Box::new(|| {
                    replace("content/site.yaml", "title: ", "title: Renamed ");
                    content(&["content/site.yaml"])
                }),
            ),
        ];
        for (step, make) in &steps {
            let changes = make();
            let outcome = preview.apply(&changes).unwrap();
            assert!(matches!(outcome, Outcome::Rebuilt { .. }), "{step}: {outcome:?}");
            assert_same_as_fresh_render(&preview, root, step);
        }

        // A broken edit keeps the last good pages; fixing it serves the fixed ones.
        let good = Arc::clone(&preview.snapshot().output);
        replace(dossier, "name: ExampleMail", "name: [ExampleMail");
        assert!(matches!(preview.apply(&content(&[dossier])).unwrap(), Outcome::Failed { .. }));
        assert_eq!(*preview.snapshot().output, *good);
        replace(dossier, "name: [ExampleMail", "name: ExampleMail Fixed");
        preview.apply(&content(&[dossier])).unwrap();
        assert_same_as_fresh_render(&preview, root, "the fix");
    }
}
