//! `dns`: DNS over UDP and TCP, one event per query/response pair with Packetbeat's fields.
//!
//! [`wire`] reads the wire format defensively (compression loops, oversize names, lying
//! counts), [`rdata`] and [`svcb`] render record data, [`message`] decodes a whole message
//! with its EDNS record, [`state`] matches responses to queries by id per flow (every TCP
//! message of a segment is decoded, and a zone transfer spanning messages is one
//! transaction), and [`ecs`] writes the event.

mod config;
mod ecs;
mod message;
mod names;
mod rdata;
mod state;
mod svcb;
mod text;
mod wire;

pub use config::{DnsConfig, MAX_PENDING_QUERIES, MAX_TRANSFER_RECORDS};
pub use message::Message;
pub use state::{
    NOTE_DUPLICATE_QUERY, NOTE_EDNS_NOT_SUPPORTED, NOTE_EDNS_UNEXPECTED, NOTE_INCOMPLETE,
    NOTE_NOT_DNS, NOTE_NO_RESPONSE, NOTE_ORPHAN_RESPONSE, NOTE_UDP_RESPONSE_TOO_LARGE,
    NOTE_UDP_TOO_LARGE, NOTE_ZERO_LENGTH,
};

use crate::registry::ExampleMessage;
use crate::{
    Analyzer, CommonOptions, Configured, ConnMeta, Dir, OptionsError, ProtocolOptions,
    TransportKind,
};
use std::sync::Arc;
use wb_config::ProtocolConfig;

/// Protocol name (`type: dns`).
pub const NAME: &str = "dns";

/// An example exchange: an A query for example.com and its one-answer response.
pub const EXAMPLE: &[ExampleMessage] = &[
    ExampleMessage {
        dir: Dir::ToServer,
        // id 0x1a2b, RD, one question: example.com A IN
        data: b"\x1a\x2b\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\
\x07example\x03com\x00\x00\x01\x00\x01",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        // same id, QR RD RA, the question, one answer: A 93.184.216.34 ttl 300
        data: b"\x1a\x2b\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00\
\x07example\x03com\x00\x00\x01\x00\x01\
\xc0\x0c\x00\x01\x00\x01\x00\x00\x01\x2c\x00\x04\x5d\xb8\xd8\x22",
    },
];

/// The configured `dns` protocol (UDP and TCP on the same ports).
pub type Dns = Configured<DnsConfig>;

impl ProtocolOptions for DnsConfig {
    const NAME: &'static str = NAME;
    const TRANSPORTS: &'static [TransportKind] = &[TransportKind::Udp, TransportKind::Tcp];
    fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        DnsConfig::from_config(cfg)
    }
    fn common(&self) -> &CommonOptions {
        &self.common
    }
    fn new_analyzer(config: &Arc<Self>, conn: &ConnMeta) -> Box<dyn Analyzer> {
        Box::new(state::DnsAnalyzer::new(Arc::clone(config), conn.transport))
    }
}
