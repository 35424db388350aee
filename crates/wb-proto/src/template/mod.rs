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
use crate::{
    Analyzer, CommonOptions, Configured, ConnMeta, Dir, OptionsError, ProtocolOptions,
    TransportKind,
};
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
pub type Template = Configured<TemplateConfig>;

impl ProtocolOptions for TemplateConfig {
    const NAME: &'static str = NAME;
    const TRANSPORTS: &'static [TransportKind] = &[TransportKind::Tcp];
    fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        TemplateConfig::from_config(cfg)
    }
    fn common(&self) -> &CommonOptions {
        &self.common
    }
    fn new_analyzer(config: &Arc<Self>, _conn: &ConnMeta) -> Box<dyn Analyzer> {
        Box::new(state::TemplateAnalyzer::new(Arc::clone(config)))
    }
}
