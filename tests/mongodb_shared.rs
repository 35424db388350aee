//! MongoDB on every MongoDB capture of `../shared/pcaps`, through the CLI, checked against the
//! facts its MANIFEST states (flows off; port 27017 unless the MANIFEST says otherwise), and
//! again with segments reordered and lost.

mod common;
use common::pcap_edit::{
    data_segments, drop_data_segments, read_pcap, reorder_same_direction, write_pcap, Pcap,
};
use common::{pcap, run_capture, Run};
use serde_json::Value;
use std::path::Path;

fn config(ports: &str, options: &str) -> String {
    format!(
        "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {{type: mongodb, ports: [{ports}]{}{options}}}\n",
        if options.is_empty() { "" } else { ", " }
    )
}

fn run_on(path: &Path, ports: &str, options: &str) -> (Vec<Value>, Run) {
    let run = run_capture(&config(ports, options), path, &["-e"]);
    assert!(run.output.status.success(), "{}", run.stderr());
    let events = run.of_type("mongodb").into_iter().cloned().collect();
    (events, run)
}

fn mongodb(capture: &str, options: &str) -> Vec<Value> {
    run_on(&pcap(capture), "27017", options).0
}

fn method_count(ev: &[Value], method: &str) -> usize {
    ev.iter().filter(|e| e["method"] == method).count()
}

fn response_lines(e: &Value) -> Vec<String> {
    e["response"]
        .as_str()
        .unwrap_or("")
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn mongo_3_0_session_method_counts() {
    let ev = mongodb("mongo_3.0_session.pcap", "");
    assert_eq!(method_count(&ev, "insert"), 2);
    assert_eq!(method_count(&ev, "update"), 1);
    assert_eq!(method_count(&ev, "findandmodify"), 1);
    assert_eq!(method_count(&ev, "listCollections"), 5);
    for e in &ev {
        assert_eq!(e["type"], "mongodb");
        assert!(e["event"]["duration"].as_u64().is_some(), "{e}");
    }
}

#[test]
fn one_row_with_and_without_raw_texts() {
    let ev = mongodb("mongo_one_row.pcap", "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["method"], "find");
    assert!(ev[0].get("request").is_none() && ev[0].get("response").is_none());
    let ev = mongodb(
        "mongo_one_row.pcap",
        "send_request: true, send_response: true",
    );
    assert_eq!(ev.len(), 1);
    assert_eq!(response_lines(&ev[0]).len(), 1);
    assert_eq!(ev[0]["source"]["bytes"], 50);
    assert_eq!(ev[0]["destination"]["bytes"], 514);
    assert_eq!(ev[0]["resource"], "test.restaurants");
    assert!(ev[0]["request"]
        .as_str()
        .is_some_and(|r| r.starts_with("test.restaurants.find(")));
    // The common per-protocol options.
    let ev = mongodb(
        "mongo_one_row.pcap",
        "tags: [mongo], fields: {env: test}, keep_null: true, transaction_timeout: 5s",
    );
    assert_eq!(ev[0]["tags"], serde_json::json!(["mongo"]));
    assert_eq!(ev[0]["fields"]["env"], "test");
}

#[test]
fn create_collection_find_inserts_use_db() {
    for capture in [
        "mongodb_create_collection.pcap",
        "mongodb_use_db.pcap",
        "mongodb_find.pcap",
        "mongodb_inserts.pcap",
    ] {
        let ev = mongodb(capture, "");
        assert!(!ev.is_empty(), "{capture}");
        assert!(ev.iter().all(|e| e["type"] == "mongodb"), "{capture}");
    }
    let ev = mongodb("mongodb_create_collection.pcap", "");
    assert_eq!(method_count(&ev, "create"), 1);
    let ev = mongodb("mongodb_find.pcap", "");
    assert_eq!(ev[0]["method"], "find");
    assert_eq!(ev[0]["status"], "OK");
    let ev = mongodb("mongodb_inserts.pcap", "");
    assert_eq!(ev[1]["method"], "insert");
}

#[test]
fn insert_duplicate_key_on_linux_sll() {
    let ev = mongodb("mongodb_insert_duplicate_key.pcap", "");
    assert_eq!(ev[0]["method"], "insert");
    assert_eq!(ev[0]["status"], "Error");
    assert!(ev[0]["mongodb"]["error"]
        .as_str()
        .is_some_and(|e| e.contains("E11000")));
}

#[test]
fn invalid_opcode_logged_once_per_opcode() {
    let (ev, run) = run_on(&pcap("mongodb_invalid_opcode_2269.pcap"), "27017", "");
    assert!(ev.is_empty());
    let err = run.stderr();
    assert_eq!(
        err.matches("unknown operation code 2269").count(),
        1,
        "{err}"
    );
    assert!(err.contains("mongodb.unknown_opcode 3"), "{err}");
}

#[test]
fn more_rows_max_docs_and_max_doc_length() {
    let lines = |options: &str| {
        let ev = mongodb(
            "mongodb_more_rows.pcap",
            &format!("send_response: true{options}"),
        );
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0]["mongodb"]["numberReturned"], 101);
        response_lines(&ev[0])
    };
    assert_eq!(lines(", max_docs: 0").len(), 101);
    let ten = lines(", max_docs: 10");
    assert_eq!(ten.len(), 11);
    assert_eq!(ten[10], "[...]");
    for l in lines(", max_doc_length: 10") {
        assert!(l.len() < 15, "{l}");
    }
}

#[test]
fn op_msg_on_port_9991() {
    let (ev, run) = run_on(&pcap("mongodb_op_msg_opcode.pcap"), "9991", "");
    assert!(!ev.is_empty());
    assert!(ev.iter().all(|e| e["type"] == "mongodb"));
    let err = run.stderr();
    assert!(!err.contains("unknown operation code"), "{err}");
    // Every command is paired with its reply.
    assert!(ev
        .iter()
        .all(|e| e["destination"]["bytes"].as_u64().is_some()));
    assert!(method_count(&ev, "ismaster") > 0);
}

#[test]
fn reply_request_reply_has_no_negative_duration() {
    let ev = mongodb("mongodb_reply_request_reply.pcap", "");
    assert_eq!(ev.len(), 1);
    for e in &ev {
        assert!(
            e["event"]["duration"].as_i64().is_some_and(|d| d >= 0),
            "{e}"
        );
    }
}

// ---- reordered and lost segments ------------------------------------------------------------

fn run_edited(p: &Pcap, options: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("edited.pcap");
    write_pcap(p, &path);
    run_on(&path, "27017", options).0
}

fn outcome(e: &Value) -> (String, String, String, u64, u64, usize) {
    (
        e["method"].as_str().unwrap_or("").to_string(),
        e["resource"].as_str().unwrap_or("").to_string(),
        e["status"].as_str().unwrap_or("").to_string(),
        e["source"]["bytes"].as_u64().unwrap_or(0),
        e["destination"]["bytes"].as_u64().unwrap_or(0),
        response_lines(e).len(),
    )
}

/// The Ethernet captures (the ones the pcap editor reads).
const ETHERNET: &[&str] = &[
    "mongo_3.0_session.pcap",
    "mongo_one_row.pcap",
    "mongodb_create_collection.pcap",
    "mongodb_find.pcap",
    "mongodb_inserts.pcap",
    "mongodb_more_rows.pcap",
    "mongodb_reply_request_reply.pcap",
    "mongodb_use_db.pcap",
];

#[test]
fn reordered_segments_give_the_same_events() {
    let options = "send_response: true, max_docs: 0";
    for capture in ETHERNET {
        let straight: Vec<_> = run_edited(&read_pcap(&pcap(capture)), options)
            .iter()
            .map(outcome)
            .collect();
        let mut p = read_pcap(&pcap(capture));
        if reorder_same_direction(&mut p, 1) == 0 {
            continue;
        }
        let reordered: Vec<_> = run_edited(&p, options).iter().map(outcome).collect();
        if *capture == "mongodb_more_rows.pcap" {
            // No handshake was captured and the swap puts the reply's second segment first:
            // the stream is taken to start there (mid-stream pickup) and the first segment,
            // arriving later with an earlier sequence number, is old data. No event, never a
            // wrong one.
            assert!(
                reordered.is_empty() || reordered == straight,
                "{reordered:?}"
            );
            continue;
        }
        assert_eq!(straight, reordered, "{capture}");
    }
}

#[test]
fn lost_segments_never_pair_a_request_with_another_reply() {
    let options = "send_response: true, max_docs: 0";
    for capture in ETHERNET {
        let straight: Vec<_> = run_edited(&read_pcap(&pcap(capture)), options)
            .iter()
            .map(outcome)
            .collect();
        let segments = data_segments(&read_pcap(&pcap(capture))).len();
        for skip in 0..segments.min(5) {
            let mut p = read_pcap(&pcap(capture));
            let dropped = drop_data_segments(&mut p, skip, 5);
            assert!(dropped > 0);
            for e in run_edited(&p, options) {
                let o = outcome(&e);
                assert!(
                    straight.contains(&o),
                    "{capture} skip {skip}: {o:?} is not what the server answered"
                );
            }
        }
    }
    // Either half of the two-segment reply lost: no event rather than a wrong one.
    for lost in [1, 2] {
        let mut p = read_pcap(&pcap("mongodb_more_rows.pcap"));
        let data = data_segments(&p);
        p.records.remove(data[lost]);
        assert!(run_edited(&p, options).is_empty(), "segment {lost} lost");
    }
}
