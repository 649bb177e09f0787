//! The parse cache: each content file's parsed frontmatter, places included, keyed by the
//! file's path and the hash of its text, so that a build parses YAML only for the files that
//! changed. Parsing is most of loading: 1.7 s of 2 s at 10,000 dossiers, where reading this
//! cache takes a fraction of that.
//!
//! One [`KeyedFile`], `parsed` in the build cache's folder, handed to loading as its
//! [`Memo`](crate::memo::Memo); the bytes are [`frontmatter::stored`]'s form. An entry that does
//! not decode is a miss. A file whose parse failed is never kept, so its diagnostic is always
//! fresh.

use std::path::Path;

use super::KeyedFile;
use crate::frontmatter::stored;
use crate::site::{self, Site};

const FILE: &str = "parsed";

/// Opens the parse cache in `dir`; a missing, unreadable, damaged or foreign one is empty.
pub fn open(dir: &Path) -> KeyedFile {
    KeyedFile::open(dir.join(FILE), "dossier-parse-cache", stored::FORMAT)
}

/// Loads the wiki at `root` through the parse cache in `dir`, and keeps what the load parsed
/// or reused (`build`'s load: saved before the build goes on, so a build that then fails still
/// spares the next one the parsing).
pub fn load_site_keeping(root: &Path, dir: &Path) -> anyhow::Result<Site> {
    let cache = open(dir);
    let site = site::load_site_with(root, Some(&cache))?;
    if let Err(e) = cache.save() {
        tracing::warn!("the parse cache was not saved: {e:#}");
    }
    Ok(site)
}

#[cfg(test)]
mod tests {
    use serde::Serialize;
    use serde::de::DeserializeOwned;

    use super::*;
    use crate::memo::Memo;
    use crate::model::{CategoryMeta, DossierMeta};

    const PATH: &str = "content/providers/a.md";
    const DOSSIER: &str = "---\nname: A\nwebsite: https://a.test\ncategory: dns\nsummary: S.\nclaims:\n  - id: c\n    text: T.\n    verified: 2026-01-01\n    sources:\n      - url: https://a.test/x\n        title: X\n        accessed: 2026-01-01\n---\n";

    fn parsed(text: &str) -> DossierMeta {
        crate::frontmatter::parse_document(Path::new(PATH), text).unwrap().0
    }

    /// `meta` kept under `key` and `hash`, saved, and the cache opened again.
    fn saved<M: Serialize>(dir: &Path, key: &str, hash: u64, meta: &M) -> KeyedFile {
        let cache = open(dir);
        cache.put(key, hash, stored::encode(meta).unwrap());
        cache.save().unwrap();
        open(dir)
    }

    #[test]
    fn frontmatter_comes_back_with_its_places_under_its_hash_only() {
        let dir = tempfile::tempdir().unwrap();
        let cache = saved(dir.path(), PATH, 1, &parsed(DOSSIER));
        assert!(cache.get(PATH, 2).is_none(), "another text");
        let meta: DossierMeta = stored::decode(cache.get(PATH, 1).unwrap()).unwrap();
        assert_eq!(format!("{meta:?}"), format!("{:?}", parsed(DOSSIER)), "values and places alike");
        assert_eq!(meta.claims[0].verified.pos, crate::model::Pos::new(9, 15));
    }

    #[test]
    fn bytes_of_the_wrong_shape_are_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = saved(dir.path(), PATH, 1, &parsed(DOSSIER));
        let bytes = cache.get(PATH, 1).unwrap();
        assert!(stored::decode::<CategoryMeta>(bytes).is_none(), "a dossier is no category");
        assert!(stored::decode::<DossierMeta>(&bytes[..bytes.len() / 2]).is_none(), "cut short");
    }

    /// The public JSON forms are unchanged by the kept form: a value without its place.
    #[test]
    fn json_shows_bare_values() {
        let json = serde_json::to_value(parsed(DOSSIER)).unwrap();
        assert_eq!(json["name"], "A");
        assert_eq!(json["claims"][0]["verified"], "2026-01-01");
    }

    /// Every document of the bundled wiki and the fixtures that parses comes back from the
    /// cache equal, places included: named and inline sources, facts of every type, pages.
    #[test]
    fn every_parsing_fixture_round_trips() {
        use crate::model::PageMeta;
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
        let key = path.to_str().unwrap();
        let cache = saved(dir.path(), key, hash as u64, &meta);
        let cached: M = stored::decode(cache.get(key, hash as u64).unwrap()).unwrap();
        Some((format!("{meta:?}"), format!("{cached:?}")))
    }
}
