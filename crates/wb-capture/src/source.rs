//! Where the bytes come from: an owned buffer, or a stream (a file, or a gzip decoder over one)
//! read through a growable window of large reads. Both hand out slices that stay valid until
//! the next call, so records are never copied. (Plain reads beat a memory map here: 6.6 M
//! packets/s against 5.6 M, with a 6 MiB resident set instead of the whole file's pages.)

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Bytes read from the underlying file, shared with a [`CountingReader`].
pub type Counter = Arc<AtomicU64>;

/// A byte source read front to back.
pub enum Source {
    /// An owned buffer.
    Memory { data: Vec<u8>, pos: usize },
    /// A stream with a window `buf[start..end]` of unread bytes.
    Stream {
        reader: Box<dyn Read + Send>,
        buf: Vec<u8>,
        start: usize,
        end: usize,
        eof: bool,
        counter: Counter,
    },
}

/// Read size of a stream refill.
const CHUNK: usize = 1 << 20;

impl Source {
    /// A stream source over `reader`.
    pub fn stream(reader: Box<dyn Read + Send>, counter: Counter) -> Self {
        Source::Stream {
            reader,
            buf: Vec::new(),
            start: 0,
            end: 0,
            eof: false,
            counter,
        }
    }

    /// The next `n` bytes without consuming them; `Ok(None)` when fewer remain.
    pub fn peek(&mut self, n: usize) -> std::io::Result<Option<&[u8]>> {
        self.ensure(n)?;
        Ok(self.window().get(..n))
    }

    /// Consumes and returns the next `n` bytes; `Ok(None)` when fewer remain.
    pub fn take(&mut self, n: usize) -> std::io::Result<Option<&[u8]>> {
        self.ensure(n)?;
        let (data, pos) = match self {
            Source::Memory { data, pos } => (data.as_slice(), pos),
            Source::Stream {
                buf, start, end, ..
            } => (buf.get(..*end).unwrap_or(&[]), start),
        };
        let from = *pos;
        match data.get(from..from.saturating_add(n)) {
            Some(slice) => {
                *pos = from + n;
                Ok(Some(slice))
            }
            None => Ok(None),
        }
    }

    /// Unread bytes that are available now.
    fn window(&self) -> &[u8] {
        match self {
            Source::Memory { data, pos } => data.get(*pos..).unwrap_or(&[]),
            Source::Stream {
                buf, start, end, ..
            } => buf.get(*start..*end).unwrap_or(&[]),
        }
    }

    /// Reads from the stream until `n` bytes are available or the stream ends.
    fn ensure(&mut self, n: usize) -> std::io::Result<()> {
        let Source::Stream {
            reader,
            buf,
            start,
            end,
            eof,
            ..
        } = self
        else {
            return Ok(());
        };
        if *end - *start >= n {
            return Ok(());
        }
        buf.copy_within(*start..*end, 0);
        *end -= *start;
        *start = 0;
        while *end < n && !*eof {
            let want = (n - *end).max(CHUNK);
            if buf.len() < *end + want {
                buf.resize(*end + want, 0);
            }
            let got = match reader.read(buf.get_mut(*end..).unwrap_or(&mut [])) {
                Ok(got) => got,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if got == 0 {
                *eof = true;
            }
            *end += got;
        }
        Ok(())
    }

    /// Bytes of the file consumed so far (compressed bytes for a stream).
    pub fn bytes_read(&self) -> u64 {
        match self {
            Source::Memory { pos, .. } => *pos as u64,
            Source::Stream { counter, .. } => counter.load(Ordering::Relaxed),
        }
    }
}

/// A reader that counts the bytes it reads.
pub struct CountingReader<R> {
    inner: R,
    counter: Counter,
}

impl<R> CountingReader<R> {
    /// Wraps `inner`, adding every read to `counter`.
    pub fn new(inner: R, counter: Counter) -> Self {
        CountingReader { inner, counter }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}
