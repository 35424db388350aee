//! OP_COMPRESSED bodies decompressed within a size bound: noop, zlib (flate2) and snappy (a
//! small raw-format decoder, github.com/google/snappy format_description.txt). zstd is not
//! decoded: the event is written without documents and with a note.

use std::io::Read;

/// Why a compressed body was not decompressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Undecoded {
    /// The compressor is not supported (zstd or unknown id).
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
        2 => {
            let mut out = Vec::with_capacity(size);
            let limit = u64::try_from(size).unwrap_or(u64::MAX).saturating_add(1);
            flate2::read::ZlibDecoder::new(data)
                .take(limit)
                .read_to_end(&mut out)
                .map_err(|_| Undecoded::Corrupt)?;
            out
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

/// A little-endian base-128 varint at the front of `b`: value and bytes used.
fn varint(b: &[u8]) -> Option<(usize, usize)> {
    let mut v: u64 = 0;
    for (i, &byte) in b.iter().enumerate().take(5) {
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((usize::try_from(v).ok()?, i + 1));
        }
    }
    None
}

/// Reads `n` (1..=4) little-endian bytes at `at`.
fn le(b: &[u8], at: usize, n: usize) -> Option<usize> {
    let bytes = b.get(at..at.checked_add(n)?)?;
    Some(
        bytes
            .iter()
            .rev()
            .fold(0usize, |acc, &x| (acc << 8) | usize::from(x)),
    )
}

/// Decodes a raw snappy block that must give exactly `size` bytes.
fn snappy(data: &[u8], size: usize) -> Result<Vec<u8>, Undecoded> {
    let bad = Undecoded::Corrupt;
    let (stated, mut at) = varint(data).ok_or(bad)?;
    if stated != size {
        return Err(bad);
    }
    let mut out: Vec<u8> = Vec::with_capacity(size);
    while let Some(&tag) = data.get(at) {
        at += 1;
        let (len, offset) = match tag & 0b11 {
            0 => {
                let mut len = usize::from(tag >> 2);
                if len >= 60 {
                    let extra = len - 59;
                    len = le(data, at, extra).ok_or(bad)?;
                    at += extra;
                }
                let lit = data
                    .get(at..at.checked_add(len + 1).ok_or(bad)?)
                    .ok_or(bad)?;
                if out.len() + lit.len() > size {
                    return Err(bad);
                }
                out.extend_from_slice(lit);
                at += len + 1;
                continue;
            }
            1 => {
                let len = usize::from((tag >> 2) & 0b111) + 4;
                let offset = (usize::from(tag >> 5) << 8) | le(data, at, 1).ok_or(bad)?;
                at += 1;
                (len, offset)
            }
            2 => {
                let offset = le(data, at, 2).ok_or(bad)?;
                at += 2;
                (usize::from(tag >> 2) + 1, offset)
            }
            _ => {
                let offset = le(data, at, 4).ok_or(bad)?;
                at += 4;
                (usize::from(tag >> 2) + 1, offset)
            }
        };
        if offset == 0 || offset > out.len() || out.len() + len > size {
            return Err(bad);
        }
        // Copies may overlap their own output (run-length style), so byte by byte.
        let start = out.len() - offset;
        for i in 0..len {
            let b = *out.get(start + i).ok_or(bad)?;
            out.push(b);
        }
    }
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
            decompress(3, &data, 12, 100),
            Err(Undecoded::Unsupported(3))
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
}
