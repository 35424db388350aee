//! `${VAR}` and `${VAR:default}` expansion in string values.

use crate::error::ConfigError;
use serde_yaml_ng::Value;

/// Expands variable references in every string of the tree, in place. A string that is exactly
/// one reference is re-read as YAML, so `ports: ${PORTS}` with `PORTS=[80,8080]` gives a list.
pub fn expand_env(value: &mut Value, path: &mut Vec<String>) -> Result<(), ConfigError> {
    match value {
        Value::String(s) if s.contains("${") => {
            let whole = s.starts_with("${") && s.ends_with('}') && s.matches("${").count() == 1;
            let expanded = expand_str(s, &path.join("."))?;
            *value = if whole {
                serde_yaml_ng::from_str(&expanded).unwrap_or(Value::String(expanded))
            } else {
                Value::String(expanded)
            };
        }
        Value::Mapping(map) => {
            for (k, v) in map.iter_mut() {
                path.push(key_text(k));
                expand_env(v, path)?;
                path.pop();
            }
        }
        Value::Sequence(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                path.push(i.to_string());
                expand_env(v, path)?;
                path.pop();
            }
        }
        _ => {}
    }
    Ok(())
}

/// Replaces each `${NAME}` / `${NAME:default}` in `s`.
fn expand_str(s: &str, key: &str) -> Result<String, ConfigError> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let reference = &after[..end];
        let (name, default) = match reference.split_once(':') {
            Some((n, d)) => (n, Some(d)),
            None => (reference, None),
        };
        match (std::env::var(name), default) {
            (Ok(v), _) => out.push_str(&v),
            (Err(_), Some(d)) => out.push_str(d),
            (Err(_), None) => {
                return Err(ConfigError::MissingVariable {
                    key: key.to_string(),
                    var: name.to_string(),
                })
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A mapping key as text.
pub fn key_text(k: &Value) -> String {
    match k {
        Value::String(s) => s.clone(),
        other => serde_yaml_ng::to_string(other)
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_whole_values() {
        let mut v: Value = serde_yaml_ng::from_str(
            "a: \"${WB_TEST_UNSET_X:fallback}/x\"\nb: \"${WB_TEST_UNSET_Y:[1, 2]}\"\n",
        )
        .unwrap_or(Value::Null);
        expand_env(&mut v, &mut Vec::new()).ok();
        let expected: Value =
            serde_yaml_ng::from_str("a: fallback/x\nb: [1, 2]\n").unwrap_or(Value::Null);
        assert_eq!(v, expected);
    }

    #[test]
    fn missing_variable_names_the_key() {
        let mut v: Value =
            serde_yaml_ng::from_str("out: {path: \"${WB_TEST_UNSET_Z}\"}\n").unwrap_or(Value::Null);
        let err = expand_env(&mut v, &mut Vec::new())
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("out.path: environment variable 'WB_TEST_UNSET_Z' is not set (use ${WB_TEST_UNSET_Z:default} for a default)")
        );
    }
}
