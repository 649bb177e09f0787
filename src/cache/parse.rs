//! The parse cache: each content file's parsed frontmatter, places included, keyed by the
//! file's path and the hash of its text, so that a build parses YAML only for the files that
//! changed. Parsing is most of loading: 1.7 s of 2 s at 10,000 dossiers, where reading this
//! cache takes a fraction of that.
//!
//! One [`KeyedFile`], `parsed` in the build cache's folder, keyed by path: each document's
//! frontmatter as JSON, each [`Spanned`](crate::model::Spanned) as `[value, line, column]`.
//! An entry that does not decode is a miss. A file whose parse failed is never cached, so its
//! diagnostic is always fresh.

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::KeyedFile;
use crate::model::keeping_places;

/// Bumped whenever the JSON layout changes; model changes come with a new generator binary.
const FORMAT: u32 = 1;
const FILE: &str = "parsed";

/// The frontmatter parsed by earlier builds, and what this one parsed or reused.
#[derive(Debug)]
pub struct ParseCache(KeyedFile);

impl ParseCache {
    /// Opens the cache in `dir`; a missing, unreadable, damaged or foreign one is empty.
    pub fn open(dir: &Path) -> ParseCache {
        ParseCache(KeyedFile::open(dir.join(FILE), "dossier-parse-cache", FORMAT))
    }

    /// The frontmatter parsed from the text of `path` that hashed to `hash`, if cached.
    pub fn get<M: DeserializeOwned>(&self, path: &Path, hash: u64) -> Option<M> {
        let json = self.0.get(path.to_str()?, hash)?;
        keeping_places(|| serde_json::from_slice(json)).ok()
    }

    /// Keeps `meta`, just parsed from the text of `path` that hashed to `hash`.
    pub fn put<M: Serialize>(&self, path: &Path, hash: u64, meta: &M) {
        if let (Some(key), Ok(json)) = (path.to_str(), keeping_places(|| serde_json::to_vec(meta))) {
            self.0.put(key, hash, json);
        }
    }

    /// Writes what this load parsed or reused, dropping the rest.
    pub fn save(self) -> anyhow::Result<()> {
        self.0.save()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DossierMeta;

    const DOSSIER: &str = "---\nname: A\nwebsite: https://a.test\ncategory: dns\nsummary: S.\nclaims:\n  - id: c\n    text: T.\n    verified: 2026-01-01\n    sources:\n      - url: https://a.test/x\n        title: X\n        accessed: 2026-01-01\n---\n";

    fn parsed(text: &str) -> DossierMeta {
        crate::frontmatter::parse_document(Path::new("content/providers/a.md"), text).unwrap().0
    }

    #[test]
    fn frontmatter_comes_back_with_its_places_under_its_hash_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = Path::new("content/providers/a.md");
        let cache = ParseCache::open(dir.path());
        assert!(cache.get::<DossierMeta>(path, 1).is_none());
        cache.put(path, 1, &parsed(DOSSIER));
        cache.save().unwrap();

        let cache = ParseCache::open(dir.path());
        assert!(cache.get::<DossierMeta>(path, 2).is_none(), "another text");
        let meta: DossierMeta = cache.get(path, 1).unwrap();
        assert_eq!(format!("{meta:?}"), format!("{:?}", parsed(DOSSIER)), "values and places alike");
        assert_eq!(meta.claims[0].verified.pos, crate::model::Pos::new(9, 15));
    }

    #[test]
    fn json_of_the_wrong_shape_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let path = Path::new("content/providers/a.md");
        let cache = ParseCache::open(dir.path());
        cache.put(path, 1, &parsed(DOSSIER));
        cache.save().unwrap();
        let good = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
        // As long as the original, so the file itself still reads.
        std::fs::write(dir.path().join(FILE), good.replace("\"name\":[\"A\"", "\"name\":[777")).unwrap();
        assert!(ParseCache::open(dir.path()).get::<DossierMeta>(path, 1).is_none());
    }

    /// Every document of the bundled wiki and the fixtures that parses comes back from the
    /// cache equal, places included: named and inline sources, facts of every type, pages.
    #[test]
    fn every_parsing_fixture_round_trips() {
        use crate::model::{CategoryMeta, PageMeta};
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut seen = 0;
        let files = walkdir::WalkDir::new(root.join("content"))
            .into_iter()
            .chain(walkdir::WalkDir::new(root.join("tests/fixtures")));
        for (n, entry) in files.enumerate() {
            let path = entry.unwrap().into_path();
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let parent = path.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str());
            let same = match parent {
                Some("providers") => round_trips::<DossierMeta>(&path, &text, n),
                Some("categories") => round_trips::<CategoryMeta>(&path, &text, n),
                Some("pages") => round_trips::<PageMeta>(&path, &text, n),
                _ => None,
            };
            if let Some((parsed, cached)) = same {
                assert_eq!(parsed, cached, "{}", path.display());
                seen += 1;
            }
        }
        assert!(seen > 20, "only {seen} documents parsed");
    }

    /// The parsed and the cached (saved and read back) frontmatter of `text`, debug-printed, if
    /// it parses.
    fn round_trips<M: DeserializeOwned + Serialize + schemars::JsonSchema + std::fmt::Debug>(
        path: &Path,
        text: &str,
        hash: usize,
    ) -> Option<(String, String)> {
        let meta: M = crate::frontmatter::parse_document(path, text).ok()?.0;
        let dir = tempfile::tempdir().unwrap();
        let cache = ParseCache::open(dir.path());
        cache.put(path, hash as u64, &meta);
        cache.save().unwrap();
        let cached: M = ParseCache::open(dir.path()).get(path, hash as u64).unwrap();
        Some((format!("{meta:?}"), format!("{cached:?}")))
    }
}
