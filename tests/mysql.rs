//! MySQL edge cases on hand-made packets: CLIENT_DEPRECATE_EOF results, several result sets
//! for one query, an SSL request, and garbage.

use serde_json::Value;
use wb_proto::{mysql, Dir};
use wb_testkit::suite::{test_protocol_config, PORT};
use wb_testkit::{run_frames, Conversation, Segmentation};

/// A packet: 3-byte length, sequence id, payload.
fn pkt(seq: u8, payload: &[u8]) -> Vec<u8> {
    let n = payload.len();
    let mut p = vec![n as u8, (n >> 8) as u8, (n >> 16) as u8, seq];
    p.extend_from_slice(payload);
    p
}

fn query(sql: &str) -> Vec<u8> {
    pkt(0, &[&[0x03], sql.as_bytes()].concat())
}

fn column_def(seq: u8, name: &str) -> Vec<u8> {
    let mut d = Vec::new();
    for s in ["def", "db", "t", "t", name, name] {
        d.push(s.len() as u8);
        d.extend_from_slice(s.as_bytes());
    }
    d.extend_from_slice(&[0x0c, 0x21, 0, 0, 0, 0, 0, 0xfd, 0, 0, 0, 0, 0]);
    pkt(seq, &d)
}

fn row(seq: u8, v: &str) -> Vec<u8> {
    pkt(seq, &[&[v.len() as u8], v.as_bytes()].concat())
}

fn run(conv: &Conversation) -> Vec<Value> {
    let p =
        mysql::Mysql::build(&test_protocol_config(mysql::NAME)).unwrap_or_else(|e| panic!("{e}"));
    run_frames(vec![p], &conv.frames(Segmentation::Chunks(7), None))
}

#[test]
fn deprecate_eof_result_ends_with_an_ok_packet() {
    // No EOF after the column definitions; the result ends with 0xfe-headed OK (7 bytes).
    let response = [
        pkt(1, &[1]),
        column_def(2, "a"),
        row(3, "x"),
        row(4, "y"),
        pkt(5, &[0xfe, 0, 0, 0x02, 0, 0, 0]),
    ]
    .concat();
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &query("select a from t"))
        .message(Dir::ToClient, &response)
        .message(Dir::ToServer, &query("select 2"))
        .message(
            Dir::ToClient,
            &pkt(
                1,
                &[0xff, 0x28, 0x04, b'#', b'4', b'2', b'0', b'0', b'0', b'x'],
            ),
        );
    let ev = run(&conv);
    assert_eq!(ev.len(), 2, "{ev:#?}");
    assert_eq!(ev[0]["mysql"]["num_rows"], 2);
    assert_eq!(ev[0]["path"], "db.t");
    assert_eq!(ev[1]["status"], "Error");
    assert_eq!(ev[1]["mysql"]["error_message"], "42000: x");
}

#[test]
fn several_result_sets_are_one_transaction() {
    // Two result sets: the first EOF carries SERVER_MORE_RESULTS_EXISTS (0x0008).
    let response = [
        pkt(1, &[1]),
        column_def(2, "a"),
        pkt(3, &[0xfe, 0, 0, 0x0a, 0]),
        row(4, "1"),
        pkt(5, &[0xfe, 0, 0, 0x0a, 0]),
        pkt(6, &[1]),
        column_def(7, "b"),
        pkt(8, &[0xfe, 0, 0, 0x02, 0]),
        row(9, "2"),
        pkt(10, &[0xfe, 0, 0, 0x02, 0]),
    ]
    .concat();
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &query("select 1 as a; select 2 as b"))
        .message(Dir::ToClient, &response)
        .message(Dir::ToServer, &query("do 1"))
        .message(Dir::ToClient, &pkt(1, &[0, 0, 0, 2, 0, 0, 0]));
    let ev = run(&conv);
    assert_eq!(ev.len(), 2, "{ev:#?}");
    assert_eq!(ev[0]["mysql"]["num_rows"], 2);
    assert_eq!(ev[0]["mysql"]["num_fields"], 2);
    assert_eq!(ev[1]["query"], "do 1");
}

#[test]
fn an_ssl_request_ends_the_analysis_and_garbage_is_harmless() {
    let mut greeting = vec![10];
    greeting.extend_from_slice(b"10.11.6\0");
    greeting.extend_from_slice(&[
        1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0xff, 0xff, 8, 2, 0, 0xff, 0x01,
    ]);
    let mut ssl = vec![0x00, 0x0a, 0, 0]; // CLIENT_SSL among the capabilities
    ssl.resize(32, 0);
    let conv = Conversation::new(PORT)
        .message(Dir::ToClient, &pkt(0, &greeting))
        .message(Dir::ToServer, &pkt(1, &ssl))
        .message(Dir::ToServer, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc")
        .message(Dir::ToClient, b"\x16\x03\x03\x00\x5a\x02");
    assert!(run(&conv).is_empty());
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, b"\xff\xff\xff\x00garbage")
        .message(Dir::ToClient, b"\x01\x00\x00");
    assert!(run(&conv).is_empty());
}

#[test]
fn pipelined_prepare_and_execute_of_the_statement_just_prepared() {
    // MariaDB sends PREPARE and EXECUTE (statement id 0xffffffff) before any answer.
    let prepare = pkt(0, &[&[0x16], &b"select ? + 1"[..]].concat());
    let execute = pkt(
        0,
        &[
            0x17, 0xff, 0xff, 0xff, 0xff, 0, 1, 0, 0, 0, 0, 1, 0x08, 0, 41, 0, 0, 0, 0, 0, 0, 0,
        ],
    );
    // PREPARE_OK: id 7, 1 column, 1 param; param def + EOF; column def + EOF.
    let prepare_ok = [
        pkt(1, &[0, 7, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0]),
        column_def(2, "?"),
        pkt(3, &[0xfe, 0, 0, 2, 0]),
        column_def(4, "r"),
        pkt(5, &[0xfe, 0, 0, 2, 0]),
    ]
    .concat();
    let result = [
        pkt(1, &[1]),
        column_def(2, "r"),
        pkt(3, &[0xfe, 0, 0, 2, 0]),
        pkt(4, &[0, 0, 42, 0, 0, 0, 0, 0, 0, 0]),
        pkt(5, &[0xfe, 0, 0, 2, 0]),
    ]
    .concat();
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &[prepare, execute].concat())
        .message(Dir::ToClient, &[prepare_ok, result].concat());
    let ev = run(&conv);
    assert_eq!(ev.len(), 2, "{ev:#?}");
    assert_eq!(ev[0]["query"], "select ? + 1");
    assert_eq!(ev[1]["query"], "select ? + 1");
    assert_eq!(ev[1]["mysql"]["num_rows"], 1);
    assert!(ev.iter().all(|e| e["status"] == "OK"));
}
