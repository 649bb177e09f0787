//! Rules for one dossier's header, named sources, facts and body citations; the claim rules
//! are in `claims.rs`.

use std::collections::BTreeSet;
use std::path::Path;

use super::claims;
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::markdown;
use crate::model::{Body, Date, Dossier, Pos, Source, Spanned, is_slug};
use crate::site::Site;

/// ISO 3166-1 alpha-2 codes, officially assigned.
const COUNTRY_CODES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// All problems of one dossier.
pub fn check_dossier(site: &Site, dossier: &Dossier, today: Date) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    check_header(site, dossier, today, &mut out);
    for source in dossier.meta.sources.values() {
        check_source(&dossier.path, source, today, &mut out);
    }
    claims::check_claims(site, dossier, today, &mut out);
    check_facts(site, dossier, &mut out);
    let scan = markdown::scan_footnotes(&dossier.body.text);
    check_citations(dossier, &scan, &mut out);
    check_links(&dossier.path, &dossier.body, &scan.links, &mut out);
    for claim in dossier.meta.claims.iter() {
        check_text_links(&dossier.path, &claim.text, &mut out);
    }
    out
}

/// Links in a Markdown body must be http(s), mailto, relative or fragment links.
pub fn check_body_links(path: &Path, body: &Body, out: &mut Vec<Diagnostic>) {
    check_links(path, body, &markdown::scan_links(&body.text), out);
}

fn check_links(path: &Path, body: &Body, links: &[markdown::LinkRef], out: &mut Vec<Diagnostic>) {
    for link in links.iter().filter(|l| !markdown::is_allowed_link(&l.url)) {
        out.push(unsafe_link(path, body.pos_of(link.offset), &link.url));
    }
}

/// Links in inline Markdown held in a YAML value (a claim's text); they point at the value.
fn check_text_links(path: &Path, text: &Spanned<String>, out: &mut Vec<Diagnostic>) {
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

fn check_header(site: &Site, dossier: &Dossier, today: Date, out: &mut Vec<Diagnostic>) {
    let (path, meta) = (&dossier.path, &dossier.meta);
    check_url(path, &meta.website, "website", out);
    if !site.categories.contains_key(meta.category.as_str()) {
        let help = match did_you_mean(&meta.category, site.categories.keys().map(String::as_str)) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!(
                "use the name of a file in content/categories/: {}",
                site.categories.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        };
        out.push(
            Diagnostic::new(
                Code::UnknownCategory,
                path,
                meta.category.pos,
                format!("there is no category `{}`", *meta.category),
            )
            .help(help),
        );
    }
    if let Some(code) = &meta.jurisdiction
        && !COUNTRY_CODES.split(' ').any(|c| c == code.as_str())
    {
        let upper = code.to_ascii_uppercase();
        let help = if COUNTRY_CODES.split(' ').any(|c| c == upper) {
            format!("write it in capitals: `{upper}`")
        } else {
            "use an ISO 3166-1 alpha-2 country code, e.g. DE, US, CH".into()
        };
        out.push(
            Diagnostic::new(
                Code::InvalidJurisdiction,
                path,
                code.pos,
                format!("`{}` is not an ISO 3166-1 alpha-2 country code", **code),
            )
            .help(help),
        );
    }
    for tag in &meta.tags {
        if !is_slug(tag) {
            out.push(
                Diagnostic::new(Code::InvalidSlug, path, tag.pos, format!("the tag `{}` is not a slug", **tag))
                    .help("use lower-case letters, digits and single hyphens, e.g. `two-factor`"),
            );
        }
    }
    if let Some(reply) = &meta.right_of_reply {
        check_not_future(path, &reply.contacted, "contacted", today, out);
    }
}

/// A URL must be an absolute http or https address.
pub fn check_url(path: &Path, url: &Spanned<String>, field: &str, out: &mut Vec<Diagnostic>) {
    if !is_http_url(url) {
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
                format!("`{field}` is {}, which is after today ({today})", date.value),
            )
            .help("a date can only record something that has already happened; use the day it was done"),
        );
    }
}

/// URL, dates and archive of one source, inline or named.
pub fn check_source(path: &Path, source: &Source, today: Date, out: &mut Vec<Diagnostic>) {
    check_url(path, &source.url, "url", out);
    check_not_future(path, &source.accessed, "accessed", today, out);
    if let Some(published) = &source.published {
        check_not_future(path, published, "published", today, out);
    }
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

fn check_facts(site: &Site, dossier: &Dossier, out: &mut Vec<Diagnostic>) {
    let columns = site.categories.get(dossier.meta.category.as_str()).map(|c| c.meta.facts.as_slice());
    let ids: BTreeSet<&str> = dossier.meta.claims.iter().map(|c| c.id.as_str()).collect();
    for (key, fact) in &dossier.meta.facts {
        match columns.and_then(|cols| cols.iter().find(|c| c.key.as_str() == key)) {
            Some(column) if column.kind != fact.value.value.type_name() => out.push(
                Diagnostic::new(
                    Code::FactTypeMismatch,
                    &dossier.path,
                    fact.pos,
                    format!("the fact `{key}` must be a {}", column.kind.as_str()),
                )
                .help(format!("the category declares `{key}` as {}; write a value of that type", column.kind.as_str())),
            ),
            Some(_) => {}
            None if columns.is_some() => {
                let known = columns.unwrap_or_default().iter().map(|c| c.key.as_str());
                let help = match did_you_mean(key, known) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => "facts must be columns the category declares under `facts`".into(),
                };
                out.push(
                    Diagnostic::new(
                        Code::UnknownFact,
                        &dossier.path,
                        fact.pos,
                        format!("the category has no fact `{key}`"),
                    )
                    .help(help),
                );
            }
            None => {}
        }
        if !ids.contains(fact.claim.as_str()) {
            out.push(
                Diagnostic::new(
                    Code::FactUnknownClaim,
                    &dossier.path,
                    fact.claim.pos,
                    format!("the fact `{key}` points at no claim `{}`", *fact.claim),
                )
                .help(suggest_claim(&fact.claim, &ids)),
            );
        }
    }
}

pub fn suggest_claim(id: &str, ids: &BTreeSet<&str>) -> String {
    match did_you_mean(id, ids.iter().copied()) {
        Some(best) => format!("did you mean `{best}`?"),
        None => "use the `id` of a claim in this dossier".into(),
    }
}

fn check_citations(dossier: &Dossier, footnotes: &markdown::Footnotes, out: &mut Vec<Diagnostic>) {
    let ids: BTreeSet<&str> = dossier.meta.claims.iter().map(|c| c.id.as_str()).collect();
    for reference in &footnotes.references {
        let label = reference.label.as_str();
        if !ids.contains(label) && !footnotes.definitions.iter().any(|d| d == label) {
            out.push(
                Diagnostic::new(
                    Code::UnknownCitation,
                    &dossier.path,
                    dossier.body.pos_of(reference.offset),
                    format!("`[^{label}]` cites no claim and no footnote"),
                )
                .help(suggest_claim(label, &ids)),
            );
        }
    }
    let cited: BTreeSet<&str> = footnotes.references.iter().map(|r| r.label.as_str()).collect();
    let in_facts: BTreeSet<&str> = dossier.meta.facts.values().map(|f| f.claim.as_str()).collect();
    for claim in dossier.meta.claims.iter() {
        let id = claim.id.as_str();
        if !cited.contains(id) && !in_facts.contains(id) && claim.responds_to.is_none() {
            out.push(
                Diagnostic::new(
                    Code::UncitedClaim,
                    &dossier.path,
                    claim.id.pos,
                    format!("the claim `{id}` is never cited in the text"),
                )
                .help(format!("cite it where the text relies on it with `[^{id}]`")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes_are_the_249_assigned() {
        let codes: BTreeSet<&str> = COUNTRY_CODES.split(' ').collect();
        assert_eq!(codes.len(), 249);
        assert!(codes.iter().all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())));
    }

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
