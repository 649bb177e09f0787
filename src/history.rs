//! Edit dates from git: the day of the last commit touching each content file, read in one
//! `git log` pass for the whole repository (per-file calls take minutes on a large wiki).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::model::Date;

/// `content/...` path → date (UTC) of the newest commit that touched it. Empty without git.
pub fn edit_dates(root: &Path) -> BTreeMap<String, Date> {
    // `-z` and `core.quotePath=false`: names come as they are, NUL-terminated, rather than
    // quoted and octal-escaped ("content/providers/z\303\274rich.md"), which would match no file.
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        // The commit's day in UTC, the clock every other date is compared on, rather than in
        // the committer's time zone.
        .env("TZ", "UTC")
        .args(["-c", "core.quotePath=false", "log", "-z", "--date=format-local:%Y-%m-%d", "--format=%cd"])
        .args(["--name-only", "--relative", "--no-renames", "--", "content"])
        .output();
    match output {
        Ok(out) if out.status.success() => parse_log(&String::from_utf8_lossy(&out.stdout)),
        _ => BTreeMap::new(),
    }
}

/// Parses `git log -z --format=%cd --name-only -- content` with `YYYY-MM-DD` dates, newest
/// commit first, so the first date seen for a path is its last edit. Every field ends in NUL: a commit's date, then its
/// paths, the first after a newline. Paths all start with `content/`, so none reads as a date.
fn parse_log(log: &str) -> BTreeMap<String, Date> {
    let mut dates = BTreeMap::new();
    let mut current = None;
    for field in log.split('\0') {
        let field = field.strip_prefix('\n').unwrap_or(field);
        if let Some(date) = Date::parse(field) {
            current = Some(date);
        } else if let Some(date) = current
            && !field.is_empty()
        {
            dates.entry(field.to_owned()).or_insert(date);
        }
    }
    dates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_commit_wins() {
        let log =
            "2026-10-02\0\ncontent/providers/a.md\x002026-01-01\0\ncontent/providers/a.md\0content/providers/b.md\0";
        let dates = parse_log(log);
        assert_eq!(dates["content/providers/a.md"].to_string(), "2026-10-02");
        assert_eq!(dates["content/providers/b.md"].to_string(), "2026-01-01");
        assert_eq!(dates.len(), 2);
    }

    fn git(dir: &Path, args: &[&str], date: &str) {
        let status = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"])
            .args(args)
            .env("GIT_COMMITTER_DATE", format!("{date}T12:00:00+00:00"))
            .env("GIT_AUTHOR_DATE", format!("{date}T12:00:00+00:00"))
            .status()
            .expect("run git");
        assert!(status.success(), "git {args:?}");
    }

    #[test]
    fn names_outside_ascii_and_with_newlines_get_their_dates() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let providers = root.join("content/providers");
        std::fs::create_dir_all(&providers).unwrap();
        git(root, &["init", "-q"], "2026-01-01");
        for name in ["plain.md", "zürich.md", "név \"idézet\".md", "two\nlines.md"] {
            std::fs::write(providers.join(name), "first\n").unwrap();
        }
        git(root, &["add", "."], "2026-01-01");
        git(root, &["commit", "-q", "-m", "first"], "2026-01-01");
        std::fs::write(providers.join("zürich.md"), "second\n").unwrap();
        git(root, &["commit", "-q", "-am", "second"], "2026-03-04");

        let dates = edit_dates(root);
        let date = |name: &str| dates.get(&format!("content/providers/{name}")).map(ToString::to_string);
        assert_eq!(date("zürich.md").as_deref(), Some("2026-03-04"), "{dates:?}");
        assert_eq!(date("plain.md").as_deref(), Some("2026-01-01"));
        assert_eq!(date("név \"idézet\".md").as_deref(), Some("2026-01-01"));
        assert_eq!(date("two\nlines.md").as_deref(), Some("2026-01-01"));
        assert_eq!(dates.len(), 4, "{dates:?}");
    }

    #[test]
    fn no_git_repository_means_no_dates() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        assert!(edit_dates(dir.path()).is_empty());
    }
}
