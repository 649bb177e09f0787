//! The generated wiki a bench measures (kept for the whole run) and the day it is checked on.

use std::path::Path;

use dossier::model::Date;

use crate::corpus;

/// A wiki of `dossiers` generated dossiers in a temp dir, with the repository's settings,
/// categories and pages.
pub fn generate(dossiers: usize) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("dossier-bench-").tempdir().expect("create a temp dir");
    let options = corpus::Options {
        n: dossiers,
        seed: "1".into(),
        out: dir.path().to_path_buf(),
        flavor: corpus::Flavor::Dossier,
        scaffold_from: Some(Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()),
        hugo_scaffold: None,
    };
    corpus::generate(&options).expect("generate the corpus");
    dir
}

pub fn today() -> Date {
    Date::parse("2026-11-27").expect("a date")
}
