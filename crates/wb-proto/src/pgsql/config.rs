//! Options of the `pgsql` protocol, with Packetbeat's names and defaults.

use crate::sql::RowLimits;
use crate::{check_known, CommonOptions, OptionsError};
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
    /// `max_rows` and `max_row_length`: how much of a result goes into `response`.
    pub rows: RowLimits,
}

impl PgsqlConfig {
    /// Reads the options from a protocol entry.
    pub fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        check_known(cfg, KNOWN)?;
        Ok(PgsqlConfig {
            common: CommonOptions::from_config(cfg)?,
            rows: RowLimits::from_config(cfg)?,
        })
    }
}
