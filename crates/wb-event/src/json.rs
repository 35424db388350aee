//! Serialises an [`Event`] straight into a byte buffer as nested JSON: dotted paths are sorted
//! segment by segment and nested, so the output has sorted keys at every level and
//! `@timestamp` first. No intermediate tree is built.

use crate::{Event, FieldName, Value};
use std::cmp::Ordering;
use std::io::Write;
use wb_wire::Precision;

/// Output layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonStyle {
    /// Indent nested objects by two spaces per level and put each field on its own line.
    pub pretty: bool,
    /// Fractional digits of times.
    pub precision: Precision,
}

impl Default for JsonStyle {
    fn default() -> Self {
        JsonStyle {
            pretty: false,
            precision: Precision::Millisecond,
        }
    }
}

/// Appends `event` as one JSON object to `out` (no trailing newline).
///
/// Conflicting paths are resolved so that the output is always valid JSON: when the same path
/// is set twice the later value wins, and when a path is both a value and a parent of other
/// paths (`a` and `a.b`) the parent value is dropped.
pub fn write_json(event: &Event, style: JsonStyle, out: &mut Vec<u8>) {
    let mut w = Writer {
        out,
        style,
        scratch: String::new(),
    };
    w.out.push(b'{');
    w.newline(1);
    w.key("@timestamp");
    w.scratch.clear();
    event
        .timestamp
        .write_rfc3339(style.precision, &mut w.scratch);
    write_str(w.out, &w.scratch);
    w.write_fields(event.fields(), 1, true);
    w.newline(0);
    w.out.push(b'}');
}

struct Writer<'o> {
    out: &'o mut Vec<u8>,
    style: JsonStyle,
    scratch: String,
}

impl Writer<'_> {
    fn newline(&mut self, depth: usize) {
        if self.style.pretty {
            self.out.push(b'\n');
            self.out.extend(std::iter::repeat_n(b' ', depth * 2));
        }
    }

    fn key(&mut self, k: &str) {
        write_str(self.out, k);
        self.out.push(b':');
        if self.style.pretty {
            self.out.push(b' ');
        }
    }

    /// Writes the members of one object level. `depth` is the nesting of the enclosing object;
    /// `had_member` says whether a member was already written (so a comma is due).
    fn write_fields(&mut self, fields: &[(FieldName, Value)], depth: usize, had_member: bool) {
        let mut order: Vec<usize> = (0..fields.len()).collect();
        order.sort_by(|&a, &b| cmp_paths(&fields[a].0, &fields[b].0).then(a.cmp(&b)));
        let mut open: Vec<&str> = Vec::new();
        let mut first_at_level: Vec<bool> = vec![!had_member];
        let mut segs: Vec<&str> = Vec::with_capacity(8);
        for (pos, &i) in order.iter().enumerate() {
            let (path, value) = &fields[i];
            if let Some(&next) = order.get(pos + 1) {
                let next_path: &str = &fields[next].0;
                if next_path == path.as_ref() || is_parent(path, next_path) {
                    continue;
                }
            }
            segs.clear();
            segs.extend(path.split('.'));
            let Some((leaf, parents)) = segs.split_last() else {
                continue;
            };
            let common = open
                .iter()
                .zip(parents.iter())
                .take_while(|(a, b)| a == b)
                .count();
            while open.len() > common {
                open.pop();
                first_at_level.pop();
                self.newline(depth + open.len());
                self.out.push(b'}');
            }
            for seg in parents.iter().skip(common) {
                self.member_sep(&mut first_at_level, depth + open.len());
                self.key(seg);
                self.out.push(b'{');
                open.push(seg);
                first_at_level.push(true);
            }
            self.member_sep(&mut first_at_level, depth + open.len());
            self.key(leaf);
            self.value(value, depth + open.len());
        }
        while !open.is_empty() {
            open.pop();
            self.newline(depth + open.len());
            self.out.push(b'}');
        }
    }

    fn member_sep(&mut self, first_at_level: &mut [bool], depth: usize) {
        if let Some(first) = first_at_level.last_mut() {
            if !*first {
                self.out.push(b',');
            }
            *first = false;
        }
        self.newline(depth);
    }

    fn value(&mut self, value: &Value, depth: usize) {
        match value {
            Value::Null => self.out.extend_from_slice(b"null"),
            Value::Bool(b) => self
                .out
                .extend_from_slice(if *b { b"true" } else { b"false" }),
            Value::Int(n) => {
                let _ = write!(self.out, "{n}");
            }
            Value::UInt(n) => {
                let _ = write!(self.out, "{n}");
            }
            Value::Float(f) => {
                if f.is_finite() {
                    let _ = write!(self.out, "{f}");
                } else {
                    self.out.extend_from_slice(b"null");
                }
            }
            Value::Static(s) => write_str(self.out, s),
            Value::Str(s) => write_str(self.out, s),
            Value::Ip(ip) => {
                self.scratch.clear();
                let _ = std::fmt::Write::write_fmt(&mut self.scratch, format_args!("{ip}"));
                write_str(self.out, &self.scratch);
            }
            Value::Time(t) => {
                self.scratch.clear();
                t.write_rfc3339(self.style.precision, &mut self.scratch);
                write_str(self.out, &self.scratch);
            }
            Value::List(items) => {
                self.out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    self.newline(depth + 1);
                    self.value(item, depth + 1);
                }
                if !items.is_empty() {
                    self.newline(depth);
                }
                self.out.push(b']');
            }
            Value::Object(members) => {
                self.out.push(b'{');
                self.write_fields(members, depth + 1, false);
                if !members.is_empty() {
                    self.newline(depth);
                }
                self.out.push(b'}');
            }
        }
    }
}

/// Orders dotted paths segment by segment, so that `a.b` sorts with its siblings under `a`.
fn cmp_paths(a: &str, b: &str) -> Ordering {
    // Segment by segment is byte by byte with the separator below every other byte.
    let key = |c: u8| if c == b'.' { 0 } else { c };
    a.bytes().map(key).cmp(b.bytes().map(key))
}

/// `child` is below `parent` (`parent.`...).
fn is_parent(parent: &str, child: &str) -> bool {
    child
        .strip_prefix(parent)
        .is_some_and(|rest| rest.starts_with('.'))
}

/// Writes `s` as a JSON string with the escapes RFC 8259 requires.
fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
        if escape.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_order_is_segment_order() {
        let paths = [
            "a", "a.b", "a-c", "ab", "a.b.c", "a.ba", "b", "a..b", ".a", "",
        ];
        for x in paths {
            for y in paths {
                assert_eq!(
                    cmp_paths(x, y),
                    x.split('.').cmp(y.split('.')),
                    "{x} vs {y}"
                );
            }
        }
    }
    use wb_wire::Timestamp;

    fn render(e: &Event, pretty: bool) -> String {
        let mut out = Vec::new();
        write_json(
            e,
            JsonStyle {
                pretty,
                precision: Precision::Millisecond,
            },
            &mut out,
        );
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn nests_and_sorts_dotted_paths() {
        let mut e = Event::new(Timestamp::from_secs_nanos(1_445_287_763, 817_000_000));
        e.put("type", "flow");
        e.put("source.port", 80u16);
        e.put("source.ip", "10.0.0.1");
        e.put("destination.ip", "10.0.0.2");
        e.put(
            "event.type",
            Value::List(vec!["connection".into(), "end".into()]),
        );
        e.put("flow.final", true);
        e.put("a.b.c", "x\"\n\u{1}");
        let s = render(&e, false);
        assert_eq!(
            s,
            r#"{"@timestamp":"2015-10-19T20:49:23.817Z","a":{"b":{"c":"x\"\n\u0001"}},"destination":{"ip":"10.0.0.2"},"event":{"type":["connection","end"]},"flow":{"final":true},"source":{"ip":"10.0.0.1","port":80},"type":"flow"}"#
        );
        let v: serde_json::Value = serde_json::from_str(&render(&e, true)).unwrap();
        assert_eq!(v["source"]["port"], 80);
    }

    #[test]
    fn conflicts_still_give_valid_json() {
        let mut e = Event::new(Timestamp(0));
        e.push("a", 1u64);
        e.push("a.b", 2u64);
        e.push("c", 1u64);
        e.push("c", 3u64);
        e.push(
            "o",
            Value::Object(vec![("z".into(), 1u64.into()), ("y.x".into(), Value::Null)]),
        );
        e.push(
            "l",
            Value::List(vec![Value::Object(vec![("k".into(), "v".into())])]),
        );
        let s = render(&e, false);
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["a"]["b"], 2);
        assert_eq!(v["c"], 3);
        assert_eq!(v["o"]["y"]["x"], serde_json::Value::Null);
        assert_eq!(v["l"][0]["k"], "v");
        let p: serde_json::Value = serde_json::from_str(&render(&e, true)).unwrap();
        assert_eq!(p, v);
    }

    #[test]
    fn sibling_order_is_by_segment() {
        let mut e = Event::new(Timestamp(0));
        e.put("a-b", 1u64);
        e.put("a.c", 2u64);
        // "a" < "a-b" as whole segments, so the object "a" comes first.
        assert!(render(&e, false).contains(r#""a":{"c":2},"a-b":1"#));
    }
}
