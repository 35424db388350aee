//! Builds a TCP conversation (handshake, data, FIN) or a UDP exchange (one datagram per message)
//! as raw-IPv4 frames, with a choice of how each TCP message is cut into segments, and optional
//! holes.

use std::net::Ipv4Addr;
use wb_proto::{Dir, TransportKind};
use wb_wire::{LinkType, Timestamp};

/// One captured frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Capture time.
    pub ts: Timestamp,
    /// Link type of `data`.
    pub link: LinkType,
    /// The frame bytes.
    pub data: Vec<u8>,
}

/// How messages are cut into TCP segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segmentation {
    /// One segment per message.
    Whole,
    /// Segments of at most this many bytes.
    Chunks(usize),
}

/// A conversation between a client and a server on loopback-style addresses.
#[derive(Clone, Debug)]
pub struct Conversation {
    client: (Ipv4Addr, u16),
    server: (Ipv4Addr, u16),
    transport: TransportKind,
    messages: Vec<(Dir, Vec<u8>)>,
}

impl Conversation {
    /// A TCP conversation from `127.0.0.1:40000` to `127.0.0.2:server_port`.
    pub fn new(server_port: u16) -> Self {
        Self::over(TransportKind::Tcp, server_port)
    }

    /// A conversation over `transport` from `127.0.0.1:40000` to `127.0.0.2:server_port`.
    pub fn over(transport: TransportKind, server_port: u16) -> Self {
        Conversation {
            client: (Ipv4Addr::new(127, 0, 0, 1), 40000),
            server: (Ipv4Addr::new(127, 0, 0, 2), server_port),
            transport,
            messages: Vec::new(),
        }
    }

    /// Adds one message.
    pub fn message(mut self, dir: Dir, data: &[u8]) -> Self {
        self.messages.push((dir, data.to_vec()));
        self
    }

    /// All bytes sent in `dir`, concatenated.
    pub fn stream(&self, dir: Dir) -> Vec<u8> {
        self.messages
            .iter()
            .filter(|(d, _)| *d == dir)
            .flat_map(|(_, b)| b.clone())
            .collect()
    }

    /// The frames. TCP: SYN, SYN-ACK, ACK, the messages (message `i` at second `i + 1`, all its
    /// segments at the same time), then FINs; bytes of `hole` (direction, offset in that
    /// direction's stream, length) are left out, as if the capture missed them. UDP: one
    /// datagram per message at second `i + 1` (`seg` does not apply); a datagram that overlaps
    /// `hole` is left out whole.
    pub fn frames(&self, seg: Segmentation, hole: Option<(Dir, usize, usize)>) -> Vec<Frame> {
        match self.transport {
            TransportKind::Tcp => self.tcp_frames(seg, hole),
            TransportKind::Udp => self.udp_frames(hole),
        }
    }

    fn udp_frames(&self, hole: Option<(Dir, usize, usize)>) -> Vec<Frame> {
        let base = Timestamp::from_secs_nanos(1_700_000_000, 0);
        let mut sent = [0usize, 0usize];
        let mut frames = Vec::new();
        for (i, (dir, data)) in self.messages.iter().enumerate() {
            let offset = sent[dir.index()];
            sent[dir.index()] += data.len();
            let lost = hole.is_some_and(|(hd, start, len)| {
                hd == *dir && start < offset + data.len() && offset < start + len
            });
            if !lost {
                let ts = base.add_nanos((i as i64 + 1) * 1_000_000_000);
                frames.push(self.packet(ts, *dir, &udp_header(self.ends(*dir), data.len()), data));
            }
        }
        frames
    }

    fn ends(&self, dir: Dir) -> ((Ipv4Addr, u16), (Ipv4Addr, u16)) {
        match dir {
            Dir::ToServer => (self.client, self.server),
            Dir::ToClient => (self.server, self.client),
        }
    }

    fn tcp_frames(&self, seg: Segmentation, hole: Option<(Dir, usize, usize)>) -> Vec<Frame> {
        let base = Timestamp::from_secs_nanos(1_700_000_000, 0);
        let mut frames = Vec::new();
        let isn = [1000u32, 5000u32];
        let mut next = [isn[0].wrapping_add(1), isn[1].wrapping_add(1)];
        let mut sent = [0usize, 0usize];
        frames.push(self.tcp(base, Dir::ToServer, isn[0], 0, 0x02, &[]));
        frames.push(self.tcp(base, Dir::ToClient, isn[1], next[0], 0x12, &[]));
        frames.push(self.tcp(base, Dir::ToServer, next[0], next[1], 0x10, &[]));
        for (i, (dir, data)) in self.messages.iter().enumerate() {
            let ts = base.add_nanos((i as i64 + 1) * 1_000_000_000);
            let d = dir.index();
            let size = match seg {
                Segmentation::Whole => data.len().max(1),
                Segmentation::Chunks(n) => n.max(1),
            };
            for chunk in data.chunks(size) {
                let offset = sent[d];
                let mut piece: &[u8] = chunk;
                let mut seq = next[d];
                if let Some((hd, start, len)) = hole {
                    if hd == *dir {
                        // Cut the part of this chunk that falls inside the hole.
                        let lo = start.max(offset);
                        let hi = (start + len).min(offset + chunk.len());
                        if lo < hi {
                            let before = &chunk[..lo - offset];
                            let after = &chunk[hi - offset..];
                            if !before.is_empty() {
                                let ack = next[1 - d];
                                frames.push(self.tcp(ts, *dir, seq, ack, 0x18, before));
                            }
                            seq = seq.wrapping_add((hi - offset) as u32);
                            piece = after;
                        }
                    }
                }
                if !piece.is_empty() {
                    let ack = next[1 - d];
                    frames.push(self.tcp(ts, *dir, seq, ack, 0x18, piece));
                }
                next[d] = next[d].wrapping_add(chunk.len() as u32);
                sent[d] += chunk.len();
            }
        }
        let end = base.add_nanos((self.messages.len() as i64 + 1) * 1_000_000_000);
        frames.push(self.tcp(end, Dir::ToServer, next[0], next[1], 0x11, &[]));
        frames.push(self.tcp(
            end,
            Dir::ToClient,
            next[1],
            next[0].wrapping_add(1),
            0x11,
            &[],
        ));
        frames
    }

    fn tcp(&self, ts: Timestamp, dir: Dir, seq: u32, ack: u32, flags: u8, payload: &[u8]) -> Frame {
        let ((_, sport), (_, dport)) = self.ends(dir);
        let mut header = Vec::with_capacity(20);
        header.extend_from_slice(&sport.to_be_bytes());
        header.extend_from_slice(&dport.to_be_bytes());
        header.extend_from_slice(&seq.to_be_bytes());
        header.extend_from_slice(&ack.to_be_bytes());
        header.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
        self.packet(ts, dir, &header, payload)
    }

    /// An IPv4 packet from the sender of `dir`; the protocol number follows the transport.
    fn packet(&self, ts: Timestamp, dir: Dir, l4_header: &[u8], payload: &[u8]) -> Frame {
        let ((src, _), (dst, _)) = self.ends(dir);
        let proto = match self.transport {
            TransportKind::Tcp => 6,
            TransportKind::Udp => 17,
        };
        let total = 20 + l4_header.len() + payload.len();
        let mut f = Vec::with_capacity(total);
        f.extend_from_slice(&[
            0x45,
            0,
            (total >> 8) as u8,
            total as u8,
            0,
            0,
            0x40,
            0,
            64,
            proto,
            0,
            0,
        ]);
        f.extend_from_slice(&src.octets());
        f.extend_from_slice(&dst.octets());
        f.extend_from_slice(l4_header);
        f.extend_from_slice(payload);
        Frame {
            ts,
            link: LinkType::IPV4,
            data: f,
        }
    }
}

/// An 8-byte UDP header (checksum 0: not computed).
fn udp_header(((_, sport), (_, dport)): ((Ipv4Addr, u16), (Ipv4Addr, u16)), len: usize) -> [u8; 8] {
    let total = (8 + len) as u16;
    let [s0, s1] = sport.to_be_bytes();
    let [d0, d1] = dport.to_be_bytes();
    let [l0, l1] = total.to_be_bytes();
    [s0, s1, d0, d1, l0, l1, 0, 0]
}
