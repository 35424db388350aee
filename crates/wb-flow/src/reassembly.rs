//! One direction of a TCP stream: sequence tracking, a bounded out-of-order store,
//! retransmission and overlap trimming, mid-stream pickup, FIN, and gaps for holes that can no
//! longer be filled. Pure: it turns segments into [`Delivery`] items and knows nothing of
//! analyzers.

/// What the assembler hands on, in stream order.
#[derive(Debug, PartialEq, Eq)]
pub enum Delivery<'a> {
    /// The next in-order bytes.
    Data(&'a [u8]),
    /// This many bytes are lost for good; data continues after them.
    Gap(u32),
    /// The direction has ended (FIN reached, RST, or flushed at expiry).
    Eof,
}

/// Bounds of the out-of-order store of one direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReassemblyLimits {
    /// Most segments held out of order.
    pub max_segments: usize,
    /// Most bytes held out of order.
    pub max_bytes: usize,
}

impl Default for ReassemblyLimits {
    fn default() -> Self {
        ReassemblyLimits {
            max_segments: 256,
            max_bytes: 1 << 20,
        }
    }
}

/// Counters of what the assembler saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReassemblyStats {
    /// Segments wholly before the expected sequence (retransmissions).
    pub retransmitted: u64,
    /// Segments that overlapped data already delivered and were trimmed.
    pub trimmed: u64,
    /// Segments stored out of order.
    pub out_of_order: u64,
    /// Holes given up on (reported as gaps).
    pub gaps: u64,
    /// Bytes reported lost in gaps.
    pub gap_bytes: u64,
    /// Segments dropped because they were implausibly far ahead (more than 1 GiB).
    pub out_of_window: u64,
}

#[derive(Debug)]
struct HeldSegment {
    seq: u32,
    data: Vec<u8>,
}

/// Sequence state of one direction.
#[derive(Debug, Default)]
pub struct StreamAssembler {
    next_seq: u32,
    started: bool,
    held: Vec<HeldSegment>,
    held_bytes: usize,
    fin_seq: Option<u32>,
    ended: bool,
    /// Peer packets that acknowledged past the first hole so far.
    hole_acks: u8,
}

/// Peer packets acknowledging past a hole before it is given up as lost. One is not enough:
/// a capture point that reorders (mirror ports, multi-queue NICs) can show the receiver's ack
/// before the segment it acknowledges; as with TCP's duplicate-ack threshold, the third one
/// is taken as proof of loss.
const HOLE_ACK_STRIKES: u8 = 3;

/// Segments further ahead than this are not plausible data of this stream.
const MAX_AHEAD: i32 = 1 << 30;

/// One TCP segment of a direction, as the assembler needs it.
#[derive(Clone, Copy, Debug)]
pub struct Segment<'a> {
    /// Sequence number of the first byte (of the SYN, when `syn`).
    pub seq: u32,
    /// SYN flag.
    pub syn: bool,
    /// FIN flag.
    pub fin: bool,
    /// Payload bytes.
    pub payload: &'a [u8],
}

impl StreamAssembler {
    /// True once the direction has delivered its end.
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// True while out-of-order data is held.
    pub fn has_held_data(&self) -> bool {
        !self.held.is_empty()
    }

    /// Takes one segment of this direction.
    pub fn segment(
        &mut self,
        segment: Segment<'_>,
        limits: ReassemblyLimits,
        stats: &mut ReassemblyStats,
        out: &mut dyn FnMut(Delivery),
    ) {
        let Segment {
            mut seq,
            syn,
            fin,
            payload,
        } = segment;
        if self.ended {
            if !payload.is_empty() {
                stats.retransmitted += 1;
            }
            return;
        }
        if syn {
            seq = seq.wrapping_add(1);
            if !self.started || self.held.is_empty() {
                self.next_seq = seq;
                self.started = true;
            }
        }
        if !self.started {
            if payload.is_empty() && !fin {
                return;
            }
            // Mid-stream pickup: the first segment seen sets the expected sequence.
            self.next_seq = seq;
            self.started = true;
        }
        if !payload.is_empty() {
            self.data(seq, payload, limits, stats, out);
        }
        if fin {
            self.fin_seq = Some(seq.wrapping_add(payload.len() as u32));
        }
        self.check_eof(out);
    }

    fn data(
        &mut self,
        seq: u32,
        payload: &[u8],
        limits: ReassemblyLimits,
        stats: &mut ReassemblyStats,
        out: &mut dyn FnMut(Delivery),
    ) {
        let offset = seq.wrapping_sub(self.next_seq) as i32;
        if offset <= 0 {
            let skip = offset.unsigned_abs() as usize;
            match payload.get(skip..) {
                Some(rest) if !rest.is_empty() => {
                    if skip > 0 {
                        stats.trimmed += 1;
                    }
                    out(Delivery::Data(rest));
                    self.next_seq = self.next_seq.wrapping_add(rest.len() as u32);
                    self.hole_acks = 0;
                    self.drain_held(stats, out);
                }
                _ => stats.retransmitted += 1,
            }
            return;
        }
        if offset > MAX_AHEAD {
            stats.out_of_window += 1;
            return;
        }
        if self
            .held
            .iter()
            .any(|h| h.seq == seq && h.data.len() >= payload.len())
        {
            stats.retransmitted += 1;
            return;
        }
        while self.held.len() >= limits.max_segments
            || self.held_bytes + payload.len() > limits.max_bytes
        {
            if self.held.is_empty() {
                // A single segment larger than the whole store: the hole before it is lost.
                self.gap_to(seq, stats, out);
                self.data(seq, payload, limits, stats, out);
                return;
            }
            self.skip_first_hole(stats, out);
        }
        stats.out_of_order += 1;
        let pos = self
            .held
            .iter()
            .position(|h| (h.seq.wrapping_sub(seq) as i32) > 0)
            .unwrap_or(self.held.len());
        self.held_bytes += payload.len();
        self.held.insert(
            pos,
            HeldSegment {
                seq,
                data: payload.to_vec(),
            },
        );
    }

    /// Delivers held segments that have become contiguous.
    fn drain_held(&mut self, stats: &mut ReassemblyStats, out: &mut dyn FnMut(Delivery)) {
        while let Some(first) = self.held.first() {
            let offset = first.seq.wrapping_sub(self.next_seq) as i32;
            if offset > 0 {
                break;
            }
            let seg = self.held.remove(0);
            self.held_bytes -= seg.data.len();
            let skip = offset.unsigned_abs() as usize;
            match seg.data.get(skip..) {
                Some(rest) if !rest.is_empty() => {
                    out(Delivery::Data(rest));
                    self.next_seq = self.next_seq.wrapping_add(rest.len() as u32);
                }
                _ => stats.retransmitted += 1,
            }
        }
    }

    fn gap_to(&mut self, seq: u32, stats: &mut ReassemblyStats, out: &mut dyn FnMut(Delivery)) {
        let missing = seq.wrapping_sub(self.next_seq);
        if missing > 0 && (missing as i32) > 0 {
            stats.gaps += 1;
            stats.gap_bytes += u64::from(missing);
            out(Delivery::Gap(missing));
            self.next_seq = seq;
        }
    }

    /// Gives up on the hole before the first held segment.
    fn skip_first_hole(&mut self, stats: &mut ReassemblyStats, out: &mut dyn FnMut(Delivery)) {
        self.hole_acks = 0;
        if let Some(seq) = self.held.first().map(|h| h.seq) {
            self.gap_to(seq, stats, out);
            self.drain_held(stats, out);
        }
    }

    /// The peer acknowledged up to `ack`: if that reaches into held data past a hole, the peer
    /// got the hole's bytes although the capture has not shown them. When the acknowledging
    /// packet carries data (`with_data`: an answer is about to be delivered, so what it answers
    /// must be delivered first), or after [`HOLE_ACK_STRIKES`] pure acks, the bytes are taken
    /// as lost (they will never be retransmitted); before that, the missing segment may still
    /// come (a capture that reorders). An ack that ends exactly where held data starts does
    /// not count.
    pub fn peer_ack(
        &mut self,
        ack: u32,
        with_data: bool,
        stats: &mut ReassemblyStats,
        out: &mut dyn FnMut(Delivery),
    ) {
        let past_hole = |held: &[HeldSegment]| {
            held.first()
                .is_some_and(|h| (ack.wrapping_sub(h.seq) as i32) > 0)
        };
        if past_hole(&self.held) {
            self.hole_acks = self.hole_acks.saturating_add(1);
            if with_data || self.hole_acks >= HOLE_ACK_STRIKES {
                while past_hole(&self.held) {
                    self.skip_first_hole(stats, out);
                }
            }
        }
        self.check_eof(out);
    }

    /// Gives up on every hole and ends the direction (RST, expiry, end of capture).
    pub fn flush(&mut self, stats: &mut ReassemblyStats, out: &mut dyn FnMut(Delivery)) {
        while self.has_held_data() {
            self.skip_first_hole(stats, out);
        }
        if !self.ended {
            self.ended = true;
            out(Delivery::Eof);
        }
    }

    fn check_eof(&mut self, out: &mut dyn FnMut(Delivery)) {
        if !self.ended && self.fin_seq == Some(self.next_seq) && self.held.is_empty() {
            self.ended = true;
            out(Delivery::Eof);
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    enum Out {
        D(Vec<u8>),
        G(u32),
        E,
    }

    struct Harness {
        asm: StreamAssembler,
        stats: ReassemblyStats,
        limits: ReassemblyLimits,
        got: Vec<Out>,
    }

    impl Harness {
        fn new() -> Self {
            Harness {
                asm: StreamAssembler::default(),
                stats: ReassemblyStats::default(),
                limits: ReassemblyLimits::default(),
                got: Vec::new(),
            }
        }
        fn seg(&mut self, seq: u32, syn: bool, fin: bool, data: &[u8]) {
            let got = &mut self.got;
            self.asm.segment(
                Segment {
                    seq,
                    syn,
                    fin,
                    payload: data,
                },
                self.limits,
                &mut self.stats,
                &mut |d| {
                    got.push(match d {
                        Delivery::Data(b) => Out::D(b.to_vec()),
                        Delivery::Gap(n) => Out::G(n),
                        Delivery::Eof => Out::E,
                    })
                },
            );
        }
        fn ack(&mut self, ack: u32) {
            let got = &mut self.got;
            self.asm.peer_ack(ack, false, &mut self.stats, &mut |d| {
                got.push(match d {
                    Delivery::Data(b) => Out::D(b.to_vec()),
                    Delivery::Gap(n) => Out::G(n),
                    Delivery::Eof => Out::E,
                })
            });
        }
        fn flush(&mut self) {
            let got = &mut self.got;
            self.asm.flush(&mut self.stats, &mut |d| {
                got.push(match d {
                    Delivery::Data(b) => Out::D(b.to_vec()),
                    Delivery::Gap(n) => Out::G(n),
                    Delivery::Eof => Out::E,
                })
            });
        }
        fn data(&self) -> Vec<u8> {
            self.got
                .iter()
                .flat_map(|o| match o {
                    Out::D(b) => b.clone(),
                    _ => Vec::new(),
                })
                .collect()
        }
    }

    #[test]
    fn in_order_with_syn_and_fin() {
        let mut h = Harness::new();
        h.seg(999, true, false, b"");
        h.seg(1000, false, false, b"abc");
        h.seg(1003, false, true, b"de");
        assert_eq!(
            h.got,
            vec![Out::D(b"abc".to_vec()), Out::D(b"de".to_vec()), Out::E]
        );
    }

    #[test]
    fn reorders_and_trims_overlaps() {
        let mut h = Harness::new();
        h.seg(0, true, false, b"");
        h.seg(4, false, false, b"defg"); // ahead: held
        h.seg(1, false, false, b"abc");
        h.seg(2, false, false, b"bcdef"); // overlap, all old
        h.seg(6, false, true, b"fghij"); // overlaps held data, then new bytes
        assert_eq!(h.data(), b"abcdefghij");
        assert_eq!(h.got.last(), Some(&Out::E));
        assert_eq!(h.stats.out_of_order, 1);
    }

    #[test]
    fn mid_stream_pickup_and_wraparound() {
        let mut h = Harness::new();
        h.seg(u32::MAX - 1, false, false, b"xy");
        h.seg(0, false, false, b"z");
        h.seg(u32::MAX - 1, false, false, b"xy"); // retransmission
        assert_eq!(h.data(), b"xyz");
        assert_eq!(h.stats.retransmitted, 1);
    }

    #[test]
    fn peer_ack_past_a_hole_reports_a_gap() {
        let mut h = Harness::new();
        h.seg(0, true, false, b"");
        h.seg(1, false, false, b"aa");
        h.seg(13, false, false, b"bb"); // 10 bytes missing at 3..13
        h.ack(5); // peer has not got past the hole start yet: keep waiting
        assert_eq!(h.got.len(), 1);
        h.ack(15);
        h.ack(15);
        assert_eq!(
            h.got.len(),
            1,
            "two acks past the hole may still be a reordering"
        );
        h.ack(15);
        assert_eq!(
            h.got,
            vec![Out::D(b"aa".to_vec()), Out::G(10), Out::D(b"bb".to_vec())]
        );
    }

    #[test]
    fn an_ack_seen_before_the_segment_it_acknowledges_is_not_a_loss() {
        let mut h = Harness::new();
        h.seg(0, true, false, b"");
        h.seg(3, false, false, b"cd"); // "ab" at 1..3 comes later
        h.ack(5);
        h.seg(1, false, false, b"ab");
        assert_eq!(h.data(), b"abcd");
        assert_eq!(h.stats.gaps, 0);
    }

    #[test]
    fn limits_force_gaps_and_flush_ends() {
        let mut h = Harness::new();
        h.limits = ReassemblyLimits {
            max_segments: 2,
            max_bytes: 100,
        };
        h.seg(0, true, false, b"");
        h.seg(11, false, false, b"a");
        h.seg(21, false, false, b"b");
        h.seg(31, false, false, b"c"); // store full: first hole given up
        assert_eq!(h.got, vec![Out::G(10), Out::D(b"a".to_vec())]);
        h.flush();
        assert_eq!(
            h.got[2..],
            [
                Out::G(9),
                Out::D(b"b".to_vec()),
                Out::G(9),
                Out::D(b"c".to_vec()),
                Out::E
            ]
        );
        assert_eq!(h.stats.gap_bytes, 28);
    }

    #[test]
    fn fin_waits_for_hole() {
        let mut h = Harness::new();
        h.seg(0, true, false, b"");
        h.seg(3, false, true, b"cd");
        assert!(h.got.is_empty());
        h.seg(1, false, false, b"ab");
        assert_eq!(h.data(), b"abcd");
        assert_eq!(h.got.last(), Some(&Out::E));
    }

    #[test]
    fn oversized_single_segment_beyond_store() {
        let mut h = Harness::new();
        h.limits = ReassemblyLimits {
            max_segments: 4,
            max_bytes: 4,
        };
        h.seg(0, true, false, b"");
        h.seg(6, false, false, b"abcdefgh");
        assert_eq!(h.got, vec![Out::G(5), Out::D(b"abcdefgh".to_vec())]);
    }

    #[test]
    fn absurd_sequence_is_dropped() {
        let mut h = Harness::new();
        h.seg(0, false, false, b"a");
        h.seg(1 << 31, false, false, b"b");
        assert_eq!(h.stats.out_of_window + h.stats.retransmitted, 1);
    }
}
