//! The decoded part of one message: `(path, value)` pairs relative to `cassandra.request` or
//! `cassandra.response`, written under one of them by `ecs`.

use wb_event::{FieldName, Value};

/// Fields of one message, in the order they were decoded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fields(pub Vec<(FieldName, Value)>);

impl Fields {
    /// Appends `path` = `value`.
    pub fn put(&mut self, path: impl Into<FieldName>, value: impl Into<Value>) {
        self.0.push((path.into(), value.into()));
    }

    /// Appends every field of `other` under `prefix.`.
    pub fn nest(&mut self, prefix: &str, other: Fields) {
        for (k, v) in other.0 {
            self.0.push((format!("{prefix}.{k}").into(), v));
        }
    }

    /// Rough heap size, for the pending-request budget.
    pub fn weight(&self) -> usize {
        self.0
            .iter()
            .map(|(k, v)| k.len() + v.as_str().map_or(8, str::len))
            .sum()
    }
}

/// A list of strings as a field value.
pub fn string_list(items: Vec<String>) -> Value {
    Value::List(items.into_iter().map(Value::Str).collect())
}
