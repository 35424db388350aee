//! A cursor over a frame body reading the notations of spec §3 ([short], [int], [string],
//! [long string], [string list], [bytes], [short bytes], [option], [inet]...). Every read
//! checks its length first; running out of bytes is [`Short`], never a panic, and no read
//! allocates more than the bytes actually present.

use std::net::IpAddr;

/// The body ended before the value did (a truncated or malformed body).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Short;

/// A read result.
pub type Read<T> = Result<T, Short>;

/// Reads body primitives front to back.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Read<&'a [u8]> {
        if n > self.data.len() {
            return Err(Short);
        }
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Read<[u8; N]> {
        self.take(N)?.try_into().map_err(|_| Short)
    }

    /// A [byte].
    pub fn byte(&mut self) -> Read<u8> {
        Ok(self.array::<1>()?[0])
    }

    /// A [short] (unsigned 16 bits).
    pub fn short(&mut self) -> Read<u16> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    /// An [int] (signed 32 bits).
    pub fn int(&mut self) -> Read<i32> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    /// A [string]: [short] length then UTF-8 (invalid bytes replaced).
    pub fn string(&mut self) -> Read<String> {
        let n = usize::from(self.short()?);
        Ok(String::from_utf8_lossy(self.take(n)?).into_owned())
    }

    /// A [long string]: [int] length then UTF-8.
    pub fn long_string(&mut self) -> Read<String> {
        let n = usize::try_from(self.int()?).map_err(|_| Short)?;
        Ok(String::from_utf8_lossy(self.take(n)?).into_owned())
    }

    /// A [string list].
    pub fn string_list(&mut self) -> Read<Vec<String>> {
        let n = self.short()?;
        // The list only grows by strings actually read: a hostile count allocates nothing.
        let mut list = Vec::new();
        for _ in 0..n {
            list.push(self.string()?);
        }
        Ok(list)
    }

    /// A [string multimap].
    pub fn string_multimap(&mut self) -> Read<Vec<(String, Vec<String>)>> {
        let n = self.short()?;
        let mut map = Vec::new();
        for _ in 0..n {
            let key = self.string()?;
            map.push((key, self.string_list()?));
        }
        Ok(map)
    }

    /// A [bytes] value, `None` when null (negative length).
    pub fn bytes(&mut self) -> Read<Option<&'a [u8]>> {
        match usize::try_from(self.int()?) {
            Ok(n) => self.take(n).map(Some),
            Err(_) => Ok(None),
        }
    }

    /// A [short bytes] value.
    pub fn short_bytes(&mut self) -> Read<&'a [u8]> {
        let n = usize::from(self.short()?);
        self.take(n)
    }

    /// A [bytes map], skipped.
    pub fn skip_bytes_map(&mut self) -> Read<()> {
        for _ in 0..self.short()? {
            self.string()?;
            self.bytes()?;
        }
        Ok(())
    }

    /// An [inet]: address and port.
    pub fn inet(&mut self) -> Read<(IpAddr, i32)> {
        let ip = self.inetaddr()?;
        Ok((ip, self.int()?))
    }

    /// An [inetaddr]: a 4- or 16-byte address.
    pub fn inetaddr(&mut self) -> Read<IpAddr> {
        match self.byte()? {
            4 => Ok(IpAddr::from(self.array::<4>()?)),
            16 => Ok(IpAddr::from(self.array::<16>()?)),
            _ => Err(Short),
        }
    }

    /// A column type [option] (spec §4.2.5.2), skipped with its nested types. `depth` bounds
    /// the nesting of hostile input.
    pub fn skip_type(&mut self, depth: u8) -> Read<()> {
        let depth = depth.checked_sub(1).ok_or(Short)?;
        match self.short()? {
            0x0000 => self.string().map(drop),
            0x0020 | 0x0022 => self.skip_type(depth),
            0x0021 => {
                self.skip_type(depth)?;
                self.skip_type(depth)
            }
            0x0030 => {
                self.string()?;
                self.string()?;
                for _ in 0..self.short()? {
                    self.string()?;
                    self.skip_type(depth)?;
                }
                Ok(())
            }
            0x0031 => {
                for _ in 0..self.short()? {
                    self.skip_type(depth)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitives_and_short_reads() {
        // [string] "ab", [int] -1 as a null [bytes], [inet] 127.0.0.1:9042.
        let data = [
            0, 2, b'a', b'b', 0xff, 0xff, 0xff, 0xff, 4, 127, 0, 0, 1, 0, 0, 0x23, 0x52,
        ];
        let mut r = Reader::new(&data);
        assert_eq!(r.string(), Ok("ab".into()));
        assert_eq!(r.bytes(), Ok(None));
        assert_eq!(r.inet(), Ok((IpAddr::from([127, 0, 0, 1]), 9042)));
        assert_eq!(r.byte(), Err(Short));
        // A [long string] declaring more than is there.
        assert_eq!(
            Reader::new(&[0x7f, 0, 0, 0, b'x']).long_string(),
            Err(Short)
        );
        // map<text, list<int>>: 0x21, 0x0d, 0x20, 0x09.
        let mut r = Reader::new(&[0, 0x21, 0, 0x0d, 0, 0x20, 0, 0x09]);
        assert_eq!(r.skip_type(8), Ok(()));
        assert_eq!(r.byte(), Err(Short));
    }
}
