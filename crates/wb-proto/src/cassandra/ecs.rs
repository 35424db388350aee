//! A request and its response (or a server-pushed EVENT) → one event with Packetbeat's
//! `cassandra.*` fields. No root `method`/`query`/`request`/`response`, as in Packetbeat.

use super::config::CassandraConfig;
use super::fields::Fields;
use super::frame::{Header, Opcode};
use super::message::Message;
use crate::ecs::{Status, Transaction};
use crate::Cx;
use wb_event::Event;

/// Publishes a transaction unless one of its opcodes is in `ignored_ops`. `request` is
/// `None` for an EVENT the server pushed (`cassandra.no_request: true`).
pub fn publish(
    request: Option<&Message>,
    response: &Message,
    config: &CassandraConfig,
    cx: &mut Cx,
) {
    if request.is_some_and(|r| config.ignores(r.header.op)) || config.ignores(response.header.op) {
        return;
    }
    let notes: Vec<String> = request
        .iter()
        .flat_map(|r| r.notes.iter())
        .chain(&response.notes)
        .cloned()
        .collect();
    let base = Transaction {
        protocol: super::NAME,
        conn: cx.conn(),
        start: request.map(|r| r.ts),
        end: Some(response.ts),
        request_bytes: request.map_or(0, |r| r.wire),
        response_bytes: response.wire,
        status: if response.header.op == Opcode::Error {
            Status::Error
        } else {
            Status::Ok
        },
        notes: &notes,
    };
    let mut e = base.to_event();
    match request {
        Some(r) if config.common.send_request => {
            write(&mut e, "cassandra.request", r, config.send_request_header);
        }
        Some(_) => {}
        None => e.push("cassandra.no_request", true),
    }
    if config.common.send_response {
        write(
            &mut e,
            "cassandra.response",
            response,
            config.send_response_header,
        );
    }
    cx.emit(e);
}

fn write(e: &mut Event, prefix: &str, msg: &Message, headers: bool) {
    if headers {
        for (k, v) in header_fields(&msg.header).0 {
            e.push(format!("{prefix}.headers.{k}"), v);
        }
    }
    for (k, v) in &msg.fields.0 {
        e.push(format!("{prefix}.{k}"), v.clone());
    }
}

fn header_fields(h: &Header) -> Fields {
    let mut f = Fields::default();
    f.put("version", h.version.to_string());
    f.put("flags", h.flags_name());
    f.put("stream", i64::from(h.stream));
    f.put("op", h.op.name());
    f.put("length", h.length);
    f
}
