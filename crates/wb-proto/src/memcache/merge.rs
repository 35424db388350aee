//! Replies that span several messages: text `VALUE`… `END` and `STAT`… `END`, binary `Stat`
//! replies until the one with an empty key. The parts are merged into the first message.

use super::codes::{CmdType, OPCODE_STAT};
use super::message::Message;

/// Most keys and stats kept in one merged reply (a hostile server cannot grow it further;
/// sizes and counts still add up).
pub const MAX_MERGED_ITEMS: usize = 10_000;

/// A reply that is followed by more parts.
pub fn continues(m: &Message) -> bool {
    if m.binary {
        m.opcode == OPCODE_STAT && !m.keys.is_empty()
    } else {
        matches!(m.command.name, "VALUE" | "STAT")
    }
}

/// What [`merge`] did.
// The large variant is the rarer one; boxing it would allocate where moving is enough.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Merged {
    /// `next` was merged; true when the reply is now complete.
    Into(bool),
    /// `next` does not belong to `prev`: it is given back.
    No(Message),
}

/// Merges `next` into `prev` (a reply for which [`continues`] was true), keeping at most
/// `max_values` values and `max_value_bytes` bytes of them.
pub fn merge(
    prev: &mut Message,
    next: Message,
    max_values: usize,
    max_value_bytes: usize,
) -> Merged {
    if prev.binary != next.binary {
        return Merged::No(next);
    }
    let fits = if prev.binary {
        next.opcode == OPCODE_STAT && next.opaque == prev.opaque
    } else if prev.command.name == "VALUE" {
        matches!(next.command.name, "VALUE" | "END")
    } else {
        next.command.typ == CmdType::Stats || next.command.name == "END"
    };
    if !fits {
        return Merged::No(next);
    }
    let complete = !continues(&next);
    prev.size += next.size;
    prev.bytes_lost += next.bytes_lost;
    for n in next.notes {
        prev.note(n);
    }
    if prev.binary || prev.command.typ == CmdType::Stats {
        let room = MAX_MERGED_ITEMS.saturating_sub(prev.stats.len());
        prev.stats.extend(next.stats.into_iter().take(room));
    } else {
        prev.bytes += next.bytes;
        prev.count_values += next.count_values;
        let room = MAX_MERGED_ITEMS.saturating_sub(prev.keys.len());
        prev.keys.extend(next.keys.into_iter().take(room));
        let mut held: usize = prev.values.iter().map(Vec::len).sum();
        for v in next.values {
            if prev.values.len() >= max_values || held + v.len() > max_value_bytes {
                break;
            }
            held += v.len();
            prev.values.push(v);
        }
    }
    Merged::Into(complete)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memcache::parser::{parse_head, Limits};
    use crate::Dir;
    use wb_wire::Timestamp;

    fn reply(line: &[u8]) -> Message {
        let limits = Limits {
            keep_value_bytes: 0,
            parse_unknown: false,
        };
        parse_head(line, Dir::ToClient, Timestamp::default(), limits)
            .unwrap()
            .msg
    }

    #[test]
    fn values_until_end() {
        let mut first = reply(b"VALUE a 0 1\r\n");
        assert!(continues(&first));
        assert!(matches!(
            merge(&mut first, reply(b"VALUE b 0 2\r\n"), 10, 100),
            Merged::Into(false)
        ));
        assert!(matches!(
            merge(&mut first, reply(b"END\r\n"), 10, 100),
            Merged::Into(true)
        ));
        assert_eq!(first.keys, vec!["a".to_string(), "b".to_string()]);
        assert_eq!(first.bytes, 3);
        assert!(matches!(
            merge(&mut first, reply(b"STORED\r\n"), 10, 100),
            Merged::No(_)
        ));
    }
}
