//! Memcache over UDP: each datagram starts with an 8-byte frame header (request id, sequence
//! number, datagram count, reserved). The datagrams of one message are collected per
//! (request id, direction) until the announced count is there, then parsed; a request and
//! its response share the request id. A transaction is published once it has both, at once
//! for `quit`/`QuitQ`, and otherwise `udptransactiontimeout` after its last datagram (seen
//! when later traffic arrives) or when the flow ends.

use super::config::MemcacheConfig;
use super::ecs::{self, NOTE_REQUEST_MISSING};
use super::merge::{continues, merge, Merged};
use super::message::Message;
use super::state::limits;
use super::stream::{Read, Reader};
use crate::{Cx, Dir, Progress};
use std::sync::Arc;
use wb_wire::Timestamp;

/// Size of the UDP frame header.
pub const FRAME_HEADER: usize = 8;

/// Most messages being assembled from several datagrams at once, per flow.
const MAX_ASSEMBLIES: usize = 64;

/// A message arriving in several datagrams.
struct Assembly {
    dir: Dir,
    id: u16,
    count: u16,
    first: Timestamp,
    bytes: usize,
    parts: Vec<(u16, Vec<u8>)>,
}

/// One request id's request and response.
struct UdpTxn {
    id: u16,
    request: Option<Message>,
    response: Option<Message>,
    last: Timestamp,
}

/// Analyzer state of one UDP flow.
pub struct UdpState {
    config: Arc<MemcacheConfig>,
    assemblies: Vec<Assembly>,
    txns: Vec<UdpTxn>,
}

impl UdpState {
    /// A fresh state.
    pub fn new(config: Arc<MemcacheConfig>) -> Self {
        UdpState {
            config,
            assemblies: Vec::new(),
            txns: Vec::new(),
        }
    }

    /// One datagram in `dir`.
    pub fn on_datagram(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        let now = cx.now();
        self.expire(now, cx);
        let (Some(header), Some(payload)) = (data.get(..FRAME_HEADER), data.get(FRAME_HEADER..))
        else {
            cx.anomaly("short_udp_frame");
            return Progress::Invalid;
        };
        let word = |at: usize| {
            header
                .get(at..at + 2)
                .and_then(|b| b.try_into().ok())
                .map_or(0, u16::from_be_bytes)
        };
        let (id, seq, count) = (word(0), word(2), word(4));
        if count == 0 || seq >= count {
            cx.anomaly("bad_udp_frame");
            return Progress::Invalid;
        }
        if count == 1 {
            self.on_payload(dir, id, payload, now, cx);
            return Progress::Done;
        }
        self.collect(dir, id, seq, count, payload, now, cx);
        Progress::Done
    }

    #[allow(clippy::too_many_arguments)]
    fn collect(
        &mut self,
        dir: Dir,
        id: u16,
        seq: u16,
        count: u16,
        payload: &[u8],
        now: Timestamp,
        cx: &mut Cx,
    ) {
        let i = match self
            .assemblies
            .iter()
            .position(|a| a.dir == dir && a.id == id)
        {
            Some(i) => i,
            None => {
                if self.assemblies.len() >= MAX_ASSEMBLIES {
                    cx.anomaly("too_many_udp_assemblies");
                    self.assemblies.remove(0);
                }
                self.assemblies.push(Assembly {
                    dir,
                    id,
                    count,
                    first: now,
                    bytes: 0,
                    parts: Vec::new(),
                });
                self.assemblies.len() - 1
            }
        };
        // All messages being assembled on this flow share one budget of max_message_size.
        let held: usize = self.assemblies.iter().map(|a| a.bytes).sum();
        let over_budget = held + payload.len() > self.config.common.max_message_size;
        let Some(a) = self.assemblies.get_mut(i) else {
            return;
        };
        if over_budget {
            cx.anomaly("udp_assembly_too_large");
            self.assemblies.remove(i);
            return;
        }
        if a.count != count {
            cx.anomaly("udp_datagram_count_mismatch");
            self.assemblies.remove(i);
            return;
        }
        if a.parts.iter().any(|(s, _)| *s == seq) {
            cx.anomaly("duplicate_udp_datagram");
            return;
        }
        a.bytes += payload.len();
        a.parts.push((seq, payload.to_vec()));
        if a.parts.len() < usize::from(a.count) {
            return;
        }
        let mut a = self.assemblies.remove(i);
        a.parts.sort_by_key(|(s, _)| *s);
        let whole: Vec<u8> = a.parts.into_iter().flat_map(|(_, p)| p).collect();
        self.on_payload(dir, id, &whole, a.first, cx);
    }

    /// A whole message payload: its messages are parsed and added to the transaction.
    fn on_payload(&mut self, dir: Dir, id: u16, payload: &[u8], ts: Timestamp, cx: &mut Cx) {
        let Some(msg) = self.parse(dir, payload, ts, cx) else {
            return;
        };
        let i = match self.txns.iter().position(|t| t.id == id) {
            Some(i) => i,
            None => {
                if self.txns.len() >= self.config.max_pending_requests {
                    cx.anomaly("too_many_pending_requests");
                    let old = self.txns.remove(0);
                    self.publish(&old, cx);
                }
                self.txns.push(UdpTxn {
                    id,
                    request: None,
                    response: None,
                    last: ts,
                });
                self.txns.len() - 1
            }
        };
        let Some(t) = self.txns.get_mut(i) else {
            return;
        };
        t.last = cx.now();
        let slot = match dir {
            Dir::ToServer => &mut t.request,
            Dir::ToClient => &mut t.response,
        };
        if slot.is_some() {
            cx.anomaly("duplicate_udp_request_id");
        }
        *slot = Some(msg);
        let done = t.request.is_some()
            && (t.response.is_some() || t.request.as_ref().is_some_and(|r| r.publishes_at_once()));
        if done {
            let t = self.txns.remove(i);
            self.publish(&t, cx);
        }
    }

    /// Parses every message of a payload; a reply in several parts is merged. Nothing is
    /// returned when the payload is not whole memcache messages.
    fn parse(&self, dir: Dir, payload: &[u8], ts: Timestamp, cx: &mut Cx) -> Option<Message> {
        let mut reader = Reader::default();
        let limits = limits(&self.config);
        let mut first: Option<Message> = None;
        let mut open = false;
        let mut at = 0;
        while let Some(rest) = payload.get(at..).filter(|r| !r.is_empty()) {
            match reader.step(rest, dir, ts, limits) {
                Read::Message(msg, used) => {
                    at += used;
                    match first.as_mut() {
                        None => {
                            open = dir == Dir::ToClient && continues(&msg);
                            first = Some(msg);
                        }
                        Some(prev) if open => match merge(
                            prev,
                            msg,
                            self.config.max_values(),
                            self.config.common.max_message_size,
                        ) {
                            Merged::Into(complete) => open = !complete,
                            Merged::No(_) => cx.anomaly("extra_udp_message"),
                        },
                        Some(_) => cx.anomaly("extra_udp_message"),
                    }
                }
                Read::Consumed(_) | Read::NeedMore(_) => {
                    cx.anomaly("incomplete_udp_message");
                    return None;
                }
                Read::Invalid(kind) => {
                    cx.anomaly(kind);
                    return None;
                }
            }
        }
        first
    }

    fn publish(&self, t: &UdpTxn, cx: &mut Cx) {
        let notes: &[&'static str] = if t.request.is_none() {
            cx.anomaly("unmatched_response");
            &[NOTE_REQUEST_MISSING]
        } else {
            &[]
        };
        ecs::publish(
            t.request.as_ref(),
            t.response.as_ref(),
            notes,
            &self.config,
            cx,
        );
    }

    /// Publishes transactions idle for `udptransactiontimeout`.
    fn expire(&mut self, now: Timestamp, cx: &mut Cx) {
        let timeout =
            i64::try_from(self.config.udptransactiontimeout.as_nanos()).unwrap_or(i64::MAX);
        while let Some(i) = self
            .txns
            .iter()
            .position(|t| now.nanos_since(t.last) >= timeout)
        {
            let t = self.txns.remove(i);
            self.publish(&t, cx);
        }
        self.assemblies
            .retain(|a| now.nanos_since(a.first) < timeout);
    }

    /// Publishes every transaction held.
    pub fn flush(&mut self, cx: &mut Cx) {
        for t in std::mem::take(&mut self.txns) {
            self.publish(&t, cx);
        }
        self.assemblies.clear();
    }
}
