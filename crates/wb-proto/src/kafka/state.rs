//! Per-connection state of `kafka`: the size-prefixed framing of each direction, bounded
//! skipping of messages over `max_message_size`, resynchronisation after a gap or on
//! mid-stream pickup, and pairing of responses with requests by correlation id.

use super::api;
use super::config::KafkaConfig;
use super::ecs;
use super::message::{Request, Response};
use super::pending::Pending;
use super::reader::Reader;
use super::request::{self, parse_header};
use super::response;
use super::summary::Summary;
use crate::{Analyzer, Cx, Dir, GapAction, Progress};
use std::sync::Arc;
use wb_wire::Timestamp;

/// Bytes of a message over `max_message_size` that are read for its header before the rest
/// is skipped by counting (enough for any sensible client id).
const HEAD_PREFIX: usize = 512;
/// Smallest request after the size: api key, version, correlation id, client id length.
const MIN_REQUEST: usize = 10;
/// Smallest response after the size: the correlation id.
const MIN_RESPONSE: usize = 4;
/// Largest api version accepted as the start of a request when resynchronising.
const MAX_RESYNC_VERSION: i16 = 30;

/// Note of a message not decoded because it is larger than `max_message_size`.
pub const NOTE_TOO_LARGE: &str = "Message larger than max_message_size, body not decoded";
/// Note of a request without response.
pub const NOTE_UNMATCHED_REQUEST: &str = "Unmatched request";
/// Note of a response without request.
pub const NOTE_UNMATCHED_RESPONSE: &str = "Unmatched response";
/// Note of a transaction after lost bytes in its direction.
pub const NOTE_LOSS: &str = "Packet loss while capturing the message stream";

/// Parse state of one direction.
struct Side {
    /// The next byte starts a message.
    synced: bool,
    /// Bytes of the current message still to skip.
    skip: u64,
    /// Packet time of the first byte of a message that started in an earlier call.
    started: Option<Timestamp>,
    /// Bytes were lost before the next message.
    loss: bool,
}

impl Default for Side {
    fn default() -> Self {
        Side {
            synced: true,
            skip: 0,
            started: None,
            loss: false,
        }
    }
}

/// Analyzer state of one `kafka` connection.
pub struct KafkaAnalyzer {
    config: Arc<KafkaConfig>,
    sides: [Side; 2],
    pending: Pending,
}

/// Asks for `needed` bytes from `consumed`, remembering when the pending message started.
fn need_more(side: &mut Side, consumed: usize, needed: usize, now: Timestamp) -> Progress {
    if consumed > 0 || side.started.is_none() {
        side.started = Some(now);
    }
    Progress::NeedMore { consumed, needed }
}

/// Whether a message of `size` bytes whose first bytes are `msg` can be one of `dir`:
/// responses only need their correlation id; requests a non-negative api key and version and
/// a client id that fits.
fn header_sane(dir: Dir, size: usize, msg: &[u8]) -> bool {
    match dir {
        Dir::ToClient => size >= MIN_RESPONSE,
        Dir::ToServer => {
            let mut r = Reader::new(msg, false);
            let (Some(key), Some(version), Some(_), Some(client_len)) =
                (r.i16(), r.i16(), r.i32(), r.i16())
            else {
                return false;
            };
            size >= MIN_REQUEST
                && key >= 0
                && version >= 0
                && (client_len == -1
                    || usize::try_from(client_len).is_ok_and(|n| n + MIN_REQUEST <= size))
        }
    }
}

/// The declared size at the front of `data`, when 4 bytes are there.
fn size_at(data: &[u8]) -> Option<i32> {
    Reader::new(data, false).i32()
}

impl KafkaAnalyzer {
    /// A fresh analyzer.
    pub fn new(config: Arc<KafkaConfig>) -> Self {
        KafkaAnalyzer {
            pending: Pending::new(config.max_pending),
            config,
            sides: Default::default(),
        }
    }

    /// Whether a message plausibly starts at the front of `data` (which holds at least the
    /// size and the fixed header), when resynchronising: a size within `max_message_size`;
    /// for requests a known api key, a small version, a non-negative correlation id and a
    /// printable client id that fits; for responses a correlation id some request waits for.
    fn plausible_start(&self, dir: Dir, data: &[u8]) -> bool {
        let Some(size) = size_at(data).and_then(|s| usize::try_from(s).ok()) else {
            return false;
        };
        let msg = data.get(4..).unwrap_or_default();
        // A guessed start of a message too large to buffer is more likely noise.
        if size > self.config.common.max_message_size || !header_sane(dir, size, msg) {
            return false;
        }
        let mut r = Reader::new(msg, false);
        match dir {
            Dir::ToServer => {
                let (Some(key), Some(version), Some(corr), Some(client_len)) =
                    (r.i16(), r.i16(), r.i32(), r.i16())
                else {
                    return false;
                };
                // Clients number requests from 0 upwards and use printable client ids.
                let rest = r.remaining();
                let client = usize::try_from(client_len)
                    .ok()
                    .and_then(|n| rest.get(..n.min(rest.len())))
                    .unwrap_or_default();
                key <= api::MAX_KNOWN_KEY
                    && version <= MAX_RESYNC_VERSION
                    && corr >= 0
                    && client.iter().all(|b| b.is_ascii_graphic() || *b == b' ')
            }
            Dir::ToClient => r.i32().is_some_and(|corr| self.pending.contains(corr)),
        }
    }

    /// Bytes a resynchronisation probe needs from a candidate start.
    fn probe_len(dir: Dir) -> usize {
        4 + match dir {
            Dir::ToServer => MIN_REQUEST,
            Dir::ToClient => MIN_RESPONSE,
        }
    }

    fn on_request(&mut self, msg: &[u8], wire: usize, whole: bool, ts: Timestamp, cx: &mut Cx) {
        let Some(h) = parse_header(msg) else {
            // The fixed header was checked: a malformed tag buffer, or a client id cut by the
            // head prefix of a message over the cap, lands here.
            cx.anomaly("bad_request_header");
            return;
        };
        let mut notes = Vec::new();
        if std::mem::take(&mut Dir::ToServer.of(&mut self.sides).loss) {
            notes.push(NOTE_LOSS.into());
        }
        let summary = if whole {
            if h.api_key == api::SASL_AUTHENTICATE {
                Summary::default()
            } else {
                request::decode(h.api_key, h.api_version, h.body)
            }
        } else {
            cx.anomaly("message_too_large");
            notes.push(NOTE_TOO_LARGE.into());
            Summary::default()
        };
        let req = Request {
            ts,
            wire: wire as u64,
            api_key: h.api_key,
            api_version: h.api_version,
            correlation_id: h.correlation_id,
            client_id: h.client_id.map(|c| String::from_utf8_lossy(c).into_owned()),
            unanswered: summary.no_response,
            summary,
            notes,
        };
        if req.unanswered {
            ecs::publish(Some(&req), None, &self.config, cx);
            return;
        }
        if let Some(mut old) = self.pending.push(req) {
            cx.anomaly("too_many_pending_requests");
            old.notes.push(NOTE_UNMATCHED_REQUEST.into());
            ecs::publish(Some(&old), None, &self.config, cx);
        }
    }

    fn on_response(&mut self, msg: &[u8], wire: usize, whole: bool, cx: &mut Cx) {
        let Some(correlation_id) = size_at(msg) else {
            return;
        };
        let mut notes = Vec::new();
        if std::mem::take(&mut Dir::ToClient.of(&mut self.sides).loss) {
            notes.push(NOTE_LOSS.into());
        }
        let paired = self.pending.take(correlation_id);
        let mut summary = Summary::default();
        if let Some(req) = &paired {
            if !whole {
                cx.anomaly("message_too_large");
                notes.push(NOTE_TOO_LARGE.into());
            } else if api::is_decoded(req.api_key, req.api_version) {
                let after = msg.get(4..).unwrap_or_default();
                let body = if api::response_header_tagged(req.api_key, req.api_version) {
                    let mut r = Reader::new(after, true);
                    r.tags().map(|()| r.remaining())
                } else {
                    Some(after)
                };
                if let Some(body) = body {
                    summary = response::decode(req.api_key, req.api_version, body);
                }
            }
        } else {
            cx.anomaly("unmatched_response");
            notes.push(NOTE_UNMATCHED_RESPONSE.into());
        }
        let resp = Response {
            ts: cx.now(),
            wire: wire as u64,
            correlation_id,
            summary,
            notes,
        };
        ecs::publish(paired.as_ref(), Some(&resp), &self.config, cx);
    }

    /// One message (or its head, when `whole` is false) of `dir`.
    fn on_message(
        &mut self,
        dir: Dir,
        msg: &[u8],
        wire: usize,
        whole: bool,
        ts: Timestamp,
        cx: &mut Cx,
    ) {
        match dir {
            Dir::ToServer => self.on_request(msg, wire, whole, ts, cx),
            Dir::ToClient => self.on_response(msg, wire, whole, cx),
        }
    }
}

impl Analyzer for KafkaAnalyzer {
    fn on_data(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        let mut consumed = 0usize;
        let cap = self.config.common.max_message_size;
        let probe = Self::probe_len(dir);
        loop {
            let rest = data.get(consumed..).unwrap_or_default();
            let side = dir.of(&mut self.sides);
            if side.skip > 0 {
                let n = rest
                    .len()
                    .min(usize::try_from(side.skip).unwrap_or(usize::MAX));
                side.skip -= n as u64;
                consumed += n;
                if side.skip > 0 {
                    return Progress::Done;
                }
                continue;
            }
            if rest.is_empty() {
                side.started = None;
                return Progress::Done;
            }
            if !side.synced {
                // Look for a plausible message start; keep the last bytes that could begin one.
                let window = rest.len().saturating_sub(probe - 1);
                let found = (0..window)
                    .find(|&at| self.plausible_start(dir, rest.get(at..).unwrap_or_default()));
                let side = dir.of(&mut self.sides);
                side.started = None;
                match found {
                    Some(at) => {
                        consumed += at;
                        side.synced = true;
                        continue;
                    }
                    None => {
                        return Progress::NeedMore {
                            consumed: consumed + window,
                            needed: probe,
                        };
                    }
                }
            }
            if rest.len() < probe {
                return need_more(side, consumed, probe, cx.now());
            }
            let Some(size) = size_at(rest)
                .and_then(|s| usize::try_from(s).ok())
                .filter(|&s| header_sane(dir, s, rest.get(4..).unwrap_or_default()))
            else {
                cx.anomaly("desync");
                let side = dir.of(&mut self.sides);
                side.synced = false;
                side.loss = true;
                consumed += 1;
                continue;
            };
            let total = size.saturating_add(4);
            let head = if total > cap {
                total.min(HEAD_PREFIX).min(cap.max(probe))
            } else {
                total
            };
            if rest.len() < head {
                return need_more(side, consumed, head, cx.now());
            }
            let ts = match side.started.take() {
                Some(t) if consumed == 0 => t,
                _ => cx.now(),
            };
            let head_bytes = rest.get(4..head).unwrap_or_default();
            if total <= cap {
                self.on_message(dir, head_bytes, total, true, ts, cx);
                consumed += total;
            } else {
                // Over the cap: decode the header from the head, skip the rest by counting.
                self.on_message(dir, head_bytes, total, false, ts, cx);
                let available = rest.len().min(total);
                consumed += available;
                dir.of(&mut self.sides).skip = (total - available) as u64;
            }
        }
    }

    fn on_gap(&mut self, dir: Dir, missing: u32, cx: &mut Cx) -> GapAction {
        cx.anomaly("gap");
        let side = dir.of(&mut self.sides);
        side.started = None;
        // A gap inside a message being skipped only shortens the skip; otherwise the next
        // message start is unknown.
        if side.skip > u64::from(missing) {
            side.skip -= u64::from(missing);
            return GapAction::Continue;
        }
        side.synced = false;
        side.skip = 0;
        side.loss = true;
        GapAction::Continue
    }

    fn on_eof(&mut self, _dir: Dir, _cx: &mut Cx) {}

    fn on_expire(&mut self, _now: Timestamp, cx: &mut Cx) {
        let waiting: Vec<Request> = self.pending.drain().collect();
        for mut req in waiting {
            req.notes.push(NOTE_UNMATCHED_REQUEST.into());
            ecs::publish(Some(&req), None, &self.config, cx);
        }
    }
}
