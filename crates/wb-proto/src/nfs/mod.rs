//! `nfs`: NFS v3 and v4 (4.0, 4.1, 4.2) calls over ONC RPC on TCP, paired with their replies
//! by xid, with Packetbeat's `nfs.*` and `rpc.*` fields.
//!
//! [`record`] reassembles record-marked fragments (keeping only a bounded head of each
//! record), [`rpc`] parses call and reply headers over [`xdr`], [`procedure`] names the NFS
//! operation and status with [`names`], [`state`] pairs calls and replies and expires the
//! unanswered ones, and [`ecs`] writes the event.

mod config;
mod ecs;
mod example;
mod names;
mod procedure;
mod record;
mod rpc;
mod state;
mod xdr;

pub use config::NfsConfig;

use crate::registry::ExampleMessage;
use crate::{
    Analyzer, CommonOptions, Configured, ConnMeta, Dir, OptionsError, ProtocolOptions,
    TransportKind,
};
use std::sync::Arc;
use wb_config::ProtocolConfig;

/// Protocol name (`type: nfs`).
pub const NAME: &str = "nfs";

/// An example conversation: an NFSv3 GETATTR and a two-fragment NFSv4.1 COMPOUND in one
/// segment, answered in the other order.
pub const EXAMPLE: &[ExampleMessage] = &[
    ExampleMessage {
        dir: Dir::ToServer,
        data: example::CALLS,
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: example::REPLIES,
    },
];

/// The configured `nfs` protocol.
pub type Nfs = Configured<NfsConfig>;

impl ProtocolOptions for NfsConfig {
    const NAME: &'static str = NAME;
    const TRANSPORTS: &'static [TransportKind] = &[TransportKind::Tcp];
    fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        NfsConfig::from_config(cfg)
    }
    fn common(&self) -> &CommonOptions {
        &self.common
    }
    fn new_analyzer(config: &Arc<Self>, _conn: &ConnMeta) -> Box<dyn Analyzer> {
        Box::new(state::NfsAnalyzer::new(Arc::clone(config)))
    }
}
