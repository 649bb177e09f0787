//! The crate's modules in layers, lowest first, as docs/architecture.md draws them: a module's
//! code (its tests aside) names only modules of lower layers, so imports point one way and no
//! two modules need each other.

use std::collections::BTreeSet;

use crate::harness::manifest_dir;

const LAYERS: &[&[&str]] = &[
    &["cli", "fsio", "markdown", "memo", "minify", "model", "output"],
    &["config", "diagnostics"],
    &["frontmatter", "load"],
    &["history", "site", "theme_files"],
    &["changes", "external", "render", "search", "validate"],
    &["cache"],
    &["serve"],
    &["cmd"],
];

/// The layer of the top-level module `name`.
fn layer_of(name: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&name))
}

/// The top-level modules `text` names as `crate::<module>`.
fn named_modules(text: &str) -> BTreeSet<String> {
    text.match_indices("crate::")
        .map(|(at, _)| {
            let rest = &text[at + "crate::".len()..];
            rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

#[test]
fn modules_import_only_lower_layers() {
    let src = manifest_dir().join("src");
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for entry in walkdir::WalkDir::new(&src) {
        let path = entry.expect("walk src").into_path();
        let rel = path.strip_prefix(&src).expect("inside src").to_string_lossy().replace('\\', "/");
        let name = rel.split(['/', '.']).next().unwrap_or_default().to_owned();
        // Test code may reach anywhere; the entry points sit above everything.
        let test_only = rel.ends_with("_tests.rs") || name == "testing";
        if path.extension().is_none_or(|x| x != "rs") || test_only || name == "lib" || name == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read a source file");
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
        let Some(own) = layer_of(&name) else {
            problems.push(format!("{rel}: module {name} is in no layer"));
            continue;
        };
        seen.insert(name.clone());
        for other in named_modules(code).into_iter().filter(|other| *other != name && other != "testing") {
            match layer_of(&other) {
                Some(layer) if layer < own => {}
                Some(_) => problems.push(format!("{rel} (layer {own}) names crate::{other}, which is not below it")),
                None => problems.push(format!("{rel} names crate::{other}, which is in no layer")),
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    let listed: BTreeSet<String> = LAYERS.iter().flat_map(|l| l.iter().map(|m| (*m).to_owned())).collect();
    assert_eq!(seen, listed, "every listed module exists and every module is listed");
}

/// The check itself sees an upward name: a lower module's code naming a higher one.
#[test]
fn an_upward_name_is_seen() {
    assert_eq!(
        named_modules("use crate::render::Theme;\nfn f() { crate::cache::x() }"),
        ["cache", "render"].map(String::from).into()
    );
    assert!(layer_of("site") < layer_of("cache"));
}
