//! Pure DHCPv4 parsing (RFC 2131 / RFC 2132): one UDP payload in, a borrowed [`Message`] view
//! out. No state, no config, no output.
//!
//! No-panic contract: every read goes through `get`, so any byte string is either a
//! [`Message`] or a [`ParseError`].
//!
//! Validity follows Packetbeat's DHCP library: the 236-byte BOOTP header and the magic cookie
//! must be there; every option's length must fit; a non-empty option area must end with End
//! (255) and only Pad or End may follow it. Repeated options are concatenated (RFC 3396).
//! Unlike Packetbeat, Option Overload (52) is honoured: options in `file` and `sname` are read
//! too, and those fields are then not reported as names.

use std::borrow::Cow;
use std::net::Ipv4Addr;

/// Length of the fixed BOOTP header (op .. file).
pub const HEADER_LEN: usize = 236;
/// The DHCP magic cookie that starts the option area (RFC 2131 §3).
pub const MAGIC_COOKIE: [u8; 4] = [99, 130, 83, 99];
/// op of a message from a client.
pub const OP_BOOTREQUEST: u8 = 1;
/// op of a message from a server.
pub const OP_BOOTREPLY: u8 = 2;

/// Option codes used by the analyzer (RFC 2132 unless noted).
pub mod code {
    /// Pad: one byte, no length.
    pub const PAD: u8 = 0;
    /// Subnet Mask.
    pub const SUBNET_MASK: u8 = 1;
    /// Time Offset (signed seconds from UTC).
    pub const TIME_OFFSET: u8 = 2;
    /// Router list.
    pub const ROUTER: u8 = 3;
    /// Time Server list (RFC 868).
    pub const TIME_SERVER: u8 = 4;
    /// Domain Name Server list.
    pub const DNS: u8 = 6;
    /// Host Name.
    pub const HOST_NAME: u8 = 12;
    /// Domain Name.
    pub const DOMAIN_NAME: u8 = 15;
    /// Broadcast Address.
    pub const BROADCAST_ADDRESS: u8 = 28;
    /// NTP Servers.
    pub const NTP_SERVERS: u8 = 42;
    /// Requested IP Address.
    pub const REQUESTED_IP: u8 = 50;
    /// IP Address Lease Time.
    pub const LEASE_TIME: u8 = 51;
    /// Option Overload: 1 = `file`, 2 = `sname`, 3 = both hold options.
    pub const OVERLOAD: u8 = 52;
    /// DHCP Message Type.
    pub const MESSAGE_TYPE: u8 = 53;
    /// Server Identifier.
    pub const SERVER_ID: u8 = 54;
    /// Parameter Request List.
    pub const PARAMETER_REQUEST_LIST: u8 = 55;
    /// Message (error text).
    pub const MESSAGE: u8 = 56;
    /// Maximum DHCP Message Size.
    pub const MAX_MESSAGE_SIZE: u8 = 57;
    /// Renewal (T1) Time Value.
    pub const RENEWAL_TIME: u8 = 58;
    /// Rebinding (T2) Time Value.
    pub const REBINDING_TIME: u8 = 59;
    /// Vendor Class Identifier.
    pub const CLASS_ID: u8 = 60;
    /// Bootfile Name.
    pub const BOOTFILE_NAME: u8 = 67;
    /// Relay Agent Information (RFC 3046).
    pub const RELAY_AGENT_INFO: u8 = 82;
    /// Vendor-Identifying Vendor Class (RFC 3925).
    pub const VIVC: u8 = 124;
    /// End.
    pub const END: u8 = 255;
}

/// Why a payload is not a DHCPv4 message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// Shorter than the BOOTP header plus the magic cookie.
    Truncated {
        /// The payload length.
        len: usize,
    },
    /// The four bytes after the header are not the DHCP magic cookie.
    BadMagicCookie,
    /// An option's length byte is missing or its value runs past the end of the payload.
    OptionOverrun {
        /// Payload offset of the option's code byte.
        offset: usize,
    },
    /// The option area does not end with End (255).
    MissingEnd,
    /// Something other than Pad or End follows End.
    DataAfterEnd {
        /// Payload offset of the first such byte.
        offset: usize,
    },
}

impl ParseError {
    /// The anomaly name counted for this error.
    pub fn anomaly(self) -> &'static str {
        match self {
            ParseError::Truncated { .. } => "truncated",
            ParseError::BadMagicCookie => "bad_magic_cookie",
            ParseError::OptionOverrun { .. } => "option_overrun",
            ParseError::MissingEnd => "missing_end_option",
            ParseError::DataAfterEnd { .. } => "data_after_end_option",
        }
    }
}

/// The options of one message in first-seen order; a code seen more than once holds the
/// concatenation of its values (RFC 3396).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options<'a> {
    list: Vec<(u8, Cow<'a, [u8]>)>,
}

impl<'a> Options<'a> {
    fn add(&mut self, code: u8, value: &'a [u8]) {
        if let Some((_, v)) = self.list.iter_mut().find(|(c, _)| *c == code) {
            v.to_mut().extend_from_slice(value);
        } else {
            self.list.push((code, Cow::Borrowed(value)));
        }
    }

    /// The value of option `code`; `None` when absent or empty (an empty option carries no
    /// value, and Packetbeat treats it as absent).
    pub fn get(&self, code: u8) -> Option<&[u8]> {
        self.list
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, v)| v.as_ref())
            .filter(|v| !v.is_empty())
    }

    /// `(code, value)` pairs in first-seen order.
    pub fn iter(&self) -> impl Iterator<Item = (u8, &[u8])> + '_ {
        self.list.iter().map(|(c, v)| (*c, v.as_ref()))
    }

    /// An option holding exactly one IPv4 address.
    pub fn ip(&self, code: u8) -> Option<Ipv4Addr> {
        self.get(code).and_then(ipv4)
    }

    /// An option holding a non-empty list of IPv4 addresses; `None` when absent or when its
    /// length is not a multiple of 4.
    pub fn ips(&self, code: u8) -> Option<Vec<Ipv4Addr>> {
        let v = self.get(code)?;
        if v.len() % 4 != 0 {
            return None;
        }
        v.chunks_exact(4).map(ipv4).collect()
    }

    /// An option holding exactly one big-endian u32.
    pub fn u32(&self, code: u8) -> Option<u32> {
        match self.get(code)? {
            &[a, b, c, d] => Some(u32::from_be_bytes([a, b, c, d])),
            _ => None,
        }
    }

    /// An option holding exactly one big-endian u16.
    pub fn u16(&self, code: u8) -> Option<u16> {
        match self.get(code)? {
            &[a, b] => Some(u16::from_be_bytes([a, b])),
            _ => None,
        }
    }

    /// An option holding exactly one byte.
    pub fn u8(&self, code: u8) -> Option<u8> {
        match self.get(code)? {
            &[a] => Some(a),
            _ => None,
        }
    }
}

/// One DHCPv4 message, borrowing the payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message<'a> {
    /// `op`: 1 BOOTREQUEST, 2 BOOTREPLY.
    pub op: u8,
    /// `htype`: ARP hardware type.
    pub htype: u8,
    /// `hops`: set by relays.
    pub hops: u8,
    /// `xid`.
    pub xid: u32,
    /// `secs`.
    pub secs: u16,
    /// `flags` (bit 15: broadcast).
    pub flags: u16,
    /// `ciaddr`: the client's current address.
    pub ciaddr: Ipv4Addr,
    /// `yiaddr`: the address being assigned.
    pub yiaddr: Ipv4Addr,
    /// `siaddr`: next server in the bootstrap.
    pub siaddr: Ipv4Addr,
    /// `giaddr`: relay agent.
    pub giaddr: Ipv4Addr,
    /// `chaddr` cut to `hlen` bytes (at most 16).
    pub chaddr: &'a [u8],
    /// `sname` up to its first NUL; empty when the field is overloaded with options.
    pub sname: &'a [u8],
    /// `file` up to its first NUL; empty when the field is overloaded with options.
    pub file: &'a [u8],
    /// The options (from the option area, then `file`, then `sname` when overloaded).
    pub options: Options<'a>,
    /// An overloaded `file` or `sname` field held a malformed option; the options read
    /// before it are kept.
    pub overload_malformed: bool,
}

/// Parses one UDP payload.
pub fn parse(data: &[u8]) -> Result<Message<'_>, ParseError> {
    let truncated = ParseError::Truncated { len: data.len() };
    let (header, rest) = data.split_at_checked(HEADER_LEN).ok_or(truncated)?;
    let (cookie, area) = rest.split_at_checked(4).ok_or(truncated)?;
    if cookie != MAGIC_COOKIE {
        return Err(ParseError::BadMagicCookie);
    }
    let byte = |i: usize| header.get(i).copied().unwrap_or_default();
    let be16 = |i: usize| u16::from_be_bytes([byte(i), byte(i + 1)]);
    let addr = |i: usize| Ipv4Addr::new(byte(i), byte(i + 1), byte(i + 2), byte(i + 3));
    let field = |range: std::ops::Range<usize>| header.get(range).unwrap_or_default();
    let hlen = usize::from(byte(2)).min(16);
    let sname_field = field(44..108);
    let file_field = field(108..236);

    let mut options = Options::default();
    parse_area(area, HEADER_LEN + 4, true, &mut options)?;
    let overload = options.u8(code::OVERLOAD).unwrap_or(0);
    let (file_overloaded, sname_overloaded) = (overload & 1 != 0, overload & 2 != 0);
    let mut overload_malformed = false;
    // RFC 3396 §7: option area first, then `file`, then `sname`.
    if file_overloaded {
        overload_malformed |= parse_area(file_field, 108, false, &mut options).is_err();
    }
    if sname_overloaded {
        overload_malformed |= parse_area(sname_field, 44, false, &mut options).is_err();
    }

    Ok(Message {
        op: byte(0),
        htype: byte(1),
        hops: byte(3),
        xid: u32::from_be_bytes([byte(4), byte(5), byte(6), byte(7)]),
        secs: be16(8),
        flags: be16(10),
        ciaddr: addr(12),
        yiaddr: addr(16),
        siaddr: addr(20),
        giaddr: addr(24),
        chaddr: field(28..28 + hlen),
        sname: if sname_overloaded {
            &[]
        } else {
            until_nul(sname_field)
        },
        file: if file_overloaded {
            &[]
        } else {
            until_nul(file_field)
        },
        options,
        overload_malformed,
    })
}

/// Reads the options of `area` (which starts at payload offset `base`) into `out`. `strict`:
/// the option area proper (End required unless empty, only padding after End); otherwise an
/// overloaded header field, which may end without End and whose tail is ignored.
fn parse_area<'a>(
    area: &'a [u8],
    base: usize,
    strict: bool,
    out: &mut Options<'a>,
) -> Result<(), ParseError> {
    let mut i = 0;
    let mut end = false;
    while let Some(&c) = area.get(i) {
        let start = i;
        i += 1;
        match c {
            code::PAD => continue,
            code::END => {
                end = true;
                break;
            }
            _ => {}
        }
        let overrun = ParseError::OptionOverrun {
            offset: base + start,
        };
        let len = usize::from(*area.get(i).ok_or(overrun)?);
        i += 1;
        let value = area.get(i..i + len).ok_or(overrun)?;
        i += len;
        out.add(c, value);
    }
    if strict {
        if !end && !area.is_empty() {
            return Err(ParseError::MissingEnd);
        }
        let tail = area.get(i..).unwrap_or_default();
        if let Some(pos) = tail.iter().position(|&b| b != code::PAD && b != code::END) {
            return Err(ParseError::DataAfterEnd {
                offset: base + i + pos,
            });
        }
    }
    Ok(())
}

fn until_nul(field: &[u8]) -> &[u8] {
    match field.iter().position(|&b| b == 0) {
        Some(n) => field.get(..n).unwrap_or_default(),
        None => field,
    }
}

fn ipv4(v: &[u8]) -> Option<Ipv4Addr> {
    match *v {
        [a, b, c, d] => Some(Ipv4Addr::new(a, b, c, d)),
        _ => None,
    }
}

/// One entry of a Vendor-Identifying Vendor Class option (RFC 3925): an IANA enterprise
/// number and its opaque data.
pub type VendorClass<'a> = (u32, &'a [u8]);

/// Splits a Vendor-Identifying Vendor Class value into its entries; `None` when an entry is
/// cut short or fewer than 5 bytes are left over.
pub fn vendor_classes(v: &[u8]) -> Option<Vec<VendorClass<'_>>> {
    let mut out = Vec::new();
    let mut rest = v;
    while !rest.is_empty() {
        let (&[a, b, c, d, len], tail) = rest.split_first_chunk::<5>()?;
        let (data, tail) = tail.split_at_checked(usize::from(len))?;
        out.push((u32::from_be_bytes([a, b, c, d]), data));
        rest = tail;
    }
    Some(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A BOOTP header (236 bytes) + magic cookie with the given fields, then `options`.
    pub fn message(op: u8, flags: u16, addrs: [[u8; 4]; 4], options: &[u8]) -> Vec<u8> {
        let mut m = vec![
            op, // op
            1,  // htype: Ethernet
            6,  // hlen
            0,  // hops
            0x00, 0x00, 0x3d, 0x1d, // xid
            0x00, 0x05, // secs: 5
        ];
        m.extend_from_slice(&flags.to_be_bytes());
        for a in addrs {
            m.extend_from_slice(&a); // ciaddr, yiaddr, siaddr, giaddr
        }
        m.extend_from_slice(&[0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42]); // chaddr (6 of 16)
        m.resize(HEADER_LEN, 0); // chaddr padding, sname, file
        m.extend_from_slice(&MAGIC_COOKIE);
        m.extend_from_slice(options);
        m
    }

    const Z: [u8; 4] = [0; 4];

    #[test]
    fn header_fields() {
        let m = message(
            OP_BOOTREPLY,
            0x8000,
            [
                [192, 168, 0, 9],
                [192, 168, 0, 10],
                [192, 168, 0, 1],
                [10, 0, 0, 1],
            ],
            &[53, 1, 2, 255],
        );
        let p = parse(&m).unwrap();
        assert_eq!((p.op, p.htype, p.hops), (2, 1, 0));
        assert_eq!((p.xid, p.secs, p.flags), (0x3d1d, 5, 0x8000));
        assert_eq!(p.ciaddr, Ipv4Addr::new(192, 168, 0, 9));
        assert_eq!(p.yiaddr, Ipv4Addr::new(192, 168, 0, 10));
        assert_eq!(p.siaddr, Ipv4Addr::new(192, 168, 0, 1));
        assert_eq!(p.giaddr, Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(p.chaddr, &[0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42]);
        assert_eq!((p.sname, p.file), (&b""[..], &b""[..]));
        assert_eq!(p.options.u8(code::MESSAGE_TYPE), Some(2));
    }

    #[test]
    fn hlen_is_capped_at_the_16_byte_field() {
        let mut m = message(1, 0, [Z; 4], &[255]);
        m[2] = 200; // hlen 200: only the 16 bytes of chaddr exist
        assert_eq!(parse(&m).unwrap().chaddr.len(), 16);
        m[2] = 0;
        assert!(parse(&m).unwrap().chaddr.is_empty());
    }

    #[test]
    fn names_stop_at_the_first_nul() {
        let mut m = message(2, 0, [Z; 4], &[255]);
        m[44..49].copy_from_slice(b"srv\0x"); // sname "srv", junk after the NUL
        m[108..108 + 128].fill(b'f'); // file: no NUL at all → all 128 bytes
        let p = parse(&m).unwrap();
        assert_eq!(p.sname, b"srv");
        assert_eq!(p.file.len(), 128);
    }

    #[test]
    fn pad_end_and_trailing_padding() {
        // Pad, Pad, (53 len 1 = 3), Pad, End, then Pad and End as padding.
        let m = message(1, 0, [Z; 4], &[0, 0, 53, 1, 3, 0, 255, 0, 0, 255]);
        let p = parse(&m).unwrap();
        assert_eq!(p.options.iter().count(), 1);
        assert_eq!(p.options.u8(code::MESSAGE_TYPE), Some(3));
        // Options after End are not read (and must be padding).
        assert_eq!(
            parse(&message(1, 0, [Z; 4], &[255, 53, 1, 3])),
            Err(ParseError::DataAfterEnd { offset: 241 })
        );
    }

    #[test]
    fn empty_option_area_needs_no_end() {
        let m = message(1, 0, [Z; 4], &[]);
        let p = parse(&m).unwrap();
        assert_eq!(p.options.iter().count(), 0);
        // Only padding, no End: not valid.
        assert_eq!(
            parse(&message(1, 0, [Z; 4], &[0, 0])),
            Err(ParseError::MissingEnd)
        );
    }

    #[test]
    fn truncated_and_bad_cookie() {
        let m = message(1, 0, [Z; 4], &[255]);
        assert_eq!(parse(&[]), Err(ParseError::Truncated { len: 0 }));
        assert_eq!(
            parse(&m[..HEADER_LEN]),
            Err(ParseError::Truncated { len: HEADER_LEN })
        );
        assert_eq!(
            parse(&m[..HEADER_LEN + 3]),
            Err(ParseError::Truncated { len: 239 })
        );
        let mut bad = m.clone();
        bad[HEADER_LEN + 3] = 0x64; // cookie 63 82 53 64
        assert_eq!(parse(&bad), Err(ParseError::BadMagicCookie));
    }

    #[test]
    fn malformed_lengths() {
        // 53 with length 4 but only 1 byte left.
        assert_eq!(
            parse(&message(1, 0, [Z; 4], &[53, 4, 1])),
            Err(ParseError::OptionOverrun { offset: 240 })
        );
        // A code with no length byte at the very end.
        assert_eq!(
            parse(&message(1, 0, [Z; 4], &[53, 1, 1, 12])),
            Err(ParseError::OptionOverrun { offset: 243 })
        );
        // No End after complete options.
        assert_eq!(
            parse(&message(1, 0, [Z; 4], &[53, 1, 1])),
            Err(ParseError::MissingEnd)
        );
    }

    #[test]
    fn repeated_options_concatenate() {
        // Two DNS options of one address each → one list of two (RFC 3396).
        let m = message(
            2,
            0,
            [Z; 4],
            &[6, 4, 8, 8, 8, 8, 53, 1, 5, 6, 4, 1, 1, 1, 1, 255],
        );
        let p = parse(&m).unwrap();
        assert_eq!(
            p.options.ips(code::DNS),
            Some(vec![Ipv4Addr::new(8, 8, 8, 8), Ipv4Addr::new(1, 1, 1, 1)])
        );
        assert_eq!(
            p.options.iter().map(|(c, _)| c).collect::<Vec<_>>(),
            [6, 53]
        );
    }

    #[test]
    fn typed_values_need_exact_lengths() {
        let m = message(
            2,
            0,
            [Z; 4],
            &[
                1, 3, 255, 255, 255, // mask of 3 bytes: unusable
                3, 5, 1, 2, 3, 4, 5, // router list of 5 bytes: unusable
                51, 4, 0, 0, 14, 16, // lease 3600
                57, 2, 0x05, 0xdc, // max size 1500
                53, 2, 1, 1, // message type of 2 bytes: unusable
                12, 0, // empty host name: absent
                255,
            ],
        );
        let p = parse(&m).unwrap();
        assert_eq!(p.options.ip(code::SUBNET_MASK), None);
        assert_eq!(p.options.ips(code::ROUTER), None);
        assert_eq!(p.options.u32(code::LEASE_TIME), Some(3600));
        assert_eq!(p.options.u16(code::MAX_MESSAGE_SIZE), Some(1500));
        assert_eq!(p.options.u8(code::MESSAGE_TYPE), None);
        assert_eq!(p.options.get(code::HOST_NAME), None);
    }

    #[test]
    fn overload_reads_file_then_sname() {
        let mut m = message(2, 0, [Z; 4], &[52, 1, 3, 53, 1, 2, 255]);
        // file (offset 108): host name "pxe", End.
        m[108..114].copy_from_slice(&[12, 3, b'p', b'x', b'e', 255]);
        // sname (offset 44): domain name "lan", no End (allowed in an overloaded field).
        m[44..49].copy_from_slice(&[15, 3, b'l', b'a', b'n']);
        let p = parse(&m).unwrap();
        assert_eq!(p.options.get(code::HOST_NAME), Some(&b"pxe"[..]));
        assert_eq!(p.options.get(code::DOMAIN_NAME), Some(&b"lan"[..]));
        assert_eq!((p.sname, p.file), (&b""[..], &b""[..]));
        assert!(!p.overload_malformed);

        // Overload = 1 (file only): sname stays a name.
        let mut m = message(2, 0, [Z; 4], &[52, 1, 1, 255]);
        m[44..47].copy_from_slice(b"srv");
        m[108..112].copy_from_slice(&[15, 200, b'x', b'y']); // runs past the field
        let p = parse(&m).unwrap();
        assert_eq!(p.sname, b"srv");
        assert!(p.overload_malformed);
        assert_eq!(p.options.get(code::DOMAIN_NAME), None);
    }

    #[test]
    fn vendor_classes_split() {
        // enterprise 12, 6 bytes; enterprise 0x0102, 0 bytes.
        let v = [0, 0, 0, 12, 6, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 1, 2, 0];
        assert_eq!(
            vendor_classes(&v),
            Some(vec![
                (12, &[0xde, 0xad, 0xbe, 0xef, 0, 0][..]),
                (0x0102, &[][..])
            ])
        );
        assert_eq!(vendor_classes(&v[..8]), None); // data cut short
        assert_eq!(vendor_classes(&[0, 0, 0]), None); // leftover < 5 bytes
    }

    #[test]
    fn never_panics_on_any_prefix() {
        let m = message(1, 0, [Z; 4], &[53, 1, 1, 55, 2, 1, 3, 255]);
        for n in 0..=m.len() {
            let _ = parse(&m[..n]);
        }
    }
}
