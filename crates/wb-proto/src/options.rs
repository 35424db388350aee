//! Options every protocol shares, taken from its `packetbeat.protocols` entry.

use std::time::Duration;
use wb_config::ProtocolConfig;

/// Packetbeat's default `max_message_size` (10 MiB).
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 10 * 1024 * 1024;

/// A protocol option that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("packetbeat.protocols.{protocol}.{key}: {message}")]
pub struct OptionsError {
    /// Protocol type.
    pub protocol: String,
    /// Option name.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

/// The options common to all protocols.
#[derive(Clone, Debug, PartialEq)]
pub struct CommonOptions {
    /// Server ports.
    pub ports: Vec<u16>,
    /// Put the raw request text in `request`.
    pub send_request: bool,
    /// Put the raw response text in `response`.
    pub send_response: bool,
    /// Idle time after which pending transactions are flushed.
    pub transaction_timeout: Duration,
    /// Most bytes buffered for one message.
    pub max_message_size: usize,
}

impl CommonOptions {
    /// Reads the common options of one protocol entry.
    pub fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        let max_message_size = positive_usize(
            cfg,
            "max_message_size",
            DEFAULT_MAX_MESSAGE_SIZE,
            "a positive number of bytes",
        )?;
        Ok(CommonOptions {
            ports: cfg.ports.clone(),
            send_request: cfg.send_request,
            send_response: cfg.send_response,
            transaction_timeout: cfg.transaction_timeout,
            max_message_size,
        })
    }

    /// The transaction timeout in nanoseconds.
    pub fn timeout_nanos(&self) -> i64 {
        i64::try_from(self.transaction_timeout.as_nanos()).unwrap_or(i64::MAX)
    }
}

/// Reads option `key` as a positive integer, `default` when absent; `what` names the expected
/// value in the error.
pub fn positive_usize(
    cfg: &ProtocolConfig,
    key: &str,
    default: usize,
    what: &str,
) -> Result<usize, OptionsError> {
    let Some(v) = cfg.options.get(key) else {
        return Ok(default);
    };
    v.as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| OptionsError {
            protocol: cfg.kind.clone(),
            key: key.into(),
            message: format!("must be {what}, got {v:?}"),
        })
}

/// Reads option `key` as an integer limit where 0 or less means "no limit" (`usize::MAX`),
/// as Packetbeat's `max_docs`, `queue_max_bytes` and the like; `default` when absent.
pub fn limit_option(
    cfg: &ProtocolConfig,
    key: &str,
    default: usize,
) -> Result<usize, OptionsError> {
    match cfg.options.get(key) {
        None => Ok(default),
        Some(v) => match v.as_i64() {
            Some(n) if n <= 0 => Ok(usize::MAX),
            Some(n) => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
            None => Err(OptionsError {
                protocol: cfg.kind.clone(),
                key: key.into(),
                message: format!("expected an integer, got {v:?}"),
            }),
        },
    }
}

/// Fails on an option of `cfg` that is not in `known`, naming the nearest known one.
pub fn check_known(cfg: &ProtocolConfig, known: &[&str]) -> Result<(), OptionsError> {
    for key in cfg.options.keys() {
        let key = key.as_str().unwrap_or_default();
        if known.contains(&key) {
            continue;
        }
        let nearest = known
            .iter()
            .map(|k| (strsim::jaro_winkler(key, k), *k))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let message = match nearest {
            Some((_, k)) => format!("unknown option (did you mean \"{k}\"?)"),
            None => format!("unknown option; known options: {}", known.join(", ")),
        };
        return Err(OptionsError {
            protocol: cfg.kind.clone(),
            key: key.to_string(),
            message,
        });
    }
    Ok(())
}

/// Reads option `key` as a boolean, `default` when absent.
pub fn bool_option(cfg: &ProtocolConfig, key: &str, default: bool) -> Result<bool, OptionsError> {
    match cfg.options.get(key) {
        None => Ok(default),
        Some(v) => v.as_bool().ok_or_else(|| OptionsError {
            protocol: cfg.kind.clone(),
            key: key.into(),
            message: format!("must be true or false, got {v:?}"),
        }),
    }
}

/// Reads option `key` as a list of strings (a single string is a list of one); empty when
/// absent.
pub fn string_list(cfg: &ProtocolConfig, key: &str) -> Result<Vec<String>, OptionsError> {
    let bad = |v: &serde_yaml_ng::Value| OptionsError {
        protocol: cfg.kind.clone(),
        key: key.into(),
        message: format!("must be a list of strings, got {v:?}"),
    };
    let scalar = |v: &serde_yaml_ng::Value| match v {
        serde_yaml_ng::Value::String(s) => Some(s.clone()),
        serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
        serde_yaml_ng::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match cfg.options.get(key) {
        None | Some(serde_yaml_ng::Value::Null) => Ok(Vec::new()),
        Some(serde_yaml_ng::Value::Sequence(items)) => items
            .iter()
            .map(|v| scalar(v).ok_or_else(|| bad(v)))
            .collect(),
        Some(v) => scalar(v).map(|s| vec![s]).ok_or_else(|| bad(v)),
    }
}
