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

/// Reads quoted files from disk under a root, once each.
pub struct FileSources {
    root: PathBuf,
    files: HashMap<String, Option<String>>,
}

impl FileSources {
    pub fn new(root: impl Into<PathBuf>) -> FileSources {
        FileSources { root: root.into(), files: HashMap::new() }
    }
}

impl Sources for FileSources {
    fn line(&mut self, path: &str, line: u32) -> Option<String> {
        let root = &self.root;
        let text = self
            .files
            .entry(path.to_owned())
            .or_insert_with(|| std::fs::read(root.join(path)).ok().map(|b| String::from_utf8_lossy(&b).into_owned()))
            .as_deref()?;
        let index = usize::try_from(line.checked_sub(1)?).ok()?;
        let found = text.trim_start_matches('\u{feff}').split('\n').nth(index)?;
        Some(found.trim_end_matches('\r').to_owned())
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
    fn whole_file_problems_have_no_snippet() {
        let d = Diagnostic::new(Code::MissingFrontmatter, Path::new("a.md"), Pos::UNKNOWN, "no frontmatter");
        let mut out = Vec::new();
        print_human(&mut out, &[d], &mut OneFile(""), false).unwrap();
        assert!(String::from_utf8(out).unwrap().starts_with("a.md: error[missing-frontmatter]: no frontmatter\n\n"));
    }
}
