//! Engine counters. Plain integers on the packet path; read out at the end or on demand.

use crate::conn::DispatchStats;
use crate::reassembly::ReassemblyStats;
use wb_wire::{DecodeError, DefragStats};

/// Every counter the engine keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Frames received.
    pub packets: u64,
    /// Wire bytes of those frames.
    pub bytes: u64,
    /// Frames that could not be decoded, by reason (see [`DecodeError::ALL_REASONS`]).
    pub decode_errors: [u64; DecodeError::ALL_REASONS.len()],
    /// IP fragments (held until their datagram is complete).
    pub fragments: u64,
    /// Fragments that ended up in a reassembled datagram.
    pub fragments_reassembled: u64,
    /// Flows created.
    pub flows_created: u64,
    /// Packets not tracked because the flow table was full.
    pub flow_table_full: u64,
    /// Packets that matched no configured protocol while flows are disabled.
    pub untracked_packets: u64,
    /// Connections handed to an analyzer.
    pub connections: u64,
    /// Analyzer plumbing counters.
    pub dispatch: DispatchStats,
    /// TCP reassembly counters.
    pub tcp: ReassemblyStats,
    /// Defragmentation counters.
    pub defrag: DefragStats,
    /// Flow events emitted.
    pub flow_events: u64,
}

impl EngineStats {
    /// Counts one decode failure.
    pub fn count_decode_error(&mut self, err: &DecodeError) {
        let reason = err.reason();
        if let Some(i) = DecodeError::ALL_REASONS.iter().position(|r| *r == reason) {
            if let Some(c) = self.decode_errors.get_mut(i) {
                *c += 1;
            }
        }
    }

    /// Fragments never completed (timed out, dropped, or still pending at the end).
    pub fn fragments_incomplete(&self) -> u64 {
        self.fragments.saturating_sub(self.fragments_reassembled)
    }

    /// `(reason, count)` of every non-zero decode failure.
    pub fn decode_errors_by_reason(&self) -> Vec<(&'static str, u64)> {
        DecodeError::ALL_REASONS
            .iter()
            .zip(self.decode_errors.iter())
            .filter(|(_, n)| **n > 0)
            .map(|(r, n)| (*r, *n))
            .collect()
    }
}
