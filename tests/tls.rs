//! The `tls` analyzer on hand-made handshakes: framing (byte by byte, a message over many
//! records, several messages in one record), TLS 1.3 completion, resumption, client
//! certificates, alerts, non-TLS data, truncated and malformed hellos, gaps, size limits and
//! expiry. Bytes are built by the small helpers below; the registry example
//! (`crates/wb-proto/src/tls/example/`) provides a real certificate.

use serde_json::Value;
use wb_proto::registry::ExampleMessage;
use wb_proto::{AnomalyCounts, Dir};
use wb_testkit::suite::{protocol_config_with, test_protocol_config, PORT};
use wb_testkit::{run_frames_counting, Conversation, Segmentation};

/// Events and anomaly counters of `conv` with tls options as YAML flow-map text.
fn run_full(
    conv: &Conversation,
    options: &str,
    seg: Segmentation,
    hole: Option<(Dir, usize, usize)>,
) -> (Vec<Value>, AnomalyCounts) {
    let cfg = protocol_config_with("tls", options);
    let protocol = wb_proto::tls::Tls::build(&cfg).unwrap_or_else(|e| panic!("{e}"));
    let (events, anomalies) = run_frames_counting(vec![protocol], &conv.frames(seg, hole));
    let tls = events.into_iter().filter(|e| e["type"] == "tls").collect();
    (tls, anomalies)
}

fn run(conv: &Conversation, options: &str) -> Vec<Value> {
    run_full(conv, options, Segmentation::Whole, None).0
}

fn note(e: &Value) -> String {
    match &e["error"]["message"] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

// --- byte builders --------------------------------------------------------------------------

fn u16b(v: u16) -> [u8; 2] {
    v.to_be_bytes()
}

fn u24b(v: usize) -> [u8; 3] {
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}

/// A record: type, version 0x0303, length, payload.
fn record(kind: u8, payload: &[u8]) -> Vec<u8> {
    let mut r = vec![kind, 3, 3];
    r.extend_from_slice(&u16b(payload.len() as u16));
    r.extend_from_slice(payload);
    r
}

/// A handshake message: type, 24-bit length, body.
fn msg(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![kind];
    m.extend_from_slice(&u24b(body.len()));
    m.extend_from_slice(body);
    m
}

fn ext(kind: u16, data: &[u8]) -> Vec<u8> {
    let mut e = u16b(kind).to_vec();
    e.extend_from_slice(&u16b(data.len() as u16));
    e.extend_from_slice(data);
    e
}

fn sni(host: &str) -> Vec<u8> {
    let mut d = u16b(host.len() as u16 + 3).to_vec();
    d.push(0);
    d.extend_from_slice(&u16b(host.len() as u16));
    d.extend_from_slice(host.as_bytes());
    ext(0, &d)
}

fn hello(client: bool, session_id: &[u8], ciphers: &[u16], exts: &[Vec<u8>]) -> Vec<u8> {
    let mut b = vec![3, 3];
    b.extend_from_slice(&[if client { 0x11 } else { 0x22 }; 32]);
    b.push(session_id.len() as u8);
    b.extend_from_slice(session_id);
    if client {
        b.extend_from_slice(&u16b(ciphers.len() as u16 * 2));
        for c in ciphers {
            b.extend_from_slice(&u16b(*c));
        }
        b.extend_from_slice(&[1, 0]);
    } else {
        b.extend_from_slice(&u16b(ciphers[0]));
        b.push(0);
    }
    let all: Vec<u8> = exts.concat();
    b.extend_from_slice(&u16b(all.len() as u16));
    b.extend_from_slice(&all);
    msg(if client { 1 } else { 2 }, &b)
}

fn client_hello(host: &str, session_id: &[u8], more: &[Vec<u8>]) -> Vec<u8> {
    let mut exts = vec![sni(host)];
    exts.extend_from_slice(more);
    record(22, &hello(true, session_id, &[0x1301, 0xc02f], &exts))
}

fn ccs() -> Vec<u8> {
    record(20, &[1])
}

fn encrypted(len: usize) -> Vec<u8> {
    record(23, &vec![0xee; len])
}

fn example_cert() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/wb-proto/src/tls/example/example_cert.der"
    ))
    .unwrap()
}

fn certificate_msg(der: &[u8]) -> Vec<u8> {
    let mut body = u24b(der.len() + 3).to_vec();
    body.extend_from_slice(&u24b(der.len()));
    body.extend_from_slice(der);
    msg(11, &body)
}

fn example() -> Conversation {
    wb_proto::tls::EXAMPLE
        .iter()
        .fold(Conversation::new(PORT), |c, m: &ExampleMessage| {
            c.message(m.dir, m.data)
        })
}

// --- tests ----------------------------------------------------------------------------------

#[test]
fn example_handshake_fields_and_every_segmentation() {
    let conv = example();
    let whole = run(&conv, "{}");
    assert_eq!(whole.len(), 1);
    let e = &whole[0];
    let t = &e["tls"];
    assert_eq!(e["status"], "OK");
    assert_eq!(t["established"], true);
    assert_eq!(t["version"], "1.2");
    assert_eq!(t["cipher"], "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    assert_eq!(t["curve"], "secp256r1");
    assert_eq!(t["next_protocol"], "h2");
    assert_eq!(e["destination"]["domain"], "example.com");
    // md5("771,49195-49199-156,0-10-11-13-16-35-65281,29-23,0"): GREASE cipher 0x2a2a,
    // extension 0x0a0a and group 0x1a1a are left out.
    assert_eq!(
        t["client"]["ja3"],
        md5_of("771,49195-49199-156,0-10-11-13-16-35-65281,29-23,0")
    );
    assert_eq!(
        t["server"]["subject"],
        "CN=example.com,O=Wirebeat Example,C=US"
    );
    assert_eq!(t["server"]["x509"]["public_key_algorithm"], "ECDSA");
    assert_eq!(t["server"]["x509"]["public_key_size"], 256);
    assert_eq!(t["server"]["x509"]["signature_algorithm"], "ECDSA-SHA256");
    assert_eq!(t["server"]["x509"]["serial_number"], "1234ABCD");
    assert_eq!(
        t["server"]["x509"]["alternative_names"],
        serde_json::json!(["example.com", "www.example.com"])
    );
    // 3 s between the ClientHello (second 1) and the server's CCS (second 4).
    assert_eq!(e["event"]["duration"], 3_000_000_000u64);
    for size in [1usize, 2, 5, 9, 100] {
        assert_eq!(
            run_full(&conv, "{}", Segmentation::Chunks(size), None).0,
            whole,
            "segments of {size}"
        );
    }
}

fn md5_of(s: &str) -> String {
    wb_proto::tls::fingerprint::md5_hex(s)
}

#[test]
fn a_message_fragmented_into_tiny_records_is_reassembled() {
    // The example's server flight re-framed into records of 3 payload bytes, so every
    // handshake header and the certificate cross many record boundaries.
    let flight = wb_proto::tls::EXAMPLE[1].data;
    let mut handshake = Vec::new();
    let mut pos = 0;
    while pos + 5 <= flight.len() {
        let len = usize::from(u16::from_be_bytes([flight[pos + 3], flight[pos + 4]]));
        handshake.extend_from_slice(&flight[pos + 5..pos + 5 + len]);
        pos += 5 + len;
    }
    let reframed: Vec<u8> = handshake.chunks(3).flat_map(|c| record(22, c)).collect();
    let m = wb_proto::tls::EXAMPLE;
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, m[0].data)
        .message(Dir::ToClient, &reframed)
        .message(Dir::ToServer, m[2].data)
        .message(Dir::ToClient, m[3].data);
    let mut got = run(&conv, "{}");
    let mut want = run(&example(), "{}");
    assert_eq!(got.len(), 1);
    for e in got.iter_mut().chain(want.iter_mut()) {
        // Same handshake; only the framing differs.
        e.as_object_mut().unwrap().remove("@timestamp");
    }
    assert_eq!(got, want);
    assert_eq!(
        run_full(&conv, "{}", Segmentation::Chunks(1), None).0.len(),
        1
    );
}

#[test]
fn several_messages_in_one_record_with_a_client_certificate() {
    let cert = example_cert();
    let sh = hello(false, &[], &[0xc02f], &[]);
    let server_flight = record(
        22,
        &[
            sh,
            certificate_msg(&cert),
            msg(13, &[1, 1, 0, 0, 0, 0]),
            msg(14, &[]),
        ]
        .concat(),
    );
    let client_flight = [
        record(22, &[certificate_msg(&cert), msg(16, &[0; 33])].concat()),
        ccs(),
        encrypted(40),
    ]
    .concat();
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &client_hello("mtls.test", &[], &[]))
        .message(Dir::ToClient, &server_flight)
        .message(Dir::ToServer, &client_flight)
        .message(Dir::ToClient, &[ccs(), encrypted(40)].concat());
    let ev = run(&conv, "{fingerprints: [sha256]}");
    assert_eq!(ev.len(), 1);
    let t = &ev[0]["tls"];
    assert_eq!(t["established"], true);
    assert_eq!(t["detailed"]["client_certificate_requested"], true);
    assert_eq!(
        t["client"]["subject"],
        "CN=example.com,O=Wirebeat Example,C=US"
    );
    assert_eq!(
        t["client"]["x509"]["subject"]["organization"],
        "Wirebeat Example"
    );
    assert!(t["client"]["hash"]["sha256"].as_str().unwrap().len() == 64);
    assert_eq!(t["server"]["hash"]["sha256"], t["client"]["hash"]["sha256"]);
    assert_eq!(t["resumed"], false);
}

#[test]
fn alert_from_the_server() {
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &client_hello("old.test", &[], &[]))
        // Alert: level 2 (fatal), description 70 (protocol_version).
        .message(Dir::ToClient, &record(21, &[2, 70]));
    let ev = run(&conv, "{}");
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    assert_eq!(e["status"], "Error");
    assert_eq!(e["tls"]["established"], false);
    assert_eq!(
        e["tls"]["detailed"]["alerts"],
        serde_json::json!([{"severity": "fatal", "code": 70, "type": "protocol_version", "source": "server"}])
    );
    assert_eq!(
        e["tls"]["detailed"]["alert_types"],
        serde_json::json!(["protocol_version"])
    );
    assert!(e["event"].get("duration").is_none());
}

#[test]
fn garbage_on_the_tls_port_stops_the_analysis() {
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .message(Dir::ToClient, b"HTTP/1.1 400 Bad Request\r\n\r\n");
    let (ev, anomalies) = run_full(&conv, "{}", Segmentation::Chunks(3), None);
    assert!(ev.is_empty());
    assert_eq!(
        anomalies.get("tls", "non_tls"),
        1,
        "counted once, then ignored"
    );
    // After a ClientHello, non-TLS bytes end the handshake with a note.
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &client_hello("a.test", &[], &[]))
        .message(Dir::ToClient, b"\x00\x01garbage garbage");
    let (ev, anomalies) = run_full(&conv, "{}", Segmentation::Whole, None);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["status"], "Error");
    assert_eq!(note(&ev[0]), wb_proto::tls::NOTE_NON_TLS);
    assert_eq!(anomalies.get("tls", "non_tls"), 1);
}

#[test]
fn truncated_and_malformed_hellos() {
    // A ClientHello record cut short by the end of the connection: no complete hello, no
    // event, no panic.
    let full = client_hello("cut.test", &[], &[]);
    for cut in [1, 4, 5, 9, 30, full.len() - 1] {
        let conv = Conversation::new(PORT).message(Dir::ToServer, &full[..cut]);
        assert!(run(&conv, "{}").is_empty(), "cut at {cut}");
    }
    // A complete record whose hello claims more extension bytes than it has.
    let mut body = hello(true, &[], &[0x1301], &[sni("bad.test")]);
    body.truncate(body.len() - 3);
    let len = body.len() - 4;
    body[1..4].copy_from_slice(&u24b(len));
    let conv = Conversation::new(PORT).message(Dir::ToServer, &record(22, &body));
    let (ev, anomalies) = run_full(&conv, "{}", Segmentation::Whole, None);
    assert!(ev.is_empty());
    assert_eq!(anomalies.get("tls", "malformed_hello"), 1);
}

#[test]
fn a_gap_in_the_handshake_emits_at_once() {
    let conv = example();
    // Lose 10 bytes inside the certificate of the server flight.
    let (ev, anomalies) = run_full(
        &conv,
        "{}",
        Segmentation::Chunks(50),
        Some((Dir::ToClient, 300, 10)),
    );
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["status"], "Error");
    assert_eq!(ev[0]["tls"]["established"], false);
    assert_eq!(ev[0]["tls"]["client"]["server_name"], "example.com");
    assert_eq!(note(&ev[0]), wb_proto::tls::NOTE_GAP);
    assert_eq!(anomalies.get("tls", "gap"), 1);
    // A gap in encrypted data after the handshake changes nothing.
    let conv = example().message(Dir::ToClient, &encrypted(500));
    let len = conv.stream(Dir::ToClient).len();
    let (ev, _) = run_full(
        &conv,
        "{}",
        Segmentation::Chunks(100),
        Some((Dir::ToClient, len - 200, 50)),
    );
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["status"], "OK");
}

#[test]
fn handshake_message_above_max_message_size() {
    let (ev, anomalies) = run_full(
        &example(),
        "{max_message_size: 300}",
        Segmentation::Whole,
        None,
    );
    assert_eq!(ev.len(), 1);
    assert_eq!(note(&ev[0]), wb_proto::tls::NOTE_TOO_LARGE);
    assert_eq!(anomalies.get("tls", "handshake_message_too_large"), 1);
}

fn tls13_conversation(client_first_encrypted: usize) -> Conversation {
    // supported_versions: client offers 1.3 and 1.2, server selects 0x0304; key_share x25519.
    let ch = client_hello("v13.test", &[7; 32], &[ext(43, &[4, 3, 4, 3, 3])]);
    let sh = record(
        22,
        &hello(
            false,
            &[7; 32],
            &[0x1302],
            &[ext(43, &[3, 4]), ext(51, &[0, 29, 0, 2, 9, 9])],
        ),
    );
    Conversation::new(PORT)
        .message(Dir::ToServer, &ch)
        .message(
            Dir::ToClient,
            &[sh, ccs(), encrypted(900), encrypted(60)].concat(),
        )
        .message(
            Dir::ToServer,
            &[ccs(), encrypted(client_first_encrypted)].concat(),
        )
}

#[test]
fn tls13_established_by_the_clients_encrypted_finished() {
    let ev = run(&tls13_conversation(53), "{}");
    assert_eq!(ev.len(), 1);
    let t = &ev[0]["tls"];
    assert_eq!(ev[0]["status"], "OK");
    assert_eq!(t["version"], "1.3");
    assert_eq!(t["established"], true);
    assert_eq!(t["cipher"], "TLS_AES_256_GCM_SHA384");
    assert_eq!(t["curve"], "x25519");
    // The echoed session id is TLS 1.3 middlebox compatibility, not a resumption.
    assert_eq!(t["resumed"], false);
    assert!(t["client"]["ja4"].as_str().unwrap().starts_with("t13d0202"));
}

#[test]
fn tls13_short_encrypted_client_record_is_an_alert() {
    // 19 bytes = 2-byte alert + content type + 16-byte tag.
    let (ev, anomalies) = run_full(&tls13_conversation(19), "{}", Segmentation::Whole, None);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["status"], "Error");
    assert_eq!(ev[0]["tls"]["established"], false);
    assert_eq!(note(&ev[0]), wb_proto::tls::NOTE_TLS13_ALERT);
    assert_eq!(anomalies.get("tls", "tls13_encrypted_alert"), 1);
}

#[test]
fn tls12_resumption_by_session_id_and_by_ticket() {
    let abbreviated = |client_exts: Vec<Vec<u8>>, server_exts: Vec<Vec<u8>>| {
        let sh = record(22, &hello(false, &[5; 32], &[0xc02f], &server_exts));
        Conversation::new(PORT)
            .message(
                Dir::ToServer,
                &client_hello("r.test", &[5; 32], &client_exts),
            )
            .message(Dir::ToClient, &[sh, ccs(), encrypted(40)].concat())
            .message(Dir::ToServer, &[ccs(), encrypted(40)].concat())
    };
    let ev = run(&abbreviated(vec![], vec![]), "{}");
    assert_eq!(ev[0]["tls"]["resumed"], true);
    assert_eq!(ev[0]["tls"]["detailed"]["resumption_method"], "id");
    assert_eq!(ev[0]["status"], "OK");
    let ev = run(
        &abbreviated(vec![ext(35, &[1; 64])], vec![ext(35, &[])]),
        "{}",
    );
    assert_eq!(ev[0]["tls"]["resumed"], true);
    assert_eq!(ev[0]["tls"]["detailed"]["resumption_method"], "ticket");
    assert_eq!(
        ev[0]["tls"]["detailed"]["client_hello"]["extensions"]["session_ticket"],
        "(64 bytes)"
    );
}

#[test]
fn unfinished_handshake_is_written_at_expiry() {
    // No FIN: the engine's shutdown expires the connection.
    let conv = Conversation::new(PORT).message(Dir::ToServer, &client_hello("idle.test", &[], &[]));
    let mut frames = conv.frames(Segmentation::Whole, None);
    frames.retain(|f| f.data.get(33).is_none_or(|flags| flags & 0x01 == 0));
    let protocol = wb_proto::tls::Tls::build(&test_protocol_config("tls")).unwrap();
    let ev = wb_testkit::run_frames(vec![protocol], &frames);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["status"], "Error");
    assert_eq!(ev[0]["tls"]["client"]["server_name"], "idle.test");
}

#[test]
fn a_stapled_ocsp_response_is_reported() {
    // CertificateStatus: status_type ocsp, length, OCSPResponse { responseStatus successful }.
    let ocsp = [1, 0, 0, 5, 0x30, 0x03, 0x0a, 0x01, 0x00];
    let server_flight = record(
        22,
        &[
            hello(false, &[], &[0xc02f], &[]),
            certificate_msg(&example_cert()),
            msg(22, &ocsp),
            msg(14, &[]),
        ]
        .concat(),
    );
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &client_hello("ocsp.test", &[], &[]))
        .message(Dir::ToClient, &server_flight)
        .message(
            Dir::ToServer,
            &[record(22, &msg(16, &[0; 33])), ccs(), encrypted(40)].concat(),
        )
        .message(Dir::ToClient, &[ccs(), encrypted(40)].concat());
    let ev = run(&conv, "{}");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["tls"]["detailed"]["ocsp_response"], "successful");
    assert_eq!(ev[0]["tls"]["established"], true);
}
