//! `dossier build`: check everything, render the site, write it atomically, summarise.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use crate::diagnostics::{Counts, Diagnostic, FileSources, Severity};
use crate::model::Date;
use crate::render::{self, Settings, Theme};
use crate::{history, output, site, validate};

pub struct BuildOptions {
    pub root: PathBuf,
    pub output: PathBuf,
    pub base_url: Option<String>,
    pub drafts: bool,
    pub noindex: bool,
}

pub fn run(options: &BuildOptions, today: Date) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let site = site::load_site(&options.root)?;
    let findings = validate::validate(&site, today);
    if Counts::of(&findings).errors > 0 {
        return report_errors(&findings, &options.root);
    }
    let theme_name = site.config.as_ref().map_or("default", |c| c.theme.as_str());
    let mut theme = match Theme::load(&options.root, theme_name) {
        Ok(theme) => theme,
        Err(problem) => return report_errors(&[problem], &options.root),
    };
    let settings = Settings {
        today,
        base_url: options.base_url.clone(),
        drafts: options.drafts,
        edited: history::edit_dates(&options.root),
        noindex: options.noindex,
        reload_script: None,
    };
    let built = match render::render_site(&site, &mut theme, &settings) {
        Ok(built) => built,
        Err(problems) => return report_errors(&problems, &options.root),
    };
    output::write_atomically(&built, &options.output)?;
    let pages = built.files.keys().filter(|p| p.ends_with(".html")).count();
    let claims: usize = site.dossiers.values().map(|d| d.meta.claims.len()).sum();
    let stale = findings.iter().filter(|d| d.code == crate::diagnostics::Code::StaleClaim).count();
    println!(
        "built {pages} pages ({} dossiers, {claims} claims, {stale} stale) into {} in {:.2?}",
        site.dossiers.len(),
        options.output.display(),
        started.elapsed()
    );
    Ok(ExitCode::SUCCESS)
}

/// Prints the errors as `check` would and fails the build without writing anything.
fn report_errors(findings: &[Diagnostic], root: &std::path::Path) -> anyhow::Result<ExitCode> {
    let errors: Vec<Diagnostic> = findings.iter().filter(|d| d.severity == Severity::Error).cloned().collect();
    let mut stderr = std::io::stderr().lock();
    crate::diagnostics::print_human(&mut stderr, &errors, &mut FileSources::new(root), false)?;
    eprintln!("build failed: nothing was written");
    Ok(ExitCode::from(1))
}
