//! Registry-driven: every registered protocol gets the fuzz input as a conversation over each
//! transport it analyses (messages separated by 0xFE, alternating client and server; TCP ones
//! cut into segments of a size chosen by the first byte). A new protocol is fuzzed here with no new code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wb_proto::Dir;
use wb_testkit::{run_frames, Conversation, Segmentation};

fuzz_target!(|data: &[u8]| {
    let Some((&size, body)) = data.split_first() else { return };
    let seg = Segmentation::Chunks(usize::from(size % 32) + 1);
    for spec in wb_proto::registry::IMPLEMENTED {
        let Ok(protocol) = (spec.build)(&wb_testkit::suite::test_protocol_config(spec.name)) else {
            continue;
        };
        // Every transport the protocol analyses (memcache and dns: TCP and UDP).
        for &transport in protocol.transports() {
            let mut conv = Conversation::over(transport, wb_testkit::suite::PORT);
            for (i, msg) in body.split(|&b| b == 0xFE).enumerate() {
                let dir = if i % 2 == 0 { Dir::ToServer } else { Dir::ToClient };
                conv = conv.message(dir, msg);
            }
            let hole = (size & 0x80 != 0).then_some((Dir::ToClient, usize::from(size & 0x0f), 3));
            let _ = run_frames(vec![std::sync::Arc::clone(&protocol)], &conv.frames(seg, hole));
        }
    }
});
