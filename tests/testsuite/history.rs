//! The record over time on a real repository: the fixture wiki committed in steps with the git
//! CLI (dates pinned), then built. History pages, `/changes/`, `/corrections/`, the feeds and
//! the JSON; the Nu HTML Checker and the feed checks; a warm build after a new commit equal to a
//! cold one; a shallow clone.

use std::path::Path;

use crate::build::{check_atom, nu_errors_in};
pub use crate::git_cli::git_on;
use crate::harness::{Wiki, dossier, fixtures_dir};

const BASE: &str = "https://wiki.example.org/wiki/";
const HARBORLINE: &str = "content/providers/harborline.md";

pub fn commit_on(wiki: &Wiki, day: &str, message: &str) {
    git_on(wiki.root(), day, &["add", "-A"]);
    git_on(wiki.root(), day, &["commit", "-q", "--allow-empty", "-m", message]);
}

fn edit(wiki: Wiki, rel: &str, from: &str, to: &str) -> Wiki {
    let text = wiki.read(rel);
    assert!(text.contains(from), "{rel} lacks {from:?}");
    let text = text.replacen(from, to, 1);
    wiki.write(rel, text)
}

const EXTRA_CLAIM: &str = "  - id: outage-2026
    text: A <b>four-hour</b> outage in March 2026 stopped mail delivery.
    kind: incident
    status: verified
    impact: negative
    verified: 2026-03-01
    sources:
      - url: https://status.harborline.test/2026-03
        title: Status page
        accessed: 2026-03-01
";

/// The fixture wiki with a history: added; an allegation disputed and a claim added; a
/// version that does not parse; the added claim removed and the allegation retracted.
fn history_wiki() -> Wiki {
    let wiki = Wiki::empty().overlay_dir(&fixtures_dir().join("wiki"));
    git_on(wiki.root(), "2026-01-10", &["init", "-q", "-b", "main"]);
    commit_on(&wiki, "2026-01-10", "Add the wiki");
    let wiki = edit(wiki, HARBORLINE, "    status: alleged\n", "    status: disputed\n");
    let wiki =
        edit(wiki, HARBORLINE, "  - id: harborline-denial\n", &format!("{EXTRA_CLAIM}  - id: harborline-denial\n"));
    commit_on(&wiki, "2026-02-02", "Harborline disputes the retaliation report");
    let good = wiki.read(HARBORLINE);
    let wiki = edit(wiki, HARBORLINE, "name: Harborline Mail", "name: [Harborline Mail");
    commit_on(&wiki, "2026-03-03", "Typo in Harborline");
    let wiki = wiki
        .write(HARBORLINE, good.replace(EXTRA_CLAIM, "").replace("    status: disputed\n", "    status: retracted\n"));
    commit_on(&wiki, "2026-03-04", "Retract the <retaliation> report: the source withdrew it");
    wiki
}

fn build(wiki: &Wiki, out: &Path, extra: &[&str]) -> crate::harness::Outcome {
    let run = dossier().arg("build").arg("--root").arg(wiki.root()).arg("--output").arg(out).args(extra).run();
    run.assert_code(0);
    run
}

/// The text of an HTML page without tags, whitespace collapsed.
fn text_of(out: &Path, rel: &str) -> String {
    let html = std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"));
    let doc = scraper::Html::parse_document(&html);
    doc.root_element().text().collect::<Vec<_>>().join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn history_pages_feeds_and_data_tell_what_changed() {
    let wiki = history_wiki();
    let out = wiki.path("public");
    build(&wiki, &out, &["--no-cache"]);

    let page = text_of(&out, "providers/harborline/history/index.html");
    let order = [
        "2026-03-04",
        "Retract the <retaliation> report: the source withdrew it",
        "Status of claim staff-retaliation: Former support staff",
        "changed from disputed to retracted",
        "Claim outage-2026 removed",
        "2026-03-03",
        "This version did not parse",
        "2026-02-02",
        "changed from alleged to disputed",
        "2026-01-10",
        "Dossier added",
    ];
    let mut at = 0;
    for words in order {
        let found = page[at..].find(words).unwrap_or_else(|| panic!("{words:?} missing or out of order in: {page}"));
        at += found;
    }
    assert!(!page.contains("four-hour"), "a removed claim's text is not republished: {page}");
    let html = std::fs::read_to_string(out.join("providers/harborline/history/index.html")).unwrap();
    assert!(html.contains("href=\"https://git.example.org/wiki/commit/"), "commits link to the forge");
    assert!(
        html.contains("href=\"/wiki/providers/harborline/#claim-staff-retaliation\""),
        "claims link to their anchor"
    );
    assert!(html.contains("Retract the &lt;retaliation&gt; report"), "subjects are escaped");
    assert!(
        html.contains("<link rel=\"alternate\" type=\"application/atom+xml\"")
            && html.contains("href=\"/wiki/providers/harborline/feed.xml\""),
        "the page links its feed"
    );

    let provider = text_of(&out, "providers/harborline/index.html");
    assert!(provider.contains("First recorded 2026-01-10 Changes 4 Last change 2026-03-04"), "{provider}");
    assert!(
        provider.contains("Status history: alleged 2026-01-10 → disputed 2026-02-02 → retracted 2026-03-04"),
        "{provider}"
    );

    let corrections = text_of(&out, "corrections/index.html");
    assert!(
        corrections.contains("Claim outage-2026 removed") && corrections.contains("changed from disputed to retracted")
    );
    assert!(!corrections.contains("Dossier added"), "additions are not corrections: {corrections}");
    let changes = text_of(&out, "changes/index.html");
    assert!(changes.contains("Nimbus DNS") && changes.contains("Harborline Mail"), "{changes}");

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("providers/harborline/history.json")).unwrap()).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["slug"], "harborline");
    let newest = &json["changes"][0];
    assert_eq!(newest["date"], "2026-03-04");
    assert_eq!(newest["changes"][0]["event"], "status-changed");
    assert_eq!(newest["changes"][0]["to"], "retracted");
    let all: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("api/changes.json")).unwrap()).unwrap();
    assert_eq!(all["changes"].as_array().unwrap().len(), 5 + 3, "five dossiers added, three later changes");

    let entries =
        check_atom(&out, BASE, "providers/harborline/feed.xml", &format!("{BASE}providers/harborline/history/"));
    assert_eq!(entries.len(), 4);
    assert!(entries[0].0.contains("Retract the <retaliation> report"), "{entries:?}");
    check_atom(&out, BASE, "changes.xml", &format!("{BASE}changes/"));
    let category =
        check_atom(&out, BASE, "categories/email-hosting/feed.xml", &format!("{BASE}categories/email-hosting/"));
    assert!(category.iter().all(|(title, _)| !title.starts_with("Nimbus DNS")), "{category:?}");

    let errors = nu_errors_in(&[&out]);
    assert!(errors.is_empty(), "{} Nu HTML Checker errors:\n{}", errors.len(), errors.join("\n"));
}

#[test]
fn a_warm_build_after_a_new_commit_equals_a_cold_build() {
    let wiki = history_wiki();
    let out = wiki.path("public");
    build(&wiki, &out, &[]);
    let wiki = edit(wiki, "content/providers/nimbusdns.md", "status: verified", "status: superseded");
    commit_on(&wiki, "2026-04-01", "Nimbus DNS changed its terms");
    build(&wiki, &out, &[]);
    let cold = wiki.path("cold");
    build(&wiki, &cold, &["--no-cache"]);
    let tree = |dir: &Path| -> std::collections::BTreeMap<String, Vec<u8>> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
            })
            .collect()
    };
    let (warm, cold) = (tree(&out), tree(&cold));
    assert_eq!(warm.keys().collect::<Vec<_>>(), cold.keys().collect::<Vec<_>>());
    let differing: Vec<&String> = warm.iter().filter(|(k, v)| cold.get(*k) != Some(*v)).map(|(k, _)| k).collect();
    assert!(differing.is_empty(), "the warm build differs from a cold one in {differing:?}");
    assert!(text_of(&out, "changes/index.html").contains("Nimbus DNS changed its terms"));
}

#[test]
fn a_shallow_clone_builds_and_says_from_when_history_is_complete() {
    let origin = history_wiki();
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.root().display());
    let root = clone.path().join("wiki");
    git_on(clone.path(), "2026-03-05", &["clone", "-q", "--depth", "3", &url, root.to_str().unwrap()]);
    let out = clone.path().join("public");
    let run = dossier().arg("build").arg("--no-cache").arg("--root").arg(&root).arg("--output").arg(&out).run();
    run.assert_code(0);
    assert_eq!(run.stderr.matches("history before 2026-02-02 is not available").count(), 1, "{}", run.stderr);
    let page = text_of(&out, "providers/harborline/history/index.html");
    assert!(page.contains("History before 2026-02-02 not available"), "{page}");
    assert!(page.contains("Retract the <retaliation> report") && page.contains("This version did not parse"), "{page}");
    assert!(!page.contains("Dossier added"), "the boundary commit records nothing: {page}");
}

const ALLEGATION: &str = "  - id: slow-refunds
    text: Customers report refunds taking three months.
    kind: allegation
    status: alleged
    impact: negative
    verified: 2026-04-01
    sources:
      - url: https://forum.example.org/refunds
        title: Refund thread
        accessed: 2026-04-01
";

/// A branch off `main` with committed and uncommitted edits of every kind review cares about.
fn review_branch() -> Wiki {
    let wiki = history_wiki();
    git_on(wiki.root(), "2026-04-01", &["checkout", "-q", "-b", "pr"]);
    let wiki = edit(wiki, "content/providers/nimbusdns.md", "claims:\n", &format!("claims:\n{ALLEGATION}"));
    commit_on(&wiki, "2026-04-02", "Add an allegation");
    // Uncommitted: a status downgrade and a retraction.
    let wiki = edit(wiki, HARBORLINE, "    status: retracted\n", "    status: disputed\n");
    edit(wiki, "content/providers/zonequill.md", "status: verified", "status: retracted")
}

#[test]
fn diff_shows_a_branch_claim_by_claim_with_what_review_cares_about() {
    let wiki = review_branch();
    let run = dossier().arg("diff").arg("main").arg("--format").arg("markdown").arg("--root").arg(wiki.root()).run();
    run.assert_code(0);
    let base = git_on(wiki.root(), "2026-04-03", &["rev-parse", "main"]);
    let markdown = run.stdout.replace(&base.trim()[..10], "<base>");
    insta::assert_snapshot!("diff_markdown", markdown);

    let json = dossier().args(["diff", "main", "--format", "json", "--root"]).arg(wiki.root()).run();
    json.assert_code(0);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["labels"], serde_json::json!(["allegation", "needs-two-reviews", "retraction"]));
    let slugs: Vec<&str> = report["dossiers"].as_array().unwrap().iter().map(|d| d["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["harborline", "nimbusdns", "zonequill"]);
    assert_eq!(report["dossiers"][1]["flags"], serde_json::json!(["new-allegation"]));

    let human = dossier().args(["diff", "main", "--root"]).arg(wiki.root()).run();
    human.assert_code(0);
    assert!(human.stdout.contains("! Claim `slow-refunds` added (allegation, alleged)"), "{}", human.stdout);
    assert!(human.stdout.contains("Review: two editors' approval"), "{}", human.stdout);
}

#[test]
fn diff_without_the_base_fails_with_advice() {
    let wiki = history_wiki();
    let run = dossier().args(["diff", "origin/main", "--root"]).arg(wiki.root()).run();
    run.assert_code(2);
    assert!(run.stderr.contains("origin/main") && run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
}

#[test]
fn the_preview_shows_uncommitted_changes_as_a_pending_entry() {
    let wiki = history_wiki();
    let mut server = crate::serve::client::Server::start(wiki.root());
    let page = "/providers/harborline/history/";
    let before = server.get(page);
    assert_eq!(before.status, 200);
    assert!(!before.has("Uncommitted changes"), "a clean working tree has nothing pending");
    let edited = wiki.read(HARBORLINE).replace("    status: retracted\n", "    status: disputed\n");
    std::fs::write(wiki.path(HARBORLINE), edited).unwrap();
    let after = server.wait_for_page(page, "the pending entry", |r| r.has("Uncommitted changes"));
    assert!(after.has("changed from retracted to disputed"), "the pending entry names the change");
    assert!(after.has("Retract the &lt;retaliation&gt; report"), "the committed history stays below it");
    server.assert_alive();
}
