//! The 9-byte frame header of native protocol v3–v5 (spec §2 of native_protocol_v4.spec):
//! version (top bit set on responses), flags, a signed 16-bit stream id, the opcode and the
//! body length. Pure views over borrowed bytes.

use crate::Dir;

/// Size of a frame header.
pub const HEADER_LEN: usize = 9;
/// Largest body a server accepts (256 MiB); longer declared lengths are not this protocol.
pub const MAX_BODY_LEN: u32 = 256 << 20;

/// Body compressed with the connection's compressor.
pub const FLAG_COMPRESS: u8 = 0x01;
/// Request asks for tracing; response starts with a tracing id.
pub const FLAG_TRACING: u8 = 0x02;
/// A custom payload (bytes map) precedes the message.
pub const FLAG_CUSTOM_PAYLOAD: u8 = 0x04;
/// The response starts with warnings (after the tracing id).
pub const FLAG_WARNING: u8 = 0x08;
/// The client opts in to a beta protocol version.
pub const FLAG_USE_BETA: u8 = 0x10;

/// A message type (spec §2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opcode {
    /// 0x00.
    Error,
    /// 0x01.
    Startup,
    /// 0x02.
    Ready,
    /// 0x03.
    Authenticate,
    /// 0x05.
    Options,
    /// 0x06.
    Supported,
    /// 0x07.
    Query,
    /// 0x08.
    Result,
    /// 0x09.
    Prepare,
    /// 0x0A.
    Execute,
    /// 0x0B.
    Register,
    /// 0x0C.
    Event,
    /// 0x0D.
    Batch,
    /// 0x0E.
    AuthChallenge,
    /// 0x0F.
    AuthResponse,
    /// 0x10.
    AuthSuccess,
}

const OPCODES: [(u8, Opcode, &str); 16] = [
    (0x00, Opcode::Error, "ERROR"),
    (0x01, Opcode::Startup, "STARTUP"),
    (0x02, Opcode::Ready, "READY"),
    (0x03, Opcode::Authenticate, "AUTHENTICATE"),
    (0x05, Opcode::Options, "OPTIONS"),
    (0x06, Opcode::Supported, "SUPPORTED"),
    (0x07, Opcode::Query, "QUERY"),
    (0x08, Opcode::Result, "RESULT"),
    (0x09, Opcode::Prepare, "PREPARE"),
    (0x0A, Opcode::Execute, "EXECUTE"),
    (0x0B, Opcode::Register, "REGISTER"),
    (0x0C, Opcode::Event, "EVENT"),
    (0x0D, Opcode::Batch, "BATCH"),
    (0x0E, Opcode::AuthChallenge, "AUTH_CHALLENGE"),
    (0x0F, Opcode::AuthResponse, "AUTH_RESPONSE"),
    (0x10, Opcode::AuthSuccess, "AUTH_SUCCESS"),
];

impl Opcode {
    /// The opcode of wire value `code`, if defined.
    pub fn from_code(code: u8) -> Option<Opcode> {
        OPCODES.iter().find(|(c, _, _)| *c == code).map(|e| e.1)
    }

    /// The opcode called `name` (case-insensitive), as in `ignored_ops`.
    pub fn from_name(name: &str) -> Option<Opcode> {
        OPCODES
            .iter()
            .find(|(_, _, n)| n.eq_ignore_ascii_case(name.trim()))
            .map(|e| e.1)
    }

    /// The name written to `headers.op`.
    pub fn name(self) -> &'static str {
        OPCODES
            .iter()
            .find(|(_, op, _)| *op == self)
            .map_or("UNKNOWN", |e| e.2)
    }

    /// Whether a client sends this opcode (otherwise a server does).
    pub fn is_request(self) -> bool {
        matches!(
            self,
            Opcode::Startup
                | Opcode::Options
                | Opcode::Query
                | Opcode::Prepare
                | Opcode::Execute
                | Opcode::Register
                | Opcode::Batch
                | Opcode::AuthResponse
        )
    }
}

/// A decoded frame header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Protocol version (3, 4 or 5), without the direction bit.
    pub version: u8,
    /// The version byte's top bit: a response.
    pub response: bool,
    /// Flag bits.
    pub flags: u8,
    /// Stream id (negative for server-initiated EVENTs).
    pub stream: i16,
    /// Message type.
    pub op: Opcode,
    /// Body length on the wire (compressed length when compressed).
    pub length: u32,
}

impl Header {
    /// Reads a header from the first [`HEADER_LEN`] bytes of `data` when they are a plausible
    /// header of a frame travelling in `dir`: a version 3–5 with the right direction bit, only
    /// defined flags, an opcode of that direction, and a length under [`MAX_BODY_LEN`].
    pub fn parse(data: &[u8], dir: Dir) -> Option<Header> {
        let h: &[u8; HEADER_LEN] = data.get(..HEADER_LEN)?.try_into().ok()?;
        let version = h[0] & 0x7f;
        let response = h[0] & 0x80 != 0;
        let flags = h[1];
        let op = Opcode::from_code(h[4])?;
        let length = u32::from_be_bytes([h[5], h[6], h[7], h[8]]);
        let plausible = (3..=5).contains(&version)
            && response == (dir == Dir::ToClient)
            && flags & !0x1f == 0
            && op.is_request() != response
            && length <= MAX_BODY_LEN;
        plausible.then_some(Header {
            version,
            response,
            flags,
            stream: i16::from_be_bytes([h[2], h[3]]),
            op,
            length,
        })
    }

    /// Header plus body bytes.
    pub fn frame_len(&self) -> usize {
        HEADER_LEN + self.length as usize
    }

    /// Whether flag `mask` is set.
    pub fn has(&self, mask: u8) -> bool {
        self.flags & mask != 0
    }

    /// `headers.flags`: `Default` when none is set, else the flag names joined with `|`.
    pub fn flags_name(&self) -> String {
        const NAMES: [(u8, &str); 5] = [
            (FLAG_COMPRESS, "Compress"),
            (FLAG_TRACING, "Tracing"),
            (FLAG_CUSTOM_PAYLOAD, "CustomPayload"),
            (FLAG_WARNING, "Warning"),
            (FLAG_USE_BETA, "UseBeta"),
        ];
        let names: Vec<&str> = NAMES
            .iter()
            .filter(|(m, _)| self.has(*m))
            .map(|(_, n)| *n)
            .collect();
        if names.is_empty() {
            "Default".into()
        } else {
            names.join("|")
        }
    }
}

/// The offset of the first plausible header for `dir` in `data` (of protocol `version` when
/// known), scanning at most `data.len() - HEADER_LEN + 1` positions.
pub fn find_header(data: &[u8], dir: Dir, version: Option<u8>) -> Option<usize> {
    (0..data.len().saturating_sub(HEADER_LEN - 1)).find(|&i| {
        data.get(i..)
            .and_then(|d| Header::parse(d, dir))
            .is_some_and(|h| version.is_none_or(|v| v == h.version))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_header_of_a_v4_request() {
        // version 4 request, flags Tracing, stream 275, QUERY, 46-byte body.
        let h = [0x04, 0x02, 0x01, 0x13, 0x07, 0, 0, 0, 0x2e];
        let header = Header::parse(&h, Dir::ToClient);
        assert_eq!(header, None, "a request is not read as a response");
        let header = Header::parse(&h, Dir::ToServer).unwrap();
        assert_eq!((header.version, header.stream, header.length), (4, 275, 46));
        assert_eq!(header.op.name(), "QUERY");
        assert_eq!(header.flags_name(), "Tracing");
    }

    #[test]
    fn event_on_stream_minus_one_and_implausible_headers() {
        let h = [0x84, 0x00, 0xff, 0xff, 0x0c, 0, 0, 0, 0];
        assert_eq!(Header::parse(&h, Dir::ToClient).unwrap().stream, -1);
        // Opcode 4 does not exist; version 2 is not supported; undefined flag bits.
        assert!(Header::parse(&[0x84, 0, 0, 0, 0x04, 0, 0, 0, 0], Dir::ToClient).is_none());
        assert!(Header::parse(&[0x82, 0, 0, 0, 0x08, 0, 0, 0, 0], Dir::ToClient).is_none());
        assert!(Header::parse(&[0x84, 0x40, 0, 0, 0x08, 0, 0, 0, 0], Dir::ToClient).is_none());
        assert_eq!(
            find_header(
                &[1, 2, 0x84, 0, 0, 1, 2, 0, 0, 0, 0],
                Dir::ToClient,
                Some(4)
            ),
            Some(2)
        );
    }
}
