//! Community ID v1 flow hashing (<https://github.com/corelight/community-id-spec>).

use base64::Engine;
use sha1::{Digest, Sha1};
use std::net::IpAddr;

/// The endpoints and protocol of one flow, as seen in one packet (or the flow's source side).
#[derive(Clone, Copy, Debug)]
pub struct CommunityIdInput {
    /// Source address.
    pub src_ip: IpAddr,
    /// Destination address.
    pub dst_ip: IpAddr,
    /// IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, 132 SCTP, ...).
    pub protocol: u8,
    /// Source port; for ICMP the message type.
    pub src_port: u16,
    /// Destination port; for ICMP the message code.
    pub dst_port: u16,
}

/// The Community ID v1 string (`1:` + base64 SHA-1) with seed `seed`.
///
/// For ICMP and ICMPv6 pass the type as `src_port` and the code as `dst_port`; the spec's
/// request/reply equivalences are applied here, and one-way message types are ordered like a
/// port pair.
pub fn community_id(input: CommunityIdInput, seed: u16) -> String {
    let CommunityIdInput {
        src_ip,
        dst_ip,
        protocol,
        mut src_port,
        mut dst_port,
    } = input;
    let mut one_way = false;
    if protocol == 1 || protocol == 58 {
        let ports = icmp_ports(protocol, src_port as u8, dst_port as u8);
        (src_port, dst_port, one_way) = (ports.0, ports.1, ports.2);
    }
    // Order the endpoints: the smaller (ip, port) first, unless the flow is one-way ICMP.
    let swap = if one_way {
        false
    } else {
        let a = ip_bytes(&src_ip);
        let b = ip_bytes(&dst_ip);
        (a.as_slice(), src_port) > (b.as_slice(), dst_port)
    };
    let (ip1, ip2, p1, p2) = if swap {
        (dst_ip, src_ip, dst_port, src_port)
    } else {
        (src_ip, dst_ip, src_port, dst_port)
    };
    let mut h = Sha1::new();
    h.update(seed.to_be_bytes());
    h.update(ip_bytes(&ip1));
    h.update(ip_bytes(&ip2));
    h.update([protocol, 0]);
    h.update(p1.to_be_bytes());
    h.update(p2.to_be_bytes());
    let digest = h.finalize();
    let mut out = String::with_capacity(30);
    out.push_str("1:");
    base64::engine::general_purpose::STANDARD.encode_string(digest, &mut out);
    out
}

fn ip_bytes(ip: &IpAddr) -> Vec<u8> {
    match ip {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    }
}

/// The Community ID "ports" of an ICMP message: `(type, counterpart type, false)` for
/// request/reply types, `(type, code, true)` for one-way types.
pub fn icmp_ports(protocol: u8, icmp_type: u8, code: u8) -> (u16, u16, bool) {
    match icmp_counterpart(protocol, icmp_type) {
        Some(peer) => (u16::from(icmp_type), u16::from(peer), false),
        None => (u16::from(icmp_type), u16::from(code), true),
    }
}

/// The paired message type of an ICMP request/reply type, per the Community ID spec.
fn icmp_counterpart(protocol: u8, ty: u8) -> Option<u8> {
    let pairs: &[(u8, u8)] = if protocol == 1 {
        &[
            (8, 0),
            (0, 8),
            (13, 14),
            (14, 13),
            (15, 16),
            (16, 15),
            (10, 9),
            (9, 10),
            (17, 18),
            (18, 17),
        ]
    } else {
        &[
            (128, 129),
            (129, 128),
            (133, 134),
            (134, 133),
            (135, 136),
            (136, 135),
            (130, 131),
            (131, 130),
            (144, 145),
            (145, 144),
        ]
    };
    pairs.iter().find(|(a, _)| *a == ty).map(|(_, b)| *b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cid(src: &str, dst: &str, proto: u8, sp: u16, dp: u16) -> String {
        community_id(
            CommunityIdInput {
                src_ip: src.parse().unwrap(),
                dst_ip: dst.parse().unwrap(),
                protocol: proto,
                src_port: sp,
                dst_port: dp,
            },
            0,
        )
    }

    // Vectors from the reference logs under shared/pcaps/packetbeat/libbeat-flowhash/golden.
    #[test]
    fn matches_reference_vectors() {
        assert_eq!(
            cid("128.232.110.120", "66.35.250.204", 6, 34855, 80),
            "1:LQU9qZlK+B5F3KDmev6m5PMibrg="
        );
        assert_eq!(
            cid("66.35.250.204", "128.232.110.120", 6, 80, 34855),
            "1:LQU9qZlK+B5F3KDmev6m5PMibrg="
        );
        assert_eq!(
            cid("192.168.1.52", "8.8.8.8", 17, 54585, 53),
            "1:d/FP5EW3wiY1vCndhwleRRKHowQ="
        );
        assert_eq!(
            cid("192.168.0.89", "192.168.0.1", 1, 8, 0),
            "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="
        );
        assert_eq!(
            cid("192.168.0.1", "192.168.0.89", 1, 0, 0),
            "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="
        );
        assert_eq!(
            cid(
                "fe80::200:86ff:fe05:80da",
                "fe80::260:97ff:fe07:69ea",
                58,
                135,
                0
            ),
            "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="
        );
        assert_eq!(
            cid(
                "3ffe:507::1:260:97ff:fe07:69ea",
                "3ffe:507::1:200:86ff:fe05:80da",
                58,
                3,
                0
            ),
            "1:NdobDX8PQNJbAyfkWxhtL2Pqp5w="
        );
        assert_eq!(
            cid("192.168.170.8", "192.168.170.56", 132, 7, 7),
            "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="
        );
    }
}
