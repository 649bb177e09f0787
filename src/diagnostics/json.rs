//! The JSON printer: one array of findings with stable field names
//! (`severity`, `code`, `path`, `line`, `column`, `message`, `help`).

use std::io::{self, Write};

use rayon::prelude::*;

use super::Diagnostic;

/// Findings printed per task: enough to be worth a core, few enough to spread.
const CHUNK: usize = 2048;

/// Prints exactly what `serde_json::to_writer_pretty` prints for the whole array, a newline
/// after it, but with the findings formatted on every core (a wiki can have 100,000).
pub fn print_json(out: &mut dyn Write, diagnostics: &[Diagnostic]) -> io::Result<()> {
    if diagnostics.is_empty() {
        return writeln!(out, "[]");
    }
    out.write_all(b"[\n")?;
    // A few chunks per core at a time: the whole report is never held in memory.
    let batch = CHUNK * 4 * rayon::current_num_threads();
    for (i, findings) in diagnostics.chunks(batch).enumerate() {
        let chunks: Vec<Vec<u8>> = findings.par_chunks(CHUNK).map(array_items).collect::<Result<_, _>>()?;
        for (j, chunk) in chunks.iter().enumerate() {
            if i + j > 0 {
                out.write_all(b",\n")?;
            }
            out.write_all(chunk)?;
        }
    }
    out.write_all(b"\n]\n")
}

/// Findings as items of a pretty-printed array: indented one level, separated by `,\n`.
/// Strings never hold a raw newline (JSON escapes it), so every newline is a line break.
fn array_items(diagnostics: &[Diagnostic]) -> io::Result<Vec<u8>> {
    let mut items = Vec::with_capacity(diagnostics.len() * 320);
    let mut item = Vec::new();
    for (i, diagnostic) in diagnostics.iter().enumerate() {
        if i > 0 {
            items.extend_from_slice(b",\n");
        }
        item.clear();
        serde_json::to_writer_pretty(&mut item, diagnostic)?;
        for (n, line) in item.split(|&b| b == b'\n').enumerate() {
            items.extend_from_slice(if n == 0 { b"  " } else { b"\n  " });
            items.extend_from_slice(line);
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Code;
    use crate::model::Pos;
    use std::path::Path;

    fn printed(diagnostics: &[Diagnostic]) -> String {
        let mut out = Vec::new();
        print_json(&mut out, diagnostics).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn prints_what_serde_json_prints_for_the_array() {
        let one = |n: u32| {
            Diagnostic::new(Code::StaleClaim, Path::new("content/a \"b\".md"), Pos::new(n, 2), "line\nbreak\t\u{1f}é")
                .help(if n.is_multiple_of(2) { "fixed" } else { "other" })
        };
        let batch = CHUNK * 4 * rayon::current_num_threads();
        for count in [0, 1, 2, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 3, batch, batch + 1] {
            let mut all: Vec<Diagnostic> = (0..count as u32).map(one).collect();
            if let Some(first) = all.first_mut() {
                first.help = None;
            }
            let expected = format!("{}\n", serde_json::to_string_pretty(&all).unwrap());
            assert_eq!(printed(&all), expected, "{count} findings");
        }
    }
}
