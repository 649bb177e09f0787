//! What a stage may remember between runs, as the stage sees it: bytes it made from an input,
//! found again by a key and the hash of that input. Loading (parsed frontmatter), validation (a
//! dossier's findings) and search (a dossier's words) take one and decide themselves what the
//! bytes mean; the commands choose which to hand them (a cache file from `cache/`, or none) and
//! whether to save it afterwards.
//!
//! A bottom module: it imports nothing of the crate.

/// Bytes kept under a key for the hash of what they were made from.
pub trait Memo: Sync {
    /// The bytes kept under `key` for `hash`, if any.
    fn get(&self, key: &str, hash: u64) -> Option<&[u8]>;
    /// Keeps `bytes` under `key` for `hash`, for whoever saves the memo.
    fn put(&self, key: &str, hash: u64, bytes: Vec<u8>);
}
