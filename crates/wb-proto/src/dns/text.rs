//! The one-line text of a whole message that Packetbeat writes to `request` / `response`
//! with `send_request` / `send_response`:
//! `ID 1; QR query; OPCODE QUERY; FLAGS rd; RCODE NOERROR; QUESTION class IN, type A, a.com`.

use super::message::{Message, Record};
use super::names::{class_name, opcode_name, rcode_name, type_name};
use super::wire::Question;
use wb_event::Value;

/// `class IN, type A, name` (also the `query` field).
pub fn question_text(q: &Question) -> String {
    format!(
        "class {}, type {}, {}",
        class_name(q.qclass),
        type_name(q.qtype),
        q.name
    )
}

/// The whole message as text.
pub fn message_text(m: &Message) -> String {
    let h = &m.header;
    let flags: Vec<&str> = [
        (h.authoritative, "aa"),
        (h.truncated, "tc"),
        (h.recursion_desired, "rd"),
        (h.recursion_available, "ra"),
        (h.authentic_data, "ad"),
        (h.checking_disabled, "cd"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, f)| *f)
    .collect();
    let mut parts = vec![format!(
        "ID {}; QR {}; OPCODE {}; FLAGS {}; RCODE {}",
        h.id,
        if h.response { "response" } else { "query" },
        opcode_name(h.opcode),
        flags.join(" "),
        rcode_name(m.rcode())
    )];
    if !m.questions.is_empty() {
        let qs: Vec<String> = m.questions.iter().map(question_text).collect();
        parts.push(format!("QUESTION {}", qs.join("; ")));
    }
    for (title, records) in [("ANSWER", &m.answers), ("AUTHORITY", &m.authorities)] {
        if !records.is_empty() {
            parts.push(format!("{title} {}", records_text(records)));
        }
    }
    // The OPT record counts in Packetbeat's ADDITIONAL section and renders as nothing.
    let mut additional: Vec<String> = m.additionals.iter().map(record_text).collect();
    if m.opt.is_some() {
        additional.push(String::new());
    }
    if !additional.is_empty() {
        parts.push(format!("ADDITIONAL {}", additional.join("; ")));
    }
    parts.join("; ")
}

fn records_text(records: &[Record]) -> String {
    records
        .iter()
        .map(record_text)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The extra keys in name order as `key value, `, then `data`.
fn record_text(r: &Record) -> String {
    let mut extras: Vec<&(&str, Value)> = r.extras.iter().collect();
    extras.sort_by_key(|(k, _)| *k);
    let mut s = String::new();
    for (k, v) in extras {
        let text = match v {
            Value::UInt(n) => n.to_string(),
            other => other.as_str().unwrap_or_default().to_string(),
        };
        s.push_str(k);
        s.push(' ');
        s.push_str(&text);
        s.push_str(", ");
    }
    s.push_str(&r.data);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_text() {
        // id 7, response, RD RA; question a.com A; answer MX 10 mx.a.com
        let mut b = vec![0, 7, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0];
        b.extend_from_slice(b"\x01a\x03com\x00\x00\x0f\x00\x01");
        b.extend_from_slice(&[
            0xc0, 12, 0, 15, 0, 1, 0, 0, 0, 60, 0, 7, 0, 10, 2, b'm', b'x', 0xc0, 12,
        ]);
        let m = Message::parse(&b).unwrap();
        assert_eq!(
            message_text(&m),
            "ID 7; QR response; OPCODE QUERY; FLAGS rd ra; RCODE NOERROR; \
             QUESTION class IN, type MX, a.com; ANSWER preference 10, mx.a.com"
        );
    }
}
