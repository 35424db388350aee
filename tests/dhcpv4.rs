//! The `dhcpv4` analyzer on hand-made datagrams run through the real engine (ports 67 and 68):
//! every message type, relays, the option renderings, and hostile input (truncated, bad
//! cookie, options past the end, garbage on the ports), which must be dropped and counted.

use serde_json::{json, Value};
use wb_proto::AnomalyCounts;
use wb_testkit::suite::test_protocol_config;
use wb_testkit::{run_frames_counting, Frame};
use wb_wire::{LinkType, Timestamp};

const DISCOVER: u8 = 1;
const OFFER: u8 = 2;
const REQUEST: u8 = 3;
const DECLINE: u8 = 4;
const ACK: u8 = 5;
const NAK: u8 = 6;
const RELEASE: u8 = 7;
const INFORM: u8 = 8;

const CLIENT_MAC: [u8; 6] = [0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42];
const ZERO: [u8; 4] = [0; 4];
const SERVER: [u8; 4] = [192, 168, 0, 1];
const CLIENT: [u8; 4] = [192, 168, 0, 10];
const BROADCAST: [u8; 4] = [255, 255, 255, 255];

/// BOOTP header fields of a hand-made message.
#[derive(Clone)]
struct Bootp {
    op: u8,
    hops: u8,
    xid: u32,
    secs: u16,
    flags: u16,
    ciaddr: [u8; 4],
    yiaddr: [u8; 4],
    siaddr: [u8; 4],
    giaddr: [u8; 4],
    sname: &'static [u8],
    file: &'static [u8],
}

impl Bootp {
    fn request() -> Self {
        Bootp {
            op: 1,
            hops: 0,
            xid: 0x1234_5678,
            secs: 0,
            flags: 0,
            ciaddr: ZERO,
            yiaddr: ZERO,
            siaddr: ZERO,
            giaddr: ZERO,
            sname: b"",
            file: b"",
        }
    }

    fn reply() -> Self {
        Bootp {
            op: 2,
            ..Bootp::request()
        }
    }

    /// Header (236 bytes), magic cookie, then `options` as given (no End added).
    fn bytes(&self, options: &[u8]) -> Vec<u8> {
        let mut m = vec![self.op, 1, 6, self.hops];
        m.extend_from_slice(&self.xid.to_be_bytes());
        m.extend_from_slice(&self.secs.to_be_bytes());
        m.extend_from_slice(&self.flags.to_be_bytes());
        for a in [self.ciaddr, self.yiaddr, self.siaddr, self.giaddr] {
            m.extend_from_slice(&a);
        }
        m.extend_from_slice(&CLIENT_MAC);
        m.resize(44, 0); // chaddr padding
        m.extend_from_slice(self.sname);
        m.resize(108, 0);
        m.extend_from_slice(self.file);
        m.resize(236, 0);
        m.extend_from_slice(&[99, 130, 83, 99]);
        m.extend_from_slice(options);
        m
    }

    /// A message of DHCP type `kind` with `more` options, End, padded to 300 bytes.
    fn dhcp(&self, kind: u8, more: &[u8]) -> Vec<u8> {
        let mut opts = vec![53, 1, kind];
        opts.extend_from_slice(more);
        opts.push(255);
        let mut m = self.bytes(&opts);
        if m.len() < 300 {
            m.resize(300, 0);
        }
        m
    }
}

/// One IPv4/UDP datagram (raw-IP link type) at second `t`.
fn datagram(
    t: i64,
    src: ([u8; 4], u16),
    dst: ([u8; 4], u16),
    payload: &[u8],
) -> (Timestamp, Vec<u8>) {
    let total = 28 + payload.len();
    let mut f = vec![
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        0,
        0,
        0,
        64,
        17,
        0,
        0,
    ];
    f.extend_from_slice(&src.0);
    f.extend_from_slice(&dst.0);
    let udp_len = (8 + payload.len()) as u16;
    f.extend_from_slice(&src.1.to_be_bytes());
    f.extend_from_slice(&dst.1.to_be_bytes());
    f.extend_from_slice(&udp_len.to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(payload);
    (Timestamp::from_secs_nanos(1_700_000_000 + t, 0), f)
}

/// Runs the datagrams through an engine with dhcpv4 on 67 and 68 (flows off).
fn run(frames: &[(Timestamp, Vec<u8>)]) -> (Vec<Value>, AnomalyCounts) {
    let mut cfg = test_protocol_config("dhcpv4");
    cfg.ports = vec![67, 68];
    let protocol = wb_proto::dhcpv4::Dhcpv4::build(&cfg).unwrap();
    let frames: Vec<Frame> = frames
        .iter()
        .map(|(ts, data)| Frame {
            ts: *ts,
            link: LinkType::IPV4,
            data: data.clone(),
        })
        .collect();
    run_frames_counting(vec![protocol], &frames)
}

fn one(src: ([u8; 4], u16), dst: ([u8; 4], u16), payload: &[u8]) -> Value {
    let (ev, anomalies) = run(&[datagram(1, src, dst, payload)]);
    assert_eq!(anomalies.iter().count(), 0, "{anomalies:?}");
    assert_eq!(ev.len(), 1, "{ev:#?}");
    ev.into_iter().next().unwrap()
}

fn dropped(payload: &[u8], anomaly: &str) {
    let frames = [datagram(1, (ZERO, 68), (BROADCAST, 67), payload)];
    let (ev, anomalies) = run(&frames);
    assert!(ev.is_empty(), "{ev:#?}");
    assert_eq!(anomalies.get("dhcpv4", anomaly), 1, "{anomalies:?}");
}

#[test]
fn discover_from_client_offer_from_server() {
    let discover = Bootp {
        flags: 0x8000,
        ..Bootp::request()
    }
    .dhcp(DISCOVER, &[50, 4, 0, 0, 0, 0, 55, 3, 1, 3, 200]);
    let e = one((ZERO, 68), (BROADCAST, 67), &discover);
    assert_eq!(e["type"], "dhcpv4");
    assert_eq!(e["status"], "OK");
    assert_eq!(
        e["client"],
        json!({"ip": "0.0.0.0", "port": 68, "bytes": 300})
    );
    assert_eq!(e["server"], json!({"ip": "255.255.255.255", "port": 67}));
    assert_eq!(e["source"], e["client"]);
    assert_eq!(e["destination"], e["server"]);
    assert_eq!(e["network"]["bytes"], 300);
    assert_eq!(e["network"]["protocol"], "dhcpv4");
    assert_eq!(e["network"]["transport"], "udp");
    assert_eq!(e["event"]["category"], json!(["network"]));
    assert_eq!(e["event"]["type"], json!(["connection", "protocol"]));
    assert_eq!(e["event"]["dataset"], "dhcpv4");
    assert!(e["event"]["start"].is_string() && e["event"].get("end").is_none());
    let d = &e["dhcpv4"];
    assert_eq!(d["flags"], "broadcast");
    assert_eq!(d["op_code"], "bootrequest");
    assert_eq!(d["transaction_id"], "0x12345678");
    assert_eq!(d["client_mac"], "00-0B-82-01-FC-42");
    assert_eq!(d["option"]["message_type"], "discover");
    // Requested 0.0.0.0 is kept in the option; unknown codes are named by number.
    assert_eq!(d["option"]["requested_ip_address"], "0.0.0.0");
    assert_eq!(
        d["option"]["parameter_request_list"],
        json!(["Subnet Mask", "Router", "unknown (200)"])
    );
    // Unspecified header addresses are left out.
    for k in [
        "client_ip",
        "assigned_ip",
        "server_ip",
        "relay_ip",
        "server_name",
    ] {
        assert!(d.get(k).is_none(), "{k}: {d}");
    }

    let offer = Bootp {
        yiaddr: CLIENT,
        siaddr: SERVER,
        ..Bootp::reply()
    }
    .dhcp(OFFER, &[54, 4, 192, 168, 0, 1, 51, 4, 0, 0, 0x0e, 0x10]);
    let e = one((SERVER, 67), (CLIENT, 68), &offer);
    // A reply's sender is the server: client = destination, server = source (with the bytes).
    assert_eq!(e["client"], json!({"ip": "192.168.0.10", "port": 68}));
    assert_eq!(
        e["server"],
        json!({"ip": "192.168.0.1", "port": 67, "bytes": 300})
    );
    assert_eq!(e["source"], e["server"]);
    assert_eq!(e["destination"], e["client"]);
    assert_eq!(e["dhcpv4"]["op_code"], "bootreply");
    assert_eq!(e["dhcpv4"]["assigned_ip"], "192.168.0.10");
    assert_eq!(e["dhcpv4"]["server_ip"], "192.168.0.1");
    assert_eq!(e["related"]["ip"], json!(["192.168.0.1", "192.168.0.10"]));
    assert_eq!(e["dhcpv4"]["option"]["ip_address_lease_time_sec"], 3600);
}

#[test]
fn roles_follow_op_code_not_ports() {
    // A reply sent from port 68 to port 67 (odd, but the op code decides).
    let ack = Bootp {
        yiaddr: CLIENT,
        ..Bootp::reply()
    }
    .dhcp(ACK, &[]);
    let e = one((SERVER, 68), (CLIENT, 67), &ack);
    assert_eq!(e["server"]["ip"], "192.168.0.1");
    assert_eq!(e["server"]["port"], 68);
    assert_eq!(e["client"]["port"], 67);
    // Unknown op codes are treated as requests and named by number.
    let mut odd = Bootp::request().dhcp(DISCOVER, &[]);
    odd[0] = 3;
    let e = one((CLIENT, 68), (SERVER, 67), &odd);
    assert_eq!(e["dhcpv4"]["op_code"], "unknown (3)");
    assert_eq!(e["client"]["ip"], "192.168.0.10");
}

#[test]
fn relay_agent_both_ways() {
    let relay: [u8; 4] = [10, 1, 0, 1];
    let server: [u8; 4] = [10, 2, 0, 5];
    // Relay → server (port 67 to 67): a BOOTREQUEST with giaddr, one hop, and option 82.
    let req = Bootp {
        hops: 1,
        giaddr: relay,
        ..Bootp::request()
    }
    .dhcp(DISCOVER, &[82, 6, 1, 4, b'e', b't', b'h', b'0']);
    let e = one((relay, 67), (server, 67), &req);
    assert_eq!(e["dhcpv4"]["relay_ip"], "10.1.0.1");
    assert_eq!(e["dhcpv4"]["hops"], 1);
    assert_eq!(e["client"]["ip"], "10.1.0.1");
    assert_eq!(e["related"]["ip"], json!(["10.1.0.1", "10.2.0.5"]));
    // Server → relay: the reply keeps giaddr; the assigned address joins related.ip.
    let reply = Bootp {
        hops: 1,
        giaddr: relay,
        yiaddr: [10, 1, 0, 77],
        ..Bootp::reply()
    }
    .dhcp(OFFER, &[]);
    let e = one((server, 67), (relay, 67), &reply);
    assert_eq!(e["server"]["ip"], "10.2.0.5");
    assert_eq!(e["client"]["ip"], "10.1.0.1");
    assert_eq!(
        e["related"]["ip"],
        json!(["10.2.0.5", "10.1.0.1", "10.1.0.77"])
    );
}

#[test]
fn inform_nak_release_decline() {
    let client = Bootp {
        ciaddr: CLIENT,
        ..Bootp::request()
    };
    // INFORM: the client already has an address and asks for parameters only.
    let e = one(
        (CLIENT, 68),
        (SERVER, 67),
        &client.dhcp(INFORM, &[55, 2, 6, 15]),
    );
    assert_eq!(e["dhcpv4"]["option"]["message_type"], "inform");
    assert_eq!(e["dhcpv4"]["client_ip"], "192.168.0.10");
    assert_eq!(
        e["dhcpv4"]["option"]["parameter_request_list"],
        json!(["Domain Name Server", "Domain Name"])
    );
    // ACK to the INFORM: no lease time, no assigned address.
    let ack = Bootp {
        ciaddr: CLIENT,
        ..Bootp::reply()
    }
    .dhcp(ACK, &[6, 4, 192, 168, 0, 53, 15, 4, b'c', b'o', b'r', b'p']);
    let e = one((SERVER, 67), (CLIENT, 68), &ack);
    let o = &e["dhcpv4"]["option"];
    assert_eq!(o["dns_servers"], json!(["192.168.0.53"]));
    assert_eq!(o["domain_name"], "corp");
    assert!(o.get("ip_address_lease_time_sec").is_none());
    assert!(e["dhcpv4"].get("assigned_ip").is_none());

    // NAK, broadcast, with a message.
    let nak = Bootp {
        flags: 0x8000,
        ..Bootp::reply()
    }
    .dhcp(
        NAK,
        &[
            54, 4, 192, 168, 0, 1, 56, 13, b'w', b'r', b'o', b'n', b'g', b' ', b'n', b'e', b't',
            b'w', b'o', b'r', b'k',
        ],
    );
    let e = one((SERVER, 67), (BROADCAST, 68), &nak);
    assert_eq!(e["dhcpv4"]["option"]["message_type"], "nak");
    assert_eq!(e["dhcpv4"]["option"]["message"], "wrong network");
    assert_eq!(e["dhcpv4"]["flags"], "broadcast");
    assert_eq!(e["server"]["ip"], "192.168.0.1");

    // RELEASE: unicast from the client's address.
    let e = one(
        (CLIENT, 68),
        (SERVER, 67),
        &client.dhcp(RELEASE, &[54, 4, 192, 168, 0, 1]),
    );
    assert_eq!(e["dhcpv4"]["option"]["message_type"], "release");
    assert_eq!(e["dhcpv4"]["option"]["server_identifier"], "192.168.0.1");
    assert_eq!(e["client"]["ip"], "192.168.0.10");

    // DECLINE: the offered address is in use.
    let decline = Bootp::request().dhcp(
        DECLINE,
        &[
            50, 4, 192, 168, 0, 10, 56, 6, b'i', b'n', b' ', b'u', b's', b'e',
        ],
    );
    let e = one((ZERO, 68), (BROADCAST, 67), &decline);
    assert_eq!(e["dhcpv4"]["option"]["message_type"], "decline");
    assert_eq!(
        e["dhcpv4"]["option"]["requested_ip_address"],
        "192.168.0.10"
    );
    assert_eq!(e["dhcpv4"]["option"]["message"], "in use");
}

#[test]
fn every_rendered_option() {
    let reply = Bootp {
        yiaddr: CLIENT,
        secs: 7,
        flags: 0x0002, // a low reserved bit: Packetbeat's library notes it
        sname: b"boot-srv",
        file: b"pxelinux.0",
        ..Bootp::reply()
    };
    let opts: Vec<u8> = [
        &[1, 4, 255, 255, 255, 0][..],                            // subnet mask
        &[2, 4, 0xff, 0xff, 0xf1, 0xf0],                          // time offset -3600
        &[3, 8, 192, 168, 0, 1, 192, 168, 0, 2],                  // routers
        &[4, 4, 192, 168, 0, 4],                                  // time server
        &[6, 4, 192, 168, 0, 53],                                 // dns
        &[12, 6, b'h', b'o', b's', b't', 0, 0],                   // host name, NUL-padded
        &[15, 4, b'c', b'o', b'r', b'p'],                         // domain name
        &[28, 4, 192, 168, 0, 255],                               // broadcast
        &[42, 4, 192, 168, 0, 123],                               // ntp
        &[51, 4, 0, 0, 0, 0],                                     // lease 0: left out
        &[57, 2, 0x02, 0x40],                                     // max size 576
        &[58, 4, 0, 0, 0x07, 0x08],                               // renewal 1800
        &[59, 4, 0, 0, 0x0c, 0x4e],                               // rebinding 3150
        &[60, 4, b'M', b'S', b'F', b'T'],                         // class id
        &[67, 5, b'b', b'o', b'o', b't', 0],                      // boot file name option
        &[124, 11, 0, 0, 0, 12, 6, 0xde, 0xad, 0xbe, 0xef, 0, 0], // VIVC
    ]
    .concat();
    let e = one((SERVER, 67), (CLIENT, 68), &reply.dhcp(ACK, &opts));
    let d = &e["dhcpv4"];
    assert_eq!(d["seconds"], 7);
    assert_eq!(d["flags"], "unicast (reserved bits not zeroed)");
    assert_eq!(d["hardware_type"], "Ethernet");
    assert_eq!(d["server_name"], "boot-srv");
    assert_eq!(d["boot_file_name"], "pxelinux.0");
    assert_eq!(
        d["option"],
        json!({
            "message_type": "ack",
            "subnet_mask": "255.255.255.0",
            "utc_time_offset_sec": -3600,
            "router": ["192.168.0.1", "192.168.0.2"],
            "time_servers": ["192.168.0.4"],
            "dns_servers": ["192.168.0.53"],
            "hostname": "host",
            "domain_name": "corp",
            "broadcast_address": "192.168.0.255",
            "ntp_servers": ["192.168.0.123"],
            "max_dhcp_message_size": 576,
            "renewal_time_sec": 1800,
            "rebinding_time_sec": 3150,
            "class_identifier": "MSFT",
            "boot_file_name": "boot",
            "vendor_identifying_options": [{"id": 12, "data": "deadbeef0000"}],
        })
    );
}

#[test]
fn unusable_option_values_are_left_out_not_fatal() {
    let opts = [
        1, 3, 255, 255, 255, // subnet mask of 3 bytes
        3, 6, 1, 2, 3, 4, 5, 6, // router list of 6 bytes
        4, 3, 1, 2, 3, // time servers of 3 bytes
        2, 2, 0, 1, // time offset of 2 bytes
        124, 3, 0, 0, 0, // VIVC shorter than one entry
    ];
    let e = one(
        (SERVER, 67),
        (CLIENT, 68),
        &Bootp::reply().dhcp(OFFER, &opts),
    );
    assert_eq!(e["dhcpv4"]["option"], json!({"message_type": "offer"}));
    // An unknown message type is named by number; type 0 means none.
    let e = one((SERVER, 67), (CLIENT, 68), &Bootp::reply().dhcp(42, &[]));
    assert_eq!(e["dhcpv4"]["option"]["message_type"], "unknown (42)");
    let e = one((SERVER, 67), (CLIENT, 68), &Bootp::reply().dhcp(0, &[]));
    assert!(e["dhcpv4"].get("option").is_none(), "{e}");
}

#[test]
fn overloaded_file_and_sname_hold_options() {
    let reply = Bootp {
        yiaddr: CLIENT,
        sname: &[15, 3, b'l', b'a', b'n', 255],
        file: &[51, 4, 0, 0, 0x0e, 0x10, 255],
        ..Bootp::reply()
    };
    let e = one((SERVER, 67), (CLIENT, 68), &reply.dhcp(ACK, &[52, 1, 3]));
    let d = &e["dhcpv4"];
    assert_eq!(d["option"]["domain_name"], "lan");
    assert_eq!(d["option"]["ip_address_lease_time_sec"], 3600);
    assert!(
        d.get("server_name").is_none() && d.get("boot_file_name").is_none(),
        "{d}"
    );

    // A malformed option inside an overloaded field: the event is kept, the anomaly counted.
    let bad = Bootp {
        file: &[15, 200, b'x'],
        ..Bootp::reply()
    };
    let frames = [datagram(
        1,
        (SERVER, 67),
        (CLIENT, 68),
        &bad.dhcp(ACK, &[52, 1, 1]),
    )];
    let (ev, anomalies) = run(&frames);
    assert_eq!(ev.len(), 1);
    assert_eq!(anomalies.get("dhcpv4", "malformed_overloaded_options"), 1);
}

#[test]
fn truncated_packet_is_dropped_and_counted() {
    let full = Bootp::request().dhcp(DISCOVER, &[]);
    dropped(&full[..100], "truncated");
    dropped(&full[..239], "truncated");
}

#[test]
fn bad_magic_cookie_is_dropped_and_counted() {
    let mut m = Bootp::request().dhcp(DISCOVER, &[]);
    m[236..240].copy_from_slice(&[0x63, 0x82, 0x53, 0x00]);
    dropped(&m, "bad_magic_cookie");
}

#[test]
fn option_running_past_the_end_is_dropped_and_counted() {
    // Host name claims 40 bytes, 3 are there, then the datagram ends.
    let m = Bootp::request().bytes(&[53, 1, 1, 12, 40, b'a', b'b', b'c']);
    dropped(&m, "option_overrun");
    // No End option after complete options.
    dropped(&Bootp::request().bytes(&[53, 1, 1]), "missing_end_option");
    // Something other than padding after End.
    dropped(
        &Bootp::request().bytes(&[53, 1, 1, 255, 0, 0, 7]),
        "data_after_end_option",
    );
}

#[test]
fn garbage_on_the_ports_is_dropped_and_good_messages_still_pass() {
    let good = Bootp::request().dhcp(REQUEST, &[]);
    let mut random = vec![0u8; 400];
    let mut x: u32 = 0x2545_f491;
    for b in random.iter_mut() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    let frames = [
        datagram(
            1,
            (CLIENT, 40000),
            (SERVER, 67),
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        ),
        datagram(2, (CLIENT, 40000), (SERVER, 67), &random),
        datagram(3, (CLIENT, 68), (SERVER, 67), &good),
        datagram(4, (SERVER, 67), (CLIENT, 68), &[0xff; 1]),
    ];
    let (ev, anomalies) = run(&frames);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0]["dhcpv4"]["option"]["message_type"], "request");
    assert_eq!(anomalies.get("dhcpv4", "truncated"), 2);
    assert_eq!(anomalies.get("dhcpv4", "bad_magic_cookie"), 1);
}

#[test]
fn every_prefix_of_a_message_is_safe() {
    let m = Bootp {
        yiaddr: CLIENT,
        ..Bootp::reply()
    }
    .dhcp(ACK, &[1, 4, 255, 255, 255, 0, 124, 5, 0, 0, 0, 1, 0]);
    let frames: Vec<_> = (0..=m.len())
        .map(|n| datagram(n as i64, (SERVER, 67), (CLIENT, 68), &m[..n]))
        .collect();
    let (ev, _) = run(&frames);
    // Only the whole message (and its zero-padded tail variants) decode.
    assert!(!ev.is_empty());
    for e in &ev {
        assert_eq!(e["type"], "dhcpv4");
    }
}

#[test]
fn unknown_option_names_the_nearest_known_one() {
    for (key, nearest) in [
        ("send_requests", "send_request"),
        ("max_mesage_size", "max_message_size"),
    ] {
        let mut cfg = test_protocol_config("dhcpv4");
        cfg.options.insert(key.into(), true.into());
        let Err(err) = wb_proto::dhcpv4::Dhcpv4::build(&cfg) else {
            panic!("{key} accepted");
        };
        let err = err.to_string();
        assert!(err.contains(key) && err.contains(nearest), "{err}");
    }
}
