//! Options of the `amqp` protocol, with Packetbeat's names and defaults.

use crate::{bool_option, check_known, CommonOptions, OptionsError};
use wb_config::ProtocolConfig;

const KNOWN: &[&str] = &[
    "max_message_size",
    "max_body_length",
    "parse_headers",
    "parse_arguments",
    "hide_connection_information",
];

/// Most requests waiting for their reply per connection (one per channel in practice); the
/// oldest is dropped and counted beyond this.
pub const MAX_PENDING: usize = 1024;
/// Most content messages (publish, deliver…) being assembled at once per direction.
pub const MAX_OPEN_CONTENTS: usize = 256;
/// Largest method or content-header frame buffered whole; a larger one is skipped by counting
/// its bytes (body frames are never buffered: they stream).
pub const MAX_BUFFERED_FRAME: usize = 1 << 20;

/// Options of `type: amqp`.
#[derive(Clone, Debug, PartialEq)]
pub struct AmqpConfig {
    /// Options shared by every protocol.
    pub common: CommonOptions,
    /// `max_body_length`: most bytes of a message body written to `request`/`response`
    /// (default 1000).
    pub max_body_length: usize,
    /// `parse_headers`: decode content-header properties (default true).
    pub parse_headers: bool,
    /// `parse_arguments`: decode the `arguments` table of declare/bind/consume (default true).
    pub parse_arguments: bool,
    /// `hide_connection_information`: do not report connection.*, channel.open/flow and
    /// basic.qos, nor closes with a reply code below 300 (default true).
    pub hide_connection_information: bool,
}

impl AmqpConfig {
    /// Reads the options from a protocol entry.
    pub fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        check_known(cfg, KNOWN)?;
        let max_body_length = match cfg.options.get("max_body_length") {
            None => 1000,
            Some(v) => v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| OptionsError {
                    protocol: cfg.kind.clone(),
                    key: "max_body_length".into(),
                    message: format!("must be a number of bytes, got {v:?}"),
                })?,
        };
        Ok(AmqpConfig {
            common: CommonOptions::from_config(cfg)?,
            max_body_length,
            parse_headers: bool_option(cfg, "parse_headers", true)?,
            parse_arguments: bool_option(cfg, "parse_arguments", true)?,
            hide_connection_information: bool_option(cfg, "hide_connection_information", true)?,
        })
    }

    /// Largest method or header frame kept whole: the smaller of [`MAX_BUFFERED_FRAME`] and
    /// `max_message_size`.
    pub fn max_buffered_frame(&self) -> usize {
        MAX_BUFFERED_FRAME.min(self.common.max_message_size)
    }
}
