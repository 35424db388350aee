//! Packet sources. For now: capture files (pcap in both byte orders and both time resolutions,
//! pcapng with several interfaces, either of them gzip-compressed), read with large buffered reads
//! (through a streaming decompressor for gzip) without copying packets.

mod bytes;
mod file;
mod layout;
mod pcap;
mod pcapng;
mod source;
mod time;

pub use file::{CaptureError, CaptureFile, PacketRecord};
