//! DNS on real traffic: `tests/data/dns.pcap` was recorded by `scripts/record-dns` (dig
//! against dnsmasq in network namespaces, UDP and TCP, IPv4 and IPv6, a zone transfer and an
//! EDNS query). Every transaction must match what dig itself reported for its query
//! (`tests/data/dns.truth.ndjson`): transport, server, name, type, id, status and answer count.

mod common;
use common::run_capture;
use serde_json::Value;
use std::path::PathBuf;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

type Row = (String, String, String, String, Option<u64>, String, u64);

fn row(
    transport: &Value,
    server: &Value,
    name: &Value,
    qtype: &Value,
    id: Option<u64>,
    status: &Value,
    answers: &Value,
) -> Row {
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    (
        s(transport),
        s(server),
        s(name),
        s(qtype),
        id,
        s(status),
        answers.as_u64().unwrap_or(u64::MAX),
    )
}

#[test]
fn every_query_matches_what_dig_reported() {
    let truth: Vec<Row> = std::fs::read_to_string(data("dns.truth.ndjson"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .map(|t| {
            row(
                &t["transport"],
                &t["server"],
                &t["name"],
                &t["type"],
                t["id"].as_u64(),
                &t["status"],
                &t["answers"],
            )
        })
        .collect();
    assert_eq!(
        truth.len(),
        24,
        "the truth file lists every query the script made"
    );
    let cfg =
        "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {type: dns, ports: [53]}\n";
    let run = run_capture(cfg, &data("dns.pcap"), &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    let events = run.of_type("dns");
    let got: Vec<Row> = events
        .iter()
        .map(|e| {
            let d = &e["dns"];
            let is_axfr = d["question"]["type"] == "AXFR";
            row(
                &e["network"]["transport"],
                &e["server"]["ip"],
                &d["question"]["name"],
                &d["question"]["type"],
                if is_axfr { None } else { d["id"].as_u64() },
                &d["response_code"],
                &d["answers_count"],
            )
        })
        .collect();
    assert_eq!(got, truth);
    for e in &events {
        let ok = e["dns"]["response_code"] == "NOERROR";
        assert_eq!(e["status"], if ok { "OK" } else { "Error" }, "{e}");
        assert!(
            e["event"]["duration"].as_u64().is_some(),
            "every query was answered: {e}"
        );
    }
    // The EDNS query with DO: its answer carries the OPT record.
    assert!(events
        .iter()
        .any(|e| e["dns"]["opt"]["udp_size"].as_u64().is_some()));
}
