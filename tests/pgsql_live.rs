//! PostgreSQL on real traffic: `tests/data/pgsql.pcap` was recorded by `scripts/record-pgsql`
//! (psql for the simple query protocol, psycopg 3 for the extended protocol, a pipelined
//! executemany and a named prepared statement, against a real PostgreSQL server in network
//! namespaces). Every statement the clients ran must be a transaction with the rows they
//! received or the SQLSTATE they were refused with (`tests/data/pgsql.truth.ndjson`).

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
