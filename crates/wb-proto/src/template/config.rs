//! Options of the `template` protocol.

use crate::{check_known, positive_usize, CommonOptions, OptionsError};
use wb_config::ProtocolConfig;

/// Default cap on requests waiting for a response on one connection.
pub const DEFAULT_MAX_PENDING: usize = 1000;

/// Options of `type: template`.
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateConfig {
    /// Options shared by every protocol.
    pub common: CommonOptions,
    /// `max_pending`: most requests waiting for a response per connection; older ones are
    /// published as unmatched when more arrive.
    pub max_pending: usize,
}

impl TemplateConfig {
    /// Reads the options from a protocol entry.
    pub fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        check_known(cfg, &["max_message_size", "max_pending"])?;
        let max_pending = positive_usize(
            cfg,
            "max_pending",
            DEFAULT_MAX_PENDING,
            "a positive integer",
        )?;
        Ok(TemplateConfig {
            common: CommonOptions::from_config(cfg)?,
            max_pending,
        })
    }
}
