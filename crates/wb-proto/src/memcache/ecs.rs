//! A memcache transaction → its event, with Packetbeat's `memcache.*` fields, status rules,
//! `event.action` and `event.outcome`.

use super::codes::{opcode_name, status_name, Arg, CmdType};
use super::config::MemcacheConfig;
use super::message::Message;
use crate::ecs::{Status, Transaction};
use crate::Cx;
use base64::Engine;
use wb_event::{FieldName, Value};

/// Note of a response that matched no request.
pub const NOTE_REQUEST_MISSING: &str = "Invalid transaction. Request missing";
/// Note of a request still unanswered when its connection ended, expired or lost data.
pub const NOTE_UNFINISHED: &str = "Unfinished transaction";
/// Note of a non-quiet binary request skipped by a later response.
pub const NOTE_MISSING_RESPONSE: &str = "Missing response for non-quiet request";

/// Publishes a request and/or its response, with `extra` notes after the messages' own.
pub fn publish(
    request: Option<&Message>,
    response: Option<&Message>,
    extra: &[&'static str],
    config: &MemcacheConfig,
    cx: &mut Cx,
) {
    let Some(first) = request.or(response) else {
        return;
    };
    let notes: Vec<String> = request
        .into_iter()
        .chain(response)
        .flat_map(|m| m.notes.iter())
        .chain(extra)
        .map(|n| n.to_string())
        .collect();
    let base = Transaction {
        protocol: super::NAME,
        conn: cx.conn(),
        start: Some(first.ts),
        end: response.map(|r| r.ts),
        request_bytes: request.map_or(0, |m| m.size),
        response_bytes: response.map_or(0, |m| m.size),
        status: status(request, response),
        notes: &notes,
    };
    let mut e = base.to_event();
    if let Some(req) = request {
        e.push(
            "event.action",
            format!("memcache.{}", req.command.typ.as_str().to_ascii_lowercase()),
        );
    }
    if response.is_some_and(|r| r.status == 0) {
        e.push("event.outcome", "success");
    }
    e.push(
        "memcache.protocol_type",
        if first.binary { "binary" } else { "text" },
    );
    if let Some(req) = request {
        e.push("memcache.request", Value::Object(fields(req, config)));
        if config.common.send_request {
            e.push("request", raw_text(req));
        }
    }
    if let Some(resp) = response {
        e.push("memcache.response", Value::Object(fields(resp, config)));
        if config.common.send_response {
            e.push("response", raw_text(resp));
        }
    }
    cx.emit(e);
}

/// Packetbeat's transaction status.
fn status(request: Option<&Message>, response: Option<&Message>) -> Status {
    match (request, response) {
        (None, _) => Status::ClientError,
        (Some(req), None) if req.expects_no_reply() => Status::Ok,
        (Some(_), None) => Status::ServerError,
        (Some(req), Some(resp)) if req.binary => match resp.status {
            0 => Status::Ok,
            s if s > 0x80 => Status::ServerError,
            _ => Status::Error,
        },
        (Some(_), Some(resp)) if resp.command.typ != CmdType::Fail => Status::Ok,
        (Some(_), Some(resp)) => match resp.command.name {
            "CLIENT_ERROR" | "SAME" => Status::ClientError,
            "SERVER_ERROR" | "BUSY" | "BADCLASS" | "NOSPARE" | "NOTFULL" | "UNSAFE" => {
                Status::ServerError
            }
            _ => Status::Error,
        },
    }
}

/// The `request` / `response` text of `send_request` / `send_response`: the command and its
/// keys (text; the whole line of an unknown command, the number of a counter reply), or the
/// opcode and keys (binary). Data blocks are never included.
fn raw_text(m: &Message) -> String {
    let mut s = if m.binary {
        opcode_name(m.opcode).to_string()
    } else if m.command.typ == CmdType::Unknown {
        return m.line.clone();
    } else if m.command.name == "<counter_op_res>" {
        m.value.to_string()
    } else {
        m.command.name.to_string()
    };
    for k in &m.keys {
        s.push(' ');
        s.push_str(k);
    }
    s
}

type Fields = Vec<(FieldName, Value)>;

fn put(f: &mut Fields, name: &'static str, v: impl Into<Value>) {
    f.push((FieldName::Borrowed(name), v.into()));
}

fn values(m: &Message, config: &MemcacheConfig) -> Value {
    let b64 = base64::engine::general_purpose::STANDARD;
    Value::List(
        m.values
            .iter()
            .take(config.max_values())
            .map(|v| Value::Str(b64.encode(v)))
            .collect(),
    )
}

fn keys(m: &Message) -> Value {
    Value::List(m.keys.iter().map(|k| Value::Str(k.clone())).collect())
}

fn stats(m: &Message) -> Value {
    Value::List(
        m.stats
            .iter()
            .map(|(name, value)| {
                Value::Object(vec![
                    (FieldName::Borrowed("name"), Value::Str(name.clone())),
                    (FieldName::Borrowed("value"), Value::Str(value.clone())),
                ])
            })
            .collect(),
    )
}

/// The fields of one message under `memcache.request` or `memcache.response`.
fn fields(m: &Message, config: &MemcacheConfig) -> Fields {
    if m.binary {
        binary_fields(m, config)
    } else {
        text_fields(m, config)
    }
}

fn text_fields(m: &Message, config: &MemcacheConfig) -> Fields {
    let mut f = Fields::with_capacity(12);
    put(&mut f, "command", m.command.name);
    put(&mut f, "type", m.command.typ.as_str());
    if m.command.typ == CmdType::Unknown {
        put(&mut f, "line", m.line.clone());
        return f;
    }
    if m.command.body == super::codes::Body::Data {
        put(&mut f, "count_values", m.count_values);
        if m.count_values > 0 && !m.values.is_empty() && config.max_values() > 0 {
            if m.request {
                let b64 = base64::engine::general_purpose::STANDARD;
                let first = m.values.first().map(|v| b64.encode(v)).unwrap_or_default();
                put(&mut f, "values", first);
            } else {
                put(&mut f, "values", values(m, config));
            }
        }
    }
    for arg in m.command.args {
        match arg {
            Arg::Key | Arg::MultiKeys => {
                if !m.keys.is_empty() {
                    put(&mut f, "keys", keys(m));
                }
            }
            Arg::Flags => put(&mut f, "flags", m.flags),
            Arg::ExpTime | Arg::OptExpTime => put(&mut f, "exptime", m.exptime),
            Arg::Bytes => put(&mut f, "bytes", m.bytes),
            Arg::Cas | Arg::OptCas => put(&mut f, "cas_unique", m.cas.unwrap_or(0)),
            Arg::NoReply => put(&mut f, "noreply", m.noreply),
            Arg::Delta => put(&mut f, "delta", m.value),
            Arg::Initial => put(&mut f, "initial", m.value2),
            Arg::Verbosity => put(&mut f, "verbosity", m.value),
            Arg::SleepUs => put(&mut f, "sleep_us", m.value),
            Arg::Value => put(&mut f, "value", m.value),
            Arg::SourceClass => put(&mut f, "source_class", m.source_class),
            Arg::DestClass => put(&mut f, "dest_class", m.dest_class),
            Arg::Automove => put(&mut f, "automove", automove(m.value)),
            Arg::RawArgs => put(&mut f, "raw_args", m.raw_args.clone()),
            Arg::ErrorMsg => put(&mut f, "error_msg", m.error_msg.clone()),
            Arg::Stat | Arg::Stats => put(&mut f, "stats", stats(m)),
        }
    }
    f
}

fn automove(v: u64) -> String {
    match v {
        0 => "standby".into(),
        1 => "slow".into(),
        2 => "aggressive".into(),
        n => n.to_string(),
    }
}

fn binary_fields(m: &Message, config: &MemcacheConfig) -> Fields {
    let mut f = Fields::with_capacity(14);
    put(&mut f, "command", m.command.name);
    put(&mut f, "type", m.command.typ.as_str());
    put(&mut f, "opcode", opcode_name(m.opcode));
    put(&mut f, "opcode_value", m.opcode);
    put(&mut f, "opaque", m.opaque);
    if !m.keys.is_empty() {
        put(&mut f, "keys", keys(m));
    }
    if let Some(cas) = m.cas {
        put(&mut f, "cas_unique", cas);
    }
    if m.count_values > 0 {
        put(&mut f, "count_values", m.count_values);
        if !m.values.is_empty() && config.max_values() > 0 {
            put(&mut f, "values", values(m, config));
        }
        put(&mut f, "bytes", m.bytes);
    }
    if let Some(v) = &m.version {
        put(&mut f, "version", v.clone());
    }
    let args = if m.request {
        put(&mut f, "quiet", m.quiet);
        put(&mut f, "vbucket", m.vbucket);
        m.command.args
    } else {
        put(&mut f, "status", status_name(m.status));
        put(&mut f, "status_code", m.status);
        if m.command.typ == CmdType::Counter {
            put(&mut f, "value", m.value);
        }
        m.command.resp_args
    };
    for arg in args {
        match arg {
            Arg::Flags => put(&mut f, "flags", m.flags),
            Arg::ExpTime => put(&mut f, "exptime", m.exptime),
            Arg::Delta => put(&mut f, "delta", m.value),
            Arg::Initial => put(&mut f, "initial", m.value2),
            Arg::Verbosity => put(&mut f, "verbosity", m.value),
            Arg::Stats => put(&mut f, "stats", stats(m)),
            _ => {}
        }
    }
    f
}
