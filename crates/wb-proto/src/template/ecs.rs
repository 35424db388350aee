//! `template` transaction → ECS event.

use super::config::TemplateConfig;
use crate::ecs::{Status, Transaction};
use crate::Cx;
use wb_wire::Timestamp;

/// One request/response pair (either side may be missing).
#[derive(Clone, Debug, Default)]
pub struct Txn {
    /// Time of the request line.
    pub start: Option<Timestamp>,
    /// Time of the response line.
    pub end: Option<Timestamp>,
    /// Request verb.
    pub method: Option<String>,
    /// Request line text.
    pub request: Option<String>,
    /// Response line text.
    pub response: Option<String>,
    /// Request bytes on the wire (with line end).
    pub request_bytes: u64,
    /// Response bytes on the wire (with line end).
    pub response_bytes: u64,
    /// The response was `ERR` or unknown, or the request got no response.
    pub error: bool,
    /// Notes for `error.message`.
    pub notes: Vec<String>,
}

/// Builds the event of `txn` and emits it.
pub fn publish(txn: &Txn, config: &TemplateConfig, cx: &mut Cx) {
    let error = txn.error || txn.start.is_none() || txn.end.is_none();
    let base = Transaction {
        protocol: super::NAME,
        conn: cx.conn(),
        start: txn.start,
        end: txn.end,
        request_bytes: txn.request_bytes,
        response_bytes: txn.response_bytes,
        status: if error { Status::Error } else { Status::Ok },
        notes: &txn.notes,
    };
    let mut e = base.to_event();
    if let Some(method) = &txn.method {
        e.push("method", method.to_ascii_uppercase());
    }
    if let Some(request) = &txn.request {
        e.push("query", request.clone());
        if config.common.send_request {
            e.push("request", request.clone());
        }
    }
    if let Some(response) = &txn.response {
        if config.common.send_response {
            e.push("response", response.clone());
        }
    }
    cx.emit(e);
}
