//! Pure line parsing for `template`: borrowed bytes in, views out. No state, no config.

/// One complete line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line<'a> {
    /// The line without its end-of-line bytes.
    pub text: &'a [u8],
    /// Bytes consumed including the `\n` (and a preceding `\r`).
    pub len: usize,
}

/// Kind of a response line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseKind {
    /// Starts with `OK`.
    Ok,
    /// Starts with `ERR`.
    Err,
    /// Anything else.
    Unknown,
}

/// The first complete line of `data`, or `None` when no `\n` has arrived yet.
pub fn parse_line(data: &[u8]) -> Option<Line<'_>> {
    let nl = data.iter().position(|&b| b == b'\n')?;
    let body = data.get(..nl)?;
    let text = body.strip_suffix(b"\r").unwrap_or(body);
    Some(Line { text, len: nl + 1 })
}

/// The verb of a request line: its first space-delimited word.
pub fn request_verb(line: &[u8]) -> &[u8] {
    line.split(|&b| b == b' ').next().unwrap_or_default()
}

/// Classifies a response line.
pub fn response_kind(line: &[u8]) -> ResponseKind {
    if line.starts_with(b"OK") {
        ResponseKind::Ok
    } else if line.starts_with(b"ERR") {
        ResponseKind::Err
    } else {
        ResponseKind::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        // "GET a\r\n" — 5 text bytes, CR, LF.
        let l = parse_line(b"GET a\r\nrest").unwrap();
        assert_eq!((l.text, l.len), (&b"GET a"[..], 7));
        // Bare LF ends a line too.
        assert_eq!(parse_line(b"X\n").unwrap().len, 2);
        // No LF yet: incomplete.
        assert_eq!(parse_line(b"GET a\r"), None);
        // Empty line.
        assert_eq!(parse_line(b"\n").unwrap().text, b"");
    }

    #[test]
    fn verbs_and_kinds() {
        assert_eq!(request_verb(b"SET k v"), b"SET");
        assert_eq!(request_verb(b""), b"");
        assert_eq!(response_kind(b"OK 1"), ResponseKind::Ok);
        assert_eq!(response_kind(b"ERR no"), ResponseKind::Err);
        assert_eq!(response_kind(b"??"), ResponseKind::Unknown);
    }
}
