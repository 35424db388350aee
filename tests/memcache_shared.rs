//! Memcache on every memcache capture of `../shared/pcaps`, through the CLI, checked against
//! the facts its MANIFEST states (memcache on port 11211, TCP and UDP, flows off unless said).

mod common;
use common::{pcap, run_capture};
use serde_json::{json, Value};

fn memcache_with(capture: &str, options: &str, flows: bool) -> Vec<Value> {
    let cfg = format!(
        "packetbeat.flows.enabled: {flows}\npacketbeat.flows.period: -1s\npacketbeat.protocols:\n- {{type: memcache, ports: [11211]{}{options}}}\n",
        if options.is_empty() { "" } else { ", " }
    );
    let path = pcap(&format!("memcache/{capture}"));
    let run = run_capture(&cfg, &path, &[]);
    assert!(run.output.status.success(), "{capture}: {}", run.stderr());
    run.of_type("memcache").into_iter().cloned().collect()
}

fn memcache(capture: &str) -> Vec<Value> {
    memcache_with(capture, "udptransactiontimeout: 200", false)
}

fn req(e: &Value) -> &Value {
    &e["memcache"]["request"]
}

fn resp(e: &Value) -> &Value {
    &e["memcache"]["response"]
}

/// Fields every memcache event has, whatever the capture.
fn check_common(ev: &[Value], protocol_type: &str, transport: &str) {
    for e in ev {
        assert_eq!(e["type"], "memcache", "{e}");
        assert_eq!(e["event"]["dataset"], "memcache");
        assert_eq!(e["network"]["protocol"], "memcache");
        assert_eq!(e["network"]["transport"], transport);
        assert_eq!(e["memcache"]["protocol_type"], protocol_type, "{e}");
        assert_eq!(e["destination"]["port"], 11211);
        assert!(e["source"]["bytes"].as_u64().unwrap_or(0) > 0, "{e}");
        assert!(e.get("error").is_none(), "{e}");
    }
}

/// Keys of the set requests mapped to their byte counts, in event order.
fn set_sizes(ev: &[Value]) -> Vec<(String, u64)> {
    ev.iter()
        .filter(|e| req(e)["command"] == "set")
        .map(|e| {
            (
                req(e)["keys"][0].as_str().unwrap_or("").to_string(),
                req(e)["bytes"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn sorted(mut v: Vec<(String, u64)>) -> Vec<(String, u64)> {
    v.sort();
    v
}

fn k(key: &str, bytes: u64) -> (String, u64) {
    (key.to_string(), bytes)
}

#[test]
fn bin_tcp_counter_ops() {
    let ev = memcache("memcache_bin_tcp_counter_ops.pcap");
    check_common(&ev, "binary", "tcp");
    // set, incr, decr, get, and the closing quit.
    assert!(ev.len() >= 5, "{ev:#?}");
    for e in &ev[..5] {
        assert_eq!(e["status"], "OK", "{e}");
        assert_eq!(req(e)["opaque"], resp(e)["opaque"], "{e}");
    }
    assert_eq!(req(&ev[0])["opcode"], "Set");
    assert_eq!(req(&ev[0])["bytes"], 1);
    assert_eq!(req(&ev[1])["opcode"], "Increment");
    assert_eq!(req(&ev[1])["delta"], 2);
    assert_eq!(req(&ev[1])["initial"], 0);
    assert_eq!(resp(&ev[1])["value"], 2);
    assert_eq!(req(&ev[2])["opcode"], "Decrement");
    assert_eq!(req(&ev[2])["delta"], 5);
    assert_eq!(resp(&ev[2])["value"], 0);
    assert_eq!(req(&ev[3])["opcode"], "GetK");
    assert_eq!(req(&ev[3])["type"], "Load");
    assert_eq!(resp(&ev[3])["count_values"], 1);
    assert_eq!(resp(&ev[3])["bytes"], 1);
    assert_eq!(ev[0]["event"]["action"], "memcache.store");
    assert_eq!(ev[1]["event"]["action"], "memcache.counter");
    assert_eq!(ev[3]["event"]["outcome"], "success");
}

#[test]
fn bin_tcp_delete() {
    let ev = memcache("memcache_bin_tcp_delete.pcap");
    check_common(&ev, "binary", "tcp");
    assert_eq!(ev.len(), 4, "{ev:#?}");
    assert_eq!(req(&ev[0])["opcode"], "Set");
    assert_eq!(ev[0]["status"], "OK");
    assert_eq!(req(&ev[1])["opcode"], "Delete");
    assert_eq!(ev[1]["status"], "OK");
    assert_eq!(resp(&ev[1])["status"], "Success");
    assert_eq!(req(&ev[2])["type"], "Load");
    assert_eq!(ev[2]["status"], "Error");
    assert_eq!(resp(&ev[2])["status"], "Key not found");
    assert_eq!(resp(&ev[2])["status_code"], 1);
    assert!(ev[2]["event"].get("outcome").is_none());
}

#[test]
fn bin_tcp_multi_store_load_with_quiet_gets() {
    let ev = memcache("memcache_bin_tcp_multi_store_load.pcap");
    check_common(&ev, "binary", "tcp");
    assert!(ev.len() >= 9, "{ev:#?}");
    assert_eq!(
        sorted(set_sizes(&ev[..3])),
        vec![k("k1", 100), k("k2", 20), k("k3", 10)]
    );
    let gets: Vec<&str> = ev[3..8]
        .iter()
        .map(|e| req(e)["keys"][0].as_str().unwrap_or(""))
        .collect();
    assert_eq!(gets, ["x", "k1", "k2", "k3", "y"]);
    for e in &ev[3..8] {
        assert_eq!(req(e)["opcode"], "GetKQ");
        assert_eq!(req(e)["quiet"], true);
    }
    for e in [&ev[3], &ev[7]] {
        assert!(e["memcache"].get("response").is_none(), "{e}");
    }
    for e in &ev[4..7] {
        assert_eq!(resp(e)["keys"], req(e)["keys"]);
    }
    assert_eq!(req(&ev[8])["opcode"], "No-op");
    assert_eq!(req(&ev[8])["opaque"], resp(&ev[8])["opaque"]);
    for e in &ev {
        assert_eq!(e["status"], "OK", "{e}");
    }
}

#[test]
fn bin_tcp_single_load_store() {
    let ev = memcache("memcache_bin_tcp_single_load_store.pcap");
    check_common(&ev, "binary", "tcp");
    assert_eq!(req(&ev[0])["opcode"], "Set");
    assert_eq!(req(&ev[0])["exptime"], 0);
    assert_eq!(req(&ev[0])["count_values"], 1);
    assert_eq!(req(&ev[0])["bytes"], 2046);
    assert_eq!(resp(&ev[0])["status"], "Success");
    assert!(resp(&ev[0])["cas_unique"].as_u64().unwrap_or(0) > 0);
    assert_eq!(req(&ev[1])["opcode"], "GetK");
    assert_eq!(req(&ev[1])["type"], "Load");
    assert_eq!(resp(&ev[1])["keys"], json!(["test_key"]));
    assert_eq!(resp(&ev[1])["bytes"], 2046);
}

#[test]
fn bin_tcp_stats() {
    let ev = memcache("memcache_bin_tcp_stats.pcap");
    check_common(&ev, "binary", "tcp");
    let e = &ev[2];
    assert_eq!(req(e)["opcode"], "Stat");
    assert_eq!(req(e)["command"], "stats");
    assert_eq!(req(e)["type"], "Stats");
    let stats = resp(e)["stats"].as_array().expect("stats");
    assert!(stats.len() > 10, "{e}");
    for s in stats {
        assert!(!s["name"].as_str().unwrap_or("").is_empty(), "{s}");
    }
    assert!(stats.iter().any(|s| s["name"] == "pid"));
}

#[test]
fn bin_udp_counter_ops_quiet() {
    let ev = memcache("memcache_bin_udp_counter_ops.pcap");
    check_common(&ev, "binary", "udp");
    let ops: Vec<&str> = ev
        .iter()
        .map(|e| req(e)["opcode"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(ops, ["SetQ", "IncrementQ", "DecrementQ"]);
    for e in &ev {
        assert_eq!(e["status"], "OK");
        assert_eq!(req(e)["quiet"], true);
        assert!(e["memcache"].get("response").is_none());
    }
}

#[test]
fn bin_udp_counter_ops_as_a_flow() {
    let cfg = "packetbeat.flows:\n  timeout: 30s\n  period: -1s\npacketbeat.protocols:\n- {type: memcache, ports: [11211]}\n";
    let run = run_capture(
        cfg,
        &pcap("memcache/memcache_bin_udp_counter_ops.pcap"),
        &[],
    );
    assert!(run.output.status.success(), "{}", run.stderr());
    assert_eq!(run.of_type("memcache").len(), 3);
    let flows = run.of_type("flow");
    assert_eq!(flows.len(), 1, "{:#?}", run.events);
    let f = flows[0];
    assert_eq!(f["source"]["ip"], "192.168.188.37");
    assert_eq!(f["source"]["port"], 63888);
    assert_eq!(f["destination"]["port"], 11211);
    assert_eq!(f["source"]["packets"], 3);
    assert_eq!(f["source"]["bytes"], 280);
    assert_eq!(f["source"]["mac"], "AC-BC-32-77-41-0B");
    assert_eq!(f["destination"]["mac"], "08-00-27-DD-3B-28");
}

#[test]
fn bin_udp_delete() {
    let ev = memcache("memcache_bin_udp_delete.pcap");
    check_common(&ev, "binary", "udp");
    let ops: Vec<&str> = ev
        .iter()
        .map(|e| req(e)["opcode"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(ops, ["SetQ", "DeleteQ"]);
    for e in &ev {
        assert_eq!(e["status"], "OK");
        assert_eq!(req(e)["quiet"], true);
    }
}

#[test]
fn bin_udp_multi_store() {
    let ev = memcache("memcache_bin_udp_multi_store.pcap");
    check_common(&ev, "binary", "udp");
    assert_eq!(ev.len(), 3);
    assert_eq!(
        sorted(set_sizes(&ev)),
        vec![k("k1", 100), k("k2", 20), k("k3", 10)]
    );
    for e in &ev {
        assert_eq!(e["status"], "OK");
        assert_eq!(req(e)["quiet"], true);
        assert_eq!(req(e)["opcode"], "SetQ");
    }
}

#[test]
fn bin_udp_single_store() {
    let ev = memcache("memcache_bin_udp_single_store.pcap");
    check_common(&ev, "binary", "udp");
    assert_eq!(ev.len(), 1);
    assert_eq!(req(&ev[0])["opcode"], "SetQ");
    assert_eq!(req(&ev[0])["quiet"], true);
    assert_eq!(req(&ev[0])["bytes"], 1024);
    assert_eq!(ev[0]["status"], "OK");
}

#[test]
fn text_tcp_counter_ops() {
    let ev = memcache("memcache_text_tcp_counter_ops.pcap");
    check_common(&ev, "text", "tcp");
    assert_eq!(ev.len(), 5, "{ev:#?}");
    let cmds: Vec<&str> = ev
        .iter()
        .map(|e| req(e)["command"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(cmds, ["set", "incr", "decr", "get", "quit"]);
    for e in &ev {
        assert_eq!(e["status"], "OK");
    }
    assert_eq!(resp(&ev[1])["value"], 2);
    assert_eq!(resp(&ev[1])["command"], "<counter_op_res>");
    assert_eq!(resp(&ev[2])["value"], 0);
    // quit is published at once, with no response.
    assert!(ev[4]["memcache"].get("response").is_none());
}

#[test]
fn text_tcp_delete() {
    let ev = memcache("memcache_text_tcp_delete.pcap");
    check_common(&ev, "text", "tcp");
    assert_eq!(ev.len(), 4, "{ev:#?}");
    for e in &ev {
        assert_eq!(e["status"], "OK");
    }
    assert_eq!(req(&ev[1])["command"], "delete");
    assert_eq!(resp(&ev[1])["command"], "DELETED");
    assert_eq!(req(&ev[2])["command"], "get");
    assert_eq!(resp(&ev[2])["command"], "END");
    assert_eq!(ev[2]["event"]["outcome"], "success");
}

#[test]
fn text_tcp_multi_store_load() {
    let ev = memcache("memcache_text_tcp_multi_store_load.pcap");
    check_common(&ev, "text", "tcp");
    assert_eq!(
        sorted(set_sizes(&ev[..3])),
        vec![k("k1", 100), k("k2", 20), k("k3", 10)]
    );
    let get = &ev[3];
    assert_eq!(req(get)["keys"], json!(["x", "k1", "k2", "k3", "y"]));
    assert_eq!(resp(get)["keys"], json!(["k1", "k2", "k3"]));
    assert_eq!(resp(get)["bytes"], 130);
    assert_eq!(resp(get)["count_values"], 3);
    assert!(
        resp(get).get("values").is_none(),
        "maxvalues is 0 by default"
    );
}

#[test]
fn text_tcp_values_with_maxvalues() {
    let ev = memcache_with(
        "memcache_text_tcp_multi_store_load.pcap",
        "maxvalues: 2, maxbytespervalue: 4",
        false,
    );
    let get = &ev[3];
    // "aaaa", "bbbb" in base64: two values, each cut to four bytes.
    assert_eq!(resp(get)["values"], json!(["YWFhYQ==", "YmJiYg=="]));
    assert_eq!(resp(get)["count_values"], 3);
    let set = ev
        .iter()
        .find(|e| req(e)["keys"][0] == "k1")
        .expect("set k1");
    assert_eq!(req(set)["values"], "YWFhYQ==");
}

#[test]
fn text_tcp_single_load_store() {
    let ev = memcache("memcache_text_tcp_single_load_store.pcap");
    check_common(&ev, "text", "tcp");
    assert_eq!(req(&ev[0])["command"], "set");
    assert_eq!(req(&ev[0])["noreply"], false);
    assert_eq!(req(&ev[0])["bytes"], 2046);
    assert_eq!(resp(&ev[0])["type"], "Success");
    assert_eq!(resp(&ev[1])["keys"], json!(["test_key"]));
    assert_eq!(resp(&ev[1])["bytes"], 2046);
}

#[test]
fn text_tcp_stats() {
    let ev = memcache("memcache_text_tcp_stats.pcap");
    check_common(&ev, "text", "tcp");
    let e = &ev[2];
    assert_eq!(req(e)["command"], "stats");
    assert!(req(e).get("raw_args").is_some(), "{e}");
    assert_eq!(resp(e)["command"], "STAT");
    assert_eq!(resp(e)["type"], "Stats");
    assert!(resp(e)["stats"].as_array().is_some_and(|s| s.len() > 10));
}

#[test]
fn text_udp_counter_ops() {
    let ev = memcache("memcache_text_udp_counter_ops.pcap");
    check_common(&ev, "text", "udp");
    let cmds: Vec<&str> = ev
        .iter()
        .map(|e| req(e)["command"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(cmds, ["set", "incr", "decr"]);
    for e in &ev {
        assert_eq!(e["status"], "OK");
        assert_eq!(req(e)["noreply"], true);
    }
}

#[test]
fn text_udp_delete() {
    let ev = memcache("memcache_text_udp_delete.pcap");
    check_common(&ev, "text", "udp");
    let cmds: Vec<&str> = ev
        .iter()
        .map(|e| req(e)["command"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(cmds, ["set", "delete"]);
    for e in &ev {
        assert_eq!(e["status"], "OK");
        assert_eq!(req(e)["noreply"], true);
    }
}

#[test]
fn text_udp_multi_store() {
    let ev = memcache("memcache_text_udp_multi_store.pcap");
    check_common(&ev, "text", "udp");
    assert_eq!(ev.len(), 3);
    assert_eq!(
        sorted(set_sizes(&ev)),
        vec![k("k1", 100), k("k2", 20), k("k3", 10)]
    );
}

#[test]
fn text_udp_single_store() {
    let ev = memcache("memcache_text_udp_single_store.pcap");
    check_common(&ev, "text", "udp");
    assert_eq!(ev.len(), 1);
    assert_eq!(req(&ev[0])["bytes"], 1024);
    assert_eq!(req(&ev[0])["noreply"], true);
}

#[test]
fn udp_timeout_as_a_duration_string_gives_the_same_events() {
    let a = memcache_with(
        "memcache_text_udp_counter_ops.pcap",
        "udptransactiontimeout: 200",
        false,
    );
    let b = memcache_with(
        "memcache_text_udp_counter_ops.pcap",
        "udptransactiontimeout: 200ms",
        false,
    );
    assert_eq!(a, b);
}

#[test]
fn send_request_and_response_tags_and_fields() {
    let ev = memcache_with(
        "memcache_text_tcp_delete.pcap",
        "send_request: true, send_response: true, tags: [cache], fields: {team: a}",
        false,
    );
    assert_eq!(ev[1]["request"], "delete key");
    assert_eq!(ev[1]["response"], "DELETED");
    assert_eq!(ev[1]["tags"], json!(["cache"]));
    assert_eq!(ev[1]["fields"]["team"], "a");
    let plain = memcache("memcache_text_tcp_delete.pcap");
    assert!(plain[1].get("request").is_none() && plain[1].get("response").is_none());
}

#[test]
fn no_other_shared_capture_has_memcache() {
    let cfg = "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {type: memcache, ports: [11211]}\n";
    for path in common::all_captures() {
        if path.to_string_lossy().contains("/memcache/") {
            continue;
        }
        let run = run_capture(cfg, &path, &[]);
        assert!(
            run.of_type("memcache").is_empty(),
            "{}: unexpected memcache events",
            path.display()
        );
    }
}
