//! Content header frames (spec §4.2.6.1): the body size and the basic class's properties,
//! as Packetbeat names them (`content-type`, `headers`, `delivery-mode`…).

use super::frame::Cursor;
use super::table::{amqp_time, object, read_table};
use wb_event::Value;

/// A decoded content header.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContentHeader {
    /// Total size of the body that follows in body frames.
    pub body_size: u64,
    /// The properties present, as `amqp.*` fields (empty when not parsed).
    pub fields: Vec<(&'static str, Value)>,
    /// The properties ended early or were malformed (those read are kept).
    pub truncated: bool,
}

impl ContentHeader {
    /// A property's string value.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.as_str())
    }
}

/// Property flag bits of the first flag word, most significant first.
const SHORT_STRINGS_AND_OTHERS: [&str; 14] = [
    "content-type",
    "content-encoding",
    "headers",
    "delivery-mode",
    "priority",
    "correlation-id",
    "reply-to",
    "expiration",
    "message-id",
    "timestamp",
    "type",
    "user-id",
    "app-id",
    "cluster-id",
];

/// Decodes a content header payload; `parse_properties` false reads the body size only.
/// `None` when even the fixed part is cut short.
pub fn decode(payload: &[u8], parse_properties: bool) -> Option<ContentHeader> {
    let mut c = Cursor::new(payload);
    c.u16()?; // class id
    c.u16()?; // weight
    let body_size = c.u64()?;
    let mut header = ContentHeader {
        body_size,
        ..ContentHeader::default()
    };
    if !parse_properties {
        return Some(header);
    }
    let Some(flags) = c.u16() else {
        header.truncated = true;
        return Some(header);
    };
    // Further flag words follow while bit 0 is set; the basic class defines none of them.
    let mut more = flags & 1 == 1;
    let mut words = 0;
    while more && words < 8 {
        more = c.u16().is_some_and(|w| w & 1 == 1);
        words += 1;
    }
    header.truncated = read_properties(&mut c, flags, &mut header.fields).is_none();
    Some(header)
}

fn read_properties(
    c: &mut Cursor<'_>,
    flags: u16,
    out: &mut Vec<(&'static str, Value)>,
) -> Option<()> {
    for (i, name) in SHORT_STRINGS_AND_OTHERS.iter().enumerate() {
        if flags & (0x8000 >> i) == 0 {
            continue;
        }
        match *name {
            "headers" => {
                let t = read_table(c)?;
                if !t.is_empty() {
                    out.push((name, object(t)));
                }
            }
            "delivery-mode" => match c.u8()? {
                1 => out.push((name, Value::Static("non-persistent"))),
                2 => out.push((name, Value::Static("persistent"))),
                _ => {}
            },
            "priority" => out.push((name, Value::UInt(u64::from(c.u8()?)))),
            "timestamp" => out.push((name, Value::Str(amqp_time(c.u64()?)))),
            // Deprecated; read to keep the position, not reported (Packetbeat has no field).
            "cluster-id" => {
                c.short_str()?;
            }
            _ => out.push((name, Value::Str(c.short_str()?))),
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_plain_persistent() {
        // class 60, weight 0, body 5, flags content-type|delivery-mode, "text/plain", 2
        let mut p = vec![0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0x90, 0x00, 10];
        p.extend_from_slice(b"text/plain");
        p.push(2);
        let h = decode(&p, true).unwrap_or_default();
        assert_eq!(h.body_size, 5);
        assert_eq!(h.str("content-type"), Some("text/plain"));
        assert_eq!(h.str("delivery-mode"), Some("persistent"));
        assert!(!h.truncated);
        let h = decode(&p, false).unwrap_or_default();
        assert!(h.fields.is_empty());
        assert_eq!(h.body_size, 5);
    }

    #[test]
    fn cut_short() {
        assert!(decode(&[0, 60, 0, 0, 0], true).is_none());
        // content-type flagged but missing
        let h = decode(&[0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x80, 0], true);
        assert!(h.is_some_and(|h| h.truncated && h.body_size == 1));
    }
}
