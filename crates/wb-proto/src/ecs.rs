//! The ECS fields every transaction event shares (Packetbeat's `pb.Fields` rules): type,
//! status, event.*, source/destination/client/server, network.*, related.ip, error.message.

use crate::{ConnMeta, TransportKind};
use wb_event::{community_id, CommunityIdInput, Event, Value};
use wb_wire::Timestamp;

/// Outcome of a transaction as written to the top-level `status` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// `OK`.
    Ok,
    /// `Error`.
    Error,
    /// `Client Error` (memcache: a response without request, a client error reply).
    ClientError,
    /// `Server Error` (memcache: an unanswered request, a server error reply).
    ServerError,
    /// `NO_REPLY` (nfs: a call that got no reply within the transaction timeout).
    NoReply,
}

impl Status {
    /// The field value.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Error => "Error",
            Status::ClientError => "Client Error",
            Status::ServerError => "Server Error",
            Status::NoReply => "NO_REPLY",
        }
    }
}

/// Which ends `client.*` and `server.*` name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Roles {
    /// `client.*` = `source.*` (the connection's client), `server.*` = `destination.*`: every
    /// protocol but dhcpv4.
    #[default]
    AsConnection,
    /// `client.*` = `destination.*`, `server.*` = `source.*`, each with its own bytes:
    /// Packetbeat's dhcpv4 for a BOOTREPLY, whose sender is the server.
    Reversed,
}

/// The shared facts of one transaction.
#[derive(Clone, Debug)]
pub struct Transaction<'a> {
    /// Protocol name (`type`, `event.dataset`, `network.protocol`).
    pub protocol: &'static str,
    /// The connection it happened on.
    pub conn: &'a ConnMeta,
    /// Time of the request's first byte, if a request was seen.
    pub start: Option<Timestamp>,
    /// Time of the response's last byte, if a response was seen.
    pub end: Option<Timestamp>,
    /// Request size in application bytes (0 = omitted).
    pub request_bytes: u64,
    /// Response size in application bytes (0 = omitted).
    pub response_bytes: u64,
    /// `status`.
    pub status: Status,
    /// Notes for `error.message` (one → string, several → list).
    pub notes: &'a [String],
}

impl Transaction<'_> {
    /// Builds the event with every shared field set; the protocol adds its own afterwards.
    pub fn to_event(&self) -> Event {
        self.to_event_with_roles(Roles::AsConnection)
    }

    /// [`Transaction::to_event`] with `client.*` / `server.*` chosen by `roles` instead of
    /// always copying `source.*` / `destination.*`.
    pub fn to_event_with_roles(&self, roles: Roles) -> Event {
        let ts = self.start.or(self.end).unwrap_or_default();
        let mut e = Event::new(ts);
        let c = self.conn;
        e.push("type", self.protocol);
        e.push("status", self.status.as_str());
        e.push("event.kind", "event");
        e.push("event.category", Value::List(vec!["network".into()]));
        e.push(
            "event.type",
            Value::List(vec!["connection".into(), "protocol".into()]),
        );
        e.push("event.dataset", self.protocol);
        if let Some(start) = self.start {
            e.push("event.start", start);
        }
        if let Some(end) = self.end {
            e.push("event.end", end);
        }
        if let (Some(start), Some(end)) = (self.start, self.end) {
            if end >= start {
                e.push("event.duration", end.nanos_since(start));
            }
        }
        let (client, client_bytes, server, server_bytes) = match roles {
            Roles::AsConnection => (c.client, self.request_bytes, c.server, self.response_bytes),
            Roles::Reversed => (c.server, self.response_bytes, c.client, self.request_bytes),
        };
        push_endpoint(&mut e, "source", c.client, self.request_bytes);
        push_endpoint(&mut e, "client", client, client_bytes);
        push_endpoint(&mut e, "destination", c.server, self.response_bytes);
        push_endpoint(&mut e, "server", server, server_bytes);
        e.push("network.transport", c.transport.as_str());
        e.push(
            "network.type",
            if c.client.is_ipv4() { "ipv4" } else { "ipv6" },
        );
        e.push("network.protocol", self.protocol);
        let total = self.request_bytes + self.response_bytes;
        if total > 0 {
            e.push("network.bytes", total);
        }
        e.push("network.community_id", conn_community_id(c));
        let mut related = vec![Value::Ip(c.client.ip())];
        if c.server.ip() != c.client.ip() {
            related.push(Value::Ip(c.server.ip()));
        }
        e.push("related.ip", Value::List(related));
        match self.notes {
            [] => {}
            [one] => e.push("error.message", one.clone()),
            many => e.push(
                "error.message",
                Value::List(many.iter().map(|n| Value::Str(n.clone())).collect()),
            ),
        }
        e
    }
}

fn push_endpoint(e: &mut Event, side: &'static str, addr: std::net::SocketAddr, bytes: u64) {
    let (ip, port, b) = match side {
        "source" => ("source.ip", "source.port", "source.bytes"),
        "client" => ("client.ip", "client.port", "client.bytes"),
        "destination" => ("destination.ip", "destination.port", "destination.bytes"),
        _ => ("server.ip", "server.port", "server.bytes"),
    };
    e.push(ip, addr.ip());
    e.push(port, addr.port());
    if bytes > 0 {
        e.push(b, bytes);
    }
}

/// Community ID of a connection, client as source.
pub fn conn_community_id(c: &ConnMeta) -> String {
    community_id(
        CommunityIdInput {
            src_ip: c.client.ip(),
            dst_ip: c.server.ip(),
            protocol: match c.transport {
                TransportKind::Tcp => 6,
                TransportKind::Udp => 17,
            },
            src_port: c.client.port(),
            dst_port: c.server.port(),
        },
        0,
    )
}
