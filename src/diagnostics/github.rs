//! The GitHub Actions printer: workflow-command annotations, and a Markdown table of every
//! finding for the step summary (GitHub shows only the first ten annotations of a step).

use std::io::{self, Write};

use super::{Diagnostic, Severity, Verdict};

/// One `::error file=…,line=…,col=…,title=…::message` line per finding, errors first.
pub fn print_github(out: &mut dyn Write, diagnostics: &[Diagnostic]) -> io::Result<()> {
    let mut ordered: Vec<&Diagnostic> = diagnostics.iter().collect();
    ordered.sort_by_key(|d| d.severity);
    for d in ordered {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut properties = format!("file={}", escape_property(&d.path));
        if d.line > 0 {
            properties.push_str(&format!(",line={},col={}", d.line, d.column));
        }
        properties.push_str(&format!(",title={}", escape_property(&format!("dossier {}", d.code.as_str()))));
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        writeln!(out, "::{command} {properties}::{}", escape_data(&message))?;
    }
    Ok(())
}

/// A Markdown report of every finding, for `$GITHUB_STEP_SUMMARY`, under the verdict line the
/// human report ends with, so the summary says why the step failed (denied warnings, errors
/// outside the change) when the table alone would not.
pub fn step_summary(diagnostics: &[Diagnostic], verdict: &Verdict) -> String {
    let word = if verdict.failed() { "failed" } else { "ok" };
    let mut md = format!("## dossier check\n\ncheck {word}: {}\n\n", verdict.summary());
    if diagnostics.is_empty() {
        return md;
    }
    md.push_str("| | Location | Rule | Message | Help |\n| --- | --- | --- | --- | --- |\n");
    let mut ordered: Vec<&Diagnostic> = diagnostics.iter().collect();
    ordered.sort_by_key(|d| d.severity);
    for d in ordered {
        let place = if d.line == 0 { d.path.clone() } else { format!("{}:{}:{}", d.path, d.line, d.column) };
        md.push_str(&format!(
            "| {} | `{}` | `{}` | {} | {} |\n",
            d.severity.as_str(),
            escape_cell(&place),
            d.code.as_str(),
            escape_cell(&d.message),
            escape_cell(d.help.as_deref().unwrap_or("")),
        ));
    }
    md
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn escape_cell(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|").replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Code;
    use crate::model::Pos;
    use std::path::Path;

    #[test]
    fn annotations_escape_and_put_errors_first() {
        let warning = Diagnostic::new(Code::StaleClaim, Path::new("a,b.md"), Pos::new(1, 2), "old");
        let error =
            Diagnostic::new(Code::UnknownKey, Path::new("c.md"), Pos::new(3, 4), "50% bad\nkey").help("fix: it");
        let mut out = Vec::new();
        print_github(&mut out, &[warning, error]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "::error file=c.md,line=3,col=4,title=dossier unknown-key::50%25 bad%0Akey%0Ahelp: fix: it\n\
             ::warning file=a%2Cb.md,line=1,col=2,title=dossier stale-claim::old\n"
        );
    }

    #[test]
    fn summary_table_escapes_pipes() {
        let d = Diagnostic::new(Code::UnknownKey, Path::new("c.md"), Pos::new(3, 4), "a | b");
        let findings = [d];
        assert!(
            step_summary(&findings, &Verdict::of(&findings))
                .contains("| error | `c.md:3:4` | `unknown-key` | a \\| b |  |")
        );
    }
}
