//! ICMP edge cases on hand-made packets: pairing by id and sequence, orphans, duplicates,
//! one-way error messages, the other pair types, expiry on packet time, and garbage.

use serde_json::Value;
use std::net::Ipv4Addr;
use wb_flow::EngineConfig;
use wb_proto::icmp::{IcmpConfig, NOTE_DUPLICATE_REQUEST, NOTE_NO_RESPONSE, NOTE_ORPHAN_RESPONSE};
use wb_testkit::{run_engine, Frame};
use wb_wire::{LinkType, Timestamp};

const A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

/// An IPv4 ICMP packet at `ms` milliseconds: (type, code), (id, seq) and `payload` bytes.
fn icmp(
    ms: i64,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    (ty, code): (u8, u8),
    (id, seq): (u16, u16),
    payload: usize,
) -> Frame {
    let total = 20 + 8 + payload;
    let mut f = vec![
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        0,
        0x40,
        0,
        64,
        1,
        0,
        0,
    ];
    f.extend_from_slice(&src.octets());
    f.extend_from_slice(&dst.octets());
    f.extend_from_slice(&[ty, code, 0, 0]);
    f.extend_from_slice(&id.to_be_bytes());
    f.extend_from_slice(&seq.to_be_bytes());
    f.extend(std::iter::repeat_n(0xab, payload));
    Frame {
        ts: Timestamp::from_secs_nanos(1_700_000_000, 0).add_nanos(ms * 1_000_000),
        link: LinkType::IPV4,
        data: f,
    }
}

fn run(frames: &[Frame]) -> Vec<Value> {
    let config = EngineConfig {
        flows: None,
        icmp: Some(IcmpConfig {
            transaction_timeout_nanos: 10_000_000_000,
        }),
        ..EngineConfig::default()
    };
    run_engine(config, Vec::new(), frames)
}

fn summary(e: &Value) -> (String, String, Option<u64>, Option<u64>, String) {
    (
        e["source"]["ip"].as_str().unwrap_or("").to_string(),
        e["status"].as_str().unwrap_or("").to_string(),
        e["icmp"]["request"]["type"].as_u64(),
        e["icmp"]["response"]["type"].as_u64(),
        e["error"]["message"].as_str().unwrap_or("").to_string(),
    )
}

#[test]
fn echo_pairs_by_id_and_sequence_even_interleaved() {
    let ev = run(&[
        icmp(0, A, B, (8, 0), (7, 1), 56),
        icmp(1, A, B, (8, 0), (7, 2), 56),
        icmp(5, B, A, (0, 0), (7, 2), 56),
        icmp(6, B, A, (0, 0), (7, 1), 56),
    ]);
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0]["event"]["duration"], 4_000_000);
    assert_eq!(ev[1]["event"]["duration"], 6_000_000);
    for e in &ev {
        assert_eq!(
            summary(e),
            (
                "10.0.0.1".into(),
                "OK".into(),
                Some(8),
                Some(0),
                String::new()
            )
        );
        assert_eq!(e["source"]["bytes"], 56);
        assert_eq!(e["destination"]["bytes"], 56);
        assert_eq!(e["path"], "10.0.0.2");
        assert!(e["source"].get("port").is_none());
    }
}

#[test]
fn orphans_duplicates_and_unanswered() {
    let ev = run(&[
        icmp(0, B, A, (0, 0), (1, 1), 8),
        icmp(10, A, B, (8, 0), (2, 1), 8),
        icmp(20, A, B, (8, 0), (2, 1), 8),
    ]);
    let got: Vec<_> = ev.iter().map(summary).collect();
    assert_eq!(
        got,
        vec![
            (
                "10.0.0.1".into(),
                "Error".into(),
                None,
                Some(0),
                NOTE_ORPHAN_RESPONSE.into()
            ),
            (
                "10.0.0.1".into(),
                "Error".into(),
                Some(8),
                None,
                NOTE_DUPLICATE_REQUEST.into()
            ),
            (
                "10.0.0.1".into(),
                "Error".into(),
                Some(8),
                None,
                NOTE_NO_RESPONSE.into()
            ),
        ]
    );
    // The orphan keeps the would-be requester as source: its @timestamp is the reply's.
    assert_eq!(ev[0]["destination"]["ip"], "10.0.0.2");
}

#[test]
fn errors_and_other_types_are_one_message_events() {
    let ev = run(&[
        icmp(0, B, A, (3, 3), (0, 0), 28),
        icmp(1, A, B, (5, 1), (0, 0), 28),
        icmp(2, A, B, (9, 0), (0, 0), 8),
    ]);
    let got: Vec<_> = ev
        .iter()
        .map(|e| {
            (
                e["icmp"]["request"]["message"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                e["status"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "DestinationUnreachable(Port)".to_string(),
                Value::from("Error")
            ),
            ("Redirect(Host)".to_string(), Value::from("OK")),
            ("RouterAdvertisement".to_string(), Value::from("OK")),
        ]
    );
}

#[test]
fn timestamp_and_address_mask_pairs() {
    let ev = run(&[
        icmp(0, A, B, (13, 0), (4, 4), 12),
        icmp(1, B, A, (14, 0), (4, 4), 12),
        icmp(2, A, B, (17, 0), (5, 5), 4),
        icmp(3, B, A, (18, 0), (5, 5), 4),
    ]);
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0]["icmp"]["response"]["message"], "TimestampReply");
    assert_eq!(ev[1]["icmp"]["request"]["message"], "AddressMaskRequest");
    assert!(ev.iter().all(|e| e["status"] == "OK"));
}

#[test]
fn unanswered_requests_expire_on_packet_time() {
    // The second ping comes 12 s later: the first has expired by then, before the capture ends.
    let ev = run(&[
        icmp(0, A, B, (8, 0), (1, 1), 8),
        icmp(12_000, A, B, (8, 0), (1, 2), 8),
        icmp(12_001, B, A, (0, 0), (1, 2), 8),
    ]);
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0]["error"]["message"], NOTE_NO_RESPONSE);
    assert_eq!(ev[1]["status"], "OK");
}

#[test]
fn truncated_icmp_is_a_counted_decode_error_not_an_event() {
    let mut short = icmp(0, A, B, (8, 0), (1, 1), 0);
    short.data.truncate(24);
    short.data[3] = 24;
    assert!(run(&[short]).is_empty());
}
