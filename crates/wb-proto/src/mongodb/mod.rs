//! `mongodb`: the MongoDB wire protocol — OP_MSG (body, document sequences, checksum,
//! moreToCome and exhaust replies), OP_QUERY / OP_REPLY and the other legacy opcodes,
//! OP_COMPRESSED (noop, snappy, zlib) — paired by requestID / responseTo, with Packetbeat's
//! fields.
//!
//! [`wire`] reads messages, [`bson`] documents, [`render`] writes them as JSON-like text with
//! bounds on size and depth, [`request`] and [`reply`] say what a message means, [`state`]
//! pairs them and [`ecs`] writes the event. Memory is bounded: a message over
//! `max_message_size` is described from its first bytes and the rest skipped by counting.

mod bson;
mod commands;
mod compress;
mod config;
mod ecs;
mod render;
mod reply;
mod request;
mod state;
mod unknown;
mod wire;

pub use config::MongodbConfig;
pub use render::REDACTED;

use crate::registry::ExampleMessage;
use crate::{
    Analyzer, CommonOptions, Configured, ConnMeta, Dir, OptionsError, ProtocolOptions,
    TransportKind,
};
use std::sync::Arc;
use wb_config::ProtocolConfig;

/// Protocol name (`type: mongodb`).
pub const NAME: &str = "mongodb";

/// An example conversation: an OP_QUERY `isMaster` command and its OP_REPLY, then an OP_MSG
/// `find` and its OP_MSG reply.
pub const EXAMPLE: &[ExampleMessage] = &[
    ExampleMessage {
        dir: Dir::ToServer,
        data: &[
            // header: length 58, requestID 1, responseTo 0, OP_QUERY (2004)
            58, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xd4, 7, 0, 0, //
            0, 0, 0, 0, // flags
            b'a', b'd', b'm', b'i', b'n', b'.', b'$', b'c', b'm', b'd', 0, // admin.$cmd
            0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, // numberToSkip 0, numberToReturn -1
            19, 0, 0, 0, 0x10, b'i', b's', b'M', b'a', b's', b't', b'e', b'r', 0, 1, 0, 0, 0,
            0, // {isMaster: 1}
        ],
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: &[
            // header: length 53, requestID 9, responseTo 1, OP_REPLY (1)
            53, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, //
            0, 0, 0, 0, // responseFlags
            0, 0, 0, 0, 0, 0, 0, 0, // cursorID
            0, 0, 0, 0, 1, 0, 0, 0, // startingFrom 0, numberReturned 1
            17, 0, 0, 0, 0x01, b'o', b'k', 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, // {ok: 1.0}
        ],
    },
    ExampleMessage {
        dir: Dir::ToServer,
        data: &[
            // header: length 56, requestID 2, responseTo 0, OP_MSG (2013)
            56, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0xdd, 7, 0, 0, //
            0, 0, 0, 0, 0, // flagBits, kind 0
            35, 0, 0, 0, // {find: "c", $db: "test"}
            0x02, b'f', b'i', b'n', b'd', 0, 2, 0, 0, 0, b'c', 0, //
            0x02, b'$', b'd', b'b', 0, 5, 0, 0, 0, b't', b'e', b's', b't', 0, 0,
        ],
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: &[
            // header: length 38, requestID 10, responseTo 2, OP_MSG (2013)
            38, 0, 0, 0, 10, 0, 0, 0, 2, 0, 0, 0, 0xdd, 7, 0, 0, //
            0, 0, 0, 0, 0, // flagBits, kind 0
            17, 0, 0, 0, 0x01, b'o', b'k', 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, // {ok: 1.0}
        ],
    },
];

/// The configured `mongodb` protocol.
pub type Mongodb = Configured<MongodbConfig>;

impl ProtocolOptions for MongodbConfig {
    const NAME: &'static str = NAME;
    const TRANSPORTS: &'static [TransportKind] = &[TransportKind::Tcp];
    fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        MongodbConfig::from_config(cfg)
    }
    fn common(&self) -> &CommonOptions {
        &self.common
    }
    fn new_analyzer(config: &Arc<Self>, _conn: &ConnMeta) -> Box<dyn Analyzer> {
        Box::new(state::MongodbAnalyzer::new(Arc::clone(config)))
    }
}
