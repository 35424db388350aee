//! DHCPv4 on a capture of real traffic (tests/data/dhcpv4.pcap, made by scripts/record-dhcpv4:
//! dnsmasq and busybox udhcpc in network namespaces: lease, renewal, release), compared
//! message by message with dnsmasq's own log and the lease udhcpc reported
//! (tests/data/dhcpv4.truth.json), and byte counts with the capture's UDP lengths.

mod common;
use common::run_capture;
use serde_json::Value;
use std::path::{Path, PathBuf};

const CONFIG: &str = "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- type: dhcpv4\n";

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn truth() -> Value {
    serde_json::from_str(&std::fs::read_to_string(data("dhcpv4.truth.json")).unwrap()).unwrap()
}

fn events() -> Vec<Value> {
    let run = run_capture(CONFIG, &data("dhcpv4.pcap"), &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    run.of_type("dhcpv4").into_iter().cloned().collect()
}

/// (source ip, UDP payload length) of every packet of a classic little-endian pcap of
/// Ethernet/IPv4/UDP frames.
fn udp_payloads(path: &Path) -> Vec<(String, u64)> {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(
        &bytes[..4],
        &[0xd4, 0xc3, 0xb2, 0xa1],
        "little-endian µs pcap"
    );
    let mut out = Vec::new();
    let mut at = 24;
    while at + 16 <= bytes.len() {
        let caplen = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap()) as usize;
        let frame = &bytes[at + 16..at + 16 + caplen];
        at += 16 + caplen;
        let ip = &frame[14..];
        assert_eq!(ip[9], 17, "UDP only");
        let ihl = usize::from(ip[0] & 0x0f) * 4;
        let udp_len = u16::from_be_bytes([ip[ihl + 4], ip[ihl + 5]]);
        let src = format!("{}.{}.{}.{}", ip[12], ip[13], ip[14], ip[15]);
        out.push((src, u64::from(udp_len) - 8));
    }
    out
}

#[test]
fn one_event_per_message_dnsmasq_logged_in_order() {
    let t = truth();
    let ev = events();
    let logged = t["messages"].as_array().unwrap();
    assert_eq!(ev.len(), logged.len());
    for (e, m) in ev.iter().zip(logged) {
        assert_eq!(
            e["dhcpv4"]["option"]["message_type"], m["message_type"],
            "{e}"
        );
        assert_eq!(e["dhcpv4"]["transaction_id"], m["transaction_id"], "{e}");
        assert_eq!(e["dhcpv4"]["client_mac"], t["client_mac"]);
        assert_eq!(e["status"], "OK");
    }
    // The exchange itself: lease, renewal, release.
    let kinds: Vec<_> = ev
        .iter()
        .map(|e| e["dhcpv4"]["option"]["message_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["discover", "offer", "request", "ack", "request", "ack", "release"]
    );
    assert_eq!(
        t["client_events"],
        serde_json::json!(["deconfig", "bound", "renew", "deconfig"])
    );
}

#[test]
fn addresses_and_roles_match_the_lease() {
    let t = truth();
    let lease = &t["lease"];
    let server = t["server_ip"].as_str().unwrap();
    let ip = lease["ip"].as_str().unwrap();
    for e in events() {
        let d = &e["dhcpv4"];
        let kind = d["option"]["message_type"].as_str().unwrap();
        match d["op_code"].as_str().unwrap() {
            "bootreply" => {
                assert_eq!(e["source"]["ip"], server);
                assert_eq!(e["server"]["ip"], server);
                assert_eq!(e["server"]["port"], 67);
                assert_eq!(e["client"]["port"], 68);
                assert_eq!(e["client"]["ip"], e["destination"]["ip"]);
                assert_eq!(e["server"]["bytes"], e["source"]["bytes"]);
                assert!(e["client"].get("bytes").is_none());
                assert_eq!(d["assigned_ip"], ip, "{kind}");
                let o = &d["option"];
                assert_eq!(o["server_identifier"], lease["serverid"]);
                assert_eq!(
                    o["ip_address_lease_time_sec"].to_string(),
                    lease["lease"].as_str().unwrap()
                );
                assert_eq!(o["router"][0], lease["router"]);
                assert_eq!(o["dns_servers"][0], lease["dns"]);
                assert_eq!(o["domain_name"], lease["domain"]);
                assert_eq!(lease["mask"], "24");
                assert_eq!(o["subnet_mask"], "255.255.255.0");
            }
            "bootrequest" => {
                assert_eq!(e["client"]["ip"], e["source"]["ip"]);
                assert_eq!(e["client"]["port"], 68);
                assert_eq!(e["server"]["port"], 67);
                assert_eq!(e["client"]["bytes"], e["source"]["bytes"]);
                assert!(d.get("assigned_ip").is_none());
                match e["source"]["ip"].as_str().unwrap() {
                    // Before the lease: broadcast from 0.0.0.0, no client_ip.
                    "0.0.0.0" => {
                        assert_eq!(e["destination"]["ip"], "255.255.255.255");
                        assert!(d.get("client_ip").is_none());
                    }
                    // Renewal and release: unicast from the leased address.
                    src => {
                        assert_eq!(src, ip, "{kind}");
                        assert_eq!(e["destination"]["ip"], server);
                        assert_eq!(d["client_ip"], ip);
                    }
                }
                if kind == "request" && e["source"]["ip"] == "0.0.0.0" {
                    assert_eq!(d["option"]["requested_ip_address"], ip);
                    assert_eq!(d["option"]["server_identifier"], server);
                }
            }
            other => panic!("op code {other}"),
        }
    }
}

#[test]
fn bytes_are_udp_payload_lengths() {
    let ev = events();
    let packets = udp_payloads(&data("dhcpv4.pcap"));
    assert_eq!(ev.len(), packets.len());
    for (e, (src, len)) in ev.iter().zip(&packets) {
        assert_eq!(e["source"]["ip"], src.as_str());
        assert_eq!(e["source"]["bytes"], *len);
        assert_eq!(e["network"]["bytes"], *len);
    }
}
