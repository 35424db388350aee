//! An ICMP transaction → its event, with Packetbeat's fields: no ports, `path` = the
//! requested address, `icmp.request` / `icmp.response` type, code and message.

use super::kinds::{is_error, is_pair, message, Version};
use std::net::IpAddr;
use wb_event::{community_id, CommunityIdInput, Event, Value};
use wb_wire::Timestamp;

/// One ICMP message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Msg {
    /// Capture time.
    pub ts: Timestamp,
    /// Type.
    pub icmp_type: u8,
    /// Code.
    pub code: u8,
    /// Bytes after the 8-byte ICMP header.
    pub length: u64,
}

/// A request and/or its response between `src` (the requester) and `dst`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Txn {
    /// 4 or 6.
    pub version: Version,
    /// The requester.
    pub src: IpAddr,
    /// The requested address.
    pub dst: IpAddr,
    /// Echo identifier (0 for other types).
    pub id: u16,
    /// Echo sequence number (0 for other types).
    pub seq: u16,
    /// The request.
    pub request: Option<Msg>,
    /// The response.
    pub response: Option<Msg>,
    /// Notes for `error.message`.
    pub notes: Vec<&'static str>,
}

impl Txn {
    /// Packetbeat's error rule: no request, an error type on either side, or a pair-type
    /// request without response.
    pub fn has_error(&self) -> bool {
        let v = self.version;
        match (self.request, self.response) {
            (None, _) => true,
            (Some(req), resp) => {
                is_error(v, req.icmp_type)
                    || resp.is_some_and(|r| is_error(v, r.icmp_type))
                    || (resp.is_none() && is_pair(v, req.icmp_type))
            }
        }
    }

    /// The event.
    pub fn to_event(&self) -> Event {
        let first = self.request.or(self.response);
        let mut e = Event::new(first.map_or(Timestamp(0), |m| m.ts));
        e.push("type", super::NAME);
        e.push("status", if self.has_error() { "Error" } else { "OK" });
        e.push("path", self.dst);
        e.push("event.kind", "event");
        e.push("event.category", Value::List(vec!["network".into()]));
        e.push("event.type", Value::List(vec!["connection".into()]));
        e.push("event.dataset", super::NAME);
        e.push("icmp.version", u64::from(self.version));
        let bytes = |m: Option<Msg>| m.map_or(0, |m| m.length);
        for (side, role, msg) in [
            ("source", "client", self.request),
            ("destination", "server", self.response),
        ] {
            let ip = if side == "source" { self.src } else { self.dst };
            e.push(format!("{side}.ip"), ip);
            e.push(format!("{role}.ip"), ip);
            if bytes(msg) > 0 {
                e.push(format!("{side}.bytes"), bytes(msg));
                e.push(format!("{role}.bytes"), bytes(msg));
            }
        }
        for (key, msg) in [("request", self.request), ("response", self.response)] {
            if let Some(m) = msg {
                e.push(
                    format!("icmp.{key}.message"),
                    message(self.version, m.icmp_type, m.code),
                );
                e.push(format!("icmp.{key}.type"), u64::from(m.icmp_type));
                e.push(format!("icmp.{key}.code"), u64::from(m.code));
            }
        }
        if let Some(req) = self.request {
            e.push("event.start", req.ts);
        }
        if let Some(resp) = self.response {
            e.push("event.end", resp.ts);
        }
        if let (Some(req), Some(resp)) = (self.request, self.response) {
            if resp.ts >= req.ts {
                e.push("event.duration", resp.ts.nanos_since(req.ts));
            }
        }
        let v6 = self.version == 6;
        e.push("network.transport", if v6 { "ipv6-icmp" } else { "icmp" });
        e.push("network.type", if v6 { "ipv6" } else { "ipv4" });
        let total = bytes(self.request) + bytes(self.response);
        if total > 0 {
            e.push("network.bytes", total);
        }
        if let Some(m) = first {
            e.push(
                "network.community_id",
                community_id(
                    CommunityIdInput {
                        src_ip: self.src,
                        dst_ip: self.dst,
                        protocol: if v6 { 58 } else { 1 },
                        src_port: u16::from(m.icmp_type),
                        dst_port: u16::from(m.code),
                    },
                    0,
                ),
            );
        }
        let mut related = vec![Value::Ip(self.src)];
        if self.dst != self.src {
            related.push(Value::Ip(self.dst));
        }
        e.push("related.ip", Value::List(related));
        match self.notes.as_slice() {
            [] => {}
            [one] => e.push("error.message", *one),
            many => e.push(
                "error.message",
                Value::List(many.iter().map(|n| Value::Static(n)).collect()),
            ),
        }
        e
    }
}
