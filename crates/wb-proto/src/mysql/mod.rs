//! `mysql`: MySQL / MariaDB commands (COM_QUERY, prepared statements) with their results, with
//! Packetbeat's fields.
//!
//! [`wire`] reads packets and their fields, [`state`] follows the connection phase and each
//! command's response, [`ecs`] writes the event.

mod config;
mod ecs;
mod state;
mod wire;

pub use config::MysqlConfig;
pub use state::{NOTE_RESPONSE_LOSS, NOTE_UNKNOWN_STATEMENT};

use crate::registry::ExampleMessage;
use crate::{
    Analyzer, CommonOptions, Configured, ConnMeta, Dir, OptionsError, ProtocolOptions,
    TransportKind,
};
use std::sync::Arc;
use wb_config::ProtocolConfig;

/// Protocol name (`type: mysql`).
pub const NAME: &str = "mysql";

/// An example: a COM_QUERY answered by a one-column, one-row result set, then an UPDATE.
pub const EXAMPLE: &[ExampleMessage] = &[
    ExampleMessage {
        dir: Dir::ToServer,
        data: b"\x12\0\0\0\x03select a from t.x",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        // column count 1; column def (def, t, x, x, a, a, …); EOF; row "1"; EOF
        data: b"\x01\0\0\x01\x01\
\x1a\0\0\x02\x03def\x01t\x01x\x01x\x01a\x01a\x0c\x3f\0\x0b\0\0\0\x03\0\0\0\0\
\x05\0\0\x03\xfe\0\0\x02\0\
\x02\0\0\x04\x011\
\x05\0\0\x05\xfe\0\0\x02\0",
    },
    ExampleMessage {
        dir: Dir::ToServer,
        data: b"\x13\0\0\0\x03update t.x set a=2",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: b"\x07\0\0\x01\0\x01\0\x02\0\0\0",
    },
];

/// The configured `mysql` protocol.
pub type Mysql = Configured<MysqlConfig>;

impl ProtocolOptions for MysqlConfig {
    const NAME: &'static str = NAME;
    const TRANSPORTS: &'static [TransportKind] = &[TransportKind::Tcp];
    fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        MysqlConfig::from_config(cfg)
    }
    fn common(&self) -> &CommonOptions {
        &self.common
    }
    fn new_analyzer(config: &Arc<Self>, _conn: &ConnMeta) -> Box<dyn Analyzer> {
        Box::new(state::MysqlAnalyzer::new(Arc::clone(config)))
    }
}
