//! Application protocols: the [`Protocol`] / [`Analyzer`] contract that the flow layer drives,
//! the explicit [`registry`] of protocols, shared ECS helpers, and one folder per protocol.
//!
//! Contract in short: the flow layer owns the bytes. An analyzer is fed in-order stream data
//! (or one datagram), reports how much it consumed and how much more it needs, and never keeps
//! its own copy of stream bytes; gaps, end of stream and expiry are inputs on packet time.

pub mod amqp;
mod analyzer;
pub mod cassandra;
mod configured;
mod conn;
mod context;
pub mod dhcpv4;
pub mod dns;
pub mod ecs;
pub mod http;
pub mod icmp;
pub mod kafka;
pub mod memcache;
pub mod mongodb;
pub mod mysql;
pub mod nfs;
mod options;
pub mod pgsql;
pub mod redis;
pub mod registry;
pub mod sip;
pub mod sql;
pub mod template;
pub mod thrift;
pub mod tls;

pub use analyzer::{Analyzer, GapAction, Progress, Protocol};
pub use configured::{Configured, ProtocolOptions};
pub use conn::{ConnMeta, Dir, TransportKind};
pub use context::{AnomalyCounts, Cx};
pub use options::{
    bool_option, check_known, limit_option, positive_usize, string_list, CommonOptions,
    OptionsError,
};
