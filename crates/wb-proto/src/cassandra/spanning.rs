//! A v5 frame larger than one segment: it arrives over segments that are not self-contained.
//! The first carries the frame header; the body is kept up to a cap and the rest counted.

use super::frame::{Header, HEADER_LEN};
use crate::Dir;

/// A frame being gathered from several segments.
#[derive(Debug)]
pub struct Spanning {
    header: Header,
    body: Vec<u8>,
    received: usize,
}

impl Spanning {
    /// Starts a frame from the payload of its first segment, if it begins with a header.
    pub fn start(payload: &[u8], dir: Dir, cap: usize) -> Option<Spanning> {
        let header = Header::parse(payload, dir)?;
        let mut s = Spanning {
            header,
            body: Vec::new(),
            received: 0,
        };
        s.extend(payload.get(HEADER_LEN..).unwrap_or_default(), cap);
        Some(s)
    }

    /// Adds the payload of the next segment; at most `cap` body bytes are kept.
    pub fn extend(&mut self, piece: &[u8], cap: usize) {
        let room = cap.saturating_sub(self.body.len()).min(piece.len());
        self.body
            .extend_from_slice(piece.get(..room).unwrap_or_default());
        self.received += piece.len();
    }

    /// Whether every byte of the body has arrived.
    pub fn is_done(&self) -> bool {
        self.received >= self.header.length as usize
    }

    /// The header, the body kept, and whether it is the whole body.
    pub fn finish(mut self) -> (Header, Vec<u8>, bool) {
        let length = self.header.length as usize;
        let complete = self.body.len() >= length;
        self.body.truncate(length);
        (self.header, self.body, complete)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_over_three_segments_with_a_cap() {
        // v5 RESULT, stream 2, 10-byte body, sent as 9+3, 4, 3 bytes.
        let first = [&[0x85, 0, 0, 2, 0x08, 0, 0, 0, 10][..], &[1, 2, 3]].concat();
        let mut s = Spanning::start(&first, Dir::ToClient, 8).unwrap();
        s.extend(&[4, 5, 6, 7], 8);
        assert!(!s.is_done());
        s.extend(&[8, 9, 10], 8);
        assert!(s.is_done());
        let (h, body, complete) = s.finish();
        assert_eq!(
            (h.stream, body, complete),
            (2, vec![1, 2, 3, 4, 5, 6, 7, 8], false)
        );
        assert!(Spanning::start(&[1, 2, 3], Dir::ToClient, 8).is_none());
    }
}
