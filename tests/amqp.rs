//! AMQP 0-9-1 edge cases on hand-made frames: method frames in any segmentation, a content
//! header with every property, a body split over frames and segments, heartbeats and the
//! protocol header, frame-end errors, unknown methods, garbage, a huge declared frame size,
//! closes with error codes, credentials in connection.start-ok, one-way methods, limits and
//! options.

use serde_json::Value;
use std::time::Duration;
use wb_proto::{amqp, AnomalyCounts, Dir};
use wb_testkit::suite::{protocol_config_with, test_protocol_config, PORT};
use wb_testkit::{run_frames_counting, Conversation, Segmentation};

// ---- frame builders (spec §2.3.5: type, channel, size, payload, 0xCE) ----

fn frame(kind: u8, channel: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![kind];
    f.extend_from_slice(&channel.to_be_bytes());
    f.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    f.extend_from_slice(payload);
    f.push(0xCE);
    f
}

/// A method frame: class id, method id, then the arguments.
fn method(channel: u16, class: u16, id: u16, args: &[u8]) -> Vec<u8> {
    let mut p = class.to_be_bytes().to_vec();
    p.extend_from_slice(&id.to_be_bytes());
    p.extend_from_slice(args);
    frame(1, channel, &p)
}

/// A short string: octet length then bytes.
fn s(text: &str) -> Vec<u8> {
    let mut v = vec![text.len() as u8];
    v.extend_from_slice(text.as_bytes());
    v
}

/// A long string or table body: long length then bytes.
fn long(bytes: &[u8]) -> Vec<u8> {
    let mut v = (bytes.len() as u32).to_be_bytes().to_vec();
    v.extend_from_slice(bytes);
    v
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// A content header for the basic class: body size, property flags, property list.
fn header(channel: u16, body_size: u64, flags: u16, props: &[u8]) -> Vec<u8> {
    let mut p = vec![0, 60, 0, 0];
    p.extend_from_slice(&body_size.to_be_bytes());
    p.extend_from_slice(&flags.to_be_bytes());
    p.extend_from_slice(props);
    frame(2, channel, &p)
}

fn body(channel: u16, bytes: &[u8]) -> Vec<u8> {
    frame(3, channel, bytes)
}

const PROTOCOL_HEADER: &[u8] = b"AMQP\x00\x00\x09\x01";

/// queue.declare on `channel` (reserved short, name, bits, empty arguments).
fn queue_declare(channel: u16, name: &str, bits: u8) -> Vec<u8> {
    method(
        channel,
        50,
        10,
        &cat(&[&[0, 0], &s(name), &[bits], &long(&[])]),
    )
}

fn queue_declare_ok(channel: u16, name: &str, messages: u32, consumers: u32) -> Vec<u8> {
    let args = cat(&[&s(name), &messages.to_be_bytes(), &consumers.to_be_bytes()]);
    method(channel, 50, 11, &args)
}

/// basic.publish on `channel` to `exchange` with `routing_key`.
fn publish(channel: u16, exchange: &str, routing_key: &str) -> Vec<u8> {
    method(
        channel,
        60,
        40,
        &cat(&[&[0, 0], &s(exchange), &s(routing_key), &[0]]),
    )
}

fn text_plain_header(channel: u16, size: u64) -> Vec<u8> {
    header(channel, size, 0x8000, &s("text/plain"))
}

/// channel.close / connection.close arguments.
fn close(channel: u16, class: u16, code: u16, text: &str, culprit: (u16, u16)) -> Vec<u8> {
    let args = cat(&[
        &code.to_be_bytes(),
        &s(text),
        &culprit.0.to_be_bytes(),
        &culprit.1.to_be_bytes(),
    ]);
    method(channel, class, if class == 10 { 50 } else { 40 }, &args)
}

// ---- running ----

struct Run {
    events: Vec<Value>,
    anomalies: AnomalyCounts,
}

fn run_full(
    conv: &Conversation,
    seg: Segmentation,
    hole: Option<(Dir, usize, usize)>,
    options: &str,
    timeout: Duration,
) -> Run {
    let mut cfg = protocol_config_with(amqp::NAME, options);
    cfg.transaction_timeout = timeout;
    let protocol = amqp::Amqp::build(&cfg).unwrap_or_else(|e| panic!("{e}"));
    let (events, anomalies) = run_frames_counting(vec![protocol], &conv.frames(seg, hole));
    Run { events, anomalies }
}

fn run_opts(conv: &Conversation, options: &str) -> Run {
    run_full(
        conv,
        Segmentation::Whole,
        None,
        options,
        Duration::from_secs(10),
    )
}

fn run(conv: &Conversation) -> Vec<Value> {
    run_opts(conv, "").events
}

fn brief(ev: &[Value]) -> Vec<(String, String)> {
    ev.iter()
        .map(|e| {
            (
                e["method"].as_str().unwrap_or("").to_string(),
                e["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn b(m: &str, st: &str) -> (String, String) {
    (m.into(), st.into())
}

fn conv() -> Conversation {
    Conversation::new(PORT)
}

// ---- framing ----

#[test]
fn method_frames_pair_in_any_segmentation() {
    let c = conv()
        .message(
            Dir::ToServer,
            &cat(&[PROTOCOL_HEADER, &queue_declare(1, "jobs", 0b0010)]),
        )
        .message(Dir::ToClient, &queue_declare_ok(1, "jobs", 3, 1))
        .message(Dir::ToServer, &method(1, 90, 10, &[]))
        .message(Dir::ToClient, &method(1, 90, 11, &[]));
    let whole = run(&c);
    assert_eq!(
        brief(&whole),
        vec![b("queue.declare", "OK"), b("tx.select", "OK")]
    );
    let e = &whole[0];
    assert_eq!(e["event"]["action"], "amqp.queue.declare");
    assert_eq!(e["amqp"]["queue"], "jobs");
    assert_eq!(e["amqp"]["durable"], true);
    // Booleans are written even when false.
    assert_eq!(e["amqp"]["passive"], false);
    assert_eq!(e["amqp"]["message-count"], 3);
    assert_eq!(e["amqp"]["consumer-count"], 1);
    assert_eq!(e["request"], "queue.declare jobs");
    assert_eq!(e["response"], "OK");
    // Method frames count whole: 7-byte header + payload + frame end.
    assert_eq!(e["source"]["bytes"], queue_declare(1, "jobs", 0).len());
    assert_eq!(
        e["destination"]["bytes"],
        queue_declare_ok(1, "jobs", 3, 1).len()
    );
    for n in [1, 2, 3, 7, 64] {
        let cut = run_full(
            &c,
            Segmentation::Chunks(n),
            None,
            "",
            Duration::from_secs(10),
        );
        assert_eq!(cut.events, whole, "{n}-byte segments");
    }
}

#[test]
fn content_header_with_every_property() {
    let headers = cat(&[
        &s("x-origin"),
        b"S",
        &long(b"test"),
        &s("n"),
        b"I",
        &[0, 0, 0, 7],
    ]);
    let props = cat(&[
        &s("application/json"),          // content-type
        &s(""),                          // content-encoding
        &long(&headers),                 // headers
        &[2],                            // delivery-mode persistent
        &[9],                            // priority
        &s("corr"),                      // correlation-id
        &s("replies"),                   // reply-to
        &s("5000"),                      // expiration
        &s("msg-1"),                     // message-id
        &1_700_000_000u64.to_be_bytes(), // timestamp
        &s("kind"),                      // type
        &s("alice"),                     // user-id
        &s("app"),                       // app-id
    ]);
    let c = conv().message(
        Dir::ToServer,
        &cat(&[
            &publish(1, "ex", "rk"),
            &header(1, 7, 0xfff8, &props),
            &body(1, b"{\"a\":1}"),
        ]),
    );
    let ev = run(&c);
    assert_eq!(brief(&ev), vec![b("basic.publish", "OK")]);
    let a = &ev[0]["amqp"];
    assert_eq!(a["exchange"], "ex");
    assert_eq!(a["routing-key"], "rk");
    assert_eq!(a["mandatory"], false);
    assert_eq!(a["content-type"], "application/json");
    assert_eq!(a["content-encoding"], "");
    assert_eq!(a["headers"]["x-origin"], "test");
    assert_eq!(a["headers"]["n"], 7);
    assert_eq!(a["delivery-mode"], "persistent");
    assert_eq!(a["priority"], 9);
    assert_eq!(a["correlation-id"], "corr");
    assert_eq!(a["reply-to"], "replies");
    assert_eq!(a["expiration"], "5000");
    assert_eq!(a["message-id"], "msg-1");
    assert_eq!(a["timestamp"], "November 14 22:13:20 2023");
    assert_eq!(a["type"], "kind");
    assert_eq!(a["user-id"], "alice");
    assert_eq!(a["app-id"], "app");
    assert_eq!(ev[0]["user"]["id"], "alice");
    assert_eq!(ev[0]["request"], "{\"a\":1}");
    // Content messages count the body only.
    assert_eq!(ev[0]["source"]["bytes"], 7);
    assert!(ev[0]["event"].get("end").is_none());

    // parse_headers: false reads no property; the body is then shown as byte values.
    let ev = run_opts(&c, "{parse_headers: false}").events;
    assert!(ev[0]["amqp"].get("content-type").is_none());
    assert!(ev[0].get("user").is_none());
    assert_eq!(ev[0]["request"], "123 34 97 34 58 49 125");
}

#[test]
fn body_split_over_frames_and_segments() {
    let text: Vec<u8> = (0..3000).map(|i| b'a' + (i % 26) as u8).collect();
    let mut client = cat(&[&publish(2, "", "big"), &text_plain_header(2, 3000)]);
    for part in text.chunks(1000) {
        client.extend_from_slice(&body(2, part));
    }
    let mut server = method(
        2,
        60,
        60,
        &cat(&[&s("ctag"), &5u64.to_be_bytes(), &[1], &s(""), &s("big")]),
    );
    server.extend_from_slice(&text_plain_header(2, 3000));
    for part in text.chunks(700) {
        server.extend_from_slice(&body(2, part));
    }
    let c = conv()
        .message(Dir::ToServer, &client)
        .message(Dir::ToClient, &server);
    let whole = run(&c);
    assert_eq!(
        brief(&whole),
        vec![b("basic.publish", "OK"), b("basic.deliver", "OK")]
    );
    let expected = format!("{} [...]", String::from_utf8_lossy(&text[..1000]));
    assert_eq!(whole[0]["request"], expected.as_str());
    assert_eq!(whole[0]["source"]["bytes"], 3000);
    assert!(
        whole[0]["amqp"].get("exchange").is_none(),
        "default exchange omitted"
    );
    assert_eq!(whole[1]["response"], expected.as_str());
    assert_eq!(whole[1]["destination"]["bytes"], 3000);
    assert_eq!(whole[1]["amqp"]["delivery-tag"], 5);
    assert_eq!(whole[1]["amqp"]["redelivered"], true);
    assert_eq!(whole[1]["amqp"]["consumer-tag"], "ctag");
    for n in [1, 5, 64, 1500] {
        let cut = run_full(
            &c,
            Segmentation::Chunks(n),
            None,
            "",
            Duration::from_secs(10),
        );
        assert_eq!(cut.events, whole, "{n}-byte segments");
    }
    let short = run_opts(&c, "{max_body_length: 4}").events;
    assert_eq!(short[0]["request"], "abcd [...]");
    // A hole inside a body frame: the message is still published, with a note.
    let lossy = run_full(
        &c,
        Segmentation::Chunks(200),
        Some((Dir::ToServer, 1200, 100)),
        "",
        Duration::from_secs(10),
    );
    assert_eq!(brief(&lossy.events)[0], b("basic.publish", "OK"));
    assert_eq!(lossy.events[0]["error"]["message"], amqp::NOTE_BODY_LOSS);
}

#[test]
fn heartbeats_and_protocol_header_make_no_event() {
    let heartbeat = frame(8, 0, &[]);
    let c = conv()
        .message(Dir::ToServer, &cat(&[PROTOCOL_HEADER, &heartbeat]))
        .message(Dir::ToClient, &heartbeat)
        .message(
            Dir::ToServer,
            &cat(&[&heartbeat, &queue_declare(1, "q", 0), &heartbeat]),
        )
        .message(
            Dir::ToClient,
            &cat(&[&heartbeat, &queue_declare_ok(1, "q", 0, 0)]),
        );
    let r = run_opts(&c, "");
    assert_eq!(brief(&r.events), vec![b("queue.declare", "OK")]);
    assert_eq!(r.anomalies.iter().count(), 0, "{:?}", r.anomalies);
}

#[test]
fn a_wrong_frame_end_is_not_amqp() {
    let mut broken = queue_declare(1, "q", 0);
    if let Some(last) = broken.last_mut() {
        *last = 0x00;
    }
    let c = conv()
        .message(Dir::ToServer, &broken)
        .message(Dir::ToClient, &queue_declare_ok(1, "q", 0, 0))
        .message(Dir::ToServer, &queue_declare(1, "again", 0))
        .message(Dir::ToClient, &queue_declare_ok(1, "again", 0, 0));
    let r = run_opts(&c, "");
    assert_eq!(r.anomalies.get("amqp", "bad_frame_end"), 1);
    assert_eq!(r.anomalies.get("amqp", "unmatched_response"), 1);
    // Parsing resumes at the next segment.
    assert_eq!(brief(&r.events), vec![b("queue.declare", "OK")]);
    assert_eq!(r.events[0]["amqp"]["queue"], "again");
}

#[test]
fn unknown_class_or_method_is_skipped() {
    let c = conv()
        .message(
            Dir::ToServer,
            &cat(&[
                &method(1, 99, 1, b"whatever"),
                &method(1, 50, 99, &[]),
                &queue_declare(1, "q", 0),
            ]),
        )
        .message(Dir::ToClient, &queue_declare_ok(1, "q", 0, 0));
    let r = run_opts(&c, "");
    assert_eq!(r.anomalies.get("amqp", "unknown_method"), 2);
    assert_eq!(brief(&r.events), vec![b("queue.declare", "OK")]);
}

#[test]
fn garbage_on_the_port_gives_nothing() {
    let c = conv()
        .message(Dir::ToServer, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .message(Dir::ToClient, b"HTTP/1.1 400 Bad Request\r\n\r\n")
        .message(Dir::ToServer, &[0xff; 300]);
    for seg in [Segmentation::Whole, Segmentation::Chunks(1)] {
        let r = run_full(&c, seg, None, "", Duration::from_secs(10));
        assert!(r.events.is_empty());
        assert!(r.anomalies.get("amqp", "not_amqp") >= 2);
    }
}

#[test]
fn a_huge_declared_frame_is_skipped_by_counting() {
    // A method frame announcing 4 GB: nothing is buffered, its bytes are counted away.
    let mut client = vec![1, 0, 1, 0xff, 0xff, 0xff, 0xf0];
    client.extend_from_slice(&[0x41; 5000]);
    let c = conv()
        .message(Dir::ToServer, &client)
        .message(Dir::ToServer, &[0x42; 5000])
        // A header frame far over the cap on another connection direction: same.
        .message(Dir::ToClient, &[2, 0, 1, 0x7f, 0xff, 0xff, 0xff, 0, 0]);
    let r = run_full(
        &c,
        Segmentation::Chunks(1000),
        None,
        "",
        Duration::from_secs(10),
    );
    assert!(r.events.is_empty());
    assert_eq!(r.anomalies.get("amqp", "oversized_frame"), 2);
    assert_eq!(r.anomalies.get("amqp", "not_amqp"), 0);
}

// ---- closes and errors ----

#[test]
fn channel_close_404_from_the_broker() {
    let c = conv()
        .message(Dir::ToServer, &queue_declare(1, "missing", 0b0001))
        .message(
            Dir::ToClient,
            &close(
                1,
                20,
                404,
                "NOT_FOUND - no queue 'missing' in vhost '/'",
                (50, 10),
            ),
        )
        .message(Dir::ToServer, &method(1, 20, 41, &[]));
    let r = run_opts(&c, "");
    assert_eq!(brief(&r.events), vec![b("channel.close", "Error")]);
    let e = &r.events[0];
    assert_eq!(e["amqp"]["reply-code"], 404);
    assert_eq!(
        e["amqp"]["reply-text"],
        "NOT_FOUND - no queue 'missing' in vhost '/'"
    );
    assert_eq!(e["amqp"]["class-id"], 50);
    assert_eq!(e["amqp"]["method-id"], 10);
    assert_eq!(e["event"]["action"], "amqp.channel.close");
    // The broker sent the request: it is the source.
    assert_eq!(e["source"]["port"], PORT);
    assert_eq!(e["client"]["port"], PORT);
    assert!(e["error"].get("message").is_none());
    // The passive declare the close answered is dropped.
    assert_eq!(r.anomalies.get("amqp", "unmatched_request"), 1);
}

#[test]
fn connection_close_320_without_close_ok_is_published_at_the_timeout() {
    let c = conv()
        .message(Dir::ToServer, &queue_declare(0, "", 0))
        .message(
            Dir::ToClient,
            &close(
                0,
                10,
                320,
                "CONNECTION_FORCED - broker forced connection closure",
                (0, 0),
            ),
        )
        .message(Dir::ToClient, &frame(8, 0, &[]))
        .message(Dir::ToClient, &frame(8, 0, &[]));
    let r = run_full(
        &c,
        Segmentation::Whole,
        None,
        "",
        Duration::from_millis(1500),
    );
    assert_eq!(brief(&r.events), vec![b("connection.close", "Error")]);
    assert_eq!(r.events[0]["amqp"]["reply-code"], 320);
    assert_eq!(r.events[0]["error"]["message"], amqp::NOTE_CLOSE_OK_MISSING);
    assert!(r.events[0]["event"].get("end").is_none());
}

#[test]
fn normal_closes_are_hidden_unless_asked() {
    let c = conv()
        .message(Dir::ToServer, &close(1, 20, 200, "Normal shutdown", (0, 0)))
        .message(Dir::ToClient, &method(1, 20, 41, &[]))
        .message(Dir::ToServer, &close(0, 10, 200, "Normal shutdown", (0, 0)))
        .message(Dir::ToClient, &method(0, 10, 51, &[]));
    let r = run_opts(&c, "");
    assert!(r.events.is_empty());
    assert_eq!(r.anomalies.get("amqp", "unmatched_response"), 0);
    let shown = run_opts(&c, "{hide_connection_information: false}").events;
    assert_eq!(
        brief(&shown),
        vec![b("channel.close", "OK"), b("connection.close", "OK")]
    );
    assert_eq!(shown[0]["source"]["port"], 40000);
}

// ---- connection negotiation and credentials ----

fn negotiation() -> Conversation {
    let server_props = cat(&[&s("product"), b"S", &long(b"RabbitMQ")]);
    let start = method(
        0,
        10,
        10,
        &cat(&[
            &[0, 9],
            &long(&server_props),
            &long(b"PLAIN AMQPLAIN"),
            &long(b"en_US"),
        ]),
    );
    let client_props = cat(&[&s("product"), b"S", &long(b"pika")]);
    let start_ok = method(
        0,
        10,
        11,
        &cat(&[
            &long(&client_props),
            &s("PLAIN"),
            &long(b"\0alice\0s3cret-pw"),
            &s("en_US"),
        ]),
    );
    let tune = method(0, 10, 30, &[0x07, 0xff, 0, 2, 0, 0, 0, 60]);
    let tune_ok = method(0, 10, 31, &[0x07, 0xff, 0, 0, 0x10, 0, 0, 0]);
    let open = method(0, 10, 40, &cat(&[&s("/"), &s(""), &[0]]));
    let open_ok = method(0, 10, 41, &s(""));
    let channel_open = method(1, 20, 10, &s(""));
    let channel_open_ok = method(1, 20, 11, &long(b""));
    let qos = method(1, 60, 10, &[0, 0, 0, 0, 0, 10, 0]);
    let qos_ok = method(1, 60, 11, &[]);
    conv()
        .message(Dir::ToServer, PROTOCOL_HEADER)
        .message(Dir::ToClient, &start)
        .message(Dir::ToServer, &start_ok)
        .message(Dir::ToClient, &tune)
        .message(Dir::ToServer, &cat(&[&tune_ok, &open]))
        .message(Dir::ToClient, &open_ok)
        .message(Dir::ToServer, &channel_open)
        .message(Dir::ToClient, &channel_open_ok)
        .message(Dir::ToServer, &qos)
        .message(Dir::ToClient, &qos_ok)
}

#[test]
fn start_ok_credentials_never_appear() {
    let c = negotiation();
    let hidden = run_opts(&c, "");
    assert!(hidden.events.is_empty());
    assert_eq!(hidden.anomalies.iter().count(), 0, "{:?}", hidden.anomalies);
    let shown = run_opts(&c, "{hide_connection_information: false}").events;
    assert_eq!(
        brief(&shown),
        vec![
            b("connection.start", "OK"),
            b("connection.tune", "OK"),
            b("connection.open", "OK"),
            b("channel.open", "OK"),
            b("basic.qos", "OK"),
        ]
    );
    let start = &shown[0]["amqp"];
    assert_eq!(start["version-major"], 0);
    assert_eq!(start["version-minor"], 9);
    assert_eq!(start["mechanisms"], "PLAIN AMQPLAIN");
    assert_eq!(start["server-properties"]["product"], "RabbitMQ");
    assert_eq!(start["mechanism"], "PLAIN");
    assert_eq!(start["locale"], "en_US");
    assert_eq!(start["client-properties"]["product"], "pika");
    assert!(start.get("response").is_none());
    // connection.start comes from the broker.
    assert_eq!(shown[0]["source"]["port"], PORT);
    assert_eq!(shown[1]["amqp"]["frame-max"], 4096);
    assert_eq!(shown[2]["amqp"]["virtual-host"], "/");
    assert_eq!(shown[4]["amqp"]["prefetch-count"], 10);
    for e in &shown {
        let text = e.to_string();
        assert!(!text.contains("s3cret"), "credentials in {text}");
        assert!(
            !text.contains("alice"),
            "user name of the SASL response in {text}"
        );
    }
}

// ---- one-way methods, pairing, limits ----

#[test]
fn no_wait_and_acknowledgements_are_published_at_once() {
    let exchange_declare = method(
        1,
        40,
        10,
        &cat(&[&[0, 0], &s("logs"), &s(""), &[0b1_0010], &long(&[])]),
    );
    let ack = method(1, 60, 80, &cat(&[&7u64.to_be_bytes(), &[1]]));
    let nack = method(1, 60, 120, &cat(&[&8u64.to_be_bytes(), &[2]]));
    let reject = method(1, 60, 90, &cat(&[&9u64.to_be_bytes(), &[0]]));
    let c = conv().message(
        Dir::ToServer,
        &cat(&[&exchange_declare, &ack, &nack, &reject]),
    );
    let ev = run(&c);
    assert_eq!(
        brief(&ev),
        vec![
            b("exchange.declare", "OK"),
            b("basic.ack", "OK"),
            b("basic.nack", "OK"),
            b("basic.reject", "Error"),
        ]
    );
    assert_eq!(ev[0]["amqp"]["exchange-type"], "direct");
    assert_eq!(ev[0]["amqp"]["no-wait"], true);
    assert_eq!(ev[0]["response"], "");
    assert_eq!(ev[1]["amqp"]["delivery-tag"], 7);
    assert_eq!(ev[1]["amqp"]["multiple"], true);
    assert_eq!(ev[2]["amqp"]["requeue"], true);
    assert_eq!(ev[3]["request"], "basic.reject 9");
}

#[test]
fn get_get_empty_and_a_second_request_on_a_channel() {
    let get = |q: &str| method(1, 60, 70, &cat(&[&[0, 0], &s(q), &[0]]));
    let get_ok = method(
        1,
        60,
        71,
        &cat(&[
            &1u64.to_be_bytes(),
            &[0],
            &s(""),
            &s("q"),
            &0u32.to_be_bytes(),
        ]),
    );
    let c = conv()
        .message(Dir::ToServer, &get("q"))
        .message(
            Dir::ToClient,
            &cat(&[&get_ok, &text_plain_header(1, 2), &body(1, b"hi")]),
        )
        .message(Dir::ToServer, &get("q"))
        .message(Dir::ToClient, &method(1, 60, 72, &s("")))
        // Two requests on one channel before any reply: the first is dropped.
        .message(
            Dir::ToServer,
            &cat(&[&queue_declare(1, "a", 0), &queue_declare(1, "b", 0)]),
        )
        .message(Dir::ToClient, &queue_declare_ok(1, "b", 0, 0));
    let r = run_opts(&c, "");
    assert_eq!(
        brief(&r.events),
        vec![
            b("basic.get", "OK"),
            b("basic.get-empty", "OK"),
            b("queue.declare", "OK")
        ]
    );
    assert_eq!(r.events[0]["response"], "hi");
    assert_eq!(r.events[0]["request"], "basic.get q");
    assert_eq!(r.events[0]["amqp"]["queue"], "q");
    assert_eq!(r.events[0]["amqp"]["delivery-tag"], 1);
    assert_eq!(r.events[1]["request"], "basic.get q");
    assert_eq!(r.events[2]["amqp"]["queue"], "b");
    assert_eq!(r.anomalies.get("amqp", "unmatched_request"), 1);
}

#[test]
fn pending_requests_are_capped_per_connection() {
    let mut client = Vec::new();
    for channel in 1..=1100u16 {
        client.extend_from_slice(&queue_declare(channel, "q", 0));
    }
    let c = conv()
        .message(Dir::ToServer, &client)
        .message(Dir::ToClient, &queue_declare_ok(1100, "q", 0, 0));
    let r = run_opts(&c, "");
    assert_eq!(brief(&r.events), vec![b("queue.declare", "OK")]);
    let over = 1100 - amqp::MAX_PENDING as u64;
    assert_eq!(r.anomalies.get("amqp", "too_many_pending_requests"), over);
    // The rest were never answered: dropped at the end, counted.
    assert_eq!(
        r.anomalies.get("amqp", "unmatched_request"),
        amqp::MAX_PENDING as u64 - 1
    );
}

#[test]
fn arguments_and_their_option() {
    let args = cat(&[
        &s("x-message-ttl"),
        b"I",
        &[0, 0, 0x75, 0x30],
        &s("x-ha"),
        b"F",
        &long(&cat(&[&s("on"), b"t", &[1]])),
    ]);
    let declare = method(1, 50, 10, &cat(&[&[0, 0], &s("q"), &[0], &long(&args)]));
    let bad = method(
        1,
        50,
        20,
        &cat(&[
            &[0, 0],
            &s("q"),
            &s("ex"),
            &s("rk"),
            &[0],
            &[0, 0, 0, 3, 1, b'a', b'?'],
        ]),
    );
    let c = conv()
        .message(Dir::ToServer, &declare)
        .message(Dir::ToClient, &queue_declare_ok(1, "q", 0, 0))
        .message(Dir::ToServer, &bad)
        .message(Dir::ToClient, &method(1, 50, 21, &[]));
    let ev = run(&c);
    assert_eq!(ev[0]["amqp"]["arguments"]["x-message-ttl"], 30000);
    assert_eq!(ev[0]["amqp"]["arguments"]["x-ha"]["on"], true);
    assert_eq!(ev[1]["method"], "queue.bind");
    assert_eq!(ev[1]["request"], "queue.bind q ex");
    assert_eq!(
        ev[1]["error"]["message"],
        "Failed to parse additional arguments"
    );
    let off = run_opts(&c, "{parse_arguments: false}").events;
    assert!(off[0]["amqp"].get("arguments").is_none());
    assert!(off[1].get("error").is_none());
}

#[test]
fn returned_messages_are_errors() {
    let ret = method(
        1,
        60,
        50,
        &cat(&[
            &312u16.to_be_bytes(),
            &s("NO_ROUTE"),
            &s("ex"),
            &s("nowhere"),
        ]),
    );
    let c = conv().message(
        Dir::ToClient,
        &cat(&[
            &ret,
            &header(1, 3, 0x8000, &s("application/octet-stream")),
            &body(1, &[1, 2, 3]),
        ]),
    );
    let ev = run(&c);
    assert_eq!(brief(&ev), vec![b("basic.return", "Error")]);
    assert_eq!(ev[0]["amqp"]["reply-code"], 312);
    assert_eq!(ev[0]["response"], "1 2 3");
    assert_eq!(ev[0]["request"], "");
    assert_eq!(ev[0]["destination"]["bytes"], 3);
}

#[test]
fn bad_options_are_refused() {
    let mut cfg = test_protocol_config(amqp::NAME);
    cfg.options = serde_yaml_ng::from_str("{parse_header: true}").unwrap_or_default();
    let err = amqp::Amqp::build(&cfg)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("parse_headers"), "{err}");
    cfg.options = serde_yaml_ng::from_str("{max_body_length: -1}").unwrap_or_default();
    assert!(amqp::Amqp::build(&cfg).is_err());
}
