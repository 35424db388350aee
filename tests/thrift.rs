//! Thrift edge cases on hand-made conversations: every type in TBinary (strict and
//! non-strict) and TCompact, framed and socket transports, one-way calls, exceptions, IDL
//! naming, each size option, obfuscation, garbage, hostile sizes, deep nesting and a long
//! message cut into many segments.

use serde_json::Value;
use wb_proto::{thrift, Dir};
use wb_testkit::suite::{protocol_config_with, test_protocol_config, PORT};
use wb_testkit::{run_frames, Conversation, Segmentation};

// ---- TBinary building blocks ----------------------------------------------------------------

const CALL: u8 = 1;
const REPLY: u8 = 2;
const EXCEPTION: u8 = 3;
const ONEWAY: u8 = 4;

/// Strict TBinary message: version 1 | type, name, seq id, then the fields and STOP.
fn strict(kind: u8, name: &str, seq: i32, fields: &[Vec<u8>]) -> Vec<u8> {
    let mut m = vec![0x80, 0x01, 0x00, kind];
    m.extend(bstr(name.as_bytes()));
    m.extend(seq.to_be_bytes());
    fields.iter().for_each(|f| m.extend(f));
    m.push(0);
    m
}

/// Old non-strict TBinary message: name, type byte, seq id.
fn non_strict(kind: u8, name: &str, seq: i32, fields: &[Vec<u8>]) -> Vec<u8> {
    let mut m = bstr(name.as_bytes());
    m.push(kind);
    m.extend(seq.to_be_bytes());
    fields.iter().for_each(|f| m.extend(f));
    m.push(0);
    m
}

/// A field: type code, id, value bytes.
fn field(ty: u8, id: i16, value: &[u8]) -> Vec<u8> {
    let mut f = vec![ty];
    f.extend(id.to_be_bytes());
    f.extend(value);
    f
}

fn bstr(b: &[u8]) -> Vec<u8> {
    let mut v = (b.len() as i32).to_be_bytes().to_vec();
    v.extend(b);
    v
}

fn i32f(id: i16, v: i32) -> Vec<u8> {
    field(8, id, &v.to_be_bytes())
}

fn framed(msg: &[u8]) -> Vec<u8> {
    let mut v = (msg.len() as i32).to_be_bytes().to_vec();
    v.extend(msg);
    v
}

// ---- running -------------------------------------------------------------------------------

fn run_with(conv: &Conversation, seg: Segmentation, options: &str) -> Vec<Value> {
    let mut cfg = protocol_config_with(thrift::NAME, options);
    cfg.send_request = false;
    cfg.send_response = false;
    let protocol = thrift::Thrift::build(&cfg).unwrap_or_else(|e| panic!("{e}"));
    run_frames(vec![protocol], &conv.frames(seg, None))
}

fn run(conv: &Conversation, options: &str) -> Vec<Value> {
    run_with(conv, Segmentation::Whole, options)
}

fn conv(messages: &[(Dir, Vec<u8>)]) -> Conversation {
    messages
        .iter()
        .fold(Conversation::new(PORT), |c, (d, m)| c.message(*d, m))
}

fn pair(call: Vec<u8>, reply: Vec<u8>) -> Conversation {
    conv(&[(Dir::ToServer, call), (Dir::ToClient, reply)])
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("<absent>")
}

// ---- tests ---------------------------------------------------------------------------------

/// A call carrying every type, nested: the rendering of each.
fn every_type_call() -> Vec<u8> {
    let mut inner = i32f(1, 7);
    inner.extend(field(11, 2, &bstr(b"in")));
    inner.push(0);
    let mut list = vec![8];
    list.extend(3i32.to_be_bytes());
    for v in [1i32, -2, 3] {
        list.extend(v.to_be_bytes());
    }
    let mut set = vec![11];
    set.extend(2i32.to_be_bytes());
    set.extend(bstr(b"a"));
    set.extend(bstr(b"b"));
    // map<i16, list<bool>> {5: [true, false]}
    let mut map = vec![6, 15];
    map.extend(1i32.to_be_bytes());
    map.extend(5i16.to_be_bytes());
    map.extend([2, 0, 0, 0, 2, 1, 0]);
    strict(
        CALL,
        "everything",
        1,
        &[
            field(2, 1, &[1]),
            field(3, 2, &[0xff]),
            field(6, 3, &(-300i16).to_be_bytes()),
            i32f(4, -70000),
            field(10, 5, &(1i64 << 40).to_be_bytes()),
            field(4, 6, &(-0.5f64).to_be_bytes()),
            field(11, 7, &bstr("tab\there \"é\"".as_bytes())),
            field(11, 8, &bstr(&[0xde, 0xad, 0xbe, 0xef])),
            field(12, 9, &inner),
            field(15, 10, &list),
            field(14, 11, &set),
            field(13, 12, &map),
        ],
    )
}

const EVERY_TYPE_PARAMS: &str = "(1: true, 2: 255, 3: -300, 4: -70000, 5: 1099511627776, \
    6: -0.5, 7: \"tab\\there \\\"é\\\"\", 8: deadbeef, 9: (1: 7, 2: \"in\"), 10: [1, -2, 3], \
    11: {\"a\", \"b\"}, 12: {5: [true, false]})";

#[test]
fn binary_strict_every_type() {
    let reply = strict(REPLY, "everything", 1, &[field(15, 0, &[8, 0, 0, 0, 0])]);
    let ev = run(&pair(every_type_call(), reply), "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["thrift"]["params"], EVERY_TYPE_PARAMS);
    assert_eq!(ev[0]["query"], format!("everything{EVERY_TYPE_PARAMS}"));
    // An empty list renders as nothing at all, as Packetbeat writes it.
    assert_eq!(ev[0]["thrift"]["return_value"], "");
    assert_eq!(ev[0]["status"], "OK");
    assert_eq!(ev[0]["type"], "thrift");
}

#[test]
fn binary_non_strict() {
    let call = non_strict(CALL, "add", 9, &[i32f(1, 1), i32f(2, 2)]);
    let reply = non_strict(REPLY, "add", 9, &[i32f(0, 3)]);
    let ev = run(&pair(call.clone(), reply.clone()), "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["query"], "add(1: 1, 2: 2)");
    assert_eq!(ev[0]["thrift"]["return_value"], "3");
    assert_eq!(ev[0]["source"]["bytes"], call.len() as u64);
    assert_eq!(ev[0]["destination"]["bytes"], reply.len() as u64);
}

#[test]
fn compact_every_type_framed() {
    // 0x82, CALL << 5 | 1, seq 1, "c"
    let mut call = vec![0x82, 0x21, 0x01, 0x01, b'c'];
    call.extend([0x11]); // 1: bool true (type 1, delta 1)
    call.extend([0x13, 0xff]); // 2: byte 255
    call.extend([0x14, 0x03]); // 3: i16 zigzag 3 = -2
    call.extend([0x15, 0xd0, 0x0f]); // 4: i32 zigzag 2000 = 1000
    call.extend([0x16, 0x01]); // 5: i64 -1
    call.extend([0x17]); // 6: double 2.5 little-endian
    call.extend(2.5f64.to_le_bytes());
    call.extend([0x18, 0x02, b'h', b'i']); // 7: binary "hi"
    call.extend([0x19, 0x35, 0x02, 0x04, 0x06]); // 8: list<i32>[1, 2, 3]
    call.extend([0x1a, 0x21, 0x01, 0x02]); // 9: set<bool>{true, false}
    call.extend([0x1b, 0x01, 0x85, 0x01, b'k', 0x04]); // 10: map<string, i32>{"k": 2}
    call.extend([0x1b, 0x00]); // 11: empty map
    call.extend([0x1c, 0x15, 0x0e, 0x00]); // 12: struct (1: 7)
    call.extend([0x03, 0x28, 0x00]); // 20 (long form id zigzag 40): byte 0
    call.push(0x00);
    let reply = vec![0x82, 0x41, 0x01, 0x01, b'c', 0x05, 0x00, 0x2a, 0x00]; // 0: i32 21
    let ev = run(
        &pair(framed(&call), framed(&reply)),
        "{transport_type: framed, protocol_type: compact}",
    );
    assert_eq!(ev.len(), 1);
    assert_eq!(
        ev[0]["thrift"]["params"],
        "(1: true, 2: 255, 3: -2, 4: 1000, 5: -1, 6: 2.5, 7: \"hi\", 8: [1, 2, 3], \
         9: {true, false}, 10: {\"k\": 2}, 11: {}, 12: (1: 7), 20: 0)"
    );
    assert_eq!(ev[0]["thrift"]["return_value"], "21");
    // Framed sizes are the frame lengths.
    assert_eq!(ev[0]["source"]["bytes"], call.len() as u64);
    // The same messages on a plain socket, one byte per segment, give the same event.
    let socket = run_with(
        &pair(call.clone(), reply.clone()),
        Segmentation::Chunks(1),
        "{protocol_type: compact}",
    );
    assert_eq!(socket.len(), 1);
    assert_eq!(socket[0]["thrift"], ev[0]["thrift"]);
}

#[test]
fn framed_transport_needs_its_option() {
    let call = strict(CALL, "ping", 0, &[]);
    let reply = strict(REPLY, "ping", 0, &[]);
    let c = pair(framed(&call), framed(&reply));
    let ev = run(&c, "{transport_type: framed}");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["source"]["bytes"], call.len() as u64);
    assert!(run(&c, "").is_empty());
    // Two frames in one segment, and a frame cut into 1-byte segments.
    let two = [framed(&call), framed(&strict(CALL, "ping", 1, &[]))].concat();
    let c = conv(&[(Dir::ToServer, two)]);
    assert_eq!(run(&c, "{transport_type: framed}").len(), 2);
    let c = pair(framed(&call), framed(&reply));
    assert_eq!(
        run_with(&c, Segmentation::Chunks(1), "{transport_type: framed}"),
        ev
    );
}

#[test]
fn oneway_and_unanswered_calls() {
    let c = conv(&[
        // A one-way message is published at once, with no reply.
        (Dir::ToServer, strict(ONEWAY, "zip", 0, &[])),
        // A plain call answered by nothing but the next call is published alone.
        (Dir::ToServer, strict(CALL, "first", 1, &[])),
        (Dir::ToServer, strict(CALL, "second", 2, &[])),
        (Dir::ToClient, strict(REPLY, "second", 2, &[i32f(0, 1)])),
        // The connection ends while a call waits: it is published too.
        (Dir::ToServer, strict(CALL, "last", 3, &[])),
    ]);
    let ev = run(&c, "");
    let methods: Vec<_> = ev.iter().map(|e| s(&e["method"])).collect();
    assert_eq!(methods, ["zip", "first", "second", "last"]);
    for i in [0, 1, 3] {
        assert!(ev[i]["thrift"].get("return_value").is_none());
        assert!(ev[i]["destination"].get("bytes").is_none());
        assert!(ev[i]["event"].get("duration").is_none());
        assert_eq!(ev[i]["status"], "OK");
    }
    assert_eq!(ev[2]["thrift"]["return_value"], "1");
}

#[test]
fn replies_pair_by_method_and_sequence_id() {
    let c = conv(&[
        (Dir::ToServer, strict(CALL, "get", 5, &[])),
        (Dir::ToClient, strict(REPLY, "other", 5, &[i32f(0, 1)])),
        (Dir::ToClient, strict(REPLY, "get", 4, &[i32f(0, 2)])),
        (Dir::ToClient, strict(REPLY, "get", 5, &[i32f(0, 3)])),
        (Dir::ToClient, strict(REPLY, "get", 5, &[i32f(0, 4)])),
    ]);
    let ev = run(&c, "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["thrift"]["return_value"], "3");
}

#[test]
fn application_exception_is_an_error() {
    let call = strict(CALL, "add", 1, &[i32f(1, 1)]);
    let exc = strict(
        EXCEPTION,
        "add",
        1,
        &[field(11, 1, &bstr(b"boom")), i32f(2, 6)],
    );
    let ev = run(&pair(call, exc), "");
    assert_eq!(ev[0]["status"], "Error");
    assert_eq!(ev[0]["thrift"]["exceptions"], "(1: \"boom\", 2: 6)");
    assert_eq!(ev[0]["thrift"]["return_value"], "");
}

fn idl_file() -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(
        f.path(),
        "exception Oops { 1: i32 code }\n\
         service Calc {\n  i32 div(1: i32 num1, 2: i32 num2) throws (1: Oops ouch, 2: Oops other)\n}\n",
    )
    .expect("write idl");
    f
}

#[test]
fn declared_exception_with_and_without_idl() {
    let call = strict(CALL, "div", 1, &[i32f(1, 1), i32f(2, 0), i32f(3, 9)]);
    let mut oops = i32f(1, 4);
    oops.push(0);
    let reply = strict(REPLY, "div", 1, &[field(12, 2, &oops)]);
    let c = pair(call, reply);
    let ev = run(&c, "");
    assert_eq!(ev[0]["status"], "Error");
    assert_eq!(ev[0]["thrift"]["params"], "(1: 1, 2: 0, 3: 9)");
    assert_eq!(ev[0]["thrift"]["exceptions"], "(2: (1: 4))");
    assert!(ev[0].get("path").is_none());
    let idl = idl_file();
    let ev = run(
        &c,
        &format!("{{idl_files: [\"{}\"]}}", idl.path().display()),
    );
    // Ids the IDL does not declare stay numbers.
    assert_eq!(ev[0]["thrift"]["params"], "(num1: 1, num2: 0, 3: 9)");
    assert_eq!(ev[0]["thrift"]["exceptions"], "(other: (1: 4))");
    assert_eq!(ev[0]["thrift"]["service"], "Calc");
    assert_eq!(ev[0]["path"], "Calc");
}

#[test]
fn idl_errors_name_the_file_and_line() {
    let f = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(f.path(), "service S {\n  void ping(\n}\n").expect("write");
    let mut cfg = test_protocol_config(thrift::NAME);
    cfg.options = serde_yaml_ng::from_str(&format!("{{idl_files: [\"{}\"]}}", f.path().display()))
        .expect("yaml");
    let err = thrift::Thrift::build(&cfg)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains(&format!("{}:3:", f.path().display())), "{err}");
    cfg.options = serde_yaml_ng::from_str("{idl_files: [/nonexistent/x.thrift]}").expect("yaml");
    let err = thrift::Thrift::build(&cfg)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("/nonexistent/x.thrift"), "{err}");
    // An include that cannot be read names the including file and line.
    let dir = tempfile::tempdir().expect("tempdir");
    let main = dir.path().join("main.thrift");
    std::fs::write(&main, "namespace py x\ninclude \"missing.thrift\"\n").expect("write");
    cfg.options =
        serde_yaml_ng::from_str(&format!("{{idl_files: [\"{}\"]}}", main.display())).expect("yaml");
    let err = thrift::Thrift::build(&cfg)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains(&format!("{}:2: include", main.display())),
        "{err}"
    );
    cfg.options = serde_yaml_ng::from_str("{protocol_type: json}").expect("yaml");
    assert!(thrift::Thrift::build(&cfg).is_err());
}

#[test]
fn send_request_and_response() {
    let call = strict(CALL, "add", 1, &[i32f(1, 1)]);
    let reply = strict(REPLY, "add", 1, &[i32f(0, 2)]);
    let c = pair(call, reply);
    let ev = run(&c, "");
    assert!(ev[0].get("request").is_none() && ev[0].get("response").is_none());
    let mut cfg = test_protocol_config(thrift::NAME);
    cfg.send_request = true;
    cfg.send_response = true;
    let p = thrift::Thrift::build(&cfg).unwrap_or_else(|e| panic!("{e}"));
    let ev = run_frames(vec![p], &c.frames(Segmentation::Whole, None));
    assert_eq!(ev[0]["request"], "add(1: 1)");
    assert_eq!(ev[0]["response"], "2");
}

#[test]
fn string_and_collection_limits() {
    let long = "x".repeat(300);
    let mut list = vec![8];
    list.extend(20i32.to_be_bytes());
    (0..20i32).for_each(|i| list.extend(i.to_be_bytes()));
    let call = strict(
        CALL,
        "m",
        1,
        &[field(11, 1, &bstr(long.as_bytes())), field(15, 2, &list)],
    );
    let c = conv(&[(Dir::ToServer, call)]);
    let ev = run(&c, "");
    let want_list = format!(
        "[{}, ...]",
        (0..15)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert_eq!(
        ev[0]["thrift"]["params"],
        format!("(1: \"{}...\", 2: {want_list})", "x".repeat(200))
    );
    let ev = run(&c, "{string_max_size: 3, collection_max_size: 2}");
    assert_eq!(ev[0]["thrift"]["params"], "(1: \"xxx...\", 2: [0, 1, ...])");
    // collection_max_size also limits the fields shown of a struct.
    let ev = run(&c, "{collection_max_size: 1}");
    assert_eq!(
        ev[0]["thrift"]["params"],
        format!("(1: \"{}...\", ...)", "x".repeat(200))
    );
    let ev = run(&c, "{collection_max_size: 0}");
    assert_eq!(ev[0]["thrift"]["params"], "(...)");
}

#[test]
fn obfuscate_strings() {
    let call = strict(
        CALL,
        "login",
        1,
        &[field(11, 1, &bstr(b"secret")), field(11, 2, &bstr(b""))],
    );
    let ev = run(&conv(&[(Dir::ToServer, call)]), "{obfuscate_strings: true}");
    assert_eq!(ev[0]["thrift"]["params"], "(1: \"*\", 2: \"\")");
}

#[test]
fn drop_after_n_struct_fields() {
    let mut inner = Vec::new();
    (1..=5).for_each(|i| inner.extend(i32f(i, 0)));
    inner.push(0);
    let call = strict(CALL, "m", 1, &[field(12, 1, &inner)]);
    let c = conv(&[(Dir::ToServer, call)]);
    assert_eq!(run(&c, "{drop_after_n_struct_fields: 6}").len(), 1);
    // A nested struct with too many fields makes the message invalid: nothing is published.
    assert!(run(&c, "{drop_after_n_struct_fields: 5}").is_empty());
}

#[test]
fn capture_reply_off_keeps_pairing() {
    let call = strict(CALL, "add", 1, &[i32f(1, 1)]);
    let exc = strict(EXCEPTION, "add", 1, &[field(11, 1, &bstr(b"boom"))]);
    let ev = run(&pair(call, exc), "{capture_reply: false}");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["status"], "OK");
    assert_eq!(ev[0]["thrift"]["return_value"], "");
    assert!(ev[0]["thrift"].get("exceptions").is_none());
    assert!(ev[0]["destination"]["bytes"].as_u64().unwrap_or(0) > 0);
}

#[test]
fn garbage_then_a_valid_call() {
    let c = conv(&[
        (Dir::ToServer, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
        (Dir::ToServer, vec![0x80, 0x02, 0x00, 0x01, 0, 0, 0, 0]),
        (
            Dir::ToServer,
            vec![0x80, 0x01, 0x00, 0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        ),
        (Dir::ToServer, strict(CALL, "ok", 1, &[])),
        (Dir::ToClient, vec![0xff; 40]),
        (Dir::ToClient, strict(REPLY, "ok", 1, &[])),
    ]);
    let ev = run(&c, "");
    let methods: Vec<_> = ev.iter().map(|e| s(&e["method"])).collect();
    assert_eq!(methods, ["ok"]);
    assert_eq!(ev[0]["thrift"]["return_value"], "");
}

#[test]
fn huge_declared_sizes_never_allocate() {
    let mut huge_list = vec![8];
    huge_list.extend(i32::MAX.to_be_bytes());
    huge_list.extend(1i32.to_be_bytes());
    let mut huge_map = vec![11, 11];
    huge_map.extend(i32::MAX.to_be_bytes());
    for call in [
        // A string of 2 GiB, a list and a map of 2^31 - 1 elements with one present.
        strict(CALL, "s", 1, &[field(11, 1, &i32::MAX.to_be_bytes())]),
        strict(CALL, "l", 1, &[field(15, 1, &huge_list)]),
        strict(CALL, "m", 1, &[field(13, 1, &huge_map)]),
        // A method name of 2 GiB (non-strict) and negative sizes.
        i32::MAX.to_be_bytes().to_vec(),
        strict(CALL, "n", 1, &[field(11, 1, &(-1i32).to_be_bytes())]),
    ] {
        let c = conv(&[(Dir::ToServer, call)]);
        assert!(run(&c, "").is_empty());
    }
    // A frame of 2 GiB.
    let c = conv(&[(Dir::ToServer, i32::MAX.to_be_bytes().to_vec())]);
    assert!(run(&c, "{transport_type: framed}").is_empty());
    // Compact: a varint size of 2^63.
    let call = vec![
        0x82, 0x21, 0x01, 0x01, b'c', 0x18, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
        0x01,
    ];
    let c = conv(&[(Dir::ToServer, call)]);
    assert!(run(&c, "{protocol_type: compact}").is_empty());
}

#[test]
fn deep_nesting_is_refused() {
    let nest = |depth: usize| {
        let mut v = Vec::new();
        for _ in 0..depth {
            v.extend([12, 0, 1]);
        }
        v.extend(vec![0; depth + 1]);
        strict(CALL, "deep", 1, &[v])
    };
    let ok = run(&conv(&[(Dir::ToServer, nest(10))]), "");
    assert_eq!(ok.len(), 1);
    assert!(s(&ok[0]["thrift"]["params"]).starts_with("(1: (1: (1: "));
    assert!(run(&conv(&[(Dir::ToServer, nest(1000))]), "").is_empty());
}

#[test]
fn long_message_over_many_segments() {
    let big = "y".repeat(100_000);
    let mut list = vec![11];
    list.extend(50i32.to_be_bytes());
    (0..50).for_each(|_| list.extend(bstr(big.as_bytes())));
    let call = strict(CALL, "bulk", 3, &[field(15, 1, &list)]);
    let reply = strict(REPLY, "bulk", 3, &[i32f(0, 50)]);
    let c = pair(call.clone(), reply);
    let ev = run_with(&c, Segmentation::Chunks(1460), "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["source"]["bytes"], call.len() as u64);
    assert_eq!(ev[0]["thrift"]["return_value"], "50");
    assert!(s(&ev[0]["thrift"]["params"]).ends_with(", ...])"));
    assert_eq!(
        run_with(
            &pair(every_type_call(), strict(REPLY, "everything", 1, &[])),
            Segmentation::Chunks(3),
            ""
        )
        .len(),
        1
    );
}

#[test]
fn lost_reply_bytes_publish_the_call_with_a_note() {
    let call = strict(CALL, "get", 1, &[]);
    let reply = strict(REPLY, "get", 1, &[field(11, 0, &bstr(&[b'z'; 3000]))]);
    let c = pair(call, reply.clone());
    let hole = Some((Dir::ToClient, 1500, 10));
    let p = thrift::Thrift::build(&test_protocol_config(thrift::NAME))
        .unwrap_or_else(|e| panic!("{e}"));
    let ev = run_frames(vec![p], &c.frames(Segmentation::Chunks(1000), hole));
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(
        ev[0]["error"]["message"],
        thrift::NOTE_RESPONSE_LOSS,
        "{ev:#?}"
    );
    assert_eq!(ev[0]["thrift"]["return_value"], "");
}

#[test]
fn many_small_elements_over_many_segments_are_scanned_once() {
    // 300000 one-byte strings (1.5 MB) on a plain socket in 1460-byte segments: the end of the
    // message is found by a scan that resumes where it stopped, not by decoding the message
    // again for each segment.
    let n: i32 = 300_000;
    let mut list = vec![11];
    list.extend(n.to_be_bytes());
    (0..n).for_each(|_| list.extend(bstr(b"a")));
    let call = strict(CALL, "many", 1, &[field(15, 1, &list)]);
    let reply = strict(REPLY, "many", 1, &[i32f(0, n)]);
    let started = std::time::Instant::now();
    let ev = run_with(&pair(call, reply), Segmentation::Chunks(1460), "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["thrift"]["return_value"], "300000");
    let shown = format!("(1: [{}, ...])", vec!["\"a\""; 15].join(", "));
    assert_eq!(ev[0]["thrift"]["params"], shown);
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}

#[test]
fn unanswered_call_without_fin_is_published_at_expiry() {
    let c = conv(&[(Dir::ToServer, strict(CALL, "slow", 1, &[]))]);
    // The handshake and the call, without the FINs that end the conversation.
    let frames: Vec<_> = c
        .frames(Segmentation::Whole, None)
        .into_iter()
        .take(4)
        .collect();
    let p = thrift::Thrift::build(&test_protocol_config(thrift::NAME))
        .unwrap_or_else(|e| panic!("{e}"));
    let ev = run_frames(vec![p], &frames);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["method"], "slow");
    assert!(ev[0]["thrift"].get("return_value").is_none());
}
