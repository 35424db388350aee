//! A PostgreSQL statement and its result → its event, as Packetbeat writes it.

use super::config::PgsqlConfig;
use crate::ecs::{Status, Transaction};
use crate::Cx;
use wb_wire::Timestamp;

/// One statement and what the server answered.
#[derive(Clone, Debug, Default)]
pub struct Txn {
    /// The SQL text.
    pub query: String,
    /// Time of the first byte of its request.
    pub start: Option<Timestamp>,
    /// Time of the first byte of its result.
    pub end: Option<Timestamp>,
    /// Request bytes on the wire.
    pub request_bytes: u64,
    /// Result bytes on the wire.
    pub response_bytes: u64,
    /// Column names (RowDescription).
    pub fields: Vec<String>,
    /// DataRows received.
    pub num_rows: u64,
    /// The first `max_rows` rows as CSV lines, each cut at `max_row_length`.
    pub rows: Vec<String>,
    /// The CommandComplete tag (`INSERT 0 1`).
    pub tag: Option<String>,
    /// ErrorResponse: severity, SQLSTATE, message.
    pub error: Option<(String, String, String)>,
    /// Notes for `error.message`.
    pub notes: Vec<String>,
}

/// `method`: the statement's first word, upper-cased.
fn method(query: &str) -> String {
    query
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase()
}

/// Builds the event of `txn` and emits it.
pub fn publish(txn: &Txn, config: &PgsqlConfig, cx: &mut Cx) {
    let base = Transaction {
        protocol: super::NAME,
        conn: cx.conn(),
        start: txn.start,
        end: txn.end,
        request_bytes: txn.request_bytes,
        response_bytes: txn.response_bytes,
        status: if txn.error.is_some() || !txn.notes.is_empty() {
            Status::Error
        } else {
            Status::Ok
        },
        notes: &txn.notes,
    };
    let mut e = base.to_event();
    // An Execute whose Parse was not captured (lost, or before the capture began) has no
    // statement text: its result is reported without `method` and `query`.
    if !txn.query.is_empty() {
        e.push("method", method(&txn.query));
        e.push("query", txn.query.clone());
    }
    e.push("pgsql.num_rows", txn.num_rows);
    e.push("pgsql.num_fields", txn.fields.len() as u64);
    if let Some((severity, code, message)) = &txn.error {
        e.push("pgsql.error_severity", severity.clone());
        e.push("pgsql.error_code", code.clone());
        e.push("pgsql.error_message", message.clone());
    }
    if config.common.send_request {
        e.push("request", txn.query.clone());
    }
    if config.common.send_response {
        let mut text = String::new();
        if !txn.fields.is_empty() {
            text.push_str(&txn.fields.join(","));
            text.push('\n');
            for row in &txn.rows {
                text.push_str(row);
                text.push('\n');
            }
        } else if let Some((_, _, message)) = &txn.error {
            text.push_str(message);
        } else if let Some(tag) = &txn.tag {
            text.push_str(tag);
        }
        e.push("response", text);
    }
    cx.emit(e);
}
