//! An event: its time and a flat list of dotted fields.

use crate::Value;
use std::borrow::Cow;
use wb_wire::Timestamp;

/// A dotted field path such as `source.ip`; static for fixed names, owned for dynamic ones
/// (HTTP header names, user `fields`).
pub type FieldName = Cow<'static, str>;

/// One event. `@timestamp` is `timestamp`; every other field is a `(dotted path, value)` pair.
/// Order of insertion does not matter: the writer sorts paths and nests them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Event {
    /// `@timestamp`.
    pub timestamp: Timestamp,
    fields: Vec<(FieldName, Value)>,
}

impl Event {
    /// An empty event at `timestamp`.
    pub fn new(timestamp: Timestamp) -> Self {
        Event {
            timestamp,
            fields: Vec::with_capacity(32),
        }
    }

    /// Sets `path` to `value`, replacing an earlier value of the same path.
    pub fn put(&mut self, path: impl Into<FieldName>, value: impl Into<Value>) {
        let path = path.into();
        let value = value.into();
        if let Some(slot) = self.fields.iter_mut().find(|(p, _)| *p == path) {
            slot.1 = value;
        } else {
            self.fields.push((path, value));
        }
    }

    /// Appends `path` without looking for an earlier value (the caller knows it is new).
    pub fn push(&mut self, path: impl Into<FieldName>, value: impl Into<Value>) {
        self.fields.push((path.into(), value.into()));
    }

    /// Sets `path` only when `value` is `Some`.
    pub fn put_opt<V: Into<Value>>(&mut self, path: impl Into<FieldName>, value: Option<V>) {
        if let Some(v) = value {
            self.put(path, v);
        }
    }

    /// The value at exactly `path`, if set.
    pub fn get(&self, path: &str) -> Option<&Value> {
        self.fields.iter().find(|(p, _)| p == path).map(|(_, v)| v)
    }

    /// Removes `path` and everything below it; returns whether anything was removed.
    pub fn remove(&mut self, path: &str) -> bool {
        let before = self.fields.len();
        self.fields.retain(|(p, _)| !is_same_or_below(p, path));
        self.fields.len() != before
    }

    /// All fields, in insertion order.
    pub fn fields(&self) -> &[(FieldName, Value)] {
        &self.fields
    }

    /// Mutable access to the fields (for processors).
    pub fn fields_mut(&mut self) -> &mut Vec<(FieldName, Value)> {
        &mut self.fields
    }
}

/// `p` equals `prefix` or is a path below it (`prefix.`...).
fn is_same_or_below(p: &str, prefix: &str) -> bool {
    p.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_replaces_and_remove_takes_subtree() {
        let mut e = Event::new(Timestamp(0));
        e.put("source.ip", "a");
        e.put("source.ip", "b");
        e.put("source.port", 1u16);
        e.put("sourcex", true);
        assert_eq!(e.get("source.ip"), Some(&Value::Static("b")));
        assert!(e.remove("source"));
        assert_eq!(e.fields().len(), 1);
        assert!(e.get("sourcex").is_some());
    }
}
