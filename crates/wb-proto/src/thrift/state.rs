//! Per-connection Thrift state: one decoder per direction (socket or framed transport) and
//! Packetbeat's pairing: one outstanding call per connection, answered by the reply carrying
//! the same method name and sequence id. A second call before the reply, a FIN or expiry
//! publishes the waiting call without reply (one-way); a one-way message is published at once.

use super::config::{ThriftConfig, Transport};
use super::ecs;
use super::parser::{parse_header, parse_message, Header, Message, Parsed};
use super::scan::{Scan, Scanned};
use crate::{Analyzer, Cx, Dir, GapAction, Progress};
use std::sync::Arc;
use wb_wire::Timestamp;

/// Note of a reply cut by lost bytes.
pub const NOTE_RESPONSE_LOSS: &str = "Packet loss while capturing the response";

/// A message seen on the wire.
pub struct Seen {
    /// The decoded message.
    pub msg: Message,
    /// Time of its first byte.
    pub ts: Timestamp,
    /// Its size as Packetbeat counts it (the frame's length without its prefix when framed).
    pub bytes: u64,
}

enum Step {
    Message {
        msg: Message,
        used: usize,
        bytes: u64,
    },
    Need {
        needed: usize,
        header: Option<Header>,
    },
    Invalid(&'static str),
}

/// Analyzer state of one Thrift connection.
pub struct ThriftAnalyzer {
    config: Arc<ThriftConfig>,
    pending: Option<Seen>,
    /// Per direction: time of the first byte of the message being received.
    started: [Option<Timestamp>; 2],
    /// Per direction: the header of the message being received, once complete.
    partial: [Option<Header>; 2],
    /// Per direction: how far the message being received was scanned (socket transport).
    scans: [Scan; 2],
}

impl ThriftAnalyzer {
    /// A fresh analyzer.
    pub fn new(config: Arc<ThriftConfig>) -> Self {
        ThriftAnalyzer {
            config,
            pending: None,
            started: [None; 2],
            partial: [None, None],
            scans: [Scan::default(), Scan::default()],
        }
    }

    fn step(&mut self, dir: Dir, data: &[u8]) -> Step {
        let c = Arc::clone(&self.config);
        let render = dir == Dir::ToServer || c.capture_reply;
        match c.transport {
            Transport::Socket => {
                let scan = dir.of(&mut self.scans);
                let len = match scan.feed(data, c.wire, &c.limits) {
                    Scanned::Complete(len) => len,
                    Scanned::Incomplete(needed) => {
                        return Step::Need {
                            needed,
                            header: scan.header().cloned(),
                        }
                    }
                    Scanned::Invalid(why) => {
                        *scan = Scan::default();
                        return Step::Invalid(why);
                    }
                };
                *scan = Scan::default();
                let whole = data.get(..len).unwrap_or_default();
                match parse_message(whole, c.wire, &c.limits, render) {
                    Parsed::Complete(msg) if msg.len == len => Step::Message {
                        msg,
                        used: len,
                        bytes: len as u64,
                    },
                    Parsed::Invalid(why) => Step::Invalid(why),
                    _ => Step::Invalid("scan_mismatch"),
                }
            }
            Transport::Framed => {
                let Some(prefix) = data.get(..4).and_then(|p| <[u8; 4]>::try_from(p).ok()) else {
                    return Step::Need {
                        needed: 4,
                        header: None,
                    };
                };
                let len = i32::from_be_bytes(prefix);
                let Ok(len) = usize::try_from(len) else {
                    return Step::Invalid("negative_frame_size");
                };
                if len > c.common.max_message_size {
                    return Step::Invalid("frame_too_large");
                }
                let body = data.get(4..).unwrap_or_default();
                let Some(frame) = body.get(..len) else {
                    return Step::Need {
                        needed: 4 + len,
                        header: parse_header(body, c.wire, &c.limits),
                    };
                };
                match parse_message(frame, c.wire, &c.limits, render) {
                    Parsed::Complete(msg) => Step::Message {
                        msg,
                        used: 4 + len,
                        bytes: len as u64,
                    },
                    Parsed::Incomplete { .. } => Step::Invalid("truncated_frame"),
                    Parsed::Invalid(why) => Step::Invalid(why),
                }
            }
        }
    }

    fn on_message(&mut self, seen: Seen, cx: &mut Cx) {
        if seen.msg.header.kind.is_request() {
            if let Some(old) = self.pending.take() {
                // Packetbeat's rule: a call answered by nothing but the next call was one-way.
                cx.anomaly("unmatched_request");
                ecs::publish(&old, None, &[], &self.config, cx);
            }
            if seen.msg.header.kind == super::parser::Kind::Oneway {
                ecs::publish(&seen, None, &[], &self.config, cx);
            } else {
                self.pending = Some(seen);
            }
            return;
        }
        let matches = self.pending.as_ref().is_some_and(|call| {
            call.msg.header.name == seen.msg.header.name
                && call.msg.header.seq_id == seen.msg.header.seq_id
        });
        match self.pending.take() {
            Some(call) if matches => ecs::publish(&call, Some(&seen), &[], &self.config, cx),
            other => {
                self.pending = other;
                cx.anomaly("unmatched_response");
            }
        }
    }

    fn flush(&mut self, cx: &mut Cx) {
        if let Some(call) = self.pending.take() {
            ecs::publish(&call, None, &[], &self.config, cx);
        }
    }
}

impl Analyzer for ThriftAnalyzer {
    fn on_data(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        let mut consumed = 0;
        loop {
            let Some(rest) = data.get(consumed..).filter(|r| !r.is_empty()) else {
                return Progress::Done;
            };
            match self.step(dir, rest) {
                Step::Message { msg, used, bytes } => {
                    consumed += used;
                    *dir.of(&mut self.partial) = None;
                    let ts = dir.of(&mut self.started).take().unwrap_or(cx.now());
                    self.on_message(Seen { msg, ts, bytes }, cx);
                }
                Step::Need { needed, header } => {
                    dir.of(&mut self.started).get_or_insert(cx.now());
                    *dir.of(&mut self.partial) = header;
                    return Progress::NeedMore { consumed, needed };
                }
                Step::Invalid(why) => {
                    cx.anomaly(why);
                    *dir.of(&mut self.scans) = Scan::default();
                    *dir.of(&mut self.started) = None;
                    *dir.of(&mut self.partial) = None;
                    return Progress::Invalid;
                }
            }
        }
    }

    fn on_gap(&mut self, dir: Dir, _missing: u32, cx: &mut Cx) -> GapAction {
        cx.anomaly("gap");
        *dir.of(&mut self.scans) = Scan::default();
        let header = dir.of(&mut self.partial).take();
        let ts = dir.of(&mut self.started).take().unwrap_or(cx.now());
        // As Packetbeat: a reply whose header was read is published with a note; the call
        // waiting for it is kept otherwise. Decoding restarts on the next bytes.
        if let Some(h) = header.filter(|h| !h.kind.is_request()) {
            let matches = self
                .pending
                .as_ref()
                .is_some_and(|c| c.msg.header.name == h.name && c.msg.header.seq_id == h.seq_id);
            if matches {
                if let Some(call) = self.pending.take() {
                    let reply = Seen {
                        msg: Message {
                            header: h,
                            fields: Vec::new(),
                            more_fields: false,
                            len: 0,
                        },
                        ts,
                        bytes: 0,
                    };
                    let notes = [NOTE_RESPONSE_LOSS.to_string()];
                    ecs::publish(&call, Some(&reply), &notes, &self.config, cx);
                }
            }
        }
        GapAction::Continue
    }

    fn on_eof(&mut self, dir: Dir, cx: &mut Cx) {
        // As Packetbeat, a FIN publishes the waiting call, unless its reply is still arriving.
        let reply_underway = Dir::ToClient.of(&mut self.started).is_some();
        if dir == Dir::ToClient || !reply_underway {
            self.flush(cx);
        }
    }

    fn on_expire(&mut self, _now: Timestamp, cx: &mut Cx) {
        self.flush(cx);
    }
}
