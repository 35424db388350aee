//! Pure HTTP/1.x syntax: start lines, header blocks, header lines and chunk-size lines.
//! Borrowed bytes in, views out; no state and no configuration.

/// An HTTP version as written on the wire.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Version {
    /// Major number.
    pub major: u8,
    /// Minor number.
    pub minor: u8,
}

impl Version {
    /// HTTP/1.0.
    pub const V1_0: Version = Version { major: 1, minor: 0 };

    /// Parses `HTTP/d.d`; versions this analyzer does not know (major > 1 or minor > 2) are
    /// treated as 1.0, as Packetbeat does.
    fn parse(text: &[u8]) -> Option<Version> {
        let rest = text.strip_prefix(b"HTTP/")?;
        let [major, b'.', minor] = rest else {
            return None;
        };
        if !major.is_ascii_digit() || !minor.is_ascii_digit() {
            return None;
        }
        let v = Version {
            major: major - b'0',
            minor: minor - b'0',
        };
        Some(if v.major > 1 || v.minor > 2 {
            Version::V1_0
        } else {
            v
        })
    }

    /// `major.minor`, the `http.version` value.
    pub fn text(self) -> String {
        format!("{}.{}", self.major, self.minor)
    }
}

/// The first line of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartLine<'a> {
    /// `METHOD SP request-target SP HTTP/x.y`.
    Request {
        /// The method token.
        method: &'a [u8],
        /// The request target as sent.
        uri: &'a [u8],
        /// Protocol version.
        version: Version,
    },
    /// `HTTP/x.y SP code [SP phrase]`.
    Response {
        /// Protocol version.
        version: Version,
        /// Three-digit status code.
        code: u16,
        /// Reason phrase (may be empty).
        phrase: &'a [u8],
    },
}

/// Longest start line accepted; a longer one is not HTTP (or is hostile).
pub const MAX_START_LINE: usize = 16 * 1024;

/// The next line of `data` from `from`: `(end of text, start of next line)`, tolerating a bare
/// `\n`. `None` when no line end has arrived yet.
pub fn line_at(data: &[u8], from: usize) -> Option<(usize, usize)> {
    let rest = data.get(from..)?;
    let nl = from + rest.iter().position(|&b| b == b'\n')?;
    let end = if nl > from && data.get(nl - 1) == Some(&b'\r') {
        nl - 1
    } else {
        nl
    };
    Some((end, nl + 1))
}

/// Parses a start line (without its line end).
pub fn parse_start_line(line: &[u8]) -> Option<StartLine<'_>> {
    if line.len() > MAX_START_LINE {
        return None;
    }
    if line.starts_with(b"HTTP/") {
        let mut parts = line.splitn(3, |&b| b == b' ');
        let version = Version::parse(parts.next()?)?;
        let code = parts.next()?;
        let phrase = parts.next().unwrap_or_default();
        if code.len() != 3 || !code.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let code = code.iter().fold(0u16, |n, &d| n * 10 + u16::from(d - b'0'));
        return Some(StartLine::Response {
            version,
            code,
            phrase,
        });
    }
    let sp1 = line.iter().position(|&b| b == b' ')?;
    let sp2 = line.iter().rposition(|&b| b == b' ')?;
    let method = line.get(..sp1)?;
    let uri = line.get(sp1 + 1..sp2)?;
    let version = Version::parse(line.get(sp2 + 1..)?)?;
    let is_token = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b);
    if method.is_empty() || method.len() > 32 || !method.iter().all(is_token) {
        return None;
    }
    if uri.is_empty() || uri.iter().any(|&b| b == b' ' || b.is_ascii_control()) {
        return None;
    }
    Some(StartLine::Request {
        method,
        uri,
        version,
    })
}

/// Where the header block ends: scanning lines from `line_start` (which must be the start of
/// a line), `Ok(index just after the empty line)`, or `Err(start of the first incomplete
/// line)` while the empty line has not arrived, to resume the scan there.
pub fn find_head_end(data: &[u8], mut line_start: usize) -> Result<usize, usize> {
    loop {
        let Some((text_end, next)) = line_at(data, line_start) else {
            return Err(line_start);
        };
        if text_end == line_start {
            return Ok(next);
        }
        line_start = next;
    }
}

/// Iterator over the header fields of a header block (the lines after the start line, without
/// the final empty line). Continuation lines (starting with space or tab) are kept in the
/// value, not unfolded; lines without a colon are skipped.
pub struct HeaderLines<'a> {
    rest: &'a [u8],
}

impl<'a> HeaderLines<'a> {
    /// Header fields of `block`.
    pub fn new(block: &'a [u8]) -> Self {
        HeaderLines { rest: block }
    }
}

impl<'a> Iterator for HeaderLines<'a> {
    /// `(name, value)`: the name as sent, the value with outer spaces and tabs trimmed.
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            // The field runs until a line end not followed by a continuation line.
            let mut from = 0;
            let (end, next) = loop {
                match line_at(self.rest, from) {
                    None => break (self.rest.len(), self.rest.len()),
                    Some((text_end, after)) => match self.rest.get(after) {
                        Some(b' ' | b'\t') => from = after,
                        _ => break (text_end, after),
                    },
                }
            };
            let field = self.rest.get(..end).unwrap_or_default();
            self.rest = self.rest.get(next..).unwrap_or_default();
            if field.is_empty() {
                continue;
            }
            let Some(colon) = field.iter().position(|&b| b == b':') else {
                continue;
            };
            let name = trim(field.get(..colon).unwrap_or_default());
            let value = trim(field.get(colon + 1..).unwrap_or_default());
            if name.is_empty() {
                continue;
            }
            return Some((name, value));
        }
    }
}

/// `s` without leading and trailing spaces, tabs and line ends.
pub fn trim(s: &[u8]) -> &[u8] {
    let is_ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = s.iter().position(|b| !is_ws(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !is_ws(b)).map_or(start, |e| e + 1);
    s.get(start..end).unwrap_or_default()
}

/// The size of a chunk-size line (`hex [; extensions]`). `None` when it is not one or when the
/// size does not fit in 60 bits.
pub fn parse_chunk_size(line: &[u8]) -> Option<u64> {
    let size = line.split(|&b| b == b';').next().map(trim)?;
    if size.is_empty() || size.len() > 15 {
        return None;
    }
    size.iter().try_fold(0u64, |n, &b| {
        let d = char::from(b).to_digit(16)?;
        Some(n * 16 + u64::from(d))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_and_response_lines() {
        assert_eq!(
            parse_start_line(b"GET /a?b=1 HTTP/1.1"),
            Some(StartLine::Request {
                method: b"GET",
                uri: b"/a?b=1",
                version: Version { major: 1, minor: 1 }
            })
        );
        assert_eq!(
            parse_start_line(b"HTTP/1.0 404 Not Found"),
            Some(StartLine::Response {
                version: Version::V1_0,
                code: 404,
                phrase: b"Not Found"
            })
        );
        // Empty reason phrase, with and without the space.
        assert!(matches!(
            parse_start_line(b"HTTP/1.1 204"),
            Some(StartLine::Response { code: 204, .. })
        ));
        // HTTP/2.0 is treated as 1.0.
        assert!(matches!(
            parse_start_line(b"HTTP/2.0 200 OK"),
            Some(StartLine::Response {
                version: Version::V1_0,
                ..
            })
        ));
        for bad in [
            &b"GET / HTTP/1"[..],
            b"GET  HTTP/1.1",
            b"HTTP/1.1 2000 OK",
            b"G\x01T / HTTP/1.1",
            b"\x16\x03\x01 hello",
            b"",
        ] {
            assert_eq!(parse_start_line(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn head_end_with_crlf_and_bare_lf() {
        // "GET / HTTP/1.1\r\n" = 16, "Host: a\r\n" = 9, "\r\n" = 2.
        let crlf = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nBODY";
        assert_eq!(find_head_end(crlf, 0), Ok(27));
        // Resuming from a later line start gives the same end.
        assert_eq!(find_head_end(crlf, 16), Ok(27));
        let lf = b"GET / HTTP/1.1\nHost: a\n\nBODY";
        assert_eq!(find_head_end(lf, 0), Ok(24));
        // Incomplete: the scan resumes at the start of "Hos".
        assert_eq!(find_head_end(b"GET / HTTP/1.1\r\nHos", 0), Err(16));
        assert_eq!(find_head_end(b"GET / HTTP/1.0\r\n\r\n", 0), Ok(18));
    }

    #[test]
    fn header_lines_fold_and_trim() {
        let block = b"Host:  a.b \r\nX-Long: one\r\n  two\r\nbroken line\r\nA:\r\n";
        let got: Vec<_> = HeaderLines::new(block).collect();
        assert_eq!(
            got,
            vec![
                (&b"Host"[..], &b"a.b"[..]),
                (b"X-Long", b"one\r\n  two"),
                (b"A", b""),
            ]
        );
        // A last line without line end still counts.
        let got: Vec<_> = HeaderLines::new(b"K: v").collect();
        assert_eq!(got, vec![(&b"K"[..], &b"v"[..])]);
    }

    #[test]
    fn chunk_sizes() {
        assert_eq!(parse_chunk_size(b"1a"), Some(26));
        assert_eq!(parse_chunk_size(b"1A ; name=value"), Some(26));
        assert_eq!(parse_chunk_size(b"0"), Some(0));
        assert_eq!(parse_chunk_size(b""), None);
        assert_eq!(parse_chunk_size(b"xyz"), None);
        assert_eq!(parse_chunk_size(b"ffffffffffffffffff"), None);
    }
}
