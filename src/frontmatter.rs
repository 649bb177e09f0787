//! The YAML seam: splits a Markdown file into frontmatter and body, and parses YAML
//! (serde-saphyr) into model types with every value's place in the original file.
//!
//! The YAML is handed to the parser from the file's first byte, opening `---` included (YAML reads
//! it as a document start), so line and column numbers are already those of the file; no offset
//! arithmetic, no off-by-frontmatter bugs. Parse budgets bound alias bombs and deep nesting.
//!
//! A file that parses costs one typed parse. One that does not is read again, on the error path
//! only, to name every problem in it: `layout.rs` finds tabs and misaligned lines, `tree.rs`
//! reads the YAML as plain values with places, and `schema.rs` walks them against the types'
//! JSON Schema.

mod layout;
mod schema;
pub mod stored;
mod tree;

use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

use schemars::JsonSchema;
use serde::de::{DeserializeOwned, MapAccess, Visitor, value::MapAccessDeserializer};
use serde::{Deserialize, Deserializer};
use serde_saphyr::Error as YamlError;

use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::model::{Body, DATE_EXPECTED, Pos, Source, SourceRef, Spanned};

/// The newtype name by which `serde_saphyr::Spanned` asks the parser for a value's place.
///
/// The parser then offers a map `{marker, value, referenced, defined}`, places being maps of
/// `{line, column, span, source_id}`. `serde_saphyr::Spanned` reads all of it (allocating its
/// keys, twice per value); this reads the value and the `referenced` line and column and
/// stops, which takes a tenth off parsing a dossier. `values_carry_their_line_and_column`
/// fails if the parser ever changes this.
const SPANNED: &str = "__yaml_spanned";

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The parse cache's compact form (see `Spanned`'s `Serialize`); YAML is human-readable.
        if !d.is_human_readable() {
            let (value, line, col) = <(T, u32, u32)>::deserialize(d)?;
            return Ok(Spanned::new(value, Pos::new(line, col)));
        }
        d.deserialize_newtype_struct(SPANNED, SpannedVisitor(PhantomData))
    }
}

struct SpannedVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for SpannedVisitor<T> {
    type Value = Spanned<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value with its place in the file")
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Spanned<T>, D::Error> {
        d.deserialize_struct("Spanned", &["value", "referenced"], self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Spanned<T>, A::Error> {
        let mut value = None;
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Value => value = Some(map.next_value::<T>()?),
                Field::Referenced => {
                    let pos = map.next_value::<PlaceOf>()?.0;
                    let value = value.ok_or_else(|| serde::de::Error::missing_field("value"))?;
                    return Ok(Spanned::new(value, pos));
                }
                Field::Line | Field::Column | Field::Other => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Err(serde::de::Error::missing_field("referenced"))
    }
}

/// The names in the parser's maps of a value and of a place; the rest is skipped unread.
enum Field {
    Value,
    Referenced,
    Line,
    Column,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct FieldVisitor;

        impl Visitor<'_> for FieldVisitor {
            type Value = Field;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }

            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<Field, E> {
                Ok(match name {
                    "value" => Field::Value,
                    "referenced" => Field::Referenced,
                    "line" => Field::Line,
                    "column" => Field::Column,
                    _ => Field::Other,
                })
            }
        }

        d.deserialize_identifier(FieldVisitor)
    }
}

/// A place as the parser offers it, read as far as its line and column.
struct PlaceOf(Pos);

impl<'de> Deserialize<'de> for PlaceOf {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PlaceVisitor;

        impl<'de> Visitor<'de> for PlaceVisitor {
            type Value = PlaceOf;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a line and column")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PlaceOf, A::Error> {
                let clamp = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
                let (mut line, mut column) = (None, None);
                while line.is_none() || column.is_none() {
                    match map.next_key::<Field>()? {
                        Some(Field::Line) => line = Some(clamp(map.next_value()?)),
                        Some(Field::Column) => column = Some(clamp(map.next_value()?)),
                        Some(_) => return Err(serde::de::Error::custom("a place other than line and column")),
                        None => return Err(serde::de::Error::missing_field("line")),
                    }
                }
                Ok(PlaceOf(Pos::new(line.unwrap_or(0), column.unwrap_or(0))))
            }
        }

        d.deserialize_struct("Location", &["line", "column"], PlaceVisitor)
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
            // An empty file has no line to point at: the problem is the whole file.
            let (message, pos) = match first {
                None => ("the file is empty", Pos::UNKNOWN),
                Some(_) => ("the file does not start with frontmatter", Pos::new(1, 1)),
            };
            return Err(Diagnostic::new(Code::MissingFrontmatter, path, pos, message)
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

/// Parses a whole YAML file (such as `site.yaml`); on failure, every problem found in it.
pub fn parse_yaml<T: DeserializeOwned + JsonSchema>(path: &Path, yaml: &str) -> Result<T, Vec<Diagnostic>> {
    if yaml.trim_start_matches("---").trim().is_empty() {
        let pos = if yaml.is_empty() { Pos::UNKNOWN } else { Pos::new(1, 1) };
        return Err(vec![
            Diagnostic::new(Code::MissingField, path, pos, "the YAML is empty")
                .help("fill in the required fields; `dossier schema` lists them"),
        ]);
    }
    serde_saphyr::from_str_with_options(yaml, options()).map_err(|typed| problems::<T>(path, yaml, &typed))
}

/// Every problem in `yaml`, which failed to parse into `T` with `typed`.
fn problems<T: DeserializeOwned + JsonSchema>(path: &Path, yaml: &str, typed: &YamlError) -> Vec<Diagnostic> {
    // A typed parse stops at the first value of the wrong shape, often before an alias bomb or
    // deep nesting is expanded; read the whole document untyped to name that hazard alone.
    if let Some(limit) = serde_saphyr::from_str_with_options::<serde::de::IgnoredAny>(yaml, options())
        .err()
        .filter(|e| is_limit(innermost(e)))
    {
        return vec![to_diagnostic(path, yaml, &limit)];
    }
    let relaid = layout::relay(yaml);
    let mut found: Vec<Diagnostic> = Vec::new();
    let mut rest = match &relaid {
        // Re-indented as meant, the file may be fine apart from its layout.
        Some(relaid) if serde_saphyr::from_str_with_options::<T>(&relaid.text, options()).is_ok() => Vec::new(),
        Some(relaid) => untyped_problems::<T>(path, &relaid.text),
        None => untyped_problems::<T>(path, yaml),
    };
    if let Some(relaid) = relaid {
        for d in &mut rest {
            // Back to the columns of the line as written.
            if let Some(&(_, written, fixed)) = relaid.moved.iter().find(|m| m.0 == d.line) {
                d.column = if d.column > fixed { d.column - fixed + written } else { written + 1 };
            }
        }
        found.extend(relaid.problems.into_iter().map(|(line, column, message, help)| {
            Diagnostic::new(Code::YamlSyntax, path, Pos::new(line, column), message).help(help)
        }));
    }
    found.extend(rest);
    if found.is_empty() {
        found.push(to_diagnostic(path, yaml, typed));
    }
    found
}

/// The problems of `yaml` read as plain values and checked against `T`'s schema.
fn untyped_problems<T: JsonSchema>(path: &Path, yaml: &str) -> Vec<Diagnostic> {
    match tree::read(yaml) {
        Ok(Some(root)) => schema::check(path, schemars::schema_for!(T).as_value(), &root),
        Ok(None) => Vec::new(),
        Err(error) => {
            let (message, help, pos) = tree::describe_error(yaml, &error);
            vec![Diagnostic::new(Code::YamlSyntax, path, pos, message).help(help)]
        }
    }
}

/// Splits and parses a Markdown file with YAML frontmatter.
pub fn parse_document<M: DeserializeOwned + JsonSchema>(path: &Path, text: &str) -> Result<(M, Body), Vec<Diagnostic>> {
    let split = split(path, text).map_err(|d| vec![d])?;
    let meta = parse_yaml(path, split.yaml)?;
    Ok((meta, split.body))
}

/// Parse budgets: far above any real dossier, far below what hurts.
const MAX_REPLAYED_EVENTS: usize = 20_000;
const MAX_ALIASES: usize = 256;
const MAX_ANCHORS: usize = 256;
const MAX_DEPTH: usize = 32;
const MAX_NODES: usize = 200_000;

fn options() -> serde_saphyr::Options {
    // A dossier has no use for aliases; a handful of replays is plenty, and this bounds bombs.
    let mut alias_limits = serde_saphyr::options::AliasLimits::default();
    alias_limits.max_total_replayed_events = MAX_REPLAYED_EVENTS;
    serde_saphyr::options! {
        alias_limits: alias_limits,
        budget: serde_saphyr::budget! {
            max_aliases: MAX_ALIASES,
            max_anchors: MAX_ANCHORS,
            max_depth: MAX_DEPTH,
            max_nodes: MAX_NODES,
            max_documents: 1,
        },
        strict_booleans: true,
        with_snippet: false,
    }
}

/// Turns a parser error into a diagnostic with a rule code, the place, and what to do.
fn to_diagnostic(path: &Path, yaml: &str, error: &YamlError) -> Diagnostic {
    let error = error.without_snippet();
    let mut pos = error.location().map(pos_of).unwrap_or(Pos::new(1, 1));
    let (code, message, help) = classify(innermost(error));
    if code == Code::InvalidDate {
        // The parser places errors raised after a scalar was read at the scalar's key.
        pos = value_after_key(yaml, pos);
    }
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

/// Whether the parser stopped because a budget against bombs and deep nesting ran out.
fn is_limit(error: &YamlError) -> bool {
    matches!(
        error,
        YamlError::Budget { .. }
            | YamlError::AliasReplayLimitExceeded { .. }
            | YamlError::AliasExpansionLimitExceeded { .. }
            | YamlError::AliasReplayStackDepthExceeded { .. }
            | YamlError::AliasReplayCounterOverflow { .. }
    )
}

/// Which budget ran out, in the format's words.
fn describe_limit(error: &YamlError) -> String {
    use serde_saphyr::budget::BudgetBreach;
    match error {
        YamlError::Budget { breach: BudgetBreach::Depth { .. }, .. } => {
            format!("values are nested more than {MAX_DEPTH} levels deep")
        }
        YamlError::Budget { breach: BudgetBreach::Aliases { .. }, .. } => format!("more than {MAX_ALIASES} aliases"),
        YamlError::Budget { breach: BudgetBreach::Anchors { .. }, .. } => format!("more than {MAX_ANCHORS} anchors"),
        YamlError::Budget { breach: BudgetBreach::Nodes { .. }, .. } => format!("more than {MAX_NODES} values"),
        YamlError::Budget { breach: BudgetBreach::Documents { .. }, .. } => "more than one YAML document".into(),
        YamlError::Budget { breach, .. } => format!("{breach:?}"),
        _ => format!("aliases expand to more than {MAX_REPLAYED_EVENTS} values"),
    }
}

/// The place of the value written after the key at `pos` on the same line (`key: value`),
/// or `pos` itself when there is none there.
fn value_after_key(yaml: &str, pos: Pos) -> Pos {
    let Some(line) = yaml.split('\n').nth(pos.line.saturating_sub(1) as usize) else { return pos };
    let before: usize = line.chars().take(pos.col.saturating_sub(1) as usize).map(char::len_utf8).sum();
    let rest = &line[before..];
    let Some(colon) = rest.find(": ") else { return pos };
    let value = rest[colon + 1..].trim_start();
    if value.trim_end().is_empty() || value.starts_with('#') {
        return pos;
    }
    let skipped = rest.len() - value.len();
    Pos::new(pos.line, pos.col + rest[..skipped].chars().count() as u32)
}

/// `string "2026-02-30"` (serde's wording) as `2026-02-30`.
fn unquote_unexpected(unexpected: &str) -> String {
    match unexpected.strip_prefix("string \"").and_then(|s| s.strip_suffix('"')) {
        Some(text) => format!("`{text}`"),
        None => unexpected.to_owned(),
    }
}

/// What a Rust scalar type is called in the words of the format.
fn describe_scalar(ty: &str) -> &'static str {
    match ty {
        "boolean" | "bool" => "`true` or `false`",
        "u8" => "a whole number from 0 to 255",
        "u16" => "a whole number from 0 to 65535",
        "u32" => "a whole number from 0 to 4294967295",
        t if t.starts_with('u') => "a whole number of 0 or more",
        t if t.starts_with('i') => "a whole number",
        "floating point" | "f32" | "f64" => "a number",
        _ => "a single value",
    }
}

/// The parser's name for a YAML event, as a contributor would say it.
fn describe_event(expected: &str) -> String {
    match expected {
        "sequence start" => "a list (`[a, b]` or lines starting with `- `)".into(),
        "mapping start" => "a mapping (`key: value` lines)".into(),
        "string scalar" | "scalar" => "a single value, not a list or mapping".into(),
        other => other.to_owned(),
    }
}

fn wrong_type(message: String) -> (Code, String, Option<String>) {
    (Code::WrongType, message, Some("check the value's type against `dossier schema`".into()))
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
            format!("{} is not a valid date", unquote_unexpected(unexpected)),
            Some("write a real calendar day as YYYY-MM-DD, e.g. 2026-10-01".into()),
        ),
        YamlError::SerdeInvalidType { expected, unexpected, .. }
        | YamlError::SerdeInvalidValue { expected, unexpected, .. } => (
            Code::WrongType,
            format!("expected {expected}, found {unexpected}"),
            Some("check the value's type against `dossier schema`".into()),
        ),
        YamlError::Unexpected { expected, .. } => wrong_type(format!("expected {} here", describe_event(expected))),
        YamlError::InvalidScalar { ty, .. } => wrong_type(format!("expected {} here", describe_scalar(ty))),
        YamlError::InvalidBooleanStrict { .. } => wrong_type("expected `true` or `false` here".into()),
        YamlError::NonFiniteFloat { value, .. } => wrong_type(format!("`{value}` is not a finite number")),
        YamlError::SerdeInvalidLength { len, expected, .. } => {
            wrong_type(format!("expected {expected}, found {len} items"))
        }
        YamlError::NullIntoString { .. } => (
            Code::WrongType,
            "expected a value here, found none".into(),
            Some("write the value after the colon, or remove the key if it is optional".into()),
        ),
        YamlError::ExternallyTaggedEnumExpectedScalarOrMapping { .. }
        | YamlError::UnexpectedValueForUnitEnumVariant { .. } => {
            wrong_type("expected one word from the allowed values here".into())
        }
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
        error if is_limit(error) => (
            Code::YamlLimit,
            format!("the YAML is too complex to read safely: {}", describe_limit(error)),
            Some("write the values out plainly; anchors, aliases and deep nesting are not needed in a dossier".into()),
        ),
        YamlError::Message { msg, .. }
            if msg.starts_with("data did not match any variant of untagged enum FactValue") =>
        {
            wrong_type("a fact's value must be `true` or `false`, a number, or text".into())
        }
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

    fn errors_of(text: &str) -> Vec<Diagnostic> {
        parse_document::<DossierMeta>(path(), text).unwrap_err()
    }

    fn error_of(text: &str) -> Diagnostic {
        let mut found = errors_of(text);
        assert_eq!(found.len(), 1, "{found:?}");
        found.remove(0)
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
        let d = &parse_yaml::<serde_json::Value>(path(), &bomb).unwrap_err()[0];
        assert_eq!(d.code, Code::YamlLimit, "{d:?}");
        // Inside a typed dossier, the bomb's first nested list is a wrong type; the bomb is
        // still what gets reported.
        let typed = VALID.replace("summary: S.\n", &format!("summary: S.\nformer_names:\n{}", indent_items(&bomb)));
        assert_eq!(error_of(&typed).code, Code::YamlLimit, "{:?}", error_of(&typed));
        // As unknown top-level keys, too.
        let top = VALID.replace("summary: S.\n", &format!("summary: S.\n{}", &bomb["---\n".len()..]));
        assert_eq!(error_of(&top).code, Code::YamlLimit, "{:?}", error_of(&top));
    }

    fn indent_items(mapping: &str) -> String {
        mapping.lines().skip(1).map(|l| format!("  - {}\n", l.split_once(": ").unwrap().1)).collect()
    }

    #[test]
    fn deep_nesting_is_a_limit_not_a_type_error() {
        let deep = VALID
            .replace("summary: S.\n", &format!("summary: S.\nformer_names: {}{}\n", "[".repeat(100), "]".repeat(100)));
        let d = error_of(&deep);
        assert_eq!(d.code, Code::YamlLimit, "{d:?}");
        assert_eq!(d.message, "the YAML is too complex to read safely: values are nested more than 32 levels deep");
    }

    #[test]
    fn scalar_type_errors_are_wrong_types() {
        for (from, to, message) in [
            ("summary: S.\n", "summary: S.\nfounded: twenty\n", "expected a whole number from 0 to 65535 here"),
            ("summary: S.\n", "summary: S.\nfounded: 99999\n", "expected a whole number from 0 to 65535 here"),
            ("summary: S.\n", "summary: S.\ndraft: yes\n", "expected `true` or `false` here"),
            ("name: A", "name:", "expected a value here, found none"),
            ("summary: S.\n", "summary: S.\nstatus: [active]\n", "expected one word from the allowed values here"),
            (
                "summary: S.\n",
                "summary: S.\ntags: imap\n",
                "expected a list (`[a, b]` or lines starting with `- `) here",
            ),
        ] {
            let d = error_of(&VALID.replace(from, to));
            assert_eq!((d.code, d.message.as_str()), (Code::WrongType, message), "{to}");
        }
    }

    #[test]
    fn invalid_dates_point_at_the_value() {
        let d = error_of(&VALID.replace("verified: 2026-01-02", "verified: 2026-02-30"));
        assert_eq!((d.line, d.column), (9, 15));
        assert_eq!(d.message, "`2026-02-30` is not a valid date");
        let flow = VALID.replace("        accessed: 2026-01-01\n", "        accessed: \"2026-13-01\"  # typo\n");
        assert_eq!((error_of(&flow).line, error_of(&flow).column), (13, 19));
    }

    #[test]
    fn value_after_key_finds_the_value_on_the_line() {
        let yaml = "---\n  verified: 2026-02-30\n  when:\n  a: {x: 1, at: bad}\n";
        assert_eq!(value_after_key(yaml, Pos::new(2, 3)), Pos::new(2, 13));
        assert_eq!(value_after_key(yaml, Pos::new(3, 3)), Pos::new(3, 3), "no value on the line");
        assert_eq!(value_after_key(yaml, Pos::new(4, 13)), Pos::new(4, 17));
        assert_eq!(value_after_key(yaml, Pos::new(9, 1)), Pos::new(9, 1), "past the end");
    }

    /// The schema walk, which only runs on files that failed, finds nothing in any document of
    /// the bundled wiki or the fixtures that serde reads: no invented problems beside real ones.
    #[test]
    fn the_schema_walk_passes_every_document_that_parses() {
        use crate::model::{CategoryMeta, PageMeta};
        fn agrees<M: DeserializeOwned + JsonSchema>(path: &Path, text: &str) -> bool {
            let Ok(split) = split(path, text) else { return false };
            if parse_yaml::<M>(path, split.yaml).is_err() {
                return false;
            }
            assert_eq!(untyped_problems::<M>(path, split.yaml), [], "{}", path.display());
            true
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut seen = 0;
        let files = walkdir::WalkDir::new(root.join("content"))
            .into_iter()
            .chain(walkdir::WalkDir::new(root.join("tests/fixtures")));
        for entry in files {
            let path = entry.unwrap().into_path();
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let parent = path.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str());
            let checked = match parent {
                Some("providers") => agrees::<DossierMeta>(&path, &text),
                Some("categories") => agrees::<CategoryMeta>(&path, &text),
                Some("pages") => agrees::<PageMeta>(&path, &text),
                _ => false,
            };
            seen += usize::from(checked);
        }
        assert!(seen > 20, "only {seen} documents checked");
    }

    #[test]
    fn an_empty_file_is_a_whole_file_problem() {
        assert_eq!(split(path(), "").unwrap_err().line, 0);
        assert_eq!(parse_yaml::<serde_json::Value>(path(), "").unwrap_err()[0].line, 0);
        assert_eq!(parse_yaml::<serde_json::Value>(path(), "---\n").unwrap_err()[0].line, 1);
    }
}
