//! The command line: clap definitions only; `main` maps them onto `cmd`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "dossier", version, about = "Check, build and preview a sourced wiki of vendor dossiers")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Pretend today is this date (YYYY-MM-DD), for reproducible freshness checks.
    #[arg(long, global = true, env = "DOSSIER_TODAY", hide = true)]
    pub today: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the wiki and publish it as a static site.
    Build {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where the site is written, replaced whole and atomically [default: ROOT/public].
        #[arg(long)]
        output: Option<PathBuf>,
        /// Publish under this URL instead of `base_url` from site.yaml (deploy previews).
        #[arg(long)]
        base_url: Option<String>,
        /// Publish drafts too.
        #[arg(long)]
        drafts: bool,
        /// Ask search engines not to index the site (deploy previews).
        #[arg(long)]
        noindex: bool,
    },
    /// Review the wiki: schema, sources, dates and citations.
    Check {
        /// The wiki's root directory (the one holding content/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, value_enum, default_value_t = FormatArg::Human)]
        format: FormatArg,
        /// Exit 1 on warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Write a dossier skeleton that passes `check`.
    New {
        /// The provider's slug: lower-case letters, digits and hyphens.
        slug: String,
        /// The category's slug (default: the first category).
        #[arg(long)]
        category: Option<String>,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Print the JSON Schema of dossier frontmatter.
    Schema,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Human,
    Json,
    Github,
}
