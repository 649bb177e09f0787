//! The persistent build cache (docs/build-cache.md): a warm build publishes exactly what a cold build of the
//! same wiki publishes, reuses the pages whose inputs did not change (hard links: the same
//! file), re-renders the rest, and shrugs off a damaged cache.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::harness::{Wiki, dossier, fixtures_dir, manifest_dir};

const EDITED: &str = "content/providers/harborline.md";
const PAGE: &str = "providers/harborline/index.html";
const OTHER: &str = "providers/examplemail/index.html";

fn wiki() -> Wiki {
    Wiki::empty().overlay_dir(&fixtures_dir().join("wiki"))
}

/// `dossier build` of `wiki` into `out`, which must succeed.
fn build(wiki: &Wiki, out: &Path, extra: &[&str]) {
    dossier().arg("build").arg("--root").arg(wiki.root()).arg("--output").arg(out).args(extra).run().assert_code(0);
}

fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Asserts that `out` holds what a cold build of `wiki`'s current state (no cache) produces.
#[track_caller]
fn assert_same_as_cold(wiki: &Wiki, out: &Path) {
    let cold = wiki.path("cold-out");
    build(wiki, &cold, &["--no-cache"]);
    let (warm, cold) = (tree(out), tree(&cold));
    assert_eq!(warm.keys().collect::<Vec<_>>(), cold.keys().collect::<Vec<_>>(), "the same files");
    let differing: Vec<&String> = warm.iter().filter(|(k, v)| cold.get(*k) != Some(*v)).map(|(k, _)| k).collect();
    assert!(differing.is_empty(), "the warm build differs from a cold one in {differing:?}");
}

/// The identity of the file at `path` (device and inode): equal across builds when the second
/// build linked the first one's file from the cache instead of writing it again.
#[cfg(unix)]
fn file_id(path: &Path) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::metadata(path).unwrap();
    (meta.dev(), meta.ino())
}

fn cache_dir(wiki: &Wiki) -> PathBuf {
    wiki.path(".dossier-cache/build")
}

#[test]
fn a_warm_build_after_an_edit_equals_a_cold_build_and_reuses_unchanged_pages() {
    let wiki = wiki();
    let out = wiki.path("public");
    build(&wiki, &out, &[]);
    assert!(cache_dir(&wiki).join("manifest").is_file(), "the first build fills the cache");
    #[cfg(unix)]
    let (page_before, other_before) = (file_id(&out.join(PAGE)), file_id(&out.join(OTHER)));

    let text = wiki.read(EDITED).replace("Harborline encrypts mailboxes", "Harborline (Edited) encrypts mailboxes");
    let wiki = wiki.write(EDITED, text);
    build(&wiki, &out, &[]);
    assert!(String::from_utf8_lossy(&fs::read(out.join(PAGE)).unwrap()).contains("(Edited)"));
    #[cfg(unix)]
    {
        assert_ne!(file_id(&out.join(PAGE)), page_before, "the edited dossier is rendered anew");
        assert_eq!(file_id(&out.join(OTHER)), other_before, "an unchanged dossier comes from the cache");
    }
    assert_same_as_cold(&wiki, &out);

    // Unchanged again: the third build is all cache hits, and still the same site.
    build(&wiki, &out, &[]);
    assert_same_as_cold(&wiki, &out);
}

#[test]
fn a_damaged_cache_is_ignored() {
    let wiki = wiki();
    let out = wiki.path("public");
    build(&wiki, &out, &[]);
    let blobs = cache_dir(&wiki).join("blobs");
    // Every cached page damaged in place (which also damages the published copy linked to it).
    for entry in fs::read_dir(&blobs).unwrap() {
        let path = entry.unwrap().path();
        let mut bytes = fs::read(&path).unwrap();
        bytes.extend_from_slice(b"<script>damage</script>");
        fs::write(&path, bytes).unwrap();
    }
    build(&wiki, &out, &[]);
    assert_same_as_cold(&wiki, &out);

    fs::write(cache_dir(&wiki).join("manifest"), "dossier-build-cache 1 garbage\n\u{0}\u{1}not\ta\tmanifest\n")
        .unwrap();
    build(&wiki, &out, &[]);
    assert_same_as_cold(&wiki, &out);

    fs::remove_dir_all(&blobs).unwrap();
    fs::write(&blobs, "a file where the blob folder was").unwrap();
    build(&wiki, &out, &[]);
    assert_same_as_cold(&wiki, &out);
}

#[test]
fn a_template_change_rerenders_every_page() {
    let wiki = wiki();
    let out = wiki.path("public");
    build(&wiki, &out, &[]);
    let base = fs::read_to_string(manifest_dir().join("themes/default/templates/base.html")).unwrap();
    let wiki = wiki.write("themes/default/templates/base.html", base.replace("Skip to main content", "Skip ahead"));
    build(&wiki, &out, &[]);
    for (rel, bytes) in tree(&out).iter().filter(|(rel, _)| rel.ends_with(".html")) {
        let text = String::from_utf8_lossy(bytes);
        assert!(text.contains("Skip ahead") && !text.contains("Skip to main content"), "{rel} is stale");
    }
    assert_same_as_cold(&wiki, &out);
}

#[test]
fn a_settings_change_rerenders_every_page() {
    let wiki = wiki();
    let out = wiki.path("public");
    build(&wiki, &out, &[]);
    let settings = wiki.read("content/site.yaml");
    let title = settings.lines().find(|l| l.starts_with("title:")).unwrap().to_owned();
    let wiki = wiki.write("content/site.yaml", settings.replace(&title, "title: Renamed Wiki"));
    build(&wiki, &out, &[]);
    for (rel, bytes) in tree(&out).iter().filter(|(rel, _)| rel.ends_with(".html")) {
        assert!(String::from_utf8_lossy(bytes).contains("Renamed Wiki"), "{rel} is stale");
    }
    assert_same_as_cold(&wiki, &out);

    // A build option is an input too.
    build(&wiki, &out, &["--base-url", "https://elsewhere.example/docs/"]);
    assert_same_as_cold_with(&wiki, &out, &["--base-url", "https://elsewhere.example/docs/"]);
}

#[track_caller]
fn assert_same_as_cold_with(wiki: &Wiki, out: &Path, extra: &[&str]) {
    let cold = wiki.path("cold-out-with");
    build(wiki, &cold, &[&["--no-cache"], extra].concat());
    assert!(tree(out) == tree(&cold), "the warm build differs from a cold one");
}

#[test]
fn no_cache_keeps_nothing_and_cache_dir_moves_the_cache() {
    let wiki = wiki();
    build(&wiki, &wiki.path("public"), &["--no-cache"]);
    assert!(!wiki.path(".dossier-cache").exists(), "--no-cache wrote a cache");

    let elsewhere = tempfile::tempdir().unwrap();
    let dir = elsewhere.path().join("cache");
    let dir_arg = dir.to_string_lossy().into_owned();
    build(&wiki, &wiki.path("public"), &["--cache-dir", &dir_arg]);
    assert!(dir.join("manifest").is_file());
    assert!(!wiki.path(".dossier-cache").exists());
    build(&wiki, &wiki.path("public"), &["--cache-dir", &dir_arg]);
    assert_same_as_cold(&wiki, &wiki.path("public"));
}

#[test]
fn frontmatter_from_the_parse_cache_keeps_its_places() {
    // A source URL the rules refuse, on a known line, in a file that never changes.
    let text =
        wiki().read(EDITED).replacen("url: https://harborline.test/security", "url: ftp://harborline.test/security", 1);
    let line = text.lines().position(|l| l.contains("ftp://")).unwrap() + 1;
    let wiki = wiki().write(EDITED, text);
    let failed = |wiki: &Wiki| {
        let outcome =
            dossier().arg("build").arg("--root").arg(wiki.root()).arg("--output").arg(wiki.path("public")).run();
        outcome.assert_code(1);
        outcome.stderr
    };
    let parsed = failed(&wiki);
    assert!(parsed.contains(&format!("{EDITED}:{line}:")), "{parsed}");
    assert!(cache_dir(&wiki).join("parsed").is_file(), "the load fills the parse cache before the rules run");
    assert_eq!(failed(&wiki), parsed, "the same finding at the same place from the cache");

    // Fixed: the page shows the fixed URL, and matches a cold build.
    let fixed = wiki.read(EDITED).replace("ftp://", "https://");
    let wiki = wiki.write(EDITED, fixed);
    build(&wiki, &wiki.path("public"), &[]);
    assert_same_as_cold(&wiki, &wiki.path("public"));
}

#[test]
fn renaming_a_category_reindexes_its_dossiers() {
    let wiki = wiki();
    let out = wiki.path("public");
    build(&wiki, &out, &[]);
    assert!(cache_dir(&wiki).join("words").is_file(), "the build keeps each dossier's words");
    const CATEGORY: &str = "content/categories/email-hosting.md";
    let renamed = wiki.read(CATEGORY).replace("name: Email hosting", "name: Mailbox hosting");
    let wiki = wiki.write(CATEGORY, renamed);
    build(&wiki, &out, &[]);
    let fragments = tree(&out).into_iter().filter(|(rel, _)| rel.starts_with("search-index/fragment/"));
    let harborline: String = fragments
        .map(|(_, bytes)| String::from_utf8(bytes).unwrap())
        .find(|fragment| fragment.contains("/providers/harborline/"))
        .unwrap();
    assert!(harborline.contains("Mailbox hosting") && !harborline.contains("Email hosting"), "{harborline}");
    assert_same_as_cold(&wiki, &out);
}

/// What a build of `wiki` on `today` printed of the site ("built N pages (... stale)") or, if
/// it failed, its errors.
fn checked(wiki: &Wiki, today: &str, extra: &[&str]) -> String {
    let outcome = dossier()
        .env("DOSSIER_TODAY", today)
        .arg("build")
        .arg("--root")
        .arg(wiki.root())
        .arg("--output")
        .arg(wiki.path("public"))
        .args(extra)
        .run();
    match outcome.code {
        Some(0) => outcome.stdout.split(" into ").next().unwrap().to_owned(),
        _ => outcome.assert_code(1).stderr.clone(),
    }
}

#[test]
fn a_warm_build_finds_what_a_cold_build_finds_when_the_day_or_a_category_changes() {
    let wiki = wiki();
    let day = checked(&wiki, "2026-11-27", &[]);
    assert!(cache_dir(&wiki).join("findings").is_file(), "the build keeps each dossier's findings");
    assert_eq!(checked(&wiki, "2026-11-27", &[]), day);

    // Years later every claim is stale.
    let later = checked(&wiki, "2030-01-01", &[]);
    assert_ne!(later, day);
    assert_eq!(later, checked(&wiki, "2030-01-01", &["--no-cache"]));

    // Without the column `storage`, Harborline states a fact its category has not: the build fails.
    const CATEGORY: &str = "content/categories/email-hosting.md";
    let text = wiki.read(CATEGORY);
    let wiki = wiki.write(CATEGORY, text.replace("key: storage", "key: quota"));
    let failed = checked(&wiki, "2026-11-27", &[]);
    assert!(failed.contains("unknown-fact") && failed.contains("harborline.md"), "{failed}");
    assert_eq!(failed, checked(&wiki, "2026-11-27", &["--no-cache"]));
    assert_eq!(checked(&wiki, "2026-11-27", &[]), failed, "the same errors from the findings the failed build kept");
}

/// The standby's list records each folder's inode and status-change time, and a build trusts a
/// folder that still has them to hold what the list says, without reading it. Whatever is done
/// to such a standby between builds (a stray file or folder, a file edited in place, one
/// removed or replaced) still never reaches the published site.
#[cfg(unix)]
#[test]
fn a_standby_tampered_with_between_builds_publishes_nothing_of_it() {
    let wiki = wiki();
    let out = wiki.path("public");
    let standby = wiki.path(".public.standby");
    build(&wiki, &out, &[]);
    build(&wiki, &out, &[]);
    // A folder's stamp is recorded once its last change is older than a clock tick allows to
    // tell apart (a tenth of a second); the third build refreshes the first one's tree.
    std::thread::sleep(std::time::Duration::from_millis(300));
    build(&wiki, &out, &[]);
    build(&wiki, &out, &[]);
    let list = fs::read_to_string(cache_dir(&wiki).join("standby.tree")).unwrap();
    let settled = |folder: &str| {
        list.lines().any(|l| l.starts_with("dir\t") && !l.contains("\t-\t") && l.ends_with(&format!("\t{folder}")))
    };
    assert!(settled("providers/examplemail") && settled("providers/harborline"), "{list}");

    fs::write(standby.join("providers/examplemail/stray.html"), "<p>not ours</p>").unwrap();
    fs::create_dir(standby.join("providers/stray")).unwrap();
    fs::write(standby.join("providers/stray/index.html"), "<p>not ours either</p>").unwrap();
    // Edited in place, which also edits the build cache's copy it is linked to.
    let page = standby.join(PAGE);
    let edited = String::from_utf8(fs::read(&page).unwrap()).unwrap().replacen("<h1", "<h1 data-x", 1);
    fs::write(&page, edited).unwrap();
    // Replaced by another file of the same size and time.
    let other = standby.join(OTHER);
    let (len, modified) = (fs::metadata(&other).unwrap().len(), fs::metadata(&other).unwrap().modified().unwrap());
    fs::remove_file(&other).unwrap();
    fs::write(&other, vec![b'x'; len as usize]).unwrap();
    fs::File::options().write(true).open(&other).unwrap().set_modified(modified).unwrap();
    fs::remove_file(standby.join("providers/examplemail/index.json")).unwrap();

    build(&wiki, &out, &[]);
    assert!(!out.join("providers/examplemail/stray.html").exists() && !out.join("providers/stray").exists());
    assert_same_as_cold(&wiki, &out);
}
