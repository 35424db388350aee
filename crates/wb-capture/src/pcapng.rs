//! pcapng: sections (SHB) of interfaces (IDB) and packets (EPB, SPB, OPB); every other block is
//! skipped. Each interface has its own link type, time resolution and offset.

use crate::bytes::Endian;
use crate::layout::{Layout, Next, MAX_RECORD};
use crate::source::Source;
use crate::time::Resolution;
use wb_wire::{LinkType, Timestamp};

const SHB: u32 = 0x0A0D_0D0A;
const IDB: u32 = 1;
const OPB: u32 = 2;
const SPB: u32 = 3;
const EPB: u32 = 6;

/// One interface of the current section.
#[derive(Clone, Copy, Debug)]
struct Interface {
    link_type: LinkType,
    snaplen: u32,
    resolution: Resolution,
    offset_secs: i64,
}

/// Reader state of a pcapng file.
pub struct Pcapng {
    endian: Endian,
    interfaces: Vec<Interface>,
    last_ts: Timestamp,
    /// Packet blocks skipped because they were malformed.
    pub skipped: u64,
}

/// True when `head` starts with a section header block.
pub fn is_pcapng(head: &[u8]) -> bool {
    head.get(..4) == Some(&[0x0a, 0x0d, 0x0d, 0x0a][..])
}

impl Pcapng {
    /// A reader positioned before the first section header.
    pub fn new() -> Self {
        Pcapng {
            endian: Endian::Little,
            interfaces: Vec::new(),
            last_ts: Timestamp::default(),
            skipped: 0,
        }
    }

    /// Finds the next packet block, consuming the blocks before it.
    pub fn next(&mut self, source: &mut Source) -> Result<Next, String> {
        loop {
            let io = |e: std::io::Error| e.to_string();
            let Some(head) = source.peek(12).map_err(io)? else {
                let left = source.peek(1).map_err(io)?.is_some();
                return Ok(Next::End { truncated: left });
            };
            if self.endian.u32(head, 0) == Some(SHB) || is_pcapng(head) {
                self.endian = match head.get(8..12) {
                    Some([0x4d, 0x3c, 0x2b, 0x1a]) => Endian::Little,
                    Some([0x1a, 0x2b, 0x3c, 0x4d]) => Endian::Big,
                    _ => return Err("section header with an unknown byte-order magic".into()),
                };
            }
            let e = self.endian;
            let kind = e.u32(head, 0).unwrap_or(0);
            let len = usize::try_from(e.u32(head, 4).unwrap_or(0)).unwrap_or(usize::MAX);
            if !(12..=MAX_RECORD).contains(&len) || len % 4 != 0 {
                return Err(format!("corrupt block of type {kind:#x} with length {len}"));
            }
            let Some(block) = source.peek(len).map_err(io)? else {
                return Ok(Next::End { truncated: true });
            };
            let body = block.get(8..len - 4).unwrap_or(&[]);
            let packet = match kind {
                SHB => {
                    self.interfaces.clear();
                    None
                }
                IDB => {
                    self.add_interface(body);
                    None
                }
                EPB => Some(self.epb(body, len)),
                OPB => Some(self.opb(body, len)),
                SPB => Some(self.spb(body, len)),
                _ => None,
            };
            match packet {
                Some(Some(layout)) => {
                    self.last_ts = layout.ts;
                    return Ok(Next::Packet(layout));
                }
                Some(None) => self.skipped += 1,
                None => {}
            }
            source.take(len).map_err(io)?;
        }
    }

    fn add_interface(&mut self, body: &[u8]) {
        let e = self.endian;
        let mut iface = Interface {
            link_type: LinkType(u32::from(e.u16(body, 0).unwrap_or(0))),
            snaplen: e.u32(body, 4).unwrap_or(0),
            resolution: Resolution::MICROS,
            offset_secs: 0,
        };
        let mut at = 8;
        while let (Some(code), Some(olen)) = (e.u16(body, at), e.u16(body, at + 2)) {
            let olen = usize::from(olen);
            let value = body.get(at + 4..at + 4 + olen).unwrap_or(&[]);
            match (code, value) {
                (0, _) => break,
                (9, [res]) => {
                    if let Some(r) = Resolution::from_tsresol(*res) {
                        iface.resolution = r;
                    }
                }
                (14, v) if v.len() == 8 => iface.offset_secs = e.u64(v, 0).map_or(0, |o| o as i64),
                _ => {}
            }
            at += 4 + olen.div_ceil(4) * 4;
        }
        self.interfaces.push(iface);
    }

    /// Enhanced packet block: 32-bit interface, 64-bit time, captured and original lengths.
    fn epb(&self, body: &[u8], total: usize) -> Option<Layout> {
        let interface = self.endian.u32(body, 0)?;
        self.timed_block(interface, body, total)
    }

    /// Obsolete packet block: 16-bit interface and drop count, then as an EPB.
    fn opb(&self, body: &[u8], total: usize) -> Option<Layout> {
        let interface = u32::from(self.endian.u16(body, 0)?);
        self.timed_block(interface, body, total)
    }

    /// The part EPB and OPB share after the interface: time, captured and original lengths.
    fn timed_block(&self, interface: u32, body: &[u8], total: usize) -> Option<Layout> {
        let e = self.endian;
        let ts = self.ts(interface, e.u32(body, 4)?, e.u32(body, 8)?)?;
        self.layout(
            interface,
            ts,
            e.u32(body, 12)?,
            e.u32(body, 16)?,
            8 + 20,
            body.len().saturating_sub(20),
            total,
        )
    }

    /// Simple packet block: interface 0, no time (the previous packet's is used).
    fn spb(&self, body: &[u8], total: usize) -> Option<Layout> {
        let orig_len = self.endian.u32(body, 0)?;
        let room = body.len().checked_sub(4)?;
        let snap = self.interfaces.first().map_or(u32::MAX, |i| {
            if i.snaplen == 0 {
                u32::MAX
            } else {
                i.snaplen
            }
        });
        let caplen = orig_len
            .min(snap)
            .min(u32::try_from(room).unwrap_or(u32::MAX));
        self.layout(0, self.last_ts, caplen, orig_len, 8 + 4, room, total)
    }

    fn ts(&self, interface: u32, high: u32, low: u32) -> Option<Timestamp> {
        let iface = self.interfaces.get(usize::try_from(interface).ok()?)?;
        let units = (u64::from(high) << 32) | u64::from(low);
        Some(iface.resolution.to_timestamp(units, iface.offset_secs))
    }

    #[allow(clippy::too_many_arguments)]
    fn layout(
        &self,
        interface: u32,
        ts: Timestamp,
        caplen: u32,
        orig_len: u32,
        offset: usize,
        room: usize,
        total: usize,
    ) -> Option<Layout> {
        let iface = self.interfaces.get(usize::try_from(interface).ok()?)?;
        let caplen_usize = usize::try_from(caplen).ok().filter(|c| *c <= room)?;
        Some(Layout {
            total,
            offset,
            caplen: caplen_usize,
            orig_len: orig_len.max(caplen),
            ts,
            link_type: iface.link_type,
            interface,
        })
    }
}
