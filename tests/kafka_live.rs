//! Kafka on real traffic: `tests/data/kafka.pcap` was recorded by `scripts/record-kafka`
//! (kafka-python against the tansu broker in network namespaces). Each action the client
//! reported (`tests/data/kafka.truth.ndjson`: create a topic, produce, consume in a group,
//! commit) must appear as the transactions that carry it, every request must be answered, and
//! lost segments must never pair a response with another request.

mod common;
use common::pcap_edit::{drop_data_segments, read_pcap, write_pcap, Pcap};
use common::run_capture;
use serde_json::Value;
use std::path::{Path, PathBuf};

const CONFIG: &str = "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {type: kafka}\n";

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn events(path: &Path) -> Vec<Value> {
    let run = run_capture(CONFIG, path, &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    run.of_type("kafka").into_iter().cloned().collect()
}

fn run_edited(p: &Pcap, name: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    write_pcap(p, &path);
    events(&path)
}

/// The events of `client` calling `api`.
fn calls<'a>(ev: &'a [Value], client: &str, api: &str) -> Vec<&'a Value> {
    ev.iter()
        .filter(|e| e["kafka"]["client_id"] == client && e["kafka"]["api_name"] == api)
        .collect()
}

fn records(calls: &[&Value]) -> u64 {
    calls
        .iter()
        .filter_map(|e| e["kafka"]["record_count"].as_u64())
        .sum()
}

#[test]
fn every_client_action_appears_as_its_transactions() {
    let truth: Vec<Value> = std::fs::read_to_string(data("kafka.truth.ndjson"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(truth.len(), 4);
    let ev = events(&data("kafka.pcap"));
    for e in &ev {
        assert!(e["kafka"]["api_name"].is_string(), "{e}");
        assert!(e["event"]["duration"].is_u64(), "unanswered: {e}");
        assert!(e.get("error").is_none(), "{e}");
    }
    for t in &truth {
        let client = t["client_id"].as_str().unwrap_or_default();
        let topic = &t["topic"];
        match t["action"].as_str().unwrap_or_default() {
            "create_topic" => {
                let c = calls(&ev, client, "CreateTopics");
                assert_eq!(c.len(), 1, "{t}");
                assert_eq!(c[0]["resource"], *topic);
                assert_eq!(c[0]["status"], "OK");
            }
            "produce" => {
                let c = calls(&ev, client, "Produce");
                assert!(c
                    .iter()
                    .all(|e| e["resource"] == *topic && e["status"] == "OK"));
                assert_eq!(Some(records(&c)), t["records"].as_u64(), "{t}");
            }
            "consume" => {
                let fetches = calls(&ev, client, "Fetch");
                assert_eq!(Some(records(&fetches)), t["records"].as_u64(), "{t}");
                assert!(fetches.iter().all(|e| e["resource"] == *topic));
                for api in ["FindCoordinator", "JoinGroup", "SyncGroup", "OffsetFetch"] {
                    let c = calls(&ev, client, api);
                    assert!(!c.is_empty(), "{api}");
                    assert!(
                        c.iter().all(|e| e["kafka"]["group_id"] == t["group"]),
                        "{api}"
                    );
                }
                // A first JoinGroup (v4+) without member id is refused with the id to use.
                let joins = calls(&ev, client, "JoinGroup");
                assert_eq!(joins[0]["kafka"]["error_name"], "MEMBER_ID_REQUIRED");
                assert_eq!(joins[0]["status"], "Error");
                assert_eq!(joins[joins.len() - 1]["status"], "OK");
            }
            "commit" => {
                let c = calls(&ev, client, "OffsetCommit");
                assert_eq!(c.len(), 1, "{t}");
                assert_eq!(c[0]["kafka"]["group_id"], t["group"]);
                assert_eq!(c[0]["resource"], *topic);
                assert_eq!(c[0]["kafka"]["partitions"], 1);
                assert_eq!(c[0]["status"], "OK");
            }
            other => panic!("unknown action {other}"),
        }
    }
    // Every connection starts with ApiVersions, answered with its v0 response header.
    let first = &ev[0];
    assert_eq!(first["kafka"]["api_name"], "ApiVersions");
    assert_eq!(first["status"], "OK");
}

#[test]
fn lost_segments_never_pair_a_response_with_another_request() {
    let straight = events(&data("kafka.pcap"));
    let key = |e: &Value| {
        (
            e["client"]["port"].as_u64(),
            e["kafka"]["correlation_id"].as_i64(),
        )
    };
    for skip in [0, 3, 7] {
        let mut p = read_pcap(&data("kafka.pcap"));
        assert!(drop_data_segments(&mut p, skip, 9) > 0);
        for e in run_edited(&p, "lossy.pcap") {
            if e["event"]["duration"].is_null() {
                continue;
            }
            // A paired transaction is one of the original ones: same request and response.
            let same = straight.iter().find(|s| key(s) == key(&e));
            let same = same.unwrap_or_else(|| panic!("skip {skip}: invented {e}"));
            assert_eq!(
                e["kafka"]["api_name"], same["kafka"]["api_name"],
                "skip {skip}"
            );
            assert_eq!(e["resource"], same["resource"], "skip {skip}");
        }
    }
}
