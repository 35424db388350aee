//! SIP on real traffic: `tests/data/sip.pcap` was recorded by `scripts/record-sip` (SIPp user
//! agents in network namespaces: calls over UDP and over TCP, a REGISTER challenged with a
//! digest, a 486 Busy Here and a 404 Not Found). Every message SIPp logged as sent
//! (`tests/data/sip.truth.ndjson`) must be exactly one event with its sender, transport, start
//! line, Call-ID and CSeq, also when the TCP segments are reordered; lost TCP segments lose
//! only their own messages.

mod common;
use common::pcap_edit::{drop_data_segments, read_pcap, reorder_same_direction, write_pcap, Pcap};
use common::run_capture;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// SIP over UDP and over TCP on port 5060: one protocol entry per transport.
const CONFIG: &str = "packetbeat.flows.enabled: false\npacketbeat.protocols:\n\
- {type: sip, ports: [5060]}\n\
- {type: sip, ports: [5060], transport_protocol: tcp}\n";

fn events(capture: &Path) -> Vec<Value> {
    let run = run_capture(CONFIG, capture, &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    run.of_type("sip").into_iter().cloned().collect()
}

/// An event in the truth file's shape.
fn as_truth(e: &Value) -> Value {
    let original = e["event"]["original"].as_str().unwrap_or_default();
    let start = original.split("\r\n").next().unwrap_or_default();
    json!({
        "sender": e["source"]["ip"],
        "transport": e["network"]["transport"],
        "start": start,
        "call_id": e["sip"]["call_id"],
        "cseq": e["sip"]["cseq"]["code"],
        "cseq_method": e["sip"]["cseq"]["method"],
        "code": e["sip"]["code"],
        "method": e["sip"]["method"],
    })
}

/// The truth file's order: transport, Call-ID, CSeq, CSeq method, code (requests first), start.
fn sort_key(t: &Value) -> (String, String, u64, String, u64, String) {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    (
        s(&t["transport"]),
        s(&t["call_id"]),
        t["cseq"].as_u64().unwrap_or(0),
        s(&t["cseq_method"]),
        t["code"].as_u64().unwrap_or(0),
        s(&t["start"]),
    )
}

fn sorted(events: &[Value]) -> Vec<Value> {
    let mut v: Vec<Value> = events.iter().map(as_truth).collect();
    v.sort_by_key(sort_key);
    v
}

fn truth() -> Vec<Value> {
    std::fs::read_to_string(data("sip.truth.ndjson"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[test]
fn every_message_sipp_sent_is_one_event() {
    let truth = truth();
    assert_eq!(truth.len(), 34);
    let ev = events(&data("sip.pcap"));
    let got = sorted(&ev);
    assert_eq!(got.len(), truth.len());
    for (g, t) in got.iter().zip(&truth) {
        assert_eq!(g, t);
    }
    for e in &ev {
        assert_eq!(e["network"]["iana_number"], "17");
        let code = e["sip"]["code"].as_u64();
        let status = if code.is_some_and(|c| c >= 400) {
            "Error"
        } else {
            "OK"
        };
        assert_eq!(e["status"], status, "{e}");
        let outcome = match code {
            Some(c) if (200..300).contains(&c) => Some("success"),
            Some(c) if c >= 300 => Some("failure"),
            _ => None,
        };
        assert_eq!(e["event"]["outcome"].as_str(), outcome, "{e}");
        let method = e["sip"]["cseq"]["method"].as_str().unwrap().to_lowercase();
        assert_eq!(e["event"]["action"], format!("sip-{method}"));
    }
}

#[test]
fn sdp_digest_and_failures() {
    let ev = events(&data("sip.pcap"));
    let invite = ev
        .iter()
        .find(|e| e["sip"]["method"] == "INVITE" && e["network"]["transport"] == "tcp")
        .unwrap();
    assert_eq!(invite["sip"]["sdp"]["version"], "0");
    assert_eq!(invite["sip"]["sdp"]["connection"]["address"], "10.56.0.1");
    assert_eq!(invite["sip"]["content_type"], "application/sdp");
    // The registration: challenged, then sent again with credentials.
    let registers: Vec<&Value> = ev
        .iter()
        .filter(|e| e["sip"]["method"] == "REGISTER")
        .collect();
    assert_eq!(registers.len(), 2);
    assert_eq!(registers[0]["event"]["category"], json!(["network"]));
    let with_auth = registers[1];
    assert_eq!(
        with_auth["event"]["category"],
        json!(["network", "authentication"])
    );
    assert_eq!(with_auth["sip"]["auth"]["scheme"], "Digest");
    assert_eq!(with_auth["sip"]["auth"]["realm"], "wb.test");
    assert_eq!(with_auth["user"]["name"], "alice");
    let original = with_auth["event"]["original"].as_str().unwrap();
    assert!(original.contains("response=\"(redacted)\""), "{original}");
    assert!(!ev.iter().any(|e| e.to_string().contains("wirebeat-secret")));
    let challenge = ev.iter().find(|e| e["sip"]["code"] == 401).unwrap();
    assert_eq!(challenge["event"]["action"], "sip-register");
    assert_eq!(challenge["source"]["ip"], "10.56.0.2");
    let busy = ev.iter().find(|e| e["sip"]["code"] == 486).unwrap();
    assert_eq!(busy["event"]["reason"], "Busy Here");
    assert_eq!(busy["status"], "Error");
    let not_found = ev.iter().find(|e| e["sip"]["code"] == 404).unwrap();
    assert_eq!(not_found["event"]["action"], "sip-options");
    assert_eq!(not_found["event"]["outcome"], "failure");
}

fn run_edited(p: &Pcap, name: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    write_pcap(p, &path);
    events(&path)
}

#[test]
fn reordered_tcp_segments_give_the_same_events() {
    let mut p = read_pcap(&data("sip.pcap"));
    // SIPp writes one message per segment; the 180 and 200 of each TCP call travel back to
    // back from the server, and each such pair is swapped.
    assert!(reorder_same_direction(&mut p, 1) >= 2);
    assert_eq!(sorted(&run_edited(&p, "reordered.pcap")), truth());
}

#[test]
fn lost_tcp_segments_lose_only_their_messages() {
    let truth = truth();
    for skip in [0, 1, 4] {
        let mut p = read_pcap(&data("sip.pcap"));
        let dropped = drop_data_segments(&mut p, skip, 5);
        assert!(dropped > 0);
        let got = sorted(&run_edited(&p, "lossy.pcap"));
        for g in &got {
            assert!(truth.contains(g), "skip {skip}: {g} was never sent");
        }
        // Every dropped segment holds at most one message (SIPp writes one per segment).
        assert!(
            got.len() >= truth.len() - dropped,
            "skip {skip}: {}",
            got.len()
        );
        assert!(got.len() < truth.len());
    }
}
