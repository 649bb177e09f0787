//! The git seam: commits, trees and blobs read in-process from the object database (gitoxide),
//! never a process per revision.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

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

/// A commit as the walk reads it, before its trees.
#[derive(Debug, Clone)]
pub struct CommitHeader {
    pub id: ObjectId,
    pub first_parent: Option<ObjectId>,
    /// As [`CommitInfo::date`].
    pub date: Date,
    pub subject: String,
    /// The root tree.
    pub tree: ObjectId,
}

/// A file under `content/` that a commit added, changed or removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// Relative to the wiki root: `content/...`.
    pub path: String,
    pub old: Option<ObjectId>,
    pub new: Option<ObjectId>,
}

/// Each reader's cache of decoded pack entries: a delta is applied to its base found here
/// instead of the whole chain being inflated again.
const PACK_CACHE_BYTES: usize = 16 * 1024 * 1024;

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
        repo.objects
            .set_pack_cache(|| Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(PACK_CACHE_BYTES)));
        Reader { repo, prefix: self.prefix.clone(), trees: RefCell::default() }
    }
}

/// Reads objects on one thread, keeping a small cache of recently read ones.
pub struct Reader {
    repo: gix::Repository,
    prefix: String,
    trees: RefCell<Listings>,
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
        let Some(header) = self.header(id)? else { return Ok(None) };
        let content = self.content_of(header.tree)?;
        let CommitHeader { first_parent, date, subject, .. } = header;
        Ok(Some(CommitInfo { id, first_parent, date, subject, content }))
    }

    /// Reads a commit without its tree; `None` when the object database lacks it.
    pub fn header(&self, id: ObjectId) -> anyhow::Result<Option<CommitHeader>> {
        let repo = &self.repo;
        let Some(object) = repo.try_find_object(id)? else { return Ok(None) };
        let commit = object.try_into_commit()?;
        let first_parent = commit.parent_ids().next().map(|p| p.detach());
        let time = commit.time()?;
        let subject = commit.message()?.summary().to_str_lossy().into_owned();
        let tree = commit.tree_id()?.detach();
        Ok(Some(CommitHeader { id, first_parent, date: day_of(time.seconds), subject, tree }))
    }

    /// The wiki's `content/` tree in a commit's root tree, if it has one.
    pub fn content_of(&self, tree: ObjectId) -> anyhow::Result<Option<ObjectId>> {
        let tree = self.repo.find_tree(tree)?;
        Ok(match tree.lookup_entry_by_path(format!("{}content", self.prefix))? {
            Some(entry) if entry.mode().is_tree() => Some(entry.object_id()),
            _ => None,
        })
    }

    /// The files that differ between two `content/` trees, with their blobs, in path order.
    pub fn diff_content(&self, old: Option<ObjectId>, new: Option<ObjectId>) -> anyhow::Result<Vec<FileChange>> {
        let mut out = Vec::new();
        diff_trees(&self.repo, &mut self.trees.borrow_mut(), "content/", old, new, &mut out)?;
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

/// Trees read lately, by id. Comparing commit after commit, one commit's new tree is the next
/// one's old tree, and a folder of 10,000 files is a tree of half a megabyte.
#[derive(Default)]
struct Listings {
    recent: VecDeque<(ObjectId, Arc<Listing>)>,
}

const RECENT_TREES: usize = 16;

/// A tree's raw entries, and where each entry ends once someone asked.
struct Listing {
    data: Vec<u8>,
    /// `None` when the entries do not parse.
    ends: OnceLock<Option<Arc<[u32]>>>,
}

impl Listings {
    fn get(&mut self, repo: &gix::Repository, id: ObjectId) -> anyhow::Result<Arc<Listing>> {
        if let Some((_, listing)) = self.recent.iter().find(|(known, _)| *known == id) {
            return Ok(listing.clone());
        }
        // Copied out rather than detached: the buffer goes back to the repository's free list, so
        // the next tree is decoded into one already large enough instead of one grown again.
        let listing = Arc::new(Listing { data: repo.find_tree(id)?.data.clone(), ends: OnceLock::new() });
        if self.recent.len() == RECENT_TREES {
            self.recent.pop_front();
        }
        self.recent.push_back((id, listing.clone()));
        Ok(listing)
    }
}

impl Listing {
    /// Where each entry (`<mode> <name>\0<id>`) ends.
    fn ends(&self, hash_len: usize) -> Option<Arc<[u32]>> {
        self.ends
            .get_or_init(|| {
                let mut ends = Vec::new();
                let mut at = 0;
                while at < self.data.len() {
                    at += memchr::memchr(0, &self.data[at..])? + 1 + hash_len;
                    if at > self.data.len() {
                        return None;
                    }
                    ends.push(u32::try_from(at).ok()?);
                }
                Some(ends.into())
            })
            .clone()
    }
}

/// Bytes compared at a time while looking for the entries two trees differ in.
const BLOCK: usize = 4096;

/// The byte ranges of the entries whose ids differ, when two trees hold the same names with the
/// same modes in the same places (files edited, none added, removed or renamed): found by
/// comparing bytes, far cheaper than reading every entry of both. `None` otherwise.
fn same_names(a: &Listing, b: &Listing, hash_len: usize) -> Option<Vec<(usize, usize)>> {
    if a.data.len() != b.data.len() {
        return None;
    }
    // Walking newest first, the newer tree is the one whose ends are known.
    let ends = match b.ends.get() {
        Some(known) => known.clone()?,
        None => a.ends(hash_len)?,
    };
    let (x, y) = (a.data.as_slice(), b.data.as_slice());
    let mut changed = Vec::new();
    let mut pos = 0;
    while pos < x.len() {
        let end = (pos + BLOCK).min(x.len());
        if x[pos..end] == y[pos..end] {
            pos = end;
            continue;
        }
        let at = pos + x[pos..end].iter().zip(&y[pos..end]).position(|(p, q)| p != q)?;
        let i = ends.partition_point(|&e| e as usize <= at);
        let stop = *ends.get(i)? as usize;
        if at < stop - hash_len {
            return None;
        }
        changed.push((if i == 0 { 0 } else { ends[i - 1] as usize }, stop));
        pos = stop;
    }
    // Same names in the same places: the entries end at the same places in both.
    let _ = a.ends.set(Some(ends.clone()));
    let _ = b.ends.set(Some(ends));
    Some(changed)
}

/// Walks two trees side by side (git keeps entries sorted), descending only into subtrees whose
/// ids differ, so a commit that edits one file among 10,000 reads no other object.
fn diff_trees(
    repo: &gix::Repository,
    trees: &mut Listings,
    prefix: &str,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    out: &mut Vec<FileChange>,
) -> anyhow::Result<()> {
    if old == new {
        return Ok(());
    }
    let kind = repo.object_hash();
    let old = old.map(|id| trees.get(repo, id)).transpose()?;
    let new = new.map(|id| trees.get(repo, id)).transpose()?;
    if let (Some(a), Some(b)) = (&old, &new)
        && let Some(changed) = same_names(a, b, kind.len_in_bytes())
    {
        for (start, stop) in changed {
            let x = TreeRefIter::from_bytes(&a.data[start..stop], kind).next().transpose()?;
            let y = TreeRefIter::from_bytes(&b.data[start..stop], kind).next().transpose()?;
            visit(repo, trees, prefix, x, y, out)?;
        }
        return Ok(());
    }
    let mut olds = TreeRefIter::from_bytes(bytes(&old), kind).peekable();
    let mut news = TreeRefIter::from_bytes(bytes(&new), kind).peekable();
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
        visit(repo, trees, prefix, a, b, out)?;
    }
    Ok(())
}

fn bytes(listing: &Option<Arc<Listing>>) -> &[u8] {
    listing.as_ref().map_or(&[][..], |l| l.data.as_slice())
}

/// Records one differing entry: a file, or a folder to descend into (a file replaced by a
/// folder is both).
fn visit(
    repo: &gix::Repository,
    trees: &mut Listings,
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
        diff_trees(repo, trees, &format!("{path}/"), old_tree, new_tree, out)?;
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

    /// A tree's raw bytes: `(mode, name, id byte)` per entry.
    fn listing(entries: &[(&str, &str, u8)]) -> Listing {
        let mut data = Vec::new();
        for (mode, name, id) in entries {
            data.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            data.extend_from_slice(&[*id; 20]);
        }
        Listing { data, ends: OnceLock::new() }
    }

    #[test]
    fn same_names_finds_the_entries_whose_ids_changed() {
        let names: Vec<String> = (0..500).map(|i| format!("file-{i:04}.md")).collect();
        let old: Vec<(&str, &str, u8)> = names.iter().map(|n| ("100644", n.as_str(), 1)).collect();
        let mut new = old.clone();
        new[7].2 = 2;
        new[499].2 = 3;
        let (a, b) = (listing(&old), listing(&new));
        let changed = same_names(&a, &b, 20).expect("same names");
        let named: Vec<&[u8]> = changed.iter().map(|&(start, stop)| &b.data[start..stop - 21]).collect();
        assert_eq!(named, [&b"100644 file-0007.md"[..], b"100644 file-0499.md"]);
        assert!(b.ends.get().is_some(), "the newer tree learns where its entries end");
        // A renamed entry, or a changed mode, is not an edit of ids: the entries are read instead.
        let mut renamed = old.clone();
        renamed[3].1 = "file-0003.mx";
        assert_eq!(same_names(&a, &listing(&renamed), 20), None);
        let mut moded = old.clone();
        moded[3].0 = "100755";
        assert_eq!(same_names(&a, &listing(&moded), 20), None);
        assert_eq!(same_names(&a, &listing(&old[1..]), 20), None);
    }

    #[test]
    fn days_are_utc_days() {
        // 2026-03-01 23:30 UTC, whatever zone the committer was in.
        assert_eq!(day_of(1_772_407_800).to_string(), "2026-03-01");
        assert_eq!(day_of(1_772_409_600).to_string(), "2026-03-02");
        assert_eq!(day_of(-1).to_string(), "1969-12-31");
    }
}
