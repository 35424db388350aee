//! AMQP on real traffic: `tests/data/amqp.pcap` was recorded by `scripts/record-amqp` (pika
//! against a throw-away RabbitMQ node in network namespaces). Every operation the client did
//! must be an event with the method, status, fields and texts the client knew
//! (`tests/data/amqp.truth.ndjson`), in order; also with segments reordered within a
//! direction, and lost segments must never invent an event.

mod common;
use common::pcap_edit::{drop_data_segments, read_pcap, reorder_same_direction, write_pcap, Pcap};
use common::run_capture;
use serde_json::Value;
use std::path::{Path, PathBuf};

const CONFIG: &str = "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {type: amqp, ports: [5672], send_request: true, send_response: true}\n";

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn events(path: &Path, config: &str) -> Vec<Value> {
    let run = run_capture(config, path, &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    run.of_type("amqp").into_iter().cloned().collect()
}

fn truth() -> Vec<Value> {
    std::fs::read_to_string(data("amqp.truth.ndjson"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// `e` is what the truth line `t` says.
fn check(t: &Value, e: &Value) {
    assert_eq!(e["method"], t["method"], "{t} vs {e}");
    assert_eq!(e["status"], t["status"], "{t} vs {e}");
    assert_eq!(
        e["event"]["action"],
        format!("amqp.{}", t["method"].as_str().unwrap_or("")).as_str()
    );
    for (k, v) in t["amqp"].as_object().into_iter().flatten() {
        assert_eq!(&e["amqp"][k], v, "amqp.{k}: {t} vs {e}");
    }
    for key in ["request", "response"] {
        if let Some(text) = t.get(key) {
            assert_eq!(&e[key], text, "{key}: {t} vs {e}");
        }
    }
}

#[test]
fn every_operation_matches_what_the_client_did() {
    let truth = truth();
    assert_eq!(truth.len(), 28);
    let ev = events(&data("amqp.pcap"), CONFIG);
    assert_eq!(ev.len(), truth.len());
    for (t, e) in truth.iter().zip(&ev) {
        check(t, e);
    }
    // The user-id property is also user.id; the 10000-byte body crossed three body frames.
    assert_eq!(ev[3]["user"]["id"], "guest");
    assert_eq!(ev[6]["source"]["bytes"], 10000);
    assert_eq!(ev[8]["destination"]["bytes"], 10000);
}

#[test]
fn connection_information_without_credentials() {
    let cfg = CONFIG.replace(
        "send_response: true",
        "send_response: true, hide_connection_information: false",
    );
    let ev = events(&data("amqp.pcap"), &cfg);
    let methods: Vec<&str> = ev
        .iter()
        .map(|e| e["method"].as_str().unwrap_or(""))
        .collect();
    for m in [
        "connection.start",
        "connection.tune",
        "connection.open",
        "channel.open",
        "connection.close",
    ] {
        assert!(methods.contains(&m), "{m} missing from {methods:?}");
    }
    let start = ev
        .iter()
        .find(|e| e["method"] == "connection.start")
        .cloned()
        .unwrap_or_default();
    assert_eq!(start["amqp"]["mechanism"], "PLAIN");
    assert_eq!(
        start["amqp"]["client-properties"]["connection_name"],
        "wb-recorder"
    );
    // pika's PLAIN response is "\0guest\0guest": it must appear nowhere.
    for e in &ev {
        assert!(
            !e.to_string().contains("\\u0000guest"),
            "credentials in {e}"
        );
        assert!(e["amqp"].get("response").is_none());
    }
}

fn outcome(e: &Value) -> String {
    format!(
        "{} {} {} {}",
        e["method"], e["status"], e["amqp"], e["request"]
    )
}

fn run_edited(p: &Pcap, name: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    write_pcap(p, &path);
    events(&path, CONFIG)
}

#[test]
fn reordered_segments_give_the_same_events() {
    let straight: Vec<String> = events(&data("amqp.pcap"), CONFIG)
        .iter()
        .map(outcome)
        .collect();
    let mut p = read_pcap(&data("amqp.pcap"));
    assert!(reorder_same_direction(&mut p, 2) > 5);
    let reordered: Vec<String> = run_edited(&p, "reordered.pcap")
        .iter()
        .map(outcome)
        .collect();
    assert_eq!(straight, reordered);
}

#[test]
fn lost_segments_never_invent_an_event() {
    let straight: Vec<String> = events(&data("amqp.pcap"), CONFIG)
        .iter()
        .map(outcome)
        .collect();
    let mut missed = 0;
    for skip in [3, 10, 17] {
        let mut p = read_pcap(&data("amqp.pcap"));
        assert!(drop_data_segments(&mut p, skip, 1000) == 1);
        let lossy = run_edited(&p, "lossy.pcap");
        missed += straight.len().saturating_sub(lossy.len());
        assert!(!lossy.is_empty());
        assert!(lossy.len() <= straight.len());
        for e in &lossy {
            let o = outcome(e);
            // A body that lost bytes is still its message, with a note.
            let known =
                straight.contains(&o) || e["error"]["message"] == wb_proto::amqp::NOTE_BODY_LOSS;
            assert!(known, "skip {skip}: {o} is not an operation the client did");
        }
    }
    assert!(
        missed > 0,
        "the lost segments cost no event: they were not AMQP data"
    );
}
