//! `check --external` against a local server on 127.0.0.1 that serves live, dead, slow,
//! redirecting and changed pages: what is reported where, retries, the per-host limit, the
//! user agent, and the one-day cache that makes a second run fetch nothing. No test here
//! reaches past 127.0.0.1: the fixture's own `.test` URLs are replaced before any run.

use std::net::TcpListener;
use std::time::Duration;

use crate::harness::{Outcome, Wiki};
use crate::local_server::{Response, Server};

const DOSSIER: &str = "content/providers/examplemail.md";

/// `--timeout` for these runs: far above what a local page takes even on a loaded machine,
/// far below what `/slow` takes.
const TIMEOUT_SECS: u64 = 3;

const LIVE_PAGE: &str = "<!doctype html><html><head><title>Terms</title><script>var x = 'nothing';</script></head>\
<body><p>All outbound mail is <em>DKIM-signed</em>&nbsp;by\n   default.</p></body></html>";

/// The test web: every route `check --external` must tell apart.
fn web() -> Server {
    Server::start(|request| match request.path.split('?').next().unwrap_or("") {
        "/live" => Response::new(200, "text/html; charset=utf-8", LIVE_PAGE),
        "/archive" => Response::new(200, "text/html", "<p>a snapshot</p>"),
        "/moved" => Response::redirect(301, "/live"),
        "/loop" => Response::redirect(302, "/loop"),
        "/changed" => Response::new(200, "text/html", "<p>We now sign <b>some</b> mail.</p>"),
        "/error" => Response::new(503, "text/plain", "busy"),
        "/slow" => Response::new(200, "text/html", "late").delayed(Duration::from_secs(3 * TIMEOUT_SECS)),
        "/pdf" => Response::new(200, "application/pdf", "%PDF-1.7 binary"),
        _ => Response::new(404, "text/plain", "not found"),
    })
}

/// A port on 127.0.0.1 where nothing listens.
fn refused_origin() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("an address");
    drop(listener);
    format!("http://{addr}")
}

fn source(url: &str, title: &str, archive: Option<&str>, quote: Option<&str>) -> String {
    let mut yaml = format!("      - url: {url}\n        title: {title}\n        accessed: 2026-10-01\n");
    if let Some(archive) = archive {
        yaml.push_str(&format!("        archive: {archive}\n"));
    }
    if let Some(quote) = quote {
        yaml.push_str(&format!("        quote: \"{quote}\"\n"));
    }
    yaml
}

fn claim(id: &str, sources: &[String]) -> String {
    format!("  - id: {id}\n    text: Claim {id}.\n    verified: 2026-10-01\n    sources:\n{}", sources.concat())
}

/// A dossier whose every source lives at `base` (or `refused`).
fn dossier(base: &str, refused: &str) -> String {
    let archive = format!("{base}/archive");
    let a = Some(archive.as_str());
    let claims = [
        claim(
            "live",
            &[
                "      - terms\n".to_owned(),
                source(&format!("{base}/moved"), "Moved page", a, Some("all outbound MAIL is dkim-signed")),
            ],
        ),
        claim("dead", &[source(&format!("{base}/dead"), "Dead page", a, None)]),
        claim(
            "changed",
            &[source(&format!("{base}/changed"), "Changed page", a, Some("All outbound mail is DKIM-signed"))],
        ),
        claim(
            "broken",
            &[
                source(&format!("{base}/loop"), "Redirect loop", a, None),
                source(&format!("{base}/error"), "Busy server", a, None),
                source(&format!("{base}/slow"), "Slow server", a, None),
                source(&format!("{refused}/nothing"), "Nobody home", a, None),
                source(&format!("{base}/pdf"), "A PDF", a, Some("words in a PDF")),
                source(
                    &format!("{base}/live#terms"),
                    "Live page, dead snapshot",
                    Some(&format!("{base}/archive-gone")),
                    None,
                ),
            ],
        ),
    ];
    format!(
        "---\nname: ExampleMail\nwebsite: https://examplemail.test\ncategory: email-hosting\nsummary: Mail hosting.\n\
         sources:\n  terms:\n    url: {base}/live\n    title: Terms of Service\n    accessed: 2026-10-01\n    \
         archive: {archive}\n    quote: \"All outbound mail is DKIM-signed by default\"\nclaims:\n{}---\n\
         Cited.[^live] [^dead] [^changed] [^broken]\n",
        claims.concat()
    )
}

/// The 1-based line and column where `needle` starts in `text`.
fn pos(text: &str, needle: &str) -> (u32, u32) {
    let at = text.find(needle).unwrap_or_else(|| panic!("no `{needle}`"));
    let line = text[..at].matches('\n').count() as u32 + 1;
    let col = text[..at].rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1;
    (line, col)
}

fn external(wiki: &Wiki, extra: &[&str]) -> Outcome {
    external_with_timeout(wiki, TIMEOUT_SECS, extra)
}

fn external_with_timeout(wiki: &Wiki, timeout: u64, extra: &[&str]) -> Outcome {
    wiki.check()
        .args(["--external", "--timeout", &timeout.to_string()])
        .args(extra)
        // A proxy from the environment must not see (or break) requests to the test server.
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .run()
}

/// (code, line, column) of the findings of `codes`, in report order.
fn found(run: &Outcome, codes: &[&str]) -> Vec<(String, u32, u32)> {
    run.findings()
        .into_iter()
        .filter(|f| codes.contains(&f.code.as_str()))
        .map(|f| (f.code, f.line, f.column))
        .collect()
}

#[test]
fn dead_redirected_slow_and_changed_pages() {
    let server = web();
    let base = server.origin();
    let refused = refused_origin();
    let text = dossier(&base, &refused);
    let wiki = Wiki::minimal().write(DOSSIER, &text);

    let run = external(&wiki, &["--format", "json"]);
    run.assert_code(0);
    let dead = |path: &str| {
        let (line, col) = pos(&text, &format!("{path}\n"));
        ("dead-link".to_owned(), line, col)
    };
    let mut expected = vec![
        dead(&format!("{base}/dead")),
        (
            "quote-missing".to_owned(),
            pos(&text, &format!("{base}/changed")).0,
            pos(&text, &format!("{base}/changed")).1,
        ),
        dead(&format!("{base}/loop")),
        dead(&format!("{base}/error")),
        dead(&format!("{base}/slow")),
        dead(&format!("{refused}/nothing")),
        dead(&format!("{base}/archive-gone")),
    ];
    expected.sort_by_key(|e| (e.1, e.2));
    assert_eq!(found(&run, &["dead-link", "quote-missing"]), expected);

    let findings = run.findings();
    let message = |needle: &str| {
        findings.iter().find(|f| f.message.contains(needle)).unwrap_or_else(|| panic!("no finding about {needle}"))
    };
    assert!(message("/dead is unreachable").message.ends_with("is unreachable: HTTP 404 Not Found"));
    assert!(message("/dead is unreachable").help.as_deref().is_some_and(|h| h.contains(&format!("{base}/archive"))));
    assert!(message("/error").message.ends_with("HTTP 503 Service Unavailable (3 tries)"));
    assert!(message("/slow").message.ends_with("no answer before the timeout (3 tries)"));
    assert!(message("/loop").message.contains("too many redirects"));
    assert!(message("archive link").message.contains("/archive-gone"));

    // Retries: a 503 is asked three times, a 404 once; each URL once however often it is cited.
    assert_eq!(server.hits("/error"), 3);
    assert_eq!(server.hits("/dead"), 1);
    assert_eq!(server.hits("/live"), 2, "once itself (#terms too), once as the end of /moved");
    assert_eq!(server.hits("/archive"), 1);
    for request in server.requests() {
        let agent = request.headers.get("user-agent").map(String::as_str).unwrap_or("");
        assert!(agent.starts_with("dossier/") && agent.contains("link checker"), "user agent: {agent}");
    }

    let human = external(&wiki, &[]);
    human.assert_code(0);
    let report = human.stdout.replace(&refused, "http://127.0.0.1:REFUSED").replace(&base, "http://127.0.0.1:PORT");
    insta::assert_snapshot!("external_findings", report);
    external(&wiki, &["--deny-warnings"]).assert_code(1);
}

#[test]
fn at_most_two_requests_go_to_one_host_at_once() {
    let server = Server::start(|_| Response::new(200, "text/html", "<p>ok</p>").delayed(Duration::from_millis(500)));
    let base = server.origin();
    let sources: Vec<String> = (0..8).map(|i| source(&format!("{base}/page{i}"), "Page", None, None)).collect();
    let text = format!(
        "---\nname: ExampleMail\nwebsite: https://examplemail.test\ncategory: email-hosting\nsummary: Mail.\nclaims:\n{}---\nCited.[^many]\n",
        claim("many", &sources)
    );
    let wiki = Wiki::minimal().write(DOSSIER, text);
    let run = external_with_timeout(&wiki, 30, &["--format", "json"]);
    run.assert_code(0);
    assert!(found(&run, &["dead-link"]).is_empty(), "{:?}", run.findings());
    assert_eq!(server.requests().len(), 8);
    assert_eq!(server.peak_concurrency(), 2, "two at a time: polite, and still concurrent");
}

#[test]
fn a_second_run_within_a_day_fetches_nothing() {
    let server = web();
    let base = server.origin();
    let text = dossier(&base, &refused_origin());
    let wiki = Wiki::minimal().write(DOSSIER, &text);

    let first = external(&wiki, &["--format", "json"]);
    let fetched = server.requests().len();
    assert!(fetched > 0);
    assert!(wiki.path(".dossier-cache/links.json").is_file(), "the cache is written under the root");

    let second = external(&wiki, &["--format", "json"]);
    assert_eq!(server.requests().len(), fetched, "the second run made requests");
    assert_eq!(second.findings(), first.findings(), "the cache gives the same answers");

    // A new quote on a cached page is the one thing worth fetching again.
    let wiki = wiki.write(
        DOSSIER,
        text.replace("quote: \"words in a PDF\"", "quote: \"other words\"")
            .replace("quote: \"All outbound mail is DKIM-signed by default\"", "quote: \"by default\""),
    );
    external(&wiki, &["--format", "json"]).assert_code(0);
    let again: Vec<String> = server.requests()[fetched..].iter().map(|r| r.path.clone()).collect();
    assert_eq!(again, ["/live"], "only the page with a new quote is fetched");
}

#[test]
fn external_checks_are_opt_in() {
    let server = web();
    let wiki = Wiki::minimal().write(DOSSIER, dossier(&server.origin(), &refused_origin()));
    wiki.check().args(["--format", "json"]).run().assert_code(0);
    assert!(server.requests().is_empty(), "a plain check fetched {:?}", server.requests());
    assert!(!wiki.path(".dossier-cache/links.json").exists());
    wiki.check().args(["--timeout", "3"]).run().assert_code(2);
}

#[test]
fn with_changed_since_only_changed_dossiers_are_fetched() {
    use crate::changed_since::{commit_all, git};
    let server = web();
    let base = server.origin();
    let unchanged = dossier(&base, &refused_origin()).replace("name: ExampleMail", "name: Untouched");
    let wiki = Wiki::minimal().write(DOSSIER, unchanged);
    git(wiki.root(), &["init", "-q", "-b", "main"]);
    commit_all(&wiki, "base");
    let new = Wiki::minimal()
        .read(DOSSIER)
        .replace("https://docs.examplemail.test/dkim", &format!("{base}/dead"))
        .replace("https://examplemail.test/pricing", &format!("{base}/live"))
        .replace("https://web.archive.org/web/20261001000000/", &format!("{base}/archive?"));
    let wiki = wiki.write("content/providers/newmail.md", new);
    commit_all(&wiki, "add newmail");
    let run = external(&wiki, &["--changed-since", "HEAD~1", "--format", "json"]);
    run.assert_code(0);
    let mut paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    paths.sort();
    paths.dedup();
    assert!(paths.iter().all(|p| ["/dead", "/live"].contains(&p.as_str()) || p.starts_with("/archive?")), "{paths:?}");
    let findings = run.findings();
    assert_eq!(findings.iter().filter(|f| f.code == "dead-link").count(), 1, "{findings:?}");
    assert!(findings.iter().all(|f| f.path == "content/providers/newmail.md"));
}
