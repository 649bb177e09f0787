//! The persistent build cache (docs/build-cache.md), `.dossier-cache/build/` under the wiki root unless
//! `--cache-dir` says otherwise: what the pages of each dossier and listing were rendered from
//! (their render keys) and their bytes, so a warm `build` re-renders only what changed and
//! hard-links the rest into the new output instead of writing it again.
//!
//! Layout: `manifest` (a header naming the cache format and the generator binary, one line per
//! cached file with its blob's stamp, an end line with the count) and `blobs/<xxh3-128 of the
//! bytes>`. A blob whose stamp (inode, size, modification time) still matches is trusted
//! unread: the output links it in without the build ever holding its bytes. Anything that does
//! not parse, names another format or generator, or fails its hash when it has to be read is
//! ignored: the cache can make a build faster, never different. Each save keeps only what the
//! last build produced, so the cache stays about the size of one output.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::UNIX_EPOCH;

use anyhow::Context;
use rayon::prelude::*;

use crate::output::{Blob, Output, blob_of};
use crate::render::{Earlier, Kept, ListingCache, Unit as RenderedUnit};

/// The cache's folder under the wiki root, unless `--cache-dir` says otherwise.
pub const DEFAULT_DIR: &str = ".dossier-cache/build";

/// Bumped whenever the manifest or the meaning of a render key changes.
const FORMAT: u32 = 2;
const MAGIC: &str = "dossier-build-cache";

/// A file of an output: its bytes, or a blob of the build cache that this build checked by its
/// stamp and links into the output unread (a warm build at 10,000 dossiers would otherwise read
/// 450 MB of unchanged pages back only to write them again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Held(Arc<[u8]>),
    Cached { blob: Blob, len: u64 },
}

impl Content {
    pub fn len(&self) -> u64 {
        match self {
            Content::Held(bytes) => bytes.len() as u64,
            Content::Cached { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The content hash.
    pub fn blob(&self) -> Blob {
        match self {
            Content::Held(bytes) => blob_of(bytes),
            Content::Cached { blob, .. } => *blob,
        }
    }
}

/// What `stat` said of a file just after it was written, with its content's hash: while its
/// inode, size and modification time stay the same, it still holds that content, so a later
/// build can keep it unread. (An in-place edit that restores both size and time defeats this,
/// as it does make and git.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub blob: Blob,
    pub len: u64,
    pub modified_ns: u128,
    pub inode: u64,
}

impl Stamp {
    /// Reads the four fields [`Stamp`]'s `Display` writes, tab-separated, from `fields`.
    pub fn parse<'a>(fields: &mut impl Iterator<Item = &'a str>) -> Option<Stamp> {
        Some(Stamp {
            blob: u128::from_str_radix(fields.next()?, 16).ok()?,
            len: fields.next()?.parse().ok()?,
            modified_ns: fields.next()?.parse().ok()?,
            inode: fields.next()?.parse().ok()?,
        })
    }

    pub fn of(meta: &fs::Metadata, blob: Blob) -> Stamp {
        let modified_ns =
            meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
        Stamp { blob, len: meta.len(), modified_ns, inode: inode(meta) }
    }
}

/// The blob, size, modification time and inode, tab-separated: a line's fields in the
/// manifest and in the output's file lists.
impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{:032x}\t{}\t{}\t{}", self.blob, self.len, self.modified_ns, self.inode)
    }
}

#[cfg(unix)]
pub fn inode(meta: &fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
pub fn inode(_: &fs::Metadata) -> u64 {
    0
}

/// One cached unit (a dossier's files, or one listing page): its render key and its files.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Unit {
    key: u64,
    files: Vec<(String, Blob)>,
}

/// The cache as read at the start of a build, and what this build adds to it.
#[derive(Debug)]
pub struct BuildCache {
    dir: PathBuf,
    generator: String,
    /// Units of the previous build, by unit id (`dossier:<slug>`, `listing:<path>`).
    previous: HashMap<String, Unit>,
    /// Whether the blob folder was as the last save left it when the build opened it: then it
    /// holds only the blobs that save named, and those this build stores ([`Self::added`]).
    swept: bool,
    /// The blobs this build stored.
    added: Mutex<Vec<Blob>>,
    /// What each blob of the previous build looked like when it was saved.
    stamps: HashMap<Blob, Stamp>,
    /// Blobs this build read back and checked, or trusted by their stamp; only these are
    /// linked into the output.
    checked: Mutex<HashSet<Blob>>,
    /// The blobs trusted by their stamp, which the save need not look at again.
    stamped: Mutex<HashSet<Blob>>,
    /// This build's units, set after rendering; their files are kept when written.
    next: Mutex<BTreeMap<String, Unit>>,
    /// Output path → unit id, for the files of `next`.
    owners: HashMap<String, String>,
    /// The files a render took from this cache ([`Earlier::dossier`]), by path.
    taken: Mutex<HashMap<String, Content>>,
}

impl BuildCache {
    /// Opens the cache in `dir`; a missing, unreadable, corrupt or foreign one is empty.
    pub fn open(dir: &Path) -> BuildCache {
        let _span = tracing::info_span!("read caches", file = "manifest").entered();
        let generator = generator_id();
        let (previous, stamps) = fs::read_to_string(dir.join("manifest"))
            .ok()
            .and_then(|text| parse_manifest(&text, &generator))
            .unwrap_or_default();
        let swept = fs::read_to_string(dir.join(SWEPT)).is_ok_and(|id| Some(id) == folder_id(&dir.join("blobs")));
        BuildCache {
            dir: dir.to_path_buf(),
            generator,
            previous,
            swept,
            added: Mutex::default(),
            stamps,
            checked: Mutex::default(),
            stamped: Mutex::default(),
            next: Mutex::default(),
            owners: HashMap::new(),
            taken: Mutex::default(),
        }
    }

    /// How many units the previous build left.
    pub fn len(&self) -> usize {
        self.previous.len()
    }

    pub fn is_empty(&self) -> bool {
        self.previous.is_empty()
    }

    /// The files `unit` had when it was rendered from `key`; `None` if the key differs or any
    /// file is missing or damaged. With `unread`, a blob whose stamp still matches comes back
    /// as [`Content::Cached`], unread; any other is read back and checked against its hash.
    pub fn get(&self, unit: &str, key: u64, unread: bool) -> Option<Vec<(String, Content)>> {
        let cached = self.previous.get(unit).filter(|u| u.key == key)?;
        let mut files = Vec::with_capacity(cached.files.len());
        let mut stamped = Vec::new();
        for (path, blob) in &cached.files {
            let file = self.blob_path(*blob);
            let stamp = self.stamps.get(blob).filter(|_| unread);
            let content = match stamp {
                Some(s) if fs::symlink_metadata(&file).is_ok_and(|m| Stamp::of(&m, *blob) == *s) => {
                    stamped.push(*blob);
                    Content::Cached { blob: *blob, len: s.len }
                }
                _ => {
                    let bytes = fs::read(&file).ok()?;
                    if blob_of(&bytes) != *blob {
                        return None;
                    }
                    Content::Held(Arc::from(bytes))
                }
            };
            files.push((path.clone(), content));
        }
        self.checked.lock().unwrap_or_else(PoisonError::into_inner).extend(cached.files.iter().map(|(_, blob)| *blob));
        self.stamped.lock().unwrap_or_else(PoisonError::into_inner).extend(stamped);
        Some(files)
    }

    /// Says which units this build rendered (a dossier's files, a listing page, each from its
    /// key); their files are kept in the cache as they are written.
    pub fn expect(&mut self, units: &[RenderedUnit]) {
        let mut next = BTreeMap::new();
        self.owners.clear();
        for unit in units {
            let (id, key, paths) = match unit {
                RenderedUnit::Dossier { slug, key, files } => (format!("dossier:{slug}"), *key, files.clone()),
                RenderedUnit::Listing { path, key } => (format!("listing:{path}"), *key, vec![path.clone()]),
            };
            for path in &paths {
                self.owners.insert(path.clone(), id.clone());
            }
            next.insert(id, Unit { key, files: paths.into_iter().map(|p| (p, 0)).collect() });
        }
        *self.next.get_mut().unwrap_or_else(PoisonError::into_inner) = next;
    }

    /// Puts `content` at `dest` (a new path) and says its hash: a hard link to the cached copy
    /// when this build checked that copy, a new file otherwise; a new file of a unit is then
    /// kept in the cache.
    pub fn place(&self, path: &str, content: &Content, dest: &Path) -> io::Result<Blob> {
        let (blob, bytes) = match content {
            Content::Held(bytes) => (blob_of(bytes), Some(bytes)),
            Content::Cached { blob, .. } => (*blob, None),
        };
        let owner = self.owners.get(path);
        let is_checked = self.is_checked(blob);
        if !(is_checked && fs::hard_link(self.blob_path(blob), dest).is_ok()) {
            match bytes {
                Some(bytes) => {
                    fs::write(dest, bytes)?;
                    if owner.is_none() || (!is_checked && self.keep(blob, bytes, dest).is_err()) {
                        return Ok(blob);
                    }
                }
                // Linking failed (another file system): copy the blob, which this build checked.
                None => fs::copy(self.blob_path(blob), dest).map(drop)?,
            }
        }
        if let Some(owner) = owner {
            self.record(owner, path, blob);
        }
        Ok(blob)
    }

    /// Takes note that `kept`, a file an earlier build wrote and this one keeps at `path`,
    /// holds `content` (hashed `blob`): the cache keeps the copy it checked, or makes one from it.
    pub fn adopt(&self, path: &str, content: &Content, blob: Blob, kept: &Path) {
        let Some(owner) = self.owners.get(path) else { return };
        let kept_here = match content {
            _ if self.is_checked(blob) => true,
            Content::Held(bytes) => self.keep(blob, bytes, kept).is_ok(),
            Content::Cached { .. } => false,
        };
        if kept_here {
            self.record(owner, path, blob);
        }
    }

    /// The stamp `blob`'s copy had when this build trusted it by that stamp, unread.
    pub fn trusted(&self, blob: Blob) -> Option<Stamp> {
        let stamped = self.stamped.lock().unwrap_or_else(PoisonError::into_inner).contains(&blob);
        self.stamps.get(&blob).copied().filter(|_| stamped)
    }

    fn is_checked(&self, blob: Blob) -> bool {
        self.checked.lock().unwrap_or_else(PoisonError::into_inner).contains(&blob)
    }

    /// Notes that this build's file `path` of unit `owner` is `blob`, so the save keeps it.
    fn record(&self, owner: &str, path: &str, blob: Blob) {
        let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(file) = next.get_mut(owner).and_then(|u| u.files.iter_mut().find(|(p, _)| p == path)) {
            file.1 = blob;
        }
    }

    /// The cache's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stores a copy of a file just written at `written`: a hard link when the cache is on the
    /// same file system, a copy otherwise, replacing any damaged copy of the same blob.
    fn keep(&self, blob: Blob, bytes: &[u8], written: &Path) -> io::Result<()> {
        let target = self.blob_path(blob);
        let temp = self.dir.join("blobs").join(format!("{blob:032x}.tmp-{}", std::process::id()));
        let _ = fs::remove_file(&temp);
        if fs::hard_link(written, &temp).is_err() {
            fs::write(&temp, bytes)?;
        }
        self.added.lock().unwrap_or_else(PoisonError::into_inner).push(blob);
        fs::rename(&temp, target).inspect_err(|_| drop(fs::remove_file(&temp)))
    }

    /// Creates the blob folder before the output is written.
    pub fn prepare(&self) -> anyhow::Result<()> {
        let blobs = self.dir.join("blobs");
        fs::create_dir_all(&blobs).with_context(|| format!("cannot create the build cache {}", blobs.display()))
    }

    /// Writes this build's manifest and deletes every blob it does not name: those the last
    /// manifest named and those this build stored, or, if anything else may have changed the
    /// blob folder since the last save, whatever the folder holds.
    pub fn save(self) -> anyhow::Result<()> {
        let _span = tracing::info_span!("save caches", file = "manifest").entered();
        let next = self.next.into_inner().unwrap_or_else(PoisonError::into_inner);
        let kept: BTreeMap<&String, &Unit> =
            next.iter().filter(|(_, unit)| unit.files.iter().all(|(_, blob)| *blob != 0)).collect();
        let blobs: HashSet<Blob> = kept.values().flat_map(|u| u.files.iter().map(|(_, blob)| *blob)).collect();
        let stamped = self.stamped.into_inner().unwrap_or_else(PoisonError::into_inner);
        let stamp_of = |blob: Blob| match self.stamps.get(&blob).filter(|_| stamped.contains(&blob)) {
            Some(stamp) => Some(*stamp),
            None => Some(Stamp::of(&fs::symlink_metadata(blob_path(&self.dir, blob)).ok()?, blob)),
        };
        let stamps: HashMap<Blob, Stamp> = blobs.into_iter().filter_map(|blob| Some((blob, stamp_of(blob)?))).collect();
        let mut text = format!("{MAGIC} {FORMAT} {}\n", self.generator);
        let mut count = 0usize;
        let mut live = HashSet::new();
        for (id, unit) in kept.iter().filter(|(_, u)| u.files.iter().all(|(_, blob)| stamps.contains_key(blob))) {
            for (path, blob) in &unit.files {
                let _ = writeln!(text, "{id}\t{:016x}\t{path}\t{}", unit.key, stamps[blob]);
                live.insert(*blob);
                count += 1;
            }
        }
        let _ = writeln!(text, "end {count}");
        crate::fsio::replace_file(&self.dir.join("manifest"), text)?;
        let blobs = self.dir.join("blobs");
        let _ = fs::remove_file(self.dir.join(SWEPT));
        let gone =
            |path: PathBuf| fs::remove_file(path).map_or_else(|e| e.kind() == io::ErrorKind::NotFound, |()| true);
        let all_gone = if self.swept {
            let added = self.added.into_inner().unwrap_or_else(PoisonError::into_inner);
            let dead: Vec<&Blob> = self.stamps.keys().chain(&added).filter(|blob| !live.contains(*blob)).collect();
            dead.into_iter().filter(|blob| !gone(blob_path(&self.dir, **blob))).count() == 0
        } else {
            let entries = fs::read_dir(&blobs).with_context(|| format!("cannot list {}", blobs.display()))?;
            let left = entries.flatten().filter(|entry| {
                let name = entry.file_name();
                let blob = name.to_str().filter(|n| n.len() == 32).and_then(|n| Blob::from_str_radix(n, 16).ok());
                !blob.is_some_and(|blob| live.contains(&blob)) && !gone(entry.path())
            });
            left.count() == 0
        };
        // A change in the same clock tick as the last deletion goes unseen; it can only leave a
        // file that no manifest names, which takes room until a later save reads the folder.
        if let Some(id) = folder_id(&blobs).filter(|_| all_gone) {
            let _ = fs::write(self.dir.join(SWEPT), id);
        }
        Ok(())
    }

    fn blob_path(&self, blob: Blob) -> PathBuf {
        blob_path(&self.dir, blob)
    }
}

/// The file that holds the blob folder's [`folder_id`] as the last save left it.
const SWEPT: &str = "swept";

/// The folder at `path`'s inode and status-change time, which any name added to or removed from
/// it changes; `None` where there is no such time.
#[cfg(unix)]
fn folder_id(path: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::symlink_metadata(path).ok().filter(fs::Metadata::is_dir)?;
    Some(format!("{} {}.{:09}", meta.ino(), meta.ctime(), meta.ctime_nsec()))
}

#[cfg(not(unix))]
fn folder_id(_: &Path) -> Option<String> {
    None
}

fn blob_path(dir: &Path, blob: Blob) -> PathBuf {
    dir.join("blobs").join(format!("{blob:032x}"))
}

impl Earlier for BuildCache {
    /// A dossier's files, if rendered from `key`, all under its folder, with its `index.json`
    /// among them; they stay unread where their stamps allow, and are noted for [`Self::files`].
    fn dossier(&self, slug: &str, key: u64) -> Option<(Vec<String>, Blob)> {
        let files = self.get(&format!("dossier:{slug}"), key, true)?;
        let base = format!("providers/{slug}/");
        if !files.iter().all(|(path, _)| path.starts_with(&base)) {
            return None;
        }
        let json_path = format!("{base}index.json");
        let json = files.iter().find(|(path, _)| *path == json_path).map(|(_, content)| content.blob())?;
        let paths = files.iter().map(|(path, _)| path.clone()).collect();
        self.taken.lock().unwrap_or_else(PoisonError::into_inner).extend(files);
        Some((paths, json))
    }

    /// Every listing page of the previous build that is still whole, unread where its stamp
    /// allows (the `/changes/` archive alone is a thousand pages); each is noted for
    /// [`Self::files`] in case the render takes it.
    fn listings(&self) -> ListingCache {
        let ids: Vec<&String> = self.previous.keys().filter(|id| id.starts_with("listing:")).collect();
        let pages: Vec<(String, u64, Content)> = ids
            .par_iter()
            .filter_map(|id| {
                let path = id.strip_prefix("listing:")?;
                let key = self.previous.get(*id)?.key;
                let mut files = self.get(id, key, true)?;
                match files.pop() {
                    Some((file, content)) if files.is_empty() && file == path => Some((file, key, content)),
                    _ => None,
                }
            })
            .collect();
        let mut taken = self.taken.lock().unwrap_or_else(PoisonError::into_inner);
        pages
            .into_iter()
            .map(|(path, key, content)| {
                taken.insert(path.clone(), content);
                (path, (key, Kept::Earlier))
            })
            .collect()
    }
}

impl BuildCache {
    /// The files of a site to write: those of `output`, and those of `earlier` (paths a render
    /// took from this cache) as the cache holds them.
    pub fn files(&self, output: Output, earlier: &[String]) -> anyhow::Result<super::write::Files> {
        let mut taken = self.taken.lock().unwrap_or_else(PoisonError::into_inner);
        let mut files: super::write::Files =
            output.files.into_iter().map(|(path, bytes)| (path, Content::Held(bytes))).collect();
        for path in earlier {
            let content = taken.remove(path).with_context(|| format!("the build cache did not hold {path}"))?;
            files.insert(path.clone(), content);
        }
        Ok(files)
    }
}

/// Which generator wrote a cache: its version and its binary's size and modification time, so a
/// rebuilt generator (which may render differently under the same version) starts afresh.
pub fn generator_id() -> String {
    let binary = std::env::current_exe().and_then(fs::metadata).ok();
    let stamp = binary.as_ref().map_or_else(String::new, |m| {
        let modified = m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        format!("{}.{}", m.len(), modified.map_or(0, |d| d.as_nanos()))
    });
    format!("{}+{stamp}", env!("CARGO_PKG_VERSION"))
}

/// The units of a manifest written by this generator in this format, and its blobs' stamps;
/// `None` if anything in it is off, since a unit missing one of its files would publish an
/// incomplete page set.
fn parse_manifest(text: &str, generator: &str) -> Option<(HashMap<String, Unit>, HashMap<Blob, Stamp>)> {
    let mut lines = text.lines();
    if lines.next()? != format!("{MAGIC} {FORMAT} {generator}") {
        return None;
    }
    let mut units: HashMap<String, Unit> = HashMap::new();
    let mut stamps = HashMap::new();
    for (count, line) in lines.enumerate() {
        if let Some(end) = line.strip_prefix("end ") {
            return (end.parse::<usize>().ok()? == count).then_some((units, stamps));
        }
        let mut fields = line.split('\t');
        let (id, key, path) = (fields.next()?, fields.next()?, fields.next()?);
        let stamp = Stamp::parse(&mut fields)?;
        if fields.next().is_some() || !is_clean_path(path) {
            return None;
        }
        let key = u64::from_str_radix(key, 16).ok()?;
        let blob = stamp.blob;
        stamps.insert(blob, stamp);
        let unit = units.entry(id.to_owned()).or_insert_with(|| Unit { key, files: Vec::new() });
        if unit.key != key {
            return None;
        }
        unit.files.push((path.to_owned(), blob));
    }
    None
}

/// A relative output path that stays inside the output folder.
fn is_clean_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(cache: &mut BuildCache, id: &str, key: u64, files: &[(&str, &str)], out: &Path) {
        let paths = files.iter().map(|(p, _)| (*p).to_owned()).collect();
        let unit = match id.split_once(':') {
            Some(("dossier", slug)) => RenderedUnit::Dossier { slug: slug.to_owned(), key, files: paths },
            _ => RenderedUnit::Listing { path: id.trim_start_matches("listing:").to_owned(), key },
        };
        cache.expect(&[unit]);
        cache.prepare().unwrap();
        for (path, text) in files {
            let dest = out.join(path);
            fs::create_dir_all(dest.parent().unwrap()).unwrap();
            cache.place(path, &Content::Held(Arc::from(text.as_bytes())), &dest).unwrap();
        }
    }

    #[test]
    fn a_saved_unit_comes_back_under_its_key_only() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("cache");
        let mut cache = BuildCache::open(&dir);
        assert!(cache.is_empty());
        unit(
            &mut cache,
            "dossier:a",
            7,
            &[("providers/a/index.html", "<p>a</p>"), ("providers/a/index.json", "{}")],
            &tmp.path().join("out1"),
        );
        cache.save().unwrap();
        let cache = BuildCache::open(&dir);
        assert_eq!(cache.len(), 1);
        assert!(cache.get("dossier:a", 8, false).is_none());
        let files = cache.get("dossier:a", 7, false).unwrap();
        assert_eq!(files[0].0, "providers/a/index.html");
        assert_eq!(files[0].1, Content::Held(Arc::from(&b"<p>a</p>"[..])));
        assert_eq!(files[1].1, Content::Held(Arc::from(&b"{}"[..])));
        // Unread, as blobs whose stamps still match.
        let unread = cache.get("dossier:a", 7, true).unwrap();
        assert_eq!(unread[0].1, Content::Cached { blob: blob_of(b"<p>a</p>"), len: 8 });
    }

    #[test]
    fn damaged_blobs_and_manifests_are_ignored() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("cache");
        let out = tmp.path().join("out");
        let mut cache = BuildCache::open(&dir);
        unit(&mut cache, "listing:tags/x/index.html", 1, &[("tags/x/index.html", "<p>x</p>")], &out);
        cache.save().unwrap();
        // Editing the published file in place edits the linked blob: its hash no longer matches.
        fs::write(out.join("tags/x/index.html"), "<p>changed</p>").unwrap();
        for unread in [true, false] {
            assert!(BuildCache::open(&dir).get("listing:tags/x/index.html", 1, unread).is_none());
        }

        let manifest = fs::read_to_string(dir.join("manifest")).unwrap();
        let truncated = manifest.lines().take(1).collect::<Vec<_>>().join("\n");
        fs::write(dir.join("manifest"), truncated).unwrap();
        assert!(BuildCache::open(&dir).is_empty());
        fs::write(dir.join("manifest"), manifest.replace("tags/x", "../x")).unwrap();
        assert!(BuildCache::open(&dir).is_empty());
        fs::write(dir.join("manifest"), manifest.replace(&format!(" {FORMAT} "), " 999 ")).unwrap();
        assert!(BuildCache::open(&dir).is_empty());
        fs::write(dir.join("manifest"), [0xff, 0xfe, 0]).unwrap();
        assert!(BuildCache::open(&dir).is_empty());
    }

    #[test]
    fn saving_drops_blobs_the_last_build_did_not_produce() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("cache");
        let mut cache = BuildCache::open(&dir);
        unit(&mut cache, "listing:a", 1, &[("a", "one")], &tmp.path().join("out1"));
        cache.save().unwrap();
        let mut cache = BuildCache::open(&dir);
        unit(&mut cache, "listing:b", 2, &[("b", "two")], &tmp.path().join("out2"));
        cache.save().unwrap();
        let cache = BuildCache::open(&dir);
        assert!(cache.get("listing:a", 1, false).is_none());
        assert_eq!(fs::read_dir(dir.join("blobs")).unwrap().count(), 1);
    }

    /// A save deletes the blobs it knows of without reading the blob folder, unless something
    /// else changed the folder since the last save: then whatever it holds that no unit names.
    #[test]
    fn a_file_put_among_the_blobs_goes_at_the_next_save() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("cache");
        let mut cache = BuildCache::open(&dir);
        unit(&mut cache, "listing:a", 1, &[("a", "one")], &tmp.path().join("out1"));
        cache.save().unwrap();
        let blobs = || {
            let mut names: Vec<String> = fs::read_dir(dir.join("blobs"))
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            names
        };
        assert_eq!(blobs(), [format!("{:032x}", blob_of(b"one"))]);
        // Past the clock tick of the save's last change, so this one changes the folder's time.
        std::thread::sleep(std::time::Duration::from_millis(50));
        let stray = format!("{:032x}", blob_of(b"stray"));
        fs::write(dir.join("blobs").join(&stray), "stray").unwrap();
        fs::write(dir.join("blobs/left.tmp-1"), "left by a build that stopped").unwrap();
        let mut cache = BuildCache::open(&dir);
        assert!(!cache.swept, "the folder changed since the save");
        unit(&mut cache, "listing:b", 2, &[("b", "two")], &tmp.path().join("out2"));
        cache.save().unwrap();
        assert_eq!(blobs(), [format!("{:032x}", blob_of(b"two"))]);
        let mut cache = BuildCache::open(&dir);
        assert!(cache.swept, "as the last save left it");
        unit(&mut cache, "listing:c", 3, &[("c", "three")], &tmp.path().join("out3"));
        cache.save().unwrap();
        assert_eq!(blobs(), [format!("{:032x}", blob_of(b"three"))]);
    }
}
