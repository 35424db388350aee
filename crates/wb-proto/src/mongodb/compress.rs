//! OP_COMPRESSED bodies decompressed within a size bound: noop, snappy (`snap`), zlib
//! (`flate2`) and zstd (`ruzstd`). The stated size is checked against the bound before anything
//! is allocated, and no decoder may produce more than the stated size.

use std::io::Read;

/// Why a compressed body was not decompressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Undecoded {
    /// The compressor id is unknown.
    Unsupported(u8),
    /// The stated size is over the bound.
    TooLarge,
    /// The compressed bytes are invalid or do not give the stated size.
    Corrupt,
}

/// Decompresses `data` compressed with `compressor` into `size` bytes (at most `max`).
pub fn decompress(
    compressor: u8,
    data: &[u8],
    size: usize,
    max: usize,
) -> Result<Vec<u8>, Undecoded> {
    if size > max {
        return Err(Undecoded::TooLarge);
    }
    let out = match compressor {
        0 => data.to_vec(),
        1 => snappy(data, size)?,
        2 => read_bounded(flate2::read::ZlibDecoder::new(data), size)?,
        3 => {
            let decoder =
                ruzstd::decoding::StreamingDecoder::new(data).map_err(|_| Undecoded::Corrupt)?;
            read_bounded(decoder, size)?
        }
        other => return Err(Undecoded::Unsupported(other)),
    };
    if out.len() == size {
        Ok(out)
    } else {
        Err(Undecoded::Corrupt)
    }
}

/// The compressor's name for notes.
pub fn compressor_name(id: u8) -> &'static str {
    match id {
        0 => "noop",
        1 => "snappy",
        2 => "zlib",
        3 => "zstd",
        _ => "unknown",
    }
}

/// Reads at most `size + 1` bytes from a decoder (one more than expected shows a lie).
fn read_bounded(reader: impl Read, size: usize) -> Result<Vec<u8>, Undecoded> {
    let mut out = Vec::with_capacity(size);
    let limit = u64::try_from(size).unwrap_or(u64::MAX).saturating_add(1);
    reader
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|_| Undecoded::Corrupt)?;
    Ok(out)
}

/// A raw snappy block that must give exactly `size` bytes.
fn snappy(data: &[u8], size: usize) -> Result<Vec<u8>, Undecoded> {
    let stated = snap::raw::decompress_len(data).map_err(|_| Undecoded::Corrupt)?;
    if stated != size {
        return Err(Undecoded::Corrupt);
    }
    let mut out = vec![0; size];
    let written = snap::raw::Decoder::new()
        .decompress(data, &mut out)
        .map_err(|_| Undecoded::Corrupt)?;
    out.truncate(written);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snappy_literals_and_overlapping_copies() {
        // "abcabcabcabc": varint 12, literal "abc" (tag (3-1)<<2), copy len 9 offset 3
        // (1-byte-offset form: len 9 -> (9-4)<<2 | 1, offset high bits 0).
        let data = [12, 2 << 2, b'a', b'b', b'c', (5 << 2) | 1, 3];
        assert_eq!(decompress(1, &data, 12, 100), Ok(b"abcabcabcabc".to_vec()));
        assert_eq!(decompress(1, &data, 13, 100), Err(Undecoded::Corrupt));
        assert_eq!(
            decompress(1, &[12, (5 << 2) | 1, 3], 12, 100),
            Err(Undecoded::Corrupt)
        );
        assert_eq!(
            decompress(9, &data, 12, 100),
            Err(Undecoded::Unsupported(9))
        );
        assert_eq!(decompress(0, b"abc", 3, 2), Err(Undecoded::TooLarge));
    }

    #[test]
    fn zlib_round_trip() {
        use std::io::Write;
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = enc.write_all(b"hello hello hello");
        let z = enc.finish().unwrap_or_default();
        assert_eq!(
            decompress(2, &z, 17, 100),
            Ok(b"hello hello hello".to_vec())
        );
        assert_eq!(decompress(2, &z, 5, 100), Err(Undecoded::Corrupt));
    }

    #[test]
    fn zstd_round_trip_and_lies() {
        let text = b"zstd zstd zstd zstd zstd zstd".repeat(4);
        let z = ruzstd::encoding::compress_to_vec(
            &text[..],
            ruzstd::encoding::CompressionLevel::Fastest,
        );
        assert_eq!(decompress(3, &z, text.len(), 1000), Ok(text.clone()));
        // A stated size smaller or larger than the content is corrupt, never more memory.
        assert_eq!(decompress(3, &z, 10, 1000), Err(Undecoded::Corrupt));
        assert_eq!(decompress(3, &z, 500, 1000), Err(Undecoded::Corrupt));
        assert_eq!(decompress(3, b"not zstd", 4, 1000), Err(Undecoded::Corrupt));
    }
}
