//! Options of the `sip` protocol, with Packetbeat's names and defaults.

use crate::{bool_option, check_known, positive_usize, CommonOptions, OptionsError, TransportKind};
use wb_config::ProtocolConfig;

/// Options `type: sip` accepts besides the ones the loader takes.
const KNOWN: &[&str] = &[
    "max_message_size",
    "transport_protocol",
    "parse_authorization",
    "parse_body",
    "keep_original",
];

/// Default cap, in bytes, on one SIP message (start line, headers and body), and so on what
/// the flow layer buffers for it over TCP. A UDP datagram is at most 64 KiB, and a larger
/// message over TCP is written without its body (`body_too_large`); a header block that does
/// not end within the cap is dropped (`oversized_messages` in the engine's counters).
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 64 * 1024;

/// Options of `type: sip`.
#[derive(Clone, Debug, PartialEq)]
pub struct SipConfig {
    /// Options shared by every protocol (`max_message_size` defaults to
    /// [`DEFAULT_MAX_MESSAGE_SIZE`] here; `send_request` / `send_response` have no effect).
    pub common: CommonOptions,
    /// `transport_protocol`: `udp` (default) or `tcp`, the one transport analysed.
    pub transport: TransportKind,
    /// `parse_authorization`: write `sip.auth.*` and `user.name` from an Authorization header.
    pub parse_authorization: bool,
    /// `parse_body`: write `sip.sdp.*` from an `application/sdp` body.
    pub parse_body: bool,
    /// `keep_original`: write the message as `event.original` (digest responses masked).
    pub keep_original: bool,
}

impl SipConfig {
    /// Reads the options from a protocol entry.
    pub fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        check_known(cfg, KNOWN)?;
        let mut common = CommonOptions::from_config(cfg)?;
        common.max_message_size = positive_usize(
            cfg,
            "max_message_size",
            DEFAULT_MAX_MESSAGE_SIZE,
            "a positive number of bytes",
        )?;
        Ok(SipConfig {
            common,
            transport: transport_protocol(cfg)?,
            parse_authorization: bool_option(cfg, "parse_authorization", true)?,
            parse_body: bool_option(cfg, "parse_body", true)?,
            keep_original: bool_option(cfg, "keep_original", true)?,
        })
    }
}

fn transport_protocol(cfg: &ProtocolConfig) -> Result<TransportKind, OptionsError> {
    let Some(v) = cfg.options.get("transport_protocol") else {
        return Ok(TransportKind::Udp);
    };
    match v.as_str().map(str::to_ascii_lowercase).as_deref() {
        Some("udp") => Ok(TransportKind::Udp),
        Some("tcp") => Ok(TransportKind::Tcp),
        _ => Err(OptionsError {
            protocol: cfg.kind.clone(),
            key: "transport_protocol".into(),
            message: format!("must be udp or tcp, got {v:?}"),
        }),
    }
}
