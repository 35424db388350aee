//! The fields libbeat adds to every event: `agent.*`, `ecs.version`, `host.name`, the user's
//! `fields` (under `fields.` or at the root) and `tags`.

use crate::yaml_value::yaml_to_value;
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
    /// `tags`.
    pub tags: Vec<String>,
    /// `fields`.
    pub fields: serde_yaml_ng::Mapping,
    /// `fields_under_root`.
    pub fields_under_root: bool,
}

/// Pre-built enrichment, applied to each event.
#[derive(Clone, Debug)]
pub struct Enrichment {
    agent_name: String,
    hostname: String,
    tags: Vec<Value>,
    fields: Vec<(String, Value)>,
}

impl Enrichment {
    /// Prepares the enrichment once.
    pub fn new(cfg: &EnrichmentConfig) -> Self {
        let prefix = if cfg.fields_under_root { "" } else { "fields." };
        let fields = cfg
            .fields
            .iter()
            .filter_map(|(k, v)| {
                k.as_str()
                    .map(|k| (format!("{prefix}{k}"), yaml_to_value(v)))
            })
            .collect();
        Enrichment {
            agent_name: cfg.name.clone().unwrap_or_else(|| cfg.hostname.clone()),
            hostname: cfg.hostname.clone(),
            tags: cfg.tags.iter().map(|t| Value::Str(t.clone())).collect(),
            fields,
        }
    }

    /// Adds the general fields to `event`. Fields the event already has are kept, except
    /// `tags`, which are merged.
    pub fn apply(&self, event: &mut Event) {
        event.push("agent.type", "wirebeat");
        event.push("agent.name", self.agent_name.clone());
        event.push("agent.version", env!("CARGO_PKG_VERSION"));
        event.push("ecs.version", ECS_VERSION);
        event.push("host.name", self.hostname.clone());
        for (k, v) in &self.fields {
            if event.get(k).is_none() {
                event.push(k.clone(), v.clone());
            }
        }
        if !self.tags.is_empty() {
            let mut tags = match event.get("tags") {
                Some(Value::List(existing)) => existing.clone(),
                _ => Vec::new(),
            };
            for t in &self.tags {
                if !tags.contains(t) {
                    tags.push(t.clone());
                }
            }
            event.put("tags", Value::List(tags));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wb_wire::Timestamp;

    #[test]
    fn adds_fields_tags_and_agent() {
        let fields: serde_yaml_ng::Mapping =
            serde_yaml_ng::from_str("env: prod\nteam: {a: 1}").unwrap();
        let mut cfg = EnrichmentConfig {
            name: Some("probe-1".into()),
            hostname: "h".into(),
            tags: vec!["t1".into()],
            fields,
            fields_under_root: false,
        };
        let mut e = Event::new(Timestamp(0));
        Enrichment::new(&cfg).apply(&mut e);
        assert_eq!(e.get("fields.env"), Some(&Value::Str("prod".into())));
        assert_eq!(e.get("agent.name"), Some(&Value::Str("probe-1".into())));
        assert_eq!(
            e.get("tags"),
            Some(&Value::List(vec![Value::Str("t1".into())]))
        );
        cfg.fields_under_root = true;
        let mut e = Event::new(Timestamp(0));
        Enrichment::new(&cfg).apply(&mut e);
        assert!(e.get("env").is_some());
    }
}
