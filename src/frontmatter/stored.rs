//! Parsed frontmatter in the form a cache keeps it: CBOR (ciborium), a compact format in which
//! every [`Spanned`](crate::model::Spanned) carries its place (`[value, line, column]`), so what
//! comes back is what the parser gave, places included. Bytes that do not decode into the
//! asked-for type are no frontmatter.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Bumped whenever this form changes; model changes come with a new generator binary.
pub const FORMAT: u32 = 2;

/// `meta` in the kept form; `None` if it cannot be written (it then is not kept).
pub fn encode<M: Serialize>(meta: &M) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    ciborium::into_writer(meta, &mut bytes).ok()?;
    Some(bytes)
}

/// The frontmatter kept as `bytes`, if they hold an `M`.
pub fn decode<M: DeserializeOwned>(bytes: &[u8]) -> Option<M> {
    ciborium::from_reader(bytes).ok()
}
