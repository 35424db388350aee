//! A cursor over one Kafka message body with the protocol's primitive types. In flexible
//! versions strings, arrays and byte fields are compact (unsigned varint length plus one) and
//! structures end with tagged fields; the reader picks the encoding from its `flexible` flag.
//!
//! No-panic contract: every read checks the remaining length and returns `None` on short or
//! malformed input; callers stop decoding there and keep what they have.

/// A cursor over borrowed bytes.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    flexible: bool,
}

impl<'a> Reader<'a> {
    /// A reader of `data` in the classic (`flexible == false`) or compact encoding.
    pub fn new(data: &'a [u8], flexible: bool) -> Self {
        Reader { data, flexible }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> &'a [u8] {
        self.data
    }

    /// Takes the next `n` bytes.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let head = self.data.get(..n)?;
        self.data = self.data.get(n..)?;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    /// INT8.
    pub fn i8(&mut self) -> Option<i8> {
        self.array::<1>().map(i8::from_be_bytes)
    }

    /// INT16.
    pub fn i16(&mut self) -> Option<i16> {
        self.array::<2>().map(i16::from_be_bytes)
    }

    /// INT32.
    pub fn i32(&mut self) -> Option<i32> {
        self.array::<4>().map(i32::from_be_bytes)
    }

    /// Skips `n` bytes.
    pub fn skip(&mut self, n: usize) -> Option<()> {
        self.take(n).map(|_| ())
    }

    /// UNSIGNED_VARINT (at most 5 bytes, as for a 32-bit value).
    pub fn uvarint(&mut self) -> Option<u32> {
        let mut value: u32 = 0;
        for i in 0..5 {
            let b = self.array::<1>()?[0];
            value |= u32::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    /// A length prefix: INT16 (strings) or INT32 (bytes, arrays) in classic encoding, a
    /// varint of length + 1 in compact encoding. `None` inside means null.
    fn length(&mut self, wide: bool) -> Option<Option<usize>> {
        if self.flexible {
            let n = self.uvarint()?;
            return Some(n.checked_sub(1).map(|n| n as usize));
        }
        let n = if wide {
            self.i32()?
        } else {
            i32::from(self.i16()?)
        };
        Some(usize::try_from(n).ok())
    }

    /// (NULLABLE_/COMPACT_)STRING; null reads as empty.
    pub fn string(&mut self) -> Option<&'a [u8]> {
        match self.length(false)? {
            Some(n) => self.take(n),
            None => Some(&[]),
        }
    }

    /// (NULLABLE_/COMPACT_)BYTES or RECORDS; null reads as empty.
    pub fn bytes(&mut self) -> Option<&'a [u8]> {
        match self.length(true)? {
            Some(n) => self.take(n),
            None => Some(&[]),
        }
    }

    /// The element count of an ARRAY / COMPACT_ARRAY; null reads as zero. The count is
    /// bounded by the bytes left (every element takes at least one byte), so loops over it
    /// end soon on garbage.
    pub fn array_len(&mut self) -> Option<usize> {
        let n = self.length(true)?.unwrap_or(0);
        (n <= self.data.len()).then_some(n)
    }

    /// An array of INT32 (skipped).
    pub fn skip_i32_array(&mut self) -> Option<()> {
        let n = self.array_len()?;
        self.skip(n.checked_mul(4)?)
    }

    /// UUID (16 bytes, skipped).
    pub fn skip_uuid(&mut self) -> Option<()> {
        self.skip(16)
    }

    /// The tagged fields ending a structure in flexible versions (nothing in classic ones).
    pub fn tags(&mut self) -> Option<()> {
        if !self.flexible {
            return Some(());
        }
        let count = self.uvarint()?;
        for _ in 0..count.min(u32::try_from(self.data.len()).unwrap_or(u32::MAX)) {
            self.uvarint()?;
            let size = self.uvarint()? as usize;
            self.skip(size)?;
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_and_compact() {
        // INT16 length 2 "ab", then a null string (-1).
        let mut r = Reader::new(b"\x00\x02ab\xff\xff", false);
        assert_eq!(r.string(), Some(&b"ab"[..]));
        assert_eq!(r.string(), Some(&b""[..]));
        // Compact: varint 3 = length 2, varint 0 = null, then an empty tag buffer.
        let mut r = Reader::new(b"\x03ab\x00\x00", true);
        assert_eq!(r.string(), Some(&b"ab"[..]));
        assert_eq!(r.string(), Some(&b""[..]));
        assert_eq!(r.tags(), Some(()));
        assert!(r.remaining().is_empty());
        // Varint over two bytes: 0x96 0x01 = 150.
        assert_eq!(Reader::new(b"\x96\x01", true).uvarint(), Some(150));
        // Truncated and oversized inputs fail instead of panicking.
        assert_eq!(Reader::new(b"\x00\x05ab", false).string(), None);
        assert_eq!(
            Reader::new(b"\xff\xff\xff\xff\xff\xff", true).uvarint(),
            None
        );
        assert_eq!(Reader::new(b"\x00\x00\x10\x00", false).array_len(), None);
    }
}
