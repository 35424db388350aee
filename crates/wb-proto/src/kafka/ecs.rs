//! `kafka` transaction → ECS event.

use super::api;
use super::config::KafkaConfig;
use super::errors;
use super::message::{Request, Response};
use super::summary::Summary;
use crate::ecs::{Status, Transaction};
use crate::Cx;
use std::fmt::Write;
use wb_event::{Event, Value};

/// Publishes one transaction (either side may be missing).
pub fn publish(
    request: Option<&Request>,
    response: Option<&Response>,
    config: &KafkaConfig,
    cx: &mut Cx,
) {
    let notes: Vec<String> = request
        .iter()
        .flat_map(|r| r.notes.iter())
        .chain(response.iter().flat_map(|r| r.notes.iter()))
        .cloned()
        .collect();
    let error_code = response.and_then(|r| r.summary.error_code);
    let answered = request.is_some_and(|r| r.unanswered) || response.is_some();
    let status = if error_code.is_some() || request.is_none() || !answered {
        Status::Error
    } else {
        Status::Ok
    };
    let base = Transaction {
        protocol: super::NAME,
        conn: cx.conn(),
        start: request.map(|r| r.ts),
        end: response.map(|r| r.ts),
        request_bytes: request.map_or(0, |r| r.wire),
        response_bytes: response.map_or(0, |r| r.wire),
        status,
        notes: &notes,
    };
    let mut e = base.to_event();
    let correlation_id = request.map_or_else(
        || response.map_or(0, |r| r.correlation_id),
        |r| r.correlation_id,
    );
    e.push("kafka.correlation_id", i64::from(correlation_id));
    let empty = Summary::default();
    let req_summary = request.map_or(&empty, |r| &r.summary);
    let resp_summary = response.map_or(&empty, |r| &r.summary);
    if let Some(r) = request {
        e.push("kafka.api_key", i64::from(r.api_key));
        e.push("kafka.api_version", i64::from(r.api_version));
        if let Some(name) = api::name(r.api_key) {
            e.push("kafka.api_name", name);
            e.push("method", name);
        }
        if let Some(client) = &r.client_id {
            e.push("kafka.client_id", client.clone());
        }
    }
    write_summary(&mut e, req_summary, resp_summary);
    if let Some(code) = error_code {
        e.push("kafka.error_code", i64::from(code));
        if let Some(name) = errors::name(code) {
            e.push("kafka.error_name", name);
        }
    }
    if config.common.send_request {
        if let Some(r) = request {
            e.push("request", request_text(r));
        }
    }
    if config.common.send_response {
        if let Some(r) = response {
            e.push("response", response_text(r));
        }
    }
    cx.emit(e);
}

fn write_summary(e: &mut Event, req: &Summary, resp: &Summary) {
    let mut topics: Vec<&str> = req.topics.iter().map(String::as_str).collect();
    for t in &resp.topics {
        if !topics.contains(&t.as_str()) {
            topics.push(t);
        }
    }
    if !topics.is_empty() {
        e.push("resource", topics.join(","));
        e.push(
            "kafka.topics",
            Value::List(
                topics
                    .iter()
                    .map(|t| Value::Str((*t).to_string()))
                    .collect(),
            ),
        );
    }
    let partitions = req.partitions.max(resp.partitions);
    if partitions > 0 {
        e.push("kafka.partitions", u64::from(partitions));
    }
    // Produce carries records in the request, Fetch in the response.
    if let Some(n) = req.record_count.or(resp.record_count) {
        e.push("kafka.record_count", n);
    }
    if let Some(n) = req.record_bytes.or(resp.record_bytes) {
        e.push("kafka.record_bytes", n);
    }
    if let Some(g) = req.group_id.as_ref().or(resp.group_id.as_ref()) {
        e.push("kafka.group_id", g.clone());
    }
    if let Some(m) = &req.sasl_mechanism {
        e.push("kafka.sasl_mechanism", m.clone());
    }
}

/// The `request` text: api, version, correlation id, client id and topics (never bodies).
fn request_text(r: &Request) -> String {
    let mut t = String::new();
    match api::name(r.api_key) {
        Some(name) => t.push_str(name),
        None => {
            let _ = write!(t, "api_key {}", r.api_key);
        }
    }
    let _ = write!(t, " v{} correlation_id={}", r.api_version, r.correlation_id);
    if let Some(c) = &r.client_id {
        let _ = write!(t, " client_id={c}");
    }
    if !r.summary.topics.is_empty() {
        let _ = write!(t, " topics={}", r.summary.topics.join(","));
    }
    t
}

/// The `response` text: correlation id and the error, if any.
fn response_text(r: &Response) -> String {
    let mut t = format!("correlation_id={}", r.correlation_id);
    if let Some(code) = r.summary.error_code {
        let _ = write!(t, " error_code={code}");
        if let Some(name) = errors::name(code) {
            let _ = write!(t, " ({name})");
        }
    }
    t
}
