//! Shrinks rendered HTML pages in one pass over their bytes: whitespace between two tags goes
//! where one of them is a block or document element (it never renders there), other whitespace
//! runs collapse to one character, and `<pre>`, `<textarea>`, `<script>` and `<style>` are
//! copied untouched. Tags, attributes and text are otherwise left as written, so the result is
//! exactly as valid as the input. This replaced minify-html, which took twice as long per page
//! as rendering it.
//!
//! It knows elements by name, not the theme's CSS: markup whose whitespace must show is a `pre`
//! (raw HTML shown as text) or inline by nature (a note's paragraphs are spans). The browser
//! test `tests/testsuite/minify.rs` holds every page to the text and DOM of its unminified form.

/// How an element's content is copied.
#[derive(Clone, Copy, PartialEq)]
enum Keep {
    /// Whitespace is shortened.
    Shortened,
    /// Byte for byte up to the matching end tag; `pre` may nest.
    Pre,
    /// Raw text (`script`, `style`) or escapable raw text (`textarea`): nothing inside is a tag,
    /// so the content runs to the first end tag of this name.
    RawText(&'static [u8]),
}

/// Whether whitespace around the element never renders (block boxes and document metadata),
/// and how its content is kept. Matches what minify-html treated as layout. `name` is lower case.
fn classify(name: &[u8]) -> (bool, Keep) {
    match name {
        b"pre" => (true, Keep::Pre),
        b"script" => (true, Keep::RawText(b"script")),
        b"style" => (true, Keep::RawText(b"style")),
        b"textarea" => (false, Keep::RawText(b"textarea")),
        b"!doctype" | b"address" | b"article" | b"aside" | b"base" | b"blockquote" | b"body" | b"caption" | b"col"
        | b"colgroup" | b"dd" | b"details" | b"dialog" | b"div" | b"dl" | b"dt" | b"fieldset" | b"figcaption"
        | b"figure" | b"footer" | b"form" | b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" | b"head" | b"header"
        | b"hgroup" | b"hr" | b"html" | b"legend" | b"li" | b"link" | b"main" | b"menu" | b"meta" | b"nav"
        | b"noscript" | b"ol" | b"optgroup" | b"option" | b"p" | b"search" | b"section" | b"select" | b"summary"
        | b"table" | b"tbody" | b"td" | b"template" | b"tfoot" | b"th" | b"thead" | b"title" | b"tr" | b"ul" => {
            (true, Keep::Shortened)
        }
        _ => (false, Keep::Shortened),
    }
}

/// The longest name [`classify`] knows ("figcaption", "blockquote").
const LONGEST_NAME: usize = 10;

/// A minified copy of an HTML document.
pub fn minify_page(html: &str) -> Vec<u8> {
    let bytes = html.as_bytes();
    let mut out = Edits { bytes, out: Vec::with_capacity(bytes.len()), copied: 0 };
    // Open `pre` elements: whitespace inside any of them is kept.
    let mut pre = 0usize;
    // Whether the last thing copied was a layout tag, or a tag at all (None: text or start).
    let mut after_tag: Option<bool> = Some(true);
    let mut i = 0;
    while i < bytes.len() {
        let text_end = memchr::memchr(b'<', &bytes[i..]).map_or(bytes.len(), |p| i + p);
        let tag = (text_end < bytes.len()).then(|| tag_at(bytes, text_end));
        if pre == 0 {
            let text = &bytes[i..text_end];
            if text.iter().all(u8::is_ascii_whitespace) {
                let next_is_layout = tag.as_ref().is_none_or(|t| t.layout);
                let droppable = after_tag.is_some_and(|prev| prev || next_is_layout);
                out.shorten(i, text_end, !droppable);
            } else {
                collapse(i, text_end, &mut out);
            }
        }
        let Some(tag) = tag else { break };
        after_tag = Some(tag.layout);
        i = tag.end;
        match tag.keep {
            Keep::Pre if tag.closing => pre = pre.saturating_sub(1),
            Keep::Pre => pre += 1,
            Keep::RawText(name) if !tag.closing => i = raw_text_end(bytes, i, name),
            Keep::RawText(_) | Keep::Shortened => {}
        }
    }
    out.finish()
}

/// The output as the input with some whitespace runs shortened: unchanged bytes are copied in
/// long stretches, only when an edit needs them placed.
struct Edits<'a> {
    bytes: &'a [u8],
    out: Vec<u8>,
    /// Input before this index is in `out` already.
    copied: usize,
}

impl Edits<'_> {
    /// Replaces the whitespace run `start..end` with one character (a newline if it held one),
    /// or with nothing unless `keep`.
    fn shorten(&mut self, start: usize, end: usize, keep: bool) {
        let run = &self.bytes[start..end];
        let one = if run.contains(&b'\n') { b'\n' } else { b' ' };
        if keep && run == [one] || run.is_empty() {
            return;
        }
        self.out.extend_from_slice(&self.bytes[self.copied..start]);
        if keep {
            self.out.push(one);
        }
        self.copied = end;
    }

    fn finish(mut self) -> Vec<u8> {
        self.out.extend_from_slice(&self.bytes[self.copied..]);
        self.out
    }
}

/// Shortens each whitespace run of the text `start..end` to one character.
fn collapse(start: usize, end: usize, out: &mut Edits) {
    let text = &out.bytes[start..end];
    let mut i = 0;
    while let Some(found) = text[i..].iter().position(u8::is_ascii_whitespace) {
        let run_start = i + found;
        let len = text[run_start..].iter().take_while(|b| b.is_ascii_whitespace()).count();
        // A lone space or newline is already as short as it gets.
        if len > 1 || !matches!(text[run_start], b' ' | b'\n') {
            out.shorten(start + run_start, start + run_start + len, true);
        }
        i = run_start + len;
    }
}

struct Tag {
    /// Index just past the tag's `>`.
    end: usize,
    layout: bool,
    keep: Keep,
    closing: bool,
}

/// Where the raw text starting at `from` ends: at the first `</name` (any case) followed by
/// whitespace, `/` or `>`, or at the end of the input.
fn raw_text_end(bytes: &[u8], from: usize, name: &[u8]) -> usize {
    let mut at = from;
    while let Some(found) = memchr::memmem::find(&bytes[at..], b"</") {
        let start = at + found;
        let after = start + 2 + name.len();
        let named = bytes.get(start + 2..after).is_some_and(|n| n.eq_ignore_ascii_case(name));
        if named && bytes.get(after).is_none_or(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'>')) {
            return start;
        }
        at = start + 2;
    }
    bytes.len()
}

/// The tag, comment or doctype starting at `start` (a `<`).
fn tag_at(bytes: &[u8], start: usize) -> Tag {
    if bytes[start..].starts_with(b"<!--") {
        let end = memchr::memmem::find(&bytes[start + 4..], b"-->").map_or(bytes.len(), |p| start + 4 + p + 3);
        return Tag { end, layout: false, keep: Keep::Shortened, closing: false };
    }
    let closing = bytes.get(start + 1) == Some(&b'/');
    let name_start = start + 1 + usize::from(closing);
    let name_len = bytes[name_start..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'!').count();
    let mut name = [0u8; LONGEST_NAME];
    let (layout, keep) = match bytes.get(name_start..name_start + name_len) {
        Some(written) if name_len <= LONGEST_NAME => {
            for (to, from) in name.iter_mut().zip(written) {
                *to = from.to_ascii_lowercase();
            }
            classify(&name[..name_len])
        }
        _ => (false, Keep::Shortened),
    };
    Tag { end: tag_end(bytes, name_start + name_len), layout, keep, closing }
}

/// Index just past the first `>` at or after `from` that is outside a quoted attribute value
/// (the input's length when there is none).
fn tag_end(bytes: &[u8], mut from: usize) -> usize {
    while let Some(found) = memchr::memchr3(b'>', b'"', b'\'', &bytes[from..]) {
        let at = from + found;
        let quote = bytes[at];
        if quote == b'>' {
            return at + 1;
        }
        match memchr::memchr(quote, &bytes[at + 1..]) {
            Some(close) => from = at + 1 + close + 1,
            None => break,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn min(html: &str) -> String {
        String::from_utf8(minify_page(html)).unwrap()
    }

    #[test]
    fn collapses_whitespace_but_keeps_text_and_tags() {
        let out =
            min("<!doctype html><html lang=en><head><title>T</title></head><body>\n  <p>a   b</p>\n</body></html>\n");
        assert_eq!(out, "<!doctype html><html lang=en><head><title>T</title></head><body><p>a b</p></body></html>");
    }

    #[test]
    fn whitespace_between_inline_elements_stays() {
        assert_eq!(
            min("<p><em>a</em>\n<strong>b</strong> <a href=x>c</a></p>\n<p>d</p>"),
            "<p><em>a</em>\n<strong>b</strong> <a href=x>c</a></p><p>d</p>"
        );
        assert_eq!(min("<li>x</li>\n<li>y</li>"), "<li>x</li><li>y</li>");
        assert_eq!(min("<p>text \n <em>e</em></p>"), "<p>text\n<em>e</em></p>");
    }

    #[test]
    fn preformatted_text_and_attributes_are_untouched() {
        let pre = "<pre class=\"code\"><code><span>a</span>\n  <span>b</span>\n\n</code></pre>\n<p>x</p>";
        assert_eq!(min(pre), "<pre class=\"code\"><code><span>a</span>\n  <span>b</span>\n\n</code></pre><p>x</p>");
        let attr = "<p title=\"a  >\n  b\">\n<a href='x > y'>z</a></p>";
        assert_eq!(min(attr), "<p title=\"a  >\n  b\"><a href='x > y'>z</a></p>");
    }

    #[test]
    fn each_protected_element_ends_only_at_its_own_end_tag() {
        let script = "<script>\n  a = \"</pre>\";\n\n  b = \"<!--\";\n</SCRIPT >\n<p>x  y</p>";
        assert_eq!(min(script), "<script>\n  a = \"</pre>\";\n\n  b = \"<!--\";\n</SCRIPT ><p>x y</p>");
        let style = "<style>\n  p  { }  /* </styles> */\n</style>\n<p>a  b</p>";
        assert_eq!(min(style), "<style>\n  p  { }  /* </styles> */\n</style><p>a b</p>");
        let area = "<textarea>\n  <pre>\n\n</textarea>  <p>a  b</p>";
        assert_eq!(min(area), "<textarea>\n  <pre>\n\n</textarea><p>a b</p>");
        let nested = "<pre>a  <pre>b  </pre>  c</pre>\n<p>d  e</p>";
        assert_eq!(min(nested), "<pre>a  <pre>b  </pre>  c</pre><p>d e</p>");
        assert_eq!(min("<script>  never closed  "), "<script>  never closed  ");
    }

    #[test]
    fn lone_tabs_and_runs_in_text_shorten_but_lone_spaces_and_newlines_stay() {
        assert_eq!(min("<p>a\tb  c\r\nd e\nf</p>"), "<p>a b c\nd e\nf</p>");
        assert_eq!(min("<P>a</P>\n<DIV>b</DIV>"), "<P>a</P><DIV>b</DIV>");
    }

    #[test]
    fn comments_and_unclosed_tags_do_not_lose_bytes() {
        assert_eq!(min("<div><!-- a <p> -->\n</div>"), "<div><!-- a <p> --></div>");
        assert_eq!(min("<p>a</p><img src=\"x"), "<p>a</p><img src=\"x");
    }
}
