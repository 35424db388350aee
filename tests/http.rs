//! The `http` analyzer on hand-made conversations: every framing case, correlation rule,
//! option, loss and hostile input, with the bytes annotated where the count matters.

use serde_json::Value;
use std::time::Duration;
use wb_proto::Dir;
use wb_testkit::suite::{test_protocol_config, PORT};
use wb_testkit::{run_frames, Conversation, Segmentation};

/// Events of `conv` with http options given as YAML flow-map text (e.g. `{split_cookie: true}`).
fn run(conv: &Conversation, options: &str, seg: Segmentation) -> Vec<Value> {
    run_with(conv, options, seg, None)
}

fn run_with(
    conv: &Conversation,
    options: &str,
    seg: Segmentation,
    hole: Option<(Dir, usize, usize)>,
) -> Vec<Value> {
    let mut cfg = test_protocol_config("http");
    cfg.send_request = false;
    cfg.send_response = false;
    let extra: serde_yaml_ng::Mapping = serde_yaml_ng::from_str(options).unwrap();
    for (k, v) in extra {
        match k.as_str() {
            Some("send_request") => cfg.send_request = v.as_bool().unwrap(),
            Some("send_response") => cfg.send_response = v.as_bool().unwrap(),
            Some("transaction_timeout") => {
                cfg.transaction_timeout = Duration::from_secs(v.as_u64().unwrap())
            }
            _ => {
                cfg.options.insert(k, v);
            }
        }
    }
    let protocol = wb_proto::http::Http::build(&cfg).unwrap_or_else(|e| panic!("{e}"));
    run_frames(vec![protocol], &conv.frames(seg, hole))
        .into_iter()
        .filter(|e| e["type"] == "http")
        .collect()
}

fn whole(conv: &Conversation, options: &str) -> Vec<Value> {
    run(conv, options, Segmentation::Whole)
}

fn conv() -> Conversation {
    Conversation::new(PORT)
}

fn note(e: &Value) -> String {
    match &e["error"]["message"] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn codes(ev: &[Value]) -> Vec<u64> {
    ev.iter()
        .map(|e| e["http"]["response"]["status_code"].as_u64().unwrap_or(0))
        .collect()
}

#[test]
fn pipelined_requests_pair_in_order_in_every_segmentation() {
    let c = conv()
        .message(
            Dir::ToServer,
            b"GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\nGET /c HTTP/1.1\r\nHost: h\r\n\r\n",
        )
        .message(
            Dir::ToClient,
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA\
HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n\
HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\n\r\nCC",
        );
    for seg in [
        Segmentation::Whole,
        Segmentation::Chunks(7),
        Segmentation::Chunks(1),
    ] {
        let ev = run(&c, "{}", seg);
        let q: Vec<_> = ev.iter().map(|e| e["query"].clone()).collect();
        assert_eq!(q, ["GET /a", "GET /b", "GET /c"], "{seg:?}");
        assert_eq!(codes(&ev), [200, 404, 500]);
        let status: Vec<_> = ev.iter().map(|e| e["status"].clone()).collect();
        assert_eq!(status, ["OK", "Error", "Error"]);
        // "GET /a HTTP/1.1\r\n" (17) + "Host: h\r\n" (9) + "\r\n" (2) = 28.
        assert_eq!(ev[0]["client"]["bytes"], 28);
        // "HTTP/1.1 200 OK\r\n" (17) + "Content-Length: 1\r\n" (19) + "\r\n" (2) + "A" = 39.
        assert_eq!(ev[0]["server"]["bytes"], 39);
        assert_eq!(ev[1]["http"]["response"]["status_phrase"], "not found");
    }
}

#[test]
fn chunked_bodies_with_extensions_and_trailers() {
    let c = conv()
        .message(
            Dir::ToServer,
            b"POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\
5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: 1\r\n\r\n",
        )
        .message(
            Dir::ToClient,
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n",
        );
    let ev = run(&c, "{include_body_for: ['']}", Segmentation::Chunks(3));
    assert_eq!(ev.len(), 1, "{ev:#?}");
    let e = &ev[0];
    assert_eq!(e["status"], "OK");
    assert_eq!(e["http"]["request"]["body"]["bytes"], 11);
    assert_eq!(e["http"]["request"]["body"]["content"], "hello world");
    assert_eq!(e["http"]["request"]["headers"]["content-length"], 11);
    assert_eq!(e["http"]["response"]["body"]["bytes"], 26);
    assert_eq!(
        e["http"]["response"]["body"]["content"],
        "abcdefghijklmnopqrstuvwxyz"
    );
}

#[test]
fn head_204_304_and_1xx_have_no_body() {
    let c = conv()
        .message(Dir::ToServer, b"HEAD /big HTTP/1.1\r\n\r\n")
        .message(
            Dir::ToClient,
            b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n",
        )
        .message(Dir::ToServer, b"DELETE /x HTTP/1.1\r\n\r\n")
        .message(
            Dir::ToClient,
            b"HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n",
        )
        .message(Dir::ToServer, b"GET /c HTTP/1.1\r\nIf-None-Match: x\r\n\r\n")
        .message(Dir::ToClient, b"HTTP/1.1 304 Not Modified\r\n\r\n")
        .message(Dir::ToServer, b"GET /d HTTP/1.1\r\n\r\n")
        .message(
            Dir::ToClient,
            b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        );
    let ev = whole(&c, "{}");
    assert_eq!(codes(&ev), [200, 204, 304, 200], "{ev:#?}");
    assert!(ev.iter().all(|e| e["status"] == "OK"));
    assert_eq!(ev[0]["http"]["response"]["headers"]["content-length"], 5000);
    assert!(ev.iter().all(|e| e.get("error").is_none()));
}

#[test]
fn expect_100_continue_gives_one_transaction() {
    let c = conv()
        .message(
            Dir::ToServer,
            b"PUT /doc HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n",
        )
        .message(Dir::ToClient, b"HTTP/1.1 100 Continue\r\n\r\n")
        .message(Dir::ToServer, b"data")
        .message(
            Dir::ToClient,
            b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
        );
    let ev = whole(&c, "{}");
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0]["http"]["response"]["status_code"], 201);
    assert_eq!(ev[0]["status"], "OK");
}

#[test]
fn a_response_sent_before_the_request_body_ends_still_pairs() {
    let c = conv()
        .message(
            Dir::ToServer,
            b"POST /big HTTP/1.1\r\nContent-Length: 10\r\n\r\n01234",
        )
        .message(
            Dir::ToClient,
            b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n",
        )
        .message(Dir::ToServer, b"56789");
    let ev = whole(&c, "{}");
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0]["query"], "POST /big");
    assert_eq!(ev[0]["http"]["response"]["status_code"], 413);
}

#[test]
fn http_1_0_response_is_read_until_close() {
    let c = conv()
        .message(Dir::ToServer, b"GET /old HTTP/1.0\r\n\r\n")
        .message(Dir::ToClient, b"HTTP/1.0 200 OK\r\n\r\npart one, ")
        .message(Dir::ToClient, b"part two");
    let ev = whole(&c, "{}");
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0]["http"]["version"], "1.0");
    assert_eq!(ev[0]["http"]["response"]["body"]["bytes"], 18);
    assert_eq!(ev[0]["http"]["response"]["headers"]["content-length"], 18);
}

#[test]
fn unmatched_response_and_unmatched_request() {
    let c = conv()
        .message(
            Dir::ToClient,
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
        )
        .message(Dir::ToServer, b"GET /never HTTP/1.1\r\n\r\n");
    let ev = whole(&c, "{}");
    assert_eq!(ev.len(), 2, "{ev:#?}");
    assert_eq!(note(&ev[0]), "Unmatched response");
    assert_eq!(ev[0]["status"], "Error");
    assert!(ev[0]["event"].get("start").is_none());
    assert_eq!(note(&ev[1]), "Unmatched request");
    assert_eq!(ev[1]["status"], "Error");
    assert!(ev[1]["event"].get("end").is_none());
}

#[test]
fn requests_expire_after_the_transaction_timeout_on_packet_time() {
    // Messages are a second apart: the response arrives 3 s after its request, whose
    // connection expired after 1 s of silence.
    let c = conv()
        .message(Dir::ToServer, b"GET /slow HTTP/1.1\r\n\r\n")
        .message(Dir::ToServer, b"")
        .message(Dir::ToServer, b"")
        .message(
            Dir::ToClient,
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        );
    let ev = whole(&c, "{transaction_timeout: 1}");
    assert_eq!(ev.len(), 2, "{ev:#?}");
    assert_eq!(note(&ev[0]), "Unmatched request");
    assert_eq!(note(&ev[1]), "Unmatched response");
}

#[test]
fn a_gap_in_a_body_keeps_the_transaction_with_a_note() {
    let body = vec![b'x'; 4000];
    let resp = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 4000\r\n\r\n".as_slice(),
        &body,
    ]
    .concat();
    let c = conv()
        .message(Dir::ToServer, b"GET /f HTTP/1.1\r\n\r\n")
        .message(Dir::ToClient, &resp)
        .message(Dir::ToServer, b"GET /g HTTP/1.1\r\n\r\n")
        .message(
            Dir::ToClient,
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        );
    // 1000 bytes of the first body are lost (it starts at offset 41).
    let ev = run_with(
        &c,
        "{}",
        Segmentation::Chunks(500),
        Some((Dir::ToClient, 1041, 1000)),
    );
    assert_eq!(ev.len(), 2, "{ev:#?}");
    assert_eq!(ev[0]["status"], "OK");
    assert_eq!(note(&ev[0]), "Packet loss while capturing the response");
    assert_eq!(ev[0]["server"]["bytes"], 4041);
    assert_eq!(ev[1]["query"], "GET /g");
    assert_eq!(note(&ev[1]), "");
}

#[test]
fn a_gap_in_headers_resynchronises_on_the_next_message() {
    let c = conv()
        .message(
            Dir::ToServer,
            b"GET /lost HTTP/1.1\r\nHost: a-rather-long-host-name.example\r\nAccept: */*\r\n\r\n\
GET /next HTTP/1.1\r\nHost: h\r\n\r\n",
        )
        .message(
            Dir::ToClient,
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
        );
    // Lose bytes 30..50 of the first request's header block.
    let ev = run_with(
        &c,
        "{}",
        Segmentation::Chunks(10),
        Some((Dir::ToServer, 30, 20)),
    );
    // The first request is gone; its response is unmatched; the second pairs... with the
    // first response (FIFO cannot know), so at least the next request is reported.
    assert!(ev.iter().any(|e| e["query"] == "GET /next"), "{ev:#?}");
    assert!(ev.iter().all(|e| e["query"] != "GET /lost"));
}

#[test]
fn garbage_on_the_port_is_skipped_and_counted_not_buffered() {
    let junk = vec![0x16u8; 40_000];
    let c = conv()
        .message(Dir::ToServer, &junk)
        .message(Dir::ToServer, b"\r\nGET /ok HTTP/1.1\r\n\r\n")
        .message(
            Dir::ToClient,
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        );
    let ev = run(&c, "{max_message_size: 1000}", Segmentation::Chunks(1460));
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0]["query"], "GET /ok");
    assert_eq!(ev[0]["status"], "OK");
}

#[test]
fn huge_headers_are_bounded_by_max_message_size() {
    let mut req = b"GET /h HTTP/1.1\r\n".to_vec();
    for i in 0..2000 {
        req.extend_from_slice(format!("X-Pad-{i}: {}\r\n", "y".repeat(50)).as_bytes());
    }
    req.extend_from_slice(b"\r\n");
    let c = conv()
        .message(Dir::ToServer, &req)
        .message(
            Dir::ToClient,
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        )
        .message(Dir::ToServer, b"GET /small HTTP/1.1\r\n\r\n")
        .message(
            Dir::ToClient,
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        );
    let ev = run(&c, "{max_message_size: 4096}", Segmentation::Chunks(1460));
    assert!(ev.iter().all(|e| e["query"] != "GET /h"), "{ev:#?}");
    assert!(ev.iter().any(|e| e["query"] == "GET /small"), "{ev:#?}");
}

#[test]
fn an_endless_chunked_body_keeps_at_most_max_message_size() {
    let mut resp =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec();
    for _ in 0..2000 {
        resp.extend_from_slice(b"400\r\n");
        resp.extend_from_slice(&[b'z'; 0x400]);
        resp.extend_from_slice(b"\r\n");
    }
    let c = conv()
        .message(Dir::ToServer, b"GET /stream HTTP/1.1\r\n\r\n")
        .message(Dir::ToClient, &resp);
    let ev = run(
        &c,
        "{max_message_size: 10000, include_body_for: [text/plain]}",
        Segmentation::Chunks(1460),
    );
    // The stream never ends: the transaction is published at the end, its body capped.
    assert_eq!(ev.len(), 1, "{ev:#?}");
    let body = ev[0]["http"]["response"]["body"]["content"]
        .as_str()
        .unwrap();
    assert_eq!(body.len(), 10000);
    assert_eq!(ev[0]["http"]["response"]["body"]["bytes"], 2000 * 0x400);
}

#[test]
fn thousands_of_unanswered_pipelined_requests_are_capped() {
    let n = wb_proto::http::MAX_PENDING_REQUESTS + 500;
    let reqs = b"GET /p HTTP/1.1\r\n\r\n".repeat(n);
    let c = conv().message(Dir::ToServer, &reqs);
    let ev = run(&c, "{}", Segmentation::Chunks(1460));
    // Every request is reported exactly once, as unmatched (the oldest early, at the cap).
    assert_eq!(ev.len(), n);
    assert!(ev.iter().all(|e| note(e) == "Unmatched request"));
}

#[test]
fn gzip_and_deflate_bodies_are_decoded() {
    use flate2::write::GzEncoder;
    use std::io::Write;
    let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(b"{\"hello\":\"world\"}").unwrap();
    let gz = enc.finish().unwrap();
    let resp = [
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
            gz.len()
        )
        .as_bytes(),
        &gz,
    ]
    .concat();
    let c = conv()
        .message(Dir::ToServer, b"GET /j HTTP/1.1\r\n\r\n")
        .message(Dir::ToClient, &resp);
    let ev = whole(&c, "{include_body_for: [json]}");
    assert_eq!(
        ev[0]["http"]["response"]["body"]["content"],
        "{\"hello\":\"world\"}"
    );
    assert_eq!(ev[0]["http"]["response"]["body"]["bytes"], 17);
    let raw = whole(&c, "{include_body_for: [json], decode_body: false}");
    assert_eq!(raw[0]["http"]["response"]["body"]["bytes"], gz.len() as u64);
}

#[test]
fn url_host_agent_and_related_fields() {
    let c = conv()
        .message(
            Dir::ToServer,
            b"GET /a%20b/file.tar.gz?z=1&a=x+y HTTP/1.1\r\nHost: www.example.com:9999\r\n\
User-Agent: curl/8.0\r\nReferer: http://ref.example.org/page\r\n\r\n",
        )
        .message(
            Dir::ToClient,
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        );
    let e = &whole(&c, "{}")[0];
    assert_eq!(e["url"]["path"], "/a b/file.tar.gz");
    assert_eq!(e["query"], "GET /a b/file.tar.gz");
    assert_eq!(e["url"]["query"], "a=x+y&z=1");
    assert_eq!(e["url"]["extension"], "gz");
    assert_eq!(e["url"]["domain"], "www.example.com");
    assert_eq!(e["url"]["port"], 9999);
    assert_eq!(
        e["url"]["full"],
        "http://www.example.com:9999/a%20b/file.tar.gz?a=x+y&z=1"
    );
    assert_eq!(e["user_agent"]["original"], "curl/8.0");
    assert_eq!(
        e["http"]["request"]["referrer"],
        "http://ref.example.org/page"
    );
    assert_eq!(e["destination"]["domain"], "www.example.com");
    assert_eq!(
        e["related"]["hosts"],
        serde_json::json!(["www.example.com", "ref.example.org"])
    );
    // The Host port is not the connection's port.
    assert_eq!(note(e), "Host header port number mismatch");
}

#[test]
fn header_options_select_redact_and_split() {
    let c = conv()
        .message(
            Dir::ToServer,
            b"GET / HTTP/1.1\r\nHost: h\r\nCookie: A=1; b=\"2\"\r\nX-Token: secret\r\nAccept: a\r\nAccept: b\r\n\r\n",
        )
        .message(
            Dir::ToClient,
            b"HTTP/1.1 200 OK\r\nSet-Cookie: s=1\r\nContent-Length: 0\r\n\r\n",
        );
    let e = &whole(&c, "{send_headers: [accept, X-Token]}")[0];
    assert_eq!(
        e["http"]["request"]["headers"],
        serde_json::json!({"content-length": 0, "accept": "a, b", "x-token": "secret"})
    );
    let e = &whole(
        &c,
        "{send_all_headers: true, split_cookie: true, redact_headers: [x-token]}",
    )[0];
    let h = &e["http"]["request"]["headers"];
    assert_eq!(h["cookie"], serde_json::json!({"a": "1", "b": "2"}));
    assert_eq!(h["x-token"], "REDACTED");
    assert_eq!(
        e["http"]["response"]["headers"]["set-cookie"],
        serde_json::json!({"s": "1"})
    );
}

#[test]
fn raw_request_and_response_text_when_asked() {
    let c = conv()
        .message(
            Dir::ToServer,
            b"POST /f HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
        )
        .message(
            Dir::ToClient,
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok",
        );
    let e = &whole(&c, "{send_request: true, send_response: true}")[0];
    // The body is in the raw text only when it is exported.
    assert_eq!(
        e["request"],
        "POST /f HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n"
    );
    let e = &whole(
        &c,
        "{send_request: true, send_response: true, include_body_for: [json, text]}",
    )[0];
    assert!(e["request"].as_str().unwrap().ends_with("\r\n\r\n{}"));
    assert!(e["response"].as_str().unwrap().ends_with("\r\n\r\nok"));
}

#[test]
fn a_protocol_upgrade_stops_http_parsing() {
    let c = conv()
        .message(
            Dir::ToServer,
            b"GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
        )
        .message(
            Dir::ToClient,
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello",
        )
        .message(Dir::ToServer, b"\x81\x85abcd\x00\x00\x00\x00\x00");
    let ev = whole(&c, "{}");
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0]["http"]["response"]["status_code"], 101);
}

#[test]
fn unknown_options_are_named_with_the_nearest_one() {
    let mut cfg = test_protocol_config("http");
    cfg.options.insert("send_header".into(), true.into());
    let err = wb_proto::http::Http::build(&cfg).err().unwrap().to_string();
    assert!(
        err.contains("send_header") && err.contains("send_headers"),
        "{err}"
    );
}
