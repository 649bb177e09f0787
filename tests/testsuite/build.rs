//! `dossier build` end to end: the fixture wikis (`tests/fixtures/wiki`, a small but complete
//! wiki, and `tests/fixtures/hostile`, whose every text field is an attack) and the bundled wiki
//! are built by the real binary and the output is parsed, not grepped: snapshots of `<main>`,
//! citations and anchors, every internal link and fragment, atomic and deterministic output,
//! `--base-url` and `--noindex`, the JSON, sitemap and Atom files, hostile content staying
//! inert, and the Nu HTML Checker.
//!
//! Builds that several tests read are made once per test process ([`fixture`], [`hostile`],
//! [`bundled`]); tests that change a wiki build their own copy.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

use crate::harness::{Outcome, Wiki, dossier, fixtures_dir, manifest_dir};

// ---------------------------------------------------------------------------------------------
// Shared builds

/// A finished build: where its output is and how its pages spell the site root.
struct Built {
    out: PathBuf,
    /// "/" or "/wiki/".
    base_path: &'static str,
    /// `https://host/base/`, the absolute form of `base_path`.
    base_url: &'static str,
    outcome: Outcome,
}

/// This process's directory for builds shared between tests. Statics are never dropped, so
/// earlier runs' directories are removed here once they are an hour old.
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let parent = std::env::temp_dir().join("dossier-build-tests");
        fs::create_dir_all(&parent).expect("create the scratch directory");
        for entry in fs::read_dir(&parent).expect("list the scratch directory").flatten() {
            let age = entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
            if age.is_some_and(|a| a > Duration::from_secs(3600)) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
        tempfile::Builder::new().prefix("run-").tempdir_in(&parent).expect("create a scratch directory").keep()
    })
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk a fixture");
        let target = to.join(entry.path().strip_prefix(from).expect("inside the fixture"));
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).expect("create a directory");
        } else {
            fs::copy(entry.path(), &target).expect("copy a fixture file");
        }
    }
}

/// `dossier build --root <root> --output <out> <extra...>`.
fn run_build(root: &Path, out: &Path, extra: &[&str]) -> Outcome {
    dossier().arg("build").arg("--root").arg(root).arg("--output").arg(out).args(extra).run()
}

/// Copies `tests/fixtures/<name>` to the scratch directory (outside any git repository, so no
/// edit dates leak in) and builds it once.
fn build_fixture_once(name: &str, base_path: &'static str, base_url: &'static str) -> Built {
    let root = scratch().join(format!("{name}-src"));
    copy_dir(&fixtures_dir().join(name), &root);
    let out = scratch().join(format!("{name}-out"));
    let outcome = run_build(&root, &out, &[]);
    outcome.assert_code(0);
    Built { out, base_path, base_url, outcome }
}

/// `tests/fixtures/wiki`, built with its own settings (published under `/wiki/`).
fn fixture() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| build_fixture_once("wiki", "/wiki/", "https://wiki.example.org/wiki/"))
}

/// `tests/fixtures/hostile`, built with its own settings (published at the root).
fn hostile() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| build_fixture_once("hostile", "/", "https://hostile.example.org/"))
}

/// The bundled wiki (the repository's own `content/`), as a deploy preview under a path.
fn bundled() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let out = scratch().join("bundled-out");
        let outcome = run_build(manifest_dir(), &out, &["--base-url", "https://example.org/wiki/"]);
        outcome.assert_code(0);
        Built { out, base_path: "/wiki/", base_url: "https://example.org/wiki/", outcome }
    })
}

// ---------------------------------------------------------------------------------------------
// Reading the output

fn sel(selector: &str) -> Selector {
    Selector::parse(selector).unwrap_or_else(|e| panic!("bad selector {selector}: {e:?}"))
}

/// Every file under `dir`, as `/`-separated relative paths, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut found: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk the output"))
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).expect("inside").to_string_lossy().replace('\\', "/"))
        .collect();
    found.sort();
    found
}

fn html_files(dir: &Path) -> Vec<String> {
    files(dir).into_iter().filter(|f| f.ends_with(".html")).collect()
}

/// The whole tree: path → bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files(dir).into_iter().map(|f| (f.clone(), fs::read(dir.join(&f)).expect("read an output file"))).collect()
}

fn read(built: &Built, rel: &str) -> String {
    fs::read_to_string(built.out.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

fn page(built: &Built, rel: &str) -> Html {
    Html::parse_document(&read(built, rel))
}

/// Text content with runs of whitespace collapsed.
fn text(el: ElementRef) -> String {
    el.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
}

fn one<'a>(doc: &'a Html, selector: &str) -> ElementRef<'a> {
    let found: Vec<ElementRef> = doc.select(&sel(selector)).collect();
    assert_eq!(found.len(), 1, "expected exactly one `{selector}`, found {}", found.len());
    found[0]
}

fn all<'a>(doc: &'a Html, selector: &str) -> Vec<ElementRef<'a>> {
    doc.select(&sel(selector)).collect()
}

fn texts(doc: &Html, selector: &str) -> Vec<String> {
    all(doc, selector).into_iter().map(text).collect()
}

fn attrs(doc: &Html, selector: &str, attr: &str) -> Vec<String> {
    all(doc, selector).into_iter().filter_map(|e| e.attr(attr)).map(str::to_owned).collect()
}

// ---------------------------------------------------------------------------------------------
// Snapshots of <main>, pretty-printed

const VOID: &[&str] = &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"];
const PHRASING: &[&str] = &[
    "a", "abbr", "b", "br", "button", "cite", "code", "em", "i", "img", "input", "kbd", "label", "mark", "q", "s",
    "small", "span", "strong", "sub", "sup", "time", "var",
];

fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn open_tag(el: ElementRef) -> String {
    let mut attributes: Vec<(&str, &str)> = el.value().attrs().collect();
    attributes.sort_unstable();
    let mut tag = format!("<{}", el.value().name());
    for (name, value) in attributes {
        let _ = write!(tag, " {name}=\"{}\"", value.replace('&', "&amp;").replace('"', "&quot;"));
    }
    tag.push('>');
    tag
}

fn is_phrasing(el: ElementRef) -> bool {
    el.child_elements().all(|c| PHRASING.contains(&c.value().name()) && is_phrasing(c))
}

fn inline(el: ElementRef, out: &mut String) {
    out.push_str(&open_tag(el));
    let name = el.value().name();
    if VOID.contains(&name) {
        return;
    }
    for child in el.children() {
        if let Some(t) = child.value().as_text() {
            let collapsed: String = t
                .split(|c: char| c.is_ascii_whitespace())
                .enumerate()
                .fold(String::new(), |acc, (i, w)| if i == 0 { w.to_owned() } else { acc + " " + w });
            let collapsed = if collapsed.trim().is_empty() && !t.is_empty() { " ".to_owned() } else { collapsed };
            out.push_str(&escape_text(&collapsed));
        } else if let Some(c) = ElementRef::wrap(child) {
            inline(c, out);
        }
    }
    let _ = write!(out, "</{name}>");
}

fn block(el: ElementRef, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    let name = el.value().name();
    if name == "pre" {
        let _ = writeln!(out, "{indent}{}", el.html());
    } else if is_phrasing(el) {
        let mut line = String::new();
        inline(el, &mut line);
        let _ = writeln!(out, "{indent}{line}");
    } else {
        let _ = writeln!(out, "{indent}{}", open_tag(el));
        for child in el.children() {
            if let Some(t) = child.value().as_text() {
                let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
                if !t.is_empty() {
                    let _ = writeln!(out, "{indent}  {}", escape_text(&t));
                }
            } else if let Some(c) = ElementRef::wrap(child) {
                block(c, depth + 1, out);
            }
        }
        let _ = writeln!(out, "{indent}</{name}>");
    }
}

/// The page's `<main>`, one block element per line, attributes sorted.
fn pretty_main(built: &Built, rel: &str) -> String {
    let doc = page(built, rel);
    let mut out = String::new();
    block(one(&doc, "main"), 0, &mut out);
    out
}

#[test]
fn the_fixture_wiki_builds_with_a_summary_line() {
    let built = fixture();
    let stdout = built.outcome.stdout.trim_end();
    let pages = html_files(&built.out).len();
    let expected = format!("built {pages} pages (5 dossiers, 13 claims, 1 stale) into {} in ", built.out.display());
    assert!(stdout.starts_with(&expected), "summary line:\n{stdout}\nexpected it to start with:\n{expected}");
    assert!(stdout.ends_with(')') && stdout.contains("(search index "), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "one summary line: {stdout}");
    assert!(!built.outcome.stderr.contains("error"), "{}", built.outcome.stderr);
    for rel in [
        "index.html",
        "404.html",
        "search/index.html",
        "maintenance/index.html",
        "about/index.html",
        "methodology/index.html",
        "providers/examplemail/index.html",
        "providers/examplemail/index.json",
        "categories/dns/index.html",
        "tags/index.html",
        "tags/imap/index.html",
        "jurisdictions/index.html",
        "jurisdictions/de/index.html",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "api/providers.json",
        "schema/dossier.schema.json",
    ] {
        assert!(built.out.join(rel).is_file(), "{rel} is missing");
    }
}

#[test]
fn provider_page_snapshot() {
    insta::assert_snapshot!("provider_examplemail", pretty_main(fixture(), "providers/examplemail/index.html"));
}

#[test]
fn provider_page_with_allegation_and_reply_snapshot() {
    insta::assert_snapshot!("provider_harborline", pretty_main(fixture(), "providers/harborline/index.html"));
}

#[test]
fn category_page_snapshot() {
    insta::assert_snapshot!("category_email_hosting", pretty_main(fixture(), "categories/email-hosting/index.html"));
}

#[test]
fn home_page_snapshot() {
    insta::assert_snapshot!("home", pretty_main(fixture(), "index.html"));
}

#[test]
fn tag_listing_snapshot() {
    insta::assert_snapshot!("tag_imap", pretty_main(fixture(), "tags/imap/index.html"));
}

#[test]
fn maintenance_page_snapshot() {
    insta::assert_snapshot!("maintenance", pretty_main(fixture(), "maintenance/index.html"));
}

// ---------------------------------------------------------------------------------------------
// Citations, notes, claims and anchors

/// Checks the citation machinery of one provider page and returns the claim ids in the order
/// of their numbers.
fn check_citations(doc: &Html, shown: &str) -> Vec<String> {
    let ids: BTreeSet<String> = attrs(doc, "[id]", "id").into_iter().collect();
    let mut order: Vec<String> = Vec::new();
    let mut marks: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for sup in all(doc, "sup.cite") {
        let mark_id = sup.attr("id").unwrap_or_else(|| panic!("{shown}: a citation mark without an id"));
        let link = sup.select(&sel("a")).next().unwrap_or_else(|| panic!("{shown}: {mark_id} has no link"));
        let href = link.attr("href").unwrap_or_default();
        let claim = href.strip_prefix("#claim-").unwrap_or_else(|| panic!("{shown}: {mark_id} links to {href}"));
        assert!(ids.contains(&format!("claim-{claim}")), "{shown}: {href} has no target");
        let target = one(doc, &format!("article.claim#claim-{claim}"));
        let k = marks.get(claim).map_or(1, |m| m.len() + 1);
        assert_eq!(mark_id, format!("cite-{claim}-{k}"), "{shown}: marks of a claim are counted in order");
        if !order.iter().any(|c| c == claim) {
            order.push(claim.to_owned());
        }
        let number = order.iter().position(|c| c == claim).expect("just pushed") + 1;
        assert_eq!(text(link), format!("[{number}]"), "{shown}: numbered in order of first citation");
        let heading = target.select(&sel(".claim-ref")).next().expect("a claim heading");
        assert!(text(heading).ends_with(&format!("[{number}]")), "{shown}: claim {claim} is headed [{number}]");
        marks.entry(claim.to_owned()).or_default().push(mark_id.to_owned());
    }
    for article in all(doc, "article.claim") {
        let id = article.attr("id").expect("a claim article has an id");
        let claim = id.strip_prefix("claim-").expect("claim ids start with claim-");
        let backlinks: Vec<String> = article
            .select(&sel(".claim-head .backlinks a"))
            .map(|a| a.attr("href").unwrap_or_default().trim_start_matches('#').to_owned())
            .collect();
        let expected = marks.get(claim).cloned().unwrap_or_default();
        assert_eq!(backlinks, expected, "{shown}: {id} links back to each of its citation marks");
        for back in &backlinks {
            assert!(ids.contains(back), "{shown}: backlink #{back} has no target");
        }
    }
    order
}

#[test]
fn citations_are_numbered_in_order_and_link_both_ways() {
    let built = fixture();
    for rel in html_files(&built.out).iter().filter(|f| f.starts_with("providers/")) {
        let doc = page(built, rel);
        let order = check_citations(&doc, rel);
        assert!(!order.is_empty(), "{rel} cites its claims");
    }
    let doc = page(built, "providers/examplemail/index.html");
    assert_eq!(check_citations(&doc, "examplemail"), ["two-factor", "dkim-signing", "storage"]);
    let dkim = one(&doc, "article#claim-dkim-signing");
    assert_eq!(
        dkim.select(&sel(".backlinks a")).map(text).collect::<Vec<_>>(),
        ["a", "b"],
        "a claim cited twice has lettered backlinks"
    );
    assert_eq!(
        text(one(&doc, "article#claim-dkim-signing .claim-text")),
        "Outgoing mail is DKIM-signed with a 2048-bit key."
    );
    assert_eq!(all(&doc, "article#claim-dkim-signing .claim-text em").len(), 1, "claim text is inline Markdown");
    // Claims are grouped by kind, each group in citation order.
    assert_eq!(attrs(&doc, "section.claim-group", "aria-labelledby"), ["claims-fact", "claims-policy"]);
    assert_eq!(attrs(&doc, "#claims-fact ~ article.claim", "id"), ["claim-two-factor", "claim-dkim-signing"]);
    // A named source shared by two claims is listed under both.
    for claim in ["dkim-signing", "storage"] {
        let titles = texts(&doc, &format!("#claim-{claim} .source-title"));
        assert!(titles.contains(&"DKIM setup guide".to_owned()), "{claim}: {titles:?}");
    }
    let quote = one(&doc, "#claim-two-factor blockquote.source-quote");
    assert_eq!(text(quote), "Two-factor login works with any TOTP app.");
}

#[test]
fn ordinary_footnotes_are_lettered_notes_with_backlinks() {
    let built = fixture();
    let doc = page(built, "providers/examplemail/index.html");
    let refs = all(&doc, "sup.note-ref");
    assert_eq!(refs.iter().map(|r| text(*r)).collect::<Vec<_>>(), ["[a]", "[b]"]);
    assert_eq!(refs.iter().filter_map(|r| r.attr("id")).collect::<Vec<_>>(), ["note-ref-a-1", "note-ref-b-1"]);
    let notes = all(&doc, "section.notes-section ol.notes > li");
    assert_eq!(notes.iter().filter_map(|n| n.attr("id")).collect::<Vec<_>>(), ["note-a", "note-b"]);
    assert!(text(notes[0]).contains("The selector is mail."), "{}", text(notes[0]));
    assert!(text(notes[1]).contains("orientation only"), "{}", text(notes[1]));
    assert_eq!(attrs(&doc, "#note-a a.backlink", "href"), ["#note-ref-a-1"]);
    for r in refs {
        let href = r.select(&sel("a")).next().and_then(|a| a.attr("href")).expect("a note link");
        assert_eq!(all(&doc, href).len(), 1, "{href} has one target");
    }
    // Notes are not claims: they are neither numbered nor listed as claims.
    assert!(all(&doc, "article#claim-key-note, article#claim-team-note").is_empty());
    // A page's notes work the same way.
    let about = page(built, "about/index.html");
    assert_eq!(attrs(&about, "sup.note-ref a", "href"), ["#note-a"]);
    assert!(text(one(&about, "#note-a")).contains("Other vendors may follow."));
}

#[test]
fn a_vendor_statement_is_shown_beside_the_allegation_it_answers() {
    let doc = page(fixture(), "providers/harborline/index.html");
    let allegation = one(&doc, "article.claim--allegation#claim-staff-retaliation");
    let responses = allegation.select(&sel("section.responses .response")).collect::<Vec<_>>();
    assert_eq!(responses.len(), 1, "the statement is shown under the allegation");
    let response = responses[0];
    assert!(
        text(response).contains("Harborline states that no employee was disciplined"),
        "the statement's text is shown beside the allegation: {}",
        text(response)
    );
    assert_eq!(
        response.select(&sel(".response-link a")).filter_map(|a| a.attr("href")).collect::<Vec<_>>(),
        ["#claim-harborline-denial"],
        "and links to the statement's own entry with its sources"
    );
    assert!(response.attr("id").is_none(), "the copy has no id (the statement's own entry has it)");
    let statement = one(&doc, "article.claim--vendor-statement#claim-harborline-denial");
    let reply = statement.select(&sel(".responds-to a")).next().expect("In reply to ...");
    assert_eq!(reply.attr("href"), Some("#claim-staff-retaliation"));
    assert_eq!(text(reply), "claim [3]");
    assert!(all(&doc, "#claim-staff-retaliation .no-response").is_empty());
    // The right of reply is recorded.
    let rr = one(&doc, "section#right-of-reply");
    assert!(text(rr).contains("The vendor responded") && text(rr).contains("A statement was received by email."));

    // An allegation with no answer says so, and the maintenance page lists it.
    let postquay = page(fixture(), "providers/postquay/index.html");
    assert_eq!(all(&postquay, "#claim-hidden-fees .no-response").len(), 1);
    let maintenance = page(fixture(), "maintenance/index.html");
    let unanswered = attrs(&maintenance, "[aria-labelledby=unanswered-title] tbody a", "href");
    assert!(unanswered.contains(&"/wiki/providers/postquay/#claim-hidden-fees".to_owned()), "{unanswered:?}");
    assert!(
        !unanswered.iter().any(|h| h.contains("harborline")),
        "answered allegations are not listed: {unanswered:?}"
    );
}

#[test]
fn stale_claims_are_marked_on_the_page_in_the_table_and_in_maintenance() {
    let built = fixture();
    let doc = page(built, "providers/postquay/index.html");
    let claim = one(&doc, "article#claim-storage");
    assert!(claim.value().classes().any(|c| c == "claim--stale"));
    assert!(text(one(&doc, "#claim-storage .badge--stale")).contains("271 days past re-verification"));
    assert!(text(one(&doc, ".notice--stale")).starts_with("1 of 3 claims is stale"));
    let facts: Vec<(String, String, String, bool)> = one(&doc, "dl.infobox-facts")
        .select(&sel("dd"))
        .map(|dd| {
            let dt = dd.prev_siblings().filter_map(ElementRef::wrap).find(|e| e.value().name() == "dt");
            let link = dd.select(&sel("a")).next().and_then(|a| a.attr("href")).unwrap_or_default();
            (dt.map(text).unwrap_or_default(), text(dd), link.to_owned(), dd.value().classes().any(|c| c == "is-stale"))
        })
        .collect();
    assert_eq!(facts, [("Mailbox storage".into(), "50 GB stale".into(), "#claim-storage".into(), true)]);

    let table = page(built, "categories/email-hosting/index.html");
    let headers = texts(&table, "table.comparison-table thead th");
    assert_eq!(headers, ["Provider", "DKIM signing", "Mailbox storage (GB)"]);
    let rows = all(&table, "table.comparison-table tbody tr");
    let mut cells: BTreeMap<String, Vec<(String, Option<String>, bool)>> = BTreeMap::new();
    for row in rows {
        let name = text(row.select(&sel("th")).next().expect("a row header"));
        let row_cells = row
            .select(&sel("td"))
            .map(|td| {
                let link = td.select(&sel("a")).next().and_then(|a| a.attr("href")).map(str::to_owned);
                (text(td), link, td.value().classes().any(|c| c == "is-stale"))
            })
            .collect();
        cells.insert(name, row_cells);
    }
    let cell = |provider: &str, column: usize| cells[provider][column].clone();
    assert_eq!(
        cell("Postquay", 1),
        ("50 GB stale".into(), Some("/wiki/providers/postquay/#claim-storage".into()), true)
    );
    assert_eq!(cell("Postquay", 0), ("—".into(), None, false), "a missing value is marked, unlinked");
    assert_eq!(
        cell("ExampleMail", 0),
        ("Yes".into(), Some("/wiki/providers/examplemail/#claim-dkim-signing".into()), false)
    );
    assert_eq!(
        cell("Harborline Mail", 0),
        ("No".into(), Some("/wiki/providers/harborline/#claim-no-dkim".into()), false)
    );
    assert_eq!(cells.len(), 3, "{cells:?}");
    assert!(text(one(&table, ".comparison .notice--stale")).starts_with("1 value in this table is stale"));

    let maintenance = page(built, "maintenance/index.html");
    let stale = attrs(&maintenance, "[aria-labelledby=stale-title] tbody td a[href*='#claim-']", "href");
    assert_eq!(stale, ["/wiki/providers/postquay/#claim-storage"]);
    let unarchived = texts(&maintenance, "[aria-labelledby=unarchived-title] tbody tr");
    assert_eq!(unarchived.len(), 1, "{unarchived:?}");
    assert!(unarchived[0].contains("Nimbus DNS") && unarchived[0].contains("Frequently asked questions"));
    let home = page(built, "index.html");
    assert_eq!(texts(&home, ".home-stats li"), ["5 providers", "13 sourced claims", "1 stale claim"]);
}

/// Each fact on its provider's page under its column's label, in the category's column order,
/// linked to its claim; and numbers as written, on the page and in the JSON.
#[test]
fn provider_pages_show_their_facts_and_numbers_keep_their_form() {
    let built = fixture();
    let doc = page(built, "providers/nimbusdns/index.html");
    assert_eq!(texts(&doc, "dl.infobox-facts dt"), ["DNSSEC signing", "Zones on the free plan"]);
    assert_eq!(texts(&doc, "dl.infobox-facts dd"), ["No", "3"]);
    assert_eq!(attrs(&doc, "dl.infobox-facts dd a", "href"), ["#claim-free-tier", "#claim-free-tier"]);
    for anchor in attrs(&doc, "dl.infobox-facts dd a", "href") {
        assert!(doc.select(&sel(&anchor)).next().is_some(), "{anchor} is on the page");
    }
    assert!(all(&doc, "dl.infobox-facts .stale-mark").is_empty());
    let text_fact = page(built, "providers/zonequill/index.html");
    assert!(texts(&text_fact, "dl.infobox-facts dd").contains(&"Anycast".to_owned()));

    let json = read(built, "providers/nimbusdns/index.json");
    assert!(json.contains(r#""free-zones":{"value":3,"#), "{json}");
    let value: Value = serde_json::from_str(&json).expect("valid JSON");
    assert!(value["dossier"]["facts"]["free-zones"]["value"].is_u64());
    let examplemail = read(built, "providers/examplemail/index.json");
    assert!(examplemail.contains(r#""storage":{"value":10,"#), "{examplemail}");
}

#[test]
fn tags_and_jurisdictions_list_their_providers() {
    let built = fixture();
    let doc = page(built, "tags/imap/index.html");
    assert_eq!(texts(&doc, ".summary-title a"), ["ExampleMail", "Harborline Mail"]);
    let doc = page(built, "jurisdictions/de/index.html");
    assert_eq!(texts(&doc, ".summary-title a"), ["ExampleMail", "Nimbus DNS", "Postquay"]);
    let doc = page(built, "tags/index.html");
    assert_eq!(
        texts(&doc, ".term-list a"),
        ["api", "dnssec", "encryption", "imap", "smtp", "webmail"],
        "every tag has a listing"
    );
    let doc = page(built, "jurisdictions/index.html");
    assert_eq!(texts(&doc, ".term-list a"), ["CH", "DE", "US"]);
}

#[test]
fn code_blocks_are_highlighted_with_classes() {
    for (rel, lang) in [("providers/zonequill/index.html", "json"), ("categories/dns/index.html", "bash")] {
        let doc = page(fixture(), rel);
        let pre = one(&doc, "main pre.code");
        assert_eq!(pre.attr("data-lang"), Some(lang), "{rel}");
        // A long line scrolls the block, so a keyboard can reach it and a screen reader names it.
        assert_eq!((pre.attr("tabindex"), pre.attr("role")), (Some("0"), Some("group")), "{rel}");
        assert_eq!(pre.attr("aria-label"), Some(format!("Code ({lang})").as_str()), "{rel}");
        assert!(all(&doc, "main pre.code span[class^='hl-']").len() > 1, "{rel}: {}", pre.html());
        assert!(all(&doc, "[style]").is_empty(), "{rel}: classes, never inline styles");
        let sheets = attrs(&doc, "link[rel=stylesheet][media]", "href");
        assert!(sheets.len() == 2 && sheets.iter().all(|s| s.contains("syntax-")), "{rel}: {sheets:?}");
    }
    let doc = page(fixture(), "providers/examplemail/index.html");
    assert!(all(&doc, "link[rel=stylesheet][media]").is_empty(), "pages without code load no syntax stylesheet");
    let table = one(&doc, ".dossier-body .table-wrap[role=group][tabindex='0'] table");
    assert_eq!(table.select(&sel("tbody tr")).count(), 2);
}

// ---------------------------------------------------------------------------------------------
// Every internal link and fragment resolves

/// Percent-decodes a URL path or fragment.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Ids of an output page, parsed once.
struct IdCache<'a> {
    out: &'a Path,
    ids: HashMap<String, BTreeSet<String>>,
}

impl IdCache<'_> {
    fn ids(&mut self, rel: &str) -> &BTreeSet<String> {
        let out = self.out;
        self.ids.entry(rel.to_owned()).or_insert_with(|| {
            let doc = Html::parse_document(&fs::read_to_string(out.join(rel)).unwrap_or_default());
            attrs(&doc, "[id]", "id").into_iter().collect()
        })
    }
}

/// Attributes whose value is a URL the browser loads or follows.
const URL_ATTRIBUTES: &[&str] = &["href", "src", "action", "data-ui", "formaction", "poster", "data", "cite"];

/// Every problem with the internal links of a built site: missing files, missing fragments,
/// links outside the site, unexpected schemes, and duplicate ids.
fn link_problems(built: &Built) -> Vec<String> {
    let site = url::Url::parse(built.base_url).expect("the base URL parses");
    let mut cache = IdCache { out: &built.out, ids: HashMap::new() };
    let mut problems = Vec::new();
    let mut checked = 0usize;
    for rel in html_files(&built.out) {
        let doc = page(built, &rel);
        let mut seen = BTreeSet::new();
        for id in attrs(&doc, "[id]", "id") {
            if !seen.insert(id.clone()) {
                problems.push(format!("{rel}: duplicate id `{id}`"));
            }
        }
        let page_url = site.join(&rel).expect("a page URL");
        for el in all(&doc, "*") {
            for (name, value) in el.value().attrs() {
                if name == "data-index" {
                    let dir = value.strip_prefix(built.base_path).map(|d| built.out.join(d).join("engine.js"));
                    if !dir.is_some_and(|d| d.is_file()) {
                        problems.push(format!("{rel}: data-index={value} has no engine.js"));
                    }
                    continue;
                }
                if !URL_ATTRIBUTES.contains(&name) {
                    continue;
                }
                checked += 1;
                if let Err(problem) = resolve(built, &site, &page_url, value, &mut cache) {
                    problems.push(format!("{rel}: <{} {name}=\"{value}\">: {problem}", el.value().name()));
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} links found: is the output empty?");
    problems
}

/// Resolves one URL of a page to an output file (and fragment); external URLs pass.
fn resolve(
    built: &Built,
    site: &url::Url,
    page_url: &url::Url,
    value: &str,
    cache: &mut IdCache,
) -> Result<(), String> {
    if value != value.trim() || value.is_empty() {
        return Err("blank or padded URL".into());
    }
    let url = page_url.join(value).map_err(|e| format!("does not parse: {e}"))?;
    match url.scheme() {
        "mailto" => return Ok(()),
        "http" | "https" if url.origin() != site.origin() => return Ok(()),
        "http" | "https" => {}
        other => return Err(format!("scheme `{other}`")),
    }
    let path = percent_decode(url.path());
    let Some(inside) = path.strip_prefix(built.base_path) else {
        return Err(format!("{path} is outside the site {}", built.base_path));
    };
    let mut file = inside.to_owned();
    if file.is_empty() || file.ends_with('/') {
        file.push_str("index.html");
    } else if built.out.join(&file).is_dir() {
        file.push_str("/index.html");
    }
    if !built.out.join(&file).is_file() {
        return Err(format!("no file {file}"));
    }
    match url.fragment().map(percent_decode) {
        Some(fragment) if !fragment.is_empty() => {
            if !file.ends_with(".html") {
                return Err(format!("fragment #{fragment} on a non-HTML file"));
            }
            if !cache.ids(&file).contains(&fragment) {
                return Err(format!("no id `{fragment}` in {file}"));
            }
            Ok(())
        }
        Some(_) => Err("empty fragment".into()),
        None => Ok(()),
    }
}

fn assert_links_resolve(built: &Built) {
    let problems = link_problems(built);
    assert!(problems.is_empty(), "{} broken internal links or ids:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn every_internal_link_resolves_in_the_fixture_wiki() {
    assert_links_resolve(fixture());
}

#[test]
fn every_internal_link_resolves_in_the_hostile_wiki() {
    assert_links_resolve(hostile());
}

#[test]
fn every_internal_link_resolves_in_the_bundled_wiki() {
    assert_links_resolve(bundled());
}

/// The crawler at the bundled wiki's own address, where a link to `base_url` is a link into the
/// site: one to `/pages/methodology/` (published at `/methodology/`) is broken.
#[test]
fn every_internal_link_resolves_in_the_bundled_wiki_at_its_own_address() {
    let out = scratch().join("bundled-home-out");
    let outcome = run_build(manifest_dir(), &out, &["--no-cache"]);
    outcome.assert_code(0);
    assert_links_resolve(&Built { out, base_path: "/", base_url: "https://dossier.example.org/", outcome });
}

#[test]
fn syntax_stylesheets_are_linked_from_the_site_root() {
    let built = fixture();
    let doc = page(built, "providers/zonequill/index.html");
    let sheets = attrs(&doc, "link[rel=stylesheet]", "href");
    assert_eq!(sheets.len(), 3, "{sheets:?}");
    for href in sheets {
        assert!(href.starts_with("/wiki/static/"), "{href} is not under /wiki/static/");
        assert!(built.out.join(href.trim_start_matches("/wiki/")).is_file(), "{href} is not in the output");
    }
}

/// Builds a copy of the fixture wiki changed by `change`, asserting success.
fn build_variant(change: impl FnOnce(Wiki) -> Wiki) -> (Wiki, Built) {
    let wiki = change(Wiki::empty().overlay_dir(&fixtures_dir().join("wiki")));
    let out = wiki.path("public");
    let outcome = run_build(wiki.root(), &out, &[]);
    outcome.assert_code(0);
    (wiki, Built { out, base_path: "/wiki/", base_url: "https://wiki.example.org/wiki/", outcome })
}

/// Appends Markdown to the body of a content file of the fixture wiki.
fn append(wiki: Wiki, rel: &str, markdown: &str) -> Wiki {
    let text = wiki.read(rel) + markdown;
    wiki.write(rel, text)
}

/// The edit, history and "Report a problem" links follow `repo_url` in its forge's real URL
/// shapes, whether the host names the forge or `forge:` does.
#[test]
fn repository_links_take_the_shapes_of_the_forge_repo_url_is_on() {
    const FILE: &str = "content/providers/examplemail.md";
    let cases = [
        (
            "repo_url: https://github.com/acme/wiki",
            "https://github.com/acme/wiki/edit/main/",
            "https://github.com/acme/wiki/commits/main/",
            "https://github.com/acme/wiki/issues/new/choose",
        ),
        (
            "repo_url: https://gitlab.com/acme/wiki/",
            "https://gitlab.com/acme/wiki/-/edit/main/",
            "https://gitlab.com/acme/wiki/-/commits/main/",
            "https://gitlab.com/acme/wiki/-/issues/new",
        ),
        (
            "repo_url: https://codeberg.org/acme/wiki",
            "https://codeberg.org/acme/wiki/_edit/main/",
            "https://codeberg.org/acme/wiki/commits/branch/main/",
            "https://codeberg.org/acme/wiki/issues/new/choose",
        ),
        (
            "repo_url: https://code.example.org/acme/wiki\nforge: gitlab",
            "https://code.example.org/acme/wiki/-/edit/main/",
            "https://code.example.org/acme/wiki/-/commits/main/",
            "https://code.example.org/acme/wiki/-/issues/new",
        ),
    ];
    for (settings, edit, history, issue) in cases {
        let (_wiki, built) = build_variant(|wiki| {
            let text = wiki
                .read("content/site.yaml")
                .replace("repo_url: https://git.example.org/wiki\nforge: gitea", settings);
            assert!(text.contains(settings), "the fixture's repo_url and forge lines moved");
            wiki.write("content/site.yaml", text)
        });
        let doc = page(&built, "providers/examplemail/index.html");
        let link = |label: &str| -> String {
            let found: Vec<String> = doc
                .select(&sel("a[href]"))
                .filter(|a| text(*a) == label)
                .filter_map(|a| a.value().attr("href").map(str::to_owned))
                .collect();
            assert_eq!(found.len(), 1, "{settings}: one `{label}` link: {found:?}");
            found[0].clone()
        };
        assert_eq!(link("Edit this page"), format!("{edit}{FILE}"), "{settings}");
        assert_eq!(link("Page history"), format!("{history}{FILE}"), "{settings}");
        assert_eq!(link("Report a problem"), issue, "{settings}");
    }
}

#[test]
fn body_headings_never_reuse_an_id_of_the_page_template() {
    let (_wiki, built) = build_variant(|wiki| {
        let wiki = append(
            wiki,
            "content/providers/harborline.md",
            "\n## Right of reply\n\nx\n\n## Main\n\nx\n\n## Claims title\n\nx\n\n## Notes title\n\nx\n",
        );
        let wiki = append(wiki, "content/index.md", "\n## Categories\n\nx\n\n## Recent title\n\nx\n");
        append(wiki, "content/categories/dns.md", "\n## Comparison title\n\nx\n")
    });
    let duplicates: Vec<String> = link_problems(&built).into_iter().filter(|p| p.contains("duplicate id")).collect();
    assert!(duplicates.is_empty(), "{}", duplicates.join("\n"));
}

#[test]
fn claim_texts_leave_no_dangling_fragments_or_repeated_ids() {
    let (_wiki, built) = build_variant(|wiki| {
        let rel = "content/providers/harborline.md";
        let text = wiki.read(rel).replace(
            "text: Harborline states that no employee was disciplined for reporting an outage.",
            "text: \"Harborline states that no employee was disciplined.[^n]\\n\\n[^n]: Per its blog.\"",
        );
        wiki.write(rel, text)
    });
    let problems: Vec<String> =
        link_problems(&built).into_iter().filter(|p| p.contains("harborline") && !p.contains("syntax-")).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Determinism and atomic output

#[test]
fn two_builds_of_the_same_wiki_are_byte_identical() {
    let first = fixture();
    let wiki = Wiki::empty().overlay_dir(&fixtures_dir().join("wiki"));
    let second = wiki.path("elsewhere/public");
    run_build(wiki.root(), &second, &[]).assert_code(0);
    let (a, b) = (tree(&first.out), tree(&second));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "the same files");
    let differing: Vec<&String> = a.iter().filter(|(k, v)| b.get(*k) != Some(*v)).map(|(k, _)| k).collect();
    assert!(differing.is_empty(), "files differ between two builds: {differing:?}");
}

/// Asserts a failed build: exit 1, the errors, the notice, and `out` exactly as `before`.
#[track_caller]
fn assert_failed_and_unchanged(outcome: &Outcome, out: &Path, before: &BTreeMap<String, Vec<u8>>, code: &str) {
    outcome.assert_code(1);
    assert!(outcome.stderr.contains(code), "expected `{code}` in:\n{}", outcome.stderr);
    assert!(outcome.stderr.contains("build failed: the output was not touched"), "{}", outcome.stderr);
    assert!(outcome.stdout.is_empty(), "no summary for a failed build: {}", outcome.stdout);
    let after = tree(out);
    assert_eq!(after.keys().collect::<Vec<_>>(), before.keys().collect::<Vec<_>>(), "the same files");
    assert!(after == *before, "a failed build changed the previous output");
    let parent = out.parent().expect("the output has a parent");
    let leftovers: Vec<String> = fs::read_dir(parent)
        .expect("list the output's parent")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-") || n.contains(".old-"))
        .collect();
    assert!(leftovers.is_empty(), "staging directories left behind: {leftovers:?}");
}

#[test]
fn a_failing_build_leaves_the_previous_output_byte_identical() {
    let wiki = Wiki::empty().overlay_dir(&fixtures_dir().join("wiki"));
    let out = wiki.path("site/public");
    run_build(wiki.root(), &out, &[]).assert_code(0);
    let before = tree(&out);
    assert!(before.len() > 20);

    // A content error: check fails, nothing is rendered.
    let rel = "content/providers/examplemail.md";
    let good = wiki.read(rel);
    let wiki = wiki.write(rel, good.replace("ExampleMail signs outgoing", "[Run](javascript:alert(1)) signs outgoing"));
    let outcome = run_build(wiki.root(), &out, &[]);
    assert_failed_and_unchanged(&outcome, &out, &before, "invalid-url");

    // A template that renders with an undefined variable: fails while rendering. It keeps the
    // id a body links to, which check looks for.
    let wiki = wiki.write(rel, &good).write(
        "themes/default/templates/provider.html",
        "{% extends \"base.html\" %}{% block main %}<h1 id=\"claims-title\">{{ provider.name }}</h1>{{ provider.no_such_field.x }}{% endblock main %}",
    );
    let outcome = run_build(wiki.root(), &out, &[]);
    assert_failed_and_unchanged(&outcome, &out, &before, "template");
    assert!(outcome.stderr.contains("provider.html"), "the error names the template: {}", outcome.stderr);

    // A template that does not compile (keeping the id a body links to, which check looks for).
    let wiki = wiki.write("themes/default/templates/provider.html", "<b id=\"claims-title\"></b>{% if %}");
    let outcome = run_build(wiki.root(), &out, &[]);
    assert_failed_and_unchanged(&outcome, &out, &before, "template");

    // Without a cache the dossiers' pages are written as they are rendered: a listing that fails
    // after them (keeping the id a body links to) still leaves the previous output as it was,
    // and no staging folder behind.
    let wiki = wiki.remove("themes/default/templates/provider.html").write(
        "themes/default/templates/category.html",
        "{% extends \"base.html\" %}{% block main %}<h2 id=\"comparison-title\"></h2>{{ category.no_such_field.x }}{% endblock main %}",
    );
    let outcome = run_build(wiki.root(), &out, &["--no-cache"]);
    assert_failed_and_unchanged(&outcome, &out, &before, "template");
    assert!(outcome.stderr.contains("category.html"), "the error names the template: {}", outcome.stderr);

    // Fixed again: the next build replaces the output, with a cache or without.
    let wiki = wiki.remove("themes/default/templates/category.html");
    run_build(wiki.root(), &out, &[]).assert_code(0);
    assert!(tree(&out) == before, "the same input builds the same output again");
    run_build(wiki.root(), &out, &["--no-cache"]).assert_code(0);
    assert!(tree(&out) == before, "a build without the cache writes the same output");
}

#[test]
fn a_failing_first_build_creates_no_output() {
    let wiki = Wiki::minimal();
    let rel = "content/providers/examplemail.md";
    let text = wiki.read(rel).replace("name: ExampleMail", "name: ExampleMail\nnmae: typo");
    let wiki = wiki.write(rel, text);
    let out = wiki.path("public");
    let outcome = run_build(wiki.root(), &out, &[]);
    outcome.assert_code(1);
    assert!(outcome.stderr.contains("unknown-key"), "{}", outcome.stderr);
    assert!(!out.exists(), "a failed build created {}", out.display());
    let mut entries: Vec<String> =
        fs::read_dir(wiki.root()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    entries.sort();
    // The parse cache is kept (the next build parses only the fixed file); no output is.
    assert_eq!(entries, [".dossier-cache", "content"], "nothing but the content and the cache");
}

// ---------------------------------------------------------------------------------------------
// --base-url, --noindex, robots, sitemap, feed

#[test]
fn base_url_prefixes_every_link_and_makes_canonical_urls_absolute() {
    let built = bundled();
    assert!(built.outcome.stdout.starts_with("built "), "{}", built.outcome.stdout);
    for rel in html_files(&built.out) {
        let doc = page(built, &rel);
        for el in all(&doc, "[href], [src], [action], [data-ui], [data-index]") {
            for name in ["href", "src", "action", "data-ui", "data-index"] {
                let Some(value) = el.attr(name) else { continue };
                if value.starts_with('/') {
                    assert!(value.starts_with("/wiki/"), "{rel}: {name}={value} is not under /wiki/");
                }
            }
        }
        let canonical = one(&doc, "link[rel=canonical]").attr("href").expect("a canonical URL");
        let expected = match rel.strip_suffix("index.html") {
            Some(dir) => format!("https://example.org/wiki/{dir}"),
            None => format!("https://example.org/wiki/{rel}"),
        };
        assert_eq!(canonical, expected, "{rel}");
    }
    let robots = read(built, "robots.txt");
    assert!(robots.contains("Sitemap: https://example.org/wiki/sitemap.xml"), "{robots}");
    let sitemap = read(built, "sitemap.xml");
    let doc = roxmltree::Document::parse(&sitemap).expect("sitemap.xml parses");
    for loc in doc.descendants().filter(|n| n.has_tag_name("loc")) {
        assert!(loc.text().unwrap_or_default().starts_with("https://example.org/wiki/"), "{:?}", loc.text());
    }
    let feed = read(built, "feed.xml");
    let doc = roxmltree::Document::parse(&feed).expect("feed.xml parses");
    for id in doc.descendants().filter(|n| n.has_tag_name("id")) {
        assert!(id.text().unwrap_or_default().starts_with("https://example.org/wiki/"), "{:?}", id.text());
    }
    let api = read(built, "api/providers.json");
    let api: Value = serde_json::from_str(&api).expect("providers.json parses");
    for provider in api["providers"].as_array().expect("providers") {
        assert!(provider["url"].as_str().unwrap_or_default().starts_with("/wiki/providers/"), "{provider}");
    }
}

#[test]
fn noindex_disallows_robots_and_marks_every_page() {
    let wiki = Wiki::empty().overlay_dir(&fixtures_dir().join("wiki"));
    let out = wiki.path("public");
    run_build(wiki.root(), &out, &["--noindex"]).assert_code(0);
    assert_eq!(fs::read_to_string(out.join("robots.txt")).unwrap(), "User-agent: *\nDisallow: /\n");
    for rel in html_files(&out) {
        let doc = Html::parse_document(&fs::read_to_string(out.join(&rel)).unwrap());
        assert_eq!(attrs(&doc, "meta[name=robots]", "content"), ["noindex"], "{rel}");
    }

    let built = fixture();
    let robots = read(built, "robots.txt");
    assert!(robots.lines().any(|l| l == "Sitemap: https://wiki.example.org/wiki/sitemap.xml"), "{robots}");
    assert!(!robots.contains("Disallow: /\n"), "{robots}");
    for rel in html_files(&built.out) {
        assert!(all(&page(built, &rel), "meta[name=robots]").is_empty(), "{rel} asks not to be indexed");
    }
}

/// The output file an absolute URL of the site names.
fn file_of(built: &Built, url: &str) -> PathBuf {
    let rel = url.strip_prefix(built.base_url).unwrap_or_else(|| panic!("{url} is not under {}", built.base_url));
    let rel = if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel.to_owned() };
    built.out.join(rel)
}

fn is_w3c_date(text: &str) -> bool {
    (text.len() == 10 && text.parse::<jiff::civil::Date>().is_ok()) || is_rfc3339(text)
}

fn is_rfc3339(text: &str) -> bool {
    text.contains('T') && text.parse::<jiff::Timestamp>().is_ok()
}

/// The sitemaps.org 0.9 schema, checked element by element.
fn check_sitemap(built: &Built) {
    let xml = read(built, "sitemap.xml");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), "{xml}");
    let doc = roxmltree::Document::parse(&xml).expect("sitemap.xml is well-formed XML");
    let ns = "http://www.sitemaps.org/schemas/sitemap/0.9";
    let root = doc.root_element();
    assert!(root.has_tag_name((ns, "urlset")), "the root is sitemaps.org's urlset");
    let mut locs = BTreeSet::new();
    for url in root.children().filter(roxmltree::Node::is_element) {
        assert!(url.has_tag_name((ns, "url")), "urlset holds only url elements: {:?}", url.tag_name());
        let children: Vec<roxmltree::Node> = url.children().filter(roxmltree::Node::is_element).collect();
        let names: Vec<&str> = children.iter().map(|c| c.tag_name().name()).collect();
        let order = ["loc", "lastmod", "changefreq", "priority"];
        let positions: Vec<usize> =
            names.iter().map(|n| order.iter().position(|o| o == n).expect("a sitemap child")).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "children in schema order, each once: {names:?}");
        assert_eq!(names.first(), Some(&"loc"), "loc is required");
        for child in children {
            assert_eq!(child.tag_name().namespace(), Some(ns));
            let value = child.text().unwrap_or_default();
            match child.tag_name().name() {
                "loc" => {
                    assert!(value.len() < 2048 && url::Url::parse(value).is_ok(), "loc {value}");
                    assert!(file_of(built, value).is_file(), "sitemap loc {value} has no page");
                    assert!(locs.insert(value.to_owned()), "loc {value} is listed twice");
                }
                "lastmod" => assert!(is_w3c_date(value), "lastmod {value} is not a W3C date"),
                "priority" => assert!(value.parse::<f32>().is_ok_and(|p| (0.0..=1.0).contains(&p)), "{value}"),
                _ => {}
            }
        }
    }
    assert!(locs.len() > 5 && locs.len() <= 50_000, "{} URLs", locs.len());
    assert!(locs.contains(built.base_url), "the home page is listed");
}

/// RFC 4287, as far as this feed uses it.
fn check_feed(built: &Built) -> Vec<(String, String)> {
    check_atom(&built.out, built.base_url, "feed.xml", built.base_url)
}

/// The Atom feed at `rel` in the output `out` (published at `base_url`), whose id must be
/// `feed_id`: RFC 4287 as far as dossier's feeds use it. Returns each entry's title and summary.
pub(crate) fn check_atom(out: &Path, base_url: &str, rel: &str, feed_id: &str) -> Vec<(String, String)> {
    let xml = fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"));
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{rel} is not well-formed XML: {e}"));
    let atom = "http://www.w3.org/2005/Atom";
    let feed = doc.root_element();
    assert!(feed.has_tag_name((atom, "feed")));
    let children = |node: roxmltree::Node<'_, '_>, name: &str| -> Vec<String> {
        node.children()
            .filter(|c| c.has_tag_name((atom, name)))
            .map(|c| c.text().unwrap_or_default().to_owned())
            .collect()
    };
    let single = |node: roxmltree::Node<'_, '_>, name: &str| -> String {
        let found = children(node, name);
        assert_eq!(found.len(), 1, "exactly one atom:{name}: {found:?}");
        found[0].clone()
    };
    let id = single(feed, "id");
    assert!(url::Url::parse(&id).is_ok(), "the feed id {id} is an IRI");
    assert_eq!(id, feed_id);
    assert!(!single(feed, "title").is_empty());
    let updated = single(feed, "updated");
    assert!(is_rfc3339(&updated), "feed updated {updated} is a full RFC 3339 timestamp");
    assert_eq!(feed.children().filter(|c| c.has_tag_name((atom, "author"))).count(), 1, "a feed-level author");
    let self_link = feed
        .children()
        .find(|c| c.has_tag_name((atom, "link")) && c.attribute("rel") == Some("self"))
        .and_then(|l| l.attribute("href"))
        .expect("a self link");
    assert_eq!(self_link, format!("{base_url}{rel}"));
    let mut entries = Vec::new();
    let mut newest = String::new();
    for entry in feed.children().filter(|c| c.has_tag_name((atom, "entry"))) {
        let id = single(entry, "id");
        assert!(url::Url::parse(&id).is_ok(), "entry id {id}");
        let entry_updated = single(entry, "updated");
        assert!(is_rfc3339(&entry_updated), "entry updated {entry_updated}");
        newest = newest.max(entry_updated);
        let title = single(entry, "title");
        let link = entry
            .children()
            .find(|c| c.has_tag_name((atom, "link")) && c.attribute("rel").unwrap_or("alternate") == "alternate")
            .and_then(|l| l.attribute("href"))
            .expect("an alternate link (there is no content)")
            .to_owned();
        let page = link.split('#').next().unwrap_or_default();
        let page = page.strip_prefix(base_url).unwrap_or_else(|| panic!("{link} is not under {base_url}"));
        let page = if page.is_empty() || page.ends_with('/') { format!("{page}index.html") } else { page.to_owned() };
        assert!(out.join(page).is_file(), "entry link {link} has no page");
        entries.push((title, single(entry, "summary")));
    }
    assert!(!entries.is_empty());
    assert_eq!(updated, newest, "the feed was updated when its newest entry was");
    entries
}

#[test]
fn sitemap_follows_the_sitemaps_schema_and_lists_only_real_pages() {
    check_sitemap(fixture());
    check_sitemap(hostile());
    check_sitemap(bundled());
}

#[test]
fn feed_is_valid_atom_with_full_timestamps() {
    let entries = check_feed(fixture());
    let titles: Vec<&str> = entries.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(titles, ["Zonequill DNS", "Nimbus DNS", "ExampleMail", "Harborline Mail", "Postquay"]);
    check_feed(bundled());
}

// ---------------------------------------------------------------------------------------------
// Machine-readable data

#[test]
fn json_files_parse_and_carry_the_claims_and_sources() {
    let built = fixture();
    let api: Value = serde_json::from_str(&read(built, "api/providers.json")).expect("providers.json parses");
    assert_eq!(api["version"], 1);
    let providers = api["providers"].as_array().expect("a providers array");
    let slugs: Vec<&str> = providers.iter().filter_map(|p| p["slug"].as_str()).collect();
    assert_eq!(slugs, ["examplemail", "harborline", "nimbusdns", "postquay", "zonequill"]);
    for provider in providers {
        let json_url = provider["json_url"].as_str().expect("a json_url");
        let rel = json_url.strip_prefix("/wiki/").expect("under the base path");
        let one: Value = serde_json::from_str(&read(built, rel)).expect("index.json parses");
        assert_eq!(one["slug"], provider["slug"]);
        assert_eq!(one["dossier"]["name"], provider["name"]);
        assert_eq!(provider["claim_count"].as_u64(), one["dossier"]["claims"].as_array().map(|c| c.len() as u64));
        for claim in one["dossier"]["claims"].as_array().expect("claims") {
            assert!(claim["id"].is_string() && claim["text"].is_string() && claim["verified"].is_string(), "{claim}");
            assert!(!claim["sources"].as_array().expect("sources").is_empty(), "{claim}");
        }
    }
    let mail: Value = serde_json::from_str(&read(built, "providers/examplemail/index.json")).unwrap();
    assert_eq!(mail["url"], "https://wiki.example.org/wiki/providers/examplemail/");
    let claims = mail["dossier"]["claims"].as_array().unwrap();
    let ids: Vec<&str> = claims.iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(ids, ["dkim-signing", "two-factor", "storage"]);
    assert_eq!(claims[0]["sources"], serde_json::json!(["docs"]), "named sources stay named");
    assert_eq!(mail["dossier"]["sources"]["docs"]["url"], "https://docs.examplemail.test/dkim");
    assert_eq!(claims[1]["sources"][0]["quote"], "Two-factor login works with any TOTP app.");
    assert_eq!(mail["dossier"]["facts"]["dkim"]["claim"], "dkim-signing");
    let postquay: Value = serde_json::from_str(&read(built, "providers/postquay/index.json")).unwrap();
    assert_eq!(postquay["stale_claims"], serde_json::json!(["storage"]));

    let schema: Value = serde_json::from_str(&read(built, "schema/dossier.schema.json")).expect("the schema parses");
    assert!(schema["$schema"].as_str().is_some_and(|s| s.contains("json-schema.org")), "{}", schema["$schema"]);
    for field in ["name", "website", "category", "summary", "claims"] {
        assert!(schema["properties"].get(field).is_some(), "the schema describes `{field}`");
    }
}

// ---------------------------------------------------------------------------------------------
// Hostile content stays inert

/// What a browser would take as the scheme of `url`: leading and trailing C0 controls and
/// spaces are stripped and tabs and newlines removed first (WHATWG URL parsing).
fn browser_scheme(url: &str) -> Option<String> {
    let cleaned: String =
        url.trim_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let colon = cleaned.find(':')?;
    let scheme = &cleaned[..colon];
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

fn is_safe_url(url: &str) -> bool {
    browser_scheme(url).is_none_or(|s| matches!(s.as_str(), "http" | "https" | "mailto"))
}

/// Elements contributed content must never produce.
const FORBIDDEN: &[&str] = &[
    "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "base", "style", "template", "textarea",
    "portal", "video", "audio", "img", "picture", "canvas", "dialog", "details",
];

/// Everything active in one parsed page that is not the site's own: scripts, event handlers,
/// dangerous elements and URLs.
fn active_content(doc: &Html, base_path: &str) -> Vec<String> {
    let mut found = Vec::new();
    let own_script = |src: &str| {
        [format!("{base_path}static/"), format!("{base_path}search-index/"), "/__dossier/".to_owned()]
            .iter()
            .any(|p| src.starts_with(p.as_str()))
    };
    for el in all(doc, "*") {
        let name = el.value().name();
        for (attr, value) in el.value().attrs() {
            let attr = attr.to_ascii_lowercase();
            if attr.starts_with("on") {
                found.push(format!("<{name} {attr}=\"{value}\">: event handler"));
            }
            if attr == "style" || attr == "srcdoc" || attr == "formaction" || attr.contains("xlink") {
                found.push(format!("<{name} {attr}=\"{value}\">: forbidden attribute"));
            }
            if (URL_ATTRIBUTES.contains(&attr.as_str()) || attr == "data-index") && !is_safe_url(value) {
                found.push(format!("<{name} {attr}=\"{value}\">: unsafe URL"));
            }
        }
        match name {
            "script" if !el.attr("src").is_some_and(own_script) || !el.text().all(|t| t.trim().is_empty()) => {
                found.push(format!("a script that is not the site's own: {}", el.html()));
            }
            "script" => {}
            "form" => {
                let own = el.attr("role") == Some("search")
                    && el.attr("action") == Some(format!("{base_path}search/").as_str())
                    && el.attr("method").is_none_or(|m| m.eq_ignore_ascii_case("get"));
                if !own {
                    found.push(format!("a form that is not the site's search: {}", el.html()));
                }
            }
            "input" | "button" | "select" => {
                let in_search = el
                    .ancestors()
                    .filter_map(ElementRef::wrap)
                    .any(|a| a.attr("role") == Some("search") || a.attr("id") == Some("search-app"));
                if !in_search {
                    found.push(format!("a control outside the search UI: {}", el.html()));
                }
            }
            "meta" if el.attr("http-equiv").is_some() => found.push(format!("meta http-equiv: {}", el.html())),
            "link" => {
                let rel = el.attr("rel").unwrap_or_default();
                if !matches!(rel, "stylesheet" | "canonical" | "alternate" | "icon") {
                    found.push(format!("<link rel={rel}>"));
                }
            }
            _ if FORBIDDEN.contains(&name) => found.push(format!("a <{name}> element: {}", el.html())),
            _ => {}
        }
    }
    found
}

#[test]
fn the_inertness_check_catches_active_html() {
    for bad in [
        "<script>alert(1)</script>",
        "<script src=https://evil.test/x.js></script>",
        "<img src=x onerror=alert(1)>",
        "<b OnClick=alert(1)>x</b>",
        "<a href=' JaVaScRiPt:alert(1)'>x</a>",
        "<a href='java\tscript:alert(1)'>x</a>",
        "<a href='&#106;avascript:alert(1)'>x</a>",
        "<a href='vbscript:msgbox(1)'>x</a>",
        "<a href='data:text/html,x'>x</a>",
        "<iframe></iframe>",
        "<svg></svg>",
        "<math></math>",
        "<form action=/x></form>",
        "<object></object>",
        "<embed src=x>",
        "<div style='color:red'>x</div>",
        "<meta http-equiv=refresh content=0>",
        "<base href=https://evil.test/>",
        "<link rel=import href=x>",
        "<input name=x>",
    ] {
        let doc = Html::parse_fragment(bad);
        assert!(!active_content(&doc, "/").is_empty(), "{bad} is not caught");
    }
    let own = "<script src=/static/search.js defer></script><form role=search action=/search/><input name=q></form>";
    assert_eq!(active_content(&Html::parse_fragment(own), "/"), Vec::<String>::new());
}

#[test]
fn hostile_content_never_becomes_active_html() {
    let built = hostile();
    let pages = html_files(&built.out);
    assert!(pages.len() >= 10, "{pages:?}");
    let mut problems = Vec::new();
    for rel in &pages {
        for problem in active_content(&page(built, rel), built.base_path) {
            problems.push(format!("{rel}: {problem}"));
        }
    }
    assert!(problems.is_empty(), "active content in the hostile build:\n{}", problems.join("\n"));
    // The same rules hold for the ordinary wikis (so they are not too strict to mean anything).
    for built in [fixture(), bundled()] {
        for rel in html_files(&built.out) {
            let found = active_content(&page(built, &rel), built.base_path);
            assert!(found.is_empty(), "{rel}: {found:?}");
        }
    }
}

#[test]
fn hostile_text_fields_are_shown_as_text() {
    let built = hostile();
    let doc = page(built, "providers/evil/index.html");
    let name = "</title><script>alert('name')</script><!--";
    let site_title = "Hostile <script>alert('site')</script> {{ site.description }}";
    assert_eq!(text(one(&doc, "h1")), name);
    assert_eq!(text(one(&doc, "title")), format!("{name} – {site_title}"));
    assert_eq!(text(one(&doc, ".site-title")), site_title, "tera syntax is not evaluated");
    let summary = "\"><img src=x onerror=alert('summary')> {{ site.title }} {% raw %}";
    assert_eq!(text(one(&doc, ".lede")), summary);
    assert_eq!(one(&doc, "meta[name=description]").attr("content"), Some(summary));
    let infobox = text(one(&doc, ".infobox"));
    assert!(infobox.contains("{{ site.title }}, <iframe src=javascript:alert('former')></iframe>"), "{infobox}");
    let website = one(&doc, ".infobox a.break");
    assert_eq!(website.attr("href"), Some("https://evil.test/?q=%22%3E%3Cscript%3Ealert(%27website%27)%3C/script%3E"));
    assert_eq!(text(website), "evil.test/?q=%22%3E%3Cscript%3Ealert(%27website%27)%3C/script%3E");
    assert_eq!(
        text(one(&doc, "#right-of-reply > p")),
        "<svg onload=alert('note')></svg> {% for x in [1] %}{{ x }}{% endfor %}"
    );

    let body = text(one(&doc, ".dossier-body"));
    for shown in [
        "<script>alert(\"body\")</script>",
        "<img src=x onerror=alert('body-img')>",
        "<b onclick=\"alert('body-b')\">bold</b>",
        "<iframe src=\"https://evil.test/frame\"></iframe>",
        "<svg onload=\"alert('body-svg')\"><circle r=\"1\"/></svg>",
        "<form action=\"https://evil.test/\"><input name=\"x\"><button>Go</button></form>",
        "<object data=\"https://evil.test/x.swf\"></object>",
        "<a href=\"javascript:alert(1)\">plain</a>",
        "<a href=\"JaVaScRiPt:alert(2)\">mixed case</a>",
        "<a href=\"&#106;avascript:alert(3)\">entity</a>",
        "<a href=\" javascript:alert(5)\">padded</a>",
        "<a href=\"vbscript:msgbox(7)\">vbscript</a>",
        "<a href=\"data:text/html,<script>alert(9)</script>\">data</a>",
        "{{ site.title }} {% if true %}evaluated{% endif %} {# comment #} {{ provider.name }}",
        "<script>alert(\"code\")</script>",
    ] {
        assert!(body.contains(shown), "the body shows `{shown}` as text:\n{body}");
    }
    // Markdown links keep an http(s) href, escaped; titles and heading attributes stay inert.
    let titled = one(&doc, ".dossier-body a[title]");
    assert_eq!(titled.attr("title"), Some("\" onmouseover=\"alert(14)"));
    assert_eq!(
        attrs(&doc, ".dossier-body a[href^='https://ok.test/%22']", "href"),
        ["https://ok.test/%22onclick=%22alert(15)"]
    );
    assert!(one(&doc, ".dossier-body h2").attr("class").is_none());
    assert_eq!(one(&doc, ".dossier-body pre.code").attr("data-lang"), Some("\"><script>alert(16)</script>"));
    // Raw HTML blocks are shown as written, indentation and blank lines included.
    let raw: Vec<String> = all(&doc, ".dossier-body pre.raw-html").iter().map(|p| p.text().collect()).collect();
    assert!(
        raw.iter().any(|r| r.contains("<script>\n  if (document) {\n\n      alert(")),
        "no raw HTML block kept its layout: {raw:?}"
    );
    let notes = text(one(&doc, "ol.notes"));
    assert!(notes.contains("<script>alert(\"note\")</script> {{ site.title }}"), "{notes}");

    let claim = text(one(&doc, "#claim-raw-html > .claim-text"));
    assert_eq!(
        claim,
        "<script>alert('claim')</script> <img src=x onerror=alert('claim')> <a href=\"javascript:alert('claim')\">raw link</a>"
    );
    let tera = one(&doc, "#claim-tera .claim-text");
    assert!(text(tera).starts_with("{{ site.title }} {% if true %}tera{% endif %} a link"), "{}", text(tera));
    assert_eq!(attrs(&doc, "#claim-tera .claim-text a", "href"), ["https://ok.test/%22onclick=%22alert('claim-link')"]);
    assert_eq!(text(one(&doc, "#claim-tera .source-title")), "{% raw %}{{ site.title }}{% endraw %}");
    assert_eq!(text(one(&doc, "#claim-raw-html > ol.sources .source-title")), "</cite><script>alert('title')</script>");
    assert_eq!(
        attrs(&doc, "#claim-raw-html > ol.sources .source-title a", "href"),
        ["https://evil.test/%22%3E%3Cscript%3Ealert('url')%3C/script%3E"]
    );
    assert_eq!(
        text(one(&doc, "#claim-raw-html > ol.sources .source-publisher")),
        "<iframe src=https://evil.test/></iframe>"
    );
    assert_eq!(
        attrs(&doc, "#claim-raw-html > ol.sources a.source-archive", "href"),
        ["https://web.archive.org/web/2026/%22onmouseover=%22alert('archive')"]
    );
    assert_eq!(
        text(one(&doc, "#claim-raw-html > ol.sources blockquote")),
        "\"><img src=x onerror=alert('quote')> {{ site.title }}"
    );
    let response = text(one(&doc, "#claim-raw-html .response .claim-text"));
    assert_eq!(response, "<form action=https://evil.test/><button>Vendor statement</button></form>");

    let category = page(built, "categories/mail/index.html");
    assert_eq!(text(one(&category, "h1")), "<svg onload=alert('category')>Mail</svg>");
    assert_eq!(
        text(one(&category, ".page-head .lede")),
        "{{ site.title }} <form action=https://evil.test/><input name=q></form>"
    );
    assert_eq!(
        texts(&category, "table thead th"),
        [
            "Provider",
            "<img src=x onerror=alert('label')> (<script>alert('unit')</script>)",
            "Size {% if true %}tera{% endif %}"
        ]
    );
    let cells = texts(&category, "table tbody td");
    assert_eq!(cells[0], "<img src=x onerror=alert('fact')> {{ site.title }} <script>alert('unit')</script>");
    assert_eq!(text(one(&category, "table tbody th")), name);
    let guidance = text(one(&category, ".category-guidance"));
    assert!(guidance.contains("<iframe src=\"https://evil.test/frame\"></iframe>"), "{guidance}");
    assert!(guidance.contains("<b onmouseover=\"alert('guidance')\">bold</b> and {{ category.name }}."), "{guidance}");

    let home = page(built, "index.html");
    assert_eq!(text(one(&home, "h1")), "<script>alert('home')</script> {{ page.title }}");
    assert_eq!(text(one(&home, ".home-head .lede")), "\"><img src=x onerror=alert('description')> {% raw %}");
    let intro = text(one(&home, ".home-intro"));
    assert!(intro.contains("<script>alert(\"intro\")</script>"), "{intro}");
    assert!(intro.contains("<a href=\"javascript:alert('intro')\">the intro</a> or {% include \"base.html\" %}."));
    assert_eq!(texts(&home, ".summary-title"), [name]);

    let evil_page = page(built, "evil/index.html");
    assert_eq!(text(one(&evil_page, "h1")), "<script>alert('page')</script>");
    assert!(texts(&evil_page, ".site-nav a").contains(&"<script>alert('page')</script>".to_owned()));
    let prose = text(one(&evil_page, ".wrap > .prose"));
    assert!(prose.contains("<math><mi xlink:href=\"javascript:alert('math')\">x</mi></math>"), "{prose}");
    assert!(prose.contains("<meta http-equiv=\"refresh\""), "{prose}");
    assert!(text(one(&evil_page, "ol.notes")).contains("<script>alert(\"note\")</script> {{ site.title }}"));
}

#[test]
fn hostile_strings_stay_data_in_the_feed_and_json() {
    let built = hostile();
    let entries = check_feed(built);
    assert_eq!(
        entries,
        [(
            "</title><script>alert('name')</script><!--".to_owned(),
            "\"><img src=x onerror=alert('summary')> {{ site.title }} {% raw %}".to_owned()
        )]
    );
    let json: Value = serde_json::from_str(&read(built, "providers/evil/index.json")).expect("index.json parses");
    assert_eq!(json["dossier"]["name"], "</title><script>alert('name')</script><!--");
    assert_eq!(json["dossier"]["former_names"][0], "{{ site.title }}");
    let api: Value = serde_json::from_str(&read(built, "api/providers.json")).expect("providers.json parses");
    assert_eq!(api["providers"][0]["summary"], "\"><img src=x onerror=alert('summary')> {{ site.title }} {% raw %}");
}

/// Hostile URL spellings that `check` rejects, so they never reach a build.
const UNSAFE_URLS: &[&str] = &[
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "JAVASCRIPT:alert(1)",
    " javascript:alert(1)",
    "\tjavascript:alert(1)",
    "java\tscript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;&#x61;vascript:alert(1)",
    "javascript&colon;alert(1)",
    "javascript&#58;alert(1)",
    "java&#9;script:alert(1)",
    "java&Tab;script:alert(1)",
    "&#32;javascript:alert(1)",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/svg+xml,<svg/onload=alert(1)>",
    " DaTa:text/html,x",
];

/// Renders `markdown` as a body and as inline text, and returns both outputs.
fn render_both(markdown: &str) -> [String; 2] {
    let highlight = dossier::render::highlight::highlight;
    let cx = dossier::markdown::BodyContext {
        claim_ids: &[],
        base_path: "/wiki/",
        highlight: &highlight,
        is_reserved_id: &|_| false,
    };
    [dossier::markdown::render_body(markdown, &cx).html, dossier::markdown::render_inline(markdown, "/wiki/")]
}

#[test]
fn the_renderer_drops_unsafe_link_schemes_in_every_spelling() {
    let mut links_parsed = 0;
    for url in UNSAFE_URLS {
        let forms = [
            format!("[click]({url})"),
            format!("[click](<{url}>)"),
            format!("![click]({url})"),
            format!("[click][r]\n\n[r]: <{url}>"),
            format!("[click]({url} \"title\")"),
            format!("<{url}>"),
            format!("[outer [click]({url})](https://ok.test/)"),
        ];
        for markdown in forms {
            let scanned = dossier::markdown::scan_links(&markdown);
            links_parsed += scanned.len();
            for link in scanned.iter().filter(|l| l.url != "https://ok.test/") {
                assert!(
                    !dossier::markdown::is_allowed_link(&link.url),
                    "check would let `{}` through (from {markdown:?})",
                    link.url
                );
            }
            for html in render_both(&markdown) {
                let doc = Html::parse_fragment(&html);
                let found = active_content(&doc, "/wiki/");
                assert!(found.is_empty(), "{markdown:?} rendered as active content {found:?}:\n{html}");
                let hrefs = attrs(&doc, "[href], [src]", "href");
                assert!(hrefs.iter().all(|h| is_safe_url(h)), "{markdown:?} → {html}");
                if markdown.starts_with("[click](") || markdown.starts_with("![click](") {
                    assert!(text(doc.root_element()).contains("click"), "the link text is kept: {html}");
                }
            }
        }
    }
    assert!(links_parsed > UNSAFE_URLS.len() * 4, "the forms parse as links ({links_parsed})");

    // Safe links survive, root-relative ones under the base path.
    let [body, inline] = render_both("[a](https://ok.test/) [b](/about/) [c](#claim-x) [d](mailto:a@ok.test)");
    for html in [body, inline] {
        let doc = Html::parse_fragment(&html);
        assert_eq!(attrs(&doc, "a", "href"), ["https://ok.test/", "/wiki/about/", "#claim-x", "mailto:a@ok.test"]);
    }
}

#[test]
fn the_renderer_shows_raw_html_and_tera_syntax_as_text() {
    let inputs = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<svg onload=alert(1)></svg>",
        "<svg><script>alert(1)</script></svg>",
        "<form action=\"https://evil.test/\"><input name=q></form>",
        "<object data=x></object><embed src=x>",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<a href=\"  javascript:alert(1)\">x</a>",
        "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
        "<!-- <script>alert(1)</script> -->",
        "<![CDATA[<script>alert(1)</script>]]>",
        "<?php echo 1; ?>",
        "<details open ontoggle=alert(1)>",
        "<style>*{}</style>",
        "{{ site.title }} {% if true %}x{% endif %} {# c #}",
    ];
    for input in inputs {
        for markdown in
            [input.to_owned(), format!("Text {input} inline."), format!("- item {input}"), format!("> {input}")]
        {
            for html in render_both(&markdown) {
                let doc = Html::parse_fragment(&html);
                let found = active_content(&doc, "/wiki/");
                assert!(found.is_empty(), "{markdown:?} rendered as active content {found:?}:\n{html}");
                let shown = text(doc.root_element());
                let expected = input.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(shown.contains(&expected), "{markdown:?} is shown as text; got {shown:?} from {html}");
            }
        }
    }
}

/// Builds the minimal wiki with one change and expects `check`'s invalid-url to stop it.
fn assert_build_refuses(rel: &str, from: &str, to: &str) {
    let wiki = Wiki::minimal();
    let original = wiki.read(rel);
    assert!(original.contains(from), "{rel} does not contain {from:?}");
    let wiki = wiki.write(rel, original.replacen(from, to, 1));
    let out = wiki.path("public");
    let outcome = run_build(wiki.root(), &out, &[]);
    outcome.assert_code(1);
    assert!(outcome.stderr.contains("invalid-url"), "{to:?}:\n{}", outcome.stderr);
    assert!(outcome.stderr.contains("build failed: the output was not touched"), "{}", outcome.stderr);
    assert!(!out.exists(), "{to:?}: a refused build wrote {}", out.display());
}

#[test]
fn unsafe_urls_in_content_fail_the_build_and_write_nothing() {
    let dossier = "content/providers/examplemail.md";
    let body = "ExampleMail signs outgoing mail";
    for (from, to) in [
        (body, "[ExampleMail](javascript:alert(1)) signs outgoing mail"),
        (body, "[ExampleMail](JaVaScRiPt:alert(1)) signs outgoing mail"),
        (body, "[ExampleMail](&#106;avascript:alert(1)) signs outgoing mail"),
        (body, "[ExampleMail](<  javascript:alert(1)>) signs outgoing mail"),
        (body, "[ExampleMail](vbscript:msgbox(1)) signs outgoing mail"),
        (body, "![ExampleMail](data:text/html,x) signs outgoing mail"),
        (body, "<javascript:alert(1)> signs outgoing mail"),
        ("text: Outgoing mail is DKIM-signed.", "text: \"[Outgoing](DATA:text/html,x) mail is DKIM-signed.\""),
        ("url: https://docs.examplemail.test/dkim", "url: \" javascript:alert(1)\""),
        ("website: https://examplemail.test", "website: \"data:text/html,<script>alert(1)</script>\""),
        (
            "archive: https://web.archive.org/web/20261001000000/https://docs.examplemail.test/dkim",
            "archive: \"vbscript:msgbox(1)\"",
        ),
    ] {
        assert_build_refuses(dossier, from, to);
    }
    assert_build_refuses("content/pages/about.md", "A record", "[About](javascript:alert(1)): a record");
}

// ---------------------------------------------------------------------------------------------
// The Nu HTML Checker

/// Where `vnu.jar` is: `$VNU_JAR`, or where scripts/test.sh installs the npm package `vnu-jar`.
fn vnu_jar() -> PathBuf {
    std::env::var_os("VNU_JAR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("tests/vnu/node_modules/vnu-jar/build/dist/vnu.jar"))
}

/// Runs the Nu HTML Checker over built sites and returns its error lines (none when valid).
fn nu_errors(sites: &[&Built]) -> Vec<String> {
    nu_errors_in(&sites.iter().map(|s| s.out.as_path()).collect::<Vec<_>>())
}

/// Runs the Nu HTML Checker over output folders and returns its error lines (none when valid).
pub(crate) fn nu_errors_in(sites: &[&Path]) -> Vec<String> {
    let jar = vnu_jar();
    assert!(
        jar.is_file(),
        "{} is missing: run scripts/test.sh (it installs the npm package vnu-jar), or set VNU_JAR",
        jar.display()
    );
    let output = Command::new(std::env::var_os("JAVA").unwrap_or_else(|| "java".into()))
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--skip-non-html"])
        .args(sites)
        .output()
        .expect("java runs (the Nu HTML Checker needs a Java runtime)");
    let report = String::from_utf8_lossy(&output.stderr).into_owned() + &String::from_utf8_lossy(&output.stdout);
    let errors: Vec<String> =
        report.lines().filter(|l| l.contains(": error:") || l.contains(": fatal")).map(str::to_owned).collect();
    assert_eq!(output.status.success(), errors.is_empty(), "the checker's status disagrees with its report:\n{report}");
    errors
}

#[test]
fn every_page_of_the_bundled_and_fixture_wikis_is_valid_html() {
    let errors = nu_errors(&[bundled(), fixture()]);
    assert!(errors.is_empty(), "{} Nu HTML Checker errors:\n{}", errors.len(), errors.join("\n"));
}

#[test]
fn every_page_of_the_hostile_wiki_is_valid_html() {
    let errors = nu_errors(&[hostile()]);
    assert!(errors.is_empty(), "{} Nu HTML Checker errors:\n{}", errors.len(), errors.join("\n"));
}

#[test]
fn urls_in_attributes_are_percent_encoded() {
    let built = hostile();
    let mut bad = Vec::new();
    for rel in html_files(&built.out) {
        let doc = page(built, &rel);
        for el in all(&doc, "[href], [src], [action]") {
            for name in ["href", "src", "action"] {
                let Some(value) = el.attr(name) else { continue };
                if value
                    .chars()
                    .any(|c| matches!(c, '"' | '<' | '>' | '`' | '{' | '}' | '|' | '\\' | '^') || c.is_whitespace())
                {
                    bad.push(format!("{rel}: {name}={value}"));
                }
            }
        }
    }
    assert!(bad.is_empty(), "URLs with characters that must be percent-encoded:\n{}", bad.join("\n"));
}
