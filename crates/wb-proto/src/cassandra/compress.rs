//! Frame body decompression with a bound: the decompressed size a body declares is checked
//! against the limit before anything is allocated.

use super::config::Compressor;

/// Why a body could not be decompressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecompressError {
    /// The declared decompressed size is over the limit.
    TooLarge,
    /// The compressed data is corrupt.
    Corrupt,
}

/// Decompresses a v3/v4 frame body: snappy raw, or lz4 as a 4-byte big-endian decompressed
/// length followed by an lz4 block.
pub fn frame_body(c: Compressor, body: &[u8], limit: usize) -> Result<Vec<u8>, DecompressError> {
    match c {
        Compressor::Snappy => {
            let len = snap::raw::decompress_len(body).map_err(|_| DecompressError::Corrupt)?;
            if len > limit {
                return Err(DecompressError::TooLarge);
            }
            snap::raw::Decoder::new()
                .decompress_vec(body)
                .map_err(|_| DecompressError::Corrupt)
        }
        Compressor::Lz4 => {
            let (len, block) = body
                .split_first_chunk::<4>()
                .ok_or(DecompressError::Corrupt)?;
            lz4_block(block, u32::from_be_bytes(*len) as usize, limit)
        }
    }
}

/// Decompresses an lz4 block of declared size `len`.
pub fn lz4_block(block: &[u8], len: usize, limit: usize) -> Result<Vec<u8>, DecompressError> {
    if len > limit {
        return Err(DecompressError::TooLarge);
    }
    lz4_flex::block::decompress(block, len).map_err(|_| DecompressError::Corrupt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_bounds() {
        let text = b"SELECT * FROM system.local WHERE key='local'".repeat(4);
        let snappy = snap::raw::Encoder::new().compress_vec(&text).unwrap();
        assert_eq!(
            frame_body(Compressor::Snappy, &snappy, 1 << 20).unwrap(),
            text
        );
        assert_eq!(
            frame_body(Compressor::Snappy, &snappy, 10),
            Err(DecompressError::TooLarge)
        );
        let mut lz4 = (text.len() as u32).to_be_bytes().to_vec();
        lz4.extend(lz4_flex::block::compress(&text));
        assert_eq!(frame_body(Compressor::Lz4, &lz4, 1 << 20).unwrap(), text);
        // A declared size of 4 GiB is refused before allocating.
        lz4[..4].copy_from_slice(&[0xff; 4]);
        assert_eq!(
            frame_body(Compressor::Lz4, &lz4, 1 << 20),
            Err(DecompressError::TooLarge)
        );
        assert_eq!(
            frame_body(Compressor::Lz4, &[1, 2], 10),
            Err(DecompressError::Corrupt)
        );
    }
}
