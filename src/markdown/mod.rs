//! The Markdown seam (pulldown-cmark): the one place that knows Markdown syntax.
//!
//! Consumes a body of contributed Markdown; produces what the other stages need from it: the
//! footnotes and links it uses (for the rules), and safe HTML (for the pages). Raw HTML is
//! shown as text, links other than http(s), mailto, relative and fragment ones are dropped, and
//! `[^claim-id]` footnotes become numbered citations of the dossier's claims, and `@/` links
//! to content files become those files' URLs.

mod html;
mod links;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

pub use html::{BodyContext, RenderedBody, encode_href, escape, heading_ids, render_body, render_inline};
pub use links::{SourceLink, alias_url, published_path, source_of};

/// The Markdown extensions the wiki uses, everywhere Markdown is read.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A `[^label]` reference and where it sits in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FootnoteRef {
    pub label: String,
    pub offset: usize,
}

/// The footnote references of a body, in order, the labels it defines, and its links.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Footnotes {
    pub references: Vec<FootnoteRef>,
    pub definitions: Vec<String>,
    /// Link and image destinations, as [`scan_links`] finds them (one parse serves both).
    pub links: Vec<LinkRef>,
    /// `[label]` left as plain text outside code (no link of that name exists), with a label
    /// a claim id could have: a citation missing its `^` when it names a claim.
    pub bracketed: Vec<FootnoteRef>,
}

/// Finds footnote references and definitions, and links. pulldown-cmark emits a reference only
/// when its label is defined, so an undefined `[^label]` is found in the text it is left as.
pub fn scan_footnotes(body: &str) -> Footnotes {
    let mut found = Footnotes::default();
    let mut text_run: Option<std::ops::Range<usize>> = None;
    let mut in_code = false;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        if let Event::Text(_) = event {
            text_run = Some(text_run.map_or(range.clone(), |run| run.start..range.end.max(run.end)));
            continue;
        }
        if let Some(run) = text_run.take() {
            literal_references(body, run, &mut found, in_code);
        }
        match &event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            _ => {}
        }
        match event {
            Event::FootnoteReference(label) => {
                found.references.push(FootnoteRef { label: label.into_string(), offset: range.start })
            }
            Event::Start(Tag::FootnoteDefinition(label)) => found.definitions.push(label.into_string()),
            event => found.links.extend(link_of(event, range.start)),
        }
    }
    if let Some(run) = text_run {
        literal_references(body, run, &mut found, in_code);
    }
    found.references.sort_by_key(|r| r.offset);
    found
}

/// `[^label]` written in plain text (not escaped), as an undefined footnote reference is, and
/// outside code, `[label]` with a label a claim id could have.
fn literal_references(body: &str, run: std::ops::Range<usize>, found: &mut Footnotes, in_code: bool) {
    let Some(source) = body.get(run.clone()) else { return };
    let out = &mut found.references;
    let mut from = 0;
    // A one-character search (memchr), then a look at the next byte: faster than for "[^".
    while let Some(found_at) = source[from..].find('[') {
        let start = from + found_at;
        if source.as_bytes().get(start + 1) != Some(&b'^') {
            if !in_code && let Some(label) = bracketed_label(source, start) {
                found.bracketed.push(FootnoteRef { label: label.to_owned(), offset: run.start + start });
            }
            from = start + 1;
            continue;
        }
        let rest = &source[start + 2..];
        let end = rest.find(|c: char| c == ']' || c.is_whitespace() || c == '[').unwrap_or(rest.len());
        let escaped = source[..start].ends_with('\\');
        if rest[end..].starts_with(']') && end > 0 && !escaped {
            out.push(FootnoteRef { label: rest[..end].to_owned(), offset: run.start + start });
        }
        from = start + 2;
    }
}

/// The label of a plain `[label]` at `start` of `text`: lower-case letters, digits and hyphens,
/// not escaped, not after `]` (a reference link's second half) and not before `(`, `[` or `:`.
fn bracketed_label(text: &str, start: usize) -> Option<&str> {
    let rest = &text[start + 1..];
    let end = rest.find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))?;
    let after = rest[end..].strip_prefix(']')?;
    let plain = end > 0 && !text[..start].ends_with(['\\', ']']) && !after.starts_with(['(', '[', ':']);
    plain.then(|| &rest[..end])
}

/// The words of a Markdown text, for the search index: text, code and image descriptions,
/// with blocks separated by spaces. Raw HTML, link destinations and `[^label]` citations
/// (defined or not) are left out.
pub fn plain_text(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    for event in Parser::new_ext(body, options()) {
        match event {
            Event::Text(text) | Event::Code(text) => out.push_str(&text),
            Event::SoftBreak | Event::HardBreak | Event::Rule => out.push(' '),
            Event::End(end) if !is_inline(end) => out.push(' '),
            _ => {}
        }
    }
    let mut words = String::with_capacity(out.len());
    let mut rest = out.as_str();
    // Undefined footnote labels (claim citations) arrive as plain text.
    while let Some(start) = rest.find("[^") {
        let label_end = rest[start + 2..].find(|c: char| c == ']' || c.is_whitespace() || c == '[');
        words.push_str(&rest[..start]);
        match label_end.map(|i| start + 2 + i) {
            Some(end) if end > start + 2 && rest[end..].starts_with(']') => rest = &rest[end + 1..],
            _ => {
                words.push_str("[^");
                rest = &rest[start + 2..];
            }
        }
    }
    words.push_str(rest);
    words.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_inline(end: TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// A link or image destination in a body, and where it sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    pub url: String,
    pub offset: usize,
}

/// Every link and image destination in `body`, in order.
pub fn scan_links(body: &str) -> Vec<LinkRef> {
    // Every link and image is written `](`, with a `]:` definition or as an `<autolink>`; most
    // texts have none (a citation `[^id]` is none of these), and setting up a parser costs more
    // than this look.
    if !body.contains("](") && !body.contains("]:") && !body.contains('<') {
        return Vec::new();
    }
    Parser::new_ext(body, options())
        .into_offset_iter()
        .filter_map(|(event, range)| link_of(event, range.start))
        .collect()
}

/// The destination of a link or image start (e-mail autolinks are always `mailto:`).
fn link_of(event: Event, offset: usize) -> Option<LinkRef> {
    match event {
        Event::Start(Tag::Link { link_type, dest_url, .. }) if link_type != pulldown_cmark::LinkType::Email => {
            Some(LinkRef { url: dest_url.into_string(), offset })
        }
        Event::Start(Tag::Image { dest_url, .. }) => Some(LinkRef { url: dest_url.into_string(), offset }),
        _ => None,
    }
}

/// Whether a link may be published: http(s), mailto, or a relative or fragment URL.
///
/// Browsers ignore ASCII whitespace and control characters inside a scheme
/// (`java\tscript:`), so they are removed before the scheme is read.
pub fn is_allowed_link(url: &str) -> bool {
    let cleaned: String = url.chars().filter(|c| !c.is_ascii_whitespace() && !c.is_control()).collect();
    match cleaned.find([':', '/', '?', '#']) {
        Some(i) if cleaned[i..].starts_with(':') => {
            matches!(cleaned[..i].to_ascii_lowercase().as_str(), "http" | "https" | "mailto")
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_references_with_offsets_and_definitions() {
        let body = "Signed.[^dkim] Also[^n1].\n\n`[^code]`\n\n[^n1]: A note.\n";
        let found = scan_footnotes(body);
        let labels: Vec<_> = found.references.iter().map(|r| (r.label.as_str(), r.offset)).collect();
        assert_eq!(labels, [("dkim", 7), ("n1", 19)]);
        assert_eq!(found.definitions, ["n1"]);
    }

    #[test]
    fn bracketed_labels_outside_code_and_links_are_found() {
        let body = "Has [s3-api] and [^dkim].[^dkim] Not \\[esc], [Caps], [a b], [x](https://a.test), [t][ref], `[code]`.\n\n```\n[block]\n```\n\n[ref]: https://a.test\n";
        let found = scan_footnotes(body);
        let labels: Vec<_> = found.bracketed.iter().map(|r| (r.label.as_str(), r.offset)).collect();
        assert_eq!(labels, [("s3-api", 4)]);
    }

    #[test]
    fn only_web_mail_relative_and_fragment_links_are_allowed() {
        for good in [
            "https://a.test",
            "HTTP://a.test",
            "mailto:a@b.test",
            "/tags/x/",
            "../x",
            "#claim-a",
            "x:y/z".split(':').next().unwrap_or(""),
        ] {
            assert!(is_allowed_link(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            " JaVaScRiPt:x",
            "java\tscript:x",
            "vbscript:x",
            "data:text/html,x",
            "ftp://a.test",
            "file:///etc/passwd",
        ] {
            assert!(!is_allowed_link(bad), "{bad}");
        }
    }

    #[test]
    fn links_and_images_are_found() {
        let links = scan_links("[a](javascript:x) ![i](https://a.test/i.png) <b@c.test>");
        let urls: Vec<_> = links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(urls, ["javascript:x", "https://a.test/i.png"]);
        let urls = |text: &str| scan_links(text).into_iter().map(|l| l.url).collect::<Vec<_>>();
        assert_eq!(urls("[a][r] and [r]\n\n[r]: @/index.md"), ["@/index.md", "@/index.md"]);
        assert_eq!(urls("<https://a.test>"), ["https://a.test"]);
        assert!(urls("Cited.[^a] [not a link] [^b]").is_empty());
    }

    #[test]
    fn plain_text_keeps_words_and_drops_markup_and_citations() {
        let body = concat!(
            "## Mail *signing*\n\nOutgoing mail is **DKIM**-signed.[^dkim] See [the guide](https://a.test/x) ",
            "and `dig`.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| c | d |\n\n<b>raw</b> ![logo](l.png)\n\n",
            "```sh\necho hi\n```\n\n[^n]: A note [^ odd.\n"
        );
        assert_eq!(
            plain_text(body),
            "Mail signing Outgoing mail is DKIM-signed. See the guide and dig. one two a b c d raw logo echo hi \
             A note [^ odd."
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let body = format!("{}x", "> ".repeat(50_000));
        assert!(scan_footnotes(&body).references.is_empty());
        let list = "- ".repeat(50_000);
        assert!(scan_footnotes(&list).references.is_empty());
    }
}
