//! The engine on real repositories made with the git CLI, dates pinned.

use super::*;
use crate::model::{ClaimKind, ClaimStatus, ReplyOutcome};
use crate::testing::TestRepo;
use crate::testing::git_cli::git_on;

/// A dossier in `category` with extra top-level YAML and these claims (YAML list items).
pub(crate) fn dossier(category: &str, extra: &str, claims: &str) -> String {
    format!(
        "---\nname: Example\nwebsite: https://example.test\ncategory: {category}\nsummary: S.\n{extra}claims:\n{claims}---\nBody.\n"
    )
}

pub(crate) fn claim(id: &str, kind: &str, status: &str, verified: &str, sources: &[&str]) -> String {
    let mut out = format!(
        "  - id: {id}\n    text: Claim {id}.\n    kind: {kind}\n    status: {status}\n    verified: {verified}\n    sources:\n"
    );
    for source in sources {
        let (url, archive) = source.split_once(' ').map_or((*source, None), |(u, a)| (u, Some(a)));
        out.push_str(&format!("      - url: {url}\n        title: T\n        accessed: 2026-01-01\n"));
        if let Some(archive) = archive {
            out.push_str(&format!("        archive: {archive}\n"));
        }
    }
    out
}

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// `(commit date, commit subject, changes)` of a dossier's entries, oldest first.
fn timeline(history: &History, slug: &str) -> Vec<(String, String, Vec<Change>)> {
    history.dossiers[slug]
        .iter()
        .map(|e| {
            let c = &history.commits[e.commit];
            (c.date.to_string(), c.subject.clone(), e.changes.clone())
        })
        .collect()
}

const A: &str = "content/providers/a.md";

#[test]
fn every_kind_of_change_is_recorded() {
    let repo = TestRepo::new();
    repo.write("content/site.yaml", "title: T\n");
    let first = claim("x", "fact", "verified", "2026-01-01", &["https://a.test/1"]);
    let alleged = claim("y", "allegation", "alleged", "2026-01-01", &["https://a.test/2"]);
    repo.write(A, &dossier("dns", "facts:\n  k: { value: 1, claim: x }\n", &(first + &alleged)));
    repo.commit("2026-01-10", "Add a");

    let reworded = claim(
        "x",
        "policy",
        "verified",
        "2026-02-01",
        &["https://a.test/1 https://archive.test/1", "https://a.test/3"],
    )
    .replace("Claim x.", "Claim x, reworded.");
    let disputed = claim("y", "allegation", "disputed", "2026-01-01", &["https://a.test/2"]);
    let answer =
        claim("z", "vendor-statement", "verified", "2026-02-01", &["https://a.test/4"]) + "    responds_to: y\n";
    let extra = "right_of_reply: { contacted: 2026-02-01, outcome: responded }\nfacts:\n  k: { value: 2, claim: x }\n";
    repo.write(A, &dossier("email-hosting", extra, &(reworded.clone() + &disputed + &answer)));
    repo.commit("2026-02-02", "Dispute y");

    let fewer = claim("x", "policy", "verified", "2026-02-01", &["https://a.test/1 https://archive.test/1"])
        .replace("Claim x.", "Claim x, reworded.");
    let extra = "right_of_reply: { contacted: 2026-02-01, outcome: declined }\nfacts:\n  k: { value: 2, claim: x }\n";
    repo.write(A, &dossier("email-hosting", extra, &(fewer.clone() + &answer)));
    repo.commit("2026-03-03", "Remove y");

    repo.write(A, "---\nname: [unclosed\n---\n");
    repo.commit("2026-04-04", "Break a");

    let retracted = fewer.replace("status: verified", "status: retracted");
    repo.write(A, &dossier("email-hosting", extra, &(retracted + &answer)));
    repo.commit("2026-05-05", "Retract x");

    let history = load(repo.root(), None);
    let x = || "x".to_owned();
    let expected = vec![
        (
            "2026-01-10".to_owned(),
            "Add a".to_owned(),
            vec![
                Change::DossierAdded,
                Change::ClaimAdded { claim: x(), kind: ClaimKind::Fact, status: ClaimStatus::Verified, impact: None },
                Change::ClaimAdded {
                    claim: "y".into(),
                    kind: ClaimKind::Allegation,
                    status: ClaimStatus::Alleged,
                    impact: None,
                },
            ],
        ),
        (
            "2026-02-02".to_owned(),
            "Dispute y".to_owned(),
            vec![
                Change::CategoryChanged { from: "dns".into(), to: "email-hosting".into() },
                Change::ReplyRecorded { contacted: date("2026-02-01"), outcome: ReplyOutcome::Responded },
                Change::FactChanged { fact: "k".into(), from: Some("1".into()), to: Some("2".into()) },
                Change::ClaimReworded { claim: x() },
                Change::KindChanged { claim: x(), from: ClaimKind::Fact, to: ClaimKind::Policy },
                Change::Reverified { claim: x(), from: date("2026-01-01"), to: date("2026-02-01") },
                Change::ArchiveAdded {
                    claim: x(),
                    url: "https://a.test/1".into(),
                    archive: "https://archive.test/1".into(),
                },
                Change::SourceAdded { claim: x(), url: "https://a.test/3".into() },
                Change::StatusChanged { claim: "y".into(), from: ClaimStatus::Alleged, to: ClaimStatus::Disputed },
                Change::VendorStatementAdded { claim: "z".into(), responds_to: Some("y".into()) },
            ],
        ),
        (
            "2026-03-03".to_owned(),
            "Remove y".to_owned(),
            vec![
                Change::ReplyChanged { contacted: date("2026-02-01"), outcome: ReplyOutcome::Declined },
                Change::SourceRemoved { claim: x() },
                Change::ClaimRemoved { claim: "y".into() },
            ],
        ),
        (
            "2026-04-04".to_owned(),
            "Break a".to_owned(),
            vec![Change::InvalidRevision { problem: history_problem(&history) }],
        ),
        (
            "2026-05-05".to_owned(),
            "Retract x".to_owned(),
            vec![Change::StatusChanged { claim: x(), from: ClaimStatus::Verified, to: ClaimStatus::Retracted }],
        ),
    ];
    assert_eq!(timeline(&history, "a"), expected);
    assert!(history_problem(&history).starts_with("line "), "{}", history_problem(&history));
    assert_eq!(history.edited[A], date("2026-05-05"));
    assert_eq!(history.edited["content/site.yaml"], date("2026-01-10"));
    assert_eq!(history.complete_from, None);
}

/// The problem the invalid revision of `a` was recorded with.
fn history_problem(history: &History) -> String {
    history.dossiers["a"]
        .iter()
        .flat_map(|e| &e.changes)
        .find_map(|c| match c {
            Change::InvalidRevision { problem } => Some(problem.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

#[test]
fn a_renamed_dossier_keeps_its_history_and_a_removed_one_is_recorded() {
    let repo = TestRepo::new();
    let claims = claim("x", "fact", "verified", "2026-01-01", &["https://a.test/1"])
        + &claim("y", "fact", "verified", "2026-01-01", &["https://a.test/2"]);
    repo.write(A, &dossier("dns", "", &claims));
    repo.write(
        "content/providers/gone.md",
        &dossier("dns", "", &claim("g", "fact", "verified", "2026-01-01", &["https://g.test"])),
    );
    repo.commit("2026-01-10", "Add");
    // Renamed and edited in one commit: matched by its claims, not by its bytes.
    repo.git(&["mv", A, "content/providers/b.md"]);
    repo.write("content/providers/b.md", &dossier("dns", "", &claims.replace("status: verified", "status: disputed")));
    repo.commit("2026-02-10", "Rename a to b");
    repo.git(&["mv", "content/providers/b.md", "content/providers/c.md"]);
    repo.git(&["rm", "-q", "content/providers/gone.md"]);
    repo.commit("2026-03-10", "Rename b to c, drop gone");

    let history = load(repo.root(), None);
    assert!(!history.dossiers.contains_key("a") && !history.dossiers.contains_key("b"));
    let c = timeline(&history, "c");
    assert_eq!(c.len(), 3, "{c:?}");
    assert_eq!(c[0].2[0], Change::DossierAdded);
    assert_eq!(c[1].2[0], Change::DossierRenamed { from: "a".into() });
    assert_eq!(c[1].2.len(), 3, "both statuses changed: {:?}", c[1].2);
    assert_eq!(c[2].2, [Change::DossierRenamed { from: "b".into() }]);
    assert_eq!(history.dossiers["c"][1].slug, "b");
    assert_eq!(timeline(&history, "gone")[1].2, [Change::DossierRemoved]);
}

#[test]
fn changes_are_dated_when_they_reached_the_branch() {
    let repo = TestRepo::new();
    let one = claim("x", "fact", "verified", "2026-01-01", &["https://a.test/1"]);
    repo.write(A, &dossier("dns", "", &one));
    repo.commit("2026-01-01", "Add a");

    // A merge commit: the branch's commits are dated by the merge.
    repo.git(&["checkout", "-q", "-b", "merged"]);
    repo.write(A, &dossier("dns", "", &one.replace("verified\n", "disputed\n")));
    repo.commit("2026-02-01", "Dispute x on a branch");
    repo.git(&["checkout", "-q", "main"]);
    repo.git_on("2026-02-15", &["merge", "-q", "--no-ff", "-m", "Merge pull request 1", "merged"]);

    // A squash.
    repo.git(&["checkout", "-q", "-b", "squashed"]);
    repo.write(A, &dossier("dns", "", &one.replace("verified\n", "retracted\n")));
    repo.commit("2026-03-01", "Retract x on a branch");
    repo.git(&["checkout", "-q", "main"]);
    repo.git_on("2026-03-15", &["merge", "-q", "--squash", "squashed"]);
    repo.commit("2026-03-15", "Retract x (squashed)");

    // A fast-forward: the commit itself is on the first-parent line.
    repo.git(&["checkout", "-q", "-b", "forwarded"]);
    repo.write(A, &dossier("dns", "", &one.replace("verified\n", "superseded\n")));
    repo.commit("2026-04-01", "Supersede x");
    repo.git(&["checkout", "-q", "main"]);
    repo.git_on("2026-04-15", &["merge", "-q", "--ff-only", "forwarded"]);

    let history = load(repo.root(), None);
    let dated: Vec<(String, String)> = timeline(&history, "a").into_iter().map(|(d, s, _)| (d, s)).collect();
    let expected = [
        ("2026-01-01", "Add a"),
        ("2026-02-15", "Merge pull request 1"),
        ("2026-03-15", "Retract x (squashed)"),
        ("2026-04-01", "Supersede x"),
    ];
    assert_eq!(dated, expected.map(|(d, s)| (d.to_owned(), s.to_owned())));
}

#[test]
fn a_shallow_clone_says_from_when_history_is_complete() {
    let origin = TestRepo::new();
    let one = claim("x", "fact", "verified", "2026-01-01", &["https://a.test/1"]);
    origin.write(A, &dossier("dns", "", &one));
    origin.commit("2026-01-01", "Add a");
    origin.write(A, &dossier("dns", "", &one.replace("verified\n", "disputed\n")));
    origin.commit("2026-02-01", "Dispute x");
    origin.write(A, &dossier("dns", "", &one.replace("verified\n", "retracted\n")));
    origin.commit("2026-03-01", "Retract x");

    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.root().display());
    let target = clone.path().join("wiki");
    git_on(clone.path(), "2026-03-02", &["clone", "-q", "--depth", "2", &url, target.to_str().unwrap()]);
    let history = load(&target, None);
    assert_eq!(history.complete_from, Some(date("2026-02-01")));
    let a = timeline(&history, "a");
    assert_eq!(a.len(), 1, "the boundary commit records nothing: {a:?}");
    assert_eq!(a[0].1, "Retract x");
    assert_eq!(history.edited[A], date("2026-03-01"));
}

#[test]
fn a_warm_load_after_new_commits_equals_a_cold_one() {
    let repo = TestRepo::new();
    let cache = tempfile::tempdir().unwrap();
    let one = claim("x", "fact", "verified", "2026-01-01", &["https://a.test/1"]);
    repo.write(A, &dossier("dns", "", &one));
    repo.commit("2026-01-01", "Add a");
    repo.write(A, "---\nname: [broken\n---\n");
    repo.commit("2026-01-02", "Break a");
    let memo = crate::cache::history(cache.path());
    let first = load(repo.root(), Some(&memo));
    memo.save().unwrap();
    assert_eq!(first.dossiers["a"].len(), 2);
    // The next commit compares with the last version that parsed, which the cache does not hold.
    repo.write(A, &dossier("dns", "", &one.replace("verified\n", "disputed\n")));
    repo.git(&["mv", A, "content/providers/b.md"]);
    repo.commit("2026-01-03", "Fix and rename a");
    let warm = load(repo.root(), Some(&crate::cache::history(cache.path())));
    let cold = load(repo.root(), None);
    assert_eq!(warm, cold);
    assert_eq!(
        timeline(&cold, "b")[2].2,
        [
            Change::DossierRenamed { from: "a".into() },
            Change::StatusChanged { claim: "x".into(), from: ClaimStatus::Verified, to: ClaimStatus::Disputed }
        ]
    );
}

#[test]
fn no_repository_no_history() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(load(dir.path(), None), History::default());
    let repo = TestRepo::new();
    assert_eq!(load(repo.root(), None), History::default(), "an unborn branch has no history");
}

#[test]
fn a_wiki_in_a_subfolder_reads_its_own_content() {
    let repo = TestRepo::new();
    let one = claim("x", "fact", "verified", "2026-01-01", &["https://a.test/1"]);
    repo.write(&format!("wiki/{A}"), &dossier("dns", "", &one));
    repo.write(A, &dossier("dns", "", &one));
    repo.commit("2026-01-01", "Add");
    repo.write(&format!("wiki/{A}"), &dossier("dns", "", &one.replace("verified\n", "disputed\n")));
    repo.commit("2026-01-02", "Dispute");
    let history = load(&repo.root().join("wiki"), None);
    assert_eq!(history.dossiers["a"].len(), 2);
    assert_eq!(history.edited[A], date("2026-01-02"));
}

#[test]
fn names_outside_ascii_and_with_newlines_get_their_edit_dates() {
    let repo = TestRepo::new();
    for name in ["plain.md", "zürich.md", "név \"idézet\".md", "two\nlines.md"] {
        repo.write(&format!("content/providers/{name}"), "first\n");
    }
    repo.commit("2026-01-01", "first");
    repo.write("content/providers/zürich.md", "second\n");
    repo.commit("2026-03-04", "second");
    let dates = load(repo.root(), None).edited;
    let date = |name: &str| dates.get(&format!("content/providers/{name}")).map(ToString::to_string);
    assert_eq!(date("zürich.md").as_deref(), Some("2026-03-04"), "{dates:?}");
    assert_eq!(date("plain.md").as_deref(), Some("2026-01-01"));
    assert_eq!(date("név \"idézet\".md").as_deref(), Some("2026-01-01"));
    assert_eq!(date("two\nlines.md").as_deref(), Some("2026-01-01"));
    assert_eq!(dates.len(), 4, "{dates:?}");
}

#[test]
fn a_rewritten_branch_is_read_again_whole() {
    let repo = TestRepo::new();
    let cache = tempfile::tempdir().unwrap();
    let one = claim("x", "fact", "verified", "2026-01-01", &["https://a.test/1"]);
    repo.write(A, &dossier("dns", "", &one));
    repo.commit("2026-01-01", "Add a");
    repo.write(A, &dossier("dns", "", &one.replace("verified\n", "disputed\n")));
    repo.commit("2026-01-02", "Dispute x");
    let memo = crate::cache::history(cache.path());
    assert_eq!(load(repo.root(), Some(&memo)).commits.len(), 2);
    memo.save().unwrap();
    // The commit the cache ends at is no longer on the branch.
    repo.write(A, &dossier("dns", "", &one.replace("verified\n", "retracted\n")));
    repo.git_on("2026-01-03", &["commit", "-q", "-a", "--amend", "-m", "Retract x"]);
    let warm = load(repo.root(), Some(&crate::cache::history(cache.path())));
    assert_eq!(warm, load(repo.root(), None));
    assert_eq!(warm.commits.iter().map(|c| c.subject.as_str()).collect::<Vec<_>>(), ["Add a", "Retract x"]);
}

#[test]
fn edits_far_apart_in_a_large_folder_are_found_and_the_rest_unread() {
    let repo = TestRepo::new();
    let one = claim("x", "fact", "verified", "2026-01-01", &["https://a.test/1"]);
    for i in 0..300 {
        repo.write(&format!("content/providers/p{i:03}.md"), &dossier("dns", "", &one));
    }
    repo.commit("2026-01-01", "Add 300");
    let disputed = dossier("dns", "", &one.replace("verified\n", "disputed\n"));
    for i in [3, 150, 297] {
        repo.write(&format!("content/providers/p{i:03}.md"), &disputed);
    }
    repo.commit("2026-01-02", "Dispute three");
    repo.git(&["mv", "content/providers/p010.md", "content/providers/p999.md"]);
    let other = claim("other", "fact", "verified", "2026-01-01", &["https://a.test/2"]);
    repo.write("content/providers/new.md", &dossier("email", "", &other));
    repo.commit("2026-01-03", "Rename one, add one");
    let history = load(repo.root(), None);
    let touched = |subject: &str| -> Vec<&str> {
        let Some(at) = history.commits.iter().position(|c| c.subject == subject) else { return Vec::new() };
        let mut slugs: Vec<&str> =
            history.dossiers.values().flatten().filter(|e| e.commit == at).map(|e| e.slug.as_str()).collect();
        slugs.sort_unstable();
        slugs
    };
    assert_eq!(touched("Dispute three"), ["p003", "p150", "p297"]);
    assert_eq!(touched("Rename one, add one"), ["new", "p999"]);
    assert_eq!(history.dossiers["p999"][1].changes, [Change::DossierRenamed { from: "p010".into() }]);
}

/// A memo that records which keys a load read and wrote, over the history cache in a folder.
struct Traffic {
    inner: crate::cache::KeyedFile,
    got: std::sync::Mutex<Vec<String>>,
    put: std::sync::Mutex<Vec<String>>,
}

impl Traffic {
    fn open(dir: &Path) -> Traffic {
        Traffic { inner: crate::cache::history(dir), got: Default::default(), put: Default::default() }
    }

    fn put_keys(&self) -> Vec<String> {
        let mut keys = self.put.lock().unwrap().clone();
        keys.sort();
        keys
    }
}

impl Memo for Traffic {
    fn get(&self, key: &str, hash: u64) -> Option<&[u8]> {
        self.got.lock().unwrap().push(key.to_owned());
        self.inner.get(key, hash)
    }

    fn put(&self, key: &str, hash: u64, bytes: Vec<u8>) {
        self.put.lock().unwrap().push(key.to_owned());
        self.inner.put(key, hash, bytes);
    }
}

/// The id of the blob at `path` in `HEAD`.
fn blob_id(repo: &TestRepo, path: &str) -> String {
    repo.git(&["rev-parse", &format!("HEAD:{path}")]).trim().to_owned()
}

#[test]
fn a_warm_load_takes_the_version_it_compares_with_from_the_cache_not_from_git() {
    let repo = TestRepo::new();
    let cache = tempfile::tempdir().unwrap();
    let one = claim("x", "fact", "verified", "2026-01-01", &["https://a.test/1"]);
    repo.write(A, &dossier("dns", "", &one));
    repo.write("content/providers/b.md", &dossier("dns", "", &one));
    repo.commit("2026-01-01", "Add a and b");
    let base = blob_id(&repo, A);
    let memo = Traffic::open(cache.path());
    assert_eq!(load(repo.root(), Some(&memo)).commits.len(), 1);
    assert!(memo.put_keys().contains(&format!("parsed {base}")), "{:?}", memo.put_keys());
    memo.inner.save().unwrap();

    repo.write(A, &dossier("dns", "", &one.replace("verified\n", "disputed\n")));
    repo.commit("2026-01-02", "Dispute x");
    let edited = blob_id(&repo, A);
    let cold = load(repo.root(), None);
    // Git can no longer give the version before the edit: the warm load must not need it.
    std::fs::remove_file(repo.root().join(".git/objects").join(&base[..2]).join(&base[2..])).unwrap();
    assert!(load(repo.root(), None) != cold, "without the blob a cold load differs");
    let memo = Traffic::open(cache.path());
    let warm = load(repo.root(), Some(&memo));
    assert_eq!(warm, cold);
    assert_eq!(
        timeline(&warm, "a")[1].2,
        [Change::StatusChanged { claim: "x".into(), from: ClaimStatus::Verified, to: ClaimStatus::Disputed }]
    );
    // The new version is parsed and kept; of b, nothing is read but its kept version's entry.
    let parsed: Vec<String> = memo.put_keys().into_iter().filter(|k| k.starts_with("parsed ")).collect();
    assert_eq!(parsed, [format!("parsed {edited}")]);
    memo.inner.save().unwrap();
    let kept = crate::cache::history(cache.path());
    assert!(kept.get(&format!("parsed {}", blob_id(&repo, "content/providers/b.md")), 0).is_some());
    assert!(kept.get(&format!("parsed {edited}"), 0).is_some());
}

#[test]
fn a_damaged_or_missing_parsed_version_is_read_from_git_again() {
    let repo = TestRepo::new();
    let one = claim("x", "fact", "verified", "2026-01-01", &["https://a.test/1"]);
    repo.write(A, &dossier("dns", "", &one));
    repo.commit("2026-01-01", "Add a");
    let base = blob_id(&repo, A);
    let cache = tempfile::tempdir().unwrap();
    let memo = crate::cache::history(cache.path());
    load(repo.root(), Some(&memo));
    memo.save().unwrap();
    let saved = std::fs::read(cache.path().join("history")).unwrap();
    repo.write(A, &dossier("dns", "", &one.replace("verified\n", "retracted\n")));
    repo.commit("2026-01-02", "Retract x");
    let cold = load(repo.root(), None);
    for damage in ["garbage", "missing"] {
        std::fs::write(cache.path().join("history"), &saved).unwrap();
        let memo = crate::cache::history(cache.path());
        match damage {
            "garbage" => memo.put(&format!("parsed {base}"), 0, b"\xff not cbor".to_vec()),
            _ => memo.put(&format!("parsed {base}"), 1, Vec::new()),
        }
        memo.save().unwrap();
        let memo = crate::cache::history(cache.path());
        assert!(memo.get(&format!("parsed {base}"), 0).is_none_or(|b| b == b"\xff not cbor"), "{damage}");
        assert_eq!(load(repo.root(), Some(&memo)), cold, "{damage}");
    }
}

#[test]
fn a_warm_load_after_one_commit_writes_only_what_changed() {
    let repo = TestRepo::new();
    let one = claim("x", "fact", "verified", "2026-01-01", &["https://a.test/1"]);
    for i in 0..40 {
        repo.write(&format!("content/providers/p{i:02}.md"), &dossier("dns", "", &one));
    }
    repo.commit("2026-01-01", "Add 40");
    let cache = tempfile::tempdir().unwrap();
    let memo = Traffic::open(cache.path());
    load(repo.root(), Some(&memo));
    let cold_keys = memo.put_keys();
    assert!(cold_keys.iter().filter(|k| k.starts_with("paths ")).count() == PATH_PARTS as usize, "{cold_keys:?}");
    memo.inner.save().unwrap();

    let path = "content/providers/p07.md";
    repo.write(path, &dossier("dns", "", &one.replace("verified\n", "disputed\n")));
    repo.commit("2026-01-02", "Dispute p07");
    let memo = Traffic::open(cache.path());
    let warm = load(repo.root(), Some(&memo));
    assert_eq!(warm, load(repo.root(), None));
    let expected = vec![
        "commits 0".to_owned(),
        format!("parsed {}", blob_id(&repo, path)),
        format!("paths {}", part_of(path)),
        WALKED.to_owned(),
    ];
    assert_eq!(memo.put_keys(), expected);
    memo.inner.save().unwrap();

    // Nothing new: nothing written, and everything kept.
    let memo = Traffic::open(cache.path());
    assert_eq!(load(repo.root(), Some(&memo)), warm);
    assert_eq!(memo.put_keys(), Vec::<String>::new());
    let before = std::fs::read(cache.path().join("history")).unwrap();
    memo.inner.save().unwrap();
    assert_eq!(std::fs::read(cache.path().join("history")).unwrap(), before);
}

#[test]
fn a_walked_history_with_a_damaged_part_is_read_again_whole() {
    let repo = TestRepo::new();
    let one = claim("x", "fact", "verified", "2026-01-01", &["https://a.test/1"]);
    repo.write(A, &dossier("dns", "", &one));
    repo.commit("2026-01-01", "Add a");
    let cache = tempfile::tempdir().unwrap();
    let memo = crate::cache::history(cache.path());
    let cold = load(repo.root(), Some(&memo));
    memo.save().unwrap();
    let saved = std::fs::read(cache.path().join("history")).unwrap();
    for key in [paths_key(part_of(A)), commits_key(0), WALKED.to_owned()] {
        std::fs::write(cache.path().join("history"), &saved).unwrap();
        let memo = crate::cache::history(cache.path());
        memo.put(&key, 0, b"\xff not cbor".to_vec());
        memo.save().unwrap();
        let memo = Traffic::open(cache.path());
        assert!(Walked::load(&memo).is_none(), "{key}");
        assert_eq!(load(repo.root(), Some(&memo)), cold, "{key}");
        assert!(memo.put_keys().contains(&paths_key(part_of(A))), "{key}: saved whole again");
    }
}
