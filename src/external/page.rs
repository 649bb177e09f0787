//! Page text for quote matching: HTML reduced to the words a reader sees, and quotes reduced
//! the same way, so markup, entities, typography, case and line breaks never cause a mismatch.

/// Inline elements: their tags join the words around them (`sign<b>ed</b>` reads "signed").
/// Any other tag separates words.
const INLINE: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins", "kbd", "mark", "q",
    "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
];

/// Elements whose content is never shown as text.
const HIDDEN: &[&str] = &["script", "style", "noscript", "template", "svg", "head"];

/// The visible text of an HTML page, normalised with [`normalise_text`].
pub fn page_text(html: &str) -> String {
    normalise_text(&decode_entities(&strip_tags(html)))
}

/// Folds case, typographic quotes and dashes, invisible characters and runs of whitespace.
pub fn normalise_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{2033}' => '"',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' => continue,
            '\u{2026}' => {
                out.push_str("...");
                space = false;
                continue;
            }
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// A quote as it is looked for (and remembered in the cache): entities decoded, normalised.
pub fn quote_key(quote: &str) -> String {
    normalise_text(&decode_entities(quote))
}

/// Whether `quote` appears in the already normalised `page_text`.
#[cfg(test)]
fn contains_quote(page_text: &str, quote: &str) -> bool {
    let key = quote_key(quote);
    // A quote trimmed to nothing cannot be missing.
    key.is_empty() || page_text.contains(&key)
}

/// Removes comments, tags and hidden elements' content.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(close) = rest.find('>') else {
            rest = "";
            break;
        };
        let tag = &rest[1..close];
        rest = &rest[close + 1..];
        let name = tag_name(tag);
        if !tag.starts_with('/') && HIDDEN.contains(&name.as_str()) && !tag.ends_with('/') {
            let end = format!("</{name}");
            rest = find_ignore_case(rest, &end)
                .map_or("", |at| rest[at..].find('>').map_or("", |gt| &rest[at + gt + 1..]));
            out.push(' ');
        } else if !INLINE.contains(&name.as_str()) {
            out.push(' ');
        }
    }
    out.push_str(rest);
    out
}

/// The lower-cased element name of a tag's inside (`/P class=x` → `p`).
fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    let lower = haystack.to_ascii_lowercase();
    lower.find(&needle.to_ascii_lowercase())
}

/// Decodes numeric character references and the named entities pages use for text.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest.find(';').filter(|&e| e <= 12);
        match end.and_then(|e| entity(&rest[1..e])) {
            Some(c) => {
                out.push(c);
                rest = &rest[end.unwrap_or(0) + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "lsquo" => '\u{2018}',
        "rsquo" => '\u{2019}',
        "ldquo" => '\u{201c}',
        "rdquo" => '\u{201d}',
        "ndash" => '\u{2013}',
        "mdash" => '\u{2014}',
        "hellip" => '\u{2026}',
        "shy" => '\u{ad}',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_entities_and_whitespace_do_not_break_a_quote() {
        let html = "<html><head><title>x</title><style>p{}</style></head><body><p>All <em>outbound</em>\n   mail&nbsp;is <a href=x>sign<b>ed</b></a> &amp; logged.</p><script>var a = 'All outbound';</script></body>";
        let text = page_text(html);
        assert_eq!(text, "all outbound mail is signed & logged.");
        assert!(contains_quote(&text, "all outbound mail is SIGNED & logged"));
        assert!(contains_quote(&text, "All outbound\nmail is signed &amp; logged"));
        assert!(!contains_quote(&text, "All outbound mail is encrypted"));
    }

    #[test]
    fn block_tags_separate_words_and_comments_vanish() {
        let text = page_text("<p>one</p><p>two</p><!-- three --><div>four<br>five</div>");
        assert_eq!(text, "one two four five");
    }

    #[test]
    fn typography_is_folded() {
        let text = page_text("We don&rsquo;t sell data \u{2014} ever\u{2026}");
        assert!(contains_quote(&text, "We don't sell data - ever..."));
    }

    #[test]
    fn broken_markup_does_not_panic() {
        for html in ["<", "<p", "&", "&#xZZ;", "&#99999999;", "<script>never closed", "<!-- open", "é<é>é"] {
            let _ = page_text(html);
        }
        assert!(contains_quote("anything", "  "));
    }
}
