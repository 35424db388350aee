//! Flow events end to end, against the facts the captures' MANIFEST states.

mod common;
use common::{pcap, run_capture, FLOWS_ONLY};
use serde_json::json;

fn single_flow(capture: &str) -> serde_json::Value {
    let run = run_capture(FLOWS_ONLY, &pcap(capture), &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    let flows = run.of_type("flow");
    assert_eq!(flows.len(), 1, "{capture}: {:#?}", run.events);
    flows[0].clone()
}

#[test]
fn qinq_icmp_flow() {
    let f = single_flow("802.1q-q-in-q-icmp.pcap");
    assert_eq!(f["flow"]["final"], true);
    assert_eq!(f["flow"]["vlan"], json!([101, 600]));
    assert_eq!(f["source"]["ip"], "192.168.1.1");
    assert_eq!(f["destination"]["ip"], "192.168.1.2");
    assert_eq!(f["source"]["bytes"], 82);
    assert_eq!(f["source"]["packets"], 1);
    assert_eq!(f["network"]["bytes"], 82);
    assert_eq!(f["network"]["packets"], 1);
    assert_eq!(f["source"]["mac"], "08-00-27-3D-25-4E");
    assert_eq!(f["destination"]["mac"], "1C-AF-F7-70-ED-7C");
    assert_eq!(f["event"]["type"], json!(["connection", "end"]));
    assert_eq!(f["event"]["action"], "network_flow");
    assert_eq!(f["event"]["dataset"], "flow");
    assert_eq!(f["network"]["transport"], "icmp");
}

#[test]
fn icmp4_ping_over_vlan_flow() {
    let f = single_flow("icmp/icmp4_ping_over_vlan.pcap");
    assert_eq!(f["flow"]["vlan"], 10);
    assert_eq!(f["source"]["bytes"], 50);
    assert_eq!(f["source"]["packets"], 1);
    assert_eq!(f["destination"]["bytes"], 50);
    assert_eq!(f["destination"]["packets"], 1);
    assert_eq!(f["source"]["mac"], "00-00-00-00-00-01");
    assert_eq!(f["destination"]["mac"], "00-00-00-00-00-02");
    assert_eq!(f["network"]["type"], "ipv4");
}

#[test]
fn icmp6_ping_over_vlan_flow() {
    let f = single_flow("icmp/icmp6_ping_over_vlan.pcap");
    assert_eq!(f["flow"]["vlan"], 10);
    assert_eq!(f["source"]["bytes"], 70);
    assert_eq!(f["destination"]["bytes"], 70);
    assert_eq!(f["network"]["bytes"], 140);
    assert_eq!(f["network"]["packets"], 2);
    assert_eq!(f["network"]["transport"], "ipv6-icmp");
    assert_eq!(f["network"]["type"], "ipv6");
}

#[test]
fn mysql_long_tcp_flow() {
    let f = single_flow("mysql_long.pcap");
    assert_eq!(f["source"]["ip"], "192.168.33.1");
    assert_eq!(f["source"]["port"], 60137);
    assert_eq!(f["destination"]["ip"], "192.168.33.14");
    assert_eq!(f["destination"]["port"], 3306);
    assert_eq!(f["source"]["packets"], 22);
    assert_eq!(f["source"]["bytes"], 1480);
    assert_eq!(f["destination"]["packets"], 10);
    assert_eq!(f["destination"]["bytes"], 181133);
    assert_eq!(f["flow"]["final"], true);
    assert_eq!(f["event"]["type"], json!(["connection", "end"]));
    assert_eq!(f["network"]["transport"], "tcp");
    let start = f["event"]["start"].as_str().unwrap();
    let end = f["event"]["end"].as_str().unwrap();
    assert!(start <= end);
    assert!(f["event"]["duration"].as_u64().unwrap() > 0);
}

#[test]
fn memcache_udp_flow() {
    let f = single_flow("memcache/memcache_bin_udp_counter_ops.pcap");
    assert_eq!(f["source"]["ip"], "192.168.188.37");
    assert_eq!(f["source"]["port"], 63888);
    assert_eq!(f["destination"]["port"], 11211);
    assert_eq!(f["source"]["packets"], 3);
    assert_eq!(f["source"]["bytes"], 280);
    assert_eq!(f["source"]["mac"], "AC-BC-32-77-41-0B");
    assert_eq!(f["destination"]["mac"], "08-00-27-DD-3B-28");
    assert_eq!(f["network"]["transport"], "udp");
    assert!(
        f["destination"].get("bytes").is_none(),
        "no packets back: {f}"
    );
}

#[test]
fn periodic_reports_then_final_with_the_same_id() {
    // wsgi_drum.pcap spans many seconds of one long connection.
    let cfg = "packetbeat.flows:\n  timeout: 30s\n  period: 1s\n";
    let run = run_capture(cfg, &pcap("wsgi_drum.pcap"), &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    let flows = run.of_type("flow");
    let finals: Vec<_> = flows
        .iter()
        .filter(|f| f["flow"]["final"] == true)
        .collect();
    let periodic: Vec<_> = flows
        .iter()
        .filter(|f| f["flow"]["final"] == false)
        .collect();
    assert!(!finals.is_empty());
    assert!(
        !periodic.is_empty(),
        "no periodic report in {} flow events",
        flows.len()
    );
    for p in &periodic {
        assert_eq!(p["event"]["type"], json!(["connection"]));
        assert!(
            finals.iter().any(|f| f["flow"]["id"] == p["flow"]["id"]),
            "periodic report of a flow that never ended: {p}"
        );
    }
    // Counters only grow between reports of the same flow.
    for f in &finals {
        let reports: Vec<_> = periodic
            .iter()
            .filter(|p| p["flow"]["id"] == f["flow"]["id"])
            .collect();
        let mut last = 0;
        for r in reports {
            let n = r["network"]["packets"].as_u64().unwrap();
            assert!(n >= last);
            last = n;
        }
        assert!(f["network"]["packets"].as_u64().unwrap() >= last);
    }
}

#[test]
fn flows_disabled_gives_no_flow_events() {
    let run = run_capture("", &pcap("mysql_long.pcap"), &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    assert!(run.of_type("flow").is_empty());
}

#[test]
fn two_runs_are_byte_identical() {
    let a = run_capture(FLOWS_ONLY, &pcap("wsgi_drum.pcap"), &[]);
    let b = run_capture(FLOWS_ONLY, &pcap("wsgi_drum.pcap"), &[]);
    assert!(!a.ndjson.is_empty());
    assert_eq!(a.ndjson, b.ndjson);
}
