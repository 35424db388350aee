//! Counting records in a RECORDS field without decoding them: record batches (magic 2) carry
//! their record count in the batch header; older message sets (magic 0/1) hold one message per
//! entry.

/// Offset of `magic` in a batch or message-set entry (base offset i64, length i32, then
/// partition leader epoch i32 in a batch or crc i32 in a message).
const MAGIC_AT: usize = 16;
/// Offset of `records_count` in a v2 record batch header.
const COUNT_AT: usize = 57;
/// Bytes before the length-counted part of an entry (offset i64, length i32).
const ENTRY_HEAD: usize = 12;

/// Records in `data`, a sequence of batches; a truncated last batch (fetch responses may end
/// with a partial one) is not counted.
pub fn count(data: &[u8]) -> u64 {
    let mut total = 0u64;
    let mut rest = data;
    while let Some(len) = rest
        .get(8..ENTRY_HEAD)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(i32::from_be_bytes)
        .and_then(|n| usize::try_from(n).ok())
    {
        let Some(entry) = rest.get(..ENTRY_HEAD + len) else {
            break;
        };
        total += match entry.get(MAGIC_AT) {
            Some(2) => entry
                .get(COUNT_AT..COUNT_AT + 4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map_or(0, |b| u64::from(u32::from_be_bytes(b))),
            Some(_) => 1,
            None => 0,
        };
        rest = rest.get(ENTRY_HEAD + len..).unwrap_or_default();
    }
    total
}

#[cfg(test)]
mod tests {
    /// A v2 batch header claiming `n` records, with a zero-filled body of `extra` bytes.
    pub fn batch(n: u32, extra: usize) -> Vec<u8> {
        let mut b = vec![0u8; 8]; // base offset
        b.extend(((61 - 12 + extra) as i32).to_be_bytes()); // batch length
        b.extend([0, 0, 0, 0, 2]); // leader epoch, magic 2
        b.extend([0u8; 40]); // crc .. base sequence
        b.extend(n.to_be_bytes());
        b.extend(vec![0u8; extra]);
        b
    }

    #[test]
    fn batches() {
        let two = [batch(3, 10), batch(2, 0)].concat();
        assert_eq!(super::count(&two), 5);
        // A truncated last batch is not counted.
        assert_eq!(super::count(&two[..two.len() - 1]), 3);
        assert_eq!(super::count(b""), 0);
        assert_eq!(
            super::count(b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"),
            0
        );
    }
}
