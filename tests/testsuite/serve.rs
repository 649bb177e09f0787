//! `dossier serve` end to end: the real binary on an ephemeral 127.0.0.1 port, a fixture wiki in a
//! temp dir edited on disk, and a tiny HTTP/1.1 client on `TcpStream` so that raw paths (`/../x`,
//! `%2e%2e`, backslashes) reach the server exactly as written. Every wait polls for the expected
//! state until a deadline; nothing asserts on timings.

pub(crate) mod client;

use std::fs;
use std::net::TcpListener;
use std::path::Path;

use serde_json::Value;

use crate::harness::{Wiki, dossier, fixtures_dir, manifest_dir};
use client::{Events, OVERLAY, Response, Server, get, get_with};

const DOSSIER: &str = "content/providers/examplemail.md";
const PAGE: &str = "/providers/examplemail/";
const SUMMARY: &str = "Shared IMAP and SMTP hosting for small teams.";

/// Replaces `from` (which must be there) with `to` in the file at `rel`.
fn edit(wiki: &Wiki, rel: &str, from: &str, to: &str) {
    let text = wiki.read(rel);
    assert!(text.contains(from), "{rel} does not contain {from:?}");
    fs::write(wiki.path(rel), text.replacen(from, to, 1)).expect("write the edit");
}

/// The minimal fixture with a second dossier, so one can go away and the wiki stays valid.
fn two_dossier_wiki() -> Wiki {
    let original = fs::read_to_string(fixtures_dir().join("minimal").join(DOSSIER)).expect("read the fixture");
    let second =
        original.replace("name: ExampleMail", "name: SecondMail").replace("examplemail.test", "secondmail.test");
    Wiki::minimal().write("content/providers/secondmail.md", second)
}

#[test]
fn an_edit_is_served_and_pushed_to_browsers() {
    let wiki = Wiki::minimal();
    let mut server = Server::start(wiki.root());
    let before = server.get(PAGE);
    assert_eq!(before.status, 200);
    assert!(before.has(SUMMARY));
    assert!(before.has("/__dossier/reload.js"), "pages load the reload script");
    assert!(!before.has_overlay());

    let mut events = Events::open(server.port);
    edit(&wiki, DOSSIER, SUMMARY, "Hosting edited while served, zanzibar.");
    let after = server.wait_for_page(PAGE, "the edit", |r| r.has("zanzibar"));
    assert_eq!(after.status, 200);
    assert!(!after.has(SUMMARY));
    assert!(!after.has_overlay());
    events.wait_for_reload("page", 0);
    // Listings that show the summary re-render too.
    for listing in ["/", "/tags/imap/", "/jurisdictions/de/"] {
        server.wait_for_page(listing, "the edited summary", |r| r.has("zanzibar") && !r.has(SUMMARY));
    }
    // The terminal hears of it too (printed just after the new pages are swapped in).
    server.wait_for("a second `rebuilt` line", |s| {
        (s.stdout().lines().filter(|l| l.starts_with("rebuilt ")).count() >= 2).then_some(())
    });
    server.assert_alive();
}

#[test]
fn an_edit_is_served_when_polling_instead_of_watching() {
    let wiki = Wiki::minimal();
    let mut server = Server::start_with(wiki.root(), &["--port", "0", "--poll"]);
    edit(&wiki, DOSSIER, SUMMARY, "Found by polling, axolotl.");
    server.wait_for_page(PAGE, "the edit", |r| r.has("axolotl"));
    // Usually within the same second as the last edit, which file times alone cannot tell apart.
    edit(&wiki, DOSSIER, "axolotl", "capybara");
    let page = server.wait_for_page(PAGE, "the second edit", |r| r.has("capybara"));
    assert!(!page.has_overlay());
    server.assert_alive();
}

#[test]
fn broken_yaml_shows_the_overlay_over_the_last_good_page_and_fixing_it_recovers() {
    let wiki = Wiki::minimal();
    let mut server = Server::start(wiki.root());
    let broken = fs::read(fixtures_dir().join("invalid/yaml-syntax").join(DOSSIER)).expect("read the yaml-syntax case");
    fs::write(wiki.path(DOSSIER), broken).expect("break the dossier");

    let page = server.wait_for_page(PAGE, "the overlay", Response::has_overlay);
    assert_eq!(page.status, 200, "the last good page is still served");
    assert!(page.has(SUMMARY), "the old text stays until the YAML is fixed");
    assert!(page.has("content/providers/examplemail.md:"), "the overlay names the file and line");
    assert!(page.has("yaml-syntax"), "{}", page.body);
    let overlay_at = page.body.find(OVERLAY).expect("an overlay");
    assert!(overlay_at < page.body.rfind("</body>").expect("a body end"), "the overlay sits inside <body>");
    assert!(server.get("/").has_overlay(), "every page shows it");
    let css = server.get(&stylesheet(&page));
    assert!(!css.has_overlay(), "only HTML gets the overlay");
    server.wait_for("the terminal report", |s| s.stderr().contains("still serving the last good pages").then_some(()));

    let fixed = fs::read_to_string(fixtures_dir().join("minimal").join(DOSSIER)).expect("read the fixture");
    fs::write(wiki.path(DOSSIER), fixed.replace(SUMMARY, "Fixed and served again, quetzal.")).expect("fix the dossier");
    let page = server.wait_for_page(PAGE, "the fix", |r| r.has("quetzal"));
    assert!(!page.has_overlay(), "the overlay goes away once the wiki is valid again");
    assert!(!server.get("/").has_overlay());
    server.assert_alive();
}

#[test]
fn warnings_show_in_the_terminal_and_as_a_badge_counted_as_check_counts_them() {
    const BADGE: &str = "id=\"dossier-warnings\"";
    let wiki = Wiki::minimal();
    let mut server = Server::start(wiki.root());
    assert!(!server.get(PAGE).has(BADGE), "a clean wiki has no badge");
    server.wait_for("the first counts", |s| s.stdout().contains("; 0 errors, 0 warnings, 0 notes").then_some(()));

    // Removing an archive link is a warning, not an error: new pages, and the badge over them.
    let archive = "    archive: https://web.archive.org/web/20261001000000/https://examplemail.test/pricing\n";
    edit(&wiki, DOSSIER, archive, "");
    let check = wiki.check().run();
    check.assert_code(0);
    let counts = check.stdout.lines().last().and_then(|l| l.strip_prefix("check ok: ")).expect("a verdict line");
    assert_eq!(counts, "0 errors, 1 warning, 0 notes");
    let page = server.wait_for_page(PAGE, "the badge", |r| r.has(BADGE));
    assert!(!page.has_overlay(), "warnings do not block the preview");
    assert!(page.has(&format!("<summary>{counts}</summary>")), "{}", page.body);
    assert!(page.has("content/providers/examplemail.md:10:10</span> warning[missing-archive]"), "{}", page.body);
    assert!(server.get("/").has(BADGE), "every page shows it");
    server.wait_for("the warning and the counts in the terminal", |s| {
        let listed = s.stderr().contains("content/providers/examplemail.md:10:10: warning[missing-archive]");
        (listed && s.stdout().contains(&format!("; {counts}"))).then_some(())
    });

    // An error on top: the overlay's heading counts the warning too, as check does.
    edit(&wiki, DOSSIER, "jurisdiction: DE", "jurisdiction: XX");
    let page = server.wait_for_page(PAGE, "the overlay", Response::has_overlay);
    assert!(page.has("1 error, 1 warning, 0 notes"), "{}", page.body);
    server.assert_alive();
}

#[test]
fn a_wiki_broken_from_the_start_is_served_with_the_overlay() {
    let wiki = Wiki::minimal().overlay("yaml-syntax");
    let mut server = Server::start(wiki.root());
    let page = server.get("/");
    assert!(page.has_overlay(), "no good build yet, but the problems are shown: {page:?}");
    assert!(page.header("content-type").starts_with("text/html"), "{page:?}");
    assert!(page.has("/__dossier/reload.js"), "the page reloads itself once the wiki is fixed");

    fs::copy(fixtures_dir().join("minimal").join(DOSSIER), wiki.path(DOSSIER)).expect("fix the dossier");
    let page = server.wait_for_page(PAGE, "the fixed dossier", |r| r.status == 200);
    assert!(page.has(SUMMARY) && !page.has_overlay());
    server.assert_alive();
}

/// How many documents the served search index holds, once it answers.
fn indexed_docs(response: &Response) -> Option<u64> {
    let entry: Value = serde_json::from_str(&response.body).ok()?;
    (response.status == 200).then(|| entry["docs"].as_u64()).flatten()
}

#[test]
fn the_search_index_is_served_and_follows_edits() {
    let wiki = Wiki::minimal();
    let mut server = Server::start(wiki.root());
    let first = server.wait_for_page("/search-index/entry.json", "the first index", |r| indexed_docs(r).is_some());
    let docs = indexed_docs(&first).expect("an entry file");
    assert_eq!(server.get("/search-index/engine.js").status, 200);

    let second = wiki.read(DOSSIER).replace("name: ExampleMail", "name: SecondMail");
    fs::write(wiki.path("content/providers/secondmail.md"), second).expect("add a dossier");
    server.wait_for_page("/providers/secondmail/", "the new dossier", |r| r.status == 200);
    server.wait_for_page("/search-index/entry.json", "the new dossier indexed", |r| indexed_docs(r) == Some(docs + 1));
    assert_eq!(server.get(PAGE).status, 200, "pages are still served beside the new index");
    server.assert_alive();
}

#[test]
fn a_deleted_dossier_is_404() {
    let wiki = two_dossier_wiki();
    let mut server = Server::start(wiki.root());
    assert_eq!(server.get("/providers/secondmail/").status, 200);
    assert!(server.get("/categories/email-hosting/").has("SecondMail"));

    fs::remove_file(wiki.path("content/providers/secondmail.md")).expect("delete the dossier");
    let gone = server.wait_for_page("/providers/secondmail/", "404", |r| r.status == 404);
    assert!(gone.header("content-type").starts_with("text/html"), "the theme's 404 page: {gone:?}");
    assert!(!gone.has_overlay(), "deleting a dossier is not an error");
    assert_eq!(server.get("/providers/secondmail").status, 404, "no redirect to a page that is gone");
    assert_eq!(server.get("/providers/secondmail/index.json").status, 404);
    assert!(!server.get("/categories/email-hosting/").has("SecondMail"), "listings drop it");
    assert_eq!(server.get(PAGE).status, 200);
    server.assert_alive();
}

#[test]
fn a_renamed_dossier_moves_to_its_new_url_at_once() {
    let wiki = two_dossier_wiki();
    let mut server = Server::start(wiki.root());
    assert_eq!(server.get("/providers/secondmail/").status, 200);

    fs::rename(wiki.path("content/providers/secondmail.md"), wiki.path("content/providers/thirdmail.md"))
        .expect("rename the dossier");
    let moved = server.wait_for_page("/providers/thirdmail/", "the renamed dossier", |r| r.status == 200);
    assert!(moved.has("SecondMail") && !moved.has_overlay());
    // One snapshot holds both facts: once the new URL serves, the old one is gone.
    assert_eq!(server.get("/providers/secondmail/").status, 404);
    server.assert_alive();
}

#[test]
fn two_hundred_rapid_writes_leave_it_serving_the_last_version() {
    let wiki = Wiki::minimal();
    let mut server = Server::start(wiki.root());
    let original = wiki.read(DOSSIER);
    for i in 0..200 {
        fs::write(wiki.path(DOSSIER), original.replace(SUMMARY, &format!("Rapid version v{i:03}x."))).expect("write");
    }
    let page = server.wait_for_page(PAGE, "the last version", |r| r.has("Rapid version v199x.") && !r.has_overlay());
    assert_eq!(page.status, 200);
    server.assert_alive();
    // Still responsive to the next edit.
    fs::write(wiki.path(DOSSIER), original.replace(SUMMARY, "After the storm, ocelot.")).expect("write");
    server.wait_for_page(PAGE, "one more edit", |r| r.has("ocelot"));
    server.assert_alive();
}

#[test]
fn traversal_in_any_spelling_is_404() {
    let wiki = Wiki::minimal().write("secret.txt", "TOP-SECRET-ROOT-FILE");
    let mut server = Server::start(wiki.root());
    let attempts = [
        "/../secret.txt",
        "/../../../../etc/passwd",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/%2e%2e%2fsecret.txt",
        "/providers/..%2f..%2fsecret.txt",
        "/%252e%252e/secret.txt",
        "/%252e%252e%252fsecret.txt",
        "/..\\secret.txt",
        "/\\..\\secret.txt",
        "/..%5csecret.txt",
        "/%5c..%5csecret.txt",
        "/providers/examplemail/../../../secret.txt",
        "/static/../../content/site.yaml",
        "/content/site.yaml",
        "/secret.txt",
        "//etc/passwd",
        "/./index.html",
        "/%00",
        "/index.html%00.txt",
        "/%zz",
    ];
    for path in attempts {
        let response = server.get(path);
        assert_eq!(response.status, 404, "{path}: {response:?}");
        assert!(!response.has("TOP-SECRET") && !response.has("root:x:0"), "{path} leaked a file");
    }
    server.assert_alive();
}

#[test]
fn urls_map_onto_the_output_with_the_right_types() {
    let wiki = Wiki::minimal();
    let server = Server::start(wiki.root());

    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(home.header("cache-control"), "no-store", "a preview is never cached");
    assert_eq!(server.get("/index.html").body, home.body, "a directory URL serves its index.html");

    let bare = server.get("/providers/examplemail");
    assert_eq!(bare.status, 308);
    assert_eq!(bare.header("location"), PAGE);
    assert_eq!(
        server.get("/providers/examplemail?tab=claims").header("location"),
        "/providers/examplemail/?tab=claims"
    );
    assert_eq!(server.get("/about").header("location"), "/about/");

    let page = server.get(PAGE);
    for (path, expected) in [
        (stylesheet(&page).as_str(), "text/css; charset=utf-8"),
        ("/__dossier/reload.js", "text/javascript; charset=utf-8"),
        ("/feed.xml", "application/atom+xml"),
        ("/sitemap.xml", "application/xml"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/api/providers.json", "application/json"),
        ("/providers/examplemail/index.json", "application/json"),
        ("/schema/dossier.schema.json", "application/json"),
        ("/about/", "text/html; charset=utf-8"),
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(response.header("content-type"), expected, "{path}");
    }
    let script = server.get("/__dossier/reload.js");
    assert!(script.has("EventSource(\"/__dossier/events\")"), "{}", script.body);

    let missing = server.get("/providers/nobody/");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(missing.body, server.get("/404.html").body, "the theme's 404 page, with status 404");
    assert_eq!(server.get("/404.html").status, 200);
}

#[test]
fn files_go_gzip_compressed_to_clients_that_accept_it() {
    let wiki = Wiki::minimal();
    let mut server = Server::start(wiki.root());
    let page = server.get(PAGE);
    for path in [PAGE, "/", "/feed.xml", "/api/providers.json", &stylesheet(&page), "/providers/nobody/"] {
        let plain = server.get(path);
        assert_eq!(plain.header("content-encoding"), "", "{path}");
        assert_eq!(plain.header("vary"), "accept-encoding", "{path}");
        let packed = get_with(server.port, path, "Accept-Encoding: br, GZIP;q=0.8\r\n");
        assert_eq!(packed.header("content-encoding"), "gzip", "{path}");
        assert_eq!((packed.status, &packed.body), (plain.status, &plain.body), "{path}");
        let refused = get_with(server.port, path, "Accept-Encoding: gzip;q=0, br\r\n");
        assert_eq!(refused.header("content-encoding"), "", "{path}");
        assert_eq!(refused.body, plain.body, "{path}");
    }
    // The overlay goes into the page, so such pages go as they are.
    let broken = fs::read(fixtures_dir().join("invalid/yaml-syntax").join(DOSSIER)).expect("read the yaml-syntax case");
    fs::write(wiki.path(DOSSIER), broken).expect("break the dossier");
    server.wait_for_page(PAGE, "the overlay", Response::has_overlay);
    let page = get_with(server.port, PAGE, "Accept-Encoding: gzip\r\n");
    assert!(page.has_overlay() && page.has(SUMMARY), "{page:?}");
    assert_eq!(page.header("content-encoding"), "");
    server.assert_alive();
}

#[test]
fn a_theme_change_re_renders_and_a_template_error_shows_the_overlay() {
    let base = fs::read_to_string(manifest_dir().join("themes/default/templates/base.html")).expect("read base.html");
    let css = fs::read_to_string(manifest_dir().join("themes/default/static/style.css")).expect("read style.css");
    let wiki = Wiki::minimal()
        .write("themes/default/templates/base.html", &base)
        .write("themes/default/static/style.css", &css);
    let mut server = Server::start(wiki.root());
    let page = server.get(PAGE);
    assert!(!page.has("theme-marker-"));
    let mut events = Events::open(server.port);

    let marked = with_before_body_end(&base, "<p>theme-marker-one</p>");
    fs::write(wiki.path("themes/default/templates/base.html"), &marked).expect("edit the template");
    let page = server.wait_for_page(PAGE, "the template edit", |r| r.has("theme-marker-one"));
    assert!(!page.has_overlay());
    assert!(server.get("/").has("theme-marker-one"), "every page re-renders");
    let pages = events.wait_for_reload("page", 0);

    // A stylesheet-only change swaps styles without a reload.
    let old_css = stylesheet(&page);
    fs::write(wiki.path("themes/default/static/style.css"), format!("{css}\n.theme-marker{{color:red}}\n"))
        .expect("write css");
    let page = server.wait_for_page(PAGE, "a new stylesheet", |r| stylesheet(r) != old_css);
    assert!(server.get(&stylesheet(&page)).has(".theme-marker"), "the new stylesheet is served");
    events.wait_for_reload("styles", 0);
    server.wait_for("the `restyled` line", |s| s.stdout().contains("restyled in ").then_some(()));

    let broken = with_before_body_end(&marked, "{% if %}");
    fs::write(wiki.path("themes/default/templates/base.html"), broken).expect("break the template");
    let page = server.wait_for_page(PAGE, "the template error overlay", Response::has_overlay);
    assert!(page.has("theme-marker-one"), "the last good page stays");
    assert!(page.has("template-error"), "{}", page.body);

    fs::write(wiki.path("themes/default/templates/base.html"), with_before_body_end(&base, "<p>theme-marker-two</p>"))
        .expect("fix the template");
    let page = server.wait_for_page(PAGE, "the fixed template", |r| r.has("theme-marker-two"));
    assert!(!page.has_overlay());
    events.wait_for_reload("page", pages);
    server.assert_alive();
}

#[test]
fn the_server_survives_every_invalid_fixture() {
    let wiki = Wiki::minimal();
    let mut server = Server::start(wiki.root());
    let minimal = fixtures_dir().join("minimal");
    let mut cases: Vec<_> = fs::read_dir(fixtures_dir().join("invalid"))
        .expect("list the invalid fixtures")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() > 20, "{cases:?}");
    let clean = |r: &Response| r.status == 200 && r.has(SUMMARY) && !r.has_overlay();
    // Each wait is for a state that must come: a rebuild count alone could hang, since the
    // watcher drops a file created and deleted within one debounce window.
    for case in &cases {
        let name = case.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let files = files_under(case);
        let seen = server.outcomes();
        for rel in &files {
            let target = wiki.root().join(rel);
            fs::create_dir_all(target.parent().expect("a parent")).expect("create a directory");
            fs::copy(case.join(rel), &target).expect("copy a case file");
        }
        let port = server.port;
        server.wait_for(&format!("{name} to be taken in"), |s| {
            (s.outcomes() > seen || get(port, PAGE).has_overlay()).then_some(())
        });
        server.assert_alive();
        // Back to the clean wiki before the next case.
        for rel in &files {
            if minimal.join(rel).is_file() {
                fs::copy(minimal.join(rel), wiki.root().join(rel)).expect("restore a file");
            } else {
                fs::remove_file(wiki.root().join(rel)).expect("remove a case file");
            }
        }
        server.wait_for_page(PAGE, &format!("the clean page after undoing {name}"), clean);
    }
    let page = server.wait_for_page(PAGE, "the clean wiki", |r| r.status == 200 && !r.has_overlay());
    assert!(page.has(SUMMARY));
    server.assert_alive();
}

#[test]
fn ctrl_c_stops_cleanly_even_with_a_browser_listening() {
    let wiki = Wiki::minimal();
    let server = Server::start(wiki.root());
    let _events = Events::open(server.port);
    let (status, stdout, stderr) = server.interrupt();
    assert_eq!(status.code(), Some(0), "--- stdout\n{stdout}\n--- stderr\n{stderr}");
    assert!(stdout.ends_with("stopped\n"), "{stdout}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_taken_port_moves_to_the_next_free_one_and_says_so() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("take a port");
    let port = taken.local_addr().expect("its address").port();
    let wiki = Wiki::minimal();
    let mut server = Server::start_with(wiki.root(), &["--port", &port.to_string()]);
    assert_ne!(server.port, port);
    assert!((port + 1..port + 20).contains(&server.port), "{port} -> {}", server.port);
    let said = format!("port {port} is in use; using {}", server.port);
    server.wait_for("the port message", |s| s.stderr().contains(&said).then_some(()));
    assert_eq!(server.get(PAGE).status, 200);
    drop(taken);
}

#[test]
fn an_open_page_reloads_itself_in_chromium() {
    let css = fs::read_to_string(manifest_dir().join("themes/default/static/style.css")).expect("read style.css");
    let wiki = Wiki::minimal().write("themes/default/static/style.css", css);
    let mut server = Server::start(wiki.root());
    let report = run_reload_browser(&format!("http://127.0.0.1:{}{PAGE}", server.port), &wiki);
    let shown = serde_json::to_string_pretty(&report).unwrap_or_default();
    assert!(report["error"].is_null(), "a browser step failed: {shown}\n{}", server.streams());
    assert_eq!(report["initial"]["title"], "ExampleMail", "{shown}");
    assert_eq!(report["afterEdit"]["title"], "Reloaded Mailco", "the page reloaded with the edit: {shown}");
    assert_eq!(report["afterEdit"]["marker"], Value::Null, "{shown}");
    assert_eq!(report["afterStyles"]["marker"], 2, "a stylesheet edit does not reload the page: {shown}");
    assert_ne!(report["afterStyles"]["stylesheet"], report["afterEdit"]["stylesheet"], "{shown}");
    assert_eq!(report["afterBreak"]["title"], "Reloaded Mailco", "the last good page stays: {shown}");
    assert_eq!(report["afterBreak"]["overlay"], true, "{shown}");
    assert_eq!(report["overlayVisible"], true, "{shown}");
    assert_eq!(report["afterFix"]["title"], "Fixed Mailco", "{shown}");
    assert_eq!(report["afterFix"]["overlay"], false, "{shown}");
    for kind in ["pageErrors", "badResponses"] {
        assert_eq!(report["problems"][kind].as_array().map(Vec::len), Some(0), "{kind} problems: {shown}");
    }
    let sources = report["consoleSources"].as_array().map(Vec::len);
    assert_eq!(sources, Some(0), "console errors: {shown}");
    // A reload aborts the page's open event stream; nothing else may fail.
    let failed = report["problems"]["failedRequests"].as_array().cloned().unwrap_or_default();
    assert!(failed.iter().all(|f| f.as_str().is_some_and(|f| f.contains("/__dossier/events"))), "{shown}");
    server.assert_alive();
}

/// The JSON report of `tests/browser/reload.mjs` run against a page of the served `wiki`.
fn run_reload_browser(url: &str, wiki: &Wiki) -> Value {
    crate::harness::browser_report(
        crate::harness::browser_command("reload.mjs")
            .arg(url)
            .arg(wiki.path(DOSSIER))
            .arg(wiki.path("themes/default/static/style.css")),
    )
}

/// The href of the page's main stylesheet.
fn stylesheet(page: &Response) -> String {
    let at = page.body.find("/static/style.").unwrap_or_else(|| panic!("no stylesheet link in {}", page.body));
    let rest = &page.body[at..];
    let end = rest.find([' ', '>', '"']).expect("the end of the href");
    rest[..end].to_owned()
}

fn with_before_body_end(template: &str, insert: &str) -> String {
    let at = template.rfind("</body>").expect("base.html has </body>");
    format!("{}{insert}{}", &template[..at], &template[at..])
}

/// Every file under `dir`, relative to it.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current).expect("list a directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path.strip_prefix(dir).expect("under dir").to_path_buf());
            }
        }
    }
    files
}

#[test]
fn a_renamed_dossiers_old_url_redirects_to_its_page() {
    let wiki = Wiki::minimal();
    let renamed = wiki.read(DOSSIER).replacen("name: ExampleMail\n", "name: ExampleMail\naliases: [oldmail]\n", 1);
    let wiki = wiki.write(DOSSIER, renamed);
    let server = Server::start(wiki.root());
    for (old, new) in [
        ("/providers/oldmail/", PAGE),
        ("/providers/oldmail", PAGE),
        ("/providers/oldmail/index.json", "/providers/examplemail/index.json"),
    ] {
        let response = server.get(old);
        assert!(matches!(response.status, 301 | 308), "{old}: {}", response.status);
        assert_eq!(response.header("location"), new, "{old}");
    }
    assert_eq!(server.get(PAGE).status, 200);
    assert_eq!(server.get("/providers/newmail/").status, 404);
}

/// `serve` takes parsed frontmatter from the parse cache in `--cache-dir` (kept there by a
/// build; a summary changed inside the cache shows, so it was read, not parsed again), writes
/// nothing there, and with `--no-cache` neither reads nor writes one.
#[test]
fn serve_reads_parsed_frontmatter_where_cache_dir_says_and_writes_none() {
    let wiki = Wiki::minimal();
    let elsewhere = tempfile::tempdir().expect("a cache folder");
    let cache_dir = elsewhere.path().to_string_lossy().into_owned();
    let output = elsewhere.path().join("public");
    dossier()
        .args(["build", "--root"])
        .arg(wiki.root())
        .arg("--output")
        .arg(&output)
        .args(["--cache-dir", &cache_dir])
        .run()
        .assert_code(0);
    let parsed = elsewhere.path().join("parsed");
    let mut kept = fs::read(&parsed).expect("the build kept the parse cache");
    // Same length, so the cache file still reads.
    let at = kept.windows(11).position(|w| w == b"small teams").expect("the summary is in the cache");
    kept[at..at + 5].copy_from_slice(b"CACHE");
    fs::write(&parsed, &kept).expect("edit the parse cache");
    let mut server = Server::start_with(wiki.root(), &["--port", "0", "--cache-dir", &cache_dir]);
    let page = server.get(PAGE);
    server.assert_alive();
    assert!(page.body.contains("hosting for CACHE teams."), "the summary comes from the cache: {}", page.body);
    drop(server);
    assert_eq!(fs::read(&parsed).expect("the cache is still there"), kept, "serve wrote nothing");
    assert!(!wiki.path(".dossier-cache").exists(), "nothing is cached under the root");

    let mut server = Server::start_with(wiki.root(), &["--port", "0", "--no-cache"]);
    let page = server.get(PAGE);
    server.assert_alive();
    assert!(page.body.contains(SUMMARY), "parsed from the file");
    assert!(!wiki.path(".dossier-cache").exists(), "--no-cache writes no cache");
}
