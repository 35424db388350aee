//! A Redis command and its reply (or a pushed message) → its event, as Packetbeat writes it.

use super::command::Command;
use super::config::RedisConfig;
use super::message::{Message, Top};
use crate::ecs::{Status, Transaction};
use crate::Cx;

/// Publishes a command and its reply.
pub fn publish(
    cmd: &Command,
    request: &Message,
    response: &Message,
    config: &RedisConfig,
    cx: &mut Cx,
) {
    let error = response.top == Top::Error;
    emit(
        Parts {
            method: &cmd.method,
            resource: cmd.resource.as_deref(),
            query: Some(&cmd.query),
            request: Some(request),
            response,
            error,
        },
        config,
        cx,
    );
}

/// Publishes a message the server pushed without a request (pub/sub delivery, RESP3 push):
/// `method` is its kind (`MESSAGE`, `PMESSAGE`, `INVALIDATE`…), `resource` its channel.
pub fn publish_push(
    kind: &str,
    channel: Option<&str>,
    response: &Message,
    config: &RedisConfig,
    cx: &mut Cx,
) {
    emit(
        Parts {
            method: &kind.to_ascii_uppercase(),
            resource: channel,
            query: None,
            request: None,
            response,
            error: false,
        },
        config,
        cx,
    );
}

struct Parts<'a> {
    method: &'a str,
    resource: Option<&'a str>,
    query: Option<&'a str>,
    request: Option<&'a Message>,
    response: &'a Message,
    error: bool,
}

fn emit(p: Parts<'_>, config: &RedisConfig, cx: &mut Cx) {
    let base = Transaction {
        protocol: super::NAME,
        conn: cx.conn(),
        start: Some(p.request.map_or(p.response.ts, |r| r.ts)),
        end: Some(p.response.ts),
        request_bytes: p.request.map_or(0, |r| r.wire),
        response_bytes: p.response.wire,
        status: if p.error { Status::Error } else { Status::Ok },
        notes: &[],
    };
    let mut e = base.to_event();
    e.push("method", p.method.to_string());
    e.push(
        "event.action",
        format!("redis.{}", p.method.to_ascii_lowercase()),
    );
    e.push("event.outcome", if p.error { "failure" } else { "success" });
    if let Some(r) = p.resource {
        e.push("resource", r.to_string());
    }
    if let Some(q) = p.query {
        e.push("query", q.to_string());
        if config.common.send_request {
            e.push("request", q.to_string());
        }
    }
    let key = if p.error {
        "redis.error"
    } else {
        "redis.return_value"
    };
    e.push(key, p.response.text.clone());
    if config.common.send_response {
        e.push("response", p.response.text.clone());
    }
    cx.emit(e);
}
