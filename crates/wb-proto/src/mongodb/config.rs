//! Options of the `mongodb` protocol, with Packetbeat's names and defaults.

use crate::{check_known, limit_option, CommonOptions, OptionsError};
use wb_config::ProtocolConfig;

const KNOWN: &[&str] = &["max_message_size", "max_docs", "max_doc_length"];

/// Most requests waiting for their reply per connection; past it the oldest is dropped and
/// counted (`mongodb.unmatched_request`).
pub const MAX_PENDING: usize = 1024;
/// Most replies waiting for a request not seen yet per connection (`mongodb.unmatched_response`
/// counts those dropped).
pub const MAX_PARKED: usize = 32;

/// Most bytes of rendered text (queries, documents) held per connection by the requests
/// waiting for replies, and likewise by the replies waiting for requests; past it the oldest
/// are dropped and counted. One message's text is bounded by `max_docs` × `max_doc_length`
/// and 64 KiB per query or field.
pub const MAX_WAITING_TEXT: usize = 4 << 20;

/// Options of `type: mongodb`.
#[derive(Clone, Debug, PartialEq)]
pub struct MongodbConfig {
    /// Options shared by every protocol. `max_message_size` also caps one message: a longer
    /// one is skipped (counted, not buffered) and its event carries a note.
    pub common: CommonOptions,
    /// `max_docs`: documents written to `response` (default 10; 0 or less: all).
    pub max_docs: usize,
    /// `max_doc_length`: bytes kept of each document's line (default 5000; 0 or less: all).
    pub max_doc_length: usize,
}

impl MongodbConfig {
    /// Reads the options from a protocol entry.
    pub fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        check_known(cfg, KNOWN)?;
        Ok(MongodbConfig {
            common: CommonOptions::from_config(cfg)?,
            max_docs: limit_option(cfg, "max_docs", 10)?,
            max_doc_length: limit_option(cfg, "max_doc_length", 5000)?,
        })
    }
}
