//! Pure parsing of a message head: a text command line, or a binary header with its extras
//! and key. The data block that may follow is not read here: the head says how long it is and
//! the stream reader consumes it as it arrives, keeping only what the limits allow.
//!
//! No-panic contract: every read is bounds-checked; lengths come from the wire and are only
//! compared, never trusted for indexing.

use super::codes::{
    binary_command, is_quiet_opcode, Arg, Body, Command, COUNTER_REPLY, TEXT_FAMILIES,
    TEXT_REQUESTS, TEXT_RESPONSES, UNKNOWN_TEXT,
};
use super::message::Message;
use crate::Dir;
use wb_wire::Timestamp;

/// Size of a binary header.
pub const BINARY_HEADER: usize = 24;
/// Magic byte of a binary request.
pub const MAGIC_REQUEST: u8 = 0x80;
/// Magic byte of a binary response.
pub const MAGIC_RESPONSE: u8 = 0x81;
/// Longest text command line accepted (a multi-key get of many 250-byte keys fits).
pub const MAX_LINE: usize = 64 * 1024;
/// Most bytes of a binary version reply kept.
const MAX_VERSION: usize = 256;
/// Most bytes of one binary stat value kept.
const MAX_STAT_VALUE: usize = 4096;

/// What the parser may keep.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Most bytes kept of one value (0: values are only counted).
    pub keep_value_bytes: usize,
    /// Unknown text commands make an `UNKNOWN` message instead of an error.
    pub parse_unknown: bool,
}

/// A parsed head.
#[derive(Debug)]
pub struct Head {
    /// The message, without its data block.
    pub msg: Message,
    /// Bytes of the head (line with its end, or binary header + extras + key).
    pub used: usize,
    /// Length of the data block that follows.
    pub body: u64,
    /// Bytes after the data block (the text `\r\n`).
    pub trailer: u64,
    /// Most bytes of the data block to keep.
    pub keep: usize,
}

/// Why a head could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadError {
    /// More bytes are needed; the value is how many in total, when known (0: unknown).
    Incomplete(usize),
    /// Not memcache, or a message Packetbeat cannot parse (an anomaly name).
    Invalid(&'static str),
}

/// Parses the head of the message at the start of `buf`, sent in `dir`.
pub fn parse_head(buf: &[u8], dir: Dir, ts: Timestamp, limits: Limits) -> Result<Head, HeadError> {
    let first = *buf.first().ok_or(HeadError::Incomplete(1))?;
    if first == MAGIC_REQUEST || first == MAGIC_RESPONSE {
        parse_binary(buf, dir, ts, limits)
    } else {
        parse_text(buf, dir, ts, limits)
    }
}

fn be16(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u16::from_be_bytes)
}

fn be32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u32::from_be_bytes)
}

fn be64(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u64::from_be_bytes)
}

fn parse_binary(buf: &[u8], dir: Dir, ts: Timestamp, limits: Limits) -> Result<Head, HeadError> {
    let header = buf
        .get(..BINARY_HEADER)
        .ok_or(HeadError::Incomplete(BINARY_HEADER))?;
    let request = header.first() == Some(&MAGIC_REQUEST);
    if request != (dir == Dir::ToServer) {
        return Err(HeadError::Invalid("wrong_direction"));
    }
    let opcode = header.get(1).copied().unwrap_or(0);
    let key_len = usize::from(be16(header, 2));
    let extras_len = usize::from(header.get(4).copied().unwrap_or(0));
    let total = u64::from(be32(header, 8));
    let command = binary_command(opcode);
    let mut msg = Message::new(ts, true, request, command);
    msg.opcode = opcode;
    msg.quiet = is_quiet_opcode(opcode);
    if request {
        msg.vbucket = be16(header, 6);
    } else {
        msg.status = be16(header, 6);
    }
    msg.opaque = be32(header, 12);
    let cas = be64(header, 16);
    if cas != 0 {
        msg.cas = Some(cas);
    }
    if total == 0 {
        return Ok(Head {
            msg,
            used: BINARY_HEADER,
            body: 0,
            trailer: 0,
            keep: 0,
        });
    }
    let head_len = extras_len + key_len;
    let Some(value_len) = total.checked_sub(head_len as u64) else {
        return Err(HeadError::Invalid("bad_length"));
    };
    let used = BINARY_HEADER + head_len;
    let rest = buf
        .get(BINARY_HEADER..used)
        .ok_or(HeadError::Incomplete(used))?;
    let (extras, key) = rest.split_at(extras_len.min(rest.len()));
    let args = if request {
        command.args
    } else {
        command.resp_args
    };
    read_extras(&mut msg, args, extras);
    if !key.is_empty() {
        msg.keys.push(String::from_utf8_lossy(key).into_owned());
    }
    let keep = match (command.body, request) {
        (Body::Counter, false) => 8,
        (Body::Version, false) => MAX_VERSION,
        (Body::Stat, false) => MAX_STAT_VALUE,
        // SASL data carries credentials: never kept.
        _ if command.typ == super::codes::CmdType::Auth => 0,
        _ => limits.keep_value_bytes,
    };
    msg.bytes = value_len;
    Ok(Head {
        keep: keep.min(usize::try_from(value_len).unwrap_or(usize::MAX)),
        msg,
        used,
        body: value_len,
        trailer: 0,
    })
}

fn read_extras(msg: &mut Message, args: &[Arg], extras: &[u8]) {
    let mut at = 0;
    for arg in args {
        let width = match arg {
            Arg::Delta | Arg::Initial => 8,
            Arg::Flags | Arg::ExpTime | Arg::Verbosity => 4,
            _ => 0,
        };
        if width == 0 || at + width > extras.len() {
            continue;
        }
        let v = if width == 8 {
            be64(extras, at)
        } else {
            u64::from(be32(extras, at))
        };
        at += width;
        match arg {
            Arg::Flags => msg.flags = v as u32,
            Arg::ExpTime => msg.exptime = v as i64,
            Arg::Initial => msg.value2 = v,
            _ => msg.value = v,
        }
    }
}

fn parse_text(buf: &[u8], dir: Dir, ts: Timestamp, limits: Limits) -> Result<Head, HeadError> {
    let Some(nl) = buf.iter().take(MAX_LINE).position(|&b| b == b'\n') else {
        return if buf.len() >= MAX_LINE {
            Err(HeadError::Invalid("line_too_long"))
        } else {
            Err(HeadError::Incomplete(0))
        };
    };
    let line = buf.get(..nl).unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = String::from_utf8_lossy(line);
    let line = line.as_ref();
    let request = dir == Dir::ToServer;
    let (word, args) = split_word(line);
    if word.is_empty() {
        return Err(HeadError::Invalid("empty_line"));
    }
    let (command, args) = find_text_command(word, args, request, limits.parse_unknown)
        .ok_or(HeadError::Invalid("unknown_command"))?;
    let mut msg = Message::new(ts, false, request, command);
    if std::ptr::eq(command, &UNKNOWN_TEXT) {
        msg.line = line.to_string();
    }
    if std::ptr::eq(command, &COUNTER_REPLY) {
        msg.value = word
            .parse()
            .map_err(|_| HeadError::Invalid("bad_counter_reply"))?;
    }
    read_text_args(&mut msg, args).map_err(HeadError::Invalid)?;
    let (body, trailer, keep) = if command.body == Body::Data {
        let keep = usize::try_from(msg.bytes)
            .unwrap_or(usize::MAX)
            .min(limits.keep_value_bytes);
        (msg.bytes, 2, keep)
    } else {
        (0, 0, 0)
    };
    Ok(Head {
        msg,
        used: nl + 1,
        body,
        trailer,
        keep,
    })
}

/// Splits off the first space-separated word (leading spaces skipped); the rest starts after
/// the one space that ends the word.
fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim_start_matches(' ');
    match s.split_once(' ') {
        Some((w, rest)) => (w, rest),
        None => (s, ""),
    }
}

fn find_text_command<'a>(
    word: &str,
    args: &'a str,
    request: bool,
    parse_unknown: bool,
) -> Option<(&'static Command, &'a str)> {
    let unknown = || parse_unknown.then_some((&UNKNOWN_TEXT, args));
    if !request {
        if let Some(c) = TEXT_RESPONSES.iter().find(|c| c.keyword == word) {
            return Some((c, args));
        }
        if word.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            return Some((&COUNTER_REPLY, args));
        }
        return unknown();
    }
    if let Some(c) = TEXT_REQUESTS.iter().find(|c| c.keyword == word) {
        return Some((c, args));
    }
    if let Some((_, subs)) = TEXT_FAMILIES.iter().find(|(w, _)| *w == word) {
        let (sub, sub_args) = split_word(args);
        if let Some(c) = subs.iter().find(|c| c.keyword == sub) {
            return Some((c, sub_args));
        }
    }
    unknown()
}

fn read_text_args(msg: &mut Message, args: &str) -> Result<(), &'static str> {
    let mut words = args.split(' ').filter(|w| !w.is_empty());
    for arg in msg.command.args {
        match arg {
            Arg::Key => msg
                .keys
                .push(words.next().ok_or("missing_key")?.to_string()),
            Arg::MultiKeys => {
                msg.keys.extend(words.by_ref().map(str::to_string));
                if msg.keys.is_empty() {
                    return Err("missing_key");
                }
            }
            Arg::Flags => msg.flags = number(words.next())? as u32,
            Arg::Bytes => msg.bytes = number(words.next())?,
            Arg::ExpTime => msg.exptime = signed(words.next())?,
            Arg::OptExpTime => {
                if let Some(w) = words.next() {
                    msg.exptime = signed(Some(w))?;
                }
            }
            Arg::Cas => msg.cas = Some(number(words.next())?),
            Arg::OptCas => {
                msg.cas = words.next().map(|w| number(Some(w))).transpose()?;
            }
            Arg::NoReply => match words.next() {
                None => {}
                Some(w) if w.starts_with("noreply") => msg.noreply = true,
                Some(_) => return Err("bad_noreply"),
            },
            Arg::Delta
            | Arg::Verbosity
            | Arg::SleepUs
            | Arg::Automove
            | Arg::Initial
            | Arg::Value => {
                // A counter reply's value is its command word, read by the caller.
                if !std::ptr::eq(msg.command, &COUNTER_REPLY) {
                    msg.value = number(words.next())?;
                }
            }
            Arg::SourceClass => msg.source_class = signed(words.next())?,
            Arg::DestClass => msg.dest_class = signed(words.next())?,
            Arg::RawArgs => msg.raw_args = args.to_string(),
            Arg::ErrorMsg => msg.error_msg = args.to_string(),
            Arg::Stat => {
                let name = words.next().unwrap_or_default().to_string();
                let value = words.next().unwrap_or_default().to_string();
                msg.stats.push((name, value));
            }
            Arg::Stats => {}
        }
    }
    Ok(())
}

fn number(word: Option<&str>) -> Result<u64, &'static str> {
    word.and_then(|w| w.parse().ok()).ok_or("bad_number")
}

fn signed(word: Option<&str>) -> Result<i64, &'static str> {
    word.and_then(|w| w.parse().ok()).ok_or("bad_number")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        keep_value_bytes: 100,
        parse_unknown: false,
    };

    fn head(buf: &[u8], dir: Dir) -> Result<Head, HeadError> {
        parse_head(buf, dir, Timestamp::default(), LIMITS)
    }

    #[test]
    fn text_set_with_noreply() {
        // "set" key flags exptime bytes noreply, then a 5-byte data block.
        let h = head(b"set k 3 -1 5 noreply\r\nhello\r\n", Dir::ToServer).unwrap();
        assert_eq!(h.msg.command.name, "set");
        assert_eq!(h.msg.keys, vec!["k".to_string()]);
        assert_eq!((h.msg.flags, h.msg.exptime, h.msg.bytes), (3, -1, 5));
        assert!(h.msg.noreply);
        assert_eq!((h.used, h.body, h.trailer, h.keep), (22, 5, 2, 5));
    }

    #[test]
    fn text_replies() {
        let h = head(b"VALUE k 0 2 77\r\nhi\r\nEND\r\n", Dir::ToClient).unwrap();
        assert_eq!(
            (h.msg.command.name, h.msg.cas, h.body),
            ("VALUE", Some(77), 2)
        );
        let h = head(b"42\r\n", Dir::ToClient).unwrap();
        assert_eq!((h.msg.command.name, h.msg.value), ("<counter_op_res>", 42));
        let h = head(b"CLIENT_ERROR bad data chunk\r\n", Dir::ToClient).unwrap();
        assert_eq!(h.msg.error_msg, "bad data chunk");
        let h = head(b"STAT pid 1234\r\n", Dir::ToClient).unwrap();
        assert_eq!(h.msg.stats, vec![("pid".into(), "1234".into())]);
    }

    #[test]
    fn text_sub_commands_and_unknown() {
        let h = head(b"slabs reassign 1 -1\r\n", Dir::ToServer).unwrap();
        assert_eq!(
            (h.msg.command.name, h.msg.source_class, h.msg.dest_class),
            ("slabs reassign", 1, -1)
        );
        assert_eq!(
            head(b"frobnicate x\r\n", Dir::ToServer).unwrap_err(),
            HeadError::Invalid("unknown_command")
        );
        let h = parse_head(
            b"frobnicate x\r\n",
            Dir::ToServer,
            Timestamp::default(),
            Limits {
                parse_unknown: true,
                ..LIMITS
            },
        )
        .unwrap();
        assert_eq!(
            (h.msg.command.name, h.msg.line.as_str()),
            ("UNKNOWN", "frobnicate x")
        );
        assert_eq!(
            head(b"get k", Dir::ToServer).unwrap_err(),
            HeadError::Incomplete(0)
        );
    }

    #[test]
    fn binary_set_request() {
        let mut b = vec![
            0x80, 0x01, 0x00, 0x01, // magic, Set, key length 1
            0x08, 0x00, 0x00, 0x07, // extras 8, datatype, vbucket 7
            0x00, 0x00, 0x00, 0x0c, // total body 12 = 8 extras + 1 key + 3 value
            0x00, 0x00, 0x00, 0x2a, // opaque 42
            0, 0, 0, 0, 0, 0, 0, 0, // cas 0
            0x00, 0x00, 0x00, 0x05, // flags 5
            0x00, 0x00, 0x0e, 0x10, // exptime 3600
            b'k',
        ];
        b.extend_from_slice(b"abc");
        let h = head(&b, Dir::ToServer).unwrap();
        assert_eq!((h.msg.opcode, h.msg.vbucket, h.msg.opaque), (1, 7, 42));
        assert_eq!((h.msg.flags, h.msg.exptime, h.msg.cas), (5, 3600, None));
        assert_eq!((h.used, h.body, h.keep), (33, 3, 3));
        // The same header sent by the server is refused.
        assert_eq!(
            head(&b, Dir::ToClient).unwrap_err(),
            HeadError::Invalid("wrong_direction")
        );
        // Header only: the extras and key are still needed.
        assert_eq!(
            head(&b[..26], Dir::ToServer).unwrap_err(),
            HeadError::Incomplete(33)
        );
    }

    #[test]
    fn binary_body_shorter_than_key_is_invalid() {
        let b = [
            0x81, 0x00, 0x00, 0x05, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        assert_eq!(
            head(&b, Dir::ToClient).unwrap_err(),
            HeadError::Invalid("bad_length")
        );
    }
}
