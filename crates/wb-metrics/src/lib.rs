//! Counter snapshots: named values collected from every layer at one moment, rendered as a
//! JSON object or as `name value` lines. Names are dotted and stable (`decode.errors.not_ip`,
//! `tcp.gaps`, `flows.created`, ...); see docs/metrics.md.

use std::fmt::Write;

/// A set of named counter values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    entries: Vec<(String, u64)>,
}

impl Snapshot {
    /// An empty snapshot.
    pub fn new() -> Self {
        Snapshot::default()
    }

    /// Records `name = value`.
    pub fn set(&mut self, name: impl Into<String>, value: u64) {
        self.entries.push((name.into(), value));
    }

    /// The value recorded for `name`.
    pub fn get(&self, name: &str) -> Option<u64> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }

    /// All entries in recording order.
    pub fn entries(&self) -> &[(String, u64)] {
        &self.entries
    }

    /// A flat JSON object `{"name": value, ...}` with the names sorted.
    pub fn to_json(&self) -> String {
        let mut sorted: Vec<&(String, u64)> = self.entries.iter().collect();
        sorted.sort();
        let mut s = String::from("{");
        for (i, (name, value)) in sorted.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            let _ = write!(s, "\"{}\":{}", name.replace('"', "\\\""), value);
        }
        s.push('}');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_sorted_json() {
        let mut s = Snapshot::new();
        s.set("b", 2);
        s.set("a.x", 1);
        assert_eq!(s.to_json(), r#"{"a.x":1,"b":2}"#);
        assert_eq!(s.get("b"), Some(2));
    }
}
