//! `http`: HTTP/1.0 and 1.1 transactions, with Packetbeat's fields and options.
//!
//! Each direction is parsed by a [`stream`] state machine that needs only the header block to
//! be contiguous: bodies (Content-Length, chunked, until close) are consumed as they arrive and
//! kept only when asked for, up to `max_message_size`. Complete messages are paired FIFO
//! (pipelining) by [`pairing`]; [`ecs`] writes the event.

mod body;
mod config;
mod ecs;
mod message;
mod pairing;
mod parser;
mod state;
mod stream;
mod url;

pub use config::{HttpConfig, MAX_PENDING_REQUESTS};
pub use ecs::{NOTE_HOST_PORT_MISMATCH, NOTE_UNMATCHED_REQUEST, NOTE_UNMATCHED_RESPONSE};

use crate::registry::ExampleMessage;
use crate::{
    Analyzer, CommonOptions, Configured, ConnMeta, Dir, OptionsError, ProtocolOptions,
    TransportKind,
};
use std::sync::Arc;
use wb_config::ProtocolConfig;

/// Protocol name (`type: http`).
pub const NAME: &str = "http";

/// An example conversation: a pipelined pair of requests (one with a form body), answered with
/// a Content-Length body and a chunked body, then a HEAD.
pub const EXAMPLE: &[ExampleMessage] = &[
    ExampleMessage {
        dir: Dir::ToServer,
        data: b"GET /index.html?b=2&a=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t/1\r\n\r\n\
POST /login HTTP/1.1\r\nHost: example.com\r\nContent-Type: application/x-www-form-urlencoded\r\n\
Content-Length: 11\r\n\r\nuser=monica",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello\
HTTP/1.1 302 Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: 1\r\n\r\n",
    },
    ExampleMessage {
        dir: Dir::ToServer,
        data: b"HEAD /big HTTP/1.1\r\nHost: example.com:8080\r\n\r\n",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: b"HTTP/1.1 404 Not Found\r\nContent-Length: 100\r\n\r\n",
    },
];

/// The configured `http` protocol.
pub type Http = Configured<HttpConfig>;

impl ProtocolOptions for HttpConfig {
    const NAME: &'static str = NAME;
    const TRANSPORTS: &'static [TransportKind] = &[TransportKind::Tcp];
    fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        HttpConfig::from_config(cfg)
    }
    fn common(&self) -> &CommonOptions {
        &self.common
    }
    fn new_analyzer(config: &Arc<Self>, _conn: &ConnMeta) -> Box<dyn Analyzer> {
        Box::new(state::HttpAnalyzer::new(Arc::clone(config)))
    }
}
