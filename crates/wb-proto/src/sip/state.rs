//! Per-flow SIP state: one event per message, no pairing. Over UDP each datagram is one
//! message; over TCP messages are framed by their header block and Content-Length, several
//! per segment or one over many, with keep-alive CRLFs between them. After garbage or lost
//! bytes the stream is searched for the next start line.

use super::config::SipConfig;
use super::ecs::{self, Message};
use super::parser::{
    first_line, head_len, is_resync_start_line, is_start_line, keepalive_len, parse_head,
    resume_scan, ContentLength, MAX_START_LINE,
};
use crate::{Analyzer, Cx, Dir, GapAction, Progress};
use std::sync::Arc;
use wb_wire::Timestamp;

/// Note of a message whose body is shorter than its Content-Length (UDP).
pub const NOTE_TRUNCATED_BODY: &str = "Message body shorter than its Content-Length";
/// Note of a message whose body was not kept because the message exceeds `max_message_size`.
pub const NOTE_BODY_TOO_LARGE: &str = "Message body not kept: larger than max_message_size";

/// Analyzer of one SIP flow.
pub struct SipAnalyzer {
    config: Arc<SipConfig>,
    /// Per direction: body bytes of an oversized message still to pass over (TCP).
    skip: [u64; 2],
    /// Per direction: looking for the next start line after garbage or a gap (TCP).
    resync: [bool; 2],
    /// Per direction: bytes of the buffered tail already searched for the end of the header
    /// block (the tail starts at the same byte on the next call).
    scanned: [usize; 2],
    /// Per direction: time of the first byte of the message being assembled (TCP).
    since: [Option<Timestamp>; 2],
}

/// What the resynchronisation search found.
enum Resync {
    /// A start line begins at this offset.
    Found(usize),
    /// None yet; the bytes before this offset can be dropped.
    NotYet(usize),
}

impl SipAnalyzer {
    /// A fresh analyzer.
    pub fn new(config: Arc<SipConfig>) -> Self {
        SipAnalyzer {
            config,
            skip: [0; 2],
            resync: [false; 2],
            scanned: [0; 2],
            since: [None; 2],
        }
    }

    fn emit(&self, msg: &Message<'_>, dir: Dir, cx: &mut Cx) {
        if msg.head.headers_dropped > 0 {
            cx.anomaly("too_many_headers");
        }
        if msg.head.malformed_lines > 0 {
            cx.anomaly("malformed_header_line");
        }
        ecs::publish(msg, dir, &self.config, cx);
    }

    fn udp_datagram(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        let data = data.get(keepalive_len(data)..).unwrap_or_default();
        if data.is_empty() {
            return Progress::Done;
        }
        let Some(len) = head_len(data, 0) else {
            if first_line(data).is_some_and(is_start_line) {
                cx.anomaly("truncated_message");
                return Progress::Done;
            }
            cx.anomaly("not_sip");
            return Progress::Invalid;
        };
        let Some(head) = data.get(..len).and_then(parse_head) else {
            cx.anomaly("not_sip");
            return Progress::Invalid;
        };
        let available = data.len() - len;
        let mut notes = Vec::new();
        let body_len = match head.content_length() {
            ContentLength::Bytes(n) if n > available as u64 => {
                cx.anomaly("truncated_body");
                notes.push(NOTE_TRUNCATED_BODY.to_string());
                available
            }
            ContentLength::Bytes(n) => usize::try_from(n).unwrap_or(available),
            ContentLength::Invalid => {
                cx.anomaly("bad_content_length");
                available
            }
            // Over UDP the body runs to the end of the datagram (RFC 3261 §18.3).
            ContentLength::Absent => available,
        };
        let raw = data.get(..len + body_len).unwrap_or(data);
        let msg = Message {
            head,
            body: raw.get(len..).unwrap_or_default(),
            raw,
            ts: cx.now(),
            notes,
        };
        self.emit(&msg, dir, cx);
        Progress::Done
    }

    fn tcp_stream(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        let i = dir.index();
        let mut consumed = 0usize;
        loop {
            let rest = data.get(consumed..).unwrap_or_default();
            if rest.is_empty() {
                return Progress::Done;
            }
            if let Some(skip) = self.skip.get_mut(i).filter(|s| **s > 0) {
                let n = rest.len().min(usize::try_from(*skip).unwrap_or(usize::MAX));
                *skip -= n as u64;
                consumed += n;
                continue;
            }
            if *dir.of(&mut self.resync) {
                match find_start_line(rest) {
                    Resync::Found(at) => {
                        consumed += at;
                        *dir.of(&mut self.resync) = false;
                    }
                    Resync::NotYet(drop) => {
                        consumed += drop;
                        return self.need_more(data, consumed);
                    }
                }
                continue;
            }
            if dir.of(&mut self.since).is_none() {
                let ka = keepalive_len(rest);
                if ka > 0 {
                    consumed += ka;
                    continue;
                }
            }
            let since = *dir.of(&mut self.since).get_or_insert(cx.now());
            let from = *dir.of(&mut self.scanned);
            let Some(len) = head_len(rest, from) else {
                let garbage = match first_line(rest) {
                    Some(line) => !is_start_line(line),
                    None => rest.len() > MAX_START_LINE,
                };
                if garbage {
                    consumed += line_len(rest);
                    self.lost_sync(dir, cx);
                    continue;
                }
                *dir.of(&mut self.scanned) = resume_scan(rest);
                return Progress::NeedMore {
                    consumed,
                    needed: 0,
                };
            };
            let Some(head) = rest.get(..len).and_then(parse_head) else {
                consumed += line_len(rest);
                self.lost_sync(dir, cx);
                continue;
            };
            let body_len = match head.content_length() {
                ContentLength::Bytes(n) => n,
                ContentLength::Invalid => {
                    cx.anomaly("bad_content_length");
                    0
                }
                // Content-Length is mandatory over streams (RFC 3261 §18.3); without it the
                // message has no body.
                ContentLength::Absent => 0,
            };
            let total = (len as u64).saturating_add(body_len);
            if total > self.config.common.max_message_size as u64 {
                cx.anomaly("body_too_large");
                let msg = Message {
                    head,
                    body: &[],
                    raw: rest.get(..len).unwrap_or_default(),
                    ts: since,
                    notes: vec![NOTE_BODY_TOO_LARGE.to_string()],
                };
                self.emit(&msg, dir, cx);
                consumed += len;
                *dir.of(&mut self.skip) = body_len;
                self.message_done(dir);
                continue;
            }
            let total = usize::try_from(total).unwrap_or(usize::MAX);
            let Some(raw) = rest.get(..total) else {
                return Progress::NeedMore {
                    consumed,
                    needed: total,
                };
            };
            let msg = Message {
                head,
                body: raw.get(len..).unwrap_or_default(),
                raw,
                ts: since,
                notes: Vec::new(),
            };
            self.emit(&msg, dir, cx);
            consumed += total;
            self.message_done(dir);
        }
    }

    fn need_more(&self, data: &[u8], consumed: usize) -> Progress {
        if consumed >= data.len() {
            Progress::Done
        } else {
            Progress::NeedMore {
                consumed,
                needed: 0,
            }
        }
    }

    fn message_done(&mut self, dir: Dir) {
        *dir.of(&mut self.since) = None;
        *dir.of(&mut self.scanned) = 0;
    }

    /// The line at hand (already consumed) did not start a message: count it and look for
    /// the next start line.
    fn lost_sync(&mut self, dir: Dir, cx: &mut Cx) {
        cx.anomaly("not_sip");
        self.message_done(dir);
        *dir.of(&mut self.resync) = true;
    }
}

/// Bytes of the first line of `data` with its line end (all of `data` without one).
fn line_len(data: &[u8]) -> usize {
    data.iter()
        .position(|&b| b == b'\n')
        .map_or(data.len(), |nl| nl + 1)
}

/// The first complete line of `data` that is a start line. When there is none, the bytes
/// before the last incomplete line can be dropped; a line longer than [`MAX_START_LINE`]
/// cannot be a start line and is dropped whole.
fn find_start_line(data: &[u8]) -> Resync {
    let mut line_start = 0;
    loop {
        let rest = data.get(line_start..).unwrap_or_default();
        match first_line(rest) {
            Some(line) if is_resync_start_line(line) => return Resync::Found(line_start),
            Some(_) => line_start += line_len(rest),
            None if rest.len() > MAX_START_LINE => return Resync::NotYet(data.len()),
            None => return Resync::NotYet(line_start),
        }
    }
}

impl Analyzer for SipAnalyzer {
    fn on_data(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        match cx.conn().transport {
            crate::TransportKind::Udp => self.udp_datagram(dir, data, cx),
            crate::TransportKind::Tcp => self.tcp_stream(dir, data, cx),
        }
    }

    fn on_gap(&mut self, dir: Dir, missing: u32, cx: &mut Cx) -> GapAction {
        cx.anomaly("gap");
        let skip = dir.of(&mut self.skip);
        if *skip >= u64::from(missing) {
            // The hole is inside a body that was being passed over anyway.
            *skip -= u64::from(missing);
            return GapAction::Continue;
        }
        *skip = 0;
        if dir.of(&mut self.since).is_some() {
            cx.anomaly("message_lost_in_gap");
        }
        self.message_done(dir);
        *dir.of(&mut self.resync) = true;
        GapAction::Continue
    }

    fn on_eof(&mut self, dir: Dir, cx: &mut Cx) {
        if dir.of(&mut self.since).take().is_some() {
            cx.anomaly("truncated_message");
        }
        *dir.of(&mut self.scanned) = 0;
    }

    fn on_expire(&mut self, _now: Timestamp, cx: &mut Cx) {
        for dir in [Dir::ToServer, Dir::ToClient] {
            self.on_eof(dir, cx);
        }
    }
}
