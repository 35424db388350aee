//! PostgreSQL edge cases on hand-made conversations: start-up and SSL negotiation, statements
//! split as the server splits them, errors that skip the rest of a batch, extended-protocol
//! batches, COPY, empty queries, lost segments and garbage.

use serde_json::Value;
use wb_proto::{pgsql, Dir};
use wb_testkit::suite::{test_protocol_config, PORT};
use wb_testkit::{run_frames, Conversation, Segmentation};

/// A typed message.
fn msg(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![kind];
    m.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    m.extend_from_slice(body);
    m
}

fn cstr(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v
}

fn query(sql: &str) -> Vec<u8> {
    msg(b'Q', &cstr(sql))
}

fn complete(tag: &str) -> Vec<u8> {
    msg(b'C', &cstr(tag))
}

fn ready() -> Vec<u8> {
    msg(b'Z', b"I")
}

fn error(code: &str, text: &str) -> Vec<u8> {
    let mut body = Vec::new();
    for (k, v) in [(b'S', "ERROR"), (b'C', code), (b'M', text)] {
        body.push(k);
        body.extend_from_slice(&cstr(v));
    }
    body.push(0);
    msg(b'E', &body)
}

fn startup() -> Vec<u8> {
    let mut body = 196_608u32.to_be_bytes().to_vec();
    body.extend_from_slice(b"user\0alice\0database\0db\0\0");
    let mut m = ((body.len() + 4) as u32).to_be_bytes().to_vec();
    m.extend_from_slice(&body);
    m
}

fn run(conv: &Conversation, seg: Segmentation, hole: Option<(Dir, usize, usize)>) -> Vec<Value> {
    let protocol =
        pgsql::Pgsql::build(&test_protocol_config(pgsql::NAME)).unwrap_or_else(|e| panic!("{e}"));
    run_frames(vec![protocol], &conv.frames(seg, hole))
}

fn brief(ev: &[Value]) -> Vec<(String, String, String)> {
    ev.iter()
        .map(|e| {
            (
                e["query"].as_str().unwrap_or("").to_string(),
                e["status"].as_str().unwrap_or("").to_string(),
                e["pgsql"]["error_code"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn b(q: &str, s: &str, c: &str) -> (String, String, String) {
    (q.into(), s.into(), c.into())
}

#[test]
fn startup_after_refused_ssl_then_a_batch_with_an_error() {
    let ssl = [0, 0, 0, 8, 4, 210, 22, 47];
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &ssl)
        .message(Dir::ToClient, b"N")
        .message(Dir::ToServer, &startup())
        .message(Dir::ToClient, &[msg(b'R', &[0, 0, 0, 0]), ready()].concat())
        .message(
            Dir::ToServer,
            &query("insert into t values ('a;b'); select 1/0; select 2"),
        )
        .message(
            Dir::ToClient,
            &[
                complete("INSERT 0 1"),
                error("22012", "division by zero"),
                ready(),
            ]
            .concat(),
        );
    let ev = run(&conv, Segmentation::Whole, None);
    assert_eq!(
        brief(&ev),
        vec![
            b("insert into t values ('a;b')", "OK", ""),
            b("select 1/0", "Error", "22012")
        ]
    );
    assert_eq!(ev[1]["pgsql"]["error_message"], "division by zero");
    // Every segmentation gives the same events.
    for size in [1, 2, 5] {
        assert_eq!(run(&conv, Segmentation::Chunks(size), None), ev);
    }
}

#[test]
fn accepted_ssl_means_nothing_more_is_read() {
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &[0, 0, 0, 8, 4, 210, 22, 47])
        .message(Dir::ToClient, b"S")
        .message(Dir::ToServer, b"\x16\x03\x01\x00\x05hello")
        .message(Dir::ToClient, b"\x16\x03\x03\x00\x02hi");
    assert!(run(&conv, Segmentation::Whole, None).is_empty());
}

#[test]
fn extended_protocol_batch_with_two_executes() {
    let parse = msg(
        b'P',
        &[cstr("s1"), cstr("insert into t values ($1)"), vec![0, 0]].concat(),
    );
    let bind = msg(
        b'B',
        &[cstr(""), cstr("s1"), vec![0, 0, 0, 0, 0, 0]].concat(),
    );
    let execute = msg(b'E', &[cstr(""), vec![0, 0, 0, 0]].concat());
    let sync = msg(b'S', b"");
    let conv = Conversation::new(PORT)
        .message(
            Dir::ToServer,
            &[parse, bind.clone(), execute.clone(), bind, execute, sync].concat(),
        )
        .message(
            Dir::ToClient,
            &[
                msg(b'1', b""),
                msg(b'2', b""),
                complete("INSERT 0 1"),
                msg(b'2', b""),
                complete("INSERT 0 1"),
                ready(),
            ]
            .concat(),
        );
    let ev = run(&conv, Segmentation::Whole, None);
    assert_eq!(ev.len(), 2);
    for e in &ev {
        assert_eq!(e["query"], "insert into t values ($1)");
        assert_eq!(e["method"], "INSERT");
        assert_eq!(e["status"], "OK");
    }
}

#[test]
fn copy_from_stdin_and_empty_query() {
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &query("copy t from stdin"))
        .message(Dir::ToClient, &msg(b'G', &[0, 0, 1, 0, 0]))
        .message(
            Dir::ToServer,
            &[msg(b'd', b"1\n2\n"), msg(b'c', b"")].concat(),
        )
        .message(Dir::ToClient, &[complete("COPY 2"), ready()].concat())
        .message(Dir::ToServer, &query(" ; "))
        .message(Dir::ToClient, &[msg(b'I', b""), ready()].concat())
        .message(Dir::ToServer, &query("select 1"))
        .message(Dir::ToClient, &[complete("SELECT 0"), ready()].concat());
    let ev = run(&conv, Segmentation::Whole, None);
    assert_eq!(
        brief(&ev),
        vec![b("copy t from stdin", "OK", ""), b("select 1", "OK", "")]
    );
}

#[test]
fn a_lost_segment_in_a_result_is_noted_and_parsing_resumes() {
    let mut rows = Vec::new();
    for i in 0..50 {
        let v = format!("row-{i}");
        let mut body = vec![0, 1];
        body.extend_from_slice(&(v.len() as u32).to_be_bytes());
        body.extend_from_slice(v.as_bytes());
        rows.extend(msg(b'D', &body));
    }
    let mut t = vec![0, 1];
    t.extend_from_slice(&cstr("v"));
    t.extend_from_slice(&[0; 18]);
    let result = [msg(b'T', &t), rows, complete("SELECT 50"), ready()].concat();
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &query("select v from t"))
        .message(Dir::ToClient, &result)
        .message(Dir::ToServer, &query("select 2"))
        .message(Dir::ToClient, &[complete("SELECT 0"), ready()].concat());
    let ev = run(
        &conv,
        Segmentation::Chunks(100),
        Some((Dir::ToClient, 150, 30)),
    );
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert_eq!(ev[0]["error"]["message"], pgsql::NOTE_RESPONSE_LOSS);
    assert_eq!(ev[0]["status"], "Error");
    assert_eq!(brief(&ev[1..]), vec![b("select 2", "OK", "")]);
}

#[test]
fn garbage_gives_no_event_and_no_panic() {
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, b"\x00\x00\x00\x03garbage")
        .message(Dir::ToClient, b"HTTP/1.1 400 Bad Request\r\n\r\n");
    assert!(run(&conv, Segmentation::Whole, None).is_empty());
}
