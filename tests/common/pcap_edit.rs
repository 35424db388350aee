//! Rewrites a classic little-endian pcap to test capture faults: same-direction segment
//! reordering (segments in flight together overtaking each other) and dropped segments.

use std::path::Path;

/// A classic pcap file split into its header and records.
pub struct Pcap {
    /// The 24-byte file header.
    pub header: Vec<u8>,
    /// Each record: 16-byte record header and the frame.
    pub records: Vec<Vec<u8>>,
}

/// Reads a little-endian microsecond pcap (what the recording scripts write).
pub fn read_pcap(path: &Path) -> Pcap {
    let bytes = std::fs::read(path).expect("read pcap");
    assert_eq!(
        &bytes[..4],
        &[0xd4, 0xc3, 0xb2, 0xa1],
        "little-endian microsecond pcap"
    );
    let mut records = Vec::new();
    let mut at = 24;
    while at + 16 <= bytes.len() {
        let caplen =
            u32::from_le_bytes(bytes[at + 8..at + 12].try_into().expect("4 bytes")) as usize;
        records.push(bytes[at..at + 16 + caplen].to_vec());
        at += 16 + caplen;
    }
    Pcap {
        header: bytes[..24].to_vec(),
        records,
    }
}

/// Writes `p` to `path`.
pub fn write_pcap(p: &Pcap, path: &Path) {
    let mut out = p.header.clone();
    for r in &p.records {
        out.extend_from_slice(r);
    }
    std::fs::write(path, out).expect("write pcap");
}

/// The TCP header of an Ethernet/IPv4 or IPv6 record and the TCP payload length.
fn tcp(record: &[u8]) -> Option<(&[u8], usize)> {
    let frame = record.get(16..)?;
    let ethertype = u16::from_be_bytes([*frame.get(12)?, *frame.get(13)?]);
    let ip = frame.get(14..)?;
    let (l4, total) = match ethertype {
        0x0800 if ip.get(9) == Some(&6) => {
            let ihl = usize::from(ip[0] & 0x0f) * 4;
            (
                ip.get(ihl..)?,
                usize::from(u16::from_be_bytes([ip[2], ip[3]])).checked_sub(ihl)?,
            )
        }
        0x86dd if ip.get(6) == Some(&6) => (
            ip.get(40..)?,
            usize::from(u16::from_be_bytes([ip[4], ip[5]])),
        ),
        _ => return None,
    };
    let payload = total.checked_sub(usize::from(l4.get(12)? >> 4) * 4)?;
    Some((l4, payload))
}

/// Indexes of the records that carry TCP payload.
pub fn data_segments(p: &Pcap) -> Vec<usize> {
    (0..p.records.len())
        .filter(|&i| tcp(&p.records[i]).is_some_and(|(_, n)| n > 0))
        .collect()
}

/// The TCP source port of a record (0 when not TCP).
pub fn src_port(record: &[u8]) -> u16 {
    tcp(record).map_or(0, |(l4, _)| u16::from_be_bytes([l4[0], l4[1]]))
}

/// Swaps every `every`-th data segment with the next data segment when both travel the same
/// way (a response cannot overtake its own request, so segments never cross the other
/// direction's data). Returns how many pairs were swapped.
pub fn reorder_same_direction(p: &mut Pcap, every: usize) -> usize {
    let data = data_segments(p);
    let mut swapped = 0;
    for (n, &i) in data.iter().enumerate().step_by(every) {
        let port = src_port(&p.records[i]);
        if let Some(&j) = data
            .get(n + 1)
            .filter(|&&j| src_port(&p.records[j]) == port)
        {
            p.records.swap(i, j);
            swapped += 1;
        }
    }
    swapped
}

/// Removes every `every`-th data segment starting at data segment `skip`; returns how many.
pub fn drop_data_segments(p: &mut Pcap, skip: usize, every: usize) -> usize {
    let dropped: Vec<usize> = data_segments(p)
        .into_iter()
        .skip(skip)
        .step_by(every)
        .collect();
    for &i in dropped.iter().rev() {
        p.records.remove(i);
    }
    dropped.len()
}
