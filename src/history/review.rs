//! What a branch changes, claim by claim: the dossiers at a base commit (read from git) against
//! the working tree, uncommitted edits included. `dossier diff` prints it; CI posts it.

use std::collections::BTreeMap;
use std::path::Path;

use gix::ObjectId;
use rayon::prelude::*;
use serde::Serialize;

use super::events::{self, Change, Version};
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

/// A dossier file of the working tree: its blob id as git would name it, and its bytes.
type WorkingFile = (ObjectId, Vec<u8>);

/// The changes from the merge base of `base` and `HEAD` to the working tree under `root`.
pub fn review(root: &Path, base: &str) -> anyhow::Result<Review> {
    let repo = Repo::open(root)
        .ok_or_else(|| anyhow::anyhow!("{} is not in a git repository, which `diff` needs", root.display()))?;
    let reader = repo.reader();
    let missing = |what: String| {
        anyhow::anyhow!(
            "{what}\nIn a shallow clone (CI checks out one commit by default) fetch the history with \
             `git fetch --unshallow origin` (actions/checkout: `fetch-depth: 0`), and check that `{base}` \
             names a branch or commit here."
        )
    };
    let tip = reader.resolve(base).map_err(|e| missing(format!("cannot find `{base}`: {e}")))?;
    let head = reader.head().ok_or_else(|| anyhow::anyhow!("HEAD names no commit yet"))?;
    let merge_base = reader
        .merge_base(tip, head)
        .map_err(|e| missing(format!("cannot find the merge base of `{base}` and HEAD: {e}")))?
        .ok_or_else(|| missing(format!("`{base}` and HEAD share no history")))?;
    let content = reader.commit(merge_base)?.and_then(|c| c.content);
    let before: BTreeMap<String, ObjectId> = reader
        .diff_content(None, content)?
        .into_iter()
        .filter(|f| is_dossier(&f.path))
        .filter_map(|f| f.new.map(|blob| (f.path, blob)))
        .collect();
    let (inputs, _) = crate::load::discover(root)?;
    let kind = gix::hash::Kind::Sha1;
    let now: BTreeMap<String, WorkingFile> = inputs
        .par_iter()
        .filter(|i| i.kind == crate::load::InputKind::Dossier)
        .filter_map(|input| {
            let path = crate::diagnostics::display_path(&input.path);
            let bytes = std::fs::read(root.join(&input.path)).ok()?;
            let id = gix::objs::compute_hash(kind, gix::objs::Kind::Blob, &bytes).ok()?;
            Some((path, (id, bytes)))
        })
        .collect();
    let removed: Vec<(&String, &ObjectId)> = before.iter().filter(|(p, _)| !now.contains_key(*p)).collect();
    let changed: Vec<(&String, Option<&ObjectId>, &WorkingFile)> = now
        .iter()
        .filter_map(|(path, new)| match before.get(path) {
            Some(old) if *old == new.0 => None,
            old => Some((path, old, new)),
        })
        .collect();
    let old_version = |path: &str, blob: &ObjectId| -> Version {
        match reader.blob(*blob) {
            Ok(bytes) => events::parse_version(Path::new(path), &bytes),
            Err(e) => Err(format!("the file could not be read from git: {e}")),
        }
    };
    let mut dossiers = Vec::new();
    let mut renamed_away = std::collections::BTreeSet::new();
    for (path, old, (new_blob, bytes)) in &changed {
        let new = events::parse_version(Path::new(path.as_str()), bytes);
        let mut changes = Vec::new();
        let previous = match old {
            Some(blob) => Some(old_version(path, blob)),
            None => {
                let renamed = removed.iter().filter(|(p, _)| !renamed_away.contains(*p)).find_map(|(p, blob)| {
                    if *blob == new_blob {
                        return Some((*p, old_version(p, blob)));
                    }
                    let version = old_version(p, blob);
                    match (&version, &new) {
                        (Ok(a), Ok(b)) if events::same_dossier(a, b) => Some((*p, version)),
                        _ => None,
                    }
                });
                match renamed {
                    Some((from, version)) => {
                        renamed_away.insert(from);
                        changes.push(Change::DossierRenamed { from: slug_of(from) });
                        Some(version)
                    }
                    None => {
                        changes.push(Change::DossierAdded);
                        None
                    }
                }
            }
        };
        match &new {
            Ok(snapshot) => {
                let old = previous.as_ref().and_then(|v| v.as_ref().ok());
                changes.extend(events::compare(old, snapshot));
            }
            Err(problem) => changes.push(Change::InvalidRevision { problem: problem.clone() }),
        }
        if changes.is_empty() {
            changes.push(Change::Edited);
        }
        dossiers.push(Reviewed { slug: slug_of(path), path: (*path).clone(), changes });
    }
    for (path, _) in removed.iter().filter(|(p, _)| !renamed_away.contains(*p)) {
        dossiers.push(Reviewed { slug: slug_of(path), path: (*path).clone(), changes: vec![Change::DossierRemoved] });
    }
    dossiers.sort_by(|a, b| a.slug.cmp(&b.slug));
    Ok(Review { base: base.to_owned(), base_commit: merge_base.to_string(), dossiers })
}
