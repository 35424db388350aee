//! A streaming RESP2/RESP3 reader: it consumes one item (a line, or a line and its bulk
//! payload) at a time and keeps the nesting in a small stack, so a large reply arriving over
//! many segments is read once, never re-parsed from its start.

/// Longest header line accepted (type byte to CRLF); longer is not RESP.
const MAX_LINE: usize = 64 * 1024;
/// Deepest nesting accepted.
const MAX_DEPTH: usize = 64;

/// One complete item at the front of the data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item<'a> {
    /// `+text` (RESP3 `,double`, `(bignum`, `#t` are reported as simple text too).
    Simple(&'a [u8]),
    /// `-text`, or the RESP3 blob error `!`.
    Error(&'a [u8]),
    /// `:n`.
    Integer(&'a [u8]),
    /// `$n` bulk string (RESP3 `=` verbatim strings too, without their `xxx:` prefix).
    Bulk(&'a [u8]),
    /// `$-1`, `*-1`, `_`.
    Null,
    /// The start of an aggregate with this many elements.
    Aggregate(Aggregate, usize),
}

/// Aggregate kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
    /// `*` array.
    Array,
    /// `%` map (count = pairs; elements = 2 × pairs).
    Map,
    /// `~` set.
    Set,
    /// `>` out-of-band push.
    Push,
    /// `|` attributes that precede the next value (not part of it).
    Attribute,
}

/// What reading the front of the data gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Read<'a> {
    /// An item and the bytes it used.
    Item(Item<'a>, usize),
    /// The item is not complete: at least this many bytes are needed from its start
    /// (0 = unknown, the header line is not complete yet).
    Incomplete(usize),
    /// Not RESP (or a form not supported, such as RESP3 streamed strings).
    Invalid,
}

/// True when `b` starts a RESP item.
pub fn is_type_byte(b: u8) -> bool {
    matches!(
        b,
        b'+' | b'-'
            | b':'
            | b'$'
            | b'*'
            | b'_'
            | b','
            | b'#'
            | b'!'
            | b'='
            | b'('
            | b'%'
            | b'~'
            | b'>'
            | b'|'
    )
}

/// The first CRLF-terminated line: (content without type byte and CRLF, length with CRLF).
fn line(data: &[u8]) -> Option<Result<(&[u8], usize), ()>> {
    let window = data.get(..data.len().min(MAX_LINE))?;
    match window.windows(2).position(|w| w == b"\r\n") {
        Some(end) => Some(Ok((data.get(1..end).unwrap_or_default(), end + 2))),
        None if data.len() >= MAX_LINE => Some(Err(())),
        None => None,
    }
}

fn number(text: &[u8]) -> Option<i64> {
    std::str::from_utf8(text).ok()?.parse().ok()
}

/// Reads one item at the front of `data`.
pub fn read(data: &[u8]) -> Read<'_> {
    let Some(&kind) = data.first() else {
        return Read::Incomplete(0);
    };
    if !is_type_byte(kind) {
        return Read::Invalid;
    }
    let (text, used) = match line(data) {
        None => return Read::Incomplete(0),
        Some(Err(())) => return Read::Invalid,
        Some(Ok(l)) => l,
    };
    let item = match kind {
        b'+' | b',' | b'(' => Item::Simple(text),
        b'#' => Item::Simple(if text == b"t" { b"true" } else { b"false" }),
        b'-' => Item::Error(text),
        b':' => Item::Integer(text),
        b'_' => Item::Null,
        b'$' | b'!' | b'=' => {
            let Some(n) = number(text) else {
                return Read::Invalid;
            };
            if n < 0 {
                return if kind == b'$' {
                    Read::Item(Item::Null, used)
                } else {
                    Read::Invalid
                };
            }
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            let total = used.saturating_add(n).saturating_add(2);
            let Some(body) = data.get(used..used + n) else {
                return Read::Incomplete(total);
            };
            match data.get(used + n..total) {
                Some(b"\r\n") => {}
                Some(_) => return Read::Invalid,
                None => return Read::Incomplete(total),
            }
            let item = match kind {
                b'!' => Item::Error(body),
                b'=' => Item::Bulk(
                    body.get(4..)
                        .filter(|_| body.get(3) == Some(&b':'))
                        .unwrap_or(body),
                ),
                _ => Item::Bulk(body),
            };
            return Read::Item(item, total);
        }
        _ => {
            let Some(n) = number(text) else {
                return Read::Invalid;
            };
            if n < 0 {
                return if kind == b'*' {
                    Read::Item(Item::Null, used)
                } else {
                    Read::Invalid
                };
            }
            let agg = match kind {
                b'*' => Aggregate::Array,
                b'%' => Aggregate::Map,
                b'~' => Aggregate::Set,
                b'>' => Aggregate::Push,
                _ => Aggregate::Attribute,
            };
            Item::Aggregate(agg, usize::try_from(n).unwrap_or(usize::MAX))
        }
    };
    Read::Item(item, used)
}

/// Nesting state of a message being read: open aggregates and their remaining elements.
#[derive(Clone, Debug, Default)]
pub struct Nesting {
    levels: Vec<(Aggregate, usize)>,
}

/// What one item did to the message being read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The message continues.
    More,
    /// The message is complete.
    Complete,
    /// Too deep.
    TooDeep,
}

impl Nesting {
    /// Depth of the next item (0 = top level).
    pub fn depth(&self) -> usize {
        self.levels.len()
    }

    /// True while inside attributes (their content is not part of the message text).
    pub fn in_attribute(&self) -> bool {
        self.levels.iter().any(|(k, _)| *k == Aggregate::Attribute)
    }

    /// Accounts for one item; aggregates open a level, others fill the current one. Also
    /// returns how many aggregates other than attributes the item closed.
    pub fn push(&mut self, item: &Item<'_>) -> (Step, usize) {
        if let Item::Aggregate(kind, n) = *item {
            let n = if kind == Aggregate::Map || kind == Aggregate::Attribute {
                n.saturating_mul(2)
            } else {
                n
            };
            if n > 0 {
                if self.levels.len() >= MAX_DEPTH {
                    return (Step::TooDeep, 0);
                }
                self.levels.push((kind, n));
                return (Step::More, 0);
            }
            // An attribute with no entries precedes nothing of its own.
            if kind == Aggregate::Attribute {
                return (Step::More, 0);
            }
        }
        self.element_done()
    }

    /// One element of the current level is complete; closes finished levels.
    fn element_done(&mut self) -> (Step, usize) {
        let mut closed = 0;
        loop {
            let Some((kind, remaining)) = self.levels.last_mut() else {
                return (Step::Complete, closed);
            };
            *remaining -= 1;
            if *remaining > 0 {
                return (Step::More, closed);
            }
            let kind = *kind;
            self.levels.pop();
            // A finished attribute block does not count as an element of its parent.
            if kind == Aggregate::Attribute {
                return (Step::More, closed);
            }
            closed += 1;
        }
    }

    /// Forgets everything (after an error or a gap).
    pub fn reset(&mut self) {
        self.levels.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_and_bulk() {
        assert_eq!(read(b"+OK\r\n"), Read::Item(Item::Simple(b"OK"), 5));
        assert_eq!(read(b"-ERR x\r\n"), Read::Item(Item::Error(b"ERR x"), 8));
        assert_eq!(read(b":42\r\n"), Read::Item(Item::Integer(b"42"), 5));
        assert_eq!(read(b"$3\r\nabc\r\n"), Read::Item(Item::Bulk(b"abc"), 9));
        assert_eq!(read(b"$-1\r\n"), Read::Item(Item::Null, 5));
        // "$5\r\n" + 5 bytes + CRLF = 11 bytes are needed.
        assert_eq!(read(b"$5\r\nab"), Read::Incomplete(11));
        assert_eq!(read(b"+OK"), Read::Incomplete(0));
        assert_eq!(read(b"$3\r\nabcXY"), Read::Invalid);
        assert_eq!(read(b"GET x\r\n"), Read::Invalid);
        assert_eq!(
            read(b"=8\r\ntxt:abcd\r\n"),
            Read::Item(Item::Bulk(b"abcd"), 14)
        );
        assert_eq!(read(b"#t\r\n"), Read::Item(Item::Simple(b"true"), 4));
    }

    #[test]
    fn nesting_of_arrays_maps_and_attributes() {
        let mut n = Nesting::default();
        // *2 [ *1 [ :1 ] , +a ]
        assert_eq!(
            n.push(&Item::Aggregate(Aggregate::Array, 2)),
            (Step::More, 0)
        );
        assert_eq!(
            n.push(&Item::Aggregate(Aggregate::Array, 1)),
            (Step::More, 0)
        );
        assert_eq!(n.push(&Item::Integer(b"1")), (Step::More, 1));
        assert_eq!(n.push(&Item::Simple(b"a")), (Step::Complete, 1));
        // |1 { +k +v } then :5 — the attribute does not complete the message.
        assert_eq!(
            n.push(&Item::Aggregate(Aggregate::Attribute, 1)),
            (Step::More, 0)
        );
        assert!(n.in_attribute());
        assert_eq!(n.push(&Item::Simple(b"k")), (Step::More, 0));
        assert_eq!(n.push(&Item::Simple(b"v")), (Step::More, 0));
        assert_eq!(n.push(&Item::Integer(b"5")), (Step::Complete, 0));
        // Empty array and null are complete at once.
        assert_eq!(
            n.push(&Item::Aggregate(Aggregate::Array, 0)),
            (Step::Complete, 0)
        );
        assert_eq!(n.push(&Item::Null), (Step::Complete, 0));
        let mut deep = Nesting::default();
        let steps: Vec<Step> = (0..70)
            .map(|_| deep.push(&Item::Aggregate(Aggregate::Array, 1)).0)
            .collect();
        assert_eq!(steps.last(), Some(&Step::TooDeep));
    }
}
