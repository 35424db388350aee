//! Options of the `thrift` protocol, with Packetbeat's names and defaults.

use super::idl::Idl;
use super::parser::{Limits, Wire};
use crate::{bool_option, check_known, string_list, CommonOptions, OptionsError};
use wb_config::ProtocolConfig;

const KNOWN: &[&str] = &[
    "max_message_size",
    "transport_type",
    "protocol_type",
    "idl_files",
    "string_max_size",
    "collection_max_size",
    "drop_after_n_struct_fields",
    "capture_reply",
    "obfuscate_strings",
];

/// How messages are delimited on the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// `socket`: messages follow each other with no length prefix.
    Socket,
    /// `framed`: each message is preceded by its length (4 bytes, big-endian).
    Framed,
}

/// Options of `type: thrift`.
#[derive(Clone, Debug, PartialEq)]
pub struct ThriftConfig {
    /// Options shared by every protocol.
    pub common: CommonOptions,
    /// `transport_type`: `socket` (default) or `framed`.
    pub transport: Transport,
    /// `protocol_type`: `binary` (default) or `compact`.
    pub wire: Wire,
    /// Rendering limits: `string_max_size` (200), `collection_max_size` (15),
    /// `drop_after_n_struct_fields` (500), `obfuscate_strings` (false).
    pub limits: Limits,
    /// `capture_reply` (default true): render return values and exceptions.
    pub capture_reply: bool,
    /// Methods named by `idl_files`.
    pub idl: Idl,
}

fn count(cfg: &ProtocolConfig, key: &str, default: usize) -> Result<usize, OptionsError> {
    match cfg.options.get(key) {
        None => Ok(default),
        Some(v) => v
            .as_u64()
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
            .ok_or_else(|| OptionsError {
                protocol: cfg.kind.clone(),
                key: key.into(),
                message: format!("must be a non-negative integer, got {v:?}"),
            }),
    }
}

fn choice<T: Copy>(
    cfg: &ProtocolConfig,
    key: &str,
    values: &[(&str, T)],
) -> Result<T, OptionsError> {
    let bad = |got: String| OptionsError {
        protocol: cfg.kind.clone(),
        key: key.into(),
        message: format!(
            "must be one of {}, got {got}",
            values.iter().map(|v| v.0).collect::<Vec<_>>().join(", ")
        ),
    };
    let Some(first) = values.first() else {
        return Err(bad("nothing".into()));
    };
    match cfg.options.get(key) {
        None => Ok(first.1),
        Some(v) => {
            let s = v.as_str().ok_or_else(|| bad(format!("{v:?}")))?;
            values
                .iter()
                .find(|(name, _)| *name == s)
                .map(|(_, t)| *t)
                .ok_or_else(|| bad(format!("\"{s}\"")))
        }
    }
}

impl ThriftConfig {
    /// Reads the options from a protocol entry (and the IDL files it names).
    pub fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        check_known(cfg, KNOWN)?;
        let idl = Idl::load(&string_list(cfg, "idl_files")?).map_err(|e| OptionsError {
            protocol: cfg.kind.clone(),
            key: "idl_files".into(),
            message: e.to_string(),
        })?;
        Ok(ThriftConfig {
            common: CommonOptions::from_config(cfg)?,
            transport: choice(
                cfg,
                "transport_type",
                &[("socket", Transport::Socket), ("framed", Transport::Framed)],
            )?,
            wire: choice(
                cfg,
                "protocol_type",
                &[("binary", Wire::Binary), ("compact", Wire::Compact)],
            )?,
            limits: Limits {
                string_max_size: count(cfg, "string_max_size", 200)?,
                collection_max_size: count(cfg, "collection_max_size", 15)?,
                drop_after_n_struct_fields: count(cfg, "drop_after_n_struct_fields", 500)?,
                obfuscate_strings: bool_option(cfg, "obfuscate_strings", false)?,
            },
            capture_reply: bool_option(cfg, "capture_reply", true)?,
            idl,
        })
    }
}
