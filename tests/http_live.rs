//! HTTP on a capture of real traffic (tests/data/http.pcap, made by scripts/record-http: a
//! Node.js server, curl and raw-socket clients in network namespaces), compared transaction
//! by transaction with the server's own log of what it received and sent
//! (tests/data/http.truth.ndjson) — as recorded, with segments reordered, and with 1% of
//! data segments dropped.

mod common;
use common::pcap_edit::{drop_data_segments, read_pcap, reorder_same_direction, write_pcap, Pcap};
use common::run_capture;
use serde_json::Value;
use std::path::{Path, PathBuf};

const CONFIG: &str = "packetbeat.flows.enabled: false\npacketbeat.protocols:\n\
- {type: http, ports: [8080, 8000], real_ip_header: X-Forwarded-For, include_body_for: [text/plain]}\n";

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// (method, path, status, request body bytes, response body bytes) of one transaction.
type Row = (String, String, u64, u64, u64);

fn truth() -> Vec<Row> {
    let text = std::fs::read_to_string(data("http.truth.ndjson")).unwrap();
    let mut rows: Vec<Row> = text
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["method"].as_str().unwrap().to_string(),
                v["path"].as_str().unwrap().to_string(),
                v["status"].as_u64().unwrap(),
                v["request_body_bytes"].as_u64().unwrap(),
                v["response_body_bytes"].as_u64().unwrap(),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn rows(events: &[&Value]) -> Vec<Row> {
    let mut rows: Vec<Row> = events
        .iter()
        .map(|e| {
            let body = |side: &str| {
                // On the wire: the decoded length is only used for decoded bodies.
                let b = &e["http"][side]["body"]["bytes"];
                b.as_u64().unwrap_or(0)
            };
            (
                e["http"]["request"]["method"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                e["url"]["path"].as_str().unwrap_or("").to_string(),
                e["http"]["response"]["status_code"].as_u64().unwrap_or(0),
                body("request"),
                body("response"),
            )
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn every_transaction_matches_what_the_server_logged() {
    let run = run_capture(CONFIG, &data("http.pcap"), &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    let ev = run.of_type("http");
    let mut got = rows(&ev);
    // The gzip body is exported decoded: compare its wire length instead.
    let gz = ev.iter().find(|e| e["url"]["path"] == "/gzip").unwrap();
    let wire = gz["http"]["response"]["headers"]["content-length"]
        .as_u64()
        .unwrap();
    for r in got.iter_mut().filter(|r| r.1 == "/gzip") {
        r.4 = wire;
    }
    got.sort();
    assert_eq!(got, truth());
    assert!(ev.iter().all(|e| e.get("error").is_none()), "{ev:#?}");

    let by_path = |p: &str| *ev.iter().find(|e| e["url"]["path"] == p).unwrap();
    let gz_body = gz["http"]["response"]["body"]["content"].as_str().unwrap();
    assert!(gz_body.starts_with("compressible text "), "{gz_body}");
    assert_eq!(
        by_path("/chunked")["http"]["response"]["body"]["content"],
        "first chunk second chunk third and last chunk"
    );
    assert_eq!(by_path("/old")["http"]["version"], "1.0");
    assert_eq!(by_path("/v6")["network"]["type"], "ipv6");
    assert_eq!(by_path("/v6")["url"]["domain"], "fd80::2");
    assert_eq!(by_path("/private")["user"]["name"], "alice");
    assert_eq!(
        by_path("/forwarded")["network"]["forwarded_ip"],
        "203.0.113.7"
    );
    assert_eq!(by_path("/search")["url"]["query"], "page=2&q=rust+lang");
    assert_eq!(by_path("/login")["url"]["query"], "pass=secret&user=monica");
    // The pipelined requests share one connection and pair in order.
    let p: Vec<_> = ["/p1", "/p2", "/p3"].iter().map(|x| by_path(x)).collect();
    assert!(p
        .windows(2)
        .all(|w| w[0]["client"]["port"] == w[1]["client"]["port"]));
    assert!(p.iter().all(|e| e["status"] == "OK"));
}

fn run_variant(p: &Pcap, name: &str) -> (Vec<Row>, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    write_pcap(p, &path);
    let run = run_capture(CONFIG, &path, &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    let ev = run.of_type("http");
    (rows(&ev), ev.into_iter().cloned().collect())
}

#[test]
fn reordered_segments_lose_nothing() {
    let mut p = read_pcap(&data("http.pcap"));
    // Every third data segment swapped with the next one travelling the same way.
    let swapped = reorder_same_direction(&mut p, 3);
    assert!(swapped > 10);
    let (straight, _) = run_variant(&read_pcap(&data("http.pcap")), "straight.pcap");
    let (reordered, ev) = run_variant(&p, "reordered.pcap");
    assert_eq!(reordered, straight);
    assert!(ev.iter().all(|e| e.get("error").is_none()), "{ev:#?}");
}

#[test]
fn one_percent_of_segments_dropped_still_gives_the_transactions_it_can() {
    let mut p = read_pcap(&data("http.pcap"));
    // 1%: every hundredth data segment, starting inside the large body.
    let dropped = drop_data_segments(&mut p, 20, 100);
    let (_, ev) = run_variant(&p, "lossy.pcap");
    let truth = truth();
    // Every transaction reported is one the client really made, and all but the ones hit by
    // a lost segment are reported.
    for e in &ev {
        let key = (
            e["http"]["request"]["method"].as_str().unwrap_or(""),
            e["url"]["path"].as_str().unwrap_or(""),
        );
        assert!(
            truth.iter().any(|t| (t.0.as_str(), t.1.as_str()) == key)
                || e["http"]["request"].is_null(),
            "{e}"
        );
    }
    assert!(
        ev.len() + dropped >= truth.len(),
        "{} of {}",
        ev.len(),
        truth.len()
    );
    assert!(
        ev.iter().any(|e| e["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Packet loss"))),
        "{ev:#?}"
    );
}
