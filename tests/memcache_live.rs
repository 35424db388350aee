//! Memcache on real traffic: `tests/data/memcache.pcap` was recorded by
//! `scripts/record-memcache` (pymemcache, python-binary-memcached, a raw TCP socket and a UDP
//! client against memcached in network namespaces). Every request the client sent must be a
//! transaction with the command, keys, status and reply the client saw
//! (`tests/data/memcache.truth.ndjson`), in order within its connection; also with segments
//! reordered, and with lost segments nothing may be paired wrongly.

mod common;
use common::pcap_edit::{drop_data_segments, read_pcap, reorder_same_direction, write_pcap, Pcap};
use common::run_capture;
use serde_json::Value;
use std::path::{Path, PathBuf};

const CONFIG: &str = "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {type: memcache, ports: [11211], udptransactiontimeout: 200}\n";

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn events(path: &Path) -> Vec<Value> {
    let run = run_capture(CONFIG, path, &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    run.of_type("memcache").into_iter().cloned().collect()
}

/// Items grouped by `key`, groups in order of first appearance, items in order.
fn grouped<T: Clone, K: PartialEq>(items: &[T], key: impl Fn(&T) -> K) -> Vec<Vec<T>> {
    let mut keys: Vec<K> = Vec::new();
    let mut groups: Vec<Vec<T>> = Vec::new();
    for item in items {
        let k = key(item);
        match keys.iter().position(|g| *g == k) {
            Some(i) => groups[i].push(item.clone()),
            None => {
                keys.push(k);
                groups.push(vec![item.clone()]);
            }
        }
    }
    groups
}

/// The command as the truth names it: the opcode for binary, the command for text.
fn command(e: &Value) -> &Value {
    let r = &e["memcache"]["request"];
    if e["memcache"]["protocol_type"] == "binary" {
        &r["opcode"]
    } else {
        &r["command"]
    }
}

fn response_command(e: &Value) -> Value {
    let r = &e["memcache"]["response"];
    if e["memcache"]["protocol_type"] == "binary" {
        r["opcode"].clone()
    } else {
        r["command"].clone()
    }
}

#[test]
fn every_request_matches_what_the_client_saw() {
    let truth: Vec<Value> = std::fs::read_to_string(data("memcache.truth.ndjson"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(truth.len(), 49);
    assert!(
        truth.iter().all(|t| t["status"] != "?"),
        "the recording went wrong"
    );
    let ev = events(&data("memcache.pcap"));
    assert_eq!(ev.len(), truth.len());
    let truth_groups = grouped(&truth, |t| t["group"].clone());
    let event_groups = grouped(&ev, |e| {
        (
            e["network"]["transport"].clone(),
            e["source"]["port"].clone(),
        )
    });
    assert_eq!(truth_groups.len(), event_groups.len());
    for (tg, eg) in truth_groups.iter().zip(&event_groups) {
        assert_eq!(tg.len(), eg.len(), "group {}", tg[0]["group"]);
        for (t, e) in tg.iter().zip(eg) {
            let req = &e["memcache"]["request"];
            let resp = &e["memcache"]["response"];
            assert_eq!(command(e), &t["command"], "{t} vs {e}");
            if !t["keys"].is_null() {
                assert_eq!(req["keys"], t["keys"], "{t} vs {e}");
            }
            assert_eq!(e["status"], t["status"], "{t} vs {e}");
            assert_eq!(response_command(e), t["response"], "{t} vs {e}");
            let transport = if t["group"] == "udp" { "udp" } else { "tcp" };
            assert_eq!(e["network"]["transport"], transport);
            if let Some(v) = t.get("value").filter(|v| v.is_number()) {
                assert_eq!(&resp["value"], v, "{t} vs {e}");
            }
            if let Some(found) = t.get("found") {
                assert_eq!(&resp["keys"], found, "{t} vs {e}");
            }
            if let Some(bytes) = t.get("bytes") {
                let side = if t["command"] == "set" { req } else { resp };
                assert_eq!(&side["bytes"], bytes, "{t} vs {e}");
            }
            if t.get("noreply").is_some() {
                assert_eq!(req["noreply"], true);
            }
            if let Some(msg) = t.get("error_msg") {
                assert_eq!(&resp["error_msg"], msg);
            }
            if let Some(raw) = t.get("raw_args") {
                assert_eq!(&req["raw_args"], raw);
            }
            if let Some(pid) = t.get("pid") {
                let stats = resp["stats"].as_array().cloned().unwrap_or_default();
                assert!(
                    stats
                        .iter()
                        .any(|s| s["name"] == "pid" && &s["value"] == pid),
                    "{e}"
                );
            }
            if let Some(opaque) = t.get("opaque") {
                assert_eq!(&req["opaque"], opaque);
                assert_eq!(&resp["opaque"], opaque);
            }
        }
    }
}

fn run_edited(p: &Pcap, name: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    write_pcap(p, &path);
    events(&path)
}

/// What an event says happened, without times or sizes.
fn outcome(e: &Value) -> String {
    let m = &e["memcache"];
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(o) = v.as_object_mut() {
            o.remove("stats");
        }
        v
    };
    format!(
        "{} {} {}",
        e["status"],
        strip(&m["request"]),
        strip(&m["response"])
    )
}

#[test]
fn reordered_segments_give_the_same_transactions() {
    let straight = run_edited(&read_pcap(&data("memcache.pcap")), "straight.pcap");
    let mut p = read_pcap(&data("memcache.pcap"));
    assert!(reorder_same_direction(&mut p, 2) > 10);
    let reordered = run_edited(&p, "reordered.pcap");
    let mut a: Vec<_> = straight.iter().map(outcome).collect();
    let mut b: Vec<_> = reordered.iter().map(outcome).collect();
    a.sort();
    b.sort();
    assert!(a == b, "{} vs {} transactions differ", a.len(), b.len());
}

#[test]
fn lost_segments_never_pair_the_wrong_reply() {
    let straight = run_edited(&read_pcap(&data("memcache.pcap")), "straight.pcap");
    let requests: Vec<String> = straight
        .iter()
        .map(|e| e["memcache"]["request"].to_string())
        .collect();
    let answered: Vec<String> = straight.iter().map(outcome).collect();
    for skip in [0, 4, 9] {
        let mut p = read_pcap(&data("memcache.pcap"));
        assert!(drop_data_segments(&mut p, skip, 11) > 0);
        let lossy = run_edited(&p, "lossy.pcap");
        assert!(!lossy.is_empty());
        for e in &lossy {
            let has_request = e["memcache"].get("request").is_some();
            let has_response = e["memcache"].get("response").is_some();
            let lost = e["error"]["message"].to_string().contains("Packet loss");
            if has_request && has_response && !lost {
                // A pair must be one the server really gave.
                assert!(
                    answered.contains(&outcome(e)),
                    "skip {skip}: {} is not a transaction that happened",
                    outcome(e)
                );
            } else if has_request && !lost {
                assert!(
                    requests.contains(&e["memcache"]["request"].to_string()),
                    "skip {skip}: unknown request {e}"
                );
            }
        }
    }
}
