//! `check --changed-since REF` on throwaway git repositories: only the files a change touched
//! are reported (added, edited, removed, renamed, committed or not), the re-verify rule compares
//! old and new claims, and a missing base (a shallow clone) fails with advice instead of a
//! wrong answer.

use std::path::Path;
use std::process::Command;

use crate::harness::{Outcome, Wiki};

const DOSSIER: &str = "content/providers/examplemail.md";

/// Runs git in `dir` with a fixed identity, dates and no user or system configuration.
pub fn git(dir: &Path, args: &[&str]) -> String {
    crate::history::git_on(dir, "2026-01-01", args)
}

/// A copy of `minimal` committed on `main`, with a `pr` branch checked out.
fn repo(base: Wiki) -> Wiki {
    git(base.root(), &["init", "-q", "-b", "main"]);
    commit_all(&base, "base");
    git(base.root(), &["checkout", "-q", "-b", "pr"]);
    base
}

pub fn commit_all(wiki: &Wiki, message: &str) {
    git(wiki.root(), &["add", "-A"]);
    git(wiki.root(), &["commit", "-q", "--allow-empty", "-m", message]);
}

/// Replaces `from` with `to` in the file at `rel`; `from` must be there.
fn edit(wiki: Wiki, rel: &str, from: &str, to: &str) -> Wiki {
    let text = wiki.read(rel);
    assert!(text.contains(from), "{rel} has no `{from}`");
    let changed = text.replacen(from, to, 1);
    wiki.write(rel, changed)
}

fn changed_since(wiki: &Wiki, base: &str) -> Outcome {
    wiki.check().args(["--changed-since", base, "--format", "json"]).run()
}

fn codes(run: &Outcome) -> Vec<(String, String, u32, u32)> {
    run.findings().into_iter().map(|f| (f.code, f.path, f.line, f.column)).collect()
}

#[test]
fn reworded_claim_without_a_new_verified_date_is_flagged() {
    let wiki = repo(Wiki::minimal());
    let wiki = edit(wiki, DOSSIER, "text: Outgoing mail is DKIM-signed.", "text: All outgoing mail is DKIM-signed.");
    commit_all(&wiki, "reword");
    let run = changed_since(&wiki, "main");
    run.assert_code(0);
    assert_eq!(codes(&run), [("reverify-claim".into(), DOSSIER.into(), 23, 15)]);
    let finding = &run.findings()[0];
    assert_eq!(finding.severity, "warning");
    assert!(finding.message.contains("re-verify and update verified"), "{}", finding.message);

    let human = wiki.check().args(["--changed-since", "main"]).run();
    human.assert_code(0);
    insta::assert_snapshot!("reverify_claim", human.stdout);
    wiki.check().args(["--changed-since", "main", "--deny-warnings"]).run().assert_code(1);
}

#[test]
fn a_new_allegation_without_the_vendors_side_fails_and_an_old_one_warns() {
    let allegation = crate::harness::invalid_case_dir("unanswered-allegation").join(DOSSIER);
    let text = std::fs::read_to_string(allegation).expect("read the unanswered-allegation case");
    let wiki = repo(Wiki::minimal()).write(DOSSIER, text);
    commit_all(&wiki, "allege");
    let human = wiki.check().args(["--changed-since", "main"]).run();
    human.assert_code(1);
    insta::assert_snapshot!("new_allegation", human.stdout);
    let github = wiki.check().args(["--changed-since", "main", "--format", "github"]).run();
    github.assert_code(1);
    insta::assert_snapshot!("new_allegation.github", github.stdout);
    let run = changed_since(&wiki, "main");
    assert_eq!(codes(&run), [("unanswered-allegation".into(), DOSSIER.into(), 39, 9)]);
    assert_eq!(run.findings()[0].severity, "error");

    // Merged, then a later change touches another part of the file: the allegation is as it
    // was, so it stays a warning; the whole check (no --changed-since) warns too.
    git(wiki.root(), &["checkout", "-q", "main"]);
    git(wiki.root(), &["merge", "-q", "--ff-only", "pr"]);
    git(wiki.root(), &["checkout", "-q", "-b", "later"]);
    let wiki = edit(wiki, DOSSIER, "Shared IMAP and SMTP hosting", "Shared IMAP, POP3 and SMTP hosting");
    commit_all(&wiki, "summary");
    let run = changed_since(&wiki, "main");
    run.assert_code(0);
    assert_eq!(run.findings()[0].severity, "warning", "{:?}", run.findings());
    wiki.check().run().assert_code(0);

    // Rewording it makes it a changed allegation again.
    let wiki = edit(wiki, DOSSIER, "A customer alleges that mail", "Two customers allege that mail");
    let run = changed_since(&wiki, "main");
    run.assert_code(1);
    let severities: Vec<(String, String)> = run.findings().into_iter().map(|f| (f.code, f.severity)).collect();
    assert!(severities.contains(&("unanswered-allegation".into(), "error".into())), "{severities:?}");

    // The vendor's side recorded: nothing left to hold.
    let wiki = edit(
        wiki,
        DOSSIER,
        "tags: [imap, smtp]\n",
        "tags: [imap, smtp]\nright_of_reply: { contacted: 2026-10-02, outcome: no-response }\n",
    );
    let run = changed_since(&wiki, "main");
    run.assert_code(0);
    assert!(run.findings().iter().all(|f| f.code != "unanswered-allegation"), "{:?}", run.findings());
}

#[test]
fn updating_verified_with_the_text_satisfies_the_rule() {
    let wiki = repo(Wiki::minimal());
    let wiki = edit(wiki, DOSSIER, "text: Outgoing mail is DKIM-signed.", "text: All outgoing mail is DKIM-signed.");
    let wiki = edit(
        wiki,
        DOSSIER,
        "    impact: positive\n    verified: 2026-10-01",
        "    impact: positive\n    verified: 2026-11-20",
    );
    commit_all(&wiki, "reword and re-verify");
    let run = changed_since(&wiki, "main");
    run.assert_code(0);
    assert!(run.findings().is_empty(), "{:?}", run.findings());
}

#[test]
fn a_changed_named_source_flags_every_claim_citing_it() {
    let wiki = repo(Wiki::minimal());
    let wiki = edit(wiki, DOSSIER, "url: https://examplemail.test/pricing", "url: https://examplemail.test/plans");
    commit_all(&wiki, "move the pricing page");
    let run = changed_since(&wiki, "main");
    assert_eq!(codes(&run), [("reverify-claim".into(), DOSSIER.into(), 36, 15)]);
    assert!(run.findings()[0].message.contains("changed its sources"), "{}", run.findings()[0].message);
}

#[test]
fn an_archive_link_or_access_date_alone_needs_no_re_verification() {
    let wiki = repo(Wiki::minimal());
    let wiki = edit(wiki, DOSSIER, "    accessed: 2026-10-01\n    archive:", "    accessed: 2026-11-01\n    archive:");
    commit_all(&wiki, "re-read pricing");
    assert!(changed_since(&wiki, "main").findings().is_empty());
}

#[test]
fn uncommitted_edits_count() {
    let wiki = repo(Wiki::minimal());
    let wiki = edit(wiki, DOSSIER, "includes 10 GB of storage", "includes 20 GB of storage");
    let run = changed_since(&wiki, "main");
    assert_eq!(codes(&run), [("reverify-claim".into(), DOSSIER.into(), 36, 15)]);
}

#[test]
fn only_findings_in_changed_files_are_shown() {
    // The base already has a stale claim in another dossier: not this change's business.
    let stale = Wiki::minimal().read(DOSSIER).replace("2026-10-01", "2024-01-01").replace("2026-09-12", "2024-01-01");
    let wiki = repo(Wiki::minimal().write("content/providers/oldmail.md", stale));
    wiki.check().args(["--format", "json"]).run().assert_code(0);
    assert!(wiki.check().args(["--format", "json"]).run().findings().iter().any(|f| f.code == "stale-claim"));

    // The change adds a dossier whose source lacks an archive link.
    let new = Wiki::minimal().read(DOSSIER).replacen(
        "    archive: https://web.archive.org/web/20261001000000/https://examplemail.test/pricing\n",
        "",
        1,
    );
    let wiki = wiki.write("content/providers/newmail.md", new);
    commit_all(&wiki, "add newmail");
    let run = changed_since(&wiki, "main");
    run.assert_code(0);
    assert_eq!(codes(&run), [("missing-archive".into(), "content/providers/newmail.md".into(), 10, 10)]);
    assert!(run.stderr.is_empty(), "{}", run.stderr);

    let github = wiki.check().args(["--changed-since", "main", "--format", "github"]).run();
    github.assert_code(0);
    assert_eq!(github.stdout.lines().count(), 1, "{}", github.stdout);
    assert!(github.stdout.starts_with("::warning file=content/providers/newmail.md,line=10,col=10,"));
}

#[test]
fn new_files_not_yet_added_to_git_count() {
    let wiki = repo(Wiki::minimal());
    let new = wiki.read(DOSSIER).replacen(
        "    archive: https://web.archive.org/web/20261001000000/https://examplemail.test/pricing\n",
        "",
        1,
    );
    let wiki = wiki.write("content/providers/newmail.md", new);
    let run = changed_since(&wiki, "main");
    run.assert_code(0);
    assert_eq!(codes(&run), [("missing-archive".into(), "content/providers/newmail.md".into(), 10, 10)]);
    // An ignored file is not part of the change.
    let wiki = wiki.write(".gitignore", "content/providers/newmail.md\n");
    commit_all(&wiki, "ignore newmail");
    assert!(changed_since(&wiki, "main").findings().is_empty());
}

#[test]
fn a_deleted_file_is_part_of_the_change() {
    let wiki = repo(Wiki::minimal());
    git(wiki.root(), &["rm", "-q", "content/site.yaml"]);
    commit_all(&wiki, "drop the settings");
    let run = changed_since(&wiki, "main");
    run.assert_code(1);
    assert_eq!(codes(&run), [("missing-site-config".into(), "content/site.yaml".into(), 0, 0)]);
    assert!(run.stderr.is_empty(), "the error is the change's own, not one outside it: {}", run.stderr);
}

#[test]
fn a_renamed_dossier_is_compared_with_what_it_was_under_its_old_name() {
    // The base already publishes an allegation with no answer: a warning, as it was before.
    let allegation = crate::harness::invalid_case_dir("unanswered-allegation").join(DOSSIER);
    let text = std::fs::read_to_string(allegation).expect("read the unanswered-allegation case");
    let wiki = repo(Wiki::minimal().write(DOSSIER, text));
    let renamed = "content/providers/mailco.md";
    git(wiki.root(), &["mv", DOSSIER, renamed]);
    let wiki = edit(wiki, renamed, "text: Outgoing mail is DKIM-signed.", "text: All outgoing mail is DKIM-signed.");
    commit_all(&wiki, "rename examplemail and reword a claim");
    let run = changed_since(&wiki, "main");
    run.assert_code(0);
    let found: Vec<(String, String, String)> =
        run.findings().into_iter().map(|f| (f.code, f.path, f.severity)).collect();
    assert_eq!(
        found,
        [
            ("reverify-claim".into(), renamed.into(), "warning".into()),
            ("unanswered-allegation".into(), renamed.into(), "warning".into()),
        ],
        "the reworded claim is found by comparing with the old file, and the old allegation is not new"
    );
}

#[test]
fn paths_with_spaces_quotes_and_accents_are_matched_exactly() {
    let odd = "content/providers/mail \"co\" é.md";
    let page = "content/pages/a \"b\" é.md";
    let wiki = Wiki::minimal();
    let (dossier, about) = (wiki.read(DOSSIER), wiki.read("content/pages/about.md"));
    let wiki = repo(wiki.write(odd, dossier).write(page, about));
    // Uncommitted: only the dossier changes; the page's file name is as wrong as it was.
    let wiki = edit(wiki, odd, "text: Outgoing mail is DKIM-signed.", "text: All outgoing mail is DKIM-signed.");
    let run = changed_since(&wiki, "main");
    run.assert_code(1);
    assert_eq!(codes(&run), [("invalid-slug".into(), odd.into(), 0, 0), ("reverify-claim".into(), odd.into(), 23, 15)]);
    assert!(
        run.stderr.contains("1 error in files not changed since main") && run.stderr.contains(page),
        "{}",
        run.stderr
    );
}

#[test]
fn errors_outside_the_change_still_fail_the_check() {
    // A category loses a fact column: the untouched dossier that fills it no longer checks.
    let wiki = repo(Wiki::minimal());
    let category = "content/categories/email-hosting.md";
    let text = wiki.read(category);
    let start = text.find("  - key: dkim").expect("the category declares dkim");
    let end = text[start + 1..].find("  - key:").map_or(text.len(), |i| start + 1 + i);
    let wiki = wiki.write(category, format!("{}{}", &text[..start], &text[end..]));
    commit_all(&wiki, "drop the dkim column");
    let human = wiki.check().args(["--changed-since", "main"]).run();
    human.assert_code(1);
    assert_eq!(
        human.stdout, "check failed: 0 errors, 0 warnings, 0 notes in the change, and 1 error outside it\n",
        "the verdict agrees with the exit status"
    );
    let run = changed_since(&wiki, "main");
    run.assert_code(1);
    assert!(run.findings().is_empty(), "nothing in the changed file itself: {:?}", run.findings());
    assert!(
        run.stderr.contains("1 error in files not changed since main also fail") && run.stderr.contains(DOSSIER),
        "{}",
        run.stderr
    );
    let summary = tempfile::NamedTempFile::new().expect("a temp file");
    let github = wiki
        .check()
        .args(["--changed-since", "main", "--format", "github"])
        .env("GITHUB_STEP_SUMMARY", summary.path())
        .run();
    github.assert_code(1);
    assert!(
        github.stdout.starts_with("::error title=dossier check::1 error in files not changed"),
        "{}",
        github.stdout
    );
    assert_eq!(
        std::fs::read_to_string(summary.path()).expect("read the step summary"),
        "## dossier check\n\ncheck failed: 0 errors, 0 warnings, 0 notes in the change, and 1 error outside it\n\n",
        "the step summary's verdict agrees with the exit status too"
    );
}

#[test]
fn a_shallow_clone_without_the_base_fails_with_advice() {
    let origin = repo(Wiki::minimal());
    let origin = edit(origin, DOSSIER, "10 GB", "20 GB");
    commit_all(&origin, "second");
    let clone = tempfile::tempdir().expect("a temp dir");
    let url = format!("file://{}", origin.root().display());
    let status = Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url])
        .arg(clone.path().join("wiki"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .expect("run git clone");
    assert!(status.success());
    let root = clone.path().join("wiki");
    let run = crate::harness::dossier()
        .args(["check", "--changed-since", "HEAD~1", "--root"])
        .arg(&root)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .run();
    run.assert_code(2);
    assert!(run.stderr.contains("HEAD~1") && run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "nothing is reported without a base: {}", run.stdout);
}

#[test]
fn a_base_that_does_not_exist_fails_with_advice() {
    let wiki = repo(Wiki::minimal());
    let run = changed_since(&wiki, "origin/main");
    run.assert_code(2);
    assert!(run.stderr.contains("cannot find the changes since `origin/main`"), "{}", run.stderr);
    assert!(
        run.stderr.contains("git fetch --unshallow origin") && run.stderr.contains("fetch-depth: 0"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "nothing is reported without a base: {}", run.stdout);
}

#[test]
fn outside_git_the_tool_fails_cleanly() {
    let wiki = Wiki::minimal();
    let ceiling = wiki.root().parent().expect("a temp dir has a parent").to_path_buf();
    let run = wiki.check().args(["--changed-since", "main"]).env("GIT_CEILING_DIRECTORIES", &ceiling).run();
    run.assert_code(2);
    assert!(run.stderr.contains("cannot find the changes since `main`"), "{}", run.stderr);
    let run = wiki.check().arg("--changed-since=--output=x").run();
    run.assert_code(2);
    assert!(run.stderr.contains("is not a git ref"), "{}", run.stderr);
}
