//! Edit dates from git: the day of the last commit touching each content file, read in one
//! `git log` pass for the whole repository (per-file calls take minutes on a large wiki).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::model::Date;

/// `content/...` path → date of the newest commit that touched it. Empty without git.
pub fn edit_dates(root: &Path) -> BTreeMap<String, Date> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["log", "--format=%x00%cs", "--name-only", "--relative", "--no-renames", "--", "content"])
        .output();
    match output {
        Ok(out) if out.status.success() => parse_log(&String::from_utf8_lossy(&out.stdout)),
        _ => BTreeMap::new(),
    }
}

/// Parses `git log --format=%x00%cs --name-only`: newest commit first, so the first date seen
/// for a path is its last edit.
fn parse_log(log: &str) -> BTreeMap<String, Date> {
    let mut dates = BTreeMap::new();
    for commit in log.split('\0').filter(|c| !c.trim().is_empty()) {
        let mut lines = commit.lines();
        let Some(date) = lines.next().and_then(|l| Date::parse(l.trim())) else { continue };
        for path in lines.map(str::trim).filter(|l| !l.is_empty()) {
            dates.entry(path.to_owned()).or_insert(date);
        }
    }
    dates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_commit_wins() {
        let log = "\u{0}2026-10-02\n\ncontent/providers/a.md\n\u{0}2026-01-01\n\ncontent/providers/a.md\ncontent/providers/b.md\n";
        let dates = parse_log(log);
        assert_eq!(dates["content/providers/a.md"].to_string(), "2026-10-02");
        assert_eq!(dates["content/providers/b.md"].to_string(), "2026-01-01");
    }
}
