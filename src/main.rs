//! The `dossier` binary: parses the command line, runs one command, and maps the outcome to
//! the documented exit codes (0 clean, 1 content errors, 2 the tool failed).

mod cli;

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use dossier::cmd;
use dossier::cmd::check::{CheckOptions, Format};
use dossier::model::Date;

use cli::{Cli, Command, FormatArg};

fn main() -> ExitCode {
    let cli = Cli::parse();
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
        Command::Check { root, format, deny_warnings } => {
            let format = match format {
                FormatArg::Human => Format::Human,
                FormatArg::Json => Format::Json,
                FormatArg::Github => Format::Github,
            };
            cmd::check::run(&CheckOptions { root, format, deny_warnings }, today)
        }
        Command::Build { root, output, base_url, drafts, noindex } => {
            let output = output.unwrap_or_else(|| root.join("public"));
            cmd::build::run(&cmd::build::BuildOptions { root, output, base_url, drafts, noindex }, today)
        }
        Command::New { slug, category, root } => {
            let path = cmd::new::run(&root, &slug, category.as_deref(), today)?;
            println!("wrote {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => cmd::schema::run().map(|()| ExitCode::SUCCESS),
    }
}

/// Today's date on this machine, unless pinned with `--today` / `DOSSIER_TODAY`.
fn today(pinned: Option<&str>) -> anyhow::Result<Date> {
    match pinned {
        Some(text) => Date::parse(text).with_context(|| format!("--today `{text}` is not a date (YYYY-MM-DD)")),
        None => Ok(Date(jiff::ZonedDateTime::now().date())),
    }
}
