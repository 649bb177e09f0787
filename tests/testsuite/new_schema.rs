//! `dossier new` (a skeleton that passes `check`, never over a file) and `dossier schema`.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::harness::{TODAY, Wiki, dossier};

const NEW: &str = "content/providers/acme-mail.md";

fn new_in(wiki: &Wiki) -> crate::harness::Run {
    dossier().arg("new").arg("--root").arg(wiki.root())
}

fn providers(wiki: &Wiki) -> BTreeSet<String> {
    std::fs::read_dir(wiki.path("content/providers"))
        .expect("list providers")
        .map(|e| e.expect("an entry").file_name().into_string().expect("UTF-8"))
        .collect()
}

#[test]
fn new_writes_a_skeleton_whose_placeholders_warn_until_filled_in() {
    let wiki = Wiki::minimal();
    let run = new_in(&wiki).args(["acme-mail", "--category", "email-hosting"]).run();
    run.assert_code(0);
    assert_eq!(run.stdout, format!("wrote {}\n", wiki.path(NEW).display()));
    let text = wiki.read(NEW);
    insta::assert_snapshot!("new_skeleton", text);
    assert!(text.contains(&format!("verified: {TODAY}\n")), "dated today:\n{text}");

    // No errors, but every placeholder is a warning, so CI (--deny-warnings) fails.
    let check = wiki.check().args(["--format", "json"]).run();
    check.assert_code(0);
    let found: Vec<(String, u32)> = check.findings().into_iter().map(|f| (f.code, f.line)).collect();
    let placeholder = |line: u32| ("placeholder".to_owned(), line);
    assert_eq!(found, [placeholder(7), placeholder(13), placeholder(24), placeholder(33)], "{}", check.stdout);
    wiki.check().arg("--deny-warnings").run().assert_code(1);

    // Filled in, with the category's columns uncommented, it is clean.
    let filled = text
        .replace("TODO: one or two plain sentences on what Acme Mail offers.", "Mailboxes for small offices.")
        .replace("TODO: the page's title", "About Acme Mail")
        .replace("TODO: one statement a reader can check in the source.", "Acme Mail was founded in 2020.")
        .replace("TODO: describe the provider", "Acme Mail hosts mail")
        .replace("# facts:", "facts:")
        .replace("#   dkim:", "  dkim:")
        .replace("#   storage-gb:", "  storage-gb:");
    let wiki = wiki.write(NEW, filled);
    let check = wiki.check().arg("--deny-warnings").run();
    check.assert_code(0);
    assert_eq!(check.stdout, "check ok: 0 errors, 0 warnings, 0 notes\n");
}

#[test]
fn new_without_a_category_lists_the_choices() {
    let wiki = Wiki::minimal().write(
        "content/categories/dns.md",
        "---\nname: DNS\ndescription: Authoritative DNS hosting.\n---\nGuidance.\n",
    );
    let before = providers(&wiki);
    let run = new_in(&wiki).arg("acme-mail").run();
    run.assert_code(2);
    assert_eq!(
        run.stderr,
        "dossier: error: choose the provider's category with --category, e.g. `dossier new acme-mail --category dns`; \
         the categories are: dns, email-hosting\n"
    );
    assert_eq!(providers(&wiki), before, "nothing written");
}

/// Today in UTC, and in `zone`.
fn dates_now(zone: &str) -> (String, String) {
    let now = jiff::Timestamp::now();
    let utc = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date().to_string();
    let local = now.in_tz(zone).unwrap_or_else(|e| panic!("the time zone {zone}: {e}")).date().to_string();
    (utc, local)
}

#[test]
fn new_and_check_date_by_utc_in_every_time_zone() {
    // At any moment one of these is on another day than UTC: UTC+14 from 10:00 UTC, UTC-12
    // until 12:00 UTC. A date taken from the local clock would differ from UTC in one of them.
    let mut a_zone_differed = false;
    for zone in ["Pacific/Kiritimati", "Etc/GMT+12"] {
        let wiki = Wiki::minimal();
        let (before, local) = dates_now(zone);
        a_zone_differed |= local != before;
        let new = new_in(&wiki).env_remove("DOSSIER_TODAY").env("TZ", zone).args([
            "acme-mail",
            "--category",
            "email-hosting",
        ]);
        new.run().assert_code(0);
        let (after, _) = dates_now(zone);
        let text = wiki.read(NEW);
        let dated = |day: &str| text.contains(&format!("verified: {day}\n"));
        assert!(dated(&before) || dated(&after), "{zone}: not dated {before} (UTC):\n{text}");
        let check = wiki.check().env_remove("DOSSIER_TODAY").env("TZ", zone).args(["--format", "json"]).run();
        let future: Vec<_> = check.findings().into_iter().filter(|f| f.code == "future-date").collect();
        assert!(future.is_empty(), "{zone}: {future:?}");
    }
    assert!(a_zone_differed, "one of the zones is on another day than UTC");
}

#[test]
fn new_takes_a_category() {
    let wiki = Wiki::minimal().write(
        "content/categories/dns.md",
        "---\nname: DNS\ndescription: Authoritative DNS hosting.\n---\nGuidance.\n",
    );
    new_in(&wiki).args(["acme-mail", "--category", "dns"]).run().assert_code(0);
    let text = wiki.read(NEW);
    assert!(text.contains("category: dns\n"));
    assert!(text.contains("# The category `dns` declares no fact columns"), "{text}");
    let check = wiki.check().args(["--format", "json"]).run();
    check.assert_code(0);
    assert!(check.findings().iter().all(|f| f.code == "placeholder"), "{}", check.stdout);
}

#[test]
fn new_never_overwrites() {
    let wiki = Wiki::minimal();
    let path = "content/providers/examplemail.md";
    let before = wiki.read(path);
    let run = new_in(&wiki).args(["examplemail", "--category", "email-hosting"]).run();
    run.assert_code(2);
    assert!(run.stderr.contains("already exist"), "{}", run.stderr);
    assert_eq!(wiki.read(path), before, "the existing dossier is untouched");
}

#[test]
fn new_refuses_a_name_that_is_not_a_slug() {
    let wiki = Wiki::minimal();
    let before = providers(&wiki);
    let run = new_in(&wiki).arg("Bad_Slug").run();
    run.assert_code(2);
    assert!(run.stderr.contains("`Bad_Slug` is not a slug"), "{}", run.stderr);
    assert_eq!(providers(&wiki), before, "nothing written");
}

#[test]
fn new_suggests_the_category_meant() {
    let wiki = Wiki::minimal();
    let before = providers(&wiki);
    let run = new_in(&wiki).args(["acme-mail", "--category", "emial-hosting"]).run();
    run.assert_code(2);
    assert!(
        run.stderr.contains("there is no category `emial-hosting`; did you mean `email-hosting`?"),
        "{}",
        run.stderr
    );
    assert_eq!(providers(&wiki), before, "nothing written");

    let far = new_in(&wiki).args(["acme-mail", "--category", "vps"]).run();
    far.assert_code(2);
    assert!(far.stderr.contains("the categories are: email-hosting"), "{}", far.stderr);
}

fn schema() -> Value {
    let run = dossier().arg("schema").run();
    run.assert_code(0);
    serde_json::from_str(&run.stdout).expect("the schema is JSON")
}

/// Every key a dossier's frontmatter accepts at the top level.
const TOP_LEVEL_KEYS: [&str; 15] = [
    "name",
    "website",
    "category",
    "summary",
    "jurisdiction",
    "tags",
    "status",
    "founded",
    "former_names",
    "right_of_reply",
    "sources",
    "facts",
    "claims",
    "draft",
    "aliases",
];

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().expect("an object").keys().cloned().collect()
}

fn strings(value: &Value) -> BTreeSet<String> {
    value.as_array().expect("an array").iter().map(|v| v.as_str().expect("a string").to_owned()).collect()
}

#[test]
fn schema_is_draft_2020_12_with_the_required_fields() {
    let schema = schema();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(schema["type"], "object");
    let required = strings(&schema["required"]);
    let expected: BTreeSet<String> =
        ["name", "website", "category", "summary", "claims"].map(String::from).into_iter().collect();
    assert_eq!(required, expected);
    let top_level: BTreeSet<String> = TOP_LEVEL_KEYS.map(String::from).into_iter().collect();
    assert_eq!(keys(&schema["properties"]), top_level);
    // No other keys are allowed, as in the parser.
    assert_eq!(schema["additionalProperties"], false);
    let claim = &schema["$defs"]["Claim"];
    let claim_required = strings(&claim["required"]);
    let expected: BTreeSet<String> = ["id", "text", "verified", "sources"].map(String::from).into_iter().collect();
    assert_eq!(claim_required, expected);
}

#[test]
fn schema_properties_are_the_keys_the_parser_accepts() {
    // A key like no other makes the parser list every key it accepts.
    let wiki = Wiki::minimal();
    let text = wiki.read("content/providers/examplemail.md").replacen("name:", "qqqqqq: 1\nname:", 1);
    let wiki = wiki.write("content/providers/examplemail.md", text);
    let run = wiki.check().args(["--format", "json"]).run();
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!((findings[0].code.as_str(), findings[0].line, findings[0].column), ("unknown-key", 2, 1));
    let help = findings[0].help.as_deref().expect("help");
    let listed = help.strip_prefix("the keys allowed here are: ").unwrap_or_else(|| panic!("a key list: {help}"));
    let accepted: BTreeSet<String> = listed.split(", ").map(String::from).collect();
    assert_eq!(accepted, keys(&schema()["properties"]));
}
