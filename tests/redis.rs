//! Redis edge cases on hand-made conversations: pipelining across segment boundaries, inline
//! commands, MULTI/EXEC, pub/sub, RESP3 maps and pushes, credentials, queue limits, a long
//! reply read once, and garbage.

use serde_json::Value;
use wb_proto::{redis, Dir};
use wb_testkit::suite::{protocol_config_with, PORT};
use wb_testkit::{run_frames, Conversation, Segmentation};

fn cmd(words: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", words.len()).into_bytes();
    for w in words {
        out.extend_from_slice(format!("${}\r\n{w}\r\n", w.len()).as_bytes());
    }
    out
}

fn run_with(conv: &Conversation, seg: Segmentation, options: &str) -> Vec<Value> {
    let cfg = protocol_config_with(redis::NAME, options);
    let protocol = redis::Redis::build(&cfg).unwrap_or_else(|e| panic!("{e}"));
    run_frames(vec![protocol], &conv.frames(seg, None))
}

fn run(conv: &Conversation) -> Vec<Value> {
    run_with(conv, Segmentation::Whole, "")
}

fn brief(e: &Value) -> (String, String, String) {
    let ret = match (&e["redis"]["return_value"], &e["redis"]["error"]) {
        (Value::String(s), _) | (_, Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    (
        e["method"].as_str().unwrap_or("").to_string(),
        e["status"].as_str().unwrap_or("").to_string(),
        ret,
    )
}

fn briefs(ev: &[Value]) -> Vec<(String, String, String)> {
    ev.iter().map(brief).collect()
}

fn b(m: &str, s: &str, r: &str) -> (String, String, String) {
    (m.into(), s.into(), r.into())
}

#[test]
fn pipelined_commands_in_any_segmentation() {
    let mut reqs = Vec::new();
    for i in 0..20 {
        reqs.extend(cmd(&["SET", &format!("k{i}"), "v"]));
    }
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &reqs)
        .message(Dir::ToClient, "+OK\r\n".repeat(20).as_bytes());
    let whole = run(&conv);
    assert_eq!(whole.len(), 20);
    assert_eq!(whole[19]["resource"], "k19");
    for size in [1, 3, 7] {
        assert_eq!(run_with(&conv, Segmentation::Chunks(size), ""), whole);
    }
}

#[test]
fn inline_commands_and_nested_replies() {
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, b"PING\r\nEXISTS a b\n")
        .message(Dir::ToClient, b"+PONG\r\n:1\r\n")
        .message(Dir::ToServer, &cmd(&["LRANGE", "l", "0", "-1"]))
        .message(Dir::ToClient, b"*3\r\n$1\r\na\r\n*2\r\n:1\r\n$-1\r\n*0\r\n");
    let ev = run(&conv);
    assert_eq!(
        briefs(&ev),
        vec![
            b("PING", "OK", "PONG"),
            b("EXISTS", "OK", "1"),
            b("LRANGE", "OK", "[a, [1, nil], []]"),
        ]
    );
    assert_eq!(ev[1]["query"], "EXISTS a b");
}

#[test]
fn multi_exec_and_errors() {
    let mut reqs = cmd(&["MULTI"]);
    reqs.extend(cmd(&["INCR", "c"]));
    reqs.extend(cmd(&["LPOP", "c"]));
    reqs.extend(cmd(&["EXEC"]));
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &reqs)
        .message(
            Dir::ToClient,
            b"+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n:1\r\n-WRONGTYPE wrong kind\r\n",
        );
    let ev = run(&conv);
    assert_eq!(
        briefs(&ev),
        vec![
            b("MULTI", "OK", "OK"),
            b("INCR", "OK", "QUEUED"),
            b("LPOP", "OK", "QUEUED"),
            b("EXEC", "OK", "[1, WRONGTYPE wrong kind]"),
        ]
    );
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &cmd(&["GET", "x", "y"]))
        .message(Dir::ToClient, b"-ERR wrong number of arguments\r\n");
    let ev = run(&conv);
    assert_eq!(ev[0]["status"], "Error");
    assert_eq!(ev[0]["event"]["outcome"], "failure");
    assert_eq!(ev[0]["redis"]["error"], "ERR wrong number of arguments");
}

/// A subscription confirmation: kind, channel, number of subscriptions.
fn confirmation(kind: &str, channel: &str, count: u32) -> Vec<u8> {
    format!(
        "*3\r\n${}\r\n{kind}\r\n${}\r\n{channel}\r\n:{count}\r\n",
        kind.len(),
        channel.len()
    )
    .into_bytes()
}

#[test]
fn pub_sub_confirmations_and_messages() {
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &cmd(&["SUBSCRIBE", "news", "sport"]))
        .message(Dir::ToClient, &confirmation("subscribe", "news", 1))
        .message(Dir::ToClient, &confirmation("subscribe", "sport", 2))
        .message(Dir::ToClient, &cmd(&["message", "news", "hello"]))
        .message(Dir::ToServer, &cmd(&["PING"]))
        .message(Dir::ToClient, &cmd(&["pong", ""]));
    let ev = run(&conv);
    let got = briefs(&ev);
    assert_eq!(got[0].0, "SUBSCRIBE");
    assert_eq!(got[1], b("MESSAGE", "OK", "hello"));
    assert_eq!(ev[1]["resource"], "news");
    assert_eq!(got[2].0, "PING");
    assert_eq!(ev.len(), 3, "{ev:?}");
}

#[test]
fn resp3_maps_and_pushes() {
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &cmd(&["HELLO", "3"]))
        .message(
            Dir::ToClient,
            b"%2\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n",
        )
        .message(
            Dir::ToClient,
            b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n",
        )
        .message(Dir::ToServer, &cmd(&["GET", "k"]))
        .message(Dir::ToClient, b"_\r\n");
    let ev = run(&conv);
    assert_eq!(
        briefs(&ev),
        vec![
            b("HELLO", "OK", "{server: redis, proto: 3}"),
            b("INVALIDATE", "OK", "[invalidate, [k]]"),
            b("GET", "OK", "nil"),
        ]
    );
}

#[test]
fn credentials_never_reach_the_event() {
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &cmd(&["AUTH", "alice", "hunter2"]))
        .message(Dir::ToClient, b"+OK\r\n")
        .message(Dir::ToServer, b"AUTH hunter2\r\n")
        .message(Dir::ToClient, b"-WRONGPASS invalid\r\n");
    let ev = run(&conv);
    assert_eq!(ev.len(), 2);
    for e in &ev {
        let text = e.to_string();
        assert!(
            !text.contains("hunter2") && !text.contains("alice"),
            "{text}"
        );
        assert!(e.get("resource").is_none());
    }
    assert_eq!(ev[0]["query"], format!("AUTH {0} {0}", redis::REDACTED));
}

#[test]
fn queue_limits_drop_the_oldest_requests() {
    let mut reqs = Vec::new();
    for i in 0..5 {
        reqs.extend(cmd(&["GET", &format!("k{i}")]));
    }
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &reqs)
        .message(Dir::ToClient, b"$1\r\nx\r\n");
    let ev = run_with(&conv, Segmentation::Whole, "queue_max_messages: 2");
    assert_eq!(ev.len(), 1);
    assert_eq!(
        ev[0]["resource"], "k3",
        "only the last two waited; the first reply pairs with k3"
    );
}

#[test]
fn a_long_reply_over_many_segments_is_one_event() {
    let n = 20_000;
    let mut reply = format!("*{n}\r\n").into_bytes();
    for i in 0..n {
        let v = format!("item-{i}");
        reply.extend_from_slice(format!("${}\r\n{v}\r\n", v.len()).as_bytes());
    }
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &cmd(&["LRANGE", "big", "0", "-1"]))
        .message(Dir::ToClient, &reply);
    let ev = run_with(&conv, Segmentation::Chunks(1448), "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["destination"]["bytes"], reply.len());
    let text = ev[0]["redis"]["return_value"].as_str().unwrap_or("");
    assert!(text.starts_with("[item-0, item-1") && text.ends_with("item-19999]"));
}

#[test]
fn garbage_on_the_port_gives_no_event_and_no_panic() {
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, b"*2\r\n$9999999999999999999\r\nx\r\n")
        .message(Dir::ToClient, b"\x00\x01\x02 binary junk\r\n");
    assert!(run(&conv).is_empty());
}
