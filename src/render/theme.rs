//! The tera seam: the theme's templates and static files, and rendering one page with them.
//!
//! The default theme is compiled into the binary, so any wiki builds; a wiki's own
//! `themes/default/` and `themes/<name>/` override it file by file. Autoescaping is on for
//! every template, and the site-wide context is set once, not per page.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use include_dir::{Dir, include_dir};
use serde::Serialize;
use tera::{Context, Tera};

use crate::diagnostics::{Code, Diagnostic};
use crate::model::Pos;

static DEFAULT_THEME: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Templates ready to render, and the static files to publish under `/static/`.
pub struct Theme {
    tera: Tera,
    /// Which file each template came from, for error messages.
    origins: BTreeMap<String, String>,
    pub static_files: BTreeMap<String, Vec<u8>>,
    /// Hash of every template and static file: pages rendered with an equal hash are equal.
    pub hash: u64,
    /// Hash of the templates alone: equal before and after an edit means only assets changed.
    pub templates_hash: u64,
    /// Element ids the templates use, and prefixes of the ids they build; body headings must
    /// not take them.
    pub reserved_ids: ReservedIds,
}

/// Ids a page's own markup uses, read from the templates.
#[derive(Debug, Clone, Default)]
pub struct ReservedIds {
    pub exact: BTreeSet<String>,
    pub prefixes: BTreeSet<String>,
}

impl ReservedIds {
    /// Finds `id="..."` in template text: literal ids, and the literal start of templated ones.
    fn scan<'a>(texts: impl Iterator<Item = &'a str>) -> ReservedIds {
        let mut ids = ReservedIds::default();
        for text in texts {
            for piece in text.split("id=\"").skip(1) {
                let Some(value) = piece.split('"').next() else { continue };
                match value.split_once("{{") {
                    None if !value.is_empty() => {
                        ids.exact.insert(value.to_owned());
                    }
                    Some((prefix, _)) if !prefix.is_empty() => {
                        ids.prefixes.insert(prefix.to_owned());
                    }
                    _ => {}
                }
            }
        }
        ids
    }

    pub fn contains(&self, id: &str) -> bool {
        self.exact.contains(id) || self.prefixes.iter().any(|p| id.starts_with(p.as_str()))
    }
}

/// The ids of a theme's markup, read from its templates without compiling them (for `check`,
/// which renders nothing): all of them, which body headings avoid, and those a page made from
/// each template can have (its own, the base layout's and the partials').
pub struct ThemeIds {
    pub all: ReservedIds,
    by_template: BTreeMap<String, ReservedIds>,
}

impl ThemeIds {
    /// The ids of the theme [`Theme::load`] would load; the built-in theme's alone when the
    /// wiki's cannot be read (`build` then says why).
    pub fn read(root: &Path, name: &str) -> ThemeIds {
        let templates = collect(root, name).map(|(templates, _)| templates).unwrap_or_else(|_| {
            let mut builtin = Templates::new();
            collect_builtin(&DEFAULT_THEME, &mut builtin, &mut BTreeMap::new());
            builtin
        });
        let shared = |name: &str| name == "base.html" || name.starts_with("partials/");
        let text = |name: &String| templates.get(name).map(|(_, text)| text.as_str()).unwrap_or_default();
        let by_template = templates
            .keys()
            .filter(|name| !shared(name))
            .map(|page| {
                let used = templates.keys().filter(|name| shared(name) || *name == page);
                (page.clone(), ReservedIds::scan(used.map(text)))
            })
            .collect();
        ThemeIds { all: ReservedIds::scan(templates.values().map(|(_, text)| text.as_str())), by_template }
    }

    /// Whether a page made from `template` may have the element id `id`.
    pub fn on_page(&self, template: &str, id: &str) -> bool {
        self.by_template.get(template).is_some_and(|ids| ids.contains(id))
    }
}

impl Theme {
    /// The built-in default theme overlaid with `root/themes/default` and `root/themes/<name>`.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Diagnostic> {
        let (templates, static_files) = collect(root, name)?;
        compile(templates, static_files)
    }

    /// The compiled-in default theme alone, for when a wiki's own theme does not compile.
    pub fn builtin() -> Theme {
        let mut templates = Templates::new();
        let mut static_files = BTreeMap::new();
        collect_builtin(&DEFAULT_THEME, &mut templates, &mut static_files);
        // The built-in templates are compiled by the test suite, so this cannot fail in a release.
        compile(templates, static_files).unwrap_or_else(|_| Theme {
            tera: Tera::default(),
            origins: BTreeMap::new(),
            static_files: BTreeMap::new(),
            hash: 0,
            templates_hash: 0,
            reserved_ids: ReservedIds::default(),
        })
    }

    /// Sets a variable every template sees.
    pub fn set_global(&mut self, key: &'static str, value: &impl Serialize) {
        self.tera.global_context().insert(key, value);
    }

    /// Renders `template` with `key` bound to `value` (and the globals).
    pub fn render(&self, template: &str, vars: &[(&'static str, &dyn erased::Value)]) -> Result<String, Diagnostic> {
        let mut context = Context::new();
        for (key, value) in vars {
            value.insert_into(&mut context, key);
        }
        self.tera.render(template, &context).map_err(|e| {
            let origin = self.origins.get(template).cloned().unwrap_or_else(|| template.to_owned());
            Diagnostic::new(Code::TemplateError, Path::new(&origin), Pos::UNKNOWN, format!("rendering failed: {}", error_chain(&e)))
                .help("the template uses a variable or filter that does not exist; themes/default/CONTEXT.md lists the variables")
        })
    }
}

/// Lets `render` take differently typed values in one slice.
pub mod erased {
    use serde::Serialize;
    use tera::Context;

    pub trait Value {
        fn insert_into(&self, context: &mut Context, key: &'static str);
    }

    impl<T: Serialize> Value for T {
        fn insert_into(&self, context: &mut Context, key: &'static str) {
            context.insert(key, self);
        }
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn rel(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// Template name → (file it came from, text).
type Templates = BTreeMap<String, (String, String)>;

fn compile(templates: Templates, static_files: BTreeMap<String, Vec<u8>>) -> Result<Theme, Diagnostic> {
    let mut all = String::new();
    for (name, (_, text)) in &templates {
        all.push_str(name);
        all.push_str(text);
    }
    let templates_hash = crate::load::content_hash(all.as_bytes());
    for (name, bytes) in &static_files {
        all.push_str(name);
        all.push_str(&crate::load::content_hash(bytes).to_string());
    }
    let hash = crate::load::content_hash(all.as_bytes());
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    let origins: BTreeMap<String, String> =
        templates.iter().map(|(k, (origin, _))| (k.clone(), origin.clone())).collect();
    tera.add_raw_templates(templates.iter().map(|(name, (_, text))| (name.as_str(), text.as_str()))).map_err(|e| {
        Diagnostic::new(
            Code::TemplateError,
            Path::new("themes"),
            Pos::UNKNOWN,
            format!("a template does not compile: {}", error_chain(&e)),
        )
        .help("fix the template syntax (tera 2)")
    })?;
    let reserved_ids = ReservedIds::scan(templates.values().map(|(_, text)| text.as_str()));
    Ok(Theme { tera, origins, static_files, hash, templates_hash, reserved_ids })
}

/// The built-in default theme's templates and static files overlaid with `root/themes/default`
/// and `root/themes/<name>`.
fn collect(root: &Path, name: &str) -> Result<(Templates, BTreeMap<String, Vec<u8>>), Diagnostic> {
    let mut templates = Templates::new();
    let mut static_files = BTreeMap::new();
    collect_builtin(&DEFAULT_THEME, &mut templates, &mut static_files);
    let mut overlays = vec![root.join("themes/default")];
    if name != "default" {
        overlays.push(root.join("themes").join(name));
    }
    for dir in overlays.iter().filter(|d| d.is_dir()) {
        collect_dir(root, dir, &mut templates, &mut static_files).map_err(|e| {
            Diagnostic::new(Code::TemplateError, &rel(root, dir), Pos::UNKNOWN, format!("cannot read the theme: {e:#}"))
        })?;
    }
    Ok((templates, static_files))
}

fn collect_builtin(dir: &Dir<'_>, templates: &mut Templates, statics: &mut BTreeMap<String, Vec<u8>>) {
    for file in dir.files() {
        let path = file.path().to_string_lossy().replace('\\', "/");
        if let Some(name) = path.strip_prefix("templates/") {
            let text = String::from_utf8_lossy(file.contents()).into_owned();
            templates.insert(name.to_owned(), (format!("themes/default/{path}"), text));
        } else if let Some(name) = path.strip_prefix("static/") {
            statics.insert(name.to_owned(), file.contents().to_vec());
        }
    }
    for sub in dir.dirs() {
        collect_builtin(sub, templates, statics);
    }
}

fn collect_dir(
    root: &Path,
    dir: &Path,
    templates: &mut Templates,
    statics: &mut BTreeMap<String, Vec<u8>>,
) -> anyhow::Result<()> {
    for entry in walkdir::WalkDir::new(dir).follow_links(false).sort_by_file_name() {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy();
        if !entry.file_type().is_file() || crate::load::is_ignored_name(&name) {
            continue;
        }
        let inner = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let inner = crate::diagnostics::display_path(inner);
        let bytes = std::fs::read(entry.path()).with_context(|| format!("cannot read {}", entry.path().display()))?;
        if let Some(name) = inner.strip_prefix("templates/") {
            let text = String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", entry.path().display()))?;
            templates.insert(name.to_owned(), (crate::diagnostics::display_path(&rel(root, entry.path())), text));
        } else if let Some(name) = inner.strip_prefix("static/") {
            statics.insert(name.to_owned(), bytes);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_ids_come_from_literal_and_templated_ids() {
        let ids =
            ReservedIds::scan(["<main id=\"main\"><section id=\"claims-{{ g.kind }}\"><p id=\"{{ x }}\">"].into_iter());
        assert!(ids.contains("main"));
        assert!(ids.contains("claims-fact"));
        assert!(!ids.contains("overview"));
    }

    #[test]
    fn theme_ids_are_known_per_page_template() {
        let ids = ThemeIds::read(Path::new("/nonexistent"), "default");
        assert!(ids.all.contains("right-of-reply") && ids.all.contains("main"));
        assert!(ids.on_page("provider.html", "right-of-reply"));
        assert!(ids.on_page("page.html", "main"), "the base layout's ids are on every page");
        assert!(!ids.on_page("page.html", "right-of-reply"));
        assert!(!ids.on_page("no-such.html", "main"));
    }

    #[test]
    fn the_builtin_theme_compiles() {
        let theme = Theme::builtin();
        assert_ne!(theme.templates_hash, 0);
        assert!(theme.reserved_ids.contains("main"));
    }
}
