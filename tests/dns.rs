//! DNS edge cases on hand-made messages: TCP framing (several messages per segment, one
//! message over many segments, gaps), multi-message zone transfers, id reuse, orphans,
//! hostile names, EDNS notes and record types beyond Packetbeat's.

use serde_json::Value;
use wb_proto::{dns, Dir, TransportKind};
use wb_testkit::suite::{protocol_config_with, test_protocol_config, PORT};
use wb_testkit::{run_frames, Conversation, Segmentation};

/// Name in wire form.
fn wire_name(name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for label in name.split('.').filter(|l| !l.is_empty()) {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    out
}

/// A message: header flags, one question, answers as (type, rdata) owned by the question name
/// (compression pointer to offset 12), and optionally an OPT record.
fn message(
    id: u16,
    flags: u16,
    name: &str,
    qtype: u16,
    answers: &[(u16, Vec<u8>)],
    opt: bool,
) -> Vec<u8> {
    let mut m = Vec::new();
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&flags.to_be_bytes());
    m.extend_from_slice(&1u16.to_be_bytes());
    m.extend_from_slice(&(answers.len() as u16).to_be_bytes());
    m.extend_from_slice(&0u16.to_be_bytes());
    m.extend_from_slice(&u16::from(opt).to_be_bytes());
    m.extend_from_slice(&wire_name(name));
    m.extend_from_slice(&qtype.to_be_bytes());
    m.extend_from_slice(&1u16.to_be_bytes());
    for (rtype, rdata) in answers {
        m.extend_from_slice(&[0xc0, 12]);
        m.extend_from_slice(&rtype.to_be_bytes());
        m.extend_from_slice(&[0, 1, 0, 0, 0x0e, 0x10]);
        m.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        m.extend_from_slice(rdata);
    }
    if opt {
        m.extend_from_slice(&[0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0]);
    }
    m
}

fn query(id: u16, name: &str, qtype: u16) -> Vec<u8> {
    message(id, 0x0100, name, qtype, &[], false)
}

fn answer(id: u16, name: &str, qtype: u16, answers: &[(u16, Vec<u8>)]) -> Vec<u8> {
    message(id, 0x8180, name, qtype, answers, false)
}

fn soa() -> (u16, Vec<u8>) {
    let mut rd = wire_name("ns.z.test");
    rd.extend_from_slice(&wire_name("admin.z.test"));
    for n in [1u32, 3600, 600, 86400, 60] {
        rd.extend_from_slice(&n.to_be_bytes());
    }
    (6, rd)
}

/// TCP framing: a 2-byte length before each message.
fn framed(messages: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in messages {
        out.extend_from_slice(&(m.len() as u16).to_be_bytes());
        out.extend_from_slice(m);
    }
    out
}

fn run(
    conv: &Conversation,
    seg: Segmentation,
    hole: Option<(Dir, usize, usize)>,
    options: &str,
) -> Vec<Value> {
    let mut cfg = protocol_config_with(dns::NAME, options);
    cfg.send_request = false;
    cfg.send_response = false;
    let protocol = dns::Dns::build(&cfg).unwrap_or_else(|e| panic!("{e}"));
    run_frames(vec![protocol], &conv.frames(seg, hole))
}

fn notes(e: &Value) -> String {
    match &e["error"]["message"] {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn tcp_several_messages_per_segment_and_one_message_over_many() {
    let a = (1u16, vec![10, 0, 0, 1]);
    let conv = Conversation::new(PORT)
        .message(
            Dir::ToServer,
            &framed(&[query(1, "a.test", 1), query(2, "b.test", 1)]),
        )
        .message(
            Dir::ToClient,
            &framed(&[
                answer(1, "a.test", 1, std::slice::from_ref(&a)),
                answer(2, "b.test", 1, &[a]),
            ]),
        );
    let whole = run(&conv, Segmentation::Whole, None, "");
    assert_eq!(whole.len(), 2, "{whole:?}");
    assert_eq!(whole[0]["resource"], "a.test");
    assert_eq!(whole[1]["resource"], "b.test");
    for e in &whole {
        assert_eq!(e["status"], "OK");
        assert_eq!(e["network"]["transport"], "tcp");
        assert_eq!(e["dns"]["resolved_ip"][0], "10.0.0.1");
    }
    // Byte counts include the length prefix.
    assert_eq!(whole[0]["source"]["bytes"], query(1, "a.test", 1).len() + 2);
    for size in [1, 2, 3, 13] {
        assert_eq!(
            run(&conv, Segmentation::Chunks(size), None, ""),
            whole,
            "segments of {size}"
        );
    }
}

#[test]
fn multi_message_zone_transfer_is_one_transaction() {
    let a = |ip: u8| (1u16, vec![10, 0, 0, ip]);
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &framed(&[query(9, "z.test", 252)]))
        .message(
            Dir::ToClient,
            &framed(&[answer(9, "z.test", 252, &[soa(), a(1), a(2)])]),
        )
        .message(
            Dir::ToClient,
            &framed(&[answer(9, "z.test", 252, &[a(3), soa()])]),
        );
    let ev = run(&conv, Segmentation::Whole, None, "");
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(ev[0]["dns"]["answers_count"], 5);
    assert_eq!(ev[0]["status"], "OK");
    assert_eq!(ev[0]["dns"]["answers"][4]["type"], "SOA");
    // Cut short by the end of the capture: still one event with what arrived.
    let cut = Conversation::new(PORT)
        .message(Dir::ToServer, &framed(&[query(9, "z.test", 252)]))
        .message(
            Dir::ToClient,
            &framed(&[answer(9, "z.test", 252, &[soa(), a(1)])]),
        );
    let ev = run(&cut, Segmentation::Whole, None, "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["dns"]["answers_count"], 2);
}

#[test]
fn udp_id_reuse_orphans_and_unanswered_queries() {
    let conv = Conversation::over(TransportKind::Udp, PORT)
        .message(Dir::ToServer, &query(5, "first.test", 1))
        .message(Dir::ToServer, &query(5, "second.test", 1))
        .message(Dir::ToClient, &answer(5, "second.test", 1, &[]))
        .message(Dir::ToClient, &answer(77, "stray.test", 1, &[]))
        .message(Dir::ToServer, &query(6, "lost.test", 28));
    let ev = run(&conv, Segmentation::Whole, None, "");
    let got: Vec<(String, String, String)> = ev
        .iter()
        .map(|e| {
            (
                e["dns"]["question"]["name"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                e["status"].as_str().unwrap_or("").to_string(),
                notes(e),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "first.test".into(),
                "Error".into(),
                dns::NOTE_DUPLICATE_QUERY.into()
            ),
            ("second.test".into(), "OK".into(), String::new()),
            (
                "stray.test".into(),
                "Error".into(),
                dns::NOTE_ORPHAN_RESPONSE.into()
            ),
            (
                "lost.test".into(),
                "Error".into(),
                dns::NOTE_NO_RESPONSE.into()
            ),
        ]
    );
    assert_eq!(ev[3]["dns"]["type"], "query");
    // An orphan response still names the would-be client as source.
    assert_eq!(ev[2]["source"]["port"], 40000);
}

#[test]
fn hostile_and_garbage_datagrams_give_no_event() {
    // A response whose answer owner points to itself, and a non-DNS datagram.
    let mut looped = answer(3, "a.test", 1, &[(1, vec![1, 2, 3, 4])]);
    let owner = 12 + wire_name("a.test").len() + 4;
    looped[owner] = 0xc0;
    looped[owner + 1] = owner as u8;
    let conv = Conversation::over(TransportKind::Udp, PORT)
        .message(Dir::ToServer, &query(3, "a.test", 1))
        .message(Dir::ToClient, &looped)
        .message(Dir::ToServer, b"GET / HTTP/1.1\r\n\r\n");
    let ev = run(&conv, Segmentation::Whole, None, "");
    assert_eq!(ev.len(), 1);
    assert_eq!(notes(&ev[0]), dns::NOTE_NO_RESPONSE);
}

#[test]
fn edns_mismatch_notes_on_udp() {
    let conv = Conversation::over(TransportKind::Udp, PORT)
        .message(Dir::ToServer, &message(4, 0x0100, "e.test", 1, &[], true))
        .message(Dir::ToClient, &answer(4, "e.test", 1, &[]));
    let ev = run(&conv, Segmentation::Whole, None, "");
    assert_eq!(notes(&ev[0]), dns::NOTE_EDNS_NOT_SUPPORTED);
    let conv = Conversation::over(TransportKind::Udp, PORT)
        .message(Dir::ToServer, &query(4, "e.test", 1))
        .message(Dir::ToClient, &message(4, 0x8180, "e.test", 1, &[], true));
    let ev = run(&conv, Segmentation::Whole, None, "");
    assert_eq!(notes(&ev[0]), dns::NOTE_EDNS_UNEXPECTED);
    assert_eq!(ev[0]["dns"]["opt"]["udp_size"], 1232);
}

#[test]
fn tcp_response_errors_are_noted_on_the_query() {
    // Zero length.
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &framed(&[query(1, "z.test", 1)]))
        .message(Dir::ToClient, &[0, 0, 1, 2, 3]);
    let ev = run(&conv, Segmentation::Whole, None, "");
    assert_eq!(ev.len(), 1);
    assert_eq!(notes(&ev[0]), format!("{}", dns::NOTE_ZERO_LENGTH));
    // Not DNS.
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &framed(&[query(1, "z.test", 1)]))
        .message(Dir::ToClient, &[0, 3, 1, 2, 3]);
    let ev = run(&conv, Segmentation::Whole, None, "");
    assert_eq!(notes(&ev[0]), dns::NOTE_NOT_DNS);
    // A hole in the response.
    let response = framed(&[answer(1, "z.test", 1, &[(1, vec![1, 1, 1, 1])])]);
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &framed(&[query(1, "z.test", 1)]))
        .message(Dir::ToClient, &response);
    let ev = run(
        &conv,
        Segmentation::Chunks(8),
        Some((Dir::ToClient, 10, 4)),
        "",
    );
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(notes(&ev[0]), dns::NOTE_INCOMPLETE);
    assert_eq!(ev[0]["status"], "Error");
}

#[test]
fn modern_record_types_are_rendered() {
    let mut https = vec![0, 1, 0];
    https.extend_from_slice(&[0, 1, 0, 3, 2, b'h', b'2']);
    let mut caa = vec![0, 5];
    caa.extend_from_slice(b"issueca.test");
    let conv = Conversation::over(TransportKind::Udp, PORT)
        .message(Dir::ToServer, &query(8, "h.test", 65))
        .message(
            Dir::ToClient,
            &answer(8, "h.test", 65, &[(65, https), (257, caa)]),
        );
    let ev = run(&conv, Segmentation::Whole, None, "");
    assert_eq!(ev[0]["dns"]["answers"][0]["data"], "1 . alpn=\"h2\"");
    assert_eq!(ev[0]["dns"]["answers"][0]["type"], "HTTPS");
    assert_eq!(ev[0]["dns"]["answers"][1]["data"], "0 issue \"ca.test\"");
}

#[test]
fn unknown_options_are_errors_naming_the_nearest() {
    let mut cfg = test_protocol_config(dns::NAME);
    cfg.options = serde_yaml_ng::from_str("include_authority: true").unwrap_or_default();
    let err = dns::Dns::build(&cfg)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("include_authorities"), "{err}");
}
