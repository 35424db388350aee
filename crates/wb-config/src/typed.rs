//! Typed reads from the normalised YAML tree, with errors that name the key.

use crate::duration::parse_duration;
use crate::error::ConfigError;
use crate::model::EventMetadata;
use serde_yaml_ng::{Mapping, Value};
use std::time::Duration;

/// A view of one mapping of the tree, with its dotted path for error messages.
#[derive(Clone, Copy)]
pub struct Section<'a> {
    map: Option<&'a Mapping>,
    path: &'a str,
}

impl<'a> Section<'a> {
    /// A section over `value` (an empty one when it is not a mapping).
    pub fn new(value: Option<&'a Value>, path: &'a str) -> Self {
        Section {
            map: value.and_then(Value::as_mapping),
            path,
        }
    }

    /// The raw value of `key`, when present and not null.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.and_then(|m| m.get(key)).filter(|v| !v.is_null())
    }

    /// The full dotted name of `key`.
    pub fn key(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// A boolean (`true`/`false`, or the strings the beats accept).
    pub fn bool(&self, key: &str, default: bool) -> Result<bool, ConfigError> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::String(s)) => match s.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" => Ok(true),
                "false" | "no" | "off" => Ok(false),
                _ => Err(ConfigError::invalid(
                    self.key(key),
                    format!("expected true or false, got '{s}'"),
                )),
            },
            Some(v) => Err(ConfigError::invalid(
                self.key(key),
                format!("expected true or false, got {}", show(v)),
            )),
        }
    }

    /// A string (numbers are taken as their text).
    pub fn string(&self, key: &str) -> Result<Option<String>, ConfigError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(v) => Err(ConfigError::invalid(
                self.key(key),
                format!("expected a string, got {}", show(v)),
            )),
        }
    }

    /// An unsigned integer within `range`.
    pub fn uint(
        &self,
        key: &str,
        default: u64,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<u64, ConfigError> {
        let n = match self.get(key) {
            None => return Ok(default),
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            Some(_) => None,
        };
        match n {
            Some(n) if range.contains(&n) => Ok(n),
            _ => Err(ConfigError::invalid(
                self.key(key),
                format!(
                    "expected a whole number from {} to {}, got {}",
                    range.start(),
                    range.end(),
                    self.get(key).map_or_else(String::new, show)
                ),
            )),
        }
    }

    /// A duration (`30s`, `1m`, a number of seconds); the flag is true when negative.
    pub fn duration(&self, key: &str) -> Result<Option<(bool, Duration)>, ConfigError> {
        let text = match self.get(key) {
            None => return Ok(None),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(v) => {
                return Err(ConfigError::invalid(
                    self.key(key),
                    format!("expected a duration such as 30s, got {}", show(v)),
                ))
            }
        };
        parse_duration(&text).map(Some).ok_or_else(|| {
            ConfigError::invalid(
                self.key(key),
                format!("expected a duration such as 30s, got '{text}'"),
            )
        })
    }

    /// A list of strings; a single string is a list of one.
    pub fn strings(&self, key: &str) -> Result<Vec<String>, ConfigError> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(Value::Sequence(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    Value::Number(n) => Ok(n.to_string()),
                    other => Err(ConfigError::invalid(
                        self.key(key),
                        format!("expected strings, got {}", show(other)),
                    )),
                })
                .collect(),
            Some(v) => Err(ConfigError::invalid(
                self.key(key),
                format!("expected a list of strings, got {}", show(v)),
            )),
        }
    }

    /// A mapping (empty when absent).
    pub fn mapping(&self, key: &str) -> Result<Mapping, ConfigError> {
        match self.get(key) {
            None => Ok(Mapping::new()),
            Some(Value::Mapping(m)) => Ok(m.clone()),
            Some(v) => Err(ConfigError::invalid(
                self.key(key),
                format!("expected a mapping, got {}", show(v)),
            )),
        }
    }

    /// The per-source event metadata: `fields`, `fields_under_root`, `tags`, `keep_null`.
    pub fn event_metadata(&self) -> Result<EventMetadata, ConfigError> {
        Ok(EventMetadata {
            fields: self.mapping("fields")?,
            fields_under_root: self.bool("fields_under_root", false)?,
            tags: self.strings("tags")?,
            keep_null: self.bool("keep_null", false)?,
        })
    }

    /// A sub-section.
    pub fn section(&self, key: &str, path: &'a str) -> Section<'a> {
        Section::new(self.get(key), path)
    }
}

/// A short rendering of a value for messages.
pub fn show(v: &Value) -> String {
    match v {
        Value::Mapping(_) => "a mapping".into(),
        Value::Sequence(_) => "a list".into(),
        other => serde_yaml_ng::to_string(other)
            .map(|s| format!("'{}'", s.trim()))
            .unwrap_or_default(),
    }
}
