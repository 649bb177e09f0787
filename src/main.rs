//! The `dossier` binary: parses the command line, runs one command, and maps the outcome to
//! the documented exit codes (0 clean, 1 content errors, 2 the tool failed).

mod cli;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use dossier::cmd;
use dossier::cmd::check::{CheckOptions, Format};
use dossier::model::Date;

use cli::{Cli, Command, DiffFormatArg, FormatArg};

// Rendering allocates many small strings on every core; glibc's allocator spent a third of a
// build in malloc and free, mimalloc a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("dossier: error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let today = today(cli.today.as_deref())?;
    match cli.command {
        Command::Check { root, format, deny_warnings, changed_since, external, timeout, cache_dir, no_cache } => {
            let format = match format {
                FormatArg::Human => Format::Human,
                FormatArg::Json => Format::Json,
                FormatArg::Github => Format::Github,
            };
            let external = external.then(|| std::time::Duration::from_secs(timeout.max(1)));
            let cache_dir = cache_dir_of(&root, cache_dir, no_cache);
            cmd::check::run(&CheckOptions { root, format, deny_warnings, changed_since, external, cache_dir }, today)
        }
        Command::Build { root, output, base_url, drafts, noindex, cache_dir, no_cache, no_minify } => {
            let output = output.unwrap_or_else(|| root.join("public"));
            let cache_dir = cache_dir_of(&root, cache_dir, no_cache);
            let minify = !no_minify;
            let options = cmd::build::BuildOptions { root, output, base_url, drafts, noindex, cache_dir, minify };
            cmd::build::run(&options, today)
        }
        Command::Serve { root, bind, port, open, poll, cache_dir, no_cache } => {
            let cache_dir = cache_dir_of(&root, cache_dir, no_cache);
            cmd::serve::run(&dossier::serve::ServeOptions { root, bind, port, open, poll, cache_dir }, today)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::New { slug, category, root } => {
            let path = cmd::new::run(&root, &slug, category.as_deref(), today)?;
            println!("wrote {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff { base, root, format } => {
            let format = match format {
                DiffFormatArg::Human => cmd::diff::Format::Human,
                DiffFormatArg::Markdown => cmd::diff::Format::Markdown,
                DiffFormatArg::Json => cmd::diff::Format::Json,
            };
            cmd::diff::run(&cmd::diff::DiffOptions { root, base, format })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => cmd::schema::run().map(|()| ExitCode::SUCCESS),
    }
}

/// The build cache's folder for `--cache-dir` and `--no-cache`.
fn cache_dir_of(root: &Path, chosen: Option<PathBuf>, no_cache: bool) -> Option<PathBuf> {
    (!no_cache).then(|| chosen.unwrap_or_else(|| root.join(dossier::cache::DEFAULT_DIR)))
}

/// Operator logs (stage timings) on stderr, filtered by `DOSSIER_LOG` (e.g. `DOSSIER_LOG=info`);
/// silent by default, since diagnostics, not logs, are what authors read.
fn init_logging() {
    use tracing_subscriber::fmt::format::FmtSpan;
    let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("DOSSIER_LOG") else { return };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(std::io::stderr)
        .init();
}

/// Today's date in UTC, unless pinned with `--today` / `DOSSIER_TODAY`. Every command takes
/// `today` from here, so a check on a laptop in any time zone agrees with CI, and `new` never
/// writes a date that CI calls the future.
fn today(pinned: Option<&str>) -> anyhow::Result<Date> {
    match pinned {
        Some(text) => Date::parse(text).with_context(|| format!("--today `{text}` is not a date (YYYY-MM-DD)")),
        None => Ok(Date(jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date())),
    }
}
