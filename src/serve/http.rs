//! The HTTP side of the preview (axum): serves the in-memory output and nothing else, lays the
//! error overlay over pages while the wiki has errors, and pushes reloads over server-sent
//! events.

use std::convert::Infallible;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::{Stream, StreamExt};

use super::compressed;
use super::preview::Snapshot;
use crate::diagnostics::{badge_html, overlay_html};

/// The URL of the reload script `serve` adds to every page.
pub const RELOAD_SCRIPT: &str = "/__dossier/reload.js";
const EVENTS: &str = "/__dossier/events";

/// What browsers are told after a rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Push {
    Reload,
    Styles,
    /// The server is stopping: event streams end, so graceful shutdown is not held up by open
    /// tabs (an SSE response never finishes by itself).
    Stop,
}

#[derive(Clone)]
pub struct AppState {
    pub snapshot: Arc<RwLock<Snapshot>>,
    pub pushes: broadcast::Sender<Push>,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route(RELOAD_SCRIPT, get(reload_script))
        .route(EVENTS, get(events))
        .fallback(get(page))
        .with_state(state)
}

async fn reload_script() -> Response<Body> {
    respond(StatusCode::OK, "text/javascript; charset=utf-8", include_str!("reload.js").as_bytes().to_vec())
}

async fn events(State(state): State<AppState>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let stream =
        BroadcastStream::new(state.pushes.subscribe()).take_while(|push| !matches!(push, Ok(Push::Stop))).map(|push| {
            // A browser that fell behind (lagged) reloads: it may have missed anything.
            let data = match push {
                Ok(Push::Styles) => "styles",
                Ok(Push::Reload | Push::Stop) | Err(_) => "page",
            };
            Ok(Event::default().event("reload").data(data))
        });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

fn respond(status: StatusCode, content_type: &str, body: Vec<u8>) -> Response<Body> {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn page(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response<Body> {
    let gzip = accepts_gzip(&headers);
    let snapshot = match state.snapshot.read() {
        Ok(guard) => guard.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    };
    match resolve(&snapshot, uri.path()) {
        Resolved::File(path) => serve_file(&snapshot, &path, StatusCode::OK, gzip),
        Resolved::Redirect(location) => {
            let location = match uri.query() {
                Some(query) => format!("{location}?{query}"),
                None => location,
            };
            let mut response = respond(StatusCode::PERMANENT_REDIRECT, "text/plain; charset=utf-8", Vec::new());
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
        Resolved::NotFound if snapshot.file("404.html").is_some() => {
            serve_file(&snapshot, "404.html", StatusCode::NOT_FOUND, gzip)
        }
        // No good build yet (the wiki was broken from the start): show the problems anyway, on
        // a page that reloads itself once they are fixed.
        Resolved::NotFound if !snapshot.errors.is_empty() => {
            let shell = format!(
                "<!doctype html><html lang=en><head><meta charset=utf-8><title>dossier serve: errors</title><script src=\"{RELOAD_SCRIPT}\" defer></script></head><body></body></html>"
            );
            respond(
                StatusCode::NOT_FOUND,
                "text/html; charset=utf-8",
                with_overlay(shell.as_bytes(), &overlay_html(&snapshot.errors, &snapshot.notices)),
            )
        }
        Resolved::NotFound => respond(StatusCode::NOT_FOUND, "text/plain; charset=utf-8", b"not found".to_vec()),
    }
}

/// Sends a file of the output: as it is held (gzip) to a client that accepts that, inflated
/// otherwise and whenever the overlay goes in.
fn serve_file(snapshot: &Snapshot, path: &str, status: StatusCode, gzip: bool) -> Response<Body> {
    let Some(held) = snapshot.file(path) else {
        return respond(StatusCode::NOT_FOUND, "text/plain; charset=utf-8", b"not found".to_vec());
    };
    let content_type = content_type(path);
    // Errors get the overlay, and warnings or notes alone the badge.
    let overlay = content_type.starts_with("text/html").then(|| {
        if snapshot.errors.is_empty() {
            badge_html(&snapshot.notices)
        } else {
            overlay_html(&snapshot.errors, &snapshot.notices)
        }
    });
    let overlay = overlay.filter(|html| !html.is_empty());
    let mut response = if gzip && overlay.is_none() {
        let mut response = respond(status, content_type, held.to_vec());
        response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        response
    } else {
        let bytes = match compressed::decompress(held) {
            Ok(bytes) => bytes,
            Err(error) => {
                let message = format!("cannot inflate {path}: {error}");
                return respond(StatusCode::INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", message.into_bytes());
            }
        };
        let bytes = match overlay {
            Some(overlay) => with_overlay(&bytes, &overlay),
            None => bytes,
        };
        respond(status, content_type, bytes)
    };
    response.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// Whether `Accept-Encoding` admits gzip (by name or `*`, with a non-zero quality).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |item| {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| p.strip_prefix("q=").is_some_and(|q| q.parse::<f32>().is_ok_and(|q| q <= 0.0)));
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        },
    )
}

/// Inserts the overlay before `</body>` (or at the end when there is none).
fn with_overlay(page: &[u8], overlay: &str) -> Vec<u8> {
    let at = page.windows(7).rposition(|w| w.eq_ignore_ascii_case(b"</body>")).unwrap_or(page.len());
    let mut out = Vec::with_capacity(page.len() + overlay.len());
    out.extend_from_slice(&page[..at]);
    out.extend_from_slice(overlay.as_bytes());
    out.extend_from_slice(&page[at..]);
    out
}

#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    File(String),
    Redirect(String),
    NotFound,
}

/// Maps a request path onto the output: a redirect from an alias's URL to the page it names,
/// `index.html` for directories, a redirect from `/x` to `/x/` where a page lives there, and 404 for anything that is not in the output, including
/// every spelling of a path that climbs (`..`, `%2e%2e`, backslashes, NUL).
pub fn resolve(snapshot: &Snapshot, raw_path: &str) -> Resolved {
    let Some(decoded) = percent_decode(raw_path) else { return Resolved::NotFound };
    if decoded.contains(['\\', '\0']) {
        return Resolved::NotFound;
    }
    let rel = decoded.trim_start_matches('/');
    if rel.split('/').any(|segment| segment == ".." || segment == ".") || rel.contains("//") {
        return Resolved::NotFound;
    }
    if let Some(location) = moved(snapshot, rel) {
        return Resolved::Redirect(location);
    }
    let wanted = if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel.to_owned() };
    if snapshot.file(&wanted).is_some() {
        return Resolved::File(wanted);
    }
    if !rel.is_empty() && !rel.ends_with('/') && snapshot.file(&format!("{rel}/index.html")).is_some() {
        return Resolved::Redirect(format!("/{rel}/"));
    }
    Resolved::NotFound
}

/// Where an alias's old URL (or a file below it) moved to: `/providers/old` and
/// `/providers/old/index.json` go to `/providers/new/` and `/providers/new/index.json`.
fn moved(snapshot: &Snapshot, rel: &str) -> Option<String> {
    snapshot.redirects.iter().find_map(|(from, to)| {
        let rest = if rel == from.trim_end_matches('/') { "" } else { rel.strip_prefix(from.as_str())? };
        let rest = rest.strip_prefix("index.html").unwrap_or(rest);
        Some(format!("/{to}{rest}"))
    })
}

/// Decodes `%XX` escapes once; `None` when an escape is malformed or the result is not UTF-8.
fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("xml") if path.ends_with("feed.xml") => "application/atom+xml",
        Some("xml") => "application/xml",
        Some("txt") => "text/plain; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Output;

    fn snapshot() -> Snapshot {
        let mut output = Output::default();
        output.insert("index.html", "<html><body>home</body></html>");
        output.insert("providers/a/index.html", "a");
        output.insert("static/style.css", "css");
        Snapshot { output: Arc::new(output), ..Snapshot::default() }
    }

    #[test]
    fn directories_serve_index_and_bare_paths_redirect() {
        let s = snapshot();
        assert_eq!(resolve(&s, "/"), Resolved::File("index.html".into()));
        assert_eq!(resolve(&s, "/providers/a/"), Resolved::File("providers/a/index.html".into()));
        assert_eq!(resolve(&s, "/providers/a"), Resolved::Redirect("/providers/a/".into()));
        assert_eq!(resolve(&s, "/static/style.css"), Resolved::File("static/style.css".into()));
        assert_eq!(resolve(&s, "/providers/b/"), Resolved::NotFound);
    }

    #[test]
    fn aliases_redirect_to_their_pages() {
        let mut s = snapshot();
        s.redirects = Arc::new(vec![("providers/old/".into(), "providers/a/".into())]);
        for (old, new) in [
            ("/providers/old/", "/providers/a/"),
            ("/providers/old", "/providers/a/"),
            ("/providers/old/index.html", "/providers/a/"),
            ("/providers/old/index.json", "/providers/a/index.json"),
        ] {
            assert_eq!(resolve(&s, old), Resolved::Redirect(new.into()), "{old}");
        }
        assert_eq!(resolve(&s, "/providers/older/"), Resolved::NotFound);
        assert_eq!(resolve(&s, "/providers/a/"), Resolved::File("providers/a/index.html".into()));
    }

    #[test]
    fn traversal_in_any_spelling_is_not_found() {
        let s = snapshot();
        for path in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/%2e%2e/x",
            "/%252e%252e/x",
            "/providers/..%2f..%2fx",
            "/..\\x",
            "/%5c..%5cx",
            "/a/%00",
            "/%zz",
            "//etc/passwd",
            "/./index.html",
        ] {
            assert_eq!(resolve(&s, path), Resolved::NotFound, "{path}");
        }
    }

    #[test]
    fn gzip_is_sent_only_where_accepted() {
        let accepts = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
            accepts_gzip(&headers)
        };
        for yes in ["gzip", "deflate, gzip, br", "GZip;q=0.5", "*", "br;q=1.0, gzip; q=0.001"] {
            assert!(accepts(yes), "{yes}");
        }
        for no in ["", "br", "gzip;q=0", "gzip; q=0.0, br", "x-gzip2", "identity"] {
            assert!(!accepts(no), "{no}");
        }
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn overlay_goes_before_the_body_end() {
        let page = with_overlay(b"<html><body>x</BODY></html>", "<div>o</div>");
        assert_eq!(String::from_utf8(page).unwrap(), "<html><body>x<div>o</div></BODY></html>");
    }
}
