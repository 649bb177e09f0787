//! `check --changed-since REF`: what a pull request touched, read from git, and the one rule
//! that needs the previous version of a file (a claim reworded without being re-verified).
//!
//! Consumes the wiki root and a git ref; produces [`Changes`]: the files that differ from the
//! ref and, for each modified dossier, its text before the change. [`reverify_findings`] then
//! compares old and new claims.
//!
//! **One diff**, chosen over the alternatives: `git diff --name-only` would need a
//! `git show REF:path` per changed dossier (a process each), and `git cat-file --batch` a second
//! run after the first had listed the files. Instead one `git diff --raw -p -U0` against the
//! working tree lists every changed path (the raw part, which also names binary and deleted
//! files) and carries every removed and added line (the patch part). The working tree holds the
//! new text, so reversing the hunks over it gives back the old text exactly; each added line is
//! compared with the file on disk first, and a file whose patch does not fit is left unjudged
//! rather than guessed at. Comparing against the working tree (`--merge-base REF`, not
//! `REF...HEAD`) means a contributor's uncommitted edits count, and the disk and the patch
//! always describe the same text. A diff never shows files git does not track yet, so a second,
//! cheap `git ls-files --others` adds a contributor's new, not yet `git add`ed files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use anyhow::Context;

use crate::diagnostics::{Code, Diagnostic};
use crate::frontmatter;
use crate::load::{self, InputKind};
use crate::model::{Claim, DossierMeta, Source, SourceRef};
use crate::site::Site;

/// The files that differ from a base ref, and the old text of the modified dossiers.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    base: String,
    /// Changed paths relative to the wiki root, `/`-separated, deleted ones included.
    files: BTreeSet<String>,
    /// Path → text at the base, for dossiers that were modified (not added) and reversed cleanly.
    previous: BTreeMap<String, String>,
}

impl Changes {
    /// The ref the changes are measured from, as the user wrote it.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Whether a finding in `path` (as diagnostics write it) belongs to the change.
    pub fn touches(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    /// The changed paths, sorted.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(String::as_str)
    }
}

/// Runs `git diff` once under `root` and reads what changed since the merge base with `base`.
pub fn changes_since(root: &Path, base: &str) -> anyhow::Result<Changes> {
    if base.starts_with('-') || base.trim().is_empty() {
        anyhow::bail!("`{base}` is not a git ref");
    }
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        // Settings a contributor's git config could change, pinned so the output parses.
        .args(["-c", "core.quotePath=false", "diff", "--merge-base", base, "--raw", "--patch", "--unified=0"])
        .args(["--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", "--relative"])
        .args(["--src-prefix=a/", "--dst-prefix=b/", "--", "."])
        .output()
        .context("cannot run git (is it installed?), which --changed-since needs")?;
    if !output.status.success() {
        return Err(git_failure(base, &String::from_utf8_lossy(&output.stderr)));
    }
    let diff = String::from_utf8_lossy(&output.stdout);
    let mut changes =
        parse_diff(base, &diff, |path| std::fs::read(root.join(path)).ok().and_then(|b| String::from_utf8(b).ok()));
    changes.files.extend(untracked_files(root)?);
    Ok(changes)
}

/// Files under `root` that git does not track and does not ignore: new files not yet added.
fn untracked_files(root: &Path) -> anyhow::Result<Vec<String>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["ls-files", "--others", "--exclude-standard", "-z", "--", "."])
        .output()
        .context("cannot run git (is it installed?), which --changed-since needs")?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        anyhow::bail!("cannot list the files git does not track yet: {}", said.trim());
    }
    let listed = String::from_utf8_lossy(&output.stdout);
    Ok(listed.split('\0').filter(|p| !p.is_empty()).map(str::to_owned).collect())
}

/// An error that says why git could not compare, and what to do when the base is missing.
fn git_failure(base: &str, stderr: &str) -> anyhow::Error {
    let said = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("no message").trim();
    let missing = ["unknown revision", "bad revision", "no merge base", "bad object", "shallow"]
        .iter()
        .any(|needle| stderr.contains(needle));
    if missing {
        anyhow::anyhow!(
            "cannot find the changes since `{base}`: {said}\n\
             The base commit is not in this clone, or shares no history with HEAD. A shallow clone \
             (CI checks out one commit by default) lacks it: fetch the history with \
             `git fetch --unshallow origin` (actions/checkout: `fetch-depth: 0`), and check that \
             `{base}` names a branch or commit here."
        )
    } else {
        anyhow::anyhow!("cannot find the changes since `{base}`: git says: {said}")
    }
}

/// One line of a hunk: its text without the line ending, and whether it had one.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    text: String,
    newline: bool,
}

/// `@@ -old_start,old_len +new_start,new_len @@` and its lines.
#[derive(Debug, Default)]
struct Hunk {
    old_start: usize,
    old_len: usize,
    new_start: usize,
    new_len: usize,
    removed: Vec<Line>,
    added: Vec<Line>,
}

/// Reads `git diff --raw --patch -U0` output; `current` reads a file of the working tree.
fn parse_diff(base: &str, diff: &str, current: impl Fn(&str) -> Option<String>) -> Changes {
    let mut changes = Changes { base: base.to_owned(), ..Changes::default() };
    let mut modified = BTreeSet::new();
    let mut patches: BTreeMap<String, Vec<Hunk>> = BTreeMap::new();
    let mut file: Option<String> = None;
    for line in diff.split('\n') {
        // Inside a hunk its counts say how many lines are still body, so an added line that
        // reads `++ x` is never taken for a `+++ b/x` header.
        let hunk = file.as_ref().and_then(|f| patches.get_mut(f)).and_then(|h| h.last_mut());
        if let Some(hunk) = hunk.filter(|h| h.is_open() || line.starts_with('\\')) {
            hunk.push(line);
        } else if let Some(raw) = line.strip_prefix(':') {
            // `:100644 100644 abc123 0000000 M<TAB>path`
            if let Some((meta, path)) = raw.split_once('\t') {
                let path = unquote(path);
                if meta.ends_with('M') {
                    modified.insert(path.clone());
                }
                changes.files.insert(path);
            }
        } else if line.starts_with("diff --git ") {
            file = None;
        } else if let Some(name) = line.strip_prefix("+++ ") {
            // Git ends a name holding spaces with a tab, and quotes unusual ones whole.
            file = unquote(name.trim_end_matches('\t')).strip_prefix("b/").map(str::to_owned);
        } else if let (Some(path), Some(hunk)) = (&file, line.strip_prefix("@@ ").and_then(parse_hunk_header)) {
            patches.entry(path.clone()).or_default().push(hunk);
        }
    }
    for (path, hunks) in patches {
        let is_dossier = load::classify(Path::new(&path)) == Some(InputKind::Dossier);
        if !is_dossier || !modified.contains(&path) {
            continue;
        }
        if let Some(old) = current(&path).and_then(|now| reverse(&now, &hunks)) {
            changes.previous.insert(path, old);
        }
    }
    changes
}

/// `-12,3 +12,4 @@ context` → the four numbers (a missing length means 1).
fn parse_hunk_header(header: &str) -> Option<Hunk> {
    let mut parts = header.split(' ');
    let range = |part: Option<&str>, sign: char| -> Option<(usize, usize)> {
        let spec = part?.strip_prefix(sign)?;
        match spec.split_once(',') {
            Some((start, len)) => Some((start.parse().ok()?, len.parse().ok()?)),
            None => Some((spec.parse().ok()?, 1)),
        }
    };
    let (old_start, old_len) = range(parts.next(), '-')?;
    let (new_start, new_len) = range(parts.next(), '+')?;
    Some(Hunk { old_start, old_len, new_start, new_len, ..Hunk::default() })
}

impl Hunk {
    /// Whether body lines are still to come.
    fn is_open(&self) -> bool {
        self.removed.len() < self.old_len || self.added.len() < self.new_len
    }

    /// Adds a body line: `-old`, `+new`, or `\ No newline at end of file` for the line before.
    fn push(&mut self, line: &str) {
        let text = line.get(1..).unwrap_or_default().to_owned();
        if line.starts_with('-') && self.removed.len() < self.old_len && self.added.is_empty() {
            self.removed.push(Line { text, newline: true });
        } else if line.starts_with('+') && self.added.len() < self.new_len {
            self.added.push(Line { text, newline: true });
        } else if line.starts_with('\\') {
            let lines = if self.added.is_empty() { &mut self.removed } else { &mut self.added };
            if let Some(last) = lines.last_mut() {
                last.newline = false;
            }
        }
    }
}

/// The text before the change: `now` with every hunk undone, or `None` if the hunks do not fit.
fn reverse(now: &str, hunks: &[Hunk]) -> Option<String> {
    let lines: Vec<Line> = now
        .split_inclusive('\n')
        .map(|l| match l.strip_suffix('\n') {
            Some(text) => Line { text: text.to_owned(), newline: true },
            None => Line { text: l.to_owned(), newline: false },
        })
        .collect();
    let mut old: Vec<&Line> = Vec::with_capacity(lines.len());
    let mut cursor = 0;
    for hunk in hunks {
        if hunk.added.len() != hunk.new_len || hunk.removed.len() != hunk.old_len {
            return None;
        }
        // With no added lines, `new_start` names the line *after which* lines were removed.
        let start = if hunk.new_len == 0 { hunk.new_start } else { hunk.new_start.checked_sub(1)? };
        let old_before = if hunk.old_len == 0 { hunk.old_start } else { hunk.old_start.checked_sub(1)? };
        old.extend(lines.get(cursor..start)?);
        if old.len() != old_before || lines.get(start..start + hunk.new_len)? != hunk.added.as_slice() {
            return None;
        }
        old.extend(&hunk.removed);
        cursor = start + hunk.new_len;
    }
    old.extend(lines.get(cursor..)?);
    Some(old.iter().map(|l| if l.newline { format!("{}\n", l.text) } else { l.text.clone() }).collect())
}

/// Undoes git's C-style quoting of an unusual path (`"a\"b"`); other paths pass unchanged.
fn unquote(path: &str) -> String {
    let Some(inner) = path.strip_prefix('"').and_then(|p| p.strip_suffix('"')) else {
        return path.to_owned();
    };
    let mut bytes = Vec::new();
    let mut chars = inner.bytes().peekable();
    while let Some(b) = chars.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match chars.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(d @ b'0'..=b'7') => {
                let mut value = u32::from(d - b'0');
                for _ in 0..2 {
                    if let Some(next @ b'0'..=b'7') = chars.peek().copied() {
                        value = value * 8 + u32::from(next - b'0');
                        chars.next();
                    }
                }
                bytes.push(u8::try_from(value).unwrap_or(b'?'));
            }
            Some(other) => bytes.push(other),
            None => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The PR rule: a claim whose `text` or sources changed while its `verified` date did not.
pub fn reverify_findings(site: &Site, changes: &Changes) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for dossier in site.dossiers.values() {
        let path = crate::diagnostics::display_path(&dossier.path);
        let Some(old_text) = changes.previous.get(&path) else { continue };
        // A dossier that did not parse at the base has nothing to compare with.
        let Ok((old, _)) = frontmatter::parse_document::<DossierMeta>(&dossier.path, old_text) else { continue };
        for claim in dossier.meta.claims.iter() {
            let Some(before) = old.claims.iter().find(|c| c.id.value == claim.id.value) else { continue };
            if before.verified.value != claim.verified.value {
                continue;
            }
            let text = before.text.value != claim.text.value;
            let sources = support(&old, before) != support(&dossier.meta, claim);
            let what = match (text, sources) {
                (true, true) => "text and sources",
                (true, false) => "text",
                (false, true) => "sources",
                (false, false) => continue,
            };
            out.push(
                Diagnostic::new(
                    Code::ReverifyClaim,
                    &dossier.path,
                    claim.verified.pos,
                    format!(
                        "the claim `{}` changed its {what} since {}, but `verified` still says {}: re-verify and update verified",
                        *claim.id,
                        changes.base(),
                        claim.verified.value
                    ),
                )
                .help("read the sources again; if they support the claim as it now reads, set `verified` to the day you checked"),
            );
        }
    }
    out
}

/// The review policy for allegations: one that is new in the change, or whose text, status,
/// kind or sources changed, must come with the vendor's side (`right_of_reply`, or a
/// `vendor-statement` answering it), so its `unanswered-allegation` becomes an error.
/// Allegations the change left alone stay warnings, so the wiki keeps building. A file whose
/// old text is unknown (new, or its patch did not fit) counts as new.
pub fn hold_new_allegations(findings: &mut [Diagnostic], site: &Site, changes: &Changes) {
    let mut old_meta: BTreeMap<String, Option<DossierMeta>> = BTreeMap::new();
    let dossiers: BTreeMap<String, &crate::model::Dossier> = site
        .dossiers
        .values()
        .map(|d| (crate::diagnostics::display_path(&d.path), d))
        .filter(|(path, _)| changes.touches(path))
        .collect();
    for finding in findings.iter_mut().filter(|d| d.code == Code::UnansweredAllegation) {
        let Some(dossier) = dossiers.get(&finding.path) else { continue };
        let at = |c: &&Claim| (c.id.pos.line, c.id.pos.col) == (finding.line, finding.column);
        let Some(claim) = dossier.meta.claims.iter().find(at) else { continue };
        let old = old_meta.entry(finding.path.clone()).or_insert_with(|| {
            let text = changes.previous.get(&finding.path)?;
            frontmatter::parse_document::<DossierMeta>(&dossier.path, text).ok().map(|(meta, _)| meta)
        });
        let unchanged = old.as_ref().is_some_and(|old| {
            old.claims.iter().any(|before| {
                before.id.value == claim.id.value
                    && before.text.value == claim.text.value
                    && before.status == claim.status
                    && before.kind == claim.kind
                    && support(old, before) == support(&dossier.meta, claim)
            })
        });
        if unchanged {
            continue;
        }
        finding.severity = crate::diagnostics::Severity::Error;
        finding.message = format!(
            "the allegation `{}` is new or changed since {} and has no answer from the vendor",
            *claim.id,
            changes.base()
        );
        finding.help = Some(
            "an allegation is published only after the vendor was offered a right of reply: record it as \
             `right_of_reply` (contacted, outcome), or the vendor's answer as a `vendor-statement` with `responds_to`"
                .into(),
        );
    }
}

/// What a claim rests on: each source's address, title, publisher, date and quote, in a
/// stable order. `accessed` and `archive` are left out: re-reading a page or adding a
/// snapshot (what `missing-archive` asks for) does not change what supports the claim.
fn support(meta: &DossierMeta, claim: &Claim) -> Vec<String> {
    let describe = |s: &Source| {
        let published = s.published.as_ref().map(|d| d.value.to_string());
        format!("{}\0{}\0{:?}\0{:?}\0{:?}", s.url.value.trim(), s.title, s.publisher, published, s.quote)
    };
    let mut sources: Vec<String> = claim
        .sources
        .iter()
        .map(|r| match &r.value {
            SourceRef::Inline(source) => describe(source),
            SourceRef::Named(name) => meta.sources.get(name).map_or_else(|| format!("?{name}"), |s| describe(s)),
        })
        .collect();
    sources.sort();
    sources
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIFF: &str = "\
:100644 000000 b680253 0000000 D\tcontent/providers/gone.md
:000000 100644 0000000 ef073cc A\tcontent/providers/new.md
:100644 100644 bca70f3 0000000 M\tcontent/pages/sp ace.md
:100644 100644 d68dd40 0000000 M\tcontent/providers/x.md
:100644 100644 d68dd41 0000000 M\t\"content/providers/q\\\"uote\\303\\251.md\"

diff --git a/content/providers/x.md b/content/providers/x.md
index d68dd40..6fe8acc 100644
--- a/content/providers/x.md
+++ b/content/providers/x.md
@@ -2 +2 @@ a
-b
+B
@@ -4,0 +5 @@ d
+e
@@ -6 +6,0 @@ f
-g
";

    fn changes(now: &'static str) -> Changes {
        parse_diff("main", DIFF, move |_| Some(now.to_owned()))
    }

    #[test]
    fn raw_lines_list_every_changed_path() {
        let c = changes("a\nB\nc\nd\ne\n");
        let files: Vec<&str> = c.files().collect();
        assert_eq!(
            files,
            [
                "content/pages/sp ace.md",
                "content/providers/gone.md",
                "content/providers/new.md",
                "content/providers/q\"uoteé.md",
                "content/providers/x.md"
            ]
        );
        assert!(c.touches("content/providers/new.md"));
        assert!(!c.touches("content/providers/other.md"));
    }

    #[test]
    fn hunks_reverse_to_the_old_text() {
        let c = changes("a\nB\nc\nd\ne\nf\n");
        assert_eq!(c.previous["content/providers/x.md"], "a\nb\nc\nd\nf\ng\n");
        assert_eq!(c.previous.len(), 1, "only modified dossiers are reversed");
    }

    #[test]
    fn a_patch_that_does_not_fit_the_file_is_not_reversed() {
        let c = changes("a\nX\nc\nd\ne\n");
        assert!(c.previous.is_empty());
        let c = changes("a\n");
        assert!(c.previous.is_empty());
    }

    #[test]
    fn missing_final_newlines_are_kept() {
        let diff = ":1 1 a b M\tcontent/providers/x.md\n\n+++ b/content/providers/x.md\n@@ -2 +2 @@\n-b\n\\ No newline at end of file\n+B\n\\ No newline at end of file\n";
        let c = parse_diff("main", diff, |_| Some("a\nB".to_owned()));
        assert_eq!(c.previous["content/providers/x.md"], "a\nb");
    }

    #[test]
    fn crlf_lines_round_trip() {
        let diff = ":1 1 a b M\tcontent/providers/x.md\n\n+++ b/content/providers/x.md\n@@ -1 +1 @@\n-\u{feff}a\r\n+\u{feff}A\r\n";
        let c = parse_diff("main", diff, |_| Some("\u{feff}A\r\nb\r\n".to_owned()));
        assert_eq!(c.previous["content/providers/x.md"], "\u{feff}a\r\nb\r\n");
    }

    #[test]
    fn body_lines_that_look_like_headers_stay_body_lines() {
        let diff = ":1 1 a b M\tcontent/providers/x.md\n\n+++ b/content/providers/x.md\n@@ -1 +1,2 @@\n--- a\n+++ b\n+@@ -9 +9 @@\n";
        let c = parse_diff("main", diff, |_| Some("++ b\n@@ -9 +9 @@\nc\n".to_owned()));
        assert_eq!(c.previous["content/providers/x.md"], "-- a\nc\n");
    }

    #[test]
    fn hunk_headers_default_to_one_line() {
        let h = parse_hunk_header("-3 +4,0 @@ ctx").unwrap();
        assert_eq!((h.old_start, h.old_len, h.new_start, h.new_len), (3, 1, 4, 0));
        assert!(parse_hunk_header("garbage").is_none());
    }

    #[test]
    fn missing_base_explains_shallow_clones() {
        let e = git_failure("origin/main", "fatal: no merge base found\n");
        let text = format!("{e:#}");
        assert!(text.contains("no merge base found") && text.contains("fetch-depth: 0"), "{text}");
        let e = git_failure("x", "fatal: not a git repository\n");
        assert!(!format!("{e:#}").contains("shallow"));
    }
}
