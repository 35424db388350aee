//! `dhcpv4`: DHCP for IPv4 (RFC 2131, options RFC 2132), with Packetbeat's `dhcpv4.*` fields.
//!
//! One event per datagram: no pairing of requests with replies, `status` always `OK`.
//! `source` / `destination` are the datagram's sender and receiver; `client` / `server` follow
//! the op code (a BOOTREPLY is sent by the server), whatever the flow layer decided from the
//! ports. Datagrams that do not decode are counted as anomalies and dropped.

mod config;
mod ecs;
mod names;
mod parser;
mod state;

pub use config::Dhcpv4Config;
pub use names::{hardware_type_name, message_type_name, option_name};
pub use parser::{
    code, parse, vendor_classes, Message, Options, ParseError, HEADER_LEN, MAGIC_COOKIE,
    OP_BOOTREPLY, OP_BOOTREQUEST,
};
pub use state::ANOMALY_BAD_OVERLOAD;

use crate::registry::ExampleMessage;
use crate::{
    Analyzer, CommonOptions, Configured, ConnMeta, Dir, OptionsError, ProtocolOptions,
    TransportKind,
};
use std::sync::Arc;
use wb_config::ProtocolConfig;

/// Protocol name (`type: dhcpv4`).
pub const NAME: &str = "dhcpv4";

/// Client hardware address of the example.
const EXAMPLE_MAC: [u8; 6] = [0x02, 0x42, 0x0a, 0x63, 0x00, 0x32];

/// A 300-byte BOOTP message (RFC 951's minimum size): header fields, the example's xid and
/// MAC, the magic cookie and `options` (which must fit in 60 bytes), padded with zeros.
// Indexing constant data at compile time: an out-of-range index fails the build, not a run.
#[allow(clippy::indexing_slicing)]
const fn example_message(op: u8, yiaddr: [u8; 4], siaddr: [u8; 4], options: &[u8]) -> [u8; 300] {
    let mut m = [0u8; 300];
    m[0] = op;
    m[1] = 1; // htype: Ethernet
    m[2] = 6; // hlen
    let xid = [0x5a, 0x17, 0xc0, 0xde];
    let mut i = 0;
    while i < 4 {
        m[4 + i] = xid[i];
        m[16 + i] = yiaddr[i];
        m[20 + i] = siaddr[i];
        m[236 + i] = MAGIC_COOKIE[i];
        i += 1;
    }
    m[10] = 0x80; // flags: broadcast
    i = 0;
    while i < 6 {
        m[28 + i] = EXAMPLE_MAC[i];
        i += 1;
    }
    i = 0;
    while i < options.len() {
        m[240 + i] = options[i];
        i += 1;
    }
    m
}

/// DISCOVER: message type, client id, parameter request list, max size, host name, vendor
/// class.
const EXAMPLE_DISCOVER: [u8; 300] = example_message(
    parser::OP_BOOTREQUEST,
    [0; 4],
    [0; 4],
    &[
        53, 1, 1, // DHCP Message Type: DISCOVER
        61, 7, 1, 0x02, 0x42, 0x0a, 0x63, 0x00, 0x32, // Client identifier
        55, 5, 1, 3, 6, 15, 42, // Parameter Request List
        57, 2, 0x05, 0xdc, // Maximum DHCP Message Size: 1500
        12, 8, b'w', b'i', b'r', b'e', b'b', b'e', b'a', b't', // Host Name
        60, 5, b'u', b'd', b'h', b'c', b'p', // Class Identifier
        255,
    ],
);

/// OFFER of 10.99.0.50 by 10.99.0.1.
const EXAMPLE_OFFER: [u8; 300] = example_message(
    parser::OP_BOOTREPLY,
    [10, 99, 0, 50],
    [10, 99, 0, 1],
    &[
        53, 1, 2, // DHCP Message Type: OFFER
        54, 4, 10, 99, 0, 1, // Server Identifier
        51, 4, 0, 0, 0x0e, 0x10, // Lease Time: 3600
        58, 4, 0, 0, 0x07, 0x08, // Renewal: 1800
        59, 4, 0, 0, 0x0c, 0x4e, // Rebinding: 3150
        1, 4, 255, 255, 255, 0, // Subnet Mask
        3, 4, 10, 99, 0, 1, // Router
        6, 8, 10, 99, 0, 1, 10, 99, 0, 2, // Domain Name Servers
        28, 4, 10, 99, 0, 255, // Broadcast Address
        255,
    ],
);

/// An example exchange: a client's DISCOVER and the server's OFFER.
pub const EXAMPLE: &[ExampleMessage] = &[
    ExampleMessage {
        dir: Dir::ToServer,
        data: &EXAMPLE_DISCOVER,
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: &EXAMPLE_OFFER,
    },
];

/// The configured `dhcpv4` protocol.
pub type Dhcpv4 = Configured<Dhcpv4Config>;

impl ProtocolOptions for Dhcpv4Config {
    const NAME: &'static str = NAME;
    const TRANSPORTS: &'static [TransportKind] = &[TransportKind::Udp];
    fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        Dhcpv4Config::from_config(cfg)
    }
    fn common(&self) -> &CommonOptions {
        &self.common
    }
    fn new_analyzer(_config: &Arc<Self>, _conn: &ConnMeta) -> Box<dyn Analyzer> {
        Box::new(state::Dhcpv4Analyzer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_messages_decode() {
        let discover = parse(&EXAMPLE_DISCOVER).unwrap();
        assert_eq!(discover.op, OP_BOOTREQUEST);
        assert_eq!(discover.options.u8(code::MESSAGE_TYPE), Some(1));
        assert_eq!(discover.chaddr, EXAMPLE_MAC);
        let offer = parse(&EXAMPLE_OFFER).unwrap();
        assert_eq!(offer.op, OP_BOOTREPLY);
        assert_eq!(offer.options.u8(code::MESSAGE_TYPE), Some(2));
        assert_eq!(offer.yiaddr, std::net::Ipv4Addr::new(10, 99, 0, 50));
    }

    /// The committed fuzz seed is the example: segment-size byte, DISCOVER, 0xFE, OFFER.
    #[test]
    fn fuzz_seed_is_the_example() {
        let seed = include_bytes!("../../../../fuzz/corpus/analyzers/dhcpv4_discover_offer");
        let mut expected = vec![3u8];
        expected.extend_from_slice(&EXAMPLE_DISCOVER);
        expected.push(0xfe);
        expected.extend_from_slice(&EXAMPLE_OFFER);
        assert_eq!(&seed[..], &expected[..]);
        assert!(!EXAMPLE_DISCOVER.contains(&0xfe) && !EXAMPLE_OFFER.contains(&0xfe));
    }
}
