//! The record over time: the history of `content/` read from git in-process and turned into
//! claim-level changes per dossier (the one seam every history page, feed, data file, `diff`
//! and `check --changed-since` read through).
//!
//! Consumes the wiki root (and a [`Memo`] the build cache keeps); produces a [`History`]: each commit of
//! the published branch's first-parent line that changed a dossier, and per dossier its
//! [`Entry`]s. Walking first parents dates a pull request by the day it reached the branch,
//! whether it was merged, squashed or rebased. Each distinct blob is parsed once per build;
//! each commit's record (the files it changed and the changes it made) is kept in the build
//! cache under its id, so a build after one new commit diffs and parses only that commit.
//! Without git, or in a damaged repository, there is no history and the build goes on.

pub mod events;
mod git;
pub mod review;
#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use gix::ObjectId;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use events::{Change, Snapshot, Version};
pub use git::Repo;

use crate::load::{self, InputKind};
use crate::memo::Memo;
use crate::model::Date;

/// The version of the records kept in the memo: a change to [`Record`] or [`Change`], or to what
/// they derive, bumps it.
pub const CACHE_FORMAT: u32 = 1;

/// A commit of the published branch's first-parent line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Commit {
    /// The full hexadecimal id.
    pub id: String,
    pub date: Date,
    pub subject: String,
}

/// What one commit changed in one dossier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// Index into [`History::commits`].
    #[serde(skip)]
    pub commit: usize,
    /// The dossier's slug at that commit (a renamed dossier's entries keep their old slug).
    pub slug: String,
    pub changes: Vec<Change>,
}

/// The history of a wiki's content.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Oldest first.
    pub commits: Vec<Commit>,
    /// Slug (the dossier's latest name) → its entries, oldest first. Removed dossiers stay
    /// under the slug they had last.
    pub dossiers: BTreeMap<String, Vec<Entry>>,
    /// In a shallow clone: the day of the oldest commit it holds, before which history is unknown.
    pub complete_from: Option<Date>,
    /// `content/...` path → the day of the newest commit that touched it.
    pub edited: BTreeMap<String, Date>,
}

impl History {
    /// Every entry of every dossier, newest first (by commit, then slug).
    pub fn all_entries(&self) -> Vec<&Entry> {
        let mut all: Vec<&Entry> = self.dossiers.values().flatten().collect();
        all.sort_by(|a, b| b.commit.cmp(&a.commit).then_with(|| a.slug.cmp(&b.slug)));
        all
    }
}

/// A commit's record as the cache keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    /// The first parent walked next, if any.
    parent: Option<String>,
    date: Date,
    subject: String,
    /// The `content/` tree, which the next commit is compared with.
    content: Option<String>,
    /// Each file changed, with its new blob (`None`: removed).
    files: Vec<(String, Option<String>)>,
    dossiers: Vec<RecordEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RecordEntry {
    path: String,
    /// The path it was renamed from.
    renamed_from: Option<String>,
    /// Whether this version parsed (later versions are compared with the last that did).
    valid: bool,
    changes: Vec<Change>,
}

/// Reads the history of the repository holding `root`; empty without git. Each commit's
/// record is looked up in `memo` under the commit id and kept there when made. A problem is
/// logged and yields what could be read, never a failed build.
pub fn load(root: &Path, memo: Option<&dyn Memo>) -> History {
    let _span = tracing::info_span!("history").entered();
    let Some(repo) = Repo::open(root) else { return History::default() };
    match read(&repo, memo) {
        Ok(history) => history,
        Err(e) => {
            tracing::warn!("the git history could not be read, so pages show none: {e:#}");
            History::default()
        }
    }
}

/// Every dossier's version at `HEAD`, by path (`content/providers/x.md`): what the preview
/// compares the working tree with. Empty without git or commits.
pub fn head_versions(root: &Path) -> HashMap<String, Version> {
    let Some(repo) = Repo::open(root) else { return HashMap::new() };
    let reader = repo.reader();
    let files = reader
        .head()
        .and_then(|head| reader.commit(head).ok().flatten())
        .and_then(|commit| reader.diff_content(None, commit.content).ok())
        .unwrap_or_default();
    files
        .par_iter()
        .filter(|f| is_dossier(&f.path))
        .filter_map(|f| Some((f.path.as_str(), f.new?)))
        .map_init(|| repo.reader(), |reader, (path, blob)| (path.to_owned(), read_version(reader, blob, path)))
        .collect()
}

/// Says once on stderr from which day a shallow clone's history is complete.
pub fn announce_shallow(history: &History) {
    if let Some(day) = history.complete_from {
        eprintln!(
            "note: this is a shallow clone: history before {day} is not available \
             (fetch it with `git fetch --unshallow`; actions/checkout: `fetch-depth: 0`)"
        );
    }
}

/// One commit of the walk: its record, or what is needed to make it.
enum Step {
    Cached(Record),
    Fresh { info: git::CommitInfo, boundary: bool },
}

fn read(repo: &Repo, cache: Option<&dyn Memo>) -> anyhow::Result<History> {
    let reader = repo.reader();
    let Some(head) = reader.head() else { return Ok(History::default()) };
    let boundary: HashSet<ObjectId> = reader.shallow_boundary().into_iter().collect();
    let mut chain: Vec<(ObjectId, Step)> = Vec::new();
    let mut next = Some(head);
    while let Some(id) = next {
        let key = id.to_string();
        let cached = cache.and_then(|c| c.get(&key, 0)).and_then(|bytes| serde_json::from_slice::<Record>(bytes).ok());
        if let Some(record) = cached {
            next = record.parent.as_deref().and_then(|p| ObjectId::from_hex(p.as_bytes()).ok());
            chain.push((id, Step::Cached(record)));
            continue;
        }
        let info = reader.commit(id)?.ok_or_else(|| anyhow::anyhow!("commit {id} is missing"))?;
        let at_boundary = boundary.contains(&id);
        next = if at_boundary { None } else { info.first_parent };
        chain.push((id, Step::Fresh { info, boundary: at_boundary }));
    }
    chain.reverse();
    let complete_from = chain.first().and_then(|(_, step)| match step {
        Step::Fresh { info, boundary: true } => Some(info.date),
        Step::Cached(record) if record.parent.is_none() && !boundary.is_empty() => Some(record.date),
        _ => None,
    });
    let records = make_records(repo, chain, cache)?;
    Ok(assemble(records, complete_from))
}

/// Each commit's record: cached ones as they are, fresh ones diffed (in parallel) and their
/// dossiers compared with the last version of each that parsed.
fn make_records(
    repo: &Repo,
    chain: Vec<(ObjectId, Step)>,
    cache: Option<&dyn Memo>,
) -> anyhow::Result<Vec<(ObjectId, Record)>> {
    // The `content/` tree each commit is compared with: its first parent's.
    let contents: Vec<Option<ObjectId>> = chain
        .iter()
        .map(|(_, step)| match step {
            Step::Cached(r) => r.content.as_deref().and_then(|c| ObjectId::from_hex(c.as_bytes()).ok()),
            Step::Fresh { info, .. } => info.content,
        })
        .collect();
    let diffs: Vec<Option<Vec<git::FileChange>>> = chain
        .par_iter()
        .enumerate()
        .map_init(
            || repo.reader(),
            |reader, (i, (_, step))| match step {
                Step::Cached(_) => Ok(None),
                Step::Fresh { info, boundary } => {
                    let before = if *boundary || i == 0 { None } else { contents[i - 1] };
                    reader.diff_content(before, info.content).map(Some)
                }
            },
        )
        .collect::<anyhow::Result<_>>()?;
    let mut state = State::new(repo);
    let mut records = Vec::with_capacity(chain.len());
    // Fresh commits are compared in runs, each run's new blobs parsed in parallel first, so
    // memory holds one run's versions rather than the whole history's.
    let mut pending: Vec<(ObjectId, git::CommitInfo, bool, Vec<git::FileChange>)> = Vec::new();
    for ((id, step), diff) in chain.into_iter().zip(diffs) {
        match (step, diff) {
            (Step::Fresh { info, boundary }, Some(files)) => {
                pending.push((id, info, boundary, files));
                if pending.len() >= 2048 {
                    flush(&mut state, &mut pending, &mut records, cache);
                }
            }
            (Step::Cached(record), _) => {
                flush(&mut state, &mut pending, &mut records, cache);
                state.replay(&record);
                records.push((id, record));
            }
            (Step::Fresh { .. }, None) => {}
        }
    }
    flush(&mut state, &mut pending, &mut records, cache);
    Ok(records)
}

/// Records the pending fresh commits, oldest first, and keeps each record in the cache.
fn flush(
    state: &mut State<'_>,
    pending: &mut Vec<(ObjectId, git::CommitInfo, bool, Vec<git::FileChange>)>,
    records: &mut Vec<(ObjectId, Record)>,
    cache: Option<&dyn Memo>,
) {
    let blobs: HashSet<(ObjectId, &str)> = pending
        .iter()
        .flat_map(|(_, _, boundary, files)| files.iter().filter(move |_| !boundary))
        .filter(|f| is_dossier(&f.path))
        .filter_map(|f| f.new.map(|blob| (blob, f.path.as_str())))
        .collect();
    let blobs: Vec<(ObjectId, &str)> = blobs.into_iter().collect();
    let parsed: HashMap<ObjectId, Arc<Version>> = blobs
        .par_iter()
        .map_init(|| state.repo.reader(), |reader, (blob, path)| (*blob, Arc::new(read_version(reader, *blob, path))))
        .collect();
    state.parsed = parsed;
    for (id, info, boundary, files) in pending.drain(..) {
        let record = state.record(info, boundary, files);
        if let Some(cache) = cache
            && let Ok(json) = serde_json::to_vec(&record)
        {
            cache.put(&id.to_string(), 0, json);
        }
        records.push((id, record));
    }
    state.parsed.clear();
}

fn read_version(reader: &git::Reader, blob: ObjectId, path: &str) -> Version {
    match reader.blob(blob) {
        Ok(bytes) => events::parse_version(Path::new(path), &bytes),
        Err(e) => Err(format!("the file could not be read from git: {e}")),
    }
}

fn is_dossier(path: &str) -> bool {
    load::classify(Path::new(path)) == Some(InputKind::Dossier)
}

/// A dossier file's slug: its stem.
pub fn slug_of(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".md").unwrap_or(name).to_owned()
}

/// Each dossier path's current and last parsing version, while records are made.
struct State<'r> {
    repo: &'r Repo,
    reader: git::Reader,
    /// Path → (current blob, last blob that parsed).
    files: HashMap<String, (Option<ObjectId>, Option<ObjectId>)>,
    /// Versions of the run being recorded, by blob.
    parsed: HashMap<ObjectId, Arc<Version>>,
    /// Last parsing snapshot per path, once read.
    snapshots: HashMap<String, Arc<Version>>,
}

impl<'r> State<'r> {
    fn new(repo: &'r Repo) -> State<'r> {
        State { repo, reader: repo.reader(), files: HashMap::new(), parsed: HashMap::new(), snapshots: HashMap::new() }
    }

    /// Applies a cached record.
    fn replay(&mut self, record: &Record) {
        let blob = |b: &Option<String>| b.as_deref().and_then(|h| ObjectId::from_hex(h.as_bytes()).ok());
        let valid: HashMap<&str, &RecordEntry> = record.dossiers.iter().map(|e| (e.path.as_str(), e)).collect();
        for entry in &record.dossiers {
            if let Some(from) = &entry.renamed_from {
                if let Some(state) = self.files.remove(from) {
                    self.files.insert(entry.path.clone(), state);
                }
                if let Some(snapshot) = self.snapshots.remove(from) {
                    self.snapshots.insert(entry.path.clone(), snapshot);
                }
            }
        }
        for (path, new) in &record.files {
            if !is_dossier(path) {
                continue;
            }
            let new = blob(new);
            let last = self.files.get(path).and_then(|f| f.1);
            let parsed_ok = valid.get(path.as_str()).is_none_or(|e| e.valid);
            let last = if parsed_ok && new.is_some() { new } else { last };
            if last != self.files.get(path).and_then(|f| f.1) {
                self.snapshots.remove(path);
            }
            if new.is_none() {
                self.files.remove(path);
                self.snapshots.remove(path);
            } else {
                self.files.insert(path.clone(), (new, last));
            }
        }
    }

    /// The last version of `path` that parsed, read from git the first time it is needed.
    fn last_snapshot(&mut self, path: &str) -> Option<Arc<Version>> {
        if let Some(s) = self.snapshots.get(path) {
            return Some(s.clone());
        }
        let blob = self.files.get(path)?.1?;
        let version = match self.parsed.get(&blob) {
            Some(v) => v.clone(),
            None => Arc::new(read_version(&self.reader, blob, path)),
        };
        self.snapshots.insert(path.to_owned(), version.clone());
        Some(version)
    }

    fn version(&self, blob: ObjectId, path: &str) -> Arc<Version> {
        self.parsed.get(&blob).cloned().unwrap_or_else(|| Arc::new(read_version(&self.reader, blob, path)))
    }

    /// Makes a fresh commit's record and applies it.
    fn record(&mut self, info: git::CommitInfo, boundary: bool, files: Vec<git::FileChange>) -> Record {
        let mut dossiers = Vec::new();
        if !boundary {
            let changed: Vec<&git::FileChange> = files.iter().filter(|f| is_dossier(&f.path)).collect();
            let renames = self.renames(&changed);
            for file in &changed {
                if renames.values().any(|from| from == &file.path) {
                    continue;
                }
                if let Some(entry) = self.compare(file, renames.get(&file.path)) {
                    dossiers.push(entry);
                }
            }
        }
        let record = Record {
            parent: if boundary { None } else { info.first_parent.map(|p| p.to_string()) },
            date: info.date,
            subject: info.subject,
            content: info.content.map(|c| c.to_string()),
            files: files.iter().map(|f| (f.path.clone(), f.new.map(|b| b.to_string()))).collect(),
            dossiers,
        };
        self.replay(&record);
        // A version parsed for this record is the path's last parsing one when it parsed.
        for entry in record.dossiers.iter().filter(|e| e.valid) {
            if let Some(blob) = files.iter().find(|f| f.path == entry.path).and_then(|f| f.new)
                && let Some(version) = self.parsed.get(&blob)
            {
                self.snapshots.insert(entry.path.clone(), version.clone());
            }
        }
        record
    }

    /// Added path → removed path, for dossiers renamed in one commit: the same blob, or failing
    /// that, versions that share most claims.
    fn renames(&mut self, changed: &[&git::FileChange]) -> HashMap<String, String> {
        let removed: Vec<&&git::FileChange> = changed.iter().filter(|f| f.new.is_none()).collect();
        let added: Vec<&&git::FileChange> = changed.iter().filter(|f| f.old.is_none()).collect();
        let mut pairs = HashMap::new();
        if removed.is_empty() || added.is_empty() {
            return pairs;
        }
        let mut taken = HashSet::new();
        for exact in [true, false] {
            for add in &added {
                if pairs.contains_key(&add.path) {
                    continue;
                }
                let Some(new_blob) = add.new else { continue };
                let new_version = self.version(new_blob, &add.path);
                for gone in removed.iter().filter(|g| !taken.contains(&g.path)) {
                    let same = if exact {
                        gone.old == add.new
                    } else {
                        match (self.last_snapshot(&gone.path).as_deref(), new_version.as_ref()) {
                            (Some(Ok(before)), Ok(after)) => events::same_dossier(before, after),
                            _ => false,
                        }
                    };
                    if same {
                        taken.insert(gone.path.clone());
                        pairs.insert(add.path.clone(), gone.path.clone());
                        break;
                    }
                }
            }
        }
        pairs
    }

    /// The entry for one changed dossier file.
    fn compare(&mut self, file: &git::FileChange, renamed_from: Option<&String>) -> Option<RecordEntry> {
        let Some(new_blob) = file.new else {
            return Some(RecordEntry {
                path: file.path.clone(),
                renamed_from: None,
                valid: true,
                changes: vec![Change::DossierRemoved],
            });
        };
        let version = self.version(new_blob, &file.path);
        let mut changes = Vec::new();
        let previous_path = renamed_from.unwrap_or(&file.path);
        match renamed_from {
            Some(from) => changes.push(Change::DossierRenamed { from: slug_of(from) }),
            None if file.old.is_none() => changes.push(Change::DossierAdded),
            None => {}
        }
        let existed = renamed_from.is_some() || file.old.is_some();
        let before = if existed { self.last_snapshot(previous_path) } else { None };
        let valid = match version.as_ref() {
            Ok(now) => {
                let old = before.as_deref().and_then(|v| v.as_ref().ok());
                changes.extend(events::compare(old, now));
                true
            }
            Err(problem) => {
                changes.push(Change::InvalidRevision { problem: problem.clone() });
                false
            }
        };
        if changes.is_empty() {
            changes.push(Change::Edited);
        }
        Some(RecordEntry { path: file.path.clone(), renamed_from: renamed_from.cloned(), valid, changes })
    }
}

/// Turns the records (oldest first) into the history readers see.
fn assemble(records: Vec<(ObjectId, Record)>, complete_from: Option<Date>) -> History {
    let mut history = History { complete_from, ..History::default() };
    // Path → the entries of the dossier now at that path.
    let mut by_path: HashMap<String, Vec<Entry>> = HashMap::new();
    for (id, record) in &records {
        if record.dossiers.is_empty() {
            continue;
        }
        let commit = history.commits.len();
        history.commits.push(Commit { id: id.to_string(), date: record.date, subject: record.subject.clone() });
        for entry in &record.dossiers {
            let mut entries = entry.renamed_from.as_ref().and_then(|from| by_path.remove(from)).unwrap_or_default();
            if let Some(earlier) = by_path.remove(&entry.path) {
                entries.extend(earlier);
                entries.sort_by_key(|e| e.commit);
            }
            entries.push(Entry { commit, slug: slug_of(&entry.path), changes: entry.changes.clone() });
            by_path.insert(entry.path.clone(), entries);
        }
    }
    history.dossiers = by_path.into_iter().map(|(path, entries)| (slug_of(&path), entries)).collect();
    for (_, record) in records.iter().rev() {
        for (path, _) in &record.files {
            history.edited.entry(path.clone()).or_insert(record.date);
        }
    }
    history
}
