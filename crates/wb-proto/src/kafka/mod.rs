//! `kafka`: the Kafka wire protocol (port 9092). Requests and responses are size-prefixed;
//! responses carry only the correlation id, so each request's api key and version wait in
//! [`pending`] until the response with the same correlation id arrives.
//!
//! [`reader`] reads the primitive types (classic and compact), [`api`] names api keys and
//! knows their flexible versions, [`request`] and [`response`] decode the bodies of the main
//! APIs into a [`summary`], [`records`] counts records in record batches, [`state`] frames,
//! resynchronises and pairs, [`ecs`] writes the event.
//!
//! Limits: messages over `max_message_size` are skipped by counting (header only); at most
//! `max_pending_requests` requests wait per connection; at most 32 topic names per message.
//! SaslAuthenticate auth bytes are never read. Unknown api keys are paired and reported
//! without body decoding.

mod api;
mod config;
mod ecs;
mod errors;
mod message;
mod pending;
mod reader;
mod records;
mod request;
mod response;
mod state;
mod summary;

pub use config::KafkaConfig;
pub use state::{NOTE_LOSS, NOTE_TOO_LARGE, NOTE_UNMATCHED_REQUEST, NOTE_UNMATCHED_RESPONSE};

use crate::registry::ExampleMessage;
use crate::{
    Analyzer, CommonOptions, Configured, ConnMeta, Dir, OptionsError, ProtocolOptions,
    TransportKind,
};
use std::sync::Arc;
use wb_config::ProtocolConfig;

/// Protocol name (`type: kafka`).
pub const NAME: &str = "kafka";

/// An example conversation: ApiVersions v3 (flexible request, v0 response header), then
/// Metadata v1 for topic `t`.
pub const EXAMPLE: &[ExampleMessage] = &[
    ExampleMessage {
        dir: Dir::ToServer,
        data: b"\x00\x00\x00\x13\x00\x12\x00\x03\x00\x00\x00\x01\x00\x02wb\x00\x03wb\x021\x00",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: b"\x00\x00\x00\x13\x00\x00\x00\x01\x00\x00\x02\x00\x12\x00\x00\x00\x03\x00\
                \x00\x00\x00\x00\x00",
    },
    ExampleMessage {
        dir: Dir::ToServer,
        data:
            b"\x00\x00\x00\x13\x00\x03\x00\x01\x00\x00\x00\x02\x00\x02wb\x00\x00\x00\x01\x00\x01t",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: b"\x00\x00\x00\x27\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\x00\x00\x01h\
                \x00\x00\x23\x84\xff\xff\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x01t\x00\
                \x00\x00\x00\x00",
    },
];

/// The configured `kafka` protocol.
pub type Kafka = Configured<KafkaConfig>;

impl ProtocolOptions for KafkaConfig {
    const NAME: &'static str = NAME;
    const TRANSPORTS: &'static [TransportKind] = &[TransportKind::Tcp];
    fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        KafkaConfig::from_config(cfg)
    }
    fn common(&self) -> &CommonOptions {
        &self.common
    }
    fn new_analyzer(config: &Arc<Self>, _conn: &ConnMeta) -> Box<dyn Analyzer> {
        Box::new(state::KafkaAnalyzer::new(Arc::clone(config)))
    }
}
