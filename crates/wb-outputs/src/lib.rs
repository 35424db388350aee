//! Outputs: where serialised events go. A [`Sink`] receives each event as JSON bytes and writes
//! it as one NDJSON line: [`ConsoleSink`] to stdout, [`FileSink`] to rotating files named as
//! libbeat 8.x names them, and [`default_local_sink`] for the built-in local store.

mod console;
mod date;
mod file;
mod sink;

pub use console::ConsoleSink;
pub use file::{default_local_sink, FileSink, FileSinkConfig};
pub use sink::{OutputError, Sink};
