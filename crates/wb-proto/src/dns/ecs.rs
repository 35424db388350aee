//! A DNS transaction → its ECS event, as Packetbeat writes it.

use super::config::DnsConfig;
use super::message::{Message, Record};
use super::names::{class_name, opcode_name, rcode_name, type_name};
use super::text::{message_text, question_text};
use crate::ecs::{Status, Transaction};
use crate::Cx;
use wb_event::{Event, Value};
use wb_wire::Timestamp;

/// One message as seen on the wire.
#[derive(Clone, Debug)]
pub struct Side {
    /// The decoded message.
    pub msg: Message,
    /// Time of its first byte.
    pub ts: Timestamp,
    /// Bytes on the wire (UDP payload; TCP message with its 2-byte length).
    pub length: u64,
}

/// A query and/or its response.
#[derive(Clone, Debug, Default)]
pub struct Txn {
    /// The query.
    pub request: Option<Side>,
    /// The response (for a zone transfer, the first message with every later answer).
    pub response: Option<Side>,
    /// Answers of a zone transfer beyond the records kept.
    pub answers_not_kept: usize,
    /// Notes for `error.message`.
    pub notes: Vec<String>,
}

/// Builds the event of `txn` and emits it.
pub fn publish(txn: &Txn, config: &DnsConfig, cx: &mut Cx) {
    let Some(main) = txn.response.as_ref().or(txn.request.as_ref()) else {
        return;
    };
    let ok = txn.request.is_some() && txn.response.as_ref().is_some_and(|r| r.msg.rcode() == 0);
    let base = Transaction {
        protocol: super::NAME,
        conn: cx.conn(),
        start: txn.request.as_ref().map(|s| s.ts),
        end: txn.response.as_ref().map(|s| s.ts),
        request_bytes: txn.request.as_ref().map_or(0, |s| s.length),
        response_bytes: txn.response.as_ref().map_or(0, |s| s.length),
        status: if ok { Status::Ok } else { Status::Error },
        notes: &txn.notes,
    };
    let mut e = base.to_event();
    let asked = txn.request.as_ref().unwrap_or(main);
    e.push("method", opcode_name(asked.msg.header.opcode).into_owned());
    if let Some(q) = asked.msg.questions.first() {
        e.push("query", question_text(q));
        e.push("resource", q.name.clone());
    }
    e.push(
        "dns.type",
        if txn.response.is_some() {
            "answer"
        } else {
            "query"
        },
    );
    message_fields(&mut e, &main.msg, txn.answers_not_kept, config);
    if config.common.send_request {
        if let Some(r) = &txn.request {
            e.push("request", message_text(&r.msg));
        }
    }
    if config.common.send_response {
        if let Some(r) = &txn.response {
            e.push("response", message_text(&r.msg));
        }
    }
    cx.emit(e);
}

fn message_fields(e: &mut Event, m: &Message, answers_not_kept: usize, config: &DnsConfig) {
    let h = &m.header;
    e.push("dns.id", u64::from(h.id));
    e.push("dns.op_code", opcode_name(h.opcode).into_owned());
    e.push("dns.flags.authoritative", h.authoritative);
    e.push("dns.flags.truncated_response", h.truncated);
    e.push("dns.flags.recursion_desired", h.recursion_desired);
    e.push("dns.flags.recursion_available", h.recursion_available);
    e.push("dns.flags.authentic_data", h.authentic_data);
    e.push("dns.flags.checking_disabled", h.checking_disabled);
    let header_flags: Vec<Value> = [
        (h.authoritative, "AA"),
        (h.truncated, "TC"),
        (h.recursion_desired, "RD"),
        (h.recursion_available, "RA"),
        (h.authentic_data, "AD"),
        (h.checking_disabled, "CD"),
        (m.opt.as_ref().is_some_and(|o| o.dnssec_ok), "DO"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, f)| Value::Static(f))
    .collect();
    if !header_flags.is_empty() {
        e.push("dns.header_flags", Value::List(header_flags));
    }
    e.push("dns.response_code", rcode_name(m.rcode()).into_owned());
    if let Some(q) = m.questions.first() {
        e.push("dns.question.name", q.name.clone());
        e.push("dns.question.type", type_name(q.qtype).into_owned());
        e.push("dns.question.class", class_name(q.qclass).into_owned());
        domain_parts(e, &q.name);
    }
    if let Some(o) = &m.opt {
        e.push("dns.opt.version", o.version.to_string());
        e.push("dns.opt.do", o.dnssec_ok);
        e.push("dns.opt.udp_size", u64::from(o.udp_size));
        e.push(
            "dns.opt.ext_rcode",
            rcode_name(u16::from(o.ext_rcode) << 4).into_owned(),
        );
        for (k, v) in &o.options {
            e.push(format!("dns.opt.{k}"), v.clone());
        }
    }
    e.push(
        "dns.answers_count",
        (m.answers.len() + answers_not_kept) as u64,
    );
    if !m.answers.is_empty() {
        e.push("dns.answers", records(&m.answers));
    }
    e.push("dns.authorities_count", m.authorities.len() as u64);
    if config.include_authorities && !m.authorities.is_empty() {
        e.push("dns.authorities", records(&m.authorities));
    }
    e.push("dns.additionals_count", m.additionals_count() as u64);
    if config.include_additionals && !m.additionals.is_empty() {
        e.push("dns.additionals", records(&m.additionals));
    }
    resolved_ips(e, &m.answers);
}

/// `dns.question.registered_domain`, `etld_plus_one`, `top_level_domain`, `subdomain` from
/// the public suffix list.
fn domain_parts(e: &mut Event, name: &str) {
    let lower = name.to_ascii_lowercase();
    let Some(domain) = psl::domain_str(&lower) else {
        return;
    };
    if domain.len() > name.len() {
        return;
    }
    let registered = name
        .get(name.len() - domain.len()..)
        .unwrap_or(domain)
        .to_string();
    if let Some((_, tld)) = registered.split_once('.') {
        e.push("dns.question.top_level_domain", tld.to_string());
    }
    let sub = name
        .get(..name.len() - registered.len())
        .unwrap_or_default()
        .trim_end_matches('.');
    if !sub.is_empty() {
        e.push("dns.question.subdomain", sub.to_string());
    }
    e.push("dns.question.etld_plus_one", registered.clone());
    e.push("dns.question.registered_domain", registered);
}

fn records(rs: &[Record]) -> Value {
    Value::List(
        rs.iter()
            .map(|r| {
                let mut o: Vec<(wb_event::FieldName, Value)> = vec![
                    ("name".into(), Value::Str(r.name.clone())),
                    ("type".into(), Value::Str(type_name(r.rtype).into_owned())),
                    ("class".into(), Value::Str(class_name(r.class).into_owned())),
                    ("ttl".into(), Value::Str(r.ttl.to_string())),
                    ("data".into(), Value::Str(r.data.clone())),
                ];
                o.extend(r.extras.iter().map(|(k, v)| ((*k).into(), v.clone())));
                Value::Object(o)
            })
            .collect(),
    )
}

/// `dns.resolved_ip` from A and AAAA answers, also appended to `related.ip`.
fn resolved_ips(e: &mut Event, answers: &[Record]) {
    let ips: Vec<std::net::IpAddr> = answers
        .iter()
        .filter(|r| r.rtype == 1 || r.rtype == 28)
        .filter_map(|r| r.data.parse().ok())
        .collect();
    if ips.is_empty() {
        return;
    }
    e.push(
        "dns.resolved_ip",
        Value::List(ips.iter().map(|ip| Value::Ip(*ip)).collect()),
    );
    let mut related = match e.get("related.ip") {
        Some(Value::List(l)) => l.clone(),
        _ => Vec::new(),
    };
    for ip in ips {
        let v = Value::Ip(ip);
        if !related.contains(&v) {
            related.push(v);
        }
    }
    e.put("related.ip", Value::List(related));
}
