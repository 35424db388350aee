//! Capture file reader. (Implementation in progress.)

use std::path::Path;
use wb_wire::{LinkType, Timestamp};

/// One packet as stored in the file, borrowed until the next call to `next_packet`.
#[derive(Clone, Copy, Debug)]
pub struct PacketRecord<'a> {
    /// Capture time.
    pub ts: Timestamp,
    /// Link type of the interface the packet was captured on.
    pub link_type: LinkType,
    /// Captured bytes (at most the snap length).
    pub data: &'a [u8],
    /// Length of the packet on the wire.
    pub orig_len: u32,
    /// pcapng interface index (0 for pcap).
    pub interface: u32,
}

/// Errors reading a capture file.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a pcap or pcapng capture, or is corrupt beyond recovery.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// A capture file opened for sequential reading.
pub struct CaptureFile {
    path: String,
}

impl CaptureFile {
    /// Opens `path`; the format (pcap, pcapng, gzip) is detected from its contents.
    pub fn open(path: &Path) -> Result<Self, CaptureError> {
        Err(CaptureError::Format { path: path.display().to_string(), message: "todo".into() })
    }

    /// The next packet, `Ok(None)` at the end of the file.
    pub fn next_packet(&mut self) -> Result<Option<PacketRecord<'_>>, CaptureError> {
        let _ = &self.path;
        Ok(None)
    }

    /// Bytes of the (compressed, if gzip) file consumed so far, for progress reporting.
    pub fn bytes_read(&self) -> u64 {
        0
    }

    /// Size of the file on disk, when known.
    pub fn file_size(&self) -> Option<u64> {
        None
    }

    /// Blocks or records skipped because they were malformed or of an unknown kind.
    pub fn skipped_records(&self) -> u64 {
        0
    }
}
