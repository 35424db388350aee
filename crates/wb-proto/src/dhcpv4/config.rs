//! Options of the `dhcpv4` protocol. Packetbeat's dhcpv4 has only the common protocol options
//! (`ports` defaults to 67 and 68, set by the configuration loader).

use crate::{check_known, CommonOptions, OptionsError};
use wb_config::ProtocolConfig;

/// Option keys `type: dhcpv4` accepts besides the ones the loader takes. The common keys are
/// listed too so that a misspelt one gets a "did you mean" (they never reach this check).
const KNOWN: &[&str] = &[
    "max_message_size",
    "ports",
    "send_request",
    "send_response",
    "transaction_timeout",
];

/// Options of `type: dhcpv4`.
#[derive(Clone, Debug, PartialEq)]
pub struct Dhcpv4Config {
    /// Options shared by every protocol (`send_request` / `send_response` have no effect:
    /// Packetbeat's dhcpv4 writes no `request` / `response` text).
    pub common: CommonOptions,
}

impl Dhcpv4Config {
    /// Reads the options from a protocol entry.
    pub fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        check_known(cfg, KNOWN)?;
        Ok(Dhcpv4Config {
            common: CommonOptions::from_config(cfg)?,
        })
    }
}
