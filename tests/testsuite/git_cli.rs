//! The git CLI as the tests run it, shared by the test suite and the history engine's unit tests
//! (src/testing.rs includes this file): a fixed identity, no user configuration, and both dates
//! at noon UTC on the given day.

use std::path::Path;
use std::process::Command;

/// Runs git in `dir` on `day`; returns its stdout, failing the test when git fails.
pub fn git_on(dir: &Path, day: &str, args: &[&str]) -> String {
    let stamp = format!("{day}T12:00:00+00:00");
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.test")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.test")
        .env("GIT_AUTHOR_DATE", &stamp)
        .env("GIT_COMMITTER_DATE", &stamp)
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}
