//! One direction of an HTTP connection: finds message starts, waits for complete header
//! blocks, follows the body framing (length, chunks, until close) without buffering bodies,
//! survives gaps, and hands complete messages to the [`Pairing`].

use super::message::{Framing, Message};
use super::pairing::Pairing;
use super::parser::MAX_START_LINE;
use super::parser::{find_head_end, line_at, parse_chunk_size, parse_start_line, StartLine};
use crate::{Cx, Progress};
use wb_wire::Timestamp;

/// Longest chunk-size line accepted.
const MAX_CHUNK_LINE: usize = 1024;

/// Where the parser of one direction is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Between messages.
    Idle,
    /// Inside a header block; lines before `scanned` have been looked at.
    Head { scanned: usize },
    /// Inside a body.
    Body(Body),
    /// Bytes were lost at a place where the message boundaries are unknown: skip to the next
    /// line that starts a message.
    Resync,
    /// The connection switched protocols (101, CONNECT): nothing more is HTTP.
    Opaque,
}

/// Where the parser is inside a body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Body {
    /// Bytes left of a Content-Length body.
    Length(u64),
    /// Waiting for a chunk-size line.
    ChunkSize,
    /// Bytes left of the current chunk.
    ChunkData(u64),
    /// The line end after a chunk's data.
    ChunkEnd,
    /// Trailer fields after the last chunk, up to the empty line.
    Trailers,
    /// Everything until the connection closes.
    UntilClose,
}

/// The parser of one direction.
pub struct Stream {
    /// Requests (client to server) or responses.
    is_request: bool,
    phase: Phase,
    /// Packet time of the first byte of the message being parsed.
    start: Timestamp,
    /// The message whose header block is complete and whose body is arriving.
    msg: Option<Message>,
}

impl Stream {
    /// The parser of the request (`true`) or response direction.
    pub fn new(is_request: bool) -> Self {
        Stream {
            is_request,
            phase: Phase::Idle,
            start: Timestamp::default(),
            msg: None,
        }
    }

    /// Parses `data` (the bytes after what was consumed before).
    pub fn feed(&mut self, data: &[u8], cx: &mut Cx, pairing: &mut Pairing) -> Progress {
        let mut at = 0;
        loop {
            if pairing.upgraded() {
                self.phase = Phase::Opaque;
            }
            let rest = data.get(at..).unwrap_or_default();
            if rest.is_empty() {
                return Progress::Done;
            }
            let step = match self.phase {
                Phase::Opaque => return Progress::Done,
                Phase::Idle => self.idle(rest, cx),
                Phase::Resync => self.resync(rest),
                Phase::Head { scanned } => self.head(rest, scanned, cx, pairing),
                Phase::Body(body) => self.body(rest, body, cx, pairing),
            };
            match step {
                Step::Used(n) => at += n,
                Step::Wait(n) => {
                    return Progress::NeedMore {
                        consumed: at + n,
                        needed: 0,
                    }
                }
            }
        }
    }

    fn idle(&mut self, rest: &[u8], cx: &Cx) -> Step {
        // Blank lines between messages are allowed (RFC 9112 §2.2).
        if let Some(b'\r' | b'\n') = rest.first() {
            return Step::Used(1);
        }
        self.start = cx.now();
        self.phase = Phase::Head { scanned: 0 };
        Step::Used(0)
    }

    /// Skips to the next line that starts a message of this direction.
    fn resync(&mut self, rest: &[u8]) -> Step {
        let mut line = 0;
        loop {
            match line_at(rest, line) {
                Some((end, next)) => {
                    if self.starts_message(rest.get(line..end).unwrap_or_default()) {
                        self.phase = Phase::Idle;
                        return Step::Used(line);
                    }
                    line = next;
                }
                None if rest.len() - line > MAX_START_LINE => return Step::Used(rest.len()),
                None => return Step::Wait(line),
            }
        }
    }

    fn starts_message(&self, line: &[u8]) -> bool {
        matches!(
            (parse_start_line(line), self.is_request),
            (Some(StartLine::Request { .. }), true) | (Some(StartLine::Response { .. }), false)
        )
    }

    fn head(&mut self, rest: &[u8], scanned: usize, cx: &mut Cx, pairing: &mut Pairing) -> Step {
        if scanned == 0 {
            // Check the start line as soon as it is complete, so that garbage on an HTTP
            // port is not buffered up to max_message_size.
            let ok = match line_at(rest, 0) {
                Some((end, _)) => self.starts_message(rest.get(..end).unwrap_or_default()),
                None => rest.len() <= MAX_START_LINE,
            };
            if !ok {
                cx.anomaly("invalid_start_line");
                self.phase = Phase::Resync;
                return Step::Used(line_at(rest, 0).map_or(rest.len(), |(_, next)| next));
            }
        }
        let end = match find_head_end(rest, scanned) {
            Ok(end) => end,
            Err(resume) => {
                self.phase = Phase::Head { scanned: resume };
                return Step::Wait(0);
            }
        };
        let head = rest.get(..end).unwrap_or_default();
        let config = pairing.config();
        let keep_raw = if self.is_request {
            config.common.send_request
        } else {
            config.common.send_response
        };
        let mut msg = match Message::from_head(head, self.start, config, keep_raw) {
            Ok(m) => m,
            Err(_) => {
                cx.anomaly("invalid_header");
                self.phase = Phase::Resync;
                return Step::Used(end);
            }
        };
        let content_type = msg.content_type.clone().unwrap_or_default();
        msg.send_body = config.exports_body(self.is_request, &content_type);
        msg.save_body = msg.send_body
            || (self.is_request
                && content_type.contains("urlencoded")
                && msg.content_length.is_some_and(|n| n > 0));
        let framing = msg.framing(pairing.next_request_method().as_deref());
        msg.body_len = match framing {
            Framing::Length(n) => n,
            _ => 0,
        };
        if self.is_request {
            pairing.request_started(&msg.method);
        }
        self.msg = Some(msg);
        self.phase = match framing {
            Framing::None => {
                self.finish(cx, pairing);
                return Step::Used(end);
            }
            Framing::Length(n) => Phase::Body(Body::Length(n)),
            Framing::Chunked => Phase::Body(Body::ChunkSize),
            Framing::UntilClose => Phase::Body(Body::UntilClose),
        };
        Step::Used(end)
    }

    fn body(&mut self, rest: &[u8], body: Body, cx: &mut Cx, pairing: &mut Pairing) -> Step {
        match body {
            Body::Length(left) | Body::ChunkData(left) => {
                let take = usize::try_from(left).unwrap_or(usize::MAX).min(rest.len());
                self.keep(rest.get(..take).unwrap_or_default(), pairing, false);
                let left = left - take as u64;
                if let Body::ChunkData(_) = body {
                    if let Some(m) = self.msg.as_mut() {
                        m.body_len += take as u64;
                    }
                }
                self.phase = Phase::Body(match (body, left) {
                    (Body::Length(_), 0) => {
                        self.finish(cx, pairing);
                        return Step::Used(take);
                    }
                    (Body::Length(_), _) => Body::Length(left),
                    (_, 0) => Body::ChunkEnd,
                    _ => Body::ChunkData(left),
                });
                Step::Used(take)
            }
            Body::ChunkSize => {
                let Some((end, next)) = line_at(rest, 0) else {
                    if rest.len() > MAX_CHUNK_LINE {
                        self.broken_chunk(cx, pairing);
                        return Step::Used(0);
                    }
                    return Step::Wait(0);
                };
                let line = rest.get(..end).unwrap_or_default();
                match parse_chunk_size(line) {
                    Some(0) => self.phase = Phase::Body(Body::Trailers),
                    Some(n) => self.phase = Phase::Body(Body::ChunkData(n)),
                    None => {
                        self.broken_chunk(cx, pairing);
                        return Step::Used(0);
                    }
                }
                self.count_framing(next);
                Step::Used(next)
            }
            Body::ChunkEnd => {
                let used = match rest {
                    [b'\r', b'\n', ..] => 2,
                    [b'\n', ..] => 1,
                    [b'\r'] => return Step::Wait(0),
                    _ => {
                        cx.anomaly("missing_chunk_end");
                        0
                    }
                };
                self.count_framing(used);
                self.phase = Phase::Body(Body::ChunkSize);
                Step::Used(used)
            }
            Body::Trailers => {
                let Some((end, next)) = line_at(rest, 0) else {
                    return Step::Wait(0);
                };
                self.count_framing(next);
                if end == 0 {
                    self.finish(cx, pairing);
                }
                Step::Used(next)
            }
            Body::UntilClose => {
                self.keep(rest, pairing, true);
                Step::Used(rest.len())
            }
        }
    }

    /// A chunk-size line that is not one: the message ends here, marked, and the parser looks
    /// for the next message.
    fn broken_chunk(&mut self, cx: &mut Cx, pairing: &mut Pairing) {
        cx.anomaly("invalid_chunk_size");
        if let Some(m) = self.msg.as_mut() {
            m.notes
                .push("Failed to understand chunked body start line".to_string());
        }
        self.finish(cx, pairing);
        self.phase = Phase::Resync;
    }

    /// Body bytes: counted, and kept when the body is kept (up to the size limit).
    fn keep(&mut self, bytes: &[u8], pairing: &Pairing, counts_body: bool) {
        let Some(m) = self.msg.as_mut() else { return };
        m.size += bytes.len() as u64;
        if counts_body {
            m.body_len += bytes.len() as u64;
        }
        if m.save_body {
            let cap = pairing.config().common.max_message_size;
            let room = cap.saturating_sub(m.body.len());
            m.body
                .extend_from_slice(bytes.get(..room.min(bytes.len())).unwrap_or_default());
        }
    }

    /// Chunk framing bytes count in the message size but not in the body.
    fn count_framing(&mut self, n: usize) {
        if let Some(m) = self.msg.as_mut() {
            m.size += n as u64;
        }
    }

    /// The current message is complete.
    fn finish(&mut self, cx: &mut Cx, pairing: &mut Pairing) {
        self.phase = Phase::Idle;
        if let Some(msg) = self.msg.take() {
            pairing.complete(msg, cx);
        }
    }

    /// `missing` bytes of this direction are lost.
    pub fn gap(&mut self, missing: u32, cx: &mut Cx, pairing: &mut Pairing) {
        let missing = u64::from(missing);
        match self.phase {
            Phase::Opaque | Phase::Resync => {}
            Phase::Idle => self.phase = Phase::Resync,
            Phase::Head { .. } => {
                // The message's start was seen but its header block is incomplete: it is lost.
                cx.anomaly("gap_in_headers");
                if self.is_request {
                    pairing.request_abandoned();
                }
                self.phase = Phase::Resync;
            }
            Phase::Body(body) => {
                let Some(m) = self.msg.as_mut() else {
                    self.phase = Phase::Resync;
                    return;
                };
                m.note_loss();
                match body {
                    Body::Length(left) | Body::ChunkData(left) if missing < left => {
                        m.size += missing;
                        if let Body::ChunkData(_) = body {
                            m.body_len += missing;
                            self.phase = Phase::Body(Body::ChunkData(left - missing));
                        } else {
                            self.phase = Phase::Body(Body::Length(left - missing));
                        }
                    }
                    Body::ChunkData(left) if missing == left => {
                        m.size += missing;
                        m.body_len += missing;
                        self.phase = Phase::Body(Body::ChunkEnd);
                    }
                    Body::Length(left) if missing == left => {
                        m.size += missing;
                        self.finish(cx, pairing);
                    }
                    Body::UntilClose => {
                        m.size += missing;
                        m.body_len += missing;
                    }
                    _ => {
                        // The gap ran past the end of this message (or hit chunk framing):
                        // publish what there is and find the next message.
                        self.finish(cx, pairing);
                        self.phase = Phase::Resync;
                    }
                }
            }
        }
    }

    /// The sender closed this direction: a message with a complete header block is complete.
    pub fn eof(&mut self, cx: &mut Cx, pairing: &mut Pairing) {
        if matches!(self.phase, Phase::Head { .. }) && self.is_request {
            pairing.request_abandoned();
        }
        self.finish(cx, pairing);
    }
}

/// What one parsing step did.
enum Step {
    /// Consumed this many bytes; go on.
    Used(usize),
    /// Consumed this many bytes; wait for more data.
    Wait(usize),
}
