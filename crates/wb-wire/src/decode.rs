//! Link layer → IP → transport decoding of one frame, by hand on borrowed bytes.
//!
//! This is the per-packet hot path: no allocation, no dynamic dispatch, one pass over the
//! headers. Checksums are not verified (loopback and offloaded captures leave them unfilled).
//! IP-in-IP (protocols 4 and 41) is unwrapped up to [`MAX_TUNNEL_DEPTH`] levels; a tunnel whose
//! inner header does not parse is reported as `Transport::Other` with the outer addresses.

use crate::{
    DecodeError, Fragment, IcmpInfo, LinkType, Packet, TcpFlags, TcpInfo, Transport, VlanTags,
};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// How many nested IP-in-IP headers are unwrapped before the rest is left as `Other`.
const MAX_TUNNEL_DEPTH: u32 = 4;

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;
const ETHERTYPE_VLAN: u16 = 0x8100;
const ETHERTYPE_QINQ: u16 = 0x88a8;
const ETHERTYPE_QINQ_OLD: u16 = 0x9100;

const PROTO_ICMP: u8 = 1;
const PROTO_IPIP: u8 = 4;
const PROTO_TCP: u8 = 6;
const PROTO_UDP: u8 = 17;
const PROTO_IPV6: u8 = 41;
const PROTO_ICMPV6: u8 = 58;
const EXT_HOP_BY_HOP: u8 = 0;
const EXT_ROUTING: u8 = 43;
const EXT_FRAGMENT: u8 = 44;
const EXT_AH: u8 = 51;
const EXT_DEST_OPTS: u8 = 60;

/// Which network header follows the link layer.
#[derive(Clone, Copy)]
enum Net {
    V4,
    V6,
    /// Raw IP: the version nibble decides.
    ByVersion,
}

/// What the link layer contributed.
#[derive(Clone, Copy, Default)]
struct L2 {
    src_mac: Option<[u8; 6]>,
    dst_mac: Option<[u8; 6]>,
    vlans: VlanTags,
}

/// One decoded IP layer: addresses and what it carries.
struct IpLayer<'a> {
    src: IpAddr,
    dst: IpAddr,
    ttl: u8,
    protocol: u8,
    payload: &'a [u8],
    truncated: bool,
    fragment: Option<Fragment>,
}

/// Decodes one captured frame of link type `link`.
pub fn decode(link: LinkType, frame: &[u8]) -> Result<Packet<'_>, DecodeError> {
    let (l2, net, rest) = match link {
        LinkType::ETHERNET => ethernet(frame)?,
        LinkType::LINUX_SLL => sll(frame)?,
        LinkType::LINUX_SLL2 => sll2(frame)?,
        LinkType::NULL => {
            let (family, rest) = frame
                .split_first_chunk::<4>()
                .ok_or(DecodeError::TruncatedLink)?;
            // Host byte order of the capturing machine, which is unknown here: try both.
            let (le, be) = (u32::from_le_bytes(*family), u32::from_be_bytes(*family));
            let net = bsd_family(le)
                .or_else(|_| bsd_family(be))
                .map_err(|_| not_ip(le.min(be)))?;
            (L2::default(), net, rest)
        }
        LinkType::LOOP => {
            let (family, rest) = frame
                .split_first_chunk::<4>()
                .ok_or(DecodeError::TruncatedLink)?;
            (
                L2::default(),
                bsd_family(u32::from_be_bytes(*family))?,
                rest,
            )
        }
        LinkType::RAW | LinkType::RAW_ALT12 | LinkType::RAW_ALT14 => {
            (L2::default(), Net::ByVersion, frame)
        }
        LinkType::IPV4 => (L2::default(), Net::V4, frame),
        LinkType::IPV6 => (L2::default(), Net::V6, frame),
        LinkType(other) => return Err(DecodeError::UnsupportedLinkType(other)),
    };
    let ip = match net {
        Net::V4 => ipv4(rest)?,
        Net::V6 => ipv6(rest)?,
        Net::ByVersion => match rest.first().map(|b| b >> 4) {
            Some(4) => ipv4(rest)?,
            Some(6) => ipv6(rest)?,
            Some(v) => return Err(DecodeError::NotIp(u16::from(v))),
            None => return Err(DecodeError::TruncatedLink),
        },
    };
    finish(l2, ip)
}

/// Decodes the transport layer of a reassembled IP payload.
///
/// MACs, VLANs, addresses and TTL are copied from `template` (normally the decoded last
/// fragment); `protocol` is the upper-layer protocol and `payload` the reassembled data. For an
/// IPv6 template, extension headers that follow the fragment header are walked.
pub fn decode_ip_payload<'a>(
    template: &Packet<'_>,
    protocol: u8,
    payload: &'a [u8],
) -> Result<Packet<'a>, DecodeError> {
    let l2 = L2 {
        src_mac: template.src_mac,
        dst_mac: template.dst_mac,
        vlans: template.vlans,
    };
    let (protocol, payload, fragment) = if template.src_ip.is_ipv6() {
        ipv6_extensions(protocol, payload)?
    } else {
        (protocol, payload, None)
    };
    let ip = IpLayer {
        src: template.src_ip,
        dst: template.dst_ip,
        ttl: template.ttl,
        protocol,
        payload,
        truncated: false,
        fragment,
    };
    finish(l2, ip)
}

/// Unwraps IP-in-IP tunnels, then decodes the transport layer.
fn finish(l2: L2, mut ip: IpLayer<'_>) -> Result<Packet<'_>, DecodeError> {
    for _ in 0..MAX_TUNNEL_DEPTH {
        if ip.fragment.is_some() {
            break;
        }
        let inner = match ip.protocol {
            PROTO_IPIP => ipv4(ip.payload),
            PROTO_IPV6 => ipv6(ip.payload),
            _ => break,
        };
        match inner {
            Ok(mut inner) => {
                inner.truncated |= ip.truncated;
                ip = inner;
            }
            Err(_) => break,
        }
    }
    let (transport, payload) = match ip.fragment {
        Some(fragment) => (Transport::Fragment(fragment), ip.payload),
        None => transport(ip.protocol, ip.payload)?,
    };
    Ok(Packet {
        src_mac: l2.src_mac,
        dst_mac: l2.dst_mac,
        vlans: l2.vlans,
        src_ip: ip.src,
        dst_ip: ip.dst,
        ttl: ip.ttl,
        transport,
        payload,
        truncated: ip.truncated,
    })
}

/// Maps an ethertype to the network header it announces.
fn ethertype_net(ethertype: u16) -> Result<Net, DecodeError> {
    match ethertype {
        ETHERTYPE_IPV4 => Ok(Net::V4),
        ETHERTYPE_IPV6 => Ok(Net::V6),
        other => Err(DecodeError::NotIp(other)),
    }
}

/// Maps a BSD loopback address family to the network header. IPv6 is 24 (NetBSD, OpenBSD),
/// 28 (FreeBSD) or 30 (macOS).
fn bsd_family(family: u32) -> Result<Net, DecodeError> {
    match family {
        2 => Ok(Net::V4),
        24 | 28 | 30 => Ok(Net::V6),
        other => Err(not_ip(other)),
    }
}

/// `NotIp` for a 32-bit address family (saturated to 16 bits).
fn not_ip(family: u32) -> DecodeError {
    DecodeError::NotIp(u16::try_from(family).unwrap_or(u16::MAX))
}

/// Ethernet II with any number of 802.1Q / 802.1ad tags (the outer two are recorded).
fn ethernet(frame: &[u8]) -> Result<(L2, Net, &[u8]), DecodeError> {
    let (hdr, mut rest) = frame
        .split_first_chunk::<14>()
        .ok_or(DecodeError::TruncatedLink)?;
    let dst = [hdr[0], hdr[1], hdr[2], hdr[3], hdr[4], hdr[5]];
    let src = [hdr[6], hdr[7], hdr[8], hdr[9], hdr[10], hdr[11]];
    let mut ethertype = u16::from_be_bytes([hdr[12], hdr[13]]);
    let mut l2 = L2 {
        src_mac: Some(src),
        dst_mac: Some(dst),
        vlans: VlanTags::default(),
    };
    while matches!(
        ethertype,
        ETHERTYPE_VLAN | ETHERTYPE_QINQ | ETHERTYPE_QINQ_OLD
    ) {
        let (tag, after) = rest
            .split_first_chunk::<4>()
            .ok_or(DecodeError::TruncatedLink)?;
        l2.vlans.push(u16::from_be_bytes([tag[0], tag[1]]) & 0x0fff);
        ethertype = u16::from_be_bytes([tag[2], tag[3]]);
        rest = after;
    }
    Ok((l2, ethertype_net(ethertype)?, rest))
}

/// Linux cooked capture v1: packet type, ARPHRD, address length, 8 address bytes, protocol
/// (all big-endian).
fn sll(frame: &[u8]) -> Result<(L2, Net, &[u8]), DecodeError> {
    let (hdr, rest) = frame
        .split_first_chunk::<16>()
        .ok_or(DecodeError::TruncatedLink)?;
    let addr_len = u16::from_be_bytes([hdr[4], hdr[5]]);
    let addr = [hdr[6], hdr[7], hdr[8], hdr[9], hdr[10], hdr[11]];
    let protocol = u16::from_be_bytes([hdr[14], hdr[15]]);
    let l2 = L2 {
        src_mac: sll_mac(addr_len, addr),
        ..L2::default()
    };
    Ok((l2, ethertype_net(protocol)?, rest))
}

/// Linux cooked capture v2: protocol, reserved, ifindex, ARPHRD, packet type, address length,
/// 8 address bytes.
fn sll2(frame: &[u8]) -> Result<(L2, Net, &[u8]), DecodeError> {
    let (hdr, rest) = frame
        .split_first_chunk::<20>()
        .ok_or(DecodeError::TruncatedLink)?;
    let protocol = u16::from_be_bytes([hdr[0], hdr[1]]);
    let addr_len = u16::from(hdr[11]);
    let addr = [hdr[12], hdr[13], hdr[14], hdr[15], hdr[16], hdr[17]];
    let l2 = L2 {
        src_mac: sll_mac(addr_len, addr),
        ..L2::default()
    };
    Ok((l2, ethertype_net(protocol)?, rest))
}

/// The sender MAC of a cooked header, when its address is 6 bytes long (cooked headers carry
/// no destination address).
fn sll_mac(addr_len: u16, addr: [u8; 6]) -> Option<[u8; 6]> {
    (addr_len == 6).then_some(addr)
}

/// An IPv4 header; the payload is clipped to the total length.
fn ipv4(data: &[u8]) -> Result<IpLayer<'_>, DecodeError> {
    let hdr = data.first_chunk::<20>().ok_or(DecodeError::BadIpv4)?;
    if hdr[0] >> 4 != 4 {
        return Err(DecodeError::BadIpv4);
    }
    let header_len = usize::from(hdr[0] & 0x0f) * 4;
    if header_len < 20 {
        return Err(DecodeError::BadIpv4);
    }
    let total_len = usize::from(u16::from_be_bytes([hdr[2], hdr[3]]));
    // A total length of 0 is what TCP segmentation offload leaves in locally captured packets:
    // take what was captured.
    let total_len = if total_len == 0 {
        data.len().max(header_len)
    } else {
        total_len
    };
    if total_len < header_len {
        return Err(DecodeError::BadIpv4);
    }
    let (_, after_header) = data
        .split_at_checked(header_len)
        .ok_or(DecodeError::BadIpv4)?;
    let body_len = total_len - header_len;
    let truncated = after_header.len() < body_len;
    let payload = after_header.get(..body_len).unwrap_or(after_header);
    let frag_field = u16::from_be_bytes([hdr[6], hdr[7]]);
    let more = frag_field & 0x2000 != 0;
    let offset = u32::from(frag_field & 0x1fff) * 8;
    let protocol = hdr[9];
    let fragment = (more || offset != 0).then_some(Fragment {
        id: u32::from(u16::from_be_bytes([hdr[4], hdr[5]])),
        offset,
        more,
        protocol,
    });
    Ok(IpLayer {
        src: IpAddr::V4(Ipv4Addr::new(hdr[12], hdr[13], hdr[14], hdr[15])),
        dst: IpAddr::V4(Ipv4Addr::new(hdr[16], hdr[17], hdr[18], hdr[19])),
        ttl: hdr[8],
        protocol,
        payload,
        truncated,
        fragment,
    })
}

/// An IPv6 header and its extension headers; the payload is clipped to the payload length.
fn ipv6(data: &[u8]) -> Result<IpLayer<'_>, DecodeError> {
    let (hdr, after_header) = data.split_first_chunk::<40>().ok_or(DecodeError::BadIpv6)?;
    if hdr[0] >> 4 != 6 {
        return Err(DecodeError::BadIpv6);
    }
    let payload_len = usize::from(u16::from_be_bytes([hdr[4], hdr[5]]));
    // 0 means a jumbogram or a segmentation-offloaded packet: take what was captured.
    let payload_len = if payload_len == 0 {
        after_header.len()
    } else {
        payload_len
    };
    let truncated = after_header.len() < payload_len;
    let body = after_header.get(..payload_len).unwrap_or(after_header);
    let (protocol, payload, fragment) = ipv6_extensions(hdr[6], body)?;
    let mut src = [0u8; 16];
    let mut dst = [0u8; 16];
    if let (Some(s), Some(d)) = (hdr.get(8..24), hdr.get(24..40)) {
        src.copy_from_slice(s);
        dst.copy_from_slice(d);
    }
    Ok(IpLayer {
        src: IpAddr::V6(Ipv6Addr::from(src)),
        dst: IpAddr::V6(Ipv6Addr::from(dst)),
        ttl: hdr[7],
        protocol,
        payload,
        truncated,
        fragment,
    })
}

/// Walks IPv6 extension headers from `next` to the upper layer. Stops at a fragment header
/// that is a real fragment (offset ≠ 0 or M set); an atomic fragment header is skipped.
fn ipv6_extensions(
    mut next: u8,
    mut data: &[u8],
) -> Result<(u8, &[u8], Option<Fragment>), DecodeError> {
    loop {
        let len = match next {
            EXT_HOP_BY_HOP | EXT_ROUTING | EXT_DEST_OPTS => {
                let ext = data.first_chunk::<2>().ok_or(DecodeError::BadIpv6)?;
                (usize::from(ext[1]) + 1) * 8
            }
            EXT_AH => {
                let ext = data.first_chunk::<2>().ok_or(DecodeError::BadIpv6)?;
                (usize::from(ext[1]) + 2) * 4
            }
            EXT_FRAGMENT => {
                let (ext, rest) = data.split_first_chunk::<8>().ok_or(DecodeError::BadIpv6)?;
                let field = u16::from_be_bytes([ext[2], ext[3]]);
                let offset = u32::from(field & 0xfff8);
                let more = field & 1 != 0;
                if offset != 0 || more {
                    let id = u32::from_be_bytes([ext[4], ext[5], ext[6], ext[7]]);
                    let fragment = Fragment {
                        id,
                        offset,
                        more,
                        protocol: ext[0],
                    };
                    return Ok((ext[0], rest, Some(fragment)));
                }
                next = ext[0];
                data = rest;
                continue;
            }
            upper => return Ok((upper, data, None)),
        };
        let (ext, rest) = data.split_at_checked(len).ok_or(DecodeError::BadIpv6)?;
        next = ext.first().copied().ok_or(DecodeError::BadIpv6)?;
        data = rest;
    }
}

/// Decodes the transport header of `protocol` at the start of `data`.
fn transport(protocol: u8, data: &[u8]) -> Result<(Transport, &[u8]), DecodeError> {
    match protocol {
        PROTO_TCP => {
            let hdr = data.first_chunk::<20>().ok_or(DecodeError::BadTcp)?;
            let data_offset = usize::from(hdr[12] >> 4) * 4;
            if data_offset < 20 {
                return Err(DecodeError::BadTcp);
            }
            let (_, payload) = data
                .split_at_checked(data_offset)
                .ok_or(DecodeError::BadTcp)?;
            let info = TcpInfo {
                src_port: u16::from_be_bytes([hdr[0], hdr[1]]),
                dst_port: u16::from_be_bytes([hdr[2], hdr[3]]),
                seq: u32::from_be_bytes([hdr[4], hdr[5], hdr[6], hdr[7]]),
                ack: u32::from_be_bytes([hdr[8], hdr[9], hdr[10], hdr[11]]),
                flags: TcpFlags(hdr[13]),
                window: u16::from_be_bytes([hdr[14], hdr[15]]),
            };
            Ok((Transport::Tcp(info), payload))
        }
        PROTO_UDP => {
            let (hdr, payload) = data.split_first_chunk::<8>().ok_or(DecodeError::BadUdp)?;
            let udp_len = usize::from(u16::from_be_bytes([hdr[4], hdr[5]]));
            // Clip to the length field only when it is sane; 0 (jumbograms) or a value beyond
            // the captured data leaves what the IP layer gave.
            let payload = match udp_len.checked_sub(8) {
                Some(len) => payload.get(..len).unwrap_or(payload),
                None => payload,
            };
            let src_port = u16::from_be_bytes([hdr[0], hdr[1]]);
            let dst_port = u16::from_be_bytes([hdr[2], hdr[3]]);
            Ok((Transport::Udp { src_port, dst_port }, payload))
        }
        PROTO_ICMP | PROTO_ICMPV6 => {
            let (hdr, payload) = data.split_first_chunk::<8>().ok_or(DecodeError::BadIcmp)?;
            let (icmp_type, code) = (hdr[0], hdr[1]);
            let echo_like = if protocol == PROTO_ICMP {
                matches!(icmp_type, 0 | 8 | 13..=18)
            } else {
                matches!(icmp_type, 128 | 129)
            };
            let (id, seq) = if echo_like {
                (
                    u16::from_be_bytes([hdr[4], hdr[5]]),
                    u16::from_be_bytes([hdr[6], hdr[7]]),
                )
            } else {
                (0, 0)
            };
            let info = IcmpInfo {
                icmp_type,
                code,
                id,
                seq,
            };
            let transport = if protocol == PROTO_ICMP {
                Transport::Icmp4(info)
            } else {
                Transport::Icmp6(info)
            };
            Ok((transport, payload))
        }
        other => Ok((Transport::Other(other), data)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    const MAC_A: [u8; 6] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
    const MAC_B: [u8; 6] = [0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb];

    /// Ethernet + IPv4 + TCP (SYN|ACK, one MSS option) + 4 bytes of data + 2 bytes of padding.
    #[rustfmt::skip]
    const ETH_IPV4_TCP: &[u8] = &[
        // Ethernet: dst, src, ethertype IPv4
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
        0x08, 0x00,
        // IPv4: v4 IHL 5, TOS, total length 48, id 0x1234, DF, TTL 64, proto TCP, checksum 0
        0x45, 0x00, 0x00, 0x30, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
        10, 0, 0, 1, // src
        10, 0, 0, 2, // dst
        // TCP: 1234 -> 80, seq 1, ack 2, data offset 6 (24 bytes), flags SYN|ACK, window 8192
        0x04, 0xd2, 0x00, 0x50,
        0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x02,
        0x60, 0x12, 0x20, 0x00,
        0x00, 0x00, 0x00, 0x00, // checksum, urgent pointer
        0x02, 0x04, 0x05, 0xb4, // MSS 1460
        // data
        b'a', b'b', b'c', b'd',
        // Ethernet padding beyond the IP total length
        0x00, 0x00,
    ];

    /// IPv6 (hop-by-hop, routing, destination options) carrying an ICMPv6 echo request.
    #[rustfmt::skip]
    const IPV6_EXT_ICMP: &[u8] = &[
        // IPv6: version 6, payload length 36, next header hop-by-hop (0), hop limit 255
        0x60, 0x00, 0x00, 0x00, 0x00, 0x24, 0x00, 0xff,
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // 2001:db8::1
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, // 2001:db8::2
        // hop-by-hop: next routing (43), length 0 (8 bytes), PadN
        43, 0, 1, 4, 0, 0, 0, 0,
        // routing: next destination options (60), length 0, type 0, segments left 0
        60, 0, 0, 0, 0, 0, 0, 0,
        // destination options: next ICMPv6 (58), length 0, PadN
        58, 0, 1, 4, 0, 0, 0, 0,
        // ICMPv6 echo request (128), code 0, checksum, id 0x0102, seq 0x0304
        128, 0, 0, 0, 0x01, 0x02, 0x03, 0x04,
        // data
        b'p', b'i', b'n', b'g',
    ];

    fn ipv4(proto: u8, frag_field: u16, payload: &[u8]) -> Vec<u8> {
        let total = u16::try_from(20 + payload.len()).unwrap();
        let mut v = vec![0x45, 0];
        v.extend_from_slice(&total.to_be_bytes());
        v.extend_from_slice(&[0xab, 0xcd]);
        v.extend_from_slice(&frag_field.to_be_bytes());
        v.extend_from_slice(&[64, proto, 0, 0, 192, 168, 0, 1, 192, 168, 0, 2]);
        v.extend_from_slice(payload);
        v
    }

    fn ipv6(next: u8, payload: &[u8]) -> Vec<u8> {
        let len = u16::try_from(payload.len()).unwrap();
        let mut v = vec![0x60, 0, 0, 0];
        v.extend_from_slice(&len.to_be_bytes());
        v.extend_from_slice(&[next, 32]);
        v.extend_from_slice(&Ipv6Addr::LOCALHOST.octets());
        v.extend_from_slice(&Ipv6Addr::LOCALHOST.octets());
        v.extend_from_slice(payload);
        v
    }

    fn udp(src: u16, dst: u16, data: &[u8]) -> Vec<u8> {
        let len = u16::try_from(8 + data.len()).unwrap();
        let mut v = Vec::new();
        v.extend_from_slice(&src.to_be_bytes());
        v.extend_from_slice(&dst.to_be_bytes());
        v.extend_from_slice(&len.to_be_bytes());
        v.extend_from_slice(&[0, 0]);
        v.extend_from_slice(data);
        v
    }

    fn ether(ethertype: u16, tags: &[(u16, u16)], payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&MAC_B);
        v.extend_from_slice(&MAC_A);
        for &(tpid, id) in tags {
            v.extend_from_slice(&tpid.to_be_bytes());
            v.extend_from_slice(&id.to_be_bytes());
        }
        v.extend_from_slice(&ethertype.to_be_bytes());
        v.extend_from_slice(payload);
        v
    }

    /// Keeps a built frame alive for the rest of the test, so decoded views can borrow it.
    fn leak(frame: Vec<u8>) -> &'static [u8] {
        frame.leak()
    }

    fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(a, b, c, d))
    }

    fn is_udp(p: &Packet<'_>, src: u16, dst: u16, data: &[u8]) -> bool {
        p.transport
            == Transport::Udp {
                src_port: src,
                dst_port: dst,
            }
            && p.payload == data
    }

    #[test]
    fn ethernet_ipv4_tcp() {
        let p = decode(LinkType::ETHERNET, ETH_IPV4_TCP).unwrap();
        assert_eq!(p.src_mac, Some(MAC_A));
        assert_eq!(p.dst_mac, Some(MAC_B));
        assert_eq!(p.vlans.as_slice(), &[] as &[u16]);
        assert_eq!(
            (p.src_ip, p.dst_ip, p.ttl),
            (v4(10, 0, 0, 1), v4(10, 0, 0, 2), 64)
        );
        let Transport::Tcp(tcp) = p.transport else {
            panic!("not TCP: {:?}", p.transport)
        };
        assert_eq!(
            (tcp.src_port, tcp.dst_port, tcp.seq, tcp.ack),
            (1234, 80, 1, 2)
        );
        assert!(tcp.flags.syn() && tcp.flags.ack() && !tcp.flags.fin() && !tcp.flags.rst());
        assert_eq!(tcp.window, 8192);
        // Padding is cut off by the IP total length.
        assert_eq!(p.payload, b"abcd");
        assert!(!p.truncated);
    }

    #[test]
    fn ethernet_vlan_and_qinq() {
        let inner = ipv4(PROTO_UDP, 0, &udp(1, 2, b"x"));
        let p = decode(
            LinkType::ETHERNET,
            leak(ether(0x0800, &[(0x8100, 0x2065)], &inner)),
        )
        .unwrap();
        // Priority bits are masked off: 0x2065 is PCP 1, VLAN 101.
        assert_eq!(p.vlans.as_slice(), &[101]);
        assert!(is_udp(&p, 1, 2, b"x"));

        let qinq = ether(0x0800, &[(0x88a8, 101), (0x8100, 600)], &inner);
        assert_eq!(
            decode(LinkType::ETHERNET, &qinq).unwrap().vlans.as_slice(),
            &[101, 600]
        );

        let old_qinq = ether(0x0800, &[(0x9100, 7), (0x8100, 8), (0x8100, 9)], &inner);
        let p = decode(LinkType::ETHERNET, &old_qinq).unwrap();
        assert_eq!(p.vlans.as_slice(), &[7, 8], "deeper tags are skipped");
        assert!(is_udp(&p, 1, 2, b"x"));
    }

    #[test]
    fn non_ip_and_unsupported() {
        let arp = ether(0x0806, &[], &[0; 28]);
        assert_eq!(
            decode(LinkType::ETHERNET, &arp),
            Err(DecodeError::NotIp(0x0806))
        );
        let tagged_arp = ether(0x0806, &[(0x8100, 5)], &[0; 28]);
        assert_eq!(
            decode(LinkType::ETHERNET, &tagged_arp),
            Err(DecodeError::NotIp(0x0806))
        );
        assert_eq!(
            decode(LinkType(147), ETH_IPV4_TCP),
            Err(DecodeError::UnsupportedLinkType(147))
        );
        assert_eq!(
            decode(LinkType::ETHERNET, &[0; 13]),
            Err(DecodeError::TruncatedLink)
        );
    }

    #[test]
    fn linux_sll() {
        #[rustfmt::skip]
        let mut frame = vec![
            0x00, 0x00,             // packet type: to us
            0x00, 0x01,             // ARPHRD_ETHER
            0x00, 0x06,             // address length 6
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x00, // sender address, padded to 8
            0x08, 0x00,             // protocol IPv4
        ];
        frame.extend_from_slice(&ipv4(PROTO_UDP, 0, &udp(53, 1000, b"dns")));
        let p = decode(LinkType::LINUX_SLL, &frame).unwrap();
        assert_eq!((p.src_mac, p.dst_mac), (Some(MAC_A), None));
        assert_eq!(
            (p.src_ip, p.dst_ip),
            (v4(192, 168, 0, 1), v4(192, 168, 0, 2))
        );
        assert!(is_udp(&p, 53, 1000, b"dns"));

        frame[5] = 0; // address length 0: no MAC
        assert_eq!(decode(LinkType::LINUX_SLL, &frame).unwrap().src_mac, None);
        frame[14..16].copy_from_slice(&[0x00, 0x04]); // 802.2 frames
        assert_eq!(
            decode(LinkType::LINUX_SLL, &frame),
            Err(DecodeError::NotIp(4))
        );
        assert_eq!(
            decode(LinkType::LINUX_SLL, &frame[..15]),
            Err(DecodeError::TruncatedLink)
        );
    }

    #[test]
    fn linux_sll2() {
        #[rustfmt::skip]
        let mut frame = vec![
            0x86, 0xdd,             // protocol IPv6
            0x00, 0x00,             // reserved
            0x00, 0x00, 0x00, 0x02, // interface index
            0x00, 0x01,             // ARPHRD_ETHER
            0x04,                   // packet type: outgoing
            0x06,                   // address length
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x00, // sender address
        ];
        frame.extend_from_slice(IPV6_EXT_ICMP);
        let p = decode(LinkType::LINUX_SLL2, &frame).unwrap();
        assert_eq!((p.src_mac, p.dst_mac), (Some(MAC_A), None));
        assert_eq!(p.src_ip, "2001:db8::1".parse::<IpAddr>().unwrap());
        assert_eq!(
            decode(LinkType::LINUX_SLL2, &frame[..19]),
            Err(DecodeError::TruncatedLink)
        );
    }

    #[test]
    fn bsd_null_and_loop() {
        let ip4 = ipv4(PROTO_UDP, 0, &udp(1, 2, b""));
        for family in [[2, 0, 0, 0], [0, 0, 0, 2]] {
            let frame = [&family[..], &ip4].concat();
            assert!(is_udp(&decode(LinkType::NULL, &frame).unwrap(), 1, 2, b""));
        }
        for family in [24u32, 28, 30] {
            for bytes in [family.to_le_bytes(), family.to_be_bytes()] {
                let frame = [&bytes[..], IPV6_EXT_ICMP].concat();
                assert!(decode(LinkType::NULL, &frame).is_ok(), "family {family}");
            }
        }
        let unknown = [&[7, 0, 0, 0][..], &ip4].concat();
        assert_eq!(decode(LinkType::NULL, &unknown), Err(DecodeError::NotIp(7)));
        assert_eq!(
            decode(LinkType::NULL, &[2, 0, 0]),
            Err(DecodeError::TruncatedLink)
        );

        let lo = [&[0, 0, 0, 2][..], &ip4].concat();
        assert!(decode(LinkType::LOOP, &lo).is_ok());
        let lo6 = [&[0, 0, 0, 24][..], IPV6_EXT_ICMP].concat();
        assert!(decode(LinkType::LOOP, &lo6).is_ok());
        // LOOP is network order only.
        let le = [&[2, 0, 0, 0][..], &ip4].concat();
        assert!(matches!(
            decode(LinkType::LOOP, &le),
            Err(DecodeError::NotIp(_))
        ));
    }

    #[test]
    fn raw_ip_link_types() {
        let ip4 = ipv4(PROTO_UDP, 0, &udp(1, 2, b"four"));
        for link in [
            LinkType::RAW,
            LinkType::RAW_ALT12,
            LinkType::RAW_ALT14,
            LinkType::IPV4,
        ] {
            let p = decode(link, &ip4).unwrap();
            assert!(is_udp(&p, 1, 2, b"four"), "{link:?}");
            assert_eq!((p.src_mac, p.dst_mac), (None, None));
        }
        for link in [
            LinkType::RAW,
            LinkType::RAW_ALT12,
            LinkType::RAW_ALT14,
            LinkType::IPV6,
        ] {
            let p = decode(link, IPV6_EXT_ICMP).unwrap();
            assert!(matches!(p.transport, Transport::Icmp6(_)), "{link:?}");
        }
        assert_eq!(
            decode(LinkType::IPV4, IPV6_EXT_ICMP),
            Err(DecodeError::BadIpv4)
        );
        assert_eq!(decode(LinkType::IPV6, &ip4), Err(DecodeError::BadIpv6));
        assert_eq!(
            decode(LinkType::RAW, &[0x50; 40]),
            Err(DecodeError::NotIp(5))
        );
        assert_eq!(decode(LinkType::RAW, &[]), Err(DecodeError::TruncatedLink));
    }

    #[test]
    fn ipv6_extension_headers() {
        let p = decode(LinkType::IPV6, IPV6_EXT_ICMP).unwrap();
        assert_eq!(p.ttl, 255);
        assert_eq!(p.dst_ip, "2001:db8::2".parse::<IpAddr>().unwrap());
        let info = IcmpInfo {
            icmp_type: 128,
            code: 0,
            id: 0x0102,
            seq: 0x0304,
        };
        assert_eq!(p.transport, Transport::Icmp6(info));
        assert_eq!(p.payload, b"ping");

        // AH (length field 1: (1 + 2) * 4 = 12 bytes) then UDP.
        let mut body = vec![PROTO_UDP, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1];
        body.extend_from_slice(&udp(5, 6, b"ah"));
        let p = decode(LinkType::IPV6, leak(ipv6(EXT_AH, &body))).unwrap();
        assert!(is_udp(&p, 5, 6, b"ah"));

        // An atomic fragment header (offset 0, M clear) is skipped.
        let mut body = vec![PROTO_UDP, 0, 0, 0, 0, 0, 0, 9];
        body.extend_from_slice(&udp(5, 6, b"atomic"));
        assert!(is_udp(
            &decode(LinkType::IPV6, &ipv6(EXT_FRAGMENT, &body)).unwrap(),
            5,
            6,
            b"atomic"
        ));

        // First fragment: offset 0, M set, id 0x01020304.
        let mut body = vec![PROTO_UDP, 0, 0x00, 0x01, 1, 2, 3, 4];
        body.extend_from_slice(&udp(5, 6, b"first"));
        let p = decode(LinkType::IPV6, leak(ipv6(EXT_FRAGMENT, &body))).unwrap();
        let frag = Fragment {
            id: 0x0102_0304,
            offset: 0,
            more: true,
            protocol: PROTO_UDP,
        };
        assert_eq!(p.transport, Transport::Fragment(frag));
        assert_eq!(p.payload, &udp(5, 6, b"first")[..]);

        // Last fragment at offset 16 (field 16 << 3 | M=0 = 0x0080... offset bits are 0xfff8).
        let p = decode(
            LinkType::IPV6,
            leak(ipv6(EXT_FRAGMENT, &[58, 0, 0x00, 0x10, 0, 0, 0, 7, 9, 9])),
        )
        .unwrap();
        let frag = Fragment {
            id: 7,
            offset: 16,
            more: false,
            protocol: 58,
        };
        assert_eq!(
            (p.transport, p.payload),
            (Transport::Fragment(frag), &[9u8, 9][..])
        );

        // An extension header running past the packet.
        assert_eq!(
            decode(LinkType::IPV6, &ipv6(EXT_DEST_OPTS, &[58, 1, 0, 0])),
            Err(DecodeError::BadIpv6)
        );
        // No next header (59): nothing to decode, reported as Other.
        let p = decode(LinkType::IPV6, leak(ipv6(59, &[]))).unwrap();
        assert_eq!((p.transport, p.payload), (Transport::Other(59), &[][..]));
    }

    #[test]
    fn ipv4_fragments() {
        let first = ipv4(PROTO_UDP, 0x2000, &udp(1, 2, b"12345678"));
        let p = decode(LinkType::IPV4, &first).unwrap();
        let frag = Fragment {
            id: 0xabcd,
            offset: 0,
            more: true,
            protocol: PROTO_UDP,
        };
        assert_eq!(p.transport, Transport::Fragment(frag));
        assert_eq!(p.payload.len(), 16);

        let last = ipv4(PROTO_UDP, 2, b"tail");
        let p = decode(LinkType::IPV4, &last).unwrap();
        let frag = Fragment {
            id: 0xabcd,
            offset: 16,
            more: false,
            protocol: PROTO_UDP,
        };
        assert_eq!(
            (p.transport, p.payload),
            (Transport::Fragment(frag), &b"tail"[..])
        );

        // DF alone is not a fragment.
        assert!(is_udp(
            &decode(LinkType::IPV4, &ipv4(PROTO_UDP, 0x4000, &udp(1, 2, b""))).unwrap(),
            1,
            2,
            b""
        ));
    }

    #[test]
    fn ipv4_header_checks_and_truncation() {
        let good = ipv4(PROTO_UDP, 0, &udp(1, 2, b"hello"));
        let mut bad = good.clone();
        bad[0] = 0x44; // IHL 4
        assert_eq!(decode(LinkType::IPV4, &bad), Err(DecodeError::BadIpv4));
        let mut bad = good.clone();
        bad[2..4].copy_from_slice(&19u16.to_be_bytes()); // total length below the header
        assert_eq!(decode(LinkType::IPV4, &bad), Err(DecodeError::BadIpv4));
        let mut bad = good.clone();
        bad[0] = 0x4f; // IHL 15 = 60 bytes, more than there is
        assert_eq!(decode(LinkType::IPV4, &bad), Err(DecodeError::BadIpv4));

        // Options are skipped: IHL 6 with 4 option bytes (NOPs).
        let mut opts = good.clone();
        opts[0] = 0x46;
        opts.splice(20..20, [1, 1, 1, 1]);
        let total = u16::try_from(opts.len()).unwrap();
        opts[2..4].copy_from_slice(&total.to_be_bytes());
        assert!(is_udp(
            &decode(LinkType::IPV4, &opts).unwrap(),
            1,
            2,
            b"hello"
        ));

        // Snaplen cut: what is there is given, flagged truncated.
        let p = decode(LinkType::IPV4, &good[..good.len() - 2]).unwrap();
        assert!(p.truncated);
        assert!(is_udp(&p, 1, 2, b"hel"));

        // Total length 0 (segmentation offload): the captured bytes are used.
        let mut tso = good.clone();
        tso[2..4].copy_from_slice(&[0, 0]);
        let p = decode(LinkType::IPV4, &tso).unwrap();
        assert!(is_udp(&p, 1, 2, b"hello") && !p.truncated);
    }

    #[test]
    fn transports() {
        // UDP length shorter than the IP payload clips; a bogus length is ignored.
        let mut u = udp(1, 2, b"abcdef");
        u[4..6].copy_from_slice(&10u16.to_be_bytes());
        assert!(is_udp(
            &decode(LinkType::IPV4, &ipv4(PROTO_UDP, 0, &u)).unwrap(),
            1,
            2,
            b"ab"
        ));
        u[4..6].copy_from_slice(&3u16.to_be_bytes());
        assert!(is_udp(
            &decode(LinkType::IPV4, &ipv4(PROTO_UDP, 0, &u)).unwrap(),
            1,
            2,
            b"abcdef"
        ));
        u[4..6].copy_from_slice(&100u16.to_be_bytes());
        assert!(is_udp(
            &decode(LinkType::IPV4, &ipv4(PROTO_UDP, 0, &u)).unwrap(),
            1,
            2,
            b"abcdef"
        ));
        assert_eq!(
            decode(LinkType::IPV4, &ipv4(PROTO_UDP, 0, &[0; 7])),
            Err(DecodeError::BadUdp)
        );

        // ICMPv4 echo reply has id/seq, destination unreachable does not.
        let echo = [0, 0, 0, 0, 0, 7, 0, 9, b'x'];
        let p = decode(LinkType::IPV4, leak(ipv4(PROTO_ICMP, 0, &echo))).unwrap();
        let info = IcmpInfo {
            icmp_type: 0,
            code: 0,
            id: 7,
            seq: 9,
        };
        assert_eq!(
            (p.transport, p.payload),
            (Transport::Icmp4(info), &b"x"[..])
        );
        let unreach = [3, 1, 0, 0, 0, 7, 0, 9];
        let p = decode(LinkType::IPV4, leak(ipv4(PROTO_ICMP, 0, &unreach))).unwrap();
        let info = IcmpInfo {
            icmp_type: 3,
            code: 1,
            id: 0,
            seq: 0,
        };
        assert_eq!(p.transport, Transport::Icmp4(info));
        assert_eq!(
            decode(LinkType::IPV4, &ipv4(PROTO_ICMP, 0, &[8, 0, 0])),
            Err(DecodeError::BadIcmp)
        );
        let nd = decode(
            LinkType::IPV6,
            leak(ipv6(PROTO_ICMPV6, &[135, 0, 0, 0, 1, 2, 3, 4])),
        )
        .unwrap();
        assert_eq!(
            nd.transport,
            Transport::Icmp6(IcmpInfo {
                icmp_type: 135,
                code: 0,
                id: 0,
                seq: 0
            })
        );

        // TCP data offset below 5 or beyond the segment.
        let mut tcp = ETH_IPV4_TCP[34..62].to_vec();
        tcp[12] = 0x40;
        assert_eq!(
            decode(LinkType::IPV4, &ipv4(PROTO_TCP, 0, &tcp)),
            Err(DecodeError::BadTcp)
        );
        tcp[12] = 0xf0;
        assert_eq!(
            decode(LinkType::IPV4, &ipv4(PROTO_TCP, 0, &tcp)),
            Err(DecodeError::BadTcp)
        );

        // Anything else is Other with the IP payload (GRE here).
        let p = decode(LinkType::IPV4, leak(ipv4(47, 0, b"gre!"))).unwrap();
        assert_eq!(
            (p.transport, p.payload),
            (Transport::Other(47), &b"gre!"[..])
        );
    }

    #[test]
    fn ip_in_ip() {
        let inner = ipv4(PROTO_UDP, 0, &udp(1, 2, b"in"));
        let mut outer = ipv4(PROTO_IPIP, 0, &inner);
        outer[12..16].copy_from_slice(&[1, 1, 1, 1]);
        let p = decode(LinkType::IPV4, &outer).unwrap();
        assert_eq!(p.src_ip, v4(192, 168, 0, 1), "inner addresses win");
        assert!(is_udp(&p, 1, 2, b"in"));

        let six_in_four = ipv4(PROTO_IPV6, 0, IPV6_EXT_ICMP);
        let p = decode(LinkType::IPV4, &six_in_four).unwrap();
        assert!(p.src_ip.is_ipv6() && matches!(p.transport, Transport::Icmp6(_)));

        // An inner header that does not parse leaves the tunnel as Other.
        let p = decode(LinkType::IPV4, leak(ipv4(PROTO_IPIP, 0, b"junk"))).unwrap();
        assert_eq!(
            (p.transport, p.payload),
            (Transport::Other(PROTO_IPIP), &b"junk"[..])
        );

        // Deep nesting stops after MAX_TUNNEL_DEPTH levels.
        let mut nested = ipv4(PROTO_UDP, 0, &udp(1, 2, b""));
        for _ in 0..10 {
            nested = ipv4(PROTO_IPIP, 0, &nested);
        }
        let p = decode(LinkType::IPV4, &nested).unwrap();
        assert_eq!(p.transport, Transport::Other(PROTO_IPIP));
    }

    #[test]
    fn reassembled_payload() {
        let template = decode(LinkType::ETHERNET, ETH_IPV4_TCP).unwrap();
        let data = udp(53, 4000, b"answer");
        let p = decode_ip_payload(&template, PROTO_UDP, &data).unwrap();
        assert_eq!(
            (p.src_mac, p.src_ip, p.ttl),
            (template.src_mac, template.src_ip, 64)
        );
        assert!(is_udp(&p, 53, 4000, b"answer") && !p.truncated);
        assert_eq!(
            decode_ip_payload(&template, PROTO_UDP, &data[..4]),
            Err(DecodeError::BadUdp)
        );

        // IPv6: extension headers after the fragment header are walked.
        let template6 = decode(LinkType::IPV6, IPV6_EXT_ICMP).unwrap();
        let with_opts = [&[PROTO_UDP, 0, 1, 4, 0, 0, 0, 0][..], &data].concat();
        let p = decode_ip_payload(&template6, EXT_DEST_OPTS, &with_opts).unwrap();
        assert!(is_udp(&p, 53, 4000, b"answer"));
    }

    /// Every link type with a valid frame for it.
    fn valid_frames() -> Vec<(LinkType, Vec<u8>)> {
        let ip4 = ipv4(PROTO_UDP, 0, &udp(1, 2, b"payload"));
        let mut sll = vec![
            0, 0, 0, 1, 0, 6, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0, 0x08, 0x00,
        ];
        sll.extend_from_slice(&ip4);
        let mut sll2 = vec![
            0x86, 0xdd, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0,
        ];
        sll2.extend_from_slice(IPV6_EXT_ICMP);
        vec![
            (LinkType::ETHERNET, ETH_IPV4_TCP.to_vec()),
            (
                LinkType::ETHERNET,
                ether(0x86dd, &[(0x88a8, 1), (0x8100, 2)], IPV6_EXT_ICMP),
            ),
            (LinkType::LINUX_SLL, sll),
            (LinkType::LINUX_SLL2, sll2),
            (LinkType::NULL, [&[2, 0, 0, 0][..], &ip4].concat()),
            (LinkType::LOOP, [&[0, 0, 0, 30][..], IPV6_EXT_ICMP].concat()),
            (LinkType::RAW, ipv4(PROTO_IPIP, 0, &ip4)),
            (
                LinkType::RAW_ALT12,
                ipv4(PROTO_ICMP, 0, &[8, 0, 0, 0, 0, 1, 0, 1]),
            ),
            (LinkType::RAW_ALT14, ipv4(PROTO_UDP, 0x2001, b"fragment")),
            (LinkType::IPV4, ipv4(PROTO_TCP, 0, &ETH_IPV4_TCP[34..62])),
            (
                LinkType::IPV6,
                ipv6(
                    EXT_AH,
                    &[
                        PROTO_UDP, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 2, 0, 8, 0, 0,
                    ],
                ),
            ),
        ]
    }

    #[test]
    fn every_prefix_of_a_valid_frame() {
        for (link, frame) in valid_frames() {
            let full = decode(link, &frame).unwrap();
            assert!(!full.truncated, "{link:?}");
            for len in 0..frame.len() {
                // Never panics; a cut frame either decodes (flagged truncated when the cut is
                // inside the IP packet) or is an error.
                if let Ok(p) = decode(link, &frame[..len]) {
                    assert!(
                        p.truncated || p.payload.len() <= full.payload.len(),
                        "{link:?} {len}"
                    );
                }
            }
        }
    }

    /// xorshift64*: a small deterministic generator for the fuzz tests.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn byte(&mut self) -> u8 {
            self.next().to_le_bytes()[7]
        }
        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next() % u64::try_from(n).unwrap()).unwrap()
        }
    }

    const ALL_LINKS: [LinkType; 12] = [
        LinkType::NULL,
        LinkType::ETHERNET,
        LinkType::RAW,
        LinkType::LOOP,
        LinkType::LINUX_SLL,
        LinkType::IPV4,
        LinkType::IPV6,
        LinkType::LINUX_SLL2,
        LinkType::RAW_ALT12,
        LinkType::RAW_ALT14,
        LinkType(147),
        LinkType(u32::MAX),
    ];

    /// Checks the invariants every successful decode must hold.
    fn check(frame: &[u8], p: &Packet<'_>) {
        let range = frame.as_ptr_range();
        let payload = p.payload.as_ptr_range();
        assert!(
            range.start <= payload.start && payload.end <= range.end,
            "payload borrows the frame"
        );
        assert!(p.vlans.as_slice().len() <= 2);
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut frame = Vec::new();
        for len in 0..=256 {
            for _ in 0..40 {
                frame.clear();
                frame.extend((0..len).map(|_| rng.byte()));
                for link in ALL_LINKS {
                    if let Ok(p) = decode(link, &frame) {
                        check(&frame, &p);
                    }
                }
            }
        }
    }

    #[test]
    fn mutated_valid_frames_never_panic() {
        let mut rng = Rng(42);
        for (link, frame) in valid_frames() {
            for _ in 0..5_000 {
                let mut mutated = frame.clone();
                for _ in 0..=rng.below(4) {
                    let i = rng.below(mutated.len());
                    mutated[i] = rng.byte();
                }
                let cut = rng.below(mutated.len() + 1);
                for bytes in [&mutated[..], &mutated[..cut]] {
                    if let Ok(p) = decode(link, bytes) {
                        check(bytes, &p);
                        if let Transport::Fragment(f) = p.transport {
                            let _ = decode_ip_payload(&p, f.protocol, p.payload);
                        }
                    }
                }
            }
        }
    }
}
