//! Text of decoded Thrift values, as Packetbeat writes them: strings quoted with Go's escaping
//! (or hex when not UTF-8), doubles in shortest decimal form, structs as `(id: value, …)`.

use std::fmt::Write;

/// A string or binary value cut to `max` bytes (`...` appended when cut), quoted, or `"*"`
/// when obfuscated; hex when the bytes are not UTF-8.
pub fn string(bytes: &[u8], max: usize, obfuscate: bool) -> String {
    if bytes.is_empty() {
        return "\"\"".into();
    }
    if obfuscate {
        return "\"*\"".into();
    }
    let mut cut = bytes.get(..max).unwrap_or(bytes).to_vec();
    if bytes.len() > max {
        cut.extend_from_slice(b"...");
    }
    match std::str::from_utf8(&cut) {
        Ok(s) => quote(s),
        Err(_) => hex(&cut),
    }
}

/// The bytes in lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// `s` in double quotes with Go's `strconv.Quote` escapes.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\x7f' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() || is_invisible(c) => {
                if (c as u32) < 0x10000 {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                } else {
                    let _ = write!(out, "\\U{:08x}", c as u32);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters Go does not count as printable besides the controls: separators other than
/// the ASCII space, and formatting characters.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{a0}' | '\u{ad}' | '\u{2000}'..='\u{200f}' | '\u{2028}'..='\u{202f}' | '\u{205f}'..='\u{206f}' | '\u{3000}' | '\u{feff}')
}

/// A double as Go's `strconv.FormatFloat(v, 'f', -1, 64)`.
pub fn double(v: f64) -> String {
    if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{v}")
    }
}

/// A 16-byte UUID in its hyphenated form.
pub fn uuid(b: &[u8]) -> String {
    let h = hex(b);
    let part = |r: std::ops::Range<usize>| h.get(r).unwrap_or_default().to_string();
    format!(
        "{}-{}-{}-{}-{}",
        part(0..8),
        part(8..12),
        part(12..16),
        part(16..20),
        part(20..32)
    )
}

/// `(name-or-id: value, …)`; `more` adds the `...` of fields beyond the rendered ones.
pub fn fields(fields: &[(i16, String)], more: bool, names: &[(i16, String)]) -> String {
    let mut out = String::from("(");
    for (i, (id, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match names.iter().find(|(n, _)| n == id) {
            Some((_, name)) => out.push_str(name),
            None => {
                let _ = write!(out, "{id}");
            }
        }
        out.push_str(": ");
        out.push_str(value);
    }
    if more {
        if !fields.is_empty() {
            out.push_str(", ");
        }
        out.push_str("...");
    }
    out.push(')');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_as_packetbeat() {
        assert_eq!(string(b"", 200, true), "\"\"");
        assert_eq!(string(b"hello", 200, true), "\"*\"");
        assert_eq!(string(b"a\"b\n\x01", 200, false), "\"a\\\"b\\n\\x01\"");
        assert_eq!(string(b"abcdef", 3, false), "\"abc...\"");
        assert_eq!(string(&[0xab, 0x0c], 200, false), "ab0c");
        assert_eq!(string(&[0xab, 0x0c, 1], 2, false), "ab0c2e2e2e");
    }

    #[test]
    fn numbers_and_structs() {
        assert_eq!(double(2.0), "2");
        assert_eq!(double(-5.235_098_235), "-5.235098235");
        assert_eq!(double(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(double(f64::NEG_INFINITY), "-Inf");
        let f = vec![(1, "1".to_string()), (2, "2".to_string())];
        assert_eq!(fields(&f, false, &[]), "(1: 1, 2: 2)");
        assert_eq!(fields(&f, true, &[(1, "a".into())]), "(a: 1, 2: 2, ...)");
        assert_eq!(fields(&[], true, &[]), "(...)");
    }
}
