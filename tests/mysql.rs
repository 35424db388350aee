//! MySQL edge cases on hand-made packets: CLIENT_DEPRECATE_EOF results, several result sets
//! for one query, an SSL request, garbage, row limits, OK counters, credentials in the
//! handshake, pipelined and forgotten prepared statements.

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

fn run_with(conv: &Conversation, options: &[(&str, serde_yaml_ng::Value)]) -> Vec<Value> {
    let mut cfg = test_protocol_config(mysql::NAME);
    for (key, value) in options {
        cfg.options.insert((*key).into(), value.clone());
    }
    let p = mysql::Mysql::build(&cfg).unwrap_or_else(|e| panic!("{e}"));
    run_frames(vec![p], &conv.frames(Segmentation::Chunks(5), None))
}

/// A two-column text result of `rows` (no CLIENT_DEPRECATE_EOF).
fn two_column_result(rows: &[(&str, &str)]) -> Vec<u8> {
    let mut out = [
        pkt(1, &[2]),
        column_def(2, "a"),
        column_def(3, "b"),
        pkt(4, &[0xfe, 0, 0, 2, 0]),
    ]
    .concat();
    let mut seq = 5;
    for (a, b) in rows {
        let cells = [
            &[a.len() as u8],
            a.as_bytes(),
            &[b.len() as u8],
            b.as_bytes(),
        ]
        .concat();
        out.extend(pkt(seq, &cells));
        seq += 1;
    }
    out.extend(pkt(seq, &[0xfe, 0, 0, 2, 0]));
    out
}

#[test]
fn max_rows_and_max_row_length_shape_the_response_but_not_the_counts() {
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &query("select a, b from t"))
        .message(
            Dir::ToClient,
            &two_column_result(&[("abcd", "efgh"), ("1", "2"), ("3", "4")]),
        );
    let ev = run_with(
        &conv,
        &[("max_rows", 2.into()), ("max_row_length", 6.into())],
    );
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0]["mysql"]["num_rows"], 3);
    assert_eq!(ev[0]["mysql"]["num_fields"], 2);
    let response = ev[0]["response"].as_str().unwrap_or_default();
    let lines: Vec<&str> = response.lines().collect();
    assert_eq!(lines, ["a,b", "abcd,e", "1,2"], "{response:?}");
}

#[test]
fn ok_packets_report_large_counts_and_zeros() {
    // affected rows 0xfc-prefixed 70000 would not fit; use 0xfd (3 bytes): 70000 = 0x011170.
    let ok = pkt(
        1,
        &[
            0x00, 0xfd, 0x70, 0x11, 0x01, 0xfc, 0x10, 0x27, 0x02, 0, 0, 0,
        ],
    );
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &query("insert into t select * from u"))
        .message(Dir::ToClient, &ok)
        .message(Dir::ToServer, &query("set @x = 1"))
        .message(Dir::ToClient, &pkt(1, &[0, 0, 0, 2, 0, 0, 0]));
    let ev = run(&conv);
    assert_eq!(ev.len(), 2, "{ev:#?}");
    assert_eq!(ev[0]["mysql"]["affected_rows"], 70000);
    assert_eq!(ev[0]["mysql"]["insert_id"], 10000);
    assert_eq!(ev[0]["method"], "INSERT");
    // Packetbeat writes the counters even when they are zero.
    for key in ["affected_rows", "insert_id", "num_rows", "num_fields"] {
        assert_eq!(ev[1]["mysql"][key], 0, "{key}: {}", ev[1]);
    }
    assert!(ev[1]["mysql"].get("error_code").is_none());
}

#[test]
fn credentials_in_the_handshake_and_change_user_never_reach_an_event() {
    let mut greeting = vec![10];
    greeting.extend_from_slice(b"10.11.6\0");
    greeting.extend_from_slice(&[
        1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0xff, 0xf7, 8, 2, 0, 0xff, 0x81,
    ]);
    greeting.extend_from_slice(&[21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    greeting.extend_from_slice(b"abcdefghijkl\0mysql_clear_password\0");
    // Handshake response 41: caps (no SSL), max packet, charset, filler, user, auth data.
    let mut login = vec![0x05, 0xa6, 0x0f, 0x00, 0, 0, 0, 1, 0x21];
    login.resize(32, 0);
    login.extend_from_slice(b"alice\0");
    login.push(12);
    login.extend_from_slice(b"s3cretpasswd");
    login.extend_from_slice(b"test\0mysql_clear_password\0");
    let mut change_user = vec![0x11];
    change_user.extend_from_slice(b"bob\0");
    change_user.push(12);
    change_user.extend_from_slice(b"s3cretpasswd");
    let conv = Conversation::new(PORT)
        .message(Dir::ToClient, &pkt(0, &greeting))
        .message(Dir::ToServer, &pkt(1, &login))
        .message(Dir::ToClient, &pkt(2, &[0, 0, 0, 2, 0, 0, 0]))
        .message(Dir::ToServer, &query("select 1"))
        .message(Dir::ToClient, &pkt(1, &[0, 0, 0, 2, 0, 0, 0]))
        .message(Dir::ToServer, &pkt(0, &change_user))
        .message(Dir::ToClient, &pkt(1, &[0, 0, 0, 2, 0, 0, 0]))
        .message(Dir::ToServer, &query("select 2"))
        .message(Dir::ToClient, &pkt(1, &[0, 0, 0, 2, 0, 0, 0]));
    let ev = run(&conv);
    let queries: Vec<&Value> = ev.iter().map(|e| &e["query"]).collect();
    assert_eq!(queries, ["select 1", "select 2"], "{ev:#?}");
    for e in &ev {
        assert!(!e.to_string().contains("s3cret"), "{e}");
    }
}

/// PREPARE_OK for statement `id` with one parameter and no columns.
fn prepare_ok(id: u8) -> Vec<u8> {
    [
        pkt(1, &[0, id, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]),
        column_def(2, "?"),
        pkt(3, &[0xfe, 0, 0, 2, 0]),
    ]
    .concat()
}

/// EXECUTE of statement `id` with one LONGLONG parameter.
fn execute(id: u8, value: i64) -> Vec<u8> {
    let mut body = vec![0x17, id, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0x08, 0];
    body.extend_from_slice(&value.to_le_bytes());
    pkt(0, &body)
}

#[test]
fn statement_timeout_forgets_statements_left_unused() {
    // Messages are one second apart; statement 1 is last used at second 4, statement 2 is
    // prepared at second 9: with statement_timeout 3s, 1 is forgotten then.
    let ok = pkt(1, &[0, 0, 0, 2, 0, 0, 0]);
    let conv = Conversation::new(PORT)
        .message(
            Dir::ToServer,
            &pkt(0, &[&[0x16], &b"delete from t where id = ?"[..]].concat()),
        )
        .message(Dir::ToClient, &prepare_ok(1))
        .message(Dir::ToServer, &execute(1, -7))
        .message(Dir::ToClient, &ok)
        .message(Dir::ToServer, &query("do 1"))
        .message(Dir::ToClient, &ok)
        .message(Dir::ToServer, &query("do 2"))
        .message(Dir::ToClient, &ok)
        .message(
            Dir::ToServer,
            &pkt(0, &[&[0x16], &b"select ?"[..]].concat()),
        )
        .message(Dir::ToClient, &prepare_ok(2))
        .message(Dir::ToServer, &execute(1, 5))
        .message(Dir::ToClient, &ok);
    let ev = run_with(&conv, &[("statement_timeout", "3s".into())]);
    let summary: Vec<(String, String)> = ev
        .iter()
        .map(|e| (e["query"].to_string(), e["params"].to_string()))
        .collect();
    assert_eq!(ev.len(), 6, "{summary:#?}");
    assert_eq!(ev[1]["query"], "delete from t where id = ?");
    assert_eq!(ev[1]["params"][0], "-7");
    assert_eq!(ev[1]["method"], "DELETE");
    // The forgotten statement's execute is still a transaction, without its SQL.
    assert!(ev[5].get("query").is_none(), "{}", ev[5]);
    assert_eq!(ev[5]["error"]["message"], mysql::NOTE_UNKNOWN_STATEMENT);
    let kept = run_with(&conv, &[("statement_timeout", "1h".into())]);
    assert_eq!(kept[5]["query"], "delete from t where id = ?");
    assert_eq!(kept[5]["params"][0], "5");
}
