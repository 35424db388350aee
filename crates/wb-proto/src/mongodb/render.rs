//! BSON rendered as one line of JSON-like text, close to MongoDB's relaxed Extended JSON:
//! numbers and strings as JSON, other types as `{"$oid": …}`, `{"$date": …}` and so on.
//! Rendering stops soon after the text passes a byte budget (the caller cuts it), nesting is
//! bounded by [`MAX_DEPTH`], and secret values can be replaced by [`REDACTED`].

use super::bson::{BsonError, Doc, Docs, Value, MAX_DEPTH};
use super::ecs::DocLines;
use base64::Engine;
use std::fmt::Write;

/// What replaces a secret value (written as a JSON string).
pub const REDACTED: &str = "REDACTED";

/// Element names whose values are secrets inside authentication and user-management commands
/// (SCRAM/SASL payloads, MONGODB-CR keys, passwords).
const SECRET_KEYS: &[&str] = &["payload", "pwd", "key", "password"];

/// How a rendering ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rendered {
    /// The whole value was written.
    Whole,
    /// Writing stopped after passing the budget.
    Cut,
    /// The bytes are not valid BSON (or nest too deep); what was readable was written.
    Bad(BsonError),
}

enum Stop {
    Full,
    Bad(BsonError),
}

/// A renderer writing into one string.
pub struct Renderer<'o> {
    out: &'o mut String,
    limit: usize,
    redact: bool,
}

impl<'o> Renderer<'o> {
    /// Writes into `out`, stopping soon after it holds `limit` bytes; with `redact`, values of
    /// secret-bearing element names are written as [`REDACTED`].
    pub fn new(out: &'o mut String, limit: usize, redact: bool) -> Self {
        Renderer { out, limit, redact }
    }

    /// Writes a document.
    pub fn doc(&mut self, d: Doc<'_>) -> Rendered {
        let r = self.object(d, false, 0, &|_| false, &[]);
        finish(r)
    }

    /// Writes one value.
    pub fn value(&mut self, v: &Value<'_>) -> Rendered {
        let r = self.any(v, 0);
        finish(r)
    }

    /// Writes a document without the elements `skip` selects, followed by each `(name, docs)`
    /// of `extra` as an array member.
    pub fn fields(
        &mut self,
        d: Doc<'_>,
        skip: &dyn Fn(&[u8]) -> bool,
        extra: &[(&[u8], Docs<'_>)],
    ) -> Rendered {
        let r = self.object(d, false, 0, skip, extra);
        finish(r)
    }

    fn check(&self) -> Result<(), Stop> {
        if self.out.len() > self.limit {
            Err(Stop::Full)
        } else {
            Ok(())
        }
    }

    fn object(
        &mut self,
        d: Doc<'_>,
        array: bool,
        depth: usize,
        skip: &dyn Fn(&[u8]) -> bool,
        extra: &[(&[u8], Docs<'_>)],
    ) -> Result<(), Stop> {
        if depth >= MAX_DEPTH {
            return Err(Stop::Bad(BsonError::TooDeep));
        }
        self.out.push(if array { '[' } else { '{' });
        let mut first = true;
        for e in d.elements() {
            let e = e.map_err(Stop::Bad)?;
            if skip(e.name) {
                continue;
            }
            if !std::mem::take(&mut first) {
                self.out.push(',');
            }
            if !array {
                self.string(e.name);
                self.out.push(':');
            }
            if self.redact && SECRET_KEYS.iter().any(|k| k.as_bytes() == e.name) {
                self.string(REDACTED.as_bytes());
            } else {
                self.any(&e.value, depth + 1)?;
            }
            self.check()?;
        }
        for (name, docs) in extra {
            if !std::mem::take(&mut first) {
                self.out.push(',');
            }
            self.string(name);
            self.out.push_str(":[");
            for (i, d) in docs.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                self.object(d.map_err(Stop::Bad)?, false, depth + 1, &|_| false, &[])?;
                self.check()?;
            }
            self.out.push(']');
        }
        self.out.push(if array { ']' } else { '}' });
        Ok(())
    }

    fn any(&mut self, v: &Value<'_>, depth: usize) -> Result<(), Stop> {
        let out = &mut *self.out;
        match *v {
            Value::Double(f) if f.is_finite() => {
                let _ = write!(out, "{f:?}");
            }
            Value::Double(f) => {
                let s = if f.is_nan() {
                    "NaN"
                } else if f > 0.0 {
                    "Infinity"
                } else {
                    "-Infinity"
                };
                let _ = write!(out, "{{\"$numberDouble\":\"{s}\"}}");
            }
            Value::Str(s) => self.string(s),
            Value::Doc(d) => self.object(d, false, depth, &|_| false, &[])?,
            Value::Array(d) => self.object(d, true, depth, &|_| false, &[])?,
            Value::Binary(subtype, data) => {
                out.push_str("{\"$binary\":{\"base64\":\"");
                base64::engine::general_purpose::STANDARD.encode_string(data, out);
                let _ = write!(out, "\",\"subType\":\"{subtype:02x}\"}}}}");
            }
            Value::Undefined => out.push_str("{\"$undefined\":true}"),
            Value::ObjectId(id) => {
                out.push_str("{\"$oid\":\"");
                hex(out, id);
                out.push_str("\"}");
            }
            Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            Value::DateTime(ms) => {
                let _ = write!(out, "{{\"$date\":{ms}}}");
            }
            Value::Null => out.push_str("null"),
            Value::Regex(pattern, options) => {
                self.out.push_str("{\"$regularExpression\":{\"pattern\":");
                self.string(pattern);
                self.out.push_str(",\"options\":");
                self.string(options);
                self.out.push_str("}}");
            }
            Value::DbPointer(ns, id) => {
                self.out.push_str("{\"$dbPointer\":{\"$ref\":");
                self.string(ns);
                self.out.push_str(",\"$id\":{\"$oid\":\"");
                hex(self.out, id);
                self.out.push_str("\"}}}");
            }
            Value::Code(code) => {
                self.out.push_str("{\"$code\":");
                self.string(code);
                self.out.push('}');
            }
            Value::Symbol(s) => {
                self.out.push_str("{\"$symbol\":");
                self.string(s);
                self.out.push('}');
            }
            Value::CodeWithScope(code, scope) => {
                self.out.push_str("{\"$code\":");
                self.string(code);
                self.out.push_str(",\"$scope\":");
                self.object(scope, false, depth, &|_| false, &[])?;
                self.out.push('}');
            }
            Value::Int32(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Timestamp(t, i) => {
                let _ = write!(out, "{{\"$timestamp\":{{\"t\":{t},\"i\":{i}}}}}");
            }
            Value::Int64(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Decimal128(bytes) => {
                out.push_str("{\"$numberDecimal\":\"");
                decimal128(out, bytes);
                out.push_str("\"}");
            }
            Value::MinKey => out.push_str("{\"$minKey\":1}"),
            Value::MaxKey => out.push_str("{\"$maxKey\":1}"),
        }
        Ok(())
    }

    /// A JSON string of `bytes` read as UTF-8 (invalid sequences replaced).
    fn string(&mut self, bytes: &[u8]) {
        let out = &mut *self.out;
        out.push('"');
        for c in String::from_utf8_lossy(bytes).chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if u32::from(c) < 0x20 => {
                    let _ = write!(out, "\\u{:04x}", u32::from(c));
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }
}

fn finish(r: Result<(), Stop>) -> Rendered {
    match r {
        Ok(()) => Rendered::Whole,
        Err(Stop::Full) => Rendered::Cut,
        Err(Stop::Bad(e)) => Rendered::Bad(e),
    }
}

fn hex(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
}

/// A decimal128 (BID) as `coefficient E exponent` text, or its special value name.
fn decimal128(out: &mut String, bytes: &[u8]) {
    let Ok(raw) = <[u8; 16]>::try_from(bytes) else {
        return;
    };
    let v = u128::from_le_bytes(raw);
    let negative = v >> 127 == 1;
    let sign = if negative { "-" } else { "" };
    let combination = (v >> 122) & 0x1f;
    if combination == 0x1f {
        out.push_str("NaN");
        return;
    }
    if combination == 0x1e {
        let _ = write!(out, "{sign}Infinity");
        return;
    }
    let (exponent, coefficient) = if (v >> 125) & 0b11 == 0b11 {
        // The large-coefficient form is never canonical: its value is zero.
        ((v >> 111) & 0x3fff, 0)
    } else {
        ((v >> 113) & 0x3fff, v & ((1u128 << 113) - 1))
    };
    let exponent = i64::try_from(exponent).unwrap_or(0) - 6176;
    if exponent == 0 {
        let _ = write!(out, "{sign}{coefficient}");
    } else {
        let _ = write!(out, "{sign}{coefficient}E{exponent}");
    }
}

/// Renders documents one per line into `lines`: at most `max_docs` of them (a further one
/// sets `more`), each cut to `max_len` bytes followed by ` ...`. Returns the first error met.
pub fn doc_lines<'a>(
    docs: impl Iterator<Item = Result<Doc<'a>, BsonError>>,
    max_docs: usize,
    max_len: usize,
    redact: bool,
    lines: &mut DocLines,
) -> Option<BsonError> {
    for d in docs {
        let d = match d {
            Ok(d) => d,
            Err(e) => return Some(e),
        };
        if lines.lines.len() >= max_docs {
            lines.more = true;
            return None;
        }
        let mut line = String::new();
        let r = Renderer::new(&mut line, max_len, redact).doc(d);
        cut(&mut line, max_len);
        lines.lines.push(line);
        if let Rendered::Bad(e) = r {
            return Some(e);
        }
    }
    None
}

/// Renders a whole value (no budget beyond [`MAX_TEXT`]) as text; strings as themselves.
pub fn value_text(v: &Value<'_>, redact: bool) -> String {
    if let Value::Str(s) = v {
        return String::from_utf8_lossy(s).into_owned();
    }
    let mut out = String::new();
    Renderer::new(&mut out, MAX_TEXT, redact).value(v);
    cut(&mut out, MAX_TEXT);
    out
}

/// Most bytes of a rendered `query`, `request` or `mongodb.*` document text.
pub const MAX_TEXT: usize = 64 * 1024;

/// Cuts `text` to at most `max` bytes (at a character boundary) and marks the cut with ` ...`.
pub fn cut(text: &mut String, max: usize) {
    if text.len() <= max {
        return;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push_str(" ...");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(bytes: &[u8], limit: usize, redact: bool) -> (String, Rendered) {
        let (d, _) = Doc::read(bytes).unwrap_or_else(|e| panic!("{e:?}"));
        let mut s = String::new();
        let r = Renderer::new(&mut s, limit, redact).doc(d);
        (s, r)
    }

    #[test]
    fn renders_types_as_relaxed_json() {
        // {"i": 7, "f": 1.5, "s": "a\"b", "o": ObjectId(0102…0c), "t": true, "a": [null]}
        let mut doc = vec![0u8; 4];
        doc.extend_from_slice(&[0x10, b'i', 0, 7, 0, 0, 0]);
        doc.push(0x01);
        doc.extend_from_slice(b"f\0");
        doc.extend_from_slice(&1.5f64.to_le_bytes());
        doc.extend_from_slice(&[0x02, b's', 0, 4, 0, 0, 0, b'a', b'"', b'b', 0]);
        doc.extend_from_slice(&[0x07, b'o', 0]);
        doc.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        doc.extend_from_slice(&[0x08, b't', 0, 1]);
        doc.extend_from_slice(&[0x04, b'a', 0, 8, 0, 0, 0, 0x0A, b'0', 0, 0]);
        doc.push(0);
        let len = doc.len() as u32;
        doc[..4].copy_from_slice(&len.to_le_bytes());
        let (s, r) = render(&doc, usize::MAX, false);
        assert_eq!(r, Rendered::Whole);
        assert_eq!(
            s,
            r#"{"i":7,"f":1.5,"s":"a\"b","o":{"$oid":"0102030405060708090a0b0c"},"t":true,"a":[null]}"#
        );
        let (s, r) = render(&doc, 10, false);
        assert_eq!(r, Rendered::Cut);
        assert!(s.len() < 40, "{s}");
    }

    #[test]
    fn secrets_are_redacted() {
        // {"pwd": "hunter2"}
        let doc = [
            22, 0, 0, 0, 0x02, b'p', b'w', b'd', 0, 8, 0, 0, 0, b'h', b'u', b'n', b't', b'e', b'r',
            b'2', 0, 0,
        ];
        assert_eq!(render(&doc, usize::MAX, true).0, r#"{"pwd":"REDACTED"}"#);
        assert_eq!(render(&doc, usize::MAX, false).0, r#"{"pwd":"hunter2"}"#);
    }

    #[test]
    fn decimal128_text() {
        let text = |v: u128| {
            let mut s = String::new();
            decimal128(&mut s, &v.to_le_bytes());
            s
        };
        let bias = 6176u128;
        assert_eq!(text((bias << 113) | 1), "1");
        assert_eq!(text((1 << 127) | ((bias - 1) << 113) | 5), "-5E-1");
        assert_eq!(text(0x1f << 122), "NaN");
        assert_eq!(text(0x1e << 122), "Infinity");
    }

    #[test]
    fn cut_marks_the_cut() {
        let mut s = "abcdefghijkl".to_string();
        cut(&mut s, 10);
        assert_eq!(s, "abcdefghij ...");
        let mut s = "é".repeat(3);
        cut(&mut s, 3);
        assert_eq!(s, "é ...");
    }
}
