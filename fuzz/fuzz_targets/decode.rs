//! Any bytes, as a frame of any supported link type, decode without panicking; fragments go
//! through the defragmenter.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wb_wire::{decode, decode_ip_payload, Defragmenter, LinkType, Timestamp, Transport};

const LINKS: [LinkType; 8] = [
    LinkType::ETHERNET,
    LinkType::NULL,
    LinkType::LOOP,
    LinkType::RAW,
    LinkType::LINUX_SLL,
    LinkType::LINUX_SLL2,
    LinkType::IPV4,
    LinkType::IPV6,
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, frame)) = data.split_first() else { return };
    let link = LINKS[usize::from(sel) % LINKS.len()];
    let mut defrag = Defragmenter::default();
    if let Ok(pkt) = decode(link, frame) {
        if let Transport::Fragment(f) = pkt.transport {
            // Offer the same fragment twice at two offsets to exercise reassembly.
            let _ = defrag.add(Timestamp(0), pkt.src_ip, pkt.dst_ip, f, pkt.payload, 64);
            let mut g = f;
            g.offset = 0;
            g.more = true;
            if let Some(whole) = defrag.add(Timestamp(1), pkt.src_ip, pkt.dst_ip, g, pkt.payload, 64) {
                let _ = decode_ip_payload(&pkt, whole.protocol, whole.payload);
            }
        }
    }
});
