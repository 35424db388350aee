//! ICMP on real traffic: `tests/data/icmp.pcap` was recorded by `scripts/record-icmp` (ping
//! over IPv4 and IPv6, a ping nobody answers, a UDP datagram to a closed port, plus whatever
//! neighbour discovery the kernels sent). The transactions must agree with what ping reported
//! (`tests/data/icmp.truth.ndjson`).

mod common;
use common::run_capture;
use serde_json::Value;
use std::path::PathBuf;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

#[test]
fn pings_agree_with_what_ping_reported() {
    let truth: Vec<Value> = std::fs::read_to_string(data("icmp.truth.ndjson"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(truth.len(), 4);
    let cfg =
        "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {type: icmp, enabled: true}\n";
    let run = run_capture(cfg, &data("icmp.pcap"), &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    let events = run.of_type("icmp");
    for t in truth.iter().filter(|t| t["kind"] == "ping") {
        let to_target: Vec<_> = events
            .iter()
            .filter(|e| {
                e["path"] == t["target"] && e["icmp"]["request"]["message"] == "EchoRequest"
            })
            .collect();
        let answered = to_target.iter().filter(|e| e["status"] == "OK").count() as u64;
        assert_eq!(
            to_target.len() as u64,
            t["transmitted"].as_u64().unwrap_or(0),
            "{t}"
        );
        assert_eq!(answered, t["received"].as_u64().unwrap_or(0), "{t}");
        for e in to_target {
            assert_eq!(e["source"]["bytes"], 24, "ping -s 24: {e}");
            if e["status"] == "OK" {
                assert!(e["event"]["duration"].as_u64().is_some());
            } else {
                assert_eq!(e["error"]["message"], wb_proto::icmp::NOTE_NO_RESPONSE);
            }
        }
    }
    let unreachable: Vec<_> = events
        .iter()
        .filter(|e| e["icmp"]["request"]["message"] == "DestinationUnreachable(Port)")
        .collect();
    assert_eq!(unreachable.len(), 1);
    assert_eq!(unreachable[0]["status"], "Error");
    assert_eq!(unreachable[0]["source"]["ip"], "10.81.0.2");
}
