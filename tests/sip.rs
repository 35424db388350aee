//! The `sip` analyzer on hand-made messages: every request method, responses 1xx–6xx, compact
//! headers, folding, SDP with several media, Authorization with `parse_authorization` on and
//! off, `parse_body` off, TCP framing (two messages in one segment, one message over many,
//! keep-alive CRLFs), garbage, truncated messages, lost segments, huge header blocks and
//! bodies larger than `max_message_size`.

use serde_json::{json, Value};
use wb_proto::{AnomalyCounts, Dir, TransportKind};
use wb_testkit::suite::{protocol_config_with, test_protocol_config, PORT};
use wb_testkit::{run_frames_counting, Conversation, Segmentation};

/// Events and anomaly counters of `conv` with sip options as YAML flow-map text.
fn run_full(
    conv: &Conversation,
    options: &str,
    seg: Segmentation,
    hole: Option<(Dir, usize, usize)>,
) -> (Vec<Value>, AnomalyCounts) {
    let cfg = protocol_config_with("sip", options);
    let protocol = wb_proto::sip::Sip::build(&cfg).unwrap_or_else(|e| panic!("{e}"));
    let (events, anomalies) = run_frames_counting(vec![protocol], &conv.frames(seg, hole));
    let sip = events.into_iter().filter(|e| e["type"] == "sip").collect();
    (sip, anomalies)
}

fn udp(messages: &[(Dir, Vec<u8>)], options: &str) -> (Vec<Value>, AnomalyCounts) {
    let conv = messages
        .iter()
        .fold(Conversation::over(TransportKind::Udp, PORT), |c, (d, m)| {
            c.message(*d, m)
        });
    run_full(&conv, options, Segmentation::Whole, None)
}

fn tcp_conv(messages: &[(Dir, Vec<u8>)]) -> Conversation {
    messages
        .iter()
        .fold(Conversation::over(TransportKind::Tcp, PORT), |c, (d, m)| {
            c.message(*d, m)
        })
}

const TCP: &str = "{transport_protocol: tcp}";

/// A message: start line, header lines, then `Content-Length` (unless one is given) and the
/// body.
fn msg(start: &str, headers: &[&str], body: &str) -> Vec<u8> {
    let mut m = format!("{start}\r\n");
    for h in headers {
        m.push_str(h);
        m.push_str("\r\n");
    }
    if !headers
        .iter()
        .any(|h| h.to_ascii_lowercase().starts_with("content-length") || h.starts_with("l:"))
    {
        m.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    m.push_str("\r\n");
    m.push_str(body);
    m.into_bytes()
}

/// The usual dialog headers with CSeq `cseq`.
fn dialog(cseq: &str) -> Vec<String> {
    vec![
        "Via: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK-x".into(),
        "From: \"Alice\" <sip:alice@a.test>;tag=1".into(),
        "To: <sip:bob@b.test:5070>".into(),
        "Call-ID: c1@a.test".into(),
        format!("CSeq: {cseq}"),
    ]
}

fn request(method: &str, body: &str) -> Vec<u8> {
    let headers = dialog(&format!("7 {method}"));
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    msg(&format!("{method} sip:bob@b.test SIP/2.0"), &refs, body)
}

fn response(code: u16, reason: &str, method: &str) -> Vec<u8> {
    let headers = dialog(&format!("7 {method}"));
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    msg(&format!("SIP/2.0 {code} {reason}"), &refs, "")
}

fn notes(e: &Value) -> String {
    match &e["error"]["message"] {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

const SDP: &str = "v=0\r\n\
o=alice 2890844526 2890844527 IN IP4 192.0.2.10\r\n\
s=Talk\r\n\
c=IN IP4 192.0.2.10\r\n\
t=0 0\r\n\
m=audio 49170 RTP/AVP 0 8\r\n\
c=IN IP4 198.51.100.1\r\n\
a=rtpmap:0 PCMU/8000\r\n\
m=video 51372 RTP/AVP 31\r\n\
c=IN IP4 198.51.100.2\r\n\
a=rtpmap:31 H261/90000\r\n";

#[test]
fn every_request_method_is_one_event() {
    let methods = [
        "INVITE",
        "ACK",
        "BYE",
        "CANCEL",
        "REGISTER",
        "OPTIONS",
        "PRACK",
        "SUBSCRIBE",
        "NOTIFY",
        "PUBLISH",
        "INFO",
        "REFER",
        "MESSAGE",
        "UPDATE",
    ];
    let messages: Vec<(Dir, Vec<u8>)> = methods
        .iter()
        .map(|m| (Dir::ToServer, request(m, "")))
        .collect();
    let (ev, anomalies) = udp(&messages, "");
    assert_eq!(ev.len(), methods.len());
    assert_eq!(anomalies.iter().count(), 0, "{anomalies:?}");
    for (e, m) in ev.iter().zip(methods) {
        assert_eq!(e["sip"]["method"], m);
        assert_eq!(e["sip"]["type"], "request");
        assert_eq!(e["event"]["action"], format!("sip-{}", m.to_lowercase()));
        assert_eq!(e["sip"]["cseq"]["method"], m);
        assert_eq!(e["event"]["sequence"], 7);
        assert_eq!(e["status"], "OK");
        assert!(e["event"].get("outcome").is_none(), "{e}");
        assert!(e["event"].get("reason").is_none());
        assert_eq!(e["sip"]["uri"]["original"], "sip:bob@b.test");
        assert_eq!(e["sip"]["uri"]["username"], "bob");
        assert_eq!(e["sip"]["to"]["uri"]["port"], 5070);
        assert_eq!(e["sip"]["from"]["display_info"], "Alice");
        assert_eq!(e["sip"]["from"]["tag"], "1");
        assert_eq!(e["related"]["user"], json!(["bob", "alice"]));
        assert_eq!(e["related"]["hosts"], json!(["b.test", "a.test"]));
        assert_eq!(e["source"]["ip"], "127.0.0.1");
        assert_eq!(e["network"]["iana_number"], "17");
        assert_eq!(e["network"]["application"], "sip");
    }
}

#[test]
fn responses_from_1xx_to_6xx() {
    // (code, reason, status, outcome)
    let cases = [
        (100, "Trying", "OK", None),
        (180, "Ringing", "OK", None),
        (200, "OK", "OK", Some("success")),
        (202, "Accepted", "OK", Some("success")),
        (302, "Moved Temporarily", "OK", Some("failure")),
        (404, "Not Found", "Error", Some("failure")),
        (486, "Busy Here", "Error", Some("failure")),
        (503, "Service Unavailable", "Error", Some("failure")),
        (603, "Decline", "Error", Some("failure")),
    ];
    let messages: Vec<(Dir, Vec<u8>)> = cases
        .iter()
        .map(|(c, r, _, _)| (Dir::ToClient, response(*c, r, "invite")))
        .collect();
    let (ev, _) = udp(&messages, "");
    assert_eq!(ev.len(), cases.len());
    for (e, (code, reason, status, outcome)) in ev.iter().zip(cases) {
        assert_eq!(e["sip"]["code"], code);
        assert_eq!(e["sip"]["status"], reason);
        assert_eq!(e["event"]["reason"], reason);
        assert_eq!(e["status"], status, "{code}");
        assert_eq!(e["event"]["outcome"].as_str(), outcome, "{code}");
        // The action comes from the CSeq method, upper-cased in sip.cseq.method.
        assert_eq!(e["event"]["action"], "sip-invite");
        assert_eq!(e["sip"]["cseq"]["method"], "INVITE");
        // The responder sent it: it is the source and the client.
        assert_eq!(e["source"]["ip"], "127.0.0.2");
        assert_eq!(e["client"]["port"], PORT);
        assert!(e["sip"].get("method").is_none());
    }
}

#[test]
fn compact_headers_and_folding() {
    let m = msg(
        "MESSAGE sip:bob@b.test SIP/2.0",
        &[
            "v: SIP/2.0/UDP h1;branch=z9hG4bK-1",
            "v: SIP/2.0/UDP h1;branch=z9hG4bK-1",
            "Via: SIP/2.0/UDP h2;branch=z9hG4bK-2",
            "f: <sip:alice@a.test>",
            "  ;tag=folded",
            "t: Bob",
            "\t<sip:bob@b.test>",
            "i: compact@a.test",
            "CSeq: 3 MESSAGE",
            "m: <sip:alice@10.0.0.1>",
            "k: 100rel, Timer",
            "Allow: INVITE,\r\n  ACK , bye",
            "User-Agent: Test UA",
            "  2.0",
            "c: Text/Plain",
            "l: 5",
        ],
        "hello",
    );
    let (ev, _) = udp(&[(Dir::ToServer, m)], "");
    let e = &ev[0];
    // Repeated Via values are written once.
    assert_eq!(
        e["sip"]["via"]["original"],
        json!([
            "SIP/2.0/UDP h1;branch=z9hG4bK-1",
            "SIP/2.0/UDP h2;branch=z9hG4bK-2"
        ])
    );
    assert_eq!(e["sip"]["from"]["tag"], "folded");
    assert_eq!(e["sip"]["to"]["display_info"], "Bob");
    assert_eq!(e["sip"]["to"]["uri"]["original"], "sip:bob@b.test");
    assert_eq!(e["sip"]["call_id"], "compact@a.test");
    assert_eq!(e["sip"]["supported"], json!(["100rel", "timer"]));
    assert_eq!(e["sip"]["allow"], json!(["invite", "ack", "bye"]));
    assert_eq!(e["sip"]["user_agent"]["original"], "Test UA 2.0");
    assert_eq!(e["sip"]["content_type"], "text/plain");
    assert_eq!(e["sip"]["content_length"], 5);
    // A Contact header is present: Packetbeat's sip.contact.* come from the To value.
    assert_eq!(e["sip"]["contact"]["display_info"], "Bob");
    assert_eq!(e["sip"]["contact"]["uri"]["original"], "sip:bob@b.test");
    assert!(e["sip"].get("sdp").is_none(), "not SDP");
    assert!(e["event"]["original"]
        .as_str()
        .unwrap()
        .ends_with("\r\n\r\nhello"));
}

#[test]
fn sdp_with_several_media() {
    let mut headers = dialog("1 INVITE");
    headers.push("Content-Type: application/sdp".into());
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let m = msg("INVITE sip:bob@b.test SIP/2.0", &refs, SDP);
    let (ev, _) = udp(&[(Dir::ToServer, m.clone())], "");
    let sdp = &ev[0]["sip"]["sdp"];
    assert_eq!(sdp["version"], "0");
    assert_eq!(sdp["owner"]["username"], "alice");
    assert_eq!(sdp["owner"]["session_id"], "2890844526");
    assert_eq!(sdp["owner"]["version"], "2890844527");
    assert_eq!(sdp["owner"]["ip"], "192.0.2.10");
    assert_eq!(sdp["session"]["name"], "Talk");
    // Media-level c= lines do not replace the session-level one.
    assert_eq!(sdp["connection"]["info"], "IN IP4 192.0.2.10");
    assert_eq!(sdp["connection"]["address"], "192.0.2.10");
    assert_eq!(sdp["body"]["original"], SDP);
    assert_eq!(ev[0]["related"]["user"], json!(["bob", "alice"]));
    assert_eq!(
        ev[0]["related"]["hosts"],
        json!(["b.test", "a.test", "192.0.2.10"])
    );
    assert_eq!(
        ev[0]["related"]["ip"],
        json!(["127.0.0.1", "127.0.0.2", "192.0.2.10"])
    );

    // parse_body off: no sdp fields; the message is otherwise the same.
    let (off, _) = udp(&[(Dir::ToServer, m)], "{parse_body: false}");
    assert!(off[0]["sip"].get("sdp").is_none());
    assert_eq!(off[0]["sip"]["content_type"], "application/sdp");
    assert_eq!(off[0]["related"]["ip"], json!(["127.0.0.1", "127.0.0.2"]));

    // Content-Encoding, or no Content-Length over UDP: the body is not read as SDP.
    let mut headers = dialog("1 INVITE");
    headers.push("c: application/sdp".into());
    headers.push("e: gzip".into());
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let (ev, _) = udp(
        &[(Dir::ToServer, msg("INVITE sip:b@b SIP/2.0", &refs, SDP))],
        "",
    );
    assert!(ev[0]["sip"].get("sdp").is_none());
    let no_length = format!(
        "INVITE sip:b@b SIP/2.0\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n\r\n{SDP}"
    );
    let (ev, _) = udp(&[(Dir::ToServer, no_length.into_bytes())], "");
    assert!(ev[0]["sip"].get("sdp").is_none());
    assert!(ev[0]["event"]["original"]
        .as_str()
        .unwrap()
        .ends_with("H261/90000\r\n"));
}

#[test]
fn authorization_on_off_and_masked() {
    let mut headers = dialog("2 REGISTER");
    headers.push(
        "Authorization: Digest username=\"alice\", realm=\"a.test\", nonce=\"n0nce\", \
uri=\"sip:registrar.a.test:5060\", response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5"
            .into(),
    );
    headers.push("Proxy-Authorization: Digest username=\"alice\",".into());
    headers.push("  response=0123456789abcdef0123456789abcdef".into());
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let m = msg(
        "REGISTER sip:alice:pa55w0rd@registrar.a.test SIP/2.0",
        &refs,
        "",
    );
    let (ev, _) = udp(&[(Dir::ToServer, m.clone())], "");
    let e = &ev[0];
    assert_eq!(e["event"]["category"], json!(["network", "authentication"]));
    assert_eq!(e["sip"]["auth"]["scheme"], "Digest");
    assert_eq!(e["sip"]["auth"]["realm"], "a.test");
    assert_eq!(
        e["sip"]["auth"]["uri"]["original"],
        "sip:registrar.a.test:5060"
    );
    assert_eq!(e["sip"]["auth"]["uri"]["scheme"], "sip");
    assert_eq!(e["sip"]["auth"]["uri"]["host"], "registrar.a.test");
    assert_eq!(e["sip"]["auth"]["uri"]["port"], 5060);
    assert_eq!(e["user"]["name"], "alice");
    assert_eq!(e["sip"]["uri"]["username"], "alice");
    // Neither digest response nor the Request-URI's password reaches any field.
    let text = e.to_string();
    for secret in [
        "6629fae49393a05397450978507c4ef1",
        "0123456789abcdef0123456789abcdef",
        "pa55w0rd",
    ] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert_eq!(
        e["sip"]["uri"]["original"],
        "sip:alice:(redacted)@registrar.a.test"
    );
    let original = e["event"]["original"].as_str().unwrap();
    assert!(
        original.contains("response=\"(redacted)\", algorithm=MD5"),
        "{original}"
    );
    assert!(
        original.contains("\r\n  response=(redacted)\r\n"),
        "{original}"
    );

    let (off, _) = udp(&[(Dir::ToServer, m)], "{parse_authorization: false}");
    assert!(off[0]["sip"].get("auth").is_none());
    assert!(off[0].get("user").is_none());
    assert_eq!(off[0]["related"]["user"], json!(["alice", "bob"]));
    assert_eq!(
        off[0]["event"]["category"],
        json!(["network", "authentication"])
    );
    assert!(!off[0]
        .to_string()
        .contains("6629fae49393a05397450978507c4ef1"));
}

#[test]
fn tcp_two_messages_in_one_segment_and_one_over_many() {
    let mut headers = dialog("1 INVITE");
    headers.push("Content-Type: application/sdp".into());
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let invite = msg("INVITE sip:bob@b.test SIP/2.0", &refs, SDP);
    let mut two = response(100, "Trying", "INVITE");
    two.extend_from_slice(b"\r\n\r\n"); // a keep-alive between them
    two.extend_from_slice(&response(180, "Ringing", "INVITE"));
    let mut client = b"\r\n\r\n".to_vec(); // keep-alive ping before the first message
    client.extend_from_slice(&invite);
    let conv = tcp_conv(&[
        (Dir::ToServer, client),
        (Dir::ToClient, two),
        (Dir::ToClient, b"\r\n".to_vec()), // pong
        (Dir::ToServer, request("BYE", "")),
    ]);
    let (whole, anomalies) = run_full(&conv, TCP, Segmentation::Whole, None);
    assert_eq!(anomalies.iter().count(), 0, "{anomalies:?}");
    let actions: Vec<String> = whole
        .iter()
        .map(|e| format!("{} {}", e["event"]["action"], e["sip"]["code"]))
        .collect();
    assert_eq!(
        actions,
        [
            "\"sip-invite\" null",
            "\"sip-invite\" 100",
            "\"sip-invite\" 180",
            "\"sip-bye\" null"
        ]
    );
    assert_eq!(whole[0]["sip"]["sdp"]["owner"]["username"], "alice");
    assert_eq!(
        whole[0]["event"]["original"].as_str().unwrap().as_bytes(),
        &invite[..]
    );
    assert_eq!(whole[0]["network"]["transport"], "tcp");
    assert_eq!(whole[0]["network"]["iana_number"], "17");
    for size in [1, 2, 3, 7, 64, 500] {
        let (got, _) = run_full(&conv, TCP, Segmentation::Chunks(size), None);
        assert_eq!(got, whole, "segments of {size} bytes");
    }
    // The same conversation is not analysed over TCP with the default transport.
    assert!(run_full(&conv, "{}", Segmentation::Whole, None)
        .0
        .is_empty());
}

#[test]
fn keepalives_over_udp_are_not_messages() {
    let (ev, anomalies) = udp(
        &[
            (Dir::ToServer, b"\r\n\r\n".to_vec()),
            (Dir::ToClient, b"\r\n".to_vec()),
            (Dir::ToServer, request("OPTIONS", "")),
        ],
        "",
    );
    assert_eq!(ev.len(), 1);
    assert_eq!(anomalies.iter().count(), 0, "{anomalies:?}");
}

#[test]
fn garbage_is_skipped() {
    // UDP: a datagram that is not SIP gives nothing.
    let (ev, anomalies) = udp(
        &[
            (Dir::ToServer, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
            (Dir::ToServer, vec![0u8, 1, 2, 3, 0xff]),
            (Dir::ToServer, request("OPTIONS", "")),
        ],
        "",
    );
    assert_eq!(ev.len(), 1);
    assert_eq!(anomalies.get("sip", "not_sip"), 2);
    // TCP: garbage lines before a message, and binary junk between two messages.
    let mut stream = b"hello there\r\nnot sip either\r\n".to_vec();
    stream.extend_from_slice(&request("INVITE", ""));
    stream.extend_from_slice(&[0x16, 0x03, 0x01, 0x00, 0x05, b'\n']);
    stream.extend_from_slice(&request("BYE", ""));
    let conv = tcp_conv(&[(Dir::ToServer, stream)]);
    for seg in [Segmentation::Whole, Segmentation::Chunks(5)] {
        let (ev, anomalies) = run_full(&conv, TCP, seg, None);
        let methods: Vec<&Value> = ev.iter().map(|e| &e["sip"]["method"]).collect();
        assert_eq!(methods, [&json!("INVITE"), &json!("BYE")], "{seg:?}");
        assert!(anomalies.get("sip", "not_sip") >= 2, "{anomalies:?}");
    }
}

#[test]
fn truncated_messages() {
    // UDP, body shorter than Content-Length: published with what arrived, and a note.
    let mut short = request("MESSAGE", "0123456789");
    short.truncate(short.len() - 4);
    // UDP, the header block never ends: counted, not published.
    let cut = b"INVITE sip:bob@b.test SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nCSeq: 1 INV".to_vec();
    let (ev, anomalies) = udp(&[(Dir::ToServer, short), (Dir::ToServer, cut)], "");
    assert_eq!(ev.len(), 1);
    assert_eq!(notes(&ev[0]), wb_proto::sip::NOTE_TRUNCATED_BODY);
    assert_eq!(ev[0]["sip"]["content_length"], 10);
    assert!(ev[0]["event"]["original"]
        .as_str()
        .unwrap()
        .ends_with("\r\n\r\n012345"));
    assert_eq!(anomalies.get("sip", "truncated_body"), 1);
    assert_eq!(anomalies.get("sip", "truncated_message"), 1);
    // TCP, the stream ends inside a body: counted, not published.
    let mut stream = request("OPTIONS", "");
    let mut partial = request("MESSAGE", "0123456789");
    partial.truncate(partial.len() - 3);
    stream.extend_from_slice(&partial);
    let (ev, anomalies) = run_full(
        &tcp_conv(&[(Dir::ToServer, stream)]),
        TCP,
        Segmentation::Whole,
        None,
    );
    assert_eq!(ev.len(), 1);
    assert_eq!(anomalies.get("sip", "truncated_message"), 1);
}

#[test]
fn lost_segments_lose_only_their_messages() {
    let first = request("INVITE", "");
    let second = request("BYE", "");
    let mut stream = first.clone();
    stream.extend_from_slice(&second);
    let conv = tcp_conv(&[(Dir::ToServer, stream.clone())]);
    // A hole in the first message's headers: it is lost, the next one is found again.
    let (ev, anomalies) = run_full(
        &conv,
        TCP,
        Segmentation::Chunks(16),
        Some((Dir::ToServer, 40, 5)),
    );
    let methods: Vec<&Value> = ev.iter().map(|e| &e["sip"]["method"]).collect();
    assert_eq!(methods, [&json!("BYE")]);
    assert_eq!(anomalies.get("sip", "gap"), 1);
    // A hole at every offset never panics and never yields a malformed event.
    for offset in 0..stream.len() {
        let (ev, _) = run_full(
            &conv,
            TCP,
            Segmentation::Chunks(16),
            Some((Dir::ToServer, offset, 3)),
        );
        assert!(ev.len() <= 2);
        for e in &ev {
            assert!(
                e["sip"]["method"] == "INVITE" || e["sip"]["method"] == "BYE",
                "{e}"
            );
        }
    }
}

#[test]
fn huge_header_blocks_are_dropped_and_counted() {
    let mut headers: Vec<String> = dialog("1 OPTIONS");
    for i in 0..400 {
        headers.push(format!("X-Pad-{i}: {}", "p".repeat(40)));
    }
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let huge = msg("OPTIONS sip:bob@b.test SIP/2.0", &refs, "");
    assert!(huge.len() > 16 * 1024);
    let mut stream = huge.clone();
    stream.extend_from_slice(&request("BYE", ""));
    let conv = tcp_conv(&[(Dir::ToServer, stream)]);
    let (ev, anomalies) = run_full(
        &conv,
        "{transport_protocol: tcp, max_message_size: 8192}",
        Segmentation::Chunks(1460),
        None,
    );
    let methods: Vec<&Value> = ev.iter().map(|e| &e["sip"]["method"]).collect();
    assert_eq!(methods, [&json!("BYE")], "{anomalies:?}");
    // Over UDP the datagram is read whole, keeping the first MAX_HEADERS header lines.
    let (ev, anomalies) = udp(&[(Dir::ToServer, huge)], "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["sip"]["call_id"], "c1@a.test");
    assert_eq!(anomalies.get("sip", "too_many_headers"), 1);
}

#[test]
fn bodies_beyond_max_message_size_are_passed_over() {
    let body = "b".repeat(20_000);
    let big = request("MESSAGE", &body);
    let mut stream = big.clone();
    stream.extend_from_slice(&request("BYE", ""));
    let conv = tcp_conv(&[(Dir::ToServer, stream)]);
    let options = "{transport_protocol: tcp, max_message_size: 4096}";
    let (ev, anomalies) = run_full(&conv, options, Segmentation::Chunks(1000), None);
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert_eq!(ev[0]["sip"]["content_length"], 20_000);
    assert_eq!(notes(&ev[0]), wb_proto::sip::NOTE_BODY_TOO_LARGE);
    assert!(ev[0]["event"]["original"]
        .as_str()
        .unwrap()
        .ends_with("\r\n\r\n"));
    assert_eq!(ev[1]["sip"]["method"], "BYE");
    assert_eq!(anomalies.get("sip", "body_too_large"), 1);
    // A hole inside the skipped body changes nothing.
    let (mut with_hole, _) = run_full(
        &conv,
        options,
        Segmentation::Chunks(1000),
        Some((Dir::ToServer, 5000, 700)),
    );
    // (The message after the hole is delivered when the hole is known to be lost, later.)
    with_hole[1]["@timestamp"] = ev[1]["@timestamp"].clone();
    with_hole[1]["event"] = ev[1]["event"].clone();
    assert_eq!(with_hole, ev);
    // An endless body (Content-Length far beyond what is sent) is passed over, never
    // buffered.
    let endless = msg(
        "MESSAGE sip:b@b SIP/2.0",
        &["CSeq: 1 MESSAGE", "Content-Length: 4000000000"],
        &body,
    );
    let (ev, _) = run_full(
        &tcp_conv(&[(Dir::ToServer, endless)]),
        options,
        Segmentation::Chunks(1000),
        None,
    );
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["sip"]["content_length"], 4_000_000_000u64);
}

#[test]
fn options_are_checked() {
    let mut cfg = test_protocol_config("sip");
    cfg.options = serde_yaml_ng::from_str("{transport_protocol: sctp}").unwrap();
    let err = wb_proto::sip::Sip::build(&cfg).err().map(|e| e.to_string());
    assert!(err.is_some_and(|e| e.contains("transport_protocol")));
    cfg.options = serde_yaml_ng::from_str("{parse_body: 3}").unwrap();
    assert!(wb_proto::sip::Sip::build(&cfg).is_err());
    cfg.options = serde_yaml_ng::from_str("{parse_autorization: true}").unwrap();
    let err = wb_proto::sip::Sip::build(&cfg).err().map(|e| e.to_string());
    assert!(err.is_some_and(|e| e.contains("parse_authorization")));
}
