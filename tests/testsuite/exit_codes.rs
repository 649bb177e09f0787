//! Exit statuses of the real binary: 0 clean (warnings allowed), 1 content errors, 2 the tool
//! failed; and how `today` is pinned.

use crate::harness::{TODAY, Wiki, dossier, manifest_dir};

#[test]
fn bundled_wiki_passes_with_its_deliberate_warnings() {
    let run = dossier().args(["check", "--format", "json", "--root"]).arg(manifest_dir()).run();
    run.assert_code(0);
    let findings = run.findings();
    assert!(findings.iter().all(|f| f.severity != "error"), "{findings:?}");
    assert!(findings.iter().any(|f| f.severity == "warning"), "the example content shows warnings by design");
    assert!(findings.iter().any(|f| f.code == "stale-claim"));

    let denied = dossier().args(["check", "--deny-warnings", "--root"]).arg(manifest_dir()).run();
    denied.assert_code(1);
    let verdict = denied.stdout.lines().last().unwrap_or_default();
    assert!(
        verdict.starts_with("check failed: 0 errors, ") && verdict.ends_with(" (warnings are denied)"),
        "warnings deny the run, and the verdict says so: {}",
        denied.stdout
    );
}

#[test]
fn content_errors_exit_1() {
    let run = Wiki::minimal().overlay("unknown-key").check().run();
    run.assert_code(1);
    assert!(run.stdout.ends_with("check failed: 1 error, 0 warnings, 0 notes\n"));
    assert_eq!(run.stderr, "");
}

#[test]
fn a_root_without_content_is_a_tool_failure() {
    let wiki = Wiki::empty();
    let run = wiki.check().run();
    run.assert_code(2);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.starts_with("dossier: error: "), "{}", run.stderr);
    assert!(run.stderr.contains("has no content/ directory"), "{}", run.stderr);
}

#[test]
fn a_missing_root_is_a_tool_failure() {
    let wiki = Wiki::empty();
    let run = dossier().args(["check", "--root"]).arg(wiki.path("nowhere")).run();
    run.assert_code(2);
    assert!(run.stderr.contains("cannot open the wiki root"), "{}", run.stderr);
}

#[test]
fn an_invalid_today_is_a_tool_failure() {
    let wiki = Wiki::minimal();
    let flag = wiki.check().args(["--today", "2026-02-30"]).run();
    flag.assert_code(2);
    assert!(flag.stderr.contains("--today `2026-02-30` is not a date"), "{}", flag.stderr);
    assert_eq!(flag.stdout, "");

    let env = wiki.check().env("DOSSIER_TODAY", "yesterday").run();
    env.assert_code(2);
    assert!(env.stderr.contains("`yesterday` is not a date"), "{}", env.stderr);
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    let run = Wiki::minimal().check().args(["--format", "xml"]).run();
    run.assert_code(2);
    assert!(run.stderr.contains("xml"), "{}", run.stderr);
}

#[test]
fn today_flag_beats_the_environment() {
    // Claims verified on 2026-10-01 are stale a year later; the env alone says it is TODAY.
    let wiki = Wiki::minimal();
    let pinned = wiki.check().args(["--format", "json"]).run();
    pinned.assert_code(0);
    assert!(pinned.findings().is_empty(), "fresh on {TODAY}");

    let later = wiki.check().args(["--format", "json", "--today", "2027-12-01"]).run();
    later.assert_code(0);
    let codes: Vec<String> = later.findings().into_iter().map(|f| f.code).collect();
    assert_eq!(codes, ["stale-claim", "stale-claim"]);
}

#[test]
fn the_past_makes_dates_future() {
    let run = Wiki::minimal().check().args(["--format", "json", "--today", "2026-09-30"]).run();
    run.assert_code(1);
    let findings = run.findings();
    assert!(!findings.is_empty());
    assert!(findings.iter().all(|f| f.code == "future-date" && f.line > 0), "{findings:?}");
}
