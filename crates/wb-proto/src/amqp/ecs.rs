//! An AMQP transaction → its event, with Packetbeat's fields: `method`, `event.action`
//! (`amqp.<method>`), `amqp.*`, `user.id` from the user-id property, and `request` /
//! `response` when asked for.

use super::config::AmqpConfig;
use crate::ecs::{Status, Transaction};
use crate::{ConnMeta, Cx};
use wb_event::Value;
use wb_wire::Timestamp;

/// One transaction ready to publish.
#[derive(Clone, Debug, Default)]
pub struct Txn {
    /// `method`, e.g. `queue.declare`.
    pub method: &'static str,
    /// The `amqp.*` fields.
    pub fields: Vec<(&'static str, Value)>,
    /// Request time (or the time of a one-way message).
    pub start: Option<Timestamp>,
    /// Reply time.
    pub end: Option<Timestamp>,
    /// `source.bytes`.
    pub request_bytes: u64,
    /// `destination.bytes`.
    pub response_bytes: u64,
    /// The request was sent by the server (connection.start, a close by the broker, a
    /// publisher confirm): the server is then `source`.
    pub from_server: bool,
    /// `status: Error`.
    pub error: bool,
    /// `request` text (written when `send_request`).
    pub request: String,
    /// `response` text (written when `send_response`).
    pub response: String,
    /// `error.message` notes.
    pub notes: Vec<String>,
}

/// Sets `name` in `fields`, replacing an earlier value (a reply's fields update its
/// request's, as Packetbeat merges them).
pub fn merge(fields: &mut Vec<(&'static str, Value)>, more: Vec<(&'static str, Value)>) {
    for (name, value) in more {
        match fields.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => fields.push((name, value)),
        }
    }
}

/// Publishes `txn`.
pub fn publish(txn: Txn, config: &AmqpConfig, cx: &mut Cx) {
    let conn = *cx.conn();
    let conn = if txn.from_server {
        ConnMeta {
            client: conn.server,
            server: conn.client,
            ..conn
        }
    } else {
        conn
    };
    let base = Transaction {
        protocol: super::NAME,
        conn: &conn,
        start: txn.start,
        end: txn.end,
        request_bytes: txn.request_bytes,
        response_bytes: txn.response_bytes,
        status: if txn.error { Status::Error } else { Status::Ok },
        notes: &txn.notes,
    };
    let mut e = base.to_event();
    e.push("method", txn.method);
    e.push("event.action", format!("amqp.{}", txn.method));
    if let Some((_, user)) = txn.fields.iter().find(|(n, _)| *n == "user-id") {
        e.push("user.id", user.clone());
    }
    for (name, value) in txn.fields {
        e.push(format!("amqp.{name}"), value);
    }
    if config.common.send_request {
        e.push("request", txn.request);
    }
    if config.common.send_response {
        e.push("response", txn.response);
    }
    cx.emit(e);
}

/// A message body as Packetbeat renders it: text when the content type says text or JSON and
/// there is no content encoding, otherwise the byte values separated by spaces; ` [...]`
/// marks a body cut at `max_body_length`.
pub fn render_body(kept: &[u8], total: u64, content_type: Option<&str>, encoded: bool) -> String {
    let text = !encoded && content_type.is_some_and(|t| t.contains("text") || t.contains("json"));
    let mut out = if text {
        String::from_utf8_lossy(kept).into_owned()
    } else {
        let items: Vec<String> = kept.iter().map(u8::to_string).collect();
        items.join(" ")
    };
    if (kept.len() as u64) < total {
        out.push_str(" [...]");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies() {
        assert_eq!(render_body(b"hello", 5, Some("text/plain"), false), "hello");
        assert_eq!(
            render_body(b"he", 5, Some("application/json"), false),
            "he [...]"
        );
        assert_eq!(render_body(b"hi", 2, Some("text/plain"), true), "104 105");
        assert_eq!(render_body(&[1, 2], 2, None, false), "1 2");
    }
}
