//! A MySQL command and its response → its event, as Packetbeat writes it.

use super::config::MysqlConfig;
use crate::ecs::{Status, Transaction};
use crate::Cx;
use wb_wire::Timestamp;

/// One command and what the server answered.
#[derive(Clone, Debug, Default)]
pub struct Txn {
    /// The SQL text (empty when an executed statement's PREPARE was not captured).
    pub query: String,
    /// Bound parameters of COM_STMT_EXECUTE.
    pub params: Option<Vec<String>>,
    /// Time of the command's first byte.
    pub start: Option<Timestamp>,
    /// Time of the response's first byte.
    pub end: Option<Timestamp>,
    /// Command bytes on the wire.
    pub request_bytes: u64,
    /// Response bytes on the wire.
    pub response_bytes: u64,
    /// OK: rows changed, last insert id.
    pub affected_rows: u64,
    /// Last insert id.
    pub insert_id: u64,
    /// Result-set columns.
    pub fields: Vec<String>,
    /// `db.table` of the columns, de-duplicated, in order.
    pub tables: Vec<String>,
    /// Rows received.
    pub num_rows: u64,
    /// The first `max_rows` rows as CSV.
    pub rows: Vec<String>,
    /// ERR: code and `"SQLSTATE: message"`.
    pub error: Option<(u16, String)>,
    /// Notes for `error.message`.
    pub notes: Vec<String>,
}

/// Builds the event of `txn` and emits it.
pub fn publish(txn: &Txn, config: &MysqlConfig, cx: &mut Cx) {
    let base = Transaction {
        protocol: super::NAME,
        conn: cx.conn(),
        start: txn.start,
        end: txn.end,
        request_bytes: txn.request_bytes,
        response_bytes: txn.response_bytes,
        status: if txn.error.is_some() {
            Status::Error
        } else {
            Status::Ok
        },
        notes: &txn.notes,
    };
    let mut e = base.to_event();
    let query = txn
        .query
        .trim_matches(|c: char| c == '\r' || c == '\n' || c == '\t' || c == ' ');
    if !query.is_empty() {
        let method = query.split_whitespace().next().unwrap_or_default();
        e.push("method", method.to_ascii_uppercase());
        e.push("query", query.to_string());
    }
    if let Some(params) = &txn.params {
        e.push(
            "params",
            wb_event::Value::List(
                params
                    .iter()
                    .map(|p| wb_event::Value::Str(p.clone()))
                    .collect(),
            ),
        );
    }
    if !txn.tables.is_empty() {
        e.push("path", txn.tables.join(", "));
    }
    e.push("mysql.affected_rows", txn.affected_rows);
    e.push("mysql.insert_id", txn.insert_id);
    e.push("mysql.num_rows", txn.num_rows);
    e.push("mysql.num_fields", txn.fields.len() as u64);
    if let Some((code, message)) = &txn.error {
        e.push("mysql.error_code", u64::from(*code));
        e.push("mysql.error_message", message.clone());
    }
    if config.common.send_request && !query.is_empty() {
        e.push("request", query.to_string());
    }
    if config.common.send_response {
        let text = if !txn.fields.is_empty() {
            let mut t = txn.fields.join(",");
            t.push('\n');
            for row in &txn.rows {
                t.push_str(row);
                t.push('\n');
            }
            t
        } else if let Some((_, message)) = &txn.error {
            message.clone()
        } else {
            String::new()
        };
        e.push("response", text);
    }
    cx.emit(e);
}
