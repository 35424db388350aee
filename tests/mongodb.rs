//! MongoDB on hand-made conversations built from the wire protocol specification
//! (mongodb.com/docs/manual/reference/mongodb-wire-protocol): OP_MSG with a body, document
//! sequences, checksums, moreToCome and exhaust replies; OP_QUERY / OP_REPLY and the legacy
//! opcodes; OP_COMPRESSED; unknown opcodes; segmentation, out-of-order replies, lost bytes,
//! garbage, huge lengths, deep nesting, credentials and write errors.

use serde_json::Value;
use wb_proto::{mongodb, AnomalyCounts, Dir};
use wb_testkit::suite::{protocol_config_with, test_protocol_config, PORT};
use wb_testkit::{run_frames_counting, Conversation, Segmentation};

// ---- BSON builder -------------------------------------------------------------------------

/// A BSON value to encode.
enum B {
    I32(i32),
    I64(i64),
    F64(f64),
    S(&'static str),
    Str(String),
    D(Vec<(&'static str, B)>),
    A(Vec<B>),
    Bin(Vec<u8>),
    Bool(bool),
}

fn encode(kind_and_bytes: &B) -> (u8, Vec<u8>) {
    match kind_and_bytes {
        B::F64(f) => (0x01, f.to_le_bytes().to_vec()),
        B::S(s) => (0x02, bson_string(s)),
        B::Str(s) => (0x02, bson_string(s)),
        B::D(fields) => (0x03, doc_of(fields)),
        B::A(items) => {
            let mut out = Vec::new();
            for (i, v) in items.iter().enumerate() {
                let (k, b) = encode(v);
                out.push(k);
                out.extend_from_slice(i.to_string().as_bytes());
                out.push(0);
                out.extend(b);
            }
            (0x04, wrap(out))
        }
        B::Bin(data) => {
            let mut out = (data.len() as i32).to_le_bytes().to_vec();
            out.push(0);
            out.extend_from_slice(data);
            (0x05, out)
        }
        B::Bool(b) => (0x08, vec![u8::from(*b)]),
        B::I32(n) => (0x10, n.to_le_bytes().to_vec()),
        B::I64(n) => (0x12, n.to_le_bytes().to_vec()),
    }
}

fn bson_string(s: &str) -> Vec<u8> {
    let mut out = ((s.len() + 1) as i32).to_le_bytes().to_vec();
    out.extend_from_slice(s.as_bytes());
    out.push(0);
    out
}

fn wrap(mut elements: Vec<u8>) -> Vec<u8> {
    elements.push(0);
    let mut out = ((elements.len() + 4) as i32).to_le_bytes().to_vec();
    out.extend(elements);
    out
}

fn doc_of(fields: &[(&str, B)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, v) in fields {
        let (k, b) = encode(v);
        out.push(k);
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        out.extend(b);
    }
    wrap(out)
}

fn doc(fields: Vec<(&'static str, B)>) -> Vec<u8> {
    doc_of(&fields)
}

// ---- wire messages -------------------------------------------------------------------------

const OP_REPLY: i32 = 1;
const OP_UPDATE: i32 = 2001;
const OP_INSERT: i32 = 2002;
const OP_QUERY: i32 = 2004;
const OP_GET_MORE: i32 = 2005;
const OP_DELETE: i32 = 2006;
const OP_KILL_CURSORS: i32 = 2007;
const OP_COMPRESSED: i32 = 2012;
const OP_MSG: i32 = 2013;
const CHECKSUM_PRESENT: u32 = 1;
const MORE_TO_COME: u32 = 2;
const EXHAUST_ALLOWED: u32 = 1 << 16;

/// Header (messageLength, requestID, responseTo, opCode) + body.
fn message(request_id: i32, response_to: i32, opcode: i32, body: &[u8]) -> Vec<u8> {
    let mut m = ((body.len() + 16) as i32).to_le_bytes().to_vec();
    m.extend_from_slice(&request_id.to_le_bytes());
    m.extend_from_slice(&response_to.to_le_bytes());
    m.extend_from_slice(&opcode.to_le_bytes());
    m.extend_from_slice(body);
    m
}

fn cstr(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v
}

/// CRC-32C, bit by bit (independent of the analyzer's table).
fn crc32c(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0x82F6_3B78
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// OP_MSG: flagBits, a kind-0 body, kind-1 sequences, and a checksum when the flag says so.
fn op_msg(
    request_id: i32,
    response_to: i32,
    flags: u32,
    body: &[u8],
    sequences: &[(&str, Vec<Vec<u8>>)],
) -> Vec<u8> {
    let mut b = flags.to_le_bytes().to_vec();
    b.push(0);
    b.extend_from_slice(body);
    for (id, docs) in sequences {
        b.push(1);
        let mut s = cstr(id);
        for d in docs {
            s.extend_from_slice(d);
        }
        b.extend_from_slice(&((s.len() + 4) as i32).to_le_bytes());
        b.extend(s);
    }
    if flags & CHECKSUM_PRESENT == 0 {
        return message(request_id, response_to, OP_MSG, &b);
    }
    b.extend_from_slice(&[0; 4]);
    let mut m = message(request_id, response_to, OP_MSG, &b);
    let n = m.len() - 4;
    let crc = crc32c(&m[..n]);
    m[n..].copy_from_slice(&crc.to_le_bytes());
    m
}

fn op_query(request_id: i32, collection: &str, skip: i32, n: i32, query: &[u8]) -> Vec<u8> {
    let mut b = 0u32.to_le_bytes().to_vec();
    b.extend(cstr(collection));
    b.extend_from_slice(&skip.to_le_bytes());
    b.extend_from_slice(&n.to_le_bytes());
    b.extend_from_slice(query);
    message(request_id, 0, OP_QUERY, &b)
}

fn op_reply(
    request_id: i32,
    response_to: i32,
    flags: u32,
    cursor: i64,
    docs: &[Vec<u8>],
) -> Vec<u8> {
    let mut b = flags.to_le_bytes().to_vec();
    b.extend_from_slice(&cursor.to_le_bytes());
    b.extend_from_slice(&0i32.to_le_bytes());
    b.extend_from_slice(&(docs.len() as i32).to_le_bytes());
    for d in docs {
        b.extend_from_slice(d);
    }
    message(request_id, response_to, OP_REPLY, &b)
}

fn ok() -> Vec<u8> {
    doc(vec![("ok", B::F64(1.0))])
}

// ---- running -------------------------------------------------------------------------------

fn run_full(
    conv: &Conversation,
    seg: Segmentation,
    hole: Option<(Dir, usize, usize)>,
    options: &str,
) -> (Vec<Value>, AnomalyCounts) {
    let cfg = protocol_config_with(mongodb::NAME, options);
    let protocol = mongodb::Mongodb::build(&cfg).unwrap_or_else(|e| panic!("{e}"));
    run_frames_counting(vec![protocol], &conv.frames(seg, hole))
}

fn run(conv: &Conversation) -> Vec<Value> {
    run_full(conv, Segmentation::Whole, None, "").0
}

/// The same events whole, in 1-, 3- and 64-byte segments.
fn run_every_way(conv: &Conversation) -> Vec<Value> {
    let ev = run(conv);
    for size in [1, 3, 64] {
        assert_eq!(
            run_full(conv, Segmentation::Chunks(size), None, "").0,
            ev,
            "segments of {size}"
        );
    }
    ev
}

fn s<'a>(e: &'a Value, path: &str) -> &'a str {
    path.split('.').fold(e, |v, k| &v[k]).as_str().unwrap_or("")
}

fn conv() -> Conversation {
    Conversation::new(PORT)
}

// ---- OP_MSG --------------------------------------------------------------------------------

#[test]
fn op_msg_body_only_pairs_with_its_reply() {
    let find = doc(vec![
        ("find", B::S("users")),
        ("filter", B::D(vec![("age", B::I32(30))])),
        ("$db", B::S("shop")),
    ]);
    let reply = doc(vec![
        (
            "cursor",
            B::D(vec![
                ("firstBatch", B::A(vec![B::D(vec![("name", B::S("ann"))])])),
                ("id", B::I64(0)),
                ("ns", B::S("shop.users")),
            ]),
        ),
        ("ok", B::F64(1.0)),
    ]);
    let req = op_msg(5, 0, 0, &find, &[]);
    let rep = op_msg(77, 5, 0, &reply, &[]);
    let c = conv()
        .message(Dir::ToServer, &req)
        .message(Dir::ToClient, &rep);
    let ev = run_every_way(&c);
    assert_eq!(ev.len(), 1, "{ev:?}");
    let e = &ev[0];
    assert_eq!(e["type"], "mongodb");
    assert_eq!(e["method"], "find");
    assert_eq!(e["resource"], "shop.users");
    assert_eq!(e["query"], "shop.users.find()");
    assert_eq!(e["request"], r#"shop.users.find({"filter":{"age":30}})"#);
    assert_eq!(e["status"], "OK");
    assert_eq!(e["source"]["bytes"], req.len());
    assert_eq!(e["destination"]["bytes"], rep.len());
    assert_eq!(e["event"]["duration"], 1_000_000_000);
    assert_eq!(
        e["response"],
        r#"{"cursor":{"firstBatch":[{"name":"ann"}],"id":0,"ns":"shop.users"},"ok":1.0}"#
    );
}

#[test]
fn op_msg_document_sequence_of_an_insert() {
    let body = doc(vec![
        ("insert", B::S("items")),
        ("ordered", B::Bool(true)),
        ("$db", B::S("shop")),
    ]);
    let docs = vec![
        doc(vec![("_id", B::I32(1)), ("sku", B::S("a-1"))]),
        doc(vec![("_id", B::I32(2))]),
    ];
    let req = op_msg(6, 0, 0, &body, &[("documents", docs)]);
    let rep = op_msg(
        78,
        6,
        0,
        &doc(vec![("n", B::I32(2)), ("ok", B::F64(1.0))]),
        &[],
    );
    let ev = run_every_way(
        &conv()
            .message(Dir::ToServer, &req)
            .message(Dir::ToClient, &rep),
    );
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["method"], "insert");
    assert_eq!(ev[0]["resource"], "shop.items");
    assert_eq!(ev[0]["query"], r#"shop.items.insert({"ordered":true})"#);
    assert_eq!(
        ev[0]["request"],
        r#"shop.items.insert({"ordered":true,"documents":[{"_id":1,"sku":"a-1"},{"_id":2}]})"#
    );
    assert_eq!(ev[0]["mongodb"]["message"], "documents");
    assert_eq!(ev[0]["response"], r#"{"n":2,"ok":1.0}"#);
}

#[test]
fn op_msg_checksum_is_skipped_and_checked() {
    let body = doc(vec![("ping", B::I32(1)), ("$db", B::S("admin"))]);
    let good = op_msg(7, 0, CHECKSUM_PRESENT, &body, &[]);
    let mut bad = op_msg(8, 0, CHECKSUM_PRESENT, &body, &[]);
    let last = bad.len() - 1;
    bad[last] ^= 0xff;
    let c = conv()
        .message(Dir::ToServer, &good)
        .message(Dir::ToClient, &op_msg(90, 7, CHECKSUM_PRESENT, &ok(), &[]))
        .message(Dir::ToServer, &bad)
        .message(Dir::ToClient, &op_msg(91, 8, 0, &ok(), &[]));
    let ev = run_every_way(&c);
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0]["method"], "ping");
    assert_eq!(ev[0]["response"], r#"{"ok":1.0}"#);
    assert!(ev[0].get("error").is_none(), "{}", ev[0]);
    assert_eq!(ev[1]["error"]["message"], "OP_MSG checksum mismatch");
}

#[test]
fn more_to_come_request_is_published_without_reply() {
    let w = doc(vec![
        ("insert", B::S("log")),
        ("writeConcern", B::D(vec![("w", B::I32(0))])),
        ("$db", B::S("app")),
    ]);
    let c = conv()
        .message(
            Dir::ToServer,
            &op_msg(
                10,
                0,
                MORE_TO_COME,
                &w,
                &[("documents", vec![doc(vec![("x", B::I32(1))])])],
            ),
        )
        .message(
            Dir::ToServer,
            &op_msg(
                11,
                0,
                0,
                &doc(vec![("ping", B::I32(1)), ("$db", B::S("app"))]),
                &[],
            ),
        )
        .message(Dir::ToClient, &op_msg(95, 11, 0, &ok(), &[]));
    let ev = run_every_way(&c);
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert_eq!(ev[0]["method"], "insert");
    assert_eq!(ev[0]["status"], "OK");
    assert!(ev[0]["destination"].get("bytes").is_none());
    assert!(ev[0]["event"].get("duration").is_none());
    // Without a reply, the request's own documents are shown.
    assert_eq!(
        ev[0]["response"],
        "{\"insert\":\"log\",\"writeConcern\":{\"w\":0},\"$db\":\"app\"}\n{\"x\":1}"
    );
    assert_eq!(ev[1]["method"], "ping");
}

#[test]
fn exhaust_replies_each_give_an_event() {
    let get_more = doc(vec![
        ("getMore", B::I64(42)),
        ("collection", B::S("c")),
        ("$db", B::S("d")),
    ]);
    let batch = |n: i32| {
        doc(vec![
            (
                "cursor",
                B::D(vec![
                    ("nextBatch", B::A(vec![B::I32(n)])),
                    ("id", B::I64(42)),
                ]),
            ),
            ("ok", B::F64(1.0)),
        ])
    };
    let c = conv()
        .message(
            Dir::ToServer,
            &op_msg(20, 0, EXHAUST_ALLOWED, &get_more, &[]),
        )
        .message(
            Dir::ToClient,
            &op_msg(200, 20, MORE_TO_COME, &batch(1), &[]),
        )
        .message(
            Dir::ToClient,
            &op_msg(201, 200, MORE_TO_COME, &batch(2), &[]),
        )
        .message(Dir::ToClient, &op_msg(202, 201, 0, &batch(3), &[]));
    let ev = run_every_way(&c);
    assert_eq!(ev.len(), 3, "{ev:?}");
    for (i, e) in ev.iter().enumerate() {
        assert_eq!(e["method"], "getMore");
        assert!(s(e, "response").contains(&format!("[{}]", i + 1)), "{e}");
    }
}

// ---- OP_QUERY / OP_REPLY and legacy opcodes -----------------------------------------------

#[test]
fn op_query_command_and_plain_query() {
    let cmd = doc(vec![("count", B::S("users")), ("query", B::D(vec![]))]);
    let find = doc(vec![("name", B::S("ann"))]);
    let c = conv()
        .message(Dir::ToServer, &op_query(1, "shop.$cmd", 0, -1, &cmd))
        .message(
            Dir::ToClient,
            &op_reply(
                50,
                1,
                8,
                0,
                &[doc(vec![("n", B::I32(3)), ("ok", B::F64(1.0))])],
            ),
        )
        .message(Dir::ToServer, &op_query(2, "shop.users", 5, 10, &find))
        .message(
            Dir::ToClient,
            &op_reply(
                51,
                2,
                8,
                1234,
                &[
                    doc(vec![("name", B::S("ann"))]),
                    doc(vec![("name", B::S("ann"))]),
                ],
            ),
        );
    let ev = run_every_way(&c);
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0]["method"], "count");
    assert_eq!(ev[0]["resource"], "shop.users");
    assert_eq!(ev[0]["query"], "shop.users.count()");
    assert_eq!(ev[0]["mongodb"]["fullCollectionName"], "shop.$cmd");
    assert_eq!(ev[1]["method"], "find");
    assert_eq!(ev[1]["resource"], "shop.users");
    assert_eq!(ev[1]["query"], "shop.users.find().skip(5).limit(10)");
    assert_eq!(
        ev[1]["request"],
        r#"shop.users.find({"name":"ann"}).skip(5).limit(10)"#
    );
    assert_eq!(ev[1]["mongodb"]["numberToSkip"], 5);
    assert_eq!(ev[1]["mongodb"]["numberToReturn"], 10);
    assert_eq!(ev[1]["mongodb"]["numberReturned"], 2);
    assert_eq!(ev[1]["mongodb"]["cursorId"], 1234);
    assert_eq!(ev[1]["response"], "{\"name\":\"ann\"}\n{\"name\":\"ann\"}");
}

#[test]
fn query_failure_with_err_is_an_error() {
    let c = conv()
        .message(
            Dir::ToServer,
            &op_query(3, "shop.users", 0, 0, &doc(vec![("$where", B::S("bad("))])),
        )
        .message(
            Dir::ToClient,
            &op_reply(
                52,
                3,
                2,
                0,
                &[doc(vec![
                    ("$err", B::S("SyntaxError")),
                    ("code", B::I32(16722)),
                ])],
            ),
        );
    let ev = run(&c);
    assert_eq!(ev[0]["status"], "Error");
    assert_eq!(ev[0]["mongodb"]["error"], "SyntaxError");
}

#[test]
fn write_errors_and_failed_commands_are_errors() {
    let dup = doc(vec![
        ("n", B::I32(0)),
        (
            "writeErrors",
            B::A(vec![B::D(vec![
                ("index", B::I32(0)),
                ("code", B::I32(11000)),
                ("errmsg", B::S("E11000 duplicate key")),
            ])]),
        ),
        ("ok", B::F64(1.0)),
    ]);
    let body = doc(vec![("insert", B::S("c")), ("$db", B::S("d"))]);
    let c = conv()
        .message(
            Dir::ToServer,
            &op_msg(
                30,
                0,
                0,
                &body,
                &[("documents", vec![doc(vec![("_id", B::I32(1))])])],
            ),
        )
        .message(Dir::ToClient, &op_msg(300, 30, 0, &dup, &[]))
        .message(
            Dir::ToServer,
            &op_msg(
                31,
                0,
                0,
                &doc(vec![("drop", B::S("nope")), ("$db", B::S("d"))]),
                &[],
            ),
        )
        .message(
            Dir::ToClient,
            &op_msg(
                301,
                31,
                0,
                &doc(vec![
                    ("ok", B::F64(0.0)),
                    ("errmsg", B::S("ns not found")),
                    ("code", B::I32(26)),
                ]),
                &[],
            ),
        );
    let ev = run(&c);
    assert_eq!(ev[0]["status"], "Error");
    assert_eq!(
        ev[0]["mongodb"]["error"],
        r#"[{"index":0,"code":11000,"errmsg":"E11000 duplicate key"}]"#
    );
    assert_eq!(ev[1]["status"], "Error");
    assert_eq!(ev[1]["mongodb"]["error"], "ns not found");
}

#[test]
fn legacy_write_opcodes_are_published_at_once() {
    let mut insert = 0u32.to_le_bytes().to_vec();
    insert.extend(cstr("shop.items"));
    insert.extend(doc(vec![("a", B::I32(1))]));
    insert.extend(doc(vec![("a", B::I32(2))]));
    let mut update = 0u32.to_le_bytes().to_vec();
    update.extend(cstr("shop.items"));
    update.extend_from_slice(&0u32.to_le_bytes());
    update.extend(doc(vec![("a", B::I32(1))]));
    update.extend(doc(vec![("$set", B::D(vec![("b", B::I32(2))]))]));
    let mut delete = 0u32.to_le_bytes().to_vec();
    delete.extend(cstr("shop.items"));
    delete.extend_from_slice(&0u32.to_le_bytes());
    delete.extend(doc(vec![("a", B::I32(2))]));
    let mut kill = 0u32.to_le_bytes().to_vec();
    kill.extend_from_slice(&1i32.to_le_bytes());
    kill.extend_from_slice(&99i64.to_le_bytes());
    let mut get_more = 0u32.to_le_bytes().to_vec();
    get_more.extend(cstr("shop.items"));
    get_more.extend_from_slice(&5i32.to_le_bytes());
    get_more.extend_from_slice(&99i64.to_le_bytes());
    let c = conv()
        .message(Dir::ToServer, &message(1, 0, OP_INSERT, &insert))
        .message(Dir::ToServer, &message(2, 0, OP_UPDATE, &update))
        .message(Dir::ToServer, &message(3, 0, OP_DELETE, &delete))
        .message(Dir::ToServer, &message(4, 0, OP_GET_MORE, &get_more))
        .message(
            Dir::ToClient,
            &op_reply(60, 4, 0, 0, &[doc(vec![("a", B::I32(1))])]),
        )
        .message(Dir::ToServer, &message(5, 0, OP_KILL_CURSORS, &kill));
    let ev = run_every_way(&c);
    let methods: Vec<&str> = ev.iter().map(|e| s(e, "method")).collect();
    assert_eq!(
        methods,
        ["insert", "update", "delete", "getMore", "killCursors"]
    );
    assert_eq!(ev[0]["mongodb"]["fullCollectionName"], "shop.items");
    assert_eq!(ev[0]["response"], "{\"a\":1}\n{\"a\":2}");
    assert!(ev[0]["destination"].get("bytes").is_none());
    assert_eq!(ev[1]["mongodb"]["selector"], r#"{"a":1}"#);
    assert_eq!(ev[1]["mongodb"]["update"], r#"{"$set":{"b":2}}"#);
    assert_eq!(ev[2]["mongodb"]["selector"], r#"{"a":2}"#);
    assert_eq!(
        ev[3]["mongodb"]["cursorId"], 0,
        "the reply's cursor (exhausted)"
    );
    assert_eq!(ev[3]["mongodb"]["numberToReturn"], 5);
    assert_eq!(ev[3]["mongodb"]["numberReturned"], 1);
    assert_eq!(ev[4]["mongodb"]["cursorId"], 99);
}

// ---- OP_COMPRESSED, unknown opcodes --------------------------------------------------------

fn compressed(request_id: i32, response_to: i32, inner: &[u8], compressor: u8) -> Vec<u8> {
    // inner is a whole message: its opcode and body are compressed.
    let opcode = i32::from_le_bytes([inner[12], inner[13], inner[14], inner[15]]);
    let plain = &inner[16..];
    let data = match compressor {
        0 => plain.to_vec(),
        1 => {
            // Snappy: the length varint, then literals of at most 60 bytes.
            let mut out = Vec::new();
            let mut n = plain.len();
            while n >= 0x80 {
                out.push((n as u8) | 0x80);
                n >>= 7;
            }
            out.push(n as u8);
            for chunk in plain.chunks(60) {
                out.push(((chunk.len() - 1) as u8) << 2);
                out.extend_from_slice(chunk);
            }
            out
        }
        2 => {
            use std::io::Write;
            let mut enc =
                flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            enc.write_all(plain).unwrap_or_else(|e| panic!("{e}"));
            enc.finish().unwrap_or_else(|e| panic!("{e}"))
        }
        3 => ruzstd::encoding::compress_to_vec(plain, ruzstd::encoding::CompressionLevel::Fastest),
        // An unknown compressor id.
        _ => plain.to_vec(),
    };
    let mut b = opcode.to_le_bytes().to_vec();
    b.extend_from_slice(&(plain.len() as i32).to_le_bytes());
    b.push(compressor);
    b.extend(data);
    message(request_id, response_to, OP_COMPRESSED, &b)
}

#[test]
fn op_compressed_reports_the_original_opcode() {
    let mut c = conv();
    for (i, compressor) in [0u8, 1, 2, 3, 7].into_iter().enumerate() {
        let id = 40 + i as i32;
        let req = op_msg(
            id,
            0,
            0,
            &doc(vec![("count", B::S("c")), ("$db", B::S("d"))]),
            &[],
        );
        let rep = op_msg(
            400 + id,
            id,
            0,
            &doc(vec![("n", B::I32(7)), ("ok", B::F64(1.0))]),
            &[],
        );
        c = c
            .message(Dir::ToServer, &compressed(id, 0, &req, compressor))
            .message(Dir::ToClient, &compressed(400 + id, id, &rep, compressor));
    }
    let ev = run_every_way(&c);
    assert_eq!(ev.len(), 5, "{ev:?}");
    for e in &ev[..4] {
        assert_eq!(e["method"], "count");
        assert_eq!(e["response"], r#"{"n":7,"ok":1.0}"#);
    }
    // An unknown compressor is recognised but not decoded: an event without documents, with
    // a note.
    assert_eq!(ev[4]["method"], "msg");
    assert!(ev[4].get("response").is_none());
    assert!(
        ev[4]["error"]["message"]
            .to_string()
            .contains("Compressed with unknown"),
        "{}",
        ev[4]
    );
}

#[test]
fn unknown_opcodes_are_skipped_and_counted() {
    let c = conv()
        .message(Dir::ToServer, &message(1, 0, 2269, b"whatever the body is"))
        .message(Dir::ToServer, &message(2, 0, 2010, &[0; 40]))
        .message(
            Dir::ToServer,
            &op_msg(3, 0, 0, &doc(vec![("ping", B::I32(1))]), &[]),
        )
        .message(Dir::ToClient, &op_msg(30, 3, 0, &ok(), &[]));
    let (ev, anomalies) = run_full(&c, Segmentation::Chunks(7), None, "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["method"], "ping");
    assert_eq!(anomalies.get("mongodb", "unknown_opcode"), 2);
}

// ---- pairing, segmentation, loss, garbage, limits -----------------------------------------

#[test]
fn pipelined_requests_answered_out_of_order() {
    let q = |id: i32, coll: &'static str| {
        op_msg(
            id,
            0,
            0,
            &doc(vec![("find", B::S(coll)), ("$db", B::S("d"))]),
            &[],
        )
    };
    let r = |id: i32, to: i32, n: i32| {
        op_msg(
            id,
            to,
            0,
            &doc(vec![("n", B::I32(n)), ("ok", B::F64(1.0))]),
            &[],
        )
    };
    let c = conv()
        .message(Dir::ToServer, &[q(1, "a"), q(2, "b"), q(3, "c")].concat())
        .message(
            Dir::ToClient,
            &[r(90, 3, 3), r(91, 1, 1), r(92, 2, 2)].concat(),
        );
    let ev = run_every_way(&c);
    let got: Vec<(&str, &str)> = ev
        .iter()
        .map(|e| (s(e, "resource"), s(e, "response")))
        .collect();
    assert_eq!(
        got,
        [
            ("d.c", r#"{"n":3,"ok":1.0}"#),
            ("d.a", r#"{"n":1,"ok":1.0}"#),
            ("d.b", r#"{"n":2,"ok":1.0}"#)
        ]
    );
}

#[test]
fn a_reply_before_its_request_has_no_negative_duration() {
    let c = conv()
        .message(Dir::ToClient, &op_reply(70, 9, 8, 0, &[ok()]))
        .message(
            Dir::ToServer,
            &op_query(10, "d.$cmd", 0, -1, &doc(vec![("ping", B::I32(1))])),
        )
        .message(Dir::ToClient, &op_reply(71, 10, 8, 0, &[ok()]));
    let ev = run(&c);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["method"], "ping");
    assert!(ev[0]["event"]["duration"].as_i64().is_some_and(|d| d >= 0));
}

#[test]
fn a_lost_reply_segment_never_mis_pairs() {
    let q = |id: i32| {
        op_msg(
            id,
            0,
            0,
            &doc(vec![("find", B::S("c")), ("$db", B::S("d"))]),
            &[],
        )
    };
    let big = doc(vec![("pad", B::Str("x".repeat(300))), ("ok", B::F64(1.0))]);
    let r1 = op_msg(90, 1, 0, &big, &[]);
    let r2 = op_msg(91, 2, 0, &ok(), &[]);
    let c = conv()
        .message(Dir::ToServer, &q(1))
        .message(Dir::ToClient, &r1)
        .message(Dir::ToServer, &q(2))
        .message(Dir::ToClient, &r2);
    for offset in [0, 10, 100, r1.len() - 30] {
        let (ev, _) = run_full(
            &c,
            Segmentation::Chunks(64),
            Some((Dir::ToClient, offset, 20)),
            "",
        );
        for e in &ev {
            // Whatever survives is paired with its own reply.
            if s(e, "response").contains("pad") {
                assert_eq!(e["source"]["bytes"], q(1).len());
            } else {
                assert_eq!(e["response"], r#"{"ok":1.0}"#);
            }
        }
        assert!(
            ev.iter().any(|e| e["response"] == r#"{"ok":1.0}"#),
            "second pair kept after a hole at {offset}: {ev:?}"
        );
    }
}

#[test]
fn garbage_and_truncated_input_give_nothing() {
    let c = conv()
        .message(Dir::ToServer, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .message(Dir::ToClient, b"HTTP/1.1 200 OK\r\n\r\n");
    assert!(run(&c).is_empty());
    // Valid messages after the garbage are read again.
    let c = c
        .message(
            Dir::ToServer,
            &op_msg(1, 0, 0, &doc(vec![("ping", B::I32(1))]), &[]),
        )
        .message(Dir::ToClient, &op_msg(10, 1, 0, &ok(), &[]));
    let ev = run_every_way(&c);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["method"], "ping");
    let whole = op_query(1, "d.c", 0, 0, &doc(vec![]));
    let c = conv().message(Dir::ToServer, &whole[..whole.len() - 3]);
    assert!(run(&c).is_empty());
    // A length below the header size, and documents whose lengths lie.
    let mut lying = op_msg(2, 0, 0, &doc(vec![("ping", B::I32(1))]), &[]);
    lying[21] = 0xff;
    let c = conv()
        .message(
            Dir::ToServer,
            &[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xdd, 7, 0, 0],
        )
        .message(Dir::ToServer, &lying);
    for seg in [Segmentation::Whole, Segmentation::Chunks(1)] {
        let (ev, _) = run_full(&c, seg, None, "");
        assert!(ev.len() <= 1);
    }
}

#[test]
fn a_huge_message_is_skipped_by_counting() {
    let body = doc(vec![("insert", B::S("blobs")), ("$db", B::S("d"))]);
    let blob = doc(vec![("data", B::Bin(vec![7; 200_000]))]);
    let req = op_msg(1, 0, 0, &body, &[("documents", vec![blob])]);
    let c = conv()
        .message(Dir::ToServer, &req)
        .message(
            Dir::ToClient,
            &op_msg(
                10,
                1,
                0,
                &doc(vec![("n", B::I32(1)), ("ok", B::F64(1.0))]),
                &[],
            ),
        )
        .message(
            Dir::ToServer,
            &op_msg(
                2,
                0,
                0,
                &doc(vec![("ping", B::I32(1)), ("$db", B::S("d"))]),
                &[],
            ),
        )
        .message(Dir::ToClient, &op_msg(11, 2, 0, &ok(), &[]));
    let (ev, anomalies) = run_full(
        &c,
        Segmentation::Chunks(1460),
        None,
        "max_message_size: 65536",
    );
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert_eq!(ev[0]["method"], "insert");
    assert_eq!(
        ev[0]["resource"], "d.blobs",
        "described from the whole command body"
    );
    assert_eq!(ev[0]["source"]["bytes"], req.len());
    assert!(
        s(&ev[0], "error.message").contains("over max_message_size"),
        "{}",
        ev[0]
    );
    assert_eq!(ev[1]["method"], "ping");
    assert_eq!(anomalies.get("mongodb", "message_too_large"), 1);
    // A limit below the 4 KiB head read to describe the message works the same way.
    let (small, _) = run_full(
        &c,
        Segmentation::Chunks(1460),
        None,
        "max_message_size: 1000",
    );
    assert_eq!(small.len(), 2);
    assert_eq!(small[0]["resource"], "d.blobs");
    assert!(s(&small[0], "error.message").contains("(1000)"));
    assert_eq!(small[1], ev[1]);
    // A huge OP_REPLY to a command: its counters are still read from its head.
    let docs: Vec<Vec<u8>> = (0..100)
        .map(|_| doc(vec![("b", B::Bin(vec![1; 1000]))]))
        .collect();
    let c = conv()
        .message(
            Dir::ToServer,
            &op_query(4, "d.$cmd", 0, -1, &doc(vec![("listIndexes", B::S("c"))])),
        )
        .message(Dir::ToClient, &op_reply(40, 4, 8, 77, &docs));
    let (ev, _) = run_full(
        &c,
        Segmentation::Chunks(1000),
        None,
        "max_message_size: 65536",
    );
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(ev[0]["method"], "listIndexes");
    assert_eq!(ev[0]["mongodb"]["numberReturned"], 100);
    assert_eq!(ev[0]["mongodb"]["cursorId"], 77);
    assert!(ev[0].get("response").is_none());
    assert!(s(&ev[0], "error.message").contains("over max_message_size"));
    // A length near 2 GiB on a known opcode: the rest of the stream is skipped, nothing else.
    let mut huge = op_msg(3, 0, 0, &doc(vec![("ping", B::I32(1))]), &[]);
    huge[..4].copy_from_slice(&0x7fff_fff0i32.to_le_bytes());
    let (ev, _) = run_full(
        &conv().message(Dir::ToServer, &huge),
        Segmentation::Chunks(5),
        None,
        "",
    );
    assert!(ev.is_empty(), "no reply, nothing published: {ev:?}");
}

#[test]
fn deep_nesting_is_bounded() {
    let mut inner = doc(vec![("leaf", B::I32(1))]);
    for _ in 0..150 {
        let mut elements = vec![0x03];
        elements.extend_from_slice(b"n\0");
        elements.extend(inner);
        inner = wrap(elements);
    }
    let mut elements = vec![0x02];
    elements.extend_from_slice(b"find\0");
    elements.extend(bson_string("c"));
    elements.push(0x03);
    elements.extend_from_slice(b"filter\0");
    elements.extend(inner);
    let query = wrap(elements);
    let c = conv()
        .message(Dir::ToServer, &op_msg(1, 0, 0, &query, &[]))
        .message(Dir::ToClient, &op_msg(10, 1, 0, &ok(), &[]));
    let ev = run(&c);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["method"], "find");
    assert!(s(&ev[0], "request").len() < 2000);
    assert_eq!(
        ev[0]["error"]["message"],
        "Document nested deeper than 64 levels: rendered up to there"
    );
}

#[test]
fn credentials_never_reach_the_event() {
    let sasl = doc(vec![
        ("saslStart", B::I32(1)),
        ("mechanism", B::S("SCRAM-SHA-256")),
        ("payload", B::Bin(b"n,,n=alice,r=SECRETNONCE".to_vec())),
        ("$db", B::S("admin")),
    ]);
    let answer = doc(vec![
        ("conversationId", B::I32(1)),
        ("done", B::Bool(false)),
        (
            "payload",
            B::Bin(b"r=SECRETNONCEserver,s=SALTSALT,i=4096".to_vec()),
        ),
        ("ok", B::F64(1.0)),
    ]);
    let create = doc(vec![
        ("createUser", B::S("bob")),
        ("pwd", B::S("hunter2")),
        ("roles", B::A(vec![])),
    ]);
    let c = conv()
        .message(Dir::ToServer, &op_msg(1, 0, 0, &sasl, &[]))
        .message(Dir::ToClient, &op_msg(10, 1, 0, &answer, &[]))
        .message(Dir::ToServer, &op_query(2, "admin.$cmd", 0, -1, &create))
        .message(Dir::ToClient, &op_reply(11, 2, 8, 0, &[ok()]))
        // An answer whose request was not captured is hidden too.
        .message(Dir::ToClient, &op_msg(12, 77, 0, &answer, &[]));
    let ev = run(&c);
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0]["method"], "saslStart");
    assert_eq!(ev[1]["method"], "createUser");
    let secrets = ["SECRETNONCE", "SALTSALT", "hunter2", "bixhbGlj", "U0VDUkVU"];
    for e in &ev {
        let text = e.to_string();
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains(mongodb::REDACTED), "{text}");
    }
}

#[test]
fn max_docs_and_max_doc_length() {
    let docs: Vec<Vec<u8>> = (0..25)
        .map(|i| {
            doc(vec![
                ("i", B::I32(i)),
                ("text", B::S("a fairly long text value")),
            ])
        })
        .collect();
    let c = conv()
        .message(Dir::ToServer, &op_query(1, "d.c", 0, 0, &doc(vec![])))
        .message(Dir::ToClient, &op_reply(10, 1, 0, 0, &docs));
    let lines = |options: &str| -> Vec<String> {
        let (ev, _) = run_full(&c, Segmentation::Whole, None, options);
        s(&ev[0], "response").lines().map(str::to_string).collect()
    };
    let default = lines("");
    assert_eq!(default.len(), 11);
    assert_eq!(default[10], "[...]");
    assert_eq!(lines("max_docs: 0").len(), 25);
    assert_eq!(lines("max_docs: 3").len(), 4);
    for l in lines("max_doc_length: 10") {
        assert!(
            l == "[...]" || (l.len() == 14 && l.ends_with(" ...")),
            "{l}"
        );
    }
    let mut cfg = test_protocol_config(mongodb::NAME);
    cfg.options = serde_yaml_ng::from_str("max_doc: 3").unwrap_or_default();
    let err = mongodb::Mongodb::build(&cfg)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("did you mean \"max_docs\""), "{err}");
}

#[test]
fn reordered_segments_of_a_long_reply_give_the_same_event() {
    let docs: Vec<Vec<u8>> = (0..40)
        .map(|i| doc(vec![("i", B::I32(i)), ("pad", B::Str("p".repeat(50)))]))
        .collect();
    let c = conv()
        .message(Dir::ToServer, &op_query(1, "d.c", 0, 0, &doc(vec![])))
        .message(Dir::ToClient, &op_reply(10, 1, 0, 0, &docs))
        .message(Dir::ToServer, &op_query(2, "d.c", 0, 0, &doc(vec![])))
        .message(Dir::ToClient, &op_reply(11, 2, 0, 0, &docs[..1]));
    let protocol = || {
        let mut cfg = test_protocol_config(mongodb::NAME);
        cfg.options = serde_yaml_ng::from_str("max_docs: 0").unwrap_or_default();
        vec![mongodb::Mongodb::build(&cfg).unwrap_or_else(|e| panic!("{e}"))]
    };
    let frames = c.frames(Segmentation::Chunks(500), None);
    let straight = wb_testkit::run_frames(protocol(), &frames);
    assert_eq!(straight.len(), 2);
    assert_eq!(s(&straight[0], "response").lines().count(), 40);
    // The long reply's segments all carry its time (second 2): swap its 2nd and 4th.
    let reply_ts = frames
        .iter()
        .filter(|f| frames.iter().filter(|g| g.ts == f.ts).count() > 3)
        .map(|f| f.ts)
        .next()
        .unwrap_or_else(|| panic!("no multi-segment reply"));
    let idx: Vec<usize> = (0..frames.len())
        .filter(|&i| frames[i].ts == reply_ts)
        .collect();
    let mut swapped = frames.clone();
    swapped.swap(idx[1], idx[3]);
    assert_eq!(wb_testkit::run_frames(protocol(), &swapped), straight);
}

#[test]
fn mutated_messages_never_panic() {
    // Deterministic mutations (a xorshift generator) of a conversation with every kind of
    // message: each run may give any events, but only well-formed mongodb ones.
    let sasl = doc(vec![
        ("saslStart", B::I32(1)),
        ("payload", B::Bin(b"n,,n=u".to_vec())),
    ]);
    let base: Vec<(Dir, Vec<u8>)> = vec![
        (
            Dir::ToServer,
            op_msg(1, 0, CHECKSUM_PRESENT, &sasl, &[("documents", vec![ok()])]),
        ),
        (Dir::ToClient, op_msg(10, 1, MORE_TO_COME, &ok(), &[])),
        (
            Dir::ToServer,
            op_query(2, "d.$cmd", 1, 2, &doc(vec![("count", B::S("c"))])),
        ),
        (
            Dir::ToClient,
            op_reply(11, 2, 2, 5, &[doc(vec![("$err", B::S("x"))])]),
        ),
        (
            Dir::ToServer,
            compressed(3, 0, &op_msg(3, 0, 0, &ok(), &[]), 1),
        ),
        (
            Dir::ToClient,
            compressed(12, 3, &op_msg(12, 3, 0, &ok(), &[]), 2),
        ),
    ];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..300 {
        let mut c = conv();
        for (dir, m) in &base {
            let mut m = m.clone();
            for _ in 0..(next() % 4) {
                let at = (next() as usize) % m.len();
                m[at] = next() as u8;
            }
            c = c.message(*dir, &m);
        }
        let seg = Segmentation::Chunks(1 + (next() % 40) as usize);
        for e in run_full(&c, seg, None, "").0 {
            assert_eq!(e["type"], "mongodb", "{e}");
        }
    }
}

#[test]
fn waiting_requests_are_bounded_in_count_and_text() {
    // 100 finds, each holding about 60 KB of request text: the oldest are dropped and counted.
    let filter = doc(vec![("f", B::Str("v".repeat(60_000))), ("$db", B::S("d"))]);
    let mut reqs = Vec::new();
    for id in 1..=100 {
        let mut body = doc(vec![("find", B::S("c"))]);
        body.truncate(body.len() - 1);
        body.extend_from_slice(&[0x03]);
        body.extend_from_slice(b"filter\0");
        body.extend_from_slice(&filter);
        body.push(0);
        let len = body.len() as i32;
        body[..4].copy_from_slice(&len.to_le_bytes());
        reqs.extend(op_msg(id, 0, 0, &body, &[]));
    }
    let c = conv()
        .message(Dir::ToServer, &reqs)
        .message(Dir::ToClient, &op_msg(500, 1, 0, &ok(), &[]))
        .message(Dir::ToClient, &op_msg(501, 100, 0, &ok(), &[]));
    let (ev, anomalies) = run_full(&c, Segmentation::Chunks(1460), None, "");
    assert_eq!(
        ev.len(),
        1,
        "only the newest request is still waiting: {}",
        ev.len()
    );
    assert_eq!(ev[0]["source"]["bytes"], reqs.len() / 100);
    // Request 1 was dropped before its reply came: that reply waits for nothing.
    assert_eq!(anomalies.get("mongodb", "unmatched_response"), 1);
    assert_eq!(anomalies.get("mongodb", "unmatched_request"), 99);
}
