//! `pgsql`: PostgreSQL statements (simple query and extended protocol) with their results,
//! with Packetbeat's fields.
//!
//! [`wire`] frames messages, [`split`] cuts a simple query into statements as the server
//! does, [`state`] follows the connection and matches results to statements, [`ecs`] writes
//! the event.

mod config;
mod ecs;
mod split;
mod state;
mod wire;

pub use config::PgsqlConfig;
pub use state::NOTE_RESPONSE_LOSS;

use crate::registry::ExampleMessage;
use crate::{
    Analyzer, CommonOptions, Configured, ConnMeta, Dir, OptionsError, ProtocolOptions,
    TransportKind,
};
use std::sync::Arc;
use wb_config::ProtocolConfig;

/// Protocol name (`type: pgsql`).
pub const NAME: &str = "pgsql";

/// An example: a simple query with two statements (rows, then an INSERT) and its results.
pub const EXAMPLE: &[ExampleMessage] = &[
    ExampleMessage {
        dir: Dir::ToServer,
        data: b"Q\0\0\0\x2eselect a from t; insert into t values (1)\0",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        // T (one column "a"), D ("x"), C "SELECT 1", C "INSERT 0 1", Z
        data: b"T\0\0\0\x1a\0\x01a\0\0\0\0\0\0\0\0\0\0\x19\xff\xff\xff\xff\xff\xff\0\0\
D\0\0\0\x0b\0\x01\0\0\0\x01x\
C\0\0\0\x0dSELECT 1\0\
C\0\0\0\x0fINSERT 0 1\0\
Z\0\0\0\x05I",
    },
];

/// The configured `pgsql` protocol.
pub type Pgsql = Configured<PgsqlConfig>;

impl ProtocolOptions for PgsqlConfig {
    const NAME: &'static str = NAME;
    const TRANSPORTS: &'static [TransportKind] = &[TransportKind::Tcp];
    fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        PgsqlConfig::from_config(cfg)
    }
    fn common(&self) -> &CommonOptions {
        &self.common
    }
    fn new_analyzer(config: &Arc<Self>, _conn: &ConnMeta) -> Box<dyn Analyzer> {
        Box::new(state::PgsqlAnalyzer::new(Arc::clone(config)))
    }
}
