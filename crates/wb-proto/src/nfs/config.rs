//! Options of the `nfs` protocol.

use crate::{check_known, positive_usize, CommonOptions, OptionsError};
use wb_config::ProtocolConfig;

/// Default cap on calls waiting for a reply on one connection.
pub const DEFAULT_MAX_PENDING: usize = 4096;

/// Options of `type: nfs`.
#[derive(Clone, Debug, PartialEq)]
pub struct NfsConfig {
    /// Options shared by every protocol (`transaction_timeout` defaults to 60 s for nfs).
    /// `max_message_size` caps one RPC record.
    pub common: CommonOptions,
    /// `max_pending`: most calls waiting for a reply per connection; the oldest is dropped
    /// (and counted) when a new one would exceed it.
    pub max_pending: usize,
}

impl NfsConfig {
    /// Reads the options from a protocol entry.
    pub fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        check_known(cfg, &["max_message_size", "max_pending"])?;
        Ok(NfsConfig {
            common: CommonOptions::from_config(cfg)?,
            max_pending: positive_usize(
                cfg,
                "max_pending",
                DEFAULT_MAX_PENDING,
                "a positive integer",
            )?,
        })
    }
}
