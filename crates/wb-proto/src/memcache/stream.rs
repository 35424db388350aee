//! The reader of one direction: heads are parsed whole from the flow layer's bytes, data
//! blocks are consumed as they arrive and only the kept prefix of a value is copied, so a
//! large value never has to be buffered. A gap inside a data block is absorbed (the value is
//! counted as lost); anywhere else it cannot be.

use super::codes::Body;
use super::message::Message;
use super::parser::{parse_head, HeadError, Limits};
use crate::Dir;
use wb_wire::Timestamp;

/// Note added to a message that lost bytes to a capture gap.
pub const NOTE_REQUEST_LOSS: &str = "Packet loss while capturing the request";
/// Note added to a response that lost bytes to a capture gap.
pub const NOTE_RESPONSE_LOSS: &str = "Packet loss while capturing the response";

/// A message whose data block is being consumed.
struct Partial {
    msg: Message,
    /// Value bytes still to come.
    remaining: u64,
    /// Bytes after the value still to come.
    trailer: u64,
    /// Kept prefix of the value.
    kept: Vec<u8>,
    /// Most bytes to keep.
    keep: usize,
}

/// What one step of the reader produced.
// The message variant is the common result: boxing it would add an allocation per message.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Read {
    /// A complete message, and the bytes used for it in this call.
    Message(Message, usize),
    /// Bytes of a data block were consumed; the message is not complete yet.
    Consumed(usize),
    /// A head is incomplete: call again with at least this many bytes (0: any more).
    NeedMore(usize),
    /// Not memcache (an anomaly name).
    Invalid(&'static str),
}

/// The reader of one direction.
#[derive(Default)]
pub struct Reader {
    partial: Option<Partial>,
    /// Arrival time of the first byte of an incomplete head.
    since: Option<Timestamp>,
}

impl Reader {
    /// Reads the next message or part of one from `data` (non-empty).
    pub fn step(&mut self, data: &[u8], dir: Dir, now: Timestamp, limits: Limits) -> Read {
        if let Some(p) = self.partial.as_mut() {
            let used = consume_body(p, data);
            if p.remaining == 0 && p.trailer == 0 {
                if let Some(p) = self.partial.take() {
                    return Read::Message(finish(p), used);
                }
            }
            return Read::Consumed(used);
        }
        let ts = self.since.unwrap_or(now);
        match parse_head(data, dir, ts, limits) {
            Ok(head) => {
                self.since = None;
                let mut msg = head.msg;
                msg.size = head.used as u64;
                let mut p = Partial {
                    msg,
                    remaining: head.body,
                    trailer: head.trailer,
                    kept: Vec::new(),
                    keep: head.keep,
                };
                if p.remaining == 0 && p.trailer == 0 {
                    return Read::Message(finish(p), head.used);
                }
                let rest = data.get(head.used..).unwrap_or_default();
                let used = head.used + consume_body(&mut p, rest);
                if p.remaining == 0 && p.trailer == 0 {
                    return Read::Message(finish(p), used);
                }
                self.partial = Some(p);
                Read::Consumed(used)
            }
            Err(HeadError::Incomplete(needed)) => {
                self.since.get_or_insert(now);
                Read::NeedMore(needed)
            }
            Err(HeadError::Invalid(kind)) => {
                self.reset();
                Read::Invalid(kind)
            }
        }
    }

    /// Tries to absorb `missing` lost bytes: true when they fall inside the data block being
    /// read (the message continues, noted and counted as lost).
    pub fn absorb_gap(&mut self, missing: u32, dir: Dir) -> bool {
        let Some(p) = self.partial.as_mut() else {
            return false;
        };
        let missing = u64::from(missing);
        if missing > p.remaining + p.trailer {
            return false;
        }
        let from_value = missing.min(p.remaining);
        p.remaining -= from_value;
        p.trailer -= missing - from_value;
        p.msg.bytes_lost += missing;
        // A value with a hole is counted but never shown.
        p.keep = 0;
        p.kept = Vec::new();
        p.msg.note(match dir {
            Dir::ToServer => NOTE_REQUEST_LOSS,
            Dir::ToClient => NOTE_RESPONSE_LOSS,
        });
        true
    }

    /// Forgets any partial message.
    pub fn reset(&mut self) {
        self.partial = None;
        self.since = None;
    }
}

/// Consumes value and trailer bytes from `data`; returns how many.
fn consume_body(p: &mut Partial, data: &[u8]) -> usize {
    let avail = data.len() as u64;
    let from_value = p.remaining.min(avail);
    let take = usize::try_from(from_value).unwrap_or(usize::MAX);
    if p.kept.len() < p.keep {
        let room = p.keep - p.kept.len();
        if let Some(part) = data.get(..take.min(room)) {
            p.kept.extend_from_slice(part);
        }
    }
    p.remaining -= from_value;
    let from_trailer = p.trailer.min(avail - from_value);
    p.trailer -= from_trailer;
    let used = from_value + from_trailer;
    p.msg.size += used;
    usize::try_from(used).unwrap_or(usize::MAX)
}

/// Applies the data block to its message.
fn finish(p: Partial) -> Message {
    let Partial {
        mut msg,
        kept,
        keep,
        ..
    } = p;
    let has_body = msg.bytes > 0 || (msg.command.body == Body::Data && !msg.binary);
    if !has_body {
        return msg;
    }
    let lost = msg.bytes_lost > 0;
    match (msg.command.body, msg.request) {
        (Body::Counter, false) if msg.binary => {
            if let Ok(b) = <[u8; 8]>::try_from(kept.as_slice()) {
                msg.value = u64::from_be_bytes(b);
            }
        }
        (Body::Version, false) if msg.binary => {
            msg.version = Some(String::from_utf8_lossy(&kept).into_owned());
        }
        (Body::Stat, false) if msg.binary => {
            if let Some(name) = msg.keys.first() {
                let value = String::from_utf8_lossy(&kept).into_owned();
                msg.stats.push((name.clone(), value));
            }
        }
        _ => {
            msg.count_values += 1;
            if !lost && keep > 0 {
                msg.values.push(kept);
            }
        }
    }
    msg
}
