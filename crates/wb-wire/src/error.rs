//! Why a frame could not be decoded. Each variant has a stable reason name for the counters.

/// A frame that could not be decoded, by layer and reason. `reason()` is the counter name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The capture's link type is not one Wirebeat decodes.
    #[error("unsupported link type {0}")]
    UnsupportedLinkType(u32),
    /// The frame ends inside the link-layer header.
    #[error("frame too short for the link-layer header")]
    TruncatedLink,
    /// The link layer carries something other than IPv4/IPv6 (ARP, LLDP, STP, ...).
    #[error("not an IP packet (ethertype/family {0:#06x})")]
    NotIp(u16),
    /// The IPv4 header is truncated or invalid (bad version, IHL or total length).
    #[error("invalid or truncated IPv4 header")]
    BadIpv4,
    /// The IPv6 header or an extension header is truncated or invalid.
    #[error("invalid or truncated IPv6 header")]
    BadIpv6,
    /// The TCP header is truncated or has a bad data offset.
    #[error("invalid or truncated TCP header")]
    BadTcp,
    /// The UDP header is truncated.
    #[error("invalid or truncated UDP header")]
    BadUdp,
    /// The ICMP header is truncated.
    #[error("invalid or truncated ICMP header")]
    BadIcmp,
}

impl DecodeError {
    /// Stable snake_case name used as the drop-counter key.
    pub fn reason(&self) -> &'static str {
        match self {
            DecodeError::UnsupportedLinkType(_) => "unsupported_link_type",
            DecodeError::TruncatedLink => "truncated_link_header",
            DecodeError::NotIp(_) => "not_ip",
            DecodeError::BadIpv4 => "bad_ipv4_header",
            DecodeError::BadIpv6 => "bad_ipv6_header",
            DecodeError::BadTcp => "bad_tcp_header",
            DecodeError::BadUdp => "bad_udp_header",
            DecodeError::BadIcmp => "bad_icmp_header",
        }
    }

    /// Every reason name, for reports that list zero counts too.
    pub const ALL_REASONS: [&'static str; 8] = [
        "unsupported_link_type",
        "truncated_link_header",
        "not_ip",
        "bad_ipv4_header",
        "bad_ipv6_header",
        "bad_tcp_header",
        "bad_udp_header",
        "bad_icmp_header",
    ];
}
