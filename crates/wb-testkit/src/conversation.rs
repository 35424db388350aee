//! Builds a TCP conversation (handshake, data, FIN) as raw-IPv4 frames, with a choice of how
//! each message is cut into segments, and optional holes.

use std::net::Ipv4Addr;
use wb_proto::Dir;
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

/// A TCP conversation between a client and a server on loopback-style addresses.
#[derive(Clone, Debug)]
pub struct Conversation {
    client: (Ipv4Addr, u16),
    server: (Ipv4Addr, u16),
    messages: Vec<(Dir, Vec<u8>)>,
}

impl Conversation {
    /// A conversation from `127.0.0.1:40000` to `127.0.0.2:server_port`.
    pub fn new(server_port: u16) -> Self {
        Conversation {
            client: (Ipv4Addr::new(127, 0, 0, 1), 40000),
            server: (Ipv4Addr::new(127, 0, 0, 2), server_port),
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

    /// The frames: SYN, SYN-ACK, ACK, the messages (message `i` at second `i + 1`, all its
    /// segments at the same time), then FINs. Bytes of `hole` (direction, offset in that
    /// direction's stream, length) are left out, as if the capture missed them.
    pub fn frames(&self, seg: Segmentation, hole: Option<(Dir, usize, usize)>) -> Vec<Frame> {
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
        let (src, dst) = match dir {
            Dir::ToServer => (self.client, self.server),
            Dir::ToClient => (self.server, self.client),
        };
        let total = 20 + 20 + payload.len();
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
            6,
            0,
            0,
        ]);
        f.extend_from_slice(&src.0.octets());
        f.extend_from_slice(&dst.0.octets());
        f.extend_from_slice(&src.1.to_be_bytes());
        f.extend_from_slice(&dst.1.to_be_bytes());
        f.extend_from_slice(&seq.to_be_bytes());
        f.extend_from_slice(&ack.to_be_bytes());
        f.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
        f.extend_from_slice(payload);
        Frame {
            ts,
            link: LinkType::IPV4,
            data: f,
        }
    }
}
