//! The Markdown seam (pulldown-cmark): the one place that knows Markdown syntax.
//!
//! Consumes a document body; produces what other stages need from it: here, the footnote
//! labels it cites and defines, with byte offsets, for the citation rules and numbering.

use pulldown_cmark::{Event, Options, Parser, Tag};

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

/// The footnote references of a body, in order, and the labels it defines.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Footnotes {
    pub references: Vec<FootnoteRef>,
    pub definitions: Vec<String>,
}

/// Finds footnote references and definitions. pulldown-cmark emits a reference only when its
/// label is defined, so an undefined `[^label]` is found in the text it is left as.
pub fn scan_footnotes(body: &str) -> Footnotes {
    let mut found = Footnotes::default();
    let mut text_run: Option<std::ops::Range<usize>> = None;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        if let Event::Text(_) = event {
            text_run = Some(text_run.map_or(range.clone(), |run| run.start..range.end.max(run.end)));
            continue;
        }
        if let Some(run) = text_run.take() {
            literal_references(body, run, &mut found.references);
        }
        match event {
            Event::FootnoteReference(label) => {
                found.references.push(FootnoteRef { label: label.into_string(), offset: range.start })
            }
            Event::Start(Tag::FootnoteDefinition(label)) => found.definitions.push(label.into_string()),
            _ => {}
        }
    }
    if let Some(run) = text_run {
        literal_references(body, run, &mut found.references);
    }
    found.references.sort_by_key(|r| r.offset);
    found
}

/// `[^label]` written in plain text (not escaped), as an undefined footnote reference is.
fn literal_references(body: &str, run: std::ops::Range<usize>, out: &mut Vec<FootnoteRef>) {
    let Some(source) = body.get(run.clone()) else { return };
    let mut from = 0;
    while let Some(found) = source[from..].find("[^") {
        let start = from + found;
        let rest = &source[start + 2..];
        let end = rest.find(|c: char| c == ']' || c.is_whitespace() || c == '[').unwrap_or(rest.len());
        let escaped = source[..start].ends_with('\\');
        if rest[end..].starts_with(']') && end > 0 && !escaped {
            out.push(FootnoteRef { label: rest[..end].to_owned(), offset: run.start + start });
        }
        from = start + 2;
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
    fn deep_nesting_does_not_overflow() {
        let body = format!("{}x", "> ".repeat(50_000));
        assert!(scan_footnotes(&body).references.is_empty());
        let list = "- ".repeat(50_000);
        assert!(scan_footnotes(&list).references.is_empty());
    }
}
