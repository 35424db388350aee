//! Memcache on hand-made, annotated conversations: every text command and reply kind, the
//! binary protocol with quiet commands paired by opaque and the status codes, SASL (never
//! shown), UDP frames, limits, gaps, and garbage.

use serde_json::{json, Value};
use wb_proto::{memcache, Dir, TransportKind};
use wb_testkit::suite::{protocol_config_with, test_protocol_config, PORT};
use wb_testkit::{run_frames, run_frames_counting, Conversation, Segmentation};

fn protocol(options: &str) -> std::sync::Arc<dyn wb_proto::Protocol> {
    let mut cfg = protocol_config_with(memcache::NAME, options);
    cfg.send_request = false;
    cfg.send_response = false;
    memcache::Memcache::build(&cfg).unwrap_or_else(|e| panic!("{e}"))
}

fn run_with(conv: &Conversation, seg: Segmentation, options: &str) -> Vec<Value> {
    run_frames(vec![protocol(options)], &conv.frames(seg, None))
}

fn run(conv: &Conversation) -> Vec<Value> {
    run_with(conv, Segmentation::Whole, "")
}

/// Events and anomaly counts.
fn run_counting(
    conv: &Conversation,
    hole: Option<(Dir, usize, usize)>,
    options: &str,
) -> (Vec<Value>, wb_proto::AnomalyCounts) {
    run_frames_counting(
        vec![protocol(options)],
        &conv.frames(Segmentation::Chunks(7), hole),
    )
}

fn req(e: &Value) -> &Value {
    &e["memcache"]["request"]
}

fn resp(e: &Value) -> &Value {
    &e["memcache"]["response"]
}

/// `(request command, response command, status)` of each event.
fn briefs(ev: &[Value]) -> Vec<(String, String, String)> {
    ev.iter()
        .map(|e| {
            let s = |v: &Value| v.as_str().unwrap_or("-").to_string();
            (
                s(&req(e)["command"]),
                s(&resp(e)["command"]),
                s(&e["status"]),
            )
        })
        .collect()
}

fn b(q: &str, r: &str, s: &str) -> (String, String, String) {
    (q.into(), r.into(), s.into())
}

fn text(pairs: &[(&str, &str)]) -> Conversation {
    pairs.iter().fold(Conversation::new(PORT), |c, (q, r)| {
        let c = c.message(Dir::ToServer, q.as_bytes());
        if r.is_empty() {
            c
        } else {
            c.message(Dir::ToClient, r.as_bytes())
        }
    })
}

// ---------------------------------------------------------------------------------------
// Text protocol

#[test]
fn text_loads_single_and_multi_key() {
    let conv = text(&[
        // get of two keys, one hit
        ("get a b\r\n", "VALUE b 3 2\r\nhi\r\nEND\r\n"),
        // gets: the reply carries the cas unique
        (
            "gets a b\r\n",
            "VALUE a 0 1 11\r\nx\r\nVALUE b 3 2 12\r\nhi\r\nEND\r\n",
        ),
        // a miss
        ("get zz\r\n", "END\r\n"),
    ]);
    let ev = run(&conv);
    assert_eq!(
        briefs(&ev),
        vec![
            b("get", "VALUE", "OK"),
            b("gets", "VALUE", "OK"),
            b("get", "END", "OK")
        ]
    );
    assert_eq!(req(&ev[0])["keys"], json!(["a", "b"]));
    assert_eq!(req(&ev[0])["type"], "Load");
    assert_eq!(resp(&ev[0])["keys"], json!(["b"]));
    assert_eq!(resp(&ev[0])["flags"], 3);
    assert_eq!(resp(&ev[0])["bytes"], 2);
    assert_eq!(resp(&ev[0])["count_values"], 1);
    assert_eq!(resp(&ev[1])["keys"], json!(["a", "b"]));
    assert_eq!(resp(&ev[1])["bytes"], 3);
    assert_eq!(resp(&ev[1])["count_values"], 2);
    assert_eq!(resp(&ev[1])["cas_unique"], 11);
    assert_eq!(ev[0]["event"]["action"], "memcache.load");
    assert_eq!(ev[0]["event"]["outcome"], "success");
    assert_eq!(ev[0]["memcache"]["protocol_type"], "text");
    // Sizes are the application bytes of each side.
    assert_eq!(ev[0]["source"]["bytes"], 9);
    assert_eq!(ev[0]["destination"]["bytes"], 22);
}

#[test]
fn text_stores_and_their_replies() {
    let conv = text(&[
        ("set k 1 60 3\r\nabc\r\n", "STORED\r\n"),
        ("add k 0 0 1\r\nz\r\n", "NOT_STORED\r\n"),
        ("replace k 0 0 1\r\nz\r\n", "STORED\r\n"),
        ("append k 0 0 2\r\nyz\r\n", "STORED\r\n"),
        ("prepend k 0 0 2\r\nwx\r\n", "STORED\r\n"),
        ("cas k 0 0 1 99\r\nq\r\n", "EXISTS\r\n"),
        ("cas gone 0 0 1 5\r\nq\r\n", "NOT_FOUND\r\n"),
    ]);
    let ev = run(&conv);
    assert_eq!(
        briefs(&ev),
        vec![
            b("set", "STORED", "OK"),
            b("add", "NOT_STORED", "Error"),
            b("replace", "STORED", "OK"),
            b("append", "STORED", "OK"),
            b("prepend", "STORED", "OK"),
            b("cas", "EXISTS", "OK"),
            b("cas", "NOT_FOUND", "Error"),
        ]
    );
    let set = req(&ev[0]);
    assert_eq!(set["type"], "Store");
    assert_eq!(set["keys"], json!(["k"]));
    assert_eq!(set["flags"], 1);
    assert_eq!(set["exptime"], 60);
    assert_eq!(set["bytes"], 3);
    assert_eq!(set["count_values"], 1);
    assert_eq!(set["noreply"], false);
    assert!(set.get("values").is_none());
    assert_eq!(resp(&ev[0])["type"], "Success");
    assert_eq!(resp(&ev[1])["type"], "Fail");
    assert_eq!(req(&ev[5])["cas_unique"], 99);
    // A text reply carries no status code: even a failure is a "success" outcome.
    assert_eq!(ev[1]["event"]["outcome"], "success");
}

#[test]
fn text_counters_delete_touch_and_info() {
    let conv = text(&[
        ("incr n 5\r\n", "15\r\n"),
        ("decr n 100\r\n", "0\r\n"),
        (
            "incr s 1\r\n",
            "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n",
        ),
        ("delete k\r\n", "DELETED\r\n"),
        ("touch k 30\r\n", "TOUCHED\r\n"),
        ("verbosity 1\r\n", "OK\r\n"),
        ("flush_all 10\r\n", "OK\r\n"),
        ("flush_all\r\n", "OK\r\n"),
        ("version\r\n", "VERSION 1.6.21\r\n"),
        (
            "stats slabs\r\n",
            "STAT 1:chunk_size 96\r\nSTAT active_slabs 1\r\nEND\r\n",
        ),
        ("slabs reassign 1 2\r\n", "OK\r\n"),
        ("slabs automove 2\r\n", "OK\r\n"),
        ("lru_crawler sleep 100\r\n", "OK\r\n"),
        ("lru_crawler enable\r\n", "OK\r\n"),
    ]);
    let ev = run(&conv);
    assert_eq!(
        briefs(&ev),
        vec![
            b("incr", "<counter_op_res>", "OK"),
            b("decr", "<counter_op_res>", "OK"),
            b("incr", "CLIENT_ERROR", "Client Error"),
            b("delete", "DELETED", "OK"),
            b("touch", "TOCHED", "OK"),
            b("verbosity", "OK", "OK"),
            b("flush_all", "OK", "OK"),
            b("flush_all", "OK", "OK"),
            b("version", "VERSION", "OK"),
            b("stats", "STAT", "OK"),
            b("slabs reassign", "OK", "OK"),
            b("slabs automove", "OK", "OK"),
            b("lru_crawler sleep", "OK", "OK"),
            b("lru_crawler enable", "OK", "OK"),
        ]
    );
    assert_eq!(req(&ev[0])["delta"], 5);
    assert_eq!(req(&ev[0])["type"], "Counter");
    assert_eq!(resp(&ev[0])["value"], 15);
    assert_eq!(
        resp(&ev[2])["error_msg"],
        "cannot increment or decrement non-numeric value"
    );
    assert_eq!(req(&ev[3])["type"], "Delete");
    assert_eq!(req(&ev[4])["exptime"], 30);
    assert_eq!(req(&ev[5])["verbosity"], 1);
    assert_eq!(req(&ev[6])["exptime"], 10);
    assert_eq!(req(&ev[7])["exptime"], 0);
    assert_eq!(req(&ev[9])["raw_args"], "slabs");
    assert_eq!(
        resp(&ev[9])["stats"],
        json!([{"name": "1:chunk_size", "value": "96"}, {"name": "active_slabs", "value": "1"}])
    );
    assert_eq!(req(&ev[10])["source_class"], 1);
    assert_eq!(req(&ev[10])["dest_class"], 2);
    assert_eq!(req(&ev[10])["type"], "SlabCtrl");
    assert_eq!(req(&ev[11])["automove"], "aggressive");
    assert_eq!(req(&ev[12])["sleep_us"], 100);
    assert_eq!(req(&ev[12])["type"], "LRUCrawler");
    assert_eq!(ev[9]["event"]["action"], "memcache.stats");
}

#[test]
fn text_error_replies_and_their_statuses() {
    let conv = text(&[
        ("get a\r\n", "ERROR\r\n"),
        ("get b\r\n", "SERVER_ERROR out of memory storing object\r\n"),
        ("get c\r\n", "CLIENT_ERROR line too long\r\n"),
        (
            "slabs reassign 1 1\r\n",
            "SAME src and dst class are identical\r\n",
        ),
        (
            "slabs reassign 1 2\r\n",
            "BUSY currently processing reassign request\r\n",
        ),
    ]);
    let ev = run(&conv);
    let statuses: Vec<&str> = ev
        .iter()
        .map(|e| e["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        statuses,
        [
            "Error",
            "Server Error",
            "Client Error",
            "Client Error",
            "Server Error"
        ]
    );
    assert_eq!(resp(&ev[1])["error_msg"], "out of memory storing object");
    assert!(resp(&ev[0]).get("error_msg").is_none());
}

#[test]
fn text_noreply_requests_are_published_at_once_and_do_not_take_replies() {
    let conv = text(&[
        (
            "set a 0 0 1 noreply\r\nx\r\ndelete b noreply\r\nincr c 1 noreply\r\n",
            "",
        ),
        ("get a\r\n", "VALUE a 0 1\r\nx\r\nEND\r\n"),
        ("quit\r\n", ""),
    ]);
    let ev = run(&conv);
    assert_eq!(
        briefs(&ev),
        vec![
            b("set", "-", "OK"),
            b("delete", "-", "OK"),
            b("incr", "-", "OK"),
            b("get", "VALUE", "OK"),
            b("quit", "-", "OK"),
        ]
    );
    for e in &ev[..3] {
        assert_eq!(req(e)["noreply"], true);
        assert!(e["event"].get("outcome").is_none());
    }
}

#[test]
fn values_are_kept_only_when_asked() {
    let conv = text(&[
        ("set k 0 0 6\r\nabcdef\r\n", "STORED\r\n"),
        (
            "get k j i\r\n",
            "VALUE k 0 6\r\nabcdef\r\nVALUE j 0 2\r\nhi\r\nVALUE i 0 1\r\n!\r\nEND\r\n",
        ),
    ]);
    let none = run(&conv);
    assert!(req(&none[0]).get("values").is_none());
    assert!(resp(&none[1]).get("values").is_none());
    let all = run_with(&conv, Segmentation::Whole, "maxvalues: -1");
    assert_eq!(req(&all[0])["values"], "YWJjZGVm");
    assert_eq!(resp(&all[1])["values"], json!(["YWJjZGVm", "aGk=", "IQ=="]));
    let cut = run_with(
        &conv,
        Segmentation::Chunks(3),
        "{maxvalues: 2, maxbytespervalue: 2}",
    );
    assert_eq!(resp(&cut[1])["values"], json!(["YWI=", "aGk="]));
    assert_eq!(resp(&cut[1])["count_values"], 3);
    assert_eq!(resp(&cut[1])["bytes"], 9);
}

#[test]
fn unknown_commands_with_and_without_parseunknown() {
    let conv = text(&[("frobnicate x y\r\n", "ERROR\r\n")]);
    let (ev, anomalies) = run_counting(&conv, None, "");
    // Not memcache by default: the request is dropped, its reply is an orphan.
    assert_eq!(briefs(&ev), vec![b("-", "ERROR", "Client Error")]);
    assert_eq!(ev[0]["error"]["message"], memcache::NOTE_REQUEST_MISSING);
    assert_eq!(anomalies.get("memcache", "unknown_command"), 1);
    let ev = run_with(&conv, Segmentation::Whole, "parseunknown: true");
    assert_eq!(briefs(&ev), vec![b("UNKNOWN", "ERROR", "Error")]);
    assert_eq!(req(&ev[0])["line"], "frobnicate x y");
    assert_eq!(req(&ev[0])["type"], "UNKNOWN");
}

// ---------------------------------------------------------------------------------------
// Binary protocol

/// A binary message: magic, opcode, key, extras, value, opaque, vbucket or status, cas.
#[allow(clippy::too_many_arguments)]
fn bin(
    magic: u8,
    opcode: u8,
    key: &[u8],
    extras: &[u8],
    value: &[u8],
    opaque: u32,
    status: u16,
    cas: u64,
) -> Vec<u8> {
    let total = (extras.len() + key.len() + value.len()) as u32;
    let mut m = vec![magic, opcode];
    m.extend_from_slice(&(key.len() as u16).to_be_bytes());
    m.push(extras.len() as u8);
    m.push(0); // data type
    m.extend_from_slice(&status.to_be_bytes());
    m.extend_from_slice(&total.to_be_bytes());
    m.extend_from_slice(&opaque.to_be_bytes());
    m.extend_from_slice(&cas.to_be_bytes());
    m.extend_from_slice(extras);
    m.extend_from_slice(key);
    m.extend_from_slice(value);
    m
}

fn breq(opcode: u8, key: &[u8], extras: &[u8], value: &[u8], opaque: u32) -> Vec<u8> {
    bin(0x80, opcode, key, extras, value, opaque, 0, 0)
}

fn bresp(opcode: u8, key: &[u8], extras: &[u8], value: &[u8], opaque: u32, status: u16) -> Vec<u8> {
    bin(0x81, opcode, key, extras, value, opaque, status, 0)
}

/// Set extras: flags 7, exptime 0.
const SET_EXTRAS: &[u8] = &[0, 0, 0, 7, 0, 0, 0, 0];
/// Get reply extras: flags 7.
const FLAGS: &[u8] = &[0, 0, 0, 7];

fn counter_extras(delta: u64, initial: u64) -> Vec<u8> {
    let mut e = delta.to_be_bytes().to_vec();
    e.extend_from_slice(&initial.to_be_bytes());
    e.extend_from_slice(&[0, 0, 0, 0]);
    e
}

#[test]
fn binary_get_set_counters_delete_noop_version() {
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &breq(0x01, b"k", SET_EXTRAS, b"abc", 1))
        .message(Dir::ToClient, &bin(0x81, 0x01, b"", &[], &[], 1, 0, 77))
        .message(Dir::ToServer, &breq(0x00, b"k", &[], &[], 2))
        .message(Dir::ToClient, &bresp(0x00, b"", FLAGS, b"abc", 2, 0))
        .message(Dir::ToServer, &breq(0x0c, b"k", &[], &[], 3))
        .message(Dir::ToClient, &bresp(0x0c, b"k", FLAGS, b"abc", 3, 0))
        .message(
            Dir::ToServer,
            &breq(0x05, b"n", &counter_extras(3, 10), &[], 4),
        )
        .message(
            Dir::ToClient,
            &bresp(0x05, b"", &[], &13u64.to_be_bytes(), 4, 0),
        )
        .message(
            Dir::ToServer,
            &breq(0x06, b"n", &counter_extras(1, 0), &[], 5),
        )
        .message(
            Dir::ToClient,
            &bresp(0x06, b"", &[], &12u64.to_be_bytes(), 5, 0),
        )
        .message(Dir::ToServer, &breq(0x04, b"k", &[], &[], 6))
        .message(Dir::ToClient, &bresp(0x04, b"", &[], &[], 6, 0))
        .message(Dir::ToServer, &breq(0x00, b"k", &[], &[], 7))
        .message(Dir::ToClient, &bresp(0x00, b"", &[], b"Not found", 7, 1))
        .message(Dir::ToServer, &breq(0x0a, b"", &[], &[], 8))
        .message(Dir::ToClient, &bresp(0x0a, b"", &[], &[], 8, 0))
        .message(Dir::ToServer, &breq(0x0b, b"", &[], &[], 9))
        .message(Dir::ToClient, &bresp(0x0b, b"", &[], b"1.6.21", 9, 0));
    let ev = run(&conv);
    let ops: Vec<(&str, &str)> = ev
        .iter()
        .map(|e| {
            (
                req(e)["opcode"].as_str().unwrap_or(""),
                e["status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        ops,
        [
            ("Set", "OK"),
            ("Get", "OK"),
            ("GetK", "OK"),
            ("Increment", "OK"),
            ("Decrement", "OK"),
            ("Delete", "OK"),
            ("Get", "Error"),
            ("No-op", "OK"),
            ("Version", "OK")
        ]
    );
    let set = req(&ev[0]);
    assert_eq!(set["command"], "set");
    assert_eq!(set["opcode_value"], 1);
    assert_eq!(set["flags"], 7);
    assert_eq!(set["exptime"], 0);
    assert_eq!(set["bytes"], 3);
    assert_eq!(set["count_values"], 1);
    assert_eq!(set["quiet"], false);
    assert_eq!(set["vbucket"], 0);
    assert_eq!(set["opaque"], 1);
    assert_eq!(resp(&ev[0])["cas_unique"], 77);
    assert_eq!(resp(&ev[0])["status"], "Success");
    assert_eq!(resp(&ev[0])["status_code"], 0);
    assert_eq!(resp(&ev[1])["flags"], 7);
    assert_eq!(resp(&ev[1])["bytes"], 3);
    assert_eq!(resp(&ev[2])["keys"], json!(["k"]));
    assert_eq!(req(&ev[3])["delta"], 3);
    assert_eq!(req(&ev[3])["initial"], 10);
    assert_eq!(resp(&ev[3])["value"], 13);
    assert_eq!(resp(&ev[4])["value"], 12);
    assert_eq!(resp(&ev[6])["status"], "Key not found");
    assert!(ev[6]["event"].get("outcome").is_none());
    assert_eq!(req(&ev[7])["command"], "noop");
    assert_eq!(resp(&ev[8])["version"], "1.6.21");
    assert_eq!(ev[0]["memcache"]["protocol_type"], "binary");
    for size in [1, 5, 23] {
        assert_eq!(
            run_with(&conv, Segmentation::Chunks(size), ""),
            ev,
            "chunks of {size}"
        );
    }
}

#[test]
fn binary_quiet_commands_pair_by_opaque() {
    let mut gets = Vec::new();
    gets.extend(breq(0x0d, b"miss1", &[], &[], 10)); // GetKQ, no answer
    gets.extend(breq(0x0d, b"hit", &[], &[], 11)); // GetKQ, answered
    gets.extend(breq(0x09, b"miss2", &[], &[], 12)); // GetQ, no answer
    gets.extend(breq(0x11, b"s", SET_EXTRAS, b"v", 13)); // SetQ, no answer
    gets.extend(breq(0x0a, b"", &[], &[], 14)); // No-op closes the batch
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &gets)
        .message(Dir::ToClient, &bresp(0x0d, b"hit", FLAGS, b"42", 11, 0))
        .message(Dir::ToClient, &bresp(0x0a, b"", &[], &[], 14, 0));
    let ev = run(&conv);
    let got: Vec<(&str, u64, bool)> = ev
        .iter()
        .map(|e| {
            (
                req(e)["opcode"].as_str().unwrap_or(""),
                req(e)["opaque"].as_u64().unwrap_or(0),
                e["memcache"].get("response").is_some(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("GetKQ", 10, false),
            ("GetKQ", 11, true),
            ("GetQ", 12, false),
            ("SetQ", 13, false),
            ("No-op", 14, true)
        ]
    );
    for e in &ev {
        assert_eq!(e["status"], "OK", "{e}");
        assert!(e.get("error").is_none());
    }
    assert_eq!(req(&ev[0])["quiet"], true);
}

#[test]
fn binary_batch_with_one_opaque_pairs_by_key() {
    // python-binary-memcached's get_multi: GetKQ for every key but the last, then GetK, all
    // with opaque 0. The hit for "b1" must not pair with the earlier miss "gone".
    let mut batch = breq(0x0d, b"gone", &[], &[], 0);
    batch.extend(breq(0x0d, b"b1", &[], &[], 0));
    batch.extend(breq(0x0c, b"b2", &[], &[], 0));
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &batch)
        .message(Dir::ToClient, &bresp(0x0d, b"b1", FLAGS, b"1", 0, 0))
        .message(Dir::ToClient, &bresp(0x0c, b"b2", FLAGS, b"2", 0, 0));
    let ev = run(&conv);
    let got: Vec<(Value, Value)> = ev
        .iter()
        .map(|e| (req(e)["keys"].clone(), resp(e)["keys"].clone()))
        .collect();
    assert_eq!(
        got,
        [
            (json!(["gone"]), Value::Null),
            (json!(["b1"]), json!(["b1"])),
            (json!(["b2"]), json!(["b2"]))
        ]
    );
}

#[test]
fn binary_non_quiet_request_skipped_by_a_later_reply() {
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &breq(0x00, b"a", &[], &[], 1))
        .message(Dir::ToServer, &breq(0x00, b"b", &[], &[], 2))
        .message(Dir::ToClient, &bresp(0x00, b"", FLAGS, b"x", 2, 0));
    let ev = run(&conv);
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0]["status"], "Server Error");
    assert_eq!(ev[0]["error"]["message"], memcache::NOTE_MISSING_RESPONSE);
    assert_eq!(req(&ev[1])["keys"], json!(["b"]));
    assert_eq!(ev[1]["status"], "OK");
}

#[test]
fn binary_status_codes() {
    // 0x80 and below: Error; above 0x80: Server Error.
    let mut conv = Conversation::new(PORT);
    for (i, status) in [0x02u16, 0x05, 0x80, 0x81, 0x86].iter().enumerate() {
        conv = conv
            .message(Dir::ToServer, &breq(0x02, b"k", SET_EXTRAS, b"v", i as u32))
            .message(
                Dir::ToClient,
                &bresp(0x02, b"", &[], &[], i as u32, *status),
            );
    }
    let ev = run(&conv);
    let got: Vec<(&str, &str)> = ev
        .iter()
        .map(|e| {
            (
                e["status"].as_str().unwrap_or(""),
                resp(e)["status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Error", "Key exists"),
            ("Error", "Item not stored"),
            ("Error", ""),
            ("Server Error", "Unknown command"),
            ("Server Error", "Temporary failure")
        ]
    );
}

#[test]
fn binary_stats_merge_until_the_empty_key() {
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &breq(0x10, b"", &[], &[], 5))
        .message(Dir::ToClient, &bresp(0x10, b"pid", &[], b"4242", 5, 0))
        .message(Dir::ToClient, &bresp(0x10, b"uptime", &[], b"10", 5, 0))
        .message(Dir::ToClient, &bresp(0x10, b"", &[], &[], 5, 0));
    let ev = run(&conv);
    assert_eq!(ev.len(), 1);
    assert_eq!(
        resp(&ev[0])["stats"],
        json!([{"name": "pid", "value": "4242"}, {"name": "uptime", "value": "10"}])
    );
    assert_eq!(ev[0]["destination"]["bytes"], 24 * 3 + 3 + 4 + 6 + 2);
}

#[test]
fn sasl_credentials_never_appear() {
    // SASL Auth, PLAIN: the value is "\0user\0secret-password".
    let conv = Conversation::new(PORT)
        .message(
            Dir::ToServer,
            &breq(0x21, b"PLAIN", &[], b"\0user\0secret-password", 1),
        )
        .message(
            Dir::ToClient,
            &bresp(0x21, b"", &[], b"Authenticated", 1, 0),
        );
    for options in ["", "maxvalues: -1"] {
        let mut cfg = test_protocol_config(memcache::NAME);
        cfg.options = serde_yaml_ng::from_str(if options.is_empty() { "{}" } else { options })
            .unwrap_or_default();
        let p = memcache::Memcache::build(&cfg).unwrap_or_else(|e| panic!("{e}"));
        let ev = run_frames(vec![p], &conv.frames(Segmentation::Whole, None));
        assert_eq!(ev.len(), 1);
        assert_eq!(req(&ev[0])["type"], "Auth");
        assert_eq!(req(&ev[0])["opcode"], "SASL Auth");
        assert_eq!(ev[0]["event"]["action"], "memcache.auth");
        let text = ev[0].to_string();
        assert!(!text.contains("secret"), "{text}");
        // Not in base64 either.
        assert!(!text.contains("c2VjcmV0"), "{text}");
        assert!(req(&ev[0]).get("values").is_none());
    }
}

#[test]
fn binary_quit_and_quitq() {
    let conv = Conversation::new(PORT).message(Dir::ToServer, &breq(0x17, b"", &[], &[], 1));
    let ev = run(&conv);
    assert_eq!(ev.len(), 1);
    assert_eq!(req(&ev[0])["opcode"], "QuitQ");
    assert_eq!(ev[0]["status"], "OK");
}

// ---------------------------------------------------------------------------------------
// Unmatched messages, limits, gaps, garbage

#[test]
fn orphan_reply_and_unanswered_request() {
    let conv = Conversation::new(PORT)
        .message(Dir::ToClient, b"STORED\r\n")
        .message(Dir::ToServer, b"get never\r\n");
    let ev = run(&conv);
    assert_eq!(
        briefs(&ev),
        vec![
            b("-", "STORED", "Client Error"),
            b("get", "-", "Server Error")
        ]
    );
    assert_eq!(ev[0]["error"]["message"], memcache::NOTE_REQUEST_MISSING);
    assert!(ev[0]["event"].get("action").is_none());
    assert_eq!(ev[1]["error"]["message"], memcache::NOTE_UNFINISHED);
}

#[test]
fn pending_requests_are_bounded() {
    let mut reqs = String::new();
    for i in 0..5 {
        reqs.push_str(&format!("get k{i}\r\n"));
    }
    let conv = Conversation::new(PORT).message(Dir::ToServer, reqs.as_bytes());
    let (ev, anomalies) = run_counting(&conv, None, "max_pending_requests: 2");
    assert_eq!(ev.len(), 5);
    assert_eq!(anomalies.get("memcache", "too_many_pending_requests"), 3);
    for e in &ev {
        assert_eq!(e["status"], "Server Error");
    }
}

#[test]
fn gap_inside_a_value_keeps_the_transaction() {
    let conv = text(&[
        ("set k 0 0 20\r\n01234567890123456789\r\n", "STORED\r\n"),
        ("get k\r\n", "END\r\n"),
    ]);
    // Five bytes of the data block (offset 18) are lost.
    let (ev, _) = run_counting(&conv, Some((Dir::ToServer, 18, 5)), "maxvalues: -1");
    assert_eq!(
        briefs(&ev),
        vec![b("set", "STORED", "OK"), b("get", "END", "OK")]
    );
    assert_eq!(ev[0]["error"]["message"], memcache::NOTE_REQUEST_LOSS);
    assert_eq!(req(&ev[0])["count_values"], 1);
    assert!(
        req(&ev[0]).get("values").is_none(),
        "a value with a hole is not shown"
    );
    assert_eq!(ev[0]["source"]["bytes"], 36 - 5);
}

#[test]
fn gap_in_a_command_line_flushes_what_is_pending() {
    let conv = text(&[("get a\r\nget b\r\n", ""), ("", "END\r\nEND\r\n")]);
    // The reply stream loses its first bytes: both gets are published unfinished.
    let (ev, anomalies) = run_counting(&conv, Some((Dir::ToClient, 0, 2)), "");
    let unfinished: Vec<&Value> = ev.iter().filter(|e| req(e)["command"] == "get").collect();
    assert_eq!(unfinished.len(), 2, "{ev:#?}");
    for e in unfinished {
        assert_eq!(e["status"], "Server Error");
        assert_eq!(e["error"]["message"], memcache::NOTE_UNFINISHED);
    }
    assert_eq!(anomalies.get("memcache", "gap"), 1);
}

#[test]
fn garbage_and_truncated_input_make_no_events() {
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &[0x80, 0x01, 0x00])
        .message(Dir::ToClient, b"\x00\x01\x02 nothing memcache\r\n");
    assert!(run(&conv).is_empty());
    let conv = Conversation::new(PORT).message(Dir::ToServer, b"\xff\xfe\xfd\r\n");
    assert!(run(&conv).is_empty());
    // A binary header whose body is shorter than its key.
    let mut bad = breq(0x00, b"key", &[], &[], 1);
    bad[11] = 1;
    let conv = Conversation::new(PORT).message(Dir::ToServer, &bad);
    assert!(run(&conv).is_empty());
}

#[test]
fn a_large_value_is_streamed_not_buffered() {
    // 3 MiB value, fed in 1400-byte segments, with a 1 KiB max_message_size: only the head
    // has to fit, the data block is consumed as it arrives.
    let value = vec![b'v'; 3 << 20];
    let mut set = b"set big 0 0 3145728\r\n".to_vec();
    set.extend_from_slice(&value);
    set.extend_from_slice(b"\r\n");
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &set)
        .message(Dir::ToClient, b"STORED\r\n");
    let ev = run_with(
        &conv,
        Segmentation::Chunks(1400),
        "{max_message_size: 1024, maxvalues: 1, maxbytespervalue: 8}",
    );
    assert_eq!(briefs(&ev), vec![b("set", "STORED", "OK")]);
    assert_eq!(req(&ev[0])["bytes"], 3 << 20);
    assert_eq!(req(&ev[0])["values"], "dnZ2dnZ2dnY=");
}

// ---------------------------------------------------------------------------------------
// UDP

/// A UDP frame header: request id, sequence number, datagram count, reserved.
fn udp(id: u16, seq: u16, count: u16, payload: &[u8]) -> Vec<u8> {
    let mut d = Vec::new();
    for v in [id, seq, count, 0] {
        d.extend_from_slice(&v.to_be_bytes());
    }
    d.extend_from_slice(payload);
    d
}

fn udp_conv() -> Conversation {
    Conversation::over(TransportKind::Udp, PORT)
}

#[test]
fn udp_request_and_reply_share_the_request_id() {
    let conv = udp_conv()
        .message(Dir::ToServer, &udp(7, 0, 1, b"get a\r\n"))
        .message(Dir::ToServer, &udp(8, 0, 1, b"get b\r\n"))
        .message(Dir::ToClient, &udp(8, 0, 1, b"END\r\n"))
        .message(Dir::ToClient, &udp(7, 0, 1, b"VALUE a 0 1\r\nx\r\nEND\r\n"));
    let ev = run(&conv);
    assert_eq!(
        briefs(&ev),
        vec![b("get", "END", "OK"), b("get", "VALUE", "OK")]
    );
    assert_eq!(req(&ev[0])["keys"], json!(["b"]));
    assert_eq!(ev[0]["network"]["transport"], "udp");
    // The frame header is not counted in the message size.
    assert_eq!(ev[0]["source"]["bytes"], 7);
}

#[test]
fn udp_reply_over_several_datagrams_in_any_order() {
    let reply = b"VALUE a 0 10\r\n0123456789\r\nEND\r\n";
    let (one, two) = reply.split_at(12);
    let (two, three) = two.split_at(10);
    let conv = udp_conv()
        .message(Dir::ToServer, &udp(3, 0, 1, b"get a\r\n"))
        .message(Dir::ToClient, &udp(3, 2, 3, three))
        .message(Dir::ToClient, &udp(3, 0, 3, one))
        .message(Dir::ToClient, &udp(3, 1, 3, two));
    let ev = run_with(&conv, Segmentation::Whole, "maxvalues: 1");
    assert_eq!(briefs(&ev), vec![b("get", "VALUE", "OK")]);
    assert_eq!(resp(&ev[0])["values"], json!(["MDEyMzQ1Njc4OQ=="]));
    assert_eq!(ev[0]["destination"]["bytes"], reply.len());
}

#[test]
fn udp_datagram_count_mismatch_discards_the_message() {
    let conv = udp_conv()
        .message(Dir::ToServer, &udp(3, 0, 1, b"get a\r\n"))
        .message(Dir::ToClient, &udp(3, 0, 2, b"VALUE a 0 1\r\n"))
        .message(Dir::ToClient, &udp(3, 1, 3, b"x\r\nEND\r\n"));
    let (ev, anomalies) =
        { run_frames_counting(vec![protocol("")], &conv.frames(Segmentation::Whole, None)) };
    assert_eq!(briefs(&ev), vec![b("get", "-", "Server Error")]);
    assert_eq!(anomalies.get("memcache", "udp_datagram_count_mismatch"), 1);
}

#[test]
fn udp_unanswered_requests_wait_for_the_udp_timeout() {
    // Datagrams are one second apart; with a 2500 ms timeout the noreply set (second 1) is
    // published when the reply (second 4) arrives, before the get (second 2) it answers.
    let conv = udp_conv()
        .message(
            Dir::ToServer,
            &udp(1, 0, 1, b"set a 0 0 1 noreply\r\nx\r\n"),
        )
        .message(Dir::ToServer, &udp(2, 0, 1, b"get a\r\n"))
        .message(Dir::ToServer, &udp(3, 0, 1, b"version\r\n"))
        .message(Dir::ToClient, &udp(2, 0, 1, b"END\r\n"));
    let ev = run_with(&conv, Segmentation::Whole, "udptransactiontimeout: 2500ms");
    assert_eq!(
        briefs(&ev),
        vec![
            b("set", "-", "OK"),
            b("get", "END", "OK"),
            b("version", "-", "Server Error")
        ]
    );
    // Without the timeout the set waits until the flow ends.
    let ev = run(&conv);
    assert_eq!(req(&ev[0])["command"], "get");
}

#[test]
fn udp_binary_quiet_store_and_quitq() {
    let conv = udp_conv()
        .message(
            Dir::ToServer,
            &udp(1, 0, 1, &breq(0x11, b"k", SET_EXTRAS, b"abc", 1)),
        )
        .message(Dir::ToServer, &udp(2, 0, 1, &breq(0x17, b"", &[], &[], 2)));
    let ev = run(&conv);
    let ops: Vec<&str> = ev
        .iter()
        .map(|e| req(e)["opcode"].as_str().unwrap_or(""))
        .collect();
    // QuitQ is published at once, SetQ when the flow ends.
    assert_eq!(ops, ["QuitQ", "SetQ"]);
    for e in &ev {
        assert_eq!(e["status"], "OK");
    }
}

#[test]
fn udp_garbage_is_ignored() {
    let conv = udp_conv()
        .message(Dir::ToServer, b"\x00\x01")
        .message(Dir::ToServer, &udp(1, 5, 2, b"get a\r\n"))
        .message(Dir::ToServer, &udp(1, 0, 1, b"\x80\x00"));
    assert!(run(&conv).is_empty());
}
