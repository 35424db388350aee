//! The Wirebeat engine between packet source and events: decoding, IP defragmentation, the
//! flow table and flow events, TCP reassembly, and dispatch of stream data and datagrams to
//! protocol analyzers chosen by port. Deterministic: everything runs on packet time, so a
//! replayed capture always gives the same events in the same order.

mod conn;
mod ended;
mod engine;
mod flow_event;
mod key;
mod ports;
mod reassembly;
mod stats;
mod table;

pub use conn::DispatchStats;
pub use engine::{Engine, EngineConfig, EngineError, FlowSettings};
pub use flow_event::{format_mac, transport_name};
pub use reassembly::{Delivery, ReassemblyLimits, ReassemblyStats, StreamAssembler};
pub use stats::EngineStats;
