//! Golden event files: `tests/golden/<case>/expected.ndjson` holds the expected events of a
//! case, one JSON object per line, with the volatile fields removed. `UPDATE_GOLDEN=1`
//! rewrites the file from the actual output instead of comparing.

use crate::strip_volatile;
use std::path::Path;

/// Fields that depend on the machine or build rather than on the capture, removed before any
/// comparison. Everything else, times included, comes from the capture and must match.
pub const VOLATILE_FIELDS: &[&str] = &[
    "agent.name",
    "agent.version",
    "agent.id",
    "agent.ephemeral_id",
    "host.name",
    "ecs.version",
];

/// Compares `actual` (NDJSON text from a run) with the case's expected file, or rewrites the
/// file when `UPDATE_GOLDEN=1`. Returns a description of the first difference.
pub fn check(case_dir: &Path, actual_ndjson: &str) -> Result<(), String> {
    let actual = normalise(actual_ndjson)?;
    let expected_path = case_dir.join("expected.ndjson");
    if std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1") {
        let mut text = String::new();
        for ev in &actual {
            text.push_str(&ev.to_string());
            text.push('\n');
        }
        return std::fs::write(&expected_path, text)
            .map_err(|e| format!("{}: {e}", expected_path.display()));
    }
    let expected_text = std::fs::read_to_string(&expected_path).map_err(|e| {
        format!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            expected_path.display()
        )
    })?;
    let expected = normalise(&expected_text)?;
    for (i, (a, e)) in actual.iter().zip(expected.iter()).enumerate() {
        if a != e {
            return Err(format!(
                "{}: event #{i} differs\n expected: {e}\n   actual: {a}",
                case_dir.display()
            ));
        }
    }
    if actual.len() != expected.len() {
        return Err(format!(
            "{}: {} events, expected {}",
            case_dir.display(),
            actual.len(),
            expected.len()
        ));
    }
    Ok(())
}

fn normalise(ndjson: &str) -> Result<Vec<serde_json::Value>, String> {
    ndjson
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut v: serde_json::Value =
                serde_json::from_str(l).map_err(|e| format!("invalid JSON line {l:?}: {e}"))?;
            strip_volatile(&mut v, VOLATILE_FIELDS);
            Ok(v)
        })
        .collect()
}
