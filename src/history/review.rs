//! What a branch changes: the content at a base commit, read from git, against the working
//! tree, uncommitted edits and files not yet added included. [`Base`] finds the base and the
//! files that differ from it, for `dossier diff` and `check --changed-since` alike; [`review`]
//! turns the dossiers among them into claim-level changes, which `dossier diff` prints and CI
//! posts.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use gix::ObjectId;
use rayon::prelude::*;
use serde::Serialize;

use super::events::{self, Change, Version};
use super::git::Reader;
use super::{Repo, is_dossier, slug_of};
use crate::model::{ClaimKind, ClaimStatus, Impact};

/// The changes of one dossier.
#[derive(Debug, Clone, Serialize)]
pub struct Reviewed {
    pub slug: String,
    pub path: String,
    pub changes: Vec<Change>,
}

/// Everything a branch changes, and what review policy makes of it.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    /// The base as the user named it.
    pub base: String,
    /// The merge base's full id.
    pub base_commit: String,
    pub dossiers: Vec<Reviewed>,
}

/// What review policy cares about in a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flag {
    NewAllegation,
    NewNegativeIncident,
    ClaimRemoved,
    DossierRemoved,
    StatusChanged,
    SourceRemoved,
    NewVendorStatement,
}

impl Flag {
    pub fn words(self) -> &'static str {
        match self {
            Flag::NewAllegation => "new allegation",
            Flag::NewNegativeIncident => "new negative incident",
            Flag::ClaimRemoved => "claim removed",
            Flag::DossierRemoved => "dossier removed",
            Flag::StatusChanged => "status changed",
            Flag::SourceRemoved => "source removed",
            Flag::NewVendorStatement => "new vendor statement",
        }
    }
}

/// The flag a change raises, if any.
pub fn flag(change: &Change) -> Option<Flag> {
    match change {
        Change::ClaimAdded { kind: ClaimKind::Allegation, .. } => Some(Flag::NewAllegation),
        Change::ClaimAdded { kind: ClaimKind::Incident, impact: Some(Impact::Negative), .. } => {
            Some(Flag::NewNegativeIncident)
        }
        Change::KindChanged { to: ClaimKind::Allegation, .. } => Some(Flag::NewAllegation),
        Change::ClaimRemoved { .. } => Some(Flag::ClaimRemoved),
        Change::DossierRemoved => Some(Flag::DossierRemoved),
        Change::StatusChanged { .. } => Some(Flag::StatusChanged),
        Change::SourceRemoved { .. } => Some(Flag::SourceRemoved),
        Change::VendorStatementAdded { .. } => Some(Flag::NewVendorStatement),
        _ => None,
    }
}

impl Review {
    /// The pull-request labels the changes call for: `allegation` and `needs-two-reviews` for a
    /// new allegation or negative incident, `retraction` for a claim retracted, superseded or
    /// removed, or a dossier removed.
    pub fn labels(&self) -> Vec<&'static str> {
        let changes = || self.dossiers.iter().flat_map(|d| &d.changes);
        let mut labels = Vec::new();
        if changes().any(|c| matches!(flag(c), Some(Flag::NewAllegation | Flag::NewNegativeIncident))) {
            labels.extend(["allegation", "needs-two-reviews"]);
        }
        let retracts = |c: &Change| match c {
            Change::StatusChanged { to, .. } => matches!(to, ClaimStatus::Retracted | ClaimStatus::Superseded),
            Change::ClaimRemoved { .. } | Change::DossierRemoved => true,
            _ => false,
        };
        if changes().any(retracts) {
            labels.push("retraction");
        }
        labels
    }
}

/// The commit a change is measured from: the merge base of a ref and `HEAD`.
pub struct Base {
    reader: Reader,
    root: PathBuf,
    /// The merge base.
    pub commit: ObjectId,
}

/// A file under `content/` that differs between the base and the working tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Relative to the wiki root, `/`-separated: where the file is now, or was when removed.
    pub path: String,
    /// The path a renamed dossier had at the base.
    pub renamed_from: Option<String>,
    /// Its blob at the base (at `renamed_from` when renamed); `None` when it is new.
    pub old: Option<ObjectId>,
    /// The working tree's bytes as a git blob id; `None` when it was removed.
    pub new: Option<ObjectId>,
}

impl Base {
    /// Finds the merge base of `name` and `HEAD` in the repository holding `root`. `command`
    /// names what needs git, for the message when there is no repository.
    pub fn find(root: &Path, name: &str, command: &str) -> anyhow::Result<Base> {
        // Checked although nothing runs git: an option-like name is a mistake, not a ref.
        if name.starts_with('-') || name.trim().is_empty() {
            anyhow::bail!("`{name}` is not a git ref");
        }
        let repo = Repo::open(root)
            .ok_or_else(|| anyhow::anyhow!("{} is not in a git repository, which {command} needs", root.display()))?;
        let reader = repo.reader();
        let missing = |what: String| {
            anyhow::anyhow!(
                "{what}\nThe base is not in this clone, or shares no history with HEAD. In a shallow clone \
                 (CI checks out one commit by default) fetch the history with `git fetch --unshallow origin` \
                 (actions/checkout: `fetch-depth: 0`), and check that `{name}` names a branch or commit here."
            )
        };
        let tip = reader.resolve(name).map_err(|e| missing(format!("cannot find `{name}`: {e}")))?;
        let head = reader.head().ok_or_else(|| anyhow::anyhow!("HEAD names no commit yet"))?;
        let commit = reader
            .merge_base(tip, head)
            .map_err(|e| missing(format!("cannot find the merge base of `{name}` and HEAD: {e}")))?
            .ok_or_else(|| missing(format!("`{name}` and HEAD share no history")))?;
        Ok(Base { reader, root: root.to_owned(), commit })
    }

    /// The files that differ from the base among those `wanted` keeps, in path order: every
    /// file under `content/` the site looks at ([`crate::load::walk_content`]) that git does not
    /// ignore, hashed as git would store it, against the base's blobs. A dossier removed at one
    /// path and added at another is one renamed file.
    pub fn differences(&self, wanted: impl Fn(&str) -> bool + Sync) -> anyhow::Result<Vec<Difference>> {
        let content = self.reader.commit(self.commit)?.and_then(|c| c.content);
        let looked_at = |path: &str| !path.split('/').any(crate::load::is_ignored_name);
        let before: BTreeMap<String, ObjectId> = self
            .reader
            .diff_content(None, content)?
            .into_iter()
            .filter(|f| looked_at(&f.path) && wanted(&f.path))
            .filter_map(|f| Some((f.path, f.new?)))
            .collect();
        let mut paths = Vec::new();
        for entry in crate::load::walk_content(&self.root) {
            let entry = entry.with_context(|| format!("cannot list {}", self.root.join("content").display()))?;
            let rel = entry.path().strip_prefix(&self.root).unwrap_or(entry.path());
            let path = crate::diagnostics::display_path(rel);
            if entry.file_type().is_file() && wanted(&path) {
                paths.push(path);
            }
        }
        let root = &self.root;
        let now: BTreeMap<String, ObjectId> = self
            .reader
            .not_ignored(paths)?
            .into_par_iter()
            .map(|path| {
                let id = blob_id(&root.join(&path)).with_context(|| format!("cannot read {path}"))?;
                Ok((path, id))
            })
            .collect::<anyhow::Result<_>>()?;
        let mut differences: Vec<Difference> = now
            .iter()
            .filter(|(path, id)| before.get(*path) != Some(*id))
            .map(|(path, id)| Difference {
                path: path.clone(),
                renamed_from: None,
                old: before.get(path).copied(),
                new: Some(*id),
            })
            .collect();
        let removed = before.into_iter().filter(|(path, _)| !now.contains_key(path));
        differences.extend(removed.map(|(path, old)| Difference {
            path,
            renamed_from: None,
            old: Some(old),
            new: None,
        }));
        let mut differences = self.pair_renames(differences);
        differences.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(differences)
    }

    /// Pairs each added dossier with a removed one it was renamed from (as the history does).
    fn pair_renames(&self, differences: Vec<Difference>) -> Vec<Difference> {
        let (removed, mut out): (Vec<Difference>, Vec<Difference>) =
            differences.into_iter().partition(|d| d.new.is_none() && is_dossier(&d.path));
        let removed: Vec<(String, ObjectId)> = removed.into_iter().filter_map(|d| Some((d.path, d.old?))).collect();
        let added: Vec<usize> = (0..out.len()).filter(|&i| out[i].old.is_none() && is_dossier(&out[i].path)).collect();
        let pairs = super::pair_renames(
            &added.iter().map(|&i| out[i].new).collect::<Vec<_>>(),
            &removed.iter().map(|(_, blob)| Some(*blob)).collect::<Vec<_>>(),
            |r| Some(self.old_version(&removed[r].0, removed[r].1)),
            |a| Some(self.new_version(&out[added[a]].path)),
        );
        let mut taken = vec![false; removed.len()];
        for (a, r) in pairs {
            taken[r] = true;
            let (from, blob) = &removed[r];
            (out[added[a]].renamed_from, out[added[a]].old) = (Some(from.clone()), Some(*blob));
        }
        let left = removed.into_iter().zip(taken).filter(|(_, taken)| !taken).map(|(removed, _)| removed);
        out.extend(left.map(|(path, blob)| Difference { path, renamed_from: None, old: Some(blob), new: None }));
        out
    }

    /// A blob's bytes.
    pub fn blob(&self, id: ObjectId) -> anyhow::Result<Vec<u8>> {
        self.reader.blob(id)
    }

    /// The dossier at `path` in the base's blob `blob`.
    fn old_version(&self, path: &str, blob: ObjectId) -> Version {
        super::read_version(&self.reader, blob, path)
    }

    /// The dossier at `path` in the working tree.
    fn new_version(&self, path: &str) -> Version {
        // One byte past the limit is enough for the parser to refuse an oversized file.
        let mut bytes = Vec::new();
        let read = std::fs::File::open(self.root.join(path))
            .and_then(|file| file.take(crate::load::MAX_FILE_BYTES + 1).read_to_end(&mut bytes));
        match read {
            Ok(_) => events::parse_version(Path::new(path), &bytes),
            Err(e) => Err(format!("the file could not be read: {e}")),
        }
    }
}

/// A file's id as git would store it, read in a stream so an oversized file is never held whole.
fn blob_id(file: &Path) -> anyhow::Result<ObjectId> {
    let mut stream = std::fs::File::open(file)?;
    let len = stream.metadata()?.len();
    let (kind, interrupt) = (gix::hash::Kind::Sha1, AtomicBool::new(false));
    let id = gix::objs::compute_stream_hash(
        kind,
        gix::objs::Kind::Blob,
        &mut stream,
        len,
        &mut gix::progress::Discard,
        &interrupt,
    )?;
    Ok(id)
}

/// The changes from the merge base of `base` and `HEAD` to the working tree under `root`.
pub fn review(root: &Path, base: &str) -> anyhow::Result<Review> {
    let found = Base::find(root, base, "`diff`")?;
    let mut dossiers = Vec::new();
    for file in found.differences(is_dossier)? {
        let slug = slug_of(&file.path);
        if file.new.is_none() {
            dossiers.push(Reviewed { slug, path: file.path, changes: vec![Change::DossierRemoved] });
            continue;
        }
        let mut changes = Vec::new();
        match (&file.renamed_from, file.old) {
            (Some(from), _) => changes.push(Change::DossierRenamed { from: slug_of(from) }),
            (None, None) => changes.push(Change::DossierAdded),
            (None, Some(_)) => {}
        }
        let previous = file.old.map(|blob| found.old_version(file.renamed_from.as_deref().unwrap_or(&file.path), blob));
        match found.new_version(&file.path) {
            Ok(now) => changes.extend(events::compare(previous.as_ref().and_then(|v| v.as_ref().ok()), &now)),
            Err(problem) => changes.push(Change::InvalidRevision { problem }),
        }
        if changes.is_empty() {
            changes.push(Change::Edited);
        }
        dossiers.push(Reviewed { slug, path: file.path, changes });
    }
    dossiers.sort_by(|a, b| a.slug.cmp(&b.slug));
    Ok(Review { base: base.to_owned(), base_commit: found.commit.to_string(), dossiers })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{TestRepo, claim, dossier};

    /// A repository whose `main` holds `files` (relative to the top), with a `pr` branch
    /// checked out.
    fn repo(files: &[(&str, &str)]) -> TestRepo {
        let repo = TestRepo::new();
        for (rel, text) in files {
            repo.write(rel, text);
        }
        repo.commit("2026-01-01", "base");
        repo.git(&["checkout", "-q", "-b", "pr"]);
        repo
    }

    /// Each difference as (path, renamed from, had a blob at the base, has a file now).
    fn differences(root: &Path) -> Vec<(String, Option<String>, bool, bool)> {
        let base = Base::find(root, "main", "the test").unwrap();
        let found = base.differences(|_| true).unwrap();
        found.into_iter().map(|d| (d.path, d.renamed_from, d.old.is_some(), d.new.is_some())).collect()
    }

    fn owned(list: &[(&str, Option<&str>, bool, bool)]) -> Vec<(String, Option<String>, bool, bool)> {
        list.iter().map(|(p, from, old, new)| (p.to_string(), from.map(str::to_owned), *old, *new)).collect()
    }

    #[test]
    fn every_file_the_site_reads_is_compared_with_the_base() {
        let odd = "content/pages/sp ace \"q\" é.md";
        let repo = repo(&[
            ("content/site.yaml", "title: T\n"),
            ("content/providers/kept.md", "kept\n"),
            ("content/providers/gone.md", "gone\n"),
            (odd, "page\n"),
            ("content/providers/.hidden.md", "an editor's file, committed by mistake\n"),
            ("README.md", "outside content/\n"),
        ]);
        repo.write(odd, "page, reworded\n");
        repo.commit("2026-01-02", "reword the page");
        std::fs::remove_file(repo.root().join("content/providers/gone.md")).unwrap();
        // Uncommitted, staged, untracked, ignored and editor files.
        repo.write("content/site.yaml", "title: T2\n");
        repo.write("content/pages/staged.md", "staged\n");
        repo.git(&["add", "content/pages/staged.md"]);
        repo.write("content/providers/new é.md", "new\n");
        repo.write(".gitignore", "draft*.md\n");
        repo.write("content/pages/draft.md", "ignored\n");
        repo.write("content/providers/kept.md.swp", "swap\n");
        repo.write("content/providers/.hidden.md", "changed, but not the site's\n");
        repo.write("README.md", "changed outside content/\n");
        assert_eq!(
            differences(repo.root()),
            owned(&[
                (odd, None, true, true),
                ("content/pages/staged.md", None, false, true),
                ("content/providers/gone.md", None, true, false),
                ("content/providers/new é.md", None, false, true),
                ("content/site.yaml", None, true, true),
            ])
        );
    }

    #[test]
    fn a_tracked_file_counts_even_where_git_would_ignore_new_ones() {
        let repo = repo(&[("content/pages/draft.md", "tracked\n")]);
        repo.write(".gitignore", "draft.md\n");
        repo.write("content/pages/draft.md", "tracked, edited\n");
        assert_eq!(differences(repo.root()), owned(&[("content/pages/draft.md", None, true, true)]));
    }

    #[test]
    fn renamed_dossiers_are_paired_by_blob_or_by_shared_claims() {
        let claims = format!(
            "{}{}",
            claim("a", "fact", "positive", "2026-01-01", "a.test"),
            claim("b", "fact", "positive", "2026-01-01", "a.test")
        );
        let (_, same) = dossier("same", "", &claims);
        let (_, edited) = dossier("edited", "", &claims);
        let (_, other) = dossier("other", "", &claim("z", "fact", "positive", "2026-01-01", "a.test"));
        let repo = repo(&[
            ("content/providers/same.md", &same),
            ("content/providers/edited.md", &edited),
            ("content/providers/other.md", &other),
        ]);
        repo.git(&["mv", "content/providers/same.md", "content/providers/same-renamed.md"]);
        std::fs::remove_file(repo.root().join("content/providers/edited.md")).unwrap();
        repo.write("content/providers/edited-renamed.md", &edited.replace("Claim a.", "Claim a, reworded."));
        // Removed, and an unrelated dossier added: no rename.
        std::fs::remove_file(repo.root().join("content/providers/other.md")).unwrap();
        let (_, unrelated) = dossier("unrelated", "", &claim("y", "fact", "positive", "2026-01-01", "a.test"));
        repo.write("content/providers/unrelated.md", &unrelated);
        assert_eq!(
            differences(repo.root()),
            owned(&[
                ("content/providers/edited-renamed.md", Some("content/providers/edited.md"), true, true),
                ("content/providers/other.md", None, true, false),
                ("content/providers/same-renamed.md", Some("content/providers/same.md"), true, true),
                ("content/providers/unrelated.md", None, false, true),
            ])
        );
        let base = Base::find(repo.root(), "main", "the test").unwrap();
        let renamed = base.differences(|p| p.contains("/edited")).unwrap();
        let Some(old) = renamed.first().and_then(|d| d.old) else { panic!("{renamed:?}") };
        assert_eq!(base.blob(old).unwrap(), edited.as_bytes(), "the old blob is the file's at the base");
    }

    #[test]
    fn a_wiki_in_a_subfolder_compares_its_own_content() {
        let repo = repo(&[("wiki/content/providers/a.md", "a\n")]);
        repo.write("content/providers/outside.md", "not the wiki's\n");
        repo.write(".gitignore", "/wiki/content/pages/draft.md\n");
        repo.write("wiki/content/providers/a.md", "a, edited\n");
        repo.write("wiki/content/pages/draft.md", "ignored by the top's .gitignore\n");
        let root = repo.root().join("wiki");
        assert_eq!(differences(&root), owned(&[("content/providers/a.md", None, true, true)]));
    }

    #[test]
    fn a_base_that_cannot_be_found_says_what_to_do() {
        let repo = repo(&[("content/site.yaml", "title: T\n")]);
        let error = |name: &str| format!("{:#}", Base::find(repo.root(), name, "the test").err().expect("an error"));
        let missing = error("origin/main");
        assert!(missing.contains("cannot find `origin/main`") && missing.contains("fetch-depth: 0"), "{missing}");
        repo.git(&["checkout", "-q", "--orphan", "unrelated"]);
        repo.commit("2026-01-02", "a history of its own");
        let unrelated = error("main");
        assert!(unrelated.contains("`main` and HEAD share no history"), "{unrelated}");
        assert!(error("--output=x").contains("is not a git ref"));
        let outside = tempfile::tempdir().unwrap();
        let no_repo = format!("{:#}", Base::find(outside.path(), "main", "the test").err().expect("an error"));
        assert!(no_repo.contains("is not in a git repository, which the test needs"), "{no_repo}");
    }
}
