//! TLS handshake → ECS event, with Packetbeat's field names and formats, plus JA3S
//! (`tls.server.ja3s`) and JA4 (`tls.client.ja4`).

use super::config::TlsConfig;
use super::fingerprint::{hex, ja3_string, ja3s_string, ja4, md5_hex};
use super::names::{self, name16};
use super::parser::{self, ext, is_grease, Hello};
use super::state::{Handshake, Side};
use super::x509::{self, CertInfo};
use crate::ecs::{Status, Transaction};
use crate::Cx;
use wb_event::{Event, FieldName, Value};

fn strings(items: impl IntoIterator<Item = String>) -> Value {
    Value::List(items.into_iter().map(Value::Str).collect())
}

/// `tls.detailed.{client,server}_hello.extensions.*` of one hello.
fn extension_fields(e: &mut Event, prefix: &str, hello: &Hello<'_>, client: bool) {
    let mut unparsed = Vec::new();
    for x in &hello.extensions {
        let label = names::extension(x.kind);
        let value: Option<Value> = match x.kind {
            ext::SERVER_NAME => {
                let hosts = parser::sni(x.data);
                (!hosts.is_empty()).then(|| strings(hosts))
            }
            1 => match x.data {
                [v @ 1..=4] => Some(Value::Str(format!("2^{}", 8 + u32::from(*v)))),
                [v] => Some(Value::Str(format!("(unknown:{v})"))),
                _ => None,
            },
            2 | 4 => Some(if x.data.is_empty() {
                Value::Static("")
            } else {
                Value::Str(format!("(expected empty: found {} bytes)", x.data.len()))
            }),
            ext::SUPPORTED_GROUPS => parser::u16_vec16(x.data)
                .map(|g| strings(g.into_iter().map(|v| name16(names::group, v)))),
            ext::EC_POINT_FORMATS => parser::ec_point_formats(x.data).map(|f| {
                strings(f.into_iter().map(|v| {
                    names::ec_point_format(v).map_or_else(|| names::unknown8(v), str::to_string)
                }))
            }),
            ext::SIGNATURE_ALGORITHMS => parser::u16_vec16(x.data)
                .map(|s| strings(s.into_iter().map(|v| name16(names::signature_scheme, v)))),
            ext::ALPN => {
                let protos = parser::alpn(x.data);
                (!protos.is_empty()).then(|| strings(protos))
            }
            ext::SESSION_TICKET => Some(if x.data.is_empty() {
                Value::Static("")
            } else {
                Value::Str(format!("({} bytes)", x.data.len()))
            }),
            ext::SUPPORTED_VERSIONS => parser::supported_versions(x.data, client).map(|vs| {
                let shown: Vec<String> = vs.into_iter().map(names::version_display).collect();
                match (client, shown.as_slice()) {
                    (false, [one]) => Value::Str(one.clone()),
                    _ => strings(shown),
                }
            }),
            _ => None,
        };
        match (label, value) {
            (Some(label), Some(v)) => e.put(format!("{prefix}.extensions.{label}"), v),
            (Some(label), None) => unparsed.push(label.to_string()),
            (None, _) => unparsed.push(x.kind.to_string()),
        }
    }
    if !unparsed.is_empty() {
        e.put(format!("{prefix}.extensions._unparsed_"), strings(unparsed));
    }
}

fn hello_version(v: u16) -> String {
    format!("{}.{}", v >> 8, v & 0xff)
}

fn hello_fields(e: &mut Event, prefix: &str, h: &Hello<'_>, client: bool) {
    e.put(format!("{prefix}.version"), hello_version(h.version));
    e.put(format!("{prefix}.random"), hex(h.random));
    if !h.session_id.is_empty() {
        e.put(format!("{prefix}.session_id"), hex(h.session_id));
    }
    let compression =
        |c: u8| names::compression_method(c).map_or_else(|| names::unknown8(c), str::to_string);
    if client {
        e.put(
            format!("{prefix}.supported_compression_methods"),
            strings(h.compression.iter().map(|c| compression(*c))),
        );
    } else if let Some(c) = h.compression.first() {
        e.put(
            format!("{prefix}.selected_compression_method"),
            compression(*c),
        );
    }
    extension_fields(e, prefix, h, client);
}

/// Certificate fields of one side: `tls.<who>.*` and `tls.detailed.<who>_certificate_chain`.
fn certificate_fields(e: &mut Event, who: &str, side: &Side, config: &TlsConfig, cx: &mut Cx) {
    let Some(leaf_der) = side.certificates.first() else {
        return;
    };
    let infos: Vec<Option<CertInfo>> = side
        .certificates
        .iter()
        .map(|der| {
            let info = x509::parse(der);
            if info.is_none() {
                cx.anomaly("unparsable_certificate");
            }
            info
        })
        .collect();
    if config.send_certificates {
        if let Some(Some(leaf)) = infos.first() {
            e.put(
                format!("tls.{who}.subject"),
                leaf.subject.distinguished_name.clone(),
            );
            e.put(
                format!("tls.{who}.issuer"),
                leaf.issuer.distinguished_name.clone(),
            );
            e.put(
                format!("tls.{who}.not_before"),
                Value::Time(leaf.not_before),
            );
            e.put(format!("tls.{who}.not_after"), Value::Time(leaf.not_after));
            if config.include_detailed_fields {
                for (k, v) in x509::x509_object(leaf) {
                    e.put(format!("tls.{who}.x509.{k}"), v);
                }
            }
        }
        for algo in &config.fingerprints {
            if let Some(h) = x509::fingerprint(algo, leaf_der) {
                e.put(format!("tls.{who}.hash.{algo}"), h);
            }
        }
        if config.include_detailed_fields && infos.len() > 1 {
            let chain: Vec<Value> = infos
                .iter()
                .skip(1)
                .flatten()
                .map(|c| Value::Object(x509::x509_object(c)))
                .collect();
            if !chain.is_empty() {
                e.put(
                    format!("tls.detailed.{who}_certificate_chain"),
                    Value::List(chain),
                );
            }
        }
    }
    if config.include_raw_certificates {
        e.put(
            format!("tls.{who}.certificate_chain"),
            strings(side.certificates.iter().map(|d| x509::pem(d))),
        );
    }
}

/// The negotiated version: the server's supported_versions, else the ServerHello version,
/// else the ClientHello version.
fn negotiated_version(client: Option<&Hello<'_>>, server: Option<&Hello<'_>>) -> Option<u16> {
    let from_ext = server
        .and_then(|h| h.extension(ext::SUPPORTED_VERSIONS))
        .and_then(|d| parser::supported_versions(d, false))
        .and_then(|v| v.first().copied());
    from_ext
        .or(server.map(|h| h.version))
        .or(client.map(|h| h.version))
}

/// Whether the session was resumed, and how (`id`, `ticket`, `psk`).
fn resumption(
    hs: &Handshake,
    client: Option<&Hello<'_>>,
    server: Option<&Hello<'_>>,
) -> Option<&'static str> {
    let (client, server) = (client?, server?);
    if hs.tls13 {
        return server.extension(ext::PRE_SHARED_KEY).map(|_| "psk");
    }
    if hs.client().key_exchanged || hs.server().key_exchanged {
        return None;
    }
    let ticket_offered = client
        .extension(ext::SESSION_TICKET)
        .is_some_and(|t| !t.is_empty())
        && server.extension(ext::SESSION_TICKET).is_some();
    let id_match = !client.session_id.is_empty() && client.session_id == server.session_id;
    if ticket_offered {
        Some("ticket")
    } else if id_match {
        Some("id")
    } else {
        None
    }
}

/// Builds the event of one handshake and emits it.
pub fn publish(hs: &Handshake, config: &TlsConfig, cx: &mut Cx) {
    let client_body = hs.client().hello.as_deref();
    let server_body = hs.server().hello.as_deref();
    let ch = client_body.and_then(parser::client_hello);
    let sh = server_body.and_then(parser::server_hello);
    let base = Transaction {
        protocol: super::NAME,
        conn: cx.conn(),
        start: hs.client().first_seen.or(hs.server().first_seen),
        end: hs.end,
        request_bytes: 0,
        response_bytes: 0,
        status: if hs.established {
            Status::Ok
        } else {
            Status::Error
        },
        notes: &hs.notes,
    };
    let mut e = base.to_event();
    let detailed = config.include_detailed_fields;

    if let Some(v) = negotiated_version(ch.as_ref(), sh.as_ref()) {
        match names::version(v) {
            Some((proto, ver)) => {
                e.put("tls.version", ver);
                e.put("tls.version_protocol", proto);
            }
            None => e.put("tls.version", hello_version(v)),
        }
        if detailed {
            e.put("tls.detailed.version", names::version_display(v));
        }
    }
    e.put("tls.established", hs.established);
    let resumed = resumption(hs, ch.as_ref(), sh.as_ref());
    e.put("tls.resumed", resumed.is_some());
    if let (Some(method), true) = (resumed, detailed) {
        e.put("tls.detailed.resumption_method", method);
    }

    if let Some(h) = &ch {
        e.put("tls.client.ja3", md5_hex(&ja3_string(h)));
        e.put("tls.client.ja4", ja4(h));
        e.put(
            "tls.client.supported_ciphers",
            strings(h.ciphers.iter().map(|c| name16(names::cipher_suite, *c))),
        );
        if let Some(host) = h
            .extension(ext::SERVER_NAME)
            .and_then(|d| parser::sni(d).into_iter().next())
        {
            e.put("tls.client.server_name", host.clone());
            e.put("destination.domain", host.clone());
            e.put("server.domain", host);
        }
        if detailed {
            hello_fields(&mut e, "tls.detailed.client_hello", h, true);
        }
    }
    if let Some(h) = &sh {
        if let Some(c) = h.ciphers.first() {
            e.put("tls.cipher", name16(names::cipher_suite, *c));
        }
        e.put("tls.server.ja3s", md5_hex(&ja3s_string(h)));
        if let Some(p) = h
            .extension(ext::ALPN)
            .and_then(|d| parser::alpn(d).into_iter().next())
        {
            e.put("tls.next_protocol", p);
        }
        let curve = hs.curve.or_else(|| {
            h.extension(ext::KEY_SHARE)
                .and_then(parser::server_key_share_group)
                .filter(|g| !is_grease(*g))
        });
        if let Some(g) = curve {
            e.put("tls.curve", name16(names::group, g));
        }
        if detailed {
            hello_fields(&mut e, "tls.detailed.server_hello", h, false);
        }
    }

    certificate_fields(&mut e, "client", hs.client(), config, cx);
    certificate_fields(&mut e, "server", hs.server(), config, cx);

    if detailed {
        e.put(
            "tls.detailed.client_certificate_requested",
            hs.client_certificate_requested,
        );
        if let Some(status) = hs.ocsp_response {
            e.put("tls.detailed.ocsp_response", status);
        }
        let alerts: Vec<(&'static str, (u8, u8))> = hs
            .client()
            .alerts
            .iter()
            .map(|a| ("client", *a))
            .chain(hs.server().alerts.iter().map(|a| ("server", *a)))
            .collect();
        if !alerts.is_empty() {
            let type_of =
                |code: u8| names::alert(code).map_or_else(|| names::unknown8(code), str::to_string);
            let objects = alerts
                .iter()
                .map(|(source, (level, code))| {
                    let severity = match level {
                        1 => "warning".to_string(),
                        2 => "fatal".to_string(),
                        other => names::unknown8(*other),
                    };
                    let fields: Vec<(FieldName, Value)> = vec![
                        ("severity".into(), Value::Str(severity)),
                        ("code".into(), Value::UInt(u64::from(*code))),
                        ("type".into(), Value::Str(type_of(*code))),
                        ("source".into(), Value::Static(source)),
                    ];
                    Value::Object(fields)
                })
                .collect();
            e.put("tls.detailed.alerts", Value::List(objects));
            e.put(
                "tls.detailed.alert_types",
                strings(alerts.iter().map(|(_, (_, code))| type_of(*code))),
            );
        }
    }
    cx.emit(e);
}
