//! IPv4/IPv6 fragment reassembly, bounded in memory and timed out on packet time.
//!
//! Datagrams are keyed by (source, destination, protocol, identification). Fragments may come
//! in any order; where they overlap, the bytes that arrived first win. A datagram whose payload
//! would exceed 65535 bytes is invalid. Limits: at most `max_datagrams` datagrams and
//! `max_bytes` buffered bytes at once (fragments beyond them are dropped and counted), and a
//! datagram not completed within `timeout_nanos` of packet time after its first fragment is
//! discarded. Expiry runs from [`Defragmenter::add`] at most once per second of packet time, or
//! explicitly through [`Defragmenter::expire`].

use crate::{Fragment, Timestamp};
use std::collections::HashMap;
use std::net::IpAddr;

/// Largest reassembled payload accepted: the 16-bit IP length fields bound a datagram.
const MAX_DATAGRAM: usize = 65_535;

/// Packet time between two automatic expiry sweeps.
const SWEEP_INTERVAL_NANOS: i64 = 1_000_000_000;

/// Buffers of completed datagrams kept for reuse.
const SPARE_BUFFERS: usize = 8;

/// Limits of the defragmenter.
#[derive(Clone, Copy, Debug)]
pub struct DefragConfig {
    /// Most datagrams being reassembled at once.
    pub max_datagrams: usize,
    /// Most bytes held across all datagrams being reassembled.
    pub max_bytes: usize,
    /// A datagram not completed within this many nanoseconds of packet time is discarded.
    pub timeout_nanos: i64,
}

impl Default for DefragConfig {
    fn default() -> Self {
        DefragConfig {
            max_datagrams: 1024,
            max_bytes: 16 << 20,
            timeout_nanos: 30_000_000_000,
        }
    }
}

/// Counters of the defragmenter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DefragStats {
    /// Fragments received.
    pub fragments: u64,
    /// Datagrams completed.
    pub reassembled: u64,
    /// Datagrams discarded because they timed out.
    pub timed_out: u64,
    /// Fragments discarded because a limit was hit.
    pub dropped_limit: u64,
    /// Fragments discarded as malformed (overlap conflicts, beyond 64 KiB).
    pub dropped_invalid: u64,
}

/// A completed datagram.
#[derive(Debug)]
pub struct Reassembled<'a> {
    /// The reassembled upper-layer payload.
    pub payload: &'a [u8],
    /// Upper-layer protocol number.
    pub protocol: u8,
    /// Number of fragments it was made of.
    pub fragments: u32,
    /// Sum of the captured frame lengths of those fragments.
    pub frame_bytes: u64,
}

/// Identifies the datagram a fragment belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct DatagramKey {
    src: IpAddr,
    dst: IpAddr,
    protocol: u8,
    id: u32,
}

/// One datagram being reassembled.
#[derive(Debug)]
struct Pending {
    /// Packet time of its first fragment.
    first_seen: Timestamp,
    /// Payload bytes at their offsets; as long as the furthest fragment end seen.
    buf: Vec<u8>,
    /// Received byte ranges `[start, end)`, sorted and merged.
    received: Vec<(usize, usize)>,
    /// Payload length, known once the last fragment (M clear) arrived.
    total_len: Option<usize>,
    fragments: u32,
    frame_bytes: u64,
}

impl Pending {
    /// True when every byte up to the known total length has arrived.
    fn is_complete(&self) -> bool {
        match (self.total_len, self.received.as_slice()) {
            (Some(total), [(0, end)]) => *end == total,
            (Some(0), []) => true,
            _ => false,
        }
    }

    /// Copies the parts of `data` (placed at `start`) that are not yet received, and records
    /// the range. `buf` must already reach `start + data.len()`.
    fn insert(&mut self, start: usize, data: &[u8]) {
        let end = start + data.len();
        if start == end {
            return;
        }
        let mut pos = start;
        for &(s, e) in &self.received {
            if e <= pos {
                continue;
            }
            if s >= end {
                break;
            }
            if s > pos {
                copy_range(&mut self.buf, data, start, pos, s);
            }
            pos = pos.max(e);
            if pos >= end {
                break;
            }
        }
        if pos < end {
            copy_range(&mut self.buf, data, start, pos, end);
        }
        self.received.push((start, end));
        self.received.sort_unstable();
        let mut merged: usize = 0;
        for i in 1..self.received.len() {
            let (Some(&cur), Some(&last)) = (self.received.get(i), self.received.get(merged))
            else {
                break;
            };
            if cur.0 <= last.1 {
                if let Some(slot) = self.received.get_mut(merged) {
                    slot.1 = last.1.max(cur.1);
                }
            } else {
                merged += 1;
                if let Some(slot) = self.received.get_mut(merged) {
                    *slot = cur;
                }
            }
        }
        self.received.truncate(merged + 1);
    }
}

/// Copies `data[from - start .. to - start]` (data placed at offset `start`) to `buf[from..to]`.
fn copy_range(buf: &mut [u8], data: &[u8], start: usize, from: usize, to: usize) {
    if let (Some(dst), Some(src)) = (buf.get_mut(from..to), data.get(from - start..to - start)) {
        dst.copy_from_slice(src);
    }
}

/// Reassembles IP fragments.
#[derive(Debug, Default)]
pub struct Defragmenter {
    config: DefragConfig,
    stats: DefragStats,
    pending: HashMap<DatagramKey, Pending>,
    /// Bytes held in the buffers of `pending`.
    held_bytes: usize,
    /// Packet time of the last expiry sweep.
    last_sweep: Option<Timestamp>,
    /// The last completed datagram, lent out by `add`.
    out: Vec<u8>,
    /// Emptied buffers to start new datagrams with.
    spare: Vec<Vec<u8>>,
}

impl Defragmenter {
    /// A defragmenter with the given limits.
    pub fn new(config: DefragConfig) -> Self {
        Defragmenter {
            config,
            ..Defragmenter::default()
        }
    }

    /// Adds one fragment; returns the datagram when it is complete.
    ///
    /// `frag` and `data` are what [`crate::decode`] gave for the fragment (its
    /// `Transport::Fragment` and payload); `frame_len` is the captured length of its frame.
    /// The returned payload borrows an internal buffer that stays valid until the next call.
    pub fn add(
        &mut self,
        now: Timestamp,
        src: IpAddr,
        dst: IpAddr,
        frag: Fragment,
        data: &[u8],
        frame_len: u32,
    ) -> Option<Reassembled<'_>> {
        self.stats.fragments += 1;
        match self.last_sweep {
            Some(last) if now.nanos_since(last) < SWEEP_INTERVAL_NANOS => {}
            _ => self.expire(now),
        }

        let start = usize::try_from(frag.offset).unwrap_or(usize::MAX);
        let end = start.saturating_add(data.len());
        if end > MAX_DATAGRAM {
            self.stats.dropped_invalid += 1;
            return None;
        }
        let key = DatagramKey {
            src,
            dst,
            protocol: frag.protocol,
            id: frag.id,
        };

        // A datagram that timed out since the last sweep must not absorb a new fragment.
        if let Some(old) = self.pending.get(&key) {
            if now.nanos_since(old.first_seen) > self.config.timeout_nanos {
                self.discard(&key);
                self.stats.timed_out += 1;
            }
        }
        if !self.pending.contains_key(&key) && self.pending.len() >= self.config.max_datagrams {
            self.stats.dropped_limit += 1;
            return None;
        }

        let mut new_buf = None;
        let pending = match self.pending.get_mut(&key) {
            Some(pending) => pending,
            None => {
                let buf = self.spare.pop().unwrap_or_default();
                new_buf = Some(Pending {
                    first_seen: now,
                    buf,
                    received: Vec::new(),
                    total_len: None,
                    fragments: 0,
                    frame_bytes: 0,
                });
                new_buf.as_mut()?
            }
        };

        // The last fragment fixes the length; contradictions make the fragment invalid.
        let total_len = if frag.more {
            pending.total_len
        } else {
            Some(end)
        };
        let conflicting = match (pending.total_len, total_len) {
            (Some(known), Some(new)) => known != new || end > known,
            (None, Some(new)) => pending.buf.len() > new,
            _ => false,
        };
        if conflicting {
            self.stats.dropped_invalid += 1;
            return None;
        }
        let growth = end.saturating_sub(pending.buf.len());
        if self.held_bytes.saturating_add(growth) > self.config.max_bytes {
            self.stats.dropped_limit += 1;
            return None;
        }

        if growth > 0 {
            pending.buf.resize(end, 0);
        }
        pending.total_len = total_len;
        pending.insert(start, data);
        pending.fragments = pending.fragments.saturating_add(1);
        pending.frame_bytes += u64::from(frame_len);
        self.held_bytes += growth;

        if let Some(pending) = new_buf {
            self.pending.insert(key, pending);
        }
        if !self.pending.get(&key).is_some_and(Pending::is_complete) {
            return None;
        }
        let done = self.pending.remove(&key)?;
        self.held_bytes = self.held_bytes.saturating_sub(done.buf.len());
        self.stats.reassembled += 1;
        let mut previous = std::mem::replace(&mut self.out, done.buf);
        if self.spare.len() < SPARE_BUFFERS {
            previous.clear();
            self.spare.push(previous);
        }
        Some(Reassembled {
            payload: &self.out,
            protocol: frag.protocol,
            fragments: done.fragments,
            frame_bytes: done.frame_bytes,
        })
    }

    /// Discards datagrams whose first fragment is older than the timeout at `now`.
    pub fn expire(&mut self, now: Timestamp) {
        self.last_sweep = Some(now);
        let timeout = self.config.timeout_nanos;
        let before = self.pending.len();
        let mut freed = 0;
        self.pending.retain(|_, pending| {
            let keep = now.nanos_since(pending.first_seen) <= timeout;
            if !keep {
                freed += pending.buf.len();
            }
            keep
        });
        self.held_bytes = self.held_bytes.saturating_sub(freed);
        self.stats.timed_out += (before - self.pending.len()) as u64;
    }

    /// Counters so far.
    pub fn stats(&self) -> DefragStats {
        self.stats
    }

    /// Datagrams currently being reassembled.
    pub fn pending_datagrams(&self) -> usize {
        self.pending.len()
    }

    /// Bytes currently buffered for datagrams being reassembled.
    pub fn pending_bytes(&self) -> usize {
        self.held_bytes
    }

    /// Drops one pending datagram, releasing its bytes.
    fn discard(&mut self, key: &DatagramKey) {
        if let Some(old) = self.pending.remove(key) {
            self.held_bytes = self.held_bytes.saturating_sub(old.buf.len());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const SRC: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
    const DST: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
    const SEC: i64 = 1_000_000_000;

    fn frag(id: u32, offset: u32, more: bool) -> Fragment {
        Fragment {
            id,
            offset,
            more,
            protocol: 17,
        }
    }

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    /// Feeds `(offset, more)` pieces of `whole` in the given order; returns the result of the
    /// last one (payload, fragments, frame bytes).
    fn feed(
        d: &mut Defragmenter,
        whole: &[u8],
        pieces: &[(usize, usize, bool)],
    ) -> Option<(Vec<u8>, u32, u64)> {
        let mut out = None;
        for &(start, end, more) in pieces {
            let f = frag(1, u32::try_from(start).unwrap(), more);
            out = d
                .add(Timestamp(0), SRC, DST, f, &whole[start..end], 100)
                .map(|r| (r.payload.to_vec(), r.fragments, r.frame_bytes));
        }
        out
    }

    #[test]
    fn in_order_and_reversed() {
        let whole = data(3000);
        let mut pieces = vec![(0, 1480, true), (1480, 2960, true), (2960, 3000, false)];
        let mut d = Defragmenter::default();
        assert_eq!(feed(&mut d, &whole, &pieces), Some((whole.clone(), 3, 300)));
        pieces.reverse();
        assert_eq!(feed(&mut d, &whole, &pieces), Some((whole.clone(), 3, 300)));
        pieces.swap(0, 1);
        assert_eq!(feed(&mut d, &whole, &pieces), Some((whole.clone(), 3, 300)));
        let s = d.stats();
        assert_eq!((s.fragments, s.reassembled, s.dropped_invalid), (9, 3, 0));
        assert_eq!((d.pending_datagrams(), d.pending_bytes()), (0, 0));
    }

    #[test]
    fn partial_results_are_not_returned() {
        let whole = data(100);
        let mut d = Defragmenter::default();
        assert_eq!(
            feed(&mut d, &whole, &[(0, 48, true), (80, 100, false)]),
            None
        );
        assert_eq!(d.pending_datagrams(), 1);
        assert_eq!(
            feed(&mut d, &whole, &[(48, 80, true)]),
            Some((whole, 3, 300))
        );
    }

    #[test]
    fn overlaps_keep_first_data() {
        let mut d = Defragmenter::default();
        let t = Timestamp(0);
        assert!(d.add(t, SRC, DST, frag(1, 0, true), &[1; 16], 1).is_none());
        assert!(d.add(t, SRC, DST, frag(1, 8, true), &[2; 16], 1).is_none());
        // Duplicate of the first fragment with other bytes: ignored content.
        assert!(d.add(t, SRC, DST, frag(1, 0, true), &[3; 8], 1).is_none());
        let r = d.add(t, SRC, DST, frag(1, 16, false), &[4; 16], 1).unwrap();
        let mut expected = vec![1; 16];
        expected.extend([2; 8]);
        expected.extend([4; 8]);
        assert_eq!(r.payload, &expected[..]);
        assert_eq!(r.fragments, 4);
    }

    #[test]
    fn keys_are_separate() {
        let mut d = Defragmenter::default();
        let t = Timestamp(0);
        assert!(d.add(t, SRC, DST, frag(1, 0, true), &[1; 8], 1).is_none());
        assert!(d.add(t, DST, SRC, frag(1, 8, false), &[2; 8], 1).is_none());
        assert!(d.add(t, SRC, DST, frag(2, 8, false), &[2; 8], 1).is_none());
        let other_proto = Fragment {
            protocol: 6,
            ..frag(1, 8, false)
        };
        assert!(d.add(t, SRC, DST, other_proto, &[2; 8], 1).is_none());
        assert_eq!(d.pending_datagrams(), 4);
        let r = d.add(t, SRC, DST, frag(1, 8, false), &[2; 8], 1).unwrap();
        assert_eq!((r.payload.len(), r.protocol), (16, 17));
    }

    #[test]
    fn invalid_fragments() {
        let mut d = Defragmenter::default();
        let t = Timestamp(0);
        assert!(d
            .add(t, SRC, DST, frag(1, 65_520, true), &[0; 8], 1)
            .is_none());
        assert!(d
            .add(t, SRC, DST, frag(1, 65_528, false), &[0; 16], 1)
            .is_none());
        assert_eq!(d.stats().dropped_invalid, 1);
        // Two different ends, then data beyond the end.
        assert!(d.add(t, SRC, DST, frag(2, 8, false), &[0; 8], 1).is_none());
        assert!(d.add(t, SRC, DST, frag(2, 8, false), &[0; 16], 1).is_none());
        assert!(d.add(t, SRC, DST, frag(2, 16, true), &[0; 8], 1).is_none());
        assert_eq!(d.stats().dropped_invalid, 3);
        // An end before data already seen.
        assert!(d.add(t, SRC, DST, frag(3, 16, true), &[0; 8], 1).is_none());
        assert!(d.add(t, SRC, DST, frag(3, 0, false), &[0; 8], 1).is_none());
        assert_eq!(d.stats().dropped_invalid, 4);
        // The valid datagram still completes.
        assert!(d.add(t, SRC, DST, frag(2, 0, true), &[0; 8], 1).is_some());
    }

    #[test]
    fn limits() {
        let config = DefragConfig {
            max_datagrams: 2,
            max_bytes: 100,
            ..DefragConfig::default()
        };
        let mut d = Defragmenter::new(config);
        let t = Timestamp(0);
        assert!(d.add(t, SRC, DST, frag(1, 0, true), &[0; 8], 1).is_none());
        assert!(d.add(t, SRC, DST, frag(2, 0, true), &[0; 8], 1).is_none());
        assert!(d.add(t, SRC, DST, frag(3, 0, true), &[0; 8], 1).is_none());
        assert_eq!(d.stats().dropped_limit, 1);
        assert_eq!(d.pending_datagrams(), 2);
        // 16 bytes held; a fragment ending at 120 would hold 128.
        assert!(d
            .add(t, SRC, DST, frag(1, 112, false), &[0; 8], 1)
            .is_none());
        assert_eq!(d.stats().dropped_limit, 2);
        assert_eq!(d.pending_bytes(), 16);
        assert!(d.add(t, SRC, DST, frag(1, 8, false), &[0; 8], 1).is_some());
        assert_eq!(d.pending_bytes(), 8);
    }

    #[test]
    fn timeouts_on_packet_time() {
        let config = DefragConfig {
            timeout_nanos: 5 * SEC,
            ..DefragConfig::default()
        };
        let mut d = Defragmenter::new(config);
        assert!(d
            .add(Timestamp(0), SRC, DST, frag(1, 0, true), &[0; 8], 1)
            .is_none());
        assert!(d
            .add(Timestamp(SEC), SRC, DST, frag(2, 0, true), &[0; 8], 1)
            .is_none());
        // Within one second of the last sweep: not swept, but the stale datagram is not
        // completed either.
        assert!(d
            .add(
                Timestamp(5 * SEC + 1),
                SRC,
                DST,
                frag(9, 0, true),
                &[0; 8],
                1
            )
            .is_none());
        assert!(d
            .add(
                Timestamp(5 * SEC + 2),
                SRC,
                DST,
                frag(1, 8, false),
                &[0; 8],
                1
            )
            .is_none());
        assert_eq!(d.stats().timed_out, 1);
        // The sweep on add drops datagram 2 once its time has come.
        assert!(d
            .add(Timestamp(7 * SEC), SRC, DST, frag(8, 0, true), &[0; 8], 1)
            .is_none());
        assert_eq!(d.stats().timed_out, 2);
        d.expire(Timestamp(100 * SEC));
        assert_eq!(d.stats().timed_out, 5);
        assert_eq!((d.pending_datagrams(), d.pending_bytes()), (0, 0));
    }
}
