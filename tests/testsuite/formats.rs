//! The report formats of `dossier check`: JSON fields, GitHub workflow annotations and the
//! step summary table.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::harness::{Wiki, invalid_case_dir};

const DOSSIER: &str = "content/providers/examplemail.md";
/// A file name with every character GitHub annotation properties must escape.
const AWKWARD: &str = "content/providers/a,b:c%.md";

/// One error (a file name that is no slug), one warning (a stale claim), one note (an uncited
/// claim in the oddly named file, which sorts before the warning's file).
fn wiki_with_one_of_each() -> Wiki {
    let uncited = std::fs::read(invalid_case_dir("uncited-claim").join(DOSSIER)).expect("read a fixture");
    Wiki::minimal().overlay("stale-claim").write(AWKWARD, uncited)
}

#[test]
fn json_is_an_array_of_findings_with_the_documented_fields() {
    let run = wiki_with_one_of_each().check().args(["--format", "json"]).run();
    run.assert_code(1);
    let value: Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    let items = value.as_array().expect("an array");
    assert_eq!(items.len(), 3);
    let fields: BTreeSet<&str> = ["severity", "code", "path", "line", "column", "message", "help"].into();
    for item in items {
        let object = item.as_object().expect("an object");
        assert_eq!(object.keys().map(String::as_str).collect::<BTreeSet<_>>(), fields);
        assert!(object["line"].is_u64() && object["column"].is_u64());
        assert!(object["help"].is_string());
    }
    // Sorted by file, then place; severities as words.
    let summary: Vec<(&str, &str, &str, u64, u64)> = items
        .iter()
        .map(|i| {
            let s = |k: &str| i[k].as_str().expect("a string");
            let n = |k: &str| i[k].as_u64().expect("a number");
            (s("severity"), s("code"), s("path"), n("line"), n("column"))
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("error", "invalid-slug", AWKWARD, 0, 0),
            ("info", "uncited-claim", AWKWARD, 39, 9),
            ("warning", "stale-claim", DOSSIER, 36, 15),
        ]
    );
    assert_eq!(items[0]["message"], "the file name `a,b:c%` is not a slug");
}

#[test]
fn json_of_a_clean_wiki_is_an_empty_array() {
    let run = Wiki::minimal().check().args(["--format", "json"]).run();
    run.assert_code(0);
    assert_eq!(run.stdout.trim(), "[]");
}

#[test]
fn github_annotations_put_errors_first_and_escape() {
    let run = wiki_with_one_of_each().check().args(["--format", "github"]).run();
    run.assert_code(1);
    let expected = "\
::error file=content/providers/a%2Cb%3Ac%25.md,title=dossier invalid-slug::the file name `a,b:c%25` is not a slug%0Ahelp: use lower-case letters, digits and single hyphens, e.g. `a,b:c%25.md`
::warning file=content/providers/examplemail.md,line=36,col=15,title=dossier stale-claim::the claim `storage` was last verified on 2025-06-01, 179 days past its 365-day window%0Ahelp: check the sources again; if they still support the text, set `verified` to the day you checked
::notice file=content/providers/a%2Cb%3Ac%25.md,line=39,col=9,title=dossier uncited-claim::the claim `imap-idle` is never cited in the text%0Ahelp: cite it where the text relies on it with `[^imap-idle]`
";
    assert_eq!(run.stdout, expected);
}

#[test]
fn github_format_appends_every_finding_to_the_step_summary() {
    let summary = tempfile::NamedTempFile::new().expect("a temp file");
    std::fs::write(summary.path(), "## an earlier step\n\n").expect("write");
    let run =
        wiki_with_one_of_each().check().args(["--format", "github"]).env("GITHUB_STEP_SUMMARY", summary.path()).run();
    run.assert_code(1);
    let text = std::fs::read_to_string(summary.path()).expect("read the summary");
    let expected = "\
## an earlier step

## dossier check

check failed: 1 error, 1 warning, 1 note

| | Location | Rule | Message | Help |
| --- | --- | --- | --- | --- |
| error | `content/providers/a,b:c%.md` | `invalid-slug` | the file name `a,b:c%` is not a slug | use lower-case letters, digits and single hyphens, e.g. `a,b:c%.md` |
| warning | `content/providers/examplemail.md:36:15` | `stale-claim` | the claim `storage` was last verified on 2025-06-01, 179 days past its 365-day window | check the sources again; if they still support the text, set `verified` to the day you checked |
| info | `content/providers/a,b:c%.md:39:9` | `uncited-claim` | the claim `imap-idle` is never cited in the text | cite it where the text relies on it with `[^imap-idle]` |
";
    assert_eq!(text, expected);
}

#[test]
fn github_format_of_a_clean_wiki_prints_nothing_and_says_so_in_the_summary() {
    let summary = tempfile::NamedTempFile::new().expect("a temp file");
    let run = Wiki::minimal().check().args(["--format", "github"]).env("GITHUB_STEP_SUMMARY", summary.path()).run();
    run.assert_code(0);
    assert_eq!(run.stdout, "");
    let text = std::fs::read_to_string(summary.path()).expect("read the summary");
    assert_eq!(text, "## dossier check\n\ncheck ok: 0 errors, 0 warnings, 0 notes\n\n");
}

#[test]
fn other_formats_leave_the_step_summary_alone() {
    let summary = tempfile::NamedTempFile::new().expect("a temp file");
    for format in ["human", "json"] {
        wiki_with_one_of_each()
            .check()
            .args(["--format", format])
            .env("GITHUB_STEP_SUMMARY", summary.path())
            .run()
            .assert_code(1);
    }
    assert_eq!(std::fs::read_to_string(summary.path()).expect("read"), "");
}

#[test]
fn human_report_quotes_the_line_and_counts() {
    let run = wiki_with_one_of_each().check().run();
    run.assert_code(1);
    insta::assert_snapshot!("one_of_each_human", run.stdout);
    assert!(run.stdout.ends_with("check failed: 1 error, 1 warning, 1 note\n"));
    assert!(!run.stdout.contains('\x1b'), "no colour when not a terminal");
}
