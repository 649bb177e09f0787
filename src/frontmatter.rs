//! The YAML seam: splits a Markdown file into frontmatter and body, and parses YAML
//! (serde-saphyr) into model types with every value's place in the original file.
//!
//! The YAML is handed to the parser from the file's first byte, opening `---` included (YAML reads
//! it as a document start), so line and column numbers are already those of the file; no offset
//! arithmetic, no off-by-frontmatter bugs. Parse budgets bound alias bombs and deep nesting.

use std::fmt;
use std::path::Path;

use serde::de::{DeserializeOwned, MapAccess, Visitor, value::MapAccessDeserializer};
use serde::{Deserialize, Deserializer};
use serde_saphyr::Error as YamlError;

use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::model::{Body, DATE_EXPECTED, Pos, Source, SourceRef, Spanned};

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(Spanned::new(spanned.value, pos_of(spanned.referenced)))
    }
}

impl<'de> Deserialize<'de> for SourceRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SourceRefVisitor;

        impl<'de> Visitor<'de> for SourceRefVisitor {
            type Value = SourceRef;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("the name of a source under `sources`, or a source with url, title and accessed")
            }

            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<SourceRef, E> {
                Ok(SourceRef::Named(name.to_owned()))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<SourceRef, A::Error> {
                Source::deserialize(MapAccessDeserializer::new(map)).map(SourceRef::Inline)
            }
        }

        d.deserialize_any(SourceRefVisitor)
    }
}

fn pos_of(location: serde_saphyr::Location) -> Pos {
    let clamp = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    Pos::new(clamp(location.line()), clamp(location.column()))
}

/// A Markdown file cut at its frontmatter fences.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    /// From the start of the file up to (not including) the closing fence.
    pub yaml: &'a str,
    pub body: Body,
}

/// Cuts `text` (BOM already removed) into frontmatter and body.
pub fn split<'a>(path: &Path, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let mut lines = text.split_inclusive('\n');
    let is_fence = |line: &str| line.trim_end_matches(['\n', '\r']).trim_end() == "---";
    match lines.next() {
        Some(first) if is_fence(first) => {}
        first => {
            let message =
                if first.is_none() { "the file is empty" } else { "the file does not start with frontmatter" };
            return Err(Diagnostic::new(Code::MissingFrontmatter, path, Pos::new(1, 1), message)
                .help("start the file with a line `---`, the YAML fields, and another line `---`"));
        }
    }
    let mut offset = 0;
    for (line_no, line) in (1_u32..).zip(text.split_inclusive('\n')) {
        if line_no > 1 && is_fence(line) {
            return Ok(Split {
                yaml: &text[..offset],
                body: Body { text: text[offset + line.len()..].to_owned(), first_line: line_no + 1 },
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::new(Code::UnterminatedFrontmatter, path, Pos::new(1, 1), "the frontmatter is never closed")
        .help("end the YAML fields with a line containing only `---`"))
}

/// Parses a whole YAML file (such as `site.yaml`).
pub fn parse_yaml<T: DeserializeOwned>(path: &Path, yaml: &str) -> Result<T, Diagnostic> {
    if yaml.trim_start_matches("---").trim().is_empty() {
        return Err(Diagnostic::new(Code::MissingField, path, Pos::new(1, 1), "the YAML is empty")
            .help("fill in the required fields; `dossier schema` lists them"));
    }
    serde_saphyr::from_str_with_options(yaml, options()).map_err(|e| to_diagnostic(path, &e))
}

/// Splits and parses a Markdown file with YAML frontmatter.
pub fn parse_document<M: DeserializeOwned>(path: &Path, text: &str) -> Result<(M, Body), Diagnostic> {
    let split = split(path, text)?;
    let meta = parse_yaml(path, split.yaml)?;
    Ok((meta, split.body))
}

fn options() -> serde_saphyr::Options {
    // A dossier has no use for aliases; a handful of replays is plenty, and this bounds bombs.
    let mut alias_limits = serde_saphyr::options::AliasLimits::default();
    alias_limits.max_total_replayed_events = 20_000;
    serde_saphyr::options! {
        alias_limits: alias_limits,
        budget: serde_saphyr::budget! {
            max_aliases: 256,
            max_anchors: 256,
            max_depth: 32,
            max_nodes: 200_000,
            max_documents: 1,
        },
        strict_booleans: true,
        with_snippet: false,
    }
}

/// Turns a parser error into a diagnostic with a rule code, the place, and what to do.
fn to_diagnostic(path: &Path, error: &YamlError) -> Diagnostic {
    let error = error.without_snippet();
    let pos = error.location().map(pos_of).unwrap_or(Pos::new(1, 1));
    let (code, message, help) = classify(innermost(error));
    let diagnostic = Diagnostic::new(code, path, pos, message);
    match help {
        Some(help) => diagnostic.help(help),
        None => diagnostic,
    }
}

/// The error under alias and snippet wrappers, which only add context.
fn innermost(mut error: &YamlError) -> &YamlError {
    while let YamlError::AliasError { error: inner, .. } | YamlError::WithSnippet { error: inner, .. } = error {
        error = inner;
    }
    error
}

fn classify(error: &YamlError) -> (Code, String, Option<String>) {
    match error {
        YamlError::SerdeUnknownField { field, expected, .. } => {
            let help = match did_you_mean(field, expected.iter().copied()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("the keys allowed here are: {}", expected.join(", ")),
            };
            (Code::UnknownKey, format!("unknown key `{field}`"), Some(help))
        }
        YamlError::SerdeMissingField { field, .. } => (
            Code::MissingField,
            format!("missing required key `{field}`"),
            Some(format!("add `{field}:` here; `dossier schema` describes every field")),
        ),
        YamlError::SerdeInvalidValue { expected, unexpected, .. } if expected == DATE_EXPECTED => (
            Code::InvalidDate,
            format!("{unexpected} is not a valid date"),
            Some("write a real calendar day as YYYY-MM-DD, e.g. 2026-10-01".into()),
        ),
        YamlError::SerdeInvalidType { expected, unexpected, .. }
        | YamlError::SerdeInvalidValue { expected, unexpected, .. } => (
            Code::WrongType,
            format!("expected {expected}, found {unexpected}"),
            Some("check the value's type against `dossier schema`".into()),
        ),
        YamlError::Unexpected { expected, .. } => (
            Code::WrongType,
            format!("expected {expected} here"),
            Some("check the value's type against `dossier schema`".into()),
        ),
        YamlError::SerdeUnknownVariant { variant, expected, .. } => {
            let help = match did_you_mean(variant, expected.iter().copied()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("use one of: {}", expected.join(", ")),
            };
            (Code::WrongType, format!("`{variant}` is not an allowed value here"), Some(help))
        }
        YamlError::DuplicateMappingKey { key, .. } => (
            Code::DuplicateKey,
            match key {
                Some(key) => format!("the key `{key}` appears twice"),
                None => "a key appears twice".into(),
            },
            Some("keep one of them".into()),
        ),
        YamlError::Budget { .. }
        | YamlError::AliasReplayLimitExceeded { .. }
        | YamlError::AliasExpansionLimitExceeded { .. }
        | YamlError::AliasReplayStackDepthExceeded { .. }
        | YamlError::AliasReplayCounterOverflow { .. } => (
            Code::YamlLimit,
            format!("the YAML is too large or too deeply nested to read safely ({})", strip_location(error)),
            Some("write the values out plainly; anchors, aliases and deep nesting are not needed in a dossier".into()),
        ),
        YamlError::Message { msg, .. } => {
            (Code::WrongType, msg.clone(), Some("check the value against `dossier schema`".into()))
        }
        _ => (
            Code::YamlSyntax,
            format!("invalid YAML: {}", strip_location(error)),
            Some("check indentation, and quote values that contain `: ` or start with a special character".into()),
        ),
    }
}

/// The parser's message without its own " at line X column Y" suffix (the diagnostic has the place).
fn strip_location(error: &YamlError) -> String {
    let text = error.to_string();
    let text = text.lines().next().unwrap_or_default();
    match text.find(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DossierMeta;

    fn path() -> &'static Path {
        Path::new("content/providers/x.md")
    }

    #[test]
    fn split_keeps_file_coordinates() {
        let split = split(path(), "---\nname: a\n---\nbody\n").unwrap();
        assert_eq!(split.yaml, "---\nname: a\n");
        assert_eq!(split.body.text, "body\n");
        assert_eq!(split.body.first_line, 4);
    }

    #[test]
    fn split_accepts_crlf_and_trailing_spaces_on_fences() {
        let split = split(path(), "--- \r\nname: a\r\n---\r\nbody").unwrap();
        assert_eq!(split.yaml, "--- \r\nname: a\r\n");
        assert_eq!(split.body.text, "body");
    }

    #[test]
    fn split_reports_missing_and_unterminated_fences() {
        assert_eq!(split(path(), "").unwrap_err().code, Code::MissingFrontmatter);
        assert_eq!(split(path(), "name: a\n").unwrap_err().code, Code::MissingFrontmatter);
        assert_eq!(split(path(), "---\nname: a\n").unwrap_err().code, Code::UnterminatedFrontmatter);
    }

    const VALID: &str = "---\nname: A\nwebsite: https://a.test\ncategory: dns\nsummary: S.\nclaims:\n  - id: c1\n    text: T.\n    verified: 2026-01-02\n    sources:\n      - url: https://a.test/x\n        title: X\n        accessed: 2026-01-01\n      - named\n---\n";

    #[test]
    fn values_carry_their_line_and_column() {
        let (meta, _): (DossierMeta, Body) = parse_document(path(), VALID).unwrap();
        assert_eq!(meta.name.pos, Pos::new(2, 7));
        let claim = &meta.claims[0];
        assert_eq!(claim.verified.pos, Pos::new(9, 15));
        assert_eq!(claim.sources.len(), 2);
        match &claim.sources[0].value {
            SourceRef::Inline(source) => assert_eq!(source.url.pos, Pos::new(11, 14)),
            other => panic!("expected an inline source, got {other:?}"),
        }
        assert!(matches!(&claim.sources[1].value, SourceRef::Named(n) if n == "named"));
        assert_eq!(claim.sources[1].pos, Pos::new(14, 9));
    }

    fn error_of(text: &str) -> Diagnostic {
        parse_document::<DossierMeta>(path(), text).unwrap_err()
    }

    #[test]
    fn unknown_keys_suggest_the_nearest() {
        let d = error_of(&VALID.replace("    verified:", "    verifed:"));
        assert_eq!((d.code, d.line, d.column), (Code::UnknownKey, 9, 5));
        assert_eq!(d.help.as_deref(), Some("did you mean `verified`?"));
    }

    #[test]
    fn impossible_dates_are_invalid_dates() {
        let d = error_of(&VALID.replace("2026-01-02", "2026-02-30"));
        assert_eq!((d.code, d.line), (Code::InvalidDate, 9));
    }

    #[test]
    fn wrong_types_and_missing_fields_are_named() {
        assert_eq!(error_of(&VALID.replace("name: A", "name: [A]")).code, Code::WrongType);
        assert_eq!(error_of(&VALID.replace("name: A\n", "")).code, Code::MissingField);
        assert_eq!(error_of(&VALID.replace("name: A\n", "name: A\nname: B\n")).code, Code::DuplicateKey);
        let syntax = error_of("---\nname: \"A\n---\n");
        assert_eq!(syntax.code, Code::YamlSyntax, "{syntax:?}");
    }

    #[test]
    fn alias_bombs_fail_fast() {
        let mut bomb = String::from("---\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..12 {
            let (prev, next) = (format!("{}", (b'a' + i) as char), format!("{}", (b'a' + i + 1) as char));
            bomb.push_str(&format!("{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let d = parse_yaml::<serde_json::Value>(path(), &bomb).unwrap_err();
        assert_eq!(d.code, Code::YamlLimit, "{d:?}");
    }
}
