//! The sink contract and its error.

use std::path::PathBuf;

/// A destination for serialised events.
pub trait Sink: Send {
    /// Writes one serialised event (no trailing newline).
    fn write_event(&mut self, json: &[u8]) -> Result<(), OutputError>;
    /// Pushes buffered events to the destination.
    fn flush(&mut self) -> Result<(), OutputError>;
    /// Flushes and releases the destination; calling it again does nothing.
    fn close(&mut self) -> Result<(), OutputError>;
    /// Where events go, for the summary (e.g. `file /data/events/wirebeat-20261125.ndjson`).
    fn describe(&self) -> String;
    /// Events written so far.
    fn events_written(&self) -> u64;
}

/// Why an output failed.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file or directory operation failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done (`create`, `write`, `rotate`, …).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Writing to the console failed.
    #[error("cannot write to the console: {0}")]
    Console(std::io::Error),
    /// The sink was used after `close`.
    #[error("the output is closed")]
    Closed,
}
