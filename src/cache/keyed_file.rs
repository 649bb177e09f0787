//! One file of cached entries, each under a key and the hash of what it was made from, read
//! whole at the start of a build and written again at its end with just the entries that build
//! used or made. The parse cache and the search word cache are both one of these.
//!
//! Layout: a header line naming the cache and its format and the generator binary, then per
//! entry `<hash, 16 hex digits>\t<bytes>\t<key>\n`, the bytes, and `\n`. A file that does not
//! parse or names another cache, format or generator is empty. A later entry under a key
//! replaces an earlier one, so a build that changed a few entries appends them (a warm build at
//! 10,000 dossiers would otherwise write 150 MB of caches again); the file is written whole
//! once a quarter of it is entries nobody uses.

use std::collections::HashMap;
use std::fs;
use std::io::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use anyhow::Context;

use crate::memo::Memo;

/// The entries of one cache file, and what this build used and made.
#[derive(Debug)]
pub struct KeyedFile {
    file: PathBuf,
    header: String,
    bytes: Vec<u8>,
    /// Key → hash, the span of its bytes in `bytes`, and where its record starts.
    entries: HashMap<String, Entry>,
    /// Keys of entries this build used.
    used: Mutex<Vec<String>>,
    /// Entries this build made: key, hash, bytes.
    fresh: Mutex<Vec<(String, u64, Vec<u8>)>>,
}

impl KeyedFile {
    /// Opens `file`, the cache `name` in format `format`; a missing, unreadable, damaged or
    /// foreign one is empty.
    pub fn open(file: PathBuf, name: &str, format: u32) -> KeyedFile {
        let _span = tracing::info_span!("read caches", file = name).entered();
        let header = format!("{name} {format} {}", super::build::generator_id());
        let bytes = fs::read(&file).unwrap_or_default();
        let entries = parse(&bytes, &header).unwrap_or_default();
        KeyedFile { file, header, bytes, entries, used: Mutex::default(), fresh: Mutex::default() }
    }

    /// Writes what this build used or made and drops the rest; writes nothing when that is what
    /// the file already holds.
    pub fn save(self) -> anyhow::Result<()> {
        let _span = tracing::info_span!("save caches", file = %self.file.display()).entered();
        let mut used = self.used.into_inner().unwrap_or_else(PoisonError::into_inner);
        let fresh = self.fresh.into_inner().unwrap_or_else(PoisonError::into_inner);
        used.sort_unstable();
        used.dedup();
        if fresh.is_empty() && used.len() == self.entries.len() {
            return Ok(());
        }
        // Records replaced or unused are dead weight; append while they are under a quarter.
        let live: usize = used.iter().filter_map(|key| self.entries.get(key)).map(|e| e.span.end + 1 - e.start).sum();
        let records = self.bytes.len().saturating_sub(self.header.len() + 1);
        if !self.entries.is_empty() && records.saturating_sub(live) * 4 <= records {
            return append(&self.file, &fresh);
        }
        let reused = used.iter().filter_map(|key| {
            let entry = self.entries.get(key)?;
            Some((key.as_str(), entry.hash, &self.bytes[entry.span.clone()]))
        });
        let made = fresh.iter().map(|(key, hash, bytes)| (key.as_str(), *hash, bytes.as_slice()));
        let mut out = Vec::with_capacity(self.bytes.len() + fresh.iter().map(|(_, _, b)| b.len() + 64).sum::<usize>());
        out.extend_from_slice(self.header.as_bytes());
        out.push(b'\n');
        for (key, hash, bytes) in reused.chain(made) {
            push_entry(&mut out, key, hash, bytes);
        }
        crate::fsio::replace_file(&self.file, out)
    }

    /// How many entries the file held when opened.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Memo for KeyedFile {
    /// The bytes kept under `key` for `hash`, if any; a save keeps them for the next run.
    fn get(&self, key: &str, hash: u64) -> Option<&[u8]> {
        let entry = self.entries.get(key).filter(|e| e.hash == hash)?;
        self.used.lock().unwrap_or_else(PoisonError::into_inner).push(key.to_owned());
        Some(&self.bytes[entry.span.clone()])
    }

    /// Keeps `bytes` under `key` for `hash`. A key with a tab or line break is not kept.
    fn put(&self, key: &str, hash: u64, bytes: Vec<u8>) {
        if !key.contains(['\n', '\t']) {
            self.fresh.lock().unwrap_or_else(PoisonError::into_inner).push((key.to_owned(), hash, bytes));
        }
    }
}

/// Adds `fresh` at the end of `file`, which holds every other entry still used.
fn append(file: &Path, fresh: &[(String, u64, Vec<u8>)]) -> anyhow::Result<()> {
    let mut out = Vec::with_capacity(fresh.iter().map(|(_, _, b)| b.len() + 64).sum());
    for (key, hash, bytes) in fresh {
        push_entry(&mut out, key, *hash, bytes);
    }
    let mut opened =
        fs::OpenOptions::new().append(true).open(file).with_context(|| format!("cannot open {}", file.display()))?;
    opened.write_all(&out).with_context(|| format!("cannot write {}", file.display()))
}

fn push_entry(out: &mut Vec<u8>, key: &str, hash: u64, bytes: &[u8]) {
    out.extend_from_slice(format!("{hash:016x}\t{}\t{key}\n", bytes.len()).as_bytes());
    out.extend_from_slice(bytes);
    out.push(b'\n');
}

/// One entry of the file as read.
#[derive(Debug)]
struct Entry {
    hash: u64,
    /// Its bytes.
    span: Range<usize>,
    /// Where its record (header line, bytes, line break) starts.
    start: usize,
}

/// The entries of a file with `header`; `None` if anything in it is off.
fn parse(bytes: &[u8], header: &str) -> Option<HashMap<String, Entry>> {
    let mut at = bytes.strip_prefix(header.as_bytes())?.strip_prefix(b"\n").map(|rest| bytes.len() - rest.len())?;
    let mut entries = HashMap::new();
    while at < bytes.len() {
        let line_end = at + memchr::memchr(b'\n', &bytes[at..])?;
        let line = std::str::from_utf8(&bytes[at..line_end]).ok()?;
        let mut fields = line.splitn(3, '\t');
        let hash = u64::from_str_radix(fields.next()?, 16).ok()?;
        let len: usize = fields.next()?.parse().ok()?;
        let key = fields.next()?;
        let span = line_end + 1..(line_end + 1).checked_add(len)?;
        if bytes.get(span.end) != Some(&b'\n') {
            return None;
        }
        entries.insert(key.to_owned(), Entry { hash, span: span.clone(), start: at });
        at = span.end + 1;
    }
    Some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(dir: &Path) -> KeyedFile {
        KeyedFile::open(dir.join("file"), "test-cache", 1)
    }

    #[test]
    fn entries_come_back_under_their_key_and_hash_and_unused_ones_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let cache = open(dir.path());
        assert!(cache.get("a", 1).is_none());
        cache.put("a", 1, b"first\n\0".to_vec());
        cache.put("b", 2, b"second".to_vec());
        cache.put("bad\tkey", 3, b"not kept".to_vec());
        cache.save().unwrap();

        let cache = open(dir.path());
        assert_eq!(cache.len(), 2);
        assert!(cache.get("a", 2).is_none(), "another hash");
        assert_eq!(cache.get("a", 1), Some(&b"first\n\0"[..]));
        cache.save().unwrap();
        let cache = open(dir.path());
        assert_eq!(cache.len(), 1, "b was not used, so it is gone");
        assert_eq!(cache.get("a", 1), Some(&b"first\n\0"[..]));
    }

    #[test]
    fn a_few_changed_entries_are_appended_and_the_file_is_compacted_later() {
        let dir = tempfile::tempdir().unwrap();
        let cache = open(dir.path());
        for key in ["a", "b", "c", "d", "e", "f", "g", "h"] {
            cache.put(key, 1, key.repeat(10).into_bytes());
        }
        cache.save().unwrap();
        let size = || fs::metadata(dir.path().join("file")).unwrap().len();
        let full = size();

        // One entry changed: the new one is appended, and it replaces the old one.
        let cache = open(dir.path());
        for key in ["a", "b", "c", "d", "e", "f", "g"] {
            assert!(cache.get(key, 1).is_some());
        }
        cache.put("h", 2, b"changed".to_vec());
        cache.save().unwrap();
        assert!(size() > full, "appended");
        let cache = open(dir.path());
        assert_eq!((cache.get("h", 2), cache.get("h", 1)), (Some(&b"changed"[..]), None));
        assert_eq!(cache.len(), 8);

        // Most entries unused: the file is written whole with just the used ones.
        let cache = open(dir.path());
        assert!(cache.get("a", 1).is_some());
        cache.save().unwrap();
        let cache = open(dir.path());
        assert_eq!((cache.len(), cache.get("a", 1)), (1, Some(&b"aaaaaaaaaa"[..])));
        assert!(size() < full);
    }

    #[test]
    fn a_damaged_or_foreign_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let cache = open(dir.path());
        cache.put("a", 1, b"bytes".to_vec());
        cache.save().unwrap();
        let good = fs::read(dir.path().join("file")).unwrap();
        let replaced =
            |from: &str, to: &str| String::from_utf8(good.clone()).unwrap().replacen(from, to, 1).into_bytes();
        for damaged in [
            replaced("test-cache", "other-cache"),
            good[..good.len() - 2].to_vec(),
            replaced("\t5\t", "\t9\t"),
            replaced("\t5\t", "\t99999999999999999999999\t"),
            [&good[..], b"trailing"].concat(),
            vec![0xff, 0xfe],
        ] {
            fs::write(dir.path().join("file"), &damaged).unwrap();
            assert!(open(dir.path()).is_empty(), "{:?}", String::from_utf8_lossy(&damaged));
        }
        assert!(KeyedFile::open(dir.path().join("file"), "test-cache", 2).is_empty(), "another format");
    }
}
