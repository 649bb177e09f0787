//! The record over time: the history of `content/` read from git in-process and turned into
//! claim-level changes per dossier (the one seam every history page, feed, data file, `diff`
//! and `check --changed-since` read through).
//!
//! Consumes the wiki root (and a [`Memo`] the build cache keeps); produces a [`History`]: each commit of
//! the published branch's first-parent line that changed a dossier, and per dossier its
//! [`Entry`]s. Walking first parents dates a pull request by the day it reached the branch,
//! whether it was merged, squashed or rebased. Without git, or in a damaged repository, there
//! is no history and the build goes on.
//!
//! How it reads 50,000 commits quickly:
//! - The walk reads commit headers only; the `content/` trees of consecutive commits are then
//!   compared in parallel runs, each run on one reader whose pack cache holds the tree it just
//!   read (git stores each tree as a delta on the one before) and which finds the files a commit
//!   edited by comparing the trees' bytes rather than their entries.
//! - Each dossier's versions (its *line*, which a rename continues) are then read in order on
//!   one thread, so each blob is a delta on the one just read, and compared one after another;
//!   lines run in parallel. A blob is parsed once, when its line reaches it.
//! - What was read is kept in the build cache under the newest commit it covers ([`Walked`]):
//!   the history so far and each dossier file's blob and last blob that parsed, in parts a new
//!   commit rewrites only where it changed them, and that last blob's parsed version under its
//!   id. The next build walks back only to that commit, reads just the commits after it, and
//!   reads from git and parses only their new blobs.

pub mod events;
mod git;
mod reread;
pub mod review;
#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
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

/// The version of what the memo keeps ([`Walked`]'s parts, parsed versions): a change to them,
/// or to [`Change`] or [`Snapshot`], bumps it.
pub const CACHE_FORMAT: u32 = 3;

/// A commit of the published branch's first-parent line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    /// The full hexadecimal id.
    pub id: String,
    pub date: Date,
    pub subject: String,
}

/// What one commit changed in one dossier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Index into [`History::commits`].
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

/// Reads the history of the repository holding `root`; empty without git. What an earlier
/// build read is taken from `memo`, and what this one read is kept there. A problem is logged
/// and yields no history, never a failed build.
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

fn read(repo: &Repo, memo: Option<&dyn Memo>) -> anyhow::Result<History> {
    let reader = repo.reader();
    let Some(head) = reader.head() else { return Ok(History::default()) };
    let boundary: HashSet<ObjectId> = reader.shallow_boundary().into_iter().collect();
    // An earlier walk that stopped at a shallow clone's edge is kept only while that edge is.
    let saved = memo
        .and_then(Walked::load)
        .filter(|w| w.shallow_root.as_deref().and_then(oid).is_none_or(|root| boundary.contains(&root)));
    let stop = saved.as_ref().and_then(|w| w.tip.as_deref()).and_then(oid);
    let mut chain = Vec::new();
    let mut reached = false;
    let mut next = Some(head);
    while let Some(id) = next {
        if Some(id) == stop {
            reached = true;
            break;
        }
        let header = reader.header(id)?.ok_or_else(|| anyhow::anyhow!("commit {id} is missing"))?;
        let at_boundary = boundary.contains(&id);
        next = if at_boundary { None } else { header.first_parent };
        chain.push((header, at_boundary));
    }
    chain.reverse();
    // A saved walk whose newest commit is not on the line (history rewritten) is of no use.
    let (mut walked, continued) = match saved {
        Some(saved) if reached => (saved, true),
        _ => (Walked::default(), false),
    };
    let known = walked.commits.len();
    let read_new = !chain.is_empty();
    let touched = if read_new { walked.extend(repo, &reader, chain, memo)? } else { HashSet::new() };
    if let Some(memo) = memo {
        walked.keep_parsed(memo);
        if read_new {
            walked.save(memo, continued.then_some((known, &touched)));
        }
    }
    Ok(walked.into_history())
}

fn oid(hex: &str) -> Option<ObjectId> {
    ObjectId::from_hex(hex.as_bytes()).ok()
}

/// The version of the dossier at `path` in `blob`.
fn read_version(reader: &git::Reader, blob: ObjectId, path: &str) -> Version {
    read_blob(reader, blob).and_then(|bytes| events::parse_version(Path::new(path), &bytes))
}

/// A blob's bytes, or what a history page says when git cannot give them.
fn read_blob(reader: &git::Reader, blob: ObjectId) -> Result<Vec<u8>, String> {
    reader.blob(blob).map_err(|e| format!("the file could not be read from git: {e}"))
}

fn is_dossier(path: &str) -> bool {
    load::classify(Path::new(path)) == Some(InputKind::Dossier)
}

/// A dossier file's slug: its stem.
pub fn slug_of(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".md").unwrap_or(name).to_owned()
}

/// The history read up to a commit: enough to go on from that commit. The memo keeps it in
/// parts, so a build after one new commit reads and writes only what changed (see
/// [`Walked::load`] and [`Walked::save`]).
#[derive(Debug, Default)]
struct Walked {
    /// The newest commit read, and its `content/` tree.
    tip: Option<String>,
    tip_content: Option<String>,
    /// In a shallow clone, the oldest commit it holds, where the walk stopped.
    shallow_root: Option<String>,
    complete_from: Option<Date>,
    /// The commits that changed a dossier, oldest first.
    commits: Vec<Commit>,
    /// Path → the entries of the dossier now (or last) at that path, oldest first.
    by_path: BTreeMap<String, Vec<Entry>>,
    /// Each dossier file at `tip` → its blob and the last blob of it that parsed.
    files: BTreeMap<String, (String, Option<String>)>,
    edited: BTreeMap<String, Date>,
}

/// The memo key of the walked history's head: its [`Head`].
const WALKED: &str = "walked";

/// Commits per memo entry of the commit list: a new commit rewrites the last one only.
const COMMITS_PER_PART: usize = 512;

/// Memo entries the paths' state is spread over, by a hash of the path: a new commit rewrites
/// the ones holding the paths it touched.
const PATH_PARTS: u64 = 256;

/// What the memo keeps under [`WALKED`].
#[derive(Serialize, Deserialize)]
struct Head {
    tip: Option<String>,
    tip_content: Option<String>,
    shallow_root: Option<String>,
    complete_from: Option<Date>,
    /// How many commits the commit list holds.
    commits: usize,
}

/// The state of the paths whose hash falls in one part: [`Walked`]'s maps, cut down to them.
#[derive(Deserialize)]
struct PathPart {
    by_path: BTreeMap<String, Vec<Entry>>,
    files: BTreeMap<String, (String, Option<String>)>,
    edited: BTreeMap<String, Date>,
}

/// A [`PathPart`] as saved, borrowing from [`Walked`].
#[derive(Default, Serialize)]
struct PartRef<'a> {
    by_path: BTreeMap<&'a str, &'a Vec<Entry>>,
    files: BTreeMap<&'a str, &'a (String, Option<String>)>,
    edited: BTreeMap<&'a str, &'a Date>,
}

fn commits_key(part: usize) -> String {
    format!("commits {part}")
}

fn paths_key(part: u64) -> String {
    format!("paths {part}")
}

fn part_of(path: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(path.as_bytes()) % PATH_PARTS
}

fn decode<T: serde::de::DeserializeOwned>(memo: &dyn Memo, key: &str) -> Option<T> {
    ciborium::from_reader(memo.get(key, 0)?).ok()
}

fn encode(memo: &dyn Memo, key: &str, value: &impl Serialize) {
    let mut bytes = Vec::new();
    if ciborium::into_writer(value, &mut bytes).is_ok() {
        memo.put(key, 0, bytes);
    }
}

/// The memo key of a blob's parsed version. Only versions that parsed are kept: they are what
/// a dossier's next version is compared with.
fn parsed_key(blob: ObjectId) -> String {
    format!("parsed {blob}")
}

/// The version in `blob` as an earlier build parsed it, if the memo holds it.
fn parsed(memo: Option<&dyn Memo>, blob: ObjectId) -> Option<Arc<Version>> {
    decode::<Snapshot>(memo?, &parsed_key(blob)).map(|snapshot| Arc::new(Ok(snapshot)))
}

/// The version of the dossier at `path` in `blob`: from the memo, or else read from git.
fn start_version(reader: &git::Reader, memo: Option<&dyn Memo>, blob: ObjectId, path: &str) -> Version {
    match parsed(memo, blob) {
        Some(version) => version.as_ref().clone(),
        None => read_version(reader, blob, path),
    }
}

/// A dossier file while new commits are read: its blob, the last blob that parsed before them,
/// and the line its versions in them belong to.
struct Live {
    blob: ObjectId,
    last_valid: Option<ObjectId>,
    line: Option<usize>,
}

/// The versions of one dossier in the commits being read, a rename continuing it.
#[derive(Default)]
struct Line {
    /// The last version that parsed before these commits: path and blob.
    start: Option<(String, ObjectId)>,
    steps: Vec<Step>,
}

/// One commit's change to a dossier file.
struct Step {
    /// Index into the commits being read, and the file's place among that commit's changes.
    at: usize,
    order: usize,
    path: String,
    kind: StepKind,
}

impl StepKind {
    fn blob(&self) -> Option<ObjectId> {
        match self {
            StepKind::Added(blob) | StepKind::Modified(blob) | StepKind::Renamed { blob, .. } => Some(*blob),
            StepKind::Removed => None,
        }
    }
}

impl Step {
    fn found(&self, renamed_from: Option<String>, changes: Vec<Change>) -> Found {
        Found { at: self.at, order: self.order, path: self.path.clone(), renamed_from, changes }
    }
}

enum StepKind {
    Added(ObjectId),
    Modified(ObjectId),
    Renamed { from: String, blob: ObjectId },
    Removed,
}

/// What comparing a line's versions gave: each step's changes, and the last blob that parsed.
struct LineOutcome {
    entries: Vec<Found>,
    last_valid: Option<ObjectId>,
    /// The last version that parsed, when this build parsed it (rather than took it from the
    /// memo): the memo keeps it for the next build.
    parsed: Option<(ObjectId, Arc<Version>)>,
}

/// The changes one step made.
#[derive(Clone)]
struct Found {
    at: usize,
    order: usize,
    path: String,
    renamed_from: Option<String>,
    changes: Vec<Change>,
}

impl Walked {
    /// What an earlier build kept in `memo`; `None` if any part of it is missing or damaged.
    fn load(memo: &dyn Memo) -> Option<Walked> {
        let _span = tracing::info_span!("history cache read").entered();
        let head: Head = decode(memo, WALKED)?;
        let commits: Vec<Vec<Commit>> = (0..head.commits.div_ceil(COMMITS_PER_PART))
            .into_par_iter()
            .map(|part| decode(memo, &commits_key(part)))
            .collect::<Option<_>>()?;
        let commits: Vec<Commit> = commits.into_iter().flatten().collect();
        if commits.len() != head.commits {
            return None;
        }
        let parts: Vec<PathPart> =
            (0..PATH_PARTS).into_par_iter().map(|part| decode(memo, &paths_key(part))).collect::<Option<_>>()?;
        let mut walked = Walked {
            tip: head.tip,
            tip_content: head.tip_content,
            shallow_root: head.shallow_root,
            complete_from: head.complete_from,
            commits,
            ..Walked::default()
        };
        for part in parts {
            walked.by_path.extend(part.by_path);
            walked.files.extend(part.files);
            walked.edited.extend(part.edited);
        }
        Some(walked)
    }

    /// Keeps this in `memo`: whole, or when it continues what the memo held, only what changed
    /// since (`since`: how many commits the list held then, and the paths touched after).
    fn save(&self, memo: &dyn Memo, since: Option<(usize, &HashSet<String>)>) {
        let _span = tracing::info_span!("history cache write").entered();
        let head = Head {
            tip: self.tip.clone(),
            tip_content: self.tip_content.clone(),
            shallow_root: self.shallow_root.clone(),
            complete_from: self.complete_from,
            commits: self.commits.len(),
        };
        encode(memo, WALKED, &head);
        let first = since.map_or(0, |(known, _)| known / COMMITS_PER_PART);
        (first..self.commits.len().div_ceil(COMMITS_PER_PART)).into_par_iter().for_each(|part| {
            let end = ((part + 1) * COMMITS_PER_PART).min(self.commits.len());
            encode(memo, &commits_key(part), &&self.commits[part * COMMITS_PER_PART..end]);
        });
        let dirty: BTreeSet<u64> = match since {
            Some((_, touched)) => touched.iter().map(|path| part_of(path)).collect(),
            None => (0..PATH_PARTS).collect(),
        };
        let mut parts: BTreeMap<u64, PartRef<'_>> = dirty.into_iter().map(|p| (p, PartRef::default())).collect();
        for (path, entries) in &self.by_path {
            if let Some(part) = parts.get_mut(&part_of(path)) {
                part.by_path.insert(path, entries);
            }
        }
        for (path, file) in &self.files {
            if let Some(part) = parts.get_mut(&part_of(path)) {
                part.files.insert(path, file);
            }
        }
        for (path, date) in &self.edited {
            if let Some(part) = parts.get_mut(&part_of(path)) {
                part.edited.insert(path, date);
            }
        }
        parts.par_iter().for_each(|(&part, state)| encode(memo, &paths_key(part), state));
    }

    /// Marks the parsed version of each dossier file's last blob that parsed as still needed,
    /// so the memo keeps it without this build reading it.
    fn keep_parsed(&self, memo: &dyn Memo) {
        for last in self.files.values().filter_map(|(_, last)| last.as_deref()) {
            memo.get(&format!("parsed {last}"), 0);
        }
    }

    /// Reads `chain` (commits after `tip`, oldest first, each with whether a shallow clone
    /// ends there) on top of what was read, taking versions earlier builds parsed from `memo`
    /// and keeping there the ones the next build will compare with. Returns every path the
    /// commits touched.
    fn extend(
        &mut self,
        repo: &Repo,
        reader: &git::Reader,
        chain: Vec<(git::CommitHeader, bool)>,
        memo: Option<&dyn Memo>,
    ) -> anyhow::Result<HashSet<String>> {
        if self.tip.is_none()
            && let Some((first, true)) = chain.first()
        {
            self.shallow_root = Some(first.id.to_string());
            self.complete_from = Some(first.date);
        }
        let diffs = {
            let _span = tracing::info_span!("history trees", commits = chain.len()).entered();
            diff_chain(repo, &chain, self.tip_content.as_deref().and_then(oid))?
        };
        let mut live: HashMap<String, Live> = std::mem::take(&mut self.files)
            .into_iter()
            .filter_map(|(path, (blob, last))| {
                Some((path, Live { blob: oid(&blob)?, last_valid: last.as_deref().and_then(oid), line: None }))
            })
            .collect();
        let mut lines: Vec<Line> = Vec::new();
        for (at, ((_, boundary), (_, files))) in chain.iter().zip(&diffs).enumerate() {
            if *boundary {
                // History starts here: every file is where the record begins, and taken as parsing.
                for file in files.iter().filter(|f| is_dossier(&f.path)) {
                    if let Some(blob) = file.new {
                        live.insert(file.path.clone(), Live { blob, last_valid: Some(blob), line: None });
                    }
                }
                continue;
            }
            let changed: Vec<&git::FileChange> = files.iter().filter(|f| is_dossier(&f.path)).collect();
            let renames = renames(reader, memo, &changed, &live, &lines);
            for (order, file) in changed.iter().enumerate() {
                if renames.values().any(|from| from == &file.path) {
                    continue;
                }
                let path = file.path.clone();
                let (line, kind) = match (file.new, renames.get(&file.path)) {
                    (None, _) => (live.remove(&path).map(|l| line_of(&mut lines, &path, l)), StepKind::Removed),
                    (Some(blob), Some(from)) => {
                        let line = live.remove(from).map(|l| line_of(&mut lines, from, l));
                        (line, StepKind::Renamed { from: from.clone(), blob })
                    }
                    (Some(blob), None) if file.old.is_none() => (None, StepKind::Added(blob)),
                    (Some(blob), None) => {
                        (live.remove(&path).map(|l| line_of(&mut lines, &path, l)), StepKind::Modified(blob))
                    }
                };
                let line = line.unwrap_or_else(|| {
                    lines.push(Line::default());
                    lines.len() - 1
                });
                if let Some(blob) = file.new {
                    let last_valid = lines[line].start.as_ref().map(|(_, b)| *b);
                    live.insert(path.clone(), Live { blob, last_valid, line: Some(line) });
                }
                lines[line].steps.push(Step { at, order, path, kind });
            }
        }
        let outcomes: Vec<LineOutcome> = {
            let _span = tracing::info_span!("history versions", dossiers = lines.len()).entered();
            lines.par_iter().map_init(|| repo.reader(), |r, line| line.compare(r, memo)).collect()
        };
        if let Some(memo) = memo {
            for (blob, version) in live.values().filter_map(|l| outcomes[l.line?].parsed.as_ref()) {
                if let Ok(snapshot) = version.as_ref() {
                    encode(memo, &parsed_key(*blob), snapshot);
                }
            }
        }
        self.files = live
            .into_iter()
            .map(|(path, l)| {
                let last = l.line.map_or(l.last_valid, |i| outcomes[i].last_valid.or(l.last_valid));
                (path, (l.blob.to_string(), last.map(|b| b.to_string())))
            })
            .collect();
        let touched: HashSet<String> = diffs.iter().flat_map(|(_, files)| files).map(|f| f.path.clone()).collect();
        let mut per_commit: Vec<Vec<Found>> = vec![Vec::new(); chain.len()];
        for found in outcomes.into_iter().flat_map(|o| o.entries) {
            per_commit[found.at].push(found);
        }
        for (((header, _), (content, files)), mut entries) in chain.iter().zip(&diffs).zip(per_commit) {
            for file in files {
                self.edited.insert(file.path.clone(), header.date);
            }
            self.tip = Some(header.id.to_string());
            self.tip_content = content.map(|c| c.to_string());
            if entries.is_empty() {
                continue;
            }
            entries.sort_by_key(|e| e.order);
            let commit = self.commits.len();
            self.commits.push(Commit { id: header.id.to_string(), date: header.date, subject: header.subject.clone() });
            for Found { path, renamed_from, changes, .. } in entries {
                let mut list = renamed_from.and_then(|from| self.by_path.remove(&from)).unwrap_or_default();
                if let Some(earlier) = self.by_path.remove(&path) {
                    list.extend(earlier);
                    list.sort_by_key(|e| e.commit);
                }
                list.push(Entry { commit, slug: slug_of(&path), changes });
                self.by_path.insert(path, list);
            }
        }
        Ok(touched)
    }

    fn into_history(self) -> History {
        let dossiers = self.by_path.into_iter().map(|(path, entries)| (slug_of(&path), entries)).collect();
        History { commits: self.commits, dossiers, complete_from: self.complete_from, edited: self.edited }
    }
}

/// The line of a live file, started (from its last version that parsed) if it has none yet.
fn line_of(lines: &mut Vec<Line>, path: &str, live: Live) -> usize {
    live.line.unwrap_or_else(|| {
        lines.push(Line { start: live.last_valid.map(|b| (path.to_owned(), b)), steps: Vec::new() });
        lines.len() - 1
    })
}

/// Each commit's `content/` tree and the files it changed there, compared in parallel runs of
/// consecutive commits (see the module docs). `before` is the tree the first commit follows.
fn diff_chain(
    repo: &Repo,
    chain: &[(git::CommitHeader, bool)],
    before: Option<ObjectId>,
) -> anyhow::Result<Vec<(Option<ObjectId>, Vec<git::FileChange>)>> {
    let runs = (rayon::current_num_threads() * 4).max(1);
    let size = chain.len().div_ceil(runs).max(64);
    let starts: Vec<usize> = (0..chain.len()).step_by(size).collect();
    let diffed: Vec<Vec<(Option<ObjectId>, Vec<git::FileChange>)>> = starts
        .par_iter()
        .map(|&start| {
            let reader = repo.reader();
            let run = &chain[start..(start + size).min(chain.len())];
            let previous = match start.checked_sub(1) {
                Some(i) => reader.content_of(chain[i].0.tree)?,
                None => before,
            };
            let contents: Vec<Option<ObjectId>> =
                run.iter().map(|(header, _)| reader.content_of(header.tree)).collect::<anyhow::Result<_>>()?;
            // Newest first: git stores the newest version whole and older ones as deltas on it.
            let mut out = Vec::with_capacity(run.len());
            for (i, (_, boundary)) in run.iter().enumerate().rev() {
                let old = if *boundary { None } else { i.checked_sub(1).map_or(previous, |j| contents[j]) };
                out.push((contents[i], reader.diff_content(old, contents[i])?));
            }
            out.reverse();
            Ok(out)
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(diffed.into_iter().flatten().collect())
}

/// Added path → removed path, for dossiers renamed in one commit.
fn renames(
    reader: &git::Reader,
    memo: Option<&dyn Memo>,
    changed: &[&git::FileChange],
    live: &HashMap<String, Live>,
    lines: &[Line],
) -> HashMap<String, String> {
    let removed: Vec<&git::FileChange> = changed.iter().copied().filter(|f| f.new.is_none()).collect();
    let added: Vec<&git::FileChange> = changed.iter().copied().filter(|f| f.old.is_none()).collect();
    if removed.is_empty() || added.is_empty() {
        return HashMap::new();
    }
    let pairs = pair_renames(
        &added.iter().map(|f| f.new).collect::<Vec<_>>(),
        &removed.iter().map(|f| f.old).collect::<Vec<_>>(),
        |r| last_valid_version(reader, memo, &removed[r].path, live, lines),
        |a| added[a].new.map(|blob| read_version(reader, blob, &added[a].path)),
    );
    pairs.into_iter().map(|(a, r)| (added[a].path.clone(), removed[r].path.clone())).collect()
}

/// Pairs added dossier files with the removed ones they were renamed from, as `(added,
/// removed)` indexes: the same blob first, then, for each added file left in order, the first
/// removed one left whose version shares most claims with it ([`events::same_dossier`]).
/// `before` and `after` read a removed and an added file's version, when needed and once.
fn pair_renames(
    added: &[Option<ObjectId>],
    removed: &[Option<ObjectId>],
    mut before: impl FnMut(usize) -> Option<Version>,
    mut after: impl FnMut(usize) -> Option<Version>,
) -> Vec<(usize, usize)> {
    let mut taken = vec![false; removed.len()];
    let mut pairs = Vec::new();
    for (a, blob) in added.iter().enumerate().filter(|(_, blob)| blob.is_some()) {
        if let Some(r) = (0..removed.len()).find(|&r| !taken[r] && removed[r] == *blob) {
            taken[r] = true;
            pairs.push((a, r));
        }
    }
    let mut befores: Vec<Option<Option<Version>>> = vec![None; removed.len()];
    for a in 0..added.len() {
        if pairs.iter().any(|&(paired, _)| paired == a) || taken.iter().all(|t| *t) {
            continue;
        }
        let Some(Ok(now)) = after(a) else { continue };
        for r in 0..removed.len() {
            if taken[r] {
                continue;
            }
            let was = befores[r].get_or_insert_with(|| before(r));
            if matches!(was, Some(Ok(was)) if events::same_dossier(was, &now)) {
                taken[r] = true;
                pairs.push((a, r));
                break;
            }
        }
    }
    pairs
}

/// The last version of a live file that parsed, read again: the newest of its versions in the
/// commits being read that parses, or else the one before them (from the memo if it holds it).
fn last_valid_version(
    reader: &git::Reader,
    memo: Option<&dyn Memo>,
    path: &str,
    live: &HashMap<String, Live>,
    lines: &[Line],
) -> Option<Version> {
    let file = live.get(path)?;
    let line = file.line.and_then(|i| lines.get(i));
    let blobs =
        line.into_iter().flat_map(|l| l.steps.iter().rev()).filter_map(|step| Some((&step.path, step.kind.blob()?)));
    for (path, blob) in blobs {
        let version = read_version(reader, blob, path);
        if version.is_ok() {
            return Some(version);
        }
    }
    let (path, blob) = match line {
        Some(line) => line.start.as_ref().map(|(p, b)| (p.as_str(), *b))?,
        None => (path, file.last_valid?),
    };
    Some(start_version(reader, memo, blob, path))
}

impl Line {
    /// Reads the line's versions, newest first (git stores older versions as deltas on newer
    /// ones), then compares each, oldest first, with the last one that parsed. The version
    /// before them is taken from `memo` when it holds it.
    fn compare(&self, reader: &mut git::Reader, memo: Option<&dyn Memo>) -> LineOutcome {
        let compared =
            self.steps.iter().any(|step| matches!(step.kind, StepKind::Modified(_) | StepKind::Renamed { .. }));
        let start = self.start.as_ref().filter(|_| compared).map(|(path, blob)| (path.as_str(), *blob));
        let cached = start.and_then(|(_, blob)| Some((blob, parsed(memo, blob)?)));
        let newest_first = self.steps.iter().rev().filter_map(|step| Some((step.path.as_str(), step.kind.blob()?)));
        let mut bytes: HashMap<ObjectId, Result<Vec<u8>, String>> = HashMap::new();
        for (_, blob) in newest_first.chain(start.filter(|_| cached.is_none())) {
            bytes.entry(blob).or_insert_with(|| read_blob(reader, blob));
        }
        let oldest_first =
            start.into_iter().chain(self.steps.iter().filter_map(|step| Some((step.path.as_str(), step.kind.blob()?))));
        let from_memo = cached.as_ref().map(|(blob, _)| *blob);
        let mut versions: HashMap<ObjectId, Arc<Version>> = cached.into_iter().collect();
        let mut known = None;
        for (path, blob) in oldest_first {
            if versions.contains_key(&blob) {
                continue;
            }
            let Some(read) = bytes.get(&blob) else { continue };
            let version = match read {
                Ok(bytes) => reread::next(&mut known, Path::new(path), bytes),
                Err(problem) => {
                    known = None;
                    Arc::new(Err(problem.clone()))
                }
            };
            versions.insert(blob, version);
        }
        let mut last_valid: Option<(ObjectId, Arc<Version>)> = None;
        let mut start = start;
        let mut entries = Vec::with_capacity(self.steps.len());
        for step in &self.steps {
            let (blob, mut changes, existed) = match &step.kind {
                StepKind::Removed => {
                    entries.push(step.found(None, vec![Change::DossierRemoved]));
                    continue;
                }
                StepKind::Added(blob) => (*blob, vec![Change::DossierAdded], false),
                StepKind::Modified(blob) => (*blob, Vec::new(), true),
                StepKind::Renamed { from, blob } => (*blob, vec![Change::DossierRenamed { from: slug_of(from) }], true),
            };
            let Some(version) = versions.get(&blob).cloned() else { continue };
            if !existed {
                last_valid = None;
                start = None;
            }
            if last_valid.is_none()
                && let Some((_, blob)) = start.take()
            {
                last_valid = versions.get(&blob).map(|v| (blob, v.clone()));
            }
            match version.as_ref() {
                Ok(now) => {
                    let before = last_valid.as_ref().and_then(|(_, v)| v.as_ref().as_ref().ok());
                    changes.extend(events::compare(before, now));
                    last_valid = Some((blob, version.clone()));
                }
                Err(problem) => changes.push(Change::InvalidRevision { problem: problem.clone() }),
            }
            if changes.is_empty() {
                changes.push(Change::Edited);
            }
            let renamed_from = match &step.kind {
                StepKind::Renamed { from, .. } => Some(from.clone()),
                _ => None,
            };
            entries.push(step.found(renamed_from, changes));
        }
        let parsed = last_valid.clone().filter(|(blob, _)| Some(*blob) != from_memo);
        let last_valid = last_valid.map(|(blob, _)| blob).or_else(|| self.start.as_ref().map(|(_, b)| *b));
        LineOutcome { entries, last_valid, parsed }
    }
}
