//! The link cache, `.dossier-cache/links.json` under the wiki root (git-ignored): what each URL
//! answered and when, and whether each quote was on the page, so a second run within a day
//! fetches nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// Where the cache lives, relative to the wiki root.
pub const CACHE_PATH: &str = ".dossier-cache/links.json";

/// How long an answer is trusted.
pub const MAX_AGE_SECS: u64 = 24 * 60 * 60;

/// What a URL answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum Outcome {
    /// A 2xx or 3xx answer after redirects; `readable` when the page was text we could search.
    Live { status: u16, readable: bool },
    /// An error status, or no answer at all, with the reason in words.
    Dead { reason: String },
}

/// One URL's last check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Seconds since the Unix epoch.
    pub checked: u64,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Normalised quote → whether the page contained it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub quotes: BTreeMap<String, bool>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    version: u32,
    links: BTreeMap<String, Entry>,
}

/// The cache as read from disk, changed in memory, and written back by [`Cache::save`].
#[derive(Debug)]
pub struct Cache {
    path: PathBuf,
    links: BTreeMap<String, Entry>,
}

impl Cache {
    /// Reads the cache under `root`; a missing or unreadable cache is an empty one.
    pub fn load(root: &Path) -> Cache {
        let path = root.join(CACHE_PATH);
        let links = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<File>(&bytes).ok())
            .filter(|file| file.version == 1)
            .map(|file| file.links)
            .unwrap_or_default();
        Cache { path, links }
    }

    /// The entry for `url` if it is younger than a day at `now`.
    pub fn fresh(&self, url: &str, now: u64) -> Option<&Entry> {
        self.links.get(url).filter(|e| e.checked <= now && now - e.checked < MAX_AGE_SECS)
    }

    pub fn insert(&mut self, url: String, entry: Entry) {
        self.links.insert(url, entry);
    }

    /// Writes the cache, dropping entries past their day, through a temp file and a rename.
    pub fn save(mut self, now: u64) -> anyhow::Result<()> {
        self.links.retain(|_, e| e.checked <= now && now - e.checked < MAX_AGE_SECS);
        let json = serde_json::to_vec_pretty(&File { version: 1, links: self.links })?;
        crate::fsio::replace_file(&self.path, json).context("cannot save the link cache")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_last_a_day_and_survive_a_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = Cache::load(dir.path());
        let live = Entry {
            checked: 1_000,
            outcome: Outcome::Live { status: 200, readable: true },
            quotes: BTreeMap::from([("signed".to_owned(), true)]),
        };
        cache.insert("http://a.test/".into(), live.clone());
        cache.insert(
            "http://old.test/".into(),
            Entry { checked: 1, outcome: Outcome::Dead { reason: "x".into() }, quotes: BTreeMap::new() },
        );
        assert!(cache.fresh("http://a.test/", 1_000 + MAX_AGE_SECS - 1).is_some());
        assert!(cache.fresh("http://a.test/", 1_000 + MAX_AGE_SECS).is_none());
        assert!(cache.fresh("http://a.test/", 999).is_none(), "an entry from the future is not trusted");
        cache.save(MAX_AGE_SECS + 1).unwrap();
        let again = Cache::load(dir.path());
        assert_eq!(again.fresh("http://a.test/", 2_000), Some(&live));
        assert!(!again.links.contains_key("http://old.test/"), "expired entries are dropped on save");
    }

    #[test]
    fn a_corrupt_cache_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".dossier-cache")).unwrap();
        std::fs::write(dir.path().join(CACHE_PATH), "{not json").unwrap();
        assert!(Cache::load(dir.path()).links.is_empty());
    }
}
