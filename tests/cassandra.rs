//! Cassandra on hand-made frames built from native_protocol_v4.spec / v5 (Apache Cassandra):
//! every opcode, each RESULT kind, error codes with their details, snappy and lz4 bodies,
//! tracing / warning / custom payload flags, out-of-order streams under both pairings, EVENT
//! pushes, ignored_ops and header options, credentials, garbage, huge declared lengths, frames
//! over many segments, lost bytes, and v5 segment framing.

use serde_json::{json, Value};
use wb_proto::cassandra::{self, segment};
use wb_proto::Dir;
use wb_testkit::suite::{test_protocol_config, PORT};
use wb_testkit::{run_frames, Conversation, Segmentation};

// Opcodes (spec §2.4).
const ERROR: u8 = 0x00;
const STARTUP: u8 = 0x01;
const READY: u8 = 0x02;
const AUTHENTICATE: u8 = 0x03;
const OPTIONS: u8 = 0x05;
const SUPPORTED: u8 = 0x06;
const QUERY: u8 = 0x07;
const RESULT: u8 = 0x08;
const PREPARE: u8 = 0x09;
const EXECUTE: u8 = 0x0A;
const REGISTER: u8 = 0x0B;
const EVENT: u8 = 0x0C;
const BATCH: u8 = 0x0D;
const AUTH_CHALLENGE: u8 = 0x0E;
const AUTH_RESPONSE: u8 = 0x0F;
const AUTH_SUCCESS: u8 = 0x10;

/// A frame: version (top bit for responses), flags, stream, opcode, [int] length, body.
fn frame(version: u8, flags: u8, stream: i16, op: u8, body: &[u8]) -> Vec<u8> {
    let mut f = vec![version, flags];
    f.extend_from_slice(&stream.to_be_bytes());
    f.push(op);
    f.extend_from_slice(&(body.len() as u32).to_be_bytes());
    f.extend_from_slice(body);
    f
}

/// A v4 request.
fn req(stream: i16, op: u8, body: &[u8]) -> Vec<u8> {
    frame(0x04, 0, stream, op, body)
}

/// A v4 response.
fn resp(stream: i16, op: u8, body: &[u8]) -> Vec<u8> {
    frame(0x84, 0, stream, op, body)
}

fn short(n: u16) -> Vec<u8> {
    n.to_be_bytes().to_vec()
}

fn int(n: i32) -> Vec<u8> {
    n.to_be_bytes().to_vec()
}

/// [string].
fn string(s: &str) -> Vec<u8> {
    [short(s.len() as u16), s.as_bytes().to_vec()].concat()
}

/// [long string].
fn long_string(s: &str) -> Vec<u8> {
    [int(s.len() as i32), s.as_bytes().to_vec()].concat()
}

/// [string list].
fn string_list(items: &[&str]) -> Vec<u8> {
    let mut v = short(items.len() as u16);
    for s in items {
        v.extend(string(s));
    }
    v
}

/// [string map].
fn string_map(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut v = short(pairs.len() as u16);
    for (k, val) in pairs {
        v.extend(string(k));
        v.extend(string(val));
    }
    v
}

/// QUERY body: the text, consistency ONE, no query flags (v4: a [byte]).
fn query(text: &str) -> Vec<u8> {
    [long_string(text), short(1), vec![0]].concat()
}

/// RESULT rows with a global table spec, one varchar column `v`, and `values` as rows.
fn rows(ks: &str, table: &str, values: &[&str]) -> Vec<u8> {
    let mut b = [
        int(2),
        int(1),
        int(1),
        string(ks),
        string(table),
        string("v"),
        short(0x0d),
    ]
    .concat();
    b.extend(int(values.len() as i32));
    for v in values {
        b.extend(int(v.len() as i32));
        b.extend_from_slice(v.as_bytes());
    }
    b
}

fn void() -> Vec<u8> {
    int(1)
}

/// ERROR body: code, message, details.
fn error(code: i32, msg: &str, details: &[u8]) -> Vec<u8> {
    [int(code), string(msg), details.to_vec()].concat()
}

fn protocol_with(
    options: &[(&str, serde_yaml_ng::Value)],
) -> std::sync::Arc<dyn wb_proto::Protocol> {
    let mut cfg = test_protocol_config(cassandra::NAME);
    for (k, v) in options {
        cfg.options.insert((*k).into(), v.clone());
    }
    cassandra::Cassandra::build(&cfg).unwrap_or_else(|e| panic!("{e}"))
}

fn run_with(
    conv: &Conversation,
    seg: Segmentation,
    options: &[(&str, serde_yaml_ng::Value)],
) -> Vec<Value> {
    run_frames(vec![protocol_with(options)], &conv.frames(seg, None))
}

fn run(conv: &Conversation) -> Vec<Value> {
    run_with(conv, Segmentation::Whole, &[])
}

/// A conversation of alternating messages.
fn conv(messages: &[(Dir, Vec<u8>)]) -> Conversation {
    messages
        .iter()
        .fold(Conversation::new(PORT), |c, (d, m)| c.message(*d, m))
}

fn c(m: Vec<u8>) -> (Dir, Vec<u8>) {
    (Dir::ToServer, m)
}

fn s(m: Vec<u8>) -> (Dir, Vec<u8>) {
    (Dir::ToClient, m)
}

/// (request op, request stream, response op, response stream).
fn ops(ev: &[Value]) -> Vec<(String, i64, String, i64)> {
    ev.iter()
        .map(|e| {
            let (q, r) = (
                &e["cassandra"]["request"]["headers"],
                &e["cassandra"]["response"]["headers"],
            );
            (
                q["op"].as_str().unwrap_or("-").to_string(),
                q["stream"].as_i64().unwrap_or(i64::MIN),
                r["op"].as_str().unwrap_or("-").to_string(),
                r["stream"].as_i64().unwrap_or(i64::MIN),
            )
        })
        .collect()
}

fn op(q: &str, qs: i64, r: &str, rs: i64) -> (String, i64, String, i64) {
    (q.into(), qs, r.into(), rs)
}

fn response(e: &Value) -> &Value {
    &e["cassandra"]["response"]
}

#[test]
fn every_opcode_in_one_session_and_credentials_never_appear() {
    let password = "s3cr3t-Pa55";
    let token = [b"\0cassandra_user\0".as_slice(), password.as_bytes()].concat();
    let prepared = [
        int(4),
        short(2),
        vec![0xab, 0xcd],
        // Bind metadata: global spec, 1 column, 1 partition key column (index 0).
        int(1),
        int(1),
        int(1),
        short(0),
        string("ks"),
        string("users"),
        string("id"),
        short(0x09),
        // Result metadata: no columns.
        int(4),
        int(0),
    ]
    .concat();
    let batch = [
        vec![0],
        short(2),
        vec![0],
        long_string("INSERT INTO t (a) VALUES (1)"),
        short(0),
        vec![1],
        short(2),
        vec![0xab, 0xcd],
        short(1),
        int(4),
        int(7),
        short(1),
        vec![0],
    ]
    .concat();
    let status_change = [
        string("STATUS_CHANGE"),
        string("UP"),
        vec![4, 10, 0, 0, 2],
        int(9042),
    ]
    .concat();
    let schema_event = [
        string("SCHEMA_CHANGE"),
        string("CREATED"),
        string("FUNCTION"),
        string("ks"),
        string("f"),
        string_list(&["int", "text"]),
    ]
    .concat();
    let conv = conv(&[
        c(req(0, OPTIONS, b"")),
        s(resp(
            0,
            SUPPORTED,
            &[
                short(2),
                string("COMPRESSION"),
                string_list(&["snappy", "lz4"]),
                string("CQL_VERSION"),
                string_list(&["3.4.5"]),
            ]
            .concat(),
        )),
        c(req(1, STARTUP, &string_map(&[("CQL_VERSION", "3.0.0")]))),
        s(resp(
            1,
            AUTHENTICATE,
            &string("org.apache.cassandra.auth.PasswordAuthenticator"),
        )),
        c(req(
            2,
            AUTH_RESPONSE,
            &[int(token.len() as i32), token.clone()].concat(),
        )),
        s(resp(
            2,
            AUTH_CHALLENGE,
            &[int(6), b"nonce!".to_vec()].concat(),
        )),
        c(req(
            3,
            AUTH_RESPONSE,
            &[int(token.len() as i32), token.clone()].concat(),
        )),
        s(resp(3, AUTH_SUCCESS, &int(-1))),
        c(req(
            4,
            REGISTER,
            &string_list(&["STATUS_CHANGE", "SCHEMA_CHANGE"]),
        )),
        s(resp(4, READY, b"")),
        c(req(5, QUERY, &query("USE ks"))),
        s(resp(5, RESULT, &[int(3), string("ks")].concat())),
        c(req(
            6,
            PREPARE,
            &long_string("SELECT * FROM users WHERE id = ?"),
        )),
        s(resp(6, RESULT, &prepared)),
        c(req(
            7,
            EXECUTE,
            &[
                short(2),
                vec![0xab, 0xcd],
                short(1),
                vec![1],
                short(1),
                int(4),
                int(7),
            ]
            .concat(),
        )),
        s([resp(-1, EVENT, &status_change), resp(7, RESULT, &void())].concat()),
        c(req(8, BATCH, &batch)),
        s([resp(8, RESULT, &void()), resp(-1, EVENT, &schema_event)].concat()),
    ]);
    let ev = run(&conv);
    assert_eq!(
        ops(&ev),
        vec![
            op("OPTIONS", 0, "SUPPORTED", 0),
            op("STARTUP", 1, "AUTHENTICATE", 1),
            op("AUTH_RESPONSE", 2, "AUTH_CHALLENGE", 2),
            op("AUTH_RESPONSE", 3, "AUTH_SUCCESS", 3),
            op("REGISTER", 4, "READY", 4),
            op("QUERY", 5, "RESULT", 5),
            op("PREPARE", 6, "RESULT", 6),
            op("-", i64::MIN, "EVENT", -1),
            op("EXECUTE", 7, "RESULT", 7),
            op("BATCH", 8, "RESULT", 8),
            op("-", i64::MIN, "EVENT", -1),
        ]
    );
    assert_eq!(
        response(&ev[0])["supported"]["COMPRESSION"],
        json!(["snappy", "lz4"])
    );
    assert_eq!(
        response(&ev[1])["authentication"]["class"],
        "org.apache.cassandra.auth.PasswordAuthenticator"
    );
    assert_eq!(
        response(&ev[5])["result"],
        json!({"type": "setKeyspace", "keyspace": "ks"})
    );
    assert_eq!(
        ev[6]["cassandra"]["request"]["query"],
        "SELECT * FROM users WHERE id = ?"
    );
    assert_eq!(
        response(&ev[6])["result"],
        json!({"type": "prepared", "prepared": {
            "prepared_id": "q80=",
            "req_meta": {"keyspace": "ks", "table": "users", "flags": "GlobalTableSpec", "col_count": 1, "pkey_columns": [0]},
            "resp_meta": {"flags": "NoMetadata", "col_count": 0}
        }})
    );
    assert_eq!(
        ev[7]["cassandra"],
        json!({"no_request": true, "response": {
            "headers": {"version": "4", "flags": "Default", "stream": -1, "op": "EVENT", "length": status_change.len()},
            "event": {"type": "STATUS_CHANGE", "change": "UP", "host": "10.0.0.2", "port": 9042}
        }})
    );
    assert_eq!(ev[7]["status"], "OK");
    assert!(ev[7].get("source").and_then(|s| s.get("bytes")).is_none());
    assert_eq!(
        ev[9]["cassandra"]["request"]["query"],
        "INSERT INTO t (a) VALUES (1)"
    );
    assert_eq!(
        response(&ev[10])["event"],
        json!({"type": "SCHEMA_CHANGE", "schema_change": {"change": "CREATED", "target": "FUNCTION", "keyspace": "ks", "name": "f", "args": ["int", "text"]}})
    );
    // The SASL PLAIN token (user and password) is nowhere in the output.
    let text = serde_json::to_string(&ev).unwrap_or_default();
    assert!(
        !text.contains(password) && !text.contains("cassandra_user") && !text.contains("nonce")
    );
    // Byte by byte, the same events.
    assert_eq!(run_with(&conv, Segmentation::Chunks(1), &[]), ev);
}

#[test]
fn each_error_code_with_its_details() {
    let cl_quorum = short(4);
    let cases: Vec<(i32, Vec<u8>, &str, Value)> = vec![
        (0x0000, vec![], "errServer", json!(null)),
        (0x000A, vec![], "errProtocol", json!(null)),
        (0x0100, vec![], "errCredentials", json!(null)),
        (
            0x1000,
            [cl_quorum.clone(), int(3), int(1)].concat(),
            "errUnavailable",
            json!({"read_consistency": "QUORUM", "required": 3, "alive": 1}),
        ),
        (0x1001, vec![], "errOverloaded", json!(null)),
        (0x1002, vec![], "errBootstrapping", json!(null)),
        (0x1003, vec![], "errTruncate", json!(null)),
        (
            0x1100,
            [cl_quorum.clone(), int(1), int(2), string("SIMPLE")].concat(),
            "errWriteTimeout",
            json!({"read_consistency": "QUORUM", "received": 1, "blockfor": 2, "write_type": "SIMPLE"}),
        ),
        (
            0x1200,
            [short(1), int(0), int(1), vec![0]].concat(),
            "errReadTimeout",
            json!({"read_consistency": "ONE", "received": 0, "blockfor": 1, "data_present": false}),
        ),
        (
            0x1300,
            [short(10), int(0), int(1), int(1), vec![1]].concat(),
            "errReadFailure",
            json!({"read_consistency": "LOCAL_ONE", "received": 0, "blockfor": 1, "num_failures": 1, "data_present": true}),
        ),
        (
            0x1400,
            [string("ks"), string("fn"), string_list(&["int"])].concat(),
            "errFunctionFailure",
            json!({"keyspace": "ks", "function": "fn", "arg_types": ["int"]}),
        ),
        (
            0x1500,
            [short(5), int(1), int(3), int(2), string("BATCH")].concat(),
            "errWriteFailure",
            json!({"read_consistency": "ALL", "received": 1, "blockfor": 3, "num_failures": 2, "write_type": "BATCH"}),
        ),
        (0x2000, vec![], "errSyntax", json!(null)),
        (0x2100, vec![], "errUnauthorized", json!(null)),
        (0x2200, vec![], "errInvalid", json!(null)),
        (0x2300, vec![], "errConfig", json!(null)),
        (
            0x2400,
            [string("ks"), string("users")].concat(),
            "errAlreadyExists",
            json!({"keyspace": "ks", "table": "users"}),
        ),
        (
            0x2500,
            [short(3), vec![1, 2, 3]].concat(),
            "errUnprepared",
            json!({"stmt_id": "AQID"}),
        ),
    ];
    let mut messages = Vec::new();
    for (i, (code, details, _, _)) in cases.iter().enumerate() {
        messages.push(c(req(i as i16, QUERY, &query("SELECT 1"))));
        messages.push(s(resp(i as i16, ERROR, &error(*code, "failed", details))));
    }
    let ev = run(&conv(&messages));
    assert_eq!(ev.len(), cases.len());
    for (e, (code, _, kind, details)) in ev.iter().zip(&cases) {
        let err = &response(e)["error"];
        assert_eq!(e["status"], "Error");
        assert_eq!(err["code"], *code, "{kind}");
        assert_eq!(err["type"], *kind);
        assert_eq!(err["msg"], "failed");
        assert_eq!(err["details"], *details, "{kind}");
    }
}

#[test]
fn snappy_and_lz4_bodies() {
    let text = "SELECT v FROM ks.t WHERE k = 'compressed, compressed, compressed'";
    let result = rows("ks", "t", &["one", "two"]);
    let snappy = |b: &[u8]| {
        snap::raw::Encoder::new()
            .compress_vec(b)
            .unwrap_or_default()
    };
    let lz4 = |b: &[u8]| {
        [
            (b.len() as u32).to_be_bytes().to_vec(),
            lz4_flex::block::compress(b),
        ]
        .concat()
    };
    for (name, compress) in [
        ("snappy", &snappy as &dyn Fn(&[u8]) -> Vec<u8>),
        ("lz4", &lz4),
    ] {
        let conv = conv(&[
            c(req(
                0,
                STARTUP,
                &string_map(&[("CQL_VERSION", "3.0.0"), ("COMPRESSION", name)]),
            )),
            s(frame(0x84, 1, 0, READY, &compress(b""))),
            c(frame(0x04, 1, 1, QUERY, &compress(&query(text)))),
            s(frame(0x84, 1, 1, RESULT, &compress(&result))),
        ]);
        let ev = run(&conv);
        assert_eq!(ev.len(), 2, "{name}");
        assert_eq!(ev[1]["cassandra"]["request"]["query"], text, "{name}");
        assert_eq!(
            ev[1]["cassandra"]["request"]["headers"]["flags"],
            "Compress"
        );
        assert_eq!(response(&ev[1])["result"]["rows"]["num_rows"], 2, "{name}");
        // Mid-connection (no STARTUP seen), the `compressor` option decides.
        let later = Conversation::new(PORT)
            .message(
                Dir::ToServer,
                &frame(0x04, 1, 1, QUERY, &compress(&query(text))),
            )
            .message(
                Dir::ToClient,
                &frame(0x84, 1, 1, RESULT, &compress(&result)),
            );
        let ev = run_with(&later, Segmentation::Whole, &[("compressor", name.into())]);
        assert_eq!(ev[0]["cassandra"]["request"]["query"], text, "{name}");
        // Without it the headers are still published, with a note.
        let ev = run(&later);
        assert_eq!(ev[0]["cassandra"]["request"]["headers"]["op"], "QUERY");
        assert!(ev[0]["cassandra"]["request"].get("query").is_none());
        assert_eq!(ev[0]["error"]["message"][0], cassandra::NOTE_UNCOMPRESSED);
    }
    // A snappy body declaring a 1 GiB result is refused before anything is allocated.
    let bomb = [vec![0x80, 0x80, 0x80, 0x80, 0x04], vec![0; 16]].concat();
    let conv = conv(&[
        c(req(0, QUERY, &query("SELECT 1"))),
        s(frame(0x84, 1, 0, RESULT, &bomb)),
    ]);
    let ev = run_with(
        &conv,
        Segmentation::Whole,
        &[("compressor", "snappy".into())],
    );
    assert_eq!(ev[0]["error"]["message"], cassandra::NOTE_UNCOMPRESSED);
}

#[test]
fn tracing_warning_and_custom_payload_flags() {
    let tracing_id = [7u8; 16].to_vec();
    let payload = [short(1), string("k"), int(2), vec![1, 2]].concat();
    let conv = conv(&[
        // Tracing (0x02) and custom payload (0x04) on the request.
        c(frame(
            0x04,
            0x06,
            9,
            QUERY,
            &[payload.clone(), query("SELECT 9")].concat(),
        )),
        // Tracing id, warnings (0x08), then custom payload, then the result.
        s(frame(
            0x84,
            0x0e,
            9,
            RESULT,
            &[
                tracing_id,
                string_list(&["Aggregation query used without partition key"]),
                payload,
                void(),
            ]
            .concat(),
        )),
    ]);
    let ev = run(&conv);
    assert_eq!(ev.len(), 1);
    let e = &ev[0]["cassandra"];
    assert_eq!(e["request"]["headers"]["flags"], "Tracing|CustomPayload");
    assert_eq!(e["request"]["query"], "SELECT 9");
    assert_eq!(
        e["response"]["headers"]["flags"],
        "Tracing|CustomPayload|Warning"
    );
    assert_eq!(
        e["response"]["warnings"],
        json!(["Aggregation query used without partition key"])
    );
    assert_eq!(e["response"]["result"]["type"], "void");
}

#[test]
fn out_of_order_streams_under_both_pairings() {
    let conv = conv(&[
        c([
            req(1, QUERY, &query("SELECT a")),
            req(2, QUERY, &query("SELECT b")),
            req(3, QUERY, &query("SELECT c")),
        ]
        .concat()),
        s([
            resp(3, RESULT, &rows("ks", "c", &[])),
            resp(1, RESULT, &rows("ks", "a", &["x"])),
            resp(2, ERROR, &error(0x2200, "bad", &[])),
        ]
        .concat()),
    ]);
    let by_stream = run(&conv);
    let pairs: Vec<_> = by_stream
        .iter()
        .map(|e| {
            (
                e["cassandra"]["request"]["query"].clone(),
                e["status"].clone(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        vec![
            (json!("SELECT c"), json!("OK")),
            (json!("SELECT a"), json!("OK")),
            (json!("SELECT b"), json!("Error"))
        ]
    );
    assert_eq!(
        response(&by_stream[0])["result"]["rows"]["meta"]["table"],
        "c"
    );
    // Packetbeat's order pairing answers the first request with the first response.
    let fifo = run_with(&conv, Segmentation::Whole, &[("pairing", "fifo".into())]);
    assert_eq!(
        ops(&fifo),
        vec![
            op("QUERY", 1, "RESULT", 3),
            op("QUERY", 2, "RESULT", 1),
            op("QUERY", 3, "ERROR", 2)
        ]
    );
    // A response on a stream nobody asked on is dropped; a reused stream replaces the older
    // request.
    let conv2 = self::conv(&[
        c([
            req(4, QUERY, &query("first")),
            req(4, QUERY, &query("second")),
        ]
        .concat()),
        s([resp(5, RESULT, &void()), resp(4, RESULT, &void())].concat()),
    ]);
    let (ev, anomalies) = run_counting(&conv2, &[]);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["cassandra"]["request"]["query"], "second");
    assert_eq!(anomalies.get("cassandra", "stream_reused"), 1);
    assert_eq!(anomalies.get("cassandra", "unmatched_response"), 1);
    // With max_pending_requests 2, the oldest of three waiting requests is dropped.
    let (ev, anomalies) = run_counting(&conv, &[("max_pending_requests", 2.into())]);
    assert_eq!(
        ops(&ev),
        vec![op("QUERY", 3, "RESULT", 3), op("QUERY", 2, "ERROR", 2)]
    );
    assert_eq!(anomalies.get("cassandra", "too_many_pending_requests"), 1);
    assert_eq!(anomalies.get("cassandra", "unmatched_response"), 1);
}

fn run_counting(
    conv: &Conversation,
    options: &[(&str, serde_yaml_ng::Value)],
) -> (Vec<Value>, wb_proto::AnomalyCounts) {
    let config = wb_flow::EngineConfig {
        flows: None,
        ..Default::default()
    };
    wb_testkit::run_engine_counting(
        config,
        vec![protocol_with(options)],
        &conv.frames(Segmentation::Whole, None),
    )
}

#[test]
fn ignored_ops_and_header_options() {
    let conv = conv(&[
        c(req(0, OPTIONS, b"")),
        s(resp(0, SUPPORTED, &short(0))),
        c(req(1, QUERY, &query("SELECT 1"))),
        s(resp(1, RESULT, &void())),
        s(resp(
            -1,
            EVENT,
            &[
                string("TOPOLOGY_CHANGE"),
                string("NEW_NODE"),
                vec![4, 10, 0, 0, 3],
                int(9042),
            ]
            .concat(),
        )),
    ]);
    let ev = run_with(
        &conv,
        Segmentation::Whole,
        &[(
            "ignored_ops",
            serde_yaml_ng::from_str("[options, EVENT]").unwrap_or_default(),
        )],
    );
    assert_eq!(ops(&ev), vec![op("QUERY", 1, "RESULT", 1)]);
    let ev = run_with(
        &conv,
        Segmentation::Whole,
        &[
            ("send_request_header", false.into()),
            ("send_response_header", false.into()),
        ],
    );
    assert_eq!(
        ev[1]["cassandra"],
        json!({"request": {"query": "SELECT 1"}, "response": {"result": {"type": "void"}}})
    );
    let mut cfg = test_protocol_config(cassandra::NAME);
    cfg.send_request = false;
    let p = cassandra::Cassandra::build(&cfg).unwrap_or_else(|e| panic!("{e}"));
    let ev = run_frames(vec![p], &conv.frames(Segmentation::Whole, None));
    assert!(ev[1]["cassandra"].get("request").is_none());
    assert_eq!(ev[1]["source"]["bytes"], 9 + query("SELECT 1").len());
    assert_eq!(
        ev[2]["cassandra"]["response"]["event"]["change"],
        "NEW_NODE"
    );
    // Bad option values are refused by name.
    let mut cfg = test_protocol_config(cassandra::NAME);
    cfg.options.insert("compressor".into(), "deflate".into());
    assert!(cassandra::Cassandra::build(&cfg).is_err());
    let mut cfg = test_protocol_config(cassandra::NAME);
    cfg.options.insert("ignored_ops".into(), "SELECT".into());
    assert!(cassandra::Cassandra::build(&cfg).is_err());
    let mut cfg = test_protocol_config(cassandra::NAME);
    cfg.options.insert("pairing".into(), "random".into());
    assert!(cassandra::Cassandra::build(&cfg).is_err());
}

#[test]
fn garbage_then_frames_and_no_panic() {
    let garbage = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n\x04\x00\x00".to_vec();
    let conv = conv(&[
        c(garbage.clone()),
        s(b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec()),
    ]);
    assert!(run(&conv).is_empty());
    // Picked up mid-stream: the tail of an earlier frame, then whole frames.
    let conv = self::conv(&[
        c([
            b"tail of a query'\x00\x01\x00".to_vec(),
            req(1, QUERY, &query("SELECT 2")),
        ]
        .concat()),
        s([vec![0, 0, 0, 1, 0, 0], resp(1, RESULT, &void())].concat()),
    ]);
    let ev = run(&conv);
    assert_eq!(ops(&ev), vec![op("QUERY", 1, "RESULT", 1)]);
}

#[test]
fn huge_declared_lengths_are_skipped_by_counting() {
    // An ERROR declaring 200 MB: published with its headers and a note, nothing allocated,
    // and the bytes that follow are counted as its body.
    let mut huge = resp(1, ERROR, b"");
    huge[5..9].copy_from_slice(&(200u32 << 20).to_be_bytes());
    let conv = conv(&[
        c(req(1, QUERY, &query("SELECT 1"))),
        s([huge, vec![0x55; 3000]].concat()),
    ]);
    let ev = run(&conv);
    assert_eq!(ev.len(), 1);
    assert_eq!(response(&ev[0])["headers"]["length"], 200 << 20);
    assert_eq!(ev[0]["error"]["message"], cassandra::NOTE_TOO_LARGE);
    // With a small max_message_size a long query is not buffered; the next one is read.
    let long = format!("SELECT '{}'", "x".repeat(5000));
    let conv = self::conv(&[
        c([
            req(1, QUERY, &query(&long)),
            req(2, QUERY, &query("SELECT 2")),
        ]
        .concat()),
        s([resp(1, RESULT, &void()), resp(2, RESULT, &void())].concat()),
    ]);
    for seg in [Segmentation::Whole, Segmentation::Chunks(700)] {
        let ev = run_with(&conv, seg, &[("max_message_size", 1024.into())]);
        assert_eq!(
            ops(&ev),
            vec![op("QUERY", 1, "RESULT", 1), op("QUERY", 2, "RESULT", 2)]
        );
        assert!(ev[0]["cassandra"]["request"].get("query").is_none());
        assert_eq!(ev[0]["error"]["message"], cassandra::NOTE_TOO_LARGE);
        assert_eq!(ev[1]["cassandra"]["request"]["query"], "SELECT 2");
    }
    // A 2 MB result is decoded from its first bytes and its rows are counted, not buffered:
    // the same with a 100 kB max_message_size.
    let values: Vec<String> = (0..20_000).map(|i| format!("row-{i:0>90}")).collect();
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let conv = self::conv(&[
        c(req(3, QUERY, &query("SELECT v FROM ks.big"))),
        s(resp(3, RESULT, &rows("ks", "big", &refs))),
    ]);
    for max in [10 << 20, 100_000] {
        let ev = run_with(
            &conv,
            Segmentation::Chunks(1460),
            &[("max_message_size", max.into())],
        );
        assert_eq!(ev.len(), 1);
        assert_eq!(response(&ev[0])["result"]["rows"]["num_rows"], 20_000);
        assert!(ev[0].get("error").is_none());
    }
}

#[test]
fn a_frame_over_many_segments_and_lost_bytes() {
    let values: Vec<String> = (0..50).map(|i| format!("value {i}")).collect();
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let conv = conv(&[
        c(req(1, QUERY, &query("SELECT v FROM ks.t"))),
        s(resp(1, RESULT, &rows("ks", "t", &refs))),
        c(req(2, QUERY, &query("SELECT 2"))),
        s(resp(2, RESULT, &void())),
    ]);
    let whole = run(&conv);
    assert_eq!(response(&whole[0])["result"]["rows"]["num_rows"], 50);
    for size in [1, 2, 5, 13, 100] {
        assert_eq!(
            run_with(&conv, Segmentation::Chunks(size), &[]),
            whole,
            "{size}"
        );
    }
    // A request sent over two seconds, answered over two more: the times are those of each
    // message's first packet, as in Packetbeat.
    let q = req(1, QUERY, &query("SELECT slow"));
    let r = resp(1, RESULT, &void());
    let slow = Conversation::new(PORT)
        .message(Dir::ToServer, &q[..7])
        .message(Dir::ToServer, &q[7..])
        .message(Dir::ToClient, &r[..10])
        .message(Dir::ToClient, &r[10..]);
    let ev = run(&slow);
    assert_eq!(
        ev[0]["event"]["duration"], 2_000_000_000u64,
        "{}",
        ev[0]["event"]
    );
    assert_eq!(ev[0]["event"]["start"], ev[0]["@timestamp"]);
    // Bytes lost inside the first result: its transaction is lost, the next one is not.
    for pairing in ["stream_id", "fifo"] {
        let p = protocol_with(&[("pairing", pairing.into())]);
        let ev = run_frames(
            vec![p],
            &conv.frames(Segmentation::Chunks(50), Some((Dir::ToClient, 120, 40))),
        );
        assert_eq!(ops(&ev), vec![op("QUERY", 2, "RESULT", 2)], "{pairing}");
    }
}

/// A v5 frame in a self-contained uncompressed segment.
fn v5(frames: &[Vec<u8>]) -> Vec<u8> {
    segment::encode(&frames.concat(), true)
}

#[test]
fn v5_segments_after_startup() {
    let startup = frame(
        0x05,
        0,
        0,
        STARTUP,
        &string_map(&[("CQL_VERSION", "3.0.0")]),
    );
    let ready = frame(0x85, 0, 0, READY, b"");
    // v5 QUERY parameters: consistency, [int] flags.
    let q = |stream: i16, text: &str| {
        frame(
            0x05,
            0,
            stream,
            QUERY,
            &[long_string(text), short(1), int(0)].concat(),
        )
    };
    let values: Vec<String> = (0..3000).map(|i| format!("{i:0>60}")).collect();
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let big = frame(0x85, 0, 2, RESULT, &rows("ks", "big", &refs));
    assert!(big.len() > segment::MAX_PAYLOAD);
    // A large frame spans segments that are not self-contained.
    let mut big_segments = Vec::new();
    for piece in big.chunks(segment::MAX_PAYLOAD) {
        big_segments.extend(segment::encode(piece, false));
    }
    let read_failure = [
        short(1),
        int(0),
        int(1),
        int(2),
        vec![4, 10, 0, 0, 1],
        short(0),
        vec![4, 10, 0, 0, 2],
        short(1),
        vec![0],
    ]
    .concat();
    let conv = conv(&[
        c(startup),
        s(ready),
        c(v5(&[
            q(1, "SELECT 1"),
            q(2, "SELECT big"),
            q(3, "SELECT 3"),
        ])),
        s([
            v5(&[frame(0x85, 0, 1, RESULT, &void())]),
            big_segments,
            v5(&[frame(
                0x85,
                0,
                3,
                ERROR,
                &error(0x1300, "failed", &read_failure),
            )]),
        ]
        .concat()),
    ]);
    // Chunks: a 200 kB message does not fit one IPv4 packet.
    let ev = run_with(&conv, Segmentation::Chunks(1460), &[]);
    assert_eq!(
        ops(&ev),
        vec![
            op("STARTUP", 0, "READY", 0),
            op("QUERY", 1, "RESULT", 1),
            op("QUERY", 2, "RESULT", 2),
            op("QUERY", 3, "ERROR", 3)
        ]
    );
    assert_eq!(ev[1]["cassandra"]["request"]["headers"]["version"], "5");
    assert_eq!(response(&ev[2])["result"]["rows"]["num_rows"], 3000);
    assert_eq!(ev[2]["destination"]["bytes"], big.len());
    assert_eq!(response(&ev[3])["error"]["details"]["num_failures"], 2);
    assert_eq!(response(&ev[3])["error"]["type"], "errReadFailure");
    assert_eq!(run_with(&conv, Segmentation::Chunks(997), &[]), ev);
    // Picked up mid-connection (no STARTUP): the segments are recognised by their CRC.
    let later = self::conv(&[
        c(v5(&[q(4, "SELECT 4")])),
        s(v5(&[frame(0x85, 0, 4, RESULT, &void())])),
    ]);
    assert_eq!(ops(&run(&later)), vec![op("QUERY", 4, "RESULT", 4)]);
    // A corrupted segment payload (CRC32) loses its frames, not the connection.
    let mut bad = v5(&[frame(0x85, 0, 5, RESULT, &void())]);
    bad[8] ^= 0xff;
    let lossy = self::conv(&[
        c(v5(&[q(5, "SELECT 5"), q(6, "SELECT 6")])),
        s([bad, v5(&[frame(0x85, 0, 6, RESULT, &void())])].concat()),
    ]);
    assert_eq!(ops(&run(&lossy)), vec![op("QUERY", 6, "RESULT", 6)]);
}

#[test]
fn v5_lz4_compressed_segments() {
    let startup = frame(
        0x05,
        0,
        0,
        STARTUP,
        &string_map(&[("CQL_VERSION", "3.0.0"), ("COMPRESSION", "lz4")]),
    );
    let ready = frame(0x85, 0, 0, READY, b"");
    let lz4_segment = |payload: &[u8]| {
        let block = lz4_flex::block::compress(payload);
        let v: u64 = block.len() as u64 | (payload.len() as u64) << 17 | 1 << 34;
        let head: Vec<u8> = (0..5).map(|i| (v >> (8 * i)) as u8).collect();
        let crc = segment::crc24(&head);
        [
            head,
            vec![crc as u8, (crc >> 8) as u8, (crc >> 16) as u8],
            block.clone(),
            segment::crc32(&block).to_le_bytes().to_vec(),
        ]
        .concat()
    };
    let text = "SELECT * FROM ks.t WHERE a = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'";
    let conv = conv(&[
        c(startup),
        s(ready),
        c(lz4_segment(&frame(
            0x05,
            0,
            1,
            QUERY,
            &[long_string(text), short(1), int(0)].concat(),
        ))),
        s(lz4_segment(&frame(
            0x85,
            0,
            1,
            RESULT,
            &rows("ks", "t", &["a", "a", "a", "a"]),
        ))),
    ]);
    let ev = run(&conv);
    assert_eq!(
        ops(&ev),
        vec![op("STARTUP", 0, "READY", 0), op("QUERY", 1, "RESULT", 1)]
    );
    assert_eq!(ev[1]["cassandra"]["request"]["query"], text);
    assert_eq!(response(&ev[1])["result"]["rows"]["num_rows"], 4);
}

#[test]
fn result_kinds_and_rows_metadata() {
    // Rows with more pages (paging state) and per-column table specs (no global spec), with
    // nested column types: list<int>, map<text, frozen<tuple<int, text>>>, a UDT.
    let udt = [
        short(0x30),
        string("ks"),
        string("addr"),
        short(2),
        string("street"),
        short(0x0d),
        string("zip"),
        short(0x09),
    ]
    .concat();
    let paged = [
        int(2),
        int(0x0002),
        int(3),
        int(3),
        vec![9, 8, 7],
        string("ks"),
        string("t"),
        string("l"),
        short(0x20),
        short(0x09),
        string("ks"),
        string("t"),
        string("m"),
        short(0x21),
        short(0x0d),
        short(0x31),
        short(2),
        short(0x09),
        short(0x0d),
        string("ks"),
        string("t"),
        string("a"),
        udt,
        int(42),
    ]
    .concat();
    let schema = |target: &str, rest: Vec<u8>| {
        [
            int(5),
            string("DROPPED"),
            string(target),
            string("ks"),
            rest,
        ]
        .concat()
    };
    let conv = conv(&[
        c([1, 2, 3, 4, 5]
            .iter()
            .flat_map(|&i| req(i, QUERY, &query("x")))
            .collect()),
        s([
            resp(1, RESULT, &paged),
            resp(2, RESULT, &schema("TYPE", string("addr"))),
            resp(
                3,
                RESULT,
                &schema(
                    "AGGREGATE",
                    [string("avg2"), string_list(&["int"])].concat(),
                ),
            ),
            resp(4, RESULT, &schema("KEYSPACE", vec![])),
            resp(5, RESULT, &int(99)),
        ]
        .concat()),
    ]);
    let ev = run(&conv);
    let results: Vec<&Value> = ev.iter().map(|e| &response(e)["result"]).collect();
    assert_eq!(
        results[0],
        &json!({"type": "rows", "rows": {"num_rows": 42, "meta": {
            "paging_state": "CQgH", "keyspace": "ks", "table": "t", "flags": "HasMorePages", "col_count": 3
        }}})
    );
    assert_eq!(
        results[1]["schema_change"],
        json!({"change": "DROPPED", "target": "TYPE", "keyspace": "ks", "object": "addr"})
    );
    assert_eq!(
        results[2]["schema_change"],
        json!({"change": "DROPPED", "target": "AGGREGATE", "keyspace": "ks", "name": "avg2", "args": ["int"]})
    );
    assert_eq!(
        results[3]["schema_change"],
        json!({"change": "DROPPED", "target": "KEYSPACE", "keyspace": "ks"})
    );
    assert_eq!(results[4]["type"], "unknown(99)");
    // Protocol v3: prepared metadata has no partition key indexes.
    let v3_prepared = [
        int(4),
        short(1),
        vec![7],
        int(1),
        int(1),
        string("ks"),
        string("t"),
        string("id"),
        short(0x09),
        int(4),
        int(0),
    ]
    .concat();
    let conv = self::conv(&[
        c(frame(
            0x03,
            0,
            1,
            PREPARE,
            &long_string("SELECT * FROM t WHERE id = ?"),
        )),
        s(frame(0x83, 0, 1, RESULT, &v3_prepared)),
    ]);
    let ev = run(&conv);
    assert_eq!(ev[0]["cassandra"]["request"]["headers"]["version"], "3");
    assert_eq!(
        response(&ev[0])["result"]["prepared"],
        json!({"prepared_id": "Bw==", "req_meta": {"keyspace": "ks", "table": "t", "flags": "GlobalTableSpec", "col_count": 1}, "resp_meta": {"flags": "NoMetadata", "col_count": 0}})
    );
}

/// Messages of `tests/data/<name>` (written by `scripts/cassandra-driver-frames`): client
/// messages encoded by the DataStax Python driver; in v5, segments on both sides framed by the
/// driver's segment codec with LZ4.
fn driver_conversation(name: &str) -> Conversation {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines().fold(Conversation::new(PORT), |conv, line| {
        let (dir, hex) = line.split_at(2);
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .filter_map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
            .collect();
        let dir = if dir == "C " {
            Dir::ToServer
        } else {
            Dir::ToClient
        };
        conv.message(dir, &bytes)
    })
}

#[test]
fn v5_lz4_session_framed_by_the_python_driver() {
    let conv = driver_conversation("cassandra_driver_frames.txt");
    let ev = run_with(&conv, Segmentation::Chunks(1460), &[]);
    assert_eq!(
        ops(&ev),
        vec![
            op("OPTIONS", 0, "SUPPORTED", 0),
            op("STARTUP", 1, "AUTHENTICATE", 1),
            op("AUTH_RESPONSE", 2, "AUTH_SUCCESS", 2),
            op("PREPARE", 5, "RESULT", 5),
            op("REGISTER", 3, "READY", 3),
            op("QUERY", 4, "RESULT", 4),
            op("BATCH", 7, "RESULT", 7),
            op("EXECUTE", 6, "RESULT", 6),
        ]
    );
    assert_eq!(
        ev[3]["cassandra"]["request"]["query"],
        "INSERT INTO ks.t (k, v) VALUES (?, ?)"
    );
    assert_eq!(
        response(&ev[3])["result"]["prepared"]["req_meta"]["pkey_columns"],
        json!([0]),
        "{}",
        response(&ev[3])
    );
    assert_eq!(
        ev[5]["cassandra"]["request"]["query"],
        "SELECT v FROM ks.t WHERE k = 'driver'"
    );
    assert_eq!(response(&ev[5])["result"]["rows"]["num_rows"], 3);
    assert_eq!(
        ev[6]["cassandra"]["request"]["query"],
        "INSERT INTO ks.t (k, v) VALUES ('a', 'b')"
    );
    assert_eq!(response(&ev[7])["result"]["rows"]["num_rows"], 3000);
    let text = serde_json::to_string(&ev).unwrap_or_default();
    assert!(!text.contains("driver-Secret-42") && !text.contains("driver_user"));
    assert_eq!(run_with(&conv, Segmentation::Chunks(7), &[]), ev);
}

#[test]
fn v4_lz4_bodies_compressed_by_the_python_driver() {
    let ev = run(&driver_conversation("cassandra_driver_v4_lz4.txt"));
    assert_eq!(
        ops(&ev),
        vec![op("STARTUP", 0, "READY", 0), op("QUERY", 1, "RESULT", 1)]
    );
    assert_eq!(
        ev[1]["cassandra"]["request"]["headers"]["flags"],
        "Compress"
    );
    assert_eq!(
        ev[1]["cassandra"]["request"]["query"],
        "SELECT v FROM ks.t WHERE k = 'lz4 lz4 lz4 lz4'"
    );
    assert_eq!(response(&ev[1])["result"]["rows"]["num_rows"], 5);
}
