//! `dossier check` over one-mistake wikis: every rule code and every kind of bad input has a
//! case, each with its exit status, its exact findings (code, file, line, column) from
//! `--format json`, and snapshots of the human report and the GitHub annotations.

use dossier::diagnostics::{Code, Severity};

use crate::harness::{Wiki, dossier, fixtures_dir, invalid_case_dir};

/// How a case's wiki is made from a copy of `minimal`.
#[derive(Clone, Copy)]
enum Setup {
    /// Overlay `tests/fixtures/invalid/<name>/`.
    Fixture,
    /// Change the copy at test time (symlinks, huge files, deletions cannot be committed).
    Generated(fn(Wiki) -> Wiki),
}

/// One finding a case must produce: code, path, line, column (0:0 for whole-file problems).
struct Expect(Code, &'static str, u32, u32);

struct Case {
    name: &'static str,
    setup: Setup,
    expect: &'static [Expect],
}

const DOSSIER: &str = "content/providers/examplemail.md";

macro_rules! cases {
    ($($test:ident: $name:literal, $setup:expr, [$($code:ident @ $path:expr, $line:literal:$col:literal);+ $(;)?];)*) => {
        const CASES: &[Case] = &[$(Case {
            name: $name,
            setup: $setup,
            expect: &[$(Expect(Code::$code, $path, $line, $col)),+],
        }),*];
        $(
            #[test]
            fn $test() {
                run_case($name);
            }
        )*
    };
}

cases! {
    // Files that cannot be read as a document.
    empty_file: "empty-file", Setup::Fixture, [MissingFrontmatter @ "content/providers/empty.md", 0:0];
    missing_frontmatter: "missing-frontmatter", Setup::Fixture,
        [MissingFrontmatter @ "content/providers/no-frontmatter.md", 1:1];
    unterminated_frontmatter: "unterminated-frontmatter", Setup::Fixture,
        [UnterminatedFrontmatter @ "content/providers/unterminated.md", 1:1];
    empty_frontmatter: "empty-frontmatter", Setup::Fixture,
        [MissingField @ "content/providers/empty-frontmatter.md", 1:1];
    invalid_utf8: "invalid-utf8", Setup::Fixture, [InvalidUtf8 @ "content/providers/latin1.md", 2:10];
    file_too_large: "file-too-large", Setup::Generated(huge_file), [FileTooLarge @ "content/providers/huge.md", 0:0];
    symlink_outside_root: "symlink-outside-root", Setup::Generated(symlink_outside),
        [SymlinkOutsideRoot @ "content/providers/outside.md", 0:0];
    symlink_skipped: "symlink-skipped", Setup::Generated(symlink_inside),
        [SymlinkSkipped @ "content/providers/alias.md", 0:0];
    unexpected_file: "unexpected-file", Setup::Fixture, [UnexpectedFile @ "content/providers/notes.txt", 0:0];
    missing_site_config: "missing-site-config", Setup::Generated(no_site_config),
        [MissingSiteConfig @ "content/site.yaml", 0:0];

    // YAML that does not parse, or parses into the wrong shape.
    yaml_syntax: "yaml-syntax", Setup::Fixture, [YamlSyntax @ DOSSIER, 5:10];
    yaml_indent_under: "yaml-indent-under", Setup::Fixture, [YamlSyntax @ DOSSIER, 33:4];
    yaml_indent_first_key: "yaml-indent-first-key", Setup::Fixture, [YamlSyntax @ DOSSIER, 32:4];
    yaml_tab: "yaml-tab", Setup::Fixture, [YamlSyntax @ DOSSIER, 33:1];
    yaml_tab_top_level: "yaml-tab-top-level", Setup::Fixture, [YamlSyntax @ DOSSIER, 2:1];
    yaml_alias_bomb: "yaml-alias-bomb", Setup::Fixture, [YamlLimit @ DOSSIER, 13:15];
    yaml_deep_nesting: "yaml-deep-nesting", Setup::Fixture, [YamlLimit @ DOSSIER, 8:46];
    unknown_key: "unknown-key", Setup::Fixture, [UnknownKey @ DOSSIER, 36:5];
    unknown_key_page: "unknown-key-page", Setup::Fixture, [UnknownKey @ "content/pages/about.md", 3:1];
    duplicate_key: "duplicate-key", Setup::Fixture, [DuplicateKey @ DOSSIER, 5:1];
    wrong_type: "wrong-type", Setup::Fixture, [WrongType @ DOSSIER, 8:10];
    unknown_enum_value: "unknown-enum-value", Setup::Fixture, [WrongType @ DOSSIER, 34:13];
    missing_field: "missing-field", Setup::Fixture, [MissingField @ DOSSIER, 2:1];
    invalid_date: "invalid-date", Setup::Fixture, [InvalidDate @ DOSSIER, 23:15];

    // Every problem of a file in one run, each at its own place.
    several_mistakes: "several-mistakes", Setup::Fixture, [
        UnknownKey @ DOSSIER, 5:1;
        UnknownKey @ DOSSIER, 7:1;
        InvalidDate @ DOSSIER, 24:15;
        WrongType @ DOSSIER, 27:16;
        WrongType @ DOSSIER, 34:11;
    ];
    yaml_tab_and_typos: "yaml-tab-and-typos", Setup::Fixture, [
        WrongType @ DOSSIER, 7:10;
        YamlSyntax @ DOSSIER, 34:1;
        UnknownKey @ DOSSIER, 37:5;
    ];

    // Values that parse but break a rule.
    future_date: "future-date", Setup::Fixture, [FutureDate @ DOSSIER, 23:15];
    invalid_url_javascript: "invalid-url-javascript", Setup::Fixture, [InvalidUrl @ DOSSIER, 3:10];
    invalid_url_data: "invalid-url-data", Setup::Fixture, [InvalidUrl @ DOSSIER, 30:18];
    invalid_url_ftp: "invalid-url-ftp", Setup::Fixture, [InvalidUrl @ DOSSIER, 10:10];
    invalid_url_base_url: "invalid-url-base-url", Setup::Fixture, [InvalidUrl @ "content/site.yaml", 3:11];
    unknown_forge: "unknown-forge", Setup::Fixture, [UnknownForge @ "content/site.yaml", 4:11];
    invalid_slug: "invalid-slug", Setup::Fixture, [InvalidSlug @ DOSSIER, 7:14];
    invalid_jurisdiction: "invalid-jurisdiction", Setup::Fixture, [InvalidJurisdiction @ DOSSIER, 6:15];
    invalid_jurisdiction_uk: "invalid-jurisdiction-uk", Setup::Fixture, [InvalidJurisdiction @ DOSSIER, 6:15];
    invalid_url_space: "invalid-url-space", Setup::Fixture, [InvalidUrl @ DOSSIER, 10:10];
    allegation_status: "allegation-status", Setup::Fixture, [AllegationStatus @ DOSSIER, 40:9];
    unknown_source_abbreviation: "unknown-source-abbreviation", Setup::Fixture, [UnknownSource @ DOSSIER, 38:9];
    unknown_citation_long_line: "unknown-citation-long-line", Setup::Fixture, [UnknownCitation @ DOSSIER, 42:1488];
    duplicate_slug: "duplicate-slug", Setup::Fixture, [
        InvalidSlug @ "content/providers/ExampleMail.md", 0:0;
        DuplicateSlug @ DOSSIER, 0:0;
    ];
    reserved_slug: "reserved-slug", Setup::Fixture, [ReservedSlug @ "content/pages/search.md", 0:0];
    unknown_category: "unknown-category", Setup::Fixture, [UnknownCategory @ DOSSIER, 4:11];
    no_claims: "no-claims", Setup::Fixture, [NoClaims @ DOSSIER, 6:9];
    duplicate_claim_id: "duplicate-claim-id", Setup::Fixture, [DuplicateClaimId @ DOSSIER, 39:9];
    unsourced_claim: "unsourced-claim", Setup::Fixture, [UnsourcedClaim @ DOSSIER, 24:14];
    unknown_source: "unknown-source", Setup::Fixture, [UnknownSource @ DOSSIER, 38:9];
    unknown_citation: "unknown-citation", Setup::Fixture, [UnknownCitation @ DOSSIER, 42:139];
    unknown_fact: "unknown-fact", Setup::Fixture, [UnknownFact @ DOSSIER, 16:16];
    fact_type_mismatch: "fact-type-mismatch", Setup::Fixture, [FactTypeMismatch @ DOSSIER, 16:24];
    fact_unknown_claim: "fact-unknown-claim", Setup::Fixture, [FactUnknownClaim @ DOSSIER, 15:31];
    unknown_response_target: "unknown-response-target", Setup::Fixture, [UnknownResponseTarget @ DOSSIER, 44:18];
    misplaced_responds_to: "misplaced-responds-to", Setup::Fixture, [MisplacedRespondsTo @ DOSSIER, 44:18];
    duplicate_fact_column: "duplicate-fact-column", Setup::Fixture,
        [DuplicateFactColumn @ "content/categories/email-hosting.md", 8:10];

    // Links between the wiki's pages, and aliases.
    broken_link: "broken-link", Setup::Fixture, [BrokenLink @ "content/pages/about.md", 6:41];
    broken_link_host_name: "broken-link-host-name", Setup::Fixture, [BrokenLink @ DOSSIER, 42:134];
    broken_link_site_url: "broken-link-site-url", Setup::Fixture, [BrokenLink @ "content/index.md", 5:29];
    broken_anchor: "broken-anchor", Setup::Fixture, [BrokenAnchor @ "content/pages/about.md", 6:44];
    alias_collision: "alias-collision", Setup::Fixture, [AliasCollision @ "content/pages/about.md", 5:21];
    alias_collision_claim: "alias-collision-claim", Setup::Fixture, [AliasCollision @ DOSSIER, 39:32];

    // Warnings and notes: exit 0 unless warnings are denied.
    stale_claim: "stale-claim", Setup::Fixture, [StaleClaim @ DOSSIER, 36:15];
    missing_archive: "missing-archive", Setup::Fixture, [MissingArchive @ DOSSIER, 10:10];
    unanswered_allegation: "unanswered-allegation", Setup::Fixture, [UnansweredAllegation @ DOSSIER, 39:9];
    vendor_only_source: "vendor-only-source", Setup::Fixture, [VendorOnlySource @ DOSSIER, 39:9];
    placeholder: "placeholder", Setup::Fixture, [Placeholder @ DOSSIER, 5:10];
    citation_without_caret: "citation-without-caret", Setup::Fixture, [CitationWithoutCaret @ DOSSIER, 42:151];
    uncited_claim: "uncited-claim", Setup::Fixture, [UncitedClaim @ DOSSIER, 39:9];
}

/// Codes no case here drives through `check`, and why.
const NOT_A_CASE: &[(Code, &str)] = &[
    (Code::UnreadableFile, "a mode that forbids reading cannot be committed; `unreadable_file_*` below cover it"),
    (Code::TemplateError, "themes are rendered by `build`, not read by `check`"),
    (Code::ReverifyClaim, "needs git history: changed_since.rs covers it with a snapshot"),
    (Code::DeadLink, "needs a web server: external.rs covers it with a snapshot"),
    (Code::QuoteMissing, "needs a web server: external.rs covers it with a snapshot"),
];

fn huge_file(wiki: Wiki) -> Wiki {
    const SIZE: usize = 20 * 1024 * 1024;
    let line = "All work and no play makes a very long dossier.\n";
    let mut text = String::from("---\nname: Huge\n---\n");
    text.push_str(&line.repeat(SIZE / line.len() + 1));
    assert!(text.len() >= SIZE);
    wiki.write("content/providers/huge.md", text)
}

fn symlink_outside(wiki: Wiki) -> Wiki {
    // A real file outside the temp root: the committed fixture itself.
    let target = fixtures_dir().join("minimal/content/providers/examplemail.md");
    assert!(target.is_file());
    wiki.symlink(target, "content/providers/outside.md")
}

fn symlink_inside(wiki: Wiki) -> Wiki {
    wiki.symlink("examplemail.md", "content/providers/alias.md")
}

fn no_site_config(wiki: Wiki) -> Wiki {
    wiki.remove("content/site.yaml")
}

fn case(name: &str) -> &'static Case {
    CASES.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no case {name}"))
}

fn wiki_for(case: &Case) -> Wiki {
    match case.setup {
        Setup::Fixture => Wiki::minimal().overlay(case.name),
        Setup::Generated(change) => change(Wiki::minimal()),
    }
}

fn run_case(name: &str) {
    let case = case(name);
    let wiki = wiki_for(case);
    let has = |severity: Severity| case.expect.iter().any(|e| e.0.severity() == severity);
    let status = i32::from(has(Severity::Error));

    let human = wiki.check().run();
    human.assert_code(status);
    insta::assert_snapshot!(case.name, human.stdout);
    // The annotations exactly: each must land on the line a pull request's diff shows the
    // mistake on.
    let github = wiki.check().args(["--format", "github"]).run();
    github.assert_code(status);
    insta::assert_snapshot!(format!("{}.github", case.name), github.stdout);

    let json = wiki.check().args(["--format", "json"]).run();
    json.assert_code(status);
    let findings = json.findings();
    let found: Vec<(&str, &str, u32, u32)> =
        findings.iter().map(|f| (f.code.as_str(), f.path.as_str(), f.line, f.column)).collect();
    let expected: Vec<(&str, &str, u32, u32)> =
        case.expect.iter().map(|Expect(code, path, line, col)| (code.as_str(), *path, *line, *col)).collect();
    assert_eq!(found, expected, "findings of {name}");
    for (finding, Expect(code, ..)) in findings.iter().zip(case.expect) {
        assert_eq!(finding.severity, code.severity().as_str());
        assert!(!finding.message.is_empty());
        assert!(finding.help.as_deref().is_some_and(|h| !h.is_empty()), "{name}: every finding has help");
        assert!(human.stdout.contains(&format!("[{}]: {}", finding.code, finding.message)));
    }

    if status == 0 {
        let denied = wiki.check().arg("--deny-warnings").run();
        let fails = has(Severity::Warning);
        denied.assert_code(i32::from(fails));
        let (findings, verdict) = human.stdout.rsplit_once("check ok: ").expect("a verdict line");
        let expected = match fails {
            true => format!("{findings}check failed: {} (warnings are denied)\n", verdict.trim_end()),
            false => human.stdout.clone(),
        };
        assert_eq!(denied.stdout, expected, "--deny-warnings changes the verdict with the status, not the findings");
    }
}

#[test]
fn every_rule_code_has_a_case() {
    for code in Code::ALL {
        let in_case = CASES.iter().any(|c| c.expect.iter().any(|e| e.0 == *code));
        let elsewhere = NOT_A_CASE.iter().any(|(c, _)| c == code);
        assert!(in_case || elsewhere, "no invalid case produces `{}`", code.as_str());
    }
}

#[test]
fn every_invalid_fixture_is_a_case_and_holds_one_change() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixtures_dir().join("invalid"))
        .expect("list the invalid fixtures")
        .map(|e| e.expect("an entry").file_name().into_string().expect("a UTF-8 name"))
        .collect();
    on_disk.sort();
    let mut fixture_cases: Vec<String> =
        CASES.iter().filter(|c| matches!(c.setup, Setup::Fixture)).map(|c| c.name.to_owned()).collect();
    fixture_cases.sort();
    assert_eq!(on_disk, fixture_cases);
    for case in CASES.iter().filter(|c| matches!(c.setup, Setup::Fixture)) {
        let files = walk(&invalid_case_dir(case.name));
        assert_eq!(files.len(), 1, "{}: one added or replaced file", case.name);
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("list a fixture") {
        let path = entry.expect("an entry").path();
        if path.is_dir() { files.extend(walk(&path)) } else { files.push(path) }
    }
    files
}

#[test]
fn minimal_fixture_is_clean() {
    let run = Wiki::minimal().check().arg("--deny-warnings").run();
    run.assert_code(0);
    assert_eq!(run.stdout, "check ok: 0 errors, 0 warnings, 0 notes\n");
    let json = Wiki::minimal().check().args(["--format", "json"]).run();
    json.assert_code(0);
    assert!(json.findings().is_empty());
}

#[test]
fn crlf_and_bom_keep_positions() {
    // The unknown-key case, saved with Windows line endings and a byte-order mark.
    let lf = std::fs::read_to_string(invalid_case_dir("unknown-key").join(DOSSIER)).expect("read the fixture");
    let crlf = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
    let wiki = Wiki::minimal().write(DOSSIER, crlf);
    let run = wiki.check().args(["--format", "json"]).run();
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!((findings[0].code.as_str(), findings[0].line, findings[0].column), ("unknown-key", 36, 5));

    let clean = Wiki::minimal();
    let text = format!("\u{feff}{}", clean.read(DOSSIER).replace('\n', "\r\n"));
    let clean = clean.write(DOSSIER, text);
    clean.check().arg("--deny-warnings").run().assert_code(0);
}

#[test]
fn deeply_nested_markdown_does_not_crash() {
    let wiki = Wiki::minimal();
    let mut text = wiki.read(DOSSIER);
    text.push_str(&">".repeat(10_000));
    text.push_str(" deep[^storage]\n\n");
    text.push_str(&"- ".repeat(10_000));
    text.push_str("listed\n");
    let wiki = wiki.write(DOSSIER, text);
    let run = wiki.check().run();
    assert!(matches!(run.code, Some(0 | 1)), "exit {:?}, stderr:\n{}", run.code, run.stderr);
    run.assert_no_panic();
    assert!(run.stdout.contains("check "), "the report is printed: {}", run.stdout);
}

#[test]
fn unreadable_file_is_reported_by_the_loader() {
    // A directory opens but cannot be read, even for root; discovery never yields one, so
    // this drives the loader directly.
    let wiki = Wiki::minimal();
    std::fs::create_dir(wiki.path("content/providers/folder.md")).expect("create a directory");
    let rel = std::path::Path::new("content/providers/folder.md");
    let d = dossier::load::read_text(wiki.root(), rel).expect_err("a directory is not readable text");
    assert_eq!((d.code, d.line, d.column), (Code::UnreadableFile, 0, 0));
    assert_eq!(d.path, "content/providers/folder.md");
    assert!(d.message.starts_with("cannot read the file: "), "{}", d.message);
    assert_eq!(d.help.as_deref(), Some("check that the file exists and is readable"));
}

#[cfg(unix)]
#[test]
fn unreadable_file_through_the_binary() {
    use std::os::unix::fs::PermissionsExt;
    let wiki = Wiki::minimal();
    let path = wiki.path(DOSSIER);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let run = if std::fs::read(&path).is_ok() {
        // Root reads any file, whatever its mode (CI runs as root): run the binary without the
        // two capabilities that let it, so the mode stops it as it stops anyone else.
        let output = std::process::Command::new("setpriv")
            .arg("--bounding-set=-dac_override,-dac_read_search")
            .arg(env!("CARGO_BIN_EXE_dossier"))
            .args(["check", "--format", "json", "--root"])
            .arg(wiki.root())
            .env("DOSSIER_TODAY", crate::harness::TODAY)
            .env("NO_COLOR", "1")
            .output()
            .expect("run setpriv (util-linux), which drops root's right to read any file");
        crate::harness::Outcome {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    } else {
        wiki.check().args(["--format", "json"]).run()
    };
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!((findings[0].code.as_str(), findings[0].path.as_str()), ("unreadable-file", DOSSIER));
}

/// A file with several mistakes reports the same findings whether the parse cache is off,
/// missing, or filled by a build and read back (the cache keeps only files that parsed);
/// `check` itself writes nothing.
#[test]
fn several_mistakes_are_the_same_with_and_without_the_parse_cache() {
    let wiki = wiki_for(case("several-mistakes"));
    let fresh = wiki.check().args(["--format", "json", "--no-cache"]).run();
    let missing = wiki.check().args(["--format", "json"]).run();
    assert!(!wiki.path(".dossier-cache").exists(), "check wrote nothing");
    let output = wiki.path("public");
    dossier().arg("build").arg("--root").arg(wiki.root()).arg("--output").arg(&output).run().assert_code(1);
    assert!(wiki.path(".dossier-cache/build/parsed").is_file(), "the failed build kept what it parsed");
    let cached = wiki.check().args(["--format", "json"]).run();
    for run in [&fresh, &missing, &cached] {
        run.assert_code(1);
    }
    assert_eq!(fresh.findings().len(), 5);
    assert_eq!(missing.stdout, fresh.stdout);
    assert_eq!(cached.stdout, fresh.stdout);
}

/// A check after a build takes each unchanged dossier's findings from the findings the build
/// kept, and writes none: what the cache holds is what it prints (here a finding whose words
/// were changed in the file), and `--no-cache` checks afresh.
#[test]
fn check_reads_the_findings_a_build_kept_and_writes_none() {
    let wiki = wiki_for(case("uncited-claim"));
    let output = wiki.path("public");
    dossier().arg("build").arg("--root").arg(wiki.root()).arg("--output").arg(&output).run().assert_code(0);
    let file = wiki.path(".dossier-cache/build/findings");
    let messages = |args: &[&str]| -> Vec<String> {
        let run = wiki.check().args(["--format", "json"]).args(args).run();
        run.assert_code(0);
        run.findings().into_iter().map(|f| f.message).collect()
    };
    let fresh = messages(&["--no-cache"]);
    assert!(fresh.iter().any(|m| m.contains("is never cited")), "{fresh:?}");
    assert_eq!(messages(&[]), fresh);

    // The file holds binary numbers: the words are changed in place, bytes for bytes.
    let mut changed = std::fs::read(&file).unwrap();
    let at = changed.windows(14).position(|w| w == b"is never cited").expect("the finding is kept");
    changed[at..at + 14].copy_from_slice(b"IS NEVER CITED");
    std::fs::write(&file, &changed).unwrap();
    let cached = messages(&[]);
    assert!(cached.iter().any(|m| m.contains("IS NEVER CITED")), "{cached:?}");
    assert_eq!(std::fs::read(&file).unwrap(), changed, "check wrote nothing");
    assert_eq!(messages(&["--no-cache"]), fresh);
}
