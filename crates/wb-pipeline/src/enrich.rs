//! The fields libbeat adds to every event: `agent.*`, `ecs.version`, `host.name`, the user's
//! `fields` (under `fields.` or at the root) and `tags`, globally and per event source (each
//! protocol and the flows), and the removal of null fields unless the source sets `keep_null`.

use crate::yaml_value::yaml_to_value;
use wb_config::EventMetadata;
use wb_event::{Event, Value};

/// The ECS version the field names follow.
pub const ECS_VERSION: &str = "8.0.0";

/// What to add to every event.
#[derive(Clone, Debug, Default)]
pub struct EnrichmentConfig {
    /// `name` (default: the host name).
    pub name: Option<String>,
    /// The host name.
    pub hostname: String,
    /// The general `fields`, `fields_under_root` and `tags` (its `keep_null` is not used).
    pub global: EventMetadata,
    /// Per event source, keyed by the event's `type` (`http`, `dns`, `flow`, ...).
    pub per_type: Vec<(String, EventMetadata)>,
}

/// One source's metadata, ready to apply.
#[derive(Clone, Debug, Default)]
struct Prepared {
    tags: Vec<Value>,
    fields: Vec<(String, Value)>,
    keep_null: bool,
}

impl Prepared {
    fn new(meta: &EventMetadata) -> Self {
        let prefix = if meta.fields_under_root {
            ""
        } else {
            "fields."
        };
        Prepared {
            tags: meta.tags.iter().map(|t| Value::Str(t.clone())).collect(),
            fields: meta
                .fields
                .iter()
                .filter_map(|(k, v)| {
                    k.as_str()
                        .map(|k| (format!("{prefix}{k}"), yaml_to_value(v)))
                })
                .collect(),
            keep_null: meta.keep_null,
        }
    }
}

/// Pre-built enrichment, applied to each event.
#[derive(Clone, Debug)]
pub struct Enrichment {
    agent_name: String,
    hostname: String,
    global: Prepared,
    per_type: Vec<(String, Prepared)>,
}

impl Enrichment {
    /// Prepares the enrichment once.
    pub fn new(cfg: &EnrichmentConfig) -> Self {
        Enrichment {
            agent_name: cfg.name.clone().unwrap_or_else(|| cfg.hostname.clone()),
            hostname: cfg.hostname.clone(),
            global: Prepared::new(&cfg.global),
            per_type: cfg
                .per_type
                .iter()
                .map(|(kind, meta)| (kind.clone(), Prepared::new(meta)))
                .collect(),
        }
    }

    /// Adds the general fields to `event`, in libbeat's order: the source's `fields` (they
    /// replace what the event has) and `tags`, then the global `fields` (they do not replace)
    /// and `tags`; `tags` are appended without duplicates. Null fields are then removed unless
    /// the source sets `keep_null`.
    pub fn apply(&self, event: &mut Event) {
        event.push("agent.type", "wirebeat");
        event.push("agent.name", self.agent_name.clone());
        event.push("agent.version", env!("CARGO_PKG_VERSION"));
        event.push("ecs.version", ECS_VERSION);
        event.push("host.name", self.hostname.clone());
        let source = self.source_of(event);
        if let Some(source) = source {
            for (k, v) in &source.fields {
                event.put(k.clone(), v.clone());
            }
            append_tags(event, &source.tags);
        }
        for (k, v) in &self.global.fields {
            if event.get(k).is_none() {
                event.push(k.clone(), v.clone());
            }
        }
        append_tags(event, &self.global.tags);
        if !source.is_some_and(|s| s.keep_null) {
            drop_nulls(event);
        }
    }

    /// The metadata of the source that made `event`, by its `type`.
    fn source_of(&self, event: &Event) -> Option<&Prepared> {
        if self.per_type.is_empty() {
            return None;
        }
        let kind = event.get("type").and_then(Value::as_str)?;
        self.per_type
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, prepared)| prepared)
    }
}

fn append_tags(event: &mut Event, add: &[Value]) {
    if add.is_empty() {
        return;
    }
    let mut tags = match event.get("tags") {
        Some(Value::List(existing)) => existing.clone(),
        _ => Vec::new(),
    };
    for t in add {
        if !tags.contains(t) {
            tags.push(t.clone());
        }
    }
    event.put("tags", Value::List(tags));
}

/// Removes null fields, also inside nested objects (nulls inside lists stay, as in libbeat).
fn drop_nulls(event: &mut Event) {
    let fields = event.fields_mut();
    if !fields.iter().any(|(_, v)| has_null_member(v)) {
        return;
    }
    fields.retain(|(_, v)| !matches!(v, Value::Null));
    for (_, v) in fields.iter_mut() {
        strip_object_nulls(v);
    }
}

fn has_null_member(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(members) => members.iter().any(|(_, m)| has_null_member(m)),
        _ => false,
    }
}

fn strip_object_nulls(v: &mut Value) {
    if let Value::Object(members) = v {
        members.retain(|(_, m)| !matches!(m, Value::Null));
        for (_, m) in members.iter_mut() {
            strip_object_nulls(m);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wb_wire::Timestamp;

    fn meta(yaml: &str) -> EventMetadata {
        let m: serde_yaml_ng::Mapping = serde_yaml_ng::from_str(yaml).unwrap_or_default();
        let get = |k: &str| m.get(k).cloned();
        EventMetadata {
            fields: get("fields")
                .and_then(|v| v.as_mapping().cloned())
                .unwrap_or_default(),
            fields_under_root: get("fields_under_root").and_then(|v| v.as_bool()) == Some(true),
            tags: get("tags")
                .and_then(|v| v.as_sequence().cloned())
                .unwrap_or_default()
                .iter()
                .filter_map(|t| t.as_str().map(String::from))
                .collect(),
            keep_null: get("keep_null").and_then(|v| v.as_bool()) == Some(true),
        }
    }

    fn event(kind: &'static str) -> Event {
        let mut e = Event::new(Timestamp(0));
        e.push("type", kind);
        e
    }

    fn tags(e: &Event) -> Vec<String> {
        match e.get("tags") {
            Some(Value::List(l)) => l
                .iter()
                .filter_map(|t| t.as_str().map(String::from))
                .collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn adds_fields_tags_and_agent() {
        let mut cfg = EnrichmentConfig {
            name: Some("probe-1".into()),
            hostname: "h".into(),
            global: meta("{fields: {env: prod, team: {a: 1}}, tags: [t1]}"),
            per_type: Vec::new(),
        };
        let mut e = event("http");
        Enrichment::new(&cfg).apply(&mut e);
        assert_eq!(e.get("fields.env"), Some(&Value::Str("prod".into())));
        assert_eq!(e.get("agent.name"), Some(&Value::Str("probe-1".into())));
        assert_eq!(tags(&e), ["t1"]);
        cfg.global.fields_under_root = true;
        let mut e = event("http");
        Enrichment::new(&cfg).apply(&mut e);
        assert!(e.get("env").is_some());
    }

    #[test]
    fn source_metadata_applies_to_its_type_only_and_first() {
        let cfg = EnrichmentConfig {
            name: None,
            hostname: "h".into(),
            global: meta("{fields: {env: prod, site: a}, tags: [global, shared]}"),
            per_type: vec![
                (
                    "http".into(),
                    meta("{fields: {site: web}, tags: [web, shared]}"),
                ),
                (
                    "flow".into(),
                    meta("{fields: {kind: f}, fields_under_root: true}"),
                ),
            ],
        };
        let enrich = Enrichment::new(&cfg);
        let mut http = event("http");
        enrich.apply(&mut http);
        assert_eq!(tags(&http), ["web", "shared", "global"]);
        assert_eq!(http.get("fields.site"), Some(&Value::Str("web".into())));
        assert_eq!(http.get("fields.env"), Some(&Value::Str("prod".into())));
        let mut flow = event("flow");
        enrich.apply(&mut flow);
        assert_eq!(tags(&flow), ["global", "shared"]);
        assert_eq!(flow.get("kind"), Some(&Value::Str("f".into())));
        assert_eq!(flow.get("fields.site"), Some(&Value::Str("a".into())));
        let mut dns = event("dns");
        enrich.apply(&mut dns);
        assert!(dns.get("kind").is_none());
    }

    #[test]
    fn nulls_are_dropped_unless_the_source_keeps_them() {
        let cfg = EnrichmentConfig {
            hostname: "h".into(),
            global: meta("{fields: {gone: null}}"),
            per_type: vec![("http".into(), meta("{keep_null: true}"))],
            ..Default::default()
        };
        let enrich = Enrichment::new(&cfg);
        let with_nulls = |kind| {
            let mut e = event(kind);
            e.push("a", Value::Null);
            e.push(
                "o",
                Value::Object(vec![("x".into(), Value::Null), ("y".into(), 1u64.into())]),
            );
            e.push("l", Value::List(vec![Value::Null]));
            e
        };
        let mut dns = with_nulls("dns");
        enrich.apply(&mut dns);
        assert!(dns.get("a").is_none() && dns.get("fields.gone").is_none());
        assert_eq!(
            dns.get("o"),
            Some(&Value::Object(vec![("y".into(), 1u64.into())]))
        );
        assert_eq!(dns.get("l"), Some(&Value::List(vec![Value::Null])));
        let mut http = with_nulls("http");
        enrich.apply(&mut http);
        assert_eq!(http.get("a"), Some(&Value::Null));
        assert_eq!(http.get("fields.gone"), Some(&Value::Null));
    }
}
