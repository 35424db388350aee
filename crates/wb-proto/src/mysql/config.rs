//! Options of the `mysql` protocol, with Packetbeat's names and defaults.

use crate::sql::RowLimits;
use crate::{check_known, CommonOptions, OptionsError};
use std::time::Duration;
use wb_config::{parse_duration, ProtocolConfig};

const KNOWN: &[&str] = &[
    "max_message_size",
    "max_rows",
    "max_row_length",
    "statement_timeout",
];

/// Most prepared statements remembered per connection.
pub const MAX_STATEMENTS: usize = 1024;

/// Options of `type: mysql`.
#[derive(Clone, Debug, PartialEq)]
pub struct MysqlConfig {
    /// Options shared by every protocol.
    pub common: CommonOptions,
    /// `max_rows` and `max_row_length`: how much of a result goes into `response`.
    pub rows: RowLimits,
    /// `statement_timeout`: how long an unused prepared statement is remembered (default 1h).
    pub statement_timeout: Duration,
}

impl MysqlConfig {
    /// Reads the options from a protocol entry.
    pub fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        check_known(cfg, KNOWN)?;
        let statement_timeout = match cfg.options.get("statement_timeout") {
            None => Duration::from_secs(3600),
            Some(v) => {
                let text = match v {
                    serde_yaml_ng::Value::String(s) => s.clone(),
                    other => format!("{}s", other.as_u64().unwrap_or(0)),
                };
                match parse_duration(&text) {
                    Some((false, d)) if !d.is_zero() => d,
                    _ => {
                        return Err(OptionsError {
                            protocol: cfg.kind.clone(),
                            key: "statement_timeout".into(),
                            message: format!("expected a positive duration such as 1h, got {v:?}"),
                        })
                    }
                }
            }
        };
        Ok(MysqlConfig {
            common: CommonOptions::from_config(cfg)?,
            rows: RowLimits::from_config(cfg)?,
            statement_timeout,
        })
    }
}
