//! ICMP on every ICMP capture of `../shared/pcaps`, through the CLI, checked against the facts
//! its MANIFEST states (Packetbeat's test configuration: `icmp` enabled, flows off).

mod common;
use common::{pcap, run_capture};
use serde_json::{json, Value};

fn icmp(capture: &str, extra: &str) -> Vec<Value> {
    let cfg = format!("packetbeat.flows.enabled: false\n{extra}packetbeat.protocols:\n- {{type: icmp, enabled: true}}\n");
    let run = run_capture(&cfg, &pcap(capture), &[]);
    assert!(run.output.status.success(), "{capture}: {}", run.stderr());
    run.of_type("icmp").into_iter().cloned().collect()
}

#[test]
fn icmp4_ping() {
    let ev = icmp("icmp/icmp4_ping.pcap", "");
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    assert_eq!(e["status"], "OK");
    assert_eq!(e["icmp"]["version"], 4);
    assert_eq!(e["path"], "10.0.0.2");
    assert_eq!(
        e["icmp"]["request"],
        json!({"type": 8, "code": 0, "message": "EchoRequest"})
    );
    assert_eq!(
        e["icmp"]["response"],
        json!({"type": 0, "code": 0, "message": "EchoReply"})
    );
    assert_eq!(e["@timestamp"], "2015-10-19T20:49:23.817Z");
    assert_eq!(e["event"]["duration"], 20_130_000);
    assert_eq!(e["source"]["bytes"], 4);
    assert_eq!(e["destination"]["bytes"], 4);
    assert_eq!(e["related"]["ip"], json!(["10.0.0.1", "10.0.0.2"]));
    assert!(e["server"].get("port").is_none());
    assert_eq!(e["network"]["transport"], "icmp");
}

#[test]
fn icmp6_ping() {
    let ev = icmp("icmp/icmp6_ping.pcap", "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["network"]["transport"], "ipv6-icmp");
    assert_eq!(ev[0]["icmp"]["request"]["type"], 128);
    assert_eq!(ev[0]["icmp"]["response"]["type"], 129);
    assert_eq!(ev[0]["event"]["duration"], 16_439_000);
    assert_eq!(ev[0]["@timestamp"], "2015-10-19T20:49:23.872Z");
}

#[test]
fn two_pings() {
    let ev = icmp(
        "icmp/icmp_2_pings.pcap",
        "timestamp.precision: microsecond\n",
    );
    let got: Vec<_> = ev
        .iter()
        .map(|e| (e["@timestamp"].clone(), e["event"]["duration"].clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (json!("2015-10-19T21:47:49.900657Z"), json!(12_152_000)),
            (json!("2015-10-19T21:47:49.924909Z"), json!(11_935_000)),
        ]
    );
}

#[test]
fn pings_over_vlan() {
    let ev = icmp(
        "icmp/icmp4_ping_over_vlan.pcap",
        "timestamp.precision: nanosecond\n",
    );
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["event"]["duration"], 12_192_000);
    assert_eq!(ev[0]["@timestamp"], "2015-10-19T20:49:23.849085000Z");
    let ev = icmp("icmp/icmp6_ping_over_vlan.pcap", "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["event"]["duration"], 12_333_000);
}

#[test]
fn lone_request_in_q_in_q_is_unanswered() {
    let ev = icmp("802.1q-q-in-q-icmp.pcap", "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["source"]["ip"], "192.168.1.1");
    assert_eq!(ev[0]["status"], "Error");
    assert_eq!(ev[0]["error"]["message"], wb_proto::icmp::NOTE_NO_RESPONSE);
}

#[test]
fn icmp6_mix_gives_one_message_events_with_community_ids() {
    let ev = icmp("libbeat-flowhash/pcap/icmp6.pcap", "");
    assert!(!ev.is_empty());
    for e in &ev {
        assert!(
            e["network"]["community_id"]
                .as_str()
                .unwrap_or("")
                .starts_with("1:"),
            "{e}"
        );
        assert_eq!(e["icmp"]["version"], 6);
    }
    assert!(ev
        .iter()
        .any(|e| e["icmp"]["request"]["message"] == "NeighborSolicitation"));
}
