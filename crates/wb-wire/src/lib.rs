//! Stateless packet views for Wirebeat: link-layer, IP and transport decoding of one captured
//! frame into a [`Packet`], plus the only stateful piece of this layer, IP defragmentation.
//!
//! No-panic contract: every function here accepts arbitrary bytes; malformed or truncated input
//! gives a [`DecodeError`] naming the layer and the reason, never a panic.

mod decode;
mod defrag;
mod error;
mod link;
mod packet;
mod timestamp;

pub use decode::{decode, decode_ip_payload};
pub use defrag::{DefragConfig, DefragStats, Defragmenter, Reassembled};
pub use error::DecodeError;
pub use link::LinkType;
pub use packet::{Fragment, IcmpInfo, Packet, TcpFlags, TcpInfo, Transport, VlanTags};
pub use timestamp::{civil_from_days, Precision, Timestamp};
