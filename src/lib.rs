//! `dossier`: checks, builds and previews a sourced, dated wiki of vendor dossiers.
//!
//! The pipeline (docs/architecture.md): [`load`] finds and reads files, [`frontmatter`] parses them into
//! the [`model`], [`site`] holds the result, [`validate`] reviews it, and commands in [`cmd`]
//! decide what the findings mean.

pub mod cache;
pub mod changes;
pub mod cmd;
pub mod config;
pub mod diagnostics;
pub mod external;
pub mod frontmatter;
pub mod fsio;
pub mod history;
pub mod load;
pub mod markdown;
pub mod memo;
pub mod minify;
pub mod model;
pub mod output;
pub mod render;
pub mod search;
pub mod serve;
pub mod site;
#[cfg(test)]
mod testing;
pub mod theme_files;
pub mod validate;
