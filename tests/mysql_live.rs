//! MySQL on real traffic: `tests/data/mysql.pcap` was recorded by `scripts/record-mysql` (the
//! mariadb client and mysql-connector-python with server-side prepared statements, against a
//! throw-away MariaDB server in network namespaces). Every statement the clients ran must be a
//! transaction with the rows, affected rows or error code they saw
//! (`tests/data/mysql.truth.ndjson`); also with segments reordered.

mod common;
use common::pcap_edit::{read_pcap, reorder_same_direction, write_pcap};
use common::run_capture;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn events(path: &Path) -> Vec<Value> {
    let cfg =
        "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {type: mysql, ports: [3306]}\n";
    let run = run_capture(cfg, path, &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    run.of_type("mysql").into_iter().cloned().collect()
}

fn check(events: &[Value]) {
    let truth: Vec<Value> = std::fs::read_to_string(data("mysql.truth.ndjson"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(truth.len(), 7);
    let mut at = 0;
    for t in &truth {
        let prepared = t["query"].as_str().unwrap_or("").contains('?');
        // A prepared statement gives a PREPARE event and then the EXECUTE one (with params).
        let found = events[at..]
            .iter()
            .position(|e| e["query"] == t["query"] && (!prepared || e.get("params").is_some()));
        let Some(i) = found else {
            panic!("{t} not found after event {at}: {events:#?}")
        };
        let e = &events[at + i];
        at += i + 1;
        match t["error"].as_u64() {
            Some(code) => {
                assert_eq!(e["status"], "Error", "{t} vs {e}");
                assert_eq!(e["mysql"]["error_code"], code, "{t} vs {e}");
            }
            None => assert_eq!(e["status"], "OK", "{t} vs {e}"),
        }
        if let Some(rows) = t["rows"].as_u64() {
            assert_eq!(e["mysql"]["num_rows"], rows, "{t} vs {e}");
        }
        if let Some(affected) = t["affected"].as_u64() {
            assert_eq!(e["mysql"]["affected_rows"], affected, "{t} vs {e}");
        }
    }
}

#[test]
fn every_statement_matches_what_the_clients_saw() {
    let ev = events(&data("mysql.pcap"));
    check(&ev);
    assert!(ev.iter().any(|e| e["params"][0] == "2"));
}

#[test]
fn reordered_segments_give_the_same_statements() {
    let mut p = read_pcap(&data("mysql.pcap"));
    assert!(reorder_same_direction(&mut p, 1) > 0);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("reordered.pcap");
    write_pcap(&p, &path);
    check(&events(&path));
}
