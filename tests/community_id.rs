//! `network.community_id` of flows against the reference per-packet logs of
//! `../shared/pcaps/packetbeat/libbeat-flowhash/golden/`.

mod common;
use common::{pcap, run_capture, FLOWS_ONLY};
use std::collections::BTreeSet;

fn reference_ids(name: &str) -> BTreeSet<String> {
    let log = std::fs::read_to_string(pcap(&format!("libbeat-flowhash/golden/{name}.log")))
        .expect("reference log");
    log.lines()
        .filter_map(|l| l.split('|').nth(1))
        .map(str::trim)
        .filter(|id| id.starts_with("1:"))
        .map(String::from)
        .collect()
}

fn flow_ids(name: &str) -> BTreeSet<String> {
    let run = run_capture(
        FLOWS_ONLY,
        &pcap(&format!("libbeat-flowhash/pcap/{name}")),
        &[],
    );
    assert!(run.output.status.success(), "{}", run.stderr());
    run.of_type("flow")
        .iter()
        .filter_map(|f| f["network"]["community_id"].as_str().map(String::from))
        .collect()
}

#[test]
fn every_reference_capture_matches() {
    for name in [
        "tcp.pcap",
        "udp.pcap",
        "icmp.pcap",
        "icmp6.pcap",
        "ipv6.pcap",
        "sctp.pcap",
    ] {
        let expected = reference_ids(name);
        assert!(!expected.is_empty(), "{name}: empty reference");
        assert_eq!(flow_ids(name), expected, "{name}");
    }
}

#[test]
fn arp_has_no_flows() {
    assert!(reference_ids("arp.pcap").is_empty());
    assert!(flow_ids("arp.pcap").is_empty());
}
