//! A bounds-checked XDR reader (RFC 4506) over borrowed bytes: every read returns `None`
//! instead of reading past the end, and declared lengths are checked against what is there
//! before anything is used.

/// The big-endian 32-bit integer at `at` in `data`, if all four bytes are there.
pub fn be32(data: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = data.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(b))
}

/// A cursor over XDR-encoded bytes.
#[derive(Clone, Debug)]
pub struct Xdr<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Xdr<'a> {
    /// A reader at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Xdr { data, pos: 0 }
    }

    /// One unsigned 32-bit integer.
    pub fn u32(&mut self) -> Option<u32> {
        let v = be32(self.data, self.pos)?;
        self.pos += 4;
        Some(v)
    }

    /// `n` bytes of fixed-length opaque data plus their padding to a multiple of four.
    pub fn fixed(&mut self, n: usize) -> Option<&'a [u8]> {
        let padded = n.checked_add(3)? & !3;
        let end = self.pos.checked_add(padded)?;
        if end > self.data.len() {
            return None;
        }
        let out = self.data.get(self.pos..self.pos + n)?;
        self.pos = end;
        Some(out)
    }

    /// Variable-length opaque data or a string of at most `max` bytes.
    pub fn opaque(&mut self, max: usize) -> Option<&'a [u8]> {
        let n = usize::try_from(self.u32()?).ok()?;
        if n > max {
            return None;
        }
        self.fixed(n)
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_bounds() {
        // 1, then opaque<> of length 3 "abc" padded to 4, then a truncated integer.
        let data = [0, 0, 0, 1, 0, 0, 0, 3, b'a', b'b', b'c', 0, 0, 0];
        let mut x = Xdr::new(&data);
        assert_eq!(x.u32(), Some(1));
        assert_eq!(x.clone().opaque(2), None, "longer than the cap");
        assert_eq!(x.opaque(8), Some(&b"abc"[..]));
        assert_eq!(x.u32(), None);
        // A declared length far past the end is refused, not allocated.
        let mut x = Xdr::new(&[0xff, 0xff, 0xff, 0xf0, 1, 2]);
        assert_eq!(x.opaque(usize::MAX), None);
    }
}
