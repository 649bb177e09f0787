//! The output stage: a rendered site as a value (relative path → bytes), and writing it to
//! disk atomically: into a temp dir beside the target, then swapped in, so a failed or
//! interrupted build leaves the previous output whole. Files are written in parallel; with a
//! [`BuildCache`], pages it holds are hard-linked from it rather than written again.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use rayon::prelude::*;

use crate::build_cache::BuildCache;

/// Every file of a built site, keyed by `/`-separated path relative to the output root.
/// Contents are shared, so a rebuild reuses unchanged pages without copying them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    pub files: BTreeMap<String, Arc<[u8]>>,
}

impl Output {
    pub fn insert(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), Arc::from(bytes.into()));
    }

    pub fn total_bytes(&self) -> usize {
        self.files.values().map(|b| b.len()).sum()
    }
}

/// Writes `output` to `target`, replacing what was there only once everything is written.
/// Files go through `cache` when given (linked from it, or kept in it).
pub fn write_atomically(output: &Output, target: &Path, cache: Option<&BuildCache>) -> anyhow::Result<()> {
    let _span = tracing::info_span!("write", files = output.files.len()).entered();
    let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = target.file_name().context("the output path has no final component")?.to_string_lossy();
    fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let staging = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let retired = parent.join(format!(".{name}.old-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    if let Err(e) = write_tree(output, &staging, cache) {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    let had_previous = target.exists();
    if had_previous {
        if !target.is_dir() {
            bail!("{} exists and is not a directory", target.display());
        }
        fs::rename(target, &retired).with_context(|| format!("cannot move the previous {} aside", target.display()))?;
    }
    if let Err(e) = fs::rename(&staging, target) {
        if had_previous {
            let _ = fs::rename(&retired, target);
        }
        let _ = fs::remove_dir_all(&staging);
        return Err(e).with_context(|| format!("cannot move the new output into {}", target.display()));
    }
    if had_previous {
        remove_tree(&retired).with_context(|| format!("cannot remove the previous output {}", retired.display()))?;
    }
    Ok(())
}

/// Removes a folder and everything in it, files in parallel: a site has tens of thousands, and
/// each unlink waits on the file system's journal.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    let mut files = Vec::new();
    let mut folders = Vec::new();
    for entry in walkdir::WalkDir::new(dir).contents_first(true) {
        let entry = entry?;
        if entry.file_type().is_dir() { folders.push(entry.into_path()) } else { files.push(entry.into_path()) }
    }
    files.par_iter().try_for_each(fs::remove_file)?;
    folders.iter().try_for_each(fs::remove_dir)
}

fn write_tree(output: &Output, dir: &Path, cache: Option<&BuildCache>) -> anyhow::Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // A cache that cannot be used costs speed, never the build.
    let cache = cache.filter(|cache| match cache.prepare() {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!("building without the build cache: {e:#}");
            false
        }
    });
    let folders: BTreeSet<&str> = output.files.keys().filter_map(|rel| rel.rsplit_once('/').map(|(d, _)| d)).collect();
    // create_dir_all tolerates a parent made meanwhile by another thread.
    folders.par_iter().try_for_each(|rel| {
        let path = dir.join(rel);
        fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))
    })?;
    let files: Vec<(&String, &Arc<[u8]>)> = output.files.iter().collect();
    files.par_iter().try_for_each(|(rel, bytes)| {
        let path: PathBuf = dir.join(rel);
        match cache {
            Some(cache) => cache.place(rel, bytes, &path),
            None => fs::write(&path, &bytes[..]),
        }
        .with_context(|| format!("cannot write {}", path.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_whole_tree_and_drops_stale_files() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        let mut first = Output::default();
        first.insert("a/index.html", "one");
        first.insert("old.html", "gone soon");
        write_atomically(&first, &target, None).unwrap();
        let mut second = Output::default();
        second.insert("a/index.html", "two");
        write_atomically(&second, &target, None).unwrap();
        assert_eq!(fs::read_to_string(target.join("a/index.html")).unwrap(), "two");
        assert!(!target.join("old.html").exists());
        let leftovers: Vec<_> = fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, ["public"]);
    }

    #[test]
    fn a_failed_write_leaves_the_previous_output() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        let mut first = Output::default();
        first.insert("index.html", "kept");
        write_atomically(&first, &target, None).unwrap();
        let mut bad = Output::default();
        bad.insert("x", "file");
        bad.insert("x/y", "a file under a file cannot be written");
        assert!(write_atomically(&bad, &target, None).is_err());
        assert_eq!(fs::read_to_string(target.join("index.html")).unwrap(), "kept");
    }
}
