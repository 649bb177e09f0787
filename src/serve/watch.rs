//! The notify seam: watches `content/` and `themes/` (debounced; polling as a fallback) and
//! turns file events into a [`ChangeSet`] with a pure, unit-tested function.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use notify_debouncer_full::notify::event::{AccessKind, AccessMode, EventKind, MetadataKind, ModifyKind};
use notify_debouncer_full::notify::{PollWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, FileIdMap, new_debouncer, new_debouncer_opt};

use crate::load::is_ignored_name;

/// How long events settle before a rebuild: editors write a file in several steps.
const DEBOUNCE: Duration = Duration::from_millis(25);
const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// What changed, in the terms a rebuild needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSet {
    /// Changed files under `content/`, relative to the root.
    pub content: BTreeSet<PathBuf>,
    /// Whether anything under `themes/` changed.
    pub theme: bool,
}

impl ChangeSet {
    pub fn is_empty(&self) -> bool {
        self.content.is_empty() && !self.theme
    }

    pub fn merge(&mut self, other: ChangeSet) {
        self.content.extend(other.content);
        self.theme |= other.theme;
    }
}

/// Sorts event paths into content and theme changes, dropping editor temp files, hidden
/// files, and anything outside `content/` and `themes/` (the output directory included).
pub fn classify<'a>(root: &Path, paths: impl IntoIterator<Item = &'a Path>) -> ChangeSet {
    let mut changes = ChangeSet::default();
    for path in paths {
        let Ok(rel) = path.strip_prefix(root) else { continue };
        let names: Vec<String> = rel.iter().map(|c| c.to_string_lossy().into_owned()).collect();
        if names.iter().any(|n| is_ignored_name(n)) {
            continue;
        }
        match names.first().map(String::as_str) {
            Some("content") if names.len() > 1 => {
                changes.content.insert(rel.to_path_buf());
            }
            Some("themes") => changes.theme = true,
            _ => {}
        }
    }
    changes
}

/// Whether an event changed a file (rather than only opening or reading it).
fn is_write(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        // How the polling watcher (`--poll`) reports an edit: a newer modification time.
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::WriteTime)) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    }
}

/// Keeps the watcher alive; dropping it stops watching.
pub struct Watching {
    _debouncer: Box<dyn Send>,
}

/// Calls `on_change` with every non-empty change set under `root` until the guard is dropped.
pub fn watch(
    root: &Path,
    poll: bool,
    mut on_change: impl FnMut(ChangeSet) + Send + 'static,
) -> anyhow::Result<Watching> {
    let root_for_events = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let handler = move |result: DebounceEventResult| {
        let Ok(events) = result else { return };
        // Reading a file is an event too (inotify reports opens and closes); rebuilding reads
        // the theme, so counting reads would rebuild forever.
        let paths = events.iter().filter(|e| is_write(&e.kind)).flat_map(|e| e.paths.iter()).map(PathBuf::as_path);
        let changes = classify(&root_for_events, paths);
        if !changes.is_empty() {
            on_change(changes);
        }
    };
    let dirs: Vec<PathBuf> = ["content", "themes"].iter().map(|d| root.join(d)).filter(|d| d.is_dir()).collect();
    let canonical: Vec<PathBuf> = dirs.iter().map(|d| d.canonicalize().unwrap_or_else(|_| d.clone())).collect();
    if poll {
        // notify's poller keeps modification times in whole seconds, so a second save within the
        // same second would go unseen: compare contents too (costly on huge wikis, but `--poll`
        // is the fallback for file systems without events).
        let config = notify_debouncer_full::notify::Config::default()
            .with_poll_interval(POLL_INTERVAL)
            .with_compare_contents(true);
        let mut debouncer =
            new_debouncer_opt::<_, PollWatcher, FileIdMap>(DEBOUNCE, None, handler, FileIdMap::new(), config)
                .context("cannot start the polling watcher")?;
        for dir in &canonical {
            debouncer
                .watch(dir, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {}", dir.display()))?;
        }
        Ok(Watching { _debouncer: Box::new(debouncer) })
    } else {
        let mut debouncer =
            new_debouncer(DEBOUNCE, None, handler).context("cannot start the file watcher (try --poll)")?;
        for dir in &canonical {
            debouncer
                .watch(dir, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {} (try --poll)", dir.display()))?;
        }
        Ok(Watching { _debouncer: Box::new(debouncer) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify_all(paths: &[&str]) -> ChangeSet {
        let root = Path::new("/wiki");
        let full: Vec<PathBuf> = paths.iter().map(|p| root.join(p)).collect();
        classify(root, full.iter().map(PathBuf::as_path))
    }

    #[test]
    fn content_and_theme_changes_are_told_apart() {
        let changes = classify_all(&["content/providers/a.md", "themes/default/static/style.css"]);
        assert_eq!(changes.content, BTreeSet::from([PathBuf::from("content/providers/a.md")]));
        assert!(changes.theme);
    }

    #[test]
    fn editor_files_hidden_files_and_output_are_ignored() {
        let changes = classify_all(&[
            "content/providers/.a.md.swp",
            "content/providers/a.md~",
            "content/providers/#a.md#",
            "content/providers/4913",
            "content/.git/index",
            "public/index.html",
            "target/debug/x",
            "content",
        ]);
        assert!(changes.is_empty(), "{changes:?}");
        assert!(classify(Path::new("/wiki"), [Path::new("/elsewhere/content/a.md")]).is_empty());
    }

    #[test]
    fn only_writes_count() {
        use notify_debouncer_full::notify::event::{CreateKind, DataChange, RemoveKind};
        assert!(is_write(&EventKind::Create(CreateKind::File)));
        assert!(is_write(&EventKind::Modify(ModifyKind::Data(DataChange::Any))));
        assert!(is_write(&EventKind::Remove(RemoveKind::File)));
        assert!(is_write(&EventKind::Access(AccessKind::Close(AccessMode::Write))));
        assert!(!is_write(&EventKind::Access(AccessKind::Open(AccessMode::Read))));
        assert!(!is_write(&EventKind::Access(AccessKind::Close(AccessMode::Read))));
        assert!(!is_write(&EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime))));
        assert!(is_write(&EventKind::Modify(ModifyKind::Metadata(MetadataKind::WriteTime))), "--poll reports edits so");
    }

    #[test]
    fn merging_unions_the_sets() {
        let mut a = classify_all(&["content/providers/a.md"]);
        a.merge(classify_all(&["content/providers/b.md", "themes/x"]));
        assert_eq!(a.content.len(), 2);
        assert!(a.theme);
    }
}
