//! The load stage: finds the wiki's content files under `content/` and reads them as text.
//!
//! Consumes a root directory; produces the list of inputs with their kind, and diagnostics for
//! what it will not read (symlinks, stray files, oversized or non-UTF-8 files). It never follows
//! a symlink, so nothing outside the root is ever read.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;
use walkdir::WalkDir;

use crate::config::CONFIG_PATH;
use crate::diagnostics::{Code, Diagnostic};
use crate::model::Pos;

/// Larger files are refused unread: no dossier is near this, and it bounds memory.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// What a content file is, by where it sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InputKind {
    Config,
    Home,
    Dossier,
    Category,
    Page,
}

/// A content file to read, relative to the wiki root.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    pub kind: InputKind,
    pub path: PathBuf,
}

/// A stable 64-bit content hash (xxh3, as the build cache's blob names): what a file's and
/// the settings' hash are, what decides what a rebuild must redo, and what names assets and
/// search files. The same on every platform and run.
pub fn content_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Whether a file name belongs to an editor, the OS or version control rather than the wiki.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || [".swp", ".swo", ".swx", ".swn", ".tmp", ".bak", ".orig", ".rej"].iter().any(|ext| name.ends_with(ext))
}

/// The kind of file at `rel` (relative to the root), or `None` if the wiki has no place for it.
pub fn classify(rel: &Path) -> Option<InputKind> {
    let parts: Vec<&str> = rel.iter().filter_map(|p| p.to_str()).collect();
    let is_md = |name: &str| name.len() > 3 && name.ends_with(".md");
    match parts.as_slice() {
        ["content", "site.yaml"] => Some(InputKind::Config),
        ["content", "index.md"] => Some(InputKind::Home),
        ["content", "providers", name] if is_md(name) => Some(InputKind::Dossier),
        ["content", "categories", name] if is_md(name) => Some(InputKind::Category),
        ["content", "pages", name] if is_md(name) => Some(InputKind::Page),
        _ => None,
    }
}

/// Lists the inputs under `root/content`, sorted, with diagnostics for what was passed over.
pub fn discover(root: &Path) -> anyhow::Result<(Vec<Input>, Vec<Diagnostic>)> {
    let content = root.join("content");
    let real_root = fs::canonicalize(root).with_context(|| format!("cannot open the wiki root {}", root.display()))?;
    if !content.is_dir() {
        anyhow::bail!("{} has no content/ directory; is --root the wiki's root?", root.display());
    }
    let mut inputs = Vec::new();
    let mut diagnostics = Vec::new();
    for entry in walk_content(root) {
        let entry = entry.with_context(|| format!("cannot list {}", content.display()))?;
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path()).to_path_buf();
        if entry.path_is_symlink() {
            diagnostics.push(symlink_diagnostic(entry.path(), &rel, &real_root));
        } else if entry.file_type().is_file() {
            match classify(&rel) {
                Some(kind) => inputs.push(Input { kind, path: rel }),
                None => diagnostics.push(
                    Diagnostic::new(Code::UnexpectedFile, &rel, Pos::UNKNOWN, "this file is not part of the wiki and is ignored")
                        .help("dossiers go in content/providers/<slug>.md, categories in content/categories/, pages in content/pages/"),
                ),
            }
        }
    }
    if !inputs.iter().any(|i| i.kind == InputKind::Config) {
        diagnostics.push(
            Diagnostic::new(
                Code::MissingSiteConfig,
                Path::new(CONFIG_PATH),
                Pos::UNKNOWN,
                "the site settings file is missing",
            )
            .help("create content/site.yaml with at least title, description and base_url"),
        );
    }
    Ok((inputs, diagnostics))
}

/// Every entry under `root/content` the site looks at, sorted by name: what editors, the OS and
/// version control leave there is passed over, and symbolic links are not followed.
pub fn walk_content(root: &Path) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> {
    WalkDir::new(root.join("content"))
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy()))
}

fn symlink_diagnostic(abs: &Path, rel: &Path, real_root: &Path) -> Diagnostic {
    match fs::canonicalize(abs) {
        Ok(target) if target.starts_with(real_root) => Diagnostic::new(
            Code::SymlinkSkipped,
            rel,
            Pos::UNKNOWN,
            "symbolic links are not followed; this one is skipped",
        )
        .help("replace the link with the file itself"),
        _ => Diagnostic::new(
            Code::SymlinkOutsideRoot,
            rel,
            Pos::UNKNOWN,
            "this symbolic link points outside the wiki and is not read",
        )
        .help("remove the link; content must live inside the repository"),
    }
}

/// Reads an input as UTF-8 text, without a byte-order mark. Refuses oversized files unread.
pub fn read_text(root: &Path, rel: &Path) -> Result<String, Diagnostic> {
    let unreadable = |e: std::io::Error| {
        Diagnostic::new(Code::UnreadableFile, rel, Pos::UNKNOWN, format!("cannot read the file: {e}"))
            .help("check that the file exists and is readable")
    };
    let file = fs::File::open(root.join(rel)).map_err(unreadable)?;
    // Sized up front, so the text is read in place rather than copied as the buffer grows.
    let size = file.metadata().map_or(0, |m| m.len()).min(MAX_FILE_BYTES + 1);
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Diagnostic::new(
            Code::FileTooLarge,
            rel,
            Pos::UNKNOWN,
            format!("the file is larger than {} MiB", MAX_FILE_BYTES / (1024 * 1024)),
        )
        .help("a dossier is text; split it or remove embedded data"));
    }
    if bytes.starts_with("\u{feff}".as_bytes()) {
        bytes.drain(.."\u{feff}".len());
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let col = String::from_utf8_lossy(&valid[line_start..]).chars().count() as u32 + 1;
        Diagnostic::new(Code::InvalidUtf8, rel, Pos::new(line, col), "the file is not valid UTF-8")
            .help("save the file as UTF-8")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hashes_are_stable_and_see_every_byte() {
        assert_eq!(content_hash(b""), content_hash(b""));
        let text: Vec<u8> = (0..100_u8).collect();
        let mut seen = std::collections::BTreeSet::new();
        for len in 0..text.len() {
            assert!(seen.insert(content_hash(&text[..len])), "length {len}");
        }
        for at in 0..text.len() {
            let mut changed = text.clone();
            changed[at] ^= 1;
            assert!(seen.insert(content_hash(&changed)), "byte {at}");
        }
        assert_eq!(
            content_hash(b"---\nname: A\n---\n"),
            4_649_886_230_335_918_626,
            "the same on every platform and run"
        );
    }

    #[test]
    fn a_byte_order_mark_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "\u{feff}---\nx").unwrap();
        assert_eq!(read_text(dir.path(), Path::new("a.md")).unwrap(), "---\nx");
    }

    #[test]
    fn editor_and_hidden_files_are_ignored() {
        for name in [".git", ".x.md.swp", "x.md~", "#x.md#", "4913", "x.md.swp", "x.tmp"] {
            assert!(is_ignored_name(name), "{name}");
        }
        for name in ["x.md", "site.yaml", "swp.md"] {
            assert!(!is_ignored_name(name), "{name}");
        }
    }

    #[test]
    fn files_are_classified_by_place() {
        let kind = |p: &str| classify(Path::new(p));
        assert_eq!(kind("content/site.yaml"), Some(InputKind::Config));
        assert_eq!(kind("content/index.md"), Some(InputKind::Home));
        assert_eq!(kind("content/providers/a.md"), Some(InputKind::Dossier));
        assert_eq!(kind("content/categories/dns.md"), Some(InputKind::Category));
        assert_eq!(kind("content/pages/about.md"), Some(InputKind::Page));
        assert_eq!(kind("content/providers/a.txt"), None);
        assert_eq!(kind("content/providers/x/a.md"), None);
        assert_eq!(kind("content/providers/.md"), None);
    }
}
