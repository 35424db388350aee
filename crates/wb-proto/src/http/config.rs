//! Options of the `http` protocol, with Packetbeat's names and defaults.

use crate::{bool_option, check_known, string_list, CommonOptions, OptionsError};
use wb_config::ProtocolConfig;

/// Options specific to `type: http` (the common ones are checked by the loader).
const KNOWN: &[&str] = &[
    "max_message_size",
    "send_headers",
    "send_all_headers",
    "redact_headers",
    "split_cookie",
    "real_ip_header",
    "include_body_for",
    "include_request_body_for",
    "include_response_body_for",
    "decode_body",
    "hide_keywords",
    "redact_authorization",
];

/// Most requests waiting for their response on one connection; when a new one arrives the
/// oldest is published as unmatched and counted (`too_many_pending_requests`).
pub const MAX_PENDING_REQUESTS: usize = 1000;

/// Options of `type: http`.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpConfig {
    /// Options shared by every protocol.
    pub common: CommonOptions,
    /// `send_headers`: lower-cased names of headers to export.
    pub send_headers: Vec<String>,
    /// `send_all_headers` (or `send_headers: true`): export every header.
    pub send_all_headers: bool,
    /// `redact_headers`: lower-cased names whose values are replaced by `REDACTED`.
    pub redact_headers: Vec<String>,
    /// `split_cookie`: export `cookie` / `set-cookie` as maps.
    pub split_cookie: bool,
    /// `real_ip_header`, lower-cased.
    pub real_ip_header: Option<String>,
    /// `include_body_for`: content-type substrings whose bodies are exported (both ways).
    pub include_body_for: Vec<String>,
    /// `include_request_body_for`.
    pub include_request_body_for: Vec<String>,
    /// `include_response_body_for`.
    pub include_response_body_for: Vec<String>,
    /// `decode_body`: undo gzip/deflate content and transfer codings of stored bodies.
    pub decode_body: bool,
    /// `hide_keywords`: parameter names (compared with the lower-cased name) whose values
    /// become `xxxxx`.
    pub hide_keywords: Vec<String>,
    /// `redact_authorization`: mask `authorization` / `proxy-authorization`.
    pub redact_authorization: bool,
}

impl HttpConfig {
    /// Reads the options from a protocol entry.
    pub fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        check_known(cfg, KNOWN)?;
        let lower = |v: Vec<String>| v.into_iter().map(|s| s.to_ascii_lowercase()).collect();
        // `send_headers: true` is Packetbeat's older spelling of send_all_headers.
        let (send_headers, headers_flag) = match cfg.options.get("send_headers") {
            Some(serde_yaml_ng::Value::Bool(b)) => (Vec::new(), *b),
            _ => (lower(string_list(cfg, "send_headers")?), false),
        };
        let real_ip_header = cfg
            .options
            .get("real_ip_header")
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_ascii_lowercase);
        Ok(HttpConfig {
            common: CommonOptions::from_config(cfg)?,
            send_headers,
            send_all_headers: headers_flag || bool_option(cfg, "send_all_headers", false)?,
            redact_headers: lower(string_list(cfg, "redact_headers")?),
            split_cookie: bool_option(cfg, "split_cookie", false)?,
            real_ip_header,
            include_body_for: string_list(cfg, "include_body_for")?,
            include_request_body_for: string_list(cfg, "include_request_body_for")?,
            include_response_body_for: string_list(cfg, "include_response_body_for")?,
            decode_body: bool_option(cfg, "decode_body", true)?,
            hide_keywords: string_list(cfg, "hide_keywords")?,
            redact_authorization: bool_option(cfg, "redact_authorization", false)?,
        })
    }

    /// Whether the header `name` (lower-cased) is exported.
    pub fn exports_header(&self, name: &str) -> bool {
        self.send_all_headers || self.send_headers.iter().any(|h| h == name)
    }

    /// Whether a body of `content_type` is exported, for a request or a response.
    pub fn exports_body(&self, is_request: bool, content_type: &str) -> bool {
        let specific = if is_request {
            &self.include_request_body_for
        } else {
            &self.include_response_body_for
        };
        self.include_body_for
            .iter()
            .chain(specific)
            .any(|t| content_type.contains(t.as_str()))
    }
}
