//! Packet sources. For now: capture files (pcap in both byte orders and both time resolutions,
//! pcapng with several interfaces, either of them gzip-compressed).

mod file;

pub use file::{CaptureError, CaptureFile, PacketRecord};
