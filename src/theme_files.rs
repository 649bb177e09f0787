//! A theme's files: the built-in default theme (compiled into the binary, so any wiki builds)
//! overlaid file by file with a wiki's own `themes/default/` and `themes/<name>/`, as template
//! texts and static files, and the element ids the templates use. The render stage compiles
//! the templates (tera, `render/theme.rs`); `check` reads only the ids, rendering nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use include_dir::{Dir, include_dir};

use crate::diagnostics::{Code, Diagnostic};
use crate::model::Pos;

static DEFAULT_THEME: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Template name → (file it came from, text).
pub type Templates = BTreeMap<String, (String, String)>;

/// Ids a page's own markup uses, read from the templates.
#[derive(Debug, Clone, Default)]
pub struct ReservedIds {
    pub exact: BTreeSet<String>,
    pub prefixes: BTreeSet<String>,
}

impl ReservedIds {
    /// Finds `id="..."` in template text: literal ids, and the literal start of templated ones.
    pub fn scan<'a>(texts: impl Iterator<Item = &'a str>) -> ReservedIds {
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
    /// The ids of the theme `render::Theme::load` would load; the built-in theme's alone when the
    /// wiki's cannot be read (`build` then says why).
    pub fn read(root: &Path, name: &str) -> ThemeIds {
        let templates = collect(root, name).map_or_else(|_| builtin().0, |(templates, _)| templates);
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

/// The built-in default theme's templates and static files alone.
pub fn builtin() -> (Templates, BTreeMap<String, Vec<u8>>) {
    let mut templates = Templates::new();
    let mut static_files = BTreeMap::new();
    collect_builtin(&DEFAULT_THEME, &mut templates, &mut static_files);
    (templates, static_files)
}

/// The built-in default theme's templates and static files overlaid with `root/themes/default`
/// and `root/themes/<name>`.
pub fn collect(root: &Path, name: &str) -> Result<(Templates, BTreeMap<String, Vec<u8>>), Diagnostic> {
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

fn rel(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
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
}
