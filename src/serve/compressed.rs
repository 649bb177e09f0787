//! The flate2 seam: `serve` holds every file of its output gzip-compressed (a 10,000-dossier
//! wiki is ~500 MB of HTML and JSON, ~135 MB compressed), sends it as it is to browsers that
//! accept gzip, and inflates it for those that do not.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

/// `bytes`, gzip-compressed. The fastest level: a rebuild compresses every page it renders,
/// and level 6 would shrink pages only ~12 % more at twice the time.
pub fn compress(bytes: Vec<u8>) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 3 + 64), Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(&bytes);
    encoder.finish().unwrap_or_default()
}

/// The bytes that [`compress`] was given.
pub fn decompress(gzip: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(gzip.len() * 4);
    GzDecoder::new(gzip).read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for text in [&b""[..], b"<html>", &[0u8, 255, 31, 139].repeat(1000)] {
            let packed = compress(text.to_vec());
            assert_eq!(decompress(&packed).unwrap(), text);
        }
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(decompress(b"not gzip").is_err());
    }
}
