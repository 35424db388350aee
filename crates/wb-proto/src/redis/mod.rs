//! `redis`: RESP2 and RESP3 commands paired with their replies, with Packetbeat's fields.
//!
//! [`resp`] reads one item at a time (no re-parsing of long replies), [`message`] renders a
//! message as Packetbeat does, [`command`] names a request and hides credentials, [`state`]
//! pairs replies with requests in order (pipelining, MULTI/EXEC, pub/sub) and [`ecs`] writes
//! the event.

mod command;
mod config;
mod ecs;
mod message;
mod resp;
mod state;

pub use command::REDACTED;
pub use config::RedisConfig;

use crate::registry::ExampleMessage;
use crate::{
    Analyzer, CommonOptions, Configured, ConnMeta, Dir, OptionsError, ProtocolOptions,
    TransportKind,
};
use std::sync::Arc;
use wb_config::ProtocolConfig;

/// Protocol name (`type: redis`).
pub const NAME: &str = "redis";

/// An example conversation: pipelined SET and GET, an error, and an inline PING.
pub const EXAMPLE: &[ExampleMessage] = &[
    ExampleMessage {
        dir: Dir::ToServer,
        data: b"*3\r\n$3\r\nSET\r\n$4\r\nkey3\r\n$2\r\nme\r\n*2\r\n$3\r\nGET\r\n$4\r\nkey3\r\n",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: b"+OK\r\n$2\r\nme\r\n",
    },
    ExampleMessage {
        dir: Dir::ToServer,
        data: b"*2\r\n$4\r\nLLEN\r\n$4\r\nkey3\r\nPING\r\n",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n+PONG\r\n",
    },
];

/// The configured `redis` protocol.
pub type Redis = Configured<RedisConfig>;

impl ProtocolOptions for RedisConfig {
    const NAME: &'static str = NAME;
    const TRANSPORTS: &'static [TransportKind] = &[TransportKind::Tcp];
    fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        RedisConfig::from_config(cfg)
    }
    fn common(&self) -> &CommonOptions {
        &self.common
    }
    fn new_analyzer(config: &Arc<Self>, _conn: &ConnMeta) -> Box<dyn Analyzer> {
        Box::new(state::RedisAnalyzer::new(Arc::clone(config)))
    }
}
