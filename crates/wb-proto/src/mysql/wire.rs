//! MySQL client/server protocol framing and the packets the analyzer reads: length-encoded
//! integers and strings, OK / ERR / EOF, column definitions, text rows, and the parameters of
//! COM_STMT_EXECUTE.

/// The largest payload of one packet; a payload this long continues in the next packet.
pub const MAX_PAYLOAD: usize = 0xff_ffff;

/// One packet at the front of the data: sequence id, payload, bytes on the wire.
pub fn packet(data: &[u8]) -> Result<(u8, &[u8], usize), usize> {
    let (Some(&a), Some(&b), Some(&c), Some(&seq)) =
        (data.first(), data.get(1), data.get(2), data.get(3))
    else {
        return Err(4);
    };
    let len = usize::from(a) | usize::from(b) << 8 | usize::from(c) << 16;
    match data.get(4..4 + len) {
        Some(payload) => Ok((seq, payload, 4 + len)),
        None => Err(4 + len),
    }
}

/// Reads little-endian values and length-encoded fields from a payload.
#[derive(Clone, Copy, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    /// Bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or_default()
    }

    /// `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let b = self.data.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(b)
    }

    /// A little-endian unsigned integer of `n` bytes (n ≤ 8).
    pub fn uint(&mut self, n: usize) -> Option<u64> {
        let b = self.bytes(n)?;
        Some(b.iter().rev().fold(0u64, |acc, &x| acc << 8 | u64::from(x)))
    }

    /// A length-encoded integer; `Ok(None)` is the NULL marker (0xfb).
    pub fn lenenc(&mut self) -> Option<Option<u64>> {
        let first = *self.bytes(1)?.first()?;
        match first {
            0xfb => Some(None),
            0xfc => self.uint(2).map(Some),
            0xfd => self.uint(3).map(Some),
            0xfe => self.uint(8).map(Some),
            0xff => None,
            n => Some(Some(u64::from(n))),
        }
    }

    /// A length-encoded string; `Ok(None)` is SQL NULL.
    pub fn lenenc_str(&mut self) -> Option<Option<&'a [u8]>> {
        match self.lenenc()? {
            None => Some(None),
            Some(n) => self.bytes(usize::try_from(n).ok()?).map(Some),
        }
    }
}

/// An OK packet (header 0x00, or 0xfe when it ends a result set with CLIENT_DEPRECATE_EOF).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ok {
    /// Rows changed.
    pub affected_rows: u64,
    /// Last insert id.
    pub insert_id: u64,
    /// Server status flags.
    pub status: u16,
}

/// Parses an OK packet's body (after the header byte).
pub fn ok_packet(payload: &[u8]) -> Option<Ok> {
    let mut r = Reader::new(payload.get(1..)?);
    let affected_rows = r.lenenc()?.unwrap_or(0);
    let insert_id = r.lenenc()?.unwrap_or(0);
    let status = r.uint(2).unwrap_or(0) as u16;
    Some(Ok {
        affected_rows,
        insert_id,
        status,
    })
}

/// The status flags of an EOF packet (0xfe, shorter than 9 bytes).
pub fn eof_status(payload: &[u8]) -> u16 {
    let mut r = Reader::new(payload.get(1..).unwrap_or_default());
    let _warnings = r.uint(2);
    r.uint(2).unwrap_or(0) as u16
}

/// An ERR packet: error code and `"<SQLSTATE>: <message>"` as Packetbeat writes it.
pub fn err_packet(payload: &[u8]) -> (u16, String) {
    let mut r = Reader::new(payload.get(1..).unwrap_or_default());
    let code = r.uint(2).unwrap_or(0) as u16;
    let rest = r.rest();
    let text = match rest.split_first() {
        Some((b'#', tail)) => {
            let state = String::from_utf8_lossy(tail.get(..5).unwrap_or(tail));
            let msg = String::from_utf8_lossy(tail.get(5..).unwrap_or_default());
            format!("{state}: {msg}")
        }
        _ => String::from_utf8_lossy(rest).into_owned(),
    };
    (code, text)
}

/// Schema, table and name of a column definition (protocol 4.1).
pub fn column(payload: &[u8]) -> Option<(String, String, String)> {
    let mut r = Reader::new(payload);
    let mut s = || -> Option<String> {
        Some(String::from_utf8_lossy(r.lenenc_str()?.unwrap_or_default()).into_owned())
    };
    let _catalog = s()?;
    let schema = s()?;
    let table = s()?;
    let _org_table = s()?;
    let name = s()?;
    Some((schema, table, name))
}

/// The values of a text-protocol row (`None` = NULL).
pub fn text_row(payload: &[u8]) -> Option<Vec<Option<&[u8]>>> {
    let mut r = Reader::new(payload);
    let mut out = Vec::new();
    while !r.rest().is_empty() {
        out.push(r.lenenc_str()?);
    }
    Some(out)
}

/// Field type codes used by COM_STMT_EXECUTE parameters.
mod types {
    pub const TINY: u8 = 0x01;
    pub const SHORT: u8 = 0x02;
    pub const LONG: u8 = 0x03;
    pub const FLOAT: u8 = 0x04;
    pub const DOUBLE: u8 = 0x05;
    pub const NULL: u8 = 0x06;
    pub const TIMESTAMP: u8 = 0x07;
    pub const LONGLONG: u8 = 0x08;
    pub const INT24: u8 = 0x09;
    pub const DATE: u8 = 0x0a;
    pub const TIME: u8 = 0x0b;
    pub const DATETIME: u8 = 0x0c;
    pub const YEAR: u8 = 0x0d;
}

/// The unsigned flag of a bound parameter type (the high byte of its two-byte type).
const UNSIGNED: u16 = 0x8000;

/// Decodes the bound parameters of a COM_STMT_EXECUTE body (after the command byte), given the
/// statement's parameter count and the types bound by an earlier execute (type byte, and
/// [`UNSIGNED`] when flagged). Values are rendered as Packetbeat renders them, except that
/// integers are signed unless the client flagged them unsigned (Packetbeat shows -1 as 255);
/// returns the values and the types now bound.
pub fn execute_params(
    body: &[u8],
    count: usize,
    bound: &[u16],
) -> Option<(u32, Vec<String>, Vec<u16>)> {
    let mut r = Reader::new(body);
    let stmt = r.uint(4)? as u32;
    if count == 0 {
        return Some((stmt, Vec::new(), bound.to_vec()));
    }
    let _flags = r.uint(1)?;
    let _iterations = r.uint(4)?;
    let nulls = r.bytes(count.div_ceil(8))?;
    let new_bound = r.uint(1)? == 1;
    let mut kinds = Vec::with_capacity(count);
    if new_bound {
        for _ in 0..count {
            kinds.push(r.uint(2)? as u16);
        }
    } else {
        kinds.extend(bound.iter().copied().take(count));
    }
    let mut values = Vec::with_capacity(count);
    for (i, &bound_type) in kinds.iter().enumerate() {
        let is_null = nulls.get(i / 8).is_some_and(|b| b & (1 << (i % 8)) != 0);
        let kind = bound_type as u8;
        if is_null || kind == types::NULL {
            values.push("TYPE_NULL".to_string());
            continue;
        }
        let unsigned = bound_type & UNSIGNED != 0;
        let v = match kind {
            types::TINY => integer(r.uint(1)?, 1, unsigned),
            types::SHORT | types::YEAR => integer(r.uint(2)?, 2, unsigned),
            types::LONG | types::INT24 => integer(r.uint(4)?, 4, unsigned),
            types::LONGLONG => integer(r.uint(8)?, 8, unsigned),
            types::FLOAT => {
                r.bytes(4)?;
                "TYPE_FLOAT".to_string()
            }
            types::DOUBLE => {
                r.bytes(8)?;
                "TYPE_DOUBLE".to_string()
            }
            types::TIME => {
                let n = usize::from(*r.bytes(1)?.first()?);
                r.bytes(n)?;
                "TYPE_TIME".to_string()
            }
            types::DATE | types::DATETIME | types::TIMESTAMP => {
                let n = usize::from(*r.bytes(1)?.first()?);
                let mut d = Reader::new(r.bytes(n)?);
                let (y, m, day) = (
                    d.uint(2).unwrap_or(0),
                    d.uint(1).unwrap_or(0),
                    d.uint(1).unwrap_or(0),
                );
                let (h, min, s) = (
                    d.uint(1).unwrap_or(0),
                    d.uint(1).unwrap_or(0),
                    d.uint(1).unwrap_or(0),
                );
                format!("{y}/{m}/{day} {h}:{min}:{s}")
            }
            _ => String::from_utf8_lossy(r.lenenc_str()?.unwrap_or_default()).into_owned(),
        };
        values.push(v);
    }
    Some((stmt, values, kinds))
}

/// A little-endian integer of `width` bytes as text, sign-extended unless `unsigned`.
fn integer(raw: u64, width: u32, unsigned: bool) -> String {
    if unsigned {
        return raw.to_string();
    }
    let shift = 64 - 8 * width;
    (((raw << shift) as i64) >> shift).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_and_lenenc() {
        // length 1, seq 0, COM_PING
        assert_eq!(packet(&[1, 0, 0, 0, 0x0e]), Ok((0, &[0x0e][..], 5)));
        assert_eq!(packet(&[5, 0, 0, 0, 3]), Err(9));
        assert_eq!(packet(&[5, 0]), Err(4));
        let mut r = Reader::new(&[0xfa, 0xfc, 0x34, 0x12, 0xfb, 0x02, b'h', b'i']);
        assert_eq!(r.lenenc(), Some(Some(250)));
        assert_eq!(r.lenenc(), Some(Some(0x1234)));
        assert_eq!(r.lenenc(), Some(None));
        assert_eq!(r.lenenc_str(), Some(Some(&b"hi"[..])));
        assert_eq!(r.lenenc(), None);
    }

    #[test]
    fn ok_err_eof() {
        // OK: affected 0xfc 0x3c 0x01 = 316, insert id 0, status 0x0002
        let ok = ok_packet(&[0x00, 0xfc, 0x3c, 0x01, 0x00, 0x02, 0x00, 0, 0]).unwrap();
        assert_eq!((ok.affected_rows, ok.insert_id, ok.status), (316, 0, 2));
        let (code, text) = err_packet(b"\xff\x16\x04#3D000No database selected");
        assert_eq!((code, text.as_str()), (1046, "3D000: No database selected"));
        assert_eq!(eof_status(&[0xfe, 0, 0, 0x08, 0]), 8);
    }

    #[test]
    fn column_and_rows() {
        let mut def = Vec::new();
        for s in ["def", "test", "t", "t", "a", "a"] {
            def.push(s.len() as u8);
            def.extend_from_slice(s.as_bytes());
        }
        def.extend_from_slice(&[0x0c, 0x21, 0, 0, 0, 0, 0, 0xfd, 0, 0, 0, 0, 0]);
        assert_eq!(column(&def), Some(("test".into(), "t".into(), "a".into())));
        assert_eq!(
            text_row(&[1, b'x', 0xfb]),
            Some(vec![Some(&b"x"[..]), None])
        );
        assert_eq!(text_row(&[5, b'x']), None);
    }

    #[test]
    fn execute_parameters() {
        // stmt 1, flags 0, iterations 1, null bitmap 0b10, bound, types VAR_STRING + LONG, "ab"
        let body = [
            1, 0, 0, 0, 0, 1, 0, 0, 0, 0b10, 1, 0xfd, 0, 0x03, 0, 2, b'a', b'b',
        ];
        let (stmt, values, kinds) = execute_params(&body, 2, &[]).unwrap();
        assert_eq!(
            (stmt, values),
            (1, vec!["ab".to_string(), "TYPE_NULL".to_string()])
        );
        assert_eq!(kinds, vec![0xfd, 0x03]);
        assert!(execute_params(&body[..12], 2, &[]).is_none());
    }

    #[test]
    fn integer_parameters_keep_their_sign() {
        // TINY -1, unsigned TINY 255, SHORT -2, LONGLONG -3, unsigned LONGLONG u64::MAX.
        let mut body = vec![9, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
        body.extend_from_slice(&[0x01, 0x00, 0x01, 0x80, 0x02, 0x00, 0x08, 0x00, 0x08, 0x80]);
        body.extend_from_slice(&[0xff, 0xff, 0xfe, 0xff]);
        body.extend_from_slice(&(-3i64).to_le_bytes());
        body.extend_from_slice(&u64::MAX.to_le_bytes());
        let (_, values, kinds) = execute_params(&body, 5, &[]).unwrap();
        assert_eq!(values, ["-1", "255", "-2", "-3", "18446744073709551615"]);
        // A later execute without new types reuses them, flags included.
        let mut again = vec![9, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0];
        again.extend_from_slice(&[0x80, 0x80, 0x00, 0x00]);
        again.extend_from_slice(&[0u8; 16]);
        let (_, values, _) = execute_params(&again, 5, &kinds).unwrap();
        assert_eq!(values, ["-128", "128", "0", "0", "0"]);
    }
}
