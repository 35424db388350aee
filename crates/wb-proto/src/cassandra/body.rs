//! A message body (already decompressed) → its fields: the flag-driven prefix (tracing id,
//! warnings, custom payload), then the message of its opcode. AUTH_RESPONSE and
//! AUTH_CHALLENGE tokens (SASL credentials) are never read into a field.

use super::error;
use super::fields::{string_list, Fields};
use super::frame::{Header, Opcode, FLAG_CUSTOM_PAYLOAD, FLAG_TRACING, FLAG_WARNING};
use super::reader::{Read, Reader};
use super::result;
use wb_event::Value;

/// Decodes `body` of the frame `h`. `Err` when the body ends early: the caller decides
/// whether more bytes may come (a prefix of a long RESULT) or the body is malformed.
pub fn decode(h: &Header, body: &[u8]) -> Read<Fields> {
    let mut r = Reader::new(body);
    let mut f = Fields::default();
    if h.response && h.has(FLAG_TRACING) {
        r.take(16)?;
    }
    if h.response && h.has(FLAG_WARNING) {
        f.put("warnings", string_list(r.string_list()?));
    }
    if h.has(FLAG_CUSTOM_PAYLOAD) {
        r.skip_bytes_map()?;
    }
    let message = match h.op {
        Opcode::Query | Opcode::Prepare => {
            let mut m = Fields::default();
            m.put("query", r.long_string()?);
            m
        }
        Opcode::Batch => batch(&mut r)?,
        Opcode::Error => error::decode(&mut r, h.version)?,
        Opcode::Result => result::decode(&mut r, h.version)?,
        Opcode::Authenticate => {
            let mut m = Fields::default();
            m.put("authentication.class", r.string()?);
            m
        }
        Opcode::Supported => supported(&mut r)?,
        Opcode::Event => event(&mut r)?,
        Opcode::Startup
        | Opcode::Ready
        | Opcode::Options
        | Opcode::Execute
        | Opcode::Register
        | Opcode::AuthChallenge
        | Opcode::AuthResponse
        | Opcode::AuthSuccess => Fields::default(),
    };
    f.0.extend(message.0);
    Ok(f)
}

/// A BATCH: the text of its query statements (prepared ones are ids) joined with `; `.
fn batch(r: &mut Reader) -> Read<Fields> {
    let mut f = Fields::default();
    r.byte()?;
    let mut queries = Vec::new();
    for _ in 0..r.short()? {
        match r.byte()? {
            0 => queries.push(r.long_string()?),
            _ => {
                r.short_bytes()?;
            }
        }
        for _ in 0..r.short()? {
            r.bytes()?;
        }
    }
    if !queries.is_empty() {
        f.put("query", queries.join("; "));
    }
    Ok(f)
}

/// SUPPORTED: a [string multimap] of STARTUP options.
fn supported(r: &mut Reader) -> Read<Fields> {
    let mut f = Fields::default();
    let map = r
        .string_multimap()?
        .into_iter()
        .map(|(k, v)| (k.into(), string_list(v)))
        .collect();
    f.put("supported", Value::Object(map));
    Ok(f)
}

/// EVENT: TOPOLOGY_CHANGE / STATUS_CHANGE with a node address, or SCHEMA_CHANGE.
fn event(r: &mut Reader) -> Read<Fields> {
    let mut f = Fields::default();
    let kind = r.string()?;
    f.put("event.type", kind.clone());
    match kind.as_str() {
        "TOPOLOGY_CHANGE" | "STATUS_CHANGE" => {
            f.put("event.change", r.string()?);
            let (ip, port) = r.inet()?;
            f.put("event.host", ip);
            f.put("event.port", i64::from(port));
        }
        "SCHEMA_CHANGE" => f.nest("event.schema_change", result::schema_change(r)?),
        _ => {}
    }
    Ok(f)
}

/// The `COMPRESSION` option of a STARTUP body ([string map]), if any.
pub fn startup_compression(body: &[u8]) -> Option<String> {
    let mut r = Reader::new(body);
    for _ in 0..r.short().ok()? {
        let key = r.string().ok()?;
        let value = r.string().ok()?;
        if key.eq_ignore_ascii_case("COMPRESSION") {
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Dir;

    fn header(bytes: &[u8], dir: Dir) -> Header {
        Header::parse(bytes, dir).unwrap()
    }

    #[test]
    fn error_body_of_cassandra_trace_err() {
        // Response, ERROR, 53 bytes: code 0x2300 (config error), [string] message.
        let h = header(&[0x84, 0, 0x01, 0x13, 0x00, 0, 0, 0, 0x35], Dir::ToClient);
        let mut body = vec![0, 0, 0x23, 0, 0, 0x2f];
        body.extend_from_slice(b"Cannot drop non existing keyspace 'mykeyspace'.");
        let f = decode(&h, &body).unwrap();
        assert_eq!(f.0[0], ("error.code".into(), Value::Int(8960)));
        assert_eq!(f.0[2], ("error.type".into(), Value::Static("errConfig")));
    }

    #[test]
    fn schema_change_of_cassandra_create_keyspace() {
        // RESULT kind 5, "CREATED", "KEYSPACE", "mykeyspace".
        let h = header(&[0x84, 0, 0, 0x14, 0x08, 0, 0, 0, 0x23], Dir::ToClient);
        let body = b"\x00\x00\x00\x05\x00\x07CREATED\x00\x08KEYSPACE\x00\x0amykeyspace";
        let f = decode(&h, body).unwrap();
        let keys: Vec<&str> = f.0.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(
            keys,
            [
                "result.type",
                "result.schema_change.change",
                "result.schema_change.target",
                "result.schema_change.keyspace"
            ]
        );
        // Cut anywhere, the body is short, never a panic.
        for n in 0..body.len() {
            assert!(decode(&h, &body[..n]).is_err());
        }
    }

    #[test]
    fn startup_options_and_batch_text() {
        // STARTUP [string map]: CQL_VERSION=3.0.0, COMPRESSION=snappy.
        let body = b"\x00\x02\x00\x0bCQL_VERSION\x00\x053.0.0\x00\x0bCOMPRESSION\x00\x06snappy";
        assert_eq!(startup_compression(body).as_deref(), Some("snappy"));
        // BATCH: logged, 2 statements: a query without values, a prepared id 0xab with one
        // [value]; then consistency and flags.
        let h = header(&[0x04, 0, 0, 1, 0x0d, 0, 0, 0, 0], Dir::ToServer);
        let body = b"\x00\x00\x02\x00\x00\x00\x00\x08DELETE x\x00\x00\x01\x00\x01\xab\x00\x01\x00\x00\x00\x01\x07\x00\x01\x00";
        let f = decode(&h, body).unwrap();
        assert_eq!(f.0, vec![("query".into(), Value::Str("DELETE x".into()))]);
        // AUTH_RESPONSE: the token is not read into any field.
        let h = header(&[0x04, 0, 0, 2, 0x0f, 0, 0, 0, 0], Dir::ToServer);
        assert!(decode(&h, b"\x00\x00\x00\x05\x00u\x00pw")
            .unwrap()
            .0
            .is_empty());
    }
}
