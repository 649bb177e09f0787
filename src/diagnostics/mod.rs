//! Problems found in content, as values: what every rule produces and every printer consumes.
//!
//! Rules push [`Diagnostic`]s and keep going; commands decide what they mean. The printers
//! (human, GitHub annotations, JSON) live beside this file and only format.

mod github;
mod html;
mod human;
mod json;

use std::borrow::Cow;
use std::path::Path;

use serde::Serialize;

use crate::model::Pos;

pub use github::{print_github, step_summary};
pub use html::{badge_html, overlay_html};
pub use human::{FileSources, Sources, Verdict, print_human};
pub use json::print_json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

macro_rules! codes {
    ($($variant:ident = $text:literal, $severity:ident;)*) => {
        /// A stable identifier for each rule; the text is part of the public interface.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }
        }
    };
}

codes! {
    UnreadableFile = "unreadable-file", Error;
    InvalidUtf8 = "invalid-utf8", Error;
    FileTooLarge = "file-too-large", Error;
    SymlinkOutsideRoot = "symlink-outside-root", Error;
    SymlinkSkipped = "symlink-skipped", Warning;
    UnexpectedFile = "unexpected-file", Warning;
    MissingSiteConfig = "missing-site-config", Error;
    MissingFrontmatter = "missing-frontmatter", Error;
    UnterminatedFrontmatter = "unterminated-frontmatter", Error;
    YamlSyntax = "yaml-syntax", Error;
    YamlLimit = "yaml-limit", Error;
    UnknownKey = "unknown-key", Error;
    DuplicateKey = "duplicate-key", Error;
    WrongType = "wrong-type", Error;
    MissingField = "missing-field", Error;
    InvalidDate = "invalid-date", Error;
    FutureDate = "future-date", Error;
    InvalidUrl = "invalid-url", Error;
    InvalidSlug = "invalid-slug", Error;
    InvalidJurisdiction = "invalid-jurisdiction", Error;
    DuplicateSlug = "duplicate-slug", Error;
    ReservedSlug = "reserved-slug", Error;
    UnknownCategory = "unknown-category", Error;
    NoClaims = "no-claims", Error;
    DuplicateClaimId = "duplicate-claim-id", Error;
    UnsourcedClaim = "unsourced-claim", Error;
    UnknownSource = "unknown-source", Error;
    UnknownCitation = "unknown-citation", Error;
    UnknownFact = "unknown-fact", Error;
    FactTypeMismatch = "fact-type-mismatch", Error;
    FactUnknownClaim = "fact-unknown-claim", Error;
    UnknownResponseTarget = "unknown-response-target", Error;
    MisplacedRespondsTo = "misplaced-responds-to", Error;
    DuplicateFactColumn = "duplicate-fact-column", Error;
    BrokenLink = "broken-link", Error;
    BrokenAnchor = "broken-anchor", Error;
    AliasCollision = "alias-collision", Error;
    AllegationStatus = "allegation-status", Error;
    UnknownForge = "unknown-forge", Error;
    StaleClaim = "stale-claim", Warning;
    MissingArchive = "missing-archive", Warning;
    UnansweredAllegation = "unanswered-allegation", Warning;
    VendorOnlySource = "vendor-only-source", Warning;
    Placeholder = "placeholder", Warning;
    CitationWithoutCaret = "citation-without-caret", Warning;
    UncitedClaim = "uncited-claim", Info;
    ReverifyClaim = "reverify-claim", Warning;
    DeadLink = "dead-link", Warning;
    QuoteMissing = "quote-missing", Warning;
    TemplateError = "template-error", Error;
}

/// One problem at one place in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    #[serde(serialize_with = "serialize_code")]
    pub code: Code,
    /// Relative to the wiki root, `/`-separated.
    pub path: String,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    pub message: String,
    /// Most rules' help is fixed text: borrowed, so 100,000 findings do not copy it.
    pub help: Option<Cow<'static, str>>,
}

fn serialize_code<S: serde::Serializer>(code: &Code, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(code.as_str())
}

impl Diagnostic {
    /// A diagnostic with the code's own severity.
    pub fn new(code: Code, path: &Path, pos: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: code.severity(),
            code,
            path: display_path(path),
            line: pos.line,
            column: pos.col,
            message: message.into(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<Cow<'static, str>>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Ordering for every printer: by file, then place, then code.
    fn sort_key(&self) -> (&str, u32, u32, Code, &str) {
        (&self.path, self.line, self.column, self.code, &self.message)
    }
}

/// `path` as diagnostics show it: `/`-separated on every platform.
pub fn display_path(path: &Path) -> String {
    match path.to_str() {
        // Every rule's path is already relative and clean: no need to take it apart.
        Some(text) if is_plain_relative(text) => text.to_owned(),
        _ => path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"),
    }
}

/// Whether joining `text`'s components with `/` gives `text` back: relative, `/`-separated,
/// with no empty or `.` component and nothing Windows reads as a prefix.
fn is_plain_relative(text: &str) -> bool {
    !text.contains(['\\', ':']) && text.split('/').all(|part| !part.is_empty() && part != ".")
}

/// Puts diagnostics in the one order every printer uses, and drops exact repeats.
pub fn sort(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup();
}

/// How many of each severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Counts {
    pub fn of<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>) -> Counts {
        let mut counts = Counts::default();
        for d in diagnostics {
            match d.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Info => counts.infos += 1,
            }
        }
        counts
    }

    /// "2 errors, 1 warning, 0 notes".
    pub fn summary(self) -> String {
        format!(
            "{}, {}, {}",
            plural(self.errors, "error", "errors"),
            plural(self.warnings, "warning", "warnings"),
            plural(self.infos, "note", "notes")
        )
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The closest candidate to `word`, if any is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    nearest_scored(word, candidates).filter(|(score, _)| *score >= 0.8).map(|(_, c)| c)
}

/// The candidate most like `word`, however unlike: for naming what does exist.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    nearest_scored(word, candidates).map(|(_, c)| c)
}

fn nearest_scored<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<(f64, &'a str)> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            assert!(crate::model::is_slug(code.as_str()), "{}", code.as_str());
            assert!(seen.insert(code.as_str()), "duplicate {}", code.as_str());
        }
    }

    #[test]
    fn did_you_mean_finds_typos_only() {
        let keys = ["verified", "sources", "status"];
        assert_eq!(did_you_mean("verifed", keys), Some("verified"));
        assert_eq!(did_you_mean("source", keys), Some("sources"));
        assert_eq!(did_you_mean("colour", keys), None);
    }

    #[test]
    fn display_paths_are_slash_separated_components() {
        for path in ["content/providers/a.md", "a", "", "./a/b", "a//b", "a/./b", "/abs/a", "a/", "a/..", "c:x/y"] {
            let joined: Vec<_> = Path::new(path).components().map(|c| c.as_os_str().to_string_lossy()).collect();
            assert_eq!(display_path(Path::new(path)), joined.join("/"), "{path}");
        }
    }

    #[test]
    fn counts_summarise_with_plurals() {
        let d = Diagnostic::new(Code::StaleClaim, Path::new("a.md"), Pos::new(1, 1), "m");
        assert_eq!(Counts::of(&[d]).summary(), "0 errors, 1 warning, 0 notes");
    }
}
