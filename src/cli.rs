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
        /// Where pages are cached between builds, so a rebuild renders and writes only what
        /// changed [default: ROOT/.dossier-cache/build].
        #[arg(long, value_name = "DIR")]
        cache_dir: Option<PathBuf>,
        /// Render everything, without reading or writing the build cache.
        #[arg(long, conflicts_with = "cache_dir")]
        no_cache: bool,
        /// Write the HTML pages as the theme renders them, without minifying (to compare
        /// against the minified pages or read them).
        #[arg(long)]
        no_minify: bool,
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
        /// Show only findings in files changed since this git ref (what a pull request
        /// touched, e.g. origin/main), and warn about claims edited without re-verification.
        #[arg(long, value_name = "REF")]
        changed_since: Option<String>,
        /// Also fetch every source and archive URL: dead links and vanished quotes (network;
        /// answers are cached for a day in .dossier-cache/).
        #[arg(long)]
        external: bool,
        /// With --external: seconds to wait for one page.
        #[arg(long, value_name = "SECONDS", default_value_t = 20, requires = "external")]
        timeout: u64,
        /// The build cache's folder, whose parsed frontmatter and findings check reads (and never
        /// writes), so a check after a build parses and checks only what changed [default:
        /// ROOT/.dossier-cache/build].
        #[arg(long, value_name = "DIR")]
        cache_dir: Option<PathBuf>,
        /// Parse and check every file, without reading the cache.
        #[arg(long, conflicts_with = "cache_dir")]
        no_cache: bool,
    },
    /// Preview the wiki: build into memory, serve it, rebuild and reload on every edit.
    Serve {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// The port to listen on (0 picks a free one); the next free port is used if taken.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Open the preview in the default browser.
        #[arg(long)]
        open: bool,
        /// Poll for changes instead of using file-system events (network drives, containers).
        #[arg(long)]
        poll: bool,
        /// The build cache's folder, whose parsed frontmatter serve reads (and never writes), so
        /// the first render parses only what changed since the last build [default:
        /// ROOT/.dossier-cache/build].
        #[arg(long, value_name = "DIR")]
        cache_dir: Option<PathBuf>,
        /// Parse every file, without reading the cache.
        #[arg(long, conflicts_with = "cache_dir")]
        no_cache: bool,
    },
    /// Show what a branch changes, claim by claim, since BASE (working-tree edits included),
    /// flagging what review policy cares about.
    Diff {
        /// The branch or commit to compare with: changes since its merge base with HEAD.
        #[arg(default_value = "origin/main")]
        base: String,
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, value_enum, default_value_t = DiffFormatArg::Human)]
        format: DiffFormatArg,
    },
    /// Write a dossier skeleton: no errors, and a warning for each placeholder to fill in.
    New {
        /// The provider's slug: lower-case letters, digits and hyphens.
        slug: String,
        /// The category's slug; without it, the categories are listed and nothing is written.
        #[arg(long)]
        category: Option<String>,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Print the JSON Schema of dossier frontmatter.
    Schema,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DiffFormatArg {
    Human,
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Human,
    Json,
    Github,
}
