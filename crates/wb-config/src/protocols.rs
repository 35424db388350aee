//! `packetbeat.protocols`: the list form (`- type: http`) and the older map form
//! (`http: {ports: ...}`), turned into [`ProtocolConfig`] entries.

use crate::catalogue::{Status, PROTOCOL_COMMON_KEYS};
use crate::env::key_text;
use crate::error::ConfigError;
use crate::model::ProtocolConfig;
use crate::typed::{show, Section};
use serde_yaml_ng::{Mapping, Value};
use std::time::Duration;

/// Parses the protocols section; warnings name common keys that are not implemented yet.
pub fn parse(
    value: Option<&Value>,
    warnings: &mut Vec<String>,
) -> Result<Vec<ProtocolConfig>, ConfigError> {
    let mut out = Vec::new();
    match value {
        None | Some(Value::Null) => {}
        Some(Value::Sequence(items)) => {
            for (i, item) in items.iter().enumerate() {
                let path = format!("packetbeat.protocols.{i}");
                let Some(map) = item.as_mapping() else {
                    return Err(ConfigError::invalid(
                        path,
                        format!("expected a mapping, got {}", show(item)),
                    ));
                };
                let kind = match map.get("type") {
                    Some(Value::String(s)) => s.clone(),
                    _ => {
                        return Err(ConfigError::invalid(
                            format!("{path}.type"),
                            "every protocol entry needs a type",
                        ))
                    }
                };
                out.push(entry(kind, map, &path, warnings)?);
            }
        }
        Some(Value::Mapping(map)) => {
            for (k, v) in map {
                let kind = key_text(k);
                let path = format!("packetbeat.protocols.{kind}");
                let empty = Mapping::new();
                let entry_map = match v {
                    Value::Mapping(m) => m,
                    Value::Null => &empty,
                    other => {
                        return Err(ConfigError::invalid(
                            path,
                            format!("expected a mapping, got {}", show(other)),
                        ))
                    }
                };
                out.push(entry(kind, entry_map, &path, warnings)?);
            }
        }
        Some(other) => {
            return Err(ConfigError::invalid(
                "packetbeat.protocols",
                format!("expected a list of protocol entries, got {}", show(other)),
            ))
        }
    }
    Ok(out)
}

fn entry(
    kind: String,
    map: &Mapping,
    path: &str,
    warnings: &mut Vec<String>,
) -> Result<ProtocolConfig, ConfigError> {
    let value = Value::Mapping(map.clone());
    let s = Section::new(Some(&value), path);
    let mut options = Mapping::new();
    for (k, v) in map {
        let key = key_text(k);
        match PROTOCOL_COMMON_KEYS.iter().find(|(name, _)| *name == key) {
            Some((_, Status::NotYet(why))) => {
                let text = format!("{path}.{key}: {why}");
                if !warnings.contains(&text) {
                    warnings.push(text);
                }
            }
            Some((_, Status::Supported)) => {}
            None => {
                options.insert(k.clone(), v.clone());
            }
        }
    }
    let default_timeout = if kind == "nfs" { 60 } else { 10 };
    let transaction_timeout = match s.duration("transaction_timeout")? {
        None => Duration::from_secs(default_timeout),
        Some((false, d)) if !d.is_zero() => d,
        Some(_) => {
            return Err(ConfigError::invalid(
                s.key("transaction_timeout"),
                "must be a positive duration",
            ))
        }
    };
    Ok(ProtocolConfig {
        ports: ports(&s, &kind)?,
        enabled: s.bool("enabled", true)?,
        transaction_timeout,
        // Packetbeat's cassandra is the one protocol that sends both by default.
        send_request: s.bool("send_request", kind == "cassandra")?,
        send_response: s.bool("send_response", kind == "cassandra")?,
        metadata: s.event_metadata()?,
        options,
        kind,
    })
}

fn ports(s: &Section<'_>, kind: &str) -> Result<Vec<u16>, ConfigError> {
    let one = |v: &Value| -> Option<u16> {
        match v {
            Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            Value::String(t) => t.trim().parse().ok(),
            _ => None,
        }
    };
    let bad = |v: &Value| {
        ConfigError::invalid(
            s.key("ports"),
            format!("expected port numbers 0-65535, got {}", show(v)),
        )
    };
    match s.get("ports") {
        None if kind == "dhcpv4" => Ok(vec![67, 68]),
        // Kafka is Wirebeat's own protocol: its entry works without ports, on the IANA port.
        None if kind == "kafka" => Ok(vec![9092]),
        None => Ok(Vec::new()),
        Some(Value::Sequence(items)) => {
            items.iter().map(|v| one(v).ok_or_else(|| bad(v))).collect()
        }
        Some(v) => one(v).map(|p| vec![p]).ok_or_else(|| bad(v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_yaml(s: &str) -> Result<Vec<ProtocolConfig>, ConfigError> {
        let v: Value = serde_yaml_ng::from_str(s).unwrap_or(Value::Null);
        parse(Some(&v), &mut Vec::new())
    }

    #[test]
    fn list_and_map_forms_agree() {
        let list = parse_yaml(
            "- type: http\n  ports: [80, 8080]\n  send_request: true\n  max_message_size: 100\n",
        );
        let map = parse_yaml(
            "http:\n  ports: [80, 8080]\n  send_request: true\n  max_message_size: 100\n",
        );
        let list = list.unwrap_or_default();
        assert_eq!(list, map.unwrap_or_default());
        assert_eq!(list[0].ports, vec![80, 8080]);
        assert!(list[0].send_request && !list[0].send_response && list[0].enabled);
        assert_eq!(
            list[0].options.get("max_message_size"),
            Some(&Value::from(100))
        );
        assert_eq!(list[0].transaction_timeout, Duration::from_secs(10));
    }

    #[test]
    fn cassandra_sends_request_and_response_by_default() {
        let list = parse_yaml("- type: cassandra\n- type: cassandra\n  send_request: false\n")
            .unwrap_or_default();
        assert!(list[0].send_request && list[0].send_response);
        assert!(!list[1].send_request && list[1].send_response);
    }

    #[test]
    fn bad_ports_and_missing_type_are_errors() {
        let e = parse_yaml("- type: dns\n  ports: [70000]\n")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("packetbeat.protocols.0.ports: expected port numbers 0-65535, got '70000'")
        );
        assert!(parse_yaml("- ports: [1]\n").is_err());
    }

    #[test]
    fn defaults_per_protocol() {
        let p = parse_yaml("- type: dhcpv4\n- type: nfs\n- type: kafka\n").unwrap_or_default();
        assert_eq!(p[0].ports, vec![67, 68]);
        assert_eq!(p[1].transaction_timeout, Duration::from_secs(60));
        assert_eq!(p[2].ports, vec![9092]);
    }
}
