//! Options of the `redis` protocol, with Packetbeat's names and defaults.

use crate::{check_known, limit_option, CommonOptions, OptionsError};
use wb_config::ProtocolConfig;

const KNOWN: &[&str] = &["max_message_size", "queue_max_bytes", "queue_max_messages"];

/// Options of `type: redis`.
#[derive(Clone, Debug, PartialEq)]
pub struct RedisConfig {
    /// Options shared by every protocol.
    pub common: CommonOptions,
    /// `queue_max_bytes`: most rendered bytes of requests waiting per connection (default
    /// 1 MiB; 0 or less: no limit). Also the cap of one message's rendered text.
    pub queue_max_bytes: usize,
    /// `queue_max_messages`: most requests waiting per connection (default 20000; 0 or
    /// less: no limit).
    pub queue_max_messages: usize,
}

impl RedisConfig {
    /// Reads the options from a protocol entry.
    pub fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        check_known(cfg, KNOWN)?;
        Ok(RedisConfig {
            common: CommonOptions::from_config(cfg)?,
            queue_max_bytes: limit_option(cfg, "queue_max_bytes", 1 << 20)?,
            queue_max_messages: limit_option(cfg, "queue_max_messages", 20_000)?,
        })
    }
}
