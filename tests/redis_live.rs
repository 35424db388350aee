//! Redis on real traffic: `tests/data/redis.pcap` was recorded by `scripts/record-redis`
//! (redis-cli and redis-benchmark against redis-server in network namespaces). Every command
//! the script sent must be a transaction with the method, resource, outcome and reply
//! redis-cli reported (`tests/data/redis.truth.ndjson`), pushed pub/sub messages included, and
//! the pipelined benchmark must give one transaction per request.

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
fn every_command_matches_what_redis_cli_reported() {
    let truth: Vec<Value> = std::fs::read_to_string(data("redis.truth.ndjson"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let (bench, commands): (Vec<&Value>, Vec<&Value>) =
        truth.iter().partition(|t| t.get("benchmark").is_some());
    assert_eq!(commands.len(), 23);
    let cfg =
        "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {type: redis, ports: [6379]}\n";
    let run = run_capture(cfg, &data("redis.pcap"), &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    // redis-cli reading commands from stdin first asks the server for COMMAND DOCS (its reply,
    // some 200 KB over many segments, is one transaction capped at queue_max_bytes).
    let events: Vec<&Value> = run
        .of_type("redis")
        .into_iter()
        .filter(|e| e["method"] != "COMMAND DOCS")
        .collect();
    for (t, e) in commands.iter().zip(&events) {
        assert_eq!(e["method"], t["method"], "{t} vs {e}");
        assert_eq!(e["resource"], t["resource"], "{t} vs {e}");
        let failed = e["status"] == "Error";
        assert_eq!(failed, t["error"].as_bool().unwrap_or(false), "{t} vs {e}");
        let reply = t["reply"].as_str().unwrap_or("");
        if !reply.is_empty() && !reply.contains('\n') {
            let got = if failed {
                &e["redis"]["error"]
            } else {
                &e["redis"]["return_value"]
            };
            assert_eq!(got, reply, "{t} vs {e}");
        }
        assert!(
            !e.to_string().contains("wonderland"),
            "a password reached an event: {e}"
        );
    }
    let rest = &events[commands.len()..];
    for (method, count) in bench[0]["benchmark"].as_object().into_iter().flatten() {
        let n = rest.iter().filter(|e| e["method"] == *method).count() as u64;
        assert_eq!(n, count.as_u64().unwrap_or(0), "benchmark {method}");
    }
    assert!(rest.iter().all(|e| e["status"] == "OK"));
}

fn run_edited(p: &Pcap, name: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    write_pcap(p, &path);
    let cfg =
        "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {type: redis, ports: [6379]}\n";
    let run = run_capture(cfg, &path, &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    run.of_type("redis").into_iter().cloned().collect()
}

fn outcome(e: &Value) -> (String, String, String, String) {
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    (
        s(&e["method"]),
        s(&e["resource"]),
        s(&e["status"]),
        (s(&e["redis"]["return_value"]) + &s(&e["redis"]["error"]))
            .chars()
            .take(60)
            .collect(),
    )
}

#[test]
fn reordered_segments_give_the_same_transactions() {
    let straight = run_edited(&read_pcap(&data("redis.pcap")), "straight.pcap");
    let mut p = read_pcap(&data("redis.pcap"));
    assert!(reorder_same_direction(&mut p, 2) > 10);
    let reordered = run_edited(&p, "reordered.pcap");
    // Events of different connections may come out in another order; each is the same.
    let mut a: Vec<_> = straight.iter().map(outcome).collect();
    let mut b: Vec<_> = reordered.iter().map(outcome).collect();
    a.sort();
    b.sort();
    assert!(a == b, "{} vs {} transactions differ", a.len(), b.len());
}

#[test]
fn lost_segments_never_invent_a_reply() {
    let straight: Vec<_> = run_edited(&read_pcap(&data("redis.pcap")), "straight.pcap")
        .iter()
        .map(outcome)
        .collect();
    for skip in [0, 3, 11] {
        let mut p = read_pcap(&data("redis.pcap"));
        assert!(drop_data_segments(&mut p, skip, 13) > 0);
        let lossy = run_edited(&p, "lossy.pcap");
        assert!(!lossy.is_empty());
        for e in &lossy {
            let o = outcome(e);
            assert!(
                straight.contains(&o),
                "skip {skip}: {o:?} is not a reply the server gave"
            );
        }
    }
}
