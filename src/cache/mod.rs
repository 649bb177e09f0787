//! Everything `dossier` keeps between runs to be faster, never different: the build cache
//! (rendered pages and the output's file lists, [`build`]), the parse cache (parsed
//! frontmatter, [`parse`]), and the one-file cache format both the parse cache and the search
//! word cache use ([`keyed_file`]). The commands open them and hand them to the stages; a
//! cache that cannot be read is empty, and one that cannot be written costs only speed.
//!
//! Below the pipeline: the cache knows bytes, keys and files, and no stage's types.

pub mod build;
pub mod keyed_file;
pub mod parse;

pub use build::{Blob, BuildCache, Content, DEFAULT_DIR, Stamp, blob_of};
pub use keyed_file::KeyedFile;
pub use parse::ParseCache;
