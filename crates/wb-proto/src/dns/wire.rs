//! The DNS wire format (RFC 1035 §4): header, compressed names, questions and resource
//! records, parsed from borrowed bytes without trusting any count or pointer.

use std::fmt::Write;

/// Most compression pointers followed for one name (a loop guard).
const MAX_POINTERS: usize = 64;
/// Longest name on the wire, in octets (RFC 1035 §3.1).
const MAX_NAME_OCTETS: usize = 255;

/// Why bytes are not a DNS message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WireError {
    /// Fewer than the 12 header bytes, or a record cut short.
    Truncated,
    /// A name longer than 255 octets.
    NameTooLong,
    /// Compression pointers that loop or chain too deep.
    PointerLoop,
    /// A label type other than plain or pointer.
    BadLabel,
}

/// The fixed 12-byte header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Header {
    /// Message id.
    pub id: u16,
    /// QR: this is a response.
    pub response: bool,
    /// Opcode (4 bits).
    pub opcode: u8,
    /// AA.
    pub authoritative: bool,
    /// TC.
    pub truncated: bool,
    /// RD.
    pub recursion_desired: bool,
    /// RA.
    pub recursion_available: bool,
    /// AD.
    pub authentic_data: bool,
    /// CD.
    pub checking_disabled: bool,
    /// RCODE (low 4 bits; EDNS may extend it).
    pub rcode: u8,
    /// QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT.
    pub counts: [u16; 4],
}

/// Reads the header.
pub fn header(msg: &[u8]) -> Result<Header, WireError> {
    if msg.len() < 12 {
        return Err(WireError::Truncated);
    }
    let flags = u16_at(msg, 2)?;
    let bit = |n: u16| flags & (1 << n) != 0;
    Ok(Header {
        id: u16_at(msg, 0)?,
        response: bit(15),
        opcode: ((flags >> 11) & 0xf) as u8,
        authoritative: bit(10),
        truncated: bit(9),
        recursion_desired: bit(8),
        recursion_available: bit(7),
        authentic_data: bit(5),
        checking_disabled: bit(4),
        rcode: (flags & 0xf) as u8,
        counts: [
            u16_at(msg, 4)?,
            u16_at(msg, 6)?,
            u16_at(msg, 8)?,
            u16_at(msg, 10)?,
        ],
    })
}

/// A big-endian u16 at `pos`.
pub fn u16_at(msg: &[u8], pos: usize) -> Result<u16, WireError> {
    match msg.get(pos..pos + 2) {
        Some(&[a, b]) => Ok(u16::from_be_bytes([a, b])),
        _ => Err(WireError::Truncated),
    }
}

/// A big-endian u32 at `pos`.
pub fn u32_at(msg: &[u8], pos: usize) -> Result<u32, WireError> {
    match msg.get(pos..pos + 4) {
        Some(&[a, b, c, d]) => Ok(u32::from_be_bytes([a, b, c, d])),
        _ => Err(WireError::Truncated),
    }
}

/// Reads the (possibly compressed) name at `pos`; returns it in presentation form without
/// the trailing dot (the root is `.`) and the position after its wire form.
pub fn name(msg: &[u8], pos: usize) -> Result<(String, usize), WireError> {
    let mut out = String::new();
    let mut at = pos;
    let mut end = None;
    let mut pointers = 0;
    let mut octets = 0;
    loop {
        let len = *msg.get(at).ok_or(WireError::Truncated)?;
        match len & 0xc0 {
            0x00 if len == 0 => {
                let end = end.unwrap_or(at + 1);
                if out.is_empty() {
                    out.push('.');
                }
                return Ok((out, end));
            }
            0x00 => {
                let label = msg
                    .get(at + 1..at + 1 + usize::from(len))
                    .ok_or(WireError::Truncated)?;
                octets += label.len() + 1;
                if octets + 1 > MAX_NAME_OCTETS {
                    return Err(WireError::NameTooLong);
                }
                if !out.is_empty() {
                    out.push('.');
                }
                escape_label(label, &mut out);
                at += 1 + label.len();
            }
            0xc0 => {
                let target = usize::from(u16_at(msg, at)? & 0x3fff);
                pointers += 1;
                if pointers > MAX_POINTERS {
                    return Err(WireError::PointerLoop);
                }
                end.get_or_insert(at + 2);
                at = target;
            }
            _ => return Err(WireError::BadLabel),
        }
    }
}

/// Appends a label in presentation form: special characters backslash-escaped, bytes
/// outside printable ASCII as `\DDD`.
fn escape_label(label: &[u8], out: &mut String) {
    for &b in label {
        match b {
            b'.' | b' ' | b'\'' | b'@' | b';' | b'(' | b')' | b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x21..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\{b:03}");
            }
        }
    }
}

/// One question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// QNAME.
    pub name: String,
    /// QTYPE.
    pub qtype: u16,
    /// QCLASS.
    pub qclass: u16,
}

/// Reads a question at `pos`; returns it and the position after it.
pub fn question(msg: &[u8], pos: usize) -> Result<(Question, usize), WireError> {
    let (name, at) = name(msg, pos)?;
    Ok((
        Question {
            name,
            qtype: u16_at(msg, at)?,
            qclass: u16_at(msg, at + 2)?,
        },
        at + 4,
    ))
}

/// The fixed part of a resource record, and where its RDATA lies in the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordHeader {
    /// Owner name.
    pub name: String,
    /// TYPE.
    pub rtype: u16,
    /// CLASS (for OPT: the UDP payload size).
    pub class: u16,
    /// TTL (for OPT: extended rcode, version and flags).
    pub ttl: u32,
    /// Offset of the RDATA in the message.
    pub rdata_at: usize,
    /// RDLENGTH.
    pub rdata_len: usize,
}

/// Reads a resource record header at `pos`; returns it and the position after its RDATA.
pub fn record(msg: &[u8], pos: usize) -> Result<(RecordHeader, usize), WireError> {
    let (name, at) = name(msg, pos)?;
    let rdata_len = usize::from(u16_at(msg, at + 8)?);
    let rdata_at = at + 10;
    if msg.len() < rdata_at + rdata_len {
        return Err(WireError::Truncated);
    }
    Ok((
        RecordHeader {
            name,
            rtype: u16_at(msg, at)?,
            class: u16_at(msg, at + 2)?,
            ttl: u32_at(msg, at + 4)?,
            rdata_at,
            rdata_len,
        },
        rdata_at + rdata_len,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_bits() {
        // id 0xabcd; flags 0x8580 = QR, AA, RD, RA; rcode 0; counts 1,2,0,1.
        let h = header(&[0xab, 0xcd, 0x85, 0x80, 0, 1, 0, 2, 0, 0, 0, 1]).unwrap();
        assert_eq!(h.id, 0xabcd);
        assert!(h.response && h.authoritative && h.recursion_desired && h.recursion_available);
        assert!(!h.truncated && !h.authentic_data && !h.checking_disabled);
        assert_eq!(h.counts, [1, 2, 0, 1]);
        assert_eq!(header(&[0; 11]), Err(WireError::Truncated));
    }

    #[test]
    fn names_plain_compressed_root_and_escaped() {
        // 0: 3 "www" 7 "example" 3 "com" 0 | 17: pointer to 4 ("example.com") | 19: root
        let mut msg = b"\x03www\x07example\x03com\x00".to_vec();
        msg.extend_from_slice(&[0xc0, 4, 0]);
        assert_eq!(name(&msg, 0).unwrap(), ("www.example.com".into(), 17));
        assert_eq!(name(&msg, 17).unwrap(), ("example.com".into(), 19));
        assert_eq!(name(&msg, 19).unwrap(), (".".into(), 20));
        // A label holding a dot and a zero byte.
        assert_eq!(name(b"\x03a.\x00\x00", 0).unwrap().0, "a\\.\\000");
    }

    #[test]
    fn hostile_names_are_errors() {
        // A pointer to itself, and two pointers to each other.
        assert_eq!(name(&[0xc0, 0], 0), Err(WireError::PointerLoop));
        assert_eq!(name(&[0xc0, 2, 0xc0, 0], 0), Err(WireError::PointerLoop));
        // A label running past the end; a reserved label type.
        assert_eq!(name(b"\x05ab", 0), Err(WireError::Truncated));
        assert_eq!(name(&[0x40, 0], 0), Err(WireError::BadLabel));
        // 5 labels of 63 bytes: 320 octets.
        let mut long = Vec::new();
        for _ in 0..5 {
            long.push(63);
            long.extend_from_slice(&[b'a'; 63]);
        }
        long.push(0);
        assert_eq!(name(&long, 0), Err(WireError::NameTooLong));
    }

    #[test]
    fn record_bounds() {
        // root owner, type A, class IN, ttl 60, rdlength 4, 127.0.0.1
        let rr = [0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1];
        let (h, end) = record(&rr, 0).unwrap();
        assert_eq!(
            (h.rtype, h.class, h.ttl, h.rdata_at, h.rdata_len, end),
            (1, 1, 60, 11, 4, 15)
        );
        assert_eq!(record(&rr[..14], 0), Err(WireError::Truncated));
    }
}
