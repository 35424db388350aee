//! Options of the `cassandra` protocol, with Packetbeat's names and defaults, plus Wirebeat's
//! `pairing` and `max_pending_requests`.

use super::frame::Opcode;
use crate::{check_known, positive_usize, string_list, CommonOptions, OptionsError};
use wb_config::ProtocolConfig;

const KNOWN: &[&str] = &[
    "max_message_size",
    "send_request_header",
    "send_response_header",
    "ignored_ops",
    "compressor",
    "pairing",
    "max_pending_requests",
];

/// Default of `max_pending_requests`.
pub const DEFAULT_MAX_PENDING: usize = 1024;

/// How responses find their request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pairing {
    /// By stream id, as the protocol defines (v3+ answers concurrent streams in any order).
    StreamId,
    /// In arrival order, as Packetbeat does: right only when a client waits for each answer.
    Fifo,
}

/// Body compression of frames, as agreed in STARTUP's `COMPRESSION` option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compressor {
    /// Snappy raw blocks.
    Snappy,
    /// LZ4 blocks: in v3/v4 a 4-byte big-endian decompressed length, then the block; in v5
    /// the segment header carries the length.
    Lz4,
}

impl Compressor {
    /// The compressor named `name` (`snappy`, `lz4`, case-insensitive).
    pub fn from_name(name: &str) -> Option<Compressor> {
        if name.eq_ignore_ascii_case("snappy") {
            Some(Compressor::Snappy)
        } else if name.eq_ignore_ascii_case("lz4") {
            Some(Compressor::Lz4)
        } else {
            None
        }
    }
}

/// Options of `type: cassandra`.
#[derive(Clone, Debug, PartialEq)]
pub struct CassandraConfig {
    /// Options shared by every protocol (`send_request`/`send_response` default to true here).
    pub common: CommonOptions,
    /// `send_request_header`: write `cassandra.request.headers` (default true).
    pub send_request_header: bool,
    /// `send_response_header`: write `cassandra.response.headers` (default true).
    pub send_response_header: bool,
    /// `ignored_ops`: transactions whose request or response has one of these opcodes are not
    /// published.
    pub ignored_ops: Vec<Opcode>,
    /// `compressor`: body compression assumed until a STARTUP on the connection says otherwise
    /// (default none).
    pub compressor: Option<Compressor>,
    /// `pairing`: `stream_id` (default) or `fifo` (Packetbeat's order pairing).
    pub pairing: Pairing,
    /// `max_pending_requests`: most requests waiting for an answer per connection.
    pub max_pending: usize,
}

fn invalid(cfg: &ProtocolConfig, key: &str, message: String) -> OptionsError {
    OptionsError {
        protocol: cfg.kind.clone(),
        key: key.into(),
        message,
    }
}

fn text_option(cfg: &ProtocolConfig, key: &str) -> Result<Option<String>, OptionsError> {
    match cfg.options.get(key) {
        None | Some(serde_yaml_ng::Value::Null) => Ok(None),
        Some(serde_yaml_ng::Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(invalid(cfg, key, format!("must be a string, got {v:?}"))),
    }
}

impl CassandraConfig {
    /// Reads the options from a protocol entry.
    pub fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        check_known(cfg, KNOWN)?;
        let ignored_ops = string_list(cfg, "ignored_ops")?
            .iter()
            .map(|name| {
                Opcode::from_name(name).ok_or_else(|| {
                    invalid(cfg, "ignored_ops", format!("unknown opcode \"{name}\""))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let compressor = match text_option(cfg, "compressor")?.as_deref() {
            None | Some("") => None,
            Some(name) => Some(Compressor::from_name(name).ok_or_else(|| {
                invalid(
                    cfg,
                    "compressor",
                    format!("invalid compressor config: {name}, only snappy and lz4 supported"),
                )
            })?),
        };
        let pairing = match text_option(cfg, "pairing")?.as_deref() {
            None | Some("stream_id") => Pairing::StreamId,
            Some("fifo") => Pairing::Fifo,
            Some(other) => {
                return Err(invalid(
                    cfg,
                    "pairing",
                    format!("must be stream_id or fifo, got \"{other}\""),
                ))
            }
        };
        Ok(CassandraConfig {
            common: CommonOptions::from_config(cfg)?,
            send_request_header: crate::bool_option(cfg, "send_request_header", true)?,
            send_response_header: crate::bool_option(cfg, "send_response_header", true)?,
            ignored_ops,
            compressor,
            pairing,
            max_pending: positive_usize(
                cfg,
                "max_pending_requests",
                DEFAULT_MAX_PENDING,
                "a positive number of requests",
            )?,
        })
    }

    /// Whether transactions involving `op` are dropped.
    pub fn ignores(&self, op: Opcode) -> bool {
        self.ignored_ops.contains(&op)
    }
}
