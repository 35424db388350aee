//! PostgreSQL on real traffic: `tests/data/pgsql.pcap` was recorded by `scripts/record-pgsql`
//! (psql for the simple query protocol, psycopg 3 for the extended protocol, a pipelined
//! executemany and a named prepared statement, against a real PostgreSQL server in network
//! namespaces). Every statement the clients ran must be a transaction with the rows they
//! received or the SQLSTATE they were refused with (`tests/data/pgsql.truth.ndjson`).

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

#[test]
fn every_statement_matches_what_the_clients_saw() {
    let truth: Vec<Value> = std::fs::read_to_string(data("pgsql.truth.ndjson"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(truth.len(), 11);
    let cfg =
        "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {type: pgsql, ports: [5432]}\n";
    let run = run_capture(cfg, &data("pgsql.pcap"), &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    let events = run.of_type("pgsql");
    assert_eq!(events.len(), truth.len(), "{events:#?}");
    for (t, e) in truth.iter().zip(&events) {
        assert_eq!(e["query"], t["query"], "{t} vs {e}");
        match t["error"].as_str() {
            Some(code) => {
                assert_eq!(e["status"], "Error", "{t} vs {e}");
                assert_eq!(e["pgsql"]["error_code"], code, "{t} vs {e}");
            }
            None => assert_eq!(e["status"], "OK", "{t} vs {e}"),
        }
        if let Some(rows) = t["rows"].as_u64() {
            assert_eq!(e["pgsql"]["num_rows"], rows, "{t} vs {e}");
        }
        assert!(e["event"]["duration"].as_u64().is_some());
    }
}

fn run_edited(p: &Pcap, name: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    write_pcap(p, &path);
    let cfg =
        "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {type: pgsql, ports: [5432]}\n";
    let run = run_capture(cfg, &path, &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    run.of_type("pgsql").into_iter().cloned().collect()
}

fn outcome(e: &Value) -> (String, String, String, u64) {
    (
        e["query"].as_str().unwrap_or("").to_string(),
        e["status"].as_str().unwrap_or("").to_string(),
        e["pgsql"]["error_code"].as_str().unwrap_or("").to_string(),
        e["pgsql"]["num_rows"].as_u64().unwrap_or(0),
    )
}

#[test]
fn reordered_segments_give_the_same_statements() {
    let straight = run_edited(&read_pcap(&data("pgsql.pcap")), "straight.pcap");
    let mut p = read_pcap(&data("pgsql.pcap"));
    assert!(reorder_same_direction(&mut p, 1) > 0);
    let reordered = run_edited(&p, "reordered.pcap");
    let a: Vec<_> = straight.iter().map(outcome).collect();
    let b: Vec<_> = reordered.iter().map(outcome).collect();
    assert_eq!(a, b);
}

#[test]
fn lost_segments_never_pair_a_statement_with_another_ones_result() {
    let straight: Vec<_> = run_edited(&read_pcap(&data("pgsql.pcap")), "straight.pcap")
        .iter()
        .map(outcome)
        .collect();
    for skip in 0..6 {
        let mut p = read_pcap(&data("pgsql.pcap"));
        let dropped = drop_data_segments(&mut p, skip, 7);
        let lossy = run_edited(&p, "lossy.pcap");
        // A lost result drops the statements waiting on its connection (their results can no
        // longer be matched for sure); what is reported must be right.
        assert!(dropped > 0 && !lossy.is_empty(), "skip {skip}");
        for e in &lossy {
            // A result cut by the loss, or whose statement text was lost, is not compared.
            if e["error"]["message"] == wb_proto::pgsql::NOTE_RESPONSE_LOSS
                || e.get("query").is_none()
            {
                continue;
            }
            let o = outcome(e);
            assert!(
                straight.contains(&o),
                "skip {skip}: {o:?} is not what the server answered"
            );
        }
    }
}
