//! Checks of single fields shared by the dossier, claim and site rules: URLs, links in
//! Markdown, dates that must not lie ahead, sources and the hint for an unknown claim id.

use std::collections::BTreeSet;
use std::path::Path;

use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::markdown;
use crate::model::{Body, Date, Pos, Source, Spanned};

/// Links in a Markdown body must be http(s), mailto, relative or fragment links.
pub fn check_body_links(path: &Path, body: &Body, out: &mut Vec<Diagnostic>) {
    check_links(path, body, &markdown::scan_links(&body.text), out);
}

pub fn check_links(path: &Path, body: &Body, links: &[markdown::LinkRef], out: &mut Vec<Diagnostic>) {
    for link in links.iter().filter(|l| !markdown::is_allowed_link(&l.url)) {
        out.push(unsafe_link(path, body.pos_of(link.offset), &link.url));
    }
}

/// Links in inline Markdown held in a YAML value (a claim's text); they point at the value.
pub fn check_text_links(path: &Path, text: &Spanned<String>, out: &mut Vec<Diagnostic>) {
    for link in markdown::scan_links(text) {
        if !markdown::is_allowed_link(&link.url) {
            out.push(unsafe_link(path, text.pos, &link.url));
        }
    }
}

fn unsafe_link(path: &Path, pos: Pos, url: &str) -> Diagnostic {
    Diagnostic::new(Code::InvalidUrl, path, pos, format!("the link `{url}` is not an http(s), mailto or relative URL"))
        .help("only http(s), mailto, relative and #fragment links are published; this one would be dropped")
}

/// A URL must be an absolute http or https address.
pub fn check_url(path: &Path, url: &Spanned<String>, field: &str, out: &mut Vec<Diagnostic>) {
    if url.trim().contains(char::is_whitespace) {
        out.push(
            Diagnostic::new(Code::InvalidUrl, path, url.pos, format!("`{field}` contains a space: `{}`", url.value))
                .help("a URL has no spaces: copy it from the browser's address bar, where a space shows as `%20`"),
        );
    } else if !is_http_url(url) {
        out.push(
            Diagnostic::new(
                Code::InvalidUrl,
                path,
                url.pos,
                format!("`{field}` must be an http(s) URL, not `{}`", url.value),
            )
            .help("write a full address starting with https:// (other schemes are never published)"),
        );
    }
}

/// Whether `text` parses as an absolute http(s) URL with a host.
pub fn is_http_url(text: &str) -> bool {
    let text = text.trim();
    has_plain_http_host(text)
        || url::Url::parse(text)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty()))
}

/// Whether `text` is `http://` or `https://` and a host the URL parser surely accepts as it is:
/// dot-separated labels of lower-case letters, digits and hyphens, no punycode, and a last
/// label starting with a letter (so not an IPv4 address). Whatever follows the host cannot
/// fail to parse. Most URLs in a wiki look like this, and this look costs a tenth of a parse;
/// anything else goes to the parser.
fn has_plain_http_host(text: &str) -> bool {
    let lower = |prefix: &str| text.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix));
    let rest = match () {
        () if lower("https://") => &text["https://".len()..],
        () if lower("http://") => &text["http://".len()..],
        () => return false,
    };
    let host = &rest[..rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len())];
    let label_ok = |label: &str| {
        !label.is_empty()
            && !label.starts_with("xn--")
            && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    host.split('.').all(label_ok)
        && host.rsplit('.').next().is_some_and(|last| last.starts_with(|c: char| c.is_ascii_lowercase()))
}

pub fn check_not_future(path: &Path, date: &Spanned<Date>, field: &str, today: Date, out: &mut Vec<Diagnostic>) {
    if date.value > today {
        out.push(
            Diagnostic::new(
                Code::FutureDate,
                path,
                date.pos,
                format!("`{field}` is {}, which is after today ({today} in UTC)", date.value),
            )
            .help("a date records something already done; dates are days in UTC, as CI sees them, so write the UTC day it was done"),
        );
    }
}

/// URL and archive of one source, inline or named ([`check_source_dates`] its dates).
pub fn check_source(path: &Path, source: &Source, out: &mut Vec<Diagnostic>) {
    check_url(path, &source.url, "url", out);
    match &source.archive {
        Some(archive) => check_url(path, archive, "archive", out),
        None => out.push(
            Diagnostic::new(
                Code::MissingArchive,
                path,
                source.url.pos,
                format!("the source `{}` has no archive link", source.title),
            )
            .help("save the page in a web archive and add `archive: <snapshot URL>`, so the claim survives link rot"),
        ),
    }
}

/// The dates of one source, inline or named, which must not lie ahead of `today`.
pub fn check_source_dates(path: &Path, source: &Source, today: Date, out: &mut Vec<Diagnostic>) {
    check_not_future(path, &source.accessed, "accessed", today, out);
    if let Some(published) = &source.published {
        check_not_future(path, published, "published", today, out);
    }
}

pub fn suggest_claim(id: &str, ids: &BTreeSet<&str>) -> String {
    match did_you_mean(id, ids.iter().copied()) {
        Some(best) => format!("did you mean `{best}`?"),
        None => "use the `id` of a claim in this dossier".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quick_look_agrees_with_the_url_parser() {
        let parsed = |text: &str| {
            url::Url::parse(text.trim())
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty()))
        };
        let hosts = [
            "a.test",
            "A.test",
            "a",
            "a-b.c-d.test",
            "-a.test",
            "a..test",
            ".a.test",
            "a.test.",
            "xn--a.test",
            "xn--abc-123.test",
            "a.xn--zz",
            "1.2.3.4",
            "1.2.3.999",
            "a.123",
            "a.0x1",
            "0x1",
            "a.1b",
            "a_b.test",
            "a%2e.test",
            "a b.test",
            "a\tb.test",
            "é.test",
            "a.test:80",
            "a.test:99999",
            "u@a.test",
            "",
        ];
        let tails = ["", "/", "/x?y#z", "\\x", "?q", "#f", "/a b/%zz/é", "/x@y"];
        for scheme in ["https://", "http://", "HTTPS://", "ftp://", "https:/", "https:"] {
            for host in hosts {
                for tail in tails {
                    let url = format!("{scheme}{host}{tail}");
                    if has_plain_http_host(&url) {
                        assert!(parsed(&url), "{url}");
                    }
                    assert_eq!(is_http_url(&url), parsed(&url), "{url}");
                }
            }
        }
        assert!(has_plain_http_host("https://www.a-b.test/x"));
    }

    #[test]
    fn only_absolute_http_urls_pass() {
        for good in ["https://a.test/x", "http://a.test", "HTTPS://A.TEST/"] {
            assert!(is_http_url(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "ftp://a.test",
            "//a.test",
            "/x",
            "https://",
            "mailto:a@b.test",
            "JaVaScRiPt:x",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }
}
