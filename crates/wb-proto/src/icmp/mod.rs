//! `icmp`: ICMPv4 and ICMPv6 request/response transactions (echo, timestamp, information,
//! address mask; v6 echo) and one-message events for every other type, with Packetbeat's
//! fields and status rules. ICMP has no ports and no connections: the engine hands every
//! ICMP message to one [`IcmpTracker`] per worker when `type: icmp` is enabled.

mod ecs;
mod kinds;
mod tracker;

pub use ecs::{Msg, Txn};
pub use kinds::message;
pub use tracker::{
    IcmpPacket, IcmpTracker, MAX_PENDING_REQUESTS, NOTE_DUPLICATE_REQUEST, NOTE_NO_RESPONSE,
    NOTE_ORPHAN_RESPONSE,
};

use crate::{check_known, OptionsError};
use wb_config::ProtocolConfig;

/// Protocol name (`type: icmp`).
pub const NAME: &str = "icmp";

/// Options of `type: icmp`: only `enabled` and `transaction_timeout` act (`send_request`
/// and `send_response` are accepted and, as in Packetbeat, have no effect).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IcmpConfig {
    /// How long a request waits for its response, in nanoseconds of packet time.
    pub transaction_timeout_nanos: i64,
}

impl IcmpConfig {
    /// Reads the options from a protocol entry.
    pub fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        check_known(cfg, &[])?;
        Ok(IcmpConfig {
            transaction_timeout_nanos: i64::try_from(cfg.transaction_timeout.as_nanos())
                .unwrap_or(i64::MAX),
        })
    }
}
