//! The human printer: `path:line:col: error[code]: message`, the source line with a caret,
//! the help line, and a closing count, in colour only when asked (a terminal).

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::PathBuf;

use super::{Counts, Diagnostic, Severity};

/// Where the printer finds the text of a line it quotes.
pub trait Sources {
    /// The 1-based `line` of the file at `path` (relative to the wiki root), without its ending.
    fn line(&mut self, path: &str, line: u32) -> Option<String>;
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
    fn new(bytes: &[u8]) -> LineIndex {
        let text = String::from_utf8_lossy(bytes);
        let text = text.trim_start_matches('\u{feff}').to_owned();
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
    fn line(&mut self, path: &str, line: u32) -> Option<String> {
        if !self.files.contains_key(path) {
            let file = std::fs::read(self.root.join(path)).ok().map(|bytes| LineIndex::new(&bytes));
            self.files.insert(path.to_owned(), file);
        }
        self.files.get(path)?.as_ref()?.line(line).map(str::to_owned)
    }
}

struct Palette {
    color: bool,
}

impl Palette {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
    }

    fn severity(&self, severity: Severity) -> String {
        let code = match severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;36",
        };
        self.paint(code, severity.as_str())
    }
}

/// Writes every diagnostic, then the count line.
pub fn print_human(
    out: &mut dyn Write,
    diagnostics: &[Diagnostic],
    sources: &mut dyn Sources,
    color: bool,
) -> io::Result<()> {
    let palette = Palette { color };
    for d in diagnostics {
        print_one(out, d, sources, &palette)?;
    }
    let counts = Counts::of(diagnostics);
    let verdict = if counts.errors > 0 { palette.paint("1;31", "failed") } else { palette.paint("1;32", "ok") };
    writeln!(out, "check {verdict}: {}", counts.summary())
}

fn print_one(out: &mut dyn Write, d: &Diagnostic, sources: &mut dyn Sources, palette: &Palette) -> io::Result<()> {
    let place = if d.line == 0 { d.path.clone() } else { format!("{}:{}:{}", d.path, d.line, d.column) };
    let head = palette.paint("1", &format!("[{}]: {}", d.code.as_str(), d.message));
    writeln!(out, "{}: {}{head}", palette.paint("1", &place), palette.severity(d.severity))?;
    let gutter_width = d.line.to_string().len();
    let bar = palette.paint("1;34", &format!("{:gutter_width$} |", ""));
    if let Some(text) = (d.line > 0).then(|| sources.line(&d.path, d.line)).flatten() {
        writeln!(out, "{bar}")?;
        writeln!(out, "{} {text}", palette.paint("1;34", &format!("{} |", d.line)))?;
        let pad: String = text
            .chars()
            .take(d.column.saturating_sub(1) as usize)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
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
        print_human(&mut out, &[d], &mut OneFile("---\n  nmae: x\n---\n"), false).unwrap();
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
    }

    #[test]
    fn whole_file_problems_have_no_snippet() {
        let d = Diagnostic::new(Code::MissingFrontmatter, Path::new("a.md"), Pos::UNKNOWN, "no frontmatter");
        let mut out = Vec::new();
        print_human(&mut out, &[d], &mut OneFile(""), false).unwrap();
        assert!(String::from_utf8(out).unwrap().starts_with("a.md: error[missing-frontmatter]: no frontmatter\n\n"));
    }
}
