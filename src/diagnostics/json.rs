//! The JSON printer: one array of findings with stable field names
//! (`severity`, `code`, `path`, `line`, `column`, `message`, `help`).

use std::io::{self, Write};

use super::Diagnostic;

pub fn print_json(out: &mut dyn Write, diagnostics: &[Diagnostic]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, diagnostics)?;
    writeln!(out)
}
