//! Options of the `memcache` protocol, with Packetbeat's names (no underscores) and defaults.

use crate::{bool_option, check_known, positive_usize, CommonOptions, OptionsError};
use std::time::Duration;
use wb_config::ProtocolConfig;

const KNOWN: &[&str] = &[
    "max_message_size",
    "maxvalues",
    "maxbytespervalue",
    "parseunknown",
    "udptransactiontimeout",
    "max_pending_requests",
];

/// Default `max_pending_requests`.
pub const DEFAULT_MAX_PENDING: usize = 1000;

/// Default `udptransactiontimeout` (Packetbeat's code default).
pub const DEFAULT_UDP_TIMEOUT: Duration = Duration::from_secs(10);

/// Options of `type: memcache`.
#[derive(Clone, Debug, PartialEq)]
pub struct MemcacheConfig {
    /// Options shared by every protocol.
    pub common: CommonOptions,
    /// `maxvalues`: values written per message (0 none, the default; -1 all; N the first N).
    pub maxvalues: i64,
    /// `maxbytespervalue`: most bytes written (and kept) of one value; 0 or less, unlimited.
    pub maxbytespervalue: usize,
    /// `parseunknown`: publish unknown text commands (`command: UNKNOWN`, `line`) instead of
    /// treating them as garbage (default false).
    pub parseunknown: bool,
    /// `udptransactiontimeout`: a UDP request without a response is published this long
    /// after its last datagram (a plain number is milliseconds, as in Packetbeat's tests; a
    /// duration string such as `200ms` also works).
    pub udptransactiontimeout: Duration,
    /// `max_pending_requests`: most requests waiting for a response per connection (or UDP
    /// flow); the oldest is published unanswered when more arrive (Wirebeat's own bound).
    pub max_pending_requests: usize,
}

impl MemcacheConfig {
    /// Reads the options from a protocol entry.
    pub fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        check_known(cfg, KNOWN)?;
        let bad = |key: &str, what: &str, v: &serde_yaml_ng::Value| OptionsError {
            protocol: cfg.kind.clone(),
            key: key.into(),
            message: format!("must be {what}, got {v:?}"),
        };
        let maxvalues = match cfg.options.get("maxvalues") {
            None => 0,
            Some(v) => v
                .as_i64()
                .filter(|n| *n >= -1)
                .ok_or_else(|| bad("maxvalues", "-1, 0 or a positive integer", v))?,
        };
        let maxbytespervalue = match cfg.options.get("maxbytespervalue") {
            None => usize::MAX,
            Some(v) => match v.as_i64() {
                Some(n) if n <= 0 => usize::MAX,
                Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
                None => return Err(bad("maxbytespervalue", "an integer", v)),
            },
        };
        let udptransactiontimeout = match cfg.options.get("udptransactiontimeout") {
            None => DEFAULT_UDP_TIMEOUT,
            Some(v) => udp_timeout(v).ok_or_else(|| {
                bad(
                    "udptransactiontimeout",
                    "milliseconds or a duration such as 200ms",
                    v,
                )
            })?,
        };
        Ok(MemcacheConfig {
            common: CommonOptions::from_config(cfg)?,
            maxvalues,
            maxbytespervalue,
            parseunknown: bool_option(cfg, "parseunknown", false)?,
            udptransactiontimeout,
            max_pending_requests: positive_usize(
                cfg,
                "max_pending_requests",
                DEFAULT_MAX_PENDING,
                "a positive integer",
            )?,
        })
    }

    /// Most bytes kept of one value.
    pub fn keep_value_bytes(&self) -> usize {
        if self.maxvalues == 0 {
            0
        } else {
            self.maxbytespervalue.min(self.common.max_message_size)
        }
    }

    /// Most values kept per message.
    pub fn max_values(&self) -> usize {
        match self.maxvalues {
            n if n < 0 => usize::MAX,
            n => usize::try_from(n).unwrap_or(usize::MAX),
        }
    }
}

fn udp_timeout(v: &serde_yaml_ng::Value) -> Option<Duration> {
    if let Some(ms) = v.as_u64() {
        return Some(Duration::from_millis(ms));
    }
    if let Some(ms) = v.as_f64().filter(|f| f.is_finite() && *f >= 0.0) {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    let (negative, d) = wb_config::parse_duration(v.as_str()?)?;
    (!negative).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(options: &str) -> Result<MemcacheConfig, OptionsError> {
        let mut c = ProtocolConfig {
            kind: "memcache".into(),
            enabled: true,
            ports: vec![11211],
            transaction_timeout: Duration::from_secs(10),
            send_request: false,
            send_response: false,
            metadata: Default::default(),
            options: serde_yaml_ng::Mapping::new(),
        };
        if !options.is_empty() {
            c.options = serde_yaml_ng::from_str(options).unwrap();
        }
        MemcacheConfig::from_config(&c)
    }

    #[test]
    fn defaults() {
        let c = cfg("").unwrap();
        assert_eq!(c.maxvalues, 0);
        assert_eq!(c.keep_value_bytes(), 0);
        assert_eq!(c.udptransactiontimeout, Duration::from_secs(10));
        assert!(!c.parseunknown);
    }

    #[test]
    fn udp_timeout_in_milliseconds_or_as_a_duration() {
        let c = cfg("udptransactiontimeout: 200").unwrap();
        assert_eq!(c.udptransactiontimeout, Duration::from_millis(200));
        let c = cfg("udptransactiontimeout: 1.5s").unwrap();
        assert_eq!(c.udptransactiontimeout, Duration::from_millis(1500));
        assert!(cfg("udptransactiontimeout: -1s").is_err());
    }

    #[test]
    fn value_limits() {
        let c = cfg("{maxvalues: -1, maxbytespervalue: 3}").unwrap();
        assert_eq!((c.max_values(), c.keep_value_bytes()), (usize::MAX, 3));
        let c = cfg("{maxvalues: 2, maxbytespervalue: 0}").unwrap();
        assert_eq!(c.max_values(), 2);
        assert!(cfg("maxvalues: -2").is_err());
        assert!(cfg("max_values: 1").is_err());
    }
}
