//! `dossier schema`: print the JSON Schema of dossier frontmatter.

use std::io::Write;

use anyhow::Context;

pub fn run() -> anyhow::Result<()> {
    std::io::stdout().write_all(crate::model::dossier_json_schema().as_bytes()).context("cannot write the schema")
}
