//! Where one packet is inside the next record of the file, found before the record is taken.

use wb_wire::{LinkType, Timestamp};

/// The packet in the next `total` bytes of the source: its data is `caplen` bytes at `offset`.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    /// Bytes of the whole record (header, data, padding, trailer).
    pub total: usize,
    /// Offset of the packet data in the record.
    pub offset: usize,
    /// Captured bytes.
    pub caplen: usize,
    /// Length on the wire.
    pub orig_len: u32,
    /// Capture time.
    pub ts: Timestamp,
    /// Link type.
    pub link_type: LinkType,
    /// pcapng interface (0 for pcap).
    pub interface: u32,
}

/// What a format reader found next.
pub enum Next {
    /// A packet laid out as described.
    Packet(Layout),
    /// The end of the file; `truncated` when it ended inside a record.
    End {
        /// A partial record was left at the end.
        truncated: bool,
    },
}

/// Largest record accepted; anything larger is corruption.
pub const MAX_RECORD: usize = 64 << 20;
