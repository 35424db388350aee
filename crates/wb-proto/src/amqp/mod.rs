//! `amqp`: AMQP 0-9-1 (RabbitMQ and others) methods, content headers and bodies, with
//! Packetbeat's fields.
//!
//! [`frame`] reads the framing, [`method`] decodes method frames, [`props`] content headers,
//! [`table`] field tables, [`content`] assembles a message from its frames, [`state`] pairs
//! requests with replies per channel and [`ecs`] writes the event.

mod config;
mod content;
mod ecs;
mod frame;
mod method;
mod props;
mod state;
mod table;

pub use config::{AmqpConfig, MAX_BUFFERED_FRAME, MAX_OPEN_CONTENTS, MAX_PENDING};
pub use content::NOTE_BODY_LOSS;
pub use state::NOTE_CLOSE_OK_MISSING;

use crate::registry::ExampleMessage;
use crate::{
    Analyzer, CommonOptions, Configured, ConnMeta, Dir, OptionsError, ProtocolOptions,
    TransportKind,
};
use std::sync::Arc;
use wb_config::ProtocolConfig;

/// Protocol name (`type: amqp`).
pub const NAME: &str = "amqp";

/// An example: protocol header and queue.declare "hello" on channel 1, its declare-ok, then
/// basic.publish of "hello" (method, content header with content-type, body frame).
pub const EXAMPLE: &[ExampleMessage] = &[
    ExampleMessage {
        dir: Dir::ToServer,
        data: b"AMQP\x00\x00\x09\x01\
\x01\x00\x01\x00\x00\x00\x11\x00\x32\x00\x0a\x00\x00\x05hello\x00\x00\x00\x00\x00\xce",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: b"\x01\x00\x01\x00\x00\x00\x12\x00\x32\x00\x0b\x05hello\
\x00\x00\x00\x00\x00\x00\x00\x00\xce",
    },
    ExampleMessage {
        dir: Dir::ToServer,
        data: b"\x01\x00\x01\x00\x00\x00\x0e\x00\x3c\x00\x28\x00\x00\x00\x05hello\x00\xce\
\x02\x00\x01\x00\x00\x00\x19\x00\x3c\x00\x00\x00\x00\x00\x00\x00\x00\x00\x05\x80\x00\
\x0atext/plain\xce\
\x03\x00\x01\x00\x00\x00\x05hello\xce",
    },
];

/// The configured `amqp` protocol.
pub type Amqp = Configured<AmqpConfig>;

impl ProtocolOptions for AmqpConfig {
    const NAME: &'static str = NAME;
    const TRANSPORTS: &'static [TransportKind] = &[TransportKind::Tcp];
    fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        AmqpConfig::from_config(cfg)
    }
    fn common(&self) -> &CommonOptions {
        &self.common
    }
    fn new_analyzer(config: &Arc<Self>, _conn: &ConnMeta) -> Box<dyn Analyzer> {
        Box::new(state::AmqpAnalyzer::new(Arc::clone(config)))
    }
}
