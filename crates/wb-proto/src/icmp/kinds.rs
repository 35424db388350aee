//! What each ICMP type is to Packetbeat: a request or a response, an error, one half of a
//! request/response pair; and its human-readable name (gopacket's `TypeCode.String()` form:
//! `EchoRequest`, `DestinationUnreachable(Port)`, `Redirect(Code: 9)`, `200(0)`).

/// ICMP version of a message: 4 or 6.
pub type Version = u8;

/// The type answers a request (every other type counts as a request).
pub fn is_response(v: Version, t: u8) -> bool {
    match v {
        4 => matches!(t, 0 | 14 | 16 | 18),
        _ => t == 129,
    }
}

/// The type reports an error.
pub fn is_error(v: Version, t: u8) -> bool {
    match v {
        4 => matches!(t, 3 | 4 | 11 | 12),
        _ => matches!(t, 1..=4),
    }
}

/// The type is half of a request/response pair (others are one-message transactions).
pub fn is_pair(v: Version, t: u8) -> bool {
    match v {
        4 => matches!(t, 0 | 8 | 13..=18),
        _ => matches!(t, 128 | 129),
    }
}

fn v4_type(t: u8) -> Option<(&'static str, Option<&'static [&'static str]>)> {
    Some(match t {
        0 => ("EchoReply", None),
        3 => (
            "DestinationUnreachable",
            Some(&[
                "Net",
                "Host",
                "Protocol",
                "Port",
                "FragmentationNeeded",
                "SourceRoutingFailed",
                "NetUnknown",
                "HostUnknown",
                "SourceIsolated",
                "NetAdminProhibited",
                "HostAdminProhibited",
                "NetTOS",
                "HostTOS",
                "CommAdminProhibited",
                "HostPrecedence",
                "PrecedenceCutoff",
            ]),
        ),
        4 => ("SourceQuench", None),
        5 => (
            "Redirect",
            Some(&["Network", "Host", "TOS+Network", "TOS+Host"]),
        ),
        8 => ("EchoRequest", None),
        9 => ("RouterAdvertisement", None),
        10 => ("RouterSolicitation", None),
        11 => (
            "TimeExceeded",
            Some(&["TTLExceeded", "FragmentReassemblyTimeExceeded"]),
        ),
        12 => (
            "ParameterProblem",
            Some(&["PointerIndicatesError", "MissingOption", "BadLength"]),
        ),
        13 => ("TimestampRequest", None),
        14 => ("TimestampReply", None),
        15 => ("InfoRequest", None),
        16 => ("InfoReply", None),
        17 => ("AddressMaskRequest", None),
        18 => ("AddressMaskReply", None),
        _ => return None,
    })
}

fn v6_type(t: u8) -> Option<(&'static str, Option<&'static [&'static str]>)> {
    Some(match t {
        1 => (
            "DestinationUnreachable",
            Some(&[
                "NoRouteToDst",
                "AdminProhibited",
                "BeyondScopeOfSrc",
                "AddressUnreachable",
                "PortUnreachable",
                "SrcAddressFailedPolicy",
                "RejectRouteToDst",
            ]),
        ),
        2 => ("PacketTooBig", None),
        3 => (
            "TimeExceeded",
            Some(&["HopLimitExceeded", "FragmentReassemblyTimeExceeded"]),
        ),
        4 => (
            "ParameterProblem",
            Some(&[
                "ErroneousHeaderField",
                "UnrecognizedNextHeader",
                "UnrecognizedIPv6Option",
            ]),
        ),
        128 => ("EchoRequest", None),
        129 => ("EchoReply", None),
        130 => ("MLDv1MulticastListenerQuery", None),
        131 => ("MLDv1MulticastListenerReport", None),
        132 => ("MLDv1MulticastListenerDone", None),
        133 => ("RouterSolicitation", None),
        134 => ("RouterAdvertisement", None),
        135 => ("NeighborSolicitation", None),
        136 => ("NeighborAdvertisement", None),
        137 => ("Redirect", None),
        143 => ("MLDv2MulticastListenerReport", None),
        _ => return None,
    })
}

/// The human-readable name of a type and code.
pub fn message(v: Version, t: u8, code: u8) -> String {
    let info = if v == 4 { v4_type(t) } else { v6_type(t) };
    match info {
        None => format!("{t}({code})"),
        Some((name, None)) if code == 0 => name.to_string(),
        Some((name, codes)) => match codes.and_then(|c| c.get(usize::from(code))) {
            Some(c) => format!("{name}({c})"),
            None => format!("{name}(Code: {code})"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_classes() {
        assert_eq!(message(4, 8, 0), "EchoRequest");
        assert_eq!(message(4, 3, 3), "DestinationUnreachable(Port)");
        assert_eq!(message(4, 3, 99), "DestinationUnreachable(Code: 99)");
        assert_eq!(message(4, 8, 1), "EchoRequest(Code: 1)");
        assert_eq!(message(4, 200, 7), "200(7)");
        assert_eq!(message(6, 129, 0), "EchoReply");
        assert_eq!(message(6, 1, 4), "DestinationUnreachable(PortUnreachable)");
        assert!(is_response(4, 0) && !is_response(4, 8) && is_response(6, 129));
        assert!(is_error(4, 11) && is_error(6, 2) && !is_error(6, 135));
        assert!(is_pair(4, 17) && !is_pair(4, 3) && !is_pair(6, 135));
    }
}
