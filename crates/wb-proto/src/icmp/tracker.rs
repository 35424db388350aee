//! Pairs ICMP requests with their responses by (version, requester, requested address, id,
//! sequence), on packet time, as Packetbeat does; bounded.

use super::ecs::{Msg, Txn};
use super::kinds::{is_pair, is_response, Version};
use super::IcmpConfig;
use crate::AnomalyCounts;
use std::collections::VecDeque;
use std::net::IpAddr;
use wb_event::Event;
use wb_wire::Timestamp;

/// Note of a request whose (id, seq) was sent again before an answer.
pub const NOTE_DUPLICATE_REQUEST: &str =
    "Another request with the same Id and Seq was received so this request was closed without receiving a response.";
/// Note of a response without a request.
pub const NOTE_ORPHAN_RESPONSE: &str = "Response was received without an associated request.";
/// Note of a request unanswered within `transaction_timeout`.
pub const NOTE_NO_RESPONSE: &str = "Request was received without an associated response.";

/// Most requests waiting for a response at once; beyond it the oldest is published as
/// unanswered (anomaly `too_many_pending_requests`).
pub const MAX_PENDING_REQUESTS: usize = 4096;

/// One ICMP message as the engine hands it over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IcmpPacket {
    /// 4 or 6.
    pub version: Version,
    /// Sender.
    pub src: IpAddr,
    /// Receiver.
    pub dst: IpAddr,
    /// Echo identifier (0 for other types).
    pub id: u16,
    /// Echo sequence number (0 for other types).
    pub seq: u16,
    /// Type, code, time and length.
    pub msg: Msg,
}

/// The ICMP transaction tracker of one worker.
#[derive(Debug)]
pub struct IcmpTracker {
    config: IcmpConfig,
    /// Requests waiting for a response, oldest first.
    pending: VecDeque<Txn>,
}

impl IcmpTracker {
    /// An empty tracker.
    pub fn new(config: IcmpConfig) -> Self {
        IcmpTracker {
            config,
            pending: VecDeque::new(),
        }
    }

    /// Handles one message; events go to `out`.
    pub fn on_packet(
        &mut self,
        p: IcmpPacket,
        out: &mut Vec<Event>,
        anomalies: &mut AnomalyCounts,
    ) {
        let v = p.version;
        let (id, seq) = if is_pair(v, p.msg.icmp_type) {
            (p.id, p.seq)
        } else {
            (0, 0)
        };
        let find = |pending: &VecDeque<Txn>, src: IpAddr, dst: IpAddr| {
            pending.iter().rposition(|t| {
                t.version == v && t.src == src && t.dst == dst && t.id == id && t.seq == seq
            })
        };
        if is_response(v, p.msg.icmp_type) {
            let mut txn =
                match find(&self.pending, p.dst, p.src).and_then(|i| self.pending.remove(i)) {
                    Some(t) => t,
                    None => {
                        anomalies.add(super::NAME, "unmatched_response");
                        Txn {
                            version: v,
                            src: p.dst,
                            dst: p.src,
                            id,
                            seq,
                            request: None,
                            response: None,
                            notes: vec![NOTE_ORPHAN_RESPONSE],
                        }
                    }
                };
            txn.response = Some(p.msg);
            out.push(txn.to_event());
            return;
        }
        if let Some(mut old) =
            find(&self.pending, p.src, p.dst).and_then(|i| self.pending.remove(i))
        {
            anomalies.add(super::NAME, "duplicate_request");
            old.notes.push(NOTE_DUPLICATE_REQUEST);
            out.push(old.to_event());
        }
        let txn = Txn {
            version: v,
            src: p.src,
            dst: p.dst,
            id,
            seq,
            request: Some(p.msg),
            response: None,
            notes: Vec::new(),
        };
        if !is_pair(v, p.msg.icmp_type) {
            out.push(txn.to_event());
            return;
        }
        if self.pending.len() >= MAX_PENDING_REQUESTS {
            anomalies.add(super::NAME, "too_many_pending_requests");
            if let Some(old) = self.pending.pop_front() {
                out.push(unanswered(old).to_event());
            }
        }
        self.pending.push_back(txn);
    }

    /// Publishes requests unanswered for the transaction timeout.
    pub fn expire(&mut self, now: Timestamp, out: &mut Vec<Event>) {
        while let Some(front) = self.pending.front() {
            let since = front.request.map_or(now, |r| r.ts);
            if now.nanos_since(since) <= self.config.transaction_timeout_nanos {
                break;
            }
            if let Some(t) = self.pending.pop_front() {
                out.push(unanswered(t).to_event());
            }
        }
    }

    /// End of capture: every waiting request is published as unanswered.
    pub fn finish(&mut self, out: &mut Vec<Event>) {
        while let Some(t) = self.pending.pop_front() {
            out.push(unanswered(t).to_event());
        }
    }
}

fn unanswered(mut t: Txn) -> Txn {
    t.notes.push(NOTE_NO_RESPONSE);
    t
}
