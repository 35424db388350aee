//! PostgreSQL wire protocol v3 framing: typed messages (type byte + length), the untyped
//! start-up messages, and the fields of the messages the analyzer reads.

/// SSLRequest code.
pub const SSL_REQUEST: u32 = 80_877_103;
/// GSSENCRequest code.
pub const GSSENC_REQUEST: u32 = 80_877_104;
/// Largest message accepted (the server's own limit for most messages is 1 GB; queries and
/// rows this large are not analysed).
pub const MAX_MESSAGE: usize = 64 << 20;

/// A framed message at the front of the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A typed message: its type byte and body; `len` bytes in all.
    Typed {
        /// Type byte.
        kind: u8,
        /// Body after the length word.
        body: &'a [u8],
        /// Bytes on the wire.
        len: usize,
    },
    /// More bytes are needed: at least this many in all (0 = unknown).
    Incomplete(usize),
    /// Not PostgreSQL.
    Invalid,
}

/// Reads a typed message.
pub fn typed(data: &[u8]) -> Frame<'_> {
    let Some(&kind) = data.first() else {
        return Frame::Incomplete(0);
    };
    if !kind.is_ascii_alphanumeric() {
        return Frame::Invalid;
    }
    let Some(n) = be32(data, 1) else {
        return Frame::Incomplete(5);
    };
    let n = n as usize;
    if !(4..=MAX_MESSAGE).contains(&n) {
        return Frame::Invalid;
    }
    match data.get(5..1 + n) {
        Some(body) => Frame::Typed {
            kind,
            body,
            len: 1 + n,
        },
        None => Frame::Incomplete(1 + n),
    }
}

/// Reads an untyped start-up-phase message: its code and length.
pub fn untyped(data: &[u8]) -> Result<Option<(u32, usize)>, ()> {
    let (Some(n), Some(code)) = (be32(data, 0), be32(data, 4)) else {
        return Ok(None);
    };
    let n = n as usize;
    if !(8..=10_000).contains(&n) {
        return Err(());
    }
    if data.len() < n {
        return Ok(None);
    }
    Ok(Some((code, n)))
}

/// A big-endian u32 at `at`.
pub fn be32(data: &[u8], at: usize) -> Option<u32> {
    data.get(at..at + 4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_be_bytes)
}

/// A big-endian u16 at `at`.
pub fn be16(data: &[u8], at: usize) -> Option<u16> {
    data.get(at..at + 2)
        .and_then(|b| <[u8; 2]>::try_from(b).ok())
        .map(u16::from_be_bytes)
}

/// The NUL-terminated string at `at`, and the position after its NUL.
pub fn cstr(data: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let rest = data.get(at..)?;
    let end = rest.iter().position(|&b| b == 0)?;
    Some((rest.get(..end)?, at + end + 1))
}

/// Parse (`P`): statement name and query text.
pub fn parse_message(body: &[u8]) -> Option<(&[u8], &[u8])> {
    let (name, at) = cstr(body, 0)?;
    let (query, _) = cstr(body, at)?;
    Some((name, query))
}

/// Bind (`B`): portal name and statement name.
pub fn bind_message(body: &[u8]) -> Option<(&[u8], &[u8])> {
    let (portal, at) = cstr(body, 0)?;
    let (statement, _) = cstr(body, at)?;
    Some((portal, statement))
}

/// Field names of a RowDescription (`T`).
pub fn row_description(body: &[u8]) -> Option<Vec<String>> {
    let count = usize::from(be16(body, 0)?);
    let mut at = 2;
    let mut names = Vec::with_capacity(count.min(1600));
    for _ in 0..count {
        let (name, next) = cstr(body, at)?;
        names.push(String::from_utf8_lossy(name).into_owned());
        // table oid, column, type oid, size, modifier, format
        at = next + 18;
    }
    Some(names)
}

/// Column values of a DataRow (`D`); `None` is SQL NULL.
pub fn data_row(body: &[u8]) -> Option<Vec<Option<&[u8]>>> {
    let count = usize::from(be16(body, 0)?);
    let mut at = 2;
    let mut values = Vec::with_capacity(count.min(1600));
    for _ in 0..count {
        let n = be32(body, at)?;
        at += 4;
        if n == u32::MAX {
            values.push(None);
            continue;
        }
        let n = n as usize;
        values.push(Some(body.get(at..at + n)?));
        at += n;
    }
    Some(values)
}

/// The fields of an ErrorResponse / NoticeResponse: (code, value) pairs.
pub fn error_fields(body: &[u8]) -> Vec<(u8, String)> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(&code) = body.get(at) {
        if code == 0 {
            break;
        }
        let Some((value, next)) = cstr(body, at + 1) else {
            break;
        };
        out.push((code, String::from_utf8_lossy(value).into_owned()));
        at = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing() {
        // 'Z' ReadyForQuery: length 5, status 'I'.
        assert_eq!(
            typed(b"Z\0\0\0\x05I"),
            Frame::Typed {
                kind: b'Z',
                body: b"I",
                len: 6
            }
        );
        assert_eq!(typed(b"Z\0\0\0\x05"), Frame::Incomplete(6));
        assert_eq!(typed(b"Z\0\0"), Frame::Incomplete(5));
        assert_eq!(typed(b"Z\0\0\0\x02"), Frame::Invalid);
        assert_eq!(typed(b"\x16\x03\x01"), Frame::Invalid);
        // SSLRequest: length 8, code 80877103.
        assert_eq!(
            untyped(&[0, 0, 0, 8, 4, 210, 22, 47]),
            Ok(Some((SSL_REQUEST, 8)))
        );
        assert_eq!(untyped(&[0, 0, 0, 8, 4]), Ok(None));
        assert_eq!(untyped(&[0xff, 0, 0, 8, 4, 210, 22, 47]), Err(()));
    }

    #[test]
    fn bodies() {
        assert_eq!(
            parse_message(b"s1\0SELECT 1\0\0\0"),
            Some((&b"s1"[..], &b"SELECT 1"[..]))
        );
        assert_eq!(bind_message(b"\0s1\0\0\0"), Some((&b""[..], &b"s1"[..])));
        let mut t = vec![0, 2];
        for name in [&b"a"[..], b"bb"] {
            t.extend_from_slice(name);
            t.push(0);
            t.extend_from_slice(&[0; 18]);
        }
        assert_eq!(
            row_description(&t),
            Some(vec!["a".to_string(), "bb".to_string()])
        );
        let d = [0, 2, 0, 0, 0, 1, b'x', 0xff, 0xff, 0xff, 0xff];
        assert_eq!(data_row(&d), Some(vec![Some(&b"x"[..]), None]));
        assert_eq!(data_row(&[0, 1, 0, 0, 0, 9, b'x']), None);
        let e = error_fields(b"SERROR\0C23505\0Mduplicate key\0\0");
        assert_eq!(e[1], (b'C', "23505".to_string()));
    }
}
