//! Pure decoding of one Thrift message (TBinary strict or old non-strict, or TCompact) from
//! borrowed bytes, rendering its fields as Packetbeat does.
//!
//! No-panic contract: every read goes through [`Cur`], which checks lengths. Nothing is
//! allocated from a declared size: collections are walked element by element (fixed-size
//! elements past the rendered ones are skipped in one step), only the first
//! `collection_max_size` elements are rendered, nesting is capped at [`MAX_DEPTH`] and the
//! rendered text of one message at [`MAX_RENDERED`].

use super::render;

/// Deepest nesting of structs and collections accepted.
pub const MAX_DEPTH: usize = 64;
/// Most rendered text kept for one message; values past it are parsed but left empty.
pub const MAX_RENDERED: usize = 1 << 20;
/// Longest method name accepted (a longer one is taken for garbage).
pub const MAX_NAME: usize = 64 * 1024;

/// The Thrift protocol (`protocol_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wire {
    /// TBinaryProtocol (strict or non-strict).
    Binary,
    /// TCompactProtocol.
    Compact,
}

/// How values are rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest string rendered (longer ones are cut and get `...`).
    pub string_max_size: usize,
    /// Most elements (and struct fields) rendered per collection (then `...`).
    pub collection_max_size: usize,
    /// A nested struct with this many fields makes the message invalid.
    pub drop_after_n_struct_fields: usize,
    /// Render every non-empty string as `"*"`.
    pub obfuscate_strings: bool,
}

/// The message type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A call expecting a reply.
    Call,
    /// A normal reply.
    Reply,
    /// A TApplicationException reply.
    Exception,
    /// A one-way call.
    Oneway,
}

impl Kind {
    /// Whether the message is sent by the client.
    pub fn is_request(self) -> bool {
        matches!(self, Kind::Call | Kind::Oneway)
    }
}

/// A message header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Method name (cut as strings are).
    pub name: String,
    /// Message type.
    pub kind: Kind,
    /// Sequence id.
    pub seq_id: i32,
}

/// A decoded message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The header.
    pub header: Header,
    /// Top-level fields `(id, rendered value)`, at most `collection_max_size` (at least one).
    pub fields: Vec<(i16, String)>,
    /// More fields followed the kept ones.
    pub more_fields: bool,
    /// Bytes the message took.
    pub len: usize,
}

/// Result of decoding the front of a buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A whole message.
    Complete(Message),
    /// At least `needed` bytes (from the message start) are required; the header, once read.
    Incomplete {
        /// Total bytes the message needs at least.
        needed: usize,
        /// The header, if it was complete.
        header: Option<Header>,
    },
    /// Not a Thrift message (a static reason, used as the anomaly name).
    Invalid(&'static str),
}

/// Why decoding stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stop {
    /// At least this many bytes (from the start) are needed.
    Short(usize),
    /// Not valid.
    Bad(&'static str),
}

pub(super) type R<T> = Result<T, Stop>;

/// A bounds-checked reading position.
pub(super) struct Cur<'a> {
    pub(super) data: &'a [u8],
    pub(super) pos: usize,
}

impl<'a> Cur<'a> {
    pub(super) fn take(&mut self, n: usize) -> R<&'a [u8]> {
        let end = self.pos.checked_add(n).ok_or(Stop::Bad("size_overflow"))?;
        let s = self.data.get(self.pos..end).ok_or(Stop::Short(end))?;
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> R<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u8(&mut self) -> R<u8> {
        Ok(self.array::<1>()?[0])
    }

    fn i16(&mut self) -> R<i16> {
        Ok(i16::from_be_bytes(self.array()?))
    }

    fn i32(&mut self) -> R<i32> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    fn i64(&mut self) -> R<i64> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    /// An unsigned LEB128 varint of at most 10 bytes.
    fn varint(&mut self) -> R<u64> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(Stop::Bad("bad_varint"))
    }

    fn zigzag(&mut self) -> R<i64> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn size(&mut self) -> R<usize> {
        usize::try_from(self.varint()?).map_err(|_| Stop::Bad("size_overflow"))
    }
}

/// Value types, whatever their code on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ty {
    /// A bool; in a compact field header the value travels with the type.
    Bool(Option<bool>),
    Byte,
    I16,
    I32,
    I64,
    Double,
    Binary,
    Struct,
    Map,
    Set,
    List,
    Uuid,
}

impl Ty {
    fn of(wire: Wire, code: u8) -> R<Ty> {
        let ty = match (wire, code) {
            (Wire::Binary, 2) => Ty::Bool(None),
            (Wire::Binary, 3) | (Wire::Compact, 3) => Ty::Byte,
            (Wire::Binary, 4) | (Wire::Compact, 7) => Ty::Double,
            (Wire::Binary, 6) | (Wire::Compact, 4) => Ty::I16,
            (Wire::Binary, 8) | (Wire::Compact, 5) => Ty::I32,
            (Wire::Binary, 10) | (Wire::Compact, 6) => Ty::I64,
            (Wire::Binary, 11) | (Wire::Compact, 8) => Ty::Binary,
            (Wire::Binary, 12) | (Wire::Compact, 12) => Ty::Struct,
            (Wire::Binary, 13) | (Wire::Compact, 11) => Ty::Map,
            (Wire::Binary, 14) | (Wire::Compact, 10) => Ty::Set,
            (Wire::Binary, 15) | (Wire::Compact, 9) => Ty::List,
            (Wire::Binary, 16) | (Wire::Compact, 13) => Ty::Uuid,
            (Wire::Compact, 1) => Ty::Bool(Some(true)),
            (Wire::Compact, 2) => Ty::Bool(Some(false)),
            _ => return Err(Stop::Bad("unknown_type")),
        };
        Ok(ty)
    }

    /// Wire size of a collection element of this type when it is fixed.
    fn fixed_size(self, wire: Wire) -> Option<usize> {
        match (self, wire) {
            (Ty::Bool(_) | Ty::Byte, _) => Some(1),
            (Ty::Double, _) => Some(8),
            (Ty::Uuid, _) => Some(16),
            (Ty::I16, Wire::Binary) => Some(2),
            (Ty::I32, Wire::Binary) => Some(4),
            (Ty::I64, Wire::Binary) => Some(8),
            _ => None,
        }
    }
}

/// Decoding state of one message.
pub(super) struct Decoder<'l> {
    pub(super) wire: Wire,
    pub(super) limits: &'l Limits,
    /// Rendered characters still allowed.
    pub(super) budget: usize,
}

impl Decoder<'_> {
    fn spend(&mut self, s: String) -> String {
        self.budget = self.budget.saturating_sub(s.len());
        s
    }

    /// Reads one value of type `ty`; its text when `render` (and budget is left).
    pub(super) fn value(&mut self, cur: &mut Cur, ty: Ty, depth: usize, render: bool) -> R<String> {
        let render = render && self.budget > 0;
        let text = match ty {
            Ty::Bool(Some(b)) => bool_text(b, render),
            Ty::Bool(None) => {
                let b = cur.u8()?;
                let truth = match self.wire {
                    Wire::Binary => b != 0,
                    Wire::Compact => b == 1,
                };
                bool_text(truth, render)
            }
            // Packetbeat writes a byte as unsigned.
            Ty::Byte => num(cur.u8()?, render),
            Ty::I16 => match self.wire {
                Wire::Binary => num(cur.i16()?, render),
                Wire::Compact => num(cur.zigzag()?, render),
            },
            Ty::I32 => match self.wire {
                Wire::Binary => num(cur.i32()?, render),
                Wire::Compact => num(cur.zigzag()?, render),
            },
            Ty::I64 => match self.wire {
                Wire::Binary => num(cur.i64()?, render),
                Wire::Compact => num(cur.zigzag()?, render),
            },
            Ty::Double => {
                let bits = match self.wire {
                    Wire::Binary => u64::from_be_bytes(cur.array()?),
                    Wire::Compact => u64::from_le_bytes(cur.array()?),
                };
                if render {
                    render::double(f64::from_bits(bits))
                } else {
                    String::new()
                }
            }
            Ty::Binary => {
                let bytes = self.bytes(cur)?;
                if render {
                    render::string(
                        bytes,
                        self.limits.string_max_size,
                        self.limits.obfuscate_strings,
                    )
                } else {
                    String::new()
                }
            }
            Ty::Uuid => {
                let b = cur.take(16)?;
                if render {
                    render::uuid(b)
                } else {
                    String::new()
                }
            }
            Ty::Struct => self.nested_struct(cur, depth + 1, render)?,
            Ty::List | Ty::Set => self.list(cur, ty, depth + 1, render)?,
            Ty::Map => self.map(cur, depth + 1, render)?,
        };
        Ok(self.spend(text))
    }

    fn bytes<'a>(&self, cur: &mut Cur<'a>) -> R<&'a [u8]> {
        let n = match self.wire {
            Wire::Binary => usize::try_from(cur.i32()?).map_err(|_| Stop::Bad("negative_size"))?,
            Wire::Compact => cur.size()?,
        };
        cur.take(n)
    }

    /// A field header: `None` at the STOP field.
    pub(super) fn field_header(&self, cur: &mut Cur, last_id: &mut i16) -> R<Option<(Ty, i16)>> {
        let b = cur.u8()?;
        if b == 0 {
            return Ok(None);
        }
        match self.wire {
            Wire::Binary => {
                let ty = Ty::of(self.wire, b)?;
                Ok(Some((ty, cur.i16()?)))
            }
            Wire::Compact => {
                let ty = Ty::of(self.wire, b & 0x0f)?;
                let delta = b >> 4;
                let id = if delta == 0 {
                    i16::try_from(cur.zigzag()?).map_err(|_| Stop::Bad("bad_field_id"))?
                } else {
                    last_id.wrapping_add(i16::from(delta))
                };
                *last_id = id;
                Ok(Some((ty, id)))
            }
        }
    }

    /// A collection element type; compact bools in collections are one byte each.
    fn element_type(&self, code: u8) -> R<Ty> {
        match Ty::of(self.wire, code)? {
            Ty::Bool(_) => Ok(Ty::Bool(None)),
            ty => Ok(ty),
        }
    }

    /// A list or set header: element type and count.
    pub(super) fn list_header(&self, cur: &mut Cur) -> R<(Ty, usize)> {
        match self.wire {
            Wire::Binary => {
                let ty = self.element_type(cur.u8()?)?;
                let size = usize::try_from(cur.i32()?).map_err(|_| Stop::Bad("negative_size"))?;
                Ok((ty, size))
            }
            Wire::Compact => {
                let b = cur.u8()?;
                let ty = self.element_type(b & 0x0f)?;
                let size = match b >> 4 {
                    15 => cur.size()?,
                    n => usize::from(n),
                };
                Ok((ty, size))
            }
        }
    }

    /// A map header: key and value types and count; `None` for a compact empty map, which
    /// has no types.
    pub(super) fn map_header(&self, cur: &mut Cur) -> R<Option<(Ty, Ty, usize)>> {
        match self.wire {
            Wire::Binary => {
                let k = self.element_type(cur.u8()?)?;
                let v = self.element_type(cur.u8()?)?;
                let size = usize::try_from(cur.i32()?).map_err(|_| Stop::Bad("negative_size"))?;
                Ok(Some((k, v, size)))
            }
            Wire::Compact => {
                let size = cur.size()?;
                if size == 0 {
                    return Ok(None);
                }
                let b = cur.u8()?;
                Ok(Some((
                    self.element_type(b >> 4)?,
                    self.element_type(b & 0x0f)?,
                    size,
                )))
            }
        }
    }

    fn nested_struct(&mut self, cur: &mut Cur, depth: usize, render: bool) -> R<String> {
        if depth > MAX_DEPTH {
            return Err(Stop::Bad("too_deep"));
        }
        let mut kept = Vec::new();
        let mut more = false;
        let mut last_id = 0;
        for i in 0.. {
            if i >= self.limits.drop_after_n_struct_fields {
                return Err(Stop::Bad("too_many_struct_fields"));
            }
            let Some((ty, id)) = self.field_header(cur, &mut last_id)? else {
                break;
            };
            let shown = render && i < self.limits.collection_max_size;
            let v = self.value(cur, ty, depth, shown)?;
            if shown {
                kept.push((id, v));
            } else {
                more = true;
            }
        }
        Ok(if render {
            render::fields(&kept, more, &[])
        } else {
            String::new()
        })
    }

    fn list(&mut self, cur: &mut Cur, kind: Ty, depth: usize, render: bool) -> R<String> {
        if depth > MAX_DEPTH {
            return Err(Stop::Bad("too_deep"));
        }
        let (elem, size) = self.list_header(cur)?;
        self.ensure_fixed(cur, &[elem], size)?;
        let mut parts = Vec::new();
        let shown = size.min(self.limits.collection_max_size);
        for _ in 0..shown {
            parts.push(self.value(cur, elem, depth, render)?);
        }
        self.skip_elements(cur, &[elem], size - shown, depth)?;
        if size > shown {
            parts.push("...".into());
        }
        if !render || parts.is_empty() {
            // Packetbeat writes an empty list or set as nothing at all.
            return Ok(String::new());
        }
        let (open, close) = if kind == Ty::Set {
            ('{', '}')
        } else {
            ('[', ']')
        };
        Ok(format!("{open}{}{close}", parts.join(", ")))
    }

    fn map(&mut self, cur: &mut Cur, depth: usize, render: bool) -> R<String> {
        if depth > MAX_DEPTH {
            return Err(Stop::Bad("too_deep"));
        }
        let Some((key, val, size)) = self.map_header(cur)? else {
            return Ok(if render { "{}".into() } else { String::new() });
        };
        self.ensure_fixed(cur, &[key, val], size)?;
        let mut parts = Vec::new();
        let shown = size.min(self.limits.collection_max_size);
        for _ in 0..shown {
            let k = self.value(cur, key, depth, render)?;
            let v = self.value(cur, val, depth, render)?;
            parts.push(format!("{k}: {v}"));
        }
        self.skip_elements(cur, &[key, val], size - shown, depth)?;
        if size > shown {
            parts.push("...".into());
        }
        Ok(if render {
            format!("{{{}}}", parts.join(", "))
        } else {
            String::new()
        })
    }

    /// Wire size of one element made of `types` when it is fixed.
    pub(super) fn fixed(&self, types: &[Ty]) -> Option<usize> {
        types.iter().map(|t| t.fixed_size(self.wire)).sum()
    }

    /// For fixed-size elements, asks for the whole collection at once (one wait instead of
    /// one per element).
    fn ensure_fixed(&self, cur: &Cur, types: &[Ty], count: usize) -> R<()> {
        if let Some(each) = self.fixed(types) {
            let total = each.checked_mul(count).ok_or(Stop::Bad("size_overflow"))?;
            let end = cur
                .pos
                .checked_add(total)
                .ok_or(Stop::Bad("size_overflow"))?;
            if end > cur.data.len() {
                return Err(Stop::Short(end));
            }
        }
        Ok(())
    }

    /// Skips `count` elements made of `types` (one type, or a map's key and value).
    fn skip_elements(&mut self, cur: &mut Cur, types: &[Ty], count: usize, depth: usize) -> R<()> {
        if let Some(each) = self.fixed(types) {
            let total = each.checked_mul(count).ok_or(Stop::Bad("size_overflow"))?;
            cur.take(total)?;
            return Ok(());
        }
        // Every element takes at least one byte, so this loop ends with the data.
        for _ in 0..count {
            for ty in types {
                self.value(cur, *ty, depth, false)?;
            }
        }
        Ok(())
    }

    pub(super) fn header(&mut self, cur: &mut Cur) -> R<Header> {
        let (name, kind, seq_id) = match self.wire {
            Wire::Binary => {
                let first = cur.i32()?;
                if first < 0 {
                    if (first as u32) & 0xffff_0000 != 0x8001_0000 {
                        return Err(Stop::Bad("bad_version"));
                    }
                    let name = self.name(cur, None)?;
                    let seq = cur.i32()?;
                    (name, (first & 0xff) as u8, seq)
                } else {
                    let name = self.name(cur, usize::try_from(first).ok())?;
                    let kind = cur.u8()?;
                    (name, kind, cur.i32()?)
                }
            }
            Wire::Compact => {
                if cur.u8()? != 0x82 {
                    return Err(Stop::Bad("bad_protocol_id"));
                }
                let b = cur.u8()?;
                if b & 0x1f != 1 {
                    return Err(Stop::Bad("bad_version"));
                }
                let seq = cur.varint()? as i32;
                let name = self.name(cur, None)?;
                (name, b >> 5, seq)
            }
        };
        let kind = match kind {
            1 => Kind::Call,
            2 => Kind::Reply,
            3 => Kind::Exception,
            4 => Kind::Oneway,
            _ => return Err(Stop::Bad("bad_message_type")),
        };
        Ok(Header { name, kind, seq_id })
    }

    /// The method name; `len` when its length was already read.
    fn name(&mut self, cur: &mut Cur, len: Option<usize>) -> R<String> {
        let len = match len {
            Some(n) => n,
            None => match self.wire {
                Wire::Binary => {
                    usize::try_from(cur.i32()?).map_err(|_| Stop::Bad("negative_size"))?
                }
                Wire::Compact => cur.size()?,
            },
        };
        if len > MAX_NAME {
            return Err(Stop::Bad("name_too_long"));
        }
        let bytes = cur.take(len)?;
        let max = self.limits.string_max_size;
        let mut name = String::from_utf8_lossy(bytes.get(..max).unwrap_or(bytes)).into_owned();
        if len > max {
            name.push_str("...");
        }
        Ok(name)
    }
}

fn bool_text(b: bool, render: bool) -> String {
    match (render, b) {
        (false, _) => String::new(),
        (true, true) => "true".into(),
        (true, false) => "false".into(),
    }
}

fn num<T: ToString>(v: T, render: bool) -> String {
    if render {
        v.to_string()
    } else {
        String::new()
    }
}

/// Decodes the message at the front of `data`; with `render` false the fields are walked but
/// not kept.
pub fn parse_message(data: &[u8], wire: Wire, limits: &Limits, render: bool) -> Parsed {
    let mut d = Decoder {
        wire,
        limits,
        budget: MAX_RENDERED,
    };
    let mut cur = Cur { data, pos: 0 };
    let header = match d.header(&mut cur) {
        Ok(h) => h,
        Err(Stop::Short(needed)) => {
            return Parsed::Incomplete {
                needed,
                header: None,
            }
        }
        Err(Stop::Bad(why)) => return Parsed::Invalid(why),
    };
    let mut fields = Vec::new();
    let mut more_fields = false;
    let mut last_id = 0;
    let keep = limits.collection_max_size.max(1);
    let body = (|| -> R<()> {
        while let Some((ty, id)) = d.field_header(&mut cur, &mut last_id)? {
            let shown = render && fields.len() < keep;
            let v = d.value(&mut cur, ty, 0, shown)?;
            if shown {
                fields.push((id, v));
            } else if render {
                more_fields = true;
            }
        }
        Ok(())
    })();
    match body {
        Ok(()) => Parsed::Complete(Message {
            header,
            fields,
            more_fields,
            len: cur.pos,
        }),
        Err(Stop::Short(needed)) => Parsed::Incomplete {
            needed,
            header: Some(header),
        },
        Err(Stop::Bad(why)) => Parsed::Invalid(why),
    }
}

/// Decodes only the header at the front of `data`, if it is all there and valid.
pub fn parse_header(data: &[u8], wire: Wire, limits: &Limits) -> Option<Header> {
    let mut d = Decoder {
        wire,
        limits,
        budget: 0,
    };
    d.header(&mut Cur { data, pos: 0 }).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        string_max_size: 200,
        collection_max_size: 15,
        drop_after_n_struct_fields: 500,
        obfuscate_strings: false,
    };

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len() / 2)
            .filter_map(|i| u8::from_str_radix(s.get(i * 2..i * 2 + 2)?, 16).ok())
            .collect()
    }

    fn complete(p: Parsed) -> Message {
        match p {
            Parsed::Complete(m) => m,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn strict_binary_call() {
        let data = hex("80010001 00000003 616464 00000000 \
             08 0001 00000001 \
             08 0002 00000001 \
             00");
        let m = complete(parse_message(&data, Wire::Binary, &LIMITS, true));
        assert_eq!(m.header.name, "add");
        assert_eq!(m.header.kind, Kind::Call);
        assert_eq!(m.fields, vec![(1, "1".into()), (2, "1".into())]);
        assert_eq!(m.len, data.len());
        for cut in 0..data.len() {
            let p = parse_message(
                data.get(..cut).unwrap_or_default(),
                Wire::Binary,
                &LIMITS,
                true,
            );
            assert!(
                matches!(p, Parsed::Incomplete { needed, .. } if needed > cut),
                "{cut}"
            );
        }
    }

    #[test]
    fn non_strict_binary_and_collections() {
        // name "m", type call, seq 7, 1: list<i16>[1,2], 2: set<i32>{}, 3: map<string,byte>{"a": 255}
        let data = hex("00000001 6d 01 00000007 \
             0f 0001 06 00000002 0001 0002 \
             0e 0002 08 00000000 \
             0d 0003 0b 03 00000001 00000001 61 ff \
             00");
        let m = complete(parse_message(&data, Wire::Binary, &LIMITS, true));
        assert_eq!(m.header.seq_id, 7);
        assert_eq!(
            m.fields,
            vec![
                (1, "[1, 2]".into()),
                (2, "".into()),
                (3, "{\"a\": 255}".into())
            ]
        );
    }

    #[test]
    fn compact_call() {
        // 0x82, call|v1, seq 1, "add", field 1 i32 zigzag(1)=2, field 2 (delta 1) i32 -1, bool true
        let data = hex("82 21 01 03 616464 15 02 15 01 11 00");
        let m = complete(parse_message(&data, Wire::Compact, &LIMITS, true));
        assert_eq!(
            m.fields,
            vec![(1, "1".into()), (2, "-1".into()), (3, "true".into())]
        );
    }

    #[test]
    fn hostile_sizes_ask_or_fail_without_allocating() {
        // a list of 2^31-1 i32: the whole size is asked for at once
        let data = hex("80010001 00000001 6d 00000000 0f 0001 08 7fffffff 00000001");
        match parse_message(&data, Wire::Binary, &LIMITS, true) {
            Parsed::Incomplete { needed, .. } => assert!(needed > 1 << 32),
            other => panic!("{other:?}"),
        }
        let data = hex("80010001 00000001 6d 00000000 0b 0001 ffffffff");
        assert_eq!(
            parse_message(&data, Wire::Binary, &LIMITS, true),
            Parsed::Invalid("negative_size")
        );
        let mut deep = hex("80010001 00000001 6d 00000000");
        for _ in 0..100 {
            deep.extend(hex("0c 0001"));
        }
        assert_eq!(
            parse_message(&deep, Wire::Binary, &LIMITS, true),
            Parsed::Invalid("too_deep")
        );
    }
}
