//! The outer framing of protocol v5 (Cassandra 4.0 and later, spec §2 "Frame format"): once
//! STARTUP is answered, both directions carry segments of at most 128 KiB, each a header
//! protected by a CRC24 and a payload followed by its CRC32. A self-contained segment holds
//! whole frames; a large frame spans several segments that are not.
//!
//! Uncompressed header (6 bytes): 3 little-endian bytes (payload length: 17 bits,
//! self-contained: 1 bit, padding) then their CRC24. Compressed (LZ4) header (8 bytes):
//! 5 little-endian bytes (compressed length: 17 bits, uncompressed length: 17 bits,
//! self-contained: 1 bit, padding) then their CRC24; an uncompressed length of 0 means the
//! payload was sent as is.

use super::compress::lz4_block;
use std::borrow::Cow;

/// Bytes after each payload: its CRC32.
pub const TRAILER_LEN: usize = 4;
/// Largest payload of one segment.
pub const MAX_PAYLOAD: usize = (1 << 17) - 1;

const CRC24_INIT: u32 = 0x87_5060;
const CRC24_POLY: u32 = 0x197_4F0B;
/// Cassandra feeds these bytes to the CRC32 before the payload.
const CRC32_PREFIX: [u8; 4] = [0xFA, 0x2D, 0x55, 0xCA];

/// CRC24 of a segment header's length bytes, as Cassandra computes it.
pub fn crc24(bytes: &[u8]) -> u32 {
    bytes.iter().fold(CRC24_INIT, |mut crc, &b| {
        crc ^= u32::from(b) << 16;
        for _ in 0..8 {
            crc <<= 1;
            if crc & 0x100_0000 != 0 {
                crc ^= CRC24_POLY;
            }
        }
        crc
    }) & 0xFF_FFFF
}

/// CRC32 of a segment payload, as Cassandra computes it.
pub fn crc32(payload: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(&CRC32_PREFIX);
    crc.update(payload);
    crc.sum()
}

/// A decoded segment header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentHeader {
    /// Header size: 6, or 8 when compressed.
    pub header_len: usize,
    /// Payload bytes on the wire.
    pub payload_len: usize,
    /// Decompressed size (0: the payload is not compressed).
    pub uncompressed_len: usize,
    /// The payload holds whole frames.
    pub self_contained: bool,
}

impl SegmentHeader {
    /// Reads a header of the given format from the front of `data` when its CRC24 matches.
    pub fn parse(data: &[u8], compressed: bool) -> Option<SegmentHeader> {
        let n = if compressed { 5 } else { 3 };
        let head = data.get(..n)?;
        let crc: [u8; 3] = data.get(n..n + 3)?.try_into().ok()?;
        let stored = u32::from(crc[0]) | u32::from(crc[1]) << 8 | u32::from(crc[2]) << 16;
        if crc24(head) != stored {
            return None;
        }
        let v = head
            .iter()
            .rev()
            .fold(0u64, |acc, &b| acc << 8 | u64::from(b));
        let len = |shift: u32| usize::try_from(v >> shift & 0x1_FFFF).unwrap_or(0);
        Some(if compressed {
            SegmentHeader {
                header_len: 8,
                payload_len: len(0),
                uncompressed_len: len(17),
                self_contained: v & 1 << 34 != 0,
            }
        } else {
            SegmentHeader {
                header_len: 6,
                payload_len: len(0),
                uncompressed_len: 0,
                self_contained: v & 1 << 17 != 0,
            }
        })
    }

    /// Header, payload and trailer.
    pub fn segment_len(&self) -> usize {
        self.header_len + self.payload_len + TRAILER_LEN
    }
}

/// One segment read from the front of a stream.
#[derive(Debug, PartialEq, Eq)]
pub enum SegmentRead<'a> {
    /// This many bytes are needed before the segment can be read.
    Need(usize),
    /// The header's CRC24 does not match: not a segment boundary.
    BadHeader,
    /// The segment (`len` bytes) failed its CRC32 or could not be decompressed.
    BadPayload {
        /// Bytes of the whole segment.
        len: usize,
    },
    /// A good segment.
    Payload {
        /// Bytes of the whole segment.
        len: usize,
        /// The payload holds whole frames.
        self_contained: bool,
        /// The payload, decompressed.
        data: Cow<'a, [u8]>,
    },
}

/// Reads the segment at the front of `data` (compressed format when `compressed`).
pub fn read(data: &[u8], compressed: bool) -> SegmentRead<'_> {
    let header_len = if compressed { 8 } else { 6 };
    if data.len() < header_len {
        return SegmentRead::Need(header_len);
    }
    let Some(sh) = SegmentHeader::parse(data, compressed) else {
        return SegmentRead::BadHeader;
    };
    let len = sh.segment_len();
    let (Some(payload), Some(trailer)) = (
        data.get(header_len..header_len + sh.payload_len),
        data.get(len - TRAILER_LEN..len),
    ) else {
        return SegmentRead::Need(len);
    };
    if trailer != crc32(payload).to_le_bytes() {
        return SegmentRead::BadPayload { len };
    }
    let data = if compressed && sh.uncompressed_len > 0 {
        match lz4_block(payload, sh.uncompressed_len, MAX_PAYLOAD) {
            Ok(p) => Cow::Owned(p),
            Err(_) => return SegmentRead::BadPayload { len },
        }
    } else {
        Cow::Borrowed(payload)
    };
    SegmentRead::Payload {
        len,
        self_contained: sh.self_contained,
        data,
    }
}

/// The offset of the first valid segment header of the given format in `data`.
pub fn find_segment(data: &[u8], compressed: bool) -> Option<usize> {
    (0..data.len()).find(|&i| {
        data.get(i..)
            .is_some_and(|d| SegmentHeader::parse(d, compressed).is_some())
    })
}

/// Builds an uncompressed segment around `payload` (tests and examples).
pub fn encode(payload: &[u8], self_contained: bool) -> Vec<u8> {
    let v = (payload.len() as u32 & 0x1_FFFF) | u32::from(self_contained) << 17;
    let head = [v as u8, (v >> 8) as u8, (v >> 16) as u8];
    let crc = crc24(&head);
    let mut out = head.to_vec();
    out.extend_from_slice(&[crc as u8, (crc >> 8) as u8, (crc >> 16) as u8]);
    out.extend_from_slice(payload);
    out.extend_from_slice(&crc32(payload).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncompressed_segment_round_trip() {
        let seg = encode(b"\x05\x00\x00\x01\x05\x00\x00\x00\x00", true);
        let h = SegmentHeader::parse(&seg, false).unwrap();
        assert_eq!(
            (h.payload_len, h.self_contained, h.segment_len()),
            (9, true, 19)
        );
        // One flipped header bit fails the CRC24.
        let mut bad = seg.clone();
        bad[0] ^= 1;
        assert!(SegmentHeader::parse(&bad, false).is_none());
        assert_eq!(
            find_segment(&[[1, 2, 3].as_slice(), &seg].concat(), false),
            Some(3)
        );
    }
}
