//! The output stage: a rendered site as a value (relative path → bytes), and writing it to
//! disk atomically: into a temp dir beside the target, then swapped in, so a failed or
//! interrupted build leaves the previous output whole. Files are written in parallel.
//!
//! [`Swap`] is the swap itself, which the build cache's writer (`cache::write`, which keeps
//! the retired output as the next build's standby) shares. This module imports nothing of the
//! crate.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use rayon::prelude::*;

/// A content address: the 128-bit xxh3 hash of a file's bytes.
pub type Blob = u128;

pub fn blob_of(bytes: &[u8]) -> Blob {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

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

    pub fn total_bytes(&self) -> u64 {
        self.files.values().map(|bytes| bytes.len() as u64).sum()
    }
}

/// The folders `paths` need, parents before children.
pub fn folders<'a>(paths: impl IntoIterator<Item = &'a String>) -> BTreeSet<&'a str> {
    let mut folders = BTreeSet::new();
    for rel in paths {
        let mut rest = rel.as_str();
        while let Some((dir, _)) = rest.rsplit_once('/') {
            if !folders.insert(dir) {
                break;
            }
            rest = dir;
        }
    }
    folders
}

/// Where a stage hands files it made and will not keep, so a site need not be held whole in
/// memory: at 10,000 dossiers their pages are most of a gigabyte.
pub trait Sink: Sync {
    /// Takes the file at `path` (relative, `/`-separated). A failure is the sink's to report.
    fn put(&self, path: &str, bytes: &[u8]);
}

/// An output being written to its target atomically: files come as they are made (through
/// [`Sink`]) and the rest at [`Staged::finish`], all into the staging folder, which is then
/// swapped in. Dropped unfinished, or failing, it removes the staging folder and leaves the
/// previous output as it was.
pub struct Staged {
    swap: Swap,
    /// The first file the sink could not write.
    failed: std::sync::Mutex<Option<anyhow::Error>>,
    /// The folders the sink made, relative: each dossier's five files share two, and asking the
    /// file system again for each file costs a system call.
    made: std::sync::Mutex<std::collections::HashSet<String>>,
    finished: bool,
}

impl Staged {
    pub fn new(target: &Path) -> anyhow::Result<Staged> {
        let swap = Swap::new(target)?;
        fs::create_dir_all(&swap.staging).with_context(|| format!("cannot create {}", swap.staging.display()))?;
        Ok(Staged { swap, failed: std::sync::Mutex::default(), made: std::sync::Mutex::default(), finished: false })
    }

    /// Writes the files of `output` beside those the sink took, then swaps the whole in.
    pub fn finish(mut self, output: &Output) -> anyhow::Result<()> {
        let _span = tracing::info_span!("write", files = output.files.len()).entered();
        self.finished = true;
        let failed = self.failed.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        let written = match failed {
            Some(e) => Err(e),
            None => write_tree(output, &self.swap.staging),
        };
        if let Some(retired) = self.swap.finish(written)? {
            remove_tree(&retired)
                .with_context(|| format!("cannot remove the previous output {}", retired.display()))?;
        }
        Ok(())
    }
}

impl Sink for Staged {
    fn put(&self, path: &str, bytes: &[u8]) {
        let file = self.swap.staging.join(path);
        let made = |folder: &str| self.made.lock().unwrap_or_else(std::sync::PoisonError::into_inner).contains(folder);
        let folder = match path.rsplit_once('/') {
            Some((folder, _)) if !made(folder) => fs::create_dir_all(self.swap.staging.join(folder)).map(|()| {
                self.made.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(folder.to_owned());
            }),
            _ => Ok(()),
        };
        let written = folder.and_then(|()| fs::write(&file, bytes));
        if let Err(e) = written {
            let mut failed = self.failed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            failed.get_or_insert_with(|| anyhow::Error::new(e).context(format!("cannot write {}", file.display())));
        }
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_dir_all(&self.swap.staging);
        }
    }
}

/// Where a new output is made beside its target before it is swapped in.
#[derive(Debug)]
pub struct Swap {
    pub target: PathBuf,
    /// The target's folder, made if missing.
    pub parent: PathBuf,
    /// The target's name.
    pub name: String,
    /// The folder the new output is written into (`.<name>.tmp-<pid>`), cleared.
    pub staging: PathBuf,
    retired: PathBuf,
}

impl Swap {
    pub fn new(target: &Path) -> anyhow::Result<Swap> {
        let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name = target.file_name().context("the output path has no final component")?.to_string_lossy();
        fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        if target.exists() && !target.is_dir() {
            bail!("{} exists and is not a directory", target.display());
        }
        let staging = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        let _ = fs::remove_dir_all(&staging);
        Ok(Swap {
            target: target.to_path_buf(),
            retired: parent.join(format!(".{name}.old-{}", std::process::id())),
            parent: parent.to_path_buf(),
            name: name.into_owned(),
            staging,
        })
    }

    /// Once `written` says the staging folder holds the whole new output, moves it to the
    /// target; on any failure removes it and leaves the previous output in place. Returns the
    /// previous output, moved aside, for the caller to remove or keep.
    pub fn finish<T>(&self, written: anyhow::Result<T>) -> anyhow::Result<Option<PathBuf>> {
        if let Err(e) = written {
            let _ = fs::remove_dir_all(&self.staging);
            return Err(e);
        }
        let had_previous = self.target.exists();
        if had_previous {
            fs::rename(&self.target, &self.retired)
                .with_context(|| format!("cannot move the previous {} aside", self.target.display()))?;
        }
        if let Err(e) = fs::rename(&self.staging, &self.target) {
            if had_previous {
                let _ = fs::rename(&self.retired, &self.target);
            }
            let _ = fs::remove_dir_all(&self.staging);
            return Err(e).with_context(|| format!("cannot move the new output into {}", self.target.display()));
        }
        Ok(had_previous.then(|| self.retired.clone()))
    }
}

/// Removes a folder and everything in it, files in parallel: a site has tens of thousands, and
/// each unlink waits on the file system's journal.
pub fn remove_tree(dir: &Path) -> std::io::Result<()> {
    let mut files = Vec::new();
    let mut folders = Vec::new();
    for entry in walkdir::WalkDir::new(dir).contents_first(true) {
        let entry = entry?;
        if entry.file_type().is_dir() { folders.push(entry.into_path()) } else { files.push(entry.into_path()) }
    }
    files.par_iter().try_for_each(fs::remove_file)?;
    folders.iter().try_for_each(fs::remove_dir)
}

/// Makes `folders` under `dir`, in parallel.
pub fn make_folders(dir: &Path, folders: &BTreeSet<&str>) -> anyhow::Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // create_dir_all tolerates a parent made meanwhile by another thread.
    folders.par_iter().try_for_each(|rel| {
        let path = dir.join(rel);
        fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))
    })
}

/// Writes every file of `output` into the new folder `dir`.
fn write_tree(output: &Output, dir: &Path) -> anyhow::Result<()> {
    make_folders(dir, &folders(output.files.keys()))?;
    output.files.par_iter().try_for_each(|(rel, bytes)| {
        let path = dir.join(rel);
        fs::write(&path, &bytes[..]).with_context(|| format!("cannot write {}", path.display()))
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
        Staged::new(&target).and_then(|staged| staged.finish(&first)).unwrap();
        let mut second = Output::default();
        second.insert("a/index.html", "two");
        Staged::new(&target).and_then(|staged| staged.finish(&second)).unwrap();
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
        Staged::new(&target).and_then(|staged| staged.finish(&first)).unwrap();
        let mut bad = Output::default();
        bad.insert("x", "file");
        bad.insert("x/y", "a file under a file cannot be written");
        assert!(Staged::new(&target).and_then(|staged| staged.finish(&bad)).is_err());
        assert_eq!(fs::read_to_string(target.join("index.html")).unwrap(), "kept");
        let leftovers: Vec<_> = fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, ["public"], "the staging folder is gone");
    }

    /// Files handed to the sink and those of the output make one tree; a file the sink could
    /// not write fails the finish, and a stage given up removes its staging folder.
    #[test]
    fn files_written_as_they_come_join_the_output_and_a_failure_keeps_the_previous_one() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        let staged = Staged::new(&target).unwrap();
        staged.put("providers/a/index.html", b"streamed");
        staged.put("providers/a/feed.xml", b"beside it");
        staged.put("providers/a/history/index.html", b"below it");
        let mut rest = Output::default();
        rest.insert("index.html", "held");
        staged.finish(&rest).unwrap();
        assert_eq!(fs::read_to_string(target.join("providers/a/index.html")).unwrap(), "streamed");
        assert_eq!(fs::read_to_string(target.join("providers/a/feed.xml")).unwrap(), "beside it");
        assert_eq!(fs::read_to_string(target.join("providers/a/history/index.html")).unwrap(), "below it");
        assert_eq!(fs::read_to_string(target.join("index.html")).unwrap(), "held");

        let staged = Staged::new(&target).unwrap();
        staged.put("x", b"a file");
        staged.put("x/y", b"cannot go under a file");
        staged.put("z", b"written after the failure");
        let error = format!("{:#}", staged.finish(&rest).unwrap_err());
        assert!(error.contains("cannot write") && error.contains("x/y"), "{error}");
        assert_eq!(fs::read_to_string(target.join("providers/a/index.html")).unwrap(), "streamed");
        assert!(!target.join("z").exists());

        let staged = Staged::new(&target).unwrap();
        staged.put("half.html", b"of a build that failed");
        drop(staged);
        let leftovers: Vec<_> = fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, ["public"], "no staging folder is left");
        assert!(!target.join("half.html").exists());
    }
}
