//! Classic pcap: a 24-byte file header, then 16-byte record headers each followed by the data.
//! Microsecond (`a1b2c3d4`) and nanosecond (`a1b23c4d`) magics, in either byte order.

use crate::bytes::Endian;
use crate::layout::{Layout, Next, MAX_RECORD};
use crate::source::Source;
use crate::time::Resolution;
use wb_wire::LinkType;

/// Reader state of a pcap file.
pub struct Pcap {
    endian: Endian,
    resolution: Resolution,
    link_type: LinkType,
}

/// Length of the file header.
pub const HEADER_LEN: usize = 24;

impl Pcap {
    /// Parses the file header, when `header` starts with a pcap magic.
    pub fn from_header(header: &[u8]) -> Option<Pcap> {
        let magic: [u8; 4] = header.get(..4)?.try_into().ok()?;
        let (endian, resolution) = match magic {
            [0xd4, 0xc3, 0xb2, 0xa1] => (Endian::Little, Resolution::MICROS),
            [0xa1, 0xb2, 0xc3, 0xd4] => (Endian::Big, Resolution::MICROS),
            [0x4d, 0x3c, 0xb2, 0xa1] => (Endian::Little, Resolution::NANOS),
            [0xa1, 0xb2, 0x3c, 0x4d] => (Endian::Big, Resolution::NANOS),
            _ => return None,
        };
        // The upper bits of the link-type field carry FCS information, not the type.
        let link_type = LinkType(endian.u32(header, 20)? & 0xffff);
        Some(Pcap {
            endian,
            resolution,
            link_type,
        })
    }

    /// Finds the next record.
    pub fn next(&self, source: &mut Source) -> Result<Next, String> {
        let Some(h) = source.peek(16).map_err(|e| e.to_string())? else {
            let left = source.peek(1).map_err(|e| e.to_string())?.is_some();
            return Ok(Next::End { truncated: left });
        };
        let e = self.endian;
        let field = |at| e.u32(h, at).unwrap_or(0);
        let (secs, frac, caplen, orig_len) = (field(0), field(4), field(8), field(12));
        let caplen = usize::try_from(caplen).unwrap_or(usize::MAX);
        if caplen > MAX_RECORD {
            return Err(format!("corrupt record header: captured length {caplen}"));
        }
        let units = u64::from(secs)
            .saturating_mul(self.resolution_units())
            .saturating_add(u64::from(frac));
        Ok(Next::Packet(Layout {
            total: 16 + caplen,
            offset: 16,
            caplen,
            orig_len: orig_len.max(u32::try_from(caplen).unwrap_or(u32::MAX)),
            ts: self.resolution.to_timestamp(units, 0),
            link_type: self.link_type,
            interface: 0,
        }))
    }

    fn resolution_units(&self) -> u64 {
        if self.resolution == Resolution::NANOS {
            1_000_000_000
        } else {
            1_000_000
        }
    }
}
