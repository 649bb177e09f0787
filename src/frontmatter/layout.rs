//! Tabs and stray indentation in YAML that did not parse into its type, found line by line.
//!
//! The parser reads a misaligned line as some other structure and then complains about that
//! (a "missing key" at the start of the block, a tab "while scanning a plain scalar" a line
//! early). This looks at each line's indentation against the blocks open above it, names the
//! line that is out of step, and re-indents it, so the rest of the file can be checked as meant.

/// What was found, and the YAML with each such line re-indented to where it belongs.
#[derive(Debug)]
pub(super) struct Relaid {
    /// Line, column, message and help of each misaligned line.
    pub problems: Vec<(u32, u32, String, String)>,
    pub text: String,
    /// Each re-indented line: its number, its written indentation and its new one, in characters.
    pub moved: Vec<(u32, u32, u32)>,
}

/// A block collection open at a column: a mapping's keys or a list's dashes.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Level {
    indent: usize,
    list: bool,
}

/// Checks every line of `yaml`; `None` when each sits where YAML reads it as written.
pub(super) fn relay(yaml: &str) -> Option<Relaid> {
    let mut levels: Vec<Level> = Vec::new();
    // The column of a key (or dash) whose value starts on the next line.
    let mut opener: Option<usize> = None;
    // Inside a `|` or `>` block: its lines are indented more than this.
    let mut block_scalar: Option<usize> = None;
    let mut flow_depth = 0_i32;
    let mut open_quote: Option<char> = None;
    let mut relaid = Relaid { problems: Vec::new(), text: String::with_capacity(yaml.len()), moved: Vec::new() };

    for (line_no, line) in (1_u32..).zip(yaml.split_inclusive('\n')) {
        let body = line.trim_end_matches(['\n', '\r']);
        let ending = &line[body.len()..];
        let keep = |relaid: &mut Relaid| relaid.text.push_str(line);
        if let Some(quote) = open_quote {
            if closes_quote(body, quote) {
                open_quote = None;
            }
            keep(&mut relaid);
            continue;
        }
        if flow_depth > 0 {
            flow_depth += depth_change(body);
            keep(&mut relaid);
            continue;
        }
        let rest = body.trim_start_matches([' ', '\t']);
        let ws = &body[..body.len() - rest.len()];
        let spaces = ws.bytes().take_while(|&b| b == b' ').count();
        if line_no == 1 || rest.is_empty() || rest.starts_with('#') || rest.trim_end() == "---" {
            keep(&mut relaid);
            continue;
        }
        if let Some(parent) = block_scalar {
            if spaces > parent {
                keep(&mut relaid);
                continue;
            }
            block_scalar = None;
        }
        let entry = rest == "-" || rest.starts_with("- ");
        let after_dash = if entry { rest[1..].trim_start_matches(' ') } else { rest };
        let value = key_value(after_dash);
        if !entry && value.is_none() {
            // A value on a line of its own, or a long value's next line: no structure to check,
            // and a tab after the indentation is part of the value.
            opener = None;
            keep(&mut relaid);
            continue;
        }
        let has_tab = ws.contains('\t');

        let (target, complaint) = match (opener.take(), has_tab) {
            (Some(parent), false) if spaces > parent || (spaces == parent && entry) => (spaces, None),
            (Some(parent), true) => (parent + 2, Some(Complaint::Tab)),
            (_, true) => {
                let sibling = levels.iter().rev().find(|l| l.list == entry).map_or(0, |l| l.indent);
                (sibling, Some(Complaint::Tab))
            }
            (_, false) => {
                let top = levels.last().map_or(0, |l| l.indent);
                // A key lines up with a mapping's keys; a dash with a list's, or with the key above it.
                let lines_up = |l: &Level| l.indent == spaces && (!l.list || entry);
                if levels.iter().any(lines_up) || (levels.is_empty() && spaces == 0) {
                    (spaces, None)
                } else {
                    (nearest(&levels, entry, spaces).unwrap_or(top), Some(Complaint::Indent(spaces)))
                }
            }
        };

        while levels.last().is_some_and(|l| l.indent > target) {
            levels.pop();
        }
        if levels.last().is_some_and(|l| l.indent == target && l.list && !entry) {
            levels.pop();
        }
        if levels.last() != Some(&Level { indent: target, list: entry }) {
            levels.push(Level { indent: target, list: entry });
        }
        // Where this line's own key sits: after the dash of a list item.
        let key_column = if entry { target + (rest.len() - after_dash.len()) } else { target };
        if entry && value.is_some() {
            levels.push(Level { indent: key_column, list: false });
        }
        let value = value.unwrap_or(after_dash);
        if value.is_empty() || value.starts_with('#') {
            opener = Some(if entry && after_dash.is_empty() { target } else { key_column });
        } else if value.starts_with(['|', '>']) {
            block_scalar = Some(key_column.min(target));
        } else if let Some(quote) = value.chars().next().filter(|c| matches!(c, '"' | '\'')) {
            if !closes_quote(&value[1..], quote) {
                open_quote = Some(quote);
            }
        } else if value.starts_with(['[', '{']) {
            flow_depth = depth_change(value).max(0);
        }

        match complaint {
            None => keep(&mut relaid),
            Some(complaint) => {
                let written = ws.chars().count() as u32;
                let (column, message, help) = match complaint {
                    Complaint::Tab => (
                        ws.find('\t').map_or(0, |i| ws[..i].chars().count()) as u32 + 1,
                        super::tree::TAB_MESSAGE.to_owned(),
                        match target {
                            0 => "remove it: this key starts at the beginning of the line".to_owned(),
                            _ => format!(
                                "indent it with {} instead, like the {} it belongs with",
                                spaces_word(target),
                                kin(entry)
                            ),
                        },
                    ),
                    Complaint::Indent(n) => (
                        written + 1,
                        format!("this line is indented {}, its siblings {target}", spaces_word(n)),
                        format!("indent it {} like the {} it belongs with", spaces_word(target), kin(entry)),
                    ),
                };
                relaid.problems.push((line_no, column, message, help));
                relaid.moved.push((line_no, written, target as u32));
                relaid.text.push_str(&" ".repeat(target));
                relaid.text.push_str(rest);
                relaid.text.push_str(ending);
            }
        }
    }
    (!relaid.problems.is_empty()).then_some(relaid)
}

enum Complaint {
    Tab,
    /// Indented this many spaces.
    Indent(usize),
}

fn spaces_word(n: usize) -> String {
    if n == 1 { "1 space".into() } else { format!("{n} spaces") }
}

fn kin(entry: bool) -> &'static str {
    if entry { "items" } else { "keys" }
}

/// The open level of the line's kind (list items or keys) closest to `spaces`, the deeper one on
/// a tie: a line out of step usually belongs to the block it sits in.
fn nearest(levels: &[Level], entry: bool, spaces: usize) -> Option<usize> {
    let same_kind = levels.iter().filter(|l| l.list == entry);
    let candidates: Vec<usize> = match same_kind.clone().count() {
        0 => levels.iter().map(|l| l.indent).collect(),
        _ => same_kind.map(|l| l.indent).collect(),
    };
    candidates.into_iter().rev().min_by_key(|&indent| indent.abs_diff(spaces))
}

/// The value after `key:` when `text` starts with a plain key, else `None`.
fn key_value(text: &str) -> Option<&str> {
    if text.starts_with(['"', '\'', '[', '{', '|', '>', '#', '&', '*', '!', '%', '@', '`']) {
        return None;
    }
    let bytes = text.as_bytes();
    let colon = (0..bytes.len()).find(|&i| bytes[i] == b':' && bytes.get(i + 1).is_none_or(|&b| b == b' '))?;
    if colon == 0 || text[..colon].contains(" #") {
        return None;
    }
    Some(text[colon + 1..].trim())
}

/// How many more brackets a flow value opens than it closes, outside quotes.
fn depth_change(text: &str) -> i32 {
    let mut depth = 0;
    let mut quote = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, '#') => break,
            _ => {}
        }
    }
    depth
}

/// Whether `text` holds the quote that closes a quoted value (not escaped with `\`).
fn closes_quote(text: &str, quote: char) -> bool {
    let mut escaped = false;
    for c in text.chars() {
        match c {
            '\\' if quote == '"' && !escaped => escaped = true,
            c if c == quote && !escaped => return true,
            _ => escaped = false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLAIMS: &str = "---\nname: A\nsummary:\n  On its own line,\n  \tand a tab inside.\nclaims:\n  - id: a\n    text: T\n    kind: fact\n    sources:\n      - url: https://a.test\n        title: |\n          Two\n            lines\n  - id: b\n    text: >\n      folded\n    tags: [a,\n      b]\n    note: \"a\n      b\"\n    long: plain\n      continued\ndraft: true\n";

    #[test]
    fn well_laid_out_yaml_has_nothing_to_fix() {
        assert!(relay(CLAIMS).is_none(), "{:?}", relay(CLAIMS));
        assert!(relay("---\nclaims:\n- id: a\n  text: T\n- id: b\ndraft: true\n").is_none());
    }

    fn one(yaml: &str) -> (u32, u32, String, String) {
        let relaid = relay(yaml).expect("a problem");
        assert_eq!(relaid.problems.len(), 1, "{relaid:?}");
        relaid.problems[0].clone()
    }

    #[test]
    fn a_key_out_of_step_with_its_siblings_is_named_and_moved() {
        let under = CLAIMS.replace("    kind: fact", "   kind: fact");
        let (line, col, message, help) = one(&under);
        assert_eq!((line, col), (9, 4));
        assert_eq!(message, "this line is indented 3 spaces, its siblings 4");
        assert_eq!(help, "indent it 4 spaces like the keys it belongs with");
        assert_eq!(relay(&under).unwrap().text, CLAIMS);

        let over = CLAIMS.replace("    text: T", "     text: T");
        assert_eq!(one(&over).2, "this line is indented 5 spaces, its siblings 4");
        assert_eq!(relay(&over).unwrap().text, CLAIMS);

        let top = CLAIMS.replace("draft: true", " draft: true");
        assert_eq!(one(&top).2, "this line is indented 1 space, its siblings 0");
    }

    #[test]
    fn a_tab_in_the_indentation_is_named_at_the_tab() {
        let tab = CLAIMS.replace("    kind: fact", "\tkind: fact");
        let (line, col, message, _) = one(&tab);
        assert_eq!((line, col, message.as_str()), (9, 1, super::super::tree::TAB_MESSAGE));
        assert_eq!(relay(&tab).unwrap().text, CLAIMS);
        let first = CLAIMS.replace("name: A", "\tname: A");
        assert_eq!(one(&first).0, 2);
        assert_eq!(relay(&first).unwrap().text, CLAIMS);
    }
}
