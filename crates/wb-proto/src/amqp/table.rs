//! AMQP field tables and arrays (spec §4.2.5.5 with RabbitMQ's type letters) → event values,
//! as Packetbeat writes them: a table is an object, an array an object keyed "0", "1"…,
//! timestamps and decimals are strings, byte arrays are `[1, 2, 3]`.
//!
//! Bounded: nesting deeper than [`MAX_DEPTH`] is an error, and every read is checked.

use super::frame::Cursor;
use wb_event::Value;

/// Deepest nesting of tables and arrays decoded.
pub const MAX_DEPTH: usize = 16;

/// Reads a table (long size, then name/value pairs) at the cursor. `None` when malformed.
pub fn read_table(c: &mut Cursor<'_>) -> Option<Vec<(String, Value)>> {
    let body = c.long_bytes()?;
    table_entries(body, 0)
}

fn table_entries(body: &[u8], depth: usize) -> Option<Vec<(String, Value)>> {
    if depth > MAX_DEPTH {
        return None;
    }
    let mut c = Cursor::new(body);
    let mut out = Vec::new();
    while !c.is_empty() {
        let name = c.short_str()?;
        let value = read_value(&mut c, depth)?;
        out.push((name, value));
    }
    Some(out)
}

fn array_entries(body: &[u8], depth: usize) -> Option<Vec<(String, Value)>> {
    if depth > MAX_DEPTH {
        return None;
    }
    let mut c = Cursor::new(body);
    let mut out = Vec::new();
    while !c.is_empty() {
        let value = read_value(&mut c, depth)?;
        out.push((out.len().to_string(), value));
    }
    Some(out)
}

/// An object value of decoded entries.
pub fn object(entries: Vec<(String, Value)>) -> Value {
    Value::Object(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

fn read_value(c: &mut Cursor<'_>, depth: usize) -> Option<Value> {
    let kind = c.u8()?;
    Some(match kind {
        b't' => Value::Bool(c.u8()? != 0),
        b'b' => Value::Int(i64::from(c.u8()? as i8)),
        b'B' => Value::UInt(u64::from(c.u8()?)),
        b'U' => Value::Int(i64::from(c.u16()? as i16)),
        b'u' => Value::UInt(u64::from(c.u16()?)),
        b'I' => Value::Int(i64::from(c.u32()? as i32)),
        b'i' => Value::UInt(u64::from(c.u32()?)),
        // RabbitMQ and its clients write 64-bit integers signed under both letters.
        b'L' | b'l' => Value::Int(c.u64()? as i64),
        b'f' => Value::Float(f64::from(f32::from_bits(c.u32()?))),
        b'd' => Value::Float(f64::from_bits(c.u64()?)),
        b'D' => {
            let scale = c.u8()?;
            Value::Str(decimal(c.u32()?, scale))
        }
        b's' => Value::Str(c.short_str()?),
        b'S' => Value::Str(String::from_utf8_lossy(c.long_bytes()?).into_owned()),
        b'x' => Value::Str(byte_list(c.long_bytes()?)),
        b'T' => Value::Str(amqp_time(c.u64()?)),
        b'A' => object(array_entries(c.long_bytes()?, depth + 1)?),
        b'F' => object(table_entries(c.long_bytes()?, depth + 1)?),
        b'V' => Value::Null,
        _ => return None,
    })
}

/// `value` scaled down by `scale` decimal places, e.g. (12345, 2) → `123.45`.
fn decimal(value: u32, scale: u8) -> String {
    let digits = value.to_string();
    let scale = usize::from(scale);
    if scale == 0 {
        return digits;
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{int}.{frac}")
}

/// Bytes as `[1, 2, 3]`.
fn byte_list(bytes: &[u8]) -> String {
    let items: Vec<String> = bytes.iter().map(u8::to_string).collect();
    format!("[{}]", items.join(", "))
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Seconds since the epoch in Packetbeat's AMQP layout, `January _2 15:04:05 2006` (UTC, day
/// padded with a space).
pub fn amqp_time(secs: u64) -> String {
    let secs = i64::try_from(secs).unwrap_or(i64::MAX);
    let (y, m, d) = wb_wire::civil_from_days(secs.div_euclid(86_400));
    let tod = secs.rem_euclid(86_400);
    let month = MONTHS
        .get(usize::try_from(m).unwrap_or(1).saturating_sub(1))
        .copied()
        .unwrap_or("January");
    format!(
        "{month} {d:>2} {:02}:{:02}:{:02} {y}",
        tod / 3600,
        tod % 3600 / 60,
        tod % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_type() {
        let mut t = Vec::new();
        let mut entry = |name: &str, kind: u8, value: &[u8]| {
            t.push(name.len() as u8);
            t.extend_from_slice(name.as_bytes());
            t.push(kind);
            t.extend_from_slice(value);
        };
        entry("bool", b't', &[1]);
        entry("i8", b'b', &[0xff]);
        entry("i32", b'I', &[0xff, 0xff, 0xff, 0xfe]);
        entry("u16", b'u', &[1, 0]);
        entry("dec", b'D', &[2, 0, 0, 0, 5]);
        entry("str", b'S', &[0, 0, 0, 2, b'h', b'i']);
        entry("bytes", b'x', &[0, 0, 0, 2, 1, 2]);
        entry("time", b'T', &[0, 0, 0, 0, 0x5f, 0x5e, 0x10, 0x00]);
        // array of two shortshort uints
        entry("arr", b'A', &[0, 0, 0, 4, b'B', 7, b'B', 8]);
        entry("none", b'V', &[]);
        let mut framed = (t.len() as u32).to_be_bytes().to_vec();
        framed.extend_from_slice(&t);
        let got = read_table(&mut Cursor::new(&framed)).unwrap_or_default();
        let get = |k: &str| got.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        assert_eq!(get("bool"), Some(Value::Bool(true)));
        assert_eq!(get("i8"), Some(Value::Int(-1)));
        assert_eq!(get("i32"), Some(Value::Int(-2)));
        assert_eq!(get("u16"), Some(Value::UInt(256)));
        assert_eq!(get("dec"), Some(Value::Str("0.05".into())));
        assert_eq!(get("str"), Some(Value::Str("hi".into())));
        assert_eq!(get("bytes"), Some(Value::Str("[1, 2]".into())));
        assert_eq!(
            get("time"),
            Some(Value::Str("September 13 12:26:40 2020".into()))
        );
        assert_eq!(
            get("arr"),
            Some(Value::Object(vec![
                ("0".into(), Value::UInt(7)),
                ("1".into(), Value::UInt(8))
            ]))
        );
        assert_eq!(get("none"), Some(Value::Null));
    }

    #[test]
    fn malformed_tables() {
        // declared size larger than the data
        assert!(read_table(&mut Cursor::new(&[0, 0, 0, 9, 1, b'a'])).is_none());
        // unknown type letter
        assert!(read_table(&mut Cursor::new(&[0, 0, 0, 3, 1, b'a', b'?'])).is_none());
        // tables nested deeper than the bound
        let mut inner: Vec<u8> = Vec::new();
        for _ in 0..40 {
            let mut t = vec![1, b'n', b'F'];
            t.extend_from_slice(&(inner.len() as u32).to_be_bytes());
            t.extend_from_slice(&inner);
            inner = t;
        }
        let mut framed = (inner.len() as u32).to_be_bytes().to_vec();
        framed.extend_from_slice(&inner);
        assert!(read_table(&mut Cursor::new(&framed)).is_none());
        assert_eq!(amqp_time(0), "January  1 00:00:00 1970");
    }
}
