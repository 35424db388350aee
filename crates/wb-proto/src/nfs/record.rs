//! ONC RPC record marking over TCP (RFC 5531 section 11): a record is one or more fragments,
//! each behind a 4-byte header (top bit: last fragment; low 31 bits: length). The reader keeps
//! only the first [`HEAD_CAP`] bytes of a record (all the analyzer parses) and counts the rest
//! as it streams by, so a record of any declared size costs a bounded amount of memory.

use super::xdr::be32;
use wb_wire::Timestamp;

/// Bytes of a record's start kept for parsing: the RPC header with the largest credential and
/// verifier (2 x 400 bytes) and the start of the arguments.
pub const HEAD_CAP: usize = 4096;

/// A complete record.
#[derive(Debug)]
pub struct Record {
    /// The first bytes of the record (fragment headers removed).
    pub head: Vec<u8>,
    /// Size of the RPC message: all fragments' bytes, headers excluded.
    pub size: u64,
    /// Time of the record's first byte.
    pub start: Timestamp,
    /// Bytes inside the kept head were lost in a gap.
    pub damaged: bool,
}

/// What one step of the reader did.
#[derive(Debug)]
pub enum Step {
    /// A fragment header is incomplete: call again with at least this many bytes.
    NeedMore(usize),
    /// This many bytes were consumed; no record ended.
    Consumed(usize),
    /// This many bytes were consumed and they ended a record.
    Done(usize, Record),
    /// The record would exceed the size cap: it is abandoned (nothing consumed).
    TooLarge,
}

/// The record reader of one direction.
#[derive(Debug, Default)]
pub struct RecordReader {
    head: Vec<u8>,
    size: u64,
    frag_left: u64,
    last: bool,
    in_record: bool,
    damaged: bool,
    start: Timestamp,
}

impl RecordReader {
    /// Reads from `data` (stream bytes at time `now`) without letting a record grow beyond
    /// `max_record` bytes.
    pub fn step(&mut self, data: &[u8], now: Timestamp, max_record: u64) -> Step {
        if self.frag_left > 0 {
            let n = usize::try_from(self.frag_left)
                .unwrap_or(usize::MAX)
                .min(data.len());
            let keep = n.min(HEAD_CAP.saturating_sub(self.head.len()));
            self.head
                .extend_from_slice(data.get(..keep).unwrap_or_default());
            self.frag_left -= n as u64;
            return self.finish_if_done(n);
        }
        let Some(marker) = be32(data, 0) else {
            return Step::NeedMore(4);
        };
        let len = u64::from(marker & 0x7fff_ffff);
        if !self.in_record {
            self.in_record = true;
            self.start = now;
            self.size = 0;
            self.damaged = false;
            self.head.clear();
        }
        if self.size + len > max_record {
            self.reset();
            return Step::TooLarge;
        }
        self.size += len;
        self.frag_left = len;
        self.last = marker & 0x8000_0000 != 0;
        self.finish_if_done(4)
    }

    fn finish_if_done(&mut self, consumed: usize) -> Step {
        if self.frag_left > 0 || !self.last {
            return Step::Consumed(consumed);
        }
        self.in_record = false;
        self.last = false;
        let record = Record {
            head: std::mem::take(&mut self.head),
            size: self.size,
            start: self.start,
            damaged: self.damaged,
        };
        Step::Done(consumed, record)
    }

    /// `missing` bytes were lost. Returns whether the reader is still in step: the loss fell
    /// inside the current fragment's data. Otherwise it is reset and the caller must find the
    /// next record start.
    pub fn lose(&mut self, missing: u64) -> bool {
        if self.frag_left >= missing && self.frag_left > 0 {
            if self.head.len() < HEAD_CAP {
                self.damaged = true;
            }
            self.frag_left -= missing;
            return true;
        }
        self.reset();
        false
    }

    /// Drops the record being read.
    pub fn reset(&mut self) {
        *self = RecordReader {
            head: std::mem::take(&mut self.head),
            ..RecordReader::default()
        };
        self.head.clear();
    }
}

/// The offset in `data` of the first plausible record start after lost bytes: a last-fragment
/// header of at most `max_record` bytes followed by a call (`call` true: RPC version 2) or a
/// reply (accepted or denied). `None` when there is none in the first `data.len() - 15` bytes.
pub fn find_record_start(data: &[u8], call: bool, max_record: u64) -> Option<usize> {
    let word = |i: usize| be32(data, i);
    (0..data.len().saturating_sub(15)).find(|&i| {
        let (Some(marker), Some(kind), Some(next)) = (word(i), word(i + 8), word(i + 12)) else {
            return false;
        };
        let len = u64::from(marker & 0x7fff_ffff);
        let plausible = marker & 0x8000_0000 != 0 && (12..=max_record).contains(&len);
        plausible
            && if call {
                kind == 0 && next == 2
            } else {
                kind == 1 && next <= 1
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> Timestamp {
        Timestamp::default()
    }

    #[test]
    fn fragments_make_one_record() {
        let mut r = RecordReader::default();
        // First fragment "ab" (not last), then the last fragment "c".
        let data = [0, 0, 0, 2, b'a', b'b', 0x80, 0, 0, 1, b'c'];
        let mut pos = 0;
        let mut out = None;
        for _ in 0..10 {
            match r.step(&data[pos..], t(), 100) {
                Step::Consumed(n) => pos += n,
                Step::Done(n, rec) => {
                    pos += n;
                    out = Some(rec);
                    break;
                }
                other => panic!("{other:?}"),
            }
        }
        let rec = out.unwrap_or_else(|| panic!("no record"));
        assert_eq!((rec.head.as_slice(), rec.size, pos), (&b"abc"[..], 3, 11));
        // A header declaring 2 GiB is refused before anything is kept.
        assert!(matches!(
            r.step(&[0xff, 0xff, 0xff, 0xff], t(), 1 << 20),
            Step::TooLarge
        ));
        assert!(matches!(r.step(&[0x80, 0], t(), 10), Step::NeedMore(4)));
    }

    #[test]
    fn finds_a_record_start() {
        let mut data = vec![9u8; 5];
        data.extend_from_slice(&[0x80, 0, 0, 40, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
        assert_eq!(find_record_start(&data, true, 1000), Some(5));
        assert_eq!(find_record_start(&data, false, 1000), None);
    }
}
