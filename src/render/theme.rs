//! The tera seam: the theme's templates and static files, and rendering one page with them.
//!
//! The default theme is compiled into the binary, so any wiki builds; a wiki's own
//! `themes/default/` and `themes/<name>/` override it file by file. Autoescaping is on for
//! every template, and the site-wide context is set once, not per page.

use std::collections::BTreeMap;
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
}

impl Theme {
    /// The built-in default theme overlaid with `root/themes/default` and `root/themes/<name>`.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Diagnostic> {
        let mut templates: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut static_files = BTreeMap::new();
        collect_builtin(&DEFAULT_THEME, &mut templates, &mut static_files);
        let mut overlays = vec![root.join("themes/default")];
        if name != "default" {
            overlays.push(root.join("themes").join(name));
        }
        for dir in overlays.iter().filter(|d| d.is_dir()) {
            collect_dir(root, dir, &mut templates, &mut static_files).map_err(|e| {
                Diagnostic::new(
                    Code::TemplateError,
                    &rel(root, dir),
                    Pos::UNKNOWN,
                    format!("cannot read the theme: {e:#}"),
                )
            })?;
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        let origins: BTreeMap<String, String> =
            templates.iter().map(|(k, (origin, _))| (k.clone(), origin.clone())).collect();
        tera.add_raw_templates(templates.iter().map(|(name, (_, text))| (name.as_str(), text.as_str()))).map_err(
            |e| {
                Diagnostic::new(
                    Code::TemplateError,
                    Path::new("themes"),
                    Pos::UNKNOWN,
                    format!("a template does not compile: {}", error_chain(&e)),
                )
                .help("fix the template syntax (tera 2)")
            },
        )?;
        Ok(Theme { tera, origins, static_files })
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

type Templates = BTreeMap<String, (String, String)>;

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
