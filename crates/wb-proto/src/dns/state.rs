//! Per-flow DNS state: decoding each UDP datagram or each length-prefixed TCP message, and
//! matching responses to queries by id (the flow already fixes the address/port tuple).

use super::config::{DnsConfig, MAX_PENDING_QUERIES, MAX_TRANSFER_RECORDS};
use super::ecs::{self, Side, Txn};
use super::message::Message;
use super::names::{TYPE_AXFR, TYPE_SOA};
use super::wire::WireError;
use crate::{Analyzer, Cx, Dir, GapAction, Progress, TransportKind};
use std::collections::VecDeque;
use std::sync::Arc;
use wb_wire::Timestamp;

/// Note of a query whose id was reused before it was answered.
pub const NOTE_DUPLICATE_QUERY: &str = "Another query with the same DNS ID from this client was received so this query was closed without receiving a response";
/// Note of a query that got no response within `transaction_timeout`.
pub const NOTE_NO_RESPONSE: &str = "No response to this query was received";
/// Note of a response without a query.
pub const NOTE_ORPHAN_RESPONSE: &str = "Response: received without an associated Query";
/// Note of a large UDP message (Packetbeat adds it to queries that carry EDNS, a quirk kept).
pub const NOTE_UDP_TOO_LARGE: &str = "Non-EDNS packet has size greater than 512";
/// Note of a large UDP response without EDNS.
pub const NOTE_UDP_RESPONSE_TOO_LARGE: &str = "Response: Non-EDNS packet has size greater than 512";
/// Note of an EDNS query answered without EDNS.
pub const NOTE_EDNS_NOT_SUPPORTED: &str = "Responder does not support EDNS";
/// Note of an EDNS answer to a query without EDNS.
pub const NOTE_EDNS_UNEXPECTED: &str = "Unexpected EDNS answer";
/// TCP response errors, prefixed by `Response: ` on the pending query.
pub const NOTE_ZERO_LENGTH: &str = "Response: Message's length was set to zero";
/// A TCP response that ended (gap or FIN) before its declared length.
pub const NOTE_INCOMPLETE: &str = "Response: Message's data is incomplete";
/// A TCP response that is not DNS.
pub const NOTE_NOT_DNS: &str = "Response: Message's data could not be decoded as DNS";

/// Largest UDP message without EDNS (RFC 1035 §4.2.1).
const MAX_PLAIN_UDP: u64 = 512;

/// Analyzer state of one DNS flow.
pub struct DnsAnalyzer {
    config: Arc<DnsConfig>,
    transport: TransportKind,
    pending: VecDeque<Txn>,
    /// A zone transfer whose answer spans several TCP messages, until its closing SOA.
    transfer: Option<Txn>,
    /// The id of the last query that has not been answered (for TCP response errors).
    last_query: Option<u16>,
    /// Per direction: when the first byte of a partial TCP message arrived.
    partial_since: [Option<Timestamp>; 2],
}

impl DnsAnalyzer {
    /// A fresh analyzer for a flow over `transport`.
    pub fn new(config: Arc<DnsConfig>, transport: TransportKind) -> Self {
        DnsAnalyzer {
            config,
            transport,
            pending: VecDeque::new(),
            transfer: None,
            last_query: None,
            partial_since: [None, None],
        }
    }

    fn publish(&self, txn: &Txn, cx: &mut Cx) {
        ecs::publish(txn, &self.config, cx);
    }

    /// Publishes queries older than the transaction timeout.
    fn expire_old(&mut self, now: Timestamp, cx: &mut Cx) {
        let timeout = self.config.common.timeout_nanos();
        while let Some(front) = self.pending.front() {
            let ts = front.request.as_ref().map_or(now, |r| r.ts);
            if now.nanos_since(ts) < timeout {
                break;
            }
            if let Some(mut txn) = self.pending.pop_front() {
                txn.notes.push(NOTE_NO_RESPONSE.into());
                self.publish(&txn, cx);
            }
        }
    }

    fn on_message(&mut self, msg: Message, ts: Timestamp, length: u64, cx: &mut Cx) {
        self.expire_old(ts, cx);
        let side = Side { msg, ts, length };
        if side.msg.header.response {
            self.on_response(side, cx);
        } else {
            self.on_query(side, cx);
        }
    }

    fn on_query(&mut self, side: Side, cx: &mut Cx) {
        let id = side.msg.header.id;
        if let Some(i) = self.pending.iter().position(|t| txn_id(t) == Some(id)) {
            if let Some(mut old) = self.pending.remove(i) {
                old.notes.push(NOTE_DUPLICATE_QUERY.into());
                cx.anomaly("duplicate_query_id");
                self.publish(&old, cx);
            }
        }
        if self.pending.len() >= MAX_PENDING_QUERIES {
            cx.anomaly("too_many_pending_queries");
            if let Some(mut old) = self.pending.pop_front() {
                old.notes.push(NOTE_NO_RESPONSE.into());
                self.publish(&old, cx);
            }
        }
        let mut txn = Txn::default();
        if self.transport == TransportKind::Udp
            && side.msg.opt.is_some()
            && side.length > MAX_PLAIN_UDP
        {
            txn.notes.push(NOTE_UDP_TOO_LARGE.into());
        }
        txn.request = Some(side);
        self.last_query = Some(id);
        self.pending.push_back(txn);
    }

    fn on_response(&mut self, side: Side, cx: &mut Cx) {
        let id = side.msg.header.id;
        if let Some(transfer) = self.transfer.as_mut().filter(|t| txn_id(t) == Some(id)) {
            let done = extend_transfer(transfer, side);
            if done {
                if let Some(t) = self.transfer.take() {
                    self.publish(&t, cx);
                }
            }
            return;
        }
        let mut txn = match self.pending.iter().position(|t| txn_id(t) == Some(id)) {
            Some(i) => self.pending.remove(i).unwrap_or_default(),
            None => {
                cx.anomaly("unmatched_response");
                Txn {
                    notes: vec![NOTE_ORPHAN_RESPONSE.into()],
                    ..Txn::default()
                }
            }
        };
        if self.last_query == Some(id) {
            self.last_query = None;
        }
        if self.transport == TransportKind::Udp {
            let resp_edns = side.msg.opt.is_some();
            if !resp_edns && side.length > MAX_PLAIN_UDP {
                txn.notes.push(NOTE_UDP_RESPONSE_TOO_LARGE.into());
            }
            if let Some(req) = &txn.request {
                match (req.msg.opt.is_some(), resp_edns) {
                    (true, false) => txn.notes.push(NOTE_EDNS_NOT_SUPPORTED.into()),
                    (false, true) => txn.notes.push(NOTE_EDNS_UNEXPECTED.into()),
                    _ => {}
                }
            }
        }
        let transfer_open = self.transport == TransportKind::Tcp
            && txn.request.as_ref().is_some_and(|r| {
                r.msg
                    .questions
                    .first()
                    .is_some_and(|q| q.qtype == TYPE_AXFR)
            })
            && !transfer_complete(&side.msg, 0);
        txn.response = Some(side);
        if transfer_open {
            if let Some(previous) = self.transfer.replace(txn) {
                self.publish(&previous, cx);
            }
        } else {
            self.publish(&txn, cx);
        }
    }

    /// A TCP response in `dir` could not be read: note it on the last unanswered query and
    /// publish that query, as Packetbeat does.
    fn response_error(&mut self, dir: Dir, note: &str, cx: &mut Cx) {
        if dir != Dir::ToClient {
            return;
        }
        if let Some(mut t) = self.transfer.take() {
            t.notes.push(note.into());
            self.publish(&t, cx);
            return;
        }
        let Some(id) = self.last_query.take() else {
            return;
        };
        if let Some(i) = self.pending.iter().position(|t| txn_id(t) == Some(id)) {
            if let Some(mut t) = self.pending.remove(i) {
                t.notes.push(note.into());
                self.publish(&t, cx);
            }
        }
    }

    fn tcp_data(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        let mut consumed = 0;
        loop {
            let rest = data.get(consumed..).unwrap_or_default();
            if rest.is_empty() {
                *dir.of(&mut self.partial_since) = None;
                return Progress::Done;
            }
            let since = *dir.of(&mut self.partial_since).get_or_insert(cx.now());
            let Some(&[l0, l1]) = rest.get(..2) else {
                return Progress::NeedMore {
                    consumed,
                    needed: 2,
                };
            };
            let len = usize::from(u16::from_be_bytes([l0, l1]));
            if len == 0 {
                cx.anomaly("zero_length_message");
                self.response_error(dir, NOTE_ZERO_LENGTH, cx);
                return self.drop_rest(dir);
            }
            let Some(body) = rest.get(2..2 + len) else {
                return Progress::NeedMore {
                    consumed,
                    needed: 2 + len,
                };
            };
            match Message::parse(body) {
                Ok(msg) => {
                    if msg.malformed_rdata {
                        cx.anomaly("malformed_rdata");
                    }
                    *dir.of(&mut self.partial_since) = None;
                    self.on_message(msg, since, (len + 2) as u64, cx);
                    consumed += 2 + len;
                }
                Err(_) => {
                    cx.anomaly("not_dns");
                    self.response_error(dir, NOTE_NOT_DNS, cx);
                    return self.drop_rest(dir);
                }
            }
        }
    }

    /// Drops the rest of this delivery in `dir` (Packetbeat drops the stream and starts a new
    /// one with the next segment).
    fn drop_rest(&mut self, dir: Dir) -> Progress {
        *dir.of(&mut self.partial_since) = None;
        Progress::Done
    }
}

fn txn_id(t: &Txn) -> Option<u16> {
    t.request.as_ref().map(|r| r.msg.header.id)
}

/// An AXFR answer ends with the zone's SOA repeated (RFC 5936 §2.2); an error or an empty
/// answer also ends it. `seen_soa` counts SOA records in earlier messages.
fn transfer_complete(m: &Message, seen_soa: usize) -> bool {
    let soa = m.answers.iter().filter(|r| r.rtype == TYPE_SOA).count();
    m.rcode() != 0
        || m.answers.is_empty()
        || (seen_soa + soa >= 2 && m.answers.last().is_some_and(|r| r.rtype == TYPE_SOA))
}

/// Adds a later message of a zone transfer; true when the transfer is complete.
fn extend_transfer(t: &mut Txn, side: Side) -> bool {
    let Some(resp) = t.response.as_mut() else {
        return true;
    };
    let seen_soa = resp
        .msg
        .answers
        .iter()
        .filter(|r| r.rtype == TYPE_SOA)
        .count();
    let done = transfer_complete(&side.msg, seen_soa);
    resp.length += side.length;
    for r in side.msg.answers {
        if resp.msg.answers.len() < MAX_TRANSFER_RECORDS {
            resp.msg.answers.push(r);
        } else {
            t.answers_not_kept += 1;
        }
    }
    done
}

impl Analyzer for DnsAnalyzer {
    fn on_data(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        if self.transport == TransportKind::Tcp {
            return self.tcp_data(dir, data, cx);
        }
        match Message::parse(data) {
            Ok(msg) => {
                if msg.malformed_rdata {
                    cx.anomaly("malformed_rdata");
                }
                let now = cx.now();
                self.on_message(msg, now, data.len() as u64, cx);
                Progress::Done
            }
            Err(WireError::Truncated | WireError::BadLabel) => {
                cx.anomaly("not_dns");
                Progress::Invalid
            }
            Err(WireError::NameTooLong | WireError::PointerLoop) => {
                cx.anomaly("hostile_name");
                Progress::Invalid
            }
        }
    }

    fn on_gap(&mut self, dir: Dir, _missing: u32, cx: &mut Cx) -> GapAction {
        cx.anomaly("gap");
        if dir.of(&mut self.partial_since).take().is_some() || self.transfer.is_some() {
            self.response_error(dir, NOTE_INCOMPLETE, cx);
        }
        GapAction::Continue
    }

    fn on_eof(&mut self, dir: Dir, cx: &mut Cx) {
        if dir.of(&mut self.partial_since).take().is_some() {
            self.response_error(dir, NOTE_INCOMPLETE, cx);
        }
    }

    fn on_expire(&mut self, _now: Timestamp, cx: &mut Cx) {
        if let Some(t) = self.transfer.take() {
            self.publish(&t, cx);
        }
        while let Some(mut txn) = self.pending.pop_front() {
            txn.notes.push(NOTE_NO_RESPONSE.into());
            self.publish(&txn, cx);
        }
    }
}
