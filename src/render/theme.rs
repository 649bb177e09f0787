//! The tera seam: the theme's templates compiled, and rendering one page with them. The
//! theme's files themselves (which template and static file comes from where, and the ids in
//! the templates) are [`theme_files`]'s, which `check` reads too. Autoescaping is on for every
//! template, and the site-wide context is set once, not per page.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use tera::{Context, Tera};

use crate::diagnostics::{Code, Diagnostic};
use crate::model::Pos;
use crate::theme_files::{self, ReservedIds, Templates};

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

impl Theme {
    /// The built-in default theme overlaid with `root/themes/default` and `root/themes/<name>`.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Diagnostic> {
        let (templates, static_files) = theme_files::collect(root, name)?;
        compile(templates, static_files)
    }

    /// The compiled-in default theme alone, for when a wiki's own theme does not compile.
    pub fn builtin() -> Theme {
        let (templates, static_files) = theme_files::builtin();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_theme_compiles() {
        let theme = Theme::builtin();
        assert_ne!(theme.templates_hash, 0);
        assert!(theme.reserved_ids.contains("main"));
    }
}
