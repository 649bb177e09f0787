//! `dossier diff [BASE]`: what a branch changes, claim by claim, for a reviewer (human), a pull
//! request comment (markdown) or a program (json), with what review policy cares about flagged.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use serde::Serialize;

use crate::history::events::{Change, Words};
use crate::history::review::{self, Flag, Review, Reviewed};

/// How the changes are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Human,
    Markdown,
    Json,
}

pub struct DiffOptions {
    pub root: PathBuf,
    pub base: String,
    pub format: Format,
}

/// The first line of the Markdown, by which CI finds its own comment to update.
pub const MARKER: &str = "<!-- dossier diff -->";

pub fn run(options: &DiffOptions) -> anyhow::Result<()> {
    let review = review::review(&options.root, &options.base)?;
    let text = match options.format {
        Format::Human => human(&review),
        Format::Markdown => markdown(&review),
        Format::Json => json(&review),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).context("cannot write the changes")
}

/// A change in words with its claim written by `claim`.
fn line(words: &Words, claim: impl Fn(&str) -> String, text: impl Fn(&str) -> String) -> String {
    format!("{}{}{}", text(&words.before), words.claim.as_deref().map(claim).unwrap_or_default(), text(&words.after))
}

fn flags(changes: &[Change]) -> Vec<Flag> {
    let mut flags: Vec<Flag> = changes.iter().filter_map(review::flag).collect();
    flags.sort();
    flags.dedup();
    flags
}

/// What review policy asks of the whole change, in one sentence.
fn policy(review: &Review) -> String {
    let labels = review.labels();
    let all: Vec<Flag> = flags(&review.dossiers.iter().flat_map(|d| d.changes.clone()).collect::<Vec<_>>());
    let mut out = if labels.contains(&"needs-two-reviews") {
        "two editors' approval (a new allegation or negative incident)".to_owned()
    } else {
        "one editor's approval".to_owned()
    };
    if !all.is_empty() {
        let words: Vec<&str> = all.iter().map(|f| f.words()).collect();
        let _ = write!(out, "; look closely at: {}", words.join(", "));
    }
    out
}

fn human(review: &Review) -> String {
    let mut out = format!("Changes since {} ({}):\n", review.base, &review.base_commit[..10]);
    if review.dossiers.is_empty() {
        out.push_str("no dossier changed\n");
        return out;
    }
    for Reviewed { slug, path, changes } in &review.dossiers {
        let _ = writeln!(out, "\n{slug} ({path})");
        for change in changes {
            let mark = if review::flag(change).is_some() { "!" } else { "-" };
            let _ = writeln!(out, "  {mark} {}", line(&change.words(), |c| format!("`{c}`"), str::to_owned));
        }
    }
    let _ = writeln!(out, "\nReview: {}.", policy(review));
    out
}

/// Escapes what Markdown or GitHub would read as markup, mentions or HTML.
fn escape_md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '!' | '|' | '@' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn markdown(review: &Review) -> String {
    let mut out = format!("{MARKER}\n### Claim-level changes\n\n");
    let _ = writeln!(
        out,
        "Compared with `{}` (merge base `{}`), working-tree edits included.\n",
        review.base.replace('`', ""),
        &review.base_commit[..10]
    );
    if review.dossiers.is_empty() {
        out.push_str("No dossier changed.\n");
        return out;
    }
    let labels = review.labels();
    let _ = write!(out, "**Review:** {}.", escape_md(&policy(review)));
    if !labels.is_empty() {
        let names: Vec<String> = labels.iter().map(|l| format!("`{l}`")).collect();
        let _ = write!(out, " Labels: {}.", names.join(", "));
    }
    out.push_str("\n\n");
    for Reviewed { slug, path, changes } in &review.dossiers {
        let _ = writeln!(out, "#### {} (`{path}`)\n", escape_md(slug));
        for change in changes {
            let text = line(&change.words(), |c| format!("`{c}`"), escape_md);
            match review::flag(change) {
                Some(flag) => {
                    let _ = writeln!(out, "- **{}:** {text}", flag.words());
                }
                None => {
                    let _ = writeln!(out, "- {text}");
                }
            }
        }
        out.push('\n');
    }
    out.push_str("Flagged changes are those review policy cares about (CONTRIBUTING.md, \"Review\").\n");
    out
}

#[derive(Serialize)]
struct JsonDossier<'a> {
    slug: &'a str,
    path: &'a str,
    flags: Vec<Flag>,
    changes: &'a [Change],
}

#[derive(Serialize)]
struct JsonReview<'a> {
    version: u32,
    base: &'a str,
    base_commit: &'a str,
    labels: Vec<&'static str>,
    dossiers: Vec<JsonDossier<'a>>,
}

fn json(review: &Review) -> String {
    let report = JsonReview {
        version: 1,
        base: &review.base,
        base_commit: &review.base_commit,
        labels: review.labels(),
        dossiers: review
            .dossiers
            .iter()
            .map(|d| JsonDossier { slug: &d.slug, path: &d.path, flags: flags(&d.changes), changes: &d.changes })
            .collect(),
    };
    let mut text = serde_json::to_string(&report).unwrap_or_default();
    text.push('\n');
    text
}
