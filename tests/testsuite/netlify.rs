//! netlify.toml, taken at its word: parsed, its build commands run the way Netlify runs them
//! (`bash -c`, in a copy of the repository, with Netlify's variables set and a stand-in `cargo`
//! that hands over the binary these tests built), and the deploy preview served with the
//! file's headers and loaded in headless Chromium: no CSP violation, no console error, and
//! search works.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::harness::{TODAY, manifest_dir};
use crate::local_server::{Response, Server};

fn netlify_toml() -> toml::Table {
    let text = std::fs::read_to_string(manifest_dir().join("netlify.toml")).expect("read netlify.toml");
    text.parse().unwrap_or_else(|e| panic!("netlify.toml does not parse: {e}"))
}

fn command(config: &toml::Table, context: &str) -> String {
    config["context"][context]["command"].as_str().unwrap_or_else(|| panic!("no command for {context}")).to_owned()
}

/// One `[[headers]]` rule: a path pattern and its headers.
type Rule = (String, Vec<(String, String)>);

fn header_rules(config: &toml::Table) -> Vec<Rule> {
    let rules = config["headers"].as_array().expect("[[headers]] rules");
    rules
        .iter()
        .map(|rule| {
            let values = rule["values"].as_table().expect("headers.values");
            let values = values.iter().map(|(k, v)| (k.clone(), v.as_str().expect("a string").to_owned())).collect();
            (rule["for"].as_str().expect("a `for` path").to_owned(), values)
        })
        .collect()
}

/// The rules of a `_headers` file (path line, then indented `Name: value` lines).
fn headers_file(text: &str) -> Vec<Rule> {
    let mut rules: Vec<Rule> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')) {
        if !line.starts_with(char::is_whitespace) {
            rules.push((line.trim().to_owned(), Vec::new()));
        } else if let (Some(rule), Some((name, value))) = (rules.last_mut(), line.split_once(':')) {
            rule.1.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    rules
}

/// Netlify's path patterns as this file uses them: exact, or a prefix ending in `*`.
fn matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => pattern == path,
    }
}

fn header<'a>(rules: &'a [Rule], pattern: &str, name: &str) -> &'a str {
    let rule = rules.iter().find(|r| r.0 == pattern).unwrap_or_else(|| panic!("no headers for {pattern}"));
    rule.1.iter().find(|h| h.0 == name).map(|h| h.1.as_str()).unwrap_or_else(|| panic!("{pattern} lacks {name}"))
}

#[test]
fn netlify_toml_declares_builds_headers_and_the_404_page() {
    let config = netlify_toml();
    assert_eq!(config["build"]["publish"].as_str(), Some("public"));
    assert!(command(&config, "production").contains("scripts/netlify-build.sh"));
    for context in ["deploy-preview", "branch-deploy"] {
        let preview = command(&config, context);
        assert!(preview.contains(r#"--base-url "$DEPLOY_PRIME_URL""#) && preview.contains("--noindex"), "{preview}");
    }
    let script = std::fs::read_to_string(manifest_dir().join("scripts/netlify-build.sh")).expect("the build script");
    assert!(script.contains("cargo build --release --locked"));

    let rules = header_rules(&config);
    let csp = header(&rules, "/*", "Content-Security-Policy");
    for directive in ["default-src 'none'", "script-src 'self';", "frame-ancestors 'none'", "object-src 'none'"] {
        assert!(csp.contains(directive), "the CSP lacks {directive}: {csp}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "no inline code, eval or WebAssembly: {csp}"
    );
    assert_eq!(header(&rules, "/*", "X-Content-Type-Options"), "nosniff");
    assert!(header(&rules, "/*", "Strict-Transport-Security").starts_with("max-age="));
    for name in ["Referrer-Policy", "Permissions-Policy"] {
        assert!(!header(&rules, "/*", name).is_empty());
    }
    assert!(header(&rules, "/static/*", "Cache-Control").contains("immutable"));

    let redirects = config["redirects"].as_array().expect("[[redirects]]");
    assert!(redirects.iter().any(|r| r["to"].as_str() == Some("/404.html") && r["status"].as_integer() == Some(404)));
}

#[test]
fn msrv_and_lockfile_are_declared() {
    let manifest: toml::Table =
        std::fs::read_to_string(manifest_dir().join("Cargo.toml")).expect("read Cargo.toml").parse().expect("parse");
    let msrv = manifest["package"]["rust-version"].as_str().expect("rust-version is declared");
    assert!(manifest_dir().join("Cargo.lock").is_file(), "Cargo.lock is committed");

    // The declared minimum must be at least what every locked dependency declares.
    let version = |v: &str| -> [u32; 3] {
        let mut parts = v.split('.').map(|n| n.parse().unwrap_or(0));
        [parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0)]
    };
    // Only this platform's packages: they are in the cargo home, since this test was built from
    // them, where another platform's (Windows-only crates on Linux) are never downloaded.
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let rustc = Command::new(rustc).arg("-vV").output().expect("run rustc -vV");
    let rustc = String::from_utf8_lossy(&rustc.stdout);
    let host = rustc.lines().find_map(|l| l.strip_prefix("host: ")).expect("rustc -vV names the host");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline", "--filter-platform", host])
        .arg("--manifest-path")
        .arg(manifest_dir().join("Cargo.toml"))
        .output()
        .expect("run cargo metadata");
    assert!(output.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&output.stderr));
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("metadata JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    assert!(packages.iter().any(|p| p["name"] == "serde-saphyr"), "the dependencies are listed");
    for package in packages {
        if let Some(needed) = package["rust_version"].as_str() {
            assert!(
                version(needed) <= version(msrv),
                "{} {} needs Rust {needed}, above rust-version = {msrv}",
                package["name"],
                package["version"]
            );
        }
    }
}

/// A copy of the repository's wiki and build script, where a build may write `public/`.
struct Checkout {
    dir: tempfile::TempDir,
    shims: PathBuf,
}

impl Checkout {
    fn new() -> Checkout {
        let dir = tempfile::Builder::new().prefix("dossier-netlify-").tempdir().expect("a temp dir");
        for part in ["content", "themes"] {
            copy_tree(&manifest_dir().join(part), &dir.path().join(part));
        }
        std::fs::create_dir_all(dir.path().join("scripts")).expect("mkdir scripts");
        std::fs::copy(manifest_dir().join("scripts/netlify-build.sh"), dir.path().join("scripts/netlify-build.sh"))
            .expect("copy the build script");
        let shims = dir.path().join(".shims");
        std::fs::create_dir_all(&shims).expect("mkdir shims");
        // Compiling a release build inside a test would take minutes: this `cargo` logs what it
        // was asked and links the binary the test harness already built where cargo would put it.
        write_executable(
            &shims.join("cargo"),
            "#!/bin/sh\necho \"cargo $*\" >> \"$SHIM_LOG\"\ncase \"$1\" in\n  --version) echo 'cargo (stand-in)' ;;\n  \
             build) mkdir -p \"${CARGO_TARGET_DIR:-target}/release\" && ln -sf \"$DOSSIER_BIN\" \"${CARGO_TARGET_DIR:-target}/release/dossier\" ;;\n  \
             *) exit 3 ;;\nesac\n",
        );
        Checkout { dir, shims }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `command` as Netlify does, in `context`, with `prime_url` as the deploy's address.
    fn run(&self, command: &str, context: &str, prime_url: &str) -> std::process::Output {
        let path = format!("{}:{}", self.shims.display(), std::env::var("PATH").unwrap_or_default());
        Command::new("bash")
            .arg("-c")
            .arg(command)
            .current_dir(self.root())
            .env("PATH", path)
            .env("NETLIFY", "true")
            .env("CONTEXT", context)
            .env("URL", "https://dossier.example.org")
            .env("DEPLOY_URL", prime_url)
            .env("DEPLOY_PRIME_URL", prime_url)
            .env("BRANCH", "pr-branch")
            .env("DOSSIER_TODAY", TODAY)
            .env("DOSSIER_BIN", env!("CARGO_BIN_EXE_dossier"))
            .env("SHIM_LOG", self.root().join("shim.log"))
            .env_remove("CARGO_TARGET_DIR")
            .output()
            .expect("run bash")
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }
}

fn write_executable(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write a shim");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod a shim");
    }
}

pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("list {}: {e}", from.display())) {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

#[track_caller]
fn assert_built(output: &std::process::Output) {
    assert!(
        output.status.success(),
        "the build command failed\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn production_build_publishes_an_indexable_site_with_fingerprinted_assets() {
    let checkout = Checkout::new();
    let config = netlify_toml();
    assert_built(&checkout.run(&command(&config, "production"), "production", "https://main--dossier.netlify.app"));
    assert!(checkout.read("shim.log").contains("cargo build --release --locked"));
    let home = checkout.read("public/index.html");
    // Pages are minified, so look for values rather than exact markup.
    assert!(home.contains("https://dossier.example.org/"), "production links use base_url");
    assert!(!home.contains("noindex"));
    assert!(!checkout.read("public/robots.txt").contains("Disallow: /\n"));
    assert!(!checkout.root().join("public/_headers").exists());
    assert!(checkout.root().join("public/404.html").is_file());

    // Immutable caching is safe only if every file under /static/ changes name with its content.
    for entry in std::fs::read_dir(checkout.root().join("public/static")).expect("public/static") {
        let name = entry.expect("an entry").file_name().into_string().expect("a UTF-8 name");
        let parts: Vec<&str> = name.split('.').collect();
        let hashed = parts.len() >= 3
            && parts[parts.len() - 2].len() >= 8
            && parts[parts.len() - 2].chars().all(|c| c.is_ascii_hexdigit());
        assert!(hashed, "/static/{name} has no content hash in its name");
    }
    let rules = header_rules(&config);
    for dir in ["index", "filter", "sort", "fragment"] {
        let path = checkout.root().join("public/search-index").join(dir);
        assert!(header(&rules, &format!("/search-index/{dir}/*"), "Cache-Control").contains("immutable"));
        for entry in std::fs::read_dir(path).expect("search index files") {
            let name = entry.expect("an entry").file_name().into_string().expect("a UTF-8 name");
            let hash = name.split(['_', '.']).rev().nth(1).unwrap_or_default();
            let hashed = hash.len() >= 8 && hash.chars().all(|c| c.is_ascii_hexdigit());
            assert!(hashed, "/search-index/{dir}/{name} does not look content-hashed");
        }
    }
}

/// Serves `public` as Netlify would: headers from netlify.toml and `_headers`, 404.html for misses.
fn serve_like_netlify(listener: TcpListener, public: PathBuf, rules: Vec<Rule>) -> Server {
    Server::on(listener, move |request| {
        let path = request.path.split('?').next().unwrap_or("/").to_owned();
        let mut file = public.join(path.trim_start_matches('/'));
        if path.ends_with('/') {
            file = file.join("index.html");
        }
        let safe = !path.split('/').any(|part| part == "..");
        let (status, file) = match std::fs::read(&file) {
            Ok(bytes) if safe => (200, (file, bytes)),
            _ => (404, (public.join("404.html"), std::fs::read(public.join("404.html")).unwrap_or_default())),
        };
        let mut response = Response::new(status, content_type(&file.0), file.1);
        for (_, values) in rules.iter().filter(|(pattern, _)| matches(pattern, &path)) {
            for (name, value) in values {
                response = response.header(name, value);
            }
        }
        response
    })
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// Runs `tests/browser/netlify.mjs` against `origin`; its JSON report.
fn run_browser(origin: &str, query: &str, missing: &str, pages: &[&str]) -> Value {
    crate::harness::browser_report(
        crate::harness::browser_command("netlify.mjs").args([origin, query, missing]).args(pages),
    )
}

#[test]
fn deploy_preview_works_in_chromium_under_netlify_headers() {
    let checkout = Checkout::new();
    let config = netlify_toml();
    // The preview's address must be known before it is built: bind first, serve after.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let origin = format!("http://{}", listener.local_addr().expect("an address"));
    assert_built(&checkout.run(&command(&config, "deploy-preview"), "deploy-preview", &origin));

    let public = checkout.root().join("public");
    assert!(checkout.read("public/robots.txt").contains("Disallow: /"));
    let home = checkout.read("public/index.html");
    assert!(home.contains("noindex") && home.contains(r#"name="robots""#), "pages carry a robots noindex meta");
    assert!(home.contains(&format!("{origin}/")), "the preview's canonical links point at itself");
    let mut rules = header_rules(&config);
    let extra = headers_file(&checkout.read("public/_headers"));
    assert_eq!(header(&extra, "/*", "X-Robots-Tag"), "noindex");
    rules.extend(extra);
    let csp = header(&rules, "/*", "Content-Security-Policy").to_owned();
    let server = serve_like_netlify(listener, public, rules);

    let pages = ["/", "/providers/mailwren/", "/categories/email-hosting/", "/maintenance/", "/about/", "/search/"];
    let report = run_browser(&server.origin(), "mailwren", "/no-such-page/", &pages);
    let shown = serde_json::to_string_pretty(&report).unwrap_or_default();
    assert!(report["error"].is_null(), "a browser step failed: {shown}");
    for kind in ["pageErrors", "failedRequests", "badResponses", "csp"] {
        assert_eq!(report["problems"][kind].as_array().map(Vec::len), Some(0), "{kind} problems: {shown}");
    }
    // The theme declares its icon, so the browser never falls back to a missing /favicon.ico.
    assert!(!server.requests().iter().any(|r| r.path == "/favicon.ico"), "{shown}");
    assert!(server.requests().iter().any(|r| r.path.starts_with("/static/favicon.")), "the icon loads: {shown}");
    let console = report["problems"]["console"].as_array().map(Vec::len);
    assert_eq!(console, Some(0), "console errors: {shown}");
    for page in report["pages"].as_array().expect("pages") {
        assert_eq!(page["status"], 200, "{shown}");
        let headers: BTreeMap<String, String> = serde_json::from_value(page["headers"].clone()).unwrap_or_default();
        assert_eq!(headers.get("content-security-policy"), Some(&csp), "{shown}");
        assert_eq!(headers.get("x-robots-tag").map(String::as_str), Some("noindex"), "{shown}");
        assert_eq!(headers.get("x-content-type-options").map(String::as_str), Some("nosniff"), "{shown}");
    }
    let titles: Vec<&str> =
        report["search"]["titles"].as_array().map(|t| t.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    assert_eq!(titles.first(), Some(&"MailWren"), "search finds the provider: {shown}");
    assert_eq!(report["notFound"]["status"], 404, "{shown}");
    assert_eq!(report["notFound"]["csp"].as_array().map(Vec::len), Some(0), "{shown}");
    assert!(server.requests().iter().any(|r| r.path.starts_with("/search-index/")), "search loaded its index");
}
