//! The data model of a wiki: what a dossier, claim, source, category and page are (schema v1).
//!
//! These types are the contract with contributors. `frontmatter.rs` fills them from YAML, the
//! JSON Schema (`dossier schema`) is derived from them, and every later stage reads them.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Deref;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A 1-based line and column in the original file; `0:0` when the place is unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub const UNKNOWN: Pos = Pos { line: 0, col: 0 };

    pub fn new(line: u32, col: u32) -> Self {
        Pos { line, col }
    }
}

/// A value and the place in the file where it was written.
///
/// Serialises (in human-readable formats) and describes itself (JSON Schema) exactly as the
/// bare value does; its `Deserialize` lives in `frontmatter.rs`, the only module that knows
/// where YAML values sit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub pos: Pos,
}

impl<T> Spanned<T> {
    pub fn new(value: T, pos: Pos) -> Self {
        Spanned { value, pos }
    }
}

impl<T> Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// In a human-readable format (the JSON outputs) a [`Spanned`] is its bare value; in a compact
/// one (the parse cache's CBOR, `frontmatter::stored`) it is `[value, line, column]`, so the
/// places survive a round trip. The format says which, per call: no setting outside it.
impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            self.value.serialize(s)
        } else {
            (&self.value, self.pos.line, self.pos.col).serialize(s)
        }
    }
}

impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// A calendar day (`YYYY-MM-DD`), as contributors write `verified` and `accessed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub jiff::civil::Date);

/// What a date field expects; `frontmatter.rs` recognises invalid dates by this text.
pub const DATE_EXPECTED: &str = "a calendar date written YYYY-MM-DD";

impl Date {
    /// Parses exactly `YYYY-MM-DD` with a real day (no 2026-02-30).
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        let shape_ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return None;
        }
        let year: i16 = text[0..4].parse().ok()?;
        let month: i8 = text[5..7].parse().ok()?;
        let day: i8 = text[8..10].parse().ok()?;
        jiff::civil::Date::new(year, month, day).ok().map(Date)
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        i64::from(later.0.since(self.0).map(|span| span.get_days()).unwrap_or(0))
    }

    pub fn add_days(self, days: i64) -> Date {
        let span = jiff::Span::new().days(days);
        Date(self.0.checked_add(span).unwrap_or(self.0))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text)
            .ok_or_else(|| serde::de::Error::invalid_value(serde::de::Unexpected::Str(&text), &DATE_EXPECTED))
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date" })
    }
}

/// Whether a claim is still within its re-verification window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    Fresh,
    /// Past the window by this many days.
    Stale {
        days_past: i64,
    },
}

impl Freshness {
    /// A claim is stale once `today` is past `verified + stale_after_days`.
    pub fn of(verified: Date, stale_after_days: u32, today: Date) -> Freshness {
        let due = verified.add_days(i64::from(stale_after_days));
        match due.days_until(today) {
            past if past > 0 => Freshness::Stale { days_past: past },
            _ => Freshness::Fresh,
        }
    }

    pub fn is_stale(self) -> bool {
        matches!(self, Freshness::Stale { .. })
    }
}

/// A Markdown file's frontmatter and body, and where it came from.
#[derive(Debug, Clone)]
pub struct Document<M> {
    /// Path relative to the wiki root, with `/` separators (`content/providers/x.md`).
    pub path: PathBuf,
    /// The file stem: the page's URL segment.
    pub slug: String,
    pub meta: M,
    pub body: Body,
    /// Hash of the file's text: equal hashes, equal content.
    pub hash: u64,
}

/// The Markdown after the frontmatter, and the line it starts on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Body {
    pub text: String,
    /// 1-based line in the original file of the body's first line.
    pub first_line: u32,
}

impl Body {
    /// The place in the original file of a byte offset into the body.
    pub fn pos_of(&self, offset: usize) -> Pos {
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let lines = before.matches('\n').count() as u32;
        let col = before[line_start..].chars().count() as u32 + 1;
        Pos::new(self.first_line + lines, col)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub type Dossier = Document<DossierMeta>;
pub type Category = Document<CategoryMeta>;
pub type Page = Document<PageMeta>;

/// A provider dossier's frontmatter.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Dossier frontmatter (schema v1)")]
pub struct DossierMeta {
    /// The provider's name as it trades.
    pub name: Spanned<String>,
    /// The provider's home page (http or https).
    pub website: Spanned<String>,
    /// The slug of a file in `content/categories/`.
    pub category: Spanned<String>,
    /// One or two sentences of plain text.
    pub summary: Spanned<String>,
    /// ISO 3166-1 alpha-2 country code, upper case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<Spanned<String>>,
    /// Lower-case slugs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Spanned<String>>,
    #[serde(default)]
    pub status: ProviderStatus,
    /// The year the provider was founded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub founded: Option<u16>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub former_names: Vec<String>,
    /// The vendor was asked for its side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right_of_reply: Option<RightOfReply>,
    /// Named sources that several claims cite by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, Spanned<Source>>,
    /// Values for the category's comparison columns, keyed by column.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, Spanned<Fact>>,
    /// At least one claim.
    pub claims: Spanned<Vec<Claim>>,
    /// Drafts are checked but only published with `build --drafts`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
    /// Former slugs (file names): their URLs keep redirecting here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderStatus {
    #[default]
    Active,
    Defunct,
    Acquired,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RightOfReply {
    /// The day the vendor was asked.
    pub contacted: Spanned<Date>,
    pub outcome: ReplyOutcome,
    /// Plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReplyOutcome {
    Responded,
    Declined,
    NoResponse,
}

/// One checkable statement about the provider, with its sources.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// A slug, unique in the dossier; the anchor `#claim-<id>` and the footnote label `[^<id>]`.
    pub id: Spanned<String>,
    /// Inline Markdown; raw HTML is shown as text.
    pub text: Spanned<String>,
    #[serde(default)]
    pub kind: ClaimKind,
    #[serde(default)]
    pub status: ClaimStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<Impact>,
    /// The day a person last checked that the sources support the text.
    pub verified: Spanned<Date>,
    /// vendor-statement only: the id of the claim it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responds_to: Option<Spanned<String>>,
    /// At least one: an inline source, or the name of one under `sources`.
    pub sources: Spanned<Vec<Spanned<SourceRef>>>,
    /// Former ids: links to `#claim-<alias>` still lead to this claim.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ClaimKind {
    #[default]
    Fact,
    Policy,
    Incident,
    Allegation,
    VendorStatement,
}

impl ClaimKind {
    pub const ALL: [ClaimKind; 5] =
        [ClaimKind::Fact, ClaimKind::Policy, ClaimKind::Incident, ClaimKind::Allegation, ClaimKind::VendorStatement];

    pub fn as_str(self) -> &'static str {
        match self {
            ClaimKind::Fact => "fact",
            ClaimKind::Policy => "policy",
            ClaimKind::Incident => "incident",
            ClaimKind::Allegation => "allegation",
            ClaimKind::VendorStatement => "vendor-statement",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ClaimStatus {
    Verified,
    #[default]
    Unverified,
    Alleged,
    Disputed,
    Superseded,
    Retracted,
}

impl ClaimStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Verified => "verified",
            ClaimStatus::Unverified => "unverified",
            ClaimStatus::Alleged => "alleged",
            ClaimStatus::Disputed => "disputed",
            ClaimStatus::Superseded => "superseded",
            ClaimStatus::Retracted => "retracted",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Impact {
    Positive,
    Neutral,
    Negative,
}

/// A claim's source: written inline, or the name of a dossier-level source.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum SourceRef {
    Named(String),
    Inline(Source),
}

/// Where a claim can be checked.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// http or https.
    pub url: Spanned<String>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<Spanned<Date>>,
    /// The day the source was read; not in the future.
    pub accessed: Spanned<Date>,
    /// A snapshot of the page (e.g. the Wayback Machine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<Spanned<String>>,
    /// The words in the source that support the claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
}

/// A value in the category's comparison table, backed by one of the dossier's claims.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    pub value: Spanned<FactValue>,
    /// The id of the claim that supports the value.
    pub claim: Spanned<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum FactValue {
    Boolean(bool),
    /// Kept as written, whole or not: `30` stays `30` on pages and in JSON, never `30.0`.
    Number(serde_json::Number),
    Text(String),
}

impl FactValue {
    pub fn type_name(&self) -> FactType {
        match self {
            FactValue::Boolean(_) => FactType::Boolean,
            FactValue::Number(_) => FactType::Number,
            FactValue::Text(_) => FactType::Text,
        }
    }
}

/// A category's frontmatter: its name and comparison columns.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryMeta {
    pub name: Spanned<String>,
    pub description: Spanned<String>,
    /// Overrides the site's `stale_after_days` for this category's claims.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_after_days: Option<u32>,
    /// The comparison table's columns, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<FactColumn>,
    /// Former slugs (file names): their URLs keep redirecting here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FactColumn {
    pub key: Spanned<String>,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: FactType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FactType {
    Boolean,
    Number,
    Text,
}

impl FactType {
    pub fn as_str(self) -> &'static str {
        match self {
            FactType::Boolean => "boolean",
            FactType::Number => "number",
            FactType::Text => "text",
        }
    }
}

/// A page's (and the home intro's) frontmatter.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PageMeta {
    pub title: Spanned<String>,
    pub description: Spanned<String>,
    /// Position in the site navigation; pages without one are not listed there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<i32>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
    /// Former slugs (file names): their URLs keep redirecting here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Spanned<String>>,
}

/// Whether `text` is a slug: lower-case ASCII letters and digits in hyphen-separated runs.
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text
            .split('-')
            .all(|run| !run.is_empty() && run.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// The JSON Schema (draft 2020-12) of dossier frontmatter, generated from these types.
pub fn dossier_json_schema() -> String {
    let schema = schemars::schema_for!(DossierMeta);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn dates_parse_only_real_days_in_iso_form() {
        assert!(Date::parse("2026-02-28").is_some());
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2026-02-30").is_none());
        assert!(Date::parse("2026-13-01").is_none());
        assert!(Date::parse("2026-1-01").is_none());
        assert!(Date::parse("26-01-01").is_none());
        assert!(Date::parse("2026-01-01T00:00").is_none());
        assert!(Date::parse("２０２６-01-01").is_none());
    }

    #[test]
    fn freshness_turns_stale_the_day_after_the_window() {
        let verified = date("2026-01-01");
        assert_eq!(Freshness::of(verified, 10, date("2026-01-11")), Freshness::Fresh);
        assert_eq!(Freshness::of(verified, 10, date("2026-01-12")), Freshness::Stale { days_past: 1 });
        assert_eq!(Freshness::of(verified, 365, date("2027-03-01")), Freshness::Stale { days_past: 59 });
    }

    #[test]
    fn slugs_are_lowercase_hyphenated_runs() {
        assert!(is_slug("examplemail"));
        assert!(is_slug("dkim-2048"));
        assert!(!is_slug(""));
        assert!(!is_slug("-a"));
        assert!(!is_slug("a--b"));
        assert!(!is_slug("Upper"));
        assert!(!is_slug("a_b"));
        assert!(!is_slug("é"));
    }

    #[test]
    fn body_offsets_map_to_file_lines_and_char_columns() {
        let body = Body { text: "first\nsé[^x]\n".into(), first_line: 7 };
        assert_eq!(body.pos_of(0), Pos::new(7, 1));
        let offset = body.text.find("[^x]").unwrap();
        assert_eq!(body.pos_of(offset), Pos::new(8, 3));
    }
}
