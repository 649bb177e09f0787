//! The parse cache: each content file's parsed frontmatter, places included, keyed by the
//! file's path and the hash of its text, so that a build parses YAML only for the files that
//! changed. Parsing is most of loading: 1.7 s of 2 s at 10,000 dossiers, where reading this
//! cache takes a fraction of that.
//!
//! One file, `parsed` in the build cache's folder: a header naming the format and the generator
//! binary, then per document `<hash>\t<bytes>\t<path>\n`, its frontmatter as JSON (each
//! [`Spanned`](crate::model::Spanned) as `[value, line, column]`), and `\n`. A cache that does
//! not parse or names another generator is empty; an entry that does not decode is a miss. A
//! file whose parse failed is never cached, so its diagnostic is always fresh.

use std::collections::HashMap;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use anyhow::Context;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::model::keeping_places;

const MAGIC: &str = "dossier-parse-cache";
/// Bumped whenever the record layout changes; model changes come with a new generator binary.
const FORMAT: u32 = 1;
const FILE: &str = "parsed";

/// The frontmatter parsed by earlier builds, and what this one parsed or reused.
#[derive(Debug)]
pub struct ParseCache {
    file: PathBuf,
    header: String,
    text: String,
    /// Path → hash of the file's text and the span of its JSON in `text`.
    entries: HashMap<String, (u64, Range<usize>)>,
    /// Entries this load reused, by path.
    used: Mutex<Vec<String>>,
    /// Frontmatter this load parsed: path, hash, JSON.
    fresh: Mutex<Vec<(String, u64, String)>>,
}

impl ParseCache {
    /// Opens the cache in `dir`; a missing, unreadable, damaged or foreign one is empty.
    pub fn open(dir: &Path) -> ParseCache {
        let header = format!("{MAGIC} {FORMAT} {}", crate::build_cache::generator_id());
        let file = dir.join(FILE);
        let text = fs::read_to_string(&file).unwrap_or_default();
        let entries = parse(&text, &header).unwrap_or_default();
        ParseCache { file, header, text, entries, used: Mutex::default(), fresh: Mutex::default() }
    }

    /// The frontmatter parsed from the text of `path` that hashed to `hash`, if cached.
    pub fn get<M: DeserializeOwned>(&self, path: &Path, hash: u64) -> Option<M> {
        let key = path.to_str()?;
        let (cached, span) = self.entries.get(key)?;
        if *cached != hash {
            return None;
        }
        let meta = keeping_places(|| serde_json::from_str(&self.text[span.clone()])).ok()?;
        self.used.lock().unwrap_or_else(PoisonError::into_inner).push(key.to_owned());
        Some(meta)
    }

    /// Keeps `meta`, just parsed from the text of `path` that hashed to `hash`.
    pub fn put<M: Serialize>(&self, path: &Path, hash: u64, meta: &M) {
        let Some(key) = path.to_str().filter(|k| !k.contains(['\n', '\t'])) else { return };
        let Ok(json) = keeping_places(|| serde_json::to_string(meta)) else { return };
        self.fresh.lock().unwrap_or_else(PoisonError::into_inner).push((key.to_owned(), hash, json));
    }

    /// Writes what this load parsed or reused, dropping the rest; writes nothing when that is
    /// what the cache already holds.
    pub fn save(self) -> anyhow::Result<()> {
        let used = self.used.into_inner().unwrap_or_else(PoisonError::into_inner);
        let fresh = self.fresh.into_inner().unwrap_or_else(PoisonError::into_inner);
        if fresh.is_empty() && used.len() == self.entries.len() {
            return Ok(());
        }
        let mut out = String::with_capacity(self.text.len().max(fresh.iter().map(|(_, _, j)| j.len() + 64).sum()));
        out.push_str(&self.header);
        out.push('\n');
        let reused = used
            .iter()
            .filter_map(|key| self.entries.get(key).map(|(hash, span)| (key, *hash, &self.text[span.clone()])));
        for (key, hash, json) in reused.chain(fresh.iter().map(|(key, hash, json)| (key, *hash, json.as_str()))) {
            out.push_str(&format!("{hash:016x}\t{}\t{key}\n", json.len()));
            out.push_str(json);
            out.push('\n');
        }
        let dir = self.file.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let temp = self.file.with_extension(format!("tmp-{}", std::process::id()));
        fs::write(&temp, out).with_context(|| format!("cannot write {}", temp.display()))?;
        fs::rename(&temp, &self.file).with_context(|| format!("cannot replace {}", self.file.display()))
    }
}

/// The entries of a cache file written by this generator; `None` if anything in it is off.
fn parse(text: &str, header: &str) -> Option<HashMap<String, (u64, Range<usize>)>> {
    let body = text.strip_prefix(header)?.strip_prefix('\n')?;
    let mut at = text.len() - body.len();
    let mut entries = HashMap::new();
    while at < text.len() {
        let line_end = at + text[at..].find('\n')?;
        let mut fields = text[at..line_end].splitn(3, '\t');
        let hash = u64::from_str_radix(fields.next()?, 16).ok()?;
        let len: usize = fields.next()?.parse().ok()?;
        let key = fields.next()?;
        let span = line_end + 1..line_end + 1 + len;
        if text.get(span.end..span.end + 1)? != "\n" || !text.is_char_boundary(span.start) {
            return None;
        }
        at = span.end + 1;
        entries.insert(key.to_owned(), (hash, span));
    }
    Some(entries)
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
        cache.save().unwrap();
        assert!(ParseCache::open(dir.path()).get::<DossierMeta>(path, 1).is_some(), "a reused entry is kept");

        // An entry nobody asked for is dropped at the next save.
        ParseCache::open(dir.path()).save().unwrap();
        assert!(ParseCache::open(dir.path()).entries.is_empty());
    }

    #[test]
    fn a_damaged_or_foreign_cache_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = Path::new("content/providers/a.md");
        let cache = ParseCache::open(dir.path());
        cache.put(path, 1, &parsed(DOSSIER));
        cache.save().unwrap();
        let good = fs::read_to_string(dir.path().join(FILE)).unwrap();
        for damaged in [
            good.replacen(MAGIC, "other-cache", 1),
            good[..good.len() - 2].to_owned(),
            good.replacen("\t", "\tx", 1),
            format!("{good}trailing"),
        ] {
            fs::write(dir.path().join(FILE), &damaged).unwrap();
            assert!(ParseCache::open(dir.path()).entries.is_empty(), "{damaged:?}");
        }
        // JSON of the wrong shape is a miss, not an error.
        fs::write(dir.path().join(FILE), good.replace("\"name\":[\"A\"", "\"name\":[777")).unwrap();
        let cache = ParseCache::open(dir.path());
        assert_eq!(cache.entries.len(), 1);
        assert!(cache.get::<DossierMeta>(path, 1).is_none());
    }

    /// Every document of the bundled wiki and the fixtures that parses comes back from the
    /// cache equal, places included: named and inline sources, facts of every type, pages.
    #[test]
    fn every_parsing_fixture_round_trips() {
        use crate::model::{CategoryMeta, PageMeta};
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().unwrap();
        let cache = ParseCache::open(dir.path());
        let mut seen = 0;
        for entry in walkdir::WalkDir::new(root.join("content"))
            .into_iter()
            .chain(walkdir::WalkDir::new(root.join("tests/fixtures")))
        {
            let path = entry.unwrap().into_path();
            let Ok(text) = fs::read_to_string(&path) else { continue };
            let parent = path.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str());
            let same = match parent {
                Some("providers") => round_trips::<DossierMeta>(&cache, &path, &text),
                Some("categories") => round_trips::<CategoryMeta>(&cache, &path, &text),
                Some("pages") => round_trips::<PageMeta>(&cache, &path, &text),
                _ => None,
            };
            if let Some((parsed, cached)) = same {
                assert_eq!(parsed, cached, "{}", path.display());
                seen += 1;
            }
        }
        assert!(seen > 20, "only {seen} documents parsed");
    }

    /// The parsed and the cached frontmatter of `text` (debug-printed), if it parses.
    fn round_trips<M: DeserializeOwned + Serialize + std::fmt::Debug>(
        cache: &ParseCache,
        path: &Path,
        text: &str,
    ) -> Option<(String, String)> {
        let meta: M = crate::frontmatter::parse_document(path, text).ok()?.0;
        cache.put(path, 0, &meta);
        let json = &cache.fresh.lock().unwrap().last().unwrap().2.clone();
        let cached: M = keeping_places(|| serde_json::from_str(json)).unwrap();
        Some((format!("{meta:?}"), format!("{cached:?}")))
    }
}
