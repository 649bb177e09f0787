//! One file of cached entries, each under a key and the hash of what it was made from, read
//! whole at the start of a build and written again at its end with just the entries that build
//! used or made. The parse cache and the search word cache are both one of these.
//!
//! Layout: a header line naming the cache and its format and the generator binary, then per
//! entry `<hash, 16 hex digits>\t<bytes>\t<key>\n`, the bytes, and `\n`. A file that does not
//! parse or names another cache, format or generator is empty.

use std::collections::HashMap;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use anyhow::Context;

/// The entries of one cache file, and what this build used and made.
#[derive(Debug)]
pub struct KeyedFile {
    file: PathBuf,
    header: String,
    bytes: Vec<u8>,
    /// Key → hash and the span of its bytes in `bytes`.
    entries: HashMap<String, (u64, Range<usize>)>,
    /// Keys of entries this build used.
    used: Mutex<Vec<String>>,
    /// Entries this build made: key, hash, bytes.
    fresh: Mutex<Vec<(String, u64, Vec<u8>)>>,
}

impl KeyedFile {
    /// Opens `file`, the cache `name` in format `format`; a missing, unreadable, damaged or
    /// foreign one is empty.
    pub fn open(file: PathBuf, name: &str, format: u32) -> KeyedFile {
        let header = format!("{name} {format} {}", crate::build_cache::generator_id());
        let bytes = fs::read(&file).unwrap_or_default();
        let entries = parse(&bytes, &header).unwrap_or_default();
        KeyedFile { file, header, bytes, entries, used: Mutex::default(), fresh: Mutex::default() }
    }

    /// The bytes kept under `key` for `hash`, if any; they are kept for the next build.
    pub fn get(&self, key: &str, hash: u64) -> Option<&[u8]> {
        let (cached, span) = self.entries.get(key)?;
        if *cached != hash {
            return None;
        }
        self.used.lock().unwrap_or_else(PoisonError::into_inner).push(key.to_owned());
        Some(&self.bytes[span.clone()])
    }

    /// Keeps `bytes` under `key` for `hash`. A key with a tab or line break is not kept.
    pub fn put(&self, key: &str, hash: u64, bytes: Vec<u8>) {
        if !key.contains(['\n', '\t']) {
            self.fresh.lock().unwrap_or_else(PoisonError::into_inner).push((key.to_owned(), hash, bytes));
        }
    }

    /// Writes what this build used or made and drops the rest; writes nothing when that is what
    /// the file already holds.
    pub fn save(self) -> anyhow::Result<()> {
        let mut used = self.used.into_inner().unwrap_or_else(PoisonError::into_inner);
        let fresh = self.fresh.into_inner().unwrap_or_else(PoisonError::into_inner);
        used.sort_unstable();
        used.dedup();
        if fresh.is_empty() && used.len() == self.entries.len() {
            return Ok(());
        }
        let reused = used.iter().filter_map(|key| {
            let (hash, span) = self.entries.get(key)?;
            Some((key.as_str(), *hash, &self.bytes[span.clone()]))
        });
        let made = fresh.iter().map(|(key, hash, bytes)| (key.as_str(), *hash, bytes.as_slice()));
        let mut out = Vec::with_capacity(self.bytes.len() + fresh.iter().map(|(_, _, b)| b.len() + 64).sum::<usize>());
        out.extend_from_slice(self.header.as_bytes());
        out.push(b'\n');
        for (key, hash, bytes) in reused.chain(made) {
            out.extend_from_slice(format!("{hash:016x}\t{}\t{key}\n", bytes.len()).as_bytes());
            out.extend_from_slice(bytes);
            out.push(b'\n');
        }
        let dir = self.file.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let temp = self.file.with_extension(format!("tmp-{}", std::process::id()));
        fs::write(&temp, out).with_context(|| format!("cannot write {}", temp.display()))?;
        fs::rename(&temp, &self.file).with_context(|| format!("cannot replace {}", self.file.display()))
    }

    /// How many entries the file held when opened.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The entries of a file with `header`; `None` if anything in it is off.
fn parse(bytes: &[u8], header: &str) -> Option<HashMap<String, (u64, Range<usize>)>> {
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
        at = span.end + 1;
        entries.insert(key.to_owned(), (hash, span));
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
