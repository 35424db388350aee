//! A whole decoded DNS message: header, questions, rendered records and the EDNS OPT record.

use super::names::{algorithm_name, hash_name, TYPE_OPT};
use super::rdata::{ipv6_text, render};
use super::wire::{header, question, record, Header, Question, RecordHeader, WireError};
use std::fmt::Write;
use std::net::{Ipv4Addr, Ipv6Addr};
use wb_event::Value;

/// One resource record, rendered.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Owner name.
    pub name: String,
    /// TYPE.
    pub rtype: u16,
    /// CLASS.
    pub class: u16,
    /// TTL.
    pub ttl: u32,
    /// `data`.
    pub data: String,
    /// Type-specific keys.
    pub extras: Vec<(&'static str, Value)>,
}

/// The EDNS(0) OPT pseudo-record (RFC 6891).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opt {
    /// Requestor's UDP payload size.
    pub udp_size: u16,
    /// Upper 8 bits of the extended response code.
    pub ext_rcode: u8,
    /// EDNS version.
    pub version: u8,
    /// DO: DNSSEC answers wanted.
    pub dnssec_ok: bool,
    /// Options Packetbeat writes under `dns.opt`, by key.
    pub options: Vec<(&'static str, String)>,
}

/// A decoded message.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Message {
    /// The header.
    pub header: Header,
    /// The question section.
    pub questions: Vec<Question>,
    /// The answer section.
    pub answers: Vec<Record>,
    /// The authority section.
    pub authorities: Vec<Record>,
    /// The additional section without the OPT record.
    pub additionals: Vec<Record>,
    /// The OPT record, if any.
    pub opt: Option<Opt>,
    /// Some RDATA did not match its type's layout.
    pub malformed_rdata: bool,
}

impl Message {
    /// Decodes a whole message. A message that only has a header is not DNS (as Packetbeat);
    /// a truncated (TC) message may end early at a record boundary.
    pub fn parse(bytes: &[u8]) -> Result<Message, WireError> {
        let h = header(bytes)?;
        if h.counts.iter().all(|&c| c == 0) {
            return Err(WireError::Truncated);
        }
        let mut m = Message {
            header: h,
            ..Message::default()
        };
        let mut pos = 12;
        let stops_early = |pos: usize| h.truncated && pos == bytes.len();
        let [qd, an, ns, ar] = h.counts;
        for _ in 0..qd {
            if stops_early(pos) {
                return Ok(m);
            }
            let (q, next) = question(bytes, pos)?;
            m.questions.push(q);
            pos = next;
        }
        for (section, count) in [(1, an), (2, ns), (3, ar)] {
            for _ in 0..count {
                if stops_early(pos) {
                    return Ok(m);
                }
                let (rr, next) = record(bytes, pos)?;
                pos = next;
                if section == 3 && rr.rtype == TYPE_OPT {
                    m.opt = Some(opt(bytes, &rr));
                    continue;
                }
                let rendered = render(bytes, &rr);
                m.malformed_rdata |= rendered.malformed;
                let rec = Record {
                    name: rr.name,
                    rtype: rr.rtype,
                    class: rr.class,
                    ttl: rr.ttl,
                    data: rendered.data,
                    extras: rendered.extras,
                };
                match section {
                    1 => m.answers.push(rec),
                    2 => m.authorities.push(rec),
                    _ => m.additionals.push(rec),
                }
            }
        }
        Ok(m)
    }

    /// The response code, extended by the OPT record's upper bits.
    pub fn rcode(&self) -> u16 {
        let high = self.opt.as_ref().map_or(0, |o| u16::from(o.ext_rcode));
        (high << 4) | u16::from(self.header.rcode)
    }

    /// ADDITIONAL count as Packetbeat reports it (the OPT record not counted).
    pub fn additionals_count(&self) -> usize {
        self.additionals.len()
    }
}

fn opt(msg: &[u8], rr: &RecordHeader) -> Opt {
    let mut o = Opt {
        udp_size: rr.class,
        ext_rcode: (rr.ttl >> 24) as u8,
        version: (rr.ttl >> 16) as u8,
        dnssec_ok: rr.ttl & 0x8000 != 0,
        options: Vec::new(),
    };
    let mut rest = msg
        .get(rr.rdata_at..rr.rdata_at + rr.rdata_len)
        .unwrap_or_default();
    while let (Some(&[c0, c1, l0, l1]), Some(tail)) = (rest.get(..4), rest.get(4..)) {
        let code = u16::from_be_bytes([c0, c1]);
        let len = usize::from(u16::from_be_bytes([l0, l1]));
        let Some(data) = tail.get(..len) else { break };
        rest = tail.get(len..).unwrap_or_default();
        let entry = match code {
            1 => llq(data).map(|v| ("llq", v)),
            2 => be_u32(data).map(|v| ("ul", v.to_string())),
            3 => Some(("nsid", hex_lower(data))),
            5 => Some(("dau", names_list(data, |a| algorithm_name(a).into_owned()))),
            6 => Some(("dhu", names_list(data, |h| hash_name(h).into_owned()))),
            7 => Some(("n3u", names_list(data, |h| hash_name(h).into_owned()))),
            8 => subnet(data).map(|v| ("subnet", v)),
            // Packetbeat writes EXPIRE under `local`.
            9 => Some((
                "local",
                be_u32(data).map_or(String::new(), |v| v.to_string()),
            )),
            // COOKIE, TCP keepalive, padding, extended errors: not written by Packetbeat.
            10 | 11 | 12 | 15 => None,
            _ => Some(("local", format!("{code}:0x{}", hex_lower(data)))),
        };
        if let Some((key, value)) = entry {
            o.options.retain(|(k, _)| *k != key);
            o.options.push((key, value));
        }
    }
    o
}

fn be_u32(b: &[u8]) -> Option<u32> {
    b.get(..4)
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .map(u32::from_be_bytes)
}

fn hex_lower(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for byte in b {
        let _ = write!(s, "{byte:02x}");
    }
    s
}

fn names_list(b: &[u8], name: impl Fn(u8) -> String) -> String {
    b.iter().map(|&v| format!(" {}", name(v))).collect()
}

fn llq(b: &[u8]) -> Option<String> {
    let w = |i: usize| {
        b.get(i..i + 2)
            .and_then(|s| <[u8; 2]>::try_from(s).ok())
            .map(u16::from_be_bytes)
    };
    let id = b
        .get(6..14)
        .and_then(|s| <[u8; 8]>::try_from(s).ok())
        .map(u64::from_be_bytes)?;
    let lease = be_u32(b.get(14..)?)?;
    Some(format!("{} {} {} {id} {lease}", w(0)?, w(2)?, w(4)?))
}

/// Client subnet: `address/source/scope`, IPv6 in brackets.
fn subnet(b: &[u8]) -> Option<String> {
    let family = u16::from_be_bytes([*b.first()?, *b.get(1)?]);
    let (source, scope) = (*b.get(2)?, *b.get(3)?);
    let addr = b.get(4..)?;
    let text = match family {
        1 => {
            let mut o = [0u8; 4];
            for (d, s) in o.iter_mut().zip(addr) {
                *d = *s;
            }
            Ipv4Addr::from(o).to_string()
        }
        2 => {
            let mut o = [0u8; 16];
            for (d, s) in o.iter_mut().zip(addr) {
                *d = *s;
            }
            format!("[{}]", ipv6_text(Ipv6Addr::from(o)))
        }
        _ => return None,
    };
    Some(format!("{text}/{source}/{scope}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Query for `a.com` type A with an OPT record (udp 4096, DO, one NSID option "ab").
    fn query_with_opt() -> Vec<u8> {
        let mut m = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1];
        m.extend_from_slice(b"\x01a\x03com\x00\x00\x01\x00\x01");
        m.extend_from_slice(&[0, 0, 41, 0x10, 0x00, 0x01, 0x00, 0x80, 0x00, 0, 6]);
        m.extend_from_slice(&[0, 3, 0, 2, b'a', b'b']);
        m
    }

    #[test]
    fn query_with_edns() {
        let m = Message::parse(&query_with_opt()).unwrap();
        assert_eq!(m.header.id, 0x1234);
        assert_eq!(m.questions[0].name, "a.com");
        assert_eq!(m.additionals_count(), 0);
        let o = m.opt.unwrap();
        assert_eq!(
            (o.udp_size, o.ext_rcode, o.version, o.dnssec_ok),
            (4096, 1, 0, true)
        );
        assert_eq!(o.options, vec![("nsid", "6162".to_string())]);
    }

    #[test]
    fn extended_rcode_and_truncation() {
        let mut m = Message::parse(&query_with_opt()).unwrap();
        m.header.rcode = 0;
        assert_eq!(m.rcode(), 16);
        // Counts larger than the data: an error, unless TC is set.
        let mut short = query_with_opt();
        short[7] = 1; // ANCOUNT 1 but no answer before the additional
        assert!(Message::parse(&short[..23]).is_err());
        short[2] |= 0x02; // TC
        assert_eq!(Message::parse(&short[..23]).map(|m| m.answers.len()), Ok(0));
        // Header only: not DNS.
        assert!(Message::parse(&[0; 12]).is_err());
    }

    #[test]
    fn client_subnet() {
        assert_eq!(
            subnet(&[0, 1, 24, 0, 192, 0, 2]).as_deref(),
            Some("192.0.2.0/24/0")
        );
        assert_eq!(
            subnet(&[0, 2, 48, 0, 0x20, 1, 0xd, 0xb8]).as_deref(),
            Some("[2001:db8::]/48/0")
        );
        assert_eq!(subnet(&[0, 9, 0, 0]), None);
    }
}
