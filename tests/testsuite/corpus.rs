//! The benchmark corpus generator (`benches/support/corpus/`, run as `examples/gen_corpus.rs`):
//! what it writes passes `dossier check`, and it is deterministic, so benchmark runs compare
//! like with like.

#[allow(dead_code)] // the generator's API serves the example and the benches too
#[path = "../../benches/support/corpus/mod.rs"]
pub(crate) mod generator;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use generator::{Flavor, Options};

use crate::harness::{dossier, manifest_dir};

pub(crate) fn generate(n: usize, flavor: Flavor, scaffold_from: Option<&Path>) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("dossier-corpus-").tempdir().expect("create a temp dir");
    let options = Options {
        n,
        seed: "1".into(),
        out: dir.path().to_path_buf(),
        flavor,
        scaffold_from: scaffold_from.map(Path::to_path_buf),
        hugo_scaffold: None,
    };
    let summary = generator::generate(&options).expect("generate the corpus");
    assert_eq!(summary.documents, n);
    dir
}

/// Every file under `root`, by relative path.
fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(|e| e.expect("walk the corpus"))
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(root).expect("inside").to_path_buf(), fs::read(e.path()).expect("read")))
        .collect()
}

#[test]
fn generated_dossiers_pass_check_with_the_repo_scaffold_and_alone() {
    for scaffold in [Some(manifest_dir()), None] {
        let corpus = generate(50, Flavor::Dossier, scaffold);
        let providers = fs::read_dir(corpus.path().join("content/providers")).expect("providers").count();
        assert_eq!(providers, 50, "one file per dossier, no slug collisions");
        let run = dossier().arg("check").arg("--root").arg(corpus.path()).arg("--format").arg("json").run();
        run.assert_code(0);
        let errors: Vec<_> = run.findings().into_iter().filter(|f| f.severity == "error").collect();
        assert!(errors.is_empty(), "scaffold {scaffold:?}: {errors:#?}");
    }
}

#[test]
fn generation_is_deterministic_and_a_smaller_corpus_is_a_prefix() {
    let (a, b) = (generate(50, Flavor::Dossier, None), generate(50, Flavor::Dossier, None));
    let (a, b) = (files(a.path()), files(b.path()));
    assert!(a == b, "two generations with the same seed differ");
    let small = files(generate(10, Flavor::Dossier, None).path());
    for (path, bytes) in &small {
        assert_eq!(a.get(path), Some(bytes), "{} differs between n=10 and n=50", path.display());
    }
}

#[test]
fn the_hugo_flavor_carries_the_same_documents() {
    let hugo = generate(5, Flavor::Hugo, None);
    let wiki = generate(5, Flavor::Dossier, None);
    assert!(hugo.path().join("config.toml").is_file() && hugo.path().join("layouts/_default/single.html").is_file());
    let names = |root: &Path| -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(root.join("content/providers"))
            .expect("providers")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n != "_index.md")
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(hugo.path()), names(wiki.path()));
    let page = fs::read_to_string(hugo.path().join("content/providers").join(&names(hugo.path())[0])).expect("read");
    assert!(page.starts_with("---\ntitle: ") && page.contains("\njurisdictions: [\""), "{page}");
}

#[test]
fn a_generated_history_edits_one_to_three_dossiers_a_commit_and_still_builds() {
    let corpus = generate(30, Flavor::Dossier, None);
    let options = Options {
        n: 30,
        seed: "1".into(),
        out: corpus.path().to_path_buf(),
        flavor: Flavor::Dossier,
        scaffold_from: None,
        hugo_scaffold: None,
    };
    generator::history::write_history(&options, 80).expect("write the history");
    let git = |args: &[&str]| -> String {
        let out = std::process::Command::new("git").arg("-C").arg(corpus.path()).args(args).output().expect("run git");
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(git(&["rev-list", "--count", "--first-parent", "HEAD"]).trim(), "80");
    assert!(git(&["status", "--porcelain"]).is_empty(), "the work tree is the last commit");
    let log = git(&["log", "--format=%x00", "--name-only", "HEAD~79..HEAD"]);
    for commit in log.split('\0').skip(1) {
        let files = commit.lines().filter(|l| !l.is_empty()).count();
        assert!((1..=3).contains(&files), "a commit edits one to three dossiers: {commit:?}");
    }
    let out = corpus.path().join("public");
    let run = dossier().arg("build").arg("--no-cache").arg("--root").arg(corpus.path()).arg("--output").arg(&out).run();
    run.assert_code(0);
    let changes: serde_json::Value = serde_json::from_slice(&fs::read(out.join("api/changes.json")).unwrap()).unwrap();
    let entries = changes["changes"].as_array().unwrap().len();
    assert!(entries >= 30 + 79, "every dossier added, then each commit's edits");
    // More entries than the front page shows: the archive pages exist, and are valid HTML.
    assert!(out.join(format!("changes/page/{}/index.html", entries.div_ceil(100))).is_file());
    assert!(!out.join(format!("changes/page/{}/index.html", entries.div_ceil(100) + 1)).exists());
    assert_eq!(crate::build::nu_errors_in(&[&out]), Vec::<String>::new());
}
