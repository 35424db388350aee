//! Kafka on hand-made messages built from the protocol guide's message definitions: every
//! decoded API in a classic and a flexible version, errors at top level and per partition,
//! acks 0, pipelining and out-of-order answers, an unknown api key, ApiVersions v3 with its v0
//! response header, SaslAuthenticate bytes that must never appear, segmentation, garbage, a
//! huge declared size and lost bytes.

use serde_json::Value;
use wb_proto::{kafka, Dir};
use wb_testkit::suite::{test_protocol_config, PORT};
use wb_testkit::{run_engine_counting, run_frames, Conversation, Segmentation};

// Api keys.
const PRODUCE: i16 = 0;
const FETCH: i16 = 1;
const LIST_OFFSETS: i16 = 2;
const METADATA: i16 = 3;
const OFFSET_COMMIT: i16 = 8;
const OFFSET_FETCH: i16 = 9;
const FIND_COORDINATOR: i16 = 10;
const JOIN_GROUP: i16 = 11;
const HEARTBEAT: i16 = 12;
const LEAVE_GROUP: i16 = 13;
const SYNC_GROUP: i16 = 14;
const SASL_HANDSHAKE: i16 = 17;
const API_VERSIONS: i16 = 18;
const CREATE_TOPICS: i16 = 19;
const DELETE_TOPICS: i16 = 20;
const SASL_AUTHENTICATE: i16 = 36;

/// Body encoder: classic (`flex == false`) or compact strings and arrays.
#[derive(Clone, Default)]
struct B {
    flex: bool,
    out: Vec<u8>,
}

impl B {
    fn new(flex: bool) -> Self {
        B {
            flex,
            out: Vec::new(),
        }
    }
    fn i8(mut self, v: i8) -> Self {
        self.out.extend(v.to_be_bytes());
        self
    }
    fn i16(mut self, v: i16) -> Self {
        self.out.extend(v.to_be_bytes());
        self
    }
    fn i32(mut self, v: i32) -> Self {
        self.out.extend(v.to_be_bytes());
        self
    }
    fn i64(mut self, v: i64) -> Self {
        self.out.extend(v.to_be_bytes());
        self
    }
    fn uvarint(mut self, mut v: u32) -> Self {
        while v >= 0x80 {
            self.out.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
        self
    }
    /// STRING / COMPACT_STRING.
    fn s(self, v: &str) -> Self {
        let b = if self.flex {
            self.uvarint(v.len() as u32 + 1)
        } else {
            self.i16(v.len() as i16)
        };
        b.raw(v.as_bytes())
    }
    /// A null string.
    fn null(self) -> Self {
        if self.flex {
            self.uvarint(0)
        } else {
            self.i16(-1)
        }
    }
    /// BYTES / COMPACT_BYTES / RECORDS.
    fn bytes(self, v: &[u8]) -> Self {
        let b = if self.flex {
            self.uvarint(v.len() as u32 + 1)
        } else {
            self.i32(v.len() as i32)
        };
        b.raw(v)
    }
    /// An array length.
    fn arr(self, n: usize) -> Self {
        if self.flex {
            self.uvarint(n as u32 + 1)
        } else {
            self.i32(n as i32)
        }
    }
    /// An empty tag buffer (flexible versions only).
    fn tags(self) -> Self {
        if self.flex {
            self.uvarint(0)
        } else {
            self
        }
    }
    fn raw(mut self, v: &[u8]) -> Self {
        self.out.extend_from_slice(v);
        self
    }
}

/// Size prefix + message.
fn framed(msg: Vec<u8>) -> Vec<u8> {
    [(msg.len() as i32).to_be_bytes().to_vec(), msg].concat()
}

/// A request: header v1 (classic) or v2 (`flex`: a tag buffer after the client id).
fn req(key: i16, version: i16, corr: i32, flex: bool, body: B) -> Vec<u8> {
    let head = B::new(false).i16(key).i16(version).i32(corr).s("wb-client");
    let head = if flex { head.raw(&[0]) } else { head };
    framed([head.out, body.out].concat())
}

/// A response: header v0, or v1 (`tagged`).
fn resp(corr: i32, tagged: bool, body: B) -> Vec<u8> {
    let head = B::new(false).i32(corr);
    let head = if tagged { head.raw(&[0]) } else { head };
    framed([head.out, body.out].concat())
}

/// A v2 record batch holding `n` records (header only, zero-filled records area).
fn batch(n: i32) -> Vec<u8> {
    let extra = 7usize;
    let mut b = B::new(false)
        .i64(0)
        .i32((61 - 12 + extra) as i32)
        .i32(0)
        .i8(2);
    b = b.raw(&[0; 40]).i32(n).raw(&vec![0; extra]);
    b.out
}

fn protocol_with(
    options: &[(&str, serde_yaml_ng::Value)],
) -> std::sync::Arc<dyn wb_proto::Protocol> {
    let mut cfg = test_protocol_config(kafka::NAME);
    for (k, v) in options {
        cfg.options.insert((*k).into(), v.clone());
    }
    kafka::Kafka::build(&cfg).unwrap_or_else(|e| panic!("{e}"))
}

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

fn run_seg(cv: &Conversation, seg: Segmentation) -> Vec<Value> {
    run_frames(vec![protocol_with(&[])], &cv.frames(seg, None))
}

fn run(messages: &[(Dir, Vec<u8>)]) -> Vec<Value> {
    run_seg(&conv(messages), Segmentation::Whole)
}

fn run_counting(
    cv: &Conversation,
    hole: Option<(Dir, usize, usize)>,
    options: &[(&str, serde_yaml_ng::Value)],
) -> (Vec<Value>, wb_proto::AnomalyCounts) {
    let config = wb_flow::EngineConfig {
        flows: None,
        ..Default::default()
    };
    run_engine_counting(
        config,
        vec![protocol_with(options)],
        &cv.frames(Segmentation::Chunks(16), hole),
    )
}

/// One request and its response → the single event.
fn one(request: Vec<u8>, response: Vec<u8>) -> Value {
    let ev = run(&[c(request), s(response)]);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    ev.into_iter().next().unwrap_or_default()
}

fn k(e: &Value) -> &Value {
    &e["kafka"]
}

fn topics(e: &Value) -> Vec<&str> {
    k(e)["topics"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Produce request body: one topic, one partition per batch.
fn produce_body(flex: bool, version: i16, acks: i16, topic: &str, batches: &[Vec<u8>]) -> B {
    let mut b = B::new(flex);
    if version >= 3 {
        b = b.null(); // transactional_id
    }
    b = b.i16(acks).i32(30_000).arr(1).s(topic).arr(batches.len());
    for (i, records) in batches.iter().enumerate() {
        b = b.i32(i as i32).bytes(records).tags();
    }
    b.tags().tags()
}

/// Produce response body: `errors` per partition of one topic.
fn produce_response(flex: bool, version: i16, topic: &str, errors: &[i16]) -> B {
    let mut b = B::new(flex).arr(1).s(topic).arr(errors.len());
    for (i, e) in errors.iter().enumerate() {
        b = b.i32(i as i32).i16(*e).i64(100);
        if version >= 2 {
            b = b.i64(-1);
        }
        if version >= 5 {
            b = b.i64(0);
        }
        if version >= 8 {
            b = b.arr(0).null();
        }
        b = b.tags();
    }
    b.tags().i32(0).tags()
}

#[test]
fn produce_v3_counts_records_and_reports_the_first_partition_error() {
    let e = one(
        req(
            PRODUCE,
            3,
            7,
            false,
            produce_body(false, 3, 1, "orders", &[batch(3), batch(2)]),
        ),
        resp(7, false, produce_response(false, 3, "orders", &[0, 6])),
    );
    assert_eq!(e["method"], "Produce");
    assert_eq!(e["resource"], "orders");
    assert_eq!(e["status"], "Error");
    assert_eq!(k(&e)["api_key"], 0);
    assert_eq!(k(&e)["api_name"], "Produce");
    assert_eq!(k(&e)["api_version"], 3);
    assert_eq!(k(&e)["correlation_id"], 7);
    assert_eq!(k(&e)["client_id"], "wb-client");
    assert_eq!(topics(&e), ["orders"]);
    assert_eq!(k(&e)["partitions"], 2);
    assert_eq!(k(&e)["record_count"], 5);
    assert_eq!(k(&e)["record_bytes"], 2 * 68);
    assert_eq!(k(&e)["error_code"], 6);
    assert_eq!(k(&e)["error_name"], "NOT_LEADER_OR_FOLLOWER");
    assert!(e["event"]["duration"].is_u64());
    assert!(e["source"]["bytes"].as_u64() > Some(100));
}

#[test]
fn produce_v9_flexible_ok_and_acks_zero_has_no_response() {
    let e = one(
        req(
            PRODUCE,
            9,
            1,
            true,
            produce_body(true, 9, -1, "t", &[batch(4)]),
        ),
        resp(1, true, produce_response(true, 9, "t", &[0])),
    );
    assert_eq!(e["status"], "OK");
    assert_eq!(k(&e)["record_count"], 4);
    assert_eq!(topics(&e), ["t"]);
    assert!(k(&e).get("error_code").is_none());
    // acks 0: published at once, OK, no response expected; the next request still pairs.
    let ev = run(&[
        c(req(
            PRODUCE,
            7,
            2,
            false,
            produce_body(false, 7, 0, "t", &[batch(1)]),
        )),
        c(req(METADATA, 1, 3, false, B::new(false).arr(0))),
        s(resp(3, false, metadata_response(false, 1, &[]))),
    ]);
    assert_eq!(ev.len(), 2, "{ev:#?}");
    assert_eq!(k(&ev[0])["api_name"], "Produce");
    assert_eq!(ev[0]["status"], "OK");
    assert!(ev[0].get("error").is_none());
    assert_eq!(k(&ev[1])["correlation_id"], 3);
}

fn fetch_request(flex: bool, v: i16, topic: &str) -> B {
    let mut b = B::new(flex).i32(-1).i32(500).i32(1);
    if v >= 3 {
        b = b.i32(1 << 20);
    }
    if v >= 4 {
        b = b.i8(0);
    }
    if v >= 7 {
        b = b.i32(0).i32(-1);
    }
    b = b.arr(1).s(topic).arr(2);
    for p in 0..2 {
        b = b.i32(p);
        if v >= 9 {
            b = b.i32(-1);
        }
        b = b.i64(0);
        if v >= 12 {
            b = b.i32(-1);
        }
        if v >= 5 {
            b = b.i64(-1);
        }
        b = b.i32(1 << 20).tags();
    }
    b = b.tags();
    if v >= 7 {
        b = b.arr(0);
    }
    b.tags()
}

fn fetch_response(flex: bool, v: i16, topic: &str, top_error: i16, parts: &[(i16, Vec<u8>)]) -> B {
    let mut b = B::new(flex).i32(0);
    if v >= 7 {
        b = b.i16(top_error).i32(0);
    }
    b = b.arr(1).s(topic).arr(parts.len());
    for (i, (err, records)) in parts.iter().enumerate() {
        b = b.i32(i as i32).i16(*err).i64(10);
        if v >= 4 {
            b = b.i64(10);
        }
        if v >= 5 {
            b = b.i64(0);
        }
        if v >= 4 {
            b = b.arr(0);
        }
        if v >= 11 {
            b = b.i32(-1);
        }
        b = b.bytes(records).tags();
    }
    b.tags().tags()
}

#[test]
fn fetch_v4_and_v12_count_fetched_records() {
    let e = one(
        req(FETCH, 4, 11, false, fetch_request(false, 4, "logs")),
        resp(
            11,
            false,
            fetch_response(
                false,
                4,
                "logs",
                0,
                &[(0, batch(2)), (0, [batch(3), batch(1)].concat())],
            ),
        ),
    );
    assert_eq!(e["status"], "OK");
    assert_eq!(k(&e)["record_count"], 6);
    assert_eq!(k(&e)["partitions"], 2);
    assert_eq!(e["resource"], "logs");
    let e = one(
        req(FETCH, 12, 12, true, fetch_request(true, 12, "logs")),
        resp(
            12,
            true,
            fetch_response(true, 12, "logs", 0, &[(0, batch(5)), (1, Vec::new())]),
        ),
    );
    assert_eq!(k(&e)["record_count"], 5);
    assert_eq!(k(&e)["error_code"], 1);
    assert_eq!(k(&e)["error_name"], "OFFSET_OUT_OF_RANGE");
    assert_eq!(e["status"], "Error");
    // A top-level fetch-session error.
    let e = one(
        req(FETCH, 7, 13, false, fetch_request(false, 7, "logs")),
        resp(13, false, fetch_response(false, 7, "logs", 70, &[])),
    );
    assert_eq!(k(&e)["error_name"], "FETCH_SESSION_ID_NOT_FOUND");
}

#[test]
fn list_offsets_v1_and_v6() {
    for (v, flex) in [(1i16, false), (6, true)] {
        let mut q = B::new(flex).i32(-1);
        if v >= 2 {
            q = q.i8(0);
        }
        q = q.arr(1).s("t").arr(1).i32(0);
        if v >= 4 {
            q = q.i32(-1);
        }
        q = q.i64(-1).tags().tags().tags();
        let mut r = B::new(flex);
        if v >= 2 {
            r = r.i32(0);
        }
        r = r.arr(1).s("t").arr(1).i32(0).i16(3).i64(-1).i64(42);
        if v >= 4 {
            r = r.i32(0);
        }
        r = r.tags().tags().tags();
        let e = one(req(LIST_OFFSETS, v, 5, flex, q), resp(5, flex, r));
        assert_eq!(k(&e)["api_name"], "ListOffsets", "v{v}");
        assert_eq!(topics(&e), ["t"], "v{v}");
        assert_eq!(k(&e)["error_name"], "UNKNOWN_TOPIC_OR_PARTITION", "v{v}");
    }
}

/// Metadata response: one broker, then `(topic, topic error, partition errors)`.
fn metadata_response(flex: bool, v: i16, topics: &[(&str, i16, &[i16])]) -> B {
    let mut b = B::new(flex);
    if v >= 3 {
        b = b.i32(0);
    }
    b = b.arr(1).i32(1).s("broker").i32(9092);
    if v >= 1 {
        b = b.null();
    }
    b = b.tags();
    if v >= 2 {
        b = b.s("cluster");
    }
    if v >= 1 {
        b = b.i32(1);
    }
    b = b.arr(topics.len());
    for (name, err, parts) in topics {
        b = b.i16(*err).s(name);
        if v >= 10 {
            b = b.raw(&[0; 16]);
        }
        if v >= 1 {
            b = b.i8(0);
        }
        b = b.arr(parts.len());
        for (i, pe) in parts.iter().enumerate() {
            b = b.i16(*pe).i32(i as i32).i32(1);
            if v >= 7 {
                b = b.i32(0);
            }
            b = b.arr(1).i32(1).arr(1).i32(1);
            if v >= 5 {
                b = b.arr(0);
            }
            b = b.tags();
        }
        if v >= 8 {
            b = b.i32(0);
        }
        b = b.tags();
    }
    if (8..=10).contains(&v) {
        b = b.i32(0);
    }
    b.tags()
}

fn metadata_request(flex: bool, v: i16, topics: &[&str]) -> B {
    let mut b = B::new(flex).arr(topics.len());
    for t in topics {
        if v >= 10 {
            b = b.raw(&[0; 16]);
        }
        b = b.s(t).tags();
    }
    if v >= 4 {
        b = b.i8(1);
    }
    if (8..=10).contains(&v) {
        b = b.i8(0);
    }
    if v >= 8 {
        b = b.i8(0);
    }
    b.tags()
}

#[test]
fn metadata_v1_topic_error_and_v9_v12_partition_error() {
    let e = one(
        req(
            METADATA,
            1,
            2,
            false,
            metadata_request(false, 1, &["a", "b"]),
        ),
        resp(
            2,
            false,
            metadata_response(false, 1, &[("a", 0, &[0]), ("b", 3, &[])]),
        ),
    );
    assert_eq!(e["resource"], "a,b");
    assert_eq!(k(&e)["error_code"], 3);
    assert_eq!(e["status"], "Error");
    for v in [9i16, 12] {
        let e = one(
            req(METADATA, v, 4, true, metadata_request(true, v, &["x"])),
            resp(4, true, metadata_response(true, v, &[("x", 0, &[0, 5])])),
        );
        assert_eq!(topics(&e), ["x"], "v{v}");
        assert_eq!(k(&e)["partitions"], 2, "v{v}");
        assert_eq!(k(&e)["error_name"], "LEADER_NOT_AVAILABLE", "v{v}");
    }
}

#[test]
fn group_apis_classic_and_flexible() {
    // FindCoordinator v2 (classic) and v3 (flexible), group key type 0.
    for (v, flex) in [(2i16, false), (3, true)] {
        let q = B::new(flex).s("grp").i8(0).tags();
        let r = B::new(flex)
            .i32(0)
            .i16(15)
            .null()
            .i32(-1)
            .s("")
            .i32(-1)
            .tags();
        let e = one(req(FIND_COORDINATOR, v, 1, flex, q), resp(1, flex, r));
        assert_eq!(k(&e)["group_id"], "grp", "v{v}");
        assert_eq!(k(&e)["error_name"], "COORDINATOR_NOT_AVAILABLE", "v{v}");
    }
    // FindCoordinator v4: batched keys, per-coordinator errors.
    let q = B::new(true).i8(0).arr(1).s("grp").tags();
    let r = B::new(true)
        .i32(0)
        .arr(1)
        .s("grp")
        .i32(1)
        .s("h")
        .i32(9092)
        .i16(0)
        .null()
        .tags()
        .tags();
    let e = one(req(FIND_COORDINATOR, 4, 2, true, q), resp(2, true, r));
    assert_eq!(e["status"], "OK");
    assert_eq!(k(&e)["group_id"], "grp");
    // JoinGroup v5 / v6, SyncGroup v3 / v4, Heartbeat v3 / v4, LeaveGroup v3 / v4.
    let cases: &[(i16, i16, i16, i16, &str)] = &[
        (JOIN_GROUP, 5, 6, 79, "MEMBER_ID_REQUIRED"),
        (SYNC_GROUP, 3, 4, 27, "REBALANCE_IN_PROGRESS"),
        (HEARTBEAT, 3, 4, 25, "UNKNOWN_MEMBER_ID"),
        (LEAVE_GROUP, 3, 4, 0, ""),
    ];
    for &(key, classic, flexible, err, name) in cases {
        for (v, flex) in [(classic, false), (flexible, true)] {
            let q = B::new(flex).s("grp").i32(1).s("member").tags();
            let r = B::new(flex).i32(0).i16(err).raw(&[0; 8]).tags();
            let e = one(req(key, v, 9, flex, q), resp(9, flex, r));
            assert_eq!(k(&e)["group_id"], "grp", "{key} v{v}");
            if err == 0 {
                assert_eq!(e["status"], "OK", "{key} v{v}");
            } else {
                assert_eq!(k(&e)["error_name"], name, "{key} v{v}");
            }
        }
    }
}

#[test]
fn offset_commit_and_offset_fetch() {
    for (v, flex) in [(7i16, false), (8, true)] {
        let q = B::new(flex)
            .s("grp")
            .i32(1)
            .s("m")
            .null()
            .arr(1)
            .s("t")
            .arr(2)
            .i32(0)
            .i64(5)
            .i32(-1)
            .null()
            .tags()
            .i32(1)
            .i64(6)
            .i32(-1)
            .s("meta")
            .tags()
            .tags()
            .tags();
        let r = B::new(flex)
            .i32(0)
            .arr(1)
            .s("t")
            .arr(2)
            .i32(0)
            .i16(0)
            .tags()
            .i32(1)
            .i16(22)
            .tags()
            .tags()
            .tags();
        let e = one(req(OFFSET_COMMIT, v, 3, flex, q), resp(3, flex, r));
        assert_eq!(k(&e)["group_id"], "grp", "v{v}");
        assert_eq!(k(&e)["partitions"], 2, "v{v}");
        assert_eq!(k(&e)["error_name"], "ILLEGAL_GENERATION", "v{v}");
    }
    for (v, flex) in [(5i16, false), (6, true)] {
        let q = B::new(flex)
            .s("grp")
            .arr(1)
            .s("t")
            .arr(1)
            .i32(0)
            .tags()
            .tags();
        let r = B::new(flex)
            .i32(0)
            .arr(1)
            .s("t")
            .arr(1)
            .i32(0)
            .i64(5)
            .i32(-1)
            .null()
            .i16(0)
            .tags()
            .tags()
            .i16(16)
            .tags();
        let e = one(req(OFFSET_FETCH, v, 4, flex, q), resp(4, flex, r));
        assert_eq!(topics(&e), ["t"], "v{v}");
        assert_eq!(k(&e)["error_name"], "NOT_COORDINATOR", "v{v}");
    }
    // OffsetFetch v8: batched groups.
    let q = B::new(true)
        .arr(1)
        .s("g8")
        .arr(1)
        .s("t")
        .arr(1)
        .i32(0)
        .tags()
        .tags()
        .i8(0)
        .tags();
    let r = B::new(true)
        .i32(0)
        .arr(1)
        .s("g8")
        .arr(1)
        .s("t")
        .arr(1)
        .i32(0)
        .i64(1)
        .i32(-1)
        .null()
        .i16(0)
        .tags()
        .tags()
        .i16(0)
        .tags()
        .tags();
    let e = one(req(OFFSET_FETCH, 8, 5, true, q), resp(5, true, r));
    assert_eq!(k(&e)["group_id"], "g8");
    assert_eq!(e["status"], "OK");
}

#[test]
fn create_and_delete_topics() {
    for (v, flex) in [(4i16, false), (5, true)] {
        let q = B::new(flex)
            .arr(1)
            .s("new")
            .i32(3)
            .i16(1)
            .arr(0)
            .arr(1)
            .s("cleanup.policy")
            .s("compact")
            .tags()
            .tags()
            .i32(1000)
            .i8(0)
            .tags();
        let mut r = B::new(flex).i32(0).arr(1).s("new").i16(36).s("exists");
        if v >= 5 {
            r = r.i32(3).i16(1).arr(0);
        }
        let r = r.tags().tags();
        let e = one(req(CREATE_TOPICS, v, 6, flex, q), resp(6, flex, r));
        assert_eq!(e["resource"], "new", "v{v}");
        assert_eq!(k(&e)["error_name"], "TOPIC_ALREADY_EXISTS", "v{v}");
    }
    for (v, flex) in [(3i16, false), (4, true)] {
        let q = B::new(flex).arr(2).s("a").s("b").i32(1000).tags();
        let r = B::new(flex)
            .i32(0)
            .arr(2)
            .s("a")
            .i16(0)
            .tags()
            .s("b")
            .i16(73)
            .tags()
            .tags();
        let e = one(req(DELETE_TOPICS, v, 8, flex, q), resp(8, flex, r));
        assert_eq!(topics(&e), ["a", "b"], "v{v}");
        assert_eq!(k(&e)["error_name"], "TOPIC_DELETION_DISABLED", "v{v}");
    }
}

#[test]
fn api_versions_v3_is_answered_with_a_v0_response_header() {
    let q = B::new(true).s("wb").s("1.0").tags();
    // No tag buffer after the correlation id: the error code follows at once.
    let r = B::new(true)
        .i16(35)
        .arr(1)
        .i16(18)
        .i16(0)
        .i16(3)
        .tags()
        .i32(0)
        .tags();
    let e = one(req(API_VERSIONS, 3, 1, true, q), resp(1, false, r));
    assert_eq!(k(&e)["api_name"], "ApiVersions");
    assert_eq!(k(&e)["error_name"], "UNSUPPORTED_VERSION");
    // v0 request, v0 answer.
    let r = B::new(false).i16(0).arr(1).i16(18).i16(0).i16(3);
    let e = one(
        req(API_VERSIONS, 0, 2, false, B::new(false)),
        resp(2, false, r),
    );
    assert_eq!(e["status"], "OK");
}

#[test]
fn sasl_handshake_and_authenticate_never_write_the_auth_bytes() {
    let secret = "hunter2-Pa55word";
    let token = format!("\0alice\0{secret}");
    let ev = run(&[
        c(req(SASL_HANDSHAKE, 1, 1, false, B::new(false).s("PLAIN"))),
        s(resp(1, false, B::new(false).i16(0).arr(1).s("PLAIN"))),
        c(req(
            SASL_AUTHENTICATE,
            1,
            2,
            false,
            B::new(false).bytes(token.as_bytes()),
        )),
        s(resp(
            2,
            false,
            B::new(false)
                .i16(58)
                .s("bad")
                .bytes(secret.as_bytes())
                .i64(0),
        )),
        c(req(
            SASL_AUTHENTICATE,
            2,
            3,
            true,
            B::new(true).bytes(token.as_bytes()).tags(),
        )),
        s(resp(
            3,
            true,
            B::new(true).i16(0).null().bytes(b"").i64(0).tags(),
        )),
    ]);
    assert_eq!(ev.len(), 3, "{ev:#?}");
    assert_eq!(k(&ev[0])["sasl_mechanism"], "PLAIN");
    assert_eq!(k(&ev[1])["error_name"], "SASL_AUTHENTICATION_FAILED");
    assert_eq!(ev[2]["status"], "OK");
    // Even with send_request / send_response on.
    let cv = conv(&[
        c(req(
            SASL_AUTHENTICATE,
            1,
            2,
            false,
            B::new(false).bytes(token.as_bytes()),
        )),
        s(resp(
            2,
            false,
            B::new(false).i16(0).null().bytes(secret.as_bytes()).i64(0),
        )),
    ]);
    let mut cfg = test_protocol_config(kafka::NAME);
    cfg.send_request = true;
    cfg.send_response = true;
    let p = kafka::Kafka::build(&cfg).unwrap_or_else(|e| panic!("{e}"));
    let ev = run_frames(vec![p], &cv.frames(Segmentation::Whole, None));
    assert_eq!(ev.len(), 1);
    assert!(ev[0]["request"]
        .as_str()
        .is_some_and(|r| r.contains("SaslAuthenticate")));
    for e in &ev {
        let text = e.to_string();
        assert!(!text.contains(secret) && !text.contains("alice"), "{text}");
    }
}

#[test]
fn pipelined_and_out_of_order_answers_pair_by_correlation_id() {
    let md = |corr: i32, t: &'static str| {
        req(METADATA, 1, corr, false, metadata_request(false, 1, &[t]))
    };
    let ans = |corr: i32, t: &'static str, err: i16| {
        resp(corr, false, metadata_response(false, 1, &[(t, err, &[])]))
    };
    // Three requests in one segment, three answers in one segment, in order.
    let ev = run(&[
        c([md(1, "a"), md(2, "b"), md(3, "c")].concat()),
        s([ans(1, "a", 0), ans(2, "b", 3), ans(3, "c", 0)].concat()),
    ]);
    let got: Vec<_> = ev
        .iter()
        .map(|e| {
            (
                k(e)["correlation_id"].as_i64(),
                e["resource"].as_str(),
                e["status"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (Some(1), Some("a"), Some("OK")),
            (Some(2), Some("b"), Some("Error")),
            (Some(3), Some("c"), Some("OK"))
        ]
    );
    // Answers out of order still find their request.
    let ev = run(&[
        c([md(1, "a"), md(2, "b")].concat()),
        s(ans(2, "b", 0)),
        s(ans(1, "a", 0)),
    ]);
    let got: Vec<_> = ev
        .iter()
        .map(|e| (k(e)["correlation_id"].as_i64(), e["resource"].as_str()))
        .collect();
    assert_eq!(got, [(Some(2), Some("b")), (Some(1), Some("a"))]);
}

#[test]
fn unknown_api_key_is_paired_without_body_decoding() {
    let e = one(
        req(999, 4, 77, false, B::new(false).raw(b"opaque body")),
        resp(77, false, B::new(false).raw(b"opaque answer")),
    );
    assert_eq!(k(&e)["api_key"], 999);
    assert_eq!(k(&e)["api_version"], 4);
    assert_eq!(k(&e)["correlation_id"], 77);
    assert!(k(&e).get("api_name").is_none());
    assert_eq!(e["status"], "OK");
}

#[test]
fn a_version_newer_than_the_decoded_ones_is_paired_without_body_fields() {
    // Produce v13 names topics by id; its body is not decoded.
    let e = one(
        req(
            PRODUCE,
            13,
            3,
            true,
            produce_body(true, 9, -1, "t", &[batch(1)]),
        ),
        resp(3, true, produce_response(true, 9, "t", &[6])),
    );
    assert_eq!(k(&e)["api_name"], "Produce");
    assert_eq!(k(&e)["api_version"], 13);
    assert!(k(&e).get("topics").is_none());
    assert!(k(&e).get("error_code").is_none());
    assert_eq!(e["status"], "OK");
}

#[test]
fn segmentation_does_not_change_events() {
    let cv = conv(&[
        c(req(
            PRODUCE,
            9,
            1,
            true,
            produce_body(true, 9, -1, "t", &[batch(4), batch(2)]),
        )),
        s(resp(1, true, produce_response(true, 9, "t", &[0, 0]))),
        c(req(
            METADATA,
            12,
            2,
            true,
            metadata_request(true, 12, &["t"]),
        )),
        s(resp(
            2,
            true,
            metadata_response(true, 12, &[("t", 0, &[0])]),
        )),
    ]);
    let whole = run_seg(&cv, Segmentation::Whole);
    assert_eq!(whole.len(), 2);
    for n in [1, 2, 5, 13] {
        assert_eq!(
            run_seg(&cv, Segmentation::Chunks(n)),
            whole,
            "chunks of {n}"
        );
    }
}

#[test]
fn garbage_resynchronises_on_the_next_request() {
    let cv = conv(&[
        c([
            b"\xff\xff\xff\xf0garbage that is not kafka at all".to_vec(),
            req(METADATA, 1, 5, false, metadata_request(false, 1, &["t"])),
        ]
        .concat()),
        s(resp(
            5,
            false,
            metadata_response(false, 1, &[("t", 0, &[])]),
        )),
    ]);
    let (ev, anomalies) = run_counting(&cv, None, &[]);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(k(&ev[0])["correlation_id"], 5);
    assert!(anomalies.get("kafka", "desync") >= 1);
}

#[test]
fn a_huge_declared_size_is_skipped_by_counting() {
    // A Produce declaring 100 MiB whose first kilobyte arrives, then the connection ends.
    let mut big = B::new(false).i16(PRODUCE).i16(3).i32(9).s("wb-client").out;
    big.extend(vec![0u8; 1000]);
    let big = [(100i32 << 20).to_be_bytes().to_vec(), big].concat();
    let cv = conv(&[c(big)]);
    let (ev, anomalies) = run_counting(&cv, None, &[("max_message_size", 4096.into())]);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(k(&ev[0])["correlation_id"], 9);
    assert_eq!(ev[0]["status"], "Error");
    let notes = ev[0]["error"]["message"].to_string();
    assert!(notes.contains(kafka::NOTE_TOO_LARGE), "{notes}");
    assert_eq!(anomalies.get("kafka", "message_too_large"), 1);
    // A message over the cap between two small ones: both neighbours still pair.
    let records = vec![batch(1); 100].concat();
    let cv = conv(&[
        c(req(
            METADATA,
            1,
            1,
            false,
            metadata_request(false, 1, &["a"]),
        )),
        s(resp(
            1,
            false,
            metadata_response(false, 1, &[("a", 0, &[])]),
        )),
        c(req(
            PRODUCE,
            3,
            2,
            false,
            produce_body(false, 3, 1, "a", &[records]),
        )),
        s(resp(2, false, produce_response(false, 3, "a", &[0]))),
        c(req(
            METADATA,
            1,
            3,
            false,
            metadata_request(false, 1, &["b"]),
        )),
        s(resp(
            3,
            false,
            metadata_response(false, 1, &[("b", 0, &[])]),
        )),
    ]);
    let (ev, _) = run_counting(&cv, None, &[("max_message_size", 4096.into())]);
    let got: Vec<_> = ev.iter().map(|e| k(e)["correlation_id"].as_i64()).collect();
    assert_eq!(got, [Some(1), Some(2), Some(3)]);
    assert!(ev[1]["error"]["message"]
        .to_string()
        .contains(kafka::NOTE_TOO_LARGE));
    // Bytes lost inside the skipped message only shorten the skip: the next pair is intact.
    let skipped_at = cv.stream(Dir::ToServer).len() - 300;
    let (ev, anomalies) = run_counting(
        &cv,
        Some((Dir::ToServer, skipped_at - 2000, 16)),
        &[("max_message_size", 4096.into())],
    );
    assert_eq!(anomalies.get("kafka", "gap"), 1);
    let got: Vec<_> = ev
        .iter()
        .map(|e| (k(e)["correlation_id"].as_i64(), e["status"].as_str()))
        .collect();
    assert!(got.contains(&(Some(3), Some("OK"))), "{got:?}");
}

#[test]
fn lost_bytes_never_mis_pair() {
    let md = |corr: i32, t: &str| req(METADATA, 1, corr, false, metadata_request(false, 1, &[t]));
    let ans = |corr: i32, t: &str| resp(corr, false, metadata_response(false, 1, &[(t, 0, &[])]));
    let cv = conv(&[
        c(md(1, "a")),
        s(ans(1, "a")),
        c(md(2, "b")),
        s(ans(2, "b")),
        c(md(3, "c")),
        s(ans(3, "c")),
    ]);
    let first_answer = ans(1, "a").len();
    // Lose bytes inside the second answer.
    let (ev, anomalies) = run_counting(&cv, Some((Dir::ToClient, first_answer + 10, 5)), &[]);
    assert!(anomalies.get("kafka", "gap") >= 1);
    for e in &ev {
        if let (Some(t), Some(corr)) = (e["resource"].as_str(), k(e)["correlation_id"].as_i64()) {
            let expected = ["a", "b", "c"][(corr - 1) as usize];
            assert_eq!(t, expected, "{e}");
        }
    }
    let c3 = ev
        .iter()
        .find(|e| k(e)["correlation_id"] == 3)
        .cloned()
        .unwrap_or_default();
    assert_eq!(c3["status"], "OK", "{ev:#?}");
    let c2 = ev
        .iter()
        .find(|e| k(e)["correlation_id"] == 2)
        .cloned()
        .unwrap_or_default();
    assert_eq!(c2["status"], "Error", "{ev:#?}");
    // Lose bytes inside a request: the next request is found again.
    let (ev, _) = run_counting(&cv, Some((Dir::ToServer, md(1, "a").len() + 6, 3)), &[]);
    let c3 = ev
        .iter()
        .find(|e| k(e)["correlation_id"] == 3)
        .cloned()
        .unwrap_or_default();
    assert_eq!(c3["resource"], "c", "{ev:#?}");
    assert_eq!(c3["status"], "OK");
}

#[test]
fn pending_requests_are_capped_and_counted() {
    let md = |corr: i32| req(METADATA, 1, corr, false, metadata_request(false, 1, &["t"]));
    let cv = conv(&[
        c([md(1), md(2), md(3)].concat()),
        s(resp(3, false, metadata_response(false, 1, &[]))),
    ]);
    let (ev, anomalies) = run_counting(&cv, None, &[("max_pending_requests", 2.into())]);
    assert_eq!(anomalies.get("kafka", "too_many_pending_requests"), 1);
    let got: Vec<_> = ev
        .iter()
        .map(|e| (k(e)["correlation_id"].as_i64(), e["status"].as_str()))
        .collect();
    assert!(got.contains(&(Some(1), Some("Error"))), "{got:?}");
    assert!(got.contains(&(Some(3), Some("OK"))), "{got:?}");
}

#[test]
fn unknown_options_are_rejected() {
    let mut cfg = test_protocol_config(kafka::NAME);
    cfg.options.insert("max_pending".into(), 3.into());
    assert!(kafka::Kafka::build(&cfg).is_err());
}
