//! One parsed HTTP message: what the start line and headers said, how its body is framed,
//! and what was kept of it. Built from a complete header block.

use super::config::HttpConfig;
use super::parser::{HeaderLines, StartLine, Version};
use wb_wire::Timestamp;

/// How the body of a message is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// No body.
    None,
    /// `Content-Length` bytes.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// Everything until the sender closes the connection.
    UntilClose,
}

/// A header block that cannot be the start of a message this analyzer understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadError {
    /// The first line is not an HTTP start line.
    StartLine,
    /// `Content-Length` is not a number (or two differ).
    ContentLength,
}

/// A parsed message.
#[derive(Clone, Debug, Default)]
pub struct Message {
    /// Packet time of its first byte.
    pub ts: Timestamp,
    /// A request (else a response).
    pub is_request: bool,
    /// Protocol version.
    pub version: Version,
    /// Request method.
    pub method: String,
    /// Request target as sent.
    pub uri: String,
    /// Response status code.
    pub code: u16,
    /// Response reason phrase, lower-cased.
    pub phrase: String,
    /// `Content-Length`, when sent.
    pub content_length: Option<u64>,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// The last transfer coding is `chunked`.
    pub chunked: bool,
    /// Content and transfer codings to undo, in the order they were applied.
    pub codings: Vec<String>,
    /// `Connection` value as sent.
    pub connection: Option<String>,
    /// `Host`.
    pub host: Option<String>,
    /// `Referer`.
    pub referer: Option<String>,
    /// `User-Agent`.
    pub user_agent: Option<String>,
    /// First element of the configured real-IP header.
    pub real_ip: Option<String>,
    /// `Authorization` as sent.
    pub authorization: Option<String>,
    /// `Expect: 100-continue` was sent.
    pub expects_continue: bool,
    /// Exported headers, lower-cased names, repeated ones joined with `", "`.
    pub headers: Vec<(String, String)>,
    /// The header block as sent (kept only when the raw text is asked for).
    pub raw_head: Option<Vec<u8>>,
    /// Bytes of the message on the wire (header block, body, chunk framing).
    pub size: u64,
    /// Body length: the Content-Length, the sum of chunk sizes, or the bytes read until close.
    pub body_len: u64,
    /// The body is kept (exported, or needed for form parameters).
    pub save_body: bool,
    /// The body is exported.
    pub send_body: bool,
    /// Kept body bytes (at most the configured maximum).
    pub body: Vec<u8>,
    /// Notes for `error.message`.
    pub notes: Vec<String>,
    /// A gap hit this message (the loss note was added).
    pub lost: bool,
}

impl Message {
    /// Builds a message from a complete header block (start line included, up to and
    /// including the empty line) that started at `ts`.
    pub fn from_head(
        head: &[u8],
        ts: Timestamp,
        config: &HttpConfig,
        keep_raw: bool,
    ) -> Result<Message, HeadError> {
        let (line_end, rest) = super::parser::line_at(head, 0).ok_or(HeadError::StartLine)?;
        let line = head.get(..line_end).ok_or(HeadError::StartLine)?;
        let mut m = Message {
            ts,
            size: head.len() as u64,
            ..Message::default()
        };
        match super::parser::parse_start_line(line).ok_or(HeadError::StartLine)? {
            StartLine::Request {
                method,
                uri,
                version,
            } => {
                m.is_request = true;
                m.method = String::from_utf8_lossy(method).into_owned();
                m.uri = String::from_utf8_lossy(uri).into_owned();
                m.version = version;
            }
            StartLine::Response {
                version,
                code,
                phrase,
            } => {
                m.version = version;
                m.code = code;
                m.phrase = String::from_utf8_lossy(phrase).to_lowercase();
            }
        }
        for (name, value) in HeaderLines::new(head.get(rest..).unwrap_or_default()) {
            m.header(name, value, config)?;
        }
        if keep_raw {
            m.raw_head = Some(head.to_vec());
        }
        Ok(m)
    }

    fn header(&mut self, name: &[u8], value: &[u8], config: &HttpConfig) -> Result<(), HeadError> {
        let name = String::from_utf8_lossy(name).to_ascii_lowercase();
        let text = || String::from_utf8_lossy(value).into_owned();
        match name.as_str() {
            "content-length" => {
                let n = std::str::from_utf8(value)
                    .ok()
                    .and_then(|s| s.parse::<u64>().ok())
                    .ok_or(HeadError::ContentLength)?;
                if self.content_length.is_some_and(|old| old != n) {
                    return Err(HeadError::ContentLength);
                }
                self.content_length = Some(n);
                return Ok(());
            }
            "content-type" => {
                self.content_type = Some(text());
                return Ok(());
            }
            "transfer-encoding" => {
                let mut codings: Vec<String> = text()
                    .split(',')
                    .map(|c| c.trim().to_ascii_lowercase())
                    .filter(|c| !c.is_empty())
                    .collect();
                self.chunked = codings.last().is_some_and(|c| c == "chunked");
                if self.chunked {
                    codings.pop();
                }
                self.codings.extend(codings);
            }
            "content-encoding" => {
                // Content codings are applied before transfer codings.
                let mut content: Vec<String> = text()
                    .split(',')
                    .map(|c| c.trim().to_ascii_lowercase())
                    .filter(|c| !c.is_empty())
                    .collect();
                content.append(&mut self.codings);
                self.codings = content;
            }
            "connection" => self.connection = Some(text()),
            "host" => self.host = Some(text()),
            "referer" => self.referer = Some(text()),
            "user-agent" => self.user_agent = Some(text()),
            "authorization" => self.authorization = Some(text()),
            "expect" => self.expects_continue = value.eq_ignore_ascii_case(b"100-continue"),
            _ => {}
        }
        if config.real_ip_header.as_deref() == Some(name.as_str()) {
            let first = text()
                .split(',')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
            if !first.is_empty() {
                self.real_ip = Some(first);
            }
        }
        if config.exports_header(&name) {
            let value = if config.redact_headers.contains(&name) {
                "REDACTED".to_string()
            } else if config.redact_authorization
                && (name == "authorization" || name == "proxy-authorization")
            {
                "*".to_string()
            } else {
                text()
            };
            match self.headers.iter_mut().find(|(n, _)| *n == name) {
                Some((_, old)) => {
                    old.push_str(", ");
                    old.push_str(&value);
                }
                None => self.headers.push((name, value)),
            }
        }
        Ok(())
    }

    /// The body framing of this message; `request_method` is the method of the request a
    /// response answers (HEAD responses have no body).
    pub fn framing(&self, request_method: Option<&str>) -> Framing {
        if !self.is_request {
            let no_body = (100..200).contains(&self.code)
                || self.code == 204
                || self.code == 304
                || request_method == Some("HEAD");
            if no_body {
                return Framing::None;
            }
        }
        if self.chunked {
            return Framing::Chunked;
        }
        if let Some(n) = self.content_length {
            return if n == 0 {
                Framing::None
            } else {
                Framing::Length(n)
            };
        }
        if self.is_request || self.keeps_alive() {
            Framing::None
        } else {
            Framing::UntilClose
        }
    }

    /// Whether a response without length leaves the connection open. RFC 9112 reads such a
    /// body until close; only an explicit `Connection: keep-alive` (a server that breaks the
    /// rule) is taken to mean an empty body, so that the next response is not swallowed.
    fn keeps_alive(&self) -> bool {
        self.connection.as_deref().is_some_and(|c| {
            let c = c.to_ascii_lowercase();
            c.contains("keep-alive") && !c.contains("close")
        })
    }

    /// Adds the note of a gap once per message.
    pub fn note_loss(&mut self) {
        if !self.lost {
            self.lost = true;
            self.notes.push(
                if self.is_request {
                    "Packet loss while capturing the request"
                } else {
                    "Packet loss while capturing the response"
                }
                .to_string(),
            );
        }
    }
}
