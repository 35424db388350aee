//! Options of the `tls` protocol, with Packetbeat's names and defaults.

use crate::{bool_option, check_known, positive_usize, string_list, CommonOptions, OptionsError};
use wb_config::ProtocolConfig;

/// Options specific to `type: tls` (the common ones are checked by the loader).
const KNOWN: &[&str] = &[
    "max_message_size",
    "send_certificates",
    "include_raw_certificates",
    "include_detailed_fields",
    "fingerprints",
];

/// Hash algorithms `fingerprints` accepts.
pub const FINGERPRINT_ALGORITHMS: &[&str] = &["md5", "sha1", "sha256"];

/// Default cap, in bytes, on one handshake message and so on what the flow layer buffers for
/// it: large enough for long certificate chains, small enough to bound memory per
/// connection. A longer message stops the analysis of the connection
/// (`handshake_message_too_large`).
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 256 * 1024;

/// Options of `type: tls`.
#[derive(Clone, Debug, PartialEq)]
pub struct TlsConfig {
    /// Options shared by every protocol (`max_message_size` defaults to
    /// [`DEFAULT_MAX_MESSAGE_SIZE`] here).
    pub common: CommonOptions,
    /// `send_certificates`: certificate fields (`tls.{client,server}.{subject,issuer,…}`,
    /// `x509`, chains) are written.
    pub send_certificates: bool,
    /// `include_raw_certificates`: PEM chains in `tls.{client,server}.certificate_chain`.
    pub include_raw_certificates: bool,
    /// `include_detailed_fields`: `tls.detailed.*` and the `x509` objects are written.
    pub include_detailed_fields: bool,
    /// `fingerprints`: certificate hashes to write (`md5`, `sha1`, `sha256`).
    pub fingerprints: Vec<String>,
}

impl TlsConfig {
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
        let fingerprints = if cfg.options.contains_key("fingerprints") {
            string_list(cfg, "fingerprints")?
        } else {
            vec!["sha1".to_string()]
        };
        let mut seen = Vec::new();
        for f in fingerprints {
            let lower = f.to_ascii_lowercase();
            if !FINGERPRINT_ALGORITHMS.contains(&lower.as_str()) {
                return Err(OptionsError {
                    protocol: cfg.kind.clone(),
                    key: "fingerprints".into(),
                    message: format!(
                        "unknown hash \"{f}\"; allowed: {}",
                        FINGERPRINT_ALGORITHMS.join(", ")
                    ),
                });
            }
            if !seen.contains(&lower) {
                seen.push(lower);
            }
        }
        Ok(TlsConfig {
            common,
            send_certificates: bool_option(cfg, "send_certificates", true)?,
            include_raw_certificates: bool_option(cfg, "include_raw_certificates", false)?,
            include_detailed_fields: bool_option(cfg, "include_detailed_fields", true)?,
            fingerprints: seen,
        })
    }
}
