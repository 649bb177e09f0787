//! The loaded wiki: settings, dossiers, categories and pages, and the problems met loading them.
//!
//! `load_site` runs the load stage and the frontmatter parser over every input in parallel and
//! never stops at the first bad file: every file's problem comes back in `diagnostics`.
//! `Site::reload` re-reads only the files that changed, for `serve`.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::config::Config;
use crate::diagnostics::{self, Diagnostic};
use crate::frontmatter;
use crate::load::{self, Input, InputKind};
use crate::memo::Memo;
use crate::model::{Category, Document, Dossier, Page};

/// The default re-verification window, for when the settings could not be read.
pub const DEFAULT_STALE_AFTER_DAYS: u32 = 365;

/// Everything loaded from one wiki root.
#[derive(Debug, Default)]
pub struct Site {
    pub root: PathBuf,
    /// `None` when `content/site.yaml` is missing or invalid (a diagnostic says which).
    pub config: Option<Config>,
    /// Hash of `site.yaml`'s text (0 when absent).
    pub config_hash: u64,
    pub home: Option<Page>,
    /// Keyed by slug (the file stem), so iteration is in slug order.
    pub dossiers: BTreeMap<String, Dossier>,
    pub categories: BTreeMap<String, Category>,
    pub pages: BTreeMap<String, Page>,
    /// Problems met while loading, before any rule ran.
    pub diagnostics: Vec<Diagnostic>,
    /// Files that failed to load, with every problem found; kept so a reload can replace them.
    failures: BTreeMap<PathBuf, Vec<Diagnostic>>,
    /// What the last walk of `content/` passed over (`None` before the first walk).
    discovery: Option<Vec<Diagnostic>>,
}

enum Loaded {
    Config(Box<Config>, u64),
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

    /// Re-reads the files in `changed` (paths relative to the root, new ones included), and
    /// forgets files that are gone. Fails only when the root itself cannot be read.
    ///
    /// When every changed path is a wiki file (or one that is gone) in a real directory, it
    /// reads just those, without walking `content/`: an edit costs one file, not 10,000
    /// directory entries. Anything else (a directory, a link, a stray file, an empty set)
    /// takes a walk, which also finds new files nobody named.
    pub fn reload(&mut self, changed: &BTreeSet<PathBuf>) -> anyhow::Result<()> {
        self.reload_with(changed, None)
    }

    /// [`Site::reload`], taking unchanged frontmatter from `parsed` when given.
    fn reload_with(&mut self, changed: &BTreeSet<PathBuf>, parsed: Option<&dyn Memo>) -> anyhow::Result<()> {
        let _span = tracing::info_span!("load").entered();
        match self.plain_changes(changed) {
            Some(files) => self.reload_files(files),
            None => self.rewalk(changed, parsed)?,
        }
        self.diagnostics = self.discovery.clone().unwrap_or_default();
        self.diagnostics.extend(self.failures.values().flatten().cloned());
        Ok(())
    }

    /// Walks `content/`, forgets what is gone or changed, and reads what is not held.
    fn rewalk(&mut self, changed: &BTreeSet<PathBuf>, parsed: Option<&dyn Memo>) -> anyhow::Result<()> {
        let (inputs, discovery) = load::discover(&self.root)?;
        // Hashed, not ordered: comparing paths component by component is slow.
        let present: HashSet<&Path> = inputs.iter().map(|i| i.path.as_path()).collect();
        let stale = |path: &Path| changed.contains(path) || !present.contains(path);
        self.dossiers.retain(|_, d| !stale(&d.path));
        self.categories.retain(|_, d| !stale(&d.path));
        self.pages.retain(|_, d| !stale(&d.path));
        self.failures.retain(|path, _| !stale(path));
        if self.home.as_ref().is_some_and(|h| stale(&h.path)) {
            self.home = None;
        }
        if stale(Path::new(crate::config::CONFIG_PATH)) {
            self.config = None;
            self.config_hash = 0;
        }
        let to_load: Vec<&Input> = inputs.iter().filter(|i| !self.is_loaded(i)).collect();
        self.load_inputs(&to_load, parsed);
        self.discovery = Some(discovery);
        Ok(())
    }

    /// Forgets each changed file, then reads those still there.
    fn reload_files(&mut self, files: Vec<(PathBuf, Option<Input>)>) {
        for (path, _) in &files {
            self.forget(path);
        }
        let inputs: Vec<Input> = files.into_iter().filter_map(|(_, input)| input).collect();
        self.load_inputs(&inputs.iter().collect::<Vec<_>>(), None);
    }

    /// The changed files as a walk would find them now (`None` beside a file that is gone),
    /// or `None` when only a walk can tell.
    fn plain_changes(&self, changed: &BTreeSet<PathBuf>) -> Option<Vec<(PathBuf, Option<Input>)>> {
        if changed.is_empty() {
            return None;
        }
        changed.iter().map(|path| Some((path.clone(), self.plain_change(path)?))).collect()
    }

    /// `Some(Some(input))` for a wiki file to read, `Some(None)` for one that is gone, `None` when
    /// a walk is needed: not a wiki file's place, a hidden name, something the last walk passed
    /// over (a stray file, a link, the missing settings), a link or directory there now, a
    /// directory on the way that is a link, or the settings gone.
    fn plain_change(&self, path: &Path) -> Option<Option<Input>> {
        let kind = load::classify(path)?;
        let hidden = path.iter().any(|name| load::is_ignored_name(&name.to_string_lossy()));
        let passed_over = self.discovery.as_ref()?.iter().any(|d| Path::new(&d.path) == path);
        if hidden || passed_over {
            return None;
        }
        // A walk never enters a linked directory (content/ itself aside).
        if let Some(dir) = path.parent().filter(|dir| *dir != Path::new("content"))
            && !fs::symlink_metadata(self.root.join(dir)).ok()?.is_dir()
        {
            return None;
        }
        match fs::symlink_metadata(self.root.join(path)) {
            Ok(meta) if meta.is_file() => Some(Some(Input { kind, path: path.to_path_buf() })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && kind != InputKind::Config => Some(None),
            _ => None,
        }
    }

    /// Drops whatever was read from `path`, loaded or failed.
    fn forget(&mut self, path: &Path) {
        let slug = slug_of(path);
        let held = |doc_path: &Path| doc_path == path;
        if self.dossiers.get(slug.as_ref()).is_some_and(|d| held(&d.path)) {
            self.dossiers.remove(slug.as_ref());
        }
        if self.categories.get(slug.as_ref()).is_some_and(|d| held(&d.path)) {
            self.categories.remove(slug.as_ref());
        }
        if self.pages.get(slug.as_ref()).is_some_and(|d| held(&d.path)) {
            self.pages.remove(slug.as_ref());
        }
        if self.home.as_ref().is_some_and(|h| held(&h.path)) {
            self.home = None;
        }
        if path == Path::new(crate::config::CONFIG_PATH) {
            self.config = None;
            self.config_hash = 0;
        }
        self.failures.remove(path);
    }

    /// Reads `inputs` on every core and keeps what each gave, a document or its problem.
    fn load_inputs(&mut self, inputs: &[&Input], parsed: Option<&dyn Memo>) {
        let loaded: Vec<(PathBuf, Result<Loaded, Vec<Diagnostic>>)> =
            inputs.par_iter().map(|input| (input.path.clone(), load_input(&self.root, input, parsed))).collect();
        for (path, result) in loaded {
            match result {
                Ok(item) => self.insert(item),
                Err(problems) => {
                    self.failures.insert(path, problems);
                }
            }
        }
    }

    /// Whether `input` is held, loaded or failed, from an earlier read.
    fn is_loaded(&self, input: &Input) -> bool {
        let path = input.path.as_path();
        let slug = slug_of(path);
        let held = match input.kind {
            InputKind::Config => self.config.is_some(),
            InputKind::Home => self.home.as_ref().is_some_and(|h| h.path == path),
            InputKind::Dossier => self.dossiers.get(slug.as_ref()).is_some_and(|d| d.path == path),
            InputKind::Category => self.categories.get(slug.as_ref()).is_some_and(|d| d.path == path),
            InputKind::Page => self.pages.get(slug.as_ref()).is_some_and(|d| d.path == path),
        };
        held || self.failures.contains_key(path)
    }

    fn insert(&mut self, item: Loaded) {
        match item {
            Loaded::Config(config, hash) => {
                self.config = Some(*config);
                self.config_hash = hash;
            }
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

/// Loads the wiki at `root`. Fails only when the root itself cannot be read.
pub fn load_site(root: &Path) -> anyhow::Result<Site> {
    load_site_with(root, None)
}

/// [`load_site`], taking each file's frontmatter from `parsed` where it holds it for the file's
/// text (in the form of [`frontmatter::stored`]) and leaving there what it parses; whether
/// that is kept is the caller's choice.
pub fn load_site_with(root: &Path, parsed: Option<&dyn Memo>) -> anyhow::Result<Site> {
    let mut site = Site { root: root.to_path_buf(), ..Site::default() };
    site.reload_with(&BTreeSet::new(), parsed)?;
    Ok(site)
}

fn load_input(root: &Path, input: &Input, parsed: Option<&dyn Memo>) -> Result<Loaded, Vec<Diagnostic>> {
    let text = load::read_text(root, &input.path).map_err(|d| vec![d])?;
    let path = &input.path;
    Ok(match input.kind {
        InputKind::Config => {
            Loaded::Config(Box::new(frontmatter::parse_yaml(path, &text)?), load::content_hash(text.as_bytes()))
        }
        InputKind::Home => Loaded::Home(document(path, &text, parsed)?),
        InputKind::Dossier => Loaded::Dossier(Box::new(document(path, &text, parsed)?)),
        InputKind::Category => Loaded::Category(document(path, &text, parsed)?),
        InputKind::Page => Loaded::Page(document(path, &text, parsed)?),
    })
}

/// A file's slug: its name without the extension.
fn slug_of(path: &Path) -> Cow<'_, str> {
    path.file_stem().map_or(Cow::Borrowed(""), |s| s.to_string_lossy())
}

fn document<M: DeserializeOwned + Serialize + JsonSchema>(
    path: &Path,
    text: &str,
    parsed: Option<&dyn Memo>,
) -> Result<Document<M>, Vec<Diagnostic>> {
    let hash = load::content_hash(text.as_bytes());
    let key = path.to_str();
    let kept = parsed.zip(key).and_then(|(memo, key)| memo.get(key, hash)).and_then(frontmatter::stored::decode);
    let (meta, body) = match kept {
        Some(meta) => (meta, frontmatter::split(path, text).map_err(|d| vec![d])?.body),
        None => {
            let (meta, body) = frontmatter::parse_document(path, text)?;
            if let (Some(memo), Some(key), Some(bytes)) = (parsed, key, frontmatter::stored::encode(&meta)) {
                memo.put(key, hash, bytes);
            }
            (meta, body)
        }
    };
    let slug = slug_of(path).into_owned();
    Ok(Document { path: path.to_path_buf(), slug, meta, body, hash })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = "title: T\ndescription: D\nbase_url: https://w.test/\n";
    const CATEGORY: &str = "---\nname: DNS\ndescription: D.\n---\n";

    fn dossier(name: &str) -> String {
        format!(
            "---\nname: {name}\nwebsite: https://a.test\ncategory: dns\nsummary: S.\nclaims:\n  - id: c\n    text: T.[^c]\n    verified: 2026-01-01\n    sources:\n      - url: https://a.test/x\n        title: X\n        accessed: 2026-01-01\n---\nBody.[^c]\n"
        )
    }

    fn wiki() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        std::fs::create_dir_all(content.join("providers")).unwrap();
        std::fs::create_dir_all(content.join("categories")).unwrap();
        std::fs::write(content.join("site.yaml"), SITE).unwrap();
        std::fs::write(content.join("categories/dns.md"), CATEGORY).unwrap();
        std::fs::write(content.join("providers/a.md"), dossier("A")).unwrap();
        std::fs::write(content.join("providers/b.md"), dossier("B")).unwrap();
        dir
    }

    #[test]
    fn reload_rereads_changed_files_and_forgets_removed_ones() {
        let dir = wiki();
        let mut site = load_site(dir.path()).unwrap();
        assert_eq!(site.dossiers.len(), 2);
        let providers = dir.path().join("content/providers");
        std::fs::write(providers.join("a.md"), dossier("A2")).unwrap();
        std::fs::remove_file(providers.join("b.md")).unwrap();
        std::fs::write(providers.join("c.md"), "not frontmatter").unwrap();
        let changed = paths(&["content/providers/a.md", "content/providers/b.md", "content/providers/c.md"]);
        site.reload(&changed).unwrap();
        assert_eq!(site.dossiers.keys().collect::<Vec<_>>(), ["a"]);
        assert_eq!(site.dossiers["a"].meta.name.value, "A2");
        assert_eq!(site.diagnostics.len(), 1, "{:?}", site.diagnostics);
        std::fs::write(providers.join("c.md"), dossier("C")).unwrap();
        site.reload(&["content/providers/c.md".into()].into_iter().collect()).unwrap();
        assert!(site.diagnostics.is_empty(), "{:?}", site.diagnostics);
        assert_eq!(site.dossiers.len(), 2);
    }

    fn paths(list: &[&str]) -> BTreeSet<PathBuf> {
        list.iter().map(PathBuf::from).collect()
    }

    /// What a reload must agree with a fresh load on: every document, its hash, every problem.
    fn summary(site: &Site) -> (Vec<(String, u64)>, Option<u64>, Vec<Diagnostic>) {
        let mut docs: Vec<(String, u64)> = site.dossiers.values().map(|d| (d.slug.clone(), d.hash)).collect();
        docs.extend(site.categories.values().map(|c| (c.slug.clone(), c.hash)));
        docs.extend(site.pages.values().chain(&site.home).map(|p| (p.path.display().to_string(), p.hash)));
        let mut diagnostics = site.diagnostics.clone();
        diagnostics::sort(&mut diagnostics);
        (docs, site.config.as_ref().map(|_| site.config_hash), diagnostics)
    }

    #[test]
    fn a_reload_of_named_files_agrees_with_a_fresh_load() {
        let dir = wiki();
        let root = dir.path();
        let mut site = load_site(root).unwrap();
        let write = |rel: &str, text: &str| std::fs::write(root.join(rel), text).unwrap();
        type Step<'a> = (&'a str, Box<dyn Fn() + 'a>);
        let steps: Vec<Step> = vec![
            ("content/providers/a.md", Box::new(|| write("content/providers/a.md", &dossier("A2")))),
            ("content/providers/c.md", Box::new(|| write("content/providers/c.md", "no frontmatter"))),
            ("content/providers/c.md", Box::new(|| write("content/providers/c.md", &dossier("C")))),
            ("content/providers/b.md", Box::new(|| std::fs::remove_file(root.join("content/providers/b.md")).unwrap())),
            ("content/providers/x.txt", Box::new(|| write("content/providers/x.txt", "stray"))),
            (
                "content/pages/about.md",
                Box::new(|| {
                    std::fs::create_dir_all(root.join("content/pages")).unwrap();
                    write("content/pages/about.md", "---\ntitle: A\ndescription: D\n---\n");
                }),
            ),
            ("content/categories/dns.md", Box::new(|| write("content/categories/dns.md", "---\nname: [\n---\n"))),
            ("content/site.yaml", Box::new(|| std::fs::remove_file(root.join("content/site.yaml")).unwrap())),
            ("content/site.yaml", Box::new(|| write("content/site.yaml", SITE))),
            (
                "content/providers/x.txt",
                Box::new(|| std::fs::remove_file(root.join("content/providers/x.txt")).unwrap()),
            ),
        ];
        for (path, step) in steps {
            step();
            site.reload(&paths(&[path])).unwrap();
            assert_eq!(summary(&site), summary(&load_site(root).unwrap()), "after changing {path}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_directory_or_file_takes_a_walk_and_is_not_read() {
        let dir = wiki();
        let root = dir.path();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("d.md"), dossier("D")).unwrap();
        let mut site = load_site(root).unwrap();
        std::os::unix::fs::symlink(outside.path().join("d.md"), root.join("content/providers/d.md")).unwrap();
        site.reload(&paths(&["content/providers/d.md"])).unwrap();
        assert!(!site.dossiers.contains_key("d"));
        assert_eq!(summary(&site), summary(&load_site(root).unwrap()));
        std::fs::rename(root.join("content/categories"), root.join("categories-real")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("content/categories")).unwrap();
        site.reload(&paths(&["content/categories/d.md"])).unwrap();
        assert!(site.categories.is_empty());
        assert_eq!(summary(&site), summary(&load_site(root).unwrap()));
    }

    #[test]
    fn a_walk_finds_files_nobody_named() {
        let dir = wiki();
        let mut site = load_site(dir.path()).unwrap();
        std::fs::write(dir.path().join("content/providers/c.md"), dossier("C")).unwrap();
        site.reload(&paths(&["content/providers/a.md"])).unwrap();
        assert_eq!(site.dossiers.len(), 2, "a reload of named files reads only those");
        site.reload(&paths(&["content/providers"])).unwrap();
        assert_eq!(site.dossiers.len(), 3);
    }

    #[test]
    fn unchanged_files_are_not_reread() {
        let dir = wiki();
        let mut site = load_site(dir.path()).unwrap();
        let before = site.dossiers["a"].hash;
        std::fs::write(dir.path().join("content/providers/a.md"), dossier("Changed")).unwrap();
        site.reload(&BTreeSet::new()).unwrap();
        assert_eq!(site.dossiers["a"].hash, before, "a file not named as changed keeps its loaded copy");
    }
}
