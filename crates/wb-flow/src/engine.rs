//! The engine: one worker's whole state machine from frame to events, driven by packet time.

use crate::conn::{Connection, Outputs};
use crate::ended::EndedConversations;
use crate::flow_event::flow_event;
use crate::key::{Endpoint, FlowKey};
use crate::ports::PortMap;
use crate::reassembly::ReassemblyLimits;
use crate::stats::EngineStats;
use crate::table::{DirCounters, FlowEntry, FlowTable};
use std::net::SocketAddr;
use std::sync::Arc;
use wb_event::{icmp_ports, Event};
use wb_proto::icmp::{IcmpConfig, IcmpPacket, IcmpTracker, Msg};
use wb_proto::{AnomalyCounts, ConnMeta, Protocol, TransportKind};
use wb_wire::{
    decode, decode_ip_payload, DefragConfig, Defragmenter, LinkType, Packet, Timestamp, Transport,
};

const SECOND: i64 = 1_000_000_000;

/// Flow reporting settings (`packetbeat.flows`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowSettings {
    /// A flow idle for longer than this is reported final and forgotten.
    pub timeout_nanos: i64,
    /// Every active flow is reported this often; `None` = only final reports.
    pub period_nanos: Option<i64>,
}

/// Engine settings.
#[derive(Clone, Copy, Debug)]
pub struct EngineConfig {
    /// Flow events; `None` disables them (connections are still tracked for analyzers).
    pub flows: Option<FlowSettings>,
    /// Most flows (and so connections) tracked at once.
    pub max_flows: usize,
    /// Out-of-order bounds per TCP direction.
    pub tcp_limits: ReassemblyLimits,
    /// IP defragmentation bounds.
    pub defrag: DefragConfig,
    /// ICMP transactions (`type: icmp` enabled).
    pub icmp: Option<IcmpConfig>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            flows: Some(FlowSettings {
                timeout_nanos: 30 * SECOND,
                period_nanos: Some(10 * SECOND),
            }),
            max_flows: 262_144,
            tcp_limits: ReassemblyLimits::default(),
            defrag: DefragConfig::default(),
            icmp: None,
        }
    }
}

/// Configuration the engine cannot run with.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// Two protocols claim the same port on the same transport.
    #[error("duplicate port ({port}) exists in {first} and {second} protocols")]
    DuplicatePort {
        /// The port.
        port: u16,
        /// The protocol configured first.
        first: &'static str,
        /// The protocol configured second.
        second: &'static str,
    },
    /// More protocol instances than the port tables can index.
    #[error("too many protocol entries (at most 254)")]
    TooManyProtocols,
}

/// One worker's engine. Feed it frames in capture order with [`Engine::process_frame`], take
/// the events it produced with [`Engine::take_events`], and call [`Engine::finish`] at the end.
pub struct Engine {
    defrag: Defragmenter,
    core: Core,
}

struct Core {
    config: EngineConfig,
    protocols: Vec<Arc<dyn Protocol>>,
    tcp_ports: PortMap,
    udp_ports: PortMap,
    table: FlowTable,
    events: Vec<Event>,
    anomalies: AnomalyCounts,
    stats: EngineStats,
    clock: Option<Timestamp>,
    next_sweep: Timestamp,
    next_report: Option<Timestamp>,
    conn_seq: u64,
    ended: EndedConversations,
    icmp: Option<IcmpTracker>,
}

/// The protocol chosen for a packet, and whether its sender is the client.
#[derive(Clone, Copy)]
struct Selection {
    index: u8,
    sender_is_client: bool,
}

impl Engine {
    /// An engine analysing `protocols` (in configuration order).
    pub fn new(
        config: EngineConfig,
        protocols: Vec<Arc<dyn Protocol>>,
    ) -> Result<Self, EngineError> {
        let mut tcp_ports = PortMap::new();
        let mut udp_ports = PortMap::new();
        for (i, p) in protocols.iter().enumerate() {
            let index = u8::try_from(i)
                .ok()
                .filter(|i| *i < 254)
                .ok_or(EngineError::TooManyProtocols)?;
            for transport in p.transports() {
                let map = match transport {
                    TransportKind::Tcp => &mut tcp_ports,
                    TransportKind::Udp => &mut udp_ports,
                };
                for &port in p.ports() {
                    if let Some(prev) = map.insert(port, index) {
                        if prev != index {
                            let first = protocols.get(usize::from(prev)).map_or("?", |q| q.name());
                            return Err(EngineError::DuplicatePort {
                                port,
                                first,
                                second: p.name(),
                            });
                        }
                    }
                }
            }
        }
        Ok(Engine {
            defrag: Defragmenter::new(config.defrag),
            core: Core {
                table: FlowTable::new(config.max_flows),
                config,
                protocols,
                tcp_ports,
                udp_ports,
                events: Vec::with_capacity(1024),
                anomalies: AnomalyCounts::default(),
                stats: EngineStats::default(),
                clock: None,
                next_sweep: Timestamp(0),
                next_report: None,
                conn_seq: 0,
                ended: EndedConversations::default(),
                icmp: config.icmp.map(IcmpTracker::new),
            },
        })
    }

    /// Processes one captured frame: `wire_len` is its length on the wire.
    pub fn process_frame(&mut self, ts: Timestamp, link: LinkType, frame: &[u8], wire_len: u32) {
        let core = &mut self.core;
        core.stats.packets += 1;
        core.stats.bytes += u64::from(wire_len);
        core.advance(ts);
        let pkt = match decode(link, frame) {
            Ok(pkt) => pkt,
            Err(err) => {
                core.stats.count_decode_error(&err);
                return;
            }
        };
        if let Transport::Fragment(frag) = pkt.transport {
            core.stats.fragments += 1;
            let Some(whole) =
                self.defrag
                    .add(ts, pkt.src_ip, pkt.dst_ip, frag, pkt.payload, wire_len)
            else {
                return;
            };
            core.stats.fragments_reassembled += u64::from(whole.fragments);
            match decode_ip_payload(&pkt, whole.protocol, whole.payload) {
                Ok(full) => core.packet(ts, &full, whole.frame_bytes, u64::from(whole.fragments)),
                Err(err) => core.stats.count_decode_error(&err),
            }
        } else {
            core.packet(ts, &pkt, u64::from(wire_len), 1);
        }
    }

    /// Advances packet time without a packet (live capture on an idle wire).
    pub fn tick(&mut self, now: Timestamp) {
        self.core.advance(now);
    }

    /// Moves the events produced so far to the end of `into`.
    pub fn take_events(&mut self, into: &mut Vec<Event>) {
        into.append(&mut self.core.events);
    }

    /// Number of events waiting to be taken.
    pub fn pending_events(&self) -> usize {
        self.core.events.len()
    }

    /// Ends the capture: every connection is closed (holes become gaps, analyzers publish what
    /// they hold), then every flow is reported final.
    pub fn finish(&mut self) {
        let core = &mut self.core;
        let now = core.clock.unwrap_or_default();
        for slot in 0..core.table.slot_count() {
            core.close_conn(slot, now);
        }
        for slot in 0..core.table.slot_count() {
            core.end_flow(slot, now);
        }
        if let Some(icmp) = core.icmp.as_mut() {
            icmp.finish(&mut core.events);
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> EngineStats {
        let mut s = self.core.stats;
        s.defrag = self.defrag.stats();
        s
    }

    /// Anomalies counted by analyzers so far.
    pub fn anomalies(&self) -> &AnomalyCounts {
        &self.core.anomalies
    }

    /// Flows currently tracked.
    pub fn active_flows(&self) -> usize {
        self.core.table.len()
    }
}

const SCTP: u8 = 132;

/// Source and destination ports of an SCTP common header (zeros when truncated).
fn sctp_ports(payload: &[u8]) -> (u16, u16) {
    match payload.get(..4) {
        Some(&[a, b, c, d]) => (u16::from_be_bytes([a, b]), u16::from_be_bytes([c, d])),
        _ => (0, 0),
    }
}

fn select(ports: &PortMap, src: u16, dst: u16) -> Option<Selection> {
    // Packetbeat's rule: the source port first, then the destination port.
    if let Some(index) = ports.get(src) {
        Some(Selection {
            index,
            sender_is_client: false,
        })
    } else {
        ports.get(dst).map(|index| Selection {
            index,
            sender_is_client: true,
        })
    }
}

impl Core {
    fn advance(&mut self, ts: Timestamp) {
        let now = match self.clock {
            None => {
                self.next_sweep = ts.add_nanos(SECOND);
                self.next_report = self
                    .config
                    .flows
                    .and_then(|f| f.period_nanos)
                    .map(|p| ts.add_nanos(p));
                ts
            }
            Some(clock) => clock.max(ts),
        };
        self.clock = Some(now);
        if now >= self.next_sweep {
            self.sweep(now);
            self.next_sweep = now.add_nanos(SECOND);
        }
    }

    /// Expires idle connections and flows, and makes the periodic flow reports.
    fn sweep(&mut self, now: Timestamp) {
        if let Some(icmp) = self.icmp.as_mut() {
            icmp.expire(now, &mut self.events);
        }
        for slot in 0..self.table.slot_count() {
            let Some(entry) = self.table.get_mut(slot) else {
                continue;
            };
            let idle_conn = entry
                .conn
                .as_ref()
                .is_some_and(|c| now.nanos_since(c.last_seen) > c.timeout_nanos());
            if idle_conn {
                self.close_conn(slot, now);
            }
            let Some(entry) = self.table.get_mut(slot) else {
                continue;
            };
            let expired = match self.config.flows {
                Some(f) => now.nanos_since(entry.last) > f.timeout_nanos,
                None => entry.conn.is_none(),
            };
            if expired {
                self.end_flow(slot, now);
            }
        }
        let period = self.config.flows.and_then(|f| f.period_nanos);
        if let (Some(period), Some(due)) = (period, self.next_report) {
            if now >= due {
                for slot in 0..self.table.slot_count() {
                    if let Some(entry) = self.table.get_mut(slot) {
                        // Stamped with the scheduled report time: no packet came between it
                        // and `now`, so the counters are exactly those of that moment.
                        self.events.push(flow_event(entry, due, false));
                        self.stats.flow_events += 1;
                    }
                }
                let mut next = due;
                while next <= now {
                    next = next.add_nanos(period.max(SECOND));
                }
                self.next_report = Some(next);
            }
        }
    }

    /// Closes the connection in `slot`, if any.
    fn close_conn(&mut self, slot: u32, now: Timestamp) {
        let Core {
            table,
            events,
            anomalies,
            stats,
            ..
        } = self;
        let Some(entry) = table.get_mut(slot) else {
            return;
        };
        if let Some(mut conn) = entry.conn.take() {
            let mut out = Outputs {
                events,
                anomalies,
                stats: &mut stats.dispatch,
            };
            conn.close(now, &mut stats.tcp, &mut out);
        }
    }

    /// Removes the flow in `slot`, reporting it final when flows are enabled.
    fn end_flow(&mut self, slot: u32, now: Timestamp) {
        self.close_conn(slot, now);
        if let Some(entry) = self.table.remove(slot) {
            if entry.key.protocol == 6 && entry.tcp_finished() {
                self.ended.insert(entry.key, entry.syn_seq);
            }
            if self.config.flows.is_some() {
                self.events.push(flow_event(&entry, now, true));
                self.stats.flow_events += 1;
            }
        }
    }

    fn packet(&mut self, ts: Timestamp, pkt: &Packet<'_>, bytes: u64, packets: u64) {
        let (proto, sport, dport, icmp) = match pkt.transport {
            Transport::Tcp(t) => (6, t.src_port, t.dst_port, None),
            Transport::Udp { src_port, dst_port } => (17, src_port, dst_port, None),
            Transport::Icmp4(i) => {
                let (s, d, _) = icmp_ports(1, i.icmp_type, i.code);
                (1, s, d, Some(i))
            }
            Transport::Icmp6(i) => {
                let (s, d, _) = icmp_ports(58, i.icmp_type, i.code);
                (58, s, d, Some(i))
            }
            Transport::Other(SCTP) => {
                let (s, d) = sctp_ports(pkt.payload);
                (SCTP, s, d, None)
            }
            Transport::Other(p) => (p, 0, 0, None),
            Transport::Fragment(_) => return,
        };
        if let (Some(tracker), Some(info)) = (self.icmp.as_mut(), icmp) {
            tracker.on_packet(
                IcmpPacket {
                    version: if proto == 1 { 4 } else { 6 },
                    src: pkt.src_ip,
                    dst: pkt.dst_ip,
                    id: info.id,
                    seq: info.seq,
                    msg: Msg {
                        ts,
                        icmp_type: info.icmp_type,
                        code: info.code,
                        length: pkt.payload.len() as u64,
                    },
                },
                &mut self.events,
                &mut self.anomalies,
            );
        }
        let selection = match pkt.transport {
            Transport::Tcp(_) => select(&self.tcp_ports, sport, dport),
            Transport::Udp { .. } => select(&self.udp_ports, sport, dport),
            _ => None,
        };
        if self.config.flows.is_none() && selection.is_none() {
            self.stats.untracked_packets += 1;
            return;
        }
        let (key, src_is_lo) = FlowKey::new(
            Endpoint::new(pkt.src_ip, sport),
            Endpoint::new(pkt.dst_ip, dport),
            proto,
            icmp.map_or(0, |i| i.id),
            pkt.vlans,
        );
        let icmp = icmp.map_or((0, 0), |i| (i.icmp_type, i.code));
        let Some(slot) = self.flow_slot(ts, pkt, key, src_is_lo, icmp) else {
            self.stats.flow_table_full += 1;
            return;
        };
        let Core {
            table,
            events,
            anomalies,
            stats,
            protocols,
            config,
            conn_seq,
            ..
        } = self;
        let Some(entry) = table.get_mut(slot) else {
            return;
        };
        let from_source = entry.source_is_lo == src_is_lo;
        let side = usize::from(!from_source);
        if let Some(c) = entry.counters.get_mut(side) {
            c.packets += packets;
            c.bytes += bytes;
        }
        entry.last = entry.last.max(ts);
        let Some(sel) = selection else { return };
        let mut out = Outputs {
            events,
            anomalies,
            stats: &mut stats.dispatch,
        };
        let sender = SocketAddr::new(pkt.src_ip, sport);
        let receiver = SocketAddr::new(pkt.dst_ip, dport);
        match pkt.transport {
            Transport::Tcp(t) => {
                if t.flags.fin() {
                    if let Some(f) = entry.fin.get_mut(side) {
                        *f = true;
                    }
                }
                entry.rst |= t.flags.rst();
                if t.flags.syn() && !t.flags.ack() && entry.syn_seq.is_none() {
                    entry.syn_seq = Some(t.seq);
                }
                let starts = t.flags.syn() || !pkt.payload.is_empty();
                if entry.conn.is_none() && starts && !entry.tcp_finished() && !entry.after_end {
                    let sender_is_client = if t.flags.syn() {
                        !t.flags.ack()
                    } else {
                        sel.sender_is_client
                    };
                    let Some(protocol) = protocols.get(usize::from(sel.index)) else {
                        return;
                    };
                    let ends = Ends {
                        sender,
                        receiver,
                        sender_is_client,
                    };
                    entry.conn = Some(open_connection(
                        protocol,
                        ends,
                        TransportKind::Tcp,
                        ts,
                        conn_seq,
                        &mut stats.connections,
                    ));
                }
                if let Some(conn) = entry.conn.as_mut() {
                    let dir = conn.dir_from(sender);
                    conn.tcp_segment(
                        dir,
                        ts,
                        t.seq,
                        t.ack,
                        t.flags,
                        pkt.payload,
                        config.tcp_limits,
                        &mut stats.tcp,
                        &mut out,
                    );
                    if conn.is_closed() {
                        entry.conn = None;
                    }
                }
            }
            Transport::Udp { .. } => {
                if pkt.payload.is_empty() {
                    return;
                }
                if entry.conn.is_none() {
                    let Some(protocol) = protocols.get(usize::from(sel.index)) else {
                        return;
                    };
                    let ends = Ends {
                        sender,
                        receiver,
                        sender_is_client: sel.sender_is_client,
                    };
                    entry.conn = Some(open_connection(
                        protocol,
                        ends,
                        TransportKind::Udp,
                        ts,
                        conn_seq,
                        &mut stats.connections,
                    ));
                }
                if let Some(conn) = entry.conn.as_mut() {
                    let dir = conn.dir_from(sender);
                    conn.datagram(dir, ts, pkt.payload, &mut out);
                }
            }
            _ => {}
        }
    }

    /// The slot of the packet's flow, creating it (and ending a finished TCP conversation
    /// whose port pair is being reused by a new SYN).
    fn flow_slot(
        &mut self,
        ts: Timestamp,
        pkt: &Packet<'_>,
        key: FlowKey,
        src_is_lo: bool,
        icmp: (u8, u8),
    ) -> Option<u32> {
        if let Some(slot) = self.table.find(&key) {
            // A SYN on a finished conversation starts a new one, unless it repeats the
            // first SYN (a duplicate: a new connection must choose a new initial sequence).
            let reused = match pkt.transport {
                Transport::Tcp(t) if t.flags.syn() && !t.flags.ack() => self
                    .table
                    .get_mut(slot)
                    .is_some_and(|e| e.tcp_finished() && e.syn_seq != Some(t.seq)),
                _ => false,
            };
            if !reused {
                return Some(slot);
            }
            self.end_flow(slot, ts);
        }
        let macs = match (pkt.src_mac, pkt.dst_mac) {
            (Some(s), Some(d)) => Some((s, d)),
            (Some(s), None) => Some((s, [0; 6])),
            _ => None,
        };
        let entry = FlowEntry {
            key,
            source_is_lo: src_is_lo,
            macs,
            vlans: pkt.vlans,
            icmp_type_code: icmp,
            first: ts,
            serial: self.stats.flows_created + 1,
            last: ts,
            counters: [DirCounters::default(); 2],
            conn: None,
            fin: [false; 2],
            rst: false,
            after_end: match pkt.transport {
                Transport::Tcp(t) => self
                    .ended
                    .is_late(&key, (t.flags.syn() && !t.flags.ack()).then_some(t.seq)),
                _ => false,
            },
            syn_seq: match pkt.transport {
                Transport::Tcp(t) if t.flags.syn() && !t.flags.ack() => Some(t.seq),
                _ => None,
            },
        };
        let slot = self.table.insert(entry)?;
        self.stats.flows_created += 1;
        Some(slot)
    }
}

/// The two ends of the packet that opens a connection.
struct Ends {
    sender: SocketAddr,
    receiver: SocketAddr,
    sender_is_client: bool,
}

/// Starts tracking a connection for `protocol`, numbering it and counting it in `connections`.
fn open_connection(
    protocol: &Arc<dyn Protocol>,
    ends: Ends,
    transport: TransportKind,
    ts: Timestamp,
    conn_seq: &mut u64,
    connections: &mut u64,
) -> Box<Connection> {
    *conn_seq += 1;
    *connections += 1;
    let (client, server) = if ends.sender_is_client {
        (ends.sender, ends.receiver)
    } else {
        (ends.receiver, ends.sender)
    };
    let meta = ConnMeta {
        client,
        server,
        transport,
        id: *conn_seq,
    };
    Box::new(Connection::new(Arc::clone(protocol), meta, ts))
}
