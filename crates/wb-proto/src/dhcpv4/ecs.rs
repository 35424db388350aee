//! DHCPv4 message → ECS event, with Packetbeat's `dhcpv4.*` fields and formats.

use super::names;
use super::parser::{code, vendor_classes, Message, OP_BOOTREPLY, OP_BOOTREQUEST};
use crate::ecs::{Roles, Status, Transaction};
use crate::{ConnMeta, Cx, Dir, TransportKind};
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};
use wb_event::{Event, Value};

/// Builds the event of one message of `len` payload bytes travelling in `dir` and emits it.
///
/// `source` / `destination` are the datagram's sender and receiver; `client` / `server`
/// follow the op code (a BOOTREPLY's sender is the server), whatever the flow layer guessed
/// from the ports.
pub fn publish(msg: &Message<'_>, dir: Dir, len: usize, cx: &mut Cx) {
    let conn = cx.conn();
    let (sender, receiver) = match dir {
        Dir::ToServer => (conn.client, conn.server),
        Dir::ToClient => (conn.server, conn.client),
    };
    let packet = ConnMeta {
        client: sender,
        server: receiver,
        transport: TransportKind::Udp,
        id: conn.id,
    };
    let txn = Transaction {
        protocol: super::NAME,
        conn: &packet,
        start: Some(cx.now()),
        end: None,
        request_bytes: len as u64,
        response_bytes: 0,
        status: Status::Ok,
        notes: &[],
    };
    let roles = if msg.op == OP_BOOTREPLY {
        Roles::Reversed
    } else {
        Roles::AsConnection
    };
    let mut e = txn.to_event_with_roles(roles);

    let mut related = vec![sender.ip(), receiver.ip()];
    header_fields(&mut e, msg, &mut related);
    option_fields(&mut e, msg);
    // Order: source, destination, then client_ip, assigned_ip, relay_ip; duplicates dropped.
    let mut unique: Vec<IpAddr> = Vec::with_capacity(related.len());
    for ip in related {
        if !unique.contains(&ip) {
            unique.push(ip);
        }
    }
    e.put(
        "related.ip",
        Value::List(unique.into_iter().map(Value::Ip).collect()),
    );
    cx.emit(e);
}

fn header_fields(e: &mut Event, msg: &Message<'_>, related: &mut Vec<IpAddr>) {
    e.push("dhcpv4.op_code", op_code(msg.op));
    e.push("dhcpv4.hardware_type", names::hardware_type_name(msg.htype));
    e.push("dhcpv4.hops", msg.hops);
    e.push("dhcpv4.transaction_id", format!("0x{:08x}", msg.xid));
    e.push("dhcpv4.seconds", msg.secs);
    e.push("dhcpv4.flags", flags(msg.flags));
    e.push("dhcpv4.client_mac", mac(msg.chaddr));
    // Unspecified (0.0.0.0) addresses are left out; the three client-side ones are related.
    for (path, ip, is_related) in [
        ("dhcpv4.client_ip", msg.ciaddr, true),
        ("dhcpv4.assigned_ip", msg.yiaddr, true),
        ("dhcpv4.server_ip", msg.siaddr, false),
        ("dhcpv4.relay_ip", msg.giaddr, true),
    ] {
        if !ip.is_unspecified() {
            e.push(path, IpAddr::V4(ip));
            if is_related {
                related.push(IpAddr::V4(ip));
            }
        }
    }
    if !msg.sname.is_empty() {
        e.push("dhcpv4.server_name", text(msg.sname));
    }
    if !msg.file.is_empty() {
        e.push("dhcpv4.boot_file_name", text(msg.file));
    }
}

fn option_fields(e: &mut Event, msg: &Message<'_>) {
    let o = &msg.options;
    if let Some(t) = o.u8(code::MESSAGE_TYPE).filter(|t| *t != 0) {
        let name = match names::message_type_name(t) {
            Some(n) => n.to_string(),
            None => format!("unknown ({t})"),
        };
        e.push("dhcpv4.option.message_type", name);
    }
    if let Some(list) = o.get(code::PARAMETER_REQUEST_LIST) {
        let names = list
            .iter()
            .map(|&c| match names::option_name(c) {
                Some(n) => Value::Static(n),
                None => Value::Str(format!("unknown ({c})")),
            })
            .collect();
        e.push("dhcpv4.option.parameter_request_list", Value::List(names));
    }
    let ip = |v: Ipv4Addr| Value::Ip(IpAddr::V4(v));
    let ips = |v: Vec<Ipv4Addr>| Value::List(v.into_iter().map(ip).collect());
    if let Some(v) = o.ip(code::REQUESTED_IP) {
        // Kept even when 0.0.0.0, as Packetbeat does.
        e.push("dhcpv4.option.requested_ip_address", ip(v));
    }
    if let Some(v) = o.ip(code::SERVER_ID) {
        e.push("dhcpv4.option.server_identifier", ip(v));
    }
    if let Some(v) = o.ip(code::BROADCAST_ADDRESS) {
        e.push("dhcpv4.option.broadcast_address", ip(v));
    }
    if let Some(v) = o.u16(code::MAX_MESSAGE_SIZE) {
        e.push("dhcpv4.option.max_dhcp_message_size", v);
    }
    for (c, path, trim_nul) in [
        (code::CLASS_ID, "dhcpv4.option.class_identifier", false),
        (code::DOMAIN_NAME, "dhcpv4.option.domain_name", false),
        (code::HOST_NAME, "dhcpv4.option.hostname", true),
        (code::MESSAGE, "dhcpv4.option.message", false),
        (code::BOOTFILE_NAME, "dhcpv4.option.boot_file_name", true),
    ] {
        if let Some(v) = o.get(c) {
            let v = if trim_nul { trim_trailing_nul(v) } else { v };
            if !v.is_empty() {
                e.push(path, text(v));
            }
        }
    }
    if let Some(v) = o.ips(code::DNS) {
        e.push("dhcpv4.option.dns_servers", ips(v));
    }
    if let Some(list) = o.get(code::VIVC).and_then(vendor_classes) {
        let entries = list
            .into_iter()
            .map(|(id, data)| {
                Value::Object(vec![
                    ("id".into(), id.into()),
                    ("data".into(), hex(data).into()),
                ])
            })
            .collect();
        e.push(
            "dhcpv4.option.vendor_identifying_options",
            Value::List(entries),
        );
    }
    if let Some(v) = o.ip(code::SUBNET_MASK) {
        e.push("dhcpv4.option.subnet_mask", ip(v));
    }
    // Packetbeat reads the first four bytes as a signed offset, whatever the length.
    if let Some(&[a, b, c, d]) = o.get(code::TIME_OFFSET).and_then(|v| v.first_chunk::<4>()) {
        e.push(
            "dhcpv4.option.utc_time_offset_sec",
            i64::from(i32::from_be_bytes([a, b, c, d])),
        );
    }
    if let Some(v) = o.ips(code::ROUTER) {
        e.push("dhcpv4.option.router", ips(v));
    }
    if let Some(v) = o.ips(code::TIME_SERVER) {
        e.push("dhcpv4.option.time_servers", ips(v));
    }
    if let Some(v) = o.ips(code::NTP_SERVERS) {
        e.push("dhcpv4.option.ntp_servers", ips(v));
    }
    // Zero durations are left out, as Packetbeat does.
    for (c, path) in [
        (code::LEASE_TIME, "dhcpv4.option.ip_address_lease_time_sec"),
        (code::RENEWAL_TIME, "dhcpv4.option.renewal_time_sec"),
        (code::REBINDING_TIME, "dhcpv4.option.rebinding_time_sec"),
    ] {
        if let Some(v) = o.u32(c).filter(|v| *v != 0) {
            e.push(path, v);
        }
    }
}

/// `bootrequest` / `bootreply`, else `unknown (N)`.
fn op_code(op: u8) -> Value {
    match op {
        OP_BOOTREQUEST => Value::Static("bootrequest"),
        OP_BOOTREPLY => Value::Static("bootreply"),
        n => Value::Str(format!("unknown ({n})")),
    }
}

/// `broadcast` when bit 15 is set, else `unicast`. Packetbeat's library appends a note when
/// any of bits 1-7 is set (it tests `flags & 0xfe`, not the RFC's reserved bits 0x7fff).
fn flags(flags: u16) -> Value {
    let kind = if flags & 0x8000 != 0 {
        "broadcast"
    } else {
        "unicast"
    };
    if flags & 0x00fe != 0 {
        Value::Str(format!("{kind} (reserved bits not zeroed)"))
    } else {
        Value::Static(kind)
    }
}

/// Upper-case hex bytes joined by `-` (`00-0B-82-01-FC-42`).
fn mac(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push('-');
        }
        let _ = write!(s, "{b:02X}");
    }
    s
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn trim_trailing_nul(v: &[u8]) -> &[u8] {
    let end = v.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    v.get(..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(
            mac(&[0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42]),
            "00-0B-82-01-FC-42"
        );
        assert_eq!(mac(&[]), "");
        assert_eq!(hex(&[0xde, 0xad, 0x00]), "dead00");
        assert_eq!(flags(0), Value::Static("unicast"));
        assert_eq!(flags(0x8000), Value::Static("broadcast"));
        assert_eq!(
            flags(0x8002),
            Value::Str("broadcast (reserved bits not zeroed)".into())
        );
        // Bit 14 is reserved by the RFC but not looked at by Packetbeat's library.
        assert_eq!(flags(0x4000), Value::Static("unicast"));
        assert_eq!(op_code(3), Value::Str("unknown (3)".into()));
        assert_eq!(trim_trailing_nul(b"pc\0\0"), b"pc");
        assert_eq!(trim_trailing_nul(b"\0"), b"");
    }
}
