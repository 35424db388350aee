//! Assembly of one content message: its method (publish, deliver, return, get-ok), its
//! content header, then body frames until the announced size is reached. Only the first
//! `max_body_length` body bytes are copied; the rest is counted.

use super::method::Method;
use super::props::ContentHeader;
use wb_wire::Timestamp;

/// Note on a message whose body lost bytes in a capture gap.
pub const NOTE_BODY_LOSS: &str = "Packet loss while capturing the message body";

/// A content message being assembled on one channel of one direction.
#[derive(Clone, Debug)]
pub struct Content {
    /// Its channel.
    pub channel: u16,
    /// The method frame that opened it.
    pub method: Method,
    /// Time of the method frame.
    pub start: Timestamp,
    /// The content header, once seen.
    pub header: Option<ContentHeader>,
    /// Body bytes received (or lost) so far.
    pub received: u64,
    /// The first body bytes, up to the configured limit.
    pub kept: Vec<u8>,
    /// Notes for the event.
    pub notes: Vec<String>,
}

impl Content {
    /// A message opened by `method` at `start`.
    pub fn new(channel: u16, method: Method, start: Timestamp) -> Self {
        Content {
            channel,
            method,
            start,
            header: None,
            received: 0,
            kept: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Body bytes still expected (0 before the header, too).
    pub fn body_remaining(&self) -> u64 {
        self.header
            .as_ref()
            .map_or(0, |h| h.body_size.saturating_sub(self.received))
    }

    /// Whether the header and the whole body were seen.
    pub fn is_complete(&self) -> bool {
        self.header
            .as_ref()
            .is_some_and(|h| self.received >= h.body_size)
    }

    /// Takes body bytes, keeping at most `limit` of the whole body.
    pub fn feed(&mut self, bytes: &[u8], limit: usize) {
        let room = limit.saturating_sub(self.kept.len());
        self.kept
            .extend_from_slice(bytes.get(..room.min(bytes.len())).unwrap_or_default());
        self.received = self.received.saturating_add(bytes.len() as u64);
    }

    /// Counts `n` body bytes lost in a gap.
    pub fn lose(&mut self, n: u64) {
        self.received = self.received.saturating_add(n);
        if !self.notes.iter().any(|x| x == NOTE_BODY_LOSS) {
            self.notes.push(NOTE_BODY_LOSS.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amqp::method::{decode, Decoded};

    #[test]
    fn body_over_frames_is_capped() {
        // basic.publish, exchange "", routing key "k", no bits
        let Decoded::Method(m) = decode(&[0, 60, 0, 40, 0, 0, 0, 1, b'k', 0], true) else {
            panic!("publish not decoded");
        };
        let mut c = Content::new(1, m, Timestamp::default());
        assert!(!c.is_complete());
        c.header = Some(ContentHeader {
            body_size: 6,
            ..ContentHeader::default()
        });
        c.feed(b"abc", 4);
        assert_eq!(c.body_remaining(), 3);
        c.feed(b"def", 4);
        assert!(c.is_complete());
        assert_eq!(c.kept, b"abcd");
    }
}
