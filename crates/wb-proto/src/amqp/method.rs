//! Method frames (spec §4.2.4, class reference in amqp0-9-1.xml): class and method ids → the
//! method's name, its role in a conversation and the `amqp.*` fields Packetbeat writes for it.
//!
//! Credentials are never read: connection.start-ok's `response`, connection.secure(-ok)'s
//! challenge/response and connection.update-secret's secret are skipped unread.

use super::frame::Cursor;
use super::table::{object, read_table};
use wb_event::Value;

/// How a method takes part in a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Expects a reply on the same channel (unless `no-wait`; ack/nack/reject are one-way).
    Request,
    /// The reply to a request.
    Response,
    /// Carries a message: a content header and body frames follow (publish, deliver, return,
    /// get-ok).
    Content,
}

/// A decoded method frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Method {
    /// Class id.
    pub class: u16,
    /// Method id.
    pub id: u16,
    /// `class.method`, e.g. `queue.declare`.
    pub name: &'static str,
    /// Its role.
    pub role: Role,
    /// Connection housekeeping hidden by `hide_connection_information`.
    pub connection_info: bool,
    /// The `amqp.*` fields, in Packetbeat's names.
    pub fields: Vec<(&'static str, Value)>,
    /// What follows the method name in `request` (queue name, exchange…), if anything.
    pub request_arg: Option<String>,
    /// The `no-wait` bit was set: no reply will come.
    pub no_wait: bool,
    /// connection.close / channel.close / basic.return reply code.
    pub reply_code: Option<u16>,
    /// Notes for `error.message`.
    pub notes: Vec<String>,
}

/// Note when an `arguments` table cannot be decoded.
pub const NOTE_BAD_ARGUMENTS: &str = "Failed to parse additional arguments";

/// What a method frame payload turned out to be.
#[derive(Clone, Debug, PartialEq)]
pub enum Decoded {
    /// A known method.
    Method(Method),
    /// A class/method pair this analyzer does not know.
    Unknown,
    /// A known method whose arguments are cut short or malformed.
    Malformed,
}

struct Builder<'a> {
    c: Cursor<'a>,
    m: Method,
    parse_arguments: bool,
}

impl Builder<'_> {
    fn str(&mut self, name: &'static str) -> Option<String> {
        let s = self.c.short_str()?;
        self.m.fields.push((name, Value::Str(s.clone())));
        Some(s)
    }
    fn u16(&mut self, name: &'static str) -> Option<u16> {
        let v = self.c.u16()?;
        self.m.fields.push((name, Value::UInt(u64::from(v))));
        Some(v)
    }
    fn u32(&mut self, name: &'static str) -> Option<u32> {
        let v = self.c.u32()?;
        self.m.fields.push((name, Value::UInt(u64::from(v))));
        Some(v)
    }
    fn u64(&mut self, name: &'static str) -> Option<u64> {
        let v = self.c.u64()?;
        self.m.fields.push((name, Value::UInt(v)));
        Some(v)
    }
    /// One octet of bits named from the least significant bit; `""` skips a bit. A bit named
    /// `no-wait` also sets [`Method::no_wait`].
    fn bits(&mut self, names: &[&'static str]) -> Option<()> {
        let bits = self.c.bits()?;
        for (name, set) in names.iter().zip(bits) {
            if name.is_empty() {
                continue;
            }
            if *name == "no-wait" {
                self.m.no_wait = set;
            }
            self.m.fields.push((name, Value::Bool(set)));
        }
        Some(())
    }
    /// A table written as `name` when it has entries.
    fn table(&mut self, name: &'static str) -> Option<()> {
        let t = read_table(&mut self.c)?;
        if !t.is_empty() {
            self.m.fields.push((name, object(t)));
        }
        Some(())
    }
    /// The trailing `arguments` table, when `parse_arguments` is on; a bad one is a note.
    fn arguments(&mut self) {
        if !self.parse_arguments || self.c.is_empty() {
            return;
        }
        match read_table(&mut self.c) {
            Some(t) if !t.is_empty() => self.m.fields.push(("arguments", object(t))),
            Some(_) => {}
            None => self.m.notes.push(NOTE_BAD_ARGUMENTS.into()),
        }
    }
    fn skip(&mut self, n: usize) -> Option<()> {
        self.c.take(n).map(|_| ())
    }
    /// Drops a named field written by an earlier read (Packetbeat omits empty exchanges).
    fn drop_empty(&mut self, name: &'static str) {
        self.m
            .fields
            .retain(|(n, v)| !(*n == name && v.as_str() == Some("")));
    }
    fn arg(&mut self, s: String) {
        if !s.is_empty() {
            self.m.request_arg = Some(s);
        }
    }
}

/// Name, role and whether it is connection housekeeping, by class and method id.
fn describe(class: u16, id: u16) -> Option<(&'static str, Role, bool)> {
    use Role::{Content, Request, Response};
    Some(match (class, id) {
        (10, 10) => ("connection.start", Request, true),
        (10, 11) => ("connection.start-ok", Response, true),
        (10, 20) => ("connection.secure", Request, true),
        (10, 21) => ("connection.secure-ok", Response, true),
        (10, 30) => ("connection.tune", Request, true),
        (10, 31) => ("connection.tune-ok", Response, true),
        (10, 40) => ("connection.open", Request, true),
        (10, 41) => ("connection.open-ok", Response, true),
        (10, 50) => ("connection.close", Request, false),
        (10, 51) => ("connection.close-ok", Response, false),
        (10, 70) => ("connection.update-secret", Request, true),
        (10, 71) => ("connection.update-secret-ok", Response, true),
        (20, 10) => ("channel.open", Request, true),
        (20, 11) => ("channel.open-ok", Response, true),
        (20, 20) => ("channel.flow", Request, true),
        (20, 21) => ("channel.flow-ok", Response, true),
        (20, 40) => ("channel.close", Request, false),
        (20, 41) => ("channel.close-ok", Response, false),
        (40, 10) => ("exchange.declare", Request, false),
        (40, 11) => ("exchange.declare-ok", Response, false),
        (40, 20) => ("exchange.delete", Request, false),
        (40, 21) => ("exchange.delete-ok", Response, false),
        (40, 30) => ("exchange.bind", Request, false),
        (40, 31) => ("exchange.bind-ok", Response, false),
        (40, 40) => ("exchange.unbind", Request, false),
        (40, 51) => ("exchange.unbind-ok", Response, false),
        (50, 10) => ("queue.declare", Request, false),
        (50, 11) => ("queue.declare-ok", Response, false),
        (50, 20) => ("queue.bind", Request, false),
        (50, 21) => ("queue.bind-ok", Response, false),
        (50, 30) => ("queue.purge", Request, false),
        (50, 31) => ("queue.purge-ok", Response, false),
        (50, 40) => ("queue.delete", Request, false),
        (50, 41) => ("queue.delete-ok", Response, false),
        (50, 50) => ("queue.unbind", Request, false),
        (50, 51) => ("queue.unbind-ok", Response, false),
        (60, 10) => ("basic.qos", Request, true),
        (60, 11) => ("basic.qos-ok", Response, true),
        (60, 20) => ("basic.consume", Request, false),
        (60, 21) => ("basic.consume-ok", Response, false),
        (60, 30) => ("basic.cancel", Request, false),
        (60, 31) => ("basic.cancel-ok", Response, false),
        (60, 40) => ("basic.publish", Content, false),
        (60, 50) => ("basic.return", Content, false),
        (60, 60) => ("basic.deliver", Content, false),
        (60, 70) => ("basic.get", Request, false),
        (60, 71) => ("basic.get-ok", Content, false),
        (60, 72) => ("basic.get-empty", Response, false),
        (60, 80) => ("basic.ack", Request, false),
        (60, 90) => ("basic.reject", Request, false),
        (60, 110) => ("basic.recover", Request, false),
        (60, 111) => ("basic.recover-ok", Response, false),
        (60, 120) => ("basic.nack", Request, false),
        (85, 10) => ("confirm.select", Request, false),
        (85, 11) => ("confirm.select-ok", Response, false),
        (90, 10) => ("tx.select", Request, false),
        (90, 11) => ("tx.select-ok", Response, false),
        (90, 20) => ("tx.commit", Request, false),
        (90, 21) => ("tx.commit-ok", Response, false),
        (90, 30) => ("tx.rollback", Request, false),
        (90, 31) => ("tx.rollback-ok", Response, false),
        _ => return None,
    })
}

/// Decodes a method frame payload.
pub fn decode(payload: &[u8], parse_arguments: bool) -> Decoded {
    let mut c = Cursor::new(payload);
    let (Some(class), Some(id)) = (c.u16(), c.u16()) else {
        return Decoded::Malformed;
    };
    let Some((name, role, connection_info)) = describe(class, id) else {
        return Decoded::Unknown;
    };
    let mut b = Builder {
        c,
        m: Method {
            class,
            id,
            name,
            role,
            connection_info,
            fields: Vec::new(),
            request_arg: None,
            no_wait: false,
            reply_code: None,
            notes: Vec::new(),
        },
        parse_arguments,
    };
    match arguments(&mut b) {
        Some(()) => Decoded::Method(b.m),
        None => Decoded::Malformed,
    }
}

/// Reads the arguments of `b.m` (spec argument order; reserved shorts skipped).
fn arguments(b: &mut Builder<'_>) -> Option<()> {
    match (b.m.class, b.m.id) {
        (10, 10) => {
            b.c.u8().map(|v| {
                b.m.fields
                    .push(("version-major", Value::UInt(u64::from(v))))
            })?;
            b.c.u8().map(|v| {
                b.m.fields
                    .push(("version-minor", Value::UInt(u64::from(v))))
            })?;
            b.table("server-properties")?;
            let mechanisms = b.c.long_bytes()?;
            let locales = b.c.long_bytes()?;
            b.m.fields.push((
                "mechanisms",
                Value::Str(String::from_utf8_lossy(mechanisms).into_owned()),
            ));
            b.m.fields.push((
                "locales",
                Value::Str(String::from_utf8_lossy(locales).into_owned()),
            ));
        }
        (10, 11) => {
            b.table("client-properties")?;
            b.str("mechanism")?;
            // The SASL response holds the credentials: skipped, never decoded.
            b.c.long_bytes()?;
            b.str("locale")?;
        }
        (10, 31) => {
            b.u16("channel-max")?;
            b.u32("frame-max")?;
            b.u16("heartbeat")?;
        }
        (10, 40) => {
            b.str("virtual-host")?;
        }
        (10, 50) | (20, 40) => {
            let code = b.u16("reply-code")?;
            b.m.reply_code = Some(code);
            b.str("reply-text")?;
            b.u16("class-id")?;
            b.u16("method-id")?;
        }
        (20, 21) => b.bits(&["active"])?,
        (40, 10) => {
            b.skip(2)?;
            let exchange = b.str("exchange")?;
            let kind = b.c.short_str()?;
            let kind = if kind.is_empty() {
                "direct".into()
            } else {
                kind
            };
            b.m.fields.push(("exchange-type", Value::Str(kind)));
            b.bits(&["passive", "durable", "", "", "no-wait"])?;
            b.arg(exchange);
            b.arguments();
        }
        (40, 20) => {
            b.skip(2)?;
            let exchange = b.str("exchange")?;
            b.bits(&["if-unused", "no-wait"])?;
            b.arg(exchange);
        }
        (40, 30) | (40, 40) => {
            b.skip(2)?;
            let destination = b.str("destination")?;
            let source = b.str("source")?;
            b.str("routing-key")?;
            b.bits(&["no-wait"])?;
            b.arg(format!("{source} {destination}"));
            b.arguments();
        }
        (50, 10) => {
            b.skip(2)?;
            let queue = b.str("queue")?;
            b.bits(&["passive", "durable", "exclusive", "auto-delete", "no-wait"])?;
            b.arg(queue);
            b.arguments();
        }
        (50, 11) => {
            b.str("queue")?;
            b.u32("message-count")?;
            b.u32("consumer-count")?;
        }
        (50, 20) | (50, 50) => {
            b.skip(2)?;
            let queue = b.str("queue")?;
            let exchange = b.str("exchange")?;
            b.drop_empty("exchange");
            b.str("routing-key")?;
            if b.m.id == 20 {
                b.bits(&["no-wait"])?;
            }
            b.arg(format!("{queue} {exchange}"));
            b.arguments();
        }
        (50, 30) => {
            b.skip(2)?;
            let queue = b.str("queue")?;
            b.bits(&["no-wait"])?;
            b.arg(queue);
        }
        (50, 40) => {
            b.skip(2)?;
            let queue = b.str("queue")?;
            b.bits(&["if-unused", "if-empty", "no-wait"])?;
            b.arg(queue);
        }
        (50, 31) | (50, 41) => {
            b.u32("message-count")?;
        }
        (60, 10) => {
            b.u32("prefetch-size")?;
            b.u16("prefetch-count")?;
            b.bits(&["global"])?;
        }
        (60, 20) => {
            b.skip(2)?;
            let queue = b.str("queue")?;
            b.str("consumer-tag")?;
            b.bits(&["no-local", "no-ack", "exclusive", "no-wait"])?;
            b.arg(queue);
            b.arguments();
        }
        (60, 21) | (60, 31) => {
            b.str("consumer-tag")?;
        }
        (60, 30) => {
            let tag = b.str("consumer-tag")?;
            b.bits(&["no-wait"])?;
            b.arg(tag);
        }
        (60, 40) => {
            b.skip(2)?;
            b.str("exchange")?;
            b.drop_empty("exchange");
            b.str("routing-key")?;
            b.bits(&["mandatory", "immediate"])?;
        }
        (60, 50) => {
            let code = b.u16("reply-code")?;
            b.m.reply_code = Some(code);
            b.str("reply-text")?;
            b.str("exchange")?;
            b.str("routing-key")?;
        }
        (60, 60) => {
            b.str("consumer-tag")?;
            b.u64("delivery-tag")?;
            b.bits(&["redelivered"])?;
            b.str("exchange")?;
            b.drop_empty("exchange");
            b.str("routing-key")?;
        }
        (60, 70) => {
            b.skip(2)?;
            let queue = b.str("queue")?;
            b.bits(&["no-ack"])?;
            b.arg(queue);
        }
        (60, 71) => {
            b.u64("delivery-tag")?;
            b.bits(&["redelivered"])?;
            b.str("exchange")?;
            b.drop_empty("exchange");
            b.str("routing-key")?;
            b.u32("message-count")?;
        }
        (60, 80) => {
            b.u64("delivery-tag")?;
            b.bits(&["multiple"])?;
        }
        (60, 90) => {
            let tag = b.u64("delivery-tag")?;
            b.bits(&["requeue"])?;
            b.arg(tag.to_string());
        }
        (60, 110) => b.bits(&["requeue"])?,
        (60, 120) => {
            b.u64("delivery-tag")?;
            b.bits(&["multiple", "requeue"])?;
        }
        (85, 10) => b.bits(&["no-wait"])?,
        // No arguments, or arguments not reported (connection.secure(-ok) and
        // update-secret carry secrets and are never read).
        _ => {}
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field<'a>(m: &'a Method, name: &str) -> Option<&'a Value> {
        m.fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    #[test]
    fn queue_declare_with_arguments() {
        // class 50, method 10, reserved 0, queue "q", bits durable|no-wait, table {x: 't' 1}
        let payload = [
            0, 50, 0, 10, 0, 0, 1, b'q', 0b10010, 0, 0, 0, 4, 1, b'x', b't', 1,
        ];
        let Decoded::Method(m) = decode(&payload, true) else {
            panic!("not decoded");
        };
        assert_eq!(m.name, "queue.declare");
        assert_eq!(m.role, Role::Request);
        assert!(m.no_wait);
        assert_eq!(field(&m, "durable"), Some(&Value::Bool(true)));
        assert_eq!(field(&m, "exclusive"), Some(&Value::Bool(false)));
        assert_eq!(m.request_arg.as_deref(), Some("q"));
        assert!(field(&m, "arguments").is_some());
        let Decoded::Method(m) = decode(&payload, false) else {
            panic!("not decoded");
        };
        assert!(field(&m, "arguments").is_none());
    }

    #[test]
    fn start_ok_never_reads_the_response() {
        // empty client-properties, mechanism PLAIN, response "\0guest\0guest", locale en_US
        let mut p = vec![0, 10, 0, 11, 0, 0, 0, 0, 5];
        p.extend_from_slice(b"PLAIN");
        p.extend_from_slice(&[0, 0, 0, 12]);
        p.extend_from_slice(b"\0guest\0guest");
        p.push(5);
        p.extend_from_slice(b"en_US");
        let Decoded::Method(m) = decode(&p, true) else {
            panic!("not decoded");
        };
        assert_eq!(field(&m, "mechanism"), Some(&Value::Str("PLAIN".into())));
        assert_eq!(field(&m, "locale"), Some(&Value::Str("en_US".into())));
        assert!(!format!("{m:?}").contains("guest"));
    }

    #[test]
    fn unknown_and_short() {
        assert_eq!(decode(&[0, 99, 0, 1], true), Decoded::Unknown);
        assert_eq!(decode(&[0, 50], true), Decoded::Malformed);
        // channel.close cut inside reply-text
        assert_eq!(
            decode(&[0, 20, 0, 40, 1, 0x94, 5, b'a'], true),
            Decoded::Malformed
        );
    }
}
