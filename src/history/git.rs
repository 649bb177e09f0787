//! The git seam: commits, trees and blobs read in-process from the object database (gitoxide),
//! never a process per revision.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::objs::TreeRefIter;
use gix::objs::tree::EntryRef;

use crate::model::Date;

/// A repository holding a wiki, and where the wiki's root sits in it.
#[derive(Clone)]
pub struct Repo {
    shared: gix::ThreadSafeRepository,
    /// The wiki root relative to the work tree, `/`-separated, empty or ending in `/`.
    prefix: String,
    workdir: PathBuf,
}

/// One commit, as the record dates and names it.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub id: ObjectId,
    pub first_parent: Option<ObjectId>,
    /// The committer's day in UTC, the clock every other date is compared on, so a commit
    /// made east or west of UTC is dated as CI dates it.
    pub date: Date,
    pub subject: String,
    /// The tree of the wiki's `content/` folder, if the commit has one.
    pub content: Option<ObjectId>,
}

/// A file under `content/` that a commit added, changed or removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// Relative to the wiki root: `content/...`.
    pub path: String,
    pub old: Option<ObjectId>,
    pub new: Option<ObjectId>,
}

impl Repo {
    /// The repository that holds `root`, or `None` when it is in none.
    pub fn open(root: &Path) -> Option<Repo> {
        let shared = gix::ThreadSafeRepository::discover(root).ok()?;
        let workdir = shared.work_dir()?.to_path_buf();
        let canonical = |p: &Path| std::fs::canonicalize(p).ok();
        let inside = canonical(root)?.strip_prefix(canonical(&workdir)?).ok()?.to_path_buf();
        let mut prefix = String::new();
        for part in inside.iter() {
            prefix.push_str(part.to_str()?);
            prefix.push('/');
        }
        Some(Repo { shared, prefix, workdir })
    }

    /// The work tree's top folder.
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// A reader for this thread (gitoxide's handles are not shared between threads).
    pub fn reader(&self) -> Reader {
        let mut repo = self.shared.to_thread_local();
        repo.object_cache_size_if_unset(4 * 1024 * 1024);
        Reader { repo, prefix: self.prefix.clone() }
    }
}

/// Reads objects on one thread, keeping a small cache of recently read ones.
pub struct Reader {
    repo: gix::Repository,
    prefix: String,
}

impl Reader {
    /// The commit `HEAD` names, or `None` on an unborn branch.
    pub fn head(&self) -> Option<ObjectId> {
        self.repo.head_id().ok().map(|id| id.detach())
    }

    /// The commit a revision (`origin/main`, `HEAD~2`, a hash) names.
    pub fn resolve(&self, spec: &str) -> anyhow::Result<ObjectId> {
        let repo = &self.repo;
        let id = repo.rev_parse_single(spec).map_err(|e| anyhow::anyhow!("{e}"))?;
        let commit = id.object()?.peel_to_commit().map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(commit.id)
    }

    /// The best common ancestor of two commits.
    pub fn merge_base(&self, one: ObjectId, two: ObjectId) -> anyhow::Result<Option<ObjectId>> {
        let repo = &self.repo;
        Ok(repo.merge_base(one, two).map_err(|e| anyhow::anyhow!("{e}"))?.map(|id| id.detach()))
    }

    /// The commits whose parents a shallow clone lacks.
    pub fn shallow_boundary(&self) -> Vec<ObjectId> {
        let repo = &self.repo;
        repo.shallow_commits().ok().flatten().map(|commits| commits.iter().copied().collect()).unwrap_or_default()
    }

    /// Reads a commit; `None` when the object database lacks it.
    pub fn commit(&self, id: ObjectId) -> anyhow::Result<Option<CommitInfo>> {
        let repo = &self.repo;
        let Some(object) = repo.try_find_object(id)? else { return Ok(None) };
        let commit = object.try_into_commit()?;
        let first_parent = commit.parent_ids().next().map(|p| p.detach());
        let time = commit.time()?;
        let subject = commit.message()?.summary().to_str_lossy().into_owned();
        let date = day_of(time.seconds);
        let tree = commit.tree()?;
        let content = match tree.lookup_entry_by_path(format!("{}content", self.prefix))? {
            Some(entry) if entry.mode().is_tree() => Some(entry.object_id()),
            _ => None,
        };
        Ok(Some(CommitInfo { id, first_parent, date, subject, content }))
    }

    /// The files that differ between two `content/` trees, with their blobs, in path order.
    pub fn diff_content(&self, old: Option<ObjectId>, new: Option<ObjectId>) -> anyhow::Result<Vec<FileChange>> {
        let repo = &self.repo;
        let mut out = Vec::new();
        diff_trees(repo, "content/", old, new, &mut out)?;
        Ok(out)
    }

    /// A blob's bytes.
    pub fn blob(&self, id: ObjectId) -> anyhow::Result<Vec<u8>> {
        let repo = &self.repo;
        Ok(repo.find_blob(id)?.take_data())
    }

    /// Keeps the paths (relative to the wiki root) git does not ignore: tracked ones, and
    /// untracked ones no ignore rule (`.gitignore`, `info/exclude`, `core.excludesFile`) matches.
    pub fn not_ignored(&self, paths: Vec<String>) -> anyhow::Result<Vec<String>> {
        let repo = &self.repo;
        let index = repo.index_or_empty()?;
        let mut excludes = repo.excludes(&index, None, Default::default())?;
        let mut kept = Vec::with_capacity(paths.len());
        for path in paths {
            let full = format!("{}{path}", self.prefix);
            let tracked = index.entry_by_path(full.as_bytes().as_bstr()).is_some();
            if tracked || !excludes.at_path(&full, Some(gix::index::entry::Mode::FILE))?.is_excluded() {
                kept.push(path);
            }
        }
        Ok(kept)
    }

    /// The blob of `path` (relative to the wiki root) in a commit's `content/` tree.
    pub fn blob_at(&self, content: Option<ObjectId>, path: &str) -> anyhow::Result<Option<ObjectId>> {
        let (Some(content), Some(rest)) = (content, path.strip_prefix("content/")) else { return Ok(None) };
        let repo = &self.repo;
        let tree = repo.find_tree(content)?;
        Ok(tree.lookup_entry_by_path(rest)?.filter(|e| e.mode().is_blob()).map(|e| e.object_id()))
    }
}

/// The UTC calendar day of a git timestamp.
fn day_of(seconds: i64) -> Date {
    let days = seconds.div_euclid(86_400);
    Date(jiff::civil::date(1970, 1, 1)).add_days(days)
}

/// Walks two trees side by side (git keeps entries sorted), descending only into subtrees whose
/// ids differ, so a commit that edits one file among 10,000 reads no other object.
fn diff_trees(
    repo: &gix::Repository,
    prefix: &str,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    out: &mut Vec<FileChange>,
) -> anyhow::Result<()> {
    if old == new {
        return Ok(());
    }
    let kind = repo.object_hash();
    let read = |id: Option<ObjectId>| -> anyhow::Result<Vec<u8>> {
        Ok(match id {
            Some(id) => repo.find_tree(id)?.detach().data,
            None => Vec::new(),
        })
    };
    let (old_data, new_data) = (read(old)?, read(new)?);
    let mut olds = TreeRefIter::from_bytes(&old_data, kind).peekable();
    let mut news = TreeRefIter::from_bytes(&new_data, kind).peekable();
    loop {
        let order = match (olds.peek(), news.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(Err(_)), _) | (_, Some(Err(_))) => anyhow::bail!("a tree under {prefix} is damaged"),
            (Some(Ok(a)), Some(Ok(b))) => tree_order(a, b),
        };
        let (a, b) = match order {
            Ordering::Less => (olds.next().transpose()?, None),
            Ordering::Greater => (None, news.next().transpose()?),
            Ordering::Equal => (olds.next().transpose()?, news.next().transpose()?),
        };
        if let (Some(a), Some(b)) = (&a, &b)
            && a.oid == b.oid
            && a.mode == b.mode
        {
            continue;
        }
        visit(repo, prefix, a, b, out)?;
    }
    Ok(())
}

/// Records one differing entry: a file, or a folder to descend into (a file replaced by a
/// folder is both).
fn visit(
    repo: &gix::Repository,
    prefix: &str,
    a: Option<EntryRef<'_>>,
    b: Option<EntryRef<'_>>,
    out: &mut Vec<FileChange>,
) -> anyhow::Result<()> {
    let name = a.or(b).map(|e| e.filename.to_str_lossy().into_owned()).unwrap_or_default();
    let path = format!("{prefix}{name}");
    let tree = |e: &Option<EntryRef<'_>>| e.filter(|e| e.mode.is_tree()).map(|e| e.oid.to_owned());
    let blob = |e: &Option<EntryRef<'_>>| e.filter(|e| e.mode.is_blob()).map(|e| e.oid.to_owned());
    let (old_tree, new_tree) = (tree(&a), tree(&b));
    if old_tree.is_some() || new_tree.is_some() {
        diff_trees(repo, &format!("{path}/"), old_tree, new_tree, out)?;
    }
    let (old, new) = (blob(&a), blob(&b));
    if old != new {
        out.push(FileChange { path, old, new });
    }
    Ok(())
}

/// Git's order of tree entries: by name, a folder's name read with a trailing `/`.
fn tree_order(a: &EntryRef<'_>, b: &EntryRef<'_>) -> Ordering {
    let (x, y) = (a.filename.as_bytes(), b.filename.as_bytes());
    let n = x.len().min(y.len());
    x[..n].cmp(&y[..n]).then_with(|| {
        let next = |name: &[u8], e: &EntryRef<'_>| name.get(n).copied().or(e.mode.is_tree().then_some(b'/'));
        next(x, a).cmp(&next(y, b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_utc_days() {
        // 2026-03-01 23:30 UTC, whatever zone the committer was in.
        assert_eq!(day_of(1_772_407_800).to_string(), "2026-03-01");
        assert_eq!(day_of(1_772_409_600).to_string(), "2026-03-02");
        assert_eq!(day_of(-1).to_string(), "1969-12-31");
    }
}
