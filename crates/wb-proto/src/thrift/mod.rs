//! `thrift`: Apache Thrift RPC calls paired with their replies, with Packetbeat's fields.
//!
//! [`parser`] decodes one message (TBinary strict or non-strict, TCompact) and [`render`]
//! writes values as Packetbeat does; [`scan`] finds where a message on a plain socket ends
//! in one pass however it is segmented; [`idl`] reads IDL files to name arguments and
//! exceptions; [`state`] frames messages (socket or framed transport) and pairs calls with
//! replies; [`ecs`] writes the event.

mod config;
mod ecs;
pub mod idl;
pub mod parser;
mod render;
mod scan;
mod state;

pub use config::{ThriftConfig, Transport};
pub use state::NOTE_RESPONSE_LOSS;

use crate::registry::ExampleMessage;
use crate::{
    Analyzer, CommonOptions, Configured, ConnMeta, Dir, OptionsError, ProtocolOptions,
    TransportKind,
};
use std::sync::Arc;
use wb_config::ProtocolConfig;

/// Protocol name (`type: thrift`).
pub const NAME: &str = "thrift";

/// An example conversation in strict TBinary over a plain socket: `ping()`, `add(1, 1)` → 2,
/// and `calculate` answered by a declared exception.
pub const EXAMPLE: &[ExampleMessage] = &[
    ExampleMessage {
        dir: Dir::ToServer,
        // version 1 | CALL, "ping", seq 0, STOP
        data: b"\x80\x01\x00\x01\x00\x00\x00\x04ping\x00\x00\x00\x00\x00",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        // version 1 | REPLY, "ping", seq 0, STOP
        data: b"\x80\x01\x00\x02\x00\x00\x00\x04ping\x00\x00\x00\x00\x00",
    },
    ExampleMessage {
        dir: Dir::ToServer,
        // CALL "add" seq 1: 1: i32 1, 2: i32 1, STOP
        data: b"\x80\x01\x00\x01\x00\x00\x00\x03add\x00\x00\x00\x01\
                \x08\x00\x01\x00\x00\x00\x01\x08\x00\x02\x00\x00\x00\x01\x00",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        // REPLY "add" seq 1: 0: i32 2, STOP
        data: b"\x80\x01\x00\x02\x00\x00\x00\x03add\x00\x00\x00\x01\
                \x08\x00\x00\x00\x00\x00\x02\x00",
    },
    ExampleMessage {
        dir: Dir::ToServer,
        // CALL "calculate" seq 2: 1: i32 1, 2: struct (1: i32 1, 2: i32 0, 3: i32 4), STOP
        data: b"\x80\x01\x00\x01\x00\x00\x00\x09calculate\x00\x00\x00\x02\
                \x08\x00\x01\x00\x00\x00\x01\
                \x0c\x00\x02\x08\x00\x01\x00\x00\x00\x01\x08\x00\x02\x00\x00\x00\x00\
                \x08\x00\x03\x00\x00\x00\x04\x00\x00",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        // REPLY "calculate" seq 2: 1: struct (1: i32 4, 2: "Cannot divide by 0"), STOP
        data: b"\x80\x01\x00\x02\x00\x00\x00\x09calculate\x00\x00\x00\x02\
                \x0c\x00\x01\x08\x00\x01\x00\x00\x00\x04\
                \x0b\x00\x02\x00\x00\x00\x12Cannot divide by 0\x00\x00",
    },
];

/// The configured `thrift` protocol.
pub type Thrift = Configured<ThriftConfig>;

impl ProtocolOptions for ThriftConfig {
    const NAME: &'static str = NAME;
    const TRANSPORTS: &'static [TransportKind] = &[TransportKind::Tcp];
    fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        ThriftConfig::from_config(cfg)
    }
    fn common(&self) -> &CommonOptions {
        &self.common
    }
    fn new_analyzer(config: &Arc<Self>, _conn: &ConnMeta) -> Box<dyn Analyzer> {
        Box::new(state::ThriftAnalyzer::new(Arc::clone(config)))
    }
}
