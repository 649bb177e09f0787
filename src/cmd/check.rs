//! `dossier check`: load the wiki, run every rule, print the findings, exit by severity.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::diagnostics::{self, Diagnostic, FileSources};
use crate::model::Date;
use crate::{site, validate};

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Human,
    Json,
    Github,
}

pub struct CheckOptions {
    pub root: PathBuf,
    pub format: Format,
    pub deny_warnings: bool,
}

pub fn run(options: &CheckOptions, today: Date) -> anyhow::Result<ExitCode> {
    let site = site::load_site(&options.root)?;
    let findings = validate::validate(&site, today);
    print(&findings, options)?;
    Ok(super::findings_status(&findings, options.deny_warnings))
}

fn print(findings: &[Diagnostic], options: &CheckOptions) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match options.format {
        Format::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            diagnostics::print_human(&mut out, findings, &mut FileSources::new(&options.root), color)?;
        }
        Format::Json => diagnostics::print_json(&mut out, findings)?,
        Format::Github => {
            diagnostics::print_github(&mut out, findings)?;
            if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") {
                append(&PathBuf::from(path), &diagnostics::step_summary(findings))?;
            }
        }
    }
    out.flush().context("cannot write the report")
}

fn append(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open the step summary {}", path.display()))?;
    file.write_all(text.as_bytes()).with_context(|| format!("cannot write the step summary {}", path.display()))
}
