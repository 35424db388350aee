//! The decoded view of one frame: addresses, VLAN tags, transport header facts and a borrowed
//! payload. Built on the stack by [`crate::decode`]; nothing here allocates.

use std::net::IpAddr;

/// Up to two 802.1Q / 802.1ad VLAN ids, outer first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct VlanTags {
    /// The ids; only the first `len` entries are meaningful.
    pub ids: [u16; 2],
    /// How many tags were present (0, 1 or 2; deeper stacks keep the outer two).
    pub len: u8,
}

impl VlanTags {
    /// The present ids, outer first.
    pub fn as_slice(&self) -> &[u16] {
        let n = usize::from(self.len.min(2));
        self.ids.get(..n).unwrap_or(&[])
    }

    /// Records one more tag (ignored beyond two).
    pub fn push(&mut self, id: u16) {
        if let Some(slot) = self.ids.get_mut(usize::from(self.len)) {
            *slot = id;
            self.len += 1;
        }
    }
}

/// TCP header flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TcpFlags(pub u8);

impl TcpFlags {
    /// FIN: sender has finished sending.
    pub const FIN: u8 = 0x01;
    /// SYN: synchronise sequence numbers.
    pub const SYN: u8 = 0x02;
    /// RST: reset the connection.
    pub const RST: u8 = 0x04;
    /// PSH: push.
    pub const PSH: u8 = 0x08;
    /// ACK: the acknowledgment field is significant.
    pub const ACK: u8 = 0x10;
    /// URG: the urgent pointer is significant.
    pub const URG: u8 = 0x20;

    /// FIN is set.
    pub fn fin(self) -> bool {
        self.0 & Self::FIN != 0
    }
    /// SYN is set.
    pub fn syn(self) -> bool {
        self.0 & Self::SYN != 0
    }
    /// RST is set.
    pub fn rst(self) -> bool {
        self.0 & Self::RST != 0
    }
    /// ACK is set.
    pub fn ack(self) -> bool {
        self.0 & Self::ACK != 0
    }
}

/// The TCP header facts the flow and reassembly layers need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpInfo {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number of the first payload byte (or of the SYN/FIN).
    pub seq: u32,
    /// Acknowledgment number.
    pub ack: u32,
    /// Header flags.
    pub flags: TcpFlags,
    /// Advertised window (unscaled).
    pub window: u16,
}

/// ICMPv4 or ICMPv6 header facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IcmpInfo {
    /// ICMP type.
    pub icmp_type: u8,
    /// ICMP code.
    pub code: u8,
    /// Identifier of echo-like messages (0 for other types).
    pub id: u16,
    /// Sequence number of echo-like messages (0 for other types).
    pub seq: u16,
}

/// A non-first or incomplete IP fragment, to be handed to the [`crate::Defragmenter`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fragment {
    /// Fragment identification (IPv4: 16 bits, IPv6: 32 bits).
    pub id: u32,
    /// Offset of this fragment's data in the original payload, in bytes.
    pub offset: u32,
    /// More fragments follow.
    pub more: bool,
    /// The upper-layer protocol number.
    pub protocol: u8,
}

/// The transport layer of a decoded packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// TCP; the packet payload is the segment data.
    Tcp(TcpInfo),
    /// UDP; the payload is the datagram data.
    Udp {
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
    },
    /// ICMPv4; the payload is the message after the 8-byte header.
    Icmp4(IcmpInfo),
    /// ICMPv6; the payload is the message after the 8-byte header.
    Icmp6(IcmpInfo),
    /// An IP fragment; the payload is the fragment's data.
    Fragment(Fragment),
    /// Another IP protocol (SCTP, GRE, ESP...); the payload is the IP payload.
    Other(u8),
}

/// One decoded frame. Borrowed from the capture buffer; copy out what must outlive it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packet<'a> {
    /// Source MAC address, when the link layer has one.
    pub src_mac: Option<[u8; 6]>,
    /// Destination MAC address, when the link layer has one.
    pub dst_mac: Option<[u8; 6]>,
    /// VLAN tags, outer first.
    pub vlans: VlanTags,
    /// Source IP address (of the innermost IP header decoded).
    pub src_ip: IpAddr,
    /// Destination IP address.
    pub dst_ip: IpAddr,
    /// Hop limit / TTL.
    pub ttl: u8,
    /// Transport header facts.
    pub transport: Transport,
    /// Transport payload, clipped to what was captured and to the IP total length.
    pub payload: &'a [u8],
    /// True when the frame was cut by the snap length before the end of the IP packet.
    pub truncated: bool,
}
