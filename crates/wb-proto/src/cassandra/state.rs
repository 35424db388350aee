//! Per-connection state of `cassandra`: the parse loop of each direction (v3/v4 frames, or v5
//! segments carrying frames), resynchronisation after a gap or on mid-stream pickup, bounded
//! skipping of frames too large to buffer, and pairing of responses with requests.

use super::body;
use super::compress;
use super::config::{CassandraConfig, Compressor, Pairing};
use super::ecs;
use super::fields::Fields;
use super::frame::{find_header, Header, Opcode, FLAG_COMPRESS, HEADER_LEN};
use super::message::Message;
use super::pending::Pending;
use super::segment::{self, find_segment, SegmentHeader, SegmentRead};
use super::spanning::Spanning;
use crate::{Analyzer, Cx, Dir, GapAction, Progress};
use std::sync::Arc;
use wb_wire::Timestamp;

/// RESULT frames longer than this are decoded from their first bytes (kind, metadata, row
/// count) and the rows are skipped as they stream, instead of being buffered whole.
const PREFIX_THRESHOLD: usize = 64 * 1024;

/// Note of a frame whose body was not decoded because it is larger than `max_message_size`.
pub const NOTE_TOO_LARGE: &str = "Frame body larger than max_message_size, not decoded";
/// Note of a compressed frame that could not be decompressed.
pub const NOTE_UNCOMPRESSED: &str = "Compressed frame body could not be decompressed";

/// What one parse step did.
enum Step {
    /// Bytes consumed (0 when only the state changed).
    Consumed(usize),
    /// Bytes needed from the current position before going on.
    Need(usize),
}

/// Parse state of one direction.
#[derive(Default)]
struct Side {
    /// The next byte starts a frame (or a segment).
    synced: bool,
    /// Bytes of the current frame still to skip.
    skip: u64,
    /// v5 segment framing in use: `Some(compressed)`.
    segments: Option<bool>,
    /// A frame spread over several segments.
    spanning: Option<Spanning>,
    /// Packet time of the first byte of the frame being read, when it started in an earlier
    /// packet (a message's time is its first packet's, as in Packetbeat).
    started: Option<Timestamp>,
}

/// Analyzer state of one `cassandra` connection.
pub struct CassandraAnalyzer {
    config: Arc<CassandraConfig>,
    sides: [Side; 2],
    pending: Pending,
    version: Option<u8>,
    compressor: Option<Compressor>,
}

impl CassandraAnalyzer {
    /// A fresh analyzer.
    pub fn new(config: Arc<CassandraConfig>) -> Self {
        let pending = Pending::new(
            config.pairing,
            config.max_pending,
            config.common.max_message_size,
        );
        CassandraAnalyzer {
            compressor: config.compressor,
            config,
            sides: Default::default(),
            pending,
            version: None,
        }
    }

    fn cap(&self) -> usize {
        self.config.common.max_message_size
    }

    /// Whether v5 segments may be on the wire (version 5 or not known yet).
    fn may_be_v5(&self) -> bool {
        self.version.is_none_or(|v| v >= 5)
    }

    /// A segment header at the front of `data`, in the format most likely first.
    fn detect_segment(&self, data: &[u8]) -> Option<bool> {
        let lz4_first = self.compressor == Some(Compressor::Lz4);
        [lz4_first, !lz4_first]
            .into_iter()
            .find(|&c| SegmentHeader::parse(data, c).is_some())
    }

    /// Where the next frame (or segment) starts in `data`, switching to segment framing when
    /// a segment comes first.
    fn resync(&mut self, dir: Dir, data: &[u8]) -> Option<usize> {
        if let Some(compressed) = dir.of(&mut self.sides).segments {
            return find_segment(data, compressed);
        }
        let frame = find_header(data, dir, self.version);
        if self.may_be_v5() {
            // Only a segment starting no later than the frame matters.
            let window = frame.map_or(data, |f| data.get(..f + 8).unwrap_or(data));
            let segment = [false, true]
                .into_iter()
                .filter_map(|c| find_segment(window, c).map(|at| (at, c)))
                .min();
            if let Some((at, compressed)) = segment {
                if frame.is_none_or(|f| at <= f) {
                    dir.of(&mut self.sides).segments = Some(compressed);
                    return Some(at);
                }
            }
        }
        frame
    }

    /// One step of v3/v4 (or pre-segment v5) framing at the front of `rest`.
    fn frame(&mut self, dir: Dir, rest: &[u8], cx: &mut Cx) -> Step {
        if rest.len() < HEADER_LEN {
            return Step::Need(HEADER_LEN);
        }
        let Some(h) = Header::parse(rest, dir) else {
            let segments = if self.may_be_v5() {
                self.detect_segment(rest)
            } else {
                None
            };
            let side = dir.of(&mut self.sides);
            match segments {
                Some(compressed) => side.segments = Some(compressed),
                None => {
                    side.synced = false;
                    side.started = None;
                    cx.anomaly("desync");
                }
            }
            return Step::Consumed(0);
        };
        let total = h.frame_len();
        let cap = self.cap();
        let body = rest.get(HEADER_LEN..).unwrap_or_default();
        if total <= cap {
            if let Some(whole) = body.get(..h.length as usize) {
                self.on_frame(dir, h, whole, true, cx);
                return Step::Consumed(total);
            }
        }
        // Frames over the cap are not buffered, whatever the segmentation: their bytes are
        // consumed as they come and the rest is skipped by counting.
        let available = rest.len().min(total);
        let prefix = body.get(..available - HEADER_LEN).unwrap_or_default();
        if h.op == Opcode::Result && !h.has(FLAG_COMPRESS) && total > PREFIX_THRESHOLD {
            match body::decode(&h, prefix) {
                Ok(fields) => {
                    self.deliver(dir, h, fields, Vec::new(), cx);
                    dir.of(&mut self.sides).skip = (total - available) as u64;
                    return Step::Consumed(available);
                }
                Err(_) if available < total && available < cap => {
                    return Step::Need(total.min((available * 2).max(4096)).min(cap));
                }
                Err(_) => {}
            }
        }
        if total > cap {
            cx.anomaly("frame_too_large");
            self.deliver(dir, h, Fields::default(), vec![NOTE_TOO_LARGE.into()], cx);
            dir.of(&mut self.sides).skip = (total - available) as u64;
            return Step::Consumed(available);
        }
        Step::Need(total)
    }

    /// One step of v5 segment framing at the front of `rest`.
    fn segment(&mut self, dir: Dir, rest: &[u8], compressed: bool, cx: &mut Cx) -> Step {
        match segment::read(rest, compressed) {
            SegmentRead::Need(n) => Step::Need(n),
            SegmentRead::BadHeader => {
                cx.anomaly("segment_header_crc");
                dir.of(&mut self.sides).synced = false;
                Step::Consumed(0)
            }
            SegmentRead::BadPayload { len } => {
                cx.anomaly("segment_payload");
                dir.of(&mut self.sides).spanning = None;
                Step::Consumed(len)
            }
            SegmentRead::Payload {
                len,
                self_contained: true,
                data,
            } => {
                if dir.of(&mut self.sides).spanning.take().is_some() {
                    cx.anomaly("segment_frame_unfinished");
                }
                self.frames_in(dir, &data, cx);
                Step::Consumed(len)
            }
            SegmentRead::Payload { len, data, .. } => {
                self.spanning_piece(dir, &data, cx);
                Step::Consumed(len)
            }
        }
    }

    /// The whole frames of a self-contained segment.
    fn frames_in(&mut self, dir: Dir, mut payload: &[u8], cx: &mut Cx) {
        while !payload.is_empty() {
            let Some(h) = Header::parse(payload, dir) else {
                cx.anomaly("segment_malformed");
                return;
            };
            let Some(body) = payload.get(HEADER_LEN..h.frame_len()) else {
                cx.anomaly("segment_malformed");
                return;
            };
            let complete = h.frame_len() <= self.cap();
            self.on_frame(dir, h, body, complete, cx);
            payload = payload.get(h.frame_len()..).unwrap_or_default();
        }
    }

    /// A piece of a frame spanning several segments.
    fn spanning_piece(&mut self, dir: Dir, payload: &[u8], cx: &mut Cx) {
        let cap = self.cap();
        let spanning = match dir.of(&mut self.sides).spanning.take() {
            Some(mut s) => {
                s.extend(payload, cap);
                s
            }
            None => match Spanning::start(payload, dir, cap) {
                Some(s) => {
                    dir.of(&mut self.sides).started = Some(cx.now());
                    s
                }
                None => {
                    cx.anomaly("segment_malformed");
                    return;
                }
            },
        };
        if !spanning.is_done() {
            dir.of(&mut self.sides).spanning = Some(spanning);
            return;
        }
        let (header, body, complete) = spanning.finish();
        self.on_frame(dir, header, &body, complete, cx);
    }

    /// A frame, or the first bytes of its body when `complete` is false.
    fn on_frame(&mut self, dir: Dir, h: Header, wire_body: &[u8], complete: bool, cx: &mut Cx) {
        self.version = Some(h.version);
        let mut notes = Vec::new();
        let in_segments = dir.of(&mut self.sides).segments.is_some();
        let decompressed;
        let body = if h.has(FLAG_COMPRESS) && !in_segments {
            let out = self
                .compressor
                .filter(|_| complete)
                .ok_or(compress::DecompressError::Corrupt)
                .and_then(|c| compress::frame_body(c, wire_body, self.cap()));
            match out {
                Ok(b) => {
                    decompressed = b;
                    Some(decompressed.as_slice())
                }
                Err(_) => {
                    cx.anomaly("decompression");
                    notes.push(NOTE_UNCOMPRESSED.to_string());
                    None
                }
            }
        } else if complete || h.op == Opcode::Result {
            Some(wire_body)
        } else {
            None
        };
        if h.op == Opcode::Startup {
            if let Some(name) = body.and_then(body::startup_compression) {
                self.compressor = Compressor::from_name(&name);
            }
        }
        let fields = match body.map(|b| body::decode(&h, b)) {
            Some(Ok(f)) => f,
            Some(Err(_)) if complete => {
                cx.anomaly("malformed_body");
                Fields::default()
            }
            Some(Err(_)) | None => {
                if !complete {
                    cx.anomaly("frame_too_large");
                    notes.push(NOTE_TOO_LARGE.to_string());
                }
                Fields::default()
            }
        };
        if h.version >= 5
            && h.response
            && matches!(h.op, Opcode::Ready | Opcode::Authenticate)
            && !in_segments
        {
            // v5: both directions switch to segments once STARTUP is answered.
            let compressed = self.compressor == Some(Compressor::Lz4);
            for side in &mut self.sides {
                side.segments = Some(compressed);
            }
        }
        self.deliver(dir, h, fields, notes, cx);
    }

    /// Queues a request, or pairs and publishes a response.
    fn deliver(
        &mut self,
        dir: Dir,
        header: Header,
        fields: Fields,
        notes: Vec<String>,
        cx: &mut Cx,
    ) {
        let msg = Message {
            header,
            fields,
            wire: header.frame_len() as u64,
            ts: dir.of(&mut self.sides).started.take().unwrap_or(cx.now()),
            notes,
        };
        match dir {
            Dir::ToServer => {
                let (reused, evicted) = self.pending.push(msg);
                if reused {
                    cx.anomaly("stream_reused");
                }
                for _ in 0..evicted {
                    cx.anomaly("too_many_pending_requests");
                }
            }
            Dir::ToClient if header.op == Opcode::Event => {
                ecs::publish(None, &msg, &self.config, cx);
            }
            Dir::ToClient => match self.pending.take(header.stream) {
                Some(request) => ecs::publish(Some(&request), &msg, &self.config, cx),
                None => cx.anomaly("unmatched_response"),
            },
        }
    }
}

impl Analyzer for CassandraAnalyzer {
    fn on_data(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        let mut pos = 0;
        loop {
            let rest = data.get(pos..).unwrap_or_default();
            if rest.is_empty() {
                return Progress::Done;
            }
            let side = dir.of(&mut self.sides);
            if side.skip > 0 {
                let n = usize::try_from(side.skip).map_or(rest.len(), |s| s.min(rest.len()));
                side.skip -= n as u64;
                pos += n;
                continue;
            }
            if !side.synced {
                let found = self.resync(dir, rest);
                let side = dir.of(&mut self.sides);
                match found {
                    Some(at) => {
                        if at > 0 {
                            cx.anomaly("resync");
                            side.started = None;
                        }
                        pos += at;
                        side.synced = true;
                        continue;
                    }
                    None => {
                        // Keep a possible header's start (from this packet, or from an
                        // earlier one when nothing was dropped) for the next call.
                        let consumed = rest.len().saturating_sub(HEADER_LEN - 1);
                        if consumed > 0 {
                            side.started = Some(cx.now());
                        } else {
                            side.started.get_or_insert(cx.now());
                        }
                        return Progress::NeedMore {
                            consumed: pos + consumed,
                            needed: 0,
                        };
                    }
                }
            }
            let step = match dir.of(&mut self.sides).segments {
                Some(compressed) => self.segment(dir, rest, compressed, cx),
                None => self.frame(dir, rest, cx),
            };
            match step {
                Step::Consumed(n) => pos += n,
                Step::Need(needed) => {
                    dir.of(&mut self.sides).started.get_or_insert(cx.now());
                    return Progress::NeedMore {
                        consumed: pos,
                        needed,
                    };
                }
            }
        }
    }

    fn on_gap(&mut self, dir: Dir, missing: u32, cx: &mut Cx) -> GapAction {
        let side = dir.of(&mut self.sides);
        if side.skip >= u64::from(missing) {
            // Lost inside a body that was being skipped anyway.
            side.skip -= u64::from(missing);
            return GapAction::Continue;
        }
        cx.anomaly("gap");
        *side = Side {
            segments: side.segments,
            ..Side::default()
        };
        if self.config.pairing == Pairing::Fifo {
            // In order pairing cannot tell which answers were lost: start afresh.
            for _ in 0..self.pending.clear() {
                cx.anomaly("unmatched_request");
            }
        }
        GapAction::Continue
    }

    fn on_eof(&mut self, _dir: Dir, _cx: &mut Cx) {}

    fn on_expire(&mut self, _now: Timestamp, cx: &mut Cx) {
        for _ in 0..self.pending.clear() {
            cx.anomaly("unmatched_request");
        }
    }
}
