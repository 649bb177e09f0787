//! What the validate stage keeps in a [`Memo`](crate::memo::Memo): one dossier's findings but
//! those on dates (a count, then per finding its code, severity, line, column, path, message
//! and help) and one file's links (a count, then per link its line, column and URL). Numbers
//! are little-endian `u32`, text its length and UTF-8 bytes. Bytes that do not decode whole are nothing (a miss:
//! the rules run again).

use std::borrow::Cow;

use super::links::Found;
use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::model::Pos;

/// Bumped whenever this form, or which findings it holds, changes.
pub const FORMAT: u32 = 3;

/// `found` in the kept form; `None` if a number or text is too long for it (it then is not kept).
pub fn encode(found: &[Diagnostic]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(4 + found.iter().map(|d| 24 + d.path.len() + d.message.len()).sum::<usize>());
    put_len(&mut out, found.len())?;
    for d in found {
        out.push(u8::try_from(Code::ALL.iter().position(|c| *c == d.code)?).ok()?);
        out.push(match d.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        });
        out.extend_from_slice(&d.line.to_le_bytes());
        out.extend_from_slice(&d.column.to_le_bytes());
        put_text(&mut out, &d.path)?;
        put_text(&mut out, &d.message)?;
        match &d.help {
            Some(help) => {
                out.push(1);
                put_text(&mut out, help)?;
            }
            None => out.push(0),
        }
    }
    Some(out)
}

/// The findings kept as `bytes`, if they hold findings and nothing else.
pub fn decode(bytes: &[u8]) -> Option<Vec<Diagnostic>> {
    let mut reader = Reader(bytes);
    let count = reader.number()?;
    // Each finding takes at least 23 bytes: a count beyond that is damage, not a reason to
    // reserve memory.
    let mut found = Vec::with_capacity(usize::try_from(count).ok()?.min(bytes.len() / 23));
    for _ in 0..count {
        let code = *Code::ALL.get(usize::from(reader.byte()?))?;
        let severity = match reader.byte()? {
            0 => Severity::Error,
            1 => Severity::Warning,
            2 => Severity::Info,
            _ => return None,
        };
        let (line, column) = (reader.number()?, reader.number()?);
        let (path, message) = (reader.text()?, reader.text()?);
        let help = match reader.byte()? {
            0 => None,
            1 => Some(Cow::Owned(reader.text()?)),
            _ => return None,
        };
        found.push(Diagnostic { severity, code, path, line, column, message, help });
    }
    reader.0.is_empty().then_some(found)
}

/// A file's links in the kept form; `None` if a URL or their number is too long for it.
pub(super) fn encode_links(found: &[Found]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(4 + found.iter().map(|f| 12 + f.url.len()).sum::<usize>());
    put_len(&mut out, found.len())?;
    for link in found {
        out.extend_from_slice(&link.pos.line.to_le_bytes());
        out.extend_from_slice(&link.pos.col.to_le_bytes());
        put_text(&mut out, &link.url)?;
    }
    Some(out)
}

/// The links kept as `bytes`, if they hold links and nothing else.
pub(super) fn decode_links(bytes: &[u8]) -> Option<Vec<Found>> {
    let mut reader = Reader(bytes);
    let count = reader.number()?;
    // Each link takes at least 12 bytes.
    let mut found = Vec::with_capacity(usize::try_from(count).ok()?.min(bytes.len() / 12));
    for _ in 0..count {
        let pos = Pos::new(reader.number()?, reader.number()?);
        found.push(Found { pos, url: reader.text()? });
    }
    reader.0.is_empty().then_some(found)
}

fn put_len(out: &mut Vec<u8>, len: usize) -> Option<()> {
    out.extend_from_slice(&u32::try_from(len).ok()?.to_le_bytes());
    Some(())
}

fn put_text(out: &mut Vec<u8>, text: &str) -> Option<()> {
    put_len(out, text.len())?;
    out.extend_from_slice(text.as_bytes());
    Some(())
}

/// The bytes not yet read.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, len: usize) -> Option<&[u8]> {
        let (taken, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        Some(taken)
    }

    fn byte(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn number(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn text(&mut self) -> Option<String> {
        let len = usize::try_from(self.number()?).ok()?;
        String::from_utf8(self.take(len)?.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings() -> Vec<Diagnostic> {
        let path = std::path::Path::new("content/providers/ä b.md");
        vec![
            Diagnostic::new(Code::StaleClaim, path, Pos::new(9, 15), "stale, with ünïcode").help("re-verify it"),
            Diagnostic::new(Code::UncitedClaim, path, Pos::new(1, 1), "uncited").help(format!("owned {}", 1)),
            Diagnostic::new(Code::TemplateError, path, Pos::UNKNOWN, ""),
            Diagnostic {
                severity: Severity::Info,
                ..Diagnostic::new(Code::UnknownKey, path, Pos::new(u32::MAX, 0), "x")
            },
        ]
    }

    #[test]
    fn findings_come_back_equal_in_every_field() {
        let found = findings();
        let bytes = encode(&found).unwrap();
        assert_eq!(decode(&bytes), Some(found));
        assert_eq!(decode(&encode(&[]).unwrap()), Some(vec![]));
    }

    #[test]
    fn links_come_back_equal_and_damaged_bytes_are_none() {
        let found = vec![
            Found { url: "@/providers/a.md#c".to_owned(), pos: Pos::new(12, 3) },
            Found { url: String::new(), pos: Pos::UNKNOWN },
        ];
        let bytes = encode_links(&found).unwrap();
        assert_eq!(decode_links(&bytes), Some(found));
        for len in 0..bytes.len() {
            assert_eq!(decode_links(&bytes[..len]), None, "cut to {len}");
        }
        assert_eq!(decode_links(&[&bytes[..], b"x"].concat()), None, "a byte too many");
    }

    #[test]
    fn bytes_cut_short_lengthened_or_of_another_shape_are_no_findings() {
        let bytes = encode(&findings()).unwrap();
        for len in 0..bytes.len() {
            assert_eq!(decode(&bytes[..len]), None, "cut to {len}");
        }
        assert_eq!(decode(&[&bytes[..], b"\0"].concat()), None, "a byte too many");
        let mut code = bytes.clone();
        code[4] = u8::MAX;
        assert_eq!(decode(&code), None, "no such code");
        let mut severity = bytes.clone();
        severity[5] = 3;
        assert_eq!(decode(&severity), None, "no such severity");
        assert_eq!(decode(&u32::MAX.to_le_bytes()), None, "a count with nothing behind it");
    }
}
