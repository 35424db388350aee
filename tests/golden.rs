//! Golden cases: `tests/golden/<case>/case.yml` names a capture (under `../shared/pcaps/` or,
//! when it starts with `tests/`, in this repository) and the configuration to run it with;
//! `expected.ndjson` holds the events, volatile fields removed (see
//! `wb_testkit::golden::VOLATILE_FIELDS`). `UPDATE_GOLDEN=1 cargo test --test golden`
//! regenerates the expected files; review the diff before committing it.

mod common;
use common::{run_capture, shared_pcaps};
use std::path::{Path, PathBuf};

struct Case {
    capture: PathBuf,
    config: String,
}

fn read_case(dir: &Path) -> Case {
    let text = std::fs::read_to_string(dir.join("case.yml"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let v: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let capture = v["capture"]
        .as_str()
        .unwrap_or_else(|| panic!("{}: no capture", dir.display()));
    let capture = if capture.starts_with("tests/") {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(capture)
    } else {
        shared_pcaps().join(capture)
    };
    Case {
        capture,
        config: v["config"].as_str().unwrap_or_default().to_string(),
    }
}

#[test]
fn golden_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("case.yml").is_file())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 8,
        "expected the golden cases in {}",
        root.display()
    );
    let mut failures = Vec::new();
    for dir in &dirs {
        let case = read_case(dir);
        let run = run_capture(&case.config, &case.capture, &[]);
        assert!(
            run.output.status.success(),
            "{}: {}",
            dir.display(),
            run.stderr()
        );
        if let Err(e) = wb_testkit::golden::check(dir, &run.ndjson) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
