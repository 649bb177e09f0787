//! Markdown to safe HTML. Events are rewritten before pulldown-cmark's HTML writer sees them:
//! raw HTML becomes text, links are filtered and marked, headings get unique ids with anchor
//! links, code blocks go to the highlighter, and footnotes become citations and notes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, LinkType, Parser, Tag, TagEnd, html::push_html};

use super::{is_allowed_link, options};

/// What rendering a body needs to know beyond its text.
pub struct BodyContext<'a> {
    /// The dossier's claim ids; only these labels become citations.
    pub claim_ids: &'a [&'a str],
    /// The site's root path ("/" or "/wiki/"), prefixed to root-relative links.
    pub base_path: &'a str,
    /// Turns a code block (language, code) into HTML.
    pub highlight: &'a dyn Fn(Option<&str>, &str) -> String,
    /// Whether the page reserves this element id (the theme's own markup).
    pub is_reserved_id: &'a dyn Fn(&str) -> bool,
}

/// A rendered body: the HTML, its notes (ordinary footnotes), whether it has code, and the
/// claims it cites.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RenderedBody {
    pub html: String,
    pub notes_html: Option<String>,
    pub has_code: bool,
    /// Cited claim ids, numbered from 1 in order of first citation.
    pub claim_numbers: BTreeMap<String, usize>,
    /// How many times each cited claim is cited.
    pub claim_counts: BTreeMap<String, usize>,
}

/// Renders a page body.
pub fn render_body(text: &str, cx: &BodyContext) -> RenderedBody {
    let source = with_claim_definitions(text, cx.claim_ids);
    let events: Vec<Event> = Parser::new_ext(&source, options()).collect();
    // Citations are numbered before any is written, from the same parse.
    let mut claim_numbers = BTreeMap::new();
    let mut claim_counts: BTreeMap<String, usize> = BTreeMap::new();
    for event in &events {
        if let Event::FootnoteReference(label) = event
            && cx.claim_ids.contains(&label.as_ref())
        {
            let next = claim_numbers.len() + 1;
            claim_numbers.entry(label.to_string()).or_insert(next);
            *claim_counts.entry(label.to_string()).or_insert(0) += 1;
        }
    }
    let mut writer = Rewriter::new(cx, &claim_numbers);
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        writer.rewrite(event, &mut out);
    }
    let mut html = String::with_capacity(text.len() * 3 / 2);
    push_html(&mut html, out.into_iter());
    let (notes_html, has_code) = (writer.notes_html(), writer.has_code);
    RenderedBody { html, notes_html, has_code, claim_numbers, claim_counts }
}

/// `text` with a stand-in definition for each claim: pulldown-cmark only emits references to
/// defined footnotes, so citations need one (the renderer drops them again).
fn with_claim_definitions(text: &str, claim_ids: &[&str]) -> String {
    let mut source = String::with_capacity(text.len() + claim_ids.len() * 16);
    source.push_str(text);
    for id in claim_ids {
        let _ = write!(source, "\n\n[^{id}]: claim\n");
    }
    source
}

/// The ids [`render_body`] gives the headings of `text`, in order: what `#fragment` links to a
/// page's sections may name.
pub fn heading_ids(text: &str, claim_ids: &[&str], is_reserved_id: &dyn Fn(&str) -> bool) -> Vec<String> {
    let source = with_claim_definitions(text, claim_ids);
    let mut ids = HeadingIds::default();
    let mut found = Vec::new();
    let mut heading: Option<(Option<String>, String)> = None;
    for event in Parser::new_ext(&source, options()) {
        match (event, &mut heading) {
            (Event::Start(Tag::Heading { id, .. }), _) => heading = Some((id.map(|i| slugify(&i)), String::new())),
            (Event::End(TagEnd::Heading(_)), Some(_)) => {
                if let Some((explicit, text)) = heading.take() {
                    found.push(ids.assign(explicit, &text, is_reserved_id));
                }
            }
            // The text the renderer collects: text and code, and raw HTML, which it shows as text.
            (Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t), Some((_, text))) => {
                text.push_str(&t)
            }
            _ => {}
        }
    }
    found
}

/// Gives headings unique ids: the explicit `{#id}` or the slug of the text, moved away from ids
/// the renderer and the theme own, and numbered when already taken on the page.
#[derive(Default)]
struct HeadingIds {
    taken: BTreeSet<String>,
}

impl HeadingIds {
    fn assign(&mut self, explicit: Option<String>, text: &str, is_reserved_id: &dyn Fn(&str) -> bool) -> String {
        let mut id = explicit.unwrap_or_else(|| slugify(text));
        let renderer_owned = ["claim-", "cite-", "note-"].iter().any(|p| id.starts_with(p));
        if renderer_owned || is_reserved_id(&id) {
            id.push_str("-section");
        }
        let base = id.clone();
        let mut n = 1;
        while !self.taken.insert(id.clone()) {
            n += 1;
            id = format!("{base}-{n}");
        }
        id
    }
}

/// Renders one line of inline Markdown (a claim's text) without the surrounding paragraph.
pub fn render_inline(text: &str, base_path: &str) -> String {
    let no_numbers = BTreeMap::new();
    let plain = |_: Option<&str>, code: &str| format!("<code>{}</code>", escape(code));
    let reserved = |_: &str| false;
    let cx = BodyContext { claim_ids: &[], base_path, highlight: &plain, is_reserved_id: &reserved };
    let mut writer = Rewriter::new(&cx, &no_numbers);
    writer.inline = true;
    let mut out = Vec::new();
    for event in Parser::new_ext(text, options()) {
        writer.rewrite(event, &mut out);
    }
    let mut html = String::with_capacity(text.len() * 3 / 2);
    push_html(&mut html, out.into_iter());
    let trimmed = html.trim_end();
    match trimmed.strip_prefix("<p>").and_then(|h| h.strip_suffix("</p>")) {
        Some(inner) if !inner.contains("<p>") => inner.to_owned(),
        _ => html,
    }
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A URL safe to put in an attribute: absolute web URLs in their parsed, percent-encoded form;
/// others with the characters URLs may not contain percent-encoded.
pub fn encode_href(url: &str) -> String {
    if let Ok(parsed) = url::Url::parse(url)
        && matches!(parsed.scheme(), "http" | "https")
    {
        return parsed.into();
    }
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c.is_ascii_graphic() && !matches!(c, '"' | '<' | '>' | '`' | '{' | '}' | '|' | '\\' | '^') {
            out.push(c);
        } else {
            let mut bytes = [0; 4];
            for b in c.encode_utf8(&mut bytes).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Lower-case, hyphen-separated ASCII id from heading text.
fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() { "section".to_owned() } else { slug.to_owned() }
}

enum Capture<'a> {
    None,
    Heading { level: u8, explicit_id: Option<String>, events: Vec<Event<'a>>, text: String },
    Code { lang: Option<String>, code: String },
    SkippedDefinition,
    Note { label: String, events: Vec<Event<'a>> },
}

struct Rewriter<'c, 'a> {
    cx: &'c BodyContext<'c>,
    /// Cited claim ids and their numbers.
    numbers: &'c BTreeMap<String, usize>,
    capture: Capture<'a>,
    /// For each open link: whether its tag was written (dropped links keep their text only).
    links: Vec<bool>,
    heading_ids: HeadingIds,
    cite_counts: BTreeMap<String, usize>,
    /// Ordinary footnote labels in order of first reference, with their letters.
    note_letters: BTreeMap<String, String>,
    notes: BTreeMap<String, String>,
    html_block_open: bool,
    has_code: bool,
    /// Inline text (a claim): footnote marks stay text, since there is nowhere to put notes.
    inline: bool,
}

impl<'c, 'a> Rewriter<'c, 'a> {
    fn new(cx: &'c BodyContext<'c>, numbers: &'c BTreeMap<String, usize>) -> Self {
        Rewriter {
            cx,
            numbers,
            capture: Capture::None,
            links: Vec::new(),
            heading_ids: HeadingIds::default(),
            cite_counts: BTreeMap::new(),
            note_letters: BTreeMap::new(),
            notes: BTreeMap::new(),
            html_block_open: false,
            has_code: false,
            inline: false,
        }
    }

    fn rewrite(&mut self, event: Event<'a>, out: &mut Vec<Event<'a>>) {
        match &mut self.capture {
            Capture::SkippedDefinition => {
                if matches!(event, Event::End(TagEnd::FootnoteDefinition)) {
                    self.capture = Capture::None;
                }
                return;
            }
            Capture::Code { code, .. } => {
                match event {
                    Event::Text(t) => code.push_str(&t),
                    Event::End(TagEnd::CodeBlock) => self.finish_code(out),
                    _ => {}
                }
                return;
            }
            Capture::Heading { .. } if matches!(event, Event::End(TagEnd::Heading(_))) => {
                self.finish_heading(out);
                return;
            }
            Capture::Note { .. } if matches!(event, Event::End(TagEnd::FootnoteDefinition)) => {
                self.finish_note();
                return;
            }
            _ => {}
        }
        let mut local = Vec::new();
        self.transform(event, &mut local);
        match &mut self.capture {
            Capture::Heading { events, text, .. } => {
                for e in &local {
                    if let Event::Text(t) | Event::Code(t) = e {
                        text.push_str(t);
                    }
                }
                events.extend(local);
            }
            Capture::Note { events, .. } => events.extend(local),
            _ => out.extend(local),
        }
    }

    fn transform(&mut self, event: Event<'a>, out: &mut Vec<Event<'a>>) {
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => out.push(Event::Text(raw)),
            Event::Start(Tag::HtmlBlock) => {
                self.html_block_open = true;
                // `pre`: the block's line breaks and indentation are part of it, and whitespace in
                // a `pre` is left alone by the minifier and by readers' browsers alike.
                out.push(Event::Html(CowStr::Borrowed("<pre class=\"raw-html\">")));
            }
            Event::End(TagEnd::HtmlBlock) => {
                self.html_block_open = false;
                out.push(Event::Html(CowStr::Borrowed("</pre>")));
            }
            Event::Start(Tag::Heading { level, id, .. }) => {
                self.capture = Capture::Heading {
                    level: (level as u8).max(2),
                    explicit_id: id.map(|i| slugify(&i)),
                    events: Vec::new(),
                    text: String::new(),
                };
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.split_whitespace().next().map(str::to_owned),
                    CodeBlockKind::Indented => None,
                };
                self.capture = Capture::Code { lang, code: String::new() };
            }
            Event::Start(Tag::Link { link_type, dest_url, title, .. }) => {
                let dest =
                    if link_type == LinkType::Email { format!("mailto:{dest_url}") } else { dest_url.into_string() };
                self.open_link(&dest, &title, out);
            }
            Event::Start(Tag::Image { dest_url, title, .. }) => self.open_link(&dest_url, &title, out),
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if self.links.pop().unwrap_or(false) {
                    out.push(Event::InlineHtml(CowStr::Borrowed("</a>")));
                }
            }
            Event::Start(Tag::Table(alignments)) => {
                // Wide tables scroll inside a focusable, named wrapper instead of widening the
                // page: a group, not a region, as region landmarks need unique names and a
                // body's tables have no caption to give them one.
                out.push(Event::Html(CowStr::Borrowed(
                    "<div class=\"table-wrap\" tabindex=\"0\" role=\"group\" aria-label=\"Table\">",
                )));
                out.push(Event::Start(Tag::Table(alignments)));
            }
            Event::End(TagEnd::Table) => {
                out.push(Event::End(TagEnd::Table));
                out.push(Event::Html(CowStr::Borrowed("</div>")));
            }
            Event::FootnoteReference(label) if self.inline => out.push(Event::Text(format!("[^{label}]").into())),
            Event::FootnoteReference(label) => self.reference(&label, out),
            Event::Start(Tag::FootnoteDefinition(label)) => {
                self.capture = if self.cx.claim_ids.contains(&label.as_ref()) {
                    Capture::SkippedDefinition
                } else {
                    Capture::Note { label: label.into_string(), events: Vec::new() }
                };
            }
            other => out.push(other),
        }
    }

    fn open_link(&mut self, dest: &str, title: &str, out: &mut Vec<Event<'a>>) {
        if !is_allowed_link(dest) {
            self.links.push(false);
            return;
        }
        let dest = dest.trim();
        let href = if let Some(link) = super::links::SourceLink::parse(dest) {
            // `check` refuses a link to a file that does not exist; should one get here, its
            // text stays and the link goes, as for a link that may not be published.
            let Some(path) = super::links::published_path(link.source) else {
                self.links.push(false);
                return;
            };
            match link.fragment {
                Some(fragment) => format!("{}{path}#{fragment}", self.cx.base_path),
                None => format!("{}{path}", self.cx.base_path),
            }
        } else {
            match dest.strip_prefix('/') {
                Some(rest) if !rest.starts_with('/') => format!("{}{rest}", self.cx.base_path),
                _ => dest.to_owned(),
            }
        };
        let href = encode_href(&href);
        let external = href.contains("://") || href.starts_with("//");
        let mut tag = format!("<a href=\"{}\"", escape(&href));
        if !title.is_empty() {
            let _ = write!(tag, " title=\"{}\"", escape(title));
        }
        if external {
            tag.push_str(" rel=\"nofollow noopener\"");
        }
        tag.push('>');
        self.links.push(true);
        out.push(Event::InlineHtml(CowStr::Boxed(tag.into_boxed_str())));
    }

    fn reference(&mut self, label: &str, out: &mut Vec<Event<'a>>) {
        let count = self.cite_counts.entry(label.to_owned()).or_insert(0);
        *count += 1;
        let html = if let Some(number) = self.numbers.get(label) {
            format!(
                "<sup class=\"cite\" id=\"cite-{id}-{count}\"><a href=\"#claim-{id}\">[{number}]</a></sup>",
                id = escape(label)
            )
        } else {
            let next = self.note_letters.len();
            let letter = self.note_letters.entry(label.to_owned()).or_insert_with(|| letter_of(next)).clone();
            format!(
                "<sup class=\"note-ref\" id=\"note-ref-{letter}-{count}\"><a href=\"#note-{letter}\">[{letter}]</a></sup>"
            )
        };
        out.push(Event::InlineHtml(CowStr::Boxed(html.into_boxed_str())));
    }

    fn finish_heading(&mut self, out: &mut Vec<Event<'a>>) {
        let Capture::Heading { level, explicit_id, events, text } = std::mem::replace(&mut self.capture, Capture::None)
        else {
            return;
        };
        let id = self.heading_ids.assign(explicit_id, &text, self.cx.is_reserved_id);
        out.push(Event::Html(CowStr::Boxed(format!("<h{level} id=\"{id}\">").into_boxed_str())));
        out.extend(events);
        let anchor = format!(
            "<a class=\"anchor\" href=\"#{id}\"><span class=\"visually-hidden\">Link to this section</span><span aria-hidden=\"true\">#</span></a></h{level}>\n"
        );
        out.push(Event::Html(CowStr::Boxed(anchor.into_boxed_str())));
    }

    fn finish_code(&mut self, out: &mut Vec<Event<'a>>) {
        let Capture::Code { lang, code } = std::mem::replace(&mut self.capture, Capture::None) else { return };
        self.has_code = true;
        out.push(Event::Html(CowStr::Boxed((self.cx.highlight)(lang.as_deref(), &code).into_boxed_str())));
    }

    fn finish_note(&mut self) {
        let Capture::Note { label, events } = std::mem::replace(&mut self.capture, Capture::None) else { return };
        // A note runs on after its letter: its paragraphs are spans, inline in the markup itself
        // rather than by the theme's CSS, so the space before and between them is plain text that
        // no minifier can take for layout whitespace.
        let events = events.into_iter().map(|event| match event {
            Event::Start(Tag::Paragraph) => Event::Html(CowStr::Borrowed("<span>")),
            Event::End(TagEnd::Paragraph) => Event::Html(CowStr::Borrowed("</span>\n")),
            other => other,
        });
        let mut html = String::new();
        push_html(&mut html, events);
        self.notes.insert(label, html);
    }

    /// The ordinary footnotes, lettered in order of first reference, with back-links.
    fn notes_html(&self) -> Option<String> {
        if self.note_letters.is_empty() {
            return None;
        }
        let mut ordered: Vec<(&String, &String)> = self.note_letters.iter().collect();
        ordered.sort_by_key(|(_, letter)| letter_index(letter));
        let mut html = String::from("<ol class=\"notes\">");
        for (label, letter) in ordered {
            let body = self.notes.get(label).map(String::as_str).unwrap_or_default();
            let refs = self.cite_counts.get(label).copied().unwrap_or(0);
            let _ = write!(
                html,
                "<li id=\"note-{letter}\" value=\"{}\"><span class=\"note-letter\">{letter}.</span> ",
                letter_index(letter) + 1
            );
            for k in 1..=refs {
                let _ = write!(
                    html,
                    "<a class=\"backlink\" href=\"#note-ref-{letter}-{k}\" aria-label=\"Back to reference {k}\">^</a> "
                );
            }
            html.push_str(body.trim());
            html.push_str("</li>");
        }
        html.push_str("</ol>");
        Some(html)
    }
}

/// a, b, ... z, aa, ab, ...
fn letter_of(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(char::from(b'a' + (index % 26) as u8));
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.iter().rev().collect()
}

fn letter_index(letter: &str) -> usize {
    letter.bytes().fold(0, |acc, b| acc * 26 + usize::from(b - b'a') + 1) - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str, claims: &[&str]) -> RenderedBody {
        let highlight = |lang: Option<&str>, code: &str| {
            format!("<pre data-lang=\"{}\">{}</pre>", lang.unwrap_or(""), escape(code))
        };
        let reserved = |id: &str| id == "main";
        render_body(
            text,
            &BodyContext { claim_ids: claims, base_path: "/wiki/", highlight: &highlight, is_reserved_id: &reserved },
        )
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let out = render("<script>alert(1)</script>\n\nHi <img src=x onerror=alert(1)> there", &[]);
        assert!(!out.html.contains("<script"), "{}", out.html);
        assert!(!out.html.contains("<img"), "{}", out.html);
        assert!(out.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{}", out.html);
    }

    #[test]
    fn unsafe_links_lose_their_tag_and_keep_their_text() {
        let out = render(
            "[click](javascript:alert(1)) [x](JAVASCRIPT:a) [d](data:text/html,x) [ok](https://a.test) [in](/tags/x/)",
            &[],
        );
        assert!(!out.html.to_lowercase().contains("javascript"), "{}", out.html);
        assert!(!out.html.contains("data:"), "{}", out.html);
        assert!(out.html.contains("click"));
        assert!(out.html.contains("<a href=\"https://a.test/\" rel=\"nofollow noopener\">ok</a>"), "{}", out.html);
        assert!(out.html.contains("<a href=\"/wiki/tags/x/\">in</a>"), "{}", out.html);
    }

    #[test]
    fn claim_citations_are_numbered_links_and_notes_are_lettered() {
        let out = render(
            "A.[^c-claim] B.[^n] C.[^b-claim] D.[^c-claim] `[^b-claim]`\n\n[^n]: A note.\n",
            &["a-claim", "b-claim", "c-claim"],
        );
        assert!(
            out.html.contains("<sup class=\"cite\" id=\"cite-b-claim-1\"><a href=\"#claim-b-claim\">[2]</a></sup>"),
            "numbered in order of first citation: {}",
            out.html
        );
        assert!(out.html.contains("<a href=\"#claim-c-claim\">[1]</a>"), "{}", out.html);
        assert_eq!(out.claim_numbers, BTreeMap::from([("b-claim".to_owned(), 2), ("c-claim".to_owned(), 1)]));
        assert_eq!(out.claim_counts, BTreeMap::from([("b-claim".to_owned(), 1), ("c-claim".to_owned(), 2)]));
        assert!(out.html.contains("id=\"cite-c-claim-2\""), "{}", out.html);
        assert!(out.html.contains("<a href=\"#note-a\">[a]</a>"), "{}", out.html);
        assert!(!out.html.contains(">claim<"), "stand-in definitions must not render: {}", out.html);
        let notes = out.notes_html.unwrap();
        assert!(
            notes.contains("id=\"note-a\"") && notes.contains("A note.") && notes.contains("#note-ref-a-1"),
            "{notes}"
        );
    }

    #[test]
    fn headings_get_unique_ids_and_anchors() {
        let out = render("# Top\n\n## Plans\n\n## Plans\n\n## Claim a\n", &[]);
        assert!(out.html.contains("<h2 id=\"top\">Top"), "{}", out.html);
        assert!(out.html.contains("<h2 id=\"plans\">") && out.html.contains("<h2 id=\"plans-2\">"), "{}", out.html);
        assert!(out.html.contains("id=\"claim-a-section\""), "{}", out.html);
    }

    #[test]
    fn heading_ids_are_the_ids_the_page_shows() {
        let text = concat!(
            "# Top\n\n## Plans\n\n## Plans\n\n## Claim a\n\n## Main\n\n## Signing[^dkim] `dig` <b>x</b>\n\n",
            "## Custom {#Own Id}\n\nSetext\nheading\n---\n\n## [Linked](https://a.test) ![alt](i.png)\n"
        );
        let out = render(text, &["dkim"]);
        let shown: Vec<&str> = out.html.split("<h2 id=\"").skip(1).filter_map(|h| h.split('"').next()).collect();
        let scanned = heading_ids(text, &["dkim"], &|id| id == "main");
        assert_eq!(scanned, shown);
        assert_eq!(scanned.len(), 9, "{scanned:?}");
    }

    #[test]
    fn source_links_become_the_files_urls() {
        let out = render(
            "[m](@/pages/methodology.md#freshness) [d](@/providers/x.md) [h](@/index.md) [bad](@/site.yaml)",
            &[],
        );
        assert!(out.html.contains("<a href=\"/wiki/methodology/#freshness\">m</a>"), "{}", out.html);
        assert!(out.html.contains("<a href=\"/wiki/providers/x/\">d</a>"), "{}", out.html);
        assert!(out.html.contains("<a href=\"/wiki/\">h</a>"), "{}", out.html);
        assert!(out.html.contains(" bad") && !out.html.contains("site.yaml"), "{}", out.html);
        assert_eq!(render_inline("[m](@/categories/dns.md)", "/"), "<a href=\"/categories/dns/\">m</a>");
    }

    #[test]
    fn headings_avoid_the_themes_ids() {
        let out = render("## Main\n", &[]);
        assert!(out.html.contains("<h2 id=\"main-section\">"), "{}", out.html);
    }

    #[test]
    fn claim_text_keeps_footnote_marks_as_text() {
        let html = render_inline("Signed.[^n]\n\n[^n]: note", "/");
        assert!(!html.contains("<sup"), "{html}");
        assert!(html.contains("[^n]"), "{html}");
    }

    #[test]
    fn hrefs_are_percent_encoded() {
        assert_eq!(encode_href("https://a.test/x\"y<z>"), "https://a.test/x%22y%3Cz%3E");
        assert_eq!(encode_href("/tags/a b/"), "/tags/a%20b/");
        assert_eq!(encode_href("#claim-x"), "#claim-x");
        assert_eq!(encode_href("mailto:a@b.test"), "mailto:a@b.test");
    }

    #[test]
    fn code_goes_to_the_highlighter() {
        let out = render("```bash\necho <hi>\n```\n", &[]);
        assert!(out.has_code);
        assert!(out.html.contains("<pre data-lang=\"bash\">echo &lt;hi&gt;\n</pre>"), "{}", out.html);
    }

    #[test]
    fn tables_scroll_in_a_labelled_group() {
        let out = render("| a |\n| - |\n| 1 |\n", &[]);
        assert!(
            out.html
                .starts_with("<div class=\"table-wrap\" tabindex=\"0\" role=\"group\" aria-label=\"Table\"><table>"),
            "{}",
            out.html
        );
        assert!(out.html.trim_end().ends_with("</table>\n</div>"), "{}", out.html);
    }

    #[test]
    fn inline_text_drops_the_paragraph() {
        assert_eq!(
            render_inline("Signed *by default* <b>x</b>", "/"),
            "Signed <em>by default</em> &lt;b&gt;x&lt;/b&gt;"
        );
    }

    #[test]
    fn letters_continue_past_z() {
        assert_eq!(letter_of(0), "a");
        assert_eq!(letter_of(25), "z");
        assert_eq!(letter_of(26), "aa");
        for i in [0, 25, 26, 27, 700] {
            assert_eq!(letter_index(&letter_of(i)), i);
        }
    }
}
