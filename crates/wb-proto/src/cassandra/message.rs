//! One decoded frame: its header, its fields, its size on the wire and when it completed.

use super::fields::Fields;
use super::frame::Header;
use wb_wire::Timestamp;

/// A decoded frame.
#[derive(Clone, Debug)]
pub struct Message {
    /// The frame header.
    pub header: Header,
    /// Fields decoded from the body (empty when it could not be decoded).
    pub fields: Fields,
    /// Frame size on the wire (header and body as sent).
    pub wire: u64,
    /// Packet time of the frame's first byte.
    pub ts: Timestamp,
    /// Notes for `error.message`.
    pub notes: Vec<String>,
}
