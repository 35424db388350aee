//! Per-connection MongoDB state: the message loop of each direction (whole messages up to
//! `max_message_size`, longer ones described from their head and skipped by counting), the
//! requests waiting for replies and the replies waiting for requests, paired by
//! requestID / responseTo in any order, and resynchronisation after lost bytes.

use super::compress::{compressor_name, decompress, Undecoded};
use super::config::{MongodbConfig, MAX_PARKED, MAX_PENDING, MAX_WAITING_TEXT};
use super::ecs::{self, Reply, Request};
use super::request::{bson_note, describe};
use super::wire::{self, Body, Header, HEADER_LEN, OP_COMPRESSED, OP_MSG, OP_QUERY, OP_REPLY};
use super::{bson, reply, unknown};
use crate::{Analyzer, Cx, Dir, GapAction, Progress};
use std::collections::VecDeque;
use std::sync::Arc;
use wb_wire::Timestamp;

/// Bytes of an oversized message read to describe it before the rest is skipped.
const HEAD: usize = 4096;

/// Analyzer state of one MongoDB connection.
pub struct MongodbAnalyzer {
    config: Arc<MongodbConfig>,
    /// Requests waiting for their reply, oldest first.
    pending: VecDeque<Request>,
    /// Replies whose request has not been seen (yet).
    parked: VecDeque<Reply>,
    /// Rendered text held by `pending` and by `parked`.
    pending_text: usize,
    parked_text: usize,
    /// Per direction: bytes of the current (oversized or unknown) message still to skip.
    skip: [usize; 2],
    /// Per direction: bytes were lost; wait for a plausible message header.
    lost: [bool; 2],
}

impl MongodbAnalyzer {
    /// A fresh analyzer.
    pub fn new(config: Arc<MongodbConfig>) -> Self {
        MongodbAnalyzer {
            config,
            pending: VecDeque::new(),
            parked: VecDeque::new(),
            pending_text: 0,
            parked_text: 0,
            skip: [0; 2],
            lost: [false; 2],
        }
    }

    fn cap(&self) -> usize {
        self.config.common.max_message_size
    }

    /// After lost bytes: does this header look like the start of a message in `dir`?
    fn plausible(&self, dir: Dir, h: &Header) -> bool {
        if !wire::is_known(h.opcode) || h.length > self.cap() {
            return false;
        }
        match dir {
            Dir::ToServer => h.opcode != OP_REPLY && h.response_to == 0,
            Dir::ToClient => self.pending.iter().any(|r| r.request_id == h.response_to),
        }
    }

    /// Bytes that cannot start a message: the flow layer drops them, and this direction
    /// resumes only at a header that fits what is expected.
    fn invalid(&mut self, dir: Dir, cx: &mut Cx) -> Progress {
        cx.anomaly("not_mongodb");
        *dir.of(&mut self.lost) = true;
        Progress::Invalid
    }

    /// The offset of the first plausible header in `data`, or `Err` with how many trailing
    /// bytes to keep (a header may start in them).
    fn resync(&self, dir: Dir, data: &[u8]) -> Result<usize, usize> {
        let last = data.len().saturating_sub(HEADER_LEN - 1);
        (0..last)
            .find(|&at| {
                data.get(at..)
                    .and_then(wire::header)
                    .is_some_and(|h| h.is_ok_and(|h| self.plausible(dir, &h)))
            })
            .ok_or(data.len() - last)
    }

    /// One whole message.
    fn message(&mut self, dir: Dir, h: &Header, msg: &[u8], cx: &mut Cx) {
        let payload = msg.get(HEADER_LEN..).unwrap_or_default();
        let mut notes = Vec::new();
        if h.opcode == OP_MSG && wire::checksum_ok(msg) == Some(false) {
            cx.anomaly("checksum_mismatch");
            notes.push("OP_MSG checksum mismatch".to_string());
        }
        if h.opcode == OP_COMPRESSED {
            let Some(c) = wire::compressed(payload) else {
                self.unreadable(dir, h, h.opcode, "Malformed OP_COMPRESSED message", cx);
                return;
            };
            match decompress(c.compressor, c.data, c.uncompressed_size, self.cap()) {
                Ok(plain) => {
                    let parsed = wire::body(c.original_opcode, &plain);
                    self.parsed(dir, h, parsed, notes, cx);
                }
                Err(why) => {
                    let name = compressor_name(c.compressor);
                    let note = match why {
                        Undecoded::Unsupported(_) => {
                            format!("Compressed with {name}: documents not decoded")
                        }
                        Undecoded::TooLarge => {
                            format!("Compressed with {name}: over max_message_size once decompressed, not decoded")
                        }
                        Undecoded::Corrupt => format!("Compressed with {name}: corrupt data"),
                    };
                    cx.anomaly("compressed_not_decoded");
                    self.unreadable(dir, h, c.original_opcode, &note, cx);
                }
            }
            return;
        }
        let parsed = wire::body(h.opcode, payload);
        self.parsed(dir, h, parsed, notes, cx);
    }

    fn parsed(
        &mut self,
        dir: Dir,
        h: &Header,
        parsed: Result<Body<'_>, bson::BsonError>,
        notes: Vec<String>,
        cx: &mut Cx,
    ) {
        let body = match parsed {
            Ok(b) => b,
            Err(e) => {
                cx.anomaly("malformed_message");
                self.unreadable(dir, h, h.opcode, &bson_note(e), cx);
                return;
            }
        };
        if is_reply(dir, &body) {
            let redact = self
                .pending
                .iter()
                .find(|r| r.request_id == h.response_to)
                .is_some_and(|r| r.sensitive);
            if let Some(mut r) = reply::assess(&body, &self.config, redact) {
                r.notes.splice(0..0, notes);
                self.on_reply(h, r, cx);
            }
        } else if let Some(mut r) = describe(&body, &self.config) {
            r.notes.splice(0..0, notes);
            self.on_request(h, r, cx);
        }
    }

    /// A message whose body could not be read: described from its header (and `opcode`,
    /// the original one of a compressed message) with `note`.
    fn unreadable(&mut self, dir: Dir, h: &Header, opcode: i32, note: &str, cx: &mut Cx) {
        if dir == Dir::ToClient {
            let r = Reply {
                notes: vec![note.to_string()],
                ..Reply::default()
            };
            self.on_reply(h, r, cx);
        } else {
            let method = method_of_opcode(opcode);
            let r = Request {
                method: method.into(),
                query: format!(".{method}()"),
                notes: vec![note.to_string()],
                expects_reply: matches!(opcode, OP_QUERY | wire::OP_GET_MORE | OP_MSG),
                ..Request::default()
            };
            self.on_request(h, r, cx);
        }
    }

    /// A message over `max_message_size`: described from its first bytes (`head`).
    fn oversized(&mut self, dir: Dir, h: &Header, head: &[u8], cx: &mut Cx) {
        cx.anomaly("message_too_large");
        let note = format!(
            "Message of {} bytes is over max_message_size ({}): body not analysed",
            h.length,
            self.cap()
        );
        let payload = head.get(HEADER_LEN..).unwrap_or_default();
        if dir == Dir::ToClient {
            let mut r = Reply {
                notes: vec![note],
                ..Reply::default()
            };
            let fixed = payload.get(..20).filter(|_| h.opcode == OP_REPLY);
            if let Some(Ok(Body::Reply {
                cursor_id,
                starting_from,
                number_returned,
                ..
            })) = fixed.map(|f| wire::body(OP_REPLY, f))
            {
                r.fields.cursor_id = Some(cursor_id);
                r.fields.starting_from = Some(i64::from(starting_from));
                r.fields.number_returned = Some(i64::from(number_returned));
            }
            self.on_reply(h, r, cx);
            return;
        }
        let flags = payload
            .get(..4)
            .and_then(|f| f.try_into().ok())
            .map(u32::from_le_bytes);
        if h.opcode == OP_MSG && payload.get(4) == Some(&0) {
            // The command body usually comes first and is small (the bulk is in document
            // sequences): when it is whole in the head, the request is described from it.
            let body = bson::Doc::read(payload.get(5..).unwrap_or_default()).ok();
            let msg = body.map(|(d, _)| Body::Msg {
                flags: flags.unwrap_or(0),
                body: Some(d),
                sequences: wire::Sequences::default(),
            });
            if let Some(mut r) = msg.and_then(|m| describe(&m, &self.config)) {
                r.notes.push(note);
                r.docs = Default::default();
                self.on_request(h, r, cx);
                return;
            }
        }
        let mut method = method_of_opcode(h.opcode).to_string();
        let mut resource = None;
        if h.opcode == OP_MSG {
            // flagBits, then (usually) the kind-0 section whose first key is the command.
            if payload.get(4) == Some(&0) {
                if let Some(k) = bson::first_key_of_prefix(payload.get(5..).unwrap_or_default()) {
                    method = String::from_utf8_lossy(k).into_owned();
                }
            }
        } else if h.opcode != wire::OP_KILL_CURSORS && h.opcode != wire::OP_LEGACY_MSG {
            // flags, then the full collection name.
            if let Ok((c, n)) = bson::cstring(payload.get(4..).unwrap_or_default()) {
                if h.opcode == OP_QUERY {
                    // numberToSkip, numberToReturn, then the query whose first key names a
                    // command on `<db>.$cmd`.
                    let query = payload.get(4 + n + 8..).unwrap_or_default();
                    method = match bson::first_key_of_prefix(query) {
                        Some(k) if c.ends_with(b".$cmd") => String::from_utf8_lossy(k).into_owned(),
                        _ => "find".into(),
                    };
                }
                resource = Some(String::from_utf8_lossy(c).into_owned());
            }
        }
        let more_to_come = flags.is_some_and(|f| f & wire::MORE_TO_COME != 0);
        let r = Request {
            query: format!("{}.{method}()", resource.as_deref().unwrap_or("")),
            method,
            resource,
            notes: vec![note],
            expects_reply: h.opcode == OP_QUERY
                || h.opcode == wire::OP_GET_MORE
                || (h.opcode == OP_MSG && !more_to_come),
            ..Request::default()
        };
        self.on_request(h, r, cx);
    }

    fn on_request(&mut self, h: &Header, mut r: Request, cx: &mut Cx) {
        r.ts = cx.now();
        r.bytes = h.length as u64;
        r.request_id = h.request_id;
        if !r.expects_reply {
            ecs::publish(&r, None, &self.config, cx);
            return;
        }
        if let Some(i) = self
            .parked
            .iter()
            .position(|p| p.response_to == r.request_id)
        {
            if let Some(reply) = self.take_parked(i) {
                ecs::publish(&r, Some(&reply), &self.config, cx);
                return;
            }
        }
        if let Some(i) = self
            .pending
            .iter()
            .position(|p| p.request_id == r.request_id)
        {
            // A second request with the same id replaces the first.
            self.take_pending(i);
            cx.anomaly("unmatched_request");
        }
        self.wait_for_reply(r, cx);
    }

    /// Queues a request for its reply, first dropping (and counting) the oldest waiting ones
    /// that are stale or over the count and text limits.
    fn wait_for_reply(&mut self, r: Request, cx: &mut Cx) {
        let timeout = self.config.common.timeout_nanos();
        let size = r.text_len();
        while let Some(old) = self.pending.front() {
            let stale = r.ts.nanos_since(old.ts) > timeout;
            let full = self.pending.len() >= MAX_PENDING
                || self.pending_text.saturating_add(size) > MAX_WAITING_TEXT;
            if !stale && !full {
                break;
            }
            self.take_pending(0);
            cx.anomaly("unmatched_request");
        }
        self.pending_text += size;
        self.pending.push_back(r);
    }

    /// Removes waiting request `i`.
    fn take_pending(&mut self, i: usize) -> Option<Request> {
        let r = self.pending.remove(i)?;
        self.pending_text = self.pending_text.saturating_sub(r.text_len());
        Some(r)
    }

    /// Removes parked reply `i`.
    fn take_parked(&mut self, i: usize) -> Option<Reply> {
        let r = self.parked.remove(i)?;
        self.parked_text = self.parked_text.saturating_sub(r.text_len());
        Some(r)
    }

    fn on_reply(&mut self, h: &Header, mut r: Reply, cx: &mut Cx) {
        r.ts = cx.now();
        r.bytes = h.length as u64;
        r.request_id = h.request_id;
        r.response_to = h.response_to;
        let Some(i) = self
            .pending
            .iter()
            .position(|p| p.request_id == r.response_to)
        else {
            let size = r.text_len();
            while !self.parked.is_empty()
                && (self.parked.len() >= MAX_PARKED
                    || self.parked_text.saturating_add(size) > MAX_WAITING_TEXT)
            {
                self.take_parked(0);
                cx.anomaly("unmatched_response");
            }
            self.parked_text += size;
            self.parked.push_back(r);
            return;
        };
        let Some(req) = self.take_pending(i) else {
            return;
        };
        ecs::publish(&req, Some(&r), &self.config, cx);
        if r.more_to_come {
            // An exhaust cursor: the next reply answers this one, with no request between.
            let next = Request {
                ts: r.ts,
                bytes: 0,
                request_id: r.request_id,
                notes: Vec::new(),
                ..req
            };
            self.wait_for_reply(next, cx);
        }
    }
}

/// A message in `dir` with `body` is a reply (OP_REPLY, or OP_MSG from the server).
fn is_reply(dir: Dir, body: &Body<'_>) -> bool {
    matches!(body, Body::Reply { .. }) || (dir == Dir::ToClient && matches!(body, Body::Msg { .. }))
}

/// The method of a message known only by its opcode.
fn method_of_opcode(opcode: i32) -> &'static str {
    match opcode {
        wire::OP_UPDATE => "update",
        wire::OP_INSERT => "insert",
        OP_QUERY => "query",
        wire::OP_GET_MORE => "getMore",
        wire::OP_DELETE => "delete",
        wire::OP_KILL_CURSORS => "killCursors",
        OP_REPLY => "reply",
        _ => "msg",
    }
}

impl Analyzer for MongodbAnalyzer {
    fn on_data(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        let mut consumed = 0;
        loop {
            let Some(rest) = data.get(consumed..).filter(|r| !r.is_empty()) else {
                return Progress::Done;
            };
            let skip = dir.of(&mut self.skip);
            if *skip > 0 {
                let n = (*skip).min(rest.len());
                *skip -= n;
                consumed += n;
                continue;
            }
            if *dir.of(&mut self.lost) {
                // After lost bytes: resume at the first header that fits what is expected.
                match self.resync(dir, rest) {
                    Ok(at) => {
                        consumed += at;
                        *dir.of(&mut self.lost) = false;
                        continue;
                    }
                    Err(keep) => {
                        return Progress::NeedMore {
                            consumed: consumed + rest.len() - keep,
                            needed: HEADER_LEN,
                        }
                    }
                }
            }
            let Some(h) = wire::header(rest) else {
                return Progress::NeedMore {
                    consumed,
                    needed: HEADER_LEN,
                };
            };
            let Ok(h) = h else {
                return self.invalid(dir, cx);
            };
            if !wire::is_known(h.opcode) {
                if h.length > self.cap() {
                    return self.invalid(dir, cx);
                }
                cx.anomaly("unknown_opcode");
                unknown::log_once(h.opcode);
                let n = h.length.min(rest.len());
                consumed += n;
                *dir.of(&mut self.skip) = h.length - n;
                continue;
            }
            if h.length > self.cap() {
                // Never more than the flow layer may hold for one message.
                let head = HEAD.min(h.length).min(self.cap());
                let Some(head_bytes) = rest.get(..head) else {
                    return Progress::NeedMore {
                        consumed,
                        needed: head,
                    };
                };
                self.oversized(dir, &h, head_bytes, cx);
                consumed += head;
                *dir.of(&mut self.skip) = h.length - head;
                continue;
            }
            let Some(msg) = rest.get(..h.length) else {
                return Progress::NeedMore {
                    consumed,
                    needed: h.length,
                };
            };
            self.message(dir, &h, msg, cx);
            consumed += h.length;
        }
    }

    fn on_gap(&mut self, dir: Dir, missing: u32, cx: &mut Cx) -> GapAction {
        cx.anomaly("gap");
        let missing = usize::try_from(missing).unwrap_or(usize::MAX);
        let skip = dir.of(&mut self.skip);
        if *skip >= missing {
            // The lost bytes were to be skipped anyway.
            *skip -= missing;
            return GapAction::Continue;
        }
        // Pairing is by id, so what is waiting stays valid; the direction resumes at the next
        // message header that fits what is expected.
        *skip = 0;
        *dir.of(&mut self.lost) = true;
        GapAction::Continue
    }

    fn on_eof(&mut self, _dir: Dir, _cx: &mut Cx) {}

    fn on_expire(&mut self, _now: Timestamp, cx: &mut Cx) {
        // As Packetbeat: requests without reply and replies without request are not published.
        for _ in self.pending.drain(..) {
            cx.anomaly("unmatched_request");
        }
        for _ in self.parked.drain(..) {
            cx.anomaly("unmatched_response");
        }
        self.pending_text = 0;
        self.parked_text = 0;
    }
}
