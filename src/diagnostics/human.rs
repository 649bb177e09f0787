//! The human printer: `path:line:col: error[code]: message`, the source line with a caret,
//! the help line, and a closing count, in colour only when asked (a terminal).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::path::PathBuf;

use rayon::prelude::*;

use super::{Counts, Diagnostic, Severity};

/// Where the printer finds the text of a line it quotes.
pub trait Sources {
    /// The 1-based `line` of the file at `path` (relative to the wiki root), without its ending.
    fn line(&mut self, path: &str, line: u32) -> Option<String>;

    /// Gets ready to quote from these files (each named once), all at once if it can.
    fn prefetch(&mut self, _paths: &[&str]) {}
}

/// Reads quoted files from disk under a root, once each, and finds lines by an index of where
/// each starts (a file can have hundreds of findings).
pub struct FileSources {
    root: PathBuf,
    files: HashMap<String, Option<LineIndex>>,
}

/// A file's text and the byte offset of each line's start.
struct LineIndex {
    text: String,
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(bytes: Vec<u8>) -> LineIndex {
        let mut text = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        let boms = text.len() - text.trim_start_matches('\u{feff}').len();
        text.drain(..boms);
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        LineIndex { text, starts }
    }

    /// The 1-based `line` without its ending.
    fn line(&self, line: u32) -> Option<&str> {
        let index = usize::try_from(line.checked_sub(1)?).ok()?;
        let start = *self.starts.get(index)?;
        let end = self.starts.get(index + 1).map_or(self.text.len(), |next| next - 1);
        Some(self.text[start..end].trim_end_matches('\r'))
    }
}

impl FileSources {
    pub fn new(root: impl Into<PathBuf>) -> FileSources {
        FileSources { root: root.into(), files: HashMap::new() }
    }
}

impl Sources for FileSources {
    fn prefetch(&mut self, paths: &[&str]) {
        let root = &self.root;
        let read: Vec<(String, Option<LineIndex>)> = paths
            .par_iter()
            .map(|path| ((*path).to_owned(), std::fs::read(root.join(path)).ok().map(LineIndex::new)))
            .collect();
        self.files.extend(read);
    }

    fn line(&mut self, path: &str, line: u32) -> Option<String> {
        if !self.files.contains_key(path) {
            let file = std::fs::read(self.root.join(path)).ok().map(LineIndex::new);
            self.files.insert(path.to_owned(), file);
        }
        self.files.get(path)?.as_ref()?.line(line).map(str::to_owned)
    }
}

struct Palette {
    color: bool,
}

/// Text in an ANSI style when colour is on; written straight to the output, never allocated.
struct Painted<'a, T> {
    style: &'a str,
    text: T,
    color: bool,
}

impl<T: fmt::Display> fmt::Display for Painted<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.color { write!(f, "\x1b[{}m{}\x1b[0m", self.style, self.text) } else { self.text.fmt(f) }
    }
}

impl Palette {
    fn paint<'a, T: fmt::Display>(&self, style: &'a str, text: T) -> Painted<'a, T> {
        Painted { style, text, color: self.color }
    }

    fn severity(&self, severity: Severity) -> Painted<'static, &'static str> {
        let style = match severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;36",
        };
        self.paint(style, severity.as_str())
    }
}

/// What a check concluded: the counts of the findings it shows, the errors outside a
/// `--changed-since` change (which still fail it), and whether warnings fail it. The exit
/// status and the closing line both come from here, so they cannot disagree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Verdict {
    pub counts: Counts,
    /// Errors in files outside the change.
    pub outside: usize,
    pub deny_warnings: bool,
}

impl Verdict {
    /// The verdict on `diagnostics` alone, warnings allowed.
    pub fn of(diagnostics: &[Diagnostic]) -> Verdict {
        Verdict { counts: Counts::of(diagnostics), ..Verdict::default() }
    }

    pub fn failed(&self) -> bool {
        self.counts.errors > 0 || self.outside > 0 || (self.deny_warnings && self.counts.warnings > 0)
    }

    /// What follows "check ok: " or "check failed: ".
    pub fn summary(&self) -> String {
        let counts = self.counts.summary();
        if self.outside > 0 {
            let outside = if self.outside == 1 { "1 error".to_owned() } else { format!("{} errors", self.outside) };
            format!("{counts} in the change, and {outside} outside it")
        } else if self.deny_warnings && self.counts.warnings > 0 && self.counts.errors == 0 {
            format!("{counts} (warnings are denied)")
        } else {
            counts
        }
    }
}

/// Writes every diagnostic, then the verdict line.
pub fn print_human(
    out: &mut dyn Write,
    diagnostics: &[Diagnostic],
    sources: &mut dyn Sources,
    color: bool,
    verdict: &Verdict,
) -> io::Result<()> {
    let palette = Palette { color };
    let mut quoted: Vec<&str> = diagnostics.iter().filter(|d| d.line > 0).map(|d| d.path.as_str()).collect();
    quoted.sort_unstable();
    quoted.dedup();
    sources.prefetch(&quoted);
    for d in diagnostics {
        print_one(out, d, sources, &palette)?;
    }
    let word = if verdict.failed() { palette.paint("1;31", "failed") } else { palette.paint("1;32", "ok") };
    writeln!(out, "check {word}: {}", verdict.summary())
}

/// The place, as `path:line:col`, or the path alone for a whole-file problem.
struct Place<'a>(&'a Diagnostic);

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        if d.line == 0 { f.write_str(&d.path) } else { write!(f, "{}:{}:{}", d.path, d.line, d.column) }
    }
}

/// The margin of a quoted line: `width` spaces and a bar.
struct Gutter(usize);

impl fmt::Display for Gutter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:width$} |", "", width = self.0)
    }
}

/// The widest quoted line, in characters; longer ones are cut around the column.
const QUOTE_WIDTH: usize = 120;
/// How much of a cut line is shown before the column.
const QUOTE_BEFORE: usize = 50;

/// `line`, or the part of it around the 0-based character `column` with `…` where it was cut,
/// and how many characters of that precede the column.
fn excerpt(line: &str, column: usize) -> (Cow<'_, str>, usize) {
    let length = line.chars().count();
    if length <= QUOTE_WIDTH {
        return (Cow::Borrowed(line), column);
    }
    let column = column.min(length);
    let start = column.saturating_sub(QUOTE_BEFORE).min(length - QUOTE_WIDTH);
    let end = start + QUOTE_WIDTH;
    let mut shown = String::with_capacity(QUOTE_WIDTH * 4 + 6);
    if start > 0 {
        shown.push('…');
    }
    shown.extend(line.chars().skip(start).take(QUOTE_WIDTH));
    if end < length {
        shown.push('…');
    }
    (Cow::Owned(shown), column - start + usize::from(start > 0))
}

fn print_one(out: &mut dyn Write, d: &Diagnostic, sources: &mut dyn Sources, palette: &Palette) -> io::Result<()> {
    let head = format_args!("[{}]: {}", d.code.as_str(), d.message);
    writeln!(out, "{}: {}{}", palette.paint("1", Place(d)), palette.severity(d.severity), palette.paint("1", head))?;
    let gutter_width = d.line.checked_ilog10().unwrap_or(0) as usize + 1;
    if let Some(text) = (d.line > 0).then(|| sources.line(&d.path, d.line)).flatten() {
        let bar = palette.paint("1;34", Gutter(gutter_width));
        writeln!(out, "{bar}")?;
        let (shown, before) = excerpt(&text, d.column.saturating_sub(1) as usize);
        writeln!(out, "{} {shown}", palette.paint("1;34", format_args!("{} |", d.line)))?;
        let pad: String = shown.chars().take(before).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
        let caret = palette.paint(if d.severity == Severity::Error { "1;31" } else { "1;33" }, "^");
        writeln!(out, "{bar} {pad}{caret}")?;
    }
    if let Some(help) = &d.help {
        writeln!(out, "{:gutter_width$} = {}: {help}", "", palette.paint("1", "help"))?;
    }
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Code;
    use crate::model::Pos;
    use std::path::Path;

    struct OneFile(&'static str);

    impl Sources for OneFile {
        fn line(&mut self, _: &str, line: u32) -> Option<String> {
            self.0.lines().nth(line as usize - 1).map(str::to_owned)
        }
    }

    #[test]
    fn quotes_the_line_and_points_at_the_column() {
        let d = Diagnostic::new(Code::UnknownKey, Path::new("content/a.md"), Pos::new(2, 3), "unknown key `nmae`")
            .help("did you mean `name`?");
        let mut out = Vec::new();
        let findings = [d];
        print_human(&mut out, &findings, &mut OneFile("---\n  nmae: x\n---\n"), false, &Verdict::of(&findings))
            .unwrap();
        let expected = "content/a.md:2:3: error[unknown-key]: unknown key `nmae`\n  |\n2 |   nmae: x\n  |   ^\n  = help: did you mean `name`?\n\ncheck failed: 1 error, 0 warnings, 0 notes\n";
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    #[test]
    fn file_sources_quote_lines_without_endings() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "\u{feff}one\r\ntwo\n\nfour").unwrap();
        let mut sources = FileSources::new(dir.path());
        let lines: Vec<_> = (0..=5).map(|n| sources.line("a.md", n)).collect();
        let expected = [None, Some("one"), Some("two"), Some(""), Some("four"), None];
        assert_eq!(lines, expected.map(|l| l.map(str::to_owned)));
        assert_eq!(sources.line("missing.md", 1), None);
        let mut prefetched = FileSources::new(dir.path());
        prefetched.prefetch(&["a.md", "missing.md"]);
        std::fs::remove_file(dir.path().join("a.md")).unwrap();
        assert_eq!(prefetched.line("a.md", 4).as_deref(), Some("four"), "read before the file went");
        assert_eq!(prefetched.line("missing.md", 1), None);
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let line = format!("{}X{}", "a".repeat(1_000), "b".repeat(1_000));
        let (shown, before) = excerpt(&line, 1_000);
        assert_eq!(shown.chars().count(), QUOTE_WIDTH + 2, "the width and two ellipses");
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(shown.chars().nth(before), Some('X'), "the caret's column is the X");
        let (start, before) = excerpt(&line, 3);
        assert!(!start.starts_with('…') && start.ends_with('…'));
        assert_eq!(before, 3);
        let (end, before) = excerpt(&line, 2_001);
        assert!(end.starts_with('…') && !end.ends_with('…'));
        assert_eq!(end.chars().count(), before, "the caret is just past the last character");
        assert_eq!(excerpt("short", 2), (Cow::Borrowed("short"), 2));
    }

    #[test]
    fn the_verdict_line_agrees_with_failure() {
        let warning = Diagnostic::new(Code::StaleClaim, Path::new("a.md"), Pos::new(1, 1), "m");
        let mut verdict = Verdict::of(std::slice::from_ref(&warning));
        assert!(!verdict.failed());
        assert_eq!(verdict.summary(), "0 errors, 1 warning, 0 notes");
        verdict.deny_warnings = true;
        assert!(verdict.failed());
        assert_eq!(verdict.summary(), "0 errors, 1 warning, 0 notes (warnings are denied)");
        let outside = Verdict { outside: 1, ..Verdict::of(&[]) };
        assert!(outside.failed());
        assert_eq!(outside.summary(), "0 errors, 0 warnings, 0 notes in the change, and 1 error outside it");
    }

    #[test]
    fn whole_file_problems_have_no_snippet() {
        let d = Diagnostic::new(Code::MissingFrontmatter, Path::new("a.md"), Pos::UNKNOWN, "no frontmatter");
        let mut out = Vec::new();
        let findings = [d];
        print_human(&mut out, &findings, &mut OneFile(""), false, &Verdict::of(&findings)).unwrap();
        assert!(String::from_utf8(out).unwrap().starts_with("a.md: error[missing-frontmatter]: no frontmatter\n\n"));
    }
}
