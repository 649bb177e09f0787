//! The findings cache: each dossier's findings from the per-dossier rules that do not depend on
//! the day, under its slug and the hash of everything those rules read (its file, its path and
//! the categories), so that a build runs them only for the dossiers whose inputs changed (the
//! rules on dates, cheap, run every time); and each content file's links, under `links:` and
//! its path and the hash of its text, so that the site-wide link rule reads only changed files'
//! Markdown. The site-wide rules (slugs, aliases, links resolved against the whole site) always
//! run.
//!
//! One [`KeyedFile`], `findings` in the build cache's folder, handed to the validate stage as
//! its [`Memo`](crate::memo::Memo); the bytes are the stage's own form of a dossier's
//! findings and links. An entry that does not decode is a miss. `build` saves it; `check`
//! reads it and never saves it.

use std::path::Path;

use super::KeyedFile;
use crate::diagnostics::Diagnostic;
use crate::model::Date;
use crate::site::Site;
use crate::validate;

const FILE: &str = "findings";

/// Opens the findings cache in `dir`; a missing, unreadable, damaged or foreign one is empty.
pub fn open(dir: &Path) -> KeyedFile {
    KeyedFile::open(dir.join(FILE), "dossier-findings-cache", validate::FINDINGS_FORMAT)
}

/// Checks `site` through the findings cache in `dir`, and keeps what the check found or
/// reused (`build`'s check: saved at once, so a build that then fails on the errors found
/// spares the next one the checking of the dossiers it does not touch).
pub fn validate_keeping(site: &Site, today: Date, dir: &Path) -> Vec<Diagnostic> {
    let cache = open(dir);
    let found = validate::validate_with(site, today, Some(&cache));
    if let Err(e) = cache.save() {
        tracing::warn!("the findings cache was not saved: {e:#}");
    }
    found
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::fs;
    use std::sync::Mutex;

    use super::*;
    use crate::memo::Memo;
    use crate::site::load_site;
    use crate::testing::{claim, dossier, today, wiki};

    /// The findings cache as the validate stage uses it, noting the keys it was handed new
    /// entries for: the slugs of the dossiers whose rules ran, and `links:` and the
    /// `content/`-relative path of the files whose links were read.
    struct Watched {
        cache: KeyedFile,
        checked: Mutex<BTreeSet<String>>,
    }

    impl Memo for Watched {
        fn get(&self, key: &str, hash: u64) -> Option<&[u8]> {
            self.cache.get(key, hash)
        }

        fn put(&self, key: &str, hash: u64, bytes: Vec<u8>) {
            self.checked.lock().unwrap().insert(key.to_owned());
            self.cache.put(key, hash, bytes);
        }
    }

    /// Loads the wiki at `root` and checks it on `day` through the findings cache in `dir`,
    /// which is saved; asserts the findings are those of a check without the cache, and
    /// returns them with the keys of the entries made anew.
    #[track_caller]
    fn check(root: &Path, day: Date, dir: &Path) -> (Vec<Diagnostic>, BTreeSet<String>) {
        let site = load_site(root).unwrap();
        let watched = Watched { cache: open(dir), checked: Mutex::default() };
        let found = validate::validate_with(&site, day, Some(&watched));
        assert_eq!(found, validate::validate(&site, day), "{} on {day}: cached and uncached differ", root.display());
        watched.cache.save().unwrap();
        (found, watched.checked.into_inner().unwrap())
    }

    fn set(keys: &[&str]) -> BTreeSet<String> {
        keys.iter().map(|s| (*s).to_owned()).collect()
    }

    /// Every fixture wiki (the bundled one, the hostile one, each invalid case) gives from the
    /// cache exactly the findings a check without it gives, and runs no dossier's rules and
    /// reads no file's links again.
    #[test]
    fn findings_from_the_cache_equal_a_check_without_it() {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let fixtures = manifest.join("tests/fixtures");
        let mut roots = vec![manifest.to_path_buf(), fixtures.join("wiki"), fixtures.join("hostile")];
        let mut cases: Vec<_> = fs::read_dir(fixtures.join("invalid")).unwrap().map(|e| e.unwrap().path()).collect();
        cases.sort();
        roots.extend(cases);
        let mut findings = 0;
        for root in &roots {
            let dir = tempfile::tempdir().unwrap();
            let (first, _) = check(root, today(), dir.path());
            let (again, checked) = check(root, today(), dir.path());
            assert_eq!(again, first);
            assert_eq!(checked, set(&[]), "{}: every dossier from the cache", root.display());
            findings += first.len();
        }
        assert!(roots.len() > 40 && findings > 100, "{} wikis, {findings} findings", roots.len());
    }

    /// Each input of a dossier's key re-runs its rules when it changes, and only then: the
    /// categories every dossier's, its file its own. A file's links are read again only when it
    /// changes. `today` and the settings (the freshness window) change only what the rules on
    /// dates find, and those run every time.
    #[test]
    fn a_change_to_any_input_of_the_rules_checks_again_what_it_affects() {
        let (a_path, a_text) = dossier("a", "", &claim("c", "fact", "neutral", "2025-11-27", "example.org"));
        let (b_path, b_text) = dossier(
            "b",
            "facts:\n  storage:\n    value: 25\n    claim: c\n",
            &claim("c", "fact", "neutral", "2026-10-01", "example.org"),
        );
        let (wiki_dir, _) = wiki(&[(&a_path, &a_text), (&b_path, &b_text)]);
        let root = wiki_dir.path();
        let content = root.join("content");
        let cache = tempfile::tempdir().unwrap();
        let check = |day: Date| check(root, day, cache.path());

        let (first, made) = check(today());
        let links = ["links:providers/a.md", "links:providers/b.md", "links:categories/email-hosting.md"];
        assert_eq!(made, set(&[&["a", "b"][..], &links].concat()));
        assert_eq!(check(today()), (first.clone(), set(&[])), "nothing changed");

        // The next day `a`'s claim is past its 365-day window.
        let tomorrow = Date::parse("2026-11-28").unwrap();
        let (later, checked) = check(tomorrow);
        assert_eq!(checked, set(&[]));
        assert_ne!(later, first, "a finding the day changed");
        assert_eq!(check(today()), (first.clone(), set(&[])), "back to today");

        // An edit to `b` runs `b`'s rules only.
        fs::write(content.join(&b_path), b_text.replace("Body.", "Body, TODO.")).unwrap();
        let (edited, checked) = check(today());
        assert_eq!(checked, set(&["b", "links:providers/b.md"]));
        assert_ne!(edited, first);

        // A shorter window in the settings.
        let settings = fs::read_to_string(content.join("site.yaml")).unwrap();
        fs::write(content.join("site.yaml"), settings.replace("stale_after_days: 365", "stale_after_days: 30"))
            .unwrap();
        let (shorter, checked) = check(today());
        assert_eq!(checked, set(&[]));
        assert_ne!(shorter, edited);

        // A column gone from the category (`b` states it), then another category.
        let category = content.join("categories/email-hosting.md");
        let columns = fs::read_to_string(&category).unwrap();
        let (kept, _) = columns.split_once("  - key: storage").unwrap();
        fs::write(&category, format!("{kept}---\n")).unwrap();
        let (fewer, checked) = check(today());
        assert_eq!(checked, set(&["a", "b", "links:categories/email-hosting.md"]));
        assert_ne!(fewer, shorter);
        fs::write(content.join("categories/dns.md"), "---\nname: DNS\ndescription: Names.\n---\n").unwrap();
        assert_eq!(check(today()).1, set(&["a", "b", "links:categories/dns.md"]), "the categories there are");
        assert_eq!(check(today()).1, set(&[]));
    }

    /// A damaged findings file is no cache, and an entry that is no findings is a miss.
    #[test]
    fn a_damaged_cache_is_ignored() {
        let (a_path, a_text) = dossier("a", "", &claim("c", "fact", "neutral", "2020-01-01", "example.org"));
        let (b_path, b_text) = dossier("b", "", &claim("c", "fact", "neutral", "2026-10-01", "example.org"));
        let (wiki_dir, _) = wiki(&[(&a_path, &a_text), (&b_path, &b_text)]);
        let cache = tempfile::tempdir().unwrap();
        let file = cache.path().join(FILE);
        let (found, _) = check(wiki_dir.path(), today(), cache.path());
        assert!(!found.is_empty());
        let good = fs::read(&file).unwrap();

        let all = ["a", "b", "links:providers/a.md", "links:providers/b.md", "links:categories/email-hosting.md"];
        for damaged in [good[..good.len() - 3].to_vec(), b"\0\x01 not a cache".to_vec(), Vec::new()] {
            fs::write(&file, damaged).unwrap();
            assert_eq!(check(wiki_dir.path(), today(), cache.path()), (found.clone(), set(&all)));
        }

        // `a`'s entry claims four billion findings in the few bytes it has.
        let at = good.windows(3).position(|w| w == b"\ta\n").unwrap() + 3;
        let mut bad_entry = good.clone();
        bad_entry[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        fs::write(&file, bad_entry).unwrap();
        assert_eq!(check(wiki_dir.path(), today(), cache.path()), (found, set(&["a"])));
    }
}
