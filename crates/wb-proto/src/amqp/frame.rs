//! AMQP 0-9-1 framing (spec §2.3.5, §4.2.3): the protocol header, the 7-byte frame header,
//! the frame-end octet, and [`Cursor`], a bounds-checked reader of the spec's field types.
//!
//! No-panic contract: every read goes through `get`, a short input gives `None`.

/// The octet that ends every frame.
pub const FRAME_END: u8 = 0xCE;
/// Frame header: type (1), channel (2), payload size (4).
pub const HEADER_LEN: usize = 7;
/// `AMQP` followed by 4 version octets.
pub const PROTOCOL_HEADER_LEN: usize = 8;

/// The kind of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameKind {
    /// 1: a method (class, method, arguments).
    Method,
    /// 2: a content header (class, weight, body size, properties).
    Header,
    /// 3: a piece of a content body.
    Body,
    /// 8: a heartbeat (channel 0, empty).
    Heartbeat,
}

/// A frame header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameHeader {
    /// Frame type.
    pub kind: FrameKind,
    /// Channel number (0 = the connection).
    pub channel: u16,
    /// Payload size, without header and frame-end octet.
    pub size: u32,
}

impl FrameHeader {
    /// Bytes of the whole frame: header, payload and frame-end octet.
    pub fn wire_len(&self) -> u64 {
        u64::from(self.size) + HEADER_LEN as u64 + 1
    }
}

/// What starts at the current position of a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// The 8-byte protocol header (`AMQP` + version), sent by a client first, or by a server
    /// refusing the version.
    ProtocolHeader,
    /// A frame.
    Frame(FrameHeader),
    /// Too few bytes to tell.
    Incomplete,
    /// Not AMQP.
    Invalid,
}

/// Reads what starts `data`.
pub fn read_start(data: &[u8]) -> Start {
    let Some(&first) = data.first() else {
        return Start::Incomplete;
    };
    if first == b'A' {
        let seen = data.len().min(4);
        if data.get(..seen) != b"AMQP".get(..seen) {
            return Start::Invalid;
        }
        return if data.len() >= PROTOCOL_HEADER_LEN {
            Start::ProtocolHeader
        } else {
            Start::Incomplete
        };
    }
    let kind = match first {
        1 => FrameKind::Method,
        2 => FrameKind::Header,
        3 => FrameKind::Body,
        8 => FrameKind::Heartbeat,
        _ => return Start::Invalid,
    };
    let mut c = Cursor::new(data.get(1..).unwrap_or_default());
    match (c.u16(), c.u32()) {
        (Some(channel), Some(size)) => Start::Frame(FrameHeader {
            kind,
            channel,
            size,
        }),
        _ => Start::Incomplete,
    }
}

/// A reader over a frame payload.
#[derive(Clone, Copy, Debug)]
pub struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Cursor { data, pos: 0 }
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    /// Bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or_default()
    }

    /// Whether everything was read.
    pub fn is_empty(&self) -> bool {
        self.rest().is_empty()
    }

    /// An octet.
    pub fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }

    /// A big-endian short.
    pub fn u16(&mut self) -> Option<u16> {
        Some(u16::from_be_bytes(self.take(2)?.try_into().ok()?))
    }

    /// A big-endian long.
    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }

    /// A big-endian long-long.
    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_be_bytes(self.take(8)?.try_into().ok()?))
    }

    /// A short string (octet length), lossily decoded.
    pub fn short_str(&mut self) -> Option<String> {
        let n = self.u8()?;
        Some(String::from_utf8_lossy(self.take(usize::from(n))?).into_owned())
    }

    /// A long string (long length), as bytes.
    pub fn long_bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()?;
        self.take(usize::try_from(n).ok()?)
    }

    /// One octet of packed bits: `bits[i]` is bit `i` (least significant first).
    pub fn bits(&mut self) -> Option<[bool; 8]> {
        let b = self.u8()?;
        Some(std::array::from_fn(|i| b & (1 << i) != 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_header_and_frames() {
        assert_eq!(read_start(b"AMQP\0\0\x09\x01"), Start::ProtocolHeader);
        assert_eq!(read_start(b"AMQ"), Start::Incomplete);
        assert_eq!(read_start(b"AMX"), Start::Invalid);
        assert_eq!(read_start(b"GET / HTTP/1.1"), Start::Invalid);
        // method frame, channel 1, 5 payload bytes
        assert_eq!(
            read_start(&[1, 0, 1, 0, 0, 0, 5]),
            Start::Frame(FrameHeader {
                kind: FrameKind::Method,
                channel: 1,
                size: 5
            })
        );
        // heartbeat frame header cut short
        assert_eq!(read_start(&[8, 0, 0, 0]), Start::Incomplete);
        assert_eq!(read_start(&[4, 0, 0, 0, 0, 0, 0]), Start::Invalid);
    }

    #[test]
    fn cursor_reads_are_bounded() {
        // short string "ab", then a long whose last byte is missing
        let mut c = Cursor::new(&[2, b'a', b'b', 0, 0, 1]);
        assert_eq!(c.short_str().as_deref(), Some("ab"));
        assert_eq!(c.u32(), None);
        let mut c = Cursor::new(&[0b0001_0010]);
        let bits = c.bits().unwrap_or_default();
        assert!(bits[1] && bits[4] && !bits[0]);
        assert!(c.is_empty());
        let mut c = Cursor::new(&[0xff, 0xff, 0xff, 0xff]);
        assert_eq!(c.long_bytes(), None);
    }
}
