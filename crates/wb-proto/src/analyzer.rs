//! The two traits every protocol implements.

use crate::{ConnMeta, Cx, TransportKind};
use wb_wire::Timestamp;

/// One configured protocol: built once from the configuration, it selects connections by port
/// and creates one [`Analyzer`] per connection.
pub trait Protocol: Send + Sync {
    /// The protocol name: `type:` in packetbeat.yml and the event `type`.
    fn name(&self) -> &'static str;
    /// Transports this instance analyses.
    fn transports(&self) -> &[TransportKind];
    /// Server ports (they also feed a generated BPF filter).
    fn ports(&self) -> &[u16];
    /// Most bytes the flow layer may buffer per direction for one message before it gives up
    /// on that message and reports a gap instead.
    fn max_message_size(&self) -> usize;
    /// Idle time after which a connection's analyzer is expired, in nanoseconds of packet time.
    fn transaction_timeout_nanos(&self) -> i64;
    /// A fresh analyzer for one connection.
    fn new_analyzer(&self, conn: &ConnMeta) -> Box<dyn Analyzer>;
}

/// What an analyzer did with the bytes it was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Every byte was consumed.
    Done,
    /// `consumed` bytes were used; call again once at least `needed` bytes (counted from the
    /// first unconsumed byte) are available. `needed == 0` means "whenever more arrives".
    NeedMore {
        /// Bytes consumed from the front of the data.
        consumed: usize,
        /// Bytes wanted before the next call.
        needed: usize,
    },
    /// The data is not this protocol; the flow layer discards what it holds for this direction
    /// and counts it. The analyzer has already reset its own state for the direction.
    Invalid,
}

/// What the flow layer should do after telling an analyzer about lost bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GapAction {
    /// The analyzer handled the gap and keeps its state.
    Continue,
    /// The analyzer cannot continue: the flow layer replaces it with a fresh analyzer.
    Reset,
}

/// Per-connection protocol state. All inputs carry packet time through [`Cx`].
pub trait Analyzer: Send {
    /// In-order stream bytes (TCP) or one whole datagram (UDP) travelling in `dir`.
    fn on_data(&mut self, dir: crate::Dir, data: &[u8], cx: &mut Cx) -> Progress;
    /// `missing` bytes in `dir` are lost for good; the next `on_data` continues after them.
    fn on_gap(&mut self, dir: crate::Dir, missing: u32, cx: &mut Cx) -> GapAction;
    /// `dir` has ended (FIN, RST, or the end of the capture).
    fn on_eof(&mut self, dir: crate::Dir, cx: &mut Cx);
    /// The connection has been idle for the transaction timeout, or the engine is shutting
    /// down: publish or drop whatever is pending. The analyzer is dropped afterwards.
    fn on_expire(&mut self, now: Timestamp, cx: &mut Cx);
}
