//! One SIP message → one ECS event with Packetbeat's `sip.*`, `event.*`, `related.*` fields.

use super::auth::{mask_credentials, parse_authorization};
use super::config::SipConfig;
use super::parser::{parse_u64, ContentLength, Head, StartLine};
use super::sdp::parse_sdp;
use super::uri::{parse_name_addr, parse_uri, Uri};
use crate::ecs::{Status, Transaction};
use crate::{ConnMeta, Cx, Dir};
use std::net::IpAddr;
use wb_event::{Event, Value};
use wb_wire::Timestamp;

/// A complete message as the state machine hands it over.
pub struct Message<'a> {
    /// Start line and headers.
    pub head: Head<'a>,
    /// The body (what arrived of it, at most Content-Length bytes).
    pub body: &'a [u8],
    /// The bytes of the whole message, for `event.original`.
    pub raw: &'a [u8],
    /// Time of the message's first byte.
    pub ts: Timestamp,
    /// Notes for `error.message`.
    pub notes: Vec<String>,
}

/// De-duplicated lists in insertion order, empty values skipped.
#[derive(Default)]
struct Related {
    users: Vec<String>,
    hosts: Vec<String>,
    ips: Vec<IpAddr>,
}

impl Related {
    fn user(&mut self, u: &[u8]) {
        if !u.is_empty() && u != b"-" && u != b" " {
            add(&mut self.users, text(u));
        }
    }
    fn host(&mut self, h: &[u8]) {
        if !h.is_empty() {
            add(&mut self.hosts, text(h));
        }
    }
    fn ip(&mut self, ip: &[u8]) {
        if let Ok(ip) = text(ip).parse::<IpAddr>() {
            if !self.ips.contains(&ip) {
                self.ips.push(ip);
            }
        }
    }
}

fn add(list: &mut Vec<String>, v: String) {
    if !list.contains(&v) {
        list.push(v);
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Builds the event of `msg`, sent in `dir` on the connection of `cx`, and emits it.
pub fn publish(msg: &Message<'_>, dir: Dir, config: &SipConfig, cx: &mut Cx) {
    let conn = cx.conn();
    // Source and client are the sender of this message, whichever side opened the flow.
    let (sender, receiver) = match dir {
        Dir::ToServer => (conn.client, conn.server),
        Dir::ToClient => (conn.server, conn.client),
    };
    let packet = ConnMeta {
        client: sender,
        server: receiver,
        transport: conn.transport,
        id: conn.id,
    };
    let code = match msg.head.start {
        StartLine::Response { code, .. } => Some(code),
        StartLine::Request { .. } => None,
    };
    let txn = Transaction {
        protocol: super::NAME,
        conn: &packet,
        start: Some(msg.ts),
        end: Some(msg.ts),
        request_bytes: 0,
        response_bytes: 0,
        status: if code.is_some_and(|c| c >= 400) {
            Status::Error
        } else {
            Status::Ok
        },
        notes: &msg.notes,
    };
    let mut e = txn.to_event();
    let mut related = Related {
        ips: vec![sender.ip(), receiver.ip()],
        ..Related::default()
    };
    related.ips.dedup();

    let cseq_method = start_line_fields(&mut e, msg, &mut related);
    header_fields(&mut e, &msg.head, &mut related);
    if config.parse_authorization {
        auth_fields(&mut e, &msg.head, &mut related);
    }
    if config.parse_body {
        body_fields(&mut e, msg, &mut related);
    }
    let authentication = msg.head.has("authorization");
    event_fields(&mut e, msg, code, cseq_method, authentication);
    if config.keep_original {
        e.push("event.original", text(&mask_credentials(msg.raw)));
    }
    e.push("network.application", "sip");
    e.push("network.iana_number", "17");
    e.put(
        "related.ip",
        Value::List(related.ips.into_iter().map(Value::Ip).collect()),
    );
    for (path, list) in [
        ("related.user", related.users),
        ("related.hosts", related.hosts),
    ] {
        if !list.is_empty() {
            e.push(
                path,
                Value::List(list.into_iter().map(Value::Str).collect()),
            );
        }
    }
    cx.emit(e);
}

/// `sip.type`, `method` / `code` / `status`, `version`, the Request-URI; returns the CSeq
/// method (upper-cased) and writes `sip.cseq.*`.
fn start_line_fields(e: &mut Event, msg: &Message<'_>, related: &mut Related) -> Option<String> {
    match msg.head.start {
        StartLine::Request { method, uri } => {
            e.push("sip.type", "request");
            e.push("sip.method", text(method).to_ascii_uppercase());
            let uri = parse_uri(uri);
            uri_fields(e, "sip.uri", &uri, true, related);
        }
        StartLine::Response { code, reason } => {
            e.push("sip.type", "response");
            e.push("sip.code", code);
            if !reason.is_empty() {
                e.push("sip.status", text(reason));
            }
        }
    }
    e.push("sip.version", text(msg.head.version));
    let cseq = msg.head.last("cseq")?;
    let mut parts = cseq
        .split(|b| b.is_ascii_whitespace())
        .filter(|p| !p.is_empty());
    let (Some(number), Some(method), None) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let method = text(method).to_ascii_uppercase();
    if let Some(n) = parse_u64(number).filter(|n| *n > 0) {
        e.push("sip.cseq.code", n);
    }
    e.push("sip.cseq.method", method.clone());
    Some(method)
}

/// Writes `<prefix>.{original,scheme,username,host,port}`; adds the user and host to
/// `related` when `relate`.
fn uri_fields(e: &mut Event, prefix: &str, uri: &Uri<'_>, relate: bool, related: &mut Related) {
    let put = |e: &mut Event, part: &str, v: &[u8]| {
        if !v.is_empty() {
            e.push(format!("{prefix}.{part}"), text(v));
        }
    };
    put(e, "original", &uri.masked_original());
    put(e, "scheme", uri.scheme);
    if uri.username != b"-" && uri.username != b" " {
        put(e, "username", uri.username);
    }
    put(e, "host", uri.host);
    if let Some(port) = uri.port.filter(|p| *p > 0) {
        e.push(format!("{prefix}.port"), port);
    }
    if relate {
        related.user(uri.username);
        related.host(uri.host);
    }
}

fn header_fields(e: &mut Event, head: &Head<'_>, related: &mut Related) {
    let lists = [("sip.allow", "allow"), ("sip.supported", "supported")];
    for (path, name) in lists {
        if let Some(v) = head.last(name) {
            let items: Vec<Value> = v
                .split(|&b| b == b',')
                .map(|i| text(super::parser::trim(i)).to_ascii_lowercase())
                .filter(|i| !i.is_empty())
                .map(Value::Str)
                .collect();
            if !items.is_empty() {
                e.push(path, Value::List(items));
            }
        }
    }
    let plain = [
        ("sip.call_id", "call-id"),
        ("sip.user_agent.original", "user-agent"),
    ];
    for (path, name) in plain {
        if let Some(v) = head.last(name).filter(|v| !v.is_empty()) {
            e.push(path, text(v));
        }
    }
    if let Some(v) = head.last("content-type").filter(|v| !v.is_empty()) {
        e.push("sip.content_type", text(v).to_ascii_lowercase());
    }
    if let Some(v) = head.first("accept").filter(|v| !v.is_empty()) {
        e.push("sip.accept", text(v).to_ascii_lowercase());
    }
    for (path, name) in [
        ("sip.content_length", "content-length"),
        ("sip.max_forwards", "max-forwards"),
    ] {
        if let Some(n) = head.last(name).and_then(parse_u64).filter(|n| *n > 0) {
            e.push(path, n);
        }
    }
    let mut via: Vec<&[u8]> = Vec::new();
    for v in head.all("via") {
        if !via.contains(&v) {
            via.push(v);
        }
    }
    if !via.is_empty() {
        e.push(
            "sip.via.original",
            Value::List(via.into_iter().map(|v| Value::Str(text(v))).collect()),
        );
    }
    if let Some(v) = head.first("p-associated-uri") {
        uri_fields(e, "sip.private.uri", &parse_uri(v), true, related);
    }
    for (prefix, name) in [("sip.from", "from"), ("sip.to", "to")] {
        if let Some(v) = head.last(name).filter(|v| !v.is_empty()) {
            let na = parse_name_addr(v);
            if !na.display.is_empty() {
                e.push(format!("{prefix}.display_info"), text(na.display));
            }
            if let Some(tag) = na.param("tag").filter(|t| !t.is_empty()) {
                e.push(format!("{prefix}.tag"), text(tag));
            }
            uri_fields(e, &format!("{prefix}.uri"), &na.uri, true, related);
        }
    }
    contact_fields(e, head, related);
}

/// Packetbeat's `sip.contact.*`: present when a Contact header is, but read from the **To**
/// value (an upstream quirk kept so that searches written for Packetbeat match).
fn contact_fields(e: &mut Event, head: &Head<'_>, related: &mut Related) {
    if !head.has("contact") {
        return;
    }
    let to = head.last("to").unwrap_or_default();
    let na = parse_name_addr(to);
    if !na.display.is_empty() {
        e.push("sip.contact.display_info", text(na.display));
    }
    if let Some(n) = na.param("expires").and_then(parse_u64).filter(|n| *n > 0) {
        e.push("sip.contact.expires", n);
    }
    if let Some(q) = na
        .param("q")
        .and_then(|q| text(q).parse::<f64>().ok())
        .filter(|q| q.is_finite() && *q != 0.0)
    {
        e.push("sip.contact.q", Value::Float(q));
    }
    uri_fields(e, "sip.contact.uri", &na.uri, true, related);
    if let Some(line) = na.uri.param("line").filter(|l| !l.is_empty()) {
        e.push("sip.contact.line", text(line));
    }
    if let Some(t) = na.uri.param("transport").filter(|t| !t.is_empty()) {
        e.push("sip.contact.transport", text(t).to_ascii_lowercase());
    }
}

/// `sip.auth.*` and `user.name` from the first Authorization header; never the credential.
fn auth_fields(e: &mut Event, head: &Head<'_>, related: &mut Related) {
    let Some(c) = head.first("authorization").and_then(parse_authorization) else {
        return;
    };
    e.push("sip.auth.scheme", text(c.scheme));
    if !c.realm.is_empty() {
        e.push("sip.auth.realm", text(c.realm));
    }
    if !c.username.is_empty() && c.username != b"-" {
        e.push("user.name", text(c.username));
        related.user(c.username);
    }
    if !c.uri.is_empty() {
        let uri = parse_uri(c.uri);
        let mut ignored = Related::default();
        uri_fields(
            e,
            "sip.auth.uri",
            &Uri {
                username: &[],
                ..uri
            },
            false,
            &mut ignored,
        );
    }
}

/// `sip.sdp.*` when the body is SDP: Content-Length present, content type
/// `application/sdp` (parameters allowed), no Content-Encoding.
fn body_fields(e: &mut Event, msg: &Message<'_>, related: &mut Related) {
    let head = &msg.head;
    let is_sdp = head.last("content-type").is_some_and(|t| {
        let media = t.split(|&b| b == b';').next().unwrap_or_default();
        super::parser::trim(media).eq_ignore_ascii_case(b"application/sdp")
    });
    if head.content_length() == ContentLength::Absent || !is_sdp || head.has("content-encoding") {
        return;
    }
    if msg.body.is_empty() {
        return;
    }
    e.push("sip.sdp.body.original", text(msg.body));
    let sdp = parse_sdp(msg.body);
    let fields = [
        ("sip.sdp.version", sdp.version),
        ("sip.sdp.owner.username", sdp.owner_username),
        ("sip.sdp.owner.session_id", sdp.owner_session_id),
        ("sip.sdp.owner.version", sdp.owner_version),
        ("sip.sdp.owner.ip", sdp.owner_ip),
        ("sip.sdp.session.name", sdp.session_name),
        ("sip.sdp.connection.info", sdp.connection_info),
        ("sip.sdp.connection.address", sdp.connection_address),
    ];
    for (path, v) in fields {
        if !v.is_empty() {
            e.push(path, text(v));
        }
    }
    related.user(sdp.owner_username);
    related.ip(sdp.owner_ip);
    related.host(sdp.connection_address);
}

fn event_fields(
    e: &mut Event,
    msg: &Message<'_>,
    code: Option<u16>,
    cseq_method: Option<String>,
    authentication: bool,
) {
    let mut category = vec![Value::Static("network")];
    if authentication {
        category.push(Value::Static("authentication"));
    }
    e.put("event.category", Value::List(category));
    e.put(
        "event.type",
        Value::List(vec![Value::Static("info"), Value::Static("protocol")]),
    );
    let action = match msg.head.start {
        StartLine::Request { method, .. } => Some(text(method).to_ascii_lowercase()),
        StartLine::Response { .. } => cseq_method.map(|m| m.to_ascii_lowercase()),
    };
    if let Some(action) = action {
        e.push("event.action", format!("sip-{action}"));
    }
    if let Some(n) = e.get("sip.cseq.code").and_then(Value::as_u64) {
        e.push("event.sequence", n);
    }
    match code {
        Some(c) if (200..300).contains(&c) => e.push("event.outcome", "success"),
        Some(c) if c >= 300 => e.push("event.outcome", "failure"),
        _ => {}
    }
    if let StartLine::Response { reason, .. } = msg.head.start {
        if !reason.is_empty() {
            e.push("event.reason", text(reason));
        }
    }
}
