//! Tree normalisation: dotted keys become nested mappings, `wirebeat.*` merges into
//! `packetbeat.*`, and `-E` overrides are set at their dotted path.

use serde_yaml_ng::{Mapping, Value};

/// Expands `a.b.c: v` into `a: {b: {c: v}}` at every level, merging with what is there.
pub fn expand_dotted(value: Value) -> Value {
    match value {
        Value::Mapping(map) => {
            let mut out = Mapping::new();
            for (k, v) in map {
                let v = expand_dotted(v);
                match k.as_str() {
                    Some(key) if key.contains('.') => {
                        let segments: Vec<&str> = key.split('.').collect();
                        set_in(&mut out, &segments, v);
                    }
                    _ => merge_key(&mut out, k, v),
                }
            }
            Value::Mapping(out)
        }
        Value::Sequence(items) => Value::Sequence(items.into_iter().map(expand_dotted).collect()),
        Value::Tagged(t) => expand_dotted(t.value),
        other => other,
    }
}

/// Merges `wirebeat:` into `packetbeat:` (wirebeat's values win on conflict).
pub fn merge_alias(value: &mut Value) {
    let Value::Mapping(root) = value else { return };
    if let Some(alias) = root.remove("wirebeat") {
        merge_key(root, Value::from("packetbeat"), alias);
    }
}

/// Sets `value` at the dotted `path` (numbers index into sequences), creating mappings.
pub fn set_path(root: &mut Value, path: &str, value: Value) {
    let segments: Vec<&str> = path.split('.').filter(|s| !s.is_empty()).collect();
    let segments = match segments.split_first() {
        Some((&"wirebeat", rest)) => std::iter::once("packetbeat")
            .chain(rest.iter().copied())
            .collect(),
        _ => segments,
    };
    set_segments(root, &segments, value);
}

fn set_segments(node: &mut Value, segments: &[&str], value: Value) {
    let Some((seg, rest)) = segments.split_first() else {
        *node = value;
        return;
    };
    if let (Value::Sequence(items), Ok(index)) = (&mut *node, seg.parse::<usize>()) {
        if index < items.len() {
            if let Some(item) = items.get_mut(index) {
                set_segments(item, rest, value);
            }
            return;
        }
    }
    if !matches!(node, Value::Mapping(_)) {
        *node = Value::Mapping(Mapping::new());
    }
    if let Value::Mapping(map) = node {
        let child = map.entry(Value::from(*seg)).or_insert(Value::Null);
        set_segments(child, rest, value);
    }
}

fn set_in(map: &mut Mapping, segments: &[&str], value: Value) {
    match segments {
        [] => {}
        [last] => merge_key(map, Value::from(*last), value),
        [first, rest @ ..] => {
            let mut child = Mapping::new();
            set_in(&mut child, rest, value);
            merge_key(map, Value::from(*first), Value::Mapping(child));
        }
    }
}

/// Inserts `k: v`, merging mappings recursively when both sides are mappings.
fn merge_key(map: &mut Mapping, k: Value, v: Value) {
    match (map.get_mut(&k), v) {
        (Some(Value::Mapping(existing)), Value::Mapping(new)) => {
            for (nk, nv) in new {
                merge_key(existing, nk, nv);
            }
        }
        (_, v) => {
            map.insert(k, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(s: &str) -> Value {
        serde_yaml_ng::from_str(s).unwrap_or(Value::Null)
    }

    #[test]
    fn dotted_keys_merge_with_nested_ones() {
        let v = expand_dotted(yaml("a.b: 1\na:\n  c: 2\nx.y.z: [1]\n"));
        assert_eq!(v, yaml("a: {b: 1, c: 2}\nx: {y: {z: [1]}}\n"));
    }

    #[test]
    fn alias_merges_into_packetbeat() {
        let mut v = yaml("wirebeat: {flows: {timeout: 5s}}\npacketbeat: {flows: {period: 1s}}\n");
        merge_alias(&mut v);
        assert_eq!(v, yaml("packetbeat: {flows: {period: 1s, timeout: 5s}}\n"));
    }

    #[test]
    fn set_path_creates_and_indexes() {
        let mut v = yaml("packetbeat: {protocols: [{type: http, ports: [80]}]}\n");
        set_path(&mut v, "packetbeat.protocols.0.ports", yaml("[8080]"));
        set_path(&mut v, "wirebeat.flows.timeout", yaml("5s"));
        assert_eq!(
            v,
            yaml("packetbeat: {protocols: [{type: http, ports: [8080]}], flows: {timeout: 5s}}\n")
        );
    }
}
