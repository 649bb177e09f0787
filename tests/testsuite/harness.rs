//! The chaining harness: copy a fixture wiki into a temp dir, change it, run the real `dossier`
//! binary on it with `today` pinned, and look at what came out (mdBook's testsuite shape).
//!
//! ```ignore
//! let run = Wiki::minimal().overlay("unknown-key").check().arg("--format").arg("json").run();
//! run.assert_code(1);
//! ```

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde::Deserialize;
use tempfile::TempDir;

/// The day every test pretends it is.
pub const TODAY: &str = "2026-11-27";

/// The repository root, found from the build, never from the working directory.
pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures_dir() -> PathBuf {
    manifest_dir().join("tests/fixtures")
}

/// The directory of the one-mistake fixture `case`.
pub fn invalid_case_dir(case: &str) -> PathBuf {
    fixtures_dir().join("invalid").join(case)
}

/// `today` as the library takes it.
pub fn today() -> dossier::model::Date {
    dossier::model::Date::parse(TODAY).expect("TODAY is a date")
}

/// A throwaway copy of a fixture wiki.
pub struct Wiki {
    dir: TempDir,
}

impl Wiki {
    /// A copy of `tests/fixtures/minimal`, which checks clean.
    pub fn minimal() -> Wiki {
        Wiki::empty().overlay_dir(&fixtures_dir().join("minimal"))
    }

    /// An empty root directory (no `content/`).
    pub fn empty() -> Wiki {
        Wiki { dir: tempfile::Builder::new().prefix("dossier-test-").tempdir().expect("create a temp dir") }
    }

    /// Copies the files of the fixture `tests/fixtures/invalid/<case>/` over this wiki.
    pub fn overlay(self, case: &str) -> Wiki {
        let dir = invalid_case_dir(case);
        assert!(dir.is_dir(), "no fixture directory {}", dir.display());
        self.overlay_dir(&dir)
    }

    /// Copies every file under `from` to the same relative place in this wiki.
    pub fn overlay_dir(self, from: &Path) -> Wiki {
        copy_tree(from, self.root());
        self
    }

    /// Writes (or replaces) the file at `rel`, creating its directory.
    pub fn write(self, rel: &str, contents: impl AsRef<[u8]>) -> Wiki {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().expect("a file has a parent")).expect("create the directory");
        fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        self
    }

    /// Deletes the file at `rel`, which must exist.
    pub fn remove(self, rel: &str) -> Wiki {
        let path = self.path(rel);
        fs::remove_file(&path).unwrap_or_else(|e| panic!("remove {}: {e}", path.display()));
        self
    }

    /// Creates a symbolic link at `rel` pointing at `target`.
    pub fn symlink(self, target: impl AsRef<Path>, rel: &str) -> Wiki {
        #[cfg(unix)]
        std::os::unix::fs::symlink(target, self.path(rel)).expect("create a symlink");
        #[cfg(windows)]
        std::os::windows::fs::symlink_file(target, self.path(rel)).expect("create a symlink");
        self
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// `dossier check --root <this wiki>`, ready for more arguments.
    pub fn check(&self) -> Run {
        dossier().arg("check").arg("--root").arg(self.root())
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("list {}: {e}", from.display())) {
        let entry = entry.expect("a directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            fs::create_dir_all(&target).expect("create a directory");
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("copy {}: {e}", entry.path().display()));
        }
    }
}

/// The `dossier` binary with a pinned date, no colour, and no CI environment leaking in.
pub fn dossier() -> Run {
    let mut cmd = Command::cargo_bin("dossier").expect("the dossier binary is built");
    cmd.env("DOSSIER_TODAY", TODAY).env("NO_COLOR", "1").env_remove("GITHUB_STEP_SUMMARY");
    Run { cmd }
}

/// A command about to run.
pub struct Run {
    cmd: Command,
}

impl Run {
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Run {
        self.cmd.arg(arg);
        self
    }

    pub fn args<S: AsRef<OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> Run {
        self.cmd.args(args);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Run {
        self.cmd.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Run {
        self.cmd.env_remove(key);
        self
    }

    pub fn run(mut self) -> Outcome {
        let output = self.cmd.output().expect("run dossier");
        Outcome {
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }
}

/// What a finished run printed and how it exited.
#[derive(Debug)]
pub struct Outcome {
    /// `None` when a signal ended the process.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// Asserts the exit code (a signal or panic fails), showing both streams otherwise.
    #[track_caller]
    pub fn assert_code(&self, expected: i32) -> &Outcome {
        assert_eq!(
            self.code,
            Some(expected),
            "unexpected exit status\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self.assert_no_panic()
    }

    #[track_caller]
    pub fn assert_no_panic(&self) -> &Outcome {
        assert!(!self.stderr.contains("panicked"), "dossier panicked:\n{}", self.stderr);
        self
    }

    /// The findings of a `--format json` run.
    #[track_caller]
    pub fn findings(&self) -> Vec<Finding> {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("--format json printed invalid JSON ({e}):\n{}", self.stdout))
    }
}

/// One element of `--format json`, with exactly the documented fields.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub severity: String,
    pub code: String,
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub help: Option<String>,
}

/// `node tests/browser/<script>`, once Chromium and playwright-core are known to be installed
/// (scripts/test.sh installs both); a missing one fails the test and says what to run.
pub fn browser_command(script: &str) -> std::process::Command {
    let script_dir = manifest_dir().join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "Chromium is missing: `apt-get install chromium` (scripts/test.sh installs it)"
    );
    assert!(
        script_dir.join("node_modules/playwright-core").is_dir(),
        "playwright-core is missing: run `npm ci --prefix tests/browser` (scripts/test.sh does)"
    );
    let mut command = std::process::Command::new("node");
    command.arg(script_dir.join(script));
    command
}

/// Runs a browser script built by [`browser_command`] and returns the JSON report it prints.
pub fn browser_report(command: &mut std::process::Command) -> serde_json::Value {
    let output = command.output().expect("node runs (Node.js 20 or later is needed for the browser test)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the browser script failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("the browser script printed bad JSON ({e}):\n{stdout}"))
}
