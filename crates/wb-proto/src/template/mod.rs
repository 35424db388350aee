//! `template`: a trivial line-based request/response protocol that exercises the whole
//! analyzer contract. Copy this folder to start a new protocol.
//!
//! Wire format: the client sends one request per line (`VERB args...`, ended by `\n` or
//! `\r\n`); the server answers each request, in order, with one line starting `OK` (success)
//! or `ERR` (failure). Requests may be pipelined.

mod config;
mod ecs;
mod parser;
mod state;

pub use config::TemplateConfig;
pub use parser::{parse_line, Line, ResponseKind};

use crate::registry::ExampleMessage;
use crate::{Analyzer, ConnMeta, Dir, OptionsError, Protocol, TransportKind};
use std::sync::Arc;
use wb_config::ProtocolConfig;

/// An example conversation: two pipelined requests, an error, and a request split over lines.
pub const EXAMPLE: &[ExampleMessage] = &[
    ExampleMessage {
        dir: Dir::ToServer,
        data: b"GET alpha\r\nSET beta 2\r\n",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: b"OK 1\r\nOK\r\n",
    },
    ExampleMessage {
        dir: Dir::ToServer,
        data: b"DEL gamma\n",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: b"ERR no such key\n",
    },
];

/// Protocol name (`type: template`).
pub const NAME: &str = "template";

/// The configured `template` protocol.
#[derive(Debug)]
pub struct Template {
    config: Arc<TemplateConfig>,
}

impl Template {
    /// Builds the protocol from its `packetbeat.protocols` entry.
    pub fn build(cfg: &ProtocolConfig) -> Result<Arc<dyn Protocol>, OptionsError> {
        Ok(Arc::new(Template {
            config: Arc::new(TemplateConfig::from_config(cfg)?),
        }))
    }
}

impl Protocol for Template {
    fn name(&self) -> &'static str {
        NAME
    }
    fn transports(&self) -> &[TransportKind] {
        &[TransportKind::Tcp]
    }
    fn ports(&self) -> &[u16] {
        &self.config.common.ports
    }
    fn max_message_size(&self) -> usize {
        self.config.common.max_message_size
    }
    fn transaction_timeout_nanos(&self) -> i64 {
        self.config.common.timeout_nanos()
    }
    fn new_analyzer(&self, _conn: &ConnMeta) -> Box<dyn Analyzer> {
        Box::new(state::TemplateAnalyzer::new(Arc::clone(&self.config)))
    }
}
