//! Writes the benchmark corpus: N synthetic provider dossiers, as a `dossier` wiki or as the
//! same documents in a Hugo site (the generator itself is `benches/support/corpus/`).
//!
//! ```sh
//! cargo run --release --example gen_corpus -- --n 1000 --seed 1 --scaffold-from . --out /tmp/wiki-1k
//! cargo run --release --example gen_corpus -- --n 1000 --seed 1 --flavor hugo --out /tmp/hugo-1k
//! ```

#[path = "../benches/support/corpus/mod.rs"]
mod corpus;

use std::path::PathBuf;
use std::process::ExitCode;

use corpus::{Flavor, Options};

const USAGE: &str = "usage: gen_corpus --n N --out DIR [--seed S] [--flavor dossier|hugo] [--scaffold-from ROOT] \
                     [--hugo-scaffold DIR] [--history COMMITS] [--force]

  --n N                 number of dossiers
  --out DIR             where to write (must be empty unless --force, which deletes it first)
  --seed S              any text; document i depends only on S and i [default: 1]
  --flavor F            `dossier` (content/providers/*.md) or `hugo` (a Hugo site) [default: dossier]
  --scaffold-from ROOT  dossier: copy ROOT's content/ (all but providers/) and themes/, and spread
                        the dossiers over its categories [default: built-in settings, 8 categories]
  --hugo-scaffold DIR   hugo: copy config.toml and layouts/ from DIR
                        [default: the built-in copy of benches/support/hugo/]
  --history COMMITS     make OUT a git repository: the corpus as the first commit, then
                        COMMITS - 1 commits editing one to three dossiers each (git fast-import);
                        hugo: also sets enableGitInfo";

fn main() -> ExitCode {
    let (options, force, history) = match parse(std::env::args().skip(1)) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("gen_corpus: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if force
        && options.out.exists()
        && let Err(e) = std::fs::remove_dir_all(&options.out)
    {
        eprintln!("gen_corpus: cannot delete {}: {e}", options.out.display());
        return ExitCode::from(2);
    }
    let written = corpus::generate(&options).and_then(|summary| {
        history.map_or(Ok(()), |commits| corpus::history::write_history(&options, commits)).map(|()| summary)
    });
    match written {
        Ok(summary) => {
            println!(
                "wrote {} {} documents to {} ({} body words, {:.0} per doc)",
                summary.documents,
                options.flavor.name(),
                options.out.display(),
                summary.body_words,
                summary.body_words as f64 / summary.documents.max(1) as f64
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen_corpus: {e} (use --force to replace the output)");
            ExitCode::from(2)
        }
    }
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<(Options, bool, Option<usize>), String> {
    let (mut n, mut out, mut seed, mut flavor, mut history) = (None, None, "1".to_owned(), Flavor::Dossier, None);
    let (mut scaffold_from, mut hugo_scaffold, mut force) = (None, None, false);
    while let Some(arg) = args.next() {
        if arg == "--force" {
            force = true;
            continue;
        }
        let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--n" => n = Some(value.parse::<usize>().map_err(|_| format!("--n `{value}` is not a count"))?),
            "--out" => out = Some(PathBuf::from(value)),
            "--seed" => seed = value,
            "--flavor" => flavor = Flavor::parse(&value).ok_or_else(|| format!("unknown flavor `{value}`"))?,
            "--scaffold-from" => scaffold_from = Some(PathBuf::from(value)),
            "--hugo-scaffold" => hugo_scaffold = Some(PathBuf::from(value)),
            "--history" => {
                history = Some(value.parse::<usize>().map_err(|_| format!("--history `{value}` is not a count"))?);
            }
            _ => return Err(format!("unknown argument `{arg}`")),
        }
    }
    let n = n.ok_or("--n is required")?;
    let out = out.ok_or("--out is required")?;
    Ok((Options { n, seed, out, flavor, scaffold_from, hugo_scaffold }, force, history))
}
