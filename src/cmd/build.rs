//! `dossier build`: check everything, render the site, write it atomically, summarise.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::cache::{self, Caches};
use crate::diagnostics::{Counts, Diagnostic, FileSources, Severity};
use crate::memo::Memo;
use crate::model::Date;
use crate::output::Sink;
use crate::render::{self, Reuse, Settings, Theme};
use crate::{history, output, search, site, validate};

pub struct BuildOptions {
    pub root: PathBuf,
    pub output: PathBuf,
    pub base_url: Option<String>,
    pub drafts: bool,
    pub noindex: bool,
    /// The persistent build cache's folder; `None` renders everything and keeps nothing.
    pub cache_dir: Option<PathBuf>,
    /// Minify the HTML pages (`--no-minify` turns it off).
    pub minify: bool,
}

pub fn run(options: &BuildOptions, today: Date) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let site = match &options.cache_dir {
        Some(dir) => cache::parse::load_site_keeping(&options.root, dir)?,
        None => site::load_site(&options.root)?,
    };
    let findings = match &options.cache_dir {
        Some(dir) => cache::findings::validate_keeping(&site, today, dir),
        None => validate::validate(&site, today),
    };
    if Counts::of(&findings).errors > 0 {
        return report_errors(&findings, &options.root);
    }
    let theme_name = site.config.as_ref().map_or("default", |c| c.theme.as_str());
    let mut theme = match Theme::load(&options.root, theme_name) {
        Ok(theme) => theme,
        Err(problem) => return report_errors(&[problem], &options.root),
    };
    let caches = options.cache_dir.as_deref().map(Caches::open);
    let history = history::load(&options.root, caches.as_ref().map(|c| &c.history as &dyn Memo));
    history::announce_shallow(&history);
    // The index first, on every core, then the pages: both are CPU-bound and parallel, so running
    // them one after the other costs no wall time, and neither slows the other down.
    let base_path = base_path(&site, options.base_url.as_deref());
    let words = caches.as_ref().map(|c| &c.words as &dyn Memo);
    let (index, index_time) = timed(|| {
        search::index_site(
            &site,
            &search::Scope { base_path: &base_path, today, drafts: options.drafts, edited: &history.edited },
            words,
        )
    });
    // Without a cache, the dossiers' pages and the index go to disk as they are made, so the
    // build never holds them all; with one, the cache decides what to write.
    let writer = match caches {
        Some(caches) => Writer::Cache(Box::new(caches)),
        None => Writer::Staged(output::Staged::new(&options.output)?),
    };
    let reuse = match &writer {
        Writer::Cache(caches) => Reuse::Earlier(&caches.pages),
        Writer::Staged(staged) => Reuse::Sink(staged),
    };
    let settings = settings(options, today, history);
    let mut rendered = match render::render_reusing(&site, &mut theme, &settings, reuse) {
        Ok(rendered) => rendered,
        Err(problems) => return report_errors(&problems, &options.root),
    };
    let index = index?;
    let pages = rendered.pages();
    match writer {
        Writer::Cache(caches) => {
            rendered.output.files.extend(index.into_iter().map(|(path, bytes)| (path, bytes.into())));
            caches.write(rendered, &options.output)?;
        }
        Writer::Staged(staged) => {
            tracing::info_span!("search index files", files = index.len())
                .in_scope(|| index.par_iter().for_each(|(path, bytes)| staged.put(path, bytes)));
            staged.finish(&rendered.output)?;
            cache::write::forget_standby(&options.output)?;
            // Left to the OS, as the wiki below.
            std::mem::forget((rendered, index));
        }
    }
    let claims: usize = site.dossiers.values().map(|d| d.meta.claims.len()).sum();
    let stale = findings.iter().filter(|d| d.code == crate::diagnostics::Code::StaleClaim).count();
    println!(
        "built {pages} pages ({} dossiers, {claims} claims, {stale} stale) into {} in {:.2?} (search index {:.2?})",
        site.dossiers.len(),
        options.output.display(),
        started.elapsed(),
        index_time
    );
    // Only `main` calls this, and the process ends when it returns: the OS takes the memory
    // back at once, where freeing the wiki, its findings, its history and the output one
    // allocation at a time kept one core busy 0.3 s at 10,000 dossiers.
    std::mem::forget((site, findings, settings));
    Ok(ExitCode::SUCCESS)
}

/// Where a build's output goes: through the build cache, or straight into a staging folder.
enum Writer {
    Cache(Box<Caches>),
    Staged(output::Staged),
}

/// The build-wide choices of `options`.
fn settings(options: &BuildOptions, today: Date, history: history::History) -> Settings {
    Settings {
        today,
        base_url: options.base_url.clone(),
        drafts: options.drafts,
        edited: history.edited.clone(),
        history: std::sync::Arc::new(history),
        pending_base: None,
        noindex: options.noindex,
        reload_script: None,
        minify: options.minify,
    }
}

/// Runs `work` and says how long it took.
fn timed<T>(work: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    (work(), started.elapsed())
}

/// The site's root path ("/" or "/wiki/"), spelled as the rendered pages spell it.
fn base_path(site: &site::Site, base_url: Option<&str>) -> String {
    site.config.as_ref().map_or_else(
        || "/".to_owned(),
        |config| render::Links::new(base_url.unwrap_or(&config.base_url), config).base_path,
    )
}

/// Prints the errors as `check` would and fails the build without writing anything.
fn report_errors(findings: &[Diagnostic], root: &std::path::Path) -> anyhow::Result<ExitCode> {
    let errors: Vec<Diagnostic> = findings.iter().filter(|d| d.severity == Severity::Error).cloned().collect();
    let mut stderr = std::io::stderr().lock();
    let verdict = crate::diagnostics::Verdict::of(&errors);
    crate::diagnostics::print_human(&mut stderr, &errors, &mut FileSources::new(root), false, &verdict)?;
    eprintln!("build failed: the output was not touched");
    Ok(ExitCode::from(1))
}
