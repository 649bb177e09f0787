//! A small wiki in a temporary folder for the unit tests of the stages that read a [`Site`]:
//! real files, loaded by the real loader.

use crate::model::Date;

/// The test suite's git runner, so unit and integration tests make repositories alike.
#[path = "../tests/testsuite/git_cli.rs"]
pub mod git_cli;
use std::path::Path;

use crate::site::{Site, load_site};

/// The settings every test wiki starts from: a 365-day window, and one category whose table
/// has a yes/no and a number column.
const SITE: &str = "title: Test wiki\ndescription: A wiki for unit tests.\nbase_url: https://wiki.example.org/\nstale_after_days: 365\n";
const CATEGORY: &str = "---\nname: Email hosting\ndescription: Mailboxes.\nfacts:\n  - key: dkim\n    label: DKIM\n    type: boolean\n  - key: storage\n    label: Storage\n    type: number\n    unit: GB\n---\n";

/// The day the test wikis are read on.
pub fn today() -> Date {
    Date::parse("2026-11-27").unwrap_or_else(|| unreachable!("a valid date"))
}

/// A wiki with the settings, the category `email-hosting` and `files` (`content/`-relative path,
/// text) written over them, loaded; the folder lives as long as the returned guard.
pub fn wiki(files: &[(&str, &str)]) -> (tempfile::TempDir, Site) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let content = dir.path().join("content");
    let defaults = [("site.yaml", SITE), ("categories/email-hosting.md", CATEGORY)];
    for (rel, text) in defaults.iter().chain(files) {
        let path = content.join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create a folder");
        std::fs::write(&path, text).expect("write a file");
    }
    let site = load_site(dir.path()).expect("load the wiki");
    assert!(site.diagnostics.is_empty(), "the test wiki does not load cleanly: {:?}", site.diagnostics);
    (dir, site)
}

/// A dossier in the `email-hosting` category with the website `https://<slug>.test`, the named
/// sources and facts in `extra` (YAML at the top level) and the claims in `claims` (YAML list
/// items, indented two spaces).
pub fn dossier(slug: &str, extra: &str, claims: &str) -> (String, String) {
    let text = format!(
        "---\nname: {slug}\nwebsite: https://{slug}.test\ncategory: email-hosting\nsummary: About {slug}.\n{extra}claims:\n{claims}---\nBody.\n"
    );
    (format!("providers/{slug}.md"), text)
}

/// One claim as a YAML list item for [`dossier`], sourced inline on `source_host`.
pub fn claim(id: &str, kind: &str, impact: &str, verified: &str, source_host: &str) -> String {
    format!(
        "  - id: {id}\n    text: Claim {id}.\n    kind: {kind}\n    status: verified\n    impact: {impact}\n    verified: {verified}\n    sources:\n      - url: https://{source_host}/{id}\n        title: Source of {id}\n        accessed: {verified}\n        archive: https://archive.example.org/{id}\n"
    )
}

/// [`claim`] `reply`, neutral, verified 2026-10-01, sourced on `source_host`, answering `target`.
pub fn responding(kind: &str, target: &str, source_host: &str) -> String {
    claim("reply", kind, "neutral", "2026-10-01", source_host).replacen(
        "    sources:",
        &format!("    responds_to: {target}\n    sources:"),
        1,
    )
}

/// A throwaway git repository with a fixed identity and no user or system configuration.
pub struct TestRepo {
    pub dir: tempfile::TempDir,
}

impl TestRepo {
    /// An empty repository on `main`.
    pub fn new() -> TestRepo {
        let repo = TestRepo { dir: tempfile::tempdir().expect("a temporary folder") };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn git(&self, args: &[&str]) -> String {
        git_cli::git_on(self.root(), "2026-01-01", args)
    }

    /// Runs git with author and committer dates set to noon UTC on `day`.
    pub fn git_on(&self, day: &str, args: &[&str]) -> String {
        git_cli::git_on(self.root(), day, args)
    }

    /// Writes `text` at `rel` (relative to the repository's top), making its folders.
    pub fn write(&self, rel: &str, text: &str) {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create a folder");
        std::fs::write(path, text).expect("write a file");
    }

    /// Commits everything on `day`.
    pub fn commit(&self, day: &str, message: &str) {
        self.git_on(day, &["add", "-A"]);
        self.git_on(day, &["commit", "-q", "--allow-empty", "-m", message]);
    }
}
