//! Options of the `kafka` protocol: the common ones plus `max_pending_requests`.

use crate::{check_known, positive_usize, CommonOptions, OptionsError};
use wb_config::ProtocolConfig;

/// Default of `max_pending_requests`.
pub const DEFAULT_MAX_PENDING: usize = 1024;

/// Options of `type: kafka`.
#[derive(Clone, Debug, PartialEq)]
pub struct KafkaConfig {
    /// Options shared by every protocol.
    pub common: CommonOptions,
    /// `max_pending_requests`: most requests waiting for a response per connection; the
    /// oldest is published unanswered (and counted) when more arrive.
    pub max_pending: usize,
}

impl KafkaConfig {
    /// Reads the options from a protocol entry.
    pub fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        check_known(cfg, &["max_message_size", "max_pending_requests"])?;
        Ok(KafkaConfig {
            common: CommonOptions::from_config(cfg)?,
            max_pending: positive_usize(
                cfg,
                "max_pending_requests",
                DEFAULT_MAX_PENDING,
                "a positive number of requests",
            )?,
        })
    }
}
