//! The flow table: a slab of entries plus a key → slot index. Iteration walks the slab in slot
//! order, so sweeps and reports are deterministic for a given input.

use crate::conn::Connection;
use crate::key::FlowKey;
use foldhash::fast::RandomState;
use std::collections::HashMap;
use wb_wire::{Timestamp, VlanTags};

/// Per-direction counters of a flow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DirCounters {
    /// Packets.
    pub packets: u64,
    /// Wire bytes (frame lengths).
    pub bytes: u64,
}

/// One flow: both directions of a conversation.
pub struct FlowEntry {
    /// The canonical key.
    pub key: FlowKey,
    /// The flow's source (sender of its first packet) is the key's `lo` endpoint.
    pub source_is_lo: bool,
    /// MAC addresses as seen in the first packet, source first.
    pub macs: Option<([u8; 6], [u8; 6])>,
    /// VLAN tags.
    pub vlans: VlanTags,
    /// ICMP type and code of the first packet (for `network.community_id`).
    pub icmp_type_code: (u8, u8),
    /// Time of the first packet.
    pub first: Timestamp,
    /// Creation order of the flow in this run (1, 2, …), so that two flows with the same key
    /// and the same first-packet time (a replayed SYN) still get distinct ids.
    pub serial: u64,
    /// Time of the last packet.
    pub last: Timestamp,
    /// Counters from the source \[0\] and from the destination \[1\].
    pub counters: [DirCounters; 2],
    /// The analyzed connection, if a protocol is configured on this flow's port.
    pub conn: Option<Box<Connection>>,
    /// TCP: a FIN was seen from the source \[0\] / destination \[1\].
    pub fin: [bool; 2],
    /// TCP: a RST was seen.
    pub rst: bool,
    /// TCP: the flow began without a SYN after a conversation with the same key had ended;
    /// its packets are late duplicates and are not analyzed.
    pub after_end: bool,
    /// TCP: sequence number of the first SYN (without ACK), to tell a duplicate of that SYN
    /// from a new connection reusing the port pair.
    pub syn_seq: Option<u32>,
}

impl FlowEntry {
    /// The TCP conversation has ended (both FINs, or a RST).
    pub fn tcp_finished(&self) -> bool {
        self.rst || (self.fin[0] && self.fin[1])
    }
}

/// Bounded flow table.
pub struct FlowTable {
    index: HashMap<FlowKey, u32, RandomState>,
    slots: Vec<Option<FlowEntry>>,
    free: Vec<u32>,
    max: usize,
}

impl FlowTable {
    /// A table holding at most `max` flows.
    pub fn new(max: usize) -> Self {
        let initial = max.min(4096);
        FlowTable {
            index: HashMap::with_capacity_and_hasher(initial, RandomState::default()),
            slots: Vec::with_capacity(initial),
            free: Vec::new(),
            max,
        }
    }

    /// Number of flows held.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// The slot of `key`, if present.
    pub fn find(&self, key: &FlowKey) -> Option<u32> {
        self.index.get(key).copied()
    }

    /// Inserts a new entry; `None` when the table is full.
    pub fn insert(&mut self, entry: FlowEntry) -> Option<u32> {
        if self.index.len() >= self.max {
            return None;
        }
        let key = entry.key;
        let slot = match self.free.pop() {
            Some(slot) => {
                if let Some(s) = self.slots.get_mut(slot as usize) {
                    *s = Some(entry);
                }
                slot
            }
            None => {
                let slot = u32::try_from(self.slots.len()).ok()?;
                self.slots.push(Some(entry));
                slot
            }
        };
        self.index.insert(key, slot);
        Some(slot)
    }

    /// The entry in `slot`.
    pub fn get_mut(&mut self, slot: u32) -> Option<&mut FlowEntry> {
        self.slots.get_mut(slot as usize).and_then(Option::as_mut)
    }

    /// Removes and returns the entry in `slot`.
    pub fn remove(&mut self, slot: u32) -> Option<FlowEntry> {
        let entry = self.slots.get_mut(slot as usize)?.take()?;
        self.index.remove(&entry.key);
        self.free.push(slot);
        Some(entry)
    }

    /// Number of slots (occupied or free), for iteration by index.
    pub fn slot_count(&self) -> u32 {
        u32::try_from(self.slots.len()).unwrap_or(u32::MAX)
    }
}
