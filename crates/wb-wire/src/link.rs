//! Link-layer types (the pcap `LINKTYPE_*` registry), as an open set.

/// A capture link type as numbered by the pcap/pcapng `LINKTYPE_*` registry. Unknown values are
/// kept as they are so that they can be counted and reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LinkType(pub u32);

impl LinkType {
    /// BSD loopback: a 4-byte host-order address family, then the IP packet.
    pub const NULL: LinkType = LinkType(0);
    /// Ethernet II / 802.3.
    pub const ETHERNET: LinkType = LinkType(1);
    /// Raw IP (version taken from the first nibble), the registry value.
    pub const RAW: LinkType = LinkType(101);
    /// OpenBSD loopback: like NULL but the family is in network order.
    pub const LOOP: LinkType = LinkType(108);
    /// Linux cooked capture v1 (16-byte header).
    pub const LINUX_SLL: LinkType = LinkType(113);
    /// Raw IPv4.
    pub const IPV4: LinkType = LinkType(228);
    /// Raw IPv6.
    pub const IPV6: LinkType = LinkType(229);
    /// Linux cooked capture v2 (20-byte header).
    pub const LINUX_SLL2: LinkType = LinkType(276);
    /// Raw IP as some BSDs number it in pcap file headers (DLT_RAW = 12 or 14).
    pub const RAW_ALT12: LinkType = LinkType(12);
    /// Raw IP as OpenBSD numbers it in pcap file headers (DLT_RAW = 14).
    pub const RAW_ALT14: LinkType = LinkType(14);
}
