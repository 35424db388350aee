//! Hand-built captures in every supported layout, plus broken ones.

use std::io::Write;
use wb_capture::{CaptureError, CaptureFile};
use wb_wire::LinkType;

/// `(secs, nanos, link, data, orig_len, interface)` of every packet.
type Seen = Vec<(i64, u32, u32, Vec<u8>, u32, u32)>;

fn read_all(bytes: Vec<u8>) -> (Seen, u64) {
    let mut f = CaptureFile::from_bytes("test", bytes).unwrap_or_else(|e| panic!("{e}"));
    let mut seen = Vec::new();
    while let Some(p) = f.next_packet().unwrap_or_else(|e| panic!("{e}")) {
        seen.push((
            p.ts.secs(),
            p.ts.subsec_nanos(),
            p.link_type.0,
            p.data.to_vec(),
            p.orig_len,
            p.interface,
        ));
    }
    (seen, f.skipped_records())
}

fn put32(v: &mut Vec<u8>, x: u32, big: bool) {
    v.extend_from_slice(&if big {
        x.to_be_bytes()
    } else {
        x.to_le_bytes()
    });
}

fn put16(v: &mut Vec<u8>, x: u16, big: bool) {
    v.extend_from_slice(&if big {
        x.to_be_bytes()
    } else {
        x.to_le_bytes()
    });
}

fn pcap(big: bool, nanos: bool, link: u32, records: &[(u32, u32, &[u8], u32)]) -> Vec<u8> {
    let mut v = Vec::new();
    put32(&mut v, if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 }, big);
    put16(&mut v, 2, big);
    put16(&mut v, 4, big);
    put32(&mut v, 0, big);
    put32(&mut v, 0, big);
    put32(&mut v, 65535, big);
    put32(&mut v, link, big);
    for (secs, frac, data, orig) in records {
        put32(&mut v, *secs, big);
        put32(&mut v, *frac, big);
        put32(&mut v, data.len() as u32, big);
        put32(&mut v, *orig, big);
        v.extend_from_slice(data);
    }
    v
}

#[test]
fn pcap_in_both_byte_orders_and_resolutions() {
    for big in [false, true] {
        let micro = pcap(
            big,
            false,
            1,
            &[(100, 250_000, b"abc", 3), (101, 999_999, b"de", 60)],
        );
        let (seen, skipped) = read_all(micro);
        assert_eq!(skipped, 0);
        assert_eq!(
            seen,
            vec![
                (100, 250_000_000, 1, b"abc".to_vec(), 3, 0),
                (101, 999_999_000, 1, b"de".to_vec(), 60, 0)
            ]
        );
        let nano = pcap(big, true, 113, &[(7, 123_456_789, b"x", 1)]);
        assert_eq!(
            read_all(nano).0,
            vec![(7, 123_456_789, 113, b"x".to_vec(), 1, 0)]
        );
    }
}

#[test]
fn pcap_link_type_ignores_fcs_bits() {
    let v = pcap(false, false, 0x1000_0000 | 1, &[(1, 0, b"a", 1)]);
    assert_eq!(read_all(v).0[0].2, LinkType::ETHERNET.0);
}

#[test]
fn truncated_last_record_is_counted_not_fatal() {
    let mut v = pcap(false, false, 1, &[(1, 0, b"hello", 5), (2, 0, b"world", 5)]);
    v.truncate(v.len() - 2);
    let (seen, skipped) = read_all(v);
    assert_eq!(seen.len(), 1);
    assert_eq!(skipped, 1);
}

#[test]
fn corrupt_record_length_is_an_error() {
    let mut v = pcap(false, false, 1, &[(1, 0, b"hello", 5)]);
    v[24 + 8..24 + 12].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
    let mut f = CaptureFile::from_bytes("corrupt.pcap", v).unwrap_or_else(|e| panic!("{e}"));
    let err = f
        .next_packet()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.starts_with("corrupt.pcap: record 1: corrupt record header"),
        "{err}"
    );
}

#[test]
fn garbage_and_empty_files_are_clear_errors() {
    let err = |b: &[u8]| match CaptureFile::from_bytes("f", b.to_vec()) {
        Err(CaptureError::Format { message, .. }) => message,
        Err(e) => e.to_string(),
        Ok(_) => "opened".into(),
    };
    assert_eq!(err(b""), "empty file, not a pcap or pcapng capture");
    assert_eq!(
        err(b"GET / HTTP/1.1\r\n\r\n and more text"),
        "not a pcap or pcapng capture (unknown magic number)"
    );
}

/// A pcapng block with `body`, padded to 4 bytes.
fn block(v: &mut Vec<u8>, kind: u32, body: &[u8], big: bool) {
    let padded = body.len().div_ceil(4) * 4;
    let total = (12 + padded) as u32;
    put32(v, kind, big);
    put32(v, total, big);
    v.extend_from_slice(body);
    v.resize(v.len() + padded - body.len(), 0);
    put32(v, total, big);
}

fn shb(big: bool) -> Vec<u8> {
    let mut b = Vec::new();
    put32(&mut b, 0x1a2b_3c4d, big);
    put16(&mut b, 1, big);
    put16(&mut b, 0, big);
    b.extend_from_slice(&u64::MAX.to_le_bytes());
    b
}

fn idb(link: u16, snaplen: u32, tsresol: Option<u8>, big: bool) -> Vec<u8> {
    let mut b = Vec::new();
    put16(&mut b, link, big);
    put16(&mut b, 0, big);
    put32(&mut b, snaplen, big);
    if let Some(r) = tsresol {
        put16(&mut b, 9, big);
        put16(&mut b, 1, big);
        b.extend_from_slice(&[r, 0, 0, 0]);
        put16(&mut b, 0, big);
        put16(&mut b, 0, big);
    }
    b
}

fn epb(iface: u32, ts: u64, data: &[u8], orig: u32, big: bool) -> Vec<u8> {
    let mut b = Vec::new();
    put32(&mut b, iface, big);
    put32(&mut b, (ts >> 32) as u32, big);
    put32(&mut b, ts as u32, big);
    put32(&mut b, data.len() as u32, big);
    put32(&mut b, orig, big);
    b.extend_from_slice(data);
    b
}

#[test]
fn pcapng_interfaces_resolutions_and_block_kinds() {
    for big in [false, true] {
        let mut v = Vec::new();
        block(&mut v, 0x0a0d_0d0a, &shb(big), big);
        block(&mut v, 1, &idb(1, 65535, Some(9), big), big); // Ethernet, ns
        block(&mut v, 1, &idb(113, 4, Some(0x80 | 20), big), big); // SLL, 2^-20
        block(
            &mut v,
            6,
            &epb(0, 1_700_000_000_123_456_789, b"eth", 3, big),
            big,
        );
        block(
            &mut v,
            6,
            &epb(1, (5 << 20) + (1 << 19), b"sll!", 90, big),
            big,
        );
        // A name resolution block and an interface statistics block are skipped.
        block(&mut v, 4, &[0; 4], big);
        block(&mut v, 5, &[0; 12], big);
        // Simple packet block: interface 0, truncated to no snap length, time of the previous.
        let mut spb = Vec::new();
        put32(&mut spb, 5, big);
        spb.extend_from_slice(b"simpl");
        block(&mut v, 3, &spb, big);
        // Obsolete packet block on interface 1.
        let mut opb = Vec::new();
        put16(&mut opb, 1, big);
        put16(&mut opb, 0, big);
        put32(&mut opb, 0, big);
        put32(&mut opb, 3 << 20, big);
        put32(&mut opb, 2, big);
        put32(&mut opb, 2, big);
        opb.extend_from_slice(b"op");
        block(&mut v, 2, &opb, big);
        // A packet on an interface that does not exist is skipped and counted.
        block(&mut v, 6, &epb(7, 0, b"bad", 3, big), big);
        let (seen, skipped) = read_all(v);
        assert_eq!(
            seen,
            vec![
                (1_700_000_000, 123_456_789, 1, b"eth".to_vec(), 3, 0),
                (5, 500_000_000, 113, b"sll!".to_vec(), 90, 1),
                (5, 500_000_000, 1, b"simpl".to_vec(), 5, 0),
                (3, 0, 113, b"op".to_vec(), 2, 1),
            ],
            "big endian: {big}"
        );
        assert_eq!(skipped, 1);
    }
}

#[test]
fn pcapng_second_section_resets_interfaces() {
    let mut v = Vec::new();
    block(&mut v, 0x0a0d_0d0a, &shb(false), false);
    block(&mut v, 1, &idb(1, 0, None, false), false);
    block(&mut v, 6, &epb(0, 2_000_000, b"a", 1, false), false);
    block(&mut v, 0x0a0d_0d0a, &shb(true), true);
    block(&mut v, 1, &idb(101, 0, None, true), true);
    block(&mut v, 6, &epb(0, 3_000_000, b"b", 1, true), true);
    let (seen, _) = read_all(v);
    assert_eq!(
        seen,
        vec![
            (2, 0, 1, b"a".to_vec(), 1, 0),
            (3, 0, 101, b"b".to_vec(), 1, 0)
        ]
    );
}

#[test]
fn gzip_compressed_captures() {
    let plain = pcap(false, false, 1, &[(1, 0, b"zipped", 6)]);
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    assert!(enc.write_all(&plain).is_ok());
    let gz = enc.finish().unwrap_or_default();
    assert_eq!(
        read_all(gz.clone()).0,
        vec![(1, 0, 1, b"zipped".to_vec(), 6, 0)]
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("c.pcap.gz");
    assert!(std::fs::write(&path, &gz).is_ok());
    let mut f = CaptureFile::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut n = 0;
    while let Ok(Some(_)) = f.next_packet() {
        n += 1;
    }
    assert_eq!(n, 1);
    assert_eq!(f.bytes_read(), gz.len() as u64);
    assert_eq!(f.file_size(), Some(gz.len() as u64));
}

#[test]
fn bytes_read_reaches_the_file_size() {
    let data = [7u8; 3000];
    let records = vec![(1, 0, &data[..], 3000); 500];
    let plain = pcap(true, true, 1, &records);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("c.pcap");
    assert!(std::fs::write(&path, &plain).is_ok());
    let mut f = CaptureFile::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut n = 0;
    while let Ok(Some(p)) = f.next_packet() {
        assert_eq!(p.data.len(), 3000);
        n += 1;
    }
    assert_eq!(n, 500);
    assert_eq!(f.bytes_read(), plain.len() as u64);
}
