//! The contributor path's own files: CONTRIBUTING.md's worked example passes `dossier check`,
//! the workflows run what README and CONTRIBUTING promise, and the issue forms and pull-request
//! template are well-formed and ask for what review needs.

use serde_json::Value;

use crate::harness::{Wiki, manifest_dir};
use crate::netlify::copy_tree;

fn read(rel: &str) -> String {
    std::fs::read_to_string(manifest_dir().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

fn yaml(rel: &str) -> Value {
    serde_saphyr::from_str(&read(rel)).unwrap_or_else(|e| panic!("{rel} is not valid YAML: {e}"))
}

/// Every `run:` line of a workflow's jobs, joined.
fn runs(workflow: &Value) -> String {
    let mut all = String::new();
    for job in workflow["jobs"].as_object().expect("jobs").values() {
        for step in job["steps"].as_array().expect("steps") {
            if let Some(run) = step["run"].as_str() {
                all.push_str(run);
                all.push('\n');
            }
        }
    }
    all
}

#[test]
fn the_worked_example_passes_check() {
    let text = read("CONTRIBUTING.md");
    let start = text.find("<!-- worked-example: start").expect("the example's start marker");
    let end = text.find("<!-- worked-example: end").expect("the example's end marker");
    let block = &text[start..end];
    let example = block.split("```markdown\n").nth(1).and_then(|b| b.split("\n```").next()).expect("a markdown block");
    let wiki = Wiki::empty();
    copy_tree(&manifest_dir().join("content"), &wiki.path("content"));
    let wiki = wiki.write("content/providers/fjordmail.md", format!("{example}\n"));
    let run = wiki.check().args(["--format", "json"]).run();
    run.assert_code(0);
    let about_example: Vec<_> = run.findings().into_iter().filter(|f| f.path.ends_with("fjordmail.md")).collect();
    assert!(about_example.is_empty(), "the worked example has findings: {about_example:?}");
}

#[test]
fn ci_runs_the_test_command_checks_what_a_pull_request_touched_and_builds_main() {
    let ci = yaml(".github/workflows/ci.yml");
    assert!(ci["on"]["pull_request"].is_object() || ci["on"]["pull_request"].is_null());
    assert_eq!(ci["on"]["push"]["branches"][0], "main");
    let steps = ci["jobs"]["check"]["steps"].as_array().expect("steps");
    assert!(steps.iter().any(
        |s| s["uses"].as_str().is_some_and(|u| u.starts_with("actions/checkout@")) && s["with"]["fetch-depth"] == 0
    ));
    assert!(steps.iter().any(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("actions/cache@"))));
    let test = steps.iter().find(|s| s["run"] == "bash scripts/test.sh").expect("a step runs scripts/test.sh");
    let changed_since = test["env"]["DOSSIER_CHANGED_SINCE"].as_str().expect("the step names the base branch");
    assert!(changed_since.contains("github.base_ref") && changed_since.contains("pull_request"), "{changed_since}");
    assert!(runs(&ci).contains("-- build"), "ci.yml does not build the site");

    // .ci/run and README run the same command, and it runs everything CI promises.
    assert!(read(".ci/run").contains("exec bash scripts/test.sh"));
    assert!(read("README.md").contains("scripts/test.sh"));
    let script = read("scripts/test.sh");
    for needed in [
        "cargo fmt --all -- --check",
        "cargo clippy --all-targets --locked -- -D warnings",
        "cargo test --locked",
        "zizmor\" --offline",
        "--builtin-schema vendor.github-workflows",
        "--builtin-schema vendor.github-issue-forms",
        "check --format github",
        r#"--changed-since "$DOSSIER_CHANGED_SINCE""#,
    ] {
        assert!(script.contains(needed), "scripts/test.sh does not run `{needed}`");
    }
}

#[test]
fn workflows_pin_every_action_by_commit_and_keep_no_credentials() {
    for name in ["ci.yml", "external-links.yml"] {
        let rel = format!(".github/workflows/{name}");
        let text = read(&rel);
        let mut pinned = 0;
        for line in text.lines().map(str::trim).filter(|l| l.contains("uses:")) {
            let reference = line.split("uses:").nth(1).unwrap_or_default().trim();
            let (_, rest) = reference.split_once('@').unwrap_or_else(|| panic!("{rel}: `{line}` names no version"));
            let (sha, comment) =
                rest.split_once(" # ").unwrap_or_else(|| panic!("{rel}: `{line}` has no version comment"));
            assert!(
                sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
                "{rel}: `{line}` is not pinned by commit"
            );
            assert!(comment.starts_with('v'), "{rel}: `{line}`");
            pinned += 1;
        }
        assert!(pinned >= 3, "{rel}: {pinned} actions");
        let workflow = yaml(&rel);
        assert_eq!(workflow["permissions"], serde_json::json!({}), "{rel}: no permissions unless a job asks");
        for job in workflow["jobs"].as_object().expect("jobs").values() {
            for step in job["steps"].as_array().expect("steps") {
                if step["uses"].as_str().is_some_and(|u| u.starts_with("actions/checkout@")) {
                    assert_eq!(step["with"]["persist-credentials"], false, "{rel}: checkout keeps its token");
                }
                assert!(!step["run"].as_str().unwrap_or_default().contains("${{"), "{rel}: an expression inside run:");
            }
        }
    }
}

#[test]
fn pull_requests_get_a_claim_level_comment_posted_without_running_their_code_with_a_write_token() {
    let ci = yaml(".github/workflows/ci.yml");
    let ci_runs = runs(&ci);
    assert!(ci_runs.contains(r#"diff "origin/$GITHUB_BASE_REF" --format markdown > review/comment.md"#), "{ci_runs}");
    assert!(ci_runs.contains("--format json > review/review.json"), "{ci_runs}");
    assert!(read(".github/workflows/ci.yml").contains("name: dossier-review"), "CI keeps the summary as an artifact");

    let rel = ".github/workflows/pr-review.yml";
    let text = read(rel);
    let workflow = yaml(rel);
    assert_eq!(workflow["on"]["workflow_run"]["workflows"], serde_json::json!(["CI"]));
    assert_eq!(workflow["permissions"], serde_json::json!({}), "{rel}: no permissions unless a job asks");
    let job = &workflow["jobs"]["comment"];
    assert_eq!(job["permissions"], serde_json::json!({"actions": "read", "pull-requests": "write"}));
    assert!(!text.contains("uses:"), "{rel}: no action, so no pull request code and nothing to pin");
    assert!(!text.contains("checkout"), "{rel}: the pull request's code is never checked out");
    for step in job["steps"].as_array().expect("steps") {
        assert!(!step["run"].as_str().unwrap_or_default().contains("${{"), "{rel}: an expression inside run:");
    }
    let script = runs(&workflow);
    assert!(script.contains(r#"[ "$head" != "$HEAD_SHA" ]"#), "the artifact's pull request number is checked");
    assert!(script.contains("allegation|needs-two-reviews|retraction)"), "labels come from a fixed list");
    assert!(script.contains("-F body=@review/body.md"), "the comment body is sent as a file");
    assert!(read("CONTRIBUTING.md").contains("### The review comment on your pull request"));
    assert!(read(".github/pull_request_template.md").contains("review comment"));
}

#[test]
fn a_weekly_job_checks_external_links_and_keeps_the_report() {
    let weekly = yaml(".github/workflows/external-links.yml");
    assert!(weekly["on"]["schedule"][0]["cron"].as_str().is_some_and(|c| c.split(' ').count() == 5));
    assert!(runs(&weekly).contains("check --external"));
    let steps = weekly["jobs"]["links"]["steps"].as_array().expect("steps");
    assert!(steps.iter().any(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("actions/upload-artifact@"))));
}

#[test]
fn issue_forms_are_well_formed() {
    for form in ["correction", "new-provider", "right-of-reply"] {
        let rel = format!(".github/ISSUE_TEMPLATE/{form}.yml");
        let form = yaml(&rel);
        for key in ["name", "description"] {
            assert!(form[key].as_str().is_some_and(|s| !s.is_empty()), "{rel} lacks {key}");
        }
        let mut ids = std::collections::BTreeSet::new();
        for element in form["body"].as_array().expect("a body") {
            let kind = element["type"].as_str().expect("a type");
            assert!(["markdown", "input", "textarea", "dropdown", "checkboxes"].contains(&kind), "{rel}: {kind}");
            if kind != "markdown" {
                assert!(ids.insert(element["id"].as_str().expect("an id").to_owned()), "{rel}: duplicate id");
                assert!(element["attributes"]["label"].as_str().is_some(), "{rel}: an element without a label");
            }
            if kind == "dropdown" {
                assert!(!element["attributes"]["options"].as_array().expect("options").is_empty());
            }
        }
    }
}

#[test]
fn the_pull_request_template_asks_what_review_needs() {
    let template = read(".github/pull_request_template.md").to_lowercase();
    for topic in ["sources", "archive", "verified", "conflict of interest", "two"] {
        assert!(template.contains(topic), "the pull-request template does not mention {topic}");
    }
}

#[test]
fn readme_gives_the_contributor_path_in_five_steps_and_the_deploy_in_three() {
    let readme = read("README.md");
    for (heading, steps) in [("## Contributing in five steps", 5), ("## Deploying to Netlify in three steps", 3)] {
        let start = readme.find(heading).unwrap_or_else(|| panic!("README lacks `{heading}`"));
        let section = &readme[start + heading.len()..];
        let section = &section[..section.find("\n## ").unwrap_or(section.len())];
        let numbered: Vec<&str> = section
            .lines()
            .filter(|l| l.split_once(". ").is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())))
            .collect();
        assert_eq!(numbered.len(), steps, "{heading}: {numbered:?}");
    }
}

/// The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces as hyphens.
fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a Markdown file's headings (outside code blocks).
fn anchors(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut found = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            found.push(anchor(line.trim_start_matches('#').trim()));
        }
    }
    found
}

#[test]
fn every_rule_code_has_its_own_section_in_the_format_reference() {
    let format = read("docs/format.md");
    let sections = anchors(&format);
    for code in dossier::diagnostics::Code::ALL {
        let heading = format!("\n### {}\n", code.as_str());
        assert!(format.contains(&heading), "docs/format.md has no `### {}` section", code.as_str());
        assert!(sections.contains(&code.as_str().to_owned()));
    }
}

/// Markdown without its code blocks and code spans, whose `[x](y)` are examples, not links.
fn without_code(text: &str) -> String {
    let mut prose = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            prose.extend(line.split('`').step_by(2));
            prose.push('\n');
        }
    }
    prose
}

#[test]
fn links_between_the_documents_reach_a_file_and_a_heading() {
    let mut documents = vec!["README.md".to_owned(), "CONTRIBUTING.md".to_owned()];
    for entry in std::fs::read_dir(manifest_dir().join("docs")).expect("docs/") {
        let name = entry.expect("a docs/ entry").file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") {
            documents.push(format!("docs/{name}"));
        }
    }
    assert!(documents.len() >= 8, "{documents:?}");
    let mut checked = 0;
    for document in &documents {
        let text = without_code(&read(document));
        let dir = std::path::Path::new(document).parent().unwrap_or(std::path::Path::new(""));
        for target in text.split("](").skip(1).filter_map(|rest| rest.split(')').next()) {
            if target.starts_with("http") || target.starts_with("mailto:") {
                continue;
            }
            let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
            let linked = if file.is_empty() { document.clone() } else { dir.join(file).to_string_lossy().into_owned() };
            assert!(manifest_dir().join(&linked).exists(), "{document} links to {target}, which does not exist");
            if !fragment.is_empty() {
                assert!(
                    anchors(&read(&linked)).iter().any(|a| a == fragment),
                    "{document} links to {target}: no such heading"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} links found");
}
