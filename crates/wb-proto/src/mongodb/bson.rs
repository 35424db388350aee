//! A bounded, allocation-free BSON reader (bsonspec.org, version 1.1): borrowed views of
//! documents and their elements. Every length is checked against the bytes at hand before use,
//! so no input can make it panic or read out of bounds; nesting depth is the caller's to bound
//! (see [`MAX_DEPTH`]).

/// Deepest nesting of documents and arrays that is read; deeper values are reported as
/// [`BsonError::TooDeep`]. (MongoDB itself refuses documents nested more than 100 levels.)
pub const MAX_DEPTH: usize = 64;

/// Why bytes could not be read as BSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BsonError {
    /// A length points past the bytes at hand.
    Truncated,
    /// A length, terminator or element type is invalid.
    Malformed,
    /// Documents nested deeper than [`MAX_DEPTH`].
    TooDeep,
}

/// A document (or array) view: its bytes from the length prefix to the trailing zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Doc<'a> {
    bytes: &'a [u8],
}

/// One element of a document: a name and a value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Element<'a> {
    /// The element name (raw bytes; UTF-8 by the spec, not checked).
    pub name: &'a [u8],
    /// The value.
    pub value: Value<'a>,
}

/// A BSON value, borrowing variable-length parts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    /// 0x01 64-bit float.
    Double(f64),
    /// 0x02 UTF-8 string (without its terminator).
    Str(&'a [u8]),
    /// 0x03 embedded document.
    Doc(Doc<'a>),
    /// 0x04 array (a document whose keys are indexes).
    Array(Doc<'a>),
    /// 0x05 binary data with its subtype.
    Binary(u8, &'a [u8]),
    /// 0x06 undefined (deprecated).
    Undefined,
    /// 0x07 ObjectId.
    ObjectId(&'a [u8]),
    /// 0x08 boolean.
    Bool(bool),
    /// 0x09 UTC milliseconds since the epoch.
    DateTime(i64),
    /// 0x0A null.
    Null,
    /// 0x0B regular expression: pattern and options.
    Regex(&'a [u8], &'a [u8]),
    /// 0x0C DBPointer (deprecated): namespace and ObjectId.
    DbPointer(&'a [u8], &'a [u8]),
    /// 0x0D JavaScript code.
    Code(&'a [u8]),
    /// 0x0E symbol (deprecated).
    Symbol(&'a [u8]),
    /// 0x0F JavaScript code with scope.
    CodeWithScope(&'a [u8], Doc<'a>),
    /// 0x10 32-bit integer.
    Int32(i32),
    /// 0x11 replication timestamp: seconds and increment.
    Timestamp(u32, u32),
    /// 0x12 64-bit integer.
    Int64(i64),
    /// 0x13 128-bit decimal (IEEE 754-2008 BID encoding, little-endian).
    Decimal128(&'a [u8]),
    /// 0xFF min key.
    MinKey,
    /// 0x7F max key.
    MaxKey,
}

impl Value<'_> {
    /// The value as an integer, for numeric types holding a whole number.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int32(n) => Some(i64::from(n)),
            Value::Int64(n) => Some(n),
            // Whole doubles only; the cast is exact for them within the checked range.
            Value::Double(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            _ => None,
        }
    }
}

fn i32_at(b: &[u8], at: usize) -> Option<i32> {
    let s = b.get(at..at.checked_add(4)?)?;
    s.try_into().ok().map(i32::from_le_bytes)
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    i32_at(b, at).map(|n| n as u32)
}

fn i64_at(b: &[u8], at: usize) -> Option<i64> {
    let s = b.get(at..at.checked_add(8)?)?;
    s.try_into().ok().map(i64::from_le_bytes)
}

/// A zero-terminated string at the front of `b`: the string and the bytes used.
pub fn cstring(b: &[u8]) -> Result<(&[u8], usize), BsonError> {
    let end = b.iter().position(|&c| c == 0).ok_or(BsonError::Truncated)?;
    Ok((b.get(..end).unwrap_or_default(), end + 1))
}

/// A length-prefixed string at the front of `b` (BSON `string`): the text and the bytes used.
fn string(b: &[u8]) -> Result<(&[u8], usize), BsonError> {
    let len = i32_at(b, 0).ok_or(BsonError::Truncated)?;
    let len = usize::try_from(len)
        .ok()
        .filter(|&n| n >= 1)
        .ok_or(BsonError::Malformed)?;
    let body = b.get(4..4 + len).ok_or(BsonError::Truncated)?;
    match body.split_last() {
        Some((0, text)) => Ok((text, 4 + len)),
        _ => Err(BsonError::Malformed),
    }
}

impl<'a> Doc<'a> {
    /// Reads the document at the front of `data`; returns it and its length.
    pub fn read(data: &'a [u8]) -> Result<(Doc<'a>, usize), BsonError> {
        let len = i32_at(data, 0).ok_or(BsonError::Truncated)?;
        let len = usize::try_from(len)
            .ok()
            .filter(|&n| n >= 5)
            .ok_or(BsonError::Malformed)?;
        let bytes = data.get(..len).ok_or(BsonError::Truncated)?;
        if bytes.last() != Some(&0) {
            return Err(BsonError::Malformed);
        }
        Ok((Doc { bytes }, len))
    }

    /// Its elements in order; iteration ends after the first error.
    pub fn elements(&self) -> Elements<'a> {
        let end = self.bytes.len().saturating_sub(1);
        Elements {
            rest: self.bytes.get(4..end).unwrap_or_default(),
        }
    }

    /// The first element, if it can be read.
    pub fn first(&self) -> Option<Element<'a>> {
        self.elements().next().and_then(Result::ok)
    }

    /// The value of the first element named `key`.
    pub fn get(&self, key: &str) -> Option<Value<'a>> {
        self.elements()
            .map_while(Result::ok)
            .find(|e| e.name == key.as_bytes())
            .map(|e| e.value)
    }
}

/// The elements of a document.
pub struct Elements<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Elements<'a> {
    type Item = Result<Element<'a>, BsonError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (&kind, after) = self.rest.split_first()?;
        let item = element(kind, after);
        match item {
            Ok((e, used)) => {
                self.rest = after.get(used..).unwrap_or_default();
                Some(Ok(e))
            }
            Err(err) => {
                self.rest = &[];
                Some(Err(err))
            }
        }
    }
}

/// One element of type `kind` whose name starts `b`; returns it and the bytes used after the
/// type byte.
fn element(kind: u8, b: &[u8]) -> Result<(Element<'_>, usize), BsonError> {
    let (name, n) = cstring(b)?;
    let v = b.get(n..).unwrap_or_default();
    let fixed = |size: usize| v.get(..size).ok_or(BsonError::Truncated);
    let (value, used) = match kind {
        0x01 => {
            let n = i64_at(v, 0).ok_or(BsonError::Truncated)?;
            (Value::Double(f64::from_bits(n as u64)), 8)
        }
        0x02 | 0x0D | 0x0E => {
            let (s, used) = string(v)?;
            let value = match kind {
                0x02 => Value::Str(s),
                0x0D => Value::Code(s),
                _ => Value::Symbol(s),
            };
            (value, used)
        }
        0x03 | 0x04 => {
            let (d, used) = Doc::read(v)?;
            (
                if kind == 0x03 {
                    Value::Doc(d)
                } else {
                    Value::Array(d)
                },
                used,
            )
        }
        0x05 => {
            let len = i32_at(v, 0).ok_or(BsonError::Truncated)?;
            let len = usize::try_from(len).map_err(|_| BsonError::Malformed)?;
            let subtype = *v.get(4).ok_or(BsonError::Truncated)?;
            let data = v.get(5..5 + len).ok_or(BsonError::Truncated)?;
            (Value::Binary(subtype, data), 5 + len)
        }
        0x06 => (Value::Undefined, 0),
        0x07 => (Value::ObjectId(fixed(12)?), 12),
        0x08 => match fixed(1)?.first() {
            Some(0) => (Value::Bool(false), 1),
            Some(1) => (Value::Bool(true), 1),
            _ => return Err(BsonError::Malformed),
        },
        0x09 => (
            Value::DateTime(i64_at(v, 0).ok_or(BsonError::Truncated)?),
            8,
        ),
        0x0A => (Value::Null, 0),
        0x0B => {
            let (pattern, a) = cstring(v)?;
            let (options, b2) = cstring(v.get(a..).unwrap_or_default())?;
            (Value::Regex(pattern, options), a + b2)
        }
        0x0C => {
            let (ns, a) = string(v)?;
            let id = v.get(a..a + 12).ok_or(BsonError::Truncated)?;
            (Value::DbPointer(ns, id), a + 12)
        }
        0x0F => {
            let total = i32_at(v, 0).ok_or(BsonError::Truncated)?;
            let total = usize::try_from(total).map_err(|_| BsonError::Malformed)?;
            let inner = v.get(..total).ok_or(BsonError::Truncated)?;
            let (code, a) = string(inner.get(4..).unwrap_or_default())?;
            let (scope, b2) = Doc::read(inner.get(4 + a..).unwrap_or_default())?;
            if 4 + a + b2 != total {
                return Err(BsonError::Malformed);
            }
            (Value::CodeWithScope(code, scope), total)
        }
        0x10 => (Value::Int32(i32_at(v, 0).ok_or(BsonError::Truncated)?), 4),
        0x11 => {
            let inc = u32_at(v, 0).ok_or(BsonError::Truncated)?;
            let secs = u32_at(v, 4).ok_or(BsonError::Truncated)?;
            (Value::Timestamp(secs, inc), 8)
        }
        0x12 => (Value::Int64(i64_at(v, 0).ok_or(BsonError::Truncated)?), 8),
        0x13 => (Value::Decimal128(fixed(16)?), 16),
        0xFF => (Value::MinKey, 0),
        0x7F => (Value::MaxKey, 0),
        _ => return Err(BsonError::Malformed),
    };
    Ok((Element { name, value }, n + used))
}

/// A run of documents laid end to end (OP_REPLY / OP_INSERT bodies, OP_MSG sequences).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Docs<'a> {
    bytes: &'a [u8],
}

impl<'a> Docs<'a> {
    /// The documents in `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Docs { bytes }
    }

    /// The documents in order; iteration ends after the first error.
    pub fn iter(&self) -> DocIter<'a> {
        DocIter { rest: self.bytes }
    }

    /// The first document, if readable.
    pub fn first(&self) -> Option<Doc<'a>> {
        self.iter().next().and_then(Result::ok)
    }
}

/// Iterator over [`Docs`].
pub struct DocIter<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for DocIter<'a> {
    type Item = Result<Doc<'a>, BsonError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match Doc::read(self.rest) {
            Ok((d, n)) => {
                self.rest = self.rest.get(n..).unwrap_or_default();
                Some(Ok(d))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// The name of the first element of a document of which only a prefix may be at hand, as long
/// as that prefix holds the whole name (used to describe oversized messages).
pub fn first_key_of_prefix(prefix: &[u8]) -> Option<&[u8]> {
    let rest = prefix.get(5..)?;
    cstring(rest).ok().map(|(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_elements_of_a_small_document() {
        // {"a": 1 (int32), "s": "hi", "d": {"t": true}}
        let doc: &[u8] = &[
            0x25, 0, 0, 0, // length 37
            0x10, b'a', 0, 1, 0, 0, 0, // int32 a = 1
            0x02, b's', 0, 3, 0, 0, 0, b'h', b'i', 0, // string s = "hi"
            0x03, b'd', 0, 0x09, 0, 0, 0, 0x08, b't', 0, 1, 0, // doc d = {t: true}
            0x0A, b'n', 0, // null n
            0, // end
        ];
        let (d, n) = Doc::read(doc).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(n, 37);
        let names: Vec<_> = d.elements().map(|e| e.map(|e| e.name)).collect();
        assert_eq!(
            names,
            vec![Ok(&b"a"[..]), Ok(&b"s"[..]), Ok(&b"d"[..]), Ok(&b"n"[..])]
        );
        assert_eq!(d.get("s"), Some(Value::Str(b"hi")));
        assert_eq!(d.get("a").and_then(|v| v.as_i64()), Some(1));
    }

    #[test]
    fn bad_lengths_are_errors_not_panics() {
        assert_eq!(Doc::read(&[5, 0, 0]), Err(BsonError::Truncated));
        assert_eq!(Doc::read(&[4, 0, 0, 0, 0]), Err(BsonError::Malformed));
        assert_eq!(Doc::read(&[6, 0, 0, 0, 0, 1]), Err(BsonError::Malformed));
        // A string claiming more bytes than the document holds.
        let doc = [12, 0, 0, 0, 0x02, b's', 0, 0xff, 0, 0, 0, 0];
        let (d, _) = Doc::read(&doc).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            d.elements().collect::<Vec<_>>(),
            vec![Err(BsonError::Truncated)]
        );
        // An unknown element type.
        let doc = [8, 0, 0, 0, 0x42, b'x', 0, 0];
        let (d, _) = Doc::read(&doc).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            d.elements().collect::<Vec<_>>(),
            vec![Err(BsonError::Malformed)]
        );
    }
}
