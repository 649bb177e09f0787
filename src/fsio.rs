//! Replacing a file whole, the one file-system operation every kept file shares (the build
//! cache's manifest, the keyed cache files, the output's file list, the link cache). It sits
//! below every stage and imports nothing of the crate.

use std::fs;
use std::io::Write as _;
use std::path::Path;

use anyhow::Context;

/// Replaces the file at `path` with `bytes` whole: written beside it, flushed to the disk, then
/// renamed over it, so neither a reader nor a crash ever sees half of it (without the flush, a
/// crash soon after the rename can leave an empty file on some file systems). Makes the folder
/// if it is missing.
pub fn replace_file(path: &Path, bytes: impl AsRef<[u8]>) -> anyhow::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let written = fs::File::create(&temp).and_then(|mut file| {
        file.write_all(bytes.as_ref())?;
        file.sync_all()
    });
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(e).with_context(|| format!("cannot write {}", temp.display()));
    }
    fs::rename(&temp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    sync_folder(dir);
    Ok(())
}

/// Makes a rename in `dir` durable. Best effort: the file is whole either way, and not every
/// platform can open a folder to flush it.
fn sync_folder(dir: &Path) {
    #[cfg(unix)]
    if let Ok(folder) = fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_files_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("deep/er/list");
        replace_file(&path, b"first").expect("write");
        replace_file(&path, b"second").expect("replace");
        assert_eq!(fs::read(&path).expect("read"), b"second");
        let names: Vec<String> = fs::read_dir(path.parent().expect("a folder"))
            .expect("list")
            .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["list"]);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("list");
        replace_file(&path, b"kept").expect("write");
        // A folder where the file's parent should be: nothing can be written there.
        let blocked = dir.path().join("list/child");
        assert!(replace_file(&blocked, b"x").is_err());
        assert_eq!(fs::read(&path).expect("read"), b"kept");
    }
}
