//! `memcache`: the text and binary memcache protocols over TCP and UDP, with Packetbeat's
//! `memcache.*` fields and statuses.
//!
//! [`codes`](self) names commands, opcodes and statuses; the parser reads a message head
//! (text line, binary header + extras + key); the stream reader consumes data blocks as they
//! arrive, keeping only what `maxvalues` / `maxbytespervalue` ask for; multi-part replies are
//! merged; TCP pairing is FIFO for text and by opaque for binary (quiet requests); UDP
//! collects datagrams by request id; the ECS writer never shows SASL data.

mod codes;
mod config;
mod ecs;
mod merge;
mod message;
mod parser;
mod state;
mod stream;
mod udp;

pub use config::{MemcacheConfig, DEFAULT_MAX_PENDING, DEFAULT_UDP_TIMEOUT};
pub use ecs::{NOTE_MISSING_RESPONSE, NOTE_REQUEST_MISSING, NOTE_UNFINISHED};
pub use stream::{NOTE_REQUEST_LOSS, NOTE_RESPONSE_LOSS};

use crate::registry::ExampleMessage;
use crate::{
    Analyzer, CommonOptions, Configured, ConnMeta, Dir, OptionsError, ProtocolOptions,
    TransportKind,
};
use std::sync::Arc;
use wb_config::ProtocolConfig;

/// Protocol name (`type: memcache`).
pub const NAME: &str = "memcache";

/// An example conversation over the text protocol: a store, a multi-key load with one hit,
/// a counter and a delete of a missing key.
pub const EXAMPLE: &[ExampleMessage] = &[
    ExampleMessage {
        dir: Dir::ToServer,
        data: b"set k 5 0 5\r\nhello\r\nget k x\r\n",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: b"STORED\r\nVALUE k 5 5\r\nhello\r\nEND\r\n",
    },
    ExampleMessage {
        dir: Dir::ToServer,
        data: b"incr n 2\r\ndelete x\r\n",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: b"7\r\nNOT_FOUND\r\n",
    },
];

/// The configured `memcache` protocol (TCP and UDP on the same ports).
pub type Memcache = Configured<MemcacheConfig>;

impl ProtocolOptions for MemcacheConfig {
    const NAME: &'static str = NAME;
    const TRANSPORTS: &'static [TransportKind] = &[TransportKind::Tcp, TransportKind::Udp];
    fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        MemcacheConfig::from_config(cfg)
    }
    fn common(&self) -> &CommonOptions {
        &self.common
    }
    fn new_analyzer(config: &Arc<Self>, conn: &ConnMeta) -> Box<dyn Analyzer> {
        Box::new(state::MemcacheAnalyzer::new(
            Arc::clone(config),
            conn.transport,
        ))
    }
}
