//! `dossier check`: load the wiki, run every rule, print the findings, exit by severity.
//!
//! With `--changed-since REF` it still checks everything (a change can break an untouched
//! file) but shows only findings in the files changed since REF, plus the rules for pull
//! requests (re-verification, and the vendor's reply to a new allegation); with
//! `--external` it also fetches every source (`external`).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;

use crate::changes::{self, Changes};
use crate::diagnostics::{self, Counts, Diagnostic, FileSources, Verdict};
use crate::external::{self, ExternalOptions};
use crate::memo::Memo;
use crate::model::Date;
use crate::{cache, site, validate};

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
    /// Report only findings in files changed since this git ref.
    pub changed_since: Option<String>,
    /// Fetch every source and archive URL, waiting this long for each (`None`: stay offline).
    pub external: Option<Duration>,
    /// The build cache's folder, whose parse and findings caches this reads (and never writes);
    /// `None` parses and checks every file.
    pub cache_dir: Option<PathBuf>,
}

pub fn run(options: &CheckOptions, today: Date) -> anyhow::Result<ExitCode> {
    // Read, never written: `check` leaves the wiki as it found it; `build` keeps the caches.
    let parsed = options.cache_dir.as_deref().map(cache::parse::open);
    let site = site::load_site_with(&options.root, parsed.as_ref().map(|p| p as &dyn Memo))?;
    let changes =
        options.changed_since.as_deref().map(|base| changes::changes_since(&options.root, base)).transpose()?;
    let kept = options.cache_dir.as_deref().map(cache::findings::open);
    let mut findings = validate::validate_with(&site, today, kept.as_ref().map(|k| k as &dyn Memo));
    if let Some(changes) = &changes {
        findings.extend(changes::reverify_findings(&site, changes));
        changes::hold_new_allegations(&mut findings, &site, changes);
    }
    if let Some(timeout) = options.external {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let in_scope = |path: &str| changes.as_ref().is_none_or(|c| c.touches(path));
        findings.extend(external::check_links(&site, &in_scope, &ExternalOptions { timeout, now })?);
    }
    diagnostics::sort(&mut findings);
    let (shown, elsewhere) = split_by_change(findings, changes.as_ref());
    let verdict =
        Verdict { counts: Counts::of(&shown), outside: elsewhere.len(), deny_warnings: options.deny_warnings };
    print(&shown, &verdict, options)?;
    report_elsewhere(&elsewhere, changes.as_ref(), options.format);
    Ok(if verdict.failed() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Findings in the changed files, and the errors outside them (which still fail the check:
/// the build would fail on them). Warnings outside the change are not the change's business.
fn split_by_change(findings: Vec<Diagnostic>, changes: Option<&Changes>) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let Some(changes) = changes else { return (findings, Vec::new()) };
    let (shown, rest): (Vec<_>, Vec<_>) = findings.into_iter().partition(|d| changes.touches(&d.path));
    let errors = rest.into_iter().filter(|d| d.severity == diagnostics::Severity::Error).collect();
    (shown, errors)
}

/// Says why a check of a change fails when none of the shown findings is an error. In CI
/// (`--format github`) it is also an annotation, so the reason shows beside the red cross.
fn report_elsewhere(errors: &[Diagnostic], changes: Option<&Changes>, format: Format) {
    let Some(changes) = changes.filter(|_| !errors.is_empty()) else { return };
    let mut files: Vec<&str> = errors.iter().map(|d| d.path.as_str()).collect();
    files.dedup();
    let count = if errors.len() == 1 { "1 error".to_owned() } else { format!("{} errors", errors.len()) };
    let note = format!(
        "{count} in files not changed since {} also fail the check ({}); run `dossier check` to see them",
        changes.base(),
        files.join(", ")
    );
    eprintln!("note: {note}");
    if format == Format::Github {
        println!("::error title=dossier check::{}", note.replace('%', "%25"));
    }
}

fn print(findings: &[Diagnostic], verdict: &Verdict, options: &CheckOptions) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match options.format {
        Format::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            diagnostics::print_human(&mut out, findings, &mut FileSources::new(&options.root), color, verdict)?;
        }
        Format::Json => diagnostics::print_json(&mut out, findings)?,
        Format::Github => {
            diagnostics::print_github(&mut out, findings)?;
            if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") {
                append(&PathBuf::from(path), &diagnostics::step_summary(findings, verdict))?;
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
