//! HTTP transaction → ECS event, with Packetbeat's field names and formats.

use super::body;
use super::config::HttpConfig;
use super::message::Message;
use super::url::{self, Params};
use crate::ecs::{Status, Transaction};
use crate::Cx;
use base64::Engine;
use std::net::IpAddr;
use wb_event::{Event, FieldName, Value};

/// Note of a request that never got a response.
pub const NOTE_UNMATCHED_REQUEST: &str = "Unmatched request";
/// Note of a response without a request.
pub const NOTE_UNMATCHED_RESPONSE: &str = "Unmatched response";
/// Note of a Host header whose port is not the connection's.
pub const NOTE_HOST_PORT_MISMATCH: &str = "Host header port number mismatch";

/// Builds the event of one transaction (either side may be missing) and emits it.
pub fn publish(req: Option<&Message>, resp: Option<&Message>, config: &HttpConfig, cx: &mut Cx) {
    let server_port = cx.conn().server.port();
    let mut notes = Vec::new();
    let mut req_body = None;
    let mut resp_body = None;
    if let Some(r) = req {
        notes.extend(r.notes.iter().cloned());
        req_body = Some(body_of(r, config, &mut notes));
        let host_port = r.host.as_deref().and_then(|h| url::split_host(h).1);
        if host_port.is_some_and(|p| p != server_port) {
            notes.push(NOTE_HOST_PORT_MISMATCH.to_string());
        }
        if resp.is_none() {
            notes.push(NOTE_UNMATCHED_REQUEST.to_string());
        }
    }
    if let Some(r) = resp {
        notes.extend(r.notes.iter().cloned());
        resp_body = Some(body_of(r, config, &mut notes));
        if req.is_none() {
            notes.push(NOTE_UNMATCHED_RESPONSE.to_string());
        }
    }
    let error = req.is_none() || resp.is_none_or(|r| r.code >= 400);
    let base = Transaction {
        protocol: super::NAME,
        conn: cx.conn(),
        start: req.map(|r| r.ts),
        end: resp.map(|r| r.ts),
        request_bytes: req.map_or(0, |r| r.size),
        response_bytes: resp.map_or(0, |r| r.size),
        status: if error { Status::Error } else { Status::Ok },
        notes: &notes,
    };
    let mut e = base.to_event();
    let mut related_ips = vec![Value::Ip(cx.conn().client.ip())];
    if cx.conn().server.ip() != cx.conn().client.ip() {
        related_ips.push(Value::Ip(cx.conn().server.ip()));
    }
    let version = req.or(resp).map(|m| m.version.text());
    e.put_opt("http.version", version);
    if let (Some(r), Some(body)) = (req, req_body) {
        request_fields(&mut e, r, &body, config, server_port, &mut related_ips);
    }
    if let (Some(r), Some(body)) = (resp, resp_body) {
        e.push("http.response.status_code", u64::from(r.code));
        if !r.phrase.is_empty() {
            e.push("http.response.status_phrase", r.phrase.clone());
        }
        message_fields(&mut e, "http.response", r, &body, config);
        if config.common.send_response {
            e.push("response", raw_text(r, &body, false));
        }
    }
    dedup(&mut related_ips);
    e.put("related.ip", Value::List(related_ips));
    cx.emit(e);
}

/// The kept body of a message, decoded when asked; decoding problems become notes.
fn body_of(m: &Message, config: &HttpConfig, notes: &mut Vec<String>) -> Vec<u8> {
    if !m.save_body || m.body.is_empty() {
        return Vec::new();
    }
    if !config.decode_body || m.codings.is_empty() || m.lost {
        return m.body.clone();
    }
    let (decoded, error) = body::decode(&m.body, &m.codings, config.common.max_message_size);
    if let Some(error) = error {
        notes.push(format!("Failed to decode body: {error}"));
    }
    decoded
}

fn request_fields(
    e: &mut Event,
    r: &Message,
    body: &[u8],
    config: &HttpConfig,
    server_port: u16,
    related_ips: &mut Vec<Value>,
) {
    let (raw_path, raw_query) = url::split_target(&r.uri);
    let path = url::percent_decode(raw_path, false).unwrap_or_else(|| raw_path.to_string());
    let mut params = Params::new();
    if let Some(q) = raw_query {
        url::parse_query_into(q, &mut params);
    }
    url::hide(&mut params, &config.hide_keywords);
    let is_form = r
        .content_type
        .as_deref()
        .is_some_and(|t| t.contains("urlencoded"));
    if r.save_body && is_form && r.content_length.is_some_and(|n| n > 0) {
        let mut form = Params::new();
        url::parse_query_into(&String::from_utf8_lossy(body), &mut form);
        url::hide(&mut form, &config.hide_keywords);
        params.extend(form);
    }
    let query = url::encode(&params);
    e.push("method", r.method.clone());
    e.push("query", format!("{} {}", r.method, path));
    e.push("http.request.method", r.method.clone());
    message_fields(e, "http.request", r, body, config);
    e.put_opt("http.request.referrer", r.referer.clone());
    e.put_opt("user_agent.original", r.user_agent.clone());
    e.push("url.scheme", "http");
    e.push("url.path", path.clone());
    if !query.is_empty() {
        e.push("url.query", query.clone());
    }
    e.put_opt("url.extension", url::extension(&path).map(str::to_string));
    let host = r.host.as_deref().map(url::split_host);
    let port = host.and_then(|(_, p)| p).unwrap_or(server_port);
    if port != 80 {
        e.push("url.port", u64::from(port));
    }
    let mut related_hosts = Vec::new();
    if let Some((domain, _)) = host.filter(|(d, _)| !d.is_empty()) {
        e.push("url.domain", domain.to_string());
        e.push("url.full", url::full(domain, port, raw_path, &query));
        match domain.parse::<IpAddr>() {
            Ok(ip) => related_ips.push(Value::Ip(ip)),
            Err(_) => {
                e.push("destination.domain", domain.to_string());
                e.push("server.domain", domain.to_string());
                related_hosts.push(Value::Str(domain.to_string()));
            }
        }
    }
    if let Some(referer_host) = r.referer.as_deref().and_then(referer_host) {
        related_hosts.push(Value::Str(referer_host));
    }
    if let Some(real_ip) = &r.real_ip {
        match real_ip.parse::<IpAddr>() {
            Ok(ip) => {
                e.push("network.forwarded_ip", ip);
                related_ips.push(Value::Ip(ip));
            }
            Err(_) => e.push("network.forwarded_ip", real_ip.clone()),
        }
    }
    if !config.redact_authorization {
        if let Some(user) = r.authorization.as_deref().and_then(basic_user) {
            e.push("user.name", user.clone());
            e.push("related.user", Value::List(vec![Value::Str(user)]));
        }
    }
    dedup(&mut related_hosts);
    if !related_hosts.is_empty() {
        e.push("related.hosts", Value::List(related_hosts));
    }
    if config.common.send_request {
        e.push("request", raw_text(r, body, config.redact_authorization));
    }
}

/// Headers, sizes and body of one side, under `prefix` (`http.request` / `http.response`).
fn message_fields(e: &mut Event, prefix: &str, m: &Message, body: &[u8], config: &HttpConfig) {
    let field = |name: &str| -> FieldName { format!("{prefix}.{name}").into() };
    e.push(field("bytes"), m.size);
    let body_len = if m.save_body && !m.codings.is_empty() && config.decode_body && !m.lost {
        body.len() as u64
    } else {
        m.body_len
    };
    if body_len > 0 {
        e.push(field("body.bytes"), body_len);
    }
    if m.send_body && !body.is_empty() {
        e.push(
            field("body.content"),
            String::from_utf8_lossy(body).into_owned(),
        );
    }
    let mut headers: Vec<(FieldName, Value)> = Vec::with_capacity(m.headers.len() + 2);
    // As Packetbeat: without a Content-Length header, the body length read (chunks, until
    // close) stands in for it.
    let content_length = m.content_length.unwrap_or(m.body_len);
    headers.push(("content-length".into(), Value::UInt(content_length)));
    if let Some(t) = &m.content_type {
        headers.push(("content-type".into(), Value::Str(t.clone())));
    }
    let cookie = if m.is_request { "cookie" } else { "set-cookie" };
    for (name, value) in &m.headers {
        if name == "content-length" || name == "content-type" {
            continue;
        }
        let value = if config.split_cookie && name == cookie {
            split_cookie(value)
        } else {
            Value::Str(value.clone())
        };
        headers.push((name.clone().into(), value));
    }
    e.push(field("headers"), Value::Object(headers));
}

/// `cookie` / `set-cookie` as a map of lower-cased names to values without quotes.
fn split_cookie(value: &str) -> Value {
    let mut map: Vec<(FieldName, Value)> = Vec::new();
    for part in value.split(';') {
        let Some((name, v)) = part.split_once('=') else {
            continue;
        };
        let name = name.trim().to_lowercase();
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|x| x.strip_suffix('"'))
            .unwrap_or(v);
        map.retain(|(n, _)| *n != name);
        map.push((name.into(), Value::Str(v.to_string())));
    }
    Value::Object(map)
}

/// The raw message text: the header block, plus the body when it is exported.
fn raw_text(m: &Message, body: &[u8], redact_authorization: bool) -> String {
    let mut raw = m.raw_head.clone().unwrap_or_default();
    if redact_authorization {
        mask_authorization(&mut raw);
    }
    if m.send_body {
        raw.extend_from_slice(body);
    }
    String::from_utf8_lossy(&raw).into_owned()
}

/// Replaces the values of `Authorization:` and `Proxy-Authorization:` lines with `*`.
fn mask_authorization(raw: &mut [u8]) {
    const KEY: &[u8] = b"uthorization:";
    let mut at = 0;
    while let Some(found) = raw.get(at..).and_then(|rest| {
        rest.windows(KEY.len())
            .position(|w| w.eq_ignore_ascii_case(KEY))
    }) {
        let start = at + found + KEY.len();
        let end = raw
            .get(start..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\r' || b == b'\n'))
            .map_or(raw.len(), |p| start + p);
        if let Some(value) = raw.get_mut(start..end) {
            value.fill(b'*');
        }
        at = end;
    }
}

/// The user name of a `Basic` authorization value.
fn basic_user(value: &str) -> Option<String> {
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()?;
    let text = String::from_utf8_lossy(&decoded);
    let user = text.split(':').next()?.to_string();
    (!user.is_empty()).then_some(user)
}

/// The host of a Referer URL, when it is a name rather than an address.
fn referer_host(referer: &str) -> Option<String> {
    let after = referer.split_once("://")?.1;
    let authority = after.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    let (host, _) = url::split_host(authority);
    (!host.is_empty() && host.parse::<IpAddr>().is_err()).then(|| host.to_string())
}

fn dedup(values: &mut Vec<Value>) {
    let mut seen: Vec<Value> = Vec::with_capacity(values.len());
    values.retain(|v| {
        if seen.contains(v) {
            false
        } else {
            seen.push(v.clone());
            true
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_is_masked_and_users_decoded() {
        let mut raw =
            b"GET / HTTP/1.1\r\nAuthorization: Basic abc\r\nproxy-authorization: x\r\n\r\n"
                .to_vec();
        mask_authorization(&mut raw);
        assert_eq!(
            raw,
            b"GET / HTTP/1.1\r\nAuthorization:**********\r\nproxy-authorization:**\r\n\r\n"
        );
        // "simplesimon:..." in base64.
        assert_eq!(
            basic_user("Basic c2ltcGxlc2ltb246YWJjZGVm").as_deref(),
            Some("simplesimon")
        );
        assert_eq!(basic_user("Bearer xyz"), None);
        assert_eq!(
            referer_host("http://www.example.com:8080/a?b").as_deref(),
            Some("www.example.com")
        );
        assert_eq!(referer_host("http://10.0.0.1/"), None);
    }

    #[test]
    fn cookies_split_into_maps() {
        let v = split_cookie("A=1; b=\"two\"; junk; A=3");
        assert_eq!(
            v,
            Value::Object(vec![
                ("b".into(), Value::Str("two".into())),
                ("a".into(), Value::Str("3".into())),
            ])
        );
    }
}
