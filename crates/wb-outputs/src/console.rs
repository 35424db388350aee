//! `output.console`: NDJSON on stdout.

use crate::sink::{OutputError, Sink};
use std::io::{BufWriter, Write};

/// Writes events to stdout (or any writer), one per line.
pub struct ConsoleSink {
    out: Option<BufWriter<Box<dyn Write + Send>>>,
    written: u64,
}

impl ConsoleSink {
    /// A sink on the process's stdout.
    pub fn new() -> Self {
        Self::with_writer(Box::new(std::io::stdout()))
    }

    /// A sink on `writer` (tests, or another stream).
    pub fn with_writer(writer: Box<dyn Write + Send>) -> Self {
        ConsoleSink {
            out: Some(BufWriter::with_capacity(64 * 1024, writer)),
            written: 0,
        }
    }
}

impl Default for ConsoleSink {
    fn default() -> Self {
        Self::new()
    }
}

impl Sink for ConsoleSink {
    fn write_event(&mut self, json: &[u8]) -> Result<(), OutputError> {
        let out = self.out.as_mut().ok_or(OutputError::Closed)?;
        out.write_all(json)
            .and_then(|()| out.write_all(b"\n"))
            .map_err(OutputError::Console)?;
        self.written += 1;
        Ok(())
    }

    fn flush(&mut self) -> Result<(), OutputError> {
        match self.out.as_mut() {
            Some(out) => out.flush().map_err(OutputError::Console),
            None => Ok(()),
        }
    }

    fn close(&mut self) -> Result<(), OutputError> {
        let result = self.flush();
        self.out = None;
        result
    }

    fn describe(&self) -> String {
        "console (stdout)".to_string()
    }

    fn events_written(&self) -> u64 {
        self.written
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))?
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn writes_ndjson_and_counts() {
        let buf = Shared::default();
        let mut sink = ConsoleSink::with_writer(Box::new(buf.clone()));
        assert!(sink.write_event(br#"{"a":1}"#).is_ok());
        assert!(sink.write_event(br#"{"b":2}"#).is_ok());
        assert!(sink.close().is_ok());
        assert!(sink.close().is_ok());
        assert!(matches!(sink.write_event(b"{}"), Err(OutputError::Closed)));
        let text = buf
            .0
            .lock()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        assert_eq!(text, "{\"a\":1}\n{\"b\":2}\n");
        assert_eq!(sink.events_written(), 2);
    }
}
