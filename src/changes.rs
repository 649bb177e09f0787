//! `check --changed-since REF`: what a pull request touched, read from git, and the one rule
//! that needs the previous version of a file (a claim reworded without being re-verified).
//!
//! Consumes the wiki root and a git ref; produces [`Changes`]: the files that differ from the
//! merge base of the ref and `HEAD` and, for each modified or renamed dossier, its text there.
//! [`reverify_findings`] then compares old and new claims.
//!
//! The history engine reads the change ([`review::Base`], which `dossier diff` reads through
//! too): the base's tree and blobs in-process from git, against the working tree's files hashed
//! as git would store them. So a contributor's uncommitted edits and new files not yet added
//! count (files git ignores do not), and the old text is the base's blob itself, exact whatever
//! the working tree holds now.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::Context;

use crate::diagnostics::{Code, Diagnostic};
use crate::frontmatter;
use crate::history::review;
use crate::load::{self, InputKind};
use crate::model::{Claim, DossierMeta, Source, SourceRef};
use crate::site::Site;

/// The files that differ from a base ref, and the old text of the modified dossiers.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    base: String,
    /// Changed paths relative to the wiki root, `/`-separated, deleted ones included.
    files: BTreeSet<String>,
    /// Path → text at the base, for dossiers modified or renamed (at their new path).
    previous: BTreeMap<String, String>,
}

impl Changes {
    /// The ref the changes are measured from, as the user wrote it.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Whether a finding in `path` (as diagnostics write it) belongs to the change.
    pub fn touches(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    /// The changed paths, sorted.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(String::as_str)
    }
}

/// Reads what changed since the merge base of `base` and `HEAD`, the old dossiers from git.
pub fn changes_since(root: &Path, base: &str) -> anyhow::Result<Changes> {
    let since = || format!("cannot find the changes since `{base}`");
    let found = review::Base::find(root, base, "`check --changed-since`").with_context(since)?;
    let mut changes = Changes { base: base.to_owned(), ..Changes::default() };
    for file in found.differences(|_| true).with_context(since)? {
        if let (Some(old), Some(_)) = (file.old, file.new)
            && load::classify(Path::new(&file.path)) == Some(InputKind::Dossier)
        {
            let bytes = found.blob(old).with_context(|| format!("cannot read {} at `{base}`", file.path))?;
            // Text that is not UTF-8 did not parse at the base either: nothing to compare with.
            // A byte-order mark is dropped, as the loader drops it from the working tree's text.
            if let Ok(text) = String::from_utf8(bytes) {
                let text = text.strip_prefix('\u{feff}').map_or_else(|| text.clone(), str::to_owned);
                changes.previous.insert(file.path.clone(), text);
            }
        }
        changes.files.extend(file.renamed_from);
        changes.files.insert(file.path);
    }
    Ok(changes)
}

/// The PR rule: a claim whose `text` or sources changed while its `verified` date did not.
pub fn reverify_findings(site: &Site, changes: &Changes) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for dossier in site.dossiers.values() {
        let path = crate::diagnostics::display_path(&dossier.path);
        let Some(old_text) = changes.previous.get(&path) else { continue };
        // A dossier that did not parse at the base has nothing to compare with.
        let Ok((old, _)) = frontmatter::parse_document::<DossierMeta>(&dossier.path, old_text) else { continue };
        for claim in dossier.meta.claims.iter() {
            let Some(before) = old.claims.iter().find(|c| c.id.value == claim.id.value) else { continue };
            if before.verified.value != claim.verified.value {
                continue;
            }
            let text = before.text.value != claim.text.value;
            let sources = support(&old, before) != support(&dossier.meta, claim);
            let what = match (text, sources) {
                (true, true) => "text and sources",
                (true, false) => "text",
                (false, true) => "sources",
                (false, false) => continue,
            };
            out.push(
                Diagnostic::new(
                    Code::ReverifyClaim,
                    &dossier.path,
                    claim.verified.pos,
                    format!(
                        "the claim `{}` changed its {what} since {}, but `verified` still says {}: re-verify and update verified",
                        *claim.id,
                        changes.base(),
                        claim.verified.value
                    ),
                )
                .help("read the sources again; if they support the claim as it now reads, set `verified` to the day you checked"),
            );
        }
    }
    out
}

/// The review policy for allegations: one that is new in the change, or whose text, status,
/// kind or sources changed, must come with the vendor's side (`right_of_reply`, or a
/// `vendor-statement` answering it), so its `unanswered-allegation` becomes an error.
/// Allegations the change left alone stay warnings, so the wiki keeps building. A file with
/// no old text (new, or not UTF-8 at the base) counts as new.
pub fn hold_new_allegations(findings: &mut [Diagnostic], site: &Site, changes: &Changes) {
    let mut old_meta: BTreeMap<String, Option<DossierMeta>> = BTreeMap::new();
    let dossiers: BTreeMap<String, &crate::model::Dossier> = site
        .dossiers
        .values()
        .map(|d| (crate::diagnostics::display_path(&d.path), d))
        .filter(|(path, _)| changes.touches(path))
        .collect();
    for finding in findings.iter_mut().filter(|d| d.code == Code::UnansweredAllegation) {
        let Some(dossier) = dossiers.get(&finding.path) else { continue };
        let at = |c: &&Claim| (c.id.pos.line, c.id.pos.col) == (finding.line, finding.column);
        let Some(claim) = dossier.meta.claims.iter().find(at) else { continue };
        let old = old_meta.entry(finding.path.clone()).or_insert_with(|| {
            let text = changes.previous.get(&finding.path)?;
            frontmatter::parse_document::<DossierMeta>(&dossier.path, text).ok().map(|(meta, _)| meta)
        });
        let unchanged = old.as_ref().is_some_and(|old| {
            old.claims.iter().any(|before| {
                before.id.value == claim.id.value
                    && before.text.value == claim.text.value
                    && before.status == claim.status
                    && before.kind == claim.kind
                    && support(old, before) == support(&dossier.meta, claim)
            })
        });
        if unchanged {
            continue;
        }
        finding.severity = crate::diagnostics::Severity::Error;
        finding.message = format!(
            "the allegation `{}` is new or changed since {} and has no answer from the vendor",
            *claim.id,
            changes.base()
        );
        finding.help = Some(
            "an allegation is published only after the vendor was offered a right of reply: record it as \
             `right_of_reply` (contacted, outcome), or the vendor's answer as a `vendor-statement` with `responds_to`"
                .into(),
        );
    }
}

/// What a claim rests on: each source's address, title, publisher, date and quote, in a
/// stable order. `accessed` and `archive` are left out: re-reading a page or adding a
/// snapshot (what `missing-archive` asks for) does not change what supports the claim.
fn support(meta: &DossierMeta, claim: &Claim) -> Vec<String> {
    let describe = |s: &Source| {
        let published = s.published.as_ref().map(|d| d.value.to_string());
        format!("{}\0{}\0{:?}\0{:?}\0{:?}", s.url.value.trim(), s.title, s.publisher, published, s.quote)
    };
    let mut sources: Vec<String> = claim
        .sources
        .iter()
        .map(|r| match &r.value {
            SourceRef::Inline(source) => describe(source),
            SourceRef::Named(name) => meta.sources.get(name).map_or_else(|| format!("?{name}"), |s| describe(s)),
        })
        .collect();
    sources.sort();
    sources
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRepo;

    #[test]
    fn old_dossiers_are_the_base_blobs_whatever_the_working_tree_holds() {
        let repo = TestRepo::new();
        // A byte-order mark, CRLF endings and no final newline: what a patch round trip frays.
        let crlf = "\u{feff}---\r\nname: A\r\n---\r\nBody";
        let odd = "content/providers/q\"uote é.md";
        repo.write("content/providers/a.md", crlf);
        repo.write(odd, "---\nname: Q\n---\n");
        repo.write("content/providers/moved.md", "---\nname: M\n---\n");
        repo.write("content/pages/about.md", "About.\n");
        repo.commit("2026-01-01", "base");
        repo.git(&["checkout", "-q", "-b", "pr"]);
        repo.write("content/providers/a.md", "---\nname: Rewritten\n---\nA new body\nof two lines.\n");
        repo.write(odd, "---\nname: Q2\n---\n");
        repo.git(&["mv", "content/providers/moved.md", "content/providers/renamed.md"]);
        repo.commit("2026-01-02", "edit");
        std::fs::remove_file(repo.root().join("content/pages/about.md")).unwrap();
        repo.write("content/providers/new.md", "---\nname: N\n---\n");

        let changes = changes_since(repo.root(), "main").unwrap();
        assert_eq!(changes.base(), "main");
        assert_eq!(
            changes.files().collect::<Vec<_>>(),
            [
                "content/pages/about.md",
                "content/providers/a.md",
                "content/providers/moved.md",
                "content/providers/new.md",
                odd,
                "content/providers/renamed.md"
            ]
        );
        let previous: Vec<(&str, &str)> = changes.previous.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        assert_eq!(
            previous,
            [
                ("content/providers/a.md", "---\r\nname: A\r\n---\r\nBody"),
                (odd, "---\nname: Q\n---\n"),
                ("content/providers/renamed.md", "---\nname: M\n---\n"),
            ],
            "modified and renamed dossiers keep their text at the base; new ones and pages have none"
        );
        assert!(changes.touches(odd) && !changes.touches("content/providers/other.md"));
    }
}
