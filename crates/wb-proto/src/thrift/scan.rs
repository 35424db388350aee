//! Where a message on a plain socket ends, found by a resumable scan: the engine hands the
//! bytes of an incomplete message again with more appended, and the scan goes on from the
//! last whole item instead of decoding the message from its start each time, so a long
//! message costs one pass however it is segmented. Only once the end is known is the message
//! decoded and rendered ([`super::parser::parse_message`]).
//!
//! The scan keeps a stack of open structs and collections (at most [`MAX_DEPTH`] deep), never
//! the bytes; it applies the same checks as the decoder.

use super::parser::{Cur, Decoder, Header, Limits, Stop, Ty, Wire, MAX_DEPTH, R};

/// An open struct or collection.
#[derive(Clone, Copy, Debug)]
enum Frame {
    /// A struct; `top` for the message's own argument or result struct.
    Struct {
        last_id: i16,
        fields: usize,
        top: bool,
    },
    /// A list or set (`val` is `None`) or a map, with the elements still to come.
    Elements {
        key: Ty,
        val: Option<Ty>,
        on_val: bool,
        remaining: usize,
    },
}

/// What the scan found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scanned {
    /// The message is this many bytes.
    Complete(usize),
    /// At least this many bytes (from the message start) are needed.
    Incomplete(usize),
    /// Not a Thrift message.
    Invalid(&'static str),
}

/// The scan of one message.
#[derive(Debug, Default)]
pub struct Scan {
    pos: usize,
    header: Option<Header>,
    stack: Vec<Frame>,
}

impl Scan {
    /// The message header, once scanned.
    pub fn header(&self) -> Option<&Header> {
        self.header.as_ref()
    }

    /// Goes on scanning `data`, the bytes of the message from its start (the ones of earlier
    /// calls followed by new ones).
    pub fn feed(&mut self, data: &[u8], wire: Wire, limits: &Limits) -> Scanned {
        let mut d = Decoder {
            wire,
            limits,
            budget: 0,
        };
        loop {
            let mut cur = Cur {
                data,
                pos: self.pos,
            };
            match self.step(&mut d, &mut cur) {
                Ok(true) => return Scanned::Complete(cur.pos),
                // Every step reads at least one byte, so this loop ends with the data.
                Ok(false) => self.pos = cur.pos,
                Err(Stop::Short(needed)) => return Scanned::Incomplete(needed),
                Err(Stop::Bad(why)) => return Scanned::Invalid(why),
            }
        }
    }

    /// Reads one whole item; `true` when the message ended. Nothing changes on error.
    fn step(&mut self, d: &mut Decoder, cur: &mut Cur) -> R<bool> {
        if self.header.is_none() {
            self.header = Some(d.header(cur)?);
            self.stack.push(Frame::Struct {
                last_id: 0,
                fields: 0,
                top: true,
            });
            return Ok(false);
        }
        let Some(frame) = self.stack.last().copied() else {
            return Ok(true);
        };
        match frame {
            Frame::Struct {
                last_id,
                fields,
                top,
            } => {
                if !top && fields >= d.limits.drop_after_n_struct_fields {
                    return Err(Stop::Bad("too_many_struct_fields"));
                }
                let mut id = last_id;
                let Some((ty, _)) = d.field_header(cur, &mut id)? else {
                    self.stack.pop();
                    return Ok(self.stack.is_empty());
                };
                let child = begin(d, cur, ty)?;
                if let Some(Frame::Struct {
                    last_id, fields, ..
                }) = self.stack.last_mut()
                {
                    *last_id = id;
                    *fields += 1;
                }
                self.push(child)?;
            }
            Frame::Elements {
                key,
                val,
                on_val,
                remaining,
            } => {
                if remaining == 0 {
                    self.stack.pop();
                    return Ok(false);
                }
                let fixed = match val {
                    None => d.fixed(&[key]),
                    Some(v) => d.fixed(&[key, v]),
                };
                if let (Some(each), false) = (fixed, on_val) {
                    let total = each
                        .checked_mul(remaining)
                        .ok_or(Stop::Bad("size_overflow"))?;
                    cur.take(total)?;
                    self.stack.pop();
                    return Ok(false);
                }
                let ty = match (on_val, val) {
                    (true, Some(v)) => v,
                    _ => key,
                };
                let child = begin(d, cur, ty)?;
                if let Some(Frame::Elements {
                    on_val, remaining, ..
                }) = self.stack.last_mut()
                {
                    if val.is_some() && !*on_val {
                        *on_val = true;
                    } else {
                        *on_val = false;
                        *remaining -= 1;
                    }
                }
                self.push(child)?;
            }
        }
        Ok(false)
    }

    fn push(&mut self, child: Option<Frame>) -> R<()> {
        if let Some(frame) = child {
            // The message's own struct plus MAX_DEPTH nested levels, as the decoder allows.
            if self.stack.len() > MAX_DEPTH {
                return Err(Stop::Bad("too_deep"));
            }
            self.stack.push(frame);
        }
        Ok(())
    }
}

/// Reads the start of a value of type `ty`: a whole scalar, or the header of a struct or
/// collection, returned as the frame to open.
fn begin(d: &mut Decoder, cur: &mut Cur, ty: Ty) -> R<Option<Frame>> {
    let frame = match ty {
        Ty::Struct => Frame::Struct {
            last_id: 0,
            fields: 0,
            top: false,
        },
        Ty::List | Ty::Set => {
            let (elem, n) = d.list_header(cur)?;
            Frame::Elements {
                key: elem,
                val: None,
                on_val: false,
                remaining: n,
            }
        }
        Ty::Map => match d.map_header(cur)? {
            None => return Ok(None),
            Some((k, v, n)) => Frame::Elements {
                key: k,
                val: Some(v),
                on_val: false,
                remaining: n,
            },
        },
        scalar => {
            d.value(cur, scalar, 0, false)?;
            return Ok(None);
        }
    };
    Ok(Some(frame))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::thrift::parser::{parse_message, Parsed};

    const LIMITS: Limits = Limits {
        string_max_size: 200,
        collection_max_size: 15,
        drop_after_n_struct_fields: 500,
        obfuscate_strings: false,
    };

    #[test]
    fn agrees_with_the_decoder_at_every_length() {
        // CALL "m": 1: list<string>["ab", "c"], 2: map<i32, struct>{1: (1: true)},
        // 3: struct (1: set<i16>{}), STOP
        let mut m = vec![0x80, 0x01, 0x00, 0x01, 0, 0, 0, 1, b'm', 0, 0, 0, 1];
        m.extend([
            15, 0, 1, 11, 0, 0, 0, 2, 0, 0, 0, 2, b'a', b'b', 0, 0, 0, 1, b'c',
        ]);
        m.extend([13, 0, 2, 8, 12, 0, 0, 0, 1, 0, 0, 0, 1, 2, 0, 1, 1, 0]);
        m.extend([12, 0, 3, 14, 0, 1, 6, 0, 0, 0, 0, 0]);
        m.push(0);
        let whole = match parse_message(&m, Wire::Binary, &LIMITS, true) {
            Parsed::Complete(msg) => msg.len,
            other => panic!("{other:?}"),
        };
        assert_eq!(whole, m.len());
        // Fed one more byte at a time, the scan resumes and ends exactly there.
        let mut scan = Scan::default();
        for n in 0..m.len() {
            match scan.feed(m.get(..n).unwrap_or_default(), Wire::Binary, &LIMITS) {
                Scanned::Incomplete(needed) => assert!(needed > n),
                other => panic!("{n}: {other:?}"),
            }
        }
        assert_eq!(
            scan.feed(&m, Wire::Binary, &LIMITS),
            Scanned::Complete(m.len())
        );
        assert_eq!(scan.header().map(|h| h.name.as_str()), Some("m"));
    }
}
