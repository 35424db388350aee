//! Pure SIP message syntax (RFC 3261 §7): keep-alive CRLFs, the start line, the end of the
//! header block, and header lines with folding and compact names. Borrowed bytes in, views
//! out; no state and no configuration.
//!
//! No-panic contract: every function takes any byte slice; nothing indexes past its input.

use std::borrow::Cow;

/// Most header lines kept from one message; later ones are counted in
/// [`Head::headers_dropped`] and otherwise ignored.
pub const MAX_HEADERS: usize = 256;

/// Longest first line accepted while waiting for its end: a SIP start line is short, so more
/// bytes without a line end are not SIP.
pub const MAX_START_LINE: usize = 8 * 1024;

/// The first line of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartLine<'a> {
    /// `METHOD Request-URI SIP/x.y`.
    Request {
        /// The method as sent.
        method: &'a [u8],
        /// The Request-URI as sent.
        uri: &'a [u8],
    },
    /// `SIP/x.y code reason`.
    Response {
        /// The status code.
        code: u16,
        /// The reason phrase (may be empty).
        reason: &'a [u8],
    },
}

/// One header line, unfolded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    /// Lower-cased name, compact forms expanded (`f` → `from`).
    pub name: Cow<'a, str>,
    /// The value, trimmed; continuation lines joined by one space.
    pub value: Cow<'a, [u8]>,
}

/// What a message's `Content-Length` header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentLength {
    /// No such header.
    Absent,
    /// The body length.
    Bytes(u64),
    /// A value that is not a number.
    Invalid,
}

/// A parsed start line and header block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head<'a> {
    /// The start line.
    pub start: StartLine<'a>,
    /// The version after `SIP/` (`2.0`).
    pub version: &'a [u8],
    /// Header lines in order (at most [`MAX_HEADERS`]).
    pub headers: Vec<Header<'a>>,
    /// Header lines beyond [`MAX_HEADERS`].
    pub headers_dropped: usize,
    /// Lines of the block without a `:`, ignored.
    pub malformed_lines: usize,
}

impl<'a> Head<'a> {
    /// The value of the last header called `name` (lower case, full form).
    pub fn last(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .rev()
            .find(|h| h.name == name)
            .map(|h| h.value.as_ref())
    }

    /// The value of the first header called `name`.
    pub fn first(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|h| h.name == name)
            .map(|h| h.value.as_ref())
    }

    /// Every value of the headers called `name`, in order.
    pub fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's {
        self.headers
            .iter()
            .filter(move |h| h.name == name)
            .map(|h| h.value.as_ref())
    }

    /// Whether a header called `name` is present.
    pub fn has(&self, name: &str) -> bool {
        self.headers.iter().any(|h| h.name == name)
    }

    /// The last `Content-Length` header.
    pub fn content_length(&self) -> ContentLength {
        match self.last("content-length") {
            None => ContentLength::Absent,
            Some(v) => parse_u64(v).map_or(ContentLength::Invalid, ContentLength::Bytes),
        }
    }
}

/// Number of CR and LF bytes at the start of `data` (keep-alives, RFC 5626 §4.4.1, and the
/// CRLFs RFC 3261 §7.5 says to ignore before a start line).
pub fn keepalive_len(data: &[u8]) -> usize {
    data.iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count()
}

/// The first line of `data` without its line end, when its `\n` has arrived.
pub fn first_line(data: &[u8]) -> Option<&[u8]> {
    let nl = data.iter().position(|&b| b == b'\n')?;
    let line = data.get(..nl)?;
    Some(line.strip_suffix(b"\r").unwrap_or(line))
}

/// Length of the start line and header block, up to and including the empty line that ends
/// it, or `None` when it has not arrived. The search starts at `from` (bytes already known
/// not to hold the end), so a block arriving in pieces is scanned once.
pub fn head_len(data: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(rel) = data.get(i..)?.iter().position(|&b| b == b'\n') {
        let nl = i + rel;
        match (data.get(nl + 1), data.get(nl + 2)) {
            (Some(b'\n'), _) => return Some(nl + 2),
            (Some(b'\r'), Some(b'\n')) => return Some(nl + 3),
            _ => i = nl + 1,
        }
    }
    None
}

/// Where to resume scanning for the end of a header block in `data` next time.
pub fn resume_scan(data: &[u8]) -> usize {
    data.len().saturating_sub(3)
}

/// Parses a start line: a request (`METHOD URI SIP/x.y`) or a response (`SIP/x.y code
/// reason`); the version text is returned with it.
pub fn parse_start_line(line: &[u8]) -> Option<(StartLine<'_>, &[u8])> {
    if let Some(rest) = line.strip_prefix(b"SIP/") {
        let mut parts = rest.splitn(3, |&b| b == b' ');
        let version = parts.next().filter(|v| is_version(v))?;
        let code = parts.next()?;
        if code.len() != 3 {
            return None;
        }
        let code = u16::try_from(parse_u64(code)?).ok()?;
        if !(100..=699).contains(&code) {
            return None;
        }
        let reason = trim(parts.next().unwrap_or_default());
        return Some((StartLine::Response { code, reason }, version));
    }
    let mut parts = line.split(|&b| b == b' ').filter(|p| !p.is_empty());
    let method = parts.next().filter(|m| m.iter().all(|&b| is_token(b)))?;
    let uri = parts.next()?;
    let version = parts
        .next()?
        .strip_prefix(b"SIP/")
        .filter(|v| is_version(v))?;
    if parts.next().is_some() || !uri.contains(&b':') {
        return None;
    }
    Some((StartLine::Request { method, uri }, version))
}

/// Whether `line` is a SIP start line.
pub fn is_start_line(line: &[u8]) -> bool {
    parse_start_line(line).is_some()
}

/// Methods of RFC 3261 and its extensions (RFC 3262, 3265, 3311, 3428, 3515, 3903, 6086).
const KNOWN_METHODS: &[&[u8]] = &[
    b"INVITE",
    b"ACK",
    b"BYE",
    b"CANCEL",
    b"REGISTER",
    b"OPTIONS",
    b"PRACK",
    b"SUBSCRIBE",
    b"NOTIFY",
    b"PUBLISH",
    b"INFO",
    b"REFER",
    b"MESSAGE",
    b"UPDATE",
];

/// Whether `line` starts a message after lost bytes: a response line, or a request line of a
/// known method. Extension methods are not trusted here, as the tail of a line cut by a gap
/// (`ITE sip:… SIP/2.0`) would pass for one.
pub fn is_resync_start_line(line: &[u8]) -> bool {
    match parse_start_line(line) {
        Some((StartLine::Request { method, .. }, _)) => KNOWN_METHODS.contains(&method),
        Some((StartLine::Response { .. }, _)) => true,
        None => false,
    }
}

/// Parses a whole header block as measured by [`head_len`] (keep-alive bytes already
/// skipped). `None` when the first line is not a SIP start line.
pub fn parse_head(block: &[u8]) -> Option<Head<'_>> {
    let mut lines = Lines { rest: block };
    let (start, version) = parse_start_line(lines.next()?)?;
    let mut head = Head {
        start,
        version,
        headers: Vec::new(),
        headers_dropped: 0,
        malformed_lines: 0,
    };
    let mut pending: Option<(&[u8], Vec<&[u8]>)> = None;
    for line in lines {
        if line.first().is_some_and(|&b| b == b' ' || b == b'\t') {
            // A continuation of the previous header line (RFC 3261 §7.3.1).
            if let Some((_, parts)) = pending.as_mut() {
                parts.push(line);
            }
            continue;
        }
        if let Some((name, parts)) = pending.take() {
            head.push(name, &parts);
        }
        if line.is_empty() {
            break;
        }
        match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let name = line.get(..colon).unwrap_or_default();
                let value = line.get(colon + 1..).unwrap_or_default();
                pending = Some((name, vec![value]));
            }
            None => head.malformed_lines += 1,
        }
    }
    if let Some((name, parts)) = pending {
        head.push(name, &parts);
    }
    Some(head)
}

impl<'a> Head<'a> {
    fn push(&mut self, name: &'a [u8], parts: &[&'a [u8]]) {
        if self.headers.len() >= MAX_HEADERS {
            self.headers_dropped += 1;
            return;
        }
        let value = match parts {
            [one] => Cow::Borrowed(trim(one)),
            many => {
                let mut joined = Vec::new();
                for part in many.iter().map(|p| trim(p)).filter(|p| !p.is_empty()) {
                    if !joined.is_empty() {
                        joined.push(b' ');
                    }
                    joined.extend_from_slice(part);
                }
                Cow::Owned(joined)
            }
        };
        self.headers.push(Header {
            name: expand_name(trim(name)),
            value,
        });
    }
}

/// Lines of a block, each without its `\n` and a preceding `\r`.
struct Lines<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let (line, rest) = match self.rest.iter().position(|&b| b == b'\n') {
            Some(nl) => (
                self.rest.get(..nl).unwrap_or_default(),
                self.rest.get(nl + 1..).unwrap_or_default(),
            ),
            None => (self.rest, &[][..]),
        };
        self.rest = rest;
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    }
}

/// The lower-cased full name of a header; compact forms (RFC 3261 §7.3.3 and the IANA
/// registry) expanded.
fn expand_name(name: &[u8]) -> Cow<'static, str> {
    if let [c] = name {
        let full = match c.to_ascii_lowercase() {
            b'a' => Some("accept-contact"),
            b'b' => Some("referred-by"),
            b'c' => Some("content-type"),
            b'd' => Some("request-disposition"),
            b'e' => Some("content-encoding"),
            b'f' => Some("from"),
            b'i' => Some("call-id"),
            b'j' => Some("reject-contact"),
            b'k' => Some("supported"),
            b'l' => Some("content-length"),
            b'm' => Some("contact"),
            b'o' => Some("event"),
            b'r' => Some("refer-to"),
            b's' => Some("subject"),
            b't' => Some("to"),
            b'u' => Some("allow-events"),
            b'v' => Some("via"),
            b'x' => Some("session-expires"),
            b'y' => Some("identity"),
            _ => None,
        };
        if let Some(full) = full {
            return Cow::Borrowed(full);
        }
    }
    Cow::Owned(String::from_utf8_lossy(name).to_ascii_lowercase())
}

/// `d.d` (digits around one dot).
fn is_version(v: &[u8]) -> bool {
    let mut parts = v.split(|&b| b == b'.');
    let ok =
        |p: Option<&[u8]>| p.is_some_and(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit));
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

/// RFC 3261 `token` characters.
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b)
}

/// `s` without leading and trailing spaces and tabs.
pub fn trim(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    s.get(start..end).unwrap_or_default()
}

/// A decimal number of at most 19 digits, surrounding whitespace allowed.
pub fn parse_u64(s: &[u8]) -> Option<u64> {
    let s = trim(s);
    if s.is_empty() || s.len() > 19 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_lines() {
        // Request: method, Request-URI, version.
        let (s, v) = parse_start_line(b"INVITE sip:bob@biloxi.example.com SIP/2.0").unwrap();
        assert_eq!(
            s,
            StartLine::Request {
                method: b"INVITE",
                uri: b"sip:bob@biloxi.example.com"
            }
        );
        assert_eq!(v, b"2.0");
        // Response: version, 3-digit code, reason with spaces.
        let (s, _) = parse_start_line(b"SIP/2.0 486 Busy Here").unwrap();
        assert_eq!(
            s,
            StartLine::Response {
                code: 486,
                reason: b"Busy Here"
            }
        );
        // Reason phrase may be empty.
        assert!(parse_start_line(b"SIP/2.0 200").is_some());
        // Not SIP: HTTP, a bad code, a URI without scheme, trailing words.
        assert!(parse_start_line(b"GET / HTTP/1.1").is_none());
        assert!(parse_start_line(b"SIP/2.0 2000 OK").is_none());
        assert!(parse_start_line(b"SIP/2.0 099 Low").is_none());
        assert!(parse_start_line(b"INVITE bob SIP/2.0").is_none());
        assert!(parse_start_line(b"INVITE sip:a SIP/2.0 x").is_none());
        assert!(parse_start_line(b"IN<VITE sip:a SIP/2.0").is_none());
        assert!(parse_start_line(b"").is_none());
        // After a gap only known methods start a message.
        assert!(is_resync_start_line(b"BYE sip:a SIP/2.0"));
        assert!(is_resync_start_line(b"SIP/2.0 200 OK"));
        assert!(!is_resync_start_line(b"ITE sip:a SIP/2.0"));
        assert!(is_start_line(b"ITE sip:a SIP/2.0"));
    }

    #[test]
    fn head_end_and_keepalives() {
        // "\r\n\r\n" keep-alive before the message: 4 bytes skipped.
        assert_eq!(keepalive_len(b"\r\n\r\nOPTIONS"), 4);
        // Start line (15 + 2) + header (4 + 2) + empty line (2) = 25.
        let block = b"A sip:b SIP/2.0\r\nX: y\r\n\r\nbody";
        assert_eq!(head_len(block, 0), Some(25));
        // Bare LF line ends are accepted.
        assert_eq!(head_len(b"A sip:b SIP/2.0\nX: y\n\nbody", 0), Some(22));
        // Not yet complete; resuming later finds the same end.
        assert_eq!(head_len(b"A sip:b SIP/2.0\r\nX: y\r\n\r", 0), None);
        assert_eq!(head_len(block, resume_scan(&block[..24])), Some(25));
    }

    #[test]
    fn headers_compact_folded_and_malformed() {
        let block = b"SIP/2.0 200 OK\r\n\
f: <sip:a@x>;tag=1\r\n\
Subject: two\r\n  lines\r\n\
no colon here\r\n\
l: 12\r\n\
\r\n";
        let h = parse_head(block).unwrap();
        assert_eq!(h.last("from"), Some(&b"<sip:a@x>;tag=1"[..]));
        // Folded: joined with one space.
        assert_eq!(h.last("subject"), Some(&b"two lines"[..]));
        assert_eq!(h.malformed_lines, 1);
        assert_eq!(h.content_length(), ContentLength::Bytes(12));
        assert!(parse_head(b"HTTP/1.1 200 OK\r\n\r\n").is_none());
    }

    #[test]
    fn header_cap() {
        let mut block = b"OPTIONS sip:a SIP/2.0\r\n".to_vec();
        for _ in 0..MAX_HEADERS + 5 {
            block.extend_from_slice(b"X: 1\r\n");
        }
        block.extend_from_slice(b"\r\n");
        let h = parse_head(&block).unwrap();
        assert_eq!((h.headers.len(), h.headers_dropped), (MAX_HEADERS, 5));
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_u64(b"  123 "), Some(123));
        assert_eq!(parse_u64(b"-1"), None);
        assert_eq!(parse_u64(b"99999999999999999999"), None);
        assert_eq!(trim(b" \t a b \r"), b"a b");
    }
}
