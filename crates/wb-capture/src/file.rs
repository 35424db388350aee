//! [`CaptureFile`]: opens a capture, detects its format and yields its packets.

use crate::layout::Next;
use crate::pcap::{self, Pcap};
use crate::pcapng::{self, Pcapng};
use crate::source::{CountingReader, Source};
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

enum Format {
    Pcap(Pcap),
    Pcapng(Pcapng),
}

/// A capture file opened for sequential reading.
pub struct CaptureFile {
    path: String,
    source: Source,
    format: Format,
    file_size: Option<u64>,
    truncated: bool,
    records: u64,
}

impl CaptureFile {
    /// Opens `path`; the format (pcap, pcapng, gzip) is detected from its contents.
    pub fn open(path: &Path) -> Result<Self, CaptureError> {
        let name = path.display().to_string();
        let io = |source| CaptureError::Io {
            path: name.clone(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let size = file.metadata().map_err(io)?.len();
        let mut magic = [0u8; 2];
        let gzip = {
            use std::io::Read;
            let mut f = &file;
            f.read_exact(&mut magic).is_ok() && magic == [0x1f, 0x8b]
        };
        let counter = std::sync::Arc::default();
        let file = std::fs::File::open(path).map_err(io)?;
        let reader = CountingReader::new(file, std::sync::Arc::clone(&counter));
        let source = if gzip {
            let decoder = flate2::read::MultiGzDecoder::new(std::io::BufReader::with_capacity(
                1 << 16,
                reader,
            ));
            Source::stream(Box::new(decoder), counter)
        } else {
            Source::stream(Box::new(reader), counter)
        };
        Self::from_source(name, source, Some(size))
    }

    /// Reads a capture held in memory (`name` is used in error messages).
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Self, CaptureError> {
        let size = bytes.len() as u64;
        let source = if bytes.starts_with(&[0x1f, 0x8b]) {
            let counter = std::sync::Arc::default();
            let reader =
                CountingReader::new(std::io::Cursor::new(bytes), std::sync::Arc::clone(&counter));
            Source::stream(Box::new(flate2::read::MultiGzDecoder::new(reader)), counter)
        } else {
            Source::Memory {
                data: bytes,
                pos: 0,
            }
        };
        Self::from_source(name.to_string(), source, Some(size))
    }

    fn from_source(
        path: String,
        mut source: Source,
        file_size: Option<u64>,
    ) -> Result<Self, CaptureError> {
        let format_err = |message: &str| CaptureError::Format {
            path: path.clone(),
            message: message.to_string(),
        };
        let head = source
            .peek(pcap::HEADER_LEN)
            .map_err(|source| CaptureError::Io {
                path: path.clone(),
                source,
            })?
            .unwrap_or(&[]);
        let format = if let Some(p) = Pcap::from_header(head) {
            let _ = source.take(pcap::HEADER_LEN);
            Format::Pcap(p)
        } else if pcapng::is_pcapng(head) {
            Format::Pcapng(Pcapng::new())
        } else if head.is_empty() {
            return Err(format_err("empty file, not a pcap or pcapng capture"));
        } else {
            return Err(format_err(
                "not a pcap or pcapng capture (unknown magic number)",
            ));
        };
        Ok(CaptureFile {
            path,
            source,
            format,
            file_size,
            truncated: false,
            records: 0,
        })
    }

    /// The next packet, `Ok(None)` at the end of the file.
    pub fn next_packet(&mut self) -> Result<Option<PacketRecord<'_>>, CaptureError> {
        let next = match &mut self.format {
            Format::Pcap(p) => p.next(&mut self.source),
            Format::Pcapng(p) => p.next(&mut self.source),
        };
        let layout = match next {
            Ok(Next::Packet(layout)) => layout,
            Ok(Next::End { truncated }) => {
                self.truncated |= truncated;
                return Ok(None);
            }
            Err(message) => {
                let message = format!("record {}: {message}", self.records + 1);
                return Err(CaptureError::Format {
                    path: self.path.clone(),
                    message,
                });
            }
        };
        let path = &self.path;
        let io = |source| CaptureError::Io {
            path: path.clone(),
            source,
        };
        let Some(record) = self.source.take(layout.total).map_err(io)? else {
            self.truncated = true;
            return Ok(None);
        };
        self.records += 1;
        let data = record
            .get(layout.offset..layout.offset + layout.caplen)
            .unwrap_or(&[]);
        Ok(Some(PacketRecord {
            ts: layout.ts,
            link_type: layout.link_type,
            data,
            orig_len: layout.orig_len,
            interface: layout.interface,
        }))
    }

    /// Bytes of the (compressed, if gzip) file consumed so far, for progress reporting.
    pub fn bytes_read(&self) -> u64 {
        self.source.bytes_read()
    }

    /// Size of the file on disk, when known.
    pub fn file_size(&self) -> Option<u64> {
        self.file_size
    }

    /// Records skipped: malformed packet blocks, and a record cut short at the end of the file.
    pub fn skipped_records(&self) -> u64 {
        let pcapng = match &self.format {
            Format::Pcapng(p) => p.skipped,
            Format::Pcap(_) => 0,
        };
        pcapng + u64::from(self.truncated)
    }
}
