//! Writing a build's output through the build cache: files the cache checked are hard-linked
//! from it, new files of its units are kept in it, and the output the swap retires is kept
//! beside the target as a standby (`.<name>.standby`), which the next build starts from: it
//! keeps every file that still holds what the new output has there, and writes and removes
//! only the difference. A warm build at 10,000 dossiers then touches a few dozen files, where
//! writing a fresh tree of 30,000 and deleting the old one took a second.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;

use super::build::{BuildCache, Content, Stamp};
use crate::output::{Swap, blob_of, folders, make_folders, remove_tree};

/// Every file of an output, as the build cache's writer takes them: bytes, or blobs of the
/// cache.
pub type Files = BTreeMap<String, Content>;

/// Writes `files` to `target` as [`crate::output::write_atomically`] does, through `cache`,
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
    if let Some(retired) = swap.finish(Ok(()))?
        && !trees.as_ref().is_some_and(|trees| trees.retire(&retired, &standby))
    {
        remove_tree(&retired).with_context(|| format!("cannot remove the previous output {}", retired.display()))?;
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
    write_files(files, dir, &folders(files.keys()), &which, cache, track)
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
    Ok(Stamps(stamps))
}

/// Brings `dir`, a tree an earlier build wrote and `known` describes, up to `files`: keeps
/// each file that still holds what `files` has at its path, removes the others and whatever
/// `files` has no place for, and writes what is missing.
fn refresh_tree(files: &Files, dir: &Path, known: &Stamps, cache: Option<&BuildCache>) -> anyhow::Result<Stamps> {
    let mut found = Vec::new();
    let mut found_folders = Vec::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1).contents_first(true) {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path()).to_string_lossy().replace('\\', "/");
        if entry.file_type().is_dir() {
            found_folders.push((rel, entry.into_path()));
        } else {
            found.push((rel, entry.into_path()));
        }
    }
    let kept = found
        .par_iter()
        .map(|(rel, path)| {
            let still = files.get_key_value(rel.as_str()).and_then(|(key, content)| {
                let stamp = holds(path, content, known.0.get(rel))?;
                Some((key, content, stamp))
            });
            match still {
                Some((key, content, stamp)) => {
                    if let Some(cache) = cache {
                        cache.adopt(key, content, stamp.blob, path);
                    }
                    Ok(Some((key.clone(), stamp)))
                }
                None => {
                    fs::remove_file(path).map(|()| None).with_context(|| format!("cannot remove {}", path.display()))
                }
            }
        })
        .filter_map(Result::transpose)
        .collect::<anyhow::Result<HashMap<String, Stamp>>>()?;
    let folders = folders(files.keys());
    // Children come before their parents, and a folder the output needs has no unwanted parent.
    for (rel, path) in &found_folders {
        if !folders.contains(rel.as_str()) {
            fs::remove_dir(path).with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    let missing: Vec<&String> = files.keys().filter(|rel| !kept.contains_key(*rel)).collect();
    let existing: HashSet<&str> = found_folders.iter().map(|(rel, _)| rel.as_str()).collect();
    let new_folders: BTreeSet<&str> = folders.into_iter().filter(|f| !existing.contains(f)).collect();
    let mut stamps = write_files(files, dir, &new_folders, &missing, cache, true)?;
    stamps.0.extend(kept);
    Ok(stamps)
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

/// The stamps of one output tree's files, by path.
#[derive(Debug, Default)]
struct Stamps(HashMap<String, Stamp>);

const TREE_MAGIC: &str = "dossier-output-tree 1";

/// The file lists of the output and of its standby, kept in the build cache's folder and
/// naming the target they belong to. A list that does not match its tree is harmless: no
/// file passes its stamp, so each is written again.
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
        let mut stamps = HashMap::new();
        for (count, line) in lines.enumerate() {
            if let Some(end) = line.strip_prefix("end ") {
                return (end.parse::<usize>().ok()? == count).then_some(Stamps(stamps));
            }
            let mut fields = line.splitn(5, '\t');
            let stamp = Stamp::parse(&mut fields)?;
            stamps.insert(fields.next()?.to_owned(), stamp);
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

    /// Records what the new output holds.
    fn save_output(&self, stamps: &Stamps) -> anyhow::Result<()> {
        let mut text = String::with_capacity(stamps.0.len() * 96);
        text.push_str(&self.header);
        text.push('\n');
        for (path, stamp) in &stamps.0 {
            text.push_str(&format!("{stamp}\t{path}\n"));
        }
        text.push_str(&format!("end {}\n", stamps.0.len()));
        crate::fsio::replace_file(&self.output, text)
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
        assert!(!standby.exists(), "nothing was retired yet");
        write_atomically(&first, &target, &cache).unwrap();
        assert_eq!(tree(&standby), tree(&target), "the first output waits as the standby");
        #[cfg(unix)]
        let kept = inode_of(&standby.join("a/index.html"));

        // Damage the standby behind the build's back: an edit, a stray file, a link.
        fs::write(standby.join("b/index.html"), "edited in place").unwrap();
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
        fs::write(standby.join("a/index.html"), "x").unwrap();
        #[cfg(unix)]
        let right = inode_of(&standby.join("b/index.html"));
        write_atomically(&third, &target, &cache).unwrap();
        assert_eq!(tree(&target).len(), 4);
        assert_eq!(fs::read_to_string(target.join("a/index.html")).unwrap(), "a");
        #[cfg(unix)]
        assert_eq!(inode_of(&target.join("b/index.html")), right, "a right file is kept without a list");

        // Without a cache, no standby is kept.
        let mut plain = crate::output::Output::default();
        for (path, text) in pages {
            plain.insert(path, text);
        }
        crate::output::write_atomically(&plain, &target).unwrap();
        forget_standby(&target).unwrap();
        assert!(!standby.exists());
        assert_eq!(tree(&target).len(), 4);
    }
}
