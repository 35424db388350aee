//! Who talks to whom on one connection.

use std::net::SocketAddr;

/// Direction of data relative to the connection's client (the side that sends requests).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dir {
    /// From the client to the server (requests).
    ToServer,
    /// From the server to the client (responses).
    ToClient,
}

impl Dir {
    /// The opposite direction.
    pub fn reverse(self) -> Dir {
        match self {
            Dir::ToServer => Dir::ToClient,
            Dir::ToClient => Dir::ToServer,
        }
    }

    /// 0 for `ToServer`, 1 for `ToClient`: an index for per-direction arrays.
    pub fn index(self) -> usize {
        match self {
            Dir::ToServer => 0,
            Dir::ToClient => 1,
        }
    }

    /// This direction's element of a per-direction pair (`[to_server, to_client]`).
    pub fn of<T>(self, pair: &mut [T; 2]) -> &mut T {
        let [to_server, to_client] = pair;
        match self {
            Dir::ToServer => to_server,
            Dir::ToClient => to_client,
        }
    }
}

/// Transport of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransportKind {
    /// A TCP stream.
    Tcp,
    /// UDP datagrams.
    Udp,
}

impl TransportKind {
    /// `network.transport` value.
    pub fn as_str(self) -> &'static str {
        match self {
            TransportKind::Tcp => "tcp",
            TransportKind::Udp => "udp",
        }
    }

    /// IANA protocol number.
    pub fn iana_number(self) -> u8 {
        match self {
            TransportKind::Tcp => 6,
            TransportKind::Udp => 17,
        }
    }
}

/// The endpoints of one connection (or UDP flow), with the client/server roles decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnMeta {
    /// The requesting side.
    pub client: SocketAddr,
    /// The answering side (its port is the protocol's configured port).
    pub server: SocketAddr,
    /// TCP or UDP.
    pub transport: TransportKind,
    /// Engine-wide sequence number of the connection, stable for its life.
    pub id: u64,
}
