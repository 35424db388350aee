//! YAML configuration values (`fields`) → event values.

use serde_yaml_ng::Value as Yaml;
use wb_event::Value;

/// Converts a YAML value from the configuration into an event value. Mapping keys that are
/// not strings are written in their YAML text form.
pub fn yaml_to_value(v: &Yaml) -> Value {
    match v {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(*b),
        Yaml::Number(n) => {
            if let Some(u) = n.as_u64() {
                Value::UInt(u)
            } else if let Some(i) = n.as_i64() {
                Value::Int(i)
            } else {
                Value::Float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Yaml::String(s) => Value::Str(s.clone()),
        Yaml::Sequence(items) => Value::List(items.iter().map(yaml_to_value).collect()),
        Yaml::Mapping(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (key_text(k).into(), yaml_to_value(v)))
                .collect(),
        ),
        Yaml::Tagged(t) => yaml_to_value(&t.value),
    }
}

fn key_text(k: &Yaml) -> String {
    match k {
        Yaml::String(s) => s.clone(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Number(n) => n.to_string(),
        other => serde_yaml_ng::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_nested_values() {
        let y: Yaml =
            serde_yaml_ng::from_str("a: 1\nb: [x, -2, 1.5, true, null]\nc: {d: e}").unwrap();
        let v = yaml_to_value(&y);
        let Value::Object(members) = v else {
            panic!("object expected")
        };
        assert_eq!(members[0], ("a".into(), Value::UInt(1)));
        assert_eq!(
            members[1].1,
            Value::List(vec![
                Value::Str("x".into()),
                Value::Int(-2),
                Value::Float(1.5),
                Value::Bool(true),
                Value::Null
            ])
        );
    }
}
