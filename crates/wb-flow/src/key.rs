//! Bidirectional flow keys: both directions of a conversation map to the same key.

use std::net::IpAddr;
use wb_wire::VlanTags;

/// One endpoint: address and port. For ICMP the "ports" are those of the Community ID
/// (message type and its counterpart, or type and code), so that a request and its reply share
/// a flow while exchanges started from either side stay apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Endpoint {
    /// IPv4 addresses are stored IPv4-mapped.
    pub ip: [u8; 16],
    /// Port or ICMP identifier.
    pub port: u16,
}

impl Endpoint {
    /// Builds an endpoint from an address and port.
    pub fn new(ip: IpAddr, port: u16) -> Self {
        let ip = match ip {
            IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
            IpAddr::V6(v6) => v6.octets(),
        };
        Endpoint { ip, port }
    }
}

/// A flow key with its endpoints in canonical order (`lo` ≤ `hi`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FlowKey {
    /// The smaller endpoint.
    pub lo: Endpoint,
    /// The larger endpoint.
    pub hi: Endpoint,
    /// IP protocol number.
    pub protocol: u8,
    /// ICMP echo identifier (0 for other protocols and message types).
    pub icmp_id: u16,
    /// VLAN tags.
    pub vlans: VlanTags,
}

impl FlowKey {
    /// The key of a packet from `src` to `dst`, and whether `src` is the `lo` endpoint.
    pub fn new(
        src: Endpoint,
        dst: Endpoint,
        protocol: u8,
        icmp_id: u16,
        vlans: VlanTags,
    ) -> (Self, bool) {
        if src <= dst {
            (
                FlowKey {
                    lo: src,
                    hi: dst,
                    protocol,
                    icmp_id,
                    vlans,
                },
                true,
            )
        } else {
            (
                FlowKey {
                    lo: dst,
                    hi: src,
                    protocol,
                    icmp_id,
                    vlans,
                },
                false,
            )
        }
    }
}
