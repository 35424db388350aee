//! IPv4/IPv6 fragment reassembly, bounded in memory and timed out on packet time.
//! (Implementation in progress.)

use crate::{Fragment, Timestamp};
use std::net::IpAddr;

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
        DefragConfig { max_datagrams: 1024, max_bytes: 16 << 20, timeout_nanos: 30_000_000_000 }
    }
}

/// Counters of the defragmenter.
#[derive(Clone, Copy, Debug, Default)]
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

/// Reassembles IP fragments.
#[derive(Debug, Default)]
pub struct Defragmenter {
    config: DefragConfig,
    stats: DefragStats,
}

impl Defragmenter {
    /// A defragmenter with the given limits.
    pub fn new(config: DefragConfig) -> Self {
        Defragmenter { config, stats: DefragStats::default() }
    }

    /// Adds one fragment; returns the datagram when it is complete.
    pub fn add(
        &mut self,
        now: Timestamp,
        src: IpAddr,
        dst: IpAddr,
        frag: Fragment,
        data: &[u8],
        frame_len: u32,
    ) -> Option<Reassembled<'_>> {
        let _ = (now, src, dst, frag, data, frame_len, self.config);
        self.stats.fragments += 1;
        None
    }

    /// Counters so far.
    pub fn stats(&self) -> DefragStats {
        self.stats
    }
}
