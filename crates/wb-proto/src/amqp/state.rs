//! Per-connection AMQP state: a frame reader per direction (whole method and header frames
//! through the engine's buffer, body frames streamed, oversized frames skipped by counting),
//! content messages being assembled, and requests waiting for their reply, one per channel.
//!
//! Pairing follows Packetbeat: a synchronous request waits for the reply on its channel from
//! the other side; a second request on that channel drops the first; `no-wait` requests and
//! basic.ack/nack/reject are published at once; content messages (publish, deliver, return,
//! get-ok) are published when their body is complete. A request that gets no reply within
//! `transaction_timeout` is dropped, except a close with a reply code of 300 or more, which is
//! published with a note.

use super::config::{AmqpConfig, MAX_OPEN_CONTENTS, MAX_PENDING};
use super::content::Content;
use super::ecs::{self, merge, render_body, Txn};
use super::frame::{
    read_start, FrameHeader, FrameKind, Start, FRAME_END, HEADER_LEN, PROTOCOL_HEADER_LEN,
};
use super::method::{decode, Decoded, Method, Role};
use super::props;
use crate::{Analyzer, Cx, Dir, GapAction, Progress};
use std::sync::Arc;
use wb_wire::Timestamp;

/// Note of a close with an error code whose close-ok never came.
pub const NOTE_CLOSE_OK_MISSING: &str = "Close-ok method not received by sender";

/// Where a direction's reader stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reader {
    /// At a frame boundary.
    Boundary,
    /// Inside a body frame on `channel`: `remaining` payload bytes, then the frame-end octet.
    Body { channel: u16, remaining: u64 },
    /// Skipping the rest of an oversized frame, frame-end octet included.
    Skip { remaining: u64 },
}

/// A request waiting for its reply.
struct Pending {
    channel: u16,
    from: Dir,
    method: Method,
    start: Timestamp,
    bytes: u64,
    hidden: bool,
}

/// Analyzer state of one AMQP connection.
pub struct AmqpAnalyzer {
    config: Arc<AmqpConfig>,
    readers: [Reader; 2],
    contents: [Vec<Content>; 2],
    pending: Vec<Pending>,
}

impl AmqpAnalyzer {
    /// A fresh analyzer.
    pub fn new(config: Arc<AmqpConfig>) -> Self {
        AmqpAnalyzer {
            config,
            readers: [Reader::Boundary; 2],
            contents: [Vec::new(), Vec::new()],
            pending: Vec::new(),
        }
    }

    /// Handles one whole method, header or heartbeat frame.
    fn on_frame(&mut self, dir: Dir, h: FrameHeader, payload: &[u8], cx: &mut Cx) {
        match h.kind {
            FrameKind::Method => self.on_method(dir, h, payload, cx),
            FrameKind::Header => self.on_content_header(dir, h.channel, payload, cx),
            FrameKind::Heartbeat | FrameKind::Body => {}
        }
    }

    fn on_method(&mut self, dir: Dir, h: FrameHeader, payload: &[u8], cx: &mut Cx) {
        let contents = dir.of(&mut self.contents);
        if let Some(i) = contents.iter().position(|c| c.channel == h.channel) {
            // A method frame ends any unfinished message on its channel.
            contents.remove(i);
            cx.anomaly("content_interrupted");
        }
        let method = match decode(payload, self.config.parse_arguments) {
            Decoded::Method(m) => m,
            Decoded::Unknown => {
                cx.anomaly("unknown_method");
                return;
            }
            Decoded::Malformed => {
                cx.anomaly("malformed_method");
                return;
            }
        };
        let bytes = h.wire_len();
        match method.role {
            Role::Content => {
                let contents = dir.of(&mut self.contents);
                if contents.len() >= MAX_OPEN_CONTENTS {
                    contents.remove(0);
                    cx.anomaly("too_many_open_messages");
                }
                contents.push(Content::new(h.channel, method, cx.now()));
            }
            Role::Request => self.on_request(dir, h.channel, method, bytes, cx),
            Role::Response => self.on_response(dir, h.channel, method, bytes, cx),
        }
    }

    /// Whether `m` is left out of the events by `hide_connection_information`.
    fn hidden(&self, m: &Method) -> bool {
        let quiet_close = matches!(m.name, "connection.close" | "channel.close")
            && m.reply_code.is_some_and(|c| c < 300);
        self.config.hide_connection_information && (m.connection_info || quiet_close)
    }

    fn on_request(&mut self, dir: Dir, channel: u16, method: Method, bytes: u64, cx: &mut Cx) {
        let hidden = self.hidden(&method);
        let one_way =
            method.no_wait || matches!(method.name, "basic.ack" | "basic.nack" | "basic.reject");
        if one_way {
            if !hidden {
                let txn = request_txn(dir, method, cx.now(), bytes);
                ecs::publish(txn, &self.config, cx);
            }
            return;
        }
        if let Some(i) = self.pending.iter().position(|p| p.channel == channel) {
            self.pending.remove(i);
            cx.anomaly("unmatched_request");
        }
        if self.pending.len() >= MAX_PENDING {
            self.pending.remove(0);
            cx.anomaly("too_many_pending_requests");
        }
        self.pending.push(Pending {
            channel,
            from: dir,
            method,
            start: cx.now(),
            bytes,
            hidden,
        });
    }

    /// The pending request on `channel` sent by the other side of `dir` in class `class`.
    fn take_pending(&mut self, dir: Dir, channel: u16, class: u16) -> Option<Pending> {
        let i = self
            .pending
            .iter()
            .position(|p| p.channel == channel && p.from != dir && p.method.class == class)?;
        Some(self.pending.remove(i))
    }

    fn on_response(&mut self, dir: Dir, channel: u16, reply: Method, bytes: u64, cx: &mut Cx) {
        let Some(p) = self.take_pending(dir, channel, reply.class) else {
            cx.anomaly("unmatched_response");
            return;
        };
        if p.hidden {
            return;
        }
        let mut txn = request_txn(p.from, p.method, p.start, p.bytes);
        if reply.name == "basic.get-empty" {
            txn.method = reply.name;
        }
        merge(&mut txn.fields, reply.fields);
        txn.notes.extend(reply.notes);
        txn.end = Some(cx.now());
        txn.response_bytes = bytes;
        txn.response = "OK".into();
        ecs::publish(txn, &self.config, cx);
    }

    fn on_content_header(&mut self, dir: Dir, channel: u16, payload: &[u8], cx: &mut Cx) {
        let parse = self.config.parse_headers;
        let contents = dir.of(&mut self.contents);
        let Some(i) = contents
            .iter()
            .position(|c| c.channel == channel && c.header.is_none())
        else {
            cx.anomaly("content_header_without_method");
            return;
        };
        match props::decode(payload, parse) {
            Some(h) => {
                if h.truncated {
                    cx.anomaly("malformed_content_header");
                }
                if let Some(c) = contents.get_mut(i) {
                    c.header = Some(h);
                }
                self.finish_if_complete(dir, channel, cx);
            }
            None => {
                contents.remove(i);
                cx.anomaly("malformed_content_header");
            }
        }
    }

    /// Body bytes of a frame on `channel`.
    fn on_body(&mut self, dir: Dir, channel: u16, bytes: &[u8], cx: &mut Cx) {
        let limit = self.config.max_body_length;
        let contents = dir.of(&mut self.contents);
        if let Some(c) = contents
            .iter_mut()
            .find(|c| c.channel == channel && c.header.is_some())
        {
            let take = usize::try_from(c.body_remaining())
                .unwrap_or(usize::MAX)
                .min(bytes.len());
            c.feed(bytes.get(..take).unwrap_or_default(), limit);
            self.finish_if_complete(dir, channel, cx);
        }
    }

    /// Publishes the message on `channel` once its body is complete.
    fn finish_if_complete(&mut self, dir: Dir, channel: u16, cx: &mut Cx) {
        let contents = dir.of(&mut self.contents);
        let Some(i) = contents
            .iter()
            .position(|c| c.channel == channel && c.is_complete())
        else {
            return;
        };
        let c = contents.remove(i);
        let txn = self.content_txn(dir, c, cx);
        ecs::publish(txn, &self.config, cx);
    }

    fn content_txn(&mut self, dir: Dir, c: Content, cx: &mut Cx) -> Txn {
        let header = c.header.unwrap_or_default();
        let body = render_body(
            &c.kept,
            header.body_size,
            header.str("content-type"),
            header
                .str("content-encoding")
                .is_some_and(|e| !e.is_empty()),
        );
        let mut fields = c.method.fields;
        merge(&mut fields, header.fields);
        let mut txn = Txn {
            method: c.method.name,
            start: Some(c.start),
            error: c.method.name == "basic.return",
            notes: c.notes,
            ..Txn::default()
        };
        if c.method.name == "basic.publish" {
            txn.request_bytes = header.body_size;
            txn.request = body;
            txn.fields = fields;
            return txn;
        }
        txn.response_bytes = header.body_size;
        txn.response = body;
        txn.fields = fields;
        if c.method.name == "basic.get-ok" {
            txn.method = "basic.get";
            if let Some(get) = self.take_pending(dir, c.channel, c.method.class) {
                txn.request = request_text(&get.method);
                let mut fields = get.method.fields;
                merge(&mut fields, std::mem::take(&mut txn.fields));
                txn.fields = fields;
                txn.request_bytes = get.bytes;
                txn.start = Some(get.start);
                txn.end = Some(cx.now());
            }
        }
        txn
    }

    /// Drops (or, for a failed close, publishes) requests older than the timeout.
    fn expire_older_than(&mut self, cutoff: Option<Timestamp>, cx: &mut Cx) {
        let mut i = 0;
        while let Some(p) = self.pending.get(i) {
            if cutoff.is_some_and(|t| p.start > t) {
                i += 1;
                continue;
            }
            let p = self.pending.remove(i);
            let failed_close = matches!(p.method.name, "connection.close" | "channel.close")
                && p.method.reply_code.is_some_and(|c| c >= 300);
            if failed_close && !p.hidden {
                let mut txn = request_txn(p.from, p.method, p.start, p.bytes);
                txn.notes.push(NOTE_CLOSE_OK_MISSING.into());
                ecs::publish(txn, &self.config, cx);
            } else {
                cx.anomaly("unmatched_request");
            }
        }
    }

    /// Forgets the direction's unfinished frame and messages (after bytes that are not AMQP).
    fn reset(&mut self, dir: Dir) {
        *dir.of(&mut self.readers) = Reader::Boundary;
        dir.of(&mut self.contents).clear();
    }
}

/// `method` plus its main argument, Packetbeat's `request` text for a method.
fn request_text(m: &Method) -> String {
    match &m.request_arg {
        Some(arg) => format!("{} {arg}", m.name),
        None => m.name.to_string(),
    }
}

/// A transaction of request `m` sent in `dir`, before any reply.
fn request_txn(dir: Dir, m: Method, start: Timestamp, bytes: u64) -> Txn {
    let close_error = matches!(m.name, "connection.close" | "channel.close")
        && m.reply_code.is_some_and(|c| c >= 300);
    Txn {
        method: m.name,
        request: request_text(&m),
        error: close_error || m.name == "basic.reject",
        fields: m.fields,
        start: Some(start),
        request_bytes: bytes,
        from_server: dir == Dir::ToClient,
        notes: m.notes,
        ..Txn::default()
    }
}

impl Analyzer for AmqpAnalyzer {
    fn on_data(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        let cutoff = cx.now().add_nanos(-self.config.common.timeout_nanos());
        if self.pending.iter().any(|p| p.start <= cutoff) {
            self.expire_older_than(Some(cutoff), cx);
        }
        let max_frame = self.config.max_buffered_frame();
        let mut consumed = 0;
        loop {
            let rest = data.get(consumed..).unwrap_or_default();
            if rest.is_empty() {
                return Progress::Done;
            }
            match *dir.of(&mut self.readers) {
                Reader::Skip { remaining } => {
                    let n = remaining.min(rest.len() as u64);
                    consumed += n as usize;
                    *dir.of(&mut self.readers) = match remaining - n {
                        0 => Reader::Boundary,
                        left => Reader::Skip { remaining: left },
                    };
                }
                Reader::Body { channel, remaining } if remaining > 0 => {
                    let n = remaining.min(rest.len() as u64);
                    self.on_body(dir, channel, rest.get(..n as usize).unwrap_or_default(), cx);
                    consumed += n as usize;
                    *dir.of(&mut self.readers) = Reader::Body {
                        channel,
                        remaining: remaining - n,
                    };
                }
                Reader::Body { .. } => {
                    if rest.first() != Some(&FRAME_END) {
                        cx.anomaly("bad_frame_end");
                        self.reset(dir);
                        return Progress::Invalid;
                    }
                    consumed += 1;
                    *dir.of(&mut self.readers) = Reader::Boundary;
                }
                Reader::Boundary => match read_start(rest) {
                    Start::Incomplete => {
                        let needed = if rest.first() == Some(&b'A') {
                            PROTOCOL_HEADER_LEN
                        } else {
                            HEADER_LEN
                        };
                        return Progress::NeedMore { consumed, needed };
                    }
                    Start::Invalid => {
                        cx.anomaly("not_amqp");
                        self.reset(dir);
                        return Progress::Invalid;
                    }
                    Start::ProtocolHeader => consumed += PROTOCOL_HEADER_LEN,
                    Start::Frame(h) if h.kind == FrameKind::Body => {
                        consumed += HEADER_LEN;
                        *dir.of(&mut self.readers) = Reader::Body {
                            channel: h.channel,
                            remaining: u64::from(h.size),
                        };
                    }
                    Start::Frame(h) if h.wire_len() > max_frame as u64 => {
                        cx.anomaly("oversized_frame");
                        if h.kind == FrameKind::Header {
                            // Its message can never complete.
                            let contents = dir.of(&mut self.contents);
                            contents.retain(|c| c.channel != h.channel);
                        }
                        consumed += HEADER_LEN;
                        *dir.of(&mut self.readers) = Reader::Skip {
                            remaining: u64::from(h.size) + 1,
                        };
                    }
                    Start::Frame(h) => {
                        let whole = h.wire_len() as usize;
                        let Some(frame) = rest.get(..whole) else {
                            return Progress::NeedMore {
                                consumed,
                                needed: whole,
                            };
                        };
                        if frame.last() != Some(&FRAME_END) {
                            cx.anomaly("bad_frame_end");
                            self.reset(dir);
                            return Progress::Invalid;
                        }
                        let payload = frame.get(HEADER_LEN..whole - 1).unwrap_or_default();
                        self.on_frame(dir, h, payload, cx);
                        consumed += whole;
                    }
                },
            }
        }
    }

    fn on_gap(&mut self, dir: Dir, missing: u32, cx: &mut Cx) -> GapAction {
        cx.anomaly("gap");
        let missing = u64::from(missing);
        match *dir.of(&mut self.readers) {
            // Inside a body frame of known length: count the lost bytes and go on.
            Reader::Body { channel, remaining } if missing <= remaining => {
                if let Some(c) = dir
                    .of(&mut self.contents)
                    .iter_mut()
                    .find(|c| c.channel == channel && c.header.is_some())
                {
                    c.lose(missing.min(c.body_remaining()));
                }
                *dir.of(&mut self.readers) = Reader::Body {
                    channel,
                    remaining: remaining - missing,
                };
                self.finish_if_complete(dir, channel, cx);
                GapAction::Continue
            }
            Reader::Skip { remaining } if missing <= remaining => {
                *dir.of(&mut self.readers) = match remaining - missing {
                    0 => Reader::Boundary,
                    left => Reader::Skip { remaining: left },
                };
                GapAction::Continue
            }
            // Elsewhere the frame boundaries are lost: as Packetbeat, start again.
            _ => GapAction::Reset,
        }
    }

    fn on_eof(&mut self, _dir: Dir, _cx: &mut Cx) {}

    fn on_expire(&mut self, _now: Timestamp, cx: &mut Cx) {
        self.expire_older_than(None, cx);
    }
}
