//! Options of the `pgsql` protocol, with Packetbeat's names and defaults.

use crate::{check_known, positive_usize, CommonOptions, OptionsError};
use wb_config::ProtocolConfig;

const KNOWN: &[&str] = &["max_message_size", "max_rows", "max_row_length"];

/// Most prepared statements remembered per connection (their SQL names Execute events).
pub const MAX_STATEMENTS: usize = 1024;
/// Most statements waiting for their result per connection.
pub const MAX_PENDING: usize = 10_000;

/// Options of `type: pgsql`.
#[derive(Clone, Debug, PartialEq)]
pub struct PgsqlConfig {
    /// Options shared by every protocol.
    pub common: CommonOptions,
    /// `max_rows`: rows kept in the `response` text (default 10).
    pub max_rows: usize,
    /// `max_row_length`: bytes kept of each row in the `response` text (default 1024).
    pub max_row_length: usize,
}

impl PgsqlConfig {
    /// Reads the options from a protocol entry.
    pub fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        check_known(cfg, KNOWN)?;
        Ok(PgsqlConfig {
            common: CommonOptions::from_config(cfg)?,
            max_rows: positive_usize(cfg, "max_rows", 10, "a positive number of rows")?,
            max_row_length: positive_usize(
                cfg,
                "max_row_length",
                1024,
                "a positive number of bytes",
            )?,
        })
    }
}
