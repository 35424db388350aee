//! Any bytes, as a capture file (pcap, pcapng or gzip), are read to the end or rejected with an
//! error, without panicking and without unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wb_capture::CaptureFile;

fuzz_target!(|data: &[u8]| {
    let Ok(mut file) = CaptureFile::from_bytes("fuzz", data.to_vec()) else { return };
    for _ in 0..100_000 {
        match file.next_packet() {
            Ok(Some(p)) => {
                let _ = (p.ts, p.data.len(), p.orig_len);
            }
            Ok(None) | Err(_) => break,
        }
    }
    let _ = (file.bytes_read(), file.skipped_records());
});
