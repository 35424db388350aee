//! `cassandra`: the CQL native protocol v3–v5 (port 9042), with Packetbeat's `cassandra.*`
//! fields.
//!
//! [`frame`] reads frame headers, [`segment`] the v5 outer framing (CRC24/CRC32 segments),
//! [`spanning`] frames spread over several segments, [`compress`] snappy and lz4 bodies,
//! [`reader`] the body notations, [`body`], [`result`] and [`error`] the messages, [`state`] the
//! per-direction parse loop and resynchronisation, [`pending`] pairing (by stream id, or in
//! order as Packetbeat does), [`ecs`] the event.
//!
//! Limits: frames over `max_message_size` are skipped by counting (header fields only;
//! RESULT frames are decoded from their first bytes); at most `max_pending_requests`
//! requests wait per connection. AUTH_RESPONSE / AUTH_CHALLENGE tokens are never decoded.

mod body;
mod compress;
mod config;
mod ecs;
mod error;
mod fields;
mod frame;
mod message;
mod pending;
mod reader;
mod result;
pub mod segment;
mod spanning;
mod state;

pub use config::{CassandraConfig, Compressor, Pairing};
pub use state::{NOTE_TOO_LARGE, NOTE_UNCOMPRESSED};

use crate::registry::ExampleMessage;
use crate::{
    Analyzer, CommonOptions, Configured, ConnMeta, Dir, OptionsError, ProtocolOptions,
    TransportKind,
};
use std::sync::Arc;
use wb_config::ProtocolConfig;

/// Protocol name (`type: cassandra`).
pub const NAME: &str = "cassandra";

/// An example conversation (v4): STARTUP → READY, then a QUERY answered by one row.
pub const EXAMPLE: &[ExampleMessage] = &[
    ExampleMessage {
        dir: Dir::ToServer,
        data: b"\x04\x00\x00\x00\x01\x00\x00\x00\x16\x00\x01\x00\x0bCQL_VERSION\x00\x053.0.0",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: b"\x84\x00\x00\x00\x02\x00\x00\x00\x00",
    },
    ExampleMessage {
        dir: Dir::ToServer,
        data: b"\x04\x00\x00\x01\x07\x00\x00\x00\x19\x00\x00\x00\x12SELECT v FROM ks.t\x00\x01\x00",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data:
            b"\x84\x00\x00\x01\x08\x00\x00\x00\x22\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\x01\
                \x00\x02ks\x00\x01t\x00\x01v\x00\x0d\x00\x00\x00\x01\x00\x00\x00\x02hi",
    },
];

/// The configured `cassandra` protocol.
pub type Cassandra = Configured<CassandraConfig>;

impl ProtocolOptions for CassandraConfig {
    const NAME: &'static str = NAME;
    const TRANSPORTS: &'static [TransportKind] = &[TransportKind::Tcp];
    fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        CassandraConfig::from_config(cfg)
    }
    fn common(&self) -> &CommonOptions {
        &self.common
    }
    fn new_analyzer(config: &Arc<Self>, _conn: &ConnMeta) -> Box<dyn Analyzer> {
        Box::new(state::CassandraAnalyzer::new(Arc::clone(config)))
    }
}
