//! Thrift on real traffic: `tests/data/thrift.pcap` was recorded by `scripts/record-thrift`
//! (a thriftpy2 client and server in network namespaces, serving
//! `tests/data/thrift/calculator.thrift` over binary + buffered on 9090, binary + framed on
//! 9091, compact + framed on 9092 and non-strict binary + buffered on 9093). Every call the
//! client made (`tests/data/thrift.truth.ndjson`) must be one event with its arguments, its
//! result or exception, also with segments reordered; a lost segment never invents a result.

mod common;
use common::pcap_edit::{drop_data_segments, read_pcap, reorder_same_direction, write_pcap, Pcap};
use common::run_capture;
use serde_json::Value;
use std::path::PathBuf;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn config() -> String {
    let idl = data("thrift/calculator.thrift").display().to_string();
    let entry = |port: u16, extra: &str| {
        format!("- {{type: thrift, ports: [{port}], idl_files: [\"{idl}\"], send_response: true{extra}}}\n")
    };
    format!(
        "packetbeat.flows.enabled: false\npacketbeat.protocols:\n{}{}{}{}",
        entry(9090, ""),
        entry(9091, ", transport_type: framed"),
        entry(9092, ", transport_type: framed, protocol_type: compact"),
        entry(9093, ""),
    )
}

fn run(p: &Pcap, name: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    write_pcap(p, &path);
    let run = run_capture(&config(), &path, &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    run.of_type("thrift").into_iter().cloned().collect()
}

fn truth() -> Vec<Value> {
    std::fs::read_to_string(data("thrift.truth.ndjson"))
        .expect("truth file")
        .lines()
        .map(|l| serde_json::from_str(l).expect("truth line"))
        .collect()
}

/// `(port, method, params, status, result)` of an event; the result is the return value, the
/// exceptions, or "-" for a call without reply.
fn outcome(e: &Value) -> (u64, String, String, String, String) {
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    let result = match (&e["thrift"]["exceptions"], &e["thrift"]["return_value"]) {
        (Value::String(x), _) => x.clone(),
        (_, Value::String(r)) => r.clone(),
        _ => "-".into(),
    };
    (
        e["server"]["port"].as_u64().unwrap_or(0),
        s(&e["method"]),
        s(&e["thrift"]["params"]),
        s(&e["status"]),
        result,
    )
}

/// The same for a truth line.
fn expected(t: &Value) -> (u64, String, String, String, String) {
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    let (status, result) = if t["exception"].is_string() {
        ("Error", s(&t["exceptions"]))
    } else if t["oneway"] == true {
        ("OK", "-".to_string())
    } else {
        ("OK", s(&t["return_value"]))
    };
    (
        t["port"].as_u64().unwrap_or(0),
        s(&t["method"]),
        s(&t["params"]),
        status.to_string(),
        result,
    )
}

#[test]
fn every_call_matches_what_the_client_did() {
    let truth = truth();
    assert_eq!(truth.len(), 68, "17 calls on each of 4 ports");
    let ev = run(&read_pcap(&data("thrift.pcap")), "straight.pcap");
    assert_eq!(ev.len(), truth.len());
    for port in [9090, 9091, 9092, 9093] {
        let got: Vec<_> = ev.iter().map(outcome).filter(|o| o.0 == port).collect();
        let want: Vec<_> = truth.iter().map(expected).filter(|o| o.0 == port).collect();
        assert_eq!(got, want, "port {port}");
    }
    for e in &ev {
        assert!(e["thrift"]["service"].as_str().is_some());
        let oneway = e["method"] == "zip";
        assert_eq!(e["destination"].get("bytes").is_none(), oneway);
        if e["status"] == "Error" {
            let response = e["response"].as_str().unwrap_or("");
            assert!(response.starts_with("Exceptions: ("), "{response}");
        }
    }
}

#[test]
fn reordered_segments_give_the_same_transactions() {
    let straight = run(&read_pcap(&data("thrift.pcap")), "straight.pcap");
    let mut p = read_pcap(&data("thrift.pcap"));
    assert!(reorder_same_direction(&mut p, 1) > 0);
    let reordered = run(&p, "reordered.pcap");
    let mut a: Vec<_> = straight.iter().map(outcome).collect();
    let mut b: Vec<_> = reordered.iter().map(outcome).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

#[test]
fn lost_segments_never_invent_a_result() {
    let want: Vec<_> = truth().iter().map(expected).collect();
    for skip in [0, 5, 12] {
        let mut p = read_pcap(&data("thrift.pcap"));
        assert!(drop_data_segments(&mut p, skip, 17) > 0);
        let lossy = run(&p, "lossy.pcap");
        assert!(!lossy.is_empty());
        assert!(lossy.len() < want.len());
        for e in &lossy {
            let o = outcome(e);
            // A call whose reply was lost is published without one (as Packetbeat does).
            let ok = want.contains(&o)
                || want
                    .iter()
                    .any(|w| (w.0, &w.1, &w.2) == (o.0, &o.1, &o.2) && o.4 == "-");
            assert!(ok, "skip {skip}: {o:?} is not a call the client made");
        }
    }
}
