//! One parsed memcache message (text or binary, request or response), owning only what can
//! go into an event: keys, numbers, and values within the configured limits.

use super::codes::{Command, OPCODE_QUIT, OPCODE_QUITQ};
use wb_wire::Timestamp;

/// A parsed message.
#[derive(Clone, Debug)]
pub struct Message {
    /// Time of its first byte.
    pub ts: Timestamp,
    /// Binary protocol (else text).
    pub binary: bool,
    /// Sent by the client.
    pub request: bool,
    /// What it is.
    pub command: &'static Command,
    /// Binary opcode.
    pub opcode: u8,
    /// Binary response status.
    pub status: u16,
    /// Binary request vbucket.
    pub vbucket: u16,
    /// Binary opaque.
    pub opaque: u32,
    /// Binary quiet opcode.
    pub quiet: bool,
    /// CAS value, when given (binary: non-zero).
    pub cas: Option<u64>,
    /// Text `noreply`.
    pub noreply: bool,
    /// Keys.
    pub keys: Vec<String>,
    /// `flags`.
    pub flags: u32,
    /// `exptime` (text allows negative values).
    pub exptime: i64,
    /// `delta`, `verbosity`, `sleep_us`, `value`, `automove` or a counter reply.
    pub value: u64,
    /// Binary `initial`.
    pub value2: u64,
    /// `source_class`.
    pub source_class: i64,
    /// `dest_class`.
    pub dest_class: i64,
    /// Text argument string (`raw_args`).
    pub raw_args: String,
    /// Text line of an unknown command (`line`).
    pub line: String,
    /// Text error reply message (`error_msg`).
    pub error_msg: String,
    /// Announced value length(s).
    pub bytes: u64,
    /// Value bytes lost to capture gaps.
    pub bytes_lost: u64,
    /// Values seen (kept or not).
    pub count_values: u32,
    /// Values kept (`maxvalues`, cut to `maxbytespervalue`).
    pub values: Vec<Vec<u8>>,
    /// Binary version reply.
    pub version: Option<String>,
    /// Stats `(name, value)`.
    pub stats: Vec<(String, String)>,
    /// Application bytes of the message (lost bytes excluded).
    pub size: u64,
    /// Notes for `error.message`.
    pub notes: Vec<&'static str>,
}

impl Message {
    /// An empty message of `command`.
    pub fn new(ts: Timestamp, binary: bool, request: bool, command: &'static Command) -> Self {
        Message {
            ts,
            binary,
            request,
            command,
            opcode: 0,
            status: 0,
            vbucket: 0,
            opaque: 0,
            quiet: false,
            cas: None,
            noreply: false,
            keys: Vec::new(),
            flags: 0,
            exptime: 0,
            value: 0,
            value2: 0,
            source_class: 0,
            dest_class: 0,
            raw_args: String::new(),
            line: String::new(),
            error_msg: String::new(),
            bytes: 0,
            bytes_lost: 0,
            count_values: 0,
            values: Vec::new(),
            version: None,
            stats: Vec::new(),
            size: 0,
            notes: Vec::new(),
        }
    }

    /// A request that is published at once: text `quit`, binary `QuitQ`.
    pub fn publishes_at_once(&self) -> bool {
        if self.binary {
            self.opcode == OPCODE_QUITQ
        } else {
            self.command.name == "quit"
        }
    }

    /// A request that expects no reply: quiet, noreply, or a quit.
    pub fn expects_no_reply(&self) -> bool {
        self.quiet
            || self.noreply
            || (self.binary && self.opcode == OPCODE_QUIT)
            || (!self.binary && self.command.name == "quit")
    }

    /// Adds a note once.
    pub fn note(&mut self, note: &'static str) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }
}
