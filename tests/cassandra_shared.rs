//! Cassandra on every capture of `../shared/pcaps/packetbeat/cassandra/v4`, through the CLI,
//! checked against the facts its MANIFEST states (cassandra on port 9042, flows off), also
//! with segments reordered within a direction and with lost data segments.

mod common;
use common::pcap_edit::{drop_data_segments, read_pcap, reorder_same_direction, write_pcap, Pcap};
use common::{pcap, run_capture};
use serde_json::Value;
use std::path::Path;

fn capture(name: &str) -> std::path::PathBuf {
    pcap(&format!("cassandra/v4/{name}"))
}

fn run_path(path: &Path, options: &str) -> Vec<Value> {
    let cfg = format!(
        "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {{type: cassandra, ports: [9042]{}{options}}}\n",
        if options.is_empty() { "" } else { ", " }
    );
    let run = run_capture(&cfg, path, &[]);
    assert!(run.output.status.success(), "{path:?}: {}", run.stderr());
    run.of_type("cassandra").into_iter().cloned().collect()
}

fn cassandra(name: &str, options: &str) -> Vec<Value> {
    run_path(&capture(name), options)
}

/// (request op, request stream, response op, response stream) of each event.
fn ops(ev: &[Value]) -> Vec<(String, i64, String, i64)> {
    ev.iter()
        .map(|e| {
            let (q, r) = (
                &e["cassandra"]["request"]["headers"],
                &e["cassandra"]["response"]["headers"],
            );
            (
                q["op"].as_str().unwrap_or("").to_string(),
                q["stream"].as_i64().unwrap_or(-1),
                r["op"].as_str().unwrap_or("").to_string(),
                r["stream"].as_i64().unwrap_or(-1),
            )
        })
        .collect()
}

fn op(q: &str, qs: i64, r: &str, rs: i64) -> (String, i64, String, i64) {
    (q.into(), qs, r.into(), rs)
}

#[test]
fn create_keyspace() {
    let ev = cassandra("cassandra_create_keyspace.pcap", "");
    // MANIFEST: "one event" is the upstream test reading the first; the capture goes on with
    // the driver's schema agreement queries, each answered on its own stream.
    let e = &ev[0];
    assert_eq!(e["event"]["duration"], 62_453_000);
    assert_eq!(e["client"]["ip"], "127.0.0.1");
    assert_eq!(e["client"]["port"], 52749);
    assert_eq!(e["client"]["bytes"], 133);
    assert_eq!(e["server"]["bytes"], 44);
    assert_eq!(e["network"]["bytes"], 177);
    assert_eq!(
        e["network"]["community_id"],
        "1:bCORHZnGIk6GWYaE3Kn0DOpQCKE="
    );
    let q = &e["cassandra"]["request"];
    assert_eq!(q["headers"]["version"], "4");
    assert_eq!(q["headers"]["op"], "QUERY");
    assert_eq!(q["headers"]["length"], 124);
    assert_eq!(q["headers"]["flags"], "Default");
    assert_eq!(q["headers"]["stream"], 20);
    assert!(q["query"]
        .as_str()
        .is_some_and(|s| s.starts_with("CREATE KEYSPACE mykeyspace")));
    let r = &e["cassandra"]["response"];
    assert_eq!(r["headers"]["op"], "RESULT");
    assert_eq!(r["headers"]["length"], 35);
    assert_eq!(r["result"]["type"], "schemaChanged");
    let sc = &r["result"]["schema_change"];
    assert_eq!(
        (&sc["change"], &sc["target"], &sc["keyspace"]),
        (
            &Value::from("CREATED"),
            &Value::from("KEYSPACE"),
            &Value::from("mykeyspace")
        )
    );
    assert_eq!(e["status"], "OK");
    // Every later event pairs a request with the answer on its own stream.
    for (qop, qs, rop, rs) in ops(&ev) {
        assert_eq!((qop.as_str(), rop.as_str(), qs), ("QUERY", "RESULT", rs));
    }
}

#[test]
fn create_index_and_create_table() {
    let ev = cassandra("cassandra_create_index.pcap", "");
    let h = |e: &Value, side: &str, k: &str| e["cassandra"][side]["headers"][k].clone();
    assert_eq!(h(&ev[0], "request", "stream"), 92);
    assert_eq!(h(&ev[0], "request", "length"), 51);
    assert_eq!(
        ev[0]["cassandra"]["request"]["query"],
        "CREATE INDEX ON users (lname);"
    );
    assert_eq!(
        ev[0]["cassandra"]["response"]["result"]["type"],
        "schemaChanged"
    );
    assert_eq!(h(&ev[0], "response", "length"), 39);
    let ev = cassandra("cassandra_create_table.pcap", "");
    assert_eq!(h(&ev[0], "request", "stream"), 49);
    assert_eq!(h(&ev[0], "request", "length"), 98);
    assert_eq!(h(&ev[0], "response", "length"), 39);
    assert_eq!(
        ev[0]["cassandra"]["response"]["result"]["type"],
        "schemaChanged"
    );
    assert_eq!(
        ev[0]["cassandra"]["request"]["query"],
        "CREATE TABLE users (\n  user_id int PRIMARY KEY,\n  fname text,\n  lname text\n);"
    );
}

#[test]
fn insert_select_and_select_via_index() {
    let ev = cassandra("cassandra_insert.pcap", "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ops(&ev), vec![op("QUERY", 252, "RESULT", 252)]);
    assert_eq!(ev[0]["cassandra"]["request"]["headers"]["length"], 97);
    assert_eq!(ev[0]["cassandra"]["response"]["headers"]["length"], 4);
    assert_eq!(ev[0]["cassandra"]["response"]["result"]["type"], "void");
    for (name, stream, length) in [
        ("cassandra_select.pcap", 253, 41),
        ("cassandra_select_via_index.pcap", 262, 63),
    ] {
        let ev = cassandra(name, "");
        assert_eq!(ev.len(), 1, "{name}");
        assert_eq!(ops(&ev), vec![op("QUERY", stream, "RESULT", stream)]);
        assert_eq!(ev[0]["cassandra"]["request"]["headers"]["length"], length);
        let r = &ev[0]["cassandra"]["response"];
        assert_eq!(r["headers"]["length"], 89);
        assert_eq!(r["result"]["type"], "rows");
        assert_eq!(r["result"]["rows"]["num_rows"], 1);
        assert_eq!(r["result"]["rows"]["meta"]["keyspace"], "mykeyspace");
        assert_eq!(r["result"]["rows"]["meta"]["table"], "users");
        assert_eq!(r["result"]["rows"]["meta"]["col_count"], 3);
    }
}

#[test]
fn tracing_request_answered_by_an_error() {
    let ev = cassandra("cassandra_trace_err.pcap", "");
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    let q = &e["cassandra"]["request"]["headers"];
    assert_eq!(
        (&q["flags"], &q["stream"], &q["length"]),
        (&"Tracing".into(), &275.into(), &46.into())
    );
    let r = &e["cassandra"]["response"];
    assert_eq!(r["headers"]["op"], "ERROR");
    assert_eq!(r["headers"]["length"], 53);
    assert_eq!(r["error"]["code"], 8960);
    assert_eq!(r["error"]["type"], "errConfig");
    assert_eq!(
        r["error"]["msg"],
        "Cannot drop non existing keyspace 'mykeyspace'."
    );
    assert_eq!(e["source"]["bytes"], 55);
    assert_eq!(e["destination"]["bytes"], 62);
    assert_eq!(e["status"], "Error");
}

#[test]
fn mixed_frame_and_ignored_ops() {
    let ev = cassandra("cassandra_mixed_frame.pcap", "");
    assert_eq!(
        ops(&ev[..3]),
        vec![
            op("OPTIONS", 0, "SUPPORTED", 0),
            op("STARTUP", 1, "READY", 1),
            op("REGISTER", 2, "READY", 2)
        ]
    );
    let bytes: Vec<_> = ev[..3]
        .iter()
        .map(|e| {
            (
                e["source"]["bytes"].clone(),
                e["destination"]["bytes"].clone(),
            )
        })
        .collect();
    assert_eq!(
        bytes,
        vec![
            (9.into(), 61.into()),
            (31.into(), 9.into()),
            (58.into(), 9.into())
        ]
    );
    let supported = &ev[0]["cassandra"]["response"]["supported"];
    assert_eq!(
        supported["COMPRESSION"],
        serde_json::json!(["snappy", "lz4"])
    );
    let ev = cassandra(
        "cassandra_mixed_frame.pcap",
        "ignored_ops: [OPTIONS, REGISTER]",
    );
    assert_eq!(
        ops(&ev[..2]),
        vec![op("STARTUP", 1, "READY", 1), op("QUERY", 3, "RESULT", 3)]
    );
    assert_eq!(ev[1]["source"]["bytes"], 101);
    assert_eq!(ev[1]["destination"]["bytes"], 116);
    assert_eq!(ev[1]["cassandra"]["response"]["headers"]["length"], 107);
    assert!(ev.iter().all(|e| !["OPTIONS", "REGISTER"].contains(
        &e["cassandra"]["request"]["headers"]["op"]
            .as_str()
            .unwrap_or("")
    )));
}

#[test]
fn compressed_with_packetbeat_order_pairing() {
    let ev = cassandra(
        "cassandra_compressed.pcap",
        "compressor: snappy, pairing: fifo",
    );
    assert_eq!(
        ops(&ev[..3]),
        vec![
            op("STARTUP", 0, "READY", 0),
            op("REGISTER", 64, "READY", 64),
            op("QUERY", 0, "RESULT", 64)
        ]
    );
    assert_eq!(
        ev[0]["cassandra"]["response"]["headers"]["flags"],
        "Compress"
    );
    assert_eq!(ev[0]["source"]["bytes"], 52);
    assert_eq!(ev[0]["destination"]["bytes"], 10);
    let e = &ev[2]["cassandra"];
    assert_eq!(
        e["request"]["query"],
        "SELECT * FROM system.local WHERE key='local'"
    );
    let rows = &e["response"]["result"]["rows"];
    assert_eq!(e["response"]["result"]["type"], "rows");
    assert_eq!(rows["meta"]["keyspace"], "system");
    assert_eq!(rows["meta"]["table"], "peers");
    assert_eq!(rows["meta"]["col_count"], 9);
    assert_eq!(rows["meta"]["flags"], "GlobalTableSpec");
    // MANIFEST: Packetbeat reports num_rows 290917 here. The decompressed body of this
    // system.peers result ends with a row count of 0 (`00 00 00 00` after the last column
    // type, a set<varchar>): 0 is what the server sent.
    assert_eq!(rows["num_rows"], 0);
}

#[test]
fn compressed_paired_by_stream_and_compressor_from_startup() {
    // No `compressor` option: STARTUP's COMPRESSION=snappy is enough.
    let ev = cassandra("cassandra_compressed.pcap", "");
    let first = ops(&ev[..4]);
    assert_eq!(
        first,
        vec![
            op("STARTUP", 0, "READY", 0),
            op("REGISTER", 64, "READY", 64),
            op("QUERY", 64, "RESULT", 64),
            op("QUERY", 0, "RESULT", 0)
        ]
    );
    assert_eq!(
        ev[3]["cassandra"]["response"]["result"]["rows"]["meta"]["table"],
        "local"
    );
    assert_eq!(
        ev[3]["cassandra"]["response"]["result"]["rows"]["num_rows"],
        1
    );
    for (qop, qs, rop, rs) in ops(&ev) {
        assert_eq!(qs, rs, "{qop} -> {rop}");
    }
    assert_eq!(
        ev,
        cassandra("cassandra_compressed.pcap", "compressor: snappy")
    );
}

/// What a transaction says, for comparing runs.
fn outcome(e: &Value) -> String {
    let c = &e["cassandra"];
    format!(
        "{} {} {} {} {}",
        c["request"]["headers"]["stream"],
        c["request"]["query"],
        c["response"]["headers"]["stream"],
        c["response"]["headers"]["length"],
        c["response"]["result"]
    )
}

/// Rewrites a NULL/loopback capture as Ethernet, the link type `pcap_edit` understands.
fn to_ethernet(p: &mut Pcap) {
    assert_eq!(p.header[20..24], [0, 0, 0, 0], "NULL/loopback link type");
    p.header[20..24].copy_from_slice(&1u32.to_le_bytes());
    for r in &mut p.records {
        let family = u32::from_le_bytes(r[16..20].try_into().expect("4 bytes"));
        let ethertype: u16 = if family == 2 { 0x0800 } else { 0x86dd };
        let mut frame = vec![0u8; 12];
        frame.extend_from_slice(&ethertype.to_be_bytes());
        frame.extend_from_slice(&r[20..]);
        for len_at in [8, 12] {
            let n = u32::from_le_bytes(r[len_at..len_at + 4].try_into().expect("4 bytes")) + 10;
            r[len_at..len_at + 4].copy_from_slice(&n.to_le_bytes());
        }
        r.truncate(16);
        r.extend_from_slice(&frame);
    }
}

fn edited(name: &str, edit: impl Fn(&mut Pcap) -> usize) -> Vec<Value> {
    let mut p = read_pcap(&capture(name));
    to_ethernet(&mut p);
    assert!(edit(&mut p) > 0, "{name}: nothing edited");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    write_pcap(&p, &path);
    run_path(&path, "")
}

#[test]
fn reordered_segments_give_the_same_transactions() {
    for name in [
        "cassandra_mixed_frame.pcap",
        "cassandra_compressed.pcap",
        "cassandra_create_index.pcap",
    ] {
        let mut straight: Vec<_> = cassandra(name, "").iter().map(outcome).collect();
        let mut reordered: Vec<_> = edited(name, |p| reorder_same_direction(p, 2))
            .iter()
            .map(outcome)
            .collect();
        straight.sort();
        reordered.sort();
        assert_eq!(straight, reordered, "{name}");
    }
}

#[test]
fn lost_segments_never_invent_a_pairing() {
    // mixed_frame: data segments 32.. are the CQL connections (before them: HTTP on 9200): a
    // QUERY, a segment of several results, both halves of a 18 kB result, the tail of the last
    // one. compressed: two long snappy-compressed results.
    for (name, skip) in [
        ("cassandra_mixed_frame.pcap", 39),
        ("cassandra_mixed_frame.pcap", 50),
        ("cassandra_mixed_frame.pcap", 52),
        ("cassandra_mixed_frame.pcap", 53),
        ("cassandra_mixed_frame.pcap", 55),
        ("cassandra_compressed.pcap", 6),
        ("cassandra_compressed.pcap", 11),
    ] {
        let straight: Vec<_> = cassandra(name, "").iter().map(outcome).collect();
        let lossy = edited(name, |p| drop_data_segments(p, skip, 1000));
        assert!(!lossy.is_empty(), "skip {skip}");
        for e in &lossy {
            let o = outcome(e);
            assert!(
                straight.contains(&o),
                "{name} skip {skip}: {o} is not a transaction of the capture"
            );
        }
        // A lost segment costs the transactions it carried (segment 50 holds four results),
        // not the rest of the connection.
        let lost = straight.len() - lossy.len();
        assert!(
            (1..=4).contains(&lost),
            "{name} skip {skip}: {lost} transactions lost"
        );
    }
}

#[test]
fn common_options_tags_fields_and_send_switches() {
    let ev = cassandra(
        "cassandra_insert.pcap",
        "tags: [cql], fields: {env: test}, send_response: false, transaction_timeout: 5s",
    );
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["tags"], serde_json::json!(["cql"]));
    assert_eq!(ev[0]["fields"]["env"], "test");
    assert!(ev[0]["cassandra"].get("response").is_none());
    assert_eq!(ev[0]["cassandra"]["request"]["headers"]["stream"], 252);
    // Another port: nothing on 9042 is analysed.
    let cfg = "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {type: cassandra, ports: [9043]}\n";
    let run = run_capture(cfg, &capture("cassandra_insert.pcap"), &[]);
    assert!(run.of_type("cassandra").is_empty());
}
