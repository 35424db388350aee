//! One analyzed connection: its analyzer with the per-direction unconsumed tail (the one
//! buffering rule of the contract), and for TCP the two stream assemblers.

use crate::reassembly::{Delivery, ReassemblyLimits, ReassemblyStats, Segment, StreamAssembler};
use std::sync::Arc;
use wb_event::Event;
use wb_proto::{Analyzer, AnomalyCounts, ConnMeta, Cx, Dir, GapAction, Progress, Protocol};
use wb_wire::{TcpFlags, Timestamp};

/// Counters of the analyzer plumbing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DispatchStats {
    /// Calls where the analyzer said the data was not its protocol.
    pub invalid: u64,
    /// Messages that outgrew `max_message_size` while buffered (reported as gaps).
    pub oversized: u64,
    /// Analyzers replaced after a gap.
    pub resets: u64,
}

/// Where analyzer output and counters go.
pub struct Outputs<'a> {
    /// Emitted events.
    pub events: &'a mut Vec<Event>,
    /// Anomaly counters.
    pub anomalies: &'a mut AnomalyCounts,
    /// Plumbing counters.
    pub stats: &'a mut DispatchStats,
}

#[derive(Default)]
struct Tail {
    buf: Vec<u8>,
    needed: usize,
}

/// The analyzer of a connection and the bytes held for it.
struct AnalyzerSide {
    protocol: Arc<dyn Protocol>,
    analyzer: Box<dyn Analyzer>,
    meta: ConnMeta,
    tails: [Tail; 2],
}

impl AnalyzerSide {
    fn cx<'c>(
        meta: &'c ConnMeta,
        protocol: &Arc<dyn Protocol>,
        now: Timestamp,
        out: &'c mut Outputs,
    ) -> Cx<'c> {
        Cx::new(now, meta, protocol.name(), out.events, out.anomalies)
    }

    fn deliver(&mut self, dir: Dir, item: Delivery, now: Timestamp, out: &mut Outputs) {
        match item {
            Delivery::Data(bytes) => self.data(dir, bytes, now, out),
            Delivery::Gap(missing) => self.gap(dir, missing, now, out),
            Delivery::Eof => {
                if let Some(tail) = self.tails.get_mut(dir.index()) {
                    tail.buf.clear();
                    tail.needed = 0;
                }
                let mut cx = Self::cx(&self.meta, &self.protocol, now, out);
                self.analyzer.on_eof(dir, &mut cx);
            }
        }
    }

    fn data(&mut self, dir: Dir, bytes: &[u8], now: Timestamp, out: &mut Outputs) {
        let Some(tail) = self.tails.get_mut(dir.index()) else {
            return;
        };
        let mut held = std::mem::take(&mut tail.buf);
        let needed = tail.needed;
        let progress = if held.is_empty() {
            // Zero-copy path: the analyzer reads the segment in place.
            let mut cx = Self::cx(&self.meta, &self.protocol, now, out);
            let p = self.analyzer.on_data(dir, bytes, &mut cx);
            keep_tail(&mut held, bytes, p);
            p
        } else {
            held.extend_from_slice(bytes);
            if held.len() < needed {
                Progress::NeedMore {
                    consumed: 0,
                    needed,
                }
            } else {
                let mut cx = Self::cx(&self.meta, &self.protocol, now, out);
                let p = self.analyzer.on_data(dir, &held, &mut cx);
                match p {
                    Progress::Done | Progress::Invalid => held.clear(),
                    Progress::NeedMore { consumed, .. } => {
                        held.drain(..consumed.min(held.len()));
                    }
                }
                p
            }
        };
        let mut next_needed = match progress {
            Progress::NeedMore { needed, .. } => needed,
            Progress::Done => 0,
            Progress::Invalid => {
                out.stats.invalid += 1;
                0
            }
        };
        if held.len() > self.protocol.max_message_size() {
            // The message outgrew the limit: its bytes are dropped and reported as lost.
            out.stats.oversized += 1;
            let lost = u32::try_from(held.len()).unwrap_or(u32::MAX);
            held.clear();
            next_needed = 0;
            self.gap(dir, lost, now, out);
        }
        if let Some(tail) = self.tails.get_mut(dir.index()) {
            tail.buf = held;
            tail.needed = next_needed;
        }
    }

    fn gap(&mut self, dir: Dir, missing: u32, now: Timestamp, out: &mut Outputs) {
        if let Some(tail) = self.tails.get_mut(dir.index()) {
            tail.buf.clear();
            tail.needed = 0;
        }
        let mut cx = Self::cx(&self.meta, &self.protocol, now, out);
        if self.analyzer.on_gap(dir, missing, &mut cx) == GapAction::Reset {
            out.stats.resets += 1;
            self.analyzer = self.protocol.new_analyzer(&self.meta);
            for tail in &mut self.tails {
                tail.buf.clear();
                tail.needed = 0;
            }
        }
    }

    fn expire(&mut self, now: Timestamp, out: &mut Outputs) {
        let mut cx = Self::cx(&self.meta, &self.protocol, now, out);
        self.analyzer.on_expire(now, &mut cx);
    }
}

/// After a zero-copy call, copies the unconsumed end of `bytes` into `held`.
fn keep_tail(held: &mut Vec<u8>, bytes: &[u8], progress: Progress) {
    if let Progress::NeedMore { consumed, .. } = progress {
        if let Some(rest) = bytes.get(consumed..) {
            held.extend_from_slice(rest);
        }
    }
}

/// State of one analyzed connection.
pub struct Connection {
    side: AnalyzerSide,
    assemblers: [StreamAssembler; 2],
    /// Packet time of the last packet.
    pub last_seen: Timestamp,
    closed: bool,
}

impl Connection {
    /// A new connection analyzed by `protocol`.
    pub fn new(protocol: Arc<dyn Protocol>, meta: ConnMeta, now: Timestamp) -> Self {
        let analyzer = protocol.new_analyzer(&meta);
        Connection {
            side: AnalyzerSide {
                protocol,
                analyzer,
                meta,
                tails: [Tail::default(), Tail::default()],
            },
            assemblers: [StreamAssembler::default(), StreamAssembler::default()],
            last_seen: now,
            closed: false,
        }
    }

    /// The direction of a packet sent from `src`.
    pub fn dir_from(&self, src: std::net::SocketAddr) -> Dir {
        if src == self.side.meta.client {
            Dir::ToServer
        } else {
            Dir::ToClient
        }
    }

    /// Idle time after which the connection expires.
    pub fn timeout_nanos(&self) -> i64 {
        self.side.protocol.transaction_timeout_nanos()
    }

    /// Both directions have ended, or the connection was reset.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// One UDP datagram in `dir`.
    pub fn datagram(&mut self, dir: Dir, now: Timestamp, payload: &[u8], out: &mut Outputs) {
        self.last_seen = now;
        let side = &mut self.side;
        let mut cx = AnalyzerSide::cx(&side.meta, &side.protocol, now, out);
        if side.analyzer.on_data(dir, payload, &mut cx) == Progress::Invalid {
            out.stats.invalid += 1;
        }
    }

    /// One TCP segment travelling in `dir`.
    #[allow(clippy::too_many_arguments)]
    pub fn tcp_segment(
        &mut self,
        dir: Dir,
        now: Timestamp,
        seq: u32,
        ack: u32,
        flags: TcpFlags,
        payload: &[u8],
        limits: ReassemblyLimits,
        tcp_stats: &mut ReassemblyStats,
        out: &mut Outputs,
    ) {
        self.last_seen = now;
        let Connection {
            side,
            assemblers,
            closed,
            ..
        } = self;
        let [to_server, to_client] = assemblers;
        let (this, other) = match dir {
            Dir::ToServer => (to_server, to_client),
            Dir::ToClient => (to_client, to_server),
        };
        if flags.ack() {
            other.peer_ack(ack, !payload.is_empty(), tcp_stats, &mut |d| {
                side.deliver(dir.reverse(), d, now, out)
            });
        }
        if flags.rst() {
            this.flush(tcp_stats, &mut |d| side.deliver(dir, d, now, out));
            other.flush(tcp_stats, &mut |d| side.deliver(dir.reverse(), d, now, out));
        } else {
            this.segment(
                Segment {
                    seq,
                    syn: flags.syn(),
                    fin: flags.fin(),
                    payload,
                },
                limits,
                tcp_stats,
                &mut |d| side.deliver(dir, d, now, out),
            );
        }
        if this.ended() && other.ended() && !*closed {
            *closed = true;
            side.expire(now, out);
        }
    }

    /// Ends the connection: every hole becomes a gap, both directions end, and the analyzer
    /// publishes what it still holds.
    pub fn close(&mut self, now: Timestamp, tcp_stats: &mut ReassemblyStats, out: &mut Outputs) {
        if self.closed {
            return;
        }
        self.closed = true;
        let Connection {
            side, assemblers, ..
        } = self;
        let [to_server, to_client] = assemblers;
        if side.meta.transport == wb_proto::TransportKind::Tcp {
            to_server.flush(tcp_stats, &mut |d| side.deliver(Dir::ToServer, d, now, out));
            to_client.flush(tcp_stats, &mut |d| side.deliver(Dir::ToClient, d, now, out));
        }
        side.expire(now, out);
    }
}
