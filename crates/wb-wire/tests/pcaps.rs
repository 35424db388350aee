//! Decoding and defragmentation of real captures from the shared Packetbeat pcaps.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::net::IpAddr;
use wb_wire::{
    decode, decode_ip_payload, DefragConfig, Defragmenter, LinkType, Packet, Timestamp, Transport,
};

const PCAPS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/pcaps/packetbeat"
);

/// One record of a classic pcap file: timestamp and captured bytes.
struct Record {
    ts: Timestamp,
    data: Vec<u8>,
}

/// Reads a little-endian, microsecond pcap file: the link type and every record.
fn read_pcap(name: &str) -> (LinkType, Vec<Record>) {
    let bytes = std::fs::read(format!("{PCAPS}/{name}")).unwrap();
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    assert_eq!(u32_at(0), 0xa1b2_c3d4, "little-endian microsecond pcap");
    let link = LinkType(u32_at(20));
    let mut records = Vec::new();
    let mut at = 24;
    while at + 16 <= bytes.len() {
        let (secs, micros, caplen) = (u32_at(at), u32_at(at + 4), u32_at(at + 8) as usize);
        let ts = Timestamp::from_secs_nanos(i64::from(secs), micros * 1000);
        records.push(Record {
            ts,
            data: bytes[at + 16..at + 16 + caplen].to_vec(),
        });
        at += 16 + caplen;
    }
    assert_eq!(at, bytes.len(), "no trailing bytes");
    (link, records)
}

fn reassemble(link: LinkType, records: &[&Record]) -> (Vec<u8>, u32, u64, Transport, IpAddr) {
    let mut defrag = Defragmenter::new(DefragConfig::default());
    let mut done = None;
    for (i, record) in records.iter().enumerate() {
        let p = decode(link, &record.data).unwrap();
        let Transport::Fragment(frag) = p.transport else {
            panic!("not a fragment: {p:?}")
        };
        let frame_len = u32::try_from(record.data.len()).unwrap();
        let result = defrag.add(record.ts, p.src_ip, p.dst_ip, frag, p.payload, frame_len);
        if i + 1 < records.len() {
            assert!(result.is_none(), "complete after {} fragments", i + 1);
            continue;
        }
        let r = result.unwrap();
        assert_eq!(r.protocol, 17);
        let payload = r.payload.to_vec();
        let (fragments, frame_bytes) = (r.fragments, r.frame_bytes);
        let full: Packet<'_> = decode_ip_payload(&p, r.protocol, &payload).unwrap();
        assert_eq!(full.payload.len(), 3398);
        done = Some((
            payload.clone(),
            fragments,
            frame_bytes,
            full.transport,
            full.src_ip,
        ));
    }
    assert_eq!(defrag.stats().reassembled, 1);
    done.unwrap()
}

#[test]
fn udp_edns0_response_fragments_reassemble() {
    let (link, records) = read_pcap("decoder-testdata/udp_edns0_resp.pcap");
    assert_eq!((link, records.len()), (LinkType::ETHERNET, 3));
    let total_frames: u64 = records.iter().map(|r| r.data.len() as u64).sum();

    let in_order: Vec<&Record> = records.iter().collect();
    let reversed: Vec<&Record> = records.iter().rev().collect();
    let (payload, fragments, frame_bytes, transport, src) = reassemble(link, &in_order);
    assert_eq!(payload.len(), 3406, "UDP header + 3398 bytes");
    assert_eq!((fragments, frame_bytes), (3, total_frames));
    assert_eq!(
        transport,
        Transport::Udp {
            src_port: 53,
            dst_port: 35873
        }
    );
    assert_eq!(src, "8.8.8.8".parse::<IpAddr>().unwrap());
    let first = decode(link, &records[0].data).unwrap();
    assert_eq!(first.dst_ip, "192.168.178.24".parse::<IpAddr>().unwrap());

    let (payload_rev, ..) = reassemble(link, &reversed);
    assert_eq!(payload_rev, payload);
}

#[test]
fn qinq_icmp() {
    let (link, records) = read_pcap("802.1q-q-in-q-icmp.pcap");
    assert_eq!(records.len(), 1);
    let p = decode(link, &records[0].data).unwrap();
    assert_eq!(p.vlans.as_slice(), &[101, 600]);
    assert_eq!(p.src_ip, "192.168.1.1".parse::<IpAddr>().unwrap());
    assert_eq!(p.dst_ip, "192.168.1.2".parse::<IpAddr>().unwrap());
    assert_eq!(p.src_mac, Some([0x08, 0x00, 0x27, 0x3d, 0x25, 0x4e]));
    assert_eq!(p.dst_mac, Some([0x1c, 0xaf, 0xf7, 0x70, 0xed, 0x7c]));
    assert!(matches!(p.transport, Transport::Icmp4(_)));
    assert!(!p.truncated);
}
