//! Writing a build's output through the build cache: files the cache checked are hard-linked
//! from it, new files of its units are kept in it, and the output the swap retires is kept
//! beside the target as a standby (`.<name>.standby`; the first build, which retires none,
//! links its output there), which the next build starts from: it
//! keeps every file that still holds what the new output has there, and writes and removes
//! only the difference. A warm build at 10,000 dossiers then touches a few dozen files, where
//! writing a fresh tree of 30,000 and deleting the old one took a second.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use foldhash::{HashMap, HashSet};
use rayon::prelude::*;

use super::build::{BuildCache, Content, Stamp};
use crate::output::{Swap, blob_of, folders, make_folders, remove_tree};

/// Every file of an output, as the build cache's writer takes them: bytes, or blobs of the
/// cache.
pub type Files = BTreeMap<String, Content>;

/// Writes `files` to `target` as [`crate::output::Staged`] does, through `cache`,
/// and keeps the retired output as the next build's standby. A cache that cannot be used
/// costs speed, never the build: the files are then written as they are.
pub fn write_atomically(files: &Files, target: &Path, cache: &BuildCache) -> anyhow::Result<()> {
    let _span = tracing::info_span!("write", files = files.len()).entered();
    let swap = Swap::new(target)?;
    let standby = standby_of(&swap);
    let cache = match cache.prepare() {
        Ok(()) => Some(cache),
        Err(e) => {
            tracing::warn!("building without the build cache: {e:#}");
            None
        }
    };
    let trees = cache.map(|cache| Trees::new(cache.dir(), &swap.parent, &swap.name));
    // A cache that lists an output which is gone was carried over without it (as CI and Netlify
    // keep only the cache folder): a standby would be gone by the next build too.
    let outputs_kept = trees.as_ref().is_some_and(|trees| !trees.output.exists() || swap.target.exists());
    if trees.is_none() && standby.exists() {
        remove_tree(&standby).with_context(|| format!("cannot remove the standby output {}", standby.display()))?;
    }
    let written = match &trees {
        Some(trees) if fs::rename(&standby, &swap.staging).is_ok() => {
            refresh_tree(files, &swap.staging, &trees.standby(), cache)
        }
        _ => write_tree(files, &swap.staging, cache, trees.is_some()),
    };
    let stamps = match written {
        Ok(stamps) => stamps,
        Err(e) => return swap.finish::<()>(Err(e)).map(drop),
    };
    let retired = swap.finish(Ok(()))?;
    match (retired, &trees) {
        (Some(retired), Some(trees)) if trees.retire(&retired, &standby) => {}
        (Some(retired), _) => {
            remove_tree(&retired)
                .with_context(|| format!("cannot remove the previous output {}", retired.display()))?;
        }
        (None, Some(trees)) if outputs_kept => trees.link_standby(target, &standby, &stamps),
        (None, _) => {}
    }
    if let Some(Err(e)) = trees.map(|trees| trees.save_output(&stamps)) {
        tracing::warn!("the output's file list was not saved; the next build writes every file: {e:#}");
    }
    Ok(())
}

/// Removes the standby of the output at `target`, which a build without the cache leaves
/// unused (it would only take room, and be out of date).
pub fn forget_standby(target: &Path) -> anyhow::Result<()> {
    let standby = standby_of(&Swap::new(target)?);
    if standby.exists() {
        remove_tree(&standby).with_context(|| format!("cannot remove the standby output {}", standby.display()))?;
    }
    Ok(())
}

fn standby_of(swap: &Swap) -> PathBuf {
    swap.parent.join(format!(".{}.standby", swap.name))
}

/// Writes every file of `files` into the new folder `dir`; with `track`, says what each is.
fn write_tree(files: &Files, dir: &Path, cache: Option<&BuildCache>, track: bool) -> anyhow::Result<Stamps> {
    let which: Vec<&String> = files.keys().collect();
    let new_folders = folders(files.keys());
    let mut stamps = write_files(files, dir, &new_folders, &which, cache, track)?;
    if track {
        stamps.folders = settled_folders(dir, new_folders.iter().copied());
    }
    Ok(stamps)
}

/// Writes the files `which` of `files` under `dir`, making `new_folders` first.
fn write_files(
    files: &Files,
    dir: &Path,
    new_folders: &BTreeSet<&str>,
    which: &[&String],
    cache: Option<&BuildCache>,
    track: bool,
) -> anyhow::Result<Stamps> {
    make_folders(dir, new_folders)?;
    let stamps = which
        .par_iter()
        .map(|rel| {
            let path: PathBuf = dir.join(rel);
            let content = &files[*rel];
            let written = || -> std::io::Result<Option<(String, Stamp)>> {
                let blob = match (cache, content) {
                    (Some(cache), _) => cache.place(rel, content, &path)?,
                    (None, Content::Held(bytes)) => return fs::write(&path, &bytes[..]).map(|()| None),
                    (None, Content::Cached { .. }) => {
                        return Err(std::io::Error::other("its copy in the build cache is not available"));
                    }
                };
                Ok(if track { Some(((*rel).clone(), Stamp::of(&fs::symlink_metadata(&path)?, blob))) } else { None })
            };
            written().with_context(|| format!("cannot write {}", path.display()))
        })
        .filter_map(Result::transpose)
        .collect::<anyhow::Result<HashMap<String, Stamp>>>()?;
    Ok(Stamps { files: stamps, folders: HashMap::default() })
}

/// Brings `dir`, a tree an earlier build wrote and `known` describes, up to `files`: keeps
/// each file that still holds what `files` has at its path, removes the others and whatever
/// `files` has no place for, and writes what is missing.
fn refresh_tree(files: &Files, dir: &Path, known: &Stamps, cache: Option<&BuildCache>) -> anyhow::Result<Stamps> {
    let survey = survey(dir, known)?;
    let entries: Vec<(&str, PathBuf, bool)> =
        (survey.found.iter().map(|(rel, path)| (rel.as_str(), path.clone(), false)))
            .chain(survey.listed.iter().map(|rel| (rel.as_str(), dir.join(rel), true)))
            .collect();
    let settled = entries
        .par_iter()
        .map(|(rel, path, in_place)| {
            let still = files.get_key_value(*rel).and_then(|(key, content)| {
                let listed = known.files.get(*rel);
                // A listed file in a folder that did not change is still the inode the list names;
                // if that inode is a blob this build trusted by the same stamp, it holds that blob.
                let stamp = match (content, listed, cache) {
                    (Content::Cached { blob, .. }, Some(listed), Some(cache))
                        if *in_place && cache.trusted(*blob) == Some(*listed) =>
                    {
                        *listed
                    }
                    _ => holds(path, content, listed)?,
                };
                Some((key, content, stamp))
            });
            match still {
                Some((key, content, stamp)) => {
                    if let Some(cache) = cache {
                        cache.adopt(key, content, stamp.blob, path);
                    }
                    Ok(Settled::Kept(key.clone(), stamp))
                }
                None => fs::remove_file(path)
                    .map(|()| Settled::Removed(rel))
                    .with_context(|| format!("cannot remove {}", path.display())),
            }
        })
        .collect::<anyhow::Result<Vec<Settled>>>()?;
    let mut kept = HashMap::default();
    // Folders whose names this build changes, or that changed since the list: stamped anew.
    let mut touched: HashSet<&str> = survey.folders.iter().filter(|f| f.1.is_none()).map(|f| f.0.as_str()).collect();
    for outcome in settled {
        match outcome {
            Settled::Kept(rel, stamp) => {
                kept.insert(rel, stamp);
            }
            Settled::Removed(rel) => {
                touched.insert(parent(rel));
            }
        }
    }
    let wanted = folders(files.keys());
    let mut unwanted: Vec<&(String, Option<Folder>, PathBuf)> =
        survey.folders.iter().filter(|f| !wanted.contains(f.0.as_str())).collect();
    // Children sort after their parents, so in reverse each folder comes before its parent.
    unwanted.sort_unstable_by(|a, b| b.0.cmp(&a.0));
    for (rel, _, path) in unwanted {
        fs::remove_dir(path).with_context(|| format!("cannot remove {}", path.display()))?;
        touched.insert(parent(rel));
    }
    let missing: Vec<&String> = files.keys().filter(|rel| !kept.contains_key(*rel)).collect();
    let present: HashMap<&str, Option<Folder>> =
        survey.folders.iter().map(|(rel, stamp, _)| (rel.as_str(), *stamp)).collect();
    let new_folders: BTreeSet<&str> = wanted.iter().copied().filter(|f| !present.contains_key(f)).collect();
    touched.extend(missing.iter().map(|rel| parent(rel)));
    touched.extend(new_folders.iter().flat_map(|f| [*f, parent(f)]));
    tracing::info!(
        folders_read = survey.folders.iter().filter(|f| f.1.is_none()).count() + 1,
        files_looked_at = survey.found.len(),
        kept = kept.len(),
        written = missing.len(),
        "standby refreshed"
    );
    let mut stamps = write_files(files, dir, &new_folders, &missing, cache, true)?;
    stamps.files.extend(kept);
    stamps.folders = settled_folders(dir, wanted.iter().copied().filter(|f| touched.contains(f)));
    for folder in wanted.iter().filter(|f| !touched.contains(*f)) {
        if let Some(stamp) = present.get(folder) {
            stamps.folders.insert((*folder).to_owned(), *stamp);
        }
    }
    Ok(stamps)
}

/// What became of one file of the standby.
enum Settled<'a> {
    Kept(String, Stamp),
    Removed(&'a str),
}

/// The folder `rel` is in (`""` for the top of the tree).
fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// Where a standby tree stands against its list.
struct Survey {
    /// Files to look at one by one, by relative path and path: those of every folder whose
    /// names changed since the list was saved, or that it does not list.
    found: Vec<(String, PathBuf)>,
    /// The listed files of the folders whose names did not change: each is still the inode
    /// the list names.
    listed: Vec<String>,
    /// Every folder in the tree but its top, with its stamp where its names did not change.
    folders: Vec<(String, Option<Folder>, PathBuf)>,
}

/// Finds what `dir` holds without reading every folder: one whose stamp is what `known` says
/// holds the names it held then, for the inodes it held then, so only the others are read
/// (the top is always read: moving the tree into place changes its stamp).
fn survey(dir: &Path, known: &Stamps) -> anyhow::Result<Survey> {
    let same: HashMap<&str, Folder> = known
        .folders
        .par_iter()
        .filter_map(|(rel, stamp)| {
            let stamp = (*stamp)?;
            let now = fs::symlink_metadata(dir.join(rel)).ok().and_then(|meta| Folder::of(&meta));
            (!rel.is_empty() && now == Some(stamp)).then_some((rel.as_str(), stamp))
        })
        .collect();
    let mut folders: Vec<(String, Option<Folder>, PathBuf)> =
        same.iter().map(|(rel, stamp)| ((*rel).to_owned(), Some(*stamp), dir.join(rel))).collect();
    // A changed folder in an unchanged one is not met on the way down: it starts a walk of its own.
    let mut walks: Vec<(String, PathBuf)> = known
        .folders
        .keys()
        .filter(|rel| !same.contains_key(rel.as_str()) && same.contains_key(parent(rel)))
        .map(|rel| (rel.clone(), dir.join(rel)))
        .collect();
    walks.push((String::new(), dir.to_path_buf()));
    let mut found = Vec::new();
    while let Some((rel, path)) = walks.pop() {
        let listing = || format!("cannot list {}", path.display());
        for entry in fs::read_dir(&path).with_context(listing)? {
            let entry = entry.with_context(listing)?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let child = if rel.is_empty() { name.into_owned() } else { format!("{rel}/{name}") };
            if entry.file_type().with_context(listing)?.is_dir() {
                if !same.contains_key(child.as_str()) {
                    walks.push((child, entry.path()));
                }
            } else {
                found.push((child, entry.path()));
            }
        }
        if !rel.is_empty() {
            folders.push((rel, None, path));
        }
    }
    let listed = known.files.keys().filter(|rel| same.contains_key(parent(rel))).cloned().collect();
    Ok(Survey { found, listed, folders })
}

/// The stamp of the file at `path` if it holds `bytes`: trusted unread when `known` (what the
/// list says was written there) still matches it, read and compared otherwise, so a standby
/// without a list (the first after a build without the cache) is kept where it is right rather
/// than written again.
fn holds(path: &Path, content: &Content, known: Option<&Stamp>) -> Option<Stamp> {
    let meta = fs::symlink_metadata(path).ok().filter(|m| m.is_file() && m.len() == content.len())?;
    let stamp = Stamp::of(&meta, content.blob());
    let same = known == Some(&stamp)
        || fs::read(path).is_ok_and(|found| match content {
            Content::Held(bytes) => found == **bytes,
            Content::Cached { blob, .. } => blob_of(&found) == *blob,
        });
    same.then_some(stamp)
}

/// What `stat` says of a folder that changes whenever a name in it is added, removed or
/// renamed, or the folder itself is moved: its inode and status-change time (which, unlike the
/// modification time, no one can set back). While both stay the same, the folder holds the
/// same names for the same inodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Folder {
    inode: u64,
    changed_ns: i128,
}

/// How long after a folder's last change its stamp is recorded: file times come from a clock
/// that moves in ticks (a few milliseconds), and a change in the same tick as the last would
/// leave the stamp as it was. On a file system that keeps whole seconds, two seconds.
const SETTLE_NS: i128 = 100_000_000;
const SETTLE_COARSE_NS: i128 = 2_000_000_000;

impl Folder {
    #[cfg(unix)]
    fn of(meta: &fs::Metadata) -> Option<Folder> {
        use std::os::unix::fs::MetadataExt;
        let changed_ns = i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec());
        meta.is_dir().then_some(Folder { inode: meta.ino(), changed_ns })
    }

    /// Elsewhere there is no status-change time: every folder is read.
    #[cfg(not(unix))]
    fn of(_: &fs::Metadata) -> Option<Folder> {
        None
    }

    /// The folder's stamp if its last change is old enough, at `now` (nanoseconds since the
    /// epoch), that any later change gets another time.
    fn settled(self, now: i128) -> Option<Folder> {
        let settle = if self.changed_ns % 1_000_000_000 == 0 { SETTLE_COARSE_NS } else { SETTLE_NS };
        (now - self.changed_ns >= settle).then_some(self)
    }
}

/// The stamps of the folders `which` under `dir`, where they have settled.
fn settled_folders<'a>(dir: &Path, which: impl Iterator<Item = &'a str>) -> HashMap<String, Option<Folder>> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i128);
    let which: Vec<&str> = which.collect();
    which
        .par_iter()
        .map(|rel| {
            let stamp =
                fs::symlink_metadata(dir.join(rel)).ok().and_then(|m| Folder::of(&m)).and_then(|f| f.settled(now));
            ((*rel).to_owned(), stamp)
        })
        .collect()
}

/// The stamps of one output tree's files and folders, by path.
#[derive(Debug, Default)]
struct Stamps {
    files: HashMap<String, Stamp>,
    /// `None` for a folder that had not settled when the list was saved: it is read.
    folders: HashMap<String, Option<Folder>>,
}

const TREE_MAGIC: &str = "dossier-output-tree 2";

/// The file lists of the output and of its standby, kept in the build cache's folder and
/// naming the target they belong to. A list that does not match its tree is harmless: no
/// file passes its stamp, and no folder, so each is read and written again.
struct Trees {
    output: PathBuf,
    standby: PathBuf,
    header: String,
}

impl Trees {
    fn new(cache_dir: &Path, parent: &Path, name: &str) -> Trees {
        let target = fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf()).join(name);
        Trees {
            output: cache_dir.join("output.tree"),
            standby: cache_dir.join("standby.tree"),
            header: format!("{TREE_MAGIC} {}", target.display()),
        }
    }

    /// The standby's stamps; none when its list is missing, damaged or another target's.
    fn standby(&self) -> Stamps {
        fs::read_to_string(&self.standby).ok().and_then(|text| self.parse(&text)).unwrap_or_default()
    }

    fn parse(&self, text: &str) -> Option<Stamps> {
        let mut lines = text.lines();
        if lines.next()? != self.header {
            return None;
        }
        let mut stamps = Stamps::default();
        for (count, line) in lines.enumerate() {
            if let Some(end) = line.strip_prefix("end ") {
                return (end.parse::<usize>().ok()? == count).then_some(stamps);
            }
            if let Some(folder) = line.strip_prefix("dir\t") {
                let mut fields = folder.splitn(3, '\t');
                let (inode, changed, path) = (fields.next()?, fields.next()?, fields.next()?);
                let stamp = match (inode, changed) {
                    ("-", "-") => None,
                    _ => Some(Folder { inode: inode.parse().ok()?, changed_ns: changed.parse().ok()? }),
                };
                stamps.folders.insert(path.to_owned(), stamp);
                continue;
            }
            let mut fields = line.splitn(5, '\t');
            let stamp = Stamp::parse(&mut fields)?;
            stamps.files.insert(fields.next()?.to_owned(), stamp);
        }
        None
    }

    /// Keeps the retired output as the standby, with its list; false if it could not be.
    fn retire(&self, retired: &Path, standby: &Path) -> bool {
        let _ = fs::remove_file(&self.standby);
        if standby.exists() && remove_tree(standby).is_err() {
            return false;
        }
        if fs::rename(retired, standby).is_err() {
            return false;
        }
        // Without the output's list the standby's files are not trusted, which is safe.
        let _ = fs::rename(&self.output, &self.standby);
        true
    }

    /// Makes the standby when no output was retired (the first build with a new cache): the new
    /// output's files linked into a second tree, so the next build refreshes a few dozen files
    /// there rather than linking every file of the site again. A link shares its inode and
    /// times, so the output's file stamps hold for the standby. Without it the next build is
    /// slower, never wrong: a partial standby is removed.
    fn link_standby(&self, output: &Path, standby: &Path, stamps: &Stamps) {
        let _span = tracing::info_span!("link standby", files = stamps.files.len()).entered();
        let linked = || -> anyhow::Result<Stamps> {
            if standby.exists() {
                remove_tree(standby)?;
            }
            let all = folders(stamps.files.keys());
            make_folders(standby, &all)?;
            // By folder, so each folder's last change is early enough to have settled once all are linked.
            let mut paths: Vec<&String> = stamps.files.keys().collect();
            paths.par_sort_unstable();
            paths.par_iter().try_for_each(|rel| {
                let (from, to) = (output.join(rel), standby.join(rel));
                fs::hard_link(&from, &to).with_context(|| format!("cannot link {} to {}", from.display(), to.display()))
            })?;
            Ok(Stamps { files: stamps.files.clone(), folders: settled_folders(standby, all.into_iter()) })
        };
        let saved = linked().and_then(|linked| self.save(&self.standby, &linked));
        if let Err(e) = saved {
            tracing::info!("no standby for the next build, which writes every file: {e:#}");
            let _ = fs::remove_file(&self.standby);
            let _ = remove_tree(standby);
        }
    }

    /// Records what the new output holds.
    fn save_output(&self, stamps: &Stamps) -> anyhow::Result<()> {
        self.save(&self.output, stamps)
    }

    /// Writes the list of a tree's `stamps` to `list`.
    fn save(&self, list: &Path, stamps: &Stamps) -> anyhow::Result<()> {
        use std::fmt::Write as _;
        let lines = stamps.files.len() + stamps.folders.len();
        let mut text = String::with_capacity(lines * 96);
        text.push_str(&self.header);
        text.push('\n');
        for (path, stamp) in &stamps.files {
            let _ = writeln!(text, "{stamp}\t{path}");
        }
        for (path, stamp) in &stamps.folders {
            let _ = match stamp {
                Some(Folder { inode, changed_ns }) => writeln!(text, "dir\t{inode}\t{changed_ns}\t{path}"),
                None => writeln!(text, "dir\t-\t-\t{path}"),
            };
        }
        let _ = writeln!(text, "end {lines}");
        crate::fsio::replace_file(list, text)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[cfg(unix)]
    fn inode_of(path: &Path) -> u64 {
        crate::cache::build::inode(&fs::metadata(path).unwrap())
    }

    /// Writes `text` to a new file at `path`, as an editor that saves through a rename does.
    fn replace(path: &Path, text: &str) {
        let new = path.with_extension("new");
        fs::write(&new, text).unwrap();
        fs::rename(&new, path).unwrap();
    }

    fn tree(dir: &Path) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = walkdir::WalkDir::new(dir)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                (rel, fs::read_to_string(e.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn with_a_cache_the_retired_output_is_the_next_builds_standby() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        let standby = tmp.path().join(".public.standby");
        let cache = BuildCache::open(&tmp.path().join("cache"));
        let site = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(path, text)| ((*path).to_owned(), Content::Held(Arc::from(text.as_bytes()))))
                .collect::<Files>()
        };
        let first = site(&[("a/index.html", "a"), ("b/index.html", "b"), ("c", "file"), ("d/e/f.html", "f")]);
        write_atomically(&first, &target, &cache).unwrap();
        assert_eq!(tree(&standby), tree(&target), "with nothing to retire, the output is linked as the standby");
        #[cfg(unix)]
        assert_eq!(inode_of(&standby.join("d/e/f.html")), inode_of(&target.join("d/e/f.html")));
        let listed = fs::read_to_string(tmp.path().join("cache/standby.tree")).unwrap();
        assert_eq!(listed.lines().filter(|l| !l.starts_with("dir\t")).count(), 4 + 2, "header, 4 files, end");
        // The next build starts from that standby: it keeps every file, writing none.
        #[cfg(unix)]
        let linked = inode_of(&standby.join("c"));
        write_atomically(&first, &target, &cache).unwrap();
        assert_eq!(tree(&standby), tree(&target), "the first output waits as the standby");
        #[cfg(unix)]
        assert_eq!(inode_of(&target.join("c")), linked, "the linked standby became the output");
        #[cfg(unix)]
        let kept = inode_of(&standby.join("a/index.html"));

        // Damage the standby behind the build's back: a replaced file, a stray file, a link. (A file
        // edited in place would be edited in the output too: the two trees share inodes.)
        replace(&standby.join("b/index.html"), "replaced");
        fs::write(standby.join("stray.html"), "not ours").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc", standby.join("a/link")).unwrap();
        // A file becomes a folder, a folder a file, a page goes away.
        let pages =
            [("a/index.html", "a"), ("b/index.html", "b"), ("c/index.html", "now a folder"), ("d", "now a file")];
        let third = site(&pages);
        write_atomically(&third, &target, &cache).unwrap();
        assert_eq!(
            tree(&target),
            [("a/index.html", "a"), ("b/index.html", "b"), ("c/index.html", "now a folder"), ("d", "now a file")]
                .map(|(p, t)| (p.to_owned(), t.to_owned()))
        );
        #[cfg(unix)]
        {
            assert_eq!(inode_of(&target.join("a/index.html")), kept, "an unchanged file is kept, not written");
            assert!(!target.join("a/link").exists());
        }
        let names: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(names, [".public.standby", "cache", "public"]);

        // A standby without its list is read: files that are right stay, the rest are replaced.
        fs::remove_file(tmp.path().join("cache/standby.tree")).unwrap();
        replace(&standby.join("a/index.html"), "x");
        #[cfg(unix)]
        let right = inode_of(&standby.join("b/index.html"));
        write_atomically(&third, &target, &cache).unwrap();
        assert_eq!(tree(&target).len(), 4);
        assert_eq!(fs::read_to_string(target.join("a/index.html")).unwrap(), "a");
        #[cfg(unix)]
        assert_eq!(inode_of(&target.join("b/index.html")), right, "a right file is kept without a list");

        // A cache carried over without its output (CI keeps only the cache folder): the standby
        // would not be carried over either, so none is linked.
        remove_tree(&target).unwrap();
        remove_tree(&standby).unwrap();
        write_atomically(&third, &target, &cache).unwrap();
        assert_eq!(tree(&target).len(), 4);
        assert!(!standby.exists());

        // Without a cache, no standby is kept.
        let mut plain = crate::output::Output::default();
        for (path, text) in pages {
            plain.insert(path, text);
        }
        crate::output::Staged::new(&target).and_then(|staged| staged.finish(&plain)).unwrap();
        forget_standby(&target).unwrap();
        assert!(!standby.exists());
        assert_eq!(tree(&target).len(), 4);
    }
}
