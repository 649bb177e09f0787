//! The commands: each a short recipe over the pipeline stages.

pub mod build;
pub mod check;
pub mod new;
pub mod schema;
pub mod serve;

use std::process::ExitCode;

use crate::diagnostics::{Counts, Diagnostic};

/// Exit status for a set of findings: 1 on errors (or on warnings when they are denied).
pub fn findings_status(diagnostics: &[Diagnostic], deny_warnings: bool) -> ExitCode {
    let counts = Counts::of(diagnostics);
    if counts.errors > 0 || (deny_warnings && counts.warnings > 0) { ExitCode::from(1) } else { ExitCode::SUCCESS }
}
