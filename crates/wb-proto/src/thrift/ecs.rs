//! A Thrift call and its reply (if any) → its event, with Packetbeat's fields: `method`,
//! `path` (service), `query`, `thrift.params`, `thrift.service`, `thrift.return_value`,
//! `thrift.exceptions`, and `request` / `response` when asked for.

use super::config::ThriftConfig;
use super::parser::Kind;
use super::render;
use super::state::Seen;
use crate::ecs::{Status, Transaction};
use crate::Cx;

/// The top-level fields shown (at most `collection_max_size`) and whether more followed.
fn shown<'a>(seen: &'a Seen, config: &ThriftConfig) -> (&'a [(i16, String)], bool) {
    let max = config.limits.collection_max_size;
    let fields = &seen.msg.fields;
    let kept = fields.get(..max).unwrap_or(fields);
    (kept, seen.msg.more_fields || fields.len() > kept.len())
}

/// What a reply says.
struct Outcome {
    return_value: String,
    exceptions: String,
}

fn outcome(reply: &Seen, exception_names: &[(i16, String)], config: &ThriftConfig) -> Outcome {
    let mut out = Outcome {
        return_value: String::new(),
        exceptions: String::new(),
    };
    match reply.msg.fields.first() {
        Some((0, value)) if config.capture_reply => out.return_value = value.clone(),
        Some(_) if config.capture_reply => {
            // A TApplicationException carries its own fields, not declared exceptions.
            let names = if reply.msg.header.kind == Kind::Exception {
                &[]
            } else {
                exception_names
            };
            let (fields, more) = shown(reply, config);
            out.exceptions = render::fields(fields, more, names);
        }
        _ => {}
    }
    out
}

/// Publishes a call with its reply, or alone (one-way or unanswered).
pub fn publish(
    call: &Seen,
    reply: Option<&Seen>,
    notes: &[String],
    config: &ThriftConfig,
    cx: &mut Cx,
) {
    let name = &call.msg.header.name;
    let method = config.idl.method(name);
    let (fields, more) = shown(call, config);
    let params = render::fields(fields, more, method.map_or(&[], |m| m.params.as_slice()));
    let result = reply.map(|r| outcome(r, method.map_or(&[], |m| m.exceptions.as_slice()), config));
    let error = result.as_ref().is_some_and(|o| !o.exceptions.is_empty());
    let base = Transaction {
        protocol: super::NAME,
        conn: cx.conn(),
        start: Some(call.ts),
        end: reply.map(|r| r.ts),
        request_bytes: call.bytes,
        response_bytes: reply.map_or(0, |r| r.bytes),
        status: if error { Status::Error } else { Status::Ok },
        notes,
    };
    let mut e = base.to_event();
    let query = format!("{name}{params}");
    e.push("method", name.clone());
    if let Some(m) = method {
        e.push("path", m.service.clone());
        e.push("thrift.service", m.service.clone());
    }
    if config.common.send_request {
        e.push("request", query.clone());
    }
    e.push("query", query);
    e.push("thrift.params", params);
    if let Some(o) = result {
        if config.common.send_response {
            let response = if error {
                format!("Exceptions: {}", o.exceptions)
            } else {
                o.return_value.clone()
            };
            e.push("response", response);
        }
        e.push("thrift.return_value", o.return_value);
        if error {
            e.push("thrift.exceptions", o.exceptions);
        }
    }
    cx.emit(e);
}
