//! The YAML of a file that did not parse into its type, read as a plain tree of values with their
//! places, so that `schema.rs` can name every problem in it rather than the first.
//!
//! Built from the parser's events (the same parser serde-saphyr drives), only on the error path:
//! a file that parses costs nothing here.

use std::borrow::Cow;

use serde_saphyr::granit_parser::{ErrorKind, Event, Marker, Parser, ScalarStyle, ScanError};

use crate::model::Pos;

/// A value and where it starts.
#[derive(Debug)]
pub(super) struct Node<'a> {
    pub pos: Pos,
    pub value: Value<'a>,
}

#[derive(Debug)]
pub(super) enum Value<'a> {
    Scalar(Cow<'a, str>, ScalarStyle),
    List(Vec<Node<'a>>),
    /// Keys in written order, duplicates kept.
    Map(Vec<(Node<'a>, Node<'a>)>),
    /// An alias (`*name`): not expanded, so it matches anything.
    Alias,
}

impl Value<'_> {
    /// Whether this is YAML's null: an empty plain value, `~` or `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Scalar(text, ScalarStyle::Plain) if matches!(text.as_ref(), "" | "~" | "null" | "Null" | "NULL"))
    }
}

pub(super) fn pos_of(marker: &Marker) -> Pos {
    let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Pos::new(clamp(marker.line()), clamp(marker.col()).saturating_add(1))
}

/// The document's root value (`None` for an empty document), or the parser's first error.
pub(super) fn read(yaml: &str) -> Result<Option<Node<'_>>, ScanError> {
    // Open collections: their place, and their items (a map's alternate keys and values).
    let mut open: Vec<(Pos, bool, Vec<Node>)> = Vec::new();
    let mut root = None;
    let mut parser = Parser::new_from_str(yaml);
    while let Some(next) = parser.next_event() {
        let (event, span) = next?;
        let pos = pos_of(&span.start);
        let done = match event {
            Event::Scalar(text, style, ..) => Node { pos, value: Value::Scalar(text, style) },
            Event::Alias(_) | Event::UnresolvedAlias(_) => Node { pos, value: Value::Alias },
            Event::SequenceStart(..) => {
                open.push((pos, false, Vec::new()));
                continue;
            }
            Event::MappingStart(..) => {
                open.push((pos, true, Vec::new()));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some((pos, is_map, items)) = open.pop() else { continue };
                let value = if is_map {
                    let mut pairs = Vec::with_capacity(items.len() / 2);
                    let mut items = items.into_iter();
                    while let (Some(key), Some(value)) = (items.next(), items.next()) {
                        pairs.push((key, value));
                    }
                    Value::Map(pairs)
                } else {
                    Value::List(items)
                };
                Node { pos, value }
            }
            Event::StreamEnd => break,
            _ => continue,
        };
        match open.last_mut() {
            Some((.., items)) => items.push(done),
            None => root = Some(done),
        }
    }
    Ok(root)
}

/// A parser error in a contributor's words: the message, the help, and where to point.
pub(super) fn describe_error(yaml: &str, error: &ScanError) -> (String, String, Pos) {
    let pos = pos_of(error.marker());
    let line = yaml.lines().nth(pos.line.saturating_sub(1) as usize).unwrap_or_default();
    match error.kind() {
        ErrorKind::MappingValueNotAllowed | ErrorKind::InvalidColonPlacement => match unquoted_colon(line) {
            Some((key, value, col)) => (
                "this value contains `: `, which YAML reads as the start of another key; quote this value".into(),
                format!("write it in quotes: `{key}: \"{}\"`", value.replace('\\', "\\\\").replace('"', "\\\"")),
                Pos::new(pos.line, col),
            ),
            None => (
                "a `: ` here starts a key where YAML expects none".into(),
                "quote the value that contains `: `, or put the key on a line of its own".into(),
                pos,
            ),
        },
        ErrorKind::TabInIndentation
        | ErrorKind::TabInBlockIndentation
        | ErrorKind::TabNotAllowed
        | ErrorKind::TabInPlainScalar
        | ErrorKind::TabAtBlockScalarStart => (TAB_MESSAGE.into(), TAB_HELP.into(), pos),
        ErrorKind::UnclosedQuotedScalar | ErrorKind::UnexpectedEof => (
            "this quoted value is never closed".into(),
            "add the closing quote at the end of the value".into(),
            opening_quote(yaml, pos),
        ),
        ErrorKind::UnexpectedCharacter { character } => (
            format!("a value cannot start with `{character}`; quote this value"),
            format!("write it in quotes, e.g. `\"{character}…\"`"),
            pos,
        ),
        ErrorKind::UnclosedFlowCollection { open } => (
            format!("this `{open}` is never closed"),
            format!("close it with `{}`", if *open == '[' { ']' } else { '}' }),
            pos,
        ),
        ErrorKind::ExpectedBlockMappingKey
        | ErrorKind::ExpectedBlockSequenceEntry
        | ErrorKind::InvalidIndentation
        | ErrorKind::UnexpectedEofBlockMapping
        | ErrorKind::UnexpectedEofBlockSequence => (
            "this line does not line up with the lines around it".into(),
            "YAML reads structure from indentation: indent the line like the keys it belongs with".into(),
            pos,
        ),
        kind => (
            format!("invalid YAML: {kind}"),
            "check indentation, and quote values that contain `: ` or start with a special character".into(),
            pos,
        ),
    }
}

pub(super) const TAB_MESSAGE: &str = "tabs are not allowed for indentation in YAML; use spaces";
pub(super) const TAB_HELP: &str = "replace the tab with spaces, lined up with the keys this line belongs with";

/// In a `key: value` line whose value holds another `: `, the key, the value and the value's
/// column.
fn unquoted_colon(line: &str) -> Option<(&str, &str, u32)> {
    let body = line.trim_start();
    let body = body.strip_prefix("- ").unwrap_or(body);
    let (key, rest) = body.split_once(": ")?;
    let value = rest.trim();
    let first = value.chars().next()?;
    if !value.contains(": ") || matches!(first, '"' | '\'' | '[' | '{' | '|' | '>' | '#') {
        return None;
    }
    let start = line.len() - body.len() + key.len() + 2 + (rest.len() - rest.trim_start().len());
    Some((key, value, line[..start].chars().count() as u32 + 1))
}

/// Where the quote opens that the parser found unclosed at `end`: the last quote character
/// that starts a value before it, else `end`.
fn opening_quote(yaml: &str, end: Pos) -> Pos {
    let lines: Vec<&str> = yaml.lines().collect();
    let last = (end.line as usize).min(lines.len());
    for (index, line) in lines[..last].iter().enumerate().rev() {
        let found = [": \"", ": '", "- \"", "- '"].iter().filter_map(|p| line.find(p).map(|i| i + 2)).min();
        if let Some(at) = found {
            return Pos::new(index as u32 + 1, line[..at].chars().count() as u32 + 1);
        }
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_places_and_keys_their_order() {
        let root = read("---\nb: 1\na:\n  - x\n  - {y: 'z'}\n").unwrap().unwrap();
        let Value::Map(pairs) = &root.value else { panic!("{root:?}") };
        let keys: Vec<(String, Pos)> = pairs
            .iter()
            .map(|(k, _)| match &k.value {
                Value::Scalar(t, _) => (t.to_string(), k.pos),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(keys, [("b".to_owned(), Pos::new(2, 1)), ("a".to_owned(), Pos::new(3, 1))]);
        let Value::List(items) = &pairs[1].1.value else { panic!() };
        assert_eq!(items[1].pos, Pos::new(5, 5));
        let Value::Map(inner) = &items[1].value else { panic!() };
        assert!(matches!(&inner[0].1.value, Value::Scalar(t, ScalarStyle::SingleQuoted) if t == "z"));
        assert_eq!(inner[0].1.pos, Pos::new(5, 9));
    }

    #[test]
    fn an_unquoted_colon_asks_for_quotes_at_the_value() {
        let yaml = "---\nname: A\nsummary: Hosting: shared \"IMAP\"\n";
        let error = read(yaml).unwrap_err();
        let (message, help, pos) = describe_error(yaml, &error);
        assert!(message.ends_with("quote this value"), "{message}");
        assert_eq!(help, r#"write it in quotes: `summary: "Hosting: shared \"IMAP\""`"#);
        assert_eq!(pos, Pos::new(3, 10));
    }

    #[test]
    fn an_unclosed_quote_points_at_its_opening() {
        let yaml = "---\nname: \"A\nsummary: S\n";
        let error = read(yaml).unwrap_err();
        let (message, _, pos) = describe_error(yaml, &error);
        assert_eq!((message.as_str(), pos), ("this quoted value is never closed", Pos::new(2, 7)));
    }
}
