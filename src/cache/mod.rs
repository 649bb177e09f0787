//! Everything `dossier` keeps between runs to be faster, never different, and the one place
//! that knows it: the build cache (rendered pages, [`build`]) and the writer that links them
//! into the output and keeps the retired output as a standby ([`write`]); the parse cache
//! (parsed frontmatter, [`parse`]), the findings cache (each dossier's findings, [`findings`])
//! and the search word cache, each a [`KeyedFile`].
//!
//! The stages know none of this. Loading, validation and search take a
//! [`Memo`](crate::memo::Memo), the render stage an [`Earlier`](crate::render::Earlier); the
//! commands open the caches here, hand them in, and decide what is saved. A cache that cannot be read is empty, and one that
//! cannot be written costs only speed.
//!
//! Above the stages: it imports the render and output stages' types, and nothing imports it
//! but the commands and `serve`.

pub mod build;
pub mod findings;
pub mod keyed_file;
pub mod parse;
pub mod write;

use std::path::Path;

pub use build::{BuildCache, Content, DEFAULT_DIR, Stamp};
pub use keyed_file::KeyedFile;

use crate::render::Rendered;

/// Opens the search word cache in `dir` (file `words`); a missing, damaged or foreign one is
/// empty.
pub fn words(dir: &Path) -> KeyedFile {
    KeyedFile::open(dir.join("words"), "dossier-word-cache", crate::search::WORDS_FORMAT)
}

/// Opens the history cache in `dir` (file `history`: the history as read up to the newest commit a
/// build saw, in parts, and the parsed versions the next commits are compared with).
pub fn history(dir: &Path) -> KeyedFile {
    KeyedFile::open(dir.join("history"), "dossier-history-cache", crate::history::CACHE_FORMAT)
}

/// The caches a `build` keeps in its cache folder after loading (which
/// [`parse::load_site_keeping`] does): the history, search word and build caches.
#[derive(Debug)]
pub struct Caches {
    pub history: KeyedFile,
    pub words: KeyedFile,
    pub pages: BuildCache,
}

impl Caches {
    pub fn open(dir: &Path) -> Caches {
        Caches { history: history(dir), words: words(dir), pages: BuildCache::open(dir) }
    }

    /// Writes the site `rendered` (its output, and the files it took from the build cache) to
    /// `target`, keeping the new pages in the cache, then saves the caches. Only the output's
    /// failure fails this; a cache that is not saved is a warning.
    pub fn write(mut self, rendered: Rendered, target: &Path) -> anyhow::Result<()> {
        self.pages.expect(&rendered.units);
        let files = self.pages.files(rendered.output, &rendered.earlier)?;
        let Caches { history, words, pages } = self;
        // The history and word caches are saved while the output is written: neither waits on
        // the other, and writing is mostly waiting on the file system.
        let (written, (history, words)) =
            rayon::join(|| write::write_atomically(&files, target, &pages), || (history.save(), words.save()));
        written?;
        for (name, saved) in [("history", history), ("search word", words), ("build", pages.save())] {
            if let Err(e) = saved {
                tracing::warn!("the {name} cache was not saved: {e:#}");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Date;
    use crate::search::{Scope, index_site};
    use crate::site::{Site, load_site, load_site_with};

    fn minimal() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minimal")
    }

    fn today() -> Date {
        Date::parse("2026-11-27").unwrap()
    }

    #[test]
    fn the_word_cache_gives_the_same_bundle_and_is_keyed_by_what_the_words_come_from() {
        let mut site = load_site(&minimal()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let index = |site: &Site| {
            let cache = words(dir.path());
            let bundle = index_site(site, &Scope::published("/", today()), Some(&cache)).unwrap();
            let reused = cache.len();
            cache.save().unwrap();
            (bundle, reused)
        };
        let (filled, _) = index(&site);
        assert_eq!(filled, index_site(&site, &Scope::published("/", today()), None).unwrap());
        let (reused, held) = index(&site);
        assert_eq!((&reused, held), (&filled, 1), "one dossier's words, read back");
        // Renaming the category changes what the dossier is filed under, and so its words.
        site.categories.values_mut().for_each(|c| c.meta.name.value = "Renamed".to_owned());
        let (renamed, _) = index(&site);
        assert_eq!(renamed, index_site(&site, &Scope::published("/", today()), None).unwrap());
        assert_ne!(renamed, filled);
    }

    /// A load through the parse cache gives the site a plain load gives, and writes nothing
    /// until its caller saves the cache.
    #[test]
    fn loading_through_the_parse_cache_gives_the_same_site_and_writes_only_when_saved() {
        let dir = tempfile::tempdir().unwrap();
        let plain = format!("{:?}", load_site(&minimal()).unwrap());
        let cache = parse::open(dir.path());
        assert_eq!(format!("{:?}", load_site_with(&minimal(), Some(&cache)).unwrap()), plain);
        assert!(!dir.path().join("parsed").exists(), "nothing is written unless saved");
        cache.save().unwrap();
        let cache = parse::open(dir.path());
        assert_eq!(cache.len(), 4, "the home page, the dossier, the category and the page");
        assert_eq!(format!("{:?}", load_site_with(&minimal(), Some(&cache)).unwrap()), plain, "from the cache");
    }
}
