//! A git history for a written corpus: the corpus as the first commit, then commits that each
//! edit one to three dossiers (a claim re-verified, its status changed or its text reworded),
//! streamed to `git fast-import` (one process, not one per commit), repacked as a server would
//! pack it, and the work tree brought to the last commit. Commit `c` depends only on the seed and `c`.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use super::document::{Document, iso_date};
use super::random::{Rng, Vocabulary};
use super::{Flavor, Options, document, render};

/// The first commit's time (2023-01-01T00:00:00Z); each later one is `STEP` seconds on.
const START: i64 = 1_672_531_200;
const STEP: i64 = 1_500;
const STATUSES: [&str; 4] = ["verified", "disputed", "superseded", "unverified"];

/// Commits the corpus in `options.out` and adds `commits - 1` editing commits on top.
pub fn write_history(options: &Options, commits: usize) -> io::Result<()> {
    let out = &options.out;
    if options.flavor == Flavor::Hugo {
        // Hugo reads each page's last commit only with this setting.
        let mut config = fs::OpenOptions::new().append(true).open(out.join("config.toml"))?;
        writeln!(config, "\nenableGitInfo = true")?;
    }
    git(out, &["init", "-q", "-b", "main"], START)?;
    git(out, &["add", "-A"], START)?;
    git(out, &["commit", "-q", "-m", "Import the corpus"], START)?;
    if commits <= 1 {
        return Ok(());
    }
    let categories = super::categories_of(out, options.flavor);
    let vocab = Vocabulary::new();
    let mut docs: Vec<Document> = (0..options.n).map(|i| document(options, &categories, &vocab, i)).collect();
    let mut child = command(out, START).args(["fast-import", "--quiet", "--done"]).stdin(Stdio::piped()).spawn()?;
    let stdin = child.stdin.take().ok_or_else(|| io::Error::other("no stdin for git fast-import"))?;
    let mut stream = BufWriter::with_capacity(1 << 20, stdin);
    for c in 1..commits {
        let time = START + STEP * c as i64;
        let day = iso_date(time.div_euclid(86_400));
        let r = &mut Rng::keyed(&format!("{}:history:{c}", options.seed));
        let mut edited: Vec<usize> = (0..r.range(1, 3)).map(|_| r.below(docs.len())).collect();
        edited.sort_unstable();
        edited.dedup();
        let names: Vec<&str> = edited.iter().map(|&i| docs[i].slug.as_str()).collect();
        let message = format!("Update {}", names.join(", "));
        write!(stream, "commit refs/heads/main\ncommitter Bench <bench@example.test> {time} +0000\n")?;
        write!(stream, "data {}\n{message}\n", message.len())?;
        if c == 1 {
            stream.write_all(b"from refs/heads/main^0\n")?;
        }
        for &i in &edited {
            edit(&mut docs[i], r, &day);
            let text = render(&docs[i], options.flavor);
            write!(stream, "M 100644 inline content/providers/{}.md\ndata {}\n", docs[i].slug, text.len())?;
            stream.write_all(text.as_bytes())?;
            stream.write_all(b"\n")?;
        }
    }
    stream.write_all(b"done\n")?;
    drop(stream.into_inner().map_err(|e| e.into_error())?);
    let status = child.wait()?;
    if !status.success() {
        return Err(io::Error::other(format!("git fast-import failed: {status}")));
    }
    // fast-import stores each blob as a delta on the blob written just before it, whatever its
    // file, so reading one version inflates a chain of unrelated ones. No clone or `git gc`ed
    // repository looks like that: recompute the deltas as a server's repack does.
    git(out, &["repack", "-a", "-d", "-f", "-q"], START)?;
    git(out, &["reset", "-q", "--hard"], START)
}

/// One edit to one claim, as a contributor's commit makes it.
fn edit(doc: &mut Document, r: &mut Rng, day: &str) {
    let k = r.below(doc.claims.len());
    let claim = &mut doc.claims[k];
    match r.below(3) {
        0 if claim.verified.as_str() < day => claim.verified = day.to_owned(),
        // Another status than the claim has, so every edit changes the file.
        1 => {
            let others: Vec<&'static str> = STATUSES.into_iter().filter(|s| *s != claim.status).collect();
            claim.status = *r.pick(&others);
        }
        _ => claim.text.push_str(" Reworded."),
    }
}

fn command(dir: &Path, time: i64) -> Command {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.test")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.test")
        .env("GIT_AUTHOR_DATE", format!("{time} +0000"))
        .env("GIT_COMMITTER_DATE", format!("{time} +0000"));
    command
}

fn git(dir: &Path, args: &[&str], time: i64) -> io::Result<()> {
    let status = command(dir, time).args(args).status()?;
    if status.success() { Ok(()) } else { Err(io::Error::other(format!("git {args:?} failed: {status}"))) }
}
