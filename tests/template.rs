//! The `template` protocol, the model every analyzer follows: on a real capture through the
//! CLI, and on hand-made conversations for the edge cases.

mod common;
use common::run_capture;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;
use wb_proto::Dir;
use wb_testkit::{run_frames, suite::test_protocol_config, Conversation, Segmentation};

const CONFIG: &str = "packetbeat.flows: {timeout: 30s, period: -1s}\n\
packetbeat.protocols:\n- {type: template, ports: [7777], send_request: true, send_response: true}\n";

fn sample() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/template.pcap")
}

#[test]
fn real_capture_gives_every_transaction() {
    let run = run_capture(CONFIG, &sample(), &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    let txns = run.of_type("template");
    let summary: Vec<(String, String)> = txns
        .iter()
        .map(|t| {
            (
                t["method"].as_str().unwrap_or("").to_string(),
                t["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let expected = [
        ("SET", "OK"),
        ("GET", "OK"),
        ("GET", "Error"),
        ("FLY", "Error"),
        ("SET", "OK"),
        ("SET", "OK"),
        ("GET", "OK"),
        ("DEL", "OK"),
        ("DEL", "Error"),
        ("SET", "OK"),
        ("GET", "OK"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(m, s)| (m.to_string(), s.to_string()))
        .collect();
    assert_eq!(summary, expected);
    let first = txns[0];
    assert_eq!(first["query"], "SET alpha 1");
    assert_eq!(first["request"], "SET alpha 1");
    assert_eq!(first["response"], "OK");
    assert_eq!(first["client"]["bytes"], 13);
    assert_eq!(first["server"]["bytes"], 4);
    assert_eq!(first["server"]["ip"], "10.79.0.2");
    assert_eq!(first["server"]["port"], 7777);
    assert_eq!(first["network"]["transport"], "tcp");
    assert_eq!(first["event"]["dataset"], "template");
    assert!(first["event"]["duration"].as_i64().unwrap_or(0) > 0);
    // The 5000-byte request crossed several segments and was reassembled whole.
    assert_eq!(txns[9]["client"]["bytes"], 5011);
    assert_eq!(txns[10]["server"]["bytes"], 5005);
    // Transactions and their flows share the Community ID.
    let flows = run.of_type("flow");
    for t in &txns {
        assert!(
            flows
                .iter()
                .any(|f| f["network"]["community_id"] == t["network"]["community_id"]),
            "no flow with {}",
            t["network"]["community_id"]
        );
    }
    assert!(
        run.stderr().contains("transactions: template 11"),
        "{}",
        run.stderr()
    );
}

fn events(
    conv: &Conversation,
    timeout: Option<Duration>,
    max_message_size: Option<u64>,
) -> Vec<Value> {
    events_in(conv, Segmentation::Whole, timeout, max_message_size)
}

fn events_in(
    conv: &Conversation,
    seg: Segmentation,
    timeout: Option<Duration>,
    max_message_size: Option<u64>,
) -> Vec<Value> {
    let mut cfg = test_protocol_config("template");
    if let Some(t) = timeout {
        cfg.transaction_timeout = t;
    }
    if let Some(m) = max_message_size {
        cfg.options.insert("max_message_size".into(), m.into());
    }
    let protocol = wb_proto::template::Template::build(&cfg).unwrap_or_else(|e| panic!("{e}"));
    run_frames(vec![protocol], &conv.frames(seg, None))
        .into_iter()
        .filter(|e| e["type"] == "template")
        .collect()
}

fn notes(e: &Value) -> String {
    e["error"]["message"].to_string()
}

#[test]
fn a_response_without_request_is_reported_unmatched() {
    let conv = Conversation::new(wb_testkit::suite::PORT)
        .message(Dir::ToClient, b"OK stray\r\n")
        .message(Dir::ToServer, b"GET a\r\n")
        .message(Dir::ToClient, b"OK 1\r\n");
    let ev = events(&conv, None, None);
    assert_eq!(ev.len(), 2, "{ev:#?}");
    assert_eq!(ev[0]["status"], "Error");
    assert!(notes(&ev[0]).contains("Unmatched response"), "{ev:#?}");
    assert_eq!(ev[1]["status"], "OK");
}

#[test]
fn a_request_without_response_is_flushed_at_the_end() {
    let conv = Conversation::new(wb_testkit::suite::PORT).message(Dir::ToServer, b"GET a\r\n");
    let ev = events(&conv, None, None);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0]["status"], "Error");
    assert!(notes(&ev[0]).contains("Unmatched request"), "{ev:#?}");
}

#[test]
fn transactions_time_out_on_packet_time() {
    // Messages are one second apart: the response comes 3 s after the request, which has
    // expired after its 1 s timeout.
    let conv = Conversation::new(wb_testkit::suite::PORT)
        .message(Dir::ToServer, b"GET a\r\n")
        .message(Dir::ToServer, b"")
        .message(Dir::ToServer, b"")
        .message(Dir::ToClient, b"OK late\r\n");
    let ev = events(&conv, Some(Duration::from_secs(1)), None);
    assert_eq!(ev.len(), 2, "{ev:#?}");
    assert!(notes(&ev[0]).contains("Unmatched request"), "{ev:#?}");
    assert!(notes(&ev[1]).contains("Unmatched response"), "{ev:#?}");
}

#[test]
fn a_hole_in_the_request_stream_is_noted_and_parsing_resumes() {
    let conv = Conversation::new(wb_testkit::suite::PORT)
        .message(Dir::ToServer, b"SET k some-long-value\r\nGET k\r\n")
        .message(Dir::ToClient, b"OK\r\nOK some-long-value\r\n");
    let protocol = wb_proto::template::Template::build(&test_protocol_config("template"))
        .unwrap_or_else(|e| panic!("{e}"));
    let frames = conv.frames(Segmentation::Chunks(8), Some((Dir::ToServer, 8, 8)));
    let ev: Vec<Value> = run_frames(vec![protocol], &frames)
        .into_iter()
        .filter(|e| e["type"] == "template")
        .collect();
    assert!(!ev.is_empty());
    assert!(
        ev.iter().any(|e| notes(e).contains("Packet loss")),
        "{ev:#?}"
    );
    assert!(
        ev.iter()
            .any(|e| e["method"] == "GET" && e["status"] == "OK"),
        "{ev:#?}"
    );
}

#[test]
fn a_line_buffered_beyond_max_message_size_is_dropped_without_losing_the_connection() {
    // `max_message_size` bounds what is buffered: a line that arrives in small segments and
    // outgrows it is dropped as a gap; the connection goes on.
    let big = [b"SET big ".as_slice(), &[b'x'; 300], b"\r\n"].concat();
    let conv = Conversation::new(wb_testkit::suite::PORT)
        .message(Dir::ToServer, &big)
        .message(Dir::ToClient, b"OK\r\n")
        .message(Dir::ToServer, b"GET small\r\n")
        .message(Dir::ToClient, b"OK 1\r\n");
    let ev = events_in(&conv, Segmentation::Chunks(16), None, Some(64));
    assert!(
        ev.iter()
            .any(|e| e["method"] == "GET" && e["status"] == "OK"),
        "{ev:#?}"
    );
    assert!(
        ev.iter()
            .all(|e| e["method"] != "SET" || e["status"] == "Error"),
        "{ev:#?}"
    );
}
