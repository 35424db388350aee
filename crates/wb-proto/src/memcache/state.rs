//! Per-connection memcache state over TCP: a reader per direction, the queue of requests
//! waiting for replies (bounded), multi-part replies merged, and pairing: text replies take
//! the oldest request, binary replies the request with their opaque and opcode (quiet
//! requests passed over are published alone).
//!
//! Differences from Packetbeat, on purpose: a text `noreply` request is published at once
//! (Packetbeat queues it, so the next reply pairs with it); a binary reply with a key pairs
//! only with a request of the same key; a reply of the other protocol flavour (text vs
//! binary) is counted and left unpaired instead of stopping pairing.

use super::config::MemcacheConfig;
use super::ecs::{self, NOTE_MISSING_RESPONSE, NOTE_REQUEST_MISSING, NOTE_UNFINISHED};
use super::merge::{continues, merge, Merged};
use super::message::Message;
use super::parser::Limits;
use super::stream::{Read, Reader};
use super::udp::UdpState;
use crate::{Analyzer, Cx, Dir, GapAction, Progress, TransportKind};
use std::collections::VecDeque;
use std::sync::Arc;
use wb_wire::Timestamp;

/// Request/response pairing of one TCP connection.
pub struct Pairing {
    config: Arc<MemcacheConfig>,
    pending: VecDeque<Message>,
    /// Value bytes kept by the requests in `pending`.
    pending_value_bytes: usize,
    /// A reply whose further parts are still expected.
    merging: Option<Message>,
}

/// Value bytes a message keeps.
fn value_bytes(m: &Message) -> usize {
    m.values.iter().map(Vec::len).sum()
}

impl Pairing {
    /// Empty pairing state.
    pub fn new(config: Arc<MemcacheConfig>) -> Self {
        Pairing {
            config,
            pending: VecDeque::new(),
            pending_value_bytes: 0,
            merging: None,
        }
    }

    /// A complete request.
    pub fn on_request(&mut self, mut req: Message, cx: &mut Cx) {
        if req.publishes_at_once() || (!req.binary && req.noreply) {
            ecs::publish(Some(&req), None, &[], &self.config, cx);
            return;
        }
        if self.pending.len() >= self.config.max_pending_requests {
            cx.anomaly("too_many_pending_requests");
            if let Some(old) = self.pop_pending() {
                self.publish_unanswered(&old, cx);
            }
        }
        // Kept values of waiting requests share one budget of max_message_size: beyond it a
        // value is counted but not kept.
        let kept = value_bytes(&req);
        if self.pending_value_bytes + kept > self.config.common.max_message_size {
            cx.anomaly("value_budget_exceeded");
            req.values.clear();
        } else {
            self.pending_value_bytes += kept;
        }
        self.pending.push_back(req);
    }

    fn pop_pending(&mut self) -> Option<Message> {
        let req = self.pending.pop_front()?;
        self.pending_value_bytes = self.pending_value_bytes.saturating_sub(value_bytes(&req));
        Some(req)
    }

    /// A complete response message (perhaps one part of a longer reply).
    pub fn on_response(&mut self, resp: Message, cx: &mut Cx) {
        let resp = match self.merging.take() {
            None => resp,
            Some(mut prev) => match merge(
                &mut prev,
                resp,
                self.config.max_values(),
                self.config.common.max_message_size,
            ) {
                Merged::Into(true) => {
                    self.correlate(prev, cx);
                    return;
                }
                Merged::Into(false) => {
                    self.merging = Some(prev);
                    return;
                }
                Merged::No(next) => {
                    cx.anomaly("unterminated_reply");
                    self.correlate(prev, cx);
                    next
                }
            },
        };
        if continues(&resp) {
            self.merging = Some(resp);
        } else {
            self.correlate(resp, cx);
        }
    }

    fn correlate(&mut self, resp: Message, cx: &mut Cx) {
        while let Some(req) = self.pop_pending() {
            if req.binary != resp.binary {
                cx.anomaly("mixed_text_and_binary");
                self.pending_value_bytes += value_bytes(&req);
                self.pending.push_front(req);
                return;
            }
            if !req.binary || same_binary_transaction(&req, &resp) {
                ecs::publish(Some(&req), Some(&resp), &[], &self.config, cx);
                return;
            }
            if req.quiet {
                ecs::publish(Some(&req), None, &[], &self.config, cx);
            } else {
                cx.anomaly("missing_response");
                ecs::publish(Some(&req), None, &[NOTE_MISSING_RESPONSE], &self.config, cx);
            }
        }
        cx.anomaly("unmatched_response");
        ecs::publish(None, Some(&resp), &[NOTE_REQUEST_MISSING], &self.config, cx);
    }

    fn publish_unanswered(&self, req: &Message, cx: &mut Cx) {
        if req.expects_no_reply() {
            ecs::publish(Some(req), None, &[], &self.config, cx);
        } else {
            cx.anomaly("unmatched_request");
            ecs::publish(Some(req), None, &[NOTE_UNFINISHED], &self.config, cx);
        }
    }

    /// Publishes everything held: a reply in progress with its request, then every request
    /// still waiting, alone.
    pub fn flush(&mut self, cx: &mut Cx) {
        if let Some(resp) = self.merging.take() {
            self.correlate(resp, cx);
        }
        while let Some(req) = self.pop_pending() {
            self.publish_unanswered(&req, cx);
        }
    }
}

/// A binary reply answers a request with its opaque and opcode. When both carry a key the
/// keys must agree too (Wirebeat's addition): clients such as python-binary-memcached send a
/// whole GetKQ batch with opaque 0, and a hit must not pair with an earlier miss.
fn same_binary_transaction(req: &Message, resp: &Message) -> bool {
    req.opaque == resp.opaque
        && req.opcode == resp.opcode
        && (req.keys.is_empty() || resp.keys.is_empty() || req.keys == resp.keys)
}

/// Analyzer state of one TCP connection.
pub struct TcpState {
    config: Arc<MemcacheConfig>,
    readers: [Reader; 2],
    pairing: Pairing,
}

impl TcpState {
    fn new(config: Arc<MemcacheConfig>) -> Self {
        TcpState {
            readers: [Reader::default(), Reader::default()],
            pairing: Pairing::new(Arc::clone(&config)),
            config,
        }
    }

    fn on_data(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        let limits = limits(&self.config);
        let mut consumed = 0;
        while let Some(rest) = data.get(consumed..).filter(|r| !r.is_empty()) {
            match dir.of(&mut self.readers).step(rest, dir, cx.now(), limits) {
                Read::Message(msg, used) => {
                    consumed += used;
                    match dir {
                        Dir::ToServer => self.pairing.on_request(msg, cx),
                        Dir::ToClient => self.pairing.on_response(msg, cx),
                    }
                }
                Read::Consumed(used) => consumed += used,
                Read::NeedMore(needed) => return Progress::NeedMore { consumed, needed },
                Read::Invalid(kind) => {
                    cx.anomaly(kind);
                    return Progress::Invalid;
                }
            }
        }
        Progress::Done
    }

    fn on_gap(&mut self, dir: Dir, missing: u32, cx: &mut Cx) -> GapAction {
        if dir.of(&mut self.readers).absorb_gap(missing, dir) {
            cx.anomaly("gap_in_value");
            return GapAction::Continue;
        }
        // As Packetbeat: what is queued is published, then the connection starts afresh.
        cx.anomaly("gap");
        self.pairing.flush(cx);
        GapAction::Reset
    }
}

/// The parser limits of a configuration.
pub fn limits(config: &MemcacheConfig) -> Limits {
    Limits {
        keep_value_bytes: config.keep_value_bytes(),
        parse_unknown: config.parseunknown,
    }
}

/// Analyzer of one memcache connection (TCP) or UDP flow.
pub enum MemcacheAnalyzer {
    /// A TCP connection.
    Tcp(Box<TcpState>),
    /// A UDP flow.
    Udp(UdpState),
}

impl MemcacheAnalyzer {
    /// A fresh analyzer for `transport`.
    pub fn new(config: Arc<MemcacheConfig>, transport: TransportKind) -> Self {
        match transport {
            TransportKind::Tcp => MemcacheAnalyzer::Tcp(Box::new(TcpState::new(config))),
            TransportKind::Udp => MemcacheAnalyzer::Udp(UdpState::new(config)),
        }
    }
}

impl Analyzer for MemcacheAnalyzer {
    fn on_data(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        match self {
            MemcacheAnalyzer::Tcp(t) => t.on_data(dir, data, cx),
            MemcacheAnalyzer::Udp(u) => u.on_datagram(dir, data, cx),
        }
    }

    fn on_gap(&mut self, dir: Dir, missing: u32, cx: &mut Cx) -> GapAction {
        match self {
            MemcacheAnalyzer::Tcp(t) => t.on_gap(dir, missing, cx),
            MemcacheAnalyzer::Udp(_) => GapAction::Continue,
        }
    }

    fn on_eof(&mut self, _dir: Dir, _cx: &mut Cx) {}

    fn on_expire(&mut self, _now: Timestamp, cx: &mut Cx) {
        match self {
            MemcacheAnalyzer::Tcp(t) => {
                for r in &mut t.readers {
                    r.reset();
                }
                t.pairing.flush(cx);
            }
            MemcacheAnalyzer::Udp(u) => u.flush(cx),
        }
    }
}
