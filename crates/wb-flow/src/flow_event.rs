//! Flow entry → `type: flow` event, with Packetbeat's field names.

use crate::table::FlowEntry;
use base64::Engine;
use std::net::{IpAddr, Ipv6Addr};
use wb_event::{community_id, CommunityIdInput, Event, Value};
use wb_wire::Timestamp;

/// Builds the flow event of `entry` reported at `now`.
pub fn flow_event(entry: &FlowEntry, now: Timestamp, is_final: bool) -> Event {
    let (src, dst) = if entry.source_is_lo {
        (entry.key.lo, entry.key.hi)
    } else {
        (entry.key.hi, entry.key.lo)
    };
    let src_ip = to_ip(src.ip);
    let dst_ip = to_ip(dst.ip);
    let proto = entry.key.protocol;
    let mut e = Event::new(now);
    e.push("type", "flow");
    e.push("flow.id", flow_id(entry));
    e.push("flow.final", is_final);
    match entry.vlans.as_slice() {
        [] => {}
        [one] => e.push("flow.vlan", *one),
        many => e.push(
            "flow.vlan",
            Value::List(many.iter().map(|v| Value::from(*v)).collect()),
        ),
    }
    e.push("event.kind", "event");
    e.push("event.category", Value::List(vec!["network".into()]));
    e.push("event.action", "network_flow");
    e.push("event.dataset", "flow");
    let mut types = vec![Value::from("connection")];
    if is_final {
        types.push("end".into());
    }
    e.push("event.type", Value::List(types));
    e.push("event.start", entry.first);
    e.push("event.end", entry.last);
    e.push("event.duration", entry.last.nanos_since(entry.first).max(0));
    let has_ports = proto == 6 || proto == 17 || proto == 132;
    let [from_src, from_dst] = entry.counters;
    let macs = entry.macs;
    for (side, ip, port, counters, mac) in [
        ("source", src_ip, src.port, from_src, macs.map(|m| m.0)),
        ("destination", dst_ip, dst.port, from_dst, macs.map(|m| m.1)),
    ] {
        let (f_mac, f_ip, f_port, f_packets, f_bytes) = if side == "source" {
            (
                "source.mac",
                "source.ip",
                "source.port",
                "source.packets",
                "source.bytes",
            )
        } else {
            (
                "destination.mac",
                "destination.ip",
                "destination.port",
                "destination.packets",
                "destination.bytes",
            )
        };
        if let Some(mac) = mac {
            e.push(f_mac, format_mac(mac));
        }
        e.push(f_ip, ip);
        if has_ports {
            e.push(f_port, port);
        }
        if counters.packets > 0 {
            e.push(f_packets, counters.packets);
            e.push(f_bytes, counters.bytes);
        }
    }
    e.push(
        "network.type",
        if src_ip.is_ipv4() { "ipv4" } else { "ipv6" },
    );
    if let Some(transport) = transport_name(proto) {
        e.push("network.transport", transport);
    }
    e.push("network.bytes", from_src.bytes + from_dst.bytes);
    e.push("network.packets", from_src.packets + from_dst.packets);
    let (sp, dp) = if proto == 1 || proto == 58 {
        (
            u16::from(entry.icmp_type_code.0),
            u16::from(entry.icmp_type_code.1),
        )
    } else if has_ports {
        (src.port, dst.port)
    } else {
        (0, 0)
    };
    e.push(
        "network.community_id",
        community_id(
            CommunityIdInput {
                src_ip,
                dst_ip,
                protocol: proto,
                src_port: sp,
                dst_port: dp,
            },
            0,
        ),
    );
    e
}

/// `network.transport` of an IP protocol number.
pub fn transport_name(proto: u8) -> Option<&'static str> {
    Some(match proto {
        1 => "icmp",
        2 => "igmp",
        6 => "tcp",
        17 => "udp",
        47 => "gre",
        50 => "esp",
        51 => "ah",
        58 => "ipv6-icmp",
        132 => "sctp",
        _ => return None,
    })
}

fn to_ip(bytes: [u8; 16]) -> IpAddr {
    let v6 = Ipv6Addr::from(bytes);
    match v6.to_ipv4_mapped() {
        Some(v4) => IpAddr::V4(v4),
        None => IpAddr::V6(v6),
    }
}

/// `AA-BB-CC-DD-EE-FF`, the ECS MAC form.
pub fn format_mac(mac: [u8; 6]) -> String {
    let mut s = String::with_capacity(17);
    for (i, b) in mac.iter().enumerate() {
        if i > 0 {
            s.push('-');
        }
        s.push_str(&format!("{b:02X}"));
    }
    s
}

/// An opaque, stable identifier of the flow: its key oriented source first, its start and its
/// creation order.
fn flow_id(entry: &FlowEntry) -> String {
    let (src, dst) = if entry.source_is_lo {
        (entry.key.lo, entry.key.hi)
    } else {
        (entry.key.hi, entry.key.lo)
    };
    let mut raw = Vec::with_capacity(64);
    raw.push(entry.key.protocol);
    raw.push(entry.vlans.len);
    for v in entry.vlans.as_slice() {
        raw.extend_from_slice(&v.to_be_bytes());
    }
    raw.extend_from_slice(&src.ip);
    raw.extend_from_slice(&dst.ip);
    raw.extend_from_slice(&src.port.to_be_bytes());
    raw.extend_from_slice(&dst.port.to_be_bytes());
    raw.extend_from_slice(&entry.key.icmp_id.to_be_bytes());
    raw.extend_from_slice(&entry.first.as_nanos().to_be_bytes());
    raw.extend_from_slice(&entry.serial.to_be_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}
