//! DHCPv4 on the shared captures (`../shared/pcaps`), through the CLI with Packetbeat's test
//! configuration (flows off, dhcpv4 on its default ports 67 and 68), checked against every
//! fact the MANIFEST states for `dhcp.pcap` and the field values of Packetbeat's own unit test
//! on the same packets.

mod common;
use common::{all_captures, pcap, run_capture};
use serde_json::{json, Value};

const CONFIG: &str = "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- type: dhcpv4\n";

fn dhcp_events() -> Vec<Value> {
    let run = run_capture(CONFIG, &pcap("dhcp.pcap"), &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    run.of_type("dhcpv4").into_iter().cloned().collect()
}

#[test]
fn dhcp_pcap_four_events_one_per_packet() {
    let ev = dhcp_events();
    let got: Vec<_> = ev
        .iter()
        .map(|e| {
            (
                e["dhcpv4"]["transaction_id"].as_str().unwrap(),
                e["dhcpv4"]["op_code"].as_str().unwrap(),
                e["dhcpv4"]["option"]["message_type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("0x00003d1d", "bootrequest", "discover"),
            ("0x00003d1d", "bootreply", "offer"),
            ("0x00003d1e", "bootrequest", "request"),
            ("0x00003d1e", "bootreply", "ack"),
        ]
    );
    for e in &ev {
        assert_eq!(e["type"], "dhcpv4");
        assert_eq!(e["status"], "OK");
        assert_eq!(e["dhcpv4"]["client_mac"], "00-0B-82-01-FC-42");
        assert_eq!(e["dhcpv4"]["flags"], "unicast");
        assert_eq!(e["dhcpv4"]["hardware_type"], "Ethernet");
        assert_eq!(e["dhcpv4"]["hops"], 0);
        assert_eq!(e["dhcpv4"]["seconds"], 0);
        assert_eq!(e["event"]["category"], json!(["network"]));
        assert_eq!(e["event"]["type"], json!(["connection", "protocol"]));
        assert_eq!(e["event"]["dataset"], "dhcpv4");
        assert_eq!(e["event"]["kind"], "event");
        assert_eq!(e["event"]["start"], e["@timestamp"]);
        assert_eq!(e["network"]["protocol"], "dhcpv4");
        assert_eq!(e["network"]["transport"], "udp");
        assert_eq!(e["network"]["type"], "ipv4");
        assert!(e.get("error").is_none(), "{e}");
    }
}

#[test]
fn dhcp_pcap_requests_from_the_client() {
    let ev = dhcp_events();
    for e in [&ev[0], &ev[2]] {
        assert_eq!(
            e["source"],
            json!({"ip": "0.0.0.0", "port": 68, "bytes": 272})
        );
        assert_eq!(
            e["destination"],
            json!({"ip": "255.255.255.255", "port": 67})
        );
        assert_eq!(e["client"], e["source"]);
        assert_eq!(e["server"], e["destination"]);
        assert_eq!(e["network"]["bytes"], 272);
        assert_eq!(
            e["network"]["community_id"],
            "1:t9O1j0qj71O4wJM7gnaHtgmfev8="
        );
        assert_eq!(e["related"]["ip"], json!(["0.0.0.0", "255.255.255.255"]));
        assert_eq!(
            e["dhcpv4"]["option"]["parameter_request_list"],
            json!(["Subnet Mask", "Router", "Domain Name Server", "NTP Servers"])
        );
        for k in ["client_ip", "assigned_ip", "server_ip", "relay_ip"] {
            assert!(e["dhcpv4"].get(k).is_none(), "{k} is 0.0.0.0: left out");
        }
    }
    // The DISCOVER asks for 0.0.0.0, which is kept in the option.
    assert_eq!(ev[0]["dhcpv4"]["option"]["requested_ip_address"], "0.0.0.0");
    assert_eq!(
        ev[2]["dhcpv4"]["option"],
        json!({
            "message_type": "request",
            "parameter_request_list": ["Subnet Mask", "Router", "Domain Name Server", "NTP Servers"],
            "requested_ip_address": "192.168.0.10",
            "server_identifier": "192.168.0.1",
        })
    );
}

#[test]
fn dhcp_pcap_replies_from_the_server() {
    let ev = dhcp_events();
    for e in [&ev[1], &ev[3]] {
        assert_eq!(
            e["source"],
            json!({"ip": "192.168.0.1", "port": 67, "bytes": 300})
        );
        assert_eq!(e["destination"], json!({"ip": "192.168.0.10", "port": 68}));
        // Reversed: client = destination, server = source.
        assert_eq!(e["client"], json!({"ip": "192.168.0.10", "port": 68}));
        assert_eq!(
            e["server"],
            json!({"ip": "192.168.0.1", "port": 67, "bytes": 300})
        );
        assert_eq!(e["network"]["bytes"], 300);
        assert_eq!(
            e["network"]["community_id"],
            "1:VbRSZnvQqvLiQRhYHLrdVI17sLQ="
        );
        assert_eq!(e["related"]["ip"], json!(["192.168.0.1", "192.168.0.10"]));
        assert_eq!(e["dhcpv4"]["assigned_ip"], "192.168.0.10");
        let o = &e["dhcpv4"]["option"];
        assert_eq!(o["ip_address_lease_time_sec"], 3600);
        assert_eq!(o["renewal_time_sec"], 1800);
        assert_eq!(o["rebinding_time_sec"], 3150);
        assert_eq!(o["subnet_mask"], "255.255.255.0");
        assert_eq!(o["server_identifier"], "192.168.0.1");
    }
    // Only the OFFER carries siaddr (Wirebeat writes it as server_ip).
    assert_eq!(ev[1]["dhcpv4"]["server_ip"], "192.168.0.1");
    assert!(ev[3]["dhcpv4"].get("server_ip").is_none());
}

#[test]
fn no_other_shared_capture_has_dhcp() {
    for capture in all_captures() {
        let run = run_capture(CONFIG, &capture, &[]);
        let n = run.of_type("dhcpv4").len();
        if capture.ends_with("packetbeat/dhcp.pcap") {
            assert_eq!(n, 4);
        } else {
            assert_eq!(n, 0, "{}: {n} dhcpv4 events", capture.display());
        }
        assert!(
            !run.stderr().contains("panicked"),
            "{}: {}",
            capture.display(),
            run.stderr()
        );
    }
}
