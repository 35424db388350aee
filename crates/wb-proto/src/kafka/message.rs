//! One decoded request or response, as held until it is paired and published.

use super::summary::Summary;
use wb_wire::Timestamp;

/// A request waiting for its response.
#[derive(Clone, Debug)]
pub struct Request {
    /// Packet time of its first byte.
    pub ts: Timestamp,
    /// Bytes on the wire, size prefix included.
    pub wire: u64,
    /// Api key.
    pub api_key: i16,
    /// Api version.
    pub api_version: i16,
    /// Correlation id.
    pub correlation_id: i32,
    /// Client id, when not null.
    pub client_id: Option<String>,
    /// What its body said.
    pub summary: Summary,
    /// No response will come (Produce with acks 0).
    pub unanswered: bool,
    /// Notes for `error.message`.
    pub notes: Vec<String>,
}

/// A response.
#[derive(Clone, Debug)]
pub struct Response {
    /// Packet time of its last byte.
    pub ts: Timestamp,
    /// Bytes on the wire, size prefix included.
    pub wire: u64,
    /// Correlation id.
    pub correlation_id: i32,
    /// What its body said.
    pub summary: Summary,
    /// Notes for `error.message`.
    pub notes: Vec<String>,
}
