//! Options of the `dns` protocol, with Packetbeat's names and defaults.

use crate::{bool_option, check_known, CommonOptions, OptionsError};
use wb_config::ProtocolConfig;

const KNOWN: &[&str] = &[
    "max_message_size",
    "include_authorities",
    "include_additionals",
];

/// Most queries waiting for their response on one flow; when another arrives the oldest is
/// published as unanswered and counted (`too_many_pending_queries`).
pub const MAX_PENDING_QUERIES: usize = 1000;

/// Most records kept from a multi-message zone transfer; later ones are counted only.
pub const MAX_TRANSFER_RECORDS: usize = 10_000;

/// Options of `type: dns`.
#[derive(Clone, Debug, PartialEq)]
pub struct DnsConfig {
    /// Options shared by every protocol.
    pub common: CommonOptions,
    /// `include_authorities`: write `dns.authorities` (default false).
    pub include_authorities: bool,
    /// `include_additionals`: write `dns.additionals` (default false).
    pub include_additionals: bool,
}

impl DnsConfig {
    /// Reads the options from a protocol entry.
    pub fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        check_known(cfg, KNOWN)?;
        Ok(DnsConfig {
            common: CommonOptions::from_config(cfg)?,
            include_authorities: bool_option(cfg, "include_authorities", false)?,
            include_additionals: bool_option(cfg, "include_additionals", false)?,
        })
    }
}
